//! Golden vectors of the handover formats, version 2 (docs/handover-format.md) and of the signed
//! directory (docs/directory.md): a receiver key QR, an envelope sealed to it with the receiver's
//! secret, the case bundle inside, the ACK, the frames; signed directories, good and refused.
//! `tests/independent/relais_reader.py` checks the same files without the Rust code.
//! Regenerate only when a format changes on purpose:
//! `cargo test -p relais-tests --test handover_golden -- --ignored regenerate`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use ed25519_dalek::SigningKey;
use relais_core::handover::ack::Ack;
use relais_core::handover::cbor;
use relais_core::handover::envelope::{Envelope, HandoverError};
use relais_core::handover::fingerprint::fingerprint;
use relais_core::handover::fountain::{Collector, Encoder, Received, loop_length};
use relais_core::handover::key::ReceiverKey;
use relais_core::referral::Directory;
use relais_core::referral::directory::ListedOrganisation;
use relais_core::referral::signed::{self, SignedDirectoryError};
use relais_tests::vectors_dir;
use serde_json::{Value, json};

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

fn seed(v: &Value) -> SigningKey {
    SigningKey::from_bytes(&unhex(v.as_str().unwrap()).try_into().unwrap())
}

fn read(name: &str) -> Value {
    let text = std::fs::read_to_string(vectors_dir().join(name)).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn write(name: &str, v: &Value) {
    std::fs::write(
        vectors_dir().join(name),
        serde_json::to_string_pretty(v).unwrap() + "\n",
    )
    .unwrap();
}

const CREATED: i64 = 1_800_000_000;

/// A small directory listing the golden receiver, for the directory vectors.
fn golden_directory(receiver: &SigningKey, version: u64) -> Directory {
    let mut d = Directory::sample_kwilu().clone();
    d.name = "Golden-vector directory (fictitious)".into();
    d.services.truncate(2);
    d.version = version;
    d.organisations = vec![ListedOrganisation {
        id: "org-golden".into(),
        name: "Maison Lisanga (fictitious)".into(),
        area: "Kwilu/Kikwit".into(),
        identity: hex(&receiver.verifying_key().to_bytes()),
        valid_from: CREATED - 86_400,
        valid_until: CREATED + 365 * 86_400,
    }];
    d
}

#[test]
#[ignore = "writes the golden vectors"]
fn regenerate() {
    let receiver = SigningKey::from_bytes(&[0x52; 32]);
    let sender = SigningKey::from_bytes(&[0x53; 32]);
    let (key, secret) = ReceiverKey::generate(
        &receiver,
        "Maison Lisanga (fictitious)",
        1000,
        CREATED + 600,
    )
    .unwrap();
    let bundle = json!({
        "format": "relais.case", "version": 1, "uid": "00112233445566778899aabbccddeeff",
        "status": "Active", "created_at": CREATED - 3600,
        "entries": [{"kind": "note", "created_at": CREATED - 60, "content": {"text": "Fictitious golden-vector note: près de Kikwit."}}],
        "referrals": []
    });
    let bundle_bytes = cbor::encode(&bundle);
    let env = Envelope::seal(
        &bundle_bytes,
        &key,
        &sender,
        "ONG Bomoi (fictitious)",
        CREATED,
    )
    .unwrap();
    let ack = Ack::new(&receiver, key.session, env.digest());
    let encoder = Encoder::new(&env.to_bytes(), key.fragment()).unwrap();
    let frames: Vec<String> = encoder
        .parts(loop_length(encoder.k()))
        .iter()
        .map(|p| p.to_text())
        .collect();
    write(
        "handover/v2.json",
        &json!({
            "format": "relais.handover.vectors", "format_version": 2,
            "now": CREATED, "created_at": CREATED,
            "receiver": {
                "identity_seed": hex(&[0x52; 32]),
                "identity": hex(&receiver.verifying_key().to_bytes()),
                "fingerprint": fingerprint(&receiver.verifying_key().to_bytes()),
                "organisation": key.organisation,
                "kem_secret": hex(secret.as_ref()),
                "session": hex(&key.session),
            },
            "key_text": key.to_text(),
            "sender": {
                "identity_seed": hex(&[0x53; 32]),
                "identity": hex(&sender.verifying_key().to_bytes()),
                "fingerprint": fingerprint(&sender.verifying_key().to_bytes()),
                "organisation": "ONG Bomoi (fictitious)",
            },
            "bundle": bundle,
            "bundle_cbor": hex(&bundle_bytes),
            "envelope": hex(&env.to_bytes()),
            "envelope_digest": hex(&env.digest()),
            "ack_text": ack.to_text(),
            "fragment": key.fragment(),
            "frames": frames,
        }),
    );
    // The directories: the fictitious coordinator (public seed), a good one, an older one, one
    // signed by another key, and one altered after signing.
    let coordinator = signed::fictitious_coordinator();
    let organisations: Vec<Value> = signed::sample()
        .directory
        .organisations
        .iter()
        .map(|o| json!({"name": o.name, "identity": o.identity}))
        .collect();
    write(
        "directory/fictitious-coordinator.json",
        &json!({
            "name": "Secrétariat NRM du Kwilu (fictif)",
            "seed": hex(&coordinator.to_bytes()),
            "key": hex(&coordinator.verifying_key().to_bytes()),
            "seed_rule": "SHA-256(\"relais fictitious coordinator: Kwilu sample, not a real key\")",
            "organisation_seed_rule": "SHA-256(\"relais fictitious organisation: \" ‖ name as in the sample spreadsheet)",
            "organisations": organisations,
        }),
    );
    let name = "Secrétariat NRM du Kwilu (fictif)";
    let good = signed::sign(
        &golden_directory(&receiver, 2),
        &coordinator,
        name,
        2,
        CREATED,
    )
    .unwrap();
    let older = signed::sign(
        &golden_directory(&receiver, 1),
        &coordinator,
        name,
        1,
        CREATED - 86_400,
    )
    .unwrap();
    let other = SigningKey::from_bytes(&[0x66; 32]);
    let impostor = signed::sign(&golden_directory(&other, 3), &other, name, 3, CREATED).unwrap();
    let tampered = good.replacen(
        "Maison Lisanga (fictitious)",
        "Maison Lisanga (fictitious) ",
        1,
    );
    for (file, text) in [
        ("signed-v2.json", &good),
        ("signed-v1-older.json", &older),
        ("refused-other-signer.json", &impostor),
        ("refused-tampered.json", &tampered),
    ] {
        std::fs::write(vectors_dir().join("directory").join(file), text).unwrap();
    }
}

fn vector() -> Value {
    read("handover/v2.json")
}

#[test]
fn the_key_qr_reads_back_with_its_fields_and_fingerprint() {
    let v = vector();
    let now = v["now"].as_i64().unwrap();
    let key = ReceiverKey::from_text(v["key_text"].as_str().unwrap(), now).unwrap();
    let r = &v["receiver"];
    assert_eq!(hex(&key.session), r["session"]);
    assert_eq!(hex(&key.receiver), r["identity"]);
    assert_eq!(key.organisation, r["organisation"]);
    assert_eq!(
        key.receiver,
        seed(&r["identity_seed"]).verifying_key().to_bytes()
    );
    assert_eq!(fingerprint(&key.receiver), r["fingerprint"]);
    assert_eq!(key.fragment(), v["fragment"].as_u64().unwrap() as usize);
}

#[test]
fn the_envelope_opens_verifies_and_holds_the_bundle() {
    let v = vector();
    let now = v["now"].as_i64().unwrap();
    let key = ReceiverKey::parse(v["key_text"].as_str().unwrap()).unwrap();
    let env = Envelope::from_bytes(&unhex(v["envelope"].as_str().unwrap())).unwrap();
    let secret: [u8; 32] = unhex(v["receiver"]["kem_secret"].as_str().unwrap())
        .try_into()
        .unwrap();
    let opened = env.open(&key, &secret, now).unwrap();
    assert_eq!(hex(&opened.bundle), v["bundle_cbor"]);
    assert_eq!(cbor::decode(&opened.bundle).unwrap(), v["bundle"]);
    assert_eq!(cbor::encode(&v["bundle"]), opened.bundle.to_vec());
    assert_eq!(opened.created_at, v["created_at"].as_i64().unwrap());
    assert_eq!(opened.organisation, v["sender"]["organisation"]);
    assert_eq!(
        opened.sender,
        seed(&v["sender"]["identity_seed"])
            .verifying_key()
            .to_bytes()
    );
    assert_eq!(hex(&env.digest()), v["envelope_digest"]);
    let ack = Ack::from_text(v["ack_text"].as_str().unwrap()).unwrap();
    assert_eq!(hex(&ack.digest), v["envelope_digest"]);
    ack.verify(&key.receiver).unwrap();
    // This build produces the same layout: a fresh seal of the same bundle opens the same way.
    let again = Envelope::seal(
        &opened.bundle,
        &key,
        &seed(&v["sender"]["identity_seed"]),
        "ONG Bomoi (fictitious)",
        now,
    )
    .unwrap();
    assert_eq!(
        again.to_bytes().len(),
        env.to_bytes().len(),
        "same bucket, same length"
    );
}

#[test]
fn the_frames_rebuild_the_envelope_in_any_order() {
    let v = vector();
    let mut frames: Vec<&str> = v["frames"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.as_str().unwrap())
        .collect();
    frames.reverse();
    let mut c = Collector::new();
    let mut got = None;
    for f in frames {
        if let Ok(Received::Complete { message, .. }) = c.receive_text(f) {
            got = Some(message);
        }
    }
    assert_eq!(hex(&got.unwrap()), v["envelope"]);
}

#[test]
fn format_1_keys_envelopes_and_acks_are_refused_by_name() {
    let v1 = read("handover/v1.json");
    assert!(matches!(
        ReceiverKey::from_text(v1["key_qr"].as_str().unwrap(), v1["now"].as_i64().unwrap()),
        Err(HandoverError::OldFormat { version: 1, .. })
    ));
    assert!(matches!(
        Envelope::from_bytes(&unhex(v1["envelope"].as_str().unwrap())),
        Err(HandoverError::OldFormat { version: 1, .. })
    ));
    assert!(matches!(
        Ack::from_text(v1["ack_qr"].as_str().unwrap()),
        Err(HandoverError::OldFormat { version: 1, .. })
    ));
}

#[test]
fn the_cbor_of_an_independent_deterministic_encoder_is_accepted_exactly() {
    // Written by tests/independent/relais_reader.py's own encoder (RFC 8949 §4.2.1).
    let v = read("handover/cbor-deterministic.json");
    let accept = v["accept"].as_array().unwrap();
    assert!(accept.len() >= 20);
    for case in accept {
        let bytes = unhex(case["cbor"].as_str().unwrap());
        let decoded = cbor::decode(&bytes).unwrap_or_else(|e| panic!("{}: {e}", case["name"]));
        assert_eq!(decoded, case["json"], "{}", case["name"]);
        assert_eq!(
            hex(&cbor::encode(&case["json"])),
            case["cbor"],
            "{}",
            case["name"]
        );
    }
    let refuse = v["refuse"].as_array().unwrap();
    assert!(refuse.len() >= 15);
    for case in refuse {
        let bytes = unhex(case["cbor"].as_str().unwrap());
        assert!(
            cbor::decode(&bytes).is_err(),
            "{} accepted: {}",
            case["name"],
            case["why"]
        );
    }
}

fn directory_file(name: &str) -> String {
    std::fs::read_to_string(vectors_dir().join("directory").join(name)).unwrap()
}

#[test]
fn signed_directories_verify_and_forgeries_are_refused() {
    let c = read("directory/fictitious-coordinator.json");
    let key: [u8; 32] = unhex(c["key"].as_str().unwrap()).try_into().unwrap();
    assert_eq!(seed(&c["seed"]).verifying_key().to_bytes(), key);
    assert_eq!(
        signed::fictitious_coordinator().verifying_key().to_bytes(),
        key
    );
    let good = signed::verify(&directory_file("signed-v2.json"), Some(&key)).unwrap();
    assert_eq!(good.directory.version, 2);
    assert_eq!(good.directory.organisations.len(), 1);
    assert_eq!(
        signed::verify(&directory_file("refused-tampered.json"), Some(&key)),
        Err(SignedDirectoryError::BadSignature)
    );
    assert!(matches!(
        signed::verify(&directory_file("refused-other-signer.json"), Some(&key)),
        Err(SignedDirectoryError::OtherCoordinator(_))
    ));
    assert_eq!(
        signed::verify(&directory_file("signed-v1-older.json"), Some(&key))
            .unwrap()
            .directory
            .version,
        1
    );
    for o in c["organisations"].as_array().unwrap() {
        let id = signed::fictitious_identity(o["name"].as_str().unwrap());
        assert_eq!(hex(&id.verifying_key().to_bytes()), o["identity"]);
    }
}
