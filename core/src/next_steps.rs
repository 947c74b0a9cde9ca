//! Recommended next steps: what the worker should do after a result, most urgent first.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::catalogue::Subject;
use crate::effects::Priority;
use crate::effects::RedFlag;
use crate::i18n;
use crate::lang::Lang;
use crate::referral::directory::ServiceCategory;
use crate::scoring::Outcome;
use crate::triage::TriageItem;

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
    if flags.contains(&RedFlag::ImmediateDanger)
        || flags.contains(&RedFlag::UnderControl)
        || flags.contains(&RedFlag::StandingThreat)
    {
        ids.push("ensure_safety");
    }
    if flags.contains(&RedFlag::StandingThreat) {
        ids.push("family_safety");
    }
    if flags.contains(&RedFlag::Injury) {
        ids.push("medical_care");
    }
    if flags.contains(&RedFlag::UnaccompaniedChild) {
        ids.push("child_alone");
    }
    ids
}

/// Steps that send the person to a service: a result that has one also asks for consent first.
pub const REFERRAL_STEPS: &[&str] = &[
    "refer_nrm",
    "refer_labour",
    "refer_gbv",
    "refer_migrant",
    "non_punishment",
    "child_protection",
    "child_labour",
    "child_alone",
    "medical_care",
    "full_interview",
    "refer_services",
    "livelihood_support",
    "ensure_safety",
];

/// The service categories of the directory a step refers to, and how soon. `refer_services` is
/// answered by the needs themselves (each need has its category).
pub fn categories_for_step(step: &str) -> (&'static [ServiceCategory], Priority) {
    use ServiceCategory as C;
    match step {
        "refer_nrm" => (&[C::Identification], Priority::Urgent),
        "non_punishment" => (&[C::AntiTraffickingPolice, C::Legal], Priority::Urgent),
        "refer_labour" => (&[C::LabourInspection, C::Legal], Priority::Normal),
        "refer_gbv" => (&[C::Gbv], Priority::Urgent),
        "refer_migrant" => (&[C::MigrantAssistance], Priority::Normal),
        "child_protection" => (&[C::ChildProtection], Priority::Urgent),
        "child_labour" => (
            &[C::ChildProtection, C::Education, C::LabourInspection],
            Priority::Normal,
        ),
        "child_alone" => (
            &[C::ChildProtection, C::FamilyTracing, C::Shelter],
            Priority::Emergency,
        ),
        "medical_care" => (&[C::Health], Priority::Emergency),
        "ensure_safety" => (&[C::Safety], Priority::Emergency),
        "full_interview" => (&[C::CaseManagement], Priority::Normal),
        "livelihood_support" => (&[C::Livelihood, C::Education], Priority::Normal),
        _ => (&[], Priority::Normal),
    }
}

/// Next steps after a full screening: the red flags' steps, the outcome's, the triage's, then
/// asking what is missing, and the steps every case needs.
pub fn for_screening(
    outcome: Outcome,
    subject: Subject,
    flags: &BTreeSet<RedFlag>,
    triage: &[TriageItem],
    incomplete: bool,
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
        }
        Outcome::Exploitation => {
            if child {
                ids.push("child_protection");
            }
            ids.extend(["refer_labour", "livelihood_support"]);
        }
        Outcome::IndicatorsPresent => {
            if child {
                ids.push("child_protection");
            }
            ids.push("follow_up");
        }
        Outcome::NoIndicators => {
            if incomplete {
                ids.push("complete_interview");
            }
        }
    }
    for item in triage {
        ids.extend(item.steps.iter().map(String::as_str));
    }
    if incomplete {
        ids.push("complete_interview");
    }
    if outcome == Outcome::NoIndicators {
        ids.push("inform_rights");
    }
    if outcome != Outcome::NoIndicators || !triage.is_empty() {
        ids.push("assess_needs_risk");
    }
    if ids.iter().any(|id| REFERRAL_STEPS.contains(id)) {
        ids.push("consent_before_referral");
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
    /// No signal in the answers given, but questions that could raise one have no answer: no
    /// conclusion.
    Incomplete,
    NoFlags,
}

impl Gate {
    pub fn id(self) -> &'static str {
        match self {
            Gate::Urgent => "urgent",
            Gate::Refer => "refer",
            Gate::Incomplete => "incomplete",
            Gate::NoFlags => "no_flags",
        }
    }
}

/// Next steps after a quick check.
pub fn for_quick_check(gate: Gate, flags: &BTreeSet<RedFlag>, lang: Lang) -> Vec<NextStep> {
    let mut ids = flag_steps(flags);
    match gate {
        Gate::Urgent | Gate::Refer => ids.push("full_interview"),
        Gate::Incomplete => ids.push("complete_check"),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::referral::directory::Directory;

    /// Every step that sends the person somewhere points to categories the directory can match,
    /// and the fictitious Kwilu sample has a service in each (the demo can always propose one).
    #[test]
    fn every_referral_step_points_to_categories_the_sample_directory_has() {
        let sample = Directory::sample_kwilu();
        for step in REFERRAL_STEPS {
            let (categories, _) = categories_for_step(step);
            if *step == "refer_services" {
                assert!(categories.is_empty(), "refer_services goes by the needs");
                continue;
            }
            assert!(!categories.is_empty(), "{step} points to no category");
            for c in categories {
                assert!(
                    sample.services.iter().any(|s| s.categories.contains(c)),
                    "the Kwilu sample has no {c} service for {step}"
                );
            }
        }
        for c in [
            ServiceCategory::Identification,
            ServiceCategory::AntiTraffickingPolice,
            ServiceCategory::LabourInspection,
            ServiceCategory::Gbv,
            ServiceCategory::MigrantAssistance,
            ServiceCategory::Livelihood,
            ServiceCategory::Education,
        ] {
            assert!(
                REFERRAL_STEPS
                    .iter()
                    .any(|s| categories_for_step(s).0.contains(&c)),
                "no step refers to {c}"
            );
        }
    }

    #[test]
    fn every_step_has_its_text_in_every_language() {
        let ids: Vec<String> = crate::i18n::messages(Lang::Fr)
            .keys()
            .filter_map(|k| k.strip_prefix("step.").map(str::to_string))
            .collect();
        for step in REFERRAL_STEPS {
            assert!(ids.iter().any(|i| i == step), "step.{step} has no text");
        }
        for id in [
            "complete_interview",
            "complete_check",
            "family_safety",
            "inform_rights",
            "confidentiality",
        ] {
            assert!(ids.iter().any(|i| i == id), "step.{id} has no text");
        }
    }
}
