//! Per-site variants (`[variants.site.<site>]`): a card issued for a site shows that site's
//! options and texts on the pages, an option another site offers is refused when answers are
//! sent, and a release counts one merged variable holding every site's options.

use crate::forms::Page;
use crate::helpers::{post, TestApp};
use crate::org_client::{add_account, api_key};
use serde_json::{json, Value};

const SURVEY: &str = include_str!("../../surveys/outreach-sites.toml");
const ID: &str = "outreach-sites";

fn issue(app: &TestApp, site: &str, count: usize) -> Vec<String> {
    let tag = format!("site={site}");
    let n = count.to_string();
    let (ok, stdout, stderr) = app.cli(&["codes", "issue", ID, "--count", &n, "--tag", &tag]);
    assert!(ok, "{stderr}");
    stdout.lines().map(str::to_owned).collect()
}

fn first_page(app: &TestApp, code: &str) -> Page {
    let landing = Page::get(&app.url(&format!("/s/{ID}?code={code}")));
    landing.form(&format!("/s/{ID}/page")).go("start")
}

#[test]
fn a_card_issued_for_the_van_shows_the_vans_options_and_texts_and_its_answers_are_stored() {
    let app = TestApp::spawn();
    app.import(SURVEY);
    app.open_survey(ID);
    let van = issue(&app, "van", 1).remove(0);
    let page = first_page(&app, &van);
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(
        page.has("input[name=service][value=wound_care]"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("Wound care from the van"),
        "{}",
        page.html
    );
    assert!(
        !page.has("input[name=service][value=advice]"),
        "{}",
        page.html
    );
    assert!(
        !page.has("input[name=service][value=shower]"),
        "{}",
        page.html
    );
    assert!(
        page.html.contains("on the street or at home"),
        "{}",
        page.html
    );

    // A form altered to send the drop-in's option is refused on the page, which stays.
    let mut altered = page.form(&format!("/s/{ID}/page"));
    altered.set("service", "shower");
    let refused = altered.go("next");
    assert_eq!(refused.status, 422, "{}", refused.html);
    assert!(
        refused.has("input[name=service][value=wound_care]"),
        "{}",
        refused.html
    );

    // Turning the page keeps the site: it comes from the code's batch every time.
    let mut form = page.form(&format!("/s/{ID}/page"));
    form.set("service", "wound_care").set("main_drug", "heroin");
    let review = form.go("next");
    assert_eq!(review.status, 200, "{}", review.html);
    assert!(
        review.html.contains("Wound care from the van"),
        "{}",
        review.html
    );
    let thanks = review
        .form(&format!("/s/{ID}/page"))
        .press(None, Some(&format!("/s/{ID}/submit")));
    assert_eq!(thanks.status, 200, "{}", thanks.html);
    assert_eq!(thanks.h1(), "Thank you");
}

#[test]
fn each_site_and_an_untagged_card_see_their_own_option_lists() {
    let app = TestApp::spawn();
    app.import(SURVEY);
    app.open_survey(ID);
    let dropin = first_page(&app, &issue(&app, "dropin", 1).remove(0));
    assert!(
        dropin.has("input[name=service][value=shower]"),
        "{}",
        dropin.html
    );
    assert!(
        dropin.has("input[name=service][value=advice]"),
        "{}",
        dropin.html
    );
    assert!(
        !dropin.has("input[name=service][value=wound_care]"),
        "{}",
        dropin.html
    );
    assert!(
        dropin.has("input[name=main_drug][value=nitazenes]"),
        "{}",
        dropin.html
    );
    assert!(
        dropin.html.contains("Drop-in staff call it"),
        "{}",
        dropin.html
    );

    let pharmacy = first_page(&app, &issue(&app, "pharmacy", 1).remove(0));
    assert!(
        pharmacy.html.contains("What did you ask the pharmacist"),
        "{}",
        pharmacy.html
    );
    assert!(
        !pharmacy.has("input[name=service][value=advice]"),
        "{}",
        pharmacy.html
    );

    // A card from a batch without a site tag gets the questionnaire as declared: no site's
    // own options.
    let untagged = first_page(&app, &app.issue_codes(ID, 1).remove(0));
    assert!(
        untagged.has("input[name=service][value=advice]"),
        "{}",
        untagged.html
    );
    assert!(
        !untagged.has("input[name=service][value=wound_care]"),
        "{}",
        untagged.html
    );
    assert!(
        !untagged.has("input[name=service][value=shower]"),
        "{}",
        untagged.html
    );
    assert!(
        !untagged.has("input[name=main_drug][value=nitazenes]"),
        "{}",
        untagged.html
    );
}

#[test]
fn an_option_offered_only_at_another_site_is_refused_and_the_card_stays_usable() {
    let app = TestApp::spawn();
    app.import(SURVEY);
    app.open_survey(ID);
    let van = issue(&app, "van", 1).remove(0);
    let dropin = issue(&app, "dropin", 1).remove(0);
    let untagged = app.issue_codes(ID, 1).remove(0);
    for (code, service) in [
        (&van, "shower"),
        (&van, "advice"),
        (&dropin, "wound_care"),
        (&untagged, "wound_care"),
    ] {
        let (status, body) = app.submit(ID, code, &json!({"service": service}));
        assert_eq!(status, 422, "{service}: {body}");
        assert!(body.contains("service"), "{body}");
    }
    // Nothing was spent: the same cards send what their sites offer.
    for (code, service) in [
        (&van, "wound_care"),
        (&dropin, "shower"),
        (&untagged, "advice"),
    ] {
        let (status, body) = app.submit(ID, code, &json!({"service": service}));
        assert_eq!(status, 201, "{service}: {body}");
    }
}

#[test]
fn a_release_counts_one_variable_with_every_sites_options() {
    let app = TestApp::spawn();
    app.import(SURVEY);
    app.open_survey(ID);
    for code in issue(&app, "van", 40) {
        let (status, body) = app.submit(ID, &code, &json!({"service": "wound_care"}));
        assert_eq!(status, 201, "{body}");
    }
    add_account(&app, "maria", "organiser");
    let key = format!("Bearer {}", api_key(&app, "maria"));
    let (status, body) = post(
        &app.url(&format!("/api/v1/surveys/{ID}/releases")),
        "",
        &[("Authorization", &key)],
    );
    assert_eq!(status, 201, "{body}");
    let (_, body) =
        crate::helpers::api_get(&app, &format!("/api/v1/surveys/{ID}/releases/latest"), &key);
    let release: Value = serde_json::from_str(&body).expect("json");
    let service = release["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == "service")
        .expect("a table of the service question");
    let rows: Vec<&str> = service["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    for option in ["needles", "naloxone", "advice", "wound_care", "shower"] {
        assert!(rows.contains(&option), "{option} missing from {rows:?}");
    }
    let r = rows.iter().position(|id| *id == "wound_care").expect("row");
    let count = service["cells"][r][0]["count"].as_i64().expect("published");
    assert!((38..=42).contains(&count), "wound care {count}");
}

#[test]
fn a_kiosk_opened_for_the_pharmacy_shows_the_pharmacys_wording_from_its_first_page() {
    let app = TestApp::spawn();
    app.import(SURVEY);
    app.open_survey(ID);
    let (ok, stdout, stderr) = app.cli(&["kiosk", "open", ID, "--tag", "site=pharmacy"]);
    assert!(ok, "{stderr}");
    let link = stdout.trim();
    let path = &link[link.find("/k/").expect("a kiosk link")..];
    let start = Page::get(&app.url(path));
    assert_eq!(start.status, 200, "{}", start.html);
    let first = start.form("/start").press(None, None);
    assert_eq!(first.status, 200, "{}", first.html);
    assert!(
        first.html.contains("What did you ask the pharmacist"),
        "{}",
        first.html
    );
    assert!(
        !first.has("input[name=service][value=advice]"),
        "{}",
        first.html
    );
    let code = first.form("/page").value("_code").expect("code").to_owned();
    let (status, body) = app.submit(ID, &code, &json!({"service": "advice"}));
    assert_eq!(status, 422, "{body}");
    let (status, body) = app.submit(ID, &code, &json!({"service": "naloxone"}));
    assert_eq!(status, 201, "{body}");
}
