//! Context fields filled from the code batch: a batch issued with `--tag site=north` answers the
//! survey's `from_batch` question for every response given with its cards; peers are never
//! asked and cannot change it; a tag the survey does not declare is refused and issues nothing.

use crate::forms::Page;
use crate::helpers::{get, post, TestApp};
use crate::org_client::{add_account, api_key};
use serde_json::{json, Value};

const SURVEY: &str = include_str!("../../surveys/paid-peer-survey.toml");

fn answers() -> Value {
    // A peer who tries to say where they got their card is ignored: the batch says it.
    json!({"consent": "yes", "age": 33, "witnessed": "no", "carries": "always", "site": "south"})
}

#[test]
fn every_response_given_with_a_tagged_card_carries_the_batch_tag() {
    let app = TestApp::spawn();
    app.import(SURVEY);
    app.open_survey("paid-peer-survey");
    let (ok, stdout, stderr) = app.cli(&[
        "codes",
        "issue",
        "paid-peer-survey",
        "--count",
        "40",
        "--tag",
        "site=north",
    ]);
    assert!(ok, "{stderr}");
    let codes: Vec<&str> = stdout.lines().collect();
    assert_eq!(codes.len(), 40);
    for code in &codes {
        let (status, body) = app.submit("paid-peer-survey", code, &answers());
        assert_eq!(status, 201, "{body}");
    }
    add_account(&app, "maria", "organiser");
    let key = format!("Bearer {}", api_key(&app, "maria"));
    let (status, body) = post(
        &app.url("/api/v1/surveys/paid-peer-survey/releases"),
        "",
        &[("Authorization", &key)],
    );
    assert_eq!(status, 201, "{body}");
    let (_, body) = crate::helpers::api_get(
        &app,
        "/api/v1/surveys/paid-peer-survey/releases/latest",
        &key,
    );
    let release: Value = serde_json::from_str(&body).expect("json");
    let site = release["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == "site")
        .expect("a table of the batch field");
    let rows = site["rows"].as_array().expect("rows");
    let count = |id: &str| {
        let r = rows.iter().position(|r| r["id"] == id).expect("row");
        site["cells"][r][0]["count"].as_i64()
    };
    let north = count("north").expect("north is published");
    assert!((38..=42).contains(&north), "north {north}");
    assert_eq!(count("south"), Some(0), "nobody's own answer was taken");
}

#[test]
fn a_tag_the_survey_does_not_declare_is_refused_and_issues_nothing() {
    let app = TestApp::spawn();
    app.import(SURVEY);
    app.open_survey("paid-peer-survey");
    for (tag, says) in [
        (
            "site=west",
            "'west' is not one of its options (north, south, van)",
        ),
        ("age=30", "not a question filled from the batch"),
        ("site", "is not KEY=VALUE"),
    ] {
        let (ok, stdout, stderr) = app.cli(&[
            "codes",
            "issue",
            "paid-peer-survey",
            "--count",
            "5",
            "--tag",
            tag,
        ]);
        assert!(!ok, "{tag} was taken");
        assert!(stdout.is_empty(), "{stdout}");
        assert!(stderr.contains(says), "{tag}: {stderr}");
    }
    let (ok, _, stderr) = app.cli(&[
        "codes",
        "issue",
        "demo",
        "--count",
        "5",
        "--tag",
        "site=north",
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("no question filled from the batch"),
        "{stderr}"
    );
    add_account(&app, "maria", "organiser");
    let key = format!("Bearer {}", api_key(&app, "maria"));
    let (status, body) = post(
        &app.url("/api/v1/surveys/paid-peer-survey/codes"),
        r#"{"count": 3, "tags": {"site": "west"}}"#,
        &[
            ("Authorization", &key),
            ("Content-Type", "application/json"),
        ],
    );
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("not one of its options"), "{body}");
    let (status, body) = post(
        &app.url("/api/v1/surveys/paid-peer-survey/codes"),
        r#"{"count": 3, "tags": {"site": "van"}}"#,
        &[
            ("Authorization", &key),
            ("Content-Type", "application/json"),
        ],
    );
    assert_eq!(status, 201, "{body}");
    // Only the accepted batch exists.
    let org = crate::org_client::OrgClient::log_in_existing(&app, "maria");
    let page = org.get("/org/s/paid-peer-survey");
    assert_eq!(page.html.matches("<td>3</td>").count(), 1, "{}", page.html);
    assert!(
        page.html.contains("name=\"tag.site\""),
        "the workspace offers the tag"
    );
}

#[test]
fn peers_are_never_asked_a_field_filled_from_the_batch() {
    let app = TestApp::spawn();
    app.import(SURVEY);
    app.open_survey("paid-peer-survey");
    let code = app.issue_codes("paid-peer-survey", 1).remove(0);
    let landing = Page::get(&app.url(&format!("/s/paid-peer-survey?code={code}")));
    let first = landing.form("/s/paid-peer-survey/page").go("start");
    assert!(first.has("#q-consent"), "{}", first.html);
    assert!(
        !first.html.contains("Where the card was handed out"),
        "{}",
        first.html
    );
    let (_, definition) = get(&app.url("/api/v1/surveys/paid-peer-survey"));
    let v: Value = serde_json::from_str(&definition).expect("json");
    let site = v["pages"][0]["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .find(|q| q["id"] == "site")
        .expect("site");
    assert_eq!(site["compute"], json!({"from_batch": true}));
}

/// A question filled from the code batch says where a card was handed out — two cards given out
/// in a jail single two people out — so it must be a quasi-identifier: a definition that calls
/// it anything else is refused, with its line, and nothing is imported.
#[test]
fn a_field_filled_from_the_batch_must_be_a_quasi_identifier() {
    let app = TestApp::spawn();
    let plain = SURVEY.replacen(
        "role = \"quasi\"\n  from_batch",
        "role = \"plain\"\n  from_batch",
        1,
    );
    assert_ne!(plain, SURVEY, "the example has a from_batch question");
    let path = app.dir.path().join("plain-site.toml");
    std::fs::write(&path, &plain).expect("write");
    let (ok, _, stderr) = app.cli(&["survey", "import", path.to_str().expect("path")]);
    assert!(!ok, "imported");
    assert!(stderr.contains("role = \"quasi\""), "{stderr}");
    assert!(stderr.contains("line "), "{stderr}");
    assert!(!app.survey_list().contains("paid-peer"), "nothing imported");
}
