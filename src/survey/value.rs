//! Parsing one submitted answer against its question. Shared by the answer parser and by the
//! definition reader, which checks defaults and implied answers the same way.
//!
//! Error messages are plain English and never repeat a submitted value: answers can be
//! sensitive, and messages may end up in logs or on a shared screen.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::decimal::{Decimal, MAX_DECIMALS};
use super::definition::{Choice, Question, QuestionKind};
use super::month::{Day, YearMonth};
use super::response::{Answer, GridCell, NonAnswer};

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
pub(super) fn parse_one(q: &Question, v: &Value) -> Result<Option<Answer>, Vec<String>> {
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
