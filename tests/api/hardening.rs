//! Outsiders against the workspace's doors: the one-time set-up link raced, the login form
//! posted from elsewhere, a known organiser's account guessed at from other addresses, and a
//! forged `X-Forwarded-For` trying to escape its rate limit.

use crate::forms::into_page;
use crate::helpers::TestApp;
use crate::org_client::{add_account, OrgClient, PASSWORD};

#[test]
fn three_people_racing_the_set_up_link_make_exactly_one_organiser() {
    let app = TestApp::spawn();
    let line = app
        .console_line_starting("Set the first organiser's password")
        .expect("setup link");
    let link = line.rsplit(' ').next().expect("link").to_owned();
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let racers: Vec<_> = ["ana", "bea", "cai"]
            .into_iter()
            .map(|name| {
                let link = link.clone();
                s.spawn(move || {
                    let agent = ureq::AgentBuilder::new().redirects(0).build();
                    let reply = agent.post(&link).send_form(&[
                        ("name", name),
                        ("password", PASSWORD),
                        ("password_again", PASSWORD),
                    ]);
                    into_page(&link, reply).status
                })
            })
            .collect();
        racers
            .into_iter()
            .map(|r| r.join().expect("racer"))
            .collect()
    });
    assert_eq!(
        statuses.iter().filter(|s| **s == 303).count(),
        1,
        "one set-up succeeds: {statuses:?}"
    );
    let made: Vec<&str> = ["ana", "bea", "cai"]
        .into_iter()
        .filter(|name| {
            let (ok, _, _) = app.cli(&["user", "api-key", name]);
            ok
        })
        .collect();
    assert_eq!(made.len(), 1, "exactly one account exists: {made:?}");
}

#[test]
fn a_login_posted_without_the_login_page_s_token_is_refused() {
    let app = TestApp::spawn();
    add_account(&app, "maria", "organiser");
    let client = OrgClient::anonymous(&app);
    let forged = client.post_raw("/org/login", &[("name", "maria"), ("password", PASSWORD)]);
    assert_eq!(forged.status, 403, "{}", forged.html);
    assert!(forged
        .header("set-cookie")
        .is_none_or(|c| !c.starts_with("chorus_session=")));
    let page = client.post_login("maria", PASSWORD);
    assert_eq!(page.status, 303, "{}", page.html);
}

/// A login from `address` (as the trusted proxy reports it), with the page's token.
fn log_in_from(app: &TestApp, address: &str, name: &str, password: &str) -> u16 {
    let form = login_form(app, address);
    send_login(&app.url("/org/login"), address, (name, password), &form)
}

/// The login page as `address` gets it: its token cookie and the form's token.
fn login_form(app: &TestApp, address: &str) -> (String, String) {
    let form = into_page(
        &app.url("/org/login"),
        ureq::get(&app.url("/org/login"))
            .set("X-Forwarded-For", address)
            .call(),
    );
    let cookie = form
        .header("set-cookie")
        .and_then(|c| c.split(';').next())
        .expect("token cookie")
        .to_owned();
    let doc = scraper::Html::parse_document(&form.html);
    let sel = scraper::Selector::parse("input[name=_csrf]").expect("selector");
    let token = doc
        .select(&sel)
        .next()
        .and_then(|e| e.value().attr("value"))
        .expect("token")
        .to_owned();
    (cookie, token)
}

/// Sends the login form `(cookie, token)` to `url` from `address`; the status.
fn send_login(
    url: &str,
    address: &str,
    (name, password): (&str, &str),
    (cookie, token): &(String, String),
) -> u16 {
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let reply = agent
        .post(url)
        .set("X-Forwarded-For", address)
        .set("Cookie", cookie)
        .send_form(&[("name", name), ("password", password), ("_csrf", token)]);
    into_page(url, reply).status
}

#[test]
fn guessing_a_known_organiser_s_password_from_elsewhere_does_not_lock_them_out() {
    let app = TestApp::spawn_configured(
        &[],
        Some("trust_forwarded_for = true\nlogins_per_minute = 0\n"),
    );
    add_account(&app, "maria", "organiser");
    for attempt in 0..6 {
        let status = log_in_from(&app, "198.51.100.7", "maria", "not her password");
        assert!(
            status == 401 || status == 429,
            "attempt {attempt}: {status}"
        );
    }
    assert_eq!(
        log_in_from(&app, "198.51.100.7", "maria", PASSWORD),
        429,
        "the guessing address is locked out"
    );
    assert_eq!(
        log_in_from(&app, "203.0.113.20", "maria", PASSWORD),
        303,
        "maria, from her own address, still gets in"
    );
}

/// Guesses sent together from many addresses, with the account already slowed down: each
/// attempt is counted as it begins, so one is checked and the rest are told to wait (before,
/// all of them found the back-off as it stood before any was checked, and all were checked;
/// now only one password is checked at a time, too, and only a few may wait for it).
#[test]
fn guesses_sent_together_from_many_addresses_meet_the_account_s_back_off() {
    let app = TestApp::spawn_configured(
        &[],
        Some("trust_forwarded_for = true\nlogins_per_minute = 0\n"),
    );
    add_account(&app, "maria", "organiser");
    for n in 0..12 {
        let status = log_in_from(&app, &format!("198.51.100.{n}"), "maria", "a wrong guess");
        assert!(status == 401 || status == 429, "guess {n}: {status}");
    }
    // Wait out the back-off those set (a few seconds), so the burst starts with it open.
    std::thread::sleep(std::time::Duration::from_secs(9));
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(24));
    let handles: Vec<_> = (0..24)
        .map(|n| {
            let address = format!("203.0.113.{n}");
            let form = login_form(&app, &address);
            let (url, barrier) = (app.url("/org/login"), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                send_login(&url, &address, ("maria", "another wrong guess"), &form)
            })
        })
        .collect();
    let statuses: Vec<u16> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert!(checked <= 1, "{checked} of 24 checked: {statuses:?}");
    // 503: more logins than may wait for the one password check at a time.
    assert!(
        statuses.iter().all(|s| [401, 429, 503].contains(s)),
        "{statuses:?}"
    );
}

#[test]
fn a_forged_left_hand_forwarded_address_does_not_escape_the_rate_limit() {
    let app = TestApp::spawn_configured(
        &[],
        Some("trust_forwarded_for = true\nlogins_per_minute = 2\n"),
    );
    let statuses: Vec<u16> = (0..4)
        .map(|n| {
            // The client invents a new address each time; the proxy appends the real one.
            let forwarded = format!("10.9.8.{n}, 198.51.100.7");
            log_in_from(&app, &forwarded, "nobody", "guess")
        })
        .collect();
    assert_eq!(statuses[..2], [401, 401], "{statuses:?}");
    assert!(statuses[2..].iter().all(|s| *s == 429), "{statuses:?}");
}

/// A code typed at `/start`, with `X-Forwarded-For` set to `forwarded` or absent.
fn enter_code(app: &TestApp, forwarded: Option<&str>) -> u16 {
    let mut req = ureq::post(&app.url("/start"));
    if let Some(f) = forwarded {
        req = req.set("X-Forwarded-For", f);
    }
    into_page(
        &app.url("/start"),
        req.send_form(&[("_code", "7WXR-ABZ8-STWP-XT")]),
    )
    .status
}

/// The server's log, once `pattern` is in it (or after five seconds).
fn log_with(app: &TestApp, pattern: &str) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let logs = app.logs();
        if logs.contains(pattern) || std::time::Instant::now() > deadline {
            return logs;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
}

#[test]
fn a_request_that_bypasses_the_trusted_proxy_is_reported_in_the_log_without_an_address() {
    const WARNING: &str = "without an X-Forwarded-For header";
    let app = TestApp::spawn_configured(&[], Some("trust_forwarded_for = true\n"));
    // Through the proxy: the header is always there, and nothing is said.
    assert_ne!(enter_code(&app, Some("198.51.100.7")), 429);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!app.logs().contains(WARNING), "{}", app.logs());
    // Straight in (as an onion service pointed at Chorus would be): said once, plainly.
    for _ in 0..3 {
        enter_code(&app, None);
    }
    let logs = log_with(&app, WARNING);
    assert_eq!(logs.matches(WARNING).count(), 1, "{logs}");
    let line = logs
        .lines()
        .find(|l| l.contains(WARNING))
        .expect("the warning");
    assert!(line.contains("deploy/torrc"), "{line}");
    assert!(
        !line.contains("127.0.0.1") && !logs.contains("198.51.100.7"),
        "{line}"
    );

    // Without trust_forwarded_for the header means nothing, and its absence says nothing.
    let plain = TestApp::spawn();
    enter_code(&plain, None);
    std::thread::sleep(std::time::Duration::from_millis(300));
    assert!(!plain.logs().contains(WARNING));
}
