//! A real browser (Chromium via Playwright, phone viewport) uses a kiosk on a shared tablet with
//! JavaScript on and off: after "Thank you", a pause and Quick exit the kiosk is back at its
//! clean start page, and Back — pressed several times — shows nothing of the person before; axe
//! finds nothing serious on the kiosk's pages (see `tests/browser/kiosk.mjs`). Needs what
//! `scripts/test` installs.

#[path = "api/helpers.rs"]
#[expect(dead_code, reason = "shared with the API tests, which use more of it")]
mod helpers;

#[path = "browser/run.rs"]
mod run;

use helpers::TestApp;
use run::run_script;

#[test]
fn back_after_a_kiosk_resets_shows_nothing_of_the_person_before_with_and_without_javascript() {
    // A short pause, so the test need not wait two minutes; codes enough for six people.
    let app = TestApp::spawn_configured(
        &[],
        Some("kiosk_idle_seconds = 4\nkiosk_codes_per_minute = 30\n"),
    );
    app.import(include_str!("../surveys/paid-peer-survey.toml"));
    app.open_survey("paid-peer-survey");
    let (ok, link, stderr) = app.cli(&["kiosk", "open", "paid-peer-survey"]);
    assert!(ok, "{stderr}");
    let link = link.trim();
    let path = link[link.find("/k/").expect("a kiosk link")..].to_owned();
    let report = run_script("kiosk.mjs", &app.address, &[path]);
    assert_eq!(report["failures"], serde_json::json!([]), "{report}");
    assert_eq!(report["violations"], serde_json::json!([]), "{report}");
    assert_eq!(
        report["scanned"].as_array().map(Vec::len),
        Some(3),
        "{report}"
    );
    // Back really went back into the earlier person's pages: Chromium's own page for a form it
    // will not send again (the pages are never stored), which shows nothing of them.
    let back = report["back"].as_array().expect("where Back led");
    for run in ["js after thanks", "nojs after thanks"] {
        assert!(
            back.iter()
                .filter_map(|b| b.as_str())
                .any(|b| b.starts_with(run) && b.contains("chrome-error://")),
            "{run}: {report}"
        );
    }
}
