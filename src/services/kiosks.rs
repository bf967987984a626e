//! Kiosks for shared outreach tablets: an organiser opens one for a survey (workspace, API or
//! command line — all through `open_kiosk`) and closes it; a person at the tablet presses
//! "Start" and gets a fresh one-time code (`kiosk_code`, a peer's action: never audited, and
//! rate-limited per kiosk at the edge, in memory).

use super::{audit, survey_entry, Actor, ServiceError};
use crate::installation::Chorus;
use crate::kiosks::{self, Kiosk, KioskId, KioskToken};
use crate::store::StoreError;
use crate::survey::BatchTags;
use crate::surveys::SurveyState;
use crate::tokens::{self, TokenCode};

/// A kiosk as opened: the only moment its token is handed out (it is not kept anywhere).
pub struct OpenedKiosk {
    pub kiosk: Kiosk,
    /// The last part of the link, `/k/{token}`.
    pub token: String,
}

/// Opens a kiosk for an open survey, as a new batch with `tags`, working for `hours`.
pub fn open_kiosk(
    chorus: &Chorus,
    actor: &Actor,
    survey: &str,
    tags: &BatchTags,
    hours: u32,
) -> Result<OpenedKiosk, ServiceError> {
    let entry = survey_entry(chorus, survey)?;
    if entry.state != SurveyState::Open {
        return Err(ServiceError::KioskNeedsOpenSurvey(survey.to_owned()));
    }
    let problems = entry.survey.tag_problems(tags);
    if !problems.is_empty() {
        return Err(ServiceError::BadTags(problems.join("; ")));
    }
    let encoded = if tags.is_empty() {
        Vec::new()
    } else {
        serde_json::to_vec(tags).map_err(|_| StoreError::Corrupt)?
    };
    let batch = chorus.store.batch_create(survey, 0, &encoded)?;
    let expires = chorus.clock.now() + u64::from(hours) * 3600;
    let (kiosk, token) = kiosks::open(&chorus.store, survey, batch, expires)?;
    chorus.store.durable_blocking()?;
    let tagged: String = tags.iter().map(|(k, v)| format!(", {k}={v}")).collect();
    audit(
        chorus,
        actor,
        "open kiosk",
        Some(survey),
        Some(format!(
            "kiosk {}: batch {batch}, for {hours} hours{tagged}",
            kiosk.id.hex()
        )),
    );
    Ok(OpenedKiosk {
        token: token.encode(&chorus.session),
        kiosk,
    })
}

/// Closes a kiosk, named by its id or its link, for good; with `survey`, only one of that
/// survey's kiosks.
pub fn close_kiosk(
    chorus: &Chorus,
    actor: &Actor,
    survey: Option<&str>,
    named: &str,
) -> Result<Kiosk, ServiceError> {
    let id = KioskId::parse(&chorus.session, named).ok_or(ServiceError::NoSuchKiosk)?;
    let kiosk = kiosks::find(&chorus.store, id)?
        .filter(|k| survey.is_none_or(|s| s == k.survey))
        .ok_or(ServiceError::NoSuchKiosk)?;
    if kiosk.closed {
        return Err(ServiceError::KioskClosed);
    }
    kiosks::close(&chorus.store, &kiosk)?;
    chorus.store.durable_blocking()?;
    audit(
        chorus,
        actor,
        "close kiosk",
        Some(&kiosk.survey),
        Some(format!("kiosk {}", kiosk.id.hex())),
    );
    Ok(kiosk)
}

/// A survey's kiosks whose links work now (for the workspace; not audited).
pub fn working_kiosks(chorus: &Chorus, survey: &str) -> Result<Vec<Kiosk>, ServiceError> {
    Ok(kiosks::working(&chorus.store, survey, chorus.clock.now())?)
}

/// Why a kiosk link does not lead to a survey.
#[derive(Debug, thiserror::Error)]
pub enum KioskError {
    /// Not a link made here (mistyped or altered), or no such kiosk.
    #[error("there is no kiosk at this address")]
    Unknown,
    /// Closed by an organiser, or expired.
    #[error("this kiosk link was closed or has expired")]
    Gone,
    #[error("this survey is closed")]
    SurveyClosed,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The working kiosk behind a link (a peer's action: not audited).
pub fn kiosk_at(chorus: &Chorus, token: &str) -> Result<(Kiosk, KioskToken), KioskError> {
    let token = KioskToken::parse(&chorus.session, token).ok_or(KioskError::Unknown)?;
    let kiosk = kiosks::find(&chorus.store, token.id())?.ok_or(KioskError::Unknown)?;
    if !kiosk.working(chorus.clock.now()) {
        return Err(KioskError::Gone);
    }
    match chorus.surveys.get(&kiosk.survey).map(|e| e.state) {
        Some(SurveyState::Open) => Ok((kiosk, token)),
        Some(SurveyState::Closed) => Err(KioskError::SurveyClosed),
        Some(SurveyState::Draft) | None => Err(KioskError::Unknown),
    }
}

/// Whether `token` is a kiosk link made here (a cheap check for pages that carry it along).
pub fn is_kiosk_link(chorus: &Chorus, token: &str) -> bool {
    KioskToken::parse(&chorus.session, token).is_some()
}

/// A fresh one-time code from the kiosk's batch for the next person, durable before it is
/// shown (a peer's action: not audited; the edge limits how fast one kiosk draws codes).
pub async fn kiosk_code(chorus: &Chorus, kiosk: &Kiosk) -> Result<TokenCode, KioskError> {
    let code = tokens::issue_code_in_batch(
        &chorus.store,
        chorus.vault.code_hash_key(),
        &kiosk.survey,
        kiosk.batch,
    )?;
    chorus.store.durable().await?;
    Ok(code)
}
