//! Researcher exports in the workspace: researchers ask for a closed survey's anonymised data
//! and download it once approved; organisers approve or decline — and can never download
//! microdata themselves.

use super::access::{act, field, see_other, Org};
use crate::accounts::Role;
use crate::services::exports;
use crate::vault::fingerprint;
use crate::web::error::{page_message_of, status_of};
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
        Err(r) => return r.respond(&state),
    };
    research_page(&me, StatusCode::OK, None, "")
}

/// The researcher's page; `purpose` is what they had typed when a request was refused, so that
/// it is not lost.
fn research_page(
    me: &Org<'_>,
    status: StatusCode,
    notice: Option<&str>,
    purpose: &str,
) -> HttpResponse {
    let chorus = &me.state.chorus;
    let closed: Vec<ClosedSurvey> = exports::exportable_surveys(chorus)
        .into_iter()
        .map(|(id, title)| ClosedSurvey { id, title })
        .collect();
    let mine =
        exports::export_requests(chorus, &me.session.name, Role::Researcher).unwrap_or_default();
    let page = me.page();
    let mut c = page.context("Research data");
    c.insert("closed", &closed);
    c.insert("requests", &mine);
    c.insert("notice", &notice);
    c.insert("purpose", purpose);
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
        Err(r) => return r.respond(&state),
    };
    let survey = field(&fields, "survey").unwrap_or("").to_owned();
    let purpose = field(&fields, "purpose").unwrap_or("").to_owned();
    let actor = me.actor();
    let typed = purpose.clone();
    let outcome = act(&state, move |chorus| {
        exports::request_export(chorus, &actor, &survey, &purpose)
    })
    .await;
    match outcome {
        Ok(_) => see_other("/org/research"),
        Err(e) => research_page(&me, status_of(e.kind()), Some(&page_message_of(&e)), &typed),
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
        Err(r) => return r.respond(&state),
    };
    let id = path.into_inner();
    let actor = me.actor();
    let request = id.clone();
    let built = act(&state, move |chorus| {
        let zip = exports::download_export(chorus, &actor, &request)?;
        let survey =
            exports::export_request(chorus, &actor.account, Role::Researcher, &request)?.survey;
        Ok((survey, zip))
    })
    .await;
    match built {
        Ok((survey, zip)) => HttpResponse::Ok()
            .content_type("application/zip")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{survey}-export-{id}.zip\""),
            ))
            .body(zip),
        Err(e) => me.page().failure(&e),
    }
}

pub async fn show_requests(state: web::Data<State>, req: HttpRequest) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => return r.respond(&state),
    };
    requests_page(&org, StatusCode::OK, None)
}

fn requests_page(org: &Org<'_>, status: StatusCode, notice: Option<&str>) -> HttpResponse {
    let chorus = &org.state.chorus;
    let page = org.page();
    let mut c = page.context("Export requests");
    c.insert(
        "requests",
        &exports::export_requests(chorus, &org.session.name, Role::Organiser).unwrap_or_default(),
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
        Err(r) => return r.respond(&state),
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
    let actor = org.actor();
    let outcome = act(&state, move |chorus| {
        exports::decide_export(chorus, &actor, &id, approve)
    })
    .await;
    match outcome {
        Ok(_) => see_other("/org/exports"),
        Err(e) => requests_page(&org, status_of(e.kind()), Some(&page_message_of(&e))),
    }
}
