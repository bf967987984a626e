//! Opening an installation: the data directory, the master key (key file or passphrase), the
//! vault and the survey registry — the same for the server and for CLI commands run while the
//! server is stopped. Also the first run: demo survey and a link to try it.

use crate::config::{KeySource, Settings};
use crate::store::{Store, StoreError};
use crate::surveys::{SurveyError, SurveyRegistry, SurveyState};
use crate::tokens;
use crate::vault::{random_array, MasterKey, MasterKeyError, Vault, VaultError};
use std::path::PathBuf;

/// The demo survey, embedded so the binary runs from any directory.
pub const DEMO_SURVEY: &str = include_str!("../surveys/demo.toml");

pub const META_ROOT: &str = "root_secret";
pub const META_MODE: &str = "key_mode";
pub const META_SALT: &str = "kdf_salt";
pub const META_ITERATIONS: &str = "kdf_iterations";
pub const META_SIGNING: &str = "signing_key";

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
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error("this data directory was set up with {stored}, but {given} was given; start Chorus the way it was first started")]
    KeyModeMismatch {
        stored: &'static str,
        given: &'static str,
    },
}

/// Everything a request or a command needs: storage, keys and the loaded surveys.
pub struct Chorus {
    pub store: Store,
    pub vault: Vault,
    pub surveys: SurveyRegistry,
    /// Signs researcher exports.
    pub signing: crate::vault::SigningKey,
}

/// What happened while opening, for the start-up message.
#[derive(Default)]
pub struct Opened {
    pub created_key_file: Option<PathBuf>,
    pub first_run: bool,
}

impl Chorus {
    pub fn open(settings: &Settings) -> Result<(Chorus, Opened), StartError> {
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
            KeySource::File(path) => MasterKey::read_key_file(path)?,
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
        let signing = match store.meta_get(META_SIGNING)? {
            Some(sealed) => vault.open_signing_key(&sealed)?,
            None => {
                let (key, sealed) = vault.new_signing_key()?;
                store.meta_put(META_SIGNING, &sealed)?;
                store.durable_blocking()?;
                key
            }
        };
        Ok((
            Chorus {
                store,
                vault,
                surveys,
                signing,
            },
            opened,
        ))
    }

    /// First run: import and open the demo survey, and issue one code to try it with.
    pub fn set_up_demo(&self) -> Result<Option<tokens::TokenCode>, StartError> {
        let outcome = self.surveys.import(&self.store, &self.vault, DEMO_SURVEY)?;
        let id = outcome.id.to_string();
        self.surveys
            .set_state(&self.store, &id, SurveyState::Open)?;
        let (_, mut codes) = tokens::issue_batch(&self.store, self.vault.code_hash_key(), &id, 1)?;
        Ok(codes.pop())
    }
}

fn create_private_dir(path: &std::path::Path) -> Result<(), StartError> {
    let err = |source| StartError::DataDir {
        path: path.to_path_buf(),
        source,
    };
    if path.exists() {
        return Ok(());
    }
    std::fs::create_dir_all(path).map_err(err)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700)).map_err(err)?;
    }
    Ok(())
}

/// `chorus serve`: open everything, print where to go, serve until SIGINT/SIGTERM, then flush.
pub fn serve(settings: &Settings) -> Result<(), StartError> {
    let (chorus, opened) = Chorus::open(settings)?;
    let demo_code = if opened.first_run && settings.import_demo && chorus.surveys.is_empty() {
        chorus.set_up_demo()?
    } else {
        None
    };
    let listener =
        std::net::TcpListener::bind(settings.bind).map_err(|source| StartError::Listen {
            addr: settings.bind.to_string(),
            source,
        })?;
    let local = listener.local_addr().map_err(|source| StartError::Listen {
        addr: settings.bind.to_string(),
        source,
    })?;
    let base = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    let chorus = std::sync::Arc::new(chorus);
    crate::control::listen(std::sync::Arc::clone(&chorus), &settings.data_dir).map_err(
        |source| StartError::Listen {
            addr: crate::control::socket_path(&settings.data_dir)
                .display()
                .to_string(),
            source,
        },
    )?;

    let mut banner = format!("Chorus is listening on http://{local}\n");
    if let Some(path) = &opened.created_key_file {
        banner.push_str(&format!(
            "Created the master key file {}. Keep a copy somewhere safe, apart from backups of the data directory: without it no answer can be read.\n",
            std::path::absolute(path).unwrap_or_else(|_| path.clone()).display()
        ));
    }
    if let Some(token) = new_setup_token(&chorus)? {
        banner.push_str(&format!(
            "Set the first organiser's password (this link works once): {base}/org/setup/{token}\n"
        ));
    }
    if let Some(code) = demo_code {
        banner.push_str(&format!(
            "Try the demo survey: {base}/s/demo?code={}\n",
            code.display()
        ));
    }
    print!("{banner}");
    use std::io::Write;
    let _ = std::io::stdout().flush();

    start_retention(std::sync::Arc::clone(&chorus));
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let options = crate::web::WebOptions {
        open_codes_per_minute: settings.open_codes_per_minute,
        limits: settings.limits,
        workers,
        site: crate::web::Site {
            quick_exit_url: settings.quick_exit_url.clone(),
            sealed_mode: matches!(settings.key, KeySource::Passphrase(_)),
            public_url_is_https: base.starts_with("https://"),
            public_url: base.clone(),
        },
    };
    let served = actix_web::rt::System::new().block_on(async {
        let server = crate::web::build(std::sync::Arc::clone(&chorus), listener, options)?;
        server.await
    });
    let _ = std::fs::remove_file(crate::control::socket_path(&settings.data_dir));
    chorus.store.close()?;
    served.map_err(|source| StartError::Listen {
        addr: local.to_string(),
        source,
    })
}

const META_SETUP: &str = "setup_token_digest";

/// A fresh one-time link token for setting up the first organiser (only while there is no
/// account). Only its digest is stored; a new one replaces the old.
pub fn new_setup_token(chorus: &Chorus) -> Result<Option<String>, StartError> {
    if chorus.store.account_count() > 0 {
        return Ok(None);
    }
    let token = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        random_array::<24>(),
    );
    chorus
        .store
        .meta_put(META_SETUP, &crate::vault::digest(token.as_bytes()))?;
    chorus.store.durable_blocking()?;
    Ok(Some(token))
}

pub fn setup_token_valid(chorus: &Chorus, token: &str) -> bool {
    if chorus.store.account_count() > 0 || token.len() > 100 {
        return false;
    }
    match chorus.store.meta_get(META_SETUP) {
        // Comparing digests: timing can only reveal digest bytes, never the token.
        Ok(Some(stored)) => stored.as_slice() == crate::vault::digest(token.as_bytes()).as_slice(),
        _ => false,
    }
}

pub fn consume_setup_token(chorus: &Chorus) {
    let _ = chorus.store.meta_put(META_SETUP, b"");
    let _ = chorus.store.durable_blocking();
}

/// Shreds closed surveys whose retention period has ended: at start-up, then every hour.
fn start_retention(chorus: std::sync::Arc<Chorus>) {
    let spawned = std::thread::Builder::new()
        .name("chorus-retention".into())
        .spawn(move || loop {
            let today = crate::clock::Clock::today(&crate::clock::SystemClock);
            for id in crate::operations::shred_due(&chorus, &today) {
                tracing::info!(survey = %id, "retention period ended: survey shredded");
            }
            std::thread::sleep(std::time::Duration::from_secs(3600));
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "could not start the retention thread");
    }
}
