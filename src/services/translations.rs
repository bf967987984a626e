//! The translator's round trip: `chorus i18n export LANG [--survey ID]` writes a sheet of texts
//! (`src/services/translation_sheet.rs`) and `chorus i18n import FILE` takes the interface texts
//! back into the installation's `i18n_dir`, where the server reads them at start.

use super::interface_texts::{InterfaceTexts, Strings, FALLBACK};
use super::translation_sheet::{Row, Sheet, SheetError};
use crate::survey::{QuestionKind, Survey, Text};
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum TranslationError {
    #[error("'{0}' is not a language code (like sw, ar or pt-br)")]
    BadLanguage(String),
    #[error("the sheet has problems:\n{}", list(.0))]
    BadSheet(Vec<SheetError>),
    #[error("no i18n_dir is set: set i18n_dir in chorus.toml (or CHORUS_I18N_DIR) to where the installation's own interface languages live")]
    NoDirectory,
    #[error("could not write {path}: {source}")]
    Unwritable {
        path: PathBuf,
        source: std::io::Error,
    },
}

fn list(errors: &[SheetError]) -> String {
    errors
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every interface text, English beside the text in `lang` (empty where there is none yet).
pub fn export_interface(texts: &InterfaceTexts, lang: &str) -> Result<String, TranslationError> {
    check_lang(lang)?;
    let english = texts.own(FALLBACK);
    let own = texts.own(lang);
    let rows = english
        .iter()
        .map(|(key, source)| Row {
            key: key.clone(),
            source: source.clone(),
            target: own.get(key).cloned().unwrap_or_default(),
        })
        .collect();
    Ok(Sheet {
        source_lang: FALLBACK.into(),
        target_lang: lang.into(),
        rows,
    }
    .to_csv())
}

/// Every text of a survey, in its default language beside the text in `lang`.
pub fn export_survey(survey: &Survey, lang: &str) -> Result<String, TranslationError> {
    check_lang(lang)?;
    let source_lang = survey
        .languages()
        .first()
        .map_or(FALLBACK, |l| l.as_str())
        .to_owned();
    let mut rows = Vec::new();
    let mut add = |key: String, text: &Text| {
        rows.push(Row {
            key,
            source: text.default_text().to_owned(),
            target: if text.has(lang) {
                text.get(lang).to_owned()
            } else {
                String::new()
            },
        });
    };
    add("survey.title".into(), survey.title());
    if let Some(d) = survey.description() {
        add("survey.description".into(), d);
    }
    for page in survey.pages() {
        add(format!("page.{}.title", page.id), &page.title);
        for q in &page.questions {
            let at = format!("question.{}", q.id.as_str());
            add(format!("{at}.text"), &q.text);
            if let Some(h) = &q.help {
                add(format!("{at}.help"), h);
            }
            match &q.kind {
                QuestionKind::Single { options, .. }
                | QuestionKind::Multi { options, .. }
                | QuestionKind::Likert { options } => {
                    for o in options {
                        add(format!("{at}.option.{}", o.id), &o.text);
                    }
                }
                QuestionKind::Grid { rows, options } => {
                    for r in rows {
                        add(format!("{at}.row.{}", r.id), &r.text);
                    }
                    for o in options {
                        add(format!("{at}.option.{}", o.id), &o.text);
                    }
                }
                QuestionKind::Number { unit: Some(u), .. } => add(format!("{at}.unit"), u),
                QuestionKind::Scale {
                    min_label,
                    max_label,
                    ..
                } => {
                    if let Some(l) = min_label {
                        add(format!("{at}.min_label"), l);
                    }
                    if let Some(l) = max_label {
                        add(format!("{at}.max_label"), l);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(Sheet {
        source_lang,
        target_lang: lang.into(),
        rows,
    }
    .to_csv())
}

/// What an import changed.
#[derive(Debug, PartialEq, Eq)]
pub struct Imported {
    pub lang: String,
    pub texts: usize,
    pub file: PathBuf,
}

/// Reads a sheet of interface texts and writes its translations to `dir/LANG.toml`: every row
/// is checked first, and nothing is written while any is wrong. Rows left empty stay
/// untranslated (peers then see the survey's default language, then English).
pub fn import_interface(
    texts: &InterfaceTexts,
    csv: &str,
    dir: Option<&Path>,
) -> Result<Imported, TranslationError> {
    let sheet = Sheet::from_csv(csv).map_err(TranslationError::BadSheet)?;
    let english = texts.own(FALLBACK);
    let strings = interface_strings(&sheet, &english).map_err(TranslationError::BadSheet)?;
    let dir = dir.ok_or(TranslationError::NoDirectory)?;
    let file = dir.join(format!("{}.toml", sheet.target_lang));
    let unwritable = |source| TranslationError::Unwritable {
        path: file.clone(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(unwritable)?;
    std::fs::write(&file, to_toml(&sheet.target_lang, &strings)).map_err(unwritable)?;
    Ok(Imported {
        lang: sheet.target_lang,
        texts: strings.len(),
        file,
    })
}

/// The translated texts of a sheet, or every row that names no interface text.
pub fn interface_strings(sheet: &Sheet, english: &Strings) -> Result<Strings, Vec<SheetError>> {
    let mut errors = Vec::new();
    let mut strings = Strings::new();
    for (i, row) in sheet.rows.iter().enumerate() {
        if !english.contains_key(&row.key) {
            errors.push(SheetError::BadRow {
                row: i + 2,
                message: format!(
                    "'{}' is not an interface text (survey texts are translated in the survey's definition)",
                    row.key
                ),
            });
        } else if !row.target.trim().is_empty() {
            strings.insert(row.key.clone(), row.target.clone());
        }
    }
    if errors.is_empty() {
        Ok(strings)
    } else {
        Err(errors)
    }
}

fn to_toml(lang: &str, strings: &Strings) -> String {
    let body = toml::to_string(strings).unwrap_or_default();
    format!(
        "# Interface text for peers in '{lang}', imported from a translator's sheet\n\
         # (chorus i18n import). Checked by a native speaker: say so here once someone has.\n{body}"
    )
}

fn check_lang(lang: &str) -> Result<(), TranslationError> {
    crate::survey::Lang::parse(lang)
        .map(|_| ())
        .ok_or_else(|| TranslationError::BadLanguage(lang.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interface_texts_survive_export_and_import_unchanged() {
        let texts = InterfaceTexts::embedded().expect("load");
        let csv = export_interface(&texts, "ar").expect("export");
        let dir = std::env::temp_dir().join(format!("chorus-sheet-{}", std::process::id()));
        let imported = import_interface(&texts, &csv, Some(&dir)).expect("import");
        let back = InterfaceTexts::load(Some(&dir)).expect("reload");
        std::fs::remove_dir_all(&dir).expect("clean");
        assert_eq!(imported.lang, "ar");
        assert_eq!(back.own("ar"), texts.own("ar"));
        assert_eq!(export_interface(&back, "ar").expect("again"), csv);
    }

    #[test]
    fn a_row_naming_no_interface_text_is_refused_and_nothing_is_written() {
        let texts = InterfaceTexts::embedded().expect("load");
        let dir = std::env::temp_dir().join(format!("chorus-sheet-bad-{}", std::process::id()));
        let csv = "key,en,fa\nnext,Next,بعدی\nnexy,Next,بعدی\n";
        let err = import_interface(&texts, csv, Some(&dir)).expect_err("refused");
        assert!(err.to_string().contains("row 3: 'nexy'"), "{err}");
        assert!(!dir.exists());
    }

    #[test]
    fn a_new_language_sheet_becomes_a_language_without_a_rebuild() {
        let texts = InterfaceTexts::embedded().expect("load");
        let dir = std::env::temp_dir().join(format!("chorus-sheet-fa-{}", std::process::id()));
        let csv = "key,en,fa\nnext,Next,بعدی\nback,Back,\n";
        import_interface(&texts, csv, Some(&dir)).expect("import");
        let back = InterfaceTexts::load(Some(&dir)).expect("reload");
        std::fs::remove_dir_all(&dir).expect("clean");
        let fa = back.resolve("fa", "en", None);
        assert_eq!(fa["next"], "بعدی");
        assert_eq!(fa["back"], "Back");
    }

    #[test]
    fn a_survey_sheet_lists_every_text_beside_its_translation() {
        let survey =
            Survey::parse(include_str!("../../surveys/three-languages.toml")).expect("parses");
        let csv = export_survey(&survey, "sw").expect("export");
        let sheet = Sheet::from_csv(&csv).expect("reads");
        assert_eq!(sheet.source_lang, "en");
        assert!(sheet
            .rows
            .iter()
            .any(|r| r.key == "survey.title" && !r.target.is_empty()));
        assert!(sheet.rows.iter().all(|r| !r.source.is_empty()));
    }
}
