//! Interface text in the peer's language. Every file in `i18n/` is embedded at build time
//! (see `build.rs`); a key missing from a translation falls back to English.

use std::collections::{BTreeMap, HashMap};

include!(concat!(env!("OUT_DIR"), "/translations.rs"));

pub const FALLBACK: &str = "en";

pub type Strings = BTreeMap<String, String>;

pub struct Translations {
    by_lang: HashMap<String, Strings>,
}

impl Translations {
    /// Parses every embedded file; a broken file is a build-time mistake and stops start-up.
    pub fn load() -> Result<Translations, String> {
        let mut by_lang = HashMap::new();
        for (lang, source) in TRANSLATIONS {
            let strings: Strings =
                toml::from_str(source).map_err(|e| format!("i18n/{lang}.toml: {e}"))?;
            by_lang.insert((*lang).to_owned(), strings);
        }
        let fallback = by_lang
            .get(FALLBACK)
            .cloned()
            .ok_or("i18n/en.toml is missing")?;
        for strings in by_lang.values_mut() {
            for (key, value) in &fallback {
                strings.entry(key.clone()).or_insert_with(|| value.clone());
            }
        }
        Ok(Translations { by_lang })
    }

    /// The strings for `lang`, or English when there is no such translation.
    pub fn get(&self, lang: &str) -> &Strings {
        self.by_lang
            .get(lang)
            .or_else(|| self.by_lang.get(FALLBACK))
            .unwrap_or_else(|| unreachable!("English is checked at load"))
    }

    /// Every translated language, English first.
    pub fn languages(&self) -> Vec<String> {
        let mut langs: Vec<String> = self.by_lang.keys().cloned().collect();
        langs.sort_by_key(|l| (l != FALLBACK, l.clone()));
        langs
    }

    pub fn has(&self, lang: &str) -> bool {
        self.by_lang.contains_key(lang)
    }
}

/// The language to show: an explicit choice if the survey offers it, else the first of the
/// browser's `Accept-Language` preferences that the survey offers, else the survey's default.
pub fn negotiate(
    offered: &[String],
    chosen: Option<&str>,
    accept_language: Option<&str>,
) -> String {
    let default = offered
        .first()
        .cloned()
        .unwrap_or_else(|| FALLBACK.to_owned());
    if let Some(chosen) = chosen.filter(|c| offered.iter().any(|o| o == c)) {
        return chosen.to_owned();
    }
    let mut preferences: Vec<(f32, String)> = accept_language
        .unwrap_or("")
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next()?.trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            (!tag.is_empty() && q > 0.0).then_some((q, tag))
        })
        .collect();
    preferences.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (_, tag) in preferences {
        let primary = tag.split('-').next().unwrap_or("");
        if let Some(hit) = offered.iter().find(|o| **o == tag).or_else(|| {
            offered
                .iter()
                .find(|o| o.split('-').next() == Some(primary))
        }) {
            return hit.clone();
        }
    }
    default
}

#[cfg(test)]
mod tests {
    use super::*;

    fn offered() -> Vec<String> {
        vec!["en".into(), "es".into()]
    }

    #[test]
    fn every_translation_has_every_english_key() {
        let english: Strings =
            toml::from_str(TRANSLATIONS.iter().find(|(l, _)| *l == "en").expect("en").1)
                .expect("en parses");
        for (lang, source) in TRANSLATIONS {
            let strings: Strings = toml::from_str(source).expect("parses");
            for key in english.keys() {
                assert!(strings.contains_key(key), "i18n/{lang}.toml lacks {key}");
            }
            for key in strings.keys() {
                assert!(
                    english.contains_key(key),
                    "i18n/{lang}.toml has unknown key {key}"
                );
            }
        }
    }

    #[test]
    fn an_explicit_choice_wins_when_offered() {
        assert_eq!(negotiate(&offered(), Some("es"), Some("en")), "es");
        assert_eq!(negotiate(&offered(), Some("fr"), None), "en");
    }

    #[test]
    fn the_browser_preference_is_used_by_weight_and_primary_tag() {
        assert_eq!(
            negotiate(&offered(), None, Some("fr;q=0.9, es-MX;q=0.8, en;q=0.5")),
            "es"
        );
        assert_eq!(negotiate(&offered(), None, Some("de")), "en");
        assert_eq!(negotiate(&offered(), None, Some("es;q=0")), "en");
    }

    #[test]
    fn a_language_without_a_translation_falls_back_to_english_strings() {
        let t = Translations::load().expect("load");
        assert_eq!(t.get("xx").get("next").map(String::as_str), Some("Next"));
        assert_eq!(
            t.get("es").get("next").map(String::as_str),
            Some("Siguiente")
        );
    }
}
