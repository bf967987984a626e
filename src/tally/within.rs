//! Questions shown only to people who selected one option of a multi-select question ("did you
//! test it?" only for those who selected fentanyl). Such a question's number of respondents is
//! a second look at how many selected the option: the disclosure audit of the options' tables
//! needs it (`disclosure/family.rs`).

use std::collections::BTreeSet;

use crate::survey::Survey;

use super::variables::{Code, Coder, Variable, NONE};

/// Everyone who answered `variable` gave the same answer to `option` (a multi-select option's
/// variable) — selected it, or answered without selecting it — and the form's conditions say
/// why: its count of respondents is at most the option's count of that answer, and exactly
/// that when `exact`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Within {
    pub variable: String,
    pub option: String,
    /// `true`: inside the option's "selected"; `false`: inside its "not selected".
    pub selected: bool,
    pub exact: bool,
}

/// Every question the display of question `id` depends on, through its own `show_if`, its
/// page's, and theirs in turn.
fn filters(survey: &Survey, id: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo = vec![id.to_owned()];
    while let Some(q) = todo.pop() {
        for condition in survey.display_conditions(&q) {
            for r in condition.referenced_questions() {
                if seen.insert(r.to_owned()) {
                    todo.push(r.to_owned());
                }
            }
        }
    }
    seen
}

/// Each pair of a variable that enters two-way tables and a multi-select option's variable
/// where the variable's questions are shown depending on the option's question and, in these
/// records, only people who selected the option (or only people who answered without
/// selecting it) answered them.
pub(super) fn within_options(
    survey: &Survey,
    vars: &[Variable],
    sources: &[Vec<&str>],
    codes: &[Vec<Code>],
) -> Vec<Within> {
    let options: Vec<usize> = (0..vars.len())
        .filter(|&m| matches!(vars[m].coder, Coder::MultiOption { .. }))
        .collect();
    if options.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (y, var) in vars.iter().enumerate().filter(|(_, v)| v.single_valued) {
        let Some(questions) = sources.get(y) else {
            continue;
        };
        let depends: BTreeSet<String> = questions.iter().flat_map(|q| filters(survey, q)).collect();
        for &m in &options {
            if !depends.contains(&vars[m].axis.question) {
                continue;
            }
            let (Some(answers), Some(option)) = (codes.get(y), codes.get(m)) else {
                continue;
            };
            let answered = answers.iter().filter(|a| **a != NONE).count();
            if answered == 0 {
                continue;
            }
            // The option's codes: 0 selected, 1 answered without selecting it.
            for (code, selected) in [(0, true), (1, false)] {
                let inside = answers
                    .iter()
                    .zip(option)
                    .filter(|(a, o)| **a != NONE && **o == code)
                    .count();
                if inside == answered {
                    let gave = option.iter().filter(|o| **o == code).count();
                    out.push(Within {
                        variable: var.axis.variable.clone(),
                        option: vars[m].axis.variable.clone(),
                        selected,
                        exact: gave == answered,
                    });
                }
            }
        }
    }
    out
}
