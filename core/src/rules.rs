//! The ILO/EC 2009 scoring rules as versioned data: when a dimension is positive, and which
//! combination of positive dimensions makes a possible case of trafficking, for adults and children.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::catalogue::{Dimension, Subject};
use crate::effects::Purpose;

/// Counts of present indicators in one dimension, by strength.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub strong: u32,
    pub medium: u32,
    pub weak: u32,
}

/// One sufficient pattern of the dimension rule: minimum counts that must all be reached.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pattern {
    #[serde(default)]
    pub strong: u32,
    #[serde(default)]
    pub medium: u32,
    #[serde(default)]
    pub weak: u32,
    /// Medium and weak indicators counted together.
    #[serde(default)]
    pub medium_or_weak: u32,
}

impl Pattern {
    pub fn is_met(&self, c: Counts) -> bool {
        c.strong >= self.strong
            && c.medium >= self.medium
            && c.weak >= self.weak
            && c.medium + c.weak >= self.medium_or_weak
    }
}

/// A dimension is positive when any of its patterns is met.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DimensionRule {
    pub any_of: Vec<Pattern>,
}

impl DimensionRule {
    /// The first pattern met, if any.
    pub fn met_by(&self, c: Counts) -> Option<&Pattern> {
        self.any_of.iter().find(|p| p.is_met(c))
    }
}

/// A combination: every group must contain at least one positive dimension.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combination {
    pub all_of: Vec<Vec<Dimension>>,
}

impl Combination {
    /// The groups that have no positive dimension; empty when the combination is met.
    pub fn missing_groups(&self, positive: impl Fn(Dimension) -> bool) -> Vec<Vec<Dimension>> {
        self.all_of
            .iter()
            .filter(|group| !group.iter().any(|&d| positive(d)))
            .cloned()
            .collect()
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Combinations {
    pub adult: Combination,
    pub child: Combination,
}

/// The means dimensions the Protocol's reading accepts, per subject.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeansRule {
    /// For an adult, one of these dimensions must be positive. Abuse of vulnerability at
    /// destination alone (VD) is not enough: it shows a vulnerable person, not that anyone used it.
    pub adult: Vec<Dimension>,
    /// For a child, none is required (art. 3(c)): empty.
    pub child: Vec<Dimension>,
}

/// The Palermo Protocol's reading beside the ILO combinations: an act, the means (not for a
/// child) and the purpose of exploitation.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProtocolRule {
    pub means: MeansRule,
    /// A positive dimension that shows the purpose of exploitation.
    pub purpose_dimension: Dimension,
    /// Forms of exploitation that are the purpose by themselves, whatever the ILO counts.
    pub purposes_per_se: Vec<Purpose>,
}

impl ProtocolRule {
    pub fn means(&self, subject: Subject) -> &[Dimension] {
        match subject {
            Subject::Adult => &self.means.adult,
            Subject::Child => &self.means.child,
        }
    }
}

/// The whole rule set, as shipped in `core/data/ilo-rules.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    pub schema: u32,
    pub id: String,
    pub version: u32,
    /// The catalogue id these rules apply to.
    pub catalogue: String,
    pub source: String,
    pub dimension_rule: DimensionRule,
    pub combinations: Combinations,
    /// Under this age the child set and combination apply.
    pub adult_age: u32,
    pub protocol: ProtocolRule,
}

/// The rule-set schema this core reads.
pub const RULES_SCHEMA: u32 = 2;

impl RuleSet {
    pub fn from_json(json: &str) -> Result<RuleSet, String> {
        let rules: RuleSet = serde_json::from_str(json).map_err(|e| format!("rule set: {e}"))?;
        if rules.schema != RULES_SCHEMA {
            return Err(format!(
                "rule set: schema {} is not supported (this core reads schema {RULES_SCHEMA})",
                rules.schema
            ));
        }
        if rules.protocol.means.adult.is_empty() {
            return Err("rule set: an adult needs means, and none is listed".into());
        }
        if rules.dimension_rule.any_of.is_empty() {
            return Err("rule set: the dimension rule has no pattern".into());
        }
        if rules
            .dimension_rule
            .any_of
            .iter()
            .any(|p| *p == Pattern::default())
        {
            return Err("rule set: an empty pattern would make every dimension positive".into());
        }
        for combo in [&rules.combinations.adult, &rules.combinations.child] {
            if combo.all_of.is_empty() || combo.all_of.iter().any(Vec::is_empty) {
                return Err("rule set: a combination has an empty group".into());
            }
        }
        Ok(rules)
    }

    /// The rule set compiled into the core.
    pub fn embedded() -> &'static RuleSet {
        static RULES: OnceLock<RuleSet> = OnceLock::new();
        RULES.get_or_init(|| {
            // Checked by `rules_are_valid` in this module's tests.
            #[allow(clippy::expect_used)]
            RuleSet::from_json(include_str!("../data/ilo-rules.json"))
                .expect("embedded ILO rules are valid (tested)")
        })
    }

    pub fn combination(&self, subject: Subject) -> &Combination {
        match subject {
            Subject::Adult => &self.combinations.adult,
            Subject::Child => &self.combinations.child,
        }
    }

    pub fn subject_for_age(&self, age: u32) -> Subject {
        if age < self.adult_age {
            Subject::Child
        } else {
            Subject::Adult
        }
    }

    pub fn tag(&self) -> String {
        format!("{}@{}", self.id, self.version)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_are_valid() {
        let rules = RuleSet::from_json(include_str!("../data/ilo-rules.json")).unwrap();
        assert_eq!(rules.catalogue, crate::catalogue::Catalogue::embedded().id);
        assert_eq!(rules.subject_for_age(17), Subject::Child);
        assert_eq!(rules.subject_for_age(18), Subject::Adult);
    }

    #[test]
    fn empty_patterns_and_groups_are_refused() {
        let json = include_str!("../data/ilo-rules.json");
        let empty = json.replacen("{\"strong\": 2}", "{}", 1);
        assert!(
            RuleSet::from_json(&empty)
                .unwrap_err()
                .contains("empty pattern")
        );
        let group = json.replacen("[\"EX\"]", "[]", 1);
        assert!(
            RuleSet::from_json(&group)
                .unwrap_err()
                .contains("empty group")
        );
    }
}
