//! Surveys in the workspace: the list, import (upload or paste, every error with its line),
//! opening and closing, and one survey's page.

use super::access::{field, run, see_other, Org};
use crate::accounts::Role;
use crate::surveys::{progress_band, SurveyError, SurveyState};
use crate::web::State;
use actix_multipart::Multipart;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use futures_util::StreamExt;
use serde::Serialize;

#[derive(Serialize)]
struct SurveyRow {
    id: String,
    title: String,
    state: String,
    mode: String,
    progress: String,
}

pub async fn show_list(state: web::Data<State>, req: HttpRequest) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let chorus = &state.chorus;
    let rows: Vec<SurveyRow> = chorus
        .surveys
        .list(&chorus.store)
        .into_iter()
        .map(|s| {
            let width = chorus
                .surveys
                .get(&s.id)
                .map_or(10, |e| e.survey.threshold() as usize);
            SurveyRow {
                progress: format!("{} responses", progress_band(s.responses, width)),
                id: s.id,
                title: s.title,
                state: s.state.to_string(),
                mode: s.mode,
            }
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
        Err(r) => return r,
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
pub async fn import(
    state: web::Data<State>,
    req: HttpRequest,
    mut form: Multipart,
) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => return r,
    };
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut total = 0usize;
    while let Some(Ok(mut part)) = form.next().await {
        let name = part.name().unwrap_or("").to_owned();
        let mut bytes = Vec::new();
        while let Some(Ok(chunk)) = part.next().await {
            total += chunk.len();
            if total > 1024 * 1024 {
                return import_page(
                    &org,
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "",
                    &["The definition is larger than 1 MB.".into()],
                );
            }
            bytes.extend_from_slice(&chunk);
        }
        fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
    }
    if let Err(r) = org.check_csrf(&fields) {
        return r;
    }
    let uploaded = field(&fields, "file").filter(|f| !f.trim().is_empty());
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
    let outcome = run(&state, move |chorus| {
        chorus.surveys.import(&chorus.store, &chorus.vault, &text)
    })
    .await;
    let Some(outcome) = outcome else {
        return import_page(
            &org,
            StatusCode::SERVICE_UNAVAILABLE,
            &source,
            &["Something went wrong on our side; nothing was imported.".into()],
        );
    };
    match outcome {
        Ok(done) => {
            org.audit(
                "import survey",
                Some(done.id.as_str()),
                done.replaced.then(|| "replaced the definition".to_owned()),
            )
            .await;
            see_other(&format!("/org/s/{}", done.id))
        }
        Err(SurveyError::Invalid(errors)) => {
            let lines: Vec<String> = errors.0.iter().map(|e| e.to_string()).collect();
            import_page(&org, StatusCode::UNPROCESSABLE_ENTITY, &source, &lines)
        }
        Err(e) => import_page(
            &org,
            StatusCode::UNPROCESSABLE_ENTITY,
            &source,
            &e.to_string().lines().map(str::to_owned).collect::<Vec<_>>(),
        ),
    }
}

#[derive(Serialize)]
struct BatchRow {
    batch: u32,
    issued: u64,
    used: String,
}

pub async fn show_survey(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => return r,
    };
    survey_page(&org, &path, None)
}

pub(super) fn survey_page(org: &Org<'_>, id: &str, notice: Option<&str>) -> HttpResponse {
    let chorus = &org.state.chorus;
    let Some(entry) = chorus.surveys.get(id) else {
        return org.page().message(
            StatusCode::NOT_FOUND,
            "No such survey",
            "There is no survey with this name.",
        );
    };
    let width = entry.survey.threshold() as usize;
    let batches: Vec<BatchRow> = chorus
        .store
        .batch_counts(id)
        .unwrap_or_default()
        .into_iter()
        .filter(|b| b.batch != crate::tokens::OPEN_BATCH)
        .map(|b| BatchRow {
            batch: b.batch,
            issued: b.issued,
            used: progress_band(b.used as usize, width),
        })
        .collect();
    let page = org.page();
    let mut c = page.context(entry.survey.title().default_text());
    c.insert("id", id);
    c.insert("state", &entry.state.to_string());
    c.insert("mode", &format!("{:?}", entry.survey.mode()).to_lowercase());
    c.insert(
        "progress",
        &progress_band(chorus.store.response_count(id), width),
    );
    c.insert("threshold", &entry.survey.threshold());
    c.insert("min_responses", &entry.survey.min_responses());
    c.insert("k", &entry.survey.k_anonymity());
    c.insert("batches", &batches);
    c.insert("notice", &notice);
    c.insert("link", &format!("{}/s/{id}", org.state.site.public_url));
    c.insert(
        "releases",
        &chorus.store.release_numbers(id).unwrap_or_default(),
    );
    c.insert("shredded", &entry.shredded);
    c.insert("closed_on", &entry.closed_on);
    c.insert("retention_days", &entry.retention_days);
    page.render(StatusCode::OK, "org/survey.html", &c)
}

pub async fn change_state(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let (org, fields) = match Org::posted(&state, &req, payload, Role::Organiser).await {
        Ok(posted) => posted,
        Err(r) => return r,
    };
    let target = match field(&fields, "to") {
        Some("open") => SurveyState::Open,
        Some("closed") => SurveyState::Closed,
        _ => return survey_page(&org, &path, Some("Choose to open or to close the survey.")),
    };
    let id = path.into_inner();
    let survey = id.clone();
    let outcome = run(&state, move |chorus| match target {
        SurveyState::Closed => crate::release::close_survey(chorus, &survey)
            .map(|closed| closed.to_string())
            .map_err(|e| e.to_string()),
        _ => chorus
            .surveys
            .set_state(&chorus.store, &survey, target)
            .map(|_| String::new())
            .map_err(|e| e.to_string()),
    })
    .await;
    match outcome {
        Some(Ok(detail)) => {
            let action = if target == SurveyState::Open {
                "open survey"
            } else {
                "close survey"
            };
            org.audit(action, Some(&id), (!detail.is_empty()).then_some(detail))
                .await;
            see_other(&format!("/org/s/{id}"))
        }
        Some(Err(e)) => survey_page(&org, &id, Some(&e)),
        None => survey_page(
            &org,
            &id,
            Some("Something went wrong on our side; nothing changed."),
        ),
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
        Err(r) => return r,
    };
    let id = path.into_inner();
    if field(&fields, "confirm").map(str::trim) != Some(id.as_str()) {
        return survey_page(
            &org,
            &id,
            Some("To shred, type the survey's id exactly as shown."),
        );
    }
    let survey = id.clone();
    match run(&state, move |chorus| {
        chorus.surveys.shred(&chorus.store, &survey)
    })
    .await
    {
        Some(Ok(())) => {
            org.audit("shred survey", Some(&id), None).await;
            survey_page(
                &org,
                &id,
                Some(&format!(
                    "The survey's answers are shredded. {}",
                    crate::operations::SHRED_NOTE
                )),
            )
        }
        Some(Err(e)) => survey_page(&org, &id, Some(&e.to_string())),
        None => survey_page(
            &org,
            &id,
            Some("Something went wrong on our side; nothing changed."),
        ),
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
        Err(r) => return r,
    };
    let id = path.into_inner();
    let days = match field(&fields, "days").map(str::trim) {
        Some("") | None => None,
        Some(text) => match text.parse::<u32>() {
            Ok(0) => None,
            Ok(d) if d <= 36_500 => Some(d),
            _ => return survey_page(&org, &id, Some("Retention is a number of days (or empty to keep the answers until you shred them).")),
        },
    };
    let survey = id.clone();
    match run(&state, move |chorus| {
        chorus.surveys.set_retention(&chorus.store, &survey, days)
    })
    .await
    {
        Some(Ok(())) => {
            let detail = days.map_or("keep until shredded by hand".to_owned(), |d| {
                format!("{d} days after closing")
            });
            org.audit("set retention", Some(&id), Some(detail)).await;
            see_other(&format!("/org/s/{id}"))
        }
        Some(Err(e)) => survey_page(&org, &id, Some(&e.to_string())),
        None => survey_page(
            &org,
            &id,
            Some("Something went wrong on our side; nothing changed."),
        ),
    }
}
