//! A disk that fills up while peers answer: nothing acknowledged is lost, answers that could
//! not be stored are refused (never acknowledged), `/healthz` says the store is failing, the
//! log says so in a line or two (never a line per submission), and once the disk has room the
//! server takes answers again without a restart — and a later start finds every answer.
//!
//! The data directory lives on a small tmpfs of its own, which needs `mount` (root, as in the
//! project's CI container).

use crate::helpers::{get, TestApp};
use crate::submissions::minimal_answers;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// A tmpfs mounted for one test, unmounted when dropped (after the server that uses it); the
/// temporary directory holding its mount point goes with it.
struct Tmpfs {
    at: PathBuf,
    _holder: tempfile::TempDir,
}

impl Tmpfs {
    fn mount(megabytes: u32) -> Tmpfs {
        let holder = tempfile::tempdir().expect("tempdir");
        let at = holder.path().join("small");
        std::fs::create_dir(&at).expect("mount point");
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={megabytes}m"), "tmpfs"])
            .arg(&at)
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "this test needs to mount a tmpfs (run as root)"
        );
        Tmpfs {
            at,
            _holder: holder,
        }
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.at).status();
    }
}

/// Fills `dir`'s filesystem to the last byte with one file; returns its path.
fn fill(dir: &Path) -> PathBuf {
    use std::io::Write;
    let path = dir.join("filler");
    let mut f = std::fs::File::create(&path).expect("filler");
    let block = vec![0u8; 64 << 10];
    while f.write_all(&block).is_ok() {}
    let small = [0u8; 512];
    while f.write_all(&small).is_ok() {}
    let _ = f.sync_all();
    path
}

#[test]
fn a_full_disk_refuses_answers_says_so_once_and_recovers_without_a_restart() {
    let disk = Tmpfs::mount(48);
    let data = disk.at.join("data");
    let mut app = TestApp::spawn_configured(
        &[("CHORUS_DATA_DIR", data.to_str().expect("path"))],
        Some("submissions_per_minute = 0\n"),
    );
    let codes = app.issue_codes("demo", 400);
    let mut acknowledged = Vec::new();
    for code in &codes[..50] {
        assert_eq!(app.submit("demo", code, &minimal_answers()).0, 201);
        acknowledged.push(code.clone());
    }
    let filler = fill(&disk.at);
    let mut refused = Vec::new();
    for code in &codes[50..250] {
        match app.submit("demo", code, &minimal_answers()).0 {
            201 => acknowledged.push(code.clone()),
            503 => refused.push(code.clone()),
            other => panic!("a submission on a full disk answered {other}"),
        }
    }
    assert!(
        refused.len() >= 150,
        "only {} refused on a full disk",
        refused.len()
    );
    let (status, body) = get(&app.url("/healthz"));
    assert_eq!(status, 503, "{body}");
    assert!(body.contains("failing"), "{body}");
    let error_lines = app.logs().lines().filter(|l| l.contains("ERROR")).count();
    assert!(
        error_lines <= 6,
        "{error_lines} error lines for {} refused submissions:\n{}",
        refused.len(),
        app.logs()
    );
    // Room again: within the retry interval, answers are taken without a restart.
    std::fs::remove_file(&filler).expect("free the disk");
    let started = Instant::now();
    let mut next = 250;
    loop {
        let code = &codes[next];
        next += 1;
        match app.submit("demo", code, &minimal_answers()).0 {
            201 => {
                acknowledged.push(code.clone());
                break;
            }
            503 => refused.push(code.clone()),
            other => panic!("{other}"),
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "still refusing a minute after the disk had room"
        );
        std::thread::sleep(Duration::from_millis(500));
    }
    assert_eq!(get(&app.url("/healthz")).0, 200);
    // A later start finds every acknowledged answer, and no refused one.
    app.restart();
    for code in &acknowledged {
        assert_eq!(
            app.submit("demo", code, &minimal_answers()).0,
            409,
            "an acknowledged code"
        );
    }
    for code in refused.iter().take(40) {
        assert_eq!(
            app.submit("demo", code, &minimal_answers()).0,
            201,
            "a refused code"
        );
    }
}

/// A backup that does not fit fails, and leaves nothing half-written beside the earlier one.
#[test]
fn a_backup_that_does_not_fit_leaves_no_partial_file() {
    let disk = Tmpfs::mount(4);
    let app = TestApp::spawn();
    for code in app.issue_codes("demo", 20) {
        assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 201);
    }
    let earlier = disk.at.join("nightly.backup");
    std::fs::write(&earlier, b"the earlier backup").expect("write");
    fill(&disk.at);
    let (ok, _, said) = app.cli(&["backup", earlier.to_str().expect("path")]);
    assert!(!ok, "a backup onto a full disk succeeded: {said}");
    let left: Vec<String> = std::fs::read_dir(&disk.at)
        .expect("dir")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!left.iter().any(|n| n.ends_with(".partial")), "{left:?}");
    assert_eq!(
        std::fs::read(&earlier).expect("read"),
        b"the earlier backup"
    );
}
