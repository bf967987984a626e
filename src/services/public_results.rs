//! Reporting back to the community: a survey's latest release shown at `/r/{survey}`, off by
//! default. Switching it on or off is audited; reading the public page is not (anyone may).

use super::{audit, survey_entry, Actor, ServiceError};
use crate::installation::Chorus;
use crate::release::{self, ReleaseDocument};
use crate::survey::Survey;
use std::sync::Arc;

/// At most this many table ids may be chosen, each at most this long.
const MAX_TABLES: usize = 1000;
const MAX_TABLE_ID: usize = 200;

/// Shows (`public`) or stops showing the survey's latest release at `/r/{survey}`. `tables`
/// names the tables shown; `None` shows all of the release's tables.
pub fn set_public_results(
    chorus: &Chorus,
    actor: &Actor,
    survey: &str,
    public: bool,
    tables: Option<Vec<String>>,
) -> Result<(), ServiceError> {
    let entry = survey_entry(chorus, survey)?;
    if public && tables.as_ref().is_some_and(Vec::is_empty) {
        return Err(ServiceError::NoTableChosen);
    }
    if let Some(t) = &tables {
        if t.len() > MAX_TABLES || t.iter().any(|id| id.is_empty() || id.len() > MAX_TABLE_ID) {
            return Err(ServiceError::TableChoice);
        }
        // Every table the survey can have, whether or not a release shows it yet: the
        // catalogue of no responses names them all.
        let catalogue = crate::tally::tally(&entry.survey, std::iter::empty());
        let unknown: Vec<String> = t
            .iter()
            .filter(|id| catalogue.get(id).is_none())
            .map(|id| format!("'{}'", id.chars().take(64).collect::<String>()))
            .collect();
        if !unknown.is_empty() {
            return Err(ServiceError::UnknownTables(unknown.join(", ")));
        }
    }
    let detail = match (&tables, public) {
        (_, false) => None,
        (None, true) => Some("all tables".to_owned()),
        (Some(t), true) => Some(format!("{} chosen tables", t.len())),
    };
    chorus
        .surveys
        .set_public(&chorus.store, survey, public, tables)?;
    audit(
        chorus,
        actor,
        if public {
            "make results public"
        } else {
            "stop public results"
        },
        Some(survey),
        detail,
    );
    Ok(())
}

/// Whether the survey's results are public, and the tables chosen (`None`: all).
pub fn public_setting(
    chorus: &Chorus,
    survey: &str,
) -> Result<(bool, Option<Vec<String>>), ServiceError> {
    let entry = survey_entry(chorus, survey)?;
    Ok((entry.public_results, entry.public_tables.clone()))
}

/// What the public page shows: the survey and its latest release with only the chosen tables.
/// `None` — the same for an unknown survey, one that is not public, and one with no release —
/// so the public address says nothing about surveys that are not shown.
pub fn public_release(chorus: &Chorus, survey: &str) -> Option<(Arc<Survey>, ReleaseDocument)> {
    let entry = chorus.surveys.get(survey)?;
    if !entry.public_results {
        return None;
    }
    let number = release::latest_number(&chorus.store, survey).ok()??;
    let body = release::body(&chorus.store, &entry, number).ok()??;
    let mut doc: ReleaseDocument = serde_json::from_str(&body).ok()?;
    // Final also when closing published nothing new and the frozen document predates it.
    doc.is_final = release::is_final(&chorus.store, &chorus.surveys, survey, number).ok()?;
    if let Some(chosen) = &entry.public_tables {
        doc.tables.retain(|t| chosen.iter().any(|c| c == &t.id));
    }
    Some((Arc::clone(&entry.survey), doc))
}
