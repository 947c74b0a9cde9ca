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

/// Drafts of the first form versions (every screen vector was made with them) resume with the very
/// version they were made with, which stays embedded, and are scored by today's engine: the ILO
/// outcome is the one recorded (the labour sets and the rule did not change), the result now says
/// what it rests on, and the Protocol's reading says it was not assessed (those forms did not ask
/// what establishes an act).
#[test]
fn drafts_of_the_first_form_versions_resume_with_those_versions() {
    let mut old = 0;
    for v in screen_vectors().unwrap() {
        let draft = Draft::from_json(&v.draft).unwrap();
        if draft.form_version != 1 {
            continue;
        }
        old += 1;
        let session = relais_core::Session::resume(&draft).unwrap();
        assert_eq!(session.form().version, 1, "{}", v.name);
        let result = run_draft(&draft).unwrap();
        assert!(result.completeness().is_some(), "{}", v.name);
        if let relais_core::FormResult::Interview(r) = &result {
            assert!(!r.protocol.as_ref().unwrap().assessed, "{}", v.name);
            assert!(r.basis != Some(relais_core::scoring::Basis::Protocol));
        }
    }
    assert!(old >= 20, "{old} vectors of the first versions");
}

/// The one first-version vector whose outcome changed, on purpose: its person declined to say
/// whether they were afraid or not free to leave, and a quick check with an unanswered question
/// that could raise a flag no longer reads "no flags" (it is incomplete and concludes nothing).
#[test]
fn a_first_version_quick_check_with_a_declined_answer_is_now_incomplete() {
    let v = screen_vectors()
        .unwrap()
        .into_iter()
        .find(|v| v.name == "quick-check-en-no-flags")
        .unwrap();
    let draft = Draft::from_json(&v.draft).unwrap();
    assert_eq!(draft.answers["afraid_or_not_free"], "prefer_not_to_say");
    let result = run_draft(&draft).unwrap();
    assert_eq!(result.outcome_id(), "incomplete");
    let c = result.completeness().unwrap();
    assert!(c.open.iter().any(|q| q.id == "afraid_or_not_free"));
}
