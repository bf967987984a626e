//! Issuing a batch of one-time codes for an invite-mode survey (printed cards, CSV).

use super::{audit, survey_entry, Actor, ServiceError};
use crate::installation::Chorus;
use crate::survey::{BatchTags, Mode};
use crate::surveys::SurveyState;
use crate::tokens::{self, TokenCode};

/// The most codes one batch may hold.
pub const MAX_BATCH: usize = 100_000;

/// A batch as issued: the only moment its codes exist in plain form.
pub struct IssuedBatch {
    pub batch: u32,
    pub codes: Vec<TokenCode>,
}

/// Issues `count` codes as a new batch. Only invite-mode surveys have cards (an open survey's
/// landing page hands out codes), and a closed survey takes no more.
pub fn issue_codes(
    chorus: &Chorus,
    actor: &Actor,
    survey: &str,
    count: usize,
    tags: &BatchTags,
) -> Result<IssuedBatch, ServiceError> {
    let entry = survey_entry(chorus, survey)?;
    if entry.survey.mode() != Mode::Invite {
        return Err(ServiceError::OpenModeHasNoCards(survey.to_owned()));
    }
    if entry.state == SurveyState::Closed {
        return Err(ServiceError::ClosedForCodes(survey.to_owned()));
    }
    if !(1..=MAX_BATCH).contains(&count) {
        return Err(ServiceError::BatchSize);
    }
    let problems = entry.survey.tag_problems(tags);
    if !problems.is_empty() {
        return Err(ServiceError::BadTags(problems.join("; ")));
    }
    let (batch, codes) = tokens::issue_tagged_batch(
        &chorus.store,
        chorus.vault.code_hash_key(),
        survey,
        count,
        tags,
    )?;
    let tagged: String = tags.iter().map(|(k, v)| format!(", {k}={v}")).collect();
    audit(
        chorus,
        actor,
        "issue codes",
        Some(survey),
        Some(format!(
            "batch {batch}: {count} {}{tagged}",
            if count == 1 { "code" } else { "codes" }
        )),
    );
    Ok(IssuedBatch { batch, codes })
}
