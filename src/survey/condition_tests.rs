//! The condition parser and evaluator.

use super::answers::{Answer, GridCell, NonAnswer, Response};
use super::condition::Condition;
use super::expr::{Cmp, Expr, Literal, Op, Target};
use super::month::YearMonth;
use crate::survey::ids::QuestionId;

fn parse(s: &str) -> Expr {
    Condition::parse(s).expect("parses").expr
}

fn cmp(q: &str, op: Op, v: Literal) -> Expr {
    Expr::Cmp(Cmp {
        target: Target {
            question: q.into(),
            row: None,
        },
        op,
        values: vec![v],
    })
}

fn s(x: &str) -> Literal {
    Literal::Str(x.into())
}

fn response(pairs: &[(&str, Answer)]) -> Response {
    let mut r = Response::default();
    for (k, v) in pairs {
        r.insert(QuestionId::parse(k).expect("id"), v.clone());
    }
    r
}

#[test]
fn and_binds_tighter_than_or() {
    assert_eq!(
        parse("a == 'x' or b == 'y' and c == 'z'"),
        Expr::Or(vec![
            cmp("a", Op::Eq, s("x")),
            Expr::And(vec![cmp("b", Op::Eq, s("y")), cmp("c", Op::Eq, s("z"))]),
        ])
    );
}

#[test]
fn parentheses_override_precedence() {
    assert_eq!(
        parse("(a == 'x' or b == 'y') and c == 'z'"),
        Expr::And(vec![
            Expr::Or(vec![cmp("a", Op::Eq, s("x")), cmp("b", Op::Eq, s("y"))]),
            cmp("c", Op::Eq, s("z")),
        ])
    );
}

#[test]
fn not_applies_to_the_nearest_comparison_only() {
    assert_eq!(
        parse("NOT a == 'x' AND b >= 3"),
        Expr::And(vec![
            Expr::Not(Box::new(cmp("a", Op::Eq, s("x")))),
            cmp("b", Op::Ge, Literal::Int(3)),
        ])
    );
}

#[test]
fn every_operator_and_value_form_parses() {
    for src in [
        "a == 'x'",
        "a != \"x\"",
        "a < 3",
        "a <= -3",
        "a > 3",
        "a >= 3",
        "a in ['x', \"y\",]",
        "a includes 'x'",
        "g.row-1 == 'good'",
        "d >= '2020-01'",
        "a == 'dont_know'",
    ] {
        assert!(Condition::parse(src).is_ok(), "{src}");
    }
    assert_eq!(
        parse("g.needles == 'good'"),
        Expr::Cmp(Cmp {
            target: Target {
                question: "g".into(),
                row: Some("needles".into())
            },
            op: Op::Eq,
            values: vec![s("good")],
        })
    );
}

#[test]
fn parse_errors_point_at_the_column() {
    let cases = [
        ("age = 3", 5, "'=='"),
        ("age > ", 7, "expected a value"),
        ("(a == 'x'", 10, "expected ')'"),
        ("a == 'x", 6, "never closed"),
        ("a == x", 6, "in quotes"),
        ("a == 'x' b == 'y'", 10, "expected 'and', 'or'"),
        ("a in 'x'", 6, "expected '['"),
        ("a in []", 6, "empty"),
        ("", 1, "expected a question id"),
        ("a && b", 3, "'and'"),
        ("'x' == a", 1, "question id first"),
        ("a == 99999999999999999999", 6, "too large"),
        ("a ~ 3", 3, "unexpected character"),
    ];
    for (src, column, needle) in cases {
        let e = Condition::parse(src).expect_err(src);
        assert_eq!(e.column, column, "{src}: {e}");
        assert!(e.message.contains(needle), "{src}: {e}");
    }
}

#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    let src = format!("{}a == 1{}", "(".repeat(5000), ")".repeat(5000));
    assert!(Condition::parse(&src).is_err());
    let src = format!("{}a == 1", "not ".repeat(500));
    assert!(Condition::parse(&src).is_err());
}

#[test]
fn a_comparison_on_an_unanswered_question_is_false_and_not_equal_is_its_negation() {
    let r = Response::default();
    assert!(!Condition::parse("a == 'x'").expect("ok").evaluate(&r));
    assert!(!Condition::parse("a > 1").expect("ok").evaluate(&r));
    assert!(!Condition::parse("a includes 'x'").expect("ok").evaluate(&r));
    assert!(Condition::parse("a != 'x'").expect("ok").evaluate(&r));
}

#[test]
fn numeric_comparisons_on_a_non_answer_are_false_but_equality_can_test_it() {
    let r = response(&[("age", Answer::NonAnswer(NonAnswer::DontKnow))]);
    for src in ["age < 30", "age >= 30", "age == 30"] {
        assert!(!Condition::parse(src).expect("ok").evaluate(&r), "{src}");
    }
    assert!(Condition::parse("age == 'dont_know'")
        .expect("ok")
        .evaluate(&r));
    assert!(!Condition::parse("age == 'prefer_not_to_say'")
        .expect("ok")
        .evaluate(&r));
}

#[test]
fn comparisons_evaluate_on_each_answer_kind() {
    let mut grid = std::collections::BTreeMap::new();
    grid.insert("nsp".to_string(), GridCell::Choice("good".into()));
    let r = response(&[
        ("c", Answer::Choice("yes".into())),
        ("m", Answer::Choices(vec!["heroin".into(), "crack".into()])),
        ("n", Answer::Number(31)),
        ("d", Answer::Month(YearMonth::parse("2023-05").expect("m"))),
        ("g", Answer::Grid(grid)),
    ]);
    let holds = |src: &str| Condition::parse(src).expect(src).evaluate(&r);
    assert!(holds("c == 'yes'") && !holds("c == 'no'") && holds("c in ['no', 'yes']"));
    assert!(holds("m includes 'crack'") && !holds("m includes 'meth'"));
    assert!(holds("n > 30") && holds("n <= 31") && !holds("n < 31") && holds("n != 30"));
    assert!(holds("d >= '2023-05'") && holds("d < '2024-01'") && !holds("d > '2023-05'"));
    assert!(holds("g.nsp == 'good'") && !holds("g.drop_in == 'good'") && !holds("g == 'good'"));
    assert!(holds("not (c == 'no' or n < 18)"));
}

#[test]
fn referenced_questions_are_listed_once_in_order() {
    let c = Condition::parse("b == 1 or (a == 2 and b == 3) or g.r == 'x'").expect("ok");
    assert_eq!(c.referenced_questions(), vec!["b", "a", "g"]);
}

#[test]
fn named_questions_include_the_answers_a_comparison_reads() {
    let c = Condition::parse("first_used <= answer:age and (b == 1 or c >= answer:first_used)")
        .expect("ok");
    assert_eq!(c.named_questions(), vec!["first_used", "age", "b", "c"]);
    assert_eq!(c.referenced_questions(), vec!["first_used", "b", "c"]);
}

proptest::proptest! {
    #[test]
    fn the_condition_parser_never_panics(s in "\\PC{0,200}") {
        let _ = Condition::parse(&s);
    }

    #[test]
    fn the_condition_parser_never_panics_on_condition_like_text(
        s in "[a-z_. ()\\[\\],'\"0-9<>=!-]{0,120}|((not |and |or |in |includes )?[a-z]{1,3} ?(==|<|>=|in|includes)? ?('[a-z]'|[0-9]{1,3})? ?\\)?){0,12}"
    ) {
        let _ = Condition::parse(&s);
    }
}

#[test]
fn a_condition_listing_hundreds_of_options_parses_and_one_past_the_cap_is_refused() {
    let ids: Vec<String> = (0..600).map(|i| format!("'area_{i}'")).collect();
    let long = format!("area in [{}]", ids.join(", "));
    assert!(long.len() > 7_000, "{}", long.len());
    assert!(super::Condition::parse(&long).is_ok());
    let too_long = format!("{long}{}", " ".repeat(20_001 - long.chars().count()));
    let err = super::Condition::parse(&too_long).expect_err("over the cap");
    assert!(err.message.contains("at most 20000 characters"), "{err:?}");
}
