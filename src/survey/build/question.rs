//! Reading one `[[pages.questions]]` table.

use super::super::condition::Condition;
use super::super::definition::{Check, Compute, Messages, Question, Role};
use super::super::hierarchy::read_hierarchy;
use super::super::ids::QuestionId;
use super::super::kinds::read_kind;
use super::super::non_answers::{read_question_list, NonAnswerSettings};
use super::super::reader::{as_table, to_json, Errors, Fields, Value};
use super::super::response::Answer;
use super::super::response::NonAnswer;
use super::super::text::Lang;
use super::super::value::parse_one;
use super::compute::read_compute;

const TYPES: &str = "single, multi, number, network_size, scale, grid, date, text or note";

pub(super) fn read_question(
    errs: &mut Errors,
    page: &str,
    index: usize,
    v: &Value<'_>,
    langs: &[Lang],
    defaults: &NonAnswerSettings,
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
                "single"
                    | "multi"
                    | "number"
                    | "network_size"
                    | "scale"
                    | "grid"
                    | "date"
                    | "text"
                    | "note"
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
    let show_if = f.condition(errs, "show_if");
    let end_if = f.condition(errs, "end_if");
    let mut compute = read_compute(errs, &mut f);
    let from_batch_span = f.get("from_batch").map(|v| v.span());
    if let (Some(true), Some(span)) = (f.bool(errs, "from_batch"), from_batch_span) {
        if compute.is_some() {
            errs.at(
                &span,
                format!("{}give either 'compute' or 'from_batch', not both", f.ctx),
            );
        } else if ty != Some("single") {
            errs.at(
                &span,
                format!(
                    "{}'from_batch' fills a single-choice question (type = \"single\") from the code batch's tag",
                    f.ctx
                ),
            );
        } else {
            compute = Some(Compute::FromBatch);
        }
    }
    // Nobody answers a computed field, so it offers no non-answers unless it says so.
    let asked = !is_note && compute.is_none();
    let dont_know = f
        .bool(errs, "dont_know")
        .unwrap_or(asked && defaults.offered_by_default(NonAnswer::DontKnow));
    let prefer_not_to_say = f
        .bool(errs, "prefer_not_to_say")
        .unwrap_or(asked && defaults.offered_by_default(NonAnswer::PreferNotToSay));
    let declared_non_answers = match read_question_list(errs, &mut f, defaults) {
        Some(list) => list,
        None if !asked => Vec::new(),
        None => defaults.declared_by_default(),
    };
    let messages = read_messages(errs, &mut f, langs);
    let checks = read_checks(errs, &mut f, langs);
    let default = f.get("default");
    let implied = read_implied(errs, &mut f);
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
        Some(t) => read_kind(errs, &mut f, t, langs, role),
        None => None,
    };
    let hierarchy = match &kind {
        Some(k) => read_hierarchy(errs, &mut f, k, role, langs),
        None => Default::default(),
    };
    let (f_span, ctx) = (f.span.clone(), f.ctx.clone());
    f.finish(
        errs,
        &ty.map(|t| format!(" for a '{t}' question"))
            .unwrap_or_default(),
    );
    let kind = kind?;
    if role.is_none() && !is_note {
        return None;
    }
    if is_note && !declared_non_answers.is_empty() {
        errs.at(
            &f_span,
            format!("{ctx}a note takes no answer, so it offers no non-answers"),
        );
    }
    for n in &declared_non_answers {
        if kind.options().iter().any(|o| o.id == n.as_str()) {
            errs.at(
                &f_span,
                format!(
                    "{ctx}option '{}' has the id of one of the survey's non-answers; rename one of them",
                    n.as_str()
                ),
            );
        }
    }
    let mut question = Question {
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
        declared_non_answers,
        messages,
        checks,
        compute,
        default_answer: None,
        implied: Vec::new(),
        network_size: ty == Some("network_size"),
        cell: None,
        instance: None,
        line,
    };
    let asked = question.compute.is_none() && !question.is_note();
    if let Some(v) = default {
        question.default_answer = typed_answer(errs, &question, &ctx, "default", v, asked);
    }
    for (when, v) in implied {
        if let Some(a) = typed_answer(errs, &question, &ctx, "implied answer", v, asked) {
            question.implied.push((when, a));
        }
    }
    Some(question)
}

/// A default or implied answer, checked like a peer's answer to the question.
fn typed_answer(
    errs: &mut Errors,
    q: &Question,
    ctx: &str,
    what: &str,
    v: &Value<'_>,
    asked: bool,
) -> Option<Answer> {
    if !asked {
        errs.at(
            &v.span(),
            format!(
                "{ctx}a {what} needs a question that is asked (not a note or a computed field)"
            ),
        );
        return None;
    }
    let parsed = to_json(v.get_ref()).map(|json| parse_one(q, &json));
    match parsed {
        Some(Ok(Some(a))) => Some(a),
        Some(Ok(None)) => {
            errs.at(&v.span(), format!("{ctx}the {what} is empty"));
            None
        }
        Some(Err(problems)) => {
            errs.at(
                &v.span(),
                format!(
                    "{ctx}the {what} is not a valid answer: {}",
                    problems.join("; ")
                ),
            );
            None
        }
        None => {
            errs.at(&v.span(), format!("{ctx}the {what} is not a valid answer"));
            None
        }
    }
}

/// `implied = [{ when = "…", answer = … }, …]`, answers still in their TOML form.
fn read_implied<'a, 'i>(
    errs: &mut Errors,
    f: &mut Fields<'a, 'i>,
) -> Vec<(Condition, &'a Value<'i>)> {
    let Some((items, _)) = f.array(errs, "implied") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let what = format!("{}implied {}", f.ctx, i + 1);
        let Some(t) = as_table(errs, &what, item) else {
            continue;
        };
        let mut rf = Fields::new(t, item.span(), format!("{what}: "));
        let when = rf.condition(errs, "when");
        let answer = rf.get("answer");
        for key in ["when", "answer"] {
            if !rf.has(key) {
                rf.missing(errs, key);
            }
        }
        rf.finish(errs, " in an implied answer (use 'when' and 'answer')");
        if let (Some(w), Some(a)) = (when, answer) {
            out.push((w, a));
        }
    }
    out
}

/// `checks = [{ holds = "…", message = … }, …]`.
fn read_checks(errs: &mut Errors, f: &mut Fields<'_, '_>, langs: &[Lang]) -> Vec<Check> {
    let Some((items, _)) = f.array(errs, "checks") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let what = format!("{}check {}", f.ctx, i + 1);
        let Some(table) = as_table(errs, &what, item) else {
            continue;
        };
        let mut cf = Fields::new(table, item.span(), format!("{what}: "));
        let holds = cf.condition(errs, "holds");
        let message = cf.text(errs, "message", langs);
        for key in ["holds", "message"] {
            if !cf.has(key) {
                cf.missing(errs, key);
            }
        }
        cf.finish(errs, " in a check (use 'holds' and 'message')");
        if let (Some(holds), Some(message)) = (holds, message) {
            out.push(Check { holds, message });
        }
    }
    out
}

/// `messages = { required = …, invalid = … }`: the question's own validation messages. A
/// message missing a translation falls back to the default language, which a peer reading
/// another language may not understand: that is worth a warning.
fn read_messages(errs: &mut Errors, f: &mut Fields<'_, '_>, langs: &[Lang]) -> Messages {
    let Some(v) = f.get("messages") else {
        return Messages::default();
    };
    let Some(table) = as_table(errs, &format!("{}'messages'", f.ctx), v) else {
        return Messages::default();
    };
    let mut mf = Fields::new(table, v.span(), format!("{}messages: ", f.ctx));
    let messages = Messages {
        required: mf.text(errs, "required", langs),
        invalid: mf.text(errs, "invalid", langs),
    };
    mf.finish(errs, " (use 'required' or 'invalid')");
    let line = errs.line(v.span().start);
    for (key, text) in [
        ("required", &messages.required),
        ("invalid", &messages.invalid),
    ] {
        let missing: Vec<&str> = text
            .iter()
            .flat_map(|t| langs.iter().filter(|l| !t.has(l.as_str())))
            .map(Lang::as_str)
            .collect();
        if !missing.is_empty() {
            errs.warn(
                Some(line),
                format!(
                    "{}message '{key}' has no translation into {}; peers reading those languages see the default language",
                    f.ctx,
                    missing.join(", ")
                ),
            );
        }
    }
    messages
}
