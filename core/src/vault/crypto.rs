//! The vault's cryptography: key derivation and wrapping, value encryption with associated data and
//! padding, blind indexes. Every key lives in a zeroizing buffer.
//!
//! Key hierarchy:
//! - a random 256-bit **data key** encrypts everything; it is stored only wrapped;
//! - the **key-encryption key** = HKDF-SHA256(Argon2id(passphrase, salt, params), platform secret),
//!   so a copied vault file cannot be brute-forced off the device when the platform supplies a
//!   hardware-held secret;
//! - per-purpose subkeys of the data key (HKDF): values, blind indexes, audit chain.

use chacha20poly1305::aead::{Aead, AeadInOut, Payload};
use chacha20poly1305::{KeyInit, XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// The first byte of every encrypted value: the format version.
pub const VALUE_VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;

/// Argon2id parameters, stored with each vault so they can grow on newer phones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_kib: u32,
    /// Iterations.
    pub t: u32,
    /// Parallelism.
    pub p: u32,
}

impl KdfParams {
    /// The floor for real vaults: 64 MiB, 3 passes (the design's minimum).
    pub const DEFAULT: KdfParams = KdfParams {
        m_kib: 64 * 1024,
        t: 3,
        p: 1,
    };

    /// Tiny parameters for tests only: they make a vault guessable.
    pub const INSECURE_FOR_TESTS: KdfParams = KdfParams {
        m_kib: 64,
        t: 1,
        p: 1,
    };
}

impl KdfParams {
    /// Parameters that take about `target` to derive on this device: the default memory, and as
    /// many passes as fit (never fewer than the default's, at most 64).
    pub fn calibrate(target: std::time::Duration) -> Result<KdfParams, CryptoError> {
        // The fastest of three runs: what the device can do, not how busy it was at that moment
        // (a single run on a loaded phone gave anything from 3 to 11 passes). The floor
        // (DEFAULT: 64 MiB, 3 passes) never depends on the measurement; it only goes up.
        let mut once = f64::MAX;
        for _ in 0..3 {
            let start = std::time::Instant::now();
            derive_kek(b"calibration", &[0u8; 16], KdfParams::DEFAULT, b"")?;
            once = once.min(start.elapsed().as_secs_f64());
        }
        let once = once.max(1e-6);
        let passes = (target.as_secs_f64() / once * f64::from(KdfParams::DEFAULT.t)).round();
        Ok(KdfParams {
            t: (passes as u32).clamp(KdfParams::DEFAULT.t, 64),
            ..KdfParams::DEFAULT
        })
    }
}

impl Default for KdfParams {
    fn default() -> Self {
        KdfParams::DEFAULT
    }
}

/// Why a cryptographic operation failed. Deliberately coarse: it says nothing of keys or contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CryptoError {
    #[error("the key derivation parameters are invalid")]
    Params,
    #[error("the system random generator failed")]
    Random,
    #[error("a value failed authentication (wrong key, or the data was altered or moved)")]
    Authentication,
    #[error("a value has an unknown format version")]
    Version,
}

/// A 256-bit secret key, wiped from memory when dropped.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct Key([u8; 32]);

impl Key {
    pub fn random() -> Result<Key, CryptoError> {
        let mut k = [0u8; 32];
        getrandom::fill(&mut k).map_err(|_| CryptoError::Random)?;
        Ok(Key(k))
    }

    pub fn from_bytes(bytes: [u8; 32]) -> Key {
        Key(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A subkey for one purpose (HKDF-SHA256 with the purpose as info).
    pub fn derive(&self, purpose: &str) -> Key {
        let hk = Hkdf::<Sha256>::new(Some(b"relais.vault.subkey.v1"), &self.0);
        let mut out = [0u8; 32];
        // 32 bytes is far below HKDF-SHA256's 8160-byte limit: expand cannot fail.
        let _ = hk.expand(purpose.as_bytes(), &mut out);
        Key(out)
    }
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

/// Random bytes from the system, drawn from a per-thread buffer of OS randomness (refilled 4 KiB at
/// a time, each byte used once, wiped when the thread ends) so that sealing many values does not
/// make a system call per nonce.
pub fn random_bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    use std::cell::RefCell;
    const POOL: usize = 4096;
    struct Pool {
        bytes: Zeroizing<Vec<u8>>,
        used: usize,
    }
    thread_local! {
        static RANDOM: RefCell<Pool> = RefCell::new(Pool { bytes: Zeroizing::new(vec![0; POOL]), used: POOL });
    }
    let mut out = [0u8; N];
    if N > POOL {
        getrandom::fill(&mut out).map_err(|_| CryptoError::Random)?;
        return Ok(out);
    }
    RANDOM.with(|cell| {
        let mut pool = cell.borrow_mut();
        if pool.used + N > POOL {
            getrandom::fill(pool.bytes.as_mut_slice()).map_err(|_| CryptoError::Random)?;
            pool.used = 0;
        }
        let start = pool.used;
        out.copy_from_slice(&pool.bytes[start..start + N]);
        // Each byte serves once: wipe it from the pool as it is taken.
        pool.bytes[start..start + N].zeroize();
        pool.used += N;
        Ok(out)
    })
}

/// The key-encryption key from a passphrase, the vault's salt and parameters, and the platform's
/// secret (empty when the platform has none).
pub fn derive_kek(
    passphrase: &[u8],
    salt: &[u8],
    params: KdfParams,
    platform_secret: &[u8],
) -> Result<Key, CryptoError> {
    let argon_params = argon2::Params::new(params.m_kib, params.t, params.p, Some(32))
        .map_err(|_| CryptoError::Params)?;
    let argon = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon_params,
    );
    let mut stretched = Zeroizing::new([0u8; 32]);
    argon
        .hash_password_into(passphrase, salt, stretched.as_mut())
        .map_err(|_| CryptoError::Params)?;
    let hk = Hkdf::<Sha256>::new(Some(platform_secret), stretched.as_ref());
    let mut kek = [0u8; 32];
    let _ = hk.expand(b"relais.vault.kek.v1", &mut kek);
    Ok(Key(kek))
}

fn cipher(key: &Key) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(key.as_bytes().into())
}

/// Padded length of a body: short values to 256 or 1024 bytes, then to the next KiB, then (past
/// 16 KiB) to the next 8 KiB, so that a ciphertext's size says little about its content.
pub fn padded_len(len: usize) -> usize {
    let with_marker = len + 1;
    let round = |n: usize, to: usize| n.div_ceil(to) * to;
    match with_marker {
        0..=256 => 256,
        257..=1024 => 1024,
        1025..=16384 => round(with_marker, 1024),
        _ => round(with_marker, 8192),
    }
}

/// Values at least this long are compressed (LZ4) before padding, when that makes them shorter.
const COMPRESS_FROM: usize = 512;
/// The largest value a sealed body may expand to: a guard against a decompression bomb (the body is
/// authenticated before it is decompressed, so only the key holder could have written one).
pub const MAX_VALUE: usize = 16 * 1024 * 1024;

const BODY_RAW: u8 = 0;
const BODY_LZ4: u8 = 1;

/// Encrypts a value: `version || nonce || ciphertext+tag`. The sealed body is a flag byte (raw or
/// LZ4) and the value, padded (ISO/IEC 7816-4) to a size bucket; the associated data binds it to
/// where it is stored. Compressing first halves the bytes written for text records; padding after
/// compression keeps the size coarse.
pub fn seal(key: &Key, plaintext: &[u8], aad: &[u8]) -> Result<Vec<u8>, CryptoError> {
    let compressed = (plaintext.len() >= COMPRESS_FROM)
        .then(|| Zeroizing::new(lz4_flex::block::compress_prepend_size(plaintext)))
        .filter(|c| c.len() < plaintext.len());
    let (flag, body): (u8, &[u8]) = match &compressed {
        Some(c) => (BODY_LZ4, c.as_slice()),
        None => (BODY_RAW, plaintext),
    };
    let total = padded_len(body.len() + 1);
    // version ‖ nonce ‖ body, padded; the body is then encrypted in place, so that no second
    // plaintext copy is made (nor left to wipe).
    let nonce_bytes = random_bytes::<NONCE_LEN>()?;
    let mut out = Vec::with_capacity(1 + NONCE_LEN + total + TAG_LEN);
    out.push(VALUE_VERSION);
    out.extend_from_slice(&nonce_bytes);
    out.push(flag);
    out.extend_from_slice(body);
    out.push(0x80);
    out.resize(1 + NONCE_LEN + total, 0);
    let tag = cipher(key)
        .encrypt_inout_detached(
            &XNonce::from(nonce_bytes),
            aad,
            (&mut out[1 + NONCE_LEN..]).into(),
        )
        .map_err(|_| CryptoError::Authentication);
    match tag {
        Ok(tag) => {
            out.extend_from_slice(&tag);
            Ok(out)
        }
        Err(e) => {
            out.zeroize();
            Err(e)
        }
    }
}

/// Decrypts a value sealed by [`seal`] with the same associated data.
pub fn open(key: &Key, sealed: &[u8], aad: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
    let (&version, rest) = sealed.split_first().ok_or(CryptoError::Authentication)?;
    if version != VALUE_VERSION {
        return Err(CryptoError::Version);
    }
    if rest.len() < NONCE_LEN + TAG_LEN {
        return Err(CryptoError::Authentication);
    }
    let (nonce_bytes, ct) = rest.split_at(NONCE_LEN);
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(nonce_bytes);
    let padded = Zeroizing::new(
        cipher(key)
            .decrypt(&XNonce::from(nonce), Payload { msg: ct, aad })
            .map_err(|_| CryptoError::Authentication)?,
    );
    let end = padded
        .iter()
        .rposition(|&b| b != 0)
        .filter(|&i| padded[i] == 0x80 && i >= 1)
        .ok_or(CryptoError::Authentication)?;
    let body = &padded[1..end];
    match padded[0] {
        BODY_RAW => Ok(Zeroizing::new(body.to_vec())),
        BODY_LZ4 => {
            let declared = body
                .get(..4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
                .ok_or(CryptoError::Authentication)?;
            if declared > MAX_VALUE {
                return Err(CryptoError::Authentication);
            }
            lz4_flex::block::decompress_size_prepended(body)
                .map(Zeroizing::new)
                .map_err(|_| CryptoError::Authentication)
        }
        _ => Err(CryptoError::Version),
    }
}

/// The associated data that binds a value to its table, record and column.
pub fn aad(table: &str, record: &str, column: &str) -> Vec<u8> {
    let mut a = Vec::with_capacity(32 + table.len() + record.len() + column.len());
    a.extend_from_slice(b"relais.vault.v1\0");
    for part in [table, record, column] {
        a.extend_from_slice(part.as_bytes());
        a.push(0);
    }
    a
}

/// A blind index: a keyed hash of a lookup value, so equal values can be found without storing them.
pub fn blind_index(key: &Key, domain: &str, value: &str) -> Vec<u8> {
    let mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key.as_bytes());
    let Ok(mut mac) = mac else {
        return Vec::new(); // HMAC accepts keys of any length: unreachable
    };
    mac.update(domain.as_bytes());
    mac.update(&[0]);
    mac.update(value.trim().to_uppercase().as_bytes());
    mac.finalize().into_bytes()[..16].to_vec()
}

/// HMAC-SHA256 of parts, for the audit chain.
pub fn mac(key: &Key, parts: &[&[u8]]) -> Vec<u8> {
    let Ok(mut mac) = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key.as_bytes()) else {
        return Vec::new();
    };
    for p in parts {
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_and_open_round_trip_with_padding() {
        let key = Key::random().unwrap();
        for len in [0usize, 1, 255, 256, 1000, 5000, 20000] {
            // Random bytes do not compress: the body is the value itself.
            let mut msg = vec![0u8; len];
            getrandom::fill(&mut msg).unwrap();
            let sealed = seal(&key, &msg, b"ad").unwrap();
            assert_eq!(sealed.len(), 1 + 24 + padded_len(len + 1) + 16, "{len}");
            assert_eq!(
                open(&key, &sealed, b"ad").unwrap().as_slice(),
                msg.as_slice()
            );
        }
        // Text compresses before padding, and comes back whole.
        let text = "le travail était dur et la paie jamais versée; ".repeat(120);
        let sealed = seal(&key, text.as_bytes(), b"ad").unwrap();
        assert!(
            sealed.len() < text.len() / 2,
            "{} for {}",
            sealed.len(),
            text.len()
        );
        assert_eq!(
            open(&key, &sealed, b"ad").unwrap().as_slice(),
            text.as_bytes()
        );
        // Trailing zero bytes in the plaintext survive the padding.
        let msg = b"ends with zeros\0\0\0";
        let sealed = seal(&key, msg, b"x").unwrap();
        assert_eq!(open(&key, &sealed, b"x").unwrap().as_slice(), msg);
    }

    #[test]
    fn tampering_moving_or_wrong_keys_are_refused() {
        let key = Key::random().unwrap();
        let sealed = seal(&key, b"secret", &aad("cases", "a", "data")).unwrap();
        for i in 0..sealed.len() {
            let mut bad = sealed.clone();
            bad[i] ^= 0x01;
            assert!(
                open(&key, &bad, &aad("cases", "a", "data")).is_err(),
                "byte {i}"
            );
        }
        assert_eq!(
            open(&key, &sealed, &aad("cases", "b", "data")).unwrap_err(),
            CryptoError::Authentication
        );
        assert_eq!(
            open(&key, &sealed, &aad("notes", "a", "data")).unwrap_err(),
            CryptoError::Authentication
        );
        assert!(open(&Key::random().unwrap(), &sealed, &aad("cases", "a", "data")).is_err());
        assert!(open(&key, &sealed[..10], b"").is_err());
        assert!(open(&key, &[], b"").is_err());
    }

    #[test]
    fn padding_buckets() {
        assert_eq!(padded_len(0), 256);
        assert_eq!(padded_len(255), 256);
        assert_eq!(padded_len(256), 1024);
        assert_eq!(padded_len(1023), 1024);
        assert_eq!(padded_len(1024), 2048);
        assert_eq!(padded_len(5000), 5120);
        assert_eq!(padded_len(16383), 16384);
        assert_eq!(padded_len(16384), 24576);
    }

    #[test]
    fn an_authenticated_body_claiming_a_huge_size_is_refused() {
        // Only the key holder can write one; still, nothing expands past the cap.
        let key = Key::random().unwrap();
        let mut body = vec![BODY_LZ4];
        body.extend_from_slice(&(u32::MAX).to_le_bytes());
        body.extend_from_slice(&[0x10, 0x41]);
        body.push(0x80);
        body.resize(256, 0);
        let nonce = XNonce::from([3u8; 24]);
        let ct = cipher(&key)
            .encrypt(
                &nonce,
                Payload {
                    msg: &body,
                    aad: b"",
                },
            )
            .unwrap();
        let mut sealed = vec![VALUE_VERSION];
        sealed.extend_from_slice(&[3u8; 24]);
        sealed.extend_from_slice(&ct);
        assert_eq!(
            open(&key, &sealed, b"").unwrap_err(),
            CryptoError::Authentication
        );
    }

    #[test]
    fn kek_depends_on_every_input() {
        let p = KdfParams::INSECURE_FOR_TESTS;
        let salt = [1u8; 16];
        let k = derive_kek(b"pass", &salt, p, b"").unwrap();
        assert_eq!(
            k.as_bytes(),
            derive_kek(b"pass", &salt, p, b"").unwrap().as_bytes()
        );
        assert_ne!(
            k.as_bytes(),
            derive_kek(b"pasS", &salt, p, b"").unwrap().as_bytes()
        );
        assert_ne!(
            k.as_bytes(),
            derive_kek(b"pass", &[2u8; 16], p, b"").unwrap().as_bytes()
        );
        assert_ne!(
            k.as_bytes(),
            derive_kek(b"pass", &salt, p, b"hw").unwrap().as_bytes()
        );
        assert_ne!(
            k.as_bytes(),
            derive_kek(b"pass", &salt, KdfParams { t: 2, ..p }, b"")
                .unwrap()
                .as_bytes()
        );
    }

    #[test]
    fn calibration_never_goes_below_the_default() {
        let fast = KdfParams::calibrate(std::time::Duration::from_millis(1)).unwrap();
        assert_eq!(fast, KdfParams::DEFAULT);
        let slow = KdfParams::calibrate(std::time::Duration::from_secs(600)).unwrap();
        assert_eq!((slow.m_kib, slow.t), (KdfParams::DEFAULT.m_kib, 64));
    }

    #[test]
    fn blind_indexes_are_keyed_and_normalised() {
        let k = Key::random().unwrap();
        assert_eq!(
            blind_index(&k, "case.code", "rls-abc"),
            blind_index(&k, "case.code", " RLS-ABC ")
        );
        assert_ne!(
            blind_index(&k, "case.code", "RLS-ABC"),
            blind_index(&k, "other", "RLS-ABC")
        );
        assert_ne!(
            blind_index(&k, "case.code", "RLS-ABC"),
            blind_index(&Key::random().unwrap(), "case.code", "RLS-ABC")
        );
    }
}
