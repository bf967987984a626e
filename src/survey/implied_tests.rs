//! Default answers and answers implied by earlier ones.

use serde_json::json;

use super::tests::{errors, parses, two_pages, YES_NO};
use super::{answers, Answer};

const INJECTED: &str = r#"
  [[pages.questions]]
  id = "injected_month"
  type = "single"
  role = "sensitive"
  text = "Did you inject in the last month?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]
  default = "no"
  implied = [{ when = "used == 'no'", answer = "no" }]
"#;

fn parse(
    s: &super::Survey,
    v: serde_json::Value,
) -> Result<super::Response, Vec<super::AnswerError>> {
    answers::parse(s, v.as_object().expect("object"))
}

#[test]
fn a_default_answer_is_typed_like_any_answer() {
    let s = parses(&two_pages(YES_NO, INJECTED));
    let q = s.question("injected_month").expect("question");
    assert_eq!(q.default_answer, Some(Answer::Choice("no".into())));
}

#[test]
fn an_implied_answer_is_stored_without_asking_and_replaces_what_was_sent() {
    let s = parses(&two_pages(YES_NO, INJECTED));
    let r = parse(&s, json!({"used": "no"})).expect("valid");
    assert_eq!(r.get("injected_month"), Some(&Answer::Choice("no".into())));
    let r = parse(&s, json!({"used": "no", "injected_month": "yes"})).expect("valid");
    assert_eq!(r.get("injected_month"), Some(&Answer::Choice("no".into())));
    let q = s.question("injected_month").expect("question");
    assert!(s.implied_answer(q, &r).is_some());
}

#[test]
fn without_the_implying_answer_the_question_is_asked() {
    let s = parses(&two_pages(YES_NO, INJECTED));
    let r = parse(&s, json!({"used": "yes", "injected_month": "yes"})).expect("valid");
    assert_eq!(r.get("injected_month"), Some(&Answer::Choice("yes".into())));
    let r = parse(&s, json!({"used": "yes"})).expect("valid");
    assert_eq!(r.get("injected_month"), None);
}

#[test]
fn a_default_that_is_not_an_answer_to_the_question_is_an_error() {
    let src = two_pages(
        YES_NO,
        &INJECTED.replace("default = \"no\"", "default = \"maybe\""),
    );
    assert!(errors(&src)
        .iter()
        .any(|e| e.message.contains("the default is not a valid answer")));
}

#[test]
fn an_implied_answer_may_only_follow_earlier_pages() {
    let src = two_pages(
        "  [[pages.questions]]\n  id = \"intro\"\n  type = \"note\"\n  text = \"Hi\"\n",
        &format!("{YES_NO}{INJECTED}"),
    );
    assert!(errors(&src)
        .iter()
        .any(|e| e.message.contains("not on an earlier page")));
}
