//! What an export holds: columns (everything a codebook needs), rows, and what was achieved.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Serialize, Serializer};

use crate::survey::Role;

/// One cell: a numeric code, or `*` for a quasi-identifier generalised to the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Value {
    Code(i64),
    /// A decimal answer, `units × 10^-places`, written with `places` decimals.
    Scaled {
        units: i64,
        places: u8,
    },
    Suppressed,
}

impl fmt::Display for Value {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Code(n) => write!(f, "{n}"),
            Value::Scaled { units, places } => {
                write!(f, "{}", crate::survey::Decimal::from_units(*units, *places))
            }
            Value::Suppressed => f.write_str("*"),
        }
    }
}

/// A number, or the string `"*"`.
impl Serialize for Value {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Value::Code(n) => s.serialize_i64(*n),
            // Its digits, never a float: `"12.50"` reads back as written.
            Value::Scaled { .. } => s.collect_str(self),
            Value::Suppressed => s.serialize_str("*"),
        }
    }
}

/// How to read a column's values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueFormat {
    /// Codes listed in `codes` (options, groups, bands).
    Categories,
    /// The number as answered.
    Number,
    /// A decimal number as answered, with `places` decimals (`12.50`); non-answer codes are
    /// whole numbers.
    Decimal { places: u8 },
    /// A year, e.g. `2021` (dates are never exported more precisely).
    Year,
    /// The first year of a five-year span: `2020` means 2020–2024.
    YearSpan,
    /// `1` selected, `0` not selected (one column per option of a multi-select question).
    Selected,
    /// Every value is `*`: the quasi-identifier is fully suppressed.
    Suppressed,
}

impl ValueFormat {
    /// A plain-words description for the codebook.
    pub fn describe(self) -> &'static str {
        match self {
            ValueFormat::Categories => "codes listed in the codebook",
            ValueFormat::Number => "the number as answered",
            ValueFormat::Decimal { .. } => "the number as answered, with its decimals",
            ValueFormat::Year => "the year",
            ValueFormat::YearSpan => "the first year of a five-year span (2020 means 2020-2024)",
            ValueFormat::Selected => "1 = selected, 0 = not selected",
            ValueFormat::Suppressed => "* = suppressed for anonymity",
        }
    }
}

/// Why a value is missing: the non-answers and suppression. Loaders declare these codes as
/// missing so no statistic counts them as answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Missing {
    DontKnow,
    PreferNotToSay,
    /// Not shown, skipped, or (in a quasi-identifier) a survey's own non-answer.
    NotAnswered,
    /// The n-th of the survey's own non-answers a column offers ("not applicable"), in a
    /// column exported as answered.
    Own(u8),
    /// `*`: generalised away for anonymity.
    Suppressed,
}

/// One value code and its label; `missing` is set for codes that are not answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CodeLabel {
    pub code: Value,
    pub label: String,
    pub missing: Option<Missing>,
}

impl Column {
    /// The codes that stand for answers (categories with labels).
    pub fn answer_codes(&self) -> impl Iterator<Item = &CodeLabel> {
        self.codes.iter().filter(|c| c.missing.is_none())
    }

    /// The codes that are not answers, in codebook order.
    pub fn missing_codes(&self) -> impl Iterator<Item = &CodeLabel> {
        self.codes.iter().filter(|c| c.missing.is_some())
    }
}

/// The generalisation level of a quasi-identifier: 0 = as answered (numbers in their bands,
/// dates by year), the highest = suppressed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LevelUsed {
    pub number: u8,
    pub name: String,
    /// The number of the top level (fully suppressed).
    pub top: u8,
}

/// One exported variable, with what its codebook entry needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Column {
    /// `age`, `drugs_3m.heroin` (multi option), `service_rating.hospital` (grid row).
    pub name: String,
    pub question: String,
    /// The question text in the default language; ` — option` or ` — row` appended.
    pub label: String,
    /// `quasi`, `sensitive` or `plain` (free text is never a column).
    pub role: Role,
    pub format: ValueFormat,
    /// Every code the column can hold that needs a label: categories and non-answers.
    pub codes: Vec<CodeLabel>,
    /// Quasi-identifiers only.
    pub level: Option<LevelUsed>,
}

/// One exported record. The id is fresh random per export; rows carry no record key, no
/// timestamp and no free text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Row {
    pub id: String,
    /// One value per column, in column order.
    pub values: Vec<Value>,
}

/// An anonymised dataset.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Anonymised {
    pub survey: String,
    pub columns: Vec<Column>,
    /// Shuffled.
    pub rows: Vec<Row>,
    pub k_requested: u32,
    pub l_requested: u32,
    /// The smallest number of rows sharing one combination of quasi-identifiers.
    pub achieved_k: u32,
    /// The fewest distinct values of a sensitive column within one class; `None` without
    /// sensitive columns.
    pub achieved_l: Option<u32>,
    /// Records taken in.
    pub records: usize,
    /// Records left out (whole records: their class was smaller than k or not ℓ-diverse).
    pub records_suppressed: usize,
    /// Quasi-identifier question id → level used.
    pub levels: BTreeMap<String, LevelUsed>,
    /// The information loss of the chosen node: the sum over quasi-identifiers of
    /// level ÷ top level (0 = nothing generalised).
    pub information_loss: f64,
    /// Lattice nodes in the search space, and how many had to be evaluated.
    pub lattice_nodes: usize,
    pub nodes_evaluated: usize,
    /// Sensitive columns left out: fewer than ℓ different values over all records.
    pub withheld_columns: Vec<String>,
    /// The answers of each repeating page, in long form (`groups/<name>.csv`).
    pub groups: Vec<Group>,
}

/// A repeating page's answers in long form: one row per instance a person answered, tied to
/// their `data.csv` row by its row id. Rows of records left out of `data.csv` are left out
/// here too, and an instance column withheld for ℓ-diversity is `*` in every row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// The repeat's id (`substance`): the file is `groups/substance.csv`.
    pub name: String,
    /// One column per question of the page, named as written on the page (`drug`).
    pub columns: Vec<Column>,
    /// A page repeated `over` a multi-select: what instance 1, 2, … is about (the options'
    /// texts, in the definition's order). Empty for a page repeated by a count.
    pub items: Vec<String>,
    pub rows: Vec<GroupRow>,
}

/// One instance of a repeating page answered by one person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GroupRow {
    /// The person's row id in `data.csv`.
    pub id: String,
    /// 1 for the first instance.
    pub instance: u32,
    pub values: Vec<Value>,
}

/// Codes for the non-answers of one column. They are −1, −2, −3 unless the column's numbers
/// can be negative; then they sit just below its minimum — or, when there is no room below it,
/// just above its maximum. Never a value a real answer could take, and never two alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct NonAnswerCodes {
    pub(super) dont_know: i64,
    pub(super) prefer_not_to_say: i64,
    pub(super) not_answered: i64,
}

impl NonAnswerCodes {
    /// The code of the n-th (from 0) of a column's own non-answers: next after "not
    /// answered", on the same side of the answers.
    pub(super) fn own(&self, n: usize) -> i64 {
        let step = i64::try_from(n).unwrap_or(i64::MAX).saturating_add(1);
        if self.not_answered < self.dont_know {
            self.not_answered.saturating_sub(step)
        } else {
            self.not_answered.saturating_add(step)
        }
    }

    /// Codes outside `lowest..=highest`, the values real answers can take.
    pub(super) fn outside(lowest: i64, highest: i64) -> NonAnswerCodes {
        let floor = lowest.min(0);
        match (floor.checked_sub(3), highest.checked_add(3)) {
            (Some(_), _) => NonAnswerCodes {
                dont_know: floor - 1,
                prefer_not_to_say: floor - 2,
                not_answered: floor - 3,
            },
            (None, Some(_)) => NonAnswerCodes {
                dont_know: highest + 1,
                prefer_not_to_say: highest + 2,
                not_answered: highest + 3,
            },
            // A definition's number range lies within ±(2^53 − 1) (`survey::kinds`), so a
            // range with no room on either side cannot be declared; keep the codes apart
            // regardless.
            (None, None) => NonAnswerCodes {
                dont_know: i64::MIN,
                prefer_not_to_say: i64::MIN + 1,
                not_answered: i64::MIN + 2,
            },
        }
    }
}

pub(super) const DONT_KNOW_LABEL: &str = "don't know";
pub(super) const PREFER_NOT_TO_SAY_LABEL: &str = "prefer not to say";
pub(super) const NOT_ANSWERED_LABEL: &str = "not shown or not answered";
pub(super) const SUPPRESSED_LABEL: &str = "suppressed for anonymity";

#[cfg(test)]
mod non_answer_tests {
    use super::NonAnswerCodes;

    #[test]
    fn non_answer_codes_never_equal_a_value_in_range_or_each_other() {
        for (low, high) in [
            (0, 10),
            (-5, 5),
            (i64::MIN, 100),
            (i64::MIN + 2, 0),
            (-10, i64::MAX),
        ] {
            let na = NonAnswerCodes::outside(low, high);
            let codes = [na.dont_know, na.prefer_not_to_say, na.not_answered];
            for c in codes {
                assert!(!(low..=high).contains(&c), "{c} inside {low}..={high}");
            }
            assert!(codes[0] != codes[1] && codes[1] != codes[2] && codes[0] != codes[2]);
        }
    }
}
