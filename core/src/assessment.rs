//! Results of the short forms: the quick check's gate, and the needs, risk and consent assessments.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::answer::Answer;
use crate::catalogue::{Catalogue, Subject};
use crate::completeness::Completeness;
use crate::effects::{
    ConsentKind, ConsentPurpose, Effects, Need, Priority, RedFlag, RiskLevel, RiskTarget,
};
use crate::explain;
use crate::forms::QuestionKind;
use crate::i18n::{t, tf};
use crate::lang::Lang;
use crate::next_steps::{self, Gate, NextStep};
use crate::result::{findings_of, flags_of};
use crate::scoring::FlagView;
use crate::session::Session;

type Evidence<'a> = [(&'a str, &'a Effects)];

/// An indicator seen by a quick check (no scoring: the gate only asks whether there is any).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndicatorSeen {
    pub id: String,
    pub title: String,
    pub evidence: Vec<String>,
}

/// The quick check's result: `urgent` (a red flag), `refer` (an indicator), or `no_flags`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickCheckResult {
    pub outcome: Gate,
    pub outcome_label: String,
    pub red_flags: Vec<FlagView>,
    pub indicators: Vec<IndicatorSeen>,
    pub urgent: bool,
    pub next_steps: Vec<NextStep>,
    pub explanation: String,
    pub language: Lang,
    /// Questions answered "don't know" and counted as the signal they could hide.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counted_dont_know: Vec<String>,
    /// What the result rests on (absent in results stored before it was recorded).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completeness: Option<Completeness>,
}

/// The quick check's gate. It favours sensitivity: any red flag is urgent, any indicator refers,
/// and "no flags" needs every question that could raise one to have a real answer; otherwise the
/// check is incomplete and concludes nothing. ("Don't know" on a question whose form says so is
/// counted as the signal itself, before the gate.)
pub fn quick_check(
    evidence: &Evidence<'_>,
    counted_dont_know: Vec<String>,
    completeness: Completeness,
    lang: Lang,
) -> QuickCheckResult {
    let flags = flags_of(evidence);
    let catalogue = Catalogue::embedded();
    let indicators: Vec<IndicatorSeen> = findings_of(evidence)
        .into_iter()
        .map(|(id, evidence)| IndicatorSeen {
            title: catalogue
                .get(&id)
                .map_or_else(|| id.clone(), |i| i.title.get(lang).to_string()),
            id,
            evidence,
        })
        .collect();
    let outcome = if !flags.is_empty() {
        Gate::Urgent
    } else if !indicators.is_empty() {
        Gate::Refer
    } else if !completeness.is_clean() {
        Gate::Incomplete
    } else {
        Gate::NoFlags
    };
    let outcome_label = t(lang, &format!("quick.outcome.{}", outcome.id()));
    let mut lines = explain::completeness_lines(Some(&completeness), lang);
    lines.push(tf(lang, "explain.outcome", &[("outcome", &outcome_label)]));
    lines.push(t(lang, "quick.explain.gate"));
    if !counted_dont_know.is_empty() {
        lines.push(tf(
            lang,
            "quick.explain.dont_know",
            &[("n", &counted_dont_know.len().to_string())],
        ));
    }
    if !indicators.is_empty() {
        let titles: Vec<&str> = indicators.iter().map(|i| i.title.as_str()).collect();
        lines.push(tf(
            lang,
            "quick.explain.indicators",
            &[("indicators", &titles.join("; "))],
        ));
    }
    let red_flags = FlagView::list(&flags, lang);
    lines.extend(explain::red_flags_line(&red_flags, lang));
    lines.push(t(lang, "explain.disclaimer"));
    QuickCheckResult {
        outcome,
        outcome_label,
        urgent: !flags.is_empty(),
        next_steps: next_steps::for_quick_check(outcome, &flags, lang),
        red_flags,
        indicators,
        explanation: lines.join("\n"),
        language: lang,
        counted_dont_know,
        completeness: Some(completeness),
    }
}

/// The needs a red flag implies, whatever the answers said.
pub fn needs_of_flag(flag: RedFlag) -> &'static [(Need, Priority)] {
    match flag {
        RedFlag::ImmediateDanger | RedFlag::UnderControl | RedFlag::StandingThreat => {
            &[(Need::Safety, Priority::Emergency)]
        }
        RedFlag::Injury => &[(Need::Medical, Priority::Emergency)],
        RedFlag::UnaccompaniedChild => &[
            (Need::Safety, Priority::Emergency),
            (Need::Shelter, Priority::Emergency),
            (Need::FamilyContact, Priority::Urgent),
        ],
    }
}

/// One need found, with its priority and the questions that showed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedFound {
    pub id: Need,
    pub label: String,
    pub priority: Priority,
    pub priority_label: String,
    /// Question ids, or `flag:<id>` when a red flag implied it.
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NeedsResult {
    /// Most urgent first.
    pub needs: Vec<NeedFound>,
    pub red_flags: Vec<FlagView>,
    pub urgent: bool,
    pub next_steps: Vec<NextStep>,
    pub explanation: String,
    pub language: Lang,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completeness: Option<Completeness>,
}

impl NeedsResult {
    pub fn outcome_id(&self) -> &'static str {
        match self.needs.first().map(|n| n.priority) {
            Some(Priority::Emergency) => "emergency",
            Some(Priority::Urgent) => "urgent",
            Some(Priority::Normal) => "normal",
            None => "no_needs",
        }
    }

    /// The needs and their priorities, for referral matching.
    pub fn as_pairs(&self) -> Vec<(Need, Priority)> {
        self.needs.iter().map(|n| (n.id, n.priority)).collect()
    }
}

/// Merges needs, keeping for each the highest priority (Emergency sorts first).
pub fn merge_needs(
    found: &mut BTreeMap<Need, (Priority, Vec<String>)>,
    need: Need,
    priority: Priority,
    source: &str,
) {
    let entry = found.entry(need).or_insert((priority, Vec::new()));
    entry.0 = entry.0.min(priority);
    if !entry.1.iter().any(|s| s == source) {
        entry.1.push(source.to_string());
    }
}

pub fn needs(evidence: &Evidence<'_>, completeness: Completeness, lang: Lang) -> NeedsResult {
    let flags = flags_of(evidence);
    let mut found = BTreeMap::new();
    for (q, e) in evidence {
        for &need in &e.needs {
            merge_needs(&mut found, need, e.priority.unwrap_or_default(), q);
        }
    }
    for &flag in &flags {
        for &(need, priority) in needs_of_flag(flag) {
            merge_needs(&mut found, need, priority, &format!("flag:{flag}"));
        }
    }
    let mut needs: Vec<NeedFound> = found
        .into_iter()
        .map(|(id, (priority, evidence))| NeedFound {
            id,
            label: id.label(lang),
            priority,
            priority_label: priority.label(lang),
            evidence,
        })
        .collect();
    needs.sort_by_key(|n| (n.priority, n.id));

    let mut lines = explain::completeness_lines(Some(&completeness), lang);
    if needs.is_empty() {
        lines.push(t(lang, "needs.explain.none"));
    } else {
        for p in Priority::ALL {
            let labels: Vec<&str> = needs
                .iter()
                .filter(|n| n.priority == *p)
                .map(|n| n.label.as_str())
                .collect();
            if !labels.is_empty() {
                lines.push(tf(
                    lang,
                    "needs.explain.priority",
                    &[("priority", &p.label(lang)), ("needs", &labels.join("; "))],
                ));
            }
        }
    }
    let red_flags = FlagView::list(&flags, lang);
    lines.extend(explain::red_flags_line(&red_flags, lang));
    let extra: &[&str] = if needs.is_empty() {
        &["inform_rights"]
    } else {
        &["refer_services", "consent_before_referral"]
    };
    NeedsResult {
        urgent: !flags.is_empty() || needs.iter().any(|n| n.priority == Priority::Emergency),
        next_steps: next_steps::for_assessment(extra, &flags, lang),
        needs,
        red_flags,
        explanation: lines.join("\n"),
        language: lang,
        completeness: Some(completeness),
    }
}

/// The risk to one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskFound {
    pub target: RiskTarget,
    pub target_label: String,
    /// `None`: no risk reported for this target.
    pub level: Option<RiskLevel>,
    pub level_label: String,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RiskResult {
    /// Person, family, worker, in that order.
    pub risks: Vec<RiskFound>,
    /// The highest level reported.
    pub overall: Option<RiskLevel>,
    pub red_flags: Vec<FlagView>,
    pub urgent: bool,
    pub next_steps: Vec<NextStep>,
    pub explanation: String,
    pub language: Lang,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completeness: Option<Completeness>,
}

fn level_rank(level: RiskLevel) -> u8 {
    match level {
        RiskLevel::Low => 1,
        RiskLevel::Medium => 2,
        RiskLevel::High => 3,
    }
}

pub fn risk(evidence: &Evidence<'_>, completeness: Completeness, lang: Lang) -> RiskResult {
    let flags = flags_of(evidence);
    let mut by_target: BTreeMap<RiskTarget, (Option<RiskLevel>, Vec<String>)> = RiskTarget::ALL
        .iter()
        .map(|&t| (t, (None, Vec::new())))
        .collect();
    for (q, e) in evidence {
        if let Some(r) = e.risk {
            let entry = by_target.entry(r.target).or_insert((None, Vec::new()));
            if entry.0.is_none_or(|l| level_rank(r.level) > level_rank(l)) {
                entry.0 = Some(r.level);
            }
            entry.1.push((*q).to_string());
        }
    }
    // Danger now is a high risk to the person, whatever else was answered.
    if flags.contains(&RedFlag::ImmediateDanger) || flags.contains(&RedFlag::UnderControl) {
        let entry = by_target
            .entry(RiskTarget::Person)
            .or_insert((None, Vec::new()));
        entry.0 = Some(RiskLevel::High);
    }
    let risks: Vec<RiskFound> = by_target
        .into_iter()
        .map(|(target, (level, evidence))| RiskFound {
            target,
            target_label: target.label(lang),
            level,
            level_label: level.map_or_else(|| t(lang, "risk.level.none"), |l| l.label(lang)),
            evidence,
        })
        .collect();
    let overall = risks
        .iter()
        .filter_map(|r| r.level)
        .max_by_key(|&l| level_rank(l));
    let mut lines = explain::completeness_lines(Some(&completeness), lang);
    lines.extend(risks.iter().map(|r| {
        tf(
            lang,
            "risk.explain.target",
            &[("target", &r.target_label), ("level", &r.level_label)],
        )
    }));
    let red_flags = FlagView::list(&flags, lang);
    lines.extend(explain::red_flags_line(&red_flags, lang));
    let high = |target: RiskTarget| {
        risks
            .iter()
            .any(|r| r.target == target && r.level == Some(RiskLevel::High))
    };
    let mut extra = Vec::new();
    if high(RiskTarget::Person) {
        extra.push("safety_plan");
    }
    if high(RiskTarget::Family) {
        extra.push("family_safety");
    }
    if high(RiskTarget::Worker) {
        extra.push("worker_safety");
    }
    if extra.is_empty() {
        extra.push("review_risk");
    }
    RiskResult {
        urgent: !flags.is_empty() || overall == Some(RiskLevel::High),
        next_steps: next_steps::for_assessment(&extra, &flags, lang),
        risks,
        overall,
        red_flags,
        explanation: lines.join("\n"),
        language: lang,
        completeness: Some(completeness),
    }
}

/// The consent record of a consent form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentResult {
    /// What the worker confirms having explained.
    pub informed: Vec<ConsentPurpose>,
    /// What was asked to be explained but was not confirmed.
    pub not_informed: Vec<ConsentPurpose>,
    /// What the person agrees to.
    pub agreed: Vec<ConsentPurpose>,
    /// What the person refused, or did not clearly agree to ("don't know" is not consent).
    pub declined: Vec<ConsentPurpose>,
    /// For a child: what a parent, a guardian or the child protection authority authorised.
    pub authorised: Vec<ConsentPurpose>,
    /// For a child: what the child agreed to that needs an adult's authorisation and did not get
    /// it (research); not in `agreed`, so nothing uses it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_authorised: Vec<ConsentPurpose>,
    /// The consent was taken for a child (the child's assent alone is not enough).
    pub child: bool,
    /// Informed of everything asked, agreed to the interview and, for a child, authorised by a
    /// parent, a guardian or the child protection authority.
    pub valid_for_interview: bool,
    pub next_steps: Vec<NextStep>,
    pub explanation: String,
    pub language: Lang,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completeness: Option<Completeness>,
}

impl ConsentResult {
    pub fn outcome_id(&self) -> &'static str {
        if self.valid_for_interview {
            "valid"
        } else {
            "incomplete"
        }
    }

    pub fn allows(&self, purpose: ConsentPurpose) -> bool {
        self.valid_for_interview && self.agreed.contains(&purpose)
    }
}

/// Reads consent from the answers themselves: only an explicit "yes" grants; "no", "don't know",
/// "prefers not to say" and no answer all withhold. An authorisation needs one "yes" among the
/// questions that can give it (a parent or guardian, or else the authority).
/// For a child, what needs a parent's, a guardian's or the child protection authority's agreement
/// besides the child's own: the interview (which makes the consent valid at all) and research use
/// of the child's data.
pub const CHILD_NEEDS_AUTHORISATION: &[ConsentPurpose] =
    &[ConsentPurpose::Interview, ConsentPurpose::Research];

pub fn consent(session: &Session, completeness: Completeness, lang: Lang) -> ConsentResult {
    let form = session.form();
    let mut informed = BTreeSet::new();
    let mut not_informed = BTreeSet::new();
    let mut agreed = BTreeSet::new();
    let mut declined = BTreeSet::new();
    let mut authorised = BTreeSet::new();
    for l in form.questions() {
        let QuestionKind::YesNo { yes, .. } = &l.question.kind else {
            continue;
        };
        let Some(c) = yes.consent else { continue };
        if !session.is_shown(&l.question.id) {
            continue;
        }
        let granted = matches!(session.answer_of(&l.question.id), Some(Answer::Yes));
        match (c.kind, granted) {
            (ConsentKind::Informed, true) => informed.insert(c.purpose),
            (ConsentKind::Informed, false) => not_informed.insert(c.purpose),
            (ConsentKind::Agree, true) => agreed.insert(c.purpose),
            (ConsentKind::Agree, false) => declined.insert(c.purpose),
            (ConsentKind::Authorise, true) => authorised.insert(c.purpose),
            (ConsentKind::Authorise, false) => false,
        };
    }
    // A purpose agreed by one question and declined by another (e.g. the child's assent) is declined.
    let mut agreed: BTreeSet<_> = agreed.difference(&declined).copied().collect();
    let not_informed: BTreeSet<_> = not_informed.difference(&informed).copied().collect();
    let child = session.subject() == Subject::Child;
    // A child's "yes" to research counts only with an adult's authorisation for it.
    let mut not_authorised = BTreeSet::new();
    if child {
        for p in CHILD_NEEDS_AUTHORISATION {
            if *p != ConsentPurpose::Interview && agreed.contains(p) && !authorised.contains(p) {
                agreed.remove(p);
                not_authorised.insert(*p);
            }
        }
    }
    let authorised_ok = !child || authorised.contains(&ConsentPurpose::Interview);
    let valid =
        not_informed.is_empty() && agreed.contains(&ConsentPurpose::Interview) && authorised_ok;

    let list = |set: &BTreeSet<ConsentPurpose>| {
        set.iter()
            .map(|p| p.label(lang))
            .collect::<Vec<_>>()
            .join("; ")
    };
    let mut lines = vec![t(
        lang,
        if valid {
            "consent.explain.valid"
        } else {
            "consent.explain.incomplete"
        },
    )];
    if !agreed.is_empty() {
        lines.push(tf(
            lang,
            "consent.explain.agreed",
            &[("purposes", &list(&agreed))],
        ));
    }
    if !declined.is_empty() {
        lines.push(tf(
            lang,
            "consent.explain.declined",
            &[("purposes", &list(&declined))],
        ));
    }
    if !not_informed.is_empty() {
        lines.push(tf(
            lang,
            "consent.explain.not_informed",
            &[("purposes", &list(&not_informed))],
        ));
    }
    if !authorised_ok {
        lines.push(t(lang, "consent.explain.not_authorised"));
    }
    if !not_authorised.is_empty() {
        lines.push(tf(
            lang,
            "consent.explain.needs_authorisation",
            &[("purposes", &list(&not_authorised))],
        ));
    }
    let extra: &[&str] = if valid {
        &["consent_recorded"]
    } else {
        &["consent_missing"]
    };
    ConsentResult {
        informed: informed.into_iter().collect(),
        not_informed: not_informed.into_iter().collect(),
        agreed: agreed.into_iter().collect(),
        declined: declined.into_iter().collect(),
        authorised: authorised.into_iter().collect(),
        not_authorised: not_authorised.into_iter().collect(),
        child,
        valid_for_interview: valid,
        next_steps: next_steps::for_assessment(extra, &BTreeSet::new(), lang),
        explanation: lines.join("\n"),
        language: lang,
        completeness: Some(completeness),
    }
}
