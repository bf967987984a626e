//! Typed answers and a response: what is sealed, stored and counted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::decimal::Decimal;
use super::ids::QuestionId;
use super::month::{Day, YearMonth};

/// "Don't know", "prefer not to say", or a non-answer the survey declares itself ("not
/// applicable"), each kept as a distinct code. Serialized as its id: `"dont_know"`,
/// `"not_applicable"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NonAnswer {
    DontKnow,
    PreferNotToSay,
    /// Declared in the survey's `[non_answers]` table.
    Custom(NonAnswerId),
}

/// The id of a declared non-answer: an option-style id of at most 31 bytes, kept inline so
/// that a non-answer stays a plain value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NonAnswerId {
    len: u8,
    bytes: [u8; NonAnswerId::MAX_LEN],
}

impl NonAnswerId {
    pub const MAX_LEN: usize = 31;

    /// `None` when `s` is longer than [`NonAnswerId::MAX_LEN`] bytes, empty, not made of
    /// lowercase letters, digits, `_` and `-`, or the id of a built-in non-answer.
    pub fn parse(s: &str) -> Option<NonAnswerId> {
        let ok = !s.is_empty()
            && s.len() <= Self::MAX_LEN
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
            && !matches!(s, "dont_know" | "prefer_not_to_say");
        if !ok {
            return None;
        }
        let mut bytes = [0; Self::MAX_LEN];
        bytes.get_mut(..s.len())?.copy_from_slice(s.as_bytes());
        Some(NonAnswerId {
            len: u8::try_from(s.len()).ok()?,
            bytes,
        })
    }

    pub fn as_str(&self) -> &str {
        self.bytes
            .get(..usize::from(self.len))
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or_default()
    }
}

impl std::fmt::Debug for NonAnswerId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:?}", self.as_str())
    }
}

impl NonAnswer {
    /// The wire string: `dont_know`, `prefer_not_to_say` or the declared id.
    pub fn as_str(&self) -> &str {
        match self {
            NonAnswer::DontKnow => "dont_know",
            NonAnswer::PreferNotToSay => "prefer_not_to_say",
            NonAnswer::Custom(id) => id.as_str(),
        }
    }

    /// A built-in non-answer from its wire string. Declared ones depend on the question: see
    /// `Question::non_answer_from_wire`.
    pub fn from_wire(s: &str) -> Option<NonAnswer> {
        match s {
            "dont_know" => Some(NonAnswer::DontKnow),
            "prefer_not_to_say" => Some(NonAnswer::PreferNotToSay),
            _ => None,
        }
    }

    /// Any non-answer from its stored id (built-in or declared).
    pub fn from_stored(s: &str) -> Option<NonAnswer> {
        NonAnswer::from_wire(s).or_else(|| NonAnswerId::parse(s).map(NonAnswer::Custom))
    }

    pub(super) fn label(&self) -> String {
        match self {
            NonAnswer::DontKnow => "'don't know'".into(),
            NonAnswer::PreferNotToSay => "'prefer not to say'".into(),
            NonAnswer::Custom(id) => format!("'{}'", id.as_str()),
        }
    }
}

impl Serialize for NonAnswer {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for NonAnswer {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        NonAnswer::from_stored(&s).ok_or_else(|| serde::de::Error::custom("not a non-answer id"))
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
    /// decimal number (a number question with a `step`), stored as its digits.
    #[serde(rename = "d")]
    Decimal(Decimal),
    /// date with `precision = "day"`.
    #[serde(rename = "dd")]
    Day(Day),
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

    /// Removes an answer, if there is one.
    pub fn remove(&mut self, id: &str) -> Option<Answer> {
        self.answers.remove(id)
    }

    pub fn is_empty(&self) -> bool {
        self.answers.is_empty()
    }

    pub fn len(&self) -> usize {
        self.answers.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_answers_are_stored_as_their_ids_and_read_back() {
        let na = NonAnswer::Custom(NonAnswerId::parse("not_applicable").expect("valid id"));
        for n in [NonAnswer::DontKnow, NonAnswer::PreferNotToSay, na] {
            let json = serde_json::to_string(&n).expect("serializes");
            assert_eq!(json, format!("\"{}\"", n.as_str()));
            assert_eq!(serde_json::from_str::<NonAnswer>(&json).ok(), Some(n));
        }
    }

    #[test]
    fn a_declared_non_answer_id_is_short_and_not_a_built_in_one() {
        assert!(NonAnswerId::parse(&"a".repeat(31)).is_some());
        assert!(NonAnswerId::parse(&"a".repeat(32)).is_none());
        assert!(NonAnswerId::parse("dont_know").is_none());
        assert!(NonAnswerId::parse("Not-Applicable").is_none());
    }
}
