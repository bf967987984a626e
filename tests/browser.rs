//! A real browser: Debian's Chromium, driven by Playwright at a 390×844 phone viewport, answers
//! the demo survey with JavaScript on and off, tapping every kind of control and every exclusive
//! box, scans every page type with axe-core (light, dark, 200% text) and prints code cards to PDF
//! (see `tests/browser/demo.mjs`). Then the data directory is opened the way a restarted server
//! opens it, and the stored responses must equal what the browser entered — no product route
//! shows an individual response. Screenshots and PDFs land in `target/browser-artefacts/` (not
//! committed). Needs `scripts/test` (or `.ci/run`) to have installed Chromium and the packages in
//! `tests/browser/`.

#[path = "api/helpers.rs"]
#[expect(dead_code, reason = "shared with the API tests, which use more of it")]
mod helpers;

use chorus::submissions::StoredText;
use chorus::survey::{answers, Answer, Response};
use helpers::TestApp;
use std::path::Path;
use std::process::Command;

const ORGANISER_PASSWORD: &str = "a long organiser password";

fn add_organiser(app: &TestApp, name: &str) {
    app.add_account(name, "organiser", ORGANISER_PASSWORD);
}

/// Every stored response of a survey, and every free-text answer (stored apart from the
/// responses), opened with the installation's own keys (the server is stopped first, as it holds
/// the store's lock).
fn stored_responses(app: &TestApp, survey: &str) -> (Vec<Response>, Vec<String>) {
    let data_dir = app.data_dir();
    let key_file = app.key_file();
    let env = move |name: &str| match name {
        "CHORUS_DATA_DIR" => Some(data_dir.display().to_string()),
        "CHORUS_KEY_FILE" => Some(key_file.display().to_string()),
        _ => None,
    };
    let settings = chorus::config::Settings::from_sources(None, &env).expect("settings");
    let (chorus, _) = chorus::installation::Chorus::open(&settings).expect("open installation");
    let entry = chorus.surveys.get(survey).expect("survey");
    let key = entry.data_key.as_ref().expect("not shredded");
    let responses = chorus
        .store
        .responses(survey)
        .map(|row| {
            let (id, sealed) = row.expect("row");
            let plain = key.open_response(survey, &id, &sealed).expect("opens");
            chorus::submissions::SealedRecord::decode(&entry.survey, &plain)
                .expect("a sealed record")
                .response
        })
        .collect();
    let texts = chorus
        .store
        .texts(survey)
        .map(|row| {
            let (id, sealed) = row.expect("row");
            let plain = key.open_text(survey, &id, &sealed).expect("opens");
            serde_json::from_slice::<StoredText>(&plain)
                .expect("a stored text")
                .text
        })
        .collect();
    chorus.store.close().expect("close");
    (responses, texts)
}

/// A response without its free-text answers (stored apart), and those answers.
fn without_texts(mut response: Response) -> (Response, Vec<String>) {
    let ids: Vec<String> = response
        .answers()
        .iter()
        .filter(|(_, a)| matches!(a, Answer::Text(_)))
        .map(|(id, _)| id.as_str().to_owned())
        .collect();
    let texts = ids
        .iter()
        .filter_map(|id| match response.remove(id) {
            Some(Answer::Text(t)) => Some(t),
            _ => None,
        })
        .collect();
    (response, texts)
}

#[test]
fn phones_with_and_without_javascript_store_exactly_what_peers_entered_and_axe_finds_nothing_serious(
) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let script_dir = root.join("tests/browser");
    assert!(
        script_dir.join("node_modules/playwright-core").exists()
            && Path::new("/usr/bin/chromium").exists(),
        "the browser test needs Chromium and its Node packages: run scripts/test, which installs them"
    );
    let mut app = TestApp::spawn();
    add_organiser(&app, "maria");
    let codes = app.issue_codes("demo", 8);
    let artefacts = root.join("target/browser-artefacts");
    let out = Command::new("node")
        .current_dir(&script_dir)
        .arg("demo.mjs")
        .arg(&app.address)
        .arg(codes.join(","))
        .arg("maria")
        .arg(ORGANISER_PASSWORD)
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
    for page_type in [
        "home",
        "landing",
        "review",
        "thanks",
        "privacy",
        "code-unusable",
        "validation-error",
    ] {
        for mode in ["js", "dark", "200"] {
            assert!(
                artefacts.join(format!("{page_type}-{mode}.png")).exists(),
                "{page_type} {mode} screenshot"
            );
        }
    }
    assert!(artefacts.join("landing-nojs.png").exists());

    // Peers who declined consent, and the one who left by Quick exit, used or kept their codes
    // without leaving a response; the others' codes are spent.
    for code in &codes[..6] {
        assert_eq!(
            app.submit("demo", code, &serde_json::json!({"consent": "yes"}))
                .0,
            409
        );
    }
    app.stop();
    let demo = chorus::survey::Survey::parse(include_str!("../surveys/demo.toml")).expect("demo");
    let mut expected_texts = Vec::new();
    let mut expected: Vec<String> = report["expected"]
        .as_array()
        .expect("expected answers")
        .iter()
        .map(|a| {
            let parsed = answers::parse(&demo, a.as_object().expect("an object"))
                .unwrap_or_else(|e| panic!("the test's own answers parse: {e:?}\n{a}"));
            let (parsed, texts) = without_texts(parsed);
            expected_texts.extend(texts);
            serde_json::to_string(&parsed).expect("json")
        })
        .collect();
    let (responses, mut stored_texts) = stored_responses(&app, "demo");
    let mut stored: Vec<String> = responses
        .iter()
        .map(|r| serde_json::to_string(r).expect("json"))
        .collect();
    expected.sort();
    stored.sort();
    assert_eq!(expected.len(), 4, "four peers sent answers");
    assert_eq!(stored, expected, "what was stored is what was entered");
    expected_texts.sort();
    stored_texts.sort();
    assert_eq!(
        stored_texts, expected_texts,
        "the free text stored apart is what was entered"
    );
}
