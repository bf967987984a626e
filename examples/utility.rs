//! How much of a release organisers can actually read: for surveys of 50, 100, 300 and 1,000
//! responses with skewed, realistic answers, the share of safe counts that are published.
//!
//! Run: `cargo run --release --example utility` (`TIED=1`: as if rules tied every pair;
//! `NONANSWERS=0`: nobody skips or answers "don't know" or "prefer not to say"; `SECOND=1`: the
//! second release, a fifth more responses after a first release at each size, audited against
//! the first as the product does; `SIZES=100,300`: only those sizes)
//!
//! - one-way: counts ≥ T whose complement (table total − count) is also ≥ T, and the share of
//!   them published;
//! - two-way: inner counts ≥ T, and the share published exactly or shown in a redesigned table
//!   (the rows or columns holding them grouped), and the share published exactly;
//! - two-way tables shown as they are, redesigned, or withheld.

use std::time::Instant;

use chorus::disclosure::{
    protect_catalogue, EarlierRelease, EarlierTable, Released, DEFAULT_THRESHOLD,
};
use chorus::survey::{Answer, NonAnswer, QuestionId, Response, Survey};
use chorus::tally::tally;

#[path = "../benches/support/usefulness.rs"]
mod usefulness;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use usefulness::{measure, share, Tally};

/// The server's allocator (src/main.rs), so that release times are the product's.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

/// A peer-led drug-use survey: who answered, where, what they use, naloxone, overdoses,
/// services. Option weights are skewed the way real answers are.
const SURVEY: &str = include_str!("../benches/support/utility-survey.toml");

/// Relative weights of each question's options, in definition order.
fn weights(question: &str) -> &'static [f64] {
    match question {
        "age" => &[0.12, 0.3, 0.3, 0.18, 0.1],
        "gender" => &[0.62, 0.33, 0.04, 0.01],
        "site" => &[0.35, 0.25, 0.15, 0.12, 0.09, 0.04],
        "used_opioids" => &[0.72, 0.28],
        "carried_naloxone" => &[0.7, 0.3],
        "overdose" => &[0.45, 0.3, 0.25],
        "service" => &[0.05, 0.1, 0.2, 0.4, 0.25],
        "drugs" => &[0.5, 0.45, 0.3, 0.2, 0.08],
        _ => &[],
    }
}

fn pick(rng: &mut StdRng, w: &[f64]) -> usize {
    let total: f64 = w.iter().sum();
    let mut x = rng.gen::<f64>() * total;
    for (i, v) in w.iter().enumerate() {
        if x < *v {
            return i;
        }
        x -= v;
    }
    w.len() - 1
}

/// `nonanswers` scales how often a question is skipped, answered "don't know" or "prefer not to
/// say" (3%, 2% and 1% at 1).
fn responses(survey: &Survey, n: usize, seed: u64, nonanswers: f64) -> Vec<(u32, Response)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let bands = [(16, 24), (25, 34), (35, 44), (45, 54), (55, 99)];
    (0..n)
        .map(|_| {
            let mut r = Response::default();
            let mut opioids = false;
            for q in survey.questions() {
                let id = q.id.as_str();
                if id == "carried_naloxone" && !opioids {
                    continue;
                }
                let roll: f64 = rng.gen();
                if roll < 0.03 * nonanswers {
                    continue;
                }
                let answer = if roll < 0.05 * nonanswers {
                    Answer::NonAnswer(NonAnswer::DontKnow)
                } else if roll < 0.06 * nonanswers {
                    Answer::NonAnswer(NonAnswer::PreferNotToSay)
                } else {
                    let w = weights(id);
                    match id {
                        "age" => {
                            let (lo, hi) = bands[pick(&mut rng, w)];
                            Answer::Number(rng.gen_range(lo..=hi))
                        }
                        "drugs" => {
                            let chosen: Vec<String> = q
                                .kind
                                .options()
                                .iter()
                                .zip(w)
                                .filter(|(_, p)| rng.gen_bool(**p))
                                .map(|(o, _)| o.id.clone())
                                .collect();
                            if chosen.is_empty() {
                                continue;
                            }
                            Answer::Choices(chosen)
                        }
                        _ => {
                            let i = pick(&mut rng, w);
                            let option = q.kind.options()[i].id.clone();
                            if id == "used_opioids" {
                                opioids = option == "yes";
                            }
                            Answer::Choice(option)
                        }
                    }
                };
                r.insert(QuestionId::parse(id).expect("valid id"), answer);
            }
            (rng.gen(), r)
        })
        .collect()
}

fn main() {
    let survey = Survey::parse(SURVEY).expect("the utility survey parses");
    // SEEDS=5 for a quicker look (a debug build is many times slower).
    let seeds: u64 = std::env::var("SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    // TIED=1: every pair of questions counted as tied by a rule of the questionnaire (as an
    // option offered only after some answers of another question ties them), so every two-way
    // table must also pass the audit that assumes readers know every pair nobody gave.
    let tied = std::env::var_os("TIED").is_some();
    // NONANSWERS=0: everyone answers every question shown to them; 2: twice the usual rate.
    let nonanswers: f64 = std::env::var("NONANSWERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    // SECOND=1: measure the second release, made when max(T, a fifth) more people answered.
    let second = std::env::var_os("SECOND").is_some();
    println!(
        "Utility of a {} release: {seeds} surveys per size, threshold T = {DEFAULT_THRESHOLD}{}, non-answers ×{nonanswers}",
        if second { "second" } else { "first" },
        if tied { ", every pair tied" } else { "" }
    );
    println!();
    println!("| responses | one-way counts ≥ T (complement ≥ T) | published | two-way inner counts ≥ T | published or shown redesigned | published exactly | two-way tables as they are / redesigned / withheld | time per release |");
    println!("|---|---|---|---|---|---|---|---|");
    // SIZES=1000 (comma-separated): only those sizes.
    let sizes: Vec<usize> = std::env::var("SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![50, 100, 300, 1000]);
    for n in sizes {
        let mut total = Tally::default();
        let mut seconds = 0.0;
        let more = if second {
            (DEFAULT_THRESHOLD as usize).max(n.div_ceil(5))
        } else {
            0
        };
        for seed in 0..seeds {
            // The same seed: the first n people of the second release are those of the first.
            let records = responses(&survey, n + more, 7000 + seed, nonanswers);
            let catalogue_of = |records: &[(u32, Response)]| {
                let mut catalogue = tally(&survey, records.iter().map(|(k, r)| (*k, r)));
                if tied {
                    catalogue.tie_every_pair();
                }
                catalogue
            };
            let earlier: Vec<EarlierRelease> = if second {
                let first = protect_catalogue(&catalogue_of(&records[..n]), DEFAULT_THRESHOLD, &[]);
                vec![first
                    .iter()
                    .filter_map(Released::shown)
                    .map(EarlierTable::from_protected)
                    .collect()]
            } else {
                Vec::new()
            };
            let start = Instant::now();
            let catalogue = catalogue_of(&records);
            let released = protect_catalogue(&catalogue, DEFAULT_THRESHOLD, &earlier);
            seconds += start.elapsed().as_secs_f64();
            measure(&catalogue, &released, &mut total);
        }
        println!(
            "| {} | {} | {} | {} | {} | {} | {} / {} / {} | {:.1} ms |",
            if second {
                format!("{n} + {more}")
            } else {
                n.to_string()
            },
            total.one_safe,
            share(total.one_published, total.one_safe),
            total.two_safe,
            share(total.two_shown, total.two_safe),
            share(total.two_exact, total.two_safe),
            total.tables_as_is,
            total.tables_redesigned,
            total.tables_withheld,
            1000.0 * seconds / seeds as f64
        );
    }
}
