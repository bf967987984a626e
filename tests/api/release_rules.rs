//! The release rules as a dishonest organiser would test them: closing a survey one response
//! after a release, watching a batch of one card, and the honest organiser's side — at 100
//! responses every one-way count that is safe to show is shown, and no hidden count claims to
//! be small.

use std::collections::HashMap;

use crate::helpers::{api_get, TestApp};
use crate::org_client::{api_key, OrgClient};
use serde_json::{json, Value};

const GENDERS: [&str; 5] = ["woman", "man", "woman", "man", "non_binary"];
const AREAS: [&str; 4] = ["harbour", "old_town", "station", "old_town"];

/// `n` responses (answers numbered from `seed`); returns how many gave each gender and area.
fn answer(app: &TestApp, n: usize, seed: usize) -> HashMap<(&'static str, &'static str), u64> {
    let mut counts = HashMap::new();
    for (i, code) in app.issue_codes("demo", n).iter().enumerate() {
        let k = i + seed;
        let (gender, area) = (GENDERS[k % GENDERS.len()], AREAS[k % AREAS.len()]);
        *counts.entry(("gender", gender)).or_insert(0) += 1;
        *counts.entry(("area", area)).or_insert(0) += 1;
        let answers = json!({
            "consent": "yes",
            "age": 18 + (k * 7) % 60,
            "gender": gender,
            "area": area,
        });
        let (status, body) = app.submit("demo", code, &answers);
        assert_eq!(status, 201, "{body}");
    }
    counts
}

fn organiser_key(app: &TestApp) -> String {
    crate::org_client::add_account(app, "maria", "organiser");
    format!("Bearer {}", api_key(app, "maria"))
}

#[test]
fn closing_a_survey_one_response_after_a_release_publishes_nothing_new() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    answer(&app, 60, 0);
    let (ok, _, stderr) = app.cli(&["release", "publish", "demo"]);
    assert!(ok, "{stderr}");
    let (_, first) = api_get(&app, "/api/v1/surveys/demo/releases/1", &key);
    // One card, handed to one person, who answers; then the survey is closed.
    answer(&app, 1, 60);
    let (ok, _, stderr) = app.cli(&["survey", "close", "demo"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("nothing new was published"), "{stderr}");
    let (_, list) = api_get(&app, "/api/v1/surveys/demo/releases", &key);
    let list: Value = serde_json::from_str(&list).expect("json");
    assert_eq!(list["releases"], json!([1]));
    let (_, latest) = api_get(&app, "/api/v1/surveys/demo/releases/latest", &key);
    assert_eq!(latest, first, "the last release stands, byte for byte");
    // Release 1 stays the same bytes, so its document cannot say it became final: the list
    // says so, and so does every page that shows it.
    assert_eq!(list["final_release"], json!(1), "{list}");
    let org = OrgClient::log_in_existing(&app, "maria");
    let audit = org.get("/org/audit");
    assert!(audit.html.contains("release 1 is final"), "{}", audit.html);
    let page = org.get("/org/s/demo/releases/1");
    assert!(page.html.contains("Release 1 (final)"), "{}", page.html);
    let survey = org.get("/org/s/demo");
    assert!(
        survey.html.contains("Release 1</a> (final)"),
        "{}",
        survey.html
    );
    // And it offers no button that could only fail.
    assert!(
        survey.html.contains("release 1 is the final one"),
        "{}",
        survey.html
    );
    assert!(
        !survey.html.contains("Publish a new release"),
        "{}",
        survey.html
    );
}

/// A closed survey gets no new response, so asking it for a release says so — not "wait for
/// more responses", which can never come.
#[test]
fn publishing_a_closed_survey_says_it_is_closed_and_which_release_is_final() {
    let app = TestApp::spawn();
    answer(&app, 40, 0);
    assert!(app.cli(&["survey", "close", "demo"]).0);
    let (ok, _, said) = app.cli(&["release", "publish", "demo"]);
    assert!(!ok);
    assert!(
        said.contains("the survey is closed: release 1 is its final release"),
        "{said}"
    );
    let key = organiser_key(&app);
    let (status, body) = crate::helpers::post(
        &app.url("/api/v1/surveys/demo/releases"),
        "",
        &[("Authorization", &key)],
    );
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("release 1 is its final release"), "{body}");
}

#[test]
fn a_release_is_not_called_final_while_the_survey_is_open() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    answer(&app, 60, 0);
    let (ok, _, stderr) = app.cli(&["release", "publish", "demo"]);
    assert!(ok, "{stderr}");
    let (_, list) = api_get(&app, "/api/v1/surveys/demo/releases", &key);
    let list: Value = serde_json::from_str(&list).expect("json");
    assert_eq!(list["final_release"], Value::Null, "{list}");
    let org = OrgClient::log_in_existing(&app, "maria");
    let page = org.get("/org/s/demo/releases/1");
    assert!(!page.html.contains("(final)"), "{}", page.html);
}

#[test]
fn publishing_by_hand_needs_a_fifth_of_the_last_release_as_new_responses() {
    let app = TestApp::spawn();
    answer(&app, 100, 0);
    assert!(app.cli(&["release", "publish", "demo"]).0);
    // max(10, 20% of 100) = 20 new responses.
    answer(&app, 19, 100);
    let (ok, _, stderr) = app.cli(&["release", "publish", "demo"]);
    assert!(!ok);
    // The rule in words, not the number it comes to: ⌈20% of 100⌉ would give away that the
    // first release counted exactly 96 to 100 people, which its adjusted totals do not.
    assert!(
        stderr.contains(
            "at least 10 new responses, and at least 20% as many as the previous release counted"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("20 new responses"), "{stderr}");
    // The refusal is in the audit log, as asking again and again would be: without it, an
    // organiser who fabricated all but one of the new responses could keep asking unseen, and
    // the first success would tell when the last card was used.
    let org = OrgClient::log_in(&app, "rosa", "organiser");
    let log = org.get("/org/audit").html;
    let refused: Vec<&str> = log
        .split("<td>release refused</td>")
        .skip(1)
        .map(|after| after.split("</tr>").next().expect("row"))
        .collect();
    assert_eq!(refused.len(), 1, "{log}");
    assert!(
        refused[0].contains("too few new responses"),
        "{}",
        refused[0]
    );
    assert!(
        !refused[0]
            .split("<td>")
            .nth(2)
            .expect("detail")
            .chars()
            .any(|c| c.is_ascii_digit()),
        "no count in the entry: {}",
        refused[0]
    );
    answer(&app, 1, 119);
    assert!(app.cli(&["release", "publish", "demo"]).0);
}

#[test]
fn a_one_card_batch_reads_the_same_before_and_after_its_card_is_used() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let code = app.issue_codes("demo", 1).remove(0);
    let row = |html: &str| -> String {
        let at = html
            .find("<td>1</td><td>")
            .expect("the one-card batch's row");
        html[at..]
            .split("</tr>")
            .next()
            .unwrap_or_default()
            .to_owned()
    };
    let before = org.get("/org/s/demo");
    let (status, _) = app.submit("demo", &code, &json!({"consent": "yes"}));
    assert_eq!(status, 201);
    let after = org.get("/org/s/demo");
    assert_eq!(row(&before.html), row(&after.html));
    assert!(row(&after.html).contains("fewer than 10"));
    assert!(app.survey_list().contains("fewer than 10 responses"));
    assert!(!after.html.contains("1–9"));
}

#[test]
fn at_a_hundred_responses_every_safe_one_way_count_is_published_and_none_says_below_ten() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    let truth = answer(&app, 100, 0);
    assert!(app.cli(&["release", "publish", "demo"]).0);
    let (_, body) = api_get(&app, "/api/v1/surveys/demo/releases/1", &key);
    let doc: Value = serde_json::from_str(&body).expect("json");
    let mut checked = 0;
    for table in doc["tables"].as_array().expect("tables") {
        let vars = table["variables"].as_array().expect("variables");
        let [variable] = vars.as_slice() else {
            continue;
        };
        let variable = variable.as_str().expect("id");
        if variable != "gender" && variable != "area" {
            continue;
        }
        for (line, cells) in table["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .zip(table["cells"].as_array().expect("cells"))
        {
            let id = line["id"].as_str().expect("id");
            let n = truth
                .iter()
                .find(|((v, c), _)| *v == variable && *c == id)
                .map_or(0, |(_, n)| *n);
            if n >= 10 && 100 - n >= 10 {
                assert_eq!(cells[0]["suppressed"], false, "{variable} {id} ({n})");
                checked += 1;
            }
        }
    }
    assert!(checked >= 5, "checked {checked}");
    // Hidden numbers are `null` in JSON; no page or file claims one is below ten.
    assert!(!body.contains("<10"));
    let org = OrgClient::log_in_existing(&app, "maria");
    let page = org.get("/org/s/demo/releases/1");
    assert!(!page.html.contains("&lt;10") && !page.html.contains("<10"));
    let zip = ureq::get(&app.url("/org/s/demo/releases/1/csv"))
        .set("Cookie", org.cookie.as_deref().expect("cookie"))
        .call()
        .expect("zip");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut zip.into_reader(), &mut bytes).expect("bytes");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    for i in 0..archive.len() {
        let mut file = archive.by_index(i).expect("entry");
        let mut text = String::new();
        std::io::Read::read_to_string(&mut file, &mut text).expect("utf-8");
        assert!(!text.contains("<10"), "{:?}", file.name());
    }
}
