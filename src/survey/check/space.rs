//! The representative answers of the questions a set of conditions refers to, and a search
//! over their combinations.
//!
//! For each referenced question: unanswered, each offered non-answer, and
//! - single / Likert / grid row: each option;
//! - multi: every subset of the options mentioned, alone and with one unmentioned option;
//! - number / numeric scale / date: the range ends and each literal and literal ± 1, clamped;
//! - text: one answer.
//!
//! Comparisons only test equality, order and being answered against literals, so these values
//! cover every case.

use super::super::decimal::Decimal;
use super::super::definition::{Question, QuestionKind, Survey};
use super::super::expr::{Expr, Literal, Target, Val};
use super::super::month::{Day, YearMonth};
use super::super::response::Answer;

const MAX_COMBINATIONS: usize = 100_000;

/// The value of each target in one combination (`None`: unanswered).
pub(super) type Lookup<'f, 's> = dyn Fn(&Target) -> Option<Val<'s>> + 'f;

/// Every combination of representative answers to the questions some conditions refer to.
pub(super) struct Space {
    targets: Vec<Target>,
    candidates: Vec<Vec<Option<Answer>>>,
}

impl Space {
    /// `None` when a question is unknown or there are more than 100,000 combinations: the
    /// search is then skipped.
    pub(super) fn new(survey: &Survey, exprs: &[&Expr]) -> Option<Space> {
        let comparisons: Vec<_> = exprs.iter().flat_map(|e| e.comparisons()).collect();
        let mut targets: Vec<Target> = Vec::new();
        for c in &comparisons {
            if !targets.contains(&c.target) {
                targets.push(c.target.clone());
            }
        }
        let mut candidates = Vec::new();
        let mut total: usize = 1;
        for t in &targets {
            let q = survey.question(&t.question)?;
            let literals: Vec<&Literal> = comparisons
                .iter()
                .filter(|c| c.target == *t)
                .flat_map(|c| c.values.iter())
                .collect();
            let reps = representatives(q, &literals)?;
            total = total
                .checked_mul(reps.len())
                .filter(|n| *n <= MAX_COMBINATIONS)?;
            candidates.push(reps);
        }
        Some(Space {
            targets,
            candidates,
        })
    }

    /// Whether `test` holds for some combination; `test` gets a lookup of each target's value.
    pub(super) fn any<'s>(&'s self, test: &dyn Fn(&Lookup<'_, 's>) -> bool) -> bool {
        let mut pick = vec![0usize; self.targets.len()];
        loop {
            let lookup = |t: &Target| -> Option<Val<'s>> {
                let i = self.targets.iter().position(|x| x == t)?;
                let chosen = self.candidates.get(i)?.get(*pick.get(i)?)?.as_ref()?;
                Val::of(chosen, None)
            };
            if test(&lookup) {
                return true;
            }
            // Advance the odometer.
            let mut i = 0;
            loop {
                let (Some(p), Some(c)) = (pick.get_mut(i), self.candidates.get(i)) else {
                    return false;
                };
                *p += 1;
                if *p < c.len() {
                    break;
                }
                *p = 0;
                i += 1;
            }
        }
    }
}

fn representatives(q: &Question, literals: &[&Literal]) -> Option<Vec<Option<Answer>>> {
    let mut out: Vec<Option<Answer>> = vec![None];
    out.extend(
        q.non_answers()
            .into_iter()
            .map(|n| Some(Answer::NonAnswer(n))),
    );
    let points = |lo: i64, hi: i64, lits: Vec<i64>| -> Vec<i64> {
        let mut v = vec![lo, hi];
        for l in lits {
            for x in [l.saturating_sub(1), l, l.saturating_add(1)] {
                v.push(x.clamp(lo, hi));
            }
        }
        v.sort_unstable();
        v.dedup();
        v
    };
    match &q.kind {
        QuestionKind::Single { options, .. }
        | QuestionKind::Likert { options }
        | QuestionKind::Grid { options, .. } => {
            out.extend(options.iter().map(|o| Some(Answer::Choice(o.id.clone()))));
        }
        QuestionKind::Multi { options, .. } => {
            let mut mentioned: Vec<&str> = Vec::new();
            let offered = literals.iter().filter_map(|l| match l {
                Literal::Str(s) if q.option(s).is_some() => Some(s.as_str()),
                _ => None,
            });
            for s in offered {
                if !mentioned.contains(&s) {
                    mentioned.push(s);
                }
            }
            let other = options
                .iter()
                .find(|o| !mentioned.contains(&o.id.as_str()))
                .map(|o| o.id.clone());
            if mentioned.len() > 16 {
                return None;
            }
            for mask in 0u32..(1 << mentioned.len()) {
                let subset: Vec<String> = mentioned
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| mask & (1 << i) != 0)
                    .map(|(_, s)| (*s).to_owned())
                    .collect();
                if !subset.is_empty() {
                    out.push(Some(Answer::Choices(subset.clone())));
                }
                if let Some(o) = &other {
                    let mut with_other = subset;
                    with_other.push(o.clone());
                    out.push(Some(Answer::Choices(with_other)));
                }
            }
        }
        QuestionKind::Number { min, max, .. } | QuestionKind::Scale { min, max, .. } => {
            let lits: Vec<i64> = literals
                .iter()
                .filter_map(|l| match l {
                    Literal::Int(n) => Some(*n),
                    _ => None,
                })
                .collect();
            out.extend(
                points(*min, *max, lits)
                    .into_iter()
                    .map(|n| Some(Answer::Number(n))),
            );
        }
        QuestionKind::Date { min, max } => {
            let lits: Vec<i64> = literals
                .iter()
                .filter_map(|l| match l {
                    Literal::Str(s) => YearMonth::parse(s).map(YearMonth::index),
                    _ => None,
                })
                .collect();
            let lo = min.map_or(1000 * 12, YearMonth::index);
            let hi = max.map_or(9999 * 12 + 11, YearMonth::index);
            out.extend(
                points(lo, hi, lits)
                    .into_iter()
                    .filter_map(YearMonth::from_index)
                    .map(|m| Some(Answer::Month(m))),
            );
        }
        QuestionKind::Decimal { min, max, step, .. } => {
            let mut v = vec![*min, *max];
            for l in literals {
                let d = match l {
                    Literal::Int(n) => Decimal::from_int(*n),
                    Literal::Decimal(d) => *d,
                    _ => continue,
                };
                // Between two steps is never an answer, but a step each side of a literal
                // covers <, <=, == and > against it.
                v.extend([d, d.minus(*step), d.plus(*step)]);
            }
            v.retain(|d| min <= d && d <= max);
            v.sort_unstable();
            v.dedup();
            out.extend(v.into_iter().map(|d| Some(Answer::Decimal(d))));
        }
        QuestionKind::Day { min, max } => {
            let lits: Vec<i64> = literals
                .iter()
                .filter_map(|l| match l {
                    Literal::Str(s) => Day::parse(s).map(Day::index),
                    _ => None,
                })
                .collect();
            out.extend(
                points(min.index(), max.index(), lits)
                    .into_iter()
                    .filter_map(Day::from_index)
                    .map(|d| Some(Answer::Day(d))),
            );
        }
        QuestionKind::Text { .. } => out.push(Some(Answer::Text("text".into()))),
        QuestionKind::Note => {}
    }
    Some(out)
}
