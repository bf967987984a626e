//! What one submission costs a request thread before the store sees it: the JSON body read into
//! an answers object, the answers parsed and checked against the survey, and the record encoded
//! for sealing — the load test's answers to the demo survey (`scripts/load-test`). Run with
//! `cargo bench --bench submit`.

use criterion::{criterion_group, criterion_main, Criterion};

use chorus::submissions::SealedRecord;
use chorus::survey::{answers, BatchTags, Survey};

const DEMO: &str = include_str!("../surveys/demo.toml");
const ANSWERS: &str = include_str!("../scripts/load-test-answers.json");

fn submit(c: &mut Criterion) {
    let survey = Survey::parse(DEMO).expect("the demo survey parses");
    let tags = BatchTags::new();
    let body = format!(
        r#"{{"code":"ABCD-EFGH-JKLM","answers":{}}}"#,
        ANSWERS.trim()
    );
    let object: serde_json::Map<String, serde_json::Value> =
        serde_json::from_str(ANSWERS).expect("the load test's answers are an object");

    c.bench_function("submit/read the JSON body", |b| {
        b.iter(|| {
            let value: serde_json::Value = serde_json::from_str(&body).expect("valid JSON");
            std::hint::black_box(value)
        })
    });
    c.bench_function("submit/parse the answers", |b| {
        b.iter(|| {
            let response = answers::parse_with_context(&survey, &object, &tags)
                .expect("the load test's answers are valid");
            std::hint::black_box(response)
        })
    });
    let response =
        answers::parse_with_context(&survey, &object, &tags).expect("the answers are valid");
    c.bench_function("submit/encode the record", |b| {
        b.iter(|| {
            let record = SealedRecord {
                record_key: 7,
                response: response.clone(),
                chain: None,
            };
            std::hint::black_box(record.encode(&survey))
        })
    });
}

criterion_group!(benches, submit);
criterion_main!(benches);
