//! How many answers to a free-text question a release lets organisers read: never more than its
//! tables say were asked it, read as a reader reads them.

use super::text_floor::{asked_at_least, pick};
use crate::disclosure::{protect_catalogue, Released};
use crate::submissions::StoredText;
use crate::survey::{Answer, QuestionId, Response, Survey};
use crate::tally::tally;

const SURVEY: &str = r#"
id = "floors"
title = "Floors"
threshold = 10
min_responses = 30
[[pages]]
title = "P"
  [[pages.questions]]
  id = "used"
  type = "single"
  role = "sensitive"
  text = "Used?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
  [[pages.questions]]
  id = "seen"
  type = "number"
  role = "sensitive"
  min = 0
  max = 50
  bands = [[0, 0], [1, 2], [3, 50]]
  text = "Overdoses seen?"
  [[pages.questions]]
  id = "anything"
  type = "text"
  role = "free_text"
  text = "Anything else?"
  [[pages.questions]]
  id = "why_used"
  type = "text"
  role = "free_text"
  show_if = "used == 'yes'"
  text = "Why?"
  [[pages.questions]]
  id = "what_seen"
  type = "text"
  role = "free_text"
  show_if = "seen > 0"
  text = "What happened?"
  [[pages.questions]]
  id = "both"
  type = "text"
  role = "free_text"
  show_if = "used == 'yes' and seen > 0"
  text = "And?"
"#;

/// `yes` people who used and `no` who did not; `seen` as given, one after another.
fn release(yes: usize, no: usize, seen: &[i64]) -> (Survey, Vec<Released>) {
    let survey = Survey::parse(SURVEY).expect("parses");
    let records: Vec<(u32, Response)> = (0..yes + no)
        .map(|i| {
            let mut r = Response::default();
            let used = if i < yes { "yes" } else { "no" };
            r.insert(
                QuestionId::parse("used").expect("id"),
                Answer::Choice(used.into()),
            );
            r.insert(
                QuestionId::parse("seen").expect("id"),
                Answer::Number(seen[i % seen.len()]),
            );
            (
                u32::try_from(i).expect("small").wrapping_mul(2_654_435_761),
                r,
            )
        })
        .collect();
    let catalogue = tally(&survey, records.iter().map(|(k, r)| (*k, r)));
    let released = protect_catalogue(&catalogue, survey.threshold(), &[]);
    (survey, released)
}

fn shown(released: &[Released], table: &str, row: &str) -> Option<u64> {
    let t = released.iter().find(|t| t.id() == table)?.shown()?;
    let at = t.rows.categories.iter().position(|c| c.id == row)?;
    t.cells[at].count
}

fn floor(survey: &Survey, released: &[Released], question: &str) -> u64 {
    asked_at_least(
        survey,
        released,
        survey.question(question).expect("question"),
    )
}

#[test]
fn a_question_for_one_answer_is_read_up_to_that_answers_shown_count_and_not_at_all_while_hidden() {
    let (survey, released) = release(40, 30, &[0, 1, 5]);
    let yes = shown(&released, "used", "yes").expect("40 shown");
    assert_eq!(floor(&survey, &released, "why_used"), (yes - 2).max(10));

    let (survey, released) = release(4, 40, &[0, 1, 5]);
    assert_eq!(shown(&released, "used", "yes"), None, "4 hidden");
    assert_eq!(floor(&survey, &released, "why_used"), 0);
}

#[test]
fn a_question_asked_of_everyone_is_read_up_to_the_largest_table_total() {
    let (survey, released) = release(40, 30, &[0, 1, 5]);
    let largest = released
        .iter()
        .filter_map(Released::shown)
        .filter(|t| t.columns.is_none())
        .filter_map(|t| t.total.count)
        .max()
        .expect("a total");
    assert_eq!(floor(&survey, &released, "anything"), largest - 2);
}

#[test]
fn a_number_condition_counts_the_bands_it_holds_for_whole() {
    // seen > 0 holds for every number in 1–2 and 3–50, and for none in 0–0.
    let (survey, released) = release(40, 30, &[0, 1, 1, 5, 5, 5]);
    let ones = shown(&released, "seen", "1-2").expect("shown");
    let more = shown(&released, "seen", "3-50").expect("shown");
    assert_eq!(
        floor(&survey, &released, "what_seen"),
        (ones - 2).max(10) + (more - 2).max(10)
    );
}

#[test]
fn a_condition_on_two_questions_says_nothing() {
    let (survey, released) = release(40, 30, &[0, 1, 5]);
    assert_eq!(floor(&survey, &released, "both"), 0);
}

fn texts(question: &str, words: &[&str]) -> Vec<StoredText> {
    words
        .iter()
        .map(|w| StoredText {
            question: question.into(),
            text: (*w).into(),
        })
        .collect()
}

fn of(kept: &[StoredText], question: &str) -> Vec<String> {
    let mut out: Vec<String> = kept
        .iter()
        .filter(|t| t.question == question)
        .map(|t| t.text.clone())
        .collect();
    out.sort();
    out
}

#[test]
fn a_snapshot_keeps_what_was_read_before_and_adds_only_up_to_what_is_allowed() {
    let all = ["a", "b", "c", "d", "e", "f", "same", "same"];
    let mut now = texts("q", &all);
    now.extend(texts("r", &["x", "y"]));
    let before = texts("q", &["c", "same"]);
    for _ in 0..20 {
        let kept = pick(
            now.iter()
                .map(|t| StoredText {
                    question: t.question.clone(),
                    text: t.text.clone(),
                })
                .collect(),
            texts("q", &["c", "same"]),
            |q| if q == "q" { 5 } else { 0 },
        );
        let q = of(&kept, "q");
        assert_eq!(q.len(), 5, "{q:?}");
        for read in of(&before, "q") {
            assert!(q.contains(&read), "{read} read before, kept: {q:?}");
        }
        assert!(of(&kept, "r").is_empty(), "nothing allowed for r");
    }
    // Fewer allowed than were read before: what was read stays, nothing is added.
    let kept = pick(texts("q", &all), texts("q", &["a", "b", "c"]), |_| 1);
    assert_eq!(of(&kept, "q"), vec!["a", "b", "c"]);
    // More allowed than there are: all of them.
    let kept = pick(texts("q", &all), Vec::new(), |_| 100);
    assert_eq!(of(&kept, "q").len(), all.len());
}
