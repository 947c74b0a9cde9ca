//! End to end through the `relais` binary: the public CLI contract of the README.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::fs;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn relais() -> Command {
    let mut cmd = Command::cargo_bin("relais").unwrap();
    cmd.env_remove("RELAIS_LANG");
    // Never touch a real vault of the machine running the tests.
    cmd.env(
        "RELAIS_VAULT",
        std::env::temp_dir().join("relais-no-vault-here/vault.db"),
    );
    cmd
}

fn vectors() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors/screen")
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(!run.stderr.contains("panicked"), "panic: {}", run.stderr);
    run
}

fn json(cmd: &mut Command) -> Value {
    let r = run(cmd);
    assert_eq!(r.code, 0, "stderr: {}", r.stderr);
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}: {}", r.stdout))
}

fn fails(cmd: &mut Command, code: i32, needle: &str) -> Run {
    let r = run(cmd);
    assert_eq!(r.code, code, "stdout: {}\nstderr: {}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(needle),
        "expected {needle:?} in: {}",
        r.stderr
    );
    r
}

// --- forms -----------------------------------------------------------------------------------------

#[test]
fn forms_list_json() {
    let list = json(relais().args(["forms", "list", "--json"]));
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        ["quick-check", "interview", "needs", "risk", "consent"]
    );
    for f in list.as_array().unwrap() {
        assert!(f["version"].as_u64().unwrap() >= 1);
        assert_eq!(f["languages"], serde_json::json!(["fr", "en", "es"]));
    }
    let text = run(relais().args(["forms", "list", "--lang", "es"])).stdout;
    assert!(text.contains("Entrevista de identificación"), "{text}");
}

#[test]
fn forms_show_prints_questions_and_mappings() {
    let text = run(relais().args(["forms", "show", "quick-check", "--lang", "en"])).stdout;
    assert!(
        text.contains("child_travelling") && text.contains("!unaccompanied_child"),
        "{text}"
    );
    fails(
        relais().args(["forms", "show", "nope"]),
        1,
        "unknown form 'nope'",
    );
}

// --- score -----------------------------------------------------------------------------------------

#[test]
fn score_json_contract() {
    let r = json(relais().args([
        "score",
        "--indicators",
        "DR.nature_of_job,DR.wages,EX.excessive_hours,EX.living_conditions,CD.documents,CD.debt_bondage",
        "--age",
        "30",
        "--json",
    ]));
    assert_eq!(r["outcome"], "possible_trafficking");
    for d in ["DR", "CR", "VR", "EX", "CD", "VD"] {
        assert!(r["dimensions"][d]["positive"].is_boolean(), "{d}");
    }
    assert_eq!(r["dimensions"]["DR"]["positive"], true);
    assert_eq!(r["dimensions"]["VR"]["positive"], false);
    assert!(r["red_flags"].is_array() && r["next_steps"].is_array());
    assert!(
        r["explanation"].as_str().unwrap().starts_with("Résultat"),
        "French by default"
    );
}

#[test]
fn score_empty_list_is_no_indicators() {
    let r = json(relais().args(["score", "--indicators", "", "--age", "20", "--json"]));
    assert_eq!(r["outcome"], "no_indicators");
    let r = json(relais().args(["score", "--age", "20", "--json", "--flags", "injury"]));
    assert_eq!(r["outcome"], "no_indicators");
    assert_eq!(r["red_flags"][0]["id"], "injury");
    assert_eq!(r["urgent"], true);
}

#[test]
fn score_refuses_unknown_and_adult_only_ids() {
    fails(
        relais().args([
            "score",
            "--indicators",
            "DR.wages,XX.made_up",
            "--age",
            "30",
        ]),
        1,
        "XX.made_up",
    );
    fails(
        relais().args(["score", "--indicators", "VR.false_info_law", "--age", "12"]),
        1,
        "VR.false_info_law",
    );
    json(relais().args([
        "score",
        "--indicators",
        "VR.false_info_law",
        "--age",
        "18",
        "--json",
    ]));
    fails(
        relais().args([
            "score",
            "--indicators",
            "",
            "--age",
            "30",
            "--flags",
            "panic",
        ]),
        1,
        "unknown flag 'panic'",
    );
    fails(
        relais().args(["score", "--indicators", "DR.wages"]),
        2,
        "--age",
    );
    fails(
        relais().args(["score", "--age", "30", "--lang", "de"]),
        2,
        "unknown language 'de'",
    );
}

// --- screen --answers ------------------------------------------------------------------------------

fn marker(lang: &str) -> &'static str {
    match lang {
        "fr" => "Résultat",
        "en" => "Result",
        "es" => "Resultado",
        _ => unreachable!(),
    }
}

#[test]
fn screen_answers_matches_every_golden_vector_in_its_language() {
    let mut count = 0;
    for entry in fs::read_dir(vectors()).unwrap() {
        let path = entry.unwrap().path();
        let Some(name) = path
            .file_name()
            .unwrap()
            .to_str()
            .unwrap()
            .strip_suffix(".draft.json")
        else {
            continue;
        };
        let expected: Value = serde_json::from_str(
            &fs::read_to_string(vectors().join(format!("{name}.expected.json"))).unwrap(),
        )
        .unwrap();
        let draft: Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
        let form = draft["form"].as_str().unwrap();
        let r = json(
            relais()
                .args(["screen", "--form", form, "--answers"])
                .arg(&path)
                .arg("--json"),
        );
        let lang = expected["language"].as_str().unwrap();
        assert_eq!(r["language"], lang, "{name}");
        if form == "interview" {
            assert_eq!(r["kind"], "interview");
            assert_eq!(r["outcome"], expected["outcome"], "{name}");
            assert_eq!(r["subject"], expected["subject"], "{name}");
            // What the result rests on comes first when questions are missing, then the outcome.
            let explanation = r["explanation"].as_str().unwrap();
            let clean = r["completeness"]["complete"] == true
                && r["completeness"]["open"].as_array().unwrap().is_empty();
            let first = explanation.lines().next().unwrap();
            if clean {
                assert!(first.starts_with(marker(lang)), "{name}: {explanation}");
            } else {
                assert_eq!(first, r["completeness"]["summary"], "{name}");
                assert!(
                    explanation.lines().any(|l| l.starts_with(marker(lang))),
                    "{name}: {explanation}"
                );
            }
        }
        count += 1;
    }
    assert!(count >= 20);
}

#[test]
fn screen_answers_lang_and_age_override_the_file() {
    let file = vectors().join("interview-fr-adult-djibouti-domestic.draft.json");
    let r = json(
        relais()
            .args([
                "screen",
                "--form",
                "interview",
                "--lang",
                "es",
                "--json",
                "--answers",
            ])
            .arg(&file),
    );
    assert_eq!(r["language"], "es");
    assert!(
        r["explanation"]
            .as_str()
            .unwrap()
            .lines()
            .any(|l| l.starts_with("Resultado"))
    );
    assert!(
        r["completeness"]["summary"]
            .as_str()
            .unwrap()
            .contains("preguntas")
    );
    assert!(
        r["outcome_label"]
            .as_str()
            .unwrap()
            .contains("Posible víctima")
    );
    let human = run(relais()
        .args(["screen", "--form", "interview", "--lang", "en", "--answers"])
        .arg(&file))
    .stdout;
    assert!(
        human.contains("Possible victim of trafficking") && human.contains("Next steps"),
        "{human}"
    );
}

fn temp_file(dir: &tempfile::TempDir, name: &str, content: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, content).unwrap();
    path
}

fn draft_with(answers: Value) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "format": "relais.draft", "schema": 1, "form": "interview", "form_version": 1,
        "language": "en", "answers": answers
    }))
    .unwrap()
}

#[test]
fn screen_answers_bad_input_gives_clear_errors_and_never_panics() {
    let dir = tempfile::tempdir().unwrap();
    let valid =
        fs::read(vectors().join("interview-fr-adult-djibouti-domestic.draft.json")).unwrap();
    let screen = |file: &Path| {
        let mut cmd = relais();
        cmd.args(["screen", "--form", "interview", "--answers"])
            .arg(file);
        cmd
    };
    let truncated = temp_file(&dir, "truncated.json", &valid[..valid.len() / 2]);
    fails(&mut screen(&truncated), 1, "not valid JSON");
    let garbage = temp_file(&dir, "garbage.json", &[0xff, 0xfe, 0x00, 0x81]);
    fails(&mut screen(&garbage), 1, "not UTF-8");
    let big = temp_file(&dir, "big.json", &vec![b' '; 5 * 1024 * 1024]);
    fails(&mut screen(&big), 1, "too large");
    fails(
        &mut screen(&dir.path().join("missing.json")),
        1,
        "missing.json",
    );
    let wrong_type = temp_file(
        &dir,
        "type.json",
        &draft_with(serde_json::json!({"age": "very old"})),
    );
    fails(&mut screen(&wrong_type), 1, "question 'age'");
    let unknown_q = temp_file(
        &dir,
        "q.json",
        &draft_with(serde_json::json!({"favourite_colour": "blue"})),
    );
    fails(&mut screen(&unknown_q), 1, "favourite_colour");
    let secret = temp_file(
        &dir,
        "secret.json",
        &draft_with(serde_json::json!({"situation_now": "ZebraSecret42"})),
    );
    let r = fails(&mut screen(&secret), 1, "situation_now");
    assert!(
        !r.stderr.contains("ZebraSecret42"),
        "the answer leaks: {}",
        r.stderr
    );
    let lang = temp_file(
        &dir,
        "lang.json",
        &String::from_utf8(draft_with(serde_json::json!({})))
            .unwrap()
            .replace("\"en\"", "\"de\"")
            .into_bytes(),
    );
    fails(&mut screen(&lang), 1, "unknown language 'de'");
    let required = temp_file(
        &dir,
        "required.json",
        &draft_with(serde_json::json!({"age": 30})),
    );
    fails(
        &mut screen(&required),
        1,
        "required questions are unanswered",
    );
    fails(
        relais()
            .args(["screen", "--form", "quick-check", "--answers"])
            .arg(vectors().join("interview-fr-adult-djibouti-domestic.draft.json")),
        1,
        "for form 'interview'",
    );
    fails(
        relais().args(["screen", "--form", "nope", "--answers", "x.json"]),
        1,
        "unknown form 'nope'",
    );
    fails(
        relais().args(["screen", "--form", "interview", "--lang", "xx"]),
        2,
        "unknown language 'xx'",
    );
    let version = temp_file(
        &dir,
        "v.json",
        &String::from_utf8(draft_with(serde_json::json!({})))
            .unwrap()
            .replace("\"form_version\":1", "\"form_version\":9")
            .into_bytes(),
    );
    fails(&mut screen(&version), 1, "version 9");
}

// --- interactive (line mode: input piped) ------------------------------------------------------------

#[test]
fn interactive_quick_check_runs_to_a_result() {
    // Adult, then "yes" to every question (1), a "don't know" (d), a back (b) and a re-answer.
    let input = "1\n1\nd\nb\n1\n1\n1\n1\n1\n1\n1\n1\nf\n";
    let r = run(relais()
        .args(["screen", "--form", "quick-check", "--lang", "en"])
        .write_stdin(input));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("Question 1 of"), "{}", r.stdout);
    assert!(r.stdout.contains("Result: Urgent"), "{}", r.stdout);
}

#[test]
fn a_quick_check_finished_at_the_first_question_says_first_it_is_incomplete() {
    // One answer ("an adult"), then finish: no clean "no flags".
    let r = run(relais()
        .args([
            "screen",
            "--form",
            "quick-check",
            "--lang",
            "en",
            "--no-save",
        ])
        .write_stdin("1\nf\n"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let result = &r.stdout[r.stdout.find("! Incomplete").expect("the summary")..];
    assert!(
        result.starts_with("! Incomplete: 8 of 9 questions"),
        "{result}"
    );
    assert!(result.contains("Result: Incomplete check"), "{result}");
    assert!(!r.stdout.contains("No flags"), "{}", r.stdout);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one-answer.json");
    fs::write(
        &file,
        r#"{"format":"relais.draft","schema":1,"form":"quick-check","form_version":2,"language":"en","answers":{"child_travelling":"adult"}}"#,
    )
    .unwrap();
    let json = json(
        relais()
            .args([
                "screen",
                "--form",
                "quick-check",
                "--json",
                "--no-save",
                "--answers",
            ])
            .arg(&file),
    );
    assert_eq!(json["outcome"], "incomplete");
    assert_eq!(json["completeness"]["complete"], false);
}

#[test]
fn interactive_quit_and_resume_with_a_draft() {
    let dir = tempfile::tempdir().unwrap();
    let draft = dir.path().join("draft.json");
    let first = run(relais()
        .args(["screen", "--form", "quick-check", "--lang", "fr", "--draft"])
        .arg(&draft)
        .write_stdin("1\n2\nq\n"));
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(
        first.stderr.contains("Brouillon enregistré"),
        "{}",
        first.stderr
    );
    let saved: Value = serde_json::from_str(&fs::read_to_string(&draft).unwrap()).unwrap();
    assert_eq!(saved["answers"].as_object().unwrap().len(), 2);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&draft).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    // Resume: the third question comes first; answer the rest "no" (2) and finish.
    let rest = "2\n".repeat(8) + "f\n";
    let second = run(relais()
        .args(["screen", "--form", "quick-check", "--draft"])
        .arg(&draft)
        .write_stdin(rest));
    assert_eq!(second.code, 0, "{}", second.stderr);
    assert!(
        second.stderr.contains("Reprise du brouillon"),
        "{}",
        second.stderr
    );
    assert!(
        second.stdout.contains("[Question 3 sur"),
        "{}",
        second.stdout
    );
    assert!(second.stdout.contains("Résultat :"), "{}", second.stdout);
}

#[test]
fn a_draft_file_is_deleted_once_the_form_is_saved_in_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let vault = dir.path().join("v.db");
    let draft = dir.path().join("draft.json");
    let with_vault = || {
        let mut c = relais();
        c.env("RELAIS_VAULT", &vault)
            .env("RELAIS_PASSPHRASE", "correct horse 42")
            .env("RELAIS_INSECURE_TEST_KDF", "1");
        c
    };
    assert_eq!(run(with_vault().args(["vault", "init"])).code, 0);
    let first = run(with_vault()
        .args(["screen", "--form", "quick-check", "--lang", "en", "--draft"])
        .arg(&draft)
        .write_stdin("1\n2\nq\n"));
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(draft.is_file(), "quitting keeps the draft to resume");
    let rest = "2\n".repeat(8) + "f\n";
    let done = run(with_vault()
        .args(["screen", "--form", "quick-check", "--draft"])
        .arg(&draft)
        .write_stdin(rest));
    assert_eq!(done.code, 0, "{}", done.stderr);
    assert!(done.stderr.contains("is deleted"), "{}", done.stderr);
    assert!(!draft.exists(), "no plaintext draft left behind");
}

#[test]
fn interactive_end_of_input_without_draft_says_nothing_was_saved() {
    let r = run(relais()
        .args(["screen", "--form", "interview", "--lang", "es"])
        .write_stdin("1\n"));
    assert_eq!(r.code, 130);
    assert!(r.stderr.contains("No se guardó nada"), "{}", r.stderr);
}

#[test]
fn interactive_validation_and_language_switch() {
    // Age 200 is refused, 35 accepted; then switch to English mid-interview and quit.
    let r = run(relais()
        .args(["screen", "--form", "interview", "--lang", "fr"])
        .write_stdin("1\n200\n35\n:lang en\nq\n"));
    assert!(
        r.stdout.contains("Entrez un nombre entre 0 et 120"),
        "{}",
        r.stdout
    );
    assert!(r.stdout.contains("Question 3 of"), "{}", r.stdout);
}

// --- directory -------------------------------------------------------------------------------------

#[test]
fn directory_match_ranks_and_filters() {
    let r = json(relais().args([
        "directory",
        "match",
        "--needs",
        "shelter,medical:emergency",
        "--area",
        "Kikwit",
        "--json",
    ]));
    assert_eq!(r["fictitious"], true);
    let proposals = r["proposals"].as_array().unwrap();
    assert_eq!(proposals[0]["category"], "health", "emergency first");
    assert_eq!(proposals[0]["services"][0]["service"]["id"], "kk-hgr-01");
    let shelter = proposals
        .iter()
        .find(|p| p["category"] == "shelter")
        .unwrap();
    let ids: Vec<&str> = shelter["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"]["id"].as_str().unwrap())
        .collect();
    assert!(ids.contains(&"kk-mai-03"), "{ids:?}");
    let child = json(relais().args([
        "directory",
        "match",
        "--needs",
        "shelter",
        "--child",
        "--area",
        "Kwilu/Kikwit",
        "--json",
    ]));
    let shelter = child["proposals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["category"] == "shelter")
        .unwrap();
    let ids: Vec<&str> = shelter["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["service"]["id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.contains(&"kk-mai-03"),
        "adults-only shelter proposed for a child: {ids:?}"
    );
    assert!(
        child["proposals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["category"] == "child_protection")
    );
    fails(
        relais().args(["directory", "match", "--needs", "food"]),
        1,
        "unknown need 'food'",
    );
    fails(
        relais().args(["directory", "match"]),
        1,
        "at least one need",
    );
}

#[test]
fn directory_files_with_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let csv = "id,organisation,service,categories,area,phone,languages,takes_children\n\
               ok-1,Org,Clinic,health,Kwilu/Kikwit,+243 1,fr,yes\n\
               bad-2,Org,Clinic,medic,Kwilu/Kikwit,+243 1,fr,yes\n";
    let file = temp_file(&dir, "dir.csv", csv.as_bytes());
    let r = fails(
        relais().args(["directory", "check"]).arg(&file),
        1,
        "1 bad row",
    );
    assert!(
        r.stdout.contains("row 3") && r.stdout.contains("medic"),
        "{}",
        r.stdout
    );
    let r = run(relais()
        .args([
            "directory",
            "match",
            "--needs",
            "medical",
            "--json",
            "--directory",
        ])
        .arg(&file));
    assert_eq!(r.code, 0);
    assert!(r.stderr.contains("row 3"), "{}", r.stderr);
    let v: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["proposals"][0]["services"][0]["service"]["id"], "ok-1");
    fails(
        relais()
            .args([
                "directory",
                "match",
                "--needs",
                "medical",
                "--strict",
                "--directory",
            ])
            .arg(&file),
        1,
        "row 3",
    );
    json(relais().args(["directory", "check", "--json"]).arg(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/data/directory-kwilu-sample.json"),
    ));
}

// --- demo ------------------------------------------------------------------------------------------

#[test]
fn demo_runs_each_training_case_in_each_language() {
    for lang in ["fr", "en", "es"] {
        let r = run(relais().args(["demo", "--lang", lang]));
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(
            r.stdout.contains(marker(lang)) || r.stdout.contains("Result"),
            "{}",
            r.stdout
        );
    }
    for case in [
        "amani-kikwit",
        "kikwit-domestic-adult",
        "kikwit-porter-exploitation",
    ] {
        let r = json(relais().args(["demo", "--json", "--case", case]));
        assert_eq!(r["matches_expected"], true, "{case}");
        assert_eq!(r["fictitious"], true);
    }
    fails(
        relais().args(["demo", "--case", "nobody"]),
        1,
        "unknown training case",
    );
}
