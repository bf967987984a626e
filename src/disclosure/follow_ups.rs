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
//! A follow-up asked on a condition over two questions ("site == 'west' and inject == 'yes'")
//! counts a cell of their breakdown: its total is that cell, shown in full, whatever the
//! breakdown hid or merged. Each such follow-up is audited with the two questions' tables (one
//! small system, as the pair's audit builds it) and withheld where its total narrows a small
//! count of them — one the breakdown hid or merged away — below T.
//!
//! Which tables count the same people, or exactly the people who gave some answers, is read
//! off the two-way counts (who answered both), not the form: a reader who knows the form knows
//! no more than that, and a coincidence only makes the check stricter.

use std::collections::HashMap;

use crate::tally::{Catalogue, RawTable};

use super::catalogue::shown_values;
use super::earlier::{positions, EarlierTable};
use super::protect::{ProtectedTable, Released, Shown};
use super::system::System;

/// The shown one-way tables of `released` (in catalogue order) whose totals narrow a small
/// count below `threshold`: of a withheld one-way table, or of two questions whose breakdown
/// the follow-up's people are a cell of. The follow-ups to withhold.
pub(super) fn pinning_follow_ups(
    catalogue: &Catalogue,
    released: &[Released],
    threshold: u32,
) -> Vec<String> {
    let mut out = of_withheld_tables(catalogue, released, threshold);
    out.extend(of_two_questions(catalogue, released, threshold));
    out.sort_unstable();
    out.dedup();
    out
}

/// Per table of the catalogue, the cells of a one-way table whose counts a reader has anyway:
/// those of an answer whose people are exactly the people of another question (a follow-up
/// asked of everyone who gave it), whose total says the same number. Hiding such a count beside
/// a small one protects nothing; [`protect_sparing`](super::protect::protect_sparing) chooses
/// another partner first, and the table can be shown where it would otherwise be withheld.
/// Read off who answered both, as everywhere in this file.
pub(super) fn told_elsewhere(catalogue: &Catalogue) -> Vec<Vec<usize>> {
    let tables = &catalogue.tables;
    let position: HashMap<&str, usize> = (0..tables.len())
        .filter(|&i| tables[i].columns().is_none())
        .map(|i| (tables[i].id(), i))
        .collect();
    let mut told: Vec<Vec<usize>> = vec![Vec::new(); tables.len()];
    for two in tables {
        let Some(columns) = two.columns() else {
            continue;
        };
        let (rows, columns) = (&two.rows().variable, &columns.variable);
        let (Some(&r), Some(&c)) = (position.get(rows.as_str()), position.get(columns.as_str()))
        else {
            continue;
        };
        for (w, x) in [(r, c), (c, r)] {
            let read =
                with_in(two, &tables[w]).and_then(|w_x| answers_in(w_x, &tables[w], &tables[x]));
            if let Some((answers, true)) = read {
                if let [answer] = answers[..] {
                    told[w].push(answer);
                }
            }
        }
    }
    for cells in &mut told {
        cells.sort_unstable();
        cells.dedup();
    }
    told
}

/// [`pinning_follow_ups`] for the small counts of withheld one-way tables.
fn of_withheld_tables(catalogue: &Catalogue, released: &[Released], threshold: u32) -> Vec<String> {
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
    out
}

/// [`pinning_follow_ups`] for follow-ups whose people are those who gave some answers of each
/// of two questions (and no fewer of either alone).
fn of_two_questions(catalogue: &Catalogue, released: &[Released], threshold: u32) -> Vec<String> {
    let tables = &catalogue.tables;
    let one_way: Vec<usize> = (0..tables.len())
        .filter(|&i| tables[i].columns().is_none())
        .collect();
    let mut out = Vec::new();
    for &x in &one_way {
        let Some(total) = released[x].shown().and_then(|p| p.total.count) else {
            continue;
        };
        let follow_up = &tables[x];
        // The questions every one of its people answered, with the answers they gave: only
        // some, and not every person who gave them.
        let bounding: Vec<(usize, Vec<usize>)> = one_way
            .iter()
            .filter(|&&a| a != x)
            .filter_map(|&a| {
                let (answers, alone) = answers_of(catalogue, &tables[a], follow_up)?;
                let some = answers.len() < tables[a].cells().len();
                (some && !alone).then_some((a, answers))
            })
            .collect();
        for (k, (a, a_answers)) in bounding.iter().enumerate() {
            for (b, b_answers) in &bounding[k + 1..] {
                let Some(pair) = PairCells::of(catalogue, &tables[*a], &tables[*b]) else {
                    continue;
                };
                if pair.count(a_answers, b_answers) != follow_up.total().count {
                    continue;
                }
                let shown = [*a, *b].map(|i| &released[i]);
                let two = tables
                    .iter()
                    .zip(released)
                    .find(|(t, _)| t.id() == pair.two.id())
                    .and_then(|(_, r)| r.shown());
                let cell = (a_answers.as_slice(), b_answers.as_slice());
                if pair.narrowed_by(shown, two, (cell, total), catalogue, threshold) {
                    out.push(follow_up.id().to_owned());
                    break;
                }
            }
        }
    }
    out
}

/// The answers of `a` (positions) given by the people `x` counts, when every one of them
/// answered `a`, and whether everyone who gave those answers is counted by `x` (then `x`'s
/// people are exactly they). `None` otherwise, or when no two-way table of the two says.
fn answers_of(catalogue: &Catalogue, a: &RawTable, x: &RawTable) -> Option<(Vec<usize>, bool)> {
    answers_in(with(catalogue, a, x)?, a, x)
}

/// [`answers_of`], from what [`with`] read.
fn answers_in(
    (per_answer, both): (Vec<u64>, u64),
    a: &RawTable,
    x: &RawTable,
) -> Option<(Vec<usize>, bool)> {
    if both != x.total().count {
        return None;
    }
    let answers: Vec<usize> = (0..per_answer.len())
        .filter(|&c| per_answer[c] > 0)
        .collect();
    let exactly = answers.iter().all(|&c| {
        a.cells()
            .get(c)
            .is_some_and(|cell| cell.count == per_answer[c])
    });
    Some((answers, exactly))
}

/// Per answer of `w`, how many of its people `x` counts, and how many answered both; `None`
/// when no two-way table of the two says.
fn with(catalogue: &Catalogue, w: &RawTable, x: &RawTable) -> Option<(Vec<u64>, u64)> {
    with_in(two_way_of(catalogue, w, x)?, w)
}

/// [`with`], read off `two`, the two-way table of `w` and another question.
fn with_in(two: &RawTable, w: &RawTable) -> Option<(Vec<u64>, u64)> {
    let margins = if two.rows().variable == w.rows().variable {
        two.row_totals()
    } else {
        two.column_totals()
    };
    let per_answer: Vec<u64> = margins.iter().map(|c| c.count).collect();
    (per_answer.len() == w.cells().len()).then_some((per_answer, two.total().count))
}

/// The two-way table of the variables of one-way tables `a` and `b`, either way round.
fn two_way_of<'c>(catalogue: &'c Catalogue, a: &RawTable, b: &RawTable) -> Option<&'c RawTable> {
    let (av, bv) = (&a.rows().variable, &b.rows().variable);
    catalogue.tables.iter().find(|t| {
        t.columns().is_some_and(|c| {
            (&t.rows().variable, &c.variable) == (av, bv)
                || (&t.rows().variable, &c.variable) == (bv, av)
        })
    })
}

/// Two questions' one-way tables and their two-way table, as one small system over who gave
/// each pair of answers, who answered only the first and who only the second.
struct PairCells<'a> {
    a: &'a RawTable,
    b: &'a RawTable,
    two: &'a RawTable,
    /// Whether the two-way table has `a` as its rows.
    a_rows: bool,
}

impl<'a> PairCells<'a> {
    fn of(catalogue: &'a Catalogue, a: &'a RawTable, b: &'a RawTable) -> Option<PairCells<'a>> {
        let two = two_way_of(catalogue, a, b)?;
        Some(PairCells {
            a,
            b,
            two,
            a_rows: two.rows().variable == a.rows().variable,
        })
    }

    fn raw(&self, i: usize, j: usize) -> u64 {
        let (r, c) = if self.a_rows { (i, j) } else { (j, i) };
        self.two.cell(r, c).map_or(0, |cell| cell.count)
    }

    /// How many gave one of `a_answers` and one of `b_answers`.
    fn count(&self, a_answers: &[usize], b_answers: &[usize]) -> u64 {
        a_answers
            .iter()
            .flat_map(|&i| b_answers.iter().map(move |&j| (i, j)))
            .map(|(i, j)| self.raw(i, j))
            .sum()
    }

    fn sizes(&self) -> (usize, usize) {
        (self.a.cells().len(), self.b.cells().len())
    }

    fn grid(&self, a_answers: &[usize], b_answers: &[usize]) -> Vec<usize> {
        let nb = self.sizes().1;
        let mut sum: Vec<usize> = a_answers
            .iter()
            .flat_map(|&i| b_answers.iter().map(move |&j| i * nb + j))
            .collect();
        sum.sort_unstable();
        sum
    }

    /// Everyone of `a_answers` (`first`) or of `b_answers`, with those who skipped the other.
    fn one(&self, first: bool, answers: &[usize]) -> Vec<usize> {
        let (na, nb) = self.sizes();
        let mut sum = if first {
            let all: Vec<usize> = (0..nb).collect();
            let mut s = self.grid(answers, &all);
            s.extend(answers.iter().map(|&i| na * nb + i));
            s
        } else {
            let all: Vec<usize> = (0..na).collect();
            let mut s = self.grid(&all, answers);
            s.extend(answers.iter().map(|&j| na * nb + na + j));
            s
        };
        sum.sort_unstable();
        sum
    }

    /// Whether the follow-up's total (`cell`: the answers of each question its people gave,
    /// and `total`, as shown) narrows below T a small count of the pair — a cell of their
    /// breakdown, or a count their one-way tables hide — that the pair's tables alone leave
    /// wide.
    fn narrowed_by(
        &self,
        [a_shown, b_shown]: [&Released; 2],
        two_shown: Option<&ProtectedTable>,
        (cell, total): ((&[usize], &[usize]), u64),
        catalogue: &Catalogue,
        threshold: u32,
    ) -> bool {
        let t = u64::from(threshold);
        let (na, nb) = self.sizes();
        let mut system = System::default();
        system.add_atoms(na * nb + na + nb);
        let linked = catalogue.linked.contains(self.two.id());
        for i in 0..na {
            for j in 0..nb {
                let k = if self.a_rows { i * nb + j } else { j * na + i };
                if self.raw(i, j) == 0 && (linked || self.two.is_ruled_out(k)) {
                    system.empty(i * nb + j);
                }
            }
            let with_b: u64 = (0..nb).map(|j| self.raw(i, j)).sum();
            if self.a.cells()[i].count <= with_b {
                system.empty(na * nb + i);
            }
        }
        for j in 0..nb {
            let with_a: u64 = (0..na).map(|i| self.raw(i, j)).sum();
            if self.b.cells()[j].count <= with_a {
                system.empty(na * nb + na + j);
            }
        }
        let mut targets: Vec<Vec<usize>> = Vec::new();
        for (first, shown, n) in [(true, a_shown, na), (false, b_shown, nb)] {
            let values = shown_values(shown);
            for (c, value) in values.iter().enumerate().take(n + 1) {
                let answers: Vec<usize> = if c < n { vec![c] } else { (0..n).collect() };
                match value {
                    Some(v) => system.publish(self.one(first, &answers), Shown::new(*v, t)),
                    None if c < n && !values.is_empty() => targets.push(self.one(first, &answers)),
                    None => {}
                }
            }
        }
        if let Some(two) = two_shown {
            self.publish_breakdown(&mut system, two, t);
        }
        for i in 0..na {
            for j in 0..nb {
                if self.raw(i, j) < t {
                    targets.push(vec![i * nb + j]);
                }
            }
        }
        let without = system.clone();
        system.publish(self.grid(cell.0, cell.1), Shown::new(total, t));
        let narrow = |system: &System, target: &Vec<usize>| match system.width(target) {
            Ok(Some(width)) => width + 1e-6 < threshold as f64,
            Ok(None) => false,
            Err(_) => true,
        };
        targets
            .iter()
            .any(|target| narrow(&system, target) && !narrow(&without, target))
    }

    /// Every number the pair's breakdown shows, over the system's atoms.
    fn publish_breakdown(&self, system: &mut System, two: &ProtectedTable, t: u64) {
        let shown = EarlierTable::from_protected(two);
        let ids = super::joint::ids;
        let (a_lines, b_lines) = if self.a_rows {
            (&shown.rows, &shown.columns)
        } else {
            (&shown.columns, &shown.rows)
        };
        let (Some(a_lines), Some(b_lines)) = (
            a_lines
                .iter()
                .map(|l| positions(l, &ids(self.a)))
                .collect::<Option<Vec<_>>>(),
            b_lines
                .iter()
                .map(|l| positions(l, &ids(self.b)))
                .collect::<Option<Vec<_>>>(),
        ) else {
            return;
        };
        let all =
            |lines: &[Vec<usize>]| -> Vec<usize> { lines.iter().flatten().copied().collect() };
        let (rows, columns) = (shown.rows.len(), shown.columns.len());
        for r in 0..=rows {
            for c in 0..=columns {
                let Some(value) = shown
                    .cells
                    .get(r)
                    .and_then(|row| row.get(c))
                    .copied()
                    .flatten()
                else {
                    continue;
                };
                let line = |lines: &[Vec<usize>], at: usize| {
                    lines.get(at).cloned().unwrap_or_else(|| all(lines))
                };
                let (row_line, column_line) = if self.a_rows {
                    (line(&a_lines, r), line(&b_lines, c))
                } else {
                    (line(&a_lines, c), line(&b_lines, r))
                };
                system.publish(self.grid(&row_line, &column_line), Shown::new(value, t));
            }
        }
    }
}

/// The answers of one-way table `w` (positions) whose people are exactly the people counted by
/// one-way table `x`: everyone `x` counts answered `w` with one of them, and everyone who gave
/// one of them is counted by `x`. `None` when `x` counts other people too, or no two-way table
/// of the two says who answered both.
fn covered(catalogue: &Catalogue, w: &RawTable, x: &RawTable) -> Option<Vec<usize>> {
    let (answers, exactly) = answers_of(catalogue, w, x)?;
    (exactly && !answers.is_empty()).then_some(answers)
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
