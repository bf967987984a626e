//! Releases (DESIGN §7): the numbered, frozen sets of disclosure-controlled tables organisers
//! see. A release is computed once — open every sealed response, count (`tally`), perturb,
//! suppress and audit (`disclosure`) — and stored as the exact bytes that are served from then
//! on. Nothing is computed per request, so repeating a request, or asking again after one more
//! response, gains nothing.

mod document;
mod files;

pub use document::{Cell, Line, ReleaseDocument, Table};
pub use files::{csv_zip, table_csv, FilesError};

use crate::disclosure::protect_catalogue;
use crate::store::{Store, StoreError};
use crate::surveys::{SurveyEntry, SurveyRegistry};
use crate::tally::tally;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("there is no survey '{0}'")]
    NoSuchSurvey(String),
    #[error("no tables are published before {0} responses have arrived (so no one can be singled out); there are fewer so far")]
    BelowMinimum(u32),
    #[error("fewer than {0} new responses have arrived since the last release; a new release needs at least {0} more, so that it cannot be compared with the last one to single anyone out")]
    TooFewNew(u32),
    #[error("a response could not be opened with the survey's key; nothing was published")]
    Unreadable,
    #[error(
        "this survey has been shredded; its published releases remain, but no new one can be made"
    )]
    Shredded,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What is stored per release: the served bytes, and how many responses it counted (kept to
/// enforce "at least T new responses"; never shown).
#[derive(Serialize, Deserialize)]
struct Stored {
    counted: usize,
    body: String,
}

/// Publishes the next release of a survey if the rules allow it; returns its number.
/// `closing`: the final release made when a survey closes, which needs no new responses.
pub fn publish(
    store: &Store,
    surveys: &SurveyRegistry,
    survey: &str,
    closing: bool,
) -> Result<u32, PublishError> {
    let entry = surveys
        .get(survey)
        .ok_or_else(|| PublishError::NoSuchSurvey(survey.to_owned()))?;
    let threshold = entry.survey.threshold();
    let min_responses = entry.survey.min_responses();
    let count = store.response_count(survey);
    if !closing && count < min_responses as usize {
        return Err(PublishError::BelowMinimum(min_responses));
    }
    let numbers = store.release_numbers(survey)?;
    if let Some(&last) = numbers.last() {
        let previous = stored(store, survey, last)?;
        if !closing && count < previous.counted + threshold as usize {
            return Err(PublishError::TooFewNew(threshold));
        }
    }
    let number = numbers.last().map_or(1, |n| n + 1);
    let document = compute(store, &entry, number, closing)?;
    let body = serde_json::to_string(&document).map_err(|_| StoreError::Corrupt)?;
    let record = serde_json::to_vec(&Stored {
        counted: count,
        body,
    })
    .map_err(|_| StoreError::Corrupt)?;
    if !store.release_insert(survey, number, &record)? {
        // Someone published the same number a moment ago: theirs stands, frozen.
        return Err(PublishError::TooFewNew(threshold));
    }
    store.durable_blocking()?;
    Ok(number)
}

/// Closes a survey for good and publishes its final release; returns that release's number.
pub fn close_survey(
    store: &Store,
    surveys: &SurveyRegistry,
    survey: &str,
) -> Result<u32, CloseError> {
    surveys.set_state(store, survey, crate::surveys::SurveyState::Closed)?;
    Ok(publish(store, surveys, survey, true)?)
}

#[derive(Debug, thiserror::Error)]
pub enum CloseError {
    #[error(transparent)]
    Survey(#[from] crate::surveys::SurveyError),
    #[error("the survey is closed, but its final release could not be made: {0}")]
    Release(#[from] PublishError),
}

/// The served bytes of release `number`, exactly as published.
pub fn body(store: &Store, survey: &str, number: u32) -> Result<Option<String>, StoreError> {
    match store.release_get(survey, number)? {
        Some(bytes) => {
            let stored: Stored = serde_json::from_slice(&bytes).map_err(|_| StoreError::Corrupt)?;
            Ok(Some(stored.body))
        }
        None => Ok(None),
    }
}

pub fn latest_number(store: &Store, survey: &str) -> Result<Option<u32>, StoreError> {
    Ok(store.release_numbers(survey)?.last().copied())
}

fn stored(store: &Store, survey: &str, number: u32) -> Result<Stored, StoreError> {
    let bytes = store
        .release_get(survey, number)?
        .ok_or(StoreError::Corrupt)?;
    serde_json::from_slice(&bytes).map_err(|_| StoreError::Corrupt)
}

fn compute(
    store: &Store,
    entry: &SurveyEntry,
    number: u32,
    closing: bool,
) -> Result<ReleaseDocument, PublishError> {
    let survey = &entry.survey;
    let records = crate::submissions::open_all(store, entry).map_err(|e| match e {
        crate::submissions::OpenAllError::Shredded => PublishError::Shredded,
        crate::submissions::OpenAllError::Unreadable => PublishError::Unreadable,
        crate::submissions::OpenAllError::Store(e) => PublishError::Store(e),
    })?;
    let enough = records.len() >= survey.min_responses() as usize;
    let released = if enough {
        let catalogue = tally(survey, records.iter().map(|r| (r.record_key, &r.response)));
        protect_catalogue(&catalogue, survey.threshold())
    } else {
        Vec::new()
    };
    Ok(ReleaseDocument::new(
        survey, number, closing, enough, &released,
    ))
}

#[cfg(test)]
mod tests;
