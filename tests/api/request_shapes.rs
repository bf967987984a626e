//! Requests of the wrong shape get a clear answer and change nothing: a JSON route sent
//! something other than JSON (415, the API's error shape), an address asked with a method it
//! does not take (405 with `Allow` — JSON under /api, a page elsewhere — never a 404 that says
//! the survey does not exist), and an import form that is not a form or never finishes.

use crate::forms::{into_page, Page};
use crate::free_text::audited;
use crate::helpers::TestApp;
use crate::org_client::{add_account, api_key, OrgClient};
use serde_json::Value;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

fn send(app: &TestApp, method: &str, path: &str, headers: &[(&str, &str)], body: &str) -> Page {
    let mut req = ureq::request(method, &app.url(path));
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let url = app.url(path);
    if body.is_empty() {
        into_page(&url, req.call())
    } else {
        into_page(&url, req.send_string(body))
    }
}

fn json_error(page: &Page) -> String {
    assert_eq!(
        page.header("content-type"),
        Some("application/json"),
        "{}",
        page.url
    );
    let v: Value = serde_json::from_str(&page.html).expect("a JSON body");
    assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    v["error"].as_str().expect("an error code").to_owned()
}

#[test]
fn the_organiser_api_takes_json_bodies_only_and_anything_else_changes_nothing() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let key = format!("Bearer {}", api_key(&app, "maria"));
    let actions = [
        "issue codes",
        "pick quote",
        "open kiosk",
        "make results public",
    ];
    let before: Vec<usize> = actions.iter().map(|a| audited(&org, a)).collect();
    let json_routes = [
        ("/api/v1/surveys/demo/codes", r#"{"count": 1}"#),
        (
            "/api/v1/surveys/demo/quotes",
            r#"{"question": "anything_else", "text": "words"}"#,
        ),
        ("/api/v1/surveys/demo/public", r#"{"public": true}"#),
        ("/api/v1/surveys/demo/kiosks", r#"{"hours": 2}"#),
        (
            "/api/v1/vouchers/check",
            r#"{"voucher": "7KQ2-MX9D-4TRA-V3"}"#,
        ),
    ];
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        for (path, body) in json_routes {
            let page = send(
                &app,
                "POST",
                path,
                &[("Authorization", &key), ("Content-Type", content_type)],
                body,
            );
            assert_eq!(page.status, 415, "{path} as {content_type}: {}", page.html);
            assert_eq!(json_error(&page), "unsupported_media_type", "{path}");
        }
    }
    let after: Vec<usize> = actions.iter().map(|a| audited(&org, a)).collect();
    assert_eq!(before, after, "nothing happened: {actions:?}");
    // The same body as JSON is taken.
    let issued = send(
        &app,
        "POST",
        "/api/v1/surveys/demo/codes",
        &[
            ("Authorization", &key),
            ("Content-Type", "application/json"),
        ],
        r#"{"count": 1}"#,
    );
    assert_eq!(issued.status, 201, "{}", issued.html);
    assert_eq!(audited(&org, "issue codes"), before[0] + 1);
    // A kiosk may still be opened with no body at all.
    let opened = send(
        &app,
        "POST",
        "/api/v1/surveys/demo/kiosks",
        &[("Authorization", &key)],
        "",
    );
    assert_eq!(opened.status, 201, "{}", opened.html);
}

/// Every organiser or researcher route that takes a JSON body about one survey: an unknown
/// survey is 404 before its body is read, a body of the wrong shape is 400 saying the shape,
/// and neither is acted on.
#[test]
fn a_survey_route_with_a_json_body_says_which_survey_or_which_shape_and_changes_nothing() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let organiser = format!("Bearer {}", api_key(&app, "maria"));
    add_account(&app, "rita", "researcher");
    let researcher = format!("Bearer {}", api_key(&app, "rita"));
    let actions = [
        "issue codes",
        "pick quote",
        "take back quote",
        "make results public",
        "request export",
    ];
    let before: Vec<usize> = actions.iter().map(|a| audited(&org, a)).collect();
    let routes = [
        ("POST", "codes", &organiser, r#"{"count": 1}"#, "\"count\""),
        (
            "POST",
            "quotes",
            &organiser,
            r#"{"question": "anything_else", "text": "words"}"#,
            "\"question\"",
        ),
        (
            "DELETE",
            "quotes",
            &organiser,
            r#"{"question": "anything_else", "text": "words"}"#,
            "\"question\"",
        ),
        (
            "POST",
            "public",
            &organiser,
            r#"{"public": true}"#,
            "\"public\"",
        ),
        (
            "POST",
            "exports",
            &researcher,
            r#"{"purpose": "a study"}"#,
            "\"purpose\"",
        ),
    ];
    let json = ("Content-Type", "application/json");
    for (method, route, key, good, shape) in routes {
        let unknown = format!("/api/v1/surveys/no-such-survey/{route}");
        let page = send(
            &app,
            method,
            &unknown,
            &[("Authorization", key), json],
            good,
        );
        assert_eq!(page.status, 404, "{method} {unknown}: {}", page.html);
        assert_eq!(json_error(&page), "not_found", "{method} {unknown}");

        let path = format!("/api/v1/surveys/demo/{route}");
        let wrong = r#"{"unexpected": 1}"#;
        let page = send(&app, method, &path, &[("Authorization", key), json], wrong);
        assert_eq!(page.status, 400, "{method} {path}: {}", page.html);
        assert_eq!(json_error(&page), "bad_request", "{method} {path}");
        let said: Value = serde_json::from_str(&page.html).expect("json");
        let message = said["message"].as_str().unwrap_or_default();
        assert!(message.contains(shape), "{method} {path}: {message}");
        // An array of the fields in order is not the object asked for (serde would read it as
        // one: `[2]` issued two codes).
        for array in [
            "[2]",
            "[true, [\"x\"]]",
            "[\"anything_else\", \"words\"]",
            "[\"a study\"]",
        ] {
            let page = send(&app, method, &path, &[("Authorization", key), json], array);
            assert_eq!(page.status, 400, "{method} {path} {array}: {}", page.html);
            let said: Value = serde_json::from_str(&page.html).expect("json");
            let message = said["message"].as_str().unwrap_or_default();
            assert!(
                message.contains(shape),
                "{method} {path} {array}: {message}"
            );
        }
    }
    let after: Vec<usize> = actions.iter().map(|a| audited(&org, a)).collect();
    assert_eq!(before, after, "nothing happened: {actions:?}");
}

#[test]
fn a_method_an_address_does_not_take_gets_405_with_allow_never_a_404() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let key = format!("Bearer {}", api_key(&app, "maria"));
    let api = [
        ("PUT", "/api/v1/surveys/demo/responses", "POST"),
        ("GET", "/api/v1/surveys/demo/codes", "POST"),
        ("DELETE", "/api/v1/surveys/demo", "GET"),
        ("PATCH", "/api/v1/surveys/demo/quotes", "GET, POST, DELETE"),
    ];
    for (method, path, allow) in api {
        let page = send(&app, method, path, &[("Authorization", &key)], "");
        assert_eq!(page.status, 405, "{method} {path}: {}", page.html);
        assert_eq!(page.header("allow"), Some(allow), "{method} {path}");
        assert_eq!(json_error(&page), "method_not_allowed");
        assert!(!page.html.contains("no such survey"), "{}", page.html);
    }
    // Peer pages: the peer layout, in a language, with Quick exit, and no cookie.
    for (path, allow) in [
        ("/s/demo/submit", "POST"),
        ("/s/demo/page", "POST"),
        ("/start", "POST"),
    ] {
        let page = Page::get_with(&app.url(path), &[("Accept-Language", "es")]);
        assert_eq!(page.status, 405, "{path}: {}", page.html);
        assert_eq!(page.header("allow"), Some(allow), "{path}");
        assert!(page.html.contains("<html lang=\"es\""), "{}", page.html);
        assert!(page.has("a.exit"), "Quick exit: {}", page.html);
        assert!(page.html.contains("directamente"), "{}", page.html);
        assert!(page.set_cookies.is_empty());
        assert!(page.header("content-security-policy").is_some());
    }
    // Workspace forms opened as links: a workspace page, and nothing done.
    for (path, allow) in [
        ("/org/logout", "POST"),
        ("/org/s/demo/state", "POST"),
        ("/org/s/demo/releases", "POST"),
    ] {
        let page = org.get(path);
        assert_eq!(page.status, 405, "{path}: {}", page.html);
        assert_eq!(page.header("allow"), Some(allow), "{path}");
        assert!(page.html.contains("opened directly"), "{}", page.html);
    }
    assert_eq!(org.get("/org").status, 200, "still logged in");
    assert!(app.survey_list().contains("demo\topen"));
    let login = send(&app, "DELETE", "/org/login", &[], "");
    assert_eq!(login.status, 405);
    assert_eq!(login.header("allow"), Some("GET, POST"));
    // Addresses that do not exist are still 404.
    assert_eq!(send(&app, "GET", "/api/v1/nothing", &[], "").status, 404);
    assert_eq!(send(&app, "PUT", "/nothing/here", &[], "").status, 404);
}

#[test]
fn an_import_that_is_not_a_multipart_form_says_so_and_imports_nothing() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let definition = "id = \"plain\"\ntitle = { en = \"Plain\" }\n";
    for content_type in ["text/plain", "application/x-www-form-urlencoded"] {
        let page = send(
            &app,
            "POST",
            "/org/import",
            &[
                ("Cookie", org.cookie.as_deref().expect("session")),
                ("Content-Type", content_type),
            ],
            definition,
        );
        assert_eq!(page.status, 415, "{content_type}: {}", page.html);
        assert!(
            page.html.contains("The form could not be read"),
            "{}",
            page.html
        );
        assert!(!page.html.contains("expired"), "{}", page.html);
    }
    assert!(!app.survey_list().contains("plain"));
}

/// Sends `head` and `body` on a raw connection, then waits up to `wait` for the answer.
fn raw_exchange(app: &TestApp, head: &str, body: &[u8], wait: Duration) -> (String, Duration) {
    let address = app.address.trim_start_matches("http://");
    let mut stream = std::net::TcpStream::connect(address).expect("connect");
    stream.set_read_timeout(Some(wait)).expect("read timeout");
    let started = Instant::now();
    stream.write_all(head.as_bytes()).expect("head");
    stream.write_all(body).expect("body");
    let mut answer = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                answer.extend_from_slice(&buf[..n]);
                if answer.windows(7).any(|w| w == b"</html>") {
                    break;
                }
            }
            Err(_) => break,
        }
    }
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

#[test]
fn an_import_whose_upload_stops_halfway_is_answered_within_seconds_and_imports_nothing() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let csrf = org.csrf("/org/import");
    let cookie = org.cookie.as_deref().expect("session");
    let boundary = "----chorus-stalled";
    let part = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"_csrf\"\r\n\r\n{csrf}\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"source\"\r\n\r\nid = \"stalled\"\n"
    );
    // The headers promise far more than is sent: the client then goes quiet.
    let head = format!(
        "POST /org/import HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        app.address.trim_start_matches("http://"),
        part.len() + 100_000
    );
    let (answer, took) = raw_exchange(&app, &head, part.as_bytes(), Duration::from_secs(40));
    assert!(
        answer.starts_with("HTTP/1.1 408"),
        "after {took:?}: {answer}"
    );
    assert!(took < Duration::from_secs(20), "held for {took:?}");
    assert!(
        answer.contains("stopped before it was complete"),
        "{answer}"
    );
    assert!(!app.survey_list().contains("stalled"));
}

/// Every body, not only the import form's, must keep arriving: a peer's page and an answer sent
/// to the API that stop halfway are answered within seconds, save nothing, and free their
/// connection (an outside review held a thousand such connections open and shut every peer
/// out).
#[test]
fn a_peer_form_or_an_answer_whose_body_stops_halfway_is_answered_within_seconds() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let host = app.address.trim_start_matches("http://").to_owned();
    let page_body = format!("_code={code}&_lang=en&_page=0&_go=next&consent=");
    let answer_body = format!("{{\"code\": \"{code}\", \"answers\": {{\"age\": ");
    let stalled = [
        (
            format!("POST /s/demo/page HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 60000\r\n\r\n"),
            page_body,
        ),
        (
            format!("POST /api/v1/surveys/demo/responses HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n"),
            answer_body,
        ),
    ];
    let answers: Vec<(String, Duration)> = std::thread::scope(|s| {
        let waits: Vec<_> = stalled
            .iter()
            .map(|(head, body)| {
                let app = &app;
                s.spawn(move || raw_exchange(app, head, body.as_bytes(), Duration::from_secs(40)))
            })
            .collect();
        waits
            .into_iter()
            .map(|w| w.join().expect("thread"))
            .collect()
    });
    for (answer, took) in &answers {
        assert!(answer.starts_with("HTTP/1.1 4"), "after {took:?}: {answer}");
        assert!(*took < Duration::from_secs(25), "held for {took:?}");
    }
    // The code was not spent: nothing was saved.
    let (status, body) = app.submit("demo", &code, &crate::submissions::minimal_answers());
    assert_eq!(status, 201, "{body}");
}

/// An address whose query or path part cannot be read as its route expects (a parameter given
/// twice, a word where a release number goes) is a page with Quick exit like any other — not
/// the framework's plain text, which has no way back and, on a shared phone, no Quick exit.
#[test]
fn an_address_that_cannot_be_read_is_a_page_with_quick_exit_never_plain_text() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    for path in [
        "/s/demo?code=a&code=b",
        "/s/demo?lang=es&lang=en",
        "/r/demo?lang=es&lang=en",
        "/privacy?lang=es&lang=en",
    ] {
        let page = send(&app, "GET", path, &[], "");
        assert_eq!(page.status, 404, "{path}: {}", page.html);
        assert!(
            page.header("content-type")
                .is_some_and(|t| t.starts_with("text/html")),
            "{path}"
        );
        assert!(page.has("a.exit"), "{path}: {}", page.html);
    }
    for path in [
        "/org/s/demo/releases/latest",
        "/org/s/demo/releases/1?rows=age&rows=area",
    ] {
        let page = org.get(path);
        assert!(
            page.html.contains("<html"),
            "{path}: a page, not plain text: {}",
            page.html
        );
    }
}
