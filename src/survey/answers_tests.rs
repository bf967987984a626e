//! Parsing submitted answers.

use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::answers::{self, parse_through_page, GridCell};
use super::tests::parses;
use super::{Answer, AnswerError, NonAnswer, Response, Survey, YearMonth};

const SURVEY: &str = r#"
id = "t"
title = "T"
languages = ["en", "es"]

[[pages]]
title = "One"

  [[pages.questions]]
  id = "intro"
  type = "note"
  text = "Hello"

  [[pages.questions]]
  id = "used"
  type = "single"
  role = "sensitive"
  required = true
  text = "Used?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]

  [[pages.questions]]
  id = "drugs"
  type = "multi"
  role = "sensitive"
  max_choices = 2
  text = "Which?"
  options = [{ id = "heroin", text = "Heroin" }, { id = "crack", text = "Crack" }, { id = "meth", text = "Meth" }, { id = "none", text = "None", exclusive = true }]

  [[pages.questions]]
  id = "age"
  type = "number"
  role = "quasi"
  min = 16
  max = 99
  bands = [[16, 29], [30, 99]]
  text = "Age?"

  [[pages.questions]]
  id = "safe"
  type = "scale"
  role = "plain"
  min = 0
  max = 10
  text = "Safe?"

  [[pages.questions]]
  id = "agree"
  type = "scale"
  role = "plain"
  prefer_not_to_say = false
  text = "Agree?"
  options = [{ id = "disagree", text = "Disagree" }, { id = "agree", text = "Agree" }]

  [[pages.questions]]
  id = "rating"
  type = "grid"
  role = "sensitive"
  text = "Rate"
  rows = [{ id = "nsp", text = "Needle exchange" }, { id = "drop_in", text = "Drop-in" }]
  options = [{ id = "good", text = "Good" }, { id = "bad", text = "Bad" }]

  [[pages.questions]]
  id = "started"
  type = "date"
  role = "sensitive"
  min = "2000-01"
  max = "2030-12"
  text = "When?"

  [[pages.questions]]
  id = "other"
  type = "text"
  role = "free_text"
  max_length = 20
  dont_know = false
  text = "Anything else?"

[[pages]]
title = "Two"
show_if = "used == 'yes'"

  [[pages.questions]]
  id = "carry"
  type = "single"
  role = "sensitive"
  required = true
  end_if = "carry == 'no'"
  text = "Carry naloxone?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]

[[pages]]
title = "Three"

  [[pages.questions]]
  id = "trained"
  type = "single"
  role = "plain"
  required = true
  text = "Trained?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]

  [[pages.questions]]
  id = "where"
  type = "single"
  role = "plain"
  show_if = "age >= 30 and drugs includes 'heroin'"
  text = "Where?"
  options = [{ id = "here", text = "Here" }]
"#;

fn survey() -> Survey {
    parses(SURVEY)
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn ok(v: Value) -> Response {
    match answers::parse(&survey(), &obj(v)) {
        Ok(r) => r,
        Err(e) => panic!("expected valid answers, got {e:?}"),
    }
}

fn errs(v: Value) -> Vec<AnswerError> {
    match answers::parse(&survey(), &obj(v)) {
        Ok(r) => panic!("expected errors, got {r:?}"),
        Err(e) => e,
    }
}

/// Asserts exactly one error, on `question`, whose message contains `needle`.
#[track_caller]
fn one_error(v: Value, question: &str, needle: &str) {
    let e = errs(v);
    assert_eq!(e.len(), 1, "{e:?}");
    assert_eq!(e[0].question.as_deref(), Some(question), "{e:?}");
    assert!(e[0].message.contains(needle), "{e:?}");
}

/// The minimal valid base: `used` and `trained` are required.
fn base(extra: Value) -> Value {
    let mut m = obj(json!({"used": "no", "trained": "yes"}));
    m.extend(obj(extra));
    Value::Object(m)
}

#[test]
fn every_type_accepts_a_valid_answer() {
    let r = ok(base(json!({
        "drugs": ["crack", "heroin"],
        "age": 31,
        "safe": 0,
        "agree": "agree",
        "rating": {"nsp": "good", "drop_in": "dont_know"},
        "started": "2021-06",
        "other": "  thanks  ",
    })));
    assert_eq!(r.get("used"), Some(&Answer::Choice("no".into())));
    assert_eq!(
        r.get("drugs"),
        Some(&Answer::Choices(vec!["heroin".into(), "crack".into()]))
    );
    assert_eq!(r.get("age"), Some(&Answer::Number(31)));
    assert_eq!(r.get("safe"), Some(&Answer::Number(0)));
    assert_eq!(r.get("agree"), Some(&Answer::Choice("agree".into())));
    assert_eq!(
        r.get("rating"),
        Some(&Answer::Grid(
            [
                (
                    "drop_in".to_string(),
                    GridCell::NonAnswer(NonAnswer::DontKnow)
                ),
                ("nsp".to_string(), GridCell::Choice("good".into())),
            ]
            .into_iter()
            .collect()
        ))
    );
    assert_eq!(
        r.get("started"),
        Some(&Answer::Month(YearMonth::parse("2021-06").expect("m")))
    );
    assert_eq!(r.get("other"), Some(&Answer::Text("thanks".into())));
}

#[test]
fn non_answers_are_accepted_when_offered_and_kept_apart() {
    let r = ok(base(
        json!({"age": "dont_know", "drugs": "prefer_not_to_say", "started": "dont_know"}),
    ));
    assert_eq!(r.get("age"), Some(&Answer::NonAnswer(NonAnswer::DontKnow)));
    assert_eq!(
        r.get("drugs"),
        Some(&Answer::NonAnswer(NonAnswer::PreferNotToSay))
    );
    one_error(
        base(json!({"agree": "prefer_not_to_say"})),
        "agree",
        "'prefer not to say' is not offered",
    );
    one_error(
        base(json!({"other": "dont_know"})),
        "other",
        "'don't know' is not offered",
    );
}

#[test]
fn null_empty_text_and_empty_grids_count_as_unanswered() {
    let r = ok(base(json!({"age": null, "other": "   ", "rating": {}})));
    assert_eq!(r.len(), 2);
}

#[test]
fn single_choice_errors() {
    one_error(
        base(json!({"agree": "maybe"})),
        "agree",
        "not one of the options",
    );
    one_error(base(json!({"agree": 1})), "agree", "option ids");
    one_error(base(json!({"agree": ["agree"]})), "agree", "option ids");
}

#[test]
fn multi_choice_errors() {
    one_error(
        base(json!({"drugs": "heroin"})),
        "drugs",
        "list of option ids",
    );
    one_error(base(json!({"drugs": []})), "drugs", "at least one");
    one_error(
        base(json!({"drugs": ["heroin", "heroin"]})),
        "drugs",
        "more than once",
    );
    one_error(
        base(json!({"drugs": ["heroin", "ketamine"]})),
        "drugs",
        "not an option",
    );
    one_error(
        base(json!({"drugs": ["heroin", "none"]})),
        "drugs",
        "option 'none' can't be combined",
    );
    one_error(
        base(json!({"drugs": ["heroin", "crack", "meth"]})),
        "drugs",
        "at most 2",
    );
    one_error(base(json!({"drugs": ["dont_know"]})), "drugs", "on its own");
    one_error(base(json!({"drugs": [1]})), "drugs", "list of option ids");
    ok(base(json!({"drugs": ["none"]})));
}

#[test]
fn number_errors() {
    one_error(base(json!({"age": 31.5})), "age", "whole number");
    one_error(base(json!({"age": 31.0})), "age", "whole number");
    one_error(base(json!({"age": "31"})), "age", "whole number");
    one_error(base(json!({"age": 15})), "age", "between 16 and 99");
    one_error(base(json!({"age": 100})), "age", "between 16 and 99");
    one_error(base(json!({"age": 1e300})), "age", "whole number");
    one_error(base(json!({"safe": 11})), "safe", "between 0 and 10");
}

#[test]
fn grid_errors_are_per_row() {
    one_error(base(json!({"rating": "good"})), "rating", "object");
    one_error(
        base(json!({"rating": {"hospital": "good"}})),
        "rating",
        "row that does not exist",
    );
    one_error(
        base(json!({"rating": {"nsp": "great"}})),
        "rating",
        "row 'nsp': this is not one of the options",
    );
    one_error(base(json!({"rating": {"nsp": 3}})), "rating", "row 'nsp'");
    let e = errs(base(
        json!({"rating": {"nsp": "great", "drop_in": "awful"}}),
    ));
    assert_eq!(e.len(), 2, "{e:?}");
}

#[test]
fn a_required_grid_needs_every_row() {
    let s = SURVEY.replace(
        "  id = \"rating\"\n",
        "  id = \"rating\"\n  required = true\n",
    );
    let s = parses(&s);
    let e =
        answers::parse(&s, &obj(base(json!({"rating": {"nsp": "good"}})))).expect_err("partial");
    assert!(e[0].message.contains("every row"), "{e:?}");
}

#[test]
fn date_errors() {
    one_error(base(json!({"started": "2021-6"})), "started", "YYYY-MM");
    one_error(base(json!({"started": "2021-13"})), "started", "YYYY-MM");
    one_error(base(json!({"started": 202106})), "started", "YYYY-MM");
    one_error(
        base(json!({"started": "1999-12"})),
        "started",
        "can't be before 2000-01",
    );
    one_error(
        base(json!({"started": "2031-01"})),
        "started",
        "can't be after 2030-12",
    );
}

#[test]
fn text_errors() {
    one_error(base(json!({"other": 5})), "other", "must be text");
    one_error(
        base(json!({"other": "x".repeat(21)})),
        "other",
        "longer than 20 characters",
    );
    ok(base(json!({"other": "é".repeat(20)})));
    one_error(base(json!({"other": "a\u{0}b"})), "other", "not allowed");
}

#[test]
fn unknown_questions_and_notes_cannot_be_answered() {
    one_error(
        base(json!({"colour": "red"})),
        "colour",
        "no question with this id",
    );
    let e = errs(base(json!({"<script>": "x"})));
    assert_eq!(e[0].question, None);
    one_error(base(json!({"intro": "yes"})), "intro", "note");
}

#[test]
fn error_messages_never_echo_the_submitted_value() {
    let canary = "CANARY_7731";
    let e = errs(json!({
        "used": canary, "drugs": [canary], "age": canary, "safe": canary, "agree": canary,
        "rating": {"nsp": canary, canary: "good"}, "started": canary, "other": 42,
        "trained": canary, canary: canary,
    }));
    assert!(e.len() >= 9, "{e:?}");
    let all = serde_json::to_string(&e).expect("ser");
    assert!(!all.contains(canary), "{all}");
    assert!(!all.to_lowercase().contains(&canary.to_lowercase()));
}

#[test]
fn every_error_is_reported_not_just_the_first() {
    let e = errs(json!({"age": 5, "drugs": [], "started": "x", "nope": 1}));
    let qs: Vec<_> = e
        .iter()
        .map(|e| e.question.as_deref().unwrap_or(""))
        .collect();
    // unknown first, then in definition order; the missing required answers too.
    assert_eq!(
        qs,
        vec!["nope", "used", "drugs", "age", "started", "trained"]
    );
}

#[test]
fn answers_to_hidden_pages_are_rejected() {
    one_error(base(json!({"carry": "yes"})), "carry", "not shown");
}

#[test]
fn answers_to_hidden_questions_are_rejected() {
    one_error(
        base(json!({"where": "here", "age": 20, "drugs": ["heroin"]})),
        "where",
        "not shown",
    );
    ok(base(
        json!({"where": "here", "age": 40, "drugs": ["heroin"]}),
    ));
}

#[test]
fn required_only_applies_when_shown() {
    // Page two is hidden, so `carry` is not required.
    ok(json!({"used": "no", "trained": "no"}));
    // Page two is shown, so it is.
    one_error(
        json!({"used": "yes", "trained": "no"}),
        "carry",
        "needs an answer",
    );
    one_error(json!({"trained": "no"}), "used", "needs an answer");
}

#[test]
fn end_if_ends_the_survey_and_later_answers_are_rejected() {
    let r = ok(json!({"used": "yes", "carry": "no"}));
    let s = survey();
    assert_eq!(
        s.ended_after(&r).map(|q| q.to_string()),
        Some("carry".into())
    );
    assert!(!s.page_visible(2, &r));
    let trained = s.question("trained").expect("q");
    assert!(!s.question_visible(trained, &r));
    one_error(
        json!({"used": "yes", "carry": "no", "trained": "yes"}),
        "trained",
        "not shown",
    );
    let r = ok(json!({"used": "yes", "carry": "yes", "trained": "yes"}));
    assert_eq!(s.ended_after(&r), None);
}

#[test]
fn visibility_ignores_answers_to_questions_that_were_not_shown() {
    let s = survey();
    let mut r = Response::default();
    r.insert(
        super::QuestionId::parse("used").expect("id"),
        Answer::Choice("no".into()),
    );
    r.insert(
        super::QuestionId::parse("carry").expect("id"),
        Answer::Choice("no".into()),
    );
    // `carry` is hidden, so its end_if does not fire.
    assert_eq!(s.ended_after(&r), None);
    assert!(s.page_visible(2, &r));
    assert_eq!(s.visible_answers(&r).len(), 1);
}

#[test]
fn a_partial_flow_checks_only_the_pages_reached() {
    let s = survey();
    let r = parse_through_page(&s, &obj(json!({"used": "yes"})), 0).expect("page one only");
    assert_eq!(r.len(), 1);
    let e = parse_through_page(&s, &obj(json!({"used": "yes", "trained": "no"})), 0)
        .expect_err("later page");
    assert!(e.iter().any(|e| e.message.contains("later page")), "{e:?}");
    let e =
        parse_through_page(&s, &obj(json!({"used": "yes"})), 1).expect_err("carry now required");
    assert_eq!(e[0].question.as_deref(), Some("carry"));
}

#[test]
fn a_response_serializes_compactly_and_round_trips() {
    let r = ok(base(
        json!({"age": 31, "drugs": ["heroin"], "rating": {"nsp": "bad"}, "started": "2020-02", "safe": "dont_know"}),
    ));
    let text = serde_json::to_string(&r).expect("ser");
    assert_eq!(
        text,
        r#"{"age":{"n":31},"drugs":{"cs":["heroin"]},"rating":{"g":{"nsp":{"c":"bad"}}},"safe":{"na":"dont_know"},"started":{"m":"2020-02"},"trained":{"c":"yes"},"used":{"c":"no"}}"#
    );
    let back: Response = serde_json::from_str(&text).expect("de");
    assert_eq!(back, r);
    assert!(serde_json::from_str::<Response>(r#"{"Bad Id":{"n":1}}"#).is_err());
}

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,30}".prop_map(Value::String),
        prop_oneof![
            Just("yes"),
            Just("no"),
            Just("dont_know"),
            Just("prefer_not_to_say"),
            Just("heroin"),
            Just("none"),
            Just("good"),
            Just("2021-06"),
            Just("nsp"),
        ]
        .prop_map(|s| Value::String(s.into())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("nsp".to_string()),
                    Just("drop_in".to_string()),
                    "[a-z_]{0,8}"
                ],
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn parsing_answers_never_panics_on_arbitrary_json(
        entries in prop::collection::btree_map(
            prop_oneof![
                Just("used".to_string()), Just("drugs".to_string()), Just("age".to_string()),
                Just("safe".to_string()), Just("agree".to_string()), Just("rating".to_string()),
                Just("started".to_string()), Just("other".to_string()), Just("carry".to_string()),
                Just("trained".to_string()), Just("where".to_string()), Just("intro".to_string()),
                "\\PC{0,12}",
            ],
            arb_json(),
            0..12,
        )
    ) {
        let s = survey();
        let map: Map<String, Value> = entries.into_iter().collect();
        match answers::parse(&s, &map) {
            Ok(r) => {
                // A valid response only holds answers to questions that were shown.
                prop_assert_eq!(s.visible_answers(&r), r);
            }
            Err(e) => prop_assert!(!e.is_empty()),
        }
    }
}
