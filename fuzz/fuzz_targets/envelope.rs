//! Envelope parsing and signature checking on arbitrary bytes: errors, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use relais_core::handover::envelope::Envelope;

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = Envelope::from_bytes(data) {
        // A parsed envelope must also survive opening with some key.
        let _ = env.open(&[7u8; 32]);
    }
});
