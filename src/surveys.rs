//! The survey registry: imported definitions, their life-cycle state and their unwrapped data
//! keys, loaded once at start-up and kept in memory so a submission never parses TOML or unwraps
//! a key. Persists through `store`; knows nothing of HTTP.

use crate::store::{Store, StoreError};
use crate::survey::{DefinitionErrors, Survey, SurveyId};
use crate::vault::{DataKey, Vault, VaultError};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SurveyState {
    /// Imported, not yet taking answers; invisible to peers.
    Draft,
    Open,
    /// Finished for good: no more answers, and it cannot be reopened.
    Closed,
}

impl std::fmt::Display for SurveyState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SurveyState::Draft => "draft",
            SurveyState::Open => "open",
            SurveyState::Closed => "closed",
        })
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SurveyError {
    #[error("the survey definition has errors:\n{0}")]
    Invalid(DefinitionErrors),
    #[error("there is no survey '{0}'")]
    NotFound(String),
    #[error("survey '{0}' already has responses, so its definition can only change in ways that keep every answer's meaning and only tighten its anonymity settings:\n{1}")]
    HasResponses(String, String),
    #[error("survey '{0}' is closed; a closed survey cannot be reopened")]
    Closed(String),
    #[error("survey '{0}' is already closed; nothing was changed")]
    AlreadyClosed(String),
    #[error("survey '{0}' has been exported, so what shapes its exports cannot change: a second export made under other settings could be matched row by row with the first and single people out:\n{1}")]
    Exported(String, String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error("the stored record of survey '{0}' is damaged")]
    Damaged(String),
    #[error("survey '{0}' has been shredded: its answers are gone for good")]
    Shredded(String),
    #[error("survey '{0}' is not closed; close it before shredding its answers")]
    NotClosed(String),
}

/// What is persisted per survey: the definition as written and its life cycle. The closing day
/// is about the survey, never about anyone who answered it.
#[derive(Clone, Serialize, Deserialize)]
struct SurveyRecord {
    state: SurveyState,
    source: String,
    #[serde(default)]
    closed_on: Option<String>,
    /// Shred automatically this many days after closing.
    #[serde(default)]
    retention_days: Option<u32>,
    #[serde(default)]
    shredded: bool,
    /// The latest release is shown to the community at `/r/{survey}` (off by default).
    #[serde(default)]
    public_results: bool,
    /// Which of its tables the public page shows, by id (`None`: all of them).
    #[serde(default)]
    public_tables: Option<Vec<String>>,
    /// Its data has been exported (an approved request, or `chorus export`).
    #[serde(default)]
    exported: bool,
}

/// A loaded survey: parsed definition, life cycle, and the key that seals its responses (gone
/// once the survey is shredded).
#[derive(Clone)]
pub struct SurveyEntry {
    pub survey: Arc<Survey>,
    pub state: SurveyState,
    pub data_key: Option<Arc<DataKey>>,
    pub closed_on: Option<String>,
    pub retention_days: Option<u32>,
    pub shredded: bool,
    /// The latest release is public at `/r/{survey}`.
    pub public_results: bool,
    /// The tables the public page shows, by id (`None`: all).
    pub public_tables: Option<Vec<String>>,
    /// What every sealed response of this survey is padded to (see [`record_size`]).
    pub record_size: usize,
    /// Its data has been exported: the settings that shape an export no longer change
    /// (`survey::compat::export_problems`).
    pub exported: bool,
}

/// Bytes the sealed record adds around a response's answers (`SealedRecord::encode` in
/// `submissions.rs`): a format byte, the record key and the chain link's flag.
pub const RECORD_WRAPPER: usize = 6;
/// Bytes a survey with coupons adds for the response's place in the recruitment tree: its id,
/// the recruiter's flag and id, and the wave.
pub const CHAIN_LINK: usize = 16 + 1 + 16 + 4;

/// The size every response of `survey` is padded to before sealing: room for the longest
/// response its definition allows, so that the length of a stored response says nothing about
/// its answers. A new definition may change it; responses stored under the earlier one keep
/// theirs.
pub fn record_size(survey: &Survey) -> usize {
    let chain = if survey.coupons().is_some() {
        CHAIN_LINK
    } else {
        0
    };
    crate::vault::record_size(survey.stored_response_bound() + RECORD_WRAPPER + chain)
}

impl SurveyEntry {
    fn record(&self) -> SurveyRecord {
        SurveyRecord {
            state: self.state,
            source: self.survey.source().to_owned(),
            closed_on: self.closed_on.clone(),
            retention_days: self.retention_days,
            shredded: self.shredded,
            public_results: self.public_results,
            public_tables: self.public_tables.clone(),
            exported: self.exported,
        }
    }
}

pub struct ImportOutcome {
    pub id: SurveyId,
    pub state: SurveyState,
    pub replaced: bool,
    /// What the definition may not mean as written (a condition that always holds, …); an
    /// import is never refused for these.
    pub warnings: Vec<String>,
}

pub struct SurveySummary {
    pub id: String,
    pub title: String,
    pub state: SurveyState,
    pub mode: String,
    pub responses: usize,
}

pub struct SurveyRegistry {
    entries: RwLock<BTreeMap<String, Arc<SurveyEntry>>>,
    /// Serialises changes. Held across the durable write, so that readers (every submission
    /// reads an entry) only ever wait for the brief swap under `entries`, never for an fsync.
    writer: Mutex<()>,
    /// One release computation per survey at a time (see [`SurveyRegistry::publishing`]).
    publishing: Mutex<BTreeMap<String, Arc<Mutex<()>>>>,
}

impl SurveyRegistry {
    /// Loads every stored survey. A definition that no longer parses is skipped with a log line
    /// rather than taking the whole service down.
    pub fn load(store: &Store, vault: &Vault) -> Result<SurveyRegistry, SurveyError> {
        let mut entries = BTreeMap::new();
        for (id, bytes) in store.surveys()? {
            let record: SurveyRecord =
                serde_json::from_slice(&bytes).map_err(|_| SurveyError::Damaged(id.clone()))?;
            let survey = match Survey::parse(&record.source) {
                Ok(s) => s,
                Err(errors) => {
                    tracing::error!(survey = %id, %errors, "stored survey definition no longer loads; skipped");
                    continue;
                }
            };
            let data_key = if record.shredded {
                None
            } else {
                Some(Arc::new(load_data_key(store, vault, &id)?))
            };
            let entry = SurveyEntry {
                record_size: record_size(&survey),
                survey: Arc::new(survey),
                state: record.state,
                data_key,
                closed_on: record.closed_on,
                retention_days: record.retention_days,
                shredded: record.shredded,
                public_results: record.public_results,
                public_tables: record.public_tables,
                exported: record.exported,
            };
            entries.insert(id, Arc::new(entry));
        }
        Ok(SurveyRegistry {
            entries: RwLock::new(entries),
            writer: Mutex::new(()),
            publishing: Mutex::new(BTreeMap::new()),
        })
    }

    /// The lock a survey's release computation holds. A release of a large survey with several
    /// releases behind it takes minutes on both cores; a second "publish" meanwhile (a double
    /// click, the API, closing) waits for the first and then meets the release rule, instead of
    /// computing the same release beside it only to lose when storing it.
    pub fn publishing(&self, id: &str) -> Arc<Mutex<()>> {
        let mut locks = self.publishing.lock().unwrap_or_else(|p| p.into_inner());
        Arc::clone(locks.entry(id.to_owned()).or_default())
    }

    /// Every survey marked shredded (whose answering the store must not keep).
    pub fn shredded(&self) -> Vec<String> {
        self.read()
            .iter()
            .filter(|(_, e)| e.shredded)
            .map(|(id, _)| id.clone())
            .collect()
    }

    pub fn get(&self, id: &str) -> Option<Arc<SurveyEntry>> {
        self.read().get(id).cloned()
    }

    pub fn is_empty(&self) -> bool {
        self.read().is_empty()
    }

    /// Imports a definition, or replaces an existing one (keeping its state). Once a survey has
    /// responses, a replacement may only reword and tighten (`survey::compat`).
    pub fn import(
        &self,
        store: &Store,
        vault: &Vault,
        source: &str,
    ) -> Result<ImportOutcome, SurveyError> {
        let survey = Survey::parse(source).map_err(SurveyError::Invalid)?;
        let problems = survey.import_problems();
        if !problems.is_empty() {
            return Err(SurveyError::Invalid(crate::survey::DefinitionErrors(
                problems,
            )));
        }
        let id = survey.id().clone();
        let _writing = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let existing = self.get(id.as_str());
        if let Some(old) = &existing {
            if old.shredded {
                return Err(SurveyError::Shredded(id.to_string()));
            }
            if store.response_count(id.as_str()) > 0 {
                let problems = crate::survey::compat::replacement_problems(&old.survey, &survey);
                if !problems.is_empty() {
                    return Err(SurveyError::HasResponses(
                        id.to_string(),
                        problems.join("\n"),
                    ));
                }
            }
            if old.exported {
                let problems = crate::survey::compat::export_problems(&old.survey, &survey);
                if !problems.is_empty() {
                    return Err(SurveyError::Exported(id.to_string(), problems.join("\n")));
                }
            }
        }
        let warnings = survey.warnings().iter().map(|w| w.to_string()).collect();
        let data_key = load_data_key(store, vault, id.as_str())?;
        let entry = SurveyEntry {
            record_size: record_size(&survey),
            survey: Arc::new(survey),
            state: existing.as_ref().map_or(SurveyState::Draft, |e| e.state),
            data_key: Some(Arc::new(data_key)),
            closed_on: existing.as_ref().and_then(|e| e.closed_on.clone()),
            retention_days: existing.as_ref().and_then(|e| e.retention_days),
            shredded: false,
            public_results: existing.as_ref().is_some_and(|e| e.public_results),
            public_tables: existing.as_ref().and_then(|e| e.public_tables.clone()),
            exported: existing.as_ref().is_some_and(|e| e.exported),
        };
        persist(store, id.as_str(), &entry.record())?;
        store.durable_blocking()?;
        let state = entry.state;
        self.write().insert(id.to_string(), Arc::new(entry));
        Ok(ImportOutcome {
            id,
            state,
            replaced: existing.is_some(),
            warnings,
        })
    }

    /// Moves a survey along draft → open → closed. Opening an open survey or closing a closed
    /// one changes nothing; reopening a closed survey is refused. Closing records the day (for
    /// retention).
    pub fn set_state(
        &self,
        store: &Store,
        id: &str,
        target: SurveyState,
    ) -> Result<SurveyState, SurveyError> {
        self.update(store, id, |entry| {
            if entry.state == SurveyState::Closed && target == SurveyState::Closed {
                // Closing again would publish nothing and only repeat the audit entry.
                return Err(SurveyError::AlreadyClosed(id.to_owned()));
            }
            if entry.state == target {
                return Ok(false);
            }
            if entry.state == SurveyState::Closed || target == SurveyState::Draft {
                return Err(SurveyError::Closed(id.to_owned()));
            }
            entry.state = target;
            if target == SurveyState::Closed {
                entry.closed_on = Some(crate::clock::Clock::today(&crate::clock::SystemClock));
            }
            Ok(true)
        })?;
        if target == SurveyState::Closed {
            // Closing ends the survey's arrival window: forget the order now, not within the hour.
            store.rewrite()?;
        }
        Ok(target)
    }

    /// Records that the survey's data has been exported (see [`SurveyEntry::exported`]).
    pub fn mark_exported(&self, store: &Store, id: &str) -> Result<(), SurveyError> {
        self.update(store, id, |entry| {
            let first = !entry.exported;
            entry.exported = true;
            Ok(first)
        })
    }

    /// Keep a closed survey's responses `days` days after closing, then shred them (`None`:
    /// until shredded by hand).
    pub fn set_retention(
        &self,
        store: &Store,
        id: &str,
        days: Option<u32>,
    ) -> Result<(), SurveyError> {
        self.update(store, id, |entry| {
            entry.retention_days = days;
            Ok(true)
        })
    }

    /// Shows the survey's latest release to the community at `/r/{survey}`, or stops showing
    /// it; `tables` names the tables shown (`None`: all of them).
    pub fn set_public(
        &self,
        store: &Store,
        id: &str,
        public: bool,
        tables: Option<Vec<String>>,
    ) -> Result<(), SurveyError> {
        self.update(store, id, |entry| {
            entry.public_results = public;
            entry.public_tables = tables;
            Ok(true)
        })
    }

    /// Crypto-shredding: the data key is destroyed and the sealed responses deleted; published
    /// releases stay. Only for closed surveys.
    pub fn shred(&self, store: &Store, id: &str) -> Result<(), SurveyError> {
        let entry = self
            .get(id)
            .ok_or_else(|| SurveyError::NotFound(id.to_owned()))?;
        if entry.state != SurveyState::Closed {
            return Err(SurveyError::NotClosed(id.to_owned()));
        }
        // Not while a release of it is being made: that release's free-text snapshot would be
        // written after the shred, sealed under a key that is gone, and stay in the files.
        let publishing = self.publishing(id);
        let _publishing = publishing.lock().unwrap_or_else(|p| p.into_inner());
        // Marked first: a crash after this point leaves a survey that is known to be shredded,
        // and the next start finishes the shred (`Store::rewrite_after_start`).
        self.update(store, id, |entry| {
            entry.shredded = true;
            entry.data_key = None;
            Ok(true)
        })?;
        store.shred(id)?;
        Ok(())
    }

    /// Closed surveys whose retention period has ended by `today` (`YYYY-MM-DD`).
    pub fn due_for_shredding(&self, today: &str) -> Vec<String> {
        self.read()
            .iter()
            .filter(|(_, e)| !e.shredded && e.state == SurveyState::Closed)
            .filter_map(|(id, e)| {
                let (Some(closed), Some(days)) = (&e.closed_on, e.retention_days) else {
                    return None;
                };
                (crate::clock::add_days(closed, days)?.as_str() <= today).then(|| id.clone())
            })
            .collect()
    }

    /// Applies `change` to a copy of the entry, persists it durably, then swaps it in.
    fn update(
        &self,
        store: &Store,
        id: &str,
        change: impl FnOnce(&mut SurveyEntry) -> Result<bool, SurveyError>,
    ) -> Result<(), SurveyError> {
        let _writing = self.writer.lock().unwrap_or_else(|p| p.into_inner());
        let current = self
            .get(id)
            .ok_or_else(|| SurveyError::NotFound(id.to_owned()))?;
        let mut next = SurveyEntry {
            survey: Arc::clone(&current.survey),
            state: current.state,
            data_key: current.data_key.clone(),
            closed_on: current.closed_on.clone(),
            retention_days: current.retention_days,
            shredded: current.shredded,
            public_results: current.public_results,
            public_tables: current.public_tables.clone(),
            record_size: current.record_size,
            exported: current.exported,
        };
        if !change(&mut next)? {
            return Ok(());
        }
        persist(store, id, &next.record())?;
        store.durable_blocking()?;
        self.write().insert(id.to_owned(), Arc::new(next));
        Ok(())
    }

    pub fn list(&self, store: &Store) -> Vec<SurveySummary> {
        self.read()
            .iter()
            .map(|(id, e)| SurveySummary {
                id: id.clone(),
                title: e.survey.title().default_text().to_owned(),
                state: e.state,
                mode: format!("{:?}", e.survey.mode()).to_lowercase(),
                responses: store.response_count(id),
            })
            .collect()
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Arc<SurveyEntry>>> {
        self.entries.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, BTreeMap<String, Arc<SurveyEntry>>> {
        self.entries.write().unwrap_or_else(|p| p.into_inner())
    }
}

fn persist(store: &Store, id: &str, record: &SurveyRecord) -> Result<(), SurveyError> {
    let bytes = serde_json::to_vec(record).map_err(|_| SurveyError::Damaged(id.to_owned()))?;
    store.survey_put(id, &bytes)?;
    Ok(())
}

/// The survey's data key, created on first use. `data_key_init` keeps the first key ever stored,
/// so two racing imports cannot leave responses sealed under a key that was then replaced.
fn load_data_key(store: &Store, vault: &Vault, id: &str) -> Result<DataKey, SurveyError> {
    let wrapped = match store.data_key_get(id)? {
        Some(w) => w,
        None => {
            let (_, fresh) = vault.new_data_key(id);
            store.data_key_init(id, &fresh)?
        }
    };
    Ok(vault.unwrap_data_key(id, &wrapped)?)
}

/// Progress as a band, never an exact live count (an exact count, watched, tells when someone
/// answered). Bands are `width` wide (the survey's threshold): "fewer than 10", then "10–19",
/// "20–29", … Zero and a few share the first band, so a batch handed to one person reads the
/// same before and after that person answers.
pub fn progress_band(count: usize, width: usize) -> String {
    let width = width.max(1);
    if count < width {
        return format!("fewer than {width}");
    }
    let low = count / width * width;
    format!("{}–{}", low, low + width - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_shown_in_bands_where_zero_and_a_few_look_the_same() {
        assert_eq!(progress_band(0, 10), "fewer than 10");
        assert_eq!(progress_band(1, 10), "fewer than 10");
        assert_eq!(progress_band(9, 10), "fewer than 10");
        assert_eq!(progress_band(10, 10), "10–19");
        assert_eq!(progress_band(37, 10), "30–39");
        assert_eq!(progress_band(4, 5), "fewer than 5");
    }
}
