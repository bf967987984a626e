//! A real browser (Chromium via Playwright, phone viewport) reads a survey's public results page
//! in two languages with JavaScript on and off: no script, no "<10", charts and tables that fit
//! a phone, and nothing serious for axe in light mode, dark mode or at 200% text (see
//! `tests/browser/public.mjs`). Needs what `scripts/test` installs.

#[path = "api/helpers.rs"]
#[expect(dead_code, reason = "shared with the API tests, which use more of it")]
mod helpers;

#[path = "browser/run.rs"]
mod run;

use helpers::TestApp;
use run::run_script;
use serde_json::json;

/// `n` varied, skewed answers to the demo survey: enough for a release with shown and hidden
/// counts.
fn answer(app: &TestApp, n: usize) {
    let genders = ["woman", "man", "woman", "non_binary"];
    let areas = [
        "harbour",
        "old_town",
        "station",
        "market",
        "riverside",
        "harbour",
    ];
    let drugs = ["heroin", "cannabis", "alcohol", "crack"];
    for (i, code) in app.issue_codes("demo", n).iter().enumerate() {
        let answers = json!({
            "consent": "yes",
            "age": 18 + (i * 13) % 60,
            "gender": genders[i % 4],
            "area": areas[(i / 2) % areas.len()],
            "drugs_3m": [drugs[i % 4], drugs[(i + 1) % 4]],
            "injected_3m": if i % 3 == 0 { "yes" } else { "no" },
            "overdose_witnessed": if (i / 3) % 2 == 0 { "yes" } else { "no" },
        });
        assert_eq!(app.submit("demo", code, &answers).0, 201);
    }
}

#[test]
fn the_public_results_page_reads_on_a_phone_in_every_language_without_script() {
    let app = TestApp::spawn();
    answer(&app, 60);
    for args in [
        &["release", "publish", "demo"][..],
        &["release", "public", "demo"][..],
    ] {
        let (ok, _, said) = app.cli(args);
        assert!(ok, "{args:?}: {said}");
    }
    // The script's second argument (codes, for the other scripts) is the survey here.
    let report = run_script("public.mjs", &app.address, &["demo".to_owned()]);
    assert_eq!(report["failures"], json!([]), "{report}");
    assert_eq!(report["violations"], json!([]), "{report}");
    assert_eq!(
        report["scanned"].as_array().map(Vec::len),
        Some(6),
        "{report}"
    );
}
