//! From answers to what they evidence: the effects each answer gives, then the conditions on those
//! effects, judged on the whole finished form.
//!
//! Acts come first: an effect that establishes an act never depends on one (the form lint refuses
//! that), so the acts are known before the effects that need an act — the recruitment indicators —
//! are judged.

use crate::answer::Answer;
use crate::effects::Effects;
use crate::forms::{Condition, Question, QuestionKind};

/// Effects with the question whose answer produced each, in form order.
pub type Evidence = Vec<(&'static str, &'static Effects)>;

/// The effects an answer to `q` gives, before their conditions are judged.
pub(crate) fn of_answer(q: &'static Question, answer: &Answer) -> Vec<&'static Effects> {
    match (&q.kind, answer) {
        (_, Answer::DontKnow) => vec![&q.dont_know],
        (QuestionKind::YesNo { yes, .. }, Answer::Yes) => vec![yes],
        (QuestionKind::YesNo { no, .. }, Answer::No) => vec![no],
        (QuestionKind::Single { options }, Answer::Choice(c)) => options
            .iter()
            .filter(|o| &o.id == c)
            .map(|o| &o.effects)
            .collect(),
        (QuestionKind::Multi { options }, Answer::Choices(cs)) => options
            .iter()
            .filter(|o| cs.contains(&o.id))
            .map(|o| &o.effects)
            .collect(),
        (QuestionKind::Number(spec), Answer::Number(n)) => spec
            .thresholds
            .iter()
            .filter(|t| t.contains(*n))
            .map(|t| &t.effects)
            .collect(),
        _ => Vec::new(),
    }
}

/// Keeps the effects whose condition holds. `holds(condition, act_established)` judges a
/// condition on the finished form.
pub(crate) fn gather(
    candidates: Vec<(&'static str, &'static Effects)>,
    holds: impl Fn(&Condition, bool) -> bool,
) -> Evidence {
    let applies_without_act = |e: &Effects| match &e.when {
        None => true,
        Some(c) => !c.mentions_act() && holds(c, false),
    };
    let act = candidates
        .iter()
        .any(|(_, e)| !e.acts.is_empty() && applies_without_act(e));
    candidates
        .into_iter()
        .filter(|(_, e)| !e.is_empty())
        .filter(|(_, e)| e.when.as_ref().is_none_or(|c| holds(c, act)))
        .collect()
}
