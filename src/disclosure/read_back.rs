//! A one-way table's hidden counts read back, as a reader would, from everything every release
//! says of its answers: its own shown counts, the totals (and cells) of follow-ups asked of some
//! of its answers' people, and the merged lines of its breakdowns — in this release and in
//! every earlier one, where counts only grow. One release alone may leave a withheld "don't
//! know" 12 wide; two releases with their follow-ups, each number at most the next release's,
//! pinned it to 8 wide (`follow_ups::tests::a_follow_up_s_totals_over_two_releases_do_not_pin_a_withheld_count`).
//!
//! Which questions tie to the table, and how, is read off today's answers (`follow_ups.rs`):
//! a question asked of exactly the people of some answers was so in every earlier release too,
//! for those are some of today's people with the same answers.

use crate::tally::RawTable;

use super::earlier::{positions, EarlierRelease, EarlierTable};
use super::joint::{ids, run, Before, Entry};
use super::system::{Sum, System, Witnesses};

/// Another one-way table tied to the one read back: its people gave `answers` (positions) and,
/// where `exactly`, are everyone who gave them; otherwise some of them (a lower bound).
pub(super) struct Tie<'c> {
    pub(super) x: &'c RawTable,
    pub(super) answers: Vec<usize>,
    pub(super) exactly: bool,
}

/// A two-way table of the read-back table's question with another: per answer, how many of
/// its people answered the other question too (today).
pub(super) struct Breakdown<'c> {
    pub(super) other: &'c str,
    pub(super) per_answer: Vec<u64>,
}

/// One table and what ties to it, to be audited over every release.
pub(super) struct ReadBack<'c> {
    pub(super) w: &'c RawTable,
    pub(super) ties: Vec<Tie<'c>>,
    pub(super) breakdowns: Vec<Breakdown<'c>>,
}

/// Which count of which release an audit found too narrow (earlier releases first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Narrow {
    pub(super) release: usize,
    pub(super) cell: usize,
}

impl ReadBack<'_> {
    /// The first count asked about that the releases bound narrower than `t`: this release's
    /// `targets_now` (positions), and of each earlier release the counts it hid of the table,
    /// or, where it withheld the table, those below `t` today (they were no more then). A count
    /// an earlier release already left narrower (published by a build that did not know what
    /// this one knows) is asked only to stay as wide. An audit the solver cannot finish counts
    /// as narrow: withholding is the safe answer.
    pub(super) fn narrow(
        &self,
        earlier: &[EarlierRelease],
        now: &[EarlierTable],
        targets_now: &[usize],
        t: u64,
    ) -> Option<Narrow> {
        let w = self.w;
        let n = w.cells().len();
        let small: Vec<usize> = (0..n).filter(|&c| w.cells()[c].count < t).collect();
        let mut system = System::default();
        let mut entries: Vec<Entry<Narrow>> = Vec::new();
        let mut previous = Previous {
            w: None,
            ties: vec![None; self.ties.len()],
        };
        for (k, release) in earlier.iter().enumerate() {
            let hidden = match release.iter().find(|x| x.is_one_way(w.id())) {
                Some(_) => None,
                None => Some(small.as_slice()),
            };
            let base = self.release(
                &release.tables,
                (k, hidden),
                &mut system,
                &mut entries,
                &mut previous,
            );
            // As this release's number below: what the audit of that release assumed.
            if let Some(responses) = release.responses {
                system.exactly((base..=base + n).collect(), responses);
            }
        }
        let before = Before {
            system: system.clone(),
            entries: entries.len(),
            margin: 0,
        };
        let release = (earlier.len(), Some(targets_now));
        let base = self.release(now, release, &mut system, &mut entries, &mut previous);
        // How many responses this release counts is taken as known exactly: a later release
        // made at the earliest moment the release rule allows caps it at five sixths of its own
        // count, which with that count adjusted down comes to the true number (docs/releases.md,
        // "the release rule tells a reader something"). The table's answers, and who else
        // answered, are everyone.
        if let Some(responses) = w.responses() {
            if w.total().count == responses {
                system.empty(base + n);
            }
            system.exactly((base..=base + n).collect(), responses);
        }
        let mut memory = Witnesses::default();
        match run(
            &mut system,
            entries,
            t,
            &mut memory,
            false,
            Some(before),
            |_| true,
        ) {
            Ok(narrow) => narrow,
            Err(_) => Some(Narrow {
                release: earlier.len(),
                cell: targets_now.first().copied().unwrap_or(0),
            }),
        }
    }

    /// One release's atoms and numbers: the table's answers (each at least what it was the
    /// release before) and one more for everyone else the release counted, each tied table's
    /// own cells, and what the release published of them. Returns the first atom.
    /// `asked`: the release's position, and the counts to ask about where the release withheld
    /// the table or is the one being made (`None`: every count it hid).
    fn release(
        &self,
        release: &[EarlierTable],
        (k, asked): (usize, Option<&[usize]>),
        system: &mut System,
        entries: &mut Vec<Entry<Narrow>>,
        previous: &mut Previous,
    ) -> usize {
        let w = self.w;
        let n = w.cells().len();
        let base = system.add_release(n + 1, &mut previous.w);
        let atoms = |pos: &[usize]| -> Sum { pos.iter().map(|&c| base + c).collect() };
        let own_ids = ids(w);
        let one_way = |x: &RawTable| release.iter().find(|e| e.is_one_way(x.id()));
        if let Some(table) = one_way(w) {
            for (line, cells) in table.rows.iter().zip(&table.cells) {
                let Some(pos) = positions(line, &own_ids) else {
                    continue;
                };
                let published = cells.first().copied().flatten();
                let ask = asked.map_or(published.is_none(), |a| pos.iter().all(|c| a.contains(c)));
                if published.is_some() || ask {
                    entries.push(Entry {
                        sum: atoms(&pos),
                        published: published.map(|v| table.shown(v)),
                        origin: Narrow {
                            release: k,
                            cell: pos[0],
                        },
                    });
                }
            }
            if let Some(total) = table
                .cells
                .last()
                .and_then(|c| c.first().copied().flatten())
            {
                system.publish(atoms(&(0..n).collect::<Vec<_>>()), table.shown(total));
            }
        } else {
            for &c in asked.unwrap_or_default() {
                entries.push(Entry {
                    sum: vec![base + c],
                    published: None,
                    origin: Narrow {
                        release: k,
                        cell: c,
                    },
                });
            }
        }
        for (tie, previous) in self.ties.iter().zip(&mut previous.ties) {
            let Some(table) = one_way(tie.x) else {
                continue;
            };
            let Some(total) = table
                .cells
                .last()
                .and_then(|c| c.first().copied().flatten())
            else {
                continue;
            };
            let answers = atoms(&tie.answers);
            if !tie.exactly {
                // Some of those answers' people, and none of the others'.
                system.at_least(answers, table.shown(total));
                continue;
            }
            // The tied table's own counts are further looks at the same people: each of its
            // cells one more group of them, together exactly those who gave the answers.
            let x_ids = ids(tie.x);
            let lines: Option<Vec<Vec<usize>>> = (table.rows.iter())
                .map(|line| positions(line, &x_ids))
                .collect();
            if let Some(lines) = lines.filter(|l| l.iter().all(|p| p.len() == 1)) {
                let first = system.add_release(x_ids.len(), previous);
                for (pos, cells) in lines.iter().zip(&table.cells) {
                    if let Some(v) = cells.first().copied().flatten() {
                        system.publish(vec![first + pos[0]], table.shown(v));
                    }
                }
                let own: Sum = (first..first + x_ids.len()).collect();
                system.same(own, answers.clone());
            }
            system.publish(answers, table.shown(total));
        }
        self.publish_breakdowns(release, &own_ids, atoms, system);
        base
    }

    /// The lines of the table's shown breakdowns that put several of its answers together:
    /// everyone who gave them where all of those answered the other question too, otherwise
    /// some of them.
    fn publish_breakdowns(
        &self,
        release: &[EarlierTable],
        own_ids: &[String],
        atoms: impl Fn(&[usize]) -> Sum,
        system: &mut System,
    ) {
        let w = self.w;
        for b in &self.breakdowns {
            let variable = w.rows().variable.as_str();
            let Some(y) = release.iter().find_map(|x| x.two_way(variable, b.other)) else {
                continue;
            };
            let width = y.columns.len();
            for (line, cells) in y.rows.iter().zip(&y.cells) {
                let Some(v) = cells.get(width).copied().flatten() else {
                    continue;
                };
                let Some(parts) = positions(line, own_ids).filter(|p| p.len() > 1) else {
                    continue;
                };
                let everyone = (parts.iter()).all(|&c| b.per_answer[c] == w.cells()[c].count);
                if everyone {
                    system.publish(atoms(&parts), y.shown(v));
                } else {
                    system.at_least(atoms(&parts), y.shown(v));
                }
            }
        }
    }
}

/// The first atom of the latest release added, of the table and of each tied table's cells.
struct Previous {
    w: Option<usize>,
    ties: Vec<Option<usize>>,
}
