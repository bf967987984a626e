//! The options of a multi-select question attacked together: an attacker who knows that, for
//! every option, "selected" and "not selected" add up to the same people (everyone who
//! answered with choices), and that the non-answers are the same people in every option's
//! table. Written apart from the engine's own audit (`family.rs`): unknowns here are the
//! number who answered with choices, each option's "selected" and each non-answer, per release.

use microlp::{ComparisonOp, OptimizationDirection, Problem};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use super::catalogue::protect_catalogue;
use super::earlier::{EarlierRelease, EarlierTable};
use super::joint_proptests::reader_range;
use super::protect::{protect_with, Released};
use crate::survey::{answers, Response, Survey};
use crate::tally::{tally, Catalogue, Within};

const SLACK: f64 = 1e-6;

/// A multi-select question of `options` options, and a follow-up question shown only to those
/// who selected the first.
fn survey(options: usize, threshold: u32) -> Survey {
    survey_with(options, threshold, "drugs includes 'o0'")
}

/// A multi-select question of `options` options, and a required follow-up question on a page
/// shown on `condition`.
fn survey_with(options: usize, threshold: u32, condition: &str) -> Survey {
    survey_ruled(options, threshold, condition, &Ruled::default())
}

/// How many options one answer holds, as the form says ([`survey_ruled`]).
#[derive(Debug, Clone, Copy, Default)]
struct Ruled {
    min: Option<u32>,
    max: Option<u32>,
    /// The last option is chosen only alone ("none of these").
    last_alone: bool,
}

/// [`survey_with`], the multi-select question keeping `rule`.
fn survey_ruled(options: usize, threshold: u32, condition: &str, rule: &Ruled) -> Survey {
    let list: Vec<String> = (0..options)
        .map(|i| {
            let alone = rule.last_alone && i + 1 == options;
            format!("{{ id = \"o{i}\", text = \"Option {i}\", exclusive = {alone} }}")
        })
        .collect();
    let mut limits = String::new();
    if let Some(min) = rule.min {
        limits.push_str(&format!("  min_choices = {min}\n"));
    }
    if let Some(max) = rule.max {
        limits.push_str(&format!("  max_choices = {max}\n"));
    }
    Survey::parse(&format!(
        r#"
id = "family"
title = "Family"
threshold = {threshold}
[[pages]]
title = "One"
  [[pages.questions]]
  id = "drugs"
  type = "multi"
  role = "sensitive"
  text = "Which?"
{}  options = [{}]
[[pages]]
title = "Two"
show_if = "{condition}"
  [[pages.questions]]
  id = "tested"
  type = "single"
  role = "sensitive"
  required = true
  text = "Tested it?"
  options = [{{ id = "yes", text = "Yes" }}, {{ id = "no", text = "No" }}]
"#,
        limits,
        list.join(", ")
    ))
    .expect("the family survey parses")
}

/// One person's answer: `None` skips the question.
#[derive(Debug, Clone)]
enum Said {
    Chose(Vec<usize>),
    DontKnow,
    PreferNot,
    Skipped,
}

fn response(s: &Survey, said: &Said) -> Response {
    let mut m = Map::new();
    let value = match said {
        Said::Chose(c) => json!(c.iter().map(|i| format!("o{i}")).collect::<Vec<_>>()),
        Said::DontKnow => json!("dont_know"),
        Said::PreferNot => json!("prefer_not_to_say"),
        Said::Skipped => Value::Null,
    };
    if !value.is_null() {
        m.insert("drugs".into(), value);
    }
    if let Said::Chose(c) = said {
        if c.contains(&0) {
            let tested = if c.len() % 2 == 0 { "yes" } else { "no" };
            m.insert("tested".into(), json!(tested));
        }
    }
    answers::parse(s, &m).expect("valid answers")
}

fn catalogue(s: &Survey, people: &[(u32, Said)]) -> Catalogue {
    let responses: Vec<(u32, Response)> = people
        .iter()
        .map(|(k, said)| (*k, response(s, said)))
        .collect();
    tally(s, responses.iter().map(|(k, r)| (*k, r)))
}

/// Each option's table as published (cells, then the total; `None` where hidden), empty
/// where the table is withheld.
fn published(options: usize, released: &[Released]) -> Vec<Vec<Option<u64>>> {
    (0..options)
        .map(|i| {
            let id = format!("drugs.o{i}");
            released
                .iter()
                .find(|r| r.id() == id)
                .and_then(Released::shown)
                .map(|t| {
                    t.cells
                        .iter()
                        .chain(std::iter::once(&t.total))
                        .map(|c| if c.suppressed { None } else { c.count })
                        .collect()
                })
                .unwrap_or_default()
        })
        .collect()
}

fn earlier(released: &[Released]) -> EarlierRelease {
    released
        .iter()
        .filter_map(Released::shown)
        .map(EarlierTable::from_protected)
        .collect()
}

/// Every hidden number of the options' tables over all `releases` (per release, per option,
/// as [`published`] gives them; each table is selected, not selected, don't know, prefer not to
/// say, total) whose feasible range is narrower than `t`: (release, option, entry, width).
fn narrow(
    options: usize,
    releases: &[Vec<Vec<Option<u64>>>],
    t: u32,
) -> Vec<(usize, usize, usize, f64)> {
    narrow_knowing(options, releases, &[], t)
}

/// [`narrow`], the attacker also knowing, for each (release, option, entry, published), that
/// the option's "selected" (entry 0) or "not selected" (entry 1) is within the noise of a
/// published number: the respondents of a question shown only to those people.
fn narrow_knowing(
    options: usize,
    releases: &[Vec<Vec<Option<u64>>>],
    known: &[(usize, usize, usize, u64)],
    t: u32,
) -> Vec<(usize, usize, usize, f64)> {
    narrow_ruled(options, releases, known, &Ruled::default(), t)
}

/// [`narrow_knowing`], the attacker also knowing how many options each answer holds (`rule`,
/// from the questionnaire): those who chose the option chosen alone chose nothing else, and
/// everyone else who answered with choices chose between `min` (at least 1) and `max` of the
/// others.
fn narrow_ruled(
    options: usize,
    releases: &[Vec<Vec<Option<u64>>>],
    known: &[(usize, usize, usize, u64)],
    rule: &Ruled,
    t: u32,
) -> Vec<(usize, usize, usize, f64)> {
    narrow_counted(options, releases, (known, &[]), rule, t)
}

/// [`narrow_ruled`], the attacker also knowing how many responses each release counted
/// (`counted`, release by release; the release rule can tell: docs/releases.md), those who
/// skipped the question among them.
fn narrow_counted(
    options: usize,
    releases: &[Vec<Vec<Option<u64>>>],
    (known, counted): (&[Known], &[u64]),
    rule: &Ruled,
    t: u32,
) -> Vec<(usize, usize, usize, f64)> {
    // Unknowns per release: answered with choices, each option's "selected", don't know,
    // prefer not to say, and who skipped the question.
    let per = options + 4;
    let skipped = |r: usize| r * per + options + 3;
    let expr = |r: usize, m: usize, e: usize| -> Vec<(usize, f64)> {
        let base = r * per;
        match e {
            0 => vec![(base + 1 + m, 1.0)],
            1 => vec![(base, 1.0), (base + 1 + m, -1.0)],
            2 => vec![(base + options + 1, 1.0)],
            3 => vec![(base + options + 2, 1.0)],
            _ => vec![
                (base, 1.0),
                (base + options + 1, 1.0),
                (base + options + 2, 1.0),
            ],
        }
    };
    let extreme = |target: &[(usize, f64)], direction| -> Option<f64> {
        let mut problem = Problem::new(direction);
        let vars: Vec<_> = (0..per * releases.len())
            .map(|v| {
                let w = target.iter().filter(|(x, _)| *x == v).map(|(_, c)| c).sum();
                problem.add_var(w, (0.0, f64::INFINITY))
            })
            .collect();
        let row = |terms: &[(usize, f64)]| -> Vec<_> {
            terms.iter().map(|&(v, c)| (vars[v], c)).collect()
        };
        for (r, tables) in releases.iter().enumerate() {
            let base = r * per;
            for m in 0..options {
                // Nobody selects an option more often than people answer with choices.
                problem.add_constraint(row(&expr(r, m, 1)), ComparisonOp::Ge, 0.0);
                if r > 0 {
                    // Counts only grow: of each option, selected and not selected.
                    for e in 0..2 {
                        let mut grow = expr(r, m, e);
                        grow.extend(expr(r - 1, m, e).into_iter().map(|(v, c)| (v, -c)));
                        problem.add_constraint(row(&grow), ComparisonOp::Ge, 0.0);
                    }
                }
            }
            // Per person outside the ones who chose alone (`rest`), between `min` and `max`
            // of the other options.
            let alone = rule.last_alone.then(|| options - 1);
            let others: Vec<usize> = (0..options).filter(|&m| Some(m) != alone).collect();
            let rest = |c: f64| -> Vec<(usize, f64)> {
                let mut terms = vec![(base, c)];
                terms.extend(alone.map(|m| (base + 1 + m, -c)));
                terms
            };
            let min = f64::from(rule.min.unwrap_or(1).max(1));
            let max = f64::from(rule.max.unwrap_or(options as u32)).min(others.len() as f64);
            let mut at_least: Vec<(usize, f64)> =
                others.iter().map(|&m| (base + 1 + m, 1.0)).collect();
            at_least.extend(rest(-min));
            problem.add_constraint(row(&at_least), ComparisonOp::Ge, 0.0);
            let mut at_most = rest(max);
            at_most.extend(others.iter().map(|&m| (base + 1 + m, -1.0)));
            problem.add_constraint(row(&at_most), ComparisonOp::Ge, 0.0);
            if let Some(a) = alone {
                for &m in &others {
                    let mut terms = rest(1.0);
                    terms.push((base + 1 + m, -1.0));
                    problem.add_constraint(row(&terms), ComparisonOp::Ge, 0.0);
                }
                if min > 1.0 {
                    problem.add_constraint(row(&[(base + 1 + a, 1.0)]), ComparisonOp::Eq, 0.0);
                }
            }
            if let Some(&n) = counted.get(r) {
                let mut everyone = expr(r, 0, 4);
                everyone.push((skipped(r), 1.0));
                problem.add_constraint(row(&everyone), ComparisonOp::Eq, n as f64);
            }
            if r > 0 {
                for v in [options + 1, options + 2, options + 3] {
                    problem.add_constraint(
                        row(&[(base + v, 1.0), (base - per + v, -1.0)]),
                        ComparisonOp::Ge,
                        0.0,
                    );
                }
            }
            for (m, table) in tables.iter().enumerate() {
                for (e, value) in table.iter().enumerate() {
                    let Some(p) = *value else { continue };
                    let terms = row(&expr(r, m, e));
                    if p == 0 {
                        // Zeros stay zero.
                        problem.add_constraint(terms, ComparisonOp::Eq, 0.0);
                    } else {
                        let (low, high) = reader_range(p, u64::from(t));
                        problem.add_constraint(terms.clone(), ComparisonOp::Ge, low);
                        problem.add_constraint(terms, ComparisonOp::Le, high);
                    }
                }
            }
        }
        for &(r, m, e, p) in known {
            let (low, high) = reader_range(p, u64::from(t));
            let terms = row(&expr(r, m, e));
            problem.add_constraint(terms.clone(), ComparisonOp::Ge, low);
            problem.add_constraint(terms, ComparisonOp::Le, high);
        }
        match problem.solve() {
            Ok(outcome) => Some(outcome.into_solution().expect("solved").objective()),
            Err(microlp::Error::Unbounded) => None,
            Err(e) => panic!("the attacker's programme failed: {e}"),
        }
    };
    let mut found = Vec::new();
    for (r, tables) in releases.iter().enumerate() {
        for (m, table) in tables.iter().enumerate() {
            for (e, value) in table.iter().enumerate() {
                if value.is_some() {
                    continue;
                }
                let target = expr(r, m, e);
                let Some(hi) = extreme(&target, OptimizationDirection::Maximize) else {
                    continue;
                };
                let lo = extreme(&target, OptimizationDirection::Minimize).expect("bounded below");
                if hi - lo + SLACK < f64::from(t) {
                    found.push((r, m, e, hi - lo));
                }
            }
        }
    }
    found
}

/// splitmix64, for record keys.
fn keys(seed: u64, n: usize) -> Vec<u32> {
    let mut state = seed;
    (0..n)
        .map(|_| {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 32) as u32
        })
        .collect()
}

/// 100 people: 88 answered with choices (option 0 by 40 of them, option 1 by 3), 5 did not
/// know, 4 preferred not to say, 3 skipped. Option 0's table shows both its counts (the
/// non-answers together are wide enough on their own), so a reader knows about how many
/// answered with choices, and option 1's 3 is that less its published "not selected".
fn the_found_case(seed: u64) -> Vec<(u32, Said)> {
    let mut said = Vec::new();
    for i in 0..88 {
        let mut chose = Vec::new();
        if i < 40 {
            chose.push(0);
        }
        if (40..43).contains(&i) {
            chose.push(1);
        }
        if chose.is_empty() {
            chose.push(2);
        }
        said.push(Said::Chose(chose));
    }
    said.extend(std::iter::repeat_n(Said::DontKnow, 5));
    said.extend(std::iter::repeat_n(Said::PreferNot, 4));
    said.extend(std::iter::repeat_n(Said::Skipped, 3));
    keys(seed, said.len()).into_iter().zip(said).collect()
}

#[test]
fn one_option_at_a_time_lets_another_options_counts_pin_a_hidden_one() {
    // The way releases were made before the options were audited together: some record keys
    // give option 1's hidden 3 away.
    let s = survey(3, 10);
    let leaks = (0..20).any(|seed| {
        let c = catalogue(&s, &the_found_case(seed));
        let released: Vec<Released> = c
            .tables
            .iter()
            .map(|t| match protect_with(t, 10, &[]) {
                Ok(p) => Released::Shown(p),
                Err(_) => panic!("every option's table is shown on its own"),
            })
            .collect();
        !narrow(3, &[published(3, &released)], 10).is_empty()
    });
    assert!(
        leaks,
        "the attack should find the count one table at a time leaves narrow"
    );
}

#[test]
fn the_options_of_a_question_keep_every_hidden_count_wide_together() {
    let s = survey(3, 10);
    for seed in 0..20 {
        let c = catalogue(&s, &the_found_case(seed));
        let released = protect_catalogue(&c, 10, &[]);
        let tables = published(3, &released);
        assert_eq!(
            narrow(3, std::slice::from_ref(&tables), 10),
            [],
            "seed {seed}: {tables:?}"
        );
        // Not at the price of hiding everything: option 0's two counts stay shown.
        assert!(
            tables[0][0].is_some() && tables[0][1].is_some(),
            "seed {seed}: {tables:?}"
        );
    }
}

/// A multi-select question where each answer holds exactly one option: 30 chose option 0, 27
/// option 1, 3 option 2. A reader of the questionnaire knows option 2's "selected" is option
/// 0's "not selected" less option 1's "selected" — two published numbers, each within the
/// noise: from 30 / 27 / 3 it pinned the 3 to between 0 and 5, and from 40 / 35 / 5 to between
/// 2 and 7, when the audit did not know the rule.
#[test]
fn an_answer_of_exactly_one_option_pins_no_hidden_count_of_another() {
    let rule = Ruled {
        min: Some(1),
        max: Some(1),
        last_alone: false,
    };
    let s = survey_ruled(3, 10, "drugs includes 'o0'", &rule);
    for (split, seed) in [
        ([30, 27, 3], 1),
        ([40, 35, 5], 2),
        ([25, 22, 1], 3),
        ([50, 30, 8], 4),
    ]
    .into_iter()
    .flat_map(|(split, base)| (0..5).map(move |k| (split, base * 100 + k)))
    {
        let said: Vec<Said> = split
            .iter()
            .enumerate()
            .flat_map(|(o, &n)| std::iter::repeat_n(Said::Chose(vec![o]), n))
            .collect();
        let people: Vec<(u32, Said)> = keys(seed, said.len()).into_iter().zip(said).collect();
        let released = protect_catalogue(&catalogue(&s, &people), 10, &[]);
        let tables = published(3, &released);
        assert_eq!(
            narrow_ruled(3, std::slice::from_ref(&tables), &[], &rule, 10),
            [],
            "{split:?}, seed {seed}: {tables:?}"
        );
    }
}

/// Who answers between release 1 and release 2 of [`the_found_case`], in one of six ways: how
/// many, and what the `i`-th of them says.
fn newcomers(way: usize) -> Vec<Said> {
    let n = [20, 20, 30, 12, 15, 25][way];
    (0..n)
        .map(|i| match way {
            0 => Said::Chose(vec![if i % 2 == 0 { 0 } else { 2 }]),
            1 => Said::Chose(vec![if i % 3 == 0 { 1 } else { 2 }]),
            2 if i % 5 == 0 => Said::DontKnow,
            2 => Said::Chose(vec![0]),
            3 => Said::Chose(vec![1]),
            4 if i % 4 == 0 => Said::Skipped,
            4 => Said::Chose(vec![0, 1]),
            _ if i % 2 == 0 => Said::PreferNot,
            _ => Said::Chose(vec![2]),
        })
        .collect()
}

#[test]
fn a_count_an_earlier_release_left_narrow_is_not_narrowed_further() {
    // Release 1 made one option's table at a time, as before the options were audited
    // together: for some record keys it leaves option 1's hidden 3 narrow. Release 2 cannot
    // widen that again, but must not narrow it further (as it did when such a number was left
    // out of the audit altogether).
    let s = survey(3, 10);
    let mut checked = 0;
    for seed in 0..10 {
        let people = the_found_case(seed);
        let r1: Vec<Released> = catalogue(&s, &people)
            .tables
            .iter()
            .map(|t| Released::Shown(protect_with(t, 10, &[]).expect("shown on its own")))
            .collect();
        let before = narrow(3, &[published(3, &r1)], 10);
        if before.is_empty() {
            continue;
        }
        for way in 0..6 {
            checked += 1;
            let mut said: Vec<Said> = people.iter().map(|(_, said)| said.clone()).collect();
            said.extend(newcomers(way));
            let people2: Vec<(u32, Said)> = keys(seed, said.len()).into_iter().zip(said).collect();
            let r2 = protect_catalogue(&catalogue(&s, &people2), 10, &[earlier(&r1)]);
            let after = narrow(3, &[published(3, &r1), published(3, &r2)], 10);
            for &(r, m, e, width) in &after {
                assert_eq!(
                    r, 0,
                    "seed {seed}, way {way}: release 2's numbers stay wide"
                );
                let was = before
                    .iter()
                    .find(|x| (x.0, x.1, x.2) == (r, m, e))
                    .map(|x| x.3);
                assert!(
                    was.is_some_and(|w| width + SLACK >= w),
                    "seed {seed}, way {way}: release 1's option {m} entry {e} was {was:?} wide, \
                     now {width}"
                );
            }
        }
    }
    assert!(
        checked > 0,
        "some record keys should leave release 1 narrow"
    );
}

/// The found case with a question shown only to those who selected option 1, which nearly
/// everyone did: 85 of the 88 who answered with choices. Its 3 "not selected" is hidden (and
/// with it the 85), but the follow-up question's respondents count the 85 again, and option 0's
/// two shown counts give the 88.
/// How the follow-up question is tied to option 1.
#[derive(Clone, Copy)]
enum FollowUp {
    /// Shown to those who selected it (85 of 88).
    Selected,
    /// Shown to those who selected option 0 and not option 1 (85 of 88, everyone but the 3
    /// who selected option 1): its respondents count option 1's "not selected".
    NotSelected,
}

fn follow_up_catalogue(seed: u64, follow: FollowUp) -> Catalogue {
    let condition = match follow {
        FollowUp::Selected => "drugs includes 'o1'",
        FollowUp::NotSelected => "drugs includes 'o0' and not (drugs includes 'o1')",
    };
    let s = survey_with(3, 10, condition);
    let mut people: Vec<Value> = Vec::new();
    for i in 0..88 {
        let mut chose = vec![];
        match follow {
            FollowUp::Selected => {
                if i < 40 {
                    chose.push("o0");
                }
                if i >= 3 {
                    chose.push("o1");
                }
                if chose.is_empty() {
                    chose.push("o2");
                }
            }
            FollowUp::NotSelected => {
                if i < 3 {
                    chose.push("o1");
                } else {
                    chose.push("o0");
                    if i < 43 {
                        chose.push("o2");
                    }
                }
            }
        }
        let mut person = json!({ "drugs": chose });
        if i >= 3 {
            person["tested"] = json!(if i % 3 == 0 { "no" } else { "yes" });
        }
        people.push(person);
    }
    people.extend(std::iter::repeat_n(json!({"drugs": "dont_know"}), 5));
    people.extend(std::iter::repeat_n(
        json!({"drugs": "prefer_not_to_say"}),
        4,
    ));
    let responses: Vec<(u32, Response)> = keys(seed, people.len())
        .into_iter()
        .zip(people)
        .map(|(k, p)| {
            let Value::Object(m) = p else { unreachable!() };
            (k, answers::parse(&s, &m).expect("valid answers"))
        })
        .collect();
    tally(&s, responses.iter().map(|(k, r)| (*k, r)))
}

/// What the follow-up case's attacker finds: option tables, and the follow-up's total as a
/// count of the people it was shown to.
fn follow_up_narrow(released: &[Released], follow: FollowUp) -> Vec<(usize, usize, usize, f64)> {
    let tables = published(3, released);
    let follow_up = released
        .iter()
        .find(|r| r.id() == "tested")
        .and_then(Released::shown)
        .and_then(|t| t.total.count);
    let within: &[(usize, usize)] = match follow {
        FollowUp::Selected => &[(1, 0)],
        FollowUp::NotSelected => &[(1, 1), (0, 0)],
    };
    let knows: Vec<(usize, usize, usize, u64)> = follow_up
        .into_iter()
        .flat_map(|p| within.iter().map(move |&(m, e)| (0, m, e, p)))
        .collect();
    narrow_knowing(3, &[tables], &knows, 10)
}

#[test]
fn a_question_shown_only_for_one_option_keeps_that_options_hidden_counts_wide() {
    for (follow, selected) in [(FollowUp::Selected, true), (FollowUp::NotSelected, false)] {
        let mut leaked_without = false;
        for seed in 0..20 {
            let mut c = follow_up_catalogue(seed, follow);
            let link = Within {
                variable: "tested".into(),
                option: "drugs.o1".into(),
                selected,
                exact: true,
            };
            assert!(c.within.contains(&link), "{:?}", c.within);
            let released = protect_catalogue(&c, 10, &[]);
            assert_eq!(follow_up_narrow(&released, follow), [], "seed {seed}");
            c.within.clear();
            let without = protect_catalogue(&c, 10, &[]);
            leaked_without |= !follow_up_narrow(&without, follow).is_empty();
        }
        assert!(
            leaked_without,
            "without the links the attack should pin a count"
        );
    }
}

/// A random multi-select question answered by `n` people, then by a fifth more.
fn people() -> impl Strategy<Value = (usize, u32, Vec<(u32, Said)>, usize)> {
    (2usize..=4, 5u32..=10, 30usize..=200, any::<u64>()).prop_flat_map(|(k, t, n, seed)| {
        let more = n.div_ceil(5).max(t as usize);
        let weights = proptest::collection::vec(1u32..=90, k);
        let na = (0u32..=12, 0u32..=8, 0u32..=6);
        (
            Just(k),
            Just(t),
            weights,
            na,
            Just(n + more),
            Just(n),
            Just(seed),
        )
            .prop_map(|(k, t, w, (dk, pnts, skip), total, first, seed)| {
                let mut state = seed | 1;
                let mut roll = |below: u32| {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    (state % u64::from(below)) as u32
                };
                let keys = keys(seed, total);
                let people = keys
                    .into_iter()
                    .map(|key| {
                        let r = roll(100);
                        let said = if r < dk {
                            Said::DontKnow
                        } else if r < dk + pnts {
                            Said::PreferNot
                        } else if r < dk + pnts + skip {
                            Said::Skipped
                        } else {
                            let chose: Vec<usize> = (0..k).filter(|&i| roll(100) < w[i]).collect();
                            if chose.is_empty() {
                                Said::Chose(vec![0])
                            } else {
                                Said::Chose(chose)
                            }
                        };
                        (key, said)
                    })
                    .collect();
                (k, t, people, first)
            })
    })
}

/// A random multi-select question with a rule of how many options an answer holds, answered
/// by `n` people who keep it, then by a fifth more.
fn ruled_people() -> impl Strategy<Value = (usize, u32, Ruled, Vec<(u32, Said)>, usize)> {
    (
        2usize..=4,
        5u32..=10,
        30usize..=160,
        any::<u64>(),
        any::<bool>(),
    )
        .prop_flat_map(|(k, t, n, seed, last_alone)| {
            let others = if last_alone { k - 1 } else { k } as u32;
            (1u32..=others)
                .prop_flat_map(move |min| (Just(min), min..=others))
                .prop_map(move |(min, max)| {
                    let rule = Ruled {
                        min: Some(min),
                        max: Some(max),
                        last_alone,
                    };
                    let more = n.div_ceil(5).max(t as usize);
                    let mut state = seed | 1;
                    let mut roll = |below: u32| {
                        state ^= state << 13;
                        state ^= state >> 7;
                        state ^= state << 17;
                        (state % u64::from(below)) as u32
                    };
                    // Skewed: option i is liked by about 70 / (i + 1) in 100.
                    let people = keys(seed, n + more)
                        .into_iter()
                        .map(|key| {
                            let r = roll(100);
                            let said = if r < 4 {
                                Said::DontKnow
                            } else if r < 6 {
                                Said::Skipped
                            } else if last_alone && min == 1 && r < 14 {
                                Said::Chose(vec![k - 1])
                            } else {
                                let want = min + roll(max - min + 1);
                                let mut chose: Vec<usize> = (0..others as usize)
                                    .filter(|&i| roll(100) < 70 / (i as u32 + 1))
                                    .take(want as usize)
                                    .collect();
                                let mut next = 0;
                                while (chose.len() as u32) < want {
                                    if !chose.contains(&next) {
                                        chose.push(next);
                                    }
                                    next += 1;
                                }
                                chose.sort_unstable();
                                Said::Chose(chose)
                            };
                            (key, said)
                        })
                        .collect();
                    (k, t, rule, people, n)
                })
        })
}

/// 48 questions per run; `CHORUS_FAMILY_CASES=2000` searches harder.
fn config() -> ProptestConfig {
    let cases = std::env::var("CHORUS_FAMILY_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(48);
    ProptestConfig {
        cases,
        ..ProptestConfig::default()
    }
}

/// Each option's table as published in one release ([`published`]).
type Tables = Vec<Vec<Option<u64>>>;

/// (release, option, entry, published): an entry of an option's table a reader knows again.
type Known = (usize, usize, usize, u64);

/// Releases `people[..first]`, then all of `people`, as the engine does: each release's option
/// tables as published, and what the follow-up shown to those who selected option 0 (and
/// required of them) tells of them again — its number of respondents, per release.
fn released_twice(
    s: &Survey,
    k: usize,
    t: u32,
    people: &[(u32, Said)],
    first: usize,
) -> ([Tables; 2], Vec<Known>) {
    let r1 = protect_catalogue(&catalogue(s, &people[..first]), t, &[]);
    let before = EarlierRelease {
        responses: Some(first as u64),
        ..earlier(&r1)
    };
    let r2 = protect_catalogue(&catalogue(s, people), t, &[before]);
    let knows = [&r1, &r2]
        .iter()
        .enumerate()
        .filter_map(|(r, released)| {
            let total = released
                .iter()
                .find(|x| x.id() == "tested")
                .and_then(Released::shown)
                .and_then(|t| t.total.count)?;
            Some((r, 0, 0, total))
        })
        .collect();
    ([published(k, &r1), published(k, &r2)], knows)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn no_hidden_count_of_a_multi_select_question_is_pinned_by_its_options_over_two_releases(
        (k, t, people, first) in people()
    ) {
        let s = survey(k, t);
        let (releases, knows) = released_twice(&s, k, t, &people, first);
        prop_assert_eq!(narrow_knowing(k, &releases, &knows, t), vec![], "{:?}", releases);
    }

    /// The same, the attacker also knowing how many responses each release counted.
    #[test]
    fn no_hidden_count_of_a_multi_select_question_is_pinned_knowing_how_many_responded(
        (k, t, people, first) in people()
    ) {
        let s = survey(k, t);
        let (releases, knows) = released_twice(&s, k, t, &people, first);
        let counted = [first as u64, people.len() as u64];
        let found = narrow_counted(k, &releases, (&knows, &counted), &Ruled::default(), t);
        prop_assert_eq!(found, vec![], "{:?}", releases);
    }

    /// The same, the question keeping a rule of how many options one answer holds (at least,
    /// at most, one option chosen only alone), which the attacker reads off the questionnaire.
    #[test]
    fn no_hidden_count_is_pinned_by_how_many_options_an_answer_holds(
        (k, t, rule, people, first) in ruled_people()
    ) {
        let s = survey_ruled(k, t, "drugs includes 'o0'", &rule);
        let (releases, knows) = released_twice(&s, k, t, &people, first);
        prop_assert_eq!(
            narrow_ruled(k, &releases, &knows, &rule, t),
            vec![],
            "{:?} {:?}",
            rule,
            releases
        );
    }
}
