//! Releases: the numbered, frozen sets of disclosure-controlled tables organisers
//! see. A release is computed once — open every sealed response, count (`tally`), perturb,
//! suppress and audit (`disclosure`) — and stored as the exact bytes that are served from then
//! on. Nothing is computed per request, so repeating a request, or asking again after one more
//! response, gains nothing.

mod document;
mod files;
pub mod quotes;
mod rds;
pub mod rule;
mod sealed_quotes;
pub mod snapshot;
mod text_floor;

pub use document::{Cell, Line, ReleaseDocument, Table, HIDDEN_LEGEND, NOTE};
pub use files::{csv_zip, table_csv, FilesError};
pub use quotes::QuoteGroup;

use crate::disclosure::{protect_catalogue, EarlierRelease};
use crate::store::{Store, StoreError};
use crate::submissions;
use crate::surveys::{SurveyEntry, SurveyRegistry};
use crate::tally::tally;
use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("there is no survey '{0}'")]
    NoSuchSurvey(String),
    #[error("no tables are published before {0} responses have arrived (so no one can be singled out); there are fewer so far")]
    BelowMinimum(u32),
    #[error("a new release needs {0}, so that the two cannot be compared to single anyone out; fewer have arrived")]
    TooFewNew(rule::NewNeeded),
    /// Asked while another request was computing a release of the same survey, which then
    /// published this one: nothing new to publish (a double click on a slow release).
    #[error("release {0} was published a moment ago, by a request made just before this one; a further release needs more new responses")]
    PublishedMeanwhile(u32),
    /// Asked by an organiser of a closed survey: closing made its last release final, and no
    /// response can arrive any more.
    #[error("{}", closed_words(*.0))]
    Closed(Option<u32>),
    #[error("a response could not be opened with the survey's key; nothing was published")]
    Unreadable,
    #[error(
        "this survey has been shredded; its published releases remain, but no new one can be made"
    )]
    Shredded,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn closed_words(last: Option<u32>) -> String {
    match last {
        Some(n) => format!(
            "the survey is closed: release {n} is its final release, and no new one can be made"
        ),
        None => {
            "the survey is closed without a release, and no release can be made any more".to_owned()
        }
    }
}

/// What asked for a release. Every trigger obeys the same rule (see [`rule`]); closing only
/// changes what happens when the rule is not met (see [`close_survey`]) and marks the release
/// final.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// An organiser published (workspace, API or command line).
    Organiser,
    /// The survey is closing.
    Closing,
}

/// `true` is closing, as callers have always said.
impl From<bool> for Trigger {
    fn from(closing: bool) -> Trigger {
        if closing {
            Trigger::Closing
        } else {
            Trigger::Organiser
        }
    }
}

/// What is stored per release: the served bytes, how many responses it counted (kept to
/// enforce the rule on new responses; never shown), and whether a snapshot of the free text
/// was kept with it (releases published before snapshots existed have none).
#[derive(Serialize, Deserialize)]
struct Stored {
    counted: usize,
    /// The document as served, but for its quotes (`sealed_quotes`).
    body: String,
    #[serde(default)]
    free_text_snapshot: bool,
    /// The quotes, sealed with the survey's key; `None` when there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    quotes: Option<String>,
}

/// Publishes the next release of a survey if the rules allow it; returns its number.
///
/// The rule holds for every trigger: a release needs `min_responses` in all, and a release
/// after another needs at least [`rule::needed`] new responses — so comparing two releases
/// never isolates fewer people than the threshold, however the releases were asked for.
pub fn publish(
    store: &Store,
    surveys: &SurveyRegistry,
    survey: &str,
    trigger: impl Into<Trigger>,
) -> Result<u32, PublishError> {
    let trigger = trigger.into();
    let no_such = || PublishError::NoSuchSurvey(survey.to_owned());
    // Before taking a lock: the registry keeps one per survey asked about, so only for real ones.
    surveys.get(survey).ok_or_else(no_such)?;
    let latest_before = store.release_numbers(survey)?.last().copied();
    let lock = surveys.publishing(survey);
    let _one_at_a_time = lock.lock().unwrap_or_else(|p| p.into_inner());
    // Read after waiting: a publish that held the lock may have closed or shredded it.
    let entry = surveys.get(survey).ok_or_else(no_such)?;
    if trigger == Trigger::Organiser
        && entry.state == crate::surveys::SurveyState::Closed
        && !entry.shredded
    {
        return Err(PublishError::Closed(latest_number(store, survey)?));
    }
    let count = store.response_count(survey);
    let numbers = store.release_numbers(survey)?;
    let previous = match numbers.last() {
        Some(&last) => Some(stored(store, survey, last)?.counted),
        None => None,
    };
    match (rule::check(&entry.survey, previous, count), numbers.last()) {
        (Err(PublishError::TooFewNew(_)), Some(&latest))
            if trigger == Trigger::Organiser && Some(latest) != latest_before =>
        {
            return Err(PublishError::PublishedMeanwhile(latest));
        }
        (checked, _) => checked?,
    }
    let number = numbers.last().map_or(1, |n| n + 1);
    let earlier = earlier_releases(store, survey, &numbers)?;
    let picked = quotes::pending(store, &entry).map_err(|e| match e {
        quotes::QuoteError::Shredded => PublishError::Shredded,
        quotes::QuoteError::Store(e) => PublishError::Store(e),
    })?;
    // The snapshot of free text organisers will read is taken after `count` was read and before
    // the responses are opened: it then holds the words of at least the `count` responses the
    // rule was checked against, and of no response this release does not count. So between two
    // releases' snapshots lie at least the new responses the rule asks for, and reading one
    // snapshot and then the next never isolates fewer people than comparing the releases does.
    let mut texts = submissions::stored_texts(store, &entry).map_err(unopened)?;
    let records = submissions::open_all(store, &entry).map_err(unopened)?;
    texts.extend(submissions::texts_inside(&records));
    // `counted` is what the tables hold, which responses arriving since `count` was read may
    // have raised: the next release's rule must be measured from it, not from `count`.
    let (document, counted, released) = compute(&entry, &records, number, trigger, &earlier);
    drop(records);
    // No more answers to a question than the tables say were asked it (`text_floor`).
    let read_before = snapshot::at_latest(store, &entry).map_err(|e| match e {
        snapshot::SnapshotError::Store(e) => PublishError::Store(e),
        snapshot::SnapshotError::Shredded => PublishError::Shredded,
        _ => PublishError::Unreadable,
    })?;
    let texts = text_floor::pick(texts, read_before, |question| {
        entry.survey.question(question).map_or(0, |q| {
            text_floor::asked_at_least(&entry.survey, &released, q)
        })
    });
    drop(released);
    // The quotes are peers' words: sealed apart, and put back into the document when served.
    let key = entry.data_key.as_ref().ok_or(PublishError::Shredded)?;
    let quotes = sealed_quotes::seal(key, survey, number, &picked);
    let body = serde_json::to_string(&document).map_err(|_| StoreError::Corrupt)?;
    // Stored before the release that names it, so a release on disk always has its snapshot.
    snapshot::keep(store, &entry, number, texts)?;
    let record = serde_json::to_vec(&Stored {
        counted,
        body,
        free_text_snapshot: true,
        quotes,
    })
    .map_err(|_| StoreError::Corrupt)?;
    if !store.release_insert(survey, number, &record)? {
        // Someone published the same number a moment ago: theirs stands, frozen. (Not within
        // this process, which holds the survey's publishing lock, nor from another, which
        // cannot open the data directory while this one does.)
        return Err(PublishError::TooFewNew(rule::NewNeeded::of(&entry.survey)));
    }
    store.durable_blocking()?;
    // Only the latest release's snapshot is read: the older ones go (sealed, and gone from
    // the files at the next rewrite).
    if let Err(e) = store.snapshot_forget_others(survey, number) {
        tracing::error!(error = %e, survey, "older free-text snapshots could not be removed");
    }
    // The release holds the picked quotes now; the next one starts with none.
    if let Err(e) = quotes::clear(store, &entry, &picked) {
        tracing::error!(error = %e, survey, "picked quotes could not be cleared");
    }
    Ok(number)
}

/// What closing a survey did about releases.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Closed {
    /// A final release with this number was published.
    Published(u32),
    /// Too few new responses for a new release: nothing new was published, and this release,
    /// the last one, is the final one. The rule says how many would have been required.
    LastIsFinal {
        release: u32,
        needed: rule::NewNeeded,
    },
    /// No release was ever published and there are too few responses for one: none exists.
    NoRelease { needed: u32 },
}

impl Closed {
    /// The final release's number, if there is one.
    pub fn final_release(&self) -> Option<u32> {
        match self {
            Closed::Published(n) | Closed::LastIsFinal { release: n, .. } => Some(*n),
            Closed::NoRelease { .. } => None,
        }
    }
}

/// Plain words for organisers and the audit log (no counts of responses).
impl std::fmt::Display for Closed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Closed::Published(n) => write!(f, "final release {n} published"),
            Closed::LastIsFinal { release, needed } => write!(
                f,
                "release {release} is final; nothing new was published (a new release needs {needed})"
            ),
            Closed::NoRelease { needed } => write!(
                f,
                "no release was published (a first release needs at least {needed} responses)"
            ),
        }
    }
}

/// Closes a survey for good and, if the release rule allows one, publishes its final release.
/// When it does not, nothing new is published and the last release is the final one.
pub fn close_survey(
    store: &Store,
    surveys: &SurveyRegistry,
    survey: &str,
) -> Result<Closed, CloseError> {
    surveys.set_state(store, survey, crate::surveys::SurveyState::Closed)?;
    match publish(store, surveys, survey, Trigger::Closing) {
        Ok(n) => Ok(Closed::Published(n)),
        Err(PublishError::TooFewNew(needed)) => match latest_number(store, survey)? {
            Some(release) => Ok(Closed::LastIsFinal { release, needed }),
            None => Ok(Closed::NoRelease {
                needed: needed.threshold,
            }),
        },
        Err(PublishError::BelowMinimum(needed)) => Ok(Closed::NoRelease { needed }),
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CloseError {
    #[error(transparent)]
    Survey(#[from] crate::surveys::SurveyError),
    #[error("the survey is closed, but its final release could not be made: {0}")]
    Release(#[from] PublishError),
    #[error("the survey is closed, but its releases could not be read: {0}")]
    Store(#[from] StoreError),
}

/// The survey's final release: the one published on closing, or its last release once it is
/// closed (closing without enough new responses publishes nothing new). A survey is closed
/// for good, and only then is a release final, so no release needs reading to tell. A
/// release's frozen document says `final` only in the first case, since it is never
/// rewritten; this says it in both.
pub fn final_release(
    store: &Store,
    surveys: &SurveyRegistry,
    survey: &str,
) -> Result<Option<u32>, StoreError> {
    let closed = surveys
        .get(survey)
        .is_some_and(|e| e.state == crate::surveys::SurveyState::Closed);
    if !closed {
        return Ok(None);
    }
    latest_number(store, survey)
}

/// Whether release `number` is the survey's final one (see [`final_release`]).
pub fn is_final(
    store: &Store,
    surveys: &SurveyRegistry,
    survey: &str,
    number: u32,
) -> Result<bool, StoreError> {
    Ok(final_release(store, surveys, survey)? == Some(number))
}

/// The served bytes of release `number`, exactly as published — with its quotes, opened with
/// the survey's key; without them once the survey is shredded.
pub fn body(store: &Store, entry: &SurveyEntry, number: u32) -> Result<Option<String>, StoreError> {
    let survey = entry.survey.id().as_str();
    let Some(bytes) = store.release_get(survey, number)? else {
        return Ok(None);
    };
    let stored: Stored = serde_json::from_slice(&bytes).map_err(|_| StoreError::Corrupt)?;
    let quotes = match (&stored.quotes, &entry.data_key) {
        (Some(sealed), Some(key)) => {
            let opened = sealed_quotes::open(key, survey, number, sealed);
            if opened.is_none() {
                tracing::error!(survey, number, "a release's quotes could not be opened");
            }
            opened
        }
        _ => None,
    };
    Ok(Some(match quotes {
        Some(quotes) => sealed_quotes::with_quotes(&stored.body, &quotes),
        None => stored.body,
    }))
}

/// Takes the quotes out of every release of a survey about to be shredded: the shred's rewrite
/// then leaves none of their bytes (sealed, or — in releases stored before quotes were sealed —
/// as published). The tables are served as before.
pub fn forget_quotes(store: &Store, survey: &str) -> Result<(), StoreError> {
    change_releases(store, survey, |_, s| {
        let mut changed = s.quotes.take().is_some();
        let mut document: ReleaseDocument =
            serde_json::from_str(&s.body).map_err(|_| StoreError::Corrupt)?;
        if !document.quotes.is_empty() {
            document.quotes.clear();
            s.body = serde_json::to_string(&document).map_err(|_| StoreError::Corrupt)?;
            changed = true;
        }
        Ok(changed)
    })?;
    store.durable_blocking()
}

/// Reseals the quotes of every release of a survey under its new data key (a rekey). Quotes
/// the old key cannot open are dropped, never kept under a key that is going.
pub fn reseal_quotes(
    store: &Store,
    survey: &str,
    old: &crate::vault::DataKey,
    new: &crate::vault::DataKey,
) -> Result<(), StoreError> {
    change_releases(store, survey, |number, s| {
        let Some(sealed) = s.quotes.take() else {
            return Ok(false);
        };
        s.quotes = sealed_quotes::reseal(old, new, survey, number, &sealed);
        Ok(true)
    })
}

/// Lets `alter` change each stored release of a survey, writing back those it says it changed.
fn change_releases(
    store: &Store,
    survey: &str,
    mut alter: impl FnMut(u32, &mut Stored) -> Result<bool, StoreError>,
) -> Result<(), StoreError> {
    for number in store.release_numbers(survey)? {
        let mut s = stored(store, survey, number)?;
        if alter(number, &mut s)? {
            let record = serde_json::to_vec(&s).map_err(|_| StoreError::Corrupt)?;
            store.release_replace(survey, number, &record)?;
        }
    }
    Ok(())
}

pub fn latest_number(store: &Store, survey: &str) -> Result<Option<u32>, StoreError> {
    Ok(store.release_numbers(survey)?.last().copied())
}

fn stored(store: &Store, survey: &str, number: u32) -> Result<Stored, StoreError> {
    let bytes = store
        .release_get(survey, number)?
        .ok_or(StoreError::Corrupt)?;
    serde_json::from_slice(&bytes).map_err(|_| StoreError::Corrupt)
}

/// Every earlier release as the audit reads it, oldest first: the audit assumes the reader has
/// them all, and knows how many responses each counted (the rule on new responses can tell).
fn earlier_releases(
    store: &Store,
    survey: &str,
    numbers: &[u32],
) -> Result<Vec<EarlierRelease>, StoreError> {
    numbers
        .iter()
        .map(|&n| {
            let s = stored(store, survey, n)?;
            let document: ReleaseDocument =
                serde_json::from_str(&s.body).map_err(|_| StoreError::Corrupt)?;
            Ok(EarlierRelease {
                responses: Some(s.counted as u64),
                ..document.earlier()
            })
        })
        .collect()
}

fn unopened(e: submissions::OpenAllError) -> PublishError {
    match e {
        submissions::OpenAllError::Shredded => PublishError::Shredded,
        submissions::OpenAllError::Unreadable => PublishError::Unreadable,
        submissions::OpenAllError::Store(e) => PublishError::Store(e),
    }
}

fn compute(
    entry: &SurveyEntry,
    records: &[submissions::SealedRecord],
    number: u32,
    trigger: Trigger,
    earlier: &[EarlierRelease],
) -> (ReleaseDocument, usize, Vec<crate::disclosure::Released>) {
    let survey = &entry.survey;
    let enough = records.len() >= survey.min_responses() as usize;
    let shares = if enough {
        crate::tally::rds_shares(survey, records.iter().map(|r| &r.response))
    } else {
        Default::default()
    };
    let released = if enough {
        let catalogue = tally(survey, records.iter().map(|r| (r.record_key, &r.response)));
        protect_catalogue(&catalogue, survey.threshold(), earlier)
    } else {
        Vec::new()
    };
    let document = ReleaseDocument::new(
        survey,
        number,
        trigger == Trigger::Closing,
        enough,
        &released,
    )
    .with_rds_percentages(&shares);
    (document, records.len(), released)
}

#[cfg(test)]
mod snapshot_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod text_floor_tests;
