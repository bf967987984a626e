//! The options of one multi-select question audited together.
//!
//! Each option of a multi-select question has a one-way table of its own (selected, not
//! selected, then the question's non-answers), and so does each category of a question on a
//! repeating page ("in some instance" against "never"). Those tables count the same people:
//! selected plus not selected is, for every option, everyone who answered with choices, and the
//! non-answers are the same people in each. So a reader who sees both counts of one option
//! knows how many answered with choices, and with it can take a count hidden in another
//! option's table out of its published complement — a hidden count no audit of one table at a
//! time would see narrowed. Tables of two-way pairs are linked by the pair audit instead
//! (`joint.rs`); options of a multi-select question are never crossed, so they are linked here.
//!
//! Atoms, per release: for each option, who selected it and who did not (the two add up to the
//! same for every option); and one per non-answer, shared by every option's table.

use std::collections::BTreeMap;

use crate::tally::{parallel_map, threads, Choices, RawTable, Within};

use super::catalogue::{shown_values, withhold};
use super::earlier::{positions, EarlierRelease};
use super::joint::{run, Before, Entry};
use super::layout::{is_option_table, SELECTED};
use super::protect::{protect_forcing, Refusal, Released, Shown};
use super::system::{Sum, System, Witnesses};

/// A number of one of a family's tables: in which release (earlier ones first, then the one
/// being made), of which option's table, and which entry (cells, then the total).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Origin {
    release: usize,
    member: usize,
    entry: usize,
}

/// One-way tables (positions among `one_way`) that count the same people as the options of
/// one question: tables of the same question whose first two categories are "selected" and
/// "not selected", with the same non-answers after them. Only tables whose counts agree with
/// that shape are put together (selected plus not selected, and each non-answer, the same in
/// each), so the attacker's knowledge is never assumed wrongly.
pub(super) fn families(tables: &[RawTable], one_way: &[usize]) -> Vec<Vec<usize>> {
    let mut groups: BTreeMap<(String, Vec<String>, Vec<u64>), Vec<usize>> = BTreeMap::new();
    for (k, &i) in one_way.iter().enumerate() {
        let table = &tables[i];
        let categories = &table.rows().categories;
        if !is_option_table(table) || table.columns().is_some() {
            continue;
        }
        let counts: Vec<u64> = table.cells().iter().map(|c| c.count).collect();
        let mut key_counts = vec![counts[0] + counts[1]];
        key_counts.extend_from_slice(&counts[2..]);
        let rest: Vec<String> = categories[2..].iter().map(|c| c.id.clone()).collect();
        groups
            .entry((table.rows().question.clone(), rest, key_counts))
            .or_default()
            .push(k);
    }
    groups.into_values().filter(|g| g.len() >= 2).collect()
}

/// A question shown only to those who selected option `member`, or only to those who answered
/// without selecting it (see [`Within`]): its one-way table's total counts some (`exact`: all)
/// of them.
struct Link {
    member: usize,
    /// Which of the option's atoms: 0 selected, 1 not selected.
    atom: usize,
    variable: String,
    /// Its total as this release shows it (`None` hidden or withheld).
    now: Option<u64>,
    exact: bool,
}

impl Link {
    /// The follow-up's total `published` in the release whose atoms start at `base`: a
    /// published count of the option's atom when `exact`, else a lower bound on it. A link that
    /// holds now held in every earlier release too, as responses are only added.
    fn bound(&self, system: &mut System, base: usize, published: Shown) {
        let within = vec![option_atoms(base, self.member)[self.atom]];
        if self.exact {
            system.publish(within, published);
        } else {
            system.at_least(within, published);
        }
    }
}

/// How many options one answer holds ([`Choices`]), by member: a reader of the questionnaire
/// knows it of every answer, so the options' counts together are bounded by how many answered.
#[derive(Debug, Clone)]
struct Rule {
    /// Per member, whether its option is chosen only alone ("none of these").
    alone: Vec<bool>,
    min: f64,
    max: f64,
}

impl Rule {
    /// The question's rule by member, when every option of it is a member (else `None`: the
    /// rule speaks of all options together).
    fn of(choices: &[Choices], members: &[&RawTable]) -> Option<Rule> {
        let question = &members.first()?.rows().question;
        let rule = choices.iter().find(|c| &c.question == question)?;
        let alone = members
            .iter()
            .map(|m| {
                let (_, alone) = rule.options.iter().find(|(v, _)| v == m.id())?;
                Some(*alone)
            })
            .collect::<Option<Vec<bool>>>()?;
        (alone.len() == rule.options.len()).then(|| Rule {
            alone,
            min: f64::from(rule.min),
            max: f64::from(rule.max),
        })
    }

    /// The rule as rows over one release's atoms (from `base`). With A everyone who answered
    /// with choices and E those who chose an option that is chosen alone, the others (A − E)
    /// each chose between `min` and `max` of the remaining options, none of which anyone in E
    /// chose; and nobody chose alone an option when an answer needs more than one.
    fn bound(&self, system: &mut System, base: usize) {
        let selected = |m: usize| option_atoms(base, m)[0];
        let answered = option_atoms(base, 0);
        let alone: Vec<usize> = (0..self.alone.len()).filter(|&m| self.alone[m]).collect();
        let others: Vec<usize> = (0..self.alone.len()).filter(|&m| !self.alone[m]).collect();
        // c × (A − E), as terms.
        let rest = |c: f64| -> Vec<(usize, f64)> {
            let a = answered.iter().map(move |&x| (x, c));
            a.chain(alone.iter().map(move |&m| (selected(m), -c)))
                .collect()
        };
        let chosen =
            |c: f64| -> Vec<(usize, f64)> { others.iter().map(|&m| (selected(m), c)).collect() };
        // Those options together: at least `min` per person in A − E…
        let mut at_least = chosen(1.0);
        at_least.extend(rest(-self.min));
        system.rule(at_least);
        // …and at most `max`, when that says more than "each at most once".
        if self.max < others.len() as f64 {
            let mut at_most = rest(self.max);
            at_most.extend(chosen(-1.0));
            system.rule(at_most);
        }
        if !alone.is_empty() {
            for &m in &others {
                let mut row = rest(1.0);
                row.push((selected(m), -1.0));
                system.rule(row);
            }
        }
        if self.min > 1.0 {
            for &m in &alone {
                system.rule(vec![(selected(m), -1.0)]);
            }
        }
    }
}

/// The family's atoms in one release starting at `base`: option `m` selected, not selected.
fn option_atoms(base: usize, m: usize) -> [usize; 2] {
    [base + 2 * m, base + 2 * m + 1]
}

/// The atom of category position `p` of option `m`'s table (with `k` options).
fn atom_of(base: usize, k: usize, m: usize, p: usize) -> usize {
    if p < 2 {
        base + 2 * m + p
    } else {
        base + 2 * k + (p - 2)
    }
}

/// Audits a family: every hidden number of the options' tables, in this release (`shown`,
/// layout order, empty for a table withheld) and every earlier one, against all of them at once.
/// A number of an earlier release that those releases already bound narrower than T
/// themselves (released before their options were audited together) is asked only to stay as
/// wide as it was: hiding more now cannot widen it, but nothing shown now may narrow it further.
fn audit(
    members: &[&RawTable],
    shown: &[Vec<Option<u64>>],
    (links, rule): (&[Link], Option<&Rule>),
    earlier: &[EarlierRelease],
    t: u64,
) -> Result<Option<Origin>, String> {
    let k = members.len();
    let Some(first) = members.first() else {
        return Ok(None);
    };
    let n = first.cells().len();
    // Each option selected or not, each non-answer, and everyone else the release counted
    // (who did not answer the question: with the number of responses known, a reader has them
    // too — `RawTable::responses`).
    let per = 2 * k + (n - 2) + 1;
    let everyone = |base: usize| -> Sum {
        (0..n)
            .map(|p| atom_of(base, k, 0, p))
            .chain([base + per - 1])
            .collect()
    };
    let ids: Vec<String> = first
        .rows()
        .categories
        .iter()
        .map(|c| c.id.clone())
        .collect();
    let mut system = System::default();
    let mut entries: Vec<Entry<Origin>> = Vec::new();
    let mut previous: Option<usize> = None;
    let mut release_atoms = |system: &mut System| {
        let base = system.add_release(per, &mut previous);
        let answered = |m: usize| -> Sum { option_atoms(base, m).to_vec() };
        for m in 1..k {
            system.same(answered(0), answered(m));
        }
        if let Some(rule) = rule {
            rule.bound(system, base);
        }
        base
    };
    let whole = |base: usize, m: usize| -> Sum { (0..n).map(|p| atom_of(base, k, m, p)).collect() };
    for (r, release) in earlier.iter().enumerate() {
        let tables: Vec<_> = members
            .iter()
            .map(|m| release.iter().find(|x| x.is_one_way(m.id())))
            .collect();
        if tables.iter().all(Option::is_none) {
            continue;
        }
        let base = release_atoms(&mut system);
        // What the audit of that release assumed a reader knew of it.
        if let Some(responses) = release.responses {
            system.exactly(everyone(base), responses);
        }
        for link in links {
            let total = release
                .iter()
                .find(|x| x.is_one_way(&link.variable))
                .and_then(|x| {
                    let value = x.cells.last()?.first().copied().flatten()?;
                    Some(x.shown(value))
                });
            if let Some(p) = total {
                link.bound(&mut system, base, p);
            }
        }
        for (m, table) in tables.iter().enumerate() {
            let Some(x) = table else { continue };
            let lines: Option<Vec<Vec<usize>>> =
                x.rows.iter().map(|l| positions(l, &ids)).collect();
            let Some(lines) = lines else { continue };
            for (e, line) in lines.iter().enumerate() {
                entries.push(Entry {
                    sum: line.iter().map(|&p| atom_of(base, k, m, p)).collect(),
                    published: x
                        .cells
                        .get(e)
                        .and_then(|c| c.first().copied().flatten())
                        .map(|v| x.shown(v)),
                    origin: Origin {
                        release: r,
                        member: m,
                        entry: e,
                    },
                });
            }
            if let Some(total) = x.cells.get(lines.len()) {
                entries.push(Entry {
                    sum: whole(base, m),
                    published: total.first().copied().flatten().map(|v| x.shown(v)),
                    origin: Origin {
                        release: r,
                        member: m,
                        entry: lines.len(),
                    },
                });
            }
        }
    }
    let base = release_atoms(&mut system);
    for (m, table) in members.iter().enumerate() {
        for (p, cell) in table.cells().iter().enumerate() {
            if cell.count == 0 {
                system.empty(atom_of(base, k, m, p));
            }
        }
    }
    // Who is in no group now was nobody earlier either: the audits of the earlier releases
    // assumed the reader knew that of them already. (A first release has nothing before it.)
    let before = (!entries.is_empty()).then(|| Before {
        system: system.clone(),
        entries: entries.len(),
        margin: 0,
    });
    if let Some(responses) = first.responses() {
        if first.total().count == responses {
            system.empty(base + per - 1);
        }
        system.exactly(everyone(base), responses);
    }
    for link in links {
        if let Some(p) = link.now {
            link.bound(&mut system, base, Shown::new(p, t));
        }
    }
    for (m, values) in shown.iter().enumerate() {
        for (e, published) in values.iter().enumerate() {
            let sum = if e < n {
                vec![atom_of(base, k, m, e)]
            } else {
                whole(base, m)
            };
            entries.push(Entry {
                sum,
                published: published.map(|v| Shown::new(v, t)),
                origin: Origin {
                    release: earlier.len(),
                    member: m,
                    entry: e,
                },
            });
        }
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
}

/// Makes every family of one-way tables safe together (see [`settle`]), families on a few
/// threads: they share no table.
pub(super) fn settle_families(
    tables: &[RawTable],
    (within, choices): (&[Within], &[Choices]),
    one_way: &[usize],
    first: &mut [Released],
    threshold: u32,
    earlier: &[EarlierRelease],
) {
    let all = families(tables, one_way);
    let snapshot: &[Released] = first;
    let settled = parallel_map(&all, threads(), |family| {
        let members: Vec<&RawTable> = family.iter().map(|&k| &tables[one_way[k]]).collect();
        let mut released: Vec<Released> = family.iter().map(|&k| snapshot[k].clone()).collect();
        let mut links: Vec<Link> = within
            .iter()
            .filter_map(|w| {
                let member = members.iter().position(|m| m.id() == w.option)?;
                let now = one_way
                    .iter()
                    .position(|&i| tables[i].id() == w.variable)
                    .and_then(|k| shown_values(&snapshot[k]).last().copied().flatten());
                Some(Link {
                    member,
                    atom: usize::from(!w.selected),
                    variable: w.variable.clone(),
                    now,
                    exact: w.exact,
                })
            })
            .collect();
        let rule = Rule::of(choices, &members);
        let known = (&mut links[..], rule.as_ref());
        let gone = settle(&members, known, &mut released, threshold, earlier);
        (released, gone)
    });
    for (family, (released, gone)) in all.iter().zip(settled) {
        for (&k, r) in family.iter().zip(released) {
            first[k] = r;
        }
        for variable in gone {
            if let Some(k) = one_way.iter().position(|&i| tables[i].id() == variable) {
                first[k] = withhold(
                    &tables[one_way[k]],
                    Refusal::AuditFailed {
                        entry: "how many answered it, which counts people who chose an option of \
                                another question"
                            .into(),
                    },
                );
            }
        }
    }
}

/// Follow-up questions whose number of respondents, shown now, pins a number of an earlier
/// release that no table of the family can protect any more: their one-way tables are withheld
/// (and with them every breakdown of theirs, which count the same people). Returns their
/// variables.
fn withhold_links(
    members: &[&RawTable],
    (links, rule): (&mut [Link], Option<&Rule>),
    earlier: &[EarlierRelease],
    t: u64,
) -> Vec<String> {
    let mut gone = Vec::new();
    while let Ok(Some(_)) = audit(members, &[], (links, rule), earlier, t) {
        let Some(variable) = links
            .iter()
            .find(|l| l.now.is_some())
            .map(|l| l.variable.clone())
        else {
            break;
        };
        for link in links.iter_mut().filter(|l| l.variable == variable) {
            link.now = None;
        }
        gone.push(variable);
    }
    gone
}

/// Makes one family's tables (`released`, one per member) safe together. First, follow-ups whose
/// total now pins an earlier number the family cannot protect are withheld ([`withhold_links`];
/// returned). Then, while a hidden number is too narrowly bounded, one more entry of this
/// release is hidden — the smallest published count of the same option's table, else of any
/// option's table, else a total — or, with nothing left to hide, an option's table is withheld.
/// Hiding only loosens the attacker's constraints, so this ends.
fn settle(
    members: &[&RawTable],
    (links, rule): (&mut [Link], Option<&Rule>),
    released: &mut [Released],
    threshold: u32,
    earlier: &[EarlierRelease],
) -> Vec<String> {
    let t = u64::from(threshold);
    let gone = if earlier.is_empty() {
        Vec::new()
    } else {
        withhold_links(members, (&mut *links, rule), earlier, t)
    };
    let links: &[Link] = links;
    let mut forced: Vec<Vec<bool>> = members
        .iter()
        .map(|m| vec![false; m.cells().len() + 1])
        .collect();
    loop {
        let shown: Vec<Vec<Option<u64>>> = released.iter().map(shown_values).collect();
        let origin = match audit(members, &shown, (links, rule), earlier, t) {
            Ok(None) => return gone,
            Ok(Some(origin)) => origin,
            Err(_) => {
                // Not provable either way: show none of the family's tables.
                for (m, r) in released.iter_mut().enumerate() {
                    *r = withhold(
                        members[m],
                        Refusal::AuditUnsolved {
                            detail: "the options of this question could not be checked together"
                                .into(),
                        },
                    );
                }
                return gone;
            }
        };
        // The smallest published count among entries `range` of option `m`'s table, an
        // option's "selected" count after the others (see `Layout::spared`).
        let smallest = |m: usize, range: std::ops::Range<usize>| {
            shown[m]
                .iter()
                .enumerate()
                .filter(|(e, _)| range.contains(e))
                .filter_map(|(e, v)| v.filter(|&v| v > 0).map(|v| (e == SELECTED, v, m, e)))
                .min()
        };
        let cells = |m: usize| 0..members[m].cells().len();
        let total = |m: usize| members[m].cells().len()..members[m].cells().len() + 1;
        let o = origin.member;
        let any = |range: &dyn Fn(usize) -> std::ops::Range<usize>| {
            (0..members.len())
                .filter_map(|m| smallest(m, range(m)))
                .min()
        };
        // Counts first, then totals (the same number in every option's table, but the one
        // another table's count can stand in for).
        let pick = smallest(o, cells(o))
            .or_else(|| any(&cells))
            .or_else(|| smallest(o, total(o)))
            .or_else(|| any(&total));
        let shown_member = (!shown[o].is_empty())
            .then_some(o)
            .or_else(|| (0..members.len()).find(|&m| !shown[m].is_empty()));
        match (pick, shown_member) {
            (Some((_, _, m, e)), _) => {
                forced[m][e] = true;
                released[m] = match protect_forcing(members[m], threshold, earlier, &forced[m]) {
                    Ok(table) => Released::Shown(table),
                    Err(reason) => withhold(members[m], reason),
                };
            }
            (None, Some(m)) => {
                released[m] = withhold(
                    members[m],
                    Refusal::AuditFailed {
                        entry: "a count of another option of this question".into(),
                    },
                );
            }
            // Nothing of this release left to hide: what remains is earlier releases.
            (None, None) => return gone,
        }
    }
}
