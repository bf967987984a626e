//! Primary and secondary suppression over a table's entries (see `layout`).

use super::layout::{Layout, Line};

/// Primary suppression: an entry whose published count is in `1..t`, or whose complement in any
/// line it is a part of (published total − published count) is in `1..t`. Zero is publishable,
/// and so is a complement of zero or below (the noise already hides a few people there).
pub(super) fn primary(published: &[u64], layout: &Layout, t: u64) -> Vec<bool> {
    let small = |v: u64| (1..t).contains(&v);
    let mut suppressed: Vec<bool> = published.iter().map(|&p| small(p)).collect();
    for line in &layout.lines {
        let total = published[line.total];
        for &e in &line.parts {
            if total.checked_sub(published[e]).is_some_and(small) {
                suppressed[e] = true;
            }
        }
    }
    suppressed
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
        let s = primary(&[0, 3, 40, 12, 55], &l, 10);
        assert_eq!(s, [false, true, false, false, false]);
        // Cells 0, 52, 3; total 55: 52 leaves 3 others.
        let l = Layout::new(3, None);
        let s = primary(&[0, 52, 3, 55], &l, 10);
        assert_eq!(s, [false, true, true, false]);
    }

    #[test]
    fn a_lone_suppressed_cell_gets_the_smallest_non_zero_partner() {
        let l = Layout::new(4, None);
        let published = [3, 0, 40, 12, 55];
        let mut s = primary(&published, &l, 10);
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
        let mut s = primary(&published, &l, 10);
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
