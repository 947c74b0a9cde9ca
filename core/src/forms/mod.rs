//! Forms: versioned questionnaires compiled into the core (see docs/forms.md), their conditions,
//! their registry and their lint.

pub mod condition;
pub mod lint;
pub mod model;

use std::sync::OnceLock;

use serde::Serialize;

pub use condition::{Condition, Facts};
pub use model::{
    AnswerType, Branch, Choice, Form, FormKind, Located, NumberSpec, OTHERS_UNKNOWN, Question,
    QuestionKind, Role, Section, Threshold,
};

use crate::lang::Lang;

/// A form as embedded at build time: its folder, `form.json` and section files.
pub(crate) struct EmbeddedForm {
    pub dir: &'static str,
    /// An earlier version kept under `archive/v<N>/`, for what was filled in with it.
    pub archived: bool,
    pub form: &'static str,
    pub sections: &'static [(&'static str, &'static str)],
}

include!(concat!(env!("OUT_DIR"), "/embedded_forms.rs"));

/// The embedded training case files (`name`, JSON).
pub(crate) fn training_files() -> &'static [(&'static str, &'static str)] {
    TRAINING
}

/// The forms compiled into the core, and the problems that kept any of them out.
pub struct Registry {
    forms: Vec<Form>,
    /// Earlier versions, still read for drafts, stored entries and handover bundles made with them.
    archived: Vec<Form>,
    /// Forms that failed to parse or lint (`folder: message`). Tests require this to be empty.
    pub problems: Vec<String>,
}

impl Registry {
    fn load() -> Registry {
        let mut forms = Vec::new();
        let mut archived = Vec::new();
        let mut problems = Vec::new();
        for embedded in EMBEDDED {
            let place = if embedded.archived {
                format!("{} (archived)", embedded.dir)
            } else {
                embedded.dir.to_string()
            };
            match Form::parse(embedded.form, embedded.sections) {
                Ok(form) => {
                    // An archived version was linted when it was current; it is checked again
                    // only for what still matters to read it (its structure and indicator ids).
                    let issues = if embedded.archived {
                        lint::lint_archived(&form)
                    } else {
                        lint::lint(&form)
                    };
                    if form.id != embedded.dir {
                        problems.push(format!(
                            "{place}: form id '{}' differs from its folder name",
                            form.id
                        ));
                    } else if issues.is_empty() {
                        if embedded.archived {
                            archived.push(form);
                        } else {
                            forms.push(form);
                        }
                    } else {
                        problems.extend(issues.into_iter().map(|i| format!("{place}: {i}")));
                    }
                }
                Err(e) => problems.push(format!("{place}/{e}")),
            }
        }
        for old in &archived {
            match forms.iter().find(|f| f.id == old.id) {
                Some(current) if current.version > old.version => {}
                _ => problems.push(format!(
                    "{} (archived): version {} is not older than the current version",
                    old.id, old.version
                )),
            }
        }
        forms.sort_by(|a, b| (a.kind, &a.id).cmp(&(b.kind, &b.id)));
        Registry {
            forms,
            archived,
            problems,
        }
    }

    pub fn forms(&self) -> &[Form] {
        &self.forms
    }

    pub fn get(&self, id: &str) -> Option<&Form> {
        self.forms.iter().find(|f| f.id == id)
    }

    /// A form at a given version: the current one, or an archived earlier one.
    pub fn get_version(&self, id: &str, version: u32) -> Option<&Form> {
        self.forms
            .iter()
            .chain(self.archived.iter())
            .find(|f| f.id == id && f.version == version)
    }

    /// The archived earlier versions.
    pub fn archived(&self) -> &[Form] {
        &self.archived
    }
}

/// The registry of embedded forms, parsed and linted once.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::load)
}

/// An embedded form by id (its current version).
pub fn get(id: &str) -> Option<&'static Form> {
    registry().get(id)
}

/// An embedded form at a given version, current or archived.
pub fn get_version(id: &str, version: u32) -> Option<&'static Form> {
    registry().get_version(id, version)
}

/// The raw embedded files, for tests that check a form's lint on purpose-broken copies.
pub fn embedded_sources(
    id: &str,
) -> Option<(&'static str, &'static [(&'static str, &'static str)])> {
    EMBEDDED
        .iter()
        .find(|e| e.dir == id && !e.archived)
        .map(|e| (e.form, e.sections))
}

/// What `relais forms list` shows of a form.
#[derive(Debug, Clone, Serialize)]
pub struct FormSummary {
    pub id: String,
    pub version: u32,
    pub kind: FormKind,
    pub languages: Vec<Lang>,
    pub title: String,
    pub description: String,
    pub sections: usize,
    pub questions: usize,
}

impl FormSummary {
    pub fn of(form: &Form, lang: Lang) -> FormSummary {
        FormSummary {
            id: form.id.clone(),
            version: form.version,
            kind: form.kind,
            languages: form.languages.clone(),
            title: form.title.get(lang).to_string(),
            description: form.description.get(lang).to_string(),
            sections: form.sections.len(),
            questions: form.question_count(),
        }
    }
}
