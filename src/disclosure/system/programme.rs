//! A system written as a linear programme: atoms as chains of new people, and later numbers
//! written through earlier ones where the programme holds them.

use std::collections::HashMap;
use std::ops::Range;

use microlp::{ComparisonOp, Error, OptimizationDirection, Problem, Variable};

use super::extremes::CAP;
use super::{Sum, System, SLACK};

impl System {
    /// A feasible point equal to `point` outside `movable`, if there is one: a programme over
    /// the atoms of `movable` alone, every other atom held at its value in `point`.
    pub(super) fn moved(&self, point: &[f64], movable: &Range<usize>) -> Option<Vec<f64>> {
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
        for terms in &self.rules {
            let row = atoms.weighted(terms.iter().copied());
            let rest: f64 = terms
                .iter()
                .filter(|(a, _)| !movable.contains(a))
                .map(|&(a, c)| c * point.get(a).copied().unwrap_or(0.0))
                .sum();
            if !row.is_empty() {
                problem.add_constraint(row, ComparisonOp::Ge, -rest);
            } else if rest < -SLACK {
                return None;
            }
        }
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

    /// The linear programme of this system with no objective and two extra variables, `up`
    /// (maximised) and `down` (minimised), each between 0 and [`CAP`]; and those variables.
    pub(super) fn problem(&self) -> (Problem, Atoms, Variable, Variable) {
        let (mut problem, vars) =
            self.programme(OptimizationDirection::Maximize, |_| 0.0, Writing::Short);
        let up = problem.add_var(1.0, (0.0, CAP));
        let down = problem.add_var(-1.0, (0.0, CAP));
        (problem, vars, up, down)
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
    pub(super) fn programme(
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
        for terms in &self.rules {
            let row = atoms.weighted(terms.iter().copied());
            if !row.is_empty() {
                problem.add_constraint(row, ComparisonOp::Ge, 0.0);
            }
        }
        (problem, Atoms { short, ..atoms })
    }

    /// Each pair of sums [`System::same`] says are equal, as a row of `problem` over `atoms`:
    /// a − b = `rhs(a, b)` (what the atoms left out of `atoms` hold, moved to the right).
    pub(super) fn equal_rows(
        &self,
        problem: &mut Problem,
        atoms: &Atoms,
        rhs: impl Fn(&Sum, &Sum) -> f64,
    ) {
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
    pub(super) fn solve(
        &self,
        target: &[usize],
        direction: OptimizationDirection,
    ) -> Result<Option<Vec<f64>>, String> {
        self.solve_written(target, direction, Writing::Short)
    }

    /// [`System::solve`], the programme written as `writing` says.
    pub(super) fn solve_written(
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
pub(super) enum Writing {
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
pub(super) struct ShortForms {
    before: Vec<Option<usize>>,
    own: Vec<Option<Variable>>,
    /// The first number over each group of atoms that may hold somebody (sorted).
    by_people: HashMap<Sum, usize>,
    held: Vec<Held>,
}

impl ShortForms {
    /// The atoms of `sum` that may hold somebody, sorted.
    pub(super) fn people(&self, sum: &[usize]) -> Sum {
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
    pub(super) fn written(
        &self,
        group: &Sum,
        skip: Option<usize>,
    ) -> Option<(Vec<(Variable, f64)>, f64)> {
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

/// Each atom of a programme as the variables it adds up.
pub(super) struct Atoms {
    vars: Vec<Vec<Variable>>,
    /// How sums of the programme's atoms may be written shorter (empty: they may not).
    short: ShortForms,
}

impl Atoms {
    /// The sum of `atoms` as terms and a constant, as short as the programme allows (see
    /// [`ShortForms`]).
    pub(super) fn row(&self, atoms: &[usize]) -> (Vec<(Variable, f64)>, f64) {
        let group = self.short.people(atoms);
        (!group.is_empty())
            .then(|| self.short.written(&group, None))
            .flatten()
            .unwrap_or_else(|| (self.terms(atoms, 1.0), 0.0))
    }

    /// `coefficient` times the sum of `atoms`, one term per variable.
    pub(super) fn terms(&self, atoms: &[usize], coefficient: f64) -> Vec<(Variable, f64)> {
        self.weighted(atoms.iter().map(|&a| (a, coefficient)))
    }

    /// A sum of atoms, each with its coefficient, one term per variable (none for a variable
    /// whose coefficients cancel out: the solver refuses a variable twice in a row).
    pub(super) fn weighted(
        &self,
        atoms: impl Iterator<Item = (usize, f64)>,
    ) -> Vec<(Variable, f64)> {
        merged(
            atoms
                .flat_map(|(a, c)| self.vars[a].iter().map(move |&v| (v, c)))
                .collect(),
        )
    }

    /// Every atom's value at `solution` (0 for one certainly empty).
    pub(super) fn point(&self, solution: &microlp::Solution) -> Vec<f64> {
        self.vars
            .iter()
            .map(|vars| vars.iter().map(|v| solution.var_value(*v)).sum())
            .collect()
    }
}

/// `outer − inner` as atoms with coefficients.
fn difference<'a>(outer: &'a Sum, inner: &'a Sum) -> impl Iterator<Item = (usize, f64)> + 'a {
    let plus = outer.iter().map(|&a| (a, 1.0));
    plus.chain(inner.iter().map(|&a| (a, -1.0)))
}
