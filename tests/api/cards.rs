//! Code cards: the printed QR codes decode to the survey link with a working code; each card
//! carries the short address and every language's title and promise; the CSV holds the same;
//! issuing is a POST and a redirect, and the codes are shown once.

use crate::forms::Page;
use crate::helpers::TestApp;
use crate::org_client::OrgClient;
use crate::submissions::minimal_answers;

/// Rasterises the SVG our QR renderer writes (`M{x} {y}h{w}v{h}H{x}V{y}` per dark run) and
/// decodes it.
fn decode_qr(svg: &str) -> String {
    let view = svg.split("viewBox=\"").nth(1).expect("viewBox");
    let dims: Vec<usize> = view
        .split('"')
        .next()
        .expect("dims")
        .split(' ')
        .map(|n| n.parse().expect("number"))
        .collect();
    let (w, h) = (dims[2], dims[3]);
    let scale = 4;
    let mut dark = vec![false; w * h];
    let d = svg
        .split(" d=\"")
        .nth(1)
        .expect("path")
        .split('"')
        .next()
        .expect("path data");
    for segment in d.split('M').filter(|s| !s.is_empty()) {
        let nums: Vec<usize> = segment
            .split(|c: char| !c.is_ascii_digit())
            .filter(|s| !s.is_empty())
            .map(|n| n.parse().expect("number"))
            .collect();
        let (x, y, rw, rh) = (nums[0], nums[1], nums[2], nums[3]);
        for yy in y..y + rh {
            for xx in x..x + rw {
                dark[yy * w + xx] = true;
            }
        }
    }
    let mut img = rqrr::PreparedImage::prepare_from_greyscale(w * scale, h * scale, |x, y| {
        if dark[(y / scale) * w + x / scale] {
            0
        } else {
            255
        }
    });
    let grids = img.detect_grids();
    assert_eq!(grids.len(), 1, "one QR code per card");
    grids[0].decode().expect("decodes").1
}

/// Issues a printed batch: the POST answers with a redirect to the sheet, which is then fetched.
fn issue_cards(org: &OrgClient, count: &str, paper: &str) -> (String, Page) {
    let issued = org.post(
        "/org/s/demo",
        "/org/s/demo/codes",
        &[("count", count), ("paper", paper), ("format", "print")],
    );
    assert_eq!(issued.status, 303, "{}", issued.html);
    let sheet = issued.header("location").expect("a redirect").to_owned();
    assert!(sheet.starts_with("/org/s/demo/cards/"), "{sheet}");
    assert!(
        !issued.html.contains("<svg"),
        "the POST itself shows no code"
    );
    let page = org.get(&sheet);
    (sheet, page)
}

#[test]
fn printed_cards_carry_qr_codes_that_decode_to_the_survey_link_with_a_working_code() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let (_, page) = issue_cards(&org, "10", "a4");
    assert_eq!(page.status, 200, "{}", page.html);
    let svgs: Vec<&str> = page
        .html
        .split("<svg")
        .skip(1)
        .map(|s| s.split("</svg>").next().expect("svg"))
        .collect();
    assert_eq!(svgs.len(), 10);
    let mut links = Vec::new();
    for svg in &svgs {
        let link = decode_qr(svg);
        assert!(
            link.starts_with(&format!("{}/s/demo?code=", app.address)),
            "{link}"
        );
        let code = link.rsplit('=').next().expect("code").to_owned();
        assert!(page.html.contains(&code), "the short code is printed too");
        links.push(code);
    }
    assert!(page.html.contains("Anonymous"), "the one-line promise");
    assert!(page.html.contains("paper-a4"));
    assert_eq!(
        page.html.matches("class=\"sheet\"").count(),
        1,
        "ten cards, one page"
    );
    assert_eq!(app.submit("demo", &links[0], &minimal_answers()).0, 201);
    assert_eq!(app.submit("demo", &links[9], &minimal_answers()).0, 201);
    // The batch is listed, with its used codes banded.
    let survey = org.get("/org/s/demo");
    assert!(survey.html.contains("fewer than 10"), "{}", survey.html);
    // The audit log says codes were issued, never which.
    let audit = org.get("/org/audit");
    assert!(audit.html.contains("issue codes"));
    assert!(!audit.html.contains(&links[0]));
}

#[test]
fn a_batch_can_be_issued_as_csv_and_on_us_letter() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let issued = org.post(
        "/org/s/demo",
        "/org/s/demo/codes",
        &[("count", "4"), ("format", "csv")],
    );
    // Like the printed sheet, the file is the page the POST's redirect leads to, once.
    assert_eq!(issued.status, 303, "{}", issued.html);
    let sheet = issued.header("location").expect("a redirect").to_owned();
    let csv = org.get(&sheet);
    assert_eq!(csv.status, 200);
    assert!(csv
        .header("content-type")
        .unwrap_or("")
        .starts_with("text/csv"));
    assert!(csv
        .header("content-disposition")
        .unwrap_or("")
        .contains("attachment"));
    let lines: Vec<&str> = csv.html.lines().collect();
    assert_eq!(lines[0], "code,link");
    assert_eq!(lines.len(), 5);
    let code = lines[1].split(',').next().expect("code");
    assert_eq!(app.submit("demo", code, &minimal_answers()).0, 201);
    assert_eq!(org.get(&sheet).status, 410, "the file is given once");
    let (_, letter) = issue_cards(&org, "2", "letter");
    assert!(letter.html.contains("paper-letter"));
    let too_many = org.post(
        "/org/s/demo",
        "/org/s/demo/codes",
        &[("count", "100000"), ("format", "print")],
    );
    assert!(too_many.html.contains("from 1 to 2000"));
}

#[test]
fn every_card_has_the_short_address_and_the_title_and_promise_in_each_language() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let (_, page) = issue_cards(&org, "3", "a4");
    let host = app.address.trim_start_matches("http://");
    // As written in the HTML (Tera escapes the slashes).
    let address = format!("{host}/s/demo").replace('/', "&#x2F;");
    assert_eq!(page.html.matches(&address).count(), 3, "{}", page.html);
    for text in [
        "Our lives, our services: community survey",
        "Nuestras vidas, nuestros servicios: encuesta comunitaria",
        "Anonymous: nobody can link your answers to you.",
        "Anónima: nadie puede relacionar tus respuestas contigo.",
    ] {
        let count = page.html.matches(text).count() - usize::from(text.starts_with("Our lives")); // once more in the page's heading
        assert_eq!(count, 3, "{text} on every card");
    }
    assert!(
        page.html.contains("lang=\"es\""),
        "Spanish text is marked as such"
    );
}

#[test]
fn reloading_the_printed_cards_shows_them_no_more_and_issues_nothing() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let (sheet, page) = issue_cards(&org, "4", "a4");
    assert_eq!(page.html.matches("class=\"card\"").count(), 4);
    let before = org.get("/org/s/demo").html.matches("<tr").count();
    let reload = org.get(&sheet);
    assert_eq!(reload.status, 410);
    assert!(reload.html.contains("shown once"), "{}", reload.html);
    assert!(!reload.html.contains("<svg"));
    assert_eq!(
        org.get("/org/s/demo").html.matches("<tr").count(),
        before,
        "no batch was added by the reload"
    );
    // Another organiser holding the address gets nothing either.
    let (sheet, _) = {
        let issued = org.post(
            "/org/s/demo",
            "/org/s/demo/codes",
            &[("count", "1"), ("format", "print")],
        );
        (issued.header("location").expect("redirect").to_owned(), ())
    };
    let other = OrgClient::log_in(&app, "ana", "organiser");
    assert_eq!(other.get(&sheet).status, 410);
    assert_eq!(org.get(&sheet).status, 200, "still there for its organiser");
}

/// A double tap on "Issue", or Back and send again, issues one batch: the second sending leads
/// to the first one's cards instead of a second batch that nobody would ever see.
#[test]
fn the_card_form_sent_twice_issues_one_batch() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let batches = || org.get("/org/audit").html.matches("issue codes").count();
    let before = batches();
    let form = org.get("/org/s/demo").form("/codes");
    let mut fields: Vec<(&str, &str)> = form
        .fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    fields.retain(|(k, _)| *k != "count" && *k != "format");
    fields.extend([("count", "3"), ("format", "print")]);
    let first = org.post_raw(&form.action, &fields);
    let again = org.post_raw(&form.action, &fields);
    assert_eq!((first.status, again.status), (303, 303), "{}", again.html);
    assert_eq!(first.header("location"), again.header("location"));
    let sheet = org.get(again.header("location").expect("a redirect"));
    assert_eq!(
        sheet.status, 200,
        "the cards are shown to whichever sending is followed"
    );
    assert_eq!(batches(), before + 1, "one batch");
    // The page shown again is a new form: it issues a new batch.
    assert_eq!(issue_cards(&org, "2", "a4").1.status, 200);
    assert_eq!(batches(), before + 2);
}
