//! Runs one of the Playwright scripts in `tests/browser/` against a running test server and
//! returns its JSON report. Shared by the browser tests (each a crate of its own).

use std::path::Path;
use std::process::Command;

/// `node <script> <address> <codes,…>` in `tests/browser/`, which must succeed and print a
/// JSON report (`failures`, `violations`, `scanned`).
pub fn run_script(script: &str, address: &str, codes: &[String]) -> serde_json::Value {
    let script_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser");
    assert!(
        script_dir.join("node_modules/playwright-core").exists()
            && Path::new("/usr/bin/chromium").exists(),
        "the browser test needs Chromium and its Node packages: run scripts/test, which installs them"
    );
    let out = Command::new("node")
        .current_dir(&script_dir)
        .arg(script)
        .arg(address)
        .arg(codes.join(","))
        .output()
        .expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "browser run failed:\n{stdout}\n{stderr}"
    );
    serde_json::from_str(stdout.trim()).expect("a JSON report")
}
