//! What every handover format shares: its errors, version and limits, SHA-256, canonical Base45
//! text, and the check that a fixed CBOR array was in its one deterministic encoding.

use sha2::{Digest, Sha256};

/// The handover format version (docs/handover-format.md).
pub const FORMAT_VERSION: u8 = 2;
/// The largest envelope accepted (also the fountain code's message limit).
pub const MAX_ENVELOPE: usize = 256 * 1024;
/// The largest bundle an envelope may inflate to: a decompression bomb stops here.
pub const MAX_BUNDLE: usize = 4 * 1024 * 1024;
/// The longest organisation name, in characters: longer is refused, never cut.
pub const MAX_NAME: usize = 80;
/// How far a peer's clock may run ahead of ours.
pub const CLOCK_SKEW: i64 = 10 * 60;
/// The longest a receiver key may be valid.
pub const MAX_KEY_LIFETIME: i64 = 24 * 60 * 60;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandoverError {
    #[error("not a Relais {0}")]
    NotRelais(&'static str),
    #[error("the {0} is malformed")]
    Malformed(&'static str),
    #[error("the {0} is too large")]
    TooLarge(&'static str),
    #[error(
        "the {what} was made by an older Relais (handover format {version}); update both phones"
    )]
    OldFormat { what: &'static str, version: u8 },
    #[error("handover format {0} is not supported")]
    Version(u8),
    #[error("the {0} signature does not verify")]
    BadSignature(&'static str),
    #[error("the receiver's key expired")]
    Expired,
    #[error("the {0} is dated in the future: check this phone's clock")]
    Future(&'static str),
    #[error("the organisation name must be 1 to {MAX_NAME} characters")]
    Name,
    #[error("the envelope cannot be opened with this receiver's key")]
    Decrypt,
    #[error("the case was sealed for another receiver: it was relayed, refuse it")]
    WrongReceiver,
    #[error("the case inside is damaged")]
    Content,
    #[error("the case would inflate past {MAX_BUNDLE} bytes")]
    Bomb,
}

/// Lowercase hexadecimal, as keys, ids and digests are written in JSON and records.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Exactly N bytes from 2N hexadecimal digits (surrounding spaces ignored).
pub fn unhex<const N: usize>(s: &str) -> Option<[u8; N]> {
    let s = s.trim();
    if s.len() != 2 * N || !s.is_ascii() {
        return None;
    }
    let mut out = [0u8; N];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

pub fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

/// An organisation name as the formats carry it: trimmed, 1 to 80 characters, or refused.
pub fn checked_name(name: &str) -> Result<&str, HandoverError> {
    let name = name.trim();
    let n = name.chars().count();
    if n == 0 || n > MAX_NAME || name.chars().any(char::is_control) {
        return Err(HandoverError::Name);
    }
    Ok(name)
}

/// The bytes of a `PREFIX` + Base45 text. The prefix is compared ignoring case; the Base45 must be
/// canonical (exactly what encoding its bytes gives), so one code has one text.
pub fn base45_payload(
    text: &str,
    prefix: &str,
    old_prefix: &str,
    what: &'static str,
) -> Result<Vec<u8>, HandoverError> {
    let text = text.trim();
    if text.len() > 8192 {
        return Err(HandoverError::TooLarge(what));
    }
    let starts = |p: &str| {
        text.get(..p.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(p))
    };
    if !starts(prefix) {
        if starts(old_prefix) {
            return Err(HandoverError::OldFormat { what, version: 1 });
        }
        return Err(HandoverError::NotRelais(what));
    }
    let body = &text[prefix.len()..];
    let raw = base45::decode(body).map_err(|_| HandoverError::Malformed(what))?;
    if base45::encode(&raw) != body {
        return Err(HandoverError::Malformed(what));
    }
    Ok(raw)
}

/// Exactly N bytes from a CBOR byte string.
pub fn bstr<const N: usize>(
    d: &mut minicbor::Decoder<'_>,
    what: &'static str,
) -> Result<[u8; N], HandoverError> {
    d.bytes()
        .ok()
        .and_then(|b| <[u8; N]>::try_from(b).ok())
        .ok_or(HandoverError::Malformed(what))
}

/// Refuses a fixed array that decoded but was not in its deterministic encoding: `rebuilt` is
/// what encoding the decoded values gives.
pub fn same_encoding(raw: &[u8], rebuilt: &[u8], what: &'static str) -> Result<(), HandoverError> {
    if raw == rebuilt {
        Ok(())
    } else {
        Err(HandoverError::Malformed(what))
    }
}
