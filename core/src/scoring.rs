//! ILO/EC scoring: from the indicators found, each dimension's result, the outcome, red flags, next
//! steps and an explanation a worker can read to a supervisor.
//!
//! The rules come from [`RuleSet`] (data); this module only applies them.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, Dimension, Strength, Subject};
use crate::effects::RedFlag;
use crate::explain;
use crate::lang::Lang;
use crate::next_steps::{self, NextStep};
use crate::rules::{Counts, RuleSet};

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
        let indicator = catalogue
            .get(id)
            .ok_or_else(|| ScoreError::UnknownIndicator(id.chars().take(60).collect()))?;
        if indicator.strength(subject).is_none() {
            return Err(ScoreError::NotInChildSet(id.clone()));
        }
    }
    Ok(score_session(findings, subject, flags, lang))
}

/// Scores what a session found. The form lint guarantees that every indicator a subject can reach
/// is in that subject's set; should a form ever break that, the indicator is left out rather than
/// the whole screening lost.
pub fn score_session(
    findings: &Findings,
    subject: Subject,
    flags: &BTreeSet<RedFlag>,
    lang: Lang,
) -> ScreeningResult {
    let catalogue = Catalogue::embedded();
    let rules = RuleSet::embedded();

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
    for (id, evidence) in findings {
        let Some(indicator) = catalogue.get(id) else {
            continue;
        };
        let Some(strength) = indicator.strength(subject) else {
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
    let outcome = if combination.met {
        Outcome::PossibleTrafficking
    } else if positive(Dimension::EX) {
        Outcome::Exploitation
    } else if counted > 0 {
        Outcome::IndicatorsPresent
    } else {
        Outcome::NoIndicators
    };

    let next_steps = next_steps::for_screening(outcome, subject, flags, lang);
    let mut result = ScreeningResult {
        outcome,
        outcome_label: explain::outcome_label(outcome, lang),
        subject,
        dimensions: dims,
        combination,
        red_flags: FlagView::list(flags, lang),
        urgent: !flags.is_empty(),
        next_steps,
        explanation: String::new(),
        language: lang,
        catalogue: catalogue.tag(),
        rules: rules.tag(),
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
