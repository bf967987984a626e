//! Checking a condition against the survey: references, types, and whether it can ever hold.
//!
//! Satisfiability is decided by enumerating representative values for each referenced
//! question: unanswered, each offered non-answer, and
//! - single / Likert / grid row: each option;
//! - multi: every subset of the options mentioned in the condition, alone and with one
//!   unmentioned option;
//! - number / numeric scale / date: the range ends and each literal and literal ± 1, clamped.
//!
//! Comparisons only test equality and order against literals, so these values cover every
//! case. The check is skipped when there are more than 100,000 combinations.

use super::condition::Condition;
use super::definition::{Question, QuestionKind, Survey};
use super::expr::{Cmp, Literal, Op, Target, Val};
use super::month::YearMonth;
use super::reader::Errors;
use super::response::{Answer, NonAnswer};

const MAX_COMBINATIONS: usize = 100_000;

/// Where a condition stands, which decides what it may refer to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Site {
    /// A page's `show_if`: questions on earlier pages.
    PageCondition { page: usize },
    /// A question's `show_if`: questions on earlier pages.
    QuestionCondition { page: usize },
    /// A question's `end_if` (flat index of the question): itself or earlier questions.
    QuestionEnd { question: usize },
}

pub(super) fn check_condition(
    errs: &mut Errors,
    survey: &Survey,
    cond: &Condition,
    site: Site,
    ctx: &str,
) {
    let before = errs.list.len();
    for cmp in cond.expr.comparisons() {
        if let Err(msg) = check_cmp(survey, cmp, site) {
            errs.at_line(cond.line, format!("{ctx}: {msg}"));
        }
    }
    if errs.list.len() == before && !satisfiable(survey, cond) {
        errs.at_line(
            cond.line,
            format!(
                "{ctx} can never hold, whatever the answers: {}",
                cond.source()
            ),
        );
    }
}

const NO_JS: &str = "a form without JavaScript can only apply logic between pages";

fn check_cmp(survey: &Survey, cmp: &Cmp, site: Site) -> Result<(), String> {
    let t = &cmp.target;
    let Some((flat, q)) = survey
        .questions()
        .enumerate()
        .find(|(_, q)| q.id.as_str() == t.question)
    else {
        return Err(format!("refers to unknown question '{}'", t.question));
    };
    let page = survey.page_of(&t.question).unwrap_or(usize::MAX);
    match site {
        Site::PageCondition { page: here } | Site::QuestionCondition { page: here }
            if page >= here =>
        {
            return Err(format!(
                "refers to '{}', which is not on an earlier page ({NO_JS})",
                t.question
            ));
        }
        Site::QuestionEnd { question } if flat > question => {
            return Err(format!(
                "refers to '{}', which comes later; end_if may only use this question or earlier ones",
                t.question
            ));
        }
        _ => {}
    }
    let id = &t.question;
    match (&q.kind, &t.row) {
        (QuestionKind::Grid { rows, .. }, Some(row)) => {
            if !rows.iter().any(|r| &r.id == row) {
                return Err(format!("grid question '{id}' has no row '{row}'"));
            }
        }
        (QuestionKind::Grid { .. }, None) => {
            return Err(format!(
                "'{id}' is a grid: refer to one of its rows, as {id}.row_id"
            ));
        }
        (_, Some(row)) => {
            return Err(format!(
                "'{id}' is not a grid question, so '{id}.{row}' is not valid"
            ));
        }
        (_, None) => {}
    }
    for lit in &cmp.values {
        check_literal(q, cmp.op, lit, &t.to_string())?;
    }
    Ok(())
}

fn check_literal(q: &Question, op: Op, lit: &Literal, target: &str) -> Result<(), String> {
    let non_answer = match lit {
        Literal::Str(s) => NonAnswer::from_wire(s),
        Literal::Int(_) => None,
    };
    if let Some(n) = non_answer {
        if op.is_ordering() || op == Op::Includes {
            return Err(format!("'{op}' can't be used with '{}'", n.as_str()));
        }
        if !q.allows(n) {
            return Err(format!(
                "question '{}' does not offer '{}'",
                q.id,
                n.as_str()
            ));
        }
        return Ok(());
    }
    let is_choice = matches!(
        q.kind,
        QuestionKind::Single { .. } | QuestionKind::Likert { .. } | QuestionKind::Grid { .. }
    );
    match (&q.kind, lit) {
        (QuestionKind::Text { .. } | QuestionKind::Note, _) => Err(format!(
            "'{target}' is a {} question and can't be used in a condition",
            q.type_name()
        )),
        (QuestionKind::Multi { .. }, _) if op != Op::Includes => Err(format!(
            "use '{target} includes ...' to test an option of multi-select question '{target}'"
        )),
        (_, _) if op == Op::Includes && !matches!(q.kind, QuestionKind::Multi { .. }) => Err(
            format!("'includes' only works with multi-select questions, and '{target}' is not one"),
        ),
        (_, _) if is_choice && op.is_ordering() => Err(format!(
            "'{op}' can't be used with choice question '{target}'; use '==', '!=' or 'in'"
        )),
        (_, Literal::Int(_)) if is_choice || matches!(q.kind, QuestionKind::Multi { .. }) => Err(
            format!("'{target}' takes option ids in quotes, not numbers"),
        ),
        (_, Literal::Str(s)) if is_choice || matches!(q.kind, QuestionKind::Multi { .. }) => {
            if q.option(s).is_some() {
                Ok(())
            } else {
                Err(format!("question '{}' has no option '{s}'", q.id))
            }
        }
        (QuestionKind::Number { .. } | QuestionKind::Scale { .. }, Literal::Str(_)) => {
            Err(format!(
                "compares number question '{target}' with a text value; write the number without quotes"
            ))
        }
        (QuestionKind::Date { .. }, Literal::Str(s)) => match YearMonth::parse(s) {
            Some(_) => Ok(()),
            None => Err(format!(
                "'{s}' is not a valid month for date question '{target}' (write 'YYYY-MM')"
            )),
        },
        (QuestionKind::Date { .. }, Literal::Int(_)) => Err(format!(
            "compares date question '{target}' with a number; write a month as 'YYYY-MM'"
        )),
        _ => Ok(()),
    }
}

fn satisfiable(survey: &Survey, cond: &Condition) -> bool {
    let comparisons = cond.expr.comparisons();
    let mut targets: Vec<&Target> = Vec::new();
    for c in &comparisons {
        if !targets.contains(&&c.target) {
            targets.push(&c.target);
        }
    }
    let mut candidates: Vec<Vec<Option<Answer>>> = Vec::new();
    for t in &targets {
        let Some(q) = survey.question(&t.question) else {
            return true;
        };
        let literals: Vec<&Literal> = comparisons
            .iter()
            .filter(|c| &&c.target == t)
            .flat_map(|c| c.values.iter())
            .collect();
        candidates.push(representatives(q, &literals));
    }
    let mut total: usize = 1;
    for c in &candidates {
        match total.checked_mul(c.len()) {
            Some(n) if n <= MAX_COMBINATIONS => total = n,
            _ => return true,
        }
    }
    let mut pick = vec![0usize; targets.len()];
    loop {
        let lookup = |t: &Target| -> Option<Val<'_>> {
            let i = targets.iter().position(|x| *x == t)?;
            let chosen = candidates.get(i)?.get(*pick.get(i)?)?.as_ref()?;
            Val::of(chosen, None)
        };
        if cond.expr.eval(&lookup) {
            return true;
        }
        // Advance the odometer.
        let mut i = 0;
        loop {
            let (Some(p), Some(c)) = (pick.get_mut(i), candidates.get(i)) else {
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

fn representatives(q: &Question, literals: &[&Literal]) -> Vec<Option<Answer>> {
    let mut out: Vec<Option<Answer>> = vec![None];
    out.extend(
        q.non_answers()
            .into_iter()
            .map(|n| Some(Answer::NonAnswer(n))),
    );
    let ints = || {
        literals.iter().filter_map(|l| match l {
            Literal::Int(n) => Some(*n),
            Literal::Str(_) => None,
        })
    };
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
                return vec![None; MAX_COMBINATIONS + 1];
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
            let lits: Vec<i64> = ints().collect();
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
                    Literal::Str(s) => YearMonth::parse(s).map(|m| m.index()),
                    Literal::Int(_) => None,
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
        QuestionKind::Text { .. } | QuestionKind::Note => {}
    }
    out
}
