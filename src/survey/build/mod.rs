//! Reading a TOML definition into typed values, recording every error with its line.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::definition::{Mode, Survey};
use super::error::DefinitionErrors;
use super::ids::SurveyId;
use super::non_answers::read_settings;
use super::reader::{parse_text, Errors, Fields};
use super::text::Lang;
use super::validate::validate;

mod cells;
mod compute;
mod groups;
mod page;
mod question;
mod repeat;
mod variants;

use page::read_page;

#[cfg(test)]
#[cfg(test)]
pub(in crate::survey) use repeat::rename as rename_for_tests;

pub(super) const THRESHOLD_RANGE: std::ops::RangeInclusive<i64> = 5..=50;
pub(super) const K_RANGE: std::ops::RangeInclusive<i64> = 5..=50;
const DEFAULT_THRESHOLD: u32 = 10;
const DEFAULT_MIN_RESPONSES: u32 = 30;
const DEFAULT_K: u32 = 10;
/// `release_percent`: 20% by default; 100% means each release needs as many new responses as
/// the last one counted.
/// `coupons`: how many recruitment coupons each peer gets.
const COUPONS_RANGE: std::ops::RangeInclusive<i64> = 1..=10;
pub(super) const RELEASE_PERCENT_RANGE: std::ops::RangeInclusive<i64> = 20..=100;
const DEFAULT_RELEASE_PERCENT: u32 = 20;

impl Survey {
    /// Parses and validates a TOML definition, reporting every error with its line.
    pub fn parse(toml_source: &str) -> Result<Survey, DefinitionErrors> {
        parse(toml_source)
    }
}

fn parse(source: &str) -> Result<Survey, DefinitionErrors> {
    let mut errs = Errors::new(source);
    let (root, syntax) = DeTable::parse_recoverable(source);
    if !syntax.is_empty() {
        for e in syntax {
            let line = e.span().map(|s| errs.line(s.start));
            errs.at_line(line, format!("invalid TOML: {}", e.message().trim()));
        }
        return Err(finish(errs));
    }
    let mut survey = read_survey(&mut errs, root.get_ref(), root.span(), source);
    if let Some(s) = &mut survey {
        groups::fill_in(s);
        validate(&mut errs, s);
        s.warnings = std::mem::take(&mut errs.warnings);
        s.warnings.sort_by_key(|w| w.line.unwrap_or(0));
        s.warnings.dedup();
    }
    match survey {
        Some(s) if errs.list.is_empty() => Ok(s),
        Some(_) => Err(finish(errs)),
        None => Err(finish(errs)),
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

/// At most one network-size question, and one whenever the survey has coupons: RDS weights
/// need each person's network size.
fn check_network_size(
    errs: &mut Errors,
    pages: &[super::definition::Page],
    coupons: Option<u32>,
    coupons_span: Option<Range<usize>>,
) {
    let asked: Vec<_> = pages
        .iter()
        .flat_map(|p| &p.questions)
        .filter(|q| q.network_size)
        .collect();
    if let Some(second) = asked.get(1) {
        errs.at_line(
            Some(second.line),
            format!(
                "question '{}': a survey has at most one network_size question",
                second.id
            ),
        );
    }
    if let (Some(_), Some(span), true) = (coupons, coupons_span, asked.is_empty()) {
        errs.at(
            &span,
            "a survey with 'coupons' needs a question of type \"network_size\" (how many people of the group the person knows), which RDS estimates weight by",
        );
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
    let incentive_span = f.get("incentive").map(|v| v.span());
    let incentive = f.text(errs, "incentive", &languages);
    let mode = match f.str(errs, "mode") {
        None => Mode::Invite,
        Some(("invite", _)) => Mode::Invite,
        Some(("open", _)) => Mode::Open,
        Some((_, span)) => {
            errs.at(&span, "'mode' must be \"invite\" or \"open\"");
            Mode::Invite
        }
    };
    // A voucher per response, and a code for anyone who opens the page: one person could
    // collect a voucher a few seconds apart, all day (an outside review took ten a minute).
    if let (Some(_), Some(span), Mode::Open) = (&incentive, &incentive_span, mode) {
        errs.at(
            span,
            "'incentive' needs mode = \"invite\": an open survey gives a code, and so a voucher, to anyone who opens it, as often as they like",
        );
    }
    let coupons_span = f.get("coupons").map(|v| v.span());
    let coupons = ranged_u32(errs, &mut f, "coupons", Some(COUPONS_RANGE));
    if let (Some(_), Some(span), Mode::Open) = (coupons, &coupons_span, mode) {
        errs.at(
            span,
            "'coupons' needs mode = \"invite\": recruitment chains start from cards handed to seeds, and an open survey gives anyone a code",
        );
    }
    let coupon_reward_span = f.get("coupon_reward").map(|v| v.span());
    let coupon_reward = f.text(errs, "coupon_reward", &languages);
    if let (None, Some(span)) = (coupons, &coupon_reward_span) {
        errs.at(
            span,
            "'coupon_reward' is what each used coupon pays its recruiter: it needs 'coupons'",
        );
    }
    let threshold = ranged_u32(errs, &mut f, "threshold", Some(THRESHOLD_RANGE));
    let min_responses_span = f.get("min_responses").map(|v| v.span());
    let min_responses = ranged_u32(errs, &mut f, "min_responses", None);
    let k = ranged_u32(errs, &mut f, "k_anonymity", Some(K_RANGE));
    let release_percent = ranged_u32(errs, &mut f, "release_percent", Some(RELEASE_PERCENT_RANGE));
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

    let non_answers = read_settings(errs, &mut f, &languages);
    let mut pages = Vec::new();
    match f.array(errs, "pages") {
        Some(([], span)) => errs.at(&span, "'pages' is empty"),
        Some((items, _)) => {
            for (i, item) in items.iter().enumerate() {
                if repeat::is_repeated(item) {
                    let instances =
                        repeat::read_repeated(errs, i, item, &languages, &non_answers, &pages);
                    pages.extend(instances);
                } else if let Some(p) = read_page(errs, i, item, &languages, &non_answers) {
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
    let variants_value = f.get("variants");
    f.finish(errs, "");
    let variants = variants::read_variants(errs, variants_value, &mut pages, &languages);
    check_network_size(errs, &pages, coupons, coupons_span);

    let index = super::definition::index_questions(&pages);
    // An id or title that cannot be read is reported above; the rest is still checked across
    // the survey (conditions, piping, ids used twice), so that every error comes in one list.
    let (id, title) = match (id, title) {
        (Some(id), Some(title)) => (id, title),
        (id, title) => {
            let placeholder_id = SurveyId::parse("unreadable").ok()?;
            let lang = languages.first()?.clone();
            let placeholder_title = super::text::Text::new(
                lang.clone(),
                std::iter::once((lang, String::new())).collect(),
            );
            (
                id.unwrap_or(placeholder_id),
                title.unwrap_or(placeholder_title),
            )
        }
    };
    Some(Survey {
        index,
        id,
        title,
        description,
        incentive,
        coupons,
        coupon_reward,
        mode,
        languages,
        threshold: threshold_value,
        min_responses,
        k_anonymity: k.unwrap_or(DEFAULT_K),
        release_percent: release_percent.unwrap_or(DEFAULT_RELEASE_PERCENT),
        record_screened_out,
        interface,
        pages,
        non_answer_texts: non_answers.texts,
        variants: variants.list,
        site_only_options: variants.site_only,
        warnings: Vec::new(),
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
