//! A real browser: Debian's Chromium, driven by Playwright at a 390×844 phone viewport, completes
//! the demo survey with JavaScript on and off, and axe-core scans every page type. Screenshots
//! land in `target/browser-artefacts/` (not committed). Needs `scripts/test` (or `.ci/run`) to
//! have installed Chromium and the packages in `tests/browser/`.

#[path = "api/helpers.rs"]
#[expect(dead_code)]
mod helpers;

use helpers::TestApp;
use std::path::Path;
use std::process::Command;

#[test]
fn a_phone_browser_completes_the_demo_with_and_without_javascript_and_axe_finds_nothing_serious() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script_dir = root.join("tests/browser");
    assert!(
        script_dir.join("node_modules/playwright-core").exists() && Path::new("/usr/bin/chromium").exists(),
        "the browser test needs Chromium and its Node packages: run scripts/test, which installs them"
    );
    let app = TestApp::spawn();
    let codes = app.issue_codes("demo", 2);
    let artefacts = root.join("target/browser-artefacts");
    let out = Command::new("node")
        .current_dir(&script_dir)
        .arg("demo.mjs")
        .arg(&app.address)
        .arg(&codes[0])
        .arg(&codes[1])
        .arg(&artefacts)
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser run failed:\n{stdout}\n{stderr}"
    );
    let report: serde_json::Value = serde_json::from_str(stdout.trim()).expect("a JSON report");
    let runs = report["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 2);
    for run in runs {
        let pages = run["pages"].as_array().expect("pages");
        assert!(pages.len() >= 8, "the whole survey was walked: {pages:?}");
    }
    for page_type in [
        "landing",
        "page-1",
        "review",
        "thanks",
        "home",
        "privacy",
        "code-unusable",
        "validation-error",
    ] {
        assert!(
            artefacts.join(format!("{page_type}-js.png")).exists(),
            "{page_type} screenshot"
        );
    }
    assert!(artefacts.join("thanks-nojs.png").exists());
    // Both peers' answers were stored and their codes spent.
    assert_eq!(
        app.submit("demo", &codes[0], &serde_json::json!({"consent": "yes"}))
            .0,
        409
    );
    assert_eq!(
        app.submit("demo", &codes[1], &serde_json::json!({"consent": "yes"}))
            .0,
        409
    );
}
