//! Data directories from before the key ledger held sled's files directly in the data
//! directory, with the wrapped keys inside sled. Opening one moves everything into a generation
//! and the ledger (through the backup layout, which maps the old trees), then deletes the old
//! files — with them the old log and every key it kept.

use super::backup::build;
use super::ledger::{KeyLedger, FILE_NAME};
use super::StoreError;
use std::path::Path;

/// Whether sled's files of the old layout are in the data directory.
pub(super) fn present(dir: &Path) -> bool {
    dir.join("conf").is_file() && dir.join("db").is_file()
}

/// Migrates a data directory in the old layout; `None` when there is nothing to migrate.
pub(super) fn migrate(dir: &Path, cache_bytes: u64) -> Result<Option<KeyLedger>, StoreError> {
    if !present(dir) {
        return Ok(None);
    }
    // A migration interrupted after the ledger was written only has old files left to delete.
    let migrated = if dir.join(FILE_NAME).exists() {
        None
    } else {
        let trees = read_all(dir, cache_bytes)?;
        Some(build(dir, cache_bytes, trees)?.0)
    };
    remove_old_files(dir).map_err(StoreError::Rewrite)?;
    Ok(migrated)
}

type Tree = (Vec<u8>, Vec<(Vec<u8>, Vec<u8>)>);

fn read_all(dir: &Path, cache_bytes: u64) -> Result<Vec<Tree>, StoreError> {
    let db = sled::Config::new()
        .path(dir)
        .cache_capacity(cache_bytes)
        .open()
        .map_err(|e| super::open_error(dir, e))?;
    let mut trees = Vec::new();
    for name in db.tree_names() {
        let tree = db.open_tree(&name)?;
        let entries = tree
            .iter()
            .map(|item| item.map(|(k, v)| (k.to_vec(), v.to_vec())))
            .collect::<Result<Vec<_>, _>>()?;
        trees.push((name.to_vec(), entries));
    }
    Ok(trees)
}

fn remove_old_files(dir: &Path) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name == "blobs" {
            std::fs::remove_dir_all(entry.path())?;
        } else if name == "conf" || name == "db" || name.starts_with("snap.") {
            std::fs::remove_file(entry.path())?;
        }
    }
    super::ledger::sync_dir(dir)
}
