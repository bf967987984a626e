//! Working out computed fields from a response's other answers. Computed in definition order,
//! so one computed field may use an earlier one.

use super::definition::{Compute, Question, QuestionKind, Survey};
use super::response::{Answer, Response};

impl Survey {
    /// `answers` (already limited to what was shown) with every shown computed field's value
    /// added, and any value sent for a computed field replaced: peers never answer them.
    pub fn with_computed(&self, answers: Response) -> Response {
        let mut out = answers;
        for q in self.questions() {
            if let Some(a) = self.implied_answer(q, &out) {
                out.insert(q.id.clone(), a.clone());
                continue;
            }
            let Some(compute) = &q.compute else { continue };
            if *compute == Compute::FromBatch {
                // Filled from the code's batch before this runs (`answers::parse_with_context`).
                continue;
            }
            out.remove(q.id.as_str());
            let shown = self.visible_answers(&out);
            if !self.question_visible(q, &shown) {
                continue;
            }
            if let Some(a) = value(q, compute, &shown, self) {
                out.insert(q.id.clone(), a);
            }
        }
        out
    }

    /// Whether a page asks `q` now: it is shown, and neither computed, filled from the batch,
    /// nor implied by earlier answers.
    pub fn asks(&self, q: &Question, answers: &Response) -> bool {
        q.compute.is_none()
            && self.question_visible(q, answers)
            && self.implied_answer(q, answers).is_none()
    }

    /// The answer implied for `q` by earlier answers, if one of its `implied` rules holds and
    /// `q` is shown. Pages don't ask such a question; the implied answer is stored instead of
    /// whatever was sent.
    pub fn implied_answer<'s>(&'s self, q: &'s Question, answers: &Response) -> Option<&'s Answer> {
        if q.implied.is_empty() {
            return None;
        }
        let shown = self.visible_answers(answers);
        if !self.question_visible(q, &shown) {
            return None;
        }
        q.implied
            .iter()
            .find(|(when, _)| when.evaluate(&shown))
            .map(|(_, a)| a)
    }
}

/// A Likert option's position, a number or a scale point, as a number to add up.
fn points(survey: &Survey, id: &str, a: &Answer) -> Option<i64> {
    match a {
        Answer::Number(n) => Some(*n),
        Answer::Choice(c) => survey
            .question(id)?
            .kind
            .options()
            .iter()
            .position(|o| o.id == *c)
            .and_then(|p| i64::try_from(p).ok()),
        _ => None,
    }
}

fn value(q: &Question, compute: &Compute, shown: &Response, survey: &Survey) -> Option<Answer> {
    match compute {
        Compute::Sum(ids) => {
            let mut total: i64 = 0;
            for id in ids {
                total = total.checked_add(points(survey, id.as_str(), shown.get(id.as_str())?)?)?;
            }
            in_range(q, total)
        }
        Compute::Count(id) => {
            // An exclusive option ("none of these") is the answer "none": it counts 0.
            let multi = survey.question(id.as_str());
            let exclusive =
                |c: &String| multi.and_then(|m| m.option(c)).is_some_and(|o| o.exclusive);
            let n = match shown.get(id.as_str()) {
                Some(Answer::Choices(cs)) => cs.iter().filter(|c| !exclusive(c)).count(),
                // "Don't know which" is not "none": the count is unanswered, as a sum is.
                Some(Answer::NonAnswer(_)) => return None,
                _ => 0,
            };
            in_range(q, i64::try_from(n).ok()?)
        }
        Compute::Classify(rules) => rules
            .iter()
            .find(|(_, when)| when.evaluate(shown))
            .map(|(option, _)| Answer::Choice(option.clone())),
        Compute::FromBatch => None,
    }
}

/// The import checks that every possible value fits; this keeps a stored answer in range even so.
fn in_range(q: &Question, n: i64) -> Option<Answer> {
    match &q.kind {
        QuestionKind::Number { min, max, .. } if (*min..=*max).contains(&n) => {
            Some(Answer::Number(n))
        }
        _ => None,
    }
}

/// The tags a code batch was issued with (`codes issue … --tag site=north`): the id of a
/// `from_batch` question → one of its option ids.
pub type BatchTags = std::collections::BTreeMap<String, String>;

impl Survey {
    /// The questions filled from the code's batch (`from_batch = true`).
    pub fn batch_fields(&self) -> impl Iterator<Item = &Question> + '_ {
        self.questions()
            .filter(|q| q.compute == Some(Compute::FromBatch))
    }

    /// Why `tags` can't be given to a batch of this survey: every tag must name a `from_batch`
    /// question and give one of its options. Empty when they can.
    pub fn tag_problems(&self, tags: &BatchTags) -> Vec<String> {
        let mut problems = Vec::new();
        for (key, value) in tags {
            match self.batch_fields().find(|q| q.id.as_str() == key) {
                None => {
                    let known: Vec<&str> = self.batch_fields().map(|q| q.id.as_str()).collect();
                    problems.push(if known.is_empty() {
                        format!("tag '{key}': this survey has no question filled from the batch (from_batch = true)")
                    } else {
                        format!(
                            "tag '{key}': not a question filled from the batch (this survey has: {})",
                            known.join(", ")
                        )
                    });
                }
                Some(q) if q.option(value).is_none() => {
                    let options: Vec<&str> =
                        q.kind.options().iter().map(|o| o.id.as_str()).collect();
                    problems.push(format!(
                        "tag '{key}': '{value}' is not one of its options ({})",
                        options.join(", ")
                    ));
                }
                Some(_) => {}
            }
        }
        problems
    }

    /// `response` with the batch's tags as answers to the `from_batch` questions (tags were
    /// checked when the batch was issued; one that no longer fits the definition is left out).
    pub(super) fn with_batch_answers(&self, response: &mut Response, tags: &BatchTags) {
        for q in self.batch_fields() {
            if let Some(value) = tags.get(q.id.as_str()).filter(|v| q.option(v).is_some()) {
                response.insert(q.id.clone(), Answer::Choice(value.clone()));
            }
        }
    }
}
