//! What an answer evidences: ILO indicators, red flags, needs, risks and consents. Forms attach
//! effects to answers; finishing a session gathers them into a result.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::forms::Condition;
use crate::i18n;
use crate::lang::Lang;

macro_rules! id_enum {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, { $($(#[$vmeta:meta])* $variant:ident => $id:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable id used in forms, results and the CLI.
            pub fn id(self) -> &'static str {
                match self { $($name::$variant => $id),+ }
            }

            /// The localised label.
            pub fn label(self, lang: Lang) -> String {
                i18n::t(lang, &format!("{}.{}", $prefix, self.id()))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.id()) }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s.trim() {
                    $($id => Ok($name::$variant),)+
                    other => Err(format!(
                        "unknown {} '{}': use one of {}",
                        $prefix,
                        other.chars().take(40).collect::<String>(),
                        [$($id),+].join(", ")
                    )),
                }
            }
        }
    };
}

id_enum!(
    /// A red flag raises urgency whatever the screening outcome.
    RedFlag, "flag", {
        /// The person is in danger right now.
        ImmediateDanger => "immediate_danger",
        /// A child without a parent or legal guardian.
        UnaccompaniedChild => "unaccompanied_child",
        /// An injury or an urgent medical need.
        Injury => "injury",
        /// The person is under the exploiter's control now.
        UnderControl => "under_control",
        /// Harm is promised to the person or their family if they leave, speak out or go to the
        /// police: a threat that stands after today.
        StandingThreat => "standing_threat",
    }
);

id_enum!(
    /// The act of the Palermo Protocol (art. 3(a)): what someone did to the person.
    Act, "act", {
        Recruitment => "recruitment",
        Transport => "transport",
        Transfer => "transfer",
        Harbouring => "harbouring",
        Receipt => "receipt",
    }
);

id_enum!(
    /// Who did the act, as the person can say it.
    Actor, "actor", {
        Family => "family",
        Partner => "partner",
        Acquaintance => "acquaintance",
        Leader => "leader",
        Teacher => "teacher",
        Intermediary => "intermediary",
        Employer => "employer",
        Host => "host",
        Group => "group",
        Stranger => "stranger",
        Online => "online",
        Unknown => "unknown",
    }
);

id_enum!(
    /// The form of exploitation an answer shows (the purpose of the Palermo Protocol).
    Purpose, "purpose", {
        Labour => "labour",
        Domestic => "domestic",
        Sexual => "sexual",
        Begging => "begging",
        Criminality => "criminality",
    }
);

id_enum!(
    /// Facts the triage reads beside the ILO outcome (smuggling, gender-based violence, child
    /// labour, forced marriage); they evidence no indicator.
    Sign, "sign", {
        /// The person paid someone to be taken to a place or across a border.
        PaidSmuggler => "paid_smuggler",
        /// The person is free to leave the work or the place.
        FreeNow => "free_now",
        /// Violence by a partner, a spouse or a family member, or sexual violence.
        Gbv => "gbv",
        /// A marriage the person did not choose (or a child married or promised).
        ForcedMarriage => "forced_marriage",
        /// A child works (other than only going to school).
        ChildWork => "child_work",
    }
);

id_enum!(
    /// A need found by an assessment; each maps to service categories of the directory.
    Need, "need", {
        Safety => "safety",
        Medical => "medical",
        Shelter => "shelter",
        Psychosocial => "psychosocial",
        Legal => "legal",
        Documents => "documents",
        FamilyContact => "family_contact",
        Interpretation => "interpretation",
        BasicNeeds => "basic_needs",
    }
);

id_enum!(
    /// Referral priority: emergency (within 24 h), urgent (72 h), normal.
    Priority, "priority", {
        Emergency => "emergency",
        Urgent => "urgent",
        Normal => "normal",
    }
);

id_enum!(
    /// Who is at risk.
    RiskTarget, "risk.target", {
        Person => "person",
        Family => "family",
        Worker => "worker",
    }
);

id_enum!(
    /// How high a risk is.
    RiskLevel, "risk.level", {
        Low => "low",
        Medium => "medium",
        High => "high",
    }
);

id_enum!(
    /// What consent is recorded for (the IOM checklist, plus referral and handover).
    ConsentPurpose, "consent.purpose", {
        Interview => "interview",
        Purpose => "purpose",
        DataUse => "data_use",
        Research => "research",
        AccessRights => "access_rights",
        StorageDuration => "storage_duration",
        Withdrawal => "withdrawal",
        Referral => "referral",
        Handover => "handover",
    }
);

id_enum!(
    /// `informed`: the worker explained it; `agree`: the person agrees to it; `authorise`: for a
    /// child, a parent, a guardian or the child protection authority agrees to it.
    ConsentKind, "consent.kind", {
        Informed => "informed",
        Agree => "agree",
        Authorise => "authorise",
    }
);

// The enum is declared by `id_enum!`, which cannot carry `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for Priority {
    fn default() -> Self {
        Priority::Normal
    }
}

/// A risk an answer reveals.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskEffect {
    pub target: RiskTarget,
    pub level: RiskLevel,
}

/// A consent an answer records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentEffect {
    pub purpose: ConsentPurpose,
    pub kind: ConsentKind,
}

/// An act an answer establishes, and who did it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActEffect {
    pub act: Act,
    pub by: Actor,
}

/// Everything one answer evidences.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effects {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub indicators: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<RedFlag>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub needs: Vec<Need>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub risk: Option<RiskEffect>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<ConsentEffect>,
    /// Acts of the Palermo Protocol this answer establishes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub acts: Vec<ActEffect>,
    /// Forms of exploitation this answer shows.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub purposes: Vec<Purpose>,
    /// Facts for the triage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub signs: Vec<Sign>,
    /// The effect applies only when this holds, judged on the whole finished form (so it may read
    /// later questions, and `{"act": true}`: some act was established).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when: Option<Condition>,
}

impl Effects {
    /// Whether the effect evidences nothing (its condition aside).
    pub fn is_empty(&self) -> bool {
        self.indicators.is_empty()
            && self.flags.is_empty()
            && self.needs.is_empty()
            && self.risk.is_none()
            && self.consent.is_none()
            && self.acts.is_empty()
            && self.purposes.is_empty()
            && self.signs.is_empty()
    }
}

/// An effect together with the question whose answer produced it (for explanations).
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence<'a> {
    pub question: &'a str,
    pub effects: &'a Effects,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_unknown_ids_are_named() {
        for flag in RedFlag::ALL {
            assert_eq!(flag.id().parse::<RedFlag>().unwrap(), *flag);
        }
        let err = "urgent_thing".parse::<RedFlag>().unwrap_err();
        assert!(
            err.contains("urgent_thing") && err.contains("immediate_danger"),
            "{err}"
        );
    }
}
