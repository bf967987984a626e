//! Free-text answers for organisers: read only in a detached view (the words alone — no other
//! answer, no response, no time — in a fresh random order each time), only once the survey has
//! `min_responses` responses, never counted, never exported. An organiser may pick some of the
//! words to quote in the next release. Every view and every pick is audited.

use super::{audit, survey_entry, Actor, ServiceError};
use crate::installation::Chorus;
use crate::release::quotes::{self, QuoteGroup};
use crate::submissions::{free_text_answers, OpenAllError};
use crate::survey::QuestionKind;
use crate::surveys::SurveyEntry;
use serde::Serialize;

/// One free-text question's answers, detached: only the words, freshly shuffled.
#[derive(Debug, Serialize)]
pub struct FreeText {
    pub question: String,
    /// The question's words (default language); not part of the API's answer.
    #[serde(skip)]
    pub title: String,
    pub answers: Vec<String>,
}

/// The free-text questions of a survey: (id, words in the default language).
pub fn free_text_questions(
    chorus: &Chorus,
    survey: &str,
) -> Result<Vec<(String, String)>, ServiceError> {
    let entry = survey_entry(chorus, survey)?;
    Ok(entry
        .survey
        .questions()
        .filter(|q| matches!(q.kind, QuestionKind::Text { .. }))
        .map(|q| (q.id.as_str().to_owned(), q.text.default_text().to_owned()))
        .collect())
}

/// The survey, once it has enough responses for its free text to be read, and the question's
/// words.
fn readable(
    chorus: &Chorus,
    survey: &str,
    question: &str,
) -> Result<(std::sync::Arc<SurveyEntry>, String), ServiceError> {
    let entry = survey_entry(chorus, survey)?;
    let title = entry
        .survey
        .question(question)
        .filter(|q| matches!(q.kind, QuestionKind::Text { .. }))
        .map(|q| q.text.default_text().to_owned())
        .ok_or_else(|| ServiceError::NoSuchFreeText {
            survey: survey.to_owned(),
            question: question.to_owned(),
        })?;
    // Shredded first: its count of responses is 0, and "too few responses" would be false.
    if entry.shredded {
        return Err(ServiceError::FreeTextShredded);
    }
    let needed = entry.survey.min_responses();
    if chorus.store.response_count(survey) < needed as usize {
        return Err(ServiceError::FreeTextTooFew(needed));
    }
    Ok((entry, title))
}

fn answers(
    chorus: &Chorus,
    entry: &SurveyEntry,
    question: &str,
) -> Result<Vec<String>, ServiceError> {
    free_text_answers(&chorus.store, entry, question).map_err(|e| match e {
        OpenAllError::Shredded => ServiceError::FreeTextShredded,
        OpenAllError::Unreadable => ServiceError::Publish(crate::release::PublishError::Unreadable),
        OpenAllError::Store(e) => ServiceError::Store(e),
    })
}

/// Reads one free-text question's answers, detached and shuffled; audited.
pub fn read_free_text(
    chorus: &Chorus,
    actor: &Actor,
    survey: &str,
    question: &str,
) -> Result<FreeText, ServiceError> {
    let (entry, title) = readable(chorus, survey, question)?;
    let answers = answers(chorus, &entry, question)?;
    audit(
        chorus,
        actor,
        "read free text",
        Some(survey),
        Some(format!("question {question}")),
    );
    Ok(FreeText {
        question: question.to_owned(),
        title,
        answers,
    })
}

/// Picks the words of one answer to quote in the next release; audited. Only words someone
/// actually gave to that question can be picked. Returns `false` if they were already picked.
pub fn pick_quote(
    chorus: &Chorus,
    actor: &Actor,
    survey: &str,
    question: &str,
    text: &str,
) -> Result<bool, ServiceError> {
    let (entry, _) = readable(chorus, survey, question)?;
    if !answers(chorus, &entry, question)?.iter().any(|a| a == text) {
        return Err(ServiceError::NotAnAnswer);
    }
    let added = quotes::pick(&chorus.store, &entry, question, text).map_err(quote_error)?;
    audit(
        chorus,
        actor,
        "pick quote",
        Some(survey),
        Some(format!("question {question}, for the next release")),
    );
    Ok(added)
}

/// Takes back a pick before the next release; audited. Returns `false` if it was not picked.
pub fn unpick_quote(
    chorus: &Chorus,
    actor: &Actor,
    survey: &str,
    question: &str,
    text: &str,
) -> Result<bool, ServiceError> {
    let entry = survey_entry(chorus, survey)?;
    let removed = quotes::unpick(&chorus.store, &entry, question, text).map_err(quote_error)?;
    audit(
        chorus,
        actor,
        "take back quote",
        Some(survey),
        Some(format!("question {question}")),
    );
    Ok(removed)
}

/// The quotes picked for the next release, under their questions.
pub fn picked_quotes(chorus: &Chorus, survey: &str) -> Result<Vec<QuoteGroup>, ServiceError> {
    let entry = survey_entry(chorus, survey)?;
    quotes::pending(&chorus.store, &entry).map_err(quote_error)
}

fn quote_error(e: quotes::QuoteError) -> ServiceError {
    match e {
        quotes::QuoteError::Shredded => ServiceError::FreeTextShredded,
        quotes::QuoteError::Store(e) => ServiceError::Store(e),
    }
}
