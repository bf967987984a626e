//! Forgetting. sled is log-structured: removed and overwritten values stay in its files, and
//! values sit in the order they arrived, next to whatever was written with them. A rewrite
//! copies every live record, in key order, into a fresh generation directory, switches the key
//! ledger's pointer to it and deletes the old directory. Afterwards the files order responses
//! by their random ids only, keep spent codes (sorted by keyed hash) apart from responses, and
//! hold no removed value. Shredding and rekeying are rewrites with a change on the way.
//!
//! A rewrite runs in the commit thread, between two batches, while holding the write side of
//! the live-generation lock: every acknowledged redemption is already in the copy, redemptions
//! that arrive meanwhile wait in the queue, and no other writer can write to the old generation
//! after it has been copied.

use super::generation::{self, fill, touch, Generation, TREES};
use super::ledger::sync_dir;
use super::records::{
    response_key, snapshot_key, text_key, CodeRecord, CODE_TAG, COUPON_LINK_TAG, RESPONSE_TAG,
    SNAPSHOT_TAG, TEXT_TAG,
};
use super::{Committer, Shared, Store, StoreError};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// How often the store is rewritten while responses arrive: the longest time arrival order and
/// code–response adjacency stay in the files.
pub const REWRITE_EVERY: Duration = Duration::from_secs(60 * 60);

/// sled's page cache while a rewrite fills the new generation. Filling writes every page once
/// and reads none back, so a cache gains nothing there, and sled keeps much of what it caches
/// on top of the live generation's memory. The new generation is opened again with the cache
/// the store is configured for before it goes live.
const COPY_CACHE_BYTES: u64 = 4 << 20;

/// What a sealed record in the store is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedKind {
    Response,
    /// A free-text answer stored apart from its response.
    Text,
    /// A copy of a free-text answer in a release's snapshot.
    Snapshot,
}

/// Seals a stored record again for a rekey: `(kind, survey, record id, sealed) → resealed`;
/// `None` when it does not open (the rekey is then abandoned and nothing changes).
pub type Reseal = dyn Fn(SealedKind, &str, &[u8], &[u8]) -> Option<Vec<u8>> + Send;

/// What a rewrite did, for the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RewriteReport {
    /// Records copied into the new generation (all trees).
    pub records: u64,
    /// Of which sealed responses.
    pub responses: u64,
    pub took: Duration,
}

/// A change made on the way through a rewrite.
#[derive(Default)]
struct Plan {
    /// Ledger records to set (`Some`) or remove (`None`) in the same commit as the switch.
    ledger: Vec<(String, Option<Vec<u8>>)>,
    /// Data keys to set or remove, by survey.
    data_keys: Vec<(String, Option<Vec<u8>>)>,
    /// Nothing of these surveys' answering is copied: their responses, free-text answers and
    /// snapshots of them, code records and unused coupons' links.
    drop_surveys: Vec<String>,
    reseal: Option<Box<Reseal>>,
}

impl Store {
    /// Whether the last write could not be made durable (and the store is being tried afresh).
    pub fn is_failing(&self) -> bool {
        self.shared.failing.load(Ordering::Relaxed)
    }

    /// Rewrites the store now (in key order, into a fresh directory; the old one is deleted).
    /// Safe while serving: redemptions wait for it and none is lost.
    pub fn rewrite(&self) -> Result<RewriteReport, StoreError> {
        self.run_plan(Plan::default())
    }

    /// Queues a rewrite in the commit thread, to run at once and in the background (while the
    /// server serves, as the hourly one does), if the store holds anything anyone answered.
    /// Returns whether one was queued.
    ///
    /// Called once after the server starts. Answers stored after the last rewrite before a stop
    /// are still in arrival order, each beside the code it spent, and the in-memory count of
    /// them (`since_rewrite`) is gone with the process. Nothing on disk says whether such answers
    /// are there: keeping a mark of it current would add a key-ledger write to the submission
    /// path every peer waits on, and one more record written in the rhythm of the answers. So
    /// every start that finds any answer in the store rewrites it, whatever ended the last run —
    /// a crash, a kill, a power cut, a restored backup, a version that did not rewrite on
    /// stopping. The cost is one rewrite per start (about a second per 100,000 stored answers),
    /// redundant after a clean stop, which rewrites already (`rewrite_before_close`).
    ///
    /// It also finishes any shred a crash interrupted: the surveys in `shredded` (every survey
    /// marked shredded) lose their data key and everything of their answering, as
    /// [`Store::shred`] would have done. For a shred that did finish, that finds nothing to drop.
    pub fn rewrite_after_start(&self, shredded: Vec<String>) -> bool {
        if !self.counters.any_answered() && shredded.is_empty() {
            return false;
        }
        for survey in &shredded {
            // Closed and shredded: nothing new arrives for it before the queued rewrite runs.
            self.counters.forget_survey(survey);
        }
        let shared = Arc::clone(&self.shared);
        let plan = Plan {
            data_keys: shredded.iter().map(|s| (s.clone(), None)).collect(),
            drop_surveys: shredded,
            ..Plan::default()
        };
        self.committer.exclusive(Box::new(move || {
            if let Err(e) = rewrite_now(&shared, plan) {
                tracing::error!(error = %e, "store rewrite after start-up failed");
            }
        }));
        true
    }

    /// Before the store closes (a graceful stop, or a command run with the server stopped): a
    /// rewrite if answers arrived since the last one, so that a stopped server's files keep no
    /// arrival order — a machine is most often seized or stolen while it is off. A failure is
    /// logged and the store still closes: everything acknowledged is on disk, and the next start
    /// rewrites.
    pub(super) fn rewrite_before_close(&self) {
        if self.shared.since_rewrite.load(Ordering::Relaxed) == 0 {
            return;
        }
        if let Err(e) = self.rewrite() {
            tracing::error!(error = %e, "store rewrite before stopping failed; the next start rewrites");
        }
    }

    /// Crypto-shredding: the survey's data key is overwritten in the key ledger at once, then the
    /// store is rewritten without its sealed responses, free-text answers and snapshots of them,
    /// its code records (cards and coupons: used or not) and its unused coupons' links, so
    /// nothing of them is left in the data directory. With the key in use, a card found on a
    /// person then says nothing either, not even that it was used. Kept: releases; batch records
    /// (how many cards a batch held, and its tags: an organiser's facts, like a release); and
    /// vouchers, which stay payable because the organisation may still owe people
    /// (docs/fieldwork.md).
    pub fn shred(&self, survey: &str) -> Result<RewriteReport, StoreError> {
        {
            let mut ledger = self.shared.ledger();
            ledger.set_data_key(survey, None);
            ledger.commit()?;
        }
        let report = self.run_plan(Plan {
            drop_surveys: vec![survey.to_owned()],
            ..Plan::default()
        })?;
        self.counters.forget_survey(survey);
        Ok(report)
    }

    /// Rekeying: sets the given ledger records (wrapped root, key mode, salt, sealed signing key
    /// — `None` removes one) and replaces every survey's data key, resealing each response with
    /// `reseal`, all in one rewrite. The switch is one ledger commit: a crash leaves the old keys
    /// and the old store, or the new keys and the new store. Afterwards nothing in the data
    /// directory is sealed by the old master key or the old data keys.
    ///
    /// The surveys in `shredded` (every survey marked shredded) are dropped as a shred drops
    /// them: what a crash left of an interrupted shred is sealed under a key that is gone, and
    /// could not be resealed.
    pub fn rekey(
        &self,
        ledger: Vec<(String, Option<Vec<u8>>)>,
        data_keys: Vec<(String, Vec<u8>)>,
        reseal: Box<Reseal>,
        shredded: Vec<String>,
    ) -> Result<RewriteReport, StoreError> {
        let mut plan = Plan {
            ledger,
            reseal: Some(reseal),
            drop_surveys: shredded,
            ..Plan::default()
        };
        let mut replaced: std::collections::HashSet<String> = std::collections::HashSet::new();
        for (survey, wrapped) in data_keys {
            replaced.insert(survey.clone());
            plan.data_keys.push((survey, Some(wrapped)));
        }
        // A data key not replaced would stay sealed by the old master key: drop it.
        for (survey, _) in self.shared.ledger().data_keys() {
            if !replaced.contains(&survey) {
                plan.data_keys.push((survey, None));
            }
        }
        self.run_plan(plan)
    }

    fn run_plan(&self, plan: Plan) -> Result<RewriteReport, StoreError> {
        let (tx, rx) = oneshot::channel();
        let shared = Arc::clone(&self.shared);
        self.committer.exclusive(Box::new(move || {
            let _ = tx.send(rewrite_now(&shared, plan));
        }));
        rx.blocking_recv()
            .map_err(|_| StoreError::Commit(super::CommitError::Stopped))?
    }
}

/// Rewrites the store (see the module comment). Runs in the commit thread.
fn rewrite_now(shared: &Shared, plan: Plan) -> Result<RewriteReport, StoreError> {
    let started = Instant::now();
    let mut current = shared.current.write().unwrap_or_else(|p| p.into_inner());
    let live = current.take().ok_or(StoreError::Closed)?;
    if let Err(e) = live.flush() {
        *current = Some(live);
        return Err(e.into());
    }
    // From here on every way out puts a generation back into `current`.
    let source = match Source::open(shared, live) {
        Ok(source) => source,
        Err((name, e)) => {
            *current = Some(reopen(shared, &name));
            return Err(e);
        }
    };
    let copied = copy_into_next(shared, source.generation(), &plan);
    let source = source.release();
    match copied.and_then(|copy| switch_to(shared, copy, &plan)) {
        Ok(((records, responses), next)) => {
            let keep = next.name.clone();
            *current = Some(Arc::new(next));
            drop(current);
            drop(source);
            shared.since_rewrite.store(0, Ordering::Relaxed);
            generation::remove_others(&shared.data_dir, &keep).map_err(StoreError::Rewrite)?;
            Ok(RewriteReport {
                records,
                responses,
                took: started.elapsed(),
            })
        }
        Err(e) => {
            *current = Some(source.into_live(shared));
            Err(e)
        }
    }
}

/// The generation a rewrite copies from. Read through the live handle, every page the copy reads
/// stays in that handle's cache and on top of it (at 122,000 stored the server peaked at 160–166
/// MB during a rewrite); opened again with a small cache, the same copy peaked at 92–101 MB
/// (`scripts/rewrite-memory`, docs/performance.md). The live handle can be closed only when
/// nothing else holds it: an iteration in flight (`Store::responses`) holds the generation, and
/// the copy then reads through the live handle as before.
enum Source {
    /// The live handle itself.
    Live(Arc<Generation>),
    /// The live generation opened again with a small cache, for the copy.
    Reopened(Box<Generation>),
}

/// What is left of the source once copied: the live handle, or the name to reopen it by if the
/// rewrite is abandoned (the reopened handle is closed at once, to free its memory).
enum Released {
    Live(Arc<Generation>),
    Closed(String),
}

impl Source {
    /// Called holding the write side of the live-generation lock, so no new holder can appear.
    /// On failure nothing of the generation is open; its name is returned to reopen it.
    fn open(shared: &Shared, live: Arc<Generation>) -> Result<Source, (String, StoreError)> {
        if Arc::strong_count(&live) > 1 {
            return Ok(Source::Live(live));
        }
        let name = live.name.clone();
        drop(live);
        Generation::open(&shared.data_dir, &name, COPY_CACHE_BYTES)
            .map(|generation| Source::Reopened(Box::new(generation)))
            .map_err(|e| (name, e))
    }

    fn generation(&self) -> &Generation {
        match self {
            Source::Live(live) => live,
            Source::Reopened(generation) => generation,
        }
    }

    fn release(self) -> Released {
        match self {
            Source::Live(live) => Released::Live(live),
            Source::Reopened(generation) => Released::Closed(generation.name.clone()),
        }
    }
}

impl Released {
    /// The generation as the live one again, after an abandoned rewrite.
    fn into_live(self, shared: &Shared) -> Arc<Generation> {
        match self {
            Released::Live(live) => live,
            Released::Closed(name) => reopen(shared, &name),
        }
    }
}

/// Opens a generation again as the live one, with the configured cache. If it cannot be, the
/// process ends: everything acknowledged is on disk (the rewrite flushed before it closed the
/// store), and a server left without a store would only fail every request, where a restart
/// (`Restart=on-failure` in deploy/chorus.service) opens it afresh.
fn reopen(shared: &Shared, name: &str) -> Arc<Generation> {
    match Generation::open(&shared.data_dir, name, shared.cache_bytes) {
        Ok(generation) => Arc::new(generation),
        Err(e) => {
            tracing::error!(error = %e, "the store could not be opened again after a failed rewrite; stopping");
            eprintln!("Chorus stops: the store could not be opened again after a failed rewrite ({e}). Nothing acknowledged is lost; start Chorus again.");
            std::process::exit(1);
        }
    }
}

/// How often a failing store is opened afresh: often enough that answers are taken again soon
/// after the disk has room, seldom enough not to churn while it is full.
const RETRY_FAILING_EVERY: Duration = Duration::from_secs(10);

/// Opens the live generation afresh after a write failed (sled refuses every later write in
/// the same handle), as a restart would; at most once every [`RETRY_FAILING_EVERY`]. Runs in
/// the commit thread; skipped while anything else holds the generation. Everything acknowledged
/// was durable before the failure, and a failed batch was never acknowledged.
pub(super) fn reopen_after_failure(shared: &Shared) {
    static RETRIES: crate::telemetry::Throttle =
        crate::telemetry::Throttle::new(RETRY_FAILING_EVERY);
    if RETRIES.admit(Instant::now()).is_none() {
        return;
    }
    // Closing the handle and opening it again needs room; on a disk still full the open could
    // fail, which ends the process. Try only once a probe the size of a log segment fits.
    if !room_to_write(&shared.data_dir) {
        return;
    }
    let mut current = shared.current.write().unwrap_or_else(|p| p.into_inner());
    let Some(live) = current.take() else {
        return;
    };
    if Arc::strong_count(&live) > 1 {
        *current = Some(live);
        return;
    }
    let name = live.name.clone();
    drop(live);
    *current = Some(reopen(shared, &name));
    // There is room and a fresh handle: `/healthz` says so at once, rather than only after the
    // next answer arrives. A write that fails again sets it back.
    shared.failing.store(false, Ordering::Relaxed);
    tracing::warn!("the store was opened afresh after a failed write");
}

/// Whether a few megabytes can be written and synced in `dir` (then removed).
fn room_to_write(dir: &std::path::Path) -> bool {
    use std::io::Write;
    let probe = dir.join(".room-probe");
    let written = std::fs::File::create(&probe).and_then(|mut f| {
        f.write_all(&vec![0u8; 8 << 20])?;
        f.sync_all()
    });
    let _ = std::fs::remove_file(&probe);
    written.is_ok()
}

/// A fresh generation filled from `from`, durable and closed: its name and path, and the counts
/// `copy_all` returns. On failure its directory is removed.
struct Copy {
    name: String,
    path: PathBuf,
    counts: (u64, u64),
}

/// Copies `from` into a fresh generation and closes it: sled keeps in memory much of what it has
/// just written, past its cache (measured: the server held about 75 MB more after rewriting
/// 100,000 responses, until it restarted), so it goes live opened again (`switch_to`), starting
/// from an empty cache as the live one did.
fn copy_into_next(shared: &Shared, from: &Generation, plan: &Plan) -> Result<Copy, StoreError> {
    let next = Generation::create(&shared.data_dir, COPY_CACHE_BYTES)?;
    let copied = copy_all(from, &next, plan).and_then(|counts| {
        next.flush()?;
        sync_dir(&shared.data_dir).map_err(StoreError::Rewrite)?;
        Ok(counts)
    });
    let (name, path) = (next.name.clone(), next.path.clone());
    drop(next);
    match copied {
        Ok(counts) => Ok(Copy { name, path, counts }),
        Err(e) => {
            let _ = std::fs::remove_dir_all(path);
            Err(e)
        }
    }
}

/// Opens the copy with the configured cache and switches the key ledger to it (with the plan's
/// ledger changes, in the same commit). On failure the copy's directory is removed and the
/// ledger is as it was.
fn switch_to(
    shared: &Shared,
    copy: Copy,
    plan: &Plan,
) -> Result<((u64, u64), Generation), StoreError> {
    let next = match Generation::open(&shared.data_dir, &copy.name, shared.cache_bytes) {
        Ok(next) => next,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&copy.path);
            return Err(e);
        }
    };
    let mut ledger = shared.ledger();
    let before = ledger.clone();
    for (name, value) in &plan.ledger {
        ledger.set(name, value.clone());
    }
    for (survey, wrapped) in &plan.data_keys {
        ledger.set_data_key(survey, wrapped.clone());
    }
    ledger.set_store_dir(&next.name);
    if let Err(e) = ledger.commit() {
        *ledger = before;
        drop(next);
        let _ = std::fs::remove_dir_all(&copy.path);
        return Err(e);
    }
    Ok((copy.counts, next))
}

/// Copies every tree in key order; returns (records, responses) copied.
fn copy_all(from: &Generation, to: &Generation, plan: &Plan) -> Result<(u64, u64), StoreError> {
    let mut records = 0;
    let mut responses = 0;
    let dropped: Vec<Vec<u8>> = plan
        .drop_surveys
        .iter()
        .flat_map(|s| {
            // A snapshot key up to the survey's 0 byte, before any release number.
            let mut snapshots = snapshot_key(s, 0, b"");
            snapshots.truncate(snapshots.len() - 4);
            [response_key(s, b""), text_key(s, b""), snapshots]
        })
        .collect();
    // A shredded survey's unused coupons lose their links to its recruiters. Code records sort
    // before links, so each code's survey is known by the time its link comes by.
    let mut codes_of_dropped = std::collections::HashSet::new();
    for name in TREES {
        let (Some(source), Some(target)) = (from.tree(name), to.tree(name)) else {
            continue;
        };
        let entries = source.iter().filter_map(|item| {
            let (k, v) = match item {
                Ok(kv) => kv,
                Err(e) => return Some(Err(StoreError::from(e))),
            };
            // Every record, not every fourth as at start-up: measured while another program
            // kept the second core busy, the rewrite's peak fell by about 20 MB; every fourth
            // record left it where it was.
            if let Err(e) = touch(source, &k) {
                return Some(Err(e));
            }
            let kind = match k.first() {
                _ if name != "redeem" => return Some(Ok((k.to_vec(), v.to_vec()))),
                Some(&RESPONSE_TAG) => SealedKind::Response,
                Some(&TEXT_TAG) => SealedKind::Text,
                Some(&SNAPSHOT_TAG) => SealedKind::Snapshot,
                Some(&CODE_TAG) => {
                    let survey = CodeRecord::decode(&v).map(|r| r.survey);
                    if survey.is_some_and(|s| plan.drop_surveys.contains(&s)) {
                        // Were it kept, a card's record would tell whoever holds the key in use
                        // and finds the card whether it was used for the shredded survey.
                        codes_of_dropped.insert(k[1..].to_vec());
                        return None;
                    }
                    return Some(Ok((k.to_vec(), v.to_vec())));
                }
                Some(&COUPON_LINK_TAG) if codes_of_dropped.contains(&k[1..]) => return None,
                _ => return Some(Ok((k.to_vec(), v.to_vec()))),
            };
            if dropped.iter().any(|p| k.starts_with(p)) {
                return None;
            }
            if kind == SealedKind::Response {
                responses += 1;
            }
            match &plan.reseal {
                None => Some(Ok((k.to_vec(), v.to_vec()))),
                Some(reseal) => Some(reseal_one(reseal, kind, &k, &v).map(|v| (k.to_vec(), v))),
            }
        });
        records += fill(target, entries)?;
    }
    Ok((records, responses))
}

fn reseal_one(
    reseal: &Reseal,
    kind: SealedKind,
    key: &[u8],
    sealed: &[u8],
) -> Result<Vec<u8>, StoreError> {
    let scoped = &key[1..];
    let split = scoped
        .iter()
        .position(|b| *b == 0)
        .ok_or(StoreError::Corrupt)?;
    let survey = std::str::from_utf8(&scoped[..split]).map_err(|_| StoreError::Corrupt)?;
    reseal(kind, survey, &scoped[split + 1..], sealed).ok_or(StoreError::Reseal)
}

/// Rewrites the store every `REWRITE_EVERY` if responses arrived since the last rewrite. The
/// thread holds only weak references, so it ends with the store.
pub(super) fn schedule(shared: &Arc<Shared>, committer: &Arc<Committer>) {
    let shared: Weak<Shared> = Arc::downgrade(shared);
    let committer: Weak<Committer> = Arc::downgrade(committer);
    let spawned = std::thread::Builder::new()
        .name("chorus-rewrite".into())
        .spawn(move || {
            let tick = Duration::from_secs(1);
            let mut waited = Duration::ZERO;
            loop {
                std::thread::sleep(tick);
                waited += tick;
                let (Some(shared), Some(committer)) = (shared.upgrade(), committer.upgrade())
                else {
                    return;
                };
                if committer.stopping() {
                    return;
                }
                if waited < REWRITE_EVERY || shared.since_rewrite.load(Ordering::Relaxed) == 0 {
                    continue;
                }
                waited = Duration::ZERO;
                let job_shared = Arc::clone(&shared);
                committer.exclusive(Box::new(move || {
                    if let Err(e) = rewrite_now(&job_shared, Plan::default()) {
                        tracing::error!(error = %e, "scheduled store rewrite failed");
                    }
                }));
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "could not start the rewrite schedule");
    }
}
