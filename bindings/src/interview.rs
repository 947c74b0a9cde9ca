//! A form being filled in: the quick check, the interview, needs, risk or consent. Each call is one
//! user action and returns the whole next screen.

use std::sync::{Arc, Mutex, MutexGuard};

use relais_core::draft::{Context, Draft};
use relais_core::forms::{self, FormSummary};
use relais_core::result::FormResult;
use relais_core::session::Session;

use crate::error::InterviewError;
use crate::language::Language;
use crate::live::{Kind, Live};
use crate::result::FormResultView;
use crate::screen::Screen;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum FormKind {
    QuickCheck,
    Interview,
    Needs,
    Risk,
    Consent,
}

/// A form the core ships.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FormInfo {
    pub id: String,
    pub version: u32,
    pub kind: FormKind,
    pub languages: Vec<Language>,
    pub title: String,
    pub description: String,
    pub sections: u32,
    pub questions: u32,
}

impl From<FormSummary> for FormInfo {
    fn from(s: FormSummary) -> FormInfo {
        FormInfo {
            id: s.id,
            version: s.version,
            kind: match s.kind {
                forms::FormKind::QuickCheck => FormKind::QuickCheck,
                forms::FormKind::Interview => FormKind::Interview,
                forms::FormKind::Needs => FormKind::Needs,
                forms::FormKind::Risk => FormKind::Risk,
                forms::FormKind::Consent => FormKind::Consent,
            },
            languages: s.languages.into_iter().map(Language::from).collect(),
            title: s.title,
            description: s.description,
            sections: u32::try_from(s.sections).unwrap_or(u32::MAX),
            questions: u32::try_from(s.questions).unwrap_or(u32::MAX),
        }
    }
}

/// The forms the core ships, titled in `language`.
#[uniffi::export]
pub fn forms(language: Language) -> Vec<FormInfo> {
    forms::registry()
        .forms()
        .iter()
        .map(|f| FormSummary::of(f, language.into()).into())
        .collect()
}

/// One form being filled in. Not tied to a vault: finish it, then save it into a case with
/// `Vault.saveResult`; keep `draftJson()` in the vault's care to resume later.
#[derive(uniffi::Object)]
pub struct Interview {
    session: Mutex<Session>,
    _live: Live,
}

impl Interview {
    /// The session; a panic in another call cannot leave it half-changed (every change is one
    /// assignment), so a poisoned lock is taken over.
    fn session(&self) -> MutexGuard<'_, Session> {
        self.session
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A session started elsewhere (in a case, with the case's context).
    pub(crate) fn from_session(session: Session) -> Arc<Interview> {
        Arc::new(Interview {
            session: Mutex::new(session),
            _live: Live::new(Kind::Interview),
        })
    }

    /// The draft and result of a finished session, for saving.
    pub(crate) fn finished(&self) -> Result<(Draft, FormResult), InterviewError> {
        let session = self.session();
        let result = session.finish()?;
        Ok((session.draft(), result))
    }
}

#[uniffi::export]
impl Interview {
    /// Starts `form_id` in `language`. `age`: the person's age when already known (from a
    /// document), which answers the form's age question.
    #[uniffi::constructor]
    pub fn new(
        form_id: String,
        language: Language,
        age: Option<u32>,
    ) -> Result<Arc<Interview>, InterviewError> {
        let session = Session::start(&form_id, language.into(), Context::with_age(age))?;
        Ok(Arc::new(Interview {
            session: Mutex::new(session),
            _live: Live::new(Kind::Interview),
        }))
    }

    /// Resumes from a draft (`draftJson()` of an earlier session), at the question it was on.
    #[uniffi::constructor]
    pub fn resume(draft_json: String) -> Result<Arc<Interview>, InterviewError> {
        let draft = Draft::from_json(&draft_json)?;
        Ok(Arc::new(Interview {
            session: Mutex::new(Session::resume(&draft)?),
            _live: Live::new(Kind::Interview),
        }))
    }

    pub fn form_id(&self) -> String {
        self.session().form().id.clone()
    }

    /// The current screen, unchanged.
    pub fn screen(&self) -> Screen {
        self.session().screen().into()
    }

    /// Answers with the ids of the options picked (`options` and `specialOptions` of the
    /// question): `yes`/`no`, option ids, `dont_know`, `prefer_not_to_say`. A refused answer stays
    /// on the question with its message in `errors`.
    pub fn choose(&self, option_ids: Vec<String>) -> Screen {
        self.session().choose(&option_ids).into()
    }

    /// Answers a number, date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) or text question with what was
    /// typed (a decimal comma is accepted).
    pub fn answer_text(&self, text: String) -> Screen {
        self.session().answer_text(&text).into()
    }

    /// Leaves the question unanswered and moves on (refused, with a message, when required).
    pub fn skip(&self) -> Screen {
        self.session().skip().into()
    }

    /// Moves on, keeping the current answer.
    pub fn next(&self) -> Screen {
        self.session().next().into()
    }

    pub fn back(&self) -> Screen {
        self.session().back().into()
    }

    /// Goes to the review screen.
    pub fn review(&self) -> Screen {
        self.session().review().into()
    }

    /// Goes to a question shown now (from the review's list).
    pub fn go_to(&self, question_id: String) -> Result<Screen, InterviewError> {
        Ok(self.session().go_to(&question_id)?.into())
    }

    /// Switches language mid-session; answers are kept.
    pub fn set_language(&self, language: Language) -> Result<Screen, InterviewError> {
        Ok(self.session().set_language(language.into())?.into())
    }

    /// The result, once every required question shown is answered. The session stays open: going
    /// back and changing an answer, then finishing again, gives the new result.
    pub fn finish(&self) -> Result<FormResultView, InterviewError> {
        Ok(FormResultView::from(&self.session().finish()?))
    }

    /// The session as a versioned draft (JSON): answers, skips, position. It holds what the
    /// person said: store it only in the vault, never in plain files or logs.
    pub fn draft_json(&self) -> String {
        self.session().draft().to_json_pretty()
    }
}
