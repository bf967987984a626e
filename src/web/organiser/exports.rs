//! Researcher exports in the workspace: researchers ask for a closed survey's anonymised data
//! and download it once approved; organisers approve or decline — and can never download
//! microdata themselves.

use super::access::{field, run, see_other, Org};
use crate::accounts::Role;
use crate::export::requests::{self, ExportState};
use crate::surveys::SurveyState;
use crate::vault::fingerprint;
use crate::web::State;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

#[derive(Serialize)]
struct ClosedSurvey {
    id: String,
    title: String,
}

pub async fn show_research(state: web::Data<State>, req: HttpRequest) -> HttpResponse {
    let me = match Org::require_role(&state, &req, Role::Researcher) {
        Ok(o) => o,
        Err(r) => return r,
    };
    research_page(&me, StatusCode::OK, None)
}

fn research_page(me: &Org<'_>, status: StatusCode, notice: Option<&str>) -> HttpResponse {
    let chorus = &me.state.chorus;
    let closed: Vec<ClosedSurvey> = chorus
        .surveys
        .list(&chorus.store)
        .into_iter()
        .filter(|s| s.state == SurveyState::Closed)
        .map(|s| ClosedSurvey {
            id: s.id,
            title: s.title,
        })
        .collect();
    let mine: Vec<_> = requests::all(&chorus.store)
        .unwrap_or_default()
        .into_iter()
        .filter(|r| r.researcher == me.session.name)
        .collect();
    let page = me.page();
    let mut c = page.context("Research data");
    c.insert("closed", &closed);
    c.insert("requests", &mine);
    c.insert("notice", &notice);
    c.insert("fingerprint", &fingerprint(&chorus.signing.public_key()));
    page.render(status, "org/research.html", &c)
}

pub async fn request_export(
    state: web::Data<State>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (me, fields) = match Org::posted(&state, &req, payload, Role::Researcher).await {
        Ok(posted) => posted,
        Err(r) => return r,
    };
    let survey = field(&fields, "survey").unwrap_or("").to_owned();
    let purpose = field(&fields, "purpose").unwrap_or("").to_owned();
    let researcher = me.session.name.clone();
    let day = state.clock.today();
    let (s, p) = (survey.clone(), purpose);
    let outcome = run(&state, move |chorus| {
        let clock = crate::clock::FixedDay(day);
        requests::request(&chorus.store, &chorus.surveys, &clock, &s, &researcher, &p)
    })
    .await;
    match outcome {
        Some(Ok(r)) => {
            me.audit(
                "request export",
                Some(&survey),
                Some(format!("request {}", r.id)),
            )
            .await;
            see_other("/org/research")
        }
        Some(Err(e)) => research_page(&me, StatusCode::UNPROCESSABLE_ENTITY, Some(&e.to_string())),
        None => research_page(
            &me,
            StatusCode::SERVICE_UNAVAILABLE,
            Some("Something went wrong on our side."),
        ),
    }
}

/// An approved export, freshly anonymised (new row ids and order each time), signed, zipped.
pub async fn download(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let me = match Org::require_role(&state, &req, Role::Researcher) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let id = path.into_inner();
    let request = match requests::get(&state.chorus.store, &id) {
        Ok(Some(r)) if r.researcher == me.session.name => r,
        _ => {
            return me.page().message(
                StatusCode::NOT_FOUND,
                "No such export",
                "There is no export request with this number for your account.",
            )
        }
    };
    if request.state != ExportState::Approved {
        return me.page().message(
            StatusCode::FORBIDDEN,
            "Not approved",
            "This export can be downloaded once an organiser has approved it.",
        );
    }
    let survey = request.survey.clone();
    let day = state.clock.today();
    let built = run(&state, move |chorus| {
        crate::export::package::build(chorus, &survey, &day)
    })
    .await;
    match built {
        Some(Ok(zip)) => {
            me.audit(
                "download export",
                Some(&request.survey),
                Some(format!("request {}", request.id)),
            )
            .await;
            HttpResponse::Ok()
                .content_type("application/zip")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    format!(
                        "attachment; filename=\"{}-export-{}.zip\"",
                        request.survey, request.id
                    ),
                ))
                .body(zip)
        }
        Some(Err(e)) => me.page().message(
            StatusCode::UNPROCESSABLE_ENTITY,
            "The export could not be made",
            &e.to_string(),
        ),
        None => me.page().message(
            StatusCode::SERVICE_UNAVAILABLE,
            "Try again",
            "Something went wrong on our side.",
        ),
    }
}

pub async fn show_requests(state: web::Data<State>, req: HttpRequest) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => return r,
    };
    requests_page(&org, StatusCode::OK, None)
}

fn requests_page(org: &Org<'_>, status: StatusCode, notice: Option<&str>) -> HttpResponse {
    let chorus = &org.state.chorus;
    let page = org.page();
    let mut c = page.context("Export requests");
    c.insert(
        "requests",
        &requests::all(&chorus.store).unwrap_or_default(),
    );
    c.insert("notice", &notice);
    c.insert("fingerprint", &fingerprint(&chorus.signing.public_key()));
    page.render(status, "org/exports.html", &c)
}

pub async fn decide(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let (org, fields) = match Org::posted(&state, &req, payload, Role::Organiser).await {
        Ok(posted) => posted,
        Err(r) => return r,
    };
    let approve = match field(&fields, "decision") {
        Some("approve") => true,
        Some("decline") => false,
        _ => {
            return requests_page(
                &org,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("Choose to approve or decline."),
            )
        }
    };
    let id = path.into_inner();
    let organiser = org.session.name.clone();
    let day = state.clock.today();
    let outcome = run(&state, move |chorus| {
        requests::decide(
            &chorus.store,
            &crate::clock::FixedDay(day),
            &id,
            &organiser,
            approve,
        )
    })
    .await;
    match outcome {
        Some(Ok(r)) => {
            let action = if approve {
                "approve export"
            } else {
                "decline export"
            };
            org.audit(
                action,
                Some(&r.survey),
                Some(format!("request {} by {}", r.id, r.researcher)),
            )
            .await;
            see_other("/org/exports")
        }
        Some(Err(e)) => requests_page(&org, StatusCode::UNPROCESSABLE_ENTITY, Some(&e.to_string())),
        None => requests_page(
            &org,
            StatusCode::SERVICE_UNAVAILABLE,
            Some("Something went wrong on our side."),
        ),
    }
}
