//! The joint audit: one system of linear constraints over the linked tables of a release and
//! of every earlier release, solved as an attacker would solve it.
//!
//! Unknowns are *atoms*: counts of disjoint groups of people (for a pair of questions: who gave
//! each pair of answers, who answered only the first, who answered only the second), one set per
//! release. Every published number is a sum of atoms within ±`MAX_ADJUSTMENT` of its value,
//! and at least the threshold when it is not 0 (`Shown::range`);
//! responses are never removed, so each atom of an earlier release is at most the same atom of
//! the next. A hidden number is a sum of atoms too; its feasible range must be at least the
//! threshold wide.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use microlp::OptimizationDirection;

use super::protect::Shown;

mod extremes;
mod programme;
mod remembered;
mod witnesses;

pub(super) use witnesses::Witnesses;

/// A sum of atoms, by index (each atom at most once).
pub(super) type Sum = Vec<usize>;

/// See the module documentation.
#[derive(Debug, Clone, Default)]
pub(super) struct System {
    /// Per atom: whether the attacker is assumed to know it is empty.
    known_empty: Vec<bool>,
    known: Vec<(Sum, f64, f64)>,
    /// Each of `known` as it was shown (value and that release's threshold), in the same order.
    values: Vec<Shown>,
    /// Pairs of `known` that count nested groups and show different values (see
    /// `nested.rs`): worked out once per system, when first needed.
    strictly_more: OnceLock<Vec<(usize, usize)>>,
    /// Lower bounds on sums (see [`System::at_least`]): the highest for each sum, atoms sorted.
    floors: BTreeMap<Sum, f64>,
    monotone: Vec<(usize, usize)>,
    /// Pairs of sums the attacker knows are equal (see [`System::same`]).
    equal: Vec<(Sum, Sum)>,
    /// Rules every answer keeps (see [`System::rule`]): each Σ coefficient × atom ≥ 0.
    rules: Vec<Vec<(usize, f64)>>,
}

/// A sum of atoms as the same sum over all `n` parts of each ([`System::split_in`]); sorted
/// when `sum` is.
pub(super) fn parts(sum: &Sum, n: usize) -> Sum {
    parts_among(sum, n, 0..n)
}

/// A sum of atoms as the sum over parts `among` (of `n`) of each ([`System::split_in`]).
pub(super) fn parts_among(sum: &Sum, n: usize, among: impl Iterator<Item = usize> + Clone) -> Sum {
    sum.iter()
        .flat_map(|&a| among.clone().map(move |p| n * a + p))
        .collect()
}

/// The value of `sum` at `point`.
fn value_of(point: &[f64], sum: &Sum) -> f64 {
    sum.iter().filter_map(|&a| point.get(a)).sum()
}

/// Round-off of the solver; widths are whole numbers up to it.
const SLACK: f64 = 1e-6;

impl System {
    /// Adds `n` atoms; returns the index of the first.
    pub(super) fn add_atoms(&mut self, n: usize) -> usize {
        let first = self.known_empty.len();
        self.known_empty.resize(first + n, false);
        first
    }

    /// The attacker is assumed to know that nobody is in `atom` (as a filter question makes
    /// known for answers that could not be given together).
    pub(super) fn empty(&mut self, atom: usize) {
        if let Some(a) = self.known_empty.get_mut(atom) {
            *a = true;
        }
    }

    /// A published number: the true sum is in the range a reader can tell from it.
    pub(super) fn publish(&mut self, sum: Sum, published: Shown) {
        let (low, high) = published.range();
        self.known.push((sum, low, high));
        self.values.push(published);
        self.strictly_more = OnceLock::new();
    }

    /// A number the reader is assumed to know exactly, though no table shows it so: how many
    /// responses a release counted, which a later release may pin (`read_back.rs`). Its
    /// threshold is 0, which no release has, so it is never read as a second look at the same
    /// people as a shown number (`nested.rs`).
    pub(super) fn exactly(&mut self, sum: Sum, value: u64) {
        let v = value as f64;
        self.known.push((sum, v, v));
        self.values.push(Shown::new(value, 0));
        self.strictly_more = OnceLock::new();
    }

    /// A range the reader can tell `sum` is in from another system of the same tables
    /// (`joint::Thirds`: what splitting the same people by another question showed), widened by
    /// the solver's round-off. Not a shown number: its threshold is one no release has and
    /// every such range reads the same value, so it is never read as a second look at the same
    /// people (`nested.rs`).
    pub(super) fn within(&mut self, sum: Sum, low: f64, high: f64) {
        self.known.push((sum, low - SLACK, high + SLACK));
        self.values.push(Shown::new(0, u64::MAX));
        self.strictly_more = OnceLock::new();
    }

    /// A number known to be at least the lower end of a published one's range (a two-way
    /// table's margin counts some of the people a one-way count does).
    pub(super) fn at_least(&mut self, sum: Sum, published: Shown) {
        let (low, _) = published.range();
        if low <= 0.0 {
            return;
        }
        // Many tables bound the same count: only the highest bound constrains it, so the
        // programme keeps one row per sum.
        let mut sum = sum;
        sum.sort_unstable();
        let floor = self.floors.entry(sum).or_insert(low);
        *floor = floor.max(low);
    }

    /// The two sums count the same people, and the attacker knows it: for each option of a
    /// multi-select question, those who selected it and those who did not are together
    /// everyone who answered with choices.
    pub(super) fn same(&mut self, a: Sum, b: Sum) {
        self.equal.push((a, b));
    }

    /// A rule of the form every answer keeps, so a reader of the questionnaire knows it of the
    /// counts: Σ coefficient × atom ≥ 0 (how many options one answer to a multi-select question
    /// holds, `family.rs`).
    pub(super) fn rule(&mut self, terms: Vec<(usize, f64)>) {
        self.rules.push(terms);
    }

    /// Adds one release's `n` atoms, each the same group of people as the atom at the same
    /// position of the release before (`previous`, the first atom of that release, updated to
    /// this one's): counts only grow, so each is at least that one. Returns the first.
    pub(super) fn add_release(&mut self, n: usize, previous: &mut Option<usize>) -> usize {
        let base = self.add_atoms(n);
        if let Some(p) = *previous {
            for i in 0..n {
                self.at_most(p + i, base + i);
            }
        }
        *previous = Some(base);
        base
    }

    /// This system with every atom split in `n` parts: atom `i` becomes atoms `n·i` to
    /// `n·i + n − 1` (`joint::Thirds`: one per answer of a third question, and one for the
    /// people who did not answer it). Every number known of atom `i` is known of its parts
    /// together, a part of an empty atom is empty, and each part only grows from release to
    /// release, as the whole did.
    pub(super) fn split_in(&self, n: usize) -> System {
        System {
            known_empty: self
                .known_empty
                .iter()
                .flat_map(|&e| std::iter::repeat_n(e, n))
                .collect(),
            known: self
                .known
                .iter()
                .map(|(sum, low, high)| (parts(sum, n), *low, *high))
                .collect(),
            values: self.values.clone(),
            strictly_more: OnceLock::new(),
            floors: self
                .floors
                .iter()
                .map(|(sum, low)| (parts(sum, n), *low))
                .collect(),
            monotone: self
                .monotone
                .iter()
                .flat_map(|&(e, l)| (0..n).map(move |p| (n * e + p, n * l + p)))
                .collect(),
            equal: self
                .equal
                .iter()
                .map(|(a, b)| (parts(a, n), parts(b, n)))
                .collect(),
            rules: self
                .rules
                .iter()
                .map(|terms| {
                    terms
                        .iter()
                        .flat_map(|&(a, c)| (0..n).map(move |p| (n * a + p, c)))
                        .collect()
                })
                .collect(),
        }
    }

    /// `earlier` is the same group of people as `later`, in an earlier release.
    pub(super) fn at_most(&mut self, earlier: usize, later: usize) {
        self.monotone.push((earlier, later));
        self.strictly_more = OnceLock::new();
    }

    /// Pairs `(inner, outer)` of published sums where `outer` counts everyone `inner` does and
    /// at least one more person, as their different values show: `outer − inner ≥ 1`.
    fn strictly_more(&self) -> impl Iterator<Item = (&Sum, &Sum)> + '_ {
        self.strictly_more_pairs()
            .iter()
            .map(|&(i, j)| (&self.known[i].0, &self.known[j].0))
    }

    /// [`System::strictly_more`] as positions in `known`: `(inner, outer)`.
    fn strictly_more_pairs(&self) -> &[(usize, usize)] {
        self.strictly_more.get_or_init(|| {
            let atoms = self.known_empty.len();
            let mut later = vec![None; atoms];
            for &(earlier, next) in &self.monotone {
                if earlier < atoms && later[earlier].is_none() {
                    later[earlier] = Some(next);
                }
            }
            let shown: Vec<super::nested::Published> = self
                .known
                .iter()
                .zip(&self.values)
                .map(|((sum, low, high), shown)| super::nested::Published {
                    sum,
                    value: shown.value,
                    threshold: shown.threshold,
                    range: (*low, *high),
                })
                .collect();
            super::nested::strictly_more(&shown, &later, atoms)
        })
    }

    /// Whether `point` meets every lower bound of [`System::at_least`].
    fn meets_floors(&self, point: &[f64]) -> bool {
        self.floors
            .iter()
            .all(|(sum, low)| value_of(point, sum) + SLACK >= *low)
    }

    /// The first constraint `point` misses (up to the solver's round-off), if any: an atom
    /// below 0 or one certainly empty above it, a published number out of its range, a lower
    /// bound not met, a count that shrank from one release to the next, two equal sums apart.
    fn misses(&self, point: &[f64]) -> Option<String> {
        let value = |sum: &Sum| value_of(point, sum);
        let empty = self.certainly_empty();
        if point.len() != empty.len() {
            return Some(format!("{} atoms, not {}", point.len(), empty.len()));
        }
        for (a, (&v, &e)) in point.iter().zip(&empty).enumerate() {
            if v < -SLACK || (e && v > SLACK) {
                return Some(format!("atom {a} is {v}"));
            }
        }
        for (sum, lo, hi) in &self.known {
            let v = value(sum);
            if v + SLACK < *lo || v > hi + SLACK {
                return Some(format!("{sum:?} is {v}, published as {lo}..{hi}"));
            }
        }
        for (sum, lo) in &self.floors {
            let v = value(sum);
            if v + SLACK < *lo {
                return Some(format!("{sum:?} is {v}, at least {lo}"));
            }
        }
        for &(earlier, later) in &self.monotone {
            if point[earlier] > point[later] + SLACK {
                return Some(format!("atom {earlier} above its later {later}"));
            }
        }
        for (a, b) in &self.equal {
            if (value(a) - value(b)).abs() > SLACK {
                return Some(format!("{a:?} and {b:?} differ"));
            }
        }
        for terms in &self.rules {
            let v: f64 = terms.iter().map(|&(a, c)| c * point[a]).sum();
            if v + SLACK < 0.0 {
                return Some(format!("the rule {terms:?} is {v}"));
            }
        }
        for (inner, outer) in self.strictly_more() {
            if value(outer) - value(inner) + SLACK < 1.0 {
                return Some(format!("{outer:?} is not above {inner:?}"));
            }
        }
        None
    }

    /// How wide the feasible range of `target` is; `None` when it has no upper end.
    pub(super) fn width(&self, target: &Sum) -> Result<Option<f64>, String> {
        let value =
            |point: Vec<f64>| -> f64 { target.iter().filter_map(|&a| point.get(a)).sum::<f64>() };
        let Some(high) = self.solve(target, OptimizationDirection::Maximize)? else {
            return Ok(None);
        };
        let low = self
            .solve(target, OptimizationDirection::Minimize)?
            .map_or(0.0, value);
        Ok(Some(value(high) - low))
    }

    /// Which atoms hold nobody for certain: those known empty, and every earlier atom of one
    /// that is (counts only grow).
    pub(super) fn certainly_empty(&self) -> Vec<bool> {
        let mut empty = self.known_empty.clone();
        loop {
            let mut changed = false;
            for &(earlier, later) in &self.monotone {
                if empty[later] && !empty[earlier] {
                    empty[earlier] = true;
                    changed = true;
                }
            }
            if !changed {
                return empty;
            }
        }
    }
}

#[cfg(test)]
mod tests;
