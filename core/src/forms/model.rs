//! The form model and its parser. The JSON format is specified in docs/forms.md.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::condition::Condition;
use crate::effects::{
    ActEffect, ConsentEffect, Effects, Need, Priority, Purpose, RedFlag, RiskEffect, Sign,
};
use crate::i18n;
use crate::lang::{Lang, Text};

/// The schema version of the form format this core writes its forms in. Schema 1 (the first
/// forms, kept in archives) is read too; schema 2 adds acts, purposes, signs, effect conditions,
/// `dont_know` effects and the "not sure about the others" option of multiple choices.
pub const FORM_SCHEMA: u32 = 2;

/// The id of the option the core adds to every multiple choice of a schema-2 form: the person
/// knows some of the answers and not the rest.
pub const OTHERS_UNKNOWN: &str = "others_unknown";

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
// Forms are parsed once into a static registry; a few hundred bytes per yes/no question cost
// nothing, and boxing them would only add indirection to every read.
#[allow(clippy::large_enum_variant)]
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
    /// What a "don't know" answer evidences (the quick check counts it as the signal it could
    /// hide); empty elsewhere.
    pub dont_know: Effects,
}

impl Question {
    /// Every effect an answer to this question can produce, "don't know" included.
    pub fn all_effects(&self) -> Vec<&Effects> {
        let mut all = self.kind.all_effects();
        if !self.dont_know.is_empty() {
            all.push(&self.dont_know);
        }
        all
    }
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
    /// By position: whether the question's answer can change the result (it has effects, or a
    /// condition of something that can reads it).
    decisive: Vec<bool>,
    /// Position of the first question with each role (read at every visibility check).
    roles: HashMap<Role, usize>,
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

    /// Whether the answer to the question at `position` can change the result: some answer has an
    /// effect, or it decides whether such a question, section or effect applies.
    pub fn is_decisive(&self, position: usize) -> bool {
        self.decisive.get(position).copied().unwrap_or(false)
    }

    /// The question with a role, if the form has one.
    pub fn with_role(&self, role: Role) -> Option<Located<'_>> {
        self.at(*self.roles.get(&role)?)
    }

    /// Parses a form from its `form.json` and its section files (`(file name, json)`, in order).
    pub fn parse(form_json: &str, sections: &[(&str, &str)]) -> Result<Form, String> {
        let raw: RawForm =
            serde_json::from_str(form_json).map_err(|e| format!("form.json: {e}"))?;
        if raw.schema != 1 && raw.schema != FORM_SCHEMA {
            return Err(format!(
                "form.json: schema {} is not supported (this core reads schemas 1 and {FORM_SCHEMA})",
                raw.schema
            ));
        }
        let mut parsed = Vec::new();
        for (file, json) in sections {
            let raw_section: RawSection =
                serde_json::from_str(json).map_err(|e| format!("{file}: {e}"))?;
            let mut section = raw_section
                .build(file)
                .map_err(|e| format!("{file}: {e}"))?;
            if raw.schema == 1 {
                if let Some(q) = section.questions.iter().find(|q| uses_schema_2(q)) {
                    return Err(format!(
                        "{file}: question '{}' uses schema-2 fields in a schema-1 form",
                        q.id
                    ));
                }
            } else {
                for q in &mut section.questions {
                    add_others_unknown(q, &raw.languages)?;
                }
            }
            parsed.push(section);
        }
        let mut flat = Vec::new();
        let mut index = HashMap::new();
        for (s, section) in parsed.iter().enumerate() {
            for (q, question) in section.questions.iter().enumerate() {
                index.entry(question.id.clone()).or_insert(flat.len());
                flat.push((s, q));
            }
        }
        let decisive = decisive(&parsed, &flat, &index);
        let mut roles = HashMap::new();
        for (p, &(si, qi)) in flat.iter().enumerate() {
            if let Some(role) = parsed[si].questions[qi].role {
                roles.entry(role).or_insert(p);
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
            decisive,
            roles,
        })
    }
}

/// Which questions can change the result: those with an effect, then, until nothing changes, those
/// that a condition of a decisive question, of its section or of an effect reads. The role
/// questions (age, presumed minor) decide the branch, so they count too.
fn decisive(
    sections: &[Section],
    flat: &[(usize, usize)],
    index: &HashMap<String, usize>,
) -> Vec<bool> {
    let question = |p: usize| {
        let (s, q) = flat[p];
        (&sections[s], &sections[s].questions[q])
    };
    let mut marks: Vec<bool> = (0..flat.len())
        .map(|p| {
            let (_, q) = question(p);
            q.role.is_some() || q.all_effects().iter().any(|e| !e.is_empty())
        })
        .collect();
    loop {
        let mut changed = false;
        for p in 0..flat.len() {
            let (section, q) = question(p);
            let mut conditions: Vec<&Condition> = q
                .all_effects()
                .iter()
                .filter(|e| !e.is_empty())
                .filter_map(|e| e.when.as_ref())
                .collect();
            if marks[p] {
                conditions.extend(q.when.iter());
                conditions.extend(section.when.iter());
            }
            for c in conditions {
                for (id, _) in c.references() {
                    if let Some(&r) = index.get(id)
                        && !marks[r]
                    {
                        marks[r] = true;
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            return marks;
        }
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

/// Declares a raw JSON shape with its own fields and, inline, every effect field.
///
/// Options and thresholds carry their effect fields inline instead of `#[serde(flatten)]`-ing an
/// effects struct: serde cannot combine `flatten` with `deny_unknown_fields`, and refusing unknown
/// fields is what turns a typo in a form (`"indicator"` for `"indicators"`) into an error instead of
/// a lost mapping. The macro writes the effect fields once for all three shapes.
macro_rules! with_effect_fields {
    ($(#[$meta:meta])* struct $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty,)* }) => {
        $(#[$meta])*
        struct $name {
            $($(#[$fmeta])* $field: $ty,)*
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
            #[serde(default)]
            acts: Vec<ActEffect>,
            #[serde(default)]
            purposes: Vec<Purpose>,
            #[serde(default)]
            signs: Vec<Sign>,
            #[serde(default)]
            when: Option<Condition>,
        }

        impl $name {
            /// Takes the effect fields out, as an [`Effects`].
            fn take_effects(&mut self) -> Effects {
                use std::mem::take;
                Effects {
                    indicators: take(&mut self.indicators),
                    flags: take(&mut self.flags),
                    needs: take(&mut self.needs),
                    priority: take(&mut self.priority),
                    risk: take(&mut self.risk),
                    consent: take(&mut self.consent),
                    acts: take(&mut self.acts),
                    purposes: take(&mut self.purposes),
                    signs: take(&mut self.signs),
                    when: take(&mut self.when),
                }
            }
        }
    };
}

with_effect_fields! {
    /// The `yes`, `no` and `dont_know` effects of a question.
    #[derive(Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct RawEffects {}
}

impl From<RawEffects> for Effects {
    fn from(mut r: RawEffects) -> Effects {
        r.take_effects()
    }
}

with_effect_fields! {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawChoice {
        id: String,
        label: Text,
        #[serde(default)]
        exclusive: bool,
    }
}

impl From<RawChoice> for Choice {
    fn from(mut r: RawChoice) -> Choice {
        let effects = r.take_effects();
        Choice {
            id: r.id,
            label: r.label,
            exclusive: r.exclusive,
            effects,
        }
    }
}

with_effect_fields! {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct RawThreshold {
        #[serde(default)]
        min: Option<f64>,
        #[serde(default)]
        max: Option<f64>,
    }
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
    dont_know: Option<RawEffects>,
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
                    .map(|mut r| Threshold {
                        effects: r.take_effects(),
                        min: r.min,
                        max: r.max,
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
            dont_know: self.dont_know.unwrap_or_default().into(),
        })
    }
}

/// Whether a question uses what schema 2 added.
fn uses_schema_2(q: &Question) -> bool {
    q.all_effects().iter().any(|e| {
        !e.acts.is_empty() || !e.purposes.is_empty() || !e.signs.is_empty() || e.when.is_some()
    }) || !q.dont_know.is_empty()
        || q.kind.options().iter().any(|o| o.id == OTHERS_UNKNOWN)
}

/// Adds "not sure about the others" to a multiple choice, so that a person who knows some answers
/// and not the rest can say so (it evidences nothing and cannot go with an exclusive option).
fn add_others_unknown(q: &mut Question, languages: &[Lang]) -> Result<(), String> {
    let QuestionKind::Multi { options } = &mut q.kind else {
        return Ok(());
    };
    if options.iter().any(|o| o.id == OTHERS_UNKNOWN) {
        return Err(format!(
            "question '{}': option id '{OTHERS_UNKNOWN}' is reserved (the core adds it)",
            q.id
        ));
    }
    let label = Text(
        languages
            .iter()
            .map(|&l| (l, i18n::t(l, "answer.others_unknown")))
            .collect(),
    );
    options.push(Choice {
        id: OTHERS_UNKNOWN.to_string(),
        label,
        exclusive: false,
        effects: Effects::default(),
    });
    Ok(())
}
