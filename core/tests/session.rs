//! The interview session as a state machine, driven through its public API over the shipped forms:
//! starting, answering, validation, skipping, navigation, age branches, conditions, drafts, review,
//! language switches and the result of each form kind.
//!
//! Question and option ids are those of `core/forms/*/`; where a behaviour depends on the form's
//! structure (which section is a child branch, which question comes first), the test reads it from
//! the embedded form rather than repeating it.

// Helpers outside #[test] functions fail loudly too: the workspace lints only spare test bodies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use relais_core::effects::{ConsentPurpose, RiskLevel, RiskTarget};
use relais_core::forms::{self, AnswerType, Branch, Form};
use relais_core::i18n::t;
use relais_core::next_steps::Gate;
use relais_core::session::{QuestionView, Screen, ScreenKind};
use relais_core::{
    Answer, AnswerError, Context, Dimension, Draft, DraftError, FormResult, Lang, Need, Outcome,
    Priority, RedFlag, Session, SessionError, Subject,
};
use serde_json::{Value, json};

// --- helpers -------------------------------------------------------------------------------------

const FORMS: [&str; 5] = ["quick-check", "interview", "needs", "risk", "consent"];
/// More steps than any shipped form has questions: a walk that needs more is looping.
const MAX_STEPS: usize = 400;
/// A string that must never appear in an error message (it stands for what a person said).
const SECRET: &str = "ZebraSecret42";

fn form(id: &str) -> &'static Form {
    forms::get(id).unwrap_or_else(|| panic!("form {id} is not embedded"))
}

fn ctx(age: Option<u32>) -> Context {
    Context::with_age(age)
}

fn start(form_id: &str, lang: Lang, age: Option<u32>) -> Session {
    Session::start(form_id, lang, ctx(age)).unwrap()
}

fn question(screen: &Screen) -> &QuestionView {
    screen
        .question
        .as_ref()
        .unwrap_or_else(|| panic!("expected a question screen, got {:?}", screen.kind))
}

fn qid(screen: &Screen) -> &str {
    &question(screen).id
}

fn choice(id: &str) -> Answer {
    Answer::Choice(id.to_string())
}

fn choices(ids: &[&str]) -> Answer {
    Answer::Choices(ids.iter().map(|s| s.to_string()).collect())
}

/// The answer a UI sends when the user taps option `id` of the screen (regular or special).
fn option_answer(q: &QuestionView, id: &str) -> Answer {
    match (id, q.answer_type) {
        ("dont_know", _) => Answer::DontKnow,
        ("prefer_not_to_say", _) => Answer::PreferNotToSay,
        ("yes", AnswerType::YesNo) => Answer::Yes,
        ("no", AnswerType::YesNo) => Answer::No,
        (_, AnswerType::Multi) => choices(&[id]),
        _ => choice(id),
    }
}

/// The first real option, or a valid typed value.
fn first_real(q: &QuestionView) -> Answer {
    match q.answer_type {
        AnswerType::YesNo | AnswerType::Single | AnswerType::Multi => {
            option_answer(q, &q.options[0].id)
        }
        AnswerType::Number => {
            let spec = q
                .number
                .as_ref()
                .expect("a number question has a number view");
            let n = spec.min.map_or(1.0, |m| m + 1.0);
            Answer::Number(spec.max.map_or(n, |max| n.min(max)))
        }
        AnswerType::Date => Answer::Date("2020-05".into()),
        AnswerType::Text => Answer::Text("Seen at the bus station".into()),
    }
}

fn dont_know(_: &QuestionView) -> Answer {
    Answer::DontKnow
}

/// Answers from `script` by question id, "don't know" elsewhere.
fn scripted(script: &[(&str, Answer)]) -> impl FnMut(&QuestionView) -> Answer + use<> {
    let script: Vec<(String, Answer)> = script
        .iter()
        .map(|(id, a)| (id.to_string(), a.clone()))
        .collect();
    move |q| {
        script
            .iter()
            .find(|(id, _)| *id == q.id)
            .map_or(Answer::DontKnow, |(_, a)| a.clone())
    }
}

/// What a walk to the review screen saw.
struct Walk {
    /// Question ids in the order they were asked.
    asked: Vec<String>,
    /// Section ids in the order they were entered.
    sections: Vec<String>,
    end: Screen,
}

/// Answers every question from the current one to the review screen, checking that each answer is
/// accepted and moves the session forward.
fn walk(session: &mut Session, mut choose: impl FnMut(&QuestionView) -> Answer) -> Walk {
    let mut screen = session.screen();
    let mut asked: Vec<String> = Vec::new();
    let mut sections: Vec<String> = Vec::new();
    for _ in 0..MAX_STEPS {
        let Some(q) = screen.question.clone() else {
            return Walk {
                asked,
                sections,
                end: screen,
            };
        };
        let section = screen.section.as_ref().expect("a question has a section");
        if sections.last() != Some(&section.id) {
            sections.push(section.id.clone());
        }
        assert!(!asked.contains(&q.id), "question {} asked twice", q.id);
        let answer = choose(&q);
        let next = session.answer(answer.clone());
        assert!(
            next.errors.is_empty(),
            "{}: {answer:?} refused: {:?}",
            q.id,
            next.errors
        );
        asked.push(q.id);
        screen = next;
    }
    panic!("no review screen after {MAX_STEPS} answers");
}

/// Starts a session and walks it to the review screen with `script` ("don't know" elsewhere),
/// checking that every scripted question was actually asked.
fn run(form_id: &str, lang: Lang, age: Option<u32>, script: &[(&str, Answer)]) -> (Session, Walk) {
    let mut session = start(form_id, lang, age);
    let w = walk(&mut session, scripted(script));
    for (id, _) in script {
        assert!(
            w.asked.iter().any(|a| a == id),
            "{form_id}: scripted question {id} was never asked (asked: {:?})",
            w.asked
        );
    }
    assert_eq!(w.end.kind, ScreenKind::Review);
    (session, w)
}

/// Answers "don't know" until the current question is `id`.
fn answer_until(session: &mut Session, id: &str) -> Screen {
    let mut screen = session.screen();
    for _ in 0..MAX_STEPS {
        match &screen.question {
            Some(q) if q.id == id => return screen,
            Some(_) => screen = session.answer(Answer::DontKnow),
            None => panic!("reached the review screen before question {id}"),
        }
    }
    panic!("question {id} not reached");
}

fn branch_of_section(form: &Form, section_id: &str) -> Option<Branch> {
    form.sections
        .iter()
        .find(|s| s.id == section_id)
        .unwrap_or_else(|| panic!("no section {section_id} in {}", form.id))
        .branch
}

fn prompt_in(form_id: &str, question_id: &str, lang: Lang) -> String {
    form(form_id)
        .question(question_id)
        .unwrap_or_else(|| panic!("no question {question_id}"))
        .question
        .prompt
        .get(lang)
        .to_string()
}

fn draft(form_id: &str, answers: Value) -> Draft {
    let f = form(form_id);
    Draft {
        format: "relais.draft".into(),
        schema: 1,
        form: form_id.into(),
        form_version: f.version,
        language: "en".into(),
        context: Context::default(),
        answers: answers.as_object().expect("answers are an object").clone(),
        skipped: Vec::new(),
        position: None,
    }
}

fn selected(q: &QuestionView) -> Vec<&str> {
    q.options
        .iter()
        .chain(&q.special_options)
        .filter(|o| o.selected)
        .map(|o| o.id.as_str())
        .collect()
}

fn interview(result: FormResult) -> relais_core::ScreeningResult {
    match result {
        FormResult::Interview(r) => r,
        other => panic!("expected an interview result, got {}", other.outcome_id()),
    }
}

// --- start ---------------------------------------------------------------------------------------

#[test]
fn start_shows_the_first_question_localised_in_every_language() {
    for id in FORMS {
        let first = form(id).at(0).expect("a form has questions").question;
        let mut prompts = Vec::new();
        let mut backs = Vec::new();
        for lang in Lang::ALL {
            let screen = start(id, lang, None).screen();
            assert_eq!(screen.kind, ScreenKind::Question, "{id} {lang}");
            assert_eq!(screen.language, lang);
            assert_eq!(screen.form_id, id);
            assert!(screen.errors.is_empty());
            assert_eq!(screen.progress.position, 1, "{id} {lang}");
            assert_eq!(screen.progress.answered, 0);
            assert!(screen.progress.total > 1);
            assert!(
                !screen.can_back,
                "{id} {lang}: nothing before the first question"
            );
            assert!(!screen.can_next, "{id} {lang}: nothing answered yet");
            assert!(screen.review.is_none());
            let q = question(&screen);
            assert_eq!(q.id, first.id);
            assert_eq!(q.prompt, first.prompt.get(lang));
            assert!(!q.prompt.trim().is_empty());
            assert!(!q.options.is_empty());
            assert!(q.options.iter().all(|o| !o.label.trim().is_empty()));
            let special: Vec<&str> = q.special_options.iter().map(|o| o.id.as_str()).collect();
            assert_eq!(special, ["dont_know", "prefer_not_to_say"], "{id} {lang}");
            assert!(q.special_options.iter().all(|o| o.exclusive && !o.selected));
            let labels = &screen.labels;
            for label in [
                &labels.back,
                &labels.next,
                &labels.skip,
                &labels.finish,
                &labels.review,
            ] {
                assert!(!label.trim().is_empty(), "{id} {lang}: empty label");
            }
            let section = screen.section.as_ref().expect("a section view");
            assert!(section.starts_here && section.index == 1);
            prompts.push(q.prompt.clone());
            backs.push(labels.back.clone());
        }
        for (a, b) in [(0, 1), (0, 2), (1, 2)] {
            assert_ne!(prompts[a], prompts[b], "{id}: prompt not translated");
            assert_ne!(backs[a], backs[b], "{id}: labels not translated");
        }
    }
}

#[test]
fn start_refuses_an_unknown_form() {
    assert_eq!(
        Session::start("no-such-form", Lang::Fr, Context::default()).unwrap_err(),
        SessionError::UnknownForm("no-such-form".into())
    );
    let long = "x".repeat(500);
    match Session::start(&long, Lang::En, Context::default()).unwrap_err() {
        SessionError::UnknownForm(id) => assert!(id.len() <= 60, "the id is echoed whole"),
        other => panic!("{other:?}"),
    }
}

// --- moving through the form ----------------------------------------------------------------------

#[test]
fn answering_moves_forward_and_counts_progress() {
    let mut s = start("needs", Lang::En, None);
    let first = s.screen();
    assert_eq!(qid(&first), "interpreter_needed");
    assert_eq!(first.progress.percent, 0);

    let second = s.answer(Answer::Yes);
    assert_eq!(qid(&second), "safety_now");
    assert_eq!(second.progress.position, 2);
    assert_eq!(second.progress.answered, 1);
    assert_eq!(second.progress.total, first.progress.total);
    assert!(second.progress.percent > 0);
    assert!(second.can_back);

    let third = s.answer(choice("safe"));
    assert_eq!(qid(&third), "sleep_tonight");
    assert_eq!(third.progress.position, 3);
    assert_eq!(third.progress.answered, 2);
    assert!(third.progress.percent > second.progress.percent);
    assert_eq!(s.answer_of("interpreter_needed"), Some(&Answer::Yes));
    assert_eq!(s.answer_of("safety_now"), Some(&choice("safe")));
}

#[test]
fn back_shows_the_previous_answer_as_selected() {
    let mut s = start("needs", Lang::Fr, None);
    s.answer(Answer::No);
    s.answer(choice("afraid_later"));
    let on_third = s.screen();
    assert_eq!(qid(&on_third), "sleep_tonight");

    let back = s.back();
    let q = question(&back);
    assert_eq!(q.id, "safety_now");
    assert!(q.answered);
    assert_eq!(selected(q), ["afraid_later"]);
    assert!(back.can_next, "an answered question can be left with next");
    assert_eq!(back.progress.position, 2);

    let back = s.back();
    let q = question(&back);
    assert_eq!(q.id, "interpreter_needed");
    assert_eq!(selected(q), ["no"]);
    assert!(!back.can_back);
}

#[test]
fn back_prefills_a_typed_answer() {
    let mut s = start("interview", Lang::Es, None);
    answer_until(&mut s, "age");
    let after = s.answer_text(" 34 ");
    assert!(after.errors.is_empty(), "{:?}", after.errors);
    assert_eq!(s.answer_of("age"), Some(&Answer::Number(34.0)));
    let back = s.back();
    let q = question(&back);
    assert_eq!(q.id, "age");
    assert_eq!(q.current_text.as_deref(), Some("34"));
    assert!(q.answered && selected(q).is_empty());
}

#[test]
fn next_keeps_the_answer() {
    let mut s = start("needs", Lang::En, None);
    s.answer(Answer::Yes);
    s.answer(choice("in_danger"));
    s.back();
    s.back();
    let screen = s.next();
    assert!(screen.errors.is_empty());
    assert_eq!(qid(&screen), "safety_now");
    assert_eq!(selected(question(&screen)), ["in_danger"]);
    let screen = s.next();
    assert_eq!(qid(&screen), "sleep_tonight");
    assert_eq!(s.answer_of("interpreter_needed"), Some(&Answer::Yes));
    assert_eq!(s.answer_of("safety_now"), Some(&choice("in_danger")));
    assert_eq!(screen.progress.answered, 2);
}

#[test]
fn next_on_an_unanswered_question_is_refused_and_stays() {
    let mut messages = Vec::new();
    for lang in [Lang::Fr, Lang::En] {
        let mut s = start("needs", lang, None);
        let before = s.screen();
        let screen = s.next();
        assert_eq!(qid(&screen), "interpreter_needed");
        assert_eq!(screen.errors, [t(lang, "session.error.no_answer")]);
        assert_eq!(screen.progress, before.progress);
        assert!(s.draft().answers.is_empty());
        // The message does not stick to the next screen.
        let moved = s.answer(Answer::No);
        assert!(moved.errors.is_empty());
        messages.push(screen.errors[0].clone());
    }
    assert_ne!(messages[0], messages[1], "the message is not localised");
}

#[test]
fn back_on_the_first_question_stays() {
    let mut s = start("risk", Lang::En, None);
    let screen = s.back();
    assert_eq!(qid(&screen), "exploiters_know_where");
    assert!(!screen.can_back);
    assert!(screen.errors.is_empty());
}

#[test]
fn section_view_marks_where_a_section_starts() {
    let mut s = start("needs", Lang::En, None);
    let first = s.screen();
    let section = first.section.clone().expect("section");
    assert_eq!((section.id.as_str(), section.index), ("language", 1));
    assert_eq!(section.count as usize, form("needs").sections.len());
    let second = s.answer(Answer::No);
    let section = second.section.clone().expect("section");
    assert_eq!(section.id, "safety_shelter");
    assert!(section.starts_here && section.index == 2);
    let third = s.answer(choice("safe"));
    let section = third.section.clone().expect("section");
    assert!(section.id == "safety_shelter" && !section.starts_here);
}

// --- validation ----------------------------------------------------------------------------------

#[test]
fn a_wrong_type_is_refused_localised_and_not_stored() {
    let mut messages = Vec::new();
    for lang in [Lang::Fr, Lang::En] {
        let mut s = start("needs", lang, None);
        let screen = s.answer(Answer::Number(3.0));
        assert_eq!(qid(&screen), "interpreter_needed", "the session stays");
        assert_eq!(
            screen.errors,
            [AnswerError::WrongType(AnswerType::YesNo).message(lang)]
        );
        assert!(!question(&screen).answered);
        assert_eq!(screen.progress.answered, 0);
        assert_eq!(s.answer_of("interpreter_needed"), None);
        assert!(s.draft().answers.is_empty());
        messages.push(screen.errors[0].clone());
    }
    assert_ne!(messages[0], messages[1], "the message is not localised");

    let mut s = start("needs", Lang::En, None);
    assert_eq!(
        s.try_answer(Answer::Text("yes".into())),
        Err(SessionError::InvalidAnswer {
            question: "interpreter_needed".into(),
            error: AnswerError::WrongType(AnswerType::YesNo),
        })
    );
    assert_eq!(qid(&s.screen()), "interpreter_needed");
    assert!(s.try_answer(Answer::Yes).is_ok());
    assert_eq!(qid(&s.screen()), "safety_now");
}

#[test]
fn an_unknown_option_is_refused() {
    let mut s = start("needs", Lang::En, None);
    s.answer(Answer::No);
    assert_eq!(
        s.try_answer(choice("on_the_moon")),
        Err(SessionError::InvalidAnswer {
            question: "safety_now".into(),
            error: AnswerError::UnknownOption,
        })
    );
    let screen = s.answer(choice("on_the_moon"));
    assert_eq!(qid(&screen), "safety_now");
    assert_eq!(screen.errors.len(), 1);
    assert_eq!(s.answer_of("safety_now"), None);

    s.go_to("health_problems").unwrap();
    let err = s
        .try_answer(choices(&["injury", "broken_heart"]))
        .unwrap_err();
    assert_eq!(
        err,
        SessionError::InvalidAnswer {
            question: "health_problems".into(),
            error: AnswerError::UnknownOption,
        }
    );
    assert_eq!(s.answer_of("health_problems"), None);
}

#[test]
fn an_exclusive_option_cannot_be_combined() {
    let mut s = start("needs", Lang::Fr, None);
    s.go_to("health_problems").unwrap();
    let screen = s.answer(choices(&["injury", "none"]));
    assert_eq!(qid(&screen), "health_problems");
    assert_eq!(
        screen.errors,
        [AnswerError::Exclusive("none".into()).message(Lang::Fr)]
    );
    assert!(
        question(&screen)
            .options
            .iter()
            .any(|o| o.id == "none" && o.exclusive)
    );
    assert_eq!(
        s.try_answer(choices(&["none", "illness"])),
        Err(SessionError::InvalidAnswer {
            question: "health_problems".into(),
            error: AnswerError::Exclusive("none".into()),
        })
    );
    assert_eq!(
        s.try_answer(choices(&[])),
        Err(SessionError::InvalidAnswer {
            question: "health_problems".into(),
            error: AnswerError::NoChoice,
        })
    );
    // Alone, the exclusive option is fine.
    let screen = s.answer(choices(&["none"]));
    assert!(screen.errors.is_empty());
    assert_eq!(s.answer_of("health_problems"), Some(&choices(&["none"])));
}

#[test]
fn multi_answers_are_deduplicated_in_form_order() {
    let mut s = start("needs", Lang::En, None);
    s.go_to("health_problems").unwrap();
    let screen = s.answer(choices(&["illness", "injury", "illness"]));
    assert!(screen.errors.is_empty());
    assert_eq!(
        s.answer_of("health_problems"),
        Some(&choices(&["injury", "illness"]))
    );
    let back = s.back();
    assert_eq!(selected(question(&back)), ["injury", "illness"]);
    assert_eq!(
        s.draft().answers["health_problems"],
        json!(["injury", "illness"])
    );
}

#[test]
fn numbers_out_of_range_or_not_whole_are_refused() {
    let mut s = start("interview", Lang::En, None);
    answer_until(&mut s, "age");
    let range = AnswerError::OutOfRange {
        min: Some(0.0),
        max: Some(120.0),
    };
    for bad in [121.0, -1.0] {
        assert_eq!(
            s.try_answer(Answer::Number(bad)),
            Err(SessionError::InvalidAnswer {
                question: "age".into(),
                error: range.clone(),
            })
        );
    }
    assert_eq!(
        s.try_answer(Answer::Number(12.5)),
        Err(SessionError::InvalidAnswer {
            question: "age".into(),
            error: AnswerError::NotInteger,
        })
    );
    let screen = s.answer(Answer::Number(200.0));
    assert_eq!(screen.errors, [range.message(Lang::En)]);
    assert!(screen.errors[0].contains("120"));
    // Typed text: a decimal comma is read as a number (then refused as not whole), words are not.
    let screen = s.answer_text("17,5");
    assert_eq!(screen.errors, [AnswerError::NotInteger.message(Lang::En)]);
    let screen = s.answer_text("douze");
    assert_eq!(
        screen.errors,
        [AnswerError::WrongType(AnswerType::Number).message(Lang::En)]
    );
    assert_eq!(qid(&screen), "age");
    assert_eq!(s.answer_of("age"), None);
    let screen = s.answer_text("40");
    assert!(screen.errors.is_empty());
    assert_eq!(s.answer_of("age"), Some(&Answer::Number(40.0)));
}

#[test]
fn text_must_be_non_empty_and_within_max_length() {
    let mut s = start("interview", Lang::Fr, Some(30));
    let screen = s.go_to("anything_else").unwrap();
    let q = question(&screen);
    assert_eq!(q.answer_type, AnswerType::Text);
    assert_eq!(q.max_length, Some(500));
    assert_eq!(
        s.try_answer(Answer::Text("a".repeat(501))),
        Err(SessionError::InvalidAnswer {
            question: "anything_else".into(),
            error: AnswerError::TooLong(500),
        })
    );
    let screen = s.answer_text("   ");
    assert_eq!(screen.errors, [AnswerError::EmptyText.message(Lang::Fr)]);
    assert_eq!(s.answer_of("anything_else"), None);
    // The limit counts characters, not bytes; the stored text is trimmed.
    let long = "é".repeat(500);
    let screen = s.answer_text(&format!("  {long}  "));
    assert!(screen.errors.is_empty(), "{:?}", screen.errors);
    assert_eq!(s.answer_of("anything_else"), Some(&Answer::Text(long)));
}

#[test]
fn dates_in_the_future_or_malformed_are_refused() {
    // No shipped form asks a date, so the rule is checked on a one-question form.
    let text = r#"{"fr":"Arrivée","en":"Arrival","es":"Llegada"}"#;
    let form_json = format!(
        r#"{{"schema":1,"id":"d","version":1,"kind":"needs","languages":["fr","en","es"],
            "title":{text},"description":{text}}}"#
    );
    let section = format!(
        r#"{{"id":"s","title":{text},"questions":[{{"id":"arrival","type":"date","prompt":{text}}}]}}"#
    );
    let f = Form::parse(&form_json, &[("s.json", &section)]).unwrap();
    let q = f.question("arrival").unwrap().question;
    let date = |s: &str| Answer::Date(s.into()).validate(q);
    assert_eq!(date("2999"), Err(AnswerError::FutureDate));
    assert_eq!(date("2999-01-01"), Err(AnswerError::FutureDate));
    for bad in ["2024-13", "12/03/2024", "2023-02-29", "soon", "24"] {
        assert_eq!(date(bad), Err(AnswerError::BadDate), "{bad}");
    }
    assert_eq!(date(" 2020-05 "), Ok(Answer::Date("2020-05".into())));
    assert_eq!(date("2019"), Ok(Answer::Date("2019".into())));
    assert_eq!(
        Answer::Number(2020.0).validate(q),
        Err(AnswerError::WrongType(AnswerType::Date))
    );
    assert_eq!(
        Answer::from_json(&json!("2999-12"), q),
        Err(AnswerError::FutureDate)
    );
    assert_ne!(
        AnswerError::FutureDate.message(Lang::Fr),
        AnswerError::FutureDate.message(Lang::En)
    );
}

#[test]
fn answering_on_the_review_screen_is_refused() {
    let mut s = start("risk", Lang::En, None);
    let screen = s.review();
    assert_eq!(screen.kind, ScreenKind::Review);
    assert_eq!(s.try_answer(Answer::Yes), Err(SessionError::NoQuestion));
    assert_eq!(s.try_skip(), Err(SessionError::NoQuestion));
    let screen = s.answer(Answer::Yes);
    assert_eq!(screen.kind, ScreenKind::Review);
    assert_eq!(screen.errors, [t(Lang::En, "session.error.no_question")]);
    assert!(s.draft().answers.is_empty());
}

// --- required questions and skipping ---------------------------------------------------------------

#[test]
fn a_required_question_cannot_be_skipped_but_accepts_dont_know() {
    let mut s = start("interview", Lang::Fr, Some(30));
    let screen = answer_until(&mut s, "danger_now");
    assert!(question(&screen).required);
    assert!(!screen.can_skip);

    let refused = s.skip();
    assert_eq!(qid(&refused), "danger_now");
    assert_eq!(refused.errors, [t(Lang::Fr, "session.error.required")]);
    assert_eq!(
        s.try_skip(),
        Err(SessionError::Required("danger_now".into()))
    );
    assert!(s.draft().skipped.is_empty());

    let moved = s.answer(Answer::DontKnow);
    assert!(moved.errors.is_empty());
    assert_ne!(qid(&moved), "danger_now");
    assert_eq!(s.answer_of("danger_now"), Some(&Answer::DontKnow));
    let back = s.back();
    assert_eq!(selected(question(&back)), ["dont_know"]);

    // "Prefers not to say" is accepted too, and it replaces the previous answer.
    let moved = s.answer(Answer::PreferNotToSay);
    assert!(moved.errors.is_empty());
    assert_eq!(s.answer_of("danger_now"), Some(&Answer::PreferNotToSay));
    assert!(s.finish().is_ok());
}

#[test]
fn skipping_an_optional_question_marks_it_skipped_and_moves_on() {
    let mut s = start("needs", Lang::En, None);
    assert!(s.screen().can_skip);
    let screen = s.skip();
    assert!(screen.errors.is_empty());
    assert_eq!(qid(&screen), "safety_now");
    assert_eq!(screen.progress.answered, 0);
    assert!(
        screen.progress.percent > 0,
        "a skipped question counts as done"
    );
    assert_eq!(s.draft().skipped, ["interpreter_needed"]);
    assert_eq!(s.answer_of("interpreter_needed"), None);

    let back = s.back();
    let q = question(&back);
    assert!(q.skipped && !q.answered);
    assert!(selected(q).is_empty());
    assert!(back.can_next);
    assert_eq!(qid(&s.next()), "safety_now");

    // Answering it later takes it off the skipped list.
    s.back();
    s.answer(Answer::Yes);
    assert!(s.draft().skipped.is_empty());
    assert_eq!(s.answer_of("interpreter_needed"), Some(&Answer::Yes));
}

#[test]
fn skipping_an_answered_question_drops_its_answer() {
    let mut s = start("risk", Lang::En, None);
    s.answer(Answer::Yes);
    s.back();
    let screen = s.skip();
    assert_eq!(qid(&screen), "threatened");
    assert_eq!(s.answer_of("exploiters_know_where"), None);
    assert!(!s.draft().answers.contains_key("exploiters_know_where"));
    assert_eq!(s.draft().skipped, ["exploiters_know_where"]);
}

// --- age and branches ----------------------------------------------------------------------------

fn branches_seen(w: &Walk) -> Vec<Option<Branch>> {
    let f = form("interview");
    w.sections.iter().map(|s| branch_of_section(f, s)).collect()
}

#[test]
fn an_adult_never_sees_a_child_section() {
    for choose in [dont_know as fn(&QuestionView) -> Answer, first_real] {
        let mut s = start("interview", Lang::En, Some(30));
        let w = walk(&mut s, choose);
        let branches = branches_seen(&w);
        assert!(
            !branches.contains(&Some(Branch::Child)),
            "child section shown to an adult: {:?}",
            w.sections
        );
        assert!(branches.contains(&Some(Branch::Adult)), "{:?}", w.sections);
        assert!(!w.asked.iter().any(|q| q == "with_parent"));
        assert_eq!(s.subject(), Subject::Adult);
    }
}

#[test]
fn a_child_never_sees_an_adult_section() {
    for choose in [dont_know as fn(&QuestionView) -> Answer, first_real] {
        let mut s = start("interview", Lang::Fr, Some(15));
        let w = walk(&mut s, choose);
        let branches = branches_seen(&w);
        assert!(
            !branches.contains(&Some(Branch::Adult)),
            "adult section shown to a child: {:?}",
            w.sections
        );
        assert!(branches.contains(&Some(Branch::Child)), "{:?}", w.sections);
        assert!(w.asked.iter().any(|q| q == "with_parent"));
        assert_eq!(s.subject(), Subject::Child);
    }
}

#[test]
fn a_context_age_answers_the_age_question_which_is_never_asked() {
    for (age, subject) in [
        (15, Subject::Child),
        (30, Subject::Adult),
        (18, Subject::Adult),
    ] {
        let mut s = start("interview", Lang::En, Some(age));
        assert_eq!(s.subject(), subject, "age {age}");
        let w = walk(&mut s, dont_know);
        assert!(!w.asked.iter().any(|q| q == "age" || q == "presumed_minor"));
        assert_eq!(s.answer_of("age"), Some(&Answer::Number(f64::from(age))));
        assert_eq!(
            s.go_to("age").unwrap_err(),
            SessionError::NotShown("age".into())
        );
        let d = s.draft();
        assert_eq!(d.context.age, Some(age));
        assert!(
            !d.answers.contains_key("age"),
            "the context age is not an answer"
        );
        assert_eq!(s.subject(), subject);
    }
}

#[test]
fn conditions_see_the_context_age() {
    // work_hours_young_c is asked under 15, work_hours_older_c from 15.
    for (age, asked, not_asked) in [
        (12, "work_hours_young_c", "work_hours_older_c"),
        (15, "work_hours_older_c", "work_hours_young_c"),
    ] {
        let (s, w) = run(
            "interview",
            Lang::En,
            Some(age),
            &[(asked, Answer::Number(9.0))],
        );
        assert!(!w.asked.iter().any(|q| q == not_asked), "age {age}");
        assert!(!s.is_shown(not_asked));
    }
}

#[test]
fn answering_age_12_leads_to_the_child_branch() {
    let mut s = start("interview", Lang::Es, None);
    answer_until(&mut s, "age");
    let screen = s.answer_text("12");
    assert!(screen.errors.is_empty());
    assert_ne!(
        qid(&screen),
        "presumed_minor",
        "a known age needs no presumption"
    );
    assert_eq!(s.subject(), Subject::Child);
    let w = walk(&mut s, dont_know);
    let branches = branches_seen(&w);
    assert!(branches.contains(&Some(Branch::Child)));
    assert!(!branches.contains(&Some(Branch::Adult)));
    assert!(!w.asked.iter().any(|q| q == "presumed_minor"));
}

#[test]
fn age_17_is_a_child_and_18_an_adult() {
    let mut s = start("interview", Lang::En, None);
    answer_until(&mut s, "age");
    s.answer(Answer::Number(17.0));
    assert_eq!(s.subject(), Subject::Child);
    assert!(s.is_shown("with_parent"));
    s.go_to("age").unwrap();
    s.answer(Answer::Number(18.0));
    assert_eq!(s.subject(), Subject::Adult);
    assert!(!s.is_shown("with_parent"));
    assert!(s.is_shown("life_before_a"));
}

#[test]
fn unknown_age_and_presumed_minor_dont_know_is_a_child() {
    let mut s = start("interview", Lang::En, None);
    answer_until(&mut s, "age");
    let screen = s.answer(Answer::DontKnow);
    assert_eq!(qid(&screen), "presumed_minor");
    assert!(question(&screen).required);
    s.answer(Answer::DontKnow);
    assert_eq!(s.subject(), Subject::Child, "presumption of minority");
    let w = walk(&mut s, dont_know);
    let branches = branches_seen(&w);
    assert!(branches.contains(&Some(Branch::Child)));
    assert!(!branches.contains(&Some(Branch::Adult)));
    let r = interview(s.finish().unwrap());
    assert_eq!(r.subject, Subject::Child);
}

#[test]
fn unknown_age_and_presumed_minor_no_is_an_adult() {
    let mut s = start("interview", Lang::En, None);
    answer_until(&mut s, "age");
    s.answer(Answer::PreferNotToSay);
    s.answer(Answer::No);
    assert_eq!(s.subject(), Subject::Adult);
    let w = walk(&mut s, dont_know);
    let branches = branches_seen(&w);
    assert!(branches.contains(&Some(Branch::Adult)));
    assert!(!branches.contains(&Some(Branch::Child)));
    assert_eq!(interview(s.finish().unwrap()).subject, Subject::Adult);
}

#[test]
fn changing_the_age_switches_branch_and_keeps_the_other_branch_answers_aside() {
    let mut s = start("interview", Lang::En, None);
    answer_until(&mut s, "age");
    s.answer(Answer::Number(30.0));
    answer_until(&mut s, "life_before_a");
    s.answer(choices(&["no_income"]));
    // A hardship is abuse of vulnerability only once someone recruited the person.
    assert!(!s.evidence().iter().any(|(q, _)| *q == "life_before_a"));
    answer_until(&mut s, "recruiter_a");
    s.answer(choice("intermediary"));
    assert!(
        s.evidence()
            .iter()
            .any(|(q, e)| *q == "life_before_a" && e.indicators == ["VR.economic"])
    );

    s.go_to("age").unwrap();
    s.answer(Answer::Number(12.0));
    assert_eq!(s.subject(), Subject::Child);
    assert!(!s.is_shown("life_before_a"));
    assert_eq!(s.answer_of("life_before_a"), None);
    assert!(!s.evidence().iter().any(|(q, _)| *q == "life_before_a"));
    assert_eq!(s.draft().answers["life_before_a"], json!(["no_income"]));
    assert!(s.is_shown("left_home_c"));

    s.go_to("age").unwrap();
    s.answer(Answer::Number(30.0));
    assert_eq!(
        s.answer_of("life_before_a"),
        Some(&choices(&["no_income"])),
        "going back to the adult branch restores the answer"
    );
}

// --- conditions ----------------------------------------------------------------------------------

#[test]
fn a_conditional_question_appears_only_for_its_triggering_answer() {
    // border_a is asked only when journey_scope_a is other_country.
    let mut s = start("interview", Lang::En, Some(30));
    s.go_to("journey_scope_a").unwrap();
    let screen = s.answer(choice("same_place"));
    assert_eq!(qid(&screen), "recruit_debt_a");
    assert!(!s.is_shown("border_a") && !s.is_shown("travel_alone_a"));

    s.back();
    assert_eq!(qid(&s.screen()), "journey_scope_a");
    assert_eq!(
        s.answer(choice("other_place")).question.unwrap().id,
        "journey_by_a"
    );
    assert_eq!(qid(&s.answer(choice("recruiter"))), "travel_alone_a");
    assert_eq!(qid(&s.answer(Answer::No)), "recruit_debt_a");
    assert!(!s.is_shown("border_a"));

    s.go_to("journey_scope_a").unwrap();
    s.answer(choice("other_country"));
    s.next();
    let screen = s.answer(Answer::No);
    assert_eq!(qid(&screen), "border_a");
    assert!(s.is_shown("border_a"));
    let total_with_border = screen.progress.total;

    s.go_to("journey_scope_a").unwrap();
    let screen = s.answer(choice("same_place"));
    assert!(screen.progress.total < total_with_border);
    assert!(!s.is_shown("border_a") && !s.is_shown("travel_alone_a"));
}

#[test]
fn a_hidden_answer_is_kept_in_the_draft_but_counts_nowhere() {
    let mut s = start("interview", Lang::En, Some(30));
    s.go_to("danger_now").unwrap();
    s.answer(Answer::No);
    s.go_to("journey_scope_a").unwrap();
    s.answer(choice("other_country"));
    // The journey was organised by those who offered the work: an act of transport.
    s.answer(choice("recruiter"));
    s.answer(Answer::DontKnow);
    let screen = s.answer(choice("no_papers"));
    assert_eq!(qid(&screen), "recruit_debt_a");
    let answered_with_border = screen.progress.answered;
    assert!(
        s.evidence()
            .iter()
            .any(|(q, e)| *q == "border_a" && e.indicators == ["VR.authorities_status"])
    );
    let found = interview(s.finish().unwrap());
    assert!(found.dimensions[&Dimension::VR].indicators.iter().any(|i| {
        i.id == "VR.authorities_status" && i.evidence.iter().any(|e| e == "border_a")
    }));

    s.go_to("journey_scope_a").unwrap();
    let screen = s.answer(choice("same_place"));
    // journey_by_a, travel_alone_a and border_a are hidden with their answers.
    assert_eq!(screen.progress.answered, answered_with_border - 3);
    assert!(!s.is_shown("border_a"));
    assert_eq!(s.answer_of("border_a"), None);
    assert_eq!(s.draft().answers["border_a"], json!("no_papers"));
    assert!(!s.evidence().iter().any(|(q, _)| *q == "border_a"));
    let found = interview(s.finish().unwrap());
    for dim in found.dimensions.values() {
        for i in &dim.indicators {
            assert!(!i.evidence.iter().any(|e| e == "border_a"), "{}", i.id);
        }
    }
    assert!(
        !found.dimensions[&Dimension::VR]
            .indicators
            .iter()
            .any(|i| i.id == "VR.authorities_status")
    );

    // Showing it again brings the kept answer back.
    s.go_to("journey_scope_a").unwrap();
    s.answer(choice("other_country"));
    assert_eq!(s.answer_of("border_a"), Some(&choice("no_papers")));
}

#[test]
fn quick_check_controller_question_depends_on_earlier_answers() {
    let no_signs = [
        ("child_travelling", choice("adult")),
        ("someone_speaks_for", Answer::No),
        ("papers_held", Answer::No),
        ("told_what_to_say", Answer::No),
        ("job_situation", choice("as_agreed")),
        ("debt_to_work_off", Answer::No),
        ("afraid_or_not_free", Answer::No),
    ];
    let (_, w) = run("quick-check", Lang::En, None, &no_signs);
    assert!(!w.asked.iter().any(|q| q == "controller_here"));

    let mut one_sign = no_signs.to_vec();
    one_sign[4] = ("job_situation", choice("employer_unknown"));
    let (_, w) = run("quick-check", Lang::En, None, &one_sign);
    assert_eq!(w.asked.last().map(String::as_str), Some("controller_here"));
}

// --- drafts --------------------------------------------------------------------------------------

/// An interview half done: typed, chosen, skipped and hidden answers, resting on an earlier question.
fn half_done_interview() -> Session {
    let mut s = start("interview", Lang::Fr, None);
    s.answer(choice("partly"));
    s.answer_text("34");
    s.answer(choice("still_in_it"));
    s.answer_text("2024-05");
    s.answer(Answer::No);
    s.skip();
    s.answer(Answer::Yes);
    s.go_to("life_before_a").unwrap();
    s.answer(choices(&["past_harm", "no_income"]));
    s.go_to("anything_else").unwrap();
    s.answer_text("Il dort au dépôt, « côté quai »");
    s.go_to("controller_nearby").unwrap();
    s
}

#[test]
fn a_future_or_malformed_date_is_refused_on_screen() {
    let mut s = start("interview", Lang::En, Some(30));
    s.answer(choice("comfortable"));
    s.answer(choice("left"));
    assert_eq!(qid(&s.screen()), "situation_since");
    for bad in ["2999", "last year", "2024-13"] {
        let screen = s.answer_text(bad);
        assert_eq!(qid(&screen), "situation_since", "{bad} accepted");
        assert!(!screen.errors.is_empty(), "{bad}: no message");
    }
    let screen = s.answer_text("2023");
    assert_ne!(qid(&screen), "situation_since");
    assert_eq!(s.draft().answers["situation_since"], json!("2023"));
}

#[test]
fn a_draft_round_trips_through_json() {
    let s = half_done_interview();
    let saved = s.draft();
    assert_eq!(saved.position.as_deref(), Some("controller_nearby"));
    assert_eq!(saved.skipped, ["controller_nearby"]);
    assert_eq!(saved.answers["age"], json!(34));
    assert_eq!(saved.answers["situation_since"], json!("2024-05"));
    assert_eq!(
        saved.answers["life_before_a"],
        json!(["no_income", "past_harm"])
    );

    let text = saved.to_json_pretty();
    let parsed = Draft::from_json(&text).unwrap();
    assert_eq!(parsed, saved);
    let resumed = Session::resume(&parsed).unwrap();
    assert_eq!(resumed.draft(), saved);
    assert_eq!(resumed.screen(), s.screen());
    assert_eq!(resumed.language(), Lang::Fr);
    assert_eq!(resumed.evidence(), s.evidence());

    let compact = serde_json::to_string(&saved).unwrap();
    assert_eq!(Draft::from_json(&compact).unwrap(), saved);
}

#[test]
fn a_draft_keeps_the_context() {
    let mut s = start("interview", Lang::En, Some(15));
    answer_until(&mut s, "left_home_c");
    s.answer(Answer::No);
    let d = s.draft();
    assert_eq!(d.context.age, Some(15));
    let json = d.to_json_pretty();
    assert!(json.contains("\"age\": 15"), "{json}");
    let resumed = Session::resume(&Draft::from_json(&json).unwrap()).unwrap();
    assert_eq!(resumed.subject(), Subject::Child);
    assert_eq!(resumed.draft(), d);
    assert_eq!(resumed.screen(), s.screen());
}

#[test]
fn resume_continues_at_the_saved_position() {
    let mut d = draft(
        "needs",
        json!({"interpreter_needed": "no", "safety_now": "safe", "sleep_tonight": "safe_place"}),
    );
    d.position = Some("safety_now".into());
    let s = Session::resume(&d).unwrap();
    let screen = s.screen();
    assert_eq!(qid(&screen), "safety_now");
    assert_eq!(selected(question(&screen)), ["safe"]);
    assert_eq!(screen.progress.answered, 3);

    // Without a position: the first question neither answered nor skipped.
    d.position = None;
    d.skipped = vec!["place_to_live".into()];
    assert_eq!(
        qid(&Session::resume(&d).unwrap().screen()),
        "health_problems"
    );

    // A position on a question not shown now falls back the same way.
    d.position = Some("child_parents_known".into());
    assert_eq!(
        qid(&Session::resume(&d).unwrap().screen()),
        "health_problems"
    );

    // Everything answered and no position: the review screen.
    let mut s = start("needs", Lang::En, None);
    walk(&mut s, first_real);
    let mut all = s.draft();
    all.position = None;
    assert_eq!(
        Session::resume(&all).unwrap().screen().kind,
        ScreenKind::Review
    );
}

#[test]
fn resume_refuses_an_unknown_question() {
    let d = draft(
        "needs",
        json!({"interpreter_needed": "no", "shoe_size": 42}),
    );
    assert_eq!(
        Session::resume(&d).unwrap_err(),
        SessionError::Draft(DraftError::UnknownQuestion(
            "shoe_size".into(),
            "needs".into()
        ))
    );
    let mut d = draft("needs", json!({}));
    d.skipped = vec!["shoe_size".into()];
    assert!(matches!(
        Session::resume(&d),
        Err(SessionError::Draft(DraftError::UnknownQuestion(..)))
    ));
}

#[test]
fn resume_refuses_an_invalid_answer_without_repeating_it() {
    let cases = [
        ("needs", "interpreter_needed", json!(SECRET)),
        ("needs", "health_problems", json!(SECRET)),
        ("needs", "health_problems", json!([42])),
        ("interview", "age", json!(SECRET)),
        ("interview", "age", json!(130)),
        ("interview", "anything_else", json!(SECRET.repeat(50))),
        ("interview", "anything_else", json!(["list", SECRET])),
    ];
    for (form_id, question, value) in cases {
        let d = draft(form_id, json!({ question: value }));
        let err = Session::resume(&d).unwrap_err();
        match &err {
            SessionError::Draft(DraftError::InvalidAnswer { question: q, .. }) => {
                assert_eq!(q, question)
            }
            other => panic!("{question}: {other:?}"),
        }
        let message = err.to_string();
        assert!(message.contains(question), "{message}");
        assert!(!message.contains(SECRET), "the answer leaks: {message}");
        assert!(
            !format!("{err:?}").contains(SECRET),
            "the answer leaks: {err:?}"
        );
    }
}

#[test]
fn resume_refuses_an_unknown_option_without_repeating_it() {
    // docs: "Messages name questions, never answers". A single or multi answer that is not an
    // option id (a free text typed into the wrong field, say) is repeated in the error message.
    for (question, value) in [
        ("safety_now", json!(SECRET)),
        ("health_problems", json!(["injury", SECRET])),
    ] {
        let err = Session::resume(&draft("needs", json!({ question: value }))).unwrap_err();
        let message = err.to_string();
        assert!(message.contains(question), "{message}");
        assert!(!message.contains(SECRET), "the answer leaks: {message}");
    }
}

#[test]
fn a_draft_cannot_skip_a_required_question() {
    let mut d = draft(
        "interview",
        json!({"age": 30, "language_comfort": "partly", "situation_now": "left"}),
    );
    d.skipped = vec!["danger_now".into()];
    match Session::resume(&d) {
        Err(SessionError::Draft(_)) => {}
        Err(other) => panic!("{other:?}"),
        Ok(mut s) => {
            assert_eq!(
                qid(&s.screen()),
                "danger_now",
                "resumed past a required question"
            );
            assert!(!s.draft().skipped.contains(&"danger_now".to_string()));
            let screen = s.next();
            assert_eq!(
                qid(&screen),
                "danger_now",
                "next stepped over a required question"
            );
        }
    }
}

#[test]
fn resume_refuses_another_form_version_an_unknown_form_or_language() {
    let mut d = draft("needs", json!({}));
    d.form_version += 1;
    assert!(matches!(
        Session::resume(&d),
        Err(SessionError::Draft(DraftError::FormVersion { draft: old, current, .. }))
            if old == current + 1
    ));

    let mut d = draft("needs", json!({}));
    d.form = "needz".into();
    assert_eq!(
        Session::resume(&d).unwrap_err(),
        SessionError::Draft(DraftError::UnknownForm("needz".into()))
    );

    let mut d = draft("needs", json!({}));
    d.language = "de".into();
    let err = Session::resume(&d).unwrap_err();
    assert!(
        matches!(err, SessionError::Draft(DraftError::Language(_))),
        "{err:?}"
    );
    assert!(err.to_string().contains("de"));

    let mut d = draft("needs", json!({}));
    d.language = "ES".into();
    assert_eq!(Session::resume(&d).unwrap().language(), Lang::Es);
}

#[test]
fn drafts_of_another_format_or_schema_or_malformed_are_refused() {
    let good = draft("risk", json!({"threatened": "yes"})).to_json_pretty();
    assert!(Draft::from_json(&good).is_ok());

    let other_format = good.replace("relais.draft", "relais.notes");
    assert_eq!(Draft::from_json(&other_format), Err(DraftError::NotADraft));
    let other_schema = good.replace("\"schema\": 1", "\"schema\": 2");
    assert_ne!(other_schema, good);
    assert_eq!(Draft::from_json(&other_schema), Err(DraftError::Schema(2)));
    let malformed: [&str; 5] = [
        "",
        "{",
        "[]",
        &good.replace("\"answers\"", "\"answerz\""),
        &good[..good.len() - 2],
    ];
    for malformed in malformed {
        assert!(
            matches!(Draft::from_json(malformed), Err(DraftError::Malformed(_))),
            "{malformed}"
        );
    }

    // A draft built in code is checked on resume too.
    let mut d = draft("risk", json!({}));
    d.format = "something.else".into();
    assert_eq!(
        Session::resume(&d).unwrap_err(),
        SessionError::Draft(DraftError::NotADraft)
    );
    let mut d = draft("risk", json!({}));
    d.schema = 9;
    assert_eq!(
        Session::resume(&d).unwrap_err(),
        SessionError::Draft(DraftError::Schema(9))
    );
}

#[test]
fn run_draft_finishes_a_scripted_session() {
    let d = draft(
        "quick-check",
        json!({"papers_held": "yes", "controller_here": "no"}),
    );
    let result = relais_core::run_draft(&d).unwrap();
    assert_eq!(result.outcome_id(), "refer");

    let d = draft("interview", json!({"age": 25}));
    assert_eq!(
        relais_core::run_draft(&d).unwrap_err(),
        SessionError::Incomplete(vec!["danger_now".into()])
    );
}

// --- finishing -----------------------------------------------------------------------------------

#[test]
fn interview_adult_answers_can_make_possible_trafficking() {
    let (s, _) = run(
        "interview",
        Lang::En,
        Some(30),
        &[
            ("situation_now", choice("still_in_it")),
            ("danger_now", Answer::No),
            ("differences_a", choices(&["job", "hours"])),
            ("hours_per_day_a", Answer::Number(14.0)),
            ("pay_received_a", choice("nothing")),
            ("documents_now_a", choice("held")),
            ("go_out_a", Answer::No),
        ],
    );
    let r = interview(s.finish().unwrap());
    assert_eq!(r.outcome, Outcome::PossibleTrafficking);
    assert_eq!(r.subject, Subject::Adult);
    assert!(r.combination.met);
    for d in [Dimension::DR, Dimension::EX, Dimension::CD] {
        assert!(r.dimensions[&d].positive, "{d}");
    }
    let hours = r.dimensions[&Dimension::EX]
        .indicators
        .iter()
        .find(|i| i.id == "EX.excessive_hours")
        .expect("hours evidenced");
    assert_eq!(hours.evidence, ["hours_per_day_a"]);
    assert!(!r.urgent);
    assert_eq!(r.language, Lang::En);
}

#[test]
fn interview_child_answers_can_make_possible_trafficking() {
    let mut s = start("interview", Lang::Fr, None);
    answer_until(&mut s, "age");
    s.answer_text("14");
    let w = walk(
        &mut s,
        scripted(&[
            ("situation_now", choice("still_in_it")),
            ("danger_now", Answer::No),
            ("left_how_c", choices(&["taken"])),
            ("recruit_events_c", choices(&["hit"])),
            ("work_times_c", choices(&["night"])),
            ("work_hours_young_c", Answer::Number(11.0)),
        ]),
    );
    assert!(w.asked.iter().any(|q| q == "work_times_c"));
    let r = interview(s.finish().unwrap());
    assert_eq!(r.outcome, Outcome::PossibleTrafficking);
    assert_eq!(r.subject, Subject::Child);
    assert!(r.dimensions[&Dimension::CR].positive);
    assert!(r.dimensions[&Dimension::EX].positive);
    // The same answers for an adult would need a CD or VD dimension too.
    assert!(!r.dimensions[&Dimension::CD].positive && !r.dimensions[&Dimension::VD].positive);
}

#[test]
fn interview_with_only_dont_know_has_no_indicators() {
    let (s, _) = run("interview", Lang::Es, Some(40), &[]);
    let r = interview(s.finish().unwrap());
    assert_eq!(r.outcome, Outcome::NoIndicators);
    assert!(s.evidence().is_empty());
    assert!(!r.urgent);
}

#[test]
fn a_red_flag_makes_the_interview_urgent() {
    let (s, _) = run(
        "interview",
        Lang::En,
        Some(30),
        &[("danger_now", Answer::Yes)],
    );
    let r = interview(s.finish().unwrap());
    assert!(r.urgent);
    assert!(r.red_flags.iter().any(|f| f.id == RedFlag::ImmediateDanger));
}

#[test]
fn finish_is_refused_while_a_required_question_is_unanswered() {
    let s = start("interview", Lang::En, None);
    match s.finish().unwrap_err() {
        SessionError::Incomplete(missing) => {
            assert_eq!(missing, ["presumed_minor", "danger_now"]);
        }
        other => panic!("{other:?}"),
    }
    let mut s = start("interview", Lang::En, Some(30));
    assert_eq!(
        s.finish().unwrap_err(),
        SessionError::Incomplete(vec!["danger_now".into()])
    );
    s.go_to("danger_now").unwrap();
    s.answer(Answer::DontKnow);
    assert!(
        s.finish().is_ok(),
        "\"don't know\" completes a required question"
    );

    // A required question in a hidden section is not required.
    let mut s = start("consent", Lang::En, Some(15));
    assert_eq!(
        s.finish().unwrap_err(),
        SessionError::Incomplete(vec!["child_assent".into()])
    );
    s.go_to("child_assent").unwrap();
    s.answer(Answer::No);
    assert!(s.finish().is_ok());
}

fn quick_check(script: &[(&str, Answer)]) -> relais_core::assessment::QuickCheckResult {
    let (s, _) = run("quick-check", Lang::En, None, script);
    match s.finish().unwrap() {
        FormResult::QuickCheck(r) => r,
        other => panic!("expected a quick check, got {}", other.outcome_id()),
    }
}

#[test]
fn quick_check_gate_outcomes() {
    let calm = [
        ("child_travelling", choice("adult")),
        ("someone_speaks_for", Answer::No),
        ("signs_of_injury", Answer::No),
        ("papers_held", Answer::No),
        ("told_what_to_say", Answer::No),
        ("job_situation", choice("as_agreed")),
        ("debt_to_work_off", Answer::No),
        ("afraid_or_not_free", Answer::No),
        ("in_danger_now", Answer::No),
    ];
    let r = quick_check(&calm);
    assert_eq!(r.outcome, Gate::NoFlags);
    assert!(!r.urgent && r.indicators.is_empty() && r.red_flags.is_empty());

    let mut papers = calm.to_vec();
    papers[3] = ("papers_held", Answer::Yes);
    papers.push(("controller_here", Answer::No));
    let r = quick_check(&papers);
    assert_eq!(r.outcome, Gate::Refer);
    assert!(!r.urgent);
    assert_eq!(r.indicators.len(), 1);
    assert_eq!(r.indicators[0].id, "CD.documents");
    assert_eq!(r.indicators[0].evidence, ["papers_held"]);

    let mut danger = calm.to_vec();
    danger[8] = ("in_danger_now", Answer::Yes);
    let r = quick_check(&danger);
    assert_eq!(r.outcome, Gate::Urgent);
    assert!(r.urgent);
    assert_eq!(r.red_flags.len(), 1);
    assert_eq!(r.red_flags[0].id, RedFlag::ImmediateDanger);

    let mut child = calm.to_vec();
    child[0] = ("child_travelling", choice("child_without_parent"));
    let r = quick_check(&child);
    assert_eq!(r.outcome, Gate::Urgent);
    assert_eq!(r.red_flags[0].id, RedFlag::UnaccompaniedChild);
}

#[test]
fn needs_result_lists_needs_by_priority() {
    let (s, _) = run(
        "needs",
        Lang::En,
        None,
        &[
            ("interpreter_needed", Answer::Yes),
            ("safety_now", choice("in_danger")),
            ("place_to_live", Answer::No),
            ("health_problems", choices(&["illness", "sexual_health"])),
        ],
    );
    let result = s.finish().unwrap();
    assert_eq!(result.outcome_id(), "emergency");
    let FormResult::Needs(r) = result else {
        panic!("expected a needs result");
    };
    let found: Vec<(Need, Priority)> = r.as_pairs();
    assert_eq!(
        found,
        [
            (Need::Safety, Priority::Emergency),
            (Need::Medical, Priority::Urgent),
            (Need::Interpretation, Priority::Urgent),
            (Need::Shelter, Priority::Normal),
        ]
    );
    assert!(r.urgent);
    assert!(r.red_flags.iter().any(|f| f.id == RedFlag::ImmediateDanger));
    let safety = &r.needs[0];
    assert!(safety.evidence.iter().any(|e| e == "safety_now"));
    assert!(safety.evidence.iter().any(|e| e == "flag:immediate_danger"));
    let medical = r.needs.iter().find(|n| n.id == Need::Medical).unwrap();
    assert_eq!(medical.evidence, ["health_problems"]);

    let (s, _) = run("needs", Lang::En, None, &[]);
    assert_eq!(s.finish().unwrap().outcome_id(), "no_needs");
}

#[test]
fn needs_asks_about_parents_only_for_a_child() {
    let (_, w) = run(
        "needs",
        Lang::En,
        Some(16),
        &[("child_parents_known", Answer::No)],
    );
    assert!(w.asked.iter().any(|q| q == "child_parents_known"));
    let (s, w) = run("needs", Lang::En, None, &[]);
    assert!(!w.asked.iter().any(|q| q == "child_parents_known"));
    assert!(!s.is_shown("child_parents_known"));
}

fn risk(age: Option<u32>, script: &[(&str, Answer)]) -> relais_core::assessment::RiskResult {
    let (s, _) = run("risk", Lang::En, age, script);
    match s.finish().unwrap() {
        FormResult::Risk(r) => r,
        other => panic!("expected a risk result, got {}", other.outcome_id()),
    }
}

#[test]
fn risk_result_levels_per_target() {
    let r = risk(
        None,
        &[
            ("threatened", Answer::Yes),
            ("family_location_known", Answer::No),
            ("meeting_place_unsafe", Answer::Yes),
        ],
    );
    let levels: Vec<(RiskTarget, Option<RiskLevel>)> =
        r.risks.iter().map(|x| (x.target, x.level)).collect();
    assert_eq!(
        levels,
        [
            (RiskTarget::Person, Some(RiskLevel::High)),
            (RiskTarget::Family, Some(RiskLevel::Low)),
            (RiskTarget::Worker, Some(RiskLevel::Medium)),
        ]
    );
    assert_eq!(r.overall, Some(RiskLevel::High));
    assert!(r.urgent);

    let r = risk(None, &[("exploiters_know_where", Answer::No)]);
    assert_eq!(r.overall, Some(RiskLevel::Low));
    assert!(!r.urgent);
    assert_eq!(r.risks[0].evidence, ["exploiters_know_where"]);

    let r = risk(None, &[]);
    assert_eq!(r.overall, None);
    assert!(r.risks.iter().all(|x| x.level.is_none()));
    assert_eq!(FormResult::Risk(r).outcome_id(), "none_reported");
}

#[test]
fn risk_self_harm_plan_is_asked_only_after_thoughts_and_is_a_red_flag() {
    let (_, w) = run(
        "risk",
        Lang::En,
        None,
        &[("self_harm_thoughts", Answer::No)],
    );
    assert!(!w.asked.iter().any(|q| q == "self_harm_plan"));
    let r = risk(
        None,
        &[
            ("self_harm_thoughts", Answer::Yes),
            ("self_harm_plan", Answer::Yes),
        ],
    );
    assert!(r.red_flags.iter().any(|f| f.id == RedFlag::ImmediateDanger));
    assert_eq!(r.risks[0].level, Some(RiskLevel::High));
}

fn consent(age: Option<u32>, script: &[(&str, Answer)]) -> relais_core::assessment::ConsentResult {
    let (s, _) = run("consent", Lang::En, age, script);
    match s.finish().unwrap() {
        FormResult::Consent(r) => r,
        other => panic!("expected a consent result, got {}", other.outcome_id()),
    }
}

const EXPLAINED: [(&str, Answer); 5] = [
    ("explain_purpose", Answer::Yes),
    ("explain_data_use", Answer::Yes),
    ("explain_access", Answer::Yes),
    ("explain_storage", Answer::Yes),
    ("explain_withdrawal", Answer::Yes),
];

#[test]
fn consent_of_an_adult_is_valid_only_when_informed_and_agreed() {
    let mut all = EXPLAINED.to_vec();
    all.extend([
        ("agree_interview", Answer::Yes),
        ("agree_referral", Answer::Yes),
        ("agree_handover", Answer::No),
        ("agree_research", Answer::DontKnow),
    ]);
    let r = consent(None, &all);
    assert!(r.valid_for_interview);
    assert_eq!(
        r.agreed,
        [ConsentPurpose::Interview, ConsentPurpose::Referral]
    );
    assert_eq!(
        r.declined,
        [ConsentPurpose::Research, ConsentPurpose::Handover],
        "\"don't know\" is not consent"
    );
    assert!(r.not_informed.is_empty());
    assert!(r.allows(ConsentPurpose::Referral));

    let mut refused = all.clone();
    refused[5] = ("agree_interview", Answer::No);
    let r = consent(None, &refused);
    assert!(!r.valid_for_interview);
    assert!(r.declined.contains(&ConsentPurpose::Interview));
    assert!(!r.allows(ConsentPurpose::Referral));

    let mut not_explained = all.clone();
    not_explained[1] = ("explain_data_use", Answer::No);
    let r = consent(None, &not_explained);
    assert!(!r.valid_for_interview);
    assert_eq!(r.not_informed, [ConsentPurpose::DataUse]);
}

#[test]
fn consent_of_a_child_needs_the_childs_assent() {
    let mut child = EXPLAINED.to_vec();
    child.extend([
        ("guardian_consent", Answer::Yes),
        ("child_assent", Answer::Yes),
    ]);
    let (s, w) = run("consent", Lang::En, Some(15), &child);
    assert!(!w.asked.iter().any(|q| q == "agree_interview"));
    assert!(!w.asked.iter().any(|q| q == "authority_consent"));
    let FormResult::Consent(r) = s.finish().unwrap() else {
        panic!("expected a consent result");
    };
    assert!(r.valid_for_interview);

    let mut unsure = child.clone();
    unsure[6] = ("child_assent", Answer::DontKnow);
    assert!(!consent(Some(15), &unsure).valid_for_interview);

    // Without a guardian, the authority is asked.
    let mut no_guardian = EXPLAINED.to_vec();
    no_guardian.push(("guardian_consent", Answer::No));
    no_guardian.push(("authority_consent", Answer::Yes));
    consent(Some(15), &no_guardian);
}

#[test]
fn consent_of_a_child_needs_a_guardian_or_the_authority() {
    // The form's own guidance (authority_consent help): without the agreement of a parent, a
    // guardian or the authority, keep to what protects the child now. guardian_consent and
    // authority_consent carry no consent effect, so the result ignores them.
    let mut c = EXPLAINED.to_vec();
    c.extend([
        ("guardian_consent", Answer::No),
        ("authority_consent", Answer::No),
        ("child_assent", Answer::Yes),
    ]);
    let r = consent(Some(15), &c);
    assert!(
        !r.valid_for_interview,
        "valid without any adult permission:\n{}",
        r.explanation
    );
}

// --- language ------------------------------------------------------------------------------------

#[test]
fn set_language_switches_the_screen_mid_session() {
    let mut s = start("needs", Lang::Fr, None);
    let fr = s.answer(Answer::Yes);
    assert_eq!(
        question(&fr).prompt,
        prompt_in("needs", "safety_now", Lang::Fr)
    );
    assert_eq!(fr.labels.back, t(Lang::Fr, "ui.back"));

    let en = s.set_language(Lang::En).unwrap();
    assert_eq!(s.language(), Lang::En);
    assert_eq!(en.language, Lang::En);
    assert_eq!(qid(&en), "safety_now", "switching language does not move");
    assert_eq!(
        question(&en).prompt,
        prompt_in("needs", "safety_now", Lang::En)
    );
    assert_ne!(question(&en).prompt, question(&fr).prompt);
    assert_ne!(en.labels, fr.labels);
    assert_eq!(en.progress, fr.progress);
    assert_eq!(s.answer_of("interpreter_needed"), Some(&Answer::Yes));
    assert_eq!(s.draft().language, "en");

    // Errors come in the new language, and the next screen too.
    let err = s.answer(Answer::Number(1.0));
    assert_eq!(
        err.errors,
        [AnswerError::WrongType(AnswerType::Single).message(Lang::En)]
    );
    let es = s.set_language(Lang::Es).unwrap();
    assert!(
        es.errors.is_empty(),
        "a language switch clears old messages"
    );
    let next = s.answer(choice("safe"));
    assert_eq!(
        question(&next).prompt,
        prompt_in("needs", "sleep_tonight", Lang::Es)
    );
}

#[test]
fn set_language_switches_the_result_explanation() {
    let script = [("papers_held", Answer::Yes), ("in_danger_now", Answer::Yes)];
    let (mut fr, _) = run("quick-check", Lang::Fr, None, &script);
    let (en, _) = run("quick-check", Lang::En, None, &script);
    let in_fr = fr.finish().unwrap();
    let in_en = en.finish().unwrap();
    assert_ne!(in_fr.explanation(), in_en.explanation());

    fr.set_language(Lang::En).unwrap();
    let switched = fr.finish().unwrap();
    assert_eq!(switched.explanation(), in_en.explanation());
    assert_eq!(switched, in_en);
    assert_eq!(switched.outcome_id(), "urgent");
}

// --- review --------------------------------------------------------------------------------------

#[test]
fn the_review_screen_follows_the_last_question() {
    let mut s = start("needs", Lang::En, None);
    s.skip();
    s.answer(Answer::PreferNotToSay);
    let w = walk(&mut s, first_real);
    let end = w.end;
    assert_eq!(end.kind, ScreenKind::Review);
    assert!(end.question.is_none() && end.section.is_none());
    assert_eq!(end.progress.position, 0);
    assert_eq!(end.progress.percent, 100);
    assert!(end.can_finish && end.can_back && !end.can_next && !end.can_skip);
    let review = end.review.expect("a review view");
    assert_eq!(review.title, t(Lang::En, "review.title"));
    assert_eq!(review.message, t(Lang::En, "review.ready"));
    assert_eq!(review.prefer_not_to_say, 1);
    assert_eq!(review.dont_know, 0);
    assert_eq!(review.unanswered, 1, "the skipped question");
    assert_eq!(review.answered as usize, w.asked.len());
    assert!(review.unanswered_required.is_empty());
    // On the review screen, next does nothing.
    assert_eq!(s.next().kind, ScreenKind::Review);
}

#[test]
fn the_review_screen_lists_unanswered_required_questions() {
    let mut s = start("interview", Lang::Fr, Some(30));
    s.answer(Answer::DontKnow);
    let screen = s.review();
    assert_eq!(screen.kind, ScreenKind::Review);
    assert!(!screen.can_finish);
    let review = screen.review.expect("a review view");
    assert_eq!(review.message, t(Lang::Fr, "review.missing"));
    assert_eq!(review.unanswered_required.len(), 1);
    assert_eq!(review.unanswered_required[0].id, "danger_now");
    assert_eq!(
        review.unanswered_required[0].prompt,
        prompt_in("interview", "danger_now", Lang::Fr)
    );
    assert_eq!(review.dont_know, 1);

    let jump = s.go_to(&review.unanswered_required[0].id).unwrap();
    assert_eq!(qid(&jump), "danger_now");
    s.answer(Answer::No);
    let screen = s.review();
    assert!(screen.can_finish);
    assert_eq!(screen.review.unwrap().message, t(Lang::Fr, "review.ready"));
}

#[test]
fn back_from_the_review_returns_to_the_last_question() {
    for id in FORMS {
        let mut s = start(id, Lang::En, None);
        let w = walk(&mut s, dont_know);
        let back = s.back();
        assert_eq!(back.kind, ScreenKind::Question);
        assert_eq!(Some(qid(&back)), w.asked.last().map(String::as_str), "{id}");
        assert_eq!(back.progress.position, back.progress.total);
        assert_eq!(selected(question(&back)), ["dont_know"]);
    }
}

#[test]
fn go_to_a_question_not_shown_is_refused() {
    let mut s = start("interview", Lang::En, Some(30));
    for hidden in ["left_home_c", "border_a", "no_such_question", "age"] {
        assert_eq!(
            s.go_to(hidden).unwrap_err(),
            SessionError::NotShown(hidden.into())
        );
    }
    assert_eq!(
        qid(&s.screen()),
        "language_comfort",
        "a refused jump does not move"
    );
}

// --- whole walks ---------------------------------------------------------------------------------

#[test]
fn every_form_walks_to_review_in_every_language() {
    for id in FORMS {
        for lang in Lang::ALL {
            let mut s = start(id, lang, None);
            let w = walk(&mut s, first_real);
            assert!(!w.asked.is_empty());
            let end = &w.end;
            assert_eq!(end.kind, ScreenKind::Review, "{id} {lang}");
            assert!(end.errors.is_empty());
            assert!(
                end.can_finish,
                "{id} {lang}: a required question was left out"
            );
            assert_eq!(end.progress.answered as usize, w.asked.len());
            assert_eq!(end.progress.total as usize, w.asked.len());
            let result = s.finish().unwrap();
            assert!(!result.explanation().is_empty());
            assert_eq!(
                Session::resume(&s.draft()).unwrap().finish().unwrap(),
                result
            );
        }
    }
}
