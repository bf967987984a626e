//! A kiosk on a shared outreach tablet: an organiser opens a signed link (API, command line or
//! workspace); each "Start" at it hands out a fresh one-time code with no login and no cookie;
//! an altered link is unknown, a closed one is gone, and neither changes anything; the audit log
//! records the organiser opening and closing it, never a person at it.

use crate::forms::{compressed_get, Page};
use crate::helpers::{post, TestApp};
use crate::org_client::{add_account, api_key, OrgClient};
use serde_json::{json, Value};

const SURVEY: &str = include_str!("../../surveys/paid-peer-survey.toml");
const ID: &str = "paid-peer-survey";

fn organiser_key(app: &TestApp) -> String {
    add_account(app, "maria", "organiser");
    format!("Bearer {}", api_key(app, "maria"))
}

fn api(app: &TestApp, key: &str, method: &str, path: &str, body: &str) -> (u16, Value) {
    let req = ureq::request(method, &app.url(path))
        .set("Authorization", key)
        .set("Content-Type", "application/json");
    let result = if body.is_empty() {
        req.call()
    } else {
        req.send_string(body)
    };
    let (status, text) = match result {
        Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap_or_default()),
        Err(e) => panic!("transport error: {e}"),
    };
    (
        status,
        serde_json::from_str(&text).unwrap_or_else(|_| panic!("json: {text}")),
    )
}

/// A running installation with the paid survey open and a kiosk for it at the north drop-in;
/// returns the kiosk's path (`/k/…`) on this server.
fn with_kiosk(app: &TestApp, key: &str) -> (String, Value) {
    app.import(SURVEY);
    app.open_survey(ID);
    let (status, body) = api(
        app,
        key,
        "POST",
        &format!("/api/v1/surveys/{ID}/kiosks"),
        r#"{"tags": {"site": "north"}}"#,
    );
    assert_eq!(status, 201, "{body}");
    let link = body["kiosk"].as_str().expect("a kiosk link");
    let path = &link[link.find("/k/").expect("a /k/ link")..];
    (path.to_owned(), body)
}

/// Presses "Start" on the kiosk's start page; returns the first page and its code.
fn press_start(app: &TestApp, kiosk: &str) -> (Page, String) {
    let start = Page::get(&app.url(kiosk));
    assert_eq!(start.status, 200, "{}", start.html);
    let first = start.form("/start").press(None, None);
    assert_eq!(first.status, 200, "{}", first.html);
    let code = first
        .form("/page")
        .value("_code")
        .expect("the page carries the person's code")
        .to_owned();
    (first, code)
}

fn answers() -> Value {
    json!({"consent": "yes", "age": 41, "witnessed": "no", "carries": "always"})
}

#[test]
fn each_start_at_a_kiosk_gives_a_distinct_working_code_without_a_login_or_a_cookie() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    let (kiosk, body) = with_kiosk(&app, &key);
    assert_eq!(body["survey"], ID);
    assert!(body["id"].as_str().is_some_and(|id| id.len() == 32));
    let start = Page::get(&app.url(&kiosk));
    assert_eq!(start.status, 200);
    assert!(start.header("set-cookie").is_none(), "no cookie on a kiosk");
    assert!(
        start.html.contains("Naloxone"),
        "the survey's title: {}",
        start.html
    );
    let mut codes = Vec::new();
    for _ in 0..3 {
        let (first, code) = press_start(&app, &kiosk);
        assert!(first.header("set-cookie").is_none());
        // Straight into the survey: the first page of questions, no code to type.
        assert!(first.has("input[name=consent]"), "{}", first.html);
        codes.push(code);
    }
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 3, "every person gets their own code");
    for code in &codes {
        let (status, body) = app.submit(ID, code, &answers());
        assert_eq!(status, 201, "{body}");
    }
    // Each code is a normal one-time code: the second use is refused.
    let (status, _) = app.submit(ID, &codes[0], &answers());
    assert_eq!(status, 409);
}

#[test]
fn the_pages_after_start_lead_back_to_the_kiosk_and_the_thank_you_page_prints_and_resets() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    let (kiosk, _) = with_kiosk(&app, &key);
    let (first, _) = press_start(&app, &kiosk);
    // Quick exit returns to the kiosk's start page, not to the outside site, through the
    // address that retires the person's code; without JavaScript a pause goes the same way.
    // Quick exit is a form posting the code (never an address carrying it); the script's
    // reset goes to the kiosk's start page; only the no-JavaScript pause, a <meta refresh>,
    // follows an address with the code, which it retires.
    let exit = first.form("/leave");
    assert_eq!(exit.action, format!("/s/{ID}/leave"));
    assert!(exit.fields.iter().any(|(n, _)| n == "code"));
    assert!(!first.has("a.exit"), "{}", first.html);
    assert_eq!(
        first.attr("body", "data-kiosk").as_deref(),
        Some(kiosk.as_str())
    );
    let refresh = leave_link(&first);
    assert!(
        refresh.starts_with(&format!("/s/{ID}/leave?code=")),
        "{refresh}"
    );
    assert_eq!(quick_exit(&first), kiosk, "then the kiosk's start page");
    // That person's code is spent: the next person starts afresh.
    let (first, _) = press_start(&app, &kiosk);
    let mut form = first.form("/page");
    form.set("consent", "yes");
    let second = form.go("next");
    assert!(second.has("input[name=_kiosk]"), "{}", second.html);
    let mut form = second.form("/page");
    form.set("age", "41")
        .set("witnessed", "no")
        .set("carries", "always");
    let review = form.go("next");
    assert!(review.has("input[name=_kiosk]"), "{}", review.html);
    let thanks = review
        .form("/page")
        .press(None, Some(&format!("/s/{ID}/submit")));
    assert_eq!(thanks.status, 200, "{}", thanks.html);
    assert!(thanks.has(".voucher-code"), "{}", thanks.html);
    assert!(
        thanks.has("[data-print]"),
        "a print button: {}",
        thanks.html
    );
    assert!(
        thanks.has(&format!("a[data-kiosk-reset][href='{kiosk}']")),
        "{}",
        thanks.html
    );
    assert!(thanks
        .html
        .contains(&format!("url={}\">", kiosk.replace('/', "&#x2F;"))));
}

/// The no-JavaScript pause's address on a kiosk page carrying a code and answers.
fn leave_link(page: &Page) -> String {
    // Inside <noscript>, which the parser keeps as text: read it from the page as sent.
    let after = page.html.split_once(";url=").expect("a refresh").1;
    let end = after.find('"').expect("the attribute's end");
    after[..end].replace("&#x2F;", "/").replace("&amp;", "&")
}

/// Presses Quick exit (a form posting the code) without following on: where it sends the
/// browser.
fn quick_exit(page: &Page) -> String {
    page.form("/leave").send_to_redirect()
}

/// Follows a leave link as the browser does, without following on: where it sends the browser.
fn leave(app: &TestApp, link: &str) -> String {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let response = agent.get(&app.url(link)).call().expect("an answer");
    assert_eq!(response.status(), 303);
    response.header("Location").expect("a Location").to_owned()
}

/// A person answers a few pages at the tablet and walks away (Quick exit, or the pause). The
/// next person presses Back: the browser offers to send the last page's form again, with the
/// code and every answer in it. Sent again, it must show nothing of them — an outside review
/// saw age, gender and housing come back, before leaving retired the code.
#[test]
fn a_page_sent_again_after_the_person_left_shows_none_of_their_answers() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    let (kiosk, _) = with_kiosk(&app, &key);
    let (first, code) = press_start(&app, &kiosk);
    let mut form = first.form("/page");
    form.set("consent", "yes");
    let second = form.go("next");
    let mut form = second.form("/page");
    form.set("age", "87")
        .set("witnessed", "no")
        .set("carries", "always");
    let review = form.go("next");
    assert!(review.html.contains("87"), "{}", review.html);
    // The person leaves from the review page.
    assert_eq!(quick_exit(&review), kiosk);
    // The next person: Back, and "send again" of the form that led to the review.
    let again = form.go("next");
    assert_eq!(again.status, 409, "{}", again.html);
    assert_eq!(again.h1(), "This code can't be used", "{}", again.html);
    for answer in ["87", "always", "carries"] {
        assert!(!again.html.contains(answer), "{answer}: {}", again.html);
    }
    // And the code cannot send them either.
    assert_eq!(app.submit(ID, &code, &answers()).0, 409);
    // A leave link with a code that was never good, or an altered kiosk, changes nothing and
    // sends the browser away the same way (to the Quick exit address when the kiosk is unknown).
    let made_up = leave(
        &app,
        &format!("/s/{ID}/leave?code=AAAA-AAAA-AAAA-AA&kiosk=nope"),
    );
    assert!(made_up.starts_with("https://"), "{made_up}");
}

#[test]
fn responses_given_at_a_kiosk_carry_its_site_tag_and_count_in_its_batch() {
    let app = TestApp::spawn_configured(&[], Some("kiosk_codes_per_minute = 200\n"));
    let key = organiser_key(&app);
    let (kiosk, body) = with_kiosk(&app, &key);
    let batch = body["batch"].as_u64().expect("batch");
    for _ in 0..40 {
        let (_, code) = press_start(&app, &kiosk);
        // A person who tries to say another site is ignored: the kiosk's batch says it.
        let mut given = answers();
        given["site"] = json!("south");
        assert_eq!(app.submit(ID, &code, &given).0, 201);
    }
    let org = OrgClient::log_in_existing(&app, "maria");
    let page = org.get(&format!("/org/s/{ID}"));
    // The kiosk's batch counts the codes it handed out.
    assert!(
        page.html.contains(&format!("<td>{batch}</td><td>40</td>")),
        "{}",
        page.html
    );
    let (status, body) = api(
        &app,
        &key,
        "POST",
        &format!("/api/v1/surveys/{ID}/releases"),
        "",
    );
    assert_eq!(status, 201, "{body}");
    let (_, release) = api(
        &app,
        &key,
        "GET",
        &format!("/api/v1/surveys/{ID}/releases/latest"),
        "",
    );
    let site = release["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == "site")
        .expect("a table of the site");
    let rows = site["rows"].as_array().expect("rows");
    let count = |id: &str| {
        let r = rows.iter().position(|r| r["id"] == id).expect("row");
        site["cells"][r][0]["count"].as_i64()
    };
    let north = count("north").expect("north is published");
    assert!((38..=42).contains(&north), "north {north}");
    assert_eq!(count("south"), Some(0), "nobody's own answer was taken");
}

#[test]
fn an_altered_kiosk_link_is_an_unknown_page_and_changes_nothing() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    let (kiosk, body) = with_kiosk(&app, &key);
    let batch = body["batch"].as_u64().expect("batch");
    let mut altered = kiosk.clone().into_bytes();
    let at = altered.len() - 5;
    altered[at] = if altered[at] == b'A' { b'B' } else { b'A' };
    let altered = String::from_utf8(altered).expect("ascii");
    for path in [altered.clone(), "/k/not-a-kiosk".to_owned()] {
        let page = Page::get(&app.url(&path));
        assert_eq!(page.status, 404, "{}", page.html);
        assert!(page.html.contains("This kiosk link does not work"));
        let (status, _) = post(&app.url(&format!("{path}/start")), "", &[]);
        assert_eq!(status, 404);
    }
    let org = OrgClient::log_in_existing(&app, "maria");
    let page = org.get(&format!("/org/s/{ID}"));
    assert!(
        page.html.contains(&format!("<td>{batch}</td><td>0</td>")),
        "no code was handed out: {}",
        page.html
    );
}

#[test]
fn a_closed_kiosk_link_is_gone_and_hands_out_nothing_more() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    let (kiosk, body) = with_kiosk(&app, &key);
    let id = body["id"].as_str().expect("id");
    let (status, closed) = api(
        &app,
        &key,
        "DELETE",
        &format!("/api/v1/surveys/{ID}/kiosks/{id}"),
        "",
    );
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["state"], "closed");
    let page = Page::get(&app.url(&kiosk));
    assert_eq!(page.status, 410, "{}", page.html);
    assert!(page.html.contains("This kiosk is closed"));
    let (status, _) = post(&app.url(&format!("{kiosk}/start")), "", &[]);
    assert_eq!(status, 410);
    // Closing twice, or another survey's kiosk, is refused.
    let (status, _) = api(
        &app,
        &key,
        "DELETE",
        &format!("/api/v1/surveys/{ID}/kiosks/{id}"),
        "",
    );
    assert_eq!(status, 409);
    let (status, _) = api(
        &app,
        &key,
        "DELETE",
        &format!("/api/v1/surveys/demo/kiosks/{id}"),
        "",
    );
    assert_eq!(status, 404);
}

#[test]
fn the_command_line_opens_a_kiosk_with_its_link_alone_on_stdout_and_closes_it() {
    let app = TestApp::spawn();
    app.import(SURVEY);
    app.open_survey(ID);
    let (ok, stdout, stderr) = app.cli(&["kiosk", "open", ID, "--tag", "site=van", "--hours", "2"]);
    assert!(ok, "{stderr}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let link = stdout.trim();
    let path = &link[link.find("/k/").expect("a kiosk link")..];
    assert!(stderr.contains("for 2 hours"), "{stderr}");
    assert_eq!(Page::get(&app.url(path)).status, 200);
    let (ok, _, stderr) = app.cli(&["kiosk", "close", link]);
    assert!(ok, "{stderr}");
    assert_eq!(Page::get(&app.url(path)).status, 410);
    // A kiosk only for a survey that takes answers, and only with tags it declares.
    let (ok, _, stderr) = app.cli(&["kiosk", "open", "no-such-survey"]);
    assert!(!ok && stderr.contains("no-such-survey"), "{stderr}");
    let (ok, _, _) = app.cli(&["kiosk", "open", ID, "--tag", "site=moon"]);
    assert!(!ok);
}

#[test]
fn the_audit_log_records_opening_and_closing_a_kiosk_and_never_a_person_at_it() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    let (kiosk, body) = with_kiosk(&app, &key);
    let id = body["id"].as_str().expect("id");
    let (_, code) = press_start(&app, &kiosk);
    assert_eq!(app.submit(ID, &code, &answers()).0, 201);
    assert!(app.cli(&["kiosk", "close", id]).0);
    let org = OrgClient::log_in_existing(&app, "maria");
    let audit = org.get("/org/audit");
    assert_eq!(
        audit.html.matches("open kiosk").count(),
        1,
        "{}",
        audit.html
    );
    assert_eq!(audit.html.matches("close kiosk").count(), 1);
    assert!(!audit.html.contains(&code));
    assert!(
        !audit.html.contains(&kiosk["/k/".len()..]),
        "never the link itself"
    );
}

#[test]
fn a_kiosk_hands_out_codes_only_as_fast_as_its_setting_allows() {
    let app = TestApp::spawn_configured(&[], Some("kiosk_codes_per_minute = 2\n"));
    let key = organiser_key(&app);
    let (kiosk, _) = with_kiosk(&app, &key);
    press_start(&app, &kiosk);
    press_start(&app, &kiosk);
    let start = Page::get(&app.url(&kiosk));
    let third = start.form("/start").press(None, None);
    assert_eq!(third.status, 429, "{}", third.html);
}

#[test]
fn the_workspace_opens_and_closes_kiosks_and_staff_can_do_neither() {
    let app = TestApp::spawn();
    app.import(SURVEY);
    app.open_survey(ID);
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let from = format!("/org/s/{ID}");
    let opened = org.post(
        &from,
        &format!("/org/s/{ID}/kiosks"),
        &[("tag.site", "south")],
    );
    // A redirect to the page that shows the link once: reloading it opens no second kiosk.
    assert_eq!(opened.status, 303, "{}", opened.html);
    assert!(
        !opened.html.contains("/k/"),
        "the POST itself shows no link"
    );
    let shown_at = opened.header("location").expect("a redirect").to_owned();
    assert!(
        shown_at.starts_with(&format!("/org/s/{ID}/kiosks/opened/")),
        "{shown_at}"
    );
    let opened = org.get(&shown_at);
    assert_eq!(opened.status, 200, "{}", opened.html);
    let link = opened.text("p.code a");
    let again = org.get(&shown_at);
    assert_eq!(again.status, 410, "{}", again.html);
    assert!(!again.html.contains("/k/"), "{}", again.html);
    assert_eq!(org.get(&from).html.matches("Close this kiosk").count(), 1);
    let path = link[link.find("/k/").expect("link")..].to_owned();
    assert_eq!(Page::get(&app.url(&path)).status, 200);
    let survey = org.get(&from);
    let close = survey.form("/close");
    let id = close.action.split('/').nth(5).expect("kiosk id").to_owned();
    let closed = org.post(&from, &close.action, &[]);
    assert_eq!(closed.status, 303, "{}", closed.html);
    assert_eq!(Page::get(&app.url(&path)).status, 410);

    let staff = OrgClient::log_in(&app, "sam", "staff");
    let refused = staff.post("/org/vouchers", &format!("/org/s/{ID}/kiosks"), &[]);
    assert_eq!(refused.status, 403);
    let refused = staff.post(
        "/org/vouchers",
        &format!("/org/s/{ID}/kiosks/{id}/close"),
        &[],
    );
    assert_eq!(refused.status, 403);
    let key = format!("Bearer {}", api_key(&app, "sam"));
    let (status, _) = api(
        &app,
        &key,
        "POST",
        &format!("/api/v1/surveys/{ID}/kiosks"),
        "",
    );
    assert_eq!(status, 403);
}

#[test]
fn the_kiosk_pages_weigh_at_most_14_kb_compressed_with_their_css_and_script() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    let (kiosk, _) = with_kiosk(&app, &key);
    let assets = compressed_get(&app.url("/static/chorus.css"))
        + compressed_get(&app.url("/static/chorus.js"));
    let start = Page::get(&app.url(&kiosk));
    let weights = [
        ("kiosk start", compressed_get(&app.url(&kiosk))),
        (
            "first page at the kiosk",
            start.form("/start").compressed_size(None, None),
        ),
        ("unknown kiosk", compressed_get(&app.url("/k/nope"))),
    ];
    for (name, html) in weights {
        assert!(html > 0, "{name} was measured");
        assert!(
            html + assets <= 14 * 1024,
            "{name} weighs {} bytes",
            html + assets
        );
    }
}
