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
    /// Whether the person is a child (`true`: known or presumed under 18), when that is known but
    /// the age is not — from an earlier screening of the same case, say. The age wins when given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child: Option<bool>,
}

impl Context {
    /// A context with a known age only.
    pub fn with_age(age: Option<u32>) -> Context {
        Context { age, child: None }
    }
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
        // Serde quotes a wrongly typed value in its message ("invalid type: string \"…\""), and a
        // wrong value may be something a person said: keep serde's words only when they name
        // fields, and otherwise say where the problem is.
        let draft: Draft = serde_json::from_str(json).map_err(|e| {
            let message = e.to_string();
            let names_fields =
                message.starts_with("unknown field") || message.starts_with("missing field");
            DraftError::Malformed(match e.classify() {
                serde_json::error::Category::Data if !names_fields => format!(
                    "a field has a value of the wrong type at line {} column {}",
                    e.line(),
                    e.column()
                ),
                _ => message,
            })
        })?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_drafts_never_repeat_their_values() {
        let base = r#"{"format":"relais.draft","schema":1,"form":"needs","form_version":1,"language":"fr","#;
        for tail in [
            r#""answers":"ZebraSecret42"}"#,
            r#""answers":{},"position":["ZebraSecret42"]}"#,
            r#""answers":{},"context":{"age":"ZebraSecret42"}}"#,
        ] {
            let err = Draft::from_json(&format!("{base}{tail}"))
                .unwrap_err()
                .to_string();
            assert!(!err.contains("ZebraSecret42"), "{err}");
            assert!(err.contains("line 1"), "{err}");
        }
        let err = Draft::from_json(&format!("{base}\"answerz\":{{}}}}"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown field `answerz`"), "{err}");
        let err = Draft::from_json(r#"{"format":"relais.draft"}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field"), "{err}");
    }
}
