//! Anonymised row-level data for researchers (README "Researchers"). Pure: no I/O; randomness only for
//! the row order (the RNG passed in) and the fresh row ids.
//!
//! - Every question's fate is decided in one place, [`decide`]: `quasi` questions become
//!   generalised quasi-identifier columns, `sensitive` and `plain` ones are exported as
//!   answered (dates by year only), free text and notes never are.
//! - The least generalisation of the quasi-identifiers is found by a lattice search (see
//!   `lattice.rs`): k-anonymity after dropping at most 5% of records, and distinct ℓ-diversity
//!   of every sensitive column within every class. Records of classes that are too small or not
//!   diverse are **dropped whole**, never half-suppressed. If no node qualifies, the export is
//!   refused in plain words; the rules are never weakened.
//! - Rows are shuffled and get fresh random ids; no record keys, no timestamps.
//! - Non-answers keep distinct codes: −1 don't know, −2 prefer not to say, −3 not shown or not
//!   answered (below the minimum instead, for numbers that can be negative), listed in each
//!   column's codes and marked missing there, so every loader declares them missing.

mod check;
mod columns;
mod decision;
mod groups;
mod lattice;
mod qi;
mod render;
mod selections;
mod types;

#[cfg(test)]
mod new_kinds_tests;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

pub use check::check;
pub use decision::{decide, Decision, Generalisation, Shape};
pub use types::{
    Anonymised, CodeLabel, Column, Group, GroupRow, LevelUsed, Missing, Row, Value, ValueFormat,
};

use std::collections::{BTreeMap, HashSet};

use rand::seq::SliceRandom;
use rand::Rng;

use crate::survey::{Response, Role, Survey};

use columns::Exported;
use lattice::{Failure, Problem};
use qi::Qi;

/// The allowed range of k.
pub const K_RANGE: std::ops::RangeInclusive<u32> = 5..=50;
/// Distinct ℓ-diversity required of every sensitive column.
pub const DEFAULT_L: u32 = 2;
/// The most records that may be dropped, as a fraction of all.
pub const MAX_SUPPRESSED_FRACTION: f64 = 0.05;

/// Export settings. They can only be stricter than the survey's: k at least the survey's
/// `k_anonymity`, ℓ at least 2, at most 5% of records dropped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub k: u32,
    pub l: u32,
    pub max_suppressed_fraction: f64,
}

impl Params {
    /// The survey's k, ℓ = 2, at most 5% dropped.
    pub fn for_survey(survey: &Survey) -> Params {
        Params {
            k: survey.k_anonymity(),
            l: DEFAULT_L,
            max_suppressed_fraction: MAX_SUPPRESSED_FRACTION,
        }
    }

    fn validate(&self, survey: &Survey) -> Result<(), Refusal> {
        let floor = survey.k_anonymity().max(*K_RANGE.start());
        if !K_RANGE.contains(&self.k) || self.k < floor {
            return Err(Refusal::Settings(format!(
                "k must be between {floor} and {} for this survey (it is {})",
                K_RANGE.end(),
                self.k
            )));
        }
        if self.l < DEFAULT_L || self.l > self.k {
            return Err(Refusal::Settings(format!(
                "l must be at least {DEFAULT_L} and at most k (it is {})",
                self.l
            )));
        }
        let f = self.max_suppressed_fraction;
        if !(0.0..=MAX_SUPPRESSED_FRACTION).contains(&f) {
            return Err(Refusal::Settings(format!(
                "at most {}% of records may be left out",
                MAX_SUPPRESSED_FRACTION * 100.0
            )));
        }
        Ok(())
    }
}

/// Why there is no export. The messages are plain words and never show an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("{0}")]
    Settings(String),
    #[error("there are no responses to export")]
    NoResponses,
    #[error("question '{0}' is a quasi-identifier that can't be generalised, so it can't be exported safely")]
    Unsupported(String),
    #[error("{0}")]
    Unreachable(String),
}

/// One column of the output, in question order.
enum Slot {
    Quasi(usize),
    Exported(usize),
}

/// The columns of a survey's export, with every record's codes.
struct Prepared {
    qis: Vec<Qi>,
    exported: Vec<Exported>,
    slots: Vec<Slot>,
    records: usize,
    /// Sensitive columns left out of the export because they have fewer than ℓ different
    /// values over all records (no grouping can make them diverse).
    withheld: Vec<String>,
    /// Per exported column: for a question on a repeating page, its group, instance and the
    /// column's name as written on the page; such columns leave in `groups/<group>.csv`.
    instance_of: Vec<Option<(String, u32, String)>>,
}

impl Prepared {
    /// A sensitive column that is (nearly) the same for everyone cannot be made ℓ-diverse by
    /// any generalisation; rather than refuse the whole export, it is left out — stricter, never
    /// weaker — and named in the manifest.
    fn withhold_uniform(&mut self, l: usize) {
        let uniform: Vec<usize> = self
            .exported
            .iter()
            .enumerate()
            .filter(|(_, e)| e.column.role == Role::Sensitive)
            .filter(|(_, e)| e.distinct_answers(l) < l)
            .map(|(i, _)| i)
            .collect();
        for &i in &uniform {
            if let Some(e) = self.exported.get(i) {
                self.withheld.push(e.column.name.clone());
            }
        }
        self.slots
            .retain(|slot| !matches!(slot, Slot::Exported(i) if uniform.contains(i)));
    }

    fn kept(&self, i: usize) -> bool {
        self.slots
            .iter()
            .any(|slot| matches!(slot, Slot::Exported(j) if *j == i))
    }
}

impl Prepared {
    fn new<'a>(
        survey: &Survey,
        responses: impl IntoIterator<Item = &'a Response>,
    ) -> Result<Prepared, Refusal> {
        let mut qis: Vec<Qi> = Vec::new();
        let mut exported: Vec<Exported> = Vec::new();
        let mut slots: Vec<Slot> = Vec::new();
        let mut instance_of = Vec::new();
        // Per question with columns: its id and its slots, filled per response.
        let mut fill: Vec<(&str, Vec<Slot>)> = Vec::new();
        for q in survey.questions() {
            let mut mine = Vec::new();
            // Filled from the card's batch: where the card was handed out identifies, whatever
            // role a definition stored before that rule gave it.
            let role = if q.compute == Some(crate::survey::Compute::FromBatch) {
                Some(Role::Quasi)
            } else {
                q.role
            };
            match decide(&q.kind, role) {
                Decision::Generalise(how) => {
                    let qi =
                        Qi::new(q, how).ok_or_else(|| Refusal::Unsupported(q.id.to_string()))?;
                    mine.push(Slot::Quasi(qis.len()));
                    slots.push(Slot::Quasi(qis.len()));
                    qis.push(qi);
                }
                Decision::Export(shape) => {
                    let role = q.role.unwrap_or(Role::Sensitive);
                    for c in columns::columns(q, role, shape) {
                        instance_of.push(q.instance.as_ref().map(|of| {
                            let prefix = format!("{}_{}__", of.group, of.number);
                            let name = c
                                .column
                                .name
                                .strip_prefix(&prefix)
                                .unwrap_or(&c.column.name);
                            (of.group.clone(), of.number, name.to_owned())
                        }));
                        mine.push(Slot::Exported(exported.len()));
                        slots.push(Slot::Exported(exported.len()));
                        exported.push(c);
                    }
                }
                Decision::Unsupported => return Err(Refusal::Unsupported(q.id.to_string())),
                Decision::Never | Decision::Nothing => {}
            }
            if !mine.is_empty() {
                fill.push((q.id.as_str(), mine));
            }
        }
        let mut records = 0usize;
        for response in responses {
            records += 1;
            for (id, mine) in &fill {
                let answer = response.get(id);
                for slot in mine {
                    match *slot {
                        Slot::Quasi(i) => {
                            if let Some(qi) = qis.get_mut(i) {
                                qi.push(answer);
                            }
                        }
                        Slot::Exported(i) => {
                            if let Some(e) = exported.get_mut(i) {
                                e.push(answer);
                            }
                        }
                    }
                }
            }
        }
        for qi in &mut qis {
            if !qi.finish() {
                return Err(Refusal::Unsupported(qi.question.clone()));
            }
        }
        Ok(Prepared {
            qis,
            exported,
            slots,
            records,
            withheld: Vec::new(),
            instance_of,
        })
    }

    fn problem(&self, params: &Params) -> Problem<'_> {
        let (sensitive, missing) = self
            .exported
            .iter()
            .enumerate()
            .filter(|(i, e)| e.column.role == Role::Sensitive && self.kept(*i))
            .map(|(_, e)| (e.values.as_slice(), e.missing_values()))
            .unzip();
        Problem {
            qis: &self.qis,
            sensitive,
            missing,
            records: self.records,
            k: params.k as usize,
            l: params.l as usize,
            budget: budget(self.records, params.max_suppressed_fraction),
        }
    }
}

/// The optimum found by evaluating every node, as (scaled loss, records dropped, levels).
#[cfg(test)]
fn exhaustive_optimum<'a>(
    survey: &Survey,
    responses: impl IntoIterator<Item = &'a Response>,
    params: &Params,
) -> Option<(u64, usize, Vec<u8>)> {
    let mut prepared = Prepared::new(survey, responses).ok()?;
    prepared.withhold_uniform(params.l as usize);
    lattice::exhaustive(&prepared.problem(params))
}

/// Anonymises `responses` to `survey` under `params`, shuffling the rows with `rng`.
pub fn anonymise<'a, R: Rng + ?Sized>(
    survey: &Survey,
    responses: impl IntoIterator<Item = &'a Response>,
    params: &Params,
    rng: &mut R,
) -> Result<Anonymised, Refusal> {
    params.validate(survey)?;
    let mut prepared = Prepared::new(survey, responses)?;
    prepared.withhold_uniform(params.l as usize);
    let Prepared {
        qis,
        exported,
        slots,
        records,
        withheld,
        instance_of,
    } = &prepared;
    let in_group = |i: usize| instance_of.get(i).is_some_and(Option::is_some);
    // Columns of repeating pages leave in long form, not in `data.csv`.
    let main_slots: Vec<&Slot> = slots
        .iter()
        .filter(|s| !matches!(s, Slot::Exported(i) if in_group(*i)))
        .collect();
    let records = *records;
    if records == 0 {
        return Err(Refusal::NoResponses);
    }
    let problem = prepared.problem(params);
    let choice = lattice::search(&problem).map_err(|f| explain(f, &problem, exported, params))?;

    // Keep the records of good classes.
    let classes = problem.classify(&choice.node);
    let bad = problem.bad_classes(&classes);
    let keep: Vec<usize> = (0..records)
        .filter(|&r| {
            classes
                .of
                .get(r)
                .is_some_and(|&c| !bad.get(c as usize).copied().unwrap_or(true))
        })
        .collect();

    let level_of = |i: usize| {
        let lv = choice.node.get(i).copied().unwrap_or(0);
        qis.get(i).and_then(|q| q.levels.get(usize::from(lv)))
    };
    let mut columns: Vec<Column> = Vec::with_capacity(slots.len());
    let mut levels = BTreeMap::new();
    for slot in main_slots.iter().copied() {
        match *slot {
            Slot::Quasi(i) => {
                let (Some(qi), Some(level)) = (qis.get(i), level_of(i)) else {
                    continue;
                };
                let used = LevelUsed {
                    number: choice.node.get(i).copied().unwrap_or(0),
                    name: level.name.to_owned(),
                    top: qi.top(),
                };
                levels.insert(qi.question.clone(), used.clone());
                if level.parts.is_empty() {
                    columns.push(Column {
                        name: qi.question.clone(),
                        question: qi.question.clone(),
                        label: qi.label.clone(),
                        role: Role::Quasi,
                        format: level.format,
                        codes: level.codes.clone(),
                        level: Some(used.clone()),
                    });
                }
                // A multi-select: each of its columns is a quasi-identifier.
                for part in &level.parts {
                    columns.push(Column {
                        name: format!("{}.{}", qi.question, part.suffix),
                        question: qi.question.clone(),
                        label: format!("{} — {}", qi.label, part.label),
                        role: Role::Quasi,
                        format: part.format,
                        codes: part.codes.clone(),
                        level: Some(used.clone()),
                    });
                }
            }
            Slot::Exported(i) => {
                if let Some(e) = exported.get(i) {
                    columns.push(e.column.clone());
                }
            }
        }
    }

    let mut rows: Vec<(usize, Row)> = keep
        .iter()
        .map(|&r| {
            let row = Row {
                id: String::new(),
                values: main_slots
                    .iter()
                    .flat_map(|slot| match **slot {
                        Slot::Quasi(i) => {
                            let base = qis.get(i).and_then(|q| q.base.get(r)).copied();
                            let level = level_of(i);
                            let class = level
                                .zip(base)
                                .and_then(|(l, b)| l.map.get(usize::from(b)))
                                .map(|&c| usize::from(c));
                            let value = |values: &[Value]| {
                                class
                                    .and_then(|c| values.get(c))
                                    .copied()
                                    .unwrap_or(Value::Suppressed)
                            };
                            match level {
                                Some(l) if !l.parts.is_empty() => {
                                    l.parts.iter().map(|p| value(&p.values)).collect()
                                }
                                Some(l) => vec![value(&l.values)],
                                None => vec![Value::Suppressed],
                            }
                        }
                        Slot::Exported(i) => vec![exported
                            .get(i)
                            .and_then(|e| e.value(r))
                            .unwrap_or(Value::Suppressed)],
                    })
                    .collect(),
            };
            (r, row)
        })
        .collect();
    rows.shuffle(rng);
    let mut ids = HashSet::with_capacity(rows.len());
    for (_, row) in rows.iter_mut() {
        row.id = loop {
            let id = crate::vault::random_hex::<8>();
            if ids.insert(id.clone()) {
                break id;
            }
        };
    }
    let mut groups = groups::long_form(
        exported,
        instance_of,
        |i| prepared.kept(i),
        rows.iter().map(|(r, row)| (*r, row.id.as_str())),
    );
    groups::label_items(&mut groups, survey);
    let rows: Vec<Row> = rows.into_iter().map(|(_, row)| row).collect();

    let (achieved_k, achieved_l) = achieved(&classes, &bad, &problem);
    Ok(Anonymised {
        survey: survey.id().to_string(),
        columns,
        rows,
        k_requested: params.k,
        l_requested: params.l,
        achieved_k,
        achieved_l,
        records,
        records_suppressed: choice.suppressed,
        levels,
        information_loss: choice.loss as f64 / choice.loss_scale.max(1) as f64,
        lattice_nodes: choice.lattice,
        nodes_evaluated: choice.evaluated,
        withheld_columns: withheld.clone(),
        groups,
    })
}

/// The most records that may be dropped.
fn budget(records: usize, fraction: f64) -> usize {
    let b = (records as f64 * fraction).floor();
    if b.is_finite() && b >= 0.0 {
        (b as usize).min(records)
    } else {
        0
    }
}

/// The smallest class and the fewest distinct sensitive values in a class, over kept classes.
fn achieved(classes: &lattice::Classes, bad: &[bool], p: &Problem<'_>) -> (u32, Option<u32>) {
    let good = |c: usize| !bad.get(c).copied().unwrap_or(true);
    let k = classes
        .sizes
        .iter()
        .enumerate()
        .filter(|(c, _)| good(*c))
        .map(|(_, s)| *s)
        .min()
        .unwrap_or(0);
    let mut l: Option<u32> = None;
    for (column, missing) in p.sensitive.iter().zip(&p.missing) {
        let mut distinct: Vec<HashSet<i64>> = vec![HashSet::new(); classes.sizes.len()];
        for (&c, &v) in classes.of.iter().zip(column.iter()) {
            if good(c as usize) && !missing.contains(&v) {
                if let Some(set) = distinct.get_mut(c as usize) {
                    set.insert(v);
                }
            }
        }
        for (c, set) in distinct.iter().enumerate() {
            // A class where nobody answered the item tells nothing of it.
            if good(c) && !set.is_empty() {
                let n = u32::try_from(set.len()).unwrap_or(u32::MAX);
                l = Some(l.map_or(n, |m| m.min(n)));
            }
        }
    }
    (k, l)
}

/// A refusal in plain words. It names questions, never answers.
fn explain(f: Failure, p: &Problem<'_>, exported: &[Exported], params: &Params) -> Refusal {
    match f {
        Failure::TooManyNodes(n) => Refusal::Settings(format!(
            "this survey has too many quasi-identifiers to search every combination of generalisations ({n} combinations; at most {})",
            lattice::MAX_NODES
        )),
        Failure::Unreachable if p.records < params.k as usize => Refusal::Unreachable(format!(
            "there are fewer responses than k = {k}: no export can put each person in a group of at least {k} people alike",
            k = params.k
        )),
        Failure::Unreachable => {
            let uniform: Vec<&str> = exported
                .iter()
                .filter(|e| e.column.role == Role::Sensitive)
                .filter(|e| e.distinct_answers(params.l as usize) < params.l as usize)
                .map(|e| e.column.name.as_str())
                .collect();
            Refusal::Unreachable(format!(
                "even with every quasi-identifier fully hidden, all rows would form one group in which these sensitive items have fewer than {} different answers, so the rows would reveal them: {}. Nothing was exported; the rules are never weakened.",
                params.l,
                uniform.join(", ")
            ))
        }
    }
}
