//! # relais-core
//!
//! The logic of Relais, once, for every front end (the `relais` CLI, and the Android and iOS apps
//! through uniffi): the ILO indicator catalogue and scoring rules, the forms, the interview session
//! that returns complete localised screens, the short assessments (quick check, needs, risk, consent)
//! and referral matching over a service directory.
//!
//! A screening never decides victim status: the strongest result is "possible victim of trafficking:
//! refer for formal identification" by the national referral mechanism's competent authority.

pub mod answer;
pub mod assessment;
pub mod catalogue;
pub mod completeness;
pub mod draft;
pub mod effects;
pub mod evidence;
pub mod explain;
pub mod forms;
pub mod handover;
pub mod i18n;
pub mod lang;
pub mod next_steps;
pub mod protocol;
pub mod referral;
pub mod result;
pub mod rules;
pub mod scoring;
pub mod session;
pub mod text;
pub mod training;
pub mod triage;
pub mod vault;
pub mod wording;

pub use answer::{Answer, AnswerError};
pub use catalogue::{Catalogue, Dimension, Strength, Subject};
pub use draft::{Context, Draft, DraftError};
pub use effects::{Need, Priority, RedFlag};
pub use lang::{Lang, Text};
pub use result::FormResult;
pub use scoring::{Outcome, ScoreError, ScreeningResult};
pub use session::{Screen, Session, SessionError};

/// Runs a whole session from a draft, non-interactively: every answer is checked, every required
/// question shown must be answered, and the result is returned.
pub fn run_draft(draft: &Draft) -> Result<FormResult, SessionError> {
    Session::resume(draft)?.finish()
}
