//! The typed survey definition. Parsing lives in `build.rs` (which also holds `Survey::parse`),
//! cross-checks in `validate.rs`.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize, Serializer};

use super::condition::Condition;
use super::decimal::Decimal;
use super::error::DefinitionWarning;
use super::ids::{QuestionId, SurveyId};
use super::month::{Day, YearMonth};
use super::response::{Answer, NonAnswer};
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

/// The disclosure role of a question: how releases and exports protect its answers.
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
    /// The survey's own non-answers (`[non_answers]`) this question offers, in declared order.
    pub declared_non_answers: Vec<NonAnswer>,
    /// The question's own validation messages, translated like any text.
    pub messages: Messages,
    /// Checks across questions, each with its message.
    pub checks: Vec<Check>,
    /// A computed field: never asked, its answer is worked out from earlier answers when the
    /// response is submitted, and is then counted and exported like any answer of its type.
    pub compute: Option<Compute>,
    /// The answer a page shows already filled in (`default = …`); the peer may change it.
    pub default_answer: Option<Answer>,
    /// Answers implied by earlier ones (`implied = [{ when = "…", answer = … }]`): when a rule
    /// holds, the question is not asked and its answer is stored as given.
    pub implied: Vec<(Condition, Answer)>,
    /// 1-based line of the question's table in the source.
    pub line: usize,
}

/// A check across questions (`checks = [{ holds = "…", message = … }]`): once this question
/// and every question the condition names have an answer (not a non-answer), the condition
/// must hold, or the peer sees the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    pub holds: Condition,
    pub message: Text,
}

/// How a computed field gets its value (`compute = { … }`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Compute {
    /// A number: the sum of numbers, numeric scales and Likert points (a Likert option counts
    /// its position, from 0). Unanswered when any of them has no answer.
    Sum(Vec<QuestionId>),
    /// A number: how many options were chosen in a multi-select (0 when it was not answered).
    Count(QuestionId),
    /// A single choice: the first option whose condition holds (unanswered when none does).
    Classify(Vec<(String, Condition)>),
}

/// Which of a question's own validation messages to show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MessageKind {
    /// The question is required and was left out (`messages.required`).
    Required,
    /// The answer is not one the question takes: out of range, not a month… (`messages.invalid`).
    Invalid,
}

/// A question's own validation messages (`messages = { required = …, invalid = … }`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Messages {
    pub required: Option<Text>,
    pub invalid: Option<Text>,
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
            NonAnswer::Custom(_) => self.declared_non_answers.contains(&n),
        }
    }

    /// The non-answers offered, in display order: the built-in ones, then the survey's own.
    pub fn non_answers(&self) -> Vec<NonAnswer> {
        [NonAnswer::DontKnow, NonAnswer::PreferNotToSay]
            .into_iter()
            .filter(|n| self.allows(*n))
            .chain(self.declared_non_answers.iter().copied())
            .collect()
    }

    /// The non-answer this question offers under the wire id `s`, if any.
    pub fn non_answer_from_wire(&self, s: &str) -> Option<NonAnswer> {
        self.non_answers().into_iter().find(|n| n.as_str() == s)
    }

    /// The question's own message of this kind in `lang` (falling back to the default
    /// language); `None` when the question has none, and the interface's message applies.
    pub fn message(&self, kind: MessageKind, lang: &str) -> Option<&str> {
        let text = match kind {
            MessageKind::Required => &self.messages.required,
            MessageKind::Invalid => &self.messages.invalid,
        };
        text.as_ref().map(|t| t.get(lang))
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
    pub(super) pages: Vec<Page>,
    /// Texts of non-answers: the survey's labels for the built-in ones and its own ones.
    pub(super) non_answer_texts: BTreeMap<NonAnswer, Text>,
    pub(super) warnings: Vec<DefinitionWarning>,
    pub(super) source: String,
}

impl Survey {
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

    /// The survey's text for a non-answer in `lang`: its own label for "don't know" or "prefer
    /// not to say" when `[non_answers]` gives one, always for its own non-answers; `None` when
    /// the interface's wording applies.
    pub fn non_answer_text(&self, n: NonAnswer, lang: &str) -> Option<&str> {
        self.non_answer_texts.get(&n).map(|t| t.get(lang))
    }

    /// What the definition probably gets wrong without being invalid (a condition that is
    /// always true, one that contradicts when the questions it names are shown…). Importing
    /// shows them; they never stop an import.
    pub fn warnings(&self) -> &[DefinitionWarning] {
        &self.warnings
    }

    /// The original TOML, kept for storage and re-import.
    pub fn source(&self) -> &str {
        &self.source
    }
}
