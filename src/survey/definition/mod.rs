//! The typed survey definition. Parsing lives in `src/survey/build/` (whose `mod.rs` holds
//! `Survey::parse`), cross-checks in `src/survey/validate.rs`.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::condition::Condition;
use super::error::DefinitionWarning;
use super::ids::SurveyId;
use super::response::NonAnswer;
use super::text::{Lang, Text};

mod kind;
mod question;
mod variant;

pub use kind::{Band, Choice, DecimalBand, OptionGroup, QuestionKind};
pub use question::{
    CellKeyFrom, Check, Compute, GridCellOf, InstanceOf, MessageKind, Messages, Question,
};
pub use variant::{QuestionVariant, Variant};

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

/// A page of questions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    pub id: String,
    pub title: Text,
    pub show_if: Option<Condition>,
    pub questions: Vec<Question>,
    pub line: usize,
    /// For an instance of a repeating page: the page as written.
    pub repeat_of: Option<RepeatedPage>,
}

/// The page an instance of a repeating page was read from, as written in the definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepeatedPage {
    pub id: String,
    /// The title as written (without the instance's number or `{item}` filled in).
    pub title: Text,
    pub number: u32,
    /// `over` pages: the option of the multi-select this instance is about.
    pub item: Option<Choice>,
}

/// A validated survey definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Survey {
    pub(super) id: SurveyId,
    pub(super) title: Text,
    pub(super) description: Option<Text>,
    /// What a peer is given for their time (`incentive = "A £10 shop voucher"`): when set, each
    /// peer gets a voucher code once their answers are saved.
    pub(super) incentive: Option<Text>,
    /// Respondent-driven sampling (`coupons = N`, invite mode only): each peer whose answers
    /// are saved gets N coupons to hand on; a coupon works like a card.
    pub(super) coupons: Option<u32>,
    /// What a recruiter is given for each of their coupons that is used
    /// (`coupon_reward = "A £5 shop voucher"`), shown beside the reward stubs and at the desk.
    pub(super) coupon_reward: Option<Text>,
    pub(super) mode: Mode,
    pub(super) languages: Vec<Lang>,
    pub(super) threshold: u32,
    pub(super) min_responses: u32,
    pub(super) k_anonymity: u32,
    /// How many new responses a new release needs, in percent of the previous release's.
    pub(super) release_percent: u32,
    /// Whether a person whose answers fire an `end_if` (screened out, e.g. no consent) leaves a
    /// response. Off by default: they leave nothing but a spent code.
    pub(super) record_screened_out: bool,
    /// The survey's own wording for single interface texts (`[interface.<lang>]`).
    pub(super) interface: super::interface::InterfaceTexts,
    pub(super) pages: Vec<Page>,
    /// Texts of non-answers: the survey's labels for the built-in ones and its own ones.
    pub(super) non_answer_texts: BTreeMap<NonAnswer, Text>,
    /// Per-site variants (`[variants.<field>.<option>]`), by field, then by option id.
    pub(super) variants: Vec<Variant>,
    /// Options that exist only at some sites (question id → option ids): offered to a peer only
    /// through a variant that lists them, never by the base definition's pages.
    pub(super) site_only_options: BTreeMap<String, Vec<String>>,
    pub(super) warnings: Vec<DefinitionWarning>,
    pub(super) source: String,
    /// Question id → (page, position on it): `question` runs for every answer of every
    /// submission. Built with the pages (`index_questions`); nothing reorders them after.
    pub(super) index: HashMap<String, (usize, usize)>,
}

/// Where each question is, by id (the first, should an id repeat).
pub(super) fn index_questions(pages: &[Page]) -> HashMap<String, (usize, usize)> {
    let mut index = HashMap::new();
    for (p, page) in pages.iter().enumerate() {
        for (i, q) in page.questions.iter().enumerate() {
            index.entry(q.id.as_str().to_owned()).or_insert((p, i));
        }
    }
    index
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

    pub fn incentive(&self) -> Option<&Text> {
        self.incentive.as_ref()
    }

    /// How many recruitment coupons each peer gets, when the survey recruits through coupons.
    pub fn coupons(&self) -> Option<u32> {
        self.coupons
    }

    /// What each used coupon pays its recruiter, when the survey says.
    pub fn coupon_reward(&self) -> Option<&Text> {
        self.coupon_reward.as_ref()
    }

    /// The network-size question (`type = "network_size"`), at most one per survey.
    pub fn network_size_question(&self) -> Option<&Question> {
        self.questions().find(|q| q.network_size)
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

    /// A new release needs at least this percentage of the previous release's responses as new
    /// responses (and at least the threshold).
    pub fn release_percent(&self) -> u32 {
        self.release_percent
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
            .find(|(l, _)| l.as_str().eq_ignore_ascii_case(lang))
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
        let &(page, position) = self.index.get(id)?;
        self.pages.get(page)?.questions.get(position)
    }

    /// The index of the page holding question `id`.
    pub fn page_of(&self, id: &str) -> Option<usize> {
        self.index.get(id).map(|&(page, _)| page)
    }

    /// The conditions that decide whether question `id` is shown: its page's `show_if`, then
    /// its own.
    pub fn display_conditions(&self, id: &str) -> impl Iterator<Item = &Condition> {
        let &(page, position) = self.index.get(id).unwrap_or(&(usize::MAX, 0));
        let page = self.pages.get(page);
        let own = page.and_then(|p| p.questions.get(position)?.show_if.as_ref());
        page.and_then(|p| p.show_if.as_ref()).into_iter().chain(own)
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

    /// Rules a definition must meet to be imported, which a definition stored before they
    /// existed is not refused for (it still loads, and exports treat it by the rule): a
    /// question filled from the code batch says where the card was handed out, which can single
    /// someone out, so it must be a quasi-identifier.
    pub fn import_problems(&self) -> Vec<super::error::DefinitionError> {
        self.questions()
            .filter(|q| q.compute == Some(Compute::FromBatch) && q.role != Some(Role::Quasi))
            .map(|q| super::error::DefinitionError {
                line: Some(q.line),
                message: format!(
                    "question '{}': a question filled from the code batch (from_batch) says where the card was handed out, which can single someone out: give it role = \"quasi\"",
                    q.id
                ),
            })
            .collect()
    }

    /// The original TOML, kept for storage and re-import.
    pub fn source(&self) -> &str {
        &self.source
    }
}
