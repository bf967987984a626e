//! The promises tested as an attacker would: double spend, participation oracle, plaintext on
//! disk, addresses and codes in logs.

use crate::helpers::{all_files, post, TestApp};
use crate::submissions::minimal_answers;

#[test]
fn fifty_concurrent_submissions_of_one_code_give_exactly_one_201() {
    let app = TestApp::spawn();
    let code = app.issue_codes("demo", 1).remove(0);
    let url = app.url("/api/v1/surveys/demo/responses");
    let body = serde_json::json!({"code": code, "answers": minimal_answers()}).to_string();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(50));
    let handles: Vec<_> = (0..50)
        .map(|_| {
            let (url, body, barrier) = (url.clone(), body.clone(), barrier.clone());
            std::thread::spawn(move || {
                barrier.wait();
                post(&url, &body, &[])
            })
        })
        .collect();
    let results: Vec<(u16, String)> = handles
        .into_iter()
        .map(|h| h.join().expect("thread"))
        .collect();
    let created = results.iter().filter(|(s, _)| *s == 201).count();
    let refused: Vec<_> = results.iter().filter(|(s, _)| *s == 409).collect();
    assert_eq!(created, 1, "{results:?}");
    assert_eq!(refused.len(), 49);
    assert!(refused.iter().all(|(_, b)| b == &refused[0].1));
    assert!(app.survey_list().contains("fewer than 10 responses"));
}

#[test]
fn used_and_unknown_codes_get_byte_identical_answers() {
    let app = TestApp::spawn();
    let mut codes = app.issue_codes("demo", 2);
    let used = codes.remove(0);
    let other_survey_code = codes.remove(0);
    assert_eq!(app.submit("demo", &used, &minimal_answers()).0, 201);

    let answer_for = |code: &str| {
        let body = serde_json::json!({"code": code, "answers": minimal_answers()}).to_string();
        let resp = ureq::post(&app.url("/api/v1/surveys/demo/responses"))
            .set("Content-Type", "application/json")
            .send_string(&body);
        let resp = match resp {
            Err(ureq::Error::Status(_, r)) => r,
            other => panic!("expected a 4xx, got {other:?}"),
        };
        let mut headers: Vec<(String, String)> = resp
            .headers_names()
            .into_iter()
            .filter(|h| h != "date")
            .map(|h| (h.clone(), resp.header(&h).unwrap_or_default().to_owned()))
            .collect();
        headers.sort();
        (resp.status(), headers, resp.into_string().expect("body"))
    };
    let used_answer = answer_for(&used);
    let unknown = answer_for("7KQ2-MX9D-4TRA-V3");
    let unknown_but_well_formed = answer_for(&{
        // A syntactically valid code that was never issued.
        let mut c = used.clone();
        c.replace_range(0..1, if c.starts_with('A') { "B" } else { "A" });
        c
    });
    let garbage = answer_for("not a code at all");
    assert_eq!(used_answer.0, 409);
    assert_eq!(used_answer, unknown);
    assert_eq!(used_answer, unknown_but_well_formed);
    assert_eq!(used_answer, garbage);
    // The other code is still fine: nothing above touched it.
    assert_eq!(
        app.submit("demo", &other_survey_code, &minimal_answers()).0,
        201
    );
}

#[test]
fn a_canary_answer_never_appears_in_any_file_under_the_data_directory() {
    let mut app = TestApp::spawn();
    let canary = "CANARY-7f3a9c-heroin-fentanyl-overdose";
    let codes = app.issue_codes("demo", 5);
    for code in &codes {
        let mut answers = minimal_answers();
        answers[crate::submissions::FREE_TEXT_QUESTION] = serde_json::json!(canary);
        let (status, body) = app.submit("demo", code, &answers);
        assert_eq!(status, 201, "{body}");
    }
    app.stop();
    let files = all_files(&app.data_dir());
    assert!(!files.is_empty());
    let needles: Vec<Vec<u8>> = std::iter::once(canary.as_bytes().to_vec())
        .chain(
            codes
                .iter()
                .flat_map(|c| [c.as_bytes().to_vec(), c.replace('-', "").into_bytes()]),
        )
        .collect();
    for file in files {
        let bytes = std::fs::read(&file).expect("read");
        for needle in &needles {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_slice()),
                "{} contains {}",
                file.display(),
                String::from_utf8_lossy(needle)
            );
        }
    }
    // And the key that could open them is not in the data directory either.
    let key = std::fs::read_to_string(app.key_file()).expect("key file");
    let key_material = key.trim().rsplit(':').next().expect("key").to_owned();
    for file in all_files(&app.data_dir()) {
        let bytes = std::fs::read(&file).expect("read");
        assert!(!bytes
            .windows(key_material.len())
            .any(|w| w == key_material.as_bytes()));
    }
}

#[test]
fn client_addresses_agents_and_codes_never_reach_the_logs() {
    let app = TestApp::spawn();
    let canary_ip = "203.0.113.77";
    let canary_agent = "CanaryPhone/9.9";
    let codes = app.issue_codes("demo", 2);
    let headers = [
        ("X-Forwarded-For", canary_ip),
        ("X-Real-IP", canary_ip),
        ("Forwarded", "for=203.0.113.77"),
        ("User-Agent", canary_agent),
        ("Referer", "http://203.0.113.77/secret"),
    ];
    let body = serde_json::json!({"code": codes[0], "answers": minimal_answers()}).to_string();
    let url = app.url("/api/v1/surveys/demo/responses");
    assert_eq!(post(&url, &body, &headers).0, 201);
    assert_eq!(post(&url, &body, &headers).0, 409);
    // A QR-card link carries the code in the query string; it must not be logged either.
    let landing = ureq::get(&app.url(&format!("/s/demo?code={}", codes[1])))
        .set("X-Forwarded-For", canary_ip)
        .set("User-Agent", canary_agent)
        .call()
        .expect("landing");
    assert_eq!(landing.status(), 200);
    let bad =
        serde_json::json!({"code": codes[1], "answers": {"no_such_question": "x"}}).to_string();
    assert_eq!(post(&url, &bad, &headers).0, 422);
    std::thread::sleep(std::time::Duration::from_millis(300));
    let logs = app.logs();
    // No line per request at all (request counts are summarised every ten minutes).
    assert!(
        !logs.contains("/api/v1/surveys/{survey}/responses"),
        "a request line was logged: {logs}"
    );
    for needle in [
        canary_ip,
        "203.0.113",
        canary_agent,
        "CanaryPhone",
        "code=",
        "?",
    ] {
        assert!(!logs.contains(needle), "logs contain {needle}:\n{logs}");
    }
    // The real client address (loopback here) is absent from request lines too.
    for line in logs.lines().filter(|l| l.contains("request")) {
        assert!(!line.contains("127.0.0.1"), "{line}");
    }
    for code in &codes {
        assert!(!logs.contains(code.as_str()) && !logs.contains(&code.replace('-', "")));
    }
}
