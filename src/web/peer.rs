//! Pages for peers: server-rendered, no JavaScript needed, no cookies.

use super::error::ApiError;
use super::State;
use crate::surveys::SurveyState;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;
use tera::Context;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/s/{survey}", web::get().to(show_landing))
        .route("/static/chorus.css", web::get().to(stylesheet));
}

#[derive(Deserialize)]
struct LandingQuery {
    code: Option<String>,
}

/// The landing page of a survey. A QR card's link carries `?code=`; from here on the code only
/// travels in form bodies. Open surveys hand each visitor a fresh code.
async fn show_landing(
    state: web::Data<State>,
    path: web::Path<String>,
    query: web::Query<LandingQuery>,
    req: HttpRequest,
) -> HttpResponse {
    let Some(entry) = state.chorus.surveys.get(&path) else {
        return message(
            &state,
            StatusCode::NOT_FOUND,
            "Survey not found",
            "There is no survey at this address. Check the link on your card.",
        );
    };
    match entry.state {
        SurveyState::Draft => {
            return message(
                &state,
                StatusCode::NOT_FOUND,
                "Survey not found",
                "There is no survey at this address. Check the link on your card.",
            )
        }
        SurveyState::Closed => {
            return message(
                &state,
                StatusCode::GONE,
                "This survey is closed",
                "Thank you for your interest. This survey no longer takes answers.",
            )
        }
        SurveyState::Open => {}
    }
    let code = match (&query.code, entry.survey.mode()) {
        (Some(code), _) => Some(code.clone()),
        (None, crate::survey::Mode::Open) => match state.issue_open_code(&path, &req).await {
            Ok(code) => Some(code.display()),
            Err(ApiError::RateLimited { .. }) => {
                return message(&state, StatusCode::TOO_MANY_REQUESTS, "Please wait a moment", "Many people are starting this survey right now. Please try again in a minute.")
            }
            Err(_) => {
                return message(&state, StatusCode::SERVICE_UNAVAILABLE, "Please try again", "Something went wrong on our side. Nothing was saved. Please try again in a moment.")
            }
        },
        (None, crate::survey::Mode::Invite) => None,
    };
    let mut context = Context::new();
    let lang = entry
        .survey
        .languages()
        .first()
        .map(|l| l.to_string())
        .unwrap_or_else(|| "en".into());
    context.insert("lang", &lang);
    context.insert("title", entry.survey.title().get(&lang));
    context.insert("survey_id", path.as_str());
    context.insert("code", &code);
    render(&state, StatusCode::OK, "landing.html", &context)
}

async fn stylesheet() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .body(super::render::STYLESHEET)
}

fn message(state: &State, status: StatusCode, title: &str, text: &str) -> HttpResponse {
    let mut context = Context::new();
    context.insert("lang", "en");
    context.insert("title", title);
    context.insert("text", text);
    render(state, status, "message.html", &context)
}

fn render(state: &State, status: StatusCode, template: &str, context: &Context) -> HttpResponse {
    match state.templates.render(template, context) {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => {
            tracing::error!(template, error = %e, "template failed");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Something went wrong on our side. Nothing was saved.")
        }
    }
}
