//! Conditions that name option groups, test whether a question was answered, hide single
//! options; and the warnings for conditions that are always true or contradict visibility.

use serde_json::json;

use super::answers;
use super::tests::{assert_error_at, errors, parses, two_pages, YES_NO};

const AREA: &str = r#"
  [[pages.questions]]
  id = "area"
  type = "single"
  role = "quasi"
  text = "Area?"
  options = [{ id = "old_town", text = "Old Town" }, { id = "harbour", text = "Harbour" }, { id = "abroad", text = "Abroad" }]
  groups = [
    { id = "city", text = "City", options = ["old_town", "harbour"] },
    { id = "overseas", text = "Overseas", options = ["abroad"] },
  ]
"#;

const OTHER: &str = r#"
  [[pages.questions]]
  id = "other"
  type = "text"
  role = "free_text"
  text = "Which other drug?"
"#;

fn follow_up(cond: &str) -> String {
    format!(
        "  [[pages.questions]]\n  id = \"follow\"\n  type = \"single\"\n  role = \"sensitive\"\n  show_if = \"{cond}\"\n  text = \"More?\"\n  options = [{{ id = \"a\", text = \"A\" }}, {{ id = \"b\", text = \"B\" }}]\n"
    )
}

fn answers_of(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
    match v {
        serde_json::Value::Object(m) => m,
        _ => panic!("an object"),
    }
}

#[test]
fn a_condition_can_name_an_option_group() {
    let s = parses(&two_pages(AREA, &follow_up("area in group:overseas")));
    let abroad = answers::parse(&s, &answers_of(json!({"area": "abroad", "follow": "a"})));
    assert!(abroad.is_ok(), "{abroad:?}");
    let city = answers::parse(&s, &answers_of(json!({"area": "harbour", "follow": "a"})));
    assert!(city.is_err());
}

#[test]
fn groups_and_options_can_be_mixed_in_one_list() {
    parses(&two_pages(
        AREA,
        &follow_up("area in [group:overseas, 'harbour']"),
    ));
}

#[test]
fn an_unknown_option_group_is_an_error() {
    let src = two_pages(AREA, &follow_up("area in group:moon"));
    assert_error_at(&src, "group:moon", "has no option group 'moon'");
}

#[test]
fn an_option_group_of_a_question_without_groups_is_an_error() {
    let src = two_pages(YES_NO, &follow_up("used in group:any"));
    assert_error_at(&src, "group:any", "has no option group 'any'");
}

#[test]
fn a_text_question_can_be_tested_for_an_answer() {
    let s = parses(&two_pages(OTHER, &follow_up("other answered")));
    let typed = answers::parse(&s, &answers_of(json!({"other": "ketamine", "follow": "a"})));
    assert!(typed.is_ok(), "{typed:?}");
    let skipped = answers::parse(&s, &answers_of(json!({"follow": "a"})));
    assert!(skipped.is_err());
    let not = parses(&two_pages(OTHER, &follow_up("not other answered")));
    assert!(answers::parse(&not, &answers_of(json!({"follow": "a"}))).is_ok());
}

#[test]
fn a_non_answer_does_not_count_as_answered() {
    let s = parses(&two_pages(YES_NO, &follow_up("used answered")));
    let na = answers::parse(&s, &answers_of(json!({"used": "dont_know", "follow": "a"})));
    assert!(na.is_err());
}

#[test]
fn a_text_question_still_cannot_be_compared_with_a_value() {
    let src = two_pages(OTHER, &follow_up("other == 'x'"));
    assert_error_at(
        &src,
        "other == 'x'",
        "except to test whether it was answered",
    );
}

#[test]
fn answered_is_a_reserved_word_and_not_a_question_id() {
    let src = two_pages(
        &YES_NO.replace("\"used\"", "\"answered\""),
        &follow_up("answered answered"),
    );
    assert!(errors(&src).iter().any(|e| e.message.contains("reserved")));
}

const DRUGS_WITH_CONDITIONAL_OPTION: &str = r#"
  [[pages.questions]]
  id = "how"
  type = "multi"
  role = "sensitive"
  text = "How did you use it?"
  options = [
    { id = "smoked", text = "Smoked" },
    { id = "injected", text = "Injected", show_if = "used == 'yes'" },
  ]
"#;

#[test]
fn an_option_with_a_false_condition_is_not_offered_and_its_answer_is_refused() {
    let s = parses(&two_pages(YES_NO, DRUGS_WITH_CONDITIONAL_OPTION));
    let yes = answers::parse(&s, &answers_of(json!({"used": "yes", "how": ["injected"]})));
    assert!(yes.is_ok(), "{yes:?}");
    let no = answers::parse(&s, &answers_of(json!({"used": "no", "how": ["injected"]})));
    let errs = no.expect_err("a hidden option is refused");
    assert!(errs[0].message.contains("not offered"), "{errs:?}");
    let q = s.question("how").expect("question");
    let response = answers::parse(&s, &answers_of(json!({"used": "no"}))).expect("valid");
    let offered: Vec<&str> = s
        .visible_options(q, &response)
        .iter()
        .map(|o| o.id.as_str())
        .collect();
    assert_eq!(offered, ["smoked"]);
}

#[test]
fn a_page_by_page_flow_drops_an_option_that_is_no_longer_offered() {
    let s = parses(&two_pages(YES_NO, DRUGS_WITH_CONDITIONAL_OPTION));
    let (kept, errors) = answers::parse_partial(
        &s,
        &answers_of(json!({"used": "no", "how": ["smoked", "injected"]})),
    );
    assert!(errors.is_empty());
    assert_eq!(
        serde_json::to_value(&kept).expect("json"),
        json!({"used": {"c": "no"}, "how": {"cs": ["smoked"]}})
    );
}

#[test]
fn an_option_condition_on_the_same_page_is_an_error() {
    let src = two_pages(
        &format!("{YES_NO}{DRUGS_WITH_CONDITIONAL_OPTION}"),
        &follow_up("used == 'yes'"),
    );
    assert_error_at(
        &src,
        "show_if = \"used == 'yes'\" }",
        "not on an earlier page",
    );
}

#[test]
fn an_always_true_condition_imports_with_a_warning() {
    let s = parses(&two_pages(
        YES_NO,
        &follow_up("used != 'yes' or used != 'no'"),
    ));
    let warnings: Vec<String> = s.warnings().iter().map(ToString::to_string).collect();
    assert!(
        warnings.iter().any(|w| w.contains("always true")),
        "{warnings:?}"
    );
}

#[test]
fn a_condition_contradicting_its_page_imports_with_a_warning() {
    let second = format!("show_if = \"used == 'yes'\"\n{}", follow_up("used == 'no'"));
    let s = parses(&two_pages(YES_NO, &second));
    assert!(
        s.warnings()
            .iter()
            .any(|w| w.message.contains("when the questions it names are shown")),
        "{:?}",
        s.warnings()
    );
}

#[test]
fn a_condition_on_a_question_that_is_never_shown_with_that_answer_warns() {
    let often = "  [[pages.questions]]\n  id = \"often\"\n  type = \"single\"\n  role = \"sensitive\"\n  show_if = \"used == 'yes'\"\n  text = \"Often?\"\n  options = [{ id = \"daily\", text = \"Daily\" }]\n";
    let pages = format!(
        "{}\n[[pages]]\ntitle = \"Three\"\n{}",
        two_pages(YES_NO, often),
        follow_up("used == 'no' and often == 'daily'").replace("\"follow\"", "\"third\"")
    );
    // The third page's condition needs an answer to `often` while `used` is 'no', when
    // `often` is not shown.
    let s = parses(&pages);
    assert!(
        s.warnings()
            .iter()
            .any(|w| w.message.contains("question 'third'")),
        "{:?}",
        s.warnings()
    );
}

#[test]
fn an_ordinary_condition_has_no_warning() {
    let s = parses(&two_pages(YES_NO, &follow_up("used == 'yes'")));
    assert!(s.warnings().is_empty(), "{:?}", s.warnings());
}

#[test]
fn a_follow_up_on_its_own_page_names_its_trigger_and_the_options_that_show_it() {
    let second = format!(
        "{YES_NO}{}",
        follow_up("used in ['yes'] and area in group:city")
    );
    let s = parses(&two_pages(AREA, &second));
    let follow = s.question("follow").expect("follow");
    let on = s.on_same_page(follow).expect("depends on its own page");
    assert_eq!(on.trigger.as_str(), "used");
    assert_eq!(on.options, Some(vec!["yes".to_owned()]));
    // The part about the earlier page is decided before the page is shown.
    let city = answers::parse(&s, &answers_of(json!({"area": "harbour"}))).expect("valid");
    let abroad = answers::parse(&s, &answers_of(json!({"area": "abroad"}))).expect("valid");
    assert!(s.may_show_on_page(follow, &city));
    assert!(!s.may_show_on_page(follow, &abroad));
    // Nothing on its own page: not a same-page follow-up.
    let earlier = parses(&two_pages(AREA, &follow_up("area == 'harbour'")));
    assert_eq!(
        earlier.on_same_page(earlier.question("follow").expect("q")),
        None
    );
    // A condition the page script can't follow still names its trigger, for the hint.
    let either = parses(&two_pages(
        AREA,
        &format!("{YES_NO}{}", follow_up("used == 'yes' or area == 'abroad'")),
    ));
    let on = either
        .on_same_page(either.question("follow").expect("q"))
        .expect("same page");
    assert_eq!((on.trigger.as_str(), on.options), ("used", None));
}
