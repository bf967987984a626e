//! Survey definitions (TOML → typed, with line-aware errors), `show_if`/`end_if` conditions,
//! and the parsing of submitted answers into a typed [`Response`].
//!
//! Files import only downward, in this order (`layers_tests.rs` fails on an upward import):
//!
//! 1. values: `ids`, `text`, `month`, `decimal`, `response` (typed answers), `error`;
//! 2. conditions: `expr` (syntax tree, evaluation) → `lexer` → `parser` → `condition`;
//! 3. reading TOML: `reader`, `non_answers`;
//! 4. the model: `definition`, then `value` (one answer against its question), `pipe`;
//! 5. building it: `fine_kinds`, `kinds`, `hierarchy`, `visibility`, `check`, `validate` →
//!    `build`;
//! 6. using it: `compute` (computed and implied answers), `variants` (the survey one site
//!    sees), `answers` (parsing submissions),
//!    `form`, `public`, `compat`.

pub mod answers;
mod build;
mod check;
pub mod compat;
mod compute;
pub mod condition;
mod decimal;
pub mod definition;
mod error;
mod expr;
mod fine_kinds;
pub mod form;
mod free_pairs;
mod hierarchy;
pub mod ids;
mod interface;
mod kinds;
mod lexer;
mod month;
mod non_answers;
mod parser;
mod pipe;
mod public;
mod reader;
mod response;
mod stored;
pub mod text;
mod validate;
mod value;
mod variants;
mod visibility;
pub use visibility::OnSamePage;

pub use answers::AnswerError;
pub use compute::BatchTags;
pub use condition::{Condition, ConditionError};
pub use decimal::Decimal;
pub use definition::{
    Band, CellKeyFrom, Check, Choice, Compute, DecimalBand, GridCellOf, InstanceOf, MessageKind,
    Messages, Mode, OptionGroup, Page, Question, QuestionKind, QuestionVariant, RepeatedPage, Role,
    Survey, Variant,
};
pub use error::{DefinitionError, DefinitionErrors, DefinitionWarning};
pub use free_pairs::Ties;
pub use ids::{IdError, QuestionId, SurveyId};
pub use month::{Day, YearMonth};
pub use response::{Answer, GridCell, NonAnswer, NonAnswerId, Response};
pub use text::{Lang, Text};

#[cfg(test)]
mod answers_tests;
#[cfg(test)]
mod build_tests;
#[cfg(test)]
mod check_tests;
#[cfg(test)]
mod checks_tests;
#[cfg(test)]
mod compute_tests;
#[cfg(test)]
mod condition_tests;
#[cfg(test)]
mod demo_tests;
#[cfg(test)]
mod examples_tests;
#[cfg(test)]
mod fine_kinds_tests;
#[cfg(test)]
mod grid_columns_tests;
#[cfg(test)]
mod hierarchy_tests;
#[cfg(test)]
mod implied_tests;
#[cfg(test)]
mod layers_tests;
#[cfg(test)]
mod logic_tests;
#[cfg(test)]
mod non_answers_tests;
#[cfg(test)]
mod pipe_tests;
#[cfg(test)]
mod rds_tests;
#[cfg(test)]
mod repeat_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod variants_tests;
