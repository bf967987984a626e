//! Reading `[variants.<field>.<option>]`: per-site option lists and texts. Site-only options
//! are added to the question's own list here, so the rest of the model (conditions, releases,
//! exports, codebooks) sees one variable with every option.

use std::collections::BTreeMap;

use toml::de::DeValue;

use super::super::definition::{
    Choice, Compute, Page, Question, QuestionKind, QuestionVariant, Variant,
};
use super::super::ids::check_option_id;
use super::super::reader::{as_table, parse_text, Errors, Fields, Value};
use super::super::text::Lang;

/// What `[variants]` adds to a survey.
#[derive(Default)]
pub(super) struct Variants {
    pub(super) list: Vec<Variant>,
    pub(super) site_only: BTreeMap<String, Vec<String>>,
}

pub(super) fn read_variants(
    errs: &mut Errors,
    v: Option<&Value<'_>>,
    pages: &mut [Page],
    langs: &[Lang],
) -> Variants {
    let mut out = Variants::default();
    let Some(v) = v else { return out };
    let Some(fields) = as_table(errs, "'variants'", v) else {
        return out;
    };
    for (field_key, field_value) in fields.iter() {
        let field = field_key.get_ref().as_ref();
        let what = format!("[variants.{field}]");
        let Some(field_q) = pages
            .iter()
            .flat_map(|p| &p.questions)
            .find(|q| q.id.as_str() == field)
        else {
            errs.at(
                &field_key.span(),
                format!("{what}: there is no question '{field}'; variants are chosen by a question with from_batch = true"),
            );
            continue;
        };
        if field_q.compute != Some(Compute::FromBatch) {
            errs.at(
                &field_key.span(),
                format!("{what}: question '{field}' is not filled from the batch (from_batch = true), so no card can choose a variant by it"),
            );
            continue;
        }
        let field_options: Vec<String> = field_q
            .kind
            .options()
            .iter()
            .map(|o| o.id.clone())
            .collect();
        let Some(sites) = as_table(errs, &what, field_value) else {
            continue;
        };
        for (site_key, site_value) in sites.iter() {
            let site = site_key.get_ref().as_ref();
            let what = format!("[variants.{field}.{site}]");
            if !field_options.iter().any(|o| o == site) {
                errs.at(
                    &site_key.span(),
                    format!(
                        "{what}: '{site}' is not one of the options of '{field}' ({})",
                        field_options.join(", ")
                    ),
                );
                continue;
            }
            let Some(table) = as_table(errs, &what, site_value) else {
                continue;
            };
            let mut questions = BTreeMap::new();
            for (q_key, q_value) in table.iter() {
                let id = q_key.get_ref().as_ref();
                let what = format!("{what} question '{id}'");
                let Some(q) = pages
                    .iter_mut()
                    .flat_map(|p| p.questions.iter_mut())
                    .find(|q| q.id.as_str() == id)
                else {
                    errs.at(&q_key.span(), format!("{what}: there is no such question"));
                    continue;
                };
                if id == field {
                    errs.at(
                        &q_key.span(),
                        format!("{what}: the question that chooses the variant can't vary by it"),
                    );
                    continue;
                }
                let Some(t) = as_table(errs, &what, q_value) else {
                    continue;
                };
                let mut f = Fields::new(t, q_value.span(), format!("{what}: "));
                let options = f.get("options").and_then(|o| {
                    read_options(errs, &f.ctx.clone(), o, q, langs, site, &mut out.site_only)
                });
                let text = f.text(errs, "text", langs);
                let help = f.text(errs, "help", langs);
                f.finish(errs, " (a variant may give 'options', 'text' and 'help')");
                questions.insert(
                    id.to_owned(),
                    QuestionVariant {
                        options,
                        text,
                        help,
                    },
                );
            }
            out.list.push(Variant {
                field: field.to_owned(),
                option: site.to_owned(),
                questions,
            });
        }
    }
    out.site_only.retain(|_, options| !options.is_empty());
    out
}

/// One site's option list for `q`: declared option ids, and `{ id, text }` options that exist
/// only at some sites (added to `q`'s own options the first time they are seen).
fn read_options(
    errs: &mut Errors,
    ctx: &str,
    v: &Value<'_>,
    q: &mut Question,
    langs: &[Lang],
    site: &str,
    site_only: &mut BTreeMap<String, Vec<String>>,
) -> Option<Vec<String>> {
    let multi = matches!(q.kind, QuestionKind::Multi { .. });
    let choices = match &mut q.kind {
        QuestionKind::Single { options, .. } | QuestionKind::Multi { options, .. }
            if q.compute.is_none() && q.cell.is_none() =>
        {
            options
        }
        _ => {
            errs.at(
                &v.span(),
                format!(
                    "{ctx}'options' is for single and multi questions that peers answer; '{}' is {}",
                    q.id,
                    if q.compute.is_some() { "computed" } else { q.kind.type_name() }
                ),
            );
            return None;
        }
    };
    let DeValue::Array(items) = v.get_ref() else {
        errs.at(
            &v.span(),
            format!("{ctx}'options' must be a list of option ids and {{ id, text }} tables"),
        );
        return None;
    };
    if items.is_empty() {
        errs.at(
            &v.span(),
            format!("{ctx}'options' is empty: a site must offer at least one option"),
        );
        return None;
    }
    let known_site_only = site_only.entry(q.id.to_string()).or_default();
    let mut list: Vec<String> = Vec::new();
    let mut ok = true;
    for item in items {
        let id = match item.get_ref() {
            DeValue::String(s) => {
                let s = s.as_ref();
                if !choices.iter().any(|c| c.id == s) {
                    errs.at(
                        &item.span(),
                        format!("{ctx}'{s}' is not one of the question's options; an option only this site offers is written {{ id = \"{s}\", text = \"…\" }}"),
                    );
                    ok = false;
                    continue;
                }
                s.to_owned()
            }
            DeValue::Table(t) => {
                let mut cf = Fields::new(t, item.span(), ctx.to_owned());
                let id = cf.str(errs, "id");
                let text = cf.get("text").and_then(|tv| {
                    parse_text(errs, &format!("{ctx}site-only option's 'text'"), tv, langs)
                });
                if !cf.has("text") {
                    cf.missing(errs, "text");
                }
                // "None of these" at one site, and an option offered only to some peers there,
                // like any declared option (checked with them once the survey is read).
                let exclusive = if multi {
                    cf.bool(errs, "exclusive").unwrap_or(false)
                } else {
                    false
                };
                let show_if = cf.condition(errs, "show_if");
                cf.finish(
                    errs,
                    " in a site-only option (use 'id', 'text', 'show_if' and, in a multi question, 'exclusive')",
                );
                let (Some((id, span)), Some(text)) = (id, text) else {
                    ok = false;
                    continue;
                };
                if let Err(e) = check_option_id(id) {
                    errs.at(&span, format!("{ctx}'id': {e}"));
                    ok = false;
                    continue;
                }
                if id == "dont_know" || id == "prefer_not_to_say" {
                    errs.at(
                        &span,
                        format!("{ctx}'{id}' is reserved for the built-in non-answer"),
                    );
                    ok = false;
                    continue;
                }
                if !q.groups.is_empty() {
                    // Groups were checked to cover every option before sites added theirs.
                    errs.at(
                        &span,
                        format!("{ctx}'{}' has option groups, which must hold every option: declare '{id}' in the question's options and its group, and list it here by id", q.id),
                    );
                    ok = false;
                    continue;
                }
                if q.declared_non_answers.iter().any(|n| n.as_str() == id) {
                    errs.at(
                        &span,
                        format!("{ctx}option '{id}' has the id of one of the survey's non-answers; rename one of them"),
                    );
                    ok = false;
                    continue;
                }
                match choices.iter().find(|c| c.id == id) {
                    Some(c) if known_site_only.iter().any(|o| o == id) => {
                        let same_logic = c.exclusive == exclusive
                            && c.show_if.as_ref().map(|s| s.source())
                                == show_if.as_ref().map(|s| s.source());
                        if c.text != text || !same_logic {
                            errs.at(
                                &span,
                                format!("{ctx}site-only option '{id}' is given another text, 'exclusive' or 'show_if' at another site; one option is the same everywhere (reword it with a different id)"),
                            );
                            ok = false;
                            continue;
                        }
                    }
                    Some(_) => {
                        errs.at(
                            &span,
                            format!("{ctx}'{id}' is already one of the question's options: list it by id (\"{id}\"), without a text"),
                        );
                        ok = false;
                        continue;
                    }
                    None => {
                        known_site_only.push(id.to_owned());
                        choices.push(Choice {
                            id: id.to_owned(),
                            text,
                            exclusive,
                            show_if,
                        });
                    }
                }
                id.to_owned()
            }
            _ => {
                errs.at(
                    &item.span(),
                    format!("{ctx}each of 'options' must be an option id or {{ id, text }}"),
                );
                ok = false;
                continue;
            }
        };
        if list.contains(&id) {
            errs.at(
                &item.span(),
                format!("{ctx}option '{id}' is listed twice at site '{site}'"),
            );
            ok = false;
            continue;
        }
        list.push(id);
    }
    if let QuestionKind::Multi {
        min_choices: Some(min),
        ..
    } = &q.kind
    {
        if ok && list.len() < usize::try_from(*min).unwrap_or(usize::MAX) {
            errs.at(
                &v.span(),
                format!("{ctx}the site offers {} options, fewer than the question's min_choices ({min})", list.len()),
            );
            ok = false;
        }
    }
    ok.then_some(list)
}
