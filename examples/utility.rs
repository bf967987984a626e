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
use chorus::survey::{Response, Survey};
use chorus::tally::tally;

#[path = "../benches/support/usefulness.rs"]
mod usefulness;
#[path = "../benches/support/utility_answers.rs"]
mod utility_answers;
use usefulness::{measure, share, Tally};
use utility_answers::{responses, SURVEY};

/// The server's allocator (src/main.rs), so that release times are the product's.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
                vec![EarlierRelease {
                    tables: first
                        .iter()
                        .filter_map(Released::shown)
                        .map(EarlierTable::from_protected)
                        .collect(),
                    responses: Some(n as u64),
                }]
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
