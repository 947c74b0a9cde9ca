//! Triage beside the ILO outcome: what else the answers show, each with its own pathway. The Labé
//! training teaches these distinctions: trafficking is not smuggling of migrants (UNODC: smuggling
//! is consented, ends on arrival and is a crime against the State), gender-based violence and child
//! labour have their own services, and forced criminality calls for the non-punishment principle.
//! A triage item never lowers the outcome; it adds what to do.

use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use crate::catalogue::{Dimension, Subject};
use crate::effects::{Purpose, Sign};
use crate::i18n::t;
use crate::lang::Lang;

/// One thing the triage found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TriageKind {
    SexualExploitation,
    ForcedCriminality,
    ForcedBegging,
    LabourCoercion,
    ForcedMarriage,
    Gbv,
    ChildLabour,
    Smuggling,
}

impl TriageKind {
    pub fn id(self) -> &'static str {
        match self {
            TriageKind::SexualExploitation => "sexual_exploitation",
            TriageKind::ForcedCriminality => "forced_criminality",
            TriageKind::ForcedBegging => "forced_begging",
            TriageKind::LabourCoercion => "labour_coercion",
            TriageKind::ForcedMarriage => "forced_marriage",
            TriageKind::Gbv => "gbv",
            TriageKind::ChildLabour => "child_labour",
            TriageKind::Smuggling => "smuggling",
        }
    }
}

/// A triage item: what was found, why, and the steps of its pathway.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TriageItem {
    pub id: TriageKind,
    pub label: String,
    /// Sentences a worker can read to a supervisor.
    pub explanation: String,
    /// Next-step ids of its pathway (their texts are in the result's next steps).
    pub steps: Vec<String>,
}

/// What the triage reads.
pub struct TriageInput<'a> {
    pub subject: Subject,
    /// The outcome is "possible victim of trafficking".
    pub trafficking: bool,
    pub positive: &'a dyn Fn(Dimension) -> bool,
    /// Some EX indicator was found (positive or not).
    pub exploitation_seen: bool,
    pub purposes: &'a BTreeSet<Purpose>,
    pub signs: &'a BTreeSet<Sign>,
}

fn item(kind: TriageKind, variant: &str, steps: &[&str], lang: Lang) -> TriageItem {
    let id = kind.id();
    TriageItem {
        id: kind,
        label: t(lang, &format!("triage.{id}")),
        explanation: t(lang, &format!("triage.{id}.{variant}")),
        steps: steps.iter().map(|s| (*s).to_string()).collect(),
    }
}

/// Every triage item the answers call for, most serious first.
pub fn triage(input: &TriageInput<'_>, lang: Lang) -> Vec<TriageItem> {
    let child = input.subject == Subject::Child;
    let has = |s: Sign| input.signs.contains(&s);
    let purpose = |p: Purpose| input.purposes.contains(&p);
    let mut items = Vec::new();
    if purpose(Purpose::Sexual) {
        let variant = if child { "child" } else { "adult" };
        items.push(item(
            TriageKind::SexualExploitation,
            variant,
            &["refer_nrm", "refer_gbv"],
            lang,
        ));
    }
    if purpose(Purpose::Criminality) {
        items.push(item(
            TriageKind::ForcedCriminality,
            "text",
            &["non_punishment", "refer_nrm"],
            lang,
        ));
    }
    if purpose(Purpose::Begging) {
        let steps: &[&str] = if child {
            &["child_protection", "refer_nrm"]
        } else {
            &["refer_nrm"]
        };
        items.push(item(TriageKind::ForcedBegging, "text", steps, lang));
    }
    if !input.trafficking && (input.positive)(Dimension::EX) && (input.positive)(Dimension::CD) {
        items.push(item(
            TriageKind::LabourCoercion,
            "text",
            &["refer_nrm", "refer_labour"],
            lang,
        ));
    }
    if has(Sign::ForcedMarriage) {
        let (variant, steps): (&str, &[&str]) = if child {
            ("child", &["child_protection", "refer_gbv"])
        } else {
            ("adult", &["refer_gbv"])
        };
        items.push(item(TriageKind::ForcedMarriage, variant, steps, lang));
    }
    if has(Sign::Gbv) {
        let (variant, steps): (&str, &[&str]) = if child {
            ("child", &["child_protection", "refer_gbv"])
        } else {
            ("adult", &["refer_gbv"])
        };
        items.push(item(TriageKind::Gbv, variant, steps, lang));
    }
    if child && has(Sign::ChildWork) && input.exploitation_seen && !input.trafficking {
        items.push(item(
            TriageKind::ChildLabour,
            "text",
            &["child_labour"],
            lang,
        ));
    }
    if has(Sign::PaidSmuggler) {
        let variant = if input.trafficking {
            "then_trafficking"
        } else if has(Sign::FreeNow) {
            "free"
        } else {
            "text"
        };
        items.push(item(
            TriageKind::Smuggling,
            variant,
            &["refer_migrant", "livelihood_support"],
            lang,
        ));
    }
    items
}
