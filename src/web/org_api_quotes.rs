//! The organiser API for free text, quotes and public results (`Authorization: Bearer <api
//! key>` of an organiser account): read a free-text question's answers detached and shuffled,
//! pick quotes for the next release, and switch the public results page on or off.

use super::api::read_survey_json;
use super::auth::{api_account, api_account_of_any_role};
use super::blocking::act;
use super::error::ApiError;
use super::State;
use crate::accounts::Role;
use crate::services::{free_text, public_results, Actor};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

/// Longest body of a pick: the words of one answer and the question's id.
const MAX_PICK_BYTES: usize = 64 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // One resource per address with all its methods, so that another method gets 405 with
    // `Allow` (methods.rs) instead of falling through to 404.
    cfg.service(web::resource("/api/v1/surveys/{survey}/free-text/{question}").get(read_free_text));
    cfg.service(
        web::resource("/api/v1/surveys/{survey}/quotes")
            .get(picked)
            .post(pick)
            .delete(unpick),
    );
    cfg.service(
        web::resource("/api/v1/surveys/{survey}/public")
            .get(public)
            .post(set_public),
    );
}

/// `{"question": …, "answers": [ … ]}`: the words alone, in a fresh random order.
async fn read_free_text(
    state: web::Data<State>,
    path: web::Path<(String, String)>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let account = api_account_of_any_role(&state, &req)?;
    let actor = Actor::api(&account.name);
    let (survey, question) = path.into_inner();
    if account.role != Role::Organiser {
        let _ = act(&state, move |chorus| {
            free_text::refuse_reading_to_another_role(chorus, &actor, &survey, &question);
            Ok(())
        })
        .await;
        return Err(ApiError::Forbidden);
    }
    let view = act(&state, move |chorus| {
        free_text::read_free_text(chorus, &actor, &survey, &question)
    })
    .await?;
    Ok(HttpResponse::Ok().json(view))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Pick {
    question: String,
    text: String,
}

const PICK_SHAPE: &str = "The body must be {\"question\": \"...\", \"text\": \"...\"}.";

/// Picks the words of one answer to quote in the next release.
async fn pick(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::api(&api_account(&state, &req, Role::Organiser)?.name);
    let survey = path.into_inner();
    let p: Pick =
        read_survey_json(&state, &survey, &req, payload, MAX_PICK_BYTES, PICK_SHAPE).await?;
    let (id, question) = (survey.clone(), p.question.clone());
    let added = act(&state, move |chorus| {
        free_text::pick_quote(chorus, &actor, &survey, &p.question, &p.text)
    })
    .await?;
    let status = if added {
        actix_web::http::StatusCode::CREATED
    } else {
        actix_web::http::StatusCode::OK
    };
    Ok(HttpResponse::build(status)
        .json(serde_json::json!({ "survey": id, "question": question, "picked": true })))
}

/// Takes back a pick before the next release.
async fn unpick(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::api(&api_account(&state, &req, Role::Organiser)?.name);
    let survey = path.into_inner();
    let p: Pick =
        read_survey_json(&state, &survey, &req, payload, MAX_PICK_BYTES, PICK_SHAPE).await?;
    let (id, question) = (survey.clone(), p.question.clone());
    // Taking back words that were not picked leaves them not picked: the same answer.
    act(&state, move |chorus| {
        free_text::unpick_quote(chorus, &actor, &survey, &p.question, &p.text)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .json(serde_json::json!({ "survey": id, "question": question, "picked": false })))
}

/// The quotes picked for the next release, under their questions.
async fn picked(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    api_account(&state, &req, Role::Organiser)?;
    let survey = path.into_inner();
    let id = survey.clone();
    let quotes = act(&state, move |chorus| {
        free_text::picked_quotes(chorus, &survey)
    })
    .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "survey": id, "quotes": quotes })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PublicSetting {
    public: bool,
    #[serde(default)]
    tables: Option<Vec<String>>,
}

fn setting_json(survey: &str, public: bool, tables: Option<Vec<String>>) -> serde_json::Value {
    serde_json::json!({
        "survey": survey,
        "public": public,
        "tables": tables,
        "address": format!("/r/{survey}"),
    })
}

/// Whether the survey's latest release is public at `/r/{survey}`, and which tables it shows.
async fn public(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    api_account(&state, &req, Role::Organiser)?;
    let survey = path.into_inner();
    let (on, tables) = public_results::public_setting(&state.chorus, &survey)?;
    Ok(HttpResponse::Ok().json(setting_json(&survey, on, tables)))
}

/// `{"public": true|false, "tables": ["…"]|null}`: shows or stops showing the latest release
/// at `/r/{survey}` (`tables` absent or null: all of the release's tables).
async fn set_public(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let actor = Actor::api(&api_account(&state, &req, Role::Organiser)?.name);
    let survey = path.into_inner();
    let shape =
        "The body must be {\"public\": true or false, \"tables\": [\"table id\", ...] or null}.";
    let setting: PublicSetting =
        read_survey_json(&state, &survey, &req, payload, 64 * 1024, shape).await?;
    let (id, on, tables) = (survey.clone(), setting.public, setting.tables.clone());
    act(&state, move |chorus| {
        public_results::set_public_results(chorus, &actor, &survey, setting.public, setting.tables)
    })
    .await?;
    Ok(HttpResponse::Ok().json(setting_json(&id, on, tables)))
}
