//! Open surveys: the landing page (and the API) hand each visitor a fresh code, within an
//! in-memory rate limit.

use crate::helpers::{get, post, TestApp};
use serde_json::json;

const OPEN_SURVEY: &str = r#"
id = "walk-in"
title = "Walk-in survey"
mode = "open"

[[pages]]
title = "Only page"
  [[pages.questions]]
  id = "visited"
  type = "single"
  role = "plain"
  text = "Did you visit the drop-in this week?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
"#;

fn code_on_page(html: &str) -> String {
    let start = html.find("class=\"code\">").expect("code on page") + "class=\"code\">".len();
    html[start..start + 17].to_owned()
}

#[test]
fn each_visitor_of_an_open_survey_gets_a_fresh_working_code() {
    let app = TestApp::spawn();
    app.import(OPEN_SURVEY);
    app.open_survey("walk-in");
    let (status, first) = get(&app.url("/s/walk-in"));
    assert_eq!(status, 200);
    let (_, second) = get(&app.url("/s/walk-in"));
    let (a, b) = (code_on_page(&first), code_on_page(&second));
    assert_ne!(a, b);
    for code in [&a, &b] {
        assert_eq!(
            app.submit("walk-in", code, &json!({"visited": "yes"})).0,
            201
        );
    }
    let (status, body) = post(&app.url("/api/v1/surveys/walk-in/open-code"), "", &[]);
    assert_eq!(status, 201, "{body}");
    let code: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(
        app.submit(
            "walk-in",
            code["code"].as_str().expect("code"),
            &json!({"visited": "no"})
        )
        .0,
        201
    );
}

#[test]
fn an_invite_survey_hands_out_no_codes() {
    let app = TestApp::spawn();
    let (status, body) = post(&app.url("/api/v1/surveys/demo/open-code"), "", &[]);
    assert_eq!(status, 409, "{body}");
    let (_, html) = get(&app.url("/s/demo"));
    assert!(!html.contains("class=\"code\""));
}

#[test]
fn drawing_too_many_codes_is_rate_limited_with_429() {
    let app = TestApp::spawn_configured(&[], Some("open_codes_per_minute = 3\n"));
    app.import(OPEN_SURVEY);
    app.open_survey("walk-in");
    let url = app.url("/api/v1/surveys/walk-in/open-code");
    let statuses: Vec<u16> = (0..5).map(|_| post(&url, "", &[]).0).collect();
    assert_eq!(statuses, vec![201, 201, 201, 429, 429]);
    let resp = ureq::post(&url).call();
    match resp {
        Err(ureq::Error::Status(429, r)) => assert!(r.header("Retry-After").is_some()),
        other => panic!("expected 429, got {other:?}"),
    }
    let (status, _) = get(&app.url("/s/walk-in"));
    assert_eq!(status, 429, "the landing page shares the limit");
}
