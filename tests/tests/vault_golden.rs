//! The vault schema's golden vector: a vault written by schema 1 (`tests/vectors/vault/v1.db`, made
//! with the fast test KDF and a known passphrase) must open and read exactly the same in every later
//! version. Regenerate only when the format changes on purpose (and bump the schema):
//! `cargo test -p relais-tests --test vault_golden -- --ignored regenerate`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::path::PathBuf;

use relais_core::effects::{ConsentPurpose, Priority};
use relais_core::vault::crypto::KdfParams;
use relais_core::vault::records::{NewReferral, ReferralStatus};
use relais_core::vault::{CaseStatus, NoPlatformSecret, Vault, VaultError, VaultOptions};
use relais_core::{Draft, run_draft};
use relais_tests::vectors_dir;
use serde_json::{Value, json};

const PASS: &str = "golden vector passphrase";

fn golden() -> PathBuf {
    vectors_dir().join("vault/v1.db")
}

fn expected() -> Value {
    serde_json::from_str(
        &std::fs::read_to_string(vectors_dir().join("vault/v1.expected.json")).unwrap(),
    )
    .unwrap()
}

/// A copy to open: unlocking writes (the audit log, the WAL), and the vector must stay as it is.
fn copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    std::fs::copy(golden(), &path).unwrap();
    (dir, path)
}

#[test]
#[ignore = "writes the golden vector"]
fn regenerate() {
    let _ = std::fs::remove_file(golden());
    let options = VaultOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        ..VaultOptions::default()
    };
    let mut v = Vault::create(&golden(), PASS, &NoPlatformSecret, options).unwrap();
    let a = v.create_case().unwrap();
    v.add_note(&a, "Note du dossier A : revoir mardi").unwrap();
    let draft_path = vectors_dir().join("screen/interview-fr-adult-djibouti-domestic.draft.json");
    let draft = Draft::from_json(&std::fs::read_to_string(draft_path).unwrap()).unwrap();
    v.save_result(&a, &draft, &run_draft(&draft).unwrap())
        .unwrap();
    v.record_consent(&a, ConsentPurpose::Referral, "referral:kk-hgr-01")
        .unwrap();
    let r = v
        .create_referral(
            &a,
            NewReferral {
                service_id: "kk-hgr-01".into(),
                organisation: "[FICTIF] Hôpital".into(),
                service: "Urgences".into(),
                categories: vec!["health".into()],
                priority: Priority::Emergency,
                reason: "blessure au pied".into(),
                override_reason: None,
            },
        )
        .unwrap();
    v.set_referral_status(&r, ReferralStatus::Sent, None)
        .unwrap();
    let record = serde_json::value::RawValue::from_string(
        r#"{"from":"another device","notes":["importé"]}"#.into(),
    )
    .unwrap();
    let b = v.import_case(&record).unwrap();
    v.set_case_status(&b, CaseStatus::FollowUp).unwrap();
    drop(v);
    let expected = json!({
        "passphrase": PASS,
        "schema": 1,
        "cases": { "A": a, "B": b },
        "note": "Note du dossier A : revoir mardi",
        "outcome": "possible_trafficking",
        "referral": { "id": r, "status": "sent", "reason": "blessure au pied" },
        "imported": {"from": "another device", "notes": ["importé"]},
    });
    std::fs::write(
        vectors_dir().join("vault/v1.expected.json"),
        serde_json::to_string_pretty(&expected).unwrap(),
    )
    .unwrap();
}

#[test]
fn a_schema_1_vault_opens_and_reads_the_same() {
    let e = expected();
    let (_dir, path) = copy();
    let v = Vault::unlock(&path, PASS, &NoPlatformSecret).unwrap();
    let report = v.check().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!((report.cases, report.entries, report.referrals), (2, 3, 1));
    let a = e["cases"]["A"].as_str().unwrap();
    let b = e["cases"]["B"].as_str().unwrap();
    let mut codes: Vec<String> = v
        .list_cases()
        .unwrap()
        .into_iter()
        .filter_map(|c| c.id)
        .collect();
    codes.sort();
    let mut want = vec![a.to_string(), b.to_string()];
    want.sort();
    assert_eq!(codes, want);
    let da = v.case(a).unwrap();
    assert_eq!(da.status, CaseStatus::Active);
    assert_eq!(da.entries[0].content["text"], e["note"]);
    assert_eq!(da.entries[1].content["result"]["outcome"], e["outcome"]);
    // The result stored by the first rules still reads as a result and displays as it was made:
    // it is not recomputed (its tags say which catalogue and rules made it).
    let stored: relais_core::FormResult =
        serde_json::from_value(da.entries[1].content["result"].clone()).unwrap();
    let relais_core::FormResult::Interview(r) = &stored else {
        panic!("not an interview result")
    };
    assert_eq!(r.rules, "ilo-ec-2009-rules@1");
    assert_eq!(r.catalogue, "ilo-ec-2009-labour@1");
    assert!(r.protocol.is_none() && r.completeness.is_none() && r.triage.is_empty());
    assert!(!stored.explanation().is_empty());
    assert_eq!(da.referrals[0].id, e["referral"]["id"].as_str().unwrap());
    assert_eq!(da.referrals[0].status, ReferralStatus::Sent);
    assert_eq!(
        da.referrals[0].details.reason,
        e["referral"]["reason"].as_str().unwrap()
    );
    let db = v.case(b).unwrap();
    assert_eq!(db.status, CaseStatus::FollowUp);
    let imported: Value = db.imported.unwrap().parse().unwrap();
    assert_eq!(imported, e["imported"]);
    assert!(v.verify_audit().unwrap().broken.is_empty());
}

#[test]
fn the_golden_vault_refuses_a_wrong_passphrase_and_holds_no_plaintext() {
    let (_dir, path) = copy();
    assert!(matches!(
        Vault::unlock(&path, "not the passphrase", &NoPlatformSecret),
        Err(VaultError::WrongPassphrase { remaining: 9 })
    ));
    let bytes = std::fs::read(golden()).unwrap();
    let e = expected();
    for needle in [
        e["cases"]["A"].as_str().unwrap(),
        "revoir mardi",
        "blessure",
        "another device",
        "possible_trafficking",
    ] {
        assert!(
            !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
            "{needle}"
        );
    }
}
