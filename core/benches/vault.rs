//! Vault storage benchmark: plain SQLite and the encrypted vault on the shared workload of
//! `bench/workload` (5,000 cases of about 5 KB), following the protocol of bench/README.md, so that
//! `scripts/bench-vault` can put them beside SQLCipher's figures as ratios measured in one run.
//!
//! Run: `cargo bench -p relais-core --bench vault -- --runs 5` (one JSON line per engine on stdout).
#![allow(clippy::unwrap_used, clippy::expect_used)] // benchmark set-up

use std::path::Path;
use std::time::Instant;

use relais_bench_workload::{CASES, POINT_READS, case_id, case_json, read_order};
use relais_core::vault::crypto::KdfParams;
use relais_core::vault::{NoPlatformSecret, Vault, VaultOptions};
use rusqlite::{Connection, params};
use serde_json::value::RawValue;
use serde_json::{Value, json};

const PASS: &str = "benchmark passphrase";

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(|a, b| a.total_cmp(b));
    let n = s.len();
    if n % 2 == 1 {
        s[n / 2]
    } else {
        (s[n / 2 - 1] + s[n / 2]) / 2.0
    }
}

fn ms(t: Instant) -> f64 {
    t.elapsed().as_secs_f64() * 1000.0
}

struct Phases {
    insert_ms: Vec<f64>,
    open_ms: Vec<f64>,
    point_read_us_per_record: Vec<f64>,
    list_ms: Vec<f64>,
}

impl Phases {
    fn new() -> Phases {
        Phases {
            insert_ms: vec![],
            open_ms: vec![],
            point_read_us_per_record: vec![],
            list_ms: vec![],
        }
    }

    fn line(&self, engine: &str, extra: Value) -> String {
        let mut v = json!({
            "engine": engine,
            "cases": CASES,
            "insert_ms": self.insert_ms,
            "open_ms": self.open_ms,
            "point_read_us_per_record": self.point_read_us_per_record,
            "list_ms": self.list_ms,
            "median": {
                "insert_ms": median(&self.insert_ms),
                "open_ms": median(&self.open_ms),
                "point_read_us_per_record": median(&self.point_read_us_per_record),
                "list_ms": median(&self.list_ms),
            }
        });
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        v.to_string()
    }
}

fn plain(dir: &Path, records: &[String], runs: usize) -> Phases {
    let mut p = Phases::new();
    let order = read_order(POINT_READS);
    for run in 0..runs {
        let path = dir.join(format!("plain-{run}.db"));
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
        conn.execute_batch("CREATE TABLE cases (id TEXT PRIMARY KEY, data BLOB NOT NULL)")
            .unwrap();
        let t = Instant::now();
        conn.execute_batch("BEGIN").unwrap();
        {
            let mut stmt = conn
                .prepare("INSERT INTO cases (id, data) VALUES (?1, ?2)")
                .unwrap();
            for (i, r) in records.iter().enumerate() {
                stmt.execute(params![case_id(i as u64), r.as_bytes()])
                    .unwrap();
            }
        }
        conn.execute_batch("COMMIT").unwrap();
        p.insert_ms.push(ms(t));
        drop(conn);

        let t = Instant::now();
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        conn.pragma_update(None, "synchronous", "NORMAL").unwrap();
        let _: i64 = conn
            .query_row("SELECT COUNT(*) FROM sqlite_schema", [], |r| r.get(0))
            .unwrap();
        p.open_ms.push(ms(t));

        let t = Instant::now();
        let mut stmt = conn
            .prepare("SELECT data FROM cases WHERE id = ?1")
            .unwrap();
        for &i in &order {
            let data: Vec<u8> = stmt.query_row([case_id(i)], |r| r.get(0)).unwrap();
            std::hint::black_box(data);
        }
        p.point_read_us_per_record
            .push(t.elapsed().as_secs_f64() * 1e6 / POINT_READS as f64);

        let t = Instant::now();
        let mut stmt = conn.prepare("SELECT data FROM cases").unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, Vec<u8>>(0)).unwrap();
        let bytes: usize = rows.map(|r| r.unwrap().len()).sum();
        std::hint::black_box(bytes);
        let n: i64 = conn
            .query_row("SELECT COUNT(*) FROM cases", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n as u64, CASES);
        p.list_ms.push(ms(t));
    }
    p
}

fn vault(dir: &Path, records: &[&RawValue], runs: usize, kdf: KdfParams) -> Phases {
    let mut p = Phases::new();
    let order = read_order(POINT_READS);
    for run in 0..runs {
        let path = dir.join(format!("vault-{run}.db"));
        let options = VaultOptions {
            kdf,
            ..VaultOptions::default()
        };
        let mut v = Vault::create(&path, PASS, &NoPlatformSecret, options).unwrap();
        let t = Instant::now();
        let codes = v.import_cases(records).unwrap();
        p.insert_ms.push(ms(t));
        drop(v);

        let t = Instant::now();
        let v = Vault::unlock(&path, PASS, &NoPlatformSecret).unwrap();
        p.open_ms.push(ms(t));

        let t = Instant::now();
        for &i in &order {
            let case = v.case(&codes[i as usize]).unwrap();
            std::hint::black_box(case);
        }
        p.point_read_us_per_record
            .push(t.elapsed().as_secs_f64() * 1e6 / POINT_READS as f64);

        let t = Instant::now();
        let list = v.list_cases().unwrap();
        assert_eq!(list.len() as u64, CASES);
        p.list_ms.push(ms(t));
    }
    p
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let runs = args
        .iter()
        .position(|a| a == "--runs")
        .and_then(|i| args.get(i + 1))
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    // `cargo test --benches` runs benchmarks once in test mode: keep that quick.
    let quick = args.iter().any(|a| a == "--test");
    let runs = if quick { 1 } else { runs };
    let dir = tempfile::tempdir().unwrap();
    let n = if quick { 50 } else { CASES };
    let texts: Vec<String> = (0..n).map(case_json).collect();
    let raw: Vec<Box<RawValue>> = texts
        .iter()
        .map(|t| RawValue::from_string(t.clone()).unwrap())
        .collect();
    let values: Vec<&RawValue> = raw.iter().map(AsRef::as_ref).collect();
    let kdf = if quick {
        KdfParams::INSECURE_FOR_TESTS
    } else {
        KdfParams::DEFAULT
    };
    if quick {
        return;
    }
    let sqlite_version: String = Connection::open_in_memory()
        .unwrap()
        .query_row("SELECT sqlite_version()", [], |r| r.get(0))
        .unwrap();
    eprintln!("plain SQLite, {runs} runs…");
    let p = plain(dir.path(), &texts, runs);
    println!(
        "{}",
        p.line(
            "plain",
            json!({"sqlite_version": sqlite_version, "synchronous": "NORMAL"})
        )
    );
    eprintln!("vault, {runs} runs…");
    let v = vault(dir.path(), &values, runs, kdf);
    println!(
        "{}",
        v.line(
            "vault",
            json!({"sqlite_version": sqlite_version, "synchronous": "FULL", "kdf": kdf, "note": "insert = import_cases: one transaction, each record sealed (padded, AAD-bound) under a new code with its blind index, one audit entry for the batch; point read = case(code), decrypted; list = list_cases(), every case decrypted"})
        )
    );
}
