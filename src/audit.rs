//! The audit log of what organisers and researchers did (who, what, which survey, which day).
//! Respondents never appear in it: there is no respondent action to log.

use crate::clock::Clock;
use crate::store::{Store, StoreError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub day: String,
    pub account: String,
    pub action: String,
    pub survey: Option<String>,
    pub detail: Option<String>,
}

pub fn record(
    store: &Store,
    clock: &dyn Clock,
    account: &str,
    action: &str,
    survey: Option<&str>,
    detail: Option<String>,
) -> Result<(), StoreError> {
    let entry = Entry {
        day: clock.today(),
        account: account.to_owned(),
        action: action.to_owned(),
        survey: survey.map(str::to_owned),
        detail,
    };
    append(store, &entry)
}

/// Appends an entry and waits until it is on disk.
pub fn append(store: &Store, entry: &Entry) -> Result<(), StoreError> {
    let bytes = serde_json::to_vec(entry).map_err(|_| StoreError::Corrupt)?;
    store.audit_append(&bytes)?;
    store.durable_blocking()
}

pub fn latest(store: &Store, limit: usize) -> Result<Vec<Entry>, StoreError> {
    store
        .audit_latest(limit)?
        .into_iter()
        .map(|b| serde_json::from_slice(&b).map_err(|_| StoreError::Corrupt))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::FixedClock;

    #[test]
    fn entries_come_back_newest_first_with_their_day() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path(), 8 << 20).expect("open");
        let clock = FixedClock(1_795_910_400);
        record(&store, &clock, "maria", "login", None, None).expect("record");
        record(
            &store,
            &clock,
            "maria",
            "publish",
            Some("demo"),
            Some("release 1".into()),
        )
        .expect("record");
        let entries = latest(&store, 10).expect("latest");
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].action, "publish");
        assert_eq!(entries[0].day, "2026-11-29");
    }
}
