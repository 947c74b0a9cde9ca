//! Who a phone trusts (docs/directory.md, docs/handover-format.md §1): the signed NRM directory
//! and the coordinator key it was pinned to, the receivers this phone verified by fingerprint and
//! remembered, and this phone's own identity (what the coordinator lists and what the receiving
//! screen shows under the key QR).

use std::sync::Arc;

use relais_core::referral::signed::{self, SignedDirectory, hex, unhex};

use crate::directory::ServiceDirectory;
use crate::error::{DirectoryRefusal, VaultError};
use crate::vault::Vault;

/// The signed directory in use (or a file about to be imported), as the directory screen shows it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DirectoryStatus {
    pub name: String,
    /// Grows with every signed issue.
    pub version: u64,
    /// When the coordinator signed it (Unix seconds).
    pub issued_at: i64,
    /// Who signed it.
    pub coordinator_name: String,
    /// The coordinator key's fingerprint (30 digits in six groups of five).
    pub coordinator_fingerprint: String,
    /// The coordinator's Ed25519 public key, 64 hex digits.
    pub coordinator_key: String,
    /// Services that take referrals.
    pub services: u32,
    /// Organisations allowed to receive cases by handover.
    pub organisations: u32,
    /// Training data: every screen that shows it says so.
    pub fictitious: bool,
    /// False: the very same directory was already in use (nothing changed).
    pub changed: bool,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

fn status(d: &SignedDirectory, changed: bool) -> DirectoryStatus {
    let directory = &d.directory;
    DirectoryStatus {
        name: directory.name.clone(),
        version: directory.version,
        issued_at: directory.issued_at,
        coordinator_name: directory
            .coordinator
            .as_ref()
            .map(|c| c.name.clone())
            .unwrap_or_default(),
        coordinator_fingerprint: d.coordinator_fingerprint(),
        coordinator_key: hex(&d.coordinator),
        services: count(directory.services.len()),
        organisations: count(directory.organisations.len()),
        fictitious: directory.fictitious,
        changed,
    }
}

/// This phone's handover identity.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IdentityView {
    /// Ed25519 public key, 64 hex digits: what an organisation gives its coordinator to be listed.
    pub key_hex: String,
    /// Its fingerprint, 30 digits in six groups of five: shown under the key QR when receiving.
    pub fingerprint: String,
}

/// A receiver this phone verified by fingerprint and chose to remember.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PinnedReceiverView {
    /// The name its key gave when it was verified.
    pub organisation: String,
    pub fingerprint: String,
    /// Unix seconds.
    pub pinned_at: i64,
}

/// The embedded, signed, fictitious Kwilu sample directory file, for training phones: import it
/// with `sampleCoordinatorKey()`. Its coordinator's secret is public, so it proves nothing.
#[uniffi::export]
pub fn sample_directory_file() -> String {
    signed::sample().file.clone()
}

/// The fictitious coordinator key (64 hex digits) that signs the sample directory.
#[uniffi::export]
pub fn sample_coordinator_key() -> String {
    hex(&signed::sample().coordinator)
}

/// Reads a signed directory file without importing it, verified against the coordinator key it
/// names: what the first import shows (who signed it, the coordinator's fingerprint to compare
/// with the one the coordinator gave) before that key is trusted. Throws `Directory`.
#[uniffi::export]
pub fn read_directory_file(file: String) -> Result<DirectoryStatus, VaultError> {
    let d = signed::verify(&file, None)?;
    Ok(status(&d, true))
}

/// A coordinator key as typed or carried: 64 hex digits (spaces ignored).
fn coordinator_key(text: Option<String>) -> Result<Option<[u8; 32]>, VaultError> {
    let Some(text) = text else { return Ok(None) };
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Ok(None);
    }
    unhex::<32>(&compact)
        .map(Some)
        .ok_or_else(|| VaultError::Directory {
            refusal: DirectoryRefusal::BadCoordinatorKey,
            reason: "the coordinator key must be 64 hexadecimal digits".into(),
        })
}

#[uniffi::export]
impl Vault {
    /// This phone's identity key and fingerprint (created on first use).
    pub fn identity(&self) -> Result<IdentityView, VaultError> {
        let (key, fingerprint) = self.with(|v| v.identity_public())?;
        Ok(IdentityView {
            key_hex: hex(&key),
            fingerprint,
        })
    }

    /// Imports a signed directory file. The first import trusts `coordinator_key_hex` (the
    /// set-up: 64 hex digits, as the coordinator gave it, or `readDirectoryFile(file)
    /// .coordinatorKey` once its fingerprint was compared); later ones must be signed by that
    /// key (`coordinator_key_hex` may be null) and be newer. A refusal throws `Directory` with
    /// its `refusal`, and the directory in use stays.
    pub fn import_directory(
        &self,
        file: String,
        coordinator_key_hex: Option<String>,
    ) -> Result<DirectoryStatus, VaultError> {
        let given = coordinator_key(coordinator_key_hex)?;
        let import = self.with(|v| v.import_directory(&file, given.as_ref()))?;
        Ok(status(&import.directory, import.changed))
    }

    /// The directory in use (re-verified each time), or null before the first import.
    pub fn directory_status(&self) -> Result<Option<DirectoryStatus>, VaultError> {
        Ok(self
            .with(|v| v.signed_directory())?
            .map(|d| status(&d, false)))
    }

    /// The services of the directory in use, for referrals; null before the first import.
    pub fn service_directory(&self) -> Result<Option<Arc<ServiceDirectory>>, VaultError> {
        Ok(self
            .with(|v| v.signed_directory())?
            .map(|d| ServiceDirectory::from_directory(d.directory)))
    }

    /// Whether this vault trusts a coordinator yet (the first import pins one).
    pub fn has_coordinator(&self) -> Result<bool, VaultError> {
        Ok(self.with(|v| v.coordinator_key())?.is_some())
    }

    /// The receivers verified by fingerprint on this phone and remembered.
    pub fn pinned_receivers(&self) -> Result<Vec<PinnedReceiverView>, VaultError> {
        Ok(self
            .with(|v| v.pinned_receivers())?
            .into_iter()
            .map(|p| PinnedReceiverView {
                organisation: p.organisation,
                fingerprint: p.fingerprint,
                pinned_at: p.pinned_at,
            })
            .collect())
    }

    /// Forgets a remembered receiver (by its fingerprint): its next key is not verified again
    /// until its fingerprint is compared. `NoSuch` when none has it.
    pub fn forget_receiver(&self, fingerprint: String) -> Result<(), VaultError> {
        self.with(|v| v.unpin_receiver(&fingerprint))
    }
}
