"""Tests of the independent reader's own encoders and decoders (run by scripts/check-independent)."""

import json
import re
import struct
import zlib
from pathlib import Path

import pytest

import relais_reader as rr

REPO = Path(__file__).resolve().parents[2]


def refused(action, *args):
    with pytest.raises(rr.Refused):
        action(*args)


# ---- CBOR -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", rr.make_cbor_vectors()["accept"], ids=lambda c: c["name"])
def test_cbor_accept_round_trip(case):
    raw = bytes.fromhex(case["cbor"])
    assert rr.cbor_encode(case["json"]) == raw
    assert rr.same_value(rr.cbor_decode(raw), case["json"])


@pytest.mark.parametrize("case", rr.make_cbor_vectors()["refuse"], ids=lambda c: c["name"])
def test_cbor_refuse(case):
    refused(rr.cbor_decode, bytes.fromhex(case["cbor"]))


def test_committed_cbor_vectors_are_what_the_encoder_makes():
    committed = json.loads((REPO / "tests/vectors/handover/cbor-deterministic.json").read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(rr.make_cbor_vectors()))


def test_map_keys_shorter_first_then_bytewise():
    assert rr.cbor_encode({"b": 1, "aa": 2, "a": 3}) == bytes.fromhex("a3 6161 03 6162 01 626161 02")
    # Lexicographic order of the text would put "aa" before "b"; bytewise order of the encoding does not.
    refused(rr.cbor_decode, bytes.fromhex("a2 626161 01 6162 02"))


def test_integer_widths():
    for n, hexa in [(23, "17"), (24, "1818"), (255, "18ff"), (256, "190100"), (65535, "19ffff"),
                    (65536, "1a00010000"), (2**32 - 1, "1affffffff"), (2**32, "1b0000000100000000"),
                    (2**64 - 1, "1bffffffffffffffff"), (-1, "20"), (-24, "37"), (-25, "3818"),
                    (-2**63, "3b7fffffffffffffff")]:
        assert rr.cbor_encode(n).hex() == hexa
        assert rr.cbor_decode(bytes.fromhex(hexa)) == n
    with pytest.raises(ValueError):
        rr.cbor_encode(2**64)


def test_floats_shortest_width():
    assert rr.cbor_encode(1.5).hex() == "f93e00"
    assert rr.cbor_encode(100000.0).hex() == "fa47c35000"
    assert rr.cbor_encode(1.1).hex() == "fb3ff199999999999a"
    assert rr.cbor_encode(-0.0).hex() == "f98000"
    assert rr.cbor_encode(1.0).hex() == "f93c00"  # a float stays a float
    assert rr.cbor_encode(1).hex() == "01"
    assert rr.cbor_encode(65520.0)[0] == 0xFA  # rounds to infinity in binary16, so binary32
    for bad in (float("nan"), float("inf"), float("-inf")):
        with pytest.raises(ValueError):
            rr.cbor_encode(bad)


def test_booleans_are_not_integers():
    assert rr.cbor_encode(True) == b"\xf5" and rr.cbor_encode(1) == b"\x01"
    assert not rr.same_value(True, 1) and not rr.same_value(1, 1.0) and not rr.same_value(0.0, -0.0)


def test_depth_and_size_limits():
    assert rr.cbor_decode(bytes.fromhex("81" * 31 + "80"))  # 32 arrays
    refused(rr.cbor_decode, bytes.fromhex("81" * 32 + "80"))  # 33 arrays
    refused(rr.cbor_decode, bytes.fromhex("a1 6161" * 32 + "a0"))  # 33 maps
    with pytest.raises(ValueError):
        rr.cbor_encode(json.loads("[" * 33 + "]" * 33))
    assert len(rr.cbor_decode(bytes.fromhex("9a000186a0") + bytes(100_000))) == 100_000
    refused(rr.cbor_decode, bytes.fromhex("9a000186a1") + bytes(100_001))


def test_prefix_decoding_reports_the_end():
    assert rr.cbor_decode_prefix(bytes.fromhex("820102 f6")) == ([1, 2], 3)


# ---- Base45 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw,text", [(b"AB", "BB8"), (b"Hello!!", "%69 VD92EX0"), (b"base-45", "UJCLQE7W581"),
                                      (b"ietf!", "QED8WEX0"), (b"", ""), (b"\xff\xff", "FGW"), (b"\xff", "U5")])
def test_base45_rfc9285_examples(raw, text):
    assert rr.base45_encode(raw) == text
    assert rr.base45_decode(text) == raw


@pytest.mark.parametrize("text,why", [("GGW", "triple above 65535"), (":::", "triple above 65535"),
                                      ("V5", "final pair above 255"), ("::", "final pair above 255"),
                                      ("bb8", "lowercase"), ("Bb8", "lowercase"), ("BB8A", "one character left"),
                                      ("BB\n", "line end"), ("BB_", "outside the alphabet"), ("BBÉ", "non-ASCII")])
def test_base45_refuses_non_canonical(text, why):
    refused(rr.base45_decode, text)


def test_base45_every_two_byte_value_round_trips():
    for n in range(0, 65536, 257):
        raw = n.to_bytes(2, "big")
        assert rr.base45_decode(rr.base45_encode(raw)) == raw


# ---- §1 fingerprint, Ed25519 ---------------------------------------------------------------------------


def test_fingerprint_format_and_construction():
    identity = rr.ed25519_public(bytes(32))
    fp = rr.fingerprint(identity)
    assert re.fullmatch(r"\d{5}( \d{5}){5}", fp)
    h = rr.hashlib.sha256(b"relais/fingerprint/v2" + identity).digest()
    assert fp.split(" ")[2] == "%05d" % (int(h[10:15].hex(), 16) % 100000)
    assert rr.fingerprint(rr.ed25519_public(bytes([1]) * 32)) != fp


def test_ed25519_strict_refuses_small_order_and_non_canonical():
    seed = bytes(range(32))
    public, sig = rr.ed25519_public(seed), rr.ed25519_sign(seed, b"m")
    rr.ed25519_verify(public, b"m", sig)
    refused(rr.ed25519_verify, public, b"n", sig)
    identity_point = bytes([1]) + bytes(31)
    order_two = bytes.fromhex("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
    non_canonical_y = bytes.fromhex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
    for key in (identity_point, order_two, bytes(32), non_canonical_y):
        refused(rr.ed25519_verify, key, b"m", sig)
    s = int.from_bytes(sig[32:], "little") + rr._L
    if s < 2**256:
        refused(rr.ed25519_verify, public, b"m", sig[:32] + s.to_bytes(32, "little"))
    refused(rr.ed25519_verify, public, b"m", identity_point + sig[32:])


# ---- §2 key, §3 envelope, §5 ACK ------------------------------------------------------------------------

SEED, KEM = bytes([7]) * 32, bytes([9]) * 32
SESSION = bytes(range(16))


def key_text(**over):
    args = dict(identity_seed=SEED, session=SESSION, kem_public=rr.x25519_public(KEM), fragment=512,
                expiry=1000 + 600, organisation="ONG Exemple")
    args.update(over)
    return rr.make_key_text(**args)


def test_key_round_trip_and_prefix_case():
    key = rr.parse_key_text(key_text(), 1000)
    assert key["organisation"] == "ONG Exemple" and key["fragment"] == 512 and key["session"] == SESSION
    assert rr.parse_key_text("rlk2:" + key_text()[5:], 1000) == key


@pytest.mark.parametrize("over,now", [({"organisation": ""}, 1000), ({"organisation": "x" * 81}, 1000),
                                      ({"fragment": 63}, 1000), ({"fragment": 2049}, 1000),
                                      ({"expiry": 999}, 1000), ({"expiry": 1000 + 86400 + 601}, 1000),
                                      ({"session": bytes(15)}, 1000)])
def test_key_refusals(over, now):
    refused(rr.parse_key_text, key_text(**over), now)


def test_key_name_of_80_characters_and_far_expiry_accepted():
    rr.parse_key_text(key_text(organisation="é" * 80, expiry=1000 + 86400 + 600), 1000)


def test_key_refuses_non_canonical_array():
    items = [2, SESSION, rr.x25519_public(KEM), 512, 1600, rr.ed25519_public(SEED)]
    array = bytes.fromhex("87") + b"".join(rr.cbor_encode(x) for x in items)
    array += bytes.fromhex("780141")  # "A" with a one-byte length: not the shortest form
    sig = rr.ed25519_sign(SEED, rr.KEY_LABEL + array)  # validly signed, but not deterministic CBOR
    refused(rr.parse_key_text, "RLK2:" + rr.base45_encode(array + rr.cbor_encode(sig)), 1000)


def test_padding_buckets():
    assert rr.BUCKETS == [1024, 2048, 4096, 8192, 16384, 32768, 65536, 131072, 261120]
    assert rr.bucket_for(1) == 1024 and rr.bucket_for(1024) == 1024 and rr.bucket_for(1025) == 2048
    assert rr.bucket_for(131072) == 131072 and rr.bucket_for(131073) == 261120 and rr.bucket_for(261120) == 261120
    refused(rr.bucket_for, 261121)
    for size in (1, 100, 5000, 200_000):
        plaintext = rr.make_plaintext(bytes(size % 251 for size in range(size)))
        assert len(plaintext) in rr.BUCKETS


def deflated(data):
    d = zlib.compressobj(9, zlib.DEFLATED, -15)
    s = d.compress(data) + d.flush()
    return len(s).to_bytes(4, "big") + s


def test_plaintext_refusals():
    body = deflated(b"inner")
    assert rr.inflate_plaintext(body + bytes(1024 - len(body))) == b"inner"
    refused(rr.inflate_plaintext, body + bytes(1000 - len(body)))  # not a bucket
    refused(rr.inflate_plaintext, body + bytes(2048 - len(body)))  # not the smallest bucket
    refused(rr.inflate_plaintext, body + bytes(1023 - len(body)) + b"\1")  # padding not zero
    refused(rr.inflate_plaintext, (5000).to_bytes(4, "big") + body[4:] + bytes(1024 - len(body)))  # length beyond
    bomb = deflated(bytes(5 * 1024 * 1024))
    refused(rr.inflate_plaintext, bomb + bytes(rr.bucket_for(len(bomb)) - len(bomb)))
    stream = deflated(b"inner")
    cut = (len(stream) - 5).to_bytes(4, "big") + stream[4:-1]  # DEFLATE stream cut short
    refused(rr.inflate_plaintext, cut + bytes(1024 - len(cut)))


def sealed(bundle=b"\xa0", created_at=1010):
    key = rr.parse_key_text(key_text(), 1000)
    inner = rr.make_inner(bytes([3]) * 32, "Association fictive", created_at, bundle, key)
    return key, rr.seal_plaintext(rr.make_plaintext(inner), SESSION, key["kem"])


def test_envelope_open_and_refusals():
    key, envelope = sealed()
    opened = rr.open_envelope(envelope, key, KEM, 1000)
    assert opened["case"] == {} and opened["sender_org"] == "Association fictive"
    refused(rr.open_envelope, envelope[:-1], key, KEM, 1000)
    refused(rr.open_envelope, envelope, dict(key, identity=rr.ed25519_public(bytes(32))), KEM, 1000)
    refused(rr.open_envelope, envelope, key, bytes([8]) * 32, 1000)
    refused(rr.open_envelope, sealed(created_at=1601)[1], key, KEM, 1000)  # more than ten minutes ahead
    refused(rr.open_envelope, sealed(bundle=b"\xa1\x01\x02")[1], key, KEM, 1000)  # bundle not JSON-shaped


def test_ack_round_trip_and_refusals():
    key, envelope = sealed()
    ack = rr.make_ack_text(SEED, SESSION, envelope)
    rr.parse_ack_text(ack, SESSION, envelope, key["identity"])
    rr.parse_ack_text("rla2:" + ack[5:], SESSION, envelope, key["identity"])
    refused(rr.parse_ack_text, ack, bytes(16), envelope, key["identity"])
    refused(rr.parse_ack_text, ack, SESSION, envelope + b"x", key["identity"])
    refused(rr.parse_ack_text, "RLA1:" + ack[5:], SESSION, envelope, key["identity"])
    refused(rr.parse_ack_text, ack[:5] + ack[5:].lower(), SESSION, envelope, key["identity"])


# ---- frames (handover-frames.md §7) -----------------------------------------------------------------------

MESSAGE = b"Relais hands a sealed case from one phone to another through animated QR codes."
FRAMES = {1: "RL1:*709ATCQI000V50KS0112000W1AA2JSQ4: C7EC.OE 8D0/D.OEOCCATEQ.II3",
          5: "RL1:*709ATCQI000KS0KS0112000W1AA2JAR4IEC  C%349HAUPC6VCBPEV40H6835",
          6: "RL1:*709ATCQI0006Y0KS0112000W1AA2JBQ4ZPCIL6.1E709CX7N.EE%FO$AZ-H55",
          7: "RL1:*709ATCQI000$*0KS0112000W1AA2JJQ4RPCIL6F2EDWEDN7SUEOCCT%EE7NI1"}


def test_frames_known_answers():
    prng = rr.Xoshiro(bytes.fromhex("0000000112345678"))
    assert [prng.next() for _ in range(3)] == [0xB6DB07DCD471C283, 0xE16606A32FBEFD3A, 0xE8D6D27B3DED1E1D]
    assert [rr.mix(5, 0x12345678, s) for s in range(6, 14)] == [
        [0, 1, 2, 3, 4], [0, 1, 2, 4], [0, 2, 3], [1, 2], [0, 1], [1, 2, 4], [0, 2, 4], [1, 2, 3, 4]]
    assert [rr.mix(12, 0xDEADBEEF, s) for s in range(14, 18)] == [
        [2, 3, 5, 6, 7, 9, 11], [0, 2, 4, 6, 7, 8], [4, 6, 7, 8, 11], [0, 2, 4, 7, 9, 10]]
    assert (rr.mix(4, 0, 21), rr.mix(3, 0, 10), rr.mix(2, 0, 8)) == ([0, 1], [0, 2], [1])
    for seq, text in FRAMES.items():
        assert rr.make_frame(MESSAGE, 16, seq) == text
        assert rr.parse_frame(text)[1] == seq
    assert rr.make_part(MESSAGE, 16, 7).hex() == (
        "0162e7309300000007000500100000004f6796af24" "49636c33396f27746b3b77742061207589b7383f")


def test_frames_rebuild_from_any_sufficient_set():
    frames = [rr.make_frame(MESSAGE, 16, s) for s in range(1, 12)]
    assert rr.rebuild(frames) == MESSAGE
    assert rr.rebuild(frames[5:]) == MESSAGE  # repair parts only
    assert rr.rebuild([frames[i] for i in (4, 1, 5, 3, 1, 2)]) == MESSAGE  # part 1 lost, a duplicate
    with pytest.raises(rr.Mismatch):
        rr.rebuild(frames[:4])
    big = bytes(i * 7 % 256 for i in range(5000))
    assert rr.rebuild([rr.make_frame(big, 64, s) for s in range(60, 200)]) == big


def test_frames_refusals():
    text = FRAMES[7]
    assert rr.parse_frame(text.lower()) == rr.parse_frame(text)  # lowercase letters are read as uppercase
    refused(rr.parse_frame, text + "\n")
    refused(rr.parse_frame, " " + text)
    refused(rr.parse_frame, text[:20] + ("0" if text[20] != "0" else "1") + text[21:])  # damaged
    refused(rr.parse_frame, "RL1:" + rr.base45_encode(b"\x02" + rr.make_part(MESSAGE, 16, 1)[1:]))
    refused(rr.parse_frame, "RL1:" + "0" * 4093)
    decoder = rr.FountainDecoder()
    decoder.receive(text)
    with pytest.raises(rr.Refused, match="another message"):
        decoder.receive(rr.make_frame(MESSAGE, 17, 1))
    # A last fragment with non-zero padding, with a valid part CRC.
    part = bytearray(rr.make_part(MESSAGE, 16, 5))
    part[21 + 15] = 1
    part[-4:] = struct.pack(">I", zlib.crc32(bytes(part[:-4])))
    refused(rr.parse_part, bytes(part))


# ---- the vectors' checks, on vectors made here --------------------------------------------------------


def test_check_all_on_self_made_vectors(tmp_path, monkeypatch):
    monkeypatch.delenv("RELAIS_INDEPENDENT_ALLOW_MISSING", raising=False)
    rr.make_self_vectors(tmp_path)
    lines = rr.check_all(tmp_path)
    assert any(line.startswith("v2:") for line in lines) and any("signed-v2" in line for line in lines)


def test_check_all_notices_a_wrong_vector(tmp_path):
    rr.make_self_vectors(tmp_path)
    path = tmp_path / "tests/vectors/handover/v2.json"
    v = json.loads(path.read_text(encoding="utf-8"))
    v["receiver"]["fingerprint"] = "00000 00000 00000 00000 00000 00000"
    rr.write_json(path, v)
    with pytest.raises(rr.Mismatch, match="fingerprint"):
        rr.check_all(tmp_path)


def test_missing_vectors_are_an_error_unless_allowed(tmp_path, monkeypatch):
    monkeypatch.delenv("RELAIS_INDEPENDENT_ALLOW_MISSING", raising=False)
    with pytest.raises(rr.Mismatch, match="missing"):
        rr.check_all(tmp_path)
    monkeypatch.setenv("RELAIS_INDEPENDENT_ALLOW_MISSING", "1")
    assert "skipped: v2.json missing" in rr.check_all(tmp_path)


def test_directory_tampering_refused():
    signed, coordinator = rr.make_directory_vectors()
    assert rr.verify_signed_directory(signed).hex() == coordinator["key"]
    refused(rr.verify_signed_directory, rr._tamper_service_name(signed))
    with_float = json.loads(json.dumps(signed))
    with_float["directory"]["version"] = 3.0
    refused(rr.verify_signed_directory, with_float)
    # The JSON spacing and key order of the file do not matter; the CBOR of the value does.
    reordered = json.loads(json.dumps(signed, sort_keys=True, indent=4))
    assert rr.verify_signed_directory(reordered).hex() == coordinator["key"]
