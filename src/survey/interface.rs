//! A survey's own wording for single interface texts, per language:
//!
//! ```toml
//! [interface.sw]
//! send = "Tuma majibu yangu"
//! ```
//!
//! The keys are those of `i18n/en.toml`; the peer pages prefer these to the installation's
//! interface files.

use std::collections::BTreeMap;

use toml::de::DeValue;

use super::reader::{Errors, Fields};
use super::text::Lang;

pub type InterfaceTexts = BTreeMap<Lang, BTreeMap<String, String>>;

pub(super) fn read_interface(
    errs: &mut Errors,
    f: &mut Fields<'_, '_>,
    langs: &[Lang],
) -> InterfaceTexts {
    let mut out = InterfaceTexts::new();
    let Some(v) = f.get("interface") else {
        return out;
    };
    let DeValue::Table(by_lang) = v.get_ref() else {
        errs.at(&v.span(), "'interface' must be a table of languages");
        return out;
    };
    for (lang_key, texts) in by_lang.iter() {
        let name = lang_key.get_ref().as_ref();
        let Some(lang) = langs.iter().find(|l| l.as_str().eq_ignore_ascii_case(name)) else {
            errs.at(
                &lang_key.span(),
                format!("'interface.{name}': '{name}' is not in 'languages'"),
            );
            continue;
        };
        let DeValue::Table(texts) = texts.get_ref() else {
            errs.at(&texts.span(), format!("'interface.{name}' must be a table"));
            continue;
        };
        let own = out.entry(lang.clone()).or_default();
        for (key, text) in texts.iter() {
            let key_name = key.get_ref().as_ref();
            let key_ok = !key_name.is_empty()
                && key_name.chars().all(|c| c.is_ascii_lowercase() || c == '_');
            match text.get_ref() {
                DeValue::String(s) if key_ok && !s.trim().is_empty() => {
                    own.insert(key_name.to_owned(), s.to_string());
                }
                _ => errs.at(
                    &text.span(),
                    format!(
                        "'interface.{name}.{key_name}' must be a non-empty text with a key of lowercase letters and _"
                    ),
                ),
            }
        }
    }
    out
}
