//! One public error enum per area. Kotlin sees them as `InterviewException`, `VaultException`,
//! `HandoverException`, `DirectoryException` and `KeyProviderException`; Swift as the same names
//! ending in `Error`. Messages name records by id and never carry what a person said (the core's
//! messages already hold to that; serde's, which can quote input, are not passed on).

use relais_core::draft::DraftError;
use relais_core::handover::envelope::HandoverError as CoreHandoverError;
use relais_core::handover::fountain::FrameError;
use relais_core::handover::qr::QrError;
use relais_core::referral::directory::DirectoryError as CoreDirectoryError;
use relais_core::referral::signed::SignedDirectoryError;
use relais_core::session::SessionError;
use relais_core::vault::{VaultError as CoreVaultError, Weakness};

/// Why an interview call was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum InterviewError {
    #[error("unknown form '{form_id}'")]
    UnknownForm { form_id: String },
    #[error("form '{form_id}' is not available in {language}")]
    LanguageNotOffered { form_id: String, language: String },
    /// Finishing needs these required questions answered ("don't know" is accepted).
    #[error("required questions are unanswered: {}", question_ids.join(", "))]
    Incomplete { question_ids: Vec<String> },
    #[error("the draft cannot be resumed: {reason}")]
    InvalidDraft { reason: String },
    #[error("question '{question_id}' cannot be shown now")]
    NotShown { question_id: String },
    #[error("{reason}")]
    Refused { reason: String },
}

impl From<SessionError> for InterviewError {
    fn from(e: SessionError) -> Self {
        match e {
            SessionError::UnknownForm(form_id) => InterviewError::UnknownForm { form_id },
            SessionError::LanguageNotOffered { form, lang } => InterviewError::LanguageNotOffered {
                form_id: form,
                language: lang.code().to_string(),
            },
            SessionError::Incomplete(question_ids) => InterviewError::Incomplete { question_ids },
            SessionError::Draft(d) => d.into(),
            SessionError::NotShown(question_id) => InterviewError::NotShown { question_id },
            other => InterviewError::Refused {
                reason: other.to_string(),
            },
        }
    }
}

impl From<DraftError> for InterviewError {
    fn from(e: DraftError) -> Self {
        let reason = match e {
            // serde's message may quote the draft's content.
            DraftError::Malformed(_) => "the draft is not valid JSON of the draft format".into(),
            other => other.to_string(),
        };
        InterviewError::InvalidDraft { reason }
    }
}

/// The platform could not supply its secret (thrown by a foreign `KeyProvider`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum KeyProviderError {
    #[error("the device key is unavailable: {reason}")]
    Unavailable { reason: String },
}

/// A foreign implementation threw something that is not a `KeyProviderException`: it becomes one,
/// instead of a panic.
impl From<uniffi::UnexpectedUniFFICallbackError> for KeyProviderError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        KeyProviderError::Unavailable { reason: e.reason }
    }
}

/// Why a vault call was refused. Stored data is untouched by every one of these.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum VaultError {
    #[error("no vault at this path")]
    NotFound,
    #[error("a vault already exists at this path")]
    Exists,
    #[error("this file is not a Relais vault")]
    NotAVault,
    #[error("wrong passphrase ({remaining} attempt(s) left before the vault erases itself)")]
    WrongPassphrase { remaining: u32 },
    #[error("too many failed attempts: wait {seconds} s before trying again")]
    TooSoon { seconds: u64 },
    #[error("the vault was erased after too many failed attempts")]
    Erased,
    #[error("the passphrase is too short (at least {min_length} characters)")]
    WeakPassphrase { min_length: u32 },
    /// Long enough but among an attacker's first guesses: the screen says why and asks for another.
    #[error("this passphrase is too easy to guess ({weakness:?})")]
    GuessablePassphrase { weakness: PassphraseWeakness },
    #[error("the duress passphrase must differ from the passphrase")]
    DuressSameAsPassphrase,
    #[error("the device key is unavailable: {reason}")]
    DeviceKeyUnavailable { reason: String },
    #[error("record {record} failed authentication: it was altered or moved")]
    Tampered { record: String },
    #[error("no {what} with this id")]
    NoSuch { what: String },
    #[error("referral needs the person's consent to referral, or an override with a reason")]
    ConsentRequired,
    /// The person has not consented to handing the case over to `organisation`: the receiver as
    /// verified (`ReceiverCheckView.consentTarget`: the listed name, or for any other receiver
    /// `"<name> (<fingerprint>)"`). Ask them about exactly that, record the consent with that
    /// scope, and send again.
    #[error("the person has not consented to handing this case over to {organisation}")]
    HandoverConsentRequired { organisation: String },
    /// The receiver is neither listed in the signed directory nor remembered: its fingerprint
    /// must be compared in full with the receiver's screen, then passed to `sendHandover`.
    /// `organisation` is the name its key claims.
    #[error(
        "{organisation} is not verified (not in the directory): compare its fingerprint {fingerprint} with the receiver's screen before sending"
    )]
    ReceiverNotVerified {
        organisation: String,
        fingerprint: String,
    },
    /// The fingerprint confirmed is not the scanned key's: nothing was sealed (another device may
    /// be posing as the receiver).
    #[error(
        "the fingerprint confirmed is not the scanned key's: nothing was sealed (another device may be posing as the receiver)"
    )]
    FingerprintMismatch,
    /// A receiver key or an envelope was refused for a reason the screen words on its own
    /// (`problem`); nothing changed.
    #[error("{reason}")]
    HandoverRefused {
        problem: HandoverProblem,
        reason: String,
    },
    /// A signed directory was refused (`refusal` says why); the directory in use is unchanged.
    #[error("{reason}; the directory in use is unchanged")]
    Directory {
        refusal: DirectoryRefusal,
        reason: String,
    },
    #[error("{reason}")]
    Invalid { reason: String },
    #[error("the vault is locked: unlock it again")]
    Locked,
    #[error("encryption error: {reason}")]
    Crypto { reason: String },
    #[error("storage error: {reason}")]
    Storage { reason: String },
}

impl From<CoreVaultError> for VaultError {
    fn from(e: CoreVaultError) -> Self {
        match e {
            CoreVaultError::NotFound => VaultError::NotFound,
            CoreVaultError::Exists => VaultError::Exists,
            CoreVaultError::NotAVault => VaultError::NotAVault,
            CoreVaultError::WrongPassphrase { remaining } => {
                VaultError::WrongPassphrase { remaining }
            }
            CoreVaultError::TooSoon { seconds } => VaultError::TooSoon { seconds },
            CoreVaultError::Erased => VaultError::Erased,
            CoreVaultError::WeakPassphrase(n) => VaultError::WeakPassphrase {
                min_length: u32::try_from(n).unwrap_or(u32::MAX),
            },
            CoreVaultError::GuessablePassphrase(w) => VaultError::GuessablePassphrase {
                weakness: match w {
                    Weakness::Blank => PassphraseWeakness::Blank,
                    Weakness::Repeated => PassphraseWeakness::Repeated,
                    Weakness::Sequence => PassphraseWeakness::Sequence,
                    Weakness::Common => PassphraseWeakness::Common,
                },
            },
            CoreVaultError::DuressSameAsPassphrase => VaultError::DuressSameAsPassphrase,
            CoreVaultError::Platform(p) => VaultError::DeviceKeyUnavailable { reason: p.0 },
            CoreVaultError::Crypto(c) => VaultError::Crypto {
                reason: c.to_string(),
            },
            CoreVaultError::Tampered(record) => VaultError::Tampered { record },
            CoreVaultError::NoSuch(what) => VaultError::NoSuch { what: what.into() },
            CoreVaultError::Invalid(reason) => VaultError::Invalid { reason },
            CoreVaultError::ConsentRequired => VaultError::ConsentRequired,
            CoreVaultError::HandoverConsentRequired(organisation) => {
                VaultError::HandoverConsentRequired { organisation }
            }
            CoreVaultError::ReceiverNotVerified {
                organisation,
                fingerprint,
            } => VaultError::ReceiverNotVerified {
                organisation,
                fingerprint,
            },
            CoreVaultError::FingerprintMismatch => VaultError::FingerprintMismatch,
            CoreVaultError::Directory(e) => e.into(),
            CoreVaultError::Handover(e) => e.into(),
            CoreVaultError::Storage(reason) => VaultError::Storage { reason },
        }
    }
}

/// Why a passphrase long enough was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PassphraseWeakness {
    /// Only spaces.
    Blank,
    /// One character or group repeated (000000, 121212).
    Repeated,
    /// Consecutive digits or letters (123456, 987654).
    Sequence,
    /// Among the most common PINs and passwords.
    Common,
}

/// Why a receiver key or an envelope was refused, for the screen to word it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum HandoverProblem {
    /// Not a Relais key or envelope at all.
    NotRelais,
    /// Made by an older Relais (handover format 1): update both phones.
    OldFormat,
    /// A handover format this version does not know (a newer Relais): update this phone.
    Unsupported,
    /// The receiver's key expired: show a new one.
    Expired,
    /// Dated in the future: a phone's clock is wrong.
    Future,
    /// The case was sealed for another receiver and relayed: refuse it.
    WrongReceiver,
    /// Damaged, altered, or its signature does not verify.
    Damaged,
}

impl From<&CoreHandoverError> for HandoverProblem {
    fn from(e: &CoreHandoverError) -> Self {
        match e {
            CoreHandoverError::NotRelais(_) => HandoverProblem::NotRelais,
            CoreHandoverError::OldFormat { .. } => HandoverProblem::OldFormat,
            CoreHandoverError::Version(_) => HandoverProblem::Unsupported,
            CoreHandoverError::Expired => HandoverProblem::Expired,
            CoreHandoverError::Future(_) => HandoverProblem::Future,
            CoreHandoverError::WrongReceiver => HandoverProblem::WrongReceiver,
            CoreHandoverError::Malformed(_)
            | CoreHandoverError::TooLarge(_)
            | CoreHandoverError::BadSignature(_)
            | CoreHandoverError::Name
            | CoreHandoverError::Decrypt
            | CoreHandoverError::Content
            | CoreHandoverError::Bomb => HandoverProblem::Damaged,
        }
    }
}

impl From<CoreHandoverError> for VaultError {
    fn from(e: CoreHandoverError) -> Self {
        VaultError::HandoverRefused {
            problem: HandoverProblem::from(&e),
            reason: e.to_string(),
        }
    }
}

/// Why a signed directory was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum DirectoryRefusal {
    /// Not a signed Relais directory, or a row in it is bad (it is refused whole).
    Invalid,
    /// Signed by another coordinator than the one this vault trusts.
    OtherCoordinator,
    /// Changed after it was signed.
    BadSignature,
    /// Not newer than the directory in use.
    Older,
    /// No coordinator trusted yet and none given (the first import names it).
    NoCoordinator,
    /// The coordinator key given is not 64 hexadecimal digits of an Ed25519 key.
    BadCoordinatorKey,
}

impl From<SignedDirectoryError> for VaultError {
    fn from(e: SignedDirectoryError) -> Self {
        let refusal = match &e {
            SignedDirectoryError::Malformed(_) => DirectoryRefusal::Invalid,
            SignedDirectoryError::OtherCoordinator(_) => DirectoryRefusal::OtherCoordinator,
            SignedDirectoryError::BadSignature => DirectoryRefusal::BadSignature,
            SignedDirectoryError::Older { .. } => DirectoryRefusal::Older,
            SignedDirectoryError::NoCoordinator => DirectoryRefusal::NoCoordinator,
        };
        let reason = match e {
            // serde's messages may quote the file (a file picked by mistake may be anything);
            // the kind of problem is enough here.
            SignedDirectoryError::Malformed(m)
                if ["at line", "invalid", "unknown", "missing", "expected"]
                    .iter()
                    .any(|w| m.contains(w)) =>
            {
                "not a signed Relais directory (not valid JSON of that format)".to_string()
            }
            other => other.to_string(),
        };
        VaultError::Directory { refusal, reason }
    }
}

/// Why a handover frame, key or QR code was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum HandoverError {
    /// Not a Relais frame, or a damaged one: keep scanning.
    #[error("{reason}")]
    InvalidFrame { reason: String },
    /// The frames seen so far belong to more than one case: receive one handover at a time.
    #[error("the frames hold more than one case: receive them one handover at a time")]
    SeveralCases,
    #[error("the case cannot be cut into frames: {reason}")]
    Encode { reason: String },
    #[error("{reason}")]
    Qr { reason: String },
}

impl From<FrameError> for HandoverError {
    fn from(e: FrameError) -> Self {
        HandoverError::InvalidFrame {
            reason: e.to_string(),
        }
    }
}

impl From<QrError> for HandoverError {
    fn from(e: QrError) -> Self {
        HandoverError::Qr {
            reason: e.to_string(),
        }
    }
}

impl From<CoreHandoverError> for HandoverError {
    fn from(e: CoreHandoverError) -> Self {
        HandoverError::InvalidFrame {
            reason: e.to_string(),
        }
    }
}

/// Why a service directory could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, uniffi::Error)]
pub enum DirectoryError {
    #[error("{reason}")]
    Invalid { reason: String },
}

impl From<CoreDirectoryError> for DirectoryError {
    fn from(e: CoreDirectoryError) -> Self {
        let reason = match e {
            // The parsers' messages may quote a cell; the kind of problem is enough here.
            CoreDirectoryError::Csv(_) => "the directory file is not valid CSV".into(),
            CoreDirectoryError::Json(_) => "the directory file is not valid JSON".into(),
            other => other.to_string(),
        };
        DirectoryError::Invalid { reason }
    }
}
