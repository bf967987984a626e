//! What the peer pages do with the finer parts of the format: an earlier answer piped into a
//! question's text (escaped), options offered only when their `show_if` holds, a question's own
//! validation messages in the peer's language, and proper fields for a day and a decimal.

use crate::forms::Page;
use crate::helpers::TestApp;

const OUTREACH: &str = include_str!("../../surveys/outreach-contact.toml");

fn start(app: &TestApp, survey: &str, source: &str, lang: &str) -> Page {
    app.import(source);
    app.open_survey(survey);
    let code = app.issue_codes(survey, 1).remove(0);
    Page::get(&app.url(&format!("/s/{survey}?code={code}&lang={lang}")))
        .form(&format!("/s/{survey}/page"))
        .go("start")
}

#[test]
fn an_earlier_answer_is_piped_into_a_question_and_options_follow_their_conditions() {
    let app = TestApp::spawn();
    let first = start(&app, "outreach-contact", OUTREACH, "es");
    // The question's own message, in Spanish, not the interface's.
    let mut form = first.form("/s/outreach-contact/page");
    form.set("age", "7");
    let again = form.go("next");
    assert_eq!(again.status, 422);
    assert!(
        again.html.contains("Escribe tu edad en años, de 16 a 99."),
        "{}",
        again.html
    );
    let mut form = again.form("/s/outreach-contact/page");
    form.set("age", "30");
    form.set("main_drug", "crack");
    let second = form.go("next");
    assert_eq!(second.h1(), "Cómo usas");
    assert!(second.html.contains("¿Cómo usas crack?"), "{}", second.html);
    assert!(second.has("#in-route-smoke"));
    assert!(
        !second.has("#in-route-inject"),
        "inject is only for injected drugs"
    );
    // A decimal with its step, and a day, with fields that work without JavaScript.
    assert!(second.has(
        r#"input#in-amount[type="number"][inputmode="decimal"][step="0.1"][min="0"][max="5"]"#
    ));
    assert!(
        second.has(r#"input#in-last_overdose[type="date"][min="2015-01-01"][max="2030-12-31"]"#)
    );
    let mut form = second.form("/s/outreach-contact/page");
    form.set("amount", "0.55");
    form.set("last_overdose", "2024-02-30");
    form.set("age_first_used", "40");
    let bad = form.go("next");
    assert_eq!(bad.status, 422);
    // A check across questions, in its own words and the peer's language.
    assert!(
        bad.html
            .contains("No puede ser más de la edad que tienes ahora."),
        "{}",
        bad.html
    );
    assert!(
        bad.html
            .contains("Escribe los gramos con un decimal como mucho"),
        "{}",
        bad.html
    );
    let mut form = bad.form("/s/outreach-contact/page");
    form.set("amount", "0.5");
    form.set("last_overdose", "2024-02-29");
    form.set("age_first_used", "20");
    let third = form.go("next");
    assert_eq!(third.status, 200, "{}", third.html);
    assert_eq!(third.h1(), "Cómo te sientes");

    let other = TestApp::spawn();
    let heroin = start(&other, "outreach-contact", OUTREACH, "en");
    let mut form = heroin.form("/s/outreach-contact/page");
    form.set("main_drug", "heroin");
    let second = form.go("next");
    assert!(
        second.html.contains("How do you use heroin?"),
        "{}",
        second.html
    );
    assert!(second.has("#in-route-inject"));
}

#[test]
fn a_page_repeated_over_the_drugs_ticked_is_asked_once_per_drug_by_its_name() {
    let app = TestApp::spawn();
    let first = start(&app, "outreach-contact", OUTREACH, "es");
    let mut form = first.form("/s/outreach-contact/page");
    form.set("age", "30")
        .set("main_drug", "crack")
        .tick("other_drugs", "meth")
        .tick("other_drugs", "fentanyl");
    let second = form.go("next");
    assert_eq!(second.h1(), "Cómo usas", "{}", second.html);
    let third = second.form("/s/outreach-contact/page").go("next");
    // Fentanyl comes before meth among the options: its page comes first.
    assert_eq!(third.h1(), "Sobre Fentanilo", "{}", third.html);
    assert!(
        third
            .html
            .contains("¿Con qué frecuencia usaste Fentanilo el último mes?"),
        "{}",
        third.html
    );
    assert!(third.has(r#"input[type="radio"][name="other_2__how_often"]"#));
    let mut form = third.form("/s/outreach-contact/page");
    form.set("other_2__how_often", "weekly");
    let fourth = form.go("next");
    assert_eq!(fourth.h1(), "Sobre Metanfetamina", "{}", fourth.html);
    let mut form = fourth.form("/s/outreach-contact/page");
    form.set("other_4__how_often", "daily");
    let fifth = form.go("next");
    assert_eq!(
        fifth.h1(),
        "Cómo te sientes",
        "no page for drugs not ticked"
    );
}

#[test]
fn a_typed_answer_piped_into_a_later_question_is_shown_as_text_never_as_markup() {
    let app = TestApp::spawn();
    let first = start(
        &app,
        "piped",
        r#"id = "piped"
title = "Piped"
languages = ["en"]
[[pages]]
title = "One"
  [[pages.questions]]
  id = "place"
  type = "text"
  role = "free_text"
  text = "Where do you usually get naloxone?"
[[pages]]
title = "Two"
  [[pages.questions]]
  id = "again"
  type = "single"
  role = "plain"
  text = "Would you go back to {answer:place|that place}?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]
"#,
        "en",
    );
    let mut form = first.form("/s/piped/page");
    form.set("place", "<b>the van</b>");
    let second = form.go("next");
    assert!(!second.html.contains("<b>the van</b>"), "{}", second.html);
    assert!(
        second.text("#q-again legend").contains("<b>the van</b>"),
        "{}",
        second.html
    );
}
