//! The durability promise: when a peer sees "thank you", the response is on disk, even if the process is
//! killed the next instant — and synced, so that a power cut does not take it either.

use crate::helpers::TestApp;
use crate::submissions::minimal_answers;
use chorus::submissions::{SealedRecord, StoredText};

/// Every free-text answer of a survey (stored apart from the responses), opened with the
/// installation's own keys.
pub fn open_all_texts(app: &TestApp, survey: &str) -> Vec<StoredText> {
    let vault = crate::forensics::current_vault(app, &app.key_file());
    let key = crate::forensics::current_data_key(app, &vault, survey);
    crate::forensics::sealed_texts(app, survey)
        .into_iter()
        .map(|(id, sealed)| {
            let plain = key.open_text(survey, &id, &sealed).expect("opens");
            serde_json::from_slice(&plain).expect("a stored text")
        })
        .collect()
}

/// Opens the installation with the library, as a restarted server would, and opens every sealed
/// response of a survey with its data key.
pub fn open_all_responses(app: &TestApp, survey: &str) -> Vec<SealedRecord> {
    let data_dir = app.data_dir();
    let key_file = app.key_file();
    let env = move |name: &str| match name {
        "CHORUS_DATA_DIR" => Some(data_dir.display().to_string()),
        "CHORUS_KEY_FILE" => Some(key_file.display().to_string()),
        _ => None,
    };
    let settings = chorus::config::Settings::from_sources(None, &env).expect("settings");
    let (chorus, _) = chorus::installation::Chorus::open(&settings).expect("open installation");
    let entry = chorus.surveys.get(survey).expect("survey");
    let records = chorus
        .store
        .responses(survey)
        .map(|row| {
            let (id, sealed) = row.expect("row");
            let plain = entry
                .data_key
                .as_ref()
                .expect("not shredded")
                .open_response(survey, &id, &sealed)
                .expect("every stored response opens");
            chorus::submissions::SealedRecord::decode(&entry.survey, &plain)
                .expect("a sealed record")
        })
        .collect();
    chorus.store.close().expect("close");
    records
}

#[test]
fn a_response_acknowledged_just_before_kill_9_is_still_there_after_restart() {
    let mut app = TestApp::spawn();
    let codes = app.issue_codes("demo", 10);
    for code in &codes {
        let (status, body) = app.submit("demo", code, &minimal_answers());
        assert_eq!(status, 201, "{body}");
    }
    app.kill9();

    let records = open_all_responses(&app, "demo");
    assert_eq!(records.len(), 10, "every acknowledged response survived");
    for record in &records {
        assert_eq!(record.response, records[0].response);
    }
    let keys: std::collections::HashSet<u32> = records.iter().map(|r| r.record_key).collect();
    assert!(keys.len() >= 9, "record keys are random per response");

    app.restart();
    for code in &codes {
        assert_eq!(
            app.submit("demo", code, &minimal_answers()).0,
            409,
            "the code stays spent"
        );
    }
    assert!(app.survey_list().contains("10–19 responses"));
}

#[test]
fn kill_9_immediately_after_a_single_201_loses_nothing() {
    let mut app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 201);
    app.kill9();
    assert_eq!(open_all_responses(&app, "demo").len(), 1);
    app.restart();
    assert_eq!(app.submit("demo", &code, &minimal_answers()).0, 409);
}

#[test]
fn codes_issued_just_before_kill_9_are_usable_after_restart() {
    let mut app = TestApp::spawn();
    let codes = app.issue_codes("demo", 3);
    app.kill9();
    app.restart();
    for code in &codes {
        assert_eq!(app.submit("demo", code, &minimal_answers()).0, 201);
    }
}

/// Watched from outside with `strace`, the server running under it: the `201` for an answer is
/// written to the socket only after an `fdatasync` of sled's log file has returned. sled's own
/// flush stops at `sync_file_range`, which leaves the device's write cache and the log's growing
/// length unsynced (docs/storage.md, "Durable, also across a power cut").
#[test]
fn the_201_is_sent_only_after_the_log_file_is_synced() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};

    let mut app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    app.stop();
    // The same server, started again as strace's child (tracing one's own child needs no
    // privilege, where attaching to a running process may).
    let server = app.command();
    let trace = app.dir.path().join("strace.log");
    let mut traced = Command::new("strace");
    traced
        .args(["-f", "-y", "-s", "40", "-o"])
        .arg(&trace)
        .args([
            "-e",
            "trace=fdatasync,fsync,read,recvfrom,write,writev,sendto,sendmsg",
            "--",
        ])
        .arg(server.get_program())
        .args(server.get_args());
    for (name, value) in server.get_envs() {
        match value {
            Some(value) => traced.env(name, value),
            None => traced.env_remove(name),
        };
    }
    if let Some(dir) = server.get_current_dir() {
        traced.current_dir(dir);
    }
    let mut strace = traced
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("strace runs (scripts/test installs it)");
    let stdout = std::io::BufReader::new(strace.stdout.take().expect("stdout"));
    let address = stdout
        .lines()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("Chorus is listening on ").map(str::to_owned))
        .expect("the traced server starts");
    let body = serde_json::json!({"code": code, "answers": minimal_answers()}).to_string();
    let url = format!("{}/api/v1/surveys/demo/responses", address.trim());
    let (status, reply) =
        crate::helpers::post(&url, &body, &[("Content-Type", "application/json")]);
    assert_eq!(status, 201, "{reply}");
    // Stop the server (strace's child) gracefully; strace ends with it and closes its log.
    let children = Command::new("pgrep")
        .args(["-P", &strace.id().to_string()])
        .output()
        .expect("pgrep");
    for pid in String::from_utf8_lossy(&children.stdout).split_whitespace() {
        let _ = Command::new("kill").arg(pid).status();
    }
    let _ = strace.wait();
    let log = std::fs::read_to_string(&trace).expect("strace log");
    let lines: Vec<&str> = log.lines().collect();
    let acknowledged = lines
        .iter()
        .position(|l| l.contains("HTTP/1.1 201"))
        .unwrap_or_else(|| panic!("no 201 written in the trace:\n{log}"));
    // The sync must come after the request was read: one made at start-up would not count.
    let received = lines
        .iter()
        .position(|l| l.contains("POST /api/v1/surveys/demo/responses"))
        .unwrap_or_else(|| panic!("the request is not in the trace:\n{log}"));
    assert!(received < acknowledged);
    let synced = lines[received..acknowledged].iter().any(|l| {
        let call = l.contains("fdatasync(") || l.contains("<... fdatasync resumed>");
        let on_log = l.contains("/db>") || l.contains("resumed");
        call && on_log && l.trim_end().ends_with("= 0")
    });
    assert!(
        synced,
        "the 201 was written before an fdatasync of the store's log returned:\n{log}"
    );
}
