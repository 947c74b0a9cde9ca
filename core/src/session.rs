//! The interview session: a state machine over a form that returns complete, localised screens.
//!
//! Every call returns the whole next [`Screen`], so a phone UI makes one call per user action and
//! renders what it gets. The session never loses an answer: answers to questions that a later change
//! hides are kept (so going back restores them) but play no part in the result.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::answer::{Answer, AnswerError};
use crate::catalogue::Subject;
use crate::completeness::{self, Asked, Completeness};
use crate::draft::{Context, DRAFT_FORMAT, DRAFT_SCHEMA, Draft, DraftError};
use crate::effects::Effects;
use crate::evidence;
use crate::forms::{self, AnswerType, Facts, Form, QuestionKind, Role};
use crate::i18n::{t, tf};
use crate::lang::{Direction, Lang};
use crate::result::{self, FormResult};
use crate::rules::RuleSet;

/// The oldest age a context may give a form that has no age question of its own.
pub const MAX_AGE: u32 = 120;

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Position {
    Question(usize),
    Review,
}

/// Why a session call was refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SessionError {
    #[error("unknown form '{0}'")]
    UnknownForm(String),
    #[error("form '{form}' is not available in {lang}")]
    LanguageNotOffered { form: String, lang: Lang },
    #[error("required questions are unanswered: {}", .0.join(", "))]
    Incomplete(Vec<String>),
    #[error(transparent)]
    Draft(#[from] DraftError),
    #[error("question '{0}' cannot be shown now")]
    NotShown(String),
    #[error("there is no question on this screen")]
    NoQuestion,
    #[error("invalid answer to question '{question}': {error}")]
    InvalidAnswer {
        question: String,
        error: AnswerError,
    },
    #[error("question '{0}' needs an answer (\"don't know\" is accepted)")]
    Required(String),
    #[error("question '{0}' has no answer yet")]
    NoAnswer(String),
}

/// A running session over one form.
#[derive(Debug, Clone)]
pub struct Session {
    form: &'static Form,
    language: Lang,
    context: Context,
    answers: BTreeMap<String, Answer>,
    skipped: BTreeSet<String>,
    position: Position,
    /// Validation messages of the last call, shown on the current screen.
    errors: Vec<String>,
}

/// Facts for conditions: answers of questions shown so far in a forward pass, and, for the
/// conditions of effects (judged on the finished form), whether an act was established.
struct Pass<'a> {
    session: &'a Session,
    visible: &'a [bool],
    act: bool,
}

impl Pass<'_> {
    fn shown(&self, q: &str) -> Option<&Answer> {
        let pos = self.session.form.position(q)?;
        if *self.visible.get(pos)? {
            self.session.answers.get(q)
        } else {
            None
        }
    }
}

impl Facts for Pass<'_> {
    fn choice(&self, q: &str) -> Option<&str> {
        self.shown(q).and_then(Answer::choice)
    }
    fn has(&self, q: &str, option: &str) -> bool {
        matches!(self.shown(q), Some(Answer::Choices(cs)) if cs.iter().any(|c| c == option))
    }
    fn number(&self, q: &str) -> Option<f64> {
        match self.shown(q) {
            Some(Answer::Number(n)) => Some(*n),
            _ => None,
        }
    }
    fn answered(&self, q: &str) -> bool {
        self.shown(q).is_some_and(Answer::is_real)
    }
    fn is_child(&self) -> bool {
        self.session.child_status(self) == Some(true)
    }
    fn act_established(&self) -> bool {
        self.act
    }
}

impl Session {
    /// Starts a session on an embedded form.
    pub fn start(form_id: &str, language: Lang, context: Context) -> Result<Session, SessionError> {
        let form = forms::get(form_id).ok_or_else(|| SessionError::UnknownForm(clip(form_id)))?;
        Session::open(form, language, context)
    }

    /// Starts a session on a given version of a form (the current one, or an archived one a
    /// draft was made with).
    fn open(
        form: &'static Form,
        language: Lang,
        context: Context,
    ) -> Result<Session, SessionError> {
        if !form.languages.contains(&language) {
            return Err(SessionError::LanguageNotOffered {
                form: form.id.clone(),
                lang: language,
            });
        }
        if let Some(age) = context.age {
            // The known age must be one the age question would accept.
            if let Some(l) = form.with_role(Role::Age) {
                Answer::Number(f64::from(age))
                    .validate(l.question)
                    .map_err(|error| SessionError::InvalidAnswer {
                        question: l.question.id.clone(),
                        error,
                    })?;
            } else if age > MAX_AGE {
                return Err(SessionError::InvalidAnswer {
                    question: "age".into(),
                    error: AnswerError::OutOfRange {
                        min: Some(0.0),
                        max: Some(f64::from(MAX_AGE)),
                    },
                });
            }
        }
        let mut session = Session {
            form,
            language,
            context,
            answers: BTreeMap::new(),
            skipped: BTreeSet::new(),
            position: Position::Review,
            errors: Vec::new(),
        };
        session.apply_context();
        session.position = session.first_open();
        Ok(session)
    }

    /// Resumes a saved draft: every answer is checked against the form, and the session continues
    /// at the saved question (or the first unanswered one).
    pub fn resume(draft: &Draft) -> Result<Session, SessionError> {
        if draft.format != DRAFT_FORMAT {
            return Err(DraftError::NotADraft.into());
        }
        if draft.schema != DRAFT_SCHEMA {
            return Err(DraftError::Schema(draft.schema).into());
        }
        let language: Lang = draft.language.parse().map_err(DraftError::from)?;
        // A draft resumes with the version of the form it was made with: the current one, or an
        // archived earlier one, so that its answers keep the meaning they were given.
        let form =
            forms::get_version(&draft.form, draft.form_version).ok_or_else(|| match forms::get(
                &draft.form,
            ) {
                Some(current) => DraftError::FormVersion {
                    form: current.id.clone(),
                    draft: draft.form_version,
                    current: current.version,
                },
                None => DraftError::UnknownForm(clip(&draft.form)),
            })?;
        let mut session = Session::open(form, language, draft.context)?;
        for (id, value) in &draft.answers {
            let located = form
                .question(id)
                .ok_or_else(|| DraftError::UnknownQuestion(clip(id), form.id.clone()))?;
            let answer = Answer::from_json(value, located.question).map_err(|error| {
                DraftError::InvalidAnswer {
                    question: id.clone(),
                    error,
                }
            })?;
            session.answers.insert(id.clone(), answer);
        }
        for id in &draft.skipped {
            let Some(located) = form.question(id) else {
                return Err(DraftError::UnknownQuestion(clip(id), form.id.clone()).into());
            };
            if located.question.required {
                return Err(DraftError::RequiredSkipped(id.clone()).into());
            }
            if !session.answers.contains_key(id) {
                session.skipped.insert(id.clone());
            }
        }
        session.apply_context();
        let visible = session.visibility();
        session.position = match draft.position.as_deref().and_then(|id| form.position(id)) {
            Some(p) if session.askable(p, &visible) => Position::Question(p),
            _ => session.first_unanswered(&visible),
        };
        Ok(session)
    }

    /// The session as a draft, to save or to resume elsewhere.
    pub fn draft(&self) -> Draft {
        Draft {
            format: DRAFT_FORMAT.to_string(),
            schema: DRAFT_SCHEMA,
            form: self.form.id.clone(),
            form_version: self.form.version,
            language: self.language.code().to_string(),
            context: self.context,
            answers: self
                .answers
                .iter()
                .filter(|(id, _)| !self.is_auto_id(id))
                .map(|(id, a)| (id.clone(), a.to_json()))
                .collect(),
            skipped: self.skipped.iter().cloned().collect(),
            position: match self.position {
                Position::Question(p) => self.form.at(p).map(|l| l.question.id.clone()),
                Position::Review => None,
            },
        }
    }

    pub fn form(&self) -> &'static Form {
        self.form
    }

    pub fn language(&self) -> Lang {
        self.language
    }

    /// Switches the language; the next screen comes in it.
    pub fn set_language(&mut self, language: Lang) -> Result<Screen, SessionError> {
        if !self.form.languages.contains(&language) {
            return Err(SessionError::LanguageNotOffered {
                form: self.form.id.clone(),
                lang: language,
            });
        }
        self.language = language;
        self.errors.clear();
        Ok(self.screen())
    }

    // --- navigation -------------------------------------------------------------------------

    /// Answers the current question and moves on. An invalid answer leaves the session on the same
    /// question, with the reason in the screen's `errors`.
    pub fn answer(&mut self, answer: Answer) -> Screen {
        match self.try_answer(answer) {
            Ok(()) => {}
            Err(e) => self.errors = vec![self.error_message(&e)],
        }
        self.screen()
    }

    /// Like [`Session::answer`], but returns the refusal as an error (for scripts).
    pub fn try_answer(&mut self, answer: Answer) -> Result<(), SessionError> {
        let Position::Question(p) = self.position else {
            return Err(SessionError::NoQuestion);
        };
        let Some(located) = self.form.at(p) else {
            return Err(SessionError::NoQuestion);
        };
        let id = located.question.id.clone();
        let answer =
            answer
                .validate(located.question)
                .map_err(|error| SessionError::InvalidAnswer {
                    question: id.clone(),
                    error,
                })?;
        self.answers.insert(id.clone(), answer);
        self.skipped.remove(&id);
        self.errors.clear();
        self.advance(p);
        Ok(())
    }

    /// Answers with the ids of the options the user picked on the screen (`options` and
    /// `special_options` of [`QuestionView`]): `yes`/`no`, option ids, `dont_know`,
    /// `prefer_not_to_say`. One id for yes/no and single questions, one or more for multi.
    pub fn choose(&mut self, option_ids: &[String]) -> Screen {
        let answer = self
            .current_question()
            .map(|q| Answer::from_option_ids(q, option_ids));
        match answer {
            Some(Ok(a)) => self.answer(a),
            Some(Err(e)) => {
                self.errors = vec![e.message(self.language)];
                self.screen()
            }
            None => {
                self.errors = vec![self.error_message(&SessionError::NoQuestion)];
                self.screen()
            }
        }
    }

    /// Answers from typed text, read by the question's type: a number, a date, or a text.
    /// For choices, use [`Session::answer`] with the option id.
    pub fn answer_text(&mut self, input: &str) -> Screen {
        let answer = match self.current_question().map(|q| q.kind.answer_type()) {
            Some(AnswerType::Number) => match parse_number(input) {
                Some(n) => Answer::Number(n),
                None => {
                    self.errors =
                        vec![AnswerError::WrongType(AnswerType::Number).message(self.language)];
                    return self.screen();
                }
            },
            Some(AnswerType::Date) => Answer::Date(input.trim().to_string()),
            _ => Answer::Text(input.to_string()),
        };
        self.answer(answer)
    }

    /// Leaves the current question unanswered and moves on (not for required questions).
    pub fn skip(&mut self) -> Screen {
        if let Err(e) = self.try_skip() {
            self.errors = vec![self.error_message(&e)];
        }
        self.screen()
    }

    pub fn try_skip(&mut self) -> Result<(), SessionError> {
        let Position::Question(p) = self.position else {
            return Err(SessionError::NoQuestion);
        };
        let Some(located) = self.form.at(p) else {
            return Err(SessionError::NoQuestion);
        };
        let q = located.question;
        if q.required {
            return Err(SessionError::Required(q.id.clone()));
        }
        self.answers.remove(&q.id);
        self.skipped.insert(q.id.clone());
        self.errors.clear();
        self.advance(p);
        Ok(())
    }

    /// Moves on keeping the current answer (after going back to look at it).
    // "Next" is the button's name on every screen; a session is not an iterator.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> Screen {
        match self.position {
            Position::Question(p) => {
                let Some(located) = self.form.at(p) else {
                    return self.screen();
                };
                let id = &located.question.id;
                if self.answers.contains_key(id) || self.skipped.contains(id) {
                    self.errors.clear();
                    self.advance(p);
                } else {
                    self.errors = vec![self.error_message(&SessionError::NoAnswer(id.clone()))];
                }
            }
            Position::Review => {}
        }
        self.screen()
    }

    /// Goes back to the previous question shown.
    pub fn back(&mut self) -> Screen {
        let visible = self.visibility();
        let from = match self.position {
            Position::Question(p) => p,
            Position::Review => self.form.question_count(),
        };
        if let Some(p) = (0..from).rev().find(|&p| self.askable(p, &visible)) {
            self.position = Position::Question(p);
        }
        self.errors.clear();
        self.screen()
    }

    /// Jumps to a question (from the review screen, say). It must be shown in the current state.
    pub fn go_to(&mut self, question_id: &str) -> Result<Screen, SessionError> {
        let visible = self.visibility();
        match self.form.position(question_id) {
            Some(p) if self.askable(p, &visible) => {
                self.position = Position::Question(p);
                self.errors.clear();
                Ok(self.screen())
            }
            _ => Err(SessionError::NotShown(clip(question_id))),
        }
    }

    /// Goes to the review screen (the end of the form).
    pub fn review(&mut self) -> Screen {
        self.position = Position::Review;
        self.errors.clear();
        self.screen()
    }

    /// Finishes into the form's result. Refused while a required question shown is unanswered.
    pub fn finish(&self) -> Result<FormResult, SessionError> {
        let visible = self.visibility();
        let missing = self.missing_required(&visible);
        if !missing.is_empty() {
            return Err(SessionError::Incomplete(missing));
        }
        Ok(result::build(
            self,
            &self.evidence_with(&visible),
            self.subject_with(&visible),
            self.completeness_with(&visible),
        ))
    }

    // --- state the result builders read -----------------------------------------------------

    /// Who the person is for scoring: a child when under 18 or presumed so.
    pub fn subject(&self) -> Subject {
        self.subject_with(&self.visibility())
    }

    fn subject_with(&self, visible: &[bool]) -> Subject {
        let pass = Pass {
            session: self,
            visible,
            act: false,
        };
        match self.child_status(&pass) {
            Some(true) => Subject::Child,
            _ => Subject::Adult,
        }
    }

    /// The effects of every answer shown, with the question that produced each.
    pub fn evidence(&self) -> Vec<(&'static str, &'static Effects)> {
        self.evidence_with(&self.visibility())
    }

    /// The current answer to a question, if it is shown.
    pub fn answer_of(&self, id: &str) -> Option<&Answer> {
        let visible = self.visibility();
        let p = self.form.position(id)?;
        if visible[p] {
            self.answers.get(id)
        } else {
            None
        }
    }

    /// Whether a question is shown in the current state (answered or not).
    pub fn is_shown(&self, id: &str) -> bool {
        let visible = self.visibility();
        self.form.position(id).is_some_and(|p| visible[p])
    }

    fn evidence_with(&self, visible: &[bool]) -> Vec<(&'static str, &'static Effects)> {
        let form: &'static Form = self.form;
        let mut candidates = Vec::new();
        for l in form.questions() {
            if !visible[l.position] {
                continue;
            }
            if let Some(answer) = self.answers.get(&l.question.id) {
                let id = l.question.id.as_str();
                candidates.extend(
                    evidence::of_answer(l.question, answer)
                        .into_iter()
                        .map(|e| (id, e)),
                );
            }
        }
        evidence::gather(candidates, |condition, act| {
            condition.eval(&Pass {
                session: self,
                visible,
                act,
            })
        })
    }

    /// What the result rests on: every question shown, answered or not.
    pub fn completeness(&self) -> Completeness {
        self.completeness_with(&self.visibility())
    }

    fn completeness_with(&self, visible: &[bool]) -> Completeness {
        let shown = (0..self.form.question_count())
            .filter(|&p| self.askable(p, visible))
            .filter_map(|p| {
                let id = &self.form.at(p)?.question.id;
                let asked = match self.answers.get(id) {
                    Some(a) => Asked::Answered(a),
                    None if self.skipped.contains(id) => Asked::Skipped,
                    None => Asked::NotReached,
                };
                Some((p, asked))
            });
        completeness::measure(self.form, shown, self.language)
    }

    // --- internals ---------------------------------------------------------------------------

    fn current_question(&self) -> Option<&'static forms::Question> {
        match self.position {
            Position::Question(p) => self.form.at(p).map(|l| l.question),
            Position::Review => None,
        }
    }

    /// A known context age answers the age question, which is then not asked; a known child or
    /// adult (without the age) answers the "could this person be under 18?" question likewise.
    fn apply_context(&mut self) {
        if let (Some(age), Some(l)) = (self.context.age, self.form.with_role(Role::Age)) {
            self.answers
                .insert(l.question.id.clone(), Answer::Number(f64::from(age)));
            self.skipped.remove(&l.question.id);
        }
        if let (None, Some(child), Some(l)) = (
            self.context.age,
            self.context.child,
            self.form.with_role(Role::PresumedMinor),
        ) {
            let answer = if child { Answer::Yes } else { Answer::No };
            self.answers.insert(l.question.id.clone(), answer);
            self.skipped.remove(&l.question.id);
        }
    }

    fn is_auto(&self, p: usize) -> bool {
        let role = self.form.at(p).and_then(|l| l.question.role);
        match role {
            Some(Role::Age) => self.context.age.is_some(),
            Some(Role::PresumedMinor) => self.context.age.is_none() && self.context.child.is_some(),
            None => false,
        }
    }

    fn is_auto_id(&self, id: &str) -> bool {
        self.form.position(id).is_some_and(|p| self.is_auto(p))
    }

    /// Child, adult, or not known yet.
    fn child_status(&self, pass: &Pass<'_>) -> Option<bool> {
        let adult_age = RuleSet::embedded().adult_age;
        if let Some(age) = self.context.age {
            return Some(age < adult_age);
        }
        if let Some(l) = self.form.with_role(Role::Age)
            && let Some(Answer::Number(n)) = pass.shown(&l.question.id)
        {
            return Some(*n < f64::from(adult_age));
        }
        if let Some(child) = self.context.child
            && self.form.with_role(Role::PresumedMinor).is_none()
        {
            // A form without its own age questions (consent, needs, risk) takes the case's.
            return Some(child);
        }
        if let Some(l) = self.form.with_role(Role::PresumedMinor) {
            // Presumption of minority: in doubt, a child.
            return match pass.shown(&l.question.id)? {
                Answer::No => Some(false),
                _ => Some(true),
            };
        }
        None
    }

    /// Which questions are shown, in one forward pass (conditions only look backwards).
    fn visibility(&self) -> Vec<bool> {
        let mut visible = Vec::with_capacity(self.form.question_count());
        for l in self.form.questions() {
            let shown = {
                let pass = Pass {
                    session: self,
                    visible: &visible,
                    act: false,
                };
                let branch_ok = match l.section.branch {
                    None => true,
                    Some(forms::Branch::Child) => pass.is_child(),
                    Some(forms::Branch::Adult) => !pass.is_child(),
                };
                branch_ok
                    && l.section.when.as_ref().is_none_or(|c| c.eval(&pass))
                    && l.question.when.as_ref().is_none_or(|c| c.eval(&pass))
            };
            visible.push(shown);
        }
        visible
    }

    fn askable(&self, p: usize, visible: &[bool]) -> bool {
        visible.get(p).copied().unwrap_or(false) && !self.is_auto(p)
    }

    fn first_open(&self) -> Position {
        let visible = self.visibility();
        (0..self.form.question_count())
            .find(|&p| self.askable(p, &visible))
            .map_or(Position::Review, Position::Question)
    }

    fn first_unanswered(&self, visible: &[bool]) -> Position {
        self.form
            .questions()
            .find(|l| {
                self.askable(l.position, visible)
                    && !self.answers.contains_key(&l.question.id)
                    && !self.skipped.contains(&l.question.id)
            })
            .map_or(Position::Review, |l| Position::Question(l.position))
    }

    /// Moves to the next question shown after `p` (visibility is recomputed: the answer just given
    /// may open or close later questions).
    fn advance(&mut self, p: usize) {
        let visible = self.visibility();
        self.position = (p + 1..self.form.question_count())
            .find(|&n| self.askable(n, &visible))
            .map_or(Position::Review, Position::Question);
    }

    fn missing_required(&self, visible: &[bool]) -> Vec<String> {
        self.form
            .questions()
            .filter(|l| {
                l.question.required
                    && self.askable(l.position, visible)
                    && !self.answers.contains_key(&l.question.id)
            })
            .map(|l| l.question.id.clone())
            .collect()
    }

    fn error_message(&self, e: &SessionError) -> String {
        let lang = self.language;
        match e {
            SessionError::InvalidAnswer { error, .. } => error.message(lang),
            SessionError::Required(_) => t(lang, "session.error.required"),
            SessionError::NoAnswer(_) => t(lang, "session.error.no_answer"),
            SessionError::NoQuestion => t(lang, "session.error.no_question"),
            other => other.to_string(),
        }
    }

    // --- the screen --------------------------------------------------------------------------

    /// The current screen.
    pub fn screen(&self) -> Screen {
        let lang = self.language;
        let form = self.form;
        let visible = self.visibility();
        let askable: Vec<usize> = (0..form.question_count())
            .filter(|&p| self.askable(p, &visible))
            .collect();
        let answered = askable
            .iter()
            .filter(|&&p| {
                form.at(p)
                    .is_some_and(|l| self.answers.contains_key(&l.question.id))
            })
            .count();
        let skipped = askable
            .iter()
            .filter(|&&p| {
                form.at(p)
                    .is_some_and(|l| self.skipped.contains(&l.question.id))
            })
            .count();
        let total = askable.len();
        let done = answered + skipped;
        let missing = self.missing_required(&visible);
        let (position, question, section) = match self.position {
            Position::Question(p) => {
                let index = askable.iter().position(|&a| a == p).map_or(0, |i| i + 1);
                let located = form.at(p);
                (
                    index,
                    located.map(|l| self.question_view(l.question)),
                    located.map(|l| self.section_view(l, &askable)),
                )
            }
            Position::Review => (0, None, None),
        };
        let on_question = question.is_some();
        let can_skip = question.as_ref().is_some_and(|q| !q.required);
        let can_next = match self.position {
            Position::Question(p) => form.at(p).is_some_and(|l| {
                self.answers.contains_key(&l.question.id) || self.skipped.contains(&l.question.id)
            }),
            Position::Review => false,
        };
        let first = askable.first().copied();
        let can_back = match self.position {
            Position::Question(p) => first.is_some_and(|f| f < p),
            Position::Review => first.is_some(),
        };
        let review = (!on_question).then(|| self.review_view(&askable, &missing));
        Screen {
            form_id: form.id.clone(),
            form_version: form.version,
            form_title: form.title.get(lang).to_string(),
            language: lang,
            direction: lang.direction(),
            kind: if on_question {
                ScreenKind::Question
            } else {
                ScreenKind::Review
            },
            section,
            question,
            review,
            progress: Progress {
                position: position as u32,
                total: total as u32,
                answered: answered as u32,
                percent: (done * 100).checked_div(total).unwrap_or(100) as u32,
            },
            can_back,
            can_next,
            can_skip,
            can_finish: missing.is_empty(),
            errors: self.errors.clone(),
            labels: Labels::new(lang),
        }
    }

    fn section_view(&self, l: forms::Located<'_>, askable: &[usize]) -> SectionView {
        let lang = self.language;
        let form = self.form;
        let sections: Vec<&str> = {
            let mut ids: Vec<&str> = Vec::new();
            for &p in askable {
                if let Some(s) = form.at(p).map(|l| l.section.id.as_str())
                    && ids.last() != Some(&s)
                {
                    ids.push(s);
                }
            }
            ids
        };
        let first_of_section = askable
            .iter()
            .find(|&&p| form.at(p).is_some_and(|o| o.section.id == l.section.id))
            .is_some_and(|&p| p == l.position);
        SectionView {
            id: l.section.id.clone(),
            title: l.section.title.get(lang).to_string(),
            intro: l.section.intro.as_ref().map(|t| t.get(lang).to_string()),
            starts_here: first_of_section,
            index: sections
                .iter()
                .position(|&s| s == l.section.id)
                .map_or(0, |i| i + 1) as u32,
            count: sections.len() as u32,
        }
    }

    fn question_view(&self, q: &forms::Question) -> QuestionView {
        let lang = self.language;
        let current = self.answers.get(&q.id);
        let selected = |id: &str| match current {
            Some(Answer::Choices(cs)) => cs.iter().any(|c| c == id),
            Some(a) => a.choice() == Some(id),
            None => false,
        };
        let options: Vec<OptionView> = match &q.kind {
            QuestionKind::YesNo { .. } => ["yes", "no"]
                .iter()
                .map(|id| OptionView {
                    id: (*id).to_string(),
                    label: t(lang, &format!("answer.{id}")),
                    selected: selected(id),
                    exclusive: false,
                })
                .collect(),
            kind => kind
                .options()
                .iter()
                .map(|o| OptionView {
                    id: o.id.clone(),
                    label: o.label.get(lang).to_string(),
                    selected: selected(&o.id),
                    exclusive: o.exclusive,
                })
                .collect(),
        };
        let special_options = [crate::answer::DONT_KNOW, crate::answer::PREFER_NOT_TO_SAY]
            .iter()
            .map(|id| OptionView {
                id: (*id).to_string(),
                label: t(lang, &format!("answer.{id}")),
                selected: selected(id),
                exclusive: true,
            })
            .collect();
        let (number, max_length, hint) = match &q.kind {
            QuestionKind::Number(spec) => (
                Some(NumberView {
                    min: spec.min,
                    max: spec.max,
                    integer: spec.integer,
                    unit: spec.unit.as_ref().map(|u| u.get(lang).to_string()),
                }),
                None,
                Some(t(lang, "answer.hint.number")),
            ),
            QuestionKind::Date => (None, None, Some(t(lang, "answer.hint.date"))),
            QuestionKind::Text { max_length } => (
                None,
                Some(*max_length as u32),
                Some(tf(
                    lang,
                    "answer.hint.text",
                    &[("max", &max_length.to_string())],
                )),
            ),
            QuestionKind::Multi { .. } => (None, None, Some(t(lang, "answer.hint.multi"))),
            _ => (None, None, None),
        };
        let current_text = match current {
            Some(Answer::Number(n)) => {
                Some(crate::answer::Answer::Number(*n).to_json().to_string())
            }
            Some(Answer::Date(d)) => Some(d.clone()),
            Some(Answer::Text(s)) => Some(s.clone()),
            _ => None,
        };
        QuestionView {
            id: q.id.clone(),
            answer_type: q.kind.answer_type(),
            prompt: q.prompt.get(lang).to_string(),
            help: q.help.as_ref().map(|h| h.get(lang).to_string()),
            required: q.required,
            options,
            special_options,
            number,
            max_length,
            hint,
            current_text,
            answered: current.is_some(),
            skipped: self.skipped.contains(&q.id),
        }
    }

    fn review_view(&self, askable: &[usize], missing: &[String]) -> ReviewView {
        let lang = self.language;
        let mut counts = (0u32, 0u32, 0u32, 0u32);
        for &p in askable {
            let Some(l) = self.form.at(p) else { continue };
            match self.answers.get(&l.question.id) {
                Some(Answer::DontKnow) => counts.1 += 1,
                Some(Answer::PreferNotToSay) => counts.2 += 1,
                Some(_) => counts.0 += 1,
                None => counts.3 += 1,
            }
        }
        let unanswered_required = missing
            .iter()
            .filter_map(|id| self.form.question(id))
            .map(|l| QuestionRef {
                id: l.question.id.clone(),
                prompt: l.question.prompt.get(lang).to_string(),
            })
            .collect::<Vec<_>>();
        let message = if unanswered_required.is_empty() {
            t(lang, "review.ready")
        } else {
            t(lang, "review.missing")
        };
        ReviewView {
            title: t(lang, "review.title"),
            message,
            answered: counts.0,
            dont_know: counts.1,
            prefer_not_to_say: counts.2,
            unanswered: counts.3,
            unanswered_required,
        }
    }
}

fn clip(s: &str) -> String {
    s.chars().take(60).collect()
}

/// Reads a typed number, accepting a decimal comma as French and Spanish keyboards type it.
pub fn parse_number(input: &str) -> Option<f64> {
    let s = input.trim().replace(',', ".");
    s.parse::<f64>().ok().filter(|n| n.is_finite())
}

// --- screen records: plain data, the same for every front end --------------------------------

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScreenKind {
    Question,
    Review,
}

/// Everything a UI needs to draw the current step, already localised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Screen {
    pub form_id: String,
    pub form_version: u32,
    pub form_title: String,
    pub language: Lang,
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionView {
    pub id: String,
    pub answer_type: AnswerType,
    pub prompt: String,
    /// Guidance for the interviewer; not read aloud.
    pub help: Option<String>,
    pub required: bool,
    /// Yes/No for yes/no questions, the options for choices; `selected` marks the current answer.
    pub options: Vec<OptionView>,
    /// "Don't know" and "Prefers not to say", always available.
    pub special_options: Vec<OptionView>,
    pub number: Option<NumberView>,
    pub max_length: Option<u32>,
    /// How to type the answer (number, date format, text length, several choices allowed).
    pub hint: Option<String>,
    /// The current typed answer (number, date, text), to prefill the field.
    pub current_text: Option<String>,
    pub answered: bool,
    pub skipped: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OptionView {
    pub id: String,
    pub label: String,
    pub selected: bool,
    /// Cannot be combined with other options.
    pub exclusive: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumberView {
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub integer: bool,
    pub unit: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewView {
    pub title: String,
    pub message: String,
    pub answered: u32,
    pub dont_know: u32,
    pub prefer_not_to_say: u32,
    pub unanswered: u32,
    pub unanswered_required: Vec<QuestionRef>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionRef {
    pub id: String,
    pub prompt: String,
}

/// Progress through the questions currently shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Progress {
    /// 1-based position of the current question among those shown; 0 on the review screen.
    pub position: u32,
    pub total: u32,
    pub answered: u32,
    /// Answered or skipped, in percent of the questions shown.
    pub percent: u32,
}

/// Button and choice labels, so that UIs carry no domain strings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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

impl Labels {
    pub fn new(lang: Lang) -> Labels {
        Labels {
            back: t(lang, "ui.back"),
            next: t(lang, "ui.next"),
            skip: t(lang, "ui.skip"),
            finish: t(lang, "ui.finish"),
            review: t(lang, "ui.review"),
            quit: t(lang, "ui.quit"),
            required: t(lang, "ui.required"),
            progress: t(lang, "ui.progress"),
        }
    }
}
