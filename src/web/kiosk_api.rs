//! Kiosks over the JSON API, for organisers' scripts: `POST /api/v1/surveys/{survey}/kiosks`
//! opens one (201 with its link) and `DELETE /api/v1/surveys/{survey}/kiosks/{kiosk}` closes it.

use super::api::{parse_json_body, read_body, require_json};
use super::auth::api_account;
use super::blocking::act;
use super::error::ApiError;
use super::State;
use crate::accounts::Role;
use crate::services::{kiosks, Actor};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // One resource per address with all its methods, so that another method gets 405 with
    // `Allow` (methods.rs) instead of falling through to 404.
    cfg.service(web::resource("/api/v1/surveys/{survey}/kiosks").post(open_kiosk));
    cfg.service(web::resource("/api/v1/surveys/{survey}/kiosks/{kiosk}").delete(close_kiosk));
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OpenRequest {
    /// Context for the kiosk's responses: a `from_batch` question → one of its options.
    #[serde(default)]
    tags: crate::survey::BatchTags,
    /// How long the link works; the `kiosk_hours` setting when left out.
    hours: Option<u32>,
}

async fn open_kiosk(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::api(&api_account(&state, &req, Role::Organiser)?.name);
    let survey = path.into_inner();
    let body = read_body(payload, 4096).await?;
    let request: OpenRequest = if body.iter().all(u8::is_ascii_whitespace) {
        OpenRequest::default()
    } else {
        // The body may be left out; one that is there is JSON, said so.
        require_json(&req)?;
        parse_json_body(
            &body,
            "The body may be empty, or {\"tags\": {\"KEY\": \"VALUE\"}, \"hours\": N}.",
        )?
    };
    let hours = request.hours.unwrap_or(state.kiosk.hours);
    if !(1..=168).contains(&hours) {
        return Err(ApiError::BadRequest(
            "\"hours\" must be from 1 to 168.".into(),
        ));
    }
    let opened = act(&state, move |chorus| {
        kiosks::open_kiosk(chorus, &actor, &survey, &request.tags, hours)
    })
    .await?;
    Ok(HttpResponse::Created().json(serde_json::json!({
        "kiosk": format!("{}/k/{}", state.site.public_url, opened.token),
        "id": opened.kiosk.id.hex(),
        "survey": opened.kiosk.survey,
        "batch": opened.kiosk.batch,
        "expires": opened.kiosk.expires,
    })))
}

async fn close_kiosk(
    state: web::Data<State>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::api(&api_account(&state, &req, Role::Organiser)?.name);
    let (survey, named) = path.into_inner();
    let closed = act(&state, move |chorus| {
        kiosks::close_kiosk(chorus, &actor, Some(&survey), &named)
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "id": closed.id.hex(),
        "survey": closed.survey,
        "state": "closed",
    })))
}
