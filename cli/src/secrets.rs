//! Where the vault is, and how the CLI gets passphrases: `--vault`, else `$RELAIS_VAULT`, else the
//! platform's data directory; `$RELAIS_PASSPHRASE` (and `$RELAIS_NEW_PASSPHRASE`,
//! `$RELAIS_DURESS_PASSPHRASE`) when set, else a hidden prompt.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use relais_core::vault::crypto::KdfParams;
use relais_core::vault::{NoPlatformSecret, Vault, VaultError, VaultOptions};
use zeroize::Zeroizing;

use crate::CliError;

/// The vault file to use.
pub fn vault_path(cli: Option<&Path>) -> Result<PathBuf, CliError> {
    if let Some(p) = cli {
        return Ok(p.to_path_buf());
    }
    if let Ok(p) = std::env::var("RELAIS_VAULT")
        && !p.trim().is_empty()
    {
        return Ok(PathBuf::from(p));
    }
    dirs::data_dir()
        .map(|d| d.join("relais").join("vault.db"))
        .ok_or_else(|| {
            CliError::Input("no data directory on this system: give --vault PATH".into())
        })
}

/// A secret from an environment variable, else from a hidden prompt on the terminal.
pub fn secret(env: &str, prompt: &str) -> Result<Zeroizing<String>, CliError> {
    if let Ok(v) = std::env::var(env) {
        return Ok(Zeroizing::new(v));
    }
    if !std::io::stdin().is_terminal() {
        return Err(CliError::Input(format!(
            "no terminal to ask for the passphrase: set {env}"
        )));
    }
    rpassword::prompt_password(prompt)
        .map(Zeroizing::new)
        .map_err(|e| CliError::Input(format!("cannot read the passphrase: {e}")))
}

/// A new secret, typed twice when prompted.
pub fn new_secret(env: &str, what: &str) -> Result<Zeroizing<String>, CliError> {
    if std::env::var(env).is_ok() {
        return secret(env, "");
    }
    let first = secret(env, &format!("{what}: "))?;
    let again = secret(env, &format!("{what} (again): "))?;
    if *first != *again {
        return Err(CliError::Input("the two entries differ".into()));
    }
    Ok(first)
}

/// KDF parameters for a new vault, calibrated so that unlocking takes about `target_ms` on this
/// machine (never below 64 MiB and 3 passes). Debug builds honour `RELAIS_INSECURE_TEST_KDF=1` so
/// that the test suite does not spend a second per command; release builds never do.
pub fn kdf_params(target_ms: u64) -> Result<KdfParams, CliError> {
    if cfg!(debug_assertions) && std::env::var("RELAIS_INSECURE_TEST_KDF").is_ok_and(|v| v == "1") {
        return Ok(KdfParams::INSECURE_FOR_TESTS);
    }
    KdfParams::calibrate(std::time::Duration::from_millis(target_ms))
        .map_err(|e| CliError::Input(e.to_string()))
}

pub fn default_options(target_ms: u64) -> Result<VaultOptions, CliError> {
    Ok(VaultOptions {
        kdf: kdf_params(target_ms)?,
        ..VaultOptions::default()
    })
}

/// Opens the vault at `path` with the passphrase from the environment or a prompt.
pub fn unlock(path: &Path) -> Result<Vault, CliError> {
    let pass = secret("RELAIS_PASSPHRASE", "Passphrase: ")?;
    Vault::unlock(path, &pass, &NoPlatformSecret).map_err(|e| vault_error(path, e))
}

/// A vault error with the file named.
pub fn vault_error(path: &Path, e: VaultError) -> CliError {
    CliError::File {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}
