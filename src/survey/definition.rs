//! The typed survey definition. Parsing lives in `build.rs`, cross-checks in `validate.rs`.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::answers::NonAnswer;
use super::condition::Condition;
use super::ids::{QuestionId, SurveyId};
use super::text::{Lang, Text};

/// How peers get codes: organisers issue batches (`invite`) or the landing page hands out one
/// per visitor (`open`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Invite,
    Open,
}

impl Mode {
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Invite => "invite",
            Mode::Open => "open",
        }
    }
}

/// The disclosure role of a question (DESIGN §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Combined with others, could identify someone (age, gender, area).
    Quasi,
    /// Must be ℓ-diverse within every class (drug use, injecting, overdose…).
    Sensitive,
    /// Free text: never exported, never tabulated.
    FreeText,
    /// Neither.
    Plain,
}

impl Role {
    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "quasi" => Some(Role::Quasi),
            "sensitive" => Some(Role::Sensitive),
            "free_text" => Some(Role::FreeText),
            "plain" => Some(Role::Plain),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Quasi => "quasi",
            Role::Sensitive => "sensitive",
            Role::FreeText => "free_text",
            Role::Plain => "plain",
        }
    }
}

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

/// A month, `YYYY-MM` (years 1000–9999). Serialized as that string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct YearMonth {
    year: u16,
    month: u8,
}

impl YearMonth {
    pub fn new(year: u16, month: u8) -> Option<YearMonth> {
        ((1000..=9999).contains(&year) && (1..=12).contains(&month))
            .then_some(YearMonth { year, month })
    }

    /// Parses exactly `YYYY-MM`.
    pub fn parse(s: &str) -> Option<YearMonth> {
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' {
            return None;
        }
        let digits = |r: std::ops::Range<usize>| -> Option<u16> {
            let part = s.get(r)?;
            if part.bytes().all(|c| c.is_ascii_digit()) {
                part.parse().ok()
            } else {
                None
            }
        };
        let year = digits(0..4)?;
        let month = u8::try_from(digits(5..7)?).ok()?;
        YearMonth::new(year, month)
    }

    pub fn year(self) -> u16 {
        self.year
    }

    pub fn month(self) -> u8 {
        self.month
    }

    /// Months since year 0, for arithmetic.
    pub(super) fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    pub(super) fn from_index(i: i64) -> Option<YearMonth> {
        let year = u16::try_from(i.div_euclid(12)).ok()?;
        let month = u8::try_from(i.rem_euclid(12) + 1).ok()?;
        YearMonth::new(year, month)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        YearMonth::parse(&s).ok_or_else(|| serde::de::Error::custom("expected a month as YYYY-MM"))
    }
}

/// An option of a choice question, a Likert point, or a grid row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub id: String,
    pub text: Text,
    /// Multi-select only: this option cannot be combined with others ("none of these").
    pub exclusive: bool,
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
            QuestionKind::Number { .. } => "number",
            QuestionKind::Scale { .. } | QuestionKind::Likert { .. } => "scale",
            QuestionKind::Grid { .. } => "grid",
            QuestionKind::Date { .. } => "date",
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

/// One question.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub id: QuestionId,
    pub kind: QuestionKind,
    pub text: Text,
    pub help: Option<Text>,
    /// `None` only for notes.
    pub role: Option<Role>,
    /// Only applies when the question is shown.
    pub required: bool,
    pub show_if: Option<Condition>,
    /// If this holds once the question is answered, the survey ends here.
    pub end_if: Option<Condition>,
    pub dont_know: bool,
    pub prefer_not_to_say: bool,
    /// Single or Likert: option groups, the next generalisation level (empty: none declared).
    pub groups: Vec<OptionGroup>,
    /// Number: coarser bands, each the exact union of consecutive `bands` (empty: none).
    pub coarse_bands: Vec<Band>,
    /// 1-based line of the question's table in the source.
    pub line: usize,
}

impl Question {
    pub fn type_name(&self) -> &'static str {
        self.kind.type_name()
    }

    pub fn is_note(&self) -> bool {
        matches!(self.kind, QuestionKind::Note)
    }

    /// Whether this non-answer is offered for this question.
    pub fn allows(&self, n: NonAnswer) -> bool {
        match n {
            NonAnswer::DontKnow => self.dont_know,
            NonAnswer::PreferNotToSay => self.prefer_not_to_say,
        }
    }

    /// The non-answers offered, in display order.
    pub fn non_answers(&self) -> Vec<NonAnswer> {
        [NonAnswer::DontKnow, NonAnswer::PreferNotToSay]
            .into_iter()
            .filter(|n| self.allows(*n))
            .collect()
    }

    pub fn option(&self, id: &str) -> Option<&Choice> {
        self.kind.options().iter().find(|o| o.id == id)
    }
}

/// A page of questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub id: String,
    pub title: Text,
    pub show_if: Option<Condition>,
    pub questions: Vec<Question>,
    pub line: usize,
}

/// A validated survey definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    pub(super) id: SurveyId,
    pub(super) title: Text,
    pub(super) description: Option<Text>,
    pub(super) mode: Mode,
    pub(super) languages: Vec<Lang>,
    pub(super) threshold: u32,
    pub(super) min_responses: u32,
    pub(super) k_anonymity: u32,
    /// Whether a person whose answers fire an `end_if` (screened out, e.g. no consent) leaves a
    /// response. Off by default: they leave nothing but a spent code.
    pub(super) record_screened_out: bool,
    /// The survey's own wording for single interface texts (`[interface.<lang>]`).
    pub(super) interface: super::interface::InterfaceTexts,
    pub(super) pages: Vec<Page>,
    pub(super) source: String,
}

impl Survey {
    /// Parses and validates a TOML definition, reporting every error with its line.
    pub fn parse(toml_source: &str) -> Result<Survey, DefinitionErrors> {
        super::build::parse(toml_source)
    }

    pub fn id(&self) -> &SurveyId {
        &self.id
    }

    pub fn title(&self) -> &Text {
        &self.title
    }

    pub fn description(&self) -> Option<&Text> {
        self.description.as_ref()
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The languages, the first being the default.
    pub fn languages(&self) -> &[Lang] {
        &self.languages
    }

    pub fn threshold(&self) -> u32 {
        self.threshold
    }

    pub fn min_responses(&self) -> u32 {
        self.min_responses
    }

    pub fn k_anonymity(&self) -> u32 {
        self.k_anonymity
    }

    /// Whether answers that end the survey through an `end_if` are stored as a response.
    pub fn records_screened_out(&self) -> bool {
        self.record_screened_out
    }

    /// The survey's own interface texts in `lang`, if it has any.
    pub fn interface(&self, lang: &str) -> Option<&std::collections::BTreeMap<String, String>> {
        self.interface
            .iter()
            .find(|(l, _)| l.as_str() == lang)
            .map(|(_, t)| t)
    }

    pub fn pages(&self) -> &[Page] {
        &self.pages
    }

    /// Every question (notes included), in definition order.
    pub fn questions(&self) -> impl Iterator<Item = &Question> {
        self.pages.iter().flat_map(|p| p.questions.iter())
    }

    pub fn question(&self, id: &str) -> Option<&Question> {
        self.questions().find(|q| q.id.as_str() == id)
    }

    /// The index of the page holding question `id`.
    pub fn page_of(&self, id: &str) -> Option<usize> {
        self.pages
            .iter()
            .position(|p| p.questions.iter().any(|q| q.id.as_str() == id))
    }

    /// The original TOML, kept for storage and re-import.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// One problem in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "line {line}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DefinitionError {}

/// Every problem in a definition, ordered by line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionErrors(pub Vec<DefinitionError>);

impl fmt::Display for DefinitionErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{e}")?;
        }
        Ok(())
    }
}

impl std::error::Error for DefinitionErrors {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_month_parses_only_in_the_yyyy_mm_form() {
        assert_eq!(
            YearMonth::parse("2024-03").map(|m| m.to_string()),
            Some("2024-03".into())
        );
        for bad in [
            "2024-13",
            "2024-00",
            "24-03",
            "2024-3",
            "2024/03",
            "+024-03",
            "2024-03-01",
        ] {
            assert_eq!(YearMonth::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn month_arithmetic_crosses_year_ends() {
        let m = YearMonth::parse("2024-12").expect("valid");
        assert_eq!(
            YearMonth::from_index(m.index() + 1).map(|m| m.to_string()),
            Some("2025-01".into())
        );
    }

    #[test]
    fn a_definition_error_shows_its_line_first() {
        let e = DefinitionError {
            line: Some(12),
            message: "question 'age': max (10) is below min (16)".into(),
        };
        assert_eq!(
            e.to_string(),
            "line 12: question 'age': max (10) is below min (16)"
        );
    }
}
