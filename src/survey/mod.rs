//! Survey definitions (TOML → typed, with line-aware errors), `show_if`/`end_if` conditions,
//! and the parsing of submitted answers into a typed [`Response`].

pub mod answers;
mod build;
mod check;
pub mod compat;
pub mod condition;
pub mod definition;
pub mod form;
mod hierarchy;
pub mod ids;
mod interface;
mod kinds;
mod parser;
mod public;
mod reader;
pub mod text;
mod validate;
mod visibility;

pub use answers::{Answer, AnswerError, GridCell, NonAnswer, Response};
pub use condition::{Condition, ConditionError};
pub use definition::{
    Band, Choice, DefinitionError, DefinitionErrors, Mode, OptionGroup, Page, Question,
    QuestionKind, Role, Survey, YearMonth,
};
pub use ids::{IdError, QuestionId, SurveyId};
pub use text::{Lang, Text};

#[cfg(test)]
mod answers_tests;
#[cfg(test)]
mod build_tests;
#[cfg(test)]
mod check_tests;
#[cfg(test)]
mod condition_tests;
#[cfg(test)]
mod demo_tests;
#[cfg(test)]
mod hierarchy_tests;
#[cfg(test)]
mod tests;
