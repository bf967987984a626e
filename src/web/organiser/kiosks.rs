//! Kiosks in the workspace: open one for a survey (its link is shown on the page that follows,
//! to open on the tablet) and close it. Both go through `services::kiosks`, like the API and
//! the command line.

use super::access::{act, see_other, Org};
use super::surveys::survey_failure;
use crate::accounts::Role;
use crate::services::kiosks;
use crate::web::State;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

pub async fn open(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let (org, fields) = match Org::posted(&state, &req, payload, Role::Organiser).await {
        Ok(posted) => posted,
        Err(r) => return r.respond(&state),
    };
    let id = path.into_inner();
    // One select per `from_batch` question, named `tag.<question>`, as for code cards.
    let tags: crate::survey::BatchTags = fields
        .iter()
        .filter_map(|(name, value)| {
            let key = name.strip_prefix("tag.")?;
            (!value.is_empty()).then(|| (key.to_owned(), value.clone()))
        })
        .collect();
    let (actor, survey, hours) = (org.actor(), id.clone(), state.kiosk.hours);
    let opened = act(&state, move |chorus| {
        kiosks::open_kiosk(chorus, &actor, &survey, &tags, hours)
    })
    .await;
    match opened {
        Ok(opened) => {
            let page = org.page();
            let mut c = page.context("Kiosk opened");
            c.insert("id", &id);
            c.insert(
                "link",
                &format!("{}/k/{}", state.site.public_url, opened.token),
            );
            c.insert("kiosk", &opened.kiosk.id.hex());
            c.insert("hours", &hours);
            page.render(StatusCode::CREATED, "org/kiosk.html", &c)
        }
        Err(e) => survey_failure(&org, &id, &e),
    }
}

pub async fn close(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    payload: web::Payload,
) -> HttpResponse {
    let (org, _) = match Org::posted(&state, &req, payload, Role::Organiser).await {
        Ok(posted) => posted,
        Err(r) => return r.respond(&state),
    };
    let (id, kiosk) = path.into_inner();
    let (actor, survey) = (org.actor(), id.clone());
    let closed = act(&state, move |chorus| {
        kiosks::close_kiosk(chorus, &actor, Some(&survey), &kiosk)
    })
    .await;
    match closed {
        Ok(_) => see_other(&format!("/org/s/{id}#kiosks")),
        Err(e) => survey_failure(&org, &id, &e),
    }
}
