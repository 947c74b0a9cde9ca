//! The attack of format 1, played against format 2 (docs/handover-format.md §1): a man in the
//! middle shows his own key QR under the receiving organisation's name, hopes the case is sealed to
//! him, re-seals it to the real receiver, and grinds for matching codes. Each step fails.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

mod common;

use common::{NOW, directory_listing, screened_case, vault};
use ed25519_dalek::SigningKey;
use relais_core::effects::ConsentPurpose;
use relais_core::handover::fingerprint::{fingerprint, matches};
use relais_core::handover::wire::sha256;
use relais_core::vault::directory::Verification;
use relais_core::vault::handover::SendOptions;
use relais_core::vault::records::EntryKind;
use relais_core::vault::{Vault, VaultError};

/// A screened case whose consent record has this scope.
fn case_with_consent(v: &mut Vault, scope: &str) -> String {
    screened_case(v, Some(scope.trim_start_matches("handover:")))
}

fn no_custody(v: &Vault, code: &str) -> bool {
    v.case(code)
        .unwrap()
        .entries
        .iter()
        .all(|e| e.kind != EntryKind::Custody)
}

#[test]
fn a_man_in_the_middle_with_the_receivers_name_gets_no_case_sealed_to_him() {
    let dir = tempfile::tempdir().unwrap();
    let mut sender = vault(&dir, "sender.db", "ONG Bomoi");
    let mut real = vault(&dir, "real.db", "Maison Lisanga");
    let mut attacker = vault(&dir, "attacker.db", "Maison Lisanga");
    // The NRM directory lists the real receiver and the sender; both devices imported it.
    let (file, ckey) = directory_listing(
        &mut [("Maison Lisanga", &mut real), ("ONG Bomoi", &mut sender)],
        1,
    );
    sender.import_directory(&file, Some(&ckey)).unwrap();
    real.import_directory(&file, Some(&ckey)).unwrap();
    // The person agreed to a handover to Maison Lisanga.
    let code = case_with_consent(&mut sender, "handover:Maison Lisanga");

    // 1. The attacker's key QR, claiming the name: shown as not verified, the name as a claim.
    let evil = attacker.open_receive_session(939, 10, NOW).unwrap();
    assert_eq!(evil.organisation, "Maison Lisanga");
    let check = sender.check_receiver(&evil.to_text(), NOW).unwrap();
    assert_eq!(check.verification, Verification::NotVerified);
    assert_eq!(check.claimed, "Maison Lisanga");
    // 2. Sending anyway: refused before anything is sealed, "not verified".
    let err = sender
        .send_handover(&code, &evil.to_text(), &SendOptions::default(), NOW)
        .unwrap_err();
    assert!(
        matches!(err, VaultError::ReceiverNotVerified { .. }),
        "{err:?}"
    );
    assert!(err.to_string().contains("not verified"));
    // 3. The sender compares with the real receiver's screen: the digits differ.
    let (_, real_fp) = real.identity_public().unwrap();
    let compared = SendOptions {
        fingerprint: Some(real_fp.clone()),
        remember: true,
    };
    assert!(matches!(
        sender.send_handover(&code, &evil.to_text(), &compared, NOW),
        Err(VaultError::FingerprintMismatch)
    ));
    // 4. Even a sender who compared with the attacker's own screen: the person's consent to Maison
    //    Lisanga does not cover a device that only calls itself so.
    let (_, evil_fp) = attacker.identity_public().unwrap();
    let careless = SendOptions {
        fingerprint: Some(evil_fp.clone()),
        remember: false,
    };
    let err = sender
        .send_handover(&code, &evil.to_text(), &careless, NOW)
        .unwrap_err();
    assert!(
        matches!(&err, VaultError::HandoverConsentRequired(t) if t.contains(&evil_fp)),
        "{err:?}"
    );
    assert!(
        no_custody(&sender, &code),
        "nothing was sealed to the attacker"
    );
    assert!(sender.pinned_receivers().unwrap().is_empty());

    // 5. The genuine receiver, listed: sealed, and verified on both sides.
    let key = real.open_receive_session(939, 10, NOW).unwrap();
    let out = sender
        .send_handover(&code, &key.to_text(), &SendOptions::default(), NOW)
        .unwrap();
    assert_eq!(out.receiver.verification, Verification::Listed);
    let got = real.receive_handover(&out.envelope, NOW + 1).unwrap();
    assert!(got.from.verified);
    assert_eq!(got.from.organisation, "ONG Bomoi");

    // 6. A relay that did get a case (the worst case: the person consented to the attacker) can
    //    only pass it on as himself: the real receiver sees an unverified sender, not ONG Bomoi.
    let stolen = case_with_consent(&mut sender, &format!("handover:Maison Lisanga ({evil_fp})"));
    let out = sender
        .send_handover(&stolen, &evil.to_text(), &careless, NOW)
        .unwrap();
    let taken = attacker.receive_handover(&out.envelope, NOW + 1).unwrap();
    attacker.set_organisation("ONG Bomoi").unwrap();
    attacker
        .record_consent(
            &taken.case,
            ConsentPurpose::Handover,
            "handover:Maison Lisanga",
        )
        .unwrap();
    let key = real.open_receive_session(939, 10, NOW + 2).unwrap();
    let mut attacker_dir = attacker;
    attacker_dir.import_directory(&file, Some(&ckey)).unwrap();
    let relay = attacker_dir
        .send_handover(
            &taken.case,
            &key.to_text(),
            &SendOptions::default(),
            NOW + 2,
        )
        .unwrap();
    let got = real.receive_handover(&relay.envelope, NOW + 3).unwrap();
    assert!(!got.from.verified, "the relay is not the listed sender");
    assert_eq!(got.from.fingerprint, evil_fp);
}

#[test]
fn a_million_ground_keys_never_reproduce_a_fingerprint() {
    // The attacker's only lever is his identity key (nothing in the comparison depends on session
    // data he could vary). He is granted more than he has: any 32 bytes count as a key.
    let target_key = SigningKey::from_bytes(&[0x52; 32])
        .verifying_key()
        .to_bytes();
    let target = fingerprint(&target_key).replace(' ', "");
    const TRIES: u32 = 1_000_000;
    let (mut full, mut first_group, mut longest) = (0u32, 0u32, 0usize);
    for i in 0..TRIES {
        let candidate = sha256(&[b"grind", &i.to_be_bytes()]);
        let fp = fingerprint(&candidate).replace(' ', "");
        let common = fp
            .bytes()
            .zip(target.bytes())
            .take_while(|(a, b)| a == b)
            .count();
        longest = longest.max(common);
        first_group += u32::from(common >= 5);
        full += u32::from(common == target.len());
    }
    // Stated odds: 10^-30 per try for the whole number, 10^-5 for one group of five.
    assert_eq!(full, 0, "a forged fingerprint");
    assert!(matches(&target_key, &target) && !matches(&sha256(&[b"grind"]), &target));
    assert!(
        (1..=40).contains(&first_group),
        "the first group matched {first_group} times in {TRIES}: expected about 10"
    );
    assert!(longest < 12, "{longest} leading digits matched");
}
