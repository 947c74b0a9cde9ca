//! The form invariants: every shipped form passes the lint, and the lint catches each breach.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use relais_core::forms::{self, Form, FormKind, lint};

#[test]
fn shipped_forms_pass_the_lint() {
    let problems = &forms::registry().problems;
    assert!(
        problems.is_empty(),
        "{} problem(s) in the shipped forms:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_form_of_the_design_ships() {
    for (id, kind) in [
        ("quick-check", FormKind::QuickCheck),
        ("interview", FormKind::Interview),
        ("needs", FormKind::Needs),
        ("risk", FormKind::Risk),
        ("consent", FormKind::Consent),
    ] {
        let form = forms::get(id).unwrap_or_else(|| panic!("form {id} is missing"));
        assert_eq!(form.kind, kind);
    }
}

// --- the lint itself, on a small synthetic form broken on purpose ---

const FORM: &str = r#"{"schema":2,"id":"t","version":1,"kind":"interview","languages":["fr","en","es"],
  "title":{"fr":"T","en":"T","es":"T"},"description":{"fr":"D","en":"D","es":"D"}}"#;

fn t(s: &str) -> String {
    format!(r#"{{"fr":"{s} fr","en":"{s} en","es":"{s} es"}}"#)
}

/// One option evidencing `id`; a recruitment indicator's option also establishes an act, as the
/// lint requires.
fn option(i: usize, id: &str) -> String {
    let act = if ["DR.", "CR.", "VR."].iter().any(|p| id.starts_with(p)) {
        r#","acts":[{"act":"recruitment","by":"unknown"}]"#
    } else {
        ""
    };
    format!(
        r#"{{"id":"o{i}","label":{},"indicators":["{id}"]{act}}}"#,
        t("opt")
    )
}

/// A valid interview whose questions evidence every indicator of the four sets.
fn base_sections() -> Vec<String> {
    use relais_core::catalogue::IndicatorSet;
    let catalogue = relais_core::Catalogue::embedded();
    let adult_options: Vec<String> = catalogue
        .indicators
        .iter()
        .enumerate()
        .map(|(i, ind)| option(i, &ind.id))
        .collect();
    let child_options: Vec<String> = catalogue
        .indicators
        .iter()
        .filter(|i| {
            i.strength_in(IndicatorSet::LabourChild).is_some()
                || i.strength_in(IndicatorSet::SexualChild).is_some()
        })
        .enumerate()
        .map(|(i, ind)| option(i, &ind.id))
        .collect();
    vec![
        format!(
            r#"{{"id":"opening","title":{},"questions":[
              {{"id":"age","type":"number","role":"age","min":0,"max":120,"prompt":{}}},
              {{"id":"minor","type":"yes_no","role":"presumed_minor","prompt":{},"when":{{"not":{{"q":"age","answered":true}}}}}},
              {{"id":"safe","type":"yes_no","prompt":{},"no":{{"flags":["immediate_danger"],"needs":["safety"],"priority":"emergency"}}}}]}}"#,
            t("Opening"),
            t("How old are you"),
            t("Could the person be under 18"),
            t("Are you safe now")
        ),
        format!(
            r#"{{"id":"adult","branch":"adult","title":{},"questions":[
              {{"id":"what_a","type":"multi","prompt":{},"options":[{}]}}]}}"#,
            t("Adult"),
            t("What happened"),
            adult_options.join(",")
        ),
        format!(
            r#"{{"id":"child","branch":"child","title":{},"questions":[
              {{"id":"what_c","type":"multi","prompt":{},"options":[{}]}}]}}"#,
            t("Child"),
            t("What happened to you"),
            child_options.join(",")
        ),
    ]
}

fn parse_with(form: &str, sections: &[String]) -> Result<Form, String> {
    let files: Vec<(String, &str)> = sections
        .iter()
        .enumerate()
        .map(|(i, s)| (format!("{i:02}.json"), s.as_str()))
        .collect();
    let refs: Vec<(&str, &str)> = files.iter().map(|(n, s)| (n.as_str(), *s)).collect();
    Form::parse(form, &refs)
}

fn lint_of(sections: &[String]) -> Result<Vec<String>, String> {
    Ok(lint::lint(&parse_with(FORM, sections)?))
}

fn assert_lint(mutate: impl Fn(&mut Vec<String>), needle: &str) {
    let mut sections = base_sections();
    mutate(&mut sections);
    let problems = lint_of(&sections).expect("parses");
    assert!(
        problems.iter().any(|p| p.contains(needle)),
        "expected a problem containing {needle:?}, got {problems:#?}"
    );
}

fn assert_parse_error(mutate: impl Fn(&mut Vec<String>), needle: &str) {
    let mut sections = base_sections();
    mutate(&mut sections);
    let err = lint_of(&sections).expect_err("must not parse");
    assert!(err.contains(needle), "expected {needle:?} in {err}");
}

#[test]
fn the_base_form_is_clean() {
    assert_eq!(lint_of(&base_sections()).unwrap(), Vec::<String>::new());
}

#[test]
fn duplicate_ids_are_caught() {
    assert_lint(
        |s| s[1] = s[1].replace("\"what_a\"", "\"safe\""),
        "duplicate question id",
    );
    assert_lint(
        |s| s[2] = s[2].replace("\"id\":\"child\"", "\"id\":\"adult\""),
        "duplicate section id",
    );
    assert_lint(
        |s| s[1] = s[1].replacen("\"o1\"", "\"o0\"", 1),
        "duplicate option id",
    );
}

#[test]
fn bad_ids_are_caught() {
    assert_lint(
        |s| s[0] = s[0].replace("\"safe\"", "\"Safe-Now\""),
        "not snake_case",
    );
    assert_lint(
        |s| s[1] = s[1].replacen("\"o0\"", "\"dont_know\"", 1),
        "reserved",
    );
}

#[test]
fn conditions_must_look_backwards_at_real_answers() {
    assert_lint(
        |s| {
            s[0] = s[0].replace(
                r#""role":"age","#,
                r#""role":"age","when":{"q":"safe","eq":"yes"},"#,
            )
        },
        "does not come earlier",
    );
    assert_lint(
        |s| {
            s[0] = s[0].replace(
                r#"{"not":{"q":"age","answered":true}}"#,
                r#"{"q":"nope","eq":"yes"}"#,
            )
        },
        "unknown question 'nope'",
    );
    assert_lint(
        |s| {
            s[0] = s[0].replace(
                r#"{"not":{"q":"age","answered":true}}"#,
                r#"{"q":"age","eq":"maybe"}"#,
            )
        },
        "cannot answer",
    );
    assert_lint(
        |s| {
            s[0] = s[0].replace(
                r#"{"not":{"q":"age","answered":true}}"#,
                r#"{"q":"age","has":"x"}"#,
            )
        },
        "not a multi question",
    );
}

#[test]
fn every_language_is_required() {
    assert_lint(
        |s| s[0] = s[0].replacen(r#","es":"Are you safe now es""#, "", 1),
        "text missing in es",
    );
    assert_lint(
        |s| s[0] = s[0].replacen(r#""Are you safe now es""#, r#""  ""#, 1),
        "text missing in es",
    );
}

#[test]
fn unknown_and_misplaced_indicators_are_caught() {
    assert_lint(
        |s| s[1] = s[1].replacen("DR.nature_of_job", "DR.nature_of_jobs", 1),
        "unknown indicator id 'DR.nature_of_jobs'",
    );
    assert_lint(
        |s| {
            s[0] = s[0].replace(
                r#""flags":["immediate_danger"]"#,
                r#""indicators":["VR.false_info_law"]"#,
            )
        },
        "not in the child set",
    );
}

#[test]
fn every_indicator_must_be_reachable() {
    assert_lint(
        |s| s[1] = s[1].replacen("\"DR.wages\"", "\"DR.nature_of_job\"", 1),
        "labour_adult indicators no question evidences: DR.wages",
    );
    assert_lint(
        |s| s[2] = s[2].replacen("\"EX.excessive_hours\"", "\"EX.hazardous_work\"", 1),
        "labour_child indicators no question evidences: EX.excessive_hours",
    );
}

#[test]
fn wording_and_titles_are_checked() {
    assert_lint(
        |s| s[0] = s[0].replace("Are you safe now en", "Is the victim safe"),
        "'victim' without 'possible'",
    );
    assert_lint(
        |s| s[0] = s[0].replace("Are you safe now en", "Debt bondage?"),
        "reads an indicator title aloud",
    );
}

#[test]
fn roles_are_checked() {
    assert_lint(
        |s| s[0] = s[0].replace(r#""role":"presumed_minor","#, ""),
        "role PresumedMinor",
    );
    assert_parse_error(
        |s| {
            s[0] = s[0].replace(
                r#""type":"number","role":"age","min":0,"max":120"#,
                r#""type":"yes_no","role":"age""#,
            )
        },
        "needs a number question",
    );
}

#[test]
fn structure_errors_name_the_file_and_question() {
    assert_parse_error(
        |s| s[0] = s[0].replace(r#""prompt""#, r#""promt""#),
        "00.json",
    );
    assert_parse_error(
        |s| {
            s[0] = s[0].replace(
                r#""type":"yes_no","prompt""#,
                r#""type":"yes_no","options":[],"prompt""#,
            )
        },
        "'options' is only allowed",
    );
    assert_parse_error(
        |s| s[1] = s[1].replace(r#""type":"multi""#, r#""type":"several""#),
        "unknown variant `several`",
    );
    assert_parse_error(
        |s| s[0] = s[0].replace("immediate_danger", "danger"),
        "unknown variant `danger`",
    );
    assert_parse_error(
        |s| s[0] = s[0].replace(r#""min":0,"max":120"#, r#""min":10,"max":1"#),
        "is above max",
    );
}

#[test]
fn quick_check_rules() {
    let q = |i: usize, ty: &str| {
        format!(
            r#"{{"id":"q{i}","type":"{ty}","prompt":{},"yes":{{"flags":["injury"]}},"dont_know":{{"flags":["injury"]}}}}"#,
            t(&format!("Question {i}"))
        )
    };
    let form = FORM.replace("\"interview\"", "\"quick_check\"");
    let parse = |questions: Vec<String>| {
        let section = format!(
            r#"{{"id":"s","title":{},"questions":[{}]}}"#,
            t("S"),
            questions.join(",")
        );
        let f = Form::parse(&form, &[("s.json", &section)]).unwrap();
        lint::lint(&f)
    };
    assert!(parse((0..10).map(|i| q(i, "yes_no")).collect()).is_empty());
    assert!(parse((0..11).map(|i| q(i, "yes_no")).collect())[0].contains("at most 10"));
    let text = format!(r#"{{"id":"qt","type":"text","prompt":{}}}"#, t("Name"));
    assert!(
        parse(vec![q(0, "yes_no"), text])
            .iter()
            .any(|p| p.contains("no text or date"))
    );
    let silent = format!(r#"{{"id":"qs","type":"yes_no","prompt":{}}}"#, t("Silent"));
    assert!(
        parse(vec![silent])
            .iter()
            .any(|p| p.contains("raise a flag"))
    );
    // "Don't know" must count as the signal it could hide.
    let unsure = format!(
        r#"{{"id":"qd","type":"yes_no","prompt":{},"yes":{{"flags":["injury"]}}}}"#,
        t("Unsure")
    );
    assert!(
        parse(vec![unsure])
            .iter()
            .any(|p| p.contains("'dont_know' effects"))
    );
}

#[test]
fn a_recruitment_indicator_needs_an_act() {
    // Without its act, DR.nature_of_job could fire for a person nobody recruited.
    assert_lint(
        |s| {
            s[1] = s[1].replacen(
                r#""indicators":["DR.nature_of_job"],"acts":[{"act":"recruitment","by":"unknown"}]"#,
                r#""indicators":["DR.nature_of_job"]"#,
                1,
            )
        },
        "'DR.nature_of_job' is a recruitment indicator",
    );
    // An effect condition that requires an act is enough; one that does not is not.
    let gated = |when: &str| {
        let mut sections = base_sections();
        sections[1] = sections[1].replacen(
            r#""indicators":["DR.nature_of_job"],"acts":[{"act":"recruitment","by":"unknown"}]"#,
            &format!(r#""indicators":["DR.nature_of_job"],"when":{when}"#),
            1,
        );
        lint_of(&sections).unwrap()
    };
    assert!(gated(r#"{"act":true}"#).is_empty());
    assert!(gated(r#"{"all":[{"act":true},{"q":"safe","eq":"yes"}]}"#).is_empty());
    for weak in [
        r#"{"q":"safe","eq":"yes"}"#,
        r#"{"any":[{"act":true},{"q":"safe","eq":"yes"}]}"#,
        r#"{"not":{"act":false}}"#,
    ] {
        assert!(
            gated(weak)
                .iter()
                .any(|p| p.contains("is a recruitment indicator")),
            "{weak}"
        );
    }
}

#[test]
fn acts_are_read_only_by_effects() {
    assert_lint(
        |s| s[0] = s[0].replace(r#"{"not":{"q":"age","answered":true}}"#, r#"{"act":true}"#),
        "'act' can only be read by an effect's 'when'",
    );
    assert_lint(
        |s| {
            s[1] = s[1].replacen(
                r#""acts":[{"act":"recruitment","by":"unknown"}]"#,
                r#""acts":[{"act":"recruitment","by":"unknown"}],"when":{"act":true}"#,
                1,
            )
        },
        "cannot depend on an act",
    );
}

#[test]
fn schema_1_forms_cannot_use_schema_2_fields_and_others_unknown_is_reserved() {
    let old = FORM.replace(r#""schema":2"#, r#""schema":1"#);
    let err = parse_with(&old, &base_sections()).unwrap_err();
    assert!(err.contains("schema-2 fields"), "{err}");
    assert_parse_error(
        |s| s[1] = s[1].replacen("\"o0\"", "\"others_unknown\"", 1),
        "reserved",
    );
}

#[test]
fn every_multiple_choice_of_a_schema_2_form_offers_not_sure_about_the_others() {
    let interview = forms::get("interview").unwrap();
    let mut multis = 0;
    for l in interview.questions() {
        if let relais_core::forms::QuestionKind::Multi { options } = &l.question.kind {
            multis += 1;
            let last = options.last().unwrap();
            assert_eq!(last.id, "others_unknown", "{}", l.question.id);
            assert!(!last.exclusive && last.effects.is_empty());
        }
    }
    assert!(multis > 20);
}
