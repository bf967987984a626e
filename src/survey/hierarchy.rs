//! Reading generalisation hierarchies for anonymised exports (see `src/export/`): `groups` of a
//! single-choice, multi-select or Likert question, `coarse_bands` of a number, and which types may be
//! quasi-identifiers at all.

use std::collections::BTreeMap;

use toml::de::DeValue;

use super::definition::{Band, Choice, OptionGroup, QuestionKind, Role};
use super::ids::check_option_id;
use super::reader::{as_int, as_pair, as_table, Errors, Fields};
use super::text::Lang;

/// The generalisation keys of one question.
#[derive(Debug, Default)]
pub(super) struct Hierarchy {
    pub(super) groups: Vec<OptionGroup>,
    pub(super) coarse_bands: Vec<Band>,
}

/// Reads `groups` (single, multi, Likert) or `coarse_bands` (number) and checks that a quasi-identifier
/// has a type the export can generalise. Keys not read here are reported as unknown later.
pub(super) fn read_hierarchy(
    errs: &mut Errors,
    f: &mut Fields<'_, '_>,
    kind: &QuestionKind,
    role: Option<Role>,
    langs: &[Lang],
) -> Hierarchy {
    if role == Some(Role::Quasi) {
        let unsupported = match kind {
            QuestionKind::Grid { .. } => Some("a grid"),
            QuestionKind::Scale { .. } => Some("a numeric scale"),
            QuestionKind::Single { .. }
            | QuestionKind::Multi { .. }
            | QuestionKind::Likert { .. }
            | QuestionKind::Number { .. }
            | QuestionKind::Date { .. }
            // Decimals and days refuse the role where they are read; text and notes already
            // fail on their role.
            | QuestionKind::Decimal { .. }
            | QuestionKind::Day { .. }
            | QuestionKind::Text { .. }
            | QuestionKind::Note => None,
        };
        if let Some(what) = unsupported {
            errs.at(
                &f.span,
                format!(
                    "{}{what} can't be a quasi-identifier: only single-choice, multi-select, Likert scale, number (with bands) and date questions can be generalised for exports; use role \"sensitive\" or \"plain\"",
                    f.ctx
                ),
            );
        }
    }
    match kind {
        QuestionKind::Single { options, .. } | QuestionKind::Likert { options } => Hierarchy {
            groups: read_groups(errs, f, options, langs),
            coarse_bands: Vec::new(),
        },
        // A multi-select's groups are its coarser level as a quasi-identifier: a group column
        // is 1 when any of its options is ticked.
        QuestionKind::Multi { options, .. } => Hierarchy {
            groups: read_groups(errs, f, options, langs),
            coarse_bands: Vec::new(),
        },
        QuestionKind::Number { bands, .. } => Hierarchy {
            groups: Vec::new(),
            coarse_bands: read_coarse_bands(errs, f, bands),
        },
        QuestionKind::Scale { .. }
        | QuestionKind::Grid { .. }
        | QuestionKind::Date { .. }
        | QuestionKind::Decimal { .. }
        | QuestionKind::Day { .. }
        | QuestionKind::Text { .. }
        | QuestionKind::Note => Hierarchy::default(),
    }
}

fn read_groups(
    errs: &mut Errors,
    f: &mut Fields<'_, '_>,
    options: &[Choice],
    langs: &[Lang],
) -> Vec<OptionGroup> {
    let Some((items, span)) = f.array(errs, "groups") else {
        return Vec::new();
    };
    if items.is_empty() {
        errs.at(&span, format!("{}'groups' is empty", f.ctx));
        return Vec::new();
    }
    let mut groups: Vec<OptionGroup> = Vec::new();
    // Option id → the group that first claimed it.
    let mut placed: BTreeMap<&str, String> = BTreeMap::new();
    let mut group_lines: BTreeMap<String, usize> = BTreeMap::new();
    for (i, item) in items.iter().enumerate() {
        let what = format!("{}group {}", f.ctx, i + 1);
        let Some(table) = as_table(errs, &what, item) else {
            continue;
        };
        let mut gf = Fields::new(table, item.span(), format!("{what}: "));
        let id = match gf.str(errs, "id") {
            Some((s, id_span)) => {
                if let Err(e) = check_option_id(s) {
                    errs.at(&id_span, format!("{}'id': {e}", gf.ctx));
                }
                let line = errs.line(id_span.start);
                if let Some(first) = group_lines.get(s) {
                    errs.at(
                        &id_span,
                        format!(
                            "{}duplicate group id '{s}' (first used on line {first})",
                            f.ctx
                        ),
                    );
                } else {
                    group_lines.insert(s.to_owned(), line);
                }
                gf.ctx = format!("{}group '{s}': ", f.ctx);
                Some(s.to_owned())
            }
            None => {
                gf.missing(errs, "id");
                None
            }
        };
        let text = gf.text(errs, "text", langs);
        if !gf.has("text") {
            gf.missing(errs, "text");
        }
        let mut members = Vec::new();
        match gf.array(errs, "options") {
            Some(([], o_span)) => errs.at(&o_span, format!("{}'options' is empty", gf.ctx)),
            Some((list, _)) => {
                for o in list {
                    let DeValue::String(s) = o.get_ref() else {
                        errs.at(
                            &o.span(),
                            format!("{}'options' must be a list of option ids", gf.ctx),
                        );
                        continue;
                    };
                    let s: &str = s.as_ref();
                    let Some(option) = options.iter().find(|c| c.id == s) else {
                        let msg = if s == "dont_know" || s == "prefer_not_to_say" {
                            format!("{}'{s}' is a non-answer, and non-answers are never grouped: they keep their own codes", gf.ctx)
                        } else {
                            format!("{}unknown option '{s}'", gf.ctx)
                        };
                        errs.at(&o.span(), msg);
                        continue;
                    };
                    let group = id.clone().unwrap_or_default();
                    match placed.get(option.id.as_str()) {
                        Some(other) => errs.at(
                            &o.span(),
                            format!(
                                "{}option '{s}' is already in group '{other}'; each option belongs to exactly one group",
                                gf.ctx
                            ),
                        ),
                        None => {
                            placed.insert(option.id.as_str(), group);
                            members.push(option.id.clone());
                        }
                    }
                }
            }
            None => {
                if !gf.has("options") {
                    gf.missing(errs, "options");
                }
            }
        }
        gf.finish(errs, " in a group");
        if let (Some(id), Some(text)) = (id, text) {
            groups.push(OptionGroup {
                id,
                text,
                options: members,
            });
        }
    }
    for o in options {
        if !placed.contains_key(o.id.as_str()) {
            errs.at(
                &span,
                format!(
                    "{}option '{}' is in no group; every option belongs to exactly one group",
                    f.ctx, o.id
                ),
            );
        }
    }
    groups
}

fn read_coarse_bands(errs: &mut Errors, f: &mut Fields<'_, '_>, bands: &[Band]) -> Vec<Band> {
    let Some((items, span)) = f.array(errs, "coarse_bands") else {
        return Vec::new();
    };
    if bands.is_empty() {
        errs.at(
            &span,
            format!(
                "{}'coarse_bands' needs 'bands' to group into coarser bands",
                f.ctx
            ),
        );
        return Vec::new();
    }
    if items.is_empty() {
        errs.at(&span, format!("{}'coarse_bands' is empty", f.ctx));
        return Vec::new();
    }
    let mut out = Vec::new();
    // Index of the first band not yet covered by a coarse band.
    let mut next = 0usize;
    for item in items {
        let pair = as_pair(item.get_ref(), as_int).map(|(lo, hi)| Band { lo, hi });
        let Some(coarse) = pair else {
            errs.at(
                &item.span(),
                format!(
                    "{}each coarse band must be a pair of whole numbers [low, high]",
                    f.ctx
                ),
            );
            continue;
        };
        let (lo, hi) = (coarse.lo, coarse.hi);
        let first = bands.iter().position(|b| b.lo == lo);
        let last = bands.iter().position(|b| b.hi == hi);
        let exact = match (first, last) {
            (Some(i), Some(j)) if i <= j => bands
                .get(i..=j)
                .is_some_and(|run| run.windows(2).all(|w| w[1].lo == w[0].hi + 1)),
            _ => false,
        };
        if !exact {
            errs.at(
                &item.span(),
                format!(
                    "{}coarse band [{lo}, {hi}] is not the exact union of consecutive bands (it must start where a band starts, end where a band ends, and leave no gap)",
                    f.ctx
                ),
            );
            continue;
        }
        let (i, j) = (first.unwrap_or(0), last.unwrap_or(0));
        if i != next {
            let expected = bands.get(next).map_or(lo, |b| b.lo);
            errs.at(
                &item.span(),
                format!(
                    "{}coarse band [{lo}, {hi}] should start at {expected}: coarse bands go in order, without gaps or overlaps",
                    f.ctx
                ),
            );
        }
        next = next.max(j + 1);
        out.push(coarse);
    }
    if let Some(left) = bands.get(next..).filter(|rest| !rest.is_empty()) {
        let names: Vec<String> = left
            .iter()
            .map(|b| format!("[{}, {}]", b.lo, b.hi))
            .collect();
        let (noun, verb) = if left.len() == 1 {
            ("band", "is")
        } else {
            ("bands", "are")
        };
        errs.at(
            &span,
            format!(
                "{}{noun} {} {verb} in no coarse band; coarse bands must cover every band",
                f.ctx,
                names.join(", ")
            ),
        );
    }
    out
}
