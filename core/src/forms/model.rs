//! The form model and its parser. The JSON format is specified in docs/forms.md.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::condition::Condition;
use crate::effects::{ConsentEffect, Effects, Need, Priority, RedFlag, RiskEffect};
use crate::lang::{Lang, Text};

/// The schema version of the form format this core reads.
pub const FORM_SCHEMA: u32 = 1;

/// What finishing a form produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    QuickCheck,
    Interview,
    Needs,
    Risk,
    Consent,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Branch {
    Adult,
    Child,
}

/// A question's special meaning for the session.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Age,
    PresumedMinor,
}

/// An answer option of a single or multi question.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub id: String,
    pub label: Text,
    pub exclusive: bool,
    pub effects: Effects,
}

/// A range of number answers and what it evidences.
#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub effects: Effects,
}

impl Threshold {
    pub fn contains(&self, n: f64) -> bool {
        self.min.is_none_or(|m| n >= m) && self.max.is_none_or(|m| n <= m)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NumberSpec {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub integer: bool,
    pub unit: Option<Text>,
    pub thresholds: Vec<Threshold>,
}

/// The answer type of a question, with its type-specific data.
#[derive(Debug, Clone, PartialEq)]
pub enum QuestionKind {
    YesNo { yes: Effects, no: Effects },
    Single { options: Vec<Choice> },
    Multi { options: Vec<Choice> },
    Number(NumberSpec),
    Date,
    Text { max_length: usize },
}

/// The answer type's name, as forms and screens write it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerType {
    YesNo,
    Single,
    Multi,
    Number,
    Date,
    Text,
}

impl QuestionKind {
    pub fn answer_type(&self) -> AnswerType {
        match self {
            QuestionKind::YesNo { .. } => AnswerType::YesNo,
            QuestionKind::Single { .. } => AnswerType::Single,
            QuestionKind::Multi { .. } => AnswerType::Multi,
            QuestionKind::Number(_) => AnswerType::Number,
            QuestionKind::Date => AnswerType::Date,
            QuestionKind::Text { .. } => AnswerType::Text,
        }
    }

    pub fn options(&self) -> &[Choice] {
        match self {
            QuestionKind::Single { options } | QuestionKind::Multi { options } => options,
            _ => &[],
        }
    }

    /// Every effect this question can produce, for lints.
    pub fn all_effects(&self) -> Vec<&Effects> {
        match self {
            QuestionKind::YesNo { yes, no } => vec![yes, no],
            QuestionKind::Single { options } | QuestionKind::Multi { options } => {
                options.iter().map(|o| &o.effects).collect()
            }
            QuestionKind::Number(spec) => spec.thresholds.iter().map(|t| &t.effects).collect(),
            QuestionKind::Date | QuestionKind::Text { .. } => Vec::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub id: String,
    pub prompt: Text,
    pub help: Option<Text>,
    pub required: bool,
    pub when: Option<Condition>,
    pub identifying: bool,
    pub role: Option<Role>,
    pub kind: QuestionKind,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub id: String,
    /// The file the section came from, for error messages.
    pub file: String,
    pub branch: Option<Branch>,
    pub title: Text,
    pub intro: Option<Text>,
    pub when: Option<Condition>,
    pub questions: Vec<Question>,
}

/// A whole form.
#[derive(Debug, Clone, PartialEq)]
pub struct Form {
    pub schema: u32,
    pub id: String,
    pub version: u32,
    pub kind: FormKind,
    pub languages: Vec<Lang>,
    pub title: Text,
    pub description: Text,
    pub sections: Vec<Section>,
    /// (section index, question index) of every question, in form order.
    flat: Vec<(usize, usize)>,
    index: HashMap<String, usize>,
}

/// A question's place in its form.
#[derive(Debug, Clone, Copy)]
pub struct Located<'a> {
    /// Position in form order.
    pub position: usize,
    pub section: &'a Section,
    pub question: &'a Question,
}

impl Form {
    /// Questions in form order.
    pub fn questions(&self) -> impl Iterator<Item = Located<'_>> {
        self.flat
            .iter()
            .enumerate()
            .map(|(position, &(s, q))| Located {
                position,
                section: &self.sections[s],
                question: &self.sections[s].questions[q],
            })
    }

    pub fn question_count(&self) -> usize {
        self.flat.len()
    }

    /// The question at a position in form order.
    pub fn at(&self, position: usize) -> Option<Located<'_>> {
        let &(s, q) = self.flat.get(position)?;
        Some(Located {
            position,
            section: &self.sections[s],
            question: &self.sections[s].questions[q],
        })
    }

    /// Position of a question by id. With duplicate ids (refused by the lint), the first wins.
    pub fn position(&self, id: &str) -> Option<usize> {
        self.index.get(id).copied()
    }

    pub fn question(&self, id: &str) -> Option<Located<'_>> {
        self.at(self.position(id)?)
    }

    /// The question with a role, if the form has one.
    pub fn with_role(&self, role: Role) -> Option<Located<'_>> {
        self.questions().find(|l| l.question.role == Some(role))
    }

    /// Parses a form from its `form.json` and its section files (`(file name, json)`, in order).
    pub fn parse(form_json: &str, sections: &[(&str, &str)]) -> Result<Form, String> {
        let raw: RawForm =
            serde_json::from_str(form_json).map_err(|e| format!("form.json: {e}"))?;
        if raw.schema != FORM_SCHEMA {
            return Err(format!(
                "form.json: schema {} is not supported (this core reads schema {FORM_SCHEMA})",
                raw.schema
            ));
        }
        let mut parsed = Vec::new();
        for (file, json) in sections {
            let raw_section: RawSection =
                serde_json::from_str(json).map_err(|e| format!("{file}: {e}"))?;
            parsed.push(
                raw_section
                    .build(file)
                    .map_err(|e| format!("{file}: {e}"))?,
            );
        }
        let mut flat = Vec::new();
        let mut index = HashMap::new();
        for (s, section) in parsed.iter().enumerate() {
            for (q, question) in section.questions.iter().enumerate() {
                index.entry(question.id.clone()).or_insert(flat.len());
                flat.push((s, q));
            }
        }
        Ok(Form {
            schema: raw.schema,
            id: raw.id,
            version: raw.version,
            kind: raw.kind,
            languages: raw.languages,
            title: raw.title,
            description: raw.description,
            sections: parsed,
            flat,
            index,
        })
    }
}

// --- the raw JSON shapes, strict about unknown fields so that a typo in a form is an error ---

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawForm {
    schema: u32,
    id: String,
    version: u32,
    kind: FormKind,
    languages: Vec<Lang>,
    title: Text,
    description: Text,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSection {
    id: String,
    #[serde(default)]
    branch: Option<Branch>,
    title: Text,
    #[serde(default)]
    intro: Option<Text>,
    #[serde(default)]
    when: Option<Condition>,
    questions: Vec<RawQuestion>,
}

impl RawSection {
    fn build(self, file: &str) -> Result<Section, String> {
        let questions = self
            .questions
            .into_iter()
            .map(|q| {
                let id = q.id.clone();
                q.build().map_err(|e| format!("question '{id}': {e}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Section {
            id: self.id,
            file: file.to_string(),
            branch: self.branch,
            title: self.title,
            intro: self.intro,
            when: self.when,
            questions,
        })
    }
}

/// Effect fields as they appear inline on options and thresholds.
///
/// `RawChoice` and `RawThreshold` repeat these fields instead of `#[serde(flatten)]`-ing this
/// struct: serde cannot combine `flatten` with `deny_unknown_fields`, and refusing unknown fields is
/// what turns a typo in a form (`"indicator"` for `"indicators"`) into an error instead of a lost
/// mapping.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEffects {
    #[serde(default)]
    indicators: Vec<String>,
    #[serde(default)]
    flags: Vec<RedFlag>,
    #[serde(default)]
    needs: Vec<Need>,
    #[serde(default)]
    priority: Option<Priority>,
    #[serde(default)]
    risk: Option<RiskEffect>,
    #[serde(default)]
    consent: Option<ConsentEffect>,
}

impl From<RawEffects> for Effects {
    fn from(r: RawEffects) -> Effects {
        Effects {
            indicators: r.indicators,
            flags: r.flags,
            needs: r.needs,
            priority: r.priority,
            risk: r.risk,
            consent: r.consent,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChoice {
    id: String,
    label: Text,
    #[serde(default)]
    exclusive: bool,
    #[serde(default)]
    indicators: Vec<String>,
    #[serde(default)]
    flags: Vec<RedFlag>,
    #[serde(default)]
    needs: Vec<Need>,
    #[serde(default)]
    priority: Option<Priority>,
    #[serde(default)]
    risk: Option<RiskEffect>,
    #[serde(default)]
    consent: Option<ConsentEffect>,
}

impl From<RawChoice> for Choice {
    fn from(r: RawChoice) -> Choice {
        Choice {
            id: r.id,
            label: r.label,
            exclusive: r.exclusive,
            effects: RawEffects {
                indicators: r.indicators,
                flags: r.flags,
                needs: r.needs,
                priority: r.priority,
                risk: r.risk,
                consent: r.consent,
            }
            .into(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawThreshold {
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    #[serde(default)]
    indicators: Vec<String>,
    #[serde(default)]
    flags: Vec<RedFlag>,
    #[serde(default)]
    needs: Vec<Need>,
    #[serde(default)]
    priority: Option<Priority>,
    #[serde(default)]
    risk: Option<RiskEffect>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuestion {
    id: String,
    #[serde(rename = "type")]
    answer_type: AnswerType,
    prompt: Text,
    #[serde(default)]
    help: Option<Text>,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    when: Option<Condition>,
    #[serde(default)]
    identifying: bool,
    #[serde(default)]
    role: Option<Role>,
    #[serde(default)]
    yes: Option<RawEffects>,
    #[serde(default)]
    no: Option<RawEffects>,
    #[serde(default)]
    options: Option<Vec<RawChoice>>,
    #[serde(default)]
    min: Option<f64>,
    #[serde(default)]
    max: Option<f64>,
    #[serde(default)]
    integer: Option<bool>,
    #[serde(default)]
    unit: Option<Text>,
    #[serde(default)]
    thresholds: Option<Vec<RawThreshold>>,
    #[serde(default)]
    max_length: Option<usize>,
}

/// Default and ceiling of a text answer's length, in characters.
pub const TEXT_MAX_LENGTH: usize = 500;
pub const TEXT_MAX_LENGTH_CEILING: usize = 4000;

impl RawQuestion {
    fn build(self) -> Result<Question, String> {
        use AnswerType as T;
        let t = self.answer_type;
        let misplaced = |present: bool, field: &str, allowed: &str| -> Result<(), String> {
            if present {
                Err(format!("'{field}' is only allowed on {allowed} questions"))
            } else {
                Ok(())
            }
        };
        misplaced(
            t != T::YesNo && (self.yes.is_some() || self.no.is_some()),
            "yes/no",
            "yes_no",
        )?;
        misplaced(
            !matches!(t, T::Single | T::Multi) && self.options.is_some(),
            "options",
            "single and multi",
        )?;
        misplaced(
            t != T::Number
                && (self.min.is_some()
                    || self.max.is_some()
                    || self.integer.is_some()
                    || self.unit.is_some()
                    || self.thresholds.is_some()),
            "min/max/integer/unit/thresholds",
            "number",
        )?;
        misplaced(
            t != T::Text && self.max_length.is_some(),
            "max_length",
            "text",
        )?;

        let kind = match t {
            T::YesNo => QuestionKind::YesNo {
                yes: self.yes.unwrap_or_default().into(),
                no: self.no.unwrap_or_default().into(),
            },
            T::Single | T::Multi => {
                let options: Vec<Choice> = self
                    .options
                    .ok_or("needs 'options'")?
                    .into_iter()
                    .map(Choice::from)
                    .collect();
                if options.len() < 2 {
                    return Err("needs at least two options".into());
                }
                if t == T::Single {
                    if options.iter().any(|o| o.exclusive) {
                        return Err("'exclusive' only makes sense on multi questions".into());
                    }
                    QuestionKind::Single { options }
                } else {
                    QuestionKind::Multi { options }
                }
            }
            T::Number => {
                if let (Some(lo), Some(hi)) = (self.min, self.max)
                    && lo > hi
                {
                    return Err(format!("min {lo} is above max {hi}"));
                }
                let thresholds = self
                    .thresholds
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| Threshold {
                        min: r.min,
                        max: r.max,
                        effects: RawEffects {
                            indicators: r.indicators,
                            flags: r.flags,
                            needs: r.needs,
                            priority: r.priority,
                            risk: r.risk,
                            consent: None,
                        }
                        .into(),
                    })
                    .collect();
                QuestionKind::Number(NumberSpec {
                    min: self.min,
                    max: self.max,
                    integer: self.integer.unwrap_or(true),
                    unit: self.unit,
                    thresholds,
                })
            }
            T::Date => QuestionKind::Date,
            T::Text => {
                let max_length = self.max_length.unwrap_or(TEXT_MAX_LENGTH);
                if max_length == 0 || max_length > TEXT_MAX_LENGTH_CEILING {
                    return Err(format!(
                        "max_length must be between 1 and {TEXT_MAX_LENGTH_CEILING}"
                    ));
                }
                QuestionKind::Text { max_length }
            }
        };
        if self.role == Some(Role::Age) && t != T::Number {
            return Err("role 'age' needs a number question".into());
        }
        if self.role == Some(Role::PresumedMinor) && t != T::YesNo {
            return Err("role 'presumed_minor' needs a yes_no question".into());
        }
        Ok(Question {
            id: self.id,
            prompt: self.prompt,
            help: self.help,
            required: self.required,
            when: self.when,
            identifying: self.identifying,
            role: self.role,
            kind,
        })
    }
}
