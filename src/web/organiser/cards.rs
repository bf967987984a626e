//! Code cards: a batch of one-time codes, shown exactly once — as a printable sheet of cards
//! (QR code, the survey's short address and the code in large type, the survey's title and a
//! one-line promise in every language it offers; A4 or US letter, exactly 10 cards a page) or as
//! a CSV file for mail-merge. Chorus keeps no copy on disk: only the codes' keyed hashes are
//! stored.
//!
//! Issuing is a POST answered by a redirect, so reloading the printed sheet never issues another
//! batch. The redirect's page needs the codes once: they wait in memory only (see `pickup`),
//! for one showing to the organiser who issued them, and are forgotten when shown or after a few
//! minutes. Reloading the sheet then says the cards were shown once. The CSV file is that page
//! too, as a download. The form carries an id of its own, so sending it twice (a double tap, or
//! Back and send again) issues one batch, not a second that nobody ever sees.

use super::access::{act, field, see_other, Org};
use super::pickup::{self, Held, Pickup, Sending};
use super::surveys::{survey_failure, survey_page};
use crate::accounts::Role;
use crate::services::codes;
use crate::spreadsheet::cell;
use crate::tokens::TokenCode;
use crate::web::State;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde::Serialize;

/// The most codes one batch may hold (a print run; the CLI allows larger batches).
pub const MAX_BATCH: usize = 2_000;

#[derive(Serialize)]
struct Card {
    code: String,
    qr_svg: String,
}

/// The survey's title and the card's promise in one language.
#[derive(Serialize)]
struct CardText {
    lang: String,
    dir: &'static str,
    title: String,
    promise: String,
}

pub async fn issue(
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
    let count = match field(&fields, "count").and_then(|c| c.trim().parse::<usize>().ok()) {
        Some(n) if (1..=MAX_BATCH).contains(&n) => n,
        _ => {
            return survey_page(
                &org,
                &id,
                Some(&format!(
                    "Choose how many codes to issue: a number from 1 to {MAX_BATCH}."
                )),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    };
    let (format, paper) = (field(&fields, "format"), field(&fields, "paper"));
    if !matches!(format, None | Some("print" | "csv"))
        || !matches!(paper, None | Some("a4" | "letter"))
    {
        return survey_page(
            &org,
            &id,
            Some("The form could not be read: cards are printed on A4 or US letter, or issued as a CSV file."),
            StatusCode::BAD_REQUEST,
        );
    }
    // One select per `from_batch` question, named `tag.<question>`; left empty, no tag.
    let tags: crate::survey::BatchTags = fields
        .iter()
        .filter_map(|(name, value)| {
            let key = name.strip_prefix("tag.")?;
            (!value.is_empty()).then(|| (key.to_owned(), value.clone()))
        })
        .collect();
    // The form's own id: sent twice (a double tap, or Back and send again), it issues one batch.
    let form = field(&fields, "_form")
        .filter(|f| !f.is_empty())
        .map(str::to_owned);
    if let Some(form) = &form {
        if let Some(answer) = sent_before(&org, &id, form).await {
            return answer;
        }
    }
    let (actor, survey_id) = (org.actor(), id.clone());
    let issued = act(&state, move |chorus| {
        codes::issue_codes(chorus, &actor, &survey_id, count, &tags)
    })
    .await;
    let (batch, codes) = match issued {
        Ok(done) => (done.batch, done.codes),
        Err(e) => {
            if let Some(form) = &form {
                pickup::release(&org.session.name, form);
            }
            return survey_failure(&org, &id, &e);
        }
    };
    let paper = if paper == Some("letter") {
        "letter"
    } else {
        "a4"
    };
    let ticket = pickup::leave(Pickup {
        account: org.session.name.clone(),
        survey: id.clone(),
        held: Held::Cards {
            batch,
            paper,
            csv: format == Some("csv"),
            codes: codes.iter().map(TokenCode::display).collect(),
        },
    });
    if let Some(form) = &form {
        pickup::settle(&org.session.name, form, &ticket);
    }
    see_other(&format!("/org/s/{id}/cards/{ticket}"))
}

/// The answer to a card form sent before: its first sending's cards (shown if they were not
/// yet), after waiting a little for a first sending still issuing them; `None` when this is the
/// first sending, which goes on to issue.
async fn sent_before(org: &Org<'_>, id: &str, form: &str) -> Option<HttpResponse> {
    for _ in 0..100 {
        match pickup::claim(&org.session.name, form) {
            Sending::First => return None,
            Sending::Again(Some(ticket)) => {
                return Some(see_other(&format!("/org/s/{id}/cards/{ticket}")))
            }
            Sending::Again(None) => {
                actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await
            }
        }
    }
    Some(survey_page(
        org,
        id,
        Some("These cards are still being issued. Open the survey page again in a minute: the batch will be listed there."),
        StatusCode::CONFLICT,
    ))
}

/// The sheet of cards for a batch just issued, once. A reload (or anyone else) gets a page that
/// says so, and issues nothing.
pub async fn show(
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
    let held = pickup::take(&ticket, &org.session.name, &id);
    let (
        Some(entry),
        Some(Held::Cards {
            batch,
            paper,
            csv,
            codes,
        }),
    ) = (state.chorus.surveys.get(&id), held)
    else {
        let mut c = page.context("These cards were shown once");
        c.insert("id", &id);
        return page.render(StatusCode::GONE, "org/cards_shown.html", &c);
    };
    if csv {
        return csv_file(&state, &id, batch, &codes);
    }
    let survey = &entry.survey;
    let cards: Vec<Card> = codes
        .iter()
        .map(|code| Card {
            qr_svg: qr_svg(&link_with_code(&state, &id, code)),
            code: code.clone(),
        })
        .collect();
    let default_lang = survey.languages().first().map_or("en", |l| l.as_str());
    let texts: Vec<CardText> = survey
        .languages()
        .iter()
        .map(|l| CardText {
            lang: l.to_string(),
            title: survey.title().get(l.as_str()).to_owned(),
            dir: if crate::web::i18n::is_rtl(l.as_str()) {
                "rtl"
            } else {
                "ltr"
            },
            promise: state
                .translations
                .resolve(l.as_str(), default_lang, survey.interface(l.as_str()))
                .remove("card_promise")
                .unwrap_or_default(),
        })
        .collect();
    let mut c = page.context(&format!("Code cards, batch {batch}"));
    c.insert("survey_title", survey.title().default_text());
    c.insert("texts", &texts);
    c.insert("address", &short_address(&state, &id));
    c.insert("cards", &cards);
    c.insert("paper", paper);
    c.insert("id", &id);
    c.insert("batch", &batch);
    page.render(StatusCode::OK, "org/cards.html", &c)
}

/// The batch as a CSV file for mail-merge: each code and the link its QR code would open.
fn csv_file(state: &State, id: &str, batch: u32, codes: &[String]) -> HttpResponse {
    let mut csv = String::from("code,link\n");
    for code in codes {
        csv.push_str(&format!(
            "{},{}\n",
            cell(code),
            cell(&link_with_code(state, id, code))
        ));
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{id}-batch-{batch}.csv\""),
        ))
        .body(csv)
}

/// What a person who cannot scan types into a browser: the survey's address without the scheme.
pub(crate) fn short_address(state: &State, survey: &str) -> String {
    let base = &state.site.public_url;
    let host = base
        .strip_prefix("https://")
        .or_else(|| base.strip_prefix("http://"))
        .unwrap_or(base);
    format!("{}/s/{survey}", host.trim_end_matches('/'))
}

/// The link a card's QR code opens: the survey's landing page with the code.
fn link_with_code(state: &State, survey: &str, code: &str) -> String {
    format!("{}/s/{survey}?code={code}", state.site.public_url)
}

/// An inline SVG QR code (one unit per module, scaled by CSS). Generated here from our own link,
/// never from anything a person typed.
pub fn qr_svg(data: &str) -> String {
    match QrCode::with_error_correction_level(data.as_bytes(), EcLevel::M) {
        Ok(code) => {
            let image = code
                .render::<svg::Color<'_>>()
                .module_dimensions(1, 1)
                .quiet_zone(true)
                .build();
            image
                .split_once("?>")
                .map_or(image.clone(), |(_, svg)| svg.to_owned())
                .replacen(
                    "<svg ",
                    "<svg class=\"qr\" role=\"img\" aria-label=\"QR code\" ",
                    1,
                )
        }
        Err(_) => String::new(),
    }
}
