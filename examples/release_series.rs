//! How long each release of one survey takes as releases accumulate: the 40-question survey of
//! `cargo bench --bench release`, released at 300 responses and then again each time a fifth
//! more have come in, every release audited against all the earlier ones as the product does.
//!
//! Run: `cargo run --release --example release_series` (`RELEASES=4` for fewer than six,
//! `START=100` for a first release at 100 responses instead of 300, `QUESTIONS=15` for the
//! survey's first 15 questions only).

use std::hint::black_box;
use std::time::Instant;

use chorus::disclosure::{protect_catalogue, EarlierRelease, DEFAULT_THRESHOLD};
use chorus::release::ReleaseDocument;
use chorus::survey::Survey;
use chorus::tally::tally;
use chorus::vault::hex;

#[path = "../benches/support/bench_survey.rs"]
mod bench_survey;
use bench_survey::{definition, responses};

fn main() {
    let releases: u32 = std::env::var("RELEASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(6);
    let survey = Survey::parse(&definition()).expect("bench survey parses");
    let mut earlier: Vec<EarlierRelease> = Vec::new();
    let mut n: usize = std::env::var("START")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300);
    // The digest lets two builds be compared: the same tables, byte for byte, or not.
    println!("| release | responses | time | tables shown | digest of the tables |");
    println!("|---|---|---|---|---|");
    for number in 1..=releases {
        // The same seed: the first n people of every release are the people of the one before.
        let records = responses(&survey, n, 2027);
        let catalogue = tally(&survey, records.iter().map(|(k, r)| (*k, r)));
        let started = Instant::now();
        let released = black_box(protect_catalogue(&catalogue, DEFAULT_THRESHOLD, &earlier));
        let took = started.elapsed();
        let shown = released.iter().filter(|r| r.shown().is_some()).count();
        let document = ReleaseDocument::new(&survey, number, false, true, &released);
        let json = serde_json::to_vec(&document.tables).expect("tables serialise");
        let digest = ring::digest::digest(&ring::digest::SHA256, &json);
        let short = hex(&digest.as_ref()[..6]);
        println!(
            "| {number} | {n} | {:.2} s | {shown} of {} | {short} |",
            took.as_secs_f64(),
            released.len()
        );
        earlier.push(document.earlier());
        n += n / 5;
    }
}
