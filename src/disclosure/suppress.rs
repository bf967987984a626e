//! Primary and secondary suppression over a table's entries (see `layout`).

use super::layout::{Layout, Line};
use super::MAX_ADJUSTMENT;

/// Primary suppression: an entry whose true count is in `1..t`, or whose complement in any
/// line it is a part of is small by [`small_complement`]. Zero is publishable.
pub(super) fn primary(truth: &[u64], published: &[u64], layout: &Layout, t: u64) -> Vec<bool> {
    let mut suppressed: Vec<bool> = truth.iter().map(|&c| (1..t).contains(&c)).collect();
    for line in &layout.lines {
        for &e in &line.parts {
            if small_complement(published[line.total], published[e], t) {
                suppressed[e] = true;
            }
        }
    }
    suppressed
}

/// Whether a one-way count shown beside its table's total would leave too few others: the
/// published total minus the published count is from 1 to T − 2D − 1. (Two-way cells use a
/// wider window: `inner::leaves_few`.)
///
/// Read off the published numbers, never the true ones: a reader has both numbers, so that a
/// count is shown tells them nothing more about the rest of its line. (Decided on the true
/// rest, "shown" meant "the rest is 0 or at least T" — a bound no audit modelled, which pinned
/// a hidden count of a second release 8 wide with T = 10: `FOUND_ZEROS_SECOND_RELEASE` in
/// `survey_proptests.rs`.) A true rest of T or more is published at least T − 2D apart, so no
/// count is hidden for a rest the old rule let through; a smaller rest published T − 2D or
/// more apart leaves each hidden count in it anywhere from 0 to at least T, as the audit
/// checks. A difference of 0 or below is the noise around a rest of a few people or none: the
/// audit judges the hidden counts there.
pub(super) fn small_complement(total: u64, part: u64, t: u64) -> bool {
    leaves_fewer_than(total, part, t.saturating_sub(2 * MAX_ADJUSTMENT))
}

/// Whether the published `total` minus the published `part` is from 1 to `below − 1`: the one
/// shape of every complement rule (a zero or negative difference leaves nobody to single out).
pub(super) fn leaves_fewer_than(total: u64, part: u64, below: u64) -> bool {
    total
        .checked_sub(part)
        .is_some_and(|r| (1..below).contains(&r))
}

/// Secondary suppression: until no line (its parts and its total together: a row and its row
/// total, a column and its column total, the row totals or the column totals and the grand
/// total) has exactly one suppressed entry, suppress a partner in each such line.
pub(super) fn secondary(published: &[u64], layout: &Layout, suppressed: &mut [bool]) {
    loop {
        let mut changed = false;
        for line in &layout.lines {
            let alone = members(line).filter(|&e| suppressed[e]).count() == 1;
            if alone {
                if let Some(e) = partner(published, layout, line, suppressed) {
                    suppressed[e] = true;
                    changed = true;
                }
            }
        }
        if !changed {
            return;
        }
    }
}

fn members(line: &Line) -> impl Iterator<Item = usize> + '_ {
    line.parts
        .iter()
        .copied()
        .chain(std::iter::once(line.total))
}

/// The part with the smallest non-zero published count (ties: the first), a spared part (see
/// `Layout::spared`) after the others; failing that a zero part; failing that the line's total.
fn partner(published: &[u64], layout: &Layout, line: &Line, suppressed: &[bool]) -> Option<usize> {
    line.parts
        .iter()
        .copied()
        .filter(|&e| !suppressed[e])
        .min_by_key(|&e| (published[e] == 0, layout.is_spared(e), published[e], e))
        .or_else(|| (!suppressed[line.total]).then_some(line.total))
}

/// When the audit finds entry `e` too narrowly bounded: one more entry to suppress. Preferred
/// are cells sharing a line with `e` (smallest non-zero first, a spared one after the others),
/// then margins on those lines,
/// then any other cell or margin. The grand total is never chosen: a table that would need it
/// hidden is not worth showing.
pub(super) fn widen(
    published: &[u64],
    layout: &Layout,
    suppressed: &[bool],
    e: usize,
) -> Option<usize> {
    let grand = layout.grand_total();
    let rank = |x: usize| {
        (
            layout.is_margin(x),
            published[x] == 0,
            layout.is_spared(x),
            published[x],
            x,
        )
    };
    let open = |x: &usize| !suppressed[*x] && *x != grand;
    layout
        .lines
        .iter()
        .filter(|l| l.total == e || l.parts.contains(&e))
        .flat_map(members)
        .filter(open)
        .min_by_key(|&x| rank(x))
        .or_else(|| (0..layout.entries()).filter(open).min_by_key(|&x| rank(x)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_counts_and_small_complements_are_suppressed_but_zero_is_not() {
        // One-way: cells 0, 3, 40, 12; total 55. 3 is small; 55 − 40 = 15 is fine.
        let l = Layout::new(4, None);
        let s = primary(&[0, 3, 40, 12, 55], &[0, 3, 40, 12, 55], &l, 10);
        assert_eq!(s, [false, true, false, false, false]);
        // Cells 0, 52, 3; total 55: 52 leaves 3 others.
        let l = Layout::new(3, None);
        let s = primary(&[0, 52, 3, 55], &[0, 52, 3, 55], &l, 10);
        assert_eq!(s, [false, true, true, false]);
    }

    #[test]
    fn a_complement_is_judged_on_the_published_numbers_a_reader_has() {
        // Two truths published alike: 40, 6, 5 (rest 11) and 42, 4, 3 (rest 7), each published
        // as 41, 5, 4 of 50. The first count is shown in both, so showing it says nothing about
        // whether its rest is below T; the true rule would have hidden 42 and shown 40.
        let l = Layout::new(3, None);
        let published = [41, 5, 4, 50];
        let a = primary(&[40, 6, 5, 51], &published, &l, 10);
        let b = primary(&[42, 4, 3, 49], &published, &l, 10);
        assert_eq!(a, [false, true, true, false]);
        assert_eq!(a, b);
    }

    #[test]
    fn a_true_rest_of_at_least_t_never_hides_a_count_whatever_the_noise() {
        let d = MAX_ADJUSTMENT as i64;
        for t in 5..=50u64 {
            for rest in t..t + 20 {
                for (part, noise_part, noise_total) in (0..40u64)
                    .flat_map(|p| (-d..=d).flat_map(move |a| (-d..=d).map(move |b| (p, a, b))))
                {
                    let shown = |v: u64, n: i64| v.saturating_add_signed(n);
                    let total = shown(part + rest, noise_total);
                    assert!(!small_complement(total, shown(part, noise_part), t));
                }
            }
        }
    }

    #[test]
    fn a_lone_suppressed_cell_gets_the_smallest_non_zero_partner() {
        let l = Layout::new(4, None);
        let published = [3, 0, 40, 12, 55];
        let mut s = primary(&published, &published, &l, 10);
        secondary(&published, &l, &mut s);
        assert_eq!(s, [true, false, false, true, false]);
    }

    #[test]
    fn secondary_suppression_spreads_across_rows_columns_and_margins() {
        // 3 × 3: [[3, 20, 30], [20, 20, 30], [20, 20, 30]]; rows 53, 70, 70; columns 43, 60,
        // 90; total 193. Only the 3 is primary; it pulls in the smallest cells of its row and
        // column, and they in turn need partners: a 2 × 2 block.
        let l = Layout::new(3, Some(3));
        let published = [
            3, 20, 30, 20, 20, 30, 20, 20, 30, 53, 70, 70, 43, 60, 90, 193,
        ];
        let mut s = primary(&published, &published, &l, 10);
        assert_eq!(s.iter().filter(|x| **x).count(), 1);
        secondary(&published, &l, &mut s);
        let hidden: Vec<usize> = (0..s.len()).filter(|&e| s[e]).collect();
        assert_eq!(hidden, [0, 1, 3, 4]);
    }

    #[test]
    fn widening_never_picks_the_grand_total() {
        let l = Layout::new(2, None);
        let published = [20, 20, 40];
        assert_eq!(widen(&published, &l, &[true, true, false], 0), None);
        assert_eq!(widen(&published, &l, &[true, false, false], 0), Some(1));
    }
}
