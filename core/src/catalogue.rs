//! The ILO/EC 2009 indicator catalogue: stable ids, dimensions and strengths, as versioned data.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::lang::{Lang, Text};

/// The six dimensions of the ILO/EC operational indicators (the Palermo elements).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Dimension {
    /// Deceptive recruitment.
    DR,
    /// Coercive recruitment.
    CR,
    /// Recruitment by abuse of vulnerability.
    VR,
    /// Exploitative conditions of work.
    EX,
    /// Coercion at destination.
    CD,
    /// Abuse of vulnerability at destination.
    VD,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::DR,
        Dimension::CR,
        Dimension::VR,
        Dimension::EX,
        Dimension::CD,
        Dimension::VD,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Dimension::DR => "DR",
            Dimension::CR => "CR",
            Dimension::VR => "VR",
            Dimension::EX => "EX",
            Dimension::CD => "CD",
            Dimension::VD => "VD",
        }
    }
}

impl fmt::Display for Dimension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How strongly an indicator evidences its dimension.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Strength {
    Strong,
    Medium,
    Weak,
}

/// Whose indicator set applies: adults, or children (under 18), whose set differs in strengths and
/// omits two indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Subject {
    Adult,
    Child,
}

/// The four ILO/EC indicator sets: adults and children, for labour and for sexual exploitation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IndicatorSet {
    LabourAdult,
    LabourChild,
    SexualAdult,
    SexualChild,
}

impl IndicatorSet {
    pub const ALL: [IndicatorSet; 4] = [
        IndicatorSet::LabourAdult,
        IndicatorSet::LabourChild,
        IndicatorSet::SexualAdult,
        IndicatorSet::SexualChild,
    ];

    /// The set for a subject, for labour or for sexual exploitation.
    pub fn of(subject: Subject, sexual: bool) -> IndicatorSet {
        match (subject, sexual) {
            (Subject::Adult, false) => IndicatorSet::LabourAdult,
            (Subject::Child, false) => IndicatorSet::LabourChild,
            (Subject::Adult, true) => IndicatorSet::SexualAdult,
            (Subject::Child, true) => IndicatorSet::SexualChild,
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            IndicatorSet::LabourAdult => "labour_adult",
            IndicatorSet::LabourChild => "labour_child",
            IndicatorSet::SexualAdult => "sexual_adult",
            IndicatorSet::SexualChild => "sexual_child",
        }
    }

    pub fn subject(self) -> Subject {
        match self {
            IndicatorSet::LabourAdult | IndicatorSet::SexualAdult => Subject::Adult,
            IndicatorSet::LabourChild | IndicatorSet::SexualChild => Subject::Child,
        }
    }

    pub fn sexual(self) -> bool {
        matches!(self, IndicatorSet::SexualAdult | IndicatorSet::SexualChild)
    }
}

/// One indicator of the catalogue.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Indicator {
    pub id: String,
    pub dimension: Dimension,
    /// Strength in the adult labour set; `None`: not part of it.
    pub adult: Option<Strength>,
    /// Strength in the child labour set; `None`: not part of it.
    pub child: Option<Strength>,
    /// Strength in the adult sexual-exploitation set, when it differs from the adult labour set
    /// (absent: the same).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sexual_adult: Option<Strength>,
    /// Likewise for the child sexual-exploitation set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sexual_child: Option<Strength>,
    pub title: Text,
}

impl Indicator {
    /// Strength in a set; `None` when the indicator is not part of it.
    pub fn strength_in(&self, set: IndicatorSet) -> Option<Strength> {
        match set {
            IndicatorSet::LabourAdult => self.adult,
            IndicatorSet::LabourChild => self.child,
            IndicatorSet::SexualAdult => self.sexual_adult.or(self.adult),
            IndicatorSet::SexualChild => self.sexual_child.or(self.child),
        }
    }

    /// Part of a sexual-exploitation set only: finding it means the sexual set applies.
    pub fn sexual_only(&self) -> bool {
        self.adult.is_none() && self.child.is_none()
    }
}

/// What the catalogue says of one of its sets.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetInfo {
    pub id: IndicatorSet,
    /// The strengths were not checked against the ILO/EC publication itself.
    pub provisional: bool,
    pub note: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionInfo {
    pub id: Dimension,
    pub title: Text,
}

/// The whole catalogue, as shipped in `core/data/ilo-indicators.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    pub schema: u32,
    pub id: String,
    pub version: u32,
    pub source: String,
    pub sets: Vec<SetInfo>,
    pub dimensions: Vec<DimensionInfo>,
    pub indicators: Vec<Indicator>,
    #[serde(skip)]
    by_id: BTreeMap<String, usize>,
}

impl Catalogue {
    /// Parses and checks a catalogue: ids unique, prefixed by their dimension, every dimension titled.
    pub fn from_json(json: &str) -> Result<Catalogue, String> {
        let mut cat: Catalogue =
            serde_json::from_str(json).map_err(|e| format!("indicator catalogue: {e}"))?;
        for (i, ind) in cat.indicators.iter().enumerate() {
            let prefix = format!("{}.", ind.dimension.code());
            if !ind.id.starts_with(&prefix) {
                return Err(format!(
                    "indicator catalogue: '{}' is not prefixed by {prefix}",
                    ind.id
                ));
            }
            if cat.by_id.insert(ind.id.clone(), i).is_some() {
                return Err(format!("indicator catalogue: duplicate id '{}'", ind.id));
            }
        }
        for d in Dimension::ALL {
            if !cat.dimensions.iter().any(|info| info.id == d) {
                return Err(format!("indicator catalogue: dimension {d} has no title"));
            }
        }
        for set in IndicatorSet::ALL {
            if !cat.sets.iter().any(|info| info.id == set) {
                return Err(format!(
                    "indicator catalogue: set {} is not described",
                    set.id()
                ));
            }
        }
        if let Some(ind) = cat.indicators.iter().find(|i| {
            IndicatorSet::ALL
                .iter()
                .all(|&s| i.strength_in(s).is_none())
        }) {
            return Err(format!(
                "indicator catalogue: '{}' belongs to no set",
                ind.id
            ));
        }
        Ok(cat)
    }

    /// The catalogue compiled into the core.
    pub fn embedded() -> &'static Catalogue {
        static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
        CATALOGUE.get_or_init(|| {
            // The embedded file is checked by `catalogue_is_valid` in this module's tests, so a
            // parse failure here can only come from a build that skipped the test suite.
            #[allow(clippy::expect_used)]
            Catalogue::from_json(include_str!("../data/ilo-indicators.json"))
                .expect("embedded ILO catalogue is valid (tested)")
        })
    }

    pub fn get(&self, id: &str) -> Option<&Indicator> {
        self.by_id.get(id).map(|&i| &self.indicators[i])
    }

    /// Indicators of a set, in catalogue order.
    pub fn in_set(&self, set: IndicatorSet) -> impl Iterator<Item = &Indicator> {
        self.indicators
            .iter()
            .filter(move |i| i.strength_in(set).is_some())
    }

    /// Whether a set's strengths are provisional (not checked against the publication).
    pub fn provisional(&self, set: IndicatorSet) -> bool {
        self.sets
            .iter()
            .find(|info| info.id == set)
            .is_none_or(|info| info.provisional)
    }

    pub fn dimension_title(&self, d: Dimension, lang: Lang) -> &str {
        self.dimensions
            .iter()
            .find(|info| info.id == d)
            .map(|info| info.title.get(lang))
            .unwrap_or(d.code())
    }

    /// `id@version`, for results to record which catalogue scored them.
    pub fn tag(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_valid() {
        let cat = Catalogue::from_json(include_str!("../data/ilo-indicators.json")).unwrap();
        assert_eq!(cat.schema, 1);
        for ind in &cat.indicators {
            assert!(
                ind.title.missing(&Lang::ALL).is_empty(),
                "{} untranslated",
                ind.id
            );
        }
    }

    #[test]
    fn duplicate_and_misprefixed_ids_are_refused() {
        let json = include_str!("../data/ilo-indicators.json");
        let dup = json.replacen("\"DR.conditions_of_work\"", "\"DR.nature_of_job\"", 1);
        assert!(
            Catalogue::from_json(&dup)
                .unwrap_err()
                .contains("duplicate id")
        );
        let bad = json.replacen("\"DR.wages\"", "\"EX.wages\"", 1);
        assert!(
            Catalogue::from_json(&bad)
                .unwrap_err()
                .contains("not prefixed")
        );
    }
}
