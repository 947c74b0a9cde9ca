//! Offline case handover by animated QR codes: sealed to the receiver (HPKE), signed by the sender
//! (Ed25519), fountain-coded into frames of QR alphanumeric text. Formats: docs/handover-format.md.

pub mod cbor;
pub mod envelope;
pub mod fountain;
pub mod qr;
