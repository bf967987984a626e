//! Quotes an organiser picks from free-text answers for the next release. A pick is a copy of
//! the words alone — never a reference to the response they came from — kept sealed with the
//! survey's data key until the next release takes them in (and then forgotten here). A release
//! lists them under their question; they are never counted and never part of the CSV files or
//! an anonymised export.

use crate::store::{Store, StoreError};
use crate::surveys::SurveyEntry;
use serde::{Deserialize, Serialize};
use std::sync::Mutex;

/// The quotes of one question in a release.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct QuoteGroup {
    /// The question's id.
    pub question: String,
    /// The question's words in the survey's default language.
    pub title: String,
    pub texts: Vec<String>,
}

/// Picks waiting for the next release: (question id, words), in the order picked.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Pending {
    picks: Vec<(String, String)>,
}

/// Serialises read-change-write of the pending picks.
static PENDING: Mutex<()> = Mutex::new(());

/// Associated data of the sealed picks: bound to the survey like any sealed record.
const SEALED_AS: &[u8] = b"pending-quotes";
/// Picked quotes are padded like a response of 2 KiB (or the next power of two), so their
/// sealed length says little about how many were picked.
pub(super) const QUOTES_SIZE: usize = 2048;

fn meta_name(survey: &str) -> String {
    format!("pending_quotes:{survey}")
}

#[derive(Debug, thiserror::Error)]
pub enum QuoteError {
    #[error("this survey has been shredded; nothing can be picked from it")]
    Shredded,
    #[error(transparent)]
    Store(#[from] StoreError),
}

fn read(store: &Store, entry: &SurveyEntry) -> Result<Pending, QuoteError> {
    let survey = entry.survey.id().as_str();
    let Some(sealed) = store.meta_get(&meta_name(survey))? else {
        return Ok(Pending::default());
    };
    let key = entry.data_key.as_ref().ok_or(QuoteError::Shredded)?;
    match key.open_response(survey, SEALED_AS, &sealed) {
        Ok(plain) => serde_json::from_slice(&plain).map_err(|_| StoreError::Corrupt.into()),
        Err(_) => {
            // Sealed under a key that has since been replaced (rekey): the picks are lost, and
            // the organiser picks again. Never a reason to refuse a release.
            tracing::warn!(
                survey,
                "pending quotes could not be opened; they are dropped"
            );
            Ok(Pending::default())
        }
    }
}

fn write(store: &Store, entry: &SurveyEntry, pending: &Pending) -> Result<(), QuoteError> {
    let survey = entry.survey.id().as_str();
    let key = entry.data_key.as_ref().ok_or(QuoteError::Shredded)?;
    let plain = serde_json::to_vec(pending).map_err(|_| StoreError::Corrupt)?;
    store.meta_put(
        &meta_name(survey),
        &key.seal_response(survey, SEALED_AS, &plain, QUOTES_SIZE),
    )?;
    store.durable_blocking()?;
    Ok(())
}

/// Adds a pick for the next release; `false` if the same words were already picked for the
/// question.
pub fn pick(
    store: &Store,
    entry: &SurveyEntry,
    question: &str,
    text: &str,
) -> Result<bool, QuoteError> {
    let _held = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    let mut pending = read(store, entry)?;
    if pending
        .picks
        .iter()
        .any(|(q, t)| q == question && t == text)
    {
        return Ok(false);
    }
    pending.picks.push((question.to_owned(), text.to_owned()));
    write(store, entry, &pending)?;
    Ok(true)
}

/// Takes back a pick; `false` if it was not picked.
pub fn unpick(
    store: &Store,
    entry: &SurveyEntry,
    question: &str,
    text: &str,
) -> Result<bool, QuoteError> {
    let _held = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    let mut pending = read(store, entry)?;
    let before = pending.picks.len();
    pending.picks.retain(|(q, t)| !(q == question && t == text));
    if pending.picks.len() == before {
        return Ok(false);
    }
    write(store, entry, &pending)?;
    Ok(true)
}

/// The picks waiting for the next release, grouped under their questions in survey order.
pub fn pending(store: &Store, entry: &SurveyEntry) -> Result<Vec<QuoteGroup>, QuoteError> {
    if entry.data_key.is_none() {
        return Ok(Vec::new());
    }
    let pending = read(store, entry)?;
    Ok(entry
        .survey
        .questions()
        .filter_map(|q| {
            let texts: Vec<String> = pending
                .picks
                .iter()
                .filter(|(id, _)| id == q.id.as_str())
                .map(|(_, t)| t.clone())
                .collect();
            (!texts.is_empty()).then(|| QuoteGroup {
                question: q.id.as_str().to_owned(),
                title: q.heading().default_text().to_owned(),
                texts,
            })
        })
        .collect())
}

/// Seals a survey's waiting picks under its new data key (rekey: the store is then rewritten,
/// so no copy under the old key survives). Picks that do not open under `old` are dropped.
pub fn reseal(
    store: &Store,
    survey: &str,
    old: &crate::vault::DataKey,
    new: &crate::vault::DataKey,
) -> Result<(), StoreError> {
    let _held = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    let Some(sealed) = store.meta_get(&meta_name(survey))? else {
        return Ok(());
    };
    let plain = old
        .open_response(survey, SEALED_AS, &sealed)
        .unwrap_or_else(|_| serde_json::to_vec(&Pending::default()).unwrap_or_default());
    store.meta_put(
        &meta_name(survey),
        &new.seal_response(survey, SEALED_AS, &plain, QUOTES_SIZE),
    )
}

/// Forgets every pick waiting for the survey's next release: before a shred, whose rewrite then
/// leaves nothing of them in the files (they are sealed with the key the shred destroys, but a
/// data key kept from before — say, with an old backup and its master key — would open them).
pub fn forget(store: &Store, survey: &str) -> Result<(), StoreError> {
    let _held = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    store.meta_remove(&meta_name(survey))
}

/// Forgets the picks a release now holds (overwritten, still sealed); picks made while the
/// release was computed wait for the next one.
pub(super) fn clear(
    store: &Store,
    entry: &SurveyEntry,
    published: &[QuoteGroup],
) -> Result<(), QuoteError> {
    let _held = PENDING.lock().unwrap_or_else(|p| p.into_inner());
    if store
        .meta_get(&meta_name(entry.survey.id().as_str()))?
        .is_none()
    {
        return Ok(());
    }
    let mut pending = read(store, entry)?;
    pending.picks.retain(|(q, t)| {
        !published
            .iter()
            .any(|g| &g.question == q && g.texts.contains(t))
    });
    write(store, entry, &pending)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SURVEY: &str = r#"
id = "said"
title = "Said"
[[pages]]
title = "P"
  [[pages.questions]]
  id = "carry"
  type = "single"
  role = "sensitive"
  text = "Do you carry naloxone?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
  [[pages.questions]]
  id = "else"
  type = "text"
  role = "free_text"
  text = "Anything else?"
"#;

    fn words_on_disk(dir: &std::path::Path, words: &str) -> bool {
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for entry in std::fs::read_dir(&d).expect("read dir").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                } else if std::fs::read(&path)
                    .unwrap_or_default()
                    .windows(words.len())
                    .any(|w| w == words.as_bytes())
                {
                    return true;
                }
            }
        }
        false
    }

    #[test]
    fn picks_are_kept_sealed_grouped_under_their_question_once_each_and_can_be_taken_back() {
        let (dir, chorus) = crate::installation::temporary_with(SURVEY);
        let entry = chorus.surveys.get("said").expect("survey");
        assert!(pick(&chorus.store, &entry, "else", "PICKED-WORDS-one").expect("pick"));
        assert!(!pick(&chorus.store, &entry, "else", "PICKED-WORDS-one").expect("again"));
        assert!(pick(&chorus.store, &entry, "else", "PICKED-WORDS-two").expect("pick"));
        let groups = pending(&chorus.store, &entry).expect("pending");
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].question, "else");
        assert_eq!(groups[0].title, "Anything else?");
        assert_eq!(groups[0].texts, ["PICKED-WORDS-one", "PICKED-WORDS-two"]);
        chorus.store.durable_blocking().expect("flush");
        assert!(!words_on_disk(dir.path(), "PICKED-WORDS"), "sealed on disk");

        assert!(unpick(&chorus.store, &entry, "else", "PICKED-WORDS-one").expect("unpick"));
        assert!(!unpick(&chorus.store, &entry, "else", "PICKED-WORDS-one").expect("gone"));
        let published = pending(&chorus.store, &entry).expect("pending");
        assert!(pick(&chorus.store, &entry, "else", "PICKED-WORDS-three").expect("pick"));
        clear(&chorus.store, &entry, &published).expect("clear");
        let left = pending(&chorus.store, &entry).expect("pending");
        assert_eq!(
            left[0].texts,
            ["PICKED-WORDS-three"],
            "picked meanwhile: kept"
        );
        clear(&chorus.store, &entry, &left).expect("clear");
        assert!(pending(&chorus.store, &entry).expect("pending").is_empty());
    }
}
