//! Who a request counts as for the per-client limits (code guessing, submissions, open-survey
//! codes, login back-off). Held in memory only; never logged or stored, so no `Debug`.
//!
//! An IPv6 host is normally given a whole /64 and may pick any address in it (privacy
//! addresses change on their own), so counting each address apart would give one phone or one
//! script 2^64 allowances: an IPv6 client is its /64. An IPv4 address that reaches us written
//! as IPv6 (`::ffff:192.0.2.1`, as a dual-stack socket or a proxy may report it) is that IPv4
//! address, so it shares the allowance of the same address written plainly.

use super::State;
use std::net::{IpAddr, Ipv6Addr};
use std::sync::atomic::{AtomicU64, Ordering};

/// The key a client's allowances are counted under.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct ClientKey(IpAddr);

/// The bits of an IPv6 address that name its /64.
const PREFIX_64: u128 = !0 << 64;

impl ClientKey {
    pub fn of(address: IpAddr) -> ClientKey {
        match address {
            IpAddr::V4(v4) => ClientKey(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => ClientKey(IpAddr::V4(v4)),
                None => ClientKey(IpAddr::V6(Ipv6Addr::from(u128::from(v6) & PREFIX_64))),
            },
        }
    }
}

/// The client a request counts as: the connecting address, or — behind a trusted proxy — the
/// right-most entry of the last `X-Forwarded-For` header, the one the proxy itself appended
/// (those to its left are whatever the client chose to send). An entry that is not an address
/// falls back to the connecting address.
pub fn client_of(
    trust_forwarded_for: bool,
    forwarded_for: Option<&str>,
    peer: Option<IpAddr>,
) -> Option<ClientKey> {
    let forwarded = forwarded_for
        .filter(|_| trust_forwarded_for)
        .and_then(|v| v.rsplit(',').next())
        .and_then(|v| v.trim().parse().ok());
    forwarded.or(peer).map(ClientKey::of)
}

/// At most one warning an hour: visible in any log window, never a flood.
const WARN_EVERY_SECONDS: u64 = 3600;

/// When Chorus last warned that a request bypassed the trusted proxy (clock seconds; 0: never).
///
/// With `trust_forwarded_for` on, a request that arrives with no `X-Forwarded-For` at all did
/// not come through the proxy (both shipped proxy configurations always set it). Most often that
/// is a Tor onion service pointed at Chorus itself instead of at the proxy: then every onion
/// visitor can send a header of their own and pick their own rate-limit key. Chorus cannot tell
/// such a forged header from the proxy's, so it cannot refuse them; it can say plainly, in its
/// log, that the way in is wrong.
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
    pub(super) fn warn_proxy_bypassed(&self) {
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
    use crate::web::limit::RateLimiter;

    fn key(address: &str) -> ClientKey {
        ClientKey::of(address.parse().expect("an address"))
    }

    #[test]
    fn every_address_of_one_ipv6_slash_64_is_one_client() {
        assert!(key("2001:db8:77:1::1") == key("2001:db8:77:1::1e"));
        assert!(key("2001:db8:77:1::1") == key("2001:db8:77:1:ffff:ffff:ffff:ffff"));
        assert!(key("2001:db8:77:1::1") != key("2001:db8:77:2::1"));
        assert!(key("2001:db8:77:1::1") != key("2001:db8:78:1::1"));
    }

    #[test]
    fn an_ipv4_address_written_as_ipv6_is_that_ipv4_address() {
        assert!(key("::ffff:192.0.2.50") == key("192.0.2.50"));
        assert!(key("::ffff:192.0.2.50") != key("::ffff:192.0.2.51"));
        // Not one client per /64 for IPv4 written as IPv6: the mapped space is one /96.
        assert!(key("::ffff:192.0.2.50") != key("::ffff:198.51.100.1"));
    }

    #[test]
    fn ipv4_addresses_stay_one_client_each() {
        assert!(key("192.0.2.1") != key("192.0.2.2"));
        assert!(key("192.0.2.1") == key("192.0.2.1"));
    }

    #[test]
    fn one_ipv6_slash_64_gets_one_allowance_like_one_ipv4_address() {
        let limiter: RateLimiter = RateLimiter::per_minute(10, 10);
        let granted = |addresses: Vec<String>| {
            addresses
                .iter()
                .filter(|a| limiter.check(key(a)).is_ok())
                .count()
        };
        let v4 = granted((1..=30).map(|_| "192.0.2.50".to_owned()).collect());
        let v6 = granted((1..=30).map(|i| format!("2001:db8:77:1::{i:x}")).collect());
        assert_eq!((v4, v6), (10, 10));
    }

    #[test]
    fn behind_a_trusted_proxy_the_proxys_own_entry_is_the_client() {
        let peer = Some(IpAddr::from([127, 0, 0, 1]));
        let xff = Some("10.9.9.1, 2001:db8:77:1::5");
        assert!(client_of(true, xff, peer) == Some(key("2001:db8:77:1::")));
        assert!(client_of(false, xff, peer) == Some(key("127.0.0.1")));
        assert!(client_of(true, Some("not an address"), peer) == Some(key("127.0.0.1")));
        assert!(client_of(true, None, peer) == Some(key("127.0.0.1")));
        assert!(client_of(true, Some("::ffff:192.0.2.9"), peer) == Some(key("192.0.2.9")));
        assert!(client_of(false, None, None).is_none());
    }

    #[test]
    fn the_warning_is_due_once_an_hour_at_most() {
        let warning = BypassWarning::default();
        assert!(warning.due(1_000));
        assert!(!warning.due(1_001));
        assert!(!warning.due(1_000 + WARN_EVERY_SECONDS - 1));
        assert!(warning.due(1_000 + WARN_EVERY_SECONDS));
    }
}
