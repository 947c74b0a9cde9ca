//! The referral directory (organisations and what they offer, loaded from the NRM's CSV or JSON
//! file) and the services it proposes for a case.

use std::sync::Arc;

use relais_core::referral::directory::{Directory, Service};
use relais_core::referral::matching::{self, MatchResult, Proximity};

use crate::error::DirectoryError;
use crate::language::Language;
use crate::records::Priority;

/// One service of one organisation.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ServiceView {
    pub id: String,
    pub organisation: String,
    pub service: String,
    /// Category ids (`health`, `shelter`, `child_protection`, …).
    pub categories: Vec<String>,
    /// `Kwilu/Kikwit`: largest area first.
    pub area: String,
    pub address: String,
    pub phone: String,
    pub email: String,
    pub languages: Vec<String>,
    pub hours: String,
    pub takes_children: bool,
    pub available_24h: bool,
    pub notes: String,
}

impl From<&Service> for ServiceView {
    fn from(s: &Service) -> Self {
        ServiceView {
            id: s.id.clone(),
            organisation: s.organisation.clone(),
            service: s.service.clone(),
            categories: s.categories.iter().map(|c| c.id().to_string()).collect(),
            area: s.area.clone(),
            address: s.address.clone(),
            phone: s.phone.clone(),
            email: s.email.clone(),
            languages: s.languages.clone(),
            hours: s.hours.clone(),
            takes_children: s.takes_children,
            available_24h: s.available_24h,
            notes: s.notes.clone(),
        }
    }
}

/// A proposed service and why it ranks where it does.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ServiceMatch {
    pub service: ServiceView,
    /// `same_area`, `same_region`, `elsewhere`, `unknown`.
    pub proximity: String,
    pub reasons: Vec<String>,
}

/// The services proposed for one category of need.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Proposal {
    pub category: String,
    pub category_label: String,
    pub priority: Priority,
    pub priority_label: String,
    /// The needs (or `flag:<id>`, `child`) this category answers.
    pub because: Vec<String>,
    /// Best first; empty when the directory has nothing suitable.
    pub services: Vec<ServiceMatch>,
}

/// What the directory offers for a case.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ServiceProposals {
    pub directory: String,
    /// Demo or training data: the UI must say so on every screen that shows it.
    pub fictitious: bool,
    /// Most urgent first.
    pub proposals: Vec<Proposal>,
    /// Categories with no suitable service: the gap to raise with the NRM coordinator.
    pub unmet: Vec<String>,
    pub explanation: String,
}

fn proximity(p: Proximity) -> &'static str {
    match p {
        Proximity::SameArea => "same_area",
        Proximity::SameRegion => "same_region",
        Proximity::Elsewhere => "elsewhere",
        Proximity::Unknown => "unknown",
    }
}

impl From<MatchResult> for ServiceProposals {
    fn from(m: MatchResult) -> Self {
        ServiceProposals {
            directory: m.directory,
            fictitious: m.fictitious,
            proposals: m
                .proposals
                .into_iter()
                .map(|p| Proposal {
                    category: p.category.id().to_string(),
                    category_label: p.category_label,
                    priority: p.priority.into(),
                    priority_label: p.priority_label,
                    because: p.because,
                    services: p
                        .services
                        .iter()
                        .map(|s| ServiceMatch {
                            service: ServiceView::from(&s.service),
                            proximity: proximity(s.proximity).to_string(),
                            reasons: s.reasons.clone(),
                        })
                        .collect(),
                })
                .collect(),
            unmet: m.unmet.iter().map(|c| c.id().to_string()).collect(),
            explanation: m.explanation,
        }
    }
}

/// A service directory, read once and kept for the session.
#[derive(uniffi::Object)]
pub struct ServiceDirectory {
    pub(crate) directory: Directory,
    row_errors: Vec<String>,
}

impl ServiceDirectory {
    /// A directory already verified (the signed one in a vault).
    pub(crate) fn from_directory(directory: Directory) -> Arc<ServiceDirectory> {
        Arc::new(ServiceDirectory {
            directory,
            row_errors: Vec::new(),
        })
    }
}

/// The fictitious Kwilu (DRC) directory shipped for demos and training.
#[uniffi::export]
pub fn sample_directory() -> Arc<ServiceDirectory> {
    Arc::new(ServiceDirectory {
        directory: Directory::sample_kwilu().clone(),
        row_errors: Vec::new(),
    })
}

#[uniffi::export]
impl ServiceDirectory {
    /// Reads a directory file's text (CSV or JSON, by its first character). Bad rows are left
    /// out and reported by `rowErrors()`; a file that cannot be read at all throws.
    #[uniffi::constructor]
    pub fn load(data: String, name: String) -> Result<Arc<ServiceDirectory>, DirectoryError> {
        let report = Directory::load(&data, &name)?;
        Ok(Arc::new(ServiceDirectory {
            directory: report.directory,
            row_errors: report.errors.iter().map(ToString::to_string).collect(),
        }))
    }

    pub fn name(&self) -> String {
        self.directory.name.clone()
    }

    /// Demo or training data.
    pub fn fictitious(&self) -> bool {
        self.directory.fictitious
    }

    pub fn services(&self) -> Vec<ServiceView> {
        self.directory
            .services
            .iter()
            .map(ServiceView::from)
            .collect()
    }

    pub fn service(&self, id: String) -> Option<ServiceView> {
        self.directory
            .services
            .iter()
            .find(|s| s.id == id)
            .map(ServiceView::from)
    }

    /// `row N: why`, for each row left out.
    pub fn row_errors(&self) -> Vec<String> {
        self.row_errors.clone()
    }

    /// Services for needs given by hand (`need` or `need:priority` ids, red flag ids), as
    /// `relais directory match` does; for a stored case, use `Vault.proposeServices`.
    pub fn propose(
        &self,
        needs: Vec<String>,
        red_flags: Vec<String>,
        child: bool,
        area: Option<String>,
        language: Language,
    ) -> Result<ServiceProposals, DirectoryError> {
        let invalid = |reason: String| DirectoryError::Invalid { reason };
        let needs = needs
            .iter()
            .map(|item| {
                let (need, priority) = item.split_once(':').unwrap_or((item, "normal"));
                Ok((
                    need.parse().map_err(invalid)?,
                    priority.parse().map_err(invalid)?,
                ))
            })
            .collect::<Result<Vec<_>, DirectoryError>>()?;
        let flags = red_flags
            .iter()
            .map(|f| f.parse().map_err(invalid))
            .collect::<Result<_, _>>()?;
        let request = matching::MatchRequest {
            needs,
            flags,
            child,
            area,
            language: None,
            steps: Default::default(),
        };
        Ok(matching::propose(&self.directory, &request, language.into()).into())
    }
}
