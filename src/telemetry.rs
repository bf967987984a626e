//! Logging setup. Log lines are for operators: they never carry a client address, user agent,
//! query string, code or answer, and no line marks a single request — `web::request_log` logs
//! counts per route pattern and status class every ten minutes instead.

use tracing::{Level, Metadata};
use tracing_subscriber::filter::{filter_fn, EnvFilter};
use tracing_subscriber::prelude::*;

/// The most detail the web framework's own modules may log, whatever `CHORUS_LOG` asks for. At
/// `trace` actix writes several timestamped lines for every connection and request ("start
/// flags", "head timer …"): no address or code, but the time of each request, which is what the
/// logs are built not to keep. Its `debug` and `info` lines are start-up and shutdown only; the
/// cap is `info` so that no future per-request line at `debug` gets through either.
const FRAMEWORK_MAX: Level = Level::INFO;

/// Logs go to stderr; stdout is kept for command output (`codes issue` prints codes there).
pub fn init() {
    let filter = EnvFilter::try_from_env("CHORUS_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn,actix_web=warn,sled=warn"));
    let layer = tracing_subscriber::fmt::layer()
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .with_filter(filter)
        // A filter of its own rather than a directive in `filter`: a more specific directive in
        // `CHORUS_LOG` (`actix_http::h1=trace`) would outrank one added here.
        .with_filter(filter_fn(allowed));
    let _ = tracing_subscriber::registry().with(layer).try_init();
}

/// Whether a line may be logged at all: anything of Chorus's own (as `CHORUS_LOG` says), the web
/// framework's only up to `FRAMEWORK_MAX`.
fn allowed(meta: &Metadata<'_>) -> bool {
    allowed_for(meta.target(), *meta.level())
}

fn allowed_for(target: &str, level: Level) -> bool {
    // tracing orders levels by detail: TRACE > DEBUG > INFO > WARN > ERROR.
    !is_framework(target) || level <= FRAMEWORK_MAX
}

/// actix's crates (actix_http, actix_server, actix_web, actix_rt, …), by their log targets.
fn is_framework(target: &str) -> bool {
    target.starts_with("actix")
}

/// Storage failures, logged at most once a minute however many requests meet them: a full disk
/// fails every submission, and a timestamped line for each would both flood the journal and
/// time every attempted answer (an outside review counted 11,684 lines for 4,248 failures).
/// The first failure logs at once; later ones within the minute are counted into the next line.
pub fn storage_failure(what: &str, error: &dyn std::fmt::Display) {
    if let Some(held_back) = STORAGE_LINES.admit(std::time::Instant::now()) {
        tracing::error!(%error, more_failures = held_back, "{what} (is the disk full or the data directory unwritable?)");
    }
}

static STORAGE_LINES: Throttle = Throttle::new(std::time::Duration::from_secs(60));

/// Admits one event per `every`, counting the ones it holds back (storage failure lines here;
/// the store's attempts to reopen itself after a failed write).
pub struct Throttle {
    every: std::time::Duration,
    state: std::sync::Mutex<(Option<std::time::Instant>, u64)>,
}

impl Throttle {
    pub const fn new(every: std::time::Duration) -> Throttle {
        Throttle {
            every,
            state: std::sync::Mutex::new((None, 0)),
        }
    }

    /// `Some(n)` when this event may be logged, `n` the events held back since the last one.
    pub fn admit(&self, now: std::time::Instant) -> Option<u64> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let (last, held) = &mut *state;
        match last {
            Some(at) if now.duration_since(*at) < self.every => {
                *held += 1;
                None
            }
            _ => {
                *last = Some(now);
                Some(std::mem::take(held))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn storage_failures_are_one_line_a_minute_with_the_count_held_back() {
        let throttle = Throttle::new(std::time::Duration::from_secs(60));
        let start = std::time::Instant::now();
        assert_eq!(throttle.admit(start), Some(0));
        for s in 1..=30 {
            assert_eq!(
                throttle.admit(start + std::time::Duration::from_secs(s)),
                None
            );
        }
        assert_eq!(
            throttle.admit(start + std::time::Duration::from_secs(61)),
            Some(30)
        );
    }

    #[test]
    fn the_frameworks_trace_and_debug_lines_are_never_logged() {
        for target in [
            "actix_http::h1::dispatcher",
            "actix_server::worker",
            "actix_web",
        ] {
            assert!(!allowed_for(target, Level::TRACE), "{target}");
            assert!(!allowed_for(target, Level::DEBUG), "{target}");
            assert!(allowed_for(target, Level::INFO), "{target}");
            assert!(allowed_for(target, Level::WARN), "{target}");
        }
    }

    #[test]
    fn chorus_own_lines_follow_chorus_log() {
        assert!(allowed_for("chorus::store", Level::TRACE));
        assert!(allowed_for("chorus", Level::DEBUG));
    }
}
