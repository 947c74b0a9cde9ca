//! Languages, writing direction, and the core's message catalogue for app chrome (one translation
//! set for every platform).

use std::collections::HashMap;

use relais_core::i18n;
use relais_core::lang::{self, Lang};

/// A language the core ships complete texts for; French first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Language {
    Fr,
    En,
    Es,
}

/// Writing direction, for right-to-left layouts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum Direction {
    Ltr,
    Rtl,
}

impl From<Language> for Lang {
    fn from(l: Language) -> Lang {
        match l {
            Language::Fr => Lang::Fr,
            Language::En => Lang::En,
            Language::Es => Lang::Es,
        }
    }
}

impl From<Lang> for Language {
    fn from(l: Lang) -> Language {
        match l {
            Lang::Fr => Language::Fr,
            Lang::En => Language::En,
            Lang::Es => Language::Es,
        }
    }
}

impl From<lang::Direction> for Direction {
    fn from(d: lang::Direction) -> Direction {
        match d {
            lang::Direction::Ltr => Direction::Ltr,
            lang::Direction::Rtl => Direction::Rtl,
        }
    }
}

/// A shipped language, named in itself.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct LanguageInfo {
    pub language: Language,
    /// ISO 639-1 code (`fr`).
    pub code: String,
    /// The language's own name (`Français`).
    pub name: String,
    pub direction: Direction,
}

/// Every shipped language, in order of priority.
#[uniffi::export]
pub fn languages() -> Vec<LanguageInfo> {
    Lang::ALL
        .iter()
        .map(|&l| LanguageInfo {
            language: l.into(),
            code: l.code().to_string(),
            name: i18n::t(l, "lang.name"),
            direction: l.direction().into(),
        })
        .collect()
}

/// The message `key` of the core's catalogue in `language` (an unknown key comes back as itself).
#[uniffi::export]
pub fn ui_text(language: Language, key: String) -> String {
    i18n::t(language.into(), &key)
}

/// The message `key` with its `{name}` placeholders replaced from `args`.
#[uniffi::export]
pub fn ui_text_with(language: Language, key: String, args: HashMap<String, String>) -> String {
    let pairs: Vec<(&str, &str)> = args.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    i18n::tf(language.into(), &key, &pairs)
}
