//! A real browser (Chromium via Playwright, phone viewport) answers a survey whose follow-up
//! questions depend on an answer above them on the same page, with JavaScript on (follow-ups
//! appear and disappear as the peer answers) and off (they are on the page with a hint, and
//! an answer that does not apply is set aside); axe finds nothing serious (see
//! `tests/browser/logic.mjs`). Needs what `scripts/test` installs.

#[path = "api/helpers.rs"]
#[expect(dead_code, reason = "shared with the API tests, which use more of it")]
mod helpers;

#[path = "browser/run.rs"]
mod run;

use helpers::TestApp;
use run::run_script;

#[test]
fn same_page_follow_ups_work_on_a_phone_with_and_without_javascript() {
    let app = TestApp::spawn();
    app.import(include_str!("../surveys/naloxone-carry.toml"));
    app.open_survey("naloxone-carry");
    let codes = app.issue_codes("naloxone-carry", 2);
    let report = run_script("logic.mjs", &app.address, &codes);
    assert_eq!(report["failures"], serde_json::json!([]), "{report}");
    assert_eq!(report["violations"], serde_json::json!([]), "{report}");
    assert_eq!(
        report["scanned"].as_array().map(Vec::len),
        Some(1),
        "{report}"
    );
}
