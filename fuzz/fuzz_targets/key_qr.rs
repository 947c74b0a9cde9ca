//! Receiver key and acknowledgement QR texts: errors, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use relais_core::handover::envelope::{Ack, ReceiverKey};

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ReceiverKey::from_text(text, 1_800_000_000);
        let _ = Ack::from_text(text, &[9u8; 32]);
    }
});
