//! The fountain decoder fed a stream of arbitrary frames (split from the input): errors and
//! progress, never a panic or a wrong message (a completed message matches its own checksum).
#![no_main]
use libfuzzer_sys::fuzz_target;
use relais_core::handover::fountain::{Collector, Part, Received};

fuzz_target!(|data: &[u8]| {
    let mut collector = Collector::new();
    // Frames separated by 0xFF bytes, each parsed as a binary part.
    for chunk in data.split(|&b| b == 0xFF).take(64) {
        if let Ok(part) = Part::from_bytes(chunk) {
            if let Ok(Received::Complete { key, message }) = collector.receive(&part) {
                assert_eq!(message.len() as u32, key.message_len);
            }
        }
    }
});
