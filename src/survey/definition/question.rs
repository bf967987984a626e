//! One question: its kind, role, logic, non-answers, messages, checks and computed value.

use super::super::condition::Condition;
use super::super::ids::QuestionId;
use super::super::response::{Answer, NonAnswer};
use super::super::text::Text;
use super::kind::{Band, Choice, OptionGroup, QuestionKind};
use super::Role;

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
    /// `type = "network_size"`: a whole number asked with respondent-driven sampling's wording
    /// (how many people of the studied group the person knows), the degree RDS weights use.
    pub network_size: bool,
    /// A cell of a grid with typed `columns`: which grid, row and column it belongs to.
    pub cell: Option<GridCellOf>,
    /// A question of one instance of a repeating page: which group, which instance.
    pub instance: Option<InstanceOf>,
    /// 1-based line of the question's table in the source.
    pub line: usize,
}

/// A question of one instance of a repeating page (`repeat = { id, max, count }`). The page is
/// read once per instance, `1..=max`; instance n's questions have the id `group_n__question`
/// and are asked when the count question's answer is at least n.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceOf {
    pub group: String,
    pub number: u32,
    /// The question's id as written on the page (`drug`).
    pub question: QuestionId,
    /// Its text and help as written, before the instance's `{item}` and the names its piping
    /// uses were filled in: what translators translate, once for every instance.
    pub source_text: Text,
    pub source_help: Option<Text>,
}

/// Where a cell of a grid with typed `columns` sits. Such a grid is read into one question per
/// row × column (id `grid__row__column`), so each cell is answered, checked, counted and
/// exported like a question of its column's kind; pages lay the cells of one grid out together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GridCellOf {
    pub grid: QuestionId,
    /// The grid's own text and help, shown once above its rows.
    pub text: Text,
    pub help: Option<Text>,
    pub row: String,
    pub row_text: Text,
    pub column: String,
    pub column_text: Text,
    /// The row gives this cell its own options (`route = { options = […] }` on the row).
    pub row_options: bool,
    /// Where the cell's `messages` are written (translators' sheets write them back there).
    pub messages_from: CellKeyFrom,
    /// Where the cell's `checks` are written.
    pub checks_from: CellKeyFrom,
}

/// Which table of a grid with columns a cell's key comes from: the grid's (shared by every
/// cell), its column's, or its row's own keys for that column — the last one written wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKeyFrom {
    Grid,
    Column,
    Row,
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
    /// A single choice filled from the code's batch (`from_batch = true`): the batch was issued
    /// with a tag named like the question (`codes issue … --tag site=north`), whose value is
    /// one of the question's options. Nobody is asked; a card without the tag leaves it unanswered.
    FromBatch,
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
        self.own_message(kind).map(|t| t.get(lang))
    }

    /// The question's own message of this kind, in every language; `None` when it has none.
    pub fn own_message(&self, kind: MessageKind) -> Option<&Text> {
        match kind {
            MessageKind::Required => self.messages.required.as_ref(),
            MessageKind::Invalid => self.messages.invalid.as_ref(),
        }
    }

    pub fn option(&self, id: &str) -> Option<&Choice> {
        self.kind.options().iter().find(|o| o.id == id)
    }
}
