//! RDS-II weighted percentages beside the counts of one-way tables (surveys with coupons). They
//! are worked out from the true answers (`tally::rds_shares`), so they must not give away what
//! disclosure control hid or adjusted:
//!
//! - only for a table whose total is shown, and not redesigned (rows are its categories);
//! - only beside a shown count; a hidden count gets none;
//! - when exactly one count of the table is hidden, none at all (100 minus the others would
//!   give the hidden one's share);
//! - rounded to steps that hide the ±2 adjustment of counts: a step of s percent covers
//!   s% of the total, so it is at least 5 people — 1% from 500 people in the table, 2% from 250,
//!   5% from 100, 10% from 50, and no weighted percentage below 50;
//! - and at least 5 times what the heaviest person in the table weighs (as a share of its whole
//!   weight), or none at all when that is more than 2%. A person who gives a network size of 1
//!   among others who give 20 weighs as much as 20 of them: counted by heads, one person's
//!   answers then moved percentages by 11–14 points, and an organiser who filled a survey with
//!   made-up answers of network size 500 read the one real person's answers off the
//!   percentages. With every weight equal the two rules are the same.

use super::document::{Cell, Table};
use crate::tally::WeightedShares;

/// The steps weighted percentages are rounded to, finest first.
const STEPS: [u32; 4] = [1, 2, 5, 10];

/// The step weighted percentages of a table with `total` people are rounded to, if any.
fn step(total: u64) -> Option<u32> {
    match total {
        500.. => Some(1),
        250.. => Some(2),
        100.. => Some(5),
        50.. => Some(10),
        _ => None,
    }
}

/// The finest step that is at least 5 times the heaviest person's share of the weight, if any.
fn weighted_step(heaviest: f64) -> Option<u32> {
    STEPS
        .into_iter()
        .find(|&s| f64::from(s) >= 5.0 * 100.0 * heaviest - 1e-9)
}

/// The weighted percentage of each row of a one-way table (the last row, the total, is 100),
/// or `None` when the table may show none.
pub(super) fn shown_percentages(
    table: &Table,
    weighted: &WeightedShares,
) -> Option<Vec<Option<u32>>> {
    let shares = &weighted.shares;
    if table.variables.len() != 1 || table.redesigned || table.rows.len() != shares.len() + 1 {
        return None;
    }
    let cells: Vec<Cell> = table
        .cells
        .iter()
        .map(|row| row.first().copied())
        .collect::<Option<_>>()?;
    let (total, categories) = cells.split_last()?;
    let total = match total {
        Cell {
            count: Some(n),
            suppressed: false,
        } => *n,
        _ => return None,
    };
    let step = step(total)?.max(weighted_step(weighted.heaviest)?);
    let hidden = categories
        .iter()
        .filter(|c| c.suppressed || c.count.is_none())
        .count();
    if hidden == 1 {
        return None;
    }
    let mut out: Vec<Option<u32>> = categories
        .iter()
        .zip(shares)
        .map(|(cell, share)| {
            if cell.suppressed || cell.count.is_none() {
                return None;
            }
            let steps = (share * 100.0 / f64::from(step)).round();
            Some(steps as u32 * step)
        })
        .collect();
    out.push(Some(100));
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::release::Line;

    fn table(counts: &[Option<u64>]) -> Table {
        let line = |id: &str| Line {
            id: id.into(),
            label: id.into(),
            parts: Vec::new(),
        };
        let total: u64 = counts.iter().flatten().sum::<u64>() + 100;
        let mut cells: Vec<Vec<Cell>> = counts
            .iter()
            .map(|&count| {
                vec![Cell {
                    count,
                    suppressed: count.is_none(),
                }]
            })
            .collect();
        cells.push(vec![Cell {
            count: Some(total),
            suppressed: false,
        }]);
        Table {
            id: "q".into(),
            title: "Q".into(),
            variables: vec!["q".into()],
            rows: (0..=counts.len()).map(|i| line(&i.to_string())).collect(),
            columns: vec![line("total")],
            cells,
            redesigned: false,
            rds_percent: None,
        }
    }

    /// Shares of a table of `people` who all weigh the same.
    fn even(shares: &[f64], people: u32) -> WeightedShares {
        WeightedShares {
            shares: shares.to_vec(),
            heaviest: 1.0 / f64::from(people),
        }
    }

    #[test]
    fn shown_counts_get_their_weighted_percentage_rounded_to_the_tables_step() {
        // 100 + 300 + 200 = 600 people: whole percent.
        let t = table(&[Some(300), Some(200)]);
        assert_eq!(
            shown_percentages(&t, &even(&[0.53957, 0.46043], 600)),
            Some(vec![Some(54), Some(46), Some(100)])
        );
    }

    #[test]
    fn a_small_table_gets_coarse_steps_or_none() {
        // 100 + 20 + 10 = 130 people: steps of 5%.
        let t = table(&[Some(20), Some(10)]);
        assert_eq!(
            shown_percentages(&t, &even(&[0.53957, 0.46043], 130)),
            Some(vec![Some(55), Some(45), Some(100)])
        );
        assert_eq!(step(49), None);
    }

    #[test]
    fn one_heavy_person_makes_the_steps_coarser_or_leaves_no_percentage() {
        // 600 people, but one weighs 1.2% of the whole (a network size far below the others'):
        // steps of 10%, five times that, not whole percent.
        let t = table(&[Some(300), Some(200)]);
        let heavy = WeightedShares {
            shares: vec![0.53957, 0.46043],
            heaviest: 0.012,
        };
        assert_eq!(
            shown_percentages(&t, &heavy),
            Some(vec![Some(50), Some(50), Some(100)])
        );
        // One person weighing 3% of the table could move a percentage by more than a fifth of
        // the coarsest step: none.
        let heavier = WeightedShares {
            heaviest: 0.03,
            ..heavy
        };
        assert_eq!(shown_percentages(&t, &heavier), None);
        // Equal weights give the steps counted by heads.
        for people in [50u32, 99, 100, 249, 250, 499, 500, 5000] {
            assert_eq!(
                weighted_step(1.0 / f64::from(people)),
                step(u64::from(people)),
                "{people}"
            );
        }
    }

    #[test]
    fn hidden_counts_get_no_percentage_and_a_single_hidden_one_hides_them_all() {
        let two_hidden = table(&[Some(400), None, None]);
        assert_eq!(
            shown_percentages(&two_hidden, &even(&[0.5, 0.3, 0.2], 900)),
            Some(vec![Some(50), None, None, Some(100)])
        );
        let one_hidden = table(&[Some(400), Some(300), None]);
        assert_eq!(
            shown_percentages(&one_hidden, &even(&[0.5, 0.3, 0.2], 900)),
            None
        );
    }
}
