//! The answers of repeating pages in long form: `groups/<group>.csv`, one row per instance a
//! person answered (`row_id`, `instance`, then one column per question of the page).
//!
//! Each instance's questions are exported columns like any other while the export is made, so
//! ℓ-diversity covers them and a record left out of `data.csv` is left out here too; only
//! where they are written changes. The group file carries no quasi-identifier, so k-anonymity
//! is decided on `data.csv` alone: a researcher joins the two by row id, and what they see of
//! each person is what the rules allowed.

use super::columns::Exported;
use super::types::{Column, Group, GroupRow, Value};

/// A group being gathered: its name, its columns (from its first instance) and, per instance,
/// the exported column behind each of its columns.
type Gathering = (String, Vec<Column>, Vec<Vec<Option<usize>>>);

/// The long-form groups, in the order their first columns appear. `kept(i)`: whether exported
/// column `i` survived ℓ-diversity; `rows`: (record, row id) of every row of `data.csv`, in
/// its order.
pub(super) fn long_form<'a>(
    exported: &[Exported],
    instance_of: &[Option<(String, u32, String)>],
    kept: impl Fn(usize) -> bool,
    rows: impl Iterator<Item = (usize, &'a str)>,
) -> Vec<Group> {
    let mut groups: Vec<Gathering> = Vec::new();
    for (i, of) in instance_of.iter().enumerate() {
        let (Some((group, number, name)), Some(e)) = (of, exported.get(i)) else {
            continue;
        };
        let at = match groups.iter().position(|(g, _, _)| g == group) {
            Some(at) => at,
            None => {
                groups.push((group.clone(), Vec::new(), Vec::new()));
                groups.len() - 1
            }
        };
        let Some((_, columns, instances)) = groups.get_mut(at) else {
            continue;
        };
        let column = match columns.iter().position(|c| c.name == *name) {
            Some(c) => c,
            None => {
                let mut c = e.column.clone();
                c.name.clone_from(name);
                columns.push(c);
                columns.len() - 1
            }
        };
        let n = usize::try_from(*number).unwrap_or(0).saturating_sub(1);
        if instances.len() <= n {
            instances.resize(n + 1, Vec::new());
        }
        if let Some(slots) = instances.get_mut(n) {
            if slots.len() <= column {
                slots.resize(column + 1, None);
            }
            if let Some(slot) = slots.get_mut(column) {
                *slot = Some(i);
            }
        }
    }
    let rows: Vec<(usize, &str)> = rows.collect();
    groups
        .into_iter()
        .map(|(name, columns, instances)| {
            let mut out = Vec::new();
            for &(record, id) in &rows {
                for (n, slots) in instances.iter().enumerate() {
                    let cells: Vec<(Option<&Exported>, bool)> = (0..columns.len())
                        .map(|c| {
                            let i = slots.get(c).copied().flatten();
                            (i.and_then(|i| exported.get(i)), i.is_some_and(&kept))
                        })
                        .collect();
                    let value = |(e, kept): (Option<&Exported>, bool)| -> Option<Value> {
                        e.filter(|_| kept).and_then(|e| e.value(record))
                    };
                    // An instance nobody answered (past the person's count) has no row.
                    let answered = cells.iter().any(|&(e, _)| {
                        e.and_then(|e| e.values.get(record).map(|v| *v != e.not_answered()))
                            .unwrap_or(false)
                    });
                    if !answered {
                        continue;
                    }
                    out.push(GroupRow {
                        id: id.to_owned(),
                        instance: u32::try_from(n + 1).unwrap_or(u32::MAX),
                        values: cells
                            .into_iter()
                            .map(|cell| value(cell).unwrap_or(Value::Suppressed))
                            .collect(),
                    });
                }
            }
            Group {
                name,
                columns,
                rows: out,
            }
        })
        .collect()
}
