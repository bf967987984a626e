//! Protecting a two-way table once both of its one-way tables are decided. In order: redesign
//! (the definition's coarser level, or the smallest categories and the non-answers merged into
//! one row), then hiding inner cells by least information loss, then withholding the table.
//! Margins are never hidden: they are the one-way counts, which are shown first.

use std::collections::BTreeMap;

use crate::tally::RawTable;

use super::as_before::{self, Before};
use super::earlier::EarlierRelease;
use super::grouping::{is_non_answer, regroup, Grouping};
use super::inner;
use super::joint::{self, Narrow, Pair};
use super::layout::{entries, Layout};
use super::protect::{shown_value, ProtectedTable, PublishedCell, Refusal};
use super::ptable::PTABLE_VERSION;

/// A one-way table as released: its raw counts, and what was published for each entry.
pub(super) struct OneWay<'a> {
    pub(super) raw: &'a RawTable,
    /// `None` when the one-way table is withheld.
    pub(super) shown: Option<&'a ProtectedTable>,
}

/// How many redesigns are audited before the table is withheld: the audit is the costly part,
/// and candidates are tried from least to most information lost. A design that a cheaper check
/// proves would give away a number an audited one did ([`joint::leaves_narrow`]) is passed
/// over without counting: from a second release on, that is most of them, and the design that
/// passes is often one that merges more (docs/releases.md, "Redesigns tried").
const AUDITED_CANDIDATES: usize = 3;

struct Candidate {
    rows: Grouping,
    columns: Grouping,
    table: RawTable,
    published: Vec<u64>,
    hidden: Vec<bool>,
    loss: f64,
}

/// Shows a two-way table safely beside its two one-way tables `a` and `b`: redesigned, with
/// inner cells hidden, or refused.
///
/// A 0 between two answers is hidden like a small count, unless its whole row or column is
/// empty, and the audit assumes a reader knows only the zeros that are shown. `linked`: whether
/// a rule of the questionnaire ties the two variables together (see `Catalogue::linked`). Then
/// a zero may be the form's doing, so the table must also pass an audit that assumes a reader
/// knows every group nobody is in (`joint::both`).
pub(super) fn protect_two_way(
    table: &RawTable,
    threshold: u32,
    (a, b): (&OneWay<'_>, &OneWay<'_>),
    earlier: &[EarlierRelease],
    linked: bool,
) -> Result<(ProtectedTable, joint::Memory), Refusal> {
    let (Some(a_shown), Some(b_shown)) = (a.shown, b.shown) else {
        return Err(Refusal::TooFewForBreakdown);
    };
    let t = u64::from(threshold);
    let hidden_of =
        |p: &ProtectedTable| -> Vec<bool> { p.cells.iter().map(|c| c.suppressed).collect() };
    let (hidden_a, hidden_b) = (hidden_of(a_shown), hidden_of(b_shown));
    let Some(columns_axis) = table.columns() else {
        return Err(Refusal::NoCategories);
    };
    let mut row_starts = vec![Grouping::identity(table.rows().len()).merging_hidden(&hidden_a)];
    if let Some(g) = Grouping::coarser(table.rows()) {
        row_starts.push(g.merging_hidden(&hidden_a));
    }
    let mut column_starts = vec![Grouping::identity(columns_axis.len()).merging_hidden(&hidden_b)];
    if let Some(g) = Grouping::coarser(columns_axis) {
        column_starts.push(g.merging_hidden(&hidden_b));
    }
    let mut candidates = Vec::new();
    for r in &row_starts {
        for c in &column_starts {
            explore(table, r.clone(), c.clone(), t, &mut candidates);
        }
    }
    candidates.sort_by(|x, y| x.loss.total_cmp(&y.loss));
    let shown = |p: &ProtectedTable| -> Vec<Option<u64>> { p.entries().map(|c| c.count).collect() };
    let (a_values, b_values) = (shown(a_shown), shown(b_shown));
    // Numbers outside the table that audited designs gave away.
    let mut given_away: Vec<Narrow> = Vec::new();
    let mut audited = 0;
    let sides = (a, b, linked);
    let values = (a_values.as_slice(), b_values.as_slice());
    for mut candidate in candidates {
        if audited == AUDITED_CANDIDATES {
            break;
        }
        if !given_away.is_empty()
            && gives_away(table, sides, values, &candidate, earlier, t, &given_away)
        {
            continue;
        }
        audited += 1;
        let mut memory = joint::Memory::default();
        let design = (&mut candidate, &mut memory);
        // What the check above cleared stays cleared for this design: it looked at the design
        // with every inner cell hidden, which hiding more of them does not change.
        let mut cleared = given_away.clone();
        match audit(table, sides, values, design, earlier, t, &mut cleared)? {
            Verdict::Safe => return Ok((finish(candidate, threshold), memory)),
            Verdict::Unsafe(Some(narrow)) => given_away.push(narrow),
            Verdict::Unsafe(None) => {}
        }
    }
    // Before withholding the table: the design it had last time, with what it hid then.
    let before = as_before::latest_design(table, earlier);
    let again = before
        .as_ref()
        .and_then(|b| candidate_as_before(table, b, (&hidden_a, &hidden_b), t));
    if let Some(mut candidate) = again {
        if given_away.is_empty()
            || !gives_away(table, sides, values, &candidate, earlier, t, &given_away)
        {
            let mut memory = joint::Memory::default();
            let mut cleared = given_away.clone();
            let design = (&mut candidate, &mut memory);
            if let Verdict::Safe = audit(table, sides, values, design, earlier, t, &mut cleared)? {
                return Ok((finish(candidate, threshold), memory));
            }
        }
    }
    Err(Refusal::TooFewForBreakdown)
}

/// From one starting design, merges the smallest group (non-answers first) of either side
/// into that side's merged group until no inner cell needs hiding, keeping every design whose
/// margins may all be shown as a candidate.
fn explore(
    table: &RawTable,
    mut rows: Grouping,
    mut columns: Grouping,
    t: u64,
    out: &mut Vec<Candidate>,
) {
    loop {
        if rows.len() < 2 || columns.len() < 2 {
            return;
        }
        let Some(design) = Design::of(table, &rows, &columns, t) else {
            return;
        };
        // Kept for choosing the next merge; the design itself goes to its candidate.
        let published = design.published.clone();
        let (nr, nc) = (rows.len(), columns.len());
        let body = nr * nc;
        let mut done = false;
        if inner::margins_publishable(&design.truth, &design.layout, t) {
            let known = design.table.ruled_out();
            let mut hidden = inner::primary((&design.truth, &published), &design.layout, t, known);
            done = !hidden.iter().any(|h| *h);
            if inner::secondary(&published, &design.layout, known, &mut hidden) {
                out.push(candidate(table, (&rows, &columns), design, hidden, t));
            }
        }
        if done {
            return;
        }
        // Merge the smallest group (non-answers first) of whichever side holds it into that
        // side's merged group; the first merge on a side takes its two smallest groups.
        let order = |g: &Grouping, axis: &crate::tally::Axis, margin: &dyn Fn(usize) -> u64| {
            let merged_last = g.groups.last().is_some_and(|m| m.len() > 1);
            let mut v: Vec<(bool, u64, usize)> = (0..g.len())
                .filter(|&i| !(merged_last && i + 1 == g.len()))
                .map(|i| {
                    let non_answer = g.groups[i].iter().all(|&c| is_non_answer(axis, c));
                    (!non_answer, margin(i), i)
                })
                .collect();
            v.sort_unstable();
            v
        };
        let row_order = order(&rows, table.rows(), &|i| published[body + i]);
        let column_order = match table.columns() {
            Some(axis) => order(&columns, axis, &|j| published[body + nr + j]),
            None => Vec::new(),
        };
        let merge_into = |g: &Grouping, order: &[(bool, u64, usize)]| -> Option<Grouping> {
            let first = order.first()?.2;
            let which = if g.groups.last().is_some_and(|m| m.len() > 1) {
                vec![first, g.len() - 1]
            } else {
                vec![first, order.get(1)?.2]
            };
            Some(g.merged(&which))
        };
        let rows_first = match (row_order.first(), column_order.first()) {
            (Some(r), Some(c)) => (r.0, r.1) <= (c.0, c.1),
            (Some(_), None) => true,
            (None, _) => false,
        };
        let next = if rows_first {
            merge_into(&rows, &row_order).map(|g| (g, columns.clone()))
        } else {
            merge_into(&columns, &column_order).map(|g| (rows.clone(), g))
        };
        match next {
            Some((r, c)) => {
                rows = r;
                columns = c;
            }
            None => return,
        }
    }
}

/// A design's numbers: the table regrouped, its layout, and each entry's true and published
/// count.
struct Design {
    table: RawTable,
    layout: Layout,
    truth: Vec<u64>,
    published: Vec<u64>,
}

impl Design {
    fn of(table: &RawTable, rows: &Grouping, columns: &Grouping, t: u64) -> Option<Design> {
        let merged = regroup(table, rows, columns)?;
        let raw = entries(&merged);
        Some(Design {
            layout: Layout::of(&merged),
            truth: raw.iter().map(|c| c.count).collect(),
            published: raw.iter().map(|c| shown_value(c.count, c.key, t)).collect(),
            table: merged,
        })
    }
}

/// A design with the inner cells `hidden`, and what it costs readers: first, counts of at
/// least T in the table as designed by the survey that are no longer shown as themselves
/// (hidden, or merged into a group); then, to break ties, the people in hidden cells.
fn candidate(
    original: &RawTable,
    (rows, columns): (&Grouping, &Grouping),
    design: Design,
    hidden: Vec<bool>,
    t: u64,
) -> Candidate {
    let total_records = original.total().count as f64;
    let lost = lost_counts(original, rows, columns, &hidden, t);
    let loss = lost as f64
        + inner::hidden_records(&design.published, &hidden) as f64 / (1.0 + total_records)
        // A tie goes to the design with more rows and columns.
        + 1e-6 / ((rows.len() * columns.len()) as f64);
    Candidate {
        rows: rows.clone(),
        columns: columns.clone(),
        table: design.table,
        published: design.published,
        hidden,
        loss,
    }
}

/// The design the latest earlier release gave the table ([`as_before`]), grouped further
/// where today's one-way tables hide categories, with every cell that holds people of a cell
/// it hid hidden again, besides today's small counts.
fn candidate_as_before(
    table: &RawTable,
    before: &Before,
    (hidden_a, hidden_b): (&[bool], &[bool]),
    t: u64,
) -> Option<Candidate> {
    let rows = before.rows.merging_hidden(hidden_a);
    let columns = before.columns.merging_hidden(hidden_b);
    if rows.len() < 2 || columns.len() < 2 {
        return None;
    }
    let design = Design::of(table, &rows, &columns, t)?;
    if !inner::margins_publishable(&design.truth, &design.layout, t) {
        return None;
    }
    let known = design.table.ruled_out();
    let mut hidden = inner::primary((&design.truth, &design.published), &design.layout, t, known);
    for (e, h) in hidden
        .iter_mut()
        .enumerate()
        .take(rows.len() * columns.len())
    {
        // Zeros are left to primary suppression, which knows which of them a reader knows.
        let (r, c) = (e / columns.len(), e % columns.len());
        if design.truth[e] > 0 && before.hid(&rows.groups[r], &columns.groups[c]) {
            *h = true;
        }
    }
    if !inner::secondary(&design.published, &design.layout, known, &mut hidden) {
        return None;
    }
    Some(candidate(table, (&rows, &columns), design, hidden, t))
}

/// Whether the categories hidden in a one-way table (`values`: cells then total, `None` where
/// hidden) are exactly one group of the design, or none is hidden.
///
/// Then a two-way table with no hidden cell needs no linear programme (before any earlier
/// release exists): it counts the hidden categories only all together, so moving people between
/// them changes nothing it shows, and each one-way hidden count can still be anything from 0 up
/// to their joint total. That total's upper bound from the two-way table is the group's
/// margin, which is at least T (a margin below T is never shown), so every range stays at least
/// T wide — what the one-way audit already proved from below.
fn hidden_apart(g: &Grouping, values: &[Option<u64>]) -> bool {
    let hidden: Vec<usize> = (0..values.len().saturating_sub(1))
        .filter(|&i| values[i].is_none())
        .collect();
    hidden.is_empty() || g.groups.contains(&hidden)
}

/// Inner counts of at least `t` in `table` that a design does not show as themselves.
fn lost_counts(
    table: &RawTable,
    rows: &Grouping,
    columns: &Grouping,
    hidden: &[bool],
    t: u64,
) -> usize {
    let single = |g: &Grouping, n: usize| -> Vec<Option<usize>> {
        let mut at = vec![None; n];
        for (k, members) in g.groups.iter().enumerate() {
            if let [one] = members.as_slice() {
                if let Some(slot) = at.get_mut(*one) {
                    *slot = Some(k);
                }
            }
        }
        at
    };
    let width = table.columns().map_or(0, |c| c.len());
    let row_at = single(rows, table.rows().len());
    let column_at = single(columns, width);
    let mut lost = 0;
    for (i, r) in row_at.iter().enumerate() {
        for (j, c) in column_at.iter().enumerate() {
            if table.cell(i, j).is_none_or(|x| x.count < t) {
                continue;
            }
            let shown = match (r, c) {
                (Some(r), Some(c)) => !hidden.get(r * columns.len() + c).copied().unwrap_or(true),
                _ => false,
            };
            if !shown {
                lost += 1;
            }
        }
    }
    lost
}

/// What the audit of a design found.
enum Verdict {
    Safe,
    /// This design cannot be shown safely; with the number outside the table it gives away
    /// (`None` when hiding more of its own cells ran out instead).
    Unsafe(Option<Narrow>),
}

/// Whether design `c`, with every inner cell hidden and only its margins shown, still gives
/// away one of `numbers`: then no way of hiding its cells passes the audit, which only ever
/// hides more of them, and hiding only loosens what a reader knows. A check the solver could
/// not finish proves nothing: the design is audited.
fn gives_away(
    original: &RawTable,
    (a, b, linked): (&OneWay<'_>, &OneWay<'_>, bool),
    (a_shown, b_shown): (&[Option<u64>], &[Option<u64>]),
    c: &Candidate,
    earlier: &[EarlierRelease],
    t: u64,
    numbers: &[Narrow],
) -> bool {
    let body = c.rows.len() * c.columns.len();
    let margins_only: Vec<Option<u64>> = c
        .published
        .iter()
        .enumerate()
        .map(|(e, p)| (e >= body).then_some(*p))
        .collect();
    let pair = Pair {
        a: a.raw,
        b: b.raw,
        two: original,
        a_shown,
        b_shown,
        rows: &c.rows,
        columns: &c.columns,
        two_shown: Some(&margins_only),
        margins_now: None,
        one_way_now: &[],
        linked,
        counts: None,
    };
    joint::leaves_narrow(&pair, earlier, t, numbers).unwrap_or(false)
}

/// Audits a candidate jointly with its one-way tables and the earlier releases, hiding more
/// inner cells while that helps. `memory` ends with what the audits of this design found (the
/// second audit of the release's margins starts from it: `margins::settle_pairs`). `cleared`:
/// numbers outside the table that [`gives_away`] has found this design does not give away
/// with every inner cell hidden (checked once per design, since hiding cells leaves that
/// check's system as it is).
fn audit(
    original: &RawTable,
    (a, b, linked): (&OneWay<'_>, &OneWay<'_>, bool),
    (a_values, b_values): (&[Option<u64>], &[Option<u64>]),
    (c, memory): (&mut Candidate, &mut joint::Memory),
    earlier: &[EarlierRelease],
    t: u64,
    cleared: &mut Vec<Narrow>,
) -> Result<Verdict, Refusal> {
    let layout = Layout::of(&c.table);
    if earlier.is_empty()
        && !c.hidden.iter().any(|h| *h)
        && hidden_apart(&c.rows, a_values)
        && hidden_apart(&c.columns, b_values)
    {
        return Ok(Verdict::Safe);
    }
    // Each pass only hides one more inner cell of the same design, so what earlier passes
    // proved stays proven (see `Witnesses`).
    let known = c.table.ruled_out();
    loop {
        let two_shown: Vec<Option<u64>> = c
            .published
            .iter()
            .zip(&c.hidden)
            .map(|(p, h)| (!h).then_some(*p))
            .collect();
        let pair = Pair {
            a: a.raw,
            b: b.raw,
            two: original,
            a_shown: a_values,
            b_shown: b_values,
            rows: &c.rows,
            columns: &c.columns,
            two_shown: Some(&two_shown),
            margins_now: None,
            one_way_now: &[],
            linked,
            counts: None,
        };
        match joint::both(&pair, earlier, t, memory) {
            Ok(None) => return Ok(Verdict::Safe),
            Ok(Some(Narrow::Current(e))) => {
                match inner::widen(&c.published, &layout, known, &c.hidden, e) {
                    Some(more) => {
                        c.hidden[more] = true;
                        if !inner::secondary(&c.published, &layout, known, &mut c.hidden) {
                            return Ok(Verdict::Unsafe(None));
                        }
                    }
                    None => return Ok(Verdict::Unsafe(None)),
                }
            }
            // A number of a one-way table or an earlier release: this design gives it away,
            // unless hiding a cell that counts some of the same people loosens it — which
            // cannot help if it would still give it away with every inner cell hidden.
            Ok(Some(narrow)) => {
                if !cleared.contains(&narrow) {
                    let sides = (a, b, linked);
                    let values = (a_values, b_values);
                    let numbers = std::slice::from_ref(&narrow);
                    if gives_away(original, sides, values, c, earlier, t, numbers) {
                        return Ok(Verdict::Unsafe(Some(narrow)));
                    }
                    cleared.push(narrow.clone());
                }
                let counting = counting(c, &narrow, (a.raw.cells().len(), b.raw.cells().len()));
                match inner::widen_for(&c.published, known, &c.hidden, &counting) {
                    Some(more) => {
                        c.hidden[more] = true;
                        if !inner::secondary(&c.published, &layout, known, &mut c.hidden) {
                            return Ok(Verdict::Unsafe(Some(narrow)));
                        }
                    }
                    None => return Ok(Verdict::Unsafe(Some(narrow))),
                }
            }
            Err(detail) => return Err(Refusal::AuditUnsolved { detail }),
        }
    }
}

/// The inner cells of design `c` that count people of `narrow`, a number outside the table,
/// each with how many of that number's groups of people (`joint::Atoms` of one release) it
/// holds. `na`, `nb`: the categories of the pair's one-way tables.
fn counting(c: &Candidate, narrow: &Narrow, (na, nb): (usize, usize)) -> Vec<(usize, usize)> {
    let group_of = |g: &Grouping, n: usize| -> Vec<Option<usize>> {
        let mut at = vec![None; n];
        for (k, members) in g.groups.iter().enumerate() {
            for &m in members {
                if let Some(slot) = at.get_mut(m) {
                    *slot = Some(k);
                }
            }
        }
        at
    };
    let (row_of, column_of) = (group_of(&c.rows, na), group_of(&c.columns, nb));
    let width = c.columns.len();
    let mut held: BTreeMap<usize, usize> = BTreeMap::new();
    let mut count = |a: usize, b: usize| {
        if let (Some(Some(r)), Some(Some(k))) = (row_of.get(a), column_of.get(b)) {
            *held.entry(r * width + k).or_default() += 1;
        }
    };
    match narrow {
        // Only the atoms of answer pairs lie in the table; those of people who answered one
        // question alone lie in no cell.
        Narrow::Earlier(atoms) | Narrow::Merged(atoms) => {
            for &p in atoms.iter().filter(|&&p| p < na * nb) {
                count(p / nb, p % nb);
            }
        }
        // A category of a one-way table (or its total, the last entry): its row or column.
        Narrow::A(i) => {
            for a in (0..na).filter(|a| a == i || *i == na) {
                (0..nb).for_each(|b| count(a, b));
            }
        }
        Narrow::B(j) => {
            for b in (0..nb).filter(|b| b == j || *j == nb) {
                (0..na).for_each(|a| count(a, b));
            }
        }
        Narrow::Current(_) | Narrow::Linked(_) => {}
    }
    held.into_iter().collect()
}

fn finish(c: Candidate, threshold: u32) -> ProtectedTable {
    let redesigned =
        c.rows.groups.iter().any(|g| g.len() > 1) || c.columns.groups.iter().any(|g| g.len() > 1);
    let mut out = c
        .published
        .iter()
        .zip(&c.hidden)
        .map(|(&p, &h)| PublishedCell {
            count: (!h).then_some(p),
            suppressed: h,
        });
    let cells = out.by_ref().take(c.table.cells().len()).collect();
    let row_totals = out.by_ref().take(c.table.row_totals().len()).collect();
    let column_totals = out.by_ref().take(c.table.column_totals().len()).collect();
    let total = out.next().unwrap_or(PublishedCell {
        count: None,
        suppressed: true,
    });
    ProtectedTable {
        id: c.table.id().to_owned(),
        rows: c.table.rows().clone(),
        columns: c.table.columns().cloned(),
        cells,
        row_totals,
        column_totals,
        total,
        threshold,
        ptable_version: PTABLE_VERSION.to_owned(),
        redesigned,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::disclosure::catalogue::protect_catalogue;
    use crate::disclosure::joint_proptests::{catalogue, earlier};
    use crate::disclosure::proptests::axis;
    use crate::disclosure::protect::Released;
    use crate::disclosure::survey_proptests::{realistic_records, realistic_sizes};

    /// The cells of a design that count a number's people: a 3 × 3 pair shown with its first
    /// two rows merged and its last two columns merged.
    #[test]
    fn the_cells_counting_a_number_follow_the_design_s_groups() {
        let raw =
            RawTable::one_way("x".into(), axis("x", 1), vec![Default::default()]).expect("shape");
        let design = Candidate {
            rows: Grouping {
                groups: vec![vec![0, 1], vec![2]],
            },
            columns: Grouping {
                groups: vec![vec![0], vec![1, 2]],
            },
            table: raw,
            published: Vec::new(),
            hidden: Vec::new(),
            loss: 0.0,
        };
        let n = (3, 3);
        // Atoms of an earlier release: answer pairs (1, 1), (0, 2), (2, 0), and 9, someone who
        // answered the first question alone (in no cell).
        let earlier = Narrow::Earlier(vec![4, 2, 6, 9]);
        assert_eq!(counting(&design, &earlier, n), [(1, 2), (2, 1)]);
        // The first question's second answer: its whole row; the second's total: every cell.
        assert_eq!(counting(&design, &Narrow::A(1), n), [(0, 1), (1, 2)]);
        let all = counting(&design, &Narrow::B(3), n);
        assert_eq!(all, [(0, 2), (1, 4), (2, 1), (3, 2)]);
        assert!(counting(&design, &Narrow::Current(0), n).is_empty());
    }

    /// A design passed over because it gives away a number other designs gave away must be
    /// one its audit would refuse too; otherwise skipping it could withhold a table for
    /// nothing. Every design of every two-way table of second releases of realistic surveys,
    /// checked both ways.
    #[test]
    fn a_design_passed_over_for_a_number_given_away_fails_its_own_audit_too() {
        let (t, questions) = (10, 6);
        let sizes = realistic_sizes(questions);
        let mut checked = 0;
        for seed in 1..=4 {
            let records = realistic_records(seed, 72, questions);
            let first = protect_catalogue(&catalogue(&sizes, &records[..60]), t, &[]);
            let earlier = [earlier(&first)];
            let now = catalogue(&sizes, &records);
            let second = protect_catalogue(&now, t, &earlier);
            let one_way = |id: &str| {
                let i = now
                    .tables
                    .iter()
                    .position(|x| x.id() == id)
                    .expect("one-way");
                let shown = match &second[i] {
                    Released::Shown(p) => Some(p),
                    Released::Withheld(_) => None,
                };
                OneWay {
                    raw: &now.tables[i],
                    shown,
                }
            };
            for table in now.tables.iter().filter(|x| x.columns().is_some()) {
                let a = one_way(&table.rows().variable);
                let b = one_way(&table.columns().expect("two-way").variable);
                let (Some(a_shown), Some(b_shown)) = (a.shown, b.shown) else {
                    continue;
                };
                let values = |p: &ProtectedTable| -> Vec<Option<u64>> {
                    p.entries().map(|c| c.count).collect()
                };
                let (a_values, b_values) = (values(a_shown), values(b_shown));
                let hidden = |p: &ProtectedTable| -> Vec<bool> {
                    p.cells.iter().map(|c| c.suppressed).collect()
                };
                let rows = Grouping::identity(table.rows().len()).merging_hidden(&hidden(a_shown));
                let width = table.columns().expect("two-way").len();
                let columns = Grouping::identity(width).merging_hidden(&hidden(b_shown));
                let mut candidates = Vec::new();
                explore(table, rows, columns, u64::from(t), &mut candidates);
                let sides = (&a, &b, false);
                let values = (a_values.as_slice(), b_values.as_slice());
                let mut given_away = Vec::new();
                for mut c in candidates {
                    let passed_over = !given_away.is_empty()
                        && gives_away(
                            table,
                            sides,
                            values,
                            &c,
                            &earlier,
                            u64::from(t),
                            &given_away,
                        );
                    let design = (&mut c, &mut joint::Memory::default());
                    let verdict = audit(
                        table,
                        sides,
                        values,
                        design,
                        &earlier,
                        u64::from(t),
                        &mut Vec::new(),
                    )
                    .expect("solved");
                    if passed_over {
                        checked += 1;
                        assert!(
                            !matches!(verdict, Verdict::Safe),
                            "seed {seed}: {} passed over a design its audit shows",
                            table.id()
                        );
                    }
                    if let Verdict::Unsafe(Some(narrow)) = verdict {
                        given_away.push(narrow);
                    }
                }
            }
        }
        assert!(
            checked > 0,
            "no design was passed over: the check tests nothing"
        );
    }
}
