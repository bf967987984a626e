use super::*;
use crate::survey::definition::Choice;
use crate::survey::ids::QuestionId;

const EXAMPLES: [&str; 10] = [
    include_str!("../../surveys/demo.toml"),
    include_str!("../../surveys/naloxone-carry.toml"),
    include_str!("../../surveys/outreach-contact.toml"),
    include_str!("../../surveys/paid-peer-survey.toml"),
    include_str!("../../surveys/three-languages.toml"),
    include_str!("../../surveys/rds-injecting-study.toml"),
    include_str!("../../surveys/treatment-outcomes.toml"),
    include_str!("../../surveys/injecting-study.toml"),
    include_str!("../../surveys/outreach-sites.toml"),
    include_str!("../../surveys/justice-opioid-core.toml"),
];

fn id(s: &str) -> QuestionId {
    QuestionId::parse(s).expect("id")
}

/// Every question answered at its longest, whether or not logic would show it; free text left
/// out (it is stored apart).
fn longest_response(survey: &Survey) -> Response {
    let mut r = Response::default();
    let last = |options: &[Choice]| options.last().map(|o| o.id.clone()).unwrap_or_default();
    for q in survey.questions() {
        let answer = match &q.kind {
            QuestionKind::Single { options, .. } | QuestionKind::Likert { options } => {
                Answer::Choice(last(options))
            }
            QuestionKind::Multi { options, .. } => {
                Answer::Choices(options.iter().map(|o| o.id.clone()).collect())
            }
            QuestionKind::Number { min, max, .. } | QuestionKind::Scale { min, max, .. } => {
                Answer::Number(if zigzag(*min) > zigzag(*max) {
                    *min
                } else {
                    *max
                })
            }
            QuestionKind::Decimal { min, .. } => Answer::Decimal(*min),
            QuestionKind::Grid { rows, options } => Answer::Grid(
                rows.iter()
                    .map(|row| (row.id.clone(), GridCell::Choice(last(options))))
                    .collect(),
            ),
            QuestionKind::Date { max, .. } => match max {
                Some(m) => Answer::Month(*m),
                None => Answer::Month(YearMonth::new(2026, 12).expect("month")),
            },
            QuestionKind::Day { max, .. } => Answer::Day(*max),
            QuestionKind::Text { .. } | QuestionKind::Note => continue,
        };
        r.insert(id(q.id.as_str()), answer);
    }
    r
}

/// Every question that stores an answer given its longest non-answer.
fn non_answers_everywhere(survey: &Survey) -> Response {
    let mut r = Response::default();
    for q in survey.questions() {
        if matches!(q.kind, QuestionKind::Text { .. } | QuestionKind::Note) {
            continue;
        }
        let n = q
            .declared_non_answers
            .iter()
            .copied()
            .max_by_key(|n| n.as_str().len())
            .unwrap_or(NonAnswer::PreferNotToSay);
        let answer = match &q.kind {
            QuestionKind::Grid { rows, .. } => Answer::Grid(
                rows.iter()
                    .map(|row| (row.id.clone(), GridCell::NonAnswer(n)))
                    .collect(),
            ),
            _ => Answer::NonAnswer(n),
        };
        r.insert(id(q.id.as_str()), answer);
    }
    r
}

#[test]
fn the_longest_responses_of_every_example_survey_fit_the_bound_and_read_back() {
    for source in EXAMPLES {
        let survey = Survey::parse(source).expect("parses");
        for response in [longest_response(&survey), non_answers_everywhere(&survey)] {
            let stored = response.to_stored(&survey).expect("every answer is placed");
            assert!(
                stored.len() <= survey.stored_response_bound(),
                "{}: {} bytes over a bound of {}",
                survey.id().as_str(),
                stored.len(),
                survey.stored_response_bound()
            );
            assert_eq!(Response::from_stored(&survey, &stored), Some(response));
        }
    }
}

#[test]
fn the_compact_form_is_several_times_smaller_than_json_for_the_demo() {
    let survey = Survey::parse(include_str!("../../surveys/demo.toml")).expect("parses");
    let longest = longest_response(&survey);
    let json = serde_json::to_vec(&longest).expect("json").len();
    let stored = longest.to_stored(&survey).expect("placed").len();
    assert!(stored * 4 < json, "{stored} bytes against {json} as JSON");
    assert!(
        survey.stored_response_bound() < 252,
        "fits one 256-byte record"
    );
}

const KINDS: &str = r#"
id = "kinds"
title = "Kinds"
[non_answers]
not_applicable = { text = "Not applicable" }
[[pages]]
title = "All"
  [[pages.questions]]
  id = "one"
  type = "single"
  role = "plain"
  text = "One?"
  dont_know = true
  non_answers = ["not_applicable"]
  options = [ { id = "a", text = "A" }, { id = "b", text = "B" } ]
  [[pages.questions]]
  id = "many"
  type = "multi"
  role = "plain"
  text = "Many?"
  options = [ { id = "o1", text = "1" }, { id = "o2", text = "2" }, { id = "o3", text = "3" }, { id = "o4", text = "4" }, { id = "o5", text = "5" }, { id = "o6", text = "6" }, { id = "o7", text = "7" }, { id = "o8", text = "8" }, { id = "o9", text = "9" } ]
  [[pages.questions]]
  id = "count"
  type = "number"
  role = "plain"
  text = "How many?"
  min = -5000000000
  max = 5000000000
  [[pages.questions]]
  id = "dose"
  type = "number"
  role = "plain"
  text = "Dose?"
  min = -10
  max = 100
  step = 0.25
  [[pages.questions]]
  id = "when"
  type = "date"
  role = "plain"
  text = "When?"
  min = "2000-01"
  max = "2026-12"
  [[pages.questions]]
  id = "day"
  type = "date"
  precision = "day"
  role = "plain"
  text = "Which day?"
  min = "2020-01-01"
  max = "2026-12-31"
  [[pages.questions]]
  id = "rate"
  type = "grid"
  role = "plain"
  text = "Rate"
  prefer_not_to_say = true
  rows = [ { id = "r1", text = "R1" }, { id = "r2", text = "R2" }, { id = "r3", text = "R3" } ]
  options = [ { id = "good", text = "Good" }, { id = "bad", text = "Bad" } ]
"#;

fn kinds() -> Survey {
    Survey::parse(KINDS).expect("parses")
}

#[test]
fn every_kind_of_answer_reads_back_as_itself() {
    let survey = kinds();
    let na = NonAnswer::Custom(NonAnswerId::parse("not_applicable").expect("id"));
    let grid = |cells: &[(&str, GridCell)]| {
        Answer::Grid(
            cells
                .iter()
                .map(|(r, c)| ((*r).to_owned(), c.clone()))
                .collect(),
        )
    };
    let cases: Vec<(&str, Answer)> = vec![
        ("one", Answer::Choice("b".into())),
        ("one", Answer::NonAnswer(NonAnswer::DontKnow)),
        ("one", Answer::NonAnswer(na)),
        ("many", Answer::Choices(vec![])),
        (
            "many",
            Answer::Choices(vec!["o1".into(), "o8".into(), "o9".into()]),
        ),
        ("count", Answer::Number(-5_000_000_000)),
        ("count", Answer::Number(0)),
        ("count", Answer::Number(5_000_000_000)),
        (
            "dose",
            Answer::Decimal(Decimal::parse("-9.75").expect("decimal")),
        ),
        (
            "dose",
            Answer::Decimal(Decimal::parse("12.50").expect("decimal")),
        ),
        (
            "when",
            Answer::Month(YearMonth::new(2024, 2).expect("month")),
        ),
        ("day", Answer::Day(Day::new(2024, 2, 29).expect("day"))),
        (
            "rate",
            grid(&[
                ("r3", GridCell::Choice("bad".into())),
                ("r1", GridCell::NonAnswer(NonAnswer::PreferNotToSay)),
            ]),
        ),
        ("rate", grid(&[])),
    ];
    for (q, answer) in cases {
        let mut r = Response::default();
        r.insert(id(q), answer.clone());
        let stored = r.to_stored(&survey).expect("placed");
        assert_eq!(
            Response::from_stored(&survey, &stored),
            Some(r),
            "{q}: {answer:?}"
        );
    }
    let mut all = longest_response(&survey);
    all.insert(id("one"), Answer::NonAnswer(na));
    let stored = all.to_stored(&survey).expect("placed");
    assert!(stored.len() <= survey.stored_response_bound());
    assert_eq!(Response::from_stored(&survey, &stored), Some(all));
}

#[test]
fn answers_the_definition_cannot_place_are_not_written_compactly() {
    let survey = kinds();
    for (q, answer) in [
        ("one", Answer::Choice("c".into())),
        ("many", Answer::Choices(vec!["o2".into(), "o1".into()])),
        ("many", Answer::Choices(vec!["o2".into(), "o2".into()])),
        ("many", Answer::Choices(vec!["zz".into()])),
        (
            "rate",
            Answer::Grid([("r9".to_owned(), GridCell::Choice("good".into()))].into()),
        ),
        ("elsewhere", Answer::Number(1)),
    ] {
        let mut r = Response::default();
        r.insert(id(q), answer);
        assert_eq!(r.to_stored(&survey), None, "{q}");
    }
}

#[test]
fn anything_but_an_exact_record_is_refused() {
    let survey = kinds();
    let mut r = Response::default();
    r.insert(id("one"), Answer::Choice("a".into()));
    r.insert(id("count"), Answer::Number(300));
    let stored = r.to_stored(&survey).expect("placed");
    // Cut short anywhere.
    for n in 1..stored.len() {
        let cut = &stored[..n];
        assert_ne!(Response::from_stored(&survey, cut), Some(r.clone()));
    }
    let refused: [&[u8]; 8] = [
        &[99, 4, 0],                  // no such question
        &[0, 4, 7],                   // no such option
        &[0, 42],                     // no such tag
        &[2, 6, 2, 0, 4, 0],          // questions out of order
        &[0, 4, 0, 0, 4, 1],          // the same question twice
        &[0x80, 0x00, 4, 0],          // a position with a redundant byte
        &[0, 3, 3, b'x', b'y', b'z'], // a non-answer the question does not declare
        &[2, 4, 0],                   // a choice for a number
    ];
    for bytes in refused {
        assert_eq!(Response::from_stored(&survey, bytes), None, "{bytes:?}");
    }
    assert_eq!(
        Response::from_stored(&survey, &[]),
        Some(Response::default())
    );
}
