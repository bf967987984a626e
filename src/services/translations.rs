//! The translator's round trip: `chorus i18n export LANG [--survey ID]` writes a sheet of texts
//! (`src/services/translation_sheet.rs`) and `chorus i18n import FILE` takes the interface texts
//! back into the installation's `i18n_dir`, where the server reads them at start.

use super::interface_texts::{InterfaceTexts, Strings, FALLBACK};
use super::translation_sheet::{Row, Sheet, SheetError};
use super::{Actor, ServiceError};
use crate::installation::Chorus;
use crate::survey::Survey;
use crate::surveys::ImportOutcome;
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
    let rows = super::survey_sheet::texts(survey)
        .into_iter()
        .map(|(key, text)| Row {
            key,
            source: text.default_text().to_owned(),
            target: if text.has(lang) {
                text.get(lang).to_owned()
            } else {
                String::new()
            },
        })
        .collect();
    Ok(Sheet {
        source_lang,
        target_lang: lang.into(),
        rows,
    }
    .to_csv())
}

/// `chorus i18n export LANG --survey ID`: the sheet of a stored survey, while serving or not.
pub fn export_stored_survey(chorus: &Chorus, id: &str, lang: &str) -> Result<String, ServiceError> {
    let entry = super::survey_entry(chorus, id)?;
    Ok(export_survey(&entry.survey, lang)?)
}

/// What taking a survey's sheet back changed.
pub struct SurveyTranslated {
    pub lang: String,
    /// Texts whose translation was written (new or changed).
    pub texts: usize,
    /// Whether the language was added to the survey's `languages`.
    pub added_language: bool,
    /// The translated definition, as now stored.
    pub source: String,
    /// `None` when the sheet changed nothing (then nothing was imported).
    pub import: Option<ImportOutcome>,
}

/// `chorus i18n import FILE --survey ID`: writes a sheet's translations into the survey's
/// stored definition (`translate_definition`) and imports it again through
/// `surveys::import_survey`, which checks that a survey with responses may take it and writes
/// the audit entry. Nothing changes while any row is wrong.
pub fn import_survey_sheet(
    chorus: &Chorus,
    actor: &Actor,
    id: &str,
    csv: &str,
) -> Result<SurveyTranslated, ServiceError> {
    let entry = super::survey_entry(chorus, id)?;
    let translated = translate_definition(&entry.survey, csv)?;
    let import = if translated.texts == 0 {
        None
    } else {
        Some(super::surveys::import_survey(
            chorus,
            actor,
            &translated.source,
        )?)
    };
    Ok(SurveyTranslated {
        import,
        ..translated
    })
}

/// A survey's definition with a sheet's translations written in, keeping its comments and
/// layout. Every row is checked first — it names a text of the survey, and its source text is
/// still the survey's (else the translation may be stale) — and every row that does not fit is
/// reported. Empty translations leave the text as it is.
pub fn translate_definition(
    survey: &Survey,
    csv: &str,
) -> Result<SurveyTranslated, TranslationError> {
    let id = survey.id().as_str();
    let sheet = Sheet::from_csv(csv).map_err(TranslationError::BadSheet)?;
    let default_lang = survey
        .languages()
        .first()
        .map_or(FALLBACK, |l| l.as_str())
        .to_owned();
    let mut errors = Vec::new();
    let head = |message: String| SheetError::BadRow { row: 1, message };
    if sheet.source_lang != default_lang {
        errors.push(head(format!(
            "the source language is '{}', but survey '{id}' is written in '{default_lang}': export the sheet again with chorus i18n export {} --survey {id}",
            sheet.source_lang, sheet.target_lang
        )));
    }
    if sheet.target_lang == default_lang {
        errors.push(head(format!(
            "'{default_lang}' is the survey's own language; the sheet translates into another"
        )));
    }
    let texts = super::survey_sheet::texts(survey);
    let mut source = super::survey_sheet::Source::parse(survey.source(), &default_lang)
        .map_err(|m| TranslationError::BadSheet(vec![head(m)]))?;
    let mut changed = 0;
    for (i, row) in sheet.rows.iter().enumerate() {
        let bad = |message: String| SheetError::BadRow {
            row: i + 2,
            message,
        };
        let Some((_, text)) = texts.iter().find(|(key, _)| *key == row.key) else {
            errors.push(bad(format!("'{}' is not a text of survey '{id}'", row.key)));
            continue;
        };
        if row.source != text.default_text() {
            errors.push(bad(format!(
                "the source text of '{}' is no longer the survey's (now: \"{}\"), so the translation may be stale: translate the current text",
                row.key,
                text.default_text()
            )));
            continue;
        }
        let same = text.has(&sheet.target_lang) && text.get(&sheet.target_lang) == row.target;
        if row.target.trim().is_empty() || same {
            continue;
        }
        match source.set(&row.key, &sheet.target_lang, &row.target) {
            Ok(()) => changed += 1,
            Err(m) => errors.push(bad(m)),
        }
    }
    let added_language = changed > 0
        && !survey
            .languages()
            .iter()
            .any(|l| l.as_str() == sheet.target_lang);
    if added_language {
        if let Err(m) = source.declare(&sheet.target_lang) {
            errors.push(head(m));
        }
    }
    if !errors.is_empty() {
        return Err(TranslationError::BadSheet(errors));
    }
    Ok(SurveyTranslated {
        lang: sheet.target_lang,
        texts: changed,
        added_language,
        source: if changed > 0 {
            source.into_string()
        } else {
            survey.source().to_owned()
        },
        import: None,
    })
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

    const AWKWARD: &str = r#"# The organiser's own notes stay.
id = "awkward"
title = "Drugs, \"safer\" use, and you"
description = { en = "=1+1 is not a formula\nSecond line" }
languages = ["en"]
mode = "invite"

[[pages]]
title = "+ About you"

  [[pages.questions]]
  id = "age"
  type = "number"
  role = "quasi"
  min = 16
  max = 99
  bands = [[16, 34], [35, 99]]
  unit = "-years"
  text = "@How old are you?"
  help = "'=quoted already"

  [[pages.questions]]
  id = "used"
  type = "single"
  role = "sensitive"
  text = { en = "Did you use, in the last month?" } # keep this comment
  options = [
    { id = "yes", text = "Yes" },
    { id = "no", text = { en = "No" } },
  ]

  [[pages.questions]]
  id = "feel"
  type = "scale"
  role = "plain"
  min = 0
  max = 10
  min_label = "Not at all"
  max_label = "Very, \"very\" much"
  text = "How safe do you feel?"

[[pages]]
id = "services"
title = "Services"

  [[pages.questions]]
  id = "grams"
  type = "number"
  role = "plain"
  min = 0
  max = 5
  step = 0.1
  unit = "grams, about"
  text = "How much, on a typical day?"
  messages = { required = "Say how much, even roughly", invalid = { en = "From 0 to 5, e.g. 0.5" } }
  checks = [ { holds = "grams <= 4", message = "That is a lot, \"really\"?" } ]

  [[pages.questions]]
  id = "grid"
  type = "grid"
  role = "plain"
  text = "Rate these"
  rows = [ { id = "nsp", text = "Needles" } ]
  options = [ { id = "good", text = "Good" }, { id = "bad", text = "Bad" } ]
"#;

    /// Fills every row of a sheet with an awkward translation of its own.
    fn fill(csv: &str, lang: &str) -> String {
        let mut sheet = Sheet::from_csv(csv).expect("reads");
        let awkward = [
            "نعم، \"بالتأكيد\"",
            "=SUM(A1:A9)",
            "+1, then -2",
            "-قبل\nبعد",
            "@mention",
            "'=already quoted",
            "plain, with a comma",
        ];
        for (i, row) in sheet.rows.iter_mut().enumerate() {
            row.target = format!("{} ({lang} {i})", awkward[i % awkward.len()]);
        }
        sheet.to_csv()
    }

    #[test]
    fn a_survey_sheet_filled_in_and_imported_exports_again_exactly_as_filled() {
        let survey = Survey::parse(AWKWARD).expect("parses");
        let empty = export_survey(&survey, "ar").expect("export");
        assert!(Sheet::from_csv(&empty)
            .expect("reads")
            .rows
            .iter()
            .all(|r| r.target.is_empty()));
        let filled = fill(&empty, "ar");
        let translated = translate_definition(&survey, &filled).expect("imports");
        assert!(translated.added_language);
        let keys: Vec<String> = Sheet::from_csv(&filled)
            .expect("reads")
            .rows
            .into_iter()
            .map(|r| r.key)
            .collect();
        for key in [
            "question.grams.unit",
            "question.grams.message.required",
            "question.grams.message.invalid",
            "question.grams.check.1",
        ] {
            assert!(keys.iter().any(|k| k == key), "{key} on the sheet");
        }
        assert_eq!(
            translated.texts,
            Sheet::from_csv(&filled).expect("reads").rows.len()
        );
        assert!(translated
            .source
            .contains("# The organiser's own notes stay."));
        assert!(translated.source.contains("# keep this comment"));
        let again = Survey::parse(&translated.source).expect("the translated definition parses");
        assert_eq!(export_survey(&again, "ar").expect("export again"), filled);
        assert_eq!(
            export_survey(&again, "en").expect("source"),
            export_survey(&survey, "en").expect("source")
        );
        // Taking the same sheet back again changes nothing.
        let twice = translate_definition(&again, &filled).expect("imports again");
        assert_eq!(twice.texts, 0);
        assert_eq!(twice.source, translated.source);
        // A second language joins the first.
        let sw = fill(&export_survey(&again, "sw").expect("export sw"), "sw");
        let both = translate_definition(&again, &sw).expect("imports sw");
        let both = Survey::parse(&both.source).expect("parses");
        assert_eq!(export_survey(&both, "ar").expect("ar"), filled);
        assert_eq!(export_survey(&both, "sw").expect("sw"), sw);
    }

    #[test]
    fn every_row_that_does_not_fit_a_survey_is_reported_and_nothing_is_translated() {
        let survey = Survey::parse(AWKWARD).expect("parses");
        let csv = "key,en,ar\n\
                   survey.title,\"Drugs, \"\"safer\"\" use, and you\",عنوان\n\
                   question.nope.text,Nope,لا\n\
                   page.services.title,Old services,الخدمات\n\
                   question.used.option.yes,Yes,نعم\n";
        let Err(TranslationError::BadSheet(errors)) = translate_definition(&survey, csv) else {
            panic!("refused");
        };
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(
            lines[0].starts_with("row 3: 'question.nope.text' is not a text"),
            "{lines:?}"
        );
        assert!(
            lines[1].starts_with("row 4:") && lines[1].contains("stale"),
            "{lines:?}"
        );
        let wrong_source = "key,fr,ar\nsurvey.title,x,y\n";
        let Err(TranslationError::BadSheet(errors)) = translate_definition(&survey, wrong_source)
        else {
            panic!("refused");
        };
        assert!(errors[0]
            .to_string()
            .starts_with("row 1: the source language is 'fr'"));
    }
}
