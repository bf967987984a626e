//! The key ledger: the only place that holds anything sealed by the master key (the wrapped root
//! secret, each survey's wrapped data key, the sealed signing key), the key-mode records and the
//! name of the live store directory. sled never sees these bytes: its log keeps every old value,
//! so a key kept there could not be destroyed. This file is small and overwritten in place —
//! shredding or rekeying replaces the only copy the data directory holds.
//!
//! Layout: two copies of `COPY_SIZE` bytes, each `MAGIC ‖ sequence (8) ‖ body length (4) ‖ body
//! ‖ SHA-256 of all before it ‖ zeros`. A commit writes copy 0, syncs, then copy 1, syncs; a
//! crash tears at most one copy, and loading takes the valid copy with the higher sequence.
//! The zeros overwrite whatever a longer earlier body left behind.

use super::StoreError;
use std::collections::BTreeMap;
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub(super) const FILE_NAME: &str = "keys.ledger";
const MAGIC: &[u8; 8] = b"CHLEDG01";
/// Room for several hundred surveys; a fixed size so the file never moves or grows.
const COPY_SIZE: usize = 64 * 1024;
const HEADER: usize = 8 + 8 + 4;
const DIGEST: usize = 32;

/// Ledger names of the records outside surveys' data keys.
const DATA_KEY_PREFIX: &str = "data_key/";
const STORE_DIR: &str = "store_dir";

/// The ledger as last read or committed. Reading never writes to the data directory.
#[derive(Clone)]
pub struct KeyLedger {
    path: PathBuf,
    sequence: u64,
    entries: BTreeMap<String, Vec<u8>>,
    /// The two copies on disk differ (a commit was interrupted): the next commit repairs that.
    stale_copy: bool,
}

impl std::fmt::Debug for KeyLedger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyLedger(<redacted>)")
    }
}

impl KeyLedger {
    /// Reads the ledger of a data directory; an empty one if there is none yet.
    pub fn read(data_dir: &Path) -> Result<KeyLedger, StoreError> {
        let path = data_dir.join(FILE_NAME);
        let mut empty = KeyLedger {
            path: path.clone(),
            sequence: 0,
            entries: BTreeMap::new(),
            stale_copy: false,
        };
        let mut bytes = Vec::new();
        match std::fs::File::open(&path) {
            Ok(mut file) => file
                .read_to_end(&mut bytes)
                .map_err(|source| io_error(&path, source))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(empty),
            Err(source) => return Err(io_error(&path, source)),
        };
        let copies: Vec<Option<IntactCopy>> =
            bytes.chunks(COPY_SIZE).take(2).map(parse_copy).collect();
        let best = copies
            .iter()
            .flatten()
            .max_by_key(|(sequence, _)| *sequence)
            .cloned();
        let Some((sequence, entries)) = best else {
            return Err(StoreError::LedgerDamaged(path.display().to_string()));
        };
        empty.stale_copy =
            copies.len() != 2 || copies[0].as_ref().map(|c| c.0) != copies[1].as_ref().map(|c| c.0);
        empty.sequence = sequence;
        empty.entries = entries;
        Ok(empty)
    }

    /// Whether the data directory has been set up (a root secret is recorded).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&[u8]> {
        self.entries.get(name).map(Vec::as_slice)
    }

    pub(super) fn set(&mut self, name: &str, value: Option<Vec<u8>>) {
        match value {
            Some(v) => self.entries.insert(name.to_owned(), v),
            None => self.entries.remove(name),
        };
    }

    pub fn data_key(&self, survey: &str) -> Option<&[u8]> {
        self.get(&data_key_name(survey))
    }

    pub(super) fn set_data_key(&mut self, survey: &str, wrapped: Option<Vec<u8>>) {
        self.set(&data_key_name(survey), wrapped);
    }

    /// Every wrapped data key, by survey.
    pub fn data_keys(&self) -> Vec<(String, Vec<u8>)> {
        self.entries
            .range(DATA_KEY_PREFIX.to_owned()..)
            .take_while(|(k, _)| k.starts_with(DATA_KEY_PREFIX))
            .map(|(k, v)| (k[DATA_KEY_PREFIX.len()..].to_owned(), v.clone()))
            .collect()
    }

    /// Records that are not data keys or the store pointer (key mode, salt, wrapped root …).
    pub(super) fn meta_entries(&self) -> Vec<(String, Vec<u8>)> {
        self.entries
            .iter()
            .filter(|(k, _)| !k.starts_with(DATA_KEY_PREFIX) && k.as_str() != STORE_DIR)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The name of the live store directory inside the data directory.
    pub(super) fn store_dir(&self) -> Option<String> {
        self.get(STORE_DIR)
            .and_then(|v| String::from_utf8(v.to_vec()).ok())
    }

    pub(super) fn set_store_dir(&mut self, name: &str) {
        self.set(STORE_DIR, Some(name.as_bytes().to_vec()));
    }

    pub(super) fn needs_repair(&self) -> bool {
        self.stale_copy
    }

    /// Overwrites both copies in place and syncs each: afterwards the file holds no trace of a
    /// removed or replaced record (on a filesystem that writes in place — see docs/storage.md).
    pub(super) fn commit(&mut self) -> Result<(), StoreError> {
        let sequence = self.sequence + 1;
        let copy = encode_copy(sequence, &self.entries).ok_or(StoreError::LedgerFull)?;
        let path = self.path.clone();
        let err = |source| io_error(&path, source);
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(&path).map_err(err)?;
        for offset in [0, COPY_SIZE as u64] {
            file.seek(SeekFrom::Start(offset)).map_err(err)?;
            file.write_all(&copy).map_err(err)?;
            file.sync_data().map_err(err)?;
        }
        if let Some(dir) = path.parent() {
            sync_dir(dir).map_err(err)?;
        }
        self.sequence = sequence;
        self.stale_copy = false;
        Ok(())
    }
}

fn data_key_name(survey: &str) -> String {
    format!("{DATA_KEY_PREFIX}{survey}")
}

fn io_error(path: &Path, source: std::io::Error) -> StoreError {
    StoreError::Ledger {
        path: path.display().to_string(),
        source,
    }
}

/// Makes a directory's entries (a created or removed file) durable.
pub(super) fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

fn encode_copy(sequence: u64, entries: &BTreeMap<String, Vec<u8>>) -> Option<Vec<u8>> {
    let mut body = Vec::new();
    for (name, value) in entries {
        body.extend_from_slice(&u16::try_from(name.len()).ok()?.to_be_bytes());
        body.extend_from_slice(name.as_bytes());
        body.extend_from_slice(&u32::try_from(value.len()).ok()?.to_be_bytes());
        body.extend_from_slice(value);
    }
    if HEADER + body.len() + DIGEST > COPY_SIZE {
        return None;
    }
    let mut copy = Vec::with_capacity(COPY_SIZE);
    copy.extend_from_slice(MAGIC);
    copy.extend_from_slice(&sequence.to_be_bytes());
    copy.extend_from_slice(&(body.len() as u32).to_be_bytes());
    copy.extend_from_slice(&body);
    let digest = crate::vault::digest(&copy);
    copy.extend_from_slice(&digest);
    copy.resize(COPY_SIZE, 0);
    Some(copy)
}

/// One intact copy: its sequence number and records.
type IntactCopy = (u64, BTreeMap<String, Vec<u8>>);

fn parse_copy(copy: &[u8]) -> Option<IntactCopy> {
    if !copy.starts_with(MAGIC) || copy.len() < HEADER + DIGEST {
        return None;
    }
    let sequence = u64::from_be_bytes(copy[8..16].try_into().ok()?);
    let len = u32::from_be_bytes(copy[16..20].try_into().ok()?) as usize;
    let end = HEADER.checked_add(len)?;
    let digest = copy.get(end..end + DIGEST)?;
    if crate::vault::digest(&copy[..end]).as_slice() != digest {
        return None;
    }
    let mut body = &copy[HEADER..end];
    let mut entries = BTreeMap::new();
    while !body.is_empty() {
        let (name_len, rest) = body.split_first_chunk::<2>()?;
        let name_len = u16::from_be_bytes(*name_len) as usize;
        let name = String::from_utf8(rest.get(..name_len)?.to_vec()).ok()?;
        let rest = &rest[name_len..];
        let (value_len, rest) = rest.split_first_chunk::<4>()?;
        let value_len = u32::from_be_bytes(*value_len) as usize;
        let value = rest.get(..value_len)?.to_vec();
        body = &rest[value_len..];
        entries.insert(name, value);
    }
    Some((sequence, entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ledger(dir: &Path) -> KeyLedger {
        KeyLedger::read(dir).expect("read")
    }

    #[test]
    fn a_missing_ledger_reads_as_empty_and_creates_nothing() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert!(ledger(dir.path()).is_empty());
        assert_eq!(std::fs::read_dir(dir.path()).expect("dir").count(), 0);
    }

    #[test]
    fn committed_records_read_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut l = ledger(dir.path());
        l.set("root_secret", Some(vec![1, 2, 3]));
        l.set_data_key("demo", Some(vec![4; 61]));
        l.commit().expect("commit");
        let again = ledger(dir.path());
        assert_eq!(again.get("root_secret"), Some(&[1u8, 2, 3][..]));
        assert_eq!(again.data_keys(), vec![("demo".to_owned(), vec![4; 61])]);
    }

    #[test]
    fn a_removed_data_key_leaves_no_byte_of_it_in_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut l = ledger(dir.path());
        let wrapped = vec![0xA7; 61];
        l.set_data_key("demo", Some(wrapped.clone()));
        l.set_data_key("other", Some(vec![1; 61]));
        l.commit().expect("commit");
        l.set_data_key("demo", None);
        l.commit().expect("commit");
        let bytes = std::fs::read(dir.path().join(FILE_NAME)).expect("read");
        assert!(!bytes.windows(16).any(|w| w == &wrapped[..16]));
        assert_eq!(bytes.len(), 2 * COPY_SIZE);
    }

    #[test]
    fn a_torn_first_copy_falls_back_to_the_second() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut l = ledger(dir.path());
        l.set("root_secret", Some(vec![9; 61]));
        l.commit().expect("commit");
        let path = dir.path().join(FILE_NAME);
        let mut bytes = std::fs::read(&path).expect("read");
        bytes[30] ^= 0xFF;
        std::fs::write(&path, &bytes).expect("write");
        let again = ledger(dir.path());
        assert_eq!(again.get("root_secret"), Some(&[9u8; 61][..]));
        assert!(again.needs_repair());
    }

    #[test]
    fn a_ledger_with_no_valid_copy_is_reported_damaged() {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join(FILE_NAME), vec![7u8; 2 * COPY_SIZE]).expect("write");
        assert!(matches!(
            KeyLedger::read(dir.path()),
            Err(StoreError::LedgerDamaged(_))
        ));
    }

    #[test]
    fn debug_output_never_shows_key_material() {
        let dir = tempfile::tempdir().expect("tempdir");
        assert_eq!(format!("{:?}", ledger(dir.path())), "KeyLedger(<redacted>)");
    }
}
