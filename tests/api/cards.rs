//! Code cards: the printed QR codes decode to the survey link with a working code; the CSV holds
//! the same; codes are shown once.

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

#[test]
fn printed_cards_carry_qr_codes_that_decode_to_the_survey_link_with_a_working_code() {
    let app = TestApp::spawn();
    let org = OrgClient::log_in(&app, "maria", "organiser");
    let page = org.post(
        "/org/s/demo",
        "/org/s/demo/codes",
        &[("count", "10"), ("paper", "a4"), ("format", "print")],
    );
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
    let csv = org.post(
        "/org/s/demo",
        "/org/s/demo/codes",
        &[("count", "4"), ("format", "csv")],
    );
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
    let letter = org.post(
        "/org/s/demo",
        "/org/s/demo/codes",
        &[("count", "2"), ("paper", "letter"), ("format", "print")],
    );
    assert!(letter.html.contains("paper-letter"));
    let too_many = org.post(
        "/org/s/demo",
        "/org/s/demo/codes",
        &[("count", "100000"), ("format", "print")],
    );
    assert!(too_many.html.contains("from 1 to 2000"));
}
