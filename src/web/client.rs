//! Which client a request counts as for the in-memory rate limits and the login guard: the
//! connecting address, or — behind a trusted proxy — the address the proxy wrote. Never logged
//! or stored.
//!
//! With `trust_forwarded_for` on, a request that arrives with no `X-Forwarded-For` at all did
//! not come through the proxy (both shipped proxy configurations always set it). Most often that
//! is a Tor onion service pointed at Chorus itself instead of at the proxy: then every onion
//! visitor can send a header of their own and pick their own rate-limit key. Chorus cannot tell
//! such a forged header from the proxy's, so it cannot refuse them; it can say plainly, in its
//! log, that the way in is wrong.

use super::State;
use actix_web::HttpRequest;
use std::net::IpAddr;
use std::sync::atomic::{AtomicU64, Ordering};

/// At most one warning an hour: visible in any log window, never a flood.
const WARN_EVERY_SECONDS: u64 = 3600;

/// When Chorus last warned that a request bypassed the trusted proxy (clock seconds; 0: never).
#[derive(Default)]
pub struct BypassWarning(AtomicU64);

impl BypassWarning {
    /// Whether to warn now, at most once per `WARN_EVERY_SECONDS`.
    fn due(&self, now: u64) -> bool {
        let last = self.0.load(Ordering::Relaxed);
        (last == 0 || now >= last.saturating_add(WARN_EVERY_SECONDS))
            && self
                .0
                .compare_exchange(last, now.max(1), Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

impl State {
    /// The key a request is counted under: the connecting address, or — behind a trusted
    /// proxy — the right-most `X-Forwarded-For` entry, the one the proxy itself appended (those
    /// to its left are whatever the client chose to send).
    pub(crate) fn client(&self, req: &HttpRequest) -> Option<IpAddr> {
        if self.trust_forwarded_for {
            let Some(header) = req.headers().get_all("x-forwarded-for").last() else {
                self.warn_proxy_bypassed();
                return req.peer_addr().map(|a| a.ip());
            };
            let forwarded = header
                .to_str()
                .ok()
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok());
            if forwarded.is_some() {
                return forwarded;
            }
        }
        req.peer_addr().map(|a| a.ip())
    }

    fn warn_proxy_bypassed(&self) {
        if self.proxy_bypass.due(self.clock.now()) {
            tracing::warn!(
                "trust_forwarded_for is on, but a request reached Chorus without an \
                 X-Forwarded-For header: something reaches Chorus without passing through the \
                 proxy — most often a Tor onion service pointed at Chorus instead of at the \
                 proxy's onion listener. Anyone who comes in that way can send a header of their \
                 own and escape every per-client limit. Point the onion service at the proxy \
                 (deploy/torrc, line (b)) or set trust_forwarded_for = false \
                 (docs/operations.md, \"Which way in needs what\"). Repeated at most hourly."
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_warning_is_due_once_an_hour_at_most() {
        let warning = BypassWarning::default();
        assert!(warning.due(1_000));
        assert!(!warning.due(1_001));
        assert!(!warning.due(1_000 + WARN_EVERY_SECONDS - 1));
        assert!(warning.due(1_000 + WARN_EVERY_SECONDS));
    }
}
