//! The SQLCipher 4 side of the vault benchmark: the shared workload (`relais-bench-workload`) on
//! an encrypted SQLite file, timed with `std::time::Instant`, printed as one line of JSON.
//!
//! Each run uses a fresh database file in the temporary directory and measures, in this order:
//!
//! - (a) `insert_ms`: bulk insert of all `CASES` records in one transaction (prepared statement,
//!   commit included; the records are generated before the clock starts);
//! - (d) `open_ms`: the database closed, open it again: `Connection::open`, `PRAGMA key` with a
//!   passphrase, WAL and `synchronous=NORMAL`, and a first read of the schema — the read is what
//!   makes SQLCipher run its KDF (PBKDF2-HMAC-SHA512, 256 000 iterations by default);
//! - (b) `point_read_us_per_record`: `POINT_READS` reads by id in `read_order`, on that connection,
//!   each record copied out; the total divided by `POINT_READS`;
//! - (c) `list_ms`: every row's data read (a full scan), on that connection.
//!
//! SQLCipher 4 defaults throughout (page size 4096, HMAC-SHA512 per page, KDF as above): nothing
//! is tuned, so the figures are those of an application that just sets a key.

use std::error::Error;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use relais_bench_workload::{CASES, POINT_READS, case_id, case_json, read_order};
use rusqlite::{Connection, OptionalExtension, params};

type Result<T> = std::result::Result<T, Box<dyn Error>>;

/// A fixed passphrase: SQLCipher derives the page key from it with its own KDF.
const PASSPHRASE: &str = "relais bench: correct horse battery staple";

const USAGE: &str = "usage: relais-bench-sqlcipher [--runs R] [--dir DIR]\n\
    \n  --runs R   repeat each phase R times, a fresh database for each run (default 5)\
    \n  --dir DIR  where the temporary database files go (default: the system temp directory)";

struct Args {
    runs: usize,
    dir: PathBuf,
}

fn parse_args() -> Result<Option<Args>> {
    let mut args = Args {
        runs: 5,
        dir: std::env::temp_dir(),
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--runs" => {
                let value = it.next().ok_or("--runs needs a value")?;
                args.runs = value
                    .parse()
                    .map_err(|_| format!("--runs: not a number: {value}"))?;
                if args.runs == 0 {
                    return Err("--runs must be at least 1".into());
                }
            }
            "--dir" => args.dir = it.next().ok_or("--dir needs a value")?.into(),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(None);
            }
            other => return Err(format!("unknown argument: {other}\n{USAGE}").into()),
        }
    }
    Ok(Some(args))
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("relais-bench-sqlcipher: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What SQLCipher reports about itself (first run).
struct Build {
    cipher_version: String,
    sqlite_version: String,
    kdf_iter: Option<String>,
    kdf_algorithm: Option<String>,
    hmac_algorithm: Option<String>,
    page_size: Option<String>,
}

#[derive(Default)]
struct Timings {
    insert_ms: Vec<f64>,
    point_read_us_per_record: Vec<f64>,
    list_ms: Vec<f64>,
    open_ms: Vec<f64>,
}

fn run() -> Result<()> {
    let Some(args) = parse_args()? else {
        return Ok(());
    };

    // The workload, generated before any clock starts.
    let cases: Vec<(String, Vec<u8>)> = (0..CASES)
        .map(|i| (case_id(i), case_json(i).into_bytes()))
        .collect();
    let case_bytes: usize = cases.iter().map(|(_, d)| d.len()).sum();
    let order = read_order(POINT_READS);
    let reads: Vec<&str> = order
        .iter()
        .filter_map(|&i| cases.get(i as usize).map(|(id, _)| id.as_str()))
        .collect();
    let read_bytes: usize = order
        .iter()
        .filter_map(|&i| cases.get(i as usize).map(|(_, d)| d.len()))
        .sum();

    let mut t = Timings::default();
    let mut build = None;
    let mut db_bytes = 0;
    for run in 0..args.runs {
        let db = TempDb::new(&args.dir, run);

        // (a) bulk insert, on a new database.
        let mut conn = open_keyed(db.path())?;
        conn.execute_batch("CREATE TABLE cases(id TEXT PRIMARY KEY, data BLOB NOT NULL)")?;
        if build.is_none() {
            build = Some(describe(&conn)?);
        }
        let start = Instant::now();
        let tx = conn.transaction()?;
        {
            let mut insert = tx.prepare("INSERT INTO cases(id, data) VALUES (?1, ?2)")?;
            for (id, data) in &cases {
                insert.execute(params![id, data])?;
            }
        }
        tx.commit()?;
        t.insert_ms.push(ms(start));
        conn.close().map_err(|(_, e)| e)?;
        check_encrypted(db.path())?;
        db_bytes = fs::metadata(db.path())?.len();

        // (d) open and key an existing database.
        let start = Instant::now();
        let conn = open_keyed(db.path())?;
        t.open_ms.push(ms(start));

        // (b) point reads by id.
        let start = Instant::now();
        let mut got = 0;
        {
            let mut select = conn.prepare("SELECT data FROM cases WHERE id = ?1")?;
            for id in &reads {
                let data: Vec<u8> = select.query_row([id], |row| row.get(0))?;
                got += data.len();
            }
        }
        let elapsed_us = start.elapsed().as_secs_f64() * 1e6;
        t.point_read_us_per_record
            .push(elapsed_us / POINT_READS as f64);
        if got != read_bytes {
            return Err(format!("point reads returned {got} bytes, expected {read_bytes}").into());
        }

        // (c) full listing.
        let start = Instant::now();
        let (mut rows_seen, mut got) = (0u64, 0);
        {
            let mut select = conn.prepare("SELECT data FROM cases")?;
            let mut rows = select.query([])?;
            while let Some(row) = rows.next()? {
                let data: Vec<u8> = row.get(0)?;
                got += data.len();
                rows_seen += 1;
            }
        }
        t.list_ms.push(ms(start));
        if rows_seen != CASES || got != case_bytes {
            return Err(format!(
                "listing returned {rows_seen} rows, {got} bytes; expected {CASES}, {case_bytes}"
            )
            .into());
        }
        conn.close().map_err(|(_, e)| e)?;

        eprintln!(
            "run {}/{}: insert {:.1} ms, open {:.1} ms, point read {:.2} µs/record, list {:.1} ms",
            run + 1,
            args.runs,
            last(&t.insert_ms),
            last(&t.open_ms),
            last(&t.point_read_us_per_record),
            last(&t.list_ms),
        );
    }

    let build = build.ok_or("no run")?;
    println!("{}", report(&build, &t, args.runs, case_bytes, db_bytes));
    Ok(())
}

/// Opens `path` the way an application would: key first, then WAL and `synchronous=NORMAL`, then
/// a read of the schema, which makes SQLCipher derive the key (and fail here on a wrong one).
fn open_keyed(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    conn.pragma_update(None, "key", PASSPHRASE)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(format!("journal_mode is {mode}, not wal").into());
    }
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let _: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |row| row.get(0))?;
    Ok(conn)
}

fn describe(conn: &Connection) -> Result<Build> {
    let cipher_version = pragma(conn, "cipher_version")?
        .filter(|v| !v.is_empty())
        .ok_or("PRAGMA cipher_version returned nothing: this SQLite is not SQLCipher")?;
    Ok(Build {
        cipher_version,
        sqlite_version: conn.query_row("SELECT sqlite_version()", [], |row| row.get(0))?,
        kdf_iter: pragma(conn, "kdf_iter")?,
        kdf_algorithm: pragma(conn, "cipher_kdf_algorithm")?,
        hmac_algorithm: pragma(conn, "cipher_hmac_algorithm")?,
        page_size: pragma(conn, "cipher_page_size")?,
    })
}

/// A pragma's first value as text, if it returns one.
fn pragma(conn: &Connection, name: &str) -> Result<Option<String>> {
    Ok(conn
        .query_row(&format!("PRAGMA {name}"), [], |row| {
            row.get::<_, rusqlite::types::Value>(0)
        })
        .optional()?
        .map(|v| match v {
            rusqlite::types::Value::Integer(n) => n.to_string(),
            rusqlite::types::Value::Text(s) => s,
            other => format!("{other:?}"),
        }))
}

/// A plain SQLite file starts with "SQLite format 3\0"; an SQLCipher file with its random salt.
fn check_encrypted(path: &Path) -> Result<()> {
    let mut header = [0u8; 16];
    fs::File::open(path)?.read_exact(&mut header)?;
    if &header == b"SQLite format 3\0" {
        return Err(format!("{} is not encrypted", path.display()).into());
    }
    Ok(())
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

fn last(v: &[f64]) -> f64 {
    v.last().copied().unwrap_or(f64::NAN)
}

fn median(v: &[f64]) -> f64 {
    let mut s = v.to_vec();
    s.sort_by(f64::total_cmp);
    let n = s.len();
    match n {
        0 => f64::NAN,
        _ if n % 2 == 1 => s[n / 2],
        _ => (s[n / 2 - 1] + s[n / 2]) / 2.0,
    }
}

fn report(b: &Build, t: &Timings, runs: usize, case_bytes: usize, db_bytes: u64) -> String {
    let list = |v: &[f64]| {
        let items: Vec<String> = v.iter().map(|x| format!("{x:.3}")).collect();
        format!("[{}]", items.join(","))
    };
    let opt = |v: &Option<String>| v.as_deref().map_or("null".to_string(), quote);
    format!(
        concat!(
            "{{\"engine\":\"sqlcipher\",\"cipher_version\":{},\"sqlite_version\":{},",
            "\"kdf_iter\":{},\"kdf_algorithm\":{},\"hmac_algorithm\":{},\"page_size\":{},",
            "\"runs\":{},\"cases\":{},\"point_reads\":{},\"case_bytes\":{},\"db_bytes\":{},",
            "\"insert_ms\":{},\"point_read_us_per_record\":{},\"list_ms\":{},\"open_ms\":{},",
            "\"median\":{{\"insert_ms\":{:.3},\"point_read_us_per_record\":{:.3},",
            "\"list_ms\":{:.3},\"open_ms\":{:.3}}}}}"
        ),
        quote(&b.cipher_version),
        quote(&b.sqlite_version),
        opt(&b.kdf_iter),
        opt(&b.kdf_algorithm),
        opt(&b.hmac_algorithm),
        opt(&b.page_size),
        runs,
        CASES,
        POINT_READS,
        case_bytes,
        db_bytes,
        list(&t.insert_ms),
        list(&t.point_read_us_per_record),
        list(&t.list_ms),
        list(&t.open_ms),
        median(&t.insert_ms),
        median(&t.point_read_us_per_record),
        median(&t.list_ms),
        median(&t.open_ms),
    )
}

/// A JSON string literal.
fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A database file (and its `-wal`, `-shm`, `-journal`) removed when dropped.
struct TempDb {
    path: PathBuf,
}

impl TempDb {
    fn new(dir: &Path, run: usize) -> Self {
        let path = dir.join(format!(
            "relais-bench-sqlcipher-{}-{run}.db",
            std::process::id()
        ));
        let db = TempDb { path };
        db.remove();
        db
    }

    fn path(&self) -> &Path {
        &self.path
    }

    fn remove(&self) {
        for suffix in ["", "-wal", "-shm", "-journal"] {
            let mut p = self.path.clone().into_os_string();
            p.push(suffix);
            let _ = fs::remove_file(p);
        }
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        self.remove();
    }
}
