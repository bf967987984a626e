//! A multi-select as a quasi-identifier: every one of its columns in `data.csv` counts when
//! looking for a row's look-alikes, so a rare combination of ticks never singles a person out.

use crate::exports::{download, files};
use crate::helpers::{post, TestApp};
use crate::org_client::{add_account, api_key};
use serde_json::{json, Value};
use std::collections::HashMap;

const SURVEY: &str = r#"
id = "use"
title = "What people use"
k_anonymity = 5

[[pages]]
title = "About you"

  [[pages.questions]]
  id = "gender"
  type = "single"
  role = "quasi"
  text = "Gender?"
  options = [{ id = "woman", text = "Woman" }, { id = "man", text = "Man" }]

  [[pages.questions]]
  id = "drugs"
  type = "multi"
  role = "quasi"
  text = "Which drugs did you use in the last 3 months?"
  options = [
    { id = "heroin", text = "Heroin" },
    { id = "fentanyl", text = "Fentanyl" },
    { id = "meth", text = "Meth" },
    { id = "crack", text = "Crack" },
  ]
  groups = [
    { id = "opioids", text = "Opioids", options = ["heroin", "fentanyl"] },
    { id = "stimulants", text = "Stimulants", options = ["meth", "crack"] },
  ]

  [[pages.questions]]
  id = "overdose"
  type = "single"
  role = "sensitive"
  text = "Overdosed in the last 3 months?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]
"#;

const RESPONSES: usize = 160;

/// Common combinations of ticks, and a few people with a combination nobody else has.
fn drugs(i: usize) -> Vec<&'static str> {
    let common: [&[&str]; 4] = [
        &["heroin"],
        &["meth"],
        &["heroin", "meth"],
        &["fentanyl", "crack"],
    ];
    match i {
        7 => vec!["heroin", "fentanyl", "meth", "crack"],
        19 => vec!["fentanyl", "meth"],
        33 => vec!["crack", "heroin"],
        _ => common[i % common.len()].to_vec(),
    }
}

fn bearer(key: &str) -> String {
    format!("Bearer {key}")
}

/// A closed survey with varied responses and an approved export; returns the bundle's files.
fn approved_bundle(app: &TestApp) -> HashMap<String, Vec<u8>> {
    app.import(SURVEY);
    app.open_survey("use");
    let genders = ["woman", "man"];
    for (i, code) in app.issue_codes("use", RESPONSES).iter().enumerate() {
        let answers = json!({
            "gender": genders[(i / 4) % 2],
            "drugs": drugs(i),
            "overdose": if (i / 8) % 3 == 0 { "yes" } else { "no" },
        });
        let (status, body) = app.submit("use", code, &answers);
        assert_eq!(status, 201, "{body}");
    }
    let (ok, _, stderr) = app.cli(&["survey", "close", "use"]);
    assert!(ok, "{stderr}");
    add_account(app, "rita", "researcher");
    add_account(app, "maria", "organiser");
    let researcher = api_key(app, "rita");
    let organiser = api_key(app, "maria");
    let (status, body) = post(
        &app.url("/api/v1/surveys/use/exports"),
        r#"{"purpose": "Polysubstance use and overdose"}"#,
        &[("Authorization", &bearer(&researcher))],
    );
    assert_eq!(status, 201, "{body}");
    let id = serde_json::from_str::<Value>(&body).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, body) = post(
        &app.url(&format!("/api/v1/exports/{id}/approve")),
        "",
        &[("Authorization", &bearer(&organiser))],
    );
    assert_eq!(status, 200, "{body}");
    let (status, zip) = download(app, &id, &researcher);
    assert_eq!(status, 200);
    files(&zip)
}

#[test]
fn every_exported_row_has_k_minus_one_look_alikes_over_all_quasi_columns_including_each_ticked_option(
) {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    let files = approved_bundle(&app);
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).expect("manifest");
    let k = manifest["k_requested"].as_u64().expect("k") as usize;
    assert!(k >= 5);
    let level = &manifest["levels"]["drugs"];
    assert!(
        level["level"].is_u64(),
        "the multi-select's level: {manifest}"
    );
    let mut codebook = csv::Reader::from_reader(files["codebook.csv"].as_slice());
    let roles: HashMap<String, String> = codebook
        .records()
        .map(|r| {
            let r = r.expect("row");
            (r[0].to_owned(), r[2].to_owned())
        })
        .collect();
    let mut data = csv::Reader::from_reader(files["data.csv"].as_slice());
    let header: Vec<String> = data
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let drug_columns: Vec<&String> = header.iter().filter(|h| h.starts_with("drugs.")).collect();
    let expected: &[&str] = match level["name"].as_str() {
        Some("options" | "suppressed") => &[
            "drugs.heroin",
            "drugs.fentanyl",
            "drugs.meth",
            "drugs.crack",
        ],
        Some("groups") => &["drugs.opioids", "drugs.stimulants"],
        other => panic!("unexpected level {other:?}"),
    };
    assert_eq!(drug_columns, expected, "{header:?}");
    for c in &drug_columns {
        assert_eq!(
            roles.get(*c).map(String::as_str),
            Some("quasi"),
            "{c} is a quasi-identifier in the codebook"
        );
    }
    // Every column the codebook calls a quasi-identifier, the multi-select's included.
    let quasi: Vec<usize> = header
        .iter()
        .enumerate()
        .filter(|(_, h)| roles.get(*h).map(String::as_str) == Some("quasi"))
        .map(|(i, _)| i)
        .collect();
    assert_eq!(quasi.len(), 1 + drug_columns.len());
    let overdose = header
        .iter()
        .position(|h| h == "overdose")
        .expect("overdose");
    let rows: Vec<csv::StringRecord> = data.records().map(|r| r.expect("row")).collect();
    let suppressed = manifest["records_suppressed"].as_u64().expect("suppressed") as usize;
    assert_eq!(rows.len() + suppressed, RESPONSES);
    assert!(
        suppressed * 20 <= RESPONSES,
        "at most 5% of records left out"
    );
    let mut classes: HashMap<Vec<String>, Vec<&csv::StringRecord>> = HashMap::new();
    for row in &rows {
        classes
            .entry(quasi.iter().map(|&i| row[i].to_owned()).collect())
            .or_default()
            .push(row);
    }
    for (key, members) in &classes {
        assert!(
            members.len() >= k,
            "class {key:?} has {} rows",
            members.len()
        );
        let answers: std::collections::HashSet<&str> =
            members.iter().map(|r| &r[overdose]).collect();
        assert!(answers.len() >= 2, "overdose is not 2-diverse in {key:?}");
    }
    // The one person who ticked everything is not there as themselves.
    if level["name"] == "options" {
        let ticks: Vec<usize> = expected
            .iter()
            .map(|n| header.iter().position(|h| h == n).expect("column"))
            .collect();
        assert!(
            !rows.iter().any(|r| ticks.iter().all(|&c| &r[c] == "1")),
            "a combination of ticks nobody else has is exported"
        );
    }
}
