//! `relais directory match|check|show`.

use std::path::Path;

use relais_core::i18n::tf;
use relais_core::referral::LoadReport;
use relais_core::referral::directory::Directory;
use relais_core::referral::matching::{self, MatchRequest};
use relais_core::{Lang, Need, Priority};
use serde_json::json;

use crate::score_cmd::parse_flags;
use crate::{CliError, DirectoryCommand, MatchArgs, list, print_json, read_input, render};

/// Loads a directory file, reporting bad rows on stderr (or refusing them with `strict`).
pub fn load(path: Option<&Path>, strict: bool, lang: Lang) -> Result<Directory, CliError> {
    let Some(path) = path else {
        return Ok(Directory::sample_kwilu().clone());
    };
    let report = read_report(path)?;
    if !report.errors.is_empty() {
        let header = tf(
            lang,
            "cli.directory.row_errors",
            &[("count", &report.errors.len().to_string())],
        );
        if strict {
            let rows: Vec<String> = report.errors.iter().map(ToString::to_string).collect();
            return Err(CliError::File {
                path: path.display().to_string(),
                message: format!("{header}\n  {}", rows.join("\n  ")),
            });
        }
        eprintln!("relais: warning: {}: {header}", path.display());
        for e in &report.errors {
            eprintln!("  {e}");
        }
    }
    Ok(report.directory)
}

fn read_report(path: &Path) -> Result<LoadReport, CliError> {
    let data = read_input(path)?;
    let name = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("directory")
        .to_string();
    Directory::load(&data, &name).map_err(|e| CliError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    })
}

fn parse_needs(arg: &str) -> Result<Vec<(Need, Priority)>, CliError> {
    list(arg)
        .into_iter()
        .map(|item| {
            let (need, priority) = match item.split_once(':') {
                Some((n, p)) => (n, p.parse::<Priority>().map_err(CliError::Input)?),
                None => (item, Priority::Normal),
            };
            Ok((need.parse::<Need>().map_err(CliError::Input)?, priority))
        })
        .collect()
}

fn run_match(args: &MatchArgs, lang: Lang) -> Result<(), CliError> {
    let request = MatchRequest {
        needs: parse_needs(&args.needs)?,
        flags: parse_flags(&args.flags)?,
        child: args.child,
        area: args.area.clone(),
        language: args.speaks.as_ref().map(|s| s.trim().to_lowercase()),
        steps: Default::default(),
    };
    if request.needs.is_empty() && request.flags.is_empty() && !request.child {
        return Err(CliError::Input(
            "give at least one need (--needs), red flag (--flags) or --child".into(),
        ));
    }
    let directory = load(args.directory.as_deref(), args.strict, lang)?;
    let result = matching::propose(&directory, &request, lang);
    if args.json {
        print_json(&result)
    } else {
        print!("{}", render::matches(&result));
        Ok(())
    }
}

pub fn run(command: DirectoryCommand, lang: Lang) -> Result<(), CliError> {
    match command {
        DirectoryCommand::Match(args) => run_match(&args, lang),
        DirectoryCommand::Check { file, json } => {
            let report = read_report(&file)?;
            if json {
                print_json(&json!({
                    "services": report.directory.services.len(),
                    "errors": report.errors,
                }))?;
            } else {
                println!(
                    "{}",
                    tf(
                        lang,
                        "cli.directory.checked",
                        &[
                            ("good", &report.directory.services.len().to_string()),
                            ("bad", &report.errors.len().to_string()),
                        ]
                    )
                );
                for e in &report.errors {
                    println!("  {e}");
                }
            }
            if report.errors.is_empty() {
                Ok(())
            } else {
                Err(CliError::Input(format!(
                    "{}: {} bad row(s)",
                    file.display(),
                    report.errors.len()
                )))
            }
        }
        DirectoryCommand::Show { directory, json } => {
            let directory = load(directory.as_deref(), false, lang)?;
            if json {
                return print_json(&directory);
            }
            println!("{}", directory.name);
            for s in &directory.services {
                let cats: Vec<&str> = s.categories.iter().map(|c| c.id()).collect();
                println!(
                    "  {:<10} {} — {} [{}] {}",
                    s.id,
                    s.organisation,
                    s.service,
                    cats.join(","),
                    s.area
                );
            }
            Ok(())
        }
        DirectoryCommand::Import(_)
        | DirectoryCommand::Reset { .. }
        | DirectoryCommand::Status { .. }
        | DirectoryCommand::Frames { .. } => Err(CliError::Input(
            "this directory command needs the vault".into(),
        )),
    }
}
