//! Who is asking, for organiser and researcher routes: signed session cookies for the browser
//! (HttpOnly, SameSite=Strict, Secure behind TLS, scoped to `/org`), CSRF tokens for every form,
//! Bearer API keys for scripts (failed logins are counted in `login_guard.rs`). Peer pages never
//! see any of this: they set and read no cookie.

use super::error::ApiError;
use super::State;
use crate::accounts::{self, Account, Role};
use actix_web::cookie::{Cookie, SameSite};
use actix_web::http::header;
use actix_web::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

pub const COOKIE: &str = "chorus_session";
pub const COOKIE_PATH: &str = "/org";
const SESSION_SECONDS: u64 = 12 * 3600;

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
    let account = api_account_of_any_role(state, req)?;
    if account.role != role {
        return Err(ApiError::Forbidden);
    }
    Ok(account)
}

/// The account behind the request's API key, whatever its role.
pub fn api_account_of_any_role(state: &State, req: &HttpRequest) -> Result<Account, ApiError> {
    let key = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::Unauthorized)?;
    let account = accounts::by_api_key(&state.chorus.store, key.trim())
        .map_err(|_| ApiError::Unavailable)?
        .ok_or(ApiError::Unauthorized)?;
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
