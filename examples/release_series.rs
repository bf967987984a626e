//! How long each release of one survey takes as releases accumulate: the 40-question survey of
//! `cargo bench --bench release`, released at 300 responses and then again each time a fifth
//! more have come in, every release audited against all the earlier ones as the product does.
//!
//! Run: `cargo run --release --example release_series` (`RELEASES=4` for fewer than six,
//! `START=100` for a first release at 100 responses instead of 300, `QUESTIONS=15` for the
//! survey's first 15 questions only, `SURVEY=surveys/naloxone-carry.toml` for a definition of
//! this repository instead, answered at random with skewed answers and its conditions obeyed,
//! `SEED=7` for other answers than the default seed's).

use std::hint::black_box;
use std::time::Instant;

use chorus::disclosure::{protect_catalogue, EarlierRelease, DEFAULT_THRESHOLD};
use chorus::release::ReleaseDocument;
use chorus::survey::{Answer, NonAnswer, QuestionKind, Response, Survey};
use chorus::tally::tally;
use chorus::vault::hex;

#[path = "../benches/support/bench_survey.rs"]
mod bench_survey;
#[path = "../benches/support/usefulness.rs"]
mod usefulness;
use bench_survey::{definition, responses};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use usefulness::{measure, share, Tally};

fn main() {
    let releases: u32 = std::env::var("RELEASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let path = std::env::var("SURVEY").ok();
    let source = match &path {
        Some(p) => std::fs::read_to_string(p).expect("the survey file reads"),
        None => definition(),
    };
    let survey = Survey::parse(&source).expect("the survey parses");
    let seed: u64 = std::env::var("SEED")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2027);
    let mut earlier: Vec<EarlierRelease> = Vec::new();
    let mut n: usize = std::env::var("START")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    // The digest lets two builds be compared: the same tables, byte for byte, or not.
    println!("| release | responses | time | tables shown | digest of the tables | one-way counts ≥ T (complement ≥ T) published | two-way inner counts ≥ T published or shown redesigned |");
    println!("|---|---|---|---|---|---|---|");
    for number in 1..=releases {
        // The same seed: the first n people of every release are the people of the one before.
        let records = match path {
            Some(_) => skewed_responses(&survey, n, seed),
            None => responses(&survey, n, 2027),
        };
        let catalogue = tally(&survey, records.iter().map(|(k, r)| (*k, r)));
        let started = Instant::now();
        let released = black_box(protect_catalogue(&catalogue, DEFAULT_THRESHOLD, &earlier));
        let took = started.elapsed();
        let shown = released.iter().filter(|r| r.shown().is_some()).count();
        let document = ReleaseDocument::new(&survey, number, false, true, &released);
        let json = serde_json::to_vec(&document.tables).expect("tables serialise");
        let digest = ring::digest::digest(&ring::digest::SHA256, &json);
        let short = hex(&digest.as_ref()[..6]);
        let mut usefulness = Tally::default();
        measure(&catalogue, &released, &mut usefulness);
        println!(
            "| {number} | {n} | {:.2} s | {shown} of {} | {short} | {} of {} | {} of {} |",
            took.as_secs_f64(),
            released.len(),
            share(usefulness.one_published, usefulness.one_safe),
            usefulness.one_safe,
            share(usefulness.two_shown, usefulness.two_safe),
            usefulness.two_safe,
        );
        // The release rule is measured from how many responses a release counted, which the
        // audit of the next takes as known to a reader.
        earlier.push(EarlierRelease {
            responses: Some(n as u64),
            ..document.earlier()
        });
        n += n / 5;
    }
}

/// `n` responses to any survey: each closed question answered with skewed choices (the first
/// option most often, in an order drawn once per question), 3% skipped, 2% "don't know", then
/// cut to what the survey's conditions show, as a submission is.
fn skewed_responses(survey: &Survey, n: usize, seed: u64) -> Vec<(u32, Response)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let questions: Vec<_> = survey.questions().collect();
    let orders: Vec<Vec<usize>> = questions
        .iter()
        .map(|q| {
            let mut order: Vec<usize> = (0..q.kind.options().len().max(1)).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.gen_range(0..=i));
            }
            order
        })
        .collect();
    let pick = |rng: &mut StdRng, order: &[usize]| -> usize {
        // About half the first, a quarter the second, and so on.
        let mut k = 0;
        while k + 1 < order.len() && rng.gen_bool(0.5) {
            k += 1;
        }
        order[k]
    };
    (0..n)
        .map(|_| {
            let mut r = Response::default();
            for (q, order) in questions.iter().zip(&orders) {
                let roll: f64 = rng.gen();
                if roll < 0.03 {
                    continue;
                }
                let options = q.kind.options();
                let answer = if roll < 0.05 {
                    Answer::NonAnswer(NonAnswer::DontKnow)
                } else {
                    match &q.kind {
                        QuestionKind::Single { .. } | QuestionKind::Likert { .. } => {
                            Answer::Choice(options[pick(&mut rng, order)].id.clone())
                        }
                        QuestionKind::Multi { .. } => {
                            let first = pick(&mut rng, order);
                            let chosen: Vec<String> = (options.iter().enumerate())
                                .filter(|(i, _)| *i == first || rng.gen_bool(0.15))
                                .map(|(_, o)| o.id.clone())
                                .collect();
                            Answer::Choices(chosen)
                        }
                        QuestionKind::Number { min, max, .. }
                        | QuestionKind::Scale { min, max, .. } => {
                            // Mostly small, as counts of events are.
                            let span = (max - min).max(0);
                            let x: f64 = rng.gen::<f64>().powi(3);
                            Answer::Number(min + (x * span as f64) as i64)
                        }
                        _ => continue,
                    }
                };
                r.insert(q.id.clone(), answer);
            }
            (rng.gen(), survey.visible_answers(&r))
        })
        .collect()
}
