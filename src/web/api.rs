//! The JSON API (`/api/v1`) and `/healthz`: for load tests, scripts and offline collection tools.

use super::error::ApiError;
use super::State;
use crate::services::{responses, ServiceError};
use crate::surveys::SurveyState;
use crate::tokens::TokenCode;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Deserialize;

/// Largest accepted JSON body. A complete answer set for a long survey with free text fits
/// comfortably; anything bigger is refused before it is parsed.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // One resource per address with all its methods, so that another method gets 405 with
    // `Allow` (methods.rs) instead of falling through to 404.
    cfg.service(web::resource("/healthz").get(healthz));
    cfg.service(web::resource("/api/v1/surveys/{survey}").get(get_definition));
    cfg.service(web::resource("/api/v1/surveys/{survey}/responses").post(post_response));
    cfg.service(web::resource("/api/v1/surveys/{survey}/open-code").post(post_open_code));
}

/// `200 {"status":"ok"}`, or `503` while the store cannot make writes durable (a full disk, an
/// unwritable data directory), so that monitoring notices what peers would meet as "busy".
async fn healthz(state: web::Data<State>) -> HttpResponse {
    if state.chorus.store.is_failing() {
        return HttpResponse::ServiceUnavailable()
            .content_type("application/json")
            .body(r#"{"status":"failing","reason":"the store cannot write answers to disk: is the disk full?"}"#);
    }
    HttpResponse::Ok()
        .content_type("application/json")
        .body(r#"{"status":"ok"}"#)
}

async fn get_definition(
    state: web::Data<State>,
    path: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let entry = state.chorus.surveys.get(&path).ok_or(ApiError::NotFound)?;
    if entry.state == SurveyState::Draft {
        return Err(ApiError::NotFound);
    }
    let mut public = entry.survey.public_json();
    if let Some(object) = public.as_object_mut() {
        object.insert("state".into(), entry.state.to_string().into());
    }
    Ok(HttpResponse::Ok().json(public))
}

/// `{"code": "...", "answers": {...}}` — nothing else.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Submission {
    code: String,
    answers: serde_json::Map<String, serde_json::Value>,
}

async fn post_response(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    // Unknown survey first: a 404 says nothing about codes.
    if state.chorus.surveys.get(&path).is_none() {
        return Err(ApiError::NotFound);
    }
    state
        .limit(&state.submissions, &req)
        .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
    let body = read_json(&req, payload, MAX_BODY_BYTES).await?;
    let submission: Submission = parse_json(&body)?;
    let done =
        responses::submit(&state.chorus, &path, &submission.code, &submission.answers).await?;
    let mut body = serde_json::json!({
        "status": "accepted",
        "message": "Thank you. Your answers were saved.",
    });
    if let Some(voucher) = done.voucher {
        body["voucher"] = voucher.display().into();
    }
    if !done.coupons.is_empty() {
        body["coupons"] = done.coupons.iter().map(|c| c.code.display()).collect();
        body["claims"] = done.coupons.iter().map(|c| c.claim.display()).collect();
    }
    Ok(HttpResponse::Created().json(body))
}

/// Open surveys: a fresh one-time code for whoever asks, within the in-memory rate limit.
async fn post_open_code(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let code = state.issue_open_code(&path, &req).await?;
    Ok(HttpResponse::Created().json(serde_json::json!({ "code": code.display() })))
}

impl State {
    /// Shared by the API and the landing page.
    pub(super) async fn issue_open_code(
        &self,
        survey: &str,
        req: &HttpRequest,
    ) -> Result<TokenCode, ApiError> {
        responses::offers_open_codes(&self.chorus, survey)?;
        self.limit(&self.open_codes, req)
            .map_err(|retry_after_secs| ApiError::RateLimited { retry_after_secs })?;
        Ok(responses::open_code(&self.chorus, survey).await?)
    }
}

/// The body of a JSON route: `Content-Type: application/json` (415 otherwise, before anything is
/// read), at most `limit` bytes. Every route that takes a JSON body reads it through here, so a
/// form or a text body never reaches a JSON route's action.
pub(super) async fn read_json(
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    require_json(req)?;
    read_body(payload, limit).await
}

/// The JSON body of a request about one survey, parsed as `T` (`shape` says what it must look
/// like): an unknown survey is 404 before the body is read.
pub(super) async fn read_survey_json<T: serde::de::DeserializeOwned>(
    state: &State,
    survey: &str,
    req: &HttpRequest,
    payload: web::Payload,
    limit: usize,
    shape: &str,
) -> Result<T, ApiError> {
    if state.chorus.surveys.get(survey).is_none() {
        return Err(ServiceError::NoSuchSurvey(survey.to_owned()).into());
    }
    let body = read_json(req, payload, limit).await?;
    parse_json_body(&body, shape)
}

pub(super) fn require_json(req: &HttpRequest) -> Result<(), ApiError> {
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let essence = content_type.split(';').next().unwrap_or("").trim();
    if essence.eq_ignore_ascii_case("application/json") {
        Ok(())
    } else {
        Err(ApiError::UnsupportedMediaType)
    }
}

/// Reads at most `limit` bytes; a larger body is refused without reading the rest.
pub(super) async fn read_body(
    mut payload: web::Payload,
    limit: usize,
) -> Result<web::BytesMut, ApiError> {
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk
            .map_err(|_| ApiError::BadRequest("The request body could not be read.".into()))?;
        if body.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

fn parse_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    parse_json_body(
        body,
        "The body must be a JSON object with exactly two fields: \"code\" (a string) and \"answers\" (an object).",
    )
}

/// Parses JSON with messages that describe the problem without quoting the content.
pub(super) fn parse_json_body<T: serde::de::DeserializeOwned>(
    body: &[u8],
    shape: &str,
) -> Result<T, ApiError> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::BadRequest("The body is not valid UTF-8 text.".into()))?;
    // Every body is an object: serde would also read a struct from an array of its fields in
    // order (`[2]` issued two codes), which no caller means.
    if !text.trim_start().starts_with('{') {
        let message = match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => shape.to_owned(),
            Err(e) => format!(
                "The body is not valid JSON (line {}, column {}).",
                e.line(),
                e.column()
            ),
        };
        return Err(ApiError::BadRequest(message));
    }
    serde_json::from_str(text).map_err(|e| {
        use serde_json::error::Category;
        let message = match e.classify() {
            Category::Syntax | Category::Eof | Category::Io => format!(
                "The body is not valid JSON (line {}, column {}).",
                e.line(),
                e.column()
            ),
            Category::Data => shape.to_owned(),
        };
        ApiError::BadRequest(message)
    })
}
