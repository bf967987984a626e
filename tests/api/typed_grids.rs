//! A grid with typed columns (days used × usual way, per substance), answered through the pages
//! without JavaScript and through the API, then read back as a release's one-way tables and as
//! an export's columns with their codebook entries.

use crate::forms::{compressed_get, Page};
use crate::helpers::{api_get, post, TestApp};
use crate::org_client::{add_account, api_key};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::Read;

const SURVEY: &str = include_str!("../../surveys/treatment-outcomes.toml");
const ID: &str = "treatment-outcomes";

/// Answers one card through the pages, in Spanish: heroin on 12 days, injected; methamphetamine
/// first written as 40 days (refused), then 3; cannabis "prefer not to say".
fn answer_through_the_pages(app: &TestApp) {
    let code = app.issue_codes(ID, 1).remove(0);
    let first = Page::get(&app.url(&format!("/s/{ID}?code={code}&lang=es")))
        .form(&format!("/s/{ID}/page"))
        .go("start");
    let mut form = first.form(&format!("/s/{ID}/page"));
    form.set("age", "30").set("in_treatment", "ost");
    // Five substances × (days, four ways, non-answers) still fit the peer pages' budget.
    let weight = form.compressed_size(Some(("_go", "next")), None)
        + compressed_get(&app.url("/static/chorus.css"))
        + compressed_get(&app.url("/static/chorus.js"));
    assert!(
        weight <= 14 * 1024,
        "the grid page weighs {weight} bytes compressed"
    );
    let grid = form.go("next");
    assert_eq!(grid.status, 200, "{}", grid.html);
    // One fieldset for the grid, one per row named by the row; each cell labelled by its column.
    assert!(grid
        .text("fieldset#q-use28 > legend")
        .contains("Para cada una de estas"));
    assert!(grid.has("fieldset#q-use28 fieldset.crow"));
    assert_eq!(grid.text("fieldset.crow > legend"), "Alcohol");
    assert!(grid.has(r#"input#in-use28__heroin__days[type="number"][min="0"][max="28"]"#));
    assert_eq!(
        grid.text(r#"label[for="in-use28__heroin__days"]"#),
        "Días de uso"
    );
    assert!(grid
        .has(r#"input#in-use28__heroin__route-inject[type="radio"][name="use28__heroin__route"]"#));
    assert!(grid.has(r#"label[for="in-use28__heroin__route-inject"]"#));
    assert!(grid
        .has(r#"input[type="checkbox"][name="use28__cannabis__days"][value="prefer_not_to_say"]"#));
    assert!(!grid.has("script[src]:not([src='/static/chorus.js'])"));

    let mut form = grid.form(&format!("/s/{ID}/page"));
    form.set("use28__heroin__days", "12")
        .set("use28__heroin__route", "inject")
        .set("use28__meth__days", "40")
        .tick("use28__cannabis__days", "prefer_not_to_say");
    let refused = form.go("next");
    assert_eq!(refused.status, 422, "40 days is more than 28");
    assert!(
        refused
            .text("#errors")
            .contains("Metanfetamina — Días de uso"),
        "the summary names the row and the column: {}",
        refused.text("#errors")
    );
    assert!(refused.has("#q-use28__meth__days.bad"));
    // What was typed stays, cell by cell.
    assert!(refused.has(r#"input#in-use28__heroin__days[value="12"]"#));
    let mut form = refused.form(&format!("/s/{ID}/page"));
    form.set("use28__meth__days", "3");
    let next = form.go("next");
    assert_eq!(next.status, 200, "{}", next.html);
    let mut form = next.form(&format!("/s/{ID}/page"));
    form.set("days_injected", "12").set("health", "5");
    let review = form.go("next");
    assert!(
        review.html.contains("Heroína — Días de uso"),
        "the review lists each cell by row and column"
    );
    let thanks = review
        .form(&format!("/s/{ID}/page"))
        .press(None, Some(&format!("/s/{ID}/submit")));
    assert_eq!(thanks.status, 200, "{}", thanks.html);
}

fn api_answers(i: usize) -> Value {
    json!({
        "age": if i % 2 == 0 { 30 } else { 40 },
        "in_treatment": if i % 3 == 0 { "none" } else { "ost" },
        "use28__heroin__days": if i % 2 == 0 { 12 } else { 20 },
        "use28__heroin__route": if i % 2 == 0 { "inject" } else { "smoke" },
        "use28__meth__days": if i % 2 == 0 { 3 } else { 0 },
        "use28__cannabis__days": "prefer_not_to_say",
        "days_injected": i % 5,
        "health": i % 11,
    })
}

fn files(zip_bytes: &[u8]) -> HashMap<String, String> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            f.read_to_end(&mut bytes).expect("bytes");
            let text = String::from_utf8_lossy(&bytes).into_owned();
            (f.name().expect("name").into_owned(), text)
        })
        .collect()
}

/// The published count of `row` in the one-way table `id` (`None` when hidden).

#[test]
fn each_cell_of_a_typed_grid_is_answered_checked_counted_and_exported_on_its_own() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    app.import(SURVEY);
    app.open_survey(ID);
    answer_through_the_pages(&app);

    // The API checks each cell like a question of its column's kind, and lists every problem.
    let code = app.issue_codes(ID, 1).remove(0);
    let (status, body) = app.submit(
        ID,
        &code,
        &json!({ "use28__heroin__days": 29, "use28__meth__route": "snort-lines" }),
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("use28__heroin__days") && body.contains("use28__meth__route"),
        "{body}"
    );
    let (status, body) = app.submit(ID, &code, &api_answers(1));
    assert_eq!(status, 201, "the refused answers changed nothing: {body}");
    for (i, code) in app.issue_codes(ID, 38).iter().enumerate() {
        let (status, body) = app.submit(ID, code, &api_answers(i + 2));
        assert_eq!(status, 201, "{body}");
    }

    // 40 people: 20 + the page's one on 12 days of heroin (8–14), 19 on 20 days (15–28);
    // cannabis: every one "prefer not to say". Counts carry noise of at most 2.
    let release = publish_as_maria(&app, ID);
    let body = release.to_string();
    let near = |n: Option<u64>, want: u64| n.is_some_and(|n| n.abs_diff(want) <= 2);
    assert!(
        near(one_way_count(&release, "use28__heroin__days", "8-14"), 20),
        "{body}"
    );
    assert!(near(
        one_way_count(&release, "use28__heroin__days", "15-28"),
        20
    ));
    assert!(near(
        one_way_count(&release, "use28__heroin__route", "inject"),
        20
    ));
    assert!(near(
        one_way_count(&release, "use28__cannabis__days", "prefer_not_to_say"),
        40
    ));
    assert!(near(
        one_way_count(&release, "use28__meth__days", "1-7"),
        20
    ));

    // The export: one column per row × column, each with its codebook entry (a sensitive cell
    // with a single value in a class, like cannabis here, is left out by ℓ-diversity as usual).
    let (ok, _, stderr) = app.cli(&["survey", "close", ID]);
    assert!(ok, "{stderr}");
    let out = app.dir.path().join("grid.zip");
    let (ok, _, stderr) = app.cli(&["export", ID, "--out", out.to_str().expect("path")]);
    assert!(ok, "{stderr}");
    let files = files(&std::fs::read(&out).expect("zip"));
    let header = files["data.csv"]
        .lines()
        .next()
        .expect("a header")
        .to_owned();
    for column in [
        "use28__heroin__days",
        "use28__heroin__route",
        "use28__meth__days",
    ] {
        assert!(
            header.split(',').any(|h| h == column),
            "{column} in {header}"
        );
    }
    let mut codebook = csv::Reader::from_reader(files["codebook.csv"].as_bytes());
    let entry = codebook
        .records()
        .map(|r| r.expect("row"))
        .find(|r| r.get(0) == Some("use28__heroin__route"))
        .expect("a codebook entry for the cell");
    assert_eq!(entry.get(1), Some("Heroin — Usual way"));
    assert!(
        entry.get(5).is_some_and(|codes| codes.contains("Inject")),
        "{entry:?}"
    );
    assert!(files["codebook.xml"].contains("use28__heroin__route"));
}

/// Publishes the survey's next release as organiser "maria" (added here) and returns it as the
/// API serves it.
pub fn publish_as_maria(app: &TestApp, survey: &str) -> Value {
    add_account(app, "maria", "organiser");
    let key = format!("Bearer {}", api_key(app, "maria"));
    let (status, body) = post(
        &app.url(&format!("/api/v1/surveys/{survey}/releases")),
        "",
        &[("Authorization", &key)],
    );
    assert_eq!(status, 201, "{body}");
    let (_, body) = api_get(
        app,
        &format!("/api/v1/surveys/{survey}/releases/latest"),
        &key,
    );
    serde_json::from_str(&body).expect("json")
}

/// The published count of one row of a one-way table in a release (`None` when hidden).
pub fn one_way_count(release: &Value, id: &str, row: &str) -> Option<u64> {
    let table = release["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("no table {id}"));
    let at = table["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .position(|r| r["id"] == row)
        .unwrap_or_else(|| panic!("no row {row} in {id}: {}", table["rows"]));
    table["cells"][at][0]["count"].as_u64()
}
