//! A real browser (Chromium via Playwright, a laptop's 1024×800 viewport and a phone's 390×844)
//! walks through the whole organiser workspace with JavaScript on and with JavaScript off,
//! tapping every control: the first organiser's one-time set-up link, logging in (and a wrong
//! password), importing a survey (pasted, uploaded, and an invalid one), opening it, issuing
//! code cards (printed sheet and CSV), kiosks, paper questionnaires, publishing and reading
//! releases and their downloads, free text and quotes, public results, closing, retention,
//! shredding, vouchers, researchers' export requests (asked by a researcher, approved and
//! declined by the organiser), the audit log and logging out. Every page must answer with a
//! human page (never raw JSON or a 404/500 from a link the page offers), load nothing from
//! another host, break no CSP rule, fit a phone, and give axe nothing serious or critical
//! (see `tests/browser/organiser.mjs`). Needs what `scripts/test` installs.

#[path = "api/helpers.rs"]
#[expect(dead_code, reason = "shared with the API tests, which use more of it")]
mod helpers;

#[path = "browser/run.rs"]
mod run;

use helpers::TestApp;
use run::run_script;
use serde_json::{json, Value};

const ORGANISER: &str = "maria";
const RESEARCHER: &str = "rita";
const PASSWORD: &str = "a long organiser password";

fn add_account(app: &TestApp, name: &str, role: &str) {
    app.add_account(name, role, PASSWORD);
}

/// Words with characters a page must escape: `SPECIAL` in `tests/browser/organiser.mjs`, which
/// reads and quotes them. Given before the first release, whose words organisers read.
const SPECIAL: &str = "Tom & Jerry's \"safe\" <b>place</b> is open 9–5 & 'late' > never";

/// `n` varied answers to the demo survey, a free-text answer from most: enough for a first
/// release with shown and hidden counts, and words to read and quote.
fn answer_demo(app: &TestApp, n: usize) {
    answer_survey(app, "demo", n);
}

/// [`answer_demo`] for survey `id`, a copy of the demo.
fn answer_survey(app: &TestApp, id: &str, n: usize) {
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
    let words = [
        "More evening hours at the drop-in, please.",
        "Naloxone in every hostel.",
        "Stop the police searches outside the clinic.",
        "Peer workers who have been there themselves.",
        "A safe place to use indoors.",
    ];
    for (i, code) in app.issue_codes(id, n).iter().enumerate() {
        let mut answers = json!({
            "consent": "yes",
            "age": 18 + (i * 13) % 60,
            "gender": genders[i % 4],
            "area": areas[(i / 2) % areas.len()],
            "drugs_3m": [drugs[i % 4], drugs[(i + 1) % 4]],
            "injected_3m": if i % 3 == 0 { "yes" } else { "no" },
            "overdose_witnessed": if (i / 3) % 2 == 0 { "yes" } else { "no" },
        });
        if i == 1 {
            answers["anything_else"] = json!(SPECIAL);
        } else if i % 4 != 3 {
            answers["anything_else"] = json!(format!("{} (#{i})", words[i % words.len()]));
        }
        let (status, body) = app.submit(id, code, &answers);
        assert_eq!(status, 201, "{body}");
    }
}

/// The paid survey, answered `n` times from cards of three sites and closed (a researcher may
/// ask for a closed survey's data); returns the vouchers the peers were given.
fn paid_survey_closed(app: &TestApp, n: usize) -> Vec<String> {
    app.import(include_str!("../surveys/paid-peer-survey.toml"));
    app.open_survey("paid-peer-survey");
    let mut vouchers = Vec::new();
    let sites = ["north", "south", "van"];
    for (s, site) in sites.iter().enumerate() {
        let (ok, out, err) = app.cli(&[
            "codes",
            "issue",
            "paid-peer-survey",
            "--count",
            &(n / sites.len()).to_string(),
            "--tag",
            &format!("site={site}"),
        ]);
        assert!(ok, "{err}");
        for (i, code) in out.lines().enumerate() {
            let carries = ["always", "sometimes", "never"][(i + s) % 3];
            let answers = json!({
                "consent": "yes",
                "age": 20 + (i * 7 + s * 11) % 60,
                "witnessed": if (i + s) % 2 == 0 { "yes" } else { "no" },
                "carries": carries,
            });
            let (status, body) = app.submit("paid-peer-survey", code, &answers);
            assert_eq!(status, 201, "{body}");
            let reply: Value = serde_json::from_str(&body).expect("json");
            if let Some(v) = reply["voucher"].as_str() {
                vouchers.push(v.to_owned());
            }
        }
    }
    let (ok, _, err) = app.cli(&["survey", "close", "paid-peer-survey"]);
    assert!(ok, "{err}");
    vouchers
}

fn write_config(app: &TestApp, name: &str, config: &Value) -> String {
    let path = app.dir.path().join(name);
    std::fs::write(&path, config.to_string()).expect("write the walk-through's settings");
    path.display().to_string()
}

/// Runs the script through `run_script`, which panics when the script exits with failures; the
/// report is read back from that panic's message, so that both phases always run and every
/// failure of both is reported together.
fn report_of(address: &str, settings: String) -> Value {
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let outcome = std::panic::catch_unwind(|| run_script("organiser.mjs", address, &[settings]));
    std::panic::set_hook(hook);
    match outcome {
        Ok(report) => report,
        Err(payload) => {
            let message = payload
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_default();
            message
                .lines()
                .find_map(|line| serde_json::from_str::<Value>(line.trim()).ok())
                .filter(|v| v.get("failures").is_some())
                .unwrap_or_else(
                    || json!({ "failures": [message], "violations": [], "scanned": [] }),
                )
        }
    }
}

/// What is wrong in a report: failures, axe violations, too few pages scanned.
fn problems(phase: &str, report: &Value, min_scanned: usize) -> Vec<String> {
    let mut out = Vec::new();
    let pretty = |v: &Value| serde_json::to_string_pretty(v).unwrap_or_default();
    if report["failures"] != json!([]) {
        out.push(format!(
            "{phase}: failures (report.failures != []):\n{}",
            pretty(&report["failures"])
        ));
    }
    if report["violations"] != json!([]) {
        out.push(format!(
            "{phase}: axe violations (report.violations != []):\n{}",
            pretty(&report["violations"])
        ));
    }
    let scanned = report["scanned"].as_array().map_or(0, Vec::len);
    if scanned < min_scanned {
        out.push(format!(
            "{phase}: only {scanned} pages scanned, at least {min_scanned} expected"
        ));
    }
    out
}

#[test]
fn every_organiser_control_works_with_and_without_javascript_and_axe_finds_nothing_serious() {
    let app = TestApp::spawn();
    // The first start printed the one-time link that sets the first organiser's password.
    let line = app
        .console_line_starting("Set the first organiser's password")
        .expect("a set-up link on the console");
    let setup = line[line.find("/org/setup/").expect("a set-up path")..]
        .trim()
        .to_owned();
    let config = write_config(
        &app,
        "walk-setup.json",
        &json!({ "phase": "setup", "setup": setup, "organiser": ORGANISER, "password": PASSWORD }),
    );
    let first = report_of(&app.address, config);

    // Responses to read, a closed survey with vouchers, and a researcher who asks for data.
    add_account(&app, RESEARCHER, "researcher");
    answer_demo(&app, 60);
    let vouchers = paid_survey_closed(&app, 60);
    assert!(vouchers.len() >= 2, "vouchers: {vouchers:?}");
    let config = write_config(
        &app,
        "walk.json",
        &json!({
            "phase": "walk",
            "setup": setup,
            "organiser": ORGANISER,
            "researcher": RESEARCHER,
            "password": PASSWORD,
            "vouchers": vouchers[..2],
            "closedSurvey": "paid-peer-survey",
        }),
    );
    let report = report_of(&app.address, config);
    let mut wrong = problems("the set-up link", &first, 5);
    wrong.extend(problems("the walk-through", &report, 60));
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
}

/// A release not made within the press's wait (`release_wait_seconds = 0`, so none is), in a
/// real browser with JavaScript on and off: the press leads to a page that says the release is
/// being made, whose "Look again" leads to the release once it is made.
#[test]
fn a_release_longer_than_the_wait_is_followed_to_its_page_with_and_without_javascript() {
    let app = TestApp::spawn_configured(&[], Some("release_wait_seconds = 0\n"));
    add_account(&app, ORGANISER, "organiser");
    let again =
        include_str!("../surveys/demo.toml").replacen("id = \"demo\"", "id = \"demo-again\"", 1);
    app.import(&again);
    app.open_survey("demo-again");
    answer_survey(&app, "demo", 40);
    answer_survey(&app, "demo-again", 40);
    let config = write_config(
        &app,
        "waiting.json",
        &json!({
            "phase": "waiting",
            "organiser": ORGANISER,
            "password": PASSWORD,
            "surveys": ["demo", "demo-again"],
        }),
    );
    let report = report_of(&app.address, config);
    let wrong = problems("waiting for a release", &report, 6);
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    let covered = report["covered"].to_string();
    for run in ["js", "nojs"] {
        assert!(
            covered.contains(&format!(
                "{run}: the page that waits for the release led to it"
            )),
            "{covered}"
        );
    }
}
