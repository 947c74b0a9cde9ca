//! Receiver key and acknowledgement QR texts, and signed directory files: errors, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use relais_core::handover::ack::Ack;
use relais_core::handover::key::ReceiverKey;
use relais_core::referral::signed;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = ReceiverKey::from_text(text, 1_800_000_000);
        if let Ok(ack) = Ack::from_text(text) {
            let _ = ack.verify(&[9u8; 32]);
        }
        let _ = signed::verify(text, None);
    }
});
