//! The export as CSV text: `data.csv` (a `row_id` column, then one column per variable) and
//! `codebook.csv` (variable, label, role, format, level, codes, and the codes that are missing
//! values: non-answers and `*`).

use super::types::{Anonymised, Column};
use crate::spreadsheet::cell;

impl Anonymised {
    /// The rows as CSV: header `row_id,<column names>`, values as numbers or `*`.
    pub fn data_csv(&self) -> Result<String, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["row_id"];
        header.extend(self.columns.iter().map(|c| c.name.as_str()));
        w.write_record(header.into_iter().map(cell))?;
        for row in &self.rows {
            let mut record = vec![row.id.clone()];
            record.extend(row.values.iter().map(ToString::to_string));
            w.write_record(&record)?;
        }
        finish(w)
    }

    /// A repeating page's answers as CSV: header `row_id,instance,<column names>`, one row per
    /// instance a person answered.
    pub fn group_csv(&self, group: &super::types::Group) -> Result<String, csv::Error> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header = vec!["row_id", "instance"];
        header.extend(group.columns.iter().map(|c| c.name.as_str()));
        w.write_record(header.into_iter().map(cell))?;
        for row in &group.rows {
            let mut record = vec![row.id.clone(), row.instance.to_string()];
            record.extend(row.values.iter().map(ToString::to_string));
            w.write_record(&record)?;
        }
        finish(w)
    }

    /// The codebook as CSV: one line per column; `codes` as `code=label` joined by `; `, and
    /// `missing` the codes among them that are not answers (loaders declare them missing).
    pub fn codebook_csv(&self) -> Result<String, csv::Error> {
        let mut w = crate::spreadsheet::writer();
        w.write_record([
            "variable", "label", "role", "values", "level", "codes", "missing",
        ])?;
        w.write_record([
            "row_id",
            "Random row id, new for every export",
            "",
            "text",
            "",
            "",
            "",
        ])?;
        for c in &self.columns {
            w.write_record(codebook_line(c).iter().map(|f| cell(f)))?;
        }
        // A repeating page's columns, named `group.column`: they are in `groups/<group>.csv`.
        for g in &self.groups {
            w.write_record(instance_line(g).iter().map(|f| cell(f)))?;
            for c in &g.columns {
                let mut line = codebook_line(c);
                line[0] = format!("{}.{}", g.name, c.name);
                line[1] = format!("{} (groups/{}.csv, one row per instance)", c.label, g.name);
                w.write_record(line.iter().map(|f| cell(f)))?;
            }
        }
        finish(w)
    }
}

/// The `instance` column of a repeating page's file: which option an instance is about for a
/// page repeated `over` a multi-select, else its number.
pub(super) fn instance_line(g: &super::types::Group) -> [String; 7] {
    let file = format!("groups/{}.csv", g.name);
    let (label, values, codes) = if g.items.is_empty() {
        (
            format!(
                "Instance of the repeating page ({file}): 1 for the first, 2 for the second, …"
            ),
            "the number as answered",
            String::new(),
        )
    } else {
        (
            format!("Instance of the repeating page ({file}): the option it is about"),
            "codes listed in the codebook",
            g.items
                .iter()
                .enumerate()
                .map(|(i, item)| format!("{}={item}", i + 1))
                .collect::<Vec<_>>()
                .join("; "),
        )
    };
    [
        format!("{}.instance", g.name),
        label,
        String::new(),
        values.into(),
        String::new(),
        codes,
        String::new(),
    ]
}

fn codebook_line(c: &Column) -> [String; 7] {
    let level = c
        .level
        .as_ref()
        .map(|l| format!("{} of {}: {}", l.number, l.top, l.name))
        .unwrap_or_default();
    let codes = c
        .codes
        .iter()
        .map(|cl| format!("{}={}", cl.code, cl.label))
        .collect::<Vec<_>>()
        .join("; ");
    let missing = c
        .missing_codes()
        .map(|cl| cl.code.to_string())
        .collect::<Vec<_>>()
        .join("; ");
    [
        c.name.clone(),
        c.label.clone(),
        c.role.as_str().to_owned(),
        c.format.describe().to_owned(),
        level,
        codes,
        missing,
    ]
}

fn finish(w: csv::Writer<Vec<u8>>) -> Result<String, csv::Error> {
    let bytes = w
        .into_inner()
        .map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))?;
    String::from_utf8(bytes).map_err(|e| csv::Error::from(std::io::Error::other(e.to_string())))
}
