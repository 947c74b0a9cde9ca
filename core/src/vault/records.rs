//! The records of the vault: cases, their entries (screenings, assessments, consent records,
//! notes) and referrals. Every readable field is sealed; a record that fails authentication is
//! reported by id and the rest of the vault stays readable.

use std::collections::BTreeMap;

use rusqlite::{OptionalExtension, params};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use serde_json::value::RawValue;

use super::{Result, Vault, VaultError, crypto, new_id, now};
use crate::draft::Draft;
use crate::effects::{ConsentPurpose, Priority};
use crate::forms::{self, FormKind};
use crate::result::FormResult;

/// Case status, as IOM HTCDS v2.0 names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum CaseStatus {
    Active,
    FollowUp,
    Closed,
    ClosedReferred,
}

impl CaseStatus {
    pub fn id(self) -> &'static str {
        match self {
            CaseStatus::Active => "Active",
            CaseStatus::FollowUp => "FollowUp",
            CaseStatus::Closed => "Closed",
            CaseStatus::ClosedReferred => "ClosedReferred",
        }
    }

    fn parse(s: &str) -> Result<CaseStatus> {
        match s {
            "Active" => Ok(CaseStatus::Active),
            "FollowUp" => Ok(CaseStatus::FollowUp),
            "Closed" => Ok(CaseStatus::Closed),
            "ClosedReferred" => Ok(CaseStatus::ClosedReferred),
            _ => Err(VaultError::Storage("unknown case status".into())),
        }
    }

    pub fn is_closed(self) -> bool {
        matches!(self, CaseStatus::Closed | CaseStatus::ClosedReferred)
    }
}

/// Referral lifecycle: draft → sent → accepted | rejected (with a reason); accepted → completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    Draft,
    Sent,
    Accepted,
    Rejected,
    Completed,
}

impl ReferralStatus {
    pub fn id(self) -> &'static str {
        match self {
            ReferralStatus::Draft => "draft",
            ReferralStatus::Sent => "sent",
            ReferralStatus::Accepted => "accepted",
            ReferralStatus::Rejected => "rejected",
            ReferralStatus::Completed => "completed",
        }
    }

    pub fn parse(s: &str) -> Result<ReferralStatus> {
        match s.trim() {
            "draft" => Ok(ReferralStatus::Draft),
            "sent" => Ok(ReferralStatus::Sent),
            "accepted" => Ok(ReferralStatus::Accepted),
            "rejected" => Ok(ReferralStatus::Rejected),
            "completed" => Ok(ReferralStatus::Completed),
            other => Err(VaultError::Invalid(format!(
                "unknown referral status '{}': use draft, sent, accepted, rejected or completed",
                other.chars().take(20).collect::<String>()
            ))),
        }
    }

    pub const ALL: [ReferralStatus; 5] = [
        ReferralStatus::Draft,
        ReferralStatus::Sent,
        ReferralStatus::Accepted,
        ReferralStatus::Rejected,
        ReferralStatus::Completed,
    ];

    /// Whether a referral in this status may move to `next`.
    pub fn can_become(self, next: ReferralStatus) -> bool {
        use ReferralStatus::*;
        matches!(
            (self, next),
            (Draft, Sent) | (Sent, Accepted) | (Sent, Rejected) | (Accepted, Completed)
        )
    }
}

/// A case sealed ahead of its insert (bulk imports).
struct SealedCase {
    id: String,
    code: String,
    index: Vec<u8>,
    head: Vec<u8>,
    data: Vec<u8>,
}

/// Seals one imported case: a fresh id and code, its head and its data, its blind index.
fn seal_case(values: &crypto::Key, index: &crypto::Key, record: &RawValue) -> Result<SealedCase> {
    let id = new_id()?;
    let code = new_code()?;
    let head = serde_json::to_vec(&CaseHead { code: code.clone() })
        .map_err(|e| VaultError::Invalid(e.to_string()))?;
    Ok(SealedCase {
        head: crypto::seal(values, &head, &crypto::aad("cases", &id, "head"))?,
        data: crypto::seal(
            values,
            record.get().as_bytes(),
            &crypto::aad("cases", &id, "data"),
        )?,
        index: crypto::blind_index(index, "case.code", &code),
        id,
        code,
    })
}

/// The sealed head of a case: small, so that listings decrypt little.
#[derive(Serialize, Deserialize)]
struct CaseHead {
    code: String,
}

/// The kinds of case entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Screening,
    Assessment,
    Consent,
    Note,
    /// A handover event: sent, acknowledged, received.
    Custody,
}

impl EntryKind {
    fn id(self) -> &'static str {
        match self {
            EntryKind::Screening => "screening",
            EntryKind::Assessment => "assessment",
            EntryKind::Consent => "consent",
            EntryKind::Note => "note",
            EntryKind::Custody => "custody",
        }
    }
}

/// A case in a listing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseSummary {
    /// The pseudonymous case code (`None` when the record failed authentication).
    pub id: Option<String>,
    pub status: CaseStatus,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    pub entries: u32,
    pub referrals: u32,
    /// The outcome of the latest screening, if any.
    pub last_outcome: Option<String>,
    /// The record failed authentication: altered or moved.
    pub damaged: bool,
}

/// One entry of a case, decrypted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub id: String,
    pub kind: EntryKind,
    pub created_at: i64,
    pub content: Value,
}

/// What a referral records.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferralData {
    pub service_id: String,
    pub organisation: String,
    pub service: String,
    pub categories: Vec<String>,
    pub priority: Priority,
    pub reason: String,
    /// What is shared with the receiving service, as consent allows.
    pub fields: Vec<String>,
    /// The consent entry that allows the referral (`None` with an override).
    pub consent_entry: Option<String>,
    pub override_reason: Option<String>,
    pub rejection_reason: Option<String>,
    /// (status, time) of every change.
    pub history: Vec<(ReferralStatus, i64)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Referral {
    pub id: String,
    /// The case code.
    pub case: String,
    pub status: ReferralStatus,
    pub created_at: i64,
    pub updated_at: i64,
    pub details: ReferralData,
}

/// Everything stored about one case.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseDetail {
    pub id: String,
    pub status: CaseStatus,
    pub created_at: i64,
    pub closed_at: Option<i64>,
    pub entries: Vec<Entry>,
    pub referrals: Vec<Referral>,
    /// The case record it was imported with, if it came from elsewhere (JSON, as received).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub imported: Option<RawJson>,
    /// Records of this case that failed authentication (table/id).
    pub damaged: Vec<String>,
}

/// JSON text as stored: read back without re-parsing (it was valid when written, and its sealed
/// copy is authenticated); written out as JSON, not as a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawJson(String);

impl RawJson {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The value, parsed.
    pub fn parse(&self) -> serde_json::Result<Value> {
        serde_json::from_str(&self.0)
    }
}

impl Serialize for RawJson {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let raw: &RawValue = serde_json::from_str(&self.0).map_err(serde::ser::Error::custom)?;
        raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        Box::<RawValue>::deserialize(d).map(|r| RawJson(r.get().to_string()))
    }
}

/// The scope of a one-off consent: `referral:<service id>` or `handover:<organisation>`.
pub fn consent_scope(purpose: ConsentPurpose, target: &str) -> String {
    format!("{}:{}", purpose.id(), target.trim())
}

/// A new referral.
#[derive(Debug, Clone, PartialEq)]
pub struct NewReferral {
    pub service_id: String,
    pub organisation: String,
    pub service: String,
    pub categories: Vec<String>,
    pub priority: Priority,
    pub reason: String,
    /// Proceed without consent, for this recorded reason (e.g. a threat to life).
    pub override_reason: Option<String>,
}

/// The integrity report of `relais vault check`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckReport {
    pub sqlite_integrity: String,
    pub cases: usize,
    pub entries: usize,
    pub referrals: usize,
    /// Records that failed authentication (table/id).
    pub damaged: Vec<String>,
    pub audit: super::audit::AuditCheck,
    pub ok: bool,
}

const CODE_ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn new_code() -> Result<String> {
    let bytes = crypto::random_bytes::<8>()?;
    let chars: String = bytes
        .iter()
        .map(|b| CODE_ALPHABET[(*b as usize) % 32] as char)
        .collect();
    Ok(format!("RLS-{}-{}", &chars[..4], &chars[4..]))
}

fn limit_text(text: &str, max: usize) -> Result<String> {
    let t = text.trim();
    if t.is_empty() {
        return Err(VaultError::Invalid("the text is empty".into()));
    }
    if t.chars().count() > max {
        return Err(VaultError::Invalid(format!(
            "the text is longer than {max} characters"
        )));
    }
    // Line breaks and tabs are text; any other control character (a terminal escape, NUL) is
    // refused: it could rewrite a worker's screen when printed.
    if t.chars().any(crate::text::is_unsafe_control) {
        return Err(VaultError::Invalid(
            "the text holds control characters (such as terminal escapes): remove them".into(),
        ));
    }
    Ok(t.to_string())
}

/// The longest note, reason or override text accepted.
pub const MAX_TEXT: usize = 4000;

impl Vault {
    /// Creates a case and returns its pseudonymous code (random: it says nothing of the person).
    pub fn create_case(&mut self) -> Result<String> {
        let (id, code) = self.insert_case(None)?;
        self.audit("case.create", &id)?;
        Ok(code)
    }

    /// Brings in a whole case record (JSON, as received from another device) as a new case;
    /// returns its code.
    pub fn import_case(&mut self, record: &RawValue) -> Result<String> {
        let (id, code) = self.insert_case(Some(record))?;
        self.audit("case.import", &id)?;
        Ok(code)
    }

    /// Brings in many case records in one transaction, with one audit entry for the batch; returns
    /// their codes in order. Nothing is imported if any fails. Sealing (compression and encryption)
    /// runs on worker threads while this thread inserts what is already sealed, in order.
    pub fn import_cases(&mut self, records: &[&RawValue]) -> Result<Vec<String>> {
        const CHUNK: usize = 128;
        // The workers get their own copies of the two keys they need (wiped when dropped).
        let (values, index) = (self.keys_values().clone(), self.index_key().clone());
        // As many sealing workers as cores: the inserting thread mostly waits on them.
        let workers = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .clamp(1, 8);
        let chunks: Vec<&[&RawValue]> = records.chunks(CHUNK).collect();
        self.transaction(|v| {
            std::thread::scope(|scope| {
                let (tx, rx) =
                    std::sync::mpsc::sync_channel::<(usize, Result<Vec<SealedCase>>)>(workers * 2);
                for w in 0..workers {
                    let tx = tx.clone();
                    let (values, index, chunks) = (&values, &index, &chunks);
                    scope.spawn(move || {
                        for (n, part) in chunks.iter().enumerate().skip(w).step_by(workers) {
                            let sealed = part.iter().map(|r| seal_case(values, index, r)).collect();
                            if tx.send((n, sealed)).is_err() {
                                return; // the importer stopped on an error
                            }
                        }
                    });
                }
                drop(tx);
                // Insert chunks in order as they arrive; park the ones that come early.
                let mut parked = BTreeMap::new();
                let mut next = 0;
                let mut codes = Vec::with_capacity(records.len());
                while next < chunks.len() {
                    let part = match parked.remove(&next) {
                        Some(p) => p,
                        None => {
                            let (n, sealed) = rx.recv().map_err(|_| {
                                VaultError::Invalid("a sealing thread failed".into())
                            })?;
                            if n != next {
                                parked.insert(n, sealed?);
                                continue;
                            }
                            sealed?
                        }
                    };
                    for (k, case) in part.into_iter().enumerate() {
                        match v.insert_sealed_case(&case) {
                            Ok(()) => codes.push(case.code),
                            // Two random 40-bit codes met: draw again for this record.
                            Err(VaultError::Storage(_)) if v.code_taken(&case.code)? => {
                                codes.push(v.insert_case(Some(chunks[next][k]))?.1);
                            }
                            Err(e) => return Err(e),
                        }
                    }
                    next += 1;
                }
                v.audit("case.import.batch", &codes.len().to_string())?;
                Ok(codes)
            })
        })
    }

    fn code_taken(&self, code: &str) -> Result<bool> {
        Ok(self
            .conn()
            .prepare_cached("SELECT 1 FROM cases WHERE code_index = ?1")?
            .query_row([self.code_index(code)], |_| Ok(true))
            .optional()?
            .unwrap_or(false))
    }

    fn insert_sealed_case(&mut self, case: &SealedCase) -> Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO cases (id, code_index, status, created_at, closed_at, head, data)
                 VALUES (?1, ?2, 'Active', ?3, NULL, ?4, ?5)",
            )?
            .execute(params![case.id, case.index, now(), case.head, case.data])?;
        Ok(())
    }

    /// Inserts a case row under a fresh code; a code already taken (the UNIQUE blind index says so)
    /// is drawn again.
    fn insert_case(&mut self, imported: Option<&RawValue>) -> Result<(String, String)> {
        loop {
            let code = new_code()?;
            let id = new_id()?;
            let head = self.seal_json("cases", &id, "head", &CaseHead { code: code.clone() })?;
            // An imported record is sealed as received (it is valid JSON already).
            let data = imported
                .map(|r| {
                    crypto::seal(
                        self.keys_values(),
                        r.get().as_bytes(),
                        &crypto::aad("cases", &id, "data"),
                    )
                })
                .transpose()?;
            let inserted = self
                .conn()
                .prepare_cached(
                    "INSERT INTO cases (id, code_index, status, created_at, closed_at, head, data)
                     VALUES (?1, ?2, 'Active', ?3, NULL, ?4, ?5)",
                )?
                .execute(params![id, self.code_index(&code), now(), head, data]);
            match inserted {
                Ok(_) => return Ok((id, code)),
                Err(rusqlite::Error::SqliteFailure(e, _))
                    if e.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE => {}
                Err(e) => return Err(e.into()),
            }
        }
    }

    /// The internal id of a case, by code.
    pub(crate) fn case_row(&self, code: &str) -> Result<String> {
        self.conn()
            .prepare_cached("SELECT id FROM cases WHERE code_index = ?1")?
            .query_row([self.code_index(code)], |r| r.get(0))
            .optional()?
            .ok_or(VaultError::NoSuch("case"))
    }

    pub(crate) fn case_code(&self, id: &str, head: &[u8]) -> Result<String> {
        Ok(self.open_json::<CaseHead>("cases", id, "head", head)?.code)
    }

    /// The imported record of a case, as received.
    fn case_imported(&self, id: &str, data: &[u8]) -> Result<RawJson> {
        let plain = self.open_value("cases", id, "data", data)?;
        String::from_utf8(plain.to_vec())
            .map(RawJson)
            .map_err(|_| VaultError::Tampered(format!("cases/{id}")))
    }

    /// Every case, newest first. A case whose record fails authentication is listed as damaged.
    pub fn list_cases(&self) -> Result<Vec<CaseSummary>> {
        let mut stmt = self.conn().prepare(
            "SELECT c.id, c.status, c.created_at, c.closed_at, c.head,
                    (SELECT COUNT(*) FROM entries e WHERE e.case_id = c.id),
                    (SELECT COUNT(*) FROM referrals r WHERE r.case_id = c.id)
             FROM cases c ORDER BY c.created_at DESC, c.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Option<i64>>(3)?,
                r.get::<_, Vec<u8>>(4)?,
                r.get::<_, u32>(5)?,
                r.get::<_, u32>(6)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (id, status, created_at, closed_at, data, entries, referrals) = row?;
            let code = self.case_code(&id, &data).ok();
            out.push(CaseSummary {
                damaged: code.is_none(),
                id: code,
                status: CaseStatus::parse(&status)?,
                created_at,
                closed_at,
                entries,
                referrals,
                last_outcome: if entries > 0 {
                    self.last_outcome(&id)
                } else {
                    None
                },
            });
        }
        Ok(out)
    }

    fn last_outcome(&self, case_id: &str) -> Option<String> {
        let (id, data): (String, Vec<u8>) = self
            .conn()
            .prepare_cached(
                "SELECT id, data FROM entries WHERE case_id = ?1 AND kind = 'screening'
                 ORDER BY created_at DESC, rowid DESC LIMIT 1",
            )
            .ok()?
            .query_row([case_id], |r| Ok((r.get(0)?, r.get(1)?)))
            .ok()?;
        let content: Value = self.open_json("entries", &id, "data", &data).ok()?;
        content["result"]["outcome"].as_str().map(str::to_string)
    }

    /// Everything stored about a case, notes included.
    pub fn case(&self, code: &str) -> Result<CaseDetail> {
        type Row = (String, String, i64, Option<i64>, Vec<u8>, Option<Vec<u8>>);
        let (id, status, created_at, closed_at, head, data): Row = self
            .conn()
            .prepare_cached(
                "SELECT id, status, created_at, closed_at, head, data FROM cases
                 WHERE code_index = ?1",
            )?
            .query_row([self.code_index(code)], |r| {
                Ok((
                    r.get(0)?,
                    r.get(1)?,
                    r.get(2)?,
                    r.get(3)?,
                    r.get(4)?,
                    r.get(5)?,
                ))
            })
            .optional()?
            .ok_or(VaultError::NoSuch("case"))?;
        let mut damaged = Vec::new();
        let code = match self.case_code(&id, &head) {
            Ok(c) => c,
            Err(_) => {
                damaged.push(format!("cases/{id}"));
                code.to_string()
            }
        };
        let imported = match data.map(|d| self.case_imported(&id, &d)) {
            None => None,
            Some(Ok(r)) => Some(r),
            Some(Err(_)) => {
                damaged.push(format!("cases/{id}#data"));
                None
            }
        };
        let mut entries = Vec::new();
        // Sorted here rather than by SQL: the index already yields the rows of one case, and an
        // ORDER BY makes this SQLite set up a sorter on every call (measured: +8 µs per case read).
        let mut stmt = self.conn().prepare_cached(
            "SELECT id, kind, created_at, data, rowid FROM entries WHERE case_id = ?1",
        )?;
        let mut rows = stmt
            .query_map([&id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, Vec<u8>>(3)?,
                    r.get::<_, i64>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.sort_by_key(|row| (row.2, row.4));
        for (eid, kind, at, data, _) in rows {
            let kind = match kind.as_str() {
                "screening" => EntryKind::Screening,
                "assessment" => EntryKind::Assessment,
                "consent" => EntryKind::Consent,
                "custody" => EntryKind::Custody,
                _ => EntryKind::Note,
            };
            match self.open_json::<Value>("entries", &eid, "data", &data) {
                Ok(content) => entries.push(Entry {
                    id: eid,
                    kind,
                    created_at: at,
                    content,
                }),
                Err(_) => damaged.push(format!("entries/{eid}")),
            }
        }
        let (referrals, bad) = self.referrals_of(Some(&id), &code)?;
        damaged.extend(bad);
        Ok(CaseDetail {
            id: code,
            status: CaseStatus::parse(&status)?,
            created_at,
            closed_at,
            entries,
            referrals,
            imported,
            damaged,
        })
    }

    pub(crate) fn add_entry(
        &mut self,
        code: &str,
        kind: EntryKind,
        content: &Value,
    ) -> Result<String> {
        self.add_entry_at(code, kind, now(), content)
    }

    /// Adds an entry dated `created_at` (an entry received with a case keeps its date).
    pub(crate) fn add_entry_at(
        &mut self,
        code: &str,
        kind: EntryKind,
        created_at: i64,
        content: &Value,
    ) -> Result<String> {
        let case_id = self.case_row(code)?;
        let id = new_id()?;
        let data = self.seal_json("entries", &id, "data", content)?;
        self.conn().execute(
            "INSERT INTO entries (id, case_id, kind, created_at, data) VALUES (?1, ?2, ?3, ?4, ?5)",
            params![id, case_id, kind.id(), created_at, data],
        )?;
        self.audit(&format!("{}.add", kind.id()), &id)?;
        Ok(id)
    }

    /// Adds a note to a case.
    pub fn add_note(&mut self, code: &str, text: &str) -> Result<String> {
        let text = limit_text(text, MAX_TEXT)?;
        self.add_entry(code, EntryKind::Note, &serde_json::json!({ "text": text }))
    }

    /// Saves a finished form (its answers and its result) into a case: a screening for the quick
    /// check and the interview, an assessment for needs and risk, a consent record for consent.
    pub fn save_result(
        &mut self,
        code: &str,
        draft: &Draft,
        result: &FormResult,
    ) -> Result<String> {
        let kind = match forms::get_version(&draft.form, draft.form_version).map(|f| f.kind) {
            Some(FormKind::QuickCheck | FormKind::Interview) => EntryKind::Screening,
            Some(FormKind::Needs | FormKind::Risk) => EntryKind::Assessment,
            Some(FormKind::Consent) => EntryKind::Consent,
            None => {
                return Err(VaultError::Invalid(format!(
                    "unknown form '{}'",
                    draft.form
                )));
            }
        };
        let content = serde_json::json!({
            "form": draft.form,
            "form_version": draft.form_version,
            "language": draft.language,
            "scope": "case",
            "answers": draft,
            "result": result,
        });
        self.add_entry(code, kind, &content)
    }

    /// Records the person's consent to one referral or one handover, given now. `scope` is what
    /// it is for, from [`consent_scope`].
    pub fn record_consent(
        &mut self,
        code: &str,
        purpose: ConsentPurpose,
        scope: &str,
    ) -> Result<String> {
        let content = serde_json::json!({
            "form": null,
            "scope": scope,
            "result": {"agreed": [purpose], "valid_for_interview": true},
        });
        self.add_entry(code, EntryKind::Consent, &content)
    }

    /// The consent entry allowing `purpose` for `scope` (or for the whole case), newest first.
    pub(crate) fn consent_for(
        &self,
        case: &CaseDetail,
        purpose: ConsentPurpose,
        scope: &str,
        case_scope_counts: bool,
    ) -> Option<String> {
        let purpose = serde_json::to_value(purpose).ok()?;
        case.entries
            .iter()
            .rev()
            .filter(|e| e.kind == EntryKind::Consent)
            .find(|e| {
                let c = &e.content;
                let in_scope = (case_scope_counts && c["scope"] == "case") || c["scope"] == scope;
                let agreed = c["result"]["agreed"]
                    .as_array()
                    .is_some_and(|a| a.contains(&purpose));
                in_scope && agreed && c["result"]["valid_for_interview"] == true
            })
            .map(|e| e.id.clone())
    }

    /// Changes a case's status.
    pub fn set_case_status(&mut self, code: &str, status: CaseStatus) -> Result<()> {
        let id = self.case_row(code)?;
        let closed_at = status.is_closed().then(now);
        self.conn().execute(
            "UPDATE cases SET status = ?1, closed_at = ?2 WHERE id = ?3",
            params![status.id(), closed_at, id],
        )?;
        self.audit(&format!("case.status.{}", status.id()), &id)
    }

    /// Deletes a case and everything attached to it (the audit log keeps that it happened).
    pub fn delete_case(&mut self, code: &str) -> Result<()> {
        let id = self.case_row(code)?;
        self.conn()
            .execute("DELETE FROM cases WHERE id = ?1", [&id])?;
        self.audit("case.delete", &id)
    }

    /// Creates a referral in draft, if the person consented to referral (for this service or for
    /// the case) or an override is given with its reason.
    pub fn create_referral(&mut self, code: &str, new: NewReferral) -> Result<String> {
        let case = self.case(code)?;
        let case_id = self.case_row(code)?;
        let scope = consent_scope(ConsentPurpose::Referral, &new.service_id);
        let consent_entry = self.consent_for(&case, ConsentPurpose::Referral, &scope, true);
        let override_reason = match (&consent_entry, &new.override_reason) {
            (Some(_), _) => None,
            (None, Some(reason)) => Some(limit_text(reason, MAX_TEXT)?),
            (None, None) => return Err(VaultError::ConsentRequired),
        };
        // What travels: with consent, the screening summary and needs; on an override, only what
        // the service needs to act (needs and priority).
        let fields: &[&str] = if consent_entry.is_some() {
            &[
                "case.code",
                "screening.outcome",
                "screening.red_flags",
                "needs",
                "priority",
                "reason",
            ]
        } else {
            &["case.code", "needs", "priority", "reason"]
        };
        let fields: Vec<String> = fields.iter().map(|s| (*s).to_string()).collect();
        let id = new_id()?;
        let at = now();
        let data = ReferralData {
            service_id: new.service_id,
            organisation: new.organisation,
            service: new.service,
            categories: new.categories,
            priority: new.priority,
            reason: limit_text(&new.reason, MAX_TEXT)?,
            fields,
            consent_entry,
            override_reason: override_reason.clone(),
            rejection_reason: None,
            history: vec![(ReferralStatus::Draft, at)],
        };
        let sealed = self.seal_json("referrals", &id, "data", &data)?;
        self.conn().execute(
            "INSERT INTO referrals (id, case_id, status, created_at, updated_at, data)
             VALUES (?1, ?2, 'draft', ?3, ?3, ?4)",
            params![id, case_id, at, sealed],
        )?;
        self.audit(
            if override_reason.is_some() {
                "referral.create.override"
            } else {
                "referral.create"
            },
            &id,
        )?;
        Ok(id)
    }

    /// Moves a referral along its lifecycle; a rejection needs its reason.
    pub fn set_referral_status(
        &mut self,
        referral_id: &str,
        status: ReferralStatus,
        reason: Option<&str>,
    ) -> Result<()> {
        let (current, sealed): (String, Vec<u8>) = self
            .conn()
            .query_row(
                "SELECT status, data FROM referrals WHERE id = ?1",
                [referral_id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?
            .ok_or(VaultError::NoSuch("referral"))?;
        let current = ReferralStatus::parse(&current)?;
        if !current.can_become(status) {
            return Err(VaultError::Invalid(format!(
                "a {} referral cannot become {}",
                current.id(),
                status.id()
            )));
        }
        let mut data: ReferralData = self.open_json("referrals", referral_id, "data", &sealed)?;
        if status == ReferralStatus::Rejected {
            let reason =
                reason.ok_or_else(|| VaultError::Invalid("a rejection needs its reason".into()))?;
            data.rejection_reason = Some(limit_text(reason, MAX_TEXT)?);
        }
        let at = now();
        data.history.push((status, at));
        let sealed = self.seal_json("referrals", referral_id, "data", &data)?;
        self.conn().execute(
            "UPDATE referrals SET status = ?1, updated_at = ?2, data = ?3 WHERE id = ?4",
            params![status.id(), at, sealed, referral_id],
        )?;
        self.audit(&format!("referral.{}", status.id()), referral_id)
    }

    fn referrals_of(
        &self,
        case_id: Option<&str>,
        code: &str,
    ) -> Result<(Vec<Referral>, Vec<String>)> {
        // One case: its code is known. All: each referral with its case's head. Sorted below, not
        // by SQL (see `case`).
        let sql = if case_id.is_some() {
            "SELECT id, status, created_at, updated_at, data, case_id, NULL, rowid FROM referrals
             WHERE case_id = ?1"
        } else {
            "SELECT r.id, r.status, r.created_at, r.updated_at, r.data, r.case_id, c.head, r.rowid
             FROM referrals r JOIN cases c ON c.id = r.case_id WHERE ?1 IS NULL"
        };
        let mut stmt = self.conn().prepare_cached(sql)?;
        let mut rows = stmt
            .query_map([case_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, i64>(2)?,
                    r.get::<_, i64>(3)?,
                    r.get::<_, Vec<u8>>(4)?,
                    r.get::<_, String>(5)?,
                    r.get::<_, Option<Vec<u8>>>(6)?,
                    r.get::<_, i64>(7)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.sort_by_key(|row| (row.2, row.7));
        let mut out = Vec::new();
        let mut damaged = Vec::new();
        for (id, status, created_at, updated_at, data, cid, cdata, _) in rows {
            let case = match cdata {
                Some(head) => self.case_code(&cid, &head).unwrap_or_default(),
                None => code.to_string(),
            };
            match self.open_json::<ReferralData>("referrals", &id, "data", &data) {
                Ok(details) => out.push(Referral {
                    id,
                    case,
                    status: ReferralStatus::parse(&status)?,
                    created_at,
                    updated_at,
                    details,
                }),
                Err(_) => damaged.push(format!("referrals/{id}")),
            }
        }
        Ok((out, damaged))
    }

    /// Every referral, oldest first, and the ids of damaged ones.
    pub fn referrals(&self) -> Result<(Vec<Referral>, Vec<String>)> {
        self.referrals_of(None, "")
    }

    /// Purges closed cases closed before `cutoff`, keeping anonymised counts. Returns how many.
    pub fn purge_closed_before(&mut self, cutoff: i64) -> Result<usize> {
        let ids: Vec<String> = {
            let mut stmt = self.conn().prepare(
                "SELECT id FROM cases WHERE status IN ('Closed', 'ClosedReferred')
                 AND closed_at IS NOT NULL AND closed_at < ?1",
            )?;
            let rows = stmt.query_map([cutoff], |r| r.get(0))?;
            rows.collect::<rusqlite::Result<_>>()?
        };
        for id in &ids {
            let counts = self.anonymised_counts_of(id);
            for key in counts {
                let current: i64 = super::meta_get(self.conn(), &format!("archive:{key}"))?
                    .and_then(|v| String::from_utf8(v).ok())
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(0);
                super::meta_set(
                    self.conn(),
                    &format!("archive:{key}"),
                    (current + 1).to_string().as_bytes(),
                )?;
            }
            self.conn()
                .execute("DELETE FROM cases WHERE id = ?1", [id])?;
            self.audit("case.purge", id)?;
        }
        Ok(ids.len())
    }

    /// The anonymised statistic keys a case counts in (`dimension=value`).
    pub(crate) fn anonymised_counts_of(&self, case_id: &str) -> Vec<String> {
        let mut keys = vec!["cases=all".to_string()];
        let status: Option<String> = self
            .conn()
            .query_row("SELECT status FROM cases WHERE id = ?1", [case_id], |r| {
                r.get(0)
            })
            .ok();
        if let Some(s) = status {
            keys.push(format!("status={s}"));
        }
        if let Some(outcome) = self.last_outcome(case_id) {
            keys.push(format!("outcome={outcome}"));
        }
        keys
    }

    /// Counts kept from purged cases.
    pub fn archived_counts(&self) -> Result<BTreeMap<String, i64>> {
        let mut stmt = self
            .conn()
            .prepare("SELECT key, value FROM meta WHERE key LIKE 'archive:%'")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        let mut out = BTreeMap::new();
        for row in rows {
            let (k, v) = row?;
            let n = String::from_utf8(v)
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(0);
            out.insert(k.trim_start_matches("archive:").to_string(), n);
        }
        Ok(out)
    }

    /// Checks the whole vault: SQLite's own integrity check, every sealed value, the audit chain.
    pub fn check(&self) -> Result<CheckReport> {
        let sqlite_integrity: String =
            self.conn()
                .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        let mut damaged = Vec::new();
        let mut counts = [0usize; 3];
        let sealed_columns = [
            ("cases", "head"),
            ("entries", "data"),
            ("referrals", "data"),
        ];
        for (i, (table, column)) in sealed_columns.iter().enumerate() {
            let mut stmt = self
                .conn()
                .prepare(&format!("SELECT id, {column} FROM {table}"))?;
            let rows = stmt.query_map([], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
            })?;
            for row in rows {
                let (id, sealed) = row?;
                counts[i] += 1;
                if self.open_value(table, &id, column, &sealed).is_err() {
                    damaged.push(format!("{table}/{id}"));
                }
            }
        }
        let mut stmt = self
            .conn()
            .prepare("SELECT id, data FROM cases WHERE data IS NOT NULL")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        for row in rows {
            let (id, sealed) = row?;
            if self.case_imported(&id, &sealed).is_err() {
                damaged.push(format!("cases/{id}#data"));
            }
        }
        // The sealed settings and keys in `meta`, each under its own associated data.
        for (key, column) in [
            ("identity", "ed25519"),
            ("draft", "value"),
            ("coordinator", "value"),
            ("directory", "value"),
            ("pinned_receivers", "value"),
            ("coordinator_signing", "value"),
        ] {
            if let Some(sealed) = super::meta_get(self.conn(), key)?
                && self.open_value("meta", key, column, &sealed).is_err()
            {
                damaged.push(format!("meta/{key}"));
            }
        }
        if damaged.iter().all(|d| d != "meta/directory") && self.signed_directory().is_err() {
            damaged.push("meta/directory#signature".into());
        }
        // Receive sessions: the secret of an open one, or what a used one opened.
        let mut stmt = self
            .conn()
            .prepare("SELECT id, data FROM handover_sessions WHERE data IS NOT NULL")?;
        let rows = stmt.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, Vec<u8>>(1)?))
        })?;
        for row in rows {
            let (id, sealed) = row?;
            if self
                .open_value("handover_sessions", &id, "data", &sealed)
                .is_err()
            {
                damaged.push(format!("handover_sessions/{id}"));
            }
        }
        let audit = self.verify_audit()?;
        let ok = sqlite_integrity == "ok" && damaged.is_empty() && audit.broken.is_empty();
        Ok(CheckReport {
            sqlite_integrity,
            cases: counts[0],
            entries: counts[1],
            referrals: counts[2],
            damaged,
            audit,
            ok,
        })
    }
}
