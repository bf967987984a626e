//! Releases in the workspace: publish, read (tables with bar charts drawn as SVG on the server,
//! every hidden count as one "hidden" mark with a legend, percentages only over published totals
//! of at least 30), pick a two-way table, download as CSV (zipped) or JSON. Everything comes
//! from the frozen release.

use super::access::{act, Org};
use super::background::{self, Kind};
use crate::accounts::Role;
use crate::disclosure::percent;
use crate::release::{self, Cell, PublishError, ReleaseDocument, Table};
use crate::services::releases::{self as release_actions, Which};
use crate::services::ServiceError;
use crate::web::State;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub async fn publish(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<String>,
    payload: web::Payload,
) -> HttpResponse {
    let (org, _) = match Org::posted(&state, &req, payload, Role::Organiser).await {
        Ok(posted) => posted,
        Err(r) => return r.respond(&state),
    };
    let id = path.into_inner();
    let (actor, survey) = (org.actor(), id.clone());
    background::run(&org, &id, Kind::Publish, move |chorus| {
        match release_actions::publish_release(chorus, &actor, &survey) {
            Ok(number) => Ok(format!("/org/s/{survey}/releases/{number}")),
            // A release published meanwhile through the API or the command line (a second press
            // here waits for this job instead, `background::run`): show it rather than an error.
            Err(ServiceError::Publish(PublishError::PublishedMeanwhile(number))) => {
                Ok(format!("/org/s/{survey}/releases/{number}"))
            }
            Err(e) => Err(e),
        }
    })
    .await
}

#[derive(Deserialize)]
pub struct Pick {
    rows: Option<String>,
    cols: Option<String>,
}

#[derive(Serialize)]
pub(crate) struct Bar {
    y: u32,
    label: String,
    width: u32,
    text: String,
    /// Drawn as a labelled gap, never as a bar: its size is not known.
    hidden: bool,
}

#[derive(Serialize)]
pub(crate) struct TableView {
    id: String,
    title: String,
    columns: Vec<String>,
    rows: Vec<(String, Vec<String>)>,
    bars: Vec<Bar>,
    height: u32,
    redesigned: bool,
}

/// A published release: its frozen bytes and the document they hold.
fn load(org: &Org<'_>, id: &str, number: u32) -> Option<(String, ReleaseDocument)> {
    let (_, body) = release_actions::release_document(&org.state.chorus, id, Which::Number(number))
        .ok()
        .flatten()?;
    let doc = serde_json::from_str(&body).ok()?;
    Some((body, doc))
}

fn no_release(org: &Org<'_>) -> HttpResponse {
    org.page().message(
        StatusCode::NOT_FOUND,
        "No such release",
        "This survey has no release with that number.",
    )
}

pub async fn show(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<(String, u32)>,
    pick: web::Query<Pick>,
) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => return r.respond(&state),
    };
    let (id, number) = path.into_inner();
    let Some((_, doc)) = load(&org, &id, number) else {
        return no_release(&org);
    };
    let one_way: Vec<TableView> = doc.one_way().map(|table| view(table, true)).collect();
    let variables: Vec<(String, String)> = doc
        .one_way()
        .map(|table| (table.variables[0].clone(), table.title.clone()))
        .collect();
    let picked = match (&pick.rows, &pick.cols) {
        (Some(a), Some(b)) if a != b => Some(doc.two_way(a, b).map(|table| view(&table, false))),
        _ => None,
    };
    let page = org.page();
    let mut c = page.context(&format!("{} — release {number}", doc.title));
    c.insert("id", &id);
    c.insert("number", &number);
    c.insert("doc", &doc);
    let last = release_actions::final_release(&org.state.chorus, &id).unwrap_or(None);
    c.insert("is_final", &(last == Some(number)));
    c.insert("one_way", &one_way);
    c.insert("variables", &variables);
    c.insert("picked_missing", &matches!(picked, Some(None)));
    c.insert("picked", &picked.flatten());
    c.insert("legend", release::HIDDEN_LEGEND);
    c.insert("rows_var", &pick.rows);
    c.insert("cols_var", &pick.cols);
    page.render(StatusCode::OK, "org/release.html", &c)
}

pub async fn download(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<(String, u32, String)>,
) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => return r.respond(&state),
    };
    let (id, number, format) = path.into_inner();
    let Some((body, doc)) = load(&org, &id, number) else {
        return no_release(&org);
    };
    let (content_type, name, bytes) = match format.as_str() {
        "json" => (
            "application/json",
            format!("{id}-release-{number}.json"),
            body.into_bytes(),
        ),
        "csv" => match release::csv_zip(&doc) {
            Ok(zip) => (
                "application/zip",
                format!("{id}-release-{number}-csv.zip"),
                zip,
            ),
            Err(e) => {
                tracing::error!(error = %e, "release download failed");
                return org.page().message(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Download failed",
                    "The download could not be built. Try again.",
                );
            }
        },
        _ => {
            return org.page().message(
                StatusCode::NOT_FOUND,
                "No such download",
                "Downloads are CSV (zipped) or JSON.",
            )
        }
    };
    let (actor, survey) = (org.actor(), id.clone());
    let recorded = act(&state, move |chorus| {
        release_actions::record_download(chorus, &actor, &survey, number, &format);
        Ok(())
    })
    .await;
    if recorded.is_err() {
        return no_release(&org);
    }
    HttpResponse::Ok()
        .content_type(content_type)
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ))
        .body(bytes)
}

/// The one mark every hidden number gets, whatever its size (see `release::HIDDEN_LEGEND`).
const HIDDEN: &str = "hidden";

/// Words for one published number: the count, the hidden mark, and a percentage of the
/// published total when that total is at least 30.
fn text(cell: &Cell, total: &Cell, with_percent: bool, hidden: &str) -> String {
    match cell.count.filter(|_| !cell.suppressed) {
        Some(n) => match percent(Some(n), total.count.filter(|_| !total.suppressed))
            .filter(|_| with_percent)
        {
            Some(p) => format!("{n} ({p}%)"),
            None => n.to_string(),
        },
        None => hidden.to_owned(),
    }
}

fn view(table: &Table, bars: bool) -> TableView {
    view_with(table, bars, HIDDEN)
}

/// A table's rows and (for a one-way table, `bars`) its chart, with `hidden` as the words of
/// the hidden mark: the same drawing for the workspace and the public results page.
pub(crate) fn view_with(table: &Table, bars: bool, hidden: &str) -> TableView {
    let last_col = table.columns.len().saturating_sub(1);
    let total_row = table.cells.last();
    let rows: Vec<(String, Vec<String>)> = table
        .rows
        .iter()
        .zip(&table.cells)
        .map(|(line, cells)| {
            let row_total = cells.get(last_col).copied().unwrap_or(Cell {
                count: None,
                suppressed: true,
            });
            let texts = cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let column_total = total_row
                        .and_then(|r| r.get(i))
                        .copied()
                        .unwrap_or(row_total);
                    // One-way tables: share of the total. Two-way: share of the row.
                    let base = if table.variables.len() == 1 {
                        column_total
                    } else {
                        row_total
                    };
                    text(
                        c,
                        &base,
                        i != last_col || table.variables.len() == 1,
                        hidden,
                    )
                })
                .collect();
            (line.label.clone(), texts)
        })
        .collect();
    // Surveys with coupons: the RDS-II weighted percentage as one more column, absent exactly
    // where the count is hidden (`release/rds.rs`).
    let rows: Vec<(String, Vec<String>)> = match &table.rds_percent {
        Some(weighted) => rows
            .into_iter()
            .enumerate()
            .map(|(i, (label, mut texts))| {
                texts.push(match weighted.get(i).copied().flatten() {
                    Some(p) => format!("{p}%"),
                    None => hidden.to_owned(),
                });
                (label, texts)
            })
            .collect(),
        None => rows,
    };
    let mut bar_list = Vec::new();
    if bars {
        let body = &table.cells[..table.cells.len().saturating_sub(1)];
        let total = total_row.and_then(|r| r.first()).copied().unwrap_or(Cell {
            count: None,
            suppressed: true,
        });
        // Bars are shares of the table's published total, so a hidden cell leaves a gap
        // rather than letting the largest shown bar stand for "everyone".
        let scale = total
            .count
            .filter(|_| !total.suppressed)
            .or_else(|| {
                body.iter()
                    .filter_map(|r| r.first().and_then(|c| c.count))
                    .max()
            })
            .unwrap_or(0)
            .max(1);
        for (i, (line, cells)) in table.rows.iter().zip(body).enumerate() {
            let cell = cells.first().copied().unwrap_or(Cell {
                count: None,
                suppressed: true,
            });
            let shown = cell.count.filter(|_| !cell.suppressed);
            bar_list.push(Bar {
                y: i as u32 * 34,
                label: line.label.clone(),
                width: shown.map_or(0, |n| (n.min(scale) * 220 / scale) as u32),
                text: text(&cell, &total, true, hidden),
                hidden: shown.is_none(),
            });
        }
    }
    TableView {
        id: table.id.clone(),
        title: table.title.clone(),
        columns: table
            .columns
            .iter()
            .map(|c| c.label.clone())
            .chain(
                table
                    .rds_percent
                    .as_ref()
                    .map(|_| "RDS-II weighted %".to_owned()),
            )
            .collect(),
        height: bar_list.len() as u32 * 34 + 4,
        redesigned: table.redesigned,
        rows,
        bars: bar_list,
    }
}
