//! The vignette suite (`tests/vignettes/*.json`, format in `tests/src/vignettes.rs`): realistic
//! cases written as interview answers, each with the ILO outcome, the triage and the first next step
//! a trained practitioner expects, and why.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::collections::BTreeSet;

use relais_core::result::FormResult;
use relais_tests::vignettes;

#[test]
fn every_vignette_gives_what_a_practitioner_expects() {
    let all = vignettes::all().unwrap();
    let mut failures = Vec::new();
    for (name, v) in &all {
        let (_, result) = match vignettes::run(v) {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let FormResult::Interview(r) = result else {
            panic!("{name}: not an interview result");
        };
        if std::env::var_os("RELAIS_PRINT_VIGNETTES").is_some() {
            println!(
                "== {name}\n{}\nsteps: {:?}\n",
                r.explanation,
                r.next_steps.iter().map(|s| &s.id).collect::<Vec<_>>()
            );
        }
        let e = &v.expected;
        let mut wrong = Vec::new();
        if r.outcome.id() != e.outcome {
            wrong.push(format!(
                "outcome {} (expected {})",
                r.outcome.id(),
                e.outcome
            ));
        }
        let triage: BTreeSet<&str> = r.triage.iter().map(|t| t.id.id()).collect();
        let want: BTreeSet<&str> = e.triage.iter().map(String::as_str).collect();
        if triage != want {
            wrong.push(format!("triage {triage:?} (expected {want:?})"));
        }
        let first = r.next_steps.first().map_or("", |s| s.id.as_str());
        if first != e.first_step {
            wrong.push(format!("first step {first} (expected {})", e.first_step));
        }
        let basis = r.basis.map(|b| {
            serde_json::to_value(b)
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        });
        if e.basis.is_some() && basis != e.basis {
            wrong.push(format!("basis {basis:?} (expected {:?})", e.basis));
        }
        for flag in &e.flags {
            if !r.red_flags.iter().any(|f| f.id.id() == flag) {
                wrong.push(format!("red flag {flag} missing"));
            }
        }
        let complete = r.completeness.as_ref().unwrap().complete;
        if complete != e.complete {
            wrong.push(format!("complete {complete} (expected {})", e.complete));
        }
        let reading = r.protocol.as_ref().unwrap();
        if let Some(act) = e.act
            && reading.act != act
        {
            wrong.push(format!("act {} (expected {act})", reading.act));
        }
        for dim in &e.no_indicators_in {
            let found: Vec<&str> = r
                .dimensions
                .iter()
                .filter(|(d, _)| d.code() == dim)
                .flat_map(|(_, x)| x.indicators.iter().map(|i| i.id.as_str()))
                .collect();
            if !found.is_empty() {
                wrong.push(format!("{dim} indicators {found:?} (expected none)"));
            }
        }
        if !wrong.is_empty() {
            failures.push(format!(
                "{name}: {}\n    facts: {}\n    why: {}\n    explanation:\n      {}",
                wrong.join("; "),
                v.facts,
                v.why,
                r.explanation.replace('\n', "\n      ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn the_suite_covers_the_situations_of_the_field() {
    let all = vignettes::all().unwrap();
    assert!(all.len() >= 30, "only {} vignettes", all.len());
    let tags: BTreeSet<&str> = all
        .iter()
        .flat_map(|(_, v)| v.tags.iter().map(String::as_str))
        .collect();
    for tag in [
        "adult",
        "child",
        "labour",
        "sexual",
        "begging",
        "criminality",
        "domestic",
        "marriage",
        "smuggling",
        "gbv",
        "child_labour",
        "free",
        "incomplete",
    ] {
        assert!(tags.contains(tag), "no vignette tagged {tag}");
    }
    for (name, v) in &all {
        assert!(!v.why.trim().is_empty(), "{name}: say why");
    }
    let languages: BTreeSet<_> = all.iter().map(|(_, v)| v.language).collect();
    assert_eq!(languages.len(), 3, "vignettes in fr, en and es");
}

/// Writes golden draft vectors of the current interview version from some vignettes (the draft a
/// session over their answers saves, with its expected summary), beside the first-version ones:
/// `cargo test -p relais-tests --test vignettes -- --ignored write_current_version_vectors`.
#[test]
#[ignore = "writes golden vectors"]
fn write_current_version_vectors() {
    let picks = [
        (
            "adult-domestic-servitude-djibouti",
            "interview-v2-fr-adult-djibouti-domestic-servitude",
        ),
        (
            "adult-employer-holds-papers-and-debt",
            "interview-v2-en-adult-harbouring-no-recruitment",
        ),
        (
            "adult-smuggled-self-recruited-honduras",
            "interview-v2-es-adult-smuggled-exploitation",
        ),
        (
            "adult-deceived-and-exploited-free",
            "interview-v2-es-adult-deceived-exploited",
        ),
        (
            "child-16-partner-sexual-exploitation",
            "interview-v2-fr-child-sexual-exploitation",
        ),
        (
            "child-fishing-recruited-guinea",
            "interview-v2-en-child-fishing",
        ),
        ("child-gang-drugs-honduras", "interview-v2-es-child-gang"),
        ("adult-cut-short", "interview-v2-fr-adult-incomplete"),
    ];
    let all = vignettes::all().unwrap();
    for (name, file) in picks {
        let (_, v) = all.iter().find(|(n, _)| n == name).unwrap();
        let (session, result) = vignettes::run(v).unwrap();
        let dir = relais_tests::vectors_dir().join("screen");
        std::fs::write(
            dir.join(format!("{file}.draft.json")),
            session.draft().to_json_pretty(),
        )
        .unwrap();
        let summary = relais_tests::summarise(&serde_json::to_value(&result).unwrap());
        let expected = serde_json::json!({
            "outcome": summary.outcome, "subject": summary.subject, "positive": summary.positive,
            "red_flags": summary.red_flags, "language": summary.language,
        });
        std::fs::write(
            dir.join(format!("{file}.expected.json")),
            serde_json::to_string_pretty(&expected).unwrap() + "\n",
        )
        .unwrap();
    }
}
