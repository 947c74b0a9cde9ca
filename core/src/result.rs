//! What finishing a session produces, by form kind.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::assessment::{self, ConsentResult, NeedsResult, QuickCheckResult, RiskResult};
use crate::catalogue::Subject;
use crate::completeness::Completeness;
use crate::effects::{Effects, RedFlag, Sign};
use crate::forms::FormKind;
use crate::protocol;
use crate::scoring::{self, Findings, ScreeningInput, ScreeningResult};
use crate::session::Session;

/// The result of a finished session.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FormResult {
    /// The full interview, scored with the ILO rules.
    Interview(ScreeningResult),
    QuickCheck(QuickCheckResult),
    Needs(NeedsResult),
    Risk(RiskResult),
    Consent(ConsentResult),
}

impl FormResult {
    /// The localised explanation, whatever the kind.
    pub fn explanation(&self) -> &str {
        match self {
            FormResult::Interview(r) => &r.explanation,
            FormResult::QuickCheck(r) => &r.explanation,
            FormResult::Needs(r) => &r.explanation,
            FormResult::Risk(r) => &r.explanation,
            FormResult::Consent(r) => &r.explanation,
        }
    }

    /// What the result rests on (absent in results stored before it was recorded).
    pub fn completeness(&self) -> Option<&Completeness> {
        match self {
            FormResult::Interview(r) => r.completeness.as_ref(),
            FormResult::QuickCheck(r) => r.completeness.as_ref(),
            FormResult::Needs(r) => r.completeness.as_ref(),
            FormResult::Risk(r) => r.completeness.as_ref(),
            FormResult::Consent(r) => r.completeness.as_ref(),
        }
    }

    /// The outcome id (`possible_trafficking`, `refer`, …), for summaries and tests.
    pub fn outcome_id(&self) -> &'static str {
        match self {
            FormResult::Interview(r) => r.outcome.id(),
            FormResult::QuickCheck(r) => r.outcome.id(),
            FormResult::Needs(r) => r.outcome_id(),
            FormResult::Risk(r) => r.overall.map_or("none_reported", |l| l.id()),
            FormResult::Consent(r) => r.outcome_id(),
        }
    }
}

/// Red flags raised by a set of effects.
pub fn flags_of(evidence: &[(&str, &Effects)]) -> BTreeSet<RedFlag> {
    evidence
        .iter()
        .flat_map(|(_, e)| e.flags.iter().copied())
        .collect()
}

/// Indicators found, each with the questions that evidenced it.
pub fn findings_of(evidence: &[(&str, &Effects)]) -> Findings {
    let mut findings = Findings::new();
    // The effects of one question come together (the options of a multiple choice often evidence
    // the same indicator): each distinct indicator of a question is looked up once.
    let mut i = 0;
    while i < evidence.len() {
        let q = evidence[i].0;
        let mut ids: Vec<&str> = Vec::new();
        while i < evidence.len() && evidence[i].0 == q {
            for id in &evidence[i].1.indicators {
                if !ids.contains(&id.as_str()) {
                    ids.push(id);
                }
            }
            i += 1;
        }
        for id in ids {
            match findings.get_mut(id) {
                Some(sources) => {
                    if !sources.iter().any(|s| s == q) {
                        sources.push(q.to_string());
                    }
                }
                None => {
                    findings.insert(id.to_string(), vec![q.to_string()]);
                }
            }
        }
    }
    findings
}

/// Signs of the triage found in a set of effects.
pub fn signs_of(evidence: &[(&str, &Effects)]) -> BTreeSet<Sign> {
    evidence
        .iter()
        .flat_map(|(_, e)| e.signs.iter().copied())
        .collect()
}

pub(crate) fn build(
    session: &Session,
    evidence: &[(&'static str, &'static Effects)],
    subject: Subject,
    completeness: Completeness,
) -> FormResult {
    let lang = session.language();
    let flags = flags_of(evidence);
    let form = session.form();
    match form.kind {
        FormKind::Interview => {
            // Forms of the first version did not ask what establishes an act: no act is claimed
            // either way, and the recruitment indicators count as they did then.
            let acts = (form.schema >= 2).then(|| protocol::acts_of(evidence, lang));
            FormResult::Interview(scoring::score_session(
                ScreeningInput {
                    findings: &findings_of(evidence),
                    subject,
                    flags: &flags,
                    acts,
                    purposes: protocol::purposes_of(evidence, lang),
                    signs: signs_of(evidence),
                    completeness: Some(completeness),
                },
                lang,
            ))
        }
        FormKind::QuickCheck => {
            // The evidence holds a question's `dont_know` effects exactly when it was answered
            // "don't know" (and they evidence something): read them from there.
            let counted: Vec<String> = evidence
                .iter()
                .filter(|(q, e)| {
                    form.question(q)
                        .is_some_and(|l| std::ptr::eq(*e, &l.question.dont_know))
                })
                .map(|(q, _)| (*q).to_string())
                .collect();
            FormResult::QuickCheck(assessment::quick_check(
                evidence,
                counted,
                completeness,
                lang,
            ))
        }
        FormKind::Needs => FormResult::Needs(assessment::needs(evidence, completeness, lang)),
        FormKind::Risk => FormResult::Risk(assessment::risk(evidence, completeness, lang)),
        FormKind::Consent => FormResult::Consent(assessment::consent(session, completeness, lang)),
    }
}
