//! Reading a TOML definition into typed values, recording every error with its line.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::condition::Condition;
use super::definition::{DefinitionErrors, Mode, Page, Question, Role, Survey};
use super::ids::{check_option_id, QuestionId, SurveyId};
use super::reader::{as_table, parse_text, Errors, Fields, Value};
use super::text::Lang;

pub(super) const THRESHOLD_RANGE: std::ops::RangeInclusive<i64> = 5..=50;
pub(super) const K_RANGE: std::ops::RangeInclusive<i64> = 5..=50;
const DEFAULT_THRESHOLD: u32 = 10;
const DEFAULT_MIN_RESPONSES: u32 = 30;
const DEFAULT_K: u32 = 10;

pub(super) fn parse(source: &str) -> Result<Survey, DefinitionErrors> {
    let mut errs = Errors::new(source);
    let (root, syntax) = DeTable::parse_recoverable(source);
    if !syntax.is_empty() {
        for e in syntax {
            let line = e.span().map(|s| errs.line(s.start));
            errs.at_line(line, format!("invalid TOML: {}", e.message().trim()));
        }
        return Err(finish(errs));
    }
    let survey = read_survey(&mut errs, root.get_ref(), root.span(), source);
    if let Some(s) = &survey {
        super::validate::validate(&mut errs, s);
    }
    match survey {
        Some(s) if errs.list.is_empty() => Ok(s),
        _ => Err(finish(errs)),
    }
}

fn finish(errs: Errors) -> DefinitionErrors {
    let mut list = errs.list;
    list.sort_by_key(|e| e.line.unwrap_or(0));
    list.dedup();
    DefinitionErrors(list)
}

fn ranged_u32(
    errs: &mut Errors,
    f: &mut Fields<'_, '_>,
    key: &str,
    range: Option<std::ops::RangeInclusive<i64>>,
) -> Option<u32> {
    let (n, span) = f.int(errs, key)?;
    if let Some(r) = range.filter(|r| !r.contains(&n)) {
        errs.at(
            &span,
            format!(
                "'{key}' must be between {} and {} (it is {n})",
                r.start(),
                r.end()
            ),
        );
        return None;
    }
    match u32::try_from(n) {
        Ok(n) => Some(n),
        Err(_) => {
            errs.at(&span, format!("'{key}' must be a positive whole number"));
            None
        }
    }
}

fn read_survey(
    errs: &mut Errors,
    root: &DeTable<'_>,
    span: Range<usize>,
    source: &str,
) -> Option<Survey> {
    let mut f = Fields::new(root, span, String::new());
    let id = match f.str(errs, "id") {
        Some((s, span)) => match SurveyId::parse(s) {
            Ok(id) => Some(id),
            Err(e) => {
                errs.at(&span, format!("'id': {e}"));
                None
            }
        },
        None => {
            if !f.has("id") {
                errs.at_line(Some(1), "missing key 'id'");
            }
            None
        }
    };
    let languages = read_languages(errs, &mut f);
    let title = match f.get("title") {
        Some(v) => parse_text(errs, "'title'", v, &languages),
        None => {
            errs.at_line(Some(1), "missing key 'title'");
            None
        }
    };
    let description = f.text(errs, "description", &languages);
    let mode = match f.str(errs, "mode") {
        None => Mode::Invite,
        Some(("invite", _)) => Mode::Invite,
        Some(("open", _)) => Mode::Open,
        Some((_, span)) => {
            errs.at(&span, "'mode' must be \"invite\" or \"open\"");
            Mode::Invite
        }
    };
    let threshold = ranged_u32(errs, &mut f, "threshold", Some(THRESHOLD_RANGE));
    let min_responses_span = f.get("min_responses").map(|v| v.span());
    let min_responses = ranged_u32(errs, &mut f, "min_responses", None);
    let k = ranged_u32(errs, &mut f, "k_anonymity", Some(K_RANGE));
    let record_screened_out = f.bool(errs, "record_screened_out").unwrap_or(false);
    let interface = super::interface::read_interface(errs, &mut f, &languages);
    let threshold_value = threshold.unwrap_or(DEFAULT_THRESHOLD);
    let min_responses = match (min_responses, min_responses_span) {
        (Some(m), Some(span)) => {
            if u64::from(m) < 2 * u64::from(threshold_value) {
                errs.at(
                    &span,
                    format!(
                        "'min_responses' ({m}) must be at least twice the threshold ({})",
                        2 * threshold_value
                    ),
                );
            }
            m
        }
        _ => DEFAULT_MIN_RESPONSES.max(2 * threshold_value),
    };

    let mut pages = Vec::new();
    match f.array(errs, "pages") {
        Some(([], span)) => errs.at(&span, "'pages' is empty"),
        Some((items, _)) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(p) = read_page(errs, i, item, &languages) {
                    pages.push(p);
                }
            }
        }
        None => {
            if !f.has("pages") {
                errs.at_line(None, "the survey has no [[pages]]");
            }
        }
    }
    f.finish(errs, "");

    Some(Survey {
        id: id?,
        title: title?,
        description,
        mode,
        languages,
        threshold: threshold_value,
        min_responses,
        k_anonymity: k.unwrap_or(DEFAULT_K),
        record_screened_out,
        interface,
        pages,
        source: source.to_owned(),
    })
}

fn read_languages(errs: &mut Errors, f: &mut Fields<'_, '_>) -> Vec<Lang> {
    let fallback = || Lang::parse("en").into_iter().collect::<Vec<_>>();
    let Some((items, span)) = f.array(errs, "languages") else {
        return fallback();
    };
    let mut langs: Vec<Lang> = Vec::new();
    for item in items {
        match item.get_ref() {
            DeValue::String(s) => match Lang::parse(s) {
                Some(l) if langs.contains(&l) => {
                    errs.at(&item.span(), format!("language '{l}' is listed twice"));
                }
                Some(l) => langs.push(l),
                None => errs.at(
                    &item.span(),
                    format!("'{s}' is not a language code such as \"en\" or \"pt-br\""),
                ),
            },
            _ => errs.at(&item.span(), "'languages' must be a list of language codes"),
        }
    }
    if langs.is_empty() {
        errs.at(&span, "'languages' must list at least one language");
        return fallback();
    }
    langs
}

fn read_condition(errs: &mut Errors, f: &mut Fields<'_, '_>, key: &str) -> Option<Condition> {
    let (src, span) = f.str(errs, key)?;
    let line = errs.line(span.start);
    match Condition::parse(src) {
        Ok(c) => Some(c.with_line(line)),
        Err(e) => {
            errs.at(&span, format!("{}{key}: {e}", f.ctx));
            None
        }
    }
}

fn read_page(errs: &mut Errors, index: usize, v: &Value<'_>, langs: &[Lang]) -> Option<Page> {
    let table = as_table(errs, &format!("page {}", index + 1), v)?;
    let mut f = Fields::new(table, v.span(), format!("page {}: ", index + 1));
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
    let show_if = read_condition(errs, &mut f, "show_if");
    let mut questions = Vec::new();
    match f.array(errs, "questions") {
        Some(([], span)) => {
            errs.at(&span, format!("{}has no questions", f.ctx));
        }
        Some((items, _)) => {
            for (i, item) in items.iter().enumerate() {
                if let Some(q) = read_question(errs, &id, i, item, langs) {
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
    })
}

const TYPES: &str = "single, multi, number, scale, grid, date, text or note";

fn read_question(
    errs: &mut Errors,
    page: &str,
    index: usize,
    v: &Value<'_>,
    langs: &[Lang],
) -> Option<Question> {
    let what = format!("question {} on page '{page}'", index + 1);
    let table = as_table(errs, &what, v)?;
    let mut f = Fields::new(table, v.span(), format!("{what}: "));
    let line = errs.line(v.span().start);
    let id = match f.str(errs, "id") {
        Some((s, span)) => match QuestionId::parse(s) {
            Ok(id) => {
                f.ctx = format!("question '{id}': ");
                Some(id)
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
    let ty = match f.str(errs, "type") {
        Some((t, span)) => {
            if !matches!(
                t,
                "single" | "multi" | "number" | "scale" | "grid" | "date" | "text" | "note"
            ) {
                errs.at(&span, format!("{}unknown type '{t}' (use {TYPES})", f.ctx));
                None
            } else {
                Some(t)
            }
        }
        None => {
            f.missing(errs, "type");
            None
        }
    };
    let text = f.text(errs, "text", langs);
    if !f.has("text") {
        f.missing(errs, "text");
    }
    let help = f.text(errs, "help", langs);
    let is_note = ty == Some("note");
    let role = match f.str(errs, "role") {
        Some((r, span)) => match Role::parse(r) {
            Some(_) if is_note => {
                errs.at(
                    &span,
                    format!("{}a note takes no answer, so it has no role", f.ctx),
                );
                None
            }
            Some(role) => Some(role),
            None => {
                errs.at(
                    &span,
                    format!(
                        "{}unknown role '{r}' (use quasi, sensitive, free_text or plain)",
                        f.ctx
                    ),
                );
                None
            }
        },
        None => {
            if !is_note && !f.has("role") && ty.is_some() {
                errs.at(
                    &f.span,
                    format!(
                        "{}missing key 'role' (every question needs a disclosure role: quasi, sensitive, free_text or plain)",
                        f.ctx
                    ),
                );
            }
            None
        }
    };
    let required = f.bool(errs, "required").unwrap_or(false);
    let show_if = read_condition(errs, &mut f, "show_if");
    let end_if = read_condition(errs, &mut f, "end_if");
    let dont_know = f.bool(errs, "dont_know").unwrap_or(!is_note);
    let prefer_not_to_say = f.bool(errs, "prefer_not_to_say").unwrap_or(!is_note);
    if is_note && (required || dont_know || prefer_not_to_say || end_if.is_some()) {
        errs.at(
            &f.span,
            format!(
                "{}a note takes no answer, so it can't be required, offer non-answers or have end_if",
                f.ctx
            ),
        );
    }

    let kind = match ty {
        Some(t) => super::kinds::read_kind(errs, &mut f, t, langs, role),
        None => None,
    };
    let hierarchy = match &kind {
        Some(k) => super::hierarchy::read_hierarchy(errs, &mut f, k, role, langs),
        None => Default::default(),
    };
    f.finish(
        errs,
        &ty.map(|t| format!(" for a '{t}' question"))
            .unwrap_or_default(),
    );
    let kind = kind?;
    if role.is_none() && !is_note {
        return None;
    }
    Some(Question {
        id: id?,
        kind,
        text: text?,
        help,
        role,
        required,
        show_if,
        end_if,
        dont_know,
        prefer_not_to_say,
        groups: hierarchy.groups,
        coarse_bands: hierarchy.coarse_bands,
        line,
    })
}
