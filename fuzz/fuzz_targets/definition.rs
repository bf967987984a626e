//! Arbitrary text as a survey definition: `Survey::parse` must return a definition or a list of
//! errors, never panic, however broken the TOML or the conditions inside it are.
#![no_main]

use chorus::survey::Survey;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|source: &str| {
    if let Ok(survey) = Survey::parse(source) {
        // A definition that parsed can be walked and shown without surprises.
        let _ = survey.questions().count();
        for q in survey.questions() {
            let _ = survey.page_of(q.id.as_str());
        }
        // What `GET /api/v1/surveys/{id}` serves, and the logic run on an empty response.
        let _ = survey.public_json();
        let empty = chorus::survey::Response::default();
        let _ = survey.visible_answers(&empty);
        let _ = survey.ended_after(&empty);
        let _ = survey.with_computed(&empty);
        for w in survey.warnings() {
            let _ = w.to_string();
        }
        for q in survey.questions() {
            let _ = survey.pipe(q.text.default_text(), &empty, "en");
        }
        // The definition it keeps must itself parse again.
        assert!(
            Survey::parse(survey.source()).is_ok(),
            "an accepted definition's own source was rejected"
        );
    }
});
