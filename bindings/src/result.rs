//! What finishing a form gives: one record for every kind of form, so that one result screen
//! renders them all. The parts that do not apply to a kind are empty.

use relais_core::catalogue::{Strength, Subject};
use relais_core::completeness::Completeness;
use relais_core::effects::ConsentPurpose;
use relais_core::i18n::t;
use relais_core::lang::Lang;
use relais_core::next_steps::NextStep;
use relais_core::protocol::ProtocolReading;
use relais_core::result::FormResult;
use relais_core::scoring::FlagView;

use crate::language::Language;
use crate::records::Priority;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ResultKind {
    Interview,
    QuickCheck,
    Needs,
    Risk,
    Consent,
}

/// A stable id with its label in the result's language.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Labelled {
    pub id: String,
    pub label: String,
}

/// An ILO indicator found, with the questions that evidenced it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct IndicatorView {
    pub id: String,
    pub title: String,
    /// `strong`, `medium` or `weak` (empty for the quick check, which does not weigh them).
    pub strength: String,
    /// Question ids.
    pub evidence: Vec<String>,
}

/// One ILO dimension of a screening (DR, CR, VR, EX, CD, VD, …).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct DimensionView {
    pub id: String,
    pub title: String,
    pub positive: bool,
    pub strong: u32,
    pub medium: u32,
    pub weak: u32,
    pub indicators: Vec<IndicatorView>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct NeedView {
    pub id: String,
    pub label: String,
    pub priority: Priority,
    pub priority_label: String,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct RiskView {
    pub target: String,
    pub target_label: String,
    /// `low`, `medium`, `high`; `None`: no risk reported for this target.
    pub level: Option<String>,
    pub level_label: String,
}

/// The consent form's record.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ConsentView {
    pub informed: Vec<Labelled>,
    pub not_informed: Vec<Labelled>,
    pub agreed: Vec<Labelled>,
    pub declined: Vec<Labelled>,
    pub authorised: Vec<Labelled>,
    pub child: bool,
    pub valid_for_interview: bool,
}

/// What a result rests on: the questions shown and what became of them.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CompletenessView {
    /// Every question shown has an answer (none skipped, none left unreached).
    pub complete: bool,
    /// Complete, and no question that could change the result was answered "don't know" or
    /// declined: only then may a "no flags" / "no indicators" be read as clean.
    pub clean: bool,
    /// One sentence for the top of the result screen (show it first when not clean).
    pub summary: String,
    pub shown: u32,
    pub answered: u32,
    pub dont_know: u32,
    pub prefer_not_to_say: u32,
    pub skipped: u32,
    pub not_reached: u32,
    /// Questions that could change the result and have no real answer: id and prompt.
    pub open: Vec<Labelled>,
}

/// The Palermo Protocol's reading: act, means, purpose.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ProtocolView {
    /// The form asked what establishes an act (false for forms of the first version).
    pub assessed: bool,
    /// The acts found (`recruitment`, `harbouring`, …) with "harbouring by the employer".
    pub acts: Vec<Labelled>,
    pub act: bool,
    pub means_met: bool,
    pub purpose_met: bool,
    /// Every element this person needs is there (a child needs no means).
    pub met: bool,
    /// One line per element, then the conclusion.
    pub lines: Vec<String>,
}

/// Something else the answers show beside the ILO outcome, with its pathway.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct TriageView {
    /// `smuggling`, `gbv`, `child_labour`, `forced_marriage`, `forced_criminality`,
    /// `sexual_exploitation`, `forced_begging`, `labour_coercion`.
    pub id: String,
    pub label: String,
    pub explanation: String,
}

/// The result of a finished form.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct FormResultView {
    pub kind: ResultKind,
    /// `possible_trafficking`, `exploitation`, `indicators_present`, `no_indicators` (interview);
    /// `urgent`, `refer`, `incomplete`, `no_flags` (quick check); `emergency`, `urgent`, `normal`, `no_needs`
    /// (needs); `high`, `medium`, `low`, `none_reported` (risk); `valid`, `incomplete` (consent).
    pub outcome_id: String,
    pub outcome_label: String,
    /// Why, in plain words, from the rules that applied.
    pub explanation: String,
    /// A red flag is present: act now, whatever the outcome.
    pub urgent: bool,
    pub red_flags: Vec<Labelled>,
    pub next_steps: Vec<Labelled>,
    /// The person was screened as a child (interview), or consent was taken for a child.
    pub child: bool,
    /// Interview: the ILO dimensions, in catalogue order.
    pub dimensions: Vec<DimensionView>,
    /// Quick check: the indicators seen.
    pub indicators: Vec<IndicatorView>,
    /// Needs: most urgent first.
    pub needs: Vec<NeedView>,
    /// Risk: person, family, worker.
    pub risks: Vec<RiskView>,
    pub consent: Option<ConsentView>,
    /// What the result rests on (absent in results saved before it was recorded).
    pub completeness: Option<CompletenessView>,
    /// Interview: the act–means–purpose reading (absent in older results).
    pub protocol_reading: Option<ProtocolView>,
    /// Interview: smuggling, gender-based violence, child labour… each with its pathway.
    pub triage: Vec<TriageView>,
    /// Interview: the indicator set used is provisional (not checked against the ILO/EC
    /// publication).
    pub provisional: bool,
    pub language: Language,
    /// The whole result as the core stores it (JSON), for audit and export.
    pub json: String,
}

impl From<&Completeness> for CompletenessView {
    fn from(c: &Completeness) -> CompletenessView {
        CompletenessView {
            complete: c.complete,
            clean: c.is_clean(),
            summary: c.summary.clone(),
            shown: c.shown,
            answered: c.answered,
            dont_know: c.dont_know,
            prefer_not_to_say: c.prefer_not_to_say,
            skipped: c.skipped,
            not_reached: c.not_reached,
            open: c
                .open
                .iter()
                .map(|q| Labelled {
                    id: q.id.clone(),
                    label: q.prompt.clone(),
                })
                .collect(),
        }
    }
}

impl From<&ProtocolReading> for ProtocolView {
    fn from(p: &ProtocolReading) -> ProtocolView {
        ProtocolView {
            assessed: p.assessed,
            acts: p
                .acts
                .iter()
                .map(|a| Labelled {
                    id: a.act.id().to_string(),
                    label: a.label.clone(),
                })
                .collect(),
            act: p.act,
            means_met: p.means_met,
            purpose_met: p.purpose_met,
            met: p.met,
            lines: p.lines.clone(),
        }
    }
}

fn flags(list: &[FlagView]) -> Vec<Labelled> {
    list.iter()
        .map(|f| Labelled {
            id: f.id.id().to_string(),
            label: f.label.clone(),
        })
        .collect()
}

fn steps(list: &[NextStep]) -> Vec<Labelled> {
    list.iter()
        .map(|s| Labelled {
            id: s.id.clone(),
            label: s.text.clone(),
        })
        .collect()
}

fn purposes(list: &[ConsentPurpose], lang: Lang) -> Vec<Labelled> {
    list.iter()
        .map(|p| Labelled {
            id: p.id().to_string(),
            label: p.label(lang),
        })
        .collect()
}

fn strength(s: Strength) -> String {
    match s {
        Strength::Strong => "strong",
        Strength::Medium => "medium",
        Strength::Weak => "weak",
    }
    .to_string()
}

impl From<&FormResult> for FormResultView {
    fn from(r: &FormResult) -> FormResultView {
        let mut v = FormResultView {
            kind: ResultKind::Interview,
            outcome_id: r.outcome_id().to_string(),
            outcome_label: String::new(),
            explanation: r.explanation().to_string(),
            urgent: false,
            red_flags: Vec::new(),
            next_steps: Vec::new(),
            child: false,
            dimensions: Vec::new(),
            indicators: Vec::new(),
            needs: Vec::new(),
            risks: Vec::new(),
            consent: None,
            completeness: r.completeness().map(CompletenessView::from),
            protocol_reading: None,
            triage: Vec::new(),
            provisional: false,
            language: Language::Fr,
            // Serialising plain data with string keys cannot fail; an empty string would only
            // lose the audit copy, never the result shown.
            json: serde_json::to_string(r).unwrap_or_default(),
        };
        match r {
            FormResult::Interview(s) => {
                v.outcome_label = s.outcome_label.clone();
                v.urgent = s.urgent;
                v.red_flags = flags(&s.red_flags);
                v.next_steps = steps(&s.next_steps);
                v.child = s.subject == Subject::Child;
                v.language = s.language.into();
                v.protocol_reading = s.protocol.as_ref().map(ProtocolView::from);
                v.provisional = s.provisional;
                v.triage = s
                    .triage
                    .iter()
                    .map(|t| TriageView {
                        id: t.id.id().to_string(),
                        label: t.label.clone(),
                        explanation: t.explanation.clone(),
                    })
                    .collect();
                v.dimensions = s
                    .dimensions
                    .iter()
                    .map(|(d, r)| DimensionView {
                        id: d.code().to_string(),
                        title: r.title.clone(),
                        positive: r.positive,
                        strong: r.counts.strong,
                        medium: r.counts.medium,
                        weak: r.counts.weak,
                        indicators: r
                            .indicators
                            .iter()
                            .map(|i| IndicatorView {
                                id: i.id.clone(),
                                title: i.title.clone(),
                                strength: strength(i.strength),
                                evidence: i.evidence.clone(),
                            })
                            .collect(),
                    })
                    .collect();
            }
            FormResult::QuickCheck(q) => {
                v.kind = ResultKind::QuickCheck;
                v.outcome_label = q.outcome_label.clone();
                v.urgent = q.urgent;
                v.red_flags = flags(&q.red_flags);
                v.next_steps = steps(&q.next_steps);
                v.language = q.language.into();
                v.indicators = q
                    .indicators
                    .iter()
                    .map(|i| IndicatorView {
                        id: i.id.clone(),
                        title: i.title.clone(),
                        strength: String::new(),
                        evidence: i.evidence.clone(),
                    })
                    .collect();
            }
            FormResult::Needs(n) => {
                v.kind = ResultKind::Needs;
                v.outcome_label = n.needs.first().map_or_else(
                    || t(n.language, "needs.explain.none"),
                    |first| first.priority_label.clone(),
                );
                v.urgent = n.urgent;
                v.red_flags = flags(&n.red_flags);
                v.next_steps = steps(&n.next_steps);
                v.language = n.language.into();
                v.needs = n
                    .needs
                    .iter()
                    .map(|f| NeedView {
                        id: f.id.id().to_string(),
                        label: f.label.clone(),
                        priority: f.priority.into(),
                        priority_label: f.priority_label.clone(),
                        evidence: f.evidence.clone(),
                    })
                    .collect();
            }
            FormResult::Risk(k) => {
                v.kind = ResultKind::Risk;
                v.outcome_label = t(
                    k.language,
                    &format!("risk.level.{}", k.overall.map_or("none", |l| l.id())),
                );
                v.urgent = k.urgent;
                v.red_flags = flags(&k.red_flags);
                v.next_steps = steps(&k.next_steps);
                v.language = k.language.into();
                v.risks = k
                    .risks
                    .iter()
                    .map(|f| RiskView {
                        target: f.target.id().to_string(),
                        target_label: f.target_label.clone(),
                        level: f.level.map(|l| l.id().to_string()),
                        level_label: f.level_label.clone(),
                    })
                    .collect();
            }
            FormResult::Consent(c) => {
                v.kind = ResultKind::Consent;
                v.outcome_label = t(c.language, &format!("consent.explain.{}", c.outcome_id()));
                v.next_steps = steps(&c.next_steps);
                v.child = c.child;
                v.language = c.language.into();
                v.consent = Some(ConsentView {
                    informed: purposes(&c.informed, c.language),
                    not_informed: purposes(&c.not_informed, c.language),
                    agreed: purposes(&c.agreed, c.language),
                    declined: purposes(&c.declined, c.language),
                    authorised: purposes(&c.authorised, c.language),
                    child: c.child,
                    valid_for_interview: c.valid_for_interview,
                });
            }
        }
        v
    }
}
