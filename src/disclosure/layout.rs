//! A table as a flat list of entries (cells and margins) and the additivity lines between them.
//!
//! Entries are numbered: the cells (row-major), then the row totals, the column totals, and the
//! grand total last. A one-way table has its cells and the total. Each line says that a total
//! entry is the sum of its parts: one per row, one per column, and two for the margins (the row
//! totals add up to the grand total, and so do the column totals).

use crate::tally::{RawCell, RawTable};

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line {
    pub(super) total: usize,
    pub(super) parts: Vec<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Layout {
    pub(super) rows: usize,
    /// `None` for a one-way table.
    pub(super) columns: Option<usize>,
    pub(super) lines: Vec<Line>,
    /// Entries hidden as partners only when no other part of their line will do: the
    /// "selected" count of a multi-select option's table, the number its question asks about
    /// (and the bar its chart draws), where "not selected" says the same people's complement;
    /// and a count every reader has anyway as another table's total ([`Layout::sparing`]).
    pub(super) spared: Vec<usize>,
}

impl Layout {
    pub(super) fn of(table: &RawTable) -> Layout {
        let mut layout = Layout::new(table.rows().len(), table.columns().map(|c| c.len()));
        if table.columns().is_none() && is_option_table(table) {
            layout.spared.push(SELECTED);
        }
        layout
    }

    pub(super) fn new(rows: usize, columns: Option<usize>) -> Layout {
        let mut lines = Vec::new();
        match columns {
            None => lines.push(Line {
                total: rows,
                parts: (0..rows).collect(),
            }),
            Some(c) => {
                let body = rows * c;
                for r in 0..rows {
                    lines.push(Line {
                        total: body + r,
                        parts: (r * c..(r + 1) * c).collect(),
                    });
                }
                for j in 0..c {
                    lines.push(Line {
                        total: body + rows + j,
                        parts: (0..rows).map(|r| r * c + j).collect(),
                    });
                }
                let grand = body + rows + c;
                lines.push(Line {
                    total: grand,
                    parts: (body..body + rows).collect(),
                });
                lines.push(Line {
                    total: grand,
                    parts: (body + rows..body + rows + c).collect(),
                });
            }
        }
        Layout {
            rows,
            columns,
            lines,
            spared: Vec::new(),
        }
    }

    /// This layout with `cells` spared as well: counts a reader has anyway, as the total of a
    /// follow-up question asked of exactly their people. Hidden as a partner, such a count
    /// hides nothing, and the table is then withheld where another partner would have done.
    pub(super) fn sparing(mut self, cells: &[usize]) -> Layout {
        let n = self.cells();
        self.spared.extend(cells.iter().copied().filter(|&c| c < n));
        self
    }

    /// Whether entry `e` is hidden as a partner only as a last resort (see `spared`).
    pub(super) fn is_spared(&self, e: usize) -> bool {
        self.spared.contains(&e)
    }

    pub(super) fn entries(&self) -> usize {
        match self.columns {
            None => self.rows + 1,
            Some(c) => self.rows * c + self.rows + c + 1,
        }
    }

    pub(super) fn grand_total(&self) -> usize {
        self.entries() - 1
    }

    /// Whether entry `e` is a margin (a row, column or grand total) rather than a cell.
    pub(super) fn is_margin(&self, e: usize) -> bool {
        e >= self.cells()
    }

    pub(super) fn cells(&self) -> usize {
        self.rows * self.columns.unwrap_or(1)
    }

    /// Plain words for an entry's position (never its value), for refusal reasons.
    pub(super) fn describe(&self, e: usize) -> String {
        let cells = self.cells();
        match self.columns {
            _ if e == self.grand_total() => "the total".into(),
            None => format!("category {}", e + 1),
            Some(c) if e < cells => format!("the cell in row {}, column {}", e / c + 1, e % c + 1),
            Some(_) if e < cells + self.rows => format!("the total of row {}", e - cells + 1),
            Some(_) => format!("the total of column {}", e - cells - self.rows + 1),
        }
    }
}

/// The entry of a multi-select option's table that counts who selected it.
pub(super) const SELECTED: usize = 0;

/// A multi-select option's own table: "selected", then "not selected", then the question's
/// non-answers.
pub(super) fn is_option_table(table: &RawTable) -> bool {
    let categories = &table.rows().categories;
    categories.len() >= 2 && categories[0].id == "selected" && categories[1].id == "not_selected"
}

/// The table's entries in layout order.
pub(super) fn entries(table: &RawTable) -> Vec<RawCell> {
    let mut out = Vec::with_capacity(
        table.cells().len() + table.row_totals().len() + table.column_totals().len() + 1,
    );
    out.extend_from_slice(table.cells());
    out.extend_from_slice(table.row_totals());
    out.extend_from_slice(table.column_totals());
    out.push(table.total());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_two_by_three_table_has_a_line_per_row_per_column_and_two_for_the_margins() {
        let l = Layout::new(2, Some(3));
        assert_eq!(l.entries(), 6 + 2 + 3 + 1);
        assert_eq!(l.lines.len(), 2 + 3 + 2);
        assert_eq!(
            l.lines.first(),
            Some(&Line {
                total: 6,
                parts: vec![0, 1, 2]
            })
        );
        assert_eq!(
            l.lines.get(2),
            Some(&Line {
                total: 8,
                parts: vec![0, 3]
            })
        );
        assert_eq!(
            l.lines.last(),
            Some(&Line {
                total: 11,
                parts: vec![8, 9, 10]
            })
        );
        assert_eq!(l.describe(4), "the cell in row 2, column 2");
        assert_eq!(l.describe(7), "the total of row 2");
        assert_eq!(l.describe(10), "the total of column 3");
        assert_eq!(l.describe(11), "the total");
    }

    #[test]
    fn a_one_way_table_has_one_line() {
        let l = Layout::new(4, None);
        assert_eq!(l.entries(), 5);
        assert_eq!(
            l.lines,
            vec![Line {
                total: 4,
                parts: vec![0, 1, 2, 3]
            }]
        );
    }
}
