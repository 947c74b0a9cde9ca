//! Offline case handover by animated QR codes: the receiver's key (checked against the signed
//! directory or by fingerprint), the case sealed to it (HPKE) and signed inside by the sender
//! (Ed25519), fountain-coded into frames of QR alphanumeric text, and the receiver's signed
//! acknowledgement. Formats: docs/handover-format.md.

pub mod ack;
pub mod cbor;
pub mod envelope;
pub mod fingerprint;
pub mod fountain;
pub mod key;
pub mod qr;
pub mod wire;
