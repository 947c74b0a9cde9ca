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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{FormResult, run_draft};

    #[test]
    fn every_training_case_parses_and_reaches_its_expected_outcome() {
        let (cases, problems) = cases();
        assert!(problems.is_empty(), "{problems:?}");
        assert!(get(DEFAULT_CASE).is_some());
        for case in cases {
            for lang in crate::Lang::ALL {
                assert!(
                    !case.story.get(lang).is_empty(),
                    "{} story in {lang}",
                    case.id
                );
                assert!(crate::wording::unqualified_victim(case.story.get(lang)).is_empty());
            }
            let interview = case.drafts.get("interview").expect("an interview draft");
            match run_draft(interview).expect("the interview draft runs") {
                FormResult::Interview(r) => {
                    assert_eq!(r.outcome.id(), case.expected_outcome, "{}", case.id)
                }
                other => panic!("{}: {other:?}", case.id),
            }
            for (form, draft) in &case.drafts {
                assert_eq!(&draft.form, form, "{}", case.id);
                run_draft(draft).unwrap_or_else(|e| panic!("{} {form}: {e}", case.id));
            }
        }
    }
}
