//! The composition root of `chorus serve`: open the installation, print where to go, start the
//! control socket, a store rewrite, the retention schedule and the web server, serve until
//! SIGINT/SIGTERM, then rewrite if answers came and flush.

use crate::config::{KeySource, Settings};
use crate::installation::{socket_path, Chorus, StartError};
use crate::services::{self, ServiceError};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Start(#[from] StartError),
    /// First-run set-up (the demo survey or the set-up link) failed.
    #[error("could not prepare the first run: {0}")]
    FirstRun(#[from] ServiceError),
    #[error("could not listen on {addr}: {source}")]
    Listen {
        addr: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    #[error(transparent)]
    Languages(#[from] crate::services::interface_texts::TextsError),
}

/// `chorus serve`: open everything, print where to go, serve until SIGINT/SIGTERM, then flush.
pub fn run(settings: &Settings) -> Result<(), ServeError> {
    // Before anything is created: a language folder that cannot be used is a settings error.
    let translations =
        services::interface_texts::InterfaceTexts::load_installation(settings.i18n_dir.as_deref())?;
    // Before anything is created too: a first run whose address is taken leaves no key file
    // and no data directory behind.
    let listener =
        std::net::TcpListener::bind(settings.bind).map_err(|source| ServeError::Listen {
            addr: settings.bind.to_string(),
            source,
        })?;
    let (chorus, opened) = Chorus::open(settings)?;
    let demo_code = if opened.first_run && settings.import_demo && chorus.surveys.is_empty() {
        services::surveys::set_up_demo(&chorus)?
    } else {
        None
    };
    let local = listener.local_addr().map_err(|source| ServeError::Listen {
        addr: settings.bind.to_string(),
        source,
    })?;
    let base = settings
        .public_url
        .clone()
        .unwrap_or_else(|| format!("http://{local}"));
    let chorus = std::sync::Arc::new(chorus);
    crate::cli::control::listen(std::sync::Arc::clone(&chorus), &settings.data_dir).map_err(
        |source| ServeError::Listen {
            addr: socket_path(&settings.data_dir).display().to_string(),
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
    let token = services::accounts::new_setup_token(&chorus)?;
    if let Some(token) = token {
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

    // After the banner, so start-up does not wait for it: requests that reach the store wait a
    // moment instead, as during the hourly rewrite (src/store/rewrite.rs says why every start).
    chorus.store.rewrite_after_start(chorus.surveys.shredded());
    start_retention(std::sync::Arc::clone(&chorus));
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let options = crate::web::WebOptions {
        open_codes_per_minute: settings.open_codes_per_minute,
        limits: settings.limits,
        kiosk: settings.kiosk,
        workers,
        translations,
        site: crate::web::Site {
            quick_exit_url: settings.quick_exit_url.clone(),
            sealed_mode: matches!(settings.key, KeySource::Passphrase(_)),
            public_url_is_https: base.starts_with("https://"),
            public_url: base.clone(),
            release_wait: settings.release_wait,
        },
    };
    let served = actix_web::rt::System::new().block_on(async {
        let server = crate::web::build(std::sync::Arc::clone(&chorus), listener, options)?;
        server.await
    });
    let _ = std::fs::remove_file(socket_path(&settings.data_dir));
    chorus.store.close()?;
    served.map_err(|source| ServeError::Listen {
        addr: local.to_string(),
        source,
    })
}

/// Shreds closed surveys whose retention period has ended: at start-up, then every hour.
fn start_retention(chorus: std::sync::Arc<Chorus>) {
    let spawned = std::thread::Builder::new()
        .name("chorus-retention".into())
        .spawn(move || loop {
            let today = crate::clock::Clock::today(&crate::clock::SystemClock);
            for id in services::surveys::shred_due(&chorus, &today) {
                tracing::info!(survey = %id, "retention period ended: survey shredded");
            }
            std::thread::sleep(std::time::Duration::from_secs(3600));
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "could not start the retention thread");
    }
}
