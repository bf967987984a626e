//! Group commit: one thread calls sled's blocking `flush()` and wakes every request whose write
//! finished before that flush began, so one fsync serves many concurrent submissions.
//! (`flush_async` deadlocks when several run at once — see STACK-NOTES.)
//!
//! Correctness: a caller enqueues only after its write has been applied; the thread takes the
//! whole queue first and flushes afterwards, so each flush covers every write of the waiters it
//! answers. Waiters that arrive during a flush wait for the next one.

use std::sync::{Arc, Condvar, Mutex};
use tokio::sync::oneshot;

type Waiter = oneshot::Sender<Result<(), String>>;

#[derive(Default)]
struct Queue {
    waiters: Vec<Waiter>,
    stopping: bool,
}

pub(super) struct Flusher {
    queue: Mutex<Queue>,
    wake: Condvar,
    thread: Mutex<Option<std::thread::JoinHandle<()>>>,
}

impl Flusher {
    pub(super) fn start(db: sled::Db) -> Arc<Flusher> {
        let flusher = Arc::new(Flusher {
            queue: Mutex::new(Queue::default()),
            wake: Condvar::new(),
            thread: Mutex::new(None),
        });
        let worker = Arc::clone(&flusher);
        let spawned = std::thread::Builder::new()
            .name("chorus-flush".into())
            .spawn(move || worker.run(&db));
        match spawned {
            Ok(handle) => *flusher.thread.lock().unwrap_or_else(|p| p.into_inner()) = Some(handle),
            // Without the thread no write could ever be acknowledged; refusing to start is safer.
            Err(e) => panic!("could not start the flush thread: {e}"),
        }
        flusher
    }

    /// Resolves once everything written before this call is on disk.
    pub(super) fn enqueue(&self) -> oneshot::Receiver<Result<(), String>> {
        let (tx, rx) = oneshot::channel();
        let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
        if queue.stopping {
            let _ = tx.send(Err("the store is shutting down".into()));
        } else {
            queue.waiters.push(tx);
            self.wake.notify_one();
        }
        rx
    }

    /// Answers everyone still waiting, then ends the thread (and with it its handle on the db).
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

    fn run(&self, db: &sled::Db) {
        loop {
            let (batch, stopping) = {
                let mut queue = self.queue.lock().unwrap_or_else(|p| p.into_inner());
                while queue.waiters.is_empty() && !queue.stopping {
                    queue = self.wake.wait(queue).unwrap_or_else(|p| p.into_inner());
                }
                (std::mem::take(&mut queue.waiters), queue.stopping)
            };
            let outcome = db.flush().map(|_| ()).map_err(|e| e.to_string());
            if let Err(e) = &outcome {
                tracing::error!(error = %e, "flush failed");
            }
            for waiter in batch {
                let _ = waiter.send(outcome.clone());
            }
            if stopping {
                return;
            }
        }
    }
}
