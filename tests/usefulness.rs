//! Releases must stay worth reading. A release that hides everything is safe and useless, and
//! every safety test passes on it; these are the tests that would fail.
//!
//! First releases of the utility survey (`benches/support/utility-survey.toml`, the survey of
//! `cargo run --release --example utility`) at 100 and 300 responses, with realistic skewed
//! answers, ten sets of answers each (the example's first ten: seeds 7000–7009), with and without
//! non-answers ("don't know", "prefer not to say", skipped). Each floor sits a few points below
//! what the engine publishes today (README, "Usefulness of a release"), so a change that
//! buys safety by hiding more has to lower a floor here, in the open, and say why.
//!
//! A second release, audited against the first, is held to floors too, over fewer sets of
//! answers (it takes longer).
//!
//! What is measured (`benches/support/usefulness.rs`): of the one-way counts ≥ T whose
//! complement is also ≥ T, the share published; of the two-way inner counts ≥ T, the share a
//! reader sees: published exactly, or inside a shown cell of a redesigned table (a group or
//! merged line holding it). Until 2026-12-07 every count of a shown redesigned table counted,
//! hidden or not, which an outside review found overstated it (99.3% at 300 against 83.1%).

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

const SEEDS: u64 = 10;

/// What ten first releases of `n` responses publish, non-answers at `nonanswers` × the usual
/// rate.
fn first_releases(n: usize, nonanswers: f64) -> Tally {
    let survey = Survey::parse(SURVEY).expect("the utility survey parses");
    let mut total = Tally::default();
    for seed in 0..SEEDS {
        let records = responses(&survey, n, 7000 + seed, nonanswers);
        let catalogue = tally(&survey, records.iter().map(|(k, r)| (*k, r)));
        let released = protect_catalogue(&catalogue, DEFAULT_THRESHOLD, &[]);
        measure(&catalogue, &released, &mut total);
    }
    total
}

/// What second releases publish: the first of `n` responses, the second with as many more as
/// the release rule asks for (a fifth, at least T), audited against the first as the product
/// does; `seeds` sets of answers with the usual non-answers.
fn second_releases(n: usize, seeds: u64) -> Tally {
    let survey = Survey::parse(SURVEY).expect("the utility survey parses");
    let catalogue_of =
        |records: &[(u32, Response)]| tally(&survey, records.iter().map(|(k, r)| (*k, r)));
    let mut total = Tally::default();
    for seed in 0..seeds {
        let more = (DEFAULT_THRESHOLD as usize).max(n.div_ceil(5));
        let records = responses(&survey, n + more, 7000 + seed, 1.0);
        let first = protect_catalogue(&catalogue_of(&records[..n]), DEFAULT_THRESHOLD, &[]);
        let earlier: Vec<EarlierRelease> = vec![EarlierRelease {
            tables: (first.iter())
                .filter_map(Released::shown)
                .map(EarlierTable::from_protected)
                .collect(),
            responses: Some(n as u64),
        }];
        let catalogue = catalogue_of(&records);
        let released = protect_catalogue(&catalogue, DEFAULT_THRESHOLD, &earlier);
        measure(&catalogue, &released, &mut total);
    }
    total
}

/// `part` of `whole` is at least `percent` %.
fn at_least(what: &str, part: u64, whole: u64, percent: u64) {
    assert!(whole > 0, "{what}: nothing to measure");
    assert!(
        part * 100 >= whole * percent,
        "{what}: {} of {whole} published, below the floor of {percent}%",
        share(part, whole)
    );
}

/// `t` publishes at least `one_way` % of its safe one-way counts and `two_way` % of its safe
/// two-way counts (exactly or in a redesigned table); `what` names the releases.
fn floors(what: &str, t: &Tally, one_way: u64, two_way: u64) {
    at_least(
        &format!("one-way at {what}"),
        t.one_published,
        t.one_safe,
        one_way,
    );
    at_least(
        &format!("two-way at {what}"),
        t.two_shown,
        t.two_safe,
        two_way,
    );
}

#[test]
fn a_first_release_publishes_most_safe_counts_with_realistic_non_answers() {
    // Today (2026-12-07, later) 84.2% and 47.7% at 100 responses, 93.0% and 83.2% at 300.
    // Two-way at 100 was 49.9% until the cells of a withheld breakdown were kept wide against
    // the release's other breakdowns ("carried naloxone" by site counts each site's opioid
    // users, and so gives back "used opioids" by site when that is withheld); the floor came
    // down from 48% with it (docs/releases.md, "Cells of a withheld breakdown").
    floors("100", &first_releases(100, 1.0), 80, 45);
    floors("300", &first_releases(300, 1.0), 88, 78);
}

#[test]
fn a_first_release_publishes_most_safe_counts_when_everyone_answers() {
    // Today 93.3% and 71.3% at 100 responses, 96.4% and 81.9% at 300; the aim for two-way
    // counts at 300 is 70%, for one-way counts at 100 95% (not met: README, "Usefulness of a
    // release").
    floors("100", &first_releases(100, 0.0), 90, 64);
    floors("300", &first_releases(300, 0.0), 92, 77);
}

#[test]
fn a_second_release_audited_against_the_first_still_publishes_most_safe_counts() {
    // Today 84.0% and 68.8% at 100 + 20 responses (the first four sets of answers; each second
    // release takes a few seconds here, so fewer than the first releases above). Two-way was
    // 80.6% until the split audits carried each hidden number's range from one third question
    // to the next (2026-12-07; docs/releases.md, "Every third question at once"), and 73.0%
    // until the cells a first release's designs merged away were kept wide too: a second
    // release showing them apart read them back narrower than T (the floor came down from 70%
    // with it; docs/releases.md, "Cells a design merges away").
    floors("100 + 20", &second_releases(100, 4), 78, 65);
}
