//! The organiser side of the JSON API, for scripts: `Authorization: Bearer <api key>` of an
//! organiser account (`chorus user api-key NAME`).

use super::api::{parse_json_body, read_body};
use super::auth::api_account;
use super::error::ApiError;
use super::State;
use crate::accounts::Role;
use crate::clock::FixedDay;
use crate::export::requests::{self, ExportState, RequestError};
use crate::release::{self, PublishError};
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
    )
    .route(
        "/api/v1/surveys/{survey}/releases",
        web::post().to(publish_release),
    )
    .route(
        "/api/v1/surveys/{survey}/releases",
        web::get().to(list_releases),
    )
    .route(
        "/api/v1/surveys/{survey}/releases/{number}",
        web::get().to(get_release),
    )
    .route(
        "/api/v1/surveys/{survey}/exports",
        web::post().to(request_export),
    )
    .route("/api/v1/exports/{id}", web::get().to(get_export))
    .route(
        "/api/v1/exports/{id}/approve",
        web::post().to(approve_export),
    )
    .route(
        "/api/v1/exports/{id}/decline",
        web::post().to(decline_export),
    )
    .route(
        "/api/v1/exports/{id}/bundle",
        web::get().to(download_export),
    );
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExportAsk {
    purpose: String,
}

/// A researcher asks for a closed survey's anonymised data.
async fn request_export(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let account = api_account(&state, &req, Role::Researcher)?;
    let id = path.into_inner();
    if state.chorus.surveys.get(&id).is_none() {
        return Err(ApiError::NotFound);
    }
    let body = read_body(payload, 8192).await?;
    let ask: ExportAsk = parse_json_body(&body, "The body must be {\"purpose\": \"...\"}.")?;
    let chorus = Arc::clone(&state.chorus);
    let (survey, who, day) = (id.clone(), account.name.clone(), state.clock.today());
    let made = web::block(move || {
        requests::request(
            &chorus.store,
            &chorus.surveys,
            &FixedDay(day),
            &survey,
            &who,
            &ask.purpose,
        )
    })
    .await
    .map_err(|_| ApiError::Unavailable)?;
    match made {
        Ok(r) => {
            audit(
                &state,
                &account.name,
                "request export",
                &id,
                format!("request {} (API)", r.id),
            )
            .await;
            Ok(HttpResponse::Created().json(r))
        }
        Err(RequestError::Store(e)) => Err(e.into()),
        Err(RequestError::NotClosed) => {
            Err(ApiError::Conflict(RequestError::NotClosed.to_string()))
        }
        Err(e) => Err(ApiError::BadRequest(e.to_string())),
    }
}

/// A request's state: its researcher or any organiser may look.
async fn get_export(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let account = match api_account(&state, &req, Role::Researcher) {
        Ok(a) => a,
        Err(ApiError::Forbidden) => api_account(&state, &req, Role::Organiser)?,
        Err(e) => return Err(e),
    };
    let request = requests::get(&state.chorus.store, &path)
        .map_err(|_| ApiError::Unavailable)?
        .filter(|r| account.role == Role::Organiser || r.researcher == account.name)
        .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok().json(request))
}

async fn approve_export(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    decide_export(state, path, req, true).await
}

async fn decline_export(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    decide_export(state, path, req, false).await
}

async fn decide_export(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    approve: bool,
) -> Result<HttpResponse, ApiError> {
    let account = api_account(&state, &req, Role::Organiser)?;
    let chorus = Arc::clone(&state.chorus);
    let (id, who, day) = (path.into_inner(), account.name.clone(), state.clock.today());
    let decided =
        web::block(move || requests::decide(&chorus.store, &FixedDay(day), &id, &who, approve))
            .await
            .map_err(|_| ApiError::Unavailable)?;
    match decided {
        Ok(r) => {
            let action = if approve {
                "approve export"
            } else {
                "decline export"
            };
            audit(
                &state,
                &account.name,
                action,
                &r.survey,
                format!("request {} by {} (API)", r.id, r.researcher),
            )
            .await;
            Ok(HttpResponse::Ok().json(r))
        }
        Err(RequestError::NotFound) => Err(ApiError::NotFound),
        Err(RequestError::Store(e)) => Err(e.into()),
        Err(e) => Err(ApiError::Conflict(e.to_string())),
    }
}

/// The signed bundle of an approved request, for the researcher who asked. Organisers never get
/// microdata.
async fn download_export(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let account = api_account(&state, &req, Role::Researcher)?;
    let request = requests::get(&state.chorus.store, &path)
        .map_err(|_| ApiError::Unavailable)?
        .filter(|r| r.researcher == account.name)
        .ok_or(ApiError::NotFound)?;
    if request.state != ExportState::Approved {
        return Err(ApiError::Forbidden);
    }
    let chorus = Arc::clone(&state.chorus);
    let (survey, day) = (request.survey.clone(), state.clock.today());
    let built = web::block(move || crate::export::package::build(&chorus, &survey, &day))
        .await
        .map_err(|_| ApiError::Unavailable)?;
    match built {
        Ok(zip) => {
            audit(
                &state,
                &account.name,
                "download export",
                &request.survey,
                format!("request {} (API)", request.id),
            )
            .await;
            Ok(HttpResponse::Ok().content_type("application/zip").body(zip))
        }
        Err(e) => Err(ApiError::Conflict(e.to_string())),
    }
}

async fn publish_release(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let account = api_account(&state, &req, Role::Organiser)?;
    let id = path.into_inner();
    if state.chorus.surveys.get(&id).is_none() {
        return Err(ApiError::NotFound);
    }
    let chorus = Arc::clone(&state.chorus);
    let survey = id.clone();
    let outcome = web::block(move || release::publish(&chorus, &survey, false))
        .await
        .map_err(|_| ApiError::Unavailable)?;
    match outcome {
        Ok(number) => {
            audit(
                &state,
                &account.name,
                "publish release",
                &id,
                format!("release {number} (API)"),
            )
            .await;
            Ok(
                HttpResponse::Created()
                    .json(serde_json::json!({ "survey": id, "release": number })),
            )
        }
        Err(PublishError::Store(e)) => Err(e.into()),
        Err(PublishError::NoSuchSurvey(_)) => Err(ApiError::NotFound),
        Err(e) => Err(ApiError::Conflict(e.to_string())),
    }
}

async fn list_releases(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    api_account(&state, &req, Role::Organiser)?;
    let id = path.into_inner();
    if state.chorus.surveys.get(&id).is_none() {
        return Err(ApiError::NotFound);
    }
    let numbers = state.chorus.store.release_numbers(&id)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "survey": id, "releases": numbers })))
}

/// The frozen bytes of a release (`latest` or a number), exactly as published.
async fn get_release(
    state: web::Data<State>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let account = api_account(&state, &req, Role::Organiser)?;
    let (id, which) = path.into_inner();
    let number = match which.as_str() {
        "latest" => release::latest_number(&state.chorus, &id)?,
        n => n.parse::<u32>().ok(),
    }
    .ok_or(ApiError::NotFound)?;
    let body = release::body(&state.chorus, &id, number)?.ok_or(ApiError::NotFound)?;
    audit(
        &state,
        &account.name,
        "download release",
        &id,
        format!("release {number} as JSON (API)"),
    )
    .await;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

/// The API's actions go to the same audit log as the workspace's.
async fn audit(state: &State, account: &str, action: &str, survey: &str, detail: String) {
    super::blocking::audit(state, account, action, Some(survey), Some(detail)).await;
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
    audit(
        &state,
        &account.name,
        "issue codes",
        &id,
        format!("batch {batch}: {count} codes (API)"),
    )
    .await;
    let codes: Vec<String> = codes.iter().map(|c| c.display()).collect();
    Ok(HttpResponse::Created()
        .json(serde_json::json!({ "survey": id, "batch": batch, "codes": codes })))
}
