//! The `relais` command line. Every flow a phone offers is offered here too, so that every flow can
//! be tested end to end. The CLI holds no domain logic: it parses arguments, calls the core, and
//! prints what the core returns.

mod demo;
mod directory_cmd;
mod forms_cmd;
mod handover_cmd;
mod render;
mod score_cmd;
mod screen_cmd;
mod secrets;
mod terminal;
mod trust_cmd;
mod vault_cmd;

use std::io;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand};
use relais_core::Lang;

/// Relais: screening for possible trafficking, assessments and referral, offline.
#[derive(Debug, Parser)]
#[command(name = "relais", version, about, long_about = None)]
pub struct Cli {
    /// Language of questions, results and messages: fr, en or es (default: $RELAIS_LANG, else fr).
    #[arg(long, global = true, value_parser = parse_lang)]
    pub lang: Option<Lang>,
    /// The vault file (default: $RELAIS_VAULT, else the platform's data directory).
    #[arg(long, value_name = "PATH")]
    pub vault: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse::<Lang>().map_err(|e| e.to_string())
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The forms compiled into Relais.
    Forms {
        #[command(subcommand)]
        command: FormsCommand,
    },
    /// Scores an explicit set of ILO indicator ids.
    Score(ScoreArgs),
    /// Runs a form: interactively in the terminal, or from an answers file.
    Screen(ScreenArgs),
    /// The service directory and referral matching.
    Directory {
        #[command(subcommand)]
        command: DirectoryCommand,
    },
    /// Runs a fictitious training case end to end: interview, needs, and proposed services.
    Demo(DemoArgs),
    /// The encrypted vault: create, change passphrase, set a duress passphrase, wipe, check.
    Vault {
        #[command(subcommand)]
        command: VaultCommand,
    },
    /// Cases in the vault.
    Cases {
        #[command(subcommand)]
        command: CasesCommand,
    },
    /// Refers a case to a service of the directory (needs consent, or --override with a reason).
    Refer(ReferArgs),
    /// Referrals in the vault.
    Referrals {
        #[command(subcommand)]
        command: ReferralsCommand,
    },
    /// Exports: consenting cases to HTCDS v2.0, anonymised statistics, or one case sealed in a file.
    Export {
        #[command(subcommand)]
        command: ExportCommand,
    },
    /// Imports a case from a `.relais` file sealed to a key this device showed.
    Import {
        file: PathBuf,
        /// Writes the acknowledgement QR (PNG) for the sender.
        #[arg(long, value_name = "FILE.png")]
        ack_out: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Moves a case to another device by QR codes, with no network.
    Handover {
        #[command(subcommand)]
        command: HandoverCommand,
    },
    /// This device's identity key and fingerprint (for the coordinator's directory, and for the
    /// sender to compare).
    Identity {
        #[arg(long)]
        json: bool,
    },
    /// The NRM coordinator's tools: a signing key in its own vault, and signed directories.
    Coordinator {
        #[command(subcommand)]
        command: trust_cmd::CoordinatorCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Cases whose consent agrees to research, with IOM HTCDS v2.0 field names.
    Htcds {
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
    },
    /// Anonymised counts of those cases, small cells suppressed.
    Stats {
        #[arg(long, value_enum, default_value = "json")]
        format: ExportFormat,
        /// The smallest count published (smaller cells are suppressed).
        #[arg(long)]
        k: Option<u32>,
    },
    /// One case, sealed to the receiver's key, in a `.relais` file (needs consent to this handover).
    File {
        id: String,
        /// The receiver's key QR: an image (PNG/JPEG) or a text file.
        #[arg(long, value_name = "KEY")]
        to: PathBuf,
        #[arg(long, value_name = "FILE.relais")]
        out: PathBuf,
        #[command(flatten)]
        trust: TrustArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum HandoverCommand {
    /// Receiver: opens a session and shows its key QR (in the terminal, or as PNG/text files).
    Key {
        #[arg(long, value_name = "FILE.png")]
        out: Option<PathBuf>,
        #[arg(long, value_name = "FILE")]
        text_out: Option<PathBuf>,
        /// How long the key is valid.
        #[arg(long, default_value_t = 10)]
        minutes: u32,
        /// The largest fragment per frame this device's camera reads (bytes).
        #[arg(long, default_value_t = relais_core::handover::fountain::DEFAULT_FRAGMENT as u16)]
        fragment: u16,
        /// Also draws the key QR in the terminal.
        #[arg(long)]
        terminal: bool,
    },
    /// Sender: says who a receiver key belongs to (listed, remembered, or not verified) before
    /// anything is sealed.
    Check {
        /// The receiver's key QR: an image (PNG/JPEG) or a text file.
        #[arg(long, value_name = "KEY")]
        to: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Sender: seals a case to the receiver's key and writes the animated frames.
    Send(SendArgs),
    /// The unlisted receivers this device remembers after comparing their fingerprints.
    Remembered,
    /// Forgets a remembered receiver (by fingerprint).
    Forget { fingerprint: String },
    /// Receiver: rebuilds the case from frames (images in any order, or --text with one frame per
    /// line), verifies it, imports it and shows the acknowledgement.
    Receive {
        files: Vec<PathBuf>,
        #[arg(long, value_name = "FILE")]
        text: Option<PathBuf>,
        #[arg(long, value_name = "FILE.png")]
        ack_out: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Sender: records the receiver's acknowledgement (an image of the ACK QR, or --text).
    Ack {
        file: Option<PathBuf>,
        #[arg(long)]
        text: Option<String>,
    },
}

#[derive(Debug, Args)]
pub struct SendArgs {
    /// The case code.
    pub id: String,
    /// The receiver's key QR: an image (PNG/JPEG) or a text file.
    #[arg(long, value_name = "KEY")]
    pub to: PathBuf,
    #[command(flatten)]
    pub trust: TrustArgs,
    #[command(flatten)]
    pub frames_out: FramesOut,
}

/// How the sender vouches for a receiver that no directory lists.
#[derive(Debug, Args)]
pub struct TrustArgs {
    /// The receiver's 30-digit fingerprint, as read on the receiver's own screen: needed when the
    /// receiver is neither in the signed directory nor remembered.
    #[arg(long, value_name = "DIGITS")]
    pub fingerprint: Option<String>,
    /// Remembers this receiver once its fingerprint matched.
    #[arg(long)]
    pub remember: bool,
}

/// Where animated frames go.
#[derive(Debug, Args)]
pub struct FramesOut {
    /// Where the frame PNGs are written (frame-001.png…).
    #[arg(long, value_name = "DIR")]
    pub out_dir: PathBuf,
    /// At least this many frames (extra fountain frames for lossy channels).
    #[arg(long)]
    pub frames: Option<u32>,
    /// Also an animated GIF a laptop screen can show.
    #[arg(long, value_name = "FILE.gif")]
    pub gif: Option<PathBuf>,
    /// Also the frames as text, one per line.
    #[arg(long, value_name = "FILE")]
    pub text_out: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Json,
    Csv,
}

#[derive(Debug, Subcommand)]
pub enum VaultCommand {
    /// Creates the vault (passphrase from $RELAIS_PASSPHRASE or typed twice).
    Init {
        /// Failed unlocks before the vault erases itself.
        #[arg(long, default_value_t = 10)]
        max_failed: u32,
        /// Purge closed cases this many days after closing.
        #[arg(long)]
        retention_days: Option<u32>,
        /// Target unlock time on this device: the key derivation is calibrated to it (never below
        /// Argon2id with 64 MiB and 3 passes).
        #[arg(long, default_value_t = 500)]
        unlock_ms: u64,
        /// The organisation this device works for (shown to the other side of a handover).
        #[arg(long)]
        organisation: Option<String>,
    },
    /// Sets the organisation this device works for.
    Organisation { name: String },
    /// Changes the passphrase (new one from $RELAIS_NEW_PASSPHRASE or typed twice).
    Passwd,
    /// Sets the duress passphrase ($RELAIS_DURESS_PASSPHRASE or typed twice): entering it instead of
    /// the passphrase silently erases the vault and opens an empty one.
    Duress,
    /// Panic wipe: erases every key and record and deletes the files. No passphrase needed.
    Wipe {
        #[arg(long)]
        yes: bool,
    },
    /// Checks integrity: SQLite's check, every sealed record, the audit chain.
    Check {
        #[arg(long)]
        json: bool,
    },
    /// The audit log: who did what when, on which record id (never the content).
    Audit {
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum CasesCommand {
    /// Opens a new case; prints its pseudonymous code.
    New {
        #[arg(long)]
        json: bool,
    },
    /// Lists the cases.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Everything stored about a case, notes included.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Adds a note.
    Note {
        id: String,
        #[arg(long)]
        text: String,
    },
    /// Closes a case (`--referred`: closed after referral).
    Close {
        id: String,
        #[arg(long)]
        referred: bool,
    },
    /// Marks a case for follow-up.
    FollowUp { id: String },
    /// Makes a closed case active again.
    Reopen { id: String },
    /// Records the person's consent, given now, to one referral or one handover.
    Consent {
        id: String,
        /// referral or handover.
        #[arg(long)]
        purpose: String,
        /// What it is for: the service id of the referral, or the receiving organisation.
        #[arg(long = "for", value_name = "SERVICE_OR_ORGANISATION")]
        scope: String,
    },
    /// The services to propose for a case, from the needs and red flags its screenings and
    /// assessments found.
    Services {
        id: String,
        /// Where the person is: an area path (`Kwilu/Kikwit`) or a place name.
        #[arg(long)]
        area: Option<String>,
        /// The directory file (default: the fictitious Kwilu sample).
        #[arg(long, value_name = "FILE")]
        directory: Option<std::path::PathBuf>,
        #[arg(long)]
        json: bool,
    },
    /// Deletes a case and everything in it.
    Delete { id: String },
    /// Purges closed cases past the retention period now.
    Purge,
}

#[derive(Debug, Args)]
pub struct ReferArgs {
    /// The case code.
    pub case: String,
    /// The service id in the directory.
    #[arg(long)]
    pub service: String,
    /// emergency (24 h), urgent (72 h) or normal.
    #[arg(long, default_value = "normal")]
    pub priority: String,
    /// Why the person is referred.
    #[arg(long)]
    pub reason: String,
    /// The person agrees to this referral now (recorded as a consent entry).
    #[arg(long)]
    pub consent: bool,
    /// Refers without consent, for this recorded reason.
    #[arg(long = "override", value_name = "REASON")]
    pub override_reason: Option<String>,
    /// The directory file (default: the fictitious Kwilu sample).
    #[arg(long, value_name = "FILE")]
    pub directory: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum ReferralsCommand {
    /// Lists every referral.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Moves a referral on: sent, accepted, rejected (with --reason) or completed.
    Status {
        id: String,
        status: String,
        #[arg(long)]
        reason: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum FormsCommand {
    /// Lists the forms: id, version, languages.
    List {
        #[arg(long)]
        json: bool,
    },
    /// Shows every question of a form, with conditions and what each answer evidences.
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Comma-separated indicator ids (e.g. DR.nature_of_job,EX.excessive_hours); empty is valid.
    #[arg(long, default_value = "", value_name = "ID,ID,...")]
    pub indicators: String,
    /// The person's age: under 18 uses the child indicator set and combination.
    #[arg(long)]
    pub age: u32,
    /// Comma-separated red flags: immediate_danger, unaccompanied_child, injury, under_control.
    #[arg(long, default_value = "", value_name = "FLAG,...")]
    pub flags: String,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ScreenArgs {
    /// The form: quick-check, interview, needs, risk or consent.
    #[arg(long)]
    pub form: String,
    /// The person's age, when known: the age question is then not asked.
    #[arg(long)]
    pub age: Option<u32>,
    /// Runs non-interactively from an answers file (the draft format of docs/forms.md).
    #[arg(long, value_name = "FILE.json", conflicts_with = "draft")]
    pub answers: Option<PathBuf>,
    /// Interactive: resume from this draft if it exists; quitting saves the draft here (unencrypted
    /// until the vault lands: keep it on an encrypted disk and delete it after use).
    #[arg(long, value_name = "FILE.json")]
    pub draft: Option<PathBuf>,
    /// Prints the result as JSON.
    #[arg(long)]
    pub json: bool,
    /// Saves the screening into this case of the vault.
    #[arg(long, value_name = "CASE")]
    pub case: Option<String>,
    /// Does not save into the vault, even when one exists.
    #[arg(long, conflicts_with = "case")]
    pub no_save: bool,
}

#[derive(Debug, Subcommand)]
pub enum DirectoryCommand {
    /// Proposes services for needs and red flags, nearest and most suitable first.
    Match(MatchArgs),
    /// Checks a directory file (CSV or JSON) and reports every bad row.
    Check {
        file: PathBuf,
        #[arg(long)]
        json: bool,
    },
    /// Imports a signed NRM directory into the vault (from a file, or from QR frames).
    Import(trust_cmd::ImportArgs),
    /// Forgets the directory in use and its coordinator key, so that the next import pins another
    /// coordinator (a training phone moving to the real directory). Until then no receiver is
    /// verified by the directory.
    Reset {
        /// Confirms: the coordinator is forgotten.
        #[arg(long)]
        yes: bool,
    },
    /// The signed directory in use: who signed it, version, date, counts.
    Status {
        #[arg(long)]
        json: bool,
    },
    /// Writes a signed directory as animated QR frames, for phones to import by scanning.
    Frames {
        file: PathBuf,
        #[command(flatten)]
        frames_out: FramesOut,
    },
    /// Lists the services of a directory (default: the fictitious Kwilu sample).
    Show {
        #[arg(long, value_name = "FILE")]
        directory: Option<PathBuf>,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Args)]
pub struct MatchArgs {
    /// Comma-separated needs: safety, medical, shelter, psychosocial, legal, documents,
    /// family_contact, interpretation, basic_needs; each may end with :emergency, :urgent or :normal.
    #[arg(long, default_value = "", value_name = "NEED[:PRIORITY],...")]
    pub needs: String,
    /// Comma-separated red flags, which add the needs they imply.
    #[arg(long, default_value = "", value_name = "FLAG,...")]
    pub flags: String,
    /// Where the person is: an area path (Kwilu/Kikwit) or a place name (Kikwit).
    #[arg(long)]
    pub area: Option<String>,
    /// The person is a child: only services that take children; child protection is added.
    #[arg(long)]
    pub child: bool,
    /// A language the person speaks (ISO 639 code such as ln, kg, sw).
    #[arg(long, value_name = "CODE")]
    pub speaks: Option<String>,
    /// The directory file, CSV or JSON (default: the fictitious Kwilu sample).
    #[arg(long, value_name = "FILE")]
    pub directory: Option<PathBuf>,
    /// Refuses a directory file with any bad row (by default bad rows are reported and skipped).
    #[arg(long)]
    pub strict: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The training case to run.
    #[arg(long, default_value = relais_core::training::DEFAULT_CASE)]
    pub case: String,
    /// Prints every result as JSON.
    #[arg(long)]
    pub json: bool,
}

/// A failed command. Messages name ids, files and questions, never what a person said.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{0}")]
    Input(String),
    #[error("{path}: {message}")]
    File { path: String, message: String },
    #[error("{0}")]
    Io(#[from] io::Error),
    #[error("interrupted")]
    Interrupted,
}

impl CliError {
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Interrupted => 130,
            _ => 1,
        }
    }

    fn input(message: impl Into<String>) -> CliError {
        CliError::Input(message.into())
    }
}

/// The largest file the CLI reads (answers, drafts, directories): far above any real one.
pub const MAX_INPUT_BYTES: u64 = 4 * 1024 * 1024;

/// Writes a file that only its owner can read (0600 on Unix): keys, frames, envelopes and signed
/// files are nobody else's business on a shared computer.
pub(crate) fn write_private(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    use std::io::Write;
    let file_error = |e: io::Error| CliError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(file_error)?;
    // A file that existed keeps its old mode through open(): set it.
    #[cfg(unix)]
    file.set_permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(file_error)?;
    file.write_all(bytes).map_err(file_error)
}

/// Creates a directory (and its parents) for private files: 0700 on Unix.
pub(crate) fn create_private_dir(path: &Path) -> Result<(), CliError> {
    let file_error = |e: io::Error| CliError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    std::fs::create_dir_all(path).map_err(file_error)?;
    #[cfg(unix)]
    std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o700))
        .map_err(file_error)?;
    Ok(())
}

/// Reads a text file with a size limit and a clear error.
pub(crate) fn read_input(path: &Path) -> Result<String, CliError> {
    let file_error = |message: String| CliError::File {
        path: path.display().to_string(),
        message,
    };
    let meta = std::fs::metadata(path).map_err(|e| file_error(e.to_string()))?;
    if meta.len() > MAX_INPUT_BYTES {
        return Err(file_error(format!(
            "too large ({} bytes; the limit is {MAX_INPUT_BYTES})",
            meta.len()
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| file_error(e.to_string()))?;
    String::from_utf8(bytes).map_err(|_| file_error("not UTF-8 text".into()))
}

/// The language to use: `--lang`, else `$RELAIS_LANG`, else French.
pub(crate) fn language(cli_lang: Option<Lang>) -> Result<Lang, CliError> {
    if let Some(lang) = cli_lang {
        return Ok(lang);
    }
    match std::env::var("RELAIS_LANG") {
        Ok(v) if !v.trim().is_empty() => {
            v.parse().map_err(|e: relais_core::lang::UnknownLanguage| {
                CliError::input(format!("RELAIS_LANG: {e}"))
            })
        }
        _ => Ok(Lang::Fr),
    }
}

/// Splits a comma-separated argument, dropping blanks.
pub(crate) fn list(arg: &str) -> Vec<&str> {
    arg.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect()
}

pub(crate) fn print_json<T: serde::Serialize>(value: &T) -> Result<(), CliError> {
    let text = serde_json::to_string_pretty(value)
        .map_err(|e| CliError::input(format!("cannot write JSON: {e}")))?;
    println!("{text}");
    Ok(())
}

/// Runs a parsed command line.
pub fn run(cli: Cli) -> Result<(), CliError> {
    match cli.command {
        Command::Forms { command } => forms_cmd::run(command, language(cli.lang)?),
        Command::Score(args) => score_cmd::run(&args, language(cli.lang)?),
        Command::Screen(args) => screen_cmd::run(&args, cli.lang, cli.vault.as_deref()),
        Command::Directory { command } => match command {
            DirectoryCommand::Import(args) => {
                trust_cmd::import(&secrets::vault_path(cli.vault.as_deref())?, &args)
            }
            DirectoryCommand::Reset { yes } => {
                trust_cmd::reset(&secrets::vault_path(cli.vault.as_deref())?, yes)
            }
            DirectoryCommand::Status { json } => {
                trust_cmd::status(&secrets::vault_path(cli.vault.as_deref())?, json)
            }
            DirectoryCommand::Frames { file, frames_out } => trust_cmd::frames(&file, &frames_out),
            other => directory_cmd::run(other, language(cli.lang)?),
        },
        Command::Identity { json } => {
            trust_cmd::identity(&secrets::vault_path(cli.vault.as_deref())?, json)
        }
        Command::Coordinator { command } => {
            trust_cmd::coordinator(command, &secrets::vault_path(cli.vault.as_deref())?)
        }
        Command::Demo(args) => demo::run(&args, language(cli.lang)?),
        Command::Vault { command } => {
            vault_cmd::run_vault(command, &secrets::vault_path(cli.vault.as_deref())?)
        }
        Command::Cases { command } => vault_cmd::run_cases(
            command,
            &secrets::vault_path(cli.vault.as_deref())?,
            language(cli.lang)?,
        ),
        Command::Refer(args) => vault_cmd::run_refer(
            &args,
            &secrets::vault_path(cli.vault.as_deref())?,
            language(cli.lang)?,
        ),
        Command::Referrals { command } => {
            vault_cmd::run_referrals(command, &secrets::vault_path(cli.vault.as_deref())?)
        }
        Command::Export { command } => {
            let path = secrets::vault_path(cli.vault.as_deref())?;
            match command {
                ExportCommand::File { id, to, out, trust } => {
                    handover_cmd::export_file(&path, &id, &to, &out, &trust)
                }
                other => vault_cmd::run_export(&other, &path),
            }
        }
        Command::Import {
            file,
            ack_out,
            json,
        } => handover_cmd::import_file(
            &secrets::vault_path(cli.vault.as_deref())?,
            &file,
            ack_out.as_deref(),
            json,
        ),
        Command::Handover { command } => {
            let path = secrets::vault_path(cli.vault.as_deref())?;
            match command {
                HandoverCommand::Key {
                    out,
                    text_out,
                    minutes,
                    fragment,
                    terminal,
                } => handover_cmd::key(
                    &path,
                    out.as_deref(),
                    text_out.as_deref(),
                    minutes,
                    fragment,
                    terminal,
                ),
                HandoverCommand::Check { to, json } => handover_cmd::check(&path, &to, json),
                HandoverCommand::Send(args) => handover_cmd::send(&path, &args),
                HandoverCommand::Remembered => trust_cmd::remembered(&path),
                HandoverCommand::Forget { fingerprint } => trust_cmd::forget(&path, &fingerprint),
                HandoverCommand::Receive {
                    files,
                    text,
                    ack_out,
                    json,
                } => {
                    handover_cmd::receive(&path, &files, text.as_deref(), ack_out.as_deref(), json)
                }
                HandoverCommand::Ack { file, text } => {
                    handover_cmd::ack(&path, file.as_deref(), text.as_deref())
                }
            }
        }
    }
}
