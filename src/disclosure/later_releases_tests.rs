//! Later releases of a whole questionnaire: the demo survey (`surveys/demo.toml`, with its
//! conditions, its consent rule and its multi-selects) answered at random, released at 100
//! responses and again each time a fifth more have come in, each release audited against the
//! ones before as the product does. Hiding more of a one-way table to keep an earlier
//! release's number wide must cost a count, not the whole table.

use super::catalogue::{fixes, Fix, Why};
use super::joint::{one_way_positions, Narrow};
use super::proptests::axis;
use super::tests::Rng;
use super::{
    protect_catalogue, EarlierRelease, EarlierTable, Released, DEFAULT_THRESHOLD, MAX_ADJUSTMENT,
};
use crate::survey::{Answer, NonAnswer, QuestionKind, Response, Survey};
use crate::tally::{tally, Catalogue, RawCell, RawTable};

const DEMO: &str = include_str!("../../surveys/demo.toml");

/// An option index, skewed as real answers are: about half the first, a quarter the second,
/// and so on.
fn skewed(rng: &mut Rng, n: usize) -> usize {
    let mut k = 0;
    while k + 1 < n && rng.below(2) == 0 {
        k += 1;
    }
    k
}

/// `n` responses: every closed question answered with skewed choices (the first option of an
/// order drawn once per question most often, small numbers more often than large), 3%
/// skipped and 2% "don't know", then cut to what the survey's conditions show, as a
/// submission is.
fn responses(survey: &Survey, n: usize, seed: u64) -> Vec<(u32, Response)> {
    let mut rng = Rng(seed);
    let orders: Vec<Vec<usize>> = survey
        .questions()
        .map(|q| {
            let mut order: Vec<usize> = (0..q.kind.options().len()).collect();
            for i in (1..order.len()).rev() {
                order.swap(i, rng.below(i as u64 + 1) as usize);
            }
            order
        })
        .collect();
    (0..n)
        .map(|_| {
            let mut r = Response::default();
            for (q, order) in survey.questions().zip(&orders) {
                let roll = rng.below(100);
                if roll < 3 {
                    continue;
                }
                let options = q.kind.options();
                let answer = if roll < 5 {
                    Answer::NonAnswer(NonAnswer::DontKnow)
                } else {
                    match &q.kind {
                        QuestionKind::Single { .. } | QuestionKind::Likert { .. } => {
                            Answer::Choice(options[order[skewed(&mut rng, order.len())]].id.clone())
                        }
                        QuestionKind::Multi { .. } => {
                            let first = order[skewed(&mut rng, order.len())];
                            let chosen = (options.iter().enumerate())
                                .filter(|(i, _)| *i == first || rng.below(7) == 0)
                                .map(|(_, o)| o.id.clone())
                                .collect();
                            Answer::Choices(chosen)
                        }
                        QuestionKind::Number { min, max, .. }
                        | QuestionKind::Scale { min, max, .. } => {
                            // The smallest of three draws: counts of events are mostly small.
                            let span = u64::try_from(max - min).unwrap_or(0) + 1;
                            let x = (0..3).map(|_| rng.below(span)).min().unwrap_or(0);
                            Answer::Number(min + i64::try_from(x).unwrap_or(0))
                        }
                        _ => continue,
                    }
                };
                r.insert(q.id.clone(), answer);
            }
            let key = rng.key();
            (key, survey.visible_answers(&r))
        })
        .collect()
}

/// Of the one-way counts of at least T whose complement is at least T too (those a release
/// could show), how many `released` publishes, and how many there are.
fn safe_counts_published(catalogue: &Catalogue, released: &[Released]) -> (usize, usize) {
    let t = u64::from(DEFAULT_THRESHOLD);
    let (mut published, mut safe) = (0, 0);
    for (raw, out) in catalogue.tables.iter().zip(released) {
        if raw.columns().is_some() {
            continue;
        }
        let total = raw.total().count;
        for (i, c) in raw.cells().iter().enumerate() {
            if c.count >= t && total - c.count >= t {
                safe += 1;
                if out.shown().is_some_and(|p| !p.cells[i].suppressed) {
                    published += 1;
                }
            }
        }
    }
    (published, safe)
}

#[test]
fn later_releases_of_the_demo_survey_publish_most_of_their_safe_one_way_counts() {
    let survey = Survey::parse(DEMO).expect("the demo survey parses");
    // Seeds whose later releases, before, published a third of these counts or less: the
    // count hidden for an earlier release's number was a published zero of the other
    // question, whose own audit then failed and withheld the whole table — 13 one-way tables
    // at a time in a third release.
    for seed in [6, 10] {
        let records = responses(&survey, 144, seed);
        let mut earlier: Vec<EarlierRelease> = Vec::new();
        for (number, n) in [(1, 100), (2, 120), (3, 144)] {
            let catalogue = tally(&survey, records[..n].iter().map(|(k, r)| (*k, r)));
            let released = protect_catalogue(&catalogue, DEFAULT_THRESHOLD, &earlier);
            let (published, safe) = safe_counts_published(&catalogue, &released);
            assert!(
                published * 10 >= safe * 6,
                "seed {seed}, release {number}: {published} of {safe} published"
            );
            earlier.push(
                (released.iter())
                    .filter_map(Released::shown)
                    .map(EarlierTable::from_protected)
                    .collect(),
            );
        }
    }
}

const NALOXONE_CARRY: &str = include_str!("../../surveys/naloxone-carry.toml");

/// A first release has no earlier one, so no table of it may be withheld "for a number of an
/// earlier release". In naloxone-carry, the few "don't know" answers to "did you carry
/// naloxone?" need a partner, and both "Yes" and "No" are published in full as the totals of the
/// questions asked only of those who gave them: the table is withheld for the counts it hides
/// from those questions' tables, and the reason must say so. (With the number of responses
/// known, the follow-up check takes it as known exactly to every reader and withholds the
/// follow-ups instead, showing the question: left out here, as in a catalogue put together by
/// hand, so that the question is withheld and its reason can be read.)
#[test]
fn a_table_withheld_in_a_first_release_gives_a_reason_of_that_release() {
    let survey = Survey::parse(NALOXONE_CARRY).expect("naloxone-carry parses");
    let mut pinned = 0;
    for seed in 1..=12 {
        let records = responses(&survey, 100, seed);
        let mut catalogue = tally(&survey, records.iter().map(|(k, r)| (*k, r)));
        catalogue.set_responses(None);
        for released in protect_catalogue(&catalogue, DEFAULT_THRESHOLD, &[]) {
            let Released::Withheld(w) = released else {
                continue;
            };
            let reason = w.reason.to_string();
            assert!(
                !reason.contains("earlier release"),
                "seed {seed}: {} withheld with \"{reason}\"",
                w.id
            );
            if reason.contains("another question's tables") {
                pinned += 1;
            }
        }
    }
    assert!(
        pinned > 0,
        "no table was withheld for the counts it hides: the test tests nothing"
    );
}

/// A one-way table of `counts` over `counts.len()` categories.
fn table(variable: &str, counts: &[u64]) -> RawTable {
    let cells = counts
        .iter()
        .map(|&count| RawCell { count, key: 0 })
        .collect();
    RawTable::one_way(variable.into(), axis(variable, counts.len()), cells).expect("shape")
}

#[test]
fn a_number_of_one_question_is_loosened_by_that_questions_table_first_never_by_a_zero() {
    let a = table("a", &[0, 40, 0, 25]);
    let b = table("b", &[30, 4, 31]);
    let (a_shown, b_shown) = (
        [Some(0), Some(40), Some(0), Some(25), Some(65)],
        [Some(30), None, None, Some(65)],
    );
    // An earlier release's count of b's second category: every one of a's cells counts some
    // of its people, but b's own published count loosens what b's total says of it. Then a's
    // counts holding some of the same people, smallest first — never a zero, whose own audit
    // would fail and take the whole table with it — and last, a withheld.
    let earlier = Narrow::Earlier(one_way_positions(4, 3, false, 1));
    let earlier_order = [
        Fix::Hide(false, 0),
        Fix::Hide(true, 3),
        Fix::Hide(true, 1),
        Fix::Withhold(true, Why::Earlier),
    ];
    // A count of a's own table: its other published counts with anyone in them, smallest
    // first, then a withheld.
    let own_order = [
        Fix::Hide(true, 3),
        Fix::Hide(true, 1),
        Fix::Withhold(true, Why::Pinned),
    ];
    for (narrow, expected) in [
        (earlier, &earlier_order[..]),
        (Narrow::A(1), &own_order[..]),
    ] {
        let order = fixes(&narrow, &a, &b, &a_shown, &b_shown);
        assert!(
            order == expected,
            "{narrow:?}: {:?}",
            order.iter().map(|f| f.parts()).collect::<Vec<_>>()
        );
    }
}

/// A reader's interval for the count of the breakdown `x` in the row covering exactly `row`
/// and the column covering exactly `column` (none where the design has no such cell, or hides
/// it).
fn breakdown_cell(x: &EarlierTable, row: &[&str], column: &[&str], t: u64) -> Option<(u64, u64)> {
    let r = x.rows.iter().position(|l| l == row)?;
    let c = x.columns.iter().position(|l| l == column)?;
    let v = x.cells.get(r)?.get(c).copied().flatten()?;
    Some(if v == 0 {
        (0, 0)
    } else {
        (v.saturating_sub(MAX_ADJUSTMENT).max(t), v + MAX_ADJUSTMENT)
    })
}

/// The site × inject survey, [`east_people`](super::tests::east_people)'s responses to it, and
/// how many of them release 1 counts.
fn east_survey() -> (Survey, Vec<Response>, usize) {
    use super::tests::{east_people, INJECT, SITE};
    use crate::survey::answers;
    let survey = Survey::parse(&(SITE.to_owned() + INJECT)).expect("parses");
    let said = |site: &str, inject: &str| {
        let mut m = serde_json::Map::new();
        m.insert("site".into(), site.into());
        m.insert("inject".into(), inject.into());
        answers::parse(&survey, &m).expect("valid")
    };
    let (people, first_n) = east_people(|_, site, inject| said(site, inject));
    (survey, people, first_n)
}

/// Release 1 (88 responses) merges East into South in the site × inject breakdown, to hide
/// East's 9 "yes"; release 2, 18 responses later, could show East apart. Counts only grow, so
/// release 2's East "yes" bounds release 1's from above, and release 1's East less release 2's
/// East "no" (or the merged line's "yes" less release 2's South "yes") bounds it from below:
/// before the audit asked cells a design merged away, seed 1 read it back between 3 and 12.
/// Read here as a reader reads it, over several sets of record keys (the noise).
#[test]
fn a_cell_merged_away_stays_wide_when_a_later_release_shows_it() {
    use super::tests::{interval, keyed};
    let (survey, people, first_n) = east_survey();
    let t = u64::from(DEFAULT_THRESHOLD);
    let mut merged = 0;
    for seed in 0..16u32 {
        let records = keyed(&people, 0x2545_f491_u32, seed);
        let shown = |released: &[Released]| -> Vec<EarlierTable> {
            (released.iter())
                .filter_map(Released::shown)
                .map(EarlierTable::from_protected)
                .collect()
        };
        let first_counts = tally(&survey, records[..first_n].to_vec());
        let first = protect_catalogue(&first_counts, DEFAULT_THRESHOLD, &[]);
        let mut earlier = EarlierRelease::of_tables(shown(&first));
        earlier.responses = Some(first_n as u64);
        let counts = tally(&survey, records.clone());
        let second = protect_catalogue(&counts, DEFAULT_THRESHOLD, &[earlier]);
        let breakdown = |released: &[Released]| {
            shown(released)
                .into_iter()
                .find(|x| x.variables == ["site", "inject"])
        };
        let site = |released: &[Released]| {
            let i = (counts.tables.iter()).position(|x| x.id() == "site");
            i.and_then(|i| interval(&released[i], 2, t))
        };
        let Some(first_breakdown) = breakdown(&first) else {
            continue;
        };
        if breakdown_cell(&first_breakdown, &["e"], &["yes"], t).is_some() {
            continue;
        }
        merged += 1;
        let Some(second_breakdown) = breakdown(&second) else {
            continue;
        };
        let cell =
            |row: &[&str], column: &str| breakdown_cell(&second_breakdown, row, &[column], t);
        let mut high = site(&first).map_or(u64::MAX, |r| r.1);
        if let Some(yes) = cell(&["e"], "yes") {
            high = high.min(yes.1);
        }
        let mut low = 0;
        if let (Some(east), Some(no)) = (site(&first), cell(&["e"], "no")) {
            low = low.max(east.0.saturating_sub(no.1));
        }
        let merged_yes = (first_breakdown.rows.iter())
            .find(|l| l.len() > 1 && l.iter().any(|id| id == "e"))
            .and_then(|l| {
                let l: Vec<&str> = l.iter().map(String::as_str).collect();
                breakdown_cell(&first_breakdown, &l, &["yes"], t)
            });
        if let (Some(line), Some(south)) = (merged_yes, cell(&["s"], "yes")) {
            low = low.max(line.0.saturating_sub(south.1));
        }
        assert!(
            high.saturating_sub(low) >= t,
            "seed {seed}: release 1's East 'yes' read back between {low} and {high} (true 9)"
        );
    }
    assert!(merged > 0, "no first release merged East away");
}

/// The East scenario of [`a_cell_merged_away_stays_wide_when_a_later_release_shows_it`], with
/// release 1 withholding the site × inject breakdown and showing only the one-way tables.
/// Release 2 shows the breakdown; counts only grow, so release 2's East "yes" bounds release
/// 1's from above, and release 1's East less release 2's East "no" (or release 1's "yes" less
/// release 2's North and South "yes") from below. Before the audit asked the cells of a
/// breakdown an earlier release withheld, seed 1 read the 9 back between 4 and 12.
#[test]
fn a_withheld_breakdown_stays_wide_when_a_later_release_shows_it() {
    use super::tests::{interval, keyed};
    let (survey, people, first_n) = east_survey();
    let t = u64::from(DEFAULT_THRESHOLD);
    let mut shown_later = 0;
    for seed in 0..16u32 {
        let records = keyed(&people, 0x2545_f491_u32, seed);
        let first_counts = tally(&survey, records[..first_n].to_vec());
        let first = protect_catalogue(&first_counts, DEFAULT_THRESHOLD, &[]);
        // Only the one-way tables, as a release that withheld the breakdown shows them.
        let mut earlier: EarlierRelease = (first.iter())
            .filter_map(Released::shown)
            .filter(|x| x.columns.is_none())
            .map(EarlierTable::from_protected)
            .collect();
        earlier.responses = Some(first_n as u64);
        let counts = tally(&survey, records.clone());
        let second = protect_catalogue(&counts, DEFAULT_THRESHOLD, &[earlier]);
        let Some(breakdown) = (second.iter())
            .filter_map(Released::shown)
            .map(EarlierTable::from_protected)
            .find(|x| x.variables == ["site", "inject"])
        else {
            continue;
        };
        shown_later += 1;
        let one_way = |id: &str, cell: usize| {
            let i = (first_counts.tables.iter()).position(|x| x.id() == id);
            i.and_then(|i| interval(&first[i], cell, t))
        };
        let cell = |site: &str, inject: &str| breakdown_cell(&breakdown, &[site], &[inject], t);
        let mut high = one_way("site", 2).map_or(u64::MAX, |r| r.1);
        if let Some(yes) = cell("e", "yes") {
            high = high.min(yes.1);
        }
        let mut low = 0;
        if let (Some(east), Some(no)) = (one_way("site", 2), cell("e", "no")) {
            low = low.max(east.0.saturating_sub(no.1));
        }
        if let (Some(yes), Some(north), Some(south)) =
            (one_way("inject", 0), cell("n", "yes"), cell("s", "yes"))
        {
            low = low.max(yes.0.saturating_sub(north.1 + south.1));
        }
        assert!(
            high.saturating_sub(low) >= t,
            "seed {seed}: release 1's East 'yes' read back between {low} and {high} (true 9)"
        );
    }
    assert!(shown_later > 0, "no second release showed the breakdown");
}
