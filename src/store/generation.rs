//! One sled database in its own directory inside the data directory (`store-<random>`), with the
//! trees the store uses. A rewrite builds the next generation beside the live one, in key order,
//! and the key ledger's pointer switches to it; then the old directory is deleted.

use super::StoreError;
use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub(super) const DIR_PREFIX: &str = "store-";
/// sled 0.34's log file and blob directory inside a database directory.
const SLED_LOG: &str = "db";
const SLED_BLOBS: &str = "blobs";
/// Entries per `apply_batch` while copying: modest, because sled's memory grows with a batch.
const COPY_CHUNK: usize = 1_000;

/// The trees of one generation. `redeem` holds code records (`c` ‖ hash) and sealed responses
/// (`r` ‖ survey ‖ 0 ‖ id) together, so one `apply_batch` spends a code and stores its response.
pub(super) struct Generation {
    pub name: String,
    pub path: PathBuf,
    pub db: sled::Db,
    /// sled's log file, opened again only to sync it (see [`Generation::flush`]).
    log: std::fs::File,
    /// Blob files already synced (see [`Generation::flush`]).
    synced_blobs: Mutex<HashSet<std::ffi::OsString>>,
    pub meta: sled::Tree,
    pub surveys: sled::Tree,
    pub redeem: sled::Tree,
    pub batches: sled::Tree,
    pub accounts: sled::Tree,
    pub api_keys: sled::Tree,
    pub audit: sled::Tree,
    pub releases: sled::Tree,
    pub exports: sled::Tree,
}

/// The trees every generation has, in the order a rewrite copies them.
pub(super) const TREES: [&str; 9] = [
    "meta", "surveys", "redeem", "batches", "accounts", "api_keys", "audit", "releases", "exports",
];

/// How long a reopen waits for this process's previous handle on the same generation to let go.
const RELEASE_WAIT: Duration = Duration::from_secs(5);

/// Opens sled on a generation directory. The caller holds the data directory's lock, so no other
/// process can hold this one: a sled "locked" error can only be a handle of this process that is
/// still closing (sled's background writes and the rewrite timer keep the database alive for a
/// moment after the store is dropped), and waiting for it is right.
fn open_sled(path: &Path, cache_bytes: u64) -> Result<sled::Db, StoreError> {
    remove_unfinished_snapshots(path).map_err(|e| StoreError::Sled(sled::Error::Io(e)))?;
    let started = Instant::now();
    loop {
        let opened = sled::Config::new()
            .path(path)
            .cache_capacity(cache_bytes)
            // Every acknowledged write is flushed by the commit thread; sled's own periodic
            // flusher would only contend with it for the database lock.
            .flush_every_ms(None)
            .open()
            .map_err(|e| super::open_error(path, e));
        match opened {
            Err(StoreError::Locked(_)) if started.elapsed() < RELEASE_WAIT => {
                std::thread::sleep(Duration::from_millis(20));
            }
            other => return other,
        }
    }
}

/// sled writes a snapshot to `snap.<lsn>.generating` and renames it once whole; one left
/// behind (a disk that filled up while sled closed, a crash) is never whole. sled 0.34 does not
/// skip it when it opens a directory: it reads the unfinished file as the newest snapshot and
/// refuses the whole store as "corrupted" — every answer still there, but unreachable (an
/// outside review, on a nearly full disk). Removing it first leaves sled the last whole
/// snapshot and its log, from which it recovers as after any crash.
fn remove_unfinished_snapshots(path: &Path) -> std::io::Result<()> {
    let entries = match std::fs::read_dir(path) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut removed = false;
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with("snap.") && name.ends_with(".generating") {
            std::fs::remove_file(entry.path())?;
            removed = true;
        }
    }
    if removed {
        super::ledger::sync_dir(path)?;
    }
    Ok(())
}

impl Generation {
    pub(super) fn open(
        data_dir: &Path,
        name: &str,
        cache_bytes: u64,
    ) -> Result<Generation, StoreError> {
        let path = data_dir.join(name);
        let db = open_sled(&path, cache_bytes)?;
        let log = std::fs::File::open(path.join(SLED_LOG)).map_err(sled::Error::Io)?;
        // A new generation's files must outlive a power cut once it is live: its directory
        // entries (the log, sled's configuration) are synced here, before anything is written.
        super::ledger::sync_dir(&path).map_err(sled::Error::Io)?;
        let tree = |name: &str| db.open_tree(name);
        Ok(Generation {
            log,
            synced_blobs: Mutex::new(HashSet::new()),
            name: name.to_owned(),
            meta: tree("meta")?,
            surveys: tree("surveys")?,
            redeem: tree("redeem")?,
            batches: tree("batches")?,
            accounts: tree("accounts")?,
            api_keys: tree("api_keys")?,
            audit: tree("audit")?,
            releases: tree("releases")?,
            exports: tree("exports")?,
            path,
            db,
        })
    }

    /// A new, empty generation under a fresh random name.
    pub(super) fn create(data_dir: &Path, cache_bytes: u64) -> Result<Generation, StoreError> {
        let name = format!("{DIR_PREFIX}{}", crate::vault::random_hex::<8>());
        Generation::open(data_dir, &name, cache_bytes)
    }

    /// Makes everything written so far durable, also across a power cut. sled's `flush` writes
    /// its log with `sync_file_range`, which waits for the data to reach the device but neither
    /// asks the device to empty its write cache nor records the file's new length as the log
    /// grows; and it writes values too large for its log (a release document, an export) to
    /// blob files it never syncs. So after sled's flush: `fdatasync` on the log (one call per
    /// batch of redemptions, not per response), then every blob file not yet synced and the
    /// directory that names them.
    pub(super) fn flush(&self) -> Result<(), sled::Error> {
        self.db.flush()?;
        self.log.sync_data()?;
        self.sync_blobs()?;
        Ok(())
    }

    fn sync_blobs(&self) -> std::io::Result<()> {
        let dir = self.path.join(SLED_BLOBS);
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let mut synced = self.synced_blobs.lock().unwrap_or_else(|p| p.into_inner());
        let mut new = false;
        for entry in entries {
            let entry = entry?;
            let name = entry.file_name();
            if synced.contains(&name) {
                continue;
            }
            match std::fs::File::open(entry.path()) {
                Ok(file) => file.sync_all()?,
                // Removed meanwhile by sled's own clean-up: nothing left to keep.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            }
            synced.insert(name);
            new = true;
        }
        if new {
            super::ledger::sync_dir(&dir)?;
        }
        Ok(())
    }

    pub(super) fn tree(&self, name: &str) -> Option<&sled::Tree> {
        Some(match name {
            "meta" => &self.meta,
            "surveys" => &self.surveys,
            "redeem" => &self.redeem,
            "batches" => &self.batches,
            "accounts" => &self.accounts,
            "api_keys" => &self.api_keys,
            "audit" => &self.audit,
            "releases" => &self.releases,
            "exports" => &self.exports,
            _ => return None,
        })
    }
}

/// Reads `key` once more, for a pass over a whole tree (a rewrite's copy, the count at start-up),
/// so that sled's cache can let go of what the pass has read. sled notes each page read in a
/// queue of 64 per shard (256 shards) and evicts only when a queue fills: a pass reading each
/// page about once fills none, and kept every page it read in memory until the database closed.
/// A second read of a page already loaded fills the queues, so the pass evicts as it goes
/// (docs/performance.md, "Why a rewrite raises memory").
pub(super) fn touch(tree: &sled::Tree, key: &[u8]) -> Result<(), StoreError> {
    tree.get(key)?;
    Ok(())
}

/// Writes `entries` (already in key order) into `tree` in modest batches.
pub(super) fn fill(
    tree: &sled::Tree,
    entries: impl Iterator<Item = Result<(Vec<u8>, Vec<u8>), StoreError>>,
) -> Result<u64, StoreError> {
    let mut written = 0;
    let mut batch = sled::Batch::default();
    let mut in_batch = 0;
    for entry in entries {
        let (k, v) = entry?;
        batch.insert(k, v);
        in_batch += 1;
        written += 1;
        if in_batch == COPY_CHUNK {
            tree.apply_batch(std::mem::take(&mut batch))?;
            in_batch = 0;
        }
    }
    if in_batch > 0 {
        tree.apply_batch(batch)?;
    }
    Ok(written)
}

/// Removes every store directory except `keep` (leftovers of an interrupted rewrite, or the
/// generation a rewrite replaced), and sled files of the layout before generations existed.
pub(super) fn remove_others(data_dir: &Path, keep: &str) -> std::io::Result<()> {
    for entry in std::fs::read_dir(data_dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with(DIR_PREFIX) && name != keep {
            std::fs::remove_dir_all(entry.path())?;
        }
    }
    super::ledger::sync_dir(data_dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flush_syncs_the_blob_files_sled_writes_large_values_to() {
        let dir = tempfile::tempdir().expect("tempdir");
        let generation = Generation::create(dir.path(), 1 << 20).expect("create");
        // A release document of a long questionnaire is this size: too large for sled's log.
        generation
            .releases
            .insert(b"demo/1", vec![7u8; 300_000])
            .expect("insert");
        generation.flush().expect("flush");
        let blobs: HashSet<std::ffi::OsString> =
            std::fs::read_dir(generation.path.join(SLED_BLOBS))
                .expect("sled keeps large values in blob files")
                .map(|e| e.expect("entry").file_name())
                .collect();
        assert!(!blobs.is_empty(), "the value went to a blob file");
        let synced = generation.synced_blobs.lock().expect("lock").clone();
        assert!(blobs.is_subset(&synced), "every blob file was synced");
        // A second flush with nothing new opens no file again.
        generation.flush().expect("flush");
        assert_eq!(*generation.synced_blobs.lock().expect("lock"), synced);
    }
}
