//! `relais vault|cases|refer|referrals`: the encrypted vault from the command line.

use std::path::Path;

use relais_core::Priority;
use relais_core::i18n::t;
use relais_core::referral::directory::Directory;
use relais_core::vault::records::{CaseSummary, NewReferral, ReferralStatus};
use relais_core::vault::{CaseStatus, NoPlatformSecret, Vault, VaultOptions};
use relais_core::{Lang, effects::ConsentPurpose};
use serde_json::json;

use crate::secrets::{self, vault_error};
use crate::{
    CasesCommand, CliError, ExportCommand, ExportFormat, ReferArgs, ReferralsCommand, VaultCommand,
    print_json,
};

pub fn run_vault(command: VaultCommand, path: &Path) -> Result<(), CliError> {
    match command {
        VaultCommand::Organisation { name } => {
            let mut vault = secrets::unlock(path)?;
            vault
                .set_organisation(&name)
                .map_err(|e| vault_error(path, e))
        }
        VaultCommand::Init {
            max_failed,
            retention_days,
            unlock_ms,
            organisation,
        } => {
            if let Some(dir) = path.parent()
                && !dir.as_os_str().is_empty()
            {
                std::fs::create_dir_all(dir).map_err(|e| CliError::File {
                    path: dir.display().to_string(),
                    message: e.to_string(),
                })?;
            }
            let pass = secrets::new_secret("RELAIS_PASSPHRASE", "New passphrase")?;
            let options = VaultOptions {
                max_failed_unlocks: max_failed,
                retention_days,
                ..secrets::default_options(unlock_ms)?
            };
            let mut vault = Vault::create(path, &pass, &NoPlatformSecret, options)
                .map_err(|e| vault_error(path, e))?;
            if let Some(name) = organisation {
                vault
                    .set_organisation(&name)
                    .map_err(|e| vault_error(path, e))?;
            }
            eprintln!("vault created: {}", path.display());
            Ok(())
        }
        VaultCommand::Passwd => {
            let mut vault = secrets::unlock(path)?;
            let new = secrets::new_secret("RELAIS_NEW_PASSPHRASE", "New passphrase")?;
            vault
                .change_passphrase(&new, &NoPlatformSecret)
                .map_err(|e| vault_error(path, e))?;
            eprintln!("passphrase changed");
            Ok(())
        }
        VaultCommand::Duress => {
            let mut vault = secrets::unlock(path)?;
            let duress = secrets::new_secret("RELAIS_DURESS_PASSPHRASE", "Duress passphrase")?;
            vault
                .set_duress_passphrase(&duress, &NoPlatformSecret)
                .map_err(|e| vault_error(path, e))?;
            eprintln!("duress passphrase set");
            Ok(())
        }
        VaultCommand::Wipe { yes } => {
            if !yes {
                return Err(CliError::Input(
                    "this erases every case for good: run `relais vault wipe --yes`".into(),
                ));
            }
            Vault::wipe(path).map_err(|e| vault_error(path, e))?;
            eprintln!("vault erased: {}", path.display());
            Ok(())
        }
        VaultCommand::Check { json } => {
            let vault = secrets::unlock(path)?;
            let report = vault.check().map_err(|e| vault_error(path, e))?;
            if json {
                print_json(&report)?;
            } else {
                println!(
                    "SQLite: {} · cases {} · entries {} · referrals {} · audit entries {}",
                    report.sqlite_integrity,
                    report.cases,
                    report.entries,
                    report.referrals,
                    report.audit.entries
                );
                for d in &report.damaged {
                    println!("  damaged: {d}");
                }
                for s in &report.audit.broken {
                    println!("  audit chain broken at entry {s}");
                }
                println!(
                    "{}",
                    if report.ok {
                        "vault OK"
                    } else {
                        "vault DAMAGED"
                    }
                );
            }
            if report.ok {
                Ok(())
            } else {
                Err(CliError::Input(format!(
                    "{}: integrity check failed ({} damaged record(s), {} broken audit entr(ies))",
                    path.display(),
                    report.damaged.len(),
                    report.audit.broken.len()
                )))
            }
        }
        VaultCommand::Audit { json } => {
            let vault = secrets::unlock(path)?;
            let log = vault.audit_log().map_err(|e| vault_error(path, e))?;
            if json {
                return print_json(&log);
            }
            for e in log {
                println!(
                    "{:>5} {} {} {} {}",
                    e.seq, e.at, e.actor, e.action, e.target
                );
            }
            Ok(())
        }
    }
}

fn summary_line(c: &CaseSummary) -> String {
    format!(
        "{:<14} {:<15} entries {:>2} · referrals {:>2} · {}{}",
        c.id.as_deref().unwrap_or("?"),
        c.status.id(),
        c.entries,
        c.referrals,
        c.last_outcome.as_deref().unwrap_or("-"),
        if c.damaged { "  [DAMAGED]" } else { "" }
    )
}

pub fn run_cases(command: CasesCommand, path: &Path, lang: Lang) -> Result<(), CliError> {
    let mut vault = secrets::unlock(path)?;
    let err = |e| vault_error(path, e);
    match command {
        CasesCommand::New { json } => {
            let code = vault.create_case().map_err(err)?;
            if json {
                print_json(&json!({ "id": code }))
            } else {
                println!("{code}");
                Ok(())
            }
        }
        CasesCommand::List { json } => {
            let list = vault.list_cases().map_err(err)?;
            if json {
                return print_json(&list);
            }
            for c in &list {
                println!("{}", summary_line(c));
            }
            Ok(())
        }
        CasesCommand::Show { id, json } => {
            let detail = vault.case(&id).map_err(err)?;
            if json {
                return print_json(&detail);
            }
            println!("{} — {}", detail.id, detail.status.id());
            for e in &detail.entries {
                let summary = match e.kind {
                    relais_core::vault::records::EntryKind::Note => {
                        e.content["text"].as_str().unwrap_or("").to_string()
                    }
                    _ => format!(
                        "{} → {}",
                        e.content["form"].as_str().unwrap_or("consent"),
                        e.content["result"]["outcome"]
                            .as_str()
                            .or_else(|| e.content["result"]["kind"].as_str())
                            .unwrap_or("recorded")
                    ),
                };
                println!(
                    "  [{:?}] {} {}",
                    e.kind,
                    e.created_at,
                    relais_core::text::without_controls(&summary)
                );
            }
            for r in &detail.referrals {
                println!(
                    "  referral {} → {} ({}) {}",
                    r.id,
                    relais_core::text::without_controls(&r.details.organisation),
                    r.status.id(),
                    r.details.priority.id()
                );
            }
            for d in &detail.damaged {
                println!("  damaged: {d}");
            }
            Ok(())
        }
        CasesCommand::Note { id, text } => {
            vault.add_note(&id, &text).map_err(err)?;
            Ok(())
        }
        CasesCommand::Close { id, referred } => {
            let status = if referred {
                CaseStatus::ClosedReferred
            } else {
                CaseStatus::Closed
            };
            vault.set_case_status(&id, status).map_err(err)
        }
        CasesCommand::FollowUp { id } => vault
            .set_case_status(&id, CaseStatus::FollowUp)
            .map_err(err),
        CasesCommand::Reopen { id } => vault.set_case_status(&id, CaseStatus::Active).map_err(err),
        CasesCommand::Consent { id, purpose, scope } => {
            let purpose = match purpose.trim() {
                "referral" => ConsentPurpose::Referral,
                "handover" => ConsentPurpose::Handover,
                other => {
                    return Err(CliError::Input(format!(
                        "consent purpose '{other}': use referral or handover (the consent form records the rest)"
                    )));
                }
            };
            let scope = relais_core::vault::records::consent_scope(purpose, &scope);
            vault.record_consent(&id, purpose, &scope).map_err(err)?;
            Ok(())
        }
        CasesCommand::Services {
            id,
            area,
            directory,
            json,
        } => {
            let directory = match directory {
                Some(file) => crate::directory_cmd::load(Some(&file), false, lang)?,
                None => in_use(&vault, path)?,
            };
            let proposals = vault
                .propose_services(&id, &directory, area, lang)
                .map_err(err)?;
            if json {
                print_json(&proposals)
            } else {
                print!("{}", crate::render::matches(&proposals));
                Ok(())
            }
        }
        CasesCommand::Delete { id } => vault.delete_case(&id).map_err(err),
        CasesCommand::Purge => {
            let n = vault
                .apply_retention(relais_core::vault::now())
                .map_err(err)?;
            println!("{n}");
            Ok(())
        }
    }
}

/// The signed directory imported into the vault, else the fictitious sample.
fn in_use(vault: &Vault, path: &Path) -> Result<Directory, CliError> {
    Ok(vault
        .signed_directory()
        .map_err(|e| vault_error(path, e))?
        .map_or_else(|| Directory::sample_kwilu().clone(), |d| d.directory))
}

pub fn run_refer(args: &ReferArgs, path: &Path, lang: Lang) -> Result<(), CliError> {
    let mut vault = secrets::unlock(path)?;
    let directory = match &args.directory {
        Some(file) => {
            let data = crate::read_input(file)?;
            Directory::load(&data, "directory")
                .map_err(|e| CliError::File {
                    path: file.display().to_string(),
                    message: e.to_string(),
                })?
                .directory
        }
        None => in_use(&vault, path)?,
    };
    let service = directory
        .services
        .iter()
        .find(|s| s.id == args.service)
        .ok_or_else(|| {
            CliError::Input(format!("no service '{}' in the directory", args.service))
        })?;
    let priority: Priority = args.priority.parse().map_err(CliError::Input)?;
    let err = |e| vault_error(path, e);
    if args.consent {
        vault
            .record_consent(
                &args.case,
                ConsentPurpose::Referral,
                &relais_core::vault::records::consent_scope(ConsentPurpose::Referral, &service.id),
            )
            .map_err(err)?;
    }
    let id = vault
        .create_referral(
            &args.case,
            NewReferral {
                service_id: service.id.clone(),
                organisation: service.organisation.clone(),
                service: service.service.clone(),
                categories: service
                    .categories
                    .iter()
                    .map(|c| c.id().to_string())
                    .collect(),
                priority,
                reason: args.reason.clone(),
                override_reason: args.override_reason.clone(),
            },
        )
        .map_err(err)?;
    if directory.fictitious {
        eprintln!("{}", t(lang, "match.fictitious"));
    }
    if args.json {
        print_json(&json!({ "id": id }))
    } else {
        println!("{id}");
        Ok(())
    }
}

pub fn run_referrals(command: ReferralsCommand, path: &Path) -> Result<(), CliError> {
    let mut vault = secrets::unlock(path)?;
    let err = |e| vault_error(path, e);
    match command {
        ReferralsCommand::List { json } => {
            let (list, damaged) = vault.referrals().map_err(err)?;
            for d in &damaged {
                eprintln!("relais: warning: damaged record {d}");
            }
            if json {
                return print_json(&list);
            }
            for r in &list {
                println!(
                    "{}  {:<14} {:<10} {:<9} {}",
                    r.id,
                    r.case,
                    r.status.id(),
                    r.details.priority.id(),
                    r.details.organisation
                );
            }
            Ok(())
        }
        ReferralsCommand::Status { id, status, reason } => {
            let status = ReferralStatus::parse(&status).map_err(err)?;
            vault
                .set_referral_status(&id, status, reason.as_deref())
                .map_err(err)
        }
    }
}

pub fn run_export(command: &ExportCommand, path: &Path) -> Result<(), CliError> {
    use relais_core::vault::export;
    let mut vault = secrets::unlock(path)?;
    let err = |e| vault_error(path, e);
    match command {
        ExportCommand::Htcds {
            format: ExportFormat::Json,
        } => print_json(&vault.export_htcds().map_err(err)?),
        ExportCommand::Htcds {
            format: ExportFormat::Csv,
        } => {
            let e = vault.export_htcds().map_err(err)?;
            print!("{}", export::htcds_csv(&e).map_err(err)?);
            Ok(())
        }
        ExportCommand::File { .. } => Err(CliError::Input("use relais export file".into())),
        ExportCommand::Stats { format, k } => {
            let format = *format;
            let k = k.unwrap_or_else(export::default_k);
            if k < 2 {
                return Err(CliError::Input("k must be at least 2".into()));
            }
            let stats = vault.export_stats(k).map_err(err)?;
            match format {
                ExportFormat::Json => print_json(&stats),
                ExportFormat::Csv => {
                    print!("{}", export::stats_csv(&stats).map_err(err)?);
                    Ok(())
                }
            }
        }
    }
}
