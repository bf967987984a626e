//! A peer never loses an answer without being told, and a used code never brings answers back:
//! codes are checked before the first question, "Change" returns to the review, a changed answer
//! sets later answers aside rather than wiping them, page totals only shrink, a person the survey
//! screens out leaves no response, and the code-entry page offers every language.

use crate::durability::open_all_responses;
use crate::forms::{Form, Page};
use crate::helpers::TestApp;

/// The landing page of a code, then the first page.
fn start(app: &TestApp, code: &str) -> Page {
    let landing = Page::get(&app.url(&format!("/s/demo?code={code}")));
    assert_eq!(landing.status, 200, "{}", landing.html);
    landing.form("/s/demo/page").go("start")
}

/// Answers the demo on the way to its review step: consent, an age, and "no" to the branches.
fn walk_to_review(app: &TestApp, code: &str) -> Page {
    let mut page = start(app, code);
    for _ in 0..12 {
        if page.h1() == "Check your answers" {
            return page;
        }
        let mut form = page.form("/s/demo/page");
        if page.has("#q-consent") {
            form.set("consent", "yes");
        }
        if page.has("#q-age") {
            form.set("age", "31").set("gender", "woman");
        }
        if page.has("#q-injected_3m") {
            form.set("injected_3m", "no")
                .set("naloxone_carry", "always");
        }
        if page.has("#q-police_contact") {
            form.set("police_contact", "no");
        }
        page = form.go("next");
        assert!(page.status < 400, "{}", page.html);
    }
    panic!("never reached the review: {}", page.html);
}

/// The value of the "Change" button for a page on the review step.
fn change(review: &Page, title: &str) -> Page {
    let doc = scraper::Html::parse_document(&review.html);
    let section = scraper::Selector::parse("section.rv").expect("selector");
    let button = scraper::Selector::parse("button").expect("selector");
    let value = doc
        .select(&section)
        .find(|s| s.text().collect::<String>().contains(title))
        .and_then(|s| s.select(&button).next())
        .and_then(|b| b.value().attr("value"))
        .expect("a change button")
        .to_owned();
    review.form("/s/demo/page").go(&value)
}

fn submit(review: &Page) -> Page {
    review
        .form("/s/demo/page")
        .press(None, Some("/s/demo/submit"))
}

#[test]
fn a_landing_page_without_a_code_refuses_a_missing_or_unusable_code_before_any_question() {
    let app = TestApp::spawn();
    let codes = app.issue_codes("demo", 2);
    assert_eq!(
        app.submit("demo", &codes[1], &serde_json::json!({"consent": "yes"}))
            .0,
        201
    );
    let landing = Page::get(&app.url("/s/demo"));
    assert!(landing.has("input#code[name=_code][required]"));
    let mut refusals = Vec::new();
    for typed in ["", "7KQ2-MX9D-4TRA-V3", "hello", codes[1].as_str()] {
        let mut form = landing.form("/s/demo/page");
        form.set("_code", typed);
        let refused = form.go("start");
        assert_eq!(refused.status, 409, "{typed}: {}", refused.html);
        assert!(refused.has("#errors"), "told at once");
        assert!(!refused.has(".q"), "no question is shown");
        assert!(refused.has("input#code"), "a code can be typed again");
        refusals.push(refused.html);
    }
    assert!(
        refusals.iter().all(|h| *h == refusals[0]),
        "used and unknown codes look the same"
    );
    let mut form = landing.form("/s/demo/page");
    form.set("_code", &codes[0].to_lowercase());
    assert_eq!(form.go("start").h1(), "Welcome");
}

#[test]
fn the_landing_page_of_a_card_tells_the_peer_to_keep_the_card_until_sending() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let landing = Page::get(&app.url(&format!("/s/demo?code={code}")));
    assert!(landing.html.contains(&code));
    assert!(landing
        .html
        .contains("Keep your card until you have sent your answers"));
    assert!(!landing.html.contains("don't need to keep"));
}

#[test]
fn change_on_the_review_returns_to_the_review() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let review = walk_to_review(&app, &code);
    let about = change(&review, "About you");
    assert_eq!(about.h1(), "About you");
    assert!(about.has("button[value=review]"), "{}", about.html);
    let mut form = about.form("/s/demo/page");
    form.set("age", "44");
    let back = form.go("review");
    assert_eq!(back.h1(), "Check your answers");
    assert!(back.html.contains("44 years"));
    // A problem on the changed page keeps it open, still on its way back to the review.
    let mut form = change(&back, "About you").form("/s/demo/page");
    form.set("age", "300");
    let refused = form.go("review");
    assert_eq!(refused.status, 422);
    let mut form = refused.form("/s/demo/page");
    form.set("age", "45");
    assert_eq!(form.go("review").h1(), "Check your answers");
}

#[test]
fn declining_consent_on_the_review_sets_answers_aside_and_accepting_again_restores_them() {
    let mut app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let review = walk_to_review(&app, &code);
    assert!(review.html.contains("31 years"));
    let mut form = change(&review, "Welcome").form("/s/demo/page");
    form.set("consent", "no");
    let declined = form.go("review");
    assert_eq!(declined.h1(), "Check your answers");
    assert!(
        declined.has("#screened-out"),
        "the peer is told: {}",
        declined.html
    );
    assert!(!declined.html.contains("31 years"));
    let mut form = change(&declined, "Welcome").form("/s/demo/page");
    form.set("consent", "yes");
    let restored = form.go("review");
    assert!(restored.html.contains("31 years"), "{}", restored.html);
    assert!(restored.html.contains("Woman"));
    assert!(!restored.has("#screened-out") && !restored.has("#set-aside"));
    assert_eq!(submit(&restored).h1(), "Thank you");
    app.stop();
    let records = open_all_responses(&app, "demo");
    assert_eq!(records.len(), 1);
    assert!(records[0].response.get("age").is_some());
}

#[test]
fn a_changed_answer_that_hides_a_page_says_its_answers_will_not_be_sent() {
    let mut app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let review = walk_to_review(&app, &code);
    let mut form = change(&review, "Drug use and overdose").form("/s/demo/page");
    form.set("injected_3m", "yes");
    let back = form.go("review");
    // The newly shown injecting page has nothing required: the review lists it unanswered.
    assert!(back.html.contains("Injecting"), "{}", back.html);
    let mut form = change(&back, "Injecting").form("/s/demo/page");
    form.tick("equipment_source", "nsp");
    let with_injecting = form.go("review");
    assert!(with_injecting.html.contains("Needle exchange"));
    let mut form = change(&with_injecting, "Drug use and overdose").form("/s/demo/page");
    form.set("injected_3m", "no");
    let aside = form.go("review");
    assert!(aside.has("#set-aside"), "{}", aside.html);
    assert!(!aside.html.contains("Needle exchange"));
    assert_eq!(submit(&aside).h1(), "Thank you");
    app.stop();
    let records = open_all_responses(&app, "demo");
    assert!(records[0].response.get("equipment_source").is_none());
}

#[test]
fn a_used_code_never_brings_answers_back() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let review = walk_to_review(&app, &code);
    let about = change(&review, "About you");
    assert_eq!(submit(&review).h1(), "Thank you");
    // What "Back" and a resubmitted form would post after "Thank you".
    for again in [
        review.form("/s/demo/page").go("page-1"),
        about.form("/s/demo/page").go("review"),
        about.form("/s/demo/page").go("back"),
    ] {
        assert_eq!(again.status, 409, "{}", again.html);
        assert!(!again.html.contains("31"), "no answer is shown again");
        assert!(!again.html.contains("Nothing has been sent yet"));
        assert!(!again.has("input[type=hidden][name=age]"));
    }
    let mut unknown = about.form("/s/demo/page");
    unknown.set("_code", "7KQ2-MX9D-4TRA-V3");
    assert_eq!(
        unknown.go("review").html,
        about.form("/s/demo/page").go("review").html,
        "used and unknown codes look the same"
    );
}

#[test]
fn the_page_total_never_jumps_up_as_pages_are_skipped_in_or_out() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let mut page = start(&app, &code);
    let mut seen: Vec<(usize, usize)> = Vec::new();
    while page.h1() != "Check your answers" {
        let progress = page.text(".progress span");
        let numbers: Vec<usize> = progress
            .split(|c: char| !c.is_ascii_digit())
            .filter_map(|n| n.parse().ok())
            .collect();
        seen.push((numbers[0], numbers[1]));
        let mut form: Form = page.form("/s/demo/page");
        if page.has("#q-consent") {
            form.set("consent", "yes");
        }
        if page.has("#q-injected_3m") {
            form.set("injected_3m", "yes")
                .set("naloxone_carry", "never");
        }
        if page.has("#q-police_contact") {
            form.set("police_contact", "no");
        }
        page = form.go("next");
        assert!(seen.len() < 12);
    }
    for pair in seen.windows(2) {
        assert_eq!(pair[1].0, pair[0].0 + 1, "{seen:?}");
        assert!(pair[1].1 <= pair[0].1, "the total never grows: {seen:?}");
    }
    let last = seen.last().expect("pages");
    assert_eq!(last.0, last.1, "the last page says n of n: {seen:?}");
}

const ALL_REQUIRED: &str = r#"
id = "strict"
title = "Strict"
languages = ["en"]
  [[pages]]
  title = "Only page"
  [[pages.questions]]
  id = "years"
  type = "number"
  role = "plain"
  required = true
  dont_know = false
  prefer_not_to_say = false
  min = 0
  max = 80
  text = "How many years?"
"#;

#[test]
fn the_landing_promises_skipping_only_when_something_can_be_skipped_and_errors_say_what_is_allowed()
{
    let app = TestApp::spawn();
    app.import(ALL_REQUIRED);
    app.open_survey("strict");
    let code = app.issue_codes("strict", 1).remove(0);
    let landing = Page::get(&app.url(&format!("/s/strict?code={code}")));
    assert!(!landing.html.contains("skip"), "{}", landing.html);
    let demo_code = app.issue_codes("demo", 1).remove(0);
    let demo = Page::get(&app.url(&format!("/s/demo?code={demo_code}")));
    assert!(demo.html.contains("You can skip any question that isn"));

    let page = landing.form("/s/strict/page").go("start");
    let mut form = page.form("/s/strict/page");
    form.set("years", "120");
    let refused = form.go("next");
    let error = refused.text("#q-years .err");
    assert!(error.contains("from 0 to 80"), "{error}");
    assert!(!error.contains("leave it empty"), "{error}");
    // An optional number may be left empty, and says so.
    let about = start(&app, &demo_code);
    let mut form = about.form("/s/demo/page");
    form.set("consent", "yes");
    let mut form = form.go("next").form("/s/demo/page");
    form.set("age", "120");
    assert!(form
        .go("next")
        .text("#q-age .err")
        .contains("leave it empty"));
}

#[test]
fn a_page_with_problems_moves_focus_to_their_summary() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let refused = start(&app, &code).form("/s/demo/page").go("next");
    assert_eq!(refused.status, 422);
    assert!(
        refused.has("#errors[tabindex='-1'][autofocus]"),
        "{}",
        refused.html
    );
    // Each problem links to its question's first field, which takes focus (a link to the
    // question's block would leave focus on the page).
    let target = refused.attr("#errors a", "href").expect("a link");
    let id = target.strip_prefix('#').expect("an anchor");
    assert!(
        refused.has(&format!("input#{id}, select#{id}, textarea#{id}")),
        "{target}: {}",
        refused.html
    );
}

#[test]
fn a_person_screened_out_by_end_if_leaves_no_response_and_the_code_is_spent() {
    let mut app = TestApp::spawn();
    let codes = app.issue_codes("demo", 2);
    let mut form = start(&app, &codes[0]).form("/s/demo/page");
    form.set("consent", "no");
    let review = form.go("next");
    assert_eq!(review.h1(), "Check your answers");
    assert!(review.has("#screened-out"));
    let thanks = submit(&review);
    assert_eq!(thanks.status, 200);
    assert!(thanks.html.contains("None of your answers were stored"));
    // Through the API too.
    let (status, _) = app.submit("demo", &codes[1], &serde_json::json!({"consent": "no"}));
    assert_eq!(status, 201);
    for code in &codes {
        assert_eq!(
            app.submit("demo", code, &serde_json::json!({"consent": "yes"}))
                .0,
            409,
            "the code is spent"
        );
    }
    app.stop();
    assert!(open_all_responses(&app, "demo").is_empty());
}

#[test]
fn a_survey_may_say_that_screened_out_people_are_recorded() {
    let mut app = TestApp::spawn();
    app.import(
        r#"
id = "counted"
title = "Counted"
record_screened_out = true
  [[pages]]
  title = "Only page"
  [[pages.questions]]
  id = "consent"
  type = "single"
  role = "plain"
  end_if = "consent == 'no'"
  text = "Agree?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
"#,
    );
    app.open_survey("counted");
    let code = app.issue_codes("counted", 1).remove(0);
    let (status, _) = app.submit("counted", &code, &serde_json::json!({"consent": "no"}));
    assert_eq!(status, 201);
    app.stop();
    assert_eq!(open_all_responses(&app, "counted").len(), 1);
}

#[test]
fn the_code_entry_page_offers_every_language_and_carries_the_choice_on() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let home = Page::get(&app.url("/"));
    assert!(
        home.has("a.lang[href='/?lang=es'][lang=es]"),
        "{}",
        home.html
    );
    let spanish = Page::get(&app.url("/?lang=es"));
    assert!(spanish.html.contains("lang=\"es\""));
    assert!(spanish.has("a.lang[aria-current][lang=es]"));
    let mut form = spanish.form("/start");
    form.set("_code", &code);
    let landing = form.press(None, None);
    assert!(
        landing.html.contains("Empezar la encuesta"),
        "{}",
        landing.html
    );
}

/// A peer who switches language to understand a problem sees the problem again, in the new
/// language — not a page without it and the wrong value still in the field.
#[test]
fn switching_language_on_a_page_with_problems_keeps_them() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let mut form = start(&app, &code).form("/s/demo/page");
    form.set("consent", "yes");
    let mut form = form.go("next").form("/s/demo/page");
    form.set("age", "400");
    let refused = form.go("next");
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(refused.has("#errors"));
    let spanish = refused.form("/s/demo/page").go("lang-es");
    assert!(spanish.has("#errors"), "{}", spanish.html);
    assert!(spanish.has("html[lang=es]"));
    assert!(
        spanish.has("#in-age[aria-invalid=true]"),
        "{}",
        spanish.html
    );
    // A page that showed no problem shows none after a switch.
    let mut fresh = start(&app, &app.issue_codes("demo", 1).remove(0)).form("/s/demo/page");
    fresh.set("consent", "yes");
    let calm = fresh.go("next").form("/s/demo/page").go("lang-es");
    assert!(!calm.has("#errors"), "{}", calm.html);
}

/// Without JavaScript nothing unticks "None of these" when another drug is ticked: the problem
/// names the option that stands alone, instead of a vague "some can't be combined".
#[test]
fn an_option_that_stands_alone_ticked_with_others_is_named() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let page = ureq::post(&app.url("/s/demo/page"))
        .send_form(&[
            ("_code", code.as_str()),
            ("_lang", "en"),
            ("_page", "2"),
            ("consent", "yes"),
            ("drugs_3m", "heroin"),
            ("drugs_3m", "none"),
            ("_go", "next"),
        ])
        .map_or_else(
            |e| match e {
                ureq::Error::Status(_, r) => r.into_string().expect("html"),
                other => panic!("{other}"),
            },
            |r| r.into_string().expect("html"),
        );
    assert!(
        page.contains("can&#x27;t be ticked together with other answers"),
        "{page}"
    );
    assert!(page.contains("None of these"), "{page}");
}
