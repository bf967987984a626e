//! A real browser (Chromium via Playwright, phone viewport) answers a survey whose follow-up
//! questions depend on an answer above them on the same page, with JavaScript on (follow-ups
//! appear and disappear as the peer answers) and off (they are on the page with a hint, and
//! an answer that does not apply is set aside); axe finds nothing serious (see
//! `tests/browser/logic.mjs`). Needs what `scripts/test` installs.

#[path = "api/helpers.rs"]
#[expect(dead_code, reason = "shared with the API tests, which use more of it")]
mod helpers;

use helpers::TestApp;
use std::path::Path;
use std::process::Command;

#[test]
fn same_page_follow_ups_work_on_a_phone_with_and_without_javascript() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script_dir = root.join("tests/browser");
    assert!(
        script_dir.join("node_modules/playwright-core").exists()
            && Path::new("/usr/bin/chromium").exists(),
        "the browser test needs Chromium and its Node packages: run scripts/test, which installs them"
    );
    let app = TestApp::spawn();
    app.import(include_str!("../surveys/naloxone-carry.toml"));
    app.open_survey("naloxone-carry");
    let codes = app.issue_codes("naloxone-carry", 2);
    let out = Command::new("node")
        .current_dir(&script_dir)
        .arg("logic.mjs")
        .arg(&app.address)
        .arg(codes.join(","))
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser run failed:\n{stdout}\n{stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("a JSON report");
    assert_eq!(report["failures"], serde_json::json!([]), "{report}");
    assert_eq!(report["violations"], serde_json::json!([]), "{report}");
    assert_eq!(
        report["scanned"].as_array().map(Vec::len),
        Some(1),
        "{report}"
    );
}
