//! `relais score`: scores an explicit set of indicator ids.

use std::collections::BTreeSet;

use relais_core::rules::RuleSet;
use relais_core::{Lang, RedFlag, scoring};

use crate::{CliError, ScoreArgs, list, print_json, render};

pub fn parse_flags(arg: &str) -> Result<BTreeSet<RedFlag>, CliError> {
    list(arg)
        .into_iter()
        .map(|f| f.parse::<RedFlag>().map_err(CliError::Input))
        .collect()
}

pub fn run(args: &ScoreArgs, lang: Lang) -> Result<(), CliError> {
    let subject = RuleSet::embedded().subject_for_age(args.age);
    let flags = parse_flags(&args.flags)?;
    let result = scoring::score_ids(list(&args.indicators), subject, &flags, lang)
        .map_err(|e| CliError::Input(e.to_string()))?;
    if args.json {
        print_json(&result)
    } else {
        print!("{}", render::screening(&result));
        Ok(())
    }
}
