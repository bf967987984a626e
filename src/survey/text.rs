//! Translated text: a default-language text plus optional translations.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};

/// A language tag such as `en`, `es` or `pt-br`: 2–3 lowercase letters, optionally followed by
/// `-` and 2–8 lowercase letters or digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(into = "String")]
pub struct Lang(String);

impl Lang {
    /// A language code, in lower case whatever case it was written in (`fr-CA`, the usual
    /// way to write BCP 47, is `fr-ca`; tags compare without regard to case).
    pub fn parse(s: &str) -> Option<Lang> {
        let s = s.to_ascii_lowercase();
        let (primary, region) = match s.split_once('-') {
            Some((p, r)) => (p, Some(r)),
            None => (s.as_str(), None),
        };
        let primary_ok =
            (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_lowercase());
        let region_ok = region.is_none_or(|r| {
            (2..=8).contains(&r.len())
                && r.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
        (primary_ok && region_ok).then(|| Lang(s.clone()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Lang> for String {
    fn from(l: Lang) -> String {
        l.0
    }
}

/// A text in the survey's default language, with translations into other listed languages.
/// A missing translation falls back to the default language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    default_lang: Lang,
    by_lang: BTreeMap<Lang, String>,
}

impl Text {
    /// Builds a text; `by_lang` must contain `default_lang` (the definition parser checks).
    pub(super) fn new(default_lang: Lang, by_lang: BTreeMap<Lang, String>) -> Text {
        Text {
            default_lang,
            by_lang,
        }
    }

    /// The text in `lang`, or in the default language when there is no such translation.
    pub fn get(&self, lang: &str) -> &str {
        self.by_lang
            .iter()
            .find(|(l, _)| l.as_str().eq_ignore_ascii_case(lang))
            .or_else(|| self.by_lang.get_key_value(&self.default_lang))
            .map_or("", |(_, t)| t.as_str())
    }

    /// The text in the default language.
    pub fn default_text(&self) -> &str {
        self.get(self.default_lang.as_str())
    }

    /// Whether a translation exists for `lang` (without falling back).
    pub fn has(&self, lang: &str) -> bool {
        self.by_lang
            .keys()
            .any(|l| l.as_str().eq_ignore_ascii_case(lang))
    }

    /// `self` and `other` joined by `sep` in every language either has (each falling back to
    /// its default language): a typed grid's cell is labelled "row — column".
    pub(super) fn joined(&self, sep: &str, other: &Text) -> Text {
        let by_lang = self
            .by_lang
            .keys()
            .chain(other.by_lang.keys())
            .map(|l| {
                let text = format!("{}{sep}{}", self.get(l.as_str()), other.get(l.as_str()));
                (l.clone(), text)
            })
            .collect();
        Text::new(self.default_lang.clone(), by_lang)
    }

    /// Every translation rewritten by `f(lang, text)`: a repeating page's title gets its
    /// instance, and its texts their `{item}`.
    pub(super) fn map_each(&self, f: impl Fn(&str, &str) -> String) -> Text {
        let by_lang = self
            .by_lang
            .iter()
            .map(|(l, t)| (l.clone(), f(l.as_str(), t)))
            .collect();
        Text::new(self.default_lang.clone(), by_lang)
    }

    /// All translations, by language.
    pub fn translations(&self) -> &BTreeMap<Lang, String> {
        &self.by_lang
    }
}

/// Serialized as an object `{ "en": "...", "es": "..." }`.
impl Serialize for Text {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.by_lang.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(s: &str) -> Lang {
        Lang::parse(s).expect("valid language")
    }

    #[test]
    fn language_tags_are_short_codes_kept_in_lower_case() {
        assert!(Lang::parse("en").is_some());
        assert!(Lang::parse("pt-br").is_some());
        // BCP 47 as usually written: the same tag, whatever the case.
        assert_eq!(Lang::parse("fr-CA"), Lang::parse("fr-ca"));
        assert_eq!(Lang::parse("EN").map(|l| l.to_string()), Some("en".into()));
        assert!(Lang::parse("english").is_none());
        assert!(Lang::parse("").is_none());
    }

    #[test]
    fn a_missing_translation_falls_back_to_the_default_language() {
        let mut m = BTreeMap::new();
        m.insert(lang("en"), "Hello".to_string());
        m.insert(lang("es"), "Hola".to_string());
        let t = Text::new(lang("en"), m);
        assert_eq!(t.get("es"), "Hola");
        assert_eq!(t.get("fr"), "Hello");
        assert_eq!(t.default_text(), "Hello");
        assert!(t.has("es") && !t.has("fr"));
    }
}
