//! The ILO rules, table-driven: every branch of the dimension rule with the cases that sit on each
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design
//! boundary, both combinations over every set of positive dimensions, and the outcome ladder.

use std::collections::BTreeSet;

use relais_core::catalogue::{Dimension, Subject};
use relais_core::rules::{Counts, RuleSet};
use relais_core::scoring::{self, Outcome, ScoreError};
use relais_core::{Lang, RedFlag, wording};

fn counts(strong: u32, medium: u32, weak: u32) -> Counts {
    Counts {
        strong,
        medium,
        weak,
    }
}

#[test]
fn dimension_rule_boundaries() {
    let rule = &RuleSet::embedded().dimension_rule;
    #[rustfmt::skip]
    let table: &[(&str, (u32, u32, u32), bool)] = &[
        ("nothing",                          (0, 0, 0), false),
        ("one strong alone",                 (1, 0, 0), false),
        ("two strong",                       (2, 0, 0), true),
        ("one strong + one medium",          (1, 1, 0), true),
        ("one strong + one weak",            (1, 0, 1), true),
        ("two medium alone",                 (0, 2, 0), false),
        ("three medium",                     (0, 3, 0), true),
        ("two medium + one weak",            (0, 2, 1), true),
        ("one medium + one weak",            (0, 1, 1), false),
        ("one medium + many weak",           (0, 1, 9), false),
        ("one weak alone",                   (0, 0, 1), false),
        ("weak ones alone",                  (0, 0, 9), false),
        ("one strong + many of nothing",     (1, 0, 0), false),
        ("two medium + two weak",            (0, 2, 2), true),
        ("many of everything",               (5, 5, 5), true),
    ];
    for (name, (s, m, w), expected) in table {
        assert_eq!(
            rule.met_by(counts(*s, *m, *w)).is_some(),
            *expected,
            "{name}: {s} S, {m} M, {w} W"
        );
    }
}

/// The rule as the reference states it, coded independently of the data, over a whole grid.
#[test]
fn dimension_rule_matches_the_reference_everywhere() {
    let rule = &RuleSet::embedded().dimension_rule;
    for s in 0..=4 {
        for m in 0..=4 {
            for w in 0..=4 {
                let reference = s >= 2 || (s >= 1 && m + w >= 1) || m >= 3 || (m >= 2 && w >= 1);
                assert_eq!(
                    rule.met_by(counts(s, m, w)).is_some(),
                    reference,
                    "{s} S, {m} M, {w} W"
                );
            }
        }
    }
}

fn subsets() -> impl Iterator<Item = BTreeSet<Dimension>> {
    (0u32..64).map(|bits| {
        Dimension::ALL
            .iter()
            .enumerate()
            .filter(|(i, _)| bits & (1 << i) != 0)
            .map(|(_, d)| *d)
            .collect()
    })
}

#[test]
fn combinations_over_every_set_of_positive_dimensions() {
    use Dimension::*;
    let rules = RuleSet::embedded();
    for positive in subsets() {
        let p = |d| positive.contains(&d);
        let recruitment = p(DR) || p(CR) || p(VR);
        let adult = recruitment && p(EX) && (p(CD) || p(VD));
        let child = recruitment && p(EX);
        let met = |s| {
            rules
                .combination(s)
                .missing_groups(|d| positive.contains(&d))
                .is_empty()
        };
        assert_eq!(met(Subject::Adult), adult, "adult {positive:?}");
        assert_eq!(met(Subject::Child), child, "child {positive:?}");
    }
}

/// A smallest set of indicators that makes each dimension positive, for each subject.
fn positive_set(d: Dimension, subject: Subject) -> &'static [&'static str] {
    use Dimension::*;
    match (d, subject) {
        (DR, Subject::Adult) => &["DR.nature_of_job", "DR.wages"],
        (DR, Subject::Child) => &["DR.nature_of_job", "DR.education"],
        (CR, _) => &["CR.violence", "CR.documents"],
        (VR, _) => &[
            "VR.family_difficulty",
            "VR.illegal_status",
            "VR.lack_education",
        ],
        (EX, _) => &["EX.excessive_hours", "EX.living_conditions"],
        (CD, _) => &["CD.documents", "CD.debt_bondage"],
        (VD, _) => &["VD.dependency", "VD.unknown_area", "VD.economic"],
    }
}

/// One indicator of each dimension that is not enough on its own.
fn weak_single(d: Dimension) -> &'static str {
    use Dimension::*;
    match d {
        DR => "DR.wages",
        CR => "CR.documents",
        VR => "VR.economic",
        EX => "EX.excessive_hours",
        CD => "CD.violence",
        VD => "VD.economic",
    }
}

fn score(ids: &[&str], subject: Subject) -> scoring::ScreeningResult {
    scoring::score_ids(ids.iter().copied(), subject, &BTreeSet::new(), Lang::En).unwrap()
}

#[test]
fn outcome_ladder_over_every_set_of_positive_dimensions() {
    use Dimension::*;
    for subject in [Subject::Adult, Subject::Child] {
        for positive in subsets() {
            let ids: Vec<&str> = positive
                .iter()
                .flat_map(|&d| positive_set(d, subject))
                .copied()
                .collect();
            let result = score(&ids, subject);
            for d in Dimension::ALL {
                assert_eq!(
                    result.dimensions[&d].positive,
                    positive.contains(&d),
                    "{subject:?} {positive:?} {d}"
                );
            }
            let p = |d| positive.contains(&d);
            let met =
                (p(DR) || p(CR) || p(VR)) && p(EX) && (subject == Subject::Child || p(CD) || p(VD));
            let expected = if met {
                Outcome::PossibleTrafficking
            } else if p(EX) {
                Outcome::Exploitation
            } else if !ids.is_empty() {
                Outcome::IndicatorsPresent
            } else {
                Outcome::NoIndicators
            };
            assert_eq!(result.outcome, expected, "{subject:?} {positive:?}");
            assert_eq!(result.combination.met, met);
            for lang in Lang::ALL {
                let r = scoring::score_ids(ids.iter().copied(), subject, &BTreeSet::new(), lang)
                    .unwrap();
                assert!(
                    wording::unqualified_victim(&r.explanation).is_empty(),
                    "{}",
                    r.explanation
                );
                assert!(wording::unqualified_victim(&r.outcome_label).is_empty());
            }
        }
    }
}

#[test]
fn indicators_below_the_rule_give_indicators_present() {
    for d in Dimension::ALL {
        let result = score(&[weak_single(d)], Subject::Adult);
        assert!(!result.dimensions[&d].positive, "{d}");
        assert_eq!(result.outcome, Outcome::IndicatorsPresent, "{d}");
    }
    // One strong indicator of exploitation alone is not enough for `exploitation`.
    assert_eq!(
        score(&["EX.excessive_hours"], Subject::Adult).outcome,
        Outcome::IndicatorsPresent
    );
    assert_eq!(score(&[], Subject::Adult).outcome, Outcome::NoIndicators);
}

#[test]
fn counts_and_contributing_indicators_are_reported() {
    let result = score(
        &[
            "DR.nature_of_job",
            "DR.wages",
            "DR.education",
            "CD.violence",
        ],
        Subject::Adult,
    );
    let dr = &result.dimensions[&Dimension::DR];
    assert_eq!(dr.counts, counts(1, 1, 1));
    let ids: Vec<&str> = dr.indicators.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["DR.nature_of_job", "DR.wages", "DR.education"]);
    assert_eq!(result.dimensions[&Dimension::CD].counts, counts(1, 0, 0));
    assert_eq!(result.dimensions[&Dimension::EX].counts, counts(0, 0, 0));
}

#[test]
fn child_strengths_differ_from_adult_ones() {
    // Debt bondage and threats of violence in recruitment: medium for adults, strong for children.
    let ids = ["CR.debt_bondage", "CR.threat_violence"];
    assert!(!score(&ids, Subject::Adult).dimensions[&Dimension::CR].positive);
    assert!(score(&ids, Subject::Child).dimensions[&Dimension::CR].positive);
    // Deception + exploitation: possible trafficking for a child, exploitation for an adult.
    let ids = [
        "DR.nature_of_job",
        "DR.wages",
        "EX.excessive_hours",
        "EX.low_no_salary",
    ];
    assert_eq!(
        score(&ids, Subject::Child).outcome,
        Outcome::PossibleTrafficking
    );
    assert_eq!(score(&ids, Subject::Adult).outcome, Outcome::Exploitation);
}

#[test]
fn unknown_ids_and_adult_only_ids_for_children_are_refused() {
    let err = scoring::score_ids(
        ["DR.wages", "XX.nope"],
        Subject::Adult,
        &BTreeSet::new(),
        Lang::Fr,
    )
    .unwrap_err();
    assert_eq!(err, ScoreError::UnknownIndicator("XX.nope".into()));
    assert!(err.to_string().contains("XX.nope"));
    for id in ["VR.false_info_law", "EX.social_protection"] {
        let err = scoring::score_ids([id], Subject::Child, &BTreeSet::new(), Lang::Fr).unwrap_err();
        assert_eq!(err, ScoreError::NotInChildSet(id.into()));
        assert!(scoring::score_ids([id], Subject::Adult, &BTreeSet::new(), Lang::Fr).is_ok());
    }
}

#[test]
fn red_flags_raise_urgency_whatever_the_outcome() {
    let flags: BTreeSet<RedFlag> = [RedFlag::ImmediateDanger, RedFlag::Injury].into();
    let r = scoring::score_ids([], Subject::Adult, &flags, Lang::En).unwrap();
    assert_eq!(r.outcome, Outcome::NoIndicators);
    assert!(r.urgent);
    let steps: Vec<&str> = r.next_steps.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(steps[..2], ["ensure_safety", "medical_care"]);
    assert!(r.explanation.contains("Red flags"));
}

#[test]
fn next_steps_follow_the_outcome() {
    let all: Vec<&str> = Dimension::ALL
        .iter()
        .flat_map(|&d| positive_set(d, Subject::Child))
        .copied()
        .collect();
    let steps =
        |r: scoring::ScreeningResult| r.next_steps.into_iter().map(|s| s.id).collect::<Vec<_>>();
    let child = steps(score(&all, Subject::Child));
    assert!(
        child.contains(&"refer_nrm".to_string()) && child.contains(&"child_protection".to_string())
    );
    let none = steps(score(&[], Subject::Adult));
    assert_eq!(none, ["inform_rights", "confidentiality"]);
    let exploitation = steps(score(
        positive_set(Dimension::EX, Subject::Adult),
        Subject::Adult,
    ));
    assert!(exploitation.contains(&"refer_labour".to_string()));
}

#[test]
fn explanations_are_in_the_requested_language() {
    let ids = [
        "DR.nature_of_job",
        "DR.wages",
        "EX.excessive_hours",
        "EX.living_conditions",
        "CD.documents",
        "CD.debt_bondage",
    ];
    for (lang, outcome, marker) in [
        (
            Lang::Fr,
            "Victime possible de la traite",
            "Recrutement trompeur",
        ),
        (
            Lang::En,
            "Possible victim of trafficking",
            "Deceptive recruitment",
        ),
        (
            Lang::Es,
            "Posible víctima de trata",
            "Reclutamiento engañoso",
        ),
    ] {
        let r = scoring::score_ids(ids, Subject::Adult, &BTreeSet::new(), lang).unwrap();
        assert!(r.explanation.contains(outcome), "{lang}: {}", r.explanation);
        assert!(r.explanation.contains(marker), "{lang}: {}", r.explanation);
    }
}
