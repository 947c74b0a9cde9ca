//! Case handover between two vaults: the receiver checked against the signed directory (or by
//! fingerprint), sealed to it, signed by the sender, imported once, acknowledged; and every refusal
//! leaves both vaults as they were.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

mod common;

use common::{NOW, directory_listing, screened_case, vault};
use ed25519_dalek::SigningKey;
use relais_core::Draft;
use relais_core::effects::ConsentPurpose;
use relais_core::vault::directory::Verification;
use relais_core::vault::handover::SendOptions;
use relais_core::vault::records::EntryKind;
use relais_core::vault::{Vault, VaultError};

fn count(v: &Vault) -> usize {
    v.list_cases().unwrap().len()
}

fn listed() -> SendOptions {
    SendOptions::default()
}

/// Sender and receiver, the receiver listed in the sender's directory (and the sender in the
/// receiver's).
fn listed_pair(dir: &tempfile::TempDir) -> (Vault, Vault) {
    let mut sender = vault(dir, "a.db", "ONG Bomoi");
    let mut receiver = vault(dir, "b.db", "Lisanga");
    let (file, key) = directory_listing(
        &mut [
            ("Maison Lisanga", &mut receiver),
            ("ONG Bomoi", &mut sender),
        ],
        1,
    );
    sender.import_directory(&file, Some(&key)).unwrap();
    receiver.import_directory(&file, Some(&key)).unwrap();
    (sender, receiver)
}

#[test]
fn a_case_travels_once_is_acknowledged_and_the_key_is_destroyed() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sender, mut receiver) = listed_pair(&dir);
    let code = screened_case(&mut sender, Some("Maison Lisanga"));
    let key = receiver.open_receive_session(1000, 10, NOW).unwrap();
    let out = sender
        .send_handover(&code, &key.to_text(), &listed(), NOW + 5)
        .unwrap();
    // A fingerprint typed wrong is refused even for a listed receiver.
    let wrong = SendOptions {
        fingerprint: Some("12345 12345 12345 12345 12345 12345".into()),
        remember: false,
    };
    assert!(matches!(
        sender.send_handover(&code, &key.to_text(), &wrong, NOW + 5),
        Err(VaultError::FingerprintMismatch)
    ));
    // The listed name, never the one in the key QR ("Lisanga").
    assert_eq!(out.receiver.verification, Verification::Listed);
    assert_eq!(out.receiver.organisation, "Maison Lisanga");
    assert_eq!(out.receiver.claimed, "Lisanga");
    let got = receiver.receive_handover(&out.envelope, NOW + 10).unwrap();
    assert!(!got.already_received);
    assert!(got.from.verified);
    assert_eq!(got.from.organisation, "ONG Bomoi");
    let detail = receiver.case(&got.case).unwrap();
    let bundle = detail.imported.unwrap().parse().unwrap();
    assert_eq!(bundle["format"], "relais.case");
    let entries = bundle["entries"].as_array().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e["content"]["text"] == "Dort chez une voisine ZEBRA")
    );
    let interview = entries
        .iter()
        .find(|e| e["content"]["form"] == "interview")
        .unwrap();
    assert_eq!(interview["content"]["outcome"], "possible_trafficking");
    // The answers travel, so the receiver recomputes the full result from the same form version.
    let redone = relais_core::run_draft(&Draft {
        format: "relais.draft".into(),
        schema: 1,
        form: "interview".into(),
        form_version: interview["content"]["form_version"].as_u64().unwrap() as u32,
        language: "en".into(),
        context: serde_json::from_value(interview["content"]["context"].clone()).unwrap(),
        answers: interview["content"]["answers"].as_object().unwrap().clone(),
        skipped: vec![],
        position: None,
    })
    .unwrap();
    assert_eq!(redone.outcome_id(), "possible_trafficking");
    // The receiver's vault holds the entries as its own, the interview rebuilt into its full
    // result (dimensions, explanation), dated when the sender recorded it.
    let sent = sender.case(&code).unwrap();
    let screening = detail
        .entries
        .iter()
        .find(|e| e.kind == EntryKind::Screening)
        .unwrap();
    assert_eq!(screening.content["received"], true);
    assert_eq!(
        screening.content["result"]["outcome"],
        "possible_trafficking"
    );
    assert!(screening.content["result"]["dimensions"].is_object());
    assert_eq!(screening.created_at, sent.entries[0].created_at);
    assert!(
        detail.entries.iter().any(
            |e| e.kind == EntryKind::Note && e.content["text"] == "Dort chez une voisine ZEBRA"
        )
    );
    assert_eq!(
        receiver.list_cases().unwrap()[0].last_outcome.as_deref(),
        Some("possible_trafficking")
    );
    assert!(
        detail
            .entries
            .iter()
            .any(|e| e.content["event"] == "received")
    );
    // The same envelope again: no change, the same acknowledgement.
    let again = receiver.receive_handover(&out.envelope, NOW + 20).unwrap();
    assert!(again.already_received);
    assert_eq!(again.case, got.case);
    assert_eq!(again.ack, got.ack);
    assert_eq!(count(&receiver), 1);
    // The session is used: a new envelope for it is refused (its secret is gone).
    let out2 = sender
        .send_handover(&code, &key.to_text(), &listed(), NOW + 30)
        .unwrap();
    sender.add_note(&code, "a later note").unwrap();
    let out3 = sender
        .send_handover(&code, &key.to_text(), &listed(), NOW + 31)
        .unwrap();
    assert_ne!(out3.envelope, out2.envelope);
    let err = receiver
        .receive_handover(&out3.envelope, NOW + 40)
        .unwrap_err();
    assert!(err.to_string().contains("already used"), "{err}");
    assert_eq!(count(&receiver), 1);
    // An acknowledgement confirms exactly the envelope it was signed for.
    // An acknowledgement is accepted only from the receiver the case was sealed to.
    let err = sender
        .record_ack(&ack_by_a_stranger(&out2.envelope))
        .unwrap_err();
    assert!(err.to_string().contains("signature"), "{err}");
    // …and only for an envelope this device sent (a hash is not enough to be confirmed).
    let session = relais_core::handover::envelope::Envelope::from_bytes(&out3.envelope)
        .unwrap()
        .session;
    let other =
        relais_core::handover::ack::Ack::new(&receiver.identity().unwrap(), session, [7; 32]);
    let err = sender.record_ack(&other.to_text()).unwrap_err();
    assert!(err.to_string().contains("matches no case"), "{err}");
    // The acknowledgement closes the custody on the sender's side; twice changes nothing.
    assert_eq!(sender.record_ack(&got.ack).unwrap(), code);
    assert_eq!(sender.record_ack(&got.ack).unwrap(), code);
    let custody: Vec<String> = sender
        .case(&code)
        .unwrap()
        .entries
        .iter()
        .filter_map(|e| e.content["event"].as_str().map(str::to_string))
        .collect();
    assert_eq!(
        custody.iter().filter(|e| *e == "acknowledged").count(),
        1,
        "{custody:?}"
    );
    let actions: Vec<String> = sender
        .audit_log()
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"handover.send".into()) && actions.contains(&"handover.ack".into()));
    assert!(receiver.check().unwrap().ok && sender.check().unwrap().ok);
}

/// An ACK in the right shape for an envelope the receiver never opened: signed by a stranger.
fn ack_by_a_stranger(envelope: &[u8]) -> String {
    let env = relais_core::handover::envelope::Envelope::from_bytes(envelope).unwrap();
    let stranger = SigningKey::from_bytes(&[0x99; 32]);
    relais_core::handover::ack::Ack::new(&stranger, env.session, env.digest()).to_text()
}

#[test]
fn consent_is_bound_to_the_receiver_as_verified() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sender, mut receiver) = listed_pair(&dir);
    let key = receiver.open_receive_session(1000, 10, NOW).unwrap();
    let none = screened_case(&mut sender, None);
    let err = sender
        .send_handover(&none, &key.to_text(), &listed(), NOW)
        .unwrap_err();
    // The error names the listed organisation, so that the person is asked about that one.
    assert!(
        matches!(&err, VaultError::HandoverConsentRequired(o) if o == "Maison Lisanga"),
        "{err:?}"
    );
    // Consent to the name in the key QR is not consent to the listed organisation.
    let claimed = screened_case(&mut sender, Some("Lisanga"));
    assert!(matches!(
        sender.send_handover(&claimed, &key.to_text(), &listed(), NOW),
        Err(VaultError::HandoverConsentRequired(_))
    ));
    let listed_consent = screened_case(&mut sender, Some("Maison Lisanga"));
    sender
        .send_handover(&listed_consent, &key.to_text(), &listed(), NOW)
        .unwrap();
    assert!(
        sender
            .case(&none)
            .unwrap()
            .entries
            .iter()
            .all(|e| e.content["event"] != "sent")
    );
}

#[test]
fn an_unlisted_receiver_needs_its_fingerprint_compared_before_anything_is_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let mut sender = vault(&dir, "a.db", "ONG Bomoi");
    let mut receiver = vault(&dir, "b.db", "Maison Lisanga");
    let (_, fingerprint) = receiver.identity_public().unwrap();
    let target = format!("Maison Lisanga ({fingerprint})");
    let key = receiver.open_receive_session(1000, 10, NOW).unwrap();
    let check = sender.check_receiver(&key.to_text(), NOW).unwrap();
    assert_eq!(check.verification, Verification::NotVerified);
    assert_eq!(check.fingerprint, fingerprint);
    assert_eq!(check.consent_target(), target);
    let code = screened_case(&mut sender, Some(&target));
    let audit = sender.audit_log().unwrap().len();
    // No fingerprint: refused, naming the fingerprint to compare.
    let err = sender
        .send_handover(&code, &key.to_text(), &listed(), NOW)
        .unwrap_err();
    assert!(
        matches!(&err, VaultError::ReceiverNotVerified { fingerprint: f, .. } if *f == fingerprint),
        "{err:?}"
    );
    // A different fingerprint (another device's screen): refused.
    let (_, other) = vault(&dir, "c.db", "x").identity_public().unwrap();
    let wrong = SendOptions {
        fingerprint: Some(other),
        remember: true,
    };
    assert!(matches!(
        sender.send_handover(&code, &key.to_text(), &wrong, NOW),
        Err(VaultError::FingerprintMismatch)
    ));
    // Nothing was sealed, nothing remembered: no custody record, only the refusal audited.
    assert!(
        sender
            .case(&code)
            .unwrap()
            .entries
            .iter()
            .all(|e| e.kind != EntryKind::Custody)
    );
    assert!(sender.pinned_receivers().unwrap().is_empty());
    assert_eq!(sender.audit_log().unwrap().len(), audit + 1);
    // Consent to the name alone, or the case consent form, does not cover an unlisted receiver.
    let by_name = screened_case(&mut sender, Some("Maison Lisanga"));
    let typed = SendOptions {
        fingerprint: Some(fingerprint.replace(' ', "")),
        remember: true,
    };
    assert!(matches!(
        sender.send_handover(&by_name, &key.to_text(), &typed, NOW),
        Err(VaultError::HandoverConsentRequired(t)) if t == target
    ));
    // The fingerprint compared in full, and consent naming it: sent, and remembered.
    let out = sender
        .send_handover(&code, &key.to_text(), &typed, NOW)
        .unwrap();
    assert_eq!(out.receiver.verification, Verification::NotVerified);
    let got = receiver.receive_handover(&out.envelope, NOW + 1).unwrap();
    assert!(
        !got.from.verified,
        "the sender is in no directory of the receiver"
    );
    assert_eq!(got.from.fingerprint, sender.identity_public().unwrap().1);
    // Next time it is shown as verified by this device, and needs no fingerprint.
    let key2 = receiver.open_receive_session(1000, 10, NOW + 100).unwrap();
    let check = sender.check_receiver(&key2.to_text(), NOW + 100).unwrap();
    assert_eq!(check.verification, Verification::Pinned);
    assert_eq!(check.pinned_at, Some(NOW));
    sender
        .send_handover(&code, &key2.to_text(), &listed(), NOW + 100)
        .unwrap();
    sender.unpin_receiver(&fingerprint).unwrap();
    assert_eq!(
        sender
            .check_receiver(&key2.to_text(), NOW + 100)
            .unwrap()
            .verification,
        Verification::NotVerified
    );
}

#[test]
fn refusals_leave_the_receiver_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sender, mut receiver) = listed_pair(&dir);
    let mut stranger = vault(&dir, "c.db", "Maison Lisanga");
    let (_, stranger_fp) = stranger.identity_public().unwrap();
    let code = screened_case(&mut sender, Some("Maison Lisanga"));
    sender
        .record_consent(
            &code,
            ConsentPurpose::Handover,
            &format!("handover:Maison Lisanga ({stranger_fp})"),
        )
        .unwrap();
    let key = receiver.open_receive_session(1000, 10, NOW).unwrap();
    let strangers_key = stranger.open_receive_session(1000, 10, NOW).unwrap();
    let envelope = sender
        .send_handover(&code, &key.to_text(), &listed(), NOW)
        .unwrap()
        .envelope;
    let compared = SendOptions {
        fingerprint: Some(stranger_fp),
        remember: false,
    };
    let for_stranger = sender
        .send_handover(&code, &strangers_key.to_text(), &compared, NOW)
        .unwrap()
        .envelope;
    let audit_before = receiver.audit_log().unwrap().len();

    // Sealed for another receiver.
    let err = receiver.receive_handover(&for_stranger, NOW).unwrap_err();
    assert!(err.to_string().contains("another receiver"), "{err}");
    // Tampered anywhere, truncated, random bytes, empty.
    for i in (0..envelope.len()).step_by(97) {
        let mut bad = envelope.clone();
        bad[i] ^= 0x20;
        assert!(receiver.receive_handover(&bad, NOW).is_err(), "byte {i}");
    }
    assert!(
        receiver
            .receive_handover(&envelope[..envelope.len() / 2], NOW)
            .is_err()
    );
    assert!(
        receiver
            .receive_handover(b"\x00\x01\x02random", NOW)
            .is_err()
    );
    assert!(receiver.receive_handover(b"", NOW).is_err());
    // Expired.
    let err = receiver
        .receive_handover(&envelope, NOW + 11 * 60)
        .unwrap_err();
    assert!(err.to_string().contains("expired"), "{err}");
    // Nothing changed: no case, no session used, no audit entry.
    assert_eq!(count(&receiver), 0);
    assert_eq!(receiver.audit_log().unwrap().len(), audit_before);
    // And the genuine envelope still goes through afterwards (within its time).
    receiver.receive_handover(&envelope, NOW + 60).unwrap();
    assert_eq!(count(&receiver), 1);
}

#[test]
fn a_forged_or_expired_key_qr_is_refused_by_the_sender() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sender, mut receiver) = listed_pair(&dir);
    let code = screened_case(&mut sender, Some("Maison Lisanga"));
    let key = receiver.open_receive_session(1000, 10, NOW).unwrap();
    assert!(
        sender
            .send_handover(&code, &key.to_text(), &listed(), NOW + 11 * 60)
            .is_err(),
        "expired"
    );
    let mut text = key.to_text();
    text.replace_range(10..11, if &text[10..11] == "A" { "B" } else { "A" });
    assert!(
        sender.send_handover(&code, &text, &listed(), NOW).is_err(),
        "altered"
    );
    assert!(
        sender
            .send_handover(&code, "RL1:not a key", &listed(), NOW)
            .is_err()
    );
    let err = sender
        .send_handover(&code, "RLK1:ABCD", &listed(), NOW)
        .unwrap_err();
    assert!(err.to_string().contains("older Relais"), "{err}");
    assert!(
        sender
            .case(&code)
            .unwrap()
            .entries
            .iter()
            .all(|e| e.kind != EntryKind::Custody)
    );
}

#[test]
fn control_characters_in_a_received_note_are_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let (mut sender, mut receiver) = listed_pair(&dir);
    let key = receiver.open_receive_session(1000, 10, NOW).unwrap();
    // A sender's Relais would refuse such a note; a hostile sender crafts the bundle itself.
    let bundle = serde_json::json!({
        "format": "relais.case", "version": 1, "uid": "00112233445566778899aabbccddeeff",
        "status": "Active", "created_at": NOW - 60,
        "entries": [{"kind": "note", "created_at": NOW - 30, "content": {"text": "a\u{1b}[2Jb\u{0}c\nd"}}],
        "referrals": []
    });
    let env = relais_core::handover::envelope::Envelope::seal(
        &relais_core::handover::cbor::encode(&bundle),
        &key,
        &sender.identity().unwrap(),
        "ONG Bomoi",
        NOW,
    )
    .unwrap();
    let got = receiver.receive_handover(&env.to_bytes(), NOW + 1).unwrap();
    let note = receiver
        .case(&got.case)
        .unwrap()
        .entries
        .into_iter()
        .find(|e| e.kind == EntryKind::Note)
        .unwrap();
    assert_eq!(note.content["text"], "a\u{fffd}[2Jb\u{fffd}c\nd");
}
