//! Each situation a trained practitioner found wrong in the first screening, as a named test written
//! as the answers a worker gives from the facts (most of them through the vignette of the same case
//! in `tests/vignettes/`), and what the result must say now.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use relais_core::answer::Answer;
use relais_core::catalogue::Dimension;
use relais_core::effects::{ConsentPurpose, RedFlag};
use relais_core::next_steps::Gate;
use relais_core::result::FormResult;
use relais_core::scoring::{Outcome, ScreeningResult};
use relais_core::vault::crypto::KdfParams;
use relais_core::vault::{NoPlatformSecret, Vault, VaultOptions};
use relais_core::{Context, Draft, Lang, Session};
use relais_tests::vignettes;
use serde_json::json;

fn vignette(name: &str) -> ScreeningResult {
    let all = vignettes::all().unwrap();
    let (_, v) = all
        .iter()
        .find(|(n, _)| n == name)
        .unwrap_or_else(|| panic!("no vignette {name}"));
    match vignettes::run(v).unwrap().1 {
        FormResult::Interview(r) => r,
        other => panic!("{name}: {}", other.outcome_id()),
    }
}

fn steps(r: &ScreeningResult) -> Vec<&str> {
    r.next_steps.iter().map(|s| s.id.as_str()).collect()
}

fn indicators(r: &ScreeningResult, d: Dimension) -> Vec<&str> {
    r.dimensions[&d]
        .indicators
        .iter()
        .map(|i| i.id.as_str())
        .collect()
}

#[test]
fn a_girl_of_16_brought_by_a_partner_and_sexually_exploited_is_referred_to_the_nrm() {
    let r = vignette("child-16-partner-sexual-exploitation");
    assert_eq!(r.outcome, Outcome::PossibleTrafficking);
    assert!(steps(&r).contains(&"refer_nrm"));
    assert!(indicators(&r, Dimension::EX).contains(&"EX.sexual_exploitation"));
    // Scored with the provisional child set for sexual exploitation, and the referral does not rest
    // on its strengths: the Protocol's reading (act + purpose) is met by itself.
    assert!(r.provisional);
    assert!(r.protocol.as_ref().unwrap().met);
}

#[test]
fn a_child_of_12_on_the_family_farm_is_not_trafficked() {
    let r = vignette("child-12-family-farm");
    assert_ne!(r.outcome, Outcome::PossibleTrafficking);
    assert!(
        indicators(&r, Dimension::VR).is_empty(),
        "nobody recruited him"
    );
    assert!(
        !indicators(&r, Dimension::EX).contains(&"EX.excessive_hours"),
        "three hours that start early are not excessive"
    );
}

#[test]
fn a_self_recruited_smuggled_adult_is_told_apart_from_trafficking() {
    let r = vignette("adult-smuggled-self-recruited-honduras");
    assert_eq!(r.outcome, Outcome::Exploitation);
    assert!(
        indicators(&r, Dimension::VR).is_empty(),
        "no recruiter, no VR"
    );
    assert!(r.triage.iter().any(|t| t.id.id() == "smuggling"));
    assert!(steps(&r).contains(&"refer_migrant"));
}

#[test]
fn a_child_forced_into_a_gang_gets_coercive_recruitment() {
    let r = vignette("child-gang-drugs-honduras");
    assert!(indicators(&r, Dimension::CR).contains(&"CR.abduction_sale"));
    assert!(indicators(&r, Dimension::CR).contains(&"CR.violence_family"));
    assert!(r.dimensions[&Dimension::CR].positive);
}

#[test]
fn i_could_not_refuse_out_of_fear_is_coercive_recruitment_not_vulnerability() {
    let r = vignette("adult-could-not-refuse-out-of-fear");
    assert!(indicators(&r, Dimension::CR).contains(&"CR.threat_violence"));
    let vr = r.dimensions[&Dimension::VR]
        .indicators
        .iter()
        .find(|i| i.id == "VR.control_exploiters");
    assert!(
        vr.is_none_or(|i| !i.evidence.iter().any(|q| q == "refuse_possible_a")),
        "fear is not abuse of vulnerability"
    );
}

#[test]
fn papers_debt_and_unpaid_hours_without_recruitment_propose_formal_identification() {
    let r = vignette("adult-employer-holds-papers-and-debt");
    assert!(!r.combination.met, "no recruitment dimension");
    assert_eq!(r.outcome, Outcome::PossibleTrafficking);
    let reading = r.protocol.as_ref().unwrap();
    assert!(
        reading
            .acts
            .iter()
            .any(|a| a.act.id() == "harbouring" && a.by.id() == "employer")
    );
    assert!(steps(&r).contains(&"refer_nrm"));
}

#[test]
fn clear_cases_are_identified() {
    for name in [
        "adult-domestic-servitude-djibouti",
        "adult-mine-debt-bondage-guinea",
        "child-talibe-forced-begging",
        "child-gang-drugs-honduras",
    ] {
        assert_eq!(
            vignette(name).outcome,
            Outcome::PossibleTrafficking,
            "{name}"
        );
    }
}

/// Runs the interview from a list of answers, the rest neutral.
fn interview(age: u32, answers: serde_json::Value) -> ScreeningResult {
    let v: vignettes::Vignette = serde_json::from_value(json!({
        "facts": "-", "tags": [], "language": "en", "age": age, "answers": answers,
        "expected": {"outcome": "-", "first_step": "-"}, "why": "-"
    }))
    .unwrap();
    match vignettes::run(&v).unwrap().1 {
        FormResult::Interview(r) => r,
        other => panic!("{}", other.outcome_id()),
    }
}

#[test]
fn the_form_can_record_plain_facts() {
    let work = json!({"danger_now": "no", "situation_now": "still_in_it", "situation_since": "2024",
        "recruiter_a": "intermediary", "refuse_possible_a": "free", "worked_for_a": "yes"});
    let with = |extra: serde_json::Value| {
        let mut a = work.clone();
        for (k, v) in extra.as_object().unwrap() {
            a[k] = v.clone();
        }
        interview(30, a)
    };
    let all_ids = |r: &ScreeningResult| -> Vec<String> {
        r.dimensions
            .values()
            .flat_map(|d| d.indicators.iter().map(|i| i.id.clone()))
            .collect()
    };
    // Not paid at all, not paid yet.
    assert!(
        all_ids(&with(json!({"pay_received_a": "nothing"}))).contains(&"EX.low_no_salary".into())
    );
    assert!(
        all_ids(&with(json!({"pay_received_a": "not_yet"})))
            .contains(&"CD.withholding_wages".into())
    );
    // Locked in, today: an indicator and, for an adult too, the "under control" flag.
    let locked = with(json!({"locked_now_a": "yes"}));
    assert!(all_ids(&locked).contains(&"CD.isolation".into()));
    assert!(
        locked
            .red_flags
            .iter()
            .any(|f| f.id == RedFlag::UnderControl)
    );
    // Forced criminal activity.
    let crime = with(json!({"illegal_acts_a": "yes"}));
    assert!(all_ids(&crime).contains(&"CD.illicit_activities".into()));
    assert!(
        crime
            .triage
            .iter()
            .any(|t| t.id.id() == "forced_criminality")
    );
    // Begging with a quota.
    let begging = with(json!({"work_type_a": ["begging"], "begging_control_a": ["quota"]}));
    assert!(all_ids(&begging).contains(&"CD.forced_tasks".into()));
    // A debt that grows.
    let debt = with(json!({"debt_now_a": "yes", "debt_grows_a": "yes"}));
    assert!(all_ids(&debt).contains(&"CD.debt_bondage".into()));
    // A threat that stands: a red flag, whether or not the person is still there.
    let threat = interview(
        30,
        json!({"danger_now": "no", "threat_standing": "yes", "situation_now": "left"}),
    );
    assert!(
        threat
            .red_flags
            .iter()
            .any(|f| f.id == RedFlag::StandingThreat)
    );
    assert!(steps(&threat).starts_with(&["ensure_safety", "family_safety"]));
}

#[test]
fn a_person_never_recruited_and_never_working_is_not_asked_work_questions() {
    let mut s = Session::start("interview", Lang::Fr, Context::with_age(Some(31))).unwrap();
    s.go_to("situation_now").unwrap();
    s.answer(Answer::Choice("not_work".into()));
    for q in [
        "recruiter_a",
        "worked_for_a",
        "hours_per_day_a",
        "pay_received_a",
    ] {
        assert!(!s.is_shown(q), "{q}");
    }
    assert!(s.is_shown("violence_close_a"));
    // Someone who was recruited but never worked for anyone skips the work questions too.
    let mut s = Session::start("interview", Lang::Fr, Context::with_age(Some(31))).unwrap();
    s.go_to("worked_for_a").unwrap();
    s.answer(Answer::No);
    for q in [
        "work_type_a",
        "hours_per_day_a",
        "pay_received_a",
        "documents_now_a",
    ] {
        assert!(!s.is_shown(q), "{q}");
    }
}

#[test]
fn a_multiple_choice_can_say_this_one_is_known_the_rest_unknown() {
    let mut s = Session::start("interview", Lang::En, Context::with_age(Some(30))).unwrap();
    s.go_to("life_before_a").unwrap();
    s.answer(Answer::Choices(vec![
        "no_income".into(),
        "others_unknown".into(),
    ]));
    let c = s.completeness();
    assert!(
        !c.open.iter().any(|q| q.id == "life_before_a"),
        "a real answer"
    );
    s.go_to("life_before_a").unwrap();
    s.answer(Answer::Choices(vec!["others_unknown".into()]));
    assert!(
        s.completeness()
            .open
            .iter()
            .any(|q| q.id == "life_before_a" && q.state.id() == "dont_know")
    );
}

fn quick(answers: &[(&str, Answer)]) -> relais_core::assessment::QuickCheckResult {
    let mut s = Session::start("quick-check", Lang::Fr, Context::default()).unwrap();
    for (q, a) in answers {
        s.go_to(q).unwrap();
        s.answer(a.clone());
    }
    match s.finish().unwrap() {
        FormResult::QuickCheck(r) => r,
        other => panic!("{}", other.outcome_id()),
    }
}

#[test]
fn a_quick_check_finished_at_the_first_question_is_incomplete_not_clean() {
    let r = quick(&[("child_travelling", Answer::Choice("adult".into()))]);
    assert_eq!(r.outcome, Gate::Incomplete);
    assert_ne!(r.outcome_label, "Aucun signal relevé");
    assert!(
        r.explanation
            .starts_with(&r.completeness.as_ref().unwrap().summary)
    );
    assert_eq!(r.next_steps[0].id, "complete_check");
}

#[test]
fn a_quick_check_answered_dont_know_throughout_counts_each_as_its_signal() {
    let mut s = Session::start("quick-check", Lang::Fr, Context::default()).unwrap();
    for _ in 0..20 {
        if s.screen().question.is_none() {
            break;
        }
        s.answer(Answer::DontKnow);
    }
    let FormResult::QuickCheck(r) = s.finish().unwrap() else {
        panic!()
    };
    assert_eq!(r.outcome, Gate::Urgent);
    assert!(r.counted_dont_know.len() >= 9);
    assert!(r.red_flags.iter().any(|f| f.id == RedFlag::ImmediateDanger));
}

#[test]
fn a_quick_check_with_every_answer_given_and_none_worrying_is_no_flags() {
    let r = quick(&[
        ("child_travelling", Answer::Choice("adult".into())),
        ("someone_speaks_for", Answer::No),
        ("signs_of_injury", Answer::No),
        ("papers_held", Answer::No),
        ("told_what_to_say", Answer::No),
        ("job_situation", Answer::Choice("as_agreed".into())),
        ("debt_to_work_off", Answer::No),
        ("afraid_or_not_free", Answer::No),
        ("in_danger_now", Answer::No),
    ]);
    assert_eq!(r.outcome, Gate::NoFlags);
    assert!(r.completeness.as_ref().unwrap().is_clean());
}

#[test]
fn an_interview_with_three_answers_says_it_is_incomplete_first() {
    let mut s = Session::start("interview", Lang::Fr, Context::with_age(Some(30))).unwrap();
    s.answer(Answer::Choice("comfortable".into()));
    s.answer(Answer::Choice("still_in_it".into()));
    s.go_to("danger_now").unwrap();
    s.answer(Answer::No);
    let FormResult::Interview(r) = s.finish().unwrap() else {
        panic!()
    };
    assert_eq!(r.outcome, Outcome::NoIndicators);
    let c = r.completeness.as_ref().unwrap();
    assert!(!c.complete && c.missing() > 40, "{c:?}");
    // The label counts what the summary counts: the questions that could change the result.
    let counts = format!("{} questions sur {}", c.missing(), c.decisive);
    assert!(r.outcome_label.contains(&counts), "{}", r.outcome_label);
    assert!(c.summary.contains(&counts), "{}", c.summary);
    assert!(
        r.outcome_label.starts_with("Incomplet"),
        "{}",
        r.outcome_label
    );
    assert!(r.explanation.starts_with("Incomplet"));
    assert_ne!(r.outcome_label, "Aucun indicateur relevé");
    assert_eq!(r.next_steps[0].id, "complete_interview");
}

fn vault() -> (tempfile::TempDir, Vault) {
    let dir = tempfile::tempdir().unwrap();
    let v = Vault::create(
        &dir.path().join("v.db"),
        "a passphrase for the tests",
        &NoPlatformSecret,
        VaultOptions {
            kdf: KdfParams::INSECURE_FOR_TESTS,
            ..VaultOptions::default()
        },
    )
    .unwrap();
    (dir, v)
}

/// Every question of a form answered "yes" (the consent form: everything explained and agreed).
fn all_yes(form: &str, context: Context) -> (Draft, FormResult) {
    let mut s = Session::start(form, Lang::Fr, context).unwrap();
    for _ in 0..50 {
        if s.screen().question.is_none() {
            break;
        }
        s.answer(Answer::Yes);
    }
    (s.draft(), s.finish().unwrap())
}

#[test]
fn a_consent_form_in_a_childs_case_is_a_childs_consent() {
    let (_dir, mut v) = vault();
    let code = v.create_case().unwrap();
    // A quick check at the border presumed a child (no age recorded).
    let mut s = Session::start("quick-check", Lang::Fr, Context::default()).unwrap();
    s.answer(Answer::Choice("child_without_parent".into()));
    v.save_result(&code, &s.draft(), &s.finish().unwrap())
        .unwrap();
    let context = v.case_context(&code).unwrap();
    assert_eq!(context.child, Some(true));
    // The consent form opened in that case asks for assent and a guardian or the authority.
    let s = Session::start("consent", Lang::Fr, context).unwrap();
    assert!(s.is_shown("child_assent") && s.is_shown("guardian_consent"));
    assert!(!s.is_shown("agree_interview"));
    // An interview after it does not ask "could this person be under 18?" again.
    let s = Session::start("interview", Lang::Fr, context).unwrap();
    assert!(!s.is_shown("presumed_minor") || s.answer_of("presumed_minor") == Some(&Answer::Yes));
    assert_eq!(s.subject(), relais_core::Subject::Child);
}

#[test]
fn a_childs_yes_to_research_without_a_guardian_keeps_the_case_out_of_research_exports() {
    let (_dir, mut v) = vault();
    let code = v.create_case().unwrap();
    let child = Context::with_age(Some(15));
    // Everything "yes" except the guardian's agreement to research.
    let mut s = Session::start("consent", Lang::Fr, child).unwrap();
    for _ in 0..50 {
        let Some(q) = s.screen().question else { break };
        let a = if q.id == "guardian_research" {
            Answer::No
        } else {
            Answer::Yes
        };
        s.answer(a);
    }
    let FormResult::Consent(c) = s.finish().unwrap() else {
        panic!()
    };
    assert!(c.valid_for_interview);
    assert!(!c.allows(ConsentPurpose::Research));
    assert_eq!(c.not_authorised, [ConsentPurpose::Research]);
    v.save_result(&code, &s.draft(), &FormResult::Consent(c))
        .unwrap();
    assert_eq!(v.export_htcds().unwrap().cases.len(), 0);

    // With the guardian's agreement too, the case is exported.
    let (draft, result) = all_yes("consent", child);
    let FormResult::Consent(c) = &result else {
        panic!()
    };
    assert!(c.allows(ConsentPurpose::Research));
    v.save_result(&code, &draft, &result).unwrap();
    assert_eq!(v.export_htcds().unwrap().cases.len(), 1);
}

#[test]
fn an_adults_consent_recorded_in_a_childs_case_does_not_open_research_exports() {
    let (_dir, mut v) = vault();
    let code = v.create_case().unwrap();
    let d = Draft::from_json(
        &std::fs::read_to_string(
            relais_tests::vectors_dir()
                .join("screen/interview-fr-child-kikwit-domestic-market.draft.json"),
        )
        .unwrap(),
    )
    .unwrap();
    v.save_result(&code, &d, &relais_core::run_draft(&d).unwrap())
        .unwrap();
    // A consent form run without the case's context, as the first version did: taken as an adult's.
    let (draft, result) = all_yes("consent", Context::default());
    let FormResult::Consent(c) = &result else {
        panic!()
    };
    assert!(!c.child && c.allows(ConsentPurpose::Research));
    v.save_result(&code, &draft, &result).unwrap();
    assert_eq!(v.export_htcds().unwrap().cases.len(), 0);
}

#[test]
fn a_referral_step_proposes_the_nrm_services_of_the_directory() {
    use relais_core::referral::{Directory, ServiceCategory};
    let (_dir, mut v) = vault();
    let all = vignettes::all().unwrap();
    let code = v.create_case().unwrap();
    for name in [
        "adult-domestic-servitude-djibouti",
        "adult-forced-criminality-gang",
        "adult-smuggled-self-recruited-honduras",
        "adult-violence-at-home-never-worked",
    ] {
        let (_, vig) = all.iter().find(|(n, _)| n == name).unwrap();
        let (session, result) = vignettes::run(vig).unwrap();
        v.save_result(&code, &session.draft(), &result).unwrap();
    }
    let proposals = v
        .propose_services(
            &code,
            Directory::sample_kwilu(),
            Some("Kikwit".into()),
            Lang::Fr,
        )
        .unwrap();
    for (category, step) in [
        (ServiceCategory::Identification, "refer_nrm"),
        (ServiceCategory::AntiTraffickingPolice, "non_punishment"),
        (ServiceCategory::MigrantAssistance, "refer_migrant"),
        (ServiceCategory::Gbv, "refer_gbv"),
        (ServiceCategory::LabourInspection, "refer_labour"),
    ] {
        let p = proposals
            .proposals
            .iter()
            .find(|p| p.category == category)
            .unwrap_or_else(|| panic!("no {category} proposal"));
        assert!(
            p.because.iter().any(|b| b == &format!("step:{step}")),
            "{category}: {:?}",
            p.because
        );
        assert!(
            !p.services.is_empty(),
            "{category}: the sample has a service"
        );
    }
}
