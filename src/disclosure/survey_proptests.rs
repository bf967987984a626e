//! Property test over random small surveys released twice, attacked with everything at once:
//! an independent attacker who knows every published number of every table of the survey —
//! all one-way and all two-way tables, in both releases — that each is within the noise bound
//! of the truth, that no count is negative, and that responses are only ever added, solves one
//! linear programme over the finest groups of people (every combination of answers to all the
//! questions, in each release) and bounds every hidden number of both releases. None may be
//! pinned to a range narrower than the threshold.
//!
//! This covers what the attacker of `joint_proptests.rs` does not: several two-way tables of
//! one question (q1×q2, q1×q3, q2×q3) combined with each other, with every one-way table and
//! with the earlier release. A one-way number hidden in its own table is bounded by every other
//! table that counts the same people, so a table showing it would be caught here (it would pin
//! it to within twice the noise bound, less than any allowed threshold). The second release
//! has at least max(T, ⌈20% of the first⌉) new responses, as `src/release/` demands before it
//! publishes one.
//!
//! Withholding a table is allowed: a withheld table publishes nothing.

use microlp::{ComparisonOp, Error, OptimizationDirection, Problem};
use proptest::prelude::*;

use super::joint_proptests::{
    catalogue, earlier, matches, numbers, patterns, record, Number, Record,
};
use super::{protect_catalogue, Released, MAX_ADJUSTMENT};

/// Round-off of the solver; widths are whole numbers up to it.
const SLACK: f64 = 1e-6;

/// What the attacker knows, over atoms numbered release by release (each release has one atom
/// per answer combination, in the order of [`patterns`]).
struct Attacker {
    atoms: usize,
    per_release: usize,
    /// Each published number: its atoms, and the range the truth lies in.
    known: Vec<(Vec<usize>, f64, f64)>,
}

impl Attacker {
    fn new(sizes: &[usize], releases: &[Vec<Number>]) -> Attacker {
        let pats = patterns(sizes);
        let per_release = pats.len();
        let d = MAX_ADJUSTMENT as f64;
        let mut known = Vec::new();
        for (k, numbers) in releases.iter().enumerate() {
            for n in numbers {
                if let Some(p) = n.published {
                    let p = p as f64;
                    known.push((atoms_of(&pats, k, n), (p - d).max(0.0), p + d));
                }
            }
        }
        Attacker {
            atoms: per_release * releases.len(),
            per_release,
            known,
        }
    }

    /// The optimal point for the sum of `objective`'s atoms, `None` when it is unbounded.
    fn solve(&self, objective: &[usize], direction: OptimizationDirection) -> Option<Vec<f64>> {
        let mut on = vec![false; self.atoms];
        for &a in objective {
            on[a] = true;
        }
        let mut problem = Problem::new(direction);
        let vars: Vec<_> = on
            .iter()
            .map(|&o| problem.add_var(if o { 1.0 } else { 0.0 }, (0.0, f64::INFINITY)))
            .collect();
        for (sum, lo, hi) in &self.known {
            let terms: Vec<_> = sum.iter().map(|&a| (vars[a], 1.0)).collect();
            problem.add_constraint(terms.clone(), ComparisonOp::Ge, *lo);
            problem.add_constraint(terms, ComparisonOp::Le, *hi);
        }
        // The same group of people is never smaller in a later release.
        for later in self.per_release..self.atoms {
            let earlier = later - self.per_release;
            problem.add_constraint(
                vec![(vars[later], 1.0), (vars[earlier], -1.0)],
                ComparisonOp::Ge,
                0.0,
            );
        }
        match problem.solve() {
            Ok(o) => {
                let s = o.into_solution().expect("solved");
                Some(vars.iter().map(|v| s.var_value(*v)).collect())
            }
            Err(Error::Unbounded) => None,
            Err(e) => panic!("the attacker's LP failed: {e}"),
        }
    }

    /// For each target, its feasible range's width if it is narrower than `t` (else `None`).
    ///
    /// Every optimal point found is feasible, so two points `t` apart in a target prove it wide
    /// without LPs of its own; two LPs pushing every target up and then down together usually
    /// prove most of them. A target not proven so gets its own maximum and minimum: exact.
    fn narrow(&self, targets: &[Vec<usize>], t: f64) -> Vec<Option<f64>> {
        let value = |p: &[f64], s: &[usize]| s.iter().map(|&a| p[a]).sum::<f64>();
        let mut seen = vec![(f64::INFINITY, f64::NEG_INFINITY); targets.len()];
        let add = |seen: &mut [(f64, f64)], p: &[f64]| {
            for (s, target) in seen.iter_mut().zip(targets) {
                let v = value(p, target);
                *s = (s.0.min(v), s.1.max(v));
            }
        };
        let wide = |s: (f64, f64)| s.1 - s.0 + SLACK >= t;
        let mut all: Vec<usize> = targets.iter().flatten().copied().collect();
        all.sort_unstable();
        all.dedup();
        for direction in [
            OptimizationDirection::Maximize,
            OptimizationDirection::Minimize,
        ] {
            if let Some(p) = self.solve(&all, direction) {
                add(&mut seen, &p);
            }
        }
        let mut out = vec![None; targets.len()];
        for (i, target) in targets.iter().enumerate() {
            if wide(seen[i]) {
                continue;
            }
            let Some(high) = self.solve(target, OptimizationDirection::Maximize) else {
                continue;
            };
            add(&mut seen, &high);
            if wide(seen[i]) {
                continue;
            }
            let low = self
                .solve(target, OptimizationDirection::Minimize)
                .expect("counts are never negative");
            add(&mut seen, &low);
            if !wide(seen[i]) {
                out[i] = Some(value(&high, target) - value(&low, target));
            }
        }
        out
    }
}

/// The atoms of release `k` that number `n` counts.
fn atoms_of(pats: &[Vec<Option<usize>>], k: usize, n: &Number) -> Vec<usize> {
    pats.iter()
        .enumerate()
        .filter(|(_, p)| matches(p, &n.filter))
        .map(|(i, _)| k * pats.len() + i)
        .collect()
}

/// Every published number of every table shown in a release, with its hidden ones.
fn numbers_of(sizes: &[usize], released: &[Released]) -> Vec<Number> {
    released
        .iter()
        .filter_map(Released::shown)
        .flat_map(|p| numbers(sizes, p))
        .collect()
}

/// 3–4 questions of 2–4 categories (at most 300 answer combinations, skipping included), a
/// threshold, the first release's records, and the second's: at least max(T, ⌈20%⌉) more.
fn survey() -> impl Strategy<Value = (Vec<usize>, u32, Vec<Record>, usize)> {
    prop::collection::vec(2usize..=4, 3..=4)
        .prop_filter("small enough to solve quickly", |sizes| {
            sizes.iter().map(|n| n + 1).product::<usize>() <= 300
        })
        .prop_flat_map(|sizes| (Just(sizes), 5u32..=10, 25usize..=150, 0usize..=20))
        .prop_flat_map(|(sizes, t, first, extra)| {
            let new = (t as usize).max(first.div_ceil(5)) + extra;
            let records = prop::collection::vec(record(sizes.clone()), first + new);
            (Just(sizes), Just(t), records, Just(first))
        })
}

proptest! {
    // 12 cases keep the suite quick; CHORUS_SURVEY_CASES=500 searches harder.
    #![proptest_config(ProptestConfig::with_cases(
        std::env::var("CHORUS_SURVEY_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(12)
    ))]

    #[test]
    fn no_hidden_number_is_pinned_by_every_table_of_both_releases_together(
        (sizes, t, records, first_n) in survey(),
    ) {
        let first = protect_catalogue(&catalogue(&sizes, &records[..first_n]), t, &[]);
        let second = protect_catalogue(&catalogue(&sizes, &records), t, &[earlier(&first)]);
        let releases = [numbers_of(&sizes, &first), numbers_of(&sizes, &second)];
        let attacker = Attacker::new(&sizes, &releases);
        let pats = patterns(&sizes);
        let mut hidden = Vec::new();
        let mut targets = Vec::new();
        for (k, numbers) in releases.iter().enumerate() {
            for n in numbers.iter().filter(|n| n.published.is_none()) {
                hidden.push((k, &n.filter));
                targets.push(atoms_of(&pats, k, n));
            }
        }
        for ((k, filter), width) in hidden.iter().zip(attacker.narrow(&targets, f64::from(t))) {
            prop_assert!(
                width.is_none(),
                "release {} number counting {:?} is pinned to {:?} wide; sizes {:?}, {} then {} records",
                k + 1, filter, width, sizes, first_n, records.len()
            );
        }
    }
}

/// The attacker itself: it must find what tables give away together, or the property above
/// would pass for want of trying.
mod the_attacker {
    use super::*;

    /// A number of a survey of three yes/no questions: `(question, categories)` it counts.
    fn number(filter: &[(usize, &[usize])], published: Option<u64>) -> Number {
        let mut f = vec![None; 3];
        for (q, cats) in filter {
            f[*q] = Some(cats.to_vec());
        }
        Number {
            filter: f,
            published,
        }
    }

    /// A two-way table of questions `a` and `b`: inner cells row by row, then the margins.
    fn two_way(a: usize, b: usize, inner: [Option<u64>; 4], margins: [u64; 5]) -> Vec<Number> {
        let mut out = Vec::new();
        for (k, p) in inner.into_iter().enumerate() {
            out.push(number(&[(a, &[k / 2]), (b, &[k % 2])], p));
        }
        let lines = [
            (&[0][..], &[0, 1][..]),
            (&[1], &[0, 1]),
            (&[0, 1], &[0]),
            (&[0, 1], &[1]),
            (&[0, 1], &[0, 1]),
        ];
        for ((r, c), p) in lines.into_iter().zip(margins) {
            out.push(number(&[(a, r), (b, c)], Some(p)));
        }
        out
    }

    fn one_way(q: usize, cells: [u64; 2]) -> Vec<Number> {
        vec![
            number(&[(q, &[0])], Some(cells[0])),
            number(&[(q, &[1])], Some(cells[1])),
            number(&[(q, &[0, 1])], Some(cells[0] + cells[1])),
        ]
    }

    /// The q0 × q1 cell (first answers to both) as the attacker's target in release `k`.
    fn target(k: usize) -> Vec<usize> {
        let sizes = [2, 2, 2];
        atoms_of(&patterns(&sizes), k, &number(&[(0, &[0]), (1, &[0])], None))
    }

    #[test]
    fn two_tables_of_a_third_question_pin_a_cell_that_its_own_tables_keep_wide() {
        // Every inner cell of q0 × q1 is hidden. But 30 people gave q2 its first answer, 30 of
        // them q0's first and 30 of them q1's first: at least 28 + 28 − 32 = 24 gave both, and
        // q0's first answer with any answer to q1 is at most 33.
        let mut pair = one_way(0, [31, 31]);
        pair.extend(one_way(1, [31, 31]));
        pair.extend(two_way(0, 1, [None; 4], [31, 31, 31, 31, 62]));
        let alone = Attacker::new(&[2, 2, 2], &[pair.clone()]);
        assert_eq!(alone.narrow(&[target(0)], 10.0), vec![None]);
        let mut all = pair;
        all.extend(one_way(2, [30, 30]));
        let split = [Some(30), Some(0), Some(0), Some(30)];
        all.extend(two_way(0, 2, split, [30, 30, 30, 30, 60]));
        all.extend(two_way(1, 2, split, [30, 30, 30, 30, 60]));
        let together = Attacker::new(&[2, 2, 2], &[all]);
        let width = together.narrow(&[target(0)], 10.0)[0].expect("pinned");
        assert!((width - 9.0).abs() < SLACK, "{width}");
    }

    #[test]
    fn an_earlier_release_bounds_a_hidden_cell_from_below() {
        // Now the whole inner table is hidden and the cell is anything from 0 to 24 + 2 (its
        // row); before it was published as 20, so it is at least 18 now: 8 wide.
        let now = two_way(0, 1, [None; 4], [24, 30, 24, 30, 54]);
        let alone = Attacker::new(&[2, 2, 2], &[vec![], now.clone()]);
        assert_eq!(alone.narrow(&[target(1)], 10.0), vec![None]);
        let before = vec![number(&[(0, &[0]), (1, &[0])], Some(20))];
        let both = Attacker::new(&[2, 2, 2], &[before, now]);
        let width = both.narrow(&[target(1)], 10.0)[0].expect("pinned");
        assert!((width - 8.0).abs() < SLACK, "{width}");
    }
}
