//! Logging setup. Log lines are for operators: they never carry a client address, user agent,
//! query string, code or answer, and no line marks a single request — `web::request_log` logs
//! counts per route pattern and status class every ten minutes instead.

use tracing_subscriber::EnvFilter;

/// Logs go to stderr; stdout is kept for command output (`codes issue` prints codes there).
pub fn init() {
    let filter = EnvFilter::try_from_env("CHORUS_LOG")
        .unwrap_or_else(|_| EnvFilter::new("info,actix_server=warn,actix_web=warn,sled=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_writer(std::io::stderr)
        .try_init();
}
