//! Release computation — budget: all tables of a 40-question survey in ≤ 1 s at 100,000
//! responses and ≤ 2 s at 300, on 2 cores: tally + protect of the whole catalogue. At 300 many
//! cells are small, and redesign and the joint audit do most of the work.
//!
//! A second release of the small survey (300 responses, then 360: the same people and 60 more)
//! is audited jointly with the first, passed as the product passes it (the first release's
//! document, read back as earlier tables); it has no budget yet, only a measurement.
//!
//! Run: `cargo bench --bench release` (all cases), `cargo bench --bench release -- second`
//! (the second release only), `cargo bench --bench release -- 300_responses` (the first only).

use std::fmt::Write;
use std::hint::black_box;

use chorus::disclosure::{protect_catalogue, EarlierRelease, DEFAULT_THRESHOLD};
use chorus::release::{ReleaseDocument, Table};
use chorus::survey::{Answer, NonAnswer, QuestionId, Response, Survey};
use chorus::tally::tally;
use criterion::{criterion_group, criterion_main, Criterion};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// 40 closed questions: 16 single (3–8 options), 8 banded numbers, 8 Likert, 8 multi.
fn definition() -> String {
    let mut s = String::from("id = \"bench\"\ntitle = \"Bench\"\n\n[[pages]]\ntitle = \"All\"\n");
    let options = |n: usize| {
        (0..n)
            .map(|i| format!("{{ id = \"o{i}\", text = \"Option {i}\" }}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for q in 0..40 {
        s.push_str("\n  [[pages.questions]]\n");
        let _ = writeln!(
            s,
            "  id = \"q{q}\"\n  role = \"plain\"\n  text = \"Question {q}\""
        );
        let _ = match q % 5 {
            0 | 1 => writeln!(
                s,
                "  type = \"single\"\n  options = [{}]",
                options(3 + q % 6)
            ),
            2 => writeln!(
                s,
                "  type = \"number\"\n  min = 16\n  max = 99\n  bands = [[16, 24], [25, 34], [35, 44], [45, 54], [55, 99]]"
            ),
            3 if q % 2 == 1 => writeln!(s, "  type = \"scale\"\n  options = [{}]", options(5)),
            3 => writeln!(s, "  type = \"single\"\n  options = [{}]", options(4)),
            _ if q % 2 == 0 => writeln!(s, "  type = \"multi\"\n  options = [{}]", options(4 + q % 3)),
            _ => writeln!(s, "  type = \"scale\"\n  options = [{}]", options(5)),
        };
    }
    s
}

fn responses(survey: &Survey, n: usize, seed: u64) -> Vec<(u32, Response)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let questions: Vec<_> = survey.questions().collect();
    (0..n)
        .map(|_| {
            let mut r = Response::default();
            for q in &questions {
                let roll: f64 = rng.gen();
                if roll < 0.05 {
                    continue; // skipped
                }
                let id = QuestionId::parse(q.id.as_str()).expect("valid id");
                let options = q.kind.options();
                let answer = if roll < 0.08 {
                    Answer::NonAnswer(NonAnswer::DontKnow)
                } else if roll < 0.10 {
                    Answer::NonAnswer(NonAnswer::PreferNotToSay)
                } else {
                    match q.type_name() {
                        "number" => Answer::Number(rng.gen_range(16..=99)),
                        "multi" => {
                            let chosen: Vec<String> = options
                                .iter()
                                .filter(|_| rng.gen_bool(0.4))
                                .map(|o| o.id.clone())
                                .collect();
                            if chosen.is_empty() {
                                continue;
                            }
                            Answer::Choices(chosen)
                        }
                        _ => {
                            let i = rng.gen_range(0..options.len());
                            Answer::Choice(options[i].id.clone())
                        }
                    }
                };
                r.insert(id, answer);
            }
            (rng.gen(), r)
        })
        .collect()
}

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
    let earlier: Vec<EarlierRelease> = vec![document.tables.iter().map(Table::earlier).collect()];
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
