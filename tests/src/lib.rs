//! Shared helpers for the golden-vector tests: where the vectors live and how to read them.
//!
//! `tests/vectors/screen/NAME.draft.json` is an answers file (the draft format of docs/forms.md) and
//! `NAME.expected.json` what running it must give. `tests/vectors/score/NAME.json` holds a `relais
//! score` input and its whole expected JSON output, which pins the result format.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The folder of the golden vectors.
pub fn vectors_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("vectors")
}

/// The summary a screen vector expects.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expected {
    pub outcome: String,
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub positive: Option<Vec<String>>,
    pub red_flags: Vec<String>,
    pub language: String,
}

/// A screen vector: its name, the draft's text and the expected summary.
#[derive(Debug, Clone)]
pub struct ScreenVector {
    pub name: String,
    pub draft_path: PathBuf,
    pub draft: String,
    pub expected: Expected,
}

/// Every screen vector, by name. Fails loudly on a draft without its expectation.
pub fn screen_vectors() -> Result<Vec<ScreenVector>, String> {
    let dir = vectors_dir().join("screen");
    let mut names: Vec<String> = fs::read_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter_map(|n| n.strip_suffix(".draft.json").map(str::to_string))
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let draft_path = dir.join(format!("{name}.draft.json"));
            let expected_path = dir.join(format!("{name}.expected.json"));
            let draft = fs::read_to_string(&draft_path).map_err(|e| format!("{name}: {e}"))?;
            let expected_text = fs::read_to_string(&expected_path)
                .map_err(|e| format!("{}: {e}", expected_path.display()))?;
            let expected = serde_json::from_str(&expected_text)
                .map_err(|e| format!("{}: {e}", expected_path.display()))?;
            Ok(ScreenVector {
                name,
                draft_path,
                draft,
                expected,
            })
        })
        .collect()
}

/// The summary of a result in the shape of [`Expected`], from the result's JSON.
pub fn summarise(result: &serde_json::Value) -> Expected {
    let strings = |v: Option<&serde_json::Value>, key: &str| -> Vec<String> {
        v.and_then(|v| v.as_array())
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.get(key).or(Some(x)).and_then(|s| s.as_str()))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let kind = result.get("kind").and_then(|k| k.as_str()).unwrap_or("");
    let outcome = match kind {
        "needs" => result
            .get("needs")
            .and_then(|n| n.as_array())
            .and_then(|n| n.first())
            .and_then(|n| n.get("priority"))
            .and_then(|p| p.as_str())
            .unwrap_or("no_needs")
            .to_string(),
        "risk" => result
            .get("overall")
            .and_then(|o| o.as_str())
            .unwrap_or("none_reported")
            .to_string(),
        "consent" => {
            if result.get("valid_for_interview").and_then(|v| v.as_bool()) == Some(true) {
                "valid".into()
            } else {
                "incomplete".into()
            }
        }
        _ => result
            .get("outcome")
            .and_then(|o| o.as_str())
            .unwrap_or("")
            .to_string(),
    };
    let positive = result
        .get("dimensions")
        .and_then(|d| d.as_object())
        .map(|dims| {
            ["DR", "CR", "VR", "EX", "CD", "VD"]
                .iter()
                .filter(|d| {
                    dims.get(**d)
                        .and_then(|x| x.get("positive"))
                        .and_then(|p| p.as_bool())
                        == Some(true)
                })
                .map(|d| (*d).to_string())
                .collect()
        });
    Expected {
        outcome,
        subject: result
            .get("subject")
            .and_then(|s| s.as_str())
            .map(str::to_string),
        positive,
        red_flags: strings(result.get("red_flags"), "id"),
        language: result
            .get("language")
            .and_then(|l| l.as_str())
            .unwrap_or("")
            .to_string(),
    }
}
pub mod vignettes;
