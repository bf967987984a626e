//! A real-instrument-shaped survey (`surveys/justice-opioid-core.toml`) answered through the
//! JSON API with court and re-entry cards, then released: a check across questions refuses and
//! changes nothing, an implied answer and computed fields are stored from the answers, a
//! decimal dose is counted in its bands, and release days on a repeating block are counted by
//! year, in people.

use crate::helpers::TestApp;
use crate::typed_grids::{one_way_count, publish_as_maria};
use serde_json::{json, Value};

const SURVEY: &str = include_str!("../../surveys/justice-opioid-core.toml");
const ID: &str = "justice-opioid-core";

fn tagged_codes(app: &TestApp, site: &str, n: usize) -> Vec<String> {
    let count = n.to_string();
    let tag = format!("site={site}");
    let (ok, stdout, stderr) = app.cli(&["codes", "issue", ID, "--count", &count, "--tag", &tag]);
    assert!(ok, "{stderr}");
    stdout.lines().map(str::to_owned).collect()
}

/// Person i: even people were released twice (2024 and 2025) and are on methadone at 80.5 mg;
/// odd ones once (2025), never used opioids, not on medication.
fn answers(i: usize) -> Value {
    if i % 2 == 0 {
        json!({
            "age": 30 + i % 20,
            "age_first_opioid": 17,
            "n_releases": 2,
            "opioids_before": "daily",
            "release_1__released_on": "2024-03-14",
            "release_1__moud_inside": "asked_refused",
            "release_2__released_on": "2025-08-02",
            "release_2__moud_inside": "methadone",
            "release_2__naloxone_release": "yes",
            "after_1__used_after": "yes",
            "after_1__overdose_after": "no",
            "after_2__used_after": "no",
            "moud_now": "methadone",
            "dose_mg": "80.5",
            "barriers": ["waitlist", "travel"],
        })
    } else {
        json!({
            "age": 25 + i % 20,
            "age_first_opioid": "not_applicable",
            "n_releases": 1,
            "opioids_before": "daily",
            "release_1__released_on": "2025-01-20",
            "release_1__moud_inside": "not_applicable",
            "after_1__used_after": "no",
            "moud_now": "no",
            "barriers": ["nothing"],
        })
    }
}

#[test]
fn a_justice_core_measures_survey_is_answered_checked_computed_and_released_in_people() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    app.import(SURVEY);
    app.open_survey(ID);

    // A first use older than the person is refused with the survey's message, and a decimal
    // off its step is refused too; the card stays usable.
    let mut codes = tagged_codes(&app, "court", 30);
    codes.extend(tagged_codes(&app, "reentry", 30));
    let mut wrong = answers(0);
    wrong["age_first_opioid"] = json!(60);
    wrong["age"] = json!(40);
    let (status, body) = app.submit(ID, &codes[0], &wrong);
    assert_eq!(status, 422, "{body}");
    assert!(body.contains("can't be more than your age now"), "{body}");
    let mut off_step = answers(0);
    off_step["dose_mg"] = json!("80.25");
    let (status, body) = app.submit(ID, &codes[0], &off_step);
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains("\"question\":\"dose_mg\"") && body.contains("steps of 0.5"),
        "{body}"
    );
    // Beside the engine's words, the question's own, for clients that show them to peers.
    assert!(
        body.contains(
            r#""survey_message":"Write the dose in mg, in steps of 0.5 (for example 8 or 12.5).""#
        ),
        "{body}"
    );
    let mut no_age = answers(0);
    no_age.as_object_mut().expect("object").remove("age");
    let (status, body) = app.submit(ID, &codes[0], &no_age);
    assert_eq!(status, 422, "{body}");
    assert!(
        body.contains(r#""message":"this question needs an answer","question":"age","survey_message":"Please give your age, or choose “prefer not to say”.""#),
        "{body}"
    );

    for (i, code) in codes.iter().enumerate() {
        let (status, body) = app.submit(ID, code, &answers(i));
        assert_eq!(status, 201, "{i}: {body}");
    }
    let release = publish_as_maria(&app, ID);

    // 30 on methadone at 80.5 mg; the dose was not asked of the others.
    let dose = one_way_count(&release, "dose_mg", "60-119.5").expect("published");
    assert!((28..=32).contains(&dose), "dose 60–119.5: {dose}");
    assert_eq!(one_way_count(&release, "dose_mg", "0-59.5"), Some(0));
    // Computed: two barriers for 30 people, none for 30; the classification by rules.
    let two = one_way_count(&release, "n_barriers", "2-5").expect("published");
    assert!((28..=32).contains(&two), "two barriers: {two}");
    let none = one_way_count(&release, "n_barriers", "0-0").expect("published");
    assert!((28..=32).contains(&none), "no barriers: {none}");
    let protected = one_way_count(&release, "risk_group", "protected").expect("published");
    assert!((28..=32).contains(&protected), "on medication: {protected}");
    // The odd half said "daily" but never used opioids: the implied answer stored "no", so the
    // classification found them "other", not "unprotected".
    let other = one_way_count(&release, "risk_group", "other").expect("published");
    assert!((28..=32).contains(&other), "other: {other}");
    assert_eq!(
        one_way_count(&release, "risk_group", "unprotected"),
        Some(0)
    );
    let before_no = one_way_count(&release, "opioids_before", "no").expect("published");
    assert!((28..=32).contains(&before_no), "implied no: {before_no}");
    // Release days counted by year, in people: 2025 for everyone, 2024 for the even half.
    let in_2025 =
        one_way_count(&release, "release.released_on.2025", "selected").expect("published");
    assert!((58..=62).contains(&in_2025), "released in 2025: {in_2025}");
    let in_2024 =
        one_way_count(&release, "release.released_on.2024", "selected").expect("published");
    assert!((28..=32).contains(&in_2024), "released in 2024: {in_2024}");
}
