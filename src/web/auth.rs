//! Who is asking, for organiser and researcher routes: signed session cookies for the browser
//! (HttpOnly, SameSite=Strict, Secure behind TLS, scoped to `/org`), CSRF tokens for every form,
//! Bearer API keys for scripts, and the login guard (rate limit and temporary lockout). Peer
//! pages never see any of this: they set and read no cookie.

use super::client::ClientKey;
use super::error::ApiError;
use super::State;
use crate::accounts::{self, Account, Role};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub const COOKIE: &str = "chorus_session";
pub const COOKIE_PATH: &str = "/org";
const SESSION_SECONDS: u64 = 12 * 3600;
const MAX_FAILURES: u32 = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
const LOCKOUT: Duration = Duration::from_secs(15 * 60);

/// A logged-in organiser or researcher.
#[derive(Debug, Clone)]
pub struct Session {
    pub name: String,
    pub role: Role,
    /// Put in every form as `_csrf`; checked on every POST.
    pub csrf: String,
}

#[derive(Serialize, Deserialize)]
struct Payload {
    n: String,
    r: Role,
    e: u32,
    x: u64,
    s: String,
}

/// Makes the cookie for a fresh login.
pub fn session_cookie(state: &State, account: &Account, secure: bool) -> Cookie<'static> {
    let payload = Payload {
        n: account.name.clone(),
        r: account.role,
        e: account.session_epoch,
        x: state.clock.now() + SESSION_SECONDS,
        s: URL_SAFE_NO_PAD.encode(crate::vault::random_array::<16>()),
    };
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap_or_default());
    let tag = URL_SAFE_NO_PAD.encode(state.chorus.session.sign(body.as_bytes()));
    build_cookie(format!("{body}.{tag}"), secure, false)
}

/// Removes the cookie (logout).
pub fn cleared_cookie(secure: bool) -> Cookie<'static> {
    build_cookie(String::new(), secure, true)
}

fn build_cookie(value: String, secure: bool, expire: bool) -> Cookie<'static> {
    let mut cookie = Cookie::build(COOKIE, value)
        .path(COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .finish();
    if expire {
        cookie.make_removal();
    }
    cookie
}

/// Whether the browser reached us over TLS (directly or through a proxy that says so), so the
/// cookie can be marked `Secure`.
pub fn is_secure(state: &State, req: &HttpRequest) -> bool {
    state.site.public_url_is_https || req.connection_info().scheme() == "https"
}

/// The session behind a request's cookie: signature, expiry and epoch all checked.
pub fn session(state: &State, req: &HttpRequest) -> Option<Session> {
    let cookie = req.cookie(COOKIE)?;
    let (body, tag) = cookie.value().split_once('.')?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    if !state.chorus.session.verify(body.as_bytes(), &tag) {
        return None;
    }
    let payload: Payload = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
    if payload.x < state.clock.now() {
        return None;
    }
    let account = accounts::get(&state.chorus.store, &payload.n).ok()??;
    if account.session_epoch != payload.e || account.role != payload.r {
        return None;
    }
    let csrf = URL_SAFE_NO_PAD.encode(
        state
            .chorus
            .session
            .sign(format!("csrf:{}", payload.s).as_bytes()),
    );
    Some(Session {
        name: payload.n,
        role: payload.r,
        csrf,
    })
}

/// Constant-time check of a form's `_csrf` field against the session.
pub fn csrf_ok(session: &Session, submitted: Option<&str>) -> bool {
    match submitted {
        Some(s) => ring_eq(s.as_bytes(), session.csrf.as_bytes()),
        None => false,
    }
}

fn ring_eq(a: &[u8], b: &[u8]) -> bool {
    // Compare digests so length and content leak nothing through timing.
    crate::vault::digest(a) == crate::vault::digest(b) && a.len() == b.len()
}

/// An API request's account from `Authorization: Bearer <key>`, required to have `role`.
pub fn api_account(state: &State, req: &HttpRequest, role: Role) -> Result<Account, ApiError> {
    let key = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    let account = accounts::by_api_key(&state.chorus.store, key.trim())
        .map_err(|_| ApiError::Unavailable)?
        .ok_or(ApiError::Unauthorized)?;
    if account.role != role {
        return Err(ApiError::Forbidden);
    }
    Ok(account)
}

/// The login form's own CSRF token, before anyone is logged in: a random value in a cookie
/// scoped to the login page, repeated in the form. A page on another site can neither read the
/// cookie nor make the browser send it (SameSite=Strict), so it cannot log a browser in.
pub const LOGIN_COOKIE: &str = "chorus_login";

pub fn login_token_cookie(secure: bool) -> Cookie<'static> {
    let token = URL_SAFE_NO_PAD.encode(crate::vault::random_array::<16>());
    Cookie::build(LOGIN_COOKIE, token)
        .path("/org/login")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(actix_web::cookie::time::Duration::hours(2))
        .finish()
}

/// Whether the login form came back with the token of the cookie its page set.
pub fn login_token_ok(req: &HttpRequest, submitted: Option<&str>) -> bool {
    match (req.cookie(LOGIN_COOKIE), submitted) {
        (Some(cookie), Some(field)) => {
            !field.is_empty() && ring_eq(cookie.value().as_bytes(), field.as_bytes())
        }
        _ => false,
    }
}

/// Failed logins, in memory only. Five failures for one account from one client lock that pair
/// for fifteen minutes; failures for one account from everywhere slow every attempt on it
/// (one per `backoff`, doubling up to a minute) rather than lock it, so nobody can lock a known
/// organiser out by guessing from elsewhere. Both maps are bounded.
#[derive(Default)]
pub struct LoginGuard {
    inner: Mutex<GuardState>,
}

#[derive(Default)]
struct GuardState {
    pairs: HashMap<(String, Option<ClientKey>), Failures>,
    accounts: HashMap<String, Backoff>,
}

/// (failed attempts, since when, locked until)
type Failures = (u32, Instant, Option<Instant>);

/// (failed attempts from anywhere, since when, no attempt before)
type Backoff = (u32, Instant, Instant);

/// Failures from everywhere before attempts on an account are slowed down.
const SLOW_AFTER: u32 = 10;
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// At most this many pairs and accounts are remembered; the oldest are forgotten first.
const MAX_TRACKED: usize = 10_000;

/// What the guard says about one login attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// This client is locked out of this account.
    Locked,
    /// The account is under attack from many places: try again in this many seconds.
    Wait(u64),
}

impl LoginGuard {
    fn state(&self) -> std::sync::MutexGuard<'_, GuardState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn check(&self, name: &str, client: Option<ClientKey>) -> Verdict {
        let now = Instant::now();
        let state = self.state();
        if let Some((_, _, Some(until))) = state.pairs.get(&(name.to_owned(), client)) {
            if *until > now {
                return Verdict::Locked;
            }
        }
        match state.accounts.get(name) {
            Some((_, _, next)) if *next > now => Verdict::Wait((*next - now).as_secs().max(1)),
            _ => Verdict::Allowed,
        }
    }

    pub fn failed(&self, name: &str, client: Option<ClientKey>) {
        let now = Instant::now();
        let mut state = self.state();
        bound(&mut state.pairs, now, |f| f.1);
        let pair = state
            .pairs
            .entry((name.to_owned(), client))
            .or_insert((0, now, None));
        if now.duration_since(pair.1) > FAILURE_WINDOW && pair.2.is_none_or(|u| u <= now) {
            *pair = (0, now, None);
        }
        pair.0 += 1;
        if pair.0 >= MAX_FAILURES {
            pair.2 = Some(now + LOCKOUT);
        }
        bound(&mut state.accounts, now, |b| b.1);
        let account = state
            .accounts
            .entry(name.to_owned())
            .or_insert((0, now, now));
        if now.duration_since(account.1) > FAILURE_WINDOW {
            *account = (0, now, now);
        }
        account.0 += 1;
        if account.0 >= SLOW_AFTER {
            let doublings = (account.0 - SLOW_AFTER).min(6);
            account.2 = now + Duration::from_secs(1 << doublings).min(MAX_BACKOFF);
        }
    }

    /// A right password clears this client's failures; the account's back-off stays, so an
    /// attacker cannot reset it by logging in to an account of their own.
    pub fn succeeded(&self, name: &str, client: Option<ClientKey>) {
        self.state().pairs.remove(&(name.to_owned(), client));
    }

    #[cfg(test)]
    fn tracked(&self) -> (usize, usize) {
        let state = self.state();
        (state.pairs.len(), state.accounts.len())
    }
}

/// Keeps a map under `MAX_TRACKED` entries: expired ones go first, then the oldest.
fn bound<K: Clone + Eq + std::hash::Hash, V>(
    map: &mut HashMap<K, V>,
    now: Instant,
    since: impl Fn(&V) -> Instant,
) {
    if map.len() < MAX_TRACKED {
        return;
    }
    map.retain(|_, v| now.duration_since(since(v)) < FAILURE_WINDOW + LOCKOUT);
    while map.len() >= MAX_TRACKED {
        let oldest = map
            .iter()
            .min_by_key(|(_, v)| since(v))
            .map(|(k, _)| k.clone());
        match oldest {
            Some(k) => map.remove(&k),
            None => break,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(last: u8) -> Option<ClientKey> {
        Some(ClientKey::of(std::net::IpAddr::from([192, 0, 2, last])))
    }

    #[test]
    fn five_failures_lock_an_account_for_that_client_and_a_success_clears_earlier_ones() {
        let guard = LoginGuard::default();
        for _ in 0..4 {
            guard.failed("maria", ip(1));
        }
        assert_eq!(guard.check("maria", ip(1)), Verdict::Allowed);
        guard.succeeded("maria", ip(1));
        for _ in 0..4 {
            guard.failed("maria", ip(1));
        }
        assert_eq!(guard.check("maria", ip(1)), Verdict::Allowed);
        guard.failed("maria", ip(1));
        assert_eq!(guard.check("maria", ip(1)), Verdict::Locked);
        assert_eq!(guard.check("ana", ip(1)), Verdict::Allowed);
    }

    #[test]
    fn guessing_from_elsewhere_slows_an_account_but_never_locks_its_organiser_out() {
        let guard = LoginGuard::default();
        for attacker in 0..50 {
            guard.failed("maria", ip(100 + attacker));
        }
        match guard.check("maria", ip(1)) {
            Verdict::Wait(seconds) => assert!(seconds <= 60, "{seconds}"),
            other => panic!("expected a short wait, got {other:?}"),
        }
        assert_ne!(guard.check("maria", ip(1)), Verdict::Locked);
    }

    #[test]
    fn the_guard_remembers_a_bounded_number_of_names_and_clients() {
        let guard = LoginGuard::default();
        for n in 0..(MAX_TRACKED + 500) {
            guard.failed(&format!("name{n}"), ip((n % 250) as u8));
        }
        let (pairs, accounts) = guard.tracked();
        assert!(
            pairs <= MAX_TRACKED && accounts <= MAX_TRACKED,
            "{pairs} {accounts}"
        );
    }
}
