//! Free text for organisers, attacked as a curious organiser would: the words are read only as
//! they were at the latest release (a snapshot taken when it was published), so neither a count
//! of responses crossing `min_responses` nor one more person answering changes what reading
//! shows; shown detached (the words alone) in a fresh random order every view; every attempt to
//! read audited, refused ones too; quotes picked only from those words appear under their
//! question in the next release and nowhere in the CSV files or an export.

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

/// The words of a reading, and the release they are as at; nothing else is in the answer.
fn answers_of(body: &str) -> (u64, Vec<String>) {
    let v: Value = serde_json::from_str(body).expect("json");
    let object = v.as_object().expect("an object");
    let keys: BTreeSet<&str> = object.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        BTreeSet::from(["question", "release", "answers"]),
        "nothing but the question, the release and the words: {body}"
    );
    assert_eq!(v["question"], "anything_else");
    let words = v["answers"]
        .as_array()
        .expect("a list")
        .iter()
        .map(|a| {
            a.as_str()
                .expect("each answer is the words alone")
                .to_owned()
        })
        .collect();
    (v["release"].as_u64().expect("a release number"), words)
}

/// How many answers to a question asked of everyone release `number` may show: no more than its
/// tables say at least were asked it — the largest one-way total less the largest adjustment
/// (2), never below the threshold.
fn allowed(app: &TestApp, key: &str, survey: &str, number: u32, threshold: u64) -> usize {
    let (status, body) = api_get(
        app,
        &format!("/api/v1/surveys/{survey}/releases/{number}"),
        key,
    );
    assert_eq!(status, 200, "{body}");
    let document: Value = serde_json::from_str(&body).expect("json");
    let floor = document["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .filter(|t| t["variables"].as_array().is_some_and(|v| v.len() == 1))
        .filter_map(|t| {
            let at = t["rows"]
                .as_array()?
                .iter()
                .position(|r| r["id"] == "total")?;
            t["cells"][at][0]["count"].as_u64()
        })
        .filter(|&c| c > 0)
        .map(|c| c.saturating_sub(2).max(threshold))
        .max()
        .unwrap_or(0);
    usize::try_from(floor).expect("small")
}

/// Whether every word of `part` is in `of`, as many times.
fn within(part: &[String], of: &[String]) -> bool {
    let mut left = of.to_vec();
    part.iter().all(|t| match left.iter().position(|x| x == t) {
        Some(at) => {
            left.swap_remove(at);
            true
        }
        None => false,
    })
}

fn sorted(mut words: Vec<String>) -> Vec<String> {
    words.sort();
    words
}

/// The detail column of every audit entry for `action`, newest first.
fn audit_details(org: &OrgClient, action: &str) -> Vec<String> {
    let html = org.get("/org/audit").html;
    let cell = format!("<td>{action}</td>");
    html.split(cell.as_str())
        .skip(1)
        .map(|after| {
            // Survey, then detail.
            let cells: Vec<&str> = after.split("<td>").skip(1).take(2).collect();
            cells[1].split("</td>").next().expect("cell").to_owned()
        })
        .collect()
}

fn publish(app: &TestApp, key: &str) {
    let (status, body) = post(
        &app.url("/api/v1/surveys/demo/releases"),
        "",
        &[("Authorization", key)],
    );
    assert_eq!(status, 201, "{body}");
}

/// The participation oracle: an organiser fabricates all but one of the responses free text
/// once waited for, hands the last card to one person and keeps asking. The answer must not
/// change when that person answers, and every asking is in the audit log.
#[test]
fn free_text_stays_refused_until_a_release_however_many_answer_and_each_refusal_is_audited() {
    let app = TestApp::spawn();
    let key = organiser_key(&app, "maria");
    let org = OrgClient::log_in_existing(&app, "maria");
    answer_with_text(&app, 29, 0);

    let (status, before) = api_get(&app, FREE_TEXT, &key);
    assert_eq!(status, 409, "{before}");
    let error: Value = serde_json::from_str(&before).expect("json error");
    assert_eq!(error["error"], "conflict");
    let message = error["message"].as_str().expect("message");
    assert!(
        message.contains("once the survey has a release")
            && message.contains("as they were at the latest release"),
        "{message}"
    );
    assert!(
        !before.contains("voice"),
        "no answer in a refusal: {before}"
    );
    let page_before = org.get("/org/s/demo/free-text/anything_else");
    assert_eq!(page_before.status, 409, "{}", page_before.html);
    assert!(page_before
        .html
        .contains("Free-text answers can be read once the survey has a release"));

    // The one person answers: the 30th response, enough for the old gate.
    let (status, body) = app.submit(
        "demo",
        &app.issue_codes("demo", 1)[0],
        &json!({"consent": "yes", "anything_else": "THE-NAMED-PERSON says hello"}),
    );
    assert_eq!(status, 201, "{body}");
    let (status, after) = api_get(&app, FREE_TEXT, &key);
    assert_eq!(
        (status, &after),
        (409, &before),
        "one more answer changes nothing"
    );
    let page_after = org.get("/org/s/demo/free-text/anything_else");
    assert_eq!(page_after.status, 409);
    assert!(!page_after.html.contains("THE-NAMED-PERSON"));
    // Many more change nothing either: only a release does.
    answer_with_text(&app, 20, 29);
    let (status, later) = api_get(&app, FREE_TEXT, &key);
    assert_eq!((status, &later), (409, &before));

    // Every refused attempt is in the audit log, with the question and why, and no count.
    let details = audit_details(&org, "read free text");
    assert_eq!(
        details.len(),
        5,
        "three API readings, two pages: {details:?}"
    );
    for detail in &details {
        assert!(
            detail.starts_with("question anything_else, refused: no release yet"),
            "{detail}"
        );
        assert!(
            !detail.chars().any(|c| c.is_ascii_digit()),
            "no number in a refusal's entry: {detail}"
        );
    }

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
    // The researcher's attempt is in the audit log too, as every refused reading is; so is a
    // staff session's in the workspace.
    let details = audit_details(&org, "read free text");
    assert_eq!(details.len(), 6, "{details:?}");
    assert_eq!(
        details[0],
        "question anything_else, refused: not an organiser (API)"
    );
    let staff = OrgClient::log_in(&app, "sam", "staff");
    assert_eq!(staff.get("/org/s/demo/free-text/anything_else").status, 403);
    let details = audit_details(&org, "read free text");
    assert_eq!(details.len(), 7, "{details:?}");
    assert_eq!(
        details[0],
        "question anything_else, refused: not an organiser (workspace)"
    );

    // Only free-text questions have free text; asking about others is refused and audited too.
    let (status, _) = api_get(&app, "/api/v1/surveys/demo/free-text/age", &key);
    assert_eq!(status, 404);
    let (status, _) = api_get(&app, "/api/v1/surveys/nope/free-text/anything_else", &key);
    assert_eq!(status, 404);
    let details = audit_details(&org, "read free text");
    assert_eq!(details.len(), 9, "{details:?}");
    assert!(details[1].contains("refused: not a free-text question"));
    assert!(details[0].contains("refused: no such survey"));
}

/// Differencing: read, let one person answer with distinctive words, read again. The two
/// readings hold the same words; the new ones appear only with the next release, which needs
/// max(T, 20% of the last release) new responses.
#[test]
fn free_text_is_shown_as_at_the_latest_release_so_a_new_answer_changes_nothing_until_the_next() {
    let app = TestApp::spawn();
    let key = organiser_key(&app, "maria");
    let org = OrgClient::log_in_existing(&app, "maria");
    answer_with_text(&app, 40, 0);
    publish(&app, &key);

    let (status, first) = api_get(&app, FREE_TEXT, &key);
    assert_eq!(status, 200, "{first}");
    let (release, first) = answers_of(&first);
    assert_eq!(release, 1);
    let given: Vec<String> = (0..40).map(words).collect();
    assert!(
        within(&first, &given),
        "exactly the words given, nothing attached"
    );
    assert_eq!(
        first.len(),
        allowed(&app, &key, "demo", 1, 10).min(40),
        "as many as the release says at least were asked"
    );
    let expected = sorted(first.clone());
    // A fresh random order on each view: two orders of 40 agree by chance once in 40!.
    let (_, second) = api_get(&app, FREE_TEXT, &key);
    let (_, second) = answers_of(&second);
    assert_ne!(first, second, "the order changes between views");

    // One person answers with words of their own.
    let target = "TARGET-PERSON: the outreach van never stops on my street";
    let (status, body) = app.submit(
        "demo",
        &app.issue_codes("demo", 1)[0],
        &json!({"consent": "yes", "anything_else": target}),
    );
    assert_eq!(status, 201, "{body}");
    for _ in 0..3 {
        let (status, again) = api_get(&app, FREE_TEXT, &key);
        assert_eq!(status, 200);
        let (release, again) = answers_of(&again);
        assert_eq!(release, 1);
        assert_eq!(
            sorted(again),
            expected,
            "the same words as before they answered"
        );
    }
    let page = org.get("/org/s/demo/free-text/anything_else");
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(!page.html.contains("TARGET-PERSON"));
    assert!(
        page.html.contains("as they were at release 1"),
        "the page says which release the words are from"
    );
    assert!(page.html.contains("publish a new release"));
    for w in &expected {
        assert!(page.html.contains(w.as_str()), "{w} on the page");
    }
    for leaked in ["harbour", "old_town", "Harbour", "heroin", "Heroin"] {
        assert!(
            !page.html.contains(leaked),
            "no other answer beside the free text: {leaked}"
        );
    }
    // Nor can the target's words be found by trying to quote them.
    let (status, _) = post(
        &app.url("/api/v1/surveys/demo/quotes"),
        &json!({"question": "anything_else", "text": target}).to_string(),
        &[("Authorization", &key)],
    );
    assert_eq!(status, 422, "words not shown cannot be picked");

    // The next release needs 10 new responses (T, more than 20% of 40): not yet.
    answer_with_text(&app, 8, 40);
    let (status, _) = post(
        &app.url("/api/v1/surveys/demo/releases"),
        "",
        &[("Authorization", &key)],
    );
    assert_eq!(status, 409);
    let (_, still) = api_get(&app, FREE_TEXT, &key);
    assert_eq!(sorted(answers_of(&still).1), expected);
    answer_with_text(&app, 1, 48);
    publish(&app, &key);
    let (_, now) = api_get(&app, FREE_TEXT, &key);
    let (release, now) = answers_of(&now);
    assert_eq!(release, 2);
    let mut with_them: Vec<String> = (0..49).map(words).collect();
    with_them.push(target.to_owned());
    assert!(within(&now, &with_them), "as at release 2");
    assert!(
        within(&expected, &now),
        "what was read at release 1 is read again, so both readings together show no more"
    );
    assert_eq!(
        now.len(),
        expected
            .len()
            .max(allowed(&app, &key, "demo", 2, 10).min(50))
    );

    // Every view is audited with its release, never a count.
    let details = audit_details(&org, "read free text");
    assert_eq!(details.len(), 8, "{details:?}");
    assert_eq!(details[0], "question anything_else, as at release 2 (API)");
    assert!(details
        .iter()
        .any(|d| d == "question anything_else, as at release 1 (workspace)"));
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
    // 144 submissions from one test client: past the default rate limit.
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    let key = organiser_key(&app, "maria");
    let org = OrgClient::log_in_existing(&app, "maria");
    let quotes_url = app.url("/api/v1/surveys/demo/quotes");
    let auth = [("Authorization", key.as_str())];
    answer_with_text(&app, 120, 0);
    // Nothing to pick from before a release: the words are read as at the latest release.
    let early = json!({"question": "anything_else", "text": words(7)});
    let (status, body) = post(&quotes_url, &early.to_string(), &auth);
    assert_eq!(status, 409, "{body}");
    publish(&app, &key);
    // Words that arrived after release 1 are not shown, so they cannot be picked either.
    answer_with_text(&app, 24, 120);
    let late = json!({"question": "anything_else", "text": words(130)});
    let (status, body) = post(&quotes_url, &late.to_string(), &auth);
    assert_eq!(status, 422, "{body}");

    // Only words someone gave can be picked: words read as at release 1 (a release may hold a
    // few back, `src/release/text_floor.rs`).
    let (_, readable) = api_get(&app, FREE_TEXT, &key);
    let readable = sorted(answers_of(&readable).1);
    assert!(readable.len() >= 100, "{}", readable.len());
    let picked = readable[0].clone();
    let pick = json!({"question": "anything_else", "text": picked});
    let (status, body) = post(&quotes_url, &pick.to_string(), &auth);
    assert_eq!(status, 201, "{body}");
    // The workspace picks through its form, with the CSRF token of the free-text page.
    let second = readable[1].clone();
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
    let third = json!({"question": "anything_else", "text": readable[2]});
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
            !contains(&bytes, &picked),
            "{} holds a pick",
            file.display()
        );
    }

    // Release 2 (24 new responses: 20% of release 1's 120) lists them.
    publish(&app, &key);
    let (_, release) = api_get(&app, "/api/v1/surveys/demo/releases/2", &key);
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
    // (Compared as whole JSON strings: "… voice 1" is inside "… voice 13".)
    assert!(!release.contains(&format!("\"{}\"", readable[3])));
    assert!(
        !release.contains(&format!("\"{}\"", readable[2])),
        "taken back"
    );
    assert!(doc["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .all(|t| !t["variables"].to_string().contains("anything_else")));

    // The release pages list them; the CSV files never hold them.
    let page = org.get("/org/s/demo/releases/2");
    assert!(page.html.contains(&picked), "quotes on the release page");
    let csv = ureq::get(&app.url("/org/s/demo/releases/2/csv"))
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
fn a_quote_picked_before_a_rekey_is_still_in_the_next_release_and_the_words_read_the_same() {
    let mut app = TestApp::spawn();
    let key = organiser_key(&app, "maria");
    answer_with_text(&app, 40, 0);
    publish(&app, &key);
    let (_, before) = api_get(&app, FREE_TEXT, &key);
    let before = sorted(answers_of(&before).1);
    let picked = before[0].clone();
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
    // The release's snapshot was sealed again under the new key: the same words.
    let (status, after) = api_get(&app, FREE_TEXT, &key);
    assert_eq!(status, 200, "{after}");
    let (release, after) = answers_of(&after);
    assert_eq!((release, sorted(after)), (1, before));
    answer_with_text(&app, 10, 40);
    publish(&app, &key);
    let (_, release) = api_get(&app, "/api/v1/surveys/demo/releases/2", &key);
    let doc: Value = serde_json::from_str(&release).expect("json");
    assert_eq!(doc["quotes"][0]["texts"], json!([picked]), "{release}");
    // A release's quotes are sealed with the survey's key on disk: a second rekey reseals them,
    // and the release is served byte for byte as before.
    app.stop();
    let (ok, _, stderr) = app.cli(&["rekey", "--to-key-file", new_key.to_str().expect("path")]);
    assert!(ok, "{stderr}");
    std::fs::rename(&new_key, app.key_file()).expect("new key in the usual place");
    app.restart();
    let (status, again) = api_get(&app, "/api/v1/surveys/demo/releases/2", &key);
    assert_eq!(status, 200);
    assert_eq!(again, release);
}

/// A list of answers is a count. A question asked only after one answer of another, and that
/// must be answered, has exactly as many answers as that answer has people: read whole, it gave
/// away a count the release hid as too small (an outside review found a hidden 4 "yes, I shared
/// needles" as a list of 4 reasons). A reading holds no more answers than the release's tables
/// say were asked the question — none while that count is hidden — and what was read once is
/// read again, so readings of several releases never show more than the latest allows.
#[test]
fn a_list_of_answers_never_counts_people_a_release_hides() {
    let app = TestApp::spawn();
    app.import(
        r#"
id = "sharing"
title = "Sharing"
threshold = 10
min_responses = 30
[[pages]]
title = "Use"
  [[pages.questions]]
  id = "inject"
  type = "single"
  role = "sensitive"
  text = "Did you inject?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
  [[pages.questions]]
  id = "share"
  type = "single"
  role = "sensitive"
  show_if = "inject == 'yes'"
  text = "Did you share needles?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
  [[pages.questions]]
  id = "why_share"
  type = "text"
  role = "free_text"
  required = true
  dont_know = false
  prefer_not_to_say = false
  show_if = "share == 'yes'"
  text = "Why did you share?"
"#,
    );
    app.open_survey("sharing");
    let key = organiser_key(&app, "maria");
    let answer = |n: usize, share: &str, tag: &str| {
        for (i, code) in app.issue_codes("sharing", n).iter().enumerate() {
            let mut answers = json!({"inject": "yes", "share": share});
            if share == "yes" {
                answers["why_share"] = json!(format!("{tag} reason {i}"));
            }
            let (status, body) = app.submit("sharing", code, &answers);
            assert_eq!(status, 201, "{body}");
        }
    };
    answer(4, "yes", "FEW");
    answer(24, "no", "");
    for code in app.issue_codes("sharing", 12) {
        let (status, body) = app.submit("sharing", &code, &json!({"inject": "no"}));
        assert_eq!(status, 201, "{body}");
    }
    let publish = |number: u32| {
        let (status, body) = post(
            &app.url("/api/v1/surveys/sharing/releases"),
            "",
            &[("Authorization", &key)],
        );
        assert_eq!(status, 201, "{body}");
        let (_, body) = api_get(
            &app,
            &format!("/api/v1/surveys/sharing/releases/{number}"),
            &key,
        );
        serde_json::from_str::<Value>(&body).expect("json")
    };
    let shared = |document: &Value| -> Option<u64> {
        let table = document["tables"]
            .as_array()
            .expect("tables")
            .iter()
            .find(|t| t["id"] == "share")?;
        let at = table["rows"]
            .as_array()?
            .iter()
            .position(|r| r["id"] == "yes")?;
        table["cells"][at][0]["count"].as_u64()
    };
    let read = || {
        let (status, body) = api_get(&app, "/api/v1/surveys/sharing/free-text/why_share", &key);
        assert_eq!(status, 200, "{body}");
        let v: Value = serde_json::from_str(&body).expect("json");
        v["answers"]
            .as_array()
            .expect("answers")
            .iter()
            .map(|a| a.as_str().expect("words").to_owned())
            .collect::<Vec<String>>()
    };

    let first = publish(1);
    assert_eq!(shared(&first), None, "4 who shared: hidden in the release");
    assert!(
        read().is_empty(),
        "no reason is shown while how many shared is hidden"
    );

    // Twenty more share: the count is shown now, and the reasons up to what it says.
    answer(20, "yes", "MORE");
    let second = publish(2);
    let shown = shared(&second).expect("24 who shared: shown");
    let reasons = read();
    let floor = usize::try_from(shown.saturating_sub(2).max(10)).expect("small");
    assert_eq!(reasons.len(), floor.min(24), "shown {shown}: {reasons:?}");
    assert!(reasons
        .iter()
        .all(|r| r.starts_with("FEW reason") || r.starts_with("MORE reason")));
    // The page says why some may wait, and what a quote of this question tells.
    let org = OrgClient::log_in_existing(&app, "maria");
    let page = org.get("/org/s/sharing/free-text/why_share");
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("at most as many answers to a question"));
    assert!(page.html.contains("share == &#x27;yes&#x27;") || page.html.contains("share == 'yes'"));

    // Twelve more (a fifth of 60): the reasons read at release 2 are all read again.
    answer(12, "yes", "LATER");
    publish(3);
    let later = read();
    assert!(within(&reasons, &later), "{reasons:?} then {later:?}");
}

/// A closed survey gets no next release: a quote picked then could never be published, so the
/// API refuses it (409, nothing audited as picked) and the page offers no button.
#[test]
fn nothing_can_be_quoted_once_the_survey_is_closed() {
    let app = TestApp::spawn();
    let key = organiser_key(&app, "maria");
    let org = OrgClient::log_in_existing(&app, "maria");
    answer_with_text(&app, 40, 0);
    publish(&app, &key);
    let (_, body) = api_get(&app, FREE_TEXT, &key);
    let (_, words_read) = answers_of(&body);
    let some = words_read.first().expect("words to read").clone();
    assert!(app.cli(&["survey", "close", "demo"]).0);
    let (status, body) = post(
        &app.url("/api/v1/surveys/demo/quotes"),
        &json!({"question": "anything_else", "text": some}).to_string(),
        &[
            ("Authorization", &key),
            ("Content-Type", "application/json"),
        ],
    );
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("the survey is closed"), "{body}");
    assert_eq!(audited(&org, "pick quote"), 0);
    let page = org.get("/org/s/demo/free-text/anything_else");
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(
        !page.html.contains("Quote in the next release"),
        "{}",
        page.html
    );
    assert!(page.html.contains("nothing more can be quoted"));
}
