//! `relais forms list|show`.

use std::fmt::Write as _;

use relais_core::forms::{self, FormSummary, QuestionKind};
use relais_core::i18n::t;
use relais_core::{Catalogue, Lang};
use serde_json::json;

use crate::{CliError, FormsCommand, print_json};

pub fn run(command: FormsCommand, lang: Lang) -> Result<(), CliError> {
    match command {
        FormsCommand::List { json } => {
            let list: Vec<FormSummary> = forms::registry()
                .forms()
                .iter()
                .map(|f| FormSummary::of(f, lang))
                .collect();
            if json {
                return print_json(&list);
            }
            for f in &list {
                let langs: Vec<&str> = f.languages.iter().map(|l| l.code()).collect();
                println!(
                    "{:<12} v{:<3} {:<9} {:>3} {}  {}",
                    f.id,
                    f.version,
                    langs.join(","),
                    f.questions,
                    t(lang, "cli.questions"),
                    f.title
                );
            }
            Ok(())
        }
        FormsCommand::Show { id, json } => {
            let form = forms::get(&id).ok_or_else(|| {
                let ids: Vec<&str> = forms::registry()
                    .forms()
                    .iter()
                    .map(|f| f.id.as_str())
                    .collect();
                CliError::Input(format!(
                    "unknown form '{id}': use one of {}",
                    ids.join(", ")
                ))
            })?;
            let catalogue = Catalogue::embedded();
            if json {
                let sections: Vec<_> = form
                    .sections
                    .iter()
                    .map(|s| {
                        let questions: Vec<_> = s
                            .questions
                            .iter()
                            .map(|q| {
                                json!({
                                    "id": q.id,
                                    "type": q.kind.answer_type(),
                                    "prompt": q.prompt.get(lang),
                                    "required": q.required,
                                    "when": q.when,
                                    "options": q.kind.options().iter().map(|o| json!({"id": o.id, "label": o.label.get(lang), "effects": o.effects})).collect::<Vec<_>>(),
                                    "dont_know": (!q.dont_know.is_empty()).then_some(&q.dont_know),
                                })
                            })
                            .collect();
                        json!({"id": s.id, "title": s.title.get(lang), "branch": s.branch, "when": s.when, "questions": questions})
                    })
                    .collect();
                return print_json(
                    &json!({"id": form.id, "version": form.version, "title": form.title.get(lang), "sections": sections}),
                );
            }
            let mut out = String::new();
            let _ = writeln!(
                out,
                "{} (v{}) — {}",
                form.id,
                form.version,
                form.title.get(lang)
            );
            for s in &form.sections {
                let branch = s.branch.map(|b| format!(" [{b:?}]")).unwrap_or_default();
                let _ = writeln!(out, "\n## {}{branch}", s.title.get(lang));
                for q in &s.questions {
                    let cond = q
                        .when
                        .as_ref()
                        .and_then(|c| serde_json::to_string(c).ok())
                        .map(|c| format!("  if {c}"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "- {} ({:?}){cond}\n    {}",
                        q.id,
                        q.kind.answer_type(),
                        q.prompt.get(lang)
                    );
                    let effects = |e: &relais_core::effects::Effects| {
                        let mut parts: Vec<String> = e
                            .indicators
                            .iter()
                            .map(|id| {
                                let title =
                                    catalogue.get(id).map(|i| i.title.get(lang)).unwrap_or("");
                                format!("{id} ({title})")
                            })
                            .collect();
                        parts.extend(e.flags.iter().map(|f| format!("!{f}")));
                        parts.extend(e.needs.iter().map(|n| format!("+{n}")));
                        parts.extend(e.acts.iter().map(|a| format!("act:{}({})", a.act, a.by)));
                        parts.extend(e.purposes.iter().map(|p| format!("purpose:{p}")));
                        parts.extend(e.signs.iter().map(|s| format!("sign:{s}")));
                        let mut text = parts.join(", ");
                        if let Some(when) = &e.when
                            && !text.is_empty()
                        {
                            let cond = serde_json::to_string(when).unwrap_or_default();
                            text.push_str(&format!(" [only if {cond}]"));
                        }
                        text
                    };
                    match &q.kind {
                        QuestionKind::YesNo { yes, no } => {
                            for (label, e) in [("yes", yes), ("no", no)] {
                                if !e.is_empty() {
                                    let _ = writeln!(out, "    {label} → {}", effects(e));
                                }
                            }
                        }
                        kind => {
                            for o in kind.options() {
                                let e = effects(&o.effects);
                                let arrow = if e.is_empty() {
                                    String::new()
                                } else {
                                    format!(" → {e}")
                                };
                                let _ =
                                    writeln!(out, "    · {}: {}{arrow}", o.id, o.label.get(lang));
                            }
                        }
                    }
                    if !q.dont_know.is_empty() {
                        let _ = writeln!(out, "    dont_know → {}", effects(&q.dont_know));
                    }
                }
            }
            print!("{out}");
            Ok(())
        }
    }
}
