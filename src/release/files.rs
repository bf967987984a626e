//! A release as downloadable files: one CSV per table, zipped. Built from the frozen document, so
//! every download of a release is the same.

use super::document::{ReleaseDocument, Table};
use crate::spreadsheet;
use std::io::Write;

#[derive(Debug, thiserror::Error)]
#[error("could not build the download: {0}")]
pub struct FilesError(String);

/// `release-N/{table}.csv` for every shown table, plus `README.txt` with the note, and
/// `withheld.csv` naming every table not shown and why (a question left out of the download
/// without a word would read as one never asked).
pub fn csv_zip(doc: &ReleaseDocument) -> Result<Vec<u8>, FilesError> {
    let err = |e: &dyn std::fmt::Display| FilesError(e.to_string());
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        // A fixed date: the files carry no time of their own.
        .last_modified_time(zip::DateTime::default());
    let folder = format!("{}-release-{}", doc.survey, doc.release);
    zip.start_file(format!("{folder}/README.txt"), options)
        .map_err(|e| err(&e))?;
    let withheld = if doc.withheld.is_empty() {
        String::new()
    } else {
        format!(
            "\n{} tables are not shown: withheld.csv names each, with the reason and what may help.\n",
            doc.withheld.len()
        )
    };
    let readme = format!(
        "{}\nRelease {} of survey '{}'{}.\n\n{}\n\nIn the tables, {}\n{withheld}",
        doc.title,
        doc.release,
        doc.survey,
        if doc.is_final { " (final)" } else { "" },
        doc.note,
        super::HIDDEN_LEGEND
    );
    zip.write_all(readme.as_bytes()).map_err(|e| err(&e))?;
    if !doc.withheld.is_empty() {
        zip.start_file(format!("{folder}/withheld.csv"), options)
            .map_err(|e| err(&e))?;
        let mut out = spreadsheet::writer();
        write_row(
            &mut out,
            ["Table", "Not shown because", "What may help"]
                .map(str::to_owned)
                .into_iter(),
        )?;
        for w in &doc.withheld {
            let row = [w.title.clone(), w.reason.clone(), w.what_helps.clone()];
            write_row(&mut out, row.into_iter())?;
        }
        let bytes = out.into_inner().map_err(|e| FilesError(e.to_string()))?;
        zip.write_all(&bytes).map_err(|e| err(&e))?;
    }
    for table in &doc.tables {
        zip.start_file(format!("{folder}/{}.csv", table.id), options)
            .map_err(|e| err(&e))?;
        zip.write_all(&table_csv(table)?).map_err(|e| err(&e))?;
    }
    let cursor = zip.finish().map_err(|e| err(&e))?;
    Ok(cursor.into_inner())
}

/// One table: a header row of column labels, then one row per row label; every hidden count
/// is the word `hidden` (explained in the README), whatever its size.
pub fn table_csv(table: &Table) -> Result<Vec<u8>, FilesError> {
    let mut out = crate::spreadsheet::writer();
    let weighted = table.rds_percent.as_ref();
    let header = std::iter::once(table.title.clone())
        .chain(table.columns.iter().map(|c| c.label.clone()))
        .chain(weighted.map(|_| "RDS-II weighted %".to_owned()));
    write_row(&mut out, header)?;
    for (i, (line, cells)) in table.rows.iter().zip(&table.cells).enumerate() {
        let values = cells.iter().map(|c| match c.count {
            Some(n) if !c.suppressed => n.to_string(),
            _ => "hidden".to_owned(),
        });
        // A weighted percentage is absent exactly where the count is hidden.
        let percent = weighted.map(|w| match w.get(i).copied().flatten() {
            Some(p) => p.to_string(),
            None => "hidden".to_owned(),
        });
        write_row(
            &mut out,
            std::iter::once(line.label.clone())
                .chain(values)
                .chain(percent),
        )?;
    }
    out.into_inner().map_err(|e| FilesError(e.to_string()))
}

/// Every cell goes through `spreadsheet::cell`: titles and labels come from survey definitions
/// and translators' sheets, and a spreadsheet would run one starting with `=` as a formula.
/// Counts and percentages are numbers, which it leaves alone.
fn write_row(
    out: &mut csv::Writer<Vec<u8>>,
    cells: impl Iterator<Item = String>,
) -> Result<(), FilesError> {
    out.write_record(cells.map(|c| spreadsheet::cell(&c)))
        .map_err(|e| FilesError(e.to_string()))
}
