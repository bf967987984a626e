//! Page weight: every peer page, compressed, with its stylesheet (and the optional script), fits
//! in 14 KB — one round trip on a slow prepaid connection.

use crate::forms::{compressed_get, Page};
use crate::helpers::TestApp;

const BUDGET: usize = 14 * 1024;

#[test]
fn every_peer_page_type_weighs_at_most_14_kb_compressed_with_its_css() {
    let app = TestApp::spawn();
    let assets = compressed_get(&app.url("/static/chorus.css"))
        + compressed_get(&app.url("/static/chorus.js"));
    let mut weights: Vec<(String, usize)> = vec![
        ("home".into(), compressed_get(&app.url("/"))),
        ("privacy".into(), compressed_get(&app.url("/privacy"))),
        ("not found".into(), compressed_get(&app.url("/s/nope"))),
    ];
    let code = app.issue_codes("demo", 1).remove(0);
    let landing_url = app.url(&format!("/s/demo?code={code}"));
    weights.push(("landing".into(), compressed_get(&landing_url)));

    // Walk every page of the demo, taking every branch (first options), measuring each.
    let landing = Page::get(&landing_url);
    let mut page = landing.form("/s/demo/page").go("start");
    let mut step = 0;
    let mut last_form = landing.form("/s/demo/page");
    while page.h1() != "Check your answers" && step < 20 {
        step += 1;
        weights.push((
            format!("page {step}: {}", page.h1()),
            last_form.compressed_size(
                Some(("_go", if step == 1 { "start" } else { "next" })),
                None,
            ),
        ));
        let mut form = page.form("/s/demo/page");
        for (name, value) in first_choices(&page) {
            if form.value(&name).is_none() {
                form.set(&name, &value);
            }
        }
        last_form = form;
        page = last_form.go("next");
    }
    assert!(step >= 8, "walked the whole demo");
    weights.push((
        "review".into(),
        last_form.compressed_size(Some(("_go", "next")), None),
    ));
    let review = page.form("/s/demo/page");
    weights.push((
        "thanks".into(),
        review.compressed_size(None, Some("/s/demo/submit")),
    ));

    for (name, html) in &weights {
        let total = html + assets;
        println!("{name}: {html} B html + {assets} B css/js = {total} B");
        assert!(total <= BUDGET, "{name} weighs {total} bytes compressed");
    }
}

/// For each radio/checkbox group on a page, its first option that is not a non-answer.
fn first_choices(page: &Page) -> Vec<(String, String)> {
    let doc = scraper::Html::parse_document(&page.html);
    let sel = scraper::Selector::parse(".opts input").expect("selector");
    let mut seen = std::collections::HashSet::new();
    doc.select(&sel)
        .filter_map(|i| {
            let name = i.value().attr("name")?.to_owned();
            let value = i.value().attr("value")?.to_owned();
            seen.insert(name.clone()).then_some((name, value))
        })
        .collect()
}
