//! Who a phone trusts (docs/directory.md, docs/handover-format.md §1): the signed NRM directory
//! and the coordinator key it was pinned to, the receivers this phone verified by fingerprint and
//! remembered, and this phone's own identity (what the coordinator lists and what the receiving
//! screen shows under the key QR).

use std::sync::Arc;

use relais_core::handover::fountain::{DEFAULT_FRAGMENT, Encoder, loop_length};
use relais_core::referral::signed::{self, SignedDirectory, hex, unhex};

use crate::directory::ServiceDirectory;
use crate::error::{DirectoryRefusal, VaultError};
use crate::handover::HandoverReceiver;
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

/// The signed directory file shown as animated QR frames (`RL1:` texts, the same frames as a
/// handover: docs/handover-frames.md), as `relais directory frames` shows it: one loop of frames
/// (the source fragments, then enough fountain frames that a few lost ones do not matter), to show
/// in turn on a coordinator's screen for phones to import by scanning. The file is verified first
/// against the coordinator key it names (a phone would refuse it anyway): throws `Directory`.
#[uniffi::export]
pub fn directory_frames(file: String) -> Result<Vec<String>, VaultError> {
    signed::verify(&file, None)?;
    let encoder =
        Encoder::new(file.as_bytes(), DEFAULT_FRAGMENT).map_err(|e| VaultError::Directory {
            refusal: DirectoryRefusal::Invalid,
            reason: format!("the directory cannot be cut into frames: {e}"),
        })?;
    Ok((1..=loop_length(encoder.k()))
        .map(|seq| encoder.part(seq).to_text())
        .collect())
}

/// The text the frames of `receiver` rebuilt, when it is a directory file: refused when the frames
/// are incomplete (`Invalid`), or hold an envelope (a case handed over) or bytes that are not
/// UTF-8 text (`Directory` with `INVALID`). Never quotes what was rebuilt.
fn rebuilt_file(receiver: &HandoverReceiver) -> Result<String, VaultError> {
    let Some(bytes) = receiver.envelope() else {
        let progress = receiver.progress();
        return Err(VaultError::Invalid {
            reason: format!(
                "incomplete: {} of {} fragments recovered; scan more frames",
                progress.known, progress.needed
            ),
        });
    };
    let not_a_directory = |reason: &str| VaultError::Directory {
        refusal: DirectoryRefusal::Invalid,
        reason: reason.into(),
    };
    // An envelope starts with its magic, `RLE` and the handover format's digit (RLE2; RLE1 of
    // handover format 1).
    if matches!(bytes.get(..4), Some([b'R', b'L', b'E', d]) if d.is_ascii_digit()) {
        return Err(not_a_directory(
            "the frames hold a case handed over (an envelope), not a directory: receive it with receiveHandover",
        ));
    }
    String::from_utf8(bytes)
        .map_err(|_| not_a_directory("the frames do not hold a directory file (not UTF-8 text)"))
}

#[uniffi::export]
impl HandoverReceiver {
    /// The signed directory file these frames rebuilt (shown by the coordinator with `relais
    /// directory frames` or `directoryFrames`), once `progress().status` is `COMPLETE`: read it
    /// with `readDirectoryFile` to compare the coordinator's number before the first import, then
    /// import it like a file (or with `Vault.importDirectoryFrames`). Throws `Invalid` while the
    /// frames are incomplete, and `Directory` (`INVALID`) when they hold a case handed over or bytes
    /// that are not text. Nothing is imported.
    pub fn directory_file(&self) -> Result<String, VaultError> {
        rebuilt_file(self)
    }
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

    /// Imports the signed directory file rebuilt from QR frames (`receiver`, fed with the frames of
    /// `relais directory frames`), exactly as `importDirectory` imports a file: the first import
    /// trusts `coordinator_key_hex` (after `readDirectoryFile(receiver.directoryFile())` showed the
    /// coordinator's number to compare), later ones must be signed by the trusted coordinator and
    /// be newer. Incomplete frames throw `Invalid`; frames of a case handed over, or of bytes that
    /// are not text, throw `Directory` (`INVALID`); every other refusal is `importDirectory`'s. A
    /// refusal changes nothing.
    pub fn import_directory_frames(
        &self,
        receiver: Arc<HandoverReceiver>,
        coordinator_key_hex: Option<String>,
    ) -> Result<DirectoryStatus, VaultError> {
        let file = rebuilt_file(&receiver)?;
        self.import_directory(file, coordinator_key_hex)
    }

    /// Forgets the signed directory in use and the coordinator key it was pinned to (audited), so
    /// that the next import pins another coordinator: a training phone moving from the fictitious
    /// sample to the real directory, or a coordinator's new key. Until a new directory is imported
    /// (and its coordinator's number compared), no receiver is verified by the directory: every one
    /// is shown as not verified. Receivers remembered by their fingerprint stay remembered.
    pub fn reset_directory_trust(&self) -> Result<(), VaultError> {
        self.with(|v| v.reset_directory_trust())
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
