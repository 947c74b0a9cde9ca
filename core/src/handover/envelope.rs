//! The sealed envelope (`RLE2`): in clear only the session it was sealed to; inside, the sender,
//! its signature over the receiver and session it sealed for, and the case bundle. Layout:
//! docs/handover-format.md §3.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, OpModeR, OpModeS, Serializable};
use minicbor::{Decoder, Encoder};
use zeroize::Zeroizing;

use super::key::ReceiverKey;
use super::wire::{self, CLOCK_SKEW, FORMAT_VERSION, bstr, same_encoding, sha256};
pub use super::wire::{HandoverError, MAX_BUNDLE, MAX_ENVELOPE};

pub const MAGIC: &[u8; 4] = b"RLE2";
const OLD_MAGIC: &[u8; 4] = b"RLE1";
const HPKE_INFO: &[u8] = b"relais/handover/v2";
const LABEL: &[u8] = b"relais/envelope/v2";
const DIGEST_LABEL: &[u8] = b"relais/ack/v2/envelope";

/// The plaintext sizes an envelope may have: its length tells an onlooker only the bucket.
pub const BUCKETS: [usize; 9] = [
    1024,
    2048,
    4096,
    8192,
    16 * 1024,
    32 * 1024,
    64 * 1024,
    128 * 1024,
    255 * 1024,
];

type Kem = X25519HkdfSha256;

/// What the receiver learns once it opened and verified an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    /// The sender's identity (Ed25519 public key).
    pub sender: [u8; 32],
    /// The name the sender gives itself.
    pub organisation: String,
    pub created_at: i64,
    /// The case bundle: deterministic CBOR.
    pub bundle: Zeroizing<Vec<u8>>,
}

/// A sealed case, as it travels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub session: [u8; 16],
    header: Vec<u8>,
    enc: [u8; 32],
    ciphertext: Vec<u8>,
}

fn header_bytes(session: &[u8; 16]) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    // Writing into a Vec cannot fail.
    let _ = e
        .array(2)
        .and_then(|e| e.u8(FORMAT_VERSION))
        .and_then(|e| e.bytes(session));
    e.into_writer()
}

/// What the sender signs: the receiver and session it seals for, itself, and the case's hash.
fn signed(
    key: &ReceiverKey,
    sender: &[u8; 32],
    organisation: &str,
    created_at: i64,
    bundle: &[u8],
) -> Vec<u8> {
    let mut e = Encoder::new(LABEL.to_vec());
    let _ = e
        .array(7)
        .and_then(|e| e.bytes(&key.session))
        .and_then(|e| e.bytes(&key.receiver))
        .and_then(|e| e.bytes(&key.kem_public))
        .and_then(|e| e.bytes(sender))
        .and_then(|e| e.str(organisation))
        .and_then(|e| e.i64(created_at))
        .and_then(|e| e.bytes(&sha256(&[bundle])));
    e.into_writer()
}

fn inner_bytes(
    sender: &[u8; 32],
    organisation: &str,
    created_at: i64,
    bundle: &[u8],
    signature: &[u8; 64],
) -> Vec<u8> {
    let mut e = Encoder::new(Vec::new());
    let _ = e
        .array(5)
        .and_then(|e| e.bytes(sender))
        .and_then(|e| e.str(organisation))
        .and_then(|e| e.i64(created_at))
        .and_then(|e| e.bytes(bundle))
        .and_then(|e| e.bytes(signature));
    e.into_writer()
}

/// `len u32 ‖ deflate ‖ zeros` to the smallest bucket that holds it.
fn pad(compressed: &[u8]) -> Result<Zeroizing<Vec<u8>>, HandoverError> {
    let need = compressed.len() + 4;
    let size = BUCKETS
        .iter()
        .copied()
        .find(|&b| b >= need)
        .ok_or(HandoverError::TooLarge("case"))?;
    let mut out = Zeroizing::new(Vec::with_capacity(size));
    out.extend_from_slice(&(compressed.len() as u32).to_be_bytes());
    out.extend_from_slice(compressed);
    out.resize(size, 0);
    Ok(out)
}

fn unpad(padded: &[u8]) -> Result<&[u8], HandoverError> {
    if !BUCKETS.contains(&padded.len()) {
        return Err(HandoverError::Content);
    }
    let len = padded
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or(HandoverError::Content)?;
    let rest = padded.get(4..).ok_or(HandoverError::Content)?;
    // The smallest bucket that holds it, zeros after: one padded form per content.
    let smallest = BUCKETS.iter().copied().find(|&b| b >= len + 4);
    if len > rest.len() || smallest != Some(padded.len()) || rest[len..].iter().any(|&b| b != 0) {
        return Err(HandoverError::Content);
    }
    Ok(&rest[..len])
}

fn inflate(compressed: &[u8]) -> Result<Zeroizing<Vec<u8>>, HandoverError> {
    miniz_oxide::inflate::decompress_to_vec_with_limit(compressed, MAX_BUNDLE + 1024)
        .map(Zeroizing::new)
        .map_err(|e| {
            if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                HandoverError::Bomb
            } else {
                HandoverError::Content
            }
        })
}

impl Envelope {
    /// Seals a case bundle (deterministic CBOR) to the receiver's key, signed by the sender.
    pub fn seal(
        bundle: &[u8],
        key: &ReceiverKey,
        identity: &SigningKey,
        organisation: &str,
        now: i64,
    ) -> Result<Envelope, HandoverError> {
        if now > key.expires_at {
            return Err(HandoverError::Expired);
        }
        if bundle.len() > MAX_BUNDLE {
            return Err(HandoverError::TooLarge("case"));
        }
        let organisation = wire::checked_name(organisation)?;
        let sender = identity.verifying_key().to_bytes();
        let signature = identity
            .sign(&signed(key, &sender, organisation, now, bundle))
            .to_bytes();
        let inner = Zeroizing::new(inner_bytes(&sender, organisation, now, bundle, &signature));
        Self::seal_inner(&inner, key)
    }

    /// Compresses, pads and seals an inner array to the key.
    fn seal_inner(inner: &[u8], key: &ReceiverKey) -> Result<Envelope, HandoverError> {
        let compressed = Zeroizing::new(miniz_oxide::deflate::compress_to_vec(inner, 9));
        let padded = pad(&compressed)?;
        let header = header_bytes(&key.session);
        let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(&key.kem_public)
            .map_err(|_| HandoverError::Malformed("receiver key"))?;
        let info = [HPKE_INFO, &key.session].concat();
        let aad = [MAGIC.as_slice(), &header].concat();
        let (enc, ciphertext) = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, Kem>(
            &OpModeS::Base,
            &pk,
            &info,
            &padded,
            &aad,
        )
        .map_err(|_| HandoverError::Decrypt)?;
        let env = Envelope {
            session: key.session,
            header,
            enc: enc.to_bytes().into(),
            ciphertext,
        };
        if env.to_bytes().len() > MAX_ENVELOPE {
            return Err(HandoverError::TooLarge("case"));
        }
        Ok(env)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out =
            Vec::with_capacity(4 + 2 + self.header.len() + 32 + 4 + self.ciphertext.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.header.len() as u16).to_be_bytes());
        out.extend_from_slice(&self.header);
        out.extend_from_slice(&self.enc);
        out.extend_from_slice(&(self.ciphertext.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.ciphertext);
        out
    }

    /// Parses an envelope's layout and header. Opening it needs the session's secret:
    /// [`Envelope::open`].
    pub fn from_bytes(raw: &[u8]) -> Result<Envelope, HandoverError> {
        const WHAT: &str = "envelope";
        if raw.len() > MAX_ENVELOPE {
            return Err(HandoverError::TooLarge(WHAT));
        }
        match raw.get(..4) {
            Some(m) if m == MAGIC => {}
            Some(m) if m == OLD_MAGIC => {
                return Err(HandoverError::OldFormat {
                    what: WHAT,
                    version: 1,
                });
            }
            _ => return Err(HandoverError::NotRelais(WHAT)),
        }
        let mut at = 4;
        let mut take = |n: usize| -> Result<&[u8], HandoverError> {
            let s = raw.get(at..at + n).ok_or(HandoverError::Malformed(WHAT))?;
            at += n;
            Ok(s)
        };
        let hlen = take(2).map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)?;
        let header = take(hlen)?.to_vec();
        let enc: [u8; 32] = take(32)?
            .try_into()
            .map_err(|_| HandoverError::Malformed(WHAT))?;
        let clen = take(4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)?;
        let ciphertext = take(clen)?.to_vec();
        if at != raw.len() {
            return Err(HandoverError::Malformed(WHAT));
        }
        let mut d = Decoder::new(&header);
        let bad = |_| HandoverError::Malformed(WHAT);
        if d.array().map_err(bad)? != Some(2) {
            return Err(HandoverError::Malformed(WHAT));
        }
        let version = d.u8().map_err(bad)?;
        if version != FORMAT_VERSION {
            return Err(HandoverError::Version(version));
        }
        let session = bstr::<16>(&mut d, WHAT)?;
        same_encoding(&header, &header_bytes(&session), WHAT)?;
        Ok(Envelope {
            session,
            header,
            enc,
            ciphertext,
        })
    }

    /// Opens the envelope with the secret of the key it was sealed to, and verifies the sender's
    /// signature over that key and session: a case re-sealed by a relay is refused.
    pub fn open(
        &self,
        key: &ReceiverKey,
        kem_secret: &[u8; 32],
        now: i64,
    ) -> Result<Opened, HandoverError> {
        const WHAT: &str = "case";
        if key.session != self.session {
            return Err(HandoverError::Decrypt);
        }
        let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(kem_secret)
            .map_err(|_| HandoverError::Decrypt)?;
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&self.enc)
            .map_err(|_| HandoverError::Decrypt)?;
        let info = [HPKE_INFO, &self.session].concat();
        let aad = [MAGIC.as_slice(), &self.header].concat();
        let padded = Zeroizing::new(
            hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, Kem>(
                &OpModeR::Base,
                &sk,
                &enc,
                &info,
                &self.ciphertext,
                &aad,
            )
            .map_err(|_| HandoverError::Decrypt)?,
        );
        let inner = inflate(unpad(&padded)?)?;
        let mut d = Decoder::new(&inner);
        let bad = |_| HandoverError::Content;
        if d.array().map_err(bad)? != Some(5) {
            return Err(HandoverError::Content);
        }
        let sender = bstr::<32>(&mut d, WHAT).map_err(|_| HandoverError::Content)?;
        let organisation = d.str().map_err(bad)?.to_string();
        let created_at = d.i64().map_err(bad)?;
        let bundle = Zeroizing::new(d.bytes().map_err(bad)?.to_vec());
        let signature = bstr::<64>(&mut d, WHAT).map_err(|_| HandoverError::Content)?;
        if d.position() != inner.len() || bundle.len() > MAX_BUNDLE {
            return Err(if bundle.len() > MAX_BUNDLE {
                HandoverError::Bomb
            } else {
                HandoverError::Content
            });
        }
        let rebuilt = Zeroizing::new(inner_bytes(
            &sender,
            &organisation,
            created_at,
            &bundle,
            &signature,
        ));
        same_encoding(&inner, &rebuilt, WHAT).map_err(|_| HandoverError::Content)?;
        if wire::checked_name(&organisation)? != organisation {
            return Err(HandoverError::Name);
        }
        let message = signed(key, &sender, &organisation, created_at, &bundle);
        VerifyingKey::from_bytes(&sender)
            .and_then(|k| k.verify_strict(&message, &Signature::from_bytes(&signature)))
            .map_err(|_| HandoverError::WrongReceiver)?;
        if created_at > now + CLOCK_SKEW {
            return Err(HandoverError::Future("envelope"));
        }
        Ok(Opened {
            sender,
            organisation,
            created_at,
            bundle,
        })
    }

    /// What an acknowledgement confirms: this very envelope (unique per handover, so two
    /// handovers of the same case are not linkable through it).
    pub fn digest(&self) -> [u8; 32] {
        sha256(&[DIGEST_LABEL, &self.to_bytes()])
    }

    /// The padded plaintext size (for tests and benchmarks).
    pub fn ciphertext_len(&self) -> usize {
        self.ciphertext.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn identity(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn key(now: i64) -> (ReceiverKey, Zeroizing<[u8; 32]>) {
        ReceiverKey::generate(&identity(2), "Maison Lisanga", 1000, now + 600).unwrap()
    }

    #[test]
    fn seal_open_round_trip() {
        let (k, secret) = key(1000);
        let bundle = br#"{"case":"bundle"}"#.repeat(50);
        let env = Envelope::seal(&bundle, &k, &identity(1), "ONG Bomoi", 1001).unwrap();
        let parsed = Envelope::from_bytes(&env.to_bytes()).unwrap();
        assert_eq!(parsed, env);
        let opened = parsed.open(&k, &secret, 1001).unwrap();
        assert_eq!(opened.bundle.as_slice(), bundle.as_slice());
        assert_eq!(opened.organisation, "ONG Bomoi");
        assert_eq!(opened.sender, identity(1).verifying_key().to_bytes());
        assert_eq!(env.ciphertext_len(), 1024 + 16, "smallest bucket + tag");
    }

    #[test]
    fn nothing_of_the_sender_or_case_is_in_clear() {
        let (k, _) = key(1000);
        let env = Envelope::seal(b"{}", &k, &identity(1), "ONG Bomoi", 1001).unwrap();
        let bytes = env.to_bytes();
        let sender = identity(1).verifying_key().to_bytes();
        assert!(!bytes.windows(32).any(|w| w == sender));
        assert!(!bytes.windows(9).any(|w| w == b"ONG Bomoi"));
        assert!(!bytes.windows(32).any(|w| w == sha256(&[b"{}"])));
        // Two envelopes of the same case share nothing but the session.
        let env2 = Envelope::seal(b"{}", &k, &identity(1), "ONG Bomoi", 1001).unwrap();
        assert_ne!(env.digest(), env2.digest());
    }

    #[test]
    fn wrong_key_tampering_expiry_and_the_future_are_refused() {
        let (k, secret) = key(1000);
        let (k2, other_secret) = key(1000);
        let env = Envelope::seal(b"{}", &k, &identity(1), "x", 1001).unwrap();
        let bytes = env.to_bytes();
        assert!(
            Envelope::from_bytes(&bytes)
                .unwrap()
                .open(&k2, &other_secret, 1001)
                .is_err()
        );
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x01;
            let result = Envelope::from_bytes(&bad).and_then(|e| e.open(&k, &secret, 1001));
            assert!(result.is_err(), "flipped byte {i} accepted");
        }
        assert!(Envelope::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert_eq!(
            Envelope::from_bytes(b"hello world"),
            Err(HandoverError::NotRelais("envelope"))
        );
        assert!(matches!(
            Envelope::from_bytes(b"RLE1\x00\x00"),
            Err(HandoverError::OldFormat { version: 1, .. })
        ));
        assert_eq!(
            Envelope::seal(b"{}", &k, &identity(1), "x", 1000 + 601),
            Err(HandoverError::Expired)
        );
        let late = Envelope::seal(b"{}", &k, &identity(1), "x", 1000 + 599).unwrap();
        assert_eq!(
            late.open(&k, &secret, 1000 + 599 - CLOCK_SKEW - 1),
            Err(HandoverError::Future("envelope"))
        );
        assert_eq!(
            Envelope::seal(b"{}", &k, &identity(1), &"n".repeat(81), 1001),
            Err(HandoverError::Name)
        );
    }

    #[test]
    fn a_case_re_sealed_by_a_relay_is_refused_by_the_real_receiver() {
        // The man in the middle showed his own key, opened the case, and re-seals the sender's
        // signed inner part to the real receiver's key.
        let (attacker_key, attacker_secret) =
            ReceiverKey::generate(&identity(9), "Maison Lisanga", 1000, 1600).unwrap();
        let env = Envelope::seal(b"case", &attacker_key, &identity(1), "ONG Bomoi", 1001).unwrap();
        let opened = env.open(&attacker_key, &attacker_secret, 1001).unwrap();
        let (real_key, real_secret) = key(1000);
        // The sender's signature as the attacker read it (Ed25519 signatures are deterministic).
        let sig = identity(1)
            .sign(&signed(
                &attacker_key,
                &opened.sender,
                "ONG Bomoi",
                1001,
                b"case",
            ))
            .to_bytes();
        let inner = inner_bytes(&opened.sender, "ONG Bomoi", 1001, b"case", &sig);
        let relayed = Envelope::seal_inner(&inner, &real_key).unwrap();
        assert_eq!(
            relayed.open(&real_key, &real_secret, 1001),
            Err(HandoverError::WrongReceiver)
        );
    }

    #[test]
    fn a_signed_decompression_bomb_is_stopped() {
        let (k, secret) = key(1000);
        // An inner array whose bundle is past the limit, deflated small.
        let zeros = vec![0u8; MAX_BUNDLE + 4096];
        let inner = inner_bytes(&[1; 32], "x", 1001, &zeros, &[0; 64]);
        let env = Envelope::seal_inner(&inner, &k).unwrap();
        assert_eq!(env.open(&k, &secret, 1001), Err(HandoverError::Bomb));
    }

    #[test]
    fn padding_goes_to_buckets_and_odd_sizes_are_refused() {
        for (len, bucket) in [(0, 1024), (1020, 1024), (1021, 2048), (100_000, 128 * 1024)] {
            assert_eq!(pad(&vec![1; len]).unwrap().len(), bucket);
        }
        assert!(pad(&vec![1; 255 * 1024]).is_err());
        assert_eq!(unpad(&[0; 1000]), Err(HandoverError::Content));
        let mut p = pad(b"abc").unwrap();
        assert_eq!(unpad(&p).unwrap(), b"abc");
        p[100] = 1;
        assert_eq!(
            unpad(&p),
            Err(HandoverError::Content),
            "padding must be zeros"
        );
    }
}
