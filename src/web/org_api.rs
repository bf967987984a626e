//! The organiser side of the JSON API, for scripts: `Authorization: Bearer <api key>` of an
//! organiser account (`chorus user api-key NAME`).

use super::api::{parse_json_body, read_body};
use super::auth::api_account;
use super::error::ApiError;
use super::State;
use crate::accounts::Role;
use crate::survey::Mode;
use crate::surveys::SurveyState;
use crate::tokens;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use std::sync::Arc;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route(
        "/api/v1/surveys/{survey}/codes",
        web::post().to(issue_codes),
    );
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueRequest {
    count: usize,
}

async fn issue_codes(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let account = api_account(&state, &req, Role::Organiser)?;
    let id = path.into_inner();
    let entry = state.chorus.surveys.get(&id).ok_or(ApiError::NotFound)?;
    if entry.survey.mode() != Mode::Invite {
        return Err(ApiError::Conflict(
            "This is an open survey: its landing page hands out codes.".into(),
        ));
    }
    if entry.state == SurveyState::Closed {
        return Err(ApiError::Conflict(
            "This survey is closed; no more codes can be issued.".into(),
        ));
    }
    let body = read_body(payload, 4096).await?;
    let request: IssueRequest = parse_json_body(&body, "The body must be {\"count\": N}.")?;
    if !(1..=100_000).contains(&request.count) {
        return Err(ApiError::BadRequest(
            "count must be from 1 to 100000.".into(),
        ));
    }
    let chorus = Arc::clone(&state.chorus);
    let survey = id.clone();
    let count = request.count;
    let (batch, codes) = web::block(move || {
        tokens::issue_batch(&chorus.store, chorus.vault.code_hash_key(), &survey, count)
    })
    .await
    .map_err(|_| ApiError::Unavailable)??;
    let day = state.clock.today();
    let entry = crate::audit::Entry {
        day,
        account: account.name.clone(),
        action: "issue codes".into(),
        survey: Some(id.clone()),
        detail: Some(format!("batch {batch}: {count} codes (API)")),
    };
    let chorus = Arc::clone(&state.chorus);
    let _ = web::block(move || crate::audit::append(&chorus.store, &entry)).await;
    let codes: Vec<String> = codes.iter().map(|c| c.display()).collect();
    Ok(HttpResponse::Created()
        .json(serde_json::json!({ "survey": id, "batch": batch, "codes": codes })))
}
