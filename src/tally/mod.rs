//! Counting responses into the table catalogue (docs/releases.md). No disclosure logic and no I/O:
//! every cell carries its true count and its cell key, and only `disclosure` turns them into
//! something that may be shown.
//!
//! Variables are the closed questions: `single`, `number` in its declared bands (a number
//! without bands gets no table), each point of a numeric `scale`, `likert`, a `date` by year,
//! each `grid` row, and each `multi` option as "selected" / "not selected" among those who
//! answered the question. Text and notes never appear. Non-answers are categories of their own;
//! people who were not shown a question, or skipped it, are not in its tables. A question on a
//! repeating page is counted over its instances, in people: per category, those with at least
//! one instance in it against those who answered an instance but never in it
//! (`inj.drug.heroin`).
//!
//! The catalogue holds a one-way table per variable and a two-way table per pair of
//! single-valued variables (everything but multi options and the cells of grids with typed
//! columns), with ids `age` and `age__gender`.

mod choices;
mod count;
mod labels;
mod rds;
mod table;
mod variables;
mod within;

#[cfg(test)]
mod new_kinds_tests;
#[cfg(test)]
mod tests;

pub use choices::Choices;
pub use labels::{band_words, Axis, Category, Label, Translations};
pub use rds::{imputed_degrees, rds_shares, WeightedShares};
pub use table::{Answered, Catalogue, RawCell, RawTable, ShapeError};
pub use within::Within;

pub(crate) use count::{parallel_map, threads};

use crate::survey::{Response, Survey};
use count::Columns;
use variables::{Variable, NONE};

/// Counts `records` (record key, response) into every table of `survey`'s catalogue.
pub fn tally<'a>(
    survey: &Survey,
    records: impl IntoIterator<Item = (u32, &'a Response)>,
) -> Catalogue {
    let numbered = variables::variables(survey);
    // Question ids in sorted order, each with its variables, to walk a response's answers
    // (sorted by question id) in one merge instead of a lookup per variable.
    let mut by_question: Vec<(&str, Vec<usize>)> = Vec::new();
    for (qi, q) in survey.questions().enumerate() {
        let vars: Vec<usize> = numbered
            .iter()
            .enumerate()
            .filter(|(_, (vq, _))| vq.contains(&qi))
            .map(|(vi, _)| vi)
            .collect();
        if !vars.is_empty() {
            by_question.push((q.id.as_str(), vars));
        }
    }
    by_question.sort_by(|a, b| a.0.cmp(b.0));
    let ties = survey.question_ties();
    let ids: Vec<&str> = survey.questions().map(|q| q.id.as_str()).collect();
    let sources: Vec<Vec<&str>> = numbered
        .iter()
        .map(|(questions, _)| {
            questions
                .iter()
                .filter_map(|&q| ids.get(q).copied())
                .collect()
        })
        .collect();
    let mut vars: Vec<Variable> = numbered.into_iter().map(|(_, v)| v).collect();

    let records = records.into_iter();
    let capacity = records.size_hint().0;
    let mut columns = Columns {
        keys: Vec::with_capacity(capacity),
        codes: vars.iter().map(|_| Vec::with_capacity(capacity)).collect(),
    };
    for (key, response) in records {
        columns.keys.push(key);
        for c in columns.codes.iter_mut() {
            c.push(NONE);
        }
        let mut answers = response.answers().iter().peekable();
        for (qid, var_ids) in &by_question {
            while answers.next_if(|(a, _)| a.as_str() < *qid).is_some() {}
            let Some((_, answer)) = answers.next_if(|(a, _)| a.as_str() == *qid) else {
                continue;
            };
            for &vi in var_ids {
                if let (Some(v), Some(col)) = (vars.get(vi), columns.codes.get_mut(vi)) {
                    if let Some(last) = col.last_mut() {
                        // Columns start at NONE; a variable fed by every instance of a
                        // question on a repeating page keeps the smallest code.
                        *last = (*last).min(v.code(answer));
                    }
                }
            }
        }
    }
    for (v, codes) in vars.iter_mut().zip(columns.codes.iter_mut()) {
        v.finish_years(codes);
    }
    // Whether the questionnaire itself may rule out single pairs of two variables' answers:
    // a question feeds both, or rules tie a question of one to a question of the other.
    let tied = |i: usize, j: usize| match (sources.get(i), sources.get(j)) {
        (Some(a), Some(b)) => a.iter().any(|qa| b.iter().any(|qb| ties.tied(qa, qb))),
        _ => true,
    };
    // The pairs of answers the form rules out, per cell (row-major), for two choice questions.
    let ruled_out = |i: usize, j: usize| -> Vec<bool> {
        let (Some(a), Some(b)) = (vars.get(i), vars.get(j)) else {
            return Vec::new();
        };
        let (Some(xs), Some(ys)) = (a.choice_answers(), b.choice_answers()) else {
            return Vec::new();
        };
        survey.ruled_out_pairs(&a.axis.question, &xs, &b.axis.question, &ys)
    };
    let within = within::within_options(survey, &vars, &sources, &columns.codes);
    let mut catalogue = build(&vars, &tied, &ruled_out, &columns);
    catalogue.set_responses(Some(columns.keys.len() as u64));
    catalogue.within = within;
    catalogue.answered = answered(&vars, &columns, &tied);
    catalogue.choices = choices::choices(survey);
    catalogue
        .choices
        .extend(choices::of_repeating_pages(survey));
    choices::narrowed_by_counts(&mut catalogue.choices, survey, &catalogue.tables);
    catalogue
}

/// [`Catalogue::answered`]: for each variable no two-way table crosses, by each single-valued
/// variable. Variables counting the same people (a multi-select's options) are counted once.
fn answered(
    vars: &[Variable],
    columns: &Columns,
    tied: &dyn Fn(usize, usize) -> bool,
) -> Vec<Answered> {
    let empty: &[variables::Code] = &[];
    let codes = |i: usize| columns.codes.get(i).map_or(empty, Vec::as_slice);
    let by: Vec<usize> = (0..vars.len())
        .filter(|&i| vars[i].single_valued && !vars[i].axis.is_empty())
        .collect();
    let mut out = Vec::new();
    // Who each variable counted so far counts, and its answers by each of `by`.
    let mut counted: Vec<(Vec<bool>, Vec<Answered>)> = Vec::new();
    for (x, v) in vars.iter().enumerate() {
        if v.single_valued || v.axis.is_empty() {
            continue;
        }
        let people: Vec<bool> = (codes(x).iter())
            .map(|&c| usize::from(c) < v.axis.len())
            .collect();
        let same = counted.iter().position(|(p, _)| *p == people);
        let per_answer = |k: usize, i: usize| {
            if let Some(same) = same {
                return counted[same].1[k].per_answer.clone();
            }
            let mut per_answer = vec![0; vars[i].axis.len()];
            for (&c, _) in codes(i).iter().zip(&people).filter(|(_, &p)| p) {
                if let Some(n) = per_answer.get_mut(usize::from(c)) {
                    *n += 1;
                }
            }
            per_answer
        };
        let mine: Vec<Answered> = (by.iter().enumerate())
            .map(|(k, &i)| {
                let per_answer = per_answer(k, i);
                Answered {
                    table: v.axis.variable.clone(),
                    by: vars[i].axis.variable.clone(),
                    both: per_answer.iter().sum(),
                    per_answer,
                    tied: tied(i, x),
                }
            })
            .collect();
        out.extend(mine.iter().cloned());
        if same.is_none() {
            counted.push((people, mine));
        }
    }
    out
}

enum Job {
    One(usize),
    Two(usize, usize),
}

fn build(
    vars: &[Variable],
    tied: &(dyn Fn(usize, usize) -> bool + Sync),
    ruled_out: &(dyn Fn(usize, usize) -> Vec<bool> + Sync),
    columns: &Columns,
) -> Catalogue {
    let mut jobs: Vec<Job> = (0..vars.len()).map(Job::One).collect();
    for (i, a) in vars.iter().enumerate() {
        for (j, b) in vars.iter().enumerate().skip(i + 1) {
            if a.single_valued && b.single_valued {
                jobs.push(Job::Two(i, j));
            }
        }
    }
    let empty: &[variables::Code] = &[];
    let codes = |i: usize| columns.codes.get(i).map_or(empty, Vec::as_slice);
    // Each table, and whether the questionnaire ties its two variables together.
    let tables = parallel_map(&jobs, threads(), |job| match *job {
        Job::One(i) => {
            let axis = &vars.get(i)?.axis;
            if axis.is_empty() {
                return None;
            }
            let cells = count::one_way(codes(i), &columns.keys, axis.len());
            let table = RawTable::one_way(axis.variable.clone(), axis.clone(), cells).ok()?;
            Some((table, false))
        }
        Job::Two(i, j) => {
            let (a, b) = (&vars.get(i)?.axis, &vars.get(j)?.axis);
            if a.is_empty() || b.is_empty() {
                return None;
            }
            let cells = count::two_way(codes(i), codes(j), &columns.keys, a.len(), b.len());
            let id = format!("{}__{}", a.variable, b.variable);
            let table = RawTable::two_way(id, a.clone(), b.clone(), cells)
                .ok()?
                .ruling_out(&ruled_out(i, j));
            Some((table, tied(i, j)))
        }
    });
    let mut catalogue = Catalogue::default();
    for (table, linked) in tables.into_iter().flatten() {
        if linked {
            catalogue.linked.insert(table.id().to_owned());
        }
        catalogue.tables.push(table);
    }
    catalogue
}
