//! Who to trust with a case: the signed NRM directory (`relais directory import|status|frames`),
//! the coordinator's tools (`relais coordinator init|sign|verify`), this device's identity
//! (`relais identity`), and remembered receivers (`relais handover remembered|forget`).
//! Formats: docs/directory.md, docs/handover-format.md §1.

use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use relais_core::handover::fingerprint::fingerprint;
use relais_core::handover::fountain::Encoder;
use relais_core::referral::Directory;
use relais_core::referral::signed::{self, SignedDirectory, hex, unhex};
use relais_core::vault::{NoPlatformSecret, Vault, now};
use serde_json::json;

use crate::secrets::{self, vault_error};
use crate::{CliError, FramesOut, handover_cmd, print_json, read_input};

#[derive(Debug, Subcommand)]
pub enum CoordinatorCommand {
    /// Creates the coordinator's signing key in its own vault (created if absent) and prints its
    /// public key: every device's set-up pins it.
    Init {
        /// The coordination body, as devices will show it.
        #[arg(long)]
        name: String,
    },
    /// Signs a directory (schema 2 JSON, or a schema-1 CSV/JSON plus --organisations) with the next
    /// version.
    Sign {
        file: PathBuf,
        /// A JSON array of the organisations allowed to receive cases (id, name, area, identity,
        /// valid_from, valid_until), when FILE has none.
        #[arg(long, value_name = "FILE")]
        organisations: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
    /// Verifies a signed directory against a coordinator key and says what it holds.
    Verify {
        file: PathBuf,
        /// The coordinator's public key (64 hex digits).
        #[arg(long)]
        key: String,
    },
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The signed directory file (`… .signed.json`).
    pub file: Option<PathBuf>,
    /// The coordinator's public key (64 hex digits): required the first time (it is then pinned),
    /// and must match afterwards.
    #[arg(long, value_name = "HEX")]
    pub coordinator: Option<String>,
    /// Imports the embedded fictitious Kwilu sample (demo and training), pinning its fictitious
    /// coordinator.
    #[arg(long, conflicts_with_all = ["file", "frames", "text"])]
    pub sample: bool,
    /// Rebuilds the file from QR frames (images, in any order).
    #[arg(long, num_args = 1.., value_name = "IMAGE", conflicts_with = "file")]
    pub frames: Vec<PathBuf>,
    /// Rebuilds the file from frame texts, one per line.
    #[arg(long, value_name = "FILE", conflicts_with = "file")]
    pub text: Option<PathBuf>,
}

fn key_arg(s: &str) -> Result<[u8; 32], CliError> {
    unhex::<32>(s).ok_or_else(|| {
        CliError::Input(
            "a coordinator key is 64 hexadecimal digits (what `relais coordinator init` printed)"
                .into(),
        )
    })
}

fn summary(d: &SignedDirectory) -> serde_json::Value {
    let dir = &d.directory;
    json!({
        "name": dir.name,
        "version": dir.version,
        "issued_at": dir.issued_at,
        "coordinator": dir.coordinator.as_ref().map(|c| c.name.clone()),
        "coordinator_key": hex(&d.coordinator),
        "coordinator_fingerprint": d.coordinator_fingerprint(),
        "services": dir.services.len(),
        "organisations": dir.organisations.len(),
        "fictitious": dir.fictitious,
    })
}

fn print_summary(d: &SignedDirectory) {
    let dir = &d.directory;
    println!(
        "{} — version {}, issued {}{}",
        dir.name,
        dir.version,
        chrono::DateTime::from_timestamp(dir.issued_at, 0)
            .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
            .unwrap_or_default(),
        if dir.fictitious {
            " (FICTITIOUS: demo data)"
        } else {
            ""
        }
    );
    println!(
        "signed by {} (key fingerprint {})",
        dir.coordinator.as_ref().map_or("?", |c| c.name.as_str()),
        d.coordinator_fingerprint()
    );
    println!(
        "{} services, {} organisations allowed to receive cases",
        dir.services.len(),
        dir.organisations.len()
    );
}

pub fn import(vault: &Path, args: &ImportArgs) -> Result<(), CliError> {
    let (file, coordinator) = if args.sample {
        let s = signed::sample();
        (s.file.clone(), Some(s.coordinator))
    } else {
        let file = match &args.file {
            Some(path) => read_input(path)?,
            None if !args.frames.is_empty() || args.text.is_some() => {
                let bytes = handover_cmd::collect(&args.frames, args.text.as_deref())?;
                String::from_utf8(bytes).map_err(|_| {
                    CliError::Input("the frames do not hold a directory file".into())
                })?
            }
            None => {
                return Err(CliError::Input(
                    "give the signed directory file, --frames, --text or --sample".into(),
                ));
            }
        };
        let key = args.coordinator.as_deref().map(key_arg).transpose()?;
        (file, key)
    };
    let mut v = secrets::unlock(vault)?;
    let got = v
        .import_directory(&file, coordinator.as_ref())
        .map_err(|e| vault_error(vault, e))?;
    print_summary(&got.directory);
    if !got.changed {
        eprintln!("this directory was already in use: nothing changed");
    }
    Ok(())
}

pub fn reset(vault: &Path, yes: bool) -> Result<(), CliError> {
    if !yes {
        return Err(CliError::Input(
            "this forgets the trusted coordinator and the directory in use: add --yes".into(),
        ));
    }
    let mut v = secrets::unlock(vault)?;
    v.reset_directory_trust()
        .map_err(|e| vault_error(vault, e))?;
    eprintln!(
        "directory and coordinator forgotten: import the new directory with --coordinator KEY"
    );
    Ok(())
}

pub fn status(vault: &Path, json_out: bool) -> Result<(), CliError> {
    let v = secrets::unlock(vault)?;
    let d = v.signed_directory().map_err(|e| vault_error(vault, e))?;
    match (d, json_out) {
        (Some(d), true) => print_json(&summary(&d)),
        (Some(d), false) => {
            print_summary(&d);
            Ok(())
        }
        (None, true) => print_json(&serde_json::Value::Null),
        (None, false) => {
            println!(
                "no signed directory: every receiver is shown as not verified (import one with `relais directory import`)"
            );
            Ok(())
        }
    }
}

pub fn frames(file: &Path, out: &FramesOut) -> Result<(), CliError> {
    let text = read_input(file)?;
    // Check before showing: a phone would refuse a file that does not verify anyway.
    let d = signed::verify(&text, None).map_err(|e| CliError::File {
        path: file.display().to_string(),
        message: e.to_string(),
    })?;
    let encoder = Encoder::new(
        text.as_bytes(),
        relais_core::handover::fountain::DEFAULT_FRAGMENT,
    )
    .map_err(|e| CliError::Input(e.to_string()))?;
    let (count, k) = handover_cmd::write_frames(&encoder, out)?;
    eprintln!(
        "{count} frames ({k} needed) of directory version {}",
        d.directory.version
    );
    Ok(())
}

pub fn identity(vault: &Path, json_out: bool) -> Result<(), CliError> {
    let mut v = secrets::unlock(vault)?;
    let (key, fp) = v.identity_public().map_err(|e| vault_error(vault, e))?;
    let organisation = v.organisation().map_err(|e| vault_error(vault, e))?;
    if json_out {
        return print_json(
            &json!({"identity": hex(&key), "fingerprint": fp, "organisation": organisation}),
        );
    }
    println!("{}", hex(&key));
    eprintln!("fingerprint: {fp} ({organisation})");
    Ok(())
}

pub fn remembered(vault: &Path) -> Result<(), CliError> {
    let v = secrets::unlock(vault)?;
    for p in v.pinned_receivers().map_err(|e| vault_error(vault, e))? {
        println!("{}  {}", p.fingerprint, p.organisation);
    }
    Ok(())
}

pub fn forget(vault: &Path, which: &str) -> Result<(), CliError> {
    let mut v = secrets::unlock(vault)?;
    v.unpin_receiver(which).map_err(|e| vault_error(vault, e))?;
    eprintln!("forgotten: that receiver will be shown as not verified again");
    Ok(())
}

/// The coordinator's vault: opened, or created (with a new passphrase) when absent.
fn coordinator_vault(path: &Path) -> Result<Vault, CliError> {
    if path.exists() {
        return secrets::unlock(path);
    }
    let pass = secrets::new_secret(
        "RELAIS_PASSPHRASE",
        "New passphrase for the coordinator vault",
    )?;
    Vault::create(
        path,
        &pass,
        &NoPlatformSecret,
        secrets::default_options(500)?,
    )
    .map_err(|e| vault_error(path, e))
}

fn read_directory(file: &Path, organisations: Option<&Path>) -> Result<Directory, CliError> {
    let file_error = |path: &Path, message: String| CliError::File {
        path: path.display().to_string(),
        message,
    };
    let report = Directory::load(&read_input(file)?, "directory")
        .map_err(|e| file_error(file, e.to_string()))?;
    if let Some(e) = report.errors.first() {
        return Err(file_error(
            file,
            format!("{} bad row(s), first: {e}", report.errors.len()),
        ));
    }
    let mut d = report.directory;
    if let Some(path) = organisations {
        d.organisations = serde_json::from_str(&read_input(path)?)
            .map_err(|e| file_error(path, e.to_string()))?;
    }
    Ok(d)
}

pub fn coordinator(command: CoordinatorCommand, path: &Path) -> Result<(), CliError> {
    match command {
        CoordinatorCommand::Init { name } => {
            let mut v = coordinator_vault(path)?;
            let key = v
                .init_coordinator(&name)
                .map_err(|e| vault_error(path, e))?;
            println!("{}", hex(&key));
            eprintln!(
                "coordinator key created for {name}; fingerprint {}. Give the key above to every device's set-up.",
                fingerprint(&key)
            );
            Ok(())
        }
        CoordinatorCommand::Sign {
            file,
            organisations,
            out,
        } => {
            let d = read_directory(&file, organisations.as_deref())?;
            let mut v = secrets::unlock(path)?;
            let signed_file = v
                .coordinator_sign(&d, now())
                .map_err(|e| vault_error(path, e))?;
            crate::write_private(&out, signed_file.as_bytes())?;
            let got =
                signed::verify(&signed_file, None).map_err(|e| CliError::Input(e.to_string()))?;
            print_summary(&got);
            Ok(())
        }
        CoordinatorCommand::Verify { file, key } => {
            let key = key_arg(&key)?;
            let got =
                signed::verify(&read_input(&file)?, Some(&key)).map_err(|e| CliError::File {
                    path: file.display().to_string(),
                    message: e.to_string(),
                })?;
            print_summary(&got);
            Ok(())
        }
    }
}
