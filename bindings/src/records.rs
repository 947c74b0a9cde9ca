//! The vault's records as the phones see them: cases, their entries, referrals, the audit log and
//! the integrity report. Plain values, copied out of the vault; nothing here holds it open.

use relais_core::effects;
use relais_core::result::FormResult;
use relais_core::vault::audit;
use relais_core::vault::records as core;

use crate::result::FormResultView;

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum CaseStatus {
    Active,
    FollowUp,
    Closed,
    /// Closed after a referral.
    ClosedReferred,
}

impl From<core::CaseStatus> for CaseStatus {
    fn from(s: core::CaseStatus) -> Self {
        match s {
            core::CaseStatus::Active => CaseStatus::Active,
            core::CaseStatus::FollowUp => CaseStatus::FollowUp,
            core::CaseStatus::Closed => CaseStatus::Closed,
            core::CaseStatus::ClosedReferred => CaseStatus::ClosedReferred,
        }
    }
}

impl From<CaseStatus> for core::CaseStatus {
    fn from(s: CaseStatus) -> Self {
        match s {
            CaseStatus::Active => core::CaseStatus::Active,
            CaseStatus::FollowUp => core::CaseStatus::FollowUp,
            CaseStatus::Closed => core::CaseStatus::Closed,
            CaseStatus::ClosedReferred => core::CaseStatus::ClosedReferred,
        }
    }
}

/// A referral's lifecycle: draft → sent → accepted → completed, or sent → rejected (with reason).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ReferralStatus {
    Draft,
    Sent,
    Accepted,
    Rejected,
    Completed,
}

impl From<core::ReferralStatus> for ReferralStatus {
    fn from(s: core::ReferralStatus) -> Self {
        match s {
            core::ReferralStatus::Draft => ReferralStatus::Draft,
            core::ReferralStatus::Sent => ReferralStatus::Sent,
            core::ReferralStatus::Accepted => ReferralStatus::Accepted,
            core::ReferralStatus::Rejected => ReferralStatus::Rejected,
            core::ReferralStatus::Completed => ReferralStatus::Completed,
        }
    }
}

impl From<ReferralStatus> for core::ReferralStatus {
    fn from(s: ReferralStatus) -> Self {
        match s {
            ReferralStatus::Draft => core::ReferralStatus::Draft,
            ReferralStatus::Sent => core::ReferralStatus::Sent,
            ReferralStatus::Accepted => core::ReferralStatus::Accepted,
            ReferralStatus::Rejected => core::ReferralStatus::Rejected,
            ReferralStatus::Completed => core::ReferralStatus::Completed,
        }
    }
}

/// How soon a referral must be acted on: emergency (24 h), urgent (72 h), normal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Priority {
    Emergency,
    Urgent,
    Normal,
}

impl From<effects::Priority> for Priority {
    fn from(p: effects::Priority) -> Self {
        match p {
            effects::Priority::Emergency => Priority::Emergency,
            effects::Priority::Urgent => Priority::Urgent,
            effects::Priority::Normal => Priority::Normal,
        }
    }
}

impl From<Priority> for effects::Priority {
    fn from(p: Priority) -> Self {
        match p {
            Priority::Emergency => effects::Priority::Emergency,
            Priority::Urgent => effects::Priority::Urgent,
            Priority::Normal => effects::Priority::Normal,
        }
    }
}

/// What a one-off consent, given now, is for (the consent form covers the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ConsentPurpose {
    /// One referral: its scope is the service id.
    Referral,
    /// One handover: its scope is the receiving organisation.
    Handover,
}

impl From<ConsentPurpose> for effects::ConsentPurpose {
    fn from(p: ConsentPurpose) -> Self {
        match p {
            ConsentPurpose::Referral => effects::ConsentPurpose::Referral,
            ConsentPurpose::Handover => effects::ConsentPurpose::Handover,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum EntryKind {
    /// A quick check or an interview.
    Screening,
    /// Needs or risk.
    Assessment,
    Consent,
    Note,
    /// A handover sent, received or acknowledged.
    Custody,
}

impl From<core::EntryKind> for EntryKind {
    fn from(k: core::EntryKind) -> Self {
        match k {
            core::EntryKind::Screening => EntryKind::Screening,
            core::EntryKind::Assessment => EntryKind::Assessment,
            core::EntryKind::Consent => EntryKind::Consent,
            core::EntryKind::Note => EntryKind::Note,
            core::EntryKind::Custody => EntryKind::Custody,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum ExportFormat {
    Json,
    Csv,
}

/// A case in the list.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CaseSummary {
    /// The pseudonymous case code (`None` when the record failed authentication).
    pub code: Option<String>,
    pub status: CaseStatus,
    /// Unix seconds.
    pub created_at: i64,
    pub closed_at: Option<i64>,
    pub entries: u32,
    pub referrals: u32,
    /// The outcome id of the latest screening.
    pub last_outcome: Option<String>,
    /// The record failed authentication: altered or moved.
    pub damaged: bool,
}

impl From<core::CaseSummary> for CaseSummary {
    fn from(c: core::CaseSummary) -> Self {
        CaseSummary {
            code: c.id,
            status: c.status.into(),
            created_at: c.created_at,
            closed_at: c.closed_at,
            entries: c.entries,
            referrals: c.referrals,
            last_outcome: c.last_outcome,
            damaged: c.damaged,
        }
    }
}

/// One entry of a case, with what a case screen shows of it.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct EntryView {
    pub id: String,
    pub kind: EntryKind,
    pub created_at: i64,
    /// The form a screening, assessment or consent form came from.
    pub form_id: Option<String>,
    /// The result of that form, as it was saved (in the language of the session).
    pub result: Option<FormResultView>,
    /// A note's text.
    pub note: Option<String>,
    /// A one-off consent's purposes (`referral`, `handover`) and scope.
    pub consent_purposes: Vec<String>,
    pub consent_scope: Option<String>,
    /// A custody event: `sent`, `received` or `acknowledged`, and the other organisation.
    pub custody_event: Option<String>,
    pub organisation: Option<String>,
    /// The entry as stored (JSON).
    pub content_json: String,
}

fn text(v: &serde_json::Value, key: &str) -> Option<String> {
    v[key].as_str().map(str::to_string)
}

impl From<&core::Entry> for EntryView {
    fn from(e: &core::Entry) -> Self {
        let c = &e.content;
        let result = serde_json::from_value::<FormResult>(c["result"].clone())
            .ok()
            .map(|r| FormResultView::from(&r));
        let one_off = e.kind == core::EntryKind::Consent && c["form"].is_null();
        EntryView {
            id: e.id.clone(),
            kind: e.kind.into(),
            created_at: e.created_at,
            form_id: text(c, "form"),
            result,
            note: (e.kind == core::EntryKind::Note)
                .then(|| text(c, "text"))
                .flatten(),
            consent_purposes: if one_off {
                c["result"]["agreed"]
                    .as_array()
                    .map(|a| {
                        a.iter()
                            .filter_map(|p| p.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default()
            } else {
                Vec::new()
            },
            // Stored as `purpose:target`; the target is what a screen shows.
            consent_scope: one_off
                .then(|| text(c, "scope"))
                .flatten()
                .map(|s| s.split_once(':').map_or(s.clone(), |(_, t)| t.to_string())),
            custody_event: (e.kind == core::EntryKind::Custody)
                .then(|| text(c, "event"))
                .flatten(),
            organisation: text(c, "organisation"),
            content_json: c.to_string(),
        }
    }
}

/// A referral.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Referral {
    pub id: String,
    pub case_code: String,
    pub status: ReferralStatus,
    /// Where it may go from here (empty when it is over).
    pub next_statuses: Vec<ReferralStatus>,
    pub created_at: i64,
    pub updated_at: i64,
    pub service_id: String,
    pub organisation: String,
    pub service: String,
    pub categories: Vec<String>,
    pub priority: Priority,
    pub reason: String,
    /// The consent entry that allows it (`None` with an override).
    pub consent_entry: Option<String>,
    pub override_reason: Option<String>,
    pub rejection_reason: Option<String>,
}

impl From<core::Referral> for Referral {
    fn from(r: core::Referral) -> Self {
        let d = r.details;
        Referral {
            id: r.id,
            case_code: r.case,
            status: r.status.into(),
            next_statuses: core::ReferralStatus::ALL
                .iter()
                .filter(|&&s| r.status.can_become(s))
                .map(|&s| s.into())
                .collect(),
            created_at: r.created_at,
            updated_at: r.updated_at,
            service_id: d.service_id,
            organisation: d.organisation,
            service: d.service,
            categories: d.categories,
            priority: d.priority.into(),
            reason: d.reason,
            consent_entry: d.consent_entry,
            override_reason: d.override_reason,
            rejection_reason: d.rejection_reason,
        }
    }
}

/// Everything stored about one case.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct CaseDetail {
    pub code: String,
    pub status: CaseStatus,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    /// Oldest first.
    pub entries: Vec<EntryView>,
    pub referrals: Vec<Referral>,
    /// The case came from another device or file.
    pub imported: bool,
    /// Records of this case that failed authentication (table/id).
    pub damaged: Vec<String>,
}

impl From<core::CaseDetail> for CaseDetail {
    fn from(c: core::CaseDetail) -> Self {
        CaseDetail {
            entries: c.entries.iter().map(EntryView::from).collect(),
            referrals: c.referrals.into_iter().map(Referral::from).collect(),
            imported: c.imported.is_some(),
            code: c.id,
            status: c.status.into(),
            created_at: c.created_at,
            closed_at: c.closed_at,
            damaged: c.damaged,
        }
    }
}

/// One audit entry: who did what to which record id, never content.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub target: String,
}

impl From<audit::AuditEntry> for AuditEntry {
    fn from(e: audit::AuditEntry) -> Self {
        AuditEntry {
            seq: e.seq,
            at: e.at,
            actor: e.actor,
            action: e.action,
            target: e.target,
        }
    }
}

/// The integrity report.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct VaultCheck {
    pub ok: bool,
    pub sqlite_integrity: String,
    pub cases: u32,
    pub entries: u32,
    pub referrals: u32,
    /// Records that failed authentication (table/id).
    pub damaged: Vec<String>,
    pub audit_entries: u32,
    /// Audit sequence numbers whose chain is broken.
    pub audit_broken: Vec<i64>,
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl From<core::CheckReport> for VaultCheck {
    fn from(r: core::CheckReport) -> Self {
        VaultCheck {
            ok: r.ok,
            sqlite_integrity: r.sqlite_integrity,
            cases: count(r.cases),
            entries: count(r.entries),
            referrals: count(r.referrals),
            damaged: r.damaged,
            audit_entries: count(r.audit.entries),
            audit_broken: r.audit.broken,
        }
    }
}
