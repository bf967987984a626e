//! A survey's texts on a translator's sheet, and the sheet's translations written back into
//! the survey's own TOML source with `toml_edit`, so its comments and layout survive: a plain
//! string becomes `{ en = "…", sw = "…" }`, a table of translations gains or replaces one key,
//! and the language joins `languages` when it is new.

use crate::survey::{CellKeyFrom, GridCellOf, Question, QuestionKind, Survey, Text};
use toml_edit::{DocumentMut, InlineTable, Item, TableLike, Value};

/// Every text of a survey with its key on the sheet, in definition order.
pub fn texts(survey: &Survey) -> Vec<(String, &Text)> {
    let mut out = Vec::new();
    out.push(("survey.title".to_owned(), survey.title()));
    if let Some(d) = survey.description() {
        out.push(("survey.description".to_owned(), d));
    }
    for page in survey.pages() {
        // A repeating page is translated once, as written: its first instance speaks for all.
        match &page.repeat_of {
            Some(r) if r.number > 1 => continue,
            Some(r) => out.push((format!("page.{}.title", r.id), &r.title)),
            None => out.push((format!("page.{}.title", page.id), &page.title)),
        }
        for q in &page.questions {
            if let Some(cell) = &q.cell {
                cell_texts(&mut out, q, cell);
                continue;
            }
            let (at, text, help) = match &q.instance {
                Some(of) => (
                    format!("question.{}", of.question.as_str()),
                    &of.source_text,
                    of.source_help.as_ref(),
                ),
                None => (
                    format!("question.{}", q.id.as_str()),
                    &q.text,
                    q.help.as_ref(),
                ),
            };
            out.push((format!("{at}.text"), text));
            if let Some(h) = help {
                out.push((format!("{at}.help"), h));
            }
            match &q.kind {
                QuestionKind::Single { options, .. }
                | QuestionKind::Multi { options, .. }
                | QuestionKind::Likert { options } => {
                    for o in options {
                        out.push((format!("{at}.option.{}", o.id), &o.text));
                    }
                }
                QuestionKind::Grid { rows, options } => {
                    for r in rows {
                        out.push((format!("{at}.row.{}", r.id), &r.text));
                    }
                    for o in options {
                        out.push((format!("{at}.option.{}", o.id), &o.text));
                    }
                }
                QuestionKind::Number { unit: Some(u), .. }
                | QuestionKind::Decimal { unit: Some(u), .. } => {
                    out.push((format!("{at}.unit"), u));
                }
                QuestionKind::Scale {
                    min_label,
                    max_label,
                    ..
                } => {
                    if let Some(l) = min_label {
                        out.push((format!("{at}.min_label"), l));
                    }
                    if let Some(l) = max_label {
                        out.push((format!("{at}.max_label"), l));
                    }
                }
                _ => {}
            }
            if let Some(m) = &q.messages.required {
                out.push((format!("{at}.message.required"), m));
            }
            if let Some(m) = &q.messages.invalid {
                out.push((format!("{at}.message.invalid"), m));
            }
            for (i, c) in q.checks.iter().enumerate() {
                out.push((format!("{at}.check.{}", i + 1), &c.message));
            }
        }
    }
    // A site's own wording (`[variants.<field>.<site>]`); its own options are listed with the
    // question's, above, and written back wherever a site declares them.
    for v in survey.variants() {
        for (id, qv) in &v.questions {
            let at = format!("variant.{}.{}.{id}", v.field, v.option);
            if let Some(t) = &qv.text {
                out.push((format!("{at}.text"), t));
            }
            if let Some(h) = &qv.help {
                out.push((format!("{at}.help"), h));
            }
        }
    }
    out
}

/// A cell of a grid with typed columns: its texts live in the grid's table, once for the whole
/// grid (the grid's text and help, each row) or once per column (its text, unit and options).
fn cell_texts<'a>(out: &mut Vec<(String, &'a Text)>, q: &'a Question, cell: &'a GridCellOf) {
    // On a repeating page, the grid's id as written (`use`, not `blk_1__use`).
    let grid = q
        .instance
        .as_ref()
        .and_then(|of| {
            cell.grid
                .as_str()
                .strip_prefix(&format!("{}_{}__", of.group, of.number))
        })
        .unwrap_or(cell.grid.as_str());
    let at = format!("question.{grid}");
    let mut push = |key: String, text: &'a Text| {
        if !out.iter().any(|(k, _)| *k == key) {
            out.push((key, text));
        }
    };
    push(format!("{at}.text"), &cell.text);
    if let Some(h) = &cell.help {
        push(format!("{at}.help"), h);
    }
    push(format!("{at}.row.{}", cell.row), &cell.row_text);
    let column = format!("{at}.column.{}", cell.column);
    push(format!("{column}.text"), &cell.column_text);
    // A row's own options are written on the row.
    let options_at = if cell.row_options {
        format!("{at}.row.{}.{}", cell.row, cell.column)
    } else {
        column.clone()
    };
    match &q.kind {
        QuestionKind::Single { options, .. }
        | QuestionKind::Multi { options, .. }
        | QuestionKind::Likert { options } => {
            for o in options {
                push(format!("{options_at}.option.{}", o.id), &o.text);
            }
        }
        QuestionKind::Number { unit: Some(u), .. }
        | QuestionKind::Decimal { unit: Some(u), .. } => {
            push(format!("{column}.unit"), u);
        }
        _ => {}
    }
    // Messages and checks are written once, on the table they come from.
    let from = |source: CellKeyFrom| match source {
        CellKeyFrom::Grid => at.clone(),
        CellKeyFrom::Column => column.clone(),
        CellKeyFrom::Row => format!("{at}.row.{}.{}", cell.row, cell.column),
    };
    let messages_at = from(cell.messages_from);
    if let Some(m) = &q.messages.required {
        push(format!("{messages_at}.message.required"), m);
    }
    if let Some(m) = &q.messages.invalid {
        push(format!("{messages_at}.message.invalid"), m);
    }
    let checks_at = from(cell.checks_from);
    for (i, c) in q.checks.iter().enumerate() {
        push(format!("{checks_at}.check.{}", i + 1), &c.message);
    }
}

/// A survey's TOML source, open for translating.
pub struct Source {
    doc: DocumentMut,
    default_lang: String,
}

impl Source {
    pub fn parse(source: &str, default_lang: &str) -> Result<Source, String> {
        let doc = source
            .parse::<DocumentMut>()
            .map_err(|e| format!("the stored definition could not be read: {e}"))?;
        Ok(Source {
            doc,
            default_lang: default_lang.to_owned(),
        })
    }

    /// Adds `lang` to `languages` when it is not there yet.
    pub fn declare(&mut self, lang: &str) -> Result<(), String> {
        let langs = self
            .doc
            .get_mut("languages")
            .and_then(Item::as_array_mut)
            .ok_or("the definition has no list of languages")?;
        if !langs.iter().any(|l| l.as_str() == Some(lang)) {
            langs.push(lang);
        }
        Ok(())
    }

    /// Writes `text` as the `lang` translation of the text named by `key`.
    pub fn set(&mut self, key: &str, lang: &str, text: &str) -> Result<(), String> {
        let missing =
            || format!("'{key}' is not written in the definition where it can be translated");
        let parts: Vec<&str> = key.split('.').collect();
        if let ["question", id, "option", choice] = parts.as_slice() {
            if !declares_option(&mut self.doc, id, choice) {
                return self.set_site_only_option(id, choice, lang, text);
            }
        }
        let (table, field): (&mut dyn TableLike, &str) = match parts.as_slice() {
            ["variant", variant_field, site, id, field @ ("text" | "help")] => {
                let question = site_variants(&mut self.doc, variant_field, site)
                    .and_then(|s| s.get_mut(id))
                    .and_then(Item::as_table_like_mut)
                    .ok_or_else(missing)?;
                (question, field)
            }
            ["survey", field @ ("title" | "description")] => (self.doc.as_table_mut(), field),
            ["page", id, "title"] => {
                let page = pages(&mut self.doc)
                    .into_iter()
                    .enumerate()
                    .find(|(i, p)| page_id(&**p, *i) == *id)
                    .map(|(_, p)| p)
                    .ok_or_else(missing)?;
                (page, "title")
            }
            ["question", id, rest @ ..] => {
                let question = pages(&mut self.doc)
                    .into_iter()
                    .flat_map(|p| p.get_mut("questions").map(tables).unwrap_or_default())
                    .find(|q| str_of(&**q, "id") == Some(id))
                    .ok_or_else(missing)?;
                match rest {
                    [field @ ("text" | "help" | "unit" | "min_label" | "max_label")] => {
                        (question, field)
                    }
                    [list @ ("option" | "row"), choice] => {
                        let list = if *list == "option" { "options" } else { "rows" };
                        let choice = question
                            .get_mut(list)
                            .map(tables)
                            .unwrap_or_default()
                            .into_iter()
                            .find(|c| str_of(&**c, "id") == Some(choice))
                            .ok_or_else(missing)?;
                        (choice, "text")
                    }
                    ["row", row, column, "option", choice] => {
                        let choice = question
                            .get_mut("rows")
                            .map(tables)
                            .unwrap_or_default()
                            .into_iter()
                            .find(|r| str_of(&**r, "id") == Some(row))
                            .and_then(|r| r.get_mut(column))
                            .and_then(Item::as_table_like_mut)
                            .and_then(|c| c.get_mut("options"))
                            .map(tables)
                            .unwrap_or_default()
                            .into_iter()
                            .find(|c| str_of(&**c, "id") == Some(choice))
                            .ok_or_else(missing)?;
                        (choice, "text")
                    }
                    ["column", column, rest @ ..] => {
                        let column = question
                            .get_mut("columns")
                            .map(tables)
                            .unwrap_or_default()
                            .into_iter()
                            .find(|c| str_of(&**c, "id") == Some(column))
                            .ok_or_else(missing)?;
                        match rest {
                            [field @ ("text" | "unit")] => (column, field),
                            [kind @ ("message" | "check"), which] => {
                                message_or_check(column, kind, which).ok_or_else(missing)?
                            }
                            ["option", choice] => {
                                let choice = column
                                    .get_mut("options")
                                    .map(tables)
                                    .unwrap_or_default()
                                    .into_iter()
                                    .find(|c| str_of(&**c, "id") == Some(choice))
                                    .ok_or_else(missing)?;
                                (choice, "text")
                            }
                            _ => return Err(missing()),
                        }
                    }
                    [kind @ ("message" | "check"), which] => {
                        message_or_check(question, kind, which).ok_or_else(missing)?
                    }
                    // A grid with columns: a row's own messages and checks for its cell in a
                    // column (a column's own are read with the column, above).
                    ["row", row, column, kind @ ("message" | "check"), which] => {
                        let own = question
                            .get_mut("rows")
                            .map(tables)
                            .unwrap_or_default()
                            .into_iter()
                            .find(|r| str_of(&**r, "id") == Some(row))
                            .and_then(|r| r.get_mut(column))
                            .and_then(Item::as_table_like_mut)
                            .ok_or_else(missing)?;
                        message_or_check(own, kind, which).ok_or_else(missing)?
                    }
                    _ => return Err(missing()),
                }
            }
            _ => return Err(missing()),
        };
        let item = table.get_mut(field).ok_or_else(missing)?;
        translate(item, &self.default_lang, lang, text).ok_or_else(missing)
    }

    /// An option only some sites offer: written in each site's list that declares it (one
    /// option has one text, so every site gets the translation).
    fn set_site_only_option(
        &mut self,
        question: &str,
        choice: &str,
        lang: &str,
        text: &str,
    ) -> Result<(), String> {
        let default_lang = self.default_lang.clone();
        let mut written = false;
        let fields = self
            .doc
            .get_mut("variants")
            .and_then(Item::as_table_like_mut);
        for (_, sites) in fields.into_iter().flat_map(|f| f.iter_mut()) {
            let Some(sites) = sites.as_table_like_mut() else {
                continue;
            };
            for (_, site) in sites.iter_mut() {
                let options = site
                    .as_table_like_mut()
                    .and_then(|s| s.get_mut(question))
                    .and_then(Item::as_table_like_mut)
                    .and_then(|q| q.get_mut("options"))
                    .map(tables)
                    .unwrap_or_default();
                for option in options {
                    if str_of(&*option, "id") != Some(choice) {
                        continue;
                    }
                    if let Some(item) = option.get_mut("text") {
                        written |= translate(item, &default_lang, lang, text).is_some();
                    }
                }
            }
        }
        written.then_some(()).ok_or_else(|| {
            format!("'question.{question}.option.{choice}' is not written in the definition where it can be translated")
        })
    }

    pub fn into_string(self) -> String {
        self.doc.to_string()
    }
}

fn translate(item: &mut Item, default_lang: &str, lang: &str, text: &str) -> Option<()> {
    match item {
        Item::Value(Value::String(s)) => {
            let decor = s.decor().clone();
            let mut table = InlineTable::new();
            table.insert(default_lang, s.value().as_str().into());
            table.insert(lang, text.into());
            table.fmt();
            let mut value = Value::InlineTable(table);
            *value.decor_mut() = decor;
            *item = Item::Value(value);
        }
        Item::Value(Value::InlineTable(t)) => {
            match t.get_mut(lang) {
                Some(existing) => {
                    let decor = existing.decor().clone();
                    *existing = text.into();
                    *existing.decor_mut() = decor;
                }
                None => {
                    t.insert(lang, text.into());
                    t.fmt();
                }
            };
        }
        Item::Table(t) => {
            t.insert(lang, toml_edit::value(text));
        }
        _ => return None,
    }
    Some(())
}

/// Whether question `id`'s own table (on a page) declares option `choice`.
fn declares_option(doc: &mut DocumentMut, id: &str, choice: &str) -> bool {
    pages(doc)
        .into_iter()
        .flat_map(|p| p.get_mut("questions").map(tables).unwrap_or_default())
        .filter(|q| str_of(&**q, "id") == Some(id))
        .any(|q| {
            q.get_mut("options")
                .map(tables)
                .unwrap_or_default()
                .into_iter()
                .any(|c| str_of(&*c, "id") == Some(choice))
        })
}

/// The table of one site's variant, `[variants.<field>.<site>]`.
fn site_variants<'d>(
    doc: &'d mut DocumentMut,
    field: &str,
    site: &str,
) -> Option<&'d mut dyn TableLike> {
    doc.get_mut("variants")
        .and_then(Item::as_table_like_mut)?
        .get_mut(field)
        .and_then(Item::as_table_like_mut)?
        .get_mut(site)
        .and_then(Item::as_table_like_mut)
}

fn pages(doc: &mut DocumentMut) -> Vec<&mut dyn TableLike> {
    doc.get_mut("pages").map(tables).unwrap_or_default()
}

/// The tables of a list: `[[x]]` tables or an inline array of `{ … }`.
fn tables(item: &mut Item) -> Vec<&mut dyn TableLike> {
    match item {
        Item::ArrayOfTables(a) => a.iter_mut().map(|t| t as &mut dyn TableLike).collect(),
        Item::Value(Value::Array(a)) => a
            .iter_mut()
            .filter_map(|v| v.as_inline_table_mut().map(|t| t as &mut dyn TableLike))
            .collect(),
        _ => Vec::new(),
    }
}

/// `message.required`/`message.invalid` (the text under `messages`) or `check.<n>` (the n-th
/// check's `message`) of `holder`.
fn message_or_check<'t, 'k>(
    holder: &'t mut dyn TableLike,
    kind: &str,
    which: &'k str,
) -> Option<(&'t mut dyn TableLike, &'k str)> {
    match (kind, which) {
        ("message", "required" | "invalid") => {
            let messages = holder
                .get_mut("messages")
                .and_then(Item::as_table_like_mut)?;
            Some((messages, which))
        }
        ("check", n) => {
            let n: usize = n.parse().ok()?;
            let check = holder
                .get_mut("checks")
                .map(tables)
                .unwrap_or_default()
                .into_iter()
                .nth(n.checked_sub(1)?)?;
            Some((check, "message"))
        }
        _ => None,
    }
}

fn str_of<'a>(table: &'a dyn TableLike, key: &str) -> Option<&'a str> {
    table.get(key).and_then(Item::as_str)
}

/// A page's id as the survey knows it: its `id`, or `page<n>` when it has none.
fn page_id(page: &dyn TableLike, index: usize) -> String {
    str_of(page, "id").map_or_else(|| format!("page{}", index + 1), str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_string_becomes_a_table_of_translations_and_comments_stay() {
        let source = "# keep me\nid = \"x\"\ntitle = \"Hello\" # and me\nlanguages = [\"en\"]\n\n[[pages]]\ntitle = \"One\"\n  [[pages.questions]]\n  id = \"q\"\n  text = { en = \"Q?\" }\n  options = [ { id = \"a\", text = \"A\" } ]\n";
        let mut s = Source::parse(source, "en").expect("parses");
        s.declare("sw").expect("languages");
        s.set("survey.title", "sw", "Habari").expect("title");
        s.set("page.page1.title", "sw", "Moja").expect("page");
        s.set("question.q.text", "sw", "Swali?").expect("text");
        s.set("question.q.option.a", "sw", "A sw").expect("option");
        let out = s.into_string();
        assert!(
            out.contains("# keep me") && out.contains("# and me"),
            "{out}"
        );
        assert!(
            out.contains(r#"title = { en = "Hello", sw = "Habari" }"#),
            "{out}"
        );
        assert!(out.contains(r#"languages = ["en", "sw"]"#), "{out}");
        assert!(
            out.contains(r#"text = { en = "Q?", sw = "Swali?" }"#),
            "{out}"
        );
        assert!(
            out.contains(r#"{ id = "a", text = { en = "A", sw = "A sw" } }"#),
            "{out}"
        );
    }

    #[test]
    fn every_text_of_a_survey_with_site_variants_can_be_translated_and_still_imports() {
        let source = include_str!("../../surveys/outreach-sites.toml");
        let survey = Survey::parse(source).expect("parses");
        let keys: Vec<String> = texts(&survey).into_iter().map(|(k, _)| k).collect();
        assert!(keys.contains(&"question.service.option.wound_care".to_owned()));
        assert!(keys.contains(&"variant.site.pharmacy.service.text".to_owned()));
        assert!(keys.contains(&"variant.site.dropin.main_drug.help".to_owned()));
        let translated = translated_as_keys(source, &keys, "pt").expect("still imports");
        let pharmacy = translated
            .variants()
            .iter()
            .find(|v| v.option == "pharmacy")
            .expect("the pharmacy's variant");
        assert_eq!(
            pharmacy.questions["service"]
                .text
                .as_ref()
                .expect("text")
                .get("pt"),
            "pt variant.site.pharmacy.service.text"
        );
        let wound = translated
            .question("service")
            .expect("service")
            .kind
            .options()
            .iter()
            .find(|o| o.id == "wound_care")
            .expect("the van's option");
        assert_eq!(
            wound.text.get("pt"),
            "pt question.service.option.wound_care"
        );
    }

    #[test]
    fn every_text_of_every_example_survey_can_be_translated_and_still_imports() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/surveys");
        for entry in std::fs::read_dir(dir).expect("surveys/") {
            let path = entry.expect("entry").path();
            let source = std::fs::read_to_string(&path).expect("readable");
            let survey = Survey::parse(&source).expect("parses");
            let keys: Vec<String> = texts(&survey).into_iter().map(|(k, _)| k).collect();
            let translated = translated_as_keys(&source, &keys, "pt")
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            // A repeating page is on the sheet once, and every instance takes the translation.
            if survey.id().as_str() == "injecting-study" {
                assert_eq!(
                    keys.iter()
                        .filter(|k| k.starts_with("page.substance"))
                        .count(),
                    1,
                    "{keys:?}"
                );
                assert!(!keys.iter().any(|k| k.contains("__")), "{keys:?}");
                let drug = translated
                    .question("substance_2__drug")
                    .expect("instance 2");
                assert_eq!(drug.text.get("pt"), "pt question.drug.text");
                let page = translated
                    .pages()
                    .iter()
                    .find(|p| p.id == "substance-2")
                    .expect("page");
                assert_eq!(page.title.get("pt"), "pt page.substance.title (2)");
            }
        }
    }

    #[test]
    fn a_grid_on_a_repeating_page_is_on_the_sheet_once_and_translated_in_every_instance() {
        let source = r#"id = "g"
title = "G"
languages = ["en"]

[[pages]]
title = "Count"
  [[pages.questions]]
  id = "n"
  type = "number"
  role = "sensitive"
  min = 0
  max = 2
  text = "How many?"

[[pages]]
id = "block"
title = "One block"
repeat = { id = "blk", max = 2, count = "n" }
  [[pages.questions]]
  id = "use"
  type = "grid"
  role = "sensitive"
  text = "Each drug"
  rows = [{ id = "heroin", text = "Heroin" }]
  columns = [{ id = "days", kind = "number", min = 0, max = 28, text = "Days" }]
"#;
        let survey = crate::survey::Survey::parse(source).expect("valid");
        let keys = keys_listed_once(
            &survey,
            &[
                "page.block.title",
                "question.use.text",
                "question.use.row.heroin",
                "question.use.column.days.text",
            ],
        );
        let translated = translated_as_keys(source, &keys, "es").expect("still valid");
        let cell = translated
            .question("blk_2__use__heroin__days")
            .expect("instance 2's cell");
        assert_eq!(
            cell.text.get("es"),
            "es question.use.row.heroin — es question.use.column.days.text"
        );
    }

    #[test]
    fn a_key_naming_nothing_in_the_source_is_an_error() {
        let mut s = Source::parse("title = \"x\"\n", "en").expect("parses");
        let err = s
            .set("question.nope.text", "sw", "x")
            .expect_err("nothing there");
        assert!(err.contains("question.nope.text"), "{err}");
    }

    /// `source` with every text named by `keys` translated into `lang` as "`lang` `key`",
    /// read back as a survey; the error names the key that could not be set, or why the
    /// result does not import.
    fn translated_as_keys(source: &str, keys: &[String], lang: &str) -> Result<Survey, String> {
        let mut s = Source::parse(source, "en")?;
        s.declare(lang)?;
        for key in keys {
            s.set(key, lang, &format!("{lang} {key}"))?;
        }
        Survey::parse(&s.into_string()).map_err(|e| e.to_string())
    }

    /// The sheet's keys for `survey`, after checking each of `expected` is listed exactly once
    /// and no key names a cell by its joined id (`grid__row__column`).
    fn keys_listed_once(survey: &Survey, expected: &[&str]) -> Vec<String> {
        let keys: Vec<String> = texts(survey).into_iter().map(|(k, _)| k).collect();
        for key in expected {
            assert_eq!(
                keys.iter().filter(|k| k == key).count(),
                1,
                "{key} in {keys:?}"
            );
        }
        assert!(!keys.iter().any(|k| k.contains("__")), "{keys:?}");
        keys
    }

    #[test]
    fn a_grid_with_columns_lists_its_texts_once_and_each_can_be_translated() {
        let source = "id = \"g\"\ntitle = \"G\"\nlanguages = [\"en\"]\n\n[[pages]]\ntitle = \"One\"\n  [[pages.questions]]\n  id = \"use\"\n  type = \"grid\"\n  role = \"sensitive\"\n  text = \"Each drug\"\n  rows = [{ id = \"heroin\", text = \"Heroin\", route = { options = [{ id = \"chase\", text = \"Chase\" }] } }, { id = \"meth\", text = \"Meth\" }]\n  columns = [{ id = \"days\", kind = \"number\", min = 0, max = 28, unit = \"days\", text = \"Days\" }, { id = \"route\", kind = \"single\", text = \"Route\", options = [{ id = \"smoke\", text = \"Smoke\" }] }]\n";
        let survey = crate::survey::Survey::parse(source).expect("valid");
        let keys = keys_listed_once(
            &survey,
            &[
                "question.use.text",
                "question.use.row.heroin",
                "question.use.row.meth",
                "question.use.column.days.text",
                "question.use.column.days.unit",
                "question.use.column.route.text",
                "question.use.column.route.option.smoke",
                "question.use.row.heroin.route.option.chase",
            ],
        );
        let mut s = Source::parse(source, "en").expect("parses");
        s.declare("es").expect("declares");
        for key in &keys {
            if key.starts_with("question.") {
                s.set(key, "es", "traducido")
                    .expect("every listed text can be set");
            }
        }
        let translated = crate::survey::Survey::parse(&s.into_string()).expect("still valid");
        let cell = translated.question("use__meth__route").expect("a cell");
        assert_eq!(cell.text.get("es"), "traducido — traducido");
        assert_eq!(
            cell.option("smoke").map(|o| o.text.get("es")),
            Some("traducido")
        );
    }

    #[test]
    fn a_grid_s_messages_and_checks_are_listed_once_where_written_and_translated_there() {
        let source = r#"id = "g"
title = "G"
languages = ["en"]

[[pages]]
title = "One"
  [[pages.questions]]
  id = "total"
  type = "number"
  role = "sensitive"
  min = 0
  max = 90
  text = "Days in all?"

[[pages]]
title = "Two"
  [[pages.questions]]
  id = "use"
  type = "grid"
  role = "sensitive"
  text = "Each drug"
  messages = { required = "Answer each drug" }
  checks = [{ holds = "total >= 0", message = "Check the total" }]
  rows = [
    { id = "heroin", text = "Heroin", days = { messages = { invalid = "Heroin days: 0 to 28" } } },
    { id = "meth", text = "Meth" },
  ]
  columns = [
    { id = "days", kind = "number", min = 0, max = 28, text = "Days", messages = { invalid = "Days: 0 to 28" }, checks = [{ holds = "total >= 1", message = "More days than in all" }] },
    { id = "route", kind = "single", text = "Route", options = [{ id = "smoke", text = "Smoke" }] },
  ]
"#;
        let survey = crate::survey::Survey::parse(source).expect("valid");
        let keys = keys_listed_once(
            &survey,
            &[
                "question.use.message.required",
                "question.use.check.1",
                "question.use.column.days.message.invalid",
                "question.use.column.days.check.1",
                "question.use.row.heroin.days.message.invalid",
            ],
        );
        let translated = translated_as_keys(source, &keys, "es").expect("still valid");
        let message = |cell: &str, kind: &str| {
            let q = translated.question(cell).expect("a cell");
            let m = match kind {
                "required" => q.messages.required.as_ref(),
                _ => q.messages.invalid.as_ref(),
            };
            m.expect("a message").get("es").to_owned()
        };
        assert_eq!(
            message("use__meth__route", "required"),
            "es question.use.message.required"
        );
        assert_eq!(
            message("use__meth__days", "invalid"),
            "es question.use.column.days.message.invalid"
        );
        assert_eq!(
            message("use__heroin__days", "invalid"),
            "es question.use.row.heroin.days.message.invalid"
        );
        let check = |cell: &str| {
            translated.question(cell).expect("a cell").checks[0]
                .message
                .get("es")
                .to_owned()
        };
        assert_eq!(check("use__meth__route"), "es question.use.check.1");
        assert_eq!(
            check("use__meth__days"),
            "es question.use.column.days.check.1"
        );
    }
}
