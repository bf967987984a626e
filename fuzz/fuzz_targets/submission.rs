//! Arbitrary bytes as a submission against the demo survey, the way the JSON API receives them
//! (`serde_json` into an object, then `answers::parse`), and arbitrary form fields through
//! `form::to_json` (the server-rendered pages' path). Nothing here may panic.
#![no_main]

use std::sync::OnceLock;

use chorus::survey::{answers, form, Survey};
use libfuzzer_sys::fuzz_target;
use serde_json::{Map, Value};

fn demo() -> &'static Survey {
    static DEMO: OnceLock<Survey> = OnceLock::new();
    DEMO.get_or_init(|| {
        Survey::parse(include_str!("../../surveys/demo.toml")).expect("the demo survey parses")
    })
}

fuzz_target!(|data: &[u8]| {
    let survey = demo();

    // The JSON API: `{"answers": {...}}` arrives as an object of question id → value.
    if let Ok(map) = serde_json::from_slice::<Map<String, Value>>(data) {
        let _ = answers::parse(survey, &map);
        let _ = answers::parse_partial(survey, &map);
        for page in 0..=survey.pages().len() {
            let _ = answers::parse_through_page(survey, &map, page);
        }
    }

    // The HTML form: split the bytes into `name=value` lines, as a decoded form body would be.
    let text = String::from_utf8_lossy(data);
    let fields: Vec<(String, String)> = text
        .split('\n')
        .map(|line| match line.split_once('=') {
            Some((name, value)) => (name.to_owned(), value.to_owned()),
            None => (line.to_owned(), String::new()),
        })
        .collect();
    let json = form::to_json(survey, &fields);
    let _ = answers::parse(survey, &json);
    let _ = answers::parse_partial(survey, &json);
});
