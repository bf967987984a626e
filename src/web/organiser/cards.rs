//! Code cards: a batch of one-time codes, shown exactly once — as a printable sheet of cards
//! (QR code, short code, survey name, a one-line promise; A4 or US letter, 10 per sheet) or as a
//! CSV file. Chorus keeps no copy: only the codes' keyed hashes are stored.

use super::access::{act, field, Org};
use super::surveys::{survey_failure, survey_page};
use crate::accounts::Role;
use crate::services::codes;
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
    let (actor, survey_id) = (org.actor(), id.clone());
    let issued = act(&state, move |chorus| {
        codes::issue_codes(chorus, &actor, &survey_id, count)
    })
    .await;
    let (batch, codes) = match issued {
        Ok(done) => (done.batch, done.codes),
        Err(e) => return survey_failure(&org, &id, &e),
    };
    let Some(entry) = state.chorus.surveys.get(&id) else {
        return org.page().message(
            StatusCode::NOT_FOUND,
            "No such survey",
            "There is no survey with this name.",
        );
    };
    if field(&fields, "format") == Some("csv") {
        let mut csv = String::from("code,link\n");
        for code in &codes {
            csv.push_str(&format!(
                "{},{}\n",
                code.display(),
                card_link(&state, &id, code)
            ));
        }
        return HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{id}-batch-{batch}.csv\""),
            ))
            .body(csv);
    }
    let cards: Vec<Card> = codes
        .iter()
        .map(|code| Card {
            code: code.display(),
            qr_svg: qr_svg(&card_link(&state, &id, code)),
        })
        .collect();
    let page = org.page();
    let mut c = page.context(&format!("Code cards, batch {batch}"));
    c.insert("survey_title", entry.survey.title().default_text());
    c.insert("cards", &cards);
    c.insert(
        "paper",
        if field(&fields, "paper") == Some("letter") {
            "letter"
        } else {
            "a4"
        },
    );
    c.insert("id", &id);
    c.insert("batch", &batch);
    page.render(StatusCode::OK, "org/cards.html", &c)
}

/// The link a card's QR code opens: the survey's landing page with the code.
fn card_link(state: &State, survey: &str, code: &TokenCode) -> String {
    format!(
        "{}/s/{survey}?code={}",
        state.site.public_url,
        code.display()
    )
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
