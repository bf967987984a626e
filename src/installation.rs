//! Opening an installation: the data directory, the master key (key file or passphrase), the
//! vault and the survey registry — the same for the server and for CLI commands run while the
//! server is stopped — and whether a server is already running on a data directory.

use crate::clock::{Clock, SystemClock};
use crate::config::{KeySource, Settings};
use crate::store::{Store, StoreError};
use crate::surveys::{SurveyError, SurveyRegistry};
use crate::vault::{random_array, MasterKey, MasterKeyError, Vault, VaultError};
use std::path::PathBuf;

pub const META_ROOT: &str = "root_secret";
pub const META_MODE: &str = "key_mode";
pub const META_SALT: &str = "kdf_salt";
pub const META_ITERATIONS: &str = "kdf_iterations";
pub const META_SIGNING: &str = "signing_key";
/// The session secret, wrapped by the master key (`vault::SessionKey`).
pub const META_SESSION: &str = "session_secret";

/// A sealed data directory started without CHORUS_PASSPHRASE: ask the person at the terminal.
fn ask_passphrase() -> Result<crate::vault::Passphrase, StartError> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() {
        return Err(StartError::PassphraseNeeded);
    }
    let typed = rpassword::prompt_password("Passphrase for this Chorus data directory: ")
        .map_err(|_| StartError::PassphraseNeeded)?;
    Ok(crate::vault::Passphrase::new(typed)?)
}

#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("this data directory is sealed with a passphrase: set CHORUS_PASSPHRASE, or start Chorus from a terminal to type it")]
    PassphraseNeeded,
    #[error("a new installation's passphrase needs at least {} characters (three or four unrelated words are easy to remember and hard to guess); nothing was created", crate::vault::MIN_NEW_PASSPHRASE_CHARS)]
    ShortPassphrase,
    #[error("could not create the data directory {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    MasterKey(#[from] MasterKeyError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Survey(#[from] SurveyError),
    #[error("this data directory was set up with {stored}, but {given} was given; start Chorus the way it was first started")]
    KeyModeMismatch {
        stored: &'static str,
        given: &'static str,
    },
}

/// Everything a request or a command needs: storage, keys, the loaded surveys and the clock that
/// dates audit-log entries.
pub struct Chorus {
    pub store: Store,
    pub vault: Vault,
    pub surveys: SurveyRegistry,
    /// Signs researcher exports.
    pub signing: crate::vault::SigningKey,
    /// Signs organiser sessions, CSRF tokens and kiosk links; replaced by every rekey.
    pub session: crate::vault::SessionKey,
    pub clock: Box<dyn Clock>,
    /// Surveys with coupons: the furthest wave reached (shown to organisers in bands).
    pub waves: crate::coupons::WavesReached,
}

/// What happened while opening, for the start-up message.
#[derive(Default)]
pub struct Opened {
    pub created_key_file: Option<PathBuf>,
    pub first_run: bool,
}

impl Chorus {
    pub fn open(settings: &Settings) -> Result<(Chorus, Opened), StartError> {
        if let KeySource::Passphrase(p) = &settings.key {
            if !Store::exists(&settings.data_dir) && !p.long_enough_to_choose() {
                return Err(StartError::ShortPassphrase);
            }
        }
        create_private_dir(&settings.data_dir)?;
        // The key is checked against the key ledger before the store is opened: opening the
        // store writes to the data directory, and a refused start must write nothing.
        let keys = Store::keys(&settings.data_dir, settings.cache_bytes)?;
        let wrapped_root = keys.get(META_ROOT).map(<[u8]>::to_vec);
        let mut opened = Opened {
            first_run: wrapped_root.is_none(),
            ..Opened::default()
        };
        let given = match settings.key {
            KeySource::File(_) => "a key file",
            KeySource::Passphrase(_) => "a passphrase",
        };
        let mut key = settings.key.clone();
        if let Some(mode) = keys.get(META_MODE) {
            let stored = if mode == b"passphrase" {
                "a passphrase"
            } else {
                "a key file"
            };
            if stored == "a passphrase" && given == "a key file" && !settings.key_file_named {
                key = KeySource::Passphrase(ask_passphrase()?);
            } else if stored != given {
                return Err(StartError::KeyModeMismatch { stored, given });
            }
        }
        let mut new_kdf = None;
        let master = match &key {
            KeySource::File(path) if opened.first_run && !path.exists() => {
                opened.created_key_file = Some(path.clone());
                MasterKey::create_key_file(path)?
            }
            KeySource::File(path) => {
                warn_if_others_can_read(path);
                MasterKey::read_key_file(path)?
            }
            KeySource::Passphrase(passphrase) => {
                let (salt, iterations) = match (keys.get(META_SALT), keys.get(META_ITERATIONS)) {
                    (Some(salt), Some(iter)) => {
                        let iter = <[u8; 4]>::try_from(iter).map_err(|_| StoreError::Corrupt)?;
                        (salt.to_vec(), u32::from_be_bytes(iter))
                    }
                    _ => {
                        let salt = random_array::<16>().to_vec();
                        new_kdf = Some((salt.clone(), settings.kdf_iterations));
                        (salt, settings.kdf_iterations)
                    }
                };
                MasterKey::from_passphrase(passphrase, &salt, iterations)?
            }
        };
        let unlocked = match &wrapped_root {
            Some(wrapped) => Some(Vault::unlock(&master, wrapped)?),
            None => None,
        };
        let store = Store::open(&settings.data_dir, settings.cache_bytes)?;
        if let Some((salt, iterations)) = new_kdf {
            store.meta_put(META_SALT, &salt)?;
            store.meta_put(META_ITERATIONS, &iterations.to_be_bytes())?;
        }
        let vault = match unlocked {
            Some(vault) => vault,
            None => {
                let (vault, wrapped) = Vault::create(&master);
                let mode: &[u8] = match key {
                    KeySource::File(_) => b"file",
                    KeySource::Passphrase(_) => b"passphrase",
                };
                store.meta_put(META_MODE, mode)?;
                store.meta_put(META_ROOT, &wrapped)?;
                store.durable_blocking()?;
                vault
            }
        };
        let surveys = SurveyRegistry::load(&store, &vault)?;
        let waves = waves_reached(&store, &surveys);
        let signing = match store.meta_get(META_SIGNING)? {
            Some(sealed) => vault.open_signing_key(&sealed)?,
            None => {
                let (key, sealed) = vault.new_signing_key()?;
                store.meta_put(META_SIGNING, &sealed)?;
                store.durable_blocking()?;
                key
            }
        };
        // Created on the first start, and once by the first start of an installation from before
        // it existed (which logs everyone out once).
        let session = match store.meta_get(META_SESSION)? {
            Some(wrapped) => vault.open_session_key(&wrapped)?,
            None => {
                let (key, wrapped) = vault.new_session_key();
                store.meta_put(META_SESSION, &wrapped)?;
                key
            }
        };
        Ok((
            Chorus {
                store,
                vault,
                surveys,
                signing,
                session,
                clock: Box::new(SystemClock),
                waves,
            },
            opened,
        ))
    }
}

/// The furthest wave of every survey with coupons, read once from its sealed responses (only
/// recruitment surveys pay this at start-up; a survey that cannot be opened counts as seeds only).
fn waves_reached(store: &Store, surveys: &SurveyRegistry) -> crate::coupons::WavesReached {
    let waves = crate::coupons::WavesReached::default();
    for summary in surveys.list(store) {
        let Some(entry) = surveys.get(&summary.id) else {
            continue;
        };
        if entry.survey.coupons().is_none() {
            continue;
        }
        if let Ok(records) = crate::submissions::open_all(store, &entry) {
            for chain in records.iter().filter_map(|r| r.chain) {
                waves.note(&summary.id, chain.wave);
            }
        }
    }
    waves
}

fn create_private_dir(path: &std::path::Path) -> Result<(), StartError> {
    let err = |source| StartError::DataDir {
        path: path.to_path_buf(),
        source,
    };
    crate::store::make_private_dir(path).map_err(err)
}

const SOCKET_NAME: &str = "control.sock";

/// Where a running server listens for CLI commands: inside the 0700 data directory.
pub fn socket_path(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join(SOCKET_NAME)
}

/// Whether a server is listening on this data directory's control socket.
/// The key file opens every answer: one that other accounts on the machine can read is said so
/// at every start (not refused, so that an installation whose file was copied carelessly still
/// starts — the fix is one `chmod`).
fn warn_if_others_can_read(path: &std::path::Path) {
    use std::os::unix::fs::PermissionsExt;
    if let Ok(meta) = std::fs::metadata(path) {
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                mode = format!("{mode:o}"),
                "the key file can be read by other accounts"
            );
            eprintln!(
                "chorus: warning: other accounts on this machine can read the key file {} (mode {mode:o}); run: chmod 600 {}",
                path.display(),
                path.display()
            );
        }
    }
}

/// Whether `data_dir` holds an installation (only `chorus serve` and `restore` make one).
pub fn installed(data_dir: &std::path::Path) -> bool {
    Store::exists(data_dir)
}

pub fn server_running(data_dir: &std::path::Path) -> bool {
    std::os::unix::net::UnixStream::connect(socket_path(data_dir)).is_ok()
}

/// A fresh installation in a temporary directory (key file beside the data directory), with
/// `definition` imported — for unit tests that need a real store and vault.
#[cfg(test)]
pub(crate) fn temporary_with(definition: &str) -> (tempfile::TempDir, Chorus) {
    let dir = tempfile::tempdir().expect("tempdir");
    let data = dir.path().join("data");
    let key = dir.path().join("chorus.key");
    let env = move |name: &str| match name {
        "CHORUS_DATA_DIR" => Some(data.display().to_string()),
        "CHORUS_KEY_FILE" => Some(key.display().to_string()),
        _ => None,
    };
    let settings = Settings::from_sources(None, &env).expect("settings");
    let (chorus, _) = Chorus::open(&settings).expect("open");
    chorus
        .surveys
        .import(&chorus.store, &chorus.vault, definition)
        .expect("import");
    (dir, chorus)
}
