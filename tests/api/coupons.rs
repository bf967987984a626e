//! Coupon chains for respondent-driven sampling: a peer whose answers are saved gets the
//! survey's coupons (each working exactly like a card) with a claim stub for each; a coupon's
//! claim is payable once the coupon was used, exactly once, and says nothing of who used it;
//! refused and screened-out submissions get no coupons; no coupon or claim is ever stored in
//! plain text.

use crate::forms::Page;
use crate::helpers::{all_files, get, post, TestApp};
use crate::org_client::{add_account, api_key, OrgClient};
use serde_json::{json, Value};

const RDS_SURVEY: &str = include_str!("../../surveys/rds-injecting-study.toml");
const ID: &str = "rds-injecting-study";

fn rds_survey(app: &TestApp) {
    app.import(RDS_SURVEY);
    app.open_survey(ID);
}

fn answers(network_size: u32) -> Value {
    json!({"consent": "yes", "injected": "yes", "network_size": network_size, "age": 33,
           "shared": "no", "tested": "yes"})
}

/// Submits through the API; returns (coupons, claims) of the 201.
fn take_part(app: &TestApp, code: &str) -> (Vec<String>, Vec<String>) {
    let (status, body) = app.submit(ID, code, &answers(5));
    assert_eq!(status, 201, "{body}");
    let v: Value = serde_json::from_str(&body).expect("json");
    let list = |name: &str| -> Vec<String> {
        v[name]
            .as_array()
            .unwrap_or_else(|| panic!("no {name} in {body}"))
            .iter()
            .map(|c| c.as_str().expect("a code").to_owned())
            .collect()
    };
    (list("coupons"), list("claims"))
}

fn desk(app: &TestApp, action: &str, key: &str, voucher: &str) -> (u16, Value) {
    let (status, body) = post(
        &app.url(&format!("/api/v1/vouchers/{action}")),
        &json!({ "voucher": voucher }).to_string(),
        &[("Authorization", key), ("Content-Type", "application/json")],
    );
    (status, serde_json::from_str(&body).expect("json body"))
}

fn staff_key(app: &TestApp) -> String {
    add_account(app, "sam", "staff");
    format!("Bearer {}", api_key(app, "sam"))
}

#[test]
fn a_seed_gets_three_coupons_whose_recruits_get_three_more_and_each_used_coupon_makes_its_claim_payable(
) {
    let app = TestApp::spawn();
    rds_survey(&app);
    let key = staff_key(&app);
    let seed = app.issue_codes(ID, 1).remove(0);
    let (coupons, claims) = take_part(&app, &seed);
    assert_eq!((coupons.len(), claims.len()), (3, 3));
    // Before any coupon is used, no claim can be paid, and none says it exists: the whole
    // answer is a made-up code's (a stub found on someone says nothing about them).
    let made_up = desk(&app, "check", &key, "AAAA-BBBB-CCCC-DD").1;
    for claim in &claims {
        assert_eq!(desk(&app, "check", &key, claim).1, made_up);
        assert_eq!(desk(&app, "check", &key, claim).1["state"], "not_valid");
    }
    // A coupon opens the landing page exactly like a card.
    let (status, landing) = get(&app.url(&format!("/s/{ID}?code={}", coupons[0])));
    assert_eq!(status, 200, "{landing}");
    assert!(landing.contains(&coupons[0]), "{landing}");
    // Two recruits come; each gets three coupons of their own.
    let (second_wave, _) = take_part(&app, &coupons[0]);
    take_part(&app, &coupons[1]);
    assert_eq!(second_wave.len(), 3);
    let (third_wave, _) = take_part(&app, &second_wave[0]);
    assert_eq!(third_wave.len(), 3);
    // The claims of used coupons are payable recruitment rewards; the unused one's is not.
    for claim in &claims[..2] {
        assert_eq!(
            desk(&app, "check", &key, claim).1,
            json!({"state": "payable", "survey": ID, "reward": true})
        );
    }
    assert_eq!(desk(&app, "check", &key, &claims[2]).1, made_up);
    assert_eq!(desk(&app, "pay", &key, &claims[2]).0, 404);
    let staff = OrgClient::log_in(&app, "desk", "staff");
    let looked = staff.post(
        "/org/vouchers",
        "/org/vouchers/check",
        &[("voucher", &claims[1])],
    );
    assert!(
        looked.html.contains("Recruitment reward"),
        "{}",
        looked.html
    );
    assert!(
        looked.html.contains("A £5 shop voucher for each person"),
        "{}",
        looked.html
    );
    let (status, paid) = desk(&app, "pay", &key, &claims[0]);
    assert_eq!((status, paid["reward"].clone()), (200, json!(true)));
    // A used coupon is a used card: refused like an unknown code, and gives nothing.
    let (status, body) = app.submit(ID, &coupons[0], &answers(5));
    assert_eq!(status, 409, "{body}");
    assert!(!body.contains("coupons"), "{body}");
}

#[test]
fn a_refused_or_screened_out_submission_gets_no_coupons() {
    let app = TestApp::spawn();
    rds_survey(&app);
    let codes = app.issue_codes(ID, 2);
    let (status, body) = app.submit(ID, &codes[0], &json!({"consent": "maybe"}));
    assert_eq!(status, 422, "{body}");
    assert!(!body.contains("coupons"), "{body}");
    let (status, body) = app.submit(ID, "0000-0000-0000-00", &answers(5));
    assert_eq!(status, 409, "{body}");
    assert!(!body.contains("coupons"), "{body}");
    let (status, body) = app.submit(ID, &codes[1], &json!({"consent": "no"}));
    assert_eq!(status, 201, "{body}");
    assert!(
        !body.contains("coupons") && !body.contains("claims"),
        "{body}"
    );
    // The code that was refused for its answers still works, and only then gives coupons.
    let (coupons, _) = take_part(&app, &codes[0]);
    assert_eq!(coupons.len(), 3);
}

#[test]
fn the_thank_you_page_shows_the_coupons_once_as_printable_cards_within_the_page_weight() {
    let app = TestApp::spawn();
    rds_survey(&app);
    let codes = app.issue_codes(ID, 2);
    let review = |code: &str| {
        let landing = Page::get(&app.url(&format!("/s/{ID}?code={code}&lang=es")));
        assert_eq!(landing.status, 200, "{}", landing.html);
        let mut page = landing.form(&format!("/s/{ID}/page")).go("start");
        let mut form = page.form(&format!("/s/{ID}/page"));
        form.set("consent", "yes");
        page = form.go("next");
        let mut form = page.form(&format!("/s/{ID}/page"));
        form.set("injected", "yes");
        page = form.go("next");
        let mut form = page.form(&format!("/s/{ID}/page"));
        form.set("network_size", "12");
        page = form.go("next");
        let mut form = page.form(&format!("/s/{ID}/page"));
        form.set("age", "40")
            .set("shared", "no")
            .set("tested", "yes");
        form.go("next")
    };
    let submit = format!("/s/{ID}/submit");
    let sent = review(&codes[0]).form(&format!("/s/{ID}/page"));
    let thanks = sent.press(None, Some(&submit));
    assert_eq!(thanks.status, 200, "{}", thanks.html);
    assert!(
        thanks.html.contains("Invita a personas que conoces"),
        "{}",
        thanks.html
    );
    let cards = thanks.html.matches("class=\"coupon\"").count();
    assert_eq!(cards, 3, "{}", thanks.html);
    let card = thanks.text(".coupon-card");
    assert!(
        card.contains(&format!("/s/{ID}")),
        "the survey's short address: {card}"
    );
    let coupon = thanks.text(".coupon-card .voucher-code");
    assert_eq!(coupon.len(), 17, "{coupon}");
    assert!(!thanks
        .header("location")
        .is_some_and(|l| l.contains(&coupon)));
    // The same submission again (Back, then Send) is refused and shows no coupon.
    let again = sent.press(None, Some(&submit));
    assert!(!again.html.contains(&coupon), "{}", again.html);
    assert!(!again.has(".coupon"), "{}", again.html);
    let size = review(&codes[1])
        .form(&format!("/s/{ID}/page"))
        .compressed_size(None, Some(&submit));
    assert!(
        size <= 14 * 1024,
        "thank-you page with coupons: {size} bytes"
    );
}

#[test]
fn a_claim_pays_exactly_once_when_fifty_desks_press_at_once() {
    let app = TestApp::spawn();
    rds_survey(&app);
    let key = staff_key(&app);
    let seed = app.issue_codes(ID, 1).remove(0);
    let (coupons, claims) = take_part(&app, &seed);
    take_part(&app, &coupons[0]);
    crate::vouchers::assert_pays_once_among_fifty(&app, &key, &claims[0]);
}

#[test]
fn no_coupon_or_claim_code_is_anywhere_in_the_data_directory() {
    let app = TestApp::spawn();
    rds_survey(&app);
    let seed = app.issue_codes(ID, 1).remove(0);
    let (coupons, claims) = take_part(&app, &seed);
    let (more, more_claims) = take_part(&app, &coupons[0]);
    let secrets: Vec<&String> = coupons
        .iter()
        .chain(&claims)
        .chain(&more)
        .chain(&more_claims)
        .collect();
    let check = |when: &str| {
        for file in all_files(&app.data_dir()) {
            let bytes = std::fs::read(&file).expect("read");
            for secret in &secrets {
                for form in [secret.to_string(), secret.replace('-', "")] {
                    assert!(
                        !bytes.windows(form.len()).any(|w| w == form.as_bytes()),
                        "{when}: {} holds a coupon or claim",
                        file.display()
                    );
                }
            }
        }
    };
    check("before a rewrite");
    let (ok, _, stderr) = app.cli(&["store", "rewrite"]);
    assert!(ok, "{stderr}");
    check("after a rewrite");
    // The rewrite kept what the chain needs: an unused coupon still recruits and pays its stub.
    let key = staff_key(&app);
    assert_eq!(
        desk(&app, "check", &key, &claims[1]).1["state"],
        "not_valid"
    );
    take_part(&app, &coupons[1]);
    assert_eq!(desk(&app, "check", &key, &claims[1]).1["state"], "payable");
}

#[test]
fn organisers_see_how_many_coupons_were_used_only_in_bands() {
    let mut app = TestApp::spawn();
    rds_survey(&app);
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let seed = app.issue_codes(ID, 1).remove(0);
    let mut unused = take_part(&app, &seed).0;
    let mut used = 0;
    while used < 9 {
        let coupon = unused.remove(0);
        unused.extend(take_part(&app, &coupon).0);
        used += 1;
    }
    let page = org.get(&format!("/org/s/{ID}"));
    assert!(
        page.html
            .contains("<dt>Coupons used</dt><dd>fewer than 10</dd>"),
        "{}",
        page.html
    );
    // How far the chain reached is not shown yet: it would tell whether the seed answered.
    assert!(
        page.html
            .contains("<dt>Waves reached</dt><dd>shown once 10 people answered with a coupon</dd>"),
        "{}",
        page.html
    );
    take_part(&app, &unused.remove(0));
    let page = org.get(&format!("/org/s/{ID}"));
    assert!(
        page.html.contains("<dt>Coupons used</dt><dd>10–19</dd>"),
        "{}",
        page.html
    );
    let list = org.get("/org");
    assert!(list.html.contains("coupons used: 10–19"), "{}", list.html);
    // Waves too, in bands (the seed's three recruits, then theirs: wave 2), found again from
    // the sealed responses after a restart.
    assert!(
        page.html.contains("<dt>Waves reached</dt><dd>1–2</dd>"),
        "{}",
        page.html
    );
    app.restart();
    let org = OrgClient::log_in_existing(&app, "maria");
    let page = org.get(&format!("/org/s/{ID}"));
    assert!(
        page.html.contains("<dt>Waves reached</dt><dd>1–2</dd>"),
        "{}",
        page.html
    );
}

/// The only seed card goes to one person; whether anyone then answers with a coupon of theirs
/// (which tells that they answered) changes nothing an organiser sees of the survey until T
/// people have answered with coupons.
#[test]
fn one_answer_with_a_seeds_coupon_changes_nothing_an_organiser_sees() {
    let app = TestApp::spawn();
    rds_survey(&app);
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let seed = app.issue_codes(ID, 1).remove(0);
    let view = |org: &OrgClient| {
        let page = org.get(&format!("/org/s/{ID}")).html;
        let list = org.get("/org").html;
        let progress = |html: &str| -> String {
            html.split("<dl")
                .nth(1)
                .and_then(|d| d.split("</dl>").next())
                .unwrap_or("")
                .to_owned()
        };
        (progress(&page), list)
    };
    let coupons = take_part(&app, &seed).0;
    let before = view(&org);
    take_part(&app, &coupons[0]);
    let after = view(&org);
    assert_eq!(before.0, after.0, "the survey's page changed");
    let row = |list: &str| -> String {
        list.split(&format!("/org/s/{ID}\""))
            .nth(1)
            .and_then(|r| r.split("</tr>").next())
            .unwrap_or("")
            .to_owned()
    };
    assert_eq!(row(&before.1), row(&after.1), "the survey list changed");
}

/// `people` answer through the API, person `i` with `who(i)` = (their "tested" answer, their
/// network size); then release 1 is published. Returns its JSON.
fn first_release(
    app: &TestApp,
    people: usize,
    who: impl Fn(usize) -> (&'static str, u32),
) -> Value {
    add_account(app, "maria", "organiser");
    let key = format!("Bearer {}", api_key(app, "maria"));
    for (i, code) in app.issue_codes(ID, people).iter().enumerate() {
        let (tested, known) = who(i);
        let mut a = answers(known);
        a["tested"] = json!(tested);
        let (status, body) = app.submit(ID, code, &a);
        assert_eq!(status, 201, "{body}");
    }
    let (status, body) = post(
        &app.url(&format!("/api/v1/surveys/{ID}/releases")),
        "",
        &[("Authorization", &key)],
    );
    assert_eq!(status, 201, "{body}");
    let (status, body) =
        crate::helpers::api_get(app, &format!("/api/v1/surveys/{ID}/releases/1"), &key);
    assert_eq!(status, 200, "{body}");
    serde_json::from_str(&body).expect("json")
}

/// 40 people with 2 contacts who had a test and 40 with 8 who had not: unweighted 50% each;
/// weighted by 1 ÷ contacts, 40/2 ÷ (40/2 + 40/8) = 80% and 20%. 80 people, the heaviest of
/// whom weighs (1/2) ÷ 25 = 2% of the table: steps of 10%.
#[test]
fn the_release_shows_rds_ii_weighted_percentages_that_match_the_hand_worked_example() {
    let app = TestApp::spawn();
    rds_survey(&app);
    let doc = first_release(
        &app,
        80,
        |i| {
            if i % 2 == 0 {
                ("yes", 2)
            } else {
                ("no", 8)
            }
        },
    );
    let tested = doc["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .find(|t| t["id"] == "tested")
        .expect("the tested table");
    let weighted = tested["rds_percent"].as_array().expect("rds_percent");
    assert_eq!(
        (&weighted[0], &weighted[1]),
        (&json!(80), &json!(20)),
        "{tested}"
    );
    assert_eq!(weighted.last(), Some(&json!(100)));
    // The release page shows them in a column of their own.
    let org = OrgClient::log_in_existing(&app, "maria");
    let page = org.get(&format!("/org/s/{ID}/releases/1"));
    assert!(page.html.contains("RDS-II weighted %"), "{}", page.html);
    assert!(
        page.html.contains("<td class=\"n\">80%</td>"),
        "{}",
        page.html
    );
    // Two-way tables carry none.
    assert!(doc["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .filter(|t| t["variables"].as_array().is_some_and(|v| v.len() == 2))
        .all(|t| t.get("rds_percent").is_none()));
}

/// An organiser answers 49 cards themselves, each with a network size of 500 and answers they
/// know, and gives the 50th to one person, who knows 4 people. Every count is shown and says
/// nothing of that person, but by weight they are 72% of every table: weighted percentages
/// would give their answers away (an outside review read all three this way). None are shown.
#[test]
fn weighted_percentages_are_not_shown_where_one_person_weighs_most_of_the_table() {
    let app = TestApp::spawn();
    rds_survey(&app);
    let doc = first_release(&app, 50, |i| match i {
        49 => ("yes", 4),
        _ if i % 2 == 0 => ("yes", 500),
        _ => ("no", 500),
    });
    let tables = doc["tables"].as_array().expect("tables");
    let tested = tables
        .iter()
        .find(|t| t["id"] == "tested")
        .expect("the tested table");
    // The counts are there (25 and 25, give or take the adjustment)...
    assert!(tested["cells"][0][0]["count"].is_u64(), "{tested}");
    // ...but no table carries a weighted percentage.
    for t in tables {
        assert!(t.get("rds_percent").is_none(), "{t}");
    }
}

/// Ten seeds each bring three recruits; the first recruit of each brings two more: 60 people
/// in waves 0, 1 and 2. Every other person had a test and knows 2 people, the others know 8:
/// RDS-II gives 30/2 ÷ (30/2 + 30/8) = 0.8, whichever rows are which.
#[test]
fn an_approved_export_carries_the_recruitment_tree_and_r_computes_rds_ii_from_it() {
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    rds_survey(&app);
    let mut counter = 0;
    // Half test positive, alternating so that every wave and every number of recruits has
    // both answers (the tree is exported only with wave and recruits as they are, which needs
    // each such group to be diverse).
    let mut person = |code: &str| -> Vec<String> {
        let (tested, known) = if (counter + counter / 6) % 2 == 0 {
            ("yes", 2)
        } else {
            ("no", 8)
        };
        counter += 1;
        let mut a = answers(known);
        a["tested"] = json!(tested);
        let (status, body) = app.submit(ID, code, &a);
        assert_eq!(status, 201, "{body}");
        let v: Value = serde_json::from_str(&body).expect("json");
        v["coupons"]
            .as_array()
            .expect("coupons")
            .iter()
            .map(|c| c.as_str().expect("code").to_owned())
            .collect()
    };
    for seed in app.issue_codes(ID, 10) {
        let coupons = person(&seed);
        for (i, coupon) in coupons.iter().enumerate() {
            let theirs = person(coupon);
            if i == 0 {
                person(&theirs[0]);
                person(&theirs[1]);
            }
        }
    }
    let (ok, _, stderr) = app.cli(&["survey", "close", ID]);
    assert!(ok, "{stderr}");
    add_account(&app, "rita", "researcher");
    add_account(&app, "maria", "organiser");
    let researcher = format!("Bearer {}", api_key(&app, "rita"));
    let organiser = format!("Bearer {}", api_key(&app, "maria"));
    let (status, body) = post(
        &app.url(&format!("/api/v1/surveys/{ID}/exports")),
        r#"{"purpose": "RDS-II estimates"}"#,
        &[("Authorization", &researcher)],
    );
    assert_eq!(status, 201, "{body}");
    let id = serde_json::from_str::<Value>(&body).expect("json")["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let (status, body) = post(
        &app.url(&format!("/api/v1/exports/{id}/approve")),
        "",
        &[("Authorization", &organiser)],
    );
    assert_eq!(status, 200, "{body}");
    let response = ureq::get(&app.url(&format!("/api/v1/exports/{id}/bundle")))
        .set("Authorization", &researcher)
        .call()
        .expect("download");
    let mut zip = Vec::new();
    std::io::Read::read_to_end(&mut response.into_reader(), &mut zip).expect("bytes");
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(zip)).expect("a zip");
    let files: std::collections::HashMap<String, Vec<u8>> = (0..archive.len())
        .map(|i| {
            let mut f = archive.by_index(i).expect("entry");
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut f, &mut bytes).expect("read");
            (f.name().expect("name").into_owned(), bytes)
        })
        .collect();
    let data = String::from_utf8(files["data.csv"].clone()).expect("utf-8");
    let header = data.lines().next().expect("header");
    for column in [
        "rds_id",
        "rds_recruiter_id",
        "rds_seed",
        "rds_wave",
        "rds_coupons_used",
        "rds_network_size",
    ] {
        assert!(header.split(',').any(|h| h == column), "{column}: {header}");
    }
    let dir = app.dir.path().join("unzipped-rds");
    crate::export_loaders::unzip(&files, &dir);
    let script = r#"source("load.R")
cat(nrow(chorus), "\n", sep = "")
cat(all(chorus$rds_recruiter_id == 0 | chorus$rds_recruiter_id %in% chorus$rds_id), "\n", sep = "")
cat(sum(chorus$rds_seed), "\n", sep = "")
cat(identical(attr(chorus, "recruiter.id"), "rds_recruiter_id"), "\n", sep = "")
cat(identical(attr(chorus, "network.size.variable"), "rds_network_size"), "\n", sep = "")
w <- 1 / chorus$rds_network_size
answered <- !is.na(chorus$tested)
cat(sprintf("%.4f", sum(w[answered & chorus$tested == "Yes"]) / sum(w[answered])), "\n", sep = "")
"#;
    let Some(out) = crate::export_loaders::run("Rscript", &["-e", script], &dir) else {
        return;
    };
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        ["60", "TRUE", "10", "TRUE", "TRUE", "0.8000"],
        "{out}"
    );
}

/// A paper questionnaire of a coupon survey, entered by staff: the "Saved" page shows the
/// person's coupons and claim stubs once, as the thank-you page does — without them every paper
/// respondent ended their chain, and their coupons stayed stored, never used (an outside
/// review). A coupon from it works like one given on a phone.
#[test]
fn a_paper_questionnaire_gets_its_coupons_on_the_saved_page_and_they_work() {
    let app = TestApp::spawn_configured(
        &[],
        Some("code_entries_per_minute = 0\nsubmissions_per_minute = 0\n"),
    );
    rds_survey(&app);
    let code = app.issue_codes(ID, 1).remove(0);
    let staff = OrgClient::log_in(&app, "sam", "staff");
    let press = |page: &Page, action: Option<&str>| -> Page {
        let form = page.form("/page");
        let fields: Vec<(&str, &str)> = form
            .fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .chain(action.is_none().then_some(("_go", "next")))
            .collect();
        staff.post_raw(action.unwrap_or(&form.action), &fields)
    };
    let mut page = staff.post("/org/entry", "/org/entry", &[("_code", &code)]);
    assert_eq!(page.status, 200, "{}", page.html);
    for (name, value) in [
        ("consent", "yes"),
        ("injected", "yes"),
        ("network_size", "12"),
    ] {
        let mut form = page.form("/page");
        form.set(name, value);
        let fields: Vec<(&str, &str)> = form
            .fields
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .chain([("_go", "next")])
            .collect();
        page = staff.post_raw(&form.action, &fields);
        assert_eq!(page.status, 200, "{name}: {}", page.html);
    }
    let mut form = page.form("/page");
    form.set("age", "40")
        .set("shared", "no")
        .set("tested", "yes");
    let fields: Vec<(&str, &str)> = form
        .fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .chain([("_go", "next")])
        .collect();
    let review = staff.post_raw(&form.action, &fields);
    let saved = press(&review, Some(&format!("/org/entry/{ID}/submit")));
    assert_eq!(saved.status, 200, "{}", saved.html);
    assert_eq!(
        saved.html.matches("class=\"coupon\"").count(),
        3,
        "{}",
        saved.html
    );
    let coupon = saved.text(".coupon-card .voucher-code");
    // A recruit uses it on a phone, as any coupon.
    let (status, body) = app.submit(ID, &coupon, &answers(4));
    assert_eq!(status, 201, "{body}");
}
