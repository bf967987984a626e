//! `show_if` / `end_if` conditions: the parsed expression with its source text. The syntax tree
//! and its evaluation live in `expr.rs`, the tokenizer and parser in `parser.rs`.
//!
//! Grammar (keywords are case-insensitive):
//! ```text
//! expr       := and_expr ("or" and_expr)*
//! and_expr   := unary ("and" unary)*
//! unary      := "not" unary | "(" expr ")" | comparison
//! comparison := target ("==" | "!=" | "<" | "<=" | ">" | ">=") value
//!             | target "in" "[" value ("," value)* [","] "]"
//!             | target "includes" value
//! target     := question_id ["." grid_row_id]
//! value      := 'text' | "text" | integer
//! ```
//! Semantics: a comparison on a question that is unanswered (or was not shown) is false;
//! `a != v` is exactly `not (a == v)`; ordering comparisons on a non-answer are false.

use std::fmt;

pub use super::expr::ConditionError;
use super::expr::{Expr, Literal, Target, Val};
use super::parser::parse_expr;
use super::response::Response;

/// Long enough for a list of every local area by id (`area in [...]` over a few hundred
/// options); parsing is linear and nesting is capped separately (`parser.rs`).
const MAX_SOURCE_LEN: usize = 20_000;

/// A parsed condition, keeping its source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    source: String,
    pub(super) expr: Expr,
    /// Line of the condition in the survey file, when it came from one.
    pub(super) line: Option<usize>,
}

impl Condition {
    /// Parses a condition expression.
    pub fn parse(source: &str) -> Result<Condition, ConditionError> {
        if source.chars().count() > MAX_SOURCE_LEN {
            return Err(ConditionError {
                column: 1,
                message: format!("a condition can be at most {MAX_SOURCE_LEN} characters long"),
            });
        }
        let expr = parse_expr(source)?;
        Ok(Condition {
            source: source.to_owned(),
            expr,
            line: None,
        })
    }

    pub(super) fn with_line(mut self, line: usize) -> Condition {
        self.line = Some(line);
        self
    }

    /// The expression as written.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// Evaluates against `answers` taken as they are (no visibility rules; see
    /// `Survey::question_visible` for those).
    pub fn evaluate(&self, answers: &Response) -> bool {
        self.expr.eval(&|t: &Target| {
            answers
                .get(&t.question)
                .and_then(|a| Val::of(a, t.row.as_deref()))
        })
    }

    /// Every question whose answer this condition reads: those it compares, and those it
    /// compares with (`answer:id`), in source order, without repeats. What ties questions
    /// together for release tables (`free_pairs.rs`).
    pub fn named_questions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in self.expr.comparisons() {
            let compared = c.values.iter().filter_map(|l| match l {
                Literal::Answer(t) => Some(t.question.as_str()),
                _ => None,
            });
            for q in std::iter::once(c.target.question.as_str()).chain(compared) {
                if !out.contains(&q) {
                    out.push(q);
                }
            }
        }
        out
    }

    /// The question ids this condition refers to, in source order, without repeats.
    pub fn referenced_questions(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for c in self.expr.comparisons() {
            if !out.contains(&c.target.question.as_str()) {
                out.push(&c.target.question);
            }
        }
        out
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}
