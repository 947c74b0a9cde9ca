//! The encrypted vault, opened with a passphrase and the platform's secret. One `Vault` object per
//! open vault: `lock()` it when the app leaves the foreground (the keys are zeroized; every later
//! call throws `VaultException.Locked`), and `close()` it (Kotlin) or drop it (Swift) when done.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use relais_core::handover::fingerprint::fingerprint;
use relais_core::referral::Directory;
use relais_core::vault::crypto::KdfParams;
use relais_core::vault::export;
use relais_core::vault::handover::SendOptions;
use relais_core::vault::records::{NewReferral, consent_scope};
use relais_core::vault::{self as core, VaultOptions, now};
use zeroize::Zeroizing;

use crate::directory::{ServiceDirectory, ServiceProposals, ServiceView};
use crate::error::{InterviewError, VaultError};
use crate::handover::{
    HandoverReceiver, HandoverSender, ReceivedCase, ReceiverCheckView, ReceiverKey, qr_matrix,
};
use crate::interview::Interview;
use crate::keys::{Bridge, KeyProvider};
use crate::language::Language;
use crate::live::{Kind, Live};
use crate::records::{
    AuditEntry, CaseDetail, CaseStatus, CaseSummary, ConsentPurpose, ExportFormat, Priority,
    Referral, ReferralStatus, VaultCheck,
};

/// Settings fixed when a vault is created.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VaultSettings {
    /// Failed unlocks before the vault erases itself (the organisation's policy; 10 by default).
    pub max_failed_unlocks: u32,
    /// Closed cases are purged this many days after closing (`None`: kept).
    pub retention_days: Option<u32>,
    /// Time to spend deriving the key on this device, in ms (0: the default, Argon2id 64 MiB × 3;
    /// more is calibrated up, never below that).
    pub unlock_target_ms: u32,
    /// Test builds only: a tiny key derivation so that tests run fast. Refused by release builds.
    pub insecure_fast_kdf_for_tests: bool,
}

impl Default for VaultSettings {
    fn default() -> Self {
        VaultSettings {
            max_failed_unlocks: 10,
            retention_days: None,
            unlock_target_ms: 0,
            insecure_fast_kdf_for_tests: false,
        }
    }
}

/// What the unlock screen shows before a passphrase is typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct VaultStatus {
    pub exists: bool,
    /// Failed unlocks since the last success.
    pub failed_unlocks: u32,
    /// At this many, the vault erases itself.
    pub max_failed_unlocks: u32,
}

/// Whether a vault exists at `path`, and its failure counter.
#[uniffi::export]
pub fn vault_status(path: String) -> Result<VaultStatus, VaultError> {
    let path = PathBuf::from(path);
    if !path.is_file() {
        return Ok(VaultStatus {
            exists: false,
            failed_unlocks: 0,
            max_failed_unlocks: 0,
        });
    }
    let (failed, max) = core::Vault::failed_unlocks(&path)?;
    Ok(VaultStatus {
        exists: true,
        failed_unlocks: failed,
        max_failed_unlocks: max,
    })
}

/// The panic wipe: destroys the key material and every record at `path`, locked or not. Lock any
/// open `Vault` object on it first.
#[uniffi::export]
pub fn wipe_vault(path: String) -> Result<(), VaultError> {
    Ok(core::Vault::wipe(&PathBuf::from(path))?)
}

fn kdf(settings: &VaultSettings) -> Result<KdfParams, VaultError> {
    if settings.insecure_fast_kdf_for_tests {
        return if cfg!(debug_assertions) {
            Ok(KdfParams::INSECURE_FOR_TESTS)
        } else {
            Err(VaultError::Invalid {
                reason: "the fast key derivation is for test builds only".into(),
            })
        };
    }
    if settings.unlock_target_ms == 0 {
        return Ok(KdfParams::DEFAULT);
    }
    let target = std::time::Duration::from_millis(u64::from(settings.unlock_target_ms));
    KdfParams::calibrate(target).map_err(|e| VaultError::Crypto {
        reason: e.to_string(),
    })
}

fn invalid(reason: impl Into<String>) -> VaultError {
    VaultError::Invalid {
        reason: reason.into(),
    }
}

/// An open vault.
#[derive(uniffi::Object)]
pub struct Vault {
    inner: Mutex<Option<core::Vault>>,
    _live: Live,
}

impl Vault {
    fn open(vault: core::Vault) -> Arc<Vault> {
        Arc::new(Vault {
            inner: Mutex::new(Some(vault)),
            _live: Live::new(Kind::Vault),
        })
    }

    /// Runs `f` on the open vault. A panic inside the core cannot leave a transaction half-done
    /// (SQLite rolls it back), so a poisoned lock is taken over.
    pub(crate) fn with<T>(
        &self,
        f: impl FnOnce(&mut core::Vault) -> Result<T, core::VaultError>,
    ) -> Result<T, VaultError> {
        let mut guard: MutexGuard<'_, Option<core::Vault>> = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let vault = guard.as_mut().ok_or(VaultError::Locked)?;
        Ok(f(vault)?)
    }
}

#[uniffi::export]
impl Vault {
    /// Creates a vault at `path` (the app's private files directory). The passphrase has at least
    /// 8 characters; `key_provider` supplies the platform secret.
    #[uniffi::constructor]
    pub fn create(
        path: String,
        passphrase: String,
        key_provider: Arc<dyn KeyProvider>,
        settings: VaultSettings,
    ) -> Result<Arc<Vault>, VaultError> {
        let passphrase = Zeroizing::new(passphrase);
        let options = VaultOptions {
            kdf: kdf(&settings)?,
            max_failed_unlocks: settings.max_failed_unlocks.max(1),
            retention_days: settings.retention_days,
        };
        let path = PathBuf::from(path);
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|e| VaultError::Storage {
                reason: e.kind().to_string(),
            })?;
        }
        let vault = core::Vault::create(&path, &passphrase, &Bridge(key_provider), options)?;
        Ok(Vault::open(vault))
    }

    /// Opens the vault. A wrong passphrase is counted (durably) and throws
    /// `WrongPassphrase(remaining)`; after a few, `TooSoon(seconds)`; at the maximum the vault
    /// erases itself (`Erased`). The duress passphrase silently erases it and opens an empty one.
    #[uniffi::constructor]
    pub fn unlock(
        path: String,
        passphrase: String,
        key_provider: Arc<dyn KeyProvider>,
    ) -> Result<Arc<Vault>, VaultError> {
        let passphrase = Zeroizing::new(passphrase);
        let vault = core::Vault::unlock(&PathBuf::from(path), &passphrase, &Bridge(key_provider))?;
        Ok(Vault::open(vault))
    }

    /// Locks: the keys are zeroized and the file closed. Later calls throw `Locked`.
    pub fn lock(&self) {
        let mut guard = self
            .inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(vault) = guard.take() {
            vault.lock();
        }
    }

    pub fn is_locked(&self) -> bool {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_none()
    }

    /// Changes the passphrase (only the data key is rewrapped: instant, whatever the vault size).
    pub fn change_passphrase(
        &self,
        new_passphrase: String,
        key_provider: Arc<dyn KeyProvider>,
    ) -> Result<(), VaultError> {
        let new_passphrase = Zeroizing::new(new_passphrase);
        self.with(|v| v.change_passphrase(&new_passphrase, &Bridge(key_provider)))
    }

    /// Sets the duress passphrase: typed at unlock, it silently erases the vault.
    pub fn set_duress_passphrase(
        &self,
        duress_passphrase: String,
        key_provider: Arc<dyn KeyProvider>,
    ) -> Result<(), VaultError> {
        let duress_passphrase = Zeroizing::new(duress_passphrase);
        self.with(|v| v.set_duress_passphrase(&duress_passphrase, &Bridge(key_provider)))
    }

    /// The organisation this device works for, as the other side of a handover sees it.
    pub fn organisation(&self) -> Result<String, VaultError> {
        self.with(|v| v.organisation())
    }

    pub fn set_organisation(&self, name: String) -> Result<(), VaultError> {
        self.with(|v| v.set_organisation(&name))
    }

    pub fn set_retention_days(&self, days: Option<u32>) -> Result<(), VaultError> {
        self.with(|v| v.set_retention_days(days))
    }

    /// Purges closed cases past the retention period; returns how many.
    pub fn purge_expired(&self) -> Result<u32, VaultError> {
        self.with(|v| v.apply_retention(now()))
            .map(|n| u32::try_from(n).unwrap_or(u32::MAX))
    }

    // --- cases ---------------------------------------------------------------------------------

    /// Opens a new case; returns its pseudonymous code (`RLS-XXXX-XXXX`).
    pub fn create_case(&self) -> Result<String, VaultError> {
        self.with(|v| v.create_case())
    }

    /// Every case, newest first.
    pub fn list_cases(&self) -> Result<Vec<CaseSummary>, VaultError> {
        Ok(self
            .with(|v| v.list_cases())?
            .into_iter()
            .map(CaseSummary::from)
            .collect())
    }

    pub fn case_detail(&self, code: String) -> Result<CaseDetail, VaultError> {
        Ok(self.with(|v| v.case(&code))?.into())
    }

    /// Starts `form_id` for case `code`, with what the case already says of the person: their age,
    /// or whether they are a child (so a consent form in a child's case asks for the child's assent
    /// and a guardian, and an interview after a quick check keeps the presumption of minority).
    pub fn start_form(
        &self,
        code: String,
        form_id: String,
        language: Language,
    ) -> Result<Arc<Interview>, VaultError> {
        let context = self.with(|v| v.case_context(&code))?;
        let session = relais_core::session::Session::start(&form_id, language.into(), context)
            .map_err(|e| invalid(e.to_string()))?;
        Ok(Interview::from_session(session))
    }

    /// Adds a note; returns the entry id.
    pub fn add_note(&self, code: String, text: String) -> Result<String, VaultError> {
        self.with(|v| v.add_note(&code, &text))
    }

    /// Saves a finished form (its answers and result) into a case; returns the entry id. An
    /// unfinished form throws `Invalid` naming the unanswered questions, and saves nothing.
    pub fn save_result(
        &self,
        code: String,
        interview: Arc<Interview>,
    ) -> Result<String, VaultError> {
        let (draft, result) = interview.finished().map_err(|e| match e {
            InterviewError::Incomplete { question_ids } => invalid(format!(
                "the form is not finished: {} required question(s) unanswered ({})",
                question_ids.len(),
                question_ids.join(", ")
            )),
            other => invalid(other.to_string()),
        })?;
        self.with(|v| v.save_result(&code, &draft, &result))
    }

    /// Records the person's consent, given now, to one referral (scope: the service id) or one
    /// handover (scope: the receiving organisation); returns the entry id.
    pub fn record_consent(
        &self,
        code: String,
        purpose: ConsentPurpose,
        scope: String,
    ) -> Result<String, VaultError> {
        let purpose = purpose.into();
        let scope = consent_scope(purpose, &scope);
        self.with(|v| v.record_consent(&code, purpose, &scope))
    }

    pub fn set_case_status(&self, code: String, status: CaseStatus) -> Result<(), VaultError> {
        self.with(|v| v.set_case_status(&code, status.into()))
    }

    /// Deletes a case and everything in it (the audit log keeps that it happened).
    pub fn delete_case(&self, code: String) -> Result<(), VaultError> {
        self.with(|v| v.delete_case(&code))
    }

    // --- referral ------------------------------------------------------------------------------

    /// The services to propose for a case, from what its screenings and assessments found.
    /// `area`: where the person is (`Kwilu/Kikwit`, or a place name).
    pub fn propose_services(
        &self,
        code: String,
        directory: Arc<ServiceDirectory>,
        area: Option<String>,
        language: Language,
    ) -> Result<ServiceProposals, VaultError> {
        let d: &Directory = &directory.directory;
        Ok(self
            .with(|v| v.propose_services(&code, d, area, language.into()))?
            .into())
    }

    /// Refers the person to `service` (from the proposals). It needs the person's consent: given
    /// now (`consent_given_now`, recorded first), recorded earlier, or an override with its
    /// reason (a threat to life). Returns the referral id.
    pub fn refer(
        &self,
        code: String,
        service: ServiceView,
        priority: Priority,
        reason: String,
        consent_given_now: bool,
        override_reason: Option<String>,
    ) -> Result<String, VaultError> {
        self.with(|v| {
            v.transaction(|v| {
                if consent_given_now {
                    let purpose = relais_core::effects::ConsentPurpose::Referral;
                    v.record_consent(&code, purpose, &consent_scope(purpose, &service.id))?;
                }
                v.create_referral(
                    &code,
                    NewReferral {
                        service_id: service.id.clone(),
                        organisation: service.organisation.clone(),
                        service: service.service.clone(),
                        categories: service.categories.clone(),
                        priority: priority.into(),
                        reason: reason.clone(),
                        override_reason: override_reason.clone(),
                    },
                )
            })
        })
    }

    /// Every referral, newest first. Damaged records are left out (see `check()`).
    pub fn referrals(&self) -> Result<Vec<Referral>, VaultError> {
        Ok(self
            .with(|v| v.referrals())?
            .0
            .into_iter()
            .map(Referral::from)
            .collect())
    }

    /// Moves a referral on; a rejection needs its reason.
    pub fn set_referral_status(
        &self,
        referral_id: String,
        status: ReferralStatus,
        reason: Option<String>,
    ) -> Result<(), VaultError> {
        self.with(|v| v.set_referral_status(&referral_id, status.into(), reason.as_deref()))
    }

    // --- exports and integrity -----------------------------------------------------------------

    /// The HTCDS v2.0 export of the cases whose consent allows research.
    pub fn export_htcds(&self, format: ExportFormat) -> Result<String, VaultError> {
        self.with(|v| {
            let e = v.export_htcds()?;
            match format {
                ExportFormat::Csv => export::htcds_csv(&e),
                ExportFormat::Json => serde_json::to_string_pretty(&e)
                    .map_err(|_| core::VaultError::Invalid("cannot write the export".into())),
            }
        })
    }

    /// Aggregate statistics with small cells (under `k`, at least 2) suppressed.
    pub fn export_stats(&self, k: u32, format: ExportFormat) -> Result<String, VaultError> {
        if k < 2 {
            return Err(invalid("k must be at least 2"));
        }
        self.with(|v| {
            let s = v.export_stats(k)?;
            match format {
                ExportFormat::Csv => export::stats_csv(&s),
                ExportFormat::Json => serde_json::to_string_pretty(&s)
                    .map_err(|_| core::VaultError::Invalid("cannot write the export".into())),
            }
        })
    }

    /// Checks SQLite's integrity, every record's authentication and the audit chain.
    pub fn check(&self) -> Result<VaultCheck, VaultError> {
        Ok(self.with(|v| v.check())?.into())
    }

    pub fn audit_log(&self) -> Result<Vec<AuditEntry>, VaultError> {
        Ok(self
            .with(|v| v.audit_log())?
            .into_iter()
            .map(AuditEntry::from)
            .collect())
    }

    // --- handover ------------------------------------------------------------------------------

    /// Receiver, step 1: a fresh key for one handover, valid `minutes` (1 to 1440).
    /// `max_fragment`: bytes per frame this camera reads well (939 is the tested default).
    /// Show its QR and, under it, `fingerprint` (a sender that cannot verify the key compares it).
    pub fn open_receive_session(
        &self,
        minutes: u32,
        max_fragment: u16,
    ) -> Result<ReceiverKey, VaultError> {
        let key = self.with(|v| v.open_receive_session(max_fragment, minutes, now()))?;
        let text = key.to_text();
        let qr = qr_matrix(text.clone()).map_err(|e| invalid(e.to_string()))?;
        Ok(ReceiverKey {
            text,
            qr,
            fingerprint: fingerprint(&key.receiver),
            organisation: key.organisation,
            expires_at: key.expires_at,
        })
    }

    /// Sender, step 1: reads a scanned key QR and says who it belongs to, before anything is
    /// sealed: listed in the signed directory, remembered on this phone, or not verified (then
    /// show its fingerprint to compare in full with the receiver's screen). A key that cannot be
    /// used throws `HandoverRefused` with its `problem`.
    pub fn check_receiver(&self, key_text: String) -> Result<ReceiverCheckView, VaultError> {
        let text = key_text.trim();
        let check = self.with(|v| v.check_receiver(text, now()))?;
        Ok(ReceiverCheckView::from(&check))
    }

    /// Sender, step 2: seals case `code` to the receiver's key (the text its QR holds) and
    /// records the custody event; then show the sender's frames. It needs, first, a verified
    /// receiver: listed, remembered, or `confirmed_fingerprint` (the fingerprint the worker saw
    /// to be the same on both screens; otherwise `ReceiverNotVerified`, and a different one
    /// `FingerprintMismatch`); `remember` keeps such a receiver as verified on this phone. Then
    /// the person's consent to this receiver as verified (`HandoverConsentRequired` names it).
    /// Any refusal seals nothing.
    pub fn send_handover(
        &self,
        code: String,
        receiver_key_text: String,
        confirmed_fingerprint: Option<String>,
        remember: bool,
    ) -> Result<Arc<HandoverSender>, VaultError> {
        let text = receiver_key_text.trim();
        let options = SendOptions {
            fingerprint: confirmed_fingerprint.filter(|f| !f.trim().is_empty()),
            remember,
        };
        let outgoing = self.with(|v| v.send_handover(&code, text, &options, now()))?;
        HandoverSender::new(outgoing).map_err(|e| invalid(e.to_string()))
    }

    /// Receiver, step 2: imports the case the receiver rebuilt (once; the same case version again
    /// changes nothing). Show `ackText` as a QR to the sender, and who sent it: `fromVerified`
    /// (listed in this phone's directory) or a claimed name with `fromFingerprint`.
    pub fn receive_handover(
        &self,
        receiver: Arc<HandoverReceiver>,
    ) -> Result<ReceivedCase, VaultError> {
        let progress = receiver.progress();
        let Some(envelope) = receiver.envelope() else {
            return Err(invalid(format!(
                "incomplete: {} of {} fragments recovered; scan more frames",
                progress.known, progress.needed
            )));
        };
        self.import_envelope(envelope)
    }

    /// Imports a sealed envelope read from a `.relais` file. An envelope refused for a reason the
    /// screen words on its own (an older Relais, sealed for another receiver, dated in the
    /// future) throws `HandoverRefused` with its `problem`.
    pub fn import_envelope(&self, envelope: Vec<u8>) -> Result<ReceivedCase, VaultError> {
        let got = self.with(|v| v.receive_handover(&envelope, now()))?;
        Ok(ReceivedCase {
            case_code: got.case,
            ack_text: got.ack,
            from_organisation: got.from.organisation,
            from_verified: got.from.verified,
            from_fingerprint: got.from.fingerprint,
            already_received: got.already_received,
        })
    }

    /// Sender, last step: records the receiver's acknowledgement (the text of its QR); returns
    /// the case code.
    pub fn record_ack(&self, ack_text: String) -> Result<String, VaultError> {
        self.with(|v| v.record_ack(ack_text.trim()))
    }
}
