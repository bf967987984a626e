//! An independent check of an export, from its rows and columns alone: every combination of
//! quasi-identifier values is shared by at least k rows, and every sensitive column's answers
//! (non-answers aside) take at least ℓ distinct values within each such class that has any.
//! Used by tests and by whoever bundles an export.

use std::collections::{BTreeSet, HashMap};

use crate::survey::Role;

use super::types::{Column, Row, Value};

/// `Ok` when `rows` are k-anonymous and distinct-ℓ-diverse; otherwise what is wrong, in words
/// that name no value.
pub fn check(rows: &[Row], columns: &[Column], k: u32, l: u32) -> Result<(), String> {
    let quasi: Vec<usize> = positions(columns, Role::Quasi);
    let sensitive: Vec<usize> = positions(columns, Role::Sensitive);
    if let Some(c) = columns.iter().find(|c| c.role == Role::FreeText) {
        return Err(format!("column '{}' is free text", c.name));
    }
    let mut classes: HashMap<Vec<Value>, Vec<&Row>> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if row.values.len() != columns.len() {
            return Err(format!(
                "row {} has {} values for {} columns",
                i + 1,
                row.values.len(),
                columns.len()
            ));
        }
        let key = quasi
            .iter()
            .filter_map(|&q| row.values.get(q).copied())
            .collect();
        classes.entry(key).or_default().push(row);
    }
    for members in classes.values() {
        if members.len() < k as usize {
            return Err(format!(
                "a combination of quasi-identifiers is shared by only {} rows (k = {k})",
                members.len()
            ));
        }
        for &s in &sensitive {
            let missing: Vec<Value> = columns
                .get(s)
                .map(|c| c.missing_codes().map(|m| m.code).collect())
                .unwrap_or_default();
            let distinct: BTreeSet<Value> = members
                .iter()
                .filter_map(|r| r.values.get(s).copied())
                .filter(|v| !missing.contains(v))
                .collect();
            // Non-answers are not answers; a class where nobody answered tells nothing.
            if !distinct.is_empty() && distinct.len() < l as usize {
                let name = columns.get(s).map_or("?", |c| c.name.as_str());
                return Err(format!(
                    "sensitive column '{name}' has only {} distinct values in a class of {} rows (l = {l})",
                    distinct.len(),
                    members.len()
                ));
            }
        }
    }
    Ok(())
}

fn positions(columns: &[Column], role: Role) -> Vec<usize> {
    columns
        .iter()
        .enumerate()
        .filter(|(_, c)| c.role == role)
        .map(|(i, _)| i)
        .collect()
}
