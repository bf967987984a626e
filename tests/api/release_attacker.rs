//! A red team's look at what organisers download, black-box: small random surveys are answered
//! through the API, released twice, and then attacked using nothing but the two published
//! release documents and the public rules.
//!
//! The rules a reader knows: every shown count is the true count adjusted by at most D = 2; a
//! shown 0 is exactly 0; a shown count other than 0 is at least the survey's threshold T (a true
//! count from 1 to T − 1 is never shown, and a count of T or more is never shown below T); and
//! responses are only ever added between releases.
//!
//! What the tables count (read off `src/tally/`, and checked below against the answers sent):
//! a question's categories are its options, then "don't know" and "prefer not to say", each
//! apart. A one-way table counts everyone who gave the question any of them — its total is
//! everyone who answered it, non-answers included — and nobody who skipped it. A two-way table
//! counts only the people who answered both of its questions (non-answers are categories, so
//! they count); its margins add up its own cells, so a row total is "answered both, and this
//! row", not the one-way count. Redesigned lines list the categories they hold in `parts`.
//!
//! The attacker, per pair of questions (a, b): unknowns are the number of people of release 1 in
//! each combination of a category of a or "skipped a" with one of b or "skipped b", and the
//! newcomers of release 2 in each (release 2 = release 1 + newcomers, all ≥ 0). Every shown
//! number of the pair's two-way table and of both one-way tables, in both releases, bounds the
//! sum of the unknowns it counts. For every hidden number of those tables it solves two linear
//! programmes for the hidden number's least and greatest value: the product promises the range
//! is at least T wide. Every shown number is first checked to be within 2 of the truth computed
//! from the answers sent (which validates the model), and every hidden number's truth to lie in
//! its range. `ATTACK_FRAME=3` or `4` models every triple of questions, or all four, together
//! instead: a stronger reader than the product's audit, which links a two-way table only with
//! its own one-way tables and their earlier releases. The attacker also uses one more public
//! rule: the same people always get the same adjustment, so two shown numbers, one counting a
//! subset of the other's people, that show different values differ by at least one person (see
//! [`same_noise`]; the audit has modelled it since this attacker found hidden counts it narrowed
//! to 9 wide with T = 10 in 16 of 100 surveys; `ATTACK_SAME_NOISE=0` leaves it out).
//! `ATTACK_SEEDS=N` searches N surveys. The reader also knows how many responses each release
//! counted (`FIRST`, and `NEWCOMERS` more): the rule on new responses can tell, when a release
//! comes at the earliest moment it allows (docs/releases.md); `ATTACK_COUNTS=0` leaves it out.
//!
//! The answers are the same in every run, but each response's record key is random, and with it
//! the adjustments and so what is hidden: a failure prints the answers and both documents.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::time::Instant;

use microlp::{ComparisonOp, Error, OptimizationDirection, Problem, Variable};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};

use crate::helpers::{api_get, TestApp};
use crate::org_client::{add_account, api_key};

/// Questions per survey.
const QUESTIONS: usize = 4;
/// People answering before release 1, and newcomers before release 2.
const FIRST: usize = 60;
const NEWCOMERS: usize = 15;
/// Shares of questions skipped, answered "don't know", answered "prefer not to say".
const SKIP: f64 = 0.03;
const DONT_KNOW: f64 = 0.02;
const PREFER_NOT: f64 = 0.01;
/// The largest adjustment of a shown count (the p-table's D).
const D: f64 = 2.0;
/// Round-off allowed in a range.
const EPS: f64 = 1e-6;

/// Surveys attacked (one per seed): seeds 1 to 5, or `ATTACK_SEEDS=N` for seeds 1 to N (a
/// longer search; about a third of a second per survey in a debug build).
fn seeds() -> std::ops::RangeInclusive<u64> {
    let n = std::env::var("ATTACK_SEEDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    1..=n
}

/// Questions modelled together: pairs (the tables the product's audit links), or, with
/// `ATTACK_FRAME=3` or `4`, every triple or all four questions — a stronger reader who combines
/// every table about them (slower: use a release build or fewer seeds).
fn frame_size() -> usize {
    std::env::var("ATTACK_FRAME")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2)
        .clamp(1, QUESTIONS)
}

/// Whether the reader knows how many responses each release counted (unless
/// `ATTACK_COUNTS=0`).
fn knows_counts() -> bool {
    std::env::var("ATTACK_COUNTS").map_or(true, |v| v != "0")
}

/// The non-answer categories every `single` question offers by default, in the order their
/// categories follow the options; then the attacker's own "skipped" category.
const NON_ANSWERS: [&str; 2] = ["dont_know", "prefer_not_to_say"];

struct Question {
    id: String,
    options: Vec<String>,
    weights: Vec<f64>,
}

impl Question {
    /// Options, non-answers, and "skipped" (always last).
    fn categories(&self) -> usize {
        self.options.len() + NON_ANSWERS.len() + 1
    }

    fn skipped(&self) -> usize {
        self.categories() - 1
    }

    /// The index of a category id as the release names it (never "skipped").
    fn index(&self, id: &str) -> Option<usize> {
        self.options.iter().position(|o| o == id).or_else(|| {
            NON_ANSWERS
                .iter()
                .position(|n| *n == id)
                .map(|i| self.options.len() + i)
        })
    }

    fn wire(&self, category: usize) -> Option<&str> {
        if category < self.options.len() {
            Some(&self.options[category])
        } else {
            NON_ANSWERS.get(category - self.options.len()).copied()
        }
    }
}

fn questions(rng: &mut StdRng) -> Vec<Question> {
    (0..QUESTIONS)
        .map(|q| {
            let n = rng.gen_range(3..=5);
            // Skewed: each option about `decay` times as common as the one before.
            let decay: f64 = rng.gen_range(0.3..0.7);
            Question {
                id: format!("q{}", q + 1),
                options: (0..n).map(|i| format!("o{}", i + 1)).collect(),
                weights: (0..n).map(|i| decay.powi(i)).collect(),
            }
        })
        .collect()
}

fn definition(id: &str, questions: &[Question]) -> String {
    let mut toml =
        format!("id = \"{id}\"\ntitle = \"Attacked {id}\"\n[[pages]]\ntitle = \"All\"\n");
    for q in questions {
        let options: Vec<String> = q
            .options
            .iter()
            .map(|o| format!("{{ id = \"{o}\", text = \"Option {o}\" }}"))
            .collect();
        writeln!(
            toml,
            "  [[pages.questions]]\n  id = \"{}\"\n  type = \"single\"\n  role = \"sensitive\"\n  \
             text = \"Question {}?\"\n  options = [ {} ]",
            q.id,
            q.id,
            options.join(", ")
        )
        .expect("write");
    }
    toml
}

/// One person's category per question ("skipped" included).
fn person(questions: &[Question], rng: &mut StdRng) -> Vec<usize> {
    questions
        .iter()
        .map(|q| {
            let r: f64 = rng.gen();
            if r < SKIP {
                q.skipped()
            } else if r < SKIP + DONT_KNOW {
                q.options.len()
            } else if r < SKIP + DONT_KNOW + PREFER_NOT {
                q.options.len() + 1
            } else {
                let total: f64 = q.weights.iter().sum();
                let mut x = rng.gen::<f64>() * total;
                let mut pick = q.options.len() - 1;
                for (i, w) in q.weights.iter().enumerate() {
                    if x < *w {
                        pick = i;
                        break;
                    }
                    x -= w;
                }
                pick
            }
        })
        .collect()
}

fn answer(app: &TestApp, id: &str, questions: &[Question], people: &[Vec<usize>]) {
    let codes = app.issue_codes(id, people.len());
    for (code, p) in codes.iter().zip(people) {
        let mut answers = Map::new();
        for (q, &c) in questions.iter().zip(p) {
            if let Some(w) = q.wire(c) {
                answers.insert(q.id.clone(), Value::String(w.to_owned()));
            }
        }
        let (status, body) = app.submit(id, code, &Value::Object(answers));
        assert_eq!(status, 201, "{id}: {body}");
    }
}

/// A published line: its id and the categories it holds (`parts`, or itself).
struct Line {
    id: String,
    parts: Vec<String>,
}

/// A shown table as the release document has it; `None` where hidden.
struct Table {
    id: String,
    variables: Vec<String>,
    rows: Vec<Line>,
    columns: Vec<Line>,
    cells: Vec<Vec<Option<u64>>>,
}

struct Release {
    threshold: u64,
    tables: Vec<Table>,
    withheld: Vec<String>,
}

fn lines(v: &Value) -> Vec<Line> {
    v.as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            let id = l["id"].as_str().expect("line id").to_owned();
            let parts: Vec<String> = l["parts"]
                .as_array()
                .map(|p| {
                    p.iter()
                        .map(|s| s.as_str().expect("part").to_owned())
                        .collect()
                })
                .unwrap_or_default();
            Line {
                parts: if parts.is_empty() {
                    vec![id.clone()]
                } else {
                    parts
                },
                id,
            }
        })
        .collect()
}

fn release(doc: &Value) -> Release {
    let tables = doc["tables"]
        .as_array()
        .expect("tables")
        .iter()
        .map(|t| {
            let cells = t["cells"]
                .as_array()
                .expect("cells")
                .iter()
                .map(|row| {
                    row.as_array()
                        .expect("row")
                        .iter()
                        .map(|c| {
                            let count = c["count"].as_u64();
                            let suppressed = c["suppressed"].as_bool().expect("suppressed");
                            assert_eq!(
                                suppressed,
                                count.is_none(),
                                "{}: a cell is hidden exactly when its count is null: {c}",
                                t["id"]
                            );
                            count
                        })
                        .collect()
                })
                .collect();
            Table {
                id: t["id"].as_str().expect("id").to_owned(),
                variables: t["variables"]
                    .as_array()
                    .expect("variables")
                    .iter()
                    .map(|v| v.as_str().expect("variable").to_owned())
                    .collect(),
                rows: lines(&t["rows"]),
                columns: lines(&t["columns"]),
                cells,
            }
        })
        .collect();
    Release {
        threshold: doc["threshold"].as_u64().expect("threshold"),
        tables,
        withheld: doc["withheld"]
            .as_array()
            .expect("withheld")
            .iter()
            .map(|w| w["id"].as_str().expect("withheld id").to_owned())
            .collect(),
    }
}

/// One number of a release, as the attacker of a frame sees it: which combinations of the
/// frame's questions' categories ("skipped" included, see [`Frame`]) it counts.
struct Number {
    release: usize,
    table: String,
    row: String,
    column: String,
    shown: Option<u64>,
    mask: Vec<bool>,
}

impl Number {
    fn name(&self) -> String {
        format!(
            "release {} table {} [{} × {}]",
            self.release + 1,
            self.table,
            self.row,
            self.column
        )
    }

    /// The unknowns this number adds up: release 1's people in each combination it counts
    /// (`k`), and for release 2 also the newcomers in them (`cells + k`).
    fn atoms(&self, cells: usize) -> Vec<usize> {
        let counted = (0..cells).filter(|&k| self.mask[k]);
        if self.release == 0 {
            counted.collect()
        } else {
            counted.flat_map(|k| [k, cells + k]).collect()
        }
    }
}

/// The categories (indices) of `q` each line of a table's axis holds; the last line (the
/// margin) holds every category the other lines hold.
fn line_sets(q: &Question, lines: &[Line], table: &str) -> Vec<BTreeSet<usize>> {
    let (margin, inner) = lines.split_last().expect("a margin line");
    assert_eq!(margin.id, "total", "{table}: the last line is the margin");
    let mut sets: Vec<BTreeSet<usize>> = inner
        .iter()
        .map(|l| {
            l.parts
                .iter()
                .map(|p| {
                    q.index(p)
                        .unwrap_or_else(|| panic!("{table}: unknown category {p} of {}", q.id))
                })
                .collect()
        })
        .collect();
    let all: BTreeSet<usize> = sets.iter().flatten().copied().collect();
    let held: usize = sets.iter().map(BTreeSet::len).sum();
    assert_eq!(held, all.len(), "{table}: lines of {} overlap", q.id);
    sets.push(all);
    sets
}

/// The questions an attacker models together (a pair, in the brief's attack) and their
/// combinations of categories, "skipped" included, numbered in mixed radix.
struct Frame<'a> {
    questions: Vec<&'a Question>,
    /// Positions of the frame's questions in the survey (and in a person's answers).
    positions: Vec<usize>,
}

impl Frame<'_> {
    fn cells(&self) -> usize {
        self.questions.iter().map(|q| q.categories()).product()
    }

    /// The combination a person is in.
    fn cell_of(&self, person: &[usize]) -> usize {
        self.questions
            .iter()
            .zip(&self.positions)
            .fold(0, |k, (q, &p)| k * q.categories() + person[p])
    }

    /// Each combination's category of every frame question.
    fn combinations(&self) -> Vec<Vec<usize>> {
        (0..self.cells())
            .map(|mut k| {
                let mut c: Vec<usize> = self
                    .questions
                    .iter()
                    .rev()
                    .map(|q| {
                        let i = k % q.categories();
                        k /= q.categories();
                        i
                    })
                    .collect();
                c.reverse();
                c
            })
            .collect()
    }

    fn name(&self) -> String {
        self.questions
            .iter()
            .map(|q| q.id.as_str())
            .collect::<Vec<_>>()
            .join(" × ")
    }
}

/// Every number (shown or hidden) of the tables of one release about the frame's questions
/// only, as masks over the frame's combinations.
fn numbers(release_index: usize, release: &Release, frame: &Frame<'_>, out: &mut Vec<Number>) {
    let combinations = frame.combinations();
    let position = |id: &str| frame.questions.iter().position(|q| q.id == id);
    for t in &release.tables {
        let Some(vars) = t
            .variables
            .iter()
            .map(|v| position(v))
            .collect::<Option<Vec<usize>>>()
        else {
            continue;
        };
        let row_q = vars[0];
        let row_sets = line_sets(frame.questions[row_q], &t.rows, &t.id);
        // A one-way table's single column counts everyone, whatever the other questions.
        let (col_q, col_sets) = match vars.get(1) {
            Some(&c) => (Some(c), line_sets(frame.questions[c], &t.columns, &t.id)),
            None => {
                assert_eq!(t.columns.len(), 1, "{}: one Total column", t.id);
                (None, vec![BTreeSet::new()])
            }
        };
        assert_eq!(t.cells.len(), row_sets.len(), "{}: rows", t.id);
        for (r, (row_set, cells)) in row_sets.iter().zip(&t.cells).enumerate() {
            assert_eq!(cells.len(), col_sets.len(), "{}: columns", t.id);
            for (c, (col_set, &shown)) in col_sets.iter().zip(cells).enumerate() {
                let mask = combinations
                    .iter()
                    .map(|k| {
                        row_set.contains(&k[row_q]) && col_q.is_none_or(|q| col_set.contains(&k[q]))
                    })
                    .collect();
                out.push(Number {
                    release: release_index,
                    table: t.id.clone(),
                    row: t.rows[r].id.clone(),
                    column: t.columns[c].id.clone(),
                    shown,
                    mask,
                });
            }
        }
    }
}

/// The true value of a number: the people of its release in the combinations it counts.
fn truth(n: &Number, people: &[&[Vec<usize>]], frame: &Frame<'_>) -> u64 {
    people[n.release]
        .iter()
        .filter(|p| n.mask[frame.cell_of(p)])
        .count() as u64
}

/// Unless `ATTACK_SAME_NOISE=0`, one more public rule: the same set of people always gets the same
/// adjustment (docs/releases.md), so two shown numbers of which one counts a subset of the
/// other's people (the same line in an earlier release, a two-way margin inside a one-way
/// count…) but show different values cannot count the same people: at least one person is in
/// the one and not in the other. Each entry is such a difference, as atoms whose sum is ≥ 1.
fn same_noise(numbers: &[Number], cells: usize) -> Vec<AtLeastOne> {
    if std::env::var_os("ATTACK_SAME_NOISE").is_some_and(|v| v == "0") {
        return Vec::new();
    }
    let mut out: BTreeMap<Vec<usize>, String> = BTreeMap::new();
    for small in numbers {
        for large in numbers {
            let (Some(p), Some(q)) = (small.shown, large.shown) else {
                continue;
            };
            let inside = small.release <= large.release
                && small.mask.iter().zip(&large.mask).all(|(s, l)| !s || *l);
            if p == q || !inside {
                continue;
            }
            let within: BTreeSet<usize> = small.atoms(cells).into_iter().collect();
            let rest: Vec<usize> = large
                .atoms(cells)
                .into_iter()
                .filter(|a| !within.contains(a))
                .collect();
            out.entry(rest).or_insert_with(|| {
                format!("{} shows {p} but {} shows {q}", small.name(), large.name())
            });
        }
    }
    out.into_iter()
        .map(|(atoms, why)| AtLeastOne { atoms, why })
        .collect()
}

/// A sum of unknowns known to be at least 1, and why.
struct AtLeastOne {
    atoms: Vec<usize>,
    why: String,
}

/// The least or greatest value of `target` given every shown number of `numbers` (and, from
/// [`same_noise`], sums of unknowns known to be at least 1).
fn extreme(
    numbers: &[Number],
    at_least_one: &[&AtLeastOne],
    target: &Number,
    cells: usize,
    t: u64,
    direction: OptimizationDirection,
) -> Result<f64, String> {
    let mut problem = Problem::new(direction);
    // Release 1's people per combination, then the newcomers of release 2.
    let on: BTreeSet<usize> = target.atoms(cells).into_iter().collect();
    let vars: Vec<Variable> = (0..2 * cells)
        .map(|a| problem.add_var(f64::from(u8::from(on.contains(&a))), (0.0, f64::INFINITY)))
        .collect();
    let terms = |atoms: &[usize]| -> Vec<(Variable, f64)> {
        atoms.iter().map(|&a| (vars[a], 1.0)).collect()
    };
    for n in numbers {
        let Some(p) = n.shown else { continue };
        let terms = terms(&n.atoms(cells));
        if terms.is_empty() {
            continue;
        }
        if p == 0 {
            problem.add_constraint(terms, ComparisonOp::Eq, 0.0);
        } else {
            let low = (p as f64 - D).max(t as f64);
            problem.add_constraint(terms.clone(), ComparisonOp::Ge, low);
            problem.add_constraint(terms, ComparisonOp::Le, p as f64 + D);
        }
    }
    if knows_counts() {
        let release_1: Vec<usize> = (0..cells).collect();
        let newcomers: Vec<usize> = (cells..2 * cells).collect();
        problem.add_constraint(terms(&release_1), ComparisonOp::Eq, FIRST as f64);
        problem.add_constraint(terms(&newcomers), ComparisonOp::Eq, NEWCOMERS as f64);
    }
    for one in at_least_one {
        if one.atoms.is_empty() {
            return Err(format!("the same people, different values: {}", one.why));
        }
        problem.add_constraint(terms(&one.atoms), ComparisonOp::Ge, 1.0);
    }
    match problem.solve() {
        Ok(outcome) => outcome
            .into_solution()
            .map(|s| s.objective())
            .map_err(|_| "the solver stopped before an answer".to_owned()),
        Err(Error::Unbounded) => Ok(match direction {
            OptimizationDirection::Maximize => f64::INFINITY,
            OptimizationDirection::Minimize => f64::NEG_INFINITY,
        }),
        Err(e) => Err(e.to_string()),
    }
}

/// Which of the same-noise inferences a too narrow range needs (none needed: empty): drops
/// each in turn while the range stays narrower than T.
fn needed(
    numbers: &[Number],
    ones: &[&AtLeastOne],
    target: &Number,
    cells: usize,
    t: u64,
) -> String {
    let width = |ones: &[&AtLeastOne]| -> f64 {
        let max = extreme(
            numbers,
            ones,
            target,
            cells,
            t,
            OptimizationDirection::Maximize,
        );
        let min = extreme(
            numbers,
            ones,
            target,
            cells,
            t,
            OptimizationDirection::Minimize,
        );
        match (max, min) {
            (Ok(max), Ok(min)) => max - min,
            _ => f64::INFINITY,
        }
    };
    let mut kept: Vec<&AtLeastOne> = ones.to_vec();
    let mut i = 0;
    while i < kept.len() {
        let mut without = kept.clone();
        without.remove(i);
        if width(&without) < t as f64 - EPS {
            kept = without;
        } else {
            i += 1;
        }
    }
    if kept.is_empty() {
        return String::new();
    }
    let why: Vec<&str> = kept.iter().map(|o| o.why.as_str()).collect();
    format!(
        "; narrowed by the same-noise rule, at least one person in each of: {}",
        why.join("; ")
    )
}

#[derive(Default)]
struct Outcome {
    failures: Vec<String>,
    checked_shown: usize,
    attacks: usize,
    hidden: BTreeSet<String>,
    narrowest: Option<(f64, String)>,
    /// For each survey with a failure: the answers and both release documents.
    evidence: Vec<String>,
}

/// Every set of `size` question positions, in order.
fn frames(questions: usize, size: usize) -> Vec<Vec<usize>> {
    if size == 0 {
        return vec![Vec::new()];
    }
    (0..questions)
        .flat_map(|first| {
            frames(questions, size - 1)
                .into_iter()
                .filter(move |rest| rest.first().is_none_or(|&r| r > first))
                .map(move |mut rest| {
                    rest.insert(0, first);
                    rest
                })
        })
        .collect()
}

/// Attacks every hidden number of the tables about each frame of `size` questions (2: the
/// pair's two-way table and its two one-way tables), in both releases together.
fn attack(
    seed: u64,
    questions: &[Question],
    people: &[Vec<usize>],
    releases: &[Release],
    size: usize,
    out: &mut Outcome,
) {
    let t = releases[0].threshold;
    assert!(
        releases.iter().all(|r| r.threshold == t),
        "one threshold throughout"
    );
    let by_release: Vec<&[Vec<usize>]> = vec![&people[..FIRST], people];
    let mut seen_shown: BTreeSet<String> = BTreeSet::new();
    for positions in frames(questions.len(), size) {
        let frame = Frame {
            questions: positions.iter().map(|&p| &questions[p]).collect(),
            positions,
        };
        let mut all = Vec::new();
        for (r, rel) in releases.iter().enumerate() {
            numbers(r, rel, &frame, &mut all);
        }
        let involved: BTreeMap<usize, BTreeSet<&str>> =
            all.iter().fold(BTreeMap::new(), |mut m, n| {
                m.entry(n.release + 1).or_default().insert(&n.table);
                m
            });
        let involved = format!("{involved:?}");
        // The model first: every shown number within D of the truth, a shown 0 a true 0, any
        // other shown number (and its truth) at least T.
        let mut model_ok = true;
        for n in &all {
            let Some(p) = n.shown else { continue };
            if !seen_shown.insert(n.name()) {
                continue;
            }
            out.checked_shown += 1;
            let truth = truth(n, &by_release, &frame);
            let bad = (p as f64 - truth as f64).abs() > D
                || (p == 0) != (truth == 0)
                || (p != 0 && (p < t || truth < t));
            if bad {
                model_ok = false;
                out.failures.push(format!(
                    "seed {seed}: shown number off the rules: {} shows {p}, true {truth}",
                    n.name()
                ));
            }
        }
        if !model_ok {
            continue;
        }
        let ones = same_noise(&all, frame.cells());
        let ones: Vec<&AtLeastOne> = ones.iter().collect();
        for target in all.iter().filter(|n| n.shown.is_none()) {
            out.attacks += 1;
            out.hidden.insert(format!("seed {seed}: {}", target.name()));
            let truth = truth(target, &by_release, &frame) as f64;
            let cells = frame.cells();
            let min = extreme(
                &all,
                &ones,
                target,
                cells,
                t,
                OptimizationDirection::Minimize,
            );
            let max = extreme(
                &all,
                &ones,
                target,
                cells,
                t,
                OptimizationDirection::Maximize,
            );
            let (min, max) = match (min, max) {
                (Ok(min), Ok(max)) => (min, max),
                (min, max) => {
                    out.failures.push(format!(
                        "seed {seed}: {}: LP for {} failed: min {min:?}, max {max:?}; tables {involved}",
                        frame.name(),
                        target.name()
                    ));
                    continue;
                }
            };
            let width = max - min;
            let what = format!(
                "seed {seed}: {}: hidden {} in [{min:.3}, {max:.3}] (width {width:.3}, T = {t}), true {truth}; tables {involved}",
                frame.name(),
                target.name()
            );
            if out.narrowest.as_ref().is_none_or(|(w, _)| width < *w) {
                out.narrowest = Some((width, what.clone()));
            }
            if width < t as f64 - EPS {
                let why = needed(&all, &ones, target, cells, t);
                out.failures.push(format!("too narrow: {what}{why}"));
            }
            if truth < min - EPS || truth > max + EPS {
                out.failures
                    .push(format!("truth outside the range: {what}"));
            }
        }
    }
}

#[test]
fn hidden_numbers_of_two_releases_keep_a_range_of_at_least_t_against_an_lp_reader() {
    let started = Instant::now();
    let app = TestApp::spawn_configured(&[], Some("submissions_per_minute = 0\n"));
    add_account(&app, "maria", "organiser");
    let key = format!("Bearer {}", api_key(&app, "maria"));
    let mut out = Outcome::default();
    let mut summary = Vec::new();
    for seed in seeds() {
        let mut rng = StdRng::seed_from_u64(seed);
        let qs = questions(&mut rng);
        let id = format!("attack-{seed}");
        app.import(&definition(&id, &qs));
        app.open_survey(&id);
        let people: Vec<Vec<usize>> = (0..FIRST + NEWCOMERS)
            .map(|_| person(&qs, &mut rng))
            .collect();
        let mut releases = Vec::new();
        let mut documents = Vec::new();
        for (r, range) in [(1, 0..FIRST), (2, FIRST..FIRST + NEWCOMERS)] {
            answer(&app, &id, &qs, &people[range]);
            let (ok, _, stderr) = app.cli(&["release", "publish", &id]);
            assert!(ok, "{id}: publishing release {r}: {stderr}");
            let (status, body) = api_get(&app, &format!("/api/v1/surveys/{id}/releases/{r}"), &key);
            assert_eq!(status, 200, "{id} release {r}: {body}");
            let doc: Value = serde_json::from_str(&body).expect("release JSON");
            assert_eq!(doc["release"], r, "{body}");
            let rel = release(&doc);
            // The whole catalogue: a one-way table per question and a two-way table per pair,
            // each shown or withheld.
            let mut ids: Vec<&str> = rel.tables.iter().map(|t| t.id.as_str()).collect();
            ids.extend(rel.withheld.iter().map(String::as_str));
            ids.sort_unstable();
            let mut expected: Vec<String> = qs.iter().map(|q| q.id.clone()).collect();
            for (i, a) in qs.iter().enumerate() {
                expected.extend(qs[i + 1..].iter().map(|b| format!("{}__{}", a.id, b.id)));
            }
            expected.sort_unstable();
            assert_eq!(ids, expected, "{id} release {r}: the catalogue");
            releases.push(rel);
            documents.push(body);
        }
        let before = (out.attacks, out.failures.len());
        attack(seed, &qs, &people, &releases, frame_size(), &mut out);
        let options: Vec<usize> = qs.iter().map(|q| q.options.len()).collect();
        let hidden: Vec<usize> = releases
            .iter()
            .map(|r| {
                r.tables
                    .iter()
                    .flat_map(|t| t.cells.iter().flatten())
                    .filter(|c| c.is_none())
                    .count()
            })
            .collect();
        summary.push(format!(
            "seed {seed}: options {options:?}; tables shown {:?}, withheld {:?} {:?}; hidden numbers per release {hidden:?}; {} attacks, {} failures",
            releases.iter().map(|r| r.tables.len()).collect::<Vec<_>>(),
            releases.iter().map(|r| r.withheld.len()).collect::<Vec<_>>(),
            releases.iter().map(|r| r.withheld.clone()).collect::<Vec<_>>(),
            out.attacks - before.0,
            out.failures.len() - before.1,
        ));
        // Record keys are random, so the published numbers differ from run to run: keep what
        // a failure was found in.
        if out.failures.len() > before.1 {
            let answers: Vec<String> = people.iter().map(|p| format!("{p:?}")).collect();
            out.evidence.push(format!(
                "seed {seed}: categories per person (options, dont_know, prefer_not_to_say, skipped), release 1 = the first {FIRST}: [{}]\nrelease 1: {}\nrelease 2: {}",
                answers.join(", "),
                documents[0],
                documents[1]
            ));
        }
    }
    for e in &out.evidence {
        println!("{e}");
    }
    for s in &summary {
        println!("{s}");
    }
    println!(
        "{} shown numbers checked against the truth; {} attacks on {} distinct hidden numbers; narrowest: {}; {:.1} s",
        out.checked_shown,
        out.attacks,
        out.hidden.len(),
        out.narrowest
            .as_ref()
            .map_or("none".to_owned(), |(_, w)| w.clone()),
        started.elapsed().as_secs_f64()
    );
    assert!(out.attacks > 0, "nothing was hidden: nothing attacked");
    assert!(
        out.failures.is_empty(),
        "{} failures:\n{}",
        out.failures.len(),
        out.failures.join("\n")
    );
}
