//! The demo survey answered by posting the HTML forms only, the way a phone with JavaScript off
//! does: skip logic, a validation error and its correction, Back, the review step, and sending.

use crate::durability::open_all_responses;
use crate::forms::Page;
use crate::helpers::TestApp;

const SECURITY_HEADERS: &[&str] = &[
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "permissions-policy",
    "cache-control",
];

/// Every response of the flow: no cookie, the security headers, and no answer in its URL.
fn check(page: &Page, answers_typed: &[&str]) {
    assert!(
        page.header("set-cookie").is_none(),
        "{} sets a cookie",
        page.url
    );
    for h in SECURITY_HEADERS {
        assert!(page.header(h).is_some(), "{} lacks {h}", page.url);
    }
    let csp = page.header("content-security-policy").unwrap_or("");
    assert!(csp.contains("frame-ancestors 'none'") && !csp.contains("unsafe-inline"));
    assert_eq!(page.header("cache-control"), Some("no-store"));
    // The only query a flow URL may carry is a QR card's code; no answer ever.
    let path = page.url.splitn(4, '/').nth(3).unwrap_or("");
    let without_code = match path.split_once("?code=") {
        Some((path, _)) => path,
        None => path,
    };
    assert!(!without_code.contains('?'), "{} has a query", page.url);
    for answer in answers_typed {
        assert!(
            !without_code.contains(answer),
            "{} carries an answer",
            page.url
        );
    }
}

#[test]
fn the_demo_is_completed_with_html_forms_only() {
    let mut app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let typed = ["31", "harbour", "heroin", "Evening hours please", "2019-04"];

    let landing = Page::get(&app.url(&format!("/s/demo?code={code}")));
    assert_eq!(landing.status, 200);
    check(&landing, &typed);
    let welcome = landing.form("/s/demo/page").go("start");
    check(&welcome, &typed);
    assert_eq!(welcome.h1(), "Welcome");

    // Consent is required: "Next" without it shows the error beside the question.
    let refused = welcome.form("/s/demo/page").go("next");
    assert_eq!(refused.status, 422);
    assert!(
        refused.text("#q-consent .err").contains("needs an answer"),
        "{}",
        refused.html
    );
    assert!(refused.has("#errors"));
    let mut form = refused.form("/s/demo/page");
    form.set("consent", "yes");
    let about = form.go("next");
    check(&about, &typed);
    assert_eq!(about.h1(), "About you");

    // An impossible age is refused with the typed value kept, then corrected.
    let mut form = about.form("/s/demo/page");
    form.set("age", "140")
        .set("gender", "woman")
        .set("area", "harbour");
    let refused = form.go("next");
    assert_eq!(refused.status, 422);
    assert!(
        refused.text("#q-age .err").contains("16"),
        "{}",
        refused.html
    );
    let mut form = refused.form("/s/demo/page");
    assert_eq!(form.value("age"), Some("140"), "the typed value is kept");
    assert_eq!(
        form.value("gender"),
        Some("woman"),
        "other answers are kept"
    );
    form.set("age", "31");
    let use_page = form.go("next");
    assert_eq!(use_page.h1(), "Drug use and overdose");

    // Not injecting: the injecting page is skipped.
    let mut form = use_page.form("/s/demo/page");
    form.tick("drugs_3m", "heroin").tick("drugs_3m", "benzos");
    form.set("injected_3m", "no")
        .set("naloxone_carry", "sometimes")
        .set("ost", "current");
    let after = form.go("next");
    assert_eq!(after.h1(), "Naloxone and treatment", "{}", after.html);

    // Back keeps what was answered; choosing "yes" now shows the injecting page.
    let back = after.form("/s/demo/page").go("back");
    assert_eq!(back.h1(), "Drug use and overdose");
    let mut form = back.form("/s/demo/page");
    assert_eq!(form.value("injected_3m"), Some("no"));
    assert!(form.fields.contains(&("drugs_3m".into(), "benzos".into())));
    form.set("injected_3m", "yes");
    let injecting = form.go("next");
    assert_eq!(injecting.h1(), "Injecting", "{}", injecting.html);
    let mut form = injecting.form("/s/demo/page");
    form.tick("equipment_source", "nsp")
        .set("reused_equipment", "never");
    let naloxone = form.go("next");
    assert_eq!(naloxone.h1(), "Naloxone and treatment");
    assert!(
        naloxone.has("#q-naloxone_barriers"),
        "shown because naloxone is not always carried"
    );
    assert!(
        naloxone.has("#q-ost_started"),
        "shown because on treatment now"
    );
    let mut form = naloxone.form("/s/demo/page");
    form.set("naloxone_trained", "yes")
        .tick("naloxone_barriers", "cost")
        .set("ost_started", "2019-04");
    let services = form.go("next");
    assert_eq!(services.h1(), "Services and safety");
    let mut form = services.form("/s/demo/page");
    form.set("service_rating.needle_exchange", "good")
        .set("service_rating.hospital", "dont_know")
        .set("respect", "usually")
        .set("safety", "7")
        .set("police_contact", "no");
    let last = form.go("next");
    assert!(!last.has("#q-police_what"), "the police page is skipped");
    // Beside the box, before anything is typed: organisers read these words as written.
    assert!(
        last.text("#read-anything_else")
            .contains("Organisers read what you write here word for word"),
        "{}",
        last.html
    );
    let mut form = last.form("/s/demo/page");
    form.set("anything_else", "Evening hours please");
    let review = form.go("next");
    check(&review, &typed);
    assert_eq!(review.h1(), "Check your answers");
    for shown in [
        "31 years",
        "Harbour",
        "Heroin",
        "Where do you get new needles",
        "Evening hours please",
        "2019-04",
    ] {
        assert!(
            review.html.contains(shown),
            "{shown} missing from the review:\n{}",
            review.html
        );
    }

    // "Change" goes back to a page; saying "no" to injecting drops the injecting answers.
    let use_index = review_button_for(&review, "Drug use and overdose");
    let change = review.form("/s/demo/page").go(&use_index);
    assert_eq!(change.h1(), "Drug use and overdose");
    let mut form = change.form("/s/demo/page");
    form.set("injected_3m", "no");
    let mut page = form.go("next");
    while page.h1() != "Check your answers" {
        page = page.form("/s/demo/page").go("next");
    }
    assert!(
        !page.html.contains("Where do you get new needles"),
        "hidden answers are dropped"
    );

    let thanks = page
        .form("/s/demo/page")
        .press(None, Some("/s/demo/submit"));
    check(&thanks, &typed);
    assert_eq!(thanks.status, 200);
    assert_eq!(thanks.h1(), "Thank you");
    assert_eq!(thanks.header("clear-site-data"), Some("\"cache\""));

    // The code is spent, and what was stored is what the review showed.
    let again = page
        .form("/s/demo/page")
        .press(None, Some("/s/demo/submit"));
    assert_eq!(again.status, 409);
    assert_eq!(
        again.text("main p"),
        "This code can't be used. It may have been used already, or mistyped. If you have just sent your answers with it, they were saved: thank you."
    );
    app.stop();
    let records = open_all_responses(&app, "demo");
    assert_eq!(records.len(), 1);
    let r = &records[0].response;
    assert!(r.get("equipment_source").is_none());
    assert!(r.get("age").is_some() && r.get("service_rating").is_some());
    // Free text is stored apart from the response it came with.
    assert!(r.get("anything_else").is_none());
    let texts = crate::durability::open_all_texts(&app, "demo");
    assert_eq!(texts.len(), 1);
    assert_eq!(
        (texts[0].question.as_str(), texts[0].text.as_str()),
        ("anything_else", "Evening hours please")
    );
}

/// The value of the "Change" button for a page title on the review step.
fn review_button_for(review: &Page, title: &str) -> String {
    let doc = scraper::Html::parse_document(&review.html);
    let sel = scraper::Selector::parse("section.rv").expect("selector");
    let button = scraper::Selector::parse("button").expect("selector");
    doc.select(&sel)
        .find(|s| s.text().collect::<String>().contains(title))
        .and_then(|s| s.select(&button).next())
        .and_then(|b| b.value().attr("value"))
        .expect("a change button")
        .to_owned()
}

#[test]
fn a_peer_can_answer_in_spanish() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let landing = Page::get_with(
        &app.url(&format!("/s/demo?code={code}")),
        &[("Accept-Language", "es-ES,es;q=0.9")],
    );
    assert!(landing.html.contains("lang=\"es\""));
    assert!(landing.html.contains("Empezar la encuesta"));
    let welcome = landing.form("/s/demo/page").go("start");
    assert_eq!(welcome.h1(), "Bienvenida");
    let refused = welcome.form("/s/demo/page").go("next");
    assert!(refused
        .text("#q-consent .err")
        .contains("necesita una respuesta"));
    assert!(refused.html.contains("Salida rápida"));
}

#[test]
fn the_language_buttons_switch_the_landing_page() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let landing = Page::get(&app.url(&format!("/s/demo?code={code}")));
    let spanish = landing.form("/s/demo/page").go("lang-es");
    assert!(spanish.html.contains("Empezar la encuesta"));
    assert!(spanish.html.contains(&code), "the code stays with the page");
    let welcome = spanish.form("/s/demo/page").go("start");
    assert_eq!(welcome.h1(), "Bienvenida");
}

#[test]
fn a_code_typed_on_the_home_page_finds_its_survey_leniently() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let home = Page::get(&app.url("/"));
    assert_eq!(home.status, 200);
    check(&home, &[]);
    let sloppy = code
        .to_lowercase()
        .replace('-', " ")
        .replace('0', "o")
        .replace('1', "l");
    let landing = home.form("/start").set("_code", &sloppy).press(None, None);
    assert_eq!(landing.status, 200, "{}", landing.html);
    assert!(landing.html.contains(&code));
    assert!(landing.html.contains("Our lives, our services"));
}

#[test]
fn used_unknown_and_mistyped_codes_get_the_same_page() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    assert_eq!(
        app.submit("demo", &code, &crate::submissions::minimal_answers())
            .0,
        201
    );
    let home = Page::get(&app.url("/"));
    let used = home.form("/start").set("_code", &code).press(None, None);
    let unknown = home
        .form("/start")
        .set("_code", "7KQ2-MX9D-4TRA-V3")
        .press(None, None);
    let mistyped = home.form("/start").set("_code", "hello").press(None, None);
    assert_eq!(used.status, 409);
    // The same page, but for what was typed, kept in the field to be corrected.
    let but_typed = |page: &Page, typed: &str| {
        assert!(page.has(&format!("input#code[value='{typed}'][aria-invalid=true]")));
        page.html
            .replace(&format!("value=\"{typed}\""), "value=\"\"")
    };
    let used_html = but_typed(&used, &code);
    assert_eq!(used_html, but_typed(&unknown, "7KQ2-MX9D-4TRA-V3"));
    assert_eq!(used_html, but_typed(&mistyped, "hello"));
    assert_eq!(
        used.text("main p"),
        "This code can't be used. It may have been used already, or mistyped. If you have just sent your answers with it, they were saved: thank you."
    );
    let qr = Page::get(&app.url(&format!("/s/demo?code={code}")));
    assert_eq!((qr.status, qr.text("main p")), (409, used.text("main p")));
}

/// Once a survey is closed every card of it is dead, and that is when cards are left in pockets
/// and drawers: whoever finds one and types it at `/` must not learn whether its holder
/// answered. A used card, an unused one and an unknown code get the same page (an outside
/// review found the unused card got a page of its own).
#[test]
fn a_used_and_an_unused_card_of_a_closed_survey_get_the_same_page() {
    let app = TestApp::spawn();
    let mut cards = app.issue_codes("demo", 2);
    let (used, unused) = (cards.remove(0), cards.remove(0));
    assert_eq!(
        app.submit("demo", &used, &crate::submissions::minimal_answers())
            .0,
        201
    );
    let (ok, _, stderr) = app.cli(&["survey", "close", "demo"]);
    assert!(ok, "{stderr}");
    let home = Page::get(&app.url("/"));
    let typed = |code: &str| {
        let page = home.form("/start").set("_code", code).press(None, None);
        assert_eq!(page.status, 409, "{code}: {}", page.html);
        page.html.replace(code, "CODE")
    };
    let used_page = typed(&used);
    assert_eq!(used_page, typed(&unused));
    assert_eq!(used_page, typed("H4WP-2NC8-RT5J-KQ"));
}

#[test]
fn unknown_and_closed_surveys_get_friendly_pages_with_a_way_back() {
    let app = TestApp::spawn();
    let missing = Page::get(&app.url("/s/no-such-survey"));
    assert_eq!(missing.status, 404);
    assert!(missing.has("a[href^='/']"));
    assert!(missing.has("a.exit"));
    let (ok, _, _) = app.cli(&["survey", "close", "demo"]);
    assert!(ok);
    let closed = Page::get(&app.url("/s/demo"));
    assert_eq!(closed.status, 410);
    assert!(closed.html.contains("closed"));
    let nowhere = Page::get(&app.url("/no/such/page"));
    assert_eq!(nowhere.status, 404);
    check(&nowhere, &[]);
}

#[test]
fn the_privacy_notice_reflects_the_settings() {
    let app = TestApp::spawn();
    let page = Page::get(&app.url("/privacy"));
    assert_eq!(page.status, 200);
    check(&page, &[]);
    assert!(
        page.html.contains("numbers below 10 are never shown"),
        "{}",
        page.html
    );
    assert!(page.html.contains("kept apart from the stored data"));
    // The demo asks for words of one's own: the notice says organisers read them as written
    // and may quote them, and does not claim the order answers came in is never kept.
    assert!(
        page.html.contains("organisers read it word for word"),
        "{}",
        page.html
    );
    assert!(!page.html.contains("in random order"));
    assert!(page.html.contains("wiped within about an hour"));
    let (ok, _, stderr) = app.cli(&["survey", "close", "demo"]);
    assert!(ok, "{stderr}");
    let page = Page::get(&app.url("/privacy"));
    assert!(
        !page.html.contains("word for word"),
        "no open survey asks for words: {}",
        page.html
    );
    let sealed = TestApp::spawn_with(&[("CHORUS_PASSPHRASE", "a long passphrase")]);
    let page = Page::get(&sealed.url("/privacy"));
    assert!(page.html.contains("never written down"));
}

#[test]
fn every_page_links_the_privacy_notice_and_offers_a_quick_exit() {
    let app =
        TestApp::spawn_configured(&[], Some("quick_exit_url = \"https://weather.example/\"\n"));
    let code = app.issue_codes("demo", 1).remove(0);
    let landing = Page::get(&app.url(&format!("/s/demo?code={code}")));
    let welcome = landing.form("/s/demo/page").go("start");
    for page in [Page::get(&app.url("/")), Page::get(&app.url("/privacy"))] {
        assert!(
            page.html
                .contains("href=\"https:&#x2F;&#x2F;weather.example&#x2F;\""),
            "{}",
            page.html
        );
        assert!(page.has("a[href^='/privacy']"));
    }
    // A page that holds a code — the card's landing page, and every page whose form carries
    // it (and, later, answers) — leaves through a form that posts the code to be retired first
    // (`kiosk.rs` tests what that protects; an address would carry the code), then goes to the
    // same place. With JavaScript the form goes as a beacon and the page to `data-to`.
    for page in [&landing, &welcome] {
        assert!(page.has("a[href^='/privacy']"));
        assert!(
            !page.has("a.exit"),
            "a link would carry the code: {}",
            page.html
        );
        assert!(
            page.html
                .contains("data-to=\"https:&#x2F;&#x2F;weather.example&#x2F;\""),
            "{}",
            page.html
        );
    }
    let exit = welcome.form("/leave");
    assert_eq!(exit.action, "/s/demo/leave");
    assert_eq!(exit.value("code"), Some(code.as_str()));
    assert_eq!(exit.send_to_redirect(), "https://weather.example/");
    // The card is spent: its first page, sent again, shows nothing.
    let again = welcome.form("/s/demo/page").go("next");
    assert_eq!(again.status, 409, "{}", again.html);
}

#[test]
fn an_address_with_nothing_at_it_is_a_peer_page_with_a_quick_exit() {
    let app =
        TestApp::spawn_configured(&[], Some("quick_exit_url = \"https://weather.example/\"\n"));
    // Mistyped addresses and results that are not public. (A button's address opened directly
    // is a 405 page with Quick exit: `request_shapes.rs`.)
    for path in ["/no/such/page", "/s/demo/nothing-here", "/r/demo"] {
        let page = Page::get(&app.url(path));
        assert_eq!(page.status, 404, "{path}");
        check(&page, &[]);
        assert!(
            page.has("a.exit[rel=noreferrer][href='https://weather.example/']"),
            "{path}: {}",
            page.html
        );
        assert!(page.html.starts_with("<!doctype html>\n<html lang=\"en\""));
        assert_eq!(page.h1(), "Page not found");
        assert_eq!(page.text("main p"), "There is nothing at this address.");
        assert!(page.has("main a[href^='/?lang=en']"), "a way back");
    }
    // In the browser's language, like the other peer pages.
    let spanish = Page::get_with(&app.url("/no/such/page"), &[("Accept-Language", "es")]);
    assert_eq!(spanish.status, 404);
    assert!(spanish
        .html
        .starts_with("<!doctype html>\n<html lang=\"es\""));
    assert_eq!(spanish.h1(), "Página no encontrada");
    assert!(spanish.has("a.exit"));
}

/// A survey's own non-answers (`[non_answers]`: "Does not apply to me", and "Not sure" in place
/// of "Don't know") are what peers see, in their language — never the raw id.
#[test]
fn a_surveys_own_non_answer_words_are_shown_in_the_peers_language() {
    let app = TestApp::spawn();
    app.import(include_str!("../../surveys/justice-opioid-core.toml"));
    app.open_survey("justice-opioid-core");
    let (ok, stdout, stderr) = app.cli(&[
        "codes",
        "issue",
        "justice-opioid-core",
        "--count",
        "2",
        "--tag",
        "site=court",
    ]);
    assert!(ok, "{stderr}");
    let codes: Vec<&str> = stdout.lines().collect();
    for (code, lang, own, dont_know) in [
        (codes[0], "en", "Does not apply to me", "Not sure"),
        (codes[1], "es", "No me aplica", "No estoy seguro"),
    ] {
        let page = ureq::post(&app.url("/s/justice-opioid-core/page"))
            .send_form(&[("_code", code), ("_lang", lang), ("_go", "start")])
            .expect("first page")
            .into_string()
            .expect("html");
        assert!(page.contains(own), "{lang}: {page}");
        assert!(page.contains(dont_know), "{lang}: {page}");
        assert!(!page.contains(">not_applicable<"), "{lang}: the raw id");
    }
}

/// A tab's title stays in the browser's history ("Recent tabs"): peer pages are titled with a
/// neutral word in the peer's language, never with the survey's topic or the page's name.
#[test]
fn peer_page_titles_never_name_the_survey_or_the_page() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let title_of = |html: &str| {
        let start = html.find("<title>").expect("a title") + "<title>".len();
        let end = html[start..].find("</title>").expect("closed") + start;
        html[start..end].to_owned()
    };
    let landing = crate::helpers::get(&app.url(&format!("/s/demo?code={code}"))).1;
    let first = ureq::post(&app.url("/s/demo/page"))
        .send_form(&[("_code", code.as_str()), ("_lang", "en"), ("_go", "start")])
        .expect("first page")
        .into_string()
        .expect("html");
    for html in [&landing, &first] {
        assert_eq!(title_of(html), "Survey");
    }
    assert!(
        first.contains("<h1"),
        "the page still says where the peer is"
    );
}

/// A screen reader names each field's help, unit and hint with the field, and each "Don't
/// know" box with its question (an outside review heard only "Don't know, checkbox").
#[test]
fn help_units_and_non_answer_boxes_are_tied_to_their_question() {
    let app = TestApp::spawn();
    app.import(
        r#"
id = "tied"
title = "Tied"
[[pages]]
title = "One"
  [[pages.questions]]
  id = "days"
  type = "number"
  role = "sensitive"
  min = 0
  max = 30
  unit = "days"
  text = "How many days?"
  help = "Please don't write names."
"#,
    );
    app.open_survey("tied");
    let code = app.issue_codes("tied", 1).remove(0);
    let page = Page::get(&app.url(&format!("/s/tied?code={code}")))
        .form("/s/tied/page")
        .go("start");
    let described = page
        .attr("#in-days", "aria-describedby")
        .expect("described");
    for id in ["help-days", "unit-days"] {
        assert!(described.split(' ').any(|d| d == id), "{described}");
        assert!(page.has(&format!("#{id}")), "{id}: {}", page.html);
    }
    assert!(
        page.has(".na[role=group][aria-labelledby=lbl-days]"),
        "{}",
        page.html
    );
    assert!(page.has("label#lbl-days"));
}
