//! How many options one answer to a multi-select question may hold. The form enforces it
//! (`min_choices`, `max_choices`, an exclusive "none of these" chosen alone), and the
//! questionnaire is public, so a reader knows it of every answer: the options' counts together
//! are bounded by how many answered (an "exactly one" question's options add up to them). The
//! disclosure audit of the options' tables needs it (`disclosure/family.rs`).

use super::{Label, RawTable};
use crate::survey::{Compute, QuestionKind, Survey};

/// The rule one multi-select question's answers keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choices {
    pub question: String,
    /// Each option's variable (its table's id), and whether it is chosen only alone.
    pub options: Vec<(String, bool)>,
    /// Every answer holds at least this many options (at least 1: an empty list is refused)…
    pub min: u32,
    /// …and at most this many (at most the number of options).
    pub max: u32,
}

/// The rule of every multi-select question that is not on a repeating page (whose tables count
/// people over instances, where one answer's rule says nothing of a person's).
pub(super) fn choices(survey: &Survey) -> Vec<Choices> {
    survey
        .questions()
        .filter(|q| q.instance.is_none())
        .filter_map(|q| match &q.kind {
            QuestionKind::Multi {
                options,
                min_choices,
                max_choices,
            } => {
                let n = u32::try_from(options.len()).unwrap_or(u32::MAX);
                Some(Choices {
                    question: q.id.as_str().to_owned(),
                    options: options
                        .iter()
                        .map(|o| (format!("{}.{}", q.id.as_str(), o.id), o.exclusive))
                        .collect(),
                    min: min_choices.unwrap_or(1).max(1),
                    max: max_choices.unwrap_or(n).min(n),
                })
            }
            _ => None,
        })
        .collect()
}

/// The rule of each single-valued question of a repeating page, over its "in some instance"
/// tables (`variables::instance_choices`): at least one category and at most one per instance.
/// Left out, a page allowing one instance let those tables pin a rare answer's hidden count to
/// 1–6 in one release, as a multi-select allowing one option did before its rule was known.
pub(super) fn of_repeating_pages(survey: &Survey) -> Vec<Choices> {
    super::variables::instance_choices(survey)
        .into_iter()
        .map(|(question, options, instances)| {
            let n = options.len();
            Choices {
                question,
                options: options.into_iter().map(|o| (o, false)).collect(),
                min: 1,
                max: u32::try_from(instances.min(n).max(1)).unwrap_or(u32::MAX),
            }
        })
        .collect()
}

/// Tightens each rule by what a computed `count` of the question's options publishes: a band of
/// the count that nobody is in is shown as an exact 0, so a reader knows how many options every
/// answer held at least and at most ("2 options: 0, 3 options: 0" says each held one). Left
/// out, an organiser who added such a count pinned a rare option's hidden count to 1–6 in one
/// release (docs/releases.md). Read off this release's counts, which the zeros will show.
pub(super) fn narrowed_by_counts(choices: &mut [Choices], survey: &Survey, tables: &[RawTable]) {
    for q in survey.questions().filter(|q| q.instance.is_none()) {
        let Some(Compute::Count(of)) = &q.compute else {
            continue;
        };
        let Some(rule) = choices.iter_mut().find(|c| c.question == of.as_str()) else {
            continue;
        };
        let Some(table) = tables
            .iter()
            .find(|t| t.columns().is_none() && t.rows().variable == q.id.as_str())
        else {
            continue;
        };
        let mut held: Option<(i64, i64)> = None;
        let mut unknown = false;
        for (category, cell) in table.rows().categories.iter().zip(table.cells()) {
            if cell.count == 0 {
                continue;
            }
            match category.label {
                Label::Band { lo: low, hi: high } => {
                    let (lo, hi) = held.unwrap_or((low, high));
                    held = Some((lo.min(low), hi.max(high)));
                }
                // Outside every band, or a non-answer: nothing known of how many it held.
                _ => unknown = true,
            }
        }
        let Some((lo, hi)) = held.filter(|_| !unknown) else {
            continue;
        };
        // A count of 0 is an exclusive option chosen alone ("none of these"): one option held.
        let at_least = u32::try_from(lo.max(1)).unwrap_or(u32::MAX);
        let at_most = u32::try_from(hi.max(1)).unwrap_or(u32::MAX);
        rule.min = rule.min.max(at_least).min(rule.max);
        rule.max = rule.max.min(at_most).max(rule.min);
    }
}
