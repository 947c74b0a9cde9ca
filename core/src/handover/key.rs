//! The receiver's key QR (`RLK2:`): a fresh encryption key for one handover, signed by the
//! receiver's identity. Layout: docs/handover-format.md §2.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hpke::kem::X25519HkdfSha256;
use hpke::{Kem as _, Serializable};
use minicbor::{Decoder, Encoder};
use zeroize::Zeroizing;

use super::wire::{
    self, CLOCK_SKEW, FORMAT_VERSION, HandoverError, MAX_KEY_LIFETIME, base45_payload, bstr,
    same_encoding,
};

pub const KEY_PREFIX: &str = "RLK2:";
const OLD_PREFIX: &str = "RLK1:";
const LABEL: &[u8] = b"relais/key/v2";
/// The fragments a key may ask for (bytes per frame).
pub const MIN_KEY_FRAGMENT: u16 = 64;
pub const MAX_KEY_FRAGMENT: u16 = 2048;

/// What the receiver's screen shows first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverKey {
    pub session: [u8; 16],
    pub kem_public: [u8; 32],
    /// The largest fragment the receiver's camera handles (bytes of data per frame).
    pub max_fragment: u16,
    pub expires_at: i64,
    /// The receiver's identity (Ed25519 public key).
    pub receiver: [u8; 32],
    /// The name the receiver gives itself: a claim, until a directory or a fingerprint vouches.
    pub organisation: String,
    pub signature: [u8; 64],
}

fn signed_part(
    session: &[u8; 16],
    kem_public: &[u8; 32],
    max_fragment: u16,
    expires_at: i64,
    receiver: &[u8; 32],
    organisation: &str,
) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = e
        .array(7)
        .and_then(|e| e.u8(FORMAT_VERSION))
        .and_then(|e| e.bytes(session))
        .and_then(|e| e.bytes(kem_public))
        .and_then(|e| e.u16(max_fragment))
        .and_then(|e| e.i64(expires_at))
        .and_then(|e| e.bytes(receiver))
        .and_then(|e| e.str(organisation));
    e.into_writer()
}

impl ReceiverKey {
    fn signed(&self) -> Vec<u8> {
        signed_part(
            &self.session,
            &self.kem_public,
            self.max_fragment,
            self.expires_at,
            &self.receiver,
            &self.organisation,
        )
    }

    /// A new key: returns it with its secret (to keep, sealed, until used or expired).
    pub fn generate(
        identity: &SigningKey,
        organisation: &str,
        max_fragment: u16,
        expires_at: i64,
    ) -> Result<(ReceiverKey, Zeroizing<[u8; 32]>), HandoverError> {
        let organisation = wire::checked_name(organisation)?.to_string();
        if !(MIN_KEY_FRAGMENT..=MAX_KEY_FRAGMENT).contains(&max_fragment) {
            return Err(HandoverError::Malformed("fragment size"));
        }
        let (sk, pk) = X25519HkdfSha256::gen_keypair();
        let mut secret = Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(&sk.to_bytes());
        let session: [u8; 16] =
            crate::vault::crypto::random_bytes().map_err(|_| HandoverError::Malformed("random"))?;
        let mut key = ReceiverKey {
            session,
            kem_public: pk.to_bytes().into(),
            max_fragment,
            expires_at,
            receiver: identity.verifying_key().to_bytes(),
            organisation,
            signature: [0; 64],
        };
        key.signature = identity.sign(&[LABEL, &key.signed()].concat()).to_bytes();
        Ok((key, secret))
    }

    pub fn to_text(&self) -> String {
        let mut bytes = self.signed();
        let mut e = Encoder::new(Vec::new());
        let _ = e.bytes(&self.signature);
        bytes.extend_from_slice(&e.into_writer());
        format!("{KEY_PREFIX}{}", base45::encode(&bytes))
    }

    /// Reads and verifies a key QR's text (shape, encoding, signature), whatever its dates: for the
    /// receiver re-reading a key it showed.
    pub fn parse(text: &str) -> Result<ReceiverKey, HandoverError> {
        const WHAT: &str = "receiver key";
        let raw = base45_payload(text, KEY_PREFIX, OLD_PREFIX, WHAT)?;
        let mut d = Decoder::new(&raw);
        let bad = |_| HandoverError::Malformed(WHAT);
        if d.array().map_err(bad)? != Some(7) {
            return Err(HandoverError::Malformed(WHAT));
        }
        let version = d.u8().map_err(bad)?;
        if version != FORMAT_VERSION {
            return Err(HandoverError::Version(version));
        }
        let mut key = ReceiverKey {
            session: bstr::<16>(&mut d, WHAT)?,
            kem_public: bstr::<32>(&mut d, WHAT)?,
            max_fragment: d.u16().map_err(bad)?,
            expires_at: d.i64().map_err(bad)?,
            receiver: bstr::<32>(&mut d, WHAT)?,
            organisation: d.str().map_err(bad)?.to_string(),
            signature: [0; 64],
        };
        let signed_len = d.position();
        key.signature = bstr::<64>(&mut d, WHAT)?;
        if d.position() != raw.len() {
            return Err(HandoverError::Malformed(WHAT));
        }
        same_encoding(&raw[..signed_len], &key.signed(), WHAT)?;
        if wire::checked_name(&key.organisation)? != key.organisation {
            return Err(HandoverError::Name);
        }
        if !(MIN_KEY_FRAGMENT..=MAX_KEY_FRAGMENT).contains(&key.max_fragment) {
            return Err(HandoverError::Malformed(WHAT));
        }
        VerifyingKey::from_bytes(&key.receiver)
            .and_then(|k| {
                k.verify_strict(
                    &[LABEL, &raw[..signed_len]].concat(),
                    &Signature::from_bytes(&key.signature),
                )
            })
            .map_err(|_| HandoverError::BadSignature(WHAT))?;
        Ok(key)
    }

    /// Reads and verifies a scanned key QR: also unexpired, and not valid implausibly long.
    pub fn from_text(text: &str, now: i64) -> Result<ReceiverKey, HandoverError> {
        let key = Self::parse(text)?;
        if now > key.expires_at {
            return Err(HandoverError::Expired);
        }
        if key.expires_at > now + MAX_KEY_LIFETIME + CLOCK_SKEW {
            return Err(HandoverError::Future("receiver key"));
        }
        Ok(key)
    }

    /// The fragment the sender cuts frames to: what the receiver asked, at most the default.
    pub fn fragment(&self) -> usize {
        usize::from(self.max_fragment).min(super::fountain::DEFAULT_FRAGMENT)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> ReceiverKey {
        let id = SigningKey::from_bytes(&[2; 32]);
        ReceiverKey::generate(&id, "Maison Lisanga", 1000, 1600)
            .unwrap()
            .0
    }

    #[test]
    fn round_trip_and_refusals() {
        let k = key();
        let text = k.to_text();
        assert!(text.starts_with(KEY_PREFIX));
        assert_eq!(ReceiverKey::from_text(&text, 1000).unwrap(), k);
        // A lowercase prefix reads the same key (the values are what count).
        let lower = format!("rlk2:{}", &text[5..]);
        assert_eq!(ReceiverKey::from_text(&lower, 1000).unwrap(), k);
        // Non-canonical Base45 (lowercase body) is refused.
        let body_lower = format!("RLK2:{}", text[5..].to_lowercase());
        assert!(ReceiverKey::from_text(&body_lower, 1000).is_err());
        assert_eq!(
            ReceiverKey::from_text(&text, 1601),
            Err(HandoverError::Expired)
        );
        assert_eq!(
            ReceiverKey::from_text(&text, 1600 - MAX_KEY_LIFETIME - CLOCK_SKEW - 1),
            Err(HandoverError::Future("receiver key"))
        );
        let mut forged = k.clone();
        forged.kem_public[0] ^= 1;
        assert_eq!(
            ReceiverKey::from_text(&forged.to_text(), 1000),
            Err(HandoverError::BadSignature("receiver key"))
        );
        assert!(matches!(
            ReceiverKey::from_text("RLK1:ABC", 1000),
            Err(HandoverError::OldFormat { version: 1, .. })
        ));
        assert_eq!(
            ReceiverKey::from_text("HC1:ABC", 1000),
            Err(HandoverError::NotRelais("receiver key"))
        );
    }

    #[test]
    fn names_over_the_limit_are_refused_not_cut() {
        let id = SigningKey::from_bytes(&[2; 32]);
        let long = "x".repeat(81);
        assert_eq!(
            ReceiverKey::generate(&id, &long, 1000, 1600).map(|_| ()),
            Err(HandoverError::Name)
        );
        assert!(ReceiverKey::generate(&id, &"é".repeat(80), 1000, 1600).is_ok());
        assert_eq!(
            ReceiverKey::generate(&id, " ", 1000, 1600).map(|_| ()),
            Err(HandoverError::Name)
        );
    }

    #[test]
    fn a_non_shortest_encoding_is_refused_even_when_signed() {
        // The fragment 1000 written as a 4-byte integer, signed by the real identity.
        let id = SigningKey::from_bytes(&[2; 32]);
        let k = key();
        let good = k.signed();
        let at = good
            .windows(3)
            .position(|w| w == [0x19, 0x03, 0xe8])
            .unwrap();
        let mut bad = good[..at].to_vec();
        bad.extend_from_slice(&[0x1a, 0x00, 0x00, 0x03, 0xe8]);
        bad.extend_from_slice(&good[at + 3..]);
        let sig = id.sign(&[LABEL, &bad].concat()).to_bytes();
        let mut e = Encoder::new(bad);
        let _ = e.bytes(&sig);
        let text = format!("{KEY_PREFIX}{}", base45::encode(e.into_writer()));
        assert_eq!(
            ReceiverKey::from_text(&text, 1000),
            Err(HandoverError::Malformed("receiver key"))
        );
    }
}
