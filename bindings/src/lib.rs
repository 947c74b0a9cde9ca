//! # relais-ffi
//!
//! The Relais core for the phones, through [uniffi](https://mozilla.github.io/uniffi-rs/): Kotlin
//! on Android (JNA over `librelais_ffi.so`) and Swift on iOS (the XCFramework). This crate holds no
//! logic: every call goes to `relais-core`, and what comes back is turned into plain records that
//! the foreign side renders as they are. See docs/bindings.md.
//!
//! - [`Interview`]: a form being filled in; each call returns the whole next [`Screen`].
//! - [`Vault`]: the encrypted store (cases, results, consent, referrals, exports, handover custody),
//!   opened with a passphrase and the platform's [`KeyProvider`].
//! - [`HandoverSender`] and [`HandoverReceiver`]: a case travelling as animated QR frames.
//! - [`ServiceDirectory`]: the referral directory and the services it proposes.
//! - The signed NRM directory, remembered receivers and this phone's identity: `Vault.importDirectory`
//!   (or `importDirectoryFrames` from QR frames), `Vault.resetDirectoryTrust`,
//!   `Vault.checkReceiver`, `Vault.identity` (docs/directory.md).
//!
//! Calls are coarse on purpose (a JNA call costs microseconds): one call per user action.
//! Errors are one enum per area ([`InterviewError`], [`VaultError`], [`HandoverError`],
//! [`DirectoryError`]); their messages name records by id and never carry what a person said.

uniffi::setup_scaffolding!("relais");

mod directory;
mod drafts;
mod error;
mod handover;
mod interview;
mod keys;
mod language;
mod live;
mod records;
mod result;
mod screen;
mod trust;
mod vault;

pub use directory::{
    Proposal, ServiceDirectory, ServiceMatch, ServiceProposals, ServiceView, sample_directory,
};
pub use drafts::PendingDraft;
pub use error::{
    DirectoryError, DirectoryRefusal, HandoverError, HandoverProblem, InterviewError,
    KeyProviderError, PassphraseWeakness, VaultError,
};
pub use handover::{
    HandoverReceiver, HandoverSender, QrMatrix, ReceivedCase, ReceiverCheckView, ReceiverKey,
    ScanProgress, ScanStatus, Verification, decode_qr_luma, qr_matrix,
};
pub use interview::{FormInfo, FormKind, Interview, forms};
pub use keys::{KeyProvider, passphrase_only};
pub use language::{Direction, Language, LanguageInfo, languages, ui_text, ui_text_with};
pub use live::{LiveObjects, live_objects};
pub use records::{
    AuditEntry, CaseDetail, CaseStatus, CaseSummary, ConsentPurpose, EntryKind, EntryView,
    ExportFormat, Priority, Referral, ReferralStatus, VaultCheck,
};
pub use result::{
    CompletenessView, ConsentView, DimensionView, FormResultView, IndicatorView, Labelled,
    NeedView, ProtocolView, ResultKind, RiskView, TriageView,
};
pub use screen::{
    AnswerType, Labels, NumberView, OptionView, Progress, QuestionRef, QuestionView, ReviewView,
    Screen, ScreenKind, SectionView,
};
pub use trust::{
    DirectoryStatus, IdentityView, PinnedReceiverView, directory_frames, read_directory_file,
    sample_coordinator_key, sample_directory_file,
};
pub use vault::{Vault, VaultSettings, VaultStatus, vault_status, wipe_vault};
