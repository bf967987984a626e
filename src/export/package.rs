//! One export of a closed survey: open its sealed responses, anonymise them (k-anonymity,
//! ℓ-diversity, roles), and pack `data.csv`, `codebook.csv`, `codebook.xml` (DDI) and the loaders
//! `load.R`, `load.do`, `load.sps` with a signed manifest.
//! Each call is a fresh export: new random row ids, new row order.

use super::anonymise::{anonymise, Params, Refusal};
use super::bundle::{self, BundleError};
use super::{ddi, loaders, rds};
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
    // A survey with coupons exports its recruitment tree as added, anonymised columns.
    let tree = rds::with_tree(&entry.survey, &records, &mut rand::rngs::OsRng)?;
    let mut data = match &tree {
        Some((survey, responses)) => {
            anonymise(survey, responses.iter(), &params, &mut rand::rngs::OsRng)?
        }
        None => anonymise(
            &entry.survey,
            records.iter().map(|r| &r.response),
            &params,
            &mut rand::rngs::OsRng,
        )?,
    };
    let links = rds::close_tree(&mut data);
    let mut load_r = loaders::r::script(&data);
    if let Some(coupons) = entry.survey.coupons().filter(|_| links) {
        load_r.push_str(&loaders::r::rds_lines(coupons));
    }
    let files_err = |e: csv::Error| ExportError::Files(e.to_string());
    let mut files = vec![
        (
            "data.csv".to_owned(),
            data.data_csv().map_err(files_err)?.into_bytes(),
        ),
        (
            "codebook.csv".to_owned(),
            data.codebook_csv().map_err(files_err)?.into_bytes(),
        ),
        ("load.R".to_owned(), load_r.into_bytes()),
        (
            "load.do".to_owned(),
            loaders::stata::script(&data).into_bytes(),
        ),
        (
            "load.sps".to_owned(),
            loaders::spss::script(&data).into_bytes(),
        ),
        (
            "codebook.xml".to_owned(),
            ddi::codebook(entry.survey.title().default_text(), &data).into_bytes(),
        ),
    ];
    for group in &data.groups {
        files.push((
            format!("groups/{}.csv", group.name),
            data.group_csv(group).map_err(files_err)?.into_bytes(),
        ));
    }
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
        "Rows are shuffled and row ids are new for every export. Free text, times and record keys are never exported. Non-answer codes are listed in the missing column of codebook.csv and declared missing by load.R, load.do and load.sps; * means suppressed for anonymity.".into(),
    );
    if links {
        manifest.insert(
            "recruitment_tree".into(),
            "Columns rds_*: fresh ids for this export (rds_id, rds_recruiter_id; 0 = seed, or a recruiter left out for anonymity), rds_seed, rds_wave and rds_coupons_used (quasi-identifiers, shown as they are, since the links give them back), rds_network_size. load.R makes an rds.data.frame when the RDS package is installed.".into(),
        );
    } else if tree.is_some() {
        manifest.insert(
            "recruitment_tree".into(),
            "The links of the recruitment tree (rds_id, rds_recruiter_id, rds_seed) are left out: wave or number of recruits had to be generalised to reach k, and following the links back to a seed would give them back exactly. rds_wave, rds_coupons_used (quasi-identifiers) and rds_network_size remain.".into(),
        );
    }
    Ok(bundle::build(manifest, &files, signing)?)
}
