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

/// The vault a form is saved into, opened before the first question when the form is started in
/// a case (the case gives the form its context, and a wrong passphrase is told at once, before any
/// answer is given).
struct Target {
    path: std::path::PathBuf,
    vault: relais_core::vault::Vault,
    /// The case to save into; `None`: a new case.
    case: Option<String>,
}

/// Opens the vault for `--case`, and reads the case's context (age, child or adult).
fn open_case(
    args: &ScreenArgs,
    vault: Option<&Path>,
) -> Result<Option<(Target, Context)>, CliError> {
    let Some(code) = &args.case else {
        return Ok(None);
    };
    let path = crate::secrets::vault_path(vault)?;
    let v = crate::secrets::unlock(&path)?;
    let context = v
        .case_context(code)
        .map_err(|e| crate::secrets::vault_error(&path, e))?;
    Ok(Some((
        Target {
            path,
            vault: v,
            case: Some(code.clone()),
        },
        context,
    )))
}

/// The context a form starts from: `--age` when given, else the case's.
fn context_for(args: &ScreenArgs, case: Option<&Context>) -> Context {
    match (args.age, case) {
        (Some(age), _) => Context::with_age(Some(age)),
        (None, Some(c)) => *c,
        (None, None) => Context::default(),
    }
}

/// Saves a finished form into the vault: into `--case`, or into a new case when a vault exists at
/// the resolved path (unless `--no-save`). Returns the case code it was saved to.
fn save(
    args: &ScreenArgs,
    vault: Option<&Path>,
    target: Option<Target>,
    draft: &Draft,
    result: &FormResult,
) -> Result<Option<String>, CliError> {
    if args.no_save {
        return Ok(None);
    }
    let mut target = match target {
        Some(t) => t,
        None => {
            let path = crate::secrets::vault_path(vault)?;
            if !path.is_file() {
                return Ok(None);
            }
            let vault = crate::secrets::unlock(&path)?;
            Target {
                path,
                vault,
                case: None,
            }
        }
    };
    let path = target.path.clone();
    let err = |e| crate::secrets::vault_error(&path, e);
    let code = match &target.case {
        Some(code) => code.clone(),
        None => target.vault.create_case().map_err(err)?,
    };
    target
        .vault
        .save_result(&code, draft, result)
        .map_err(err)?;
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
    let opened = open_case(args, vault)?;
    let case_context = opened.as_ref().map(|(_, c)| *c);
    let target = opened.map(|(t, _)| t);
    if let Some(path) = &args.answers {
        let mut draft = read_draft(path, &args.form)?;
        if let Some(lang) = cli_lang {
            draft.language = lang.code().to_string();
        }
        if args.age.is_some() || draft.context == Context::default() {
            draft.context = context_for(args, case_context.as_ref());
        }
        let result = relais_core::run_draft(&draft).map_err(|e| CliError::File {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
        save(args, vault, target, &draft, &result)?;
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
        _ => Session::start(&args.form, lang, context_for(args, case_context.as_ref()))
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
            let saved = save(args, vault, target, &session.draft(), &result)?;
            if let Some(path) = &args.draft {
                if saved.is_some() {
                    // Saved in the vault, sealed: no plaintext copy of the answers stays behind.
                    match std::fs::remove_file(path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                        Err(e) => {
                            return Err(CliError::File {
                                path: path.display().to_string(),
                                message: e.to_string(),
                            });
                        }
                    }
                    eprintln!(
                        "{}",
                        tf(
                            lang,
                            "cli.draft.deleted",
                            &[("path", &path.display().to_string())]
                        )
                    );
                } else {
                    save_draft(path, &session.draft())?;
                }
            }
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
