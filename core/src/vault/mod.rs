//! The encrypted vault: everything Relais stores, unreadable without the worker's passphrase (and,
//! on phones, the hardware key), crash-safe, and erasable at once. See docs/vault.md.
//!
//! One SQLite file (bundled SQLite, WAL, `secure_delete`, `temp_store=MEMORY`). Sensitive values are
//! sealed one by one (XChaCha20-Poly1305, bound to table, record and column) with a random data key
//! that is stored only wrapped by passphrase-derived keys.

pub mod audit;
pub mod context;
pub mod crypto;
pub mod directory;
pub mod drafts;
pub mod export;
pub mod handover;
pub mod proposals;
pub mod records;
pub mod schema;

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, OptionalExtension, params};
use zeroize::Zeroizing;

use crypto::{CryptoError, KdfParams, Key};

pub use records::{CaseStatus, CaseSummary, ReferralStatus};

/// A secret the platform holds outside the vault file (Android Keystore, iOS Secure Enclave), mixed
/// into the key-encryption key so that a copied file cannot be attacked off the device.
///
/// Implementations must not call back into the vault (the vault may hold its lock while asking).
pub trait KeyProvider: Send + Sync {
    /// The secret; the same bytes every time for a given device and vault. Empty: no secret.
    fn platform_secret(&self) -> std::result::Result<Zeroizing<Vec<u8>>, KeyProviderError>;
}

/// The platform could not supply its secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the device key is unavailable: {0}")]
pub struct KeyProviderError(pub String);

/// No platform secret: the passphrase alone protects the vault (laptops, the CLI).
pub struct NoPlatformSecret;

impl KeyProvider for NoPlatformSecret {
    fn platform_secret(&self) -> std::result::Result<Zeroizing<Vec<u8>>, KeyProviderError> {
        Ok(Zeroizing::new(Vec::new()))
    }
}

/// Organisation settings fixed at creation (and changeable later through the vault).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VaultOptions {
    pub kdf: KdfParams,
    /// Failed unlocks before the vault erases itself.
    pub max_failed_unlocks: u32,
    /// Closed cases are purged this many days after closing (`None`: kept).
    pub retention_days: Option<u32>,
}

impl Default for VaultOptions {
    fn default() -> Self {
        VaultOptions {
            kdf: KdfParams::DEFAULT,
            max_failed_unlocks: 10,
            retention_days: None,
        }
    }
}

/// Vault errors. Messages name records by id and never carry their content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VaultError {
    #[error("no vault at this path")]
    NotFound,
    #[error("a vault already exists at this path")]
    Exists,
    #[error("this file is not a Relais vault")]
    NotAVault,
    #[error("wrong passphrase ({remaining} attempt(s) left before the vault erases itself)")]
    WrongPassphrase { remaining: u32 },
    #[error("too many failed attempts: wait {seconds} s before trying again")]
    TooSoon { seconds: u64 },
    #[error("the vault was erased after too many failed attempts")]
    Erased,
    #[error("the passphrase is too short (at least {0} characters)")]
    WeakPassphrase(usize),
    /// Long enough, but among the first an attacker tries.
    #[error("this passphrase is too easy to guess: {0}; use several words, or a longer mix")]
    GuessablePassphrase(Weakness),
    #[error("the duress passphrase must differ from the passphrase")]
    DuressSameAsPassphrase,
    #[error("{0}")]
    Platform(#[from] KeyProviderError),
    #[error("{0}")]
    Crypto(#[from] CryptoError),
    #[error("record {0} failed authentication: it was altered or moved")]
    Tampered(String),
    #[error("no {0} with this id")]
    NoSuch(&'static str),
    #[error("{0}")]
    Invalid(String),
    #[error("referral needs the person's consent to referral, or an override with a reason")]
    ConsentRequired,
    /// The person has not consented to handing the case over to this organisation (named by the
    /// receiver's key, so that the worker can ask the person about exactly that organisation).
    #[error(
        "the person has not consented to handing this case over to {0}: record it first (cases consent … --purpose handover)"
    )]
    HandoverConsentRequired(String),
    /// The receiver's key is not in the signed directory nor remembered: its fingerprint must be
    /// compared in full with the receiver's screen before anything is sealed.
    #[error(
        "{organisation} is not verified (not in the directory): compare its fingerprint {fingerprint} with the receiver's screen, in full, before sending"
    )]
    ReceiverNotVerified {
        organisation: String,
        fingerprint: String,
    },
    /// The fingerprint the sender compared is not the receiver key's: another device may be posing
    /// as the receiver.
    #[error(
        "the fingerprint entered is not the one of the key scanned: do not send (another device may be posing as the receiver)"
    )]
    FingerprintMismatch,
    /// A directory was refused; the one in use stays.
    #[error("{0}; the directory in use is unchanged")]
    Directory(#[from] crate::referral::signed::SignedDirectoryError),
    /// A receiver key, envelope or acknowledgement was refused (docs/handover-format.md).
    #[error("{0}")]
    Handover(#[from] crate::handover::wire::HandoverError),
    #[error("storage error: {0}")]
    Storage(String),
}

impl From<rusqlite::Error> for VaultError {
    fn from(e: rusqlite::Error) -> Self {
        // SQLite's messages describe the statement, never bound values.
        VaultError::Storage(e.to_string())
    }
}

pub type Result<T> = std::result::Result<T, VaultError>;

/// The shortest passphrase or PIN accepted.
pub const MIN_PASSPHRASE: usize = 6;

/// Seconds since the epoch.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// Seconds to wait after `failed` consecutive failures: none for the first two, then doubling from
/// 1 s, capped at 5 minutes.
pub fn unlock_delay(failed: u32) -> u64 {
    if failed < 3 {
        0
    } else {
        (1u64 << (failed - 3).min(20)).min(300)
    }
}

/// The keys of an unlocked vault; wiped from memory when the vault is locked or dropped.
struct Keys {
    data: Key,
    values: Key,
    index: Key,
    audit: Key,
}

impl Keys {
    fn new(data: Key) -> Keys {
        Keys {
            values: data.derive("values"),
            index: data.derive("blind-index"),
            audit: data.derive("audit"),
            data,
        }
    }
}

/// An unlocked vault.
pub struct Vault {
    conn: Connection,
    path: PathBuf,
    keys: Keys,
    actor: String,
}

impl std::fmt::Debug for Vault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Vault")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

const SLOT_MAIN: &str = "main";
const SLOT_DURESS: &str = "duress";
const DURESS_MARKER: &[u8] = b"relais.duress.v1";

fn slot_key(master: &Key, slot: &str) -> Key {
    master.derive(&format!("keyslot:{slot}"))
}

pub(crate) use crate::handover::wire::hex;

/// A random id for a row: 16 hex characters.
pub(crate) fn new_id() -> Result<String> {
    Ok(hex(&crypto::random_bytes::<8>()?))
}

fn meta_get(conn: &Connection, key: &str) -> Result<Option<Vec<u8>>> {
    Ok(conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?)
}

fn meta_set(conn: &Connection, key: &str, value: &[u8]) -> Result<()> {
    conn.execute(
        "INSERT INTO meta (key, value) VALUES (?1, ?2)
         ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        params![key, value],
    )?;
    Ok(())
}

/// Counts an unlock attempt as failed before the key derivation runs, in one write transaction:
/// parallel guesses are each counted, and a guess killed during the derivation stays counted (a
/// correct passphrase resets the count afterwards). Refuses when the vault was erased or the
/// delay since the last failure has not passed. Returns the count including this attempt, and the
/// limit.
fn count_attempt(conn: &Connection, now: i64) -> Result<(u32, u32)> {
    conn.execute_batch("BEGIN IMMEDIATE")?;
    let counted = (|| {
        if meta_get(conn, "erased")?.is_some() {
            return Err(VaultError::Erased);
        }
        let (failed, last_failed_at, max_failed): (u32, Option<i64>, u32) = conn
            .query_row(
                "SELECT failed, last_failed_at, max_failed FROM unlock_state WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?
            .ok_or(VaultError::NotAVault)?;
        if let Some(last) = last_failed_at {
            let wait = unlock_delay(failed) as i64 - (now - last);
            if wait > 0 {
                return Err(VaultError::TooSoon {
                    seconds: wait as u64,
                });
            }
        }
        let failed = failed.saturating_add(1);
        conn.execute(
            "UPDATE unlock_state SET failed = ?1, last_failed_at = ?2 WHERE id = 1",
            params![failed, now],
        )?;
        Ok((failed, max_failed))
    })();
    match counted {
        Ok(c) => {
            conn.execute_batch("COMMIT")?;
            Ok(c)
        }
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Creates the (empty) vault file readable by its owner only (0600 on Unix): SQLite gives its
/// WAL and shared-memory files the same mode.
fn create_private(path: &Path) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(false);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        options.mode(0o600);
        let file = options
            .open(path)
            .map_err(|e| VaultError::Storage(e.to_string()))?;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))
            .map_err(|e| VaultError::Storage(e.to_string()))?;
    }
    #[cfg(not(unix))]
    options
        .open(path)
        .map_err(|e| VaultError::Storage(e.to_string()))?;
    Ok(())
}

fn open_connection(path: &Path) -> Result<Connection> {
    let mut conn = Connection::open(path)?;
    schema::configure(&conn)?;
    schema::migrate(&mut conn).map_err(VaultError::Storage)?;
    Ok(conn)
}

/// Opens an existing vault: the file must already be a Relais vault (checked before anything is
/// written, so that pointing at the wrong file changes nothing), then pending migrations run.
fn open_existing(path: &Path) -> Result<Connection> {
    let flags =
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let probe = Connection::open_with_flags(path, flags).map_err(|_| VaultError::NotAVault)?;
    let version: u32 = probe
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(|_| VaultError::NotAVault)?;
    let has_meta: bool = probe
        .query_row(
            "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'meta'",
            [],
            |_| Ok(true),
        )
        .optional()
        .map_err(|_| VaultError::NotAVault)?
        .unwrap_or(false);
    drop(probe);
    if version == 0 || !has_meta {
        return Err(VaultError::NotAVault);
    }
    open_connection(path)
}

/// What the file says about how to derive its keys.
struct KdfRecord {
    salt: Vec<u8>,
    params: KdfParams,
}

fn read_kdf(conn: &Connection) -> Result<KdfRecord> {
    let salt = meta_get(conn, "kdf_salt")?.ok_or(VaultError::NotAVault)?;
    let params = meta_get(conn, "kdf_params")?.ok_or(VaultError::NotAVault)?;
    let params: KdfParams = serde_json::from_slice(&params).map_err(|_| VaultError::NotAVault)?;
    Ok(KdfRecord { salt, params })
}

fn wrap(master: &Key, slot: &str, secret: &[u8]) -> Result<Vec<u8>> {
    Ok(crypto::seal(
        &slot_key(master, slot),
        secret,
        &crypto::aad("keyslots", slot, "wrapped"),
    )?)
}

fn unwrap_slot(conn: &Connection, master: &Key, slot: &str) -> Result<Option<Zeroizing<Vec<u8>>>> {
    let wrapped: Option<Vec<u8>> = conn
        .query_row(
            "SELECT wrapped FROM keyslots WHERE slot = ?1",
            [slot],
            |r| r.get(0),
        )
        .optional()?;
    Ok(wrapped.and_then(|w| {
        crypto::open(
            &slot_key(master, slot),
            &w,
            &crypto::aad("keyslots", slot, "wrapped"),
        )
        .ok()
    }))
}

/// Why a passphrase long enough is still refused: the first guesses of any attacker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weakness {
    /// Only spaces.
    Blank,
    /// One character or group repeated (000000, 121212, abcabc).
    Repeated,
    /// Consecutive digits or letters, up or down (123456, 987654, abcdef).
    Sequence,
    /// Among the most common PINs and passwords (`core/data/common-passphrases.txt`).
    Common,
}

impl std::fmt::Display for Weakness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Weakness::Blank => "it is only spaces",
            Weakness::Repeated => "it repeats one character or group (like 000000 or 121212)",
            Weakness::Sequence => "it is a run of consecutive digits or letters (like 123456)",
            Weakness::Common => "it is among the most common PINs and passwords",
        })
    }
}

/// What is wrong with a passphrase long enough, if anything.
pub fn passphrase_weakness(passphrase: &str) -> Option<Weakness> {
    if passphrase.trim().is_empty() {
        return Some(Weakness::Blank);
    }
    let compact: Vec<char> = passphrase
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    let n = compact.len();
    if (1..=n / 2).any(|unit| {
        n.is_multiple_of(unit)
            && compact
                .iter()
                .enumerate()
                .all(|(i, c)| *c == compact[i % unit])
    }) {
        return Some(Weakness::Repeated);
    }
    let steps: Vec<i64> = compact
        .windows(2)
        .map(|w| i64::from(u32::from(w[1])) - i64::from(u32::from(w[0])))
        .collect();
    let alnum = compact.iter().all(char::is_ascii_alphanumeric);
    // Digits may wrap round (7890123).
    let step_ok = |d: i64, s: i64| d == s || (s == 1 && d == -9) || (s == -1 && d == 9);
    if alnum
        && [1, -1]
            .iter()
            .any(|&s| steps.iter().all(|&d| step_ok(d, s)))
    {
        return Some(Weakness::Sequence);
    }
    let word: String = compact.into_iter().collect();
    let common = include_str!("../../data/common-passphrases.txt")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l.trim() == word);
    common.then_some(Weakness::Common)
}

fn check_passphrase(passphrase: &str) -> Result<()> {
    if passphrase.chars().count() < MIN_PASSPHRASE {
        return Err(VaultError::WeakPassphrase(MIN_PASSPHRASE));
    }
    if let Some(w) = passphrase_weakness(passphrase) {
        return Err(VaultError::GuessablePassphrase(w));
    }
    Ok(())
}

/// Destroys the key material and every record, then shrinks the file so nothing lingers in free
/// pages or the write-ahead log.
fn crypto_erase(conn: &Connection) -> Result<()> {
    conn.execute_batch(
        "BEGIN IMMEDIATE;
         DELETE FROM keyslots;
         DELETE FROM entries;
         DELETE FROM referrals;
         DELETE FROM cases;
         DELETE FROM audit;
         DELETE FROM meta WHERE key NOT IN ('erased');
         INSERT INTO meta (key, value) VALUES ('erased', x'01')
             ON CONFLICT(key) DO UPDATE SET value = excluded.value;
         COMMIT;",
    )?;
    conn.execute_batch(
        "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);",
    )?;
    Ok(())
}

impl Vault {
    /// Creates a vault at `path` (which must not hold one yet).
    pub fn create(
        path: &Path,
        passphrase: &str,
        provider: &dyn KeyProvider,
        options: VaultOptions,
    ) -> Result<Vault> {
        check_passphrase(passphrase)?;
        if path.exists() && std::fs::metadata(path).map(|m| m.len() > 0).unwrap_or(true) {
            return Err(VaultError::Exists);
        }
        create_private(path)?;
        let conn = open_connection(path)?;
        Self::initialise(conn, path, passphrase, provider, options)
    }

    fn initialise(
        conn: Connection,
        path: &Path,
        passphrase: &str,
        provider: &dyn KeyProvider,
        options: VaultOptions,
    ) -> Result<Vault> {
        let secret = provider.platform_secret()?;
        let salt = crypto::random_bytes::<16>()?;
        let master = crypto::derive_kek(passphrase.as_bytes(), &salt, options.kdf, &secret)?;
        let data_key = Key::random()?;
        let actor = format!("w-{}", hex(&crypto::random_bytes::<4>()?));
        conn.execute_batch("BEGIN IMMEDIATE")?;
        let result = (|| -> Result<()> {
            conn.execute("DELETE FROM meta WHERE key = 'erased'", [])?;
            meta_set(
                &conn,
                "vault_id",
                hex(&crypto::random_bytes::<16>()?).as_bytes(),
            )?;
            meta_set(&conn, "kdf_salt", &salt)?;
            meta_set(
                &conn,
                "kdf_params",
                &serde_json::to_vec(&options.kdf)
                    .map_err(|e| VaultError::Invalid(e.to_string()))?,
            )?;
            meta_set(
                &conn,
                "platform_secret",
                if secret.is_empty() { b"0" } else { b"1" },
            )?;
            meta_set(&conn, "actor", actor.as_bytes())?;
            if let Some(days) = options.retention_days {
                meta_set(&conn, "retention_days", days.to_string().as_bytes())?;
            }
            conn.execute(
                "INSERT INTO keyslots (slot, wrapped) VALUES (?1, ?2)",
                params![SLOT_MAIN, wrap(&master, SLOT_MAIN, data_key.as_bytes())?],
            )?;
            conn.execute(
                "INSERT OR REPLACE INTO unlock_state (id, failed, last_failed_at, max_failed)
                 VALUES (1, 0, NULL, ?1)",
                [options.max_failed_unlocks.max(1)],
            )?;
            Ok(())
        })();
        match result {
            Ok(()) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
        let mut vault = Vault {
            conn,
            path: path.to_path_buf(),
            keys: Keys::new(data_key),
            actor,
        };
        vault.audit("vault.create", "")?;
        Ok(vault)
    }

    /// Unlocks the vault at `path`.
    ///
    /// A wrong passphrase counts a failure (durably, before returning); after a few, attempts must
    /// wait a growing delay; at the organisation's maximum the vault erases itself. The duress
    /// passphrase silently erases the vault and opens an empty one that it protects.
    pub fn unlock(path: &Path, passphrase: &str, provider: &dyn KeyProvider) -> Result<Vault> {
        Self::unlock_at(path, passphrase, provider, now())
    }

    /// [`Vault::unlock`] at a given time (for tests of the delay).
    pub fn unlock_at(
        path: &Path,
        passphrase: &str,
        provider: &dyn KeyProvider,
        now: i64,
    ) -> Result<Vault> {
        if !path.is_file() {
            return Err(VaultError::NotFound);
        }
        let conn = open_existing(path)?;
        if meta_get(&conn, "erased")?.is_some() {
            return Err(VaultError::Erased);
        }
        let kdf = read_kdf(&conn)?;
        // A platform key that cannot be read is not a guess: it is asked for before counting.
        let secret = provider.platform_secret()?;
        let (failed, max_failed) = count_attempt(&conn, now)?;
        let master = crypto::derive_kek(passphrase.as_bytes(), &kdf.salt, kdf.params, &secret)?;

        if let Some(bytes) = unwrap_slot(&conn, &master, SLOT_MAIN)? {
            let data: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| VaultError::NotAVault)?;
            conn.execute(
                "UPDATE unlock_state SET failed = 0, last_failed_at = NULL WHERE id = 1",
                [],
            )?;
            let actor = meta_get(&conn, "actor")?
                .map(|a| String::from_utf8_lossy(&a).into_owned())
                .unwrap_or_default();
            let mut vault = Vault {
                conn,
                path: path.to_path_buf(),
                keys: Keys::new(Key::from_bytes(data)),
                actor,
            };
            vault.audit("vault.unlock", "")?;
            vault.apply_retention(now)?;
            return Ok(vault);
        }
        if unwrap_slot(&conn, &master, SLOT_DURESS)?.is_some_and(|m| m.as_slice() == DURESS_MARKER)
        {
            // Duress: erase everything and hand back a new, empty vault under this passphrase,
            // indistinguishable from a vault that was always empty.
            crypto_erase(&conn)?;
            let options = VaultOptions {
                kdf: kdf.params,
                max_failed_unlocks: max_failed,
                retention_days: None,
            };
            return Self::initialise(conn, path, passphrase, provider, options);
        }
        // This attempt was counted before the key derivation (`count_attempt`).
        if failed >= max_failed {
            crypto_erase(&conn)?;
            return Err(VaultError::Erased);
        }
        Err(VaultError::WrongPassphrase {
            remaining: max_failed - failed,
        })
    }

    /// Locks the vault: the keys are wiped from memory and the connection closed.
    pub fn lock(self) {
        drop(self);
    }

    /// Runs `f` in one transaction: everything it wrote is kept, or nothing is (bulk imports).
    pub fn transaction<T>(&mut self, f: impl FnOnce(&mut Vault) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match f(self) {
            Ok(v) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(v)
            }
            Err(e) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
        }
    }

    /// The file of the vault.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Failed unlock attempts recorded, and the organisation's maximum.
    pub fn failed_unlocks(path: &Path) -> Result<(u32, u32)> {
        let conn = open_existing(path)?;
        Ok(conn.query_row(
            "SELECT failed, max_failed FROM unlock_state WHERE id = 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// Changes the passphrase: only the wrapping of the data key changes, whatever the vault's size.
    pub fn change_passphrase(&mut self, new: &str, provider: &dyn KeyProvider) -> Result<()> {
        check_passphrase(new)?;
        let kdf = read_kdf(&self.conn)?;
        let secret = provider.platform_secret()?;
        let master = crypto::derive_kek(new.as_bytes(), &kdf.salt, kdf.params, &secret)?;
        if unwrap_slot(&self.conn, &master, SLOT_DURESS)?.is_some() {
            return Err(VaultError::DuressSameAsPassphrase);
        }
        let wrapped = wrap(&master, SLOT_MAIN, self.keys.data.as_bytes())?;
        self.conn.execute(
            "UPDATE keyslots SET wrapped = ?1 WHERE slot = ?2",
            params![wrapped, SLOT_MAIN],
        )?;
        self.audit("vault.passwd", "")
    }

    /// Sets (or replaces) the duress passphrase: entering it instead of the passphrase silently
    /// erases the vault and opens an empty one.
    pub fn set_duress_passphrase(
        &mut self,
        duress: &str,
        provider: &dyn KeyProvider,
    ) -> Result<()> {
        check_passphrase(duress)?;
        let kdf = read_kdf(&self.conn)?;
        let secret = provider.platform_secret()?;
        let master = crypto::derive_kek(duress.as_bytes(), &kdf.salt, kdf.params, &secret)?;
        if unwrap_slot(&self.conn, &master, SLOT_MAIN)?.is_some() {
            return Err(VaultError::DuressSameAsPassphrase);
        }
        self.conn.execute(
            "INSERT OR REPLACE INTO keyslots (slot, wrapped) VALUES (?1, ?2)",
            params![SLOT_DURESS, wrap(&master, SLOT_DURESS, DURESS_MARKER)?],
        )?;
        self.audit("vault.duress_set", "")
    }

    /// Panic wipe: erases the key material and every record, then deletes the files. One action,
    /// no passphrase needed: it only destroys.
    pub fn wipe(path: &Path) -> Result<()> {
        if !path.exists() {
            return Err(VaultError::NotFound);
        }
        // Erase in place first, so that nothing survives in the file system's free blocks as a
        // readable database even if deleting the files fails; a file that is not a readable vault
        // is removed all the same.
        if let Ok(conn) = Connection::open(path)
            && schema::configure(&conn).is_ok()
        {
            let _ = crypto_erase(&conn);
        }
        let mut names = vec![path.to_path_buf()];
        for suffix in ["-wal", "-shm", "-journal"] {
            let mut p = path.as_os_str().to_owned();
            p.push(suffix);
            names.push(PathBuf::from(p));
        }
        for p in names {
            if p.exists() {
                std::fs::remove_file(&p).map_err(|e| VaultError::Storage(e.to_string()))?;
            }
        }
        Ok(())
    }

    /// Purges closed cases past the retention period (when one is set); their anonymised counts are
    /// kept. Returns how many were purged.
    pub fn apply_retention(&mut self, now: i64) -> Result<usize> {
        let Some(days) = meta_get(&self.conn, "retention_days")?
            .and_then(|v| String::from_utf8(v).ok())
            .and_then(|v| v.parse::<i64>().ok())
        else {
            return Ok(0);
        };
        self.purge_closed_before(now - days * 86_400)
    }

    /// Sets the retention period (`None`: keep closed cases).
    pub fn set_retention_days(&mut self, days: Option<u32>) -> Result<()> {
        match days {
            Some(d) => meta_set(&self.conn, "retention_days", d.to_string().as_bytes())?,
            None => {
                self.conn
                    .execute("DELETE FROM meta WHERE key = 'retention_days'", [])?;
            }
        }
        self.audit("vault.retention", "")
    }

    // --- sealing helpers for the record modules ------------------------------------------------

    /// Seals a value as JSON for `table`/`id`/`column`.
    pub(crate) fn seal_json<T: serde::Serialize>(
        &self,
        table: &str,
        id: &str,
        column: &str,
        value: &T,
    ) -> Result<Vec<u8>> {
        let json = Zeroizing::new(
            serde_json::to_vec(value).map_err(|e| VaultError::Invalid(e.to_string()))?,
        );
        Ok(crypto::seal(
            &self.keys.values,
            &json,
            &crypto::aad(table, id, column),
        )?)
    }

    pub(crate) fn open_json<T: serde::de::DeserializeOwned>(
        &self,
        table: &str,
        id: &str,
        column: &str,
        sealed: &[u8],
    ) -> Result<T> {
        let plain = self.open_value(table, id, column, sealed)?;
        serde_json::from_slice(&plain).map_err(|_| VaultError::Tampered(format!("{table}/{id}")))
    }

    /// The plaintext of a sealed value (wiped from memory when dropped).
    pub(crate) fn open_value(
        &self,
        table: &str,
        id: &str,
        column: &str,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        crypto::open(&self.keys.values, sealed, &crypto::aad(table, id, column))
            .map_err(|_| VaultError::Tampered(format!("{table}/{id}")))
    }

    pub(crate) fn keys_values(&self) -> &Key {
        &self.keys.values
    }

    pub(crate) fn index_key(&self) -> &Key {
        &self.keys.index
    }

    pub(crate) fn code_index(&self, code: &str) -> Vec<u8> {
        crypto::blind_index(&self.keys.index, "case.code", code)
    }

    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}
