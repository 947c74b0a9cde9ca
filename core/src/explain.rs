//! Localised explanations: the sentences a worker can read to a supervisor to say why a result is
//! what it is.

use crate::catalogue::{Catalogue, Dimension, Subject};
use crate::i18n::{t, tf};
use crate::lang::Lang;
use crate::rules::{Counts, Pattern, RuleSet};
use crate::scoring::{FlagView, Outcome, ScreeningResult};

pub fn outcome_label(outcome: Outcome, lang: Lang) -> String {
    t(lang, &format!("outcome.{}", outcome.id()))
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

/// The whole explanation of a screening, one sentence per line.
pub fn screening(result: &ScreeningResult, lang: Lang) -> String {
    let mut lines = vec![tf(
        lang,
        "explain.outcome",
        &[("outcome", &result.outcome_label)],
    )];
    lines.push(match result.subject {
        Subject::Adult => t(lang, "explain.subject.adult"),
        Subject::Child => t(lang, "explain.subject.child"),
    });

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

    lines.extend(red_flags_line(&result.red_flags, lang));
    lines.push(t(lang, "explain.disclaimer"));
    lines.join("\n")
}
