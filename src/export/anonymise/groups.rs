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
                items: Vec::new(),
            }
        })
        .collect()
}

/// Fills in what each instance of a page repeated `over` a multi-select is about.
pub(super) fn label_items(groups: &mut [Group], survey: &crate::survey::Survey) {
    for g in groups {
        for page in survey.pages() {
            let Some(of) = page.repeat_of.as_ref().filter(|of| of.id == g.name) else {
                continue;
            };
            let (Some(item), Ok(n)) = (&of.item, usize::try_from(of.number)) else {
                continue;
            };
            if g.items.len() < n {
                g.items.resize(n, String::new());
            }
            if let Some(slot) = n.checked_sub(1).and_then(|i| g.items.get_mut(i)) {
                *slot = item.text.default_text().to_owned();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_of_a_page_repeated_over_a_multi_select_are_labelled_with_its_options() {
        let survey =
            crate::survey::Survey::parse(include_str!("../../../surveys/outreach-contact.toml"))
                .expect("parses");
        let group = |name: &str| Group {
            name: name.into(),
            columns: Vec::new(),
            rows: Vec::new(),
            items: Vec::new(),
        };
        let mut groups = vec![group("other"), group("elsewhere")];
        label_items(&mut groups, &survey);
        assert_eq!(groups[0].items[..2], ["Heroin", "Fentanyl"]);
        assert!(groups[0].items.iter().all(|i| !i.is_empty()));
        assert!(groups[1].items.is_empty());
        let line = super::super::render::instance_line(&groups[0]);
        assert_eq!(line[0], "other.instance");
        assert!(line[5].starts_with("1=Heroin; 2=Fentanyl"), "{}", line[5]);
        let line = super::super::render::instance_line(&groups[1]);
        assert!(line[1].contains("1 for the first"), "{}", line[1]);
        assert_eq!(line[5], "");
    }
}
