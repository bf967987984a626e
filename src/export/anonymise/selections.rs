//! A multi-select question as one quasi-identifier of several columns. Its base code is the
//! whole combination of ticked options, so records fall into the same class only when every
//! one of its columns agrees. Levels:
//!
//! 0. `options`: one 0/1 column per option, as answered;
//! 1. `groups`: one 0/1 column per option group (1 when any of its options is ticked), or,
//!    when the question declares no groups, `count`: one column with the number of options
//!    ticked, banded 0 / 1 / 2 / 3 or more (an option that excludes the others, such as "none
//!    of these", counts as none);
//! 2. `suppressed`: every option column is `*`.
//!
//! Combinations are coded only once every answer is in (codes are made for the combinations
//! that occur, in sorted order), so no code depends on the order of the records.

use std::collections::BTreeMap;

use crate::survey::{Answer, Choice, NonAnswer, Question};

use super::qi::{non_answer_codes, to_u16, Level, Part};
use super::types::{CodeLabel, Missing, NonAnswerCodes, Value, ValueFormat, SUPPRESSED_LABEL};

/// The highest number of options ticked that keeps its own class at the `count` level.
const COUNT_TOP: usize = 3;

/// One record's answer: the options ticked, or which non-answer (0 don't know, 1 prefer not
/// to say, 2 not shown, not answered or a survey's own non-answer).
#[derive(Debug)]
enum Entry {
    Ticked(Vec<bool>),
    Missing(usize),
}

/// A multi-select quasi-identifier while its answers are read.
#[derive(Debug)]
pub(super) struct Selections {
    /// Option ids and labels, in the definition's order.
    options: Vec<(String, String)>,
    /// Group id, label and the positions of its options.
    groups: Vec<(String, String, Vec<usize>)>,
    /// Per option: whether it excludes the others ("none of these"), so counts as none ticked.
    exclusive: Vec<bool>,
    offered: Vec<NonAnswer>,
    entries: Vec<Entry>,
}

impl Selections {
    pub(super) fn new(q: &Question, options: &[Choice], offered: Vec<NonAnswer>) -> Selections {
        let groups = q
            .groups
            .iter()
            .map(|g| {
                let members = options
                    .iter()
                    .enumerate()
                    .filter(|(_, o)| g.options.contains(&o.id))
                    .map(|(i, _)| i)
                    .collect();
                (g.id.clone(), g.text.default_text().to_owned(), members)
            })
            .collect();
        Selections {
            exclusive: options.iter().map(|o| o.exclusive).collect(),
            options: options
                .iter()
                .map(|o| (o.id.clone(), o.text.default_text().to_owned()))
                .collect(),
            groups,
            offered,
            entries: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, answer: Option<&Answer>) {
        let entry = match answer {
            Some(Answer::Choices(chosen)) => Entry::Ticked(
                self.options
                    .iter()
                    .map(|(id, _)| chosen.contains(id))
                    .collect(),
            ),
            Some(Answer::NonAnswer(NonAnswer::DontKnow)) => Entry::Missing(0),
            Some(Answer::NonAnswer(NonAnswer::PreferNotToSay)) => Entry::Missing(1),
            // Not shown, skipped, a survey's own non-answer, or (never from a parsed
            // response) an answer of another type.
            _ => Entry::Missing(2),
        };
        self.entries.push(entry);
    }

    /// Every record's base code and the levels; `None` when there are more combinations than
    /// codes.
    pub(super) fn finish(&self) -> Option<(Vec<u16>, Vec<Level>)> {
        let mut combos: BTreeMap<&[bool], usize> = BTreeMap::new();
        for e in &self.entries {
            if let Entry::Ticked(t) = e {
                combos.insert(t.as_slice(), 0);
            }
        }
        let s = combos.len();
        if s + 3 > usize::from(u16::MAX) {
            return None;
        }
        for (code, slot) in combos.values_mut().enumerate() {
            *slot = code;
        }
        let base = self
            .entries
            .iter()
            .map(|e| match e {
                Entry::Ticked(t) => to_u16(combos.get(t.as_slice()).copied().unwrap_or(0)),
                Entry::Missing(m) => to_u16(s + m),
            })
            .collect();
        let ticked: Vec<&[bool]> = combos.keys().copied().collect();
        let mut levels = vec![self.options_level(&ticked)];
        levels.push(if self.groups.is_empty() {
            self.count_level(&ticked)
        } else {
            self.groups_level(&ticked)
        });
        levels.push(self.suppressed_level(s));
        Some((base, levels))
    }

    /// The codes of a 0/1 column, with the non-answers this question offers.
    fn selected_codes(&self, yes: &str, no: &str) -> Vec<CodeLabel> {
        let mut codes = vec![
            CodeLabel {
                code: Value::Code(1),
                label: yes.into(),
                missing: None,
            },
            CodeLabel {
                code: Value::Code(0),
                label: no.into(),
                missing: None,
            },
        ];
        codes.extend(non_answer_codes(na(), &self.offered));
        codes
    }

    /// Level 0: every combination its own class, one column per option.
    fn options_level(&self, ticked: &[&[bool]]) -> Level {
        let s = ticked.len();
        let parts = self
            .options
            .iter()
            .enumerate()
            .map(|(j, (id, label))| Part {
                suffix: id.clone(),
                label: label.clone(),
                format: ValueFormat::Selected,
                codes: self.selected_codes("selected", "not selected"),
                values: with_missing(
                    ticked
                        .iter()
                        .map(|t| bit(t.get(j).copied().unwrap_or(false)))
                        .collect(),
                ),
            })
            .collect();
        multi_level("options", (0..s).map(to_u16).collect(), parts)
    }

    /// Level 1 with groups: one column per group, 1 when any of its options is ticked.
    fn groups_level(&self, ticked: &[&[bool]]) -> Level {
        let any = |t: &[bool], members: &[usize]| {
            members.iter().any(|&i| t.get(i).copied().unwrap_or(false))
        };
        let mut classes: BTreeMap<Vec<bool>, usize> = BTreeMap::new();
        let keys: Vec<Vec<bool>> = ticked
            .iter()
            .map(|t| self.groups.iter().map(|(_, _, m)| any(t, m)).collect())
            .collect();
        for k in &keys {
            let next = classes.len();
            classes.entry(k.clone()).or_insert(next);
        }
        let map = keys
            .iter()
            .map(|k| to_u16(classes.get(k).copied().unwrap_or(0)))
            .collect();
        let mut by_class: Vec<&Vec<bool>> = classes.keys().collect();
        by_class.sort_by_key(|k| classes.get(*k).copied().unwrap_or(0));
        let parts = self
            .groups
            .iter()
            .enumerate()
            .map(|(g, (id, label, members))| Part {
                suffix: id.clone(),
                // The codebook says which options the group column stands for.
                label: format!(
                    "{label} (any of: {})",
                    members
                        .iter()
                        .filter_map(|&i| self.options.get(i).map(|(_, l)| l.as_str()))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format: ValueFormat::Selected,
                codes: self
                    .selected_codes("any of the group selected", "none of the group selected"),
                values: with_missing(
                    by_class
                        .iter()
                        .map(|k| bit(k.get(g).copied().unwrap_or(false)))
                        .collect(),
                ),
            })
            .collect();
        multi_level("groups", map, parts)
    }

    /// Level 1 without groups: one column with the number of options ticked, banded.
    fn count_level(&self, ticked: &[&[bool]]) -> Level {
        let map = ticked
            .iter()
            .map(|t| {
                // "None of these" ticked is none of the options ticked, not one of them.
                let counted = (t.iter().zip(&self.exclusive))
                    .filter(|(ticked, exclusive)| **ticked && !**exclusive)
                    .count();
                to_u16(counted.min(COUNT_TOP))
            })
            .collect();
        let mut codes: Vec<CodeLabel> = (0..=COUNT_TOP)
            .map(|n| CodeLabel {
                code: Value::Code(i64::try_from(n).unwrap_or(0)),
                label: match n {
                    0 => "none selected (or only an option such as \"none of these\")".to_owned(),
                    1 => "1 selected".to_owned(),
                    n if n == COUNT_TOP => format!("{n} or more selected"),
                    n => format!("{n} selected"),
                },
                missing: None,
            })
            .collect();
        codes.extend(non_answer_codes(na(), &self.offered));
        let part = Part {
            suffix: "count".into(),
            label: "number of options selected".into(),
            format: ValueFormat::Categories,
            codes,
            values: with_missing(
                (0..=COUNT_TOP)
                    .map(|n| Value::Code(i64::try_from(n).unwrap_or(0)))
                    .collect(),
            ),
        };
        multi_level("count", map, vec![part])
    }

    /// The top level: every option column `*`.
    fn suppressed_level(&self, s: usize) -> Level {
        let parts = self
            .options
            .iter()
            .map(|(id, label)| Part {
                suffix: id.clone(),
                label: label.clone(),
                format: ValueFormat::Suppressed,
                codes: vec![CodeLabel {
                    code: Value::Suppressed,
                    label: SUPPRESSED_LABEL.into(),
                    missing: Some(Missing::Suppressed),
                }],
                values: vec![Value::Suppressed],
            })
            .collect();
        Level {
            name: "suppressed",
            format: ValueFormat::Suppressed,
            map: vec![0; s + 3],
            values: vec![Value::Suppressed],
            codes: Vec::new(),
            parts,
        }
    }
}

/// The codes of the non-answers in a 0/1 or count column: −1, −2, −3.
fn na() -> NonAnswerCodes {
    NonAnswerCodes::outside(0, 1)
}

fn bit(b: bool) -> Value {
    Value::Code(i64::from(b))
}

/// Class values followed by the three non-answer classes.
fn with_missing(mut values: Vec<Value>) -> Vec<Value> {
    let na = na();
    values.extend([
        Value::Code(na.dont_know),
        Value::Code(na.prefer_not_to_say),
        Value::Code(na.not_answered),
    ]);
    values
}

/// A level of several columns: `map` takes each combination to its class; the non-answer base
/// codes follow the combinations and map to the last three classes.
fn multi_level(name: &'static str, mut map: Vec<u16>, parts: Vec<Part>) -> Level {
    let classes = parts.first().map_or(3, |p| p.values.len());
    let substantive = classes.saturating_sub(3);
    map.extend([
        to_u16(substantive),
        to_u16(substantive + 1),
        to_u16(substantive + 2),
    ]);
    Level {
        name,
        format: parts.first().map_or(ValueFormat::Selected, |p| p.format),
        map,
        values: vec![Value::Suppressed; classes],
        codes: Vec::new(),
        parts,
    }
}
