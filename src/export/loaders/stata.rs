//! `load.do`: reads `data.csv` into Stata with variable and value labels. Non-answers become
//! extended missing values — `.a` don't know, `.b` prefer not to say, `.c` not shown or not
//! answered, `.d`, `.e`… the survey's own non-answers, `.s` suppressed for anonymity — labelled like the codebook, so `summarize` and
//! `tabulate` leave them out unless asked (`tabulate x, missing`). With repeating pages, each
//! long-form file (`groups/<id>.csv`) is saved as `chorus_<id>.dta` and `data.csv` reopened.

use super::names::safe_names;
use crate::export::anonymise::{Anonymised, Column, Missing, Value, ValueFormat};

/// Extended missing values for a column's own non-answers, in order (`.d` the first).
const OWN: [&str; 14] = [
    ".d", ".e", ".f", ".g", ".h", ".i", ".j", ".k", ".l", ".m", ".n", ".o", ".p", ".q",
];

fn letter(missing: Missing) -> &'static str {
    match missing {
        Missing::DontKnow => ".a",
        Missing::PreferNotToSay => ".b",
        Missing::NotAnswered => ".c",
        Missing::Own(n) => OWN.get(usize::from(n)).copied().unwrap_or(".r"),
        Missing::Suppressed => ".s",
    }
}

pub fn script(data: &Anonymised) -> String {
    let mut out = String::from(
        "* Reads data.csv with the codebook's labels. Non-answers are extended missing values:\n\
         * .a don't know, .b prefer not to say, .c not shown or not answered,\n\
         * .d, .e, ... the survey's own non-answers, .s suppressed.\n\
         * Usage: do load.do (in the folder holding data.csv)\n\
         version 14\n",
    );
    out.push_str(&read("data.csv", &[], &data.columns));
    if data.groups.is_empty() {
        return out;
    }
    // A repeating page's answers, one observation per instance, joined by row_id: Stata 14
    // holds one dataset at a time, so each is saved beside the files and data.csv reopened.
    out.push_str("save \"chorus.dta\", replace\n");
    for group in &data.groups {
        out.push_str(&read(
            &format!("groups/{}.csv", group.name),
            &["instance"],
            &group.columns,
        ));
        out.push_str("label variable instance `\"Instance (1 for the first)\"'\n");
        // A page repeated over a multi-select: which option each instance is about.
        if !group.items.is_empty() {
            let labels: Vec<String> = group
                .items
                .iter()
                .enumerate()
                .map(|(i, item)| format!("{} {}", i + 1, string(item)))
                .collect();
            out.push_str(&format!(
                "label define chorus_instance {}, replace\nlabel values instance chorus_instance\n",
                labels.join(" ")
            ));
        }
        out.push_str(&format!("save \"chorus_{}.dta\", replace\n", group.name));
    }
    out.push_str("use \"chorus.dta\", clear\n");
    out
}

/// Reads one CSV file (`row_id`, the `leading` whole-number columns, then `columns`) with
/// variable and value labels and missing values, replacing the data in memory.
fn read(file: &str, leading: &[&str], columns: &[Column]) -> String {
    let names = safe_names(
        std::iter::once("row_id")
            .chain(leading.iter().copied())
            .chain(columns.iter().map(|c| c.name.as_str())),
    );
    let skip = 1 + leading.len();
    // Columns of `*` only are read as text, then turned into `.s`; row ids are always text.
    let mut text_columns = vec![1];
    text_columns.extend(
        columns
            .iter()
            .zip(skip + 1..)
            .filter(|(c, _)| c.format == ValueFormat::Suppressed)
            .map(|(_, i)| i),
    );
    let text_columns: Vec<String> = text_columns.iter().map(ToString::to_string).collect();
    let mut out = format!(
        "import delimited using \"{file}\", varnames(nonames) rowrange(2) \
         stringcols({}) encoding(\"utf-8\") delimiters(\",\") clear\n",
        text_columns.join(" ")
    );
    for (i, name) in names.iter().enumerate().take(skip) {
        out.push_str(&format!("rename v{} {name}\n", i + 1));
    }
    for (i, (column, name)) in columns.iter().zip(names.iter().skip(skip)).enumerate() {
        out.push_str(&format!("rename v{} {name}\n", i + skip + 1));
        out.push_str(&column_lines(column, name, i + 1));
    }
    out
}

fn column_lines(column: &Column, name: &str, index: usize) -> String {
    let mut out = format!(
        "label variable {name} {}\n",
        string(&format!("{} ({})", column.label, column.name))
    );
    if column.format == ValueFormat::Suppressed {
        out.push_str(&format!(
            "quietly destring {name}, replace force\nquietly replace {name} = .s\n"
        ));
    }
    let recodes: Vec<String> = column
        .missing_codes()
        .filter_map(|c| match (c.code, c.missing) {
            (Value::Code(n), Some(m)) => Some(format!("{n}={}", letter(m))),
            _ => None,
        })
        .collect();
    if !recodes.is_empty() {
        out.push_str(&format!("mvdecode {name}, mv({})\n", recodes.join(" \\ ")));
    }
    if column.codes.is_empty() {
        return out;
    }
    let labels: Vec<String> = column
        .codes
        .iter()
        .map(|c| {
            let value = match (c.code, c.missing) {
                (_, Some(m)) => letter(m).to_owned(),
                (Value::Code(_) | Value::Scaled { .. }, None) => c.code.to_string(),
                (Value::Suppressed, None) => letter(Missing::Suppressed).to_owned(),
            };
            format!("{value} {}", string(&c.label))
        })
        .collect();
    let label_name = format!("chorus_{index}");
    out.push_str(&format!(
        "label define {label_name} {}, replace\nlabel values {name} {label_name}\n",
        labels.join(" ")
    ));
    out
}

/// A Stata compound-quoted string `` `"…"' `` that no label can end or expand: control
/// characters become spaces; `` ` `` becomes `'` and `$` is escaped as `\$` (no macro can
/// expand); a `\` just before a `$` becomes `/` (so it can't cancel that escape); `'` right
/// after `"` becomes `’` (so `"'` can't close the quote early); and `//`, `/*`, `*/` get a space
/// between their two characters, since a do-file comment could otherwise start inside a label
/// that holds an odd number of `"`.
pub fn string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 4);
    out.push_str("`\"");
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let previous = i.checked_sub(1).and_then(|p| chars.get(p)).copied();
        let next = chars.get(i + 1).copied();
        let comment = match c {
            '/' => out.ends_with(['/', '*']),
            '*' => out.ends_with('/'),
            _ => false,
        };
        if comment {
            out.push(' ');
        }
        match c {
            c if c.is_control() => out.push(' '),
            '`' => out.push('\''),
            '$' => out.push_str("\\$"),
            '\\' if matches!(next, Some('$' | '`')) => out.push('/'),
            '\'' if previous == Some('"') => out.push('’'),
            c => out.push(c),
        }
    }
    out.push_str("\"'");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::loaders::test_data::{hostile, HOSTILE};

    #[test]
    fn non_answers_become_extended_missing_values_with_their_labels() {
        let text = script(&hostile());
        assert!(
            text.contains("mvdecode age, mv(-1=.a \\ -3=.c)\n"),
            "{text}"
        );
        assert!(text.contains("mvdecode area, mv(-1=.a \\ -2=.b \\ -3=.c)\n"));
        assert!(text.contains(".a `\"don't know\"'"), "{text}");
        assert!(text.contains("label values area chorus_2\n"));
    }

    #[test]
    fn names_stata_refuses_are_renamed_and_suppressed_columns_become_dot_s() {
        let text = script(&hostile());
        assert!(text.contains("rename v4 drugs_3m_heroin\n"), "{text}");
        assert!(text.contains("stringcols(1 5)"), "{text}");
        assert!(text.contains("quietly replace gender = .s\n"));
    }

    #[test]
    fn labels_cannot_end_their_quote_expand_a_macro_or_start_a_new_line() {
        let quoted = string(HOSTILE);
        assert_eq!(
            quoted,
            "`\"Said \"no\" / it's\\n new line '\\$HOME' <b>&amp;</b> \"’\"'"
        );
        // The only `"'` is the closing one; no unescaped `$`; no backtick after the opening.
        assert_eq!(quoted.matches("\"'").count(), 1);
        assert!(quoted.ends_with("\"'"));
        assert!(!quoted[1..].contains('`'));
        assert!(quoted
            .match_indices('$')
            .all(|(i, _)| &quoted[i - 1..i] == "\\"));
        assert_eq!(string("a\\$b"), "`\"a/\\$b\"'");
        assert_eq!(
            string("a\" /// b /* c */ d"),
            "`\"a\" / / / b / * c * / d\"'"
        );
        let text = script(&hostile());
        assert_eq!(
            text.lines()
                .filter(|l| l.starts_with("label define"))
                .count(),
            4
        );
    }

    #[test]
    fn a_repeating_pages_file_is_read_labelled_and_saved_beside_the_data() {
        let mut data = hostile();
        let area = data.columns[1].clone();
        data.groups.push(crate::export::anonymise::Group {
            name: "substance".into(),
            columns: vec![area],
            rows: Vec::new(),
            items: Vec::new(),
        });
        let text = script(&data);
        let group = text
            .split("import delimited using \"groups/substance.csv\"")
            .nth(1)
            .expect("the group file is read");
        assert!(text.contains("save \"chorus.dta\", replace\n"), "{text}");
        assert!(
            group.contains("rename v1 row_id\nrename v2 instance\nrename v3 area\n"),
            "{group}"
        );
        assert!(
            group.contains("mvdecode area, mv(-1=.a \\ -2=.b \\ -3=.c)\n"),
            "{group}"
        );
        assert!(group.contains("save \"chorus_substance.dta\", replace\n"));
        assert!(text.ends_with("use \"chorus.dta\", clear\n"), "{text}");
    }

    #[test]
    fn instances_of_a_page_repeated_over_a_multi_select_are_labelled_with_their_options() {
        let text = script(&crate::export::loaders::test_data::with_over_group());
        let group = text
            .split("import delimited using \"groups/other.csv\"")
            .nth(1)
            .expect("the group file is read");
        let define = group
            .lines()
            .find(|l| l.starts_with("label define chorus_instance 1 `\"Heroin\"' 2 "))
            .expect("instance labels");
        assert!(define.ends_with(", replace"), "{define}");
        assert!(
            group.contains("label values instance chorus_instance\n"),
            "{group}"
        );
    }
}
