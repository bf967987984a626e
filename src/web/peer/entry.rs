//! Paper questionnaires (`/org/entry`), for staff and organisers: type the card code printed on
//! the questionnaire, then copy its answers into the survey's own pages in a compact data-entry
//! view (no notes or help written for peers; the same questions, validation and logic), and
//! send. The response is stored through the same path as a phone's; the audit log counts
//! entries, never which code. Codes and answers travel in form bodies only, with the workspace
//! session's CSRF token.

use super::flow::{self, Answers, Posted};
use super::pages::{self, Message, Render};
use super::{open_survey, State};
use crate::accounts::Role;
use crate::services::{paper, responses};
use crate::submissions::SubmitError;
use crate::survey::form;
use crate::surveys::SurveyEntry;
use crate::web::organiser::access::{act, field, Org};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

/// Who may enter paper questionnaires.
const DESK: &[Role] = &[Role::Staff, Role::Organiser];

pub async fn show_entry(state: web::Data<State>, req: HttpRequest) -> HttpResponse {
    let org = match Org::require_one_of(&state, &req, DESK) {
        Ok(o) => o,
        Err(r) => return r.respond(&state),
    };
    Render::new(&state, &req, None)
        .in_entry(&org.session.csrf)
        .entry_form(None, StatusCode::OK)
}

/// The card code typed from the paper: its survey's first page, in the data-entry view.
pub async fn start_entry(
    state: web::Data<State>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (org, fields) = match Org::posted_by(&state, &req, payload, DESK).await {
        Ok(x) => x,
        Err(r) => return r.respond(&state),
    };
    let csrf = org.session.csrf.clone();
    let r = Render::new(&state, &req, None).in_entry(&csrf);
    if state.limit(&state.code_entries, &req).is_err() {
        return r.message(Message::TooMany);
    }
    let typed = field(&fields, flow::CODE).unwrap_or_default();
    // Used, unknown and mistyped codes get one answer, here as on the peer pages.
    let (code, survey) = match responses::unused_code(&state.chorus, typed) {
        Ok(Some(found)) => found,
        Ok(None) => return r.entry_form(Some("entry_code_unusable"), StatusCode::CONFLICT),
        Err(_) => return r.message(Message::Busy),
    };
    let entry = match open_survey(&state, &survey) {
        Ok(entry) => entry,
        Err(message) => return r.message(message),
    };
    // The pages of the site the card was handed out at (`[variants]`), as on a phone.
    let site = super::site_of_code(&state, &entry, &code);
    let entry = site.unwrap_or_else(|| SurveyEntry::clone(&entry));
    let lang = entry
        .survey
        .languages()
        .first()
        .map_or_else(|| "en".to_owned(), |l| l.to_string());
    let r = Render::for_survey(&state, &entry, &lang).in_entry(&csrf);
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

pub async fn turn_entry_page(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (org, fields) = match Org::posted_by(&state, &req, payload, DESK).await {
        Ok(x) => x,
        Err(r) => return r.respond(&state),
    };
    let entry = match open_survey(&state, &path) {
        Ok(entry) => entry,
        Err(message) => return Render::new(&state, &req, None).message(message),
    };
    super::step(&state, &req, &entry, fields, Some(&org.session.csrf))
}

/// "Send": stored exactly as a phone's answers are, then counted in the audit log.
pub async fn send_entry(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let (org, fields) = match Org::posted_by(&state, &req, payload, DESK).await {
        Ok(x) => x,
        Err(r) => return r.respond(&state),
    };
    let csrf = org.session.csrf.clone();
    let entry = match open_survey(&state, &path) {
        Ok(entry) => entry,
        Err(message) => return Render::new(&state, &req, None).message(message),
    };
    let posted = Posted::from_fields(fields);
    let site = super::site_of_code(&state, &entry, &posted.code);
    let entry = site.unwrap_or_else(|| SurveyEntry::clone(&entry));
    let lang = posted.lang.clone().unwrap_or_else(|| {
        entry
            .survey
            .languages()
            .first()
            .map_or_else(|| "en".to_owned(), |l| l.to_string())
    });
    let r = Render::for_survey(&state, &entry, &lang).in_entry(&csrf);
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
            let (actor, survey) = (org.actor(), path.into_inner());
            // The response is durable already; a failed audit write is logged by the service.
            let _ = act(&state, move |chorus| {
                paper::record_paper_entry(chorus, &actor, &survey);
                Ok(())
            })
            .await;
            let coupons = pages::CouponCard::all(&done.coupons);
            let voucher = done.voucher.map(|v| v.display());
            r.entry_saved(
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
            crate::telemetry::storage_failure("storage failure on a paper entry", &e);
            r.message(Message::Busy)
        }
    }
}
