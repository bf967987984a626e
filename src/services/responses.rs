//! A peer's actions: answering, checking a code before answering, and getting a code from an
//! open survey's landing page. Never audited — respondents never appear in the audit log — and
//! rate-limited per client at the edge, in memory.

use crate::installation::Chorus;
use crate::store::StoreError;
use crate::submissions::{self, Accepted, SubmitError};
use crate::survey::Mode;
use crate::surveys::SurveyState;
use crate::tokens::{self, code_hash, TokenCode};
use crate::vouchers;

/// What a peer is told after a durable submission.
#[derive(Debug)]
pub struct Submitted {
    /// The survey's `end_if` screened the person out: nothing was stored.
    pub screened_out: bool,
    /// The incentive voucher, when the survey offers one and a response was stored.
    pub voucher: Option<TokenCode>,
}

/// Parses, seals and stores one response, spending its code; `Ok` means durable. A survey with
/// an incentive gets a voucher written just before the response, so the flush that makes the
/// response durable makes the voucher durable too; a voucher whose response was refused (or
/// screened out) is taken back before anyone sees it.
pub async fn submit(
    chorus: &Chorus,
    survey: &str,
    code: &str,
    answers: &serde_json::Map<String, serde_json::Value>,
) -> Result<Submitted, SubmitError> {
    let key = chorus.vault.code_hash_key();
    let offers_incentive = chorus
        .surveys
        .get(survey)
        .is_some_and(|e| e.state == SurveyState::Open && e.survey.incentive().is_some());
    let voucher = if offers_incentive {
        Some(vouchers::issue(&chorus.store, key, survey)?)
    } else {
        None
    };
    let outcome =
        submissions::accept(&chorus.surveys, &chorus.store, key, survey, code, answers).await;
    let stored = matches!(outcome, Ok(Accepted::Stored));
    if let (Some(v), false) = (&voucher, stored) {
        vouchers::withdraw(&chorus.store, key, v)?;
    }
    Ok(Submitted {
        screened_out: outcome? == Accepted::ScreenedOut,
        voucher: voucher.filter(|_| stored),
    })
}

/// The survey an issued, unused code belongs to, and the code as displayed. Unknown, used and
/// mistyped codes are all `None`: one answer, so nobody learns whether a card was used.
pub fn unused_code(chorus: &Chorus, typed: &str) -> Result<Option<(String, String)>, StoreError> {
    let Ok(code) = TokenCode::parse(typed) else {
        return Ok(None);
    };
    Ok(chorus
        .store
        .code_get(&code_hash(chorus.vault.code_hash_key(), &code))?
        .filter(|rec| !rec.spent)
        .map(|rec| (code.display(), rec.survey)))
}

/// Why an open survey's landing page gives no code.
#[derive(Debug, thiserror::Error)]
pub enum OpenCodeError {
    #[error("there is no such survey")]
    NoSuchSurvey,
    #[error("this survey is closed")]
    Closed,
    #[error("This survey is by invitation: codes are handed out by the organisers.")]
    ByInvitation,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A fresh code for one visitor of an open survey, durable before it is shown.
pub async fn open_code(chorus: &Chorus, survey: &str) -> Result<TokenCode, OpenCodeError> {
    let entry = chorus
        .surveys
        .get(survey)
        .ok_or(OpenCodeError::NoSuchSurvey)?;
    match entry.state {
        SurveyState::Draft => return Err(OpenCodeError::NoSuchSurvey),
        SurveyState::Closed => return Err(OpenCodeError::Closed),
        SurveyState::Open => {}
    }
    if entry.survey.mode() != Mode::Open {
        return Err(OpenCodeError::ByInvitation);
    }
    let code = tokens::issue_open_code(&chorus.store, chorus.vault.code_hash_key(), survey)?;
    chorus.store.durable().await?;
    Ok(code)
}

/// Whether `survey` may give out open codes now (checked before the rate limit is spent).
pub fn offers_open_codes(chorus: &Chorus, survey: &str) -> Result<(), OpenCodeError> {
    let entry = chorus
        .surveys
        .get(survey)
        .ok_or(OpenCodeError::NoSuchSurvey)?;
    match (entry.state, entry.survey.mode()) {
        (SurveyState::Draft, _) => Err(OpenCodeError::NoSuchSurvey),
        (SurveyState::Closed, _) => Err(OpenCodeError::Closed),
        (SurveyState::Open, Mode::Open) => Ok(()),
        (SurveyState::Open, _) => Err(OpenCodeError::ByInvitation),
    }
}
