//! The frame parser on arbitrary text and bytes: errors, never a panic; what parses re-encodes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use relais_core::handover::fountain::Part;

fuzz_target!(|data: &[u8]| {
    if let Ok(part) = Part::from_bytes(data) {
        assert_eq!(Part::from_bytes(&part.to_bytes()).ok(), Some(part.clone()));
        assert_eq!(Part::from_text(&part.to_text()).ok(), Some(part));
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Part::from_text(text);
    }
});
