//! The margins of a release's two-way tables, read together as a reader would.
//!
//! A two-way table counts the people who answered both of its questions, so each of its margins
//! is at least the one-way count of the same categories. Each pair's audit sees the margins of
//! its own two-way table; a reader has the margins of every two-way table of a question at once:
//! many lower bounds on nearly the same people, each with noise of its own, whose largest
//! creeps up to the truth. Together with the one-way table's own upper bounds they can pin a
//! hidden count that every pair's audit left wide (and, with counts only growing, one of an
//! earlier release). The next release's audit reads those margins so (`joint::one_way`,
//! `joint::pair`); once every table of a release is decided, these two steps solve the same
//! systems for the release being made — each one-way table with all its margins
//! ([`settle_margins`]), then each pair with its own cells and the other pairs' margins
//! ([`settle_pairs`]) — and take back two-way tables until every hidden number is wide again.

use std::collections::{BTreeMap, HashMap};
use std::sync::{PoisonError, RwLock};

use crate::tally::{parallel_map, threads, Axis, Catalogue, RawTable};

use super::catalogue::{apply_first, fixes, pairs_of, shown_values, withhold, Fix, Why};
use super::earlier::{margins_of, positions, EarlierRelease, EarlierTable};
use super::grouping::Grouping;
use super::joint::{self, Narrow, Pair};
use super::protect::{Refusal, Released, Shown};

/// For each shown one-way table of `one_way` (`first`, in the same order), audits it with its
/// earlier releases and every margin of it that the two-way tables in `two_way` show. While a
/// hidden number is too narrowly bounded, the two-way table whose margins bound its hidden
/// counts most tightly is withheld ("too few responses to show this breakdown safely").
///
/// Withholding only takes away what other audits of this release assumed shown, so each
/// one-way table needs one pass, in any order.
pub(super) fn settle_margins(
    tables: &[RawTable],
    one_way: &[usize],
    first: &[Released],
    two_way: &mut HashMap<usize, Released>,
    threshold: u32,
    earlier: &[EarlierRelease],
) {
    let t = u64::from(threshold);
    for (&i, released) in one_way.iter().zip(first) {
        if released.shown().is_none() {
            continue;
        }
        let side = Side::of(&tables[i], released);
        let raw = side.raw;
        // Catalogue order, so that the same tables always give the same release.
        let mut keys: Vec<usize> = two_way
            .iter()
            .filter(|(_, r)| {
                r.shown().is_some_and(|table| {
                    table.rows.variable == raw.id()
                        || table
                            .columns
                            .as_ref()
                            .is_some_and(|c| c.variable == raw.id())
                })
            })
            .map(|(&k, _)| k)
            .collect();
        keys.sort_unstable();
        let mut now: Vec<EarlierTable> = keys
            .iter()
            .filter_map(|k| Some(EarlierTable::from_protected(two_way.get(k)?.shown()?)))
            .collect();
        let shown = (side.published.as_slice(), side.hidden.as_slice());
        while !now.is_empty() {
            if let Ok(None) = joint::one_way(raw, shown, earlier, &now, t) {
                break;
            }
            // An audit the solver could not finish is treated as one that failed: taking a
            // table back is always safe.
            let Some((position, _)) = tightest(now.iter(), &side, t) else {
                break;
            };
            now.remove(position);
            let k = keys.remove(position);
            two_way.insert(k, withhold(&tables[k], Refusal::TooFewForBreakdown));
        }
    }
}

/// A one-way table as this release shows it: published values and hidden flags in layout order
/// (cells, then the total; all hidden when the table is withheld).
struct Side<'a> {
    raw: &'a RawTable,
    published: Vec<u64>,
    hidden: Vec<bool>,
}

impl<'a> Side<'a> {
    fn of(raw: &'a RawTable, released: &Released) -> Self {
        let values = shown_values(released);
        let n = raw.cells().len() + 1;
        let value = |e: usize| values.get(e).copied().flatten();
        Side {
            raw,
            published: (0..n).map(|e| value(e).unwrap_or(0)).collect(),
            hidden: (0..n).map(|e| value(e).is_none()).collect(),
        }
    }
}

/// Of the two-way tables `candidates`, the position of the one whose margins push the hidden
/// counts of `side` up the most (the first of equals), and how far.
fn tightest<'x>(
    candidates: impl Iterator<Item = &'x EarlierTable>,
    side: &Side<'_>,
    t: u64,
) -> Option<(usize, f64)> {
    candidates.map(|x| squeeze(x, side, t)).enumerate().fold(
        None,
        |best: Option<(usize, f64)>, (k, v)| match best {
            Some((_, b)) if b >= v => best,
            _ => Some((k, v)),
        },
    )
}

/// How far the margins of two-way table `x` push up the hidden counts of `side`: over each line
/// it shows of that question, the least the line's people can be, less the most the line's
/// shown one-way counts can be — what is left must be in its hidden counts.
fn squeeze(x: &EarlierTable, side: &Side<'_>, t: u64) -> f64 {
    side.beyond(std::slice::from_ref(x), None, true, t)
        .fold(f64::NEG_INFINITY, f64::max)
}

/// Whether any margin that the two-way tables `others` (besides those with `besides`) show of
/// `side`'s question says more than its published counts: a line whose least is above the sum
/// of the least each of its categories can be (0 where hidden).
fn pushes(others: &[EarlierTable], side: &Side<'_>, besides: &str, t: u64) -> bool {
    side.beyond(others, Some(besides), false, t)
        .any(|v| v > 1e-6)
}

impl Side<'_> {
    /// For each line that the two-way tables `x` (besides those with `besides`) show of this
    /// question: the least its people can be, less what its categories' published counts
    /// allow at `most` (their highest; else their lowest), 0 for a hidden one. A line of
    /// categories that no longer exist bounds nothing the audit reads.
    fn beyond<'s>(
        &'s self,
        x: &'s [EarlierTable],
        besides: Option<&'s str>,
        most: bool,
        t: u64,
    ) -> impl Iterator<Item = f64> + 's {
        let ids: Vec<String> = self
            .raw
            .rows()
            .categories
            .iter()
            .map(|c| c.id.clone())
            .collect();
        let allowed = move |c: usize| -> f64 {
            if self.hidden[c] {
                return 0.0;
            }
            let (low, high) = Shown::new(self.published[c], t).range();
            if most {
                high
            } else {
                low
            }
        };
        margins_of(x, self.raw.id(), besides).filter_map(move |(line, margin)| {
            let cells = match line {
                Some(l) => positions(l, &ids)?,
                None => (0..ids.len()).collect(),
            };
            Some(margin.range().0 - cells.iter().map(|&c| allowed(c)).sum::<f64>())
        })
    }
}

/// The groups a shown axis stands for, by position among the raw axis's categories (as
/// `Grouping::coarser` reads a declared group: its parts that the axis has); `None` if a group
/// would be empty.
fn grouping(shown: &Axis, raw: &Axis) -> Option<Grouping> {
    let position = |id: &String| raw.categories.iter().position(|c| &c.id == id);
    let groups = shown
        .categories
        .iter()
        .map(|c| {
            let members: Vec<usize> = if c.parts.is_empty() {
                position(&c.id).into_iter().collect()
            } else {
                c.parts.iter().filter_map(position).collect()
            };
            (!members.is_empty()).then_some(members)
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Grouping { groups })
}

/// Every pair of questions with a two-way table shown now or in an earlier release, audited as
/// its own audit did but with the margins of every other two-way table of this release as
/// well: a reader combines those with the pair's own cells and with who is in no group (the
/// same margins as [`settle_margins`] reads, now beside the pair's finer groups of people).
/// While a hidden number is too narrowly bounded: first the tables of either question that pin
/// it on their own ([`pinning_alone`]; while the pair's own table is shown, only if withholding
/// them is enough), then the pair's own two-way table, then one at a time the two-way table of
/// either question whose margins push that question's hidden counts up the most, and last,
/// tables of other questions ([`others_to_take`]) are withheld.
///
/// Each audit starts from what the pair's own audit found (`found`): its feasible points that
/// meet the added margins still prove what they proved.
///
/// Every pair is first audited against the tables as they stand, on a few threads; withholding
/// only takes away what those audits assumed shown, so a pair that passed stays passed, and
/// only the pairs that did not are taken again, in catalogue order.
pub(super) fn settle_pairs(
    catalogue: &Catalogue,
    one_way: &[usize],
    first: &mut [Released],
    (two_way, found): (
        &mut HashMap<usize, Released>,
        &HashMap<usize, joint::Memory>,
    ),
    threshold: u32,
    earlier: &[EarlierRelease],
) {
    let tables = &catalogue.tables;
    let t = u64::from(threshold);
    let mut sides: Vec<Side> = one_way
        .iter()
        .zip(first.iter())
        .map(|(&i, released)| Side::of(&tables[i], released))
        .collect();
    // The one-way tables as the audits read them: a pair still pinned may hide more of them.
    let shown_now = RwLock::new(first.to_vec());
    // The same, as the split audits read a third question's table: made again only when a
    // one-way table hides more, not per audit.
    let view_of = |released: &[Released]| -> Vec<EarlierTable> {
        (released.iter())
            .filter_map(Released::shown)
            .map(EarlierTable::from_protected)
            .collect()
    };
    let one_way_view = RwLock::new(view_of(first));
    // (two-way table, its first question's one-way position, its second's)
    // Every pair: a withheld breakdown's small cells must stay wide too (`joint::pair`).
    let pairs = pairs_of(tables, one_way, |_, _, _| true);
    let mut now: BTreeMap<usize, EarlierTable> = two_way
        .iter()
        .filter_map(|(&k, r)| Some((k, EarlierTable::from_protected(r.shown()?))))
        .collect();
    // The same tables in one slice, as the audit reads them; a pair's own table is among them,
    // and the audit leaves out every table with both its questions (`margins_of`).
    let mut view: Vec<EarlierTable> = now.values().cloned().collect();
    // `full`: the pair's whole audit; otherwise only its audits split by third questions. The
    // split audits read the release's one-way tables as `one_way_now` shows them.
    let audit_reading = |&(k, ka, kb): &(usize, usize, usize),
                         two_way: &HashMap<usize, Released>,
                         (view, one_way_now): (&[EarlierTable], &[EarlierTable]),
                         full: bool| {
        let (a, b) = (&tables[one_way[ka]], &tables[one_way[kb]]);
        let (a_shown, b_shown) = {
            let first = shown_now.read().unwrap_or_else(PoisonError::into_inner);
            (shown_values(&first[ka]), shown_values(&first[kb]))
        };
        let shown = two_way.get(&k).and_then(Released::shown);
        let identity = (
            Grouping::identity(a.cells().len()),
            Grouping::identity(b.cells().len()),
        );
        let (rows, columns) = match shown {
            Some(p) => {
                let rows = grouping(&p.rows, a.rows());
                let columns = p.columns.as_ref().and_then(|c| grouping(c, b.rows()));
                match (rows, columns) {
                    (Some(r), Some(c)) => (r, c),
                    // Not read as it was shown: an audit that cannot be made, so the table
                    // is taken back.
                    _ => return Err("a redesigned table's groups could not be read".to_owned()),
                }
            }
            None => identity,
        };
        let two_shown: Option<Vec<Option<u64>>> =
            shown.map(|p| p.entries().map(|c| c.count).collect());
        let pair = Pair {
            a,
            b,
            two: &tables[k],
            a_shown: &a_shown,
            b_shown: &b_shown,
            rows: &rows,
            columns: &columns,
            two_shown: two_shown.as_deref(),
            margins_now: Some(view),
            one_way_now,
            linked: catalogue.linked.contains(tables[k].id()),
            counts: Some(catalogue),
        };
        if !full {
            return joint::thirds_alone(&pair, earlier, t);
        }
        // What the pair's own audit found is still true where it meets the margins added
        // here (`Witnesses::meeting_floors`).
        let mut memory = found.get(&k).cloned().unwrap_or_default();
        joint::both(&pair, earlier, t, &mut memory)
    };
    // The same, with the one-way tables as they stand.
    let audit = |p: &(usize, usize, usize),
                 two_way: &HashMap<usize, Released>,
                 view: &[EarlierTable],
                 full: bool| {
        let one_way_now = one_way_view.read().unwrap_or_else(PoisonError::into_inner);
        audit_reading(p, two_way, (view, &one_way_now), full)
    };
    // A margin no higher than what the published counts of its categories already guarantee
    // adds nothing to the pair's own audit, which this release's tables passed; its audits
    // split by third questions still run.
    let matters = |&(k, ka, kb): &(usize, usize, usize)| {
        // A pair whose breakdown is not shown had no audit of its own yet.
        if two_way.get(&k).is_none_or(|r| r.shown().is_none()) {
            return true;
        }
        let (a, b) = (&sides[ka], &sides[kb]);
        let ids = |side: &Side<'_>| -> Vec<String> {
            side.raw
                .rows()
                .categories
                .iter()
                .map(|c| c.id.clone())
                .collect()
        };
        let (a_ids, b_ids) = (ids(a), ids(b));
        let sides = (
            (a.raw.id(), a_ids.as_slice()),
            (b.raw.id(), b_ids.as_slice()),
        );
        pushes(&view, a, b.raw.id(), t)
            || pushes(&view, b, a.raw.id(), t)
            || std::iter::once(view.as_slice())
                .chain(earlier.iter().map(|r| r.tables.as_slice()))
                .any(|release| joint::has_tied_margins(release, catalogue, sides))
    };
    let mut initial = parallel_map(&pairs, threads(), |p| audit(p, two_way, &view, matters(p)));
    let mut withheld_any = false;
    loop {
        let mut mended_any = false;
        for (p, result) in pairs.iter().zip(initial) {
            let (k, ka, kb) = *p;
            // A pair that failed against the tables as they first stood may pass once others
            // are withheld: asked again before anything is taken back for it.
            let mut result = match result {
                Ok(Some(_)) | Err(_) if withheld_any => audit(p, two_way, &view, true),
                other => other,
            };
            // Whether the tables that pin the number alone were looked for: while the pair's own
            // table is shown, and once it is withheld.
            let mut looked = [false, false];
            loop {
                let narrow = match result {
                    Ok(None) => break,
                    Ok(Some(narrow)) => Some(narrow),
                    Err(_) => None,
                };
                let own_shown = now.contains_key(&k);
                let mut taken = Vec::new();
                if !std::mem::replace(&mut looked[usize::from(own_shown)], true)
                    && matches!(audit(p, two_way, &[], true), Ok(None))
                {
                    // A table of either question that pins the number on its own (a question
                    // shown only to some, say, whose breakdown by the other's categories counts
                    // people of one answer of its filter question) is taken first: the order the
                    // tables are weighed in below may reach it only after withholding every other
                    // breakdown of both questions. While the pair's own table is shown, only if
                    // that is enough.
                    taken = pinning_alone(&now, k, (sides[ka].raw.id(), sides[kb].raw.id()), |x| {
                        !matches!(audit(p, two_way, std::slice::from_ref(x), true), Ok(None))
                    });
                    let enough = || {
                        let rest: Vec<EarlierTable> = (now.iter())
                            .filter(|(j, _)| !taken.contains(j))
                            .map(|(_, x)| x.clone())
                            .collect();
                        matches!(audit(p, two_way, &rest, true), Ok(None))
                    };
                    if own_shown && !taken.is_empty() && !enough() {
                        taken.clear();
                    }
                }
                if !taken.is_empty() {
                    for j in &taken {
                        now.remove(j);
                    }
                } else if now.remove(&k).is_some() {
                    taken.push(k);
                } else if let Some(j) =
                    take_tightest((&sides[ka], &sides[kb]), narrow.as_ref(), &mut now, t)
                {
                    taken.push(j);
                } else if !now.is_empty() && matches!(audit(p, two_way, &[], true), Ok(None)) {
                    // No table of either question is left, yet a reader could still pin the
                    // number, and could not without the other margins of this release: tables of
                    // other questions reach it (a question shown only to some counts people of
                    // its filter question's answers).
                    let keys: Vec<usize> = now.keys().copied().collect();
                    taken = others_to_take(&keys, |kept| {
                        let margins: Vec<EarlierTable> =
                            kept.iter().map(|j| now[j].clone()).collect();
                        matches!(audit(p, two_way, &margins, true), Ok(None))
                    });
                    for j in &taken {
                        now.remove(j);
                    }
                }
                let pair_shown = {
                    let first = shown_now.read().unwrap_or_else(PoisonError::into_inner);
                    first[ka].shown().is_some() || first[kb].shown().is_some()
                };
                // Which one-way table hides more, and how, when nothing is left to withhold.
                let mend = if !taken.is_empty() {
                    None
                } else if !pair_shown {
                    // Neither question's table is shown any more and the number is still
                    // pinned: by a third question's own table, which with the number of
                    // responses counts everyone who skipped it (`FOUND_SHOWN_FOR_COUNTED` in
                    // `src/disclosure/survey_proptests.rs`). One count of it is hidden, or the
                    // table withheld, as for the pair's own tables below.
                    let third = |kx: usize| -> bool {
                        let (x, y) = (sides[ka].raw.id(), sides[kb].raw.id());
                        let v = tables[one_way[kx]].id();
                        let shares = |t: &EarlierTable| {
                            t.variables.iter().any(|w| w == v)
                                && t.variables.iter().any(|w| w == x || w == y)
                        };
                        kx != ka
                            && kx != kb
                            && (now.values().any(shares)
                                || earlier.iter().any(|r| r.iter().any(shares)))
                    };
                    // Whether the pair passes with `released` as that question's table.
                    let loosens = |kx: usize, released: &Released| {
                        let trial = {
                            let mut first = shown_now
                                .read()
                                .unwrap_or_else(PoisonError::into_inner)
                                .clone();
                            first[kx] = released.clone();
                            view_of(&first)
                        };
                        // Its breakdowns go with it (below), so they are left out here.
                        let v = tables[one_way[kx]].id();
                        let rest: Vec<EarlierTable> = (now.values())
                            .filter(|x| !x.variables.iter().any(|w| w == v))
                            .cloned()
                            .collect();
                        let reading = (rest.as_slice(), trial.as_slice());
                        matches!(audit_reading(p, two_way, reading, true), Ok(None))
                    };
                    let why = match narrow {
                        Some(Narrow::Earlier(_)) => Why::Earlier,
                        _ => Why::Pinned,
                    };
                    (0..one_way.len()).filter(|&kx| third(kx)).find_map(|kx| {
                        let shown =
                            shown_now.read().unwrap_or_else(PoisonError::into_inner)[kx].clone();
                        let table = shown.shown()?;
                        let hidden: Vec<bool> = table.cells.iter().map(|c| c.suppressed).collect();
                        let mut cells: Vec<(u64, usize)> = (table.cells.iter().enumerate())
                            .filter_map(|(c, cell)| cell.count.filter(|&v| v > 0).map(|v| (v, c)))
                            .collect();
                        cells.sort_unstable();
                        let tries = (cells.into_iter().map(|(_, c)| Fix::Hide(true, c)))
                            .chain(std::iter::once(Fix::Withhold(true, why)));
                        tries.into_iter().find_map(|fix| {
                            let raw = sides[kx].raw;
                            let sides = [Some((raw, hidden.as_slice())), None];
                            let (_, _, released) = apply_first(&[fix], sides, threshold, earlier)?;
                            loosens(kx, &released).then_some((kx, released))
                        })
                    })
                } else {
                    // Still pinned with nothing left to withhold that would loosen it: this
                    // release's one-way tables of the pair's questions pin it (against what an
                    // earlier release showed of third questions, say). One more of their counts
                    // is hidden as for one-way tables against earlier releases (`fixes`:
                    // the one counting most of the same people), keeping hidden all they hid,
                    // and every breakdown of that question is withheld: those were designed
                    // around what its table hid.
                    let first = shown_now.read().unwrap_or_else(PoisonError::into_inner);
                    let (a_shown, b_shown) = (shown_values(&first[ka]), shown_values(&first[kb]));
                    let fixes = match &narrow {
                        Some(n) => fixes(n, sides[ka].raw, sides[kb].raw, &a_shown, &b_shown),
                        None => vec![Fix::Withhold(!a_shown.is_empty(), Why::Unsolved)],
                    };
                    let forced = [ka, kb].map(|k| {
                        first[k].shown().map(|shown| {
                            let hidden: Vec<bool> =
                                shown.cells.iter().map(|c| c.suppressed).collect();
                            (sides[k].raw, hidden)
                        })
                    });
                    let tables = [0, 1].map(|i| forced[i].as_ref().map(|(t, h)| (*t, &h[..])));
                    apply_first(&fixes, tables, threshold, earlier)
                        .map(|(side, _, released)| (if side { ka } else { kb }, released))
                };
                if taken.is_empty() {
                    let Some((k, released)) = mend else {
                        break;
                    };
                    let mut first = shown_now.write().unwrap_or_else(PoisonError::into_inner);
                    first[k] = released;
                    *one_way_view.write().unwrap_or_else(PoisonError::into_inner) = view_of(&first);
                    sides[k] = Side::of(sides[k].raw, &first[k]);
                    let variable = sides[k].raw.id();
                    taken = (now.iter())
                        .filter(|(_, x)| x.variables.iter().any(|v| v == variable))
                        .map(|(&j, _)| j)
                        .collect();
                    for j in &taken {
                        now.remove(j);
                    }
                    mended_any = true;
                }
                withheld_any = true;
                for j in taken {
                    two_way.insert(j, withhold(&tables[j], Refusal::TooFewForBreakdown));
                }
                view = now.values().cloned().collect();
                result = audit(p, two_way, &view, true);
            }
        }
        if !mended_any {
            break;
        }
        // A one-way table hid more: every pair is audited again with it, those that passed
        // before as well (one that shows the same people's count in another table may not now).
        initial = parallel_map(&pairs, threads(), |p| audit(p, two_way, &view, true));
    }
    let mended = shown_now
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    first.clone_from_slice(&mended);
}

/// The two-way tables of question `a` or `b` in `now`, other than the pair's own `k`, with
/// which alone (`pins`) the pair's audit finds a number too narrowly bounded. Their audits run
/// on a few threads; each is the pair's with one table's margins.
fn pinning_alone(
    now: &BTreeMap<usize, EarlierTable>,
    k: usize,
    (a, b): (&str, &str),
    pins: impl Fn(&EarlierTable) -> bool + Sync,
) -> Vec<usize> {
    let of_either: Vec<(usize, &EarlierTable)> = now
        .iter()
        .filter(|(&j, x)| j != k && x.variables.iter().any(|v| v == a || v == b))
        .map(|(&j, x)| (j, x))
        .collect();
    let found = parallel_map(&of_either, threads(), |(_, x)| pins(x));
    of_either
        .iter()
        .zip(found)
        .filter_map(|((j, _), pinned)| pinned.then_some(*j))
        .collect()
}

/// Which of `others` (catalogue order) to withhold for a pair that passes once all of them are
/// (`passes`: whether it passes with those kept). Up to [`FEW_LEFT`] of them: taken away in
/// order until the pair passes, then each but the last put back where it still passes with
/// it; more than that, all of them.
fn others_to_take(others: &[usize], passes: impl Fn(&[usize]) -> bool) -> Vec<usize> {
    if others.len() > FEW_LEFT {
        return others.to_vec();
    }
    let last = (1..others.len())
        .find(|&n| passes(&others[n..]))
        .unwrap_or(others.len());
    let mut kept = others[last..].to_vec();
    for &j in &others[..last - 1] {
        kept.push(j);
        if !passes(&kept) {
            kept.pop();
        }
    }
    others
        .iter()
        .copied()
        .filter(|j| !kept.contains(j))
        .collect()
}

/// At most how many two-way tables of other questions [`settle_pairs`] weighs one by one for a
/// pair still pinned once no table of its own questions is left (each step is one more audit
/// of the pair); with more, all of them are withheld.
const FEW_LEFT: usize = 24;

/// Withholds (takes out of `now`) the two-way table whose margins push the hidden counts of the
/// side `narrow` is about up the most; both sides are weighed when it could be either.
fn take_tightest(
    (a, b): (&Side<'_>, &Side<'_>),
    narrow: Option<&Narrow>,
    now: &mut BTreeMap<usize, EarlierTable>,
    t: u64,
) -> Option<usize> {
    let (in_a, in_b) = match narrow {
        Some(Narrow::A(_)) => (true, false),
        Some(Narrow::B(_)) => (false, true),
        Some(Narrow::Earlier(positions) | Narrow::Merged(positions)) => {
            joint::sides_of(a.raw.cells().len(), b.raw.cells().len(), positions)
        }
        _ => (true, true),
    };
    let mut best: Option<(f64, usize)> = None;
    for (weighed, side) in [(in_a, a), (in_b, b)] {
        if !weighed {
            continue;
        }
        let of_this: Vec<(usize, &EarlierTable)> = now
            .iter()
            .filter(|(_, x)| x.variables.iter().any(|v| v == side.raw.id()))
            .map(|(&j, x)| (j, x))
            .collect();
        if let Some((position, v)) = tightest(of_this.iter().map(|(_, x)| *x), side, t) {
            if best.is_none_or(|(b, _)| v > b) {
                best = Some((v, of_this[position].0));
            }
        }
    }
    let (_, j) = best?;
    now.remove(&j);
    Some(j)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_other_tables_the_pair_cannot_pass_with_are_taken() {
        // The pair passes unless table 2 or table 3 is kept.
        let passes = |kept: &[usize]| !kept.contains(&2) && !kept.contains(&3);
        assert_eq!(others_to_take(&[1, 2, 3, 4], passes), vec![2, 3]);
        assert_eq!(
            others_to_take(&[5], |kept: &[usize]| kept.is_empty()),
            vec![5]
        );
        let many: Vec<usize> = (0..=FEW_LEFT).collect();
        assert_eq!(
            others_to_take(&many, |_: &[usize]| true),
            many,
            "more than FEW_LEFT: all"
        );
    }

    #[test]
    fn only_tables_of_the_pair_s_questions_besides_its_own_are_weighed_alone() {
        let table = |a: &str, b: &str| EarlierTable {
            variables: vec![a.into(), b.into()],
            rows: Vec::new(),
            columns: Vec::new(),
            cells: Vec::new(),
            threshold: 10,
        };
        let now: BTreeMap<usize, EarlierTable> = [
            (0, table("site", "used")),
            (1, table("age", "site")),
            (2, table("used", "naloxone")),
            (3, table("site", "naloxone")),
            (4, table("age", "gender")),
            (5, table("gender", "naloxone")),
        ]
        .into();
        // Every table pins the number alone, were it weighed: only 1, 2 and 3 may be.
        assert_eq!(
            pinning_alone(&now, 0, ("site", "used"), |_| true),
            vec![1, 2, 3]
        );
        let pins = |x: &EarlierTable| x.variables.iter().any(|v| v == "naloxone");
        assert_eq!(pinning_alone(&now, 0, ("site", "used"), pins), vec![2, 3]);
        assert!(pinning_alone(&now, 0, ("site", "used"), |_| false).is_empty());
    }
}
