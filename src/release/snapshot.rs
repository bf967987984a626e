//! The free text organisers read: a snapshot of a survey's free-text answers taken when a
//! release is published, sealed with the survey's data key and kept with that release. Only
//! the latest release's snapshot is ever read.
//!
//! Reading the live answers let an organiser learn one person's words, or only whether they had
//! answered: watch the answers while that person's card is out, and the difference between two
//! readings is theirs. A snapshot changes only when a release is published, and a release needs
//! max(T, 20% of the previous release) new responses (see `rule`), so the difference between two
//! snapshots is the words of at least that many people — the same protection releases have.

use super::{PublishError, Stored};
use crate::store::{Store, StoreError};
use crate::submissions::StoredText;
use crate::surveys::SurveyEntry;
use crate::vault::random_array;

/// Why a survey's free text cannot be read now.
#[derive(Debug, thiserror::Error)]
pub enum SnapshotError {
    /// No release yet: there is nothing to read.
    #[error("the survey has no release yet")]
    NoRelease,
    /// The latest release was published before releases kept their free text.
    #[error("release {0} was published before releases kept their free text")]
    NotKept(u32),
    #[error("the survey has been shredded")]
    Shredded,
    #[error("a free-text answer could not be opened with the survey's key")]
    Unreadable,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One question's answers as they were at a release.
pub struct FreeTextAtRelease {
    pub release: u32,
    /// The words alone, in a fresh random order.
    pub answers: Vec<String>,
}

/// Peers' words never reach a log through `{:?}`.
impl std::fmt::Debug for FreeTextAtRelease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FreeTextAtRelease")
            .field("release", &self.release)
            .field("answers", &"[redacted]")
            .finish()
    }
}

/// Seals `texts` under fresh random ids as release `release`'s snapshot and stores them (durable
/// with the release, which is stored after them).
pub(super) fn keep(
    store: &Store,
    entry: &SurveyEntry,
    release: u32,
    texts: Vec<StoredText>,
) -> Result<(), PublishError> {
    let survey = entry.survey.id().as_str();
    let key = entry.data_key.as_ref().ok_or(PublishError::Shredded)?;
    // Sealed as they are written, a chunk at a time (see `Store::snapshot_put`).
    let copies = texts.iter().map(|text| {
        let plain =
            zeroize::Zeroizing::new(serde_json::to_vec(text).map_err(|_| StoreError::Corrupt)?);
        let copy_id: [u8; 16] = random_array();
        let snapshot_id = [&release.to_be_bytes()[..], &copy_id].concat();
        Ok((
            copy_id.to_vec(),
            key.seal_snapshot_text(survey, &snapshot_id, &plain),
        ))
    });
    store.snapshot_put(survey, release, copies)?;
    Ok(())
}

/// The release whose snapshot is read: the latest, if it kept one.
pub fn latest(store: &Store, survey: &str) -> Result<u32, SnapshotError> {
    let latest = super::latest_number(store, survey)?.ok_or(SnapshotError::NoRelease)?;
    let stored: Stored = super::stored(store, survey, latest)?;
    if stored.free_text_snapshot {
        Ok(latest)
    } else {
        Err(SnapshotError::NotKept(latest))
    }
}

/// Question `question`'s answers in the latest release's snapshot, freshly shuffled.
pub fn read(
    store: &Store,
    entry: &SurveyEntry,
    question: &str,
) -> Result<FreeTextAtRelease, SnapshotError> {
    use rand::seq::SliceRandom;
    use rand::SeedableRng;
    let survey = entry.survey.id().as_str();
    loop {
        let release = latest(store, survey)?;
        let mut answers: Vec<String> = texts_at(store, entry, release)?
            .into_iter()
            .filter(|t| t.question == question)
            .map(|t| t.text)
            .collect();
        // A release published while this was read removes the older snapshot as it goes: read
        // again, from the new one, rather than show part of the old.
        if super::latest_number(store, survey)? != Some(release) {
            continue;
        }
        let mut rng = rand::rngs::StdRng::from_seed(random_array());
        answers.shuffle(&mut rng);
        return Ok(FreeTextAtRelease { release, answers });
    }
}

/// Every answer the latest release's snapshot holds, for the next snapshot to keep (none when
/// there is no release yet, or the latest kept no snapshot).
pub(super) fn at_latest(
    store: &Store,
    entry: &SurveyEntry,
) -> Result<Vec<StoredText>, SnapshotError> {
    match latest(store, entry.survey.id().as_str()) {
        Ok(release) => texts_at(store, entry, release),
        Err(SnapshotError::NoRelease | SnapshotError::NotKept(_)) => Ok(Vec::new()),
        Err(e) => Err(e),
    }
}

/// The answers of release `release`'s snapshot, in stored order.
fn texts_at(
    store: &Store,
    entry: &SurveyEntry,
    release: u32,
) -> Result<Vec<StoredText>, SnapshotError> {
    let survey = entry.survey.id().as_str();
    let key = entry.data_key.as_ref().ok_or(SnapshotError::Shredded)?;
    let mut texts = Vec::new();
    for row in store.snapshot(survey, release) {
        let (snapshot_id, sealed) = row?;
        let plain = zeroize::Zeroizing::new(
            key.open_snapshot_text(survey, &snapshot_id, &sealed)
                .map_err(|_| SnapshotError::Unreadable)?,
        );
        texts.push(serde_json::from_slice(&plain).map_err(|_| SnapshotError::Unreadable)?);
    }
    Ok(texts)
}
