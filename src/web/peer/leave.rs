//! `/s/{survey}/leave`: where Quick exit (a POST) and a kiosk's reset (a GET without JavaScript)
//! go from a page that carries a code and answers (`pages.rs`). The code is retired first — its
//! person left, and nothing was stored — so that the page left behind in the browser's history,
//! sent again by the next person (Back, then "resend"), shows "This code can't be used" and
//! never the answers. Then on, at once: to the kiosk's start page, or to the installation's
//! Quick exit address. The answer is the same whatever the code was.

use super::State;
use crate::services::{kiosks, responses};
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct Leaving {
    code: Option<String>,
    kiosk: Option<String>,
}

/// Quick exit: the form a page carrying a code shows (or its beacon, with JavaScript).
pub async fn leave_posted(
    state: web::Data<State>,
    path: web::Path<String>,
    form: web::Form<Leaving>,
) -> HttpResponse {
    leave_with(&state, &path.into_inner(), &form.into_inner()).await
}

/// A kiosk's reset without JavaScript: a `<meta refresh>` can only follow an address, so this
/// one carries the code it retires.
pub async fn leave(
    state: web::Data<State>,
    path: web::Path<String>,
    query: web::Query<Leaving>,
) -> HttpResponse {
    leave_with(&state, &path.into_inner(), &query.into_inner()).await
}

async fn leave_with(state: &State, survey: &str, leaving: &Leaving) -> HttpResponse {
    if let Some(code) = &leaving.code {
        if let Err(e) = responses::retire_code(&state.chorus, survey, code).await {
            crate::telemetry::storage_failure(
                "storage failure retiring a code left on Quick exit",
                &e,
            );
        }
    }
    // Only a kiosk link made here leads back to a kiosk; anything else leaves the site.
    let to = match leaving
        .kiosk
        .as_deref()
        .and_then(|t| kiosks::kiosk_at(&state.chorus, t).ok())
    {
        Some((_, token)) => format!("/k/{}", token.encode(&state.chorus.session)),
        None => state.site.quick_exit_url.clone(),
    };
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}
