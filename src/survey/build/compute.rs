//! Reading `compute = { sum = [...] }`, `{ count = "id" }` or
//! `{ classify = [{ option = "...", when = "..." }, ...] }`.

use super::super::definition::Compute;
use super::super::ids::QuestionId;
use super::super::reader::{as_table, Errors, Fields};
use toml::de::DeValue;

pub(super) fn read_compute(errs: &mut Errors, f: &mut Fields<'_, '_>) -> Option<Compute> {
    let v = f.get("compute")?;
    let table = as_table(errs, &format!("{}'compute'", f.ctx), v)?;
    let mut cf = Fields::new(table, v.span(), format!("{}compute: ", f.ctx));
    let id = |errs: &mut Errors, s: &str, span: &std::ops::Range<usize>, ctx: &str| {
        QuestionId::parse(s)
            .map_err(|e| errs.at(span, format!("{ctx}'{s}': {e}")))
            .ok()
    };
    let mut found: Vec<Compute> = Vec::new();
    if let Some((items, _)) = cf.array(errs, "sum") {
        let ids = items
            .iter()
            .filter_map(|item| match item.get_ref() {
                DeValue::String(s) => id(errs, s, &item.span(), &cf.ctx),
                _ => {
                    errs.at(&item.span(), format!("{}'sum' lists question ids", cf.ctx));
                    None
                }
            })
            .collect();
        found.push(Compute::Sum(ids));
    }
    if let Some((s, span)) = cf.str(errs, "count") {
        if let Some(q) = id(errs, s, &span, &cf.ctx) {
            found.push(Compute::Count(q));
        }
    }
    if let Some((items, _)) = cf.array(errs, "classify") {
        let mut rules = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let what = format!("{}rule {}", cf.ctx, i + 1);
            let Some(t) = as_table(errs, &what, item) else {
                continue;
            };
            let mut rf = Fields::new(t, item.span(), format!("{what}: "));
            let option = rf.str(errs, "option").map(|(s, _)| s.to_owned());
            let when = rf.condition(errs, "when");
            for key in ["option", "when"] {
                if !rf.has(key) {
                    rf.missing(errs, key);
                }
            }
            rf.finish(errs, " in a classify rule (use 'option' and 'when')");
            if let (Some(o), Some(w)) = (option, when) {
                rules.push((o, w));
            }
        }
        found.push(Compute::Classify(rules));
    }
    let span = cf.span.clone();
    let ctx = cf.ctx.clone();
    cf.finish(errs, " (use 'sum', 'count' or 'classify')");
    if found.len() != 1 {
        errs.at(
            &span,
            format!("{ctx}give exactly one of 'sum', 'count' or 'classify'"),
        );
        return None;
    }
    found.pop()
}
