//! What earlier releases of a survey published, as the joint audit needs it: every table's
//! lines by the category ids they cover, and each number (or `None` where it was hidden).

use serde::{Deserialize, Serialize};

use super::protect::{ProtectedTable, PublishedCell, Shown};

/// One table of an earlier release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarlierTable {
    /// One variable (a one-way table) or two (rows, columns).
    pub variables: Vec<String>,
    /// Each row, by the ids of the variable's categories it covers (the total row left out).
    pub rows: Vec<Vec<String>>,
    /// Each column likewise; empty for a one-way table.
    pub columns: Vec<Vec<String>>,
    /// `cells[r][c]` with the margins last, as published: `None` where hidden. A one-way table
    /// has one column (and its total in the last row).
    pub cells: Vec<Vec<Option<u64>>>,
    /// The threshold T of the release that showed it (a survey's may be raised between
    /// releases): every count it shows above 0 is at least T.
    pub threshold: u64,
}

/// One earlier release: every table it showed, and how many responses it counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EarlierRelease {
    pub tables: Vec<EarlierTable>,
    /// How many responses the release counted (`None` where unknown, as for a release put
    /// together by hand). Never published, but a reader is assumed to know it exactly: the
    /// release rule pins it when the next release comes at the earliest moment it allows
    /// (docs/releases.md, "The release rule tells a reader something").
    pub responses: Option<u64>,
}

impl EarlierRelease {
    /// Every table of a release, with its count of responses unknown.
    pub fn of_tables(tables: Vec<EarlierTable>) -> EarlierRelease {
        EarlierRelease {
            tables,
            responses: None,
        }
    }

    pub fn iter(&self) -> std::slice::Iter<'_, EarlierTable> {
        self.tables.iter()
    }
}

impl FromIterator<EarlierTable> for EarlierRelease {
    /// The tables of a release, with its count of responses unknown.
    fn from_iter<I: IntoIterator<Item = EarlierTable>>(tables: I) -> EarlierRelease {
        EarlierRelease::of_tables(tables.into_iter().collect())
    }
}

impl EarlierTable {
    /// A table as it was published.
    pub fn from_protected(t: &ProtectedTable) -> EarlierTable {
        let ids = |axis: &crate::tally::Axis| -> Vec<Vec<String>> {
            axis.categories
                .iter()
                .map(|c| {
                    if c.parts.is_empty() {
                        vec![c.id.clone()]
                    } else {
                        c.parts.clone()
                    }
                })
                .collect()
        };
        let value = |c: &PublishedCell| if c.suppressed { None } else { c.count };
        match &t.columns {
            None => EarlierTable {
                variables: vec![t.rows.variable.clone()],
                rows: ids(&t.rows),
                columns: Vec::new(),
                cells: t
                    .cells
                    .iter()
                    .chain(std::iter::once(&t.total))
                    .map(|c| vec![value(c)])
                    .collect(),
                threshold: u64::from(t.threshold),
            },
            Some(columns) => {
                let width = columns.len().max(1);
                let mut cells: Vec<Vec<Option<u64>>> = t
                    .cells
                    .chunks(width)
                    .zip(&t.row_totals)
                    .map(|(row, total)| {
                        row.iter()
                            .chain(std::iter::once(total))
                            .map(value)
                            .collect()
                    })
                    .collect();
                cells.push(
                    t.column_totals
                        .iter()
                        .chain(std::iter::once(&t.total))
                        .map(value)
                        .collect(),
                );
                EarlierTable {
                    variables: vec![t.rows.variable.clone(), columns.variable.clone()],
                    rows: ids(&t.rows),
                    columns: ids(columns),
                    cells,
                    threshold: u64::from(t.threshold),
                }
            }
        }
    }

    /// A number this table shows, as a reader knows it.
    pub(super) fn shown(&self, value: u64) -> Shown {
        Shown::new(value, self.threshold)
    }

    /// Whether this is the one-way table of `variable`.
    pub(super) fn is_one_way(&self, variable: &str) -> bool {
        self.variables.len() == 1 && self.variables[0] == variable
    }

    /// Whether this is the two-way table of `a` and `b`, either way round.
    pub(super) fn is_two_way_of(&self, a: &str, b: &str) -> bool {
        matches!(self.variables.as_slice(), [x, y] if (x == a && y == b) || (x == b && y == a))
    }

    /// This two-way table with `rows` down the side, turned round if need be.
    pub(super) fn two_way(&self, rows: &str, columns: &str) -> Option<EarlierTable> {
        match self.variables.as_slice() {
            [a, b] if a == rows && b == columns => Some(self.clone()),
            [a, b] if a == columns && b == rows => {
                let width = self.columns.len() + 1;
                let cells = (0..width)
                    .map(|c| {
                        self.cells
                            .iter()
                            .map(|row| row.get(c).copied().flatten())
                            .collect()
                    })
                    .collect();
                Some(EarlierTable {
                    variables: vec![rows.to_owned(), columns.to_owned()],
                    rows: self.columns.clone(),
                    columns: self.rows.clone(),
                    cells,
                    threshold: self.threshold,
                })
            }
            _ => None,
        }
    }
}

/// The margins a two-way table published for `variable`, when it is one of its two and the
/// other is not `besides`: each line of `variable`'s categories (then all of them, for the
/// table's total) with its published count. They count the people who answered both
/// questions, so each is at most `variable`'s own count of the same categories: the joint
/// audit reads them as lower bounds (`joint::pair`, `joint::one_way`).
pub(super) fn margins_of<'a>(
    release: &'a [EarlierTable],
    variable: &'a str,
    besides: Option<&'a str>,
) -> impl Iterator<Item = (Option<&'a [String]>, Shown)> + 'a {
    release
        .iter()
        .filter(move |x| {
            x.variables.len() == 2
                && x.variables.iter().any(|v| v == variable)
                && !besides.is_some_and(|b| x.variables.iter().any(|v| v == b))
        })
        .flat_map(move |x| {
            let height = x.rows.len();
            let width = x.columns.len();
            let cell =
                |r: usize, c: usize| x.cells.get(r).and_then(|row| row.get(c).copied().flatten());
            let lines: Vec<(Option<&[String]>, Option<u64>)> = if x.variables[0] == variable {
                (0..height)
                    .map(|r| (Some(x.rows[r].as_slice()), cell(r, width)))
                    .collect()
            } else {
                (0..width)
                    .map(|c| (Some(x.columns[c].as_slice()), cell(height, c)))
                    .collect()
            };
            lines
                .into_iter()
                .chain(std::iter::once((None, cell(height, width))))
                .filter_map(|(line, p)| p.map(|p| (line, x.shown(p))))
        })
}

/// Positions of `ids` among `categories`, or `None` if one is unknown now (a category that no
/// longer exists, such as a year no longer shown).
pub(super) fn positions(ids: &[String], categories: &[String]) -> Option<Vec<usize>> {
    ids.iter()
        .map(|id| categories.iter().position(|c| c == id))
        .collect()
}
