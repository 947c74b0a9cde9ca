//! Exports: consenting cases to IOM HTCDS v2.0 field names (JSON and CSV), and anonymised
//! statistics with small-cell suppression. The field list and every mapping from Relais data to
//! HTCDS/CTDC values are data (`core/data/htcds-v2.json`, researched and sourced in docs/exports.md);
//! this module only applies them.
//!
//! Which cases: those whose latest consent record (the consent form, for the case) is valid and
//! agrees to research use. The consent form records `data_use` as explained, not agreed, so
//! research is the purpose that covers sharing non-identifying case data.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::records::{CaseDetail, EntryKind};
use super::{Result, Vault, VaultError};

#[derive(Debug, Clone, Deserialize)]
struct MapEntry {
    from: Vec<String>,
    to: Value,
}

#[derive(Debug, Clone, Deserialize)]
struct Field {
    name: String,
    #[serde(default)]
    relais: Option<String>,
    #[serde(default)]
    export: Vec<String>,
    #[serde(default)]
    multiple: bool,
    #[serde(default)]
    map: Option<Vec<MapEntry>>,
}

#[derive(Debug, Clone, Deserialize)]
struct Statistics {
    k: u32,
    dimensions: Vec<String>,
    #[serde(default)]
    extension_dimensions: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
struct Standard {
    fields: Vec<Field>,
    extensions: Vec<Field>,
    statistics: Statistics,
}

fn standard() -> Option<&'static Standard> {
    static STANDARD: OnceLock<Option<Standard>> = OnceLock::new();
    STANDARD
        .get_or_init(|| serde_json::from_str(include_str!("../../data/htcds-v2.json")).ok())
        .as_ref()
}

fn fields() -> Result<impl Iterator<Item = &'static Field>> {
    let s = standard()
        .ok_or_else(|| VaultError::Invalid("the HTCDS field list does not parse".into()))?;
    Ok(s.fields.iter().chain(s.extensions.iter()))
}

/// The default k of small-cell suppression.
pub fn default_k() -> u32 {
    standard().map_or(10, |s| s.statistics.k)
}

/// What a case offers to the mapping: Relais source name → values.
struct Facts {
    values: BTreeMap<&'static str, Vec<String>>,
}

impl Facts {
    fn of(case: &CaseDetail) -> Facts {
        let mut values: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
        values.insert("case.id", vec![case.id.clone()]);
        values.insert("case.status", vec![case.status.id().to_string()]);
        if let Some(year) = chrono::DateTime::from_timestamp(case.created_at, 0).map(|d| {
            use chrono::Datelike;
            d.year()
        }) {
            values.insert("case.created_year", vec![year.to_string()]);
        }
        let interview =
            case.entries.iter().rev().find(|e| {
                e.kind == EntryKind::Screening && e.content["result"]["kind"] == "interview"
            });
        if let Some(e) = interview {
            let r = &e.content["result"];
            if let Some(o) = r["outcome"].as_str() {
                values.insert("screening.outcome", vec![o.to_string()]);
            }
            if let Some(s) = r["subject"].as_str() {
                values.insert("screening.subject", vec![s.to_string()]);
            }
            let indicators: Vec<String> = r["dimensions"]
                .as_object()
                .map(|dims| {
                    dims.values()
                        .flat_map(|d| d["indicators"].as_array().cloned().unwrap_or_default())
                        .filter_map(|i| i["id"].as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            values.insert("screening.indicators", indicators);
            let answers = &e.content["answers"];
            let age = answers["context"]["age"]
                .as_f64()
                .or_else(|| answers["answers"]["age"].as_f64());
            if let Some(age) = age {
                values.insert("screening.age", vec![(age as i64).to_string()]);
            }
        }
        if let Some(c) = latest_case_consent(case) {
            values.insert(
                "consent.valid_for_interview",
                vec![
                    c["valid_for_interview"]
                        .as_bool()
                        .unwrap_or(false)
                        .to_string(),
                ],
            );
        }
        Facts { values }
    }

    fn get(&self, source: &str) -> &[String] {
        self.values.get(source).map_or(&[], Vec::as_slice)
    }
}

/// The latest consent-form record of the case (not a per-referral consent).
fn latest_case_consent(case: &CaseDetail) -> Option<&Value> {
    case.entries
        .iter()
        .rev()
        .find(|e| {
            e.kind == EntryKind::Consent
                && e.content["scope"] == "case"
                && e.content["form"] == "consent"
        })
        .map(|e| &e.content["result"])
}

/// Whether the person agreed to research use of their non-identifying data. For a child — the
/// consent was taken for a child, or the case's screenings found or presume one — a parent's, the
/// guardian's or the child protection authority's authorisation of research is needed too; a
/// consent recorded as an adult's in a child's case (before the case gave forms their context)
/// does not count.
pub fn exportable(case: &CaseDetail) -> bool {
    let context = super::context::case_context(case);
    let case_child = match context.age {
        Some(age) => age < crate::rules::RuleSet::embedded().adult_age,
        None => context.child == Some(true),
    };
    latest_case_consent(case).is_some_and(|c| {
        let has = |list: &str| {
            c[list]
                .as_array()
                .is_some_and(|a| a.iter().any(|p| p == "research"))
        };
        let consent_child = c["child"] == true;
        let adult_ok = !case_child && !consent_child;
        let child_ok = consent_child && has("authorised");
        c["valid_for_interview"] == true && has("agreed") && (adult_ok || child_ok)
    })
}

/// `a..b`, `a..` ranges of the age mapping.
fn in_range(range: &str, n: i64) -> bool {
    let Some((lo, hi)) = range.split_once("..") else {
        return range.parse::<i64>().ok() == Some(n);
    };
    let lo = lo.parse::<i64>().unwrap_or(i64::MIN);
    let hi = if hi.is_empty() {
        i64::MAX
    } else {
        hi.parse::<i64>().unwrap_or(i64::MAX)
    };
    (lo..=hi).contains(&n)
}

/// The value of one field for a case, or `Null` when Relais has nothing for it.
fn value_of(field: &Field, facts: &Facts) -> Value {
    let Some(source) = field.relais.as_deref() else {
        return Value::Null;
    };
    let present = facts.get(source);
    let Some(map) = &field.map else {
        // Identity: the Relais value itself (numbers and booleans typed).
        return match present.first() {
            None => Value::Null,
            Some(v) => v
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| v.parse::<bool>().map(Value::from))
                .unwrap_or_else(|_| Value::from(v.clone())),
        };
    };
    let matches = |entry: &MapEntry| {
        present.iter().any(|p| {
            entry.from.iter().any(|f| {
                if source == "screening.age" {
                    p.parse::<i64>().is_ok_and(|n| in_range(f, n))
                } else {
                    f == p
                }
            })
        })
    };
    let hits: Vec<&Value> = map
        .iter()
        .filter(|e| matches(e))
        .map(|e| &e.to)
        .filter(|v| !v.is_null())
        .collect();
    if field.multiple {
        let set: BTreeSet<String> = hits
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        if set.is_empty() {
            Value::Null
        } else {
            Value::from(set.into_iter().collect::<Vec<_>>())
        }
    } else {
        hits.first().map_or(Value::Null, |v| (*v).clone())
    }
}

/// One exported case: field name → value (only fields with a value).
pub type ExportedCase = Map<String, Value>;

/// The HTCDS export of every consenting case, and how many cases were left out for lack of consent.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HtcdsExport {
    pub standard: &'static str,
    pub cases: Vec<ExportedCase>,
    pub excluded_without_consent: usize,
    /// Cases that could not be read (failed authentication).
    pub damaged: usize,
}

fn case_fields() -> Result<Vec<&'static Field>> {
    Ok(fields()?
        .filter(|f| f.export.iter().any(|e| e == "case"))
        .collect())
}

impl Vault {
    fn all_cases(&self) -> Result<(Vec<CaseDetail>, usize)> {
        let mut out = Vec::new();
        let mut damaged = 0;
        for summary in self.list_cases()? {
            match summary.id.as_deref().map(|code| self.case(code)) {
                Some(Ok(c)) if c.damaged.is_empty() => out.push(c),
                _ => damaged += 1,
            }
        }
        Ok((out, damaged))
    }

    /// Consenting cases, with HTCDS v2.0 field names.
    pub fn export_htcds(&mut self) -> Result<HtcdsExport> {
        let fields = case_fields()?;
        let (cases, damaged) = self.all_cases()?;
        let mut out = Vec::new();
        let mut excluded = 0;
        for case in &cases {
            if !exportable(case) {
                excluded += 1;
                continue;
            }
            let facts = Facts::of(case);
            let mut row = Map::new();
            for f in &fields {
                let v = value_of(f, &facts);
                if !v.is_null() {
                    row.insert(f.name.clone(), v);
                }
            }
            out.push(row);
        }
        self.audit("export.htcds", "")?;
        Ok(HtcdsExport {
            standard: "IOM HTCDS 2.0",
            cases: out,
            excluded_without_consent: excluded,
            damaged,
        })
    }

    /// Anonymised counts of consenting cases, one table per dimension, small cells suppressed.
    pub fn export_stats(&mut self, k: u32) -> Result<StatsExport> {
        let s = standard()
            .ok_or_else(|| VaultError::Invalid("the HTCDS field list does not parse".into()))?;
        let all: Vec<&Field> = fields()?.collect();
        let (cases, _) = self.all_cases()?;
        let consenting: Vec<&CaseDetail> = cases.iter().filter(|c| exportable(c)).collect();
        let facts: Vec<Facts> = consenting.iter().map(|c| Facts::of(c)).collect();
        let mut tables = BTreeMap::new();
        for name in s
            .statistics
            .dimensions
            .iter()
            .chain(&s.statistics.extension_dimensions)
        {
            let Some(field) = all.iter().find(|f| &f.name == name) else {
                continue;
            };
            let mut counts: BTreeMap<String, u64> = BTreeMap::new();
            for f in &facts {
                let key = match value_of(field, f) {
                    Value::Null => "not_recorded".to_string(),
                    Value::String(v) => v,
                    other => other.to_string(),
                };
                *counts.entry(key).or_default() += 1;
            }
            tables.insert(name.clone(), suppress(&counts, k));
        }
        self.audit("export.stats", "")?;
        Ok(StatsExport {
            k,
            total: suppress_total(consenting.len() as u64, k),
            tables,
        })
    }
}

/// A published count: a number, or a suppressed cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Cell {
    Count(u64),
    Suppressed(String),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StatsExport {
    pub k: u32,
    pub total: Cell,
    pub tables: BTreeMap<String, BTreeMap<String, Cell>>,
}

fn suppress_total(n: u64, k: u32) -> Cell {
    if n > 0 && n < u64::from(k) {
        Cell::Suppressed(format!("<{k}"))
    } else {
        Cell::Count(n)
    }
}

/// Small-cell suppression of a one-way table: cells of 1 to k−1 are hidden (primary); then, while
/// the hidden cells together hold fewer than k people, the smallest shown cell is hidden too
/// (complementary), so that no hidden cell — nor any group of them — can be derived from the total.
/// The marker is "<k" when every hidden cell is below k, else "x" for all of them (a complementary
/// cell may hold k or more). A table whose total is under k is hidden whole.
pub fn suppress(counts: &BTreeMap<String, u64>, k: u32) -> BTreeMap<String, Cell> {
    let k = u64::from(k);
    let total: u64 = counts.values().sum();
    if total > 0 && total < k {
        return counts
            .keys()
            .map(|key| (key.clone(), Cell::Suppressed("x".into())))
            .collect();
    }
    let mut hidden: BTreeSet<&String> = counts
        .iter()
        .filter(|&(_, &n)| n > 0 && n < k)
        .map(|(key, _)| key)
        .collect();
    let hidden_sum =
        |hidden: &BTreeSet<&String>| hidden.iter().map(|key| counts[*key]).sum::<u64>();
    while !hidden.is_empty() && hidden_sum(&hidden) < k {
        let next = counts
            .iter()
            .filter(|&(key, &n)| n > 0 && !hidden.contains(key))
            .min_by_key(|&(_, &n)| n)
            .map(|(key, _)| key);
        match next {
            Some(key) => {
                hidden.insert(key);
            }
            None => break,
        }
    }
    let all_small = hidden.iter().all(|key| counts[*key] < k);
    let marker = if all_small {
        format!("<{k}")
    } else {
        "x".to_string()
    };
    counts
        .iter()
        .map(|(key, &n)| {
            let cell = if hidden.contains(key) {
                Cell::Suppressed(marker.clone())
            } else {
                Cell::Count(n)
            };
            (key.clone(), cell)
        })
        .collect()
}

/// A cell as a spreadsheet may read it: text that starts like a formula (`=`, `+`, `-`, `@`, tab,
/// carriage return) gets a leading `'`, so that received or typed content is never run as a formula
/// when the export is opened (OWASP, CSV injection). Plain numbers stay as they are.
fn neutralised(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && cell.parse::<f64>().is_err() {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// CSV of the HTCDS export: one row per case, HTCDS field names as columns, lists joined with ';'.
pub fn htcds_csv(export: &HtcdsExport) -> Result<String> {
    let columns: Vec<String> = case_fields()?.iter().map(|f| f.name.clone()).collect();
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(&columns)
        .map_err(|e| VaultError::Invalid(e.to_string()))?;
    for case in &export.cases {
        let row: Vec<String> = columns
            .iter()
            .map(|c| match case.get(c) {
                None | Some(Value::Null) => String::new(),
                Some(Value::String(s)) => s.clone(),
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                    .collect::<Vec<_>>()
                    .join(";"),
                Some(other) => other.to_string(),
            })
            .map(|cell| neutralised(&cell).into_owned())
            .collect();
        w.write_record(&row)
            .map_err(|e| VaultError::Invalid(e.to_string()))?;
    }
    let bytes = w
        .into_inner()
        .map_err(|e| VaultError::Invalid(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| VaultError::Invalid(e.to_string()))
}

/// CSV of the statistics: dimension, value, count.
pub fn stats_csv(stats: &StatsExport) -> Result<String> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let cell = |c: &Cell| match c {
        Cell::Count(n) => n.to_string(),
        Cell::Suppressed(m) => m.clone(),
    };
    let err = |e: csv::Error| VaultError::Invalid(e.to_string());
    w.write_record(["dimension", "value", "count"])
        .map_err(err)?;
    w.write_record(["total", "", &cell(&stats.total)])
        .map_err(err)?;
    for (dim, table) in &stats.tables {
        for (value, c) in table {
            w.write_record([
                neutralised(dim).as_ref(),
                neutralised(value).as_ref(),
                &cell(c),
            ])
            .map_err(err)?;
        }
    }
    let bytes = w
        .into_inner()
        .map_err(|e| VaultError::Invalid(e.to_string()))?;
    String::from_utf8(bytes).map_err(|e| VaultError::Invalid(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_neutralised_and_numbers_kept() {
        for (cell, out) in [
            (
                "=HYPERLINK(\"http://x\",\"y\")",
                "'=HYPERLINK(\"http://x\",\"y\")",
            ),
            ("+33 6 00", "'+33 6 00"),
            ("-2+3+cmd|' /C calc'!A0", "'-2+3+cmd|' /C calc'!A0"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("-12", "-12"),
            ("+1.5", "+1.5"),
            ("possible_trafficking", "possible_trafficking"),
            ("", ""),
        ] {
            assert_eq!(neutralised(cell), out, "{cell:?}");
        }
        // In an export: a received outcome text that is a formula comes out inert.
        let columns = case_fields().unwrap();
        let mut case = Map::new();
        for f in &columns {
            case.insert(
                f.name.clone(),
                Value::String("=HYPERLINK(\"http://x\")".into()),
            );
        }
        let export = HtcdsExport {
            standard: "test",
            cases: vec![case],
            excluded_without_consent: 0,
            damaged: 0,
        };
        let csv = htcds_csv(&export).unwrap();
        let row = csv.lines().nth(1).unwrap();
        assert!(row.starts_with("\"'=HYPERLINK"), "{row}");
        assert!(!row.contains(",\"=") && !row.contains(",="), "{row}");
    }

    fn table(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(k, n)| ((*k).to_string(), *n)).collect()
    }

    #[test]
    fn the_field_list_parses_and_every_exported_field_is_named() {
        let fields: Vec<&Field> = fields().unwrap().collect();
        assert!(fields.iter().any(|f| f.name == "vic_TraffickingStatus"));
        assert!(case_fields().unwrap().len() >= 6);
    }

    #[test]
    fn small_cells_are_suppressed_with_a_complement() {
        // One small cell: its complement is hidden too, and may hold k or more.
        let t = suppress(&table(&[("a", 50), ("b", 12), ("c", 3)]), 10);
        assert_eq!(t["a"], Cell::Count(50));
        assert_eq!(t["b"], Cell::Suppressed("x".into()));
        assert_eq!(t["c"], Cell::Suppressed("x".into()));
        // Two small cells holding k or more together need no complement.
        let t = suppress(&table(&[("a", 50), ("b", 6), ("c", 5)]), 10);
        assert_eq!(t["a"], Cell::Count(50));
        assert_eq!(t["b"], Cell::Suppressed("<10".into()));
        // Two small cells holding fewer than k together: one more cell is hidden.
        let t = suppress(&table(&[("a", 50), ("b", 4), ("c", 3), ("d", 20)]), 10);
        assert_eq!(t["a"], Cell::Count(50));
        assert_eq!(t["d"], Cell::Suppressed("x".into()));
        let t = suppress(&table(&[("a", 20), ("b", 10)]), 10);
        assert_eq!(t["b"], Cell::Count(10), "k itself is published");
        let t = suppress(&table(&[("a", 5), ("b", 3)]), 10);
        assert!(
            t.values().all(|c| matches!(c, Cell::Suppressed(_))),
            "total under k"
        );
        assert_eq!(suppress_total(7, 10), Cell::Suppressed("<10".into()));
        assert_eq!(suppress_total(0, 10), Cell::Count(0));
    }

    #[test]
    fn age_ranges() {
        assert!(in_range("9..17", 9) && in_range("9..17", 17) && !in_range("9..17", 18));
        assert!(in_range("48..", 90) && !in_range("48..", 47));
    }
}
