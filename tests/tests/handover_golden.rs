//! Golden vectors of the handover formats (docs/handover-format.md): a receiver key QR, an envelope
//! sealed to it with its receiver secret, the case bundle inside, the SAS and an acknowledgement.
//! Another implementation can check itself against `tests/vectors/handover/v1.json`.
//! Regenerate only when the format changes on purpose:
//! `cargo test -p relais-tests --test handover_golden -- --ignored regenerate`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use ed25519_dalek::SigningKey;
use relais_core::handover::cbor;
use relais_core::handover::envelope::{Ack, Envelope, ReceiverKey};
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

fn path() -> std::path::PathBuf {
    vectors_dir().join("handover/v1.json")
}

const CREATED: i64 = 1_800_000_000;

#[test]
#[ignore = "writes the golden vector"]
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
        "entries": [{"kind": "note", "created_at": CREATED - 60, "content": {"text": "Fictitious golden-vector note."}}],
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
    let ack = Ack::new(&receiver, key.session, env.header.content_hash);
    let v = json!({
        "format": "relais.handover.vectors", "version": 1,
        "now": CREATED,
        "receiver_identity_seed": hex(&[0x52; 32]),
        "sender_identity_seed": hex(&[0x53; 32]),
        "key_qr": key.to_text(),
        "key": {"session": hex(&key.session), "kem_public": hex(&key.kem_public), "max_fragment": key.max_fragment,
                "expires_at": key.expires_at, "receiver": hex(&key.receiver), "organisation": key.organisation},
        "receiver_kem_secret": hex(secret.as_ref()),
        "envelope": hex(&env.to_bytes()),
        "content_hash": hex(&env.header.content_hash),
        "bundle": bundle,
        "bundle_cbor": hex(&bundle_bytes),
        "sas": env.sas(&key.to_text()),
        "ack_qr": ack.to_text(),
    });
    std::fs::write(path(), serde_json::to_string_pretty(&v).unwrap() + "\n").unwrap();
}

fn vector() -> Value {
    serde_json::from_str(&std::fs::read_to_string(path()).unwrap()).unwrap()
}

#[test]
fn the_key_qr_reads_back_with_its_fields() {
    let v = vector();
    let now = v["now"].as_i64().unwrap();
    let key = ReceiverKey::from_text(v["key_qr"].as_str().unwrap(), now).unwrap();
    assert_eq!(hex(&key.session), v["key"]["session"]);
    assert_eq!(hex(&key.kem_public), v["key"]["kem_public"]);
    assert_eq!(hex(&key.receiver), v["key"]["receiver"]);
    assert_eq!(key.organisation, v["key"]["organisation"]);
    assert_eq!(key.expires_at, v["key"]["expires_at"].as_i64().unwrap());
    let receiver = SigningKey::from_bytes(
        &unhex(v["receiver_identity_seed"].as_str().unwrap())
            .try_into()
            .unwrap(),
    );
    assert_eq!(key.receiver, receiver.verifying_key().to_bytes());
}

#[test]
fn the_envelope_verifies_opens_and_holds_the_bundle() {
    let v = vector();
    let env = Envelope::from_bytes(&unhex(v["envelope"].as_str().unwrap())).unwrap();
    let secret: [u8; 32] = unhex(v["receiver_kem_secret"].as_str().unwrap())
        .try_into()
        .unwrap();
    let bundle = env.open(&secret).unwrap();
    assert_eq!(hex(&bundle), v["bundle_cbor"]);
    assert_eq!(cbor::decode(&bundle).unwrap(), v["bundle"]);
    assert_eq!(
        cbor::encode(&v["bundle"]),
        bundle.to_vec(),
        "the bundle encoding is deterministic"
    );
    assert_eq!(hex(&env.header.content_hash), v["content_hash"]);
    assert_eq!(env.sas(v["key_qr"].as_str().unwrap()), v["sas"]);
    let sender = SigningKey::from_bytes(
        &unhex(v["sender_identity_seed"].as_str().unwrap())
            .try_into()
            .unwrap(),
    );
    assert_eq!(env.header.sender, sender.verifying_key().to_bytes());
    let receiver: [u8; 32] = unhex(v["key"]["receiver"].as_str().unwrap())
        .try_into()
        .unwrap();
    let ack = Ack::from_text(v["ack_qr"].as_str().unwrap(), &receiver).unwrap();
    assert_eq!(hex(&ack.content_hash), v["content_hash"]);
}
