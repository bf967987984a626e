//! Kiosks in the workspace: open one for a survey (its link is shown once, on the page the
//! opening redirects to, to open on the tablet — see `pickup`) and close it. Both go through
//! `services::kiosks`, like the API and the command line.

use super::access::{act, see_other, Org};
use super::pickup::{self, Held, Pickup};
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
            // Shown by the redirect's page, once: a reload there opens no second kiosk.
            let ticket = pickup::leave(Pickup {
                account: org.session.name.clone(),
                survey: id.clone(),
                held: Held::Kiosk {
                    token: opened.token,
                    kiosk: opened.kiosk.id.hex(),
                },
            });
            see_other(&format!("/org/s/{id}/kiosks/opened/{ticket}"))
        }
        Err(e) => survey_failure(&org, &id, &e),
    }
}

/// The link of a kiosk just opened, once. A reload (or anyone else) gets a page that says so.
pub async fn show_opened(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(org) => org,
        Err(r) => return r.respond(&state),
    };
    let (id, ticket) = path.into_inner();
    let page = org.page();
    let Some(Held::Kiosk { token, kiosk }) = pickup::take(&ticket, &org.session.name, &id) else {
        let mut c = page.context("This kiosk link was shown once");
        c.insert("id", &id);
        return page.render(StatusCode::GONE, "org/kiosk_shown.html", &c);
    };
    let mut c = page.context("Kiosk opened");
    c.insert("id", &id);
    c.insert("link", &format!("{}/k/{token}", state.site.public_url));
    c.insert("kiosk", &kiosk);
    c.insert("hours", &state.kiosk.hours);
    page.render(StatusCode::OK, "org/kiosk.html", &c)
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
