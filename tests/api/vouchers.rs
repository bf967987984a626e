//! Incentive vouchers: a peer gets one only once their answers are saved, staff pay each exactly
//! once (even when fifty desks press "Mark paid" at the same moment), the audit log counts
//! payments without naming vouchers, and a staff account can do nothing else.

use crate::forms::Page;
use crate::helpers::{all_files, get, post, TestApp};
use crate::org_client::{add_account, api_key, OrgClient};
use serde_json::{json, Value};

const PAID_SURVEY: &str = include_str!("../../surveys/paid-peer-survey.toml");

fn paid_survey(app: &TestApp) {
    app.import(PAID_SURVEY);
    app.open_survey("paid-peer-survey");
}

fn answers() -> Value {
    json!({"consent": "yes", "age": 33, "witnessed": "no", "carries": "always"})
}

/// Submits through the API and returns the voucher it gives.
fn voucher_for(app: &TestApp, code: &str) -> String {
    let (status, body) = app.submit("paid-peer-survey", code, &answers());
    assert_eq!(status, 201, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    v["voucher"].as_str().expect("a voucher").to_owned()
}

fn desk(app: &TestApp, action: &str, key: &str, voucher: &str) -> (u16, Value) {
    let (status, body) = post(
        &app.url(&format!("/api/v1/vouchers/{action}")),
        &json!({ "voucher": voucher }).to_string(),
        &[("Authorization", key), ("Content-Type", "application/json")],
    );
    (status, serde_json::from_str(&body).expect("json body"))
}

fn staff_key(app: &TestApp) -> String {
    add_account(app, "sam", "staff");
    format!("Bearer {}", api_key(app, "sam"))
}

#[test]
fn a_saved_response_gets_a_voucher_and_a_refused_or_screened_out_one_does_not() {
    let app = TestApp::spawn();
    paid_survey(&app);
    let codes = app.issue_codes("paid-peer-survey", 3);
    let key = staff_key(&app);
    let voucher = voucher_for(&app, &codes[0]);
    assert_ne!(voucher.replace('-', ""), codes[0].replace('-', ""));
    assert_eq!(
        desk(&app, "check", &key, &voucher).1,
        json!({"state": "payable", "survey": "paid-peer-survey", "reward": false})
    );
    // The same code again is refused, and gives no voucher.
    let (status, body) = app.submit("paid-peer-survey", &codes[0], &answers());
    assert_eq!(status, 409);
    assert!(!body.contains("voucher"), "{body}");
    // Someone the consent question screens out leaves nothing, and gets no voucher.
    let (status, body) = app.submit("paid-peer-survey", &codes[1], &json!({"consent": "no"}));
    assert_eq!(status, 201, "{body}");
    assert!(!body.contains("voucher"), "{body}");
    // A survey without an incentive gives no voucher.
    let demo = app.issue_codes("demo", 1);
    let (status, body) = app.submit("demo", &demo[0], &json!({"consent": "yes"}));
    assert_eq!(status, 201, "{body}");
    assert!(!body.contains("voucher"), "{body}");
}

#[test]
fn the_thank_you_page_shows_the_voucher_and_what_it_pays_in_the_peers_language() {
    let app = TestApp::spawn();
    paid_survey(&app);
    let code = app.issue_codes("paid-peer-survey", 1).remove(0);
    let landing = Page::get(&app.url(&format!("/s/paid-peer-survey?code={code}&lang=es")));
    assert_eq!(landing.status, 200, "{}", landing.html);
    let mut page = landing.form("/s/paid-peer-survey/page").go("start");
    let mut form = page.form("/s/paid-peer-survey/page");
    form.set("consent", "yes");
    page = form.go("next");
    let mut form = page.form("/s/paid-peer-survey/page");
    form.set("age", "40")
        .set("witnessed", "yes")
        .set("carries", "sometimes");
    page = form.go("next");
    let thanks = page
        .form("/s/paid-peer-survey/page")
        .press(None, Some("/s/paid-peer-survey/submit"));
    assert_eq!(thanks.status, 200, "{}", thanks.html);
    assert!(thanks.html.contains("Tu vale"), "{}", thanks.html);
    assert!(thanks.html.contains("Un vale de compra de 10 £"));
    let voucher = thanks.text(".voucher-code");
    assert_eq!(voucher.trim().len(), 17, "{voucher}");
    assert!(
        !thanks
            .header("location")
            .is_some_and(|l| l.contains(voucher.trim())),
        "never in a URL"
    );
    let key = staff_key(&app);
    assert_eq!(
        desk(&app, "check", &key, voucher.trim()).1["state"],
        "payable"
    );
}

#[test]
fn a_voucher_pays_exactly_once_when_fifty_desks_press_at_once() {
    let app = TestApp::spawn();
    paid_survey(&app);
    let code = app.issue_codes("paid-peer-survey", 1).remove(0);
    let voucher = voucher_for(&app, &code);
    let key = staff_key(&app);
    assert_pays_once_among_fifty(&app, &key, &voucher);
    assert_eq!(
        desk(&app, "check", &key, &voucher).1["state"],
        "already_paid"
    );
    assert_eq!(desk(&app, "pay", &key, "0000-0000-0000-00").0, 404);
}

#[test]
fn the_audit_log_counts_payments_and_never_names_a_voucher() {
    let app = TestApp::spawn();
    paid_survey(&app);
    let key = staff_key(&app);
    let mut vouchers = Vec::new();
    for code in app.issue_codes("paid-peer-survey", 3) {
        let voucher = voucher_for(&app, &code);
        assert_eq!(desk(&app, "pay", &key, &voucher).0, 200);
        vouchers.push(voucher);
    }
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let audit = org.get("/org/audit");
    assert_eq!(
        audit.html.matches("pay voucher").count(),
        3,
        "{}",
        audit.html
    );
    for voucher in &vouchers {
        assert!(!audit.html.contains(voucher.as_str()));
        assert!(!audit.html.contains(&voucher.replace('-', "")));
    }
    // Nor is any voucher anywhere in the data directory, in any form.
    app.cli(&["store", "rewrite"]);
    for file in all_files(&app.data_dir()) {
        let bytes = std::fs::read(&file).expect("read");
        for voucher in &vouchers {
            for form in [voucher.clone(), voucher.replace('-', "")] {
                assert!(
                    !bytes.windows(form.len()).any(|w| w == form.as_bytes()),
                    "{} holds a voucher",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn a_staff_account_pays_vouchers_and_is_refused_everything_else() {
    let app = TestApp::spawn();
    paid_survey(&app);
    let voucher = voucher_for(&app, &app.issue_codes("paid-peer-survey", 1).remove(0));
    let staff = OrgClient::log_in(&app, "sam", "staff");
    // The desk: look up, then mark paid.
    let desk_page = staff.get("/org/vouchers");
    assert_eq!(desk_page.status, 200, "{}", app.logs());
    let typed = voucher.to_lowercase();
    let looked = staff.post(
        "/org/vouchers",
        "/org/vouchers/check",
        &[("voucher", &typed)],
    );
    assert!(looked.html.contains("Payable"), "{}", looked.html);
    assert!(looked.html.contains("A £10 shop voucher"));
    let paid = staff.post("/org/vouchers", "/org/vouchers/pay", &[("voucher", &typed)]);
    assert!(paid.html.contains("<h2>Paid</h2>"), "{}", paid.html);
    let again = staff.post("/org/vouchers", "/org/vouchers/pay", &[("voucher", &typed)]);
    assert!(again.html.contains("Already paid"), "{}", again.html);
    let wrong = staff.post(
        "/org/vouchers",
        "/org/vouchers/check",
        &[("voucher", "nope")],
    );
    assert!(wrong.html.contains("Not valid"), "{}", wrong.html);
    // Every other workspace page is refused.
    for path in [
        "/org",
        "/org/import",
        "/org/s/demo",
        "/org/s/paid-peer-survey",
        "/org/s/demo/releases/1",
        "/org/audit",
        "/org/exports",
        "/org/research",
    ] {
        let page = staff.get(path);
        assert_eq!(page.status, 403, "{path}: {}", page.html);
    }
    for (path, fields) in [
        ("/org/s/demo/codes", &[("count", "5")][..]),
        ("/org/s/demo/state", &[("state", "closed")]),
        ("/org/s/demo/releases", &[]),
        ("/org/s/demo/shred", &[("confirm", "demo")]),
        ("/org/s/demo/retention", &[("days", "1")]),
        ("/org/exports/x/decide", &[("decision", "approve")]),
        (
            "/org/research/requests",
            &[("survey", "demo"), ("purpose", "x")],
        ),
    ] {
        let page = staff.post("/org/vouchers", path, fields);
        assert_eq!(page.status, 403, "{path}: {}", page.html);
    }
    // And so is every API call that is not the vouchers desk.
    let key = format!("Bearer {}", api_key(&app, "sam"));
    let auth = [
        ("Authorization", key.as_str()),
        ("Content-Type", "application/json"),
    ];
    for path in [
        "/api/v1/surveys/demo/codes",
        "/api/v1/surveys/demo/open",
        "/api/v1/surveys/demo/close",
        "/api/v1/surveys/demo/releases",
        "/api/v1/surveys/demo/exports",
        "/api/v1/exports/x/approve",
    ] {
        let (status, body) = post(&app.url(path), r#"{"count": 1}"#, &auth);
        assert_eq!(status, 403, "{path}: {body}");
    }
    let (status, _) = crate::helpers::api_get(&app, "/api/v1/surveys/demo/releases", &key);
    assert_eq!(status, 403);
    // Nothing changed: the demo is still open and has no new codes or releases.
    assert!(get(&app.url("/s/demo")).0 < 500);
    assert!(app.survey_list().contains("open"));
}

/// Fifty desks press "Mark paid" on one voucher (or reward stub) at once: exactly one is told
/// "paid", the other 49 "already paid".
pub fn assert_pays_once_among_fifty(app: &TestApp, key: &str, voucher: &str) {
    let url = app.url("/api/v1/vouchers/pay");
    let body = json!({ "voucher": voucher }).to_string();
    let start = std::sync::Arc::new(std::sync::Barrier::new(50));
    let statuses: Vec<u16> = (0..50)
        .map(|_| {
            let (url, body, key, start) =
                (url.clone(), body.clone(), key.to_owned(), start.clone());
            std::thread::spawn(move || {
                start.wait();
                post(
                    &url,
                    &body,
                    &[
                        ("Authorization", &key),
                        ("Content-Type", "application/json"),
                    ],
                )
                .0
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().expect("thread"))
        .collect();
    assert_eq!(
        statuses.iter().filter(|&&s| s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 409).count(),
        49,
        "{statuses:?}"
    );
}
