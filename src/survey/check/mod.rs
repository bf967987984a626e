//! Checking a condition against the survey: references, types, whether it can ever hold (an
//! error) and whether it is always true or can't hold once visibility is taken into account
//! (warnings). The search over answers lives in `space.rs`; it is skipped when there are more
//! than 100,000 combinations.

use super::condition::Condition;
use super::definition::{Question, QuestionKind, Survey};
use super::expr::{Cmp, Expr, Literal, Op, Target};
use super::month::{Day, YearMonth};
use super::reader::Errors;
use super::response::NonAnswer;

mod space;

use space::Space;

/// Where a condition stands, which decides what it may refer to.
#[derive(Debug, Clone, Copy)]
pub(super) enum Site {
    /// A page's `show_if`: questions on earlier pages.
    PageCondition { page: usize },
    /// An option's `show_if` or a question's implied answer: questions on earlier pages.
    QuestionCondition { page: usize },
    /// A question's `show_if` (flat index of the question): questions on earlier pages, or
    /// earlier on its own page (shown with a hint without JavaScript, live with it).
    QuestionShowIf { page: usize, question: usize },
    /// A question's `end_if` (flat index of the question): itself or earlier questions.
    QuestionEnd { question: usize },
    /// A check across questions on page `page`: questions on this page or earlier ones.
    Check { page: usize },
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
    if errs.list.len() != before || cond.expr.names_answers() {
        // Comparisons between answers are not searched: the search only knows literals.
        return;
    }
    let Some(space) = Space::new(survey, &[&cond.expr]) else {
        return;
    };
    if !space.any(&|v| cond.expr.eval(v)) {
        errs.at_line(
            cond.line,
            format!(
                "{ctx} can never hold, whatever the answers: {}",
                cond.source()
            ),
        );
    } else if !space.any(&|v| !cond.expr.eval(v)) {
        errs.warn(
            cond.line,
            format!(
                "{ctx} is always true, whatever the answers, so it changes nothing: {}",
                cond.source()
            ),
        );
    } else if !holds_when_shown(survey, cond, site) {
        errs.warn(
            cond.line,
            format!(
                "{ctx} can't hold once you take into account when the questions it names are shown (their show_if, their page's show_if, or this page's): {}",
                cond.source()
            ),
        );
    }
}

/// Whether `cond` can hold when the questions it names count only while they are shown (their
/// own and their page's `show_if`, one level deep) and, for a question or option, while its
/// page is shown.
fn holds_when_shown(survey: &Survey, cond: &Condition, site: Site) -> bool {
    let here_page = match site {
        Site::PageCondition { .. } | Site::Check { .. } => None,
        Site::QuestionCondition { page } | Site::QuestionShowIf { page, .. } => {
            survey.pages.get(page).and_then(|p| p.show_if.as_ref())
        }
        Site::QuestionEnd { question } => survey
            .questions()
            .nth(question)
            .and_then(|q| survey.page_of(q.id.as_str()))
            .and_then(|p| survey.pages.get(p))
            .and_then(|p| p.show_if.as_ref()),
    };
    // Each named question with the conditions that decide whether it is shown.
    let named: Vec<(&str, Vec<&Expr>)> = cond
        .referenced_questions()
        .into_iter()
        .map(|id| (id, survey.display_conditions(id).map(|c| &c.expr).collect()))
        .collect();
    let mut exprs: Vec<&Expr> = vec![&cond.expr];
    exprs.extend(here_page.map(|c| &c.expr));
    exprs.extend(named.iter().flat_map(|(_, e)| e.iter().copied()));
    let Some(space) = Space::new(survey, &exprs) else {
        return true;
    };
    space.any(&|raw| {
        let shown = |t: &Target| -> bool {
            named
                .iter()
                .find(|(id, _)| *id == t.question)
                .is_none_or(|(_, conds)| conds.iter().all(|c| c.eval(raw)))
        };
        let seen = |t: &Target| if shown(t) { raw(t) } else { None };
        here_page.is_none_or(|c| c.expr.eval(raw)) && cond.expr.eval(&seen)
    })
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
        Site::QuestionShowIf {
            page: here,
            question,
        } if page > here || (page == here && flat >= question) => {
            return Err(format!(
                "refers to '{}', which is not before this question (a question may depend on earlier pages, or on questions above it on its own page)",
                t.question
            ));
        }
        Site::Check { page: here } if page > here => {
            return Err(format!(
                "refers to '{}', which is on a later page; a check may only use questions on its page or earlier ones",
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
    if q.is_note() {
        return Err(format!(
            "'{id}' is a note and takes no answer, so it can't be used in a condition"
        ));
    }
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
        if let Literal::Answer(other) = lit {
            check_answer_literal(survey, q, cmp.op, other, site)?;
            continue;
        }
        check_literal(q, cmp.op, lit, &t.to_string())?;
    }
    Ok(())
}

fn check_literal(q: &Question, op: Op, lit: &Literal, target: &str) -> Result<(), String> {
    if let Literal::Group { id, options } = lit {
        return match &q.kind {
            QuestionKind::Single { .. } | QuestionKind::Likert { .. } if options.is_empty() => {
                Err(format!("question '{}' has no option group '{id}'", q.id))
            }
            QuestionKind::Single { .. } | QuestionKind::Likert { .. } => Ok(()),
            _ => Err(format!(
                "'group:{id}' names an option group, and only single-choice and Likert questions have them; '{target}' is not one"
            )),
        };
    }
    let non_answer = match lit {
        Literal::Str(s) => NonAnswer::from_wire(s)
            .or_else(|| q.non_answer_from_wire(s).filter(|_| q.option(s).is_none())),
        Literal::Int(_) | Literal::Decimal(_) | Literal::Group { .. } | Literal::Answer(_) => None,
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
            "'{target}' is a {} question and can't be used in a condition, except to test whether it was answered ('{target} answered')",
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
        (QuestionKind::Date { .. }, Literal::Int(_) | Literal::Decimal(_)) => Err(format!(
            "compares date question '{target}' with a number; write a month as 'YYYY-MM'"
        )),
        (QuestionKind::Decimal { .. }, Literal::Str(_)) => Err(format!(
            "compares number question '{target}' with a text value; write the number without quotes"
        )),
        (QuestionKind::Number { .. } | QuestionKind::Scale { .. }, Literal::Decimal(_)) => {
            Err(format!(
                "'{target}' takes whole numbers; give it a 'step' to make it a decimal number"
            ))
        }
        (QuestionKind::Day { .. }, Literal::Str(s)) => match Day::parse(s) {
            Some(_) => Ok(()),
            None => Err(format!(
                "'{s}' is not a valid day for date question '{target}' (write 'YYYY-MM-DD')"
            )),
        },
        (QuestionKind::Day { .. }, _) => Err(format!(
            "compares date question '{target}' with a number; write a day as 'YYYY-MM-DD'"
        )),
        _ => Ok(()),
    }
}

/// `answer:id` compares two questions: both numbers (whole or decimal), both months or both
/// days, with `==`, `!=` or an ordering.
fn check_answer_literal(
    survey: &Survey,
    q: &Question,
    op: Op,
    other: &Target,
    site: Site,
) -> Result<(), String> {
    let id = &other.question;
    let Some(o) = survey.question(id) else {
        return Err(format!("refers to unknown question '{id}'"));
    };
    let page = survey.page_of(id).unwrap_or(usize::MAX);
    let allowed = match site {
        Site::Check { page: here } => page <= here,
        Site::PageCondition { page: here } | Site::QuestionCondition { page: here } => page < here,
        // Compared with an answer given on an earlier page only: on the page itself the
        // comparison could not be made without JavaScript.
        Site::QuestionShowIf { page: here, .. } => page < here,
        Site::QuestionEnd { question } => survey
            .questions()
            .position(|x| x.id.as_str() == id.as_str())
            .is_some_and(|i| i <= question),
    };
    if !allowed {
        return Err(format!(
            "compares with '{id}', which is not asked before this condition is decided"
        ));
    }
    if matches!(op, Op::In | Op::Includes | Op::Answered) {
        return Err(format!(
            "'answer:{id}' can only follow '==', '!=', '<', '<=', '>' or '>='"
        ));
    }
    let numeric = |k: &QuestionKind| {
        matches!(
            k,
            QuestionKind::Number { .. } | QuestionKind::Scale { .. } | QuestionKind::Decimal { .. }
        )
    };
    let comparable = (numeric(&q.kind) && numeric(&o.kind))
        || matches!(
            (&q.kind, &o.kind),
            (QuestionKind::Date { .. }, QuestionKind::Date { .. })
                | (QuestionKind::Day { .. }, QuestionKind::Day { .. })
        );
    if comparable {
        Ok(())
    } else {
        Err(format!(
            "'{}' and '{id}' can't be compared: compare two numbers, two months or two days",
            q.id
        ))
    }
}
