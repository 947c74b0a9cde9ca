//! `uniffi-bindgen`, built from the same uniffi version as `relais-ffi` (the crates pin each other
//! exactly), so generated bindings always match the library they were generated from. Use it through
//! `scripts/gen-bindings`.

fn main() {
    uniffi::uniffi_bindgen_main()
}
