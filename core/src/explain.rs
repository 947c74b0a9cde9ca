//! Localised explanations: the sentences a worker can read to a supervisor to say why a result is
//! what it is.

use crate::catalogue::{Catalogue, Dimension, Subject};
use crate::completeness::Completeness;
use crate::i18n::{t, tf};
use crate::lang::Lang;
use crate::rules::{Counts, Pattern, RuleSet};
use crate::scoring::{Basis, FlagView, Outcome, ScreeningResult};

pub fn outcome_label(outcome: Outcome, lang: Lang) -> String {
    t(lang, &format!("outcome.{}", outcome.id()))
}

/// The outcome's label, never a clean "no indicator" when questions that could change it have no
/// answer.
pub fn outcome_label_for(
    outcome: Outcome,
    completeness: Option<&Completeness>,
    lang: Lang,
) -> String {
    match (outcome, completeness) {
        (Outcome::NoIndicators, Some(c)) if !c.complete => tf(
            lang,
            "outcome.no_indicators.incomplete",
            &[
                ("missing", &c.missing().to_string()),
                ("shown", &c.decisive.to_string()),
            ],
        ),
        (Outcome::NoIndicators, Some(c)) if !c.open.is_empty() => tf(
            lang,
            "outcome.no_indicators.uncertain",
            &[("open", &c.open.len().to_string())],
        ),
        _ => outcome_label(outcome, lang),
    }
}

/// The first lines of an explanation when the result rests on questions without an answer.
pub fn completeness_lines(c: Option<&Completeness>, lang: Lang) -> Vec<String> {
    let Some(c) = c else { return Vec::new() };
    if c.is_clean() {
        return Vec::new();
    }
    let mut lines = vec![c.summary.clone()];
    if !c.open.is_empty() {
        let prompts: Vec<&str> = c.open.iter().take(5).map(|q| q.prompt.as_str()).collect();
        let more = c.open.len().saturating_sub(prompts.len());
        let mut list = prompts.join(" / ");
        if more > 0 {
            list.push_str(&tf(lang, "completeness.more", &[("n", &more.to_string())]));
        }
        lines.push(tf(lang, "completeness.open", &[("questions", &list)]));
    }
    lines
}

fn counts_text(c: Counts, lang: Lang) -> String {
    let mut parts = Vec::new();
    for (key, n) in [
        ("explain.count.strong", c.strong),
        ("explain.count.medium", c.medium),
        ("explain.count.weak", c.weak),
    ] {
        if n > 0 {
            parts.push(tf(lang, key, &[("n", &n.to_string())]));
        }
    }
    parts.join(", ")
}

fn pattern_text(p: &Pattern, lang: Lang) -> String {
    let mut parts = Vec::new();
    for (key, n) in [
        ("explain.rule.strong", p.strong),
        ("explain.rule.medium", p.medium),
        ("explain.rule.weak", p.weak),
        ("explain.rule.medium_or_weak", p.medium_or_weak),
    ] {
        if n > 0 {
            parts.push(tf(lang, key, &[("n", &n.to_string())]));
        }
    }
    parts.join(" + ")
}

/// The dimension rule in words, generated from the rule data so that it cannot drift from it.
pub fn rule_text(lang: Lang) -> String {
    let patterns: Vec<String> = RuleSet::embedded()
        .dimension_rule
        .any_of
        .iter()
        .map(|p| pattern_text(p, lang))
        .collect();
    tf(
        lang,
        "explain.rule",
        &[("patterns", &patterns.join(&t(lang, "explain.or")))],
    )
}

fn group_text(group: &[Dimension], lang: Lang) -> String {
    let catalogue = Catalogue::embedded();
    group
        .iter()
        .map(|&d| format!("{} ({d})", catalogue.dimension_title(d, lang)))
        .collect::<Vec<_>>()
        .join(&t(lang, "explain.or"))
}

/// The explanation's red-flag sentence, when there are red flags.
pub fn red_flags_line(flags: &[FlagView], lang: Lang) -> Option<String> {
    if flags.is_empty() {
        return None;
    }
    let labels: Vec<&str> = flags.iter().map(|f| f.label.as_str()).collect();
    Some(tf(
        lang,
        "explain.red_flags",
        &[("flags", &labels.join("; "))],
    ))
}

/// The whole explanation of a screening, one sentence per line: what it rests on first when
/// questions are missing, the outcome, the ILO dimensions and combination, the Protocol's reading,
/// the triage, the red flags and the disclaimer.
pub fn screening(result: &ScreeningResult, lang: Lang) -> String {
    let mut lines = completeness_lines(result.completeness.as_ref(), lang);
    lines.push(tf(
        lang,
        "explain.outcome",
        &[("outcome", &result.outcome_label)],
    ));
    lines.push(match result.subject {
        Subject::Adult => t(lang, "explain.subject.adult"),
        Subject::Child => t(lang, "explain.subject.child"),
    });
    if let Some(set) = result.set {
        let key = if result.provisional {
            "explain.set.provisional"
        } else {
            "explain.set"
        };
        lines.push(tf(
            lang,
            key,
            &[("set", &t(lang, &format!("set.{}", set.id())))],
        ));
    }

    let mut any = false;
    for (dim, r) in &result.dimensions {
        if r.indicators.is_empty() {
            continue;
        }
        any = true;
        let titles: Vec<&str> = r.indicators.iter().map(|i| i.title.as_str()).collect();
        let key = if r.positive {
            "explain.dimension.positive"
        } else {
            "explain.dimension.not_positive"
        };
        lines.push(tf(
            lang,
            key,
            &[
                ("dimension", &format!("{} ({dim})", r.title)),
                ("counts", &counts_text(r.counts, lang)),
                ("indicators", &titles.join("; ")),
            ],
        ));
    }
    if !any {
        lines.push(t(lang, "explain.no_indicator"));
    } else if result
        .dimensions
        .values()
        .any(|r| !r.positive && !r.indicators.is_empty())
    {
        lines.push(rule_text(lang));
    }

    let combination_key = match result.subject {
        Subject::Adult => "explain.combination.adult",
        Subject::Child => "explain.combination.child",
    };
    lines.push(t(lang, combination_key));
    if result.combination.met {
        lines.push(t(lang, "explain.combination.met"));
    } else {
        for group in &result.combination.missing {
            lines.push(tf(
                lang,
                "explain.combination.missing",
                &[("group", &group_text(group, lang))],
            ));
        }
    }

    if let Some(reading) = &result.protocol {
        lines.extend(reading.lines.iter().cloned());
    }
    if result.basis == Some(Basis::Protocol) {
        lines.push(t(lang, "explain.basis.protocol"));
    }
    for item in &result.triage {
        lines.push(format!("{} — {}", item.label, item.explanation));
    }
    lines.extend(red_flags_line(&result.red_flags, lang));
    lines.push(t(lang, "explain.disclaimer"));
    lines.join("\n")
}
