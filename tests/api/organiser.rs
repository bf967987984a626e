//! The organiser workspace: accounts, sessions, CSRF, lockout, survey management and code cards.

use crate::helpers::{post, TestApp};
use crate::org_client::{api_key, OrgClient, PASSWORD};
use crate::submissions::minimal_answers;

/// Every organiser page and form.
const ORG_GETS: &[&str] = &["/org", "/org/import", "/org/s/demo", "/org/audit"];
const ORG_POSTS: &[&str] = &["/org/s/demo/state", "/org/s/demo/codes", "/org/import"];

#[test]
fn organiser_pages_send_anonymous_visitors_to_the_login_page_and_refuse_researchers() {
    let app = TestApp::spawn();
    let anonymous = OrgClient::anonymous(&app);
    for path in ORG_GETS {
        let page = anonymous.get(path);
        assert_eq!(page.status, 303, "{path}");
        assert_eq!(page.header("location"), Some("/org/login"));
    }
    for path in ORG_POSTS {
        let page = anonymous.post_raw(path, &[("to", "closed"), ("count", "5")]);
        assert_eq!(page.status, 303, "{path}");
    }
    let researcher = OrgClient::log_in(&app, "rita", "researcher");
    for path in ORG_GETS {
        assert_eq!(researcher.get(path).status, 403, "{path}");
    }
    for path in ORG_POSTS {
        assert_eq!(
            researcher.post_raw(path, &[("to", "closed")]).status,
            403,
            "{path}"
        );
    }
    assert!(app.survey_list().contains("demo\topen"), "nothing changed");
}

/// A researcher or staff member who opens an organiser page is told so on a page that keeps
/// their own menu and log-out button, and whose way back is a page they may open.
#[test]
fn a_refused_page_leads_each_account_back_to_its_own_start() {
    let app = TestApp::spawn();
    for (name, role, home) in [
        ("rita", "researcher", "/org/research"),
        ("sam", "staff", "/org/vouchers"),
    ] {
        let account = OrgClient::log_in(&app, name, role);
        let refused = account.get("/org/audit");
        assert_eq!(refused.status, 403, "{}", refused.html);
        assert!(
            refused.html.contains("This page is for organisers"),
            "{}",
            refused.html
        );
        assert!(
            refused.html.contains(&format!("href=\"{home}\"")),
            "{}",
            refused.html
        );
        assert!(refused.html.contains("Log out"), "{}", refused.html);
        assert_eq!(account.get(home).status, 200, "{role}: {home}");
    }
}

#[test]
fn the_codes_api_needs_an_organiser_key() {
    let app = TestApp::spawn();
    let url = app.url("/api/v1/surveys/demo/codes");
    assert_eq!(post(&url, r#"{"count": 3}"#, &[]).0, 401);
    assert_eq!(
        post(
            &url,
            r#"{"count": 3}"#,
            &[("Authorization", "Bearer chorus_not-a-real-key")]
        )
        .0,
        401
    );
    crate::org_client::add_account(&app, "rita", "researcher");
    let researcher = format!("Bearer {}", api_key(&app, "rita"));
    assert_eq!(
        post(&url, r#"{"count": 3}"#, &[("Authorization", &researcher)]).0,
        403
    );
    crate::org_client::add_account(&app, "maria", "organiser");
    let organiser = format!("Bearer {}", api_key(&app, "maria"));
    let (status, body) = post(&url, r#"{"count": 3}"#, &[("Authorization", &organiser)]);
    assert_eq!(status, 201, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    let codes = v["codes"].as_array().expect("codes");
    assert_eq!(codes.len(), 3);
    assert_eq!(
        app.submit("demo", codes[0].as_str().expect("code"), &minimal_answers())
            .0,
        201
    );
    assert_eq!(
        post(&url, r#"{"count": 0}"#, &[("Authorization", &organiser)]).0,
        400
    );
    assert_eq!(
        post(
            &app.url("/api/v1/surveys/nope/codes"),
            r#"{"count": 1}"#,
            &[("Authorization", &organiser)]
        )
        .0,
        404
    );
    // A new key replaces the old one.
    let _ = api_key(&app, "maria");
    assert_eq!(
        post(&url, r#"{"count": 1}"#, &[("Authorization", &organiser)]).0,
        401
    );
}

#[test]
fn forms_without_the_csrf_token_change_nothing() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let refused = org.post_raw("/org/s/demo/state", &[("to", "closed")]);
    assert_eq!(refused.status, 403);
    let forged = org.post_raw(
        "/org/s/demo/state",
        &[("to", "closed"), ("_csrf", "forged")],
    );
    assert_eq!(forged.status, 403);
    assert!(app.survey_list().contains("demo\topen"));
    let issued = org.post_raw("/org/s/demo/codes", &[("count", "5")]);
    assert_eq!(issued.status, 403);
    let closed = org.post(
        "/org/s/demo",
        "/org/s/demo/state",
        &[("to", "closed"), ("confirm", "yes")],
    );
    assert_eq!(closed.status, 303);
    assert!(app.survey_list().contains("demo\tclosed"));
}

#[test]
fn closing_asks_first_on_a_page_of_its_own_and_only_its_button_closes() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    // The survey page's button: a page that says what closing does, the survey still open.
    let asked = org.post("/org/s/demo", "/org/s/demo/state", &[("to", "closed")]);
    assert_eq!(asked.status, 200, "{}", asked.html);
    assert!(asked.html.contains("cannot be undone"), "{}", asked.html);
    assert!(app.survey_list().contains("demo\topen"));
    // Its own form carries the confirmation, and closes.
    let form = asked.form("/state");
    let mut fields: Vec<(&str, &str)> = form
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fields.push(("to", "closed"));
    let closed = org.post_raw(&form.action, &fields);
    assert_eq!(closed.status, 303, "{}", closed.html);
    assert!(app.survey_list().contains("demo\tclosed"));
}

/// Closing a closed survey changes nothing and says so — in the workspace, the API and the CLI —
/// and writes no second audit entry; the "closed" banner, read from the address, never shows on
/// a survey that is not closed.
#[test]
fn closing_a_closed_survey_again_is_refused_and_not_audited_again() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let spoofed = org.get("/org/s/demo?closed=published");
    assert!(
        !spoofed.html.contains("final release is published"),
        "{}",
        spoofed.html
    );
    let close = [("to", "closed"), ("confirm", "yes")];
    assert_eq!(
        org.post("/org/s/demo", "/org/s/demo/state", &close).status,
        303
    );
    let closings = |html: &str| html.matches("close survey").count();
    let audited = closings(&org.get("/org/audit").html);
    assert_eq!(audited, 1);
    let again = org.post("/org/s/demo", "/org/s/demo/state", &close);
    assert_eq!(again.status, 409, "{}", again.html);
    assert!(again.html.contains("already closed"), "{}", again.html);
    let key = api_key(&app, "maria");
    let bearer = format!("Bearer {key}");
    let (status, body) = post(
        &app.url("/api/v1/surveys/demo/close"),
        "{}",
        &[("Authorization", bearer.as_str())],
    );
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("already closed"), "{body}");
    let (ok, _, stderr) = app.cli(&["survey", "close", "demo"]);
    assert!(!ok && stderr.contains("already closed"), "{stderr}");
    assert_eq!(closings(&org.get("/org/audit").html), audited);
}

#[test]
fn five_wrong_passwords_lock_the_account_even_against_the_right_one() {
    let app = TestApp::spawn();
    crate::org_client::add_account(&app, "maria", "organiser");
    let client = OrgClient::anonymous(&app);
    for _ in 0..5 {
        let page = client.post_login("maria", "wrong password!");
        assert_eq!(page.status, 401);
        assert!(page
            .header("set-cookie")
            .is_none_or(|c| !c.starts_with("chorus_session=")));
    }
    let page = client.post_login("maria", PASSWORD);
    assert_eq!(page.status, 429, "{}", page.html);
    assert!(page
        .header("set-cookie")
        .is_none_or(|c| !c.starts_with("chorus_session=")));
    assert!(page.html.contains("locked"));
}

#[test]
fn the_session_cookie_is_http_only_strict_and_scoped_to_the_workspace_and_logout_ends_it() {
    let app = TestApp::spawn();
    crate::org_client::add_account(&app, "maria", "organiser");
    let client = OrgClient::anonymous(&app);
    let page = client.post_login("maria", PASSWORD);
    let cookie = page
        .set_cookie("chorus_session")
        .expect("a session cookie")
        .to_owned();
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Strict"), "{cookie}");
    assert!(cookie.contains("Path=/org"), "{cookie}");
    let org = OrgClient::log_in(&app, "ana", "organiser");
    assert_eq!(org.get("/org").status, 200);
    let out = org.post("/org", "/org/logout", &[]);
    assert_eq!(out.status, 303);
    assert_eq!(
        org.get("/org").status,
        303,
        "the old cookie no longer works"
    );
}

/// Someone leaves, or their password may be known to others. `chorus user password` gives the
/// account a new one and ends its sessions (its API key stays); `chorus user remove` stops its
/// password, API key and sessions at once, and the name cannot be used again, so nobody later
/// given that name inherits what was made for it. The only organiser cannot be removed.
#[test]
fn a_new_password_ends_the_old_sessions_and_a_removed_account_opens_nothing() {
    let app = TestApp::spawn();
    let maria = OrgClient::log_in(&app, "maria", "organiser");
    let ana = OrgClient::log_in(&app, "ana", "organiser");
    let key = format!("Bearer {}", api_key(&app, "ana"));
    let releases = "/api/v1/surveys/demo/releases";
    assert_eq!(crate::helpers::api_get(&app, releases, &key).0, 200);
    assert_eq!(ana.get("/org").status, 200);

    let (ok, _, stderr) =
        app.cli_with_input(&["user", "password", "ana"], "a brand new password\n");
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("every session of the account has ended"),
        "{stderr}"
    );
    assert_eq!(ana.get("/org").status, 303, "the old session ended");
    let client = OrgClient::anonymous(&app);
    assert_eq!(
        client.post_login("ana", PASSWORD).status,
        401,
        "the old password is refused"
    );
    assert_eq!(client.post_login("ana", "a brand new password").status, 303);
    assert_eq!(
        crate::helpers::api_get(&app, releases, &key).0,
        200,
        "the API key stays"
    );
    let (ok, _, stderr) = app.cli_with_input(&["user", "password", "ana"], "short\n");
    assert!(!ok && stderr.contains("at least 10 characters"), "{stderr}");

    let (ok, stdout, _) = app.cli(&["user", "list"]);
    assert!(ok);
    assert_eq!(
        stdout,
        "ana\torganiser\tapi key\nmaria\torganiser\tno api key\n"
    );

    let mut again = OrgClient::anonymous(&app);
    let page = again.post_login("ana", "a brand new password");
    again.keep_cookies(&page);
    assert_eq!(again.get("/org").status, 200);
    let (ok, _, stderr) = app.cli(&["user", "remove", "ana"]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("removed organiser account 'ana'"),
        "{stderr}"
    );
    assert_eq!(again.get("/org").status, 303, "the session ended");
    assert_eq!(
        crate::helpers::api_get(&app, releases, &key).0,
        401,
        "the API key ended"
    );
    assert_eq!(
        OrgClient::anonymous(&app)
            .post_login("ana", "a brand new password")
            .status,
        401,
        "the password ended"
    );
    let (ok, _, stderr) = app.cli_with_input(
        &["user", "add", "ana", "--role", "researcher"],
        "another long password\n",
    );
    assert!(
        !ok && stderr.contains("belonged to an account that was removed"),
        "{stderr}"
    );
    let (ok, stdout, _) = app.cli(&["user", "list"]);
    assert!(ok);
    assert_eq!(stdout, "maria\torganiser\tno api key\n");

    let (ok, _, stderr) = app.cli(&["user", "remove", "maria"]);
    assert!(!ok && stderr.contains("the only organiser"), "{stderr}");
    assert_eq!(maria.get("/org").status, 200, "maria is still there");
    let (ok, _, stderr) = app.cli(&["user", "remove", "nobody"]);
    assert!(
        !ok && stderr.contains("no account called 'nobody'"),
        "{stderr}"
    );
    let audit = maria.get("/org/audit").html;
    for what in ["new password", "remove account"] {
        assert!(audit.contains(what), "{what}: {audit}");
    }
}

/// Logging out on the phone ends the laptop's session too; the form the laptop then sends is
/// not saved, and the login page it lands on says so rather than dropping it without a word.
#[test]
fn a_form_sent_after_the_session_ended_leads_to_a_login_page_that_says_so() {
    let app = TestApp::spawn();
    let laptop = OrgClient::log_in(&app, "maria", "organiser");
    let phone = OrgClient::log_in_existing(&app, "maria");
    let csrf = laptop.csrf("/org/import");
    assert_eq!(phone.post("/org", "/org/logout", &[]).status, 303);
    let sent = laptop.upload("/org/import", &csrf, "walk.toml", SMALL);
    assert_eq!(sent.status, 303, "{}", sent.html);
    let login = sent.header("location").expect("a redirect").to_owned();
    assert_eq!(login, "/org/login?ended=1");
    let page = laptop.get(&login);
    assert!(page.html.contains("session has ended"), "{}", page.html);
    assert!(page.html.contains("was not saved"), "{}", page.html);
    assert!(!app.survey_list().contains("walk"), "nothing was imported");
    // A browser that never logged in is sent to the plain login page.
    let stranger = OrgClient::anonymous(&app).get("/org/import");
    assert_eq!(stranger.header("location"), Some("/org/login"));
}

#[test]
fn the_first_run_link_sets_up_one_organiser_once() {
    let app = TestApp::spawn();
    let line = app
        .console_line_starting("Set the first organiser's password")
        .expect("setup link");
    let link = line.rsplit(' ').next().expect("link").to_owned();
    let path = link.trim_start_matches(&app.address).to_owned();
    let client = OrgClient::anonymous(&app);
    assert_eq!(client.get(&path).status, 200);
    let mismatch = client.post_raw(
        &path,
        &[
            ("name", "maria"),
            ("password", PASSWORD),
            ("password_again", "something else"),
        ],
    );
    assert_eq!(mismatch.status, 422);
    // The typed name is kept; an empty form is told a name is needed first.
    assert!(
        mismatch.html.contains("value=\"maria\""),
        "{}",
        mismatch.html
    );
    let empty = client.post_raw(
        &path,
        &[("name", ""), ("password", ""), ("password_again", "")],
    );
    assert_eq!(empty.status, 422);
    assert!(empty.html.contains("An account name"), "{}", empty.html);
    let done = client.post_raw(
        &path,
        &[
            ("name", "maria"),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ],
    );
    assert_eq!(done.status, 303, "{}", done.html);
    assert!(done.header("set-cookie").is_some());
    assert_eq!(client.get(&path).status, 404, "the link works once");
    let again = client.post_raw(
        &path,
        &[
            ("name", "eve"),
            ("password", PASSWORD),
            ("password_again", PASSWORD),
        ],
    );
    assert_eq!(again.status, 404);
}

#[test]
fn the_survey_list_shows_states_and_banded_progress_never_exact_counts() {
    let app = TestApp::spawn();
    let codes = app.issue_codes("demo", 13);
    for code in &codes {
        assert_eq!(app.submit("demo", code, &minimal_answers()).0, 201);
    }
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let page = org.get("/org");
    assert!(page.html.contains("10–19 responses"), "{}", page.html);
    // What a person reads (not the form's random CSRF token, which may hold any digits).
    assert!(!page.text("main").contains("13"), "{}", page.text("main"));
    let survey = org.get("/org/s/demo");
    assert!(survey.html.contains("10–19"));
}

const SMALL: &str = "id = \"walk\"\ntitle = \"Walk-in\"\n\n[[pages]]\ntitle = \"P\"\n  [[pages.questions]]\n  id = \"q\"\n  type = \"single\"\n  role = \"plain\"\n  text = \"Q?\"\n  options = [ { id = \"a\", text = \"A\" }, { id = \"b\", text = \"B\" } ]\n";

#[test]
fn a_definition_is_imported_by_paste_or_upload_and_errors_come_with_lines() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let csrf = org.csrf("/org/import");
    let broken = SMALL.replace("role = \"plain\"\n", "").replace("max", "x");
    let refused = org.upload("/org/import", &csrf, "broken.toml", &broken);
    assert_eq!(refused.status, 422);
    assert!(refused.html.contains("Line "), "{}", refused.html);
    assert!(refused.html.contains("role"));
    let done = org.upload("/org/import", &csrf, "walk.toml", SMALL);
    assert_eq!(done.status, 303, "{}", done.html);
    assert_eq!(done.header("location"), Some("/org/s/walk"));
    assert!(app.survey_list().contains("walk\tdraft"));
    let opened = org.post("/org/s/walk", "/org/s/walk/state", &[("to", "open")]);
    assert_eq!(opened.status, 303);
    assert!(app.survey_list().contains("walk\topen"));
    let audit = org.get("/org/audit");
    for action in ["login", "import survey", "open survey"] {
        assert!(audit.html.contains(action), "{action} not in the audit log");
    }
}

#[test]
fn once_there_are_responses_a_replacement_may_only_tighten() {
    let app = TestApp::spawn();
    app.import(SMALL);
    app.open_survey("walk");
    let code = app.issue_codes("walk", 1).remove(0);
    assert_eq!(
        app.submit("walk", &code, &serde_json::json!({"q": "a"})).0,
        201
    );
    let path = app.dir.path().join("lower.toml");
    std::fs::write(
        &path,
        SMALL.replace("title = \"Walk-in\"", "title = \"Walk-in\"\nthreshold = 5"),
    )
    .expect("write");
    let (ok, _, stderr) = app.cli(&["survey", "import", path.to_str().expect("path")]);
    assert!(!ok);
    assert!(stderr.contains("threshold cannot change"), "{stderr}");
    // Raised, too: progress bands are the threshold wide, and redrawn at each new width they
    // gave away the exact count (an outside review narrowed "20–29" to 23 in a dozen imports).
    let band_before = app.survey_list();
    std::fs::write(
        &path,
        SMALL.replace("title = \"Walk-in\"", "title = \"Walk-in\"\nthreshold = 11"),
    )
    .expect("write");
    let (ok, _, stderr) = app.cli(&["survey", "import", path.to_str().expect("path")]);
    assert!(!ok);
    assert!(stderr.contains("threshold cannot change"), "{stderr}");
    assert_eq!(app.survey_list(), band_before, "the bands are as they were");
    std::fs::write(
        &path,
        SMALL
            .replace("role = \"plain\"", "role = \"sensitive\"")
            .replace("Q?", "A clearer question?"),
    )
    .expect("write");
    let (ok, _, stderr) = app.cli(&["survey", "import", path.to_str().expect("path")]);
    assert!(ok, "{stderr}");
    std::fs::write(&path, SMALL).expect("write");
    let (ok, _, stderr) = app.cli(&["survey", "import", path.to_str().expect("path")]);
    assert!(!ok, "sensitive cannot go back to plain");
    assert!(stderr.contains("weaker"), "{stderr}");
}

#[test]
fn the_survey_page_states_the_release_rule_with_the_surveys_own_settings() {
    let app = TestApp::spawn();
    app.import(&SMALL.replace(
        "title = \"Walk-in\"\n",
        "title = \"Walk-in\"\nthreshold = 12\nrelease_percent = 35\n",
    ));
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let page = org.get("/org/s/walk");
    let text = page.text("main");
    assert!(
        text.contains("The first release needs at least 30 responses"),
        "{text}"
    );
    assert!(
        text.contains("at least 12, or 35% of the responses that release counted if that is more"),
        "{text}"
    );
}

/// A file and pasted text sent together: which was meant? Nothing is imported, and the page says
/// so with the pasted text kept (before, the file won and the paste was dropped without a word).
#[test]
fn a_file_and_pasted_text_together_import_nothing() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let csrf = org.csrf("/org/import");
    let boundary = "----both";
    let pasted = SMALL.replace("id = \"walk\"", "id = \"pasted\"");
    let body = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"walk.toml\"\r\nContent-Type: text/plain\r\n\r\n{SMALL}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\n{pasted}\r\n--{boundary}--\r\n"
    );
    let page = org.post_multipart("/org/import", boundary, &body);
    assert_eq!(page.status, 422, "{}", page.html);
    assert!(page.html.contains("send one of them"), "{}", page.html);
    let list = app.survey_list();
    assert!(!list.contains("walk") && !list.contains("pasted"), "{list}");
}
