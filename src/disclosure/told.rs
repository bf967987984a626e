//! What a rule of the questionnaire tells every reader about a pair's people split by a third
//! question (`joint::Thirds`).
//!
//! Where a rule ties a question of the pair to the third question (a question shown only for
//! some answers of the other, an option offered only for some: `Survey::question_ties`), a
//! reader is assumed to know every pair of their answers nobody gave — as the audit of a tied
//! pair's own table assumes (`joint::Pair::linked`) — and whether anyone who answered one
//! skipped the other. Left out, a reader who knew that "carried naloxone" is asked only of
//! those who used opioids pinned a count an earlier release hid, through the breakdowns of a
//! third question by each (`FOUND_SHOWN_FOR` in `survey_proptests.rs`). Taken from this
//! release's counts: a group empty now was empty in every earlier release too, as responses
//! are only added.

use crate::tally::{Catalogue, RawTable};

/// The groups of one question of a pair, split by a third question tied to it, that nobody is
/// in. A part is an answer of the third question (its position in the split's answers), or the
/// last part: those who did not answer it.
#[derive(Debug, Default, PartialEq)]
pub(super) struct Told {
    /// (category of the pair's question by position, part) with nobody in it.
    pub(super) answered: Vec<(usize, usize)>,
    /// Parts with nobody among those who did not answer the pair's question.
    pub(super) unanswered: Vec<usize>,
}

/// What every reader knows of `member`'s people (its categories `ids`) split by `third` (its
/// answers `answers`, then those who did not answer it), in the release counted in `counts`;
/// `None` when no rule ties the two.
pub(super) fn told(
    counts: &Catalogue,
    (member, ids): (&str, &[String]),
    third: &str,
    answers: &[String],
) -> Option<Told> {
    let two = tied_table(counts, member, third)?;
    told_in(counts, two, (member, ids), third, answers)
}

/// [`told`], with the two-way table `two` of `member` and `third` that a rule ties already
/// found.
fn told_in(
    counts: &Catalogue,
    two: &RawTable,
    (member, ids): (&str, &[String]),
    third: &str,
    answers: &[String],
) -> Option<Told> {
    let (one_member, one_third) = (counts.get(member)?, counts.get(third)?);
    let member_rows = two.rows().variable == member;
    let columns = two.columns()?;
    let (member_axis, third_axis) = if member_rows {
        (two.rows(), columns)
    } else {
        (columns, two.rows())
    };
    let at = |axis: &crate::tally::Axis, id: &str| axis.categories.iter().position(|c| c.id == id);
    let count = |m: usize, x: usize| -> u64 {
        let (r, c) = if member_rows { (m, x) } else { (x, m) };
        two.cells()
            .get(r * columns.len() + c)
            .map_or(1, |cell| cell.count)
    };
    let one = |table: &RawTable, id: &str| -> Option<u64> {
        let i = at(table.rows(), id)?;
        Some(table.cells().get(i)?.count)
    };
    let thirds: Vec<Option<usize>> = answers.iter().map(|a| at(third_axis, a)).collect();
    let mut told = Told::default();
    for (p, id) in ids.iter().enumerate() {
        let Some(m) = at(member_axis, id) else {
            continue;
        };
        for (part, x) in thirds.iter().enumerate() {
            if x.is_some_and(|x| count(m, x) == 0) {
                told.answered.push((p, part));
            }
        }
        let with_third: u64 = (0..third_axis.len()).map(|x| count(m, x)).sum();
        if one(one_member, id).is_some_and(|all| all <= with_third) {
            told.answered.push((p, answers.len()));
        }
    }
    for (part, (answer, x)) in answers.iter().zip(&thirds).enumerate() {
        let Some(x) = *x else {
            continue;
        };
        let with_member: u64 = (0..member_axis.len()).map(|m| count(m, x)).sum();
        if one(one_third, answer).is_some_and(|all| all <= with_member) {
            told.unanswered.push(part);
        }
    }
    Some(told)
}

/// The two-way table of `a` and `b` (either way round) when a rule of the questionnaire ties
/// them (`Catalogue::linked`).
fn tied_table<'c>(counts: &'c Catalogue, a: &str, b: &str) -> Option<&'c RawTable> {
    // Asked for every pair and every breakdown of a release (`margins::settle_pairs`): most
    // surveys tie nothing, and then no table is looked for.
    if counts.linked.is_empty() {
        return None;
    }
    let two = counts.tables.iter().find(|t| {
        let Some(columns) = t.columns() else {
            return false;
        };
        let (r, c) = (t.rows().variable.as_str(), columns.variable.as_str());
        (r, c) == (a, b) || (r, c) == (b, a)
    })?;
    counts.linked.contains(two.id()).then_some(two)
}

/// Whether a rule of the questionnaire ties `a` and `b`.
pub(super) fn tied(counts: &Catalogue, a: &str, b: &str) -> bool {
    tied_table(counts, a, b).is_some()
}

/// Which of `member`'s answers (positions among `ids`) everyone who answered `other` may have
/// given, and whether any of them may have skipped it, as a rule tying the two tells every
/// reader (from this release's counts); `None` when no rule ties them or all are possible.
pub(super) fn reach(
    counts: &Catalogue,
    other: &str,
    (member, ids): (&str, &[String]),
) -> Option<(Vec<usize>, bool)> {
    let two = tied_table(counts, other, member)?;
    let other_ids: Vec<String> = counts
        .get(other)?
        .rows()
        .categories
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let told = told_in(counts, two, (other, &other_ids), member, ids)?;
    let possible = |part: usize| (0..other_ids.len()).any(|p| !told.answered.contains(&(p, part)));
    let answers: Vec<usize> = (0..ids.len()).filter(|&part| possible(part)).collect();
    let skipped = possible(ids.len());
    (answers.len() < ids.len() || !skipped).then_some((answers, skipped))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::joint_proptests::catalogue;

    /// q1 asked only of those who answered 0 to q0; q2 free.
    fn records() -> Vec<(Vec<Option<usize>>, u32)> {
        vec![
            (vec![Some(0), Some(0), Some(1)], 1),
            (vec![Some(0), Some(1), Some(0)], 2),
            (vec![Some(0), None, Some(0)], 3),
            (vec![Some(1), None, Some(1)], 4),
            (vec![None, None, Some(0)], 5),
        ]
    }

    fn ids(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("c{i}")).collect()
    }

    #[test]
    fn a_question_shown_only_for_one_answer_tells_who_did_not_answer_it() {
        let mut counts = catalogue(&[2, 2, 2], &records());
        assert_eq!(
            told(&counts, ("q1", &ids(2)), "q0", &ids(2)),
            None,
            "not tied"
        );
        counts.linked.insert("q0__q1".to_owned());
        // q1's people split by q0: nobody who answered q1 gave q0 answer 1 or skipped q0.
        let of_q1 = told(&counts, ("q1", &ids(2)), "q0", &ids(2)).expect("tied");
        assert_eq!(of_q1.answered, [(0, 1), (0, 2), (1, 1), (1, 2)]);
        // Among those who skipped q1 (but answered the pair's other question), both answers of
        // q0 have people: nothing to tell.
        assert_eq!(of_q1.unanswered, Vec::<usize>::new());
        // q0's people split by q1 (the table turned round): answer 1 of q0 answered neither of
        // q1's answers; everyone who answered q1 answered q0.
        let of_q0 = told(&counts, ("q0", &ids(2)), "q1", &ids(2)).expect("tied");
        assert_eq!(of_q0.answered, [(1, 0), (1, 1)]);
        assert_eq!(of_q0.unanswered, [0, 1]);
        // Everyone who answered q1 answered 0 to q0; q0's people may have skipped q1 or not.
        assert_eq!(
            reach(&counts, "q1", ("q0", &ids(2))),
            Some((vec![0], false))
        );
        assert_eq!(reach(&counts, "q0", ("q1", &ids(2))), None);
        assert_eq!(reach(&counts, "q2", ("q0", &ids(2))), None, "not tied");
    }
}
