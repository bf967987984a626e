//! Results for the community at `/r/{survey}`: off by default and then the same 404 as an
//! unknown survey; on after the switch (API or workspace, audited) with the chosen tables,
//! charts and quotes, in the survey's languages, no script, the peer pages' headers and weight.

use crate::forms::compressed_get;
use crate::free_text::{answer_with_text, audited, organiser_key};
use crate::helpers::{api_get, get, post, TestApp};
use crate::org_client::OrgClient;
use serde_json::{json, Value};

const BUDGET: usize = 14 * 1024;

fn not_found_like_an_unknown_survey(app: &TestApp) {
    let unknown = get(&app.url("/r/no-such-survey"));
    assert_eq!(unknown.0, 404);
    assert_eq!(get(&app.url("/r/demo")), unknown, "indistinguishable");
    assert_eq!(get(&app.url("/r/demo?lang=es")), unknown);
}

#[test]
fn public_results_are_off_by_default_on_after_the_switch_and_off_again() {
    let app = TestApp::spawn();
    let key = organiser_key(&app, "maria");
    let org = OrgClient::log_in_existing(&app, "maria");
    let auth = [("Authorization", key.as_str())];
    let public_url = app.url("/api/v1/surveys/demo/public");
    answer_with_text(&app, 60, 0);
    // Quotes are picked from the words as at release 1, for release 2 (12 new responses).
    let (status, body) = post(&app.url("/api/v1/surveys/demo/releases"), "", &auth);
    assert_eq!(status, 201, "{body}");
    // Words read as at release 1 (a release may hold a few back, `src/release/text_floor.rs`).
    let (_, read) = api_get(&app, "/api/v1/surveys/demo/free-text/anything_else", &key);
    let read: Value = serde_json::from_str(&read).expect("json");
    let words: Vec<String> = read["answers"]
        .as_array()
        .expect("answers")
        .iter()
        .filter_map(|a| a.as_str().map(str::to_owned))
        .collect();
    let quoted = words[0].clone();
    // Words that are not also the start of the quoted ones ("… voice 1" is in "… voice 13").
    let not_quoted = words
        .iter()
        .find(|w| !quoted.contains(w.as_str()) && !w.contains(quoted.as_str()))
        .expect("other words")
        .clone();
    let pick = json!({"question": "anything_else", "text": quoted});
    let (status, body) = post(
        &app.url("/api/v1/surveys/demo/quotes"),
        &pick.to_string(),
        &auth,
    );
    assert_eq!(status, 201, "{body}");
    answer_with_text(&app, 12, 60);
    let (status, body) = post(&app.url("/api/v1/surveys/demo/releases"), "", &auth);
    assert_eq!(status, 201, "{body}");

    // Off by default, even with a release.
    not_found_like_an_unknown_survey(&app);
    let (_, setting) = api_get(&app, "/api/v1/surveys/demo/public", &key);
    assert_eq!(
        serde_json::from_str::<Value>(&setting).expect("json")["public"],
        false
    );
    // Only an organiser may switch it.
    assert_eq!(post(&public_url, r#"{"public": true}"#, &[]).0, 401);

    let (status, body) = post(&public_url, r#"{"public": true}"#, &auth);
    assert_eq!(status, 200, "{body}");
    let resp = ureq::get(&app.url("/r/demo")).call().expect("public page");
    assert_eq!(resp.status(), 200);
    for (header, value) in [
        ("content-security-policy", "frame-ancestors 'none'"),
        ("x-frame-options", "DENY"),
        ("x-content-type-options", "nosniff"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ] {
        let got = resp.header(header).unwrap_or_default().to_owned();
        assert!(got.contains(value), "{header}: {got}");
    }
    assert!(resp.header("set-cookie").is_none(), "no cookies");
    let html = resp.into_string().expect("html");
    assert!(!html.contains("<script"), "no JavaScript");
    assert!(
        !html.contains("&lt;10") && !html.contains("<10"),
        "never <10"
    );
    assert!(html.contains("hidden: not shown to protect the people who answered"));
    assert!(
        html.contains("adjusted slightly"),
        "the plain words about adjusted counts"
    );
    assert!(
        html.contains("<svg class=\"bars\""),
        "charts drawn on the server"
    );
    assert!(
        html.contains("hidden (not drawn)"),
        "a hidden count is a labelled gap"
    );
    assert!(html.contains(&quoted), "the quote");
    assert!(!html.contains(&not_quoted), "only picked words");
    assert!(html.contains("What is your gender?"), "questions as titles");

    // The page weight budget of the peer pages, with the stylesheet.
    let weight =
        compressed_get(&app.url("/r/demo")) + compressed_get(&app.url("/static/chorus.css"));
    println!("/r/demo: {weight} B compressed with its stylesheet");
    assert!(weight <= BUDGET, "/r/demo weighs {weight} bytes compressed");

    // In the survey's other language, with a language switch.
    let (status, spanish) = get(&app.url("/r/demo?lang=es"));
    assert_eq!(status, 200);
    assert!(spanish.contains("lang=\"es\""));
    assert!(spanish.contains("oculto"), "the legend in Spanish");
    assert!(
        spanish.contains("¿Cuál es tu género?"),
        "questions in Spanish"
    );
    assert!(spanish.contains("Mujer"), "answers in Spanish");
    assert!(
        spanish.contains("href=\"/r/demo?lang=en\""),
        "a way back to English"
    );

    // Fewer tables when the organiser chooses them.
    let (_, release) = api_get(&app, "/api/v1/surveys/demo/releases/latest", &key);
    let doc: Value = serde_json::from_str(&release).expect("json");
    let tables = doc["tables"].as_array().expect("tables");
    assert!(tables.len() > 1);
    let first_id = tables[0]["id"].as_str().expect("id").to_owned();
    let one = json!({"public": true, "tables": [first_id]});
    assert_eq!(post(&public_url, &one.to_string(), &auth).0, 200);
    let (_, fewer) = get(&app.url("/r/demo"));
    assert_eq!(fewer.matches("class=\"table-block\"").count(), 1, "{fewer}");

    // A table the survey cannot have is refused, naming it, and changes nothing: a typo would
    // have published a page with no tables. A breakdown no release shows yet is a table the
    // survey can have.
    let typo = json!({"public": true, "tables": [first_id, "gendr"]});
    let (status, said) = post(&public_url, &typo.to_string(), &auth);
    assert_eq!(status, 400, "{said}");
    assert!(said.contains("no table called 'gendr'"), "{said}");
    let (_, still) = get(&app.url("/r/demo"));
    assert_eq!(still, fewer, "unchanged");
    let pair = json!({"public": true, "tables": [first_id, "age__gender"]});
    assert_eq!(post(&public_url, &pair.to_string(), &auth).0, 200);

    // Switching off: the same 404 as an unknown survey again.
    assert_eq!(post(&public_url, r#"{"public": false}"#, &auth).0, 200);
    not_found_like_an_unknown_survey(&app);

    // The workspace switch does the same.
    let page = org.post("/org/s/demo", "/org/s/demo/public", &[("public", "on")]);
    assert_eq!(page.status, 303, "{}", page.html);
    assert_eq!(get(&app.url("/r/demo")).0, 200);
    let page = org.post("/org/s/demo", "/org/s/demo/public", &[("public", "off")]);
    assert_eq!(page.status, 303, "{}", page.html);
    not_found_like_an_unknown_survey(&app);

    // And the command line (through the running server).
    let (ok, _, said) = app.cli(&["release", "public", "demo", "--table", &first_id]);
    assert!(ok, "{said}");
    assert!(said.contains("/r/demo"), "{said}");
    let (_, one_table) = get(&app.url("/r/demo"));
    assert_eq!(one_table.matches("class=\"table-block\"").count(), 1);
    let (ok, _, said) = app.cli(&["release", "public", "demo", "--off"]);
    assert!(ok, "{said}");
    not_found_like_an_unknown_survey(&app);
    let (ok, _, said) = app.cli(&["release", "public", "no-such-survey"]);
    assert!(!ok && said.contains("no-such-survey"), "{said}");

    assert_eq!(audited(&org, "make results public"), 5);
    assert_eq!(audited(&org, "stop public results"), 3);
}

/// Closing with too few new responses publishes nothing new: the public page still says that
/// the release it shows is the final one.
#[test]
fn the_public_page_calls_the_last_release_final_once_the_survey_is_closed() {
    let app = TestApp::spawn();
    let key = organiser_key(&app, "maria");
    let auth = [("Authorization", key.as_str())];
    answer_with_text(&app, 60, 0);
    let (status, body) = post(&app.url("/api/v1/surveys/demo/releases"), "", &auth);
    assert_eq!(status, 201, "{body}");
    let public_url = app.url("/api/v1/surveys/demo/public");
    let (status, body) = post(&public_url, r#"{"public": true}"#, &auth);
    assert_eq!(status, 200, "{body}");
    let (_, open) = get(&app.url("/r/demo"));
    assert!(
        open.contains("Release 1") && !open.contains("· final"),
        "{open}"
    );
    answer_with_text(&app, 1, 60);
    let (ok, _, stderr) = app.cli(&["survey", "close", "demo"]);
    assert!(
        ok && stderr.contains("nothing new was published"),
        "{stderr}"
    );
    let (_, closed) = get(&app.url("/r/demo"));
    assert!(closed.contains("Release 1 · final"), "{closed}");
}

/// A switch that is neither on nor off, and a choice of no table at all, change nothing: the
/// first used to switch public results off, the second to publish a page with no table.
#[test]
fn a_switch_neither_on_nor_off_or_no_table_chosen_changes_nothing() {
    let app = TestApp::spawn();
    let key = organiser_key(&app, "maria");
    let org = OrgClient::log_in_existing(&app, "maria");
    answer_with_text(&app, 40, 0);
    let (status, body) = post(
        &app.url("/api/v1/surveys/demo/releases"),
        "",
        &[("Authorization", &key)],
    );
    assert_eq!(status, 201, "{body}");
    let auth = [
        ("Authorization", key.as_str()),
        ("Content-Type", "application/json"),
    ];
    let public_url = app.url("/api/v1/surveys/demo/public");
    assert_eq!(post(&public_url, r#"{"public": true}"#, &auth).0, 200);
    let (_, before) = get(&app.url("/r/demo"));
    let (status, said) = post(&public_url, r#"{"public": true, "tables": []}"#, &auth);
    assert_eq!(status, 400, "{said}");
    assert!(said.contains("choose at least one table"), "{said}");
    let page = org.post("/org/s/demo", "/org/s/demo/public", &[("public", "maybe")]);
    assert_eq!(page.status, 400, "{}", page.html);
    let page = org.post(
        "/org/s/demo",
        "/org/s/demo/public",
        &[("public", "on"), ("tables", "chosen")],
    );
    assert_eq!(page.status, 400, "{}", page.html);
    assert!(
        page.html
            .to_lowercase()
            .contains("choose at least one table"),
        "{}",
        page.html
    );
    let (status, after) = get(&app.url("/r/demo"));
    assert_eq!((status, after), (200, before), "still public, unchanged");
    assert_eq!(audited(&org, "make results public"), 1);
}

/// A question whose text names an earlier answer is shown to the community away from any one
/// response, as organisers read it: `{answer:…}` gives its fallback words, never the syntax.
#[test]
fn piped_question_texts_read_as_words_on_the_public_page() {
    const PIPED: &str = r#"
id = "piped"
title = "Use"
languages = ["en", "es"]

[[pages]]
title = { en = "Drugs", es = "Drogas" }
  [[pages.questions]]
  id = "main_drug"
  type = "single"
  role = "sensitive"
  required = true
  text = { en = "Which drug do you use most?", es = "¿Qué droga usas más?" }
  options = [ { id = "heroin", text = { en = "Heroin", es = "Heroína" } }, { id = "meth", text = { en = "Meth", es = "Metanfetamina" } } ]

[[pages]]
title = { en = "Use", es = "Uso" }
  [[pages.questions]]
  id = "route"
  type = "single"
  role = "sensitive"
  required = true
  text = { en = "How do you use {answer:main_drug|it}?", es = "¿Cómo usas {answer:main_drug|la droga}?" }
  options = [ { id = "smoke", text = { en = "Smoke", es = "Fumar" } }, { id = "inject", text = { en = "Inject", es = "Inyectar" } } ]
"#;
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    app.import(PIPED);
    app.open_survey("piped");
    let key = organiser_key(&app, "maria");
    let auth = [("Authorization", key.as_str())];
    for (i, code) in app.issue_codes("piped", 60).iter().enumerate() {
        let drug = if i % 3 == 0 { "meth" } else { "heroin" };
        let route = if i % 2 == 0 { "smoke" } else { "inject" };
        let answers = json!({ "main_drug": drug, "route": route });
        assert_eq!(app.submit("piped", code, &answers).0, 201);
    }
    let (status, body) = post(&app.url("/api/v1/surveys/piped/releases"), "", &auth);
    assert_eq!(status, 201, "{body}");
    let public = app.url("/api/v1/surveys/piped/public");
    let (status, body) = post(&public, r#"{"public": true}"#, &auth);
    assert_eq!(status, 200, "{body}");
    for (lang, words) in [("en", "How do you use it?"), ("es", "¿Cómo usas la droga?")] {
        let (status, html) = get(&app.url(&format!("/r/piped?lang={lang}")));
        assert_eq!(status, 200);
        assert!(!html.contains("{answer:"), "{lang}: {html}");
        assert!(html.contains(words), "{lang}: {html}");
    }
}

/// A breakdown that merges the rarest answers names that row in the reader's language, with
/// the answers' own words: "Autre (Sniffer, Je préfère ne pas répondre)" on the French page, not
/// the English "Other (Snort, Prefer not to say)" of the organisers' release.
#[test]
fn a_merged_row_is_named_in_the_reader_s_language() {
    const MERGING: &str = r#"
id = "merging"
title = { en = "Use", fr = "Consommation" }
languages = ["en", "fr"]

[[pages]]
title = { en = "Use", fr = "Consommation" }
  [[pages.questions]]
  id = "site"
  type = "single"
  role = "quasi"
  required = true
  dont_know = false
  prefer_not_to_say = false
  text = { en = "Where are you?", fr = "Où êtes-vous ?" }
  options = [ { id = "north", text = { en = "North", fr = "Nord" } }, { id = "south", text = { en = "South", fr = "Sud" } } ]
  [[pages.questions]]
  id = "route"
  type = "single"
  role = "sensitive"
  required = true
  dont_know = false
  text = { en = "How do you use?", fr = "Comment consommez-vous ?" }
  options = [ { id = "smoke", text = { en = "Smoke", fr = "Fumer" } }, { id = "inject", text = { en = "Inject", fr = "Injecter" } }, { id = "snort", text = { en = "Snort", fr = "Sniffer" } } ]
"#;
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    app.import(MERGING);
    app.open_survey("merging");
    let key = organiser_key(&app, "maria");
    let auth = [("Authorization", key.as_str())];
    let said = |site: &str, route: &str| json!({ "site": site, "route": route });
    let people = [
        (said("north", "smoke"), 20),
        (said("north", "inject"), 18),
        (said("north", "snort"), 7),
        (said("north", "prefer_not_to_say"), 3),
        (said("south", "smoke"), 19),
        (said("south", "inject"), 17),
        (said("south", "snort"), 6),
        (said("south", "prefer_not_to_say"), 4),
    ];
    app.answer_each("merging", &people);
    let (status, body) = post(&app.url("/api/v1/surveys/merging/releases"), "", &auth);
    assert_eq!(status, 201, "{body}");
    let (_, body) = api_get(&app, "/api/v1/surveys/merging/releases/latest", &key);
    let release: Value = serde_json::from_str(&body).expect("json");
    let table = release["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == "site__route")
        .unwrap_or_else(|| panic!("the breakdown is shown: {release:#}"));
    let merged: Vec<&Value> = ["rows", "columns"]
        .iter()
        .flat_map(|axis| table[axis].as_array().into_iter().flatten())
        .filter(|line| {
            line["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("merged-"))
        })
        .collect();
    assert!(!merged.is_empty(), "a row is merged: {table:#}");
    let french = |id: &str| match id {
        "smoke" => "Fumer",
        "inject" => "Injecter",
        "snort" => "Sniffer",
        "prefer_not_to_say" => "Je préfère ne pas répondre",
        other => panic!("an answer of the question: {other}"),
    };
    let public = app.url("/api/v1/surveys/merging/public");
    let (status, body) = post(&public, r#"{"public": true}"#, &auth);
    assert_eq!(status, 200, "{body}");
    let (status, html) = get(&app.url("/r/merging?lang=fr"));
    assert_eq!(status, 200);
    assert!(!html.contains("Other ("), "{html}");
    for line in merged {
        let words: Vec<&str> = (line["parts"].as_array().expect("parts").iter())
            .map(|p| french(p.as_str().expect("an id")))
            .collect();
        let label = format!("Autre ({})", words.join(", "));
        assert!(html.contains(&label), "{label}: {html}");
    }
}
