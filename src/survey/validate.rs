//! Checks across the whole definition: duplicate ids, where `end_if` may stand, and every
//! condition (references, types, satisfiability — see `check.rs`).

use std::collections::BTreeMap;

use super::check::{check_condition, Site};
use super::definition::Survey;
use super::reader::Errors;

pub(super) fn validate(errs: &mut Errors, s: &Survey) {
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
                    Site::QuestionCondition { page: pi },
                    &format!("question '{}': show_if", q.id),
                );
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
