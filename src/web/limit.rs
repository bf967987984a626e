//! A small in-memory rate limiter (token buckets keyed by client, see `client.rs`, or by
//! kiosk). Nothing about a client is ever written down: the map lives in memory only and
//! forgets idle clients.

use super::client::ClientKey;
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;
use std::time::Instant;

pub struct RateLimiter<K = ClientKey> {
    off: bool,
    per_minute: f64,
    burst: f64,
    buckets: Mutex<HashMap<K, (f64, Instant)>>,
}

const MAX_CLIENTS: usize = 50_000;

impl<K: Hash + Eq> RateLimiter<K> {
    /// `per_minute == 0` turns the limiter off.
    pub fn per_minute(per_minute: u32, burst: u32) -> RateLimiter<K> {
        RateLimiter {
            off: per_minute == 0,
            per_minute: f64::from(per_minute.max(1)),
            burst: f64::from(burst.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// `Ok` when the client may go ahead, else how many seconds to wait.
    pub fn check(&self, client: K) -> Result<(), u64> {
        self.check_at(client, Instant::now())
    }

    fn check_at(&self, client: K, now: Instant) -> Result<(), u64> {
        if self.off {
            return Ok(());
        }
        let rate = self.per_minute / 60.0;
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if buckets.len() >= MAX_CLIENTS {
            let burst = self.burst;
            buckets.retain(|_, (tokens, at)| {
                *tokens + now.saturating_duration_since(*at).as_secs_f64() * rate < burst
            });
        }
        let (tokens, at) = buckets.entry(client).or_insert((self.burst, now));
        *tokens =
            (*tokens + now.saturating_duration_since(*at).as_secs_f64() * rate).min(self.burst);
        *at = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            Ok(())
        } else {
            Err(((1.0 - *tokens) / rate).ceil() as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;
    use std::time::Duration;

    #[test]
    fn a_client_gets_its_burst_and_then_waits() {
        let limiter: RateLimiter<IpAddr> = RateLimiter::per_minute(6, 3);
        let ip: IpAddr = [10, 0, 0, 1].into();
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_at(ip, t0).is_ok());
        }
        assert_eq!(limiter.check_at(ip, t0), Err(10));
        assert!(limiter.check_at(ip, t0 + Duration::from_secs(10)).is_ok());
    }

    #[test]
    fn clients_do_not_share_a_bucket() {
        let limiter: RateLimiter<IpAddr> = RateLimiter::per_minute(1, 1);
        let t0 = Instant::now();
        assert!(limiter.check_at([10, 0, 0, 1].into(), t0).is_ok());
        assert!(limiter.check_at([10, 0, 0, 2].into(), t0).is_ok());
    }
}
