//! The HTTP edge. Only this module knows actix and tera: it turns requests into calls on the
//! domain services and maps their typed errors to responses in one place (`error.rs`).

mod api;
mod auth;
mod blocking;
mod body_time;
mod client;
mod device;
mod error;
pub mod i18n;
mod kiosk_api;
mod limit;
mod login_guard;
mod methods;
mod org_api;
mod org_api_quotes;
mod organiser;
mod peer;
mod public;
mod render;
mod request_log;
mod security;
mod voucher_api;

pub use api::MAX_BODY_BYTES;
pub use error::CODE_UNUSABLE_BODY;

use crate::installation::Chorus;
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, App, HttpRequest, HttpResponse, HttpServer};
use std::net::TcpListener;
use std::sync::Arc;

/// What every handler can reach.
pub struct State {
    pub chorus: Arc<Chorus>,
    templates: render::Templates,
    translations: i18n::InterfaceTexts,
    open_codes: limit::RateLimiter,
    logins: limit::RateLimiter,
    /// Logins per device cookie: a device skips the per-client rate, so it gets its own, and a
    /// burst small enough that a stolen cookie cannot race many guesses past the device's lock.
    device_logins: limit::RateLimiter<device::Device>,
    code_entries: limit::RateLimiter,
    submissions: limit::RateLimiter,
    /// Codes drawn per kiosk (keyed by the kiosk, not the tablet's address).
    kiosk_codes: limit::RateLimiter<crate::kiosks::KioskId>,
    kiosk: crate::config::KioskSettings,
    trust_forwarded_for: bool,
    login_guard: login_guard::LoginGuard,
    /// Password checks running or waiting (`organiser/login.rs`): a slow hash each, so that a
    /// crowd of guesses cannot take both cores from the peers' pages.
    password_checks: login_guard::PasswordChecks,
    /// Says in the log when requests bypass the trusted proxy (`client.rs`).
    proxy_bypass: client::BypassWarning,
    clock: Box<dyn crate::clock::Clock>,
    site: Site,
    /// Releases being made for the workspace (`organiser/background.rs`).
    jobs: Arc<organiser::background::Jobs>,
}

/// Deployment settings the pages show.
pub struct Site {
    /// Where "Quick exit" goes: a neutral site chosen by the organisation.
    pub quick_exit_url: String,
    /// Master key from a passphrase (nothing on disk) rather than a key file.
    pub sealed_mode: bool,
    /// The public address is https: session cookies are then always `Secure`.
    pub public_url_is_https: bool,
    /// The address peers use, for links on printed cards.
    pub public_url: String,
    /// How long a press that makes a release waits for it (`organiser/background.rs`).
    pub release_wait: std::time::Duration,
}

pub struct WebOptions {
    pub open_codes_per_minute: u32,
    pub limits: crate::config::Limits,
    pub kiosk: crate::config::KioskSettings,
    pub workers: usize,
    pub site: Site,
    /// The interface texts with the installation's own languages (`i18n_dir`), read at start.
    pub translations: i18n::InterfaceTexts,
}

/// Builds the server on an already-bound listener (port 0 in tests); the caller runs it.
pub fn build(
    chorus: Arc<Chorus>,
    listener: TcpListener,
    options: WebOptions,
) -> std::io::Result<Server> {
    let templates = render::Templates::load().map_err(std::io::Error::other)?;
    let translations = options.translations;
    let workers = options.workers;
    let state = web::Data::new(State {
        chorus,
        templates,
        translations,
        open_codes: limit::RateLimiter::per_minute(
            options.open_codes_per_minute,
            options.open_codes_per_minute,
        ),
        logins: limit::RateLimiter::per_minute(
            options.limits.logins_per_minute,
            options.limits.logins_per_minute,
        ),
        device_logins: limit::RateLimiter::per_minute(
            login_guard::MAX_FAILURES,
            login_guard::MAX_FAILURES,
        ),
        code_entries: limit::RateLimiter::per_minute(
            options.limits.code_entries_per_minute,
            options.limits.code_entries_per_minute,
        ),
        submissions: limit::RateLimiter::per_minute(
            options.limits.submissions_per_minute,
            options.limits.submissions_per_minute,
        ),
        kiosk_codes: limit::RateLimiter::per_minute(
            options.kiosk.codes_per_minute,
            options.kiosk.codes_per_minute,
        ),
        kiosk: options.kiosk,
        trust_forwarded_for: options.limits.trust_forwarded_for,
        login_guard: login_guard::LoginGuard::default(),
        password_checks: login_guard::PasswordChecks::default(),
        proxy_bypass: client::BypassWarning::default(),
        clock: Box::new(crate::clock::SystemClock),
        site: options.site,
        jobs: Arc::default(),
    });
    let server = HttpServer::new(move || {
        App::new()
            .app_data(state.clone())
            .app_data(web::QueryConfig::default().error_handler(address_not_read))
            .app_data(web::PathConfig::default().error_handler(address_not_read))
            .wrap(from_fn(methods::explain_refused_method))
            .wrap(from_fn(body_time::limit_body_time))
            .wrap(Compress::default())
            .wrap(security::headers())
            .wrap(from_fn(request_log::log_request))
            .configure(api::routes)
            .configure(org_api::routes)
            .configure(voucher_api::routes)
            .configure(kiosk_api::routes)
            .configure(org_api_quotes::routes)
            .configure(organiser::routes)
            .configure(peer::routes)
            .configure(public::routes)
            .default_service(web::to(not_found))
    })
    .workers(workers)
    // Slow or stuck clients cannot hold a worker: a request must arrive within 10 s, a closing
    // connection gets 5 s, idle keep-alive connections 30 s.
    .client_request_timeout(std::time::Duration::from_secs(10))
    .client_disconnect_timeout(std::time::Duration::from_secs(5))
    .keep_alive(std::time::Duration::from_secs(30))
    .shutdown_timeout(10)
    .listen(listener)?
    .run();
    Ok(server)
}

impl State {
    /// The key a request is counted under (`client.rs`: the connecting address or a trusted
    /// proxy's entry; an IPv6 client by its /64). Used in memory only; never logged or stored.
    pub(crate) fn client(&self, req: &HttpRequest) -> Option<client::ClientKey> {
        let forwarded_for = req
            .headers()
            .get_all("x-forwarded-for")
            .last()
            .and_then(|v| v.to_str().ok());
        if self.trust_forwarded_for && forwarded_for.is_none() {
            self.warn_proxy_bypassed();
        }
        client::client_of(
            self.trust_forwarded_for,
            forwarded_for,
            req.peer_addr().map(|a| a.ip()),
        )
    }

    /// `Err(seconds to wait)` when `client` is over `limiter`'s rate.
    fn limit(&self, limiter: &limit::RateLimiter, req: &HttpRequest) -> Result<(), u64> {
        match self.client(req) {
            Some(client) => limiter.check(client),
            None => Ok(()),
        }
    }
}

/// A query or path that cannot be read as the route expects: JSON for the API, a page with
/// Quick exit for everything else (the framework would answer in plain text).
fn address_not_read<E: std::fmt::Display>(err: E, req: &HttpRequest) -> actix_web::Error {
    let response = match req.app_data::<web::Data<State>>() {
        Some(state) if !req.path().starts_with("/api/") => peer::page_not_found(state, req),
        _ => actix_web::ResponseError::error_response(&error::ApiError::BadRequest(
            "The address could not be read: a part of it is not what this route takes.".into(),
        )),
    };
    actix_web::error::InternalError::from_response(err.to_string(), response).into()
}

pub(crate) async fn not_found(state: web::Data<State>, req: HttpRequest) -> HttpResponse {
    if req.path().starts_with("/api/") {
        actix_web::ResponseError::error_response(&error::ApiError::NotFound)
    } else {
        peer::page_not_found(&state, &req)
    }
}
