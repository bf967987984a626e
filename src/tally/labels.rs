//! What a table's rows and columns are called: variable ids, category ids and translated labels,
//! owned by the table so a frozen release can be stored and read back without the definition.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::survey::{Decimal, NonAnswer, Text};

/// A translated text: the default-language text plus every translation, by language tag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Translations {
    pub default: String,
    pub by_lang: BTreeMap<String, String>,
}

impl Translations {
    /// The text in `lang`, or in the default language when there is no such translation.
    pub fn get(&self, lang: &str) -> &str {
        self.by_lang.get(lang).unwrap_or(&self.default)
    }
}

impl From<&Text> for Translations {
    fn from(t: &Text) -> Translations {
        Translations {
            default: t.default_text().to_owned(),
            by_lang: t
                .translations()
                .iter()
                .map(|(l, s)| (l.as_str().to_owned(), s.clone()))
                .collect(),
        }
    }
}

/// What one category stands for. The web layer turns it into words in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Label {
    /// An option of a single, Likert or grid question.
    Option { text: Translations },
    /// A band `[lo, hi]` of a number question (inclusive).
    Band { lo: i64, hi: i64 },
    /// A band `[lo, hi]` of a decimal number question (inclusive), written as in the
    /// definition (`"0.5"`).
    DecimalBand { lo: Decimal, hi: Decimal },
    /// A number answer that falls in none of the declared bands.
    OutsideBands,
    /// A point of a numeric scale.
    Point { value: i64 },
    /// The year of a date answer.
    Year { year: u16 },
    /// "Don't know" or "prefer not to say", always kept apart.
    NonAnswer { non_answer: NonAnswer },
    /// A multi-select option that was chosen.
    Selected,
    /// A multi-select option that was not chosen, among those who answered the question.
    NotSelected,
    /// A group of options declared in the definition (`groups`), shown instead of its options
    /// in a two-way table redesigned to protect small numbers.
    Group { text: Translations },
    /// Several categories shown as one row or column of a redesigned two-way table: the
    /// smallest categories and the non-answers, or categories hidden in the one-way table.
    Merged { parts: Vec<Label> },
}

/// One category of a variable. `id` is stable across releases: an option id, `16-24` for a
/// band, `7` for a scale point, `2021` for a year, `dont_know`, `selected`…
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: String,
    pub label: Label,
    /// For a category of a redesigned table: the ids of the variable's own categories it
    /// stands for (empty: it is one of them, `id`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<String>,
}

/// A band's words: "16–24", or "1" for a band of one value (not "1–1").
pub fn band_words<T: std::fmt::Display + PartialEq>(lo: T, hi: T) -> String {
    if lo == hi {
        lo.to_string()
    } else {
        format!("{lo}–{hi}")
    }
}

impl Category {
    /// A category of the variable itself.
    pub fn new(id: impl Into<String>, label: Label) -> Category {
        Category {
            id: id.into(),
            label,
            parts: Vec::new(),
        }
    }
}

/// One side of a table: a variable and its categories, in display order (non-answers last).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Axis {
    /// `age`, `service_rating.hospital` (a grid row), `drugs.heroin` (a multi-select option).
    pub variable: String,
    /// The question the variable comes from.
    pub question: String,
    /// The question's text.
    pub title: Translations,
    /// The grid row's or multi-select option's text, for variables that are part of a question.
    pub part: Option<Translations>,
    pub categories: Vec<Category>,
    /// The definition's next level up (`groups` of options, `coarse_bands` of a number), each
    /// with the category ids it covers; empty when none is declared. Non-answers stay apart.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coarser: Vec<Category>,
}

impl Axis {
    pub fn len(&self) -> usize {
        self.categories.len()
    }

    pub fn is_empty(&self) -> bool {
        self.categories.is_empty()
    }
}
