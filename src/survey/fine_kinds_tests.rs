//! Decimal numbers with a step and dates with a day.

use serde_json::json;

use super::tests::{assert_error_at, one_page, parses, two_pages};
use super::{answers, Answer, Day, Decimal};

const WEIGHT: &str = r#"
  [[pages.questions]]
  id = "dose"
  type = "number"
  role = "sensitive"
  min = 0
  max = 10
  step = 0.5
  unit = "g"
  bands = [[0, 0.5], [1, 10]]
  text = "How much do you use on a typical day?"
"#;

const LAST_OD: &str = r#"
  [[pages.questions]]
  id = "last_od"
  type = "date"
  precision = "day"
  role = "sensitive"
  min = "2020-01-01"
  max = "2030-12-31"
  text = "When did you last overdose?"
"#;

fn parse_answers(
    s: &super::Survey,
    v: serde_json::Value,
) -> Result<super::Response, Vec<super::AnswerError>> {
    answers::parse(s, v.as_object().expect("object"))
}

#[test]
fn a_decimal_answer_on_the_step_is_accepted_from_a_number_or_a_string() {
    let s = parses(&one_page(WEIGHT));
    for v in [json!(2.5), json!("2.5"), json!(3)] {
        let r = parse_answers(&s, json!({ "dose": v })).expect("on the step");
        assert!(matches!(r.get("dose"), Some(Answer::Decimal(_))));
    }
    let r = parse_answers(&s, json!({"dose": 2.5})).expect("valid");
    assert_eq!(
        r.get("dose"),
        Some(&Answer::Decimal(Decimal::parse("2.5").expect("decimal")))
    );
}

#[test]
fn a_decimal_answer_off_the_step_or_out_of_range_is_refused() {
    let s = parses(&one_page(WEIGHT));
    for v in [json!(2.25), json!(10.5), json!(-0.5), json!("two")] {
        assert!(parse_answers(&s, json!({ "dose": v })).is_err(), "{v}");
    }
}

#[test]
fn a_decimal_answer_is_stored_as_its_digits() {
    let s = parses(&one_page(WEIGHT));
    let r = parse_answers(&s, json!({"dose": 0.5})).expect("valid");
    assert_eq!(
        serde_json::to_value(&r).expect("json"),
        json!({"dose": {"d": "0.5"}})
    );
}

#[test]
fn conditions_compare_decimals() {
    let follow = "  [[pages.questions]]\n  id = \"heavy\"\n  type = \"single\"\n  role = \"plain\"\n  show_if = \"dose >= 2.5\"\n  text = \"More?\"\n  options = [{ id = \"a\", text = \"A\" }]\n";
    let s = parses(&two_pages(WEIGHT, follow));
    assert!(parse_answers(&s, json!({"dose": 3, "heavy": "a"})).is_ok());
    assert!(parse_answers(&s, json!({"dose": 2, "heavy": "a"})).is_err());
}

#[test]
fn a_zero_step_is_an_error() {
    assert_error_at(
        &one_page(&WEIGHT.replace("step = 0.5", "step = 0")),
        "step = 0",
        "'step' must be above 0",
    );
}

#[test]
fn a_decimal_number_cannot_be_a_quasi_identifier_yet() {
    let src = one_page(&WEIGHT.replace("\"sensitive\"", "\"quasi\""));
    assert!(super::tests::errors(&src)
        .iter()
        .any(|e| e.message.contains("can't be a quasi-identifier yet")));
}

#[test]
fn a_day_answer_inside_the_range_is_accepted() {
    let s = parses(&one_page(LAST_OD));
    let r = parse_answers(&s, json!({"last_od": "2024-02-29"})).expect("valid");
    assert_eq!(
        r.get("last_od"),
        Some(&Answer::Day(Day::parse("2024-02-29").expect("day")))
    );
    for bad in ["2023-02-29", "2019-12-31", "2024-03"] {
        assert!(
            parse_answers(&s, json!({ "last_od": bad })).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn a_day_date_needs_its_range_written_as_days() {
    let src = one_page(&LAST_OD.replace("\"2020-01-01\"", "\"2020-01\""));
    assert_error_at(&src, "min = \"2020-01\"", "must be a day written as");
}

#[test]
fn conditions_compare_days() {
    let follow = "  [[pages.questions]]\n  id = \"recent\"\n  type = \"single\"\n  role = \"plain\"\n  show_if = \"last_od >= '2025-06-01'\"\n  text = \"More?\"\n  options = [{ id = \"a\", text = \"A\" }]\n";
    let s = parses(&two_pages(LAST_OD, follow));
    assert!(parse_answers(&s, json!({"last_od": "2025-06-01", "recent": "a"})).is_ok());
    assert!(parse_answers(&s, json!({"last_od": "2025-05-31", "recent": "a"})).is_err());
}

#[test]
fn an_unknown_precision_is_an_error() {
    let src = one_page(&LAST_OD.replace("\"day\"", "\"week\""));
    assert_error_at(&src, "precision = \"week\"", "'precision' must be");
}

#[test]
fn a_decimal_band_that_is_not_a_pair_of_numbers_is_rejected_on_its_line() {
    for second in ["[1, \"ten\"]]", "[1]]", "[1, 5, 10]]"] {
        let bands = format!("bands = [[0, 0.5],\n {second}");
        let src = one_page(&WEIGHT.replace("bands = [[0, 0.5], [1, 10]]", &bands));
        let line = format!(" {second}");
        assert_error_at(&src, &line, "each band must be a pair of numbers");
    }
    // A well-formed pair still reads as before.
    let s = parses(&one_page(WEIGHT));
    assert!(s.question("dose").is_some());
}
