//! Recommended next steps: what the worker should do after a result, most urgent first.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::catalogue::Subject;
use crate::effects::RedFlag;
use crate::i18n;
use crate::lang::Lang;
use crate::scoring::Outcome;

/// One recommended step: a stable id and its text in the result's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NextStep {
    pub id: String,
    pub text: String,
}

fn steps(ids: &[&str], lang: Lang) -> Vec<NextStep> {
    let mut seen = BTreeSet::new();
    ids.iter()
        .filter(|id| seen.insert(**id))
        .map(|id| NextStep {
            id: (*id).to_string(),
            text: i18n::t(lang, &format!("step.{id}")),
        })
        .collect()
}

/// Steps that red flags call for, in order of urgency.
fn flag_steps(flags: &BTreeSet<RedFlag>) -> Vec<&'static str> {
    let mut ids = Vec::new();
    if flags.contains(&RedFlag::ImmediateDanger) || flags.contains(&RedFlag::UnderControl) {
        ids.push("ensure_safety");
    }
    if flags.contains(&RedFlag::Injury) {
        ids.push("medical_care");
    }
    if flags.contains(&RedFlag::UnaccompaniedChild) {
        ids.push("child_alone");
    }
    ids
}

/// Next steps after a full ILO screening.
pub fn for_screening(
    outcome: Outcome,
    subject: Subject,
    flags: &BTreeSet<RedFlag>,
    lang: Lang,
) -> Vec<NextStep> {
    let mut ids = flag_steps(flags);
    let child = subject == Subject::Child;
    match outcome {
        Outcome::PossibleTrafficking => {
            ids.push("refer_nrm");
            if child {
                ids.push("child_protection");
            }
            ids.extend(["assess_needs_risk", "consent_before_referral"]);
        }
        Outcome::Exploitation => {
            if child {
                ids.push("child_protection");
            }
            ids.extend([
                "refer_labour",
                "assess_needs_risk",
                "consent_before_referral",
            ]);
        }
        Outcome::IndicatorsPresent => {
            if child {
                ids.push("child_protection");
            }
            ids.extend(["follow_up", "assess_needs_risk"]);
        }
        Outcome::NoIndicators => ids.push("inform_rights"),
    }
    ids.push("confidentiality");
    steps(&ids, lang)
}

/// The quick check's gate: any red flag → urgent; any indicator → refer; else no flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gate {
    Urgent,
    Refer,
    NoFlags,
}

impl Gate {
    pub fn id(self) -> &'static str {
        match self {
            Gate::Urgent => "urgent",
            Gate::Refer => "refer",
            Gate::NoFlags => "no_flags",
        }
    }
}

/// Next steps after a quick check.
pub fn for_quick_check(gate: Gate, flags: &BTreeSet<RedFlag>, lang: Lang) -> Vec<NextStep> {
    let mut ids = flag_steps(flags);
    match gate {
        Gate::Urgent | Gate::Refer => ids.push("full_interview"),
        Gate::NoFlags => ids.push("inform_rights"),
    }
    ids.push("confidentiality");
    steps(&ids, lang)
}

/// Next steps after a needs, risk or consent assessment: the flags' steps, then the assessment's own.
pub fn for_assessment(extra: &[&str], flags: &BTreeSet<RedFlag>, lang: Lang) -> Vec<NextStep> {
    let mut ids = flag_steps(flags);
    ids.extend_from_slice(extra);
    steps(&ids, lang)
}
