//! The signed NRM directory in the vault (docs/directory.md): pinned to a coordinator key at the
//! first import; another signer, a tampered file or an older version refused with a clear message,
//! and the directory in use kept.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::path::Path;

use relais_core::referral::signed::{self, unhex};
use relais_core::vault::crypto::KdfParams;
use relais_core::vault::{NoPlatformSecret, Vault, VaultError, VaultOptions};

fn vectors(name: &str) -> String {
    std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/vectors/directory")
            .join(name),
    )
    .unwrap()
}

fn vault(dir: &tempfile::TempDir) -> Vault {
    let options = VaultOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        ..VaultOptions::default()
    };
    Vault::create(
        &dir.path().join("v.db"),
        "correct horse 42",
        &NoPlatformSecret,
        options,
    )
    .unwrap()
}

fn coordinator() -> [u8; 32] {
    let c: serde_json::Value =
        serde_json::from_str(&vectors("fictitious-coordinator.json")).unwrap();
    unhex::<32>(c["key"].as_str().unwrap()).unwrap()
}

fn version(v: &Vault) -> u64 {
    v.signed_directory().unwrap().unwrap().directory.version
}

#[test]
fn the_first_import_pins_the_coordinator_and_forgeries_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = vault(&dir);
    // No coordinator trusted yet, none given: refused.
    let err = v
        .import_directory(&vectors("signed-v1-older.json"), None)
        .unwrap_err();
    assert!(err.to_string().contains("coordinator"), "{err}");
    assert!(v.signed_directory().unwrap().is_none());
    // Set-up: version 1, pinning the coordinator.
    let got = v
        .import_directory(&vectors("signed-v1-older.json"), Some(&coordinator()))
        .unwrap();
    assert!(got.changed);
    assert_eq!(v.coordinator_key().unwrap(), Some(coordinator()));
    // Version 2 from the same coordinator (the key need not be given again).
    v.import_directory(&vectors("signed-v2.json"), None)
        .unwrap();
    assert_eq!(version(&v), 2);
    // The same file again: nothing changes.
    assert!(
        !v.import_directory(&vectors("signed-v2.json"), None)
            .unwrap()
            .changed
    );
    let audit = v.audit_log().unwrap().len();
    for (file, says) in [
        ("signed-v1-older.json", "not newer"),
        ("refused-tampered.json", "changed after it was signed"),
        ("refused-other-signer.json", "another coordinator"),
    ] {
        let err = v.import_directory(&vectors(file), None).unwrap_err();
        assert!(matches!(err, VaultError::Directory(_)), "{file}: {err:?}");
        assert!(err.to_string().contains(says), "{file}: {err}");
        assert!(
            err.to_string().contains("directory in use is unchanged"),
            "{err}"
        );
        assert_eq!(version(&v), 2, "{file}: the directory in use stays");
    }
    // A different coordinator key offered at a later import is refused too.
    let err = v
        .import_directory(&vectors("refused-other-signer.json"), Some(&[0x11; 32]))
        .unwrap_err();
    assert!(err.to_string().contains("another coordinator"), "{err}");
    // Garbage and a truncated file.
    assert!(v.import_directory("{", None).is_err());
    let good = vectors("signed-v2.json");
    assert!(v.import_directory(&good[..good.len() / 2], None).is_err());
    assert_eq!(version(&v), 2);
    assert_eq!(
        v.audit_log().unwrap().len(),
        audit,
        "refusals change nothing"
    );
    assert!(v.check().unwrap().ok);
}

#[test]
fn the_embedded_sample_imports_under_its_fictitious_coordinator() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = vault(&dir);
    let s = signed::sample();
    assert_eq!(s.coordinator, coordinator());
    let got = v.import_directory(&s.file, Some(&s.coordinator)).unwrap();
    assert!(got.directory.directory.fictitious);
    assert_eq!(
        got.directory.directory.services.len(),
        s.directory.services.len()
    );
}

#[test]
fn a_reset_forgets_the_coordinator_so_that_another_can_be_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let mut v = vault(&dir);
    let s = signed::sample();
    v.import_directory(&s.file, Some(&s.coordinator)).unwrap();
    // A training phone cannot take a real directory while it trusts the fictitious coordinator.
    let other = vectors("refused-other-signer.json");
    let impostor = signed::verify(&other, None).unwrap().coordinator;
    assert!(v.import_directory(&other, Some(&impostor)).is_err());
    v.reset_directory_trust().unwrap();
    assert!(v.signed_directory().unwrap().is_none());
    assert!(v.coordinator_key().unwrap().is_none());
    v.import_directory(&other, Some(&impostor)).unwrap();
    assert_eq!(v.coordinator_key().unwrap(), Some(impostor));
    assert!(
        v.audit_log()
            .unwrap()
            .iter()
            .any(|e| e.action == "directory.reset")
    );
}
