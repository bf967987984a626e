//! Device cookies: behind a Tor onion service (or a proxy Chorus does not trust) every visitor
//! arrives from the same address, so the per-client lockout is one lock for everyone. A browser
//! that logged in before carries a signed device cookie and is judged by its own failures, so a
//! stranger cannot keep its organiser out; a forged, altered or other account's cookie counts
//! for nothing, and a device that guesses wrong is locked itself. Here every request comes from
//! 127.0.0.1 with `trust_forwarded_for` off — exactly what an onion service looks like.

use crate::forms::Page;
use crate::helpers::TestApp;
use crate::org_client::{add_account, OrgClient, PASSWORD};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

/// A stranger (no device cookie, the same address as everyone) guesses until maria's account is
/// locked for that address and the address's login rate is spent.
fn stranger_locks_out(app: &TestApp, name: &str) {
    let stranger = OrgClient::anonymous(app);
    let statuses: Vec<u16> = (0..12)
        .map(|n| stranger.post_login(name, &format!("guess {n}")).status)
        .collect();
    assert!(statuses[..5].iter().all(|s| *s == 401), "{statuses:?}");
    assert!(statuses[5..].iter().all(|s| *s == 429), "{statuses:?}");
    let right = stranger.post_login(name, PASSWORD);
    assert_eq!(
        right.status, 429,
        "without a device cookie even the right password waits: {}",
        right.html
    );
}

/// A browser that sends `device` (a whole `chorus_device=…` pair) with its logins.
fn browser_with(app: &TestApp, device: &str) -> OrgClient {
    let mut client = OrgClient::anonymous(app);
    client.device = Some(device.to_owned());
    client
}

#[test]
fn a_stranger_failing_from_the_same_address_does_not_keep_out_an_organiser_with_a_device_cookie() {
    let app = TestApp::spawn();
    let maria = OrgClient::log_in(&app, "maria", "organiser");
    let device = maria.device.clone().expect("a device cookie at login");
    stranger_locks_out(&app, "maria");

    let mut own_browser = browser_with(&app, &device);
    let page = own_browser.post_login("maria", PASSWORD);
    assert_eq!(page.status, 303, "{}", page.html);
    own_browser.keep_cookies(&page);
    assert_eq!(own_browser.get("/org").status, 200, "logged in");
    // The stranger is still locked out.
    assert_eq!(
        OrgClient::anonymous(&app)
            .post_login("maria", PASSWORD)
            .status,
        429
    );
}

#[test]
fn a_forged_altered_or_other_account_s_device_cookie_gives_no_bypass() {
    let app = TestApp::spawn();
    let maria = OrgClient::log_in(&app, "maria", "organiser");
    let ana = OrgClient::log_in(&app, "ana", "organiser");
    let maria_device = maria.device.clone().expect("device");
    let ana_device = ana.device.clone().expect("device");
    stranger_locks_out(&app, "maria");

    let value = maria_device
        .strip_prefix("chorus_device=")
        .expect("cookie value");
    let (body, tag) = value.split_once('.').expect("body.tag");
    // The tag altered by one character.
    let flipped = {
        let mut t: Vec<char> = tag.chars().collect();
        t[3] = if t[3] == 'A' { 'B' } else { 'A' };
        t.into_iter().collect::<String>()
    };
    // A body of one's own choosing (maria, a new nonce, far future) under the real tag.
    let own_body =
        URL_SAFE_NO_PAD.encode(br#"{"n":"maria","d":"AAAAAAAAAAAAAAAAAAAAAA","x":99999999999}"#);
    // A session cookie's value, signed with the same key, offered as a device cookie.
    let session_value = maria
        .cookie
        .as_deref()
        .and_then(|c| c.strip_prefix("chorus_session="))
        .expect("session cookie");
    let forgeries = [
        format!("chorus_device={body}.{flipped}"),
        format!("chorus_device={own_body}.{tag}"),
        format!("chorus_device={session_value}"),
        "chorus_device=garbage".to_owned(),
        // ana's real device cookie, for maria's account.
        ana_device.clone(),
    ];
    for forged in &forgeries {
        let page = browser_with(&app, forged).post_login("maria", PASSWORD);
        assert_eq!(page.status, 429, "{forged} let a browser in: {}", page.html);
        assert!(page.set_cookie("chorus_session").is_none());
    }
    // ana's cookie still works for ana.
    assert_eq!(
        browser_with(&app, &ana_device)
            .post_login("ana", PASSWORD)
            .status,
        303
    );
}

#[test]
fn a_device_is_locked_after_five_wrong_passwords_and_a_stolen_copy_gets_no_more_guesses_even_all_at_once(
) {
    let app = TestApp::spawn();
    let maria = OrgClient::log_in(&app, "maria", "organiser");
    let laptop = maria.device.clone().expect("device");
    let phone = OrgClient::log_in_existing(&app, "maria")
        .device
        .expect("a second device");
    assert_ne!(laptop, phone, "every login makes a device of its own");

    // Someone with a copy of the laptop's cookie guesses, twenty at once: at most five are
    // checked, then that device is locked.
    let statuses: Vec<u16> = std::thread::scope(|s| {
        let guesses: Vec<_> = (0..20)
            .map(|n| {
                let (app, laptop) = (&app, &laptop);
                s.spawn(move || {
                    browser_with(app, laptop)
                        .post_login("maria", &format!("guess {n}"))
                        .status
                })
            })
            .collect();
        guesses
            .into_iter()
            .map(|g| g.join().expect("guess"))
            .collect()
    });
    let checked = statuses.iter().filter(|s| **s == 401).count();
    assert_eq!(checked, 5, "five checked, the rest refused: {statuses:?}");
    // 503: more logins than may wait for the one password check at a time.
    assert!(
        statuses.iter().all(|s| [401, 429, 503].contains(s)),
        "{statuses:?}"
    );
    let thief = browser_with(&app, &laptop);
    for password in ["guess 6", PASSWORD] {
        let page = thief.post_login("maria", password);
        assert_eq!(page.status, 429, "{}", page.html);
        assert!(page.html.contains("locked"), "{}", page.html);
        assert!(page.set_cookie("chorus_session").is_none());
    }
    // The laptop itself is locked with it; the phone, another device, is not.
    assert_eq!(
        browser_with(&app, &laptop)
            .post_login("maria", PASSWORD)
            .status,
        429
    );
    assert_eq!(
        browser_with(&app, &phone)
            .post_login("maria", PASSWORD)
            .status,
        303
    );
}

#[test]
fn the_device_cookie_is_http_only_strict_secure_and_kept_only_for_the_login_form_and_logout_keeps_it(
) {
    let app = TestApp::spawn_configured(&[], Some("public_url = \"https://survey.example.org\"\n"));
    add_account(&app, "maria", "organiser");
    let login = OrgClient::anonymous(&app).post_login("maria", PASSWORD);
    assert_eq!(login.status, 303, "{}", login.html);
    let device = login.set_cookie("chorus_device").expect("a device cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/org/login"] {
        assert!(device.contains(attribute), "{device} lacks {attribute}");
    }
    assert!(device.contains("Max-Age="), "long-lived: {device}");

    let mut maria = OrgClient::anonymous(&app);
    maria.keep_cookies(&login);
    let out = maria.post("/org", "/org/logout", &[]);
    assert_eq!(out.status, 303);
    assert!(
        out.set_cookie("chorus_device").is_none(),
        "logging out leaves the device cookie alone: {:?}",
        out.set_cookies
    );
    assert_eq!(maria.get("/org").status, 303, "the session is over");
    // After logging out, the browser is still known: strangers cannot lock it out.
    stranger_locks_out(&app, "maria");
    assert_eq!(maria.post_login("maria", PASSWORD).status, 303);
}

#[test]
fn peer_pages_set_no_cookie_even_for_a_browser_that_has_logged_in() {
    let app = TestApp::spawn();
    let maria = OrgClient::log_in(&app, "maria", "organiser");
    let cookies = format!(
        "{}; {}",
        maria.cookie.as_deref().expect("session"),
        maria.device.as_deref().expect("device")
    );
    let code = app.issue_codes("demo", 1).remove(0);
    let headers = [("Cookie", cookies.as_str())];
    let mut pages = vec![
        Page::get_with(&app.url("/"), &headers),
        Page::get_with(&app.url("/s/demo"), &headers),
        Page::get_with(&app.url(&format!("/s/demo?code={code}")), &headers),
        Page::get_with(&app.url("/privacy"), &headers),
    ];
    let landing = Page::get_with(&app.url(&format!("/s/demo?code={code}")), &headers);
    pages.push(landing.form("/s/demo/page").go("start"));
    for page in &pages {
        assert!(
            page.set_cookies.is_empty(),
            "{} sets {:?}",
            page.url,
            page.set_cookies
        );
    }
    // And the device cookie is made only by a right password on the login form.
    let wrong = OrgClient::anonymous(&app).post_login("maria", "not her password");
    assert!(wrong.set_cookie("chorus_device").is_none());
}
