//! How many options one answer to a multi-select question may hold. The form enforces it
//! (`min_choices`, `max_choices`, an exclusive "none of these" chosen alone), and the
//! questionnaire is public, so a reader knows it of every answer: the options' counts together
//! are bounded by how many answered (an "exactly one" question's options add up to them). The
//! disclosure audit of the options' tables needs it (`disclosure/family.rs`).

use crate::survey::{QuestionKind, Survey};

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
