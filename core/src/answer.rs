//! Answers: their values, how they are read from JSON by question type, and their validation.

use chrono::{Datelike, NaiveDate};
use serde_json::Value;

use crate::forms::{AnswerType, Question, QuestionKind};
use crate::i18n::{t, tf};
use crate::lang::Lang;

pub const DONT_KNOW: &str = "dont_know";
pub const PREFER_NOT_TO_SAY: &str = "prefer_not_to_say";

/// A stored answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    Yes,
    No,
    /// "Don't know": always a valid answer.
    DontKnow,
    /// "Prefers not to say": always a valid answer.
    PreferNotToSay,
    Choice(String),
    Choices(Vec<String>),
    Number(f64),
    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD`, already checked.
    Date(String),
    Text(String),
}

impl Answer {
    /// A real answer: not don't know, not prefers not to say.
    pub fn is_real(&self) -> bool {
        !matches!(self, Answer::DontKnow | Answer::PreferNotToSay)
    }

    /// The answer as a single choice id, for conditions (`yes`, `no`, an option id or a special).
    pub fn choice(&self) -> Option<&str> {
        match self {
            Answer::Yes => Some("yes"),
            Answer::No => Some("no"),
            Answer::DontKnow => Some(DONT_KNOW),
            Answer::PreferNotToSay => Some(PREFER_NOT_TO_SAY),
            Answer::Choice(c) => Some(c),
            _ => None,
        }
    }

    /// The answer in the draft format (docs/forms.md).
    pub fn to_json(&self) -> Value {
        match self {
            Answer::Yes => "yes".into(),
            Answer::No => "no".into(),
            Answer::DontKnow => DONT_KNOW.into(),
            Answer::PreferNotToSay => PREFER_NOT_TO_SAY.into(),
            Answer::Choice(c) => c.clone().into(),
            Answer::Choices(cs) => cs.clone().into(),
            Answer::Number(n) => number_json(*n),
            Answer::Date(d) => d.clone().into(),
            Answer::Text(s) => s.clone().into(),
        }
    }

    /// Reads an answer of the draft format for `question`, and validates it.
    pub fn from_json(value: &Value, question: &Question) -> Result<Answer, AnswerError> {
        if let Value::String(s) = value {
            match s.as_str() {
                DONT_KNOW => return Ok(Answer::DontKnow),
                PREFER_NOT_TO_SAY => return Ok(Answer::PreferNotToSay),
                _ => {}
            }
        }
        let expected = question.kind.answer_type();
        let wrong = || AnswerError::WrongType(expected);
        let answer = match (&question.kind, value) {
            (QuestionKind::YesNo { .. }, Value::String(s)) if s == "yes" => Answer::Yes,
            (QuestionKind::YesNo { .. }, Value::String(s)) if s == "no" => Answer::No,
            (QuestionKind::YesNo { .. }, Value::Bool(b)) => {
                if *b {
                    Answer::Yes
                } else {
                    Answer::No
                }
            }
            (QuestionKind::Single { .. }, Value::String(s)) => Answer::Choice(s.clone()),
            (QuestionKind::Multi { .. }, Value::Array(items)) => Answer::Choices(
                items
                    .iter()
                    .map(|v| v.as_str().map(str::to_string).ok_or_else(wrong))
                    .collect::<Result<_, _>>()?,
            ),
            (QuestionKind::Number(_), Value::Number(n)) => {
                Answer::Number(n.as_f64().ok_or_else(wrong)?)
            }
            (QuestionKind::Date, Value::String(s)) => Answer::Date(s.clone()),
            (QuestionKind::Text { .. }, Value::String(s)) => Answer::Text(s.clone()),
            _ => return Err(wrong()),
        };
        answer.validate(question)
    }

    /// The answer a UI means when the user picks these option ids on a question's screen.
    pub fn from_option_ids(question: &Question, ids: &[String]) -> Result<Answer, AnswerError> {
        let special = |id: &str| match id {
            DONT_KNOW => Some(Answer::DontKnow),
            PREFER_NOT_TO_SAY => Some(Answer::PreferNotToSay),
            _ => None,
        };
        if let Some(a) = ids.iter().find_map(|id| special(id)) {
            return match ids {
                [_] => Ok(a),
                _ => Err(AnswerError::Exclusive(
                    ids.iter()
                        .find(|id| special(id).is_some())
                        .cloned()
                        .unwrap_or_default(),
                )),
            };
        }
        let answer = match &question.kind {
            QuestionKind::YesNo { .. } => match ids {
                [one] if one == "yes" => Answer::Yes,
                [one] if one == "no" => Answer::No,
                [] => return Err(AnswerError::NoChoice),
                [_] => return Err(AnswerError::UnknownOption),
                _ => return Err(AnswerError::WrongType(AnswerType::YesNo)),
            },
            QuestionKind::Single { .. } => match ids {
                [one] => Answer::Choice(one.clone()),
                [] => return Err(AnswerError::NoChoice),
                _ => return Err(AnswerError::WrongType(AnswerType::Single)),
            },
            QuestionKind::Multi { .. } => Answer::Choices(ids.to_vec()),
            other => return Err(AnswerError::WrongType(other.answer_type())),
        };
        answer.validate(question)
    }

    /// Checks an answer against its question; returns it normalised (dates trimmed, choices
    /// de-duplicated).
    pub fn validate(self, question: &Question) -> Result<Answer, AnswerError> {
        let expected = question.kind.answer_type();
        match (&question.kind, self) {
            (_, a @ (Answer::DontKnow | Answer::PreferNotToSay)) => Ok(a),
            (QuestionKind::YesNo { .. }, a @ (Answer::Yes | Answer::No)) => Ok(a),
            (QuestionKind::Single { options }, Answer::Choice(c)) => {
                if options.iter().any(|o| o.id == c) {
                    Ok(Answer::Choice(c))
                } else {
                    Err(AnswerError::UnknownOption)
                }
            }
            (QuestionKind::Multi { options }, Answer::Choices(cs)) => {
                let mut chosen: Vec<String> = Vec::new();
                for c in cs {
                    if !options.iter().any(|o| o.id == c) {
                        return Err(AnswerError::UnknownOption);
                    }
                    if !chosen.contains(&c) {
                        chosen.push(c);
                    }
                }
                if chosen.is_empty() {
                    return Err(AnswerError::NoChoice);
                }
                if chosen.len() > 1
                    && let Some(ex) = options
                        .iter()
                        .find(|o| o.exclusive && chosen.contains(&o.id))
                {
                    return Err(AnswerError::Exclusive(ex.id.clone()));
                }
                // Keep the form's order, so that equal answers are equal drafts.
                let ordered = options
                    .iter()
                    .filter(|o| chosen.contains(&o.id))
                    .map(|o| o.id.clone())
                    .collect();
                Ok(Answer::Choices(ordered))
            }
            (QuestionKind::Number(spec), Answer::Number(n)) => {
                if !n.is_finite() {
                    return Err(AnswerError::WrongType(expected));
                }
                if spec.integer && n.fract() != 0.0 {
                    return Err(AnswerError::NotInteger);
                }
                let below = spec.min.is_some_and(|m| n < m);
                let above = spec.max.is_some_and(|m| n > m);
                if below || above {
                    return Err(AnswerError::OutOfRange {
                        min: spec.min,
                        max: spec.max,
                    });
                }
                Ok(Answer::Number(n))
            }
            (QuestionKind::Date, Answer::Date(d)) => {
                validate_date(d.trim(), chrono::Local::now().date_naive()).map(Answer::Date)
            }
            (QuestionKind::Text { max_length }, Answer::Text(s)) => {
                let s = s.trim().to_string();
                if s.is_empty() {
                    Err(AnswerError::EmptyText)
                } else if s.chars().count() > *max_length {
                    Err(AnswerError::TooLong(*max_length))
                } else {
                    Ok(Answer::Text(s))
                }
            }
            _ => Err(AnswerError::WrongType(expected)),
        }
    }
}

fn number_json(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        // Exact: |n| < 2^53 and integral.
        Value::from(n as i64)
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

/// Checks a partial date (`YYYY`, `YYYY-MM`, `YYYY-MM-DD`) and that it is not after `today`.
pub fn validate_date(s: &str, today: NaiveDate) -> Result<String, AnswerError> {
    let parts: Vec<&str> = s.split('-').collect();
    let digits = |p: &str, n: usize| p.len() == n && p.bytes().all(|b| b.is_ascii_digit());
    let shape_ok = match parts.as_slice() {
        [y] => digits(y, 4),
        [y, m] => digits(y, 4) && digits(m, 2),
        [y, m, d] => digits(y, 4) && digits(m, 2) && digits(d, 2),
        _ => false,
    };
    if !shape_ok {
        return Err(AnswerError::BadDate);
    }
    let num = |p: &str| p.parse::<u32>().map_err(|_| AnswerError::BadDate);
    let year = num(parts[0])? as i32;
    let month = parts.get(1).map(|m| num(m)).transpose()?.unwrap_or(1);
    let day = parts.get(2).map(|d| num(d)).transpose()?.unwrap_or(1);
    let date = NaiveDate::from_ymd_opt(year, month, day).ok_or(AnswerError::BadDate)?;
    if year < 1900 {
        return Err(AnswerError::BadDate);
    }
    // Compare at the precision given: "this month" is not in the future.
    let future = match parts.len() {
        1 => year > today.year(),
        2 => (year, month) > (today.year(), today.month()),
        _ => date > today,
    };
    if future {
        return Err(AnswerError::FutureDate);
    }
    Ok(s.to_string())
}

/// Why an answer was refused. Messages never repeat what the person said.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AnswerError {
    #[error("this question expects {}", type_name(*.0, Lang::En))]
    WrongType(AnswerType),
    /// The value is not kept: a draft's wrong value may be something a person said.
    #[error("the answer is not one of the choices")]
    UnknownOption,
    #[error("'{0}' cannot be combined with other choices")]
    Exclusive(String),
    #[error("choose at least one option")]
    NoChoice,
    #[error("the number is outside the allowed range")]
    OutOfRange { min: Option<f64>, max: Option<f64> },
    #[error("a whole number is expected")]
    NotInteger,
    #[error("a date is written YYYY, YYYY-MM or YYYY-MM-DD")]
    BadDate,
    #[error("the date is in the future")]
    FutureDate,
    #[error("the answer is longer than {0} characters")]
    TooLong(usize),
    #[error("the answer is empty")]
    EmptyText,
}

fn type_name(ty: AnswerType, lang: Lang) -> String {
    let key = match ty {
        AnswerType::YesNo => "answer.type.yes_no",
        AnswerType::Single => "answer.type.single",
        AnswerType::Multi => "answer.type.multi",
        AnswerType::Number => "answer.type.number",
        AnswerType::Date => "answer.type.date",
        AnswerType::Text => "answer.type.text",
    };
    t(lang, key)
}

fn fmt_num(n: f64) -> String {
    match number_json(n) {
        Value::Number(num) => num.to_string(),
        _ => n.to_string(),
    }
}

impl AnswerError {
    /// The message shown on the screen, in the session's language.
    pub fn message(&self, lang: Lang) -> String {
        match self {
            AnswerError::WrongType(ty) => tf(
                lang,
                "answer.error.wrong_type",
                &[("type", &type_name(*ty, lang))],
            ),
            AnswerError::UnknownOption => t(lang, "answer.error.unknown_option"),
            AnswerError::Exclusive(o) => tf(lang, "answer.error.exclusive", &[("option", o)]),
            AnswerError::NoChoice => t(lang, "answer.error.no_choice"),
            AnswerError::OutOfRange { min, max } => match (min, max) {
                (Some(lo), Some(hi)) => tf(
                    lang,
                    "answer.error.range",
                    &[("min", &fmt_num(*lo)), ("max", &fmt_num(*hi))],
                ),
                (Some(lo), None) => tf(lang, "answer.error.min", &[("min", &fmt_num(*lo))]),
                (None, Some(hi)) => tf(lang, "answer.error.max", &[("max", &fmt_num(*hi))]),
                (None, None) => t(lang, "answer.error.not_integer"),
            },
            AnswerError::NotInteger => t(lang, "answer.error.not_integer"),
            AnswerError::BadDate => t(lang, "answer.error.bad_date"),
            AnswerError::FutureDate => t(lang, "answer.error.future_date"),
            AnswerError::TooLong(n) => {
                tf(lang, "answer.error.too_long", &[("max", &n.to_string())])
            }
            AnswerError::EmptyText => t(lang, "answer.error.empty_text"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn partial_dates() {
        let today = day(2026, 11, 22);
        for ok in [
            "2024",
            "2024-03",
            "2024-02-29",
            "2026-11",
            "2026-11-22",
            "2026",
        ] {
            assert_eq!(validate_date(ok, today).as_deref(), Ok(ok), "{ok}");
        }
        for bad in [
            "24",
            "2024-3",
            "2023-02-29",
            "2024-13",
            "2024/03",
            "",
            "1850",
            "2024-03-01-02",
        ] {
            assert_eq!(
                validate_date(bad, today),
                Err(AnswerError::BadDate),
                "{bad}"
            );
        }
        for future in ["2027", "2026-12", "2026-11-23"] {
            assert_eq!(
                validate_date(future, today),
                Err(AnswerError::FutureDate),
                "{future}"
            );
        }
    }
}
