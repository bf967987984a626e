//! Identifiers that parse: a survey id and a question id.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why a string is not a valid identifier.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("an id can't be empty")]
    Empty,
    #[error("an id can be at most 63 characters long")]
    TooLong,
    #[error("{0}")]
    BadCharacters(&'static str),
    #[error("'{0}' is a reserved word in conditions and can't be used as a question id")]
    Reserved(String),
}

/// Words of the condition language; a question id may not be one of them.
pub(super) const RESERVED: [&str; 6] = ["and", "or", "not", "in", "includes", "answered"];

fn check_len(s: &str) -> Result<(), IdError> {
    if s.is_empty() {
        Err(IdError::Empty)
    } else if s.len() > 63 {
        Err(IdError::TooLong)
    } else {
        Ok(())
    }
}

/// A survey id: `^[a-z0-9][a-z0-9-]{0,62}$`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SurveyId(String);

impl SurveyId {
    pub fn parse(s: &str) -> Result<SurveyId, IdError> {
        check_len(s)?;
        let mut chars = s.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
        if first_ok && rest_ok {
            Ok(SurveyId(s.to_owned()))
        } else {
            Err(IdError::BadCharacters(
                "a survey id uses only lowercase letters, digits and '-', and starts with a letter or digit",
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A question id: `^[a-z][a-z0-9_]{0,62}$`, and not a condition keyword.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct QuestionId(String);

impl QuestionId {
    pub fn parse(s: &str) -> Result<QuestionId, IdError> {
        check_len(s)?;
        let mut chars = s.chars();
        let first_ok = chars.next().is_some_and(|c| c.is_ascii_lowercase());
        let rest_ok = chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
        if !(first_ok && rest_ok) {
            return Err(IdError::BadCharacters(
                "a question id uses only lowercase letters, digits and '_', and starts with a letter",
            ));
        }
        if RESERVED.contains(&s) {
            return Err(IdError::Reserved(s.to_owned()));
        }
        Ok(QuestionId(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Option, grid-row and page ids: `^[a-z0-9][a-z0-9_-]{0,62}$`.
pub(super) fn check_option_id(s: &str) -> Result<(), IdError> {
    check_len(s)?;
    let mut chars = s.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    let rest_ok =
        chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(IdError::BadCharacters(
            "an id uses only lowercase letters, digits, '_' and '-', and starts with a letter or digit",
        ))
    }
}

macro_rules! string_newtype {
    ($t:ident) => {
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl AsRef<str> for $t {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
        impl std::borrow::Borrow<str> for $t {
            fn borrow(&self) -> &str {
                &self.0
            }
        }
        impl TryFrom<String> for $t {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, IdError> {
                $t::parse(&s)
            }
        }
        impl From<$t> for String {
            fn from(id: $t) -> String {
                id.0
            }
        }
    };
}
string_newtype!(SurveyId);
string_newtype!(QuestionId);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_simple_survey_id_is_accepted() {
        assert_eq!(
            SurveyId::parse("naloxone-2027").map(|s| s.to_string()),
            Ok("naloxone-2027".into())
        );
    }

    #[test]
    fn a_survey_id_with_uppercase_or_spaces_is_rejected() {
        assert!(SurveyId::parse("Naloxone").is_err());
        assert!(SurveyId::parse("a b").is_err());
        assert!(SurveyId::parse("-a").is_err());
        assert!(SurveyId::parse("").is_err());
    }

    #[test]
    fn a_survey_id_longer_than_63_characters_is_rejected() {
        assert!(SurveyId::parse(&"a".repeat(63)).is_ok());
        assert_eq!(SurveyId::parse(&"a".repeat(64)), Err(IdError::TooLong));
    }

    #[test]
    fn a_question_id_must_start_with_a_letter() {
        assert!(QuestionId::parse("age").is_ok());
        assert!(QuestionId::parse("used_3m").is_ok());
        assert!(QuestionId::parse("3m").is_err());
        assert!(QuestionId::parse("used-3m").is_err());
    }

    #[test]
    fn a_condition_keyword_is_not_a_question_id() {
        assert!(matches!(
            QuestionId::parse("and"),
            Err(IdError::Reserved(_))
        ));
    }

    #[test]
    fn ids_serialize_as_plain_strings_and_deserialize_only_when_valid() {
        let id = QuestionId::parse("age").expect("valid");
        assert_eq!(serde_json::to_string(&id).expect("ser"), "\"age\"");
        assert!(serde_json::from_str::<QuestionId>("\"Age\"").is_err());
    }
}
