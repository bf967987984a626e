//! Surveys in the workspace: the list, import (upload or paste, every error with its line),
//! opening and closing, and one survey's page.

use super::access::{act, field, see_other, Org};
use super::background::{self, Kind};
use super::upload::read_import_form;
use crate::accounts::Role;
use crate::release::Closed;
use crate::services::{surveys, ServiceError};
use crate::surveys::SurveyError;
use crate::web::error::{as_sentence, message_of, page_message_of, status_of, upload_status};
use crate::web::State;
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

pub async fn show_list(state: web::Data<State>, req: HttpRequest) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => return r.respond(&state),
    };
    let rows: Vec<surveys::SurveyRow> = surveys::list_surveys(&state.chorus)
        .into_iter()
        .map(|row| surveys::SurveyRow {
            progress: row.progress_words(),
            ..row
        })
        .collect();
    let page = org.page();
    let mut c = page.context("Surveys");
    c.insert("surveys", &rows);
    page.render(StatusCode::OK, "org/surveys.html", &c)
}

pub async fn show_import(state: web::Data<State>, req: HttpRequest) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => return r.respond(&state),
    };
    import_page(&org, StatusCode::OK, "", &[])
}

fn import_page(org: &Org<'_>, status: StatusCode, source: &str, errors: &[String]) -> HttpResponse {
    let page = org.page();
    let mut c = page.context("Import a survey");
    c.insert("source", source);
    c.insert("errors", errors);
    page.render(status, "org/import.html", &c)
}

/// A definition arrives pasted in the text box or as an uploaded file (multipart form).
pub async fn import(state: web::Data<State>, req: HttpRequest, form: Multipart) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => return r.respond(&state),
    };
    let fields = match read_import_form(&req, form).await {
        Ok(fields) => fields,
        Err(e) => return import_page(&org, upload_status(&e), "", &[e.to_string()]),
    };
    if let Err(r) = org.check_csrf(&fields) {
        return r.respond(&state);
    }
    let uploaded = field(&fields, "file").filter(|f| !f.trim().is_empty());
    let pasted = field(&fields, "source").filter(|f| !f.trim().is_empty());
    if let (Some(_), Some(pasted)) = (uploaded, pasted) {
        // Which one was meant? Importing either would silently drop the other.
        return import_page(
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            pasted,
            &["Both a file and pasted text were sent: send one of them. The pasted text is kept below.".into()],
        );
    }
    let source = uploaded
        .or(field(&fields, "source"))
        .unwrap_or("")
        .to_owned();
    if source.trim().is_empty() {
        return import_page(
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            "",
            &["Paste a definition or choose a file.".into()],
        );
    }
    let text = source.clone();
    let actor = org.actor();
    let outcome = act(&state, move |chorus| {
        surveys::import_survey(chorus, &actor, &text)
    })
    .await;
    match outcome {
        Ok(done) if done.warnings.is_empty() => see_other(&format!("/org/s/{}", done.id)),
        Ok(done) => survey_page(
            &org,
            done.id.as_str(),
            Some(&format!(
                "Imported. Please check: {}",
                done.warnings.join(" · ")
            )),
            StatusCode::OK,
        ),
        Err(ServiceError::Survey(SurveyError::Invalid(errors))) => {
            let lines: Vec<String> = errors
                .0
                .iter()
                .map(|e| as_sentence(&e.to_string()))
                .collect();
            import_page(&org, StatusCode::UNPROCESSABLE_ENTITY, &source, &lines)
        }
        Err(e) => import_page(
            &org,
            status_of(e.kind()),
            &source,
            &message_of(&e).lines().map(as_sentence).collect::<Vec<_>>(),
        ),
    }
}

/// `?closed=` after closing: what became of the releases, from a fixed list of sentences.
#[derive(serde::Deserialize)]
pub struct AfterClosing {
    closed: Option<String>,
}

pub async fn show_survey(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<String>,
    after: web::Query<AfterClosing>,
) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => return r.respond(&state),
    };
    // The banner comes from the address, so it is shown only where it is true.
    let closed = (org.state.chorus.surveys.get(&path))
        .is_some_and(|e| e.state == crate::surveys::SurveyState::Closed);
    let notice = match after.closed.as_deref().filter(|_| closed) {
        Some("published") => Some("The survey is closed and its final release is published."),
        Some("final") => Some("The survey is closed. Too few new responses arrived for a new release, so nothing new was published: the last release is the final one."),
        Some("none") => Some("The survey is closed. Too few responses arrived for any release, so none was published."),
        _ => None,
    };
    survey_page(&org, &path, notice, StatusCode::OK)
}

/// One survey's page, with `notice` above it (the outcome of an action, shown with `status`).
/// "Close this survey for good?" — what closing does, and the button that does it.
fn confirm_close(org: &Org<'_>, id: &str) -> HttpResponse {
    let Some(entry) = org.state.chorus.surveys.get(id) else {
        return survey_page(org, id, None, StatusCode::NOT_FOUND);
    };
    let page = org.page();
    let mut c = page.context("Close this survey for good?");
    c.insert("id", id);
    c.insert("survey_title", entry.survey.title().default_text());
    page.render(StatusCode::OK, "org/close_confirm.html", &c)
}

pub(super) fn survey_page(
    org: &Org<'_>,
    id: &str,
    notice: Option<&str>,
    status: StatusCode,
) -> HttpResponse {
    let overview = match surveys::overview(&org.state.chorus, id) {
        Ok(o) => o,
        Err(e) => return org.page().failure(&e),
    };
    let entry = &overview.entry;
    let page = org.page();
    let mut c = page.context(entry.survey.title().default_text());
    c.insert("id", id);
    c.insert("state", &entry.state.to_string());
    c.insert("mode", &format!("{:?}", entry.survey.mode()).to_lowercase());
    c.insert("progress", &overview.progress);
    c.insert("coupons_used", &overview.coupons_used);
    c.insert("waves_reached", &overview.waves_reached);
    c.insert("threshold", &entry.survey.threshold());
    c.insert("min_responses", &entry.survey.min_responses());
    c.insert("release_percent", &entry.survey.release_percent());
    c.insert("k", &entry.survey.k_anonymity());
    c.insert("batches", &overview.batches);
    let tag_fields: Vec<serde_json::Value> = entry
        .survey
        .batch_fields()
        .map(|q| {
            let options: Vec<(String, String)> = q
                .kind
                .options()
                .iter()
                .map(|o| (o.id.clone(), o.text.default_text().to_owned()))
                .collect();
            serde_json::json!({
                "id": q.id.as_str(),
                "text": q.text.default_text(),
                "options": options,
            })
        })
        .collect();
    c.insert("tag_fields", &tag_fields);
    // The card form's own id: the same form sent twice issues one batch (`cards::issue`).
    c.insert("form_id", &crate::vault::random_hex::<16>());
    c.insert("notice", &notice);
    c.insert("making", &background::running(org.state, id));
    c.insert("link", &format!("{}/s/{id}", org.state.site.public_url));
    c.insert("releases", &overview.releases);
    c.insert("final_release", &overview.final_release);
    c.insert("shredded", &entry.shredded);
    c.insert("closed_on", &entry.closed_on);
    c.insert("retention_days", &entry.retention_days);
    let kiosks: Vec<serde_json::Value> =
        crate::services::kiosks::working_kiosks(&org.state.chorus, id)
            .unwrap_or_default()
            .iter()
            .map(|k| serde_json::json!({ "id": k.id.hex(), "batch": k.batch }))
            .collect();
    c.insert("kiosks", &kiosks);
    super::free_text::survey_context(org, id, &mut c);
    page.render(status, "org/survey.html", &c)
}

/// The survey's page after a refused or failed action, with the reason and its status.
pub(super) fn survey_failure(org: &Org<'_>, id: &str, e: &ServiceError) -> HttpResponse {
    match e {
        ServiceError::NoSuchSurvey(_) => org.page().failure(e),
        _ => survey_page(org, id, Some(&page_message_of(e)), status_of(e.kind())),
    }
}

pub async fn change_state(
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
    let closing = match field(&fields, "to") {
        Some("open") => false,
        Some("closed") => true,
        _ => {
            return survey_page(
                &org,
                &id,
                Some("Choose to open or to close the survey."),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    // Closing is for good: a press on the button first asks, on a page of its own (no script
    // needed), and only the press there closes.
    if closing && field(&fields, "confirm") != Some("yes") {
        return confirm_close(&org, &id);
    }
    let (actor, survey) = (org.actor(), id.clone());
    if closing {
        // Closing makes the final release, which may take minutes.
        return background::run(&org, &id, Kind::Close, move |chorus| {
            let query = match surveys::close_survey(chorus, &actor, &survey)? {
                Closed::Published(_) => "?closed=published",
                Closed::LastIsFinal { .. } => "?closed=final",
                Closed::NoRelease { .. } => "?closed=none",
            };
            Ok(format!("/org/s/{survey}{query}"))
        })
        .await;
    }
    match act(&state, move |chorus| {
        surveys::open_survey(chorus, &actor, &survey)
    })
    .await
    {
        Ok(()) => see_other(&format!("/org/s/{id}")),
        Err(e) => survey_failure(&org, &id, &e),
    }
}

/// Shredding from the workspace: the organiser types the survey's id to confirm.
pub async fn shred(
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
    if field(&fields, "confirm").map(str::trim) != Some(id.as_str()) {
        return survey_page(
            &org,
            &id,
            Some("To shred, type the survey's id exactly as shown."),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let (actor, survey) = (org.actor(), id.clone());
    match act(&state, move |chorus| {
        surveys::shred_survey(chorus, &actor, &survey)
    })
    .await
    {
        Ok(()) => survey_page(
            &org,
            &id,
            Some(&format!(
                "The survey's answers are shredded. {}",
                surveys::SHRED_NOTE
            )),
            StatusCode::OK,
        ),
        Err(e) => survey_failure(&org, &id, &e),
    }
}

pub async fn set_retention(
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
    let days = match field(&fields, "days").map(str::trim) {
        Some("") | None => None,
        Some(text) => match text.parse::<u32>() {
            Ok(0) => None,
            Ok(d) if d <= 36_500 => Some(d),
            _ => {
                return survey_page(
                    &org,
                    &id,
                    Some("Retention is a number of days (or empty to keep the answers until you shred them)."),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
            }
        },
    };
    let (actor, survey) = (org.actor(), id.clone());
    match act(&state, move |chorus| {
        surveys::set_retention(chorus, &actor, &survey, days)
    })
    .await
    {
        Ok(_) => see_other(&format!("/org/s/{id}")),
        Err(e) => survey_failure(&org, &id, &e),
    }
}
