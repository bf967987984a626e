//! Device cookies (OWASP, "Slow Down Online Guessing Attacks with Device Cookies"). A browser
//! that logs in to an account gets a long-lived cookie naming that account and a random nonce,
//! signed with the session-signing key. A later login to the same account from that browser is
//! judged by the device's own failures only, not by the per-client lockout and per-account
//! back-off that every stranger shares: behind a Tor onion service (or a proxy Chorus does not
//! trust) every visitor has the same address, and strangers must not be able to spend a known
//! organiser's allowance. The cookie proves only "this browser logged in to this account
//! before"; it never logs anyone in by itself — the password is always checked.
//!
//! Its path is the login form's, so no other page — and never a peer's — receives it.

use super::State;
use actix_web::cookie::{Cookie, SameSite};
use actix_web::HttpRequest;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use serde::{Deserialize, Serialize};

pub const DEVICE_COOKIE: &str = "chorus_device";
pub const DEVICE_COOKIE_PATH: &str = "/org/login";
/// Long enough that an organiser who logs in every few months keeps their device; it is renewed
/// at every successful login.
const DEVICE_DAYS: u64 = 180;
/// Keeps device tags apart from everything else signed with the same key (sessions, CSRF
/// tokens, kiosk links): none of those messages starts with this.
const DOMAIN: &[u8] = b"chorus/device-cookie/v1\n";

/// A browser that has logged in to one account before, as its signed cookie shows. The nonce
/// tells devices apart, so a lock on one leaves the others alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Device([u8; 16]);

#[derive(Serialize, Deserialize)]
struct Payload {
    /// The account's name.
    n: String,
    /// The device's random nonce.
    d: String,
    /// Expiry, seconds since the epoch: a copied cookie does not outlive its Max-Age.
    x: u64,
}

fn message(body: &str) -> Vec<u8> {
    let mut m = DOMAIN.to_vec();
    m.extend_from_slice(body.as_bytes());
    m
}

/// A fresh device cookie for a browser that just logged in to `account` (a new nonce, so its
/// failure count starts at zero).
pub fn device_cookie(state: &State, account: &str, secure: bool) -> Cookie<'static> {
    let payload = Payload {
        n: account.to_owned(),
        d: URL_SAFE_NO_PAD.encode(crate::vault::random_array::<16>()),
        x: state.clock.now() + DEVICE_DAYS * 24 * 3600,
    };
    let body = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&payload).unwrap_or_default());
    let tag = URL_SAFE_NO_PAD.encode(state.chorus.session.sign(&message(&body)));
    Cookie::build(DEVICE_COOKIE, format!("{body}.{tag}"))
        .path(DEVICE_COOKIE_PATH)
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(secure)
        .max_age(actix_web::cookie::time::Duration::days(DEVICE_DAYS as i64))
        .finish()
}

/// The device behind a login attempt for `account`: `None` unless the request carries a cookie
/// this installation signed (checked in constant time by ring), not yet expired, for exactly
/// that account. Anything else — no cookie, a forged or altered one, another account's — is a
/// stranger's attempt.
pub fn device_of(state: &State, req: &HttpRequest, account: &str) -> Option<Device> {
    let cookie = req.cookie(DEVICE_COOKIE)?;
    let (body, tag) = cookie.value().split_once('.')?;
    let tag = URL_SAFE_NO_PAD.decode(tag).ok()?;
    if !state.chorus.session.verify(&message(body), &tag) {
        return None;
    }
    let payload: Payload = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(body).ok()?).ok()?;
    if payload.x < state.clock.now() || payload.n != account {
        return None;
    }
    let nonce: [u8; 16] = URL_SAFE_NO_PAD.decode(payload.d).ok()?.try_into().ok()?;
    Some(Device(nonce))
}

#[cfg(test)]
impl Device {
    pub fn from_nonce(nonce: [u8; 16]) -> Device {
        Device(nonce)
    }
}
