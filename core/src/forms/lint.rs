//! The invariants every shipped form must hold (docs/forms.md). `lint` returns every breach, so a
//! form author sees them all at once.

use std::collections::{BTreeSet, HashSet};

use super::condition::{Cmp, Condition};
use super::model::{Branch, Form, FormKind, Question, QuestionKind, Role};
use crate::catalogue::{Catalogue, Dimension, IndicatorSet, Subject};
use crate::lang::{Lang, Text};
use crate::wording;

/// Option ids the app adds itself.
pub const RESERVED_OPTION_IDS: &[&str] = &["dont_know", "prefer_not_to_say", "skipped"];

/// The most questions a quick check may have.
pub const QUICK_CHECK_MAX_QUESTIONS: usize = 10;

fn is_snake_case(id: &str) -> bool {
    !id.is_empty()
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn is_form_id(id: &str) -> bool {
    !id.is_empty()
        && id.starts_with(|c: char| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

struct Lint<'a> {
    form: &'a Form,
    problems: Vec<String>,
    /// Indicator titles, lowercased, per language: a prompt must not read one aloud.
    titles: HashSet<(Lang, String)>,
    /// An archived earlier version: only what reading it needs is checked.
    archived: bool,
}

impl Lint<'_> {
    fn text(&mut self, place: &str, text: &Text) {
        let missing = text.missing(&self.form.languages);
        if !missing.is_empty() {
            let langs: Vec<&str> = missing.iter().map(|l| l.code()).collect();
            self.problems
                .push(format!("{place}: text missing in {}", langs.join(", ")));
        }
        for (lang, s) in &text.0 {
            for bad in wording::unqualified_victim(s) {
                self.problems.push(format!(
                    "{place} ({lang}): 'victim' without 'possible' in \"…{bad}…\""
                ));
            }
        }
    }

    fn condition(&mut self, place: &str, cond: &Condition, before: usize) {
        if cond.mentions_act() {
            self.problems.push(format!(
                "{place}: 'act' can only be read by an effect's 'when' (acts are known once the form is finished)"
            ));
        }
        self.condition_refs(place, cond, before);
    }

    /// An effect's condition is judged on the finished form: it may read any question.
    fn effect_condition(&mut self, place: &str, cond: &Condition) {
        self.condition_refs(place, cond, usize::MAX);
    }

    fn condition_refs(&mut self, place: &str, cond: &Condition, before: usize) {
        for (q, value) in cond.references() {
            let Some(target) = self.form.question(q) else {
                self.problems.push(format!(
                    "{place}: condition refers to unknown question '{q}'"
                ));
                continue;
            };
            if target.position >= before {
                self.problems.push(format!(
                    "{place}: condition refers to '{q}', which does not come earlier"
                ));
            }
            if let Some(value) = value {
                let special = ["dont_know", "prefer_not_to_say"].contains(&value);
                let valid = special
                    || match &target.question.kind {
                        QuestionKind::YesNo { .. } => value == "yes" || value == "no",
                        QuestionKind::Single { options } | QuestionKind::Multi { options } => {
                            options.iter().any(|o| o.id == value)
                        }
                        _ => false,
                    };
                if !valid {
                    self.problems.push(format!(
                        "{place}: condition expects '{value}', which '{q}' cannot answer"
                    ));
                }
            }
        }
        self.condition_types(place, cond);
    }

    fn condition_types(&mut self, place: &str, cond: &Condition) {
        let kind_of = |q: &str| self.form.question(q).map(|l| l.question.kind.answer_type());
        use super::model::AnswerType as T;
        let problem = match cond {
            Condition::Has { q, .. } if kind_of(q).is_some_and(|t| t != T::Multi) => {
                Some(format!("'has' on '{q}', which is not a multi question"))
            }
            Condition::Eq { q, .. } | Condition::In { q, .. }
                if kind_of(q).is_some_and(|t| t == T::Multi) =>
            {
                Some(format!("'eq'/'in' on multi question '{q}': use 'has'"))
            }
            Condition::Compare { q, cmp, .. } if kind_of(q).is_some_and(|t| t != T::Number) => {
                let key = match cmp {
                    Cmp::Gte => "gte",
                    Cmp::Lte => "lte",
                    Cmp::Gt => "gt",
                    Cmp::Lt => "lt",
                };
                Some(format!("'{key}' on '{q}', which is not a number question"))
            }
            Condition::All(cs) | Condition::Any(cs) => {
                for c in cs {
                    self.condition_types(place, c);
                }
                None
            }
            Condition::Not(c) => {
                self.condition_types(place, c);
                None
            }
            _ => None,
        };
        if let Some(p) = problem {
            self.problems.push(format!("{place}: {p}"));
        }
    }

    fn question(&mut self, q: &Question, branch: Option<Branch>, position: usize) {
        let place = format!("question '{}'", q.id);
        let catalogue = Catalogue::embedded();
        if !is_snake_case(&q.id) {
            self.problems.push(format!("{place}: id is not snake_case"));
        }
        self.text(&format!("{place} prompt"), &q.prompt);
        if let Some(help) = &q.help {
            self.text(&format!("{place} help"), help);
        }
        if let Some(when) = &q.when {
            self.condition(&place, when, position);
        }
        for lang in &self.form.languages {
            let prompt = q
                .prompt
                .get(*lang)
                .trim()
                .trim_end_matches('?')
                .trim()
                .to_lowercase();
            if self.titles.contains(&(*lang, prompt)) {
                self.problems.push(format!(
                    "{place}: the prompt reads an indicator title aloud"
                ));
            }
        }
        let mut option_ids = HashSet::new();
        for option in q.kind.options() {
            let oplace = format!("{place} option '{}'", option.id);
            if !is_snake_case(&option.id) {
                self.problems
                    .push(format!("{oplace}: id is not snake_case"));
            }
            if RESERVED_OPTION_IDS.contains(&option.id.as_str()) {
                self.problems.push(format!(
                    "{oplace}: id is reserved (the app offers it itself)"
                ));
            }
            if !option_ids.insert(option.id.as_str()) {
                self.problems.push(format!("{oplace}: duplicate option id"));
            }
            self.text(&oplace, &option.label);
        }
        if let QuestionKind::Number(spec) = &q.kind {
            if let Some(unit) = &spec.unit {
                self.text(&format!("{place} unit"), unit);
            }
            for t in &spec.thresholds {
                if t.min.is_none() && t.max.is_none() {
                    self.problems
                        .push(format!("{place}: a threshold needs a min or a max"));
                }
            }
        }
        for effects in q.all_effects() {
            if let Some(when) = &effects.when {
                self.effect_condition(&format!("{place} effect"), when);
                if !effects.acts.is_empty() && when.mentions_act() {
                    self.problems.push(format!(
                        "{place}: an effect that establishes an act cannot depend on an act"
                    ));
                }
            }
            self.act_before_recruitment(&place, effects);
            if effects.priority.is_some() && effects.needs.is_empty() {
                self.problems.push(format!(
                    "{place}: 'priority' without 'needs' has no meaning"
                ));
            }
            if effects.consent.is_some() && self.form.kind != FormKind::Consent {
                self.problems
                    .push(format!("{place}: consent effects belong in a consent form"));
            }
            for id in &effects.indicators {
                match catalogue.get(id) {
                    None => self
                        .problems
                        .push(format!("{place}: unknown indicator id '{id}'")),
                    Some(ind)
                        if ind.strength_in(IndicatorSet::LabourChild).is_none()
                            && ind.strength_in(IndicatorSet::SexualChild).is_none()
                            && branch != Some(Branch::Adult) =>
                    {
                        self.problems.push(format!(
                            "{place}: '{id}' is not in the child sets but children can see this question"
                        ))
                    }
                    Some(_) => {}
                }
            }
        }
        if let QuestionKind::YesNo { no, .. } = &q.kind
            && no.consent.is_some()
        {
            self.problems
                .push(format!("{place}: a consent effect goes on 'yes', not 'no'"));
        }
        let consent_off_yes_no = match &q.kind {
            QuestionKind::YesNo { .. } => false,
            kind => kind.all_effects().iter().any(|e| e.consent.is_some()),
        };
        if consent_off_yes_no {
            self.problems.push(format!(
                "{place}: consent effects go on the 'yes' of a yes/no question"
            ));
        }
        if q.dont_know.consent.is_some() {
            self.problems
                .push(format!("{place}: \"don't know\" never gives consent"));
        }
    }

    /// In an interview that models acts (schema 2), the recruitment dimensions (DR, CR, VR) are
    /// evidenced only when an act happened to the person: an effect that evidences one of their
    /// indicators must establish an act itself, or apply only when one was established.
    fn act_before_recruitment(&mut self, place: &str, effects: &crate::effects::Effects) {
        if self.archived || self.form.kind != FormKind::Interview || self.form.schema < 2 {
            return;
        }
        let catalogue = Catalogue::embedded();
        let recruitment = effects.indicators.iter().find(|id| {
            catalogue.get(id).is_some_and(|i| {
                matches!(i.dimension, Dimension::DR | Dimension::CR | Dimension::VR)
            })
        });
        let guarded =
            !effects.acts.is_empty() || effects.when.as_ref().is_some_and(|c| c.requires_act());
        if let Some(id) = recruitment
            && !guarded
        {
            self.problems.push(format!(
                "{place}: '{id}' is a recruitment indicator: the effect must establish an act or apply only when one was (\"when\": {{\"act\": true}})"
            ));
        }
    }

    fn run(mut self) -> Vec<String> {
        let form = self.form;
        if !is_form_id(&form.id) {
            self.problems.push(format!(
                "form id '{}' must be lowercase letters, digits and '-'",
                form.id
            ));
        }
        for lang in Lang::ALL {
            if !form.languages.contains(&lang) {
                self.problems
                    .push(format!("form is not offered in {lang}, a shipped language"));
            }
        }
        self.text("form title", &form.title);
        self.text("form description", &form.description);
        if form.sections.is_empty() {
            self.problems.push("form has no section".into());
        }

        let mut section_ids = HashSet::new();
        let mut question_ids = HashSet::new();
        for section in &form.sections {
            let place = format!("section '{}' ({})", section.id, section.file);
            if !is_snake_case(&section.id) {
                self.problems.push(format!("{place}: id is not snake_case"));
            }
            if !section_ids.insert(section.id.as_str()) {
                self.problems.push(format!("{place}: duplicate section id"));
            }
            if section.questions.is_empty() {
                self.problems.push(format!("{place}: no question"));
            }
            self.text(&format!("{place} title"), &section.title);
            if let Some(intro) = &section.intro {
                self.text(&format!("{place} intro"), intro);
            }
            let first = section
                .questions
                .first()
                .and_then(|q| form.position(&q.id))
                .unwrap_or(0);
            if let Some(when) = &section.when {
                self.condition(&place, when, first);
            }
            for q in &section.questions {
                if !question_ids.insert(q.id.as_str()) {
                    self.problems
                        .push(format!("question '{}': duplicate question id", q.id));
                }
                let position = form.position(&q.id).unwrap_or(0);
                self.question(q, section.branch, position);
            }
        }

        self.roles();
        if !self.archived {
            match form.kind {
                FormKind::QuickCheck => self.quick_check(),
                FormKind::Interview => self.interview(),
                _ => {}
            }
        }
        self.problems
    }

    fn roles(&mut self) {
        let form = self.form;
        for role in [Role::Age, Role::PresumedMinor] {
            let count = form
                .questions()
                .filter(|l| l.question.role == Some(role))
                .count();
            if count > 1 {
                self.problems
                    .push(format!("more than one question has role {role:?}"));
            }
            if count > 0 && form.kind != FormKind::Interview {
                self.problems
                    .push(format!("role {role:?} is only meaningful in an interview"));
            }
        }
        for l in form.questions() {
            if l.question.role.is_some() && l.section.branch.is_some() {
                self.problems.push(format!(
                    "question '{}': a role question must be shown to everyone (no branch)",
                    l.question.id
                ));
            }
        }
    }

    fn quick_check(&mut self) {
        let form = self.form;
        if form.question_count() > QUICK_CHECK_MAX_QUESTIONS {
            self.problems.push(format!(
                "a quick check has at most {QUICK_CHECK_MAX_QUESTIONS} questions, this one has {}",
                form.question_count()
            ));
        }
        for l in form.questions() {
            let q = l.question;
            if matches!(q.kind, QuestionKind::Text { .. } | QuestionKind::Date) {
                self.problems.push(format!(
                    "question '{}': a quick check asks no text or date (no identifying data)",
                    q.id
                ));
            }
            if q.identifying {
                self.problems.push(format!(
                    "question '{}': a quick check asks nothing identifying",
                    q.id
                ));
            }
            let signals = q
                .kind
                .all_effects()
                .iter()
                .any(|e| !e.indicators.is_empty() || !e.flags.is_empty());
            if !signals {
                self.problems.push(format!(
                    "question '{}': every quick-check question must be able to raise a flag or an indicator",
                    q.id
                ));
            }
            let dont_know_signals =
                !q.dont_know.indicators.is_empty() || !q.dont_know.flags.is_empty();
            if form.schema >= 2 && !dont_know_signals {
                self.problems.push(format!(
                    "question '{}': a quick check counts \"don't know\" as the signal it could hide: give it 'dont_know' effects",
                    q.id
                ));
            }
        }
    }

    /// Every indicator of each set must be evidenced by some question its subject sees (forms of
    /// the first schema knew only the labour sets).
    fn interview(&mut self) {
        let form = self.form;
        let catalogue = Catalogue::embedded();
        let sets: &[IndicatorSet] = if form.schema >= 2 {
            &IndicatorSet::ALL
        } else {
            &[IndicatorSet::LabourAdult, IndicatorSet::LabourChild]
        };
        for &set in sets {
            let subject = set.subject();
            let branch = match subject {
                Subject::Adult => Branch::Adult,
                Subject::Child => Branch::Child,
            };
            let reachable: BTreeSet<&str> = form
                .questions()
                .filter(|l| l.section.branch.is_none_or(|b| b == branch))
                .flat_map(|l| l.question.all_effects())
                .flat_map(|e| e.indicators.iter().map(String::as_str))
                .collect();
            let missing: Vec<&str> = catalogue
                .in_set(set)
                .map(|i| i.id.as_str())
                .filter(|id| !reachable.contains(id))
                .collect();
            if !missing.is_empty() {
                self.problems.push(format!(
                    "{} indicators no question evidences: {}",
                    set.id(),
                    missing.join(", ")
                ));
            }
        }
        for role in [Role::Age, Role::PresumedMinor] {
            if form.with_role(role).is_none() {
                self.problems
                    .push(format!("an interview needs a question with role {role:?}"));
            }
        }
    }
}

fn run_lint(form: &Form, archived: bool) -> Vec<String> {
    let titles = Catalogue::embedded()
        .indicators
        .iter()
        .flat_map(|i| Lang::ALL.map(|l| (l, i.title.get(l).to_lowercase())))
        .collect();
    Lint {
        form,
        problems: Vec::new(),
        titles,
        archived,
    }
    .run()
}

/// Every breach of the form invariants; empty when the form is fine.
pub fn lint(form: &Form) -> Vec<String> {
    run_lint(form, false)
}

/// The checks an archived earlier version must still pass to be read: ids, texts, conditions and
/// indicator ids. What a current form must also hold (every indicator reachable, the quick check's
/// limits, the act before recruitment) was checked while it was current and is not asked again.
pub fn lint_archived(form: &Form) -> Vec<String> {
    run_lint(form, true)
}
