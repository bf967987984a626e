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

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;
use std::sync::OnceLock;

use microlp::{ComparisonOp, Error, OptimizationDirection, Problem, Variable};

use super::protect::Shown;

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
}

/// What audits of one system have found so far: feasible points, and sums with no upper bound.
///
/// Valid for as long as the system only loosens — the same atoms, empty atoms and earlier
/// releases, with published numbers only ever taken away (hidden). Taking a constraint away
/// keeps every feasible point feasible and every unbounded sum unbounded, so what was proven
/// wide stays proven.
#[derive(Debug, Clone, Default)]
pub(super) struct Witnesses {
    points: Vec<Vec<f64>>,
    unbounded: Vec<Sum>,
    /// Set by [`Witnesses::meeting_floors_moving`]: the atoms its points may be moved in, once
    /// the system they are used in is complete.
    movable: Option<Range<usize>>,
}

impl Witnesses {
    /// Keeps the points that meet every lower bound of `system` ([`System::at_least`]): for
    /// memory from the same system before more such bounds were added, and nothing else. A
    /// point that meets them is feasible again; a sum with no upper end still has none, as a
    /// lower bound never bounds a sum from above.
    pub(super) fn meeting_floors(&mut self, system: &System) {
        self.points.retain(|point| system.meets_floors(point));
    }

    /// [`Witnesses::meeting_floors`], except that a point that misses a bound may be moved
    /// instead of dropped: in the atoms `movable` alone (the latest release's, on which the
    /// added bounds lie), every other atom held where it is. So every number the point gives an
    /// earlier release stays what it was, and so does what it proved of them. Done by the next
    /// audit ([`System::narrowest_needing`]), when every published number is in the system.
    pub(super) fn meeting_floors_moving(&mut self, movable: Range<usize>) {
        self.movable = Some(movable);
    }

    /// See [`Witnesses::meeting_floors_moving`]. Which earlier numbers a moved point proves
    /// wide is known before it is moved (it keeps their values), and each move is a programme
    /// of its own: only the points that complete such a proof are moved (for each such number,
    /// the missing point with its lowest value and the one with its highest). A moved point is
    /// kept only if the system admits it.
    fn settle(&mut self, system: &System, targets: &[Sum], needs: &[f64]) {
        let Some(movable) = self.movable.take() else {
            return;
        };
        let (kept, missing): (Vec<_>, Vec<_>) = std::mem::take(&mut self.points)
            .into_iter()
            .partition(|point| system.meets_floors(point));
        let extremes = |points: &[Vec<f64>], sum: &Sum| {
            let values = points.iter().map(|p| value_of(p, sum)).enumerate();
            let low = values.clone().min_by(|a, b| a.1.total_cmp(&b.1));
            (low, values.max_by(|a, b| a.1.total_cmp(&b.1)))
        };
        let mut chosen = vec![false; missing.len()];
        for (sum, need) in targets.iter().zip(needs) {
            if sum.iter().any(|a| movable.contains(a)) {
                continue;
            }
            let (Some(low), Some(high)) = extremes(&missing, sum) else {
                continue;
            };
            let (kept_low, kept_high) = match extremes(&kept, sum) {
                (Some(l), Some(h)) => (l.1, h.1),
                _ => (f64::INFINITY, f64::NEG_INFINITY),
            };
            let proven = kept_high - kept_low + SLACK >= *need;
            let provable = high.1.max(kept_high) - low.1.min(kept_low) + SLACK >= *need;
            if proven || !provable {
                continue;
            }
            chosen[low.0] |= low.1 < kept_low;
            chosen[high.0] |= high.1 > kept_high;
        }
        self.points = kept;
        for (point, _) in missing.iter().zip(&chosen).filter(|(_, &c)| c) {
            let moved = system.moved(point, &movable);
            if let Some(moved) = moved.filter(|m| system.misses(m).is_none()) {
                self.points.push(moved);
            }
        }
    }
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

/// `outer − inner` as atoms with coefficients.
fn difference<'a>(outer: &'a Sum, inner: &'a Sum) -> impl Iterator<Item = (usize, f64)> + 'a {
    let plus = outer.iter().map(|&a| (a, 1.0));
    plus.chain(inner.iter().map(|&a| (a, -1.0)))
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

    /// A feasible point equal to `point` outside `movable`, if there is one: a programme over
    /// the atoms of `movable` alone, every other atom held at its value in `point`.
    fn moved(&self, point: &[f64], movable: &Range<usize>) -> Option<Vec<f64>> {
        let empty = self.certainly_empty();
        if point.len() != empty.len() {
            return None;
        }
        // Counts only grow: a movable atom is at least its earlier self, at most its later.
        let mut low = vec![0.0_f64; point.len()];
        let mut high = vec![f64::INFINITY; point.len()];
        for &(earlier, later) in &self.monotone {
            match (movable.contains(&earlier), movable.contains(&later)) {
                (false, true) => low[later] = low[later].max(point[earlier]),
                (true, false) => high[earlier] = high[earlier].min(point[later]),
                _ => {}
            }
        }
        let mut problem = Problem::new(OptimizationDirection::Minimize);
        let atoms = Atoms {
            vars: (0..point.len())
                .map(|a| {
                    if movable.contains(&a) && !empty[a] {
                        vec![problem.add_var(0.0, (low[a], high[a]))]
                    } else {
                        Vec::new()
                    }
                })
                .collect(),
            short: ShortForms::default(),
        };
        // The part of a sum that stays where it is.
        let held = |sum: &Sum| -> f64 {
            sum.iter()
                .filter(|&&a| !movable.contains(&a))
                .filter_map(|&a| point.get(a))
                .sum()
        };
        let floors = self
            .floors
            .iter()
            .map(|(sum, lo)| (sum, *lo, f64::INFINITY));
        let ranges = self.known.iter().map(|(sum, lo, hi)| (sum, *lo, *hi));
        for (sum, lo, hi) in ranges.chain(floors) {
            let mut terms = atoms.terms(sum, 1.0);
            if terms.is_empty() {
                continue;
            }
            let rest = held(sum);
            let total = problem.add_var(0.0, (lo - rest, hi - rest));
            terms.push((total, -1.0));
            problem.add_constraint(terms, ComparisonOp::Eq, 0.0);
        }
        for &(earlier, later) in &self.monotone {
            let terms = atoms.weighted([(later, 1.0), (earlier, -1.0)].into_iter());
            if terms.len() == 2 {
                problem.add_constraint(terms, ComparisonOp::Ge, 0.0);
            }
        }
        for (inner, outer) in self.strictly_more() {
            let terms = atoms.weighted(difference(outer, inner));
            let rest = 1.0 - (held(outer) - held(inner));
            if !terms.is_empty() {
                problem.add_constraint(terms, ComparisonOp::Ge, rest);
            } else if rest > SLACK {
                return None;
            }
        }
        self.equal_rows(&mut problem, &atoms, |a, b| held(b) - held(a));
        let mut options = microlp::SolveOptions::default();
        options.presolve = false;
        let solution = problem.solve_with(options).ok()?.into_solution().ok()?;
        let mut moved = atoms.point(&solution);
        for (a, value) in moved.iter_mut().enumerate() {
            if !movable.contains(&a) {
                *value = point[a];
            }
        }
        Some(moved)
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
        for (inner, outer) in self.strictly_more() {
            if value(outer) - value(inner) + SLACK < 1.0 {
                return Some(format!("{outer:?} is not above {inner:?}"));
            }
        }
        None
    }

    /// The first target whose feasible range is narrower than `t`, `Ok(None)` when every one
    /// is at least that wide. Each solved LP's optimal point is kept as a witness: two
    /// witnesses that differ by `t` in a target prove it wide without an LP of its own.
    #[cfg(test)]
    pub(super) fn narrowest(&self, targets: &[Sum], t: u64) -> Result<Option<usize>, String> {
        let needs = vec![t as f64; targets.len()];
        self.narrowest_needing(targets, &needs, &mut Witnesses::default())
    }

    /// [`System::narrowest`] with a width of its own asked of each target (`needs`), starting
    /// from (and adding to) what earlier audits of this system found. `memory` must come only
    /// from this system with at most the same published numbers: see [`Witnesses`].
    pub(super) fn narrowest_needing(
        &self,
        targets: &[Sum],
        needs: &[f64],
        memory: &mut Witnesses,
    ) -> Result<Option<usize>, String> {
        let value = |point: &[f64], sum: &Sum| -> f64 {
            sum.iter().filter_map(|&a| point.get(a)).sum::<f64>()
        };
        let mut seen = vec![(f64::INFINITY, f64::NEG_INFINITY); targets.len()];
        let add = |seen: &mut [(f64, f64)], point: &[f64]| {
            for (s, sum) in seen.iter_mut().zip(targets) {
                let v = value(point, sum);
                *s = (s.0.min(v), s.1.max(v));
            }
        };
        memory.settle(self, targets, needs);
        for point in &memory.points {
            // Remembered points prove numbers wide only where they are feasible: memory must
            // come from this system or a stricter one (see `Witnesses`). Every test that
            // audits checks it.
            #[cfg(test)]
            if let Some(miss) = self.misses(point) {
                panic!("a remembered point this system does not admit: {miss}");
            }
            add(&mut seen, point);
        }
        let wide = |seen: &[(f64, f64)], i: usize| {
            seen[i].1 - seen[i].0 + SLACK >= needs[i] || memory.unbounded.contains(&targets[i])
        };
        // Two LPs first, pushing every open target up together and then down together: their
        // points are feasible, so whatever they prove wide is proven, and they often prove most
        // targets at once. Which targets are narrow does not depend on them: each target not
        // proven wide still gets its own minimisation and maximisation below.
        let open: Vec<usize> = (0..targets.len()).filter(|&i| !wide(&seen, i)).collect();
        if open.is_empty() {
            return Ok(None);
        }
        let lps = Extremes::new(self);
        if open.len() > 2 {
            let mut all: Sum = open.iter().flat_map(|&i| targets[i].clone()).collect();
            all.sort_unstable();
            all.dedup();
            for direction in [
                OptimizationDirection::Maximize,
                OptimizationDirection::Minimize,
            ] {
                if let Some(point) = lps.extreme(&all, direction)? {
                    add(&mut seen, &point);
                    memory.points.push(point);
                }
            }
        }
        let mut found_unbounded = Vec::new();
        for (i, target) in targets.iter().enumerate() {
            if wide(&seen, i) || found_unbounded.contains(target) {
                continue;
            }
            // Width is all that is asked: a feasible point `t` above the lowest value seen (or
            // below the highest) proves it, and the solver stops as soon as it has one instead
            // of going on to the extreme. Only when neither exists are the extremes needed.
            let (low, high) = seen[i];
            if low.is_finite() {
                let goals = [Goal::AtLeast(low + needs[i]), Goal::AtMost(high - needs[i])];
                let proven = goals.into_iter().any(|goal| {
                    let Some(point) = lps.reach(target, goal) else {
                        return false;
                    };
                    add(&mut seen, &point);
                    memory.points.push(point);
                    wide(&seen, i)
                });
                if proven {
                    continue;
                }
            }
            let mut unbounded = false;
            for direction in [
                OptimizationDirection::Maximize,
                OptimizationDirection::Minimize,
            ] {
                match lps.extreme(target, direction)? {
                    None => {
                        unbounded = true;
                        found_unbounded.push(target.clone());
                        break;
                    }
                    Some(point) => {
                        add(&mut seen, &point);
                        memory.points.push(point);
                    }
                }
                if wide(&seen, i) {
                    break;
                }
            }
            if !unbounded && !wide(&seen, i) {
                memory.unbounded.extend(found_unbounded);
                return Ok(Some(i));
            }
        }
        memory.unbounded.extend(found_unbounded);
        Ok(None)
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

    /// This system's widths, remembered: a sum asked about again in the same system (every
    /// constraint the same) gets the width found the first time (see `widths.rs`).
    pub(super) fn remembered(&self) -> Remembered<'_> {
        let mut digest = ring::digest::Context::new(&ring::digest::SHA256);
        let mut put = |x: u64| digest.update(&x.to_le_bytes());
        put(self.known_empty.len() as u64);
        self.known_empty.iter().for_each(|&e| put(u64::from(e)));
        put(self.known.len() as u64);
        for ((sum, low, high), shown) in self.known.iter().zip(&self.values) {
            put_sum(&mut put, sum);
            put(low.to_bits());
            put(high.to_bits());
            put(shown.value);
            put(shown.threshold);
        }
        put(self.floors.len() as u64);
        for (sum, low) in &self.floors {
            put_sum(&mut put, sum);
            put(low.to_bits());
        }
        put(self.monotone.len() as u64);
        for &(earlier, later) in &self.monotone {
            put(earlier as u64);
            put(later as u64);
        }
        put(self.equal.len() as u64);
        for (a, b) in &self.equal {
            put_sum(&mut put, a);
            put_sum(&mut put, b);
        }
        Remembered {
            system: self,
            digest,
        }
    }

    /// The linear programme of this system with no objective and two extra variables, `up`
    /// (maximised) and `down` (minimised), each between 0 and [`CAP`]; and those variables.
    fn problem(&self) -> (Problem, Atoms, Variable, Variable) {
        let (mut problem, vars) =
            self.programme(OptimizationDirection::Maximize, |_| 0.0, Writing::Short);
        let up = problem.add_var(1.0, (0.0, CAP));
        let down = problem.add_var(-1.0, (0.0, CAP));
        (problem, vars, up, down)
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

    /// Each atom as the atoms whose "new people" it adds up: itself, after the atoms of the
    /// same people in earlier releases (`[]` for an atom certainly empty); and the "at most"
    /// links a chain does not already say.
    ///
    /// Counts only grow, so the same group in a later release is the earlier count plus a
    /// number of new people that is at least 0. Written that way, "at most" is a bound on a
    /// variable instead of a row of the programme.
    fn chains(&self) -> Chains {
        let empty = self.certainly_empty();
        let mut before: Vec<Option<usize>> = vec![None; self.known_empty.len()];
        let mut rows = Vec::new();
        for &(earlier, later) in &self.monotone {
            if empty[earlier] || empty[later] {
                continue;
            }
            match before[later] {
                None if earlier < later => before[later] = Some(earlier),
                _ => rows.push((earlier, later)),
            }
        }
        // Earlier atoms have smaller indices (a chain only links backwards), so each chain is
        // built from one already built.
        let mut chains: Vec<Sum> = Vec::with_capacity(self.known_empty.len());
        for i in 0..self.known_empty.len() {
            let chain = if empty[i] {
                Vec::new()
            } else {
                let mut c = before[i].map(|e| chains[e].clone()).unwrap_or_default();
                c.push(i);
                c
            };
            chains.push(chain);
        }
        Chains {
            chains,
            before,
            links: rows,
        }
    }

    /// Every published number and every earlier release's bound as a linear programme, with
    /// `objective` per atom; and each atom as the variables it adds up (`[]` for an atom
    /// certainly empty, which is 0 at every feasible point and so left out: a smaller programme
    /// with the same answers). A published range is one row with a variable for the sum held
    /// between the range's ends, instead of two rows; a number of a later release is written
    /// through the same number of an earlier one as `writing` says ([`ShortForms`]), and a
    /// "strictly more" row is between two numbers' variables.
    fn programme(
        &self,
        direction: OptimizationDirection,
        objective: impl Fn(usize) -> f64,
        writing: Writing,
    ) -> (Problem, Atoms) {
        let mut problem = Problem::new(direction);
        let Chains {
            chains,
            before,
            links,
        } = self.chains();
        let mut weight = vec![0.0; self.known_empty.len()];
        for (i, chain) in chains.iter().enumerate() {
            let w = objective(i);
            if w != 0.0 {
                for &k in chain {
                    weight[k] += w;
                }
            }
        }
        let own: Vec<Option<Variable>> = chains
            .iter()
            .enumerate()
            .map(|(i, chain)| {
                (!chain.is_empty()).then(|| problem.add_var(weight[i], (0.0, f64::INFINITY)))
            })
            .collect();
        let atoms = Atoms {
            vars: chains
                .iter()
                .map(|chain| chain.iter().filter_map(|&k| own[k]).collect())
                .collect(),
            short: ShortForms::default(),
        };
        let floors = self
            .floors
            .iter()
            .map(|(sum, lo)| (sum, *lo, f64::INFINITY));
        let rows: Vec<(&Sum, f64, f64)> = self
            .known
            .iter()
            .map(|(s, l, h)| (s, *l, *h))
            .chain(floors)
            .collect();
        let mut short = ShortForms {
            before,
            own,
            by_people: HashMap::new(),
            held: Vec::with_capacity(rows.len()),
        };
        let groups: Vec<Sum> = rows.iter().map(|(sum, _, _)| short.people(sum)).collect();
        // Numbers over the same people (a count shown in two tables, a count and a lower bound
        // on it) are one variable between the tightest ends of their ranges, and one row: the
        // first's. Where the ranges do not meet, each keeps its own row, and the programme
        // admits nothing, as it should.
        let mut ends: Vec<(f64, f64)> = rows.iter().map(|&(_, lo, hi)| (lo, hi)).collect();
        let mut same_as: Vec<usize> = (0..rows.len()).collect();
        if writing == Writing::Short {
            for (k, group) in groups.iter().enumerate() {
                if group.is_empty() {
                    continue;
                }
                let &mut j = short.by_people.entry(group.clone()).or_insert(k);
                if j != k {
                    let (lo, hi) = (ends[j].0.max(ends[k].0), ends[j].1.min(ends[k].1));
                    if lo <= hi {
                        ends[j] = (lo, hi);
                        same_as[k] = j;
                    }
                }
            }
        }
        // What each number holds: its variable, or its value when that is known exactly.
        for (k, &(lo, hi)) in ends.iter().enumerate() {
            let held = if same_as[k] != k {
                short.held[same_as[k]]
            } else if lo == hi {
                Held::Fixed(lo)
            } else {
                Held::Var(problem.add_var(0.0, (lo, hi)))
            };
            short.held.push(held);
        }
        let held = &short.held;
        for (k, &(sum, lo, hi)) in rows.iter().enumerate() {
            let group = &groups[k];
            if same_as[k] != k {
                continue;
            }
            if group.is_empty() {
                if lo <= 0.0 && 0.0 <= hi {
                    continue;
                }
                // Nobody can be in it, yet it is published above 0: the system admits nothing.
                match held[k] {
                    Held::Fixed(value) => problem.add_constraint(
                        Vec::<(Variable, f64)>::new(),
                        ComparisonOp::Eq,
                        value,
                    ),
                    Held::Var(total) => {
                        problem.add_constraint([(total, -1.0)], ComparisonOp::Eq, 0.0)
                    }
                }
                continue;
            }
            let (mut terms, rest) = short
                .written(group, Some(k))
                .unwrap_or_else(|| (atoms.terms(sum, 1.0), 0.0));
            let rhs = match held[k] {
                Held::Fixed(value) => value - rest,
                Held::Var(total) => {
                    terms.push((total, -1.0));
                    -rest
                }
            };
            problem.add_constraint(terms, ComparisonOp::Eq, rhs);
        }
        for (earlier, later) in links {
            let terms = atoms.weighted([(later, 1.0), (earlier, -1.0)].into_iter());
            problem.add_constraint(terms, ComparisonOp::Ge, 0.0);
        }
        // An atom certainly empty has no variable: two numbers over the same atoms that may
        // hold somebody count the same people (and show the same value) in truth. Otherwise
        // the row is between the two numbers' own variables, which equal their sums.
        for &(inner, outer) in self.strictly_more_pairs() {
            if groups[outer] == groups[inner] {
                continue;
            }
            let mut terms = Vec::new();
            let mut rhs = 1.0;
            for (k, sign) in [(outer, 1.0), (inner, -1.0)] {
                match held[k] {
                    Held::Var(v) => terms.push((v, sign)),
                    Held::Fixed(value) => rhs -= sign * value,
                }
            }
            problem.add_constraint(terms, ComparisonOp::Ge, rhs);
        }
        self.equal_rows(&mut problem, &atoms, |_, _| 0.0);
        (problem, Atoms { short, ..atoms })
    }

    /// Each pair of sums [`System::same`] says are equal, as a row of `problem` over `atoms`:
    /// a − b = `rhs(a, b)` (what the atoms left out of `atoms` hold, moved to the right).
    fn equal_rows(&self, problem: &mut Problem, atoms: &Atoms, rhs: impl Fn(&Sum, &Sum) -> f64) {
        for (a, b) in &self.equal {
            let both = a
                .iter()
                .map(|&x| (x, 1.0))
                .chain(b.iter().map(|&x| (x, -1.0)));
            let terms = atoms.weighted(both);
            if !terms.is_empty() {
                problem.add_constraint(terms, ComparisonOp::Eq, rhs(a, b));
            }
        }
    }

    /// The optimal point, or `None` when the objective is unbounded, solved from scratch.
    fn solve(
        &self,
        target: &[usize],
        direction: OptimizationDirection,
    ) -> Result<Option<Vec<f64>>, String> {
        self.solve_written(target, direction, Writing::Short)
    }

    /// [`System::solve`], the programme written as `writing` says.
    fn solve_written(
        &self,
        target: &[usize],
        direction: OptimizationDirection,
        writing: Writing,
    ) -> Result<Option<Vec<f64>>, String> {
        let objective = |i| if target.contains(&i) { 1.0 } else { 0.0 };
        let (problem, atoms) = self.programme(direction, objective, writing);
        let mut options = microlp::SolveOptions::default();
        options.presolve = false;
        match problem.solve_with(options) {
            Ok(outcome) => match outcome.into_solution() {
                Ok(solution) => Ok(Some(atoms.point(&solution))),
                Err(_) => Err("the solver stopped before an answer".into()),
            },
            Err(Error::Unbounded) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}

/// How [`System::programme`] writes a number of a later release: through the same number of
/// an earlier one where it can ([`ShortForms`]), or as the chains of its atoms (the plain form,
/// which the short one must agree with).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Writing {
    Short,
    #[cfg_attr(not(test), allow(dead_code))]
    Chains,
}

/// [`System::chains`]: each atom as the variables it adds up, the atom before it in its chain
/// (`None` for the first, and for an atom certainly empty), and the "at most" links left over.
struct Chains {
    chains: Vec<Sum>,
    before: Vec<Option<usize>>,
    links: Vec<(usize, usize)>,
}

/// What a number of the programme holds: a variable between the ends of its range, or its
/// value when the range is one value.
#[derive(Clone, Copy)]
enum Held {
    Var(Variable),
    Fixed(f64),
}

/// Writes a sum of a later release through the same sum in an earlier one.
///
/// An atom is its chain: the same people's atom in the release before, plus its own "new
/// people". So a sum over a group of atoms is the sum over the atoms before them plus their own
/// new people; and when the programme already holds that earlier sum as a number of its own
/// (published, or bounded below), that number's variable stands in for the whole earlier part.
/// The same programme, with a handful of terms per row where the chains would give each row as
/// many terms per atom as there are releases.
#[derive(Default)]
struct ShortForms {
    before: Vec<Option<usize>>,
    own: Vec<Option<Variable>>,
    /// The first number over each group of atoms that may hold somebody (sorted).
    by_people: HashMap<Sum, usize>,
    held: Vec<Held>,
}

impl ShortForms {
    /// The atoms of `sum` that may hold somebody, sorted.
    fn people(&self, sum: &[usize]) -> Sum {
        let mut people: Sum = sum
            .iter()
            .copied()
            .filter(|&a| self.own.get(a).copied().flatten().is_some())
            .collect();
        people.sort_unstable();
        people
    }

    /// `group` (atoms that may hold somebody, sorted) as terms and a constant: own new people
    /// back to the nearest earlier group that is a number of the programme, other than number
    /// `skip` itself. `None` when there is no such group (some atom is the first of its chain
    /// before one is found): then the chains are the way to write it.
    fn written(&self, group: &Sum, skip: Option<usize>) -> Option<(Vec<(Variable, f64)>, f64)> {
        let mut terms: Vec<(Variable, f64)> = Vec::new();
        let mut current = group.clone();
        let mut skip = skip;
        loop {
            if let Some(&j) = self.by_people.get(&current).filter(|&&j| Some(j) != skip) {
                let mut constant = 0.0;
                match self.held[j] {
                    Held::Var(v) => terms.push((v, 1.0)),
                    Held::Fixed(value) => constant = value,
                }
                return Some((merged(terms), constant));
            }
            // Only the number itself has its own group; earlier groups are other numbers'.
            skip = None;
            let mut earlier = Vec::with_capacity(current.len());
            for &a in &current {
                earlier.push(self.before[a]?);
                terms.extend(self.own[a].map(|v| (v, 1.0)));
            }
            earlier.sort_unstable();
            current = earlier;
        }
    }
}

/// Terms with one entry per variable, coefficients added up (the solver refuses a variable twice
/// in a row).
fn merged(mut all: Vec<(Variable, f64)>) -> Vec<(Variable, f64)> {
    all.sort_unstable_by_key(|(v, _)| v.idx());
    let mut terms: Vec<(Variable, f64)> = Vec::with_capacity(all.len());
    for (v, c) in all {
        match terms.last_mut() {
            Some((w, total)) if *w == v => *total += c,
            _ => terms.push((v, c)),
        }
    }
    terms.retain(|(_, c)| *c != 0.0);
    terms
}

/// A sum as its length and atoms, for a digest.
fn put_sum(put: &mut dyn FnMut(u64), sum: &Sum) {
    put(sum.len() as u64);
    sum.iter().for_each(|&a| put(a as u64));
}

/// [`System::remembered`]: the system, and a digest of every constraint of it.
pub(super) struct Remembered<'a> {
    system: &'a System,
    digest: ring::digest::Context,
}

impl Remembered<'_> {
    /// The system's and `target`'s digest: two questions with the same digest have the same
    /// answer.
    fn question(&self, target: &Sum) -> super::widths::Question {
        let mut digest = self.digest.clone();
        put_sum(&mut |x| digest.update(&x.to_le_bytes()), target);
        let mut question = [0u8; 32];
        question.copy_from_slice(digest.finish().as_ref());
        question
    }

    /// [`System::width`], worked out only if it was not before.
    pub(super) fn width(&self, target: &Sum) -> Result<Option<f64>, String> {
        let question = self.question(target);
        if let Some(width) = super::widths::recalled(&question) {
            return Ok(width);
        }
        let width = self.system.width(target)?;
        super::widths::keep(question, width);
        Ok(width)
    }

    /// [`System::width`] if it was worked out before.
    pub(super) fn recalled(&self, target: &Sum) -> Option<Option<f64>> {
        super::widths::recalled(&self.question(target))
    }
}

/// Each atom of a programme as the variables it adds up.
struct Atoms {
    vars: Vec<Vec<Variable>>,
    /// How sums of the programme's atoms may be written shorter (empty: they may not).
    short: ShortForms,
}

impl Atoms {
    /// The sum of `atoms` as terms and a constant, as short as the programme allows (see
    /// [`ShortForms`]).
    fn row(&self, atoms: &[usize]) -> (Vec<(Variable, f64)>, f64) {
        let group = self.short.people(atoms);
        (!group.is_empty())
            .then(|| self.short.written(&group, None))
            .flatten()
            .unwrap_or_else(|| (self.terms(atoms, 1.0), 0.0))
    }

    /// `coefficient` times the sum of `atoms`, one term per variable.
    fn terms(&self, atoms: &[usize], coefficient: f64) -> Vec<(Variable, f64)> {
        self.weighted(atoms.iter().map(|&a| (a, coefficient)))
    }

    /// A sum of atoms, each with its coefficient, one term per variable (none for a variable
    /// whose coefficients cancel out: the solver refuses a variable twice in a row).
    fn weighted(&self, atoms: impl Iterator<Item = (usize, f64)>) -> Vec<(Variable, f64)> {
        merged(
            atoms
                .flat_map(|(a, c)| self.vars[a].iter().map(move |&v| (v, c)))
                .collect(),
        )
    }

    /// Every atom's value at `solution` (0 for one certainly empty).
    fn point(&self, solution: &microlp::Solution) -> Vec<f64> {
        self.vars
            .iter()
            .map(|vars| vars.iter().map(|v| solution.var_value(*v)).sum())
            .collect()
    }
}

/// What [`Extremes::reach`] asks of a sum.
#[derive(Clone, Copy)]
enum Goal {
    AtLeast(f64),
    AtMost(f64),
}

/// The cap on `up` and `down` in [`Extremes`]: far above any count, so a sum that reaches it
/// is left to a programme of its own (which finds it unbounded, or its true extreme).
const CAP: f64 = 1e7;

/// The extremes of sums over one system, each found by editing one solved programme.
///
/// The system is solved once with `up` and `down` free between 0 and [`CAP`]. The largest value
/// of a sum is then that solution with `up ≤ sum` added (the solver goes on from where it was,
/// instead of from nothing), read off `up`; the smallest is `down ≥ sum`, read off `down`. The
/// system's own rows are untouched, so the point found is feasible for the system itself, and
/// below the cap `up` (or `down`) stops exactly at the sum's extreme: the same answer as a
/// programme of its own. Where the edit fails, or the value reaches the cap, the sum gets a
/// programme of its own.
struct Extremes<'a> {
    system: &'a System,
    /// `None` when the system could not be solved this way (each sum then gets its own).
    base: Option<(microlp::Solution, Atoms, Variable, Variable)>,
}

impl<'a> Extremes<'a> {
    fn new(system: &'a System) -> Extremes<'a> {
        let (problem, vars, up, down) = system.problem();
        let mut options = microlp::SolveOptions::default();
        options.presolve = false;
        let base = problem
            .solve_with(options)
            .ok()
            .and_then(|outcome| outcome.into_solution().ok())
            .map(|solution| (solution, vars, up, down));
        Extremes { system, base }
    }

    /// A feasible point where `target` meets `goal`, or `None` when there is none (or the
    /// edit failed: the caller then finds the extremes, which decide either way). The solver
    /// stops at the first such point instead of going on to the extreme.
    fn reach(&self, target: &[usize], goal: Goal) -> Option<Vec<f64>> {
        let (base, vars, _, _) = self.base.as_ref()?;
        let (op, value) = match goal {
            Goal::AtLeast(v) => (ComparisonOp::Ge, v),
            Goal::AtMost(v) if v < 0.0 => return None,
            Goal::AtMost(v) => (ComparisonOp::Le, v),
        };
        let (row, constant) = vars.row(target);
        if row.is_empty() {
            return None;
        }
        let solution = base
            .clone()
            .add_constraint(row, op, value - constant)
            .ok()?
            .into_solution()
            .ok()?;
        Some(vars.point(&solution))
    }

    /// The optimal point for `target` in `direction`, or `None` when it is unbounded.
    fn extreme(
        &self,
        target: &[usize],
        direction: OptimizationDirection,
    ) -> Result<Option<Vec<f64>>, String> {
        if let Some((base, vars, up, down)) = &self.base {
            let (bound, op) = match direction {
                OptimizationDirection::Maximize => (*up, ComparisonOp::Le),
                OptimizationDirection::Minimize => (*down, ComparisonOp::Ge),
            };
            let (terms, constant) = vars.row(target);
            let mut row = vec![(bound, 1.0)];
            row.extend(terms.into_iter().map(|(v, c)| (v, -c)));
            let edited = base
                .clone()
                .add_constraint(row, op, constant)
                .ok()
                .and_then(|outcome| outcome.into_solution().ok());
            if let Some(solution) = edited {
                if solution.var_value(bound) < CAP - 0.5 {
                    return Ok(Some(vars.point(&solution)));
                }
            }
        }
        self.system.solve(target, direction)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// T = 10: a count shown as 10 is 10 to 12, as 12 is 10 to 14.
    fn shown_at_ten(value: u64) -> Shown {
        Shown::new(value, 10)
    }

    #[test]
    fn a_part_shown_with_another_value_than_its_whole_leaves_at_least_one_person_outside_it() {
        // Atom 0: who answered both questions and chose o1; atom 1: who chose o1 and skipped
        // the other. The two-way total shows 10, the one-way count 12: same people, same value,
        // so atom 1 holds someone. Alone the ranges allow 0 to 4; the rule leaves 1 to 4.
        let mut s = System::default();
        s.add_atoms(2);
        s.publish(vec![0], shown_at_ten(10));
        s.publish(vec![0, 1], shown_at_ten(12));
        assert_eq!(s.width(&vec![1]).expect("solved"), Some(3.0));
        let mut same = System::default();
        same.add_atoms(2);
        same.publish(vec![0], shown_at_ten(12));
        same.publish(vec![0, 1], shown_at_ten(12));
        assert_eq!(same.width(&vec![1]).expect("solved"), Some(4.0));
    }

    #[test]
    fn a_count_shown_higher_in_the_next_release_gained_at_least_one_person() {
        let mut s = System::default();
        let mut previous = None;
        let first = s.add_release(1, &mut previous);
        let second = s.add_release(1, &mut previous);
        s.publish(vec![first], shown_at_ten(10));
        s.publish(vec![second], shown_at_ten(12));
        // Release 2's count: 10 to 14 alone, at least one more than release 1's (10 to 12).
        assert_eq!(s.width(&vec![second]).expect("solved"), Some(3.0));
        let point = vec![11.0, 11.0];
        assert!(
            s.misses(&point).is_some(),
            "the same count twice is refused"
        );
    }

    /// A number shown by a release with T = 5, below every count these tests show but 1: the
    /// threshold's floor changes none of their ranges.
    fn shown(value: u64) -> Shown {
        Shown::new(value, 5)
    }

    #[test]
    fn a_count_shown_at_the_threshold_is_known_to_be_at_least_the_threshold() {
        // Cells a, b hidden, c and d shown as 10, the total as 24. By the noise alone c and d
        // are 8 to 12, so a + b is at most 26 - 16 = 10: a is 0 to 10, wide enough for T = 10.
        // But no count from 1 to 9 is ever shown: c and d are at least 10, so a + b is at most
        // 6, and a reader who knows the rule pins a to 0..6.
        let with_threshold = |t: u64| {
            let mut s = System::default();
            s.add_atoms(4);
            s.publish(vec![2], Shown::new(10, t));
            s.publish(vec![3], Shown::new(10, t));
            s.publish(vec![0, 1, 2, 3], Shown::new(24, t));
            s
        };
        assert_eq!(with_threshold(5).narrowest(&[vec![0]], 10), Ok(None));
        assert_eq!(with_threshold(10).narrowest(&[vec![0]], 10), Ok(Some(0)));
        assert_eq!(with_threshold(10).narrowest(&[vec![0]], 6), Ok(None));
    }

    /// Cells a, b and c of one table: c = 50 and the total 84 published, a and b hidden.
    fn a_and_b_hidden_beside_fifty() -> System {
        let mut s = System::default();
        s.add_atoms(3);
        s.publish(vec![2], shown(50));
        s.publish(vec![0, 1, 2], shown(84));
        s
    }

    #[test]
    fn two_hidden_cells_beside_a_published_one_are_as_wide_as_their_sum() {
        // Cells a, b, c; c = 50 and the total 84 are published: a + b = 34 ± 4.
        let s = a_and_b_hidden_beside_fifty();
        assert_eq!(s.narrowest(&[vec![0], vec![1]], 10), Ok(None));
        assert_eq!(s.narrowest(&[vec![0], vec![1]], 39), Ok(Some(0)));
    }

    #[test]
    fn an_earlier_release_bounds_a_hidden_cell_from_below() {
        // Now: a and b hidden, c = 50, total 84, so a is anything in 0..=38. Before: a was
        // published as 34, so now a is at least 32: 32..=38 is narrower than 10.
        let mut s = a_and_b_hidden_beside_fifty();
        assert_eq!(s.narrowest(&[vec![0]], 10), Ok(None));
        let old = s.add_atoms(1);
        s.publish(vec![old], shown(34));
        s.at_most(old, 0);
        assert_eq!(s.narrowest(&[vec![0]], 10), Ok(Some(0)));
    }

    #[test]
    fn a_margin_of_another_table_narrows_a_count_and_only_its_highest_bound_is_kept() {
        // a hidden, b = 20 and the total 30 published: a is 6 to 14. Another table's margin
        // counting some of the same people (33, so at least 31) lifts the total, and a is 9 to 14.
        let mut s = System::default();
        s.add_atoms(2);
        s.publish(vec![1], shown(20));
        s.publish(vec![0, 1], shown(30));
        assert_eq!(s.narrowest(&[vec![0]], 6), Ok(None));
        s.at_least(vec![1, 0], shown(33));
        s.at_least(vec![0, 1], shown(31));
        s.at_least(vec![0, 1], shown(1));
        assert_eq!(
            s.known.len() + s.floors.len(),
            3,
            "one row for the margins of one sum"
        );
        assert_eq!(s.narrowest(&[vec![0]], 6), Ok(Some(0)));
        assert_eq!(s.narrowest(&[vec![0]], 5), Ok(None));
    }

    #[test]
    fn an_edited_system_finds_the_same_extremes_as_a_programme_of_its_own() {
        // Two releases: a was 34 before and counts only grow; c = 50 and the total 84 now.
        let mut s = a_and_b_hidden_beside_fifty();
        let old = s.add_atoms(2);
        s.publish(vec![old], shown(34));
        s.at_most(old, 0);
        s.at_most(old + 1, 1);
        let lps = Extremes::new(&s);
        for target in [
            vec![0],
            vec![1],
            vec![0, 1],
            vec![2],
            vec![old + 1],
            vec![0, old],
        ] {
            for direction in [
                OptimizationDirection::Maximize,
                OptimizationDirection::Minimize,
            ] {
                let value = |point: Option<Vec<f64>>| {
                    point.map(|p| target.iter().map(|&a| p[a]).sum::<f64>())
                };
                let edited = value(lps.extreme(&target, direction).expect("solves"));
                let own = value(s.solve(&target, direction).expect("solves"));
                match (edited, own) {
                    (Some(x), Some(y)) => assert!((x - y).abs() < SLACK, "{target:?} {x} {y}"),
                    other => panic!("{target:?} {direction:?}: {other:?}"),
                }
            }
        }
    }

    #[test]
    fn a_goal_is_reached_exactly_when_the_extreme_on_its_side_lies_beyond_it() {
        // a and b hidden, c = 50, total 84: a + b is 30 to 38, and a alone 0 to 38.
        let s = a_and_b_hidden_beside_fifty();
        let lps = Extremes::new(&s);
        let sum = |p: &[f64], t: &[usize]| t.iter().map(|&a| p[a]).sum::<f64>();
        for (target, high, low) in [(vec![0, 1], 38.0, 30.0), (vec![0], 38.0, 0.0)] {
            let at_least = lps
                .reach(&target, Goal::AtLeast(high - 0.5))
                .expect("feasible");
            assert!(sum(&at_least, &target) >= high - 0.5 - SLACK);
            let at_most = lps
                .reach(&target, Goal::AtMost(low + 0.5))
                .expect("feasible");
            assert!(sum(&at_most, &target) <= low + 0.5 + SLACK);
            assert_eq!(lps.reach(&target, Goal::AtLeast(high + 0.5)), None);
            assert_eq!(lps.reach(&target, Goal::AtMost(low - 0.5)), None);
        }
    }

    #[test]
    fn an_edited_system_still_finds_a_sum_nothing_bounds_unbounded() {
        let mut s = System::default();
        s.add_atoms(2);
        s.publish(vec![0], shown(40));
        let lps = Extremes::new(&s);
        assert_eq!(lps.extreme(&[1], OptimizationDirection::Maximize), Ok(None));
        assert_eq!(
            lps.extreme(&[0, 1], OptimizationDirection::Maximize),
            Ok(None)
        );
        let lowest = lps
            .extreme(&[0, 1], OptimizationDirection::Minimize)
            .expect("solves")
            .expect("bounded below");
        assert!((lowest[0] + lowest[1] - 38.0).abs() < SLACK);
    }

    #[test]
    fn an_atom_known_empty_and_the_earlier_atoms_it_bounds_are_zero_at_every_point() {
        // Now: atoms 0, 1, 2 with 2 known empty; the total 30 is published. Before: atoms 3, 4, 5,
        // each at most its later self, so 5 is empty too; 4 was published as 12.
        let mut s = System::default();
        s.add_atoms(3);
        s.empty(2);
        s.publish(vec![0, 1, 2], shown(30));
        let old = s.add_atoms(3);
        for i in 0..3 {
            s.at_most(old + i, i);
        }
        s.publish(vec![old + 1], shown(12));
        assert_eq!(
            s.certainly_empty(),
            [false, false, true, false, false, true]
        );
        for direction in [
            OptimizationDirection::Maximize,
            OptimizationDirection::Minimize,
        ] {
            let point = s.solve(&[0], direction).expect("solves").expect("bounded");
            assert_eq!((point[2], point[old + 2]), (0.0, 0.0));
        }
        // Atom 1 holds at least the 10 people of atom 4 (12 − 2): atom 0 is at most 32 − 10.
        let lps = Extremes::new(&s);
        let highest = lps
            .extreme(&[0], OptimizationDirection::Maximize)
            .expect("solves")
            .expect("bounded");
        assert!((highest[0] - 22.0).abs() < SLACK, "{highest:?}");
        assert_eq!(s.narrowest(&[vec![0], vec![2]], 10), Ok(Some(1)));
    }

    #[test]
    fn a_published_number_only_empty_atoms_could_hold_is_still_a_contradiction() {
        let mut s = System::default();
        s.add_atoms(2);
        s.empty(1);
        s.publish(vec![1], shown(20));
        assert!(s.solve(&[0], OptimizationDirection::Maximize).is_err());
    }

    #[test]
    fn a_count_between_two_releases_is_bounded_by_both() {
        // The same group in three releases: 20 published in the first, 40 in the third, hidden
        // in the second, so anything from 18 to 42 (a link stated twice changes nothing).
        let mut s = System::default();
        s.add_atoms(3);
        s.at_most(0, 1);
        s.at_most(1, 2);
        s.at_most(0, 2);
        s.publish(vec![0], shown(20));
        s.publish(vec![2], shown(40));
        assert_eq!(s.narrowest(&[vec![1]], 24), Ok(None));
        assert_eq!(s.narrowest(&[vec![1]], 25), Ok(Some(0)));
        let lps = Extremes::new(&s);
        let lowest = lps
            .extreme(&[1], OptimizationDirection::Minimize)
            .expect("solves")
            .expect("bounded");
        assert!((lowest[1] - 18.0).abs() < SLACK, "{lowest:?}");
        assert!(lowest[0] <= lowest[1] + SLACK && lowest[1] <= lowest[2] + SLACK);
    }

    #[test]
    fn a_hidden_number_nothing_bounds_is_wide() {
        let mut s = System::default();
        s.add_atoms(2);
        s.publish(vec![0], shown(40));
        assert_eq!(s.narrowest(&[vec![1]], 50), Ok(None));
    }

    /// One group in two releases: release 1 hides its count, release 2 shows 20 (18 to 22).
    /// Another question's tables say how many of the group answered that question: 12 in
    /// release 1 (10 to 14), 20 in release 2 (18 to 22).
    fn a_group_and_who_answered_a_third_question(split: bool) -> (System, Sum) {
        let mut s = System::default();
        let mut previous = None;
        let first = s.add_release(1, &mut previous);
        let second = s.add_release(1, &mut previous);
        s.publish(vec![second], shown(20));
        if !split {
            // Read as lower bounds on the group's count, as a pair's own audit does.
            s.at_least(vec![first], shown(12));
            s.at_least(vec![second], shown(20));
            return (s, vec![first]);
        }
        let mut s = s.split_in(2);
        s.publish(vec![2 * first], shown(12));
        s.publish(vec![2 * second], shown(20));
        (s, parts(&vec![first], 2))
    }

    #[test]
    fn people_who_answered_a_third_question_grow_apart_from_the_rest_of_their_group() {
        // Read as lower bounds, release 1's count is anything from 10 to 22.
        let (whole, target) = a_group_and_who_answered_a_third_question(false);
        assert_eq!(whole.width(&target), Ok(Some(12.0)));
        // Split, the group's people who did not answer are at most 22 − 18 = 4 in release 2,
        // so at most 4 in release 1, and those who did at most 14: 10 to 18.
        let (split, target) = a_group_and_who_answered_a_third_question(true);
        assert_eq!(split.width(&target), Ok(Some(8.0)));
    }

    #[test]
    fn a_split_system_alone_keeps_every_width() {
        let (whole, target) = a_group_and_who_answered_a_third_question(false);
        assert_eq!(
            whole.split_in(2).width(&parts(&target, 2)),
            whole.width(&target)
        );
    }

    /// Two releases of two groups; release 2 shows their total, 30 (28 to 32). Two points of a
    /// looser system put 0 and 10 people in release 1's first group (hidden), and 10 in release
    /// 2's; then a bound says release 2's first group holds at least 18.
    fn two_points_missing_a_new_bound() -> (System, Witnesses, Range<usize>) {
        let mut s = System::default();
        let mut previous = None;
        s.add_release(2, &mut previous);
        let second = s.add_release(2, &mut previous);
        s.publish(vec![second, second + 1], shown(30));
        let points = vec![vec![0.0, 0.0, 10.0, 20.0], vec![10.0, 0.0, 10.0, 20.0]];
        assert!(points.iter().all(|p| s.misses(p).is_none()));
        s.at_least(vec![second], shown(20));
        assert!(points.iter().all(|p| s.misses(p).is_some()));
        let memory = Witnesses {
            points,
            ..Witnesses::default()
        };
        (s, memory, second..second + 2)
    }

    #[test]
    fn a_point_missing_a_new_bound_is_moved_in_the_latest_release_and_still_proves_earlier_numbers()
    {
        let (s, mut memory, latest) = two_points_missing_a_new_bound();
        memory.meeting_floors_moving(latest);
        // Release 1's first group: 0 in one point, 10 in the other. Moved, both still say so,
        // and prove it 10 wide with no programme of its own (no point is added).
        assert_eq!(
            s.narrowest_needing(&[vec![0]], &[10.0], &mut memory),
            Ok(None)
        );
        assert_eq!(memory.points.len(), 2);
        for (point, first) in memory.points.iter().zip([0.0, 10.0]) {
            assert_eq!(s.misses(point), None);
            assert_eq!(&point[..2], &[first, 0.0]);
            assert!(point[2] >= 18.0 - SLACK);
        }
    }

    #[test]
    fn a_point_that_only_an_earlier_release_could_fix_is_dropped() {
        // Release 1's second group now holds at least 5: no move in release 2 mends that.
        let (mut s, mut memory, latest) = two_points_missing_a_new_bound();
        s.at_least(vec![1], shown(5));
        memory.meeting_floors_moving(latest);
        memory.settle(&s, &[vec![0]], &[10.0]);
        assert!(memory.points.is_empty());
        // Dropped like this, as before moving: only points that meet every bound are kept.
        let (s, mut memory, _) = two_points_missing_a_new_bound();
        memory.meeting_floors(&s);
        assert!(memory.points.is_empty());
    }

    /// A random system of a few releases of the same few groups, published as they truly
    /// were (so it admits the truth), with the same sums coming back from release to release,
    /// some only bounded below, and some groups empty; and sums to ask about.
    fn releases_of_the_same_groups() -> impl Strategy<Value = (System, Vec<Sum>)> {
        use proptest::collection::vec;
        (1usize..=4, 2usize..=4)
            .prop_flat_map(|(releases, n)| {
                let subsets = vec(vec(0..n, 1..=n), 1..=5);
                let counts = vec(vec(0u64..9, n), releases);
                let picks = vec((0usize..5, any::<bool>(), any::<bool>(), 0u64..5), 0..=12);
                let asked = vec((0..releases, vec(0..n, 1..=n)), 1..=4);
                (Just((releases, n)), subsets, counts, picks, asked, 0..n)
            })
            .prop_map(|((releases, n), subsets, counts, picks, asked, empty)| {
                let mut s = System::default();
                let mut previous = None;
                let mut truth = vec![0u64; n];
                let mut bases = Vec::new();
                for (r, new) in counts.iter().enumerate() {
                    let base = s.add_release(n, &mut previous);
                    bases.push(base);
                    for (a, more) in new.iter().enumerate() {
                        // One group never holds anybody, and the reader knows it.
                        truth[a] += if a == empty { 0 } else { *more };
                    }
                    if r + 1 == releases {
                        s.empty(base + empty);
                    }
                    for &(k, published, skip, off) in &picks {
                        let Some(positions) = subsets.get(k % subsets.len()) else {
                            continue;
                        };
                        if skip {
                            continue;
                        }
                        let mut sum: Sum = positions.iter().map(|&p| base + p).collect();
                        sum.sort_unstable();
                        sum.dedup();
                        let value: u64 = positions
                            .iter()
                            .collect::<std::collections::BTreeSet<_>>()
                            .into_iter()
                            .map(|&p| truth[p])
                            .sum();
                        // Shown up to 2 off the truth, the same value always shown the same
                        // way (as the same people always get the same adjustment); a lower
                        // bound up to 4 below it.
                        if published {
                            let shown = if value < 7 {
                                value
                            } else {
                                value + value % 5 - 2
                            };
                            s.publish(sum, Shown::new(shown, 5));
                        } else {
                            s.at_least(sum, Shown::new(value.saturating_sub(off), 5));
                        }
                    }
                }
                let targets = asked
                    .into_iter()
                    .map(|(r, positions)| {
                        let mut sum: Sum = positions.iter().map(|&p| bases[r] + p).collect();
                        sum.sort_unstable();
                        sum.dedup();
                        sum
                    })
                    .collect();
                (s, targets)
            })
    }

    #[test]
    fn a_width_is_recalled_only_for_the_same_system_and_sum() {
        // Values no other test shows, so that no other test's width is recalled here.
        let system = |total: u64| {
            let mut s = System::default();
            let mut previous = None;
            let first = s.add_release(3, &mut previous);
            s.publish(vec![first, first + 1, first + 2], shown(total));
            s.publish(vec![first + 2], shown(613));
            s
        };
        let s = system(977);
        let target = vec![0];
        assert_eq!(s.remembered().recalled(&target), None);
        let width = s.remembered().width(&target).expect("solved");
        assert_eq!(width, s.width(&target).expect("solved"));
        assert_eq!(system(977).remembered().recalled(&target), Some(width));
        assert_eq!(system(977).remembered().recalled(&vec![1]), None);
        assert_eq!(system(978).remembered().recalled(&target), None);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// Writing later numbers through earlier ones changes no extreme of any sum: solved
        /// from scratch or by editing the solved system, against the programme written out
        /// in chains.
        #[test]
        fn short_forms_find_the_same_extremes_as_the_chains(
            (s, targets) in releases_of_the_same_groups()
        ) {
            let lps = Extremes::new(&s);
            for target in &targets {
                for direction in [
                    OptimizationDirection::Maximize,
                    OptimizationDirection::Minimize,
                ] {
                    let value = |point: Option<Vec<f64>>| {
                        point.map(|p| target.iter().map(|&a| p[a]).sum::<f64>())
                    };
                    let chains = value(
                        s.solve_written(target, direction, Writing::Chains).expect("solves"),
                    );
                    let short = value(
                        s.solve_written(target, direction, Writing::Short).expect("solves"),
                    );
                    let edited = value(lps.extreme(target, direction).expect("solves"));
                    for found in [short, edited] {
                        match (found, chains) {
                            (Some(x), Some(y)) => prop_assert!(
                                (x - y).abs() < 1e-6,
                                "{target:?} {direction:?}: {x} against {y}"
                            ),
                            (None, None) => {}
                            other => prop_assert!(false, "{target:?} {direction:?}: {other:?}"),
                        }
                    }
                }
            }
        }
    }
}
