//! The only module that knows sled. It keeps opaque bytes in named trees and guarantees the
//! properties the promises rest on: spending a code and inserting a sealed response happen in one
//! atomic batch, a redemption is reported only once it is on disk (group commit, see
//! `committer`), keys sealed by the master key live only in the key ledger (overwritten in place,
//! see `ledger`), and the database is rewritten into a fresh directory in key order so that its
//! files keep neither arrival order nor removed values (see `rewrite` and docs/storage.md). It
//! knows nothing of what a survey means.

mod admin;
mod backup;
mod committer;
mod counters;
mod coupons;
mod generation;
mod kiosks;
mod ledger;
mod legacy;
mod records;
mod rewrite;
mod snapshots;
mod vouchers;

pub use backup::{restore, BackupError};
pub use ledger::KeyLedger;
pub use records::{BatchCounts, CodeRecord, VoucherRecord};
pub use rewrite::{Reseal, RewriteReport, SealedKind};
pub use vouchers::Payment;

pub use committer::{CommitError, CouponSettle};
use committer::{Committed, Committer, RedeemRequest};
use generation::Generation;
use records::{
    code_key, response_key, scoped_key, text_key, CODE_TAG, COUPON_LINK_TAG, RESPONSE_TAG,
    SNAPSHOT_TAG, TEXT_TAG, VOUCHER_TAG,
};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard};

/// Install-wide records that are sealed by, or describe, the master key. They live in the key
/// ledger, never in sled, so a rekey leaves no old copy behind.
const LEDGER_NAMES: [&str; 6] = [
    "root_secret",
    "key_mode",
    "kdf_salt",
    "kdf_iterations",
    "signing_key",
    "session_secret",
];

/// The file a running Chorus holds locked, so that a second process cannot open the data
/// directory while the first rewrites it.
const LOCK_FILE: &str = "lock";

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
    Commit(#[from] CommitError),
    #[error("a stored record is damaged")]
    Corrupt,
    #[error("could not start the commit thread: {0}")]
    Thread(String),
    #[error("the key ledger {path} could not be read or written: {source}")]
    Ledger {
        path: String,
        source: std::io::Error,
    },
    #[error("the key ledger {0} is damaged: neither of its two copies is intact")]
    LedgerDamaged(String),
    #[error("the key ledger is full: too many surveys hold data keys (shred old ones)")]
    LedgerFull,
    #[error("the store directory {0} named by the key ledger is missing")]
    GenerationMissing(String),
    #[error("could not rewrite the store: {0}")]
    Rewrite(std::io::Error),
    #[error("a sealed response could not be opened to seal it under its new key")]
    Reseal,
    /// A rewrite found no open generation to copy (an invariant broken, never expected).
    #[error("the store was not open for a rewrite")]
    Closed,
}

/// Why a redemption did not happen. One variant on purpose: "unknown", "spent" and "another
/// survey's code" must be indistinguishable to the caller and so to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Redemption {
    Redeemed,
    Unusable,
}

/// What the commit thread, the rewrite schedule and the store share.
pub(crate) struct Shared {
    data_dir: PathBuf,
    cache_bytes: u64,
    /// The live generation. Writers hold the read side while they write; a rewrite holds the
    /// write side, so nothing is written to a generation after it has been copied. `None` only
    /// inside a rewrite, which closes the live handle to read it again with a small cache
    /// (src/store/rewrite.rs), and puts a generation back before it lets go of the write side.
    current: RwLock<Option<Arc<Generation>>>,
    ledger: Mutex<KeyLedger>,
    /// Responses stored since the last rewrite (by this process): the hourly schedule and a
    /// closing store rewrite only when this is not 0. Kept in memory only; a start rewrites
    /// whatever the last run left (`Store::rewrite_after_start`).
    since_rewrite: AtomicU64,
    /// The last write could not be made durable (a full disk, a data directory made
    /// unwritable): `/healthz` says so, and the commit thread tries the store afresh.
    failing: std::sync::atomic::AtomicBool,
}

/// The live generation, read side held.
struct Live<'a>(RwLockReadGuard<'a, Option<Arc<Generation>>>);

impl std::ops::Deref for Live<'_> {
    type Target = Arc<Generation>;

    fn deref(&self) -> &Arc<Generation> {
        // `None` is seen only by the rewrite holding the write side: it puts a generation back
        // before letting go, or ends the process (`rewrite::reopen`).
        self.0
            .as_ref()
            .expect("a rewrite let go of the store without a live generation")
    }
}

impl Shared {
    fn live(&self) -> Live<'_> {
        Live(self.current.read().unwrap_or_else(|p| p.into_inner()))
    }

    fn ledger(&self) -> MutexGuard<'_, KeyLedger> {
        self.ledger.lock().unwrap_or_else(|p| p.into_inner())
    }
}

pub struct Store {
    shared: Arc<Shared>,
    committer: Arc<Committer>,
    counters: counters::Counters,
    _lock: std::fs::File,
}

impl Store {
    /// Opens (or creates) the store of a data directory. Call it only once the key has been
    /// checked against `KeyLedger::read`: opening writes to the data directory.
    pub fn open(dir: &Path, cache_bytes: u64) -> Result<Store, StoreError> {
        create_private_dir(dir)?;
        let lock = lock_data_dir(dir)?;
        let mut ledger = match legacy::migrate(dir, cache_bytes)? {
            Some(migrated) => migrated,
            None => KeyLedger::read(dir)?,
        };
        let generation = match ledger.store_dir() {
            Some(name) if dir.join(&name).is_dir() => Generation::open(dir, &name, cache_bytes)?,
            Some(name) => return Err(StoreError::GenerationMissing(name)),
            None => {
                let generation = Generation::create(dir, cache_bytes)?;
                generation.flush()?;
                ledger.set_store_dir(&generation.name);
                ledger.commit()?;
                generation
            }
        };
        if ledger.needs_repair() {
            ledger.commit()?;
        }
        generation::remove_others(dir, &generation.name).map_err(StoreError::Rewrite)?;
        let shared = Arc::new(Shared {
            data_dir: dir.to_path_buf(),
            cache_bytes,
            current: RwLock::new(Some(Arc::new(generation))),
            ledger: Mutex::new(ledger),
            since_rewrite: AtomicU64::new(0),
            failing: std::sync::atomic::AtomicBool::new(false),
        });
        // Counted before any thread starts, so that a store that cannot be read leaves none.
        let counters = count_from_tree(&shared.live().redeem)?;
        let committer =
            Committer::start(Arc::clone(&shared)).map_err(|e| StoreError::Thread(e.to_string()))?;
        rewrite::schedule(&shared, &committer);
        Ok(Store {
            shared,
            counters,
            committer,
            _lock: lock,
        })
    }

    /// The key ledger of a data directory, for checking a key before `open`. Writes nothing —
    /// except once for a directory in the layout before the key ledger, which is migrated first
    /// (its keys are inside sled until then).
    /// Whether `dir` holds a Chorus store (its key ledger, or a store from before the ledger).
    pub fn exists(dir: &Path) -> bool {
        dir.join(ledger::FILE_NAME).is_file() || legacy::present(dir)
    }

    pub fn keys(dir: &Path, cache_bytes: u64) -> Result<KeyLedger, StoreError> {
        if legacy::present(dir) {
            let _lock = lock_data_dir(dir)?;
            if let Some(ledger) = legacy::migrate(dir, cache_bytes)? {
                return Ok(ledger);
            }
        }
        KeyLedger::read(dir)
    }

    fn live(&self) -> Live<'_> {
        self.shared.live()
    }

    /// Resolves once every write made before the call is on disk; one flush serves many callers.
    pub async fn durable(&self) -> Result<(), StoreError> {
        settle(self.committer.durable().await)
    }

    /// The same, for synchronous callers (CLI, control socket).
    pub fn durable_blocking(&self) -> Result<(), StoreError> {
        settle(self.committer.durable().blocking_recv())
    }

    /// Rewrites the store if answers arrived since the last rewrite, finishes queued work,
    /// flushes and stops the commit thread (graceful shutdown).
    pub fn close(&self) -> Result<(), StoreError> {
        self.rewrite_before_close();
        self.committer.stop();
        self.live().flush()?;
        Ok(())
    }

    // ---- meta: install-wide values (salt, wrapped root secret, key mode) ----

    /// Key-related names are answered from the key ledger, everything else from sled.
    pub fn meta_get(&self, name: &str) -> Result<Option<Vec<u8>>, StoreError> {
        if LEDGER_NAMES.contains(&name) {
            return Ok(self.shared.ledger().get(name).map(<[u8]>::to_vec));
        }
        Ok(self.live().meta.get(name)?.map(|v| v.to_vec()))
    }

    /// Key-related names go to the key ledger (overwritten in place and synced at once).
    pub fn meta_put(&self, name: &str, value: &[u8]) -> Result<(), StoreError> {
        if LEDGER_NAMES.contains(&name) {
            let mut ledger = self.shared.ledger();
            ledger.set(name, Some(value.to_vec()));
            return ledger.commit();
        }
        self.live().meta.insert(name, value)?;
        Ok(())
    }

    /// Removes a record of the meta tree (never a key-ledger record).
    pub fn meta_remove(&self, name: &str) -> Result<(), StoreError> {
        if !LEDGER_NAMES.contains(&name) {
            self.live().meta.remove(name)?;
        }
        Ok(())
    }

    // ---- surveys and their wrapped data keys ----

    pub fn survey_put(&self, id: &str, record: &[u8]) -> Result<(), StoreError> {
        self.live().surveys.insert(id, record)?;
        Ok(())
    }

    pub fn survey_get(&self, id: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.live().surveys.get(id)?.map(|v| v.to_vec()))
    }

    pub fn surveys(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.live()
            .surveys
            .iter()
            .map(|item| {
                let (k, v) = item?;
                let id = String::from_utf8(k.to_vec()).map_err(|_| StoreError::Corrupt)?;
                Ok((id, v.to_vec()))
            })
            .collect()
    }

    /// Stores a survey's wrapped data key (in the key ledger) unless it already has one;
    /// returns the one in force.
    pub fn data_key_init(&self, survey: &str, wrapped: &[u8]) -> Result<Vec<u8>, StoreError> {
        let mut ledger = self.shared.ledger();
        if let Some(existing) = ledger.data_key(survey) {
            return Ok(existing.to_vec());
        }
        ledger.set_data_key(survey, Some(wrapped.to_vec()));
        ledger.commit()?;
        Ok(wrapped.to_vec())
    }

    pub fn data_key_get(&self, survey: &str) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(self.shared.ledger().data_key(survey).map(<[u8]>::to_vec))
    }

    /// Every stored wrapped data key, by survey.
    pub fn data_keys(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        Ok(self.shared.ledger().data_keys())
    }

    // ---- codes ----

    /// Starts a new batch for a survey and returns its number (1, 2, …). `tags` are the batch's
    /// context (opaque bytes; empty for none), read back with `batch_tags`.
    pub fn batch_create(&self, survey: &str, issued: u64, tags: &[u8]) -> Result<u32, StoreError> {
        let counter = scoped_key(survey, b"#next");
        let live = self.live();
        let next = live.batches.update_and_fetch(&counter, |old| {
            let n = old
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map_or(1, |b| u32::from_be_bytes(b) + 1);
            Some(n.to_be_bytes().to_vec())
        })?;
        let number = next
            .and_then(|b| <[u8; 4]>::try_from(b.as_ref()).ok())
            .map(u32::from_be_bytes)
            .ok_or(StoreError::Corrupt)?;
        let mut record = issued.to_be_bytes().to_vec();
        record.extend_from_slice(tags);
        live.batches
            .insert(scoped_key(survey, &number.to_be_bytes()), record)?;
        Ok(number)
    }

    /// The tags a batch was created with (empty when none, or no such batch).
    pub fn batch_tags(&self, survey: &str, batch: u32) -> Result<Vec<u8>, StoreError> {
        Ok(self
            .live()
            .batches
            .get(scoped_key(survey, &batch.to_be_bytes()))?
            .map(|v| v.get(8..).unwrap_or_default().to_vec())
            .unwrap_or_default())
    }

    /// Inserts freshly issued codes (by keyed hash). A hash that already exists is left alone and
    /// reported, so the caller can draw another code; it is never overwritten.
    pub fn codes_insert(
        &self,
        entries: &[([u8; 32], CodeRecord)],
    ) -> Result<Vec<usize>, StoreError> {
        let mut clashes = Vec::new();
        let live = self.live();
        for (i, (hash, record)) in entries.iter().enumerate() {
            let outcome = live.redeem.compare_and_swap(
                code_key(hash),
                None as Option<&[u8]>,
                Some(record.encode()),
            )?;
            if outcome.is_err() {
                clashes.push(i);
            }
        }
        Ok(clashes)
    }

    /// Spends the code and inserts the sealed response in one atomic batch — both happen or
    /// neither does, across concurrent callers and crashes — and resolves once that is on disk.
    /// The spent record keeps no time and no link to the response.
    pub async fn redeem(
        &self,
        code_hash: &[u8; 32],
        survey: &str,
        response_id: &[u8],
        sealed_response: &[u8],
        texts: Vec<(Vec<u8>, Vec<u8>)>,
        coupon: Option<CouponSettle>,
    ) -> Result<Redemption, StoreError> {
        let mut request = request(code_hash, survey, response_id, sealed_response);
        request.texts = texts;
        request.coupon = coupon;
        let outcome = settle(self.committer.redeem(request).await)?;
        Ok(self.count(outcome, survey, true))
    }

    /// Moves the live counters after a committed redemption.
    fn count(&self, outcome: Committed, survey: &str, stores_response: bool) -> Redemption {
        if let (Redemption::Redeemed, Some(batch)) = (outcome.redemption, outcome.batch) {
            if stores_response {
                self.counters.add_response(survey);
            }
            self.counters.add_used(survey, batch);
        }
        outcome.redemption
    }

    /// Spends the code and stores nothing else (a person the survey screened out), with the
    /// same atomicity and durability as `redeem`.
    pub async fn spend(
        &self,
        code_hash: &[u8; 32],
        survey: &str,
        coupon: Option<CouponSettle>,
    ) -> Result<Redemption, StoreError> {
        let mut request = request(code_hash, survey, &[], &[]);
        request.coupon = coupon;
        let outcome = settle(self.committer.redeem(request).await)?;
        Ok(self.count(outcome, survey, false))
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
        Ok(self.count(outcome, survey, true))
    }

    pub fn code_get(&self, code_hash: &[u8; 32]) -> Result<Option<CodeRecord>, StoreError> {
        match self.live().redeem.get(code_key(code_hash))? {
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
        let live = Arc::clone(&self.live());
        for item in live.batches.scan_prefix(scoped_key(survey, b"")) {
            let (k, v) = item?;
            let suffix = &k[survey.len() + 1..];
            let issued = v.get(..8).unwrap_or_default();
            if let (Ok(batch), Ok(issued)) =
                (<[u8; 4]>::try_from(suffix), <[u8; 8]>::try_from(issued))
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

    /// How many codes of one batch were used (a live counter; no scan). For the coupon batch,
    /// which has no batch record, this is how many coupons were used.
    pub fn used_in_batch(&self, survey: &str, batch: u32) -> u64 {
        self.counters.used(survey, batch)
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
        self.sealed_under(response_key(survey, b""))
    }

    /// Every record under `prefix` of the `redeem` tree, as (id after the prefix, sealed bytes).
    /// The iterator holds the generation, not only its tree: a rewrite meanwhile sees it is
    /// still read and copies from the live handle rather than closing it.
    fn sealed_under(
        &self,
        prefix: Vec<u8>,
    ) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>> + '_ {
        let skip = prefix.len();
        let live = Arc::clone(&self.live());
        live.redeem.scan_prefix(prefix).map(move |item| {
            let _reading = &live;
            let (k, v) = item?;
            Ok((k[skip..].to_vec(), v.to_vec()))
        })
    }
}

impl Store {
    /// Every free-text answer of a survey stored apart from its response, as (text id, sealed
    /// bytes), in the order of their random ids.
    pub fn texts(
        &self,
        survey: &str,
    ) -> impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>> + '_ {
        self.sealed_under(text_key(survey, b""))
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
        texts: Vec::new(),
        coupon: None,
    }
}

fn settle<T>(
    reply: Result<Result<T, CommitError>, tokio::sync::oneshot::error::RecvError>,
) -> Result<T, StoreError> {
    match reply {
        Ok(result) => result.map_err(StoreError::Commit),
        Err(_) => Err(StoreError::Commit(CommitError::Stopped)),
    }
}

fn create_private_dir(dir: &Path) -> Result<(), StoreError> {
    make_private_dir(dir).map_err(|e| io_open_error(dir, e))
}

/// Creates `dir` open to its owner only — or makes an existing one so: a data directory made
/// beforehand (`mkdir` with the usual umask) was left readable by every local user, password
/// hashes and audit log included, since the store's files themselves are created readable.
pub fn make_private_dir(dir: &Path) -> std::io::Result<()> {
    if !dir.is_dir() {
        std::fs::create_dir_all(dir)?;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir)?.permissions().mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
        }
    }
    Ok(())
}

fn lock_data_dir(dir: &Path) -> Result<std::fs::File, StoreError> {
    use fs2::FileExt;
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(LOCK_FILE))
        .map_err(|e| io_open_error(dir, e))?;
    file.try_lock_exclusive()
        .map_err(|_| StoreError::Locked(dir.display().to_string()))?;
    Ok(file)
}

fn io_open_error(dir: &Path, e: std::io::Error) -> StoreError {
    open_error(dir, sled::Error::Io(e))
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

/// How often the count at start-up reads a record a second time (`generation::touch`), so that
/// the pass does not leave the whole store in memory: every fourth record. A server just started
/// with 138,900 responses stored peaked at 80–90 MB instead of 100–107 MB, starting in about the
/// same time (docs/performance.md, "Why a rewrite raises memory").
const TOUCH_EVERY: usize = 4;

/// The live counters, counted once from the `redeem` tree when the store opens.
///
/// Most of start-up is this scan (sled reads every leaf back from disk), so the codes and the
/// responses — the two large ranges — are counted on threads of their own, beside the rest.
fn count_from_tree(redeem: &sled::Tree) -> Result<counters::Counters, StoreError> {
    let counters = counters::Counters::default();
    let codes = || -> Result<(), StoreError> {
        for (i, item) in redeem.scan_prefix([CODE_TAG]).enumerate() {
            let (key, value) = item?;
            if i % TOUCH_EVERY == 0 {
                generation::touch(redeem, &key)?;
            }
            let record = CodeRecord::decode(&value).ok_or(StoreError::Corrupt)?;
            if record.spent {
                counters.add_used(&record.survey, record.batch);
            }
        }
        Ok(())
    };
    let responses = || -> Result<(), StoreError> {
        for (i, key) in redeem.scan_prefix([RESPONSE_TAG]).keys().enumerate() {
            let key = key?;
            if i % TOUCH_EVERY == 0 {
                generation::touch(redeem, &key)?;
            }
            let scoped = &key[1..];
            let end = scoped
                .iter()
                .position(|&b| b == 0)
                .ok_or(StoreError::Corrupt)?;
            let survey = std::str::from_utf8(&scoped[..end]).map_err(|_| StoreError::Corrupt)?;
            counters.add_response(survey);
        }
        Ok(())
    };
    // Everything else: only the small kinds of record may be there.
    let rest = || -> Result<(), StoreError> {
        let ranges = [
            redeem.range(..[CODE_TAG].as_slice()),
            redeem.range([CODE_TAG + 1].as_slice()..[RESPONSE_TAG].as_slice()),
            redeem.range([RESPONSE_TAG + 1].as_slice()..),
        ];
        for key in ranges.into_iter().flat_map(sled::Iter::keys) {
            match key?.first() {
                Some(&VOUCHER_TAG | &TEXT_TAG | &SNAPSHOT_TAG | &COUPON_LINK_TAG) => {}
                _ => return Err(StoreError::Corrupt),
            }
        }
        Ok(())
    };
    std::thread::scope(|scope| {
        let codes = scope.spawn(codes);
        let responses = scope.spawn(responses);
        let rest = rest();
        let joined = |h: std::thread::ScopedJoinHandle<'_, Result<(), StoreError>>| {
            h.join()
                .unwrap_or_else(|_| Err(StoreError::Thread("counting stopped".into())))
        };
        joined(codes).and(joined(responses)).and(rest)
    })?;
    Ok(counters)
}

#[cfg(test)]
mod tests;
