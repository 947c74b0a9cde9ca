//! The vault's copy of the signed NRM directory (docs/directory.md), the coordinator key it was
//! pinned to, the unlisted receivers this device verified by fingerprint and chose to remember, and
//! the check of a scanned receiver key against both (docs/handover-format.md §1).

use serde::{Deserialize, Serialize};

use super::{Result, Vault, VaultError, crypto, meta_get, meta_set};
use crate::handover::fingerprint;
use crate::handover::key::ReceiverKey;
use crate::referral::signed::{self, SignedDirectory, SignedDirectoryError, hex};

/// How the sender's phone knows who a receiver is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verification {
    /// Its identity key is in the signed directory.
    Listed,
    /// Verified by fingerprint on this device before, and remembered.
    Pinned,
    /// Neither: compare the fingerprint in full before anything is sealed.
    NotVerified,
}

impl Verification {
    pub fn id(self) -> &'static str {
        match self {
            Verification::Listed => "listed",
            Verification::Pinned => "pinned",
            Verification::NotVerified => "not_verified",
        }
    }
}

/// A scanned receiver key, and who it belongs to as far as this device can tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverCheck {
    pub key: ReceiverKey,
    pub verification: Verification,
    /// The listed name (listed), the name recorded when pinned (pinned), or the name the key
    /// claims (not verified: show it as a claim).
    pub organisation: String,
    /// The listed area (listed receivers only).
    pub area: String,
    /// The name inside the key QR (never shown as the name of a listed receiver).
    pub claimed: String,
    pub fingerprint: String,
    /// When a pinned receiver was verified.
    pub pinned_at: Option<i64>,
    /// The directory that lists it is fictitious (demo data).
    pub fictitious: bool,
}

impl ReceiverCheck {
    /// What the person's consent must name: the listed organisation, or for any other receiver its
    /// name with its fingerprint (a name alone can be claimed by anyone).
    pub fn consent_target(&self) -> String {
        match self.verification {
            Verification::Listed => self.organisation.clone(),
            _ => format!("{} ({})", self.organisation, self.fingerprint),
        }
    }
}

/// An unlisted receiver remembered after its fingerprint was compared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinnedReceiver {
    /// Identity key, 64 hex digits.
    pub identity: String,
    pub organisation: String,
    pub fingerprint: String,
    pub pinned_at: i64,
}

/// What an import did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryImport {
    pub directory: SignedDirectory,
    /// False: the very same directory was already in use.
    pub changed: bool,
}

const COORDINATOR: &str = "coordinator";
/// The coordinator's own signing key and state, in a coordinator's vault.
const COORDINATOR_SIGNING: &str = "coordinator_signing";

/// What a coordinator's vault keeps.
#[derive(Serialize, Deserialize)]
struct CoordinatorState {
    seed: String,
    name: String,
    last_version: u64,
}

impl Drop for CoordinatorState {
    fn drop(&mut self) {
        use zeroize::Zeroize;
        self.seed.zeroize();
    }
}
const DIRECTORY: &str = "directory";
const PINNED: &str = "pinned_receivers";

impl Vault {
    fn sealed_meta(&self, key: &str) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
        meta_get(self.conn(), key)?
            .map(|sealed| self.open_value("meta", key, "value", &sealed))
            .transpose()
    }

    fn set_sealed_meta(&mut self, key: &str, value: &[u8]) -> Result<()> {
        let sealed = crypto::seal(
            self.keys_values(),
            value,
            &crypto::aad("meta", key, "value"),
        )?;
        meta_set(self.conn(), key, &sealed)
    }

    /// The coordinator key this device trusts to sign its directory, once pinned.
    pub fn coordinator_key(&self) -> Result<Option<[u8; 32]>> {
        Ok(self
            .sealed_meta(COORDINATOR)?
            .and_then(|v| <[u8; 32]>::try_from(v.as_slice()).ok()))
    }

    /// The directory in use, re-verified against the pinned coordinator key.
    pub fn signed_directory(&self) -> Result<Option<SignedDirectory>> {
        let (Some(file), Some(key)) = (self.sealed_meta(DIRECTORY)?, self.coordinator_key()?)
        else {
            return Ok(None);
        };
        let file = std::str::from_utf8(&file)
            .map_err(|_| VaultError::Tampered("meta/directory".into()))?;
        signed::verify(file, Some(&key))
            .map(Some)
            .map_err(|_| VaultError::Tampered("meta/directory".into()))
    }

    /// Imports a signed directory. The first import pins `coordinator` (the set-up); later ones
    /// must be signed by the pinned key and be newer. A refused file changes nothing.
    pub fn import_directory(
        &mut self,
        file: &str,
        coordinator: Option<&[u8; 32]>,
    ) -> Result<DirectoryImport> {
        let pinned = self.coordinator_key()?;
        let trusted = match (pinned, coordinator) {
            (Some(p), Some(c)) if p != *c => {
                return Err(
                    SignedDirectoryError::OtherCoordinator(fingerprint::fingerprint(c)).into(),
                );
            }
            (Some(p), _) => p,
            (None, Some(c)) => *c,
            (None, None) => return Err(SignedDirectoryError::NoCoordinator.into()),
        };
        let new = signed::verify(file, Some(&trusted))?;
        if let Some(current) = self.signed_directory()? {
            let same = current.directory == new.directory;
            if same {
                return Ok(DirectoryImport {
                    directory: current,
                    changed: false,
                });
            }
            if new.directory.version <= current.directory.version {
                return Err(SignedDirectoryError::Older {
                    have: current.directory.version,
                    got: new.directory.version,
                }
                .into());
            }
        }
        self.transaction(|v| {
            if pinned.is_none() {
                v.set_sealed_meta(COORDINATOR, &trusted)?;
                v.audit("directory.coordinator", &hex(&trusted[..8]))?;
            }
            v.set_sealed_meta(DIRECTORY, file.as_bytes())?;
            v.audit("directory.import", &new.directory.version.to_string())
        })?;
        Ok(DirectoryImport {
            directory: new,
            changed: true,
        })
    }

    /// Forgets the directory in use and the coordinator key it was pinned to, so that the next
    /// import pins another coordinator (a training phone moving to a real directory, or a
    /// coordinator's new key). Until then every receiver is shown as not verified. Audited.
    pub fn reset_directory_trust(&mut self) -> Result<()> {
        self.transaction(|v| {
            v.conn().execute(
                "DELETE FROM meta WHERE key IN (?1, ?2)",
                [COORDINATOR, DIRECTORY],
            )?;
            v.audit("directory.reset", "")
        })
    }

    pub fn pinned_receivers(&self) -> Result<Vec<PinnedReceiver>> {
        match self.sealed_meta(PINNED)? {
            None => Ok(Vec::new()),
            Some(v) => serde_json::from_slice(&v)
                .map_err(|_| VaultError::Tampered(format!("meta/{PINNED}"))),
        }
    }

    /// Remembers an unlisted receiver whose fingerprint was compared in full.
    pub(crate) fn pin_receiver(&mut self, check: &ReceiverCheck, now: i64) -> Result<()> {
        let mut pinned = self.pinned_receivers()?;
        let identity = hex(&check.key.receiver);
        pinned.retain(|p| p.identity != identity);
        pinned.push(PinnedReceiver {
            identity,
            organisation: check.claimed.clone(),
            fingerprint: check.fingerprint.clone(),
            pinned_at: now,
        });
        let json = serde_json::to_vec(&pinned).map_err(|e| VaultError::Invalid(e.to_string()))?;
        self.set_sealed_meta(PINNED, &json)?;
        self.audit("handover.pin", "")
    }

    /// Forgets a remembered receiver (by its fingerprint or identity key).
    pub fn unpin_receiver(&mut self, which: &str) -> Result<()> {
        let mut pinned = self.pinned_receivers()?;
        let before = pinned.len();
        let digits = fingerprint::normalise(which);
        pinned.retain(|p| {
            !(p.identity.eq_ignore_ascii_case(which.trim())
                || digits.as_deref() == Some(&p.fingerprint.replace(' ', "")))
        });
        if pinned.len() == before {
            return Err(VaultError::NoSuch("remembered receiver"));
        }
        let json = serde_json::to_vec(&pinned).map_err(|e| VaultError::Invalid(e.to_string()))?;
        self.set_sealed_meta(PINNED, &json)?;
        self.audit("handover.unpin", "")
    }

    /// Reads a scanned key QR and says who it belongs to: listed in the signed directory, pinned
    /// on this device, or not verified.
    pub fn check_receiver(&self, key_text: &str, now: i64) -> Result<ReceiverCheck> {
        let key = ReceiverKey::from_text(key_text, now)?;
        let fp = fingerprint::fingerprint(&key.receiver);
        let mut check = ReceiverCheck {
            verification: Verification::NotVerified,
            organisation: key.organisation.clone(),
            area: String::new(),
            claimed: key.organisation.clone(),
            fingerprint: fp,
            pinned_at: None,
            fictitious: false,
            key,
        };
        if let Some(d) = self.signed_directory()?
            && let Some(o) = d.directory.listed(&check.key.receiver, now)
        {
            check.verification = Verification::Listed;
            check.organisation = o.name.clone();
            check.area = o.area.clone();
            check.fictitious = d.directory.fictitious;
            return Ok(check);
        }
        let identity = hex(&check.key.receiver);
        if let Some(p) = self
            .pinned_receivers()?
            .into_iter()
            .find(|p| p.identity == identity)
        {
            check.verification = Verification::Pinned;
            check.organisation = p.organisation;
            check.pinned_at = Some(p.pinned_at);
        }
        Ok(check)
    }

    fn coordinator_state(&self) -> Result<CoordinatorState> {
        let raw = self.sealed_meta(COORDINATOR_SIGNING)?.ok_or_else(|| {
            VaultError::Invalid(
                "this vault holds no coordinator key: run `relais coordinator init`".into(),
            )
        })?;
        serde_json::from_slice(&raw).map_err(|_| VaultError::Tampered("meta/coordinator".into()))
    }

    fn set_coordinator_state(&mut self, state: &CoordinatorState) -> Result<()> {
        let json = zeroize::Zeroizing::new(
            serde_json::to_vec(state).map_err(|e| VaultError::Invalid(e.to_string()))?,
        );
        self.set_sealed_meta(COORDINATOR_SIGNING, &json)
    }

    /// Makes this vault a coordinator's: a new signing key, kept sealed. Returns its public key.
    pub fn init_coordinator(&mut self, name: &str) -> Result<[u8; 32]> {
        if self.sealed_meta(COORDINATOR_SIGNING)?.is_some() {
            return Err(VaultError::Invalid(
                "this vault already holds a coordinator key (it is never replaced)".into(),
            ));
        }
        let name = crate::handover::wire::checked_name(name)?.to_string();
        let seed = zeroize::Zeroizing::new(crypto::random_bytes::<32>()?);
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        self.set_coordinator_state(&CoordinatorState {
            seed: hex(seed.as_ref()),
            name,
            last_version: 0,
        })?;
        self.audit("coordinator.init", "")?;
        Ok(key.verifying_key().to_bytes())
    }

    /// The coordinator's public key and name.
    pub fn coordinator_public(&self) -> Result<([u8; 32], String)> {
        let state = self.coordinator_state()?;
        let seed = zeroize::Zeroizing::new(
            signed::unhex::<32>(&state.seed)
                .ok_or_else(|| VaultError::Tampered("meta/coordinator".into()))?,
        );
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        Ok((key.verifying_key().to_bytes(), state.name.clone()))
    }

    /// Signs a directory as this vault's coordinator, with the next version (one more than the
    /// last signed here, or the directory's own if higher). Returns the signed file.
    pub fn coordinator_sign(
        &mut self,
        directory: &crate::referral::Directory,
        now: i64,
    ) -> Result<String> {
        let mut state = self.coordinator_state()?;
        let seed = zeroize::Zeroizing::new(
            signed::unhex::<32>(&state.seed)
                .ok_or_else(|| VaultError::Tampered("meta/coordinator".into()))?,
        );
        let key = ed25519_dalek::SigningKey::from_bytes(&seed);
        let version = directory.version.max(state.last_version + 1);
        let file = signed::sign(directory, &key, &state.name, version, now)?;
        state.last_version = version;
        self.set_coordinator_state(&state)?;
        self.audit("coordinator.sign", &version.to_string())?;
        Ok(file)
    }

    /// Who a sender identity is, for the receiving screen: its listed name, if listed.
    pub fn listed_name(&self, identity: &[u8; 32], now: i64) -> Result<Option<String>> {
        Ok(self
            .signed_directory()?
            .and_then(|d| d.directory.listed(identity, now).map(|o| o.name.clone())))
    }
}
