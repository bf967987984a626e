//! Release computation — budget: all tables of a 40-question survey in ≤ 1 s at 100,000
//! responses and ≤ 2 s at 300, on 2 cores: tally + protect of the whole catalogue. At 300 many
//! cells are small, and redesign and the joint audit do most of the work.
//!
//! A second release of the small survey (300 responses, then 360: the same people and 60 more)
//! is audited jointly with the first, passed as the product passes it (the first release's
//! document, read back as earlier tables); it has no budget yet, only a measurement.
//!
//! Each further release of the same survey: `cargo run --release --example release_series`.
//!
//! Run: `cargo bench --bench release` (all cases), `cargo bench --bench release -- second`
//! (the second release only), `cargo bench --bench release -- 300_responses` (the first only).

use std::hint::black_box;

use chorus::disclosure::{protect_catalogue, EarlierRelease, DEFAULT_THRESHOLD};
use chorus::release::ReleaseDocument;
use chorus::survey::Survey;
use chorus::tally::tally;
use criterion::{criterion_group, criterion_main, Criterion};

#[path = "support/bench_survey.rs"]
mod bench_survey;
use bench_survey::{definition, responses};

fn release(c: &mut Criterion) {
    let survey = Survey::parse(&definition()).expect("bench survey parses");
    let mut group = c.benchmark_group("release");
    group.sample_size(10);
    for (name, n) in [("100k_responses", 100_000), ("300_responses", 300)] {
        let records = responses(&survey, n, 2027);
        group.bench_function(name, |b| {
            b.iter(|| {
                let catalogue = tally(&survey, records.iter().map(|(k, r)| (*k, r)));
                black_box(protect_catalogue(&catalogue, DEFAULT_THRESHOLD, &[]))
            })
        });
    }
    // The first 300 of 360 responses from the same seed are the 300 above: the same people.
    let first = responses(&survey, 300, 2027);
    let catalogue = tally(&survey, first.iter().map(|(k, r)| (*k, r)));
    let released = protect_catalogue(&catalogue, DEFAULT_THRESHOLD, &[]);
    let document = ReleaseDocument::new(&survey, 1, false, true, &released);
    let earlier: Vec<EarlierRelease> = vec![EarlierRelease {
        responses: Some(300),
        ..document.earlier()
    }];
    let records = responses(&survey, 360, 2027);
    group.bench_function("second_release_360_responses", |b| {
        b.iter(|| {
            let catalogue = tally(&survey, records.iter().map(|(k, r)| (*k, r)));
            black_box(protect_catalogue(&catalogue, DEFAULT_THRESHOLD, &earlier))
        })
    });
    group.finish();
}

criterion_group!(benches, release);
criterion_main!(benches);
