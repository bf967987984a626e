//! Text that a spreadsheet opens as text. A CSV cell beginning with `=`, `+`, `-`, `@`, a tab or
//! a carriage return is run as a formula by common spreadsheets (a label someone typed could
//! fetch a web address or worse); such a cell gets a leading apostrophe, which spreadsheets show
//! as text. Plain numbers (`-3`, `+1.5`) stay numbers: they are the data.

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
    fn numbers_and_ordinary_text_are_left_alone() {
        for plain in ["-3", "+1.5", "42", "yes", "don't know", "", "7KQ2-MX9D"] {
            assert_eq!(cell(plain), plain);
        }
    }
}
