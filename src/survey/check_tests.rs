//! Conditions inside definitions: references, types, placement and satisfiability.

use super::tests::{assert_error_at, errors, line_of, one_page, parses, two_pages, AGE, YES_NO};

const DRUGS: &str = r#"
  [[pages.questions]]
  id = "drugs"
  type = "multi"
  role = "sensitive"
  text = "Which?"
  options = [{ id = "heroin", text = "Heroin" }, { id = "crack", text = "Crack" }, { id = "none", text = "None", exclusive = true }]
"#;

const RATING: &str = r#"
  [[pages.questions]]
  id = "rating"
  type = "grid"
  role = "sensitive"
  text = "Rate"
  rows = [{ id = "nsp", text = "Needle exchange" }, { id = "drop-in", text = "Drop-in" }]
  options = [{ id = "good", text = "Good" }, { id = "bad", text = "Bad" }]
"#;

const STARTED: &str = r#"
  [[pages.questions]]
  id = "started"
  type = "date"
  role = "sensitive"
  min = "2000-01"
  max = "2030-12"
  text = "When?"
"#;

const NOTE_OTHER: &str = r#"
  [[pages.questions]]
  id = "other"
  type = "text"
  role = "free_text"
  text = "Anything else?"
"#;

/// A follow-up on page two, shown if `cond`.
fn follow_up(cond: &str) -> String {
    format!(
        "  [[pages.questions]]\n  id = \"follow\"\n  type = \"single\"\n  role = \"sensitive\"\n  show_if = \"{cond}\"\n  text = \"More?\"\n  options = [{{ id = \"a\", text = \"A\" }}]\n"
    )
}

fn first_page() -> String {
    format!("{YES_NO}{AGE}{DRUGS}{RATING}{STARTED}{NOTE_OTHER}")
}

fn with_condition(cond: &str) -> String {
    two_pages(&first_page(), &follow_up(cond))
}

#[test]
fn valid_conditions_on_every_kind_of_question_are_accepted() {
    for cond in [
        "used == 'yes'",
        "used != 'no' and age >= 18",
        "used in ['yes', 'dont_know']",
        "drugs includes 'heroin' or drugs includes 'crack'",
        "drugs == 'prefer_not_to_say'",
        "rating.nsp == 'bad'",
        "rating.drop-in in ['good', 'bad']",
        "started >= '2020-01' and started < '2024-06'",
        "not (age < 25) AND (used == 'yes' OR age == 'dont_know')",
    ] {
        parses(&with_condition(cond));
    }
}

#[test]
fn an_unknown_question_in_show_if_is_rejected_with_its_line() {
    let src = with_condition("usd == 'yes'");
    assert_error_at(
        &src,
        "show_if",
        "question 'follow': show_if: refers to unknown question 'usd'",
    );
}

#[test]
fn an_unknown_option_is_rejected() {
    assert_error_at(
        &with_condition("used == 'maybe'"),
        "show_if",
        "has no option 'maybe'",
    );
    assert_error_at(
        &with_condition("drugs includes 'meth'"),
        "show_if",
        "has no option 'meth'",
    );
    assert_error_at(
        &with_condition("rating.nsp == 'great'"),
        "show_if",
        "has no option 'great'",
    );
}

#[test]
fn type_mismatches_are_rejected() {
    let cases = [
        ("used < 'yes'", "can't be used with choice question"),
        (
            "used includes 'yes'",
            "'includes' only works with multi-select",
        ),
        (
            "age == 'thirty'",
            "compares number question 'age' with a text value",
        ),
        ("age includes 3", "'includes' only works with multi-select"),
        ("used == 1", "takes option ids in quotes"),
        ("drugs == 'heroin'", "use 'drugs includes ...'"),
        ("started > '2020-13'", "not a valid month"),
        ("started > 2020", "compares date question"),
        ("other == 'x'", "can't be used in a condition"),
        ("rating == 'good'", "refer to one of its rows"),
        ("rating.hospital == 'good'", "has no row 'hospital'"),
        ("used.x == 'yes'", "is not a grid question"),
        ("age < 'dont_know'", "'<' can't be used with 'dont_know'"),
    ];
    for (cond, message) in cases {
        assert_error_at(&with_condition(cond), "show_if", message);
    }
}

#[test]
fn a_non_answer_that_is_switched_off_cannot_be_tested() {
    let src = two_pages(
        &YES_NO.replace(
            "role = \"sensitive\"",
            "role = \"sensitive\"\n  dont_know = false",
        ),
        &follow_up("used == 'dont_know'"),
    );
    assert_error_at(&src, "show_if", "does not offer 'dont_know'");
}

#[test]
fn show_if_may_refer_to_earlier_pages_or_to_questions_above_on_its_own_page() {
    let same_page = one_page(&format!("{YES_NO}{}", follow_up("used == 'yes'")));
    parses(&same_page);
    let below = one_page(&format!("{}{YES_NO}", follow_up("used == 'yes'")));
    assert_error_at(&below, "show_if", "not before this question");
    let later = two_pages(&follow_up("age > 20"), AGE);
    assert_error_at(&later, "show_if", "not before this question");
    let page_ref = two_pages(YES_NO, AGE)
        .replace("title = \"Two\"", "title = \"Two\"\nshow_if = \"age > 20\"");
    assert_error_at(
        &page_ref,
        "show_if",
        "page 'page2': show_if: refers to 'age'",
    );
}

#[test]
fn end_if_may_refer_to_its_own_question_or_earlier_ones() {
    let ok = one_page(&format!(
        "{AGE}{}",
        YES_NO.replace(
            "text = \"Used?\"",
            "text = \"Used?\"\n  end_if = \"used == 'no' or age < 18\""
        )
    ));
    parses(&ok);
    let later = one_page(&format!(
        "{}{AGE}",
        YES_NO.replace(
            "text = \"Used?\"",
            "text = \"Used?\"\n  end_if = \"age < 18\""
        )
    ));
    let errs = errors(&later);
    assert!(
        errs.iter().any(|e| e.message.contains("which comes later")),
        "{errs:?}"
    );
}

#[test]
fn a_condition_parse_error_gives_the_line_and_the_column() {
    let src = with_condition("used = 'yes'");
    let line = line_of(&src, "show_if");
    let errs = errors(&src);
    assert!(
        errs.iter().any(|e| e.to_string()
            == format!(
                "line {line}: question 'follow': show_if: column 6: use '==' to compare, not '='"
            )),
        "{errs:?}"
    );
}

#[test]
fn conditions_that_can_never_hold_are_rejected() {
    for cond in [
        "age > 120",
        "age < 16",
        "age > 50 and age < 40",
        "used == 'yes' and used == 'no'",
        "drugs includes 'heroin' and drugs == 'dont_know'",
        "started < '1999-12'",
        "rating.nsp == 'good' and not (rating.nsp in ['good', 'bad'])",
        "age >= 30 and age <= 29",
    ] {
        assert_error_at(&with_condition(cond), "show_if", "can never hold");
    }
}

#[test]
fn conditions_that_can_hold_only_at_the_edges_are_accepted() {
    for cond in [
        "age >= 99",
        "age <= 16",
        "age > 30 and age < 32",
        "used != 'yes' and used != 'no'",
        "drugs includes 'heroin' and drugs includes 'crack' and not (drugs includes 'none')",
        "started == '2030-12'",
        "not (age == 'dont_know') and age != 'prefer_not_to_say' and age > 98",
    ] {
        parses(&with_condition(cond));
    }
}

#[test]
fn an_end_if_that_can_never_hold_is_rejected_too() {
    let src = one_page(&YES_NO.replace(
        "text = \"Used?\"",
        "text = \"Used?\"\n  end_if = \"used == 'yes' and used == 'no'\"",
    ));
    assert_error_at(&src, "end_if", "end_if can never hold");
}

#[test]
fn several_bad_conditions_are_all_reported() {
    let src = two_pages(
        &first_page(),
        &format!(
            "{}{}",
            follow_up("nope == 1"),
            follow_up("age > 500").replace("\"follow\"", "\"follow2\"")
        ),
    );
    let errs = errors(&src);
    assert!(
        errs.iter()
            .any(|e| e.message.contains("unknown question 'nope'")),
        "{errs:?}"
    );
    assert!(
        errs.iter().any(|e| e.message.contains("can never hold")),
        "{errs:?}"
    );
}
