//! What the templates show: questions, answers and messages resolved into the peer's language,
//! so the templates only lay things out.

use super::flow::Problem;
use crate::survey::{
    Answer, Choice, GridCell, MessageKind, NonAnswer, Question, QuestionKind, Response, Survey,
};
use crate::web::i18n::Strings;
use serde::Serialize;

#[derive(Serialize)]
pub struct QuestionView {
    pub id: String,
    /// single, select, multi, number, scale, likert, grid, date, text or note
    pub kind: &'static str,
    pub text: String,
    pub help: Option<String>,
    pub required: bool,
    pub error: Option<String>,
    pub options: Vec<OptionView>,
    pub non_answers: Vec<OptionView>,
    pub value: String,
    pub min: String,
    pub max: String,
    /// A decimal question's step ("0.5").
    pub step: String,
    pub unit: Option<String>,
    pub min_label: Option<String>,
    pub max_label: Option<String>,
    pub rows: Vec<RowView>,
    pub maxlength: usize,
    /// Logic within the page: a hint saying when to answer, the question above that decides
    /// (its field name) and the options that show this one, space-separated ("" when the page
    /// script can't tell, and the hint alone guides).
    pub hint: Option<String>,
    pub reveal_name: String,
    pub reveal_values: String,
    /// A grid with typed columns (kind "cells"): its column headings and its cells, row by row.
    pub columns: Vec<String>,
    pub cell_rows: Vec<CellRowView>,
}

impl QuestionView {
    /// Where an error summary's link leads: the question's first field, which can take focus
    /// (the question's block cannot: a link to it leaves focus on the page).
    pub fn first_field(&self) -> String {
        match self.kind {
            "number" | "decimal" | "date" | "day" | "text" | "select" => format!("in-{}", self.id),
            _ => (self.options.first())
                .or_else(|| self.rows.first().and_then(|r| r.options.first()))
                .map_or_else(|| format!("q-{}", self.id), |o| o.dom_id.clone()),
        }
    }
}

/// One row of a grid with typed columns: a cell per column (`None` where the cell is not
/// asked, so that the cells below a heading stay in its column).
#[derive(Serialize)]
pub struct CellRowView {
    pub label: String,
    pub dom_id: String,
    pub cells: Vec<Option<QuestionView>>,
}

#[derive(Serialize)]
pub struct OptionView {
    pub name: String,
    pub value: String,
    pub label: String,
    pub checked: bool,
    pub dom_id: String,
    pub exclusive: bool,
}

#[derive(Serialize)]
pub struct RowView {
    pub label: String,
    pub dom_id: String,
    pub options: Vec<OptionView>,
    pub non_answers: Vec<OptionView>,
}

#[derive(Serialize)]
pub struct Field {
    pub name: String,
    pub value: String,
}

/// Builds the view of one question from the raw posted fields (so invalid input is shown back
/// exactly as typed).
pub fn question(
    (survey, response): (&Survey, &Response),
    q: &Question,
    lang: &str,
    t: &Strings,
    fields: &[(String, String)],
    problem: Option<Problem>,
) -> QuestionView {
    let id = q.id.to_string();
    let value_of = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let is_set = |name: &str, value: &str| fields.iter().any(|(n, v)| n == name && v == value);
    // Options with their own `show_if` (on earlier pages' answers) are offered only when it holds.
    let choices = |name: &str, options: &[Choice]| -> Vec<OptionView> {
        options
            .iter()
            .filter(|o| o.show_if.is_none() || survey.option_visible(q, &o.id, response))
            .map(|o| OptionView {
                name: name.to_owned(),
                value: o.id.clone(),
                label: o.text.get(lang).to_owned(),
                checked: is_set(name, &o.id),
                dom_id: dom_id(name, &o.id),
                exclusive: o.exclusive,
            })
            .collect()
    };
    let non_answers = |name: &str| -> Vec<OptionView> {
        q.non_answers()
            .into_iter()
            .map(|n| OptionView {
                name: name.to_owned(),
                value: n.as_str().to_owned(),
                label: non_answer_label(survey, n, lang, t),
                checked: is_set(name, n.as_str()),
                dom_id: dom_id(name, n.as_str()),
                exclusive: true,
            })
            .collect()
    };
    let mut view = QuestionView {
        id: id.clone(),
        kind: "note",
        // `{answer:id}` filled in from earlier pages (escaped by the template like any text).
        text: survey.pipe(q.text.get(lang), response, lang),
        help: q
            .help
            .as_ref()
            .map(|h| survey.pipe(h.get(lang), response, lang)),
        required: q.required,
        // A failed check across questions says what is wrong in its own words.
        error: problem.map(|p| {
            let check = (p == Problem::Invalid)
                .then(|| {
                    survey
                        .failed_checks(q, response)
                        .first()
                        .map(|c| c.message.get(lang).to_owned())
                })
                .flatten();
            check
                .or_else(|| {
                    (p == Problem::Invalid).then(|| alone_with_others(q, fields, lang, t))?
                })
                .unwrap_or_else(|| error_text(q, p, lang, t))
        }),
        options: Vec::new(),
        non_answers: if q.is_note() {
            Vec::new()
        } else {
            non_answers(&id)
        },
        value: value_of(&id),
        min: String::new(),
        max: String::new(),
        step: String::new(),
        unit: None,
        min_label: None,
        max_label: None,
        rows: Vec::new(),
        maxlength: 0,
        hint: None,
        reveal_name: String::new(),
        reveal_values: String::new(),
        columns: Vec::new(),
        cell_rows: Vec::new(),
    };
    match &q.kind {
        QuestionKind::Single { options, select } => {
            view.kind = if *select { "select" } else { "single" };
            view.options = choices(&id, options);
        }
        QuestionKind::Multi { options, .. } => {
            view.kind = "multi";
            view.options = choices(&id, options);
        }
        QuestionKind::Likert { options } => {
            view.kind = "likert";
            view.options = choices(&id, options);
        }
        QuestionKind::Number { min, max, unit, .. } => {
            view.kind = "number";
            view.min = min.to_string();
            view.max = max.to_string();
            view.unit = unit.as_ref().map(|u| u.get(lang).to_owned());
            if NonAnswer::from_wire(&view.value).is_some() {
                view.value.clear();
            }
        }
        QuestionKind::Scale {
            min,
            max,
            min_label,
            max_label,
        } => {
            view.kind = "scale";
            // The end labels sit in the labels of the end points themselves, so they stay beside
            // their numbers however the scale wraps (at large text sizes it becomes a list).
            let end_label = |n: i64| {
                let label = if n == *min {
                    min_label.as_ref()
                } else if n == *max {
                    max_label.as_ref()
                } else {
                    None
                };
                label.map_or_else(|| n.to_string(), |l| format!("{n} – {}", l.get(lang)))
            };
            view.options = (*min..=*max)
                .map(|n| {
                    let value = n.to_string();
                    OptionView {
                        name: id.clone(),
                        checked: is_set(&id, &value),
                        dom_id: dom_id(&id, &value),
                        label: end_label(n),
                        value,
                        exclusive: false,
                    }
                })
                .collect();
            view.min_label = min_label.as_ref().map(|l| l.get(lang).to_owned());
            view.max_label = max_label.as_ref().map(|l| l.get(lang).to_owned());
        }
        QuestionKind::Grid { rows, options } => {
            view.kind = "grid";
            view.non_answers = Vec::new();
            view.rows = rows
                .iter()
                .map(|r| {
                    let name = format!("{id}.{}", r.id);
                    RowView {
                        label: r.text.get(lang).to_owned(),
                        dom_id: dom_id(&id, &r.id),
                        options: choices(&name, options),
                        non_answers: non_answers(&name),
                    }
                })
                .collect();
        }
        QuestionKind::Date { min, max } => {
            view.kind = "date";
            view.min = min.map(|m| m.to_string()).unwrap_or_default();
            view.max = max.map(|m| m.to_string()).unwrap_or_default();
            if NonAnswer::from_wire(&view.value).is_some() {
                view.value.clear();
            }
        }
        QuestionKind::Decimal {
            min,
            max,
            step,
            unit,
            ..
        } => {
            view.kind = "decimal";
            view.min = min.to_string();
            view.max = max.to_string();
            view.step = step.to_string();
            view.unit = unit.as_ref().map(|u| u.get(lang).to_owned());
            if NonAnswer::from_wire(&view.value).is_some() {
                view.value.clear();
            }
        }
        QuestionKind::Day { min, max } => {
            view.kind = "day";
            view.min = min.to_string();
            view.max = max.to_string();
            if NonAnswer::from_wire(&view.value).is_some() {
                view.value.clear();
            }
        }
        QuestionKind::Text { max_length } => {
            view.kind = "text";
            view.maxlength = *max_length;
            if NonAnswer::from_wire(&view.value).is_some() {
                view.value.clear();
            }
        }
        QuestionKind::Note => {}
    }
    view
}

/// The hint and the page script's data for a question shown or hidden by an answer above it.
pub fn reveal(view: &mut QuestionView, survey: &Survey, q: &Question, lang: &str, t: &Strings) {
    let Some(on) = survey.on_same_page(q) else {
        return;
    };
    let s = |key: &str| t.get(key).cloned().unwrap_or_default();
    view.reveal_name = on.trigger.to_string();
    match (on.options, survey.question(on.trigger.as_str())) {
        (Some(options), Some(trigger)) if !options.is_empty() => {
            let label = |id: &str| match trigger.option(id) {
                Some(o) => o.text.get(lang).to_owned(),
                None => NonAnswer::from_wire(id)
                    .map_or_else(|| id.to_owned(), |n| non_answer_label(survey, n, lang, t)),
            };
            let labels: Vec<String> = options.iter().map(|o| label(o)).collect();
            view.hint = Some(s("if_above").replace("{answer}", &labels.join(" / ")));
            view.reveal_values = options.join(" ");
        }
        _ => view.hint = Some(s("if_above_any")),
    }
}

/// Puts the cells of each grid with typed columns back together, in one view of kind "cells"
/// whose rows are fieldsets named by the row, each cell labelled by its column. Other questions
/// pass through unchanged.
pub fn gather_cells(
    survey: &Survey,
    items: Vec<(&Question, QuestionView)>,
    lang: &str,
) -> Vec<QuestionView> {
    let mut out: Vec<QuestionView> = Vec::new();
    let mut open: Option<(&str, Vec<&str>)> = None;
    for (q, mut v) in items {
        let Some(cell) = &q.cell else {
            open = None;
            out.push(v);
            continue;
        };
        v.text = cell.column_text.get(lang).to_owned();
        let same_grid = open.as_ref().is_some_and(|(g, _)| *g == cell.grid.as_str());
        let (columns, grid) = match (&open, out.last_mut()) {
            (Some((_, columns)), Some(grid)) if same_grid => (columns.clone(), grid),
            _ => {
                let mut columns: Vec<&str> = Vec::new();
                let mut headings = Vec::new();
                for c in survey.questions().filter_map(|o| o.cell.as_ref()) {
                    if c.grid == cell.grid && !columns.contains(&c.column.as_str()) {
                        columns.push(c.column.as_str());
                        headings.push(c.column_text.get(lang).to_owned());
                    }
                }
                out.push(QuestionView {
                    id: cell.grid.to_string(),
                    kind: "cells",
                    text: cell.text.get(lang).to_owned(),
                    help: cell.help.as_ref().map(|h| h.get(lang).to_owned()),
                    required: false,
                    error: None,
                    options: Vec::new(),
                    non_answers: Vec::new(),
                    value: String::new(),
                    min: String::new(),
                    max: String::new(),
                    step: String::new(),
                    unit: None,
                    min_label: None,
                    max_label: None,
                    rows: Vec::new(),
                    maxlength: 0,
                    // Cells share the grid's condition: the hint and the page script's data
                    // move up to the grid, once.
                    hint: v.hint.clone(),
                    reveal_name: v.reveal_name.clone(),
                    reveal_values: v.reveal_values.clone(),
                    columns: headings,
                    cell_rows: Vec::new(),
                });
                open = Some((cell.grid.as_str(), columns.clone()));
                let Some(grid) = out.last_mut() else {
                    continue;
                };
                (columns, grid)
            }
        };
        if v.hint == grid.hint && v.reveal_values == grid.reveal_values {
            v.hint = None;
            v.reveal_name.clear();
            v.reveal_values.clear();
        }
        grid.required |= v.required;
        let row_dom_id = dom_id(&format!("{}-row", cell.grid), &cell.row);
        if grid.cell_rows.last().is_none_or(|r| r.dom_id != row_dom_id) {
            grid.cell_rows.push(CellRowView {
                label: cell.row_text.get(lang).to_owned(),
                dom_id: row_dom_id,
                cells: columns.iter().map(|_| None).collect(),
            });
        }
        let at = columns.iter().position(|c| *c == cell.column.as_str());
        if let Some(slot) = grid
            .cell_rows
            .last_mut()
            .and_then(|r| at.and_then(|i| r.cells.get_mut(i)))
        {
            *slot = Some(v);
        }
    }
    out
}

fn dom_id(name: &str, value: &str) -> String {
    format!("in-{}-{}", name.replace('.', "-"), value)
}

/// A non-answer's words: the survey's own (`[non_answers]`, which may also reword "Don't know"
/// and "Prefer not to say") in the peer's language, else the interface's.
fn non_answer_label(survey: &Survey, n: NonAnswer, lang: &str, t: &Strings) -> String {
    if let Some(own) = survey.non_answer_text(n, lang).filter(|s| !s.is_empty()) {
        return own.to_owned();
    }
    let key = match n {
        NonAnswer::DontKnow => "dont_know",
        NonAnswer::PreferNotToSay => "prefer_not_to_say",
        NonAnswer::Custom(id) => return id.as_str().to_owned(),
    };
    t.get(key).cloned().unwrap_or_default()
}

/// "“None of these” can't be ticked together with other answers": the conflict named, where
/// an option that stands alone was ticked with others (without JavaScript nothing unticks them).
fn alone_with_others(
    q: &Question,
    fields: &[(String, String)],
    lang: &str,
    t: &Strings,
) -> Option<String> {
    let QuestionKind::Multi { options, .. } = &q.kind else {
        return None;
    };
    let ticked: Vec<&str> = fields
        .iter()
        .filter(|(n, _)| n == q.id.as_str())
        .map(|(_, v)| v.as_str())
        .collect();
    if ticked.len() < 2 {
        return None;
    }
    let alone = options
        .iter()
        .find(|o| o.exclusive && ticked.contains(&o.id.as_str()))?;
    let words = t.get("error_alone")?;
    Some(words.replace("{option}", alone.text.get(lang)))
}

/// A plain-words message in the peer's language: the question's own (`messages`) when it has
/// one, else the interface's, chosen by question type (the engine's own messages are for the
/// API and in English).
pub fn error_text(q: &Question, problem: Problem, lang: &str, t: &Strings) -> String {
    let own = match problem {
        Problem::Required => MessageKind::Required,
        Problem::Invalid => MessageKind::Invalid,
    };
    if let Some(own) = q.message(own, lang) {
        return own.to_owned();
    }
    let s = |key: &str| t.get(key).cloned().unwrap_or_default();
    if problem == Problem::Required {
        return s("error_required");
    }
    match &q.kind {
        QuestionKind::Number { min, max, .. } | QuestionKind::Scale { min, max, .. } => {
            // "…or leave it empty" only where leaving it empty is allowed.
            s(if q.required {
                "error_number_required"
            } else {
                "error_number"
            })
            .replace("{min}", &min.to_string())
            .replace("{max}", &max.to_string())
        }
        QuestionKind::Date { .. } => s("error_month"),
        QuestionKind::Decimal { min, max, .. } => s("error_number")
            .replace("{min}", &min.to_string())
            .replace("{max}", &max.to_string()),
        QuestionKind::Day { .. } => s("error_generic"),
        QuestionKind::Single { .. } | QuestionKind::Likert { .. } | QuestionKind::Grid { .. } => {
            s("error_choice")
        }
        QuestionKind::Multi { .. } => s("error_multi"),
        QuestionKind::Text { .. } => s("error_text"),
        QuestionKind::Note => s("error_generic"),
    }
}

/// One answered (or skipped) question on the review step.
#[derive(Serialize)]
pub struct ReviewItem {
    pub question: String,
    pub answer: Vec<String>,
    pub answered: bool,
}

#[derive(Serialize)]
pub struct ReviewPage {
    pub index: usize,
    pub title: String,
    pub items: Vec<ReviewItem>,
}

pub fn review(
    survey: &Survey,
    pages: &[usize],
    response: &Response,
    lang: &str,
    t: &Strings,
) -> Vec<ReviewPage> {
    pages
        .iter()
        .filter_map(|&index| {
            let page = survey.pages().get(index)?;
            let items = page
                .questions
                .iter()
                .filter(|q| !q.is_note() && survey.asks(q, response))
                .map(|q| {
                    let answer = response
                        .get(q.id.as_str())
                        .map(|a| answer_text(survey, q, a, lang, t));
                    ReviewItem {
                        question: survey.pipe(q.text.get(lang), response, lang),
                        answered: answer.is_some(),
                        answer: answer.unwrap_or_else(|| {
                            vec![t.get("no_answer").cloned().unwrap_or_default()]
                        }),
                    }
                })
                .collect();
            Some(ReviewPage {
                index,
                title: page.title.get(lang).to_owned(),
                items,
            })
        })
        .collect()
}

fn answer_text(
    survey: &Survey,
    q: &Question,
    answer: &Answer,
    lang: &str,
    t: &Strings,
) -> Vec<String> {
    let label = |id: &str| {
        q.option(id)
            .map_or_else(|| id.to_owned(), |o| o.text.get(lang).to_owned())
    };
    match answer {
        Answer::Choice(id) => vec![label(id)],
        Answer::Choices(ids) => ids.iter().map(|id| label(id)).collect(),
        Answer::Number(n) => {
            let unit = match &q.kind {
                QuestionKind::Number { unit: Some(u), .. } => format!(" {}", u.get(lang)),
                _ => String::new(),
            };
            vec![format!("{n}{unit}")]
        }
        Answer::Month(m) => vec![m.to_string()],
        Answer::Day(d) => vec![d.to_string()],
        Answer::Decimal(d) => {
            let unit = match &q.kind {
                QuestionKind::Decimal { unit: Some(u), .. } => format!(" {}", u.get(lang)),
                _ => String::new(),
            };
            vec![format!("{d}{unit}")]
        }
        Answer::Text(text) => vec![text.clone()],
        Answer::NonAnswer(n) => vec![non_answer_label(survey, *n, lang, t)],
        Answer::Grid(cells) => match &q.kind {
            QuestionKind::Grid { rows, .. } => rows
                .iter()
                .filter_map(|r| {
                    let cell = cells.get(&r.id)?;
                    let value = match cell {
                        GridCell::Choice(id) => label(id),
                        GridCell::NonAnswer(n) => non_answer_label(survey, *n, lang, t),
                    };
                    Some(format!("{}: {value}", r.text.get(lang)))
                })
                .collect(),
            _ => Vec::new(),
        },
    }
}
