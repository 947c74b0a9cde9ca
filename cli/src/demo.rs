//! `relais demo`: a fictitious training case run end to end on the embedded defaults: the full
//! interview, the needs assessment, and the services the sample directory proposes.

use relais_core::i18n::{t, tf};
use relais_core::referral::directory::Directory;
use relais_core::referral::matching::{self, MatchRequest};
use relais_core::training;
use relais_core::{FormResult, Lang, Subject, run_draft};
use serde_json::json;

use crate::{CliError, DemoArgs, print_json, render};

fn run_form(case: &training::TrainingCase, form: &str, lang: Lang) -> Result<FormResult, CliError> {
    let mut draft = case.drafts.get(form).cloned().ok_or_else(|| {
        CliError::Input(format!("training case '{}' has no {form} draft", case.id))
    })?;
    draft.language = lang.code().to_string();
    run_draft(&draft)
        .map_err(|e| CliError::Input(format!("training case '{}', {form}: {e}", case.id)))
}

pub fn run(args: &DemoArgs, lang: Lang) -> Result<(), CliError> {
    let case = training::get(&args.case).ok_or_else(|| {
        let ids: Vec<&str> = training::cases().0.iter().map(|c| c.id.as_str()).collect();
        CliError::Input(format!(
            "unknown training case '{}': use one of {}",
            args.case,
            ids.join(", ")
        ))
    })?;
    let interview = run_form(case, "interview", lang)?;
    let needs = run_form(case, "needs", lang)?;
    let FormResult::Interview(screening) = &interview else {
        return Err(CliError::Input(
            "the interview draft did not produce a screening".into(),
        ));
    };
    let FormResult::Needs(needs_result) = &needs else {
        return Err(CliError::Input(
            "the needs draft did not produce a needs assessment".into(),
        ));
    };
    let mut flags: std::collections::BTreeSet<_> =
        screening.red_flags.iter().map(|f| f.id).collect();
    flags.extend(needs_result.red_flags.iter().map(|f| f.id));
    let request = MatchRequest {
        needs: needs_result.as_pairs(),
        flags,
        child: screening.subject == Subject::Child,
        area: Some(case.area.clone()),
        language: None,
        steps: screening.next_steps.iter().map(|s| s.id.clone()).collect(),
    };
    let referral = matching::propose(Directory::sample_kwilu(), &request, lang);
    let matches_expected = screening.outcome.id() == case.expected_outcome;

    if args.json {
        return print_json(&json!({
            "case": case.id,
            "fictitious": true,
            "expected_outcome": case.expected_outcome,
            "matches_expected": matches_expected,
            "interview": interview,
            "needs": needs,
            "referral": referral,
        }));
    }
    println!("*** {} ***", t(lang, "cli.demo.fictitious"));
    println!("\n{}\n", case.title.get(lang));
    println!("{}", case.story.get(lang));
    println!("\n══ 1. {} ══", t(lang, "cli.demo.interview"));
    print!("{}", render::result(&interview));
    println!("\n══ 2. {} ══", t(lang, "cli.demo.needs"));
    print!("{}", render::result(&needs));
    println!("\n══ 3. {} ══", t(lang, "cli.demo.referral"));
    print!("{}", render::matches(&referral));
    let key = if matches_expected {
        "cli.demo.expected_ok"
    } else {
        "cli.demo.expected_differs"
    };
    println!(
        "\n{}",
        tf(lang, key, &[("expected", &case.expected_outcome)])
    );
    println!("{}", t(lang, "cli.demo.next"));
    Ok(())
}
