//! The case is the context: a form started in a case takes the person's subject (child or adult)
//! and age from what the case already holds, so that a consent form opened in a child's case asks
//! for the child's assent and a guardian, and an interview after a quick check does not treat a
//! presumed child as an adult.

use serde_json::Value;

use super::records::{CaseDetail, EntryKind};
use super::{Result, Vault};
use crate::draft::Context;

/// What one stored entry says of the person: their age, or whether they are a child.
fn context_of(content: &Value) -> Option<Context> {
    let answers = &content["answers"];
    let age = answers["context"]["age"]
        .as_u64()
        .or_else(|| answers["answers"]["age"].as_u64())
        .and_then(|a| u32::try_from(a).ok());
    if age.is_some() {
        return Some(Context { age, child: None });
    }
    let result = &content["result"];
    let child = match result["kind"].as_str() {
        Some("interview") => result["subject"].as_str().map(|s| s == "child"),
        Some("consent") => result["child"].as_bool().filter(|c| *c),
        Some("quick_check") => {
            let travelling = answers["answers"]["child_travelling"].as_str();
            let flagged = result["red_flags"]
                .as_array()
                .is_some_and(|f| f.iter().any(|f| f["id"] == "unaccompanied_child"));
            match travelling {
                Some("adult") if !flagged => Some(false),
                Some(_) => Some(true),
                None if flagged => Some(true),
                None => None,
            }
        }
        _ => None,
    }
    .or_else(|| answers["context"]["child"].as_bool());
    child.map(|c| Context {
        age: None,
        child: Some(c),
    })
}

/// The context a new form in this case starts from: the newest age any entry gives; without one,
/// a child if any entry found or presumed a child (presumption of minority: in doubt, a child),
/// else an adult if an entry said so, else nothing known.
pub fn case_context(case: &CaseDetail) -> Context {
    let mut child = None;
    for entry in case.entries.iter().rev() {
        if !matches!(
            entry.kind,
            EntryKind::Screening | EntryKind::Assessment | EntryKind::Consent
        ) {
            continue;
        }
        let Some(found) = context_of(&entry.content) else {
            continue;
        };
        if found.age.is_some() {
            return found;
        }
        child = match (child, found.child) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (known, None) => known,
            (_, Some(false)) => Some(false),
        };
    }
    Context { age: None, child }
}

impl Vault {
    /// The context for a form started in case `code` (see [`case_context`]).
    pub fn case_context(&self, code: &str) -> Result<Context> {
        Ok(case_context(&self.case(code)?))
    }
}
