//! Parsing a JSON answers object into a typed [`Response`], collecting every error.
//!
//! Error messages are plain English and never repeat a submitted value: answers can be
//! sensitive, and messages may end up in logs or on a shared screen.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::decimal::{Decimal, MAX_DECIMALS};
use super::definition::{Choice, Question, QuestionKind, Survey};
use super::ids::QuestionId;
use super::month::{Day, YearMonth};
pub use super::response::{Answer, GridCell, NonAnswer, Response};

/// One problem with a submitted answer. `question` is the question id when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerError {
    pub question: Option<String>,
    pub message: String,
}

impl fmt::Display for AnswerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.question {
            Some(q) => write!(f, "{q}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for AnswerError {}

/// Parses a complete answers object (`{"age": 31, "drugs": ["heroin"], ...}`) against `survey`.
/// Returns every error, in definition order, unknown questions first.
pub fn parse(survey: &Survey, answers: &Map<String, Value>) -> Result<Response, Vec<AnswerError>> {
    parse_inner(survey, answers, usize::MAX)
}

/// Like [`parse`], for a server-rendered flow that has reached page `last_page` (0-based):
/// answers to questions on later pages are errors, and `required` only applies up to it.
pub fn parse_through_page(
    survey: &Survey,
    answers: &Map<String, Value>,
    last_page: usize,
) -> Result<Response, Vec<AnswerError>> {
    parse_inner(survey, answers, last_page)
}

/// For the page-by-page flow: every answer that parses and belongs to a shown question, and the
/// errors of the shown questions whose answers did not parse. Answers to questions that are no
/// longer shown (an earlier answer changed) are dropped, not reported; `required` is left to the
/// caller, which knows which page the person is on.
pub fn parse_partial(
    survey: &Survey,
    answers: &Map<String, Value>,
) -> (Response, BTreeMap<QuestionId, Vec<String>>) {
    let mut response = Response::default();
    let mut errors = BTreeMap::new();
    for q in survey.questions() {
        let Some(value) = answers.get(q.id.as_str()).filter(|_| q.compute.is_none()) else {
            continue;
        };
        match parse_one(q, value) {
            Ok(Some(a)) => response.insert(q.id.clone(), a),
            Ok(None) => {}
            Err(messages) => {
                errors.insert(q.id.clone(), messages);
            }
        }
    }
    let shown = survey.visible_answers(&response);
    for q in survey.questions() {
        for c in survey.failed_checks(q, &shown) {
            errors
                .entry(q.id.clone())
                .or_default()
                .push(c.message.default_text().to_owned());
        }
    }
    errors.retain(|id, _| {
        survey
            .question(id.as_str())
            .is_some_and(|q| survey.question_visible(q, &shown))
    });
    (survey.with_computed(&shown), errors)
}

fn error(q: &Question, message: impl Into<String>) -> AnswerError {
    AnswerError {
        question: Some(q.id.to_string()),
        message: message.into(),
    }
}

fn parse_inner(
    survey: &Survey,
    answers: &Map<String, Value>,
    last_page: usize,
) -> Result<Response, Vec<AnswerError>> {
    let mut errors = Vec::new();
    for key in answers.keys() {
        if survey.question(key).is_none() {
            errors.push(match QuestionId::parse(key) {
                Ok(_) => AnswerError {
                    question: Some(key.clone()),
                    message: "there is no question with this id".into(),
                },
                Err(_) => AnswerError {
                    question: None,
                    message: "an answer was given for a question that does not exist".into(),
                },
            });
        }
    }

    let mut response = Response::default();
    let mut invalid: BTreeSet<&str> = BTreeSet::new();
    let mut per_question: BTreeMap<&str, Vec<AnswerError>> = BTreeMap::new();
    for (page_index, page) in survey.pages().iter().enumerate() {
        for q in &page.questions {
            let Some(value) = answers.get(q.id.as_str()).filter(|_| q.compute.is_none()) else {
                continue;
            };
            let mut errs = Vec::new();
            if page_index > last_page {
                errs.push(error(q, "this question is on a later page"));
            } else {
                match parse_one(q, value) {
                    Ok(Some(a)) => response.insert(q.id.clone(), a),
                    Ok(None) => {}
                    Err(messages) => errs.extend(messages.into_iter().map(|m| error(q, m))),
                }
            }
            if !errs.is_empty() {
                invalid.insert(q.id.as_str());
                per_question.insert(q.id.as_str(), errs);
            }
        }
    }

    // Peers never answer computed fields: whatever was sent for one is ignored.
    for q in survey.questions().filter(|q| q.compute.is_some()) {
        response.remove(q.id.as_str());
    }
    let flow = survey.flow(&response);
    let visible = survey.visible_answers(&response);
    for ((page_index, q), shown) in survey
        .pages()
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.questions.iter().map(move |q| (i, q)))
        .zip(flow.questions)
    {
        if let Some(errs) = per_question.remove(q.id.as_str()) {
            errors.extend(errs);
        }
        let answered = response.get(q.id.as_str()).is_some();
        if answered && !shown {
            errors.push(error(
                q,
                "this question was not shown, given the other answers, so it can't be answered",
            ));
        } else if answered && !survey.failed_checks(q, &response).is_empty() {
            for c in survey.failed_checks(q, &response) {
                errors.push(error(q, c.message.default_text()));
            }
        } else if answered && visible.get(q.id.as_str()) != response.get(q.id.as_str()) {
            errors.push(error(
                q,
                "an option chosen was not offered, given the other answers",
            ));
        } else if shown
            && q.required
            && page_index <= last_page
            && !answered
            && !invalid.contains(q.id.as_str())
        {
            errors.push(error(q, "this question needs an answer"));
        } else if shown && q.required && has_unanswered_rows(q, response.get(q.id.as_str())) {
            errors.push(error(q, "every row of this question needs an answer"));
        }
    }

    if errors.is_empty() {
        Ok(survey.with_computed(&response))
    } else {
        Err(errors)
    }
}

/// A grid answer that leaves some rows out.
fn has_unanswered_rows(q: &Question, answer: Option<&Answer>) -> bool {
    match (&q.kind, answer) {
        (QuestionKind::Grid { rows, .. }, Some(Answer::Grid(cells))) => {
            rows.iter().any(|r| !cells.contains_key(&r.id))
        }
        _ => false,
    }
}

const WANT_OPTION: &str = "the answer must be one of the option ids, as a string";

fn non_answer(q: &Question, s: &str) -> Option<Result<NonAnswer, String>> {
    if let Some(n) = q.non_answer_from_wire(s) {
        return Some(Ok(n));
    }
    let n = NonAnswer::from_wire(s)?;
    Some(if q.allows(n) {
        Ok(n)
    } else {
        Err(format!("{} is not offered for this question", n.label()))
    })
}

fn choice(options: &[Choice], s: &str) -> Result<String, String> {
    if options.iter().any(|o| o.id == s) {
        Ok(s.to_owned())
    } else {
        Err("this is not one of the options".into())
    }
}

fn integer(v: &Value, min: i64, max: i64) -> Result<i64, String> {
    let Some(n) = v.as_i64() else {
        return Err("the answer must be a whole number".into());
    };
    if n < min || n > max {
        return Err(format!("the answer must be between {min} and {max}"));
    }
    Ok(n)
}

/// One answer; `Ok(None)` means unanswered (`null`, empty text, empty grid).
fn parse_one(q: &Question, v: &Value) -> Result<Option<Answer>, Vec<String>> {
    let one = |r: Result<Answer, String>| r.map(Some).map_err(|e| vec![e]);
    if v.is_null() {
        return Ok(None);
    }
    if let QuestionKind::Note = q.kind {
        return Err(vec![
            "this is a note, not a question, so it takes no answer".into(),
        ]);
    }
    // Grids take non-answers per row, not for the whole grid.
    let whole_non_answer = match q.kind {
        QuestionKind::Grid { .. } => None,
        _ => v.as_str().and_then(|s| non_answer(q, s)),
    };
    if let Some(r) = whole_non_answer {
        return one(r.map(Answer::NonAnswer));
    }
    match &q.kind {
        QuestionKind::Single { options, .. } | QuestionKind::Likert { options } => match v {
            Value::String(s) => one(choice(options, s).map(Answer::Choice)),
            _ => Err(vec![WANT_OPTION.into()]),
        },
        QuestionKind::Multi {
            options,
            min_choices,
            max_choices,
        } => parse_multi(options, *min_choices, *max_choices, v),
        QuestionKind::Number { min, max, .. } | QuestionKind::Scale { min, max, .. } => {
            one(integer(v, *min, *max).map(Answer::Number))
        }
        QuestionKind::Grid { rows, options } => parse_grid(q, rows, options, v),
        QuestionKind::Date { min, max } => {
            let Some(m) = v.as_str().and_then(YearMonth::parse) else {
                return Err(vec!["the answer must be a month written as YYYY-MM".into()]);
            };
            if let Some(min) = min.filter(|min| m < *min) {
                return Err(vec![format!("the month can't be before {min}")]);
            }
            if let Some(max) = max.filter(|max| m > *max) {
                return Err(vec![format!("the month can't be after {max}")]);
            }
            one(Ok(Answer::Month(m)))
        }
        QuestionKind::Decimal { min, max, step, .. } => {
            // A JSON number is read from its digits, so 0.1 stays 0.1.
            let d = match v {
                Value::Number(n) => Decimal::parse(&n.to_string()),
                Value::String(s) => Decimal::parse(s),
                _ => None,
            };
            let Some(d) = d else {
                return Err(vec![format!(
                    "the answer must be a number with at most {MAX_DECIMALS} decimals"
                )]);
            };
            if d < *min || d > *max {
                return Err(vec![format!("the answer must be between {min} and {max}")]);
            }
            if !d.on_step(*min, *step) {
                return Err(vec![format!(
                    "the answer must be {min} plus a whole number of steps of {step}"
                )]);
            }
            one(Ok(Answer::Decimal(d)))
        }
        QuestionKind::Day { min, max } => {
            let Some(d) = v.as_str().and_then(Day::parse) else {
                return Err(vec!["the answer must be a day written as YYYY-MM-DD".into()]);
            };
            if d < *min || d > *max {
                return Err(vec![format!("the day must be between {min} and {max}")]);
            }
            one(Ok(Answer::Day(d)))
        }
        QuestionKind::Text { max_length } => {
            let Some(s) = v.as_str() else {
                return Err(vec!["the answer must be text".into()]);
            };
            let s = s.trim();
            if s.is_empty() {
                return Ok(None);
            }
            if s.chars().count() > *max_length {
                return Err(vec![format!(
                    "the answer is longer than {max_length} characters"
                )]);
            }
            if s.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            {
                return Err(vec![
                    "the answer contains characters that are not allowed".into()
                ]);
            }
            one(Ok(Answer::Text(s.to_owned())))
        }
        QuestionKind::Note => Ok(None),
    }
}

fn parse_multi(
    options: &[Choice],
    min_choices: Option<u32>,
    max_choices: Option<u32>,
    v: &Value,
) -> Result<Option<Answer>, Vec<String>> {
    let Some(items) = v.as_array() else {
        return Err(vec!["the answer must be a list of option ids".into()]);
    };
    if items.is_empty() {
        return Err(vec![
            "choose at least one option, or leave the question out".into(),
        ]);
    }
    let mut errs = Vec::new();
    let mut chosen: BTreeSet<&str> = BTreeSet::new();
    let mut duplicate = false;
    for item in items {
        match item.as_str() {
            Some(s) if options.iter().any(|o| o.id == s) => duplicate |= !chosen.insert(s),
            Some(s) if NonAnswer::from_wire(s).is_some() => errs.push(
                "a non-answer must be given on its own, as a string, not in a list".to_string(),
            ),
            Some(_) => errs.push("one of the chosen options is not an option".into()),
            None => errs.push("the answer must be a list of option ids".into()),
        }
    }
    if duplicate {
        errs.push("an option was chosen more than once".into());
    }
    if chosen.len() > 1 {
        for o in options
            .iter()
            .filter(|o| o.exclusive && chosen.contains(o.id.as_str()))
        {
            errs.push(format!(
                "option '{}' can't be combined with other options",
                o.id
            ));
        }
    }
    let n = chosen.len();
    if errs.is_empty() {
        if let Some(min) = min_choices.filter(|m| (n as u64) < u64::from(*m)) {
            errs.push(format!("choose at least {min} options"));
        }
        if let Some(max) = max_choices.filter(|m| (n as u64) > u64::from(*m)) {
            errs.push(format!("choose at most {max} options"));
        }
    }
    if !errs.is_empty() {
        errs.dedup();
        return Err(errs);
    }
    // Keep the definition's order, so equal sets serialize identically.
    let ordered = options
        .iter()
        .filter(|o| chosen.contains(o.id.as_str()))
        .map(|o| o.id.clone())
        .collect();
    Ok(Some(Answer::Choices(ordered)))
}

fn parse_grid(
    q: &Question,
    rows: &[Choice],
    options: &[Choice],
    v: &Value,
) -> Result<Option<Answer>, Vec<String>> {
    let Some(obj) = v.as_object() else {
        return Err(vec![
            "the answer must be an object giving an option id for each row".into(),
        ]);
    };
    let mut errs = Vec::new();
    let mut cells = BTreeMap::new();
    for (row_id, cell) in obj {
        let Some(row) = rows.iter().find(|r| &r.id == row_id) else {
            errs.push("an answer was given for a row that does not exist".to_string());
            continue;
        };
        let parsed = match cell {
            Value::Null => continue,
            Value::String(s) => match non_answer(q, s) {
                Some(r) => r.map(GridCell::NonAnswer),
                None => choice(options, s).map(GridCell::Choice),
            },
            _ => Err(WANT_OPTION.into()),
        };
        match parsed {
            Ok(c) => {
                cells.insert(row.id.clone(), c);
            }
            Err(e) => errs.push(format!("row '{}': {e}", row.id)),
        }
    }
    if !errs.is_empty() {
        errs.dedup();
        return Err(errs);
    }
    Ok((!cells.is_empty()).then_some(Answer::Grid(cells)))
}
