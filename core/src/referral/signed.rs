//! The NRM directory as its coordinator signs it (docs/directory.md): Ed25519 over the
//! deterministic CBOR of the directory, verified against the coordinator key a device pinned.

use std::sync::OnceLock;

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use serde_json::{Value, json};

use super::directory::{Coordinator, DIRECTORY_FORMAT, DIRECTORY_SCHEMA, Directory};
use crate::handover::{cbor, fingerprint, wire};

pub const SIGNED_FORMAT: &str = "relais.signed-directory";
const LABEL: &[u8] = b"relais/directory/v2";
/// The largest signed directory file read.
pub const MAX_FILE: usize = 4 * 1024 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SignedDirectoryError {
    #[error("not a signed Relais directory: {0}")]
    Malformed(String),
    #[error(
        "the directory is signed by another coordinator (key {0}) than the one this device trusts"
    )]
    OtherCoordinator(String),
    #[error("the directory was changed after it was signed (its signature does not verify)")]
    BadSignature,
    #[error(
        "this directory (version {got}) is not newer than the directory in use (version {have})"
    )]
    Older { have: u64, got: u64 },
    #[error("no coordinator key is trusted on this device yet: give the coordinator's key")]
    NoCoordinator,
}

/// A directory whose signature verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedDirectory {
    pub directory: Directory,
    /// The coordinator key that signed it.
    pub coordinator: [u8; 32],
    /// The signed file as read (what a vault keeps).
    pub file: String,
}

impl SignedDirectory {
    /// The coordinator key's fingerprint, as screens show it.
    pub fn coordinator_fingerprint(&self) -> String {
        fingerprint::fingerprint(&self.coordinator)
    }
}

fn malformed(m: impl Into<String>) -> SignedDirectoryError {
    SignedDirectoryError::Malformed(m.into())
}

pub use crate::handover::wire::{hex, unhex};

fn has_float(v: &Value) -> bool {
    match v {
        Value::Number(n) => !(n.is_i64() || n.is_u64()),
        Value::Array(a) => a.iter().any(has_float),
        Value::Object(m) => m.values().any(has_float),
        _ => false,
    }
}

/// What is signed: the label and the deterministic CBOR of the directory value.
fn message(directory: &Value) -> Vec<u8> {
    [LABEL, &cbor::encode(directory)].concat()
}

/// Checks the directory's content: schema 2, every row good, organisations well formed.
fn check(value: &Value) -> Result<Directory, SignedDirectoryError> {
    if has_float(value) {
        return Err(malformed("it holds a non-integer number"));
    }
    let report = Directory::from_value(value.clone()).map_err(|e| malformed(e.to_string()))?;
    if let Some(e) = report.errors.first() {
        return Err(malformed(format!("service {e}")));
    }
    let d = report.directory;
    if d.schema != DIRECTORY_SCHEMA || d.format != DIRECTORY_FORMAT {
        return Err(malformed(format!(
            "the directory must be schema {DIRECTORY_SCHEMA}"
        )));
    }
    let mut ids = std::collections::HashSet::new();
    for o in &d.organisations {
        unhex::<32>(&o.identity)
            .filter(|k| VerifyingKey::from_bytes(k).is_ok())
            .ok_or_else(|| malformed(format!("organisation {}: bad identity key", o.id)))?;
        wire::checked_name(&o.name).map_err(|_| {
            malformed(format!(
                "organisation {}: name must be 1 to 80 characters",
                o.id
            ))
        })?;
        if o.id.trim().is_empty() || !ids.insert(o.id.clone()) || o.valid_from > o.valid_until {
            return Err(malformed(format!("organisation {}: id or dates", o.id)));
        }
    }
    Ok(d)
}

/// Reads a signed directory file and verifies it. `trusted` is the coordinator key this device
/// pinned (None: verify with the key the file names, for the coordinator's own `verify`).
pub fn verify(
    file: &str,
    trusted: Option<&[u8; 32]>,
) -> Result<SignedDirectory, SignedDirectoryError> {
    if file.len() > MAX_FILE {
        return Err(malformed("the file is too large"));
    }
    let outer: Value = serde_json::from_str(file).map_err(|e| malformed(e.to_string()))?;
    let keys: Vec<&str> = outer
        .as_object()
        .map(|m| m.keys().map(String::as_str).collect())
        .unwrap_or_default();
    if outer["format"] != SIGNED_FORMAT || outer["version"] != 1 || keys.len() != 4 {
        return Err(malformed(format!(
            "format must be \"{SIGNED_FORMAT}\", version 1"
        )));
    }
    let value = &outer["directory"];
    let named = value["coordinator"]["key"]
        .as_str()
        .and_then(unhex::<32>)
        .ok_or_else(|| malformed("no coordinator key"))?;
    if let Some(t) = trusted
        && *t != named
    {
        return Err(SignedDirectoryError::OtherCoordinator(
            fingerprint::fingerprint(&named),
        ));
    }
    let signature = outer["signature"]
        .as_str()
        .filter(|s| !s.bytes().any(|b| b.is_ascii_uppercase()))
        .and_then(unhex::<64>)
        .ok_or_else(|| malformed("no signature"))?;
    VerifyingKey::from_bytes(&named)
        .and_then(|k| k.verify_strict(&message(value), &Signature::from_bytes(&signature)))
        .map_err(|_| SignedDirectoryError::BadSignature)?;
    let directory = check(value)?;
    Ok(SignedDirectory {
        directory,
        coordinator: named,
        file: file.to_string(),
    })
}

/// Signs a schema-2 directory: sets its coordinator, version and date, and returns the file.
pub fn sign(
    directory: &Directory,
    key: &SigningKey,
    coordinator_name: &str,
    version: u64,
    now: i64,
) -> Result<String, SignedDirectoryError> {
    let mut d = directory.clone();
    d.format = DIRECTORY_FORMAT.into();
    d.schema = DIRECTORY_SCHEMA;
    d.version = version;
    d.issued_at = now;
    d.coordinator = Some(Coordinator {
        name: coordinator_name.trim().to_string(),
        key: hex(&key.verifying_key().to_bytes()),
    });
    let value = serde_json::to_value(&d).map_err(|e| malformed(e.to_string()))?;
    check(&value)?;
    let signature = key.sign(&message(&value)).to_bytes();
    let file = json!({
        "format": SIGNED_FORMAT,
        "version": 1,
        "directory": value,
        "signature": hex(&signature),
    });
    Ok(serde_json::to_string_pretty(&file).map_err(|e| malformed(e.to_string()))? + "\n")
}

/// The fictitious coordinator of the Kwilu sample: its seed is public (tests/vectors/directory/),
/// so the sample proves nothing and is marked fictitious.
pub fn fictitious_coordinator() -> SigningKey {
    SigningKey::from_bytes(&wire::sha256(&[
        b"relais fictitious coordinator: Kwilu sample, not a real key",
    ]))
}

/// The fictitious identity of a sample organisation (public seed, like the coordinator's).
pub fn fictitious_identity(organisation: &str) -> SigningKey {
    SigningKey::from_bytes(&wire::sha256(&[
        b"relais fictitious organisation: ",
        organisation.as_bytes(),
    ]))
}

const SAMPLE_FILE: &str = include_str!("../../data/directory-kwilu-sample.signed.json");

/// The embedded, signed Kwilu sample, verified against its fictitious coordinator.
pub fn sample() -> &'static SignedDirectory {
    static SAMPLE: OnceLock<SignedDirectory> = OnceLock::new();
    SAMPLE.get_or_init(|| {
        let key = fictitious_coordinator().verifying_key().to_bytes();
        // `the_signed_sample_verifies_and_is_its_source` proves this verifies; should it not,
        // an empty directory is shown rather than an unverified one.
        verify(SAMPLE_FILE, Some(&key)).unwrap_or_else(|_| SignedDirectory {
            directory: Directory {
                format: DIRECTORY_FORMAT.into(),
                schema: DIRECTORY_SCHEMA,
                name: "empty".into(),
                fictitious: true,
                ..Directory::default()
            },
            coordinator: key,
            file: String::new(),
        })
    })
}

/// The sample as it should be signed now: its source spreadsheet's services, one listed
/// organisation per organisation there with a fictitious identity, signed by the fictitious
/// coordinator. `cargo test -p relais-core -- --ignored regenerate_signed_sample` writes it.
pub fn build_sample() -> Result<String, SignedDirectoryError> {
    use super::directory::ListedOrganisation;
    let source = Directory::sample_kwilu_source().map_err(|e| malformed(e.to_string()))?;
    let mut d = source.directory;
    let mut seen = std::collections::BTreeMap::new();
    for s in &d.services {
        seen.entry(s.organisation.clone())
            .or_insert_with(|| s.area.clone());
    }
    // A handover name is at most 80 characters: the longest sample names lose their "[FICTIF] "
    // tag (the whole directory is marked fictitious).
    d.organisations = seen
        .into_iter()
        .map(|(name, area)| {
            let short = if name.chars().count() > wire::MAX_NAME {
                name.trim_start_matches("[FICTIF] ").to_string()
            } else {
                name
            };
            (short, area)
        })
        .filter(|(name, _)| wire::checked_name(name).is_ok())
        .enumerate()
        .map(|(i, (name, area))| ListedOrganisation {
            id: format!("org-{:02}", i + 1),
            identity: hex(&fictitious_identity(&name).verifying_key().to_bytes()),
            name,
            area,
            // 2026-01-01 to 2031-01-01.
            valid_from: 1_767_225_600,
            valid_until: 1_924_992_000,
        })
        .collect();
    sign(
        &d,
        &fictitious_coordinator(),
        "Secrétariat NRM du Kwilu (fictif)",
        1,
        1_767_225_600,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample_path() -> std::path::PathBuf {
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/directory-kwilu-sample.signed.json")
    }

    #[test]
    #[ignore = "writes the signed sample"]
    fn regenerate_signed_sample() {
        std::fs::write(sample_path(), build_sample().unwrap()).unwrap();
    }

    #[test]
    fn the_signed_sample_verifies_and_is_its_source() {
        let key = fictitious_coordinator().verifying_key().to_bytes();
        let s = verify(SAMPLE_FILE, Some(&key)).unwrap();
        assert!(s.directory.fictitious);
        assert!(!s.directory.organisations.is_empty());
        assert_eq!(
            SAMPLE_FILE,
            build_sample().unwrap(),
            "the sample spreadsheet changed: run `cargo test -p relais-core -- --ignored regenerate_signed_sample`"
        );
        assert_eq!(
            sample().directory.services.len(),
            s.directory.services.len()
        );
    }

    #[test]
    fn tampered_other_signer_and_bad_content_are_refused() {
        let key = fictitious_coordinator().verifying_key().to_bytes();
        let tampered = SAMPLE_FILE.replacen("Maison", "Maisom", 1);
        assert_eq!(
            verify(&tampered, Some(&key)),
            Err(SignedDirectoryError::BadSignature)
        );
        let other = SigningKey::from_bytes(&[9; 32]);
        let d = &sample().directory;
        let by_other = sign(d, &other, "Impostor", 2, 1_800_000_000).unwrap();
        assert!(matches!(
            verify(&by_other, Some(&key)),
            Err(SignedDirectoryError::OtherCoordinator(_))
        ));
        // Reformatting the JSON does not matter: the CBOR of the value is what is signed.
        let v: Value = serde_json::from_str(SAMPLE_FILE).unwrap();
        assert!(verify(&serde_json::to_string(&v).unwrap(), Some(&key)).is_ok());
        // A float smuggled in is refused even when signed.
        let mut bad = d.clone();
        bad.name = "x".into();
        let mut file: Value =
            serde_json::from_str(&sign(&bad, &other, "c", 1, 1).unwrap()).unwrap();
        file["directory"]["version"] = json!(1.5);
        let resigned_msg = message(&file["directory"]);
        file["signature"] = json!(hex(&other.sign(&resigned_msg).to_bytes()));
        assert!(matches!(
            verify(&file.to_string(), None),
            Err(SignedDirectoryError::Malformed(_))
        ));
    }

    #[test]
    fn listed_organisations_are_found_by_key_within_their_dates() {
        let d = &sample().directory;
        let o = &d.organisations[0];
        let key = fictitious_identity(&o.name).verifying_key().to_bytes();
        assert_eq!(
            d.listed(&key, 1_800_000_000).map(|l| &l.name),
            Some(&o.name)
        );
        assert!(d.listed(&key, 1_000_000_000).is_none(), "before valid_from");
        assert!(d.listed(&[1; 32], 1_800_000_000).is_none());
    }
}
