//! `relais screen`: runs a form interactively, or non-interactively from an answers file.

use std::io::{self, IsTerminal, Write};
use std::path::Path;

use relais_core::i18n::{t, tf};
use relais_core::{Context, Draft, FormResult, Lang, Session, forms};

use crate::terminal::{self, Ended};
use crate::{CliError, ScreenArgs, language, print_json, read_input, render};

fn check_form(id: &str) -> Result<(), CliError> {
    if forms::get(id).is_some() {
        return Ok(());
    }
    let ids: Vec<&str> = forms::registry()
        .forms()
        .iter()
        .map(|f| f.id.as_str())
        .collect();
    Err(CliError::Input(format!(
        "unknown form '{id}': use one of {}",
        ids.join(", ")
    )))
}

fn read_draft(path: &Path, form: &str) -> Result<Draft, CliError> {
    let text = read_input(path)?;
    let draft = Draft::from_json(&text).map_err(|e| CliError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    })?;
    if draft.form != form {
        return Err(CliError::File {
            path: path.display().to_string(),
            message: format!("this file is for form '{}', not '{form}'", draft.form),
        });
    }
    Ok(draft)
}

fn output(result: &FormResult, json: bool) -> Result<(), CliError> {
    if json {
        print_json(result)
    } else {
        print!("{}", render::result(result));
        Ok(())
    }
}

/// Writes a draft readable by its owner only, replacing the old one in one step.
fn save_draft(path: &Path, draft: &Draft) -> Result<(), CliError> {
    let file_error = |e: io::Error| CliError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let tmp = path.with_extension("json.partial");
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&tmp).map_err(file_error)?;
        file.write_all(draft.to_json_pretty().as_bytes())
            .map_err(file_error)?;
        file.sync_all().map_err(file_error)?;
    }
    std::fs::rename(&tmp, path).map_err(file_error)
}

/// Saves a finished form into the vault: into `--case`, or into a new case when a vault exists at
/// the resolved path (unless `--no-save`). Returns the case code it was saved to.
fn save(
    args: &ScreenArgs,
    vault: Option<&Path>,
    draft: &Draft,
    result: &FormResult,
) -> Result<Option<String>, CliError> {
    if args.no_save {
        return Ok(None);
    }
    let path = crate::secrets::vault_path(vault)?;
    if args.case.is_none() && !path.is_file() {
        return Ok(None);
    }
    let mut v = crate::secrets::unlock(&path)?;
    let err = |e| crate::secrets::vault_error(&path, e);
    let code = match &args.case {
        Some(code) => code.clone(),
        None => v.create_case().map_err(err)?,
    };
    v.save_result(&code, draft, result).map_err(err)?;
    eprintln!(
        "{}",
        tf(session_lang(draft), "cli.saved_to_case", &[("case", &code)])
    );
    Ok(Some(code))
}

fn session_lang(draft: &Draft) -> Lang {
    draft.language.parse().unwrap_or(Lang::Fr)
}

pub fn run(
    args: &ScreenArgs,
    cli_lang: Option<Lang>,
    vault: Option<&Path>,
) -> Result<(), CliError> {
    check_form(&args.form)?;
    if let Some(path) = &args.answers {
        let mut draft = read_draft(path, &args.form)?;
        if let Some(lang) = cli_lang {
            draft.language = lang.code().to_string();
        }
        if let Some(age) = args.age {
            draft.context.age = Some(age);
        }
        let result = relais_core::run_draft(&draft).map_err(|e| CliError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        save(args, vault, &draft, &result)?;
        return output(&result, args.json);
    }

    let lang = language(cli_lang)?;
    let mut session = match &args.draft {
        Some(path) if path.exists() => {
            let mut draft = read_draft(path, &args.form)?;
            if let Some(age) = args.age {
                draft.context.age = Some(age);
            }
            let mut session = Session::resume(&draft).map_err(|e| CliError::File {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
            if let Some(l) = cli_lang {
                session
                    .set_language(l)
                    .map_err(|e| CliError::Input(e.to_string()))?;
            }
            eprintln!(
                "{}",
                tf(
                    session.language(),
                    "cli.draft.resumed",
                    &[("path", &path.display().to_string())]
                )
            );
            session
        }
        _ => Session::start(&args.form, lang, Context::with_age(args.age))
            .map_err(|e| CliError::Input(e.to_string()))?,
    };
    if args.draft.is_some() {
        eprintln!("{}", t(session.language(), "cli.draft.warning"));
    }

    let ended = if io::stdin().is_terminal() && io::stdout().is_terminal() {
        terminal::drive_tty(&mut session)?
    } else {
        let stdin = io::stdin();
        let stdout = io::stdout();
        terminal::drive_lines(&mut session, &mut stdin.lock(), &mut stdout.lock())?
    };
    let lang = session.language();
    match ended {
        Ended::Finished(result) => {
            if let Some(path) = &args.draft {
                save_draft(path, &session.draft())?;
            }
            save(args, vault, &session.draft(), &result)?;
            println!();
            output(&result, args.json)
        }
        Ended::Quit | Ended::Interrupted => {
            match &args.draft {
                Some(path) => {
                    save_draft(path, &session.draft())?;
                    let command = format!(
                        "relais screen --form {} --draft {}",
                        args.form,
                        path.display()
                    );
                    eprintln!(
                        "{}",
                        tf(
                            lang,
                            "cli.draft.saved",
                            &[("path", &path.display().to_string()), ("command", &command)]
                        )
                    );
                }
                None => eprintln!("{}", t(lang, "cli.draft.not_saved")),
            }
            match ended {
                Ended::Quit => Ok(()),
                _ => Err(CliError::Interrupted),
            }
        }
    }
}
