//! The joint audit: one system of linear constraints over the linked tables of a release and
//! of every earlier release, solved as an attacker would solve it.
//!
//! Unknowns are *atoms*: counts of disjoint groups of people (for a pair of questions: who gave
//! each pair of answers, who answered only the first, who answered only the second), one set per
//! release. Every published number is a sum of atoms within ±`MAX_ADJUSTMENT` of its value;
//! responses are never removed, so each atom of an earlier release is at most the same atom of
//! the next. A hidden number is a sum of atoms too; its feasible range must be at least the
//! threshold wide.

use microlp::{ComparisonOp, Error, OptimizationDirection, Problem, Variable};

use super::ptable::MAX_ADJUSTMENT;

/// A sum of atoms, by index (each atom at most once).
pub(super) type Sum = Vec<usize>;

/// See the module documentation.
#[derive(Debug, Clone, Default)]
pub(super) struct System {
    /// Each atom's upper bound: `Some(0.0)` for an atom the attacker is assumed to know is empty.
    atoms: Vec<Option<f64>>,
    known: Vec<(Sum, f64, f64)>,
    monotone: Vec<(usize, usize)>,
}

/// Round-off of the solver; widths are whole numbers up to it.
const SLACK: f64 = 1e-6;

impl System {
    /// Adds `n` atoms; returns the index of the first.
    pub(super) fn add_atoms(&mut self, n: usize) -> usize {
        let first = self.atoms.len();
        self.atoms.resize(first + n, None);
        first
    }

    /// The attacker is assumed to know that nobody is in `atom` (as a filter question makes
    /// known for answers that could not be given together).
    pub(super) fn empty(&mut self, atom: usize) {
        if let Some(a) = self.atoms.get_mut(atom) {
            *a = Some(0.0);
        }
    }

    /// A published number: the true sum is within the noise bound of `published`.
    pub(super) fn publish(&mut self, sum: Sum, published: u64) {
        let d = MAX_ADJUSTMENT as f64;
        let p = published as f64;
        self.known.push((sum, (p - d).max(0.0), p + d));
    }

    /// `earlier` is the same group of people as `later`, in an earlier release.
    pub(super) fn at_most(&mut self, earlier: usize, later: usize) {
        self.monotone.push((earlier, later));
    }

    /// The first target whose feasible range is narrower than `t`, `Ok(None)` when every one
    /// is at least that wide. Each solved LP's optimal point is kept as a witness: two
    /// witnesses that differ by `t` in a target prove it wide without an LP of its own.
    pub(super) fn narrowest(&self, targets: &[Sum], t: u64) -> Result<Option<usize>, String> {
        let t = t as f64;
        let mut seen = vec![(f64::INFINITY, f64::NEG_INFINITY); targets.len()];
        let wide = |seen: &[(f64, f64)], i: usize| seen[i].1 - seen[i].0 + SLACK >= t;
        for (i, target) in targets.iter().enumerate() {
            if wide(&seen, i) {
                continue;
            }
            let mut unbounded = false;
            for direction in [
                OptimizationDirection::Maximize,
                OptimizationDirection::Minimize,
            ] {
                match self.solve(target, direction)? {
                    None => {
                        unbounded = true;
                        break;
                    }
                    Some(point) => {
                        for (s, sum) in seen.iter_mut().zip(targets) {
                            let v: f64 = sum.iter().filter_map(|&a| point.get(a)).sum();
                            *s = (s.0.min(v), s.1.max(v));
                        }
                    }
                }
                if wide(&seen, i) {
                    break;
                }
            }
            if !unbounded && !wide(&seen, i) {
                return Ok(Some(i));
            }
        }
        Ok(None)
    }

    /// The optimal point, or `None` when the objective is unbounded.
    fn solve(
        &self,
        target: &[usize],
        direction: OptimizationDirection,
    ) -> Result<Option<Vec<f64>>, String> {
        let mut problem = Problem::new(direction);
        let vars: Vec<Variable> = self
            .atoms
            .iter()
            .enumerate()
            .map(|(i, hi)| {
                let objective = if target.contains(&i) { 1.0 } else { 0.0 };
                problem.add_var(objective, (0.0, hi.unwrap_or(f64::INFINITY)))
            })
            .collect();
        for (sum, lo, hi) in &self.known {
            let terms: Vec<(Variable, f64)> = sum.iter().map(|&a| (vars[a], 1.0)).collect();
            if lo == hi {
                problem.add_constraint(terms, ComparisonOp::Eq, *lo);
            } else {
                problem.add_constraint(terms.clone(), ComparisonOp::Ge, *lo);
                problem.add_constraint(terms, ComparisonOp::Le, *hi);
            }
        }
        for &(earlier, later) in &self.monotone {
            problem.add_constraint(
                vec![(vars[later], 1.0), (vars[earlier], -1.0)],
                ComparisonOp::Ge,
                0.0,
            );
        }
        let mut options = microlp::SolveOptions::default();
        options.presolve = false;
        match problem.solve_with(options) {
            Ok(outcome) => match outcome.into_solution() {
                Ok(solution) => Ok(Some(vars.iter().map(|v| solution.var_value(*v)).collect())),
                Err(_) => Err("the solver stopped before an answer".into()),
            },
            Err(Error::Unbounded) => Ok(None),
            Err(e) => Err(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_hidden_cells_beside_a_published_one_are_as_wide_as_their_sum() {
        // Cells a, b, c; c = 50 and the total 84 are published: a + b = 34 ± 4.
        let mut s = System::default();
        s.add_atoms(3);
        s.publish(vec![2], 50);
        s.publish(vec![0, 1, 2], 84);
        assert_eq!(s.narrowest(&[vec![0], vec![1]], 10), Ok(None));
        assert_eq!(s.narrowest(&[vec![0], vec![1]], 39), Ok(Some(0)));
    }

    #[test]
    fn an_earlier_release_bounds_a_hidden_cell_from_below() {
        // Now: a and b hidden, c = 50, total 84, so a is anything in 0..=38. Before: a was
        // published as 34, so now a is at least 32: 32..=38 is narrower than 10.
        let mut s = System::default();
        s.add_atoms(3);
        s.publish(vec![2], 50);
        s.publish(vec![0, 1, 2], 84);
        assert_eq!(s.narrowest(&[vec![0]], 10), Ok(None));
        let old = s.add_atoms(1);
        s.publish(vec![old], 34);
        s.at_most(old, 0);
        assert_eq!(s.narrowest(&[vec![0]], 10), Ok(Some(0)));
    }

    #[test]
    fn a_hidden_number_nothing_bounds_is_wide() {
        let mut s = System::default();
        s.add_atoms(2);
        s.publish(vec![0], 40);
        assert_eq!(s.narrowest(&[vec![1]], 50), Ok(None));
    }
}
