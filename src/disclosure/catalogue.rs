//! A whole release: one-way tables first, then every two-way table against the one-way tables
//! it shares margins with, all audited with every earlier release of the survey.

use std::collections::HashMap;

use crate::tally::{parallel_map, threads, Catalogue, RawTable};

use super::earlier::EarlierRelease;
use super::protect::{protect_with, Released, Withheld};
use super::two_way::{protect_two_way, OneWay};

/// Protects every table of a catalogue, in catalogue order, on a few threads.
///
/// One-way tables are protected on their own (a one-way count is hidden only to protect a count
/// of its own table), with the audit assuming the reader has every `earlier` release. A two-way
/// table is then redesigned, has inner cells hidden, or is withheld, so that no hidden number —
/// its own, or one of its one-way tables', now or in an earlier release — can be bounded
/// narrower than the threshold by the three tables and the earlier releases together.
pub fn protect_catalogue(
    catalogue: &Catalogue,
    threshold: u32,
    earlier: &[EarlierRelease],
) -> Vec<Released> {
    let tables = &catalogue.tables;
    let withheld = |table: &RawTable, reason| {
        Released::Withheld(Withheld {
            id: table.id().to_owned(),
            rows: table.rows().clone(),
            columns: table.columns().cloned(),
            reason,
        })
    };
    let one_way: Vec<usize> = (0..tables.len())
        .filter(|&i| tables[i].columns().is_none())
        .collect();
    let first = parallel_map(&one_way, threads(), |&i| {
        match protect_with(&tables[i], threshold, earlier) {
            Ok(t) => Released::Shown(t),
            Err(reason) => withheld(&tables[i], reason),
        }
    });
    let mut out: Vec<Option<Released>> = vec![None; tables.len()];
    let mut by_variable: HashMap<&str, (usize, usize)> = HashMap::new();
    for (k, (&i, released)) in one_way.iter().zip(&first).enumerate() {
        by_variable.insert(tables[i].id(), (i, k));
        out[i] = Some(released.clone());
    }
    let lookup = |variable: &str| -> Option<OneWay<'_>> {
        let &(i, k) = by_variable.get(variable)?;
        Some(OneWay {
            raw: &tables[i],
            shown: first.get(k).and_then(Released::shown),
        })
    };
    let two_way: Vec<usize> = (0..tables.len())
        .filter(|&i| tables[i].columns().is_some())
        .collect();
    let second = parallel_map(&two_way, threads(), |&i| {
        let table = &tables[i];
        let a = lookup(&table.rows().variable);
        let b = table.columns().and_then(|c| lookup(&c.variable));
        let result = match (a, b) {
            (Some(a), Some(b)) => protect_two_way(table, threshold, &a, &b, earlier),
            _ => Err(super::Refusal::TooFewForBreakdown),
        };
        match result {
            Ok(t) => Released::Shown(t),
            Err(reason) => withheld(table, reason),
        }
    });
    for (&i, released) in two_way.iter().zip(second) {
        out[i] = Some(released);
    }
    out.into_iter().flatten().collect()
}
