//! The audit of a system: which hidden number is narrower than asked, and the extremes of
//! sums found by editing one solved programme.

use microlp::{ComparisonOp, OptimizationDirection, Variable};

use super::programme::Atoms;
use super::{value_of, Sum, System, Witnesses, SLACK};

impl System {
    /// The first target whose feasible range is narrower than `t`, `Ok(None)` when every one
    /// is at least that wide. Each solved LP's optimal point is kept as a witness: two
    /// witnesses that differ by `t` in a target prove it wide without an LP of its own.
    #[cfg(test)]
    pub(in crate::disclosure) fn narrowest(
        &self,
        targets: &[Sum],
        t: u64,
    ) -> Result<Option<usize>, String> {
        let needs = vec![t as f64; targets.len()];
        self.narrowest_needing(targets, &needs, &mut Witnesses::default())
    }

    /// [`System::narrowest`] with a width of its own asked of each target (`needs`), starting
    /// from (and adding to) what earlier audits of this system found. `memory` must come only
    /// from this system with at most the same published numbers: see [`Witnesses`].
    pub(in crate::disclosure) fn narrowest_needing(
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
}

impl System {
    /// Each target's exact range in this system, lowest and highest (`None` when it has no
    /// upper end), from one solved programme edited per sum ([`Extremes`]). Every extreme point
    /// found, and every sum found unbounded, is kept in `memory`: an audit of this system then
    /// needs no programme for a target they prove wide.
    pub(in crate::disclosure) fn ranges(
        &self,
        targets: &[Sum],
        memory: &mut Witnesses,
    ) -> Result<Vec<(f64, Option<f64>)>, String> {
        let lps = Extremes::new(self);
        let mut ranges = Vec::with_capacity(targets.len());
        for target in targets {
            let high = match lps.extreme(target, OptimizationDirection::Maximize)? {
                Some(point) => {
                    let high = value_of(&point, target);
                    memory.points.push(point);
                    Some(high)
                }
                None => {
                    memory.unbounded.push(target.clone());
                    None
                }
            };
            // Atoms are never below 0: a feasible point where the sum is 0 shows its lowest
            // value, as one does for two in three of the utility survey's hidden counts before
            // their own programme would run.
            let low = if memory.points.iter().any(|p| value_of(p, target) <= SLACK) {
                0.0
            } else {
                let point = lps.extreme(target, OptimizationDirection::Minimize)?;
                let low = point.as_ref().map_or(0.0, |p| value_of(p, target));
                memory.points.extend(point);
                low
            };
            ranges.push((low, high));
        }
        Ok(ranges)
    }
}

/// What [`Extremes::reach`] asks of a sum.
#[derive(Clone, Copy)]
pub(super) enum Goal {
    AtLeast(f64),
    AtMost(f64),
}

/// The cap on `up` and `down` in [`Extremes`]: far above any count, so a sum that reaches it
/// is left to a programme of its own (which finds it unbounded, or its true extreme).
pub(super) const CAP: f64 = 1e7;

/// The extremes of sums over one system, each found by editing one solved programme.
///
/// The system is solved once with `up` and `down` free between 0 and [`CAP`]. The largest value
/// of a sum is then that solution with `up ≤ sum` added (the solver goes on from where it was,
/// instead of from nothing), read off `up`; the smallest is `down ≥ sum`, read off `down`. The
/// system's own rows are untouched, so the point found is feasible for the system itself, and
/// below the cap `up` (or `down`) stops exactly at the sum's extreme: the same answer as a
/// programme of its own. Where the edit fails, or the value reaches the cap, the sum gets a
/// programme of its own.
pub(super) struct Extremes<'a> {
    system: &'a System,
    /// `None` when the system could not be solved this way (each sum then gets its own).
    base: Option<(microlp::Solution, Atoms, Variable, Variable)>,
}

impl<'a> Extremes<'a> {
    pub(super) fn new(system: &'a System) -> Extremes<'a> {
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
    pub(super) fn reach(&self, target: &[usize], goal: Goal) -> Option<Vec<f64>> {
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
    pub(super) fn extreme(
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
