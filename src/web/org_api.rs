//! The organiser side of the JSON API, for scripts: `Authorization: Bearer <api key>` of an
//! organiser account (`chorus user api-key NAME`).

use super::api::read_survey_json;
use super::auth::api_account;
use super::blocking::act;
use super::error::ApiError;
use super::State;
use crate::accounts::Role;
use crate::services::releases::Which;
use crate::services::{codes, exports, releases, surveys, Actor};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // One resource per address with all its methods, so that another method gets 405 with
    // `Allow` (methods.rs) instead of falling through to 404.
    cfg.service(web::resource("/api/v1/surveys/{survey}/codes").post(issue_codes));
    cfg.service(web::resource("/api/v1/surveys/{survey}/open").post(open_survey));
    cfg.service(web::resource("/api/v1/surveys/{survey}/close").post(close_survey));
    cfg.service(
        web::resource("/api/v1/surveys/{survey}/releases")
            .post(publish_release)
            .get(list_releases),
    );
    cfg.service(web::resource("/api/v1/surveys/{survey}/releases/{number}").get(get_release));
    cfg.service(
        web::resource("/api/v1/surveys/{survey}/releases/{number}/csv").get(get_release_csv),
    );
    cfg.service(web::resource("/api/v1/surveys/{survey}/exports").post(request_export));
    cfg.service(web::resource("/api/v1/exports/{id}").get(get_export));
    cfg.service(web::resource("/api/v1/exports/{id}/approve").post(approve_export));
    cfg.service(web::resource("/api/v1/exports/{id}/decline").post(decline_export));
    cfg.service(web::resource("/api/v1/exports/{id}/bundle").get(download_export));
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
    let actor = Actor::api(&api_account(&state, &req, Role::Researcher)?.name);
    let survey = path.into_inner();
    let shape = "The body must be {\"purpose\": \"...\"}.";
    let ask: ExportAsk = read_survey_json(&state, &survey, &req, payload, 8192, shape).await?;
    let made = act(&state, move |chorus| {
        exports::request_export(chorus, &actor, &survey, &ask.purpose)
    })
    .await?;
    Ok(HttpResponse::Created().json(made))
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
    let request = exports::export_request(&state.chorus, &account.name, account.role, &path)?;
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
    let actor = Actor::api(&api_account(&state, &req, Role::Organiser)?.name);
    let id = path.into_inner();
    let decided = act(&state, move |chorus| {
        exports::decide_export(chorus, &actor, &id, approve)
    })
    .await?;
    Ok(HttpResponse::Ok().json(decided))
}

/// The signed bundle of an approved request, for the researcher who asked. Organisers never get
/// microdata.
async fn download_export(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::api(&api_account(&state, &req, Role::Researcher)?.name);
    let id = path.into_inner();
    let zip = act(&state, move |chorus| {
        exports::download_export(chorus, &actor, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().content_type("application/zip").body(zip))
}

async fn publish_release(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::api(&api_account(&state, &req, Role::Organiser)?.name);
    let survey = path.into_inner();
    let id = survey.clone();
    let number = act(&state, move |chorus| {
        releases::publish_release(chorus, &actor, &survey)
    })
    .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "survey": id, "release": number })))
}

async fn list_releases(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    api_account(&state, &req, Role::Organiser)?;
    let id = path.into_inner();
    let numbers = releases::release_numbers(&state.chorus, &id)?;
    let last = releases::final_release(&state.chorus, &id)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "survey": id,
        "releases": numbers,
        "final_release": last,
    })))
}

/// Who asks (an organiser's key), for which survey, and which release (`latest` or a number;
/// anything else names none).
fn release_asked(
    state: &State,
    req: &HttpRequest,
    path: web::Path<(String, String)>,
) -> Result<(Actor, String, Which), ApiError> {
    let actor = Actor::api(&api_account(state, req, Role::Organiser)?.name);
    let (id, which) = path.into_inner();
    let which = Which::parse(&which).ok_or(ApiError::NotFound)?;
    Ok((actor, id, which))
}

/// The frozen bytes of a release (`latest` or a number), exactly as published.
async fn get_release(
    state: web::Data<State>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (actor, id, which) = release_asked(&state, &req, path)?;
    let (_, body) = act(&state, move |chorus| {
        let found = releases::release_document(chorus, &id, which)?;
        if let Some((number, _)) = &found {
            releases::record_download(chorus, &actor, &id, *number, "JSON");
        }
        Ok(found)
    })
    .await?
    .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("application/json")
        .body(body))
}

/// A release as CSV files (a zip, the same as the workspace's download), audited like the JSON.
async fn get_release_csv(
    state: web::Data<State>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let (actor, id, which) = release_asked(&state, &req, path)?;
    let survey = id.clone();
    let (number, zip) = act(&state, move |chorus| {
        let Some((number, body)) = releases::release_document(chorus, &survey, which)? else {
            return Ok(None);
        };
        let document: crate::release::ReleaseDocument =
            serde_json::from_str(&body).map_err(|_| crate::store::StoreError::Corrupt)?;
        let zip = crate::release::csv_zip(&document).map_err(|e| {
            tracing::error!(error = %e, "release download failed");
            crate::store::StoreError::Corrupt
        })?;
        releases::record_download(chorus, &actor, &survey, number, "CSV");
        Ok(Some((number, zip)))
    })
    .await?
    .ok_or(ApiError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            actix_web::http::header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{id}-release-{number}-csv.zip\""),
        ))
        .body(zip))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct IssueRequest {
    count: usize,
    /// Context for the batch's responses: a `from_batch` question → one of its options.
    #[serde(default)]
    tags: crate::survey::BatchTags,
}

async fn issue_codes(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::api(&api_account(&state, &req, Role::Organiser)?.name);
    let survey = path.into_inner();
    let shape = "The body must be {\"count\": N} (with \"tags\": {\"KEY\": \"VALUE\"} for questions filled from the batch).";
    let request: IssueRequest =
        read_survey_json(&state, &survey, &req, payload, 4096, shape).await?;
    let id = survey.clone();
    let issued = act(&state, move |chorus| {
        codes::issue_codes(chorus, &actor, &survey, request.count, &request.tags)
    })
    .await?;
    let codes: Vec<String> = issued.codes.iter().map(|c| c.display()).collect();
    Ok(HttpResponse::Created()
        .json(serde_json::json!({ "survey": id, "batch": issued.batch, "codes": codes })))
}

/// Starts taking answers.
async fn open_survey(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::api(&api_account(&state, &req, Role::Organiser)?.name);
    let survey = path.into_inner();
    let id = survey.clone();
    act(&state, move |chorus| {
        surveys::open_survey(chorus, &actor, &survey)
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "survey": id, "state": "open" })))
}

/// Stops taking answers for good; the final release follows the release rules.
async fn close_survey(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::api(&api_account(&state, &req, Role::Organiser)?.name);
    let survey = path.into_inner();
    let id = survey.clone();
    let closed = act(&state, move |chorus| {
        surveys::close_survey(chorus, &actor, &survey)
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "survey": id,
        "state": "closed",
        "final_release": closed.final_release(),
        "message": closed.to_string(),
    })))
}
