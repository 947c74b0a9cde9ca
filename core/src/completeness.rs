//! Completeness: what a finished form rests on. Every result says how many of the questions shown
//! were answered, skipped or never reached, how many answers were "don't know" or declined, and
//! which questions that could change the result have no real answer — so that a result built on
//! questions never answered never reads as a clean "no flags" or "no indicators".

use serde::{Deserialize, Serialize};

use crate::answer::Answer;
use crate::forms::{Form, OTHERS_UNKNOWN};
use crate::i18n::{t, tf};
use crate::lang::Lang;

/// Why a question that could change the result has no real answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenState {
    /// Skipped on purpose.
    Skipped,
    /// Shown by the answers given, but the form was finished before it was asked.
    NotReached,
    DontKnow,
    PreferNotToSay,
}

impl OpenState {
    pub fn id(self) -> &'static str {
        match self {
            OpenState::Skipped => "skipped",
            OpenState::NotReached => "not_reached",
            OpenState::DontKnow => "dont_know",
            OpenState::PreferNotToSay => "prefer_not_to_say",
        }
    }
}

/// A question that could change the result and has no real answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenQuestion {
    pub id: String,
    pub prompt: String,
    pub state: OpenState,
}

/// What a result rests on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Completeness {
    /// Questions shown to this person (those the answers opened; not those answered from context).
    pub shown: u32,
    /// Real answers (a multiple choice with some options ticked counts, even with "not sure about
    /// the others").
    pub answered: u32,
    pub dont_know: u32,
    pub prefer_not_to_say: u32,
    pub skipped: u32,
    pub not_reached: u32,
    /// Of the questions shown, those whose answer could change the result (a free-text note, or a
    /// date only recorded, cannot).
    #[serde(default)]
    pub decisive: u32,
    /// Of those, how many have no answer at all (skipped or never reached).
    #[serde(default)]
    pub decisive_missing: u32,
    /// Every question shown that could change the result has an answer (real, "don't know" or
    /// declined): none skipped, none left unreached.
    pub complete: bool,
    /// The questions that could change the result and have no real answer, in form order.
    pub open: Vec<OpenQuestion>,
    /// One sentence for the top of the result, in the result's language.
    pub summary: String,
}

impl Completeness {
    /// Nothing is missing that could change the result: every question shown has a real answer,
    /// or a "don't know" or refusal on a question that could not change it.
    pub fn is_clean(&self) -> bool {
        self.complete && self.open.is_empty()
    }

    /// How many questions that could change the result were not answered at all (skipped or not
    /// reached).
    pub fn missing(&self) -> u32 {
        self.decisive_missing
    }
}

/// What became of one question shown.
pub(crate) enum Asked<'a> {
    Answered(&'a Answer),
    Skipped,
    NotReached,
}

/// The completeness of a form from the state of each question shown (`position`, state).
pub(crate) fn measure<'a>(
    form: &Form,
    shown: impl IntoIterator<Item = (usize, Asked<'a>)>,
    lang: Lang,
) -> Completeness {
    let mut c = Completeness {
        shown: 0,
        answered: 0,
        dont_know: 0,
        prefer_not_to_say: 0,
        skipped: 0,
        not_reached: 0,
        decisive: 0,
        decisive_missing: 0,
        complete: true,
        open: Vec::new(),
        summary: String::new(),
    };
    for (position, asked) in shown {
        let Some(located) = form.at(position) else {
            continue;
        };
        c.shown += 1;
        let state = match asked {
            Asked::Answered(Answer::DontKnow) => Some(OpenState::DontKnow),
            Asked::Answered(Answer::PreferNotToSay) => Some(OpenState::PreferNotToSay),
            // Only "not sure about the others" ticked: the person knows none of the answers.
            Asked::Answered(Answer::Choices(cs)) if cs.iter().all(|c| c == OTHERS_UNKNOWN) => {
                Some(OpenState::DontKnow)
            }
            Asked::Answered(_) => None,
            Asked::Skipped => Some(OpenState::Skipped),
            Asked::NotReached => Some(OpenState::NotReached),
        };
        match state {
            None => c.answered += 1,
            Some(OpenState::DontKnow) => c.dont_know += 1,
            Some(OpenState::PreferNotToSay) => c.prefer_not_to_say += 1,
            Some(OpenState::Skipped) => c.skipped += 1,
            Some(OpenState::NotReached) => c.not_reached += 1,
        }
        let decisive = form.is_decisive(position);
        if decisive {
            c.decisive += 1;
            if matches!(state, Some(OpenState::Skipped | OpenState::NotReached)) {
                c.decisive_missing += 1;
            }
        }
        if let Some(state) = state
            && decisive
        {
            c.open.push(OpenQuestion {
                id: located.question.id.clone(),
                prompt: located.question.prompt.get(lang).to_string(),
                state,
            });
        }
    }
    c.complete = c.missing() == 0;
    c.summary = summary(&c, lang);
    c
}

fn summary(c: &Completeness, lang: Lang) -> String {
    let n = |v: u32| v.to_string();
    if !c.complete {
        return tf(
            lang,
            "completeness.incomplete",
            &[("missing", &n(c.missing())), ("shown", &n(c.decisive))],
        );
    }
    if !c.open.is_empty() {
        return tf(
            lang,
            "completeness.uncertain",
            &[("shown", &n(c.decisive)), ("open", &n(c.open.len() as u32))],
        );
    }
    if c.shown == 0 {
        return t(lang, "completeness.nothing_shown");
    }
    tf(lang, "completeness.complete", &[("shown", &n(c.decisive))])
}
