//! Typed settings: zero-config defaults, an optional `chorus.toml`, then `CHORUS_*` environment
//! variables on top. Unknown keys and bad values stop start-up with a message naming the culprit.

use crate::vault::{Passphrase, MIN_KDF_ITERATIONS};
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

pub const DEFAULT_CONFIG_FILE: &str = "chorus.toml";
/// A neutral page to leave for in a hurry; each organisation should pick its own.
pub const DEFAULT_QUICK_EXIT: &str = "https://www.wikipedia.org/";

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("could not read {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
    #[error("{name}: {message}")]
    BadEnv { name: &'static str, message: String },
    #[error("{0}")]
    Inconsistent(String),
}

/// The keys `chorus.toml` may contain; anything else is an error.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSettings {
    bind: Option<String>,
    data_dir: Option<PathBuf>,
    key_file: Option<PathBuf>,
    public_url: Option<String>,
    cache_mb: Option<u64>,
    kdf_iterations: Option<u32>,
    import_demo: Option<bool>,
    open_codes_per_minute: Option<u32>,
    code_entries_per_minute: Option<u32>,
    submissions_per_minute: Option<u32>,
    logins_per_minute: Option<u32>,
    trust_forwarded_for: Option<bool>,
    quick_exit_url: Option<String>,
    i18n_dir: Option<PathBuf>,
    kiosk_hours: Option<u32>,
    kiosk_idle_seconds: Option<u32>,
    kiosk_codes_per_minute: Option<u32>,
    release_wait_seconds: Option<u64>,
}

/// Per-client request limits (against guessing and flooding). Counted in memory by
/// client address and forgotten; never written anywhere.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Codes typed or scanned (`/start`, a landing page with `?code=`).
    pub code_entries_per_minute: u32,
    /// Answers sent (JSON API and the peer pages' "send").
    pub submissions_per_minute: u32,
    pub logins_per_minute: u32,
    /// Behind a reverse proxy every request comes from the proxy: key the limits on the
    /// right-most address in `X-Forwarded-For` instead, the one the proxy itself appended (only
    /// if the proxy sets it).
    pub trust_forwarded_for: bool,
}

/// Shared outreach tablets (`docs/fieldwork.md`, "The tablet kiosk").
#[derive(Debug, Clone, Copy)]
pub struct KioskSettings {
    /// How long a kiosk link works after it is opened (default 12 hours, 1 to 168).
    pub hours: u32,
    /// After this long without a tap, a kiosk page returns to the clean start page (default
    /// 120 seconds, 3 to 3600).
    pub idle_seconds: u32,
    /// How many codes one kiosk may hand out per minute (default 6; counted in memory).
    pub codes_per_minute: u32,
}

/// Where the master key comes from (`docs/operations.md`, "The key").
#[derive(Debug, Clone)]
pub enum KeySource {
    File(PathBuf),
    Passphrase(Passphrase),
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub bind: SocketAddr,
    pub data_dir: PathBuf,
    pub key: KeySource,
    /// A key file was named (CHORUS_KEY_FILE or `key_file`), rather than the default beside the
    /// data directory. Without one, a sealed data directory asks for its passphrase.
    pub key_file_named: bool,
    /// The address peers use, for printed links; defaults to `http://{bind}`.
    pub public_url: Option<String>,
    pub cache_bytes: u64,
    pub kdf_iterations: u32,
    /// On first run, import and open the demo survey.
    pub import_demo: bool,
    /// Open surveys: how many fresh codes one client may draw per minute.
    pub open_codes_per_minute: u32,
    /// Per-client limits, kept in memory only (0 turns one off).
    pub limits: Limits,
    /// Where the "Quick exit" button on every peer page leads: a neutral site.
    pub quick_exit_url: String,
    /// An installation's own interface languages: `LANG.toml` files read at start, beside and
    /// over the shipped ones in `i18n/`.
    pub i18n_dir: Option<PathBuf>,
    pub kiosk: KioskSettings,
    /// How long a press on "Publish" or "Close" in the workspace waits for the release before
    /// showing a page that says it is being made (default 10 seconds, 0 to 600): under the
    /// time the proxy in front waits for an answer.
    pub release_wait: std::time::Duration,
}

impl Settings {
    /// Reads `config` (or `./chorus.toml` when present) and the process environment. Only the
    /// binary calls this: the working directory is the operator's, never a test's.
    pub fn load(config: Option<&Path>) -> Result<Settings, ConfigError> {
        let env = |name: &str| std::env::var(name).ok();
        let default = Path::new(DEFAULT_CONFIG_FILE);
        let config = config.or_else(|| default.exists().then_some(default));
        Settings::from_sources(config, &env)
    }

    /// The same, with the environment passed in; reads a settings file only when one is named,
    /// so no test depends on what the working directory holds.
    pub fn from_sources(
        config: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let file = match config {
            Some(path) => read_file(path)?,
            None => FileSettings::default(),
        };
        let config_path = config
            .unwrap_or(Path::new(DEFAULT_CONFIG_FILE))
            .to_path_buf();
        let invalid = |message: String| ConfigError::Invalid {
            path: config_path.clone(),
            message,
        };

        let bind_text = match env("CHORUS_BIND") {
            Some(v) => Some(("CHORUS_BIND", v)),
            None => file.bind.clone().map(|v| ("bind", v)),
        };
        let bind = match bind_text {
            Some((source, text)) => text.parse::<SocketAddr>().map_err(|_| {
                let message = format!("'{text}' is not an address and port like 127.0.0.1:8080");
                if source == "CHORUS_BIND" {
                    ConfigError::BadEnv {
                        name: "CHORUS_BIND",
                        message,
                    }
                } else {
                    invalid(format!("bind: {message}"))
                }
            })?,
            None => SocketAddr::from(([127, 0, 0, 1], 8080)),
        };

        let data_dir = env("CHORUS_DATA_DIR")
            .map(PathBuf::from)
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        if data_dir.as_os_str().is_empty() {
            return Err(ConfigError::BadEnv {
                name: "CHORUS_DATA_DIR",
                message: "must not be empty".into(),
            });
        }

        // Empty counts as not set: a container image's `ENV CHORUS_KEY_FILE=…` cannot be unset by
        // `docker run`, only emptied, and sealed mode needs it gone.
        let key_file = env("CHORUS_KEY_FILE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or(file.key_file);
        let key_file_named = key_file.is_some();
        let key = match env("CHORUS_PASSPHRASE") {
            Some(p) => {
                if key_file.is_some() {
                    return Err(ConfigError::Inconsistent(
                        "both a passphrase (CHORUS_PASSPHRASE) and a key file are set; choose one"
                            .into(),
                    ));
                }
                KeySource::Passphrase(Passphrase::new(p).map_err(|e| ConfigError::BadEnv {
                    name: "CHORUS_PASSPHRASE",
                    message: e.to_string(),
                })?)
            }
            None => KeySource::File(key_file.unwrap_or_else(|| default_key_file(&data_dir))),
        };
        if let KeySource::File(path) = &key {
            if is_inside(path, &data_dir) {
                return Err(ConfigError::Inconsistent(format!(
                    "the key file {} is inside the data directory {}; keep it outside, or a copy of the data directory would carry its own key",
                    path.display(),
                    data_dir.display()
                )));
            }
        }

        let kdf_iterations = file.kdf_iterations.unwrap_or(MIN_KDF_ITERATIONS);
        if kdf_iterations < MIN_KDF_ITERATIONS {
            return Err(invalid(format!(
                "kdf_iterations: must be at least {MIN_KDF_ITERATIONS}, got {kdf_iterations}"
            )));
        }
        // 48 MB: under full load a smaller cache sends sled back to the disk for most code and
        // response leaves (measured: 32 MB cost 8% more CPU per submission), and the serving
        // peak stays near 130 MB, inside the 150 MB budget (docs/performance.md).
        let cache_mb = file.cache_mb.unwrap_or(48);
        if !(4..=4096).contains(&cache_mb) {
            return Err(invalid(format!(
                "cache_mb: must be between 4 and 4096, got {cache_mb}"
            )));
        }
        if let Some(url) = &file.public_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(invalid(format!(
                    "public_url: '{url}' must start with http:// or https://"
                )));
            }
        }
        let quick_exit_url = file
            .quick_exit_url
            .unwrap_or_else(|| DEFAULT_QUICK_EXIT.to_owned());
        if !quick_exit_url.starts_with("https://") && !quick_exit_url.starts_with("http://") {
            return Err(invalid(format!(
                "quick_exit_url: '{quick_exit_url}' must start with https:// or http://"
            )));
        }
        let open_codes_per_minute = file.open_codes_per_minute.unwrap_or(10);
        if open_codes_per_minute == 0 {
            return Err(invalid("open_codes_per_minute: must be at least 1".into()));
        }

        let kiosk = KioskSettings {
            hours: file.kiosk_hours.unwrap_or(12),
            idle_seconds: file.kiosk_idle_seconds.unwrap_or(120),
            codes_per_minute: file.kiosk_codes_per_minute.unwrap_or(6),
        };
        if !(1..=168).contains(&kiosk.hours) {
            return Err(invalid(format!(
                "kiosk_hours: must be between 1 and 168, got {}",
                kiosk.hours
            )));
        }
        if !(3..=3600).contains(&kiosk.idle_seconds) {
            return Err(invalid(format!(
                "kiosk_idle_seconds: must be between 3 and 3600, got {}",
                kiosk.idle_seconds
            )));
        }
        if kiosk.codes_per_minute == 0 {
            return Err(invalid("kiosk_codes_per_minute: must be at least 1".into()));
        }

        let release_wait_seconds = file.release_wait_seconds.unwrap_or(10);
        if release_wait_seconds > 600 {
            return Err(invalid(format!(
                "release_wait_seconds: must be between 0 and 600, got {release_wait_seconds}"
            )));
        }

        let i18n_dir = env("CHORUS_I18N_DIR")
            .map(PathBuf::from)
            .or(file.i18n_dir)
            .filter(|d| !d.as_os_str().is_empty());

        Ok(Settings {
            bind,
            data_dir,
            key,
            key_file_named,
            public_url: file.public_url.map(|u| u.trim_end_matches('/').to_owned()),
            cache_bytes: cache_mb * 1024 * 1024,
            kdf_iterations,
            import_demo: file.import_demo.unwrap_or(true),
            open_codes_per_minute,
            limits: Limits {
                code_entries_per_minute: file.code_entries_per_minute.unwrap_or(30),
                submissions_per_minute: file.submissions_per_minute.unwrap_or(120),
                logins_per_minute: file.logins_per_minute.unwrap_or(10),
                trust_forwarded_for: file.trust_forwarded_for.unwrap_or(false),
            },
            quick_exit_url,
            i18n_dir,
            kiosk,
            release_wait: std::time::Duration::from_secs(release_wait_seconds),
        })
    }
}

fn read_file(path: &Path) -> Result<FileSettings, ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    toml::from_str(&text).map_err(|e| ConfigError::Invalid {
        path: path.to_path_buf(),
        message: e.to_string().trim().to_owned(),
    })
}

/// The key file lives beside the data directory: `./data` → `./chorus.key`.
fn default_key_file(data_dir: &Path) -> PathBuf {
    match data_dir.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent.join("chorus.key"),
        _ => PathBuf::from("chorus.key"),
    }
}

/// Whether `path` lies inside `dir`: compared as written (absolute, `.` and `..` resolved) and
/// with every symbolic link of the part that exists followed, so that a link to the data
/// directory (common where a volume is mounted elsewhere) cannot put the key inside it.
pub fn is_inside(path: &Path, dir: &Path) -> bool {
    let (path, dir) = (absolute(path), absolute(dir));
    path.starts_with(&dir) || resolved(&path).starts_with(resolved(&dir))
}

/// `p` made absolute against the working directory, `.` and `..` resolved as written.
fn absolute(p: &Path) -> PathBuf {
    let p = std::env::current_dir()
        .map(|cwd| cwd.join(p))
        .unwrap_or_else(|_| p.to_path_buf());
    let mut out = PathBuf::new();
    for part in p.components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// An absolute `p` with the symbolic links of its longest existing part followed (the rest, not
/// created yet, appended as it is).
fn resolved(p: &Path) -> PathBuf {
    let mut existing = p.to_path_buf();
    let mut rest = Vec::new();
    while !existing.exists() {
        match existing.file_name() {
            Some(name) => {
                rest.push(name.to_owned());
                existing.pop();
            }
            None => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    out.extend(rest.iter().rev());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(toml: Option<&str>, vars: &[(&str, &str)]) -> Result<Settings, ConfigError> {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("chorus.toml");
        if let Some(text) = toml {
            std::fs::write(&path, text).expect("write");
        }
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let env = move |name: &str| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone());
        Settings::from_sources(toml.map(|_| path.as_path()), &env)
    }

    #[test]
    fn no_settings_at_all_gives_the_documented_defaults() {
        let s = load(None, &[]).expect("defaults");
        assert_eq!(s.bind.to_string(), "127.0.0.1:8080");
        assert_eq!(s.data_dir, PathBuf::from("data"));
        assert!(matches!(s.key, KeySource::File(ref p) if p == Path::new("chorus.key")));
        assert_eq!(s.kdf_iterations, MIN_KDF_ITERATIONS);
    }

    #[test]
    fn environment_variables_override_the_file() {
        let s = load(
            Some("bind = \"127.0.0.1:9000\"\ndata_dir = \"/srv/a/data\""),
            &[
                ("CHORUS_BIND", "0.0.0.0:7000"),
                ("CHORUS_DATA_DIR", "/srv/b/data"),
            ],
        )
        .expect("settings");
        assert_eq!(s.bind.to_string(), "0.0.0.0:7000");
        assert_eq!(s.data_dir, PathBuf::from("/srv/b/data"));
        assert!(matches!(s.key, KeySource::File(ref p) if p == Path::new("/srv/b/chorus.key")));
    }

    #[test]
    fn an_unknown_key_in_the_file_stops_start_up_with_its_name() {
        let err = load(Some("bnid = \"127.0.0.1:1\""), &[])
            .unwrap_err()
            .to_string();
        assert!(err.contains("bnid"), "{err}");
    }

    #[test]
    fn the_wait_for_a_release_is_ten_seconds_unless_set_and_at_most_ten_minutes() {
        let s = load(None, &[]).expect("defaults");
        assert_eq!(s.release_wait, std::time::Duration::from_secs(10));
        let s = load(Some("release_wait_seconds = 0"), &[]).expect("no wait");
        assert_eq!(s.release_wait, std::time::Duration::ZERO);
        let err = load(Some("release_wait_seconds = 601"), &[])
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("release_wait_seconds: must be between 0 and 600"),
            "{err}"
        );
    }

    #[test]
    fn a_bad_bind_address_names_the_variable() {
        let err = load(None, &[("CHORUS_BIND", "localhost")])
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("CHORUS_BIND"), "{err}");
    }

    #[test]
    fn a_passphrase_selects_sealed_mode() {
        let s = load(None, &[("CHORUS_PASSPHRASE", "long enough words")]).expect("settings");
        assert!(matches!(s.key, KeySource::Passphrase(_)));
    }

    #[test]
    fn a_passphrase_and_a_key_file_together_are_refused() {
        assert!(load(
            None,
            &[("CHORUS_PASSPHRASE", "x"), ("CHORUS_KEY_FILE", "/k")]
        )
        .is_err());
    }

    #[test]
    fn a_key_file_inside_the_data_directory_is_refused() {
        let err = load(
            None,
            &[
                ("CHORUS_DATA_DIR", "/srv/data"),
                ("CHORUS_KEY_FILE", "/srv/data/k"),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("inside the data directory"), "{err}");
    }

    /// An outside review put the key inside the data directory through a link to it: the
    /// paths differ as written, but not once the link is followed.
    #[cfg(unix)]
    #[test]
    fn a_key_file_reached_through_a_link_to_the_data_directory_is_refused() {
        let root = tempfile::tempdir().expect("tempdir");
        let data = root.path().join("data");
        std::fs::create_dir(&data).expect("data");
        let alias = root.path().join("alias");
        std::os::unix::fs::symlink(&data, &alias).expect("link");
        let err = load(
            None,
            &[
                ("CHORUS_DATA_DIR", data.to_str().expect("utf-8")),
                (
                    "CHORUS_KEY_FILE",
                    alias.join("k.key").to_str().expect("utf-8"),
                ),
            ],
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("inside the data directory"), "{err}");
        // The other way round: the data directory named through the link, the key beside it.
        assert!(is_inside(&data.join("new.key"), &alias));
        assert!(is_inside(&alias.join("deeper/new.key"), &data));
        assert!(!is_inside(&root.path().join("k.key"), &alias));
        assert!(!is_inside(&root.path().join("data-other/k.key"), &data));
    }

    #[test]
    fn too_few_kdf_iterations_are_refused() {
        assert!(load(Some("kdf_iterations = 1000"), &[]).is_err());
    }
}
