//! `load.sps`: reads `data.csv` into SPSS (or PSPP) with variable and value labels, and declares
//! each column's non-answer codes with `MISSING VALUES` so statistics leave them out. Each
//! repeating page's long-form file (`groups/<id>.csv`) becomes the dataset `chorus_<id>`.

use super::names::safe_names;
use crate::export::anonymise::{Anonymised, Column, Value, ValueFormat};

/// Longest piece of a label on one line: older SPSS versions read syntax lines of at most 80
/// bytes, so long labels are split into `"…" + "…"` pieces.
const PIECE: usize = 40;

pub fn script(data: &Anonymised) -> String {
    let mut out = String::from(
        "* Reads data.csv with the codebook's labels; non-answer codes are missing values.\n\
         * Usage: open this file in SPSS or PSPP from the folder holding data.csv and run it.\n",
    );
    out.push_str(&read("data.csv", "chorus", &[], &data.columns));
    // A repeating page's answers, one case per instance, joined to `chorus` by row_id.
    for group in &data.groups {
        out.push_str(&read(
            &format!("groups/{}.csv", group.name),
            &format!("chorus_{}", group.name),
            &["instance"],
            &group.columns,
        ));
        // A page repeated over a multi-select: which option each instance is about.
        if !group.items.is_empty() {
            out.push_str("\nVALUE LABELS\n  instance\n");
            for (i, item) in group.items.iter().enumerate() {
                out.push_str(&format!("    {} {}\n", i + 1, string(item)));
            }
            out.push_str(".\nEXECUTE.\n");
        }
    }
    if !data.groups.is_empty() {
        out.push_str("\nDATASET ACTIVATE chorus.\n");
    }
    out
}

/// Reads one CSV file (`row_id`, the `leading` whole-number columns, then `columns`) into the
/// dataset `dataset`, with labels and missing values.
fn read(file: &str, dataset: &str, leading: &[&str], columns: &[Column]) -> String {
    let names = safe_names(
        std::iter::once("row_id")
            .chain(leading.iter().copied())
            .chain(columns.iter().map(|c| c.name.as_str())),
    );
    let skip = 1 + leading.len();
    // Each file goes into a dataset declared for it: GET DATA replaces the active dataset, so
    // reading the next file into a merely named one would drop the one before.
    let mut out = format!(
        "DATASET DECLARE {dataset}.\nDATASET ACTIVATE {dataset}.\nGET DATA\n  /TYPE=TXT\n  /FILE={}\n  /ENCODING='UTF8'\n  /ARRANGEMENT=DELIMITED\n\
         \x20 /DELCASE=LINE\n  /FIRSTCASE=2\n  /DELIMITERS=\",\"\n  /QUALIFIER='\"'\n  /VARIABLES=\n\
         \x20   row_id A32\n",
        string(file)
    );
    for name in names.iter().skip(1).take(leading.len()) {
        out.push_str(&format!("    {name} F8.0\n"));
    }
    for (column, name) in columns.iter().zip(names.iter().skip(skip)) {
        // A column of `*` only holds no number: it is read as text, and `*` declared missing.
        let format = match column.format {
            ValueFormat::Suppressed => "A1".to_owned(),
            ValueFormat::Decimal { places } => format!("F20.{places}"),
            _ => "F20.0".to_owned(),
        };
        out.push_str(&format!("    {name} {format}\n"));
    }
    out.push_str(".\n\nVARIABLE LABELS\n  row_id \"Random row id, new for every export\"\n");
    for name in names.iter().skip(1).take(leading.len()) {
        out.push_str(&format!("  /{name} \"Instance (1 for the first)\"\n"));
    }
    for (column, name) in columns.iter().zip(names.iter().skip(skip)) {
        out.push_str(&format!(
            "  /{name} {}\n",
            string(&format!("{} ({})", column.label, column.name))
        ));
    }
    out.push_str(".\n");
    let labelled: Vec<String> = columns
        .iter()
        .zip(names.iter().skip(skip))
        .filter_map(|(column, name)| value_labels(column, name))
        .collect();
    if !labelled.is_empty() {
        out.push_str(&format!("\nVALUE LABELS\n  {}.\n", labelled.join("  /")));
    }
    for (column, name) in columns.iter().zip(names.iter().skip(skip)) {
        if let Some(line) = missing_values(column, name) {
            out.push_str(&line);
        }
    }
    out.push_str("\nEXECUTE.\n");
    out
}

fn value(code: Value) -> String {
    match code {
        Value::Code(_) | Value::Scaled { .. } => code.to_string(),
        Value::Suppressed => "\"*\"".to_owned(),
    }
}

fn value_labels(column: &Column, name: &str) -> Option<String> {
    if column.codes.is_empty() {
        return None;
    }
    let mut out = format!("{name}\n");
    for c in &column.codes {
        out.push_str(&format!("    {} {}\n", value(c.code), string(&c.label)));
    }
    Some(out)
}

/// `MISSING VALUES` takes at most three values per variable; a column never has more than
/// three non-answers, but should that change, the range from lowest to highest is declared.
fn missing_values(column: &Column, name: &str) -> Option<String> {
    let codes: Vec<Value> = column.missing_codes().map(|c| c.code).collect();
    if codes.is_empty() {
        return None;
    }
    let list = if codes.len() <= 3 {
        codes
            .iter()
            .map(|c| value(*c))
            .collect::<Vec<_>>()
            .join(", ")
    } else {
        let numbers: Vec<i64> = codes
            .iter()
            .filter_map(|c| match c {
                Value::Code(n) => Some(*n),
                // Codebook codes are whole numbers; a decimal is never a code.
                Value::Scaled { .. } | Value::Suppressed => None,
            })
            .collect();
        let low = numbers.iter().min().copied().unwrap_or(0);
        let high = numbers.iter().max().copied().unwrap_or(0);
        format!("{low} THRU {high}")
    };
    Some(format!("MISSING VALUES {name} ({list}).\n"))
}

/// A double-quoted SPSS string: `"` doubled, control characters as spaces, and long text
/// split into `"…" +` pieces on separate lines.
pub fn string(text: &str) -> String {
    let clean: Vec<char> = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    if clean.is_empty() {
        return "\"\"".to_owned();
    }
    clean
        .chunks(PIECE)
        .map(|piece| {
            let piece: String = piece.iter().collect();
            format!("\"{}\"", piece.replace('"', "\"\""))
        })
        .collect::<Vec<_>>()
        .join(" +\n      ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::loaders::test_data::{hostile, HOSTILE};

    #[test]
    fn each_columns_non_answer_codes_are_declared_missing() {
        let text = script(&hostile());
        assert!(text.contains("MISSING VALUES age (-1, -3).\n"), "{text}");
        assert!(text.contains("MISSING VALUES area (-1, -2, -3).\n"));
        assert!(text.contains("MISSING VALUES drugs_3m_heroin (-3).\n"));
        assert!(text.contains("MISSING VALUES gender (\"*\").\n"));
        assert!(text.contains("    gender A1\n"));
    }

    #[test]
    fn value_labels_list_answers_and_non_answers() {
        let text = script(&hostile());
        assert!(text.contains("\n  /area\n"), "{text}");
        assert!(text.contains("    1 \"Harbour & <docks>\"\n"), "{text}");
        assert!(text.contains("    -2 \"prefer not to say\"\n"));
    }

    #[test]
    fn pspp_reads_hostile_labels_back_and_leaves_non_answers_out() {
        let data = hostile();
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("data.csv"), data.data_csv().expect("csv")).expect("csv");
        std::fs::write(dir.path().join("load.sps"), script(&data)).expect("script");
        std::fs::write(
            dir.path().join("check.sps"),
            "INCLUDE FILE='load.sps'.\nFREQUENCIES VARIABLES=age area gender.\n",
        )
        .expect("check");
        let out = match std::process::Command::new("pspp")
            .args(["-O", "format=csv", "check.sps"])
            .current_dir(dir.path())
            .output()
        {
            Ok(out) => out,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                println!("note: PSPP is not installed, so load.sps was not run");
                return;
            }
            Err(e) => panic!("pspp: {e}"),
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{stdout}");
        assert!(!stdout.to_lowercase().contains("error"), "{stdout}");
        // Valid / missing: age 1 / 2, area 2 / 1; gender (all `*`) is missing for every row.
        let statistics = stdout.split("\n\n").next().unwrap_or_default();
        assert!(statistics.contains("N,Valid,1,2\n"), "{stdout}");
        assert!(statistics.contains(",Missing,2,1\n"), "{stdout}");
        assert!(
            stdout.contains("Missing,suppressed for anonymity,3,"),
            "{stdout}"
        );
        // The label comes back whole (PSPP shows the two characters `\n` as a line break).
        assert!(stdout.contains(r#""Said ""no"" / it's"#), "{stdout}");
        assert!(
            stdout.contains(r#" new line `$HOME' <b>&amp;</b> ""'"#),
            "{stdout}"
        );
    }

    #[test]
    fn quotes_and_newlines_in_labels_stay_inside_their_string() {
        assert_eq!(string("say \"hi\"\nit's \\"), "\"say \"\"hi\"\" it's \\\"");
        let quoted = string(HOSTILE);
        assert!(!quoted.contains('\n') || quoted.contains(" +\n"));
        // Unquoting the pieces gives back the label with its newline as a space.
        let pieces: String = quoted
            .split(" +\n      ")
            .map(|p| p[1..p.len() - 1].replace("\"\"", "\""))
            .collect();
        assert_eq!(pieces, HOSTILE.replace('\n', " "));
        let long = "x".repeat(100);
        assert!(string(&long).lines().all(|l| l.len() < 60));
    }

    #[test]
    fn instances_of_a_page_repeated_over_a_multi_select_are_labelled_with_their_options() {
        let text = script(&crate::export::loaders::test_data::with_over_group());
        let group = text
            .split("/FILE=\"groups/other.csv\"")
            .nth(1)
            .expect("group read");
        assert!(
            group.contains("VALUE LABELS\n  instance\n    1 \"Heroin\"\n    2 "),
            "{group}"
        );
    }
}
