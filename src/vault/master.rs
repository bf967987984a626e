//! Where the master key comes from: a key file kept outside the data directory (default), or a
//! passphrase stretched with PBKDF2 (sealed mode: nothing on disk).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use ring::pbkdf2;
use std::io::Write;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use zeroize::{Zeroize, Zeroizing};

/// OWASP's 2023 figure for PBKDF2-HMAC-SHA256; start-up refuses anything lower.
pub const MIN_KDF_ITERATIONS: u32 = 600_000;
const KEY_FILE_PREFIX: &str = "chorus-master-key-v1:";

#[derive(Debug, thiserror::Error)]
pub enum MasterKeyError {
    #[error("the key file {0} does not exist, but the data directory already holds data sealed with a key. Restore the key file (from where you kept it safe) or point CHORUS_KEY_FILE at it")]
    KeyFileMissing(PathBuf),
    #[error("the key file {0} is damaged: it does not hold a Chorus master key")]
    KeyFileCorrupt(PathBuf),
    #[error("could not read the key file {path}: {source}")]
    KeyFileUnreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not create the key file {path}: {source}")]
    KeyFileUncreatable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the passphrase is empty")]
    EmptyPassphrase,
    #[error("PBKDF2 needs at least {MIN_KDF_ITERATIONS} iterations, got {0}")]
    TooFewIterations(u32),
}

/// 32 bytes that never leave memory except into the key file; wiped when dropped.
pub struct MasterKey([u8; 32]);

impl Drop for MasterKey {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("MasterKey(<redacted>)")
    }
}

/// A passphrase for sealed mode, with a redacted `Debug`; wiped when dropped.
#[derive(Clone)]
pub struct Passphrase(String);

impl Drop for Passphrase {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

impl std::fmt::Debug for Passphrase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Passphrase(<redacted>)")
    }
}

/// The fewest characters a passphrase chosen now may have. Sealed mode is for a seized disk,
/// where PBKDF2 only slows guessing: a few characters fall to a laptop in hours, three or four
/// unrelated words do not. Passphrases chosen before this rule still open their installations.
pub const MIN_NEW_PASSPHRASE_CHARS: usize = 12;

impl Passphrase {
    pub fn new(value: String) -> Result<Passphrase, MasterKeyError> {
        if value.is_empty() {
            return Err(MasterKeyError::EmptyPassphrase);
        }
        Ok(Passphrase(value))
    }

    /// Whether it may seal a new installation or a rekey (see [`MIN_NEW_PASSPHRASE_CHARS`]).
    pub fn long_enough_to_choose(&self) -> bool {
        self.0.chars().count() >= MIN_NEW_PASSPHRASE_CHARS
    }
}

impl MasterKey {
    #[cfg(test)]
    pub fn from_bytes(bytes: [u8; 32]) -> MasterKey {
        MasterKey(bytes)
    }

    pub(super) fn bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// A fresh random master key, written to `path` with mode 0600. Refuses to overwrite a file.
    pub fn create_key_file(path: &Path) -> Result<MasterKey, MasterKeyError> {
        let uncreatable = |source| MasterKeyError::KeyFileUncreatable {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(uncreatable)?;
        }
        let key = MasterKey(super::random_array());
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut file = options.open(path).map_err(uncreatable)?;
        let line = Zeroizing::new(format!(
            "{KEY_FILE_PREFIX}{}\n",
            URL_SAFE_NO_PAD.encode(key.0)
        ));
        file.write_all(line.as_bytes()).map_err(uncreatable)?;
        file.sync_all().map_err(uncreatable)?;
        Ok(key)
    }

    pub fn read_key_file(path: &Path) -> Result<MasterKey, MasterKeyError> {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => Zeroizing::new(text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(MasterKeyError::KeyFileMissing(path.to_path_buf()))
            }
            Err(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                return Err(MasterKeyError::KeyFileCorrupt(path.to_path_buf()))
            }
            Err(source) => {
                return Err(MasterKeyError::KeyFileUnreadable {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let corrupt = || MasterKeyError::KeyFileCorrupt(path.to_path_buf());
        let encoded = text
            .trim()
            .strip_prefix(KEY_FILE_PREFIX)
            .ok_or_else(corrupt)?;
        let bytes = Zeroizing::new(URL_SAFE_NO_PAD.decode(encoded).map_err(|_| corrupt())?);
        let bytes: [u8; 32] = bytes.as_slice().try_into().map_err(|_| corrupt())?;
        Ok(MasterKey(bytes))
    }

    /// Sealed mode: PBKDF2-HMAC-SHA256 over the passphrase with a stored random salt.
    pub fn from_passphrase(
        passphrase: &Passphrase,
        salt: &[u8],
        iterations: u32,
    ) -> Result<MasterKey, MasterKeyError> {
        if iterations < MIN_KDF_ITERATIONS {
            return Err(MasterKeyError::TooFewIterations(iterations));
        }
        let iterations =
            NonZeroU32::new(iterations).ok_or(MasterKeyError::TooFewIterations(iterations))?;
        let mut key = MasterKey([0u8; 32]);
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA256,
            iterations,
            salt,
            passphrase.0.as_bytes(),
            &mut key.0,
        );
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_created_key_file_reads_back_as_the_same_key() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("chorus.key");
        let created = MasterKey::create_key_file(&path).expect("create");
        let read = MasterKey::read_key_file(&path).expect("read");
        assert_eq!(created.0, read.0);
    }

    #[cfg(unix)]
    #[test]
    fn a_created_key_file_is_readable_by_its_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("chorus.key");
        MasterKey::create_key_file(&path).expect("create");
        let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    #[test]
    fn an_existing_key_file_is_never_overwritten() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("chorus.key");
        MasterKey::create_key_file(&path).expect("create");
        assert!(MasterKey::create_key_file(&path).is_err());
    }

    #[test]
    fn a_missing_key_file_is_reported_as_missing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let err = MasterKey::read_key_file(&dir.path().join("nope")).unwrap_err();
        assert!(matches!(err, MasterKeyError::KeyFileMissing(_)));
    }

    #[test]
    fn a_damaged_key_file_is_reported_as_damaged() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("chorus.key");
        std::fs::write(&path, "chorus-master-key-v1:not-base64!!").expect("write");
        assert!(matches!(
            MasterKey::read_key_file(&path),
            Err(MasterKeyError::KeyFileCorrupt(_))
        ));
        std::fs::write(&path, "something else entirely").expect("write");
        assert!(matches!(
            MasterKey::read_key_file(&path),
            Err(MasterKeyError::KeyFileCorrupt(_))
        ));
    }

    #[test]
    fn the_same_passphrase_and_salt_give_the_same_key() {
        let p = Passphrase::new("correct horse".into()).expect("passphrase");
        let a = MasterKey::from_passphrase(&p, b"salt", MIN_KDF_ITERATIONS).expect("kdf");
        let b = MasterKey::from_passphrase(&p, b"salt", MIN_KDF_ITERATIONS).expect("kdf");
        let c = MasterKey::from_passphrase(&p, b"salt2", MIN_KDF_ITERATIONS).expect("kdf");
        assert_eq!(a.0, b.0);
        assert_ne!(a.0, c.0);
    }

    #[test]
    fn fewer_iterations_than_the_minimum_are_refused() {
        let p = Passphrase::new("x".into()).expect("passphrase");
        assert!(matches!(
            MasterKey::from_passphrase(&p, b"salt", 1000),
            Err(MasterKeyError::TooFewIterations(1000))
        ));
    }

    #[test]
    fn an_empty_passphrase_is_refused() {
        assert!(Passphrase::new(String::new()).is_err());
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let p = Passphrase::new("hunter2".into()).expect("passphrase");
        assert!(!format!("{p:?}").contains("hunter2"));
        assert_eq!(
            format!("{:?}", MasterKey::from_bytes([1; 32])),
            "MasterKey(<redacted>)"
        );
    }
}
