//! The survey's own non-answers and labels, survey-wide defaults, and per-question messages.

use serde_json::json;

use super::tests::{assert_error_at, errors, one_page, parses, YES_NO};
use super::{answers, Answer, MessageKind, NonAnswer};

fn with_table(table: &str, questions: &str) -> String {
    one_page(questions).replacen(
        "\n[[pages]]",
        &format!("\n[non_answers]\n{table}\n\n[[pages]]"),
        1,
    )
}

const NA_TABLE: &str = r#"dont_know = { text = { en = "Not sure", es = "No sé" } }
prefer_not_to_say = { offer = false }
not_applicable = { text = { en = "Not applicable", es = "No aplica" } }"#;

fn object(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    v.as_object().cloned().expect("an object")
}

#[test]
fn the_survey_relabels_built_in_non_answers_in_every_language() {
    let s = parses(&with_table(NA_TABLE, YES_NO));
    assert_eq!(s.non_answer_text(NonAnswer::DontKnow, "es"), Some("No sé"));
    assert_eq!(s.non_answer_text(NonAnswer::PreferNotToSay, "en"), None);
}

#[test]
fn a_survey_wide_default_turns_a_built_in_non_answer_off_unless_a_question_says_otherwise() {
    let s = parses(&with_table(NA_TABLE, YES_NO));
    let q = s.question("used").expect("question");
    assert_eq!(q.non_answers(), [NonAnswer::DontKnow]);
    let on = YES_NO.replace(
        "text = \"Used?\"",
        "text = \"Used?\"\n  prefer_not_to_say = true",
    );
    let s = parses(&with_table(NA_TABLE, &on));
    let q = s.question("used").expect("question");
    assert!(q.allows(NonAnswer::PreferNotToSay));
}

#[test]
fn a_question_offers_the_surveys_own_non_answer_when_it_lists_it() {
    let listed = YES_NO.replace(
        "text = \"Used?\"",
        "text = \"Used?\"\n  non_answers = [\"not_applicable\"]",
    );
    let s = parses(&with_table(NA_TABLE, &listed));
    let q = s.question("used").expect("question");
    let na = q.non_answer_from_wire("not_applicable").expect("offered");
    assert_eq!(
        s.non_answer_text(na, "es"),
        Some("No aplica"),
        "its text comes from the table"
    );
    let r = answers::parse(&s, &object(json!({"used": "not_applicable"}))).expect("valid");
    assert_eq!(r.get("used"), Some(&Answer::NonAnswer(na)));
    // Not listed: not offered.
    let s = parses(&with_table(NA_TABLE, YES_NO));
    assert!(answers::parse(&s, &object(json!({"used": "not_applicable"}))).is_err());
}

#[test]
fn a_non_answer_offered_by_default_reaches_every_question() {
    let table = NA_TABLE.replace("No aplica\" } }", "No aplica\" }, offer = true }");
    let s = parses(&with_table(&table, YES_NO));
    let q = s.question("used").expect("question");
    assert_eq!(q.non_answers().len(), 2);
}

#[test]
fn conditions_can_test_the_surveys_own_non_answer() {
    let listed = YES_NO.replace(
        "text = \"Used?\"",
        "text = \"Used?\"\n  non_answers = [\"not_applicable\"]",
    );
    let src = format!(
        "{}\n[[pages]]\ntitle = \"Two\"\n  [[pages.questions]]\n  id = \"why\"\n  type = \"single\"\n  role = \"plain\"\n  show_if = \"used == 'not_applicable'\"\n  text = \"Why?\"\n  options = [{{ id = \"a\", text = \"A\" }}]\n",
        with_table(NA_TABLE, &listed)
    );
    parses(&src);
}

#[test]
fn an_unknown_non_answer_in_a_question_is_an_error() {
    let listed = YES_NO.replace(
        "text = \"Used?\"",
        "text = \"Used?\"\n  non_answers = [\"refused\"]",
    );
    assert_error_at(
        &with_table(NA_TABLE, &listed),
        "non_answers = [\"refused\"]",
        "unknown non-answer 'refused'",
    );
}

#[test]
fn the_surveys_own_non_answer_needs_a_text() {
    let src = with_table("refused = { offer = true }", YES_NO);
    assert_error_at(&src, "refused = {", "missing key 'text'");
}

#[test]
fn an_option_cannot_share_its_id_with_an_offered_non_answer() {
    let clash = YES_NO
        .replace(
            "id = \"no\", text = \"No\"",
            "id = \"not_applicable\", text = \"N/A\"",
        )
        .replace(
            "text = \"Used?\"",
            "text = \"Used?\"\n  non_answers = [\"not_applicable\"]",
        );
    assert!(errors(&with_table(NA_TABLE, &clash)).iter().any(|e| e
        .message
        .contains("has the id of one of the survey's non-answers")));
}

#[test]
fn a_question_carries_its_own_translated_messages() {
    let q = YES_NO.replace(
        "text = \"Used?\"",
        "text = \"Used?\"\n  required = true\n  messages = { required = { en = \"Please tell us, even 'don't know'.\", es = \"Dínoslo, aunque sea 'no sé'.\" } }",
    );
    let s = parses(&one_page(&q));
    let q = s.question("used").expect("question");
    assert_eq!(
        q.message(MessageKind::Required, "es"),
        Some("Dínoslo, aunque sea 'no sé'.")
    );
    assert_eq!(q.message(MessageKind::Invalid, "es"), None);
    assert!(s.warnings().is_empty(), "{:?}", s.warnings());
}

#[test]
fn a_message_missing_a_translation_imports_with_a_warning() {
    let q = YES_NO.replace(
        "text = \"Used?\"",
        "text = \"Used?\"\n  messages = { invalid = \"Pick yes or no.\" }",
    );
    let s = parses(&one_page(&q));
    assert!(
        s.warnings().iter().any(|w| w.message.contains("into es")),
        "{:?}",
        s.warnings()
    );
}

#[test]
fn an_unknown_message_kind_is_an_error() {
    let q = YES_NO.replace(
        "text = \"Used?\"",
        "text = \"Used?\"\n  messages = { rude = \"No\" }",
    );
    assert_error_at(&one_page(&q), "messages = {", "unknown key 'rude'");
}

#[test]
fn a_number_too_large_for_a_definition_says_so() {
    let q = super::tests::AGE.replace("max = 99", "max = 99999999999999999999");
    assert_error_at(&one_page(&q), "max = 9999", "'max' is too large");
}
