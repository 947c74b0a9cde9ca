//! Services to propose for a stored case: the needs, red flags and age that its screenings and
//! assessments found, matched against the service directory.

use std::collections::BTreeMap;

use super::records::{CaseDetail, EntryKind};
use super::{Result, Vault};
use crate::assessment::merge_needs;
use crate::catalogue::Subject;
use crate::lang::Lang;
use crate::referral::directory::Directory;
use crate::referral::matching::{self, MatchRequest, MatchResult};
use crate::result::FormResult;

/// What to look for, from every screening and assessment of the case: needs at their highest
/// priority, every red flag, and whether the person was screened as a child. A stored result that
/// does not read as a result (an older format) is passed over: it is still in the case.
pub fn request_for_case(case: &CaseDetail, area: Option<String>) -> MatchRequest {
    let mut request = MatchRequest {
        area: area.filter(|a| !a.trim().is_empty()),
        ..MatchRequest::default()
    };
    let mut needs = BTreeMap::new();
    for entry in &case.entries {
        if !matches!(entry.kind, EntryKind::Screening | EntryKind::Assessment) {
            continue;
        }
        let Ok(result) = serde_json::from_value::<FormResult>(entry.content["result"].clone())
        else {
            continue;
        };
        match &result {
            FormResult::Interview(r) => {
                request.flags.extend(r.red_flags.iter().map(|f| f.id));
                request.child |= r.subject == Subject::Child;
                request
                    .steps
                    .extend(r.next_steps.iter().map(|s| s.id.clone()));
            }
            FormResult::QuickCheck(r) => request.flags.extend(r.red_flags.iter().map(|f| f.id)),
            FormResult::Needs(r) => {
                request.flags.extend(r.red_flags.iter().map(|f| f.id));
                for need in &r.needs {
                    merge_needs(&mut needs, need.id, need.priority, &entry.id);
                }
            }
            FormResult::Risk(r) => request.flags.extend(r.red_flags.iter().map(|f| f.id)),
            FormResult::Consent(_) => {}
        }
    }
    request.needs = needs.into_iter().map(|(n, (p, _))| (n, p)).collect();
    request
}

impl Vault {
    /// The services of `directory` to propose for case `code`, most urgent first, with what the
    /// directory lacks. `area` is where the person is (an area path or a place name).
    pub fn propose_services(
        &self,
        code: &str,
        directory: &Directory,
        area: Option<String>,
        lang: Lang,
    ) -> Result<MatchResult> {
        let case = self.case(code)?;
        Ok(matching::propose(
            directory,
            &request_for_case(&case, area),
            lang,
        ))
    }
}
