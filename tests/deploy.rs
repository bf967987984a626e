//! The shipped deployment files agree with each other and with docs/operations.md: where the
//! onion service points, where the proxies listen for it, and that every way through a proxy
//! replaces a client's `X-Forwarded-For` rather than passing it on. A drift here would let onion
//! visitors choose their own rate-limit key behind a trusting Chorus.

use std::path::Path;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Lines that are not comments.
fn active(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_owned)
        .collect()
}

const CHORUS: &str = "127.0.0.1:8080";
const ONION_LISTENER: &str = "127.0.0.1:8081";

#[test]
fn the_onion_service_points_at_chorus_alone_or_at_the_proxies_onion_listener_never_both() {
    let torrc = read("deploy/torrc");
    let ports: Vec<String> = active(&torrc)
        .into_iter()
        .filter(|l| l.starts_with("HiddenServicePort"))
        .collect();
    assert_eq!(
        ports,
        [format!("HiddenServicePort 80 {CHORUS}")],
        "exactly one active port, Tor alone"
    );
    assert!(
        torrc
            .lines()
            .any(|l| l.trim() == format!("#HiddenServicePort 80 {ONION_LISTENER}")),
        "the alternative for Tor beside a proxy"
    );
    assert!(torrc.contains("trust_forwarded_for"));
}

#[test]
fn both_proxies_listen_for_the_onion_service_on_loopback_and_replace_forwarded_for() {
    let caddy = read("deploy/Caddyfile");
    let caddy_lines = active(&caddy);
    let onion_block = caddy_lines
        .iter()
        .position(|l| l == "http://:8081 {")
        .expect("Caddy's onion listener");
    assert_eq!(caddy_lines[onion_block + 1], "bind 127.0.0.1");
    assert!(
        caddy_lines[onion_block..]
            .iter()
            .any(|l| l == &format!("reverse_proxy {CHORUS} {{")),
        "to Chorus"
    );
    // Caddy replaces a client's X-Forwarded-For only while it trusts no proxy in front of it.
    assert!(!caddy_lines.iter().any(|l| l.contains("trusted_proxies")));

    let nginx = read("deploy/nginx.conf");
    let nginx_lines = active(&nginx);
    assert!(nginx_lines.contains(&format!("listen {ONION_LISTENER};")));
    let forwarded: Vec<&String> = nginx_lines
        .iter()
        .filter(|l| l.starts_with("proxy_set_header X-Forwarded-For"))
        .collect();
    assert_eq!(forwarded.len(), 2, "the HTTPS site and the onion listener");
    assert!(
        forwarded
            .iter()
            .all(|l| *l == "proxy_set_header X-Forwarded-For $remote_addr;"),
        "{forwarded:?}"
    );
    assert!(nginx_lines
        .iter()
        .filter(|l| l.starts_with("proxy_pass "))
        .all(|l| *l == format!("proxy_pass http://{CHORUS};")));
}

#[test]
fn the_operations_guide_names_the_same_addresses_and_chorus_listens_where_they_point() {
    let guide = read("docs/operations.md");
    for needed in [
        "### Which way in needs what",
        ONION_LISTENER,
        CHORUS,
        "line (a)",
        "line (b)",
    ] {
        assert!(guide.contains(needed), "docs/operations.md lacks {needed}");
    }
    let unit = read("deploy/chorus.service");
    assert!(unit.contains(&format!("Environment=CHORUS_BIND={CHORUS}")));
}

/// While Chorus does not answer (an update, a rekey, a restart), a proxy's error log writes a
/// line per request it could not pass on, with the visitor's address and the full URL — a QR
/// card's URL carries its code. Neither shipped proxy writes those lines, nor an access log.
#[test]
fn neither_proxy_logs_requests_even_while_chorus_is_down() {
    let nginx = active(&read("deploy/nginx.conf"));
    let error_logs: Vec<&String> = nginx
        .iter()
        .filter(|l| l.starts_with("error_log"))
        .collect();
    assert!(!error_logs.is_empty(), "nginx names its error log");
    for line in &error_logs {
        assert!(
            line.ends_with(" crit;"),
            "{line}: at \"error\" nginx logs each request it could not pass on"
        );
    }
    let servers = nginx.iter().filter(|l| l.starts_with("server {")).count();
    let access_off = nginx.iter().filter(|l| *l == "access_log off;").count();
    assert_eq!(
        access_off, servers,
        "every server block turns access logs off"
    );

    let caddy = active(&read("deploy/Caddyfile"));
    assert!(
        caddy.iter().any(|l| l == "exclude http.log.error"),
        "Caddy's runtime log leaves out failed requests"
    );
    assert!(
        !caddy.iter().any(|l| l == "log" || l.starts_with("log {")),
        "no access log in a site block"
    );
}
