//! Golden vectors through the core: every answers file gives its expected result, and every score
//! vector gives exactly its recorded JSON.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::collections::BTreeSet;
use std::fs;

use relais_core::rules::RuleSet;
use relais_core::{Draft, Lang, RedFlag, run_draft, scoring};
use relais_tests::{screen_vectors, summarise, vectors_dir};
use serde_json::Value;

#[test]
fn every_screen_vector_gives_its_expected_result() {
    let vectors = screen_vectors().unwrap();
    assert!(vectors.len() >= 20, "only {} vectors", vectors.len());
    let mut failures = Vec::new();
    for v in &vectors {
        let draft = Draft::from_json(&v.draft).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let result = run_draft(&draft).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        let got = summarise(&serde_json::to_value(&result).unwrap());
        let want = &v.expected;
        let same = got.outcome == want.outcome
            && got.red_flags == want.red_flags
            && got.language == want.language
            && (want.subject.is_none() || got.subject == want.subject)
            && (want.positive.is_none() || got.positive == want.positive);
        if !same {
            failures.push(format!(
                "{}:\n  expected {want:?}\n  got      {got:?}",
                v.name
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn vectors_cover_each_language_for_adults_and_children() {
    let vectors = screen_vectors().unwrap();
    for lang in ["fr", "en", "es"] {
        for subject in ["adult", "child"] {
            let found = vectors.iter().any(|v| {
                v.expected.language == lang
                    && v.expected.subject.as_deref() == Some(subject)
                    && v.expected.outcome == "possible_trafficking"
            });
            assert!(
                found,
                "no possible_trafficking interview vector for {subject} in {lang}"
            );
        }
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScoreVector {
    indicators: Vec<String>,
    age: u32,
    #[serde(default)]
    flags: Vec<RedFlag>,
    lang: Lang,
    expected: Value,
}

fn score_vectors() -> Vec<(String, ScoreVector)> {
    let dir = vectors_dir().join("score");
    let mut files: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    files.sort();
    files
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            let v = serde_json::from_str(&fs::read_to_string(&p).unwrap())
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, v)
        })
        .collect()
}

#[test]
fn every_score_vector_gives_exactly_its_recorded_json() {
    let vectors = score_vectors();
    assert!(vectors.len() >= 4);
    for (name, v) in vectors {
        let subject = RuleSet::embedded().subject_for_age(v.age);
        let flags: BTreeSet<RedFlag> = v.flags.into_iter().collect();
        let result = scoring::score_ids(
            v.indicators.iter().map(String::as_str),
            subject,
            &flags,
            v.lang,
        )
        .unwrap();
        let got = serde_json::to_value(&result).unwrap();
        assert_eq!(
            got, v.expected,
            "{name}: the result differs from the golden vector"
        );
    }
}
