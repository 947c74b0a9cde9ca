//! The core's message catalogue: every sentence the core writes itself (results, explanations, next
//! steps, screen chrome, validation messages), in each shipped language.
//!
//! Messages live in `core/data/i18n/<lang>.json` as flat `key → text` maps; `{name}` marks a
//! placeholder. Tests check that every language has every key with the same placeholders, and that
//! every key the code uses exists.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use crate::lang::Lang;

type Messages = BTreeMap<String, String>;

fn parse(lang: Lang, json: &str) -> Messages {
    // The catalogue files are checked by `catalogues_are_complete` below; a parse failure can only
    // come from a build that skipped the test suite, and then an empty catalogue makes `t` return
    // the keys themselves rather than crash a field worker's phone.
    serde_json::from_str(json).unwrap_or_else(|_| {
        debug_assert!(false, "i18n catalogue {lang} does not parse");
        Messages::new()
    })
}

/// The embedded catalogue of a language.
pub fn messages(lang: Lang) -> &'static Messages {
    static FR: OnceLock<Messages> = OnceLock::new();
    static EN: OnceLock<Messages> = OnceLock::new();
    static ES: OnceLock<Messages> = OnceLock::new();
    match lang {
        Lang::Fr => FR.get_or_init(|| parse(lang, include_str!("../data/i18n/fr.json"))),
        Lang::En => EN.get_or_init(|| parse(lang, include_str!("../data/i18n/en.json"))),
        Lang::Es => ES.get_or_init(|| parse(lang, include_str!("../data/i18n/es.json"))),
    }
}

/// The message `key` in `lang`. An unknown key returns the key itself (tests forbid that state).
pub fn t(lang: Lang, key: &str) -> String {
    messages(lang)
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// The message `key` in `lang` with its `{name}` placeholders replaced (in one pass; a
/// placeholder without a value is kept as it is).
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    let Some(template) = messages(lang).get(key) else {
        return fill(key, args);
    };
    fill(template, args)
}

fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = String::with_capacity(template.len() + 32);
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                let name = &after[..end];
                match args.iter().find(|(n, _)| *n == name) {
                    Some((_, value)) => out.push_str(value),
                    None => {
                        out.push('{');
                        out.push_str(name);
                        out.push('}');
                    }
                }
                rest = &after[end + 1..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The placeholder names of a message, in order of appearance.
pub fn placeholders(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find('{') {
        let after = &rest[start + 1..];
        match after.find('}') {
            Some(end) => {
                out.push(after[..end].to_string());
                rest = &after[end + 1..];
            }
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_are_complete() {
        let reference = messages(Lang::Fr);
        assert!(!reference.is_empty());
        for lang in Lang::ALL {
            let msgs = messages(lang);
            for (key, text) in reference {
                let other = msgs
                    .get(key)
                    .unwrap_or_else(|| panic!("{lang}: missing {key}"));
                assert!(!other.trim().is_empty(), "{lang}: empty {key}");
                let mut a = placeholders(text);
                let mut b = placeholders(other);
                a.sort();
                b.sort();
                assert_eq!(a, b, "{lang}: placeholders of {key}");
            }
            for key in msgs.keys() {
                assert!(reference.contains_key(key), "{lang}: extra key {key}");
            }
        }
    }

    #[test]
    fn no_message_says_victim_without_possible() {
        for lang in Lang::ALL {
            for (key, text) in messages(lang) {
                let bad = crate::wording::unqualified_victim(text);
                assert!(bad.is_empty(), "{lang} {key}: {bad:?}");
            }
        }
        for ind in &crate::catalogue::Catalogue::embedded().indicators {
            for lang in Lang::ALL {
                let bad = crate::wording::unqualified_victim(ind.title.get(lang));
                assert!(bad.is_empty(), "{} ({lang}): {bad:?}", ind.id);
            }
        }
    }

    #[test]
    fn placeholders_are_replaced() {
        assert_eq!(placeholders("a {x} b {y}"), vec!["x", "y"]);
        assert_eq!(
            tf(Lang::En, "no.such.key {x}", &[("x", "1")]),
            "no.such.key 1"
        );
    }
}
