//! Checks across questions, each with its own message.

use serde_json::json;

use super::answers;
use super::tests::{errors, one_page, parses};

const AGES: &str = r#"
  [[pages.questions]]
  id = "age_first_used"
  type = "number"
  role = "sensitive"
  min = 5
  max = 99
  text = "How old were you when you first used?"

  [[pages.questions]]
  id = "age_last_used"
  type = "number"
  role = "sensitive"
  min = 5
  max = 99
  text = "How old were you when you last used?"
  checks = [
    { holds = "age_last_used >= answer:age_first_used", message = { en = "This can't be before the first time.", es = "No puede ser antes de la primera vez." } },
  ]
"#;

fn parse(
    s: &super::Survey,
    v: serde_json::Value,
) -> Result<super::Response, Vec<super::AnswerError>> {
    answers::parse(s, v.as_object().expect("object"))
}

#[test]
fn a_check_across_questions_refuses_answers_that_break_it_with_its_message() {
    let s = parses(&one_page(AGES));
    assert!(parse(&s, json!({"age_first_used": 15, "age_last_used": 30})).is_ok());
    let errs =
        parse(&s, json!({"age_first_used": 30, "age_last_used": 15})).expect_err("the check fails");
    assert_eq!(errs[0].message, "This can't be before the first time.");
    let q = s.question("age_last_used").expect("question");
    let r = super::Response::default();
    assert!(s.failed_checks(q, &r).is_empty());
}

#[test]
fn a_check_waits_until_every_question_it_names_is_answered() {
    let s = parses(&one_page(AGES));
    assert!(parse(&s, json!({"age_last_used": 15})).is_ok());
    assert!(parse(
        &s,
        json!({"age_first_used": "dont_know", "age_last_used": 15})
    )
    .is_ok());
}

#[test]
fn a_check_gives_its_message_in_the_peers_language() {
    let s = parses(&one_page(AGES));
    let r = answers::parse_partial(
        &s,
        json!({"age_first_used": 30, "age_last_used": 15})
            .as_object()
            .expect("object"),
    )
    .0;
    let q = s.question("age_last_used").expect("question");
    let failed = s.failed_checks(q, &r);
    assert_eq!(failed.len(), 1);
    assert_eq!(
        failed[0].message.get("es"),
        "No puede ser antes de la primera vez."
    );
}

#[test]
fn a_check_comparing_a_number_with_a_choice_is_an_error() {
    let src = one_page(&format!(
        "{AGES}\n  [[pages.questions]]\n  id = \"used\"\n  type = \"single\"\n  role = \"plain\"\n  text = \"Used?\"\n  options = [{{ id = \"yes\", text = \"Yes\" }}]\n  checks = [{{ holds = \"used == answer:age_first_used\", message = \"No\" }}]\n"
    ));
    assert!(errors(&src)
        .iter()
        .any(|e| e.message.contains("can't be compared")));
}

#[test]
fn a_check_needs_a_message() {
    let src = one_page(&AGES.replace(
        ", message = { en = \"This can't be before the first time.\", es = \"No puede ser antes de la primera vez.\" }",
        "",
    ));
    assert!(errors(&src)
        .iter()
        .any(|e| e.message.contains("missing key 'message'")));
}
