//! Computed fields: sums, counts and classifications, stored like any answer of their type.

use serde_json::json;

use super::answers;
use super::tests::{errors, one_page, parses, two_pages};
use super::Answer;

const ITEMS: &str = r#"
  [[pages.questions]]
  id = "worry"
  type = "scale"
  role = "sensitive"
  text = "How often did you worry about your use?"
  options = [{ id = "never", text = "Never" }, { id = "sometimes", text = "Sometimes" }, { id = "often", text = "Often" }]

  [[pages.questions]]
  id = "stop"
  type = "scale"
  role = "sensitive"
  text = "How often did you wish you could stop?"
  options = [{ id = "never", text = "Never" }, { id = "sometimes", text = "Sometimes" }, { id = "often", text = "Often" }]

  [[pages.questions]]
  id = "drugs"
  type = "multi"
  role = "sensitive"
  text = "Which did you use?"
  options = [{ id = "heroin", text = "Heroin" }, { id = "crack", text = "Crack" }, { id = "benzos", text = "Benzos" }]
"#;

const SCORES: &str = r#"
  [[pages.questions]]
  id = "sds_score"
  type = "number"
  role = "sensitive"
  min = 0
  max = 4
  bands = [[0, 1], [2, 4]]
  text = "Dependence score"
  compute = { sum = ["worry", "stop"] }

  [[pages.questions]]
  id = "drug_count"
  type = "number"
  role = "sensitive"
  min = 0
  max = 3
  text = "Number of drugs used"
  compute = { count = "drugs" }

  [[pages.questions]]
  id = "poly"
  type = "single"
  role = "sensitive"
  text = "Polydrug use"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]
  compute = { classify = [
    { option = "yes", when = "drug_count >= 2" },
    { option = "no", when = "drug_count < 2" },
  ] }
"#;

fn parse(s: &super::Survey, v: serde_json::Value) -> super::Response {
    answers::parse(s, v.as_object().expect("object")).expect("valid answers")
}

#[test]
fn computed_fields_are_worked_out_on_submission() {
    let s = parses(&two_pages(ITEMS, SCORES));
    let r = parse(
        &s,
        json!({"worry": "often", "stop": "sometimes", "drugs": ["heroin", "benzos"]}),
    );
    assert_eq!(r.get("sds_score"), Some(&Answer::Number(3)));
    assert_eq!(r.get("drug_count"), Some(&Answer::Number(2)));
    assert_eq!(r.get("poly"), Some(&Answer::Choice("yes".into())));
}

#[test]
fn a_sum_with_a_missing_item_is_left_unanswered_and_a_count_of_nothing_is_zero() {
    let s = parses(&two_pages(ITEMS, SCORES));
    let r = parse(&s, json!({"worry": "often"}));
    assert_eq!(r.get("sds_score"), None);
    assert_eq!(r.get("drug_count"), Some(&Answer::Number(0)));
    assert_eq!(r.get("poly"), Some(&Answer::Choice("no".into())));
}

/// "Don't know" or "prefer not to say" to the multi-select is not "none of them": counted as 0,
/// a peer who did not know which barriers they met read as one who met none (an outside review
/// found the justice survey's barrier count doing so).
#[test]
fn a_count_of_a_non_answer_is_left_unanswered() {
    let s = parses(&two_pages(ITEMS, SCORES));
    for non_answer in ["dont_know", "prefer_not_to_say"] {
        let r = parse(&s, json!({"worry": "often", "drugs": non_answer}));
        assert_eq!(r.get("drug_count"), None, "{non_answer}");
    }
}

#[test]
fn an_exclusive_none_of_these_counts_zero_and_leaves_the_range_as_it_was() {
    let items = ITEMS.replace(
        r#"{ id = "benzos", text = "Benzos" }]"#,
        r#"{ id = "benzos", text = "Benzos" }, { id = "none", text = "None of these", exclusive = true }]"#,
    );
    // `drug_count` keeps max = 3: three drugs can be ticked, "none" is not one of them.
    let s = parses(&two_pages(&items, SCORES));
    let r = parse(&s, json!({"drugs": ["none"]}));
    assert_eq!(r.get("drug_count"), Some(&Answer::Number(0)));
    let r = parse(&s, json!({"drugs": ["heroin", "crack", "benzos"]}));
    assert_eq!(r.get("drug_count"), Some(&Answer::Number(3)));
}

#[test]
fn a_value_sent_for_a_computed_field_is_ignored() {
    let s = parses(&two_pages(ITEMS, SCORES));
    let r = parse(
        &s,
        json!({"worry": "never", "stop": "never", "sds_score": 4}),
    );
    assert_eq!(r.get("sds_score"), Some(&Answer::Number(0)));
}

#[test]
fn a_sum_that_could_leave_its_range_is_an_error() {
    let src = two_pages(ITEMS, &SCORES.replace("max = 4\n", "max = 3\n"));
    assert!(errors(&src)
        .iter()
        .any(|e| e.message.contains("the sum can range from 0 to 4")));
}

#[test]
fn a_computed_field_may_only_use_questions_before_it() {
    let src = one_page(&format!(
        "{}{ITEMS}",
        SCORES
            .split("[[pages.questions]]\n  id = \"drug_count\"")
            .next()
            .unwrap_or_default()
    ));
    assert!(errors(&src).iter().any(|e| e
        .message
        .contains("is not a question that comes before this one")));
}

#[test]
fn a_classification_names_its_own_options() {
    let src = two_pages(
        ITEMS,
        &SCORES.replace("{ option = \"no\"", "{ option = \"maybe\""),
    );
    assert!(errors(&src)
        .iter()
        .any(|e| e.message.contains("unknown option 'maybe'")));
}

mod from_batch {
    use crate::survey::{answers, BatchTags, Survey};
    use serde_json::json;

    fn survey() -> Survey {
        Survey::parse(include_str!("../../surveys/paid-peer-survey.toml")).expect("parses")
    }

    fn tags(pairs: &[(&str, &str)]) -> BatchTags {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn a_batch_field_takes_the_tag_and_ignores_what_the_peer_sent() {
        let s = survey();
        let raw = json!({"consent": "yes", "site": "south"});
        let response = answers::parse_with_context(
            &s,
            raw.as_object().expect("object"),
            &tags(&[("site", "north")]),
        )
        .expect("valid");
        assert_eq!(
            response.get("site"),
            Some(&crate::survey::Answer::Choice("north".into()))
        );
        let untagged = answers::parse(&s, raw.as_object().expect("object")).expect("valid");
        assert_eq!(untagged.get("site"), None);
    }

    #[test]
    fn only_declared_batch_fields_and_their_options_are_tags() {
        let s = survey();
        assert!(s.tag_problems(&tags(&[("site", "van")])).is_empty());
        assert_eq!(
            s.tag_problems(&tags(&[("site", "west"), ("age", "3")]))
                .len(),
            2
        );
        let asked = s
            .questions()
            .find(|q| q.id.as_str() == "site")
            .expect("site");
        assert!(!s.asks(asked, &Default::default()));
    }

    #[test]
    fn from_batch_fills_only_a_single_choice_question() {
        let text = include_str!("../../surveys/paid-peer-survey.toml").replace(
            "type = \"single\"\n  role = \"quasi\"\n  from_batch",
            "type = \"multi\"\n  role = \"quasi\"\n  from_batch",
        );
        let err = Survey::parse(&text).expect_err("refused");
        assert!(
            err.to_string()
                .contains("'from_batch' fills a single-choice question"),
            "{err}"
        );
    }
}
