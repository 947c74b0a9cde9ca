//! What finishing a session produces, by form kind.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::assessment::{self, ConsentResult, NeedsResult, QuickCheckResult, RiskResult};
use crate::catalogue::Subject;
use crate::effects::{Effects, RedFlag};
use crate::forms::FormKind;
use crate::scoring::{self, Findings, ScreeningResult};
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
    for (q, e) in evidence {
        for id in &e.indicators {
            let sources = findings.entry(id.clone()).or_default();
            if !sources.iter().any(|s| s == q) {
                sources.push((*q).to_string());
            }
        }
    }
    findings
}

pub(crate) fn build(
    session: &Session,
    evidence: &[(&'static str, &'static Effects)],
    subject: Subject,
) -> FormResult {
    let lang = session.language();
    let flags = flags_of(evidence);
    match session.form().kind {
        FormKind::Interview => FormResult::Interview(scoring::score_session(
            &findings_of(evidence),
            subject,
            &flags,
            lang,
        )),
        FormKind::QuickCheck => FormResult::QuickCheck(assessment::quick_check(evidence, lang)),
        FormKind::Needs => FormResult::Needs(assessment::needs(evidence, lang)),
        FormKind::Risk => FormResult::Risk(assessment::risk(evidence, lang)),
        FormKind::Consent => FormResult::Consent(assessment::consent(session, lang)),
    }
}
