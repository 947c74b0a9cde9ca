//! The screen records: everything a UI needs to draw one step of a form, already localised. They
//! mirror `relais_core::session::Screen` field for field.

use relais_core::forms;
use relais_core::session as core;

use crate::language::{Direction, Language};

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ScreenKind {
    /// One question to answer.
    Question,
    /// The review before finishing: what is answered, what is missing.
    Review,
}

/// How a question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum AnswerType {
    YesNo,
    Single,
    Multi,
    Number,
    Date,
    Text,
}

/// One step of a form.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct Screen {
    pub form_id: String,
    pub form_version: u32,
    pub form_title: String,
    pub language: Language,
    pub direction: Direction,
    pub kind: ScreenKind,
    pub section: Option<SectionView>,
    pub question: Option<QuestionView>,
    pub review: Option<ReviewView>,
    pub progress: Progress,
    pub can_back: bool,
    pub can_next: bool,
    pub can_skip: bool,
    pub can_finish: bool,
    /// Validation messages from the last action, in the session's language.
    pub errors: Vec<String>,
    pub labels: Labels,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct SectionView {
    pub id: String,
    pub title: String,
    /// Read this before the section's first question.
    pub intro: Option<String>,
    /// The current question is the first of its section (show the intro now).
    pub starts_here: bool,
    /// 1-based index among the sections shown, and their count.
    pub index: u32,
    pub count: u32,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct QuestionView {
    pub id: String,
    pub answer_type: AnswerType,
    pub prompt: String,
    /// Guidance for the interviewer; not read aloud.
    pub help: Option<String>,
    pub required: bool,
    /// Yes/No, or the choices; `selected` marks the current answer.
    pub options: Vec<OptionView>,
    /// "Don't know" and "Prefers not to say", always available.
    pub special_options: Vec<OptionView>,
    pub number: Option<NumberView>,
    pub max_length: Option<u32>,
    /// How to type the answer.
    pub hint: Option<String>,
    /// The current typed answer, to prefill the field.
    pub current_text: Option<String>,
    pub answered: bool,
    pub skipped: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct OptionView {
    /// What to pass to `Interview.choose`.
    pub id: String,
    pub label: String,
    pub selected: bool,
    /// Cannot be combined with other options.
    pub exclusive: bool,
}

#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct NumberView {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub integer: bool,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReviewView {
    pub title: String,
    pub message: String,
    pub answered: u32,
    pub dont_know: u32,
    pub prefer_not_to_say: u32,
    pub unanswered: u32,
    /// Required questions still unanswered: tap one to go to it (`Interview.goTo`).
    pub unanswered_required: Vec<QuestionRef>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct QuestionRef {
    pub id: String,
    pub prompt: String,
}

/// Progress through the questions currently shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Record)]
pub struct Progress {
    /// 1-based position among the questions shown; 0 on the review screen.
    pub position: u32,
    pub total: u32,
    pub answered: u32,
    pub percent: u32,
}

/// Button labels, so that UIs carry no domain strings.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Labels {
    pub back: String,
    pub next: String,
    pub skip: String,
    pub finish: String,
    pub review: String,
    pub quit: String,
    pub required: String,
    pub progress: String,
}

impl From<forms::AnswerType> for AnswerType {
    fn from(t: forms::AnswerType) -> AnswerType {
        match t {
            forms::AnswerType::YesNo => AnswerType::YesNo,
            forms::AnswerType::Single => AnswerType::Single,
            forms::AnswerType::Multi => AnswerType::Multi,
            forms::AnswerType::Number => AnswerType::Number,
            forms::AnswerType::Date => AnswerType::Date,
            forms::AnswerType::Text => AnswerType::Text,
        }
    }
}

fn option(o: core::OptionView) -> OptionView {
    OptionView {
        id: o.id,
        label: o.label,
        selected: o.selected,
        exclusive: o.exclusive,
    }
}

impl From<core::Screen> for Screen {
    fn from(s: core::Screen) -> Screen {
        Screen {
            form_id: s.form_id,
            form_version: s.form_version,
            form_title: s.form_title,
            language: s.language.into(),
            direction: s.direction.into(),
            kind: match s.kind {
                core::ScreenKind::Question => ScreenKind::Question,
                core::ScreenKind::Review => ScreenKind::Review,
            },
            section: s.section.map(|v| SectionView {
                id: v.id,
                title: v.title,
                intro: v.intro,
                starts_here: v.starts_here,
                index: v.index,
                count: v.count,
            }),
            question: s.question.map(|q| QuestionView {
                id: q.id,
                answer_type: q.answer_type.into(),
                prompt: q.prompt,
                help: q.help,
                required: q.required,
                options: q.options.into_iter().map(option).collect(),
                special_options: q.special_options.into_iter().map(option).collect(),
                number: q.number.map(|n| NumberView {
                    min: n.min,
                    max: n.max,
                    integer: n.integer,
                    unit: n.unit,
                }),
                max_length: q.max_length,
                hint: q.hint,
                current_text: q.current_text,
                answered: q.answered,
                skipped: q.skipped,
            }),
            review: s.review.map(|r| ReviewView {
                title: r.title,
                message: r.message,
                answered: r.answered,
                dont_know: r.dont_know,
                prefer_not_to_say: r.prefer_not_to_say,
                unanswered: r.unanswered,
                unanswered_required: r
                    .unanswered_required
                    .into_iter()
                    .map(|q| QuestionRef {
                        id: q.id,
                        prompt: q.prompt,
                    })
                    .collect(),
            }),
            progress: Progress {
                position: s.progress.position,
                total: s.progress.total,
                answered: s.progress.answered,
                percent: s.progress.percent,
            },
            can_back: s.can_back,
            can_next: s.can_next,
            can_skip: s.can_skip,
            can_finish: s.can_finish,
            errors: s.errors,
            labels: Labels {
                back: s.labels.back,
                next: s.labels.next,
                skip: s.labels.skip,
                finish: s.labels.finish,
                review: s.labels.review,
                quit: s.labels.quit,
                required: s.labels.required,
                progress: s.labels.progress,
            },
        }
    }
}
