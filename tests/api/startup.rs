//! Start-up: zero-config first run, settings errors, key errors, sealed mode.

use crate::helpers::{get, TestApp, BIN};
use crate::submissions::minimal_answers;
use std::process::Command;

fn run_in(dir: &std::path::Path, env: &[(&str, &str)]) -> std::process::Output {
    run_cmd_in(dir, env, &[])
}

fn run_cmd_in(dir: &std::path::Path, env: &[(&str, &str)], args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(BIN);
    cmd.args(args);
    cmd.current_dir(dir)
        .env_remove("CHORUS_CONFIG")
        .env_remove("CHORUS_PASSPHRASE")
        .env_remove("CHORUS_DATA_DIR")
        .env_remove("CHORUS_KEY_FILE")
        .env("CHORUS_BIND", "127.0.0.1:0");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run chorus")
}

#[test]
fn the_first_run_creates_data_and_a_private_key_file_beside_it_and_prints_a_working_demo_link() {
    let app = TestApp::spawn();
    assert!(app.data_dir().is_dir());
    let key = app.key_file();
    assert!(key.is_file());
    assert!(!key.starts_with(app.data_dir()));
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(&key).expect("meta").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let line = app
        .console_line_starting("Try the demo survey: ")
        .expect("demo link");
    let link = line.trim_start_matches("Try the demo survey: ");
    let (status, html) = get(link);
    assert_eq!(status, 200);
    assert!(html.contains("<form") || html.contains("code"), "{html}");
    let code = link.split("code=").nth(1).expect("code");
    assert_eq!(app.submit("demo", code, &minimal_answers()).0, 201);
}

#[test]
fn healthz_answers_ok() {
    let app = TestApp::spawn();
    let (status, body) = get(&app.url("/healthz"));
    assert_eq!((status, body.as_str()), (200, r#"{"status":"ok"}"#));
}

#[test]
fn the_public_definition_lists_questions_languages_and_logic() {
    let app = TestApp::spawn();
    let (status, body) = get(&app.url("/api/v1/surveys/demo"));
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["id"], "demo");
    assert!(v["languages"].as_array().expect("languages").len() >= 2);
    assert!(body.contains("show_if"));
    assert!(v["pages"].as_array().expect("pages").len() >= 3);
}

#[test]
fn an_unknown_key_in_chorus_toml_stops_start_up_with_its_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("chorus.toml"),
        "bind = \"127.0.0.1:0\"\nlisten = 5\n",
    )
    .expect("write");
    let out = run_in(dir.path(), &[]);
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("listen"), "{stderr}");
    assert!(!dir.path().join("data").exists(), "nothing was created");
}

#[test]
fn a_bad_bind_address_stops_start_up_naming_the_variable() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run_in(dir.path(), &[("CHORUS_BIND", "not-an-address")]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("CHORUS_BIND"));
}

/// A first run on an address something else holds stops before anything is created: no key
/// file and no data directory to wonder about (or to leave a key beside) afterwards.
#[test]
fn a_first_run_whose_address_is_taken_creates_nothing() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let address = taken.local_addr().expect("address").to_string();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run_in(dir.path(), &[("CHORUS_BIND", &address)]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("could not listen"), "{said}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .expect("dir")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

#[test]
fn an_i18n_dir_that_is_missing_not_a_folder_or_holds_a_broken_file_stops_start_up_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let folder = dir.path().join("languages");
    let check = |env: &[(&str, &str)], config: Option<&str>, says: &str| {
        match config {
            Some(c) => std::fs::write(dir.path().join("chorus.toml"), c).expect("write"),
            None => {
                let _ = std::fs::remove_file(dir.path().join("chorus.toml"));
            }
        }
        let out = run_in(dir.path(), env);
        assert!(!out.status.success());
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("i18n_dir") && stderr.contains(says),
            "{stderr}"
        );
        assert!(!dir.path().join("data").exists(), "nothing was created");
    };
    let path = folder.to_str().expect("utf-8");
    check(&[("CHORUS_I18N_DIR", path)], None, "does not exist");
    check(
        &[],
        Some(&format!("i18n_dir = {path:?}\n")),
        "does not exist",
    );
    std::fs::write(&folder, "not a folder").expect("write");
    check(&[("CHORUS_I18N_DIR", path)], None, "is not a folder");
    std::fs::remove_file(&folder).expect("rm");
    std::fs::create_dir(&folder).expect("mkdir");
    std::fs::write(folder.join("fa.toml"), "next = \"بعدی\nback = 1\n").expect("write");
    check(&[("CHORUS_I18N_DIR", path)], None, "fa.toml");
}

#[test]
fn another_key_file_is_refused_clearly_and_changes_nothing() {
    let mut app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 201);
    app.stop();
    let data = app.data_dir();
    // A second installation (its first start) makes a different, valid key file.
    let mut second = TestApp::spawn();
    second.stop();
    let other = second.key_file();
    assert!(
        other.exists(),
        "the second installation created its own key"
    );
    let out = run_in(
        app.dir.path(),
        &[
            ("CHORUS_KEY_FILE", other.to_str().expect("path")),
            ("CHORUS_DATA_DIR", data.to_str().expect("path")),
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("does not unlock this data directory"),
        "{stderr}"
    );
    // Nothing changed: the right key still opens it, with its response and spent code.
    app.restart();
    assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 409);
    assert!(app.survey_list().contains("fewer than 10 responses"));
}

#[test]
fn a_missing_key_file_for_existing_data_is_refused_clearly() {
    let mut app = TestApp::spawn();
    app.stop();
    std::fs::remove_file(app.key_file()).expect("remove key");
    let out = run_in(
        app.dir.path(),
        &[
            ("CHORUS_KEY_FILE", app.key_file().to_str().expect("path")),
            ("CHORUS_DATA_DIR", app.data_dir().to_str().expect("path")),
        ],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(!app.key_file().exists(), "no new key was made for old data");
}

#[test]
fn a_damaged_key_file_is_refused_clearly() {
    let mut app = TestApp::spawn();
    app.stop();
    std::fs::write(app.key_file(), "chorus-master-key-v1:AAAA\n").expect("write");
    let out = run_in(
        app.dir.path(),
        &[
            ("CHORUS_KEY_FILE", app.key_file().to_str().expect("path")),
            ("CHORUS_DATA_DIR", app.data_dir().to_str().expect("path")),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("damaged"));
}

#[test]
fn sealed_mode_keeps_nothing_on_disk_and_refuses_a_wrong_passphrase() {
    let mut app = TestApp::spawn_with(&[("CHORUS_PASSPHRASE", "correct horse battery staple")]);
    assert!(!app.key_file().exists(), "sealed mode writes no key file");
    let code = app.issue_codes("demo", 1).remove(0);
    assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 201);
    app.stop();
    let data = app.data_dir();
    let out = run_in(
        app.dir.path(),
        &[
            ("CHORUS_PASSPHRASE", "wrong horse"),
            ("CHORUS_DATA_DIR", data.to_str().expect("path")),
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("does not unlock"));
    let out = run_in(
        app.dir.path(),
        &[
            ("CHORUS_DATA_DIR", data.to_str().expect("path")),
            ("CHORUS_KEY_FILE", app.key_file().to_str().expect("path")),
        ],
    );
    assert!(
        !out.status.success(),
        "a key file cannot open a passphrase installation"
    );
    app.restart();
    assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 409);
}

#[test]
fn a_second_server_on_the_same_data_directory_is_refused() {
    let app = TestApp::spawn();
    let out = app.command().output().expect("run");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("in use"));
}

/// Sealed mode is for a seized disk, where a short passphrase falls to guessing: a new
/// installation and a rekey need one of at least 12 characters (and nothing is created
/// otherwise). A key file variable set but empty — all `docker run` can do with the image's
/// `ENV CHORUS_KEY_FILE` — counts as not set, so the documented sealed container starts.
#[test]
fn a_new_passphrase_must_be_long_and_an_empty_key_file_setting_is_no_key_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let out = run_in(dir.path(), &[("CHORUS_PASSPHRASE", "hunter2")]);
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(said.contains("at least 12 characters"), "{said}");
    assert_eq!(
        std::fs::read_dir(dir.path()).expect("dir").count(),
        0,
        "nothing created"
    );
    let mut app = TestApp::spawn_with(&[
        ("CHORUS_PASSPHRASE", "three unrelated words"),
        ("CHORUS_KEY_FILE", ""),
    ]);
    assert_eq!(get(&app.url("/healthz")).0, 200);
    app.stop();
    let out = app
        .command()
        .env("CHORUS_NEW_PASSPHRASE", "short one")
        .args(["rekey", "--to-passphrase"])
        .output()
        .expect("rekey");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{said}");
    assert!(said.contains("at least 12 characters"), "{said}");
}

/// A key file other accounts can read is pointed out at every start and command, with the fix.
#[test]
fn a_key_file_others_can_read_is_pointed_out() {
    use std::os::unix::fs::PermissionsExt;
    let mut app = TestApp::spawn();
    app.stop();
    let quiet = app.cli(&["survey", "list"]);
    assert!(quiet.0 && !quiet.2.contains("chmod"), "{}", quiet.2);
    std::fs::set_permissions(app.key_file(), std::fs::Permissions::from_mode(0o644))
        .expect("chmod");
    let (ok, _, said) = app.cli(&["survey", "list"]);
    assert!(ok, "{said}");
    assert!(said.contains("chmod 600"), "{said}");
}

/// A data directory made beforehand with the usual umask (0755) is closed to other local users
/// when the server starts: the store's own files are readable, and hold password hashes and the
/// audit log.
#[test]
fn a_data_directory_made_beforehand_is_made_private_at_start() {
    use std::os::unix::fs::PermissionsExt;
    let mut app = TestApp::spawn();
    app.stop();
    let open = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(app.data_dir(), open).expect("chmod");
    app.restart();
    let mode = std::fs::metadata(app.data_dir())
        .expect("meta")
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o700, "{mode:o}");
}
