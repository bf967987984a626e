//! Group commit. One thread owns every redemption and every flush:
//!
//! 1. it takes everything queued (redemptions, "make it durable" requests, exclusive work),
//! 2. applies all queued redemptions in ONE `apply_batch` on the `redeem` tree — each one spends
//!    its code and inserts its sealed response and its free-text answers, or does nothing,
//! 3. flushes once (`Generation::flush`: sled's blocking `flush()`, then `fdatasync` on its log),
//! 4. and only then answers every caller; exclusive work (backups, rewrites) runs after that,
//!    before the next batch.
//!
//! Why one batch on one tree and not a transaction: sled applies a `Batch` to one tree
//! atomically, also across crashes (its log marks the batch as a unit and recovery drops an
//! incomplete one), and it costs a third of a two-tree transaction. The check a transaction
//! would make — is the code unspent — is safe to make by reading first,
//! because this thread is the only writer of spent states and of responses: `codes_insert`
//! only ever adds codes that did not exist, and a rewrite runs here, between batches. Inside a
//! batch, a code or record id used twice is caught by the sets below.
//!
//! Why one thread: `flush()` holds sled's lock for the whole fsync, so writers beside a flusher
//! stall on every flush. Taking turns in one thread — a batch, then a flush — costs one fsync per
//! batch however many peers submitted. (`flush_async` is not used: it deadlocks when several run
//! at once, sled issue 1308.)
//!
//! Correctness: a caller is answered only after the flush that follows the batch holding its
//! write, so "accepted" always means "on disk".

use super::records::{
    code_key, coupon_link_key, response_key, text_key, voucher_key, CodeRecord, VoucherRecord,
};
use super::{Redemption, Shared};
use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex};
use tokio::sync::oneshot;

/// Keep one batch modest (sled's memory grows with it).
const MAX_BATCH: usize = 512;

pub(super) struct RedeemRequest {
    pub code_hash: [u8; 32],
    pub survey: String,
    pub response_id: Vec<u8>,
    pub sealed: Vec<u8>,
    /// Free-text answers stored apart from the response: (text id, sealed text).
    pub texts: Vec<(Vec<u8>, Vec<u8>)>,
    /// The code is a recruitment coupon: what its use settles, in the same batch.
    pub coupon: Option<CouponSettle>,
}

/// What using a recruitment coupon settles, atomically with spending it: its link to the
/// recruiter is forgotten, and (`earn`) its claim stub becomes payable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CouponSettle {
    /// The keyed hash of the coupon's code.
    pub coupon_hash: [u8; 32],
    /// The keyed hash of its claim stub.
    pub claim_hash: [u8; 32],
    /// The recruit's response was stored (not screened out): the recruiter has earned it.
    pub earn: bool,
}

/// A redemption's outcome, with the batch of a code it spent (so that counting its use needs
/// no second read).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Committed {
    pub redemption: Redemption,
    pub batch: Option<u32>,
}

impl Committed {
    const UNUSABLE: Committed = Committed {
        redemption: Redemption::Unusable,
        batch: None,
    };
}

type Reply<T> = oneshot::Sender<Result<T, CommitError>>;

/// Why the commit thread could not make a write durable. Cloned to every request the failed
/// batch or flush served.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CommitError {
    #[error("the store is shutting down")]
    ShuttingDown,
    #[error("the commit thread stopped")]
    Stopped,
    #[error(transparent)]
    Sled(Arc<sled::Error>),
}

/// Work that must not interleave with redemptions (a consistent backup, a rewrite). It reports
/// its own result; dropped unrun if the store is shutting down.
pub(super) type ExclusiveWork = Box<dyn FnOnce() + Send>;

enum Job {
    Redeem(RedeemRequest, Reply<Committed>),
    Durable(Reply<()>),
    Exclusive(ExclusiveWork),
}

#[derive(Default)]
struct Queue {
    jobs: Vec<Job>,
    stopping: bool,
}

pub(super) struct Committer {
    queue: Mutex<Queue>,
    wake: Condvar,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Committer {
    pub(super) fn start(shared: Arc<Shared>) -> std::io::Result<Arc<Committer>> {
        let committer = Arc::new(Committer {
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            thread: Mutex::new(None),
        });
        let worker = Arc::clone(&committer);
        let handle = std::thread::Builder::new()
            .name("chorus-commit".into())
            .spawn(move || worker.run(&shared))?;
        *committer.thread.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle);
        Ok(committer)
    }

    pub(super) fn redeem(
        &self,
        request: RedeemRequest,
    ) -> oneshot::Receiver<Result<Committed, CommitError>> {
        let (tx, rx) = oneshot::channel();
        self.push(Job::Redeem(request, tx));
        rx
    }

    /// Runs `work` in the commit thread, between two batches.
    pub(super) fn exclusive(&self, work: ExclusiveWork) {
        self.push(Job::Exclusive(work));
    }

    pub(super) fn stopping(&self) -> bool {
        self.queue
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .stopping
    }

    /// Resolves once everything written before this call is on disk.
    pub(super) fn durable(&self) -> oneshot::Receiver<Result<(), CommitError>> {
        let (tx, rx) = oneshot::channel();
        self.push(Job::Durable(tx));
        rx
    }

    fn push(&self, job: Job) {
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        if queue.stopping {
            drop(queue);
            refuse(job, CommitError::ShuttingDown);
            return;
        }
        queue.jobs.push(job);
        self.wake.notify_one();
    }

    /// Finishes what is queued, then ends the thread (and with it its handle on the database).
    pub(super) fn stop(&self) {
        {
            let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
            queue.stopping = true;
            self.wake.notify_one();
        }
        let handle = self.thread.lock().unwrap_or_else(|p| p.into_inner()).take();
        if let Some(handle) = handle {
            let _ = handle.join();
        }
    }

    fn run(&self, shared: &Shared) {
        loop {
            let (jobs, stopping) = {
                let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
                while queue.jobs.is_empty() && !queue.stopping {
                    queue = self.wake.wait(queue).unwrap_or_else(|p| p.into_inner());
                }
                let take = queue.jobs.len().min(MAX_BATCH);
                let jobs: Vec<Job> = queue.jobs.drain(..take).collect();
                (jobs, queue.stopping && queue.jobs.is_empty())
            };
            commit(shared, jobs);
            if stopping {
                return;
            }
        }
    }
}

fn commit(shared: &Shared, jobs: Vec<Job>) {
    let mut redeems = Vec::new();
    let mut waiters = Vec::new();
    let mut exclusive = Vec::new();
    for job in jobs {
        match job {
            Job::Redeem(request, reply) => redeems.push((request, reply)),
            Job::Durable(reply) => waiters.push(reply),
            Job::Exclusive(work) => exclusive.push(work),
        }
    }
    // Cloned, not held: a rewrite (run below, in this thread) takes the write side.
    let live = Arc::clone(&shared.live());
    let outcomes = if redeems.is_empty() {
        Ok(Vec::new())
    } else {
        apply(&live.redeem, redeems.iter().map(|(r, _)| r))
    };
    let flushed = live.flush().map_err(|e| CommitError::Sled(Arc::new(e)));
    drop(live);
    match &flushed {
        Err(e) => {
            crate::telemetry::storage_failure("flush failed", &e);
            shared.failing.store(true, Ordering::Relaxed);
        }
        Ok(()) => {
            if shared.failing.swap(false, Ordering::Relaxed) {
                tracing::warn!("the store writes again");
            }
        }
    }
    match outcomes {
        Ok(outcomes) => {
            let stored = outcomes
                .iter()
                .filter(|o| o.redemption == Redemption::Redeemed)
                .count();
            shared
                .since_rewrite
                .fetch_add(stored as u64, Ordering::Relaxed);
            for ((_, reply), outcome) in redeems.into_iter().zip(outcomes) {
                let _ = reply.send(flushed.clone().map(|()| outcome));
            }
        }
        Err(e) => {
            crate::telemetry::storage_failure("redemption batch failed", &e);
            shared.failing.store(true, Ordering::Relaxed);
            let e = CommitError::Sled(Arc::new(e));
            for (_, reply) in redeems {
                let _ = reply.send(Err(e.clone()));
            }
        }
    }
    for reply in waiters {
        let _ = reply.send(flushed.clone());
    }
    // After the batch is on disk and before the next one starts.
    for work in exclusive {
        work();
    }
    // sled refuses every write after one has failed, even once the disk has room again (an
    // outside review: 503s until a restart): the store is opened afresh, as a restart would.
    if shared.failing.load(Ordering::Relaxed) {
        super::rewrite::reopen_after_failure(shared);
    }
}

/// One atomic batch for all queued redemptions (see the module comment for why reading first
/// is safe here).
fn apply<'a>(
    redeem: &sled::Tree,
    requests: impl Iterator<Item = &'a RedeemRequest>,
) -> Result<Vec<Committed>, sled::Error> {
    let mut batch = sled::Batch::default();
    let mut spent_here = HashSet::new();
    let mut ids_here = HashSet::new();
    let mut outcomes = Vec::new();
    for request in requests {
        let code = code_key(&request.code_hash);
        let key = response_key(&request.survey, &request.response_id);
        // An empty response spends the code only (a person screened out by `end_if`).
        let stores_response = !request.sealed.is_empty();
        if spent_here.contains(&code) || (stores_response && ids_here.contains(&key)) {
            outcomes.push(Committed::UNUSABLE);
            continue;
        }
        let record = redeem.get(code)?.and_then(|raw| CodeRecord::decode(&raw));
        let usable = matches!(&record, Some(rec) if !rec.spent && rec.survey == request.survey);
        // Record ids are 128 random bits from the system's source: two alike among 2^32
        // responses has odds below 2^-64, so the store is not asked whether an id is free (a
        // read of a random leaf for every submission, on the one thread all of them wait for).
        // Two alike in one batch are still refused above.
        if !usable {
            outcomes.push(Committed::UNUSABLE);
            continue;
        }
        if let Some(rec) = record {
            let spent_batch = rec.batch;
            let spent = CodeRecord { spent: true, ..rec };
            batch.insert(&code[..], spent.encode());
            if stores_response {
                batch.insert(key.as_slice(), request.sealed.as_slice());
                ids_here.insert(key);
                for (id, sealed) in &request.texts {
                    batch.insert(text_key(&request.survey, id), sealed.as_slice());
                }
            }
            if let Some(coupon) = &request.coupon {
                settle_coupon(redeem, &mut batch, coupon)?;
            }
            spent_here.insert(code);
            outcomes.push(Committed {
                redemption: Redemption::Redeemed,
                batch: Some(spent_batch),
            });
        }
    }
    redeem.apply_batch(batch)?;
    Ok(outcomes)
}

/// Forgets a used coupon's link and makes its claim payable when earned. Only an unearned claim
/// changes: nobody else writes one (paying refuses it, and only coupons nobody was shown are
/// taken back), so reading it here is safe, as for codes.
fn settle_coupon(
    redeem: &sled::Tree,
    batch: &mut sled::Batch,
    coupon: &CouponSettle,
) -> Result<(), sled::Error> {
    batch.remove(&coupon_link_key(&coupon.coupon_hash)[..]);
    if !coupon.earn {
        return Ok(());
    }
    let key = voucher_key(&coupon.claim_hash);
    if let Some(record) = redeem.get(key)?.and_then(|raw| VoucherRecord::decode(&raw)) {
        if record.reward == Some(false) {
            let earned = VoucherRecord {
                reward: Some(true),
                ..record
            };
            batch.insert(&key[..], earned.encode());
        }
    }
    Ok(())
}

fn refuse(job: Job, why: CommitError) {
    match job {
        Job::Redeem(_, reply) => {
            let _ = reply.send(Err(why));
        }
        Job::Durable(reply) => {
            let _ = reply.send(Err(why));
        }
        Job::Exclusive(_) => {}
    }
}
