//! Property test over random small surveys released twice: an independent attacker, who
//! knows the published numbers of linked tables in both releases, that each is within the
//! noise bound of the truth, and that responses are only ever added, can't bound any hidden
//! number of either release to a range narrower than the threshold. Linked tables are a
//! two-way table with its two one-way tables (for a one-way number: each such group holding
//! it). The attacker works on the finest groups of people there are — every combination of
//! answers to all the questions — independently of the engine's own atoms.
//!
//! An attacker combining every table of the survey at once — several two-way tables of one
//! question, all one-way tables, both releases — is in `survey_proptests.rs`.
//!
//! Withholding is allowed but counted: the test fails if protection refuses too often.

use std::cell::Cell;

use microlp::{ComparisonOp, Error, OptimizationDirection, Problem, Variable};
use proptest::prelude::*;

use super::proptests::axis;
use super::{
    protect_catalogue, EarlierRelease, EarlierTable, ProtectedTable, Refusal, Released,
    MAX_ADJUSTMENT,
};
use crate::tally::{Catalogue, RawCell, RawTable};

/// A record: each question's category, or `None` when it was skipped or not shown.
pub(super) type Record = (Vec<Option<usize>>, u32);

pub(super) fn catalogue(sizes: &[usize], records: &[Record]) -> Catalogue {
    let name = |q: usize| format!("q{q}");
    let mut tables = Vec::new();
    for (q, &n) in sizes.iter().enumerate() {
        let mut cells = vec![RawCell::default(); n];
        for (answers, key) in records {
            if let Some(c) = answers[q] {
                cells[c].add(*key);
            }
        }
        tables.push(RawTable::one_way(name(q), axis(&name(q), n), cells).expect("shape"));
    }
    for a in 0..sizes.len() {
        for b in a + 1..sizes.len() {
            let mut cells = vec![RawCell::default(); sizes[a] * sizes[b]];
            for (answers, key) in records {
                if let (Some(x), Some(y)) = (answers[a], answers[b]) {
                    cells[x * sizes[b] + y].add(*key);
                }
            }
            let id = format!("{}__{}", name(a), name(b));
            tables.push(
                RawTable::two_way(
                    id,
                    axis(&name(a), sizes[a]),
                    axis(&name(b), sizes[b]),
                    cells,
                )
                .expect("shape"),
            );
        }
    }
    Catalogue {
        tables,
        ..Catalogue::default()
    }
}

/// One published or hidden number: which answer combinations it counts.
#[derive(Clone)]
pub(super) struct Number {
    /// For each question, the categories counted (`None`: the question isn't in the table).
    pub(super) filter: Vec<Option<Vec<usize>>>,
    pub(super) published: Option<u64>,
}

pub(super) fn numbers(sizes: &[usize], table: &ProtectedTable) -> Vec<Number> {
    let q = |v: &str| v.trim_start_matches('q').parse::<usize>().expect("q<n>");
    let groups = |axis: &crate::tally::Axis| -> Vec<Vec<usize>> {
        axis.categories
            .iter()
            .map(|c| {
                let ids = if c.parts.is_empty() {
                    vec![c.id.clone()]
                } else {
                    c.parts.clone()
                };
                ids.iter()
                    .map(|id| id.trim_start_matches('c').parse().expect("c<n>"))
                    .collect()
            })
            .collect()
    };
    let a = q(&table.rows.variable);
    let rows = groups(&table.rows);
    let all = |n: usize| (0..n).collect::<Vec<_>>();
    let mut out = Vec::new();
    let mut push = |filter: Vec<(usize, Vec<usize>)>, p: &super::PublishedCell| {
        let mut f = vec![None; sizes.len()];
        for (q, cats) in filter {
            f[q] = Some(cats);
        }
        out.push(Number {
            filter: f,
            published: p.count,
        });
    };
    match &table.columns {
        None => {
            for (r, cell) in rows.iter().zip(&table.cells) {
                push(vec![(a, r.clone())], cell);
            }
            push(vec![(a, all(sizes[a]))], &table.total);
        }
        Some(columns) => {
            let b = q(&columns.variable);
            let cols = groups(columns);
            for (i, r) in rows.iter().enumerate() {
                for (j, c) in cols.iter().enumerate() {
                    push(
                        vec![(a, r.clone()), (b, c.clone())],
                        &table.cells[i * cols.len() + j],
                    );
                }
                push(
                    vec![(a, r.clone()), (b, all(sizes[b]))],
                    &table.row_totals[i],
                );
            }
            for (j, c) in cols.iter().enumerate() {
                push(
                    vec![(a, all(sizes[a])), (b, c.clone())],
                    &table.column_totals[j],
                );
            }
            push(vec![(a, all(sizes[a])), (b, all(sizes[b]))], &table.total);
        }
    }
    out
}

/// Every answer combination (`None`: not answered), in a fixed order.
pub(super) fn patterns(sizes: &[usize]) -> Vec<Vec<Option<usize>>> {
    let mut out: Vec<Vec<Option<usize>>> = vec![Vec::new()];
    for &n in sizes {
        out = out
            .into_iter()
            .flat_map(|p| {
                std::iter::once(None).chain((0..n).map(Some)).map(move |c| {
                    let mut q = p.clone();
                    q.push(c);
                    q
                })
            })
            .collect();
    }
    out
}

pub(super) fn matches(pattern: &[Option<usize>], filter: &[Option<Vec<usize>>]) -> bool {
    pattern.iter().zip(filter).all(|(p, f)| match f {
        None => true,
        Some(cats) => p.is_some_and(|c| cats.contains(&c)),
    })
}

/// The questions a number is about.
fn questions(n: &Number) -> Vec<usize> {
    (0..n.filter.len())
        .filter(|&q| n.filter[q].is_some())
        .collect()
}

/// Where a reader who knows the published rules places the true count behind a shown `p`
/// (threshold `t`): within ±D of it, and, since no count from 1 to T − 1 is ever shown, at
/// least T when it is T or more. Written here apart from the engine's own (`Shown::range`), so
/// that the attackers of the tests do not inherit a mistake of the engine.
pub(super) fn reader_range(p: u64, t: u64) -> (f64, f64) {
    let d = MAX_ADJUSTMENT as f64;
    let low = (p as f64 - d).max(0.0);
    let low = if p >= t { low.max(t as f64) } else { low };
    (low, p as f64 + d)
}

/// The attacker's range of `target` (release `r`, number `i`) over both releases, using the
/// published numbers of tables about questions in `within` only.
fn width(
    (sizes, t): (&[usize], u64),
    releases: &[Vec<Number>],
    r: usize,
    i: usize,
    within: &[usize],
) -> f64 {
    let pats = patterns(sizes);
    let extreme = |direction| {
        let mut problem = Problem::new(direction);
        let target = &releases[r][i];
        let vars: Vec<Vec<Variable>> = (0..releases.len())
            .map(|k| {
                pats.iter()
                    .map(|p| {
                        let on = k == r && matches(p, &target.filter);
                        problem.add_var(if on { 1.0 } else { 0.0 }, (0.0, f64::INFINITY))
                    })
                    .collect()
            })
            .collect();
        for (k, numbers) in releases.iter().enumerate() {
            for n in numbers {
                let Some(p) = n.published else { continue };
                if !questions(n).iter().all(|q| within.contains(q)) {
                    continue;
                }
                let terms: Vec<(Variable, f64)> = pats
                    .iter()
                    .zip(&vars[k])
                    .filter(|(pat, _)| matches(pat, &n.filter))
                    .map(|(_, v)| (*v, 1.0))
                    .collect();
                let (low, high) = reader_range(p, t);
                problem.add_constraint(terms.clone(), ComparisonOp::Ge, low);
                problem.add_constraint(terms, ComparisonOp::Le, high);
            }
        }
        for k in 1..releases.len() {
            for (old, new) in vars[k - 1].iter().zip(&vars[k]) {
                problem.add_constraint(vec![(*new, 1.0), (*old, -1.0)], ComparisonOp::Ge, 0.0);
            }
        }
        match problem.solve() {
            Ok(o) => o.into_solution().map(|s| s.objective()).expect("solved"),
            Err(Error::Unbounded) => f64::INFINITY,
            Err(e) => panic!("the attacker's LP failed: {e}"),
        }
    };
    extreme(OptimizationDirection::Maximize) - extreme(OptimizationDirection::Minimize)
}

pub(super) fn earlier(released: &[Released]) -> EarlierRelease {
    released
        .iter()
        .filter_map(Released::shown)
        .map(EarlierTable::from_protected)
        .collect()
}

/// Answers skewed towards the first categories, with some skipped.
pub(super) fn record(sizes: Vec<usize>) -> impl Strategy<Value = Record> {
    let answers: Vec<BoxedStrategy<Option<usize>>> = sizes
        .into_iter()
        .map(|n| {
            prop_oneof![
                1 => Just(None),
                6 => (0..n).prop_map(Some),
                6 => Just(Some(0)),
            ]
            .boxed()
        })
        .collect();
    (answers, any::<u32>())
}

fn survey() -> impl Strategy<Value = (Vec<usize>, Vec<Record>, usize)> {
    prop::collection::vec(2usize..=4, 2..=3).prop_flat_map(|sizes| {
        let n = 40usize..=140;
        (Just(sizes.clone()), n).prop_flat_map(move |(sizes, n)| {
            let records = prop::collection::vec(record(sizes.clone()), n);
            (Just(sizes.clone()), records, 10usize..=40)
        })
    })
}

thread_local! {
    static CASES: Cell<(u32, u32, u32)> = const { Cell::new((0, 0, 0)) };
}

proptest! {
    // 40 cases keep the suite quick; CHORUS_JOINT_CASES=400 searches harder.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("CHORUS_JOINT_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(40)
    ))]

    #[test]
    fn no_hidden_number_of_linked_tables_and_earlier_releases_is_pinned(
        (sizes, records, new) in survey(),
        t in 5u32..=10,
    ) {
        let first_n = records.len().saturating_sub(new);
        let first_catalogue = catalogue(&sizes, &records[..first_n]);
        let first = protect_catalogue(&first_catalogue, t, &[]);
        let second = protect_catalogue(&catalogue(&sizes, &records), t, &[earlier(&first)]);
        let mut releases = Vec::new();
        for released in [&first, &second] {
            let mut numbers_of = Vec::new();
            for r in released.iter() {
                match r {
                    Released::Shown(p) => numbers_of.extend(numbers(&sizes, p)),
                    Released::Withheld(w) => CASES.with(|c| {
                        let (all, refused, withheld) = c.get();
                        let failed = matches!(w.reason, Refusal::AuditFailed { .. } | Refusal::AuditUnsolved { .. });
                        c.set((all, refused + u32::from(failed), withheld + 1));
                    }),
                }
                CASES.with(|c| {
                    let (all, refused, withheld) = c.get();
                    c.set((all + 1, refused, withheld));
                });
            }
            releases.push(numbers_of);
        }
        for (r, numbers_of) in releases.iter().enumerate() {
            for (i, n) in numbers_of.iter().enumerate() {
                if n.published.is_none() {
                    // Linked tables: the number's own table with every table sharing a margin
                    // with it — a two-way table and its two one-way tables, or a one-way table
                    // with each two-way table of its question — in every release.
                    let own = questions(n);
                    let mut stars: Vec<Vec<usize>> = Vec::new();
                    if own.len() == 2 {
                        stars.push(own.clone());
                    } else {
                        stars.extend((0..sizes.len()).filter(|q| !own.contains(q)).map(|q| vec![own[0], q]));
                    }
                    let w = stars
                        .iter()
                        .map(|within| width((&sizes, u64::from(t)), &releases, r, i, within))
                        .fold(f64::INFINITY, f64::min);
                    prop_assert!(
                        w + 1e-6 >= f64::from(t),
                        "release {} number {} (counting {:?}) is pinned to {} wide; sizes {:?}, {} then {} records",
                        r + 1, i, n.filter, w, sizes, first_n, records.len()
                    );
                }
            }
        }
        let (all, refused, _) = CASES.with(Cell::get);
        // Refusals (the audit found no safe pattern at all) must stay rare.
        prop_assert!(all < 40 || f64::from(refused) <= 0.05 * f64::from(all), "{} refusals of {} tables", refused, all);
    }
}
