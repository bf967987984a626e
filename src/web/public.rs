//! Results for the community: `/r/{survey}` shows a survey's latest release — the tables the
//! organisers chose, their bar charts drawn on the server (a hidden number is a labelled gap),
//! and the quotes — in the survey's languages, with the same plain words about hidden and
//! adjusted numbers as every release. No JavaScript, the peer pages' weight budget and headers.
//! Off by default: a survey that is not public gets the very same 404 as an unknown one.

use super::i18n::{is_rtl, negotiate, Strings};
use super::organiser::results::{view_with, TableView};
use super::State;
use crate::release::{self, Line, ReleaseDocument, Table};
use crate::services::public_results;
use crate::survey::{NonAnswer, Survey};
use crate::tally::band_words;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use tera::Context;

pub fn routes(cfg: &mut web::ServiceConfig) {
    // One resource per address with all its methods, so that another method gets 405 with
    // `Allow` (methods.rs) instead of falling through to 404.
    cfg.service(web::resource("/r/{survey}").get(show));
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

#[derive(Serialize)]
struct Quotes {
    title: String,
    texts: Vec<String>,
}

async fn show(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<String>,
    query: web::Query<LangQuery>,
) -> HttpResponse {
    let Some((survey, doc)) = public_results::public_release(&state.chorus, &path) else {
        return super::not_found(state, req).await;
    };
    let offered: Vec<String> = survey.languages().iter().map(|l| l.to_string()).collect();
    let accept = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = negotiate(&offered, query.lang.as_deref(), accept);
    let default = offered.first().map_or("en", String::as_str);
    let t = state
        .translations
        .resolve(&lang, default, survey.interface(&lang));
    let word = |key: &str, fallback: &str| t.get(key).cloned().unwrap_or_else(|| fallback.into());
    let hidden = word("results_hidden", "hidden");
    let words = Words {
        dont_know: word("dont_know", "Don't know"),
        prefer_not_to_say: word("prefer_not_to_say", "Prefer not to say"),
        total: word("results_total", "Total"),
        chosen: word("results_chosen", "Chosen"),
        not_chosen: word("results_not_chosen", "Not chosen"),
        other: word("results_other", "Other ({answers})"),
    };
    let one_way: Vec<TableView> = doc
        .one_way()
        .map(|table| view_with(&localise(table, &survey, &lang, &words), true, &hidden))
        .collect();
    let two_way: Vec<TableView> = doc
        .tables
        .iter()
        .filter(|table| table.variables.len() == 2)
        .map(|table| view_with(&localise(table, &survey, &lang, &words), false, &hidden))
        .collect();
    let quotes: Vec<Quotes> = doc
        .quotes
        .iter()
        .map(|g| Quotes {
            title: survey
                .question(&g.question)
                .map_or_else(|| g.title.clone(), |q| q.heading().get(&lang).to_owned()),
            texts: g.texts.clone(),
        })
        .collect();
    let mut c = Context::new();
    let title = survey.title().get(&lang).to_owned();
    c.insert("lang", &lang);
    c.insert("dir", if is_rtl(&lang) { "rtl" } else { "ltr" });
    c.insert("t", &t);
    c.insert("title", &title);
    c.insert("id", path.as_str());
    c.insert("quick_exit", &state.site.quick_exit_url);
    c.insert(
        "languages",
        &offered
            .iter()
            .map(|l| (l.clone(), state.translations.name_of(l)))
            .collect::<Vec<_>>(),
    );
    c.insert("number", &doc.release.to_string());
    c.insert("is_final", &doc.is_final);
    c.insert("note", &note(&doc, &t));
    c.insert("legend", &word("results_legend", release::HIDDEN_LEGEND));
    c.insert("hidden", &hidden);
    c.insert("one_way", &one_way);
    c.insert("two_way", &two_way);
    c.insert("quotes", &quotes);
    match state.templates.render("results.html", &c) {
        Ok(html) => HttpResponse::build(StatusCode::OK)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            HttpResponse::InternalServerError()
                .content_type("text/plain; charset=utf-8")
                .body("Something went wrong on our side.")
        }
    }
}

/// The release's plain words about hidden and adjusted numbers, in the reader's language.
fn note(doc: &ReleaseDocument, t: &Strings) -> String {
    let key = if doc.note == release::NOTE {
        "results_note"
    } else {
        "results_too_few"
    };
    t.get(key).cloned().unwrap_or_else(|| doc.note.clone())
}

/// Interface words a table needs.
struct Words {
    dont_know: String,
    prefer_not_to_say: String,
    total: String,
    chosen: String,
    not_chosen: String,
    /// A row merging the rarest answers: "Other ({answers})".
    other: String,
}

/// The table with its title and labels in `lang`, from the survey's own translations. Labels
/// that are not words of the survey (bands, numbers) stay as published; a merged row is named
/// in `lang` with its answers' words.
fn localise(table: &Table, survey: &Survey, lang: &str, words: &Words) -> Table {
    let mut out = table.clone();
    out.title = table
        .variables
        .iter()
        .map(|v| variable_title(survey, v, lang).unwrap_or_default())
        .collect::<Vec<_>>()
        .join(" × ");
    if out.title.trim().is_empty() {
        out.title = table.title.clone();
    }
    let localise_lines = |lines: &mut Vec<Line>, variable: Option<&String>| {
        for line in lines.iter_mut() {
            if let Some(label) = line_label(survey, variable.map(String::as_str), line, lang, words)
            {
                line.label = label;
            }
        }
    };
    localise_lines(&mut out.rows, table.variables.first());
    let columns_variable = table.variables.get(1);
    localise_lines(&mut out.columns, columns_variable);
    out
}

/// `question` or `question — part` (a grid row or a multiple-choice option) in `lang`.
fn variable_title(survey: &Survey, variable: &str, lang: &str) -> Option<String> {
    let (qid, part) = match variable.split_once('.') {
        Some((q, p)) => (q, Some(p)),
        None => (variable, None),
    };
    let q = survey.question(qid)?;
    // Away from any one response: `{answer:…}` shows its fallback (`Question::heading`).
    let text = q.heading().get(lang).to_owned();
    Some(match part {
        None => text,
        Some(p) => {
            let part_text = match &q.kind {
                crate::survey::QuestionKind::Grid { rows, .. } => {
                    rows.iter().find(|r| r.id == p).map(|r| r.text.get(lang))
                }
                kind => kind
                    .options()
                    .iter()
                    .find(|o| o.id == p)
                    .map(|o| o.text.get(lang)),
            };
            format!("{text} — {}", part_text.unwrap_or(p))
        }
    })
}

fn line_label(
    survey: &Survey,
    variable: Option<&str>,
    line: &Line,
    lang: &str,
    words: &Words,
) -> Option<String> {
    match line.id.as_str() {
        "total" => return Some(words.total.clone()),
        "selected" => return Some(words.chosen.clone()),
        "not_selected" => return Some(words.not_chosen.clone()),
        _ => {}
    }
    if let Some(n) = NonAnswer::from_stored(&line.id) {
        if let Some(text) = survey.non_answer_text(n, lang) {
            return Some(text.to_owned());
        }
        match n {
            NonAnswer::DontKnow => return Some(words.dont_know.clone()),
            NonAnswer::PreferNotToSay => return Some(words.prefer_not_to_say.clone()),
            NonAnswer::Custom(_) => {}
        }
    }
    if line.id.starts_with(MERGED) && !line.parts.is_empty() {
        return merged_label(survey, variable, line, lang, words);
    }
    let qid = variable?.split('.').next()?;
    let q = survey.question(qid)?;
    if let Some(o) = q.kind.options().iter().find(|o| o.id == line.id) {
        return Some(o.text.get(lang).to_owned());
    }
    q.groups
        .iter()
        .find(|g| g.id == line.id)
        .map(|g| g.text.get(lang).to_owned())
}

/// How the release names a row or column that merges the rarest answers (`merged-1`, …).
const MERGED: &str = "merged-";

/// "Other (…)" in `lang`, with each merged answer's words in `lang`; a band of numbers keeps
/// its figures. `None` (the published English label stays) when an answer has no words here.
fn merged_label(
    survey: &Survey,
    variable: Option<&str>,
    line: &Line,
    lang: &str,
    words: &Words,
) -> Option<String> {
    let answers: Option<Vec<String>> = line
        .parts
        .iter()
        .map(|part| {
            let alone = Line {
                id: part.clone(),
                label: String::new(),
                parts: Vec::new(),
            };
            line_label(survey, variable, &alone, lang, words).or_else(|| band_label(part))
        })
        .collect();
    Some(words.other.replace("{answers}", &answers?.join(", ")))
}

/// A band's figures from its id (`16-24`, `1-1`, `-5--1`), as every release writes them.
fn band_label(id: &str) -> Option<String> {
    let split = id.char_indices().skip(1).find(|&(_, c)| c == '-')?.0;
    let (lo, hi) = (
        id[..split].parse::<i64>().ok()?,
        id[split + 1..].parse::<i64>().ok()?,
    );
    Some(band_words(lo, hi))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_band_merged_into_a_row_keeps_its_figures() {
        assert_eq!(band_label("16-24").as_deref(), Some("16–24"));
        assert_eq!(band_label("1-1").as_deref(), Some("1"));
        assert_eq!(band_label("-5--1").as_deref(), Some("-5–-1"));
        assert_eq!(band_label("snort"), None);
        assert_eq!(band_label("1.5-2.5"), None);
    }

    #[test]
    fn the_public_page_uses_the_same_english_words_as_every_release() {
        let english: toml::Table = toml::from_str(include_str!("../../i18n/en.toml")).expect("en");
        let text = |k: &str| english.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        assert_eq!(
            text("results_legend").as_deref(),
            Some(release::HIDDEN_LEGEND)
        );
        assert_eq!(text("results_note").as_deref(), Some(release::NOTE));
    }
}
