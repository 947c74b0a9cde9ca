//! The vault's SQLite schema: connection pragmas and numbered migrations.
//!
//! No column holds personal data in plaintext: what a person said, their case code and every note
//! live in `data` columns, encrypted and bound to their row; the plaintext columns hold random ids,
//! statuses, timestamps and key material that is useless without the passphrase.

use rusqlite::Connection;

/// Migrations, applied in order; `PRAGMA user_version` records how many have run.
/// Never edit a migration that has shipped: add the next one.
pub const MIGRATIONS: &[&str] = &[
    // 1: the first schema.
    r#"
    CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value BLOB NOT NULL
    ) WITHOUT ROWID;

    -- The data key, wrapped by key-encryption keys: 'main' (the passphrase) and 'duress'.
    CREATE TABLE keyslots (
        slot    TEXT PRIMARY KEY,
        wrapped BLOB NOT NULL
    ) WITHOUT ROWID;

    -- Failed unlocks since the last success (read before the key is known).
    CREATE TABLE unlock_state (
        id             INTEGER PRIMARY KEY CHECK (id = 1),
        failed         INTEGER NOT NULL,
        last_failed_at INTEGER,
        max_failed     INTEGER NOT NULL
    );

    CREATE TABLE cases (
        id         TEXT PRIMARY KEY,          -- random, internal
        code_index BLOB NOT NULL UNIQUE,      -- blind index of the pseudonymous code
        status     TEXT NOT NULL,             -- HTCDS: Active, FollowUp, Closed, ClosedReferred
        created_at INTEGER NOT NULL,
        closed_at  INTEGER,
        head       BLOB NOT NULL,             -- encrypted: the code (small, read by listings)
        data       BLOB                       -- encrypted: an imported case record, if any
    );

    -- Screenings, assessments, consent records and notes of a case.
    CREATE TABLE entries (
        id         TEXT PRIMARY KEY,
        case_id    TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        kind       TEXT NOT NULL,             -- screening, assessment, consent, note
        created_at INTEGER NOT NULL,
        data       BLOB NOT NULL
    );
    CREATE INDEX entries_by_case ON entries(case_id, created_at);

    CREATE TABLE referrals (
        id         TEXT PRIMARY KEY,
        case_id    TEXT NOT NULL REFERENCES cases(id) ON DELETE CASCADE,
        status     TEXT NOT NULL,             -- draft, sent, accepted, rejected, completed
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        data       BLOB NOT NULL
    );
    CREATE INDEX referrals_by_case ON referrals(case_id, created_at);

    -- Append-only, hash-chained: who, what, when, on which record id; never the content.
    CREATE TABLE audit (
        seq    INTEGER PRIMARY KEY,
        at     INTEGER NOT NULL,
        actor  TEXT NOT NULL,
        action TEXT NOT NULL,
        target TEXT NOT NULL,
        mac    BLOB NOT NULL
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    "#,
    // 2: case handover.
    r#"
    -- Receive sessions: a key QR shown, its ephemeral secret sealed in `data` until it is used
    -- (then `data` is cleared: the secret is gone) or expires.
    CREATE TABLE handover_sessions (
        id         TEXT PRIMARY KEY,          -- the session id (random), hex
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        state      TEXT NOT NULL,             -- open, used
        data       BLOB
    );
    -- What has been received: a blind index of each envelope's content hash, so that the same case
    -- version received twice changes nothing.
    CREATE TABLE received (
        content_index BLOB PRIMARY KEY,
        case_id       TEXT NOT NULL,
        received_at   INTEGER NOT NULL
    ) WITHOUT ROWID;
    "#,
];

/// The schema version this code writes.
pub fn latest() -> u32 {
    MIGRATIONS.len() as u32
}

/// Connection settings, on every open: WAL, secure delete, temp data in memory, foreign keys.
pub fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "secure_delete", "ON")?;
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    // Every hot statement stays prepared (rusqlite keeps 16 by default).
    conn.set_prepared_statement_cache_capacity(64);
    Ok(())
}

/// Applies the migrations the file lacks, each in its own transaction. Refuses a file written by a
/// newer version.
pub fn migrate(conn: &mut Connection) -> Result<u32, String> {
    let current: u32 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|e| e.to_string())?;
    if current > latest() {
        return Err(format!(
            "the vault has schema {current}, newer than this version of Relais ({})",
            latest()
        ));
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction().map_err(|e| e.to_string())?;
        tx.execute_batch(sql).map_err(|e| e.to_string())?;
        tx.pragma_update(None, "user_version", i as u32 + 1)
            .map_err(|e| e.to_string())?;
        tx.commit().map_err(|e| e.to_string())?;
    }
    Ok(latest())
}
