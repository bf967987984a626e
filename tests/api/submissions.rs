//! Submitting through the JSON API: every question type of the demo survey, with its skip logic.

use crate::durability::open_all_responses;
use crate::helpers::TestApp;
use serde_json::{json, Value};

/// The question whose free text is used as a canary in the attack tests.
pub const FREE_TEXT_QUESTION: &str = "anything_else";

/// The least a valid response needs: consent (required; declining ends the survey).
pub fn minimal_answers() -> Value {
    json!({"consent": "yes"})
}

/// Every question type answered, with every skip-logic branch taken.
pub fn full_answers() -> Value {
    json!({
        "consent": "yes",
        "age": 31,
        "gender": "woman",
        "area": "harbour",
        "housing": "prefer_not_to_say",
        "drugs_3m": ["heroin", "benzos"],
        "injected_3m": "yes",
        "overdose_witnessed": "yes",
        "overdose_self": "dont_know",
        "naloxone_carry": "sometimes",
        "ost": "current",
        "equipment_source": ["nsp", "peers"],
        "reused_equipment": "sometimes",
        "shared_equipment": "no",
        "naloxone_trained": "yes",
        "naloxone_barriers": ["cost", "police"],
        "ost_started": "2021-06",
        "service_rating": {"needle_exchange": "good", "hospital": "very_poor", "drop_in": "dont_know"},
        "respect": "sometimes",
        "safety": 4,
        "police_contact": "yes",
        "police_what": ["searched", "equipment_taken"],
        "anything_else": "More evening opening hours, please."
    })
}

/// Answers to a page that skip logic hides: the injecting follow-ups without injecting.
pub fn hidden_question_answers() -> Value {
    json!({"consent": "yes", "injected_3m": "no", "equipment_source": ["nsp"]})
}

/// One kind of invalid answer per entry, each on top of the minimal valid set.
pub fn invalid_answer_cases() -> Vec<(&'static str, Value)> {
    let with = |extra: Value| {
        let mut answers = minimal_answers();
        for (k, v) in extra.as_object().expect("object") {
            answers[k] = v.clone();
        }
        answers
    };
    vec![
        ("unknown option", with(json!({"gender": "wizard-option"}))),
        ("number out of range", with(json!({"age": 140}))),
        ("number as a string", with(json!({"age": "thirty-one"}))),
        ("fractional number", with(json!({"age": 31.5}))),
        (
            "unknown question",
            with(json!({"favourite_colour": "purple-canary"})),
        ),
        (
            "exclusive option with others",
            with(json!({"drugs_3m": ["none", "heroin"]})),
        ),
        (
            "multi as a string",
            with(json!({"drugs_3m": "heroin-canary"})),
        ),
        (
            "malformed month",
            with(json!({"ost": "current", "ost_started": "June 2021"})),
        ),
        (
            "unknown grid row",
            with(json!({"service_rating": {"casino": "good"}})),
        ),
        ("scale out of range", with(json!({"safety": 11}))),
        ("answer to a note", with(json!({"intro": "hello-canary"}))),
        (
            "text too long",
            with(json!({"anything_else": "x".repeat(1001)})),
        ),
        ("required question missing", json!({"age": 31})),
        (
            "answers after the survey ended",
            json!({"consent": "no", "age": 31}),
        ),
    ]
}

#[test]
fn every_question_type_is_accepted_and_stored_as_answered() {
    let mut app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let (status, body) = app.submit("demo", &code, &full_answers());
    assert_eq!(status, 201, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["status"], "accepted");
    app.stop();

    let records = open_all_responses(&app, "demo");
    assert_eq!(records.len(), 1);
    let stored = serde_json::to_value(&records[0].response).expect("serialise");
    let text = stored.to_string();
    for expected in [
        "harbour",
        "benzos",
        "2021-06",
        "very_poor",
        "prefer_not_to_say",
        "dont_know",
        "equipment_taken",
    ] {
        assert!(text.contains(expected), "{expected} missing from {text}");
    }
    // Every answer is stored; the free-text one apart from the others.
    let answered = records[0].response.answers().len();
    assert_eq!(
        answered + 1,
        full_answers().as_object().expect("object").len()
    );
    assert!(!text.contains("evening opening"));
    let texts = crate::durability::open_all_texts(&app, "demo");
    assert_eq!(texts.len(), 1);
    assert!(texts[0].text.contains("evening opening"));
}

#[test]
fn declining_consent_ends_the_survey_and_is_accepted_alone() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    assert_eq!(app.submit("demo", &code, &json!({"consent": "no"})).0, 201);
}

#[test]
fn skip_logic_hides_follow_ups_that_do_not_apply() {
    let app = TestApp::spawn();
    let codes = app.issue_codes("demo", 3);
    // Not injecting: no injecting page; never arrested: no police page.
    let answers = json!({"consent": "yes", "injected_3m": "no", "police_contact": "no", "naloxone_carry": "always"});
    assert_eq!(app.submit("demo", &codes[0], &answers).0, 201);
    // The same follow-up is refused when its condition does not hold…
    let mut hidden = answers.clone();
    hidden["naloxone_barriers"] = json!(["cost"]);
    let (status, body) = app.submit("demo", &codes[1], &hidden);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("naloxone_barriers"), "{body}");
    // …and accepted when it does.
    hidden["naloxone_carry"] = json!("never");
    assert_eq!(app.submit("demo", &codes[1], &hidden).0, 201);
}

#[test]
fn non_answers_are_accepted_for_every_type_that_offers_them() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let answers = json!({
        "consent": "yes", "age": "dont_know", "gender": "prefer_not_to_say", "drugs_3m": "prefer_not_to_say",
        "injected_3m": "yes", "equipment_source": "dont_know", "ost": "current", "ost_started": "dont_know",
        "safety": "prefer_not_to_say", "respect": "dont_know"
    });
    let (status, body) = app.submit("demo", &code, &answers);
    assert_eq!(status, 201, "{body}");
}

#[test]
fn invalid_answers_list_every_problem_with_its_question() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let answers = json!({"consent": "yes", "age": 140, "gender": "wizard", "safety": 11});
    let (status, body) = app.submit("demo", &code, &answers);
    assert_eq!(status, 422);
    let v: Value = serde_json::from_str(&body).expect("json");
    let questions: Vec<&str> = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["question"].as_str())
        .collect();
    for q in ["age", "gender", "safety"] {
        assert!(questions.contains(&q), "{q} missing from {body}");
    }
}
