//! What a reader learns from two published numbers that count nested groups of people.
//!
//! The same group of people always gets the same adjustment (cell-key perturbation; the rule is
//! public). So when a number counts some of the people another counts — a two-way table's
//! column total and the one-way count of the same answer, or a count and the same count in a
//! later release — and the two are shown with different values, the groups differ: the larger
//! holds at least one person the smaller does not. A reader can use that (it narrowed hidden
//! counts to 9 wide with T = 10 in `tests/api/release_attacker.rs`), so the audit does too.

use super::system::Sum;

/// A published number: its sum of atoms, its shown value, and the range of true values a
/// reader can tell from it alone.
pub(super) struct Published<'a> {
    pub sum: &'a Sum,
    pub value: u64,
    /// The threshold of its release: a count of at least T is never shown below T, so the same
    /// people can be shown differently by releases with different thresholds (T may be raised).
    pub threshold: u64,
    pub range: (f64, f64),
}

/// Pairs `(inner, outer)` of indices into `shown` such that the people `inner` counts are
/// among those `outer` counts and the two show different values: `outer − inner ≥ 1`. A pair
/// whose ranges already say as much (the lowest `outer` at least one above the highest `inner`,
/// as for values more than four apart) is left out: it would only make the programme longer. `later[a]` is the atom of the same people as atom `a`
/// in the next release (counts only grow), if any; `atoms` is how many atoms there are.
///
/// Nesting is read conservatively: every atom of `inner` must reach an atom of `outer` by
/// going forward zero or more releases, no release of `inner` may be later than any of
/// `outer`, and no two atoms of either may be the same people in different releases. A pair
/// missed costs only a little of what the audit could have proved narrow; a pair wrongly taken
/// would make it prove too much, so only sure ones are taken.
pub(super) fn strictly_more(
    shown: &[Published<'_>],
    later: &[Option<usize>],
    atoms: usize,
) -> Vec<(usize, usize)> {
    // Earlier atoms are those some atom leads to; depth counts the releases before.
    let mut earlier = vec![None; atoms];
    for (a, next) in later.iter().enumerate() {
        if let Some(n) = next {
            if let Some(slot) = earlier.get_mut(*n) {
                *slot = Some(a);
            }
        }
    }
    let depth = |mut a: usize| {
        let mut d = 0;
        while let Some(e) = earlier[a] {
            a = e;
            d += 1;
        }
        d
    };
    let last = |mut a: usize| {
        while let Some(n) = later[a] {
            a = n;
        }
        a
    };
    // Each sum as the last atoms of its chains (sorted), and its releases' depths.
    let forms: Vec<Option<(Vec<usize>, usize, usize)>> = shown
        .iter()
        .map(|Published { sum, .. }| {
            if sum.is_empty() || sum.iter().any(|&a| a >= atoms) {
                return None;
            }
            let mut ends: Vec<usize> = sum.iter().map(|&a| last(a)).collect();
            ends.sort_unstable();
            let distinct = ends.windows(2).all(|w| w[0] != w[1]);
            let depths = sum.iter().map(|&a| depth(a));
            let (low, high) = (depths.clone().min()?, depths.max()?);
            distinct.then_some((ends, low, high))
        })
        .collect();
    let sorted: Vec<Sum> = shown
        .iter()
        .map(|p| {
            let mut s = p.sum.clone();
            s.sort_unstable();
            s
        })
        .collect();
    let mut pairs = Vec::new();
    for (i, inner) in forms.iter().enumerate() {
        let Some((ends_in, _, high_in)) = inner else {
            continue;
        };
        for (j, outer) in forms.iter().enumerate() {
            let Some((ends_out, low_out, _)) = outer else {
                continue;
            };
            if i == j
                || shown[i].value == shown[j].value
                || shown[i].threshold != shown[j].threshold
                || shown[j].range.0 - shown[i].range.1 >= 1.0
                || high_in > low_out
                || ends_in.len() > ends_out.len()
                || !is_subset(ends_in, ends_out)
            {
                continue;
            }
            // The same atoms exactly are the same people: equal values, never here.
            if sorted[i] != sorted[j] {
                pairs.push((i, j));
            }
        }
    }
    pairs
}

/// Whether sorted `a` is contained in sorted `b`.
fn is_subset(a: &[usize], b: &[usize]) -> bool {
    let mut rest = b.iter();
    a.iter().all(|x| rest.any(|y| y == x))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// As published with T = 10 and adjustments of at most 2.
    fn pairs(shown: &[(Sum, u64)], later: &[Option<usize>]) -> Vec<(usize, usize)> {
        let with_t: Vec<(Sum, u64, u64)> = shown.iter().map(|(s, v)| (s.clone(), *v, 10)).collect();
        pairs_with_thresholds(&with_t, later)
    }

    /// Each number with its release's threshold T, adjusted by at most 2.
    fn pairs_with_thresholds(
        shown: &[(Sum, u64, u64)],
        later: &[Option<usize>],
    ) -> Vec<(usize, usize)> {
        let published: Vec<Published> = shown
            .iter()
            .map(|(sum, value, threshold)| Published {
                sum,
                value: *value,
                threshold: *threshold,
                range: (
                    (*value as f64 - 2.0).max(*threshold as f64),
                    *value as f64 + 2.0,
                ),
            })
            .collect();
        strictly_more(&published, later, later.len())
    }

    #[test]
    fn a_part_shown_apart_from_its_whole_with_another_value_leaves_someone_outside_it() {
        // 33 inside 35: someone is outside. 12 inside 35 too, but the ranges say that already.
        let shown = vec![(vec![0], 33), (vec![0, 1], 35), (vec![1], 12)];
        assert_eq!(pairs(&shown, &[None, None]), vec![(0, 1)]);
    }

    #[test]
    fn the_same_value_tells_nothing() {
        let shown = vec![(vec![0], 35), (vec![0, 1], 35)];
        assert!(pairs(&shown, &[None, None]).is_empty());
    }

    #[test]
    fn a_count_that_changed_between_releases_gained_someone() {
        // Atoms 0, 1 in release 1; 2, 3 the same people in release 2.
        let later = [Some(2), Some(3), None, None];
        let shown = vec![(vec![0], 10), (vec![2], 12), (vec![1], 15), (vec![3], 15)];
        assert_eq!(pairs(&shown, &later), vec![(0, 1)]);
    }

    #[test]
    fn a_later_count_is_never_inside_an_earlier_one() {
        let later = [Some(1), None];
        let shown = vec![(vec![1], 12), (vec![0], 10)];
        // The earlier count is inside the later one, never the other way round.
        assert_eq!(pairs(&shown, &later), vec![(1, 0)]);
    }

    #[test]
    fn a_difference_the_ranges_already_show_adds_nothing() {
        let shown = vec![(vec![0], 20), (vec![0, 1], 45)];
        assert!(pairs(&shown, &[None, None]).is_empty());
    }

    #[test]
    fn releases_with_different_thresholds_may_show_the_same_people_differently() {
        let later = [Some(1), None];
        let shown = [(vec![0], 14, 10), (vec![1], 15, 15)];
        assert!(pairs_with_thresholds(&shown, &later).is_empty());
    }

    #[test]
    fn groups_that_only_overlap_are_not_nested() {
        let shown = vec![(vec![0, 1], 20), (vec![1, 2], 25)];
        assert!(pairs(&shown, &[None, None, None]).is_empty());
    }
}
