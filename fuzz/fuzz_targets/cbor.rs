//! The strict CBOR decoder on arbitrary bytes; what it accepts must re-encode to the same bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use relais_core::handover::cbor;

fuzz_target!(|data: &[u8]| {
    if let Ok(value) = cbor::decode(data) {
        let again = cbor::encode(&value);
        // Deterministic: one encoding per value (floats aside, which may be written shorter).
        if !data.iter().any(|&b| b == 0xf9 || b == 0xfa || b == 0xfb) {
            assert_eq!(cbor::decode(&again).ok(), Some(value));
        }
    }
});
