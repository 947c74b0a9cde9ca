//! What the handover tests share: a vault with an organisation name, a screened case with a
//! handover consent, and a directory signed by a test coordinator.
#![allow(dead_code, clippy::unwrap_used)] // each test binary uses some of these; tests fail loudly

use std::path::Path;

use ed25519_dalek::SigningKey;
use relais_core::effects::ConsentPurpose;
use relais_core::referral::Directory;
use relais_core::referral::directory::ListedOrganisation;
use relais_core::referral::signed::{self, hex};
use relais_core::vault::crypto::KdfParams;
use relais_core::vault::{NoPlatformSecret, Vault, VaultOptions};
use relais_core::{Draft, run_draft};

pub const NOW: i64 = 1_800_000_000;

pub fn vault(dir: &tempfile::TempDir, name: &str, org: &str) -> Vault {
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

/// A directory signed by a test coordinator, listing these (name, vault) pairs; and that
/// coordinator's key.
pub fn directory_listing(listed: &mut [(&str, &mut Vault)], version: u64) -> (String, [u8; 32]) {
    let coordinator = SigningKey::from_bytes(&[0xc0; 32]);
    let mut d = Directory::sample_kwilu().clone();
    d.organisations = listed
        .iter_mut()
        .enumerate()
        .map(|(i, (name, v))| ListedOrganisation {
            id: format!("org-{i}"),
            name: (*name).to_string(),
            area: "Kwilu/Kikwit".into(),
            identity: hex(&v.identity_public().unwrap().0),
            valid_from: NOW - 86_400,
            valid_until: NOW + 86_400 * 365,
        })
        .collect();
    let file = signed::sign(&d, &coordinator, "NRM test coordinator", version, NOW).unwrap();
    (file, coordinator.verifying_key().to_bytes())
}

/// A case with a screening and a note, and (when given) consent to a handover to `consent_for`.
pub fn screened_case(v: &mut Vault, consent_for: Option<&str>) -> String {
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
