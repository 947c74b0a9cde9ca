//! The handover formats: the receiver's key QR, the sealed and signed envelope, the short
//! authentication code both screens show, and the receiver's acknowledgement. Byte layouts:
//! docs/handover-format.md.

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use hpke::aead::ChaCha20Poly1305;
use hpke::kdf::HkdfSha256;
use hpke::kem::X25519HkdfSha256;
use hpke::{Deserializable, Kem as _, OpModeR, OpModeS, Serializable};
use minicbor::{Decoder, Encoder};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

pub const KEY_PREFIX: &str = "RLK1:";
pub const ACK_PREFIX: &str = "RLA1:";
pub const MAGIC: &[u8; 4] = b"RLE1";
pub const FORMAT_VERSION: u8 = 1;
/// The largest envelope accepted (also the fountain code's message limit).
pub const MAX_ENVELOPE: usize = 256 * 1024;
/// The largest bundle an envelope may inflate to: a decompression bomb stops here.
pub const MAX_BUNDLE: usize = 4 * 1024 * 1024;
const HPKE_INFO: &[u8] = b"relais/handover/v1";

type Kem = X25519HkdfSha256;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HandoverError {
    #[error("not a Relais {0}")]
    NotRelais(&'static str),
    #[error("the {0} is malformed")]
    Malformed(&'static str),
    #[error("the {0} is too large")]
    TooLarge(&'static str),
    #[error("format version {0} is not supported")]
    Version(u8),
    #[error("the {0} signature does not verify")]
    BadSignature(&'static str),
    #[error("the receiver's key expired")]
    Expired,
    #[error("the envelope cannot be opened with this receiver's key")]
    Decrypt,
    #[error("the case inside is damaged")]
    Content,
    #[error("the case would inflate past {MAX_BUNDLE} bytes")]
    Bomb,
}

fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn bytes<const N: usize>(
    d: &mut Decoder<'_>,
    what: &'static str,
) -> Result<[u8; N], HandoverError> {
    d.bytes()
        .ok()
        .and_then(|b| <[u8; N]>::try_from(b).ok())
        .ok_or(HandoverError::Malformed(what))
}

fn base45_payload<'a>(
    text: &'a str,
    prefix: &str,
    what: &'static str,
) -> Result<Vec<u8>, HandoverError> {
    let text = text.trim();
    if text.len() > 8192 {
        return Err(HandoverError::TooLarge(what));
    }
    let body: &'a str = text
        .get(..prefix.len())
        .filter(|p| p.eq_ignore_ascii_case(prefix))
        .map(|_| &text[prefix.len()..])
        .ok_or(HandoverError::NotRelais(what))?;
    base45::decode(body).map_err(|_| HandoverError::Malformed(what))
}

/// What the receiver's screen shows first: a fresh encryption key for this one handover, signed by
/// the receiver's worker identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceiverKey {
    pub session: [u8; 16],
    pub kem_public: [u8; 32],
    /// The largest fragment the receiver's camera handles (bytes of data per frame).
    pub max_fragment: u16,
    pub expires_at: i64,
    pub receiver: [u8; 32],
    pub organisation: String,
    pub signature: [u8; 64],
}

impl ReceiverKey {
    fn signed_part(
        session: &[u8; 16],
        kem_public: &[u8; 32],
        max_fragment: u16,
        expires_at: i64,
        receiver: &[u8; 32],
        organisation: &str,
    ) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
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

    /// A new key: returns it with its secret (to keep, sealed, until used or expired).
    pub fn generate(
        identity: &SigningKey,
        organisation: &str,
        max_fragment: u16,
        expires_at: i64,
    ) -> Result<(ReceiverKey, Zeroizing<[u8; 32]>), HandoverError> {
        let (sk, pk) = Kem::gen_keypair();
        let mut secret = Zeroizing::new([0u8; 32]);
        secret.copy_from_slice(&sk.to_bytes());
        let session: [u8; 16] =
            crate::vault::crypto::random_bytes().map_err(|_| HandoverError::Malformed("random"))?;
        let kem_public: [u8; 32] = pk.to_bytes().into();
        let receiver = identity.verifying_key().to_bytes();
        let organisation: String = organisation.chars().take(80).collect();
        let signed = Self::signed_part(
            &session,
            &kem_public,
            max_fragment,
            expires_at,
            &receiver,
            &organisation,
        );
        let signature = identity.sign(&signed).to_bytes();
        Ok((
            ReceiverKey {
                session,
                kem_public,
                max_fragment,
                expires_at,
                receiver,
                organisation,
                signature,
            },
            secret,
        ))
    }

    pub fn to_text(&self) -> String {
        let mut bytes = Self::signed_part(
            &self.session,
            &self.kem_public,
            self.max_fragment,
            self.expires_at,
            &self.receiver,
            &self.organisation,
        );
        let mut e = Encoder::new(Vec::new());
        let _ = e.bytes(&self.signature);
        bytes.extend_from_slice(&e.into_writer());
        format!("{KEY_PREFIX}{}", base45::encode(&bytes))
    }

    /// Reads and verifies a key QR's text (signature; expiry against `now`).
    pub fn from_text(text: &str, now: i64) -> Result<ReceiverKey, HandoverError> {
        const WHAT: &str = "receiver key";
        let raw = base45_payload(text, KEY_PREFIX, WHAT)?;
        let mut d = Decoder::new(&raw);
        let bad = |_| HandoverError::Malformed(WHAT);
        if d.array().map_err(bad)? != Some(7) {
            return Err(HandoverError::Malformed(WHAT));
        }
        let version = d.u8().map_err(bad)?;
        if version != FORMAT_VERSION {
            return Err(HandoverError::Version(version));
        }
        let session = bytes::<16>(&mut d, WHAT)?;
        let kem_public = bytes::<32>(&mut d, WHAT)?;
        let max_fragment = d.u16().map_err(bad)?;
        let expires_at = d.i64().map_err(bad)?;
        let receiver = bytes::<32>(&mut d, WHAT)?;
        let organisation = d.str().map_err(bad)?.to_string();
        let signed_len = d.position();
        let signature = bytes::<64>(&mut d, WHAT)?;
        if d.position() != raw.len() || organisation.chars().count() > 80 {
            return Err(HandoverError::Malformed(WHAT));
        }
        let key =
            VerifyingKey::from_bytes(&receiver).map_err(|_| HandoverError::BadSignature(WHAT))?;
        key.verify(&raw[..signed_len], &Signature::from_bytes(&signature))
            .map_err(|_| HandoverError::BadSignature(WHAT))?;
        if now > expires_at {
            return Err(HandoverError::Expired);
        }
        Ok(ReceiverKey {
            session,
            kem_public,
            max_fragment,
            expires_at,
            receiver,
            organisation,
            signature,
        })
    }
}

/// The envelope header: bound to the ciphertext (HPKE associated data) and signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub session: [u8; 16],
    /// SHA-256 of the case bundle (deterministic CBOR): the same case version gives the same hash.
    pub content_hash: [u8; 32],
    pub sender: [u8; 32],
    pub organisation: String,
    pub created_at: i64,
}

impl Header {
    fn to_bytes(&self) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        let _ = e
            .array(6)
            .and_then(|e| e.u8(FORMAT_VERSION))
            .and_then(|e| e.bytes(&self.session))
            .and_then(|e| e.bytes(&self.content_hash))
            .and_then(|e| e.bytes(&self.sender))
            .and_then(|e| e.str(&self.organisation))
            .and_then(|e| e.i64(self.created_at));
        e.into_writer()
    }

    fn from_bytes(raw: &[u8]) -> Result<Header, HandoverError> {
        const WHAT: &str = "envelope header";
        let mut d = Decoder::new(raw);
        let bad = |_| HandoverError::Malformed(WHAT);
        if d.array().map_err(bad)? != Some(6) {
            return Err(HandoverError::Malformed(WHAT));
        }
        let version = d.u8().map_err(bad)?;
        if version != FORMAT_VERSION {
            return Err(HandoverError::Version(version));
        }
        let header = Header {
            session: bytes::<16>(&mut d, WHAT)?,
            content_hash: bytes::<32>(&mut d, WHAT)?,
            sender: bytes::<32>(&mut d, WHAT)?,
            organisation: d.str().map_err(bad)?.chars().take(80).collect(),
            created_at: d.i64().map_err(bad)?,
        };
        if d.position() != raw.len() {
            return Err(HandoverError::Malformed(WHAT));
        }
        Ok(header)
    }
}

/// A sealed, signed case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    pub header: Header,
    header_bytes: Vec<u8>,
    enc: [u8; 32],
    ciphertext: Vec<u8>,
    signature: [u8; 64],
}

fn pad(compressed: &[u8]) -> Zeroizing<Vec<u8>> {
    // u32 length ‖ deflate stream ‖ zeros, to a multiple of 64 bytes: the size says little.
    let mut out = Zeroizing::new(Vec::with_capacity(compressed.len() + 260));
    out.extend_from_slice(&(compressed.len() as u32).to_be_bytes());
    out.extend_from_slice(compressed);
    let total = out.len().div_ceil(64) * 64;
    out.resize(total, 0);
    out
}

fn unpad(padded: &[u8]) -> Result<&[u8], HandoverError> {
    let len = padded
        .get(..4)
        .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)
        .ok_or(HandoverError::Content)?;
    padded.get(4..4 + len).ok_or(HandoverError::Content)
}

impl Envelope {
    /// Seals a case bundle (deterministic CBOR) to the receiver's key and signs it.
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
        let header = Header {
            session: key.session,
            content_hash: sha256(&[bundle]),
            sender: identity.verifying_key().to_bytes(),
            organisation: organisation.chars().take(80).collect(),
            created_at: now,
        };
        let compressed = Zeroizing::new(miniz_oxide::deflate::compress_to_vec(bundle, 9));
        let env = Self::seal_padded(header, &pad(&compressed), key, identity)?;
        if env.to_bytes().len() > MAX_ENVELOPE {
            return Err(HandoverError::TooLarge("case"));
        }
        Ok(env)
    }

    /// Seals an already padded plaintext under `header` and signs the result.
    fn seal_padded(
        header: Header,
        padded: &[u8],
        key: &ReceiverKey,
        identity: &SigningKey,
    ) -> Result<Envelope, HandoverError> {
        let header_bytes = header.to_bytes();
        let pk = <Kem as hpke::Kem>::PublicKey::from_bytes(&key.kem_public)
            .map_err(|_| HandoverError::Malformed("receiver key"))?;
        let info = [HPKE_INFO, &key.session].concat();
        let (enc, ciphertext) = hpke::single_shot_seal::<ChaCha20Poly1305, HkdfSha256, Kem>(
            &OpModeS::Base,
            &pk,
            &info,
            padded,
            &header_bytes,
        )
        .map_err(|_| HandoverError::Decrypt)?;
        let enc: [u8; 32] = enc.to_bytes().into();
        let signature = identity
            .sign(&[MAGIC.as_slice(), &header_bytes, &enc, &ciphertext].concat())
            .to_bytes();
        Ok(Envelope {
            header,
            header_bytes,
            enc,
            ciphertext,
            signature,
        })
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(
            4 + 2 + self.header_bytes.len() + 32 + 4 + self.ciphertext.len() + 64,
        );
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&(self.header_bytes.len() as u16).to_be_bytes());
        out.extend_from_slice(&self.header_bytes);
        out.extend_from_slice(&self.enc);
        out.extend_from_slice(&(self.ciphertext.len() as u32).to_be_bytes());
        out.extend_from_slice(&self.ciphertext);
        out.extend_from_slice(&self.signature);
        out
    }

    /// Parses an envelope and verifies its signature (with the sender key it names). Opening it
    /// needs the receiver's secret: [`Envelope::open`].
    pub fn from_bytes(raw: &[u8]) -> Result<Envelope, HandoverError> {
        const WHAT: &str = "envelope";
        if raw.len() > MAX_ENVELOPE {
            return Err(HandoverError::TooLarge(WHAT));
        }
        if raw.get(..4) != Some(MAGIC.as_slice()) {
            return Err(HandoverError::NotRelais(WHAT));
        }
        let mut at = 4;
        let mut take = |n: usize| -> Result<&[u8], HandoverError> {
            let s = raw.get(at..at + n).ok_or(HandoverError::Malformed(WHAT))?;
            at += n;
            Ok(s)
        };
        let hlen = take(2).map(|b| u16::from_be_bytes([b[0], b[1]]) as usize)?;
        let header_bytes = take(hlen)?.to_vec();
        let enc: [u8; 32] = take(32)?
            .try_into()
            .map_err(|_| HandoverError::Malformed(WHAT))?;
        let clen = take(4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize)?;
        let ciphertext = take(clen)?.to_vec();
        let signature: [u8; 64] = take(64)?
            .try_into()
            .map_err(|_| HandoverError::Malformed(WHAT))?;
        if at != raw.len() {
            return Err(HandoverError::Malformed(WHAT));
        }
        let header = Header::from_bytes(&header_bytes)?;
        let sender = VerifyingKey::from_bytes(&header.sender)
            .map_err(|_| HandoverError::BadSignature(WHAT))?;
        sender
            .verify(
                &[MAGIC.as_slice(), &header_bytes, &enc, &ciphertext].concat(),
                &Signature::from_bytes(&signature),
            )
            .map_err(|_| HandoverError::BadSignature(WHAT))?;
        Ok(Envelope {
            header,
            header_bytes,
            enc,
            ciphertext,
            signature,
        })
    }

    /// Opens the envelope with the receiver's secret: the case bundle, its hash checked.
    pub fn open(&self, kem_secret: &[u8; 32]) -> Result<Zeroizing<Vec<u8>>, HandoverError> {
        let sk = <Kem as hpke::Kem>::PrivateKey::from_bytes(kem_secret)
            .map_err(|_| HandoverError::Decrypt)?;
        let enc = <Kem as hpke::Kem>::EncappedKey::from_bytes(&self.enc)
            .map_err(|_| HandoverError::Decrypt)?;
        let info = [HPKE_INFO, &self.header.session].concat();
        let padded = Zeroizing::new(
            hpke::single_shot_open::<ChaCha20Poly1305, HkdfSha256, Kem>(
                &OpModeR::Base,
                &sk,
                &enc,
                &info,
                &self.ciphertext,
                &self.header_bytes,
            )
            .map_err(|_| HandoverError::Decrypt)?,
        );
        let compressed = unpad(&padded)?;
        let bundle = Zeroizing::new(
            miniz_oxide::inflate::decompress_to_vec_with_limit(compressed, MAX_BUNDLE).map_err(
                |e| {
                    if e.status == miniz_oxide::inflate::TINFLStatus::HasMoreOutput {
                        HandoverError::Bomb
                    } else {
                        HandoverError::Content
                    }
                },
            )?,
        );
        if sha256(&[&bundle]) != self.header.content_hash {
            return Err(HandoverError::Content);
        }
        Ok(bundle)
    }

    /// The short authentication code both screens show: six digits from the transcript (the
    /// receiver's key QR, the envelope header and the HPKE encapsulation).
    pub fn sas(&self, key_text: &str) -> String {
        let h = sha256(&[
            b"relais/sas/v1",
            key_text.trim().as_bytes(),
            &self.header_bytes,
            &self.enc,
        ]);
        let n = u32::from_be_bytes([h[0], h[1], h[2], h[3]]) % 1_000_000;
        format!("{:03} {:03}", n / 1000, n % 1000)
    }
}

/// The receiver's acknowledgement, shown as a QR for the sender to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub session: [u8; 16],
    pub content_hash: [u8; 32],
    pub receiver: [u8; 32],
    pub signature: [u8; 64],
}

impl Ack {
    fn signed(session: &[u8; 16], content_hash: &[u8; 32]) -> Vec<u8> {
        [b"relais/ack/v1".as_slice(), session, content_hash].concat()
    }

    pub fn new(identity: &SigningKey, session: [u8; 16], content_hash: [u8; 32]) -> Ack {
        Ack {
            session,
            content_hash,
            receiver: identity.verifying_key().to_bytes(),
            signature: identity
                .sign(&Self::signed(&session, &content_hash))
                .to_bytes(),
        }
    }

    pub fn to_text(&self) -> String {
        let raw = [
            self.session.as_slice(),
            &self.content_hash,
            &self.receiver,
            &self.signature,
        ]
        .concat();
        format!("{ACK_PREFIX}{}", base45::encode(&raw))
    }

    /// Reads an ACK and verifies it was signed by `expected_receiver`.
    pub fn from_text(text: &str, expected_receiver: &[u8; 32]) -> Result<Ack, HandoverError> {
        const WHAT: &str = "acknowledgement";
        let raw = base45_payload(text, ACK_PREFIX, WHAT)?;
        if raw.len() != 16 + 32 + 32 + 64 {
            return Err(HandoverError::Malformed(WHAT));
        }
        let ack = Ack {
            session: raw[..16]
                .try_into()
                .map_err(|_| HandoverError::Malformed(WHAT))?,
            content_hash: raw[16..48]
                .try_into()
                .map_err(|_| HandoverError::Malformed(WHAT))?,
            receiver: raw[48..80]
                .try_into()
                .map_err(|_| HandoverError::Malformed(WHAT))?,
            signature: raw[80..]
                .try_into()
                .map_err(|_| HandoverError::Malformed(WHAT))?,
        };
        if &ack.receiver != expected_receiver {
            return Err(HandoverError::BadSignature(WHAT));
        }
        VerifyingKey::from_bytes(&ack.receiver)
            .and_then(|k| {
                k.verify(
                    &Self::signed(&ack.session, &ack.content_hash),
                    &Signature::from_bytes(&ack.signature),
                )
            })
            .map_err(|_| HandoverError::BadSignature(WHAT))?;
        Ok(ack)
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
    fn seal_open_round_trip_and_the_sas_matches() {
        let (k, secret) = key(1000);
        let text = k.to_text();
        assert!(text.starts_with(KEY_PREFIX));
        let k2 = ReceiverKey::from_text(&text, 1000).unwrap();
        assert_eq!(k2, k);
        let bundle = br#"{"case":"bundle"}"#.repeat(50);
        let env = Envelope::seal(&bundle, &k2, &identity(1), "ONG Bomoi", 1001).unwrap();
        let bytes = env.to_bytes();
        let parsed = Envelope::from_bytes(&bytes).unwrap();
        assert_eq!(parsed.open(&secret).unwrap().as_slice(), bundle.as_slice());
        assert_eq!(parsed.sas(&text), env.sas(&text));
        assert_eq!(parsed.sas(&text).len(), 7);
        assert_eq!(parsed.header.organisation, "ONG Bomoi");
    }

    #[test]
    fn wrong_key_tampering_and_expiry_are_refused() {
        let (k, secret) = key(1000);
        let (_, other_secret) = key(1000);
        let env = Envelope::seal(b"{}", &k, &identity(1), "x", 1001).unwrap();
        let bytes = env.to_bytes();
        assert_eq!(
            Envelope::from_bytes(&bytes).unwrap().open(&other_secret),
            Err(HandoverError::Decrypt)
        );
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x01;
            let result = Envelope::from_bytes(&bad).and_then(|e| e.open(&secret));
            assert!(result.is_err(), "flipped byte {i} accepted");
        }
        assert!(Envelope::from_bytes(&bytes[..bytes.len() - 1]).is_err());
        assert!(Envelope::from_bytes(b"RLE1").is_err());
        assert_eq!(
            Envelope::from_bytes(b"hello world"),
            Err(HandoverError::NotRelais("envelope"))
        );
        assert_eq!(
            ReceiverKey::from_text(&k.to_text(), 1000 + 601),
            Err(HandoverError::Expired)
        );
        assert_eq!(
            Envelope::seal(b"{}", &k, &identity(1), "x", 1000 + 601),
            Err(HandoverError::Expired)
        );
    }

    #[test]
    fn a_tampered_key_qr_is_refused() {
        let (k, _) = key(1000);
        let mut forged = k.clone();
        forged.kem_public[0] ^= 1; // an attacker swapping in their own encryption key
        assert_eq!(
            ReceiverKey::from_text(&forged.to_text(), 1000),
            Err(HandoverError::BadSignature("receiver key"))
        );
        assert_eq!(
            ReceiverKey::from_text("RLK1:%%%", 1000),
            Err(HandoverError::Malformed("receiver key"))
        );
        assert_eq!(
            ReceiverKey::from_text("HC1:ABC", 1000),
            Err(HandoverError::NotRelais("receiver key"))
        );
    }

    #[test]
    fn acks_verify_against_the_receiver() {
        let ack = Ack::new(&identity(2), [1; 16], [2; 32]);
        let receiver = identity(2).verifying_key().to_bytes();
        assert_eq!(Ack::from_text(&ack.to_text(), &receiver).unwrap(), ack);
        let stranger = identity(3).verifying_key().to_bytes();
        assert!(Ack::from_text(&ack.to_text(), &stranger).is_err());
        let mut forged = ack.clone();
        forged.content_hash[0] ^= 1;
        assert!(Ack::from_text(&forged.to_text(), &receiver).is_err());
    }

    #[test]
    fn a_signed_decompression_bomb_is_stopped() {
        // Even a sender that signs properly cannot make the receiver inflate past the limit.
        let (k, secret) = key(1000);
        let zeros = vec![0u8; MAX_BUNDLE + 1024];
        let compressed = miniz_oxide::deflate::compress_to_vec(&zeros, 9);
        let header = Header {
            session: k.session,
            content_hash: sha256(&[&zeros]),
            sender: identity(1).verifying_key().to_bytes(),
            organisation: "x".into(),
            created_at: 1001,
        };
        let env = Envelope::seal_padded(header, &pad(&compressed), &k, &identity(1)).unwrap();
        let parsed = Envelope::from_bytes(&env.to_bytes()).unwrap();
        assert_eq!(parsed.open(&secret), Err(HandoverError::Bomb));
    }
}
