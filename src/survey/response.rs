//! Typed answers and a response: what is sealed, stored and counted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::ids::QuestionId;
use super::month::YearMonth;

/// "Don't know" and "prefer not to say", kept as distinct codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NonAnswer {
    DontKnow,
    PreferNotToSay,
}

impl NonAnswer {
    /// The wire string: `dont_know` or `prefer_not_to_say`.
    pub fn as_str(self) -> &'static str {
        match self {
            NonAnswer::DontKnow => "dont_know",
            NonAnswer::PreferNotToSay => "prefer_not_to_say",
        }
    }

    pub fn from_wire(s: &str) -> Option<NonAnswer> {
        match s {
            "dont_know" => Some(NonAnswer::DontKnow),
            "prefer_not_to_say" => Some(NonAnswer::PreferNotToSay),
            _ => None,
        }
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            NonAnswer::DontKnow => "'don't know'",
            NonAnswer::PreferNotToSay => "'prefer not to say'",
        }
    }
}

/// One grid row's answer. Serialized compactly: `{"c":"good"}` or `{"na":"dont_know"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum GridCell {
    #[serde(rename = "c")]
    Choice(String),
    #[serde(rename = "na")]
    NonAnswer(NonAnswer),
}

/// A typed answer. Serialized compactly with one-or-two-letter tags, e.g. `{"n":31}`,
/// `{"cs":["heroin"]}`, `{"na":"dont_know"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Answer {
    /// single, or a Likert scale: the option id.
    #[serde(rename = "c")]
    Choice(String),
    /// multi: option ids in the order of the definition.
    #[serde(rename = "cs")]
    Choices(Vec<String>),
    /// number, or a numeric scale.
    #[serde(rename = "n")]
    Number(i64),
    /// date.
    #[serde(rename = "m")]
    Month(YearMonth),
    /// free text, trimmed, non-empty.
    #[serde(rename = "t")]
    Text(String),
    /// grid: row id → cell; rows left out were skipped.
    #[serde(rename = "g")]
    Grid(BTreeMap<String, GridCell>),
    #[serde(rename = "na")]
    NonAnswer(NonAnswer),
}

/// A parsed, valid set of answers. Serialized as a JSON object of question id → answer.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Response {
    answers: BTreeMap<QuestionId, Answer>,
}

impl Response {
    pub fn answers(&self) -> &BTreeMap<QuestionId, Answer> {
        &self.answers
    }

    pub fn get(&self, id: &str) -> Option<&Answer> {
        self.answers.get(id)
    }

    /// Adds or replaces an answer. No validation: use [`parse`] for input from peers.
    pub fn insert(&mut self, id: QuestionId, answer: Answer) {
        self.answers.insert(id, answer);
    }

    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    pub fn len(&self) -> usize {
        self.answers.len()
    }
}
