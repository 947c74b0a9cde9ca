//! The Palermo Protocol's reading beside the ILO dimensions (art. 3): an **act** (someone
//! recruited, transported, transferred, harboured or received the person), by **means** (deception,
//! coercion, abuse of vulnerability) for the **purpose** of exploitation. For a child the means are
//! not needed (art. 3(c)).
//!
//! The ILO combinations say whether the indicators make a possible case; this reading says whether
//! the three elements of the definition are there, and names them, so that a worker can tell a
//! supervisor "act: harbouring by the employer; means: coercion at destination; purpose: labour
//! exploitation". The rules (which means count, which purposes are exploitation by themselves) are
//! data in `core/data/ilo-rules.json`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, Dimension, Subject};
use crate::effects::{Act, ActEffect, Actor, Effects, Purpose};
use crate::i18n::{t, tf};
use crate::lang::Lang;
use crate::rules::RuleSet;

/// An act found, with who did it and the questions that established it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActFound {
    pub act: Act,
    pub by: Actor,
    pub label: String,
    pub evidence: Vec<String>,
}

/// A form of exploitation found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PurposeFound {
    pub purpose: Purpose,
    pub label: String,
    pub evidence: Vec<String>,
}

/// The three elements and whether each is there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProtocolReading {
    /// The form asked what would establish an act. `false` for explicit indicators (`relais
    /// score`) and for forms of the first version: then no act is claimed either way.
    pub assessed: bool,
    pub acts: Vec<ActFound>,
    pub act: bool,
    /// Whether means are required (adults) or not (children).
    pub means_required: bool,
    /// The positive dimensions that show the means.
    pub means: Vec<Dimension>,
    pub means_met: bool,
    pub purposes: Vec<PurposeFound>,
    /// The purpose dimension (EX) is positive.
    pub exploitation_positive: bool,
    pub purpose_met: bool,
    /// Every element required for this subject is there.
    pub met: bool,
    /// One line per element, then the conclusion, in the result's language.
    pub lines: Vec<String>,
}

/// What the effects give of one kind (`pick`), each with the questions that gave it, in order.
fn gather<K: Ord + Copy>(
    evidence: &[(&str, &Effects)],
    pick: impl Fn(&Effects) -> &[K],
) -> BTreeMap<K, Vec<String>> {
    let mut found: BTreeMap<K, Vec<&str>> = BTreeMap::new();
    for (q, e) in evidence {
        for k in pick(e) {
            let sources = found.entry(*k).or_default();
            if !sources.contains(q) {
                sources.push(q);
            }
        }
    }
    found
        .into_iter()
        .map(|(k, qs)| (k, qs.into_iter().map(str::to_string).collect()))
        .collect()
}

/// The acts found in a set of effects, merged by act and actor.
pub fn acts_of(evidence: &[(&str, &Effects)], lang: Lang) -> Vec<ActFound> {
    gather(evidence, |e| &e.acts)
        .into_iter()
        .map(|(a, evidence)| ActFound {
            act: a.act,
            by: a.by,
            label: act_label(a, lang),
            evidence,
        })
        .collect()
}

/// "harbouring by the employer".
pub fn act_label(a: ActEffect, lang: Lang) -> String {
    tf(
        lang,
        "protocol.act_by",
        &[("act", &a.act.label(lang)), ("by", &a.by.label(lang))],
    )
}

/// The forms of exploitation found in a set of effects.
pub fn purposes_of(evidence: &[(&str, &Effects)], lang: Lang) -> Vec<PurposeFound> {
    gather(evidence, |e| &e.purposes)
        .into_iter()
        .map(|(purpose, evidence)| PurposeFound {
            purpose,
            label: purpose.label(lang),
            evidence,
        })
        .collect()
}

/// Reads the three elements. `acts` is `None` when the form did not assess them.
pub fn read(
    subject: Subject,
    acts: Option<Vec<ActFound>>,
    purposes: Vec<PurposeFound>,
    positive: impl Fn(Dimension) -> bool,
    lang: Lang,
) -> ProtocolReading {
    let rules = &RuleSet::embedded().protocol;
    let catalogue = Catalogue::embedded();
    let assessed = acts.is_some();
    let acts = acts.unwrap_or_default();
    let act = !acts.is_empty();
    let allowed = rules.means(subject);
    let means_required = !allowed.is_empty();
    let means: Vec<Dimension> = allowed.iter().copied().filter(|&d| positive(d)).collect();
    let means_met = !means_required || !means.is_empty();
    let exploitation_positive = positive(rules.purpose_dimension);
    let per_se = purposes
        .iter()
        .any(|p| rules.purposes_per_se.contains(&p.purpose));
    let purpose_met = exploitation_positive || per_se;
    let met = assessed && act && means_met && purpose_met;

    let mut lines = Vec::new();
    if !assessed {
        lines.push(t(lang, "protocol.not_assessed"));
    } else {
        lines.push(if act {
            let labels: Vec<&str> = acts.iter().map(|a| a.label.as_str()).collect();
            tf(lang, "protocol.act", &[("acts", &labels.join("; "))])
        } else {
            t(lang, "protocol.no_act")
        });
        lines.push(match (means_required, means.is_empty()) {
            (false, _) => t(lang, "protocol.means_child"),
            (true, true) => t(lang, "protocol.no_means"),
            (true, false) => {
                let titles: Vec<String> = means
                    .iter()
                    .map(|&d| format!("{} ({d})", catalogue.dimension_title(d, lang)))
                    .collect();
                tf(lang, "protocol.means", &[("means", &titles.join("; "))])
            }
        });
        let mut kinds: Vec<String> = Vec::new();
        if exploitation_positive {
            kinds.push(t(lang, "protocol.exploitation_positive"));
        }
        kinds.extend(purposes.iter().map(|p| p.label.clone()));
        lines.push(if kinds.is_empty() {
            t(lang, "protocol.no_purpose")
        } else if purpose_met {
            tf(lang, "protocol.purpose", &[("purposes", &kinds.join("; "))])
        } else {
            tf(
                lang,
                "protocol.purpose_not_met",
                &[("purposes", &kinds.join("; "))],
            )
        });
        lines.push(t(
            lang,
            match (met, subject) {
                (true, Subject::Child) => "protocol.met_child",
                (true, Subject::Adult) => "protocol.met_adult",
                (false, _) => "protocol.not_met",
            },
        ));
    }
    ProtocolReading {
        assessed,
        acts,
        act,
        means_required,
        means,
        means_met,
        purposes,
        exploitation_positive,
        purpose_met,
        met,
        lines,
    }
}
