//! Releases as an organiser and an attacker see them: the rules for publishing, frozen bytes,
//! repeated requests, and the same people getting the same noise in every table.

use crate::helpers::{api_get, get, post, TestApp};
use crate::org_client::{api_key, OrgClient};
use serde_json::{json, Value};

/// `n` responses to the demo, with a spread of ages, genders and areas (some rare).
fn answer(app: &TestApp, n: usize, seed: usize) {
    let genders = ["woman", "man", "woman", "man", "non_binary"];
    let areas = ["harbour", "old_town", "station"];
    for (i, code) in app.issue_codes("demo", n).iter().enumerate() {
        let k = i + seed;
        let answers = json!({
            "consent": "yes",
            "age": 18 + (k * 7) % 60,
            "gender": genders[k % genders.len()],
            "area": areas[k % areas.len()],
            "injected_3m": if k % 4 == 0 { "yes" } else { "no" },
        });
        let (status, body) = app.submit("demo", code, &answers);
        assert_eq!(status, 201, "{body}");
    }
}

fn organiser_key(app: &TestApp) -> String {
    crate::org_client::add_account(app, "maria", "organiser");
    format!("Bearer {}", api_key(app, "maria"))
}

#[test]
fn publishing_follows_the_rules_and_a_release_never_changes() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    let publish_url = app.url("/api/v1/surveys/demo/releases");
    answer(&app, 29, 0);
    let (status, body) = post(&publish_url, "", &[("Authorization", &key)]);
    assert_eq!(status, 409, "below min_responses: {body}");
    assert!(body.contains("30 responses"), "{body}");
    assert_eq!(
        api_get(&app, "/api/v1/surveys/demo/releases/latest", &key).0,
        404
    );

    answer(&app, 11, 29);
    let (status, body) = post(&publish_url, "", &[("Authorization", &key)]);
    assert_eq!(status, 201, "{body}");
    let (status, first) = api_get(&app, "/api/v1/surveys/demo/releases/latest", &key);
    assert_eq!(status, 200);

    // One more response: refused, and the latest release is byte-for-byte what it was.
    answer(&app, 1, 40);
    let (status, body) = post(&publish_url, "", &[("Authorization", &key)]);
    assert_eq!(status, 409);
    assert!(body.contains("new responses"), "{body}");
    let (_, again) = api_get(&app, "/api/v1/surveys/demo/releases/latest", &key);
    assert_eq!(first, again);
    assert_eq!(
        api_get(&app, "/api/v1/surveys/demo/releases/1", &key).1,
        first
    );

    // A hundred identical requests give identical bytes.
    for _ in 0..100 {
        assert_eq!(
            api_get(&app, "/api/v1/surveys/demo/releases/1", &key).1,
            first
        );
    }

    // Nine more (ten since the release): a second release; the first is unchanged.
    answer(&app, 9, 41);
    assert_eq!(post(&publish_url, "", &[("Authorization", &key)]).0, 201);
    assert_eq!(
        api_get(&app, "/api/v1/surveys/demo/releases/1", &key).1,
        first
    );
    let (_, list) = api_get(&app, "/api/v1/surveys/demo/releases", &key);
    assert_eq!(
        serde_json::from_str::<Value>(&list).expect("json")["releases"],
        json!([1, 2])
    );
}

#[test]
fn a_release_has_the_published_shape_and_nothing_below_the_threshold() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    answer(&app, 45, 0);
    assert_eq!(
        post(
            &app.url("/api/v1/surveys/demo/releases"),
            "",
            &[("Authorization", &key)]
        )
        .0,
        201
    );
    let (_, body) = api_get(&app, "/api/v1/surveys/demo/releases/latest", &key);
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["release"], 1);
    assert_eq!(v["survey"], "demo");
    assert_eq!(v["threshold"], 10);
    let tables = v["tables"].as_array().expect("tables");
    assert!(tables.len() > 5);
    let mut suppressed = 0;
    for t in tables {
        for key in ["id", "title", "rows", "columns", "cells"] {
            assert!(!t[key].is_null(), "{key} missing");
        }
        let rows = t["rows"].as_array().expect("rows");
        assert_eq!(rows.last().expect("total row")["id"], "total");
        for cell in t["cells"]
            .as_array()
            .expect("cells")
            .iter()
            .flat_map(|r| r.as_array().expect("row"))
        {
            let hidden = cell["suppressed"].as_bool().expect("bool");
            if hidden {
                suppressed += 1;
                assert!(cell["count"].is_null());
            } else {
                let n = cell["count"].as_u64().expect("count");
                assert!(n == 0 || n >= 10, "a published {n} is below the threshold");
            }
        }
    }
    assert!(suppressed > 0, "rare categories were hidden");
    assert!(!body.contains("record_key") && !body.contains("\"k\""));
}

/// One-way `gender` and the gender margin of the gender × area table count the same people
/// (everyone answered both), so they carry the same cell keys and the same noise.
#[test]
fn the_same_people_get_the_same_noise_in_every_table() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    answer(&app, 60, 0);
    assert_eq!(
        post(
            &app.url("/api/v1/surveys/demo/releases"),
            "",
            &[("Authorization", &key)]
        )
        .0,
        201
    );
    let (_, body) = api_get(&app, "/api/v1/surveys/demo/releases/latest", &key);
    let v: Value = serde_json::from_str(&body).expect("json");
    let tables = v["tables"].as_array().expect("tables");
    let one = tables
        .iter()
        .find(|t| t["id"] == "gender")
        .expect("gender table");
    let two = tables
        .iter()
        .find(|t| {
            let vars = t["variables"].as_array().expect("vars");
            vars.len() == 2 && vars.contains(&json!("gender")) && vars.contains(&json!("area"))
        })
        .expect("gender × area table");
    let gender_is_rows = two["variables"][0] == "gender";
    let one_rows = one["rows"].as_array().expect("rows");
    let mut compared = 0;
    for (i, line) in one_rows.iter().enumerate() {
        let one_way = &one["cells"][i][0];
        let margin = if gender_is_rows {
            // A redesigned table may show a category inside a group: nothing to compare.
            let Some(r) = two["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .position(|l| l["id"] == line["id"])
            else {
                continue;
            };
            let last = two["columns"].as_array().expect("cols").len() - 1;
            two["cells"][r][last].clone()
        } else {
            let Some(c) = two["columns"]
                .as_array()
                .expect("cols")
                .iter()
                .position(|l| l["id"] == line["id"])
            else {
                continue;
            };
            let last = two["rows"].as_array().expect("rows").len() - 1;
            two["cells"][last][c].clone()
        };
        if !one_way["suppressed"].as_bool().expect("bool")
            && !margin["suppressed"].as_bool().expect("bool")
        {
            assert_eq!(one_way["count"], margin["count"], "{}", line["id"]);
            if line["id"] != "total" {
                compared += 1;
            }
        }
    }
    // The redesign may merge some genders into a group (its noise is its own, as its people
    // differ); at least one gender must still be comparable, as well as the total.
    assert!(
        compared >= 1,
        "compared {compared} categories\n{one}\n{two}"
    );
}

#[test]
fn the_release_pages_draw_bars_hide_small_numbers_and_offer_downloads() {
    let app = TestApp::spawn();
    answer(&app, 45, 0);
    let (ok, _, stderr) = app.cli(&["release", "publish", "demo"]);
    assert!(ok, "{stderr}");
    let org = OrgClient::log_in(&app, "maria", "organiser");
    // The survey's page lists the release and, with one behind it, says why the next takes time.
    let survey = org.get("/org/s/demo");
    assert!(survey.html.contains("Release 1</a>"), "{}", survey.html);
    assert!(
        survey.html.contains("checked against every earlier one"),
        "{}",
        survey.html
    );
    let page = org.get("/org/s/demo/releases/1");
    assert_eq!(page.status, 200, "{}", app.logs());
    assert!(page.html.contains("<svg class=\"bars\""));
    assert!(
        !page.html.contains("&lt;10"),
        "no hidden count claims to be small"
    );
    assert!(page.html.contains("<strong>hidden</strong>"), "the legend");
    assert!(page.html.contains("some numbers are hidden"));
    let pick = org.get("/org/s/demo/releases/1?rows=gender&cols=area");
    assert!(pick.has("#picked table"), "{}", pick.html);
    let json = org.get("/org/s/demo/releases/1/json");
    assert_eq!(json.header("content-type"), Some("application/json"));
    let key = organiser_key_for(&app);
    assert_eq!(
        api_get(&app, "/api/v1/surveys/demo/releases/1", &key).1,
        json.html
    );
    let zip = ureq::get(&app.url("/org/s/demo/releases/1/csv"))
        .set("Cookie", org.cookie.as_deref().expect("cookie"))
        .call()
        .expect("zip");
    assert_eq!(zip.content_type(), "application/zip");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut zip.into_reader(), &mut bytes).expect("bytes");
    let archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    assert!(archive
        .file_names()
        .any(|n| n.expect("name").ends_with("/gender.csv")));
    let audit = org.get("/org/audit");
    assert!(audit.html.contains("download release"));
}

fn organiser_key_for(app: &TestApp) -> String {
    format!("Bearer {}", api_key(app, "maria"))
}

#[test]
fn closing_a_survey_publishes_its_final_release() {
    let app = TestApp::spawn();
    answer(&app, 31, 0);
    let (ok, _, stderr) = app.cli(&["survey", "close", "demo"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("final release 1 published"), "{stderr}");
    let key = organiser_key(&app);
    let (_, body) = api_get(&app, "/api/v1/surveys/demo/releases/latest", &key);
    let v: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["final"], true);
    assert!(get(&app.url("/healthz")).0 == 200);
}

#[test]
fn release_routes_refuse_anonymous_and_researcher_access() {
    let app = TestApp::spawn();
    answer(&app, 30, 0);
    let (ok, _, _) = app.cli(&["release", "publish", "demo"]);
    assert!(ok);
    for path in [
        "/api/v1/surveys/demo/releases",
        "/api/v1/surveys/demo/releases/latest",
        "/api/v1/surveys/demo/releases/1",
    ] {
        assert_eq!(get(&app.url(path)).0, 401, "{path}");
    }
    assert_eq!(
        post(&app.url("/api/v1/surveys/demo/releases"), "", &[]).0,
        401
    );
    crate::org_client::add_account(&app, "rita", "researcher");
    let researcher = format!("Bearer {}", api_key(&app, "rita"));
    assert_eq!(
        api_get(&app, "/api/v1/surveys/demo/releases/1", &researcher).0,
        403
    );
    assert_eq!(
        post(
            &app.url("/api/v1/surveys/demo/releases"),
            "",
            &[("Authorization", &researcher)]
        )
        .0,
        403
    );
    let anonymous = OrgClient::anonymous(&app);
    for path in [
        "/org/s/demo/releases/1",
        "/org/s/demo/releases/1/json",
        "/org/s/demo/releases/1/csv",
    ] {
        assert_eq!(anonymous.get(path).status, 303, "{path}");
    }
    assert_eq!(anonymous.post_raw("/org/s/demo/releases", &[]).status, 303);
}

/// Between two questions the form lets combine freely, a 0 inside a breakdown says which
/// answers never go together ("every non-binary peer was at the harbour"), and zeros from
/// tables sharing a question can pin a number hidden in a third: such a 0 is hidden like a
/// small count unless its whole row or column is empty.
#[test]
fn a_zero_between_freely_combined_questions_is_not_published() {
    let app = TestApp::spawn();
    let key = organiser_key(&app);
    let areas = ["harbour", "old_town", "station"];
    for (i, code) in app.issue_codes("demo", 72).iter().enumerate() {
        // 30 women and 30 men in every area; 12 non-binary peers, all at the harbour.
        let (gender, area) = match i {
            0..30 => ("woman", areas[i % 3]),
            30..60 => ("man", areas[i % 3]),
            _ => ("non_binary", "harbour"),
        };
        let answers = json!({
            "consent": "yes",
            "age": 18 + (i * 7) % 60,
            "gender": gender,
            "area": area,
            "injected_3m": if i % 4 == 0 { "yes" } else { "no" },
        });
        assert_eq!(app.submit("demo", code, &answers).0, 201);
    }
    let publish = app.url("/api/v1/surveys/demo/releases");
    assert_eq!(post(&publish, "", &[("Authorization", &key)]).0, 201);
    let (_, body) = api_get(&app, "/api/v1/surveys/demo/releases/latest", &key);
    let v: Value = serde_json::from_str(&body).expect("json");
    let tables = v["tables"].as_array().expect("tables");
    let gender = tables.iter().find(|t| t["id"] == "gender").expect("gender");
    let non_binary = gender["cells"]
        .as_array()
        .and_then(|rows| {
            rows.iter()
                .zip(gender["rows"].as_array()?)
                .find(|(_, r)| r["id"] == "non_binary")
        })
        .map(|(cells, _)| cells[0].clone())
        .expect("non-binary row");
    assert!(
        non_binary["count"].as_u64().is_some_and(|n| n >= 10),
        "{non_binary}"
    );

    let breakdown = tables
        .iter()
        .find(|t| t["id"] == "gender__area")
        .expect("gender × area");
    let Some(cells) = breakdown["cells"].as_array() else {
        return; // withheld: it shows nothing at all
    };
    let count = |r: usize, c: usize| cells[r][c]["count"].as_u64();
    let (rows, columns) = (cells.len() - 1, cells[0].as_array().expect("row").len() - 1);
    let mut zeros = 0;
    for r in 0..rows {
        for c in 0..columns {
            if count(r, c) == Some(0) {
                zeros += 1;
                assert!(
                    count(r, columns) == Some(0) || count(rows, c) == Some(0),
                    "a 0 at row {r}, column {c} beside people in both: {breakdown}"
                );
            }
        }
    }
    // Areas nobody named still read 0 (their totals say so); the harbour-only non-binary row
    // does not show a 0 beside Old Town or the station.
    assert!(zeros > 0, "{breakdown}");
}

/// A survey where a rule ties the site to the support asked about: the boat clinic is offered
/// only at the harbour.
const TIED: &str = r#"
id = "tied"
title = "Support by site"
mode = "invite"
threshold = 10

[[pages]]
id = "site"
title = "Site"

  [[pages.questions]]
  id = "site"
  type = "single"
  role = "quasi"
  text = "Where did you get this card?"
  options = [
    { id = "harbour", text = "Harbour" },
    { id = "station", text = "Station" },
    { id = "park", text = "Park" },
  ]

[[pages]]
id = "support"
title = "Equipment"

  [[pages.questions]]
  id = "support"
  type = "single"
  role = "sensitive"
  text = "Where do you get equipment?"
  options = [
    { id = "nsp", text = "Needle exchange" },
    { id = "peer", text = "A peer worker" },
    { id = "boat", text = "The boat clinic", show_if = "site == 'harbour'" },
    { id = "pharmacy", text = "A pharmacy" },
  ]
"#;

/// The first release of the `TIED` survey, as JSON, after `n` responses: response `i` gives
/// `answer(i)` as (site, support).
fn release_tied<'a>(n: usize, answer: impl Fn(usize) -> (&'a str, &'a str)) -> Value {
    // One test client sends every response: lift the per-client limit.
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    let key = organiser_key(&app);
    app.import(TIED);
    app.open_survey("tied");
    for (i, code) in app.issue_codes("tied", n).iter().enumerate() {
        let (site, support) = answer(i);
        let answers = json!({ "site": site, "support": support });
        let (status, body) = app.submit("tied", code, &answers);
        assert_eq!(status, 201, "{body}");
    }
    let publish = app.url("/api/v1/surveys/tied/releases");
    let (status, body) = post(&publish, "", &[("Authorization", &key)]);
    assert_eq!(status, 201, "{body}");
    let (_, body) = api_get(&app, "/api/v1/surveys/tied/releases/latest", &key);
    serde_json::from_str(&body).expect("json")
}

#[test]
fn a_zero_between_questions_a_rule_ties_together_is_not_published_either() {
    // Each release draws fresh secret record keys, so its adjustments (and with them which cells
    // need hiding) differ from run to run. No 0 may ever be shown beside people; that the needle
    // exchange is still shown is the usual outcome, not a certain one: rarely, every inner cell
    // of the breakdown is hidden (seen once in CI on 2026-12-05, never in 80 runs by hand). So
    // up to three fresh installations are tried for it, each checked for zeros.
    let mut last = String::new();
    for _ in 0..3 {
        match zero_between_tied_questions() {
            Ok(()) => return,
            Err(breakdown) => last = breakdown,
        }
    }
    panic!("in three releases the needle exchange was never shown: {last}");
}

/// One installation's release of the tied survey: panics on a 0 shown beside people; `Err`
/// with the breakdown when it shows no count of the needle exchange.
fn zero_between_tied_questions() -> Result<(), String> {
    let sites = ["harbour", "station", "park"];
    // At each site 20 peers use the needle exchange and 15 a pharmacy; 18 see a peer worker, 12
    // at the harbour and 6 at the station, none at the park (a 0 no rule makes); 30 at the
    // harbour use the boat clinic, which is offered nowhere else.
    let v = release_tied(153, |i| match i {
        0..60 => (sites[i % 3], "nsp"),
        60..105 => (sites[i % 3], "pharmacy"),
        105..117 => ("harbour", "peer"),
        117..123 => ("station", "peer"),
        _ => ("harbour", "boat"),
    });
    let tables = v["tables"].as_array().expect("tables");
    // Before zeros were hidden between tied questions, this table was published with a 0 for
    // peer workers at the park. Now each 0 beside people must stay as wide as a small count,
    // and at the park everybody is in the two counts shown: the table is withheld, with its
    // reason, rather than published with a pinned 0.
    let Some(breakdown) = tables.iter().find(|t| t["id"] == "site__support") else {
        let withheld = v["withheld"].as_array().expect("withheld");
        assert!(
            withheld.iter().any(|w| w["id"] == "site__support"
                && w["reason"] == "too few responses to show this breakdown safely"),
            "{v}"
        );
        return Ok(());
    };
    let cells = breakdown["cells"].as_array().expect("cells");
    let count = |r: usize, c: usize| cells[r][c]["count"].as_u64();
    let (rows, columns) = (cells.len() - 1, cells[0].as_array().expect("row").len() - 1);
    // The boat clinic (column 2) away from the harbour (row 0) is the form's doing, and may be
    // shown as 0; no other 0 may.
    for r in 0..rows {
        for c in 0..columns {
            if count(r, c) == Some(0) && !(c == 2 && r != 0) {
                assert!(
                    count(r, columns) == Some(0) || count(rows, c) == Some(0),
                    "a 0 at row {r}, column {c} beside people in both: {breakdown}"
                );
            }
        }
    }
    // The needle exchange, used at every site by 20 people, is still shown as it is.
    let nsp_shown = (0..rows)
        .filter(|&r| count(r, 0).is_some_and(|n| n >= 10))
        .count();
    if nsp_shown == 0 {
        return Err(breakdown.to_string());
    }
    Ok(())
}

#[test]
fn a_pair_of_answers_the_form_rules_out_is_shown_as_0_and_costs_the_breakdown_nothing() {
    let sites = ["harbour", "station", "park"];
    // At each site 20 peers use the needle exchange, 15 a pharmacy and 12 a peer worker; 30 at
    // the harbour use the boat clinic, which the form offers nowhere else.
    let v = release_tied(171, |i| match i {
        0..60 => (sites[i % 3], "nsp"),
        60..105 => (sites[i % 3], "pharmacy"),
        105..141 => (sites[i % 3], "peer"),
        _ => ("harbour", "boat"),
    });
    let breakdown = v["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == "site__support")
        .unwrap_or_else(|| panic!("site × support is shown: {v}"));
    let cells = breakdown["cells"].as_array().expect("cells");
    let count = |r: usize, c: usize| cells[r][c]["count"].as_u64();
    // Rows harbour, station, park; columns needle exchange, peer worker, boat, pharmacy. Every
    // reader of the form knows nobody used the boat clinic away from the harbour: those zeros
    // are shown, and nothing else needs hiding to keep them company (before, they were hidden
    // like small counts, and the counts around them with them).
    for r in 0..3 {
        for c in 0..4 {
            let boat_away = c == 2 && r != 0;
            match count(r, c) {
                Some(0) => assert!(boat_away, "a 0 at row {r}, column {c}: {breakdown}"),
                Some(n) => assert!(!boat_away && n >= 8, "row {r}, column {c}: {breakdown}"),
                None => panic!("row {r}, column {c} hidden: {breakdown}"),
            }
        }
    }
}

/// `request` sent twice at the same moment, from two threads.
fn twice_at_once<T: Send>(request: impl Fn() -> T + Sync) -> [T; 2] {
    std::thread::scope(|scope| {
        [scope.spawn(&request), scope.spawn(&request)].map(|r| r.join().expect("joined"))
    })
}

/// A double click on "Publish", or a script that retries: two requests together compute one
/// release, and the one that waited says which release the other made rather than claiming too
/// few responses arrived. Whether the two overlap is up to the machine's timing, so up to three
/// rounds are tried (each with enough new responses for a further release); a build that does
/// not name the release fails every round.
#[test]
fn two_publishes_sent_together_make_one_release_and_the_other_names_it() {
    // All answers come from this one address: lift the per-client limit for them.
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    let key = organiser_key(&app);
    let publish_url = app.url("/api/v1/surveys/demo/releases");
    let (mut answered, mut named) = (0, false);
    for round in 1..=3u32 {
        let new = if answered == 0 { 120 } else { answered / 4 };
        answer(&app, new, answered);
        answered += new;
        let outcomes = twice_at_once(|| post(&publish_url, "", &[("Authorization", &key)]));
        let created: Vec<&(u16, String)> = outcomes.iter().filter(|(s, _)| *s == 201).collect();
        assert_eq!(created.len(), 1, "one release per round: {outcomes:?}");
        assert!(
            created[0].1.contains(&format!("\"release\":{round}")),
            "{outcomes:?}"
        );
        let other = outcomes.iter().find(|(s, _)| *s != 201).expect("the other");
        assert_eq!(other.0, 409, "{outcomes:?}");
        if other
            .1
            .contains(&format!("release {round} was published a moment ago"))
        {
            named = true;
            break;
        }
        assert!(other.1.contains("new responses"), "{outcomes:?}");
    }
    assert!(
        named,
        "in three rounds, the waiting request never named the release"
    );
    let (_, list) = api_get(&app, "/api/v1/surveys/demo/releases", &key);
    let releases = serde_json::from_str::<Value>(&list).expect("json")["releases"].clone();
    assert!(releases.as_array().is_some_and(|r| !r.is_empty()), "{list}");
}

#[test]
fn a_second_click_on_publish_in_the_workspace_opens_the_release_the_first_click_made() {
    // All answers come from this one address: lift the per-client limit for them.
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    crate::org_client::add_account(&app, "maria", "organiser");
    let org = OrgClient::log_in_existing(&app, "maria");
    let mut answered = 0;
    let mut both_opened_it = false;
    for round in 1..=3u32 {
        let new = if answered == 0 { 120 } else { answered / 4 };
        answer(&app, new, answered);
        answered += new;
        // A double click sends the same form, with the same token, twice.
        let csrf = org.csrf("/org/s/demo");
        let pages = twice_at_once(|| org.post_raw("/org/s/demo/releases", &[("_csrf", &csrf)]));
        let release = format!("/org/s/demo/releases/{round}");
        let opened = pages
            .iter()
            .filter(|p| p.status == 303 && p.header("location") == Some(release.as_str()))
            .count();
        assert!(
            opened >= 1,
            "round {round}: {:?}",
            pages
                .iter()
                .map(|p| (p.status, &p.html))
                .collect::<Vec<_>>()
        );
        if opened == 2 {
            both_opened_it = true;
            break;
        }
        // The second click came after the first had finished: the release rule refused it,
        // in words, on a page of its own.
        let refused = pages
            .iter()
            .find(|p| p.status != 303)
            .expect("the other click");
        assert!(refused.html.contains("new responses"), "{}", refused.html);
    }
    assert!(
        both_opened_it,
        "in three rounds, the second click never opened the release the first one made"
    );
    let survey = org.get("/org/s/demo");
    assert!(
        survey.html.contains("/org/s/demo/releases/1"),
        "{}",
        survey.html
    );
}

/// Follows a press that makes a release: the waiting page while it is being made (`200`, with
/// a "Look again" that opens it again), then wherever the press leads. Returns that address, or
/// the status and page of an action that failed, and whether the waiting page was shown (and
/// the survey's page said meanwhile that a release is being made).
fn waited_out(org: &OrgClient, pressed: &crate::forms::Page) -> (String, bool) {
    if pressed.status != 303 {
        return (format!("{} {}", pressed.status, pressed.html), false);
    }
    let mut location = pressed.header("location").unwrap_or_default().to_owned();
    let mut waited = false;
    let started = std::time::Instant::now();
    while location == "/org/s/demo/working" {
        assert!(started.elapsed().as_secs() < 120, "the release never came");
        let page = org.get(&location);
        match page.status {
            200 => {
                let survey = org.get("/org/s/demo");
                waited |= survey
                    .html
                    .contains("is being made (started less than a minute ago)");
                assert!(
                    page.html
                        .contains("href=\"/org/s/demo/working\">Look again</a>"),
                    "the page offers to look again: {}",
                    page.html
                );
                assert!(
                    !page.html.contains("http-equiv=\"refresh\""),
                    "a page that reloads on a timer is not accessible"
                );
                assert!(page.html.contains("Started less than a minute ago"));
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            303 => location = page.header("location").unwrap_or_default().to_owned(),
            // An action that failed: its page, as the press would have shown it.
            _ => return (format!("{} {}", page.status, page.html), waited),
        }
    }
    (location, waited)
}

/// A release not ready within `release_wait_seconds` (0 here) is shown by a page that says it
/// is being made, and that leads on once it is ready exactly as the press would have: to the
/// release, or to the closed survey. A refusal, quick to find, is shown at once.
#[test]
fn a_release_not_ready_within_the_wait_is_followed_by_a_page_that_offers_to_look_again() {
    let app = TestApp::spawn_configured(&[], Some("release_wait_seconds = 0\n"));
    answer(&app, 29, 0);
    let org = OrgClient::log_in(&app, "maria", "organiser");
    // No such survey: said at once, and nothing kept for it.
    let nowhere = org.post("/org/s/demo", "/org/s/nowhere/releases", &[]);
    assert_eq!(nowhere.status, 404, "{}", nowhere.html);
    assert_eq!(org.get("/org/s/nowhere/working").status, 404);
    // Nothing pressed yet: the waiting page leads to the survey.
    let before = org.get("/org/s/demo/working");
    assert_eq!(before.status, 303);
    assert_eq!(before.header("location"), Some("/org/s/demo"));
    let (refused, _) = waited_out(&org, &org.post("/org/s/demo", "/org/s/demo/releases", &[]));
    assert!(
        refused.starts_with("409 ") && refused.contains("30 responses"),
        "a refusal is shown, not lost: {refused}"
    );
    // Nothing running: the waiting page leads on as the last press did.
    let after = org.get("/org/s/demo/working");
    assert_eq!(after.status, 409);
    assert!(after.html.contains("30 responses"));

    answer(&app, 16, 29);
    let (made, waited) = waited_out(&org, &org.post("/org/s/demo", "/org/s/demo/releases", &[]));
    assert_eq!(made, "/org/s/demo/releases/1");
    assert!(
        waited,
        "making a release takes longer than no wait at all, and the survey's page says so"
    );
    assert_eq!(org.get(&made).status, 200);

    answer(&app, 10, 45);
    let (closed, _) = waited_out(
        &org,
        &org.post(
            "/org/s/demo",
            "/org/s/demo/state",
            &[("to", "closed"), ("confirm", "yes")],
        ),
    );
    assert_eq!(closed, "/org/s/demo?closed=published");
    let key = organiser_key_for(&app);
    let (_, list) = api_get(&app, "/api/v1/surveys/demo/releases", &key);
    let list: Value = serde_json::from_str(&list).expect("json");
    assert_eq!(list["releases"], json!([1, 2]), "{list}");
}
