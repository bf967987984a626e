//! Free text, quotes and public results in the workspace: a free-text question's answers as they
//! were at the latest release, shown detached (the words alone, freshly shuffled on every view),
//! picking some to quote in the next release, and the switch that shows the latest
//! release to the community at `/r/{survey}`. Every view, pick and switch goes through the
//! services, which audit it.

use super::access::{act, field, see_other, Org};
use super::surveys::{survey_failure, survey_page};
use crate::accounts::Role;
use crate::release::ReleaseDocument;
use crate::services::releases::{self as release_actions, Which};
use crate::services::{free_text, public_results};
use crate::web::State;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use tera::Context;

pub async fn show(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (id, question) = path.into_inner();
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => {
            // A researcher's or staff's session: refused, and audited like any refused reading.
            if let Some(session) = crate::web::auth::session(&state, &req) {
                let actor = crate::services::Actor::workspace(&session.name);
                let (survey, q) = (id.clone(), question.clone());
                let _ = act(&state, move |chorus| {
                    free_text::refuse_reading_to_another_role(chorus, &actor, &survey, &q);
                    Ok(())
                })
                .await;
            }
            return r.respond(&state);
        }
    };
    let (actor, survey, q) = (org.actor(), id.clone(), question.clone());
    let view = match act(&state, move |chorus| {
        free_text::read_free_text(chorus, &actor, &survey, &q)
    })
    .await
    {
        Ok(v) => v,
        Err(e) => return org.page().failure(&e),
    };
    let page = org.page();
    let mut c = page.context(&view.title);
    c.insert("id", &id);
    c.insert("survey_title", &survey_title(&org, &id));
    c.insert("question", &view.question);
    c.insert("question_title", &view.title);
    c.insert("release", &view.release);
    c.insert("answers", &view.answers);
    c.insert("asked_only_if", &view.asked_only_if);
    c.insert("closed", &view.closed);
    page.render(StatusCode::OK, "org/free_text.html", &c)
}

fn survey_title(org: &Org<'_>, id: &str) -> String {
    org.state
        .chorus
        .surveys
        .get(id)
        .map(|e| e.survey.title().default_text().to_owned())
        .unwrap_or_default()
}

/// A pick (`do=pick`) or taking one back (`do=unpick`) of `question`'s words `text`.
pub async fn quote(
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
    let question = field(&fields, "question").unwrap_or("").to_owned();
    let text = field(&fields, "text").unwrap_or("").to_owned();
    let unpick = match field(&fields, "do") {
        Some("pick") => false,
        Some("unpick") => true,
        _ => {
            return survey_page(
                &org,
                &id,
                Some("The form could not be read: it should pick a quote or take one back."),
                StatusCode::BAD_REQUEST,
            )
        }
    };
    let (actor, survey) = (org.actor(), id.clone());
    let done = act(&state, move |chorus| {
        if unpick {
            free_text::unpick_quote(chorus, &actor, &survey, &question, &text)
        } else {
            free_text::pick_quote(chorus, &actor, &survey, &question, &text)
        }
    })
    .await;
    match done {
        Ok(_) => see_other(&format!("/org/s/{id}#quotes")),
        Err(e) => survey_failure(&org, &id, &e),
    }
}

/// The public results switch: `public=on|off`, and a `table` field per table shown (all
/// ticked: every table, including those of later releases).
pub async fn set_public(
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
    let on = match field(&fields, "public") {
        Some("on") => true,
        Some("off") => false,
        // Anything else is not a choice: change nothing rather than switch off.
        _ => {
            return org.page().message(
                StatusCode::BAD_REQUEST,
                "Public results not changed",
                "The switch is on or off; the form sent neither. Go back, reload the page and try again.",
            )
        }
    };
    let ticked: Vec<String> = fields
        .iter()
        .filter(|(n, _)| n == "table")
        .map(|(_, v)| v.clone())
        .collect();
    let all: Vec<String> = latest(&org, &id)
        .map(|d| d.tables.iter().map(|t| t.id.clone()).collect())
        .unwrap_or_default();
    let everything =
        field(&fields, "tables") != Some("chosen") || all.iter().all(|t| ticked.contains(t));
    let tables = (!everything).then_some(ticked);
    let (actor, survey) = (org.actor(), id.clone());
    match act(&state, move |chorus| {
        public_results::set_public_results(chorus, &actor, &survey, on, tables)
    })
    .await
    {
        Ok(()) => see_other(&format!("/org/s/{id}#public")),
        Err(e) => survey_failure(&org, &id, &e),
    }
}

fn latest(org: &Org<'_>, id: &str) -> Option<ReleaseDocument> {
    let (_, body) = release_actions::release_document(&org.state.chorus, id, Which::Latest)
        .ok()
        .flatten()?;
    serde_json::from_str(&body).ok()
}

#[derive(serde::Serialize)]
struct TableChoice {
    id: String,
    title: String,
    shown: bool,
}

/// What the survey page shows about free text, quotes and public results.
pub(super) fn survey_context(org: &Org<'_>, id: &str, c: &mut Context) {
    let chorus = &org.state.chorus;
    c.insert(
        "free_text",
        &free_text::free_text_questions(chorus, id).unwrap_or_default(),
    );
    // The release whose free text is read, if any (the page says why not otherwise).
    c.insert(
        "free_text_release",
        &free_text::free_text_release(chorus, id).ok(),
    );
    c.insert(
        "quotes",
        &free_text::picked_quotes(chorus, id).unwrap_or_default(),
    );
    let (public, chosen) = public_results::public_setting(chorus, id).unwrap_or((false, None));
    c.insert("public", &public);
    c.insert(
        "public_link",
        &format!("{}/r/{id}", org.state.site.public_url),
    );
    let tables: Vec<TableChoice> = latest(org, id)
        .map(|doc| {
            doc.tables
                .iter()
                .map(|t| TableChoice {
                    id: t.id.clone(),
                    title: t.title.clone(),
                    shown: chosen.as_ref().is_none_or(|ids| ids.contains(&t.id)),
                })
                .collect()
        })
        .unwrap_or_default();
    c.insert("public_tables", &tables);
}
