//! The published form of a release — the JSON contract of `GET .../releases/{n}` — built from
//! the protected tables. Margins are part of every table: the last row holds the column totals,
//! the last column the row totals, the corner the grand total. A one-way table has a single
//! "Total" column.

use crate::disclosure::{Released, PTABLE};
use crate::survey::Survey;
use crate::tally::{band_words, Axis, Label};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ReleaseDocument {
    pub release: u32,
    pub survey: String,
    pub title: String,
    pub threshold: u32,
    pub min_responses: u32,
    #[serde(rename = "final")]
    pub is_final: bool,
    /// The p-table used, published so anyone can see how counts were adjusted.
    pub ptable: serde_json::Value,
    pub note: String,
    pub tables: Vec<Table>,
    /// Tables of the catalogue that are not shown, and why (never any count).
    pub withheld: Vec<Withheld>,
    /// Free-text answers the organisers picked to quote, under their questions: the words
    /// alone, never counted and never tied to any other answer.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotes: Vec<super::QuoteGroup>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Table {
    pub id: String,
    pub title: String,
    /// The two questions of a two-way table (rows, columns); one for a one-way table.
    pub variables: Vec<String>,
    pub rows: Vec<Line>,
    pub columns: Vec<Line>,
    /// `cells[r][c]`, margins included (last row and last column).
    pub cells: Vec<Vec<Cell>>,
    /// Rows or columns are shown in groups to protect small numbers (see `Line::parts`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub redesigned: bool,
    /// Surveys with coupons, one-way tables: the RDS-II weighted percentage of each row (the
    /// last, the total, is 100); `null` where the count is hidden (see `release/rds.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rds_percent: Option<Vec<Option<u32>>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Line {
    pub id: String,
    pub label: String,
    /// For a row or column that groups several categories: their ids.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct Cell {
    pub count: Option<u64>,
    pub suppressed: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Withheld {
    pub id: String,
    pub title: String,
    pub reason: String,
    /// What the organiser can do, or wait for, to have it shown (`Refusal::what_helps`).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub what_helps: String,
}

/// The legend of the "hidden" mark: the same words wherever a hidden number is shown.
pub const HIDDEN_LEGEND: &str = "hidden: not shown to protect the people who answered. A number is hidden when it is small, or when it could be worked out from other numbers and would give a small one away, so a hidden number may be small or large.";

/// The plain words every release with tables carries (`note`).
pub const NOTE: &str = "To protect the people who answered, some numbers are hidden and every count is adjusted slightly, by at most 2 up or down. Hidden numbers are marked \"hidden\": they may be small, or large numbers hidden so that a small one cannot be worked out. Some breakdowns show answers in groups, or merge the rarest answers into one row, so that fewer numbers need hiding. The same group of people always gets the same adjustment, so asking again reveals nothing new. Percentages are shown only where the total is at least 30.";

impl ReleaseDocument {
    /// What the joint audit of a later release needs to know of this one: every table it shows.
    pub fn earlier(&self) -> crate::disclosure::EarlierRelease {
        crate::disclosure::EarlierRelease::of_tables(
            self.tables
                .iter()
                .map(|t| t.earlier(self.threshold))
                .collect(),
        )
    }

    pub fn new(
        survey: &Survey,
        number: u32,
        closing: bool,
        enough: bool,
        released: &[Released],
    ) -> ReleaseDocument {
        let threshold = survey.threshold();
        let mut tables = Vec::new();
        let mut withheld = Vec::new();
        for r in released {
            match r {
                Released::Shown(t) => {
                    let cell = |c: &crate::disclosure::PublishedCell| Cell {
                        count: c.count,
                        suppressed: c.suppressed,
                    };
                    let total = Line {
                        id: "total".into(),
                        label: "Total".into(),
                        parts: Vec::new(),
                    };
                    let (columns, cells) = match &t.columns {
                        Some(cols) => {
                            let width = cols.categories.len();
                            let mut grid: Vec<Vec<Cell>> = t
                                .cells
                                .chunks(width.max(1))
                                .zip(&t.row_totals)
                                .map(|(row, row_total)| {
                                    row.iter()
                                        .map(cell)
                                        .chain(std::iter::once(cell(row_total)))
                                        .collect()
                                })
                                .collect();
                            grid.push(
                                t.column_totals
                                    .iter()
                                    .map(cell)
                                    .chain(std::iter::once(cell(&t.total)))
                                    .collect(),
                            );
                            let mut lines = lines(cols, survey);
                            lines.push(total.clone());
                            (lines, grid)
                        }
                        None => {
                            let mut grid: Vec<Vec<Cell>> =
                                t.cells.iter().map(|c| vec![cell(c)]).collect();
                            grid.push(vec![cell(&t.total)]);
                            (vec![total.clone()], grid)
                        }
                    };
                    let mut rows = lines(&t.rows, survey);
                    rows.push(total);
                    tables.push(Table {
                        id: t.id.clone(),
                        title: title(&t.rows, t.columns.as_ref()),
                        variables: std::iter::once(t.rows.variable.clone())
                            .chain(t.columns.as_ref().map(|c| c.variable.clone()))
                            .collect(),
                        rows,
                        columns,
                        cells,
                        redesigned: t.redesigned,
                        rds_percent: None,
                    });
                }
                Released::Withheld(w) => withheld.push(Withheld {
                    id: w.id.clone(),
                    title: title(&w.rows, w.columns.as_ref()),
                    reason: w.reason.to_string(),
                    what_helps: w.reason.what_helps(threshold),
                }),
            }
        }
        let note = if enough {
            NOTE.to_owned()
        } else {
            format!("Fewer than {} people answered, so no table is shown: with so few, someone could be singled out.", survey.min_responses())
        };
        ReleaseDocument {
            release: number,
            survey: survey.id().to_string(),
            title: survey.title().default_text().to_owned(),
            threshold,
            min_responses: survey.min_responses(),
            is_final: closing,
            ptable: serde_json::to_value(PTABLE).unwrap_or_default(),
            note,
            tables,
            withheld,
            quotes: Vec::new(),
        }
    }

    /// Adds RDS-II weighted percentages (by table id, from `tally::rds_shares`) to the one-way
    /// tables that may show them.
    pub fn with_rds_percentages(
        mut self,
        shares: &std::collections::BTreeMap<String, crate::tally::WeightedShares>,
    ) -> ReleaseDocument {
        for table in &mut self.tables {
            if let Some(s) = shares.get(&table.id) {
                table.rds_percent = super::rds::shown_percentages(table, s);
            }
        }
        self
    }

    /// The one-way tables (shown), in catalogue order.
    pub fn one_way(&self) -> impl Iterator<Item = &Table> {
        self.tables.iter().filter(|t| t.variables.len() == 1)
    }

    /// The two-way table with `rows` down the side and `columns` across, turned round if the
    /// catalogue holds it the other way.
    pub fn two_way(&self, rows: &str, columns: &str) -> Option<Table> {
        self.tables
            .iter()
            .find_map(|t| match t.variables.as_slice() {
                [a, b] if a == rows && b == columns => Some(t.clone()),
                [a, b] if a == columns && b == rows => Some(t.transposed()),
                _ => None,
            })
    }
}

impl Table {
    /// Rows become columns; margins stay margins.
    pub fn transposed(&self) -> Table {
        let cells = (0..self.columns.len())
            .map(|c| {
                self.cells
                    .iter()
                    .filter_map(|row| row.get(c).copied())
                    .collect()
            })
            .collect();
        let title = match self.title.split_once(" × ") {
            Some((a, b)) => format!("{b} × {a}"),
            None => self.title.clone(),
        };
        Table {
            id: self.id.clone(),
            title,
            variables: self.variables.iter().rev().cloned().collect(),
            rows: self.columns.clone(),
            columns: self.rows.clone(),
            cells,
            redesigned: self.redesigned,
            rds_percent: None,
        }
    }
}

fn axis_title(axis: &Axis) -> String {
    match &axis.part {
        Some(part) => format!("{} — {}", axis.title.default, part.default),
        None => axis.title.default.clone(),
    }
}

fn title(rows: &Axis, columns: Option<&Axis>) -> String {
    match columns {
        Some(c) => format!("{} × {}", axis_title(rows), axis_title(c)),
        None => axis_title(rows),
    }
}

fn lines(axis: &Axis, survey: &Survey) -> Vec<Line> {
    axis.categories
        .iter()
        .map(|c| Line {
            id: c.id.clone(),
            label: label(&c.label, survey),
            parts: c.parts.clone(),
        })
        .collect()
}

/// Category words in the survey's default language (the organiser workspace is in English); a
/// non-answer the survey declares (`not_applicable = { text = "Does not apply to me" }`) in its
/// own words.
fn label(label: &Label, survey: &Survey) -> String {
    match label {
        Label::Option { text } => text.default.clone(),
        Label::Band { lo, hi } => band_words(lo, hi),
        Label::DecimalBand { lo, hi } => band_words(lo, hi),
        Label::OutsideBands => "Outside the bands".into(),
        Label::Point { value } => value.to_string(),
        Label::Year { year } => year.to_string(),
        Label::NonAnswer { non_answer } => match non_answer {
            crate::survey::NonAnswer::DontKnow => "Don't know".into(),
            crate::survey::NonAnswer::PreferNotToSay => "Prefer not to say".into(),
            crate::survey::NonAnswer::Custom(id) => {
                let lang = survey.languages().first().map(|l| l.to_string());
                lang.and_then(|l| survey.non_answer_text(*non_answer, &l))
                    .unwrap_or(id.as_str())
                    .to_owned()
            }
        },
        Label::Selected => "Chosen".into(),
        Label::NotSelected => "Not chosen".into(),
        Label::Group { text } => text.default.clone(),
        Label::Merged { parts } => format!(
            "Other ({})",
            parts
                .iter()
                .map(|p| self::label(p, survey))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

impl Table {
    /// What the joint audit of a later release needs to know of this table, shown by a release
    /// with threshold `threshold`.
    pub fn earlier(&self, threshold: u32) -> crate::disclosure::EarlierTable {
        let ids = |lines: &[Line]| -> Vec<Vec<String>> {
            lines
                .iter()
                .take(lines.len().saturating_sub(1))
                .map(|l| {
                    if l.parts.is_empty() {
                        vec![l.id.clone()]
                    } else {
                        l.parts.clone()
                    }
                })
                .collect()
        };
        crate::disclosure::EarlierTable {
            variables: self.variables.clone(),
            rows: ids(&self.rows),
            columns: if self.variables.len() == 2 {
                ids(&self.columns)
            } else {
                Vec::new()
            },
            cells: self
                .cells
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|c| if c.suppressed { None } else { c.count })
                        .collect()
                })
                .collect(),
            threshold: u64::from(threshold),
        }
    }
}
