//! Columns exported as answered (roles `sensitive` and `plain`): how each answer becomes a
//! number, and the codebook entry of each column.

use crate::survey::{Answer, Choice, GridCell, NonAnswer, Question, QuestionKind, Role};

use super::decision::Shape;
use super::qi::non_answer_codes;
use super::types::{CodeLabel, Column, Missing, NonAnswerCodes, Value, ValueFormat};

/// How an answer becomes a value.
#[derive(Debug)]
enum Coder {
    /// Option id → 1-based position.
    Choice(Vec<String>),
    /// One option of a multi-select: 1 chosen, 0 not.
    Selected(String),
    /// One grid row: chosen option → 1-based position.
    GridRow {
        row: String,
        options: Vec<String>,
    },
    Number,
    /// A decimal number, in units of `10^-places`.
    Decimal {
        places: u8,
    },
    Year,
}

/// An exported column with its values, one per record.
#[derive(Debug)]
pub(super) struct Exported {
    pub(super) column: Column,
    pub(super) values: Vec<i64>,
    coder: Coder,
    na: NonAnswerCodes,
    /// The survey's own non-answers this column offers, with their codes as kept in `values`.
    own: Vec<(NonAnswer, i64)>,
}

impl Exported {
    /// The codes of this column that are not answers.
    pub(super) fn missing_values(&self) -> Vec<i64> {
        let mut codes = vec![
            self.na.dont_know,
            self.na.prefer_not_to_say,
            self.na.not_answered,
        ];
        codes.extend(self.own.iter().map(|(_, code)| *code));
        codes
    }

    /// The distinct answers (non-answers aside) among `values`, counted up to `enough`.
    pub(super) fn distinct_answers(&self, enough: usize) -> usize {
        let missing = self.missing_values();
        let mut seen: Vec<i64> = Vec::new();
        for v in &self.values {
            if !missing.contains(v) && !seen.contains(v) {
                seen.push(*v);
                if seen.len() >= enough {
                    break;
                }
            }
        }
        seen.len()
    }

    /// Appends the value of one record's answer to the question (`None`: not shown or skipped).
    pub(super) fn push(&mut self, answer: Option<&Answer>) {
        let na = self.na;
        let own = &self.own;
        let non_answer = |n: &NonAnswer| match n {
            NonAnswer::DontKnow => na.dont_know,
            NonAnswer::PreferNotToSay => na.prefer_not_to_say,
            // A survey's own non-answer ("not applicable") has a missing code of its own.
            NonAnswer::Custom(_) => own
                .iter()
                .find(|(o, _)| o == n)
                .map_or(na.not_answered, |(_, code)| *code),
        };
        let v = match (answer, &self.coder) {
            (None, _) => na.not_answered,
            (Some(Answer::NonAnswer(n)), _) => non_answer(n),
            (Some(Answer::Choice(id)), Coder::Choice(ids)) => {
                position(ids, id).unwrap_or(na.not_answered)
            }
            (Some(Answer::Choices(chosen)), Coder::Selected(option)) => {
                i64::from(chosen.iter().any(|c| c == option))
            }
            (Some(Answer::Grid(cells)), Coder::GridRow { row, options }) => match cells.get(row) {
                Some(GridCell::Choice(id)) => position(options, id).unwrap_or(na.not_answered),
                Some(GridCell::NonAnswer(n)) => non_answer(n),
                None => na.not_answered,
            },
            (Some(Answer::Number(n)), Coder::Number) => *n,
            (Some(Answer::Decimal(d)), Coder::Decimal { places }) => {
                d.units_at(*places).unwrap_or(na.not_answered)
            }
            (Some(Answer::Month(m)), Coder::Year) => i64::from(m.year()),
            (Some(Answer::Day(d)), Coder::Year) => i64::from(d.year()),
            // An answer of another type can't come from a parsed response.
            (Some(_), _) => na.not_answered,
        };
        self.values.push(v);
    }
}

impl Exported {
    /// The code of "not shown or not answered" in this column, as kept in `values`.
    pub(super) fn not_answered(&self) -> i64 {
        self.na.not_answered
    }

    /// Record `r`'s value as written to the data file. A decimal column keeps its values in
    /// units of `10^-places` and its non-answer codes as whole numbers times `10^places`,
    /// below every answer, so the two never meet.
    pub(super) fn value(&self, r: usize) -> Option<Value> {
        let v = *self.values.get(r)?;
        Some(match self.coder {
            Coder::Decimal { places } => {
                let unit = 10i64.pow(u32::from(places));
                let na = [
                    self.na.dont_know,
                    self.na.prefer_not_to_say,
                    self.na.not_answered,
                ];
                if na.contains(&v) || self.own.iter().any(|(_, code)| *code == v) {
                    Value::Code(v / unit)
                } else {
                    Value::Scaled { units: v, places }
                }
            }
            _ => Value::Code(v),
        })
    }
}

fn position(ids: &[String], id: &str) -> Option<i64> {
    ids.iter()
        .position(|o| o == id)
        .and_then(|i| i64::try_from(i + 1).ok())
}

fn option_codes(options: &[Choice]) -> Vec<CodeLabel> {
    options
        .iter()
        .zip(1i64..)
        .map(|(o, code)| CodeLabel {
            code: Value::Code(code),
            label: o.text.default_text().to_owned(),
            missing: None,
        })
        .collect()
}

fn ids(options: &[Choice]) -> Vec<String> {
    options.iter().map(|o| o.id.clone()).collect()
}

/// The columns of a question exported as answered.
pub(super) fn columns(q: &Question, role: Role, shape: Shape) -> Vec<Exported> {
    let offered = q.non_answers();
    let heading = q.heading();
    let text = heading.default_text();
    let make = |name: String,
                label: String,
                format,
                mut codes: Vec<CodeLabel>,
                coder,
                (lowest, highest): (i64, i64)| {
        let na = NonAnswerCodes::outside(lowest, highest);
        codes.extend(non_answer_codes(na, &offered));
        let own: Vec<(NonAnswer, i64)> = offered
            .iter()
            .filter(|n| matches!(n, NonAnswer::Custom(_)))
            .enumerate()
            .map(|(i, n)| (*n, na.own(i)))
            .collect();
        codes.extend(own.iter().enumerate().map(|(i, (n, code))| CodeLabel {
            code: Value::Code(*code),
            label: n.as_str().replace('_', " "),
            missing: Some(Missing::Own(u8::try_from(i).unwrap_or(u8::MAX))),
        }));
        Exported {
            column: Column {
                name,
                question: q.id.to_string(),
                label,
                role,
                format,
                codes,
                level: None,
            },
            values: Vec::new(),
            coder,
            na,
            own,
        }
    };
    let id = q.id.to_string();
    match (shape, &q.kind) {
        (
            Shape::Choice,
            QuestionKind::Single { options, .. } | QuestionKind::Likert { options },
        ) => {
            vec![make(
                id,
                text.to_owned(),
                ValueFormat::Categories,
                option_codes(options),
                Coder::Choice(ids(options)),
                (0, 0),
            )]
        }
        (Shape::Selected, QuestionKind::Multi { options, .. }) => options
            .iter()
            .map(|o| {
                make(
                    format!("{id}.{}", o.id),
                    format!("{text} — {}", o.text.default_text()),
                    ValueFormat::Selected,
                    vec![
                        CodeLabel {
                            code: Value::Code(1),
                            label: "selected".into(),
                            missing: None,
                        },
                        CodeLabel {
                            code: Value::Code(0),
                            label: "not selected".into(),
                            missing: None,
                        },
                    ],
                    Coder::Selected(o.id.clone()),
                    (0, 1),
                )
            })
            .collect(),
        (Shape::GridRows, QuestionKind::Grid { rows, options }) => rows
            .iter()
            .map(|r| {
                make(
                    format!("{id}.{}", r.id),
                    format!("{text} — {}", r.text.default_text()),
                    ValueFormat::Categories,
                    option_codes(options),
                    Coder::GridRow {
                        row: r.id.clone(),
                        options: ids(options),
                    },
                    (0, 0),
                )
            })
            .collect(),
        (
            Shape::Number,
            QuestionKind::Number { min, max, .. } | QuestionKind::Scale { min, max, .. },
        ) => {
            vec![make(
                id,
                text.to_owned(),
                ValueFormat::Number,
                Vec::new(),
                Coder::Number,
                (*min, *max),
            )]
        }
        (Shape::Decimal, QuestionKind::Decimal { min, max, step, .. }) => {
            let places = min.scale().max(step.scale()).max(max.scale());
            let mut column = make(
                id,
                text.to_owned(),
                ValueFormat::Decimal { places },
                Vec::new(),
                Coder::Decimal { places },
                (min.floor(), max.ceil()),
            );
            let unit = 10i64.pow(u32::from(places));
            let na = &mut column.na;
            for code in [
                &mut na.dont_know,
                &mut na.prefer_not_to_say,
                &mut na.not_answered,
            ]
            .into_iter()
            .chain(column.own.iter_mut().map(|(_, code)| code))
            {
                *code = code.saturating_mul(unit);
            }
            vec![column]
        }
        (Shape::Year, QuestionKind::Date { .. } | QuestionKind::Day { .. }) => vec![make(
            id,
            text.to_owned(),
            ValueFormat::Year,
            Vec::new(),
            Coder::Year,
            (0, 0),
        )],
        // `decide` never pairs a shape with another kind.
        _ => Vec::new(),
    }
}
