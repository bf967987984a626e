//! Quasi-identifiers and their generalisation hierarchies. Each record gets a small base code
//! per quasi-identifier once; every level is a table from base code to class, so evaluating a
//! lattice node is one lookup per record and quasi-identifier.
//!
//! Base codes: the substantive categories (bands, options, years − 1000) first, then
//! "don't know", "prefer not to say" and "not answered". Non-answers stay distinct classes at
//! every level but the top, where everything is `*`.

use crate::survey::{Answer, Band, NonAnswer, Question, QuestionKind};

use super::decision::Generalisation;
use super::selections::Selections;
use super::types::{
    CodeLabel, Missing, NonAnswerCodes, Value, ValueFormat, DONT_KNOW_LABEL, NOT_ANSWERED_LABEL,
    PREFER_NOT_TO_SAY_LABEL, SUPPRESSED_LABEL,
};

const YEAR_BASE: i64 = 1000;
const YEAR_COUNT: usize = 9000;

/// One level of a hierarchy.
#[derive(Debug)]
pub(super) struct Level {
    pub(super) name: &'static str,
    pub(super) format: ValueFormat,
    /// Base code → class at this level.
    pub(super) map: Vec<u16>,
    /// Class → exported value.
    pub(super) values: Vec<Value>,
    /// Codebook entries (categories with labels, offered non-answers).
    pub(super) codes: Vec<CodeLabel>,
    /// A multi-select's level is several columns; then `values`, `codes` and `format` are
    /// unused and each part gives its own (see `selections.rs`).
    pub(super) parts: Vec<Part>,
}

/// One column of a level that has several (a multi-select's options or groups).
#[derive(Debug)]
pub(super) struct Part {
    /// The column is named `<question>.<suffix>`.
    pub(super) suffix: String,
    /// Appended to the question's text: `<text> — <label>`.
    pub(super) label: String,
    pub(super) format: ValueFormat,
    pub(super) codes: Vec<CodeLabel>,
    /// Class → exported value in this column.
    pub(super) values: Vec<Value>,
}

impl Level {
    pub(super) fn classes(&self) -> usize {
        self.values.len()
    }
}

/// How an answer becomes a base code.
#[derive(Debug)]
enum Coder {
    Bands(Vec<Band>),
    Options(Vec<String>),
    Years,
    /// Base codes and levels are made once every answer is in ([`Qi::finish`]).
    Selections(Selections),
}

/// A quasi-identifier: its levels (the last one suppresses) and every record's base code.
#[derive(Debug)]
pub(super) struct Qi {
    pub(super) question: String,
    pub(super) label: String,
    pub(super) levels: Vec<Level>,
    pub(super) base: Vec<u16>,
    coder: Coder,
    /// Number of substantive base codes; non-answers follow.
    substantive: usize,
}

impl Qi {
    /// The hierarchy of `q`; `None` when it can't be built (a quasi number without bands).
    pub(super) fn new(q: &Question, how: Generalisation) -> Option<Qi> {
        let label = q.heading().default_text().to_owned();
        let offered = q.non_answers();
        if let (Generalisation::Selections, QuestionKind::Multi { options, .. }) = (how, &q.kind) {
            return Some(Qi {
                question: q.id.to_string(),
                label,
                levels: Vec::new(),
                base: Vec::new(),
                coder: Coder::Selections(Selections::new(q, options, offered)),
                substantive: 0,
            });
        }
        let (coder, substantive, levels) = match (how, &q.kind) {
            (
                Generalisation::Bands,
                QuestionKind::Number {
                    min, max, bands, ..
                },
            ) if !bands.is_empty() => {
                let covered: i128 = bands
                    .iter()
                    .map(|b| i128::from(b.hi) - i128::from(b.lo) + 1)
                    .sum();
                let gaps = covered < i128::from(*max) - i128::from(*min) + 1;
                let (s, levels) = band_levels(bands, &q.coarse_bands, gaps, &offered);
                (Coder::Bands(bands.clone()), s, levels)
            }
            (
                Generalisation::Options,
                QuestionKind::Single { options, .. } | QuestionKind::Likert { options },
            ) => {
                let n = options.len();
                let mut levels = vec![with_non_answers(
                    "options",
                    ValueFormat::Categories,
                    (0..n).map(to_u16).collect(),
                    options
                        .iter()
                        .map(|o| Some(o.text.default_text().to_owned()))
                        .collect(),
                    &offered,
                )];
                if !q.groups.is_empty() {
                    let map = options
                        .iter()
                        .map(|o| {
                            let g = q.groups.iter().position(|g| g.options.contains(&o.id));
                            to_u16(g.unwrap_or(0))
                        })
                        .collect();
                    let labels = q
                        .groups
                        .iter()
                        .map(|g| Some(g.text.default_text().to_owned()))
                        .collect();
                    levels.push(with_non_answers(
                        "groups",
                        ValueFormat::Categories,
                        map,
                        labels,
                        &offered,
                    ));
                }
                let ids = options.iter().map(|o| o.id.clone()).collect();
                (Coder::Options(ids), n, levels)
            }
            (Generalisation::Years, QuestionKind::Date { .. } | QuestionKind::Day { .. }) => {
                let years = with_non_answers(
                    "year",
                    ValueFormat::Year,
                    (0..YEAR_COUNT).map(to_u16).collect(),
                    vec![None; YEAR_COUNT],
                    &offered,
                );
                let spans = with_non_answers(
                    "5-year span",
                    ValueFormat::YearSpan,
                    (0..YEAR_COUNT).map(|y| to_u16(y / 5)).collect(),
                    vec![None; YEAR_COUNT / 5],
                    &offered,
                );
                (Coder::Years, YEAR_COUNT, vec![years, spans])
            }
            _ => return None,
        };
        let mut levels = levels;
        fix_year_values(&mut levels);
        levels.push(Level {
            name: "suppressed",
            format: ValueFormat::Suppressed,
            map: vec![0; substantive + 3],
            values: vec![Value::Suppressed],
            codes: vec![CodeLabel {
                code: Value::Suppressed,
                label: SUPPRESSED_LABEL.into(),
                missing: Some(Missing::Suppressed),
            }],
            parts: Vec::new(),
        });
        Some(Qi {
            question: q.id.to_string(),
            label,
            levels,
            base: Vec::new(),
            coder,
            substantive,
        })
    }

    /// The highest level (suppressed).
    pub(super) fn top(&self) -> u8 {
        u8::try_from(self.levels.len().saturating_sub(1)).unwrap_or(u8::MAX)
    }

    /// Appends the base code of one record's answer (`None`: not shown or skipped).
    pub(super) fn push(&mut self, answer: Option<&Answer>) {
        if let Coder::Selections(selections) = &mut self.coder {
            selections.push(answer);
            return;
        }
        let s = self.substantive;
        let code = match answer {
            None => s + 2,
            Some(Answer::NonAnswer(NonAnswer::DontKnow)) => s,
            Some(Answer::NonAnswer(NonAnswer::PreferNotToSay)) => s + 1,
            Some(a) => self.substantive_code(a).unwrap_or(s + 2),
        };
        self.base.push(to_u16(code));
    }

    /// Completes a hierarchy built from the answers themselves (a multi-select's). `false`
    /// when there are too many different combinations to code.
    pub(super) fn finish(&mut self) -> bool {
        let Coder::Selections(selections) = &mut self.coder else {
            return true;
        };
        match selections.finish() {
            Some((base, levels)) => {
                self.base = base;
                self.levels = levels;
                true
            }
            None => false,
        }
    }

    fn substantive_code(&self, a: &Answer) -> Option<usize> {
        match (&self.coder, a) {
            (Coder::Bands(bands), Answer::Number(n)) => Some(
                bands
                    .iter()
                    .position(|b| b.contains(*n))
                    .unwrap_or(bands.len()),
            ),
            (Coder::Options(ids), Answer::Choice(id)) => ids.iter().position(|o| o == id),
            (Coder::Selections(_), _) => None,
            (Coder::Years, Answer::Month(m)) => usize::try_from(i64::from(m.year()) - YEAR_BASE)
                .ok()
                .filter(|y| *y < YEAR_COUNT),
            (Coder::Years, Answer::Day(d)) => usize::try_from(i64::from(d.year()) - YEAR_BASE)
                .ok()
                .filter(|y| *y < YEAR_COUNT),
            _ => None,
        }
    }
}

pub(super) fn to_u16(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

fn band_label(b: &Band) -> String {
    format!("{}-{}", b.lo, b.hi)
}

const OUTSIDE: &str = "outside the bands";

/// Levels of a banded number. An "outside the bands" category follows the bands (listed in the
/// codebook only when the bands leave gaps), and stays its own class at the coarse level.
fn band_levels(
    bands: &[Band],
    coarse: &[Band],
    gaps: bool,
    offered: &[NonAnswer],
) -> (usize, Vec<Level>) {
    let n = bands.len();
    let s = n + 1;
    let outside = || gaps.then(|| OUTSIDE.to_owned());
    let mut labels: Vec<Option<String>> = bands.iter().map(|b| Some(band_label(b))).collect();
    labels.push(outside());
    let mut levels = vec![with_non_answers(
        "bands",
        ValueFormat::Categories,
        (0..s).map(to_u16).collect(),
        labels,
        offered,
    )];
    if !coarse.is_empty() {
        let mut map: Vec<u16> = bands
            .iter()
            .map(|b| {
                to_u16(
                    coarse
                        .iter()
                        .position(|c| c.lo <= b.lo && b.hi <= c.hi)
                        .unwrap_or(0),
                )
            })
            .collect();
        map.push(to_u16(coarse.len()));
        let mut labels: Vec<Option<String>> = coarse.iter().map(|b| Some(band_label(b))).collect();
        labels.push(outside());
        levels.push(with_non_answers(
            "coarse bands",
            ValueFormat::Categories,
            map,
            labels,
            offered,
        ));
    }
    (s, levels)
}

/// A level whose substantive base codes map through `map` to classes labelled by `labels`
/// (coded 1, 2, …), followed by the three non-answer classes (−1, −2, −3).
fn with_non_answers(
    name: &'static str,
    format: ValueFormat,
    mut map: Vec<u16>,
    labels: Vec<Option<String>>,
    offered: &[NonAnswer],
) -> Level {
    let classes = labels.len();
    let na = NonAnswerCodes::outside(0, 0);
    map.extend([to_u16(classes), to_u16(classes + 1), to_u16(classes + 2)]);
    let mut values: Vec<Value> = (1..=classes)
        .map(|i| Value::Code(i64::try_from(i).unwrap_or(i64::MAX)))
        .collect();
    values.extend([
        Value::Code(na.dont_know),
        Value::Code(na.prefer_not_to_say),
        Value::Code(na.not_answered),
    ]);
    let mut codes: Vec<CodeLabel> = labels
        .into_iter()
        .zip(&values)
        .filter_map(|(l, v)| {
            l.map(|label| CodeLabel {
                code: *v,
                label,
                missing: None,
            })
        })
        .collect();
    codes.extend(non_answer_codes(na, offered));
    Level {
        name,
        format,
        map,
        values,
        codes,
        parts: Vec::new(),
    }
}

/// Year levels export the year (or the span's first year) itself, not a category number.
fn fix_year_values(levels: &mut [Level]) {
    for level in levels.iter_mut() {
        let per_class = match level.format {
            ValueFormat::Year => 1,
            ValueFormat::YearSpan => 5,
            _ => continue,
        };
        let substantive = level.values.len().saturating_sub(3);
        for (i, v) in level.values.iter_mut().take(substantive).enumerate() {
            let year = YEAR_BASE + i64::try_from(i * per_class).unwrap_or(0);
            *v = Value::Code(year);
        }
    }
}

/// Codebook entries for the offered non-answers and "not answered".
pub(super) fn non_answer_codes(na: NonAnswerCodes, offered: &[NonAnswer]) -> Vec<CodeLabel> {
    let mut out = Vec::new();
    if offered.contains(&NonAnswer::DontKnow) {
        out.push(CodeLabel {
            code: Value::Code(na.dont_know),
            label: DONT_KNOW_LABEL.into(),
            missing: Some(Missing::DontKnow),
        });
    }
    if offered.contains(&NonAnswer::PreferNotToSay) {
        out.push(CodeLabel {
            code: Value::Code(na.prefer_not_to_say),
            label: PREFER_NOT_TO_SAY_LABEL.into(),
            missing: Some(Missing::PreferNotToSay),
        });
    }
    out.push(CodeLabel {
        code: Value::Code(na.not_answered),
        label: NOT_ANSWERED_LABEL.into(),
        missing: Some(Missing::NotAnswered),
    });
    out
}
