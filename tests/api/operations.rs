//! Operations: backups and restores, rekeying between key file and passphrase, shredding,
//! read-only disks, rate limits and floods.

use crate::durability::open_all_responses;
use crate::helpers::{api_get, get, post, TestApp, BIN};
use crate::org_client::{api_key, OrgClient};
use crate::submissions::minimal_answers;
use std::process::Command;

/// Raw sealed responses as stored, for "untouched" checks.
fn sealed_rows(app: &TestApp) -> Vec<(Vec<u8>, Vec<u8>)> {
    let store = chorus::store::Store::open(&app.data_dir(), 8 << 20).expect("open store");
    let rows = store.responses("demo").map(|r| r.expect("row")).collect();
    store.close().expect("close");
    rows
}

#[test]
fn a_backup_taken_while_serving_restores_every_response_code_account_and_release() {
    let mut app = TestApp::spawn();
    let codes = app.issue_codes("demo", 35);
    for code in &codes[..31] {
        assert_eq!(app.submit("demo", code, &minimal_answers()).0, 201);
    }
    crate::org_client::add_account(&app, "maria", "organiser");
    let key = format!("Bearer {}", api_key(&app, "maria"));
    assert_eq!(
        post(
            &app.url("/api/v1/surveys/demo/releases"),
            "",
            &[("Authorization", &key)]
        )
        .0,
        201
    );
    let (_, release) = api_get(&app, "/api/v1/surveys/demo/releases/latest", &key);

    let backup = app.dir.path().join("chorus.backup");
    let (ok, stdout, stderr) = app.cli(&["backup", backup.to_str().expect("path")]);
    assert!(ok, "{stderr}");
    assert!(stdout.is_empty());
    let bytes = std::fs::read(&backup).expect("backup file");
    assert!(
        !bytes.windows(4).any(|w| w == b"yes\""),
        "answers stay sealed in the backup"
    );
    app.stop();

    // Restore into a new data directory and serve from it with the same key.
    let restored = app.dir.path().join("restored");
    let out = app
        .command()
        .env("CHORUS_DATA_DIR", &restored)
        .args(["restore", backup.to_str().expect("path")])
        .output()
        .expect("restore");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::rename(app.data_dir(), app.dir.path().join("old-data")).expect("move old data away");
    std::fs::rename(&restored, app.data_dir()).expect("put restored data in place");
    app.restart();
    assert_eq!(open_all_responses_running(&mut app), 31);
    for code in &codes[..31] {
        assert_eq!(
            app.submit("demo", code, &minimal_answers()).0,
            409,
            "spent codes stay spent"
        );
    }
    assert_eq!(
        app.submit("demo", &codes[31], &minimal_answers()).0,
        201,
        "unused codes still work"
    );
    let (_, again) = api_get(&app, "/api/v1/surveys/demo/releases/latest", &key);
    assert_eq!(again, release, "the release is byte-identical");
    assert_eq!(
        OrgClient::log_in_existing(&app, "maria").get("/org").status,
        200,
        "accounts survive"
    );
}

/// Counts responses by stopping, opening with the library, and starting again.
fn open_all_responses_running(app: &mut TestApp) -> usize {
    app.stop();
    let n = open_all_responses(app, "demo").len();
    app.restart();
    n
}

/// A restore the configured key cannot open fails (a script sees it), keeps nothing, and
/// works when run again with the right key.
#[test]
fn a_restore_the_key_cannot_open_fails_and_keeps_nothing() {
    let mut app = TestApp::spawn();
    let backup = app.dir.path().join("chorus.backup");
    assert!(app.cli(&["backup", backup.to_str().expect("path")]).0);
    app.stop();
    let mut other = TestApp::spawn();
    other.stop();
    let target = app.dir.path().join("restored");
    let restore = |key: &std::path::Path| {
        app.command()
            .env("CHORUS_DATA_DIR", &target)
            .env("CHORUS_KEY_FILE", key)
            .args(["restore", backup.to_str().expect("path")])
            .output()
            .expect("restore")
    };
    let wrong = restore(&other.key_file());
    let said = String::from_utf8_lossy(&wrong.stderr);
    assert!(!wrong.status.success(), "{said}");
    assert!(said.contains("nothing was restored"), "{said}");
    assert!(
        !target.exists() || std::fs::read_dir(&target).expect("dir").next().is_none(),
        "the restored files were left behind"
    );
    let right = restore(&app.key_file());
    assert!(
        right.status.success(),
        "{}",
        String::from_utf8_lossy(&right.stderr)
    );
}

#[test]
fn restoring_over_existing_data_is_refused() {
    let mut app = TestApp::spawn();
    let backup = app.dir.path().join("chorus.backup");
    assert!(app.cli(&["backup", backup.to_str().expect("path")]).0);
    app.stop();
    let (ok, _, stderr) = app.cli(&["restore", backup.to_str().expect("path")]);
    assert!(!ok);
    assert!(stderr.contains("not empty"), "{stderr}");
}

#[test]
fn rekey_moves_between_key_file_and_passphrase_and_reseals_every_response() {
    let mut app = TestApp::spawn();
    let codes = app.issue_codes("demo", 3);
    assert_eq!(app.submit("demo", &codes[0], &minimal_answers()).0, 201);
    let (ok, _, stderr) = app.cli(&["rekey", "--to-passphrase"]);
    assert!(!ok && stderr.contains("stop the server"), "{stderr}");
    app.stop();
    let before = sealed_rows(&app);

    let out = app
        .command()
        .env("CHORUS_NEW_PASSPHRASE", "a new long passphrase")
        .args(["rekey", "--to-passphrase"])
        .output()
        .expect("rekey");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids = |rows: &[(Vec<u8>, Vec<u8>)]| rows.iter().map(|r| r.0.clone()).collect::<Vec<_>>();
    let after = sealed_rows(&app);
    assert_eq!(ids(&after), ids(&before), "every response is kept");
    assert!(
        after.iter().zip(&before).all(|(a, b)| a.1 != b.1),
        "every response is sealed again, under a fresh data key"
    );
    // The old key file no longer opens it; the passphrase does.
    let (ok, _, stderr) = app.cli(&["survey", "list"]);
    assert!(!ok, "the key file no longer works");
    assert!(
        stderr.contains("passphrase") || stderr.contains("unlock"),
        "{stderr}"
    );
    let out = Command::new(BIN)
        .current_dir(app.dir.path())
        .env("CHORUS_DATA_DIR", app.data_dir())
        .env("CHORUS_PASSPHRASE", "a new long passphrase")
        .env_remove("CHORUS_KEY_FILE")
        .args(["survey", "list"])
        .output()
        .expect("list");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // And back to a new key file.
    let new_key = app.dir.path().join("new.key");
    let out = Command::new(BIN)
        .current_dir(app.dir.path())
        .env("CHORUS_DATA_DIR", app.data_dir())
        .env("CHORUS_PASSPHRASE", "a new long passphrase")
        .env_remove("CHORUS_KEY_FILE")
        .args(["rekey", "--to-key-file", new_key.to_str().expect("path")])
        .output()
        .expect("rekey back");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(ids(&sealed_rows(&app)), ids(&before));
    std::fs::rename(&new_key, app.key_file()).expect("new key in the usual place");
    app.restart();
    assert_eq!(
        app.submit("demo", &codes[0], &minimal_answers()).0,
        409,
        "code hashes survive a rekey"
    );
    assert_eq!(app.submit("demo", &codes[1], &minimal_answers()).0, 201);
    app.stop();
    assert_eq!(
        open_all_responses(&app, "demo").len(),
        2,
        "every response opens with the new key"
    );
}

#[test]
fn shredding_makes_answers_unreadable_and_keeps_releases() {
    let mut app = TestApp::spawn();
    for code in app.issue_codes("demo", 30) {
        assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 201);
    }
    crate::org_client::add_account(&app, "maria", "organiser");
    let key = format!("Bearer {}", api_key(&app, "maria"));
    let (ok, _, stderr) = app.cli(&["survey", "shred", "demo"]);
    assert!(!ok && stderr.contains("not closed"), "{stderr}");
    assert!(app.cli(&["survey", "close", "demo"]).0);
    let (_, release) = api_get(&app, "/api/v1/surveys/demo/releases/latest", &key);
    let (ok, _, stderr) = app.cli(&["survey", "shred", "demo"]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("rekey"),
        "the operator is told about older backups: {stderr}"
    );
    assert!(
        app.survey_list()
            .contains("demo\tclosed\tinvite\tanswers shredded"),
        "{}",
        app.survey_list()
    );
    // Shredding again is refused as done already, and audited once.
    let (ok, _, stderr) = app.cli(&["survey", "shred", "demo"]);
    assert!(!ok && stderr.contains("has been shredded"), "{stderr}");
    let audit = crate::org_client::OrgClient::log_in_existing(&app, "maria")
        .get("/org/audit")
        .html;
    assert_eq!(audit.matches("shred survey").count(), 1, "{audit}");
    assert_eq!(
        api_get(&app, "/api/v1/surveys/demo/releases/latest", &key).1,
        release
    );
    app.stop();
    assert!(sealed_rows(&app).is_empty(), "the sealed answers are gone");
    let store = chorus::store::Store::open(&app.data_dir(), 8 << 20).expect("open");
    assert_eq!(
        store.data_key_get("demo").expect("get"),
        None,
        "the key is destroyed"
    );
    store.close().expect("close");
    drop(store);
    app.restart();
    let path = app.dir.path().join("demo.toml");
    std::fs::write(&path, chorus::services::surveys::DEMO_SURVEY).expect("write");
    let (ok, _, stderr) = app.cli(&["survey", "import", path.to_str().expect("path")]);
    assert!(!ok && stderr.contains("shredded"), "{stderr}");
}

#[test]
fn a_read_only_data_directory_stops_start_up_clearly_and_changes_nothing() {
    let mut app = TestApp::spawn();
    app.stop();
    let data = app.data_dir();
    let hash_all = || {
        let mut files: Vec<(String, Vec<u8>)> = crate::helpers::all_files(&data)
            .into_iter()
            .map(|f| (f.display().to_string(), std::fs::read(&f).expect("read")))
            .collect();
        files.sort();
        files
    };
    let nobody = "65534";
    let chown = |path: &std::path::Path| {
        Command::new("chown")
            .args(["-R", &format!("{nobody}:{nobody}")])
            .arg(path)
            .status()
            .expect("chown")
    };
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout == b"0\n")
        .unwrap_or(false);
    let before = hash_all();
    let out = if is_root {
        // Root ignores file modes, so run Chorus as an unprivileged user on a directory it owns
        // but may not write.
        chown(app.dir.path());
        Command::new("chmod")
            .args(["-R", "a-w"])
            .arg(&data)
            .status()
            .expect("chmod");
        Command::new("setpriv")
            .args(["--reuid", nobody, "--regid", nobody, "--clear-groups", BIN])
            .env("CHORUS_BIND", "127.0.0.1:0")
            .env("CHORUS_DATA_DIR", &data)
            .env("CHORUS_KEY_FILE", app.key_file())
            .current_dir(app.dir.path())
            .output()
            .expect("run as nobody")
    } else {
        Command::new("chmod")
            .args(["-R", "a-w"])
            .arg(&data)
            .status()
            .expect("chmod");
        app.command().output().expect("run")
    };
    Command::new("chmod")
        .args(["-R", "u+w"])
        .arg(&data)
        .status()
        .expect("chmod back");
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("may not write to the data directory"),
        "{stderr}"
    );
    assert_eq!(hash_all(), before, "nothing was modified");
}

#[test]
fn rate_limits_answer_429_and_forget_nothing_to_disk() {
    let config = "code_entries_per_minute = 2\nsubmissions_per_minute = 3\nlogins_per_minute = 2\n";
    let app = TestApp::spawn_configured(&[], Some(config));
    let codes = app.issue_codes("demo", 5);
    let statuses: Vec<u16> = codes
        .iter()
        .map(|c| app.submit("demo", c, &minimal_answers()).0)
        .collect();
    assert_eq!(statuses, vec![201, 201, 201, 429, 429]);
    let entries: Vec<u16> = (0..3)
        .map(|_| get(&app.url(&format!("/s/demo?code={}", codes[4]))).0)
        .collect();
    assert_eq!(entries, vec![200, 200, 429]);
    // The page says what happened (not "many people are starting"), and how long to wait.
    let limited = ureq::get(&app.url(&format!("/s/demo?code={}", codes[4])))
        .call()
        .expect_err("429");
    let ureq::Error::Status(429, page) = limited else {
        panic!("{limited}")
    };
    assert_eq!(page.header("Retry-After"), Some("60"));
    let html = page.into_string().expect("page");
    assert!(
        html.contains("too many tries from this connection"),
        "{html}"
    );
    let client = OrgClient::anonymous(&app);
    let logins: Vec<u16> = (0..3).map(|_| client.post_login("x", "y").status).collect();
    assert_eq!(logins, vec![401, 401, 429]);
    let files = crate::helpers::all_files(&app.data_dir());
    for file in files {
        let bytes = std::fs::read(&file).expect("read");
        assert!(
            !bytes.windows(9).any(|w| w == b"127.0.0.1"),
            "no client address in {}",
            file.display()
        );
    }
}

#[test]
fn a_flood_of_bad_requests_does_not_stop_the_service() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    let url = app.url("/api/v1/surveys/demo/responses");
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let url = url.clone();
            let base = app.address.clone();
            std::thread::spawn(move || {
                for i in 0..150 {
                    let _ = match (t + i) % 5 {
                        0 => post(&url, "not json", &[]).0,
                        1 => post(&url, &"x".repeat(70_000), &[]).0,
                        2 => {
                            post(
                                &url,
                                r#"{"code": "AAAA-AAAA-AAAA-AA", "answers": {"age": 1000}}"#,
                                &[],
                            )
                            .0
                        }
                        3 => get(&format!("{base}/no/such/route/{i}")).0,
                        _ => post(&format!("{base}/s/demo/page"), "%%%", &[]).0,
                    };
                }
            })
        })
        .collect();
    for h in handles {
        h.join().expect("thread");
    }
    assert_eq!(get(&app.url("/healthz")).0, 200);
    let code = app.issue_codes("demo", 1).remove(0);
    assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 201);
}

/// A command that opens the store itself, run by another account than the data directory's
/// owner (root, typically), is refused: what it wrote would belong to it, and the service's
/// account could no longer open the store.
#[test]
fn a_command_run_as_another_account_than_the_stores_owner_is_refused() {
    use std::os::unix::fs::MetadataExt;
    let mut app = TestApp::spawn();
    app.stop();
    let data = app.data_dir();
    let nobody = "65534";
    let chown = |owner: &str| {
        let status = std::process::Command::new("chown")
            .args(["-R", owner])
            .arg(&data)
            .status()
            .expect("chown");
        assert!(status.success());
    };
    chown(nobody);
    for args in [vec!["store", "rewrite"], vec!["survey", "list"]] {
        let (ok, _, said) = app.cli(&args);
        assert!(!ok, "{args:?} ran as another account");
        assert!(said.contains("belongs to another account"), "{said}");
    }
    // The server too (an outside review started it as root on the service's directory: it wrote
    // a new store generation the service then could not open). Killed if it starts after all.
    let mut serve = app
        .command()
        .arg("serve")
        .env("CHORUS_BIND", "127.0.0.1:0")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run chorus serve");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(status) = serve.try_wait().expect("wait") {
            break Some(status);
        }
        if std::time::Instant::now() > deadline {
            let _ = serve.kill();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let mut said = String::new();
    std::io::Read::read_to_string(&mut serve.stderr.take().expect("stderr"), &mut said)
        .expect("read");
    assert!(
        status.is_some_and(|s| !s.success()),
        "serve started: {said}"
    );
    assert!(said.contains("belongs to another account"), "{said}");
    let owners: Vec<u32> = crate::helpers::all_files(&data)
        .iter()
        .map(|f| std::fs::metadata(f).expect("meta").uid())
        .collect();
    assert!(owners.iter().all(|&u| u == 65534), "a file changed owner");
    let me = std::fs::metadata("/proc/self").expect("me").uid();
    chown(&me.to_string());
    assert!(app.cli(&["survey", "list"]).0);
}
