//! Property tests over random tables: the published output keeps every disclosure rule, and an
//! independent LP attacker (cells only, margins as inequalities) can't pin any hidden number
//! to a range narrower than the threshold.

use microlp::{ComparisonOp, Error, OptimizationDirection, Problem, Variable};
use proptest::prelude::*;

use super::joint_proptests::reader_range;
use super::{protect, ProtectedTable, PublishedCell, Refusal, MAX_ADJUSTMENT};
use crate::tally::{Axis, Category, Label, RawCell, RawTable, Translations};

pub(super) fn axis(name: &str, n: usize) -> Axis {
    let t = Translations {
        default: name.to_owned(),
        by_lang: Default::default(),
    };
    Axis {
        variable: name.to_owned(),
        question: name.to_owned(),
        title: t.clone(),
        part: None,
        categories: (0..n)
            .map(|i| Category {
                id: format!("c{i}"),
                label: Label::Option { text: t.clone() },
                parts: Vec::new(),
            })
            .collect(),
        coarser: Vec::new(),
    }
}

/// Counts skewed towards small numbers, so suppression has work to do.
fn count() -> impl Strategy<Value = u64> {
    prop_oneof![3 => 0u64..4, 3 => 0u64..20, 2 => 0u64..60, 1 => 0u64..400]
}

fn table() -> impl Strategy<Value = RawTable> {
    (1usize..=6, prop::option::of(1usize..=6))
        .prop_flat_map(|(r, c)| {
            let n = r * c.unwrap_or(1);
            (
                Just((r, c)),
                prop::collection::vec((count(), any::<u32>()), n),
            )
        })
        .prop_filter_map("valid shape", |((r, c), cells)| {
            let cells = cells
                .into_iter()
                .map(|(count, key)| RawCell { count, key })
                .collect();
            match c {
                None => RawTable::one_way("a".into(), axis("a", r), cells).ok(),
                Some(c) => RawTable::two_way("a__b".into(), axis("a", r), axis("b", c), cells).ok(),
            }
        })
}

/// The published table as a grid with margins, independent of the engine's layout code:
/// `(cells by row, row totals, column totals, total)`; a one-way table is one column.
struct Grid {
    threshold: u64,
    cells: Vec<Vec<PublishedCell>>,
    row_totals: Vec<PublishedCell>,
    column_totals: Vec<PublishedCell>,
    total: PublishedCell,
}

fn grid(t: &ProtectedTable) -> Grid {
    match &t.columns {
        None => Grid {
            threshold: u64::from(t.threshold),
            cells: t.cells.iter().map(|c| vec![*c]).collect(),
            row_totals: t.cells.clone(),
            column_totals: vec![t.total],
            total: t.total,
        },
        Some(cols) => Grid {
            threshold: u64::from(t.threshold),
            cells: t.cells.chunks(cols.len()).map(<[_]>::to_vec).collect(),
            row_totals: t.row_totals.clone(),
            column_totals: t.column_totals.clone(),
            total: t.total,
        },
    }
}

/// Every line: (its total, its parts).
fn lines(g: &Grid) -> Vec<(PublishedCell, Vec<PublishedCell>)> {
    let mut out = Vec::new();
    let width = g.column_totals.len();
    for (row, total) in g.cells.iter().zip(&g.row_totals) {
        out.push((*total, row.clone()));
    }
    for (j, total) in g.column_totals.iter().enumerate() {
        let col = g.cells.iter().filter_map(|r| r.get(j).copied()).collect();
        out.push((*total, col));
    }
    out.push((g.total, g.row_totals.clone()));
    if width > 1 {
        out.push((g.total, g.column_totals.clone()));
    }
    out
}

/// The attacker's range for one hidden number, as a linear expression over the cells.
fn attack(g: &Grid, target: &[(usize, usize)], direction: OptimizationDirection) -> f64 {
    let known = |c: &PublishedCell| c.count.map(|p| reader_range(p, g.threshold));
    let mut problem = Problem::new(direction);
    let vars: Vec<Vec<Variable>> = g
        .cells
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, c)| {
                    let obj = if target.contains(&(i, j)) { 1.0 } else { 0.0 };
                    problem.add_var(obj, known(c).unwrap_or((0.0, f64::INFINITY)))
                })
                .collect()
        })
        .collect();
    let mut bound = |terms: Vec<Variable>, c: &PublishedCell| {
        if let Some((lo, hi)) = known(c) {
            let expr: Vec<(Variable, f64)> = terms.iter().map(|v| (*v, 1.0)).collect();
            problem.add_constraint(expr.clone(), ComparisonOp::Ge, lo);
            problem.add_constraint(expr, ComparisonOp::Le, hi);
        }
    };
    for (row, total) in vars.iter().zip(&g.row_totals) {
        bound(row.clone(), total);
    }
    for (j, total) in g.column_totals.iter().enumerate() {
        bound(
            vars.iter().filter_map(|r| r.get(j).copied()).collect(),
            total,
        );
    }
    bound(vars.iter().flatten().copied().collect(), &g.total);
    match problem.solve() {
        Ok(o) => o.into_solution().map(|s| s.objective()).expect("solved"),
        Err(Error::Unbounded) => f64::INFINITY,
        Err(e) => panic!("the attacker's LP failed: {e}"),
    }
}

fn width(g: &Grid, target: &[(usize, usize)]) -> f64 {
    attack(g, target, OptimizationDirection::Maximize)
        - attack(g, target, OptimizationDirection::Minimize)
}

/// Every hidden number of the grid, as the cells it adds up.
fn hidden(g: &Grid) -> Vec<(&'static str, Vec<(usize, usize)>)> {
    let rows = g.cells.len();
    let cols = g.column_totals.len();
    let mut out = Vec::new();
    for i in 0..rows {
        for j in 0..cols {
            if g.cells[i][j].suppressed {
                out.push(("cell", vec![(i, j)]));
            }
        }
        if g.row_totals[i].suppressed {
            out.push(("row total", (0..cols).map(|j| (i, j)).collect()));
        }
    }
    for j in 0..cols {
        if g.column_totals[j].suppressed {
            out.push(("column total", (0..rows).map(|i| (i, j)).collect()));
        }
    }
    if g.total.suppressed {
        out.push((
            "total",
            (0..rows)
                .flat_map(|i| (0..cols).map(move |j| (i, j)))
                .collect(),
        ));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn published_tables_keep_every_disclosure_rule(raw in table(), t in 5u32..=20) {
        let result = protect(&raw, t);
        let again = protect(&raw, t);
        prop_assert_eq!(
            serde_json::to_vec(&result).expect("serialises"),
            serde_json::to_vec(&again).expect("serialises"),
        );
        let table = match result {
            Ok(table) => table,
            Err(Refusal::TooFewPeople) | Err(Refusal::AuditFailed { .. }) => return Ok(()),
            Err(other) => return Err(TestCaseError::fail(format!("unexpected refusal {other}"))),
        };
        let t64 = u64::from(t);
        let small = |v: u64| (1..t64).contains(&v);
        let g = grid(&table);
        let all = g.cells.iter().flatten()
            .chain(&g.row_totals).chain(&g.column_totals).chain(std::iter::once(&g.total));
        for c in all {
            prop_assert_eq!(c.count.is_none(), c.suppressed);
            prop_assert!(!c.count.is_some_and(small), "a small count is published");
        }
        // The complement rule reads the published numbers (`suppress::small_complement`): a
        // count shown beside its shown total is never 1 to T − 2D − 1 below it.
        let few = |v: u64| (1..t64.saturating_sub(2 * MAX_ADJUSTMENT)).contains(&v);
        for (total, parts) in lines(&g) {
            if let Some(tc) = total.count {
                for p in &parts {
                    let leaves = p.count.and_then(|n| tc.checked_sub(n));
                    prop_assert!(!leaves.is_some_and(few), "a count leaving a few others is published");
                }
            }
            let hidden = parts.iter().chain(std::iter::once(&total)).filter(|c| c.suppressed).count();
            prop_assert!(hidden != 1, "a hidden number stands alone in its line");
        }
        for (what, cells) in hidden(&g) {
            let w = width(&g, &cells);
            prop_assert!(w + 1e-6 >= f64::from(t), "a hidden {} is pinned to a range {} wide", what, w);
        }
    }
}
