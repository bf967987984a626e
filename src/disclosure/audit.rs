//! The audit: an attacker who knows every published entry, that true counts are within
//! ±`MAX_ADJUSTMENT` of published ones, never negative, and at least the threshold when shown
//! above 0 (`Shown::range`), and that cells add up to their margins, bounds each suppressed
//! entry by linear programming. Every suppressed entry's feasible range must be at least the
//! threshold wide.

use microlp::{ComparisonOp, Error, OptimizationDirection, Problem, Variable};

use super::layout::Layout;
use super::protect::Shown;

/// What the audit found.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Finding {
    /// Every suppressed entry is bounded no tighter than the threshold.
    Safe,
    /// This entry's feasible range is narrower than the threshold.
    TooNarrow(usize),
    /// A linear program could not be solved: treat the table as unsafe.
    Unsolved(String),
}

/// Widths are whole numbers up to round-off (the constraint matrix of a table with margins is
/// totally unimodular); this absorbs the solver's tolerance.
const SLACK: f64 = 1e-6;

/// Audits one table as its suppression pattern grows.
///
/// Hiding one more entry only loosens the attacker's constraints (its bounds go from
/// published ± D to 0..∞), so the feasible set only grows: an entry once proven wide stays
/// wide, and every point an earlier LP found stays feasible. Each LP's optimal point is kept
/// as a witness: when two witnesses already differ by at least T in an entry, that entry's
/// range is proven at least T wide without solving for it. Every other entry gets its own
/// minimisation and maximisation.
pub(super) struct Auditor<'a> {
    published: &'a [u64],
    layout: &'a Layout,
    threshold: u64,
    /// The smallest and largest value of each entry over every feasible point found so far.
    seen: Vec<(f64, f64)>,
    proven: Vec<bool>,
}

impl<'a> Auditor<'a> {
    pub(super) fn new(published: &'a [u64], layout: &'a Layout, t: u64) -> Auditor<'a> {
        Auditor {
            published,
            layout,
            threshold: t,
            seen: vec![(f64::INFINITY, f64::NEG_INFINITY); published.len()],
            proven: vec![false; published.len()],
        }
    }

    /// Checks every suppressed entry not yet proven wide; stops at the first too narrow.
    pub(super) fn audit(&mut self, suppressed: &[bool]) -> Finding {
        let open: Vec<bool> = (0..self.published.len())
            .map(|e| suppressed[e] && !self.proven[e] && !self.wide(e))
            .collect();
        // Two LPs first, along the checkerboard both ways, whose points often prove many
        // hidden cells wide at once.
        if open.iter().filter(|x| **x).count() > 2 {
            let coefficient = |i: usize| {
                if open[i] {
                    checkerboard(self.layout, i)
                } else {
                    0.0
                }
            };
            for direction in [
                OptimizationDirection::Maximize,
                OptimizationDirection::Minimize,
            ] {
                let table = (self.published, self.layout, self.threshold);
                match solve_for(table, suppressed, coefficient, direction) {
                    Ok(Extreme::At(point)) => self.witness(point),
                    Ok(Extreme::Unbounded) => {}
                    Err(reason) => return Finding::Unsolved(reason),
                }
            }
        }
        for e in 0..self.published.len() {
            if !suppressed[e] || self.proven[e] {
                continue;
            }
            match self.check(suppressed, e) {
                Ok(true) => self.proven[e] = true,
                Ok(false) => return Finding::TooNarrow(e),
                Err(reason) => return Finding::Unsolved(reason),
            }
        }
        Finding::Safe
    }

    fn witness(&mut self, point: Vec<f64>) {
        for (s, v) in self.seen.iter_mut().zip(point) {
            *s = (s.0.min(v), s.1.max(v));
        }
    }

    fn wide(&self, e: usize) -> bool {
        let (lo, hi) = self.seen[e];
        hi - lo + SLACK >= self.threshold as f64
    }

    fn check(&mut self, suppressed: &[bool], e: usize) -> Result<bool, String> {
        if self.wide(e) {
            return Ok(true);
        }
        for direction in [
            OptimizationDirection::Maximize,
            OptimizationDirection::Minimize,
        ] {
            let table = (self.published, self.layout, self.threshold);
            match solve(table, suppressed, e, direction)? {
                Extreme::Unbounded => return Ok(true),
                Extreme::At(point) => self.witness(point),
            }
            if self.wide(e) {
                return Ok(true);
            }
        }
        Ok(false)
    }
}

/// A checkerboard of signs over the cells: the directions in which a table can change without
/// moving its margins, so one LP pushes every hidden cell towards one end of its range.
fn checkerboard(layout: &Layout, i: usize) -> f64 {
    let odd = match layout.columns {
        _ if layout.is_margin(i) => return 0.0,
        None => i % 2 == 1,
        Some(c) => (i / c + i % c) % 2 == 1,
    };
    if odd {
        -1.0
    } else {
        1.0
    }
}

/// The attacker's `[min, max]` for entry `e` (`max` may be infinite).
#[cfg(test)]
pub(super) fn feasible_range(
    table: Table<'_>,
    suppressed: &[bool],
    e: usize,
) -> Result<(f64, f64), String> {
    let value = |d| {
        solve(table, suppressed, e, d).map(|x| match x {
            Extreme::At(point) => point.get(e).copied().unwrap_or(f64::NAN),
            Extreme::Unbounded => f64::INFINITY,
        })
    };
    Ok((
        value(OptimizationDirection::Minimize)?,
        value(OptimizationDirection::Maximize)?,
    ))
}

/// Where an LP ended: unbounded (only possible when maximising), or the optimal point (one
/// value per entry).
enum Extreme {
    Unbounded,
    At(Vec<f64>),
}

/// A table as published: its values, its layout and its threshold.
type Table<'a> = (&'a [u64], &'a Layout, u64);

fn solve(
    table: Table<'_>,
    suppressed: &[bool],
    target: usize,
    direction: OptimizationDirection,
) -> Result<Extreme, String> {
    solve_for(
        table,
        suppressed,
        |i| if i == target { 1.0 } else { 0.0 },
        direction,
    )
}

fn solve_for(
    (published, layout, threshold): Table<'_>,
    suppressed: &[bool],
    coefficient: impl Fn(usize) -> f64,
    direction: OptimizationDirection,
) -> Result<Extreme, String> {
    let mut problem = Problem::new(direction);
    let vars: Vec<Variable> = published
        .iter()
        .zip(suppressed)
        .enumerate()
        .map(|(i, (&p, &hidden))| {
            let objective = coefficient(i);
            let bounds = if hidden {
                (0.0, f64::INFINITY)
            } else {
                Shown::new(p, threshold).range()
            };
            problem.add_var(objective, bounds)
        })
        .collect();
    for line in &layout.lines {
        let mut terms: Vec<(Variable, f64)> = vec![(vars[line.total], 1.0)];
        terms.extend(line.parts.iter().map(|&p| (vars[p], -1.0)));
        problem.add_constraint(terms, ComparisonOp::Eq, 0.0);
    }
    // Presolve gains nothing on these small, dense problems; solutions are validated either way.
    let mut options = microlp::SolveOptions::default();
    options.presolve = false;
    match problem.solve_with(options) {
        Ok(outcome) => match outcome.into_solution() {
            Ok(solution) => Ok(Extreme::At(
                vars.iter().map(|v| solution.var_value(*v)).collect(),
            )),
            Err(_) => Err("the solver stopped before an answer".into()),
        },
        Err(Error::Unbounded) => Ok(Extreme::Unbounded),
        Err(e) => Err(e.to_string()),
    }
}

/// A one-off audit of a fixed suppression pattern.
#[cfg(test)]
pub(super) fn audit(published: &[u64], layout: &Layout, suppressed: &[bool], t: u64) -> Finding {
    Auditor::new(published, layout, t).audit(suppressed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_suppressed_cells_in_a_one_way_table_share_their_total() {
        // Cells 4 and 30 suppressed, 50 published, total 84: the two hidden cells add up to
        // 34 ± 4, and each can be anything from 0 to 38.
        let l = Layout::new(3, None);
        let (lo, hi) = feasible_range((&[4, 30, 50, 84], &l, 5), &[true, true, false, false], 0)
            .expect("solves");
        assert!(lo.abs() < 1e-6 && (hi - 38.0).abs() < 1e-6, "{lo} {hi}");
    }

    #[test]
    fn a_lone_suppressed_cell_is_pinned_to_within_the_noise() {
        let l = Layout::new(3, None);
        let published = [4, 30, 50, 84];
        let suppressed = [true, false, false, false];
        let (lo, hi) = feasible_range((&published, &l, 5), &suppressed, 0).expect("solves");
        // 84 − 30 − 50 = 4, give or take 2 on each of three published numbers.
        assert!(lo.abs() < 1e-6 && (hi - 10.0).abs() < 1e-6, "{lo} {hi}");
        assert_eq!(audit(&published, &l, &suppressed, 10), Finding::Safe);
        assert_eq!(
            audit(&published, &l, &suppressed, 11),
            Finding::TooNarrow(0)
        );
        // With one published neighbour: 84 − 80 = 4 ± 4, only 8 wide.
        let l = Layout::new(2, None);
        assert_eq!(
            audit(&[4, 80, 84], &l, &[true, false, false], 10),
            Finding::TooNarrow(0)
        );
    }

    #[test]
    fn counts_shown_at_the_threshold_are_known_to_be_at_least_the_threshold() {
        // 2 and 2 hidden beside 10, 10 and the total 24. Within the noise alone the hidden two
        // add up to at most 26 - 8 - 8 = 10; but a count shown above 0 is at least T, so with
        // T = 10 they add up to at most 6, and each is pinned to 0..6.
        let l = Layout::new(4, None);
        let published = [2, 2, 10, 10, 24];
        let suppressed = [true, true, false, false, false];
        let (_, hi) = feasible_range((&published, &l, 10), &suppressed, 0).expect("solves");
        assert!((hi - 6.0).abs() < 1e-6, "{hi}");
        assert_eq!(
            audit(&published, &l, &suppressed, 10),
            Finding::TooNarrow(0)
        );
        let (_, hi) = feasible_range((&published, &l, 5), &suppressed, 0).expect("solves");
        assert!((hi - 10.0).abs() < 1e-6, "{hi}");
    }

    #[test]
    fn a_suppressed_total_with_nothing_else_known_is_unbounded() {
        let l = Layout::new(2, None);
        let (_, hi) =
            feasible_range((&[20, 20, 40], &l, 5), &[true, true, true], 2).expect("solves");
        assert!(hi.is_infinite());
    }
}
