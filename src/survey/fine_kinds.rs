//! Reading the finer kinds: decimal numbers (`type = "number"` with a `step`) and dates with a
//! day (`type = "date"` with `precision = "day"`).

use super::decimal::Decimal;
use super::definition::{DecimalBand, QuestionKind, Role};
use super::month::Day;
use super::reader::{as_decimal, as_pair, Errors, Fields};
use super::text::Lang;

/// A number question with a `step`: its range, step and bands are decimals.
pub(super) fn read_decimal(
    errs: &mut Errors,
    f: &mut Fields<'_, '_>,
    langs: &[Lang],
    role: Option<Role>,
) -> Option<QuestionKind> {
    let min = f.decimal(errs, "min");
    let max = f.decimal(errs, "max");
    let step = f.decimal(errs, "step");
    for key in ["min", "max"] {
        if !f.has(key) {
            f.missing(errs, key);
        }
    }
    let unit = f.text(errs, "unit", langs);
    if role == Some(Role::Quasi) {
        errs.at(
            &f.span,
            format!(
                "{}a decimal number can't be a quasi-identifier yet: exports can only generalise whole numbers; use role \"sensitive\" or \"plain\"",
                f.ctx
            ),
        );
    }
    let ((min, _), (max, max_span), (step, step_span)) = (min?, max?, step?);
    if !step.is_positive() {
        errs.at(&step_span, format!("{}'step' must be above 0", f.ctx));
        return None;
    }
    if max < min {
        errs.at(
            &max_span,
            format!("{}max ({max}) is below min ({min})", f.ctx),
        );
    }
    // Swapped when the author swapped them (reported above), so that the rest is checked
    // against the likely intent rather than refused as unknown keys.
    let (min, max) = (min.min(max), min.max(max));
    let bands = read_decimal_bands(errs, f, min, max);
    Some(QuestionKind::Decimal {
        min,
        max,
        step,
        unit,
        bands,
    })
}

/// What is wrong with band `[lo, hi]` of a question answering `min..max`, given the band before
/// it: the one check for whole-number and decimal bands.
pub(super) fn band_problem<T: PartialOrd + std::fmt::Display>(
    (lo, hi): (T, T),
    (min, max): (T, T),
    prev: Option<(T, T)>,
) -> Option<String> {
    if hi < lo {
        return Some(format!("band [{lo}, {hi}] ends before it starts"));
    }
    if lo < min || hi > max {
        return Some(format!(
            "band [{lo}, {hi}] lies outside the range {min}..{max}"
        ));
    }
    match prev {
        Some((p_lo, p_hi)) if lo <= p_hi => Some(format!(
            "band [{lo}, {hi}] overlaps or comes before band [{p_lo}, {p_hi}]; bands must be ascending and not overlap"
        )),
        _ => None,
    }
}

fn read_decimal_bands(
    errs: &mut Errors,
    f: &mut Fields<'_, '_>,
    min: Decimal,
    max: Decimal,
) -> Vec<DecimalBand> {
    let Some((items, span)) = f.array(errs, "bands") else {
        return Vec::new();
    };
    if items.is_empty() {
        errs.at(&span, format!("{}'bands' is empty", f.ctx));
    }
    let mut bands: Vec<DecimalBand> = Vec::new();
    for item in items {
        let band = as_pair(item.get_ref(), as_decimal).map(|(lo, hi)| DecimalBand { lo, hi });
        let Some(band) = band else {
            errs.at(
                &item.span(),
                format!("{}each band must be a pair of numbers [low, high]", f.ctx),
            );
            continue;
        };
        let prev = bands.last().map(|p| (p.lo, p.hi));
        if let Some(problem) = band_problem((band.lo, band.hi), (min, max), prev) {
            errs.at(&item.span(), format!("{}{problem}", f.ctx));
        }
        bands.push(band);
    }
    bands
}

/// A date question with `precision = "day"`: `min` and `max` are required days.
pub(super) fn read_day(errs: &mut Errors, f: &mut Fields<'_, '_>) -> Option<QuestionKind> {
    let mut day = |key: &str| -> Option<Day> {
        let Some((s, span)) = f.str(errs, key) else {
            if !f.has(key) {
                f.missing(errs, key);
            }
            return None;
        };
        let d = Day::parse(s);
        if d.is_none() {
            errs.at(
                &span,
                format!("{}'{key}' must be a day written as \"YYYY-MM-DD\"", f.ctx),
            );
        }
        d
    };
    let min = day("min");
    let max = day("max");
    let (min, max) = (min?, max?);
    if max < min {
        errs.at(
            &f.span,
            format!("{}max ({max}) is before min ({min})", f.ctx),
        );
        return None;
    }
    Some(QuestionKind::Day { min, max })
}
