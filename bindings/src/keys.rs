//! The platform's secret: the Android Keystore or the iOS Keychain/Secure Enclave hold a secret
//! outside the vault file, mixed into the key that unwraps the vault, so that a copied file cannot
//! be attacked away from the device.

use std::sync::Arc;

use relais_core::vault::{
    KeyProvider as CoreKeyProvider, KeyProviderError as CoreKeyProviderError,
};
use zeroize::Zeroizing;

use crate::error::KeyProviderError;

/// Implemented by the app over the platform keystore: `platformSecret()` returns the same bytes
/// every time for this device and vault (empty: no platform secret, the passphrase alone).
///
/// The vault asks for it while opening or re-keying, holding its lock: an implementation must not
/// call back into the vault. Throw `KeyProviderException` when the keystore refuses (the user
/// cancelled biometrics, the key was invalidated); the vault call then fails with
/// `VaultException.DeviceKeyUnavailable` and changes nothing.
#[uniffi::export(with_foreign)]
pub trait KeyProvider: Send + Sync {
    fn platform_secret(&self) -> Result<Vec<u8>, KeyProviderError>;
}

/// The passphrase alone protects the vault (laptops, tests, a phone whose keystore is broken).
struct PassphraseOnly;

impl KeyProvider for PassphraseOnly {
    fn platform_secret(&self) -> Result<Vec<u8>, KeyProviderError> {
        Ok(Vec::new())
    }
}

/// A provider with no platform secret.
#[uniffi::export]
pub fn passphrase_only() -> Arc<dyn KeyProvider> {
    Arc::new(PassphraseOnly)
}

/// The foreign provider seen as the core's: the secret goes straight into a zeroizing buffer.
pub(crate) struct Bridge(pub Arc<dyn KeyProvider>);

impl CoreKeyProvider for Bridge {
    fn platform_secret(&self) -> Result<Zeroizing<Vec<u8>>, CoreKeyProviderError> {
        self.0
            .platform_secret()
            .map(Zeroizing::new)
            .map_err(|KeyProviderError::Unavailable { reason }| CoreKeyProviderError(reason))
    }
}
