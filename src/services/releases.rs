//! Publishing a release and reading published ones. A release is computed once, frozen, and
//! served byte for byte from then on; every download is audited.

use super::{audit, survey_entry, Actor, ServiceError};
use crate::installation::Chorus;
use crate::release;

/// Publishes the next release if the release rules allow it; returns its number. A refusal is
/// audited too (as "release refused", with why and no count): an organiser who fabricated all
/// but one of the responses a release needs could otherwise ask again and again, unseen, and
/// the first success would tell when the last card was used.
pub fn publish_release(chorus: &Chorus, actor: &Actor, survey: &str) -> Result<u32, ServiceError> {
    survey_entry(chorus, survey)?;
    match release::publish(&chorus.store, &chorus.surveys, survey, false) {
        Ok(number) => {
            let detail = format!("release {number}");
            audit(chorus, actor, "publish release", Some(survey), Some(detail));
            Ok(number)
        }
        Err(e) => {
            let why = refusal(&e).to_owned();
            audit(chorus, actor, "release refused", Some(survey), Some(why));
            Err(e.into())
        }
    }
}

/// Why a release was refused, in a few words for the audit log (no counts).
fn refusal(e: &release::PublishError) -> &'static str {
    use release::PublishError as E;
    match e {
        E::TooFewNew(_) | E::PublishedMeanwhile(_) => "too few new responses",
        E::BelowMinimum(_) => "too few responses for a first release",
        E::Shredded => "the survey was shredded",
        E::Closed(_) => "the survey is closed",
        E::NoSuchSurvey(_) => "no such survey",
        E::Unreadable | E::Store(_) => "could not be made",
    }
}

/// The numbers of a survey's published releases, oldest first.
pub fn release_numbers(chorus: &Chorus, survey: &str) -> Result<Vec<u32>, ServiceError> {
    survey_entry(chorus, survey)?;
    Ok(chorus.store.release_numbers(survey)?)
}

/// The survey's final release, if it is closed and has one (see `release::final_release`).
pub fn final_release(chorus: &Chorus, survey: &str) -> Result<Option<u32>, ServiceError> {
    survey_entry(chorus, survey)?;
    Ok(release::final_release(
        &chorus.store,
        &chorus.surveys,
        survey,
    )?)
}

/// Which release: the latest, or a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Latest,
    Number(u32),
}

impl Which {
    /// `latest` or a release number; anything else names no release.
    pub fn parse(text: &str) -> Option<Which> {
        match text {
            "latest" => Some(Which::Latest),
            n => n.parse().ok().map(Which::Number),
        }
    }
}

/// A published release's frozen document (JSON), with its number; `None` when there is none.
pub fn release_document(
    chorus: &Chorus,
    survey: &str,
    which: Which,
) -> Result<Option<(u32, String)>, ServiceError> {
    let entry = survey_entry(chorus, survey)?;
    let number = match which {
        Which::Latest => match release::latest_number(&chorus.store, survey)? {
            Some(n) => n,
            None => return Ok(None),
        },
        Which::Number(n) => n,
    };
    Ok(release::body(&chorus.store, &entry, number)?.map(|body| (number, body)))
}

/// A download of a release (JSON or the CSV zip), recorded in the audit log.
pub fn record_download(chorus: &Chorus, actor: &Actor, survey: &str, number: u32, format: &str) {
    audit(
        chorus,
        actor,
        "download release",
        Some(survey),
        Some(format!("release {number} as {format}")),
    );
}
