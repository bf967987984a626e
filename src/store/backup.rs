//! Backups and restores: whole-store copies in one self-checking file. Still only bytes: sealed
//! data stays sealed in a backup. The file keeps the logical layout it always had — trees
//! `meta` (with the key-ledger records), `data_keys`, `codes`, `responses` and the rest — so
//! backups made before the key ledger existed restore, and the physical layout can change.

use super::generation::{fill, Generation};
use super::ledger::KeyLedger;
use super::records::{
    CODE_TAG, COUPON_LINK_TAG, RESPONSE_TAG, SNAPSHOT_TAG, TEXT_TAG, VOUCHER_TAG,
};
use super::{Store, StoreError, LEDGER_NAMES};
use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::Arc;

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
    /// Writes every record to `path` (atomically: a temporary file renamed into place, mode
    /// 0600). Runs in the commit thread, so no redemption is half-applied in the copy.
    pub fn backup_to(&self, path: &Path) -> Result<u64, BackupError> {
        let shared = Arc::clone(&self.shared);
        let target = path.to_path_buf();
        let (tx, rx) = tokio::sync::oneshot::channel();
        self.committer.exclusive(Box::new(move || {
            let live = Arc::clone(&shared.live());
            let ledger = shared.ledger().clone();
            let _ = tx.send(write_backup(&live, &ledger, &target));
        }));
        match rx.blocking_recv() {
            Ok(Ok(bytes)) => Ok(bytes),
            Ok(Err(source)) => Err(BackupError::Write {
                path: path.display().to_string(),
                source,
            }),
            Err(_) => Err(BackupError::Store(StoreError::Commit(
                super::CommitError::Stopped,
            ))),
        }
    }
}

/// The logical trees of a generation and its ledger, each in key order.
fn logical_trees(
    live: &Generation,
    ledger: &KeyLedger,
) -> Result<Vec<(String, Vec<Entry>)>, StoreError> {
    let collect = |tree: &sled::Tree, prefix: &[u8]| -> Result<Vec<Entry>, StoreError> {
        tree.scan_prefix(prefix)
            .map(|item| {
                let (k, v) = item?;
                Ok((k[prefix.len()..].to_vec(), v.to_vec()))
            })
            .collect()
    };
    let mut meta: BTreeMap<Vec<u8>, Vec<u8>> = collect(&live.meta, b"")?.into_iter().collect();
    for (name, value) in ledger.meta_entries() {
        meta.insert(name.into_bytes(), value);
    }
    let mut trees = vec![
        ("meta".to_owned(), meta.into_iter().collect()),
        (
            "data_keys".to_owned(),
            ledger
                .data_keys()
                .into_iter()
                .map(|(s, w)| (s.into_bytes(), w))
                .collect(),
        ),
        ("codes".to_owned(), collect(&live.redeem, &[CODE_TAG])?),
        (
            "responses".to_owned(),
            collect(&live.redeem, &[RESPONSE_TAG])?,
        ),
        (
            "vouchers".to_owned(),
            collect(&live.redeem, &[VOUCHER_TAG])?,
        ),
        ("texts".to_owned(), collect(&live.redeem, &[TEXT_TAG])?),
        (
            "text_snapshots".to_owned(),
            collect(&live.redeem, &[SNAPSHOT_TAG])?,
        ),
        (
            "coupon_links".to_owned(),
            collect(&live.redeem, &[COUPON_LINK_TAG])?,
        ),
    ];
    for name in super::generation::TREES {
        if name == "meta" || name == "redeem" {
            continue;
        }
        if let Some(tree) = live.tree(name) {
            trees.push((name.to_owned(), collect(tree, b"")?));
        }
    }
    Ok(trees)
}

/// Builds a new generation and ledger in an empty data directory from logical trees.
pub(super) fn build(
    data_dir: &Path,
    cache_bytes: u64,
    trees: Vec<(Vec<u8>, Vec<Entry>)>,
) -> Result<(KeyLedger, usize), StoreError> {
    let mut ledger = KeyLedger::read(data_dir)?;
    let mut physical: BTreeMap<&'static str, BTreeMap<Vec<u8>, Vec<u8>>> = BTreeMap::new();
    let mut total = 0;
    for (name, entries) in trees {
        for (k, v) in entries {
            total += 1;
            let text = String::from_utf8_lossy(&k).into_owned();
            let (tree, key) = match name.as_slice() {
                b"meta" if LEDGER_NAMES.contains(&text.as_str()) => {
                    ledger.set(&text, Some(v));
                    continue;
                }
                b"data_keys" => {
                    ledger.set_data_key(&text, Some(v));
                    continue;
                }
                b"codes" => ("redeem", [&[CODE_TAG][..], &k].concat()),
                b"responses" => ("redeem", [&[RESPONSE_TAG][..], &k].concat()),
                b"vouchers" => ("redeem", [&[VOUCHER_TAG][..], &k].concat()),
                b"texts" => ("redeem", [&[TEXT_TAG][..], &k].concat()),
                b"text_snapshots" => ("redeem", [&[SNAPSHOT_TAG][..], &k].concat()),
                b"coupon_links" => ("redeem", [&[COUPON_LINK_TAG][..], &k].concat()),
                other => match super::generation::TREES
                    .iter()
                    .find(|t| t.as_bytes() == other && **t != "redeem")
                {
                    Some(tree) => (*tree, k),
                    None => continue,
                },
            };
            physical.entry(tree).or_default().insert(key, v);
        }
    }
    let generation = Generation::create(data_dir, cache_bytes)?;
    for (name, entries) in physical {
        if let Some(tree) = generation.tree(name) {
            fill(tree, entries.into_iter().map(Ok))?;
        }
    }
    generation.flush()?;
    super::ledger::sync_dir(data_dir).map_err(StoreError::Rewrite)?;
    ledger.set_store_dir(&generation.name);
    ledger.commit()?;
    Ok((ledger, total))
}

fn write_backup(live: &Generation, ledger: &KeyLedger, target: &Path) -> std::io::Result<u64> {
    let temp = target.with_extension("partial");
    let written = write_backup_via(live, ledger, target, &temp);
    if written.is_err() {
        // A backup cut short (a full disk) leaves nothing behind but the earlier file, if any.
        let _ = std::fs::remove_file(&temp);
    }
    written
}

fn write_backup_via(
    live: &Generation,
    ledger: &KeyLedger,
    target: &Path,
    temp: &Path,
) -> std::io::Result<u64> {
    let trees = logical_trees(live, ledger).map_err(std::io::Error::other)?;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let file = options.open(temp)?;
    let mut out = HashingWriter::new(std::io::BufWriter::new(file));
    out.write_all(MAGIC)?;
    out.write_all(&(trees.len() as u32).to_be_bytes())?;
    for (name, entries) in trees {
        write_field(&mut out, name.as_bytes())?;
        out.write_all(&(entries.len() as u64).to_be_bytes())?;
        for (k, v) in entries {
            write_field(&mut out, &k)?;
            write_field(&mut out, &v)?;
        }
    }
    let (mut inner, digest, size) = out.finish();
    inner.write_all(&digest)?;
    let file = inner.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()?;
    std::fs::rename(temp, target)?;
    // The rename is kept only once the directory naming the backup is synced too.
    let parent = target.parent().filter(|p| !p.as_os_str().is_empty());
    super::ledger::sync_dir(parent.unwrap_or(Path::new(".")))?;
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
    let (_, total) = build(data_dir, cache_bytes, parsed)?;
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
