use std::ops::Range;

use super::extremes::{Extremes, Goal};
use super::programme::Writing;
use super::*;
use proptest::prelude::*;

/// T = 10: a count shown as 10 is 10 to 12, as 12 is 10 to 14.
fn shown_at_ten(value: u64) -> Shown {
    Shown::new(value, 10)
}

#[test]
fn a_part_shown_with_another_value_than_its_whole_leaves_at_least_one_person_outside_it() {
    // Atom 0: who answered both questions and chose o1; atom 1: who chose o1 and skipped
    // the other. The two-way total shows 10, the one-way count 12: same people, same value,
    // so atom 1 holds someone. Alone the ranges allow 0 to 4; the rule leaves 1 to 4.
    let mut s = System::default();
    s.add_atoms(2);
    s.publish(vec![0], shown_at_ten(10));
    s.publish(vec![0, 1], shown_at_ten(12));
    assert_eq!(s.width(&vec![1]).expect("solved"), Some(3.0));
    let mut same = System::default();
    same.add_atoms(2);
    same.publish(vec![0], shown_at_ten(12));
    same.publish(vec![0, 1], shown_at_ten(12));
    assert_eq!(same.width(&vec![1]).expect("solved"), Some(4.0));
}

#[test]
fn a_count_shown_higher_in_the_next_release_gained_at_least_one_person() {
    let mut s = System::default();
    let mut previous = None;
    let first = s.add_release(1, &mut previous);
    let second = s.add_release(1, &mut previous);
    s.publish(vec![first], shown_at_ten(10));
    s.publish(vec![second], shown_at_ten(12));
    // Release 2's count: 10 to 14 alone, at least one more than release 1's (10 to 12).
    assert_eq!(s.width(&vec![second]).expect("solved"), Some(3.0));
    let point = vec![11.0, 11.0];
    assert!(
        s.misses(&point).is_some(),
        "the same count twice is refused"
    );
}

/// A number shown by a release with T = 5, below every count these tests show but 1: the
/// threshold's floor changes none of their ranges.
fn shown(value: u64) -> Shown {
    Shown::new(value, 5)
}

#[test]
fn a_count_shown_at_the_threshold_is_known_to_be_at_least_the_threshold() {
    // Cells a, b hidden, c and d shown as 10, the total as 24. By the noise alone c and d
    // are 8 to 12, so a + b is at most 26 - 16 = 10: a is 0 to 10, wide enough for T = 10.
    // But no count from 1 to 9 is ever shown: c and d are at least 10, so a + b is at most
    // 6, and a reader who knows the rule pins a to 0..6.
    let with_threshold = |t: u64| {
        let mut s = System::default();
        s.add_atoms(4);
        s.publish(vec![2], Shown::new(10, t));
        s.publish(vec![3], Shown::new(10, t));
        s.publish(vec![0, 1, 2, 3], Shown::new(24, t));
        s
    };
    assert_eq!(with_threshold(5).narrowest(&[vec![0]], 10), Ok(None));
    assert_eq!(with_threshold(10).narrowest(&[vec![0]], 10), Ok(Some(0)));
    assert_eq!(with_threshold(10).narrowest(&[vec![0]], 6), Ok(None));
}

/// Cells a, b and c of one table: c = 50 and the total 84 published, a and b hidden.
fn a_and_b_hidden_beside_fifty() -> System {
    let mut s = System::default();
    s.add_atoms(3);
    s.publish(vec![2], shown(50));
    s.publish(vec![0, 1, 2], shown(84));
    s
}

#[test]
fn two_hidden_cells_beside_a_published_one_are_as_wide_as_their_sum() {
    // Cells a, b, c; c = 50 and the total 84 are published: a + b = 34 ± 4.
    let s = a_and_b_hidden_beside_fifty();
    assert_eq!(s.narrowest(&[vec![0], vec![1]], 10), Ok(None));
    assert_eq!(s.narrowest(&[vec![0], vec![1]], 39), Ok(Some(0)));
}

#[test]
fn an_earlier_release_bounds_a_hidden_cell_from_below() {
    // Now: a and b hidden, c = 50, total 84, so a is anything in 0..=38. Before: a was
    // published as 34, so now a is at least 32: 32..=38 is narrower than 10.
    let mut s = a_and_b_hidden_beside_fifty();
    assert_eq!(s.narrowest(&[vec![0]], 10), Ok(None));
    let old = s.add_atoms(1);
    s.publish(vec![old], shown(34));
    s.at_most(old, 0);
    assert_eq!(s.narrowest(&[vec![0]], 10), Ok(Some(0)));
}

#[test]
fn a_margin_of_another_table_narrows_a_count_and_only_its_highest_bound_is_kept() {
    // a hidden, b = 20 and the total 30 published: a is 6 to 14. Another table's margin
    // counting some of the same people (33, so at least 31) lifts the total, and a is 9 to 14.
    let mut s = System::default();
    s.add_atoms(2);
    s.publish(vec![1], shown(20));
    s.publish(vec![0, 1], shown(30));
    assert_eq!(s.narrowest(&[vec![0]], 6), Ok(None));
    s.at_least(vec![1, 0], shown(33));
    s.at_least(vec![0, 1], shown(31));
    s.at_least(vec![0, 1], shown(1));
    assert_eq!(
        s.known.len() + s.floors.len(),
        3,
        "one row for the margins of one sum"
    );
    assert_eq!(s.narrowest(&[vec![0]], 6), Ok(Some(0)));
    assert_eq!(s.narrowest(&[vec![0]], 5), Ok(None));
}

#[test]
fn an_edited_system_finds_the_same_extremes_as_a_programme_of_its_own() {
    // Two releases: a was 34 before and counts only grow; c = 50 and the total 84 now.
    let mut s = a_and_b_hidden_beside_fifty();
    let old = s.add_atoms(2);
    s.publish(vec![old], shown(34));
    s.at_most(old, 0);
    s.at_most(old + 1, 1);
    let lps = Extremes::new(&s);
    for target in [
        vec![0],
        vec![1],
        vec![0, 1],
        vec![2],
        vec![old + 1],
        vec![0, old],
    ] {
        for direction in [
            OptimizationDirection::Maximize,
            OptimizationDirection::Minimize,
        ] {
            let value =
                |point: Option<Vec<f64>>| point.map(|p| target.iter().map(|&a| p[a]).sum::<f64>());
            let edited = value(lps.extreme(&target, direction).expect("solves"));
            let own = value(s.solve(&target, direction).expect("solves"));
            match (edited, own) {
                (Some(x), Some(y)) => assert!((x - y).abs() < SLACK, "{target:?} {x} {y}"),
                other => panic!("{target:?} {direction:?}: {other:?}"),
            }
        }
    }
}

#[test]
fn a_goal_is_reached_exactly_when_the_extreme_on_its_side_lies_beyond_it() {
    // a and b hidden, c = 50, total 84: a + b is 30 to 38, and a alone 0 to 38.
    let s = a_and_b_hidden_beside_fifty();
    let lps = Extremes::new(&s);
    let sum = |p: &[f64], t: &[usize]| t.iter().map(|&a| p[a]).sum::<f64>();
    for (target, high, low) in [(vec![0, 1], 38.0, 30.0), (vec![0], 38.0, 0.0)] {
        let at_least = lps
            .reach(&target, Goal::AtLeast(high - 0.5))
            .expect("feasible");
        assert!(sum(&at_least, &target) >= high - 0.5 - SLACK);
        let at_most = lps
            .reach(&target, Goal::AtMost(low + 0.5))
            .expect("feasible");
        assert!(sum(&at_most, &target) <= low + 0.5 + SLACK);
        assert_eq!(lps.reach(&target, Goal::AtLeast(high + 0.5)), None);
        assert_eq!(lps.reach(&target, Goal::AtMost(low - 0.5)), None);
    }
}

#[test]
fn an_edited_system_still_finds_a_sum_nothing_bounds_unbounded() {
    let mut s = System::default();
    s.add_atoms(2);
    s.publish(vec![0], shown(40));
    let lps = Extremes::new(&s);
    assert_eq!(lps.extreme(&[1], OptimizationDirection::Maximize), Ok(None));
    assert_eq!(
        lps.extreme(&[0, 1], OptimizationDirection::Maximize),
        Ok(None)
    );
    let lowest = lps
        .extreme(&[0, 1], OptimizationDirection::Minimize)
        .expect("solves")
        .expect("bounded below");
    assert!((lowest[0] + lowest[1] - 38.0).abs() < SLACK);
}

#[test]
fn an_atom_known_empty_and_the_earlier_atoms_it_bounds_are_zero_at_every_point() {
    // Now: atoms 0, 1, 2 with 2 known empty; the total 30 is published. Before: atoms 3, 4, 5,
    // each at most its later self, so 5 is empty too; 4 was published as 12.
    let mut s = System::default();
    s.add_atoms(3);
    s.empty(2);
    s.publish(vec![0, 1, 2], shown(30));
    let old = s.add_atoms(3);
    for i in 0..3 {
        s.at_most(old + i, i);
    }
    s.publish(vec![old + 1], shown(12));
    assert_eq!(
        s.certainly_empty(),
        [false, false, true, false, false, true]
    );
    for direction in [
        OptimizationDirection::Maximize,
        OptimizationDirection::Minimize,
    ] {
        let point = s.solve(&[0], direction).expect("solves").expect("bounded");
        assert_eq!((point[2], point[old + 2]), (0.0, 0.0));
    }
    // Atom 1 holds at least the 10 people of atom 4 (12 − 2): atom 0 is at most 32 − 10.
    let lps = Extremes::new(&s);
    let highest = lps
        .extreme(&[0], OptimizationDirection::Maximize)
        .expect("solves")
        .expect("bounded");
    assert!((highest[0] - 22.0).abs() < SLACK, "{highest:?}");
    assert_eq!(s.narrowest(&[vec![0], vec![2]], 10), Ok(Some(1)));
}

#[test]
fn a_published_number_only_empty_atoms_could_hold_is_still_a_contradiction() {
    let mut s = System::default();
    s.add_atoms(2);
    s.empty(1);
    s.publish(vec![1], shown(20));
    assert!(s.solve(&[0], OptimizationDirection::Maximize).is_err());
}

#[test]
fn a_count_between_two_releases_is_bounded_by_both() {
    // The same group in three releases: 20 published in the first, 40 in the third, hidden
    // in the second, so anything from 18 to 42 (a link stated twice changes nothing).
    let mut s = System::default();
    s.add_atoms(3);
    s.at_most(0, 1);
    s.at_most(1, 2);
    s.at_most(0, 2);
    s.publish(vec![0], shown(20));
    s.publish(vec![2], shown(40));
    assert_eq!(s.narrowest(&[vec![1]], 24), Ok(None));
    assert_eq!(s.narrowest(&[vec![1]], 25), Ok(Some(0)));
    let lps = Extremes::new(&s);
    let lowest = lps
        .extreme(&[1], OptimizationDirection::Minimize)
        .expect("solves")
        .expect("bounded");
    assert!((lowest[1] - 18.0).abs() < SLACK, "{lowest:?}");
    assert!(lowest[0] <= lowest[1] + SLACK && lowest[1] <= lowest[2] + SLACK);
}

#[test]
fn a_hidden_number_nothing_bounds_is_wide() {
    let mut s = System::default();
    s.add_atoms(2);
    s.publish(vec![0], shown(40));
    assert_eq!(s.narrowest(&[vec![1]], 50), Ok(None));
}

/// One group in two releases: release 1 hides its count, release 2 shows 20 (18 to 22).
/// Another question's tables say how many of the group answered that question: 12 in
/// release 1 (10 to 14), 20 in release 2 (18 to 22).
fn a_group_and_who_answered_a_third_question(split: bool) -> (System, Sum) {
    let mut s = System::default();
    let mut previous = None;
    let first = s.add_release(1, &mut previous);
    let second = s.add_release(1, &mut previous);
    s.publish(vec![second], shown(20));
    if !split {
        // Read as lower bounds on the group's count, as a pair's own audit does.
        s.at_least(vec![first], shown(12));
        s.at_least(vec![second], shown(20));
        return (s, vec![first]);
    }
    let mut s = s.split_in(2);
    s.publish(vec![2 * first], shown(12));
    s.publish(vec![2 * second], shown(20));
    (s, parts(&vec![first], 2))
}

#[test]
fn people_who_answered_a_third_question_grow_apart_from_the_rest_of_their_group() {
    // Read as lower bounds, release 1's count is anything from 10 to 22.
    let (whole, target) = a_group_and_who_answered_a_third_question(false);
    assert_eq!(whole.width(&target), Ok(Some(12.0)));
    // Split, the group's people who did not answer are at most 22 − 18 = 4 in release 2,
    // so at most 4 in release 1, and those who did at most 14: 10 to 18.
    let (split, target) = a_group_and_who_answered_a_third_question(true);
    assert_eq!(split.width(&target), Ok(Some(8.0)));
}

#[test]
fn a_split_system_alone_keeps_every_width() {
    let (whole, target) = a_group_and_who_answered_a_third_question(false);
    assert_eq!(
        whole.split_in(2).width(&parts(&target, 2)),
        whole.width(&target)
    );
}

/// Two releases of two groups; release 2 shows their total, 30 (28 to 32). Two points of a
/// looser system put 0 and 10 people in release 1's first group (hidden), and 10 in release
/// 2's; then a bound says release 2's first group holds at least 18.
fn two_points_missing_a_new_bound() -> (System, Witnesses, Range<usize>) {
    let mut s = System::default();
    let mut previous = None;
    s.add_release(2, &mut previous);
    let second = s.add_release(2, &mut previous);
    s.publish(vec![second, second + 1], shown(30));
    let points = vec![vec![0.0, 0.0, 10.0, 20.0], vec![10.0, 0.0, 10.0, 20.0]];
    assert!(points.iter().all(|p| s.misses(p).is_none()));
    s.at_least(vec![second], shown(20));
    assert!(points.iter().all(|p| s.misses(p).is_some()));
    let mut memory = Witnesses::default();
    memory.points = points;
    (s, memory, second..second + 2)
}

#[test]
fn a_point_missing_a_new_bound_is_moved_in_the_latest_release_and_still_proves_earlier_numbers() {
    let (s, mut memory, latest) = two_points_missing_a_new_bound();
    memory.meeting_floors_moving(latest);
    // Release 1's first group: 0 in one point, 10 in the other. Moved, both still say so,
    // and prove it 10 wide with no programme of its own (no point is added).
    assert_eq!(
        s.narrowest_needing(&[vec![0]], &[10.0], &mut memory),
        Ok(None)
    );
    assert_eq!(memory.points.len(), 2);
    for (point, first) in memory.points.iter().zip([0.0, 10.0]) {
        assert_eq!(s.misses(point), None);
        assert_eq!(&point[..2], &[first, 0.0]);
        assert!(point[2] >= 18.0 - SLACK);
    }
}

#[test]
fn a_point_that_only_an_earlier_release_could_fix_is_dropped() {
    // Release 1's second group now holds at least 5: no move in release 2 mends that.
    let (mut s, mut memory, latest) = two_points_missing_a_new_bound();
    s.at_least(vec![1], shown(5));
    memory.meeting_floors_moving(latest);
    memory.settle(&s, &[vec![0]], &[10.0]);
    assert!(memory.points.is_empty());
    // Dropped like this, as before moving: only points that meet every bound are kept.
    let (s, mut memory, _) = two_points_missing_a_new_bound();
    memory.meeting_floors(&s);
    assert!(memory.points.is_empty());
}

/// A random system of a few releases of the same few groups, published as they truly
/// were (so it admits the truth), with the same sums coming back from release to release,
/// some only bounded below, and some groups empty; and sums to ask about.
fn releases_of_the_same_groups() -> impl Strategy<Value = (System, Vec<Sum>)> {
    use proptest::collection::vec;
    (1usize..=4, 2usize..=4)
        .prop_flat_map(|(releases, n)| {
            let subsets = vec(vec(0..n, 1..=n), 1..=5);
            let counts = vec(vec(0u64..9, n), releases);
            let picks = vec((0usize..5, any::<bool>(), any::<bool>(), 0u64..5), 0..=12);
            let asked = vec((0..releases, vec(0..n, 1..=n)), 1..=4);
            (Just((releases, n)), subsets, counts, picks, asked, 0..n)
        })
        .prop_map(|((releases, n), subsets, counts, picks, asked, empty)| {
            let mut s = System::default();
            let mut previous = None;
            let mut truth = vec![0u64; n];
            let mut bases = Vec::new();
            for (r, new) in counts.iter().enumerate() {
                let base = s.add_release(n, &mut previous);
                bases.push(base);
                for (a, more) in new.iter().enumerate() {
                    // One group never holds anybody, and the reader knows it.
                    truth[a] += if a == empty { 0 } else { *more };
                }
                if r + 1 == releases {
                    s.empty(base + empty);
                }
                for &(k, published, skip, off) in &picks {
                    let Some(positions) = subsets.get(k % subsets.len()) else {
                        continue;
                    };
                    if skip {
                        continue;
                    }
                    let mut sum: Sum = positions.iter().map(|&p| base + p).collect();
                    sum.sort_unstable();
                    sum.dedup();
                    let value: u64 = positions
                        .iter()
                        .collect::<std::collections::BTreeSet<_>>()
                        .into_iter()
                        .map(|&p| truth[p])
                        .sum();
                    // Shown up to 2 off the truth, the same value always shown the same
                    // way (as the same people always get the same adjustment); a lower
                    // bound up to 4 below it.
                    if published {
                        let shown = if value < 7 {
                            value
                        } else {
                            value + value % 5 - 2
                        };
                        s.publish(sum, Shown::new(shown, 5));
                    } else {
                        s.at_least(sum, Shown::new(value.saturating_sub(off), 5));
                    }
                }
            }
            let targets = asked
                .into_iter()
                .map(|(r, positions)| {
                    let mut sum: Sum = positions.iter().map(|&p| bases[r] + p).collect();
                    sum.sort_unstable();
                    sum.dedup();
                    sum
                })
                .collect();
            (s, targets)
        })
}

#[test]
fn a_width_is_recalled_only_for_the_same_system_and_sum() {
    // Values no other test shows, so that no other test's width is recalled here.
    let system = |total: u64| {
        let mut s = System::default();
        let mut previous = None;
        let first = s.add_release(3, &mut previous);
        s.publish(vec![first, first + 1, first + 2], shown(total));
        s.publish(vec![first + 2], shown(613));
        s
    };
    let s = system(977);
    let target = vec![0];
    assert_eq!(s.remembered().recalled(&target), None);
    let width = s.remembered().width(&target).expect("solved");
    assert_eq!(width, s.width(&target).expect("solved"));
    assert_eq!(system(977).remembered().recalled(&target), Some(width));
    assert_eq!(system(977).remembered().recalled(&vec![1]), None);
    assert_eq!(system(978).remembered().recalled(&target), None);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Writing later numbers through earlier ones changes no extreme of any sum: solved
    /// from scratch or by editing the solved system, against the programme written out
    /// in chains.
    #[test]
    fn short_forms_find_the_same_extremes_as_the_chains(
        (s, targets) in releases_of_the_same_groups()
    ) {
        let lps = Extremes::new(&s);
        for target in &targets {
            for direction in [
                OptimizationDirection::Maximize,
                OptimizationDirection::Minimize,
            ] {
                let value = |point: Option<Vec<f64>>| {
                    point.map(|p| target.iter().map(|&a| p[a]).sum::<f64>())
                };
                let chains = value(
                    s.solve_written(target, direction, Writing::Chains).expect("solves"),
                );
                let short = value(
                    s.solve_written(target, direction, Writing::Short).expect("solves"),
                );
                let edited = value(lps.extreme(target, direction).expect("solves"));
                for found in [short, edited] {
                    match (found, chains) {
                        (Some(x), Some(y)) => prop_assert!(
                            (x - y).abs() < 1e-6,
                            "{target:?} {direction:?}: {x} against {y}"
                        ),
                        (None, None) => {}
                        other => prop_assert!(false, "{target:?} {direction:?}: {other:?}"),
                    }
                }
            }
        }
    }
}
