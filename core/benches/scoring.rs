//! Benchmarks of the two targets of the design: scoring a full interview (< 50 µs) and one interview
//! step (< 1 ms). Run: `cargo bench -p relais-core --bench scoring`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up

use std::collections::BTreeSet;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use relais_core::answer::Answer;
use relais_core::forms::QuestionKind;
use relais_core::result::findings_of;
use relais_core::scoring;
use relais_core::session::ScreenKind;
use relais_core::{Context, Lang, Session, Subject};

/// What an answer evidences, to pick the heaviest.
fn weight(e: &relais_core::effects::Effects) -> usize {
    e.indicators.len() + e.flags.len() + e.acts.len() + e.purposes.len()
}

/// Walks the whole interview giving, at every question, the answer that evidences the most: the
/// heaviest realistic case for scoring (every branch question shown, most indicators present).
fn full_interview(age: u32) -> Session {
    let mut session = Session::start("interview", Lang::Fr, Context::with_age(Some(age))).unwrap();
    while session.screen().kind == ScreenKind::Question {
        let id = session.screen().question.unwrap().id;
        let q = session.form().question(&id).unwrap().question;
        let answer = match &q.kind {
            QuestionKind::YesNo { yes, no } => {
                // "Yes" on a gate ("did you work for someone?") opens the questions behind it.
                if weight(yes) >= weight(no) {
                    Answer::Yes
                } else {
                    Answer::No
                }
            }
            // The first of the heaviest options (the first is the one that opens most: "still in
            // it", not "none of these").
            QuestionKind::Single { options } => Answer::Choice(
                options
                    .iter()
                    .rev()
                    .max_by_key(|o| weight(&o.effects))
                    .unwrap()
                    .id
                    .clone(),
            ),
            QuestionKind::Multi { options } => Answer::Choices(
                options
                    .iter()
                    .filter(|o| !o.exclusive)
                    .map(|o| o.id.clone())
                    .collect(),
            ),
            QuestionKind::Number(spec) => Answer::Number(
                spec.thresholds
                    .first()
                    .and_then(|t| t.min.or(t.max))
                    .or(spec.min)
                    .unwrap_or(1.0),
            ),
            QuestionKind::Date => Answer::Date("2024-03".into()),
            QuestionKind::Text { .. } => Answer::Text("note".into()),
        };
        session.try_answer(answer).unwrap();
    }
    session
}

fn bench(c: &mut Criterion) {
    let adult = full_interview(30);
    let child = full_interview(15);
    let evidence = adult.evidence();
    let findings = findings_of(&evidence);
    let flags = BTreeSet::new();
    eprintln!(
        "full adult interview: {} answers with effects, {} indicators",
        evidence.len(),
        findings.len()
    );

    c.bench_function("score a full interview (ILO rules, explanation)", |b| {
        b.iter(|| scoring::score(black_box(&findings), Subject::Adult, &flags, Lang::Fr).unwrap())
    });
    c.bench_function("finish a full adult interview (evidence + scoring)", |b| {
        b.iter(|| black_box(&adult).finish().unwrap())
    });
    c.bench_function("finish a full child interview (evidence + scoring)", |b| {
        b.iter(|| black_box(&child).finish().unwrap())
    });
    // A realistic case: a golden vignette (a girl of 16 sexually exploited by a "boyfriend"),
    // every question shown answered as a worker records it.
    let vignette = relais_core::Draft::from_json(include_str!(
        "../../tests/vectors/screen/interview-v2-fr-child-sexual-exploitation.draft.json"
    ))
    .unwrap();
    let real = Session::resume(&vignette).unwrap();
    c.bench_function(
        "finish a realistic child interview (golden vignette)",
        |b| b.iter(|| black_box(&real).finish().unwrap()),
    );

    // One step: answer the current question and get the whole next screen, mid-interview.
    let mut mid = Session::start("interview", Lang::Fr, Context::with_age(Some(30))).unwrap();
    for _ in 0..20 {
        mid.try_answer(Answer::DontKnow).unwrap();
    }
    c.bench_function("one interview step (answer + next screen)", |b| {
        b.iter_batched(
            || mid.clone(),
            |mut s| black_box(s.answer(Answer::DontKnow)),
            criterion::BatchSize::SmallInput,
        )
    });
    c.bench_function("render the current screen", |b| {
        b.iter(|| black_box(&mid).screen())
    });
    c.bench_function("resume a session from its draft", |b| {
        let draft = adult.draft();
        b.iter(|| Session::resume(black_box(&draft)).unwrap())
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
