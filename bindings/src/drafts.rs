//! The form in progress, kept sealed in the vault across a lock (core: `vault::drafts`). The app
//! saves it before the vault locks (leaving the app, the timeout) and offers to continue it after
//! unlocking; `Interview.resume(draftJson)` takes it up where it stopped.

use crate::error::VaultError;
use crate::interview::Interview;
use crate::vault::Vault;

/// A form left unfinished.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct PendingDraft {
    /// For `Interview.resume`.
    pub draft_json: String,
    pub form_id: String,
    /// The case it was started from, if any.
    pub case_code: Option<String>,
    /// Unix seconds.
    pub saved_at: i64,
}

#[uniffi::export]
impl Vault {
    /// Saves `interview`'s answers as the form in progress (replacing any other), for the case
    /// it belongs to if any.
    pub fn save_pending_draft(
        &self,
        interview: &Interview,
        case_code: Option<String>,
    ) -> Result<(), VaultError> {
        let json = interview.draft_json();
        self.with(|v| v.save_pending_draft(&json, case_code.as_deref()))
    }

    /// The form left unfinished, if any.
    pub fn pending_draft(&self) -> Result<Option<PendingDraft>, VaultError> {
        self.with(|v| {
            let Some(p) = v.pending_draft()? else {
                return Ok(None);
            };
            Ok(Some(PendingDraft {
                form_id: p.form_id()?,
                draft_json: p.draft.get().to_owned(),
                case_code: p.case,
                saved_at: p.saved_at,
            }))
        })
    }

    /// Forgets the form in progress (finished, or abandoned by the worker).
    pub fn discard_pending_draft(&self) -> Result<(), VaultError> {
        self.with(|v| v.discard_pending_draft())
    }
}
