//! Human-readable rendering of screens and results for the terminal. Every word comes from the
//! core's message catalogue, so the CLI speaks the same language as the phones.

use std::fmt::Write as _;

use relais_core::assessment::{ConsentResult, NeedsResult, QuickCheckResult, RiskResult};
use relais_core::completeness::Completeness;
use relais_core::i18n::{t, tf};
use relais_core::next_steps::NextStep;
use relais_core::referral::MatchResult;
use relais_core::scoring::{FlagView, ScreeningResult};
use relais_core::session::{Screen, ScreenKind};
use relais_core::{FormResult, Lang};

fn heading(out: &mut String, text: &str) {
    let _ = writeln!(
        out,
        "\n{text}\n{}",
        "─".repeat(text.chars().count().min(72))
    );
}

fn flags(out: &mut String, flags: &[FlagView], lang: Lang) {
    if !flags.is_empty() {
        heading(out, &t(lang, "cli.red_flags"));
        for f in flags {
            let _ = writeln!(out, "  ! {} ({})", f.label, f.id);
        }
    }
}

fn steps(out: &mut String, steps: &[NextStep], lang: Lang) {
    if !steps.is_empty() {
        heading(out, &t(lang, "cli.next_steps"));
        for (i, s) in steps.iter().enumerate() {
            let _ = writeln!(out, "  {}. {}", i + 1, s.text);
        }
    }
}

/// What the result rests on, first, when questions that could change it have no answer.
fn completeness(out: &mut String, c: Option<&Completeness>) {
    if let Some(c) = c
        && !c.is_clean()
    {
        let _ = writeln!(out, "! {}", c.summary);
    }
}

fn explanation(out: &mut String, text: &str, lang: Lang) {
    heading(out, &t(lang, "cli.explanation"));
    for line in text.lines() {
        let _ = writeln!(out, "  {line}");
    }
}

pub fn screening(r: &ScreeningResult) -> String {
    let lang = r.language;
    let mut out = String::new();
    completeness(&mut out, r.completeness.as_ref());
    let _ = writeln!(out, "{} {}", t(lang, "cli.result"), r.outcome_label);
    if r.urgent {
        let _ = writeln!(out, "{}", t(lang, "cli.urgent"));
    }
    heading(&mut out, &t(lang, "cli.dimensions"));
    for (dim, d) in &r.dimensions {
        let state = if d.positive {
            t(lang, "cli.positive")
        } else {
            t(lang, "cli.not_positive")
        };
        let ids: Vec<&str> = d.indicators.iter().map(|i| i.id.as_str()).collect();
        let _ = writeln!(
            out,
            "  {dim}  {:<44} {:<12} S{} M{} W{}  {}",
            d.title,
            state,
            d.counts.strong,
            d.counts.medium,
            d.counts.weak,
            ids.join(", ")
        );
    }
    if let Some(reading) = &r.protocol {
        heading(&mut out, &t(lang, "cli.protocol"));
        for line in &reading.lines {
            let _ = writeln!(out, "  {line}");
        }
    }
    if !r.triage.is_empty() {
        heading(&mut out, &t(lang, "cli.triage"));
        for item in &r.triage {
            let _ = writeln!(out, "  * {}: {}", item.label, item.explanation);
        }
    }
    flags(&mut out, &r.red_flags, lang);
    steps(&mut out, &r.next_steps, lang);
    explanation(&mut out, &r.explanation, lang);
    out
}

fn quick_check(r: &QuickCheckResult) -> String {
    let lang = r.language;
    let mut out = String::new();
    completeness(&mut out, r.completeness.as_ref());
    let _ = writeln!(out, "{} {}", t(lang, "cli.result"), r.outcome_label);
    flags(&mut out, &r.red_flags, lang);
    steps(&mut out, &r.next_steps, lang);
    explanation(&mut out, &r.explanation, lang);
    out
}

fn needs(r: &NeedsResult) -> String {
    let lang = r.language;
    let mut out = String::new();
    completeness(&mut out, r.completeness.as_ref());
    heading(&mut out, &t(lang, "cli.needs"));
    if r.needs.is_empty() {
        let _ = writeln!(out, "  {}", t(lang, "needs.explain.none"));
    }
    for n in &r.needs {
        let _ = writeln!(out, "  - {} ({}) — {}", n.label, n.id, n.priority_label);
    }
    flags(&mut out, &r.red_flags, lang);
    steps(&mut out, &r.next_steps, lang);
    out
}

fn risk(r: &RiskResult) -> String {
    let lang = r.language;
    let mut out = String::new();
    heading(&mut out, &t(lang, "cli.risks"));
    for line in r.explanation.lines() {
        let _ = writeln!(out, "  {line}");
    }
    flags(&mut out, &r.red_flags, lang);
    steps(&mut out, &r.next_steps, lang);
    out
}

fn consent(r: &ConsentResult) -> String {
    let lang = r.language;
    let mut out = String::new();
    heading(&mut out, &t(lang, "cli.consent"));
    for line in r.explanation.lines() {
        let _ = writeln!(out, "  {line}");
    }
    steps(&mut out, &r.next_steps, lang);
    out
}

pub fn result(r: &FormResult) -> String {
    match r {
        FormResult::Interview(s) => screening(s),
        FormResult::QuickCheck(q) => quick_check(q),
        FormResult::Needs(n) => needs(n),
        FormResult::Risk(k) => risk(k),
        FormResult::Consent(c) => consent(c),
    }
}

pub fn matches(r: &MatchResult) -> String {
    let lang = r.language;
    let mut out = String::new();
    if r.fictitious {
        let _ = writeln!(out, "*** {} ***", t(lang, "match.fictitious"));
    }
    for p in &r.proposals {
        heading(
            &mut out,
            &format!("{} — {}", p.category_label, p.priority_label),
        );
        if p.services.is_empty() {
            let _ = writeln!(out, "  {}", t(lang, "cli.no_service"));
        }
        for (i, m) in p.services.iter().enumerate() {
            let s = &m.service;
            let _ = writeln!(
                out,
                "  {}. {} — {} [{}]",
                i + 1,
                s.organisation,
                s.service,
                s.id
            );
            let contact: Vec<&str> = [s.phone.as_str(), s.email.as_str(), s.address.as_str()]
                .into_iter()
                .filter(|c| !c.is_empty())
                .collect();
            let _ = writeln!(
                out,
                "     {} · {} · {}",
                s.area,
                s.hours,
                contact.join(" · ")
            );
            let _ = writeln!(out, "     {}", m.reasons.join(", "));
        }
    }
    explanation(&mut out, &r.explanation, lang);
    out
}

/// A screen as text: section, question, options numbered from 1 (specials after the options),
/// with `highlight` marking the option under the cursor in the interactive terminal.
pub fn screen(s: &Screen, highlight: Option<usize>) -> String {
    let lang = s.language;
    let mut out = String::new();
    let _ = writeln!(out, "{}", s.form_title);
    match (s.kind, &s.question, &s.review) {
        (ScreenKind::Question, Some(q), _) => {
            if let Some(section) = &s.section {
                let _ = writeln!(
                    out,
                    "{}",
                    tf(
                        lang,
                        "cli.section",
                        &[
                            ("index", &section.index.to_string()),
                            ("count", &section.count.to_string()),
                            ("title", &section.title),
                        ]
                    )
                );
                if section.starts_here
                    && let Some(intro) = &section.intro
                {
                    let _ = writeln!(out, "  » {intro}");
                }
            }
            let progress = tf(
                lang,
                "ui.progress",
                &[
                    ("position", &s.progress.position.to_string()),
                    ("total", &s.progress.total.to_string()),
                ],
            );
            let required = if q.required {
                format!(" ({})", s.labels.required)
            } else {
                String::new()
            };
            let _ = writeln!(out, "\n[{progress}]{required}\n{}", q.prompt);
            if let Some(help) = &q.help {
                let _ = writeln!(out, "  ({}: {help})", t(lang, "cli.help"));
            }
            let all = q.options.iter().chain(q.special_options.iter());
            for (i, o) in all.enumerate() {
                let cursor = if highlight == Some(i) { '>' } else { ' ' };
                let mark = if o.selected { "[x]" } else { "[ ]" };
                let _ = writeln!(out, "{cursor} {mark} {}. {}", i + 1, o.label);
            }
            if let Some(hint) = &q.hint {
                let _ = writeln!(out, "  {hint}");
            }
            if let Some(current) = &q.current_text {
                let _ = writeln!(out, "  {}", tf(lang, "cli.current", &[("value", current)]));
            }
        }
        (_, _, Some(r)) => {
            let _ = writeln!(out, "\n{}\n{}", r.title, r.message);
            let _ = writeln!(
                out,
                "{}",
                tf(
                    lang,
                    "cli.review.counts",
                    &[
                        ("answered", &r.answered.to_string()),
                        ("dont_know", &r.dont_know.to_string()),
                        ("prefer_not_to_say", &r.prefer_not_to_say.to_string()),
                        ("unanswered", &r.unanswered.to_string()),
                    ]
                )
            );
            for q in &r.unanswered_required {
                let _ = writeln!(out, "  - {} ({})", q.prompt, q.id);
            }
        }
        _ => {}
    }
    for e in &s.errors {
        let _ = writeln!(out, "  ⚠ {e}");
    }
    out
}
