//! Referral: the service directory (organisations and what they offer) and the matching of needs and
//! red flags to proposed services. Storing referrals is the vault's job.

pub mod directory;
pub mod matching;
pub mod signed;

pub use directory::{Directory, LoadReport, RowError, Service, ServiceCategory};
pub use matching::{MatchRequest, MatchResult, Proposal, ServiceMatch};
