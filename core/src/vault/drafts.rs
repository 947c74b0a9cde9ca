//! The form in progress, kept sealed in the vault while it is locked. A phone locks whenever the
//! worker leaves the app or stops touching it, and an interview takes 30–60 minutes: without this,
//! a phone call in the middle of an interview would lose it. There is one pending form per vault
//! (one worker, one person at a time); saving replaces it, finishing or discarding removes it.
//!
//! It lives in the `meta` table under the key `draft`, sealed like every record (AEAD with the
//! vault's value key, bound to `meta/draft/value`), so no schema change; the duress passphrase and
//! the wipe erase it with everything else.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use super::{Result, Vault, VaultError, meta_get, meta_set, now};
use crate::draft::Draft;

const META_KEY: &str = "draft";

/// A form left unfinished, as saved.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PendingDraft {
    /// The session's draft (docs/forms.md: `relais.draft`), resumable with `Session::resume`.
    pub draft: Box<RawValue>,
    /// The case the form belongs to, if it was started from one.
    pub case: Option<String>,
    /// Unix seconds.
    pub saved_at: i64,
}

impl PartialEq for PendingDraft {
    fn eq(&self, other: &Self) -> bool {
        self.draft.get() == other.draft.get()
            && self.case == other.case
            && self.saved_at == other.saved_at
    }
}

impl PendingDraft {
    /// The draft's form id (read from the draft itself).
    pub fn form_id(&self) -> Result<String> {
        Draft::from_json(self.draft.get())
            .map(|d| d.form)
            .map_err(|_| VaultError::Tampered("meta/draft".into()))
    }
}

impl Vault {
    /// Saves the form in progress (replacing any other). The draft must be a valid draft and the
    /// case, if any, must exist: nothing is saved otherwise.
    pub fn save_pending_draft(&mut self, draft_json: &str, case: Option<&str>) -> Result<()> {
        Draft::from_json(draft_json).map_err(|e| VaultError::Invalid(e.to_string()))?;
        if let Some(code) = case {
            self.case_row(code)?;
        }
        let draft = RawValue::from_string(draft_json.to_owned())
            .map_err(|_| VaultError::Invalid("the draft is not valid JSON".into()))?;
        let pending = PendingDraft {
            draft,
            case: case.map(str::to_owned),
            saved_at: now(),
        };
        let sealed = self.seal_json("meta", META_KEY, "value", &pending)?;
        meta_set(self.conn(), META_KEY, &sealed)?;
        self.audit("draft.save", "")
    }

    /// The form left unfinished, if any.
    pub fn pending_draft(&self) -> Result<Option<PendingDraft>> {
        match meta_get(self.conn(), META_KEY)? {
            Some(sealed) => Ok(Some(self.open_json("meta", META_KEY, "value", &sealed)?)),
            None => Ok(None),
        }
    }

    /// Forgets the form left unfinished (finished, or abandoned by the worker).
    pub fn discard_pending_draft(&mut self) -> Result<()> {
        let removed = self
            .conn()
            .execute("DELETE FROM meta WHERE key = ?1", [META_KEY])?;
        if removed > 0 {
            self.audit("draft.discard", "")?;
        }
        Ok(())
    }
}
