//! Envelope parsing, opening and signature checking on arbitrary bytes: errors, never a panic.
#![no_main]
use std::sync::OnceLock;

use ed25519_dalek::SigningKey;
use libfuzzer_sys::fuzz_target;
use relais_core::handover::envelope::Envelope;
use relais_core::handover::key::ReceiverKey;
use zeroize::Zeroizing;

fn key() -> &'static (ReceiverKey, Zeroizing<[u8; 32]>) {
    static KEY: OnceLock<(ReceiverKey, Zeroizing<[u8; 32]>)> = OnceLock::new();
    KEY.get_or_init(|| {
        ReceiverKey::generate(&SigningKey::from_bytes(&[7; 32]), "fuzz", 939, i64::MAX)
            .expect("a fixed, valid key")
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(env) = Envelope::from_bytes(data) {
        // A parsed envelope must also survive opening (it will not decrypt; the paths before do run).
        let (k, secret) = key();
        let mut k = k.clone();
        k.session = env.session;
        let _ = env.open(&k, secret, 1_800_000_000);
    }
});
