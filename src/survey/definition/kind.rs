//! What a question asks for: its kind, options, bands and option groups.

use serde::{Serialize, Serializer};

use super::super::condition::Condition;
use super::super::decimal::Decimal;
use super::super::month::{Day, YearMonth};
use super::super::text::Text;

/// An inclusive band `[lo, hi]` of a number question; serialized as `[lo, hi]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Band {
    pub lo: i64,
    pub hi: i64,
}

impl Band {
    pub fn contains(&self, n: i64) -> bool {
        self.lo <= n && n <= self.hi
    }
}

impl Serialize for Band {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        [self.lo, self.hi].serialize(s)
    }
}

/// An inclusive band `[lo, hi]` of a decimal number question; serialized as `["lo", "hi"]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DecimalBand {
    pub lo: Decimal,
    pub hi: Decimal,
}

impl DecimalBand {
    pub fn contains(&self, d: Decimal) -> bool {
        self.lo <= d && d <= self.hi
    }
}

/// An option of a choice question, a Likert point, or a grid row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub text: Text,
    /// Multi-select only: this option cannot be combined with others ("none of these").
    pub exclusive: bool,
    /// Options of single, multi and Likert questions: offered only when this holds (it refers
    /// to questions on earlier pages, like a question's `show_if`).
    pub show_if: Option<Condition>,
}

/// A group of options of a single-choice or Likert question: one step up its generalisation
/// hierarchy for anonymised exports (areas → regions). Every option is in exactly one group;
/// non-answers are never grouped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OptionGroup {
    pub id: String,
    pub text: Text,
    /// Option ids, in the order written.
    pub options: Vec<String>,
}

/// What a question asks for, with its type-specific settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuestionKind {
    /// One option; `select` = render as a searchable select (long lists) rather than radios.
    Single { options: Vec<Choice>, select: bool },
    /// Several options.
    Multi {
        options: Vec<Choice>,
        min_choices: Option<u32>,
        max_choices: Option<u32>,
    },
    /// An integer in `min..=max`.
    Number {
        min: i64,
        max: i64,
        unit: Option<Text>,
        bands: Vec<Band>,
    },
    /// `type = "number"` with a `step`: a decimal number in `min..=max`, on the step from `min`.
    Decimal {
        min: Decimal,
        max: Decimal,
        step: Decimal,
        unit: Option<Text>,
        bands: Vec<DecimalBand>,
    },
    /// `type = "scale"` with `min`/`max`: an integer scale with optionally labelled ends.
    Scale {
        min: i64,
        max: i64,
        min_label: Option<Text>,
        max_label: Option<Text>,
    },
    /// `type = "scale"` with `options`: a Likert scale.
    Likert { options: Vec<Choice> },
    /// Rows sharing one scale of options; each row answered separately.
    Grid {
        rows: Vec<Choice>,
        options: Vec<Choice>,
    },
    /// A month, `YYYY-MM`.
    Date {
        min: Option<YearMonth>,
        max: Option<YearMonth>,
    },
    /// `type = "date"` with `precision = "day"`: a day, `YYYY-MM-DD`, in `min..=max`.
    Day { min: Day, max: Day },
    /// Free text (role `free_text`).
    Text { max_length: usize },
    /// Display only.
    Note,
}

impl QuestionKind {
    /// The `type` key as written in TOML.
    pub fn type_name(&self) -> &'static str {
        match self {
            QuestionKind::Single { .. } => "single",
            QuestionKind::Multi { .. } => "multi",
            QuestionKind::Number { .. } | QuestionKind::Decimal { .. } => "number",
            QuestionKind::Scale { .. } | QuestionKind::Likert { .. } => "scale",
            QuestionKind::Grid { .. } => "grid",
            QuestionKind::Date { .. } | QuestionKind::Day { .. } => "date",
            QuestionKind::Text { .. } => "text",
            QuestionKind::Note => "note",
        }
    }

    /// The answer options (single, multi, Likert scale, grid columns); empty otherwise.
    pub fn options(&self) -> &[Choice] {
        match self {
            QuestionKind::Single { options, .. }
            | QuestionKind::Multi { options, .. }
            | QuestionKind::Likert { options }
            | QuestionKind::Grid { options, .. } => options,
            _ => &[],
        }
    }
}
