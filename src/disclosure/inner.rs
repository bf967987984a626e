//! Suppression inside a two-way table whose margins are all shown: margins are the one-way
//! counts (or sums of them), which one-way tables publish first, so only inner cells may be
//! hidden here.

use super::layout::Layout;
use super::suppress::leaves_fewer_than;

/// Whether every margin may be shown: none is in `1..t`, and none leaves `1..t` others in its
/// line (the grand total minus a row or column total).
pub(super) fn margins_publishable(published: &[u64], layout: &Layout, t: u64) -> bool {
    let small = |v: u64| (1..t).contains(&v);
    let grand = published[layout.grand_total()];
    (layout.cells()..layout.grand_total())
        .all(|e| !small(published[e]) && !grand.checked_sub(published[e]).is_some_and(small))
        && !small(grand)
}

/// The lines over inner cells: one per row and one per column (not the lines of margins).
fn inner_lines(layout: &Layout) -> impl Iterator<Item = &super::layout::Line> {
    layout
        .lines
        .iter()
        .filter(|l| l.parts.iter().all(|&p| !layout.is_margin(p)))
}

/// Whether entry `e` is a 0 the form rules out (`ruled_out` by entry; empty when none is).
fn is_known(ruled_out: &[bool], e: usize) -> bool {
    ruled_out.get(e).copied().unwrap_or(false)
}

/// Primary suppression of inner cells: a true count in `1..t`, or a published one leaving too
/// few others in its row or column ([`leaves_few`], read off the published numbers); and a
/// true 0 in a row and a column that both hold someone, unless the form rules that pair of
/// answers out (`ruled_out`, by entry).
///
/// A zero shown between two questions says which answers never go together, and an attacker
/// combining tables that share a question can use that to pin a count hidden in another table
/// (`survey_proptests.rs`: `FOUND_WITH_ZEROS`, and `FOUND_TIED` for questions a rule of the form
/// ties together). A zero whose row or column total is 0 tells nothing that total does not, nor
/// does one the form rules out: every reader of the form knows it.
pub(super) fn primary(
    (truth, published): (&[u64], &[u64]),
    layout: &Layout,
    t: u64,
    ruled_out: &[bool],
) -> Vec<bool> {
    let mut hidden: Vec<bool> = (0..truth.len())
        .map(|e| !layout.is_margin(e) && (1..t).contains(&truth[e]))
        .collect();
    let mut in_empty_line = vec![false; truth.len()];
    for line in inner_lines(layout).filter(|l| truth[l.total] == 0) {
        for &e in &line.parts {
            in_empty_line[e] = true;
        }
    }
    for e in 0..truth.len() {
        let known = in_empty_line[e] || is_known(ruled_out, e);
        if !layout.is_margin(e) && truth[e] == 0 && !known {
            hidden[e] = true;
        }
    }
    for line in inner_lines(layout) {
        for &e in &line.parts {
            if leaves_few(published[line.total], published[e], t) {
                hidden[e] = true;
            }
        }
    }
    hidden
}

/// Whether an inner count shown beside its row's or column's total would leave too few others:
/// the published total minus the published count is from 1 to T − 1.
///
/// Read off the published numbers, as in one-way tables (`suppress::small_complement`), so a
/// shown count tells a reader nothing more about the rest of its line; but over the whole
/// window below T rather than below T − 2D. Two-way cells are where attackers combine tables of
/// three questions across releases, and the wider window leaves them more room: released at 50
/// and at 100 responses and twice more with a fifth more each, 20 realistic surveys each, an
/// attacker with every three questions' tables pinned a hidden number 9 wide (T = 10) in 1 and 0
/// of them, against 3 and 1 with the window below T − 2D (and 2 at 50 for the rule on true
/// counts). It hides a few counts of T or more whose rest the noise shrank, which the one-way
/// budget would count as lost; the two-way one counts redesigned tables too, and moved less
/// (docs/releases.md, "The complement rule reads published numbers").
fn leaves_few(total: u64, part: u64, t: u64) -> bool {
    leaves_fewer_than(total, part, t)
}

/// Secondary suppression: no row or column has exactly one hidden cell. The partner is the
/// cell that loses least — the smallest non-zero count in the line, else a zero — and never a
/// 0 the form rules out (`ruled_out`, by entry), which hides nothing from a reader of the form.
/// `false` when a line has no cell left to hide.
pub(super) fn secondary(
    published: &[u64],
    layout: &Layout,
    ruled_out: &[bool],
    hidden: &mut [bool],
) -> bool {
    loop {
        let mut changed = false;
        for line in inner_lines(layout) {
            if line.parts.iter().filter(|&&e| hidden[e]).count() != 1 {
                continue;
            }
            let partner = line
                .parts
                .iter()
                .copied()
                .filter(|&e| !hidden[e] && !is_known(ruled_out, e))
                .min_by_key(|&e| (published[e] == 0, published[e], e));
            match partner {
                Some(e) => {
                    hidden[e] = true;
                    changed = true;
                }
                None => return false,
            }
        }
        if !changed {
            return true;
        }
    }
}

/// One more inner cell to hide when the audit finds cell `e` too narrowly bounded: the
/// smallest non-zero cell sharing a row or column with it, else any shown cell (never a 0 the
/// form rules out).
pub(super) fn widen(
    published: &[u64],
    layout: &Layout,
    ruled_out: &[bool],
    hidden: &[bool],
    e: usize,
) -> Option<usize> {
    let rank = |x: usize| (published[x] == 0, published[x], x);
    let open = |x: &usize| !hidden[*x] && !layout.is_margin(*x) && !is_known(ruled_out, *x);
    inner_lines(layout)
        .filter(|l| l.parts.contains(&e))
        .flat_map(|l| l.parts.iter().copied())
        .filter(open)
        .min_by_key(|&x| rank(x))
        .or_else(|| (0..layout.cells()).filter(open).min_by_key(|&x| rank(x)))
}

/// One more inner cell to hide when the audit finds a number outside the table too narrowly
/// bounded: of the cells counting some of its people (`counting`, each with how many of its
/// groups of people it holds), the shown one holding most, then the smallest (never a 0 the
/// form rules out).
pub(super) fn widen_for(
    published: &[u64],
    ruled_out: &[bool],
    hidden: &[bool],
    counting: &[(usize, usize)],
) -> Option<usize> {
    counting
        .iter()
        .filter(|&&(x, _)| !hidden[x] && !is_known(ruled_out, x))
        .max_by_key(|&&(x, held)| (held, std::cmp::Reverse((published[x], x))))
        .map(|&(x, _)| x)
}

/// Records in hidden cells: what a suppression pattern costs readers.
pub(super) fn hidden_records(published: &[u64], hidden: &[bool]) -> u64 {
    published
        .iter()
        .zip(hidden)
        .filter(|(_, h)| **h)
        .map(|(p, _)| *p)
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margins_are_never_hidden_and_a_lone_small_cell_gets_its_smallest_neighbours() {
        // [[3, 20], [30, 40]]; rows 23, 70; columns 33, 60; total 93.
        let l = Layout::new(2, Some(2));
        let published = [3, 20, 30, 40, 23, 70, 33, 60, 93];
        assert!(margins_publishable(&published, &l, 10));
        let mut hidden = primary((&published, &published), &l, 10, &[]);
        // The 3, and the 20 and 30 that would give it away (23 − 20, 33 − 30).
        assert_eq!(hidden.iter().filter(|h| **h).count(), 3);
        assert!(secondary(&published, &l, &[], &mut hidden));
        assert_eq!(
            hidden,
            [true, true, true, true, false, false, false, false, false]
        );
    }

    #[test]
    fn zeros_are_hidden_only_where_their_row_and_column_hold_someone() {
        // [[0, 30, 20], [0, 0, 40]]: the first column is empty (its total, 0, says so); the
        // second row's 0 sits in a row and a column that both hold people.
        let l = Layout::new(2, Some(3));
        let published = [0, 30, 20, 0, 0, 40, 50, 40, 0, 30, 60, 90];
        let hidden = primary((&published, &published), &l, 10, &[]);
        assert_eq!(
            hidden,
            [false, false, false, false, true, false, false, false, false, false, false, false]
        );
    }

    #[test]
    fn a_zero_the_form_rules_out_is_shown_and_never_hidden_as_a_partner() {
        // [[30, 0, 20], [25, 40, 5]]: the 0 is a pair of answers the form rules out. It stays
        // shown; the 5, and the 20 that would give it away, take partners other than that 0.
        let l = Layout::new(2, Some(3));
        let published = [30, 0, 20, 25, 40, 5, 50, 70, 55, 40, 25, 120];
        let ruled_out = [false, true, false, false, false, false];
        let mut hidden = primary((&published, &published), &l, 10, &ruled_out);
        assert_eq!(hidden[..6], [false, false, true, false, false, true]);
        assert!(secondary(&published, &l, &ruled_out, &mut hidden));
        assert_eq!(hidden[..6], [true, false, true, true, false, true]);
        // Without the rule, the 0 is hidden like a small count.
        let hidden = primary((&published, &published), &l, 10, &[]);
        assert!(hidden[1]);
    }

    #[test]
    fn for_a_number_outside_the_table_the_shown_cell_holding_most_of_its_people_is_hidden() {
        // [[30, 0, 20], [25, 40, 15]], the 0 ruled out by the form, the 20 already hidden.
        let published = [30, 0, 20, 25, 40, 15];
        let ruled_out = [false, true, false, false, false, false];
        let hidden = [false, false, true, false, false, false];
        // Cells 0 and 4 each hold two of the number's groups of people: the smaller goes.
        let counting = [(0, 2), (1, 3), (2, 3), (3, 1), (4, 2)];
        assert_eq!(
            widen_for(&published, &ruled_out, &hidden, &counting),
            Some(0)
        );
        // Of equals, the smallest; a hidden cell or a 0 the form rules out is never chosen.
        let counting = [(1, 1), (2, 1), (3, 1), (5, 1)];
        assert_eq!(
            widen_for(&published, &ruled_out, &hidden, &counting),
            Some(5)
        );
        assert_eq!(
            widen_for(&published, &ruled_out, &hidden, &[(1, 4), (2, 4)]),
            None
        );
    }

    #[test]
    fn a_small_margin_is_not_publishable() {
        let l = Layout::new(2, Some(2));
        assert!(!margins_publishable(
            &[3, 2, 30, 40, 5, 70, 33, 42, 75],
            &l,
            10
        ));
    }
}
