//! Text that a spreadsheet opens as text. A CSV cell beginning with `=`, `+`, `-`, `@`, a tab or
//! a carriage return is run as a formula by common spreadsheets (a label someone typed could
//! fetch a web address or worse); such a cell gets a leading apostrophe, which spreadsheets show
//! as text. Plain numbers (`-3`, `+1.5`) stay numbers: they are the data.
//!
//! A spreadsheet set up for a language that writes decimal commas (Spanish, French, German…)
//! splits a CSV line at `;` as well, so a label `Q;=1+1` would put `=1+1` in a cell of its own
//! and run it. Files of labels are written through [`writer`], which puts every cell that is not
//! a number in double quotes: a quoted cell is never split, whatever the separator.

/// A CSV writer for files whose cells are labels people wrote: every cell that is not a number
/// is quoted (see the module documentation). Reading the file back gives the same texts.
pub fn writer() -> csv::Writer<Vec<u8>> {
    csv::WriterBuilder::new()
        .quote_style(csv::QuoteStyle::NonNumeric)
        .from_writer(Vec::new())
}

/// `text` as a safe CSV cell.
pub fn cell(text: &str) -> String {
    let risky = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    if risky && text.parse::<f64>().is_err() {
        format!("'{text}")
    } else {
        text.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn a_cell_that_would_run_as_a_formula_is_turned_into_text() {
        for risky in [
            "=HYPERLINK(\"http://x\")",
            "+cmd",
            "-2+3=don't know",
            "@SUM(A1)",
            "\tx",
            "\rx",
        ] {
            assert_eq!(cell(risky), format!("'{risky}"));
        }
    }

    #[test]
    fn a_label_with_a_semicolon_stays_one_cell_and_reads_back_the_same() {
        let mut out = super::writer();
        out.write_record([cell("Q;=1+1"), cell("x;@SUM(1)"), cell("-3"), cell("yes")])
            .expect("write");
        let bytes = out.into_inner().expect("bytes");
        let line = String::from_utf8(bytes.clone()).expect("utf-8");
        assert_eq!(line, "\"Q;=1+1\",\"x;@SUM(1)\",-3,\"yes\"\n");
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(&bytes[..]);
        let record = reader.records().next().expect("a line").expect("read");
        assert_eq!(
            record.iter().collect::<Vec<_>>(),
            ["Q;=1+1", "x;@SUM(1)", "-3", "yes"]
        );
    }

    #[test]
    fn numbers_and_ordinary_text_are_left_alone() {
        for plain in ["-3", "+1.5", "42", "yes", "don't know", "", "7KQ2-MX9D"] {
            assert_eq!(cell(plain), plain);
        }
    }
}
