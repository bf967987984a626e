//! `load.R`: reads `data.csv` into the data frame `chorus`; each column's non-answer codes (and
//! `*`) become `NA`, so `mean()` and friends never count them; categories become factors with
//! the codebook's labels; every column carries its question text as the `label` attribute.

use crate::export::anonymise::{Anonymised, Column, ValueFormat};

/// The script's text. Labels are written as escaped ASCII R strings, so the file reads the same
/// in any locale and no label can end its string.
pub fn script(data: &Anonymised) -> String {
    let mut out = String::from(
        "# Reads data.csv with the codebook's labels as factors; non-answers are NA.\n\
         # Usage: source(\"load.R\"); str(chorus)\n\
         chorus <- read.csv(\"data.csv\", na.strings = \"*\", check.names = FALSE,\n\
         \x20                  colClasses = c(row_id = \"character\"), stringsAsFactors = FALSE)\n",
    );
    for column in &data.columns {
        out.push_str(&column_lines(column, "chorus"));
    }
    // A repeating page's answers, one row per instance, joined to `chorus` by row_id.
    for group in &data.groups {
        let frame = format!("chorus_{}", group.name);
        out.push_str(&format!(
            "{frame} <- read.csv({}, na.strings = \"*\", check.names = FALSE,\n\
             \x20                  colClasses = c(row_id = \"character\"), stringsAsFactors = FALSE)\n",
            string(&format!("groups/{}.csv", group.name))
        ));
        // A page repeated over a multi-select: which option each instance is about.
        if !group.items.is_empty() {
            let labels: Vec<String> = group.items.iter().map(|i| string(i)).collect();
            out.push_str(&format!(
                "{frame}[[\"instance\"]] <- factor({frame}[[\"instance\"]], levels = 1:{}, labels = c({}))\n",
                labels.len(),
                labels.join(", ")
            ));
        }
        for column in &group.columns {
            out.push_str(&column_lines(column, &frame));
        }
    }
    out
}

/// For a survey with coupons: makes `chorus` an `rds.data.frame` (the RDS package's id,
/// recruiter id, network size and coupon attributes) when the RDS package is installed, and
/// otherwise sets the same attributes on the plain data frame, so code written for either works.
pub fn rds_lines(max_coupons: u32) -> String {
    format!(
        "# Respondent-driven sampling: seeds have recruiter id 0 (see codebook.csv).\n\
         if (requireNamespace(\"RDS\", quietly = TRUE)) {{\n\
         \x20 chorus <- RDS::as.rds.data.frame(chorus, id = \"rds_id\",\n\
         \x20   recruiter.id = \"rds_recruiter_id\", network.size = \"rds_network_size\",\n\
         \x20   max.coupons = {max_coupons})\n\
         }} else {{\n\
         \x20 attr(chorus, \"id\") <- \"rds_id\"\n\
         \x20 attr(chorus, \"recruiter.id\") <- \"rds_recruiter_id\"\n\
         \x20 attr(chorus, \"network.size.variable\") <- \"rds_network_size\"\n\
         \x20 attr(chorus, \"max.coupons\") <- {max_coupons}\n\
         }}\n"
    )
}

fn column_lines(column: &Column, frame: &str) -> String {
    let name = string(&column.name);
    let mut out = String::new();
    let missing: Vec<String> = column
        .missing_codes()
        .filter_map(|c| code(&c.code))
        .collect();
    if !missing.is_empty() {
        out.push_str(&format!(
            "{frame}[[{name}]][{frame}[[{name}]] %in% c({})] <- NA\n",
            missing.join(", ")
        ));
    }
    let answers: Vec<_> = column.answer_codes().collect();
    if column.format == ValueFormat::Categories && !answers.is_empty() {
        let codes: Vec<String> = answers.iter().filter_map(|c| code(&c.code)).collect();
        let labels: Vec<String> = answers.iter().map(|c| string(&c.label)).collect();
        out.push_str(&format!(
            "{frame}[[{name}]] <- factor({frame}[[{name}]], levels = c({}), labels = c({}))\n",
            codes.join(", "),
            labels.join(", ")
        ));
    }
    out.push_str(&format!(
        "attr({frame}[[{name}]], \"label\") <- {}\n",
        string(&column.label)
    ));
    out
}

/// A numeric code as R source; `*` has no code (it is read as `NA`).
fn code(value: &crate::export::anonymise::Value) -> Option<String> {
    match value {
        crate::export::anonymise::Value::Code(_)
        | crate::export::anonymise::Value::Scaled { .. } => Some(value.to_string()),
        crate::export::anonymise::Value::Suppressed => None,
    }
}

/// A double-quoted R string literal in ASCII: quotes and backslashes escaped, control
/// characters dropped, everything beyond ASCII as `\u{…}` / `\U{…}`.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() => {}
            c if c.is_ascii() => out.push(c),
            c if u32::from(c) <= 0xFFFF => out.push_str(&format!("\\u{{{:04x}}}", u32::from(c))),
            c => out.push_str(&format!("\\U{{{:08x}}}", u32::from(c))),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::loaders::test_data::{hostile, HOSTILE};

    #[test]
    fn non_answer_codes_become_na_in_number_columns_too() {
        let text = script(&hostile());
        assert!(
            text.contains("chorus[[\"age\"]][chorus[[\"age\"]] %in% c(-1, -3)] <- NA"),
            "{text}"
        );
    }

    #[test]
    fn categories_become_factors_of_their_answer_labels_only() {
        let text = script(&hostile());
        let line = text
            .lines()
            .find(|l| l.starts_with("chorus[[\"area\"]] <- factor("))
            .expect("a factor line");
        assert!(line.contains("levels = c(1, 2)"), "{line}");
        assert!(!line.contains("don't know"), "{line}");
    }

    #[test]
    fn r_reads_hostile_labels_back_and_counts_non_answers_as_na() {
        let data = hostile();
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("data.csv"), data.data_csv().expect("csv")).expect("csv");
        std::fs::write(dir.path().join("load.R"), script(&data)).expect("script");
        let check = "source(\"load.R\"); cat(sum(is.na(chorus$age)), sum(is.na(chorus$area)), \
                     sum(is.na(chorus$gender)), sep = \"\\n\"); \
                     cat(levels(chorus$area), sep = \"\\n\")";
        let out = match std::process::Command::new("Rscript")
            .args(["-e", check])
            .current_dir(dir.path())
            .output()
        {
            Ok(out) => out,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                println!(
                    "note: Rscript is not installed, so R was not run (scripts/test installs it)"
                );
                return;
            }
            Err(e) => panic!("Rscript: {e}"),
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let lines: Vec<&str> = stdout.lines().collect();
        assert_eq!(&lines[..3], ["2", "1", "3"], "{stdout}");
        assert_eq!(lines[3], "Harbour & <docks>");
        assert_eq!(lines[4], HOSTILE.replace('\n', " "));
    }

    #[test]
    fn quotes_backslashes_and_newlines_in_labels_stay_inside_their_string() {
        assert_eq!(string("a\"b\\c\nd'e"), "\"a\\\"b\\\\c d'e\"");
        assert_eq!(string("café <&>"), "\"caf\\u{00e9} <&>\"");
        assert_eq!(string("x\u{7}y"), "\"xy\"");
        let text = script(&hostile());
        assert!(text.is_ascii());
        // Every line is a comment or one whole statement: nothing a label held split a line.
        for line in text.lines() {
            assert!(
                line.starts_with('#')
                    || line.starts_with("chorus")
                    || line.starts_with("attr(")
                    || line.starts_with("  "),
                "{line}"
            );
        }
    }

    #[test]
    fn instances_of_a_page_repeated_over_a_multi_select_are_labelled_with_their_options() {
        let text = script(&crate::export::loaders::test_data::with_over_group());
        let line = text
            .lines()
            .find(|l| l.starts_with("chorus_other[[\"instance\"]] <- factor("))
            .expect("instance labels");
        assert!(
            line.contains("levels = 1:2, labels = c(\"Heroin\", "),
            "{line}"
        );
    }
}
