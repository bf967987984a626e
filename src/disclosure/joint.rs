//! The joint audit's systems: a one-way table with its earlier releases, and a two-way table
//! with the one-way tables that share its margins and the earlier releases of all three.
//!
//! Atoms for a pair of variables A (rows) and B (columns), per release: who gave each pair of
//! answers (a, b), who answered A but not B, who answered B but not A, and everyone else the
//! release counted (in no table of the pair, but in its number of responses, which a reader is
//! assumed to know: `RawTable::responses`). A one-way count of
//! A is its pair atoms plus its "A only" atom; a two-way cell, row or column total is a sum of
//! pair atoms. A question shown only to some (a filter) shows up as atoms nobody is in; the
//! attacker is assumed to know every atom that is empty, so the total of a filtered question
//! is tied to the filter question's counts.

use crate::tally::{Catalogue, RawTable};

use super::earlier::{margins_of, positions, EarlierRelease, EarlierTable};
use super::grouping::Grouping;
use super::protect::Shown;
use super::system::{parts, parts_among, Sum, System, Witnesses};
use super::told::{reach, tied, told, Told};
use std::collections::{BTreeMap, BTreeSet};

/// How many earlier releases of a pair make its second audit move the first audit's points
/// rather than drop those that miss the release's other margins (see `Witnesses`).
const MOVE_FROM_EARLIER: usize = 3;

/// How many other questions may share a table with a pair for its earlier numbers to be audited
/// once more per question, split by who answered it (see `Thirds`).
const MAX_THIRDS: usize = 10;

/// For a pair sharing tables with more than [`MAX_THIRDS`] other questions, how much wider than
/// T its audit keeps every number an earlier release hid. The split audits would have followed
/// each third question's people apart; without them an attacker combining three questions'
/// tables over several releases took up to 2 off such a number (docs/releases.md, "A margin
/// where the split audits do not run"). One adjustment's worth: a margin measured to cover
/// that, not a proof.
const UNMODELLED_THIRDS_MARGIN: u64 = 2;

/// Which hidden number an audit found too narrowly bounded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Narrow {
    /// An entry of the table being protected now.
    Current(usize),
    /// An entry (cells, then the total) of the pair's first one-way table in this release.
    A(usize),
    /// An entry of the pair's second one-way table in this release.
    B(usize),
    /// A number of an earlier release of the pair's tables, as the atoms of this release that
    /// hold the same people (positions within one release's atoms).
    Earlier(Vec<usize>),
    /// A number of an earlier release of a one-way table, by the positions of the categories
    /// it counts (all of them for its total).
    Linked(Vec<usize>),
    /// A cell of the table being protected now that its design merges into a larger line,
    /// by its position among one release's atoms (see [`current_merged_away`]).
    Merged(Vec<usize>),
}

/// A one-way table's category ids, in order.
pub(super) fn ids(table: &RawTable) -> Vec<String> {
    table
        .rows()
        .categories
        .iter()
        .map(|c| c.id.clone())
        .collect()
}

/// One entry of a table as a sum, what was published for it, and how to name it if it is
/// found too narrow.
#[derive(Clone)]
pub(super) struct Entry<O = Narrow> {
    pub(super) sum: Sum,
    pub(super) published: Option<Shown>,
    pub(super) origin: O,
}

/// What the reader knew before this release: the system of the earlier releases alone, and how
/// many of the entries (the first ones) are theirs.
#[derive(Clone)]
pub(super) struct Before {
    pub(super) system: System,
    pub(super) entries: usize,
    /// How much wider than T their hidden numbers must stay in this audit: 0, or
    /// [`UNMODELLED_THIRDS_MARGIN`] for a pair whose third questions are too many to split by.
    pub(super) margin: u64,
}

/// Puts what `entries` publish into `system`; returns each hidden one (its sum, its origin,
/// its position among `entries`).
fn publish<O>(system: &mut System, entries: Vec<Entry<O>>) -> Vec<(Sum, O, usize)> {
    let mut hidden = Vec::new();
    for (k, e) in entries.into_iter().enumerate() {
        match e.published {
            Some(p) => publish_shown(system, e.sum, p),
            None => hidden.push((e.sum, e.origin, k)),
        }
    }
    hidden
}

/// Puts one shown number into `system`. A published 0 is a true 0 (zeros stay zero, and a count
/// from 1 to T − 1 is never shown): nobody is in any of its atoms.
fn publish_shown(system: &mut System, sum: Sum, shown: Shown) {
    if shown.value == 0 {
        for &atom in &sum {
            system.empty(atom);
        }
    }
    system.publish(sum, shown);
}

/// Audits the hidden entries. With `skip_known_zeros` (a pair tied by the form, whose audit
/// takes every pair of answers nobody gave as known), a hidden number made only of such empty
/// groups is not asked to be wide: that model already hands it to the reader as 0, and it is
/// hidden only so that tables sharing a question cannot combine it with theirs.
///
/// With `before`, a number of an earlier release that the earlier releases alone already bound
/// narrower than `t` (published before this audit knew what it knows now, or by a build that
/// knew less) is asked only to stay as wide as it was: nothing this release could hide would
/// widen it again, and withholding for it would only take this release away from everyone.
///
/// Only the hidden entries that `asks` picks are asked to be wide; the others stay hidden
/// (unknowns of the system) but are not audited.
pub(super) fn run<O: Clone>(
    system: &mut System,
    entries: Vec<Entry<O>>,
    t: u64,
    memory: &mut Witnesses,
    skip_known_zeros: bool,
    before: Option<Before>,
    asks: impl Fn(&O) -> bool,
) -> Result<Option<O>, String> {
    let earlier_entries = before.as_ref().map_or(0, |b| b.entries);
    // What the earlier releases published, kept for the system of them alone (built only if
    // one of their numbers is asked about).
    let mut theirs: Vec<Entry<()>> = entries[..earlier_entries.min(entries.len())]
        .iter()
        .map(|e| Entry {
            sum: e.sum.clone(),
            published: e.published,
            origin: (),
        })
        .collect();
    let mut hidden = publish(system, entries);
    hidden.retain(|(_, origin, _)| asks(origin));
    if skip_known_zeros {
        let empty = system.certainly_empty();
        let known_zero = |sum: &Sum| sum.iter().all(|&a| empty.get(a).copied().unwrap_or(false));
        hidden.retain(|(sum, _, _)| !known_zero(sum));
    }
    if hidden.is_empty() {
        return Ok(None);
    }
    let targets: Vec<Sum> = hidden.iter().map(|(sum, _, _)| sum.clone()).collect();
    let margin = before.as_ref().map_or(0, |b| b.margin);
    let asked: Vec<f64> = hidden
        .iter()
        .map(|(_, _, k)| (if *k < earlier_entries { t + margin } else { t }) as f64)
        .collect();
    let mut needs = asked.clone();
    // The earlier releases alone, and what they leave of each number (see `widths.rs`).
    let asks_earlier = hidden.iter().any(|(_, _, k)| *k < earlier_entries);
    let known_before: Option<System> = before.as_ref().filter(|_| asks_earlier).map(|before| {
        let mut system = before.system.clone();
        publish(&mut system, std::mem::take(&mut theirs));
        system
    });
    let earlier = known_before.as_ref().map(System::remembered);
    // A number of an earlier release already known to be narrower than asked there is asked
    // only to stay as wide, from the start: the loop below would come to the same.
    if let Some(earlier) = &earlier {
        for (i, (sum, _, k)) in hidden.iter().enumerate() {
            if *k < earlier_entries {
                if let Some(Some(w)) = earlier.recalled(sum) {
                    if w < asked[i] {
                        needs[i] = w;
                    }
                }
            }
        }
    }
    loop {
        let Some(i) = system.narrowest_needing(&targets, &needs, memory)? else {
            return Ok(None);
        };
        let (sum, origin, k) = &hidden[i];
        let Some(earlier) = earlier
            .as_ref()
            .filter(|_| *k < earlier_entries && needs[i] == asked[i])
        else {
            return Ok(Some(origin.clone()));
        };
        match earlier.width(sum)? {
            Some(w) if w < asked[i] => needs[i] = w,
            _ => return Ok(Some(origin.clone())),
        }
    }
}

/// Every other two-way table of an earlier `release` that has `variable` (and not `besides`):
/// the people each of its margins counts answered `variable` too, so the one-way count of the
/// same categories (`sum` of their positions among `ids`) is at least that margin.
fn bound_by_margins(
    system: &mut System,
    release: &[EarlierTable],
    variable: &str,
    besides: Option<&str>,
    ids: &[String],
    sum: impl Fn(&[usize]) -> Sum,
) {
    for (line, published) in margins_of(release, variable, besides) {
        let all = || Some((0..ids.len()).collect());
        if let Some(pos) = line.map_or_else(all, |l| positions(l, ids)) {
            system.at_least(sum(&pos), published);
        }
    }
}

/// A variable, with its categories' ids.
type Question<'q> = (&'q str, &'q [String]);

/// The margins of `release`'s two-way tables of `b` with a question a rule ties to `a` (`a` and
/// `b` each a variable with its categories' ids): everyone such a margin counts gave `a` one of
/// the answers the form leaves them ([`reach`]), so it is a lower bound on those answers' people
/// within the margin's line of `b` — `sum` of (`a`'s positions, whether those who skipped `a`
/// count, `b`'s positions). Found needed where a question shown only to some was broken down by
/// a third question (`FOUND_SHOWN_FOR` in `survey_proptests.rs`).
fn bound_by_tied_margins(
    system: &mut System,
    release: &[EarlierTable],
    counts: &Catalogue,
    ((a, a_ids), (b, b_ids)): (Question<'_>, Question<'_>),
    sum: impl Fn(&[usize], bool, &[usize]) -> Sum,
) {
    for x in release {
        let Some(other) = x.variables.iter().find(|v| *v != a && *v != b) else {
            continue;
        };
        let Some(x) = x.two_way(b, other) else {
            continue;
        };
        let Some((answers, skipped)) = reach(counts, other, (a, a_ids)) else {
            continue;
        };
        let width = x.columns.len();
        for (r, line) in x.rows.iter().enumerate() {
            let margin = x
                .cells
                .get(r)
                .and_then(|row| row.get(width).copied().flatten());
            if let (Some(pos), Some(margin)) = (positions(line, b_ids), margin) {
                system.at_least(sum(&answers, skipped, &pos), x.shown(margin));
            }
        }
    }
}

/// Whether `release` has a table [`bound_by_tied_margins`] reads for the pair of `a` and `b`,
/// either way round (each a variable with its categories' ids).
pub(super) fn has_tied_margins(
    release: &[EarlierTable],
    counts: &Catalogue,
    (a, b): (Question<'_>, Question<'_>),
) -> bool {
    let reads = |(a, a_ids): Question<'_>, b: &str| {
        release.iter().any(|x| {
            x.variables.iter().any(|v| v == b)
                && x.variables
                    .iter()
                    .find(|v| *v != a && *v != b)
                    .is_some_and(|other| reach(counts, other, (a, a_ids)).is_some())
        })
    };
    reads(a, b.0) || reads(b, a.0)
}

/// What `release`'s other two-way tables tell of a pair's one-way counts, over its atoms of
/// that release: their margins as lower bounds ([`bound_by_margins`]), and those of tables of
/// questions a rule ties to the pair ([`bound_pair_by_tied_margins`]).
fn bound_pair_by_all_margins(
    system: &mut System,
    release: &[EarlierTable],
    counts: Option<&Catalogue>,
    ((a, a_ids), (b, b_ids)): (Question<'_>, Question<'_>),
    atoms: Atoms,
) {
    bound_by_margins(system, release, a, Some(b), a_ids, |pos| atoms.one_a(pos));
    bound_by_margins(system, release, b, Some(a), b_ids, |pos| atoms.one_b(pos));
    bound_pair_by_tied_margins(system, release, counts, ((a, a_ids), (b, b_ids)), atoms);
}

/// [`bound_by_tied_margins`] both ways round, over a pair's atoms of one release.
fn bound_pair_by_tied_margins(
    system: &mut System,
    release: &[EarlierTable],
    counts: Option<&Catalogue>,
    (a, b): (Question<'_>, Question<'_>),
    atoms: Atoms,
) {
    let Some(counts) = counts else {
        return;
    };
    bound_by_tied_margins(system, release, counts, (a, b), |rows, skipped, columns| {
        let mut s = atoms.pairs(rows, columns);
        if skipped {
            s.extend(columns.iter().map(|&c| atoms.b_only(c)));
        }
        s
    });
    bound_by_tied_margins(system, release, counts, (b, a), |columns, skipped, rows| {
        let mut s = atoms.pairs(rows, columns);
        if skipped {
            s.extend(rows.iter().map(|&r| atoms.a_only(r)));
        }
        s
    });
}

/// A one-way table (`published`, `hidden` in layout order: cells then total) audited with
/// the same table in every earlier release, and with the margins that this release's two-way
/// tables `shown_now` show of it (each a lower bound, as in an earlier release). Each release
/// has an atom per category and one for everyone else it counted: with its number of
/// responses known (`RawTable::responses`, `EarlierRelease::responses`), a hidden count is
/// also everyone less the rest.
pub(super) fn one_way(
    raw: &RawTable,
    (published, hidden): (&[u64], &[bool]),
    earlier: &[EarlierRelease],
    shown_now: &[EarlierTable],
    t: u64,
) -> Result<Option<Narrow>, String> {
    let n = raw.cells().len();
    let mut system = System::default();
    let mut entries = Vec::new();
    let current_ids = ids(raw);
    let mut previous: Option<usize> = None;
    for release in earlier {
        let Some(table) = release.iter().find(|x| x.is_one_way(raw.id())) else {
            continue;
        };
        let base = system.add_release(n + 1, &mut previous);
        if let Some(responses) = release.responses {
            system.exactly((base..=base + n).collect(), responses);
        }
        bound_by_margins(
            &mut system,
            &release.tables,
            raw.id(),
            None,
            &current_ids,
            |pos| pos.iter().map(|i| base + i).collect(),
        );
        for (r, line) in table.rows.iter().enumerate() {
            if let Some(pos) = positions(line, &current_ids) {
                entries.push(Entry {
                    sum: pos.iter().map(|i| base + i).collect(),
                    published: table
                        .cells
                        .get(r)
                        .and_then(|c| c.first().copied().flatten())
                        .map(|v| table.shown(v)),
                    origin: Narrow::Linked(pos.clone()),
                });
            }
        }
        if let Some(total) = table.cells.last().and_then(|c| c.first().copied()) {
            entries.push(Entry {
                sum: (base..base + n).collect(),
                published: total.map(|v| table.shown(v)),
                origin: Narrow::Linked((0..n).collect()),
            });
        }
    }
    let before = Before {
        system: system.clone(),
        entries: entries.len(),
        margin: 0,
    };
    let base = system.add_release(n + 1, &mut previous);
    if let Some(responses) = raw.responses() {
        if raw.total().count == responses {
            system.empty(base + n);
        }
        system.exactly((base..=base + n).collect(), responses);
    }
    bound_by_margins(
        &mut system,
        shown_now,
        raw.id(),
        None,
        &current_ids,
        |pos| pos.iter().map(|i| base + i).collect(),
    );
    for (i, cell) in raw.cells().iter().enumerate() {
        if cell.count == 0 {
            system.empty(base + i);
        }
        entries.push(Entry {
            sum: vec![base + i],
            published: (!hidden[i]).then_some(Shown::new(published[i], t)),
            origin: Narrow::Current(i),
        });
    }
    let all: Sum = (base..base + n).collect();
    entries.push(Entry {
        sum: all,
        published: (!hidden[n]).then_some(Shown::new(published[n], t)),
        origin: Narrow::Current(n),
    });
    run(
        &mut system,
        entries,
        t,
        &mut Witnesses::default(),
        false,
        Some(before),
        |_| true,
    )
}

/// What is published now for a pair: the two one-way tables and the (regrouped) two-way table,
/// each as published values with `None` where hidden, in layout order.
pub(super) struct Pair<'a> {
    pub(super) a: &'a RawTable,
    pub(super) b: &'a RawTable,
    /// The two-way table before any regrouping.
    pub(super) two: &'a RawTable,
    pub(super) a_shown: &'a [Option<u64>],
    pub(super) b_shown: &'a [Option<u64>],
    pub(super) rows: &'a Grouping,
    pub(super) columns: &'a Grouping,
    /// `None` when the two-way table is not shown now (the attacker has only the one-way
    /// tables of this release, with every earlier release).
    pub(super) two_shown: Option<&'a [Option<u64>]>,
    /// Two-way tables of this release whose margins bound the pair's one-way counts (those of
    /// other pairs); `None` while they are still being decided. Once they are (`Some`, even
    /// with none shown), the audit is also split by third questions (`Thirds`): what an
    /// earlier release showed of them still bounds its own hidden numbers, against this
    /// release's one-way tables.
    pub(super) margins_now: Option<&'a [EarlierTable]>,
    /// This release's one-way tables as they stand, of which the split audits (`Thirds`) read
    /// a third question's own: with the number of responses known, who answered neither of the
    /// pair is in the system too, and that table counts them by their answer. Empty while a
    /// breakdown's design is chosen.
    pub(super) one_way_now: &'a [EarlierTable],
    /// Whether a rule of the questionnaire ties the pair together. Then the attacker is assumed
    /// to know every pair of answers nobody gave (the form may rule them out); otherwise only
    /// those a published zero shows and those the form plainly rules out
    /// (`RawTable::is_ruled_out`). Other two-way zeros are hidden either way
    /// (`inner::primary`), and [`both`] audits a tied pair under each assumption.
    pub(super) linked: bool,
    /// This release's counts, from which the audits take what a rule of the questionnaire tells
    /// every reader of a third question tied to `a` or `b` (`told.rs`): its breakdowns' margins
    /// as bounds on the pair's cells, and the groups of the split audits (`Thirds`) nobody is
    /// in. `None` while a breakdown's design is chosen (`two_way.rs`): the audits of the
    /// release's breakdowns as they stand (`margins::settle_pairs`) have it.
    pub(super) counts: Option<&'a Catalogue>,
}

/// Atom positions for one release of a pair.
#[derive(Clone, Copy)]
struct Atoms {
    base: usize,
    na: usize,
    nb: usize,
}

impl Atoms {
    fn per_release(na: usize, nb: usize) -> usize {
        na * nb + na + nb + 1
    }

    /// Who the release counted but answered neither question.
    fn neither(&self) -> usize {
        self.base + self.na * self.nb + self.na + self.nb
    }

    /// Everyone the release counted.
    fn everyone(&self) -> Sum {
        (self.base..=self.neither()).collect()
    }

    fn pairs(&self, rows: &[usize], columns: &[usize]) -> Sum {
        rows.iter()
            .flat_map(|&a| columns.iter().map(move |&b| self.base + a * self.nb + b))
            .collect()
    }

    /// Who answered `a` with category `a` but not the pair's second question.
    fn a_only(&self, a: usize) -> usize {
        self.base + self.na * self.nb + a
    }

    /// Who answered the pair's second question with category `b` but not the first.
    fn b_only(&self, b: usize) -> usize {
        self.base + self.na * self.nb + self.na + b
    }

    fn one_a(&self, rows: &[usize]) -> Sum {
        let all_b: Vec<usize> = (0..self.nb).collect();
        let mut s = self.pairs(rows, &all_b);
        s.extend(rows.iter().map(|&a| self.a_only(a)));
        s
    }

    fn one_b(&self, columns: &[usize]) -> Sum {
        let all_a: Vec<usize> = (0..self.na).collect();
        let mut s = self.pairs(&all_a, columns);
        s.extend(columns.iter().map(|&b| self.b_only(b)));
        s
    }

    /// Marks the groups `told` says nobody is in, over atoms split in `n` parts
    /// ([`System::split_in`]): of the people of the pair's first question (`first`) or of its
    /// second.
    fn mark_told(&self, system: &mut System, told: &Told, first: bool, n: usize) {
        for &(category, part) in &told.answered {
            let atoms = if first {
                self.one_a(&[category])
            } else {
                self.one_b(&[category])
            };
            for atom in atoms {
                system.empty(n * atom + part);
            }
        }
        for &part in &told.unanswered {
            // Who did not answer this question: those who answered only the other.
            let others: Vec<usize> = if first {
                (0..self.nb).map(|b| self.b_only(b)).collect()
            } else {
                (0..self.na).map(|a| self.a_only(a)).collect()
            };
            for atom in others {
                system.empty(n * atom + part);
            }
        }
    }
}

/// The atoms (positions within one release) counted by category `cell` of the pair's first
/// one-way table (`first`) or of its second, as [`Narrow::Earlier`] names them.
pub(super) fn one_way_positions(na: usize, nb: usize, first: bool, cell: usize) -> Sum {
    let atoms = Atoms { base: 0, na, nb };
    let mut s = if first {
        atoms.one_a(&[cell])
    } else {
        atoms.one_b(&[cell])
    };
    s.sort_unstable();
    s
}

/// Which of the pair's one-way tables (first, second) a number at `positions` (atoms within one
/// release) is a count of: the one whose "answered only this question" atoms it holds, or both
/// for a number of the two-way table alone (it holds neither).
pub(super) fn sides_of(na: usize, nb: usize, positions: &[usize]) -> (bool, bool) {
    let pairs = na * nb;
    let a_only = pairs..pairs + na;
    let b_only = pairs + na..pairs + na + nb;
    match (
        positions.iter().any(|x| a_only.contains(x)),
        positions.iter().any(|x| b_only.contains(x)),
    ) {
        (false, false) => (true, true),
        sides => sides,
    }
}

/// One-way entries (cells, then the total) as sums, shown by a release with threshold
/// `threshold`; `origin` names entry `k`.
fn one_way_entries(
    (cells, threshold): (&[Option<u64>], u64),
    lines: &[Vec<usize>],
    sum: impl Fn(&[usize]) -> Sum,
    all: &[usize],
    origin: impl Fn(usize) -> Narrow,
    out: &mut Vec<Entry>,
) {
    for (k, (line, published)) in lines.iter().zip(cells).enumerate() {
        out.push(Entry {
            sum: sum(line),
            published: published.map(|v| Shown::new(v, threshold)),
            origin: origin(k),
        });
    }
    if let Some(total) = cells.get(lines.len()) {
        out.push(Entry {
            sum: sum(all),
            published: total.map(|v| Shown::new(v, threshold)),
            origin: origin(lines.len()),
        });
    }
}

/// An earlier release's one-way table `x` of one of the pair's questions (its `n` categories
/// now by `ids`; `sum` gives their atoms), as entries named by the atoms of the same people.
fn earlier_one_way_entries(
    x: &EarlierTable,
    (ids, n): (&[String], usize),
    sum: impl Fn(&[usize]) -> Sum,
    per: usize,
    out: &mut Vec<Entry>,
) {
    let Some(lines) = lines_of(&x.rows, ids) else {
        return;
    };
    let cells: Vec<Option<u64>> = x
        .cells
        .iter()
        .map(|r| r.first().copied().flatten())
        .collect();
    let all: Vec<usize> = (0..n).collect();
    let origin = |k: usize| {
        let line = lines.get(k).map_or(&all, |l| l);
        earlier_origin(&sum(line), per)
    };
    one_way_entries((&cells, x.threshold), &lines, &sum, &all, origin, out);
}

/// Two-way entries in layout order (cells row-major, row totals, column totals, total), shown
/// by a release with threshold `threshold`.
fn two_way_entries(
    atoms: Atoms,
    rows: &[Vec<usize>],
    columns: &[Vec<usize>],
    (published, threshold): (&[Option<u64>], u64),
    current: bool,
    out: &mut Vec<Entry>,
) {
    let all_a: Vec<usize> = (0..atoms.na).collect();
    let all_b: Vec<usize> = (0..atoms.nb).collect();
    let mut sums: Vec<Sum> = Vec::new();
    for r in rows {
        for c in columns {
            sums.push(atoms.pairs(r, c));
        }
    }
    sums.extend(rows.iter().map(|r| atoms.pairs(r, &all_b)));
    sums.extend(columns.iter().map(|c| atoms.pairs(&all_a, c)));
    sums.push(atoms.pairs(&all_a, &all_b));
    let per = Atoms::per_release(atoms.na, atoms.nb);
    for (e, (sum, published)) in sums.into_iter().zip(published).enumerate() {
        let origin = if current {
            Narrow::Current(e)
        } else {
            earlier_origin(&sum, per)
        };
        out.push(Entry {
            sum,
            published: published.map(|v| Shown::new(v, threshold)),
            origin,
        });
    }
}

/// The inner cells an earlier release's design of the pair's table merged into a larger line
/// (rows `rows`, columns `columns`, threshold `threshold`), as hidden numbers of that release:
/// a design merges lines to keep a small cell from being read, and a later release showing the
/// lines apart bounds it from above (counts only grow) and, with that release's one-way tables,
/// from below. Found: release 1 merged East into South to hide East's 9 "yes"; release 2, 18
/// responses later, showed East's "yes" 10 and "no" 11, and release 1's East less that "no" put
/// the 9 between 3 and 12 (`a_cell_merged_away_stays_wide_when_a_later_release_shows_it` in
/// `src/disclosure/later_releases_tests.rs`). A breakdown the earlier release withheld is a
/// design with no lines at all: every cell merged away
/// (`a_withheld_breakdown_stays_wide_when_a_later_release_shows_it`, same file).
///
/// Only a cell that could have been below the threshold then is asked. The engine knows
/// today's groups exactly (`today`, one release's atoms: [`today_atoms`]), so a number the
/// earlier release showed (`shown`, its entries) bounds a cell of it from below: the least the
/// number can stand for ([`Shown::range`]) less today's count of every other group it holds,
/// each no smaller then. So does today's count less the responses added since (`added`). An
/// empty cell was empty then too, and tells nobody anything.
fn merged_away_entries(
    atoms: Atoms,
    (rows, columns, threshold): (&[Vec<usize>], &[Vec<usize>], u64),
    (shown, today, added): (&[Entry], &[u64], Option<u64>),
) -> Vec<Entry> {
    let cells = atoms.na * atoms.nb;
    let mut least: Vec<u64> = (today[..cells].iter())
        .map(|&now| added.map_or(0, |added| now.saturating_sub(added)))
        .collect();
    // One pass over what the release showed: each number's floor less today's count of all it
    // holds but the cell, for every cell it holds.
    for e in shown {
        let Some(p) = e.published else { continue };
        let held = (e.sum.iter()).fold(0u64, |n, &x| n.saturating_add(today[x - atoms.base]));
        for cell in e.sum.iter().map(|&x| x - atoms.base).filter(|&c| c < cells) {
            let others = held.saturating_sub(today[cell]);
            least[cell] = least[cell].max((p.range().0 as u64).saturating_sub(others));
        }
    }
    let per = Atoms::per_release(atoms.na, atoms.nb);
    let mut out = Vec::new();
    for a in 0..atoms.na {
        for b in (0..atoms.nb).filter(|&b| merged_away((rows, columns), a, b)) {
            let cell = a * atoms.nb + b;
            if today[cell] == 0 || least[cell] >= threshold {
                continue;
            }
            let sum = atoms.pairs(&[a], &[b]);
            let origin = earlier_origin(&sum, per);
            out.push(Entry {
                sum,
                published: None,
                origin,
            });
        }
    }
    out
}

/// The inner cells that the design being audited merges into a larger line (rows `rows`,
/// columns `columns`) and that hold someone but fewer than `t` (`today`: see [`today_atoms`]):
/// a design merges lines to keep such a cell from being read, so each is a hidden number of
/// this release like a hidden cell of the design. Found by the property tests
/// (`survey_proptests.rs`): a first release merged q0's two smallest answers in its q0 × q3
/// breakdown and showed every margin; with q1 asked only of q0's two other answers, q1 × q3's
/// column totals put the 3 people who gave q0's last answer and q3's first between 0 and 5.
fn current_merged_away(
    atoms: Atoms,
    (rows, columns): (&[Vec<usize>], &[Vec<usize>]),
    today: &[u64],
    t: u64,
) -> Vec<Entry> {
    let mut out = Vec::new();
    for a in 0..atoms.na {
        for b in (0..atoms.nb).filter(|&b| merged_away((rows, columns), a, b)) {
            let cell = a * atoms.nb + b;
            if (1..t).contains(&today[cell]) {
                out.push(Entry {
                    sum: atoms.pairs(&[a], &[b]),
                    published: None,
                    origin: Narrow::Merged(vec![cell]),
                });
            }
        }
    }
    out
}

/// Whether a design with lines `rows` and `columns` shows the cell of categories `a` and `b`
/// only inside a larger one: when either's line holds more than it.
fn merged_away((rows, columns): (&[Vec<usize>], &[Vec<usize>]), a: usize, b: usize) -> bool {
    let alone = |lines: &[Vec<usize>], i: usize| lines.iter().any(|l| l.as_slice() == [i]);
    !(alone(rows, a) && alone(columns, b))
}

/// Today's count of every group of one release's atoms of the pair (see [`Atoms`]): who gave
/// each pair of answers, who answered only the first or only the second, and who answered
/// neither (`u64::MAX` when the number of responses is unknown).
fn today_atoms(pair: &Pair<'_>) -> Vec<u64> {
    let (na, nb) = (pair.a.cells().len(), pair.b.cells().len());
    let mut out: Vec<u64> = (0..na)
        .flat_map(|a| (0..nb).map(move |b| (a, b)))
        .map(|(a, b)| pair.two.cell(a, b).map_or(0, |c| c.count))
        .collect();
    let only = |one: &RawTable, both: &[crate::tally::RawCell]| -> Vec<u64> {
        (one.cells().iter().zip(both))
            .map(|(x, y)| x.count.saturating_sub(y.count))
            .collect()
    };
    out.extend(only(pair.a, pair.two.row_totals()));
    out.extend(only(pair.b, pair.two.column_totals()));
    let either = pair.a.total().count + pair.b.total().count - pair.two.total().count;
    // Unknown, it bounds nothing: as many as can be.
    out.push(
        pair.a
            .responses()
            .map_or(u64::MAX, |n| n.saturating_sub(either)),
    );
    out
}

/// An earlier release's number, named by the atoms of the same people in any release (every
/// release has `per` atoms, the first starting at 0).
fn earlier_origin(sum: &Sum, per: usize) -> Narrow {
    let mut positions: Vec<usize> = sum.iter().map(|&x| x % per).collect();
    positions.sort_unstable();
    positions.dedup();
    Narrow::Earlier(positions)
}

/// Reads an earlier table's lines as positions among today's categories; `None` when any line
/// covers a category that no longer exists.
fn lines_of(lines: &[Vec<String>], ids: &[String]) -> Option<Vec<Vec<usize>>> {
    lines.iter().map(|l| positions(l, ids)).collect()
}

/// What earlier audits of one design found, per model (see [`both`]).
#[derive(Default, Clone)]
pub(super) struct Memory {
    tied: Witnesses,
    untied: Witnesses,
}

/// The pair audited as [`pair`] does, and for a pair the form ties together, twice. Once
/// assuming the reader knows every pair of answers nobody gave (the form may rule some out),
/// which cannot ask a hidden 0 to be wide: that model hands it over. And once assuming the
/// reader knows only the zeros that are published and those the form plainly rules out, which
/// does: a 0 that is not the form's doing is news about people, hidden like a small count, and
/// must stay as wide.
pub(super) fn both(
    pair: &Pair<'_>,
    earlier: &[EarlierRelease],
    t: u64,
    memory: &mut Memory,
) -> Result<Option<Narrow>, String> {
    both_models(pair, earlier, t, memory, false, None)
}

/// Whether [`both`] would find one of `suspects` too narrow in `pair` — numbers outside its
/// two-way table that the audits of other designs of the same table gave away. Only those are
/// asked, so this costs a few programmes where an audit costs one per hidden number. With
/// every inner cell of a design hidden (only its margins shown), `true` means no way of
/// hiding that design's cells can pass: hiding only loosens the system.
pub(super) fn leaves_narrow(
    pair: &Pair<'_>,
    earlier: &[EarlierRelease],
    t: u64,
    suspects: &[Narrow],
) -> Result<bool, String> {
    let mut memory = Memory::default();
    Ok(both_models(pair, earlier, t, &mut memory, false, Some(suspects))?.is_some())
}

/// Of [`both`], only the audits split by third questions (`Thirds`): for a pair whose own audit
/// is known to pass, as when none of the release's other margins adds to it.
pub(super) fn thirds_alone(
    pair: &Pair<'_>,
    earlier: &[EarlierRelease],
    t: u64,
) -> Result<Option<Narrow>, String> {
    both_models(pair, earlier, t, &mut Memory::default(), true, None)
}

/// [`both`]; with `thirds_only`, only the split audits; with `only`, only those numbers.
fn both_models(
    pair: &Pair<'_>,
    earlier: &[EarlierRelease],
    t: u64,
    memory: &mut Memory,
    thirds_only: bool,
    only: Option<&[Narrow]>,
) -> Result<Option<Narrow>, String> {
    let audit = (thirds_only, only);
    if pair.linked {
        if let Some(narrow) = self::pair(pair, earlier, t, &mut memory.tied, audit)? {
            return Ok(Some(narrow));
        }
    }
    let untied = Pair {
        linked: false,
        ..*pair
    };
    self::pair(&untied, earlier, t, &mut memory.untied, audit)
}

/// The pair audited jointly with both one-way tables and every earlier release of all three;
/// then, once the release's other two-way tables are known (`margins_now`), split by each third
/// question (`Thirds`). `memory` is what earlier audits of the same design found: see
/// [`Witnesses`]. With `thirds_only`, only the split audits run; with `only`, only those
/// numbers are asked to be wide, and not split by third questions.
fn pair(
    pair: &Pair<'_>,
    earlier: &[EarlierRelease],
    t: u64,
    memory: &mut Witnesses,
    (thirds_only, only): (bool, Option<&[Narrow]>),
) -> Result<Option<Narrow>, String> {
    let Some(others) = pair.margins_now else {
        return pair_skipping(pair, earlier, t, memory, (thirds_only, only), &[]);
    };
    // Once the release's breakdowns are chosen, a small cell the pair's breakdown does not show
    // apart — merged away by its design, or every cell of it withheld — and, for a breakdown an
    // earlier release withheld too, each of that release's, is asked T wide against the other
    // breakdowns; but one the reader pins without any other breakdown of the release (by the
    // pair's own one-way tables, the number of responses, what earlier releases showed) is not
    // asked: withholding breakdowns would not widen it, and the one-way tables come first
    // (docs/releases.md, "Cells of a withheld breakdown"). Those are looked for only when
    // such a cell is found narrow.
    let found = pair_skipping(pair, earlier, t, memory, (thirds_only, only), &[])?;
    if !matches!(found, Some(Narrow::Merged(_) | Narrow::Earlier(_))) {
        return Ok(found);
    }
    let withheld_before = earlier.iter().any(|release| {
        let (a, b) = (pair.a.id(), pair.b.id());
        release.iter().any(|x| x.is_one_way(a))
            && release.iter().any(|x| x.is_one_way(b))
            && !release.iter().any(|x| x.is_two_way_of(a, b))
    });
    let skippable = |cell: &Narrow| match cell {
        Narrow::Merged(_) => true,
        Narrow::Earlier(atoms) => withheld_before && atoms.len() == 1,
        _ => false,
    };
    if !found.as_ref().is_some_and(skippable) {
        return Ok(found);
    }
    let withheld = pair.two_shown.is_none();
    let bare = Pair {
        margins_now: Some(&[]),
        two_shown: None,
        ..*pair
    };
    let mut skip = Vec::new();
    loop {
        let mut scratch = Witnesses::default();
        let found = pair_skipping(&bare, earlier, t, &mut scratch, (false, None), &skip)?;
        match found {
            Some(cell) if skippable(&cell) && !skip.contains(&cell) => skip.push(cell),
            found if withheld && others.is_empty() => return Ok(found),
            _ => break,
        }
    }
    pair_skipping(pair, earlier, t, memory, (thirds_only, only), &skip)
}

/// [`pair`], with the cells of a breakdown withheld (now, or by an earlier release) in `skip`
/// not asked.
fn pair_skipping(
    pair: &Pair<'_>,
    earlier: &[EarlierRelease],
    t: u64,
    memory: &mut Witnesses,
    (thirds_only, only): (bool, Option<&[Narrow]>),
    skip: &[Narrow],
) -> Result<Option<Narrow>, String> {
    let (na, nb) = (pair.a.cells().len(), pair.b.cells().len());
    let (a_ids, b_ids) = (ids(pair.a), ids(pair.b));
    let (a_var, b_var) = (pair.a.id(), pair.b.id());
    let per = Atoms::per_release(na, nb);
    let mut system = System::default();
    let mut entries = Vec::new();
    let mut previous: Option<usize> = None;
    let link = |system: &mut System, previous: &mut Option<usize>| Atoms {
        base: system.add_release(per, previous),
        na,
        nb,
    };
    let today = today_atoms(pair);
    // The earlier releases that have atoms in the system, with them.
    let mut placed: Vec<(&EarlierRelease, Atoms)> = Vec::new();
    for release in earlier {
        let one_a = release.iter().find(|x| x.is_one_way(a_var));
        let one_b = release.iter().find(|x| x.is_one_way(b_var));
        let two = release.iter().find_map(|x| x.two_way(a_var, b_var));
        if one_a.is_none() && one_b.is_none() && two.is_none() && release.responses.is_none() {
            continue;
        }
        let atoms = link(&mut system, &mut previous);
        placed.push((release, atoms));
        let from = entries.len();
        let added = (pair.a.responses())
            .zip(release.responses)
            .map(|(now, then)| now.saturating_sub(then));
        // What the audit of that release assumed a reader knew of it (`RawTable::responses`).
        if let Some(n) = release.responses {
            system.exactly(atoms.everyone(), n);
        }
        let sides = ((a_var, a_ids.as_slice()), (b_var, b_ids.as_slice()));
        bound_pair_by_all_margins(&mut system, &release.tables, pair.counts, sides, atoms);
        if let Some(x) = one_a {
            let sum = |s: &[usize]| atoms.one_a(s);
            earlier_one_way_entries(x, (&a_ids, na), sum, per, &mut entries);
        }
        if let Some(x) = one_b {
            let sum = |s: &[usize]| atoms.one_b(s);
            earlier_one_way_entries(x, (&b_ids, nb), sum, per, &mut entries);
        }
        if let Some(x) = two {
            if let (Some(rows), Some(columns)) =
                (lines_of(&x.rows, &a_ids), lines_of(&x.columns, &b_ids))
            {
                // Row-major cells, then the row totals (last column), the column totals (last
                // row), the total: the layout order.
                let w = columns.len();
                let mut published: Vec<Option<u64>> = Vec::new();
                for r in 0..rows.len() {
                    for c in 0..w {
                        published
                            .push(x.cells.get(r).and_then(|row| row.get(c).copied().flatten()));
                    }
                }
                for r in 0..rows.len() {
                    published.push(x.cells.get(r).and_then(|row| row.get(w).copied().flatten()));
                }
                for c in 0..=w {
                    published.push(
                        x.cells
                            .get(rows.len())
                            .and_then(|row| row.get(c).copied().flatten()),
                    );
                }
                let shown = (published.as_slice(), x.threshold);
                two_way_entries(atoms, &rows, &columns, shown, false, &mut entries);
                let design = (rows.as_slice(), columns.as_slice(), x.threshold);
                let known = (&entries[from..], today.as_slice(), added);
                let merged = merged_away_entries(atoms, design, known);
                entries.extend(merged);
            }
        } else if let (Some(x), Some(_)) = (one_a, one_b) {
            // The release withheld the breakdown (or had none): every cell of it was hidden,
            // as if its design merged everything away.
            let design = (&[][..], &[][..], x.threshold);
            let known = (&entries[from..], today.as_slice(), added);
            let withheld = merged_away_entries(atoms, design, known);
            entries.extend(withheld.into_iter().filter(|e| !skip.contains(&e.origin)));
        }
    }
    let atoms = link(&mut system, &mut previous);
    for a in 0..na {
        for b in 0..nb {
            // Every reader of the form knows a pair of answers it rules out, whatever else
            // they are assumed to know.
            let empty = pair.two.cell(a, b).is_some_and(|c| c.count == 0);
            if (pair.linked && empty) || pair.two.is_ruled_out(a * nb + b) {
                system.empty(atoms.base + a * nb + b);
            }
        }
        let only = pair.a.cells()[a]
            .count
            .saturating_sub(pair.two.row_totals()[a].count);
        if only == 0 {
            system.empty(atoms.base + na * nb + a);
        }
    }
    for b in 0..nb {
        let only = pair.b.cells()[b]
            .count
            .saturating_sub(pair.two.column_totals()[b].count);
        if only == 0 {
            system.empty(atoms.base + na * nb + na + b);
        }
    }
    let answered_either = pair.a.total().count + pair.b.total().count - pair.two.total().count;
    if pair.a.responses() == Some(answered_either) {
        system.empty(atoms.neither());
    }
    // Who is in no group now was nobody earlier either: the audits of the earlier releases
    // assumed the reader knew that of them already.
    let third_variables = third_questions(pair, &placed);
    let unmodelled_thirds = third_variables.len() > MAX_THIRDS;
    let before = Before {
        system: system.clone(),
        entries: entries.len(),
        margin: if unmodelled_thirds {
            UNMODELLED_THIRDS_MARGIN
        } else {
            0
        },
    };
    // The number of responses is new with this release, so after `before`: a count of an
    // earlier release it pins is asked to stay wide.
    if let Some(n) = pair.a.responses() {
        system.exactly(atoms.everyone(), n);
    }
    let margins_now = pair.margins_now.unwrap_or_default();
    let sides = ((a_var, a_ids.as_slice()), (b_var, b_ids.as_slice()));
    bound_pair_by_all_margins(&mut system, margins_now, pair.counts, sides, atoms);
    let singles = |n: usize| -> Vec<Vec<usize>> { (0..n).map(|i| vec![i]).collect() };
    let all_a: Vec<usize> = (0..na).collect();
    let all_b: Vec<usize> = (0..nb).collect();
    one_way_entries(
        (pair.a_shown, t),
        &singles(na),
        |s| atoms.one_a(s),
        &all_a,
        Narrow::A,
        &mut entries,
    );
    one_way_entries(
        (pair.b_shown, t),
        &singles(nb),
        |s| atoms.one_b(s),
        &all_b,
        Narrow::B,
        &mut entries,
    );
    if let Some(two_shown) = pair.two_shown {
        two_way_entries(
            atoms,
            &pair.rows.groups,
            &pair.columns.groups,
            (two_shown, t),
            true,
            &mut entries,
        );
    }
    // The small cells the breakdown does not show apart: those its design merges away, or
    // every one of a breakdown withheld (a design that merges everything away). The release's
    // other breakdowns must not pin them either — a question shown only to some, broken down
    // by the other question, counts the people of its filter question's answers in each line
    // (`FOUND_WITHHELD_PINNED` in `survey_proptests.rs`); those the reader pins without them
    // are in `skip` (see [`pair`]). Asked once the release's breakdowns are chosen
    // (`margins::settle_pairs`), not of every design tried: the same tables for the
    // 40-question survey's first release at 300 responses, in 1.62 s against 1.97 s.
    if pair.margins_now.is_some() {
        let design = match pair.two_shown {
            Some(_) => (pair.rows.groups.as_slice(), pair.columns.groups.as_slice()),
            None => (&[][..], &[][..]),
        };
        let cells = current_merged_away(atoms, design, &today, t);
        entries.extend(cells.into_iter().filter(|e| !skip.contains(&e.origin)));
    }
    // Memory from this design's own audit, before the margins of the release's other tables
    // were added as lower bounds: only its points that meet them are still feasible — or, after
    // enough earlier releases, those moved to meet them in this release's atoms alone. Moving
    // pays only where it keeps many earlier numbers proven: measured, a loss for a second
    // release, a gain from the fourth on (docs/performance.md).
    if atoms.base >= MOVE_FROM_EARLIER * per {
        memory.meeting_floors_moving(atoms.base..atoms.base + per);
    } else {
        memory.meeting_floors(&system);
    }
    // The split audits read this release's tables of third questions, so they wait for the
    // audit that has them all (an earlier one, while designs are still chosen, would see only
    // some of them, at several times the cost).
    let thirds = if pair.margins_now.is_none() || only.is_some() {
        None
    } else {
        Thirds::new(
            pair,
            third_variables,
            &system,
            &before,
            &entries,
            placed,
            atoms,
        )
    };
    let asks = |origin: &Narrow| only.is_none_or(|only| only.contains(origin));
    let verdict = if thirds_only {
        None
    } else {
        run(
            &mut system,
            entries,
            t,
            memory,
            pair.linked,
            Some(before),
            asks,
        )?
    };
    match (verdict, thirds) {
        (None, Some(thirds)) => thirds.audit(pair, t),
        (verdict, _) => Ok(verdict),
    }
}

/// The pair's system again, with every group of people split by their answer to a third
/// question (and one part for those who did not answer it): each release's two-way tables of
/// that question with `a` and with `b` show how many of each line's people gave each answer,
/// and every part only grows from release to release. A pair's audit reads those tables'
/// margins only as lower bounds on a one-way count, and an attacker who follows the people who
/// answered a third question as a group of their own could pin a hidden count of an earlier
/// release that audit left wide (`FOUND_THREE_QUESTIONS` in
/// `src/disclosure/survey_proptests.rs`); following each answer's people apart pinned one in a
/// realistic survey over three releases that the split by "answered or not" left wide
/// (docs/releases.md, "Third questions").
///
/// Only the numbers of earlier releases are asked to stay wide here: what the split adds
/// within one release is the pair's audit's to judge (property tests attacking every three
/// questions of realistic surveys find nothing it leaves narrow), while a number an earlier
/// release hid must not be narrowed by what this one shows — except for a third question a
/// rule ties to `a` or `b` (a question shown only for some of their answers, `told.rs`): its
/// people are then a known part of the pair's, and its tables with the pair's other question
/// pinned a number of the same release (`FOUND_SHOWN_FOR_SPLIT` in `survey_proptests.rs`), so
/// this release's hidden numbers are asked too. Each split is audited with the ranges the
/// splits before it found for every hidden number (see [`Thirds::audit`]). And only for a pair
/// with at most [`MAX_THIRDS`] other questions sharing a table with it: each is one more audit
/// of a programme as many times the size as the third question has answers, plus one — too
/// many for a long questionnaire (docs/releases.md, "Third questions").
struct Thirds<'a> {
    /// The third questions, by variable id.
    variables: Vec<String>,
    /// The pair's system, before any third question's margins (split for each third question,
    /// [`System::split_in`]).
    system: System,
    /// The same of the earlier releases alone (see [`Before`]).
    before: System,
    /// How many of `entries` are the earlier releases'.
    before_entries: usize,
    /// Whether an earlier release hid one of `entries`.
    hidden_before: bool,
    /// The pair's entries: every earlier one, and this release's (its hidden ones asked only
    /// when the third question is in `tied`).
    entries: Vec<(Sum, Option<Shown>, Narrow)>,
    /// The third questions a rule ties to `a` or `b`.
    tied: BTreeSet<String>,
    /// Whether the release's number of responses is known (`RawTable::responses`): then a
    /// third question's own table counts everyone, and this release's hidden numbers are
    /// asked of every third question too.
    counted: bool,
    /// Each earlier release with atoms in the system, and its atoms.
    placed: Vec<(&'a EarlierRelease, Atoms)>,
    /// This release's other two-way tables, and its atoms.
    now: (&'a [EarlierTable], Atoms),
}

impl<'a> Thirds<'a> {
    /// `None` when there is nothing to split by (no other question's table shares `a` or `b`
    /// — `variables`, from [`third_questions`] — or more than [`MAX_THIRDS`] do) or no number of
    /// an earlier release to keep wide.
    fn new(
        pair: &Pair<'a>,
        variables: BTreeSet<String>,
        system: &System,
        before: &Before,
        entries: &[Entry],
        placed: Vec<(&'a EarlierRelease, Atoms)>,
        now: Atoms,
    ) -> Option<Thirds<'a>> {
        let hidden = |e: &[Entry]| e.iter().any(|e| e.published.is_none());
        let hidden_before = hidden(&entries[..before.entries]);
        let hidden_now = hidden(&entries[before.entries..]);
        let (a, b) = (pair.a.id(), pair.b.id());
        let tied: BTreeSet<String> = pair.counts.map_or_else(BTreeSet::new, |counts| {
            (variables.iter())
                .filter(|v| tied(counts, a, v) || tied(counts, b, v))
                .cloned()
                .collect()
        });
        let counted = pair.a.responses().is_some();
        let asked = hidden_before || (hidden_now && (counted || !tied.is_empty()));
        if variables.is_empty() || variables.len() > MAX_THIRDS || !asked {
            return None;
        }
        Some(Thirds {
            variables: variables.into_iter().collect(),
            system: system.clone(),
            before: before.system.clone(),
            before_entries: before.entries,
            hidden_before,
            entries: entries
                .iter()
                .map(|e| (e.sum.clone(), e.published, e.origin.clone()))
                .collect(),
            tied,
            counted,
            placed,
            now: (pair.margins_now.unwrap_or_default(), now),
        })
    }

    /// Every answer of `third` that a table of it with `a` or `b` shows, in any release, by id.
    fn answers_of(&self, third: &str, (a, b): (&str, &str)) -> Vec<String> {
        let mut answers = BTreeSet::new();
        let releases = self.placed.iter().map(|(r, _)| r.tables.as_slice());
        for release in releases.chain(std::iter::once(self.now.0)) {
            for variable in [a, b] {
                if let Some(x) = release.iter().find_map(|x| x.two_way(variable, third)) {
                    answers.extend(x.columns.iter().flatten().cloned());
                }
            }
        }
        answers.into_iter().collect()
    }

    /// The audit of the split system for each third question in turn: the first number found
    /// too narrow, or `None`.
    fn audit(self, pair: &Pair<'_>, t: u64) -> Result<Option<Narrow>, String> {
        let (a_ids, b_ids) = (ids(pair.a), ids(pair.b));
        let (a_var, b_var) = (pair.a.id(), pair.b.id());
        // This release's hidden numbers are asked of a tied third question, and of every one
        // once the number of responses is known: a third question's tables then bound the
        // pair's cells through totals that are exact (`FOUND_RESPONSES_ONE_RELEASE` in
        // `src/disclosure/survey_proptests.rs`). Otherwise they add nothing to the system.
        let asks_now = |third: &String| self.counted || self.tied.contains(third);
        let audited: Vec<&String> = (self.variables.iter())
            .filter(|third| asks_now(third) || self.hidden_before)
            .collect();
        // Each hidden number's range so far (by its place among `entries`), as the splits
        // audited before bound it. A reader splits by every third question at once: one split
        // may bound a number from below and another from above, each leaving it T wide and
        // both together not (`FOUND_SHOWN_FOR_COUNTED` in `survey_proptests.rs`). Each split
        // starts from what the ones before it found, so the last is audited with all of them.
        let mut windows: BTreeMap<usize, (f64, f64)> = BTreeMap::new();
        for (place, third) in audited.iter().enumerate() {
            let ask_now = asks_now(third);
            let answers = self.answers_of(third, (a_var, b_var));
            // One part per answer of the third question, and one for who did not answer it.
            let n = answers.len() + 1;
            let mark = |system: &mut System, release: &[EarlierTable], atoms: Atoms| {
                let third = (third.as_str(), answers.as_slice(), n);
                publish_third(system, release, (a_var, &a_ids), third, |p| atoms.one_a(p));
                publish_third(system, release, (b_var, &b_ids), third, |p| atoms.one_b(p));
                publish_third_alone(system, release, third, &atoms.everyone());
            };
            let mut system = self.system.split_in(n);
            let mut before = self.before.split_in(n);
            let told_of = |member: (&str, &[String])| {
                pair.counts
                    .and_then(|counts| told(counts, member, third, &answers))
            };
            let told = [
                (told_of((a_var, &a_ids)), true),
                (told_of((b_var, &b_ids)), false),
            ];
            for (release, atoms) in &self.placed {
                mark(&mut system, &release.tables, *atoms);
                mark(&mut before, &release.tables, *atoms);
                for (told, first) in &told {
                    if let Some(told) = told {
                        atoms.mark_told(&mut system, told, *first, n);
                        atoms.mark_told(&mut before, told, *first, n);
                    }
                }
            }
            mark(&mut system, self.now.0, self.now.1);
            let third_now = (third.as_str(), answers.as_slice(), n);
            publish_third_alone(
                &mut system,
                pair.one_way_now,
                third_now,
                &self.now.1.everyone(),
            );
            for (told, first) in &told {
                if let Some(told) = told {
                    self.now.1.mark_told(&mut system, told, *first, n);
                }
            }
            for (&k, &(low, high)) in &windows {
                system.within(parts(&self.entries[k].0, n), low, high);
            }
            // Cells the design merges away (or a withheld breakdown's) are asked here too: the
            // pair's audit asks them T wide once the release's breakdowns are chosen (see
            // [`pair`]).
            let included = |k: usize, published: &Option<Shown>| {
                ask_now || k < self.before_entries || published.is_some()
            };
            let hidden: Vec<usize> = (self.entries.iter().enumerate())
                .filter(|(k, (_, p, _))| p.is_none() && included(*k, p))
                .map(|(k, _)| k)
                .collect();
            let entries = || -> Vec<Entry> {
                (self.entries.iter().enumerate())
                    .filter(|(k, (_, published, _))| included(*k, published))
                    .map(|(_, (sum, published, origin))| Entry {
                        sum: parts(sum, n),
                        published: *published,
                        origin: origin.clone(),
                    })
                    .collect()
            };
            // The ranges the next split starts from are found first, in the system the audit
            // below builds: their extreme points are feasible there, and prove wide every
            // number they find wide without a programme of the audit's own.
            let mut memory = Witnesses::default();
            if place + 1 < audited.len() {
                let mut published = system.clone();
                publish(&mut published, entries());
                narrow_windows(
                    &published,
                    &hidden,
                    &self.entries,
                    n,
                    &mut windows,
                    &mut memory,
                )?;
            }
            let before = Before {
                system: before,
                entries: self.before_entries,
                margin: 0,
            };
            let verdict = run(
                &mut system,
                entries(),
                t,
                &mut memory,
                pair.linked,
                Some(before),
                |_| true,
            )?;
            if verdict.is_some() {
                return Ok(verdict);
            }
        }
        Ok(None)
    }
}

/// Each hidden entry's range in `system` (split in `n` parts; `hidden` by place among
/// `entries`) kept in `windows`, the part of it still open: `system` had every earlier window
/// among its constraints, so its range lies within them. A number nobody can be in (every
/// atom certainly empty) needs none. The extreme points found are kept in `memory`.
fn narrow_windows(
    system: &System,
    hidden: &[usize],
    entries: &[(Sum, Option<Shown>, Narrow)],
    n: usize,
    windows: &mut BTreeMap<usize, (f64, f64)>,
    memory: &mut Witnesses,
) -> Result<(), String> {
    let empty = system.certainly_empty();
    let open: Vec<(usize, Sum)> = (hidden.iter())
        .map(|&k| (k, parts(&entries[k].0, n)))
        .filter(|(_, sum)| !sum.iter().all(|&a| empty.get(a).copied().unwrap_or(false)))
        .collect();
    let sums: Vec<Sum> = open.iter().map(|(_, sum)| sum.clone()).collect();
    for ((k, _), (low, high)) in open.iter().zip(system.ranges(&sums, memory)?) {
        let Some(high) = high else {
            continue;
        };
        let window = windows.entry(*k).or_insert((low, high));
        *window = (window.0.max(low), window.1.min(high));
    }
    Ok(())
}

/// The other questions that share a two-way table with `a` or `b` of `pair`, in this release
/// or an earlier one (`placed`): the third questions an attacker could follow the pair's people
/// by.
fn third_questions(pair: &Pair<'_>, placed: &[(&EarlierRelease, Atoms)]) -> BTreeSet<String> {
    let (a, b) = (pair.a.id(), pair.b.id());
    let mut variables = BTreeSet::new();
    let tables = placed.iter().flat_map(|(r, _)| r.iter());
    for table in tables.chain(pair.margins_now.unwrap_or_default()) {
        if let [x, y] = table.variables.as_slice() {
            for (one, other) in [(x, y), (y, x)] {
                if (one == a || one == b) && other != a && other != b {
                    variables.insert(other.clone());
                }
            }
        }
    }
    variables
}

/// What `release`'s two-way table of `variable` and `third` shows of `variable`'s lines (and
/// of all of them), over atoms split in `n` parts, one per answer of `third` (`answers`, by
/// id) and a last for who did not answer it ([`System::split_in`]): each shown cell counts the
/// parts of its answers of the atoms `sum` gives its line's categories (`ids` by position), and
/// each line's total the parts of every answer.
fn publish_third(
    system: &mut System,
    release: &[EarlierTable],
    (variable, ids): (&str, &[String]),
    (third, answers, n): (&str, &[String], usize),
    sum: impl Fn(&[usize]) -> Sum,
) {
    let Some(x) = release.iter().find_map(|x| x.two_way(variable, third)) else {
        return;
    };
    let columns: Vec<Option<Vec<usize>>> = x
        .columns
        .iter()
        .map(|column| positions(column, answers))
        .chain(std::iter::once(Some((0..answers.len()).collect())))
        .collect();
    let all: Vec<usize> = (0..ids.len()).collect();
    let rows = x
        .rows
        .iter()
        .map(|line| positions(line, ids))
        .chain(std::iter::once(Some(all)));
    for (r, line) in rows.enumerate() {
        let Some(line) = line else {
            continue;
        };
        let atoms = sum(&line);
        for (c, column) in columns.iter().enumerate() {
            let value = x.cells.get(r).and_then(|row| row.get(c).copied().flatten());
            let (Some(column), Some(value)) = (column, value) else {
                continue;
            };
            let cell = parts_among(&atoms, n, column.iter().copied());
            publish_shown(system, cell, x.shown(value));
        }
    }
}

/// What `release`'s one-way table of `third` shows, over atoms split as in [`publish_third`]:
/// each line the parts of its answers of everyone the release counted (`everyone`). Lines of
/// answers no breakdown of the pair's questions shows are left out, and then so is the total.
fn publish_third_alone(
    system: &mut System,
    release: &[EarlierTable],
    (third, answers, n): (&str, &[String], usize),
    everyone: &Sum,
) {
    let Some(x) = release.iter().find(|x| x.is_one_way(third)) else {
        return;
    };
    let lines: Vec<Option<Vec<usize>>> = x.rows.iter().map(|l| positions(l, answers)).collect();
    let all = lines
        .iter()
        .all(Option::is_some)
        .then(|| (0..answers.len()).collect());
    for (r, line) in lines.into_iter().chain(std::iter::once(all)).enumerate() {
        let value = x
            .cells
            .get(r)
            .and_then(|row| row.first().copied().flatten());
        if let (Some(line), Some(value)) = (line, value) {
            let cell = parts_among(everyone, n, line.into_iter());
            publish_shown(system, cell, x.shown(value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Release 1 showed a table of three counts as [hidden, hidden, 50], total 54 (T = 10):
    /// its two hidden counts add up to at most 8, so each is at most 8 wide — narrower than T
    /// already. Release 2's atoms follow; `now` says what it shows.
    fn audit(now: [Option<u64>; 4], with_before: bool) -> Option<&'static str> {
        audit_with(Release1 { total: 54, t: 10 }, now, with_before.then_some(0))
    }

    /// Release 1 as [`audit`] has it, with another total and threshold.
    #[derive(Clone, Copy)]
    struct Release1 {
        total: u64,
        t: u64,
    }

    /// [`audit`] for `first`, with the earlier release's hidden numbers asked to stay `margin`
    /// wider than T (`None`: the reader's earlier knowledge left out).
    fn audit_with(
        first: Release1,
        now: [Option<u64>; 4],
        margin: Option<u64>,
    ) -> Option<&'static str> {
        let Release1 { total, t } = first;
        let shown = |v: u64| Some(Shown::new(v, t));
        let mut system = System::default();
        let mut previous = None;
        let first = system.add_release(3, &mut previous);
        let mut entries = vec![
            Entry {
                sum: vec![first],
                published: None,
                origin: "earlier c0",
            },
            Entry {
                sum: vec![first + 1],
                published: None,
                origin: "earlier c1",
            },
            Entry {
                sum: vec![first + 2],
                published: shown(50),
                origin: "earlier c2",
            },
            Entry {
                sum: vec![first, first + 1, first + 2],
                published: shown(total),
                origin: "earlier total",
            },
        ];
        let before = margin.map(|margin| Before {
            system: system.clone(),
            entries: entries.len(),
            margin,
        });
        let second = system.add_release(3, &mut previous);
        let sums = [
            vec![second],
            vec![second + 1],
            vec![second + 2],
            vec![second, second + 1, second + 2],
        ];
        let names = ["c0", "c1", "c2", "total"];
        for ((sum, origin), value) in sums.into_iter().zip(names).zip(now) {
            entries.push(Entry {
                sum,
                published: value.and_then(shown),
                origin,
            });
        }
        run(
            &mut system,
            entries,
            t,
            &mut Witnesses::default(),
            false,
            before,
            |_| true,
        )
        .expect("solved")
    }

    #[test]
    fn a_number_already_narrow_before_this_release_is_asked_only_to_stay_as_wide() {
        // Release 2 hides the same two counts (0 to 11 each now) and says nothing new about
        // release 1's: nothing it could hide would widen them again.
        let same = [None, None, Some(60), Some(67)];
        assert_eq!(audit(same, true), None);
        // Read without what the reader knew before, it would be withheld for them.
        assert_eq!(audit(same, false), Some("earlier c0"));
        // A release 2 that shows c0 as 0 tells the reader release 1's c0 was 0 too: narrower
        // than it was, so found.
        assert_eq!(
            audit([Some(0), None, Some(60), Some(67)], true),
            Some("earlier c0")
        );
    }

    #[test]
    fn a_margin_keeps_earlier_hidden_numbers_wider_than_t() {
        // T = 11. Release 1: [hidden, hidden, 50], total 62 — its hidden counts add up to 8 to
        // 16, so each is 16 wide. Release 2 shows both at 10 (8 to 12): each of release 1's is
        // now 0 to 12, 12 wide.
        let first = Release1 { total: 62, t: 11 };
        let now = [Some(10), Some(10), Some(60), Some(80)];
        assert_eq!(audit_with(first, now, Some(0)), None);
        assert_eq!(audit_with(first, now, Some(1)), None);
        // Asked to stay 13 wide, as a pair whose third questions are not split by asks.
        assert_eq!(audit_with(first, now, Some(2)), Some("earlier c0"));
    }
}
