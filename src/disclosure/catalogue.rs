//! A whole release: one-way tables first, then every two-way table against the one-way tables
//! it shares margins with, all audited with every earlier release of the survey.

use std::collections::{BTreeSet, HashMap, VecDeque};

use crate::tally::{parallel_map, threads, Catalogue, RawTable};

use super::earlier::EarlierRelease;
use super::family::settle_families;
use super::follow_ups::{follow_ups, pinning_follow_ups, told_elsewhere};
use super::grouping::Grouping;
use super::joint::{self, Narrow, Pair};
use super::margins::{settle_margins, settle_pairs};
use super::protect::{
    protect_forcing, protect_sparing, Refusal, Released, Withheld, FOLLOWS_A_SMALL_COUNT,
};
use super::two_way::{protect_two_way, OneWay};

/// Protects every table of a catalogue, in catalogue order, on a few threads.
///
/// One-way tables are protected on their own (a one-way count is hidden only to protect a count
/// of its own table), with the audit assuming the reader has every `earlier` release. A two-way
/// table is then redesigned, has inner cells hidden, or is withheld, so that no hidden number —
/// its own, or one of its one-way tables', now or in an earlier release — can be bounded
/// narrower than the threshold by the three tables and the earlier releases together.
///
/// With earlier releases, the two-way tables are first protected against the one-way tables as
/// they stand before [`settle`]. A pair whose two-way table passes that audit needs nothing from
/// `settle`: its audit there is the same system without today's two-way numbers, so whatever
/// the fuller one proved wide stays wide. And a two-way table whose one-way tables `settle` and
/// the family audit leave as they were keeps that answer, which is the one it would get again.
///
/// Last, the margins of all the release's two-way tables are read together, one-way table by
/// one-way table and pair by pair (`margins.rs`), and two-way tables are withheld until no
/// hidden number can be pinned by them.
pub fn protect_catalogue(
    catalogue: &Catalogue,
    threshold: u32,
    earlier: &[EarlierRelease],
) -> Vec<Released> {
    protect_in_order(catalogue, threshold, earlier, true)
}

/// [`protect_catalogue`]; with `two_way_first` off, `settle` audits every pair and every
/// two-way table is protected after it, the plain order the shortcut must agree with.
pub(super) fn protect_in_order(
    catalogue: &Catalogue,
    threshold: u32,
    earlier: &[EarlierRelease],
    two_way_first: bool,
) -> Vec<Released> {
    // Follow-ups whose totals give away a small count of a table withheld are left out, and
    // the release made again (`follow_ups.rs`); each round leaves out more, so this ends.
    let mut left_out: BTreeSet<String> = BTreeSet::new();
    // Which tables are follow-ups depends on the answers alone: worked out once, not per round.
    let follow_ups = follow_ups(catalogue);
    loop {
        let released = protect_once(
            catalogue,
            threshold,
            earlier,
            two_way_first,
            (&left_out, &follow_ups),
        );
        let more: Vec<String> = pinning_follow_ups(catalogue, &released, earlier, threshold)
            .into_iter()
            .filter(|id| !left_out.contains(id))
            .collect();
        if more.is_empty() {
            return released;
        }
        left_out.extend(more);
    }
}

/// Why a follow-up is left out by [`protect_in_order`].
fn follows_a_small_count() -> Refusal {
    Refusal::AuditFailed {
        entry: FOLLOWS_A_SMALL_COUNT.into(),
    }
}

/// One making of the release, with the one-way tables `left_out` withheld from the start (and
/// with them every breakdown of their questions); `follow_ups` are the tables whose people
/// are exactly some answers of another question (`follow_ups::follow_ups`).
fn protect_once(
    catalogue: &Catalogue,
    threshold: u32,
    earlier: &[EarlierRelease],
    two_way_first: bool,
    (left_out, follow_ups): (&BTreeSet<String>, &BTreeSet<String>),
) -> Vec<Released> {
    let tables = &catalogue.tables;
    let one_way: Vec<usize> = (0..tables.len())
        .filter(|&i| tables[i].columns().is_none())
        .collect();
    let two_way: Vec<usize> = (0..tables.len())
        .filter(|&i| tables[i].columns().is_some())
        .collect();
    let told = told_elsewhere(catalogue, left_out);
    let mut first = parallel_map(&one_way, threads(), |&i| {
        if left_out.contains(tables[i].id()) {
            return withhold(&tables[i], follows_a_small_count());
        }
        match protect_sparing(&tables[i], threshold, earlier, &[], &told[i]) {
            Ok(t) => Released::Shown(t),
            // "Too few people" is chosen from the true count: said of a follow-up, it would
            // tell which hidden count of the question it follows is the small one. A
            // follow-up is withheld for the same words either way (`follow_ups.rs`).
            Err(Refusal::TooFewPeople) if follow_ups.contains(tables[i].id()) => {
                withhold(&tables[i], follows_a_small_count())
            }
            Err(reason) => withhold(&tables[i], reason),
        }
    });
    let before = first.clone();
    let mut early: HashMap<usize, Released> = HashMap::new();
    let mut found: HashMap<usize, joint::Memory> = HashMap::new();
    if !earlier.is_empty() {
        if two_way_first {
            let second =
                protect_two_ways(catalogue, &one_way, &two_way, &first, threshold, earlier);
            for (i, (released, memory)) in two_way.iter().copied().zip(second) {
                early.insert(i, released);
                found.insert(i, memory);
            }
        }
        let passed = |i: usize| early.get(&i).is_some_and(|r| r.shown().is_some());
        settle(catalogue, &one_way, &mut first, threshold, earlier, &passed);
    }
    let families = |first: &mut [Released]| {
        let links = (&catalogue.within[..], &catalogue.choices[..]);
        settle_families(tables, links, &one_way, first, threshold, earlier);
    };
    families(&mut first);
    let changed: HashMap<&str, bool> = one_way
        .iter()
        .zip(before.iter().zip(&first))
        .map(|(&i, (was, now))| (tables[i].id(), was != now))
        .collect();
    let unchanged = |i: usize| {
        let table = &tables[i];
        let same = |v: &str| changed.get(v).is_some_and(|c| !c);
        same(&table.rows().variable) && table.columns().is_some_and(|c| same(&c.variable))
    };
    let redo: Vec<usize> = two_way
        .iter()
        .copied()
        .filter(|&i| !(early.contains_key(&i) && unchanged(i)))
        .collect();
    let second = protect_two_ways(catalogue, &one_way, &redo, &first, threshold, earlier);
    for (i, (released, memory)) in redo.into_iter().zip(second) {
        early.insert(i, released);
        found.insert(i, memory);
    }
    settle_margins(tables, &one_way, &first, &mut early, threshold, earlier);
    let before_pairs = first.clone();
    let two_way_now = (&mut early, &found);
    settle_pairs(
        catalogue,
        &one_way,
        &mut first,
        two_way_now,
        threshold,
        earlier,
    );
    if first != before_pairs {
        // A pair's one-way table hid more (`margins::settle_pairs`): the families of option
        // tables are audited again with it, and a table that changes then has every breakdown
        // of its question withheld, since their designs were chosen around what it hid.
        let mended = first.clone();
        families(&mut first);
        for (k, (was, now)) in mended.iter().zip(&first).enumerate() {
            if was == now {
                continue;
            }
            let variable = &tables[one_way[k]].rows().variable;
            for (&i, released) in early.iter_mut() {
                let t = &tables[i];
                let of_it = &t.rows().variable == variable
                    || t.columns().is_some_and(|c| &c.variable == variable);
                if of_it && released.shown().is_some() {
                    *released = withhold(t, Refusal::TooFewForBreakdown);
                }
            }
        }
    }
    let mut out: Vec<Option<Released>> = vec![None; tables.len()];
    for (&i, released) in one_way.iter().zip(first) {
        // Nothing above shows a table left out again; said once more, for certain.
        out[i] = Some(if left_out.contains(tables[i].id()) {
            withhold(&tables[i], follows_a_small_count())
        } else {
            released
        });
    }
    for (i, released) in early {
        out[i] = Some(released);
    }
    out.into_iter().flatten().collect()
}

/// The two-way tables `which` protected against the one-way tables as `first` shows them, each
/// with what its audit found (see `margins::settle_pairs`).
fn protect_two_ways(
    catalogue: &Catalogue,
    one_way: &[usize],
    which: &[usize],
    first: &[Released],
    threshold: u32,
    earlier: &[EarlierRelease],
) -> Vec<(Released, joint::Memory)> {
    let tables = &catalogue.tables;
    let by_variable: HashMap<&str, (usize, usize)> = one_way
        .iter()
        .enumerate()
        .map(|(k, &i)| (tables[i].id(), (i, k)))
        .collect();
    let lookup = |variable: &str| -> Option<OneWay<'_>> {
        let &(i, k) = by_variable.get(variable)?;
        Some(OneWay {
            raw: &tables[i],
            shown: first.get(k).and_then(Released::shown),
        })
    };
    parallel_map(which, threads(), |&i| {
        let table = &tables[i];
        let a = lookup(&table.rows().variable);
        let b = table.columns().and_then(|c| lookup(&c.variable));
        let result = match (a, b) {
            (Some(a), Some(b)) => {
                let linked = catalogue.linked.contains(table.id());
                protect_two_way(table, threshold, (&a, &b), earlier, linked)
            }
            _ => Err(super::Refusal::TooFewForBreakdown),
        };
        match result {
            Ok((t, memory)) => (Released::Shown(t), memory),
            Err(reason) => (withhold(table, reason), joint::Memory::default()),
        }
    })
}

/// What a one-way table shows now, in layout order (`None` where hidden); empty when it is
/// withheld (then it adds nothing to what the attacker knows).
pub(super) fn shown_values(released: &Released) -> Vec<Option<u64>> {
    released
        .shown()
        .map(|p| p.entries().map(|c| c.count).collect())
        .unwrap_or_default()
}

/// What the joint audit of a pair without its two-way table asks of the one-way tables.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Fix {
    /// Hide this cell of the pair's first (`true`) or second one-way table.
    Hide(bool, usize),
    /// Withhold the pair's first (`true`) or second one-way table, for this reason.
    Withhold(bool, Why),
}

/// Why a one-way table is withheld when no count of it can be hidden instead: the reason an
/// organiser reads beside the table's title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Why {
    /// A count this release's table hides, bounded by the tables of the other question of the
    /// pair (a question asked only for some of its answers, say).
    Pinned,
    /// A number an earlier release hid.
    Earlier,
    /// The pair's audit could not be solved.
    Unsolved,
}

impl Why {
    fn refusal(self) -> Refusal {
        match self {
            Why::Pinned => Refusal::AuditFailed {
                entry: "the counts it hides from another question's tables".into(),
            },
            Why::Earlier => Refusal::AuditFailed {
                entry: "a number of an earlier release".into(),
            },
            Why::Unsolved => Refusal::AuditUnsolved {
                detail: "against another question's tables".into(),
            },
        }
    }
}

impl Fix {
    /// Which table (the pair's first: `true`), and the cell to hide (or why it is withheld).
    pub(super) fn parts(self) -> (bool, Result<usize, Why>) {
        match self {
            Fix::Hide(side, cell) => (side, Ok(cell)),
            Fix::Withhold(side, why) => (side, Err(why)),
        }
    }
}

/// One-way table `table` with a [`Fix`] applied: `cell` added to the cells forced hidden
/// (`forced`, which gains it) and the table protected again; or withheld, for the reason given.
pub(super) fn apply_fix(
    table: &RawTable,
    cell: Result<usize, Why>,
    forced: &mut [bool],
    threshold: u32,
    earlier: &[EarlierRelease],
) -> Released {
    let cell = match cell {
        Ok(cell) => cell,
        Err(why) => return withhold(table, why.refusal()),
    };
    forced[cell] = true;
    match protect_forcing(table, threshold, earlier, forced) {
        Ok(shown) => Released::Shown(shown),
        Err(reason) => withhold(table, reason),
    }
}

/// One-way tables against earlier releases of every pair they belong to.
///
/// An earlier release may have shown a two-way table that the one-way tables of this release
/// pin down together with it: a count hidden then (or now) is bounded by the earlier table's
/// cells, by today's published counts within the noise, and by counts only growing. For every
/// pair whose two-way table an earlier release showed, the two one-way tables of this release
/// are audited jointly with every earlier release of the three tables — unless `passed` says
/// today's two-way table already passed an audit of that system with its own numbers added (see
/// [`protect_catalogue`]); a pair whose one-way tables change here is audited again either way,
/// and its two-way table protected again afterwards. While a hidden number is too narrowly
/// bounded, one more count of this release's one-way tables is hidden — the one that counts
/// most of the same people — or, failing that, the table is withheld. Hiding only loosens the
/// attacker's constraints, so this ends.
fn settle(
    catalogue: &Catalogue,
    one_way: &[usize],
    first: &mut [Released],
    threshold: u32,
    earlier: &[EarlierRelease],
    passed: &(dyn Fn(usize) -> bool + Sync),
) {
    let tables = &catalogue.tables;
    let t = u64::from(threshold);
    // A pair a rule ties is audited even with its breakdown never shown: the form tells every
    // reader which of its groups nobody is in (`FOUND_SHOWN_FOR_ONE_WAY` in
    // `survey_proptests.rs`).
    let pairs = pairs_of(tables, one_way, |i, a, b| {
        shown_before(earlier, a, b) || catalogue.linked.contains(tables[i].id())
    });
    let mut forced: Vec<Vec<bool>> = one_way
        .iter()
        .map(|&i| vec![false; tables[i].cells().len() + 1])
        .collect();
    let audit = |p: usize, first: &[Released]| {
        let (i, ka, kb) = pairs[p];
        let (a, b) = (&tables[one_way[ka]], &tables[one_way[kb]]);
        let (a_shown, b_shown) = (shown_values(&first[ka]), shown_values(&first[kb]));
        let identity = |n: usize| Grouping::identity(n);
        let (rows, columns) = (identity(a.cells().len()), identity(b.cells().len()));
        let pair = Pair {
            a,
            b,
            two: &tables[i],
            a_shown: &a_shown,
            b_shown: &b_shown,
            rows: &rows,
            columns: &columns,
            two_shown: None,
            margins_now: None,
            one_way_now: &[],
            linked: catalogue.linked.contains(tables[i].id()),
            counts: Some(catalogue),
        };
        match joint::both(&pair, earlier, t, &mut joint::Memory::default()) {
            Ok(None) => None,
            Ok(Some(narrow)) => Some(fixes(&narrow, a, b, &a_shown, &b_shown)),
            Err(_) => Some(vec![Fix::Withhold(!a_shown.is_empty(), Why::Unsolved)]),
        }
    };
    // Every pair audited once against the one-way tables as they are, on a few threads (the
    // audits are independent); below, in order, a pair whose tables have not changed since
    // uses that answer, which is the one it would get now.
    let indices: Vec<usize> = (0..pairs.len()).collect();
    let mut initial: Vec<Option<Option<Vec<Fix>>>> = parallel_map(&indices, threads(), |&p| {
        // Its two-way table passed an audit of this system with today's two-way numbers
        // added (see `protect_catalogue`): nothing here can be narrower.
        Some(if passed(pairs[p].0) {
            None
        } else {
            audit(p, first)
        })
    });
    let mut changed = vec![false; one_way.len()];
    let mut queue: VecDeque<usize> = (0..pairs.len()).collect();
    let mut queued = vec![true; pairs.len()];
    while let Some(p) = queue.pop_front() {
        queued[p] = false;
        let (_, ka, kb) = pairs[p];
        let fix = match initial[p].take() {
            Some(fix) if !changed[ka] && !changed[kb] => fix,
            _ => audit(p, first),
        };
        // Nothing left to hide or withhold in this pair: what it shows is only earlier
        // releases, which their own audits cleared.
        let Some(fixes) = fix else { continue };
        let sides = [ka, kb].map(|k| Some((&tables[one_way[k]], forced[k].as_slice())));
        let Some((side, now_forced, released)) = apply_first(&fixes, sides, threshold, earlier)
        else {
            continue;
        };
        let k = if side { ka } else { kb };
        changed[k] = true;
        forced[k] = now_forced;
        first[k] = released;
        for (q, &(_, x, y)) in pairs.iter().enumerate() {
            if (x == k || y == k) && !queued[q] {
                queued[q] = true;
                queue.push_back(q);
            }
        }
    }
}

/// Whether an earlier release showed the two-way table of `a` and `b`.
pub(super) fn shown_before(earlier: &[EarlierRelease], a: &str, b: &str) -> bool {
    earlier
        .iter()
        .flat_map(EarlierRelease::iter)
        .any(|x| x.is_two_way_of(a, b))
}

/// The two-way tables of `tables` that `keep` (given the table's index and its two questions)
/// asks for, each with its questions' positions among `one_way`, in catalogue order.
pub(super) fn pairs_of(
    tables: &[RawTable],
    one_way: &[usize],
    keep: impl Fn(usize, &str, &str) -> bool,
) -> Vec<(usize, usize, usize)> {
    let position: HashMap<&str, usize> = one_way
        .iter()
        .enumerate()
        .map(|(k, &i)| (tables[i].id(), k))
        .collect();
    tables
        .iter()
        .enumerate()
        .filter_map(|(i, table)| {
            let (a, b) = (&table.rows().variable, &table.columns()?.variable);
            let ka = *position.get(a.as_str())?;
            let kb = *position.get(b.as_str())?;
            keep(i, a, b).then_some((i, ka, kb))
        })
        .collect()
}

pub(super) fn withhold(table: &RawTable, reason: Refusal) -> Released {
    Released::Withheld(Withheld {
        id: table.id().to_owned(),
        rows: table.rows().clone(),
        columns: table.columns().cloned(),
        reason,
    })
}

/// Which counts of the pair's one-way tables to hide next for a number found too narrow, best
/// first (see [`apply_first`]), ending with the table to withhold if none of them will do.
pub(super) fn fixes(
    narrow: &Narrow,
    a: &RawTable,
    b: &RawTable,
    a_shown: &[Option<u64>],
    b_shown: &[Option<u64>],
) -> Vec<Fix> {
    use std::cmp::Reverse;
    let (na, nb) = (a.cells().len(), b.cells().len());
    // Published cells (not totals) of either table, by side and position. A published zero
    // counts nobody: hiding it loosens nothing about anyone's answers, and its own audit then
    // fails (it was shown as zero before).
    let open = |side: bool| {
        let (shown, n) = if side { (a_shown, na) } else { (b_shown, nb) };
        (0..n.min(shown.len()))
            .filter_map(move |c| shown[c].filter(|&v| v > 0).map(|v| (side, c, v)))
            .collect::<Vec<_>>()
    };
    let withhold_one = |why: Why| {
        if !a_shown.is_empty() {
            Some(Fix::Withhold(true, why))
        } else if !b_shown.is_empty() {
            Some(Fix::Withhold(false, why))
        } else {
            None
        }
    };
    // One side's published counts, smallest first.
    let by_size = |side: bool| {
        let mut cells = open(side);
        cells.sort_by_key(|&(_, c, v)| (v, c));
        cells.into_iter().map(|(s, c, _)| Fix::Hide(s, c))
    };
    let mut out: Vec<Fix> = Vec::new();
    match narrow {
        // A count of this release's own table: one more of its cells, the smallest.
        Narrow::A(_) => {
            out.extend(by_size(true));
            out.push(Fix::Withhold(true, Why::Pinned));
        }
        Narrow::B(_) => {
            out.extend(by_size(false));
            out.push(Fix::Withhold(false, Why::Pinned));
        }
        // A count of an earlier release. When it is a count of one of the two one-way tables,
        // first another count of that same table, which loosens what its total says of the
        // hidden ones: every pair of that question finds the same number, and would otherwise
        // each hide a count of its other question. Then the published cell of this release
        // counting most of the same people (then the smallest); then the smallest published
        // cell of a table that counts them, which loosens what its total says of its hidden
        // cells.
        Narrow::Earlier(positions) => {
            let (in_a, in_b) = joint::sides_of(na, nb, positions);
            if in_a != in_b {
                out.extend(by_size(in_a));
            }
            let overlap = |side: bool, c: usize| {
                joint::one_way_positions(na, nb, side, c)
                    .iter()
                    .filter(|x| positions.binary_search(x).is_ok())
                    .count()
            };
            let mut overlapping: Vec<(usize, bool, usize, u64)> = (open(true).into_iter())
                .chain(open(false))
                .map(|(s, c, v)| (overlap(s, c), s, c, v))
                .filter(|x| x.0 > 0)
                .collect();
            overlapping.sort_by_key(|&(o, s, c, v)| (Reverse(o), v, Reverse(s), c));
            out.extend(overlapping.into_iter().map(|(_, s, c, _)| Fix::Hide(s, c)));
            let mut counting: Vec<(bool, usize, u64)> = if in_a { open(true) } else { Vec::new() };
            if in_b {
                counting.extend(open(false));
            }
            counting.sort_by_key(|&(s, c, v)| (v, !s, c));
            out.extend(counting.into_iter().map(|(s, c, _)| Fix::Hide(s, c)));
            out.extend(withhold_one(Why::Earlier));
        }
        Narrow::Current(_) | Narrow::Merged(_) => out.extend(withhold_one(Why::Pinned)),
        Narrow::Linked(_) => out.extend(withhold_one(Why::Earlier)),
    }
    let mut seen = Vec::new();
    out.retain(|fix| {
        let new = !seen.contains(fix);
        seen.push(*fix);
        new
    });
    out
}

/// Applies the first of `fixes` that leaves its one-way table shown once protected again, or
/// else the last of them: hiding one more count of a table an earlier release showed can fail
/// that table's own audit (a count published then cannot always be hidden wide now), and
/// withholding the whole table for it would cost every count another one could keep. `sides`:
/// the pair's two tables, each with the cells it has forced hidden so far, `None` for a table
/// not shown (which no fix touches). Returns the side changed, its cells forced hidden now, and
/// the table as released.
pub(super) fn apply_first(
    fixes: &[Fix],
    sides: [Option<(&RawTable, &[bool])>; 2],
    threshold: u32,
    earlier: &[EarlierRelease],
) -> Option<(bool, Vec<bool>, Released)> {
    let mut last = None;
    for fix in fixes {
        let (side, cell) = fix.parts();
        let Some((table, forced)) = sides[usize::from(!side)] else {
            continue;
        };
        let mut forced = forced.to_vec();
        let released = apply_fix(table, cell, &mut forced, threshold, earlier);
        let shown = released.shown().is_some();
        last = Some((side, forced, released));
        if shown {
            break;
        }
    }
    last
}
