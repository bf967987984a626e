//! The approval workflow: a researcher asks for a closed survey's data and says why; an
//! organiser approves or declines; only an approved request can be downloaded, only by the
//! researcher who made it. Every step goes to the audit log (by the caller, who knows the account).

use crate::clock::Clock;
use crate::store::{Store, StoreError};
use crate::surveys::{SurveyRegistry, SurveyState};
use serde::{Deserialize, Serialize};

pub const MAX_PURPOSE_CHARS: usize = 2_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportState {
    Requested,
    Approved,
    Declined,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ExportRequest {
    pub id: String,
    pub survey: String,
    pub researcher: String,
    pub purpose: String,
    pub state: ExportState,
    pub requested_day: String,
    pub decided_by: Option<String>,
    pub decided_day: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum RequestError {
    #[error("there is no survey '{0}'")]
    NoSuchSurvey(String),
    #[error("data can only be requested once a survey is closed")]
    NotClosed,
    #[error("this survey has been shredded: its answers are gone, and there is nothing to export")]
    Shredded,
    #[error("say what the data is for (up to {MAX_PURPOSE_CHARS} characters)")]
    Purpose,
    #[error("there is no such export request")]
    NotFound,
    #[error("this request has already been decided")]
    AlreadyDecided,
    #[error(transparent)]
    Store(#[from] StoreError),
}

pub fn request(
    store: &Store,
    surveys: &SurveyRegistry,
    clock: &dyn Clock,
    survey: &str,
    researcher: &str,
    purpose: &str,
) -> Result<ExportRequest, RequestError> {
    let entry = surveys
        .get(survey)
        .ok_or_else(|| RequestError::NoSuchSurvey(survey.to_owned()))?;
    if entry.state != SurveyState::Closed {
        return Err(RequestError::NotClosed);
    }
    if entry.shredded {
        return Err(RequestError::Shredded);
    }
    let purpose = purpose.trim();
    if purpose.is_empty() || purpose.chars().count() > MAX_PURPOSE_CHARS {
        return Err(RequestError::Purpose);
    }
    // The same request sent twice (a double tap, Back and send again) is one request.
    if let Some(same) = all(store)?.into_iter().find(|r| {
        r.state == ExportState::Requested
            && r.survey == survey
            && r.researcher == researcher
            && r.purpose == purpose
    }) {
        return Ok(same);
    }
    let id = crate::vault::random_hex::<8>();
    let request = ExportRequest {
        id,
        survey: survey.to_owned(),
        researcher: researcher.to_owned(),
        purpose: purpose.to_owned(),
        state: ExportState::Requested,
        requested_day: clock.today(),
        decided_by: None,
        decided_day: None,
    };
    save(store, &request)?;
    Ok(request)
}

/// Approving needs the survey's answers still there (they may have been shredded since the
/// request); declining does not.
pub fn decide(
    store: &Store,
    surveys: &SurveyRegistry,
    clock: &dyn Clock,
    id: &str,
    organiser: &str,
    approve: bool,
) -> Result<ExportRequest, RequestError> {
    let mut request = get(store, id)?.ok_or(RequestError::NotFound)?;
    if request.state != ExportState::Requested {
        return Err(RequestError::AlreadyDecided);
    }
    if approve {
        let entry = surveys
            .get(&request.survey)
            .ok_or_else(|| RequestError::NoSuchSurvey(request.survey.clone()))?;
        if entry.shredded {
            return Err(RequestError::Shredded);
        }
    }
    request.state = if approve {
        ExportState::Approved
    } else {
        ExportState::Declined
    };
    request.decided_by = Some(organiser.to_owned());
    request.decided_day = Some(clock.today());
    save(store, &request)?;
    Ok(request)
}

/// Declines every undecided request `researcher` made (their account is being removed: nobody
/// could ever download what an organiser approved). The requests declined, for the audit log.
pub fn decline_all_of(
    store: &Store,
    clock: &dyn Clock,
    researcher: &str,
    decided_by: &str,
) -> Result<Vec<ExportRequest>, RequestError> {
    let mut declined = Vec::new();
    for mut request in all(store)? {
        if request.researcher == researcher && request.state == ExportState::Requested {
            request.state = ExportState::Declined;
            request.decided_by = Some(decided_by.to_owned());
            request.decided_day = Some(clock.today());
            save(store, &request)?;
            declined.push(request);
        }
    }
    Ok(declined)
}

pub fn get(store: &Store, id: &str) -> Result<Option<ExportRequest>, RequestError> {
    if id.len() > 64 {
        return Ok(None);
    }
    match store.export_get(id)? {
        Some(bytes) => Ok(Some(
            serde_json::from_slice(&bytes).map_err(|_| StoreError::Corrupt)?,
        )),
        None => Ok(None),
    }
}

/// All requests, newest day first.
pub fn all(store: &Store) -> Result<Vec<ExportRequest>, RequestError> {
    let mut list: Vec<ExportRequest> = store
        .exports()?
        .into_iter()
        .map(|b| serde_json::from_slice(&b).map_err(|_| StoreError::Corrupt))
        .collect::<Result<_, _>>()?;
    list.sort_by(|a, b| b.requested_day.cmp(&a.requested_day).then(a.id.cmp(&b.id)));
    Ok(list)
}

fn save(store: &Store, request: &ExportRequest) -> Result<(), RequestError> {
    let bytes = serde_json::to_vec(request).map_err(|_| StoreError::Corrupt)?;
    store.export_put(&request.id, &bytes)?;
    store.durable_blocking()?;
    Ok(())
}
