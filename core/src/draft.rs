//! Drafts: a session saved as JSON, to resume later or to script a whole session (docs/forms.md).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The `format` field of every draft.
pub const DRAFT_FORMAT: &str = "relais.draft";
/// The draft schema this core writes and reads.
pub const DRAFT_SCHEMA: u32 = 1;

/// What the session knows before the first question.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Context {
    /// The person's age when already known (e.g. from a document, or `--age`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub age: Option<u32>,
}

/// A saved session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Draft {
    pub format: String,
    pub schema: u32,
    pub form: String,
    pub form_version: u32,
    /// A language code; checked when the draft is resumed.
    pub language: String,
    #[serde(default)]
    pub context: Context,
    #[serde(default)]
    pub answers: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skipped: Vec<String>,
    /// The question the session was on (absent: the first one unanswered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
}

/// Why a draft could not be resumed. Messages name questions, never answers.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DraftError {
    #[error("the draft is not valid JSON of the draft format: {0}")]
    Malformed(String),
    #[error("not a Relais draft (format must be \"{DRAFT_FORMAT}\")")]
    NotADraft,
    #[error("draft schema {0} is not supported (this version reads schema {DRAFT_SCHEMA})")]
    Schema(u32),
    #[error("unknown form '{0}'")]
    UnknownForm(String),
    #[error("the draft was made with version {draft} of form '{form}', this is version {current}")]
    FormVersion {
        form: String,
        draft: u32,
        current: u32,
    },
    #[error("{0}")]
    Language(#[from] crate::lang::UnknownLanguage),
    #[error("the draft answers question '{0}', which form '{1}' does not have")]
    UnknownQuestion(String, String),
    #[error("question '{0}' is required and cannot be skipped")]
    RequiredSkipped(String),
    #[error("invalid answer to question '{question}': {error}")]
    InvalidAnswer {
        question: String,
        error: crate::answer::AnswerError,
    },
}

impl Draft {
    /// Parses a draft from JSON. Only the JSON shape is checked here; [`crate::session::Session::resume`]
    /// checks the answers against the form.
    pub fn from_json(json: &str) -> Result<Draft, DraftError> {
        // Answers are kept as raw JSON values at this stage, so serde can only complain about the
        // envelope (field names, format, form, language, context): its messages carry no answer.
        let draft: Draft =
            serde_json::from_str(json).map_err(|e| DraftError::Malformed(e.to_string()))?;
        if draft.format != DRAFT_FORMAT {
            return Err(DraftError::NotADraft);
        }
        if draft.schema != DRAFT_SCHEMA {
            return Err(DraftError::Schema(draft.schema));
        }
        Ok(draft)
    }

    pub fn to_json_pretty(&self) -> String {
        // A Draft holds only strings, numbers and JSON values: serialising it cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}
