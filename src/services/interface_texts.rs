//! Interface text for peers in every language: the files in `i18n/` (embedded at build time,
//! see `build.rs`), then an installation's own files from its `i18n_dir` (read at start, so a
//! new language needs no rebuild). A text missing in one language falls back, one string at a
//! time, to the survey's default language and then to English.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

include!(concat!(env!("OUT_DIR"), "/translations.rs"));

pub const FALLBACK: &str = "en";

pub type Strings = BTreeMap<String, String>;

#[derive(Debug, thiserror::Error)]
pub enum TextsError {
    #[error("{file}: {message}")]
    BadFile { file: String, message: String },
    #[error("could not read {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("i18n/en.toml is missing")]
    NoEnglish,
    /// The installation's `i18n_dir` cannot be used as set.
    #[error("i18n_dir (or CHORUS_I18N_DIR): {0}")]
    Setting(String),
}

/// Scripts written right to left. Languages not listed read left to right.
const RIGHT_TO_LEFT: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "ha-arab", "he", "khw", "ks", "ku-arab", "ps", "sd", "syr",
    "ug", "ur", "yi",
];

/// Each language's name in its own words, for the language buttons of languages that have no
/// interface file (yet): a survey may be written in any of them.
const NATIVE_NAMES: &[(&str, &str)] = &[
    ("am", "አማርኛ"),
    ("ar", "العربية"),
    ("bg", "Български"),
    ("bn", "বাংলা"),
    ("ckb", "کوردی"),
    ("cs", "Čeština"),
    ("da", "Dansk"),
    ("de", "Deutsch"),
    ("el", "Ελληνικά"),
    ("en", "English"),
    ("es", "Español"),
    ("et", "Eesti"),
    ("fa", "فارسی"),
    ("fi", "Suomi"),
    ("fr", "Français"),
    ("ga", "Gaeilge"),
    ("ha", "Hausa"),
    ("he", "עברית"),
    ("hi", "हिन्दी"),
    ("hr", "Hrvatski"),
    ("hu", "Magyar"),
    ("it", "Italiano"),
    ("ja", "日本語"),
    ("ko", "한국어"),
    ("lt", "Lietuvių"),
    ("lv", "Latviešu"),
    ("mt", "Malti"),
    ("nl", "Nederlands"),
    ("no", "Norsk"),
    ("pl", "Polski"),
    ("ps", "پښتو"),
    ("pt", "Português"),
    ("pt-br", "Português (Brasil)"),
    ("ro", "Română"),
    ("ru", "Русский"),
    ("sk", "Slovenčina"),
    ("sl", "Slovenščina"),
    ("so", "Soomaali"),
    ("sq", "Shqip"),
    ("sr", "Српски"),
    ("sv", "Svenska"),
    ("sw", "Kiswahili"),
    ("ti", "ትግርኛ"),
    ("tr", "Türkçe"),
    ("uk", "Українська"),
    ("ur", "اردو"),
    ("vi", "Tiếng Việt"),
    ("yo", "Yorùbá"),
    ("zh", "中文"),
];

/// Whether `lang` is written right to left (by its primary tag: `ar-eg` is).
pub fn is_rtl(lang: &str) -> bool {
    let primary = lang.split('-').next().unwrap_or(lang);
    RIGHT_TO_LEFT.contains(&lang) || RIGHT_TO_LEFT.contains(&primary)
}

#[derive(Debug)]
pub struct InterfaceTexts {
    /// Each language's own file, as written: no fallback filled in, so that a survey's default
    /// language can fill the gaps before English does.
    by_lang: HashMap<String, Strings>,
}

impl InterfaceTexts {
    /// The embedded files only.
    pub fn embedded() -> Result<InterfaceTexts, TextsError> {
        let mut by_lang = HashMap::new();
        for (lang, source) in TRANSLATIONS {
            by_lang.insert(
                (*lang).to_owned(),
                parse(&format!("i18n/{lang}.toml"), source)?,
            );
        }
        if !by_lang.contains_key(FALLBACK) {
            return Err(TextsError::NoEnglish);
        }
        Ok(InterfaceTexts { by_lang })
    }

    /// The embedded files, then every `LANG.toml` in `dir`: a file for a shipped language
    /// replaces single texts of it, a file for a new language adds the language.
    pub fn load(dir: Option<&Path>) -> Result<InterfaceTexts, TextsError> {
        let mut texts = InterfaceTexts::embedded()?;
        let Some(dir) = dir else { return Ok(texts) };
        let unreadable = |source| TextsError::Unreadable {
            path: dir.to_path_buf(),
            source,
        };
        // A folder not made yet holds no languages: `chorus i18n import` creates it.
        let entries = match std::fs::read_dir(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(texts),
            other => other.map_err(unreadable)?,
        };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect();
        files.sort();
        for path in files {
            let Some(lang) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
                continue;
            };
            let source =
                std::fs::read_to_string(&path).map_err(|source| TextsError::Unreadable {
                    path: path.clone(),
                    source,
                })?;
            let strings = parse(&path.display().to_string(), &source)?;
            texts.by_lang.entry(lang).or_default().extend(strings);
        }
        Ok(texts)
    }

    /// At start-up: like `load`, but a set `i18n_dir` must be a folder that exists, holding
    /// only files that read as interface texts named for a language (`fa.toml`); anything else
    /// stops the start with the setting's name, rather than peers silently missing a language.
    pub fn load_installation(dir: Option<&Path>) -> Result<InterfaceTexts, TextsError> {
        let Some(dir) = dir else {
            return InterfaceTexts::embedded();
        };
        let setting = |m: String| TextsError::Setting(m);
        match std::fs::metadata(dir) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(setting(format!(
                    "{} does not exist: create the folder (chorus i18n import does), or leave the setting out",
                    dir.display()
                )))
            }
            Err(e) => return Err(setting(format!("could not read {}: {e}", dir.display()))),
            Ok(m) if !m.is_dir() => {
                return Err(setting(format!("{} is not a folder", dir.display())))
            }
            Ok(_) => {}
        }
        let entries = std::fs::read_dir(dir)
            .map_err(|e| setting(format!("could not read {}: {e}", dir.display())))?;
        for path in entries.flatten().map(|e| e.path()) {
            let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
            if path.extension().is_some_and(|e| e == "toml")
                && crate::survey::Lang::parse(stem).is_none()
            {
                return Err(setting(format!(
                    "{}: '{stem}' is not a language code; name the file for its language, like fa.toml or pt-br.toml",
                    path.display()
                )));
            }
        }
        InterfaceTexts::load(Some(dir)).map_err(|e| setting(e.to_string()))
    }

    /// The texts to show in `lang`: the survey's own overrides, then the interface file for
    /// `lang`, then the one for the survey's default language, then English — per string.
    pub fn resolve(&self, lang: &str, default_lang: &str, overrides: Option<&Strings>) -> Strings {
        let mut strings = self.by_lang.get(FALLBACK).cloned().unwrap_or_default();
        for layer in [default_lang, lang] {
            if let Some(own) = self.by_lang.get(layer) {
                strings.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
            }
        }
        if let Some(own) = overrides {
            strings.extend(own.iter().map(|(k, v)| (k.clone(), v.clone())));
        }
        // The button always names the language itself, never the fallback's name.
        strings.insert("language_name".into(), self.name_of(lang));
        strings
    }

    /// The language's name in its own words: from its interface file, else the built-in list,
    /// else its code.
    pub fn name_of(&self, lang: &str) -> String {
        self.by_lang
            .get(lang)
            .and_then(|s| s.get("language_name"))
            .cloned()
            .or_else(|| {
                NATIVE_NAMES
                    .iter()
                    .find(|(code, _)| *code == lang)
                    .map(|(_, name)| (*name).to_owned())
            })
            .unwrap_or_else(|| lang.to_owned())
    }

    /// One language's own file, without fallback (empty for a language with none).
    pub fn own(&self, lang: &str) -> Strings {
        self.by_lang.get(lang).cloned().unwrap_or_default()
    }

    /// Every language with an interface file, English first.
    pub fn languages(&self) -> Vec<String> {
        let mut langs: Vec<String> = self.by_lang.keys().cloned().collect();
        langs.sort_by_key(|l| (l != FALLBACK, l.clone()));
        langs
    }

    pub fn has(&self, lang: &str) -> bool {
        self.by_lang.contains_key(lang)
    }
}

fn parse(file: &str, source: &str) -> Result<Strings, TextsError> {
    toml::from_str(source).map_err(|e| TextsError::BadFile {
        file: file.to_owned(),
        message: e.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_i18n_dir_that_is_missing_not_a_folder_or_holds_a_bad_file_is_refused_by_name() {
        let root = std::env::temp_dir().join(format!("chorus-i18n-start-{}", std::process::id()));
        let missing = root.join("missing");
        let err = InterfaceTexts::load_installation(Some(&missing)).expect_err("missing");
        assert!(err.to_string().starts_with("i18n_dir"), "{err}");
        assert!(err.to_string().contains("does not exist"), "{err}");
        std::fs::create_dir_all(&root).expect("mkdir");
        let file = root.join("plain-file");
        std::fs::write(&file, "x").expect("write");
        let err = InterfaceTexts::load_installation(Some(&file)).expect_err("a file");
        assert!(err.to_string().contains("is not a folder"), "{err}");
        let folder = root.join("texts");
        std::fs::create_dir_all(&folder).expect("mkdir");
        std::fs::write(folder.join("fa.toml"), "next = [1]\n").expect("write");
        let err = InterfaceTexts::load_installation(Some(&folder)).expect_err("bad file");
        assert!(err.to_string().contains("fa.toml"), "{err}");
        std::fs::write(folder.join("fa.toml"), "next = \"بعدی\"\n").expect("write");
        std::fs::write(folder.join("Farsi.toml"), "next = \"x\"\n").expect("write");
        let err = InterfaceTexts::load_installation(Some(&folder)).expect_err("bad name");
        assert!(err.to_string().contains("not a language code"), "{err}");
        std::fs::remove_file(folder.join("Farsi.toml")).expect("rm");
        let texts = InterfaceTexts::load_installation(Some(&folder)).expect("good");
        std::fs::remove_dir_all(&root).expect("clean");
        assert!(texts.has("fa"));
    }

    #[test]
    fn every_shipped_translation_has_every_english_key_and_no_other() {
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
    fn the_shipped_languages_include_the_eight_promised_in_the_readme() {
        let t = InterfaceTexts::embedded().expect("load");
        for lang in ["en", "es", "fr", "pt", "de", "it", "sw", "ar"] {
            assert!(t.has(lang), "no i18n/{lang}.toml");
        }
    }

    #[test]
    fn a_missing_text_falls_back_to_the_survey_default_language_then_english() {
        let mut t = InterfaceTexts::embedded().expect("load");
        t.by_lang.insert(
            "xx".into(),
            Strings::from([("next".to_owned(), "Nxt".to_owned())]),
        );
        let s = t.resolve("xx", "es", None);
        assert_eq!(s["next"], "Nxt");
        assert_eq!(s["back"], "Atrás");
        let s = t.resolve("zz", "zz", None);
        assert_eq!(s["next"], "Next");
    }

    #[test]
    fn a_survey_override_wins_over_every_file() {
        let t = InterfaceTexts::embedded().expect("load");
        let own = Strings::from([("send".to_owned(), "Tuma sasa".to_owned())]);
        assert_eq!(t.resolve("sw", "en", Some(&own))["send"], "Tuma sasa");
    }

    #[test]
    fn languages_are_named_in_their_own_words() {
        let t = InterfaceTexts::embedded().expect("load");
        assert_eq!(t.name_of("sw"), "Kiswahili");
        assert_eq!(t.name_of("ar"), "العربية");
        assert_eq!(t.name_of("fr"), "Français");
        assert_eq!(t.name_of("fa"), "فارسی");
        assert_eq!(t.resolve("fa", "en", None)["language_name"], "فارسی");
    }

    #[test]
    fn arabic_farsi_and_urdu_read_right_to_left() {
        assert!(is_rtl("ar") && is_rtl("fa") && is_rtl("ur") && is_rtl("ar-eg"));
        assert!(!is_rtl("en") && !is_rtl("sw"));
    }

    #[test]
    fn an_installation_directory_adds_a_language_and_replaces_single_texts() {
        let dir = std::env::temp_dir().join(format!("chorus-i18n-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        std::fs::write(dir.join("fa.toml"), "next = \"بعدی\"\n").expect("write");
        std::fs::write(dir.join("en.toml"), "send = \"Send\"\n").expect("write");
        let t = InterfaceTexts::load(Some(&dir)).expect("load");
        std::fs::remove_dir_all(&dir).expect("clean");
        assert!(t.has("fa"));
        assert_eq!(t.resolve("fa", "en", None)["next"], "بعدی");
        assert_eq!(t.resolve("fa", "en", None)["back"], "Back");
        assert_eq!(t.resolve("en", "en", None)["send"], "Send");
    }
}
