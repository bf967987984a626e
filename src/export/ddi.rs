//! `codebook.xml`: the codebook as DDI-Codebook 2.5, which catalogues and archives read — the
//! study's title, the data file, and one `var` per column of `data.csv` with its label,
//! question, categories, and its non-answers as `catgry missing="Y"`; a repeating page's
//! long-form file (`groups/<id>.csv`) is a file of its own, with its `var`s.

use crate::export::anonymise::{Anonymised, Column, Value, ValueFormat};

pub fn codebook(title: &str, data: &Anonymised) -> String {
    let rows = data.rows.len();
    let columns = data.columns.len() + 1;
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<codeBook xmlns=\"ddi:codebook:2_5\" version=\"2.5\" ID=\"{}\">\n",
        escape(&format!("chorus-{}", data.survey))
    ));
    out.push_str(&format!(
        "  <stdyDscr>\n    <citation>\n      <titlStmt>\n        <titl>{}</titl>\n        \
         <IDNo>{}</IDNo>\n      </titlStmt>\n    </citation>\n  </stdyDscr>\n",
        escape(title),
        escape(&data.survey)
    ));
    out.push_str(&format!(
        "  <fileDscr ID=\"F1\">\n    <fileTxt>\n      <fileName>data.csv</fileName>\n      \
         <dimensns>\n        <caseQnty>{rows}</caseQnty>\n        <varQnty>{columns}</varQnty>\n      \
         </dimensns>\n      <fileType>text/csv</fileType>\n    </fileTxt>\n  </fileDscr>\n"
    ));
    // A repeating page's long-form file: one case per instance a person answered.
    for (g, group) in data.groups.iter().enumerate() {
        out.push_str(&format!(
            "  <fileDscr ID=\"F{}\">\n    <fileTxt>\n      <fileName>groups/{}.csv</fileName>\n      \
             <dimensns>\n        <caseQnty>{}</caseQnty>\n        <varQnty>{}</varQnty>\n      \
             </dimensns>\n      <fileType>text/csv</fileType>\n    </fileTxt>\n  </fileDscr>\n",
            g + 2,
            escape(&group.name),
            group.rows.len(),
            group.columns.len() + 2
        ));
    }
    out.push_str("  <dataDscr>\n");
    out.push_str(
        "    <var ID=\"V0\" name=\"row_id\" files=\"F1\">\n      \
         <labl>Random row id, new for every export</labl>\n      \
         <varFormat type=\"character\"/>\n    </var>\n",
    );
    for (i, column) in data.columns.iter().enumerate() {
        out.push_str(&var(column, i + 1, "F1"));
    }
    let mut index = data.columns.len();
    for (g, group) in data.groups.iter().enumerate() {
        let file = format!("F{}", g + 2);
        out.push_str(&format!(
            "    <var ID=\"V{}\" name=\"row_id\" files=\"{file}\">\n      \
             <labl>Row id of the person in data.csv</labl>\n      \
             <varFormat type=\"character\"/>\n    </var>\n    \
             <var ID=\"V{}\" name=\"instance\" files=\"{file}\" intrvl=\"discrete\">\n      \
             <labl>Instance (1 for the first)</labl>\n",
            index + 1,
            index + 2
        ));
        // A page repeated over a multi-select: which option each instance is about.
        for (i, item) in group.items.iter().enumerate() {
            out.push_str(&format!(
                "      <catgry>\n        <catValu>{}</catValu>\n        <labl>{}</labl>\n      </catgry>\n",
                i + 1,
                escape(item)
            ));
        }
        out.push_str("      <varFormat type=\"numeric\"/>\n    </var>\n");
        index += 2;
        for column in &group.columns {
            index += 1;
            out.push_str(&var(column, index, &file));
        }
    }
    out.push_str("  </dataDscr>\n</codeBook>\n");
    out
}

fn var(column: &Column, index: usize, file: &str) -> String {
    let interval = match column.format {
        ValueFormat::Number | ValueFormat::Decimal { .. } | ValueFormat::Year => "contin",
        _ => "discrete",
    };
    let mut out = format!(
        "    <var ID=\"V{index}\" name=\"{}\" files=\"{file}\" intrvl=\"{interval}\">\n      \
         <labl>{}</labl>\n      <qstn ID=\"Q{index}\"><qstnLit>{}</qstnLit></qstn>\n      \
         <txt>{}</txt>\n",
        escape(&column.name),
        escape(&column.label),
        escape(&column.label),
        escape(column.format.describe())
    );
    for c in &column.codes {
        let missing = if c.missing.is_some() {
            " missing=\"Y\""
        } else {
            ""
        };
        let value = match c.code {
            Value::Code(_) | Value::Scaled { .. } => c.code.to_string(),
            Value::Suppressed => "*".to_owned(),
        };
        out.push_str(&format!(
            "      <catgry{missing}>\n        <catValu>{}</catValu>\n        <labl>{}</labl>\n      </catgry>\n",
            escape(&value),
            escape(&c.label)
        ));
    }
    let kind = if column.format == ValueFormat::Suppressed {
        "character"
    } else {
        "numeric"
    };
    out.push_str(&format!("      <varFormat type=\"{kind}\"/>\n    </var>\n"));
    out
}

/// Text for XML content or a double-quoted attribute: the five markup characters as entities,
/// and characters XML 1.0 cannot hold (most control characters) dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::loaders::test_data::{hostile, HOSTILE};

    #[test]
    fn markup_in_labels_is_escaped() {
        assert_eq!(
            escape("<b>\"a\" & 'b'</b>\u{0}"),
            "&lt;b&gt;&quot;a&quot; &amp; &apos;b&apos;&lt;/b&gt;"
        );
        let xml = codebook("Title <with> & \"quotes\"", &hostile());
        assert!(xml.contains("<titl>Title &lt;with&gt; &amp; &quot;quotes&quot;</titl>"));
        assert!(!xml.contains("<b>"), "no label becomes markup");
        assert!(xml.contains(&escape(HOSTILE)));
    }

    #[test]
    fn every_column_is_a_var_and_non_answers_are_missing_categories() {
        let xml = codebook("Demo", &hostile());
        assert_eq!(xml.matches("<var ").count(), 5, "row_id and 4 columns");
        assert!(xml.contains("name=\"drugs_3m.heroin\""));
        assert_eq!(xml.matches("<catgry missing=\"Y\">").count(), 2 + 3 + 1 + 1);
        assert!(xml.contains(
            "<catgry missing=\"Y\">\n        <catValu>-1</catValu>\n        <labl>don&apos;t know</labl>"
        ));
        assert!(xml.contains("<caseQnty>3</caseQnty>"));
    }

    #[test]
    fn the_document_is_balanced() {
        let xml = codebook("Demo", &hostile());
        for tag in [
            "codeBook", "stdyDscr", "fileDscr", "dataDscr", "var", "catgry", "labl",
        ] {
            let open =
                xml.matches(&format!("<{tag}>")).count() + xml.matches(&format!("<{tag} ")).count();
            let close = xml.matches(&format!("</{tag}>")).count();
            assert_eq!(open, close, "{tag}");
        }
    }

    #[test]
    fn instances_of_a_page_repeated_over_a_multi_select_are_categories() {
        let xml = codebook("T", &crate::export::loaders::test_data::with_over_group());
        let instance = xml
            .split("name=\"instance\"")
            .nth(1)
            .and_then(|v| v.split("</var>").next())
            .expect("the instance variable");
        assert!(
            instance.contains("<catValu>1</catValu>\n        <labl>Heroin</labl>"),
            "{instance}"
        );
        assert!(instance.contains(&format!("<labl>{}</labl>", escape(HOSTILE))));
        assert!(instance.find("<catgry>") < instance.find("<varFormat"));
    }
}
