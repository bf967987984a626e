//! The survey's `[non_answers]` table: its own labels for "don't know" and "prefer not to say",
//! whether questions offer each unless they say otherwise, and non-answers of its own ("not
//! applicable"); and each question's choice among them.

use std::collections::BTreeMap;

use toml::de::DeValue;

use super::ids::check_option_id;
use super::reader::{as_table, Errors, Fields};
use super::response::{NonAnswer, NonAnswerId};
use super::text::{Lang, Text};

/// The survey-wide settings every question starts from.
#[derive(Debug, Default)]
pub(super) struct NonAnswerSettings {
    /// The survey's texts: labels for the built-in non-answers, and its own non-answers.
    pub(super) texts: BTreeMap<NonAnswer, Text>,
    /// Whether a question offers a non-answer when it does not say; built-in ones default to
    /// yes, the survey's own to no.
    offer: BTreeMap<NonAnswer, bool>,
    /// The survey's own non-answers, in declared order.
    pub(super) declared: Vec<NonAnswer>,
}

impl NonAnswerSettings {
    pub(super) fn offered_by_default(&self, n: NonAnswer) -> bool {
        self.offer
            .get(&n)
            .copied()
            .unwrap_or(!matches!(n, NonAnswer::Custom(_)))
    }

    /// The survey's own non-answers that a question offers when it has no `non_answers` key.
    pub(super) fn declared_by_default(&self) -> Vec<NonAnswer> {
        self.declared
            .iter()
            .copied()
            .filter(|n| self.offered_by_default(*n))
            .collect()
    }
}

/// Reads the top-level `[non_answers]` table, if any.
pub(super) fn read_settings(
    errs: &mut Errors,
    f: &mut Fields<'_, '_>,
    langs: &[Lang],
) -> NonAnswerSettings {
    let mut settings = NonAnswerSettings::default();
    let Some(v) = f.get("non_answers") else {
        return settings;
    };
    let Some(table) = as_table(errs, "'non_answers'", v) else {
        return settings;
    };
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(_, v)| v.span().start);
    for (key, value) in entries {
        let id: &str = key.get_ref().as_ref();
        let what = format!("non-answer '{id}'");
        let n = match NonAnswer::from_wire(id) {
            Some(n) => n,
            None => {
                if let Err(e) = check_option_id(id) {
                    errs.at(&key.span(), format!("{what}: {e}"));
                    continue;
                }
                let Some(custom) = NonAnswerId::parse(id) else {
                    errs.at(
                        &key.span(),
                        format!(
                            "{what}: the id of a non-answer can be at most {} characters long",
                            NonAnswerId::MAX_LEN
                        ),
                    );
                    continue;
                };
                NonAnswer::Custom(custom)
            }
        };
        let Some(inner) = as_table(errs, &what, value) else {
            continue;
        };
        let mut nf = Fields::new(inner, value.span(), format!("{what}: "));
        let text = nf.text(errs, "text", langs);
        if text.is_none() && matches!(n, NonAnswer::Custom(_)) && !nf.has("text") {
            nf.missing(errs, "text");
        }
        if let Some(offer) = nf.bool(errs, "offer") {
            settings.offer.insert(n, offer);
        }
        nf.finish(errs, " in a non-answer");
        if let Some(text) = text {
            settings.texts.insert(n, text);
        }
        if matches!(n, NonAnswer::Custom(_)) {
            settings.declared.push(n);
        }
    }
    settings
}

/// Reads a question's `non_answers = ["not_applicable", …]`: which of the survey's own
/// non-answers it offers (`None`: the key is absent).
pub(super) fn read_question_list(
    errs: &mut Errors,
    f: &mut Fields<'_, '_>,
    settings: &NonAnswerSettings,
) -> Option<Vec<NonAnswer>> {
    let (items, _) = f.array(errs, "non_answers")?;
    let mut out = Vec::new();
    for item in items {
        let DeValue::String(s) = item.get_ref() else {
            errs.at(
                &item.span(),
                format!("{}'non_answers' must be a list of non-answer ids", f.ctx),
            );
            continue;
        };
        let s: &str = s.as_ref();
        if NonAnswer::from_wire(s).is_some() {
            errs.at(
                &item.span(),
                format!(
                    "{}'{s}' is built in: use the question's '{s}' setting",
                    f.ctx
                ),
            );
            continue;
        }
        match settings.declared.iter().find(|n| n.as_str() == s) {
            Some(n) if out.contains(n) => errs.at(
                &item.span(),
                format!("{}'{s}' is listed twice in 'non_answers'", f.ctx),
            ),
            Some(n) => out.push(*n),
            None => errs.at(
                &item.span(),
                format!(
                    "{}unknown non-answer '{s}': declare it in the survey's [non_answers] table",
                    f.ctx
                ),
            ),
        }
    }
    Some(out)
}
