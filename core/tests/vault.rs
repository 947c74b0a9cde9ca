//! The vault: keys and unlocking, records, tamper detection, plaintext scans, crash safety.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests fail loudly by design

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use relais_core::effects::{ConsentPurpose, Priority};
use relais_core::vault::crypto::KdfParams;
use relais_core::vault::records::{NewReferral, ReferralStatus};
use relais_core::vault::{
    CaseStatus, KeyProvider, KeyProviderError, NoPlatformSecret, Vault, VaultError, VaultOptions,
};
use relais_core::{Draft, run_draft};
use rusqlite::Connection;
use zeroize::Zeroizing;

const PASS: &str = "correct horse 42";

fn options() -> VaultOptions {
    VaultOptions {
        kdf: KdfParams::INSECURE_FOR_TESTS,
        ..VaultOptions::default()
    }
}

fn new_vault(dir: &tempfile::TempDir) -> (PathBuf, Vault) {
    let path = dir.path().join("vault.db");
    let vault = Vault::create(&path, PASS, &NoPlatformSecret, options()).unwrap();
    (path, vault)
}

fn unlock(path: &Path) -> Result<Vault, VaultError> {
    Vault::unlock(path, PASS, &NoPlatformSecret)
}

fn golden_draft(name: &str) -> Draft {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../tests/vectors/screen")
        .join(name);
    Draft::from_json(&std::fs::read_to_string(p).unwrap()).unwrap()
}

fn referral(service: &str, override_reason: Option<&str>) -> NewReferral {
    NewReferral {
        service_id: service.into(),
        organisation: "[FICTIF] Centre".into(),
        service: "Soins".into(),
        categories: vec!["health".into()],
        priority: Priority::Emergency,
        reason: "injured foot".into(),
        override_reason: override_reason.map(str::to_string),
    }
}

// --- keys and unlocking -----------------------------------------------------------------------------

#[test]
fn create_lock_unlock() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    let code = v.create_case().unwrap();
    v.lock();
    let v = unlock(&path).unwrap();
    assert_eq!(
        v.list_cases().unwrap()[0].id.as_deref(),
        Some(code.as_str())
    );
    assert!(matches!(
        Vault::create(&path, PASS, &NoPlatformSecret, options()),
        Err(VaultError::Exists)
    ));
    assert!(matches!(
        Vault::create(&dir.path().join("x"), "short", &NoPlatformSecret, options()),
        Err(VaultError::WeakPassphrase(_))
    ));
    assert!(matches!(
        unlock(&dir.path().join("missing.db")),
        Err(VaultError::NotFound)
    ));
}

#[test]
fn wrong_passphrase_counts_delays_and_erases() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    v.create_case().unwrap();
    drop(v);
    let t0 = 1_000_000;
    // Two free failures, then a growing delay.
    for (i, remaining) in [(0, 9), (1, 8)] {
        let err = Vault::unlock_at(&path, "Zebra-guess-7", &NoPlatformSecret, t0 + i).unwrap_err();
        assert_eq!(err, VaultError::WrongPassphrase { remaining });
        assert!(!err.to_string().contains("Zebra-guess-7"));
    }
    let err = Vault::unlock_at(&path, "Zebra-guess-7", &NoPlatformSecret, t0 + 2).unwrap_err();
    assert_eq!(err, VaultError::WrongPassphrase { remaining: 7 });
    // 3 failures: wait 1 s; the right passphrase too must wait.
    assert_eq!(
        Vault::unlock_at(&path, PASS, &NoPlatformSecret, t0 + 2).unwrap_err(),
        VaultError::TooSoon { seconds: 1 }
    );
    assert_eq!(Vault::failed_unlocks(&path).unwrap(), (3, 10));
    // A success resets the counter, and the data is intact.
    let v = Vault::unlock_at(&path, PASS, &NoPlatformSecret, t0 + 3).unwrap();
    assert_eq!(v.list_cases().unwrap().len(), 1);
    drop(v);
    assert_eq!(Vault::failed_unlocks(&path).unwrap(), (0, 10));
    // Ten failures in a row erase the vault.
    let mut t = t0 + 10;
    for i in 1..=10u32 {
        t += 400;
        let err = Vault::unlock_at(&path, "Zebra-guess-7", &NoPlatformSecret, t).unwrap_err();
        if i < 10 {
            assert_eq!(err, VaultError::WrongPassphrase { remaining: 10 - i });
        } else {
            assert_eq!(err, VaultError::Erased);
        }
    }
    assert_eq!(
        Vault::unlock_at(&path, PASS, &NoPlatformSecret, t + 400).unwrap_err(),
        VaultError::Erased
    );
    let conn = Connection::open(&path).unwrap();
    let rows: i64 = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM keyslots) + (SELECT COUNT(*) FROM cases)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(rows, 0, "key material and records are gone");
}

#[test]
fn delays_grow_and_cap() {
    use relais_core::vault::unlock_delay;
    assert_eq!(
        [0, 1, 2, 3, 4, 5, 9].map(unlock_delay),
        [0, 0, 0, 1, 2, 4, 64]
    );
    assert_eq!(unlock_delay(30), 300);
}

#[test]
fn duress_passphrase_silently_erases_and_opens_an_empty_vault() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    v.create_case().unwrap();
    assert_eq!(
        v.set_duress_passphrase(PASS, &NoPlatformSecret)
            .unwrap_err(),
        VaultError::DuressSameAsPassphrase
    );
    v.set_duress_passphrase("open sesame", &NoPlatformSecret)
        .unwrap();
    drop(v);
    let empty = Vault::unlock(&path, "open sesame", &NoPlatformSecret).unwrap();
    assert!(empty.list_cases().unwrap().is_empty());
    assert!(
        empty
            .audit_log()
            .unwrap()
            .iter()
            .all(|e| !e.action.contains("duress"))
    );
    drop(empty);
    // The real passphrase no longer opens anything; the duress one now opens the empty vault.
    assert!(matches!(
        unlock(&path),
        Err(VaultError::WrongPassphrase { .. })
    ));
    assert!(
        Vault::unlock(&path, "open sesame", &NoPlatformSecret)
            .unwrap()
            .list_cases()
            .unwrap()
            .is_empty()
    );
}

#[test]
fn passphrase_change_rewraps_only() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    let code = v.create_case().unwrap();
    v.add_note(&code, "a note").unwrap();
    let before: Vec<u8> = Connection::open(&path)
        .unwrap()
        .query_row("SELECT head FROM cases", [], |r| r.get(0))
        .unwrap();
    v.change_passphrase("new passphrase", &NoPlatformSecret)
        .unwrap();
    drop(v);
    let after: Vec<u8> = Connection::open(&path)
        .unwrap()
        .query_row("SELECT head FROM cases", [], |r| r.get(0))
        .unwrap();
    assert_eq!(before, after, "records are not re-encrypted");
    assert!(matches!(
        unlock(&path),
        Err(VaultError::WrongPassphrase { .. })
    ));
    let v = Vault::unlock(&path, "new passphrase", &NoPlatformSecret).unwrap();
    assert_eq!(v.case(&code).unwrap().entries.len(), 1);
}

struct Hardware(&'static [u8]);
impl KeyProvider for Hardware {
    fn platform_secret(&self) -> Result<Zeroizing<Vec<u8>>, KeyProviderError> {
        if self.0.is_empty() {
            Err(KeyProviderError("keystore locked".into()))
        } else {
            Ok(Zeroizing::new(self.0.to_vec()))
        }
    }
}

#[test]
fn a_platform_secret_is_needed_to_open_a_vault_bound_to_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    Vault::create(&path, PASS, &Hardware(b"device-secret"), options()).unwrap();
    assert!(matches!(
        Vault::unlock(&path, PASS, &NoPlatformSecret),
        Err(VaultError::WrongPassphrase { .. })
    ));
    assert!(matches!(
        Vault::unlock(&path, PASS, &Hardware(b"other-device")),
        Err(VaultError::WrongPassphrase { .. })
    ));
    assert!(matches!(
        Vault::unlock(&path, PASS, &Hardware(b"")),
        Err(VaultError::Platform(_))
    ));
    Vault::unlock(&path, PASS, &Hardware(b"device-secret")).unwrap();
}

#[test]
fn panic_wipe_removes_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    v.create_case().unwrap();
    drop(v);
    Vault::wipe(&path).unwrap();
    assert!(
        std::fs::read_dir(dir.path()).unwrap().next().is_none(),
        "no file left"
    );
    assert!(matches!(Vault::wipe(&path), Err(VaultError::NotFound)));
}

// --- records -----------------------------------------------------------------------------------------

#[test]
fn cases_entries_and_statuses() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut v) = new_vault(&dir);
    let code = v.create_case().unwrap();
    assert!(code.starts_with("RLS-") && code.len() == 13, "{code}");
    let draft = golden_draft("interview-fr-adult-djibouti-domestic.draft.json");
    let result = run_draft(&draft).unwrap();
    v.save_result(&code, &draft, &result).unwrap();
    v.add_note(&code, "Revoir mardi").unwrap();
    assert!(v.add_note(&code, "   ").is_err());
    assert!(matches!(
        v.add_note("RLS-NOPE-NOPE", "x"),
        Err(VaultError::NoSuch("case"))
    ));
    let list = v.list_cases().unwrap();
    assert_eq!(list[0].entries, 2);
    assert_eq!(
        list[0].last_outcome.as_deref(),
        Some("possible_trafficking")
    );
    let detail = v.case(&code.to_lowercase()).unwrap();
    assert_eq!(detail.entries[1].content["text"], "Revoir mardi");
    v.set_case_status(&code, CaseStatus::ClosedReferred)
        .unwrap();
    assert!(v.case(&code).unwrap().closed_at.is_some());
    v.delete_case(&code).unwrap();
    assert!(v.list_cases().unwrap().is_empty());
    let actions: Vec<String> = v
        .audit_log()
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"case.delete".to_string()), "{actions:?}");
    assert!(v.verify_audit().unwrap().broken.is_empty());
}

#[test]
fn referrals_need_consent_or_a_recorded_override() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut v) = new_vault(&dir);
    let code = v.create_case().unwrap();
    assert_eq!(
        v.create_referral(&code, referral("kk-hgr-01", None))
            .unwrap_err(),
        VaultError::ConsentRequired
    );
    // An override with its reason is allowed and says so.
    let forced = v
        .create_referral(
            &code,
            referral("kk-hgr-01", Some("life-threatening injury")),
        )
        .unwrap();
    // Consent for this referral.
    v.record_consent(&code, ConsentPurpose::Referral, "referral:kk-cps-02")
        .unwrap();
    let consented = v
        .create_referral(&code, referral("kk-cps-02", None))
        .unwrap();
    assert_eq!(
        v.create_referral(&code, referral("kk-cja-05", None))
            .unwrap_err(),
        VaultError::ConsentRequired
    );
    // A consent form agreeing to referral covers the case.
    let draft = golden_draft("consent-fr-adult-valid.draft.json");
    let result = run_draft(&draft).unwrap();
    v.save_result(&code, &draft, &result).unwrap();
    let third = v
        .create_referral(&code, referral("kk-cja-05", None))
        .unwrap();
    // Created within the same second, they come back in creation order, in the case and overall.
    let in_case: Vec<String> = v
        .case(&code)
        .unwrap()
        .referrals
        .into_iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(in_case, [forced.clone(), consented.clone(), third.clone()]);
    let overall: Vec<String> = v.referrals().unwrap().0.into_iter().map(|r| r.id).collect();
    assert_eq!(overall, [forced.clone(), consented.clone(), third]);

    let (all, damaged) = v.referrals().unwrap();
    assert!(damaged.is_empty());
    let f = all.iter().find(|r| r.id == forced).unwrap();
    assert_eq!(
        f.details.override_reason.as_deref(),
        Some("life-threatening injury")
    );
    assert!(!f.details.fields.contains(&"screening.outcome".to_string()));
    let c = all.iter().find(|r| r.id == consented).unwrap();
    assert!(c.details.consent_entry.is_some());
    // Lifecycle.
    assert!(
        v.set_referral_status(&consented, ReferralStatus::Accepted, None)
            .is_err(),
        "draft cannot be accepted"
    );
    v.set_referral_status(&consented, ReferralStatus::Sent, None)
        .unwrap();
    assert!(
        v.set_referral_status(&consented, ReferralStatus::Rejected, None)
            .is_err(),
        "a rejection needs a reason"
    );
    v.set_referral_status(&consented, ReferralStatus::Rejected, Some("no place left"))
        .unwrap();
    v.set_referral_status(&forced, ReferralStatus::Sent, None)
        .unwrap();
    v.set_referral_status(&forced, ReferralStatus::Accepted, None)
        .unwrap();
    v.set_referral_status(&forced, ReferralStatus::Completed, None)
        .unwrap();
    let (all, _) = v.referrals().unwrap();
    let c = all.iter().find(|r| r.id == consented).unwrap();
    assert_eq!(c.status, ReferralStatus::Rejected);
    assert_eq!(c.details.rejection_reason.as_deref(), Some("no place left"));
    assert_eq!(
        all.iter()
            .find(|r| r.id == forced)
            .unwrap()
            .details
            .history
            .len(),
        4
    );
    let actions: Vec<String> = v
        .audit_log()
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(actions.contains(&"referral.create.override".to_string()));
}

#[test]
fn retention_purges_closed_cases_and_keeps_counts() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    let old = v.create_case().unwrap();
    let open = v.create_case().unwrap();
    v.set_case_status(&old, CaseStatus::Closed).unwrap();
    v.set_retention_days(Some(30)).unwrap();
    assert_eq!(
        v.apply_retention(relais_core::vault::now()).unwrap(),
        0,
        "closed today"
    );
    assert_eq!(
        v.apply_retention(relais_core::vault::now() + 31 * 86_400)
            .unwrap(),
        1
    );
    let codes: Vec<String> = v
        .list_cases()
        .unwrap()
        .into_iter()
        .filter_map(|c| c.id)
        .collect();
    assert_eq!(codes, [open]);
    assert_eq!(v.archived_counts().unwrap()["status=Closed"], 1);
    drop(v);
    // Unlocking applies retention too (nothing more to purge here).
    assert_eq!(unlock(&path).unwrap().list_cases().unwrap().len(), 1);
}

// --- tampering -----------------------------------------------------------------------------------

fn raw(path: &Path) -> Connection {
    Connection::open(path).unwrap()
}

#[test]
fn a_flipped_byte_in_any_ciphertext_is_detected_and_the_rest_stays_readable() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    let a = v.create_case().unwrap();
    let b = v.create_case().unwrap();
    v.add_note(&a, "note of a").unwrap();
    v.add_note(&b, "note of b").unwrap();
    let record =
        serde_json::value::RawValue::from_string(r#"{"imported":"case record"}"#.into()).unwrap();
    v.import_case(&record).unwrap();
    drop(v);
    let cases = [
        ("cases", "head", 0usize),
        ("cases", "head", 30),
        ("cases", "data", 40),
        ("entries", "data", 5),
        ("entries", "data", 200),
    ];
    for (table, column, pos) in cases {
        let conn = raw(&path);
        let (id, mut data): (String, Vec<u8>) = conn
            .query_row(
                &format!("SELECT id, {column} FROM {table} WHERE {column} IS NOT NULL ORDER BY id LIMIT 1"),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        let original = data.clone();
        let i = pos.min(data.len() - 1);
        data[i] ^= 0x40;
        let update = format!("UPDATE {table} SET {column} = ?1 WHERE id = ?2");
        conn.execute(&update, rusqlite::params![data, id]).unwrap();
        drop(conn);
        let v = unlock(&path).unwrap();
        let report = v.check().unwrap();
        assert!(!report.ok, "{table}.{column}");
        let expected = if column == "head" || table != "cases" {
            format!("{table}/{id}")
        } else {
            format!("cases/{id}#data")
        };
        assert_eq!(report.damaged, [expected]);
        let list = v.list_cases().unwrap();
        assert_eq!(list.len(), 3);
        assert_eq!(
            list.iter().filter(|c| c.damaged).count(),
            usize::from(column == "head")
        );
        drop(v);
        raw(&path)
            .execute(&update, rusqlite::params![original, id])
            .unwrap();
        assert!(unlock(&path).unwrap().check().unwrap().ok);
    }
}

#[test]
fn a_value_moved_to_another_row_or_column_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    let a = v.create_case().unwrap();
    let b = v.create_case().unwrap();
    v.add_note(&a, "secret of a").unwrap();
    drop(v);
    let conn = raw(&path);
    // Swap the two cases' records: each now fails its row binding.
    conn.execute_batch(
        "CREATE TEMP TABLE t AS SELECT id, head FROM cases;
         UPDATE cases SET head = (SELECT head FROM t WHERE t.id <> cases.id);",
    )
    .unwrap();
    drop(conn);
    let v = unlock(&path).unwrap();
    assert_eq!(v.check().unwrap().damaged.len(), 2);
    assert!(v.list_cases().unwrap().iter().all(|c| c.damaged));
    drop(v);
    // A note's ciphertext put into a case column is refused too.
    let conn = raw(&path);
    conn.execute(
        "UPDATE cases SET data = (SELECT data FROM entries LIMIT 1)",
        [],
    )
    .unwrap();
    drop(conn);
    let v = unlock(&path).unwrap();
    let detail = v.case(&b);
    assert!(detail.is_err() || !detail.unwrap().damaged.is_empty());
    assert!(!v.check().unwrap().ok);
}

#[test]
fn an_altered_or_removed_audit_entry_breaks_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    let code = v.create_case().unwrap();
    v.add_note(&code, "n").unwrap();
    v.add_note(&code, "m").unwrap();
    drop(v);
    let conn = raw(&path);
    conn.execute("DELETE FROM audit WHERE seq = 3", []).unwrap();
    drop(conn);
    let v = unlock(&path).unwrap();
    let check = v.verify_audit().unwrap();
    assert!(!check.broken.is_empty(), "{check:?}");
    assert!(!v.check().unwrap().ok);
    drop(v);
    assert!(
        raw(&path)
            .execute("UPDATE audit SET action = 'x' WHERE seq = 1", [])
            .is_err(),
        "append-only"
    );
}

// --- nothing in plaintext on disk -------------------------------------------------------------------

fn files_contain(dir: &Path, needle: &[u8]) -> Vec<String> {
    let mut hits = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let mut bytes = Vec::new();
        std::fs::File::open(&path)
            .unwrap()
            .read_to_end(&mut bytes)
            .unwrap();
        if bytes.windows(needle.len()).any(|w| w == needle) {
            hits.push(path.display().to_string());
        }
    }
    hits
}

#[test]
fn no_plaintext_reaches_any_file_of_the_vault() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    let mut codes = Vec::new();
    for i in 0..40 {
        let code = v.create_case().unwrap();
        v.add_note(
            &code,
            &format!("Kahindo Mbuyi dort au dépôt ZEBRA-{i:03} près du quai"),
        )
        .unwrap();
        let draft = golden_draft("interview-en-child-mali-gold-panning.draft.json");
        v.save_result(&code, &draft, &run_draft(&draft).unwrap())
            .unwrap();
        v.record_consent(&code, ConsentPurpose::Referral, "referral:kk-hgr-01")
            .unwrap();
        let mut r = referral("kk-hgr-01", None);
        r.reason = format!("ZEBRA reason {i}");
        v.create_referral(&code, r).unwrap();
        codes.push(code);
    }
    // Look while the vault is open (WAL not checkpointed) and after it is closed.
    for stage in ["open", "closed"] {
        for needle in [
            "Kahindo",
            "Mbuyi",
            "ZEBRA",
            "dépôt",
            "possible_trafficking",
            "gold",
            "injured foot",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain(codes.iter().cloned())
        {
            let hits = files_contain(dir.path(), needle.as_bytes());
            assert!(hits.is_empty(), "{stage}: '{needle}' found in {hits:?}");
        }
        if stage == "open" {
            assert!(
                dir.path().join("vault.db-wal").exists(),
                "the WAL was scanned"
            );
            drop(std::mem::replace(&mut v, unlock(&path).unwrap()));
        }
    }
    drop(v);
    assert!(files_contain(dir.path(), b"Kahindo").is_empty());
}

// --- crash safety ---------------------------------------------------------------------------------

const CHILD_ENV: &str = "RELAIS_VAULT_CRASH_CHILD";

/// Run as a child by `acknowledged_writes_survive_sigkill`: writes notes forever, printing the
/// number of each one after its commit returned.
#[test]
fn crash_child() {
    let Ok(path) = std::env::var(CHILD_ENV) else {
        return;
    };
    let path = PathBuf::from(path);
    let mut v = unlock(&path).unwrap();
    let code = v.list_cases().unwrap()[0].id.clone().unwrap();
    let start: usize = std::env::var("RELAIS_VAULT_CRASH_START")
        .unwrap()
        .parse()
        .unwrap();
    for n in start.. {
        v.add_note(&code, &format!("write {n}")).unwrap();
        println!("ack {n}");
    }
}

#[cfg(unix)]
#[test]
fn acknowledged_writes_survive_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    let code = v.create_case().unwrap();
    drop(v);
    let exe = std::env::current_exe().unwrap();
    let mut acked: Vec<usize> = Vec::new();
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let runs = 200;
    for run in 0..runs {
        let mut child = Command::new(&exe)
            .args(["--exact", "crash_child", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, &path)
            .env(
                "RELAIS_VAULT_CRASH_START",
                (acked.len() + run * 1000).to_string(),
            )
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        // Kill after a random number of acknowledged writes (0–7), at a random moment after it.
        let target = (seed % 8) as usize;
        let mut reader = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        let mut seen = 0;
        let deadline = Instant::now() + Duration::from_secs(30);
        while seen <= target && Instant::now() < deadline {
            line.clear();
            if reader.read_line(&mut line).unwrap() == 0 {
                break;
            }
            if let Some(n) = line.trim().strip_prefix("ack ") {
                acked.push(n.parse().unwrap());
                seen += 1;
            }
        }
        std::thread::sleep(Duration::from_micros((seed >> 20) % 3000));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        // Any ack printed before the kill landed counts too.
        let mut rest = String::new();
        let _ = reader.read_to_string(&mut rest);
        acked.extend(
            rest.lines()
                .filter_map(|l| l.trim().strip_prefix("ack ")?.parse::<usize>().ok()),
        );
    }
    let v = unlock(&path).unwrap();
    let report = v.check().unwrap();
    assert!(report.ok, "{report:?}");
    let notes: std::collections::HashSet<String> = v
        .case(&code)
        .unwrap()
        .entries
        .iter()
        .filter_map(|e| e.content["text"].as_str().map(str::to_string))
        .collect();
    let missing: Vec<&usize> = acked
        .iter()
        .filter(|n| !notes.contains(&format!("write {n}")))
        .collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged writes lost: {missing:?}",
        missing.len()
    );
    assert!(
        acked.len() >= runs,
        "only {} writes were acknowledged",
        acked.len()
    );
}

#[test]
fn bulk_import_keeps_order_and_content_with_one_audit_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    let raw: Vec<Box<serde_json::value::RawValue>> = (0..300)
        .map(|i| {
            serde_json::value::RawValue::from_string(format!(
                r#"{{"n":{i},"note":"imported case {i}"}}"#
            ))
            .unwrap()
        })
        .collect();
    let records: Vec<&serde_json::value::RawValue> = raw.iter().map(AsRef::as_ref).collect();
    let codes = v.import_cases(&records).unwrap();
    assert_eq!(codes.len(), 300);
    assert_eq!(
        codes.iter().collect::<std::collections::HashSet<_>>().len(),
        300,
        "codes are distinct"
    );
    for (i, code) in codes.iter().enumerate().step_by(37) {
        let imported = v.case(code).unwrap().imported.unwrap().parse().unwrap();
        assert_eq!(imported["n"], i, "{code}");
    }
    let batches: Vec<_> = v
        .audit_log()
        .unwrap()
        .into_iter()
        .filter(|e| e.action == "case.import.batch")
        .collect();
    assert_eq!(batches.len(), 1);
    assert_eq!(batches[0].target, "300");
    drop(v);
    assert!(unlock(&path).unwrap().check().unwrap().ok);
}

#[test]
fn the_wrong_file_is_refused_and_left_untouched() {
    let dir = tempfile::tempdir().unwrap();
    // Another application's database.
    let foreign = dir.path().join("other.db");
    Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
        .unwrap();
    // An empty file, a text file, and a vault cut in half.
    let empty = dir.path().join("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "not a database at all, just some text that is long enough".repeat(20),
    )
    .unwrap();
    let (path, mut v) = new_vault(&dir);
    v.create_case().unwrap();
    drop(v);
    let truncated = dir.path().join("truncated.db");
    let bytes = std::fs::read(&path).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).unwrap();
    for file in [&foreign, &empty, &text, &truncated] {
        let before = std::fs::read(file).unwrap();
        let err = unlock(file).unwrap_err();
        assert!(
            matches!(err, VaultError::NotAVault | VaultError::Storage(_)),
            "{}: {err:?}",
            file.display()
        );
        assert!(!err.to_string().is_empty());
        assert_eq!(
            std::fs::read(file).unwrap(),
            before,
            "{} was changed",
            file.display()
        );
    }
    // The real vault still opens.
    unlock(&path).unwrap();
}

// --- the form in progress ---------------------------------------------------------------------------

/// A draft with a typed text answer that must never be readable on disk.
fn draft_with_text(secret: &str) -> String {
    let mut draft: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../tests/vectors/screen/interview-fr-adult-djibouti-domestic.draft.json"),
        )
        .unwrap(),
    )
    .unwrap();
    draft["answers"]["anything_else"] = serde_json::Value::String(secret.into());
    draft.to_string()
}

#[test]
fn a_form_in_progress_survives_the_lock_sealed_and_is_discarded_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    let code = v.create_case().unwrap();
    let json = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/vectors/screen/interview-fr-adult-djibouti-domestic.draft.json"),
    )
    .unwrap();
    assert_eq!(v.pending_draft().unwrap(), None);
    v.save_pending_draft(&json, Some(&code)).unwrap();
    v.lock();

    let mut v = unlock(&path).unwrap();
    let pending = v.pending_draft().unwrap().expect("kept across the lock");
    assert_eq!(pending.case.as_deref(), Some(code.as_str()));
    assert_eq!(pending.form_id().unwrap(), "interview");
    // It resumes into the same result as the golden draft.
    let resumed = Draft::from_json(pending.draft.get()).unwrap();
    assert_eq!(resumed, Draft::from_json(&json).unwrap());
    assert!(run_draft(&resumed).is_ok());

    // Saving again replaces it; discarding removes it; both are audited, without content.
    v.save_pending_draft(&json, None).unwrap();
    assert_eq!(v.pending_draft().unwrap().unwrap().case, None);
    v.discard_pending_draft().unwrap();
    assert_eq!(v.pending_draft().unwrap(), None);
    let actions: Vec<String> = v
        .audit_log()
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions
            .iter()
            .filter(|a| a.as_str() == "draft.save")
            .count(),
        2
    );
    assert!(actions.iter().any(|a| a == "draft.discard"));
}

#[test]
fn a_bad_draft_or_an_unknown_case_is_refused_and_the_saved_draft_kept() {
    let dir = tempfile::tempdir().unwrap();
    let (_path, mut v) = new_vault(&dir);
    let good = draft_with_text("first");
    v.save_pending_draft(&good, None).unwrap();
    assert!(matches!(
        v.save_pending_draft("{\"format\": \"nope\"}", None),
        Err(VaultError::Invalid(_))
    ));
    assert!(matches!(
        v.save_pending_draft("not json", None),
        Err(VaultError::Invalid(_))
    ));
    assert!(matches!(
        v.save_pending_draft(&good, Some("RLS-NOPE-NOPE")),
        Err(VaultError::NoSuch(_))
    ));
    assert_eq!(v.pending_draft().unwrap().unwrap().draft.get(), good);
}

#[test]
fn a_draft_is_sealed_on_disk_and_erased_by_the_duress_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    v.save_pending_draft(&draft_with_text("Kahindo ZEBRA-DRAFT au quai"), None)
        .unwrap();
    v.set_duress_passphrase("open sesame", &NoPlatformSecret)
        .unwrap();
    v.lock();
    assert_eq!(
        files_contain(dir.path(), b"ZEBRA-DRAFT"),
        Vec::<String>::new()
    );
    assert_eq!(files_contain(dir.path(), b"Kahindo"), Vec::<String>::new());

    let v = Vault::unlock(&path, "open sesame", &NoPlatformSecret).unwrap();
    assert_eq!(v.pending_draft().unwrap(), None);
}

#[test]
fn parallel_wrong_guesses_are_each_counted() {
    // Issue 16: 8 guesses at a time used to read the count before the key derivation and write it
    // back stale, so most were lost. Each guess is now counted before its derivation runs.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("vault.db");
    let slow = VaultOptions {
        // Slow enough (a few ms) that the guesses overlap.
        kdf: KdfParams {
            m_kib: 4 * 1024,
            t: 2,
            p: 1,
        },
        max_failed_unlocks: 10,
        ..VaultOptions::default()
    };
    Vault::create(&path, PASS, &NoPlatformSecret, slow).unwrap();
    let round = |at: i64| -> Vec<Result<Vault, VaultError>> {
        let barrier = std::sync::Arc::new(std::sync::Barrier::new(8));
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (path, barrier) = (path.clone(), barrier.clone());
                std::thread::spawn(move || {
                    barrier.wait();
                    Vault::unlock_at(&path, "wrong guess 1", &NoPlatformSecret, at)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    };
    // Rounds far enough apart that the delay between failures has passed; within a round the
    // delay refuses the guesses after the third (TooSoon, not counted: no derivation ran).
    let mut remaining = Vec::new();
    let (mut rounds, mut erased) = (0, false);
    while !erased && rounds < 20 {
        for r in round(NOW_FOR_DELAYS + rounds * 100_000) {
            match r {
                Err(VaultError::WrongPassphrase { remaining: n }) => remaining.push(n),
                Err(VaultError::Erased) => erased = true,
                Err(VaultError::TooSoon { .. }) => {}
                other => panic!("{other:?}"),
            }
        }
        rounds += 1;
    }
    remaining.sort_unstable();
    // Every guess that ran was counted once: the counts left were 9, 8, … 1, each seen once, and
    // the tenth erased the vault.
    assert_eq!(remaining, (1..=9).collect::<Vec<u32>>(), "{rounds} rounds");
    assert!(matches!(unlock(&path), Err(VaultError::Erased)));
}

const NOW_FOR_DELAYS: i64 = 1_900_000_000;

#[test]
fn guessable_passphrases_are_refused_with_the_reason() {
    use relais_core::vault::{Weakness, passphrase_weakness};
    for (p, w) in [
        ("      ", Weakness::Blank),
        ("000000", Weakness::Repeated),
        ("121212", Weakness::Repeated),
        ("abcabcabc", Weakness::Repeated),
        ("123456", Weakness::Sequence),
        ("987654", Weakness::Sequence),
        ("7890123", Weakness::Sequence),
        ("abcdefgh", Weakness::Sequence),
        ("112233", Weakness::Common),
        ("147258", Weakness::Common),
        ("Mot De Passe", Weakness::Common),
        ("AZERTY", Weakness::Common),
    ] {
        assert_eq!(passphrase_weakness(p), Some(w), "{p:?}");
    }
    for p in ["482915", "correct horse 42", "kikwit-maison-2026", "135792"] {
        assert_eq!(passphrase_weakness(p), None, "{p:?}");
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    let err = Vault::create(&path, "123456", &NoPlatformSecret, options()).unwrap_err();
    assert!(
        matches!(err, VaultError::GuessablePassphrase(Weakness::Sequence)),
        "{err:?}"
    );
    assert!(err.to_string().contains("too easy to guess"), "{err}");
    assert!(!path.exists() || std::fs::metadata(&path).unwrap().len() == 0);
    let (_, mut v) = new_vault(&dir);
    assert!(matches!(
        v.change_passphrase("000000", &NoPlatformSecret),
        Err(VaultError::GuessablePassphrase(Weakness::Repeated))
    ));
    assert!(matches!(
        v.set_duress_passphrase("111111", &NoPlatformSecret),
        Err(VaultError::GuessablePassphrase(_))
    ));
}

#[test]
fn control_characters_are_refused_in_notes_and_directory_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (_, mut v) = new_vault(&dir);
    let code = v.create_case().unwrap();
    for bad in ["clear \u{1b}[2J screen", "nul \u{0} byte", "bell \u{7}"] {
        let err = v.add_note(&code, bad).unwrap_err();
        assert!(err.to_string().contains("control characters"), "{err}");
    }
    v.add_note(&code, "two lines\n\tand a tab").unwrap();
    assert_eq!(
        v.case(&code).unwrap().entries.len(),
        1,
        "only the good note was stored"
    );
    let mut csv = relais_core::referral::Directory::sample_kwilu_source()
        .unwrap()
        .directory
        .services
        .len();
    let data = include_str!("../data/directory-kwilu-sample.csv").replacen(
        "Kikwit",
        "Kik\u{1b}[31mwit",
        1,
    );
    let report = relais_core::referral::Directory::from_csv(&data, "x", true).unwrap();
    csv -= 1;
    assert_eq!(report.directory.services.len(), csv);
    assert!(
        report.errors[0].message.contains("control characters"),
        "{:?}",
        report.errors
    );
}

#[test]
fn vault_check_opens_the_identity_settings_and_receive_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut v) = new_vault(&dir);
    v.identity().unwrap();
    let key = v.open_receive_session(939, 10, 1_800_000_000).unwrap();
    assert!(v.check().unwrap().ok);
    drop(v);
    let conn = Connection::open(&path).unwrap();
    let flip = |sql_get: &str, sql_set: &str, id: &str| {
        let mut blob: Vec<u8> = conn.query_row(sql_get, [id], |r| r.get(0)).unwrap();
        let last = blob.len() - 1;
        blob[last] ^= 1;
        conn.execute(sql_set, rusqlite::params![blob, id]).unwrap();
    };
    flip(
        "SELECT value FROM meta WHERE key = ?1",
        "UPDATE meta SET value = ?1 WHERE key = ?2",
        "identity",
    );
    let session: String = key.session.iter().map(|b| format!("{b:02x}")).collect();
    flip(
        "SELECT data FROM handover_sessions WHERE id = ?1",
        "UPDATE handover_sessions SET data = ?1 WHERE id = ?2",
        &session,
    );
    drop(conn);
    let report = unlock(&path).unwrap().check().unwrap();
    assert!(!report.ok);
    assert!(
        report.damaged.contains(&"meta/identity".to_string()),
        "{:?}",
        report.damaged
    );
    assert!(
        report
            .damaged
            .contains(&format!("handover_sessions/{session}")),
        "{:?}",
        report.damaged
    );
}
