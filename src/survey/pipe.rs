//! Piping: `{answer:id}` in a question's text or help shows an earlier answer ("How did you
//! get the {answer:main_drug} you used last?"). `{answer:id|fallback}` shows `fallback` when the
//! question was skipped, not shown or answered with a non-answer.

use super::definition::{Question, QuestionKind, Survey};
use super::response::{Answer, Response};
use super::text::Text;

const OPEN: &str = "{answer:";

/// One `{answer:…}` in a text: the question id and the fallback, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Reference<'t> {
    pub(super) question: &'t str,
    pub(super) fallback: Option<&'t str>,
    /// Byte range of the whole `{answer:…}` in the text.
    pub(super) range: std::ops::Range<usize>,
}

/// Every `{answer:…}` in `text`, in order. An opening without a closing `}` is plain text.
pub(super) fn references(text: &str) -> Vec<Reference<'_>> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(start) = text
        .get(from..)
        .and_then(|t| t.find(OPEN))
        .map(|i| i + from)
    {
        let inner_start = start + OPEN.len();
        let Some(end) = text.get(inner_start..).and_then(|t| t.find('}')) else {
            break;
        };
        let inner = text.get(inner_start..inner_start + end).unwrap_or_default();
        let (question, fallback) = match inner.split_once('|') {
            Some((q, f)) => (q.trim(), Some(f)),
            None => (inner.trim(), None),
        };
        out.push(Reference {
            question,
            fallback,
            range: start..inner_start + end + 1,
        });
        from = inner_start + end + 1;
    }
    out
}

/// `text` with each `{answer:…}` replaced by what `value` gives for it.
fn replace_references(text: &str, mut value: impl FnMut(&Reference<'_>) -> String) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for r in references(text) {
        out.push_str(text.get(last..r.range.start).unwrap_or_default());
        out.push_str(&value(&r));
        last = r.range.end;
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

/// `text` away from any one response — a table's title, a codebook's label, quotes' heading:
/// each `{answer:…}` shows its fallback, or "…" when it has none.
pub fn unpiped(text: &str) -> String {
    replace_references(text, |r| r.fallback.unwrap_or("…").to_owned())
}

impl Question {
    /// The question's text as organisers and researchers read it, in every language: see
    /// [`unpiped`].
    pub fn heading(&self) -> Text {
        self.text.map_each(|_, t| unpiped(t))
    }
}

impl Survey {
    /// `text` with each `{answer:id}` replaced by the answer to `id` in `answers`, in `lang`:
    /// an option's text, several options joined by ", ", a number (with its unit), a month or
    /// date, or the text typed. Pages call this on a question's text and help before showing
    /// them.
    pub fn pipe(&self, text: &str, answers: &Response, lang: &str) -> String {
        // Worked out once, and only for a text that pipes something.
        let mut shown: Option<Response> = None;
        replace_references(text, |r| {
            let shown = shown.get_or_insert_with(|| self.visible_answers(answers));
            let value = self
                .question(r.question)
                .zip(shown.get(r.question))
                .and_then(|(q, a)| match a {
                    Answer::Choice(id) => q.option(id).map(|o| o.text.get(lang).to_owned()),
                    Answer::Choices(ids) => Some(
                        ids.iter()
                            .filter_map(|id| q.option(id))
                            .map(|o| o.text.get(lang))
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    Answer::Number(n) => Some(match &q.kind {
                        QuestionKind::Number { unit: Some(u), .. } => {
                            format!("{n} {}", u.get(lang))
                        }
                        _ => n.to_string(),
                    }),
                    Answer::Month(m) => Some(m.to_string()),
                    Answer::Day(d) => Some(d.to_string()),
                    Answer::Decimal(d) => Some(match &q.kind {
                        QuestionKind::Decimal { unit: Some(u), .. } => {
                            format!("{d} {}", u.get(lang))
                        }
                        _ => d.to_string(),
                    }),
                    Answer::Text(t) => Some(t.clone()),
                    Answer::Grid(_) | Answer::NonAnswer(_) => None,
                });
            value.unwrap_or_else(|| r.fallback.unwrap_or_default().to_owned())
        })
    }
}
