//! The CLI works while the server runs (through its control socket) and while it is stopped.

use crate::helpers::{get, TestApp};
use crate::submissions::minimal_answers;

fn looks_like_a_code(line: &str) -> bool {
    line.len() == 17
        && line.split('-').map(str::len).collect::<Vec<_>>() == [4, 4, 4, 2]
        && line
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || c.is_ascii_uppercase())
}

#[test]
fn codes_issue_prints_one_code_per_line_and_nothing_else_while_the_server_runs() {
    let app = TestApp::spawn();
    let (ok, stdout, stderr) = app.cli(&["codes", "issue", "demo", "--count", "25"]);
    assert!(ok, "{stderr}");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 25);
    assert!(lines.iter().all(|l| looks_like_a_code(l)), "{stdout}");
    assert_eq!(stdout.matches('\n').count(), 25);
    // Every printed code works exactly once.
    assert_eq!(app.submit("demo", lines[0], &minimal_answers()).0, 201);
    assert_eq!(app.submit("demo", lines[24], &minimal_answers()).0, 201);
}

#[test]
fn codes_issued_while_the_server_is_stopped_work_once_it_starts() {
    let mut app = TestApp::spawn();
    app.stop();
    let codes = app.issue_codes("demo", 3);
    assert!(codes.iter().all(|c| looks_like_a_code(c)));
    app.restart();
    assert_eq!(app.submit("demo", &codes[0], &minimal_answers()).0, 201);
}

#[test]
fn codes_for_an_unknown_survey_are_refused_with_a_message_and_no_output() {
    let app = TestApp::spawn();
    let (ok, stdout, stderr) = app.cli(&["codes", "issue", "nope", "--count", "2"]);
    assert!(!ok);
    assert!(stdout.is_empty());
    assert!(stderr.contains("no survey 'nope'"), "{stderr}");
}

#[test]
fn a_count_of_zero_is_refused() {
    let app = TestApp::spawn();
    let (ok, stdout, _) = app.cli(&["codes", "issue", "demo", "--count", "0"]);
    assert!(!ok);
    assert!(stdout.is_empty());
}

const SMALL_SURVEY: &str = r#"
id = "small"
title = "Small survey"

[[pages]]
title = "Only page"
  [[pages.questions]]
  id = "naloxone"
  type = "single"
  role = "sensitive"
  text = "Do you carry naloxone?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
"#;

#[test]
fn a_survey_goes_from_draft_to_open_to_closed_and_answers_follow() {
    let app = TestApp::spawn();
    app.import(SMALL_SURVEY);
    let answers = serde_json::json!({"naloxone": "yes"});
    let codes = app.issue_codes("small", 3);
    assert!(app.survey_list().contains("small\tdraft"));
    assert_eq!(
        get(&app.url("/api/v1/surveys/small")).0,
        404,
        "drafts are invisible"
    );
    assert_eq!(app.submit("small", &codes[0], &answers).0, 404);

    app.open_survey("small");
    assert_eq!(get(&app.url("/api/v1/surveys/small")).0, 200);
    assert_eq!(app.submit("small", &codes[0], &answers).0, 201);

    let (ok, _, _) = app.cli(&["survey", "close", "small"]);
    assert!(ok);
    assert_eq!(app.submit("small", &codes[1], &answers).0, 410);
    let (ok, _, stderr) = app.cli(&["survey", "open", "small"]);
    assert!(!ok, "a closed survey cannot be reopened");
    assert!(stderr.contains("closed"), "{stderr}");
}

#[test]
fn a_definition_is_replaced_only_while_it_has_no_responses() {
    let app = TestApp::spawn();
    app.import(SMALL_SURVEY);
    app.import(&SMALL_SURVEY.replace("Small survey", "Small survey, revised"));
    assert!(app.survey_list().contains("Small survey, revised"));
    app.open_survey("small");
    let code = app.issue_codes("small", 1).remove(0);
    assert_eq!(
        app.submit("small", &code, &serde_json::json!({"naloxone": "no"}))
            .0,
        201
    );
    let path = app.dir.path().join("again.toml");
    std::fs::write(&path, SMALL_SURVEY).expect("write");
    let (ok, _, stderr) = app.cli(&["survey", "import", path.to_str().expect("path")]);
    assert!(
        ok,
        "an unchanged definition may be imported again: {stderr}"
    );
    let changed = SMALL_SURVEY.replace(
        "{ id = \"no\", text = \"No\" }",
        "{ id = \"no\", text = \"No\" }, { id = \"sometimes\", text = \"Sometimes\" }",
    );
    std::fs::write(&path, changed).expect("write");
    let (ok, _, stderr) = app.cli(&["survey", "import", path.to_str().expect("path")]);
    assert!(!ok);
    assert!(stderr.contains("already has responses"), "{stderr}");
}

#[test]
fn definition_errors_are_all_reported_with_their_line_numbers() {
    let app = TestApp::spawn();
    let broken = r#"id = "broken"
title = "Broken"

[[pages]]
title = "One"
  [[pages.questions]]
  id = "age"
  type = "number"
  role = "quasi"
  min = 90
  max = 16
  bands = [[16, 24]]
  text = "How old are you?"

  [[pages.questions]]
  id = "used"
  type = "single"
  text = "No role"
  options = [ { id = "a", text = "A" } ]

  [[pages.questions]]
  id = "where"
  type = "map"
  role = "plain"
  text = "A type that does not exist"
"#;
    let path = app.dir.path().join("broken.toml");
    std::fs::write(&path, broken).expect("write");
    let (ok, stdout, stderr) = app.cli(&["survey", "import", path.to_str().expect("path")]);
    assert!(!ok);
    assert!(stdout.is_empty());
    assert!(
        stderr.matches("line ").count() >= 3,
        "every error has a line: {stderr}"
    );
    assert!(stderr.contains("role"), "{stderr}");
    assert!(stderr.contains("age"), "{stderr}");
    assert!(stderr.contains("map"), "{stderr}");
    // One mistake, one error: the swapped bounds do not also make `bands` an unknown key.
    assert!(!stderr.contains("unknown key"), "{stderr}");
    assert!(!app.survey_list().contains("broken"));
}

#[test]
fn the_cli_reports_a_missing_file_clearly() {
    let app = TestApp::spawn();
    let (ok, _, stderr) = app.cli(&["survey", "import", "/no/such/file.toml"]);
    assert!(!ok);
    assert!(stderr.contains("/no/such/file.toml"), "{stderr}");
}

/// A command run where there is no installation — the wrong directory, a mistyped
/// CHORUS_DATA_DIR — says so and makes nothing: not a new, empty installation with a key of its
/// own, nor a "backup" of one that claims to have worked.
#[test]
fn a_command_where_there_is_no_installation_makes_none() {
    let dir = tempfile::tempdir().expect("tempdir");
    for args in [
        vec!["backup", "nightly.backup"],
        vec!["survey", "list"],
        vec!["codes", "issue", "demo", "--count", "1"],
        vec!["rekey", "--to-key-file", "new.key"],
    ] {
        let out = std::process::Command::new(crate::helpers::BIN)
            .args(&args)
            .current_dir(dir.path())
            .env_remove("CHORUS_DATA_DIR")
            .env_remove("CHORUS_KEY_FILE")
            .env_remove("CHORUS_CONFIG")
            .env_remove("CHORUS_PASSPHRASE")
            .output()
            .expect("run chorus");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?} succeeded");
        assert!(
            stderr.contains("no Chorus installation"),
            "{args:?}: {stderr}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).expect("dir").collect();
        assert!(left.is_empty(), "{args:?} left {left:?}");
    }
}
