//! Backups, restores, rekeys and shredding at the storage level: whole-store copies in one
//! self-checking file, an atomic swap of every wrapped key, and deleting a survey's key and
//! sealed responses. Still only bytes: sealed data stays sealed in a backup.

use super::records::scoped_key;
use super::{Store, StoreError};
use sled::transaction::{TransactionError, Transactional};
use std::io::{Read, Write};
use std::path::Path;

const MAGIC: &[u8] = b"CHORUS-BACKUP-1\n";

/// One key and its value.
type Entry = (Vec<u8>, Vec<u8>);

#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("could not write the backup file {path}: {source}")]
    Write {
        path: String,
        source: std::io::Error,
    },
    #[error("could not read the backup file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0} is not a Chorus backup, or it is damaged (its checksum does not match)")]
    Damaged(String),
    #[error("the data directory {0} is not empty; restore only into a new, empty data directory")]
    NotEmpty(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Store {
    /// Writes every tree to `path` (atomically: a temporary file renamed into place, mode 0600).
    /// Runs in the commit thread, so no redemption is half-applied in the copy.
    pub fn backup_to(&self, path: &Path) -> Result<u64, BackupError> {
        let db = self.db.clone();
        let target = path.to_path_buf();
        let outcome = self
            .committer
            .exclusive(Box::new(move || {
                write_backup(&db, &target).map_err(|e| e.to_string())
            }))
            .blocking_recv();
        match outcome {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(message)) => Err(BackupError::Write {
                path: path.display().to_string(),
                source: std::io::Error::other(message),
            }),
            Err(_) => Err(BackupError::Store(StoreError::Flush(
                "the commit thread stopped".into(),
            ))),
        }
    }

    /// Replaces the wrapped root secret, key-mode records and every wrapped data key in one
    /// transaction: a crash leaves either the old keys or the new ones, never a mix.
    pub fn swap_keys(
        &self,
        meta: &[(&str, Option<Vec<u8>>)],
        data_keys: &[(String, Vec<u8>)],
    ) -> Result<(), StoreError> {
        let outcome = (&self.meta, &self.data_keys).transaction(|(m, d)| {
            for (name, value) in meta {
                match value {
                    Some(v) => m.insert(name.as_bytes(), v.as_slice())?,
                    None => m.remove(name.as_bytes())?,
                };
            }
            for (survey, wrapped) in data_keys {
                d.insert(survey.as_bytes(), wrapped.as_slice())?;
            }
            Ok::<_, sled::transaction::ConflictableTransactionError<()>>(())
        });
        match outcome {
            Ok(()) => {}
            Err(TransactionError::Abort(())) => return Err(StoreError::Corrupt),
            Err(TransactionError::Storage(e)) => return Err(e.into()),
        }
        self.durable_blocking()
    }

    /// Every stored wrapped data key, by survey.
    pub fn data_keys(&self) -> Result<Vec<(String, Vec<u8>)>, StoreError> {
        self.data_keys
            .iter()
            .map(|item| {
                let (k, v) = item?;
                Ok((
                    String::from_utf8(k.to_vec()).map_err(|_| StoreError::Corrupt)?,
                    v.to_vec(),
                ))
            })
            .collect()
    }

    /// Crypto-shredding: the survey's data key goes first (so even an interrupted shred leaves
    /// nothing readable), then its sealed responses. Releases are kept.
    pub fn shred(&self, survey: &str) -> Result<(), StoreError> {
        self.data_keys.remove(survey)?;
        self.durable_blocking()?;
        let keys: Vec<sled::IVec> = self
            .responses
            .scan_prefix(scoped_key(survey, b""))
            .keys()
            .collect::<Result<_, _>>()?;
        for chunk in keys.chunks(1_000) {
            let mut batch = sled::Batch::default();
            for key in chunk {
                batch.remove(key);
            }
            self.responses.apply_batch(batch)?;
        }
        self.counters.forget_responses(survey);
        self.durable_blocking()
    }
}

fn write_backup(db: &sled::Db, target: &Path) -> std::io::Result<u64> {
    let temp = target.with_extension("partial");
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(&temp)?;
    let mut out = HashingWriter::new(std::io::BufWriter::new(file));
    out.write_all(MAGIC)?;
    let names: Vec<sled::IVec> = db.tree_names();
    out.write_all(&(names.len() as u32).to_be_bytes())?;
    for name in names {
        let tree = db.open_tree(&name).map_err(std::io::Error::other)?;
        write_field(&mut out, &name)?;
        out.write_all(&(tree.len() as u64).to_be_bytes())?;
        let mut written = 0u64;
        for item in tree.iter() {
            let (k, v) = item.map_err(std::io::Error::other)?;
            write_field(&mut out, &k)?;
            write_field(&mut out, &v)?;
            written += 1;
        }
        if written != tree.len() as u64 {
            return Err(std::io::Error::other(
                "a tree changed while it was being copied",
            ));
        }
    }
    let (mut inner, digest, size) = out.finish();
    inner.write_all(&digest)?;
    let file = inner.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    std::fs::rename(&temp, target)?;
    Ok(size + 32)
}

fn write_field(out: &mut impl Write, bytes: &[u8]) -> std::io::Result<()> {
    out.write_all(&(bytes.len() as u32).to_be_bytes())?;
    out.write_all(bytes)
}

/// Restores a backup file into a new data directory (which must not exist or be empty).
pub fn restore(backup: &Path, data_dir: &Path, cache_bytes: u64) -> Result<usize, BackupError> {
    let read_err = |source| BackupError::Read {
        path: backup.display().to_string(),
        source,
    };
    let damaged = || BackupError::Damaged(backup.display().to_string());
    if data_dir.exists()
        && std::fs::read_dir(data_dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(BackupError::NotEmpty(data_dir.display().to_string()));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(backup)
        .and_then(|mut f| f.read_to_end(&mut bytes))
        .map_err(read_err)?;
    if bytes.len() < MAGIC.len() + 36 || !bytes.starts_with(MAGIC) {
        return Err(damaged());
    }
    let (body, digest) = bytes.split_at(bytes.len() - 32);
    if crate::vault::digest(body).as_slice() != digest {
        return Err(damaged());
    }
    // Parse fully before creating anything.
    let mut cursor = &body[MAGIC.len()..];
    let trees = read_u32(&mut cursor).ok_or_else(damaged)?;
    let mut parsed: Vec<(Vec<u8>, Vec<Entry>)> = Vec::new();
    for _ in 0..trees {
        let name = read_field(&mut cursor).ok_or_else(damaged)?;
        let count = read_u64(&mut cursor).ok_or_else(damaged)?;
        let mut entries = Vec::new();
        for _ in 0..count {
            let k = read_field(&mut cursor).ok_or_else(damaged)?;
            let v = read_field(&mut cursor).ok_or_else(damaged)?;
            entries.push((k, v));
        }
        parsed.push((name, entries));
    }
    if !cursor.is_empty() {
        return Err(damaged());
    }
    std::fs::create_dir_all(data_dir).map_err(read_err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(data_dir, std::fs::Permissions::from_mode(0o700));
    }
    let store = Store::open(data_dir, cache_bytes)?;
    let mut total = 0;
    for (name, entries) in parsed {
        let tree = store.db.open_tree(&name).map_err(StoreError::from)?;
        for chunk in entries.chunks(1_000) {
            let mut batch = sled::Batch::default();
            for (k, v) in chunk {
                batch.insert(k.as_slice(), v.as_slice());
            }
            tree.apply_batch(batch).map_err(StoreError::from)?;
            total += chunk.len();
        }
    }
    store.close()?;
    Ok(total)
}

fn read_u32(cursor: &mut &[u8]) -> Option<u32> {
    let (head, rest) = cursor.split_first_chunk::<4>()?;
    *cursor = rest;
    Some(u32::from_be_bytes(*head))
}

fn read_u64(cursor: &mut &[u8]) -> Option<u64> {
    let (head, rest) = cursor.split_first_chunk::<8>()?;
    *cursor = rest;
    Some(u64::from_be_bytes(*head))
}

fn read_field(cursor: &mut &[u8]) -> Option<Vec<u8>> {
    let len = read_u32(cursor)? as usize;
    if cursor.len() < len {
        return None;
    }
    let (field, rest) = cursor.split_at(len);
    *cursor = rest;
    Some(field.to_vec())
}

/// Counts and hashes what passes through, for the backup's checksum.
struct HashingWriter<W: Write> {
    inner: W,
    context: crate::vault::Sha256,
    size: u64,
}

impl<W: Write> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            context: crate::vault::Sha256::new(),
            size: 0,
        }
    }

    fn finish(self) -> (W, Vec<u8>, u64) {
        (self.inner, self.context.finish().to_vec(), self.size)
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.context.update(&buf[..n]);
        self.size += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
