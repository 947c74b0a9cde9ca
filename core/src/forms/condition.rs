//! Skip conditions: when a section or a question is shown.

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

/// A comparison of a number answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cmp {
    Gte,
    Lte,
    Gt,
    Lt,
}

impl Cmp {
    fn key(self) -> &'static str {
        match self {
            Cmp::Gte => "gte",
            Cmp::Lte => "lte",
            Cmp::Gt => "gt",
            Cmp::Lt => "lt",
        }
    }

    pub fn holds(self, left: f64, right: f64) -> bool {
        match self {
            Cmp::Gte => left >= right,
            Cmp::Lte => left <= right,
            Cmp::Gt => left > right,
            Cmp::Lt => left < right,
        }
    }
}

/// A condition, as written in forms (see docs/forms.md).
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Eq {
        q: String,
        value: String,
    },
    In {
        q: String,
        values: Vec<String>,
    },
    Has {
        q: String,
        option: String,
    },
    Compare {
        q: String,
        cmp: Cmp,
        value: f64,
    },
    Answered {
        q: String,
        answered: bool,
    },
    Child(bool),
    /// Some act of the Palermo Protocol was established (only in an effect's `when`).
    Act(bool),
    All(Vec<Condition>),
    Any(Vec<Condition>),
    Not(Box<Condition>),
}

/// What a condition needs to know about the session.
pub trait Facts {
    /// The answer to `q` as a choice id (`yes`, `no`, an option id, `dont_know`, `prefer_not_to_say`),
    /// when it is a single value.
    fn choice(&self, q: &str) -> Option<&str>;
    /// Whether a multi answer includes `option`.
    fn has(&self, q: &str, option: &str) -> bool;
    fn number(&self, q: &str) -> Option<f64>;
    /// A real answer was given (not skipped, not don't know, not prefers not to say).
    fn answered(&self, q: &str) -> bool;
    fn is_child(&self) -> bool;
    /// Some act was established by the answers (known only once the form is finished).
    fn act_established(&self) -> bool {
        false
    }
}

impl Condition {
    pub fn eval(&self, facts: &dyn Facts) -> bool {
        match self {
            Condition::Eq { q, value } => facts.choice(q) == Some(value.as_str()),
            Condition::In { q, values } => facts
                .choice(q)
                .is_some_and(|c| values.iter().any(|v| v == c)),
            Condition::Has { q, option } => facts.has(q, option),
            Condition::Compare { q, cmp, value } => {
                facts.number(q).is_some_and(|n| cmp.holds(n, *value))
            }
            Condition::Answered { q, answered } => facts.answered(q) == *answered,
            Condition::Child(child) => facts.is_child() == *child,
            Condition::Act(act) => facts.act_established() == *act,
            Condition::All(cs) => cs.iter().all(|c| c.eval(facts)),
            Condition::Any(cs) => cs.iter().any(|c| c.eval(facts)),
            Condition::Not(c) => !c.eval(facts),
        }
    }

    /// Every question id the condition refers to, with the option or value it expects (if any).
    pub fn references(&self) -> Vec<(&str, Option<&str>)> {
        let mut out = Vec::new();
        self.collect_refs(&mut out);
        out
    }

    fn collect_refs<'a>(&'a self, out: &mut Vec<(&'a str, Option<&'a str>)>) {
        match self {
            Condition::Eq { q, value } => out.push((q, Some(value))),
            Condition::In { q, values } => {
                out.extend(values.iter().map(|v| (q.as_str(), Some(v.as_str()))))
            }
            Condition::Has { q, option } => out.push((q, Some(option))),
            Condition::Compare { q, .. } | Condition::Answered { q, .. } => out.push((q, None)),
            Condition::Child(_) | Condition::Act(_) => {}
            Condition::All(cs) | Condition::Any(cs) => cs.iter().for_each(|c| c.collect_refs(out)),
            Condition::Not(c) => c.collect_refs(out),
        }
    }

    /// Whether the condition reads whether an act was established.
    pub fn mentions_act(&self) -> bool {
        match self {
            Condition::Act(_) => true,
            Condition::All(cs) | Condition::Any(cs) => cs.iter().any(Condition::mentions_act),
            Condition::Not(c) => c.mentions_act(),
            _ => false,
        }
    }

    /// Whether the condition can hold only when an act was established: `{"act": true}` itself,
    /// or a conjunction with such a part, or a disjunction whose every branch is such.
    pub fn requires_act(&self) -> bool {
        match self {
            Condition::Act(true) => true,
            Condition::All(cs) => cs.iter().any(Condition::requires_act),
            Condition::Any(cs) => cs.iter().all(Condition::requires_act),
            _ => false,
        }
    }

    /// Whether the condition reads the subject's age group.
    pub fn mentions_child(&self) -> bool {
        match self {
            Condition::Child(_) => true,
            Condition::All(cs) | Condition::Any(cs) => cs.iter().any(Condition::mentions_child),
            Condition::Not(c) => c.mentions_child(),
            _ => false,
        }
    }

    fn from_value(v: &Value) -> Result<Condition, String> {
        let obj = v
            .as_object()
            .ok_or_else(|| format!("a condition must be an object, found {v}"))?;
        let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
        let list = |key: &str| -> Result<Vec<Condition>, String> {
            if obj.len() != 1 {
                return Err(format!("'{key}' must be alone in its condition object"));
            }
            match obj.get(key) {
                Some(Value::Array(items)) if !items.is_empty() => {
                    items.iter().map(Condition::from_value).collect()
                }
                _ => Err(format!("'{key}' needs a non-empty list of conditions")),
            }
        };
        if obj.contains_key("all") {
            return list("all").map(Condition::All);
        }
        if obj.contains_key("any") {
            return list("any").map(Condition::Any);
        }
        if let Some(inner) = obj.get("not") {
            if obj.len() != 1 {
                return Err("'not' must be alone in its condition object".into());
            }
            return Ok(Condition::Not(Box::new(Condition::from_value(inner)?)));
        }
        if let Some(act) = obj.get("act") {
            if obj.len() != 1 {
                return Err("'act' must be alone in its condition object".into());
            }
            return act
                .as_bool()
                .map(Condition::Act)
                .ok_or_else(|| "'act' must be true or false".to_string());
        }
        if let Some(child) = obj.get("child") {
            if obj.len() != 1 {
                return Err("'child' must be alone in its condition object".into());
            }
            return child
                .as_bool()
                .map(Condition::Child)
                .ok_or_else(|| "'child' must be true or false".to_string());
        }
        let q = match obj.get("q") {
            Some(Value::String(q)) => q.clone(),
            _ => {
                return Err(format!(
                    "unknown condition with keys {keys:?}: see docs/forms.md"
                ));
            }
        };
        if obj.len() != 2 {
            return Err(format!(
                "condition on '{q}' needs exactly one test besides 'q', found {keys:?}"
            ));
        }
        let (key, value) = obj
            .iter()
            .find(|(k, _)| k.as_str() != "q")
            .ok_or_else(|| format!("condition on '{q}' has no test"))?;
        let string = |v: &Value| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| format!("'{key}' on '{q}' needs a string"))
        };
        let number = |v: &Value| {
            v.as_f64()
                .ok_or_else(|| format!("'{key}' on '{q}' needs a number"))
        };
        match key.as_str() {
            "eq" => Ok(Condition::Eq {
                value: string(value)?,
                q,
            }),
            "has" => Ok(Condition::Has {
                option: string(value)?,
                q,
            }),
            "in" => {
                let values = value
                    .as_array()
                    .filter(|a| !a.is_empty())
                    .ok_or_else(|| format!("'in' on '{q}' needs a non-empty list"))?
                    .iter()
                    .map(string)
                    .collect::<Result<_, _>>()?;
                Ok(Condition::In { q, values })
            }
            "answered" => Ok(Condition::Answered {
                answered: value
                    .as_bool()
                    .ok_or_else(|| format!("'answered' on '{q}' must be true or false"))?,
                q,
            }),
            "gte" => Ok(Condition::Compare {
                cmp: Cmp::Gte,
                value: number(value)?,
                q,
            }),
            "lte" => Ok(Condition::Compare {
                cmp: Cmp::Lte,
                value: number(value)?,
                q,
            }),
            "gt" => Ok(Condition::Compare {
                cmp: Cmp::Gt,
                value: number(value)?,
                q,
            }),
            "lt" => Ok(Condition::Compare {
                cmp: Cmp::Lt,
                value: number(value)?,
                q,
            }),
            other => Err(format!("unknown test '{other}' in condition on '{q}'")),
        }
    }

    fn to_value(&self) -> Value {
        let mut m = Map::new();
        match self {
            Condition::Eq { q, value } => {
                m.insert("q".into(), q.clone().into());
                m.insert("eq".into(), value.clone().into());
            }
            Condition::In { q, values } => {
                m.insert("q".into(), q.clone().into());
                m.insert("in".into(), values.clone().into());
            }
            Condition::Has { q, option } => {
                m.insert("q".into(), q.clone().into());
                m.insert("has".into(), option.clone().into());
            }
            Condition::Compare { q, cmp, value } => {
                m.insert("q".into(), q.clone().into());
                m.insert(cmp.key().into(), (*value).into());
            }
            Condition::Answered { q, answered } => {
                m.insert("q".into(), q.clone().into());
                m.insert("answered".into(), (*answered).into());
            }
            Condition::Child(c) => {
                m.insert("child".into(), (*c).into());
            }
            Condition::Act(a) => {
                m.insert("act".into(), (*a).into());
            }
            Condition::All(cs) => {
                m.insert("all".into(), cs.iter().map(Condition::to_value).collect());
            }
            Condition::Any(cs) => {
                m.insert("any".into(), cs.iter().map(Condition::to_value).collect());
            }
            Condition::Not(c) => {
                m.insert("not".into(), c.to_value());
            }
        }
        Value::Object(m)
    }
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Condition::from_value(&v).map_err(D::Error::custom)
    }
}

impl Serialize for Condition {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct F;
    impl Facts for F {
        fn choice(&self, q: &str) -> Option<&str> {
            (q == "a").then_some("yes")
        }
        fn has(&self, q: &str, o: &str) -> bool {
            q == "m" && o == "x"
        }
        fn number(&self, q: &str) -> Option<f64> {
            (q == "n").then_some(12.0)
        }
        fn answered(&self, q: &str) -> bool {
            q == "a" || q == "n"
        }
        fn is_child(&self) -> bool {
            true
        }
    }

    fn c(json: &str) -> Condition {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn every_form_of_condition_evaluates() {
        let cases = [
            (r#"{"q":"a","eq":"yes"}"#, true),
            (r#"{"q":"a","eq":"no"}"#, false),
            (r#"{"q":"a","in":["no","yes"]}"#, true),
            (r#"{"q":"m","has":"x"}"#, true),
            (r#"{"q":"m","has":"y"}"#, false),
            (r#"{"q":"n","gte":12}"#, true),
            (r#"{"q":"n","gt":12}"#, false),
            (r#"{"q":"n","lte":12}"#, true),
            (r#"{"q":"n","lt":12}"#, false),
            (r#"{"q":"z","lt":100}"#, false),
            (r#"{"q":"n","answered":true}"#, true),
            (r#"{"q":"z","answered":false}"#, true),
            (r#"{"child":true}"#, true),
            (r#"{"all":[{"child":true},{"q":"a","eq":"yes"}]}"#, true),
            (r#"{"any":[{"child":false},{"q":"a","eq":"no"}]}"#, false),
            (r#"{"not":{"q":"z","eq":"yes"}}"#, true),
        ];
        for (json, expected) in cases {
            let cond = c(json);
            assert_eq!(cond.eval(&F), expected, "{json}");
            let again: Condition =
                serde_json::from_value(serde_json::to_value(&cond).unwrap()).unwrap();
            assert_eq!(again, cond, "round trip of {json}");
        }
    }

    #[test]
    fn malformed_conditions_are_named() {
        for (json, needle) in [
            (r#"{"q":"a"}"#, "exactly one test"),
            (r#"{"q":"a","eq":"yes","lt":3}"#, "exactly one test"),
            (r#"{"q":"a","like":"x"}"#, "unknown test 'like'"),
            (r#"{"q":"a","gte":"x"}"#, "needs a number"),
            (r#"{"all":[]}"#, "non-empty list"),
            (r#"{"child":"yes"}"#, "true or false"),
            (r#"{"age":3}"#, "unknown condition"),
            (r#"[1]"#, "must be an object"),
        ] {
            let err = serde_json::from_str::<Condition>(json)
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{json}: {err}");
        }
    }
}
