//! How long a stored response of a survey can be, read from its definition. Every response of a
//! survey is padded to one size chosen from this bound, so the length of a sealed response says
//! nothing about which answers it holds.

use std::collections::BTreeMap;

use super::definition::{Question, QuestionKind, Survey};
use super::response::{Answer, GridCell, NonAnswer};

impl Survey {
    /// An upper bound on the serialized length of any response this survey stores (a JSON
    /// object of question id → answer). Free-text answers are not counted: they are stored apart
    /// from the response.
    pub fn stored_response_bound(&self) -> usize {
        2 + self.questions().map(longest_entry).sum::<usize>()
    }
}

/// `"id":answer,` at its longest; nothing for a question that never stores an answer here.
fn longest_entry(q: &Question) -> usize {
    match longest_answer(q) {
        0 => 0,
        answer => json_len(&q.id.as_str()) + 1 + answer + 1,
    }
}

fn longest_answer(q: &Question) -> usize {
    let non_answer = [NonAnswer::DontKnow, NonAnswer::PreferNotToSay]
        .iter()
        .chain(&q.declared_non_answers)
        .map(|n| json_len(&Answer::NonAnswer(*n)))
        .max()
        .unwrap_or(0);
    let given = match &q.kind {
        QuestionKind::Single { options, .. } | QuestionKind::Likert { options } => options
            .iter()
            .map(|o| json_len(&Answer::Choice(o.id.clone())))
            .max()
            .unwrap_or(0),
        QuestionKind::Multi { options, .. } => json_len(&Answer::Choices(
            options.iter().map(|o| o.id.clone()).collect(),
        )),
        QuestionKind::Number { min, max, .. } | QuestionKind::Scale { min, max, .. } => {
            json_len(&Answer::Number(*min)).max(json_len(&Answer::Number(*max)))
        }
        // A decimal on the step has at most the digits of both ends and of the step together.
        QuestionKind::Decimal { min, max, step, .. } => {
            json_len(&Answer::Decimal(*min))
                + json_len(&Answer::Decimal(*max))
                + json_len(&Answer::Decimal(*step))
        }
        QuestionKind::Grid { rows, options } => {
            let cell = options
                .iter()
                .map(|o| json_len(&GridCell::Choice(o.id.clone())))
                .chain(
                    [NonAnswer::DontKnow, NonAnswer::PreferNotToSay]
                        .iter()
                        .chain(&q.declared_non_answers)
                        .map(|n| json_len(&GridCell::NonAnswer(*n))),
                )
                .max()
                .unwrap_or(0);
            // `{"g":{` + every row as `"row":cell,` + `}}`.
            json_len(&Answer::Grid(BTreeMap::new()))
                + rows
                    .iter()
                    .map(|r| json_len(&r.id) + 1 + cell + 1)
                    .sum::<usize>()
        }
        // Every month is written `YYYY-MM`.
        QuestionKind::Date { .. } => {
            super::month::YearMonth::new(2000, 1).map_or(0, |m| json_len(&Answer::Month(m)))
        }
        QuestionKind::Day { max, .. } => json_len(&Answer::Day(*max)),
        // Stored apart from the response.
        QuestionKind::Text { .. } => return 0,
        QuestionKind::Note => return 0,
    };
    given.max(non_answer)
}

fn json_len<T: serde::Serialize + ?Sized>(value: &T) -> usize {
    serde_json::to_vec(value).map_or(0, |v| v.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::{QuestionId, Response};

    /// Every question answered at its longest, whether or not logic would show it, free text
    /// included.
    fn longest_response(survey: &Survey) -> Response {
        let mut r = Response::default();
        for q in survey.questions() {
            let longest_choice = |options: &[crate::survey::definition::Choice]| {
                options
                    .iter()
                    .map(|o| o.id.clone())
                    .max_by_key(String::len)
                    .unwrap_or_default()
            };
            let answer = match &q.kind {
                QuestionKind::Single { options, .. } | QuestionKind::Likert { options } => {
                    Answer::Choice(longest_choice(options))
                }
                QuestionKind::Multi { options, .. } => {
                    Answer::Choices(options.iter().map(|o| o.id.clone()).collect())
                }
                QuestionKind::Number { min, .. } | QuestionKind::Scale { min, .. } => {
                    Answer::Number(*min)
                }
                QuestionKind::Decimal { min, .. } => Answer::Decimal(*min),
                QuestionKind::Grid { rows, options } => Answer::Grid(
                    rows.iter()
                        .map(|row| (row.id.clone(), GridCell::Choice(longest_choice(options))))
                        .collect(),
                ),
                QuestionKind::Date { max, .. } => match max {
                    Some(m) => Answer::Month(*m),
                    None => continue,
                },
                QuestionKind::Day { max, .. } => Answer::Day(*max),
                QuestionKind::Text { max_length } => Answer::Text("é".repeat(*max_length)),
                QuestionKind::Note => continue,
            };
            r.insert(QuestionId::parse(q.id.as_str()).expect("id"), answer);
        }
        r
    }

    fn json(r: &Response) -> usize {
        serde_json::to_vec(r).expect("serializes").len()
    }

    #[test]
    fn the_longest_response_of_every_example_survey_fits_its_bound_once_free_text_is_apart() {
        for source in [
            include_str!("../../surveys/demo.toml"),
            include_str!("../../surveys/naloxone-carry.toml"),
            include_str!("../../surveys/outreach-contact.toml"),
            include_str!("../../surveys/paid-peer-survey.toml"),
            include_str!("../../surveys/three-languages.toml"),
            include_str!("../../surveys/rds-injecting-study.toml"),
            include_str!("../../surveys/treatment-outcomes.toml"),
            include_str!("../../surveys/injecting-study.toml"),
            include_str!("../../surveys/outreach-sites.toml"),
        ] {
            let survey = Survey::parse(source).expect("parses");
            let mut longest = longest_response(&survey);
            let texts: Vec<String> = survey
                .questions()
                .filter(|q| matches!(q.kind, QuestionKind::Text { .. }))
                .map(|q| q.id.as_str().to_owned())
                .collect();
            for id in &texts {
                longest.remove(id);
            }
            assert!(
                json(&longest) <= survey.stored_response_bound(),
                "{}: {} bytes over a bound of {}",
                survey.id().as_str(),
                json(&longest),
                survey.stored_response_bound()
            );
        }
    }

    #[test]
    fn a_non_answer_with_a_long_declared_id_fits_the_bound() {
        let survey = Survey::parse(include_str!("../../surveys/demo.toml")).expect("parses");
        let mut r = Response::default();
        for q in survey.questions() {
            if !matches!(q.kind, QuestionKind::Text { .. } | QuestionKind::Note) {
                r.insert(
                    QuestionId::parse(q.id.as_str()).expect("id"),
                    Answer::NonAnswer(NonAnswer::PreferNotToSay),
                );
            }
        }
        assert!(json(&r) <= survey.stored_response_bound());
    }
}
