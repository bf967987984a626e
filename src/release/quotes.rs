//! Quotes an organiser picks from free-text answers for the next release. A pick is a copy of
//! the words alone — never a reference to the response they came from — kept sealed with the
//! survey's data key until the next release takes them in (and then forgotten here). A release
//! lists them under their question; they are never counted and never part of the CSV files or
//! an anonymised export.

use crate::store::{Store, StoreError};
use crate::surveys::SurveyEntry;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// The quotes of one question in a release.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct QuoteGroup {
    /// The question's id.
    pub question: String,
    /// The question's words in the survey's default language.
    pub title: String,
    pub texts: Vec<String>,
}

/// Picks waiting for the next release: (question id, words), in the order picked.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Pending {
    picks: Vec<(String, String)>,
}

/// Serialises read-change-write of the pending picks.
static PENDING: Mutex<()> = Mutex::new(());

/// Associated data of the sealed picks: bound to the survey like any sealed record.
const SEALED_AS: &[u8] = b"pending-quotes";

fn meta_name(survey: &str) -> String {
    format!("pending_quotes:{survey}")
}

#[derive(Debug, thiserror::Error)]
pub enum QuoteError {
    #[error("this survey has been shredded; nothing can be picked from it")]
    Shredded,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn read(store: &Store, entry: &SurveyEntry) -> Result<Pending, QuoteError> {
    let survey = entry.survey.id().as_str();
    let Some(sealed) = store.meta_get(&meta_name(survey))? else {
        return Ok(Pending::default());
    };
    let key = entry.data_key.as_ref().ok_or(QuoteError::Shredded)?;
    match key.open_response(survey, SEALED_AS, &sealed) {
        Ok(plain) => serde_json::from_slice(&plain).map_err(|_| StoreError::Corrupt.into()),
        Err(_) => {
            // Sealed under a key that has since been replaced (rekey): the picks are lost, and
            // the organiser picks again. Never a reason to refuse a release.
            tracing::warn!(
                survey,
                "pending quotes could not be opened; they are dropped"
            );
            Ok(Pending::default())
        }
    }
}

fn write(store: &Store, entry: &SurveyEntry, pending: &Pending) -> Result<(), QuoteError> {
    let survey = entry.survey.id().as_str();
    let key = entry.data_key.as_ref().ok_or(QuoteError::Shredded)?;
    let plain = serde_json::to_vec(pending).map_err(|_| StoreError::Corrupt)?;
    store.meta_put(
        &meta_name(survey),
        &key.seal_response(survey, SEALED_AS, &plain),
    )?;
    store.durable_blocking()?;
    Ok(())
}

/// Adds a pick for the next release; `false` if the same words were already picked for the
/// question.
pub fn pick(
    store: &Store,
    entry: &SurveyEntry,
    question: &str,
    text: &str,
) -> Result<bool, QuoteError> {
    let _held = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    let mut pending = read(store, entry)?;
    if pending
        .picks
        .iter()
        .any(|(q, t)| q == question && t == text)
    {
        return Ok(false);
    }
    pending.picks.push((question.to_owned(), text.to_owned()));
    write(store, entry, &pending)?;
    Ok(true)
}

/// Takes back a pick; `false` if it was not picked.
pub fn unpick(
    store: &Store,
    entry: &SurveyEntry,
    question: &str,
    text: &str,
) -> Result<bool, QuoteError> {
    let _held = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    let mut pending = read(store, entry)?;
    let before = pending.picks.len();
    pending.picks.retain(|(q, t)| !(q == question && t == text));
    if pending.picks.len() == before {
        return Ok(false);
    }
    write(store, entry, &pending)?;
    Ok(true)
}

/// The picks waiting for the next release, grouped under their questions in survey order.
pub fn pending(store: &Store, entry: &SurveyEntry) -> Result<Vec<QuoteGroup>, QuoteError> {
    if entry.data_key.is_none() {
        return Ok(Vec::new());
    }
    let pending = read(store, entry)?;
    Ok(entry
        .survey
        .questions()
        .filter_map(|q| {
            let texts: Vec<String> = pending
                .picks
                .iter()
                .filter(|(id, _)| id == q.id.as_str())
                .map(|(_, t)| t.clone())
                .collect();
            (!texts.is_empty()).then(|| QuoteGroup {
                question: q.id.as_str().to_owned(),
                title: q.text.default_text().to_owned(),
                texts,
            })
        })
        .collect())
}

/// Forgets the picks once a release holds them (overwritten with none, still sealed).
pub(super) fn clear(store: &Store, entry: &SurveyEntry) -> Result<(), QuoteError> {
    let _held = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    if store
        .meta_get(&meta_name(entry.survey.id().as_str()))?
        .is_none()
    {
        return Ok(());
    }
    write(store, entry, &Pending::default())
}
