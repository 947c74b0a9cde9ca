//! Snapshots of every shipped form: any change to a question, an option, a condition, a mapping or a
//! translation shows up in review as a snapshot diff (`cargo insta review`). Also the first screen of
//! each form, which pins the `Screen` record that every front end renders.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::fmt::Write as _;

use relais_core::effects::Effects;
use relais_core::forms::{self, Form, QuestionKind};
use relais_core::{Context, Lang, Session, Text};

fn text(out: &mut String, indent: &str, label: &str, t: &Text) {
    for lang in Lang::ALL {
        let _ = writeln!(out, "{indent}{label}.{lang}: {}", t.get(lang));
    }
}

fn effects(e: &Effects) -> String {
    serde_json::to_string(e).unwrap()
}

fn render(form: &Form) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "form {} v{} kind={:?} languages={:?}",
        form.id, form.version, form.kind, form.languages
    );
    text(&mut out, "", "title", &form.title);
    text(&mut out, "", "description", &form.description);
    for s in &form.sections {
        let _ = writeln!(
            out,
            "\n## section {} ({}) branch={:?}",
            s.id, s.file, s.branch
        );
        if let Some(when) = &s.when {
            let _ = writeln!(out, "when: {}", serde_json::to_string(when).unwrap());
        }
        text(&mut out, "", "title", &s.title);
        if let Some(intro) = &s.intro {
            text(&mut out, "", "intro", intro);
        }
        for q in &s.questions {
            let _ = writeln!(
                out,
                "\n- {} type={:?} required={} identifying={} role={:?}",
                q.id,
                q.kind.answer_type(),
                q.required,
                q.identifying,
                q.role
            );
            if let Some(when) = &q.when {
                let _ = writeln!(out, "  when: {}", serde_json::to_string(when).unwrap());
            }
            text(&mut out, "  ", "prompt", &q.prompt);
            if let Some(help) = &q.help {
                text(&mut out, "  ", "help", help);
            }
            match &q.kind {
                QuestionKind::YesNo { yes, no } => {
                    let _ = writeln!(out, "  yes → {}\n  no → {}", effects(yes), effects(no));
                }
                QuestionKind::Single { options } | QuestionKind::Multi { options } => {
                    for o in options {
                        let exclusive = if o.exclusive { " exclusive" } else { "" };
                        let _ = writeln!(out, "  * {}{exclusive} → {}", o.id, effects(&o.effects));
                        text(&mut out, "    ", "label", &o.label);
                    }
                }
                QuestionKind::Number(spec) => {
                    let _ = writeln!(
                        out,
                        "  min={:?} max={:?} integer={}",
                        spec.min, spec.max, spec.integer
                    );
                    if let Some(unit) = &spec.unit {
                        text(&mut out, "  ", "unit", unit);
                    }
                    for t in &spec.thresholds {
                        let _ = writeln!(
                            out,
                            "  [{:?}, {:?}] → {}",
                            t.min,
                            t.max,
                            effects(&t.effects)
                        );
                    }
                }
                QuestionKind::Date => {}
                QuestionKind::Text { max_length } => {
                    let _ = writeln!(out, "  max_length={max_length}");
                }
            }
            if !q.dont_know.is_empty() {
                let _ = writeln!(out, "  dont_know → {}", effects(&q.dont_know));
            }
        }
    }
    out
}

#[test]
fn every_shipped_form() {
    let registry = forms::registry();
    assert!(registry.problems.is_empty(), "{:?}", registry.problems);
    assert_eq!(registry.forms().len(), 5);
    for form in registry.forms() {
        insta::assert_snapshot!(format!("form-{}", form.id), render(form));
    }
}

#[test]
fn first_screen_of_every_form() {
    for form in forms::registry().forms() {
        let session = Session::start(&form.id, Lang::Fr, Context::default()).unwrap();
        insta::assert_json_snapshot!(format!("screen-{}", form.id), session.screen());
    }
}
