//! Checks across the whole definition: duplicate ids, where `end_if` may stand, and every
//! condition (references, types, satisfiability — see `src/survey/check/`).

use std::collections::BTreeMap;

use super::check::{check_condition, Site};
use super::definition::{Compute, Question, QuestionKind, Role, Survey};
use super::pipe::references;
use super::reader::Errors;

pub(super) fn validate(errs: &mut Errors, s: &Survey) {
    check_table_ids(errs, s);
    let mut page_ids: BTreeMap<&str, usize> = BTreeMap::new();
    let mut question_ids: BTreeMap<&str, usize> = BTreeMap::new();
    let mut flat = 0;
    for (pi, page) in s.pages.iter().enumerate() {
        if let Some(first) = page_ids.insert(&page.id, page.line) {
            errs.at_line(
                Some(page.line),
                format!(
                    "duplicate page id '{}' (first used on line {first})",
                    page.id
                ),
            );
        }
        if let Some(c) = &page.show_if {
            check_condition(
                errs,
                s,
                c,
                Site::PageCondition { page: pi },
                &format!("page '{}': show_if", page.id),
            );
        }
        let last = page.questions.len().saturating_sub(1);
        for (qi, q) in page.questions.iter().enumerate() {
            if let Some(first) = question_ids.insert(q.id.as_str(), q.line) {
                errs.at_line(
                    Some(q.line),
                    format!(
                        "duplicate question id '{}' (first used on line {first})",
                        q.id
                    ),
                );
            }
            if let Some(c) = &q.show_if {
                check_condition(
                    errs,
                    s,
                    c,
                    Site::QuestionShowIf {
                        page: pi,
                        question: flat,
                    },
                    &format!("question '{}': show_if", q.id),
                );
            }
            check_piping(errs, s, q, pi);
            for (i, (when, _)) in q.implied.iter().enumerate() {
                check_condition(
                    errs,
                    s,
                    when,
                    Site::QuestionCondition { page: pi },
                    &format!("question '{}': implied {}", q.id, i + 1),
                );
            }
            if let Some(c) = &q.compute {
                check_compute(errs, s, q, c, pi, flat);
            }
            for (i, c) in q.checks.iter().enumerate() {
                check_condition(
                    errs,
                    s,
                    &c.holds,
                    Site::Check { page: pi },
                    &format!("question '{}': check {}", q.id, i + 1),
                );
            }
            for o in q.kind.options().iter().filter(|_| !is_grid(q)) {
                if let Some(c) = &o.show_if {
                    check_condition(
                        errs,
                        s,
                        c,
                        Site::QuestionCondition { page: pi },
                        &format!("question '{}': option '{}': show_if", q.id, o.id),
                    );
                }
            }
            if let Some(c) = &q.end_if {
                if qi != last {
                    errs.at_line(
                        c.line.or(Some(q.line)),
                        format!(
                            "question '{}': a question with end_if must be the last on its page, so that no question after it is shown on the same page",
                            q.id
                        ),
                    );
                }
                check_condition(
                    errs,
                    s,
                    c,
                    Site::QuestionEnd { question: flat },
                    &format!("question '{}': end_if", q.id),
                );
            }
            flat += 1;
        }
    }
}

/// A release names a two-way table `a__b` after its two questions, and a cell of a grid with
/// typed columns is named `grid__row__column`: no question may carry the name of a pair.
fn check_table_ids(errs: &mut Errors, s: &Survey) {
    let ids: std::collections::BTreeSet<&str> = s.questions().map(|q| q.id.as_str()).collect();
    for q in s.questions() {
        let id = q.id.as_str();
        let clash = id
            .match_indices("__")
            .filter_map(|(i, _)| id.get(..i).zip(id.get(i + 2..)))
            .find(|(a, b)| ids.contains(a) && ids.contains(b));
        if let Some((a, b)) = clash {
            errs.at_line(
                Some(q.line),
                format!(
                    "question '{id}' has the name releases give the table of '{a}' by '{b}'; rename one of them"
                ),
            );
        }
    }
}

fn is_grid(q: &Question) -> bool {
    matches!(q.kind, QuestionKind::Grid { .. })
}

/// `{answer:id}` in a question's text or help must name a question on an earlier page (the
/// server knows only the answers of pages already sent) that has a single value to show.
fn check_piping(errs: &mut Errors, s: &Survey, q: &Question, page: usize) {
    // Every instance of a repeating page has the same piping: the first one speaks for all.
    if q.instance.as_ref().is_some_and(|i| i.number > 1) {
        return;
    }
    let texts = std::iter::once(&q.text).chain(q.help.as_ref());
    for text in texts.flat_map(|t| t.translations().values()) {
        for r in references(text) {
            let problem = match (s.question(r.question), s.page_of(r.question)) {
                (None, _) | (_, None) => Some(format!("there is no question '{}'", r.question)),
                (Some(_), Some(p)) if p >= page => Some(format!(
                    "'{}' is not on an earlier page, so its answer is not known yet",
                    r.question
                )),
                (Some(other), _)
                    if matches!(other.kind, QuestionKind::Grid { .. } | QuestionKind::Note) =>
                {
                    Some(format!(
                        "'{}' is a {}, which has no single answer to show",
                        r.question,
                        other.type_name()
                    ))
                }
                _ => None,
            };
            if let Some(p) = problem {
                errs.at_line(
                    Some(q.line),
                    format!("question '{}': {{answer:{}}}: {p}", q.id, r.question),
                );
            }
        }
    }
}

/// A computed field uses questions that come before it, of the right kind, and every value it
/// can take fits its own range or options.
fn check_compute(
    errs: &mut Errors,
    s: &Survey,
    q: &Question,
    c: &Compute,
    page: usize,
    flat: usize,
) {
    let mut problems: Vec<String> = Vec::new();
    if q.required {
        problems.push("a computed field is never asked, so it can't be required".into());
    }
    let earlier = |id: &str| {
        s.questions()
            .position(|x| x.id.as_str() == id)
            .filter(|i| *i < flat)
            .and_then(|i| s.questions().nth(i))
    };
    let number_range = match &q.kind {
        QuestionKind::Number { min, max, .. } => Some((*min, *max)),
        _ => None,
    };
    match c {
        Compute::FromBatch => {
            if matches!(q.role, Some(Role::FreeText)) {
                problems.push("a field filled from the batch is a choice, not free text".into());
            }
        }
        Compute::Sum(ids) => {
            let Some((min, max)) = number_range else {
                return report(
                    errs,
                    q,
                    "a sum is a whole-number question (type = \"number\" without a step)".into(),
                );
            };
            let (mut lo, mut hi) = (0i64, 0i64);
            for id in ids {
                let Some(other) = earlier(id.as_str()) else {
                    problems.push(format!(
                        "'{id}' is not a question that comes before this one"
                    ));
                    continue;
                };
                let range = match &other.kind {
                    QuestionKind::Number { min, max, .. }
                    | QuestionKind::Scale { min, max, .. } => Some((*min, *max)),
                    QuestionKind::Likert { options } => {
                        Some((0, i64::try_from(options.len()).unwrap_or(1) - 1))
                    }
                    _ => None,
                };
                match range {
                    Some((a, b)) => {
                        lo = lo.saturating_add(a);
                        hi = hi.saturating_add(b);
                    }
                    None => problems.push(format!(
                        "'{id}' is a {} question; a sum adds numbers, scales and Likert points",
                        other.type_name()
                    )),
                }
            }
            if lo < min || hi > max {
                problems.push(format!("the sum can range from {lo} to {hi}, outside this question's range {min}..{max}"));
            }
        }
        Compute::Count(id) => {
            let Some((min, max)) = number_range else {
                return report(
                    errs,
                    q,
                    "a count is a whole-number question (type = \"number\" without a step)".into(),
                );
            };
            match earlier(id.as_str()).map(|o| &o.kind) {
                Some(QuestionKind::Multi { options, .. }) => {
                    let counted = options.iter().filter(|o| !o.exclusive).count();
                    let n = i64::try_from(counted).unwrap_or(i64::MAX);
                    if min > 0 || max < n {
                        problems.push(format!("the count can range from 0 to {n}, outside this question's range {min}..{max}"));
                    }
                }
                Some(_) => problems.push(format!("'{id}' is not a multi-select question")),
                None => problems.push(format!(
                    "'{id}' is not a question that comes before this one"
                )),
            }
        }
        Compute::Classify(rules) => {
            if !matches!(q.kind, QuestionKind::Single { .. }) {
                return report(
                    errs,
                    q,
                    "a classification is a single-choice question".into(),
                );
            }
            for (i, (option, when)) in rules.iter().enumerate() {
                if q.option(option).is_none() {
                    problems.push(format!("rule {} names unknown option '{option}'", i + 1));
                }
                if when
                    .referenced_questions()
                    .iter()
                    .any(|r| earlier(r).is_none())
                {
                    problems.push(format!(
                        "rule {}: a classification may only use questions that come before it",
                        i + 1
                    ));
                    continue;
                }
                check_condition(
                    errs,
                    s,
                    when,
                    Site::Check { page },
                    &format!("question '{}': compute rule {}", q.id, i + 1),
                );
            }
        }
    }
    for p in problems {
        report(errs, q, p);
    }
}

fn report(errs: &mut Errors, q: &Question, message: String) {
    errs.at_line(
        Some(q.line),
        format!("question '{}': compute: {message}", q.id),
    );
}
