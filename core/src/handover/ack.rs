//! The receiver's acknowledgement (`RLA2:`), shown as a QR for the sender to scan: signed only for
//! an envelope the receiver opened. Layout: docs/handover-format.md §5.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};

use super::wire::{HandoverError, base45_payload};

pub const ACK_PREFIX: &str = "RLA2:";
const OLD_PREFIX: &str = "RLA1:";
const LABEL: &[u8] = b"relais/ack/v2";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ack {
    pub session: [u8; 16],
    /// [`super::envelope::Envelope::digest`] of the envelope opened.
    pub digest: [u8; 32],
    pub signature: [u8; 64],
}

fn signed(session: &[u8; 16], digest: &[u8; 32]) -> Vec<u8> {
    [LABEL, session, digest].concat()
}

impl Ack {
    pub fn new(identity: &SigningKey, session: [u8; 16], digest: [u8; 32]) -> Ack {
        Ack {
            session,
            digest,
            signature: identity.sign(&signed(&session, &digest)).to_bytes(),
        }
    }

    pub fn to_text(&self) -> String {
        let raw = [self.session.as_slice(), &self.digest, &self.signature].concat();
        format!("{ACK_PREFIX}{}", base45::encode(&raw))
    }

    /// Reads an ACK (its shape only): [`Ack::verify`] checks who signed it.
    pub fn from_text(text: &str) -> Result<Ack, HandoverError> {
        const WHAT: &str = "acknowledgement";
        let raw = base45_payload(text, ACK_PREFIX, OLD_PREFIX, WHAT)?;
        if raw.len() != 16 + 32 + 64 {
            return Err(HandoverError::Malformed(WHAT));
        }
        let mut ack = Ack {
            session: [0; 16],
            digest: [0; 32],
            signature: [0; 64],
        };
        ack.session.copy_from_slice(&raw[..16]);
        ack.digest.copy_from_slice(&raw[16..48]);
        ack.signature.copy_from_slice(&raw[48..]);
        Ok(ack)
    }

    /// Whether `receiver` signed it.
    pub fn verify(&self, receiver: &[u8; 32]) -> Result<(), HandoverError> {
        VerifyingKey::from_bytes(receiver)
            .and_then(|k| {
                k.verify_strict(
                    &signed(&self.session, &self.digest),
                    &Signature::from_bytes(&self.signature),
                )
            })
            .map_err(|_| HandoverError::BadSignature("acknowledgement"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn acks_verify_against_the_receiver_only() {
        let id = SigningKey::from_bytes(&[2; 32]);
        let ack = Ack::new(&id, [1; 16], [2; 32]);
        let read = Ack::from_text(&ack.to_text()).unwrap();
        assert_eq!(read, ack);
        assert!(read.verify(&id.verifying_key().to_bytes()).is_ok());
        let stranger = SigningKey::from_bytes(&[3; 32]).verifying_key().to_bytes();
        assert!(read.verify(&stranger).is_err());
        let mut forged = ack.clone();
        forged.digest[0] ^= 1;
        assert!(forged.verify(&id.verifying_key().to_bytes()).is_err());
        assert!(matches!(
            Ack::from_text("RLA1:AB"),
            Err(HandoverError::OldFormat { version: 1, .. })
        ));
    }
}
