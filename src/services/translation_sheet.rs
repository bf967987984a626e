//! The translator's spreadsheet: a CSV with a header `key,<source language>,<target language>`
//! and one row per text. Written so that a spreadsheet never runs a cell as a formula
//! (`crate::spreadsheet::cell`), and read back to exactly the texts that were written.

use crate::spreadsheet::cell;
use crate::survey::Lang;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    pub key: String,
    pub source: String,
    pub target: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sheet {
    pub source_lang: String,
    pub target_lang: String,
    pub rows: Vec<Row>,
}

/// One thing wrong with a sheet, with its row number as a spreadsheet shows it (header = 1).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SheetError {
    #[error("row 1: the first row must be: key, source language, target language (for example key,en,sw)")]
    BadHeader,
    #[error("row 1: '{0}' is not a language code (like sw, ar or pt-br)")]
    BadLanguage(String),
    #[error("row {row}: {message}")]
    BadRow { row: usize, message: String },
}

/// Whether `text` would be changed when written: a leading apostrophe then marks it.
fn quoted(text: &str) -> bool {
    cell(text) != text || text.strip_prefix('\'').is_some_and(quoted)
}

/// A text as a cell: through `cell`, and a text that itself begins with an apostrophe before
/// such a character gets one more, so reading strips exactly one.
fn write_cell(text: &str) -> String {
    if text.starts_with('\'') && quoted(text) {
        format!("'{text}")
    } else {
        cell(text)
    }
}

fn read_cell(text: &str) -> String {
    match text.strip_prefix('\'') {
        Some(rest) if quoted(rest) => rest.to_owned(),
        _ => text.to_owned(),
    }
}

impl Sheet {
    pub fn to_csv(&self) -> String {
        let mut out = crate::spreadsheet::writer();
        let mut write = |fields: [String; 3]| {
            // Writing to memory cannot fail.
            let _ = out.write_record(fields);
        };
        write([
            "key".into(),
            self.source_lang.clone(),
            self.target_lang.clone(),
        ]);
        for row in &self.rows {
            write([
                write_cell(&row.key),
                write_cell(&row.source),
                write_cell(&row.target),
            ]);
        }
        let bytes = out.into_inner().unwrap_or_default();
        String::from_utf8(bytes).unwrap_or_default()
    }

    /// Reads a sheet, reporting every row that does not fit.
    pub fn from_csv(text: &str) -> Result<Sheet, Vec<SheetError>> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let mut records = reader.records();
        let header = match records.next() {
            Some(Ok(h)) if h.len() == 3 && h.get(0).map(str::trim) == Some("key") => h,
            _ => return Err(vec![SheetError::BadHeader]),
        };
        let mut errors = Vec::new();
        let lang = |i: usize, errors: &mut Vec<SheetError>| {
            let l = header.get(i).unwrap_or("").trim().to_owned();
            if Lang::parse(&l).is_none() {
                errors.push(SheetError::BadLanguage(l.clone()));
            }
            l
        };
        let source_lang = lang(1, &mut errors);
        let target_lang = lang(2, &mut errors);
        let mut rows = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        for (i, record) in records.enumerate() {
            let row = i + 2;
            let bad = |message: String| SheetError::BadRow { row, message };
            let record = match record {
                Ok(r) => r,
                Err(e) => {
                    errors.push(bad(format!("could not be read ({e})")));
                    continue;
                }
            };
            if record.iter().all(|f| f.trim().is_empty()) {
                continue;
            }
            if record.len() != 3 {
                errors.push(bad(format!(
                    "has {} cells; it needs 3 (key, source text, translation)",
                    record.len()
                )));
                continue;
            }
            let key = read_cell(record.get(0).unwrap_or("").trim());
            if key.is_empty() {
                errors.push(bad("has no key in the first cell".into()));
                continue;
            }
            if !seen.insert(key.clone()) {
                errors.push(bad(format!("'{key}' appears twice")));
                continue;
            }
            rows.push(Row {
                key,
                source: read_cell(record.get(1).unwrap_or("")),
                target: read_cell(record.get(2).unwrap_or("")),
            });
        }
        if errors.is_empty() {
            Ok(Sheet {
                source_lang,
                target_lang,
                rows,
            })
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, source: &str, target: &str) -> Row {
        Row {
            key: key.into(),
            source: source.into(),
            target: target.into(),
        }
    }

    #[test]
    fn a_sheet_reads_back_exactly_as_written() {
        let sheet = Sheet {
            source_lang: "en".into(),
            target_lang: "ar".into(),
            rows: vec![
                row("next", "Next", "التالي"),
                row("page_of", "Page {n} of {total}", "الصفحة {n} من {total}"),
                row("quote", "Say \"no\", then, go", "line one\nline two"),
                row("formula", "=HYPERLINK(\"x\")", "-2+3"),
                row("apostrophe", "'=already", "''+twice"),
                row("number", "-3", "+1.5"),
                row("empty", "Something", ""),
                row("plain_apostrophe", "'quoted'", "l'été"),
            ],
        };
        let csv = sheet.to_csv();
        assert!(
            !csv.contains(",=HYPERLINK"),
            "a formula left as a formula: {csv}"
        );
        assert_eq!(Sheet::from_csv(&csv), Ok(sheet));
    }

    #[test]
    fn every_bad_row_is_reported_with_its_number() {
        let csv = "key,en,sw\nnext,Next,Mbele\n,Back,Rudi\nnext,Next,Tena\nsend,Send\n";
        let errors = Sheet::from_csv(csv).expect_err("bad rows");
        let rows: Vec<String> = errors.iter().map(ToString::to_string).collect();
        assert_eq!(rows.len(), 3, "{rows:?}");
        assert!(rows[0].starts_with("row 3:"));
        assert!(rows[1].starts_with("row 4:"));
        assert!(rows[2].starts_with("row 5:"));
    }

    #[test]
    fn a_sheet_without_the_header_or_with_a_bad_language_is_refused() {
        assert_eq!(
            Sheet::from_csv("next,Next,Mbele\n"),
            Err(vec![SheetError::BadHeader])
        );
        assert_eq!(
            Sheet::from_csv("key,en,Swahili\n"),
            Err(vec![SheetError::BadLanguage("Swahili".into())])
        );
    }
}
