//! Table redesign: showing a variable's categories in groups — the definition's next level up
//! (`groups`, `coarse_bands`), or the smallest categories and the non-answers merged into one
//! labelled row — so that a two-way table needs fewer hidden cells.

use crate::tally::{Axis, Category, Label, RawCell, RawTable};

/// Each group lists the variable's own categories (by position) that it stands for; groups are
/// disjoint and cover every category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Grouping {
    pub(super) groups: Vec<Vec<usize>>,
}

impl Grouping {
    pub(super) fn identity(n: usize) -> Grouping {
        Grouping {
            groups: (0..n).map(|i| vec![i]).collect(),
        }
    }

    /// The definition's coarser level, if the axis has one; categories it does not cover
    /// (non-answers, numbers outside the bands) stay as they are.
    pub(super) fn coarser(axis: &Axis) -> Option<Grouping> {
        if axis.coarser.is_empty() {
            return None;
        }
        let position = |id: &str| axis.categories.iter().position(|c| c.id == id);
        let mut covered = vec![false; axis.len()];
        let mut groups = Vec::new();
        for c in &axis.coarser {
            let members: Vec<usize> = c.parts.iter().filter_map(|p| position(p)).collect();
            for &m in &members {
                covered[m] = true;
            }
            if !members.is_empty() {
                groups.push(members);
            }
        }
        groups.extend((0..axis.len()).filter(|&i| !covered[i]).map(|i| vec![i]));
        Some(Grouping { groups })
    }

    /// The groups holding a category hidden in the variable's one-way table become one group:
    /// shown apart, their totals would give away the hidden counts.
    pub(super) fn merging_hidden(&self, hidden: &[bool]) -> Grouping {
        let holding: Vec<usize> = (0..self.groups.len())
            .filter(|&g| self.groups[g].iter().any(|&i| hidden.get(i) == Some(&true)))
            .collect();
        if holding.len() < 2 {
            return self.clone();
        }
        self.merged(&holding)
    }

    /// Groups `which` (positions in `groups`) become one, placed last.
    pub(super) fn merged(&self, which: &[usize]) -> Grouping {
        let mut rest = Vec::new();
        let mut other = Vec::new();
        for (g, members) in self.groups.iter().enumerate() {
            if which.contains(&g) {
                other.extend_from_slice(members);
            } else {
                rest.push(members.clone());
            }
        }
        other.sort_unstable();
        rest.push(other);
        Grouping { groups: rest }
    }

    pub(super) fn len(&self) -> usize {
        self.groups.len()
    }

    /// The axis as the redesigned table shows it: a group of one is the category itself; a
    /// group that is one of the definition's coarser categories is shown as that; any other
    /// group is shown as the categories it merges.
    pub(super) fn axis(&self, axis: &Axis) -> Axis {
        let categories = self
            .groups
            .iter()
            .enumerate()
            .map(|(g, members)| match members.as_slice() {
                [one] => axis.categories[*one].clone(),
                _ => {
                    let ids: Vec<String> = members
                        .iter()
                        .map(|&i| axis.categories[i].id.clone())
                        .collect();
                    let declared = axis.coarser.iter().find(|c| {
                        let mut parts = c.parts.clone();
                        parts.sort();
                        let mut sorted = ids.clone();
                        sorted.sort();
                        parts == sorted
                    });
                    match declared {
                        Some(c) => c.clone(),
                        None => Category {
                            id: format!("merged-{}", g + 1),
                            label: Label::Merged {
                                parts: members
                                    .iter()
                                    .map(|&i| axis.categories[i].label.clone())
                                    .collect(),
                            },
                            parts: ids,
                        },
                    }
                }
            })
            .collect();
        Axis {
            categories,
            ..axis.clone()
        }
    }
}

/// The two-way table `table` with its rows and columns grouped. Each new cell counts exactly
/// the records of the cells it merges and carries exactly their keys, so it gets the same
/// noise wherever the same group of people is counted.
pub(super) fn regroup(table: &RawTable, rows: &Grouping, columns: &Grouping) -> Option<RawTable> {
    let row_axis = rows.axis(table.rows());
    let column_axis = columns.axis(table.columns()?);
    let width = table.columns()?.len();
    let mut cells = Vec::with_capacity(rows.len() * columns.len());
    // A merged cell is ruled out by the form only if every pair of answers it holds is.
    let mut ruled_out = Vec::with_capacity(cells.capacity());
    for r in &rows.groups {
        for c in &columns.groups {
            let mut cell = RawCell::default();
            let mut out = true;
            for &i in r {
                for &j in c {
                    cell = cell.merge(table.cell(i, j)?);
                    out &= table.is_ruled_out(i * width + j);
                }
            }
            cells.push(cell);
            ruled_out.push(out);
        }
    }
    RawTable::two_way(table.id().to_owned(), row_axis, column_axis, cells)
        .ok()
        .map(|t| t.ruling_out(&ruled_out))
}

/// Whether category `i` of `axis` is a non-answer (merged first when merging is needed).
pub(super) fn is_non_answer(axis: &Axis, i: usize) -> bool {
    matches!(
        axis.categories.get(i).map(|c| &c.label),
        Some(Label::NonAnswer { .. })
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hidden_categories_in_different_groups_end_up_in_one() {
        let g = Grouping::identity(4).merging_hidden(&[true, false, true, false]);
        assert_eq!(g.groups, vec![vec![1], vec![3], vec![0, 2]]);
        let g = Grouping::identity(3).merging_hidden(&[false, false, false]);
        assert_eq!(g, Grouping::identity(3));
    }
}
