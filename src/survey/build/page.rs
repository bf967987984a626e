//! Reading one `[[pages]]` table.

use super::super::definition::Page;
use super::super::ids::check_option_id;
use super::super::non_answers::NonAnswerSettings;
use super::super::reader::{as_table, Errors, Value};
use super::super::text::Lang;
use super::cells::{is_typed_grid, read_cells};
use super::question::read_question;

pub(super) fn read_page(
    errs: &mut Errors,
    index: usize,
    v: &Value<'_>,
    langs: &[Lang],
    defaults: &NonAnswerSettings,
) -> Option<Page> {
    let table = as_table(errs, &format!("page {}", index + 1), v)?;
    let mut f = super::super::reader::Fields::new(table, v.span(), format!("page {}: ", index + 1));
    let id = match f.str(errs, "id") {
        Some((s, span)) => {
            if let Err(e) = check_option_id(s) {
                errs.at(&span, format!("{}'id': {e}", f.ctx));
            }
            s.to_owned()
        }
        None => format!("page{}", index + 1),
    };
    f.ctx = format!("page '{id}': ");
    let title = f.text(errs, "title", langs);
    if !f.has("title") {
        f.missing(errs, "title");
    }
    let show_if = f.condition(errs, "show_if");
    let mut questions = Vec::new();
    match f.array(errs, "questions") {
        Some(([], span)) => {
            errs.at(&span, format!("{}has no questions", f.ctx));
        }
        Some((items, _)) => {
            for (i, item) in items.iter().enumerate() {
                if is_typed_grid(item) {
                    questions.extend(read_cells(errs, &id, i, item, langs, defaults));
                } else if let Some(q) = read_question(errs, &id, i, item, langs, defaults) {
                    questions.push(q);
                }
            }
        }
        None => {
            if !f.has("questions") {
                errs.at(&f.span, format!("{}has no [[pages.questions]]", f.ctx));
            }
        }
    }
    let line = errs.line(f.span.start);
    f.finish(errs, "");
    Some(Page {
        id,
        title: title?,
        show_if,
        questions,
        line,
        repeat_of: None,
    })
}
