//! Pages for peers: server-rendered, complete without JavaScript, no cookies, nothing stored
//! until the final "send". The code travels in the URL only on a QR card's first request; after
//! that only in form bodies.

mod entry;
mod flow;
mod kiosk;
mod leave;
mod pages;
mod view;

use super::api::read_body;
use super::i18n::negotiate;
use super::State;
use crate::services::responses;
use crate::submissions::SubmitError;
use crate::survey::{form, Mode};
use crate::surveys::{SurveyEntry, SurveyState};
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use flow::{Answers, Go, Posted};
use pages::{Message, Render};
use serde::Deserialize;
use std::sync::Arc;

/// The page for a peer address opened with a method it does not take (a form's target opened
/// as a link, say): 405, in the browser's language, with Quick exit and a way back.
pub(super) fn method_not_allowed(state: &State, req: &HttpRequest) -> HttpResponse {
    Render::new(state, req, None).message(Message::WrongMethod)
}

/// Largest form accepted: a whole survey's answers travel in every page's form.
const MAX_FORM_BYTES: usize = 64 * 1024;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // One resource per address with all its methods, so that another method gets 405 with
    // `Allow` (methods.rs) instead of falling through to 404.
    cfg.service(web::resource("/").get(show_home));
    cfg.service(web::resource("/start").post(start_with_code));
    cfg.service(web::resource("/s/{survey}").get(show_landing));
    cfg.service(web::resource("/s/{survey}/page").post(turn_page));
    cfg.service(web::resource("/s/{survey}/submit").post(submit_answers));
    cfg.service(
        web::resource("/s/{survey}/leave")
            .get(leave::leave)
            .post(leave::leave_posted),
    );
    cfg.service(web::resource("/k/{token}").get(kiosk::show_kiosk));
    cfg.service(web::resource("/k/{token}/start").post(kiosk::start_at_kiosk));
    cfg.service(
        web::resource("/org/entry")
            .get(entry::show_entry)
            .post(entry::start_entry),
    );
    cfg.service(web::resource("/org/entry/{survey}/page").post(entry::turn_entry_page));
    cfg.service(web::resource("/org/entry/{survey}/submit").post(entry::send_entry));
    cfg.service(web::resource("/privacy").get(show_privacy));
    cfg.service(web::resource("/static/chorus.css").get(stylesheet));
    cfg.service(web::resource("/static/chorus.js").get(script));
    cfg.service(web::resource("/static/cards.css").get(cards_stylesheet));
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

#[derive(Deserialize)]
struct LandingQuery {
    code: Option<String>,
    lang: Option<String>,
}

async fn show_home(
    state: web::Data<State>,
    req: HttpRequest,
    query: web::Query<LangQuery>,
) -> HttpResponse {
    let r = Render::new(&state, &req, query.lang.as_deref());
    r.home()
}

/// The code typed on the home page: find its survey and show that survey's landing page.
async fn start_with_code(
    state: web::Data<State>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    if state.limit(&state.code_entries, &req).is_err() {
        return Render::new(&state, &req, None).message(Message::TooMany);
    }
    let fields = match read_form(payload).await {
        Ok(f) => f,
        Err(message) => return Render::new(&state, &req, None).message(message),
    };
    // The language chosen on the code-entry page carries on to the survey when it offers it.
    let chosen = fields
        .iter()
        .find(|(n, _)| n == flow::LANG)
        .map(|(_, v)| v.clone());
    let r = Render::new(&state, &req, chosen.as_deref());
    let typed = fields
        .iter()
        .find(|(n, _)| n == flow::CODE)
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    let (code, survey) = match unused_code(&state, typed) {
        Ok(found) => found,
        Err(Message::CodeUnusable) => return r.home_refused(typed),
        Err(message) => return r.message(message),
    };
    match state
        .chorus
        .surveys
        .get(&survey)
        .filter(|e| e.state == SurveyState::Open)
    {
        Some(entry) => landing(&state, &req, &entry, Some(code), chosen.as_deref()),
        // A card of a survey that is not open reads like a used or unknown one: once a survey is
        // closed, a different page for its unused cards would tell whoever finds a card that its
        // holder never answered — and so, for the others, that they did.
        None => r.home_refused(typed),
    }
}

async fn show_landing(
    state: web::Data<State>,
    path: web::Path<String>,
    query: web::Query<LandingQuery>,
    req: HttpRequest,
) -> HttpResponse {
    let r = Render::new(&state, &req, query.lang.as_deref());
    let entry = match open_survey(&state, &path) {
        Ok(entry) => entry,
        Err(message) => return r.message(message),
    };
    let code = match (&query.code, entry.survey.mode()) {
        (Some(_), _) if state.limit(&state.code_entries, &req).is_err() => {
            return r.message(Message::TooMany)
        }
        (Some(typed), _) => match usable_code(&state, &entry, typed) {
            Ok(usable) => Some(usable.code),
            Err(message) => return r.message(message),
        },
        (None, Mode::Open) => match state.issue_open_code(&path, &req).await {
            Ok(code) => Some(code.display()),
            Err(super::error::ApiError::RateLimited { .. }) => return r.message(Message::TooMany),
            Err(_) => return r.message(Message::Busy),
        },
        (None, Mode::Invite) => None,
    };
    landing(&state, &req, &entry, code, query.lang.as_deref())
}

fn landing(
    state: &State,
    req: &HttpRequest,
    entry: &SurveyEntry,
    code: Option<String>,
    lang: Option<&str>,
) -> HttpResponse {
    let lang = survey_language(entry, req, lang);
    Render::for_survey(state, entry, &lang).landing(entry, code.as_deref())
}

/// Every step between the landing page and the review: no state on the server, the form carries
/// everything.
async fn turn_page(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let entry = match open_survey(&state, &path) {
        Ok(entry) => entry,
        Err(message) => return in_posted_language(&state, &req, payload, message).await,
    };
    let fields = match read_form(payload).await {
        Ok(f) => f,
        Err(message) => return Render::new(&state, &req, None).message(message),
    };
    step(&state, &req, &entry, fields, None)
}

/// `message` (a survey closed while a peer was answering, or gone) in the language the peer
/// chose in the survey, which the posted form carries, rather than the browser's.
async fn in_posted_language(
    state: &State,
    req: &HttpRequest,
    payload: web::Payload,
    message: Message,
) -> HttpResponse {
    let fields = read_form(payload).await.unwrap_or_default();
    let chosen = fields
        .iter()
        .find(|(n, _)| n == flow::LANG)
        .map(|(_, v)| v.as_str());
    Render::new(state, req, chosen).message(message)
}

/// One step of the flow for a posted form; `entry_csrf` when staff enter a paper questionnaire
/// (the same pages in the compact data-entry view, see `entry`).
fn step(
    state: &State,
    req: &HttpRequest,
    entry: &SurveyEntry,
    fields: Vec<(String, String)>,
    entry_csrf: Option<&str>,
) -> HttpResponse {
    let posted = Posted::from_fields(fields);
    // Whether the code can be used is settled first; only a usable code's batch is read, for
    // the pages of the site its card was handed out at (`[variants]`). A used code and an
    // unknown one then get the same pages, whatever the form carries.
    let (checked, site) = match usable_code(state, entry, &posted.code) {
        Ok(usable) => (Ok(usable.code), usable.site),
        Err(message) => (Err(message), None),
    };
    let entry = site.as_ref().unwrap_or(entry);
    // A language button on a page of questions or the review shows the same step again in
    // that language, answers kept; on the landing page, the landing page.
    let in_flow = posted.page.is_some() || posted.from_review;
    let chosen = posted.switch_language.as_deref().or(posted.lang.as_deref());
    let lang = survey_language(entry, req, chosen);
    let r = on_kiosk(
        state,
        Render::for_survey(state, entry, &lang),
        posted.kiosk.as_deref(),
    );
    let r = match entry_csrf {
        Some(csrf) => r.in_entry(csrf),
        None => r,
    };
    if posted.switch_language.is_some() && !in_flow {
        return r.landing(
            entry,
            Some(&posted.code)
                .filter(|c| !c.is_empty())
                .map(String::as_str),
        );
    }
    // A used code never brings answers back (say, Back after "Thank you" re-posting a page):
    // the same message as for an unknown code, and nothing of what the form carried.
    if posted.go == Go::Start {
        if state.limit(&state.code_entries, req).is_err() {
            return r.message(Message::TooMany);
        }
        if checked.is_err() {
            return r.landing_refused(entry);
        }
    }
    let code = match checked {
        Ok(code) => code,
        Err(message) => {
            // Only failures count against the guessing limit, so peers turning pages never wait.
            if message == Message::CodeUnusable && state.limit(&state.code_entries, req).is_err() {
                return r.message(Message::TooMany);
            }
            return r.message(message);
        }
    };
    let survey = &entry.survey;
    let answers = Answers::parse(survey, posted.answer_fields.clone());
    let current = posted.page.filter(|p| *p < survey.pages().len());
    let flow = pages::Flow {
        entry,
        code: &code,
        answers: &answers,
        from_review: posted.from_review || matches!(posted.go, Go::Page(_)),
    };
    if posted.switch_language.is_some() {
        // A peer who switches language to understand a problem sees it again, in that language.
        return match current {
            Some(p) => r.page(&flow, p, posted.showing_problems),
            None => r.review(&flow),
        };
    }
    match posted.go {
        Go::Start => match flow::next_page(survey, None, &answers.response) {
            Some(p) => r.page(&flow, p, false),
            None => r.review(&flow),
        },
        Go::Next | Go::Review => {
            let Some(p) = current else {
                return r.review(&flow);
            };
            if !answers.problems_on_page(survey, p).is_empty() {
                return r.page(&flow, p, true);
            }
            match (
                posted.go,
                posted.from_review,
                flow::next_page(survey, Some(p), &answers.response),
            ) {
                (Go::Next, false, Some(next)) => r.page(&flow, next, false),
                _ => r.review(&flow),
            }
        }
        Go::Back => match current.and_then(|p| flow::previous_page(survey, p, &answers.response)) {
            Some(p) => r.page(
                &pages::Flow {
                    from_review: false,
                    ..flow
                },
                p,
                false,
            ),
            // Data entry has no landing page: Back on the first page stays there.
            None if entry_csrf.is_some() => r.page(&flow, current.unwrap_or(0), false),
            None => r.landing(
                entry,
                Some(&posted.code)
                    .filter(|c| !c.is_empty())
                    .map(String::as_str),
            ),
        },
        Go::Page(p)
            if p < survey.pages().len() && flow::has_content(survey, p, &answers.response) =>
        {
            r.page(&flow, p, false)
        }
        Go::Page(_) => r.review(&flow),
    }
}

/// "Send my answers": the only step that stores anything.
async fn submit_answers(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let entry = match open_survey(&state, &path) {
        Ok(entry) => entry,
        Err(message) => return in_posted_language(&state, &req, payload, message).await,
    };
    let fallback = Render::new(&state, &req, None);
    if state.limit(&state.submissions, &req).is_err() {
        return fallback.message(Message::TooMany);
    }
    let fields = match read_form(payload).await {
        Ok(f) => f,
        Err(message) => return fallback.message(message),
    };
    let posted = Posted::from_fields(fields);
    let site = site_of_code(&state, &entry, &posted.code);
    let entry = site.unwrap_or_else(|| SurveyEntry::clone(&entry));
    let lang = survey_language(&entry, &req, posted.lang.as_deref());
    let r = on_kiosk(
        &state,
        Render::for_survey(&state, &entry, &lang),
        posted.kiosk.as_deref(),
    );
    let answers = Answers::parse(&entry.survey, posted.answer_fields.clone());
    let json = form::to_json(&entry.survey, &answers.fields);
    let outcome = responses::submit(&state.chorus, &path, &posted.code, &json).await;
    let flow = pages::Flow {
        entry: &entry,
        code: &posted.code,
        answers: &answers,
        from_review: false,
    };
    match outcome {
        Ok(done) => {
            let coupons = pages::CouponCard::all(&done.coupons);
            let voucher = done.voucher.map(|v| v.display());
            r.thanks(
                &entry,
                &pages::Thanks {
                    screened_out: done.screened_out,
                    voucher: voucher.as_deref(),
                    coupons: &coupons,
                },
            )
        }
        Err(SubmitError::InvalidAnswers(_)) => r.review(&flow),
        Err(SubmitError::CodeUnusable) => r.message(Message::CodeUnusable),
        Err(SubmitError::NoSuchSurvey) => r.message(Message::NotFound),
        Err(SubmitError::SurveyClosed) => r.message(Message::Closed),
        Err(SubmitError::Store(e)) => {
            crate::telemetry::storage_failure("storage failure on submit", &e);
            r.message(Message::Busy)
        }
    }
}

/// Any address with nothing at it (a mistyped link, a button's address opened directly, a query
/// or path part that cannot be read as its route expects): a peer page like the others, with Quick exit, since a shared phone may be showing it. It
/// depends only on the browser's languages, so it says nothing about what the address held.
pub(super) fn page_not_found(state: &State, req: &HttpRequest) -> HttpResponse {
    Render::new(state, req, None).message(Message::PageNotFound)
}

async fn show_privacy(
    state: web::Data<State>,
    req: HttpRequest,
    query: web::Query<LangQuery>,
) -> HttpResponse {
    Render::new(&state, &req, query.lang.as_deref()).privacy()
}

async fn stylesheet() -> HttpResponse {
    static_file("text/css; charset=utf-8", super::render::STYLESHEET)
}

async fn cards_stylesheet() -> HttpResponse {
    static_file("text/css; charset=utf-8", super::render::CARDS_STYLESHEET)
}

async fn script() -> HttpResponse {
    static_file("text/javascript; charset=utf-8", super::render::SCRIPT)
}

/// Static files may be cached (they hold nothing personal); pages never are.
fn static_file(content_type: &str, body: &'static str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((header::CACHE_CONTROL, "public, max-age=86400"))
        .body(body)
}

/// A survey page answered on a kiosk's tablet stays in kiosk mode; a posted token not made here
/// is ignored (the page is then an ordinary one).
fn on_kiosk<'a>(state: &State, r: Render<'a>, posted: Option<&str>) -> Render<'a> {
    match posted {
        Some(token) if crate::services::kiosks::is_kiosk_link(&state.chorus, token) => {
            r.in_kiosk(token, Some(state.kiosk.idle_seconds))
        }
        _ => r,
    }
}

/// The survey as a usable code's site sees it, or `None` for the survey as it is — also for
/// every code that can't be used, whose batch is never read. A storage failure here only costs
/// the site's wording: sending the answers checks the code and its site again.
fn site_of_code(state: &State, entry: &SurveyEntry, code: &str) -> Option<SurveyEntry> {
    match responses::usable_code(&state.chorus, entry, code) {
        Ok(usable) => usable.and_then(|u| u.site),
        Err(e) => {
            crate::telemetry::storage_failure("storage failure looking up a code's site", &e);
            None
        }
    }
}

fn open_survey(state: &State, id: &str) -> Result<Arc<SurveyEntry>, Message> {
    let entry = state.chorus.surveys.get(id).ok_or(Message::NotFound)?;
    match entry.state {
        SurveyState::Open => Ok(entry),
        SurveyState::Draft => Err(Message::NotFound),
        SurveyState::Closed => Err(Message::Closed),
    }
}

/// A code checked on a survey's pages (a QR link's, before anyone spends ten minutes answering;
/// then on every page), with the survey as its card's site sees it. Used, unknown, mistyped and
/// other surveys' codes get the same message, and nothing of their batch is read.
fn usable_code(
    state: &State,
    entry: &SurveyEntry,
    typed: &str,
) -> Result<responses::UsableCode, Message> {
    responses::usable_code(&state.chorus, entry, typed)
        .map_err(|e| {
            crate::telemetry::storage_failure("storage failure checking a code", &e);
            Message::Busy
        })?
        .ok_or(Message::CodeUnusable)
}

/// An issued, unused code (as displayed) and its survey. Unknown, used and mistyped codes all
/// give the one "can't be used" message.
fn unused_code(state: &State, typed: &str) -> Result<(String, String), Message> {
    responses::unused_code(&state.chorus, typed)
        .map_err(|_| Message::Busy)?
        .ok_or(Message::CodeUnusable)
}

fn survey_language(entry: &SurveyEntry, req: &HttpRequest, chosen: Option<&str>) -> String {
    let offered: Vec<String> = entry
        .survey
        .languages()
        .iter()
        .map(|l| l.to_string())
        .collect();
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    negotiate(&offered, chosen, accept)
}

async fn read_form(payload: web::Payload) -> Result<Vec<(String, String)>, Message> {
    let body = read_body(payload, MAX_FORM_BYTES)
        .await
        .map_err(|_| Message::BadForm)?;
    serde_urlencoded::from_bytes(&body).map_err(|_| Message::BadForm)
}
