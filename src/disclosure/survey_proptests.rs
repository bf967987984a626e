//! Property test over random small surveys released twice, attacked with everything at once:
//! an independent attacker who knows every published number of every table of the survey —
//! all one-way and all two-way tables, in both releases — that each is within the noise bound
//! of the truth, that no count is negative, and that responses are only ever added, solves one
//! linear programme over the finest groups of people (every combination of answers to all the
//! questions, in each release) and bounds every hidden number of both releases. No hidden
//! number may be pinned to a range narrower than the threshold.
//!
//! This covers what the attacker of `joint_proptests.rs` does not: several two-way tables of
//! one question (q1×q2, q1×q3, q2×q3) combined with each other, with every one-way table and
//! with the earlier release. The second release has at least max(T, ⌈20% of the first⌉) new
//! responses, as `src/release/` demands before it publishes one. Withholding a table is
//! allowed: a withheld table publishes nothing, but its cells are still counts of people, so the
//! attacker also asks every cell of a withheld breakdown (and every cell a first release's
//! designs merged away) that holds someone but fewer than T to stay T wide (`FOUND_WITHHELD_PINNED`).
//!
//! Two attackers run: one that reads a published 0 like any count (within the noise bound),
//! and one that also knows a published 0 is a true 0 (zeros stay zero, and a count from 1 to
//! T − 1 is never shown), so nobody is in any group it counts. The second found
//! `FOUND_WITH_ZEROS` while two-way tables still showed their zeros: the zeros of tables
//! sharing a question pinned a cell of a third. Between questions that no rule of the
//! questionnaire ties together, two-way zeros are now hidden (`inner::primary`). A third
//! variant gives the form a pair of answers it rules out (as an option offered only for some
//! answers of another question does): the engine shows that 0, and the attacker knows it too.
//!
//! Known gap (the ignored property): an attacker told which groups nobody is in beyond what the
//! tables show — every empty group of the latest release, or of the earlier one — can still
//! pin a hidden cell by combining several two-way tables (found as `FOUND_TOGETHER` and
//! `FOUND`; since the complement rule reads published numbers those cases' releases keep every
//! hidden number wide, but a random search of 200 surveys finds others). Such knowledge would
//! have to come from outside the releases. (Told the empty groups of the latest release, the
//! attacker also knows an earlier hidden 0 that is still 0: no release can keep that wide, and
//! the properties do not ask it to.) (Tables of
//! questions a rule ties together showed their zeros until `FOUND_TIED`, which combined them with
//! no outside knowledge; they hide them now and pass an audit under either assumption.) With no
//! outside knowledge at all, the tables of both releases together once pinned an earlier
//! release's hidden count just below the threshold (`FOUND_ACROSS_TABLES`, about one case in a
//! thousand then), though every pairwise audit kept it wide; since the audit reads earlier
//! two-way margins as lower bounds it stays wide, and 2,300 further cases found no other. With
//! every pair tied, a random search then found `FOUND_THREE_QUESTIONS`, pinned by the margins of
//! two other tables across both releases with no outside knowledge (one case in about 400); the
//! audit now also splits a pair's groups by their answer to each third question (`joint::Thirds`)
//! and keeps it wide. Knowing the published zeros, a search then found
//! `FOUND_ZEROS_SECOND_RELEASE`, pinned through the complement rule when it read true counts;
//! it reads published ones now, which the attacker has anyway.

use std::collections::{BTreeMap, BTreeSet};

use microlp::{ComparisonOp, Error, OptimizationDirection, Problem};
use proptest::prelude::*;
use proptest::test_runner::RngSeed;

use super::joint_proptests::{
    catalogue, earlier, matches, numbers, patterns, reader_range, record, Number, Record,
};
use super::{protect_catalogue, EarlierRelease, EarlierTable, Released, MAX_ADJUSTMENT};
use crate::tally::Catalogue;

/// Round-off of the solver; widths are whole numbers up to it.
const SLACK: f64 = 1e-6;

/// What the attacker knows, over atoms numbered release by release (each release has one atom
/// per answer combination, in the order of [`patterns`]).
struct Attacker {
    atoms: usize,
    per_release: usize,
    /// Atoms the attacker knows nobody is in.
    empty: Vec<bool>,
    /// Each published number: its atoms, and the range the truth lies in.
    known: Vec<(Vec<usize>, f64, f64)>,
    /// Sums of atoms that count the same people (see [`pair_attacker`]).
    same: Vec<(Vec<usize>, Vec<usize>)>,
}

impl Attacker {
    fn new(sizes: &[usize], releases: &[Vec<Number>]) -> Attacker {
        let pats = patterns(sizes);
        let per_release = pats.len();
        let d = MAX_ADJUSTMENT as f64;
        let mut known = Vec::new();
        for (k, numbers) in releases.iter().enumerate() {
            for n in numbers {
                if let Some(p) = n.published {
                    let p = p as f64;
                    known.push((atoms_of(&pats, k, n), (p - d).max(0.0), p + d));
                }
            }
        }
        Attacker {
            atoms: per_release * releases.len(),
            per_release,
            empty: vec![false; per_release * releases.len()],
            known,
            same: Vec::new(),
        }
    }

    /// Tells the attacker which groups of a pair of questions nobody is in, in release `k`:
    /// each pair of answers, and each answer to one with the other skipped — what the engine's
    /// own audit assumes an attacker knows of the release being made (see `joint.rs`), as a
    /// filter question makes known. Nobody is in them in earlier releases either. When nobody
    /// who gave an answer skipped the other question, a two-way margin counts the same people
    /// as a one-way count.
    fn knows_empty_groups(&mut self, sizes: &[usize], k: usize, records: &[Record]) {
        for (i, p) in patterns(sizes).iter().enumerate() {
            for a in 0..sizes.len() {
                for b in a + 1..sizes.len() {
                    let group = (p[a], p[b]);
                    if group != (None, None) && !records.iter().any(|(r, _)| (r[a], r[b]) == group)
                    {
                        self.empty[k * self.per_release + i] = true;
                    }
                }
            }
        }
    }

    /// Tells the attacker what every published zero shows: nobody is in any of its atoms, in
    /// its release and in every earlier one (counts only grow). A published 0 is a true 0:
    /// zeros stay zero, and a true count from 1 to T − 1 is never published.
    fn knows_published_zeros(&mut self, sizes: &[usize], releases: &[Vec<Number>]) {
        let pats = patterns(sizes);
        for (k, numbers) in releases.iter().enumerate() {
            for n in numbers.iter().filter(|n| n.published == Some(0)) {
                for a in atoms_of(&pats, k, n) {
                    let mut at = a;
                    loop {
                        self.empty[at] = true;
                        if at < self.per_release {
                            break;
                        }
                        at -= self.per_release;
                    }
                }
            }
        }
    }

    /// Tells the attacker how many responses each release counted (`counted[k]` for release
    /// `k`), exactly: the release rule (a fifth more responses for each new release) caps an
    /// earlier number at five sixths of the later one, which pins it when a release comes at the
    /// earliest moment allowed (docs/releases.md, "The release rule tells a reader something").
    fn knows_how_many_responded(&mut self, counted: &[usize]) {
        for (k, &n) in counted.iter().enumerate() {
            let atoms = (k * self.per_release..(k + 1) * self.per_release).collect();
            self.known.push((atoms, n as f64, n as f64));
        }
    }

    /// Tells the attacker the rule that no count from 1 to T − 1 is ever shown: a published
    /// number of T or more is a true count of at least T ([`reader_range`]).
    fn knows_the_threshold(&mut self, t: u32) {
        let d = MAX_ADJUSTMENT as f64;
        for (_, low, high) in &mut self.known {
            let shown = (*high - d) as u64;
            *low = low.max(reader_range(shown, u64::from(t)).0);
        }
    }

    /// Tells the attacker a pair of answers the form rules out: nobody answered `x` to q0 and
    /// `y` to q1, in any release.
    fn knows_ruled_out(&mut self, sizes: &[usize], (x, y): (usize, usize)) {
        for (i, p) in patterns(sizes).iter().enumerate() {
            if p[0] == Some(x) && p[1] == Some(y) {
                for k in 0..self.atoms / self.per_release {
                    self.empty[k * self.per_release + i] = true;
                }
            }
        }
    }

    /// Tells the attacker that the form shows q1 only to those who gave one of `answers` to q0:
    /// nobody who gave q0 another answer, or none, answered q1, in any release.
    fn knows_q1_shown_only_for(&mut self, sizes: &[usize], answers: &[usize]) {
        for (i, p) in patterns(sizes).iter().enumerate() {
            if !p[0].is_some_and(|a| answers.contains(&a)) && p[1].is_some() {
                for k in 0..self.atoms / self.per_release {
                    self.empty[k * self.per_release + i] = true;
                }
            }
        }
    }

    /// Whether what the attacker was told of the groups nobody is in pins `target` to 0 with no
    /// table at all: each of its atoms is empty in its own release or a later one (counts only
    /// grow). Told the empty groups of the latest release, the attacker knows an earlier hidden
    /// 0 that is still 0; no release can keep that wide, so the properties do not ask it to.
    fn told_empty(&self, target: &[usize]) -> bool {
        let releases = self.atoms / self.per_release;
        target.iter().all(|&a| {
            let k = a / self.per_release;
            (k..releases).any(|later| self.empty[a + (later - k) * self.per_release])
        })
    }

    /// The optimal point for the sum of `objective`'s atoms, `None` when it is unbounded.
    fn solve(&self, objective: &[usize], direction: OptimizationDirection) -> Option<Vec<f64>> {
        let mut on = vec![false; self.atoms];
        for &a in objective {
            on[a] = true;
        }
        let mut problem = Problem::new(direction);
        let vars: Vec<_> = on
            .iter()
            .zip(&self.empty)
            .map(|(&o, &empty)| {
                let most = if empty { 0.0 } else { f64::INFINITY };
                problem.add_var(if o { 1.0 } else { 0.0 }, (0.0, most))
            })
            .collect();
        for (sum, lo, hi) in &self.known {
            let terms: Vec<_> = sum.iter().map(|&a| (vars[a], 1.0)).collect();
            problem.add_constraint(terms.clone(), ComparisonOp::Ge, *lo);
            if hi.is_finite() {
                problem.add_constraint(terms, ComparisonOp::Le, *hi);
            }
        }
        for (left, right) in &self.same {
            let terms: Vec<_> = left
                .iter()
                .map(|&a| (vars[a], 1.0))
                .chain(right.iter().map(|&a| (vars[a], -1.0)))
                .collect();
            problem.add_constraint(terms, ComparisonOp::Eq, 0.0);
        }
        // The same group of people is never smaller in a later release.
        for later in self.per_release..self.atoms {
            let earlier = later - self.per_release;
            problem.add_constraint(
                vec![(vars[later], 1.0), (vars[earlier], -1.0)],
                ComparisonOp::Ge,
                0.0,
            );
        }
        match problem.solve() {
            Ok(o) => {
                let s = o.into_solution().expect("solved");
                Some(vars.iter().map(|v| s.var_value(*v)).collect())
            }
            Err(Error::Unbounded) => None,
            Err(e) => panic!("the attacker's LP failed: {e}"),
        }
    }

    /// For each target, its feasible range's width if it is narrower than `t` (else `None`).
    ///
    /// Every optimal point found is feasible, so two points `t` apart in a target prove it wide
    /// without LPs of its own; two LPs pushing every target up and then down together usually
    /// prove most of them. A target not proven so gets its own maximum and minimum: exact.
    fn narrow(&self, targets: &[Vec<usize>], t: f64) -> Vec<Option<f64>> {
        let value = |p: &[f64], s: &[usize]| s.iter().map(|&a| p[a]).sum::<f64>();
        let mut seen = vec![(f64::INFINITY, f64::NEG_INFINITY); targets.len()];
        let add = |seen: &mut [(f64, f64)], p: &[f64]| {
            for (s, target) in seen.iter_mut().zip(targets) {
                let v = value(p, target);
                *s = (s.0.min(v), s.1.max(v));
            }
        };
        let wide = |s: (f64, f64)| s.1 - s.0 + SLACK >= t;
        let mut all: Vec<usize> = targets.iter().flatten().copied().collect();
        all.sort_unstable();
        all.dedup();
        for direction in [
            OptimizationDirection::Maximize,
            OptimizationDirection::Minimize,
        ] {
            if let Some(p) = self.solve(&all, direction) {
                add(&mut seen, &p);
            }
        }
        let mut out = vec![None; targets.len()];
        for (i, target) in targets.iter().enumerate() {
            if wide(seen[i]) {
                continue;
            }
            let Some(high) = self.solve(target, OptimizationDirection::Maximize) else {
                continue;
            };
            add(&mut seen, &high);
            if wide(seen[i]) {
                continue;
            }
            let low = self
                .solve(target, OptimizationDirection::Minimize)
                .expect("counts are never negative");
            add(&mut seen, &low);
            if !wide(seen[i]) {
                out[i] = Some(value(&high, target) - value(&low, target));
            }
        }
        out
    }
}

/// The atoms of release `k` that number `n` counts.
fn atoms_of(pats: &[Vec<Option<usize>>], k: usize, n: &Number) -> Vec<usize> {
    pats.iter()
        .enumerate()
        .filter(|(_, p)| matches(p, &n.filter))
        .map(|(i, _)| k * pats.len() + i)
        .collect()
}

/// What a release of `n` responses published, as a later release's audit reads it.
fn counted(released: &[Released], n: usize) -> EarlierRelease {
    EarlierRelease {
        responses: Some(n as u64),
        ..earlier(released)
    }
}

/// The inner cells that the designs of `released` (a release of `records`) merged into larger
/// lines and that held someone but fewer than `t` then: a design merges lines to keep such a
/// cell from being read, so each is a hidden number of that release like any other.
fn merged_away(sizes: &[usize], released: &[Released], records: &[Record], t: u32) -> Vec<Number> {
    let mut out = Vec::new();
    for p in released.iter().filter_map(Released::shown) {
        let inner = numbers(sizes, p).into_iter().take(p.cells.len());
        for n in inner.filter(|_| p.columns.is_some()) {
            let lines: Vec<(usize, &Vec<usize>)> = (n.filter.iter().enumerate())
                .filter_map(|(q, f)| f.as_ref().map(|f| (q, f)))
                .collect();
            let [(qa, rows), (qb, columns)] = lines[..] else {
                continue;
            };
            if rows.len() == 1 && columns.len() == 1 {
                continue;
            }
            let cells = ((qa, rows.as_slice()), (qb, columns.as_slice()));
            out.extend(small_cells(sizes, cells, records, t));
        }
    }
    out
}

/// The inner cells of every breakdown `released` (a release of `records`) withheld, that
/// held someone but fewer than `t`: each is a hidden number of that release, which other
/// tables of it (a question shown only to some, broken down by the other question) or a later
/// release showing the breakdown (counts only grow) could bound.
fn withheld_cells(
    sizes: &[usize],
    released: &[Released],
    records: &[Record],
    t: u32,
) -> Vec<Number> {
    let q = |v: &str| v.trim_start_matches('q').parse::<usize>().expect("q<n>");
    let mut out = Vec::new();
    for w in released.iter().filter_map(|r| match r {
        Released::Withheld(w) => Some(w),
        Released::Shown(_) => None,
    }) {
        let Some(columns) = &w.columns else { continue };
        let (qa, qb) = (q(&w.rows.variable), q(&columns.variable));
        let (rows, columns): (Vec<usize>, Vec<usize>) =
            ((0..sizes[qa]).collect(), (0..sizes[qb]).collect());
        out.extend(small_cells(
            sizes,
            ((qa, &rows), (qb, &columns)),
            records,
            t,
        ));
    }
    out
}

/// A question and some of its answers (positions).
type Answers<'a> = (usize, &'a [usize]);

/// Every cell of answers `a` of question `qa` and `b` of `qb` (each of `rows` by each of
/// `columns`) that 1 to `t` − 1 of `records` gave, as a hidden number.
fn small_cells(
    sizes: &[usize],
    ((qa, rows), (qb, columns)): (Answers<'_>, Answers<'_>),
    records: &[Record],
    t: u32,
) -> Vec<Number> {
    let mut out = Vec::new();
    for &a in rows {
        for &b in columns {
            let held = (records.iter())
                .filter(|(answers, _)| answers[qa] == Some(a) && answers[qb] == Some(b))
                .count();
            if held > 0 && held < t as usize {
                let mut filter = vec![None; sizes.len()];
                filter[qa] = Some(vec![a]);
                filter[qb] = Some(vec![b]);
                out.push(Number {
                    filter,
                    published: None,
                });
            }
        }
    }
    out
}

/// Every published number of every table shown in a release, with its hidden ones.
fn numbers_of(sizes: &[usize], released: &[Released]) -> Vec<Number> {
    released
        .iter()
        .filter_map(Released::shown)
        .flat_map(|p| numbers(sizes, p))
        .collect()
}

/// 3–4 questions of 2–4 categories (at most 300 answer combinations, skipping included), a
/// threshold, the first release's records, and the second's: at least max(T, ⌈20%⌉) more.
fn survey() -> impl Strategy<Value = (Vec<usize>, u32, Vec<Record>, usize)> {
    prop::collection::vec(2usize..=4, 3..=4)
        .prop_filter("small enough to solve quickly", |sizes| {
            sizes.iter().map(|n| n + 1).product::<usize>() <= 300
        })
        .prop_flat_map(|sizes| (Just(sizes), 5u32..=10, 25usize..=150, 0usize..=20))
        .prop_flat_map(|(sizes, t, first, extra)| {
            let new = (t as usize).max(first.div_ceil(5)) + extra;
            let records = prop::collection::vec(record(sizes.clone()), first + new);
            (Just(sizes), Just(t), records, Just(first))
        })
}

/// The catalogue of `records`; with `tied`, every two-way table counted as linked by a rule of
/// the questionnaire (as an option shown only for some answers of another question links it).
fn catalogue_tied(sizes: &[usize], records: &[Record], tied: bool) -> Catalogue {
    let mut c = catalogue(sizes, records);
    if tied {
        c.tie_every_pair();
    }
    c
}

/// Releases the records twice and lets the attacker bound every hidden number of both.
///
/// `tied`: every pair of questions is treated as tied by a rule of the questionnaire (as an
/// option shown only for some answers of another question would tie it), so the engine's audit
/// also assumes every group nobody is in is known.
fn attack(
    sizes: &[usize],
    t: u32,
    records: &[Record],
    first_n: usize,
    (knows, tied): (Knows, bool),
) -> Result<(), TestCaseError> {
    attack_with(sizes, t, records, first_n, (knows, tied), Form::Free)
}

/// A pair of answers of q0 × q1 that the form rules out, as an option of q1 offered only for
/// some answers of q0 would: nobody gives it, the two questions are tied, the engine is told
/// (as `tally` tells it from the form), and so is the attacker.
const RULED_OUT: (usize, usize) = (0, 1);

/// The records with the pair the form rules out answered otherwise: q1's answer moved on by
/// one (wrapping round).
fn obeying_the_rule(sizes: &[usize], records: &[Record]) -> Vec<Record> {
    let (x, y) = RULED_OUT;
    records
        .iter()
        .map(|(answers, key)| {
            let mut answers = answers.clone();
            if answers[0] == Some(x) && answers[1] == Some(y) {
                answers[1] = Some((y + 1) % sizes[1]);
            }
            (answers, *key)
        })
        .collect()
}

/// The answer of q0 for which alone the form shows q1 (a condition on showing a question,
/// such as "carried naloxone" asked only of those who used opioids).
const SHOWN_FOR: &[usize] = &[0];

/// Two answers of q0 for which the form shows q1 (`used in ['heroin', 'fentanyl']`).
const SHOWN_FOR_TWO: &[usize] = &[0, 1];

/// The records as a form that shows q1 only to those who gave one of `shown_for` to q0 would
/// have them: q1 unanswered for everyone else.
fn with_q1_shown_only_for(records: &[Record], shown_for: &[usize]) -> Vec<Record> {
    records
        .iter()
        .map(|(answers, key)| {
            let mut answers = answers.clone();
            if !answers[0].is_some_and(|a| shown_for.contains(&a)) {
                answers[1] = None;
            }
            (answers, *key)
        })
        .collect()
}

/// The records with every question answered, as a form whose questions are all required (or
/// offer "prefer not to say" as an answer) has them: a skipped answer becomes the question's last
/// answer. Then each question's total is everyone, which a reader knows exactly
/// ([`Attacker::knows_how_many_responded`]), and a hidden count is everyone less the rest.
fn answered_by_everyone(sizes: &[usize], records: &[Record]) -> Vec<Record> {
    records
        .iter()
        .map(|(answers, key)| {
            let answers = answers
                .iter()
                .zip(sizes)
                .map(|(a, n)| Some(a.unwrap_or(n - 1)))
                .collect();
            (answers, *key)
        })
        .collect()
}

/// What the form itself tells every reader, beyond the tables.
#[derive(Clone, Copy)]
enum Form {
    /// Nothing: every question shown to everyone, every answer offered to all.
    Free,
    /// A pair of q0 × q1 answers nobody can give (the records must obey it).
    RulesOut((usize, usize)),
    /// q1 is shown only to those who gave one of these answers to q0 (the records must obey
    /// it). The engine is told the two are tied, as `Survey::question_ties` ties them.
    ShowsQ1OnlyFor(&'static [usize]),
}

/// [`attack`], with what the form tells every reader (`form`).
fn attack_with(
    sizes: &[usize],
    t: u32,
    records: &[Record],
    first_n: usize,
    (knows, tied): (Knows, bool),
    form: Form,
) -> Result<(), TestCaseError> {
    let tables = |records: &[Record]| {
        let mut c = catalogue_tied(sizes, records, tied);
        // As `tally` counts them.
        c.set_responses(Some(records.len() as u64));
        if let Form::ShowsQ1OnlyFor(_) = form {
            // As `tally` ties a question to the one its condition reads.
            c.linked.insert("q0__q1".to_owned());
        }
        if let Form::RulesOut((x, y)) = form {
            let mut mask = vec![false; sizes[0] * sizes[1]];
            mask[x * sizes[1] + y] = true;
            for table in c.tables.iter_mut().filter(|t| t.id() == "q0__q1") {
                *table = table.clone().ruling_out(&mask);
            }
            c.linked.insert("q0__q1".to_owned());
        }
        c
    };
    let first = protect_catalogue(&tables(&records[..first_n]), t, &[]);
    let second = protect_catalogue(&tables(records), t, &[counted(&first, first_n)]);
    let releases = [numbers_of(sizes, &first), numbers_of(sizes, &second)];
    let mut attacker = Attacker::new(sizes, &releases);
    if matches!(knows, Knows::EmptyNow | Knows::EmptyThenAndNow) {
        attacker.knows_empty_groups(sizes, 1, records);
    }
    if matches!(knows, Knows::EmptyThenAndNow) {
        attacker.knows_empty_groups(sizes, 0, &records[..first_n]);
    }
    if matches!(knows, Knows::PublishedZeros) {
        attacker.knows_published_zeros(sizes, &releases);
    }
    match form {
        Form::Free => {}
        Form::RulesOut(pair) => attacker.knows_ruled_out(sizes, pair),
        Form::ShowsQ1OnlyFor(answers) => attacker.knows_q1_shown_only_for(sizes, answers),
    }
    attacker.knows_how_many_responded(&[first_n, records.len()]);
    attacker.knows_the_threshold(t);
    let pats = patterns(sizes);
    let mut hidden = Vec::new();
    let mut targets = Vec::new();
    let mut merged = merged_away(sizes, &first, &records[..first_n], t);
    merged.extend(withheld_cells(sizes, &first, &records[..first_n], t));
    let withheld_now = withheld_cells(sizes, &second, records, t);
    let asked = [releases[0].iter().chain(&merged).collect::<Vec<_>>(), {
        releases[1].iter().chain(&withheld_now).collect()
    }];
    for (k, numbers) in asked.iter().enumerate() {
        for n in numbers.iter().filter(|n| n.published.is_none()) {
            let target = atoms_of(&pats, k, n);
            if !attacker.told_empty(&target) {
                hidden.push((k, &n.filter));
                targets.push(target);
            }
        }
    }
    for ((k, filter), width) in hidden.iter().zip(attacker.narrow(&targets, f64::from(t))) {
        prop_assert!(
            width.is_none(),
            "release {} number counting {:?} is pinned to {:?} wide; sizes {:?}, {} then {} records",
            k + 1,
            filter,
            width,
            sizes,
            first_n,
            records.len()
        );
    }
    Ok(())
}

/// The surveys the suite draws: 12 (a quick suite), the same ones in every run, so that a run
/// fails when the engine changes and not when a draw happens on a gap like the one
/// `FOUND_ACROSS_TABLES` once was (about one case in two thousand). `CHORUS_SURVEY_CASES=500` searches
/// harder; `CHORUS_SURVEY_SEED=random` (or another number) draws other surveys.
fn config() -> ProptestConfig {
    let cases = std::env::var("CHORUS_SURVEY_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(12);
    let rng_seed = match std::env::var("CHORUS_SURVEY_SEED").as_deref() {
        Ok("random") => RngSeed::Random,
        Ok(n) => RngSeed::Fixed(n.parse().unwrap_or(SEED)),
        Err(_) => RngSeed::Fixed(SEED),
    };
    ProptestConfig {
        cases,
        rng_seed,
        ..ProptestConfig::default()
    }
}

/// The suite's own draw (see [`config`]).
const SEED: u64 = 2026;

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_hidden_number_is_pinned_by_every_table_of_both_releases_together(
        (sizes, t, records, first_n) in survey(),
    ) {
        attack(&sizes, t, &records, first_n, (Knows::Nothing, false))?;
    }

    #[test]
    fn no_hidden_number_is_pinned_by_every_table_of_both_releases_when_rules_tie_every_pair(
        (sizes, t, records, first_n) in survey(),
    ) {
        attack(&sizes, t, &records, first_n, (Knows::Nothing, true))?;
    }

    #[test]
    fn no_hidden_number_is_pinned_by_every_table_of_both_releases_knowing_the_published_zeros(
        (sizes, t, records, first_n) in survey(),
    ) {
        attack(&sizes, t, &records, first_n, (Knows::PublishedZeros, false))?;
    }

    #[test]
    fn no_hidden_number_is_pinned_by_every_table_of_both_releases_knowing_the_published_zeros_when_rules_tie_every_pair(
        (sizes, t, records, first_n) in survey(),
    ) {
        attack(&sizes, t, &records, first_n, (Knows::PublishedZeros, true))?;
    }

    #[test]
    fn no_hidden_number_is_pinned_by_every_table_of_both_releases_knowing_the_published_zeros_and_a_pair_the_form_rules_out(
        (sizes, t, records, first_n) in survey(),
    ) {
        let records = obeying_the_rule(&sizes, &records);
        attack_with(&sizes, t, &records, first_n, (Knows::PublishedZeros, false), Form::RulesOut(RULED_OUT))?;
    }

    #[test]
    fn no_hidden_number_is_pinned_by_every_table_of_both_releases_knowing_the_published_zeros_and_a_question_shown_only_for_one_answer(
        (sizes, t, records, first_n) in survey(),
    ) {
        let records = with_q1_shown_only_for(&records, SHOWN_FOR);
        let form = Form::ShowsQ1OnlyFor(SHOWN_FOR);
        attack_with(&sizes, t, &records, first_n, (Knows::PublishedZeros, false), form)?;
    }

    #[test]
    fn no_hidden_number_is_pinned_by_every_table_of_both_releases_knowing_a_question_shown_only_for_one_answer(
        (sizes, t, records, first_n) in survey(),
    ) {
        let records = with_q1_shown_only_for(&records, SHOWN_FOR);
        let form = Form::ShowsQ1OnlyFor(SHOWN_FOR);
        attack_with(&sizes, t, &records, first_n, (Knows::Nothing, false), form)?;
    }

    #[test]
    fn no_hidden_number_is_pinned_by_every_table_of_both_releases_knowing_a_question_shown_only_for_two_answers(
        (sizes, t, records, first_n) in survey(),
    ) {
        let records = with_q1_shown_only_for(&records, SHOWN_FOR_TWO);
        let form = Form::ShowsQ1OnlyFor(SHOWN_FOR_TWO);
        attack_with(&sizes, t, &records, first_n, (Knows::PublishedZeros, false), form)?;
    }

    #[test]
    fn no_hidden_number_is_pinned_by_every_table_of_both_releases_when_everyone_answers_every_question(
        (sizes, t, records, first_n) in survey(),
    ) {
        let records = answered_by_everyone(&sizes, &records);
        attack(&sizes, t, &records, first_n, (Knows::Nothing, false))?;
    }

    #[test]
    fn no_hidden_number_is_pinned_by_every_table_of_both_releases_knowing_the_published_zeros_when_everyone_answers_every_question(
        (sizes, t, records, first_n) in survey(),
    ) {
        let records = answered_by_everyone(&sizes, &records);
        attack(&sizes, t, &records, first_n, (Knows::PublishedZeros, false))?;
    }

    #[test]
    #[ignore = "known gap: told every group nobody is in, beyond the zeros the tables show, \
                several two-way tables together can pin a hidden cell (see FOUND_TOGETHER)"]
    fn no_hidden_number_is_pinned_by_every_table_of_both_releases_knowing_the_empty_groups(
        (sizes, t, records, first_n) in survey(),
    ) {
        attack(&sizes, t, &records, first_n, (Knows::EmptyNow, true))?;
    }
}

/// Found by searching for a second release in which a breakdown passes the audit only in the
/// design the first release showed it in (`as_before.rs`): sizes [4, 3, 4], T = 5, the first
/// 67 records released, then all 86.
const FOUND_AS_BEFORE: &str = "
        ---:0 ---:0 ---:0 ---:0 ---:0 ---:0
        0--:0 ---:0 ---:0 ---:0 ---:0 1-0:1303959701
        2-0:1042311209 ---:0 ---:0 ---:0 ---:0 ---:0
        ---:0 0-2:0 ---:0 ---:0 ---:359 000:3051663410
        000:4245324167 010:65275228 01-:3828128821 022:3169377622 002:2782025012 30-:2648235317
        013:944684075 00-:2838934101 001:2434228176 2-0:1154889741 100:1836329022 200:1884505918
        203:2156475923 210:3772981733 022:3941859198 --0:3207114078 000:473048714 000:2254748061
        00-:1277810324 3-3:1861099824 -10:1750597904 003:1645304317 0-2:1902435797 021:3388708758
        200:3900242001 000:2601023660 013:2960328312 00-:3423882819 020:3266075769 002:3809818179
        001:520967264 310:2831231332 000:3328733023 02-:3341957603 220:481954174 000:732387134
        001:2104578455 003:4288094014 301:800933229 100:1963387635 200:1469437716 300:207341945
        001:1259571823 000:196072080 200:2234422110 000:3195226086 300:263362525 010:526180389
        002:1285904732 -10:4051939668 -21:1403969163 310:2793073254 2-3:46414098 200:248284079
        1-0:882639573 111:2076554129 022:2620050212 000:2915964937 -11:1082607249 200:1049348398
        021:2184657930 010:2396168347
";

#[test]
fn a_breakdown_shown_again_in_its_earlier_design_keeps_every_hidden_number_wide() {
    let (sizes, t, first_n) = ([4, 3, 4], 5, 67);
    let records = parse(FOUND_AS_BEFORE);
    let first = protect_catalogue(&catalogue(&sizes, &records[..first_n]), t, &[]);
    let second = protect_catalogue(&catalogue(&sizes, &records), t, &[earlier(&first)]);
    // Its cheaper designs all fail against the first release: the breakdown is shown only as
    // it was then, with the cells hidden then hidden again.
    let shown = |released: &[Released]| -> EarlierTable {
        let table = released
            .iter()
            .find(|r| r.id() == "q0__q2")
            .expect("q0 × q2");
        EarlierTable::from_protected(table.shown().expect("shown"))
    };
    let (then, now) = (shown(&first), shown(&second));
    assert_eq!((&now.rows, &now.columns), (&then.rows, &then.columns));
    for (r, row) in then.cells.iter().enumerate().take(then.rows.len()) {
        for (c, cell) in row.iter().enumerate().take(then.columns.len()) {
            assert!(
                cell.is_some() || now.cells[r][c].is_none(),
                "cell {r}, {c} shown again"
            );
        }
    }
    for knows in [Knows::Nothing, Knows::PublishedZeros] {
        attack_case(FOUND_AS_BEFORE, &sizes, (t, first_n), knows);
    }
}

/// Found by the property when its attacker also knew the first release's empty groups:
/// sizes [3, 4, 2, 4], T = 8, the first 124 records released,
/// then all 161. Each record: its four answers (`-` skipped) and its record key.
const FOUND: &str = "
        ----:0 ----:0 ----:0 ----:0 ----:0 ----:0 -1-3:494761991 1000:1064995788 0000:3662061320
        -210:2778638848 1003:581374034 10-0:4240228506 0110:379699406 22-2:3813714055
        0-00:2168712106 0000:957724402 2203:2688401562 2013:996546572 0212:1346968274
        0010:2319841508 00-0:974868901 0000:607677001 2303:1255836862 0013:2496512568
        100-:2285150402 2000:2177925581 0202:2047761732 0012:3197437095 1010:2737867756
        0-03:1336811001 2000:3137384888 0010:1910870300 0-11:2728035883 2000:3690869131
        0100:2810351534 0010:1419026468 031-:1474715946 1310:2034541741 0000:3363159812
        0000:3137492326 1100:3121335184 2002:561555600 0202:347995542 -200:3060819850
        0-12:1416608510 0000:1343999490 -000:1726602120 0103:344069055 2100:1279617780
        0300:1249170944 0012:1880597557 0200:2069741976 0200:799458965 0311:2974011751
        -100:777201860 0-01:3766594822 0200:3517729732 1203:1212121847 0010:1747459931
        0-00:4146423037 0000:3938425300 0010:226666247 0012:2512986760 0000:1762612650
        0000:1647350266 0100:3512955534 00-0:3151352 0010:3266848156 0100:608488011
        0010:3350132094 0001:4276336795 0003:4161778105 1000:1590092745 0000:2967973998
        0012:1240344535 020-:3260366117 1010:662813485 1300:2939391644 030-:4192224329
        0012:3735607997 0000:2854109398 1000:3083755253 0002:4179765565 -003:3806870602
        0010:2800641002 120-:183119835 00-0:3328266220 0000:2816919875 0210:1579288246
        1010:1313943644 0000:2951789815 2100:2713851051 0102:645174126 1110:3274187236
        2-00:2182980722 0011:320813961 0000:1994084197 0200:2073710595 00-1:824147629
        0000:2984185467 1001:3048838355 0002:1446622193 2003:981994750 1003:3895575136
        0000:1583071528 1000:3107619967 1203:605648489 0010:493740442 2012:2416038808
        0-03:1755118997 0000:216435845 0101:1101593037 0200:2242337783 0112:2407991544
        0000:2102002980 0200:2753234195 001-:2161571988 -012:1957585117 2000:2345892604
        0003:4225490443 0010:2718101273 0000:1837370901 0010:2289301130 0010:2326875350
        --01:1108242379 2-00:298353643 10-0:238191758 -101:924256252 0100:4015571337
        1-01:4233557003 0000:1904550145 1-03:731592047 0201:679815410 0000:3502389975
        000-:2843610837 20-3:2880219981 0000:4266947756 1-00:120269069 200-:1171683199
        2000:3339059110 001-:2147788574 0110:3997653597 2010:3247192816 0-01:3748412496
        0-00:3843444337 0100:3891336474 0003:870849019 0000:3143422401 0-11:4167054095
        1003:1358448803 0-10:2925670942 0001:2347358050 1000:1001721942 0000:969538939
        10-1:1939931373 0010:697589192 -001:1807809024 0000:362032899 2010:258057698
        0000:3387955551 0-01:3140070423
";

/// Found by the zero-aware property over tied tables while they still showed their zeros:
/// sizes [4, 4, 2], T = 8, the first 63 records released, then all 76. With every pair tied,
/// the tables of both releases pinned a count of q0 that release 1 hid to 7 wide, even for an
/// attacker who reads a published 0 like any other count. Each record: its three answers (`-`
/// skipped) and its record key.
const FOUND_TIED: &str = "
        0--:182603435 0--:955449472 0--:3184953724 0--:3053230767 0--:579885137 300:2607625670
        0--:57414537 200:2581583532 0--:1623589636 0--:1022178968 100:2153817280 1-0:271880719
        0--:911762073 1-0:3702469741 ---:0 300:1139115208 0--:2521071066 1-0:283082083 ---:0
        0--:2735530639 ---:0 ---:0 0--:4052612298 100:2262166714 0--:2471876294 0--:2058241124
        0--:2599738459 0--:604739572 0--:1149786158 0--:1459951886 100:2918474599 300:2719663678
        0--:564538483 0--:1109513578 100:2515215615 0--:251964198 0--:2417967017 301:1170477422
        301:1423690026 0--:875117258 100:1547838669 01-:328541753 01-:3601951490 01-:684530878
        0--:107638035 0--:559650766 ---:0 01-:2881288671 0--:1706520683 300:1627586084
        20-:1210305216 0--:2055257187 310:3185190955 0--:2590491680 ---:0 ---:0 011:1343017231
        0--:1194091219 02-:1401206351 001:3573133812 ---:0 03-:417756782 ---:30629 021:4106810004
        020:1508204940 -20:2371205000 301:2252013752 001:83012230 100:1588500669 100:57750908
        00-:1765917163 000:1935502723 000:2970288536 00-:3906315083 011:2064039136 220:1516786320
";

/// Found by the property (and by its tied-tables twin) at 600 cases, and pinned by the
/// plainest attacker: sizes [4, 4, 2], T = 8, the first 63 records released, then all 76.
/// Release 1 hides three of q0's four counts (7, 3 and 7 people); release 2 publishes the last
/// of them (8 people, shown as 9) and a q0 × q2 table with that answer as a row of its own.
/// Every audit the engine then ran — each two-way table with its one-way tables and the earlier
/// release, each one-way table with its earlier release — kept release 1's count at least 8
/// wide; every table of both releases together pinned it to 7. Since the audit also reads every
/// earlier release's two-way margins as lower bounds on the one-way counts they share
/// (`earlier::margins_of`), the engine hides more here and the count stays wide.
/// Each record: its three answers (`-` skipped) and its record key.
const FOUND_ACROSS_TABLES: &str = "
        0--:183088437 0-0:955449472 000:3184953724 011:3053230767 0-0:579885137 320:2607625670
        000:57414537 211:2581583532 010:1623589636 000:1022178968 110:2153817280 100:271880719
        000:911762073 100:3702469741 -01:799780778 301:1139115208 000:2521071066 100:283082083
        -00:1392494761 000:2735530639 -20:2470086999 --0:3660243261 000:4052612298 200:2262166714
        000:2471876294 000:2058241124 000:2599738459 03-:604739572 001:1149786158 001:1459951886
        101:2918474599 330:2719663678 000:564538483 030:1109513578 120:2515215615 010:251964198
        0--:2417967017 311:1170477422 301:1423690026 001:875117258 101:1547838669 020:328541753
        010:3601951490 030:684530878 000:107638035 0-1:559650766 -00:345213744 030:2881288671
        000:1706520683 300:1627586084 20-:1210305216 000:2055257187 330:3185190955 00-:2590491680
        -01:1993887864 -10:113317389 011:1343017231 000:1194091219 02-:1401206351 001:3573133812
        -0-:3701638415 030:417756782 -31:4014660399 021:4106810004 020:1508204940 -20:2371205000
        301:2252013752 001:83012230 100:1588500669 100:57750908 00-:1765917163 000:1935502723
        000:2970288536 00-:3906315083 011:2064039136 220:1516786320
";

fn parse(case: &str) -> Vec<Record> {
    case.split_whitespace()
        .map(|r| {
            let (answers, key) = r.split_once(':').expect("answers:key");
            let answers = answers
                .chars()
                .map(|c| c.to_digit(10).map(|d| d as usize))
                .collect();
            (answers, key.parse().expect("key"))
        })
        .collect()
}

/// What the attacker is told besides the published numbers.
#[derive(Clone, Copy)]
enum Knows {
    Nothing,
    /// Which atoms the published zeros show are empty.
    PublishedZeros,
    /// Which groups of each pair nobody is in, in the latest release.
    EmptyNow,
    /// That, and which were empty in the first release.
    EmptyThenAndNow,
}

impl Knows {
    /// An attacker told every empty group is set against the engine's audit that assumes the
    /// same within each pair: the tables of questions a rule ties together.
    fn set_against_tied_tables(self) -> bool {
        matches!(self, Knows::EmptyNow | Knows::EmptyThenAndNow)
    }
}

/// A case released twice; the attacker's range of the hidden number counting `cell` in
/// release `r` (0 or 1), using all tables of both releases, when narrower than T.
fn width_in(
    case: &str,
    sizes: &[usize],
    (t, first_n): (u32, usize),
    (r, cell): (usize, Vec<Option<Vec<usize>>>),
    knows: Knows,
) -> Option<f64> {
    let tied = knows.set_against_tied_tables();
    width_in_tables(case, sizes, (t, first_n), (r, cell), (knows, tied))
}

/// [`width_in`], with `tied`: whether the engine treats every pair of questions as tied by a
/// rule of the questionnaire.
fn width_in_tables(
    case: &str,
    sizes: &[usize],
    (t, first_n): (u32, usize),
    (r, cell): (usize, Vec<Option<Vec<usize>>>),
    (knows, tied): (Knows, bool),
) -> Option<f64> {
    let records = parse(case);
    let tables = |records: &[Record]| catalogue_tied(sizes, records, tied);
    let first = protect_catalogue(&tables(&records[..first_n]), t, &[]);
    let second = protect_catalogue(&tables(&records), t, &[earlier(&first)]);
    let releases = [numbers_of(sizes, &first), numbers_of(sizes, &second)];
    let hidden = releases[r]
        .iter()
        .find(|n| n.published.is_none() && n.filter == cell)
        .expect("the number is hidden");
    let target = atoms_of(&patterns(sizes), r, hidden);
    let mut attacker = Attacker::new(sizes, &releases);
    attacker.knows_the_threshold(t);
    if matches!(knows, Knows::PublishedZeros) {
        attacker.knows_published_zeros(sizes, &releases);
    }
    if matches!(knows, Knows::EmptyNow | Knows::EmptyThenAndNow) {
        attacker.knows_empty_groups(sizes, 1, &records);
    }
    if matches!(knows, Knows::EmptyThenAndNow) {
        attacker.knows_empty_groups(sizes, 0, &records[..first_n]);
    }
    attacker.narrow(&[target], f64::from(t))[0]
}

/// A found case released twice, against an attacker who knows `knows` (and, as in
/// [`width_in`], an engine that ties every pair when the attacker is told the empty groups):
/// every hidden number of both releases. Since the complement rule reads published numbers
/// only, the numbers the first cases were found on are no longer all hidden; this keeps asking
/// of all that are.
fn attack_case(case: &str, sizes: &[usize], (t, first_n): (u32, usize), knows: Knows) {
    let tied = knows.set_against_tied_tables();
    if let Err(e) = attack(sizes, t, &parse(case), first_n, (knows, tied)) {
        panic!("{e}");
    }
}

/// [`attack_case`] for the records of a form that shows q1 only to those who answered
/// [`SHOWN_FOR`] to q0, the attacker knowing it.
fn attack_shown_for_case(case: &str, sizes: &[usize], (t, first_n): (u32, usize), knows: Knows) {
    let records = with_q1_shown_only_for(&parse(case), SHOWN_FOR);
    let form = Form::ShowsQ1OnlyFor(SHOWN_FOR);
    if let Err(e) = attack_with(sizes, t, &records, first_n, (knows, false), form) {
        panic!("{e}");
    }
}

#[test]
fn the_found_case_keeps_its_hidden_cell_wide_against_every_table_of_both_releases() {
    attack_case(FOUND, &[3, 4, 2, 4], (8, 124), Knows::EmptyNow);
}

/// Outside the audit's model: the attacker knows which q1 × q3 groups were empty in the first
/// release but not in the second. With the complement read off the true counts, the q1 × q3
/// table with q1 and q3 pinned a release-2 cell to 5 wide (T = 8); with it read off the
/// published ones, that cell is shown and every hidden number of both releases stays wide. The
/// kind of attack is still open: the ignored property above finds others.
#[test]
fn the_found_case_keeps_its_hidden_cell_wide_even_knowing_the_earlier_empty_groups() {
    attack_case(FOUND, &[3, 4, 2, 4], (8, 124), Knows::EmptyThenAndNow);
}

/// Found by the property knowing the empty groups: sizes [4, 3, 3], T = 6, the first 61
/// records released, then all 74. In the first release, q0 × q2 (q0's second and third
/// answers merged) and q1 × q2 (q2's second and third merged) alone, with the groups nobody is
/// in, pin q0 × q2's hidden merged cell at q2's second answer; either table with its own
/// one-way tables leaves it wide.
const FOUND_TOGETHER: &str = "
        0-0:281467718 0-0:3238528528 000:1812498499 302:204718193 010:3009469244 110:2126134575
        300:1825587873 001:609472807 101:537696928 220:834663410 200:1406460383 30-:155268474
        012:169822955 000:33615658 011:3677845478 000:306079682 300:208648293 020:3146032235
        002:1292612169 0--:209912339 310:767357558 3-0:1857922752 000:390776291 002:2522960186
        0-1:1792522807 3--:594329353 0-1:1816032865 010:4014883075 000:781464967 000:1664480572
        310:1892842948 00-:3640486309 100:1020003519 30-:4145813350 000:73210036 000:2296528565
        -00:3437424482 002:2098849559 002:172826662 002:3890115818 010:3965678914 010:2615531735
        100:4285755990 000:111801137 302:3872463570 010:1556034395 000:10236108 0-0:3199026329
        000:2929786636 020:917482252 320:3806727113 0-1:1835717351 000:2615485377 0-0:2092936799
        000:3854452097 020:973678793 000:823670039 010:622623845 20-:269089208 120:640344080
        101:3394524212 022:635749933 000:2747380053 101:2733718614 000:66297615 202:3758623659
        300:2834524343 02-:4143667248 300:51129474 000:2500366992 300:2345761571 200:4106839705
        101:3752075687 021:3511797619
";

#[test]
fn two_two_way_tables_sharing_a_question_keep_a_hidden_cell_wide_when_empty_groups_are_unknown() {
    attack_case(FOUND_TOGETHER, &[4, 3, 3], (6, 61), Knows::Nothing);
}

/// Told every group nobody is in, beyond the zeros the tables show, q0 × q2 and q1 × q2 of
/// release 1 alone together pin the merged q0 × q2 cell to 5.5 wide (T = 6).
#[test]
#[ignore = "known gap: told every group nobody is in, beyond the zeros the tables show, \
            q0 × q2 and q1 × q2 of release 1 alone together pin the merged q0 × q2 cell to 5.5 \
            wide (T = 6)"]
fn two_two_way_tables_sharing_a_question_keep_a_hidden_cell_wide_when_empty_groups_are_known() {
    attack_case(FOUND_TOGETHER, &[4, 3, 3], (6, 61), Knows::EmptyNow);
}

/// The attacker itself: it must find what tables give away together, or the property above
/// would pass for want of trying.
mod the_attacker {
    use super::*;

    /// A number of a survey of three yes/no questions: `(question, categories)` it counts.
    fn number(filter: &[(usize, &[usize])], published: Option<u64>) -> Number {
        let mut f = vec![None; 3];
        for (q, cats) in filter {
            f[*q] = Some(cats.to_vec());
        }
        Number {
            filter: f,
            published,
        }
    }

    /// A two-way table of questions `a` and `b`: inner cells row by row, then the margins.
    fn two_way(a: usize, b: usize, inner: [Option<u64>; 4], margins: [u64; 5]) -> Vec<Number> {
        let mut out = Vec::new();
        for (k, p) in inner.into_iter().enumerate() {
            out.push(number(&[(a, &[k / 2]), (b, &[k % 2])], p));
        }
        let lines = [
            (&[0][..], &[0, 1][..]),
            (&[1], &[0, 1]),
            (&[0, 1], &[0]),
            (&[0, 1], &[1]),
            (&[0, 1], &[0, 1]),
        ];
        for ((r, c), p) in lines.into_iter().zip(margins) {
            out.push(number(&[(a, r), (b, c)], Some(p)));
        }
        out
    }

    fn one_way(q: usize, cells: [u64; 2]) -> Vec<Number> {
        vec![
            number(&[(q, &[0])], Some(cells[0])),
            number(&[(q, &[1])], Some(cells[1])),
            number(&[(q, &[0, 1])], Some(cells[0] + cells[1])),
        ]
    }

    /// The q0 × q1 cell (first answers to both) as the attacker's target in release `k`.
    fn target(k: usize) -> Vec<usize> {
        let sizes = [2, 2, 2];
        atoms_of(&patterns(&sizes), k, &number(&[(0, &[0]), (1, &[0])], None))
    }

    /// q0 × q1 with every inner cell hidden, and its two one-way tables.
    fn hidden_pair() -> Vec<Number> {
        let mut pair = one_way(0, [31, 31]);
        pair.extend(one_way(1, [31, 31]));
        pair.extend(two_way(0, 1, [None; 4], [31, 31, 31, 31, 62]));
        pair
    }

    /// [`hidden_pair`], with q2 splitting q0 and q1 alike: its first answer goes only with
    /// their first answers.
    fn split_by_a_third_question() -> Vec<Number> {
        let mut all = hidden_pair();
        all.extend(one_way(2, [30, 30]));
        let split = [Some(30), Some(0), Some(0), Some(30)];
        all.extend(two_way(0, 2, split, [30, 30, 30, 30, 60]));
        all.extend(two_way(1, 2, split, [30, 30, 30, 30, 60]));
        all
    }

    #[test]
    fn two_tables_of_a_third_question_pin_a_cell_that_its_own_tables_keep_wide() {
        // Every inner cell of q0 × q1 is hidden. But 30 people gave q2 its first answer, 30 of
        // them q0's first and 30 of them q1's first: at least 28 + 28 − 32 = 24 gave both, and
        // q0's first answer with any answer to q1 is at most 33.
        let alone = Attacker::new(&[2, 2, 2], &[hidden_pair()]);
        assert_eq!(alone.narrow(&[target(0)], 10.0), vec![None]);
        let together = Attacker::new(&[2, 2, 2], &[split_by_a_third_question()]);
        let width = together.narrow(&[target(0)], 10.0)[0].expect("pinned");
        assert!((width - 9.0).abs() < SLACK, "{width}");
    }

    #[test]
    fn published_zeros_known_as_zeros_pin_a_cell_further() {
        // The tables above, q2 splitting q0 and q1 alike: a published 0 is read as "between 0
        // and 2" by default, and as nobody once the attacker knows zeros stay zero.
        let releases = [split_by_a_third_question()];
        let plain = Attacker::new(&[2, 2, 2], &releases);
        let mut knowing = Attacker::new(&[2, 2, 2], &releases);
        knowing.knows_published_zeros(&[2, 2, 2], &releases);
        let before = plain.narrow(&[target(0)], 10.0)[0].expect("pinned");
        let after = knowing.narrow(&[target(0)], 10.0)[0].expect("pinned");
        assert!(after + 1.0 <= before, "{after} against {before}");
    }

    #[test]
    fn a_two_way_margin_shows_a_hidden_one_way_count_when_nobody_skipped_the_other_question() {
        // 60 people answered q0, its two counts hidden; 40 of them answered q1 too, 20 of those
        // giving q0 its first answer. Once nobody who gave that answer skipped q1, those 20
        // are q0's hidden count.
        let mut numbers = vec![
            number(&[(0, &[0])], None),
            number(&[(0, &[1])], None),
            number(&[(0, &[0, 1])], Some(60)),
        ];
        numbers.extend(two_way(0, 1, [None; 4], [20, 20, 20, 20, 40]));
        let hidden = atoms_of(&patterns(&[2, 2, 2]), 0, &numbers[0]);
        let mut attacker = Attacker::new(&[2, 2, 2], &[numbers]);
        assert_eq!(
            attacker.narrow(std::slice::from_ref(&hidden), 10.0),
            vec![None]
        );
        let answers = [
            (vec![Some(0), Some(0), None], 0),
            (vec![Some(1), Some(1), None], 0),
            (vec![Some(1), None, None], 0),
        ];
        attacker.knows_empty_groups(&[2, 2, 2], 0, &answers);
        let width = attacker.narrow(&[hidden], 10.0)[0].expect("pinned");
        assert!((width - 4.0).abs() < SLACK, "{width}");
    }

    #[test]
    fn an_earlier_release_bounds_a_hidden_cell_from_below() {
        // Now the whole inner table is hidden and the cell is anything from 0 to 24 + 2 (its
        // row); before it was published as 20, so it is at least 18 now: 8 wide.
        let now = two_way(0, 1, [None; 4], [24, 30, 24, 30, 54]);
        let alone = Attacker::new(&[2, 2, 2], &[vec![], now.clone()]);
        assert_eq!(alone.narrow(&[target(1)], 10.0), vec![None]);
        let before = vec![number(&[(0, &[0]), (1, &[0])], Some(20))];
        let both = Attacker::new(&[2, 2, 2], &[before, now]);
        let width = both.narrow(&[target(1)], 10.0)[0].expect("pinned");
        assert!((width - 8.0).abs() < SLACK, "{width}");
    }
}

/// Found by the property whose attacker knows only what the tables show, published zeros
/// included, while two-way tables still showed their zeros: sizes [4, 4, 4], T = 7, the first
/// 140 records released, then all 171. The zeros q0 × q2 and q1 × q2 showed said which answers
/// to q0 and q1 never go with some answer to q2; with them, the tables of both releases
/// together pinned the second release's hidden q0 × q1 cell (q0's second answer, q1's third)
/// to 6 wide. Knowing only the one-way zeros, it stayed wide. Zeros between questions no rule
/// ties together are now hidden (`inner::primary`).
const FOUND_WITH_ZEROS: &str = "
        ---:0 ---:0 ---:0 ---:0 ---:0 ---:0 ---:0 03-:859804164 ---:0 ---:0 ---:0 -3-:1476844425
        ---:0 ---:0 ---:0 ---:0 ---:0 ---:0 ---:0 ---:0 ---:0 ---:0 ---:0 ---:0 ---:0 21-:0 ---:0
        ---:0 ---:0 10-:6086664 ---:63505697 300:3287885145 100:39692295 -03:1444491075
        300:3953487343 02-:3422437892 300:3010560983 000:3301477047 203:4185337855 303:4193287612
        302:2697797792 210:4170428376 -00:655486572 000:2083979684 200:482802440 020:2811449711
        201:3790397190 033:1849407608 000:2790565639 030:592355076 221:1482870270 00-:3616111253
        003:920861752 -00:3939147507 00-:1492403353 021:2202121589 030:2449812923 3-0:3777137771
        003:3786324921 -20:3517005493 100:4191797926 003:372850805 022:1748241528 300:2679043878
        233:2451553315 202:2365375034 200:742112651 000:2940948757 300:3580086861 012:574235383
        000:277061908 030:3406371014 300:3302064198 011:2540980779 203:2731542827 002:892171163
        000:3605166443 030:1411475292 0-2:3577523349 103:744816210 030:1919712033 001:1670853132
        2-0:3730026298 0-2:2031928660 2-0:334098125 21-:3069126087 000:1540314908 0-0:4064217975
        302:2629433557 000:793778788 000:706652516 003:244645293 020:1000607766 010:1517884711
        -00:2722182184 030:1778464847 20-:350054669 200:2573063283 100:1798967481 001:541204957
        -33:1014878795 000:1276099743 200:4035575289 002:3002802367 030:3628431225 030:3731109605
        322:1140063164 200:322398463 00-:2148367141 113:309031675 230:2480372015 303:2001734618
        003:4243681734 000:2676885602 100:2367912537 300:2129268067 230:3836307460 020:3373687859
        000:715856260 00-:666896689 03-:2240415462 000:3049418922 000:2970173701 100:2262100037
        2-1:2280528502 000:3149511805 100:1220258834 -10:2421110487 002:3150400048 010:1901674064
        000:3423918659 202:770620653 -2-:3303352474 012:3246870309 320:3539449754 0-2:490993613
        000:260277925 010:1150287074 302:2740405830 00-:2830394597 031:575139816 100:2614003242
        230:634626723 220:2696478752 220:642756513 000:2262096995 3-3:725622206 0-0:1064415511
        020:4133615302 000:1196864558 011:3677022786 -10:1696692796 030:3444237273 000:3222031986
        300:4118781706 200:1583875608 -23:2842324603 123:1625202283 010:2347900352 002:1020592781
        010:834950141 000:1718841888 001:1813867617 -20:2678331628 331:1182778922 000:2991454383
        20-:2742737361 0-0:1629266512 0-0:1043048525 331:3210110344 000:2582871705
";

/// The third found case's hidden q0 × q1 cell, release 2.
fn zeros_width(knows: Knows) -> Option<f64> {
    let cell = vec![Some(vec![1]), Some(vec![2]), None];
    width_in(FOUND_WITH_ZEROS, &[4, 4, 4], (7, 140), (1, cell), knows)
}

#[test]
fn the_case_found_with_zeros_keeps_its_hidden_cell_wide_when_nothing_is_known_beyond_the_counts() {
    assert_eq!(zeros_width(Knows::Nothing), None);
}

#[test]
fn the_case_found_with_zeros_keeps_its_hidden_cell_wide_knowing_the_published_zeros() {
    assert_eq!(zeros_width(Knows::PublishedZeros), None);
}

/// With the earlier margins' lower bounds switched off (`joint::bound_by_margins`) the count is
/// pinned 7 wide again and this fails.
#[test]
fn a_count_hidden_in_the_first_release_stays_wide_against_every_table_of_both_releases() {
    let cell = (0, vec![Some(vec![3]), None, None]);
    let width = width_in(
        FOUND_ACROSS_TABLES,
        &[4, 4, 2],
        (8, 63),
        cell,
        Knows::Nothing,
    );
    assert_eq!(width, None);
}

/// `FOUND_TIED` released twice, its questions tied or not, against both attackers.
fn attack_found_tied(tied: bool) {
    let records = parse(FOUND_TIED);
    for knows in [Knows::Nothing, Knows::PublishedZeros] {
        if let Err(e) = attack(&[4, 4, 2], 8, &records, 63, (knows, tied)) {
            panic!("{e}");
        }
    }
}

#[test]
fn the_case_found_with_tied_questions_keeps_its_hidden_count_wide_against_every_table() {
    attack_found_tied(true);
}

#[test]
fn the_case_found_with_tied_questions_stays_wide_when_its_questions_are_not_tied() {
    attack_found_tied(false);
}

/// A peer survey's closed questions as answered: age band, gender, site, opioid use, overdoses
/// witnessed, respect at the service; each option's share, skewed as real answers are.
const REALISTIC: [&[f64]; 6] = [
    &[0.12, 0.3, 0.3, 0.18, 0.1],
    &[0.62, 0.33, 0.04, 0.01],
    &[0.35, 0.25, 0.15, 0.12, 0.09, 0.04],
    &[0.72, 0.28],
    &[0.45, 0.3, 0.25],
    &[0.05, 0.1, 0.2, 0.4, 0.25],
];

/// [`REALISTIC`]'s questions, repeated to `questions` questions.
fn realistic(questions: usize) -> Vec<&'static [f64]> {
    REALISTIC.iter().copied().cycle().take(questions).collect()
}

/// How many answers each of [`realistic`]'s `questions` questions has.
pub(super) fn realistic_sizes(questions: usize) -> Vec<usize> {
    realistic(questions)
        .iter()
        .map(|shares| shares.len())
        .collect()
}

/// `n` records answering [`realistic`]'s `questions` questions, 3% of answers skipped.
pub(super) fn realistic_records(seed: u64, n: usize, questions: usize) -> Vec<Record> {
    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    fn answer(rng: &mut StdRng, shares: &[f64]) -> Option<usize> {
        if rng.gen::<f64>() < 0.03 {
            return None;
        }
        let mut x = rng.gen::<f64>();
        for (i, share) in shares.iter().enumerate() {
            if x < *share {
                return Some(i);
            }
            x -= share;
        }
        Some(shares.len() - 1)
    }
    let mut rng = StdRng::seed_from_u64(seed);
    let questions = realistic(questions);
    (0..n)
        .map(|_| {
            let answers = questions.iter().map(|s| answer(&mut rng, s)).collect();
            (answers, rng.gen())
        })
        .collect()
}

/// The numbers of `releases` about questions `keep` only, as numbers of a survey of those
/// questions.
fn about_only(releases: &[Vec<Number>], keep: &[usize]) -> Vec<Vec<Number>> {
    releases
        .iter()
        .map(|numbers| {
            numbers
                .iter()
                .filter(|n| (0..n.filter.len()).all(|q| keep.contains(&q) || n.filter[q].is_none()))
                .map(|n| Number {
                    filter: keep.iter().map(|&q| n.filter[q].clone()).collect(),
                    published: n.published,
                })
                .collect()
        })
        .collect()
}

/// Every `k` of `n` questions, in order.
fn groups_of(n: usize, k: usize) -> Vec<Vec<usize>> {
    if k == 0 {
        return vec![Vec::new()];
    }
    (k - 1..n)
        .flat_map(|last| {
            groups_of(last, k - 1).into_iter().map(move |mut g| {
                g.push(last);
                g
            })
        })
        .collect()
}

/// Each hidden number of `releases`, with the release it is in.
fn hidden_numbers(releases: &[Vec<Number>]) -> Vec<(usize, &Number)> {
    releases
        .iter()
        .enumerate()
        .flat_map(|(r, ns)| {
            ns.iter()
                .filter(|n| n.published.is_none())
                .map(move |n| (r, n))
        })
        .collect()
}

/// How [`pinned_by_groups`] names a number of release `r` (from 0) that the tables of questions
/// `keep` pin (`filter` over those questions alone).
fn named(keep: &[usize], r: usize, filter: &[Option<Vec<usize>>]) -> String {
    format!("questions {keep:?}, release {}, {filter:?}", r + 1)
}

/// Every hidden number of the releases that the tables of one of `groups` (each a few
/// questions) pin to narrower than `t`, for an attacker who knows the published zeros are true
/// zeros.
fn pinned_by_groups(
    sizes: &[usize],
    t: u32,
    releases: &[Vec<Number>],
    groups: Vec<Vec<usize>>,
) -> Vec<String> {
    let mut pinned = Vec::new();
    for keep in groups {
        let sub_sizes: Vec<usize> = keep.iter().map(|&i| sizes[i]).collect();
        let sub = about_only(releases, &keep);
        let mut attacker = Attacker::new(&sub_sizes, &sub);
        attacker.knows_the_threshold(t);
        attacker.knows_published_zeros(&sub_sizes, &sub);
        let pats = patterns(&sub_sizes);
        let hidden = hidden_numbers(&sub);
        let targets: Vec<Vec<usize>> = hidden.iter().map(|(r, n)| atoms_of(&pats, *r, n)).collect();
        for ((r, n), width) in hidden.iter().zip(attacker.narrow(&targets, f64::from(t))) {
            if let Some(w) = width {
                pinned.push(format!("{}: {w:.2} wide", named(&keep, *r, &n.filter)));
            }
        }
    }
    pinned
}

/// Where each pair of questions' groups sit among one release's atoms: for a pair (a, b), one
/// atom per answer of a (or a skipped) and answer of b (or b skipped).
struct PairAtoms {
    sizes: Vec<usize>,
    offsets: Vec<((usize, usize), usize)>,
    per_release: usize,
}

impl PairAtoms {
    fn new(sizes: &[usize]) -> PairAtoms {
        let mut offsets = Vec::new();
        let mut at = 0;
        for pair in groups_of(sizes.len(), 2) {
            offsets.push(((pair[0], pair[1]), at));
            at += (sizes[pair[0]] + 1) * (sizes[pair[1]] + 1);
        }
        PairAtoms {
            sizes: sizes.to_vec(),
            offsets,
            per_release: at,
        }
    }

    /// The atoms of pair (a, b) in release `r` whose answers `keep_a` and `keep_b` accept
    /// (index `size` stands for skipped).
    fn atoms(
        &self,
        r: usize,
        (a, b): (usize, usize),
        keep_a: impl Fn(usize) -> bool,
        keep_b: impl Fn(usize) -> bool,
    ) -> Vec<usize> {
        let (_, offset) = self
            .offsets
            .iter()
            .find(|(p, _)| *p == (a, b))
            .expect("a pair");
        let width = self.sizes[b] + 1;
        let mut out = Vec::new();
        for i in (0..=self.sizes[a]).filter(|&i| keep_a(i)) {
            for j in (0..=self.sizes[b]).filter(|&j| keep_b(j)) {
                out.push(r * self.per_release + offset + i * width + j);
            }
        }
        out
    }

    /// The atoms a number of release `r` counts: a two-way number in its own pair, a one-way
    /// number in the pair of its question with the first other question.
    fn of(&self, r: usize, n: &Number) -> Vec<usize> {
        let asked: Vec<usize> = (0..n.filter.len())
            .filter(|&q| n.filter[q].is_some())
            .collect();
        let accepts = |q: usize| {
            let cats = n.filter[q].clone().expect("asked");
            move |c: usize| cats.contains(&c)
        };
        match asked[..] {
            [a, b] => self.atoms(r, (a, b), accepts(a), accepts(b)),
            [a] => {
                let other = usize::from(a == 0);
                if a < other {
                    self.atoms(r, (a, other), accepts(a), |_| true)
                } else {
                    self.atoms(r, (other, a), |_| true, accepts(a))
                }
            }
            _ => panic!("a number about one or two questions"),
        }
    }
}

/// An attacker over every table of the survey at once, for surveys too large for one atom per
/// combination of all answers: one atom per pair of answers of each pair of questions, in each
/// release, where every pair that shares a question agrees on how many gave each answer to it
/// (and skipped it), a group never shrinks in a later release, and a published 0 is a true 0.
/// Weaker than [`Attacker::new`]'s (no three-way groups), stronger than any audit of one pair.
fn pair_attacker(sizes: &[usize], releases: &[Vec<Number>]) -> (Attacker, PairAtoms) {
    let layout = PairAtoms::new(sizes);
    let d = MAX_ADJUSTMENT as f64;
    let mut known = Vec::new();
    let mut empty = vec![false; layout.per_release * releases.len()];
    for (r, numbers) in releases.iter().enumerate() {
        for n in numbers {
            let atoms = layout.of(r, n);
            match n.published {
                Some(0) => {
                    for &a in &atoms {
                        for earlier in 0..=r {
                            empty[a - (r - earlier) * layout.per_release] = true;
                        }
                    }
                }
                Some(p) => known.push((atoms, (p as f64 - d).max(0.0), p as f64 + d)),
                None => {}
            }
        }
    }
    let mut same = Vec::new();
    for r in 0..releases.len() {
        for (q, &size) in sizes.iter().enumerate() {
            let pairs: Vec<(usize, usize)> = layout
                .offsets
                .iter()
                .map(|(p, _)| *p)
                .filter(|&(a, b)| a == q || b == q)
                .collect();
            for c in 0..=size {
                let group = |&(a, b): &(usize, usize)| {
                    if a == q {
                        layout.atoms(r, (a, b), |i| i == c, |_| true)
                    } else {
                        layout.atoms(r, (a, b), |_| true, |j| j == c)
                    }
                };
                for pair in &pairs[1..] {
                    same.push((group(&pairs[0]), group(pair)));
                }
            }
        }
    }
    let attacker = Attacker {
        atoms: layout.per_release * releases.len(),
        per_release: layout.per_release,
        empty,
        known,
        same,
    };
    (attacker, layout)
}

/// Every hidden number of the releases that [`pair_attacker`] pins to narrower than `t`.
fn pinned_by_every_pair(sizes: &[usize], t: u32, releases: &[Vec<Number>]) -> Vec<String> {
    let (mut attacker, layout) = pair_attacker(sizes, releases);
    attacker.knows_the_threshold(t);
    let hidden = hidden_numbers(releases);
    let targets: Vec<Vec<usize>> = hidden.iter().map(|(r, n)| layout.of(*r, n)).collect();
    hidden
        .iter()
        .zip(attacker.narrow(&targets, f64::from(t)))
        .filter_map(|((r, n), w)| {
            w.map(|w| format!("every pair, release {}, {:?}: {w:.2} wide", r + 1, n.filter))
        })
        .collect()
}

/// [`REALISTIC`]'s releases: each one's numbers, and apart the small cells its breakdowns did
/// not show apart.
struct Realistic {
    numbers: Vec<Vec<Number>>,
    /// Per release: the cells of its withheld breakdowns that held 1 to T − 1 people, and (but
    /// for the last release) those its designs merged into larger lines.
    unshown: Vec<Vec<Number>>,
}

impl Realistic {
    /// Every release's numbers, with its unshown cells as hidden numbers.
    fn asked(&self) -> Vec<Vec<Number>> {
        (self.numbers.iter().zip(&self.unshown))
            .map(|(numbers, cells)| numbers.iter().chain(cells).cloned().collect())
            .collect()
    }

    /// [`pinned_by_groups`] over every release, less an unshown cell that a release's one-way
    /// tables, with everything shown before it, already pin: the engine does not ask those —
    /// withholding breakdowns would not widen them, and the one-way tables come first
    /// (docs/releases.md, "Cells of a withheld breakdown").
    fn pinned(&self, sizes: &[usize], t: u32, groups: Vec<Vec<usize>>) -> Vec<String> {
        let asked = self.asked();
        let name = |p: &String| p.split(':').next().unwrap_or_default().to_owned();
        let pinned = pinned_by_groups(sizes, t, &asked, groups.clone());
        // Each unshown cell by name, with the questions whose tables would pin it.
        let mut unshown: BTreeMap<String, &Vec<usize>> = BTreeMap::new();
        for keep in &groups {
            for (r, cells) in about_only(&self.unshown, keep).iter().enumerate() {
                unshown.extend(cells.iter().map(|n| (named(keep, r, &n.filter), keep)));
            }
        }
        // Only the groups that pin an unshown cell are attacked again, with one-way tables.
        let mut again: Vec<Vec<usize>> = (pinned.iter())
            .filter_map(|p| unshown.get(&name(p)).map(|keep| (*keep).clone()))
            .collect();
        again.sort();
        again.dedup();
        let mut bare_pinned = BTreeSet::new();
        for s in (0..asked.len()).filter(|_| !again.is_empty()) {
            let mut bare = asked[..=s].to_vec();
            let one_way = |n: &Number| n.filter.iter().flatten().count() < 2;
            bare[s].retain(|n| n.published.is_none() || one_way(n));
            let found = pinned_by_groups(sizes, t, &bare, again.clone());
            bare_pinned.extend(found.iter().map(name));
        }
        (pinned.into_iter())
            .filter(|p| !(unshown.contains_key(&name(p)) && bare_pinned.contains(&name(p))))
            .collect()
    }
}

/// [`REALISTIC`]'s releases, the first at `first_n` responses and each later one with max(T,
/// ⌈20%⌉) more, as `src/release/` demands.
fn realistic_releases(
    seed: u64,
    t: u32,
    (first_n, count): (usize, usize),
    questions: usize,
) -> Realistic {
    let sizes = realistic_sizes(questions);
    let mut counts = vec![first_n];
    for _ in 1..count {
        let n = counts[counts.len() - 1];
        counts.push(n + (t as usize).max(n.div_ceil(5)));
    }
    let records = realistic_records(seed, counts[counts.len() - 1], questions);
    let mut before = Vec::new();
    let mut releases = Realistic {
        numbers: Vec::new(),
        unshown: Vec::new(),
    };
    for (k, &n) in counts.iter().enumerate() {
        let mut tables = catalogue(&sizes, &records[..n]);
        tables.set_responses(Some(n as u64));
        let released = protect_catalogue(&tables, t, &before);
        releases.numbers.push(numbers_of(&sizes, &released));
        let mut unshown = withheld_cells(&sizes, &released, &records[..n], t);
        if k + 1 < counts.len() {
            unshown.extend(merged_away(&sizes, &released, &records[..n], t));
        }
        releases.unshown.push(unshown);
        before.push(counted(&released, n));
    }
    releases
}

/// The random surveys above are small, and three questions' tables together once pinned what
/// every pairwise audit kept wide (`FOUND_ACROSS_TABLES`). A survey with the sizes and the
/// skew real answers have, released at 100 responses and again at 120, attacked with the
/// tables of every three of its six questions at once (all one-way and two-way tables of both
/// releases, the zeros read as true zeros): nothing is pinned — neither a hidden number of a
/// table nor a small cell of a breakdown withheld, or merged away by a design of a release
/// before the last, unless one-way tables alone pin it ([`Realistic::pinned`]).
///
/// `CHORUS_TRIPLE_SEEDS`, `CHORUS_TRIPLE_RESPONSES` and `CHORUS_TRIPLE_RELEASES` try more
/// surveys, other sizes and more releases (`CHORUS_TRIPLE_FIRST_SEED` other surveys;
/// `CHORUS_TRIPLE_QUESTIONS` more questions, the six repeated — from 13 every pair shares
/// tables with more than `MAX_THIRDS` others, and only the margin of
/// `UNMODELLED_THIRDS_MARGIN` stands where the split audits would; docs/releases.md);
/// `CHORUS_TRIPLE_GROUP=0` attacks with [`pinned_by_every_pair`] instead, `=2` or `=4` with
/// every two or four questions. That found
/// [`the_realistic_survey_found_over_three_releases_keeps_its_hidden_count_wide`].
#[test]
fn no_hidden_number_of_a_realistic_survey_is_pinned_by_any_three_questions_of_both_releases() {
    let env = |name: &str, default: usize| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let seeds = env("CHORUS_TRIPLE_SEEDS", 1) as u64;
    let first_seed = env("CHORUS_TRIPLE_FIRST_SEED", 0) as u64;
    let first_n = env("CHORUS_TRIPLE_RESPONSES", 100);
    let release_count = env("CHORUS_TRIPLE_RELEASES", 2);
    let questions = env("CHORUS_TRIPLE_QUESTIONS", REALISTIC.len());
    let sizes = realistic_sizes(questions);
    let t = 10;
    let mut failures = Vec::new();
    for seed in first_seed..first_seed + seeds {
        let releases = realistic_releases(seed, t, (first_n, release_count), questions);
        let hidden = (releases.numbers.iter().flatten())
            .filter(|n| n.published.is_none())
            .count();
        assert!(hidden > 0, "seed {seed}: nothing hidden, nothing tested");
        let pinned = match env("CHORUS_TRIPLE_GROUP", 3) {
            0 => pinned_by_every_pair(&sizes, t, &releases.numbers),
            k => releases.pinned(&sizes, t, groups_of(sizes.len(), k)),
        };
        failures.extend(pinned.into_iter().map(|p| format!("seed {seed}: {p}")));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Found by the test above over three releases (50, 60 and 72 responses, seed 12): release 2
/// hid the count of age band 2 × no overdose witnessed; release 3 published it. Every pairwise
/// audit kept release 2's count 10 wide, but the age × respect table of release 2 showed 18
/// people of age band 2 who answered the respect question, so the attacker knew at least 16 in
/// that band where the one-way count alone said 15 — and the count was pinned 9 wide. The audit
/// now reads every other two-way table's margins of an earlier release as lower bounds on the
/// one-way counts they share (`earlier::margins_of`).
#[test]
fn the_realistic_survey_found_over_three_releases_keeps_its_hidden_count_wide() {
    let sizes = realistic_sizes(REALISTIC.len());
    let releases = realistic_releases(12, 10, (50, 3), REALISTIC.len());
    let pinned = releases.pinned(&sizes, 10, vec![vec![0, 4, 5]]);
    assert!(pinned.is_empty(), "{}", pinned.join("\n"));
}

/// Found by the test above over three releases (`CHORUS_TRIPLE_SEEDS=20
/// CHORUS_TRIPLE_RESPONSES=50 CHORUS_TRIPLE_RELEASES=3`, 2026-12-04): seeds 8 and 15 with the
/// complement rule on true counts, seed 10 with it on published ones — each a count of release 1
/// or 2 pinned 9 wide (T = 10) by the tables of questions 0, 4 and 5 (seed 15), 2, 4 and 5
/// (seed 10), or 0, 4 and 5 (seed 8) over the three releases. The third-question audit then split
/// a pair's groups only by whether they answered the third question; it follows each answer
/// apart now (`joint::Thirds`), and all three keep every hidden number wide.
#[test]
fn realistic_surveys_found_over_three_releases_keep_every_hidden_count_wide_against_three_questions(
) {
    let sizes = realistic_sizes(REALISTIC.len());
    for (seed, questions) in [(8, [0, 4, 5]), (10, [2, 4, 5]), (15, [0, 4, 5])] {
        let releases = realistic_releases(seed, 10, (50, 3), REALISTIC.len());
        let pinned = releases.pinned(&sizes, 10, vec![questions.to_vec()]);
        assert!(pinned.is_empty(), "seed {seed}: {}", pinned.join("\n"));
    }
}

/// Found by the test above with the six questions repeated to 13, released at 50, 60 and 72
/// responses (`CHORUS_TRIPLE_QUESTIONS=13 CHORUS_TRIPLE_FIRST_SEED=1 CHORUS_TRIPLE_SEEDS=12
/// CHORUS_TRIPLE_RESPONSES=50 CHORUS_TRIPLE_RELEASES=3`, 2026-12-05): in seeds 1, 2, 3 and 5 a
/// count hidden by release 1 or 2 pinned 8.5 or 9 wide (T = 10) by the tables of the three
/// questions below over the three releases. Every pair of that survey shares tables with 11
/// other questions, more than the split audits take (`joint::MAX_THIRDS`); its pair audits now
/// keep every number an earlier release hid two wider than T instead
/// (`joint::UNMODELLED_THIRDS_MARGIN`), and the same search finds nothing in the twelve.
#[test]
fn a_thirteen_question_survey_found_over_three_releases_keeps_its_hidden_counts_wide() {
    let questions = 13;
    let sizes = realistic_sizes(questions);
    for (seed, triple) in [(2, [0, 4, 12]), (3, [1, 5, 7])] {
        let releases = realistic_releases(seed, 10, (50, 3), questions);
        let pinned = releases.pinned(&sizes, 10, vec![triple.to_vec()]);
        assert!(pinned.is_empty(), "seed {seed}: {}", pinned.join("\n"));
    }
}

/// Found by the property over tied tables with its plainest attacker (no outside knowledge;
/// `CHORUS_SURVEY_SEED=random`, one case in about 400): sizes [2, 2, 4, 2], T = 7, the first 37
/// records released (nobody answered q1 yet), then all 56. Release 1 hides the q2 × q3 cell of
/// q2's last three answers (merged) and q3's first; every pairwise audit keeps it wide. Three
/// questions together pin it to 6.5 wide: release 1's q0 × q2 margin says at least 12 of those
/// q2 answers also answered q0, release 2's says at most 14 (the same people and more), release
/// 2's q0 × q3 margin and q3's totals leave at most 4 of q3's first answer without q0, and release
/// 2's q2 × q3 cells cap the rest. The pair's audit read another table's margin only as a lower
/// bound on a one-way count; this needs the people who answered a third question, split out of
/// the pair's groups, to grow from release to release, as the audit now also assumes
/// (`joint::Thirds`). Each record: its four answers (`-` skipped) and its record key.
const FOUND_THREE_QUESTIONS: &str = "
        0-00:858658808 ----:0 0-00:3283480356 0-20:1316370523 ----:0 0-20:579337848
        0-1-:2689982053 0-0-:3812799885 0-0-:1186855133 0-21:2337862720 0-01:1360951227
        1-00:1320639457 --11:4191847097 ----:0 1-00:770130312 1-1-:1604985243 0-00:1288902122
        0-10:2322489801 0-00:2179819998 1-01:2751431974 1-20:3618873365 0-11:4000273044
        --11:558507803 1-20:2783353937 0-10:3439465174 ----:0 0-0-:2878365920 0-00:2982671389
        0-01:3487041684 0-11:3241783786 --0-:4228489713 0-00:3329289799 0-00:3824887098
        1-00:3508445830 0---:0 --00:500447627 0-30:1923769471 ----:0 --11:1793955172
        -030:813658974 0000:747525931 0101:3792354552 0000:1471445271 1000:3034751066
        0100:3979062337 0021:1438189653 1001:933635704 1000:37917536 0101:2345218584
        0000:1365052320 0000:1871606635 0000:2275250782 1000:2373876553 1100:4202603902
        1001:2582072972 1-00:2743728851
";

#[test]
fn three_questions_together_keep_a_hidden_cell_of_an_earlier_release_wide() {
    let cell = vec![None, None, Some(vec![1, 2, 3]), Some(vec![0])];
    let width = width_in_tables(
        FOUND_THREE_QUESTIONS,
        &[2, 2, 4, 2],
        (7, 37),
        (0, cell),
        (Knows::Nothing, true),
    );
    assert_eq!(width, None);
}

/// Found by the property over tied tables whose attacker knows the published zeros
/// (`CHORUS_SURVEY_SEED=random CHORUS_SURVEY_CASES=200`, 2026-12-04; the same survey also fails
/// the property with one pair the form rules out): sizes [3, 4, 4], T = 10, 36 records (nobody
/// has answered q0 or q1 yet) then 58. Release 2's count of q2's last answer is pinned 8 wide
/// by every table of both releases together (with the pair the form rules out, 9 wide). The
/// build before the audit split groups by third questions pins it too (with that pair, 8 wide),
/// so it is an older gap the searches had not drawn. What pinned it was the complement rule as
/// it then was: a count was shown only if the *true* rest of its table was 0 or at least T, so
/// release 1's shown 19 told this attacker that q2's hidden answers then held at least 10
/// people — a bound no audit modelled. The rule now reads the published numbers only
/// (`suppress::small_complement`), which the reader has anyway, so there is nothing more for
/// an attacker to know; this test (no longer ignored since) keeps every hidden number of both
/// releases wide. Each record: its three answers (`-` skipped) and its record key.
const FOUND_ZEROS_SECOND_RELEASE: &str = "
        --1:0 --0:1600114376 --1:2520794169 ---:0 --0:2934995373 --1:2561702034 --1:1575278627
        --1:0 --0:1357246061 --0:725015524 ---:0 --0:1815584415 --0:1689593334 ---:0 ---:0
        --0:1439519032 --0:2371720893 --1:1531231560 --1:2615781440 --0:892281496 ---:3832848
        200:2224388082 000:2999533837 220:2112169512 002:4047965713 000:4127032264
        022:4214477188 0-1:779041865 000:3023522343 000:3409440240 21-:2832551911 0-0:2714721084
        020:3878425803 100:3757720421 000:3387480104 000:1078650513 122:2220723949
        203:1270316855 000:641774229 020:207488732 000:3358606249 020:1151191721 000:649197515
        000:1299647940 2-2:2442018688 2--:2223364242 002:2134444195 210:541400688 01-:1923232854
        000:2537332732 020:715039070 -01:2484778461 000:2862382467 000:4182786936 200:1073919350
        000:1930946783 10-:540507666 002:2027372590
";

#[test]
fn a_count_of_the_second_release_stays_wide_against_every_table_knowing_the_published_zeros() {
    let records = parse(FOUND_ZEROS_SECOND_RELEASE);
    if let Err(e) = attack(&[3, 4, 4], 10, &records, 36, (Knows::PublishedZeros, true)) {
        panic!("{e}");
    }
}

/// Found by the property above: sizes [2, 2, 2, 2], T = 10, q1 asked only of those who answered
/// 0 to q0, the first 94 records released, then all 117. Release 2 showed q1 by q2, release 1
/// q0 by q2 with its cells hidden: everyone who answered q1 answered 0 to q0, so q1 by q2's
/// column total bounded release 2's (q0 = 0, q2 = 1) from below, and with it release 1's
/// hidden (q0 = 1, q2 = 1) — 6 — from above, at 9. The split audits did not know what the form
/// says of q1's people (`told.rs`), nor did the pair's own audit of q0 and q1, whose table was
/// withheld.
const FOUND_SHOWN_FOR: &str = "
        ----:0 ----:0 ----:0 ----:0 ----:0 ----:0
        ----:0 ----:0 ----:0 ----:0 ----:535404695 0010:1276226798
        0110:3499856523 0000:2811310825 0010:3117143068 0000:3191497534 0000:1204225957 1010:1890526496
        -100:2523373463 1000:2150065188 00-0:3913183748 00-1:2313601594 100-:211421517 00-1:3622227223
        0000:1090361290 0110:828929413 0110:2529707536 00-0:835242587 1000:746146598 0000:190759147
        -001:1572796788 0000:74546666 0000:3599072779 1000:4141426704 0010:2704809617 0010:1411635190
        0000:3614007201 0010:1080942775 110-:255534671 -001:256049282 1010:1086550503 1110:3764581595
        1100:396760597 0010:3470293989 100-:857274068 0000:3519371848 1000:868092800 0000:472627610
        0010:127281969 1100:1285962792 1000:2485324788 1-0-:2423506501 0111:644191317 1000:3571777059
        00-0:836010098 1001:1561577064 0001:2465025989 0000:104566746 0010:3981662228 0000:123600678
        110-:3315968583 0000:3449279116 -1-1:1219235981 01-1:967540968 10-1:1590857269 00-0:1474230091
        0010:2181628757 1010:1699988428 0001:3572932178 1001:1624967191 0010:4103327984 0000:2242826656
        0000:599307574 0100:4262146010 0000:3114639948 1000:1381688498 0-01:1329625273 0001:177726178
        0010:3356028792 0000:1640066107 0001:832113073 0000:2827608389 1000:3215093623 0100:181448658
        0001:526070326 0000:4007423052 0100:2415154865 1010:1673901263 0011:3397462399 0010:1807206795
        0100:1889972445 1010:896698880 0001:1377103724 0000:266614069 0110:1542505795 0011:995882145
        0100:243075185 00-0:2703440099 -001:1201098468 -001:2664918597 -010:332760044 0110:2529062294
        0000:2156754979 0100:2260896594 0101:186595868 01-0:134722420 -100:3257079020 000-:2618282616
        0100:762686423 0101:372232000 01-0:4063347496 0001:1732559409 1000:2180972016 0000:991549046
        0100:789824915 1-00:2624594620 0000:451803159
";

#[test]
fn a_question_shown_only_for_one_answer_keeps_a_count_hidden_by_the_first_release_wide() {
    for knows in [Knows::Nothing, Knows::PublishedZeros] {
        attack_shown_for_case(FOUND_SHOWN_FOR, &[2, 2, 2, 2], (10, 94), knows);
    }
}

/// Found next, the same way: the first release alone pinned its hidden (q0 = 0, q2 = 0) — 31 —
/// to 7 wide. q1 by q2 showed how many who answered q1 gave each answer to q2, and all of them
/// answered 0 to q0: a lower bound on that cell of q0 by q2 that the pair's audit, reading
/// other tables' margins only as bounds on one-way counts, did not have
/// (`joint::bound_by_tied_margins`).
const FOUND_SHOWN_FOR_WITHIN_ONE_RELEASE: &str = "
        ----:0 ----:916913089 -100:1268942151 0011:1223007277 0110:4230727133 0011:174059428
        00-0:1915636137 0010:4176567393 0110:1435190738 1110:3153827909 1001:4283237563 0010:1276226798
        0110:3499856523 0000:2811310825 0010:3117143068 0000:3191497534 0000:1204225957 1010:1890526496
        -100:2523373463 1000:2150065188 00-0:3913183748 00-1:2313601594 100-:211421517 00-1:3622227223
        0000:1090361290 0110:828929413 0110:2529707536 00-0:835242587 1000:746146598 0000:190759147
        -001:1572796788 0000:74546666 0000:3599072779 1000:4141426704 0010:2704809617 0010:1411635190
        0000:3614007201 0010:1080942775 110-:255534671 -001:256049282 1010:1086550503 1110:3764581595
        1100:396760597 0010:3470293989 100-:857274068 0000:3519371848 1000:868092800 0000:472627610
        0010:127281969 1100:1285962792 1000:2485324788 1-0-:2423506501 0111:644191317 1000:3571777059
        00-0:836010098 1001:1561577064 0001:2465025989 0000:104566746 0010:3981662228 0000:123600678
        110-:3315968583 0000:3449279116 -1-1:1219235981 01-1:967540968 10-1:1590857269 00-0:1474230091
        0010:2181628757 1010:1699988428 0001:3572932178 1001:1624967191 0010:4103327984 0000:2242826656
        0000:599307574 0100:4262146010 0000:3114639948 1000:1381688498 0-01:1329625273 0001:177726178
        0010:3356028792 0000:1640066107 0001:832113073 0000:2827608389 1000:3215093623 0100:181448658
        0001:526070326 0000:4007423052 0100:2415154865 1010:1673901263 0011:3397462399 0010:1807206795
        0100:1889972445 1010:896698880 0001:1377103724 0000:266614069 0110:1542505795 0011:995882145
        0100:243075185 00-0:2703440099 -001:1201098468 -001:2664918597 -010:332760044 0110:2529062294
        0000:2156754979 0100:2260896594 0101:186595868 01-0:134722420 -100:3257079020 000-:2618282616
        0100:762686423 0101:372232000 01-0:4063347496 0001:1732559409 1000:2180972016 0000:991549046
        0100:789824915 1-00:2624594620 0000:451803159
";

#[test]
fn a_question_shown_only_for_one_answer_keeps_a_count_hidden_in_the_same_release_wide() {
    let case = FOUND_SHOWN_FOR_WITHIN_ONE_RELEASE;
    attack_shown_for_case(case, &[2, 2, 2, 2], (10, 94), Knows::Nothing);
}

/// Found by a wider search (150 surveys, `CHORUS_SURVEY_SEED=11`): sizes [4, 3, 2, 2], T = 6,
/// 75 then 92 records. The first release alone pinned its hidden (q0 = 0, q3 = 1) — 6 — to 4
/// wide: q0 by q1 showed that nearly everyone who answered 0 to q0 answered q1 (36 of 34 ± 2),
/// and q1 by q3 how many of those answered 1 to q3 (6, so at least T). Only an audit that
/// follows q1's people inside the pair of q0 and q3 sees it: the split by a third question tied
/// to the pair now asks this release's hidden numbers too (`joint::Thirds`).
const FOUND_SHOWN_FOR_SPLIT: &str = "
        0--0:2158699152 --00:3338298124 02-1:216739277 20--:589061022 000-:217327107 3001:2299528428
        1000:3627328611 0100:682134723 2000:3019009398 -000:1874824216 0010:3053708539 0000:4045542571
        3210:682743202 0000:3290221411 2000:2224115923 22-1:2317572830 000-:845048885 --00:3458316313
        -000:1517707114 0000:490134133 3000:2069754931 3000:3443728584 0100:3730715285 -000:2390758453
        2210:2876762924 3200:1292779104 0000:2185435658 1-00:2224840506 0200:1844453128 1000:4251721715
        0200:4094251438 0001:3328707150 -0-1:1711817816 0200:4280023260 3001:2977522630 -100:960856330
        0000:919509962 0200:3300096488 0000:1348670840 220-:1504828810 0200:538837290 1001:3380414211
        0010:2770760680 00-0:2560940877 0000:4279833925 -100:154876712 2-01:1075334540 0101:3881437883
        0000:186400912 3100:2030804571 000-:3551600402 0100:1155024650 000-:44578121 2000:4157348779
        0000:3615382458 --00:1593893827 1101:1893177608 2000:3788830365 0001:3030109128 0000:2113704573
        1-0-:1386140604 0001:688698009 0-00:2311945528 0100:618960254 2000:939062556 2000:3528575888
        0000:3023343964 1100:2957127892 -010:2413569037 101-:644805351 0201:2748665011 2001:2389423487
        2010:2295632154 1210:512421731 000-:157768656 0000:2482782611 1-01:3165632918 0000:847558429
        -000:375461907 0-10:1905296278 0100:1091097803 3200:3766768310 0--1:2910346208 1000:206170120
        0001:3829735316 0000:892749187 3010:1979464466 0-00:585993933 0000:904108399 0000:2490163942
        -010:2395106328 3201:1670286965
";

#[test]
fn a_question_shown_only_for_one_answer_keeps_a_count_of_a_pair_it_is_not_in_wide() {
    attack_shown_for_case(
        FOUND_SHOWN_FOR_SPLIT,
        &[4, 3, 2, 2],
        (6, 75),
        Knows::Nothing,
    );
}

/// Found by a wider search (150 surveys, `CHORUS_SURVEY_SEED=23`): sizes [2, 2, 4], T = 9, 26
/// then 39 records. The first release showed q0's and q1's tables with their counts hidden and
/// no breakdown at all: q1's total (11, so at least T) counts people who all answered 0 to q0,
/// which with q0's total of 14 left that hidden count 9 to 16 — 7 wide. A pair no breakdown
/// showed was never audited; a tied one is now (`margins::settle_pairs`), and q0's table is
/// withheld.
const FOUND_SHOWN_FOR_ONE_WAY: &str = "
        0--:1397768625 ---:0 00-:2216276371 ---:0 00-:2593056987 ---:0
        ---:0 ---:0 ---:0 00-:0 00-:95186938 ---:0
        ---:0 ---:0 ---:0 ---:263 010:2588516899 102:3103156433
        -0-:1429576988 001:2889375292 00-:3366857263 003:1500635659 00-:4291795227 100:3713934485
        000:3765120640 013:490015313 010:988975863 010:2259018417 002:3755637469 103:3832864941
        003:1192106541 000:1308313048 000:2753268052 010:1528678635 001:786474753 100:3836649330
        001:2173945197 000:3365808852 000:4026224707
";

#[test]
fn a_question_shown_only_for_one_answer_keeps_a_one_way_count_wide_with_no_breakdown_shown() {
    attack_shown_for_case(FOUND_SHOWN_FOR_ONE_WAY, &[2, 2, 4], (9, 26), Knows::Nothing);
}

/// Found once the attacker knew how many responses each release counted (the release rule can
/// tell: docs/releases.md, "The release rule tells a reader something"): sizes [4, 3, 4, 2],
/// T = 9, 31 then 56 records. The first release hid a count of q2; the second showed q2 whole.
/// Those who skipped q2 are never fewer later, and with both numbers of responses known the
/// earlier hidden count was everyone less the rest, 8 wide — from q2's own tables alone, which
/// the one-way audit read without anyone else (`joint::one_way` now has an atom for them).
const FOUND_RESPONSES_ONE_WAY: &str = "
        ----:0 --0-:1658604747 0020:4206354803 1201:1109852888 0030:1777619813 00-0:3946721533
        0200:1391051132 1000:2052652538 20-0:2536043473 0200:4187261803 1030:4026980438 00-0:1681205420
        02-0:1476206275 -000:1161900466 -001:3200061817 0200:1869047886 0000:3943651589 -010:1535463517
        020-:4051892787 3000:2846996927 01-0:1734287720 0200:37682336 0-01:753456066 0000:3693311898
        0200:3315854994 2200:2560123157 0100:3006214595 --10:1336604508 013-:937930339 1231:3453884156
        0000:2173875701 3000:658748974 0-00:1126036578 0201:2108801873 3000:1012541789 020-:2195693960
        0000:533022634 0000:2576444 023-:2157859434 0030:2701192861 0201:2078401525 2000:2288643835
        0030:2874256703 000-:1309791200 3030:4027740649 000-:3385028469 0101:2984101249 3010:367709477
        0-00:2673461541 0100:1677181128 0030:2250129174 3100:3901629875 0-01:3407658262 3000:1335037332
        0210:2896012022 01-0:688969838
";

/// Found the same way: sizes [3, 2, 4, 2], T = 7, 46 then 63 records. A cell of the first
/// release's q0 × q1 was pinned 6.5 wide by q0 and q1's tables with q3's: its breakdowns by q0
/// and q1, and its own table in the second release, which counts people who answered neither
/// q0 nor q1 too. The split audits (`joint::Thirds`) read a third question's own table now.
const FOUND_RESPONSES_THIRD: &str = "
        01-0:3651926144 --00:2273670100 0000:1732553911 0000:1977045379 2000:864534191 0000:4211175915
        01-1:3770197548 0110:2338376119 2110:3187874730 0101:562921258 0000:2999071395 0100:704043475
        0110:898610874 1100:1715082634 0000:3071998459 1100:2531098595 0000:403308476 0-01:981781002
        1000:3885495519 0030:1945247818 0001:3143043024 1011:1311279646 0000:2255182873 1000:3219368432
        1020:2945711158 0000:1512720127 0001:1232817988 00-1:374629702 0010:4254381187 0010:502159416
        0111:4027816811 20-1:251192870 1101:2429740479 0000:4211612173 01-0:4021613979 0030:4192108600
        0100:810342644 00-0:1428980335 0000:2288941018 0000:560539816 20-0:2486499682 0021:2364071370
        00--:3752490473 0031:2442241347 1101:1047437345 -000:260563691 0000:1733686264 0000:2931721615
        0001:1533683573 0000:2741908858 2130:940838398 0100:1512320215 0100:2633386432 01-1:4007395114
        2010:1494251466 0000:1095640452 0-01:592859924 0010:483872971 200-:4254541110 0000:3176737868
        2100:1781087779 0001:3006181531 0010:640685633
";

#[test]
fn a_count_stays_wide_when_a_reader_knows_how_many_responses_each_release_counted() {
    let records = parse(FOUND_RESPONSES_ONE_WAY);
    attack(&[4, 3, 4, 2], 9, &records, 31, (Knows::Nothing, false)).expect("wide");
}

#[test]
fn a_count_stays_wide_against_a_third_question_s_own_table_and_the_numbers_of_responses() {
    let records = parse(FOUND_RESPONSES_THIRD);
    attack(&[3, 2, 4, 2], 7, &records, 46, (Knows::Nothing, false)).expect("wide");
}

/// Found by a random search of the property with everyone answering every question
/// (`CHORUS_SURVEY_SEED=random`): sizes [2, 4, 3, 3], T = 10, 142 then 184 records. The first
/// release alone, with its number of responses known, pinned its q0 × q1 cell (1, 1) 9 wide
/// through q3's breakdowns by q0 and by q1. The split audits asked a release's own hidden
/// numbers only of third questions a rule ties to the pair; with the number of responses known
/// they ask them of every third question.
const FOUND_RESPONSES_ONE_RELEASE: &str = "
        0--0:73341454 0---:2066492643 -0--:2306539809 0--0:3531083886 ----:3252918056 0--0:1426882495
        0--0:727642335 0---:4151875249 0--0:2226908215 0---:1282074900 -0-0:92919411 ---0:3059962973
        -1--:0 ---0:2608912481 0---:1889822990 0002:1845735403 0302:4076835812 0212:2460465592
        10-0:2902978877 0100:882460957 -002:2603364249 02-0:4245565501 00-0:3512105774 0302:3988190526
        1000:2813290372 1010:2251842479 0022:81181481 0200:2982412808 1000:406786342 1001:1775335657
        100-:2464575262 0000:3422220502 01-2:4220839988 0022:1965214038 0000:2188579078 1010:3149271668
        0000:2205463351 -020:1399783309 0002:1692713852 0210:2096621791 1200:2934295618 0010:2659695680
        0020:1811285801 1300:4020919694 00-2:2745298390 00-1:4223319198 0300:1074389342 0012:935469873
        1312:3183551487 0300:310658571 0000:76357991 0202:557740362 0010:3319701221 0000:3209131888
        0102:1100189436 0012:3245430853 0001:3411061681 1301:3241873227 1201:3646514550 0200:2852631651
        -220:4109387469 1-20:432790890 0200:1808817102 0020:973417370 0000:4153587840 102-:1421863688
        1020:2287764867 0001:2757108099 -200:2991752869 0001:2266065347 1300:188294590 0000:3175373278
        -32-:649420677 000-:327880298 0000:2839682546 0000:1252451491 0001:52975966 0022:3324782532
        0200:768108004 0100:612394489 0100:3808730517 0--1:1685329207 0000:852984160 0020:2881057953
        0101:3369225466 0020:3121085312 0001:3912602142 0000:1310101211 -0-0:1365462178 1001:3927013173
        -001:2800268849 0010:1679784992 0100:1521515578 0202:4149211971 0001:3177787767 00-0:99416992
        -100:3791314440 -010:472206981 0000:1450465928 1000:3105834567 1-10:2106123658 0011:4162719094
        0000:668265710 011-:298367699 0-20:1721382041 0002:1543957794 0000:2539445188 1010:3034985163
        0012:1396543463 0000:549524203 0200:2243192566 000-:4192712937 000-:4215743578 0000:3807794374
        0000:963441088 0100:2800279848 1-10:1324334647 0001:3452356999 0200:3578790171 0012:2580957907
        00-0:2702484558 0101:1071958940 0310:227316781 00-0:775827535 0300:3521196579 0000:720941026
        0201:3911615009 0001:3393328590 0112:4101013495 0121:2398966029 0001:3818866669 1302:980617186
        0020:322846949 0000:3292244387 0001:4247339363 -000:4131160659 0000:3267909427 0000:3878581136
        0-10:960965451 -020:1028154143 0000:2893346165 -321:3511812953 0300:2015635899 1000:1151661572
        0010:4106527668 1-02:3244183956 000-:2939624477 1020:2997494847 0300:996067355 0202:1378310267
        000-:3424069313 0-12:748912209 0000:616255618 0000:948135812 0200:3484684665 0--1:554313819
        0010:528799384 0022:3105819691 00-2:3180531876 -020:3729460563 1120:969864892 1000:3452298554
        0201:2164186281 -000:1961208898 1010:2308920203 0021:1861319466 0001:1912604703 1000:2665046898
        0100:1159576213 0001:3458788536 0202:3809852389 0-2-:1346904888 1010:1139702268 0010:494682074
        1301:999191171 -100:633759191 0001:3110811972 10-0:2838389988 0002:248293747 0210:3976961395
        1300:1995310977 0-10:3584758787 1000:834989196 0010:3607191095
";

#[test]
fn a_first_release_s_count_stays_wide_against_a_third_question_when_everyone_answers() {
    let sizes = [2, 4, 3, 3];
    let records = answered_by_everyone(&sizes, &parse(FOUND_RESPONSES_ONE_RELEASE));
    attack(&sizes, 10, &records, 142, (Knows::Nothing, false)).expect("wide");
}

/// Found by a random search of 500 cases per property (`CHORUS_SURVEY_SEED=random
/// CHORUS_SURVEY_CASES=500`): sizes [3, 3, 3, 2], T = 6, 50 then 69 records, q1 shown only to
/// those who gave q0's first answer. The first release's q0 × q2 cell (first answer; second or
/// third) was pinned 5 wide by all four questions and no three: split by q1 (q1 × q2) it is at
/// least 6, split by q3 (q2 × q3, and the second release's q3 table with its number of
/// responses) at most 11. The split audits now carry each number's range from one split to the
/// next (`joint::Thirds`), and with both questions' tables gone the second release's q3 table
/// hides a count (`margins::settle_pairs`).
const FOUND_SHOWN_FOR_COUNTED: &str = "
        ----:0 0010:637525244 1-00:3190129401 ---0:1746123030 1-10:1191545199 ---0:2553197992
        ---0:545197309 0000:3539888257 0000:2410438015 0010:1527722142 ---0:4189477149 1--0:2759150413
        ---0:4284340128 ---0:3984018784 1-10:2692057658 0000:553030707 0110:2312148850 ---0:2825770632
        000-:2993603339 ---0:4167760911 0000:3080013599 0-00:3946763415 1-00:2886972835 1--0:2827782020
        1-00:852171809 0000:2597194751 ---0:3738905926 ---0:3310181847 0100:2067828880 1--0:112487181
        0100:2828544759 ---0:1238124854 0101:105950818 0001:829946737 0011:1506447261 ---0:606893174
        0000:574614941 --00:3525700226 0100:2711768580 ---0:2291494900 0001:2780605878 ---0:2685203381
        0-00:2965192860 ---0:4071803913 --0-:3093127168 0011:1485749587 --00:519175591 0020:2220255273
        2020:2609959439 0001:3272196622 00-1:2749030805 2010:1288104397 00-0:3096744014 1020:3006050815
        0020:108050975 0200:1782943381 0100:239985082 0110:3832558524 0100:1640089234 0000:2310278555
        0-01:115718784 0000:1445720412 10-0:881733974 0010:2092971507 2001:2531605143 0-10:4254914428
        0-01:245094927 2010:1600779114 0001:3232312751
";

#[test]
fn a_question_shown_only_for_one_answer_keeps_an_earlier_count_wide_knowing_how_many_responded() {
    attack_shown_for_case(
        FOUND_SHOWN_FOR_COUNTED,
        &[3, 3, 3, 2],
        (6, 50),
        Knows::Nothing,
    );
}

/// Found by the property with q1 shown only for two answers of q0 once the attacker asked the
/// cells of withheld breakdowns (2026-12-07): sizes [3, 2, 4, 2], T = 7, the first 46 records
/// released, then all 63. Release 1 withheld q0 × q2 but showed q1 × q2, and q1 is asked only
/// of q0's first two answers: q2's first answer (24) less its q1 × q2 column total (23) put
/// the one person who gave q0's third answer and q2's first between 0 and 5.
const FOUND_WITHHELD_PINNED: &str = "
        00-0:327127156 ---0:2273670100 0000:1732553911 0000:1977045379 2000:864534191 0000:4211175915
        01-1:3770197548 0110:2338376119 2110:3187874730 0101:562921258 0000:2999071395 0100:704043475
        0110:898610874 1100:1715082634 0000:3071998459 1100:2531098595 0000:403308476 0-01:981781002
        1000:3885495519 0030:1945247818 0001:3143043024 1011:1311279646 0000:2255182873 1000:3219368432
        1020:2945711158 0000:1512720127 0001:1232817988 00-1:374629702 0010:4254381187 0010:502159416
        0111:4027816811 20-1:251192870 1101:2429740479 0000:4211612173 01-0:4021613979 0030:4192108600
        0100:810342644 00-0:1428980335 0000:2288941018 0000:560539816 20-0:2486499682 0021:2364071370
        00--:3752490473 0031:2442241347 1101:1047437345 -000:260563691 0000:1733686264 0000:2931721615
        0001:1533683573 0000:2741908858 2130:940838398 0100:1512320215 0100:2633386432 01-1:4007395114
        2010:1494251466 0000:1095640452 0-01:592859924 0010:483872971 200-:4254541110 0000:3176737868
        2100:1781087779 0001:3006181531 0010:640685633
";

#[test]
fn the_case_found_with_a_withheld_breakdown_keeps_its_cells_wide() {
    let records = with_q1_shown_only_for(&parse(FOUND_WITHHELD_PINNED), SHOWN_FOR_TWO);
    let form = Form::ShowsQ1OnlyFor(SHOWN_FOR_TWO);
    let knows = (Knows::PublishedZeros, false);
    if let Err(e) = attack_with(&[3, 2, 4, 2], 7, &records, 46, knows, form) {
        panic!("{e}");
    }
}

/// Found by a random search of the property with q1 shown only for two answers of q0
/// (`CHORUS_SURVEY_CASES=60 CHORUS_SURVEY_SEED=random`, 2026-12-07, late): sizes [4, 3, 4],
/// T = 6, the first 70 records released, then all 91. Release 1 shows q0 × q2 with q0's last
/// three answers merged into one row, and q1 × q2, whose people are those who gave q0's first two
/// answers: with the one-way tables they put the one person who gave q0's third answer and q2's
/// second between 0 and 5 — release 1 alone. The q0 × q2 audit asked that merged-away cell only
/// to stay as wide as the release left it without q0 × q2, and q1 × q2's audit is not about a
/// cell of another breakdown: the shape of `FOUND_WITHHELD_PINNED`, for a cell merged away
/// rather than withheld. Such a cell is now asked T wide against the other breakdowns too
/// (`joint::pair`).
const FOUND_MERGED_PINNED_BY_A_FOLLOW_UP: &str = "
        003:3129591974 002:2102398103 ---:0 ---:0 1-0:94581497 ---:3
        113:1061698783 000:2561401495 000:3619329097 003:2143798519 -20:4077798427 102:802359356
        00-:33779058 301:2119474187 000:2161234517 003:3989574867 011:4260279318 000:4154585351
        000:2510971415 000:444019130 003:45343201 -20:1450019514 001:2110386974 000:3549472204
        0-3:1148771443 000:2792067847 200:3691445652 0--:804002119 201:456713989 200:3674188935
        023:2641397065 001:247470108 10-:1539142295 000:3763593293 -03:3752770025 100:133181362
        003:3897782268 0-0:2660477319 0-3:2358046038 300:42454484 300:2361918082 002:3025706556
        0-0:1355221742 10-:956759496 320:3599747936 000:1645887273 100:1415706779 010:3781248311
        101:3218311601 -00:769150006 010:1987549789 002:3920641400 301:2555497553 003:3727867613
        000:3744377995 003:1044083605 020:1693925496 002:695279370 020:1636866635 010:1449525322
        001:2445157818 001:2091285938 0--:2968286512 202:1275910641 000:3170266393 000:294304047
        320:769851493 002:2805762435 000:2982987573 002:917254197 110:648313119 020:798646716
        000:3805717428 01-:4140645619 001:1569970245 -10:612347054 000:3397745572 100:3171845725
        300:2380755514 210:1174613564 012:248802313 000:710810821 000:2250043210 012:2446435517
        000:297930593 -00:1082973338 200:1135195141 303:3751838120 201:2704942880 301:165544269
        301:1646934066
";

#[test]
fn the_case_found_with_a_merged_cell_and_a_follow_up_keeps_its_cells_wide() {
    let records = with_q1_shown_only_for(&parse(FOUND_MERGED_PINNED_BY_A_FOLLOW_UP), SHOWN_FOR_TWO);
    let form = Form::ShowsQ1OnlyFor(SHOWN_FOR_TWO);
    let knows = (Knows::PublishedZeros, false);
    if let Err(e) = attack_with(&[4, 3, 4], 6, &records, 70, knows, form) {
        panic!("{e}");
    }
}
