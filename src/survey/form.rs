//! Turning submitted HTML form fields into the JSON answers shape that [`super::answers::parse`]
//! takes, so the server-rendered pages and the JSON API share one parser.
//!
//! Field names: the question id; grid rows as `grid_id.row_id`; a multi-select sends one field
//! per ticked option. Empty values are left out (unanswered). Pass only answer fields (not the
//! code or the CSRF token): any other name is reported by `parse` as an unknown question.

use serde_json::{Map, Value};

use super::definition::{QuestionKind, Survey};
use super::response::NonAnswer;

pub fn to_json(survey: &Survey, fields: &[(String, String)]) -> Map<String, Value> {
    let mut out = Map::new();
    for (name, value) in fields {
        if value.trim().is_empty() {
            continue;
        }
        let (qid, row) = match name.split_once('.') {
            Some((q, r)) => (q, Some(r)),
            None => (name.as_str(), None),
        };
        let kind = survey.question(qid).map(|q| &q.kind);
        let v = Value::String(value.clone());
        match (kind, row) {
            (Some(QuestionKind::Grid { .. }), Some(row)) => {
                let entry = out
                    .entry(qid.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()));
                if let Value::Object(cells) = entry {
                    cells.insert(row.to_owned(), v);
                }
            }
            (Some(QuestionKind::Multi { .. }), None) if NonAnswer::from_wire(value).is_none() => {
                let entry = out
                    .entry(qid.to_owned())
                    .or_insert_with(|| Value::Array(Vec::new()));
                if let Value::Array(items) = entry {
                    items.push(v);
                }
            }
            // A decimal stays a string: the answer parser reads its digits exactly.
            (Some(QuestionKind::Number { .. } | QuestionKind::Scale { .. }), None) => {
                let n = value.trim().parse::<i64>().map(Value::from);
                insert_or_list(&mut out, name, n.unwrap_or(v));
            }
            _ => insert_or_list(&mut out, name, v),
        }
    }
    out
}

/// Inserts a value; a repeated name becomes a list (which `parse` then rejects for the type).
fn insert_or_list(out: &mut Map<String, Value>, name: &str, v: Value) {
    match out.get_mut(name) {
        Some(Value::Array(items)) => items.push(v),
        Some(existing) => {
            let first = existing.take();
            *existing = Value::Array(vec![first, v]);
        }
        None => {
            out.insert(name.to_owned(), v);
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn form_fields_become_the_json_answer_shape() {
        let survey = Survey::parse(include_str!("../../surveys/demo.toml")).expect("demo");
        let f = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        let fields = f(&[
            ("consent", "yes"),
            ("age", "31"),
            ("safety", "dont_know"),
            ("drugs_3m", "heroin"),
            ("drugs_3m", "crack"),
            ("housing", "prefer_not_to_say"),
            ("service_rating.needle_exchange", "good"),
            ("service_rating.hospital", "dont_know"),
            ("gender", ""),
            ("anything_else", "hello"),
        ]);
        let json = Value::Object(to_json(&survey, &fields));
        assert_eq!(
            json,
            json!({
                "consent": "yes", "age": 31, "safety": "dont_know", "drugs_3m": ["heroin", "crack"],
                "housing": "prefer_not_to_say",
                "service_rating": {"needle_exchange": "good", "hospital": "dont_know"},
                "anything_else": "hello"
            })
        );
        let Value::Object(map) = json else { panic!() };
        assert!(super::super::answers::parse(&survey, &map).is_ok());
        let bad = to_json(&survey, &f(&[("consent", "yes"), ("age", "thirty")]));
        assert_eq!(bad.get("age"), Some(&json!("thirty")));
        assert!(super::super::answers::parse(&survey, &bad).is_err());
    }
}
