//! A two-way table's design in the latest earlier release that showed it: its groups of rows
//! and columns and the inner cells it hid, read back from what was published.
//!
//! Why: a later release is audited against every earlier one, and the designs that lose least
//! on today's counts are often ones a reader could difference against the last release (a
//! cell hidden then, shown now beside a row that barely moved). The design the table had
//! before, with the cells it hid hidden again, gives a reader the fewest new differences; when
//! the cheaper designs fail the audit, it is tried before the table is withheld.

use crate::tally::{Axis, RawTable};

use super::earlier::EarlierRelease;
use super::grouping::Grouping;

/// See the module documentation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Before {
    pub(super) rows: Grouping,
    pub(super) columns: Grouping,
    /// Each inner cell hidden then, by the categories of its row and of its column.
    pub(super) hidden: Vec<(Vec<usize>, Vec<usize>)>,
}

impl Before {
    /// Whether the cell of groups `rows` × `columns` holds people of a cell hidden then.
    pub(super) fn hid(&self, rows: &[usize], columns: &[usize]) -> bool {
        self.hidden.iter().any(|(r, c)| {
            r.iter().any(|i| rows.contains(i)) && c.iter().any(|j| columns.contains(j))
        })
    }
}

/// The design of `table` in the latest of `earlier` that showed it, if its groups still cover
/// the table's categories exactly (a category renamed or added since makes it unusable).
pub(super) fn latest_design(table: &RawTable, earlier: &[EarlierRelease]) -> Option<Before> {
    let columns_axis = table.columns()?;
    let (rows_var, columns_var) = (&table.rows().variable, &columns_axis.variable);
    let then = earlier.iter().rev().find_map(|release| {
        release
            .iter()
            .find_map(|x| x.two_way(rows_var, columns_var))
    })?;
    let rows = grouping(&then.rows, table.rows())?;
    let columns = grouping(&then.columns, columns_axis)?;
    let mut hidden = Vec::new();
    for (r, group) in rows.groups.iter().enumerate() {
        for (c, other) in columns.groups.iter().enumerate() {
            let cell = then.cells.get(r).and_then(|row| row.get(c))?;
            if cell.is_none() {
                hidden.push((group.clone(), other.clone()));
            }
        }
    }
    Some(Before {
        rows,
        columns,
        hidden,
    })
}

/// Groups given by category ids, as positions in `axis`, if they cover it exactly once.
fn grouping(groups: &[Vec<String>], axis: &Axis) -> Option<Grouping> {
    let mut seen = vec![false; axis.len()];
    let mut out = Vec::with_capacity(groups.len());
    for ids in groups {
        let mut members = Vec::with_capacity(ids.len());
        for id in ids {
            let at = axis.categories.iter().position(|c| &c.id == id)?;
            if std::mem::replace(&mut seen[at], true) {
                return None;
            }
            members.push(at);
        }
        members.sort_unstable();
        out.push(members);
    }
    seen.iter().all(|s| *s).then_some(Grouping { groups: out })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::earlier::EarlierTable;
    use crate::tally::{Category, Label, RawCell, Translations};

    fn axis(variable: &str, ids: &[&str]) -> Axis {
        Axis {
            variable: variable.into(),
            question: variable.into(),
            title: Translations {
                default: variable.into(),
                by_lang: Default::default(),
            },
            part: None,
            categories: ids
                .iter()
                .map(|id| Category::new(*id, Label::Year { year: 2026 }))
                .collect(),
            coarser: Vec::new(),
        }
    }

    fn table() -> RawTable {
        let cells = vec![RawCell::default(); 9];
        RawTable::two_way(
            "a__b".into(),
            axis("a", &["x", "y", "z"]),
            axis("b", &["p", "q", "r"]),
            cells,
        )
        .expect("a 3 × 3 table")
    }

    /// A release that showed only `table`.
    fn release(table: EarlierTable) -> EarlierRelease {
        EarlierRelease::of_tables(vec![table])
    }

    fn earlier(
        variables: [&str; 2],
        rows: Vec<Vec<&str>>,
        columns: Vec<Vec<&str>>,
    ) -> EarlierTable {
        let ids = |g: Vec<Vec<&str>>| -> Vec<Vec<String>> {
            g.into_iter()
                .map(|v| v.into_iter().map(String::from).collect())
                .collect()
        };
        let (h, w) = (rows.len(), columns.len());
        // Everything shown but the first inner cell.
        let mut cells = vec![vec![Some(20); w + 1]; h + 1];
        cells[0][0] = None;
        EarlierTable {
            variables: variables.iter().map(|v| (*v).to_owned()).collect(),
            rows: ids(rows),
            columns: ids(columns),
            cells,
            threshold: 10,
        }
    }

    #[test]
    fn the_latest_release_s_groups_and_hidden_cells_are_read_back() {
        let first = earlier(
            ["a", "b"],
            vec![vec!["x"], vec!["y"], vec!["z"]],
            vec![vec!["p"], vec!["q"], vec!["r"]],
        );
        let second = earlier(
            ["a", "b"],
            vec![vec!["x"], vec!["y", "z"]],
            vec![vec!["p", "r"], vec!["q"]],
        );
        let before = latest_design(&table(), &[release(first), release(second)]).expect("a design");
        assert_eq!(before.rows.groups, vec![vec![0], vec![1, 2]]);
        assert_eq!(before.columns.groups, vec![vec![0, 2], vec![1]]);
        assert_eq!(before.hidden, vec![(vec![0], vec![0, 2])]);
        assert!(before.hid(&[0, 1], &[2]));
        assert!(!before.hid(&[1, 2], &[0, 1, 2]));
    }

    #[test]
    fn a_table_shown_the_other_way_round_is_turned_back() {
        let then = earlier(
            ["b", "a"],
            vec![vec!["p"], vec!["q", "r"]],
            vec![vec!["x"], vec!["y"], vec!["z"]],
        );
        let before = latest_design(&table(), &[release(then)]).expect("a design");
        assert_eq!(before.rows.groups, vec![vec![0], vec![1], vec![2]]);
        assert_eq!(before.columns.groups, vec![vec![0], vec![1, 2]]);
        assert_eq!(before.hidden, vec![(vec![0], vec![0])]);
    }

    #[test]
    fn groups_that_no_longer_cover_the_categories_give_no_design() {
        let missing = earlier(
            ["a", "b"],
            vec![vec!["x"], vec!["y"]],
            vec![vec!["p"], vec!["q"], vec!["r"]],
        );
        assert_eq!(latest_design(&table(), &[release(missing)]), None);
        let unknown = earlier(
            ["a", "b"],
            vec![vec!["x"], vec!["y"], vec!["w", "z"]],
            vec![vec!["p", "q", "r"]],
        );
        assert_eq!(latest_design(&table(), &[release(unknown)]), None);
        let other = earlier(
            ["a", "c"],
            vec![vec!["x"], vec!["y"], vec!["z"]],
            vec![vec!["p"], vec!["q"], vec!["r"]],
        );
        assert_eq!(latest_design(&table(), &[release(other)]), None);
    }
}
