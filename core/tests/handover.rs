//! Case handover between two vaults: sealed to the receiver, signed by the sender, imported once,
//! acknowledged; and every refusal leaves the receiver's vault as it was.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::path::Path;

use relais_core::effects::ConsentPurpose;
use relais_core::vault::crypto::KdfParams;
use relais_core::vault::records::EntryKind;
use relais_core::vault::{NoPlatformSecret, Vault, VaultError, VaultOptions};
use relais_core::{Draft, run_draft};

const NOW: i64 = 1_800_000_000;

fn vault(dir: &tempfile::TempDir, name: &str, org: &str) -> Vault {
    let options = VaultOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        ..VaultOptions::default()
    };
    let mut v = Vault::create(
        &dir.path().join(name),
        "correct horse 42",
        &NoPlatformSecret,
        options,
    )
    .unwrap();
    v.set_organisation(org).unwrap();
    v
}

fn screened_case(v: &mut Vault, consent_for: Option<&str>) -> String {
    let code = v.create_case().unwrap();
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors/screen/interview-fr-child-kikwit-domestic-market.draft.json");
    let draft = Draft::from_json(&std::fs::read_to_string(p).unwrap()).unwrap();
    v.save_result(&code, &draft, &run_draft(&draft).unwrap())
        .unwrap();
    v.add_note(&code, "Dort chez une voisine ZEBRA").unwrap();
    if let Some(org) = consent_for {
        v.record_consent(&code, ConsentPurpose::Handover, &format!("handover:{org}"))
            .unwrap();
    }
    code
}

fn count(v: &Vault) -> usize {
    v.list_cases().unwrap().len()
}

#[test]
fn a_case_travels_once_is_acknowledged_and_the_key_is_destroyed() {
    let dir = tempfile::tempdir().unwrap();
    let mut sender = vault(&dir, "a.db", "ONG Bomoi");
    let mut receiver = vault(&dir, "b.db", "Maison Lisanga");
    let code = screened_case(&mut sender, Some("Maison Lisanga"));
    let key = receiver.open_receive_session(1000, 10, NOW).unwrap();
    let out = sender
        .send_handover(&code, &key.to_text(), NOW + 5)
        .unwrap();
    assert_eq!(out.receiver_organisation, "Maison Lisanga");
    let got = receiver.receive_handover(&out.envelope, NOW + 10).unwrap();
    assert!(!got.already_received);
    assert_eq!(got.sas, out.sas, "both screens show the same code");
    assert_eq!(got.from_organisation, "ONG Bomoi");
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
    // The same envelope again: no change.
    let again = receiver.receive_handover(&out.envelope, NOW + 20).unwrap();
    assert!(again.already_received);
    assert_eq!(again.case, got.case);
    assert_eq!(count(&receiver), 1);
    // The session is used: a new envelope for it is refused (its secret is gone).
    let out2 = sender.send_handover(&code, &key.to_text(), NOW + 30);
    let out2 = out2.unwrap();
    sender.add_note(&code, "a later note").unwrap();
    let out3 = sender
        .send_handover(&code, &key.to_text(), NOW + 31)
        .unwrap();
    assert_ne!(out3.envelope, out2.envelope);
    let err = receiver
        .receive_handover(&out3.envelope, NOW + 40)
        .unwrap_err();
    assert!(err.to_string().contains("already used"), "{err}");
    assert_eq!(count(&receiver), 1);
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

#[test]
fn consent_is_checked_before_anything_is_sealed() {
    let dir = tempfile::tempdir().unwrap();
    let mut sender = vault(&dir, "a.db", "ONG Bomoi");
    let mut receiver = vault(&dir, "b.db", "Maison Lisanga");
    let key = receiver.open_receive_session(1000, 10, NOW).unwrap();
    let none = screened_case(&mut sender, None);
    let err = sender
        .send_handover(&none, &key.to_text(), NOW)
        .unwrap_err();
    assert!(err.to_string().contains("consented"), "{err}");
    // The error names the organisation of the key, so that the person can be asked about it.
    assert!(
        matches!(&err, VaultError::HandoverConsentRequired(o) if o == "Maison Lisanga"),
        "{err:?}"
    );
    let elsewhere = screened_case(&mut sender, Some("Another organisation"));
    assert!(
        matches!(
            sender.send_handover(&elsewhere, &key.to_text(), NOW),
            Err(VaultError::HandoverConsentRequired(_))
        ),
        "consent for another receiver"
    );
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
fn refusals_leave_the_receiver_unchanged() {
    let dir = tempfile::tempdir().unwrap();
    let mut sender = vault(&dir, "a.db", "ONG Bomoi");
    let mut receiver = vault(&dir, "b.db", "Maison Lisanga");
    let mut stranger = vault(&dir, "c.db", "Maison Lisanga");
    let code = screened_case(&mut sender, Some("Maison Lisanga"));
    let key = receiver.open_receive_session(1000, 10, NOW).unwrap();
    let strangers_key = stranger.open_receive_session(1000, 10, NOW).unwrap();
    let envelope = sender
        .send_handover(&code, &key.to_text(), NOW)
        .unwrap()
        .envelope;
    let for_stranger = sender
        .send_handover(&code, &strangers_key.to_text(), NOW)
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
    let mut sender = vault(&dir, "a.db", "ONG Bomoi");
    let mut receiver = vault(&dir, "b.db", "Maison Lisanga");
    let code = screened_case(&mut sender, Some("Maison Lisanga"));
    let key = receiver.open_receive_session(1000, 10, NOW).unwrap();
    assert!(
        sender
            .send_handover(&code, &key.to_text(), NOW + 11 * 60)
            .is_err(),
        "expired"
    );
    let mut text = key.to_text();
    text.replace_range(10..11, if &text[10..11] == "A" { "B" } else { "A" });
    assert!(sender.send_handover(&code, &text, NOW).is_err(), "altered");
    assert!(sender.send_handover(&code, "RL1:not a key", NOW).is_err());
}
