#!/usr/bin/env python3
"""An independent reader of the Relais handover formats, written only from the format documents:

- docs/handover-format.md (format version 2): CBOR rules, §1 fingerprint, §2 key QR, §3 envelope,
  §4 case bundle, §5 ACK QR;
- docs/handover-frames.md: frames `RL1:` and the fountain code;
- docs/directory.md: the signed directory.

It exists to cross-check the Rust implementation: the CBOR encoder/decoder and Base45 are written by
hand here (no cbor2, no base45 library). Only the primitives come from libraries: Ed25519 and X25519
(`cryptography`), HPKE RFC 9180 (`pyhpke`), SHA-256, CRC-32 and raw DEFLATE (Python's standard library).

    python3 relais_reader.py check-vectors REPO_ROOT      # verify the vectors of REPO_ROOT
    python3 relais_reader.py make-self-vectors OUT_ROOT   # write vectors made by this reader
    python3 relais_reader.py write-cbor-vectors FILE      # write cbor-deterministic.json

Missing vector files are an error unless RELAIS_INDEPENDENT_ALLOW_MISSING=1.
"""

import hashlib
import json
import math
import os
import random
import struct
import sys
import zlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from pyhpke import AEADId, CipherSuite, KDFId, KEMId


class Refused(Exception):
    """Input that a reader following the documents must refuse."""


class Mismatch(Exception):
    """A vector that does not agree with this reader."""


def sha256(*parts):
    return hashlib.sha256(b"".join(parts)).digest()


# ==================================================================================================
# CBOR: RFC 8949 §4.2.1 core deterministic encoding (handover-format.md, "CBOR")
# ==================================================================================================

MAX_DEPTH = 32  # containers nested in one another (the outermost one counts as 1)
MAX_ITEMS = 100_000  # elements of an array, entries (key-value pairs) of a map


def _head(major, n):
    if n < 0 or n >= 1 << 64:
        raise ValueError(f"argument out of range: {n}")
    if n < 24:
        return bytes([major << 5 | n])
    for ai, width in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * width):
            return bytes([major << 5 | ai]) + n.to_bytes(width, "big")
    raise AssertionError


def _float_bytes(x):
    """The shortest of binary16, binary32, binary64 that keeps the value exactly."""
    if math.isnan(x) or math.isinf(x):
        raise ValueError("NaN and infinity have no encoding here")
    for initial, fmt in ((0xF9, ">e"), (0xFA, ">f")):
        try:
            packed = struct.pack(fmt, x)
        except OverflowError:
            continue
        back = struct.unpack(fmt, packed)[0]
        if back == x and math.copysign(1.0, back) == math.copysign(1.0, x):
            return bytes([initial]) + packed
    return b"\xfb" + struct.pack(">d", x)


def cbor_encode(value, _depth=0):
    """Deterministic CBOR of a JSON-shaped value (plus bytes, and tuples as arrays)."""
    if value is None:
        return b"\xf6"
    if value is False:
        return b"\xf4"
    if value is True:
        return b"\xf5"
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, float):
        return _float_bytes(value)
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, (bytes, bytearray)):
        return _head(2, len(value)) + bytes(value)
    if _depth + 1 > MAX_DEPTH:
        raise ValueError("nested deeper than 32")
    if isinstance(value, (list, tuple)):
        if len(value) > MAX_ITEMS:
            raise ValueError("array too large")
        return _head(4, len(value)) + b"".join(cbor_encode(v, _depth + 1) for v in value)
    if isinstance(value, dict):
        if len(value) > MAX_ITEMS:
            raise ValueError("map too large")
        entries = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise ValueError("map keys must be text")
            entries.append((cbor_encode(key), cbor_encode(item, _depth + 1)))
        entries.sort(key=lambda e: e[0])  # bytewise order of the encoded keys
        return _head(5, len(entries)) + b"".join(k + v for k, v in entries)
    raise TypeError(f"no CBOR encoding for {type(value).__name__}")


class _CborReader:
    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def take(self, n):
        if n > len(self.data) - self.pos:
            raise Refused("CBOR: truncated")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def argument(self, ai):
        if ai < 24:
            return ai
        if ai == 31:
            raise Refused("CBOR: indefinite length")
        if ai > 27:
            raise Refused("CBOR: reserved additional information")
        width = 1 << (ai - 24)
        n = int.from_bytes(self.take(width), "big")
        if n < (24 if width == 1 else 1 << (4 * width)):
            raise Refused("CBOR: integer or length not in its shortest form")
        return n

    def item(self, depth):
        start = self.pos
        initial = self.take(1)[0]
        major, ai = initial >> 5, initial & 31
        if major == 7:
            if ai == 20:
                return False
            if ai == 21:
                return True
            if ai == 22:
                return None
            if ai == 23:
                raise Refused("CBOR: undefined")
            if ai in (25, 26, 27):
                fmt = {25: ">e", 26: ">f", 27: ">d"}[ai]
                x = struct.unpack(fmt, self.take(1 << (ai - 24)))[0]
                if math.isnan(x) or math.isinf(x):
                    raise Refused("CBOR: NaN or infinity")
                if _float_bytes(x) != self.data[start : self.pos]:
                    raise Refused("CBOR: float not in its shortest form")
                return x
            if ai == 31:
                raise Refused("CBOR: unexpected break")
            raise Refused("CBOR: simple value other than false, true, null")
        if major == 6:
            raise Refused("CBOR: tag")
        n = self.argument(ai)
        if major == 0:
            return n
        if major == 1:
            return -1 - n
        if major == 2:
            return self.take(n)
        if major == 3:
            try:
                return self.take(n).decode("utf-8")
            except UnicodeDecodeError:
                raise Refused("CBOR: text is not UTF-8") from None
        if depth + 1 > MAX_DEPTH:
            raise Refused("CBOR: nested deeper than 32")
        if n > MAX_ITEMS:
            raise Refused("CBOR: container with more than 100,000 items")
        if major == 4:
            return [self.item(depth + 1) for _ in range(n)]
        # major == 5: a map; keys are text, in strictly increasing bytewise order of their encoding
        out, previous = {}, None
        for _ in range(n):
            key_start = self.pos
            key = self.item(depth + 1)
            if not isinstance(key, str):
                raise Refused("CBOR: map key that is not text")
            encoded = self.data[key_start : self.pos]
            if previous is not None and encoded == previous:
                raise Refused("CBOR: duplicate map key")
            if previous is not None and encoded < previous:
                raise Refused("CBOR: map keys not in bytewise order")
            previous = encoded
            out[key] = self.item(depth + 1)
        return out


def cbor_decode_prefix(data):
    """Decodes one value at the start of data; returns (value, number of bytes it took)."""
    reader = _CborReader(data)
    value = reader.item(0)
    return value, reader.pos


def cbor_decode(data):
    """Strict decoder: refuses any encoding but the deterministic one, and trailing bytes."""
    value, end = cbor_decode_prefix(data)
    if end != len(data):
        raise Refused("CBOR: trailing bytes")
    return value


def same_value(a, b):
    """Equality that tells integers, floats and booleans apart (1 != 1.0 != True) and -0.0 from 0.0."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_value(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


def json_strict(text):
    """JSON with duplicate object keys refused."""

    def pairs(items):
        out = {}
        for k, v in items:
            if k in out:
                raise Refused(f"JSON: duplicate key {k!r}")
            out[k] = v
        return out

    return json.loads(text, object_pairs_hook=pairs)


# ==================================================================================================
# Base45: RFC 9285, canonical only
# ==================================================================================================

BASE45 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
_B45 = {c: i for i, c in enumerate(BASE45)}


def base45_encode(data):
    out = []
    for i in range(0, len(data) - 1, 2):
        n = data[i] * 256 + data[i + 1]
        out += [BASE45[n % 45], BASE45[n // 45 % 45], BASE45[n // 2025]]
    if len(data) % 2:
        n = data[-1]
        out += [BASE45[n % 45], BASE45[n // 45]]
    return "".join(out)


def base45_decode(text):
    """Canonical Base45: uppercase alphabet only, triples ≤ 65535, a final pair ≤ 255."""
    if len(text) % 3 == 1:
        raise Refused("Base45: length leaves a single character")
    out = bytearray()
    for i in range(0, len(text), 3):
        chunk = text[i : i + 3]
        try:
            digits = [_B45[c] for c in chunk]
        except KeyError:
            raise Refused("Base45: character outside the alphabet (lowercase, or not alphanumeric)") from None
        n = sum(d * 45**j for j, d in enumerate(digits))
        if len(chunk) == 3:
            if n > 0xFFFF:
                raise Refused("Base45: triple above 65535")
            out += n.to_bytes(2, "big")
        else:
            if n > 0xFF:
                raise Refused("Base45: final pair above 255")
            out.append(n)
    if base45_encode(out) != text:  # cannot happen after the checks above; the rule, said once more
        raise Refused("Base45: not canonical")
    return bytes(out)


# ==================================================================================================
# Ed25519, strict (RFC 8032; no small-order or non-canonical keys or signatures)
# ==================================================================================================

_P = 2**255 - 19
_L = 2**252 + 27742317777372353535851937790883648493
_D = -121665 * pow(121666, _P - 2, _P) % _P
_SQRT_M1 = pow(2, (_P - 1) // 4, _P)


def _edwards_point(encoded):
    """Decodes a point (RFC 8032 §5.1.3); None when it is not a canonical encoding of a point."""
    y = int.from_bytes(encoded, "little") & ((1 << 255) - 1)
    sign = encoded[31] >> 7
    if y >= _P:
        return None
    x2 = (y * y - 1) * pow(_D * y * y + 1, _P - 2, _P) % _P
    x = pow(x2, (_P + 3) // 8, _P)
    if (x * x - x2) % _P:
        x = x * _SQRT_M1 % _P
    if (x * x - x2) % _P:
        return None
    if x == 0 and sign:
        return None
    if x & 1 != sign:
        x = _P - x
    return x, y


def _edwards_add(a, b):
    (x1, y1), (x2, y2) = a, b
    t = _D * x1 * x2 * y1 * y2 % _P
    x3 = (x1 * y2 + x2 * y1) * pow(1 + t, _P - 2, _P) % _P
    y3 = (y1 * y2 + x1 * x2) * pow(1 - t, _P - 2, _P) % _P
    return x3, y3


def _strict_point(encoded):
    """A canonical encoding of a point whose order is not small (8·P is not the identity)."""
    point = _edwards_point(encoded)
    if point is None:
        return False
    for _ in range(3):
        point = _edwards_add(point, point)
    return point != (0, 1)


def ed25519_public(seed):
    return Ed25519PrivateKey.from_private_bytes(seed).public_key().public_bytes_raw()


def ed25519_sign(seed, message):
    return Ed25519PrivateKey.from_private_bytes(seed).sign(message)


def ed25519_verify(public, message, signature):
    if len(public) != 32 or len(signature) != 64:
        raise Refused("Ed25519: wrong key or signature length")
    if not _strict_point(public):
        raise Refused("Ed25519: small-order or non-canonical public key")
    if not _strict_point(signature[:32]) or int.from_bytes(signature[32:], "little") >= _L:
        raise Refused("Ed25519: small-order or non-canonical signature")
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except InvalidSignature:
        raise Refused("Ed25519: signature does not verify") from None


def x25519_public(secret):
    return X25519PrivateKey.from_private_bytes(secret).public_key().public_bytes_raw()


# ==================================================================================================
# §1 Fingerprint
# ==================================================================================================


def fingerprint(identity):
    h = sha256(b"relais/fingerprint/v2", identity)
    return " ".join(f"{int.from_bytes(h[5 * i : 5 * i + 5], 'big') % 100000:05d}" for i in range(6))


# ==================================================================================================
# §2 Receiver key QR: "RLK2:" + Base45(CBOR array of 7 ‖ CBOR bstr(64))
# ==================================================================================================

KEY_LABEL = b"relais/key/v2"
MAX_AHEAD = 24 * 3600 + 10 * 60


def _check_name(name, what):
    if not isinstance(name, str) or not 1 <= len(name) <= 80:
        raise Refused(f"{what}: name must be 1 to 80 characters")


def _is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def _is_bytes(v, n):
    return isinstance(v, bytes) and len(v) == n


def _strip_prefix(text, prefix, older):
    if not isinstance(text, str) or text[: len(prefix)].upper() != prefix:
        if isinstance(text, str) and text[: len(older)].upper() == older:
            raise Refused(f"{older} is handover format 1: update both phones")
        raise Refused(f"not a {prefix} text")
    return text[len(prefix) :]


def make_key_text(identity_seed, session, kem_public, fragment, expiry, organisation):
    array = cbor_encode([2, session, kem_public, fragment, expiry, ed25519_public(identity_seed), organisation])
    signature = ed25519_sign(identity_seed, KEY_LABEL + array)
    return "RLK2:" + base45_encode(array + cbor_encode(signature))


def parse_key_text(text, now=None):
    raw = base45_decode(_strip_prefix(text, "RLK2:", "RLK1:"))
    array, end = cbor_decode_prefix(raw)
    signature = cbor_decode(raw[end:])
    if cbor_encode(array) != raw[:end] or cbor_encode(signature) != raw[end:]:
        raise Refused("key: not the deterministic encoding")
    if not (isinstance(array, list) and len(array) == 7 and _is_bytes(signature, 64)):
        raise Refused("key: not an array of 7 followed by a 64-byte signature")
    version, session, kem, fragment, expiry, identity, name = array
    if not (_is_int(version) and version == 2):
        raise Refused("key: format version is not 2")
    if not (_is_bytes(session, 16) and _is_bytes(kem, 32) and _is_bytes(identity, 32)):
        raise Refused("key: session, X25519 key or identity of the wrong length")
    if not (_is_int(fragment) and 64 <= fragment <= 2048):
        raise Refused("key: largest fragment out of 64..2048")
    if not _is_int(expiry):
        raise Refused("key: expiry is not an integer")
    _check_name(name, "key")
    ed25519_verify(identity, KEY_LABEL + raw[:end], signature)
    if now is not None and expiry < now:
        raise Refused("key: expired")
    if now is not None and expiry > now + MAX_AHEAD:
        raise Refused("key: expiry more than 24 hours and 10 minutes ahead")
    return {"session": session, "kem": kem, "fragment": fragment, "expiry": expiry, "identity": identity,
            "organisation": name}


# ==================================================================================================
# §3 Envelope: "RLE2" ‖ len(header) u16 ‖ header ‖ enc (32) ‖ len(ct) u32 ‖ ct
# ==================================================================================================

ENVELOPE_LABEL = b"relais/envelope/v2"
MAX_ENVELOPE = 256 * 1024
MAX_INFLATED = 4 * 1024 * 1024
BUCKETS = [1024 << i for i in range(8)] + [261_120]
SUITE = CipherSuite.new(KEMId.DHKEM_X25519_HKDF_SHA256, KDFId.HKDF_SHA256, AEADId.CHACHA20_POLY1305)


def bucket_for(n):
    """The smallest bucket that holds a plaintext of n bytes before padding."""
    for b in BUCKETS:
        if n <= b:
            return b
    raise Refused("envelope: plaintext larger than the largest bucket")


def make_plaintext(inner):
    deflate = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = deflate.compress(inner) + deflate.flush()
    body = len(stream).to_bytes(4, "big") + stream
    return body + bytes(bucket_for(len(body)) - len(body))


def signed_part(session, receiver_identity, receiver_kem, sender_identity, sender_org, created_at, bundle):
    return cbor_encode([session, receiver_identity, receiver_kem, sender_identity, sender_org, created_at,
                        sha256(bundle)])


def make_inner(sender_seed, sender_org, created_at, bundle, key):
    sender = ed25519_public(sender_seed)
    signed = signed_part(key["session"], key["identity"], key["kem"], sender, sender_org, created_at, bundle)
    return cbor_encode([sender, sender_org, created_at, bundle, ed25519_sign(sender_seed, ENVELOPE_LABEL + signed)])


def seal_plaintext(plaintext, session, kem_public):
    header = cbor_encode([2, session])
    enc, context = SUITE.create_sender_context(SUITE.kem.deserialize_public_key(kem_public),
                                               info=b"relais/handover/v2" + session)
    ct = context.seal(plaintext, aad=b"RLE2" + header)
    return b"RLE2" + struct.pack(">H", len(header)) + header + enc + struct.pack(">I", len(ct)) + ct


def parse_envelope(envelope):
    """Magic, lengths and header (what is in clear); returns (header, session, enc, ct)."""
    if envelope[:4] == b"RLE1":
        raise Refused("envelope: made by an older Relais with handover format 1: update both phones")
    if envelope[:4] != b"RLE2":
        raise Refused("envelope: not RLE2")
    if len(envelope) > MAX_ENVELOPE:
        raise Refused("envelope: larger than 256 KiB")
    if len(envelope) < 6:
        raise Refused("envelope: truncated")
    header_len = struct.unpack(">H", envelope[4:6])[0]
    header = envelope[6 : 6 + header_len]
    rest = envelope[6 + header_len :]
    if len(header) != header_len or len(rest) < 36:
        raise Refused("envelope: truncated")
    enc, ct_len, ct = rest[:32], struct.unpack(">I", rest[32:36])[0], rest[36:]
    if len(ct) != ct_len:
        raise Refused("envelope: ciphertext length is not exact")
    value = cbor_decode(header)
    if cbor_encode(value) != header:
        raise Refused("envelope: header not deterministic")
    if not (isinstance(value, list) and len(value) == 2 and _is_int(value[0]) and _is_bytes(value[1], 16)):
        raise Refused("envelope: header is not [version, session (16 bytes)]")
    if value[0] != 2:
        raise Refused("envelope: header version is not 2")
    return header, value[1], enc, ct


def inflate_plaintext(plaintext):
    if len(plaintext) not in BUCKETS:
        raise Refused("envelope: plaintext length is not a bucket")
    n = struct.unpack(">I", plaintext[:4])[0]
    if 4 + n > len(plaintext):
        raise Refused("envelope: DEFLATE length beyond the plaintext")
    if bucket_for(4 + n) != len(plaintext):
        raise Refused("envelope: padded beyond the smallest bucket")
    if any(plaintext[4 + n :]):
        raise Refused("envelope: padding is not zero")
    inflater = zlib.decompressobj(-15)
    try:
        inner = inflater.decompress(plaintext[4 : 4 + n], MAX_INFLATED + 1)
    except zlib.error as e:
        raise Refused(f"envelope: bad DEFLATE stream ({e})") from None
    if len(inner) > MAX_INFLATED:
        raise Refused("envelope: inflates beyond 4 MiB")
    if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
        raise Refused("envelope: DEFLATE stream does not end exactly at its length")
    return inner


def open_envelope(envelope, key, kem_secret, now=None):
    """Opens and verifies an envelope for a session `key` (a parsed key QR) the receiver holds."""
    header, session, enc, ct = parse_envelope(envelope)
    if session != key["session"]:
        raise Refused("envelope: not for this session")
    try:
        context = SUITE.create_recipient_context(enc, SUITE.kem.deserialize_private_key(kem_secret),
                                                 info=b"relais/handover/v2" + session)
        plaintext = context.open(ct, aad=b"RLE2" + header)
    except Exception as e:  # pyhpke raises OpenError; a bad enc may raise others
        raise Refused(f"envelope: HPKE open failed ({type(e).__name__})") from None
    inner = inflate_plaintext(plaintext)
    value = cbor_decode(inner)
    if cbor_encode(value) != inner:
        raise Refused("envelope: inner not deterministic")
    if not (isinstance(value, list) and len(value) == 5):
        raise Refused("envelope: inner is not an array of 5")
    sender, sender_org, created_at, bundle, signature = value
    if not (_is_bytes(sender, 32) and _is_int(created_at) and isinstance(bundle, bytes) and _is_bytes(signature, 64)):
        raise Refused("envelope: inner item of the wrong type")
    _check_name(sender_org, "envelope")
    signed = signed_part(session, key["identity"], key["kem"], sender, sender_org, created_at, bundle)
    ed25519_verify(sender, ENVELOPE_LABEL + signed, signature)
    if now is not None and created_at > now + 600:
        raise Refused("envelope: created more than ten minutes in the future")
    # "no earlier than ten minutes before the key was shown": the key's showing time is not in the key;
    # the earliest it can be is expiry - 24 h (expiry at most 24 h after it is shown).
    if created_at < key["expiry"] - 24 * 3600 - 600:
        raise Refused("envelope: created before the key can have been shown")
    case = cbor_decode(bundle)
    return {"sender": sender, "sender_org": sender_org, "created_at": created_at, "bundle": bundle,
            "case": case, "inner": inner, "plaintext": plaintext}


# ==================================================================================================
# §5 ACK QR: "RLA2:" + Base45(session (16) ‖ digest (32) ‖ signature (64))
# ==================================================================================================


def envelope_digest(envelope):
    return sha256(b"relais/ack/v2/envelope", envelope)


def make_ack_text(receiver_seed, session, envelope):
    digest = envelope_digest(envelope)
    return "RLA2:" + base45_encode(session + digest + ed25519_sign(receiver_seed, b"relais/ack/v2" + session + digest))


def parse_ack_text(text, session, envelope, receiver_identity):
    raw = base45_decode(_strip_prefix(text, "RLA2:", "RLA1:"))
    if len(raw) != 112:
        raise Refused("ACK: not 112 bytes")
    if raw[:16] != session or raw[16:48] != envelope_digest(envelope):
        raise Refused("ACK: not for this envelope")
    ed25519_verify(receiver_identity, b"relais/ack/v2" + raw[:48], raw[48:])
    return raw


# ==================================================================================================
# Frames and fountain code (handover-frames.md)
# ==================================================================================================

M64 = (1 << 64) - 1
MAX_MESSAGE = 262_144


class Xoshiro:
    """§4 PRNG: Xoshiro256** seeded from SHA-256 of 8 bytes."""

    def __init__(self, seed8):
        d = sha256(seed8)
        self.s = [int.from_bytes(d[8 * i : 8 * i + 8], "big") for i in range(4)]

    def next(self):
        s = self.s
        rotl = lambda x, n: ((x << n) | (x >> (64 - n))) & M64  # noqa: E731
        result = rotl(s[1] * 5 & M64, 7) * 9 & M64
        t = s[1] << 17 & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):
        return self.next() * n >> 64


SMALL_TABLES = {
    2: [{0, 1}, {0}, {1}],
    3: [{0, 1, 2}, {1, 2}, {0, 2}, {0, 1}],
    4: [{0, 1, 2, 3}, {1, 2, 3}, {0, 2, 3}, {0, 1, 3}, {0, 1, 2}, {0, 1}, {0, 2}, {0, 3}, {1, 2}, {1, 3}, {2, 3}],
}


def mix(k, crc, seq):
    """§4: the sorted fragment indices whose XOR part `seq` carries."""
    if seq <= k:
        return [seq - 1]
    if k == 1:
        return [0]
    r = seq - k - 1
    if k in SMALL_TABLES:
        table = SMALL_TABLES[k]
        return sorted(table[r % len(table)])
    if r == 0:
        return list(range(k))
    bits = (k - 1).bit_length()
    epoch, level = (r - 1) // bits, (r - 1) % bits
    even = epoch % 2 == 0
    rng = Xoshiro(struct.pack(">II", epoch, crc))
    perm = list(range(k))
    for i in range(k - 1, 0, -1):
        j = rng.below(i + 1)
        perm[i], perm[j] = perm[j], perm[i]
    for _ in range(level + 1):
        last = rng.next()
    parity = last >> 63
    classes, row = [(0, k)], []
    for lam in range(level + 1):
        larger, split = even, []
        for start, n in classes:
            h = n // 2
            if n % 2:
                if larger:
                    h += 1
                larger = not larger
            if lam == level:
                row += perm[start : start + h]
            if n >= 2:
                split += [(start, h), (start + h, n - h)]
            else:
                split.append((start, n))
        classes = split
    if len(row) % 2 != parity:
        x = perm[k - 1 - level]
        if x in row:
            if len(row) > 1:
                row.remove(x)
        elif len(row) + 1 < k:
            row.append(x)
    return sorted(row)


def _fragments(message, f):
    k = -(-len(message) // f)
    padded = message + bytes(k * f - len(message))
    return [padded[i * f : (i + 1) * f] for i in range(k)]


def make_part(message, f, seq):
    if not 1 <= len(message) <= MAX_MESSAGE or not 16 <= f <= 2048:
        raise ValueError("message or fragment length out of range")
    frags = _fragments(message, f)
    k = len(frags)
    if k > 4096:
        raise ValueError("more than 4096 fragments")
    crc = zlib.crc32(message)
    data = 0
    for i in mix(k, crc, seq):
        data ^= int.from_bytes(frags[i], "big")
    body = (b"\x01" + sha256(message)[:4] + struct.pack(">IHHII", seq, k, f, len(message), crc)
            + data.to_bytes(f, "big"))
    return body + struct.pack(">I", zlib.crc32(body))


def make_frame(message, f, seq):
    return "RL1:" + base45_encode(make_part(message, f, seq))


def parse_part(part):
    """§2, in the order given there. Returns (message key, seq, data)."""
    if len(part) < 1 or part[0] != 1:
        raise Refused("frame: unsupported version")
    if not 41 <= len(part) <= 2073:
        raise Refused("frame: wrong length")
    if zlib.crc32(part[:-4]) != struct.unpack(">I", part[-4:])[0]:
        raise Refused("frame: damaged frame")
    ident = part[1:5]
    seq, k, f, length, crc = struct.unpack(">IHHII", part[5:21])
    data = part[21:-4]
    if seq < 1:
        raise Refused("frame: sequence number 0")
    if not 1 <= k <= 4096:
        raise Refused("frame: k out of range")
    if not (16 <= f <= 2048 and f == len(part) - 25):
        raise Refused("frame: fragment length out of range or not the part's")
    if not (1 <= length <= MAX_MESSAGE and -(-length // f) == k):
        raise Refused("frame: message length out of range or not k fragments")
    if seq == k and any(data[length - (k - 1) * f :]):
        raise Refused("frame: padding of the last fragment is not zero")
    return (ident, k, f, length, crc), seq, data


def parse_frame(text):
    """§3: "RL1:" + canonical Base45; lowercase letters read as uppercase, nothing else translated."""
    if len(text) > 4096:
        raise Refused("frame: text longer than 4096 characters")
    if text[:4].upper() != "RL1:":
        raise Refused("frame: not RL1:")
    body = "".join(c.upper() if "a" <= c <= "z" else c for c in text[4:])
    return parse_part(base45_decode(body))


class FountainDecoder:
    """§6: one message; GF(2) elimination with rows kept in reduced row echelon form."""

    def __init__(self):
        self.key, self.seen, self.rows, self.failed = None, set(), {}, False

    def receive(self, text):
        """Returns the message once complete, None before; raises Refused for refused frames."""
        if self.failed:
            raise Refused("decoder: failed before, start a new one")
        key, seq, data = parse_frame(text)
        if self.key is None:
            self.key = key
        elif key != self.key:
            raise Refused("frame: belongs to another message")
        ident, k, f, length, crc = key
        if seq in self.seen:
            return None
        if len(self.seen) < 4 * k + 256:
            self.seen.add(seq)
        mask, value = 0, int.from_bytes(data, "big")
        for i in mix(k, crc, seq):
            mask |= 1 << i
        for pivot, (m, v) in self.rows.items():
            if mask >> pivot & 1:
                mask, value = mask ^ m, value ^ v
        if mask == 0:
            return None
        pivot = (mask & -mask).bit_length() - 1
        for p, (m, v) in list(self.rows.items()):
            if m >> pivot & 1:
                self.rows[p] = (m ^ mask, v ^ value)
        self.rows[pivot] = (mask, value)
        if len(self.rows) < k:
            return None
        joined = b"".join(self.rows[i][1].to_bytes(f, "big") for i in range(k))
        message = joined[:length]
        if any(joined[length:]) or zlib.crc32(message) != crc or sha256(message)[:4] != ident:
            self.failed = True
            raise Refused("decoder: the rebuilt message does not match")
        return message


def rebuild(frames):
    decoder = FountainDecoder()
    for text in frames:
        message = decoder.receive(text)
        if message is not None:
            return message
    raise Mismatch("frames: not enough to rebuild the message")


# ==================================================================================================
# Signed directory (directory.md)
# ==================================================================================================

DIRECTORY_LABEL = b"relais/directory/v2"


def _no_floats(value):
    if isinstance(value, float):
        return False
    if isinstance(value, dict):
        return all(_no_floats(v) for v in value.values())
    if isinstance(value, list):
        return all(_no_floats(v) for v in value)
    return True


def verify_signed_directory(signed):
    """Verifies a signed directory file (a parsed JSON value); returns the coordinator key."""
    if not isinstance(signed, dict) or set(signed) != {"format", "version", "directory", "signature"}:
        raise Refused("directory: not {format, version, directory, signature}")
    if signed["format"] != "relais.signed-directory" or not (_is_int(signed["version"]) and signed["version"] == 1):
        raise Refused("directory: not a relais.signed-directory of version 1")
    directory, signature = signed["directory"], signed["signature"]
    if not (isinstance(signature, str) and len(signature) == 128 and all(c in "0123456789abcdef" for c in signature)):
        raise Refused("directory: signature is not 128 lowercase hex")
    if not isinstance(directory, dict) or directory.get("format") != "relais.directory" or directory.get("schema") != 2:
        raise Refused("directory: not a relais.directory of schema 2")
    if not _no_floats(directory):
        raise Refused("directory: holds a floating-point number")
    key_hex = directory.get("coordinator", {}).get("key") if isinstance(directory.get("coordinator"), dict) else None
    if not (isinstance(key_hex, str) and len(key_hex) == 64):
        raise Refused("directory: coordinator.key is not 64 hex")
    key = bytes.fromhex(key_hex)
    ed25519_verify(key, DIRECTORY_LABEL + cbor_encode(directory), bytes.fromhex(signature))
    for org in directory.get("organisations", []):
        if not (isinstance(org, dict) and {"id", "name", "area", "identity", "valid_from", "valid_until"} <= set(org)):
            raise Refused("directory: organisation without its fields")
        _check_name(org["name"], "directory organisation")
        if not (isinstance(org["identity"], str) and len(bytes.fromhex(org["identity"])) == 32):
            raise Refused("directory: organisation identity is not 64 hex")
        if not (_is_int(org["valid_from"]) and _is_int(org["valid_until"])):
            raise Refused("directory: organisation dates are not integers")
    return key


def sign_directory(directory, seed):
    return {"format": "relais.signed-directory", "version": 1, "directory": directory,
            "signature": ed25519_sign(seed, DIRECTORY_LABEL + cbor_encode(directory)).hex()}


def _tamper_service_name(signed):
    """A copy of the signed file with one character of a service's name changed."""
    tampered = json.loads(json.dumps(signed))
    services = tampered["directory"].get("services") or []
    # A service's name is its "service" field (docs/referral.md); "name" is accepted too.
    for service in services:
        for field in ("service", "name"):
            if isinstance(service, dict) and isinstance(service.get(field), str) and service[field]:
                name = service[field]
                service[field] = ("X" if name[0] != "X" else "Y") + name[1:]
                return tampered
    raise Mismatch("directory: no service with a name to tamper with")


# ==================================================================================================
# Vectors
# ==================================================================================================


def _expect_refused(what, action):
    try:
        action()
    except Refused:
        return
    raise Mismatch(f"{what}: accepted, should be refused")


def _hex(value, n, what):
    try:
        raw = bytes.fromhex(value)
    except (TypeError, ValueError):
        raise Mismatch(f"{what}: not hex") from None
    if len(raw) != n:
        raise Mismatch(f"{what}: {len(raw)} bytes, expected {n}")
    return raw


def check_cbor_vectors(doc):
    for case in doc["accept"]:
        name, expected = case["name"], bytes.fromhex(case["cbor"])
        if cbor_encode(case["json"]) != expected:
            got = cbor_encode(case["json"]).hex()
            raise Mismatch(f"cbor accept {name!r}: encoder gives {got}, vector {case['cbor']}")
        try:
            decoded = cbor_decode(expected)
        except Refused as e:
            raise Mismatch(f"cbor accept {name!r}: decoder refused it ({e})") from None
        if not same_value(decoded, case["json"]):
            raise Mismatch(f"cbor accept {name!r}: decodes to {decoded!r}")
    for case in doc["refuse"]:
        _expect_refused(f"cbor refuse {case['name']!r}", lambda: cbor_decode(bytes.fromhex(case["cbor"])))
    return f"cbor-deterministic: {len(doc['accept'])} accepted, {len(doc['refuse'])} refused"


def check_v2_vectors(v):
    if v.get("format_version") != 2:
        raise Mismatch("v2: format_version is not 2")
    now, created_at = v["now"], v["created_at"]
    rx, sx = v["receiver"], v["sender"]
    # §1 identities and fingerprints
    for who, party in (("receiver", rx), ("sender", sx)):
        identity = _hex(party["identity"], 32, f"{who}.identity")
        if ed25519_public(_hex(party["identity_seed"], 32, f"{who}.identity_seed")) != identity:
            raise Mismatch(f"{who}: identity is not the public key of identity_seed")
        if fingerprint(identity) != party["fingerprint"]:
            raise Mismatch(f"{who}: fingerprint {party['fingerprint']!r}, computed {fingerprint(identity)!r}")
    receiver_seed = bytes.fromhex(rx["identity_seed"])
    kem_secret = _hex(rx["kem_secret"], 32, "receiver.kem_secret")
    # §2 key QR
    try:
        key = parse_key_text(v["key_text"], now)
    except Refused as e:
        raise Mismatch(f"key_text refused: {e}") from None
    for field, expected in (("identity", bytes.fromhex(rx["identity"])), ("organisation", rx["organisation"]),
                            ("session", _hex(rx["session"], 16, "receiver.session")),
                            ("kem", x25519_public(kem_secret))):
        if key[field] != expected:
            raise Mismatch(f"key_text: {field} is not the receiver's")
    if v["fragment"] != min(key["fragment"], 939):
        raise Mismatch(f"fragment {v['fragment']} is not min(key fragment {key['fragment']}, 939)")
    # §3 envelope and §4 bundle
    envelope, bundle_cbor = bytes.fromhex(v["envelope"]), bytes.fromhex(v["bundle_cbor"])
    try:
        opened = open_envelope(envelope, key, kem_secret, now)
    except Refused as e:
        raise Mismatch(f"envelope refused: {e}") from None
    if opened["sender"] != bytes.fromhex(sx["identity"]) or opened["sender_org"] != sx["organisation"]:
        raise Mismatch("envelope: sender identity or organisation is not the sender's")
    if opened["created_at"] != created_at:
        raise Mismatch("envelope: created_at differs")
    if opened["bundle"] != bundle_cbor:
        raise Mismatch("envelope: bundle bytes differ from bundle_cbor")
    if cbor_encode(opened["case"]) != bundle_cbor:
        raise Mismatch("bundle: re-encoding differs")
    if not same_value(opened["case"], v["bundle"]):
        raise Mismatch("bundle: decoded value differs from the bundle JSON")
    if cbor_encode(v["bundle"]) != bundle_cbor:
        raise Mismatch("bundle: encoding the bundle JSON gives other bytes")
    bundle = v["bundle"]
    if not (isinstance(bundle, dict) and bundle.get("format") == "relais.case" and bundle.get("version") == 1):
        raise Mismatch("bundle: not a relais.case of version 1")
    # §5 ACK
    if _hex(v["envelope_digest"], 32, "envelope_digest") != envelope_digest(envelope):
        raise Mismatch("envelope_digest differs")
    try:
        parse_ack_text(v["ack_text"], key["session"], envelope, key["identity"])
    except Refused as e:
        raise Mismatch(f"ack_text refused: {e}") from None
    # frames
    frames = v["frames"]
    for text in frames:
        try:
            (_, _, f, length, _), _, _ = parse_frame(text)
        except Refused as e:
            raise Mismatch(f"frame refused: {e}") from None
        if f != v["fragment"] or length != len(envelope):
            raise Mismatch("frame: fragment or message length is not the envelope's")
    if rebuild(frames) != envelope:
        raise Mismatch("frames: rebuilt message differs from the envelope")
    rng = random.Random(20240601)
    k = -(-len(envelope) // v["fragment"])
    for _ in range(5):
        shuffled = frames[:]
        rng.shuffle(shuffled)
        shuffled += shuffled[: len(shuffled) // 2]  # duplicates change nothing
        rng.shuffle(shuffled)
        if rebuild(shuffled) != envelope:
            raise Mismatch("frames: rebuilt message (shuffled) differs from the envelope")
    seqs = {parse_frame(t)[1]: t for t in frames}
    if k > 1 and k + 1 in seqs:  # the first repair part (XOR of all) stands in for any one lost fragment
        for lost in range(1, k + 1):
            subset = [t for s, t in seqs.items() if s != lost]
            rng.shuffle(subset)
            if rebuild(subset) != envelope:
                raise Mismatch(f"frames: rebuilt message without part {lost} differs")
    # refusals
    refusals = _refusals(v, key, kem_secret, envelope, receiver_seed, now, frames)
    return (f"v2: key, envelope ({len(envelope)} bytes, bucket {len(opened['plaintext'])}), bundle, ACK, "
            f"{len(frames)} frames (k = {k}) verified; {refusals} tampered inputs refused")


def _flip_char(text, index):
    c = text[index]
    return text[:index] + (BASE45[(BASE45.index(c) + 1) % 45] if c in BASE45 else "0") + text[index + 1 :]


def _refusals(v, key, kem_secret, envelope, receiver_seed, now, frames):
    cases = []
    flipped = bytearray(envelope)
    flipped[-17] ^= 1  # the last byte before the 16-byte Poly1305 tag
    cases.append(("envelope with one ciphertext byte flipped",
                  lambda: open_envelope(bytes(flipped), key, kem_secret, now)))
    cases.append(("envelope with a trailing byte", lambda: open_envelope(envelope + b"\0", key, kem_secret, now)))
    cases.append(("envelope with magic RLE1", lambda: open_envelope(b"RLE1" + envelope[4:], key, kem_secret, now)))
    other = dict(key, session=bytes(16))
    cases.append(("envelope for another session", lambda: open_envelope(envelope, other, kem_secret, now)))
    body = v["key_text"][5:]
    letter = next(i for i, c in enumerate(body) if "A" <= c <= "Z")
    lower = v["key_text"][:5] + body[:letter] + body[letter].lower() + body[letter + 1 :]
    cases.append(("key text with a lowercase Base45 letter", lambda: parse_key_text(lower, now)))
    raw = bytearray(base45_decode(body))
    raw[-1] ^= 1
    bad_sig = "RLK2:" + base45_encode(bytes(raw))
    cases.append(("key text with its signature changed", lambda: parse_key_text(bad_sig, now)))
    cases.append(("key text read after its expiry", lambda: parse_key_text(v["key_text"], key["expiry"] + 1)))
    cases.append(("key text with an RLK1 prefix", lambda: parse_key_text("RLK1:" + body, now)))
    # A man in the middle opens the envelope and re-seals the same signed inner to his own key/session.
    mitm_kem, mitm_session = os.urandom(32), os.urandom(16)
    opened = open_envelope(envelope, key, kem_secret, now)
    resealed = seal_plaintext(opened["plaintext"], mitm_session, x25519_public(mitm_kem))
    mitm_key = dict(key, session=mitm_session, kem=x25519_public(mitm_kem))
    cases.append(("inner re-sealed to another session and key",
                  lambda: open_envelope(resealed, mitm_key, mitm_kem, now)))
    ack_raw = bytearray(base45_decode(v["ack_text"][5:]))
    ack_raw[20] ^= 1
    bad_ack = "RLA2:" + base45_encode(bytes(ack_raw))
    cases.append(("ACK with a digest byte flipped",
                  lambda: parse_ack_text(bad_ack, key["session"], envelope, key["identity"])))
    cases.append(("ACK for another envelope",
                  lambda: parse_ack_text(v["ack_text"], key["session"], bytes(flipped), key["identity"])))
    cases.append(("frame with one character changed", lambda: parse_frame(_flip_char(frames[0], 10))))
    cases.append(("frame with a line end", lambda: parse_frame(frames[0] + "\n")))
    for what, action in cases:
        _expect_refused(what, action)
    return len(cases)


def check_directory(signed, coordinator, what):
    seed, key = _hex(coordinator["seed"], 32, "coordinator seed"), _hex(coordinator["key"], 32, "coordinator key")
    if ed25519_public(seed) != key:
        raise Mismatch("fictitious coordinator: key is not the public key of its seed")
    try:
        signer = verify_signed_directory(signed)
    except Refused as e:
        raise Mismatch(f"{what} refused: {e}") from None
    if signer != key:
        raise Mismatch(f"{what}: signed by {signer.hex()}, not the fictitious coordinator")
    tampered = _tamper_service_name(signed)
    _expect_refused(f"{what} with a service name changed", lambda: verify_signed_directory(tampered))
    return f"{what}: signature verified, tampered copy refused"


def check_all(root):
    root = Path(root)
    allow_missing = os.environ.get("RELAIS_INDEPENDENT_ALLOW_MISSING") == "1"
    lines, missing = [], []

    def load(rel):
        path = root / rel
        if not path.exists():
            missing.append(rel)
            lines.append(f"skipped: {path.name} missing")
            return None
        return json_strict(path.read_text(encoding="utf-8"))

    cbor = load("tests/vectors/handover/cbor-deterministic.json")
    if cbor is not None:
        lines.append(check_cbor_vectors(cbor))
    v2 = load("tests/vectors/handover/v2.json")
    if v2 is not None:
        lines.append(check_v2_vectors(v2))
    coordinator = load("tests/vectors/directory/fictitious-coordinator.json")
    signed = load("tests/vectors/directory/signed-v2.json")
    if coordinator is not None and signed is not None:
        lines.append(check_directory(signed, coordinator, "signed-v2.json"))
    sample = root / "core/data/directory-kwilu-sample.signed.json"
    if coordinator is not None and sample.exists():
        lines.append(check_directory(json_strict(sample.read_text(encoding="utf-8")), coordinator,
                                     "directory-kwilu-sample.signed.json"))
    if missing and not allow_missing:
        raise Mismatch("missing vectors: " + ", ".join(missing) + " (set RELAIS_INDEPENDENT_ALLOW_MISSING=1 to skip)")
    return lines


# ==================================================================================================
# Vectors made by this reader
# ==================================================================================================

SAMPLE_BUNDLE = {
    "format": "relais.case",
    "version": 1,
    "uid": "0f1e2d3c4b5a69788796a5b4c3d2e1f0",
    "status": "Active",
    "created_at": 1799996400,
    "entries": [
        {"kind": "note", "created_at": 1799999940,
         "content": {"text": "Entretien fictif à Kikwit ; personne orientée vers un abri. مثال"}},
        {"kind": "form", "created_at": 1800000000,
         "content": {"form": "consent", "form_version": 2, "language": "fr", "scope": "handover:ONG Exemple",
                     "answers": {"agrees_handover": "yes", "age": 34}, "context": {"place": "Kikwit"},
                     "skipped": [], "result_kind": "consent", "outcome": "valid"}},
    ],
    "referrals": [{"status": "pending", "created_at": 1800000100, "details": {"service": "Abri fictif"}}],
}


def _seed(label):
    return sha256(b"relais independent reader fictitious seed: ", label.encode())


def make_v2_vectors():
    now = 1800000000
    rx_seed, sx_seed, kem_secret = _seed("receiver"), _seed("sender"), _seed("receiver kem")
    session = sha256(b"session")[:16]
    key_text = make_key_text(rx_seed, session, x25519_public(kem_secret), 512, now + 600, "ONG Exemple (fictitious)")
    key = parse_key_text(key_text, now)
    bundle = cbor_encode(SAMPLE_BUNDLE)
    created_at = now + 30
    inner = make_inner(sx_seed, "Association fictive d'Idiofa", created_at, bundle, key)
    envelope = seal_plaintext(make_plaintext(inner), session, key["kem"])
    fragment = min(key["fragment"], 939)
    k = -(-len(envelope) // fragment)
    party = lambda seed, org: {"identity_seed": seed.hex(), "identity": ed25519_public(seed).hex(),  # noqa: E731
                               "fingerprint": fingerprint(ed25519_public(seed)), "organisation": org}
    return {
        "format_version": 2, "now": now, "created_at": created_at,
        "receiver": dict(party(rx_seed, "ONG Exemple (fictitious)"), kem_secret=kem_secret.hex(),
                         session=session.hex()),
        "key_text": key_text,
        "sender": party(sx_seed, "Association fictive d'Idiofa"),
        "bundle": SAMPLE_BUNDLE, "bundle_cbor": bundle.hex(),
        "envelope": envelope.hex(), "envelope_digest": envelope_digest(envelope).hex(),
        "ack_text": make_ack_text(rx_seed, session, envelope),
        "fragment": fragment, "frames": [make_frame(envelope, fragment, s) for s in range(1, k + 4)],
    }


def make_directory_vectors():
    seed = _seed("coordinator")
    coordinator = {"name": "Secrétariat NRM (fictitious, independent reader)", "seed": seed.hex(),
                   "key": ed25519_public(seed).hex()}
    directory = {
        "format": "relais.directory", "schema": 2, "name": "Kwilu (fictitious)", "fictitious": True, "version": 3,
        "issued_at": 1800000000, "coordinator": {"name": coordinator["name"], "key": coordinator["key"]},
        "services": [{"id": "shelter-1", "name": "Abri fictif de Kikwit", "kind": "shelter"}],
        "organisations": [{"id": "ong-1", "name": "ONG Exemple (fictitious)", "area": "Kikwit",
                           "identity": ed25519_public(_seed("receiver")).hex(),
                           "valid_from": 1790000000, "valid_until": 1830000000}],
    }
    return sign_directory(directory, seed), coordinator


def make_cbor_vectors():
    a = lambda name, value: {"name": name, "json": value, "cbor": cbor_encode(value).hex()}  # noqa: E731
    r = lambda name, why, hexa: {"name": name, "why": why, "cbor": hexa}  # noqa: E731
    assert struct.unpack(">f", struct.pack(">f", 100000.0))[0] == 100000.0  # exactly a binary32
    accept = [
        a("keys of different lengths: shorter first, then bytewise", {"b": 1, "aa": 2, "a": 3}),
        a("nested maps, keys of different lengths", {"zz": {"b": [], "aa": {}, "a": {"ccc": 1, "dd": 2, "e": 3}},
                                                      "y": {"10": 0, "9": 1, "": 2}}),
        *[a(f"integer {n}", n) for n in (0, 23, 24, 255, 256, 65535, 65536, 2**32 - 1, 2**32, 2**64 - 1,
                                            -1, -24, -25, -256, -257, -65536, -65537, -2**32, -2**32 - 1, -2**63)],
        a("float 1.5 (binary16)", 1.5), a("float 0.0 (binary16)", 0.0), a("float -0.0 (binary16)", -0.0),
        a("float 1.0 stays a float (binary16)", 1.0), a("float 65504.0 (largest binary16)", 65504.0),
        a("float 5.960464477539063e-08 (smallest binary16 subnormal)", 5.960464477539063e-08),
        a("float 100000.0 (binary32)", 100000.0),
        a("float 3.4028234663852886e+38 (largest binary32)", 3.4028234663852886e38),
        a("float 1.1 (binary64)", 1.1), a("float -4.1 (binary64)", -4.1), a("float 1e300 (binary64)", 1e300),
        a("text French", "Référée à l'abri, été 2025 — ça va"), a("text Arabic", "إحالة إلى مأوى"),
        a("text empty", ""), a("text of 24 bytes (one-byte length)", "x" * 24),
        a("text of 256 bytes (two-byte length)", "é" * 128),
        a("empty array", []), a("empty map", {}), a("true", True), a("false", False), a("null", None),
        a("array of 24 items (one-byte length)", list(range(24))),
        a("32 nested arrays (the depth limit)", json.loads("[" * 32 + "]" * 32)),
        a("case bundle", SAMPLE_BUNDLE),
    ]
    refuse = [
        r("non-shortest integer", "23 in a one-byte argument", "1817"),
        r("non-shortest integer (two bytes)", "255 in a two-byte argument", "1900ff"),
        r("non-shortest integer (four bytes)", "65535 in a four-byte argument", "1a0000ffff"),
        r("non-shortest integer (eight bytes)", "2^32-1 in an eight-byte argument", "1b00000000ffffffff"),
        r("non-shortest negative integer", "-24 in a one-byte argument", "3817"),
        r("non-shortest text length", "\"a\" with a one-byte length", "780161"),
        r("non-shortest array length", "[] with a one-byte length", "9800"),
        r("non-shortest map length", "{} with a two-byte length", "b90000"),
        r("keys in lexicographic, not bytewise order", "{\"aa\":1,\"b\":2} with \"aa\" first", "a262616101616202"),
        r("keys of one length out of order", "{\"b\":1,\"a\":2}", "a2616201616102"),
        r("duplicate keys", "{\"a\":1,\"a\":2}", "a2616101616102"),
        r("indefinite-length array", "[_ 1]", "9f01ff"),
        r("indefinite-length map", "{_ \"a\":1}", "bf616101ff"),
        r("indefinite-length text", "(_ \"a\")", "7f6161ff"),
        r("indefinite-length byte string", "(_ h'00')", "5f4100ff"),
        r("tag", "tag 1 (epoch time) on an integer", "c11a6b49d200"),
        r("tag (bignum)", "tag 2 on a byte string", "c24101"),
        r("undefined", "simple value 23", "f7"),
        r("simple value", "simple value 16", "f0"),
        r("simple value in one byte", "simple value 32 in the one-byte form", "f820"),
        r("float that could be shorter (f64)", "1.5 as binary64", "fb3ff8000000000000"),
        r("float that could be shorter (f32)", "1.5 as binary32", "fa3fc00000"),
        r("float that could be binary32", "100000.0 as binary64", "fb40f86a0000000000"),
        r("NaN", "binary16 NaN", "f97e00"),
        r("NaN (binary64)", "binary64 NaN", "fb7ff8000000000000"),
        r("infinity", "binary16 +infinity", "f97c00"),
        r("trailing bytes", "0 followed by 0", "0000"),
        r("truncated text", "text of 2 bytes with 1 present", "6261"),
        r("truncated argument", "two-byte argument with 1 byte", "1901"),
        r("truncated array", "array of 2 with 1 item", "8201"),
        r("empty input", "no bytes at all", ""),
        r("33 nested arrays", "deeper than 32", "81" * 32 + "80"),
        r("non-text map key (integer)", "{1:2}", "a10102"),
        r("non-text map key (bytes)", "{h'61':1}", "a1416101"),
        r("text not UTF-8", "bytes c3 28", "62c328"),
        r("reserved additional information", "major 0, additional information 28", "1c"),
        r("lone break", "0xff outside an indefinite item", "ff"),
        r("array of more than 100,000 items", "declared length 100,001 (the items are absent too)", "9a000186a1"),
    ]
    return {"description": "RFC 8949 §4.2.1 core deterministic CBOR as docs/handover-format.md requires it, made by "
                           "tests/independent/relais_reader.py (write-cbor-vectors). accept: encoding `json` gives "
                           "`cbor` and decoding `cbor` gives `json` (a JSON float is a CBOR float, a JSON integer a "
                           "CBOR integer); refuse: a strict decoder refuses `cbor`.",
            "accept": accept, "refuse": refuse}


def write_json(path, value):
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(value, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def make_self_vectors(root):
    root = Path(root)
    write_json(root / "tests/vectors/handover/cbor-deterministic.json", make_cbor_vectors())
    write_json(root / "tests/vectors/handover/v2.json", make_v2_vectors())
    signed, coordinator = make_directory_vectors()
    write_json(root / "tests/vectors/directory/signed-v2.json", signed)
    write_json(root / "tests/vectors/directory/fictitious-coordinator.json", coordinator)


def main(argv):
    if len(argv) == 3 and argv[1] == "check-vectors":
        try:
            lines = check_all(argv[2])
        except Exception as e:  # a Mismatch, or a vector of the wrong shape
            print(f"relais_reader: FAIL: {type(e).__name__}: {e}", file=sys.stderr)
            return 1
        for line in lines:
            print(line)
        skipped = sum(line.startswith("skipped:") for line in lines)
        print("relais_reader: all vectors agree" + (f" ({skipped} files skipped)" if skipped else ""))
        return 0
    if len(argv) == 3 and argv[1] == "make-self-vectors":
        make_self_vectors(argv[2])
        return 0
    if len(argv) == 3 and argv[1] == "write-cbor-vectors":
        write_json(argv[2], make_cbor_vectors())
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
