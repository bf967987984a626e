//! Reading the type-specific keys of a question (`options`, `min`/`max`, `bands`, …).

use std::collections::BTreeSet;

use super::definition::{Band, Choice, QuestionKind, Role};
use super::fine_kinds::{band_problem, read_day, read_decimal};
use super::ids::check_option_id;
use super::month::YearMonth;
use super::reader::{as_int, as_pair, as_table, Errors, Fields};
use super::text::Lang;

const DEFAULT_TEXT_LENGTH: usize = 500;
const MAX_TEXT_LENGTH: i64 = 5000;
const MAX_SCALE_POINTS: i64 = 21;

pub(super) fn read_kind(
    errs: &mut Errors,
    f: &mut Fields<'_, '_>,
    ty: &str,
    langs: &[Lang],
    role: Option<Role>,
) -> Option<QuestionKind> {
    if (ty == "text") != (role == Some(Role::FreeText)) && role.is_some() {
        let msg = if ty == "text" {
            "a text question must have role \"free_text\""
        } else {
            "role \"free_text\" is only for text questions"
        };
        errs.at(&f.span, format!("{}{msg}", f.ctx));
    }
    match ty {
        "single" => {
            let select = match f.str(errs, "display") {
                None | Some(("radio", _)) => false,
                Some(("select", _)) => true,
                Some((_, span)) => {
                    errs.at(
                        &span,
                        format!("{}'display' must be \"radio\" or \"select\"", f.ctx),
                    );
                    false
                }
            };
            let options = read_choices(errs, f, "options", langs, false, true)?;
            Some(QuestionKind::Single { options, select })
        }
        "multi" => {
            let options = read_choices(errs, f, "options", langs, true, true);
            let min_choices = ranged(errs, f, "min_choices");
            let max_choices = ranged(errs, f, "max_choices");
            let options = options?;
            let n = u32::try_from(options.len()).unwrap_or(u32::MAX);
            if let Some((lo, hi)) = min_choices.zip(max_choices).filter(|(lo, hi)| hi < lo) {
                errs.at(
                    &f.span,
                    format!("{}max_choices ({hi}) is below min_choices ({lo})", f.ctx),
                );
            }
            if min_choices.is_some_and(|m| m == 0 || m > n) {
                errs.at(
                    &f.span,
                    format!(
                        "{}min_choices must be between 1 and the number of options",
                        f.ctx
                    ),
                );
            }
            if max_choices.is_some_and(|m| m == 0) {
                errs.at(&f.span, format!("{}max_choices must be at least 1", f.ctx));
            }
            Some(QuestionKind::Multi {
                options,
                min_choices,
                max_choices,
            })
        }
        "network_size" => read_network_size(errs, f, langs),
        "number" if f.has("step") => read_decimal(errs, f, langs, role),
        "number" => {
            let (min, max) = read_min_max(errs, f)?;
            let unit = f.text(errs, "unit", langs);
            let bands = read_bands(errs, f, min, max);
            if role == Some(Role::Quasi) && bands.is_empty() && !f.has("bands") {
                errs.at(
                    &f.span,
                    format!(
                        "{}a quasi-identifying number needs 'bands' so it can be generalised",
                        f.ctx
                    ),
                );
            }
            Some(QuestionKind::Number {
                min,
                max,
                unit,
                bands,
            })
        }
        "scale" => {
            if f.has("options") {
                for key in ["min", "max", "min_label", "max_label"] {
                    if let Some(v) = f.get(key) {
                        errs.at(
                            &v.span(),
                            format!(
                                "{}a scale has either 'options' (Likert) or 'min'/'max', not both",
                                f.ctx
                            ),
                        );
                    }
                }
                let options = read_choices(errs, f, "options", langs, false, true)?;
                return Some(QuestionKind::Likert { options });
            }
            let min_label = f.text(errs, "min_label", langs);
            let max_label = f.text(errs, "max_label", langs);
            let (min, max) = read_min_max(errs, f)?;
            if max - min + 1 > MAX_SCALE_POINTS {
                errs.at(
                    &f.span,
                    format!(
                        "{}a scale can have at most {MAX_SCALE_POINTS} points; use a number question for wider ranges",
                        f.ctx
                    ),
                );
            }
            Some(QuestionKind::Scale {
                min,
                max,
                min_label,
                max_label,
            })
        }
        "grid" => {
            let rows = read_choices(errs, f, "rows", langs, false, false);
            let options = read_choices(errs, f, "options", langs, false, false);
            Some(QuestionKind::Grid {
                rows: rows?,
                options: options?,
            })
        }
        "date" => {
            match f.str(errs, "precision") {
                None | Some(("month", _)) => {}
                Some(("day", _)) => return read_day(errs, f),
                Some((_, span)) => errs.at(
                    &span,
                    format!("{}'precision' must be \"month\" or \"day\"", f.ctx),
                ),
            }
            let mut month = |key: &str| -> Option<YearMonth> {
                let (s, span) = f.str(errs, key)?;
                let m = YearMonth::parse(s);
                if m.is_none() {
                    errs.at(
                        &span,
                        format!("{}'{key}' must be a month written as \"YYYY-MM\"", f.ctx),
                    );
                }
                m
            };
            let min = month("min");
            let max = month("max");
            if !f.has("min") || !f.has("max") {
                // Tables list a date's years from the declared range; without one they would
                // list only the years someone answered, which tells that someone did.
                errs.at(
                    &f.span,
                    format!(
                        "{}a date question needs both 'min' and 'max' (\"YYYY-MM\")",
                        f.ctx
                    ),
                );
            }
            if let Some((lo, hi)) = min.zip(max).filter(|(lo, hi)| hi < lo) {
                errs.at(&f.span, format!("{}max ({hi}) is before min ({lo})", f.ctx));
            }
            Some(QuestionKind::Date { min, max })
        }
        "text" => {
            let max_length = match f.int(errs, "max_length") {
                None => DEFAULT_TEXT_LENGTH,
                Some((n, span)) if !(1..=MAX_TEXT_LENGTH).contains(&n) => {
                    errs.at(
                        &span,
                        format!(
                            "{}max_length must be between 1 and {MAX_TEXT_LENGTH}",
                            f.ctx
                        ),
                    );
                    DEFAULT_TEXT_LENGTH
                }
                Some((n, _)) => usize::try_from(n).unwrap_or(DEFAULT_TEXT_LENGTH),
            };
            Some(QuestionKind::Text { max_length })
        }
        _ => Some(QuestionKind::Note),
    }
}

fn ranged(errs: &mut Errors, f: &mut Fields<'_, '_>, key: &str) -> Option<u32> {
    let (n, span) = f.int(errs, key)?;
    match u32::try_from(n) {
        Ok(n) => Some(n),
        Err(_) => {
            errs.at(&span, format!("{}'{key}' must not be negative", f.ctx));
            None
        }
    }
}

/// The largest network size a peer may give unless the question sets `max`.
const NETWORK_SIZE_MAX: i64 = 999;

/// `type = "network_size"`: a whole number from 0 (`min` is always 0) to `max` (999 unless
/// given), counted in `bands` — by default 0–4, 5–9, 10–19, 20–49, 50 and more.
fn read_network_size(
    errs: &mut Errors,
    f: &mut Fields<'_, '_>,
    langs: &[Lang],
) -> Option<QuestionKind> {
    if let Some((min, span)) = f.int(errs, "min") {
        if min != 0 {
            errs.at(
                &span,
                format!("{}a network_size question always starts at 0", f.ctx),
            );
        }
    }
    let max = match f.int(errs, "max") {
        Some((max, span)) if max < 1 => {
            errs.at(&span, format!("{}'max' must be at least 1", f.ctx));
            return None;
        }
        Some((max, _)) => max,
        None => NETWORK_SIZE_MAX,
    };
    let unit = f.text(errs, "unit", langs);
    let mut bands = read_bands(errs, f, 0, max);
    if bands.is_empty() && !f.has("bands") {
        bands = default_network_bands(max);
    }
    Some(QuestionKind::Number {
        min: 0,
        max,
        unit,
        bands,
    })
}

/// 0–4, 5–9, 10–19, 20–49, 50–max, cut at `max`.
fn default_network_bands(max: i64) -> Vec<Band> {
    let mut bands = Vec::new();
    for (lo, hi) in [(0, 4), (5, 9), (10, 19), (20, 49), (50, i64::MAX)] {
        if lo > max {
            break;
        }
        bands.push(Band {
            lo,
            hi: hi.min(max),
        });
    }
    bands
}

/// The largest whole number a double holds exactly (2^53 − 1). An export's loaders read numbers
/// as doubles: beyond this a real answer and a non-answer's code below the range could read as
/// the same number, and the codes themselves would need room the range does not leave.
const LARGEST_EXACT: u64 = (1 << 53) - 1;

fn read_min_max(errs: &mut Errors, f: &mut Fields<'_, '_>) -> Option<(i64, i64)> {
    let min = f.int(errs, "min");
    let max = f.int(errs, "max");
    if !f.has("min") {
        f.missing(errs, "min");
    }
    if !f.has("max") {
        f.missing(errs, "max");
    }
    let ((min, min_span), (max, max_span)) = (min?, max?);
    for (key, value, span) in [("min", min, &min_span), ("max", max, &max_span)] {
        if value.unsigned_abs() > LARGEST_EXACT {
            errs.at(
                span,
                format!(
                    "{}{key} ({value}) is too large: whole numbers go up to {LARGEST_EXACT} either way, the largest that spreadsheets and statistics tools (R, Stata, SPSS) read exactly",
                    f.ctx
                ),
            );
            return None;
        }
    }
    if max < min {
        errs.at(
            &max_span,
            format!("{}max ({max}) is below min ({min})", f.ctx),
        );
        // Read on as if swapped, the likely intent: the question's bands and the rules that
        // name it are checked against that range, rather than refused as unknown keys and an
        // unknown question for this one mistake.
        return Some((max, min));
    }
    Some((min, max))
}

fn read_bands(errs: &mut Errors, f: &mut Fields<'_, '_>, min: i64, max: i64) -> Vec<Band> {
    let Some((items, span)) = f.array(errs, "bands") else {
        return Vec::new();
    };
    if items.is_empty() {
        errs.at(&span, format!("{}'bands' is empty", f.ctx));
    }
    let mut bands: Vec<Band> = Vec::new();
    for item in items {
        let pair = as_pair(item.get_ref(), as_int).map(|(lo, hi)| Band { lo, hi });
        let Some(band) = pair else {
            errs.at(
                &item.span(),
                format!(
                    "{}each band must be a pair of whole numbers [low, high]",
                    f.ctx
                ),
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

fn read_choices(
    errs: &mut Errors,
    f: &mut Fields<'_, '_>,
    key: &str,
    langs: &[Lang],
    allow_exclusive: bool,
    allow_show_if: bool,
) -> Option<Vec<Choice>> {
    let Some((items, span)) = f.array(errs, key) else {
        if !f.has(key) {
            f.missing(errs, key);
        }
        return None;
    };
    if items.is_empty() {
        errs.at(&span, format!("{}'{key}' is empty", f.ctx));
        return None;
    }
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    let mut ok = true;
    let noun = if key == "rows" { "row" } else { "option" };
    for (i, item) in items.iter().enumerate() {
        let what = format!("{}{noun} {}", f.ctx, i + 1);
        let Some(table) = as_table(errs, &what, item) else {
            ok = false;
            continue;
        };
        let mut cf = Fields::new(table, item.span(), format!("{what}: "));
        // A second option with an id already used is reported and left out, and the question
        // kept: the rest of its checks (conditions, references) still run, so the definition's
        // other errors are listed in the same pass.
        let mut duplicate = false;
        let id = match cf.str(errs, "id") {
            Some((s, span)) => {
                if let Err(e) = check_option_id(s) {
                    errs.at(&span, format!("{}'id': {e}", cf.ctx));
                    ok = false;
                } else if s == "dont_know" || s == "prefer_not_to_say" {
                    errs.at(
                        &span,
                        format!(
                            "{}'{s}' is reserved for the built-in non-answer; use the question's '{s}' setting instead",
                            cf.ctx
                        ),
                    );
                    ok = false;
                } else if !seen.insert(s.to_owned()) {
                    errs.at(&span, format!("{}duplicate {noun} id '{s}'", f.ctx));
                    duplicate = true;
                }
                cf.ctx = format!("{}{noun} '{s}': ", f.ctx);
                Some(s.to_owned())
            }
            None => {
                cf.missing(errs, "id");
                None
            }
        };
        let text = cf.text(errs, "text", langs);
        if !cf.has("text") {
            cf.missing(errs, "text");
        }
        let exclusive = if allow_exclusive {
            cf.bool(errs, "exclusive").unwrap_or(false)
        } else {
            false
        };
        let show_if = if allow_show_if {
            cf.condition(errs, "show_if")
        } else {
            None
        };
        cf.finish(errs, "");
        if duplicate {
            continue;
        }
        match (id, text) {
            (Some(id), Some(text)) => out.push(Choice {
                id,
                text,
                exclusive,
                show_if,
            }),
            _ => ok = false,
        }
    }
    ok.then_some(out)
}
