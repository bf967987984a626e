//! The syntax tree of a `show_if` / `end_if` condition and its evaluation.
//!
//! Semantics: a comparison on a question that is unanswered (or was not shown) is false;
//! `a != v` is exactly `not (a == v)`; ordering comparisons on a non-answer are false.

use std::fmt;

use super::decimal::Decimal;
use super::month::{Day, YearMonth};
use super::response::{Answer, GridCell, NonAnswer};

/// A parse error, with the 1-based column (in characters) inside the expression.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("column {column}: {message}")]
pub struct ConditionError {
    pub column: usize,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Expr {
    Or(Vec<Expr>),
    And(Vec<Expr>),
    Not(Box<Expr>),
    Cmp(Cmp),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Cmp {
    pub(super) target: Target,
    pub(super) op: Op,
    /// One value, except for `in`.
    pub(super) values: Vec<Literal>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Op {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    Includes,
    /// `x answered`: shown and given an answer that is not a non-answer. Takes no value.
    Answered,
}

impl Op {
    pub(super) fn is_ordering(self) -> bool {
        matches!(self, Op::Lt | Op::Le | Op::Gt | Op::Ge)
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Op::Eq => "==",
            Op::Ne => "!=",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::In => "in",
            Op::Includes => "includes",
            Op::Answered => "answered",
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) struct Target {
    pub(super) question: String,
    pub(super) row: Option<String>,
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.row {
            Some(r) => write!(f, "{}.{r}", self.question),
            None => f.write_str(&self.question),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Literal {
    Str(String),
    Int(i64),
    /// A number with a point, `12.5`.
    Decimal(Decimal),
    /// `answer:id`: the answer to another question, for checks across questions
    /// (`age_last_used >= answer:age_first_used`).
    Answer(Target),
    /// `group:id` after `in`: the options of one of the question's option groups, filled in
    /// once the definition is read (empty until then, and for an unknown group).
    Group {
        id: String,
        options: Vec<String>,
    },
}

/// An answer (or grid cell) as seen by a comparison.
#[derive(Debug, Clone, Copy)]
pub(super) enum Val<'a> {
    Choice(&'a str),
    Choices(&'a [String]),
    Number(i64),
    Decimal(Decimal),
    Month(YearMonth),
    Day(Day),
    NonAnswer(NonAnswer),
    Other,
}

impl<'a> Val<'a> {
    /// The value of `answer` for `target` (a grid row for grids; grids as a whole compare as nothing).
    pub(super) fn of(answer: &'a Answer, row: Option<&str>) -> Option<Val<'a>> {
        match (answer, row) {
            (Answer::Grid(cells), Some(row)) => cells.get(row).map(|c| match c {
                GridCell::Choice(s) => Val::Choice(s),
                GridCell::NonAnswer(n) => Val::NonAnswer(*n),
            }),
            (_, Some(_)) | (Answer::Grid(_), None) => None,
            (Answer::Choice(s), None) => Some(Val::Choice(s)),
            (Answer::Choices(v), None) => Some(Val::Choices(v)),
            (Answer::Number(n), None) => Some(Val::Number(*n)),
            (Answer::Month(m), None) => Some(Val::Month(*m)),
            (Answer::Decimal(d), None) => Some(Val::Decimal(*d)),
            (Answer::Day(d), None) => Some(Val::Day(*d)),
            (Answer::NonAnswer(n), None) => Some(Val::NonAnswer(*n)),
            (Answer::Text(_), None) => Some(Val::Other),
        }
    }
}

/// A number literal as a decimal, for comparing with a decimal answer.
fn as_decimal(lit: &Literal) -> Option<Decimal> {
    match lit {
        Literal::Int(n) => Some(Decimal::from_int(*n)),
        Literal::Decimal(d) => Some(*d),
        _ => None,
    }
}

/// An answer as the literal it would be written as.
fn as_literal(v: Val<'_>) -> Option<Literal> {
    match v {
        Val::Number(n) => Some(Literal::Int(n)),
        Val::Decimal(d) => Some(Literal::Decimal(d)),
        Val::Month(m) => Some(Literal::Str(m.to_string())),
        Val::Day(d) => Some(Literal::Str(d.to_string())),
        Val::Choice(s) => Some(Literal::Str(s.to_owned())),
        Val::Choices(_) | Val::NonAnswer(_) | Val::Other => None,
    }
}

fn equals(v: Val<'_>, lit: &Literal) -> bool {
    match (v, lit) {
        (Val::Decimal(d), lit) => as_decimal(lit) == Some(d),
        (Val::Day(d), Literal::Str(l)) => Day::parse(l) == Some(d),
        (Val::Choice(s), Literal::Str(l)) => s == l,
        (Val::NonAnswer(n), Literal::Str(l)) => n.as_str() == l,
        (Val::Number(n), Literal::Int(l)) => n == *l,
        (Val::Month(m), Literal::Str(l)) => YearMonth::parse(l) == Some(m),
        (Val::Choice(s), Literal::Group { options, .. }) => options.iter().any(|o| o == s),
        _ => false,
    }
}

fn ordering(v: Val<'_>, lit: &Literal) -> Option<std::cmp::Ordering> {
    match (v, lit) {
        (Val::Decimal(d), lit) => as_decimal(lit).map(|l| d.cmp(&l)),
        (Val::Day(d), Literal::Str(l)) => Day::parse(l).map(|l| d.cmp(&l)),
        (Val::Number(n), Literal::Int(l)) => Some(n.cmp(l)),
        (Val::Month(m), Literal::Str(l)) => YearMonth::parse(l).map(|l| m.cmp(&l)),
        _ => None,
    }
}

impl Cmp {
    fn holds(&self, v: Option<Val<'_>>) -> bool {
        use std::cmp::Ordering::{Equal, Greater, Less};
        let first = self.values.first();
        match (self.op, v, first) {
            (Op::Ne, v, _) => !(Cmp {
                op: Op::Eq,
                ..self.clone()
            })
            .holds(v),
            (Op::Answered, v, _) => !matches!(v, None | Some(Val::NonAnswer(_))),
            (_, None, _) | (_, _, None) => false,
            (Op::Eq, Some(v), Some(l)) => equals(v, l),
            (Op::In, Some(v), _) => self.values.iter().any(|l| equals(v, l)),
            (Op::Includes, Some(Val::Choices(cs)), Some(Literal::Str(l))) => cs.contains(l),
            (Op::Includes, _, _) => false,
            (Op::Lt, Some(v), Some(l)) => ordering(v, l) == Some(Less),
            (Op::Le, Some(v), Some(l)) => matches!(ordering(v, l), Some(Less | Equal)),
            (Op::Gt, Some(v), Some(l)) => ordering(v, l) == Some(Greater),
            (Op::Ge, Some(v), Some(l)) => matches!(ordering(v, l), Some(Greater | Equal)),
        }
    }
}

impl Expr {
    /// Evaluates with `lookup` giving the value of each target (`None` = unanswered / not shown).
    pub(super) fn eval<'a>(&self, lookup: &dyn Fn(&Target) -> Option<Val<'a>>) -> bool {
        match self {
            Expr::Or(xs) => xs.iter().any(|x| x.eval(lookup)),
            Expr::And(xs) => xs.iter().all(|x| x.eval(lookup)),
            Expr::Not(x) => !x.eval(lookup),
            Expr::Cmp(c) if c.values.iter().any(|l| matches!(l, Literal::Answer(_))) => {
                // Put each named answer in place of its reference; one missing, or a
                // non-answer, makes the comparison false.
                let mut values = Vec::with_capacity(c.values.len());
                for l in &c.values {
                    let Literal::Answer(t) = l else {
                        values.push(l.clone());
                        continue;
                    };
                    match lookup(t).and_then(as_literal) {
                        Some(v) => values.push(v),
                        None => return false,
                    }
                }
                Cmp {
                    target: c.target.clone(),
                    op: c.op,
                    values,
                }
                .holds(lookup(&c.target))
            }
            Expr::Cmp(c) => c.holds(lookup(&c.target)),
        }
    }

    /// Whether some comparison compares with another question's answer.
    pub(super) fn names_answers(&self) -> bool {
        self.comparisons()
            .iter()
            .any(|c| c.values.iter().any(|l| matches!(l, Literal::Answer(_))))
    }

    /// Every comparison, in source order.
    pub(super) fn comparisons(&self) -> Vec<&Cmp> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    /// Every comparison, for filling in what only the whole definition knows.
    pub(super) fn comparisons_mut(&mut self) -> Vec<&mut Cmp> {
        match self {
            Expr::Or(xs) | Expr::And(xs) => xs.iter_mut().flat_map(Expr::comparisons_mut).collect(),
            Expr::Not(x) => x.comparisons_mut(),
            Expr::Cmp(c) => vec![c],
        }
    }

    fn collect<'a>(&'a self, out: &mut Vec<&'a Cmp>) {
        match self {
            Expr::Or(xs) | Expr::And(xs) => xs.iter().for_each(|x| x.collect(out)),
            Expr::Not(x) => x.collect(out),
            Expr::Cmp(c) => out.push(c),
        }
    }
}
