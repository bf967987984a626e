//! Piping earlier answers into a question's text.

use serde_json::json;

use super::answers;
use super::tests::{errors, one_page, parses, two_pages, YES_NO};

fn later(text: &str) -> String {
    format!(
        "  [[pages.questions]]\n  id = \"later\"\n  type = \"single\"\n  role = \"plain\"\n  text = \"{text}\"\n  options = [{{ id = \"a\", text = \"A\" }}]\n"
    )
}

const MAIN: &str = r#"
  [[pages.questions]]
  id = "main_drug"
  type = "single"
  role = "sensitive"
  text = "Main drug?"
  options = [{ id = "heroin", text = { en = "heroin", es = "heroína" } }, { id = "meth", text = "meth" }]
"#;

fn survey_with(text: &str) -> super::Survey {
    parses(&two_pages(MAIN, &later(text)))
}

#[test]
fn an_earlier_answer_is_piped_into_a_text_in_the_peers_language() {
    let s = survey_with("Where do you get your {answer:main_drug}?");
    let r = answers::parse(
        &s,
        json!({"main_drug": "heroin"}).as_object().expect("object"),
    )
    .expect("valid");
    assert_eq!(
        s.pipe("Where do you get your {answer:main_drug}?", &r, "es"),
        "Where do you get your heroína?"
    );
}

#[test]
fn a_skipped_answer_shows_the_fallback() {
    let s = survey_with("Where do you get your {answer:main_drug|drugs}?");
    let empty = super::Response::default();
    assert_eq!(
        s.pipe(
            "Where do you get your {answer:main_drug|drugs}?",
            &empty,
            "en"
        ),
        "Where do you get your drugs?"
    );
    assert_eq!(s.pipe("{answer:main_drug}!", &empty, "en"), "!");
}

#[test]
fn text_without_references_is_unchanged() {
    let s = survey_with("Plain {text} {answer:");
    assert_eq!(
        s.pipe("Plain {text} {answer:", &super::Response::default(), "en"),
        "Plain {text} {answer:"
    );
}

#[test]
fn piping_an_answer_from_the_same_page_is_an_error() {
    let src = one_page(&format!("{MAIN}{}", later("Your {answer:main_drug}?")));
    assert!(errors(&src)
        .iter()
        .any(|e| e.message.contains("not on an earlier page")));
}

#[test]
fn piping_an_unknown_question_is_an_error() {
    let src = two_pages(YES_NO, &later("Your {answer:nothing}?"));
    assert!(errors(&src)
        .iter()
        .any(|e| e.message.contains("there is no question 'nothing'")));
}

#[test]
fn away_from_a_response_a_reference_shows_its_fallback_or_an_ellipsis() {
    use super::pipe::unpiped;
    assert_eq!(
        unpiped("Where did you get the {answer:drug|drug} ({answer:dose})?"),
        "Where did you get the drug (…)?"
    );
    assert_eq!(unpiped("No piping here"), "No piping here");
    assert_eq!(
        unpiped("Open {answer:x but never closed"),
        "Open {answer:x but never closed"
    );
}
