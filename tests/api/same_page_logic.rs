//! Logic within a page, without JavaScript: a follow-up whose `show_if` names a question above
//! it on the same page is on the page with a plain hint, and the server sets its answer aside
//! (never sends or stores it) when the condition does not hold.

use crate::forms::Page;
use crate::helpers::TestApp;

const CARRY: &str = include_str!("../../surveys/naloxone-carry.toml");

fn first_page(app: &TestApp, lang: &str) -> Page {
    app.import(CARRY);
    app.open_survey("naloxone-carry");
    let code = app.issue_codes("naloxone-carry", 1).remove(0);
    Page::get(&app.url(&format!("/s/naloxone-carry?code={code}&lang={lang}")))
        .form("/s/naloxone-carry/page")
        .go("start")
}

#[test]
fn a_follow_up_on_the_same_page_is_shown_with_a_hint_in_the_peers_language() {
    let app = TestApp::spawn();
    let page = first_page(&app, "en");
    for q in ["carried", "kit", "why_not", "overdoses", "used_on_someone"] {
        assert!(page.has(&format!("#q-{q}")), "{q} is on the page");
    }
    assert_eq!(
        page.text("#q-kit .if-hint"),
        "Answer this if you said “Yes” above."
    );
    assert_eq!(
        page.text("#q-why_not .if-hint"),
        "Answer this if you said “No” above."
    );
    // The script shows and hides simple follow-ups; a numeric condition keeps its hint only.
    assert!(page.has(r#"#q-kit[data-if="carried"][data-if-values="yes"]"#));
    assert!(page.has("#q-used_on_someone .if-hint"));
    assert!(!page.has("#q-used_on_someone[data-if-values]"));
    assert!(!page.has("#q-carried .if-hint"));

    let other = TestApp::spawn();
    let swahili = first_page(&other, "sw");
    assert_eq!(
        swahili.text("#q-kit .if-hint"),
        "Jibu hili kama ulisema “Ndiyo” hapo juu."
    );
}

#[test]
fn an_answer_to_a_follow_up_that_does_not_apply_is_set_aside_and_never_sent() {
    let app = TestApp::spawn();
    let page = first_page(&app, "en");
    let mut form = page.form("/s/naloxone-carry/page");
    form.set("carried", "no");
    form.tick("kit", "nasal");
    form.set("why_not", "police");
    form.set("overdoses", "0");
    form.set("used_on_someone", "yes");
    let second = form.go("next");
    assert_eq!(second.h1(), "Getting more");
    let mut form = second.form("/s/naloxone-carry/page");
    form.set("want_more", "yes");
    let review = form.go("next");
    assert!(
        review.html.contains("Worried about police"),
        "{}",
        review.html
    );
    assert!(!review.html.contains("Nasal spray"), "{}", review.html);
    assert!(
        !review.html.contains("Did you give naloxone"),
        "{}",
        review.html
    );
    // "Send" posts every field again, the set-aside ones included; the server drops them
    // before the strict check that would refuse an answer to a question not shown.
    assert!(
        review.has("#set-aside"),
        "the review says some answers are set aside"
    );
    // Without blaming the peer for a change they did not make: the follow-up was answered on
    // the same page, before JavaScript-free pages could know it did not apply.
    assert!(
        review
            .text("#set-aside")
            .contains("do not apply with your other answers"),
        "{}",
        review.html
    );
    assert!(!review.html.contains("because you changed"));
    let mut send = review.form("/s/naloxone-carry/page");
    assert_eq!(
        send.value("kit"),
        Some("nasal"),
        "the set-aside answer still travels"
    );
    send.tick("kit", "injection");
    let thanks = send.press(None, Some("/s/naloxone-carry/submit"));
    assert_eq!(thanks.status, 200, "{}", thanks.html);
    assert!(thanks.html.contains("Thank you"), "{}", thanks.html);
}

#[test]
fn a_follow_up_that_applies_is_asked_and_required_only_then() {
    let app = TestApp::spawn();
    let page = first_page(&app, "en");
    let mut form = page.form("/s/naloxone-carry/page");
    form.set("carried", "yes");
    form.tick("kit", "nasal");
    form.set("why_not", "police");
    let second = form.go("next");
    let review = second.form("/s/naloxone-carry/page").go("next");
    assert!(review.html.contains("Nasal spray"), "{}", review.html);
    assert!(
        !review.html.contains("Worried about police"),
        "{}",
        review.html
    );
}

#[test]
fn the_api_refuses_an_answer_to_a_same_page_follow_up_that_does_not_apply_and_stores_nothing() {
    let app = TestApp::spawn();
    app.import(CARRY);
    app.open_survey("naloxone-carry");
    let code = app.issue_codes("naloxone-carry", 1).remove(0);
    let answers = serde_json::json!({ "carried": "no", "kit": ["nasal"] });
    let (status, body) = app.submit("naloxone-carry", &code, &answers);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("kit") && body.contains("not shown"), "{body}");
    // Nothing was stored: the code was not spent, and still works for answers that fit.
    let fits = serde_json::json!({ "carried": "yes", "kit": ["nasal"] });
    assert_eq!(app.submit("naloxone-carry", &code, &fits).0, 201);
}
