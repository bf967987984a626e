//! Free-text answers for organisers: read only as they were at the survey's latest release (a
//! snapshot taken when it was published, see `release::snapshot`), in a detached view (the words
//! alone — no other answer, no response, no time — in a fresh random order each time), never
//! counted, never exported, and never more of them than the release's tables say were asked
//! the question (`release::text_floor`), since a list of answers is a count. An organiser may
//! pick some of the words to quote in the next release. Every attempt to read, refused or not,
//! every pick and every taking back is audited.

use super::{audit, survey_entry, Actor, ServiceError};
use crate::installation::Chorus;
use crate::release::quotes::{self, QuoteGroup};
use crate::release::snapshot::{self, SnapshotError};
use crate::survey::QuestionKind;
use crate::surveys::SurveyEntry;
use serde::Serialize;

/// One free-text question's answers as they were at a release, detached: only the words,
/// freshly shuffled.
#[derive(Serialize)]
pub struct FreeText {
    pub question: String,
    /// The question's words (default language); not part of the API's answer.
    #[serde(skip)]
    pub title: String,
    /// The release whose snapshot these are: the survey's latest.
    pub release: u32,
    pub answers: Vec<String>,
    /// The conditions under which the question is asked (its page's and its own), as written:
    /// every answer tells that much about its writer. Not part of the API's answer.
    #[serde(skip)]
    pub asked_only_if: Option<String>,
    /// The survey is closed: no next release to quote in. Not part of the API's answer.
    #[serde(skip)]
    pub closed: bool,
}

/// Peers' words never reach a log through `{:?}`.
impl std::fmt::Debug for FreeText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FreeText")
            .field("question", &self.question)
            .field("release", &self.release)
            .field("answers", &"[redacted]")
            .finish()
    }
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

/// The release whose free text organisers read now (the latest), or why none can be read.
pub fn free_text_release(chorus: &Chorus, survey: &str) -> Result<u32, ServiceError> {
    let entry = survey_entry(chorus, survey)?;
    if entry.shredded {
        return Err(ServiceError::FreeTextShredded);
    }
    snapshot::latest(&chorus.store, survey).map_err(snapshot_error)
}

fn snapshot_error(e: SnapshotError) -> ServiceError {
    match e {
        SnapshotError::NoRelease => ServiceError::FreeTextNoRelease,
        SnapshotError::NotKept(n) => ServiceError::FreeTextNotKept(n),
        SnapshotError::Shredded => ServiceError::FreeTextShredded,
        SnapshotError::Unreadable => {
            ServiceError::Publish(crate::release::PublishError::Unreadable)
        }
        SnapshotError::Store(e) => ServiceError::Store(e),
    }
}

/// The survey and the question's words, if it is a free-text question of a survey that still
/// has its answers.
fn free_text_question(
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
    if entry.shredded {
        return Err(ServiceError::FreeTextShredded);
    }
    Ok((entry, title))
}

/// One question's answers in the latest release's snapshot. Nothing here looks at how many
/// responses the survey has now: what is shown changes only when a release is published.
fn at_latest_release(
    chorus: &Chorus,
    survey: &str,
    question: &str,
) -> Result<FreeText, ServiceError> {
    let (entry, title) = free_text_question(chorus, survey, question)?;
    let read = snapshot::read(&chorus.store, &entry, question).map_err(snapshot_error)?;
    let conditions: Vec<&str> = entry
        .survey
        .display_conditions(question)
        .map(|c| c.source())
        .collect();
    Ok(FreeText {
        question: question.to_owned(),
        title,
        release: read.release,
        answers: read.answers,
        asked_only_if: (!conditions.is_empty()).then(|| conditions.join(" and ")),
        closed: entry.state == crate::surveys::SurveyState::Closed,
    })
}

/// Reads one free-text question's answers as they were at the latest release, detached and
/// shuffled. Every attempt is audited, a refused one too: asking again and again leaves a
/// trail. The entry names the question and the release, never how many answers there are.
pub fn read_free_text(
    chorus: &Chorus,
    actor: &Actor,
    survey: &str,
    question: &str,
) -> Result<FreeText, ServiceError> {
    let read = at_latest_release(chorus, survey, question);
    let question_named = clipped(question);
    let detail = match &read {
        Ok(view) => format!("question {question_named}, as at release {}", view.release),
        Err(e) => format!("question {question_named}, refused: {}", refusal(e)),
    };
    audit(
        chorus,
        actor,
        "read free text",
        Some(&clipped(survey)),
        Some(detail),
    );
    read
}

/// An account that is not an organiser's tried to read free text (a researcher's or staff's
/// key or session): refused at the edge, and written in the audit log like every other refused
/// reading.
pub fn refuse_reading_to_another_role(
    chorus: &Chorus,
    actor: &Actor,
    survey: &str,
    question: &str,
) {
    audit(
        chorus,
        actor,
        "read free text",
        Some(&clipped(survey)),
        Some(format!(
            "question {}, refused: not an organiser",
            clipped(question)
        )),
    );
}

/// A name as it is written in the audit log: a refused attempt may name anything, so at most
/// 64 characters of it.
fn clipped(name: &str) -> String {
    name.chars().take(64).collect()
}

/// Why a reading was refused, in a few words for the audit log (no counts).
fn refusal(e: &ServiceError) -> String {
    match e {
        ServiceError::NoSuchSurvey(_) => "no such survey".into(),
        ServiceError::NoSuchFreeText { .. } => "not a free-text question".into(),
        ServiceError::FreeTextNoRelease => "no release yet".into(),
        ServiceError::FreeTextNotKept(n) => format!("release {n} kept no free text"),
        ServiceError::FreeTextShredded => "the survey was shredded".into(),
        _ => "could not be read".into(),
    }
}

/// Picks the words of one answer to quote in the next release; audited. Only words of the
/// latest release's snapshot — what organisers read — can be picked. Returns `false` if they
/// were already picked.
pub fn pick_quote(
    chorus: &Chorus,
    actor: &Actor,
    survey: &str,
    question: &str,
    text: &str,
) -> Result<bool, ServiceError> {
    if survey_entry(chorus, survey)?.state == crate::surveys::SurveyState::Closed {
        return Err(ServiceError::QuoteAfterClosing);
    }
    // Only words the organiser can read: those of the latest release's snapshot.
    let readable = at_latest_release(chorus, survey, question)?;
    if !readable.answers.iter().any(|a| a == text) {
        return Err(ServiceError::NotAnAnswer);
    }
    let entry = survey_entry(chorus, survey)?;
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
