//! The vignette suite: realistic cases written as the answers a worker records in a full interview,
//! each with the result a trained practitioner expects and why (`tests/vignettes/*.json`).
//!
//! A vignette lists the answers the person gave. Every other question the interview shows gets its
//! *neutral* answer — the one that evidences nothing, as a worker records it when the person says
//! it did not happen (for a number, a value under every threshold; for the closing text, a dash) —
//! unless the vignette says `"rest": "unanswered"`, in which case the interview is finished as soon
//! as its listed answers are given, the rest never reached, as when an interview is cut short. A
//! listed answer to a question the interview never shows is an error: the vignette would claim a
//! fact the form did not record.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use relais_core::answer::Answer;
use relais_core::effects::Effects;
use relais_core::forms::{Question, QuestionKind};
use relais_core::result::FormResult;
use relais_core::session::ScreenKind;
use relais_core::{Context, Lang, Session};
use serde::Deserialize;
use serde_json::Value;

/// What a practitioner expects of a vignette.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    pub outcome: String,
    /// The triage item ids, exactly (order does not matter).
    #[serde(default)]
    pub triage: Vec<String>,
    pub first_step: String,
    /// `ilo`, `protocol` or `both` when the outcome is possible trafficking.
    #[serde(default)]
    pub basis: Option<String>,
    /// Red flags that must be raised (others may be too).
    #[serde(default)]
    pub flags: Vec<String>,
    /// Whether every question shown was answered (default: yes).
    #[serde(default = "yes")]
    pub complete: bool,
    /// The act must be established (or must not be).
    #[serde(default)]
    pub act: Option<bool>,
    /// No indicator of these dimensions may be counted (for example `VR` for a self-recruited
    /// person).
    #[serde(default)]
    pub no_indicators_in: Vec<String>,
}

fn yes() -> bool {
    true
}

/// One vignette file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Vignette {
    /// What happened, in a sentence or two.
    pub facts: String,
    /// Tags for coverage: adult/child, labour, sexual, begging, criminality, domestic, marriage,
    /// smuggling, gbv, child_labour, free, incomplete.
    pub tags: Vec<String>,
    pub language: Lang,
    #[serde(default)]
    pub age: Option<u32>,
    pub answers: BTreeMap<String, Value>,
    /// `neutral` (default) or `unanswered`.
    #[serde(default)]
    pub rest: Option<String>,
    pub expected: Expectation,
    /// Why, from the sources (ILO/EC 2009, Palermo Protocol art. 3, UNODC, IOM 2019 Handbook).
    pub why: String,
}

/// The folder of the vignettes.
pub fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("vignettes")
}

/// Every vignette, by file name.
pub fn all() -> Result<Vec<(String, Vignette)>, String> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir())
        .map_err(|e| e.to_string())?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or_default()
                .to_string();
            let text = fs::read_to_string(&p).map_err(|e| format!("{name}: {e}"))?;
            let v = serde_json::from_str(&text).map_err(|e| format!("{name}: {e}"))?;
            Ok((name, v))
        })
        .collect()
}

/// Whether an effect evidences nothing: no indicator, flag, need, risk, act or purpose (a triage
/// sign such as "free to leave" describes the ordinary case and does not count).
fn evidences_nothing(e: &Effects) -> bool {
    e.indicators.is_empty()
        && e.flags.is_empty()
        && e.needs.is_empty()
        && e.risk.is_none()
        && e.acts.is_empty()
        && e.purposes.is_empty()
        && e.consent.is_none()
}

/// The answer that evidences nothing, for a question the vignette does not answer.
pub fn neutral(q: &Question) -> Answer {
    match &q.kind {
        QuestionKind::YesNo { yes, no } => {
            let yes_is_ordinary = evidences_nothing(yes) && !yes.signs.is_empty();
            if evidences_nothing(no) && !yes_is_ordinary {
                Answer::No
            } else {
                Answer::Yes
            }
        }
        QuestionKind::Single { options } => options
            .iter()
            .find(|o| evidences_nothing(&o.effects))
            .map_or(Answer::DontKnow, |o| Answer::Choice(o.id.clone())),
        QuestionKind::Multi { options } => options
            .iter()
            .find(|o| o.exclusive && evidences_nothing(&o.effects))
            .map_or(Answer::DontKnow, |o| Answer::Choices(vec![o.id.clone()])),
        QuestionKind::Number(spec) => {
            let lowest = spec
                .thresholds
                .iter()
                .filter_map(|t| t.min)
                .fold(f64::INFINITY, f64::min);
            let floor = spec.min.unwrap_or(0.0);
            let n = if lowest.is_finite() {
                (lowest - 1.0).max(floor)
            } else {
                floor.max(1.0)
            };
            Answer::Number(n.floor())
        }
        QuestionKind::Date => Answer::Date("2024".into()),
        QuestionKind::Text { .. } => Answer::Text("-".into()),
    }
}

/// Runs a vignette through a real session, question by question as the interview shows them.
pub fn run(v: &Vignette) -> Result<(Session, FormResult), String> {
    let mut s = Session::start(
        "interview",
        v.language,
        Context {
            age: v.age,
            child: None,
        },
    )
    .map_err(|e| e.to_string())?;
    let cut_short = v.rest.as_deref() == Some("unanswered");
    let mut used = 0;
    for _ in 0..1000 {
        let screen = s.screen();
        if screen.kind == ScreenKind::Review {
            break;
        }
        let Some(view) = screen.question else { break };
        let q = s
            .form()
            .question(&view.id)
            .ok_or_else(|| format!("no question {}", view.id))?
            .question;
        match v.answers.get(&view.id) {
            Some(value) => {
                let answer =
                    Answer::from_json(value, q).map_err(|e| format!("{}: {e}", view.id))?;
                s.try_answer(answer).map_err(|e| e.to_string())?;
                used += 1;
            }
            None if cut_short => {
                if used == v.answers.len() {
                    break;
                }
                if q.required {
                    return Err(format!(
                        "{} is required: answer it in the vignette",
                        view.id
                    ));
                }
                s.try_skip().map_err(|e| e.to_string())?;
            }
            None => s.try_answer(neutral(q)).map_err(|e| e.to_string())?,
        }
    }
    if used != v.answers.len() {
        let asked: Vec<&String> = v
            .answers
            .keys()
            .filter(|id| s.answer_of(id).is_none())
            .collect();
        return Err(format!(
            "the interview never showed {asked:?}: the vignette claims answers the form did not ask"
        ));
    }
    let result = s.finish().map_err(|e| e.to_string())?;
    Ok((s, result))
}
