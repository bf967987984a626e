//! What the totals of follow-up questions still tell about a table that is withheld.
//!
//! A one-way table is withheld when none of its counts can be hidden beside a small one (a
//! question every answer of which opens a follow-up, say). Withholding it takes its counts
//! away, but not two numbers every reader still has: how many answered it, which is the total
//! of any shown table of the same people (every question asked of everyone and required), and
//! how many gave some of its answers, which is the total of a follow-up asked of exactly them.
//! "Did you inject?" withheld for its 5 "no", with "Did you share?" asked of every "yes":
//! the number who answered minus the follow-up's total put the 5 between 5 and 13. So such a
//! table is audited once more with those totals, as one small system: each small count (and
//! each 0) of it must still range at least T wide, or the follow-ups that pin it are withheld
//! too, and the release is made again without them — the question they follow can then be
//! shown, with its small count hidden beside its partner.
//!
//! Which tables count the same people, or exactly the people who gave some answers, is read
//! off the two-way counts (who answered both), not the form: a reader who knows the form knows
//! no more than that, and a coincidence only makes the check stricter.

use crate::tally::{Catalogue, RawTable};

use super::protect::{Released, Shown};
use super::system::System;

/// The shown one-way tables whose totals narrow a small count of a withheld one-way table of
/// `released` (in catalogue order) below `threshold`: the follow-ups to withhold.
pub(super) fn pinning_follow_ups(
    catalogue: &Catalogue,
    released: &[Released],
    threshold: u32,
) -> Vec<String> {
    let tables = &catalogue.tables;
    let t = u64::from(threshold);
    let mut out: Vec<String> = Vec::new();
    for (w, withheld) in tables.iter().zip(released) {
        if w.columns().is_some() || withheld.shown().is_some() {
            continue;
        }
        let small: Vec<usize> = (0..w.cells().len())
            .filter(|&c| w.cells()[c].count < t)
            .collect();
        if small.is_empty() {
            continue;
        }
        let mut system = System::default();
        system.add_atoms(w.cells().len());
        let mut follow_ups: Vec<&str> = Vec::new();
        for (x, shown) in tables.iter().zip(released) {
            let Some(total) = shown.shown().and_then(|p| p.total.count) else {
                continue;
            };
            if x.columns().is_some() || x.id() == w.id() {
                continue;
            }
            let Some(answers) = covered(catalogue, w, x) else {
                continue;
            };
            system.publish(answers.clone(), Shown::new(total, t));
            if answers.len() < w.cells().len() {
                follow_ups.push(x.id());
            }
        }
        if follow_ups.is_empty() {
            continue;
        }
        let narrow = small.iter().any(|&c| match system.width(&vec![c]) {
            Ok(Some(width)) => width + 1e-6 < threshold as f64,
            Ok(None) => false,
            // An audit the solver could not finish counts as failed: withholding is safe.
            Err(_) => true,
        });
        if narrow {
            out.extend(follow_ups.into_iter().map(str::to_owned));
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// The answers of one-way table `w` (positions) whose people are exactly the people counted by
/// one-way table `x`: everyone `x` counts answered `w` with one of them, and everyone who gave
/// one of them is counted by `x`. `None` when `x` counts other people too, or no two-way table
/// of the two says who answered both.
fn covered(catalogue: &Catalogue, w: &RawTable, x: &RawTable) -> Option<Vec<usize>> {
    let (wv, xv) = (&w.rows().variable, &x.rows().variable);
    let two = catalogue.tables.iter().find(|t| {
        t.columns().is_some_and(|c| {
            (&t.rows().variable, &c.variable) == (wv, xv)
                || (&t.rows().variable, &c.variable) == (xv, wv)
        })
    })?;
    let w_rows = &two.rows().variable == wv;
    // Per answer of `w`, how many of its people `x` counts.
    let with_x: Vec<u64> = if w_rows {
        two.row_totals().iter().map(|c| c.count).collect()
    } else {
        two.column_totals().iter().map(|c| c.count).collect()
    };
    if with_x.len() != w.cells().len() || two.total().count != x.total().count {
        return None;
    }
    let mut answers = Vec::new();
    for (c, (&both, cell)) in with_x.iter().zip(w.cells()).enumerate() {
        if both == 0 {
            continue;
        }
        if both != cell.count {
            return None;
        }
        answers.push(c);
    }
    (!answers.is_empty()).then_some(answers)
}

#[cfg(test)]
mod tests {
    use crate::disclosure::joint_proptests::{catalogue, Record};
    use crate::disclosure::MAX_ADJUSTMENT;
    use crate::disclosure::{protect_catalogue, Released};

    /// q0 the site (asked of everyone), q1 "Did you inject?" (5 of 30 say no), q2 "Did you
    /// share?" asked of exactly those who said yes. The release as a reader takes it, whatever
    /// it shows: how many said no, from the number who answered (q0's total) and the number who
    /// said yes (q2's total, or q1's own counts).
    #[test]
    fn a_withheld_question_is_not_read_back_from_the_totals_of_its_follow_ups() {
        let mut records: Vec<Record> = Vec::new();
        let mut key = 0x9e37_79b9_u32;
        let mut add = |site: usize, inject: usize, share: Option<usize>, n: usize| {
            for _ in 0..n {
                key = key.wrapping_mul(0x0019_660d).wrapping_add(0x3c6e_f35f);
                records.push((vec![Some(site), Some(inject), share], key));
            }
        };
        add(0, 0, Some(1), 9);
        add(1, 0, Some(1), 9);
        add(2, 0, Some(1), 4);
        add(0, 0, Some(0), 3);
        add(0, 1, None, 2);
        add(1, 1, None, 2);
        add(2, 1, None, 1);
        let mut counts = catalogue(&[4, 2, 2], &records);
        counts.linked.insert("q1__q2".to_owned());
        let released = protect_catalogue(&counts, 10, &[]);
        let get = |id: &str| {
            counts
                .tables
                .iter()
                .zip(&released)
                .find(|(t, _)| t.id() == id)
                .map(|(_, r)| r.clone())
                .expect("table")
        };
        let total = |r: &Released| r.shown().and_then(|p| p.total.count);
        let d = MAX_ADJUSTMENT;
        let everyone = total(&get("q0")).expect("the site table is shown");
        let (q1, q2) = (get("q1"), get("q2"));
        // Those who said yes, as closely as the release tells.
        let yes = match (q1.shown(), total(&q2)) {
            (Some(p), _) if p.cells[0].count.is_some() => {
                let v = p.cells[0].count.expect("shown");
                Some((v - d, v + d))
            }
            (_, Some(v)) => Some((v.saturating_sub(d).max(10), v + d)),
            _ => None,
        };
        if let Some((low, high)) = yes {
            let (no_low, no_high) = ((everyone - d).saturating_sub(high), everyone + d - low);
            assert!(
                no_high - no_low >= 10,
                "'no' read back between {no_low} and {no_high} (true 5): {released:#?}"
            );
        }
        assert!(
            q1.shown().is_some_and(|p| p.cells[1].count.is_none()),
            "the question is shown with its 5 hidden, its follow-up withheld: {released:#?}"
        );
        assert!(q2.shown().is_none());
    }
}
