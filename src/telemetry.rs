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

#[cfg(test)]
mod tests {
    use super::*;

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
