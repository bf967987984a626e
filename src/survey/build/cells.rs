//! Reading a grid with typed `columns` (`type = "grid"`, `rows`, `columns = [{ id, kind, … }]`)
//! into one question per row × column.
//!
//! Each cell becomes a question of its column's kind with the id `grid__row__column`, the
//! grid's shared keys (role, required, show_if, non-answers, messages…) and its column's own
//! keys (min, max, bands, options…; a column's key wins over the grid's). That way a cell is
//! answered, validated, counted in releases and exported like any question of its kind, and
//! pages put the cells of one grid back together (`src/web/peer/view.rs`).

use std::borrow::Cow;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::super::definition::{CellKeyFrom, GridCellOf, Question};
use super::super::ids::QuestionId;
use super::super::non_answers::NonAnswerSettings;
use super::super::reader::{as_table, Errors, Fields, Value};
use super::super::text::{Lang, Text};
use super::question::read_question;

/// Keys of the grid itself, not handed to its cells.
const GRID_ONLY: [&str; 6] = ["id", "type", "text", "help", "rows", "columns"];
/// Keys a grid with columns can't have: each would mean something else once per cell.
const NOT_FOR_CELLS: [&str; 6] = [
    "options",
    "compute",
    "from_batch",
    "end_if",
    "groups",
    "coarse_bands",
];
/// Keys of a column that describe the column rather than its cells.
const COLUMN_ONLY: [&str; 3] = ["id", "text", "kind"];
const CELL_KINDS: [&str; 6] = ["single", "multi", "number", "scale", "date", "text"];

/// Whether this `[[pages.questions]]` table is a grid with typed columns.
pub(super) fn is_typed_grid(v: &Value<'_>) -> bool {
    match v.get_ref() {
        DeValue::Table(t) => {
            t.get("columns").is_some()
                && matches!(t.get("type").map(|t| t.get_ref()), Some(DeValue::String(s)) if s == "grid")
        }
        _ => false,
    }
}

struct Label<'a, 'i> {
    id: String,
    text: Text,
    /// The column's table (columns only).
    table: Option<&'a DeTable<'i>>,
    /// A row's own keys for its cell in a column (`route = { options = […] }`), by column id.
    overrides: Vec<(String, &'a DeTable<'i>)>,
}

/// The cells of a grid with typed columns, row by row; empty when the grid has errors.
pub(super) fn read_cells(
    errs: &mut Errors,
    page: &str,
    index: usize,
    v: &Value<'_>,
    langs: &[Lang],
    defaults: &NonAnswerSettings,
) -> Vec<Question> {
    let what = format!("question {} on page '{page}'", index + 1);
    let Some(table) = as_table(errs, &what, v) else {
        return Vec::new();
    };
    let mut f = Fields::new(table, v.span(), format!("{what}: "));
    let id = match f.str(errs, "id") {
        Some((s, span)) => match QuestionId::parse(s) {
            Ok(id) => {
                f.ctx = format!("question '{id}': ");
                Some((id, span))
            }
            Err(e) => {
                errs.at(&span, format!("{}'id': {e}", f.ctx));
                None
            }
        },
        None => {
            f.missing(errs, "id");
            None
        }
    };
    let text = f.text(errs, "text", langs);
    if !f.has("text") {
        f.missing(errs, "text");
    }
    let help = f.text(errs, "help", langs);
    for key in NOT_FOR_CELLS {
        if let Some(val) = f.get(key) {
            let why = if key == "options" {
                "a grid has either one shared 'options' scale or typed 'columns', not both"
                    .to_owned()
            } else {
                format!("a grid with 'columns' can't have '{key}'; each cell is its own question")
            };
            errs.at(&val.span(), format!("{}{why}", f.ctx));
        }
    }
    let columns = read_labels(errs, &mut f, "columns", langs, &[]);
    let column_ids: Vec<String> = columns.iter().flatten().map(|c| c.id.clone()).collect();
    let rows = read_labels(errs, &mut f, "rows", langs, &column_ids);
    let (Some((grid, id_span)), Some(text), Some(rows), Some(columns)) = (id, text, rows, columns)
    else {
        return Vec::new();
    };

    let mut cells = Vec::new();
    let mut ok = true;
    for (r, row) in rows.iter().enumerate() {
        for column in &columns {
            let cell_id = format!("{grid}__{}__{}", row.id, column.id);
            let Ok(cell) = QuestionId::parse(&cell_id) else {
                errs.at(
                    &id_span,
                    format!(
                        "{}the cell id '{cell_id}' (grid__row__column) is longer than 63 characters; use shorter ids",
                        f.ctx
                    ),
                );
                ok = false;
                continue;
            };
            let own = row
                .overrides
                .iter()
                .find(|(c, _)| *c == column.id)
                .map(|(_, t)| *t);
            let cell_table = cell_table(table, column.table, own, &cell_id, &id_span);
            let cell_value = Spanned::new(v.span(), DeValue::Table(cell_table));
            // Every row's cells share everything but their id and the row's own keys: report
            // a column's errors once, and a row's own keys' errors in that row.
            let mut scratch = errs.scratch();
            let sink = if r == 0 || own.is_some() {
                &mut *errs
            } else {
                &mut scratch
            };
            let Some(mut q) = read_question(sink, page, index, &cell_value, langs, defaults) else {
                ok = false;
                continue;
            };
            q.id = cell;
            q.text = row.text.joined(" — ", &column.text);
            q.cell = Some(GridCellOf {
                grid: grid.clone(),
                text: text.clone(),
                help: help.clone(),
                row: row.id.clone(),
                row_text: row.text.clone(),
                column: column.id.clone(),
                column_text: column.text.clone(),
                row_options: own.is_some_and(|t| t.get("options").is_some()),
                messages_from: key_from("messages", column.table, own),
                checks_from: key_from("checks", column.table, own),
            });
            cells.push(q);
        }
    }
    if ok {
        cells
    } else {
        Vec::new()
    }
}

/// Which table gives a cell its `key`, the row's own keys winning over the column's, and the
/// column's over the grid's.
fn key_from(key: &str, column: Option<&DeTable<'_>>, own: Option<&DeTable<'_>>) -> CellKeyFrom {
    if own.is_some_and(|t| t.get(key).is_some()) {
        CellKeyFrom::Row
    } else if column.is_some_and(|t| t.get(key).is_some()) {
        CellKeyFrom::Column
    } else {
        CellKeyFrom::Grid
    }
}

/// A cell's question table: the grid's shared keys, then its column's (which win), then its
/// row's own keys for that column (which win again), its id, its column's kind as its type, and
/// its column's text (replaced by "row — column" once read).
fn cell_table<'i>(
    grid: &DeTable<'i>,
    column: Option<&DeTable<'i>>,
    own: Option<&DeTable<'i>>,
    cell_id: &str,
    id_span: &std::ops::Range<usize>,
) -> DeTable<'i> {
    let mut t = DeTable::new();
    for (k, val) in grid {
        if !GRID_ONLY.contains(&k.get_ref().as_ref()) {
            t.insert(k.clone(), val.clone());
        }
    }
    let key = |name: &'static str| Spanned::new(id_span.clone(), Cow::Borrowed(name));
    for (k, val) in column.into_iter().flatten() {
        match k.get_ref().as_ref() {
            "kind" => {
                t.insert(key("type"), val.clone());
            }
            "text" => {
                t.insert(key("text"), val.clone());
            }
            name if COLUMN_ONLY.contains(&name) => {}
            _ => {
                t.insert(k.clone(), val.clone());
            }
        }
    }
    for (k, val) in own.into_iter().flatten() {
        if !COLUMN_ONLY.contains(&k.get_ref().as_ref()) {
            t.insert(k.clone(), val.clone());
        }
    }
    // A text column holds free text, whatever the grid's role.
    let is_text =
        matches!(t.get("type").map(|v| v.get_ref()), Some(DeValue::String(s)) if s == "text");
    if is_text && column.is_none_or(|c| c.get("role").is_none()) {
        t.insert(
            key("role"),
            Spanned::new(id_span.clone(), DeValue::String(Cow::Borrowed("free_text"))),
        );
    }
    t.insert(
        key("id"),
        Spanned::new(
            id_span.clone(),
            DeValue::String(Cow::Owned(cell_id.to_owned())),
        ),
    );
    t
}

/// `rows = [{ id, text }, …]` or `columns = [{ id, text, kind, … }, …]`. Their ids become part
/// of each cell's question id, so they use only lowercase letters, digits and '_'.
fn read_labels<'a, 'i>(
    errs: &mut Errors,
    f: &mut Fields<'a, 'i>,
    key: &str,
    langs: &[Lang],
    column_ids: &[String],
) -> Option<Vec<Label<'a, 'i>>> {
    let noun = if key == "rows" { "row" } else { "column" };
    let Some((items, span)) = f.array(errs, key) else {
        if !f.has(key) {
            f.missing(errs, key);
        }
        return None;
    };
    if items.is_empty() {
        errs.at(&span, format!("{}'{key}' is empty", f.ctx));
        return None;
    }
    let mut out: Vec<Label<'a, 'i>> = Vec::new();
    let mut ok = true;
    for (i, item) in items.iter().enumerate() {
        let what = format!("{}{noun} {}", f.ctx, i + 1);
        let Some(table) = as_table(errs, &what, item) else {
            ok = false;
            continue;
        };
        let mut cf = Fields::new(table, item.span(), format!("{what}: "));
        let id = match cf.str(errs, "id") {
            Some((s, span)) => {
                let valid = !s.is_empty()
                    && s.chars()
                        .next()
                        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && s.chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
                cf.ctx = format!("{}{noun} '{s}': ", f.ctx);
                if !valid {
                    errs.at(
                        &span,
                        format!(
                            "{}'id': in a grid with columns, row and column ids use only lowercase letters, digits and '_' (they become part of each cell's id, grid__row__column)",
                            cf.ctx
                        ),
                    );
                    None
                } else if s.contains("__") {
                    errs.at(
                        &span,
                        format!("{}'id' can't contain '__', which separates a cell's grid, row and column", cf.ctx),
                    );
                    None
                } else if out.iter().any(|l| l.id == s) {
                    errs.at(&span, format!("{}duplicate {noun} id '{s}'", f.ctx));
                    None
                } else {
                    Some(s.to_owned())
                }
            }
            None => {
                cf.missing(errs, "id");
                None
            }
        };
        let text = cf.text(errs, "text", langs);
        if !cf.has("text") {
            cf.missing(errs, "text");
        }
        let column = if key == "columns" {
            let kind_ok = match cf.str(errs, "kind") {
                Some((k, _)) if CELL_KINDS.contains(&k) => true,
                Some((k, span)) => {
                    errs.at(
                        &span,
                        format!(
                            "{}unknown kind '{k}' (a column is single, multi, number, scale, date or text)",
                            cf.ctx
                        ),
                    );
                    false
                }
                None => {
                    if !cf.has("kind") {
                        cf.missing(errs, "kind");
                    }
                    false
                }
            };
            // The column's other keys are its cells' keys, checked when each cell is read.
            ok &= kind_ok;
            Some(table)
        } else {
            None
        };
        // A row's own keys for its cell in a column: `route = { options = […] }`.
        let mut overrides = Vec::new();
        for c in column_ids {
            let Some(val) = cf.get(c) else {
                continue;
            };
            let what = format!("{}'{c}'", cf.ctx);
            let Some(own) = as_table(errs, &what, val) else {
                ok = false;
                continue;
            };
            for k in COLUMN_ONLY {
                if let Some(bad) = own.get(k) {
                    errs.at(
                        &bad.span(),
                        format!("{what}: a row can't change a column's '{k}'"),
                    );
                    ok = false;
                }
            }
            overrides.push((c.clone(), own));
        }
        if key == "rows" {
            cf.finish(
                errs,
                " for a grid row (use 'id', 'text' or a column's id with the row's own keys for that cell)",
            );
        }
        match (id, text) {
            (Some(id), Some(text)) => out.push(Label {
                id,
                text,
                table: column,
                overrides,
            }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}
