//! Free text for organisers: refused below `min_responses`, then shown detached (the words
//! alone) in a fresh random order every view, each view and pick audited; picked quotes appear
//! under their question in the next release and nowhere in the CSV files or an export.

use crate::helpers::{api_get, post, TestApp};
use crate::org_client::{add_account, api_key, OrgClient};
use serde_json::{json, Value};
use std::collections::{BTreeSet, HashMap};
use std::io::Read;

const FREE_TEXT: &str = "/api/v1/surveys/demo/free-text/anything_else";

/// The words of response `i`: unique, so each can be traced to where it appears.
fn words(i: usize) -> String {
    format!("We need more naloxone at the pharmacy, says voice {i}")
}

/// `n` demo responses (from `from` on), each with its own free text and varied other answers.
pub fn answer_with_text(app: &TestApp, n: usize, from: usize) {
    let genders = ["woman", "man"];
    let areas = ["harbour", "old_town", "station", "market", "riverside"];
    let drugs = ["heroin", "cannabis", "alcohol", "crack"];
    for (j, code) in app.issue_codes("demo", n).iter().enumerate() {
        let i = from + j;
        let answers = json!({
            "consent": "yes",
            "age": 18 + (i * 13) % 60,
            "gender": genders[i % 2],
            "area": areas[(i / 2) % areas.len()],
            "drugs_3m": [drugs[i % 4], drugs[(i + 1) % 4]],
            "injected_3m": if i % 3 == 0 { "yes" } else { "no" },
            "overdose_witnessed": if (i / 3) % 2 == 0 { "yes" } else { "no" },
            "anything_else": words(i),
        });
        let (status, body) = app.submit("demo", code, &answers);
        assert_eq!(status, 201, "{body}");
    }
}

pub fn organiser_key(app: &TestApp, name: &str) -> String {
    add_account(app, name, "organiser");
    format!("Bearer {}", api_key(app, name))
}

/// How often the audit log, read in the workspace, records `action`.
pub fn audited(org: &OrgClient, action: &str) -> usize {
    org.get("/org/audit")
        .html
        .matches(&format!("<td>{action}</td>"))
        .count()
}

fn answers_of(body: &str) -> Vec<String> {
    let v: Value = serde_json::from_str(body).expect("json");
    let object = v.as_object().expect("an object");
    let keys: BTreeSet<&str> = object.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["question", "answers"]),
        "nothing but the question and the words: {body}"
    );
    assert_eq!(v["question"], "anything_else");
    v["answers"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| {
            a.as_str()
                .expect("each answer is the words alone")
                .to_owned()
        })
        .collect()
}

#[test]
fn free_text_is_refused_below_min_responses_then_shown_detached_in_a_fresh_order_and_audited() {
    let app = TestApp::spawn();
    let key = organiser_key(&app, "maria");
    let org = OrgClient::log_in_existing(&app, "maria");
    answer_with_text(&app, 29, 0);

    let (status, body) = api_get(&app, FREE_TEXT, &key);
    assert_eq!(status, 409, "{body}");
    let error: Value = serde_json::from_str(&body).expect("json error");
    assert_eq!(error["error"], "conflict");
    let message = error["message"].as_str().expect("message");
    assert!(message.contains("at least 30 responses"), "{message}");
    assert!(!body.contains("voice"), "no answer in a refusal: {body}");
    let refused = org.get("/org/s/demo/free-text/anything_else");
    assert_eq!(refused.status, 409, "{}", refused.html);
    assert!(refused.html.contains("at least 30 responses"));
    assert!(!refused.html.contains("voice"));
    assert_eq!(
        audited(&org, "read free text"),
        0,
        "a refusal is not a view"
    );

    // Anyone but an organiser: refused in the house shape.
    add_account(&app, "rita", "researcher");
    let researcher = format!("Bearer {}", api_key(&app, "rita"));
    let (status, body) = api_get(&app, FREE_TEXT, &researcher);
    assert_eq!(status, 403, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json")["error"],
        "forbidden"
    );
    assert_eq!(crate::helpers::get(&app.url(FREE_TEXT)).0, 401);

    answer_with_text(&app, 11, 29);
    let (status, first) = api_get(&app, FREE_TEXT, &key);
    assert_eq!(status, 200, "{first}");
    let first = answers_of(&first);
    let expected: BTreeSet<String> = (0..40).map(words).collect();
    assert_eq!(
        first.iter().cloned().collect::<BTreeSet<_>>(),
        expected,
        "every answer, exactly the words given, nothing attached"
    );
    assert_eq!(first.len(), 40);

    // A fresh random order on each view: two orders of 40 agree by chance once in 40!.
    let (_, second) = api_get(&app, FREE_TEXT, &key);
    let second = answers_of(&second);
    assert_ne!(first, second, "the order changes between views");
    let (_, third) = api_get(&app, FREE_TEXT, &key);
    assert_ne!(second, answers_of(&third));

    // Only free-text questions have free text.
    let (status, _) = api_get(&app, "/api/v1/surveys/demo/free-text/age", &key);
    assert_eq!(status, 404);
    let (status, _) = api_get(&app, "/api/v1/surveys/nope/free-text/anything_else", &key);
    assert_eq!(status, 404);

    // The workspace shows the same words, detached, and each view is audited.
    let page = org.get("/org/s/demo/free-text/anything_else");
    assert_eq!(page.status, 200, "{}", page.html);
    for w in &expected {
        assert!(page.html.contains(w.as_str()), "{w} on the page");
    }
    for leaked in ["harbour", "old_town", "Harbour", "heroin", "Heroin"] {
        assert!(
            !page.html.contains(leaked),
            "no other answer beside the free text: {leaked}"
        );
    }
    assert_eq!(
        audited(&org, "read free text"),
        4,
        "three API views, one page view"
    );
}

fn zip_files(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).expect("entry");
            let mut out = Vec::new();
            f.read_to_end(&mut out).expect("read");
            (f.name().expect("name").into_owned(), out)
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w == needle.as_bytes())
}

#[test]
fn picked_quotes_appear_under_their_question_in_the_next_release_and_nowhere_in_csv_or_exports() {
    let app = TestApp::spawn();
    let key = organiser_key(&app, "maria");
    let org = OrgClient::log_in_existing(&app, "maria");
    let quotes_url = app.url("/api/v1/surveys/demo/quotes");
    let auth = [("Authorization", key.as_str())];
    answer_with_text(&app, 120, 0);

    // Only words someone gave can be picked.
    let made_up = json!({"question": "anything_else", "text": "words nobody wrote"});
    let (status, body) = post(&quotes_url, &made_up.to_string(), &auth);
    assert_eq!(status, 422, "{body}");

    let picked = words(7);
    let pick = json!({"question": "anything_else", "text": picked});
    let (status, body) = post(&quotes_url, &pick.to_string(), &auth);
    assert_eq!(status, 201, "{body}");
    // The workspace picks through its form, with the CSRF token of the free-text page.
    let second = words(42);
    let page = org.post(
        "/org/s/demo/free-text/anything_else",
        "/org/s/demo/quotes",
        &[
            ("question", "anything_else"),
            ("text", &second),
            ("do", "pick"),
        ],
    );
    assert_eq!(page.status, 303, "{}", page.html);
    assert!(org.get("/org/s/demo").html.contains(&second));
    assert_eq!(audited(&org, "pick quote"), 2);

    // A pick taken back through the API is not in the release.
    let third = json!({"question": "anything_else", "text": words(9)});
    assert_eq!(post(&quotes_url, &third.to_string(), &auth).0, 201);
    let taken_back = ureq::delete(&quotes_url)
        .set("Authorization", &key)
        .set("Content-Type", "application/json")
        .send_string(&third.to_string())
        .expect("take back");
    assert_eq!(taken_back.status(), 200);
    assert_eq!(audited(&org, "take back quote"), 1);

    // Nothing of a pick is readable on disk before it is published.
    for file in crate::helpers::all_files(&app.data_dir()) {
        let bytes = std::fs::read(&file).unwrap_or_default();
        assert!(
            !contains(&bytes, "says voice 7"),
            "{} holds a pick",
            file.display()
        );
    }

    let (status, body) = post(&app.url("/api/v1/surveys/demo/releases"), "", &auth);
    assert_eq!(status, 201, "{body}");
    let (_, release) = api_get(&app, "/api/v1/surveys/demo/releases/1", &key);
    let doc: Value = serde_json::from_str(&release).expect("json");
    let quotes = doc["quotes"].as_array().expect("quotes in the release");
    assert_eq!(quotes.len(), 1, "{release}");
    assert_eq!(quotes[0]["question"], "anything_else");
    let texts: BTreeSet<&str> = quotes[0]["texts"]
        .as_array()
        .expect("texts")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(texts, BTreeSet::from([picked.as_str(), second.as_str()]));
    // No other free text went into the release, and nothing is counted from it.
    assert!(!release.contains(&words(8)));
    assert!(!release.contains(&words(9)), "taken back");
    assert!(doc["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .all(|t| !t["variables"].to_string().contains("anything_else")));

    // The release pages list them; the CSV files never hold them.
    let page = org.get("/org/s/demo/releases/1");
    assert!(page.html.contains(&picked), "quotes on the release page");
    let csv = ureq::get(&app.url("/org/s/demo/releases/1/csv"))
        .set("Cookie", org.cookie.as_deref().expect("cookie"))
        .call()
        .expect("csv zip");
    let mut zip = Vec::new();
    csv.into_reader().read_to_end(&mut zip).expect("bytes");
    for (name, bytes) in zip_files(&zip) {
        assert!(!contains(&bytes, "says voice"), "{name} holds free text");
    }

    // The next release starts with no picks.
    let (_, pending) = api_get(&app, "/api/v1/surveys/demo/quotes", &key);
    assert_eq!(
        serde_json::from_str::<Value>(&pending).expect("json")["quotes"],
        json!([])
    );

    // An anonymised export of the closed survey holds no free text at all.
    let (ok, _, stderr) = app.cli(&["survey", "close", "demo"]);
    assert!(ok, "{stderr}");
    let out = app.dir.path().join("export.zip");
    let (ok, _, stderr) = app.cli(&["export", "demo", "--out", out.to_str().expect("path")]);
    assert!(ok, "{stderr}");
    let bundle = std::fs::read(&out).expect("bundle");
    for (name, bytes) in zip_files(&bundle) {
        assert!(!contains(&bytes, "says voice"), "{name} holds free text");
    }
}

#[test]
fn a_quote_picked_before_a_rekey_is_still_in_the_next_release() {
    let mut app = TestApp::spawn();
    let key = organiser_key(&app, "maria");
    answer_with_text(&app, 40, 0);
    let picked = words(5);
    let pick = json!({"question": "anything_else", "text": picked});
    let (status, body) = post(
        &app.url("/api/v1/surveys/demo/quotes"),
        &pick.to_string(),
        &[("Authorization", &key)],
    );
    assert_eq!(status, 201, "{body}");
    app.stop();
    let new_key = app.dir.path().join("new.key");
    let (ok, _, stderr) = app.cli(&["rekey", "--to-key-file", new_key.to_str().expect("path")]);
    assert!(ok, "{stderr}");
    std::fs::rename(&new_key, app.key_file()).expect("new key in the usual place");
    app.restart();
    let (status, body) = post(
        &app.url("/api/v1/surveys/demo/releases"),
        "",
        &[("Authorization", &key)],
    );
    assert_eq!(status, 201, "{body}");
    let (_, release) = api_get(&app, "/api/v1/surveys/demo/releases/1", &key);
    let doc: Value = serde_json::from_str(&release).expect("json");
    assert_eq!(doc["quotes"][0]["texts"], json!([picked]), "{release}");
}
