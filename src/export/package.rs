//! One export of a closed survey: open its sealed responses, anonymise them (k-anonymity,
//! ℓ-diversity, roles), and pack `data.csv`, `codebook.csv`, `load.R` with a signed manifest.
//! Each call is a fresh export: new random row ids, new row order.

use super::anonymise::{anonymise, Anonymised, Params, Refusal, ValueFormat};
use super::bundle::{self, BundleError};
use crate::store::Store;
use crate::surveys::{SurveyRegistry, SurveyState};
use crate::vault::SigningKey;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("there is no survey '{0}'")]
    NoSuchSurvey(String),
    #[error("only a closed survey can be exported")]
    NotClosed,
    #[error("this survey has been shredded; there is nothing to export")]
    Shredded,
    #[error("the data cannot be exported safely: {0}")]
    Refused(#[from] Refusal),
    #[error("a response could not be opened with the survey's key; nothing was exported")]
    Unreadable,
    #[error(transparent)]
    Bundle(#[from] BundleError),
    #[error("could not write the files: {0}")]
    Files(String),
}

/// Builds the signed zip for `survey`, dated `day` (`YYYY-MM-DD`; no time of day).
pub fn build(
    store: &Store,
    surveys: &SurveyRegistry,
    signing: &SigningKey,
    survey: &str,
    day: &str,
) -> Result<Vec<u8>, ExportError> {
    let entry = surveys
        .get(survey)
        .ok_or_else(|| ExportError::NoSuchSurvey(survey.to_owned()))?;
    if entry.shredded {
        return Err(ExportError::Shredded);
    }
    if entry.state != SurveyState::Closed {
        return Err(ExportError::NotClosed);
    }
    let records =
        crate::submissions::open_all(store, &entry).map_err(|_| ExportError::Unreadable)?;
    let params = Params::for_survey(&entry.survey);
    let data = anonymise(
        &entry.survey,
        records.iter().map(|r| &r.response),
        &params,
        &mut rand::rngs::OsRng,
    )?;
    let files_err = |e: csv::Error| ExportError::Files(e.to_string());
    let files = vec![
        (
            "data.csv".to_owned(),
            data.data_csv().map_err(files_err)?.into_bytes(),
        ),
        (
            "codebook.csv".to_owned(),
            data.codebook_csv().map_err(files_err)?.into_bytes(),
        ),
        ("load.R".to_owned(), r_script(&data).into_bytes()),
    ];
    let mut manifest = serde_json::Map::new();
    manifest.insert("survey".into(), survey.into());
    manifest.insert("title".into(), entry.survey.title().default_text().into());
    manifest.insert("exported_on".into(), day.into());
    manifest.insert("k_requested".into(), data.k_requested.into());
    manifest.insert("k_achieved".into(), data.achieved_k.into());
    manifest.insert("l_requested".into(), data.l_requested.into());
    manifest.insert("l_achieved".into(), data.achieved_l.into());
    manifest.insert(
        "records".into(),
        (data.records - data.records_suppressed).into(),
    );
    manifest.insert("records_suppressed".into(), data.records_suppressed.into());
    let levels: serde_json::Map<String, serde_json::Value> = data
        .levels
        .iter()
        .map(|(q, l)| {
            (
                q.clone(),
                serde_json::json!({ "level": l.number, "of": l.top, "name": l.name }),
            )
        })
        .collect();
    manifest.insert("levels".into(), serde_json::Value::Object(levels));
    manifest.insert(
        "withheld_columns".into(),
        data.withheld_columns.clone().into(),
    );
    manifest.insert(
        "notes".into(),
        "Rows are shuffled and row ids are new for every export. Free text, times and record keys are never exported. Negative codes are non-answers (see codebook.csv); * means suppressed for anonymity.".into(),
    );
    Ok(bundle::build(manifest, &files, signing)?)
}

/// `load.R`: reads `data.csv` with the codebook's labels as factors.
fn r_script(data: &Anonymised) -> String {
    let mut out = String::from(
        "# Reads data.csv with the codebook's labels as factors.\n# Usage: source(\"load.R\"); str(chorus)\nchorus <- read.csv(\"data.csv\", na.strings = \"*\", stringsAsFactors = FALSE)\n",
    );
    for column in &data.columns {
        let labelled = matches!(
            column.format,
            ValueFormat::Categories | ValueFormat::Selected
        ) || !column.codes.is_empty();
        if !labelled || column.codes.is_empty() {
            continue;
        }
        let codes: Vec<String> = column.codes.iter().map(|c| c.code.to_string()).collect();
        let labels: Vec<String> = column.codes.iter().map(|c| r_string(&c.label)).collect();
        let name = r_string(&column.name);
        if column.format == ValueFormat::Categories {
            out.push_str(&format!(
                "chorus[[{name}]] <- factor(chorus[[{name}]], levels = c({}), labels = c({}))\n",
                codes.join(", "),
                labels.join(", ")
            ));
        } else {
            out.push_str(&format!(
                "# {name}: codes {} mean {}\n",
                codes.join(", "),
                column
                    .codes
                    .iter()
                    .map(|c| c.label.replace('\n', " "))
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    out
}

/// A double-quoted R string literal.
fn r_string(text: &str) -> String {
    let escaped: String = text
        .chars()
        .map(|c| match c {
            '"' => "\\\"".to_owned(),
            '\\' => "\\\\".to_owned(),
            '\n' => "\\n".to_owned(),
            c if c.is_control() => String::new(),
            c => c.to_string(),
        })
        .collect();
    format!("\"{escaped}\"")
}
