//! Bad input gets a clear 4xx and changes nothing: the code stays unused, nothing is stored.

use crate::helpers::{post, post_bytes, TestApp};
use crate::submissions::{hidden_question_answers, minimal_answers};
use serde_json::json;

/// Posts `body`, expects `status`, then proves nothing changed: no response stored, and the same
/// code still works for a valid submission afterwards.
fn refused_and_nothing_changed(app: &TestApp, body: &[u8], status: u16) -> String {
    let url = app.url("/api/v1/surveys/demo/responses");
    let (got, text) = post_bytes(&url, body, &[]);
    assert_eq!(got, status, "{text}");
    assert!(
        app.survey_list().contains("\tfewer than 10 responses"),
        "nothing was stored"
    );
    text
}

fn json_error(text: &str) -> serde_json::Value {
    serde_json::from_str(text).expect("errors are JSON")
}

#[test]
fn invalid_answers_are_all_listed_with_422_and_nothing_is_stored() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let cases = crate::submissions::invalid_answer_cases();
    for (what, answers) in &cases {
        let body = json!({"code": code, "answers": answers}).to_string();
        let text = refused_and_nothing_changed(&app, body.as_bytes(), 422);
        let v = json_error(&text);
        assert_eq!(v["error"], "invalid_answers", "{what}");
        assert!(
            !v["errors"].as_array().expect("errors").is_empty(),
            "{what}"
        );
    }
    // Several problems at once are all reported.
    let mut many = minimal_answers();
    for (_, answers) in &cases {
        for (k, v) in answers.as_object().expect("object") {
            if minimal_answers().get(k) != Some(v) {
                many[k] = v.clone();
            }
        }
    }
    let body = json!({"code": code, "answers": many}).to_string();
    let v = json_error(&refused_and_nothing_changed(&app, body.as_bytes(), 422));
    assert!(v["errors"].as_array().expect("errors").len() >= 3, "{v}");
    assert_eq!(
        app.submit("demo", &code, &minimal_answers()).0,
        201,
        "the code was never spent"
    );
}

#[test]
fn an_answer_to_a_hidden_question_is_refused() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let body = json!({"code": code, "answers": hidden_question_answers()}).to_string();
    let v = json_error(&refused_and_nothing_changed(&app, body.as_bytes(), 422));
    assert_eq!(v["error"], "invalid_answers");
    assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 201);
}

#[test]
fn malformed_bodies_get_a_clear_400_and_nothing_is_stored() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let answers = minimal_answers();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("not json", b"this is not json".to_vec()),
        (
            "truncated",
            format!("{{\"code\": \"{code}\", \"answers\": {{").into_bytes(),
        ),
        (
            "invalid utf-8",
            [
                b"{\"code\": \"".as_slice(),
                &[0xff, 0xfe],
                b"\", \"answers\": {}}",
            ]
            .concat(),
        ),
        (
            "unknown field",
            json!({"code": code, "answers": answers, "ip": "1.2.3.4"})
                .to_string()
                .into_bytes(),
        ),
        (
            "missing answers",
            json!({"code": code}).to_string().into_bytes(),
        ),
        (
            "answers not an object",
            json!({"code": code, "answers": [1, 2]})
                .to_string()
                .into_bytes(),
        ),
        (
            "code not a string",
            json!({"code": 12, "answers": answers})
                .to_string()
                .into_bytes(),
        ),
        ("array body", b"[]".to_vec()),
    ];
    for (what, body) in cases {
        let text = refused_and_nothing_changed(&app, &body, 400);
        let v = json_error(&text);
        assert_eq!(v["error"], "bad_request", "{what}");
        assert!(v["message"].as_str().expect("message").len() > 10, "{what}");
    }
    assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 201);
}

#[test]
fn a_huge_body_gets_413_and_nothing_is_stored() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let mut answers = minimal_answers();
    answers["padding"] = json!("x".repeat(200_000));
    let body = json!({"code": code, "answers": answers}).to_string();
    let text = refused_and_nothing_changed(&app, body.as_bytes(), 413);
    assert_eq!(json_error(&text)["error"], "payload_too_large");
    assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 201);
}

#[test]
fn a_body_that_is_not_json_by_content_type_gets_415() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let body = json!({"code": code, "answers": minimal_answers()}).to_string();
    let resp = ureq::post(&app.url("/api/v1/surveys/demo/responses"))
        .set("Content-Type", "text/plain")
        .send_string(&body);
    match resp {
        Err(ureq::Error::Status(415, _)) => {}
        other => panic!("expected 415, got {other:?}"),
    }
    assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 201);
}

#[test]
fn an_unknown_survey_is_404_for_reading_and_for_answering() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    assert_eq!(crate::helpers::get(&app.url("/api/v1/surveys/nope")).0, 404);
    let body = json!({"code": code, "answers": {}}).to_string();
    let (status, text) = post(&app.url("/api/v1/surveys/nope/responses"), &body, &[]);
    assert_eq!(status, 404);
    assert_eq!(json_error(&text)["error"], "not_found");
    assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 201);
}

#[test]
fn error_messages_never_echo_the_submitted_values() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    for (_, answers) in crate::submissions::invalid_answer_cases() {
        let body = json!({"code": code, "answers": answers}).to_string();
        let (_, text) = post(&app.url("/api/v1/surveys/demo/responses"), &body, &[]);
        for value in answers.as_object().expect("object").values() {
            if let Some(s) = value.as_str() {
                if s.len() > 3 {
                    assert!(!text.contains(s), "{text} echoes {s}");
                }
            }
        }
        assert!(!text.contains(&code));
    }
}
