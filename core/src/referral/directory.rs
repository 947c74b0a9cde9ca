//! The service directory: organisations, the IASC service categories they offer, where, in which
//! languages, when, and whether they take children. Loaded from CSV (what a coordinator keeps in a
//! spreadsheet) or JSON, with an error per bad row rather than a failed import.

use std::collections::HashSet;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::effects::Need;
use crate::i18n;
use crate::lang::Lang;

/// Service categories, after the IASC inter-agency referral form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceCategory {
    Health,
    Psychosocial,
    Safety,
    Shelter,
    Legal,
    Documentation,
    FamilyTracing,
    ChildProtection,
    BasicNeeds,
    Livelihood,
    Education,
    Interpretation,
    CaseManagement,
    /// The competent authority of the national referral mechanism that formally identifies
    /// victims of trafficking.
    Identification,
    /// The police unit specialised in trafficking (investigation, protection of witnesses).
    AntiTraffickingPolice,
    LabourInspection,
    /// Services for survivors of gender-based violence.
    Gbv,
    /// Assistance to migrants, including voluntary return.
    MigrantAssistance,
}

impl ServiceCategory {
    pub const ALL: &'static [ServiceCategory] = &[
        ServiceCategory::Health,
        ServiceCategory::Psychosocial,
        ServiceCategory::Safety,
        ServiceCategory::Shelter,
        ServiceCategory::Legal,
        ServiceCategory::Documentation,
        ServiceCategory::FamilyTracing,
        ServiceCategory::ChildProtection,
        ServiceCategory::BasicNeeds,
        ServiceCategory::Livelihood,
        ServiceCategory::Education,
        ServiceCategory::Interpretation,
        ServiceCategory::CaseManagement,
        ServiceCategory::Identification,
        ServiceCategory::AntiTraffickingPolice,
        ServiceCategory::LabourInspection,
        ServiceCategory::Gbv,
        ServiceCategory::MigrantAssistance,
    ];

    pub fn id(self) -> &'static str {
        match self {
            ServiceCategory::Health => "health",
            ServiceCategory::Psychosocial => "psychosocial",
            ServiceCategory::Safety => "safety",
            ServiceCategory::Shelter => "shelter",
            ServiceCategory::Legal => "legal",
            ServiceCategory::Documentation => "documentation",
            ServiceCategory::FamilyTracing => "family_tracing",
            ServiceCategory::ChildProtection => "child_protection",
            ServiceCategory::BasicNeeds => "basic_needs",
            ServiceCategory::Livelihood => "livelihood",
            ServiceCategory::Education => "education",
            ServiceCategory::Interpretation => "interpretation",
            ServiceCategory::CaseManagement => "case_management",
            ServiceCategory::Identification => "identification",
            ServiceCategory::AntiTraffickingPolice => "anti_trafficking_police",
            ServiceCategory::LabourInspection => "labour_inspection",
            ServiceCategory::Gbv => "gbv",
            ServiceCategory::MigrantAssistance => "migrant_assistance",
        }
    }

    pub fn label(self, lang: Lang) -> String {
        i18n::t(lang, &format!("service.{}", self.id()))
    }

    /// The category that serves a need.
    pub fn for_need(need: Need) -> ServiceCategory {
        match need {
            Need::Safety => ServiceCategory::Safety,
            Need::Medical => ServiceCategory::Health,
            Need::Shelter => ServiceCategory::Shelter,
            Need::Psychosocial => ServiceCategory::Psychosocial,
            Need::Legal => ServiceCategory::Legal,
            Need::Documents => ServiceCategory::Documentation,
            Need::FamilyContact => ServiceCategory::FamilyTracing,
            Need::Interpretation => ServiceCategory::Interpretation,
            Need::BasicNeeds => ServiceCategory::BasicNeeds,
        }
    }
}

impl fmt::Display for ServiceCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

impl FromStr for ServiceCategory {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let wanted = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        ServiceCategory::ALL
            .iter()
            .copied()
            .find(|c| c.id() == wanted)
            .ok_or_else(|| {
                let ids: Vec<&str> = ServiceCategory::ALL.iter().map(|c| c.id()).collect();
                format!(
                    "unknown service category '{}': use one of {}",
                    s.chars().take(40).collect::<String>(),
                    ids.join(", ")
                )
            })
    }
}

/// One service of one organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Service {
    pub id: String,
    pub organisation: String,
    /// What the service is called (e.g. "Medical clinic").
    pub service: String,
    pub categories: Vec<ServiceCategory>,
    /// A path from the largest area to the smallest, `/`-separated: `Kwilu/Kikwit`.
    pub area: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub phone: String,
    #[serde(default)]
    pub email: String,
    /// Language codes spoken (ISO 639: fr, ln, kg, sw, en…).
    pub languages: Vec<String>,
    #[serde(default)]
    pub hours: String,
    pub takes_children: bool,
    #[serde(default)]
    pub available_24h: bool,
    #[serde(default)]
    pub notes: String,
}

/// A directory file: a name, whether it is fictitious (demo and training data), and the services;
/// from schema 2 (signed by the NRM coordinator, docs/directory.md), also the organisations allowed
/// to receive cases, with their identity keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    pub format: String,
    pub schema: u32,
    pub name: String,
    /// Demo or training data: every UI must say so.
    pub fictitious: bool,
    pub services: Vec<Service>,
    /// Grows with every signed issue (schema 2).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub version: u64,
    #[serde(default, skip_serializing_if = "is_zero_i64")]
    pub issued_at: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coordinator: Option<Coordinator>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organisations: Vec<ListedOrganisation>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

fn is_zero_i64(n: &i64) -> bool {
    *n == 0
}

/// Who signs the directory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Coordinator {
    pub name: String,
    /// Ed25519 public key, 64 hex digits.
    pub key: String,
}

/// An organisation allowed to receive cases by handover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListedOrganisation {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub area: String,
    /// Its devices' handover identity (Ed25519 public key), 64 hex digits.
    pub identity: String,
    /// Unix seconds.
    pub valid_from: i64,
    pub valid_until: i64,
}

pub const DIRECTORY_FORMAT: &str = "relais.directory";
/// Schema 1: services only (unsigned); schema 2: signed, with organisations.
pub const DIRECTORY_SCHEMA: u32 = 2;

/// A row (CSV line or JSON array index, 1-based) that could not be imported, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub row: usize,
    pub message: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}: {}", self.row, self.message)
    }
}

/// What an import produced: the good rows, and an error for each bad one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoadReport {
    pub directory: Directory,
    pub errors: Vec<RowError>,
}

/// Why a whole file could not be read (as opposed to a bad row).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DirectoryError {
    #[error("the directory file is not valid CSV: {0}")]
    Csv(String),
    #[error("the directory file is not valid JSON: {0}")]
    Json(String),
    #[error("the CSV header lacks the column '{0}'")]
    MissingColumn(&'static str),
    #[error(
        "not a Relais directory (format must be \"{DIRECTORY_FORMAT}\", schema 1 or {DIRECTORY_SCHEMA})"
    )]
    NotADirectory,
}

/// The CSV columns, in the order the sample file uses. `address`, `phone`, `email`, `hours`,
/// `available_24h` and `notes` may be left empty or omitted.
pub const CSV_COLUMNS: &[&str] = &[
    "id",
    "organisation",
    "service",
    "categories",
    "area",
    "address",
    "phone",
    "email",
    "languages",
    "hours",
    "takes_children",
    "available_24h",
    "notes",
];
const REQUIRED_COLUMNS: &[&str] = &[
    "id",
    "organisation",
    "service",
    "categories",
    "area",
    "languages",
    "takes_children",
];

fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_lowercase().as_str() {
        "yes" | "y" | "true" | "1" | "oui" | "o" | "si" | "sí" | "x" => Some(true),
        "no" | "n" | "false" | "0" | "non" | "" => Some(false),
        _ => None,
    }
}

fn split_list(s: &str) -> Vec<String> {
    s.split([';', ','])
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect()
}

/// Checks one service; the message says which field is wrong.
fn check_service(s: &Service) -> Result<(), String> {
    let texts = [
        &s.organisation,
        &s.service,
        &s.area,
        &s.address,
        &s.phone,
        &s.email,
        &s.hours,
        &s.notes,
    ];
    if texts.iter().any(|t| t.chars().any(char::is_control)) {
        return Err("a field holds control characters (such as terminal escapes)".into());
    }
    let is_id = |id: &str| {
        !id.is_empty()
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    };
    if !is_id(&s.id) {
        return Err("'id' must be letters, digits, '-' or '_'".into());
    }
    if s.organisation.trim().is_empty() {
        return Err("'organisation' is empty".into());
    }
    if s.service.trim().is_empty() {
        return Err("'service' is empty".into());
    }
    if s.categories.is_empty() {
        return Err("'categories' is empty".into());
    }
    if s.area.split('/').any(|p| p.trim().is_empty()) {
        return Err("'area' must be a path like Kwilu/Kikwit".into());
    }
    if s.languages.is_empty() {
        return Err("'languages' is empty".into());
    }
    for code in &s.languages {
        let ok = (2..=3).contains(&code.len()) && code.chars().all(|c| c.is_ascii_lowercase());
        if !ok {
            return Err(format!(
                "'languages' has '{}', not a 2- or 3-letter code",
                code.chars().take(12).collect::<String>()
            ));
        }
    }
    if s.phone.trim().is_empty() && s.email.trim().is_empty() && s.address.trim().is_empty() {
        return Err("no way to reach the service: give a phone, an email or an address".into());
    }
    Ok(())
}

fn finish(
    mut directory: Directory,
    mut errors: Vec<RowError>,
    rows: Vec<(usize, Service)>,
) -> LoadReport {
    let mut seen = HashSet::new();
    for (row, service) in rows {
        if let Err(message) = check_service(&service) {
            errors.push(RowError { row, message });
        } else if !seen.insert(service.id.clone()) {
            errors.push(RowError {
                row,
                message: format!("duplicate id '{}'", service.id),
            });
        } else {
            directory.services.push(service);
        }
    }
    errors.sort_by_key(|e| e.row);
    LoadReport { directory, errors }
}

impl Directory {
    /// Reads a directory from CSV. `name` and `fictitious` describe the file (CSV has no header
    /// for them); a `#` comment line that says FICTITIOUS (or FICTIF, FICTICIO) marks the file as
    /// fictitious too, so that demo data stays marked wherever it is loaded from. Rows are numbered
    /// as lines of the file (the header is line 1).
    pub fn from_csv(
        data: &str,
        name: &str,
        fictitious: bool,
    ) -> Result<LoadReport, DirectoryError> {
        let marked = data.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with('#') && {
                let upper = l.to_uppercase();
                ["FICTITIOUS", "FICTIF", "FICTICIO"]
                    .iter()
                    .any(|w| upper.contains(w))
            }
        });
        let fictitious = fictitious || marked;
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .flexible(true)
            .comment(Some(b'#'))
            .from_reader(data.as_bytes());
        let headers = reader
            .headers()
            .map_err(|e| DirectoryError::Csv(e.to_string()))?
            .clone();
        let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
        for required in REQUIRED_COLUMNS {
            if column(required).is_none() {
                return Err(DirectoryError::MissingColumn(required));
            }
        }
        let directory = Directory {
            format: DIRECTORY_FORMAT.into(),
            schema: 1,
            name: name.to_string(),
            fictitious,
            ..Directory::default()
        };
        let mut errors = Vec::new();
        let mut rows = Vec::new();
        for record in reader.records() {
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    let row = e.position().map_or(0, |p| p.line() as usize);
                    errors.push(RowError {
                        row,
                        message: "unreadable CSV row".into(),
                    });
                    continue;
                }
            };
            let row = record.position().map_or(0, |p| p.line() as usize);
            let field = |name: &str| {
                column(name)
                    .and_then(|i| record.get(i))
                    .unwrap_or("")
                    .to_string()
            };
            let categories: Result<Vec<ServiceCategory>, String> = split_list(&field("categories"))
                .iter()
                .map(|c| c.parse())
                .collect();
            let categories = match categories {
                Ok(c) => c,
                Err(message) => {
                    errors.push(RowError { row, message });
                    continue;
                }
            };
            let mut flags = [false; 2];
            let mut bad = None;
            for (i, name) in ["takes_children", "available_24h"].iter().enumerate() {
                match parse_bool(&field(name)) {
                    Some(b) => flags[i] = b,
                    None => bad = Some(format!("'{name}' must be yes or no")),
                }
            }
            if let Some(message) = bad {
                errors.push(RowError { row, message });
                continue;
            }
            rows.push((
                row,
                Service {
                    id: field("id"),
                    organisation: field("organisation"),
                    service: field("service"),
                    categories,
                    area: field("area"),
                    address: field("address"),
                    phone: field("phone"),
                    email: field("email"),
                    languages: split_list(&field("languages"))
                        .into_iter()
                        .map(|l| l.to_lowercase())
                        .collect(),
                    hours: field("hours"),
                    takes_children: flags[0],
                    available_24h: flags[1],
                    notes: field("notes"),
                },
            ));
        }
        Ok(finish(directory, errors, rows))
    }

    /// Reads a directory from its JSON format. Each element of `services` is checked on its own,
    /// so one bad entry does not lose the others.
    pub fn from_json(data: &str) -> Result<LoadReport, DirectoryError> {
        let value: serde_json::Value =
            serde_json::from_str(data).map_err(|e| DirectoryError::Json(e.to_string()))?;
        Directory::from_value(value)
    }

    /// Reads a directory from its JSON value (see [`Directory::from_json`]).
    pub fn from_value(value: serde_json::Value) -> Result<LoadReport, DirectoryError> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Envelope {
            format: String,
            schema: u32,
            name: String,
            #[serde(default)]
            fictitious: bool,
            services: Vec<serde_json::Value>,
            #[serde(default)]
            version: u64,
            #[serde(default)]
            issued_at: i64,
            #[serde(default)]
            coordinator: Option<Coordinator>,
            #[serde(default)]
            organisations: Vec<ListedOrganisation>,
        }
        let env: Envelope =
            serde_json::from_value(value).map_err(|e| DirectoryError::Json(e.to_string()))?;
        if env.format != DIRECTORY_FORMAT || !(1..=DIRECTORY_SCHEMA).contains(&env.schema) {
            return Err(DirectoryError::NotADirectory);
        }
        let directory = Directory {
            format: env.format,
            schema: env.schema,
            name: env.name,
            fictitious: env.fictitious,
            services: Vec::new(),
            version: env.version,
            issued_at: env.issued_at,
            coordinator: env.coordinator,
            organisations: env.organisations,
        };
        let mut errors = Vec::new();
        let mut rows = Vec::new();
        for (i, value) in env.services.into_iter().enumerate() {
            match serde_json::from_value::<Service>(value) {
                Ok(s) => rows.push((i + 1, s)),
                Err(e) => errors.push(RowError {
                    row: i + 1,
                    message: e.to_string(),
                }),
            }
        }
        Ok(finish(directory, errors, rows))
    }

    /// Reads CSV or JSON, by the first non-blank character.
    pub fn load(data: &str, name: &str) -> Result<LoadReport, DirectoryError> {
        if data.trim_start().starts_with('{') {
            Directory::from_json(data)
        } else {
            Directory::from_csv(data, name, false)
        }
    }

    pub fn to_json_pretty(&self) -> String {
        // Plain strings, bools and enums: serialisation cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The fictitious Kwilu (DRC) sample directory shipped for demos and training: the signed
    /// sample (`directory-kwilu-sample.signed.json`, checked against its fictitious coordinator).
    pub fn sample_kwilu() -> &'static Directory {
        &super::signed::sample().directory
    }

    /// The services of the sample's source spreadsheet, unsigned (the signed sample is built
    /// from it).
    pub fn sample_kwilu_source() -> Result<LoadReport, DirectoryError> {
        Directory::from_csv(
            include_str!("../../data/directory-kwilu-sample.csv"),
            "Kwilu (RDC) — annuaire fictif de démonstration",
            true,
        )
    }

    /// The listed organisation whose identity key this is, if valid at `now`.
    pub fn listed(&self, identity: &[u8; 32], now: i64) -> Option<&ListedOrganisation> {
        let hex = crate::handover::wire::hex(identity);
        self.organisations.iter().find(|o| {
            o.identity.eq_ignore_ascii_case(&hex) && o.valid_from <= now && now <= o.valid_until
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sample_loads_cleanly_and_matches_its_json_twin() {
        let report = Directory::from_csv(
            include_str!("../../data/directory-kwilu-sample.csv"),
            "Kwilu (RDC) — annuaire fictif de démonstration",
            true,
        )
        .unwrap();
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert!(report.directory.services.len() >= 10);
        let json =
            Directory::from_json(include_str!("../../data/directory-kwilu-sample.json")).unwrap();
        assert!(json.errors.is_empty(), "{:?}", json.errors);
        assert_eq!(json.directory, report.directory);
        assert!(report.directory.fictitious);
        for s in &report.directory.services {
            assert!(
                s.organisation.contains("FICTI"),
                "{} not marked fictitious",
                s.id
            );
        }
    }

    #[test]
    fn bad_rows_are_reported_and_good_rows_kept() {
        let csv = "id,organisation,service,categories,area,phone,languages,takes_children\n\
                   a1,Org A,Clinic,health,Kwilu/Kikwit,+243 000,fr;ln,yes\n\
                   a2,Org B,Clinic,medic,Kwilu/Kikwit,+243 000,fr,yes\n\
                   a3,,Clinic,health,Kwilu/Kikwit,+243 000,fr,yes\n\
                   a4,Org D,Clinic,health,Kwilu/Kikwit,+243 000,fr,maybe\n\
                   a1,Org E,Clinic,health,Kwilu/Kikwit,+243 000,fr,no\n\
                   a6,Org F,Clinic,health,Kwilu//Kikwit,+243 000,fr,no\n\
                   a7,Org G,Clinic,health,Kwilu,,fr,no\n\
                   a8,Org H,Clinic,legal,Kwilu,+243,French,no\n";
        let report = Directory::from_csv(csv, "t", false).unwrap();
        assert_eq!(report.directory.services.len(), 1);
        let rows: Vec<(usize, &str)> = report
            .errors
            .iter()
            .map(|e| (e.row, e.message.as_str()))
            .collect();
        assert_eq!(rows.len(), 7, "{rows:?}");
        assert!(rows[0].0 == 3 && rows[0].1.contains("unknown service category 'medic'"));
        assert!(rows[1].0 == 4 && rows[1].1.contains("organisation"));
        assert!(rows[2].0 == 5 && rows[2].1.contains("takes_children"));
        assert!(rows[3].0 == 6 && rows[3].1.contains("duplicate id"));
        assert!(rows[4].0 == 7 && rows[4].1.contains("area"));
        assert!(rows[5].0 == 8 && rows[5].1.contains("reach"));
        assert!(rows[6].0 == 9 && rows[6].1.contains("language"));
    }

    #[test]
    fn a_comment_marks_a_csv_file_fictitious() {
        let csv = "# FICTITIOUS demo data\nid,organisation,service,categories,area,phone,languages,takes_children\n\
                   a1,Org,Clinic,health,Kwilu,+243 1,fr,yes\n";
        assert!(
            Directory::from_csv(csv, "t", false)
                .unwrap()
                .directory
                .fictitious
        );
        let plain = csv.replace("# FICTITIOUS demo data\n", "");
        assert!(
            !Directory::from_csv(&plain, "t", false)
                .unwrap()
                .directory
                .fictitious
        );
    }

    #[test]
    fn whole_file_errors() {
        assert_eq!(
            Directory::from_csv("id,organisation\n1,x\n", "t", false).unwrap_err(),
            DirectoryError::MissingColumn("service")
        );
        assert!(matches!(
            Directory::from_json("{"),
            Err(DirectoryError::Json(_))
        ));
        assert_eq!(
            Directory::from_json(r#"{"format":"x","schema":1,"name":"n","services":[]}"#)
                .unwrap_err(),
            DirectoryError::NotADirectory
        );
        let report = Directory::from_json(
            r#"{"format":"relais.directory","schema":1,"name":"n","services":[{"id":"x"}]}"#,
        )
        .unwrap();
        assert_eq!(report.errors.len(), 1);
        assert_eq!(report.errors[0].row, 1);
    }
}
