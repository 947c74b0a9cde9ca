//! ILO/EC scoring: from the indicators found, each dimension's result, the outcome, red flags, next
//! steps and an explanation a worker can read to a supervisor.
//!
//! The rules come from [`RuleSet`] (data); this module only applies them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, Dimension, IndicatorSet, Strength, Subject};
use crate::completeness::Completeness;
use crate::effects::{RedFlag, Sign};
use crate::explain;
use crate::lang::Lang;
use crate::next_steps::{self, NextStep};
use crate::protocol::{self, ActFound, ProtocolReading, PurposeFound};
use crate::rules::{Counts, RuleSet};
use crate::triage::{self, TriageInput, TriageItem};

/// The outcome ladder, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The adult or child combination is met: possible victim of trafficking, refer for formal
    /// identification. Never a determination.
    PossibleTrafficking,
    /// Exploitative conditions (EX positive) without the combination.
    Exploitation,
    /// Some indicator found, neither of the above.
    IndicatorsPresent,
    NoIndicators,
}

impl Outcome {
    pub fn id(self) -> &'static str {
        match self {
            Outcome::PossibleTrafficking => "possible_trafficking",
            Outcome::Exploitation => "exploitation",
            Outcome::IndicatorsPresent => "indicators_present",
            Outcome::NoIndicators => "no_indicators",
        }
    }
}

/// Why scoring refused its input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScoreError {
    #[error("unknown indicator id '{0}'")]
    UnknownIndicator(String),
    #[error("indicator '{0}' is not part of the child indicator set")]
    NotInChildSet(String),
}

/// One present indicator, with the questions whose answers evidenced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorFinding {
    pub id: String,
    pub strength: Strength,
    pub title: String,
    /// Question ids (empty when the indicator was given directly, as with `relais score`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

/// One dimension's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DimensionResult {
    pub positive: bool,
    pub title: String,
    pub counts: Counts,
    pub indicators: Vec<IndicatorFinding>,
}

/// Whether the subject's combination is met, and which groups lack a positive dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CombinationResult {
    pub met: bool,
    pub missing: Vec<Vec<Dimension>>,
}

/// A red flag with its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagView {
    pub id: RedFlag,
    pub label: String,
}

impl FlagView {
    pub fn list(flags: &BTreeSet<RedFlag>, lang: Lang) -> Vec<FlagView> {
        flags
            .iter()
            .map(|&id| FlagView {
                id,
                label: id.label(lang),
            })
            .collect()
    }
}

/// Why the outcome is "possible victim of trafficking".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The ILO/EC combination is met.
    Ilo,
    /// The Palermo Protocol's reading is met (act, means, purpose; a child needs no means) though
    /// the ILO combination is not.
    Protocol,
    /// Both.
    Both,
}

/// The full result of an ILO screening.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningResult {
    pub outcome: Outcome,
    pub outcome_label: String,
    pub subject: Subject,
    pub dimensions: BTreeMap<Dimension, DimensionResult>,
    pub combination: CombinationResult,
    pub red_flags: Vec<FlagView>,
    /// A red flag is present: act now, whatever the outcome.
    pub urgent: bool,
    pub next_steps: Vec<NextStep>,
    pub explanation: String,
    pub language: Lang,
    /// `catalogue@version` and `rules@version` that produced this result.
    pub catalogue: String,
    pub rules: String,
    /// The indicator set scored with (absent in results of the first rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub set: Option<IndicatorSet>,
    /// That set's strengths are provisional (not checked against the ILO/EC publication).
    #[serde(default)]
    pub provisional: bool,
    /// Why the outcome is "possible victim of trafficking", when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub basis: Option<Basis>,
    /// The act–means–purpose reading (absent in results of the first rules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub protocol: Option<ProtocolReading>,
    /// What else the answers show, each with its pathway.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triage: Vec<TriageItem>,
    /// What the result rests on (absent for explicit indicators and in older results).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completeness: Option<Completeness>,
}

/// What a screening is scored from.
pub struct ScreeningInput<'a> {
    pub findings: &'a Findings,
    pub subject: Subject,
    pub flags: &'a BTreeSet<RedFlag>,
    /// The acts found; `None` when the form did not assess them.
    pub acts: Option<Vec<ActFound>>,
    pub purposes: Vec<PurposeFound>,
    pub signs: BTreeSet<Sign>,
    pub completeness: Option<Completeness>,
}

impl<'a> ScreeningInput<'a> {
    /// Indicators alone, as `relais score` gives them: no act, purpose, sign or completeness.
    pub fn indicators(
        findings: &'a Findings,
        subject: Subject,
        flags: &'a BTreeSet<RedFlag>,
    ) -> ScreeningInput<'a> {
        ScreeningInput {
            findings,
            subject,
            flags,
            acts: None,
            purposes: Vec::new(),
            signs: BTreeSet::new(),
            completeness: None,
        }
    }
}

/// The set a screening is scored with: the sexual-exploitation set of the subject when an
/// indicator found belongs only to it, else the labour set.
pub fn set_for(findings: &Findings, subject: Subject) -> IndicatorSet {
    let catalogue = Catalogue::embedded();
    let sexual = findings
        .keys()
        .any(|id| catalogue.get(id).is_some_and(|i| i.sexual_only()));
    IndicatorSet::of(subject, sexual)
}

/// Indicators found, each with the questions that evidenced it.
pub type Findings = BTreeMap<String, Vec<String>>;

/// Scores a set of indicators (with their evidence) for a subject.
///
/// Every id must exist in the catalogue and, for a child, in the child set: a screening that silently
/// dropped an indicator would understate the case.
pub fn score(
    findings: &Findings,
    subject: Subject,
    flags: &BTreeSet<RedFlag>,
    lang: Lang,
) -> Result<ScreeningResult, ScoreError> {
    let catalogue = Catalogue::embedded();
    for id in findings.keys() {
        if catalogue.get(id).is_none() {
            return Err(ScoreError::UnknownIndicator(id.chars().take(60).collect()));
        }
    }
    let set = set_for(findings, subject);
    if let Some(id) = findings.keys().find(|id| {
        catalogue
            .get(id)
            .is_some_and(|i| i.strength_in(set).is_none())
    }) {
        return Err(ScoreError::NotInChildSet(id.clone()));
    }
    Ok(score_session(
        ScreeningInput::indicators(findings, subject, flags),
        lang,
    ))
}

/// Scores what a session found. The form lint guarantees that every indicator a subject can reach
/// is in that subject's sets; should a form ever break that, the indicator is left out rather than
/// the whole screening lost.
pub fn score_session(input: ScreeningInput<'_>, lang: Lang) -> ScreeningResult {
    let catalogue = Catalogue::embedded();
    let rules = RuleSet::embedded();
    let subject = input.subject;
    let set = set_for(input.findings, subject);

    let mut dims: BTreeMap<Dimension, DimensionResult> = Dimension::ALL
        .iter()
        .map(|&d| {
            let result = DimensionResult {
                positive: false,
                title: catalogue.dimension_title(d, lang).to_string(),
                counts: Counts::default(),
                indicators: Vec::new(),
            };
            (d, result)
        })
        .collect();

    let mut counted = 0;
    for (id, evidence) in input.findings {
        let Some(indicator) = catalogue.get(id) else {
            continue;
        };
        let Some(strength) = indicator.strength_in(set) else {
            continue;
        };
        counted += 1;
        let Some(dim) = dims.get_mut(&indicator.dimension) else {
            continue; // every dimension was inserted above
        };
        match strength {
            Strength::Strong => dim.counts.strong += 1,
            Strength::Medium => dim.counts.medium += 1,
            Strength::Weak => dim.counts.weak += 1,
        }
        dim.indicators.push(IndicatorFinding {
            id: id.clone(),
            strength,
            title: indicator.title.get(lang).to_string(),
            evidence: evidence.clone(),
        });
    }
    for dim in dims.values_mut() {
        dim.positive = rules.dimension_rule.met_by(dim.counts).is_some();
        dim.indicators
            .sort_by(|a, b| (a.strength, &a.id).cmp(&(b.strength, &b.id)));
    }

    let positive = |d: Dimension| dims.get(&d).is_some_and(|r| r.positive);
    let missing = rules.combination(subject).missing_groups(positive);
    let combination = CombinationResult {
        met: missing.is_empty(),
        missing,
    };
    let purpose_kinds = input.purposes.iter().map(|p| p.purpose).collect();
    let reading = protocol::read(subject, input.acts, input.purposes, positive, lang);
    let basis = match (combination.met, reading.met) {
        (true, true) => Some(Basis::Both),
        (true, false) => Some(Basis::Ilo),
        (false, true) => Some(Basis::Protocol),
        (false, false) => None,
    };
    let outcome = if basis.is_some() {
        Outcome::PossibleTrafficking
    } else if positive(Dimension::EX) {
        Outcome::Exploitation
    } else if counted > 0 {
        Outcome::IndicatorsPresent
    } else {
        Outcome::NoIndicators
    };
    // Conditions of work seen (school missed alone is not child labour).
    let exploitation_seen = dims
        .get(&Dimension::EX)
        .is_some_and(|r| r.indicators.iter().any(|i| i.id != "EX.education"));
    let triage = triage::triage(
        &TriageInput {
            subject,
            trafficking: outcome == Outcome::PossibleTrafficking,
            positive: &positive,
            exploitation_seen,
            purposes: &purpose_kinds,
            signs: &input.signs,
        },
        lang,
    );
    let incomplete = input.completeness.as_ref().is_some_and(|c| !c.complete);
    let next_steps =
        next_steps::for_screening(outcome, subject, input.flags, &triage, incomplete, lang);
    let mut result = ScreeningResult {
        outcome,
        outcome_label: explain::outcome_label_for(outcome, input.completeness.as_ref(), lang),
        subject,
        dimensions: dims,
        combination,
        red_flags: FlagView::list(input.flags, lang),
        urgent: !input.flags.is_empty(),
        next_steps,
        explanation: String::new(),
        language: lang,
        catalogue: catalogue.tag(),
        rules: rules.tag(),
        set: Some(set),
        provisional: catalogue.provisional(set),
        basis,
        protocol: Some(reading),
        triage,
        completeness: input.completeness,
    };
    result.explanation = explain::screening(&result, lang);
    result
}

/// Scores indicator ids given directly (no evidence), as `relais score` does.
pub fn score_ids<'a>(
    ids: impl IntoIterator<Item = &'a str>,
    subject: Subject,
    flags: &BTreeSet<RedFlag>,
    lang: Lang,
) -> Result<ScreeningResult, ScoreError> {
    let findings: Findings = ids
        .into_iter()
        .map(|id| (id.trim().to_string(), Vec::new()))
        .filter(|(id, _)| !id.is_empty())
        .collect();
    score(&findings, subject, flags, lang)
}
