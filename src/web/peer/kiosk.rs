//! A kiosk on a shared outreach tablet (`/k/{token}`): a start page with one large "Start"; each
//! press draws a fresh one-time code from the kiosk's batch and goes straight to the first
//! question, with no code to type. The pages that follow are the ordinary survey pages, carrying
//! the kiosk's link so that Quick exit, "Thank you" and a pause lead back to this start page
//! (`static/chorus.js` replaces the history entry; without JavaScript a `<noscript>` refresh does).
//! No login and no cookie: the link itself is the kiosk's key.

use super::flow::{self, Answers};
use super::pages::{self, Message, Render};
use super::{open_survey, read_form, survey_language, LangQuery};
use crate::services::kiosks::{self, KioskError};
use crate::surveys::SurveyEntry;
use crate::web::State;
use actix_web::{web, HttpRequest, HttpResponse};

pub async fn show_kiosk(
    state: web::Data<State>,
    path: web::Path<String>,
    query: web::Query<LangQuery>,
    req: HttpRequest,
) -> HttpResponse {
    let fallback = Render::new(&state, &req, query.lang.as_deref());
    let (kiosk, token) = match kiosks::kiosk_at(&state.chorus, &path) {
        Ok(found) => found,
        Err(e) => return refused(&fallback, e),
    };
    let entry = match open_survey(&state, &kiosk.survey) {
        Ok(entry) => entry,
        Err(message) => return fallback.message(message),
    };
    let lang = survey_language(&entry, &req, query.lang.as_deref());
    Render::for_survey(&state, &entry, &lang)
        .in_kiosk(&token.encode(&state.chorus.session), None)
        .kiosk_start(&entry)
}

/// "Start": a fresh code for the next person and the survey's first page.
pub async fn start_at_kiosk(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let fallback = Render::new(&state, &req, None);
    let (kiosk, token) = match kiosks::kiosk_at(&state.chorus, &path) {
        Ok(found) => found,
        Err(e) => return refused(&fallback, e),
    };
    let entry = match open_survey(&state, &kiosk.survey) {
        Ok(entry) => entry,
        Err(message) => return fallback.message(message),
    };
    let fields = match read_form(payload).await {
        Ok(f) => f,
        Err(message) => return fallback.message(message),
    };
    let chosen = fields
        .iter()
        .find(|(n, _)| n == flow::LANG)
        .map(|(_, v)| v.as_str());
    let lang = survey_language(&entry, &req, chosen);
    let r = Render::for_survey(&state, &entry, &lang).in_kiosk(
        &token.encode(&state.chorus.session),
        Some(state.kiosk.idle_seconds),
    );
    if state.kiosk_codes.check(kiosk.id).is_err() {
        return r.message(Message::TooMany);
    }
    let code = match kiosks::kiosk_code(&state.chorus, &kiosk).await {
        Ok(code) => code.display(),
        Err(e) => return refused(&r, e),
    };
    // A kiosk is a batch too: its tags choose the site's variant (`[variants]`).
    let site = super::site_of_code(&state, &entry, &code);
    let entry = site.unwrap_or_else(|| SurveyEntry::clone(&entry));
    let answers = Answers::parse(&entry.survey, Vec::new());
    let flow = pages::Flow {
        entry: &entry,
        code: &code,
        answers: &answers,
        from_review: false,
    };
    match flow::next_page(&entry.survey, None, &answers.response) {
        Some(p) => r.page(&flow, p, false),
        None => r.review(&flow),
    }
}

/// The page for a link that leads nowhere: unknown (404) or closed and expired (410) alike
/// change nothing.
fn refused(r: &Render<'_>, e: KioskError) -> HttpResponse {
    match e {
        KioskError::Unknown => r.message(Message::KioskUnknown),
        KioskError::Gone => r.message(Message::KioskGone),
        KioskError::SurveyClosed => r.message(Message::Closed),
        KioskError::Store(e) => {
            crate::telemetry::storage_failure("storage failure at a kiosk", &e);
            r.message(Message::Busy)
        }
    }
}
