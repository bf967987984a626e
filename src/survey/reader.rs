//! A small reader over toml's spanned document tree that records every error with its line,
//! instead of stopping at the first one the way a derived `Deserialize` would.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use super::condition::Condition;
use super::decimal::Decimal;
use super::error::{DefinitionError, DefinitionWarning};
use super::text::{Lang, Text};

pub(super) type Value<'i> = Spanned<DeValue<'i>>;

/// Collected errors plus the byte offset → line mapping of the source.
pub(super) struct Errors {
    line_starts: Vec<usize>,
    pub(super) list: Vec<DefinitionError>,
    pub(super) warnings: Vec<DefinitionWarning>,
}

impl Errors {
    pub(super) fn new(source: &str) -> Errors {
        let mut line_starts = vec![0];
        line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        Errors {
            line_starts,
            list: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// An empty list over the same source, for reading something a second time without
    /// reporting its errors twice.
    pub(super) fn scratch(&self) -> Errors {
        Errors {
            line_starts: self.line_starts.clone(),
            list: Vec::new(),
            warnings: Vec::new(),
        }
    }

    /// The 1-based line of a byte offset.
    pub(super) fn line(&self, offset: usize) -> usize {
        self.line_starts.partition_point(|&s| s <= offset).max(1)
    }

    pub(super) fn at(&mut self, span: &Range<usize>, message: impl Into<String>) {
        let line = self.line(span.start);
        self.at_line(Some(line), message);
    }

    pub(super) fn at_line(&mut self, line: Option<usize>, message: impl Into<String>) {
        self.list.push(DefinitionError {
            line,
            message: message.into(),
        });
    }

    pub(super) fn warn(&mut self, line: Option<usize>, message: impl Into<String>) {
        self.warnings.push(DefinitionWarning {
            line,
            message: message.into(),
        });
    }
}

fn kind_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a decimal number",
        DeValue::Boolean(_) => "true or false",
        DeValue::Datetime(_) => "a date",
        DeValue::Array(_) => "a list",
        DeValue::Table(_) => "a table",
    }
}

/// The message for an integer outside the range a definition can hold.
pub(super) const TOO_LARGE: &str =
    "is too large: whole numbers here go from -9223372036854775808 to 9223372036854775807";

/// An integer or a float as written (`0.5`), without going through a binary float.
pub(super) fn as_decimal(v: &DeValue<'_>) -> Option<Decimal> {
    match v {
        DeValue::Integer(_) => as_int(v).map(Decimal::from_int),
        DeValue::Float(f) => Decimal::parse(f.as_str()),
        _ => None,
    }
}

/// A two-element array `[low, high]` whose items `one` reads (as bands are written).
pub(super) fn as_pair<T>(
    v: &DeValue<'_>,
    one: impl Fn(&DeValue<'_>) -> Option<T>,
) -> Option<(T, T)> {
    match v {
        DeValue::Array(a) if a.len() == 2 => Some((one(a[0].get_ref())?, one(a[1].get_ref())?)),
        _ => None,
    }
}

pub(super) fn as_int(v: &DeValue<'_>) -> Option<i64> {
    match v {
        DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok(),
        _ => None,
    }
}

/// The keys of one TOML table, tracking which were read so the rest can be reported as unknown.
pub(super) struct Fields<'a, 'i> {
    entries: Vec<(&'a str, &'a Value<'i>, bool)>,
    pub(super) span: Range<usize>,
    /// Prefix for messages, e.g. `question 'age': ` (empty at the top level).
    pub(super) ctx: String,
}

impl<'a, 'i> Fields<'a, 'i> {
    pub(super) fn new(table: &'a DeTable<'i>, span: Range<usize>, ctx: String) -> Self {
        let mut entries: Vec<_> = table
            .iter()
            .map(|(k, v)| (k.get_ref().as_ref(), v, false))
            .collect();
        entries.sort_by_key(|(_, v, _)| v.span().start);
        Fields { entries, span, ctx }
    }

    /// Marks `key` as read and returns its value.
    pub(super) fn get(&mut self, key: &str) -> Option<&'a Value<'i>> {
        let entry = self.entries.iter_mut().find(|(k, _, _)| *k == key)?;
        entry.2 = true;
        Some(entry.1)
    }

    pub(super) fn has(&self, key: &str) -> bool {
        self.entries.iter().any(|(k, _, _)| *k == key)
    }

    fn wrong(&self, errs: &mut Errors, key: &str, v: &Value<'_>, expected: &str) {
        errs.at(
            &v.span(),
            format!(
                "{}'{key}' must be {expected}, not {}",
                self.ctx,
                kind_name(v.get_ref())
            ),
        );
    }

    pub(super) fn missing(&self, errs: &mut Errors, key: &str) {
        errs.at(&self.span, format!("{}missing key '{key}'", self.ctx));
    }

    pub(super) fn str(&mut self, errs: &mut Errors, key: &str) -> Option<(&'a str, Range<usize>)> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::String(s) => Some((s.as_ref(), v.span())),
            _ => {
                self.wrong(errs, key, v, "a string");
                None
            }
        }
    }

    pub(super) fn int(&mut self, errs: &mut Errors, key: &str) -> Option<(i64, Range<usize>)> {
        let v = self.get(key)?;
        match as_int(v.get_ref()) {
            Some(i) => Some((i, v.span())),
            // An integer that does not fit: saying "must be a whole number, not an integer"
            // would leave the author guessing.
            None if matches!(v.get_ref(), DeValue::Integer(_)) => {
                errs.at(&v.span(), format!("{}'{key}' {TOO_LARGE}", self.ctx));
                None
            }
            None => {
                self.wrong(errs, key, v, "a whole number");
                None
            }
        }
    }

    /// A whole or decimal number (`12`, `0.5`), kept exactly as written.
    pub(super) fn decimal(
        &mut self,
        errs: &mut Errors,
        key: &str,
    ) -> Option<(Decimal, Range<usize>)> {
        let v = self.get(key)?;
        match as_decimal(v.get_ref()) {
            Some(d) => Some((d, v.span())),
            None => {
                self.wrong(
                    errs,
                    key,
                    v,
                    "a number such as 12 or 0.5 (at most 6 decimals)",
                );
                None
            }
        }
    }

    pub(super) fn bool(&mut self, errs: &mut Errors, key: &str) -> Option<bool> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong(errs, key, v, "true or false");
                None
            }
        }
    }

    pub(super) fn array(
        &mut self,
        errs: &mut Errors,
        key: &str,
    ) -> Option<(&'a [Value<'i>], Range<usize>)> {
        let v = self.get(key)?;
        match v.get_ref() {
            DeValue::Array(a) => Some((a, v.span())),
            _ => {
                self.wrong(errs, key, v, "a list");
                None
            }
        }
    }

    /// A condition (`show_if`, `end_if`), remembering its line.
    pub(super) fn condition(&mut self, errs: &mut Errors, key: &str) -> Option<Condition> {
        let (src, span) = self.str(errs, key)?;
        let line = errs.line(span.start);
        match Condition::parse(src) {
            Ok(c) => Some(c.with_line(line)),
            Err(e) => {
                errs.at(&span, format!("{}{key}: {e}", self.ctx));
                None
            }
        }
    }

    pub(super) fn text(&mut self, errs: &mut Errors, key: &str, langs: &[Lang]) -> Option<Text> {
        let v = self.get(key)?;
        parse_text(errs, &format!("{}'{key}'", self.ctx), v, langs)
    }

    /// Reports every key that was not read.
    pub(super) fn finish(self, errs: &mut Errors, what: &str) {
        for (k, v, used) in self.entries {
            if !used {
                errs.at(&v.span(), format!("{}unknown key '{k}'{what}", self.ctx));
            }
        }
    }
}

/// A text: a plain string (default language) or a table `{ en = "...", es = "..." }`.
pub(super) fn parse_text(
    errs: &mut Errors,
    what: &str,
    v: &Value<'_>,
    langs: &[Lang],
) -> Option<Text> {
    let default = langs.first()?.clone();
    match v.get_ref() {
        DeValue::String(s) => {
            if s.trim().is_empty() {
                errs.at(&v.span(), format!("{what} is empty"));
                return None;
            }
            let mut m = BTreeMap::new();
            m.insert(default.clone(), s.to_string());
            Some(Text::new(default, m))
        }
        DeValue::Table(t) => {
            let mut m = BTreeMap::new();
            let mut ok = true;
            for (k, val) in t.iter() {
                // Tags compare without regard to case (`fr-CA` is `fr-ca`).
                let lang = langs
                    .iter()
                    .find(|l| l.as_str().eq_ignore_ascii_case(k.get_ref().as_ref()));
                let Some(lang) = lang else {
                    errs.at(
                        &k.span(),
                        format!(
                            "{what} has a translation for '{}', which is not in 'languages'",
                            k.get_ref()
                        ),
                    );
                    ok = false;
                    continue;
                };
                match val.get_ref() {
                    DeValue::String(s) if !s.trim().is_empty() => {
                        m.insert(lang.clone(), s.to_string());
                    }
                    DeValue::String(_) => {
                        errs.at(&val.span(), format!("{what} in '{lang}' is empty"));
                        ok = false;
                    }
                    other => {
                        errs.at(
                            &val.span(),
                            format!(
                                "{what} in '{lang}' must be a string, not {}",
                                kind_name(other)
                            ),
                        );
                        ok = false;
                    }
                }
            }
            if !m.contains_key(&default) {
                errs.at(
                    &v.span(),
                    format!("{what} has no text in the default language '{default}'"),
                );
                return None;
            }
            ok.then(|| Text::new(default, m))
        }
        other => {
            errs.at(
                &v.span(),
                format!(
                    "{what} must be a string or a table of translations, not {}",
                    kind_name(other)
                ),
            );
            None
        }
    }
}

/// A TOML value as the JSON an answer is submitted as (a decimal as its digits in a string).
pub(super) fn to_json(v: &DeValue<'_>) -> Option<serde_json::Value> {
    use serde_json::Value as J;
    Some(match v {
        DeValue::String(s) => J::String(s.to_string()),
        DeValue::Integer(_) => J::from(as_int(v)?),
        DeValue::Float(_) => J::String(as_decimal(v)?.to_string()),
        DeValue::Boolean(b) => J::Bool(*b),
        DeValue::Array(a) => J::Array(
            a.iter()
                .map(|x| to_json(x.get_ref()))
                .collect::<Option<Vec<_>>>()?,
        ),
        DeValue::Table(t) => J::Object(
            t.iter()
                .map(|(k, x)| Some((k.get_ref().to_string(), to_json(x.get_ref())?)))
                .collect::<Option<serde_json::Map<_, _>>>()?,
        ),
        DeValue::Datetime(_) => return None,
    })
}

/// The table inside an array element, or an error.
pub(super) fn as_table<'a, 'i>(
    errs: &mut Errors,
    what: &str,
    v: &'a Value<'i>,
) -> Option<&'a DeTable<'i>> {
    match v.get_ref() {
        DeValue::Table(t) => Some(t),
        other => {
            errs.at(
                &v.span(),
                format!("{what} must be a table, not {}", kind_name(other)),
            );
            None
        }
    }
}
