//! A real browser (Chromium via Playwright, phone viewport) answers the English–Swahili–Arabic
//! example survey in Swahili and in Arabic, with JavaScript on and off: every page carries its
//! language and direction, shows no English interface text, and axe finds nothing serious (see
//! `tests/browser/languages.mjs`). Needs what `scripts/test` installs.

#[path = "api/helpers.rs"]
#[expect(dead_code, reason = "shared with the API tests, which use more of it")]
mod helpers;

#[path = "browser/run.rs"]
mod run;

use helpers::TestApp;
use run::run_script;

#[test]
fn swahili_and_arabic_peers_answer_on_a_phone_with_and_without_javascript() {
    let app = TestApp::spawn();
    app.import(include_str!("../surveys/three-languages.toml"));
    app.open_survey("three-languages");
    let codes = app.issue_codes("three-languages", 4);
    let report = run_script("languages.mjs", &app.address, &codes);
    assert_eq!(report["failures"], serde_json::json!([]), "{report}");
    assert_eq!(report["violations"], serde_json::json!([]), "{report}");
    assert_eq!(
        report["scanned"].as_array().map(Vec::len),
        Some(12),
        "{report}"
    );
}
