//! The participation oracle on surveys filled from the card's batch (`from_batch`, per-site
//! variants, `show_if` on the batch's field): a used card, a card never issued, another
//! survey's card and a mistyped code get the same answer, byte for byte, from every entry point
//! and whatever the answers — including answers valid at one card's site and not at another's,
//! which must not tell where a used card was handed out.

use crate::helpers::TestApp;
use serde_json::{json, Value};

const SITES: &str = include_str!("../../surveys/outreach-sites.toml");
const ID: &str = "outreach-sites";

/// Shows a question only to the van's cards, with no per-site variant.
const SHOWN: &str = r#"
id = "van-nurse"
title = "Van nurse"
[[pages]]
title = "Today"
  [[pages.questions]]
  id = "site"
  type = "single"
  role = "quasi"
  from_batch = true
  text = "Where the card was handed out"
  options = [ { id = "van", text = "Outreach van" }, { id = "dropin", text = "Drop-in" } ]

  [[pages.questions]]
  id = "nurse"
  type = "single"
  role = "plain"
  show_if = "site == 'van'"
  text = "Did the van's nurse see you?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
"#;

/// What a client can see of an answer: status, headers but the date, body; the code asked
/// about is written `CODE`, since a page may echo the code it was sent.
type Seen = (u16, Vec<(String, String)>, String);

fn seen(result: Result<ureq::Response, ureq::Error>, code: &str) -> Seen {
    let resp = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("transport error: {e}"),
    };
    let mut headers: Vec<(String, String)> = resp
        .headers_names()
        .into_iter()
        .filter(|h| h != "date")
        .map(|h| {
            let v = resp.all(&h).join(", ");
            (h, v)
        })
        .collect();
    headers.sort();
    let status = resp.status();
    let body = resp
        .into_string()
        .expect("utf-8 body")
        .replace(code, "CODE");
    (status, headers, body)
}

/// A server with both surveys open and no per-client limits in the way of many refusals.
fn app() -> TestApp {
    let app = TestApp::spawn_configured(
        &[],
        Some("code_entries_per_minute = 0\nsubmissions_per_minute = 0\n"),
    );
    app.import(SITES);
    app.open_survey(ID);
    app.import(SHOWN);
    app.open_survey("van-nurse");
    app
}

fn issue(app: &TestApp, survey: &str, tag: &str) -> String {
    let (ok, stdout, stderr) = app.cli(&["codes", "issue", survey, "--count", "1", "--tag", tag]);
    assert!(ok, "{stderr}");
    stdout.trim().to_owned()
}

/// A well-formed code that this server never issued: one from another installation.
fn never_issued() -> String {
    TestApp::spawn().issue_codes("demo", 1).remove(0)
}

/// Codes that can't be used on `survey`, by what they are; the used ones were spent with
/// answers valid at their own site.
struct Unusable {
    codes: Vec<(&'static str, String)>,
}

impl Unusable {
    /// The same answer for every one of them, which is returned.
    fn agree(&self, what: &str, ask: impl Fn(&str) -> Seen) -> Seen {
        let (first_kind, first_code) = &self.codes[0];
        let expected = ask(first_code);
        for (kind, code) in &self.codes[1..] {
            let got = ask(code);
            assert!(
                got == expected,
                "{what}: {kind} is answered differently from {first_kind}:\n{got:#?}\n---\n{expected:#?}"
            );
        }
        expected
    }
}

fn api(app: &TestApp, survey: &str, code: &str, answers: &Value) -> Seen {
    let body = json!({"code": code, "answers": answers}).to_string();
    let url = app.url(&format!("/api/v1/surveys/{survey}/responses"));
    seen(
        ureq::post(&url)
            .set("Content-Type", "application/json")
            .send_string(&body),
        code,
    )
}

fn form(app: &TestApp, path: &str, code: &str, fields: &[(&str, &str)]) -> Seen {
    let mut all = vec![("_code", code)];
    all.extend_from_slice(fields);
    seen(ureq::post(&app.url(path)).send_form(&all), code)
}

fn landing(app: &TestApp, survey: &str, code: &str) -> Seen {
    seen(
        ureq::get(&app.url(&format!("/s/{survey}")))
            .query("code", code)
            .call(),
        code,
    )
}

#[test]
fn on_a_survey_with_site_variants_used_and_unknown_codes_get_byte_identical_answers() {
    let app = app();
    let used_van = issue(&app, ID, "site=van");
    let used_dropin = issue(&app, ID, "site=dropin");
    let usable_van = issue(&app, ID, "site=van");
    let demo = app.issue_codes("demo", 1).remove(0);
    // Each spent with an option only its own site offers.
    assert_eq!(
        app.submit(ID, &used_van, &json!({"service": "wound_care"}))
            .0,
        201
    );
    assert_eq!(
        app.submit(ID, &used_dropin, &json!({"service": "shower"}))
            .0,
        201
    );
    let cards = Unusable {
        codes: vec![
            ("a used van card", used_van),
            ("a used drop-in card", used_dropin),
            ("a card never issued", never_issued()),
            ("another survey's card", demo.clone()),
            ("a mistyped code", "not a code at all".to_owned()),
        ],
    };

    // The JSON API: valid at the van only, at the drop-in only, everywhere but the van, at
    // no site, and nothing.
    for answers in [
        json!({"service": "wound_care"}),
        json!({"service": "shower"}),
        json!({"service": "advice"}),
        json!({"service": "needles", "main_drug": "nitazenes"}),
        json!({"service": "no_such_service"}),
        json!({"site": "van", "service": "needles"}),
        json!({}),
    ] {
        let answer = cards.agree(&format!("API {answers}"), |c| api(&app, ID, c, &answers));
        assert_eq!(answer.0, 409, "{answer:?}");
        assert!(answer.2.contains("code_unusable"), "{answer:?}");
    }

    // The peer pages, without JavaScript.
    let page = format!("/s/{ID}/page");
    let submit = format!("/s/{ID}/submit");
    let landing_answer = cards.agree("the QR link's landing", |c| landing(&app, ID, c));
    assert_eq!(landing_answer.0, 409);
    // The home page finds a code's survey: there, another survey's card is usable.
    let anywhere = Unusable {
        codes: cards
            .codes
            .iter()
            .filter(|(kind, _)| *kind != "another survey's card")
            .cloned()
            .collect(),
    };
    let home = anywhere.agree("the home page's code", |c| form(&app, "/start", c, &[]));
    assert_eq!(home.0, 409);
    let posts: &[(&str, &[(&str, &str)])] = &[
        (&page, &[("_go", "start")]),
        (&page, &[("_go", "lang-es")]),
        (
            &page,
            &[("_page", "0"), ("_go", "next"), ("service", "wound_care")],
        ),
        (
            &page,
            &[("_page", "0"), ("_go", "next"), ("service", "advice")],
        ),
        (
            &page,
            &[
                ("_page", "0"),
                ("_go", "lang-es"),
                ("service", "wound_care"),
            ],
        ),
        (&page, &[("_go", "review"), ("service", "shower")]),
        (&page, &[("_go", "back"), ("_page", "0")]),
        (&submit, &[("_lang", "en"), ("service", "wound_care")]),
        (&submit, &[("_lang", "en"), ("service", "advice")]),
        (&submit, &[("_lang", "es"), ("service", "shower")]),
        (&submit, &[]),
    ];
    for (path, fields) in posts {
        let answer = cards.agree(&format!("POST {path} {fields:?}"), |c| {
            form(&app, path, c, fields)
        });
        // Nothing of any site's own options comes back.
        for site_only in [
            "wound_care",
            "Wound care",
            "shower",
            "nitazenes",
            "pharmacist",
        ] {
            assert!(
                !answer.2.contains(site_only),
                "{path} {fields:?}: {answer:?}"
            );
        }
    }

    // Nothing above spent or changed anything: the unused cards still work, at their site.
    assert_eq!(
        app.submit(ID, &usable_van, &json!({"service": "wound_care"}))
            .0,
        201
    );
    assert_eq!(
        app.submit("demo", &demo, &crate::submissions::minimal_answers())
            .0,
        201
    );
}

#[test]
fn a_question_shown_only_to_one_sites_cards_says_nothing_about_a_used_card() {
    let app = app();
    let survey = "van-nurse";
    let used_van = issue(&app, survey, "site=van");
    let used_dropin = issue(&app, survey, "site=dropin");
    assert_eq!(
        app.submit(survey, &used_van, &json!({"nurse": "yes"})).0,
        201
    );
    assert_eq!(app.submit(survey, &used_dropin, &json!({})).0, 201);
    let cards = Unusable {
        codes: vec![
            ("a used van card", used_van),
            ("a used drop-in card", used_dropin),
            ("a card never issued", never_issued()),
        ],
    };
    // Answering the van's question is valid for a van card only: refused the same for all.
    for answers in [
        json!({"nurse": "yes"}),
        json!({"nurse": "maybe"}),
        json!({}),
    ] {
        let answer = cards.agree(&format!("API {answers}"), |c| {
            api(&app, survey, c, &answers)
        });
        assert_eq!(answer.0, 409, "{answer:?}");
    }
    let page = format!("/s/{survey}/page");
    let submit = format!("/s/{survey}/submit");
    for (path, fields) in [
        (&page, &[("_go", "start")][..]),
        (
            &page,
            &[("_page", "0"), ("_go", "next"), ("nurse", "yes")][..],
        ),
        (&submit, &[("nurse", "yes")][..]),
        (&submit, &[][..]),
    ] {
        let answer = cards.agree(&format!("POST {path} {fields:?}"), |c| {
            form(&app, path, c, fields)
        });
        assert!(!answer.2.contains("name=\"nurse\""), "{path}: {answer:?}");
    }
    // A usable van card is asked the van's question, and a usable drop-in card is not.
    let van = issue(&app, survey, "site=van");
    let first = crate::forms::Page::get(&app.url(&format!("/s/{survey}?code={van}")))
        .form(&page)
        .go("start");
    assert!(first.has("input[name=nurse]"), "{}", first.html);
}
