//! The audit: an attacker who knows every published entry, that true counts are within
//! ±`MAX_ADJUSTMENT` of published ones and never negative, and that cells add up to their
//! margins, bounds each suppressed entry by linear programming. Every suppressed entry's
//! feasible range must be at least the threshold wide.

use microlp::{ComparisonOp, Error, OptimizationDirection, Problem, Variable};

use super::layout::Layout;
use super::ptable::MAX_ADJUSTMENT;

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

pub(super) fn audit(published: &[u64], layout: &Layout, suppressed: &[bool], t: u64) -> Finding {
    for e in (0..published.len()).filter(|&e| suppressed[e]) {
        match feasible_range(published, layout, suppressed, e) {
            Ok((lo, hi)) if hi - lo + SLACK >= t as f64 => {}
            Ok(_) => return Finding::TooNarrow(e),
            Err(reason) => return Finding::Unsolved(reason),
        }
    }
    Finding::Safe
}

/// The attacker's `[min, max]` for entry `e` (`max` may be infinite).
pub(super) fn feasible_range(
    published: &[u64],
    layout: &Layout,
    suppressed: &[bool],
    e: usize,
) -> Result<(f64, f64), String> {
    let lo = optimum(
        published,
        layout,
        suppressed,
        e,
        OptimizationDirection::Minimize,
    )?;
    let hi = optimum(
        published,
        layout,
        suppressed,
        e,
        OptimizationDirection::Maximize,
    )?;
    Ok((lo, hi))
}

fn optimum(
    published: &[u64],
    layout: &Layout,
    suppressed: &[bool],
    target: usize,
    direction: OptimizationDirection,
) -> Result<f64, String> {
    let mut problem = Problem::new(direction);
    let d = MAX_ADJUSTMENT as f64;
    let vars: Vec<Variable> = published
        .iter()
        .zip(suppressed)
        .enumerate()
        .map(|(i, (&p, &hidden))| {
            let objective = if i == target { 1.0 } else { 0.0 };
            let bounds = if hidden {
                (0.0, f64::INFINITY)
            } else {
                ((p as f64 - d).max(0.0), p as f64 + d)
            };
            problem.add_var(objective, bounds)
        })
        .collect();
    for line in &layout.lines {
        let mut terms: Vec<(Variable, f64)> = vec![(vars[line.total], 1.0)];
        terms.extend(line.parts.iter().map(|&p| (vars[p], -1.0)));
        problem.add_constraint(terms, ComparisonOp::Eq, 0.0);
    }
    match problem.solve() {
        Ok(outcome) => match outcome.into_solution() {
            Ok(solution) => Ok(solution.objective()),
            Err(_) => Err("the solver stopped before an answer".into()),
        },
        Err(Error::Unbounded) => Ok(match direction {
            OptimizationDirection::Maximize => f64::INFINITY,
            OptimizationDirection::Minimize => f64::NEG_INFINITY,
        }),
        Err(e) => Err(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_suppressed_cells_in_a_one_way_table_share_their_total() {
        // Cells 4 and 30 suppressed, 50 published, total 84: the two hidden cells add up to
        // 34 ± 4, and each can be anything from 0 to 38.
        let l = Layout::new(3, None);
        let (lo, hi) =
            feasible_range(&[4, 30, 50, 84], &l, &[true, true, false, false], 0).expect("solves");
        assert!(lo.abs() < 1e-6 && (hi - 38.0).abs() < 1e-6, "{lo} {hi}");
    }

    #[test]
    fn a_lone_suppressed_cell_is_pinned_to_within_the_noise() {
        let l = Layout::new(3, None);
        let published = [4, 30, 50, 84];
        let suppressed = [true, false, false, false];
        let (lo, hi) = feasible_range(&published, &l, &suppressed, 0).expect("solves");
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
    fn a_suppressed_total_with_nothing_else_known_is_unbounded() {
        let l = Layout::new(2, None);
        let (_, hi) = feasible_range(&[20, 20, 40], &l, &[true, true, true], 2).expect("solves");
        assert!(hi.is_infinite());
    }
}
