//! Fictitious training cases: a story a trainer reads, the drafts a trainee would produce, and the
//! expected outcome to compare with (the NRM trainings' practice on fictitious cases).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::draft::Draft;
use crate::lang::Text;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainingCase {
    pub id: String,
    pub title: Text,
    /// A short fictitious vignette.
    pub story: Text,
    /// Where the case takes place, as a directory area path.
    pub area: String,
    /// The interview outcome a correct screening reaches.
    pub expected_outcome: String,
    /// Drafts by form id (`interview`, `needs`, …).
    pub drafts: BTreeMap<String, Draft>,
}

/// The embedded training cases, in file-name order, and the files that failed to parse.
pub fn cases() -> &'static (Vec<TrainingCase>, Vec<String>) {
    static CASES: OnceLock<(Vec<TrainingCase>, Vec<String>)> = OnceLock::new();
    CASES.get_or_init(|| {
        let mut cases = Vec::new();
        let mut problems = Vec::new();
        for (name, json) in crate::forms::training_files() {
            match serde_json::from_str::<TrainingCase>(json) {
                Ok(case) => cases.push(case),
                Err(e) => problems.push(format!("{name}: {e}")),
            }
        }
        (cases, problems)
    })
}

pub fn get(id: &str) -> Option<&'static TrainingCase> {
    cases().0.iter().find(|c| c.id == id)
}

/// The case `relais demo` runs by default.
pub const DEFAULT_CASE: &str = "amani-kikwit";
