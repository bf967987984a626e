//! Paper questionnaires: staff type the card code printed on the paper and copy its answers into
//! the survey's own pages; the response is stored exactly like one given on a phone (the export
//! cannot tell them apart), a used code changes nothing, and the audit log counts entries
//! without naming a code.

use crate::forms::{Form, Page};
use crate::helpers::TestApp;
use crate::org_client::OrgClient;
use std::io::Read;

const SURVEY: &str = include_str!("../../surveys/paid-peer-survey.toml");
const ID: &str = "paid-peer-survey";

/// Two different people's answers: (consent, age, witnessed, carries).
const A: [&str; 4] = ["yes", "41", "no", "always"];
const B: [&str; 4] = ["yes", "38", "yes", "never"];

fn app() -> TestApp {
    let app = TestApp::spawn_configured(
        &[],
        Some("code_entries_per_minute = 0\nsubmissions_per_minute = 0\n"),
    );
    app.import(SURVEY);
    app.open_survey(ID);
    app
}

fn fill_second_page(form: &mut Form, answers: [&str; 4]) {
    form.set("age", answers[1])
        .set("witnessed", answers[2])
        .set("carries", answers[3]);
}

/// A peer answering on their phone, JavaScript off.
fn answer_on_phone(app: &TestApp, code: &str, answers: [&str; 4]) {
    let landing = Page::get(&app.url(&format!("/s/{ID}?code={code}")));
    let first = landing.form("/page").go("start");
    let mut form = first.form("/page");
    form.set("consent", answers[0]);
    let second = form.go("next");
    let mut form = second.form("/page");
    fill_second_page(&mut form, answers);
    let review = form.go("next");
    let thanks = review
        .form("/page")
        .press(None, Some(&format!("/s/{ID}/submit")));
    assert_eq!(thanks.status, 200, "{}", thanks.html);
    assert!(thanks.has(".voucher-code"));
}

/// Presses a button of a data-entry page as the logged-in staff member's browser does.
fn press(staff: &OrgClient, form: &Form, go: Option<&str>, action: Option<&str>) -> Page {
    let mut fields: Vec<(&str, &str)> = form
        .fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    if let Some(go) = go {
        fields.push(("_go", go));
    }
    staff.post_raw(action.unwrap_or(&form.action), &fields)
}

/// Staff copying a paper questionnaire into the data-entry view.
fn enter_on_paper(staff: &OrgClient, code: &str, answers: [&str; 4]) -> Page {
    let first = staff.post("/org/entry", "/org/entry", &[("_code", code)]);
    assert_eq!(first.status, 200, "{}", first.html);
    assert!(first.form("/page").action.starts_with("/org/entry/"));
    let mut form = first.form("/page");
    form.set("consent", answers[0]);
    let second = press(staff, &form, Some("next"), None);
    let mut form = second.form("/page");
    fill_second_page(&mut form, answers);
    let review = press(staff, &form, Some("next"), None);
    assert!(review.html.contains(answers[1]), "{}", review.html);
    press(
        staff,
        &review.form("/page"),
        None,
        Some(&format!("/org/entry/{ID}/submit")),
    )
}

#[test]
fn a_paper_questionnaire_entered_by_staff_is_stored_and_exported_exactly_like_a_phone_answer() {
    let app = app();
    let codes = app.issue_codes(ID, 24);
    let staff = OrgClient::log_in(&app, "sam", "staff");
    for (i, code) in codes.iter().enumerate() {
        let answers = if i % 2 == 0 { A } else { B };
        if i < 12 {
            answer_on_phone(&app, code, answers);
        } else {
            let saved = enter_on_paper(&staff, code, answers);
            assert_eq!(saved.status, 200, "{}", saved.html);
            assert!(saved.has(".voucher-code"), "{}", saved.html);
        }
    }
    assert!(app.cli(&["survey", "close", ID]).0);
    let out = app.dir.path().join("export.zip");
    let (ok, _, stderr) = app.cli(&["export", ID, "--out", out.to_str().expect("path")]);
    assert!(ok, "{stderr}");
    let mut archive =
        zip::ZipArchive::new(std::io::Cursor::new(std::fs::read(&out).expect("zip"))).expect("zip");
    let mut data = String::new();
    archive
        .by_name("data.csv")
        .expect("data.csv")
        .read_to_string(&mut data)
        .expect("utf-8");
    let mut reader = csv::Reader::from_reader(data.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    // Nothing in the data says how an answer was given.
    assert!(
        header
            .iter()
            .all(|h| !h.contains("paper") && !h.contains("source") && !h.contains("entry")),
        "{header:?}"
    );
    // Every row but its fresh id: the twelve phone and twelve paper answers make exactly two
    // kinds of row, twelve of each.
    let mut rows: std::collections::BTreeMap<Vec<String>, usize> = Default::default();
    for record in reader.records() {
        let record = record.expect("row");
        let row: Vec<String> = record.iter().skip(1).map(str::to_owned).collect();
        *rows.entry(row).or_default() += 1;
    }
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert!(rows.values().all(|&n| n == 12), "{rows:?}");
}

#[test]
fn a_used_or_mistyped_code_is_refused_at_paper_entry_and_changes_nothing() {
    let app = app();
    let codes = app.issue_codes(ID, 2);
    let staff = OrgClient::log_in(&app, "sam", "staff");
    assert_eq!(enter_on_paper(&staff, &codes[0], A).status, 200);
    for typed in [codes[0].as_str(), "7KQ2-MX9D-4TRA-V"] {
        let refused = staff.post("/org/entry", "/org/entry", &[("_code", typed)]);
        assert_eq!(refused.status, 409, "{}", refused.html);
        assert!(refused.html.contains("used already"), "{}", refused.html);
    }
    // The other card still works, on a phone.
    answer_on_phone(&app, &codes[1], B);
}

#[test]
fn the_audit_log_counts_paper_entries_and_never_names_a_code() {
    let app = app();
    let codes = app.issue_codes(ID, 2);
    let staff = OrgClient::log_in(&app, "sam", "staff");
    for code in &codes {
        assert_eq!(enter_on_paper(&staff, code, A).status, 200);
    }
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let audit = org.get("/org/audit");
    assert_eq!(
        audit.html.matches("enter paper questionnaire").count(),
        2,
        "{}",
        audit.html
    );
    for code in &codes {
        assert!(!audit.html.contains(code.as_str()));
        assert!(!audit.html.contains(&code.replace('-', "")));
    }
}

#[test]
fn paper_entry_needs_a_staff_or_organiser_login_and_its_form_token() {
    let app = app();
    let code = app.issue_codes(ID, 1).remove(0);
    let anonymous = OrgClient::anonymous(&app);
    assert_eq!(anonymous.get("/org/entry").status, 303);
    assert_eq!(
        anonymous.post_raw("/org/entry", &[("_code", &code)]).status,
        303
    );
    let staff = OrgClient::log_in(&app, "sam", "staff");
    let form = staff.get("/org/entry");
    assert_eq!(form.status, 200);
    // Staff type the paper's code, not their own.
    assert!(
        form.html.contains("The code on the paper questionnaire"),
        "{}",
        form.html
    );
    assert!(!form.html.contains("Your code"), "{}", form.html);
    let forged = staff.post_raw("/org/entry", &[("_code", &code)]);
    assert_eq!(forged.status, 403, "{}", forged.html);
    let researcher = OrgClient::log_in(&app, "rita", "researcher");
    assert_eq!(researcher.get("/org/entry").status, 403);
    // Nothing was spent: the card still works.
    answer_on_phone(&app, &code, A);
}

#[test]
fn a_paper_questionnaire_from_the_vans_cards_is_entered_on_the_vans_own_pages() {
    let app = app();
    app.import(include_str!("../../surveys/outreach-sites.toml"));
    app.open_survey("outreach-sites");
    let (ok, van, stderr) = app.cli(&[
        "codes",
        "issue",
        "outreach-sites",
        "--count",
        "1",
        "--tag",
        "site=van",
    ]);
    assert!(ok, "{stderr}");
    let staff = OrgClient::log_in(&app, "sam", "staff");
    let first = staff.post("/org/entry", "/org/entry", &[("_code", van.trim())]);
    assert_eq!(first.status, 200, "{}", first.html);
    // The van's options from the first page on, as on the peer's own phone.
    assert!(
        first.has("input[name=service][value=wound_care]"),
        "{}",
        first.html
    );
    assert!(!first.has("input[name=service][value=advice]"));
    let mut form = first.form("/page");
    form.set("service", "wound_care");
    let review = press(&staff, &form, Some("next"), None);
    assert!(
        review.html.contains("Wound care from the van"),
        "{}",
        review.html
    );
    let saved = press(
        &staff,
        &review.form("/page"),
        None,
        Some("/org/entry/outreach-sites/submit"),
    );
    assert_eq!(saved.status, 200, "{}", saved.html);
}
