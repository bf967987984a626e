//! The only module that knows sled. It keeps opaque bytes in named trees and guarantees the two
//! properties the promises rest on: spending a code and inserting a sealed response happen in one
//! transaction, and a redemption is reported only once it is on disk (group commit, see
//! `committer`). It knows nothing of what a survey means.

mod admin;
mod backup;
mod committer;
mod counters;
mod records;

pub use backup::{restore, BackupError};
pub use records::{BatchCounts, CodeRecord};

use committer::{Committer, RedeemRequest};
use records::scoped_key;
use sled::Tree;
use std::path::Path;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the data directory {0} is in use by another Chorus process (is the server running?)")]
    Locked(String),
    #[error("the data directory {path} could not be opened: {reason}")]
    Open { path: String, reason: String },
    #[error("Chorus may not write to the data directory {0} (permission denied, or a read-only disk): it must be writable by the account that runs Chorus. Nothing was changed")]
    ReadOnly(String),
    #[error("storage error: {0}")]
    Sled(#[from] sled::Error),
    #[error("could not make the write durable: {0}")]
    Flush(String),
    #[error("a stored record is damaged")]
    Corrupt,
    #[error("could not start the commit thread: {0}")]
    Thread(String),
}

/// Why a redemption did not happen. One variant on purpose: "unknown", "spent" and "another
/// survey's code" must be indistinguishable to the caller and so to the client.
#[derive(Debug, PartialEq, Eq)]
pub enum Redemption {
    Redeemed,
    Unusable,
}

pub struct Store {
    db: sled::Db,
    meta: Tree,
    surveys: Tree,
    data_keys: Tree,
    codes: Tree,
    batches: Tree,
    responses: Tree,
    accounts: Tree,
    api_keys: Tree,
    audit: Tree,
    releases: Tree,
    exports: Tree,
    committer: Arc<Committer>,
    counters: counters::Counters,
}

impl Store {
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        let db = sled::Config::new()
            .path(dir)
            .cache_capacity(cache_bytes)
            // Every acknowledged write is flushed by the commit thread; sled's own periodic
            // flusher would only contend with it for the database lock.
            .flush_every_ms(None)
            .open()
            .map_err(|e| open_error(dir, e))?;
        let tree = |name: &str| db.open_tree(name);
        let codes = tree("codes")?;
        let responses = tree("responses")?;
        let committer = Committer::start(db.clone(), codes.clone(), responses.clone())
            .map_err(|e| StoreError::Thread(e.to_string()))?;
        let counters = count_from_trees(&codes, &responses)?;
        Ok(Store {
            counters,
            meta: tree("meta")?,
            surveys: tree("surveys")?,
            data_keys: tree("data_keys")?,
            codes,
            batches: tree("batches")?,
            responses,
            accounts: tree("accounts")?,
            api_keys: tree("api_keys")?,
            audit: tree("audit")?,
            releases: tree("releases")?,
            exports: tree("exports")?,
            committer,
            db,
        })
    }

    /// Resolves once every write made before the call is on disk; one flush serves many callers.
    pub async fn durable(&self) -> Result<(), StoreError> {
        settle(self.committer.durable().await)
    }

    /// The same, for synchronous callers (CLI, control socket).
    pub fn durable_blocking(&self) -> Result<(), StoreError> {
        settle(self.committer.durable().blocking_recv())
    }

    /// Finishes queued work, flushes and stops the commit thread (graceful shutdown).
    pub fn close(&self) -> Result<(), StoreError> {
        self.committer.stop();
        self.db.flush()?;
        Ok(())
    }

    // ---- meta: install-wide values (salt, wrapped root secret, key mode) ----

    pub fn meta_get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.meta.get(name)?.map(|v| v.to_vec()))
    }

    pub fn meta_put(&self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        self.meta.insert(name, value)?;
        Ok(())
    }

    // ---- surveys and their wrapped data keys ----

    pub fn survey_put(&self, id: &str, record: &[u8]) -> Result<(), StoreError> {
        self.surveys.insert(id, record)?;
        Ok(())
    }

    pub fn survey_get(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.surveys.get(id)?.map(|v| v.to_vec()))
    }

    pub fn surveys(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.surveys
            .iter()
            .map(|item| {
                let (k, v) = item?;
                let id = String::from_utf8(k.to_vec()).map_err(|_| StoreError::Corrupt)?;
                Ok((id, v.to_vec()))
            })
            .collect()
    }

    /// Stores a survey's wrapped data key unless it already has one; returns the one in force.
    pub fn data_key_init(&self, survey: &str, wrapped: &[u8]) -> Result<Vec<u8>, StoreError> {
        match self
            .data_keys
            .compare_and_swap(survey, None as Option<&[u8]>, Some(wrapped))?
        {
            Ok(()) => Ok(wrapped.to_vec()),
            Err(existing) => existing
                .current
                .map(|v| v.to_vec())
                .ok_or(StoreError::Corrupt),
        }
    }

    pub fn data_key_get(&self, survey: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.data_keys.get(survey)?.map(|v| v.to_vec()))
    }

    // ---- codes ----

    /// Starts a new batch for a survey and returns its number (1, 2, …).
    pub fn batch_create(&self, survey: &str, issued: u64) -> Result<u32, StoreError> {
        let counter = scoped_key(survey, b"#next");
        let next = self.batches.update_and_fetch(&counter, |old| {
            let n = old
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(1, |b| u32::from_be_bytes(b) + 1);
            Some(n.to_be_bytes().to_vec())
        })?;
        let number = next
            .and_then(|b| <[u8; 4]>::try_from(b.as_ref()).ok())
            .map(u32::from_be_bytes)
            .ok_or(StoreError::Corrupt)?;
        self.batches.insert(
            scoped_key(survey, &number.to_be_bytes()),
            &issued.to_be_bytes(),
        )?;
        Ok(number)
    }

    /// Inserts freshly issued codes (by keyed hash). A hash that already exists is left alone and
    /// reported, so the caller can draw another code; it is never overwritten.
    pub fn codes_insert(
        &self,
        entries: &[([u8; 32], CodeRecord)],
    ) -> Result<Vec<usize>, StoreError> {
        let mut clashes = Vec::new();
        for (i, (hash, record)) in entries.iter().enumerate() {
            let outcome =
                self.codes
                    .compare_and_swap(hash, None as Option<&[u8]>, Some(record.encode()))?;
            if outcome.is_err() {
                clashes.push(i);
            }
        }
        Ok(clashes)
    }

    /// Spends the code and inserts the sealed response in one sled transaction — both happen or
    /// neither does, across concurrent callers and crashes — and resolves once that is on disk.
    /// The spent record keeps no time and no link to the response.
    pub async fn redeem(
        &self,
        code_hash: &[u8; 32],
        survey: &str,
        response_id: &[u8],
        sealed_response: &[u8],
    ) -> Result<Redemption, StoreError> {
        let outcome = settle(
            self.committer
                .redeem(request(code_hash, survey, response_id, sealed_response))
                .await,
        )?;
        self.count(&outcome, code_hash, survey)?;
        Ok(outcome)
    }

    /// Moves the live counters after a committed redemption.
    fn count(
        &self,
        outcome: &Redemption,
        code_hash: &[u8; 32],
        survey: &str,
    ) -> Result<(), StoreError> {
        if *outcome == Redemption::Redeemed {
            self.counters.add_response(survey);
            self.count_used(code_hash, survey)?;
        }
        Ok(())
    }

    /// A code of a batch was used (with or without a stored response).
    fn count_used(&self, code_hash: &[u8; 32], survey: &str) -> Result<(), StoreError> {
        if let Some(record) = self.code_get(code_hash)? {
            self.counters.add_used(survey, record.batch);
        }
        Ok(())
    }

    /// Spends the code and stores nothing else (a person the survey screened out), with the
    /// same atomicity and durability as `redeem`.
    pub async fn spend(
        &self,
        code_hash: &[u8; 32],
        survey: &str,
    ) -> Result<Redemption, StoreError> {
        let outcome = settle(
            self.committer
                .redeem(request(code_hash, survey, &[], &[]))
                .await,
        )?;
        if outcome == Redemption::Redeemed {
            self.count_used(code_hash, survey)?;
        }
        Ok(outcome)
    }

    /// The same as `redeem`, for synchronous callers.
    pub fn redeem_blocking(
        &self,
        code_hash: &[u8; 32],
        survey: &str,
        response_id: &[u8],
        sealed_response: &[u8],
    ) -> Result<Redemption, StoreError> {
        let outcome = settle(
            self.committer
                .redeem(request(code_hash, survey, response_id, sealed_response))
                .blocking_recv(),
        )?;
        self.count(&outcome, code_hash, survey)?;
        Ok(outcome)
    }

    pub fn code_get(&self, code_hash: &[u8; 32]) -> Result<Option<CodeRecord>, StoreError> {
        match self.codes.get(code_hash)? {
            Some(raw) => CodeRecord::decode(&raw)
                .map(Some)
                .ok_or(StoreError::Corrupt),
            None => Ok(None),
        }
    }

    /// Issued and used counts per batch of a survey (the survey's batch records, and the live
    /// counters: no scan of the codes).
    pub fn batch_counts(&self, survey: &str) -> Result<Vec<BatchCounts>, StoreError> {
        let mut counts = Vec::new();
        for item in self.batches.scan_prefix(scoped_key(survey, b"")) {
            let (k, v) = item?;
            let suffix = &k[survey.len() + 1..];
            if let (Ok(batch), Ok(issued)) =
                (<[u8; 4]>::try_from(suffix), <[u8; 8]>::try_from(v.as_ref()))
            {
                let batch = u32::from_be_bytes(batch);
                counts.push(BatchCounts {
                    batch,
                    issued: u64::from_be_bytes(issued),
                    used: self.counters.used(survey, batch),
                });
            }
        }
        Ok(counts)
    }

    // ---- responses ----

    /// How many responses a survey has (a live counter; no scan).
    pub fn response_count(&self, survey: &str) -> usize {
        self.counters.responses(survey)
    }

    /// Every sealed response of a survey as (record id, sealed bytes). Order is sled's key order,
    /// which is the order of the random ids: it says nothing about when anyone answered.
    pub fn responses(
        &self,
        survey: &str,
    ) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>> + '_ {
        let skip = survey.len() + 1;
        self.responses
            .scan_prefix(scoped_key(survey, b""))
            .map(move |item| {
                let (k, v) = item?;
                Ok((k[skip..].to_vec(), v.to_vec()))
            })
    }
}

impl Drop for Store {
    fn drop(&mut self) {
        self.committer.stop();
    }
}

fn request(code_hash: &[u8; 32], survey: &str, response_id: &[u8], sealed: &[u8]) -> RedeemRequest {
    RedeemRequest {
        code_hash: *code_hash,
        survey: survey.to_owned(),
        response_id: response_id.to_vec(),
        sealed: sealed.to_vec(),
    }
}

fn settle<T>(
    reply: Result<Result<T, String>, tokio::sync::oneshot::error::RecvError>,
) -> Result<T, StoreError> {
    match reply {
        Ok(result) => result.map_err(StoreError::Flush),
        Err(_) => Err(StoreError::Flush("the commit thread stopped".into())),
    }
}

fn open_error(dir: &Path, e: sled::Error) -> StoreError {
    let path = dir.display().to_string();
    match e {
        sled::Error::Io(io) if io.kind() == std::io::ErrorKind::WouldBlock => {
            StoreError::Locked(path)
        }
        sled::Error::Io(io) if io.to_string().contains("lock") => StoreError::Locked(path),
        sled::Error::Io(io)
            if io.kind() == std::io::ErrorKind::PermissionDenied
                || io.raw_os_error() == Some(30) =>
        {
            StoreError::ReadOnly(path)
        }
        other => StoreError::Open {
            path,
            reason: other.to_string(),
        },
    }
}

#[cfg(test)]
mod tests;

/// The live counters, counted once from the trees (start-up, restore).
fn count_from_trees(codes: &Tree, responses: &Tree) -> Result<counters::Counters, StoreError> {
    let counters = counters::Counters::default();
    for key in responses.iter().keys() {
        let key = key?;
        let end = key
            .iter()
            .position(|&b| b == 0)
            .ok_or(StoreError::Corrupt)?;
        let survey = std::str::from_utf8(&key[..end]).map_err(|_| StoreError::Corrupt)?;
        counters.add_response(survey);
    }
    for item in codes.iter().values() {
        let record = CodeRecord::decode(&item?).ok_or(StoreError::Corrupt)?;
        if record.spent {
            counters.add_used(&record.survey, record.batch);
        }
    }
    Ok(counters)
}
