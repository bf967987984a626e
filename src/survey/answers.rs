//! Parsing a JSON answers object into a typed [`Response`], collecting every error.
//!
//! Error messages are plain English and never repeat a submitted value: answers can be
//! sensitive, and messages may end up in logs or on a shared screen.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};

use super::compute::BatchTags;
use super::definition::{MessageKind, Question, QuestionKind, Survey};
use super::ids::QuestionId;
pub use super::response::{Answer, GridCell, NonAnswer, Response};
use super::value::parse_one;

/// One problem with a submitted answer. `question` is the question id when there is one.
/// `survey_message` is the question's own wording for this kind of problem (`messages.required`
/// or `messages.invalid`, in the survey's default language), for clients that show errors to
/// peers; absent when the question has none.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerError {
    pub question: Option<String>,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub survey_message: Option<String>,
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
    parse_inner(survey, answers, usize::MAX, &BatchTags::new())
}

/// Like [`parse`], with the `from_batch` questions answered from the tags of the batch the
/// code came from (whatever the peer sent for them is ignored, as for any computed field).
pub fn parse_with_context(
    survey: &Survey,
    answers: &Map<String, Value>,
    tags: &BatchTags,
) -> Result<Response, Vec<AnswerError>> {
    // A peer may choose only what their site offers (`[variants]`); the survey they saw.
    parse_inner(&survey.for_site(tags), answers, usize::MAX, tags)
}

/// Like [`parse`], for a server-rendered flow that has reached page `last_page` (0-based):
/// answers to questions on later pages are errors, and `required` only applies up to it.
pub fn parse_through_page(
    survey: &Survey,
    answers: &Map<String, Value>,
    last_page: usize,
) -> Result<Response, Vec<AnswerError>> {
    parse_inner(survey, answers, last_page, &BatchTags::new())
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
        // An answer implied by earlier ones replaces whatever was sent.
        if survey.implied_answer(q, &response).is_some() {
            continue;
        }
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
    (survey.with_computed(shown), errors)
}

fn error(q: &Question, message: impl Into<String>) -> AnswerError {
    AnswerError {
        question: Some(q.id.to_string()),
        message: message.into(),
        survey_message: None,
    }
}

/// An answer the question does not take, with the question's own `messages.invalid`.
fn not_taken(q: &Question, message: impl Into<String>) -> AnswerError {
    AnswerError {
        survey_message: own_message(q, MessageKind::Invalid),
        ..error(q, message)
    }
}

/// A required answer left out, with the question's own `messages.required`.
fn required(q: &Question, message: impl Into<String>) -> AnswerError {
    AnswerError {
        survey_message: own_message(q, MessageKind::Required),
        ..error(q, message)
    }
}

fn own_message(q: &Question, kind: MessageKind) -> Option<String> {
    q.own_message(kind).map(|t| t.default_text().to_owned())
}

fn parse_inner(
    survey: &Survey,
    answers: &Map<String, Value>,
    last_page: usize,
    tags: &BatchTags,
) -> Result<Response, Vec<AnswerError>> {
    let mut errors = Vec::new();
    for key in answers.keys() {
        if survey.question(key).is_none() {
            errors.push(match QuestionId::parse(key) {
                Ok(_) => AnswerError {
                    question: Some(key.clone()),
                    message: "there is no question with this id".into(),
                    survey_message: None,
                },
                Err(_) => AnswerError {
                    question: None,
                    message: "an answer was given for a question that does not exist".into(),
                    survey_message: None,
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
            if survey.implied_answer(q, &response).is_some() {
                continue;
            }
            let mut errs = Vec::new();
            if page_index > last_page {
                errs.push(error(q, "this question is on a later page"));
            } else {
                match parse_one(q, value) {
                    Ok(Some(a)) => response.insert(q.id.clone(), a),
                    Ok(None) => {}
                    Err(messages) => errs.extend(messages.into_iter().map(|m| not_taken(q, m))),
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
    survey.with_batch_answers(&mut response, tags);
    let flow = survey.flow(&response);
    // Only an option with a `show_if` of its own can make what is kept differ from what was
    // sent, and most surveys have none: then there is nothing to compare.
    let options_conditional = survey
        .questions()
        .any(|q| q.kind.options().iter().any(|o| o.show_if.is_some()));
    let visible = options_conditional.then(|| survey.visible_answers_in(&response, &flow));
    for ((page_index, q), shown) in survey
        .pages()
        .iter()
        .enumerate()
        .flat_map(|(i, p)| p.questions.iter().map(move |q| (i, q)))
        .zip(flow.questions.iter().copied())
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
        } else if let Some(failed) = answered
            .then(|| survey.failed_checks(q, &response))
            .filter(|failed| !failed.is_empty())
        {
            for c in failed {
                errors.push(error(q, c.message.default_text()));
            }
        } else if answered
            && visible
                .as_ref()
                .is_some_and(|v| v.get(q.id.as_str()) != response.get(q.id.as_str()))
        {
            errors.push(not_taken(
                q,
                "an option chosen was not offered, given the other answers",
            ));
        } else if shown
            && q.required
            && page_index <= last_page
            && !answered
            && !invalid.contains(q.id.as_str())
        {
            errors.push(required(q, "this question needs an answer"));
        } else if shown && q.required && has_unanswered_rows(q, response.get(q.id.as_str())) {
            errors.push(required(q, "every row of this question needs an answer"));
        }
    }

    if errors.is_empty() {
        Ok(survey.with_computed(response))
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
