//! Reading a repeating page (`repeat = { id = "substance", max = 5, count = "n_substances" }`):
//! one block of questions asked once per instance, e.g. once per substance.
//!
//! The page is read `max` times. Instance n has the page id `page-n`, the title "Title (n)",
//! questions with ids `group_n__question`, and is shown when the count question (a number on an
//! earlier page) was answered with n or more. Conditions on the page that name its own
//! questions are rewritten to name the same instance's questions; conditions and `{answer:…}`
//! piping that name a question of an earlier repeating page are rewritten to name that page's
//! instance n — so a block about one substance can span pages ("Which drug?" on one, "How did
//! you use {answer:drug}?" on the next). So each instance is answered,
//! checked and stored like ordinary questions, with no JavaScript and no partial state on the
//! server; releases merge the instances back into one table per question
//! (`src/tally/variables.rs`).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::super::definition::{Choice, InstanceOf, Page, QuestionKind, RepeatedPage, Role};
use super::super::ids::QuestionId;
use super::super::non_answers::NonAnswerSettings;
use super::super::pipe::references;
use super::super::reader::parse_text;
use super::super::reader::{as_table, Errors, Fields, Value};
use super::super::text::Lang;
use super::super::text::Text;
use super::page::read_page;

/// The most instances a repeating page may have.
const MAX_INSTANCES: i64 = 20;
/// In a repeating page's texts: the instance's option (`over`) or number (`count`).
const ITEM: &str = "{item}";
/// Keys a question of a repeating page can't have: each would work across instances.
const NOT_REPEATABLE: [&str; 3] = ["end_if", "compute", "from_batch"];

/// Whether this `[[pages]]` table repeats.
pub(super) fn is_repeated(v: &Value<'_>) -> bool {
    matches!(v.get_ref(), DeValue::Table(t) if t.get("repeat").is_some())
}

struct Repeat {
    group: String,
    max: u32,
    /// What decides how many instances a person is asked.
    by: Instances,
}

enum Instances {
    /// `count = "n_drugs"`: instances 1…n for the number answered.
    Count(String),
    /// `over = "drugs"`: one instance per option of a multi-select (exclusive ones aside),
    /// asked when that option was ticked; `{item}` in the page's texts is the option.
    Over {
        question: String,
        items: Vec<Choice>,
    },
}

impl Repeat {
    /// The condition under which instance `n` is asked.
    fn reached(&self, n: u32) -> String {
        match &self.by {
            Instances::Count(count) => format!("{count} >= {n}"),
            Instances::Over { question, .. } => {
                let id = self.option(n).map_or("", |o| o.id.as_str());
                format!("{question} includes '{id}'")
            }
        }
    }

    /// What `{item}` stands for in instance `n`, in `lang`: the option's text, or the number.
    fn item(&self, n: u32, lang: &str) -> String {
        match &self.by {
            Instances::Count(_) => n.to_string(),
            Instances::Over { .. } => self
                .option(n)
                .map_or_else(String::new, |o| o.text.get(lang).to_owned()),
        }
    }

    /// The option instance `n` (from 1) of an `over` page is about.
    fn option(&self, n: u32) -> Option<&Choice> {
        let Instances::Over { items, .. } = &self.by else {
            return None;
        };
        items.get(usize::try_from(n).ok()?.checked_sub(1)?)
    }
}

/// The instances of a repeating page, in order; empty when it has errors. `earlier` are the
/// pages read so far (the count question must be on one of them).
pub(super) fn read_repeated(
    errs: &mut Errors,
    index: usize,
    v: &Value<'_>,
    langs: &[Lang],
    defaults: &NonAnswerSettings,
    earlier: &[Page],
) -> Vec<Page> {
    let Some(table) = as_table(errs, &format!("page {}", index + 1), v) else {
        return Vec::new();
    };
    let page_id = match table.get("id").map(|v| v.get_ref()) {
        Some(DeValue::String(s)) => s.to_string(),
        _ => format!("page{}", index + 1),
    };
    let ctx = format!("page '{page_id}': repeat: ");
    let Some(repeat) = read_repeat(errs, table, &ctx, earlier) else {
        return Vec::new();
    };
    let own_ids: BTreeSet<String> = questions_of(table)
        .filter_map(|q| match q.get("id").map(|v| v.get_ref()) {
            Some(DeValue::String(s)) => Some(s.to_string()),
            _ => None,
        })
        .collect();
    let mut ok = true;
    for q in questions_of(table) {
        // The long-form export keeps quasi-identifiers in data.csv alone (docs/survey-format.md).
        if let Some(role) = q.get("role") {
            if matches!(role.get_ref(), DeValue::String(r) if r == "quasi") {
                errs.at(
                    &role.span(),
                    format!("{ctx}a question on a repeating page can't be a quasi-identifier (its answers leave in a separate long-form file)"),
                );
                ok = false;
            }
        }
        for key in NOT_REPEATABLE {
            if let Some(val) = q.get(key) {
                errs.at(
                    &val.span(),
                    format!("{ctx}a question on a repeating page can't have '{key}'"),
                );
                ok = false;
            }
        }
    }
    let earlier_groups = earlier_instances(earlier, &own_ids);
    let written = written_texts(errs, table, langs);
    let mut pages = Vec::new();
    for n in 1..=repeat.max {
        let prefix = format!("{}_{n}__", repeat.group);
        let names = Names {
            own: &own_ids,
            prefix: &prefix,
            earlier: &earlier_groups,
            n,
        };
        let instance = instance_table(table, &page_id, n, &repeat, &names);
        let value = Spanned::new(v.span(), DeValue::Table(instance));
        // Every instance is the same page but for its ids: report its errors once.
        let mut scratch = errs.scratch();
        let sink = if n == 1 { &mut *errs } else { &mut scratch };
        let Some(mut page) = read_page(sink, index, &value, langs, defaults) else {
            ok = false;
            continue;
        };
        let with_item = |lang: &str, t: &str| t.replace(ITEM, &repeat.item(n, lang));
        page.repeat_of = Some(RepeatedPage {
            id: page_id.clone(),
            title: page.title.clone(),
            number: n,
            item: repeat.option(n).cloned(),
        });
        page.title = if page.title.default_text().contains(ITEM) {
            page.title.map_each(with_item)
        } else {
            match repeat.by {
                Instances::Count(_) => page.title.map_each(|_, t| format!("{t} ({n})")),
                Instances::Over { .. } => page
                    .title
                    .map_each(|lang, t| format!("{t} — {}", repeat.item(n, lang))),
            }
        };
        for q in &mut page.questions {
            q.text = q.text.map_each(with_item);
            q.help = q.help.as_ref().map(|h| h.map_each(with_item));
            let base = q.id.as_str().strip_prefix(&prefix).map(QuestionId::parse);
            match base {
                Some(Ok(question)) => {
                    let (source_text, source_help) = written
                        .get(question.as_str())
                        .cloned()
                        .unwrap_or_else(|| (q.text.clone(), q.help.clone()));
                    q.instance = Some(InstanceOf {
                        group: repeat.group.clone(),
                        number: n,
                        question,
                        source_text,
                        source_help,
                    });
                }
                _ => ok = false,
            }
        }
        pages.push(page);
    }
    if ok {
        pages
    } else {
        Vec::new()
    }
}

/// Each question's `text` and `help` exactly as written on the page, by its id (errors in
/// them are reported when the instances are read).
fn written_texts(
    errs: &Errors,
    table: &DeTable<'_>,
    langs: &[Lang],
) -> BTreeMap<String, (Text, Option<Text>)> {
    let mut scratch = errs.scratch();
    questions_of(table)
        .filter_map(|q| {
            let id = match q.get("id").map(|v| v.get_ref()) {
                Some(DeValue::String(s)) => s.to_string(),
                _ => return None,
            };
            let text = parse_text(&mut scratch, "", q.get("text")?, langs)?;
            let help = q
                .get("help")
                .and_then(|h| parse_text(&mut scratch, "", h, langs));
            Some((id, (text, help)))
        })
        .collect()
}

/// How instance n renames the names its conditions and piping use.
struct Names<'a> {
    /// Questions of the page itself: `drug` → `group_n__drug`.
    own: &'a BTreeSet<String>,
    prefix: &'a str,
    /// Questions of earlier repeating pages, by the name written on their page, with their
    /// group: `drug` → `substance_n__drug`.
    earlier: &'a BTreeMap<String, String>,
    n: u32,
}

impl Names<'_> {
    fn of(&self, name: &str) -> Option<String> {
        if self.own.contains(name) {
            Some(format!("{}{name}", self.prefix))
        } else {
            self.earlier
                .get(name)
                .map(|group| format!("{group}_{}__{name}", self.n))
        }
    }
}

/// The questions of earlier repeating pages that a later one can name by their own name: not
/// shadowed by a question of the page itself or of an ordinary page, and in one group only.
fn earlier_instances(earlier: &[Page], own: &BTreeSet<String>) -> BTreeMap<String, String> {
    let ordinary: BTreeSet<&str> = earlier
        .iter()
        .flat_map(|p| &p.questions)
        .filter(|q| q.instance.is_none())
        .map(|q| q.id.as_str())
        .collect();
    let mut groups: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for q in earlier.iter().flat_map(|p| &p.questions) {
        if let Some(of) = &q.instance {
            groups
                .entry(of.question.to_string())
                .or_default()
                .insert(of.group.clone());
        }
    }
    groups
        .into_iter()
        .filter(|(name, gs)| {
            gs.len() == 1 && !own.contains(name) && !ordinary.contains(name.as_str())
        })
        .filter_map(|(name, gs)| gs.into_iter().next().map(|g| (name, g)))
        .collect()
}

fn questions_of<'a, 'i>(table: &'a DeTable<'i>) -> impl Iterator<Item = &'a DeTable<'i>> {
    let items = match table.get("questions").map(|v| v.get_ref()) {
        Some(DeValue::Array(a)) => &a[..],
        _ => &[],
    };
    items.iter().filter_map(|q| match q.get_ref() {
        DeValue::Table(t) => Some(t),
        _ => None,
    })
}

/// `repeat = { id, max, count }`, checked against the pages before it.
fn read_repeat(
    errs: &mut Errors,
    table: &DeTable<'_>,
    ctx: &str,
    earlier: &[Page],
) -> Option<Repeat> {
    let v = table.get("repeat")?;
    let t = as_table(errs, ctx.trim_end_matches(": "), v)?;
    let mut f = Fields::new(t, v.span(), ctx.to_owned());
    let group = match f.str(errs, "id") {
        Some((s, span)) => {
            let valid = QuestionId::parse(s).is_ok()
                && !s.contains("__")
                && s.chars().last().is_some_and(|c| c.is_ascii_lowercase());
            if !valid {
                errs.at(
                    &span,
                    format!(
                        "{ctx}'id' must be lowercase letters, digits and '_', start and end with a letter and not contain '__' (it starts each instance's question ids, group_n__question)"
                    ),
                );
            }
            valid.then(|| s.to_owned())
        }
        None => {
            f.missing(errs, "id");
            None
        }
    };
    if f.has("over") {
        if f.has("count") || f.has("max") {
            errs.at(
                &v.span(),
                format!("{ctx}'over' sets the instances (one per option ticked): leave out 'count' and 'max'"),
            );
        }
        let over = read_over(errs, &mut f, ctx, earlier);
        f.finish(errs, " (use 'id' and 'over', or 'id', 'max' and 'count')");
        let (question, items) = over?;
        return Some(Repeat {
            group: group?,
            max: u32::try_from(items.len()).ok()?,
            by: Instances::Over { question, items },
        });
    }
    let max = match f.int(errs, "max") {
        Some((n, _)) if (1..=MAX_INSTANCES).contains(&n) => u32::try_from(n).ok(),
        Some((_, span)) => {
            errs.at(
                &span,
                format!("{ctx}'max' must be between 1 and {MAX_INSTANCES}"),
            );
            None
        }
        None => {
            f.missing(errs, "max");
            None
        }
    };
    let count = match f.str(errs, "count") {
        Some((s, span)) => {
            let found = earlier
                .iter()
                .flat_map(|p| &p.questions)
                .find(|q| q.id.as_str() == s);
            if found.is_some_and(|q| q.role == Some(Role::Quasi)) {
                // An export generalises a quasi-identifier (ages in bands), but the long-form
                // file has one row per instance: counting a person's rows would undo it.
                errs.at(
                    &span,
                    format!("{ctx}the count question '{s}' can't be a quasi-identifier: the long-form export has one row per instance, which would show the exact count"),
                );
            }
            match found.map(|q| &q.kind) {
                Some(QuestionKind::Number { min, max: top, .. }) => {
                    if *min < 0 {
                        errs.at(
                            &span,
                            format!(
                                "{ctx}the count question '{s}' must not allow negative numbers"
                            ),
                        );
                    }
                    if let Some(m) = max.filter(|m| *top > i64::from(*m)) {
                        errs.at(
                            &span,
                            format!(
                                "{ctx}the count question '{s}' allows up to {top}, more than the {m} instances ('max'); lower its 'max'"
                            ),
                        );
                    }
                    Some(s.to_owned())
                }
                Some(_) => {
                    errs.at(
                        &span,
                        format!("{ctx}the count question '{s}' must be a whole number question"),
                    );
                    None
                }
                None => {
                    errs.at(
                        &span,
                        format!("{ctx}'count' must name a number question on an earlier page ('{s}' is not one)"),
                    );
                    None
                }
            }
        }
        None => {
            f.missing(errs, "count");
            None
        }
    };
    f.finish(errs, " (use 'id', 'max' and 'count', or 'id' and 'over')");
    Some(Repeat {
        group: group?,
        max: max?,
        by: Instances::Count(count?),
    })
}

/// `over = "drugs"`: a multi-select question on an earlier page, not a quasi-identifier (the
/// long-form rows would show exactly what was ticked), with its options that are not
/// exclusive as the instances.
fn read_over(
    errs: &mut Errors,
    f: &mut Fields<'_, '_>,
    ctx: &str,
    earlier: &[Page],
) -> Option<(String, Vec<Choice>)> {
    let (s, span) = f.str(errs, "over")?;
    let found = earlier
        .iter()
        .flat_map(|p| &p.questions)
        .find(|q| q.id.as_str() == s);
    let Some(q) = found else {
        errs.at(
            &span,
            format!("{ctx}'over' must name a multi-select question on an earlier page ('{s}' is not one)"),
        );
        return None;
    };
    let QuestionKind::Multi { options, .. } = &q.kind else {
        errs.at(
            &span,
            format!(
                "{ctx}'over' must name a multi-select question ('{s}' is a {})",
                q.kind.type_name()
            ),
        );
        return None;
    };
    if q.role == Some(Role::Quasi) {
        errs.at(
            &span,
            format!("{ctx}'{s}' can't be a quasi-identifier to repeat over: the long-form export has one row per option ticked, which would show exactly what was ticked"),
        );
        return None;
    }
    let items: Vec<Choice> = options.iter().filter(|o| !o.exclusive).cloned().collect();
    if items.is_empty() || items.len() > usize::try_from(MAX_INSTANCES).unwrap_or(20) {
        errs.at(
            &span,
            format!("{ctx}'{s}' must have between 1 and {MAX_INSTANCES} options that are not exclusive, one instance each"),
        );
        return None;
    }
    Some((s.to_owned(), items))
}

/// Instance `n` of the page: its own page id, shown when the count reaches `n`, its questions
/// renamed and its conditions rewritten to name them.
fn instance_table<'i>(
    table: &DeTable<'i>,
    page_id: &str,
    n: u32,
    repeat: &Repeat,
    names: &Names<'_>,
) -> DeTable<'i> {
    let span = |v: &Value<'_>| v.span();
    let string = |range: std::ops::Range<usize>, s: String| {
        Spanned::new(range, DeValue::String(Cow::Owned(s)))
    };
    let mut out = DeTable::new();
    for (k, v) in table {
        match k.get_ref().as_ref() {
            "repeat" | "id" | "show_if" | "questions" => {}
            _ => {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let key =
        |name: &'static str, at: std::ops::Range<usize>| Spanned::new(at, Cow::Borrowed(name));
    let anchor = table.get("repeat").map(span).unwrap_or_default();
    out.insert(
        key("id", anchor.clone()),
        string(anchor.clone(), format!("{page_id}-{n}")),
    );
    let reached = repeat.reached(n);
    let show_if = match table.get("show_if") {
        Some(v) => match v.get_ref() {
            DeValue::String(s) => string(
                span(v),
                format!("{reached} and ({})", rename_with(s, &|w| names.of(w))),
            ),
            _ => v.clone(),
        },
        None => string(anchor.clone(), reached),
    };
    out.insert(key("show_if", anchor.clone()), show_if);
    if let Some(questions) = table.get("questions") {
        let renamed = match questions.get_ref() {
            DeValue::Array(items) => {
                DeValue::Array(items.iter().map(|q| rename_question(q, names)).collect())
            }
            other => other.clone(),
        };
        out.insert(
            key("questions", span(questions)),
            Spanned::new(span(questions), renamed),
        );
    }
    out
}

/// A question of instance n: `id` prefixed, its `show_if`, `checks` and `implied` conditions
/// and the piping in its `text` and `help` naming instance n's questions.
fn rename_question<'i>(q: &Value<'i>, names: &Names<'_>) -> Value<'i> {
    let DeValue::Table(t) = q.get_ref() else {
        return q.clone();
    };
    let mut out = t.clone();
    let renamed_str = |v: &Value<'i>, f: &dyn Fn(&str) -> String| match v.get_ref() {
        DeValue::String(s) => Spanned::new(v.span(), DeValue::String(Cow::Owned(f(s)))),
        _ => v.clone(),
    };
    for (k, v) in out.iter_mut() {
        match k.get_ref().as_ref() {
            "id" => *v = renamed_str(v, &|s| format!("{}{s}", names.prefix)),
            "show_if" => *v = renamed_str(v, &|s| rename_with(s, &|w| names.of(w))),
            "text" | "help" => match v.get_mut() {
                DeValue::Table(translations) => {
                    for (_, t) in translations.iter_mut() {
                        *t = renamed_str(t, &|s| rename_pipes(s, names));
                    }
                }
                _ => *v = renamed_str(v, &|s| rename_pipes(s, names)),
            },
            "checks" | "implied" => {
                let cond_key = if k.get_ref() == "checks" {
                    "holds"
                } else {
                    "when"
                };
                if let DeValue::Array(items) = v.get_mut() {
                    for item in items.iter_mut() {
                        if let DeValue::Table(it) = item.get_mut() {
                            for (ik, iv) in it.iter_mut() {
                                if ik.get_ref() == cond_key {
                                    *iv = renamed_str(iv, &|s| rename_with(s, &|w| names.of(w)));
                                }
                            }
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Spanned::new(q.span(), DeValue::Table(out))
}

/// `{answer:name}` in `text` with `name` renamed for the instance (the fallback kept).
fn rename_pipes(text: &str, names: &Names<'_>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for r in references(text) {
        if let Some(renamed) = names.of(r.question) {
            out.push_str(text.get(last..r.range.start).unwrap_or_default());
            out.push_str("{answer:");
            out.push_str(&renamed);
            if let Some(f) = r.fallback {
                out.push('|');
                out.push_str(f);
            }
            out.push('}');
            last = r.range.end;
        }
    }
    out.push_str(text.get(last..).unwrap_or_default());
    out
}

/// `condition` with every name of a question on the repeating page prefixed, outside quoted
/// strings (`route == 'inject'` → `substance_2__route == 'inject'`).
#[cfg(test)]
pub(in crate::survey) fn rename(
    condition: &str,
    own_ids: &BTreeSet<String>,
    prefix: &str,
) -> String {
    rename_with(condition, &|w| {
        own_ids.contains(w).then(|| format!("{prefix}{w}"))
    })
}

/// `condition` with every name `names` knows replaced, outside quoted strings.
fn rename_with(condition: &str, names: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(condition.len());
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let flush = |word: &mut String, out: &mut String| {
        match names(word.as_str()) {
            Some(renamed) => out.push_str(&renamed),
            None => out.push_str(word),
        }
        word.clear();
    };
    for c in condition.chars() {
        if let Some(q) = quote {
            out.push(c);
            if c == q {
                quote = None;
            }
            continue;
        }
        if c.is_ascii_alphanumeric() || c == '_' {
            // A name starts with a letter; digits alone (`25`) are never renamed.
            word.push(c);
            continue;
        }
        flush(&mut word, &mut out);
        if c == '\'' || c == '"' {
            quote = Some(c);
        }
        out.push(c);
    }
    flush(&mut word, &mut out);
    out
}
