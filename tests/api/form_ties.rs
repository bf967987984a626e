//! Releases attacked through the ties a questionnaire makes between tables, black-box: a
//! survey is answered through the API, released, and the release document read as an organiser
//! reads it, with the public rules (every shown count within D = 2 of the truth, a shown count
//! other than 0 at least T). A hidden small count must still range at least T wide.

use serde_json::{json, Value};

use crate::helpers::TestApp;
use crate::typed_grids::publish_as_maria;

const D: u64 = 2;
const T: u64 = 10;

/// "Did you inject?" asked of everyone, "Did you share?" only of those who said yes; the site
/// asked of everyone. Every question required: the number who answered is every table's total.
const FOLLOW_UP: &str = r#"
id = "follow-up"
title = "Equipment"
threshold = 10

[[pages]]
title = "About you"
  [[pages.questions]]
  id = "site"
  type = "single"
  role = "quasi"
  required = true
  dont_know = false
  prefer_not_to_say = false
  text = "Where do you usually get equipment?"
  options = [ { id = "north", text = "North" }, { id = "south", text = "South" }, { id = "east", text = "East" } ]
  [[pages.questions]]
  id = "inject"
  type = "single"
  role = "sensitive"
  required = true
  dont_know = false
  prefer_not_to_say = false
  text = "Did you inject in the last 3 months?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]

[[pages]]
title = "Equipment"
  [[pages.questions]]
  id = "share"
  type = "single"
  role = "sensitive"
  required = true
  dont_know = false
  prefer_not_to_say = false
  show_if = "inject == 'yes'"
  text = "Did you share equipment?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
"#;

/// A one-way table of a release: its rows' counts (`None` where hidden) and its total; `None`
/// when the table is withheld.
fn one_way(release: &Value, id: &str) -> Option<(Vec<Option<u64>>, Option<u64>)> {
    let table = release["tables"]
        .as_array()?
        .iter()
        .find(|t| t["id"] == id)?;
    // `cells[r][0]`, the last row the total.
    let mut counts: Vec<Option<u64>> = table["cells"]
        .as_array()?
        .iter()
        .map(|row| row[0]["count"].as_u64())
        .collect();
    let total = counts.pop()?;
    Some((counts, total))
}

/// Withholding "Did you inject?" for its five "no" did not hide them: the number who answered
/// (the site table's total) minus the follow-up's total put them between 5 and 13. Now the
/// follow-up is withheld, and the question shown with its "no" hidden beside its "yes".
#[test]
fn a_small_count_is_not_read_back_from_the_totals_of_its_follow_ups() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    app.import(FOLLOW_UP);
    app.open_survey("follow-up");
    let s = |site: &str, inject: &str| json!({ "site": site, "inject": inject });
    let f = |site: &str, share: &str| json!({ "site": site, "inject": "yes", "share": share });
    let people = [
        (f("north", "no"), 9),
        (f("south", "no"), 9),
        (f("east", "no"), 4),
        (f("north", "yes"), 3),
        (s("north", "no"), 2),
        (s("south", "no"), 2),
        (s("east", "no"), 1),
    ];
    app.answer_each("follow-up", &people);
    let release = publish_as_maria(&app, "follow-up");
    let everyone = one_way(&release, "site")
        .and_then(|(_, total)| total)
        .expect("the site table is shown");
    let inject = one_way(&release, "inject");
    let share = one_way(&release, "share");
    // "Yes", as closely as the release tells it: shown, or the follow-up's total.
    let yes = match (&inject, &share) {
        (Some((counts, _)), _) if counts[0].is_some() => counts[0],
        (_, Some((_, total))) => *total,
        _ => None,
    };
    if let Some(yes) = yes {
        let low = (everyone - D).saturating_sub(yes + D);
        let high = everyone + D - (yes - D).max(T);
        assert!(
            high - low >= T,
            "'no' read back between {low} and {high} (true 5): {release:#}"
        );
    }
    let (counts, _) = inject.expect("the question is shown");
    assert_eq!(counts[1], None, "its 5 are hidden: {release:#}");
    assert!(share.is_none(), "the follow-up is withheld: {release:#}");
    let reasons = release["withheld"].to_string();
    assert!(
        reasons.contains("the small counts of a question it follows"),
        "{reasons}"
    );
    // With what would let it be shown, in words an organiser can act on.
    let share_entry = (release["withheld"].as_array().expect("withheld").iter())
        .find(|w| w["id"] == "share")
        .expect("the follow-up is listed");
    let helps = share_entry["what_helps"].as_str().unwrap_or_default();
    assert!(
        helps.contains("asked only of some answers"),
        "{share_entry}"
    );
    // The spreadsheet download says so too: a table left out without a word reads as a
    // question never asked.
    let key = format!("Bearer {}", crate::org_client::api_key(&app, "maria"));
    let zip = ureq::get(&app.url("/api/v1/surveys/follow-up/releases/1/csv"))
        .set("Authorization", &key)
        .call()
        .expect("zip");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut zip.into_reader(), &mut bytes).expect("bytes");
    let files = crate::exports::files(&bytes);
    let withheld = String::from_utf8_lossy(&files["follow-up-release-1/withheld.csv"]).into_owned();
    assert!(
        withheld.contains("Did you share equipment?")
            && withheld.contains("the small counts of a question it follows"),
        "{withheld}"
    );
    let readme = String::from_utf8_lossy(&files["follow-up-release-1/README.txt"]).into_owned();
    assert!(readme.contains("withheld.csv"), "{readme}");
}

/// A follow-up asked of West's injectors only: its total is the West × "yes" cell of the site
/// by injecting breakdown, shown in full. The breakdown merged West away to hide West × "no"
/// (3 people); West's own count minus the follow-up's total put them between 0 and 5.
const TWO_QUESTION_CONDITION: &str = r#"
id = "west-kit"
title = "Kit"
threshold = 10

[[pages]]
title = "About you"
  [[pages.questions]]
  id = "site"
  type = "single"
  role = "quasi"
  required = true
  dont_know = false
  prefer_not_to_say = false
  text = "Where do you usually get equipment?"
  options = [ { id = "north", text = "North" }, { id = "south", text = "South" }, { id = "west", text = "West" } ]
  [[pages.questions]]
  id = "inject"
  type = "single"
  role = "sensitive"
  required = true
  dont_know = false
  prefer_not_to_say = false
  text = "Did you inject in the last 3 months?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]

[[pages]]
title = "Kit"
  [[pages.questions]]
  id = "kit"
  type = "single"
  role = "sensitive"
  required = true
  dont_know = false
  prefer_not_to_say = false
  show_if = "site == 'west' and inject == 'yes'"
  text = "Where do you get kit?"
  options = [ { id = "van", text = "Van" }, { id = "pharmacy", text = "Pharmacy" } ]
"#;

#[test]
fn a_follow_up_on_two_questions_does_not_give_away_a_cell_of_their_breakdown() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    app.import(TWO_QUESTION_CONDITION);
    app.open_survey("west-kit");
    let s = |site: &str, inject: &str| json!({ "site": site, "inject": inject });
    let kit = |kit: &str| json!({ "site": "west", "inject": "yes", "kit": kit });
    let people = [
        (s("north", "yes"), 14),
        (s("north", "no"), 10),
        (s("south", "yes"), 12),
        (s("south", "no"), 10),
        (kit("van"), 6),
        (kit("pharmacy"), 5),
        (s("west", "no"), 3),
    ];
    app.answer_each("west-kit", &people);
    let release = publish_as_maria(&app, "west-kit");
    let site = one_way(&release, "site").expect("the site table is shown");
    assert!(one_way(&release, "inject").is_some(), "{release:#}");
    let west = site.0[2];
    let kit = one_way(&release, "kit").and_then(|(_, total)| total);
    if let (Some(west), Some(kit)) = (west, kit) {
        let low = (west - D).saturating_sub(kit + D);
        let high = west + D - (kit - D).max(T);
        assert!(
            high - low >= T,
            "West × no read back between {low} and {high} (true 3): {release:#}"
        );
    }
}

/// A computed count of a multi-select question's options: its bands nobody is in are shown as
/// exact zeros ("2 options: 0, 3 options: 0"), which tells every reader that each answer held
/// one option — the rule the audit knows from `max_choices = 1`. Unknown to the audit, it
/// pinned the 3 "rare" answers to between 1 and 6.
const COUNTED: &str = r#"
id = "counted"
title = "Drugs"
threshold = 10

[[pages]]
title = "Drugs"
  [[pages.questions]]
  id = "drugs"
  type = "multi"
  role = "sensitive"
  required = true
  dont_know = false
  prefer_not_to_say = false
  text = "Which drugs did you use (all that apply)?"
  options = [ { id = "heroin", text = "Heroin" }, { id = "meth", text = "Meth" }, { id = "rare", text = "Rare thing" } ]
  [[pages.questions]]
  id = "ndrugs"
  type = "number"
  role = "plain"
  min = 0
  max = 3
  bands = [[0, 0], [1, 1], [2, 2], [3, 3]]
  text = "Number of drugs"
  compute = { count = "drugs" }
"#;

#[test]
fn a_computed_count_of_options_is_known_to_the_audit() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    app.import(COUNTED);
    app.open_survey("counted");
    let drugs = |drug: &str| json!({ "drugs": [drug] });
    let people = [
        (drugs("heroin"), 27),
        (drugs("meth"), 20),
        (drugs("rare"), 3),
    ];
    app.answer_each("counted", &people);
    let release = publish_as_maria(&app, "counted");
    let option = |id: &str| one_way(&release, &format!("drugs.{id}"));
    let counts = one_way(&release, "ndrugs").map(|(c, _)| c);
    let one_each = counts.is_some_and(|c| c[0] == Some(0) && c[2] == Some(0) && c[3] == Some(0));
    assert!(
        one_each,
        "the count's table tells one option each: {release:#}"
    );
    // A band of one value reads as that value ("1", not "1–1").
    let labels: Vec<&str> = release["tables"]
        .as_array()
        .and_then(|t| t.iter().find(|t| t["id"] == "ndrugs"))
        .and_then(|t| t["rows"].as_array())
        .expect("rows")
        .iter()
        .filter_map(|r| r["label"].as_str())
        .collect();
    assert_eq!(labels[..4], ["0", "1", "2", "3"], "{labels:?}");
    // Each answer held one option: "rare" = heroin's "not selected" − meth's "selected", and
    // = meth's "not selected" − heroin's "selected".
    let (heroin, meth) = (option("heroin"), option("meth"));
    let range = |not: Option<u64>, other: Option<u64>| -> Option<(u64, u64)> {
        let (not, other) = (not?, other?);
        let low = (not - D).saturating_sub(other + D);
        let high = (not + D).saturating_sub((other - D).max(T));
        Some((low, high))
    };
    let mut low = 0;
    let mut high = u64::MAX;
    for (a, b) in [(&heroin, &meth), (&meth, &heroin)] {
        let (Some((a, _)), Some((b, _))) = (a, b) else {
            continue;
        };
        if let Some((l, h)) = range(a[1], b[0]) {
            low = low.max(l);
            high = high.min(h);
        }
    }
    assert!(
        high.saturating_sub(low) >= T,
        "'rare' read back between {low} and {high} (true 3): {release:#}"
    );
}

/// A repeating page allowing one instance, with a single-choice question: each person has
/// exactly one "selected" across its "in some instance" tables, which an audit treating them
/// as unrelated did not know; they pinned the 3 "rare" answers to between 1 and 6.
const ONE_INSTANCE: &str = r#"
id = "one-instance"
title = "Main drug"
threshold = 10

[[pages]]
title = "Count"
  [[pages.questions]]
  id = "n"
  type = "number"
  role = "plain"
  min = 1
  max = 1
  dont_know = false
  prefer_not_to_say = false
  text = "How many?"

[[pages]]
id = "sub"
title = "Main drug"
repeat = { id = "sub", max = 1, count = "n" }
  [[pages.questions]]
  id = "drug"
  type = "single"
  role = "sensitive"
  required = true
  dont_know = false
  prefer_not_to_say = false
  text = "Which drug do you use most?"
  options = [ { id = "heroin", text = "Heroin" }, { id = "meth", text = "Meth" }, { id = "rare", text = "Rare thing" } ]
"#;

#[test]
fn a_repeating_page_with_one_instance_is_audited_as_one_answer_each() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    app.import(ONE_INSTANCE);
    app.open_survey("one-instance");
    let drug = |drug: &str| json!({ "n": 1, "sub_1__drug": drug });
    let people = [(drug("heroin"), 27), (drug("meth"), 20), (drug("rare"), 3)];
    app.answer_each("one-instance", &people);
    let release = publish_as_maria(&app, "one-instance");
    let table = |id: &str| one_way(&release, &format!("sub.drug.{id}"));
    let (heroin, meth) = (table("heroin"), table("meth"));
    assert!(
        heroin.is_some() || meth.is_some(),
        "the common answers are shown: {release:#}"
    );
    // One answer each: "rare" = heroin's "not selected" − meth's "selected", and the other
    // way round.
    let mut low = 0;
    let mut high = u64::MAX;
    for (a, b) in [(&heroin, &meth), (&meth, &heroin)] {
        let (Some((a, _)), Some((b, _))) = (a, b) else {
            continue;
        };
        if let (Some(not), Some(other)) = (a[1], b[0]) {
            low = low.max((not - D).saturating_sub(other + D));
            high = high.min((not + D).saturating_sub((other - D).max(T)));
        }
    }
    assert!(
        high.saturating_sub(low) >= T,
        "'rare' read back between {low} and {high} (true 3): {release:#}"
    );
}

/// The headline question of a real overdose questionnaire: optional, with "prefer not to say",
/// and "How many times?" asked of every "yes". Its 3 "prefer not to say" were hidden beside the
/// smallest other count, "yes" — which the follow-up's total says anyway — so no pattern of
/// hidden counts passed and the question was withheld with every breakdown of it. A count a
/// reader has anyway is now a partner only when nothing else will do: "no" is hidden instead.
const HEADLINE: &str = r#"
id = "headline"
title = "Overdoses"
threshold = 10

[[pages]]
title = "About you"
  [[pages.questions]]
  id = "site"
  type = "single"
  role = "quasi"
  required = true
  dont_know = false
  prefer_not_to_say = false
  text = "Where did you fill this in?"
  options = [ { id = "north", text = "North" }, { id = "south", text = "South" } ]
  [[pages.questions]]
  id = "overdosed"
  type = "single"
  role = "sensitive"
  dont_know = false
  text = "Have you overdosed in the last 6 months?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
  [[pages.questions]]
  id = "times"
  type = "number"
  role = "sensitive"
  required = true
  dont_know = false
  prefer_not_to_say = false
  show_if = "overdosed == 'yes'"
  min = 1
  max = 50
  bands = [[1, 1], [2, 50]]
  text = "How many times?"
"#;

#[test]
fn a_headline_question_is_not_withheld_for_a_count_its_follow_up_tells() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    app.import(HEADLINE);
    app.open_survey("headline");
    let od = |site: &str, times: u32| json!({ "site": site, "overdosed": "yes", "times": times });
    let s = |site: &str, said: &str| json!({ "site": site, "overdosed": said });
    let people = [
        (od("north", 1), 12),
        (od("north", 3), 10),
        (od("south", 1), 11),
        (od("south", 4), 10),
        (s("north", "no"), 40),
        (s("south", "no"), 38),
        (s("north", "prefer_not_to_say"), 2),
        (s("south", "prefer_not_to_say"), 1),
        (json!({ "site": "north" }), 6),
        (json!({ "site": "south" }), 5),
    ];
    app.answer_each("headline", &people);
    let release = publish_as_maria(&app, "headline");
    let (counts, total) = one_way(&release, "overdosed")
        .unwrap_or_else(|| panic!("the headline question is shown: {:#}", release["withheld"]));
    let yes = counts[0].expect("its 'yes' is shown");
    assert!(yes.abs_diff(43) <= D, "{release:#}");
    assert_eq!(counts[2], None, "its 3 are hidden: {release:#}");
    assert_eq!(counts[1], None, "beside 'no': {release:#}");
    // What a reader makes of the 3: the question's total minus the "yes" (its own, and the
    // follow-up's total: the same people, the same number), shared with the hidden "no".
    let total = total.expect("the total is shown");
    let (_, times_total) = one_way(&release, "times").expect("the follow-up is shown");
    assert_eq!(times_total, Some(yes), "{release:#}");
    assert!((total + D) - (yes - D) >= T, "{release:#}");
    // And its breakdown by site is shown, not withheld with it.
    let ids: Vec<&str> = release["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .filter_map(|t| t["id"].as_str())
        .collect();
    assert!(ids.contains(&"site__overdosed"), "{ids:?}");
}

/// A follow-up asked only of a small answer: 4 of 100 "don't know" asked "Would you like
/// information?". Withheld as "too few people are in this table" — words chosen from the true
/// count — it told every reader which of the question's hidden counts was the small one. A
/// follow-up is withheld with the same words whether its total is small or not.
#[test]
fn a_follow_up_of_a_small_answer_is_withheld_without_saying_it_is_small() {
    const SMALL_FOLLOW_UP: &str = r#"
id = "tested"
title = "Testing"
threshold = 10

[[pages]]
title = "Testing"
  [[pages.questions]]
  id = "tested"
  type = "single"
  role = "sensitive"
  required = true
  prefer_not_to_say = false
  text = "Have you had a test in the last year?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
  [[pages.questions]]
  id = "info"
  type = "single"
  role = "plain"
  required = true
  dont_know = false
  prefer_not_to_say = false
  show_if = "tested == 'dont_know'"
  text = "Would you like information about testing?"
  options = [ { id = "yes", text = "Yes" }, { id = "no", text = "No" } ]
"#;
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    app.import(SMALL_FOLLOW_UP);
    app.open_survey("tested");
    let people = [
        (json!({ "tested": "yes" }), 48),
        (json!({ "tested": "no" }), 48),
        (json!({ "tested": "dont_know", "info": "yes" }), 4),
    ];
    app.answer_each("tested", &people);
    let release = publish_as_maria(&app, "tested");
    let info = (release["withheld"].as_array().expect("withheld").iter())
        .find(|w| w["id"] == "info")
        .unwrap_or_else(|| panic!("the follow-up of 4 is not shown: {release:#}"));
    let reason = info["reason"].as_str().unwrap_or_default();
    assert!(!reason.contains("too few people"), "{info}");
    assert!(
        reason.contains("the small counts of a question it follows"),
        "{info}"
    );
}
