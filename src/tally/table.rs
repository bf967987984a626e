//! Raw (unprotected) tables: true counts and cell keys. They never leave the release
//! computation: only `disclosure` reads them, and only its output is shown or stored.

use std::collections::BTreeSet;
use std::fmt;

use super::labels::Axis;

/// A count and its cell key: the wrapping sum of the record keys of exactly the records
/// counted. The same set of records always has the same key, wherever the cell appears.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct RawCell {
    pub count: u64,
    pub key: u32,
}

impl RawCell {
    /// Counts one more record.
    pub fn add(&mut self, record_key: u32) {
        self.count += 1;
        self.key = self.key.wrapping_add(record_key);
    }

    /// The cell counting the records of both (which must not overlap).
    pub fn merge(self, other: RawCell) -> RawCell {
        RawCell {
            count: self.count + other.count,
            key: self.key.wrapping_add(other.key),
        }
    }
}

/// The key is secret (a cell of one record carries that record's key): never printed.
impl fmt::Debug for RawCell {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RawCell")
            .field("count", &self.count)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Why cells don't fit a table's shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShapeError {
    #[error("a table needs one cell per category (or per row and column pair)")]
    CellCount,
}

/// A one-way table (`columns` is `None`: one cell per category of `rows`, plus the total) or a
/// two-way table (cells row-major, plus a total per row, a total per column, and the grand
/// total). Margins are built here by adding cells, so they count exactly the records of their
/// cells and carry exactly their keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTable {
    id: String,
    rows: Axis,
    columns: Option<Axis>,
    cells: Vec<RawCell>,
    row_totals: Vec<RawCell>,
    column_totals: Vec<RawCell>,
    total: RawCell,
    /// Per cell (row-major), whether the questionnaire rules that pair of answers out and
    /// nobody gave it; empty when none is.
    ruled_out: Vec<bool>,
    /// How many responses the catalogue the table belongs to counted, its own people and
    /// everyone else (`Catalogue::set_responses`).
    responses: Option<u64>,
}

impl RawTable {
    pub fn one_way(id: String, axis: Axis, cells: Vec<RawCell>) -> Result<RawTable, ShapeError> {
        if cells.len() != axis.len() {
            return Err(ShapeError::CellCount);
        }
        let total = sum(cells.iter());
        Ok(RawTable {
            id,
            rows: axis,
            columns: None,
            cells,
            row_totals: Vec::new(),
            column_totals: Vec::new(),
            total,
            ruled_out: Vec::new(),
            responses: None,
        })
    }

    pub fn two_way(
        id: String,
        rows: Axis,
        columns: Axis,
        cells: Vec<RawCell>,
    ) -> Result<RawTable, ShapeError> {
        let (r, c) = (rows.len(), columns.len());
        if cells.len() != r * c || r == 0 || c == 0 {
            return Err(ShapeError::CellCount);
        }
        let row_totals: Vec<RawCell> = cells.chunks(c).map(|row| sum(row.iter())).collect();
        let column_totals: Vec<RawCell> = (0..c)
            .map(|j| sum(cells.iter().skip(j).step_by(c)))
            .collect();
        let total = sum(row_totals.iter());
        Ok(RawTable {
            id,
            rows,
            columns: Some(columns),
            cells,
            row_totals,
            column_totals,
            total,
            ruled_out: Vec::new(),
            responses: None,
        })
    }

    /// How many responses the release counts: its own people, and everyone else. A reader is
    /// assumed to know it exactly (docs/releases.md, "The release rule tells a reader
    /// something"). `None` for a table put together by hand.
    pub fn responses(&self) -> Option<u64> {
        self.responses
    }

    /// Marks the cells (row-major) whose pair of answers the questionnaire rules out. A cell
    /// somebody is in is not marked: the data outranks a reading of the form.
    pub fn ruling_out(mut self, mask: &[bool]) -> RawTable {
        let marked: Vec<bool> = self
            .cells
            .iter()
            .enumerate()
            .map(|(k, c)| c.count == 0 && mask.get(k).copied().unwrap_or(false))
            .collect();
        self.ruled_out = if marked.iter().any(|m| *m) {
            marked
        } else {
            Vec::new()
        };
        self
    }

    /// Whether cell `k` (row-major) is a pair of answers the questionnaire rules out: a 0
    /// everyone who reads the form knows, which tells nothing about people.
    pub fn is_ruled_out(&self, k: usize) -> bool {
        self.ruled_out.get(k).copied().unwrap_or(false)
    }

    /// Per cell (row-major), whether it is ruled out; empty when none is. The cells come first
    /// in a table's layout, so this also reads by entry.
    pub fn ruled_out(&self) -> &[bool] {
        &self.ruled_out
    }

    /// `age` for a one-way table, `age__gender` for a two-way table.
    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn rows(&self) -> &Axis {
        &self.rows
    }

    pub fn columns(&self) -> Option<&Axis> {
        self.columns.as_ref()
    }

    /// One per category (one-way) or row-major `rows × columns` (two-way).
    pub fn cells(&self) -> &[RawCell] {
        &self.cells
    }

    /// Empty for a one-way table.
    pub fn row_totals(&self) -> &[RawCell] {
        &self.row_totals
    }

    /// Empty for a one-way table.
    pub fn column_totals(&self) -> &[RawCell] {
        &self.column_totals
    }

    pub fn total(&self) -> RawCell {
        self.total
    }

    /// The cell at `row`, `column` of a two-way table (`column` 0 for a one-way table).
    pub fn cell(&self, row: usize, column: usize) -> Option<RawCell> {
        let width = self.columns.as_ref().map_or(1, Axis::len);
        if column >= width {
            return None;
        }
        self.cells.get(row * width + column).copied()
    }
}

fn sum<'a>(cells: impl Iterator<Item = &'a RawCell>) -> RawCell {
    cells.fold(RawCell::default(), |acc, c| acc.merge(*c))
}

/// Every table of a survey: the one-way tables in definition order, then the two-way tables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Catalogue {
    pub tables: Vec<RawTable>,
    /// The ids of the two-way tables whose two variables a rule of the questionnaire ties
    /// together pair by pair (or one question feeds both): pairs of answers the form itself may
    /// rule out, so their audit also assumes readers know every such pair (see
    /// `Survey::question_ties`).
    pub linked: BTreeSet<String>,
    /// Questions shown only to people who selected an option of a multi-select question: their
    /// respondents are a second count of that option's "selected".
    pub within: Vec<super::Within>,
    /// How many options one answer to each multi-select question may hold.
    pub choices: Vec<super::Choices>,
    /// For tables of variables no two-way table crosses (a multi-select option's, say), who
    /// they count by the answers of each single-valued variable: what a reader learns of a
    /// question from a follow-up's total (`disclosure/follow_ups.rs`).
    pub answered: Vec<Answered>,
}

/// How many of the people one-way table `table` counts gave each answer of the single-valued
/// variable `by` (in its categories' order), and how many answered both.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answered {
    pub table: String,
    pub by: String,
    pub per_answer: Vec<u64>,
    pub both: u64,
    /// Whether a rule of the questionnaire ties the two (a `show_if` of one naming the other,
    /// say): then every reader knows that people who gave some answers were never asked.
    pub tied: bool,
}

impl Catalogue {
    pub fn get(&self, id: &str) -> Option<&RawTable> {
        self.tables.iter().find(|t| t.id() == id)
    }

    /// Records in each table how many responses were counted (`None` where a catalogue is put
    /// together by hand).
    pub fn set_responses(&mut self, responses: Option<u64>) {
        for table in &mut self.tables {
            table.responses = responses;
        }
    }

    /// Counts every two-way table as tied by a rule of the questionnaire, as if options shown
    /// only for some answers of other questions tied every pair: what the stricter audit of tied
    /// tables costs (`examples/utility.rs`) and whether it holds (the disclosure property tests).
    pub fn tie_every_pair(&mut self) {
        self.linked = self
            .tables
            .iter()
            .filter(|t| t.columns().is_some())
            .map(|t| t.id().to_owned())
            .collect();
    }
}
