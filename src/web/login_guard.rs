//! The login guard: failed logins remembered in memory only, a temporary lockout per account
//! and client, a back-off per account when guesses come from many places, and — for a browser
//! with a device cookie (`device.rs`) — a lockout of that device alone.

use super::client::ClientKey;
use super::device::Device;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Wrong passwords that lock a client (or a device) out of an account.
pub const MAX_FAILURES: u32 = 5;
const FAILURE_WINDOW: Duration = Duration::from_secs(15 * 60);
const LOCKOUT: Duration = Duration::from_secs(15 * 60);

/// Failed logins, in memory only. Five failures for one account from one client lock that pair
/// for fifteen minutes; failures for one account from everywhere slow every attempt on it
/// (one per `backoff`, doubling up to a minute) rather than lock it, so nobody can lock a known
/// organiser out by guessing from elsewhere. A browser with a device cookie for the account is
/// judged apart: five failures lock that device alone, and strangers' failures never touch it.
/// Every map is bounded.
#[derive(Default)]
pub struct LoginGuard {
    inner: Mutex<GuardState>,
}

#[derive(Default)]
struct GuardState {
    pairs: HashMap<(String, Option<ClientKey>), Failures>,
    accounts: HashMap<String, Backoff>,
    /// Failures of browsers that presented a valid device cookie, per device. Only a cookie
    /// this installation signed (after a right password) makes an entry, yet the map is
    /// bounded like the others.
    devices: HashMap<Device, Failures>,
}

/// (failed attempts, since when, locked until)
type Failures = (u32, Instant, Option<Instant>);

/// (failed attempts from anywhere, since when, no attempt before)
type Backoff = (u32, Instant, Instant);

/// Failures from everywhere before attempts on an account are slowed down.
const SLOW_AFTER: u32 = 10;
const MAX_BACKOFF: Duration = Duration::from_secs(60);
/// At most this many pairs, accounts and devices are remembered; the oldest are forgotten first.
const MAX_TRACKED: usize = 10_000;

/// Password checks at once: one runs (a slow hash, a fifth of a second of one core), a few
/// wait their turn, and more are turned away. 150 wrong logins sent together from as many
/// addresses held a peer's page for up to 8 seconds while every hash ran at once.
pub struct PasswordChecks {
    running: tokio::sync::Semaphore,
    queued: std::sync::atomic::AtomicUsize,
}

/// Password checks that may wait for the one running.
const MAX_WAITING_CHECKS: usize = 16;

impl Default for PasswordChecks {
    fn default() -> Self {
        PasswordChecks {
            running: tokio::sync::Semaphore::new(1),
            queued: std::sync::atomic::AtomicUsize::new(0),
        }
    }
}

impl PasswordChecks {
    /// A turn to check a password, once the one before has finished; `None` when too many are
    /// waiting already.
    pub async fn turn(&self) -> Option<tokio::sync::SemaphorePermit<'_>> {
        use std::sync::atomic::Ordering;
        if self.queued.fetch_add(1, Ordering::SeqCst) >= MAX_WAITING_CHECKS {
            self.queued.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let permit = self.running.acquire().await.ok();
        self.queued.fetch_sub(1, Ordering::SeqCst);
        permit
    }
}

/// What the guard says about one login attempt.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// This client (or this device) is locked out of this account.
    Locked,
    /// The account is under attack from many places: try again in this many seconds.
    Wait(u64),
}

impl LoginGuard {
    fn state(&self) -> std::sync::MutexGuard<'_, GuardState> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    #[cfg(test)]
    fn check(&self, name: &str, client: Option<ClientKey>) -> Verdict {
        verdict(&self.state(), remembered_as(name), client, Instant::now())
    }

    /// [`LoginGuard::check`] for an attempt about to be made: when it is allowed, it is counted
    /// as failed at once (under the same lock), and [`LoginGuard::succeeded`] takes that back. A
    /// password check takes a fifth of a second; counted only after it, a hundred guesses sent
    /// together all found the account's back-off as it was before any of them, and all were
    /// checked.
    pub fn begin(&self, name: &str, client: Option<ClientKey>) -> Verdict {
        let (name, now) = (remembered_as(name), Instant::now());
        let mut state = self.state();
        let verdict = verdict(&state, name, client, now);
        if verdict == Verdict::Allowed {
            count(&mut state, name, client, now);
        }
        verdict
    }

    #[cfg(test)]
    fn failed(&self, name: &str, client: Option<ClientKey>) {
        count(
            &mut self.state(),
            remembered_as(name),
            client,
            Instant::now(),
        );
    }

    /// A right password (after [`LoginGuard::begin`]) clears this client's failures and takes
    /// back the failure counted in advance; the account's back-off stays, so an attacker cannot
    /// reset it by logging in to an account of their own.
    pub fn succeeded(&self, name: &str, client: Option<ClientKey>) {
        let name = remembered_as(name);
        let mut state = self.state();
        state.pairs.remove(&(name.to_owned(), client));
        if let Some(account) = state.accounts.get_mut(name) {
            account.0 = account.0.saturating_sub(1);
        }
    }

    /// An attempt from a browser with a valid device cookie for the account: only that
    /// device's own failures count (no per-client lock, no per-account back-off).
    pub fn check_device(&self, device: &Device) -> Verdict {
        let now = Instant::now();
        match self.state().devices.get(device) {
            Some((_, _, Some(until))) if *until > now => Verdict::Locked,
            _ => Verdict::Allowed,
        }
    }

    /// A wrong password from a device: five lock that device (and only it) for fifteen minutes.
    /// Nothing is added to the account's back-off, which is for guesses from strangers.
    pub fn device_failed(&self, device: &Device) {
        let now = Instant::now();
        let mut state = self.state();
        bound(&mut state.devices, now, |f| f.1);
        let failures = state.devices.entry(*device).or_insert((0, now, None));
        count_failure(failures, now);
    }

    /// A right password from a device clears its failures.
    pub fn device_succeeded(&self, device: &Device) {
        self.state().devices.remove(device);
    }

    #[cfg(test)]
    fn tracked(&self) -> (usize, usize, usize) {
        let state = self.state();
        (state.pairs.len(), state.accounts.len(), state.devices.len())
    }
}

fn verdict(state: &GuardState, name: &str, client: Option<ClientKey>, now: Instant) -> Verdict {
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

/// The name failures are remembered under: the name typed when it could be an account's, or
/// one shared entry for every name no account can have (so a stranger typing long names fills
/// no memory, and no such name can be logged in to anyway).
fn remembered_as(name: &str) -> &str {
    if crate::accounts::AccountName::parse(name).is_ok() {
        name
    } else {
        ""
    }
}

/// One more failure of `name` from `client`: for the pair, and for the account from anywhere.
fn count(state: &mut GuardState, name: &str, client: Option<ClientKey>, now: Instant) {
    bound(&mut state.pairs, now, |f| f.1);
    let pair = state
        .pairs
        .entry((name.to_owned(), client))
        .or_insert((0, now, None));
    count_failure(pair, now);
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

/// One more failure: a count older than the window starts again (unless locked), and the
/// fifth within it locks.
fn count_failure(failures: &mut Failures, now: Instant) {
    if now.duration_since(failures.1) > FAILURE_WINDOW && failures.2.is_none_or(|u| u <= now) {
        *failures = (0, now, None);
    }
    failures.0 += 1;
    if failures.0 >= MAX_FAILURES {
        failures.2 = Some(now + LOCKOUT);
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
        let (pairs, accounts, _) = guard.tracked();
        assert!(
            pairs <= MAX_TRACKED && accounts <= MAX_TRACKED,
            "{pairs} {accounts}"
        );
    }

    /// Guesses sent together each begin before any is checked: only as many as the back-off
    /// allows get through, and a right password takes back the failure counted for it.
    #[test]
    fn attempts_are_counted_as_they_begin_so_guesses_sent_together_meet_the_back_off() {
        let guard = LoginGuard::default();
        let allowed = (0..100)
            .filter(|&n| guard.begin("maria", ip(n)) == Verdict::Allowed)
            .count();
        assert_eq!(allowed as u32, SLOW_AFTER, "the rest wait for the back-off");
        let guard = LoginGuard::default();
        for _ in 0..3 {
            assert_eq!(guard.begin("ana", ip(1)), Verdict::Allowed);
            guard.succeeded("ana", ip(1));
        }
        assert_eq!(guard.state().accounts.get("ana").map(|a| a.0), Some(0));
    }

    /// Names no account can have are remembered as one: typing long or odd names fills no
    /// memory.
    #[test]
    fn names_no_account_can_have_share_one_entry() {
        let guard = LoginGuard::default();
        for n in 0..200 {
            guard.begin(&format!("{}{n}", "x".repeat(1_000)), ip(1));
        }
        let (pairs, accounts, _) = guard.tracked();
        assert_eq!((pairs, accounts), (1, 1));
    }

    fn device(n: u32) -> Device {
        let mut nonce = [0u8; 16];
        nonce[..4].copy_from_slice(&n.to_be_bytes());
        Device::from_nonce(nonce)
    }

    #[test]
    fn five_failures_lock_a_device_alone_and_strangers_failures_never_reach_it() {
        let guard = LoginGuard::default();
        for _ in 0..50 {
            guard.failed("maria", ip(1));
        }
        assert_eq!(guard.check("maria", ip(1)), Verdict::Locked);
        assert_eq!(guard.check_device(&device(1)), Verdict::Allowed);
        for _ in 0..4 {
            guard.device_failed(&device(1));
        }
        assert_eq!(guard.check_device(&device(1)), Verdict::Allowed);
        guard.device_failed(&device(1));
        assert_eq!(guard.check_device(&device(1)), Verdict::Locked);
        assert_eq!(guard.check_device(&device(2)), Verdict::Allowed);
    }

    #[test]
    fn a_device_s_failures_add_nothing_to_the_account_s_back_off_and_a_success_clears_them() {
        let guard = LoginGuard::default();
        for _ in 0..4 {
            guard.device_failed(&device(1));
        }
        guard.device_succeeded(&device(1));
        for _ in 0..4 {
            guard.device_failed(&device(1));
        }
        assert_eq!(guard.check_device(&device(1)), Verdict::Allowed);
        assert_eq!(guard.check("maria", ip(9)), Verdict::Allowed);
    }

    #[test]
    fn the_guard_remembers_a_bounded_number_of_devices() {
        let guard = LoginGuard::default();
        for n in 0..(MAX_TRACKED as u32 + 500) {
            guard.device_failed(&device(n));
        }
        let (_, _, devices) = guard.tracked();
        assert!(devices <= MAX_TRACKED, "{devices}");
    }
}
