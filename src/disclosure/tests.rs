//! Disclosure control end to end: tallied tables in, protected tables out.

use serde_json::{json, Value};

use super::proptests::axis;
use super::{
    perturb, protect, protect_catalogue, ProtectedTable, Refusal, Released, MAX_ADJUSTMENT,
    PTABLE_VERSION,
};
use crate::survey::{answers, Response, Survey};
use crate::tally::{tally, Catalogue, RawCell, RawTable};

const SURVEY: &str = r#"
id = "t"
title = "T"

[[pages]]
title = "One"

  [[pages.questions]]
  id = "age"
  type = "number"
  role = "quasi"
  min = 16
  max = 99
  bands = [[16, 29], [30, 49], [50, 99]]
  text = "Age?"

  [[pages.questions]]
  id = "gender"
  type = "single"
  role = "quasi"
  text = "Gender?"
  options = [{ id = "woman", text = "Woman" }, { id = "man", text = "Man" }, { id = "another", text = "Another" }]

  [[pages.questions]]
  id = "drugs"
  type = "multi"
  role = "sensitive"
  text = "Which?"
  options = [{ id = "heroin", text = "Heroin" }, { id = "crack", text = "Crack" }]
"#;

/// splitmix64: deterministic stand-in for the random record keys and answers.
pub(super) struct Rng(pub(super) u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub(super) fn key(&mut self) -> u32 {
        (self.next() >> 32) as u32
    }

    pub(super) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn survey() -> Survey {
    Survey::parse(SURVEY).expect("test survey parses")
}

fn random_response(s: &Survey, rng: &mut Rng) -> Response {
    let gender = ["woman", "man", "another", "prefer_not_to_say"][rng.below(4) as usize];
    let drugs = match rng.below(3) {
        0 => json!(["heroin"]),
        1 => json!(["heroin", "crack"]),
        _ => json!("dont_know"),
    };
    let v = json!({"age": 16 + rng.below(70), "gender": gender, "drugs": drugs});
    let Value::Object(m) = v else { unreachable!() };
    answers::parse(s, &m).expect("valid answers")
}

fn records(n: usize, seed: u64) -> Vec<(u32, Response)> {
    let s = survey();
    let mut rng = Rng(seed);
    (0..n)
        .map(|_| (rng.key(), random_response(&s, &mut rng)))
        .collect()
}

fn catalogue(records: &[(u32, Response)]) -> Catalogue {
    tally(&survey(), records.iter().map(|(k, r)| (*k, r)))
}

fn published(c: &Catalogue, id: &str) -> ProtectedTable {
    protect(c.get(id).expect("table exists"), 10).expect("table is shown")
}

#[test]
fn the_same_cell_in_two_different_tables_carries_the_same_perturbation() {
    // Everyone answered both age and gender, so the `age` table and the age margin of
    // `age__gender` count the same records: same keys, same noise, same published numbers.
    let recs = records(400, 7);
    let c = catalogue(&recs);
    let (age, cross) = (
        c.get("age").expect("age"),
        c.get("age__gender").expect("cross"),
    );
    assert_eq!(age.cells(), cross.row_totals());
    assert_eq!(age.total(), cross.total());
    let (age, cross) = (published(&c, "age"), published(&c, "age__gender"));
    assert_eq!(age.cells, cross.row_totals);
    assert_eq!(age.total, cross.total);
    // Built again from the same records in another order: nothing changes.
    let mut reversed = recs.clone();
    reversed.reverse();
    assert_eq!(published(&catalogue(&reversed), "age__gender"), cross);
    // And every option of a multi-select question shares one total: those who answered it.
    assert_eq!(
        published(&c, "drugs.heroin").total,
        published(&c, "drugs.crack").total
    );
}

#[test]
fn one_more_record_is_not_published_as_exactly_one_more() {
    // A count of n with key k becomes n + 1 with key k + k'. Because both are perturbed by
    // their own keys, the published difference is +1 only when the two adjustments happen to
    // be equal: under the p-table, 0.05² + 0.05² + 3 × 0.30² = 27.5% of the time.
    let mut rng = Rng(99);
    let trials = 20_000;
    let mut exactly_one = 0;
    for _ in 0..trials {
        let (n, k, extra) = (10 + rng.below(200), rng.key(), rng.key());
        let before = perturb(n, k);
        let after = perturb(n + 1, k.wrapping_add(extra));
        if after == before + 1 {
            exactly_one += 1;
        }
    }
    let share = f64::from(exactly_one) / f64::from(trials);
    assert!((0.25..0.30).contains(&share), "{share}");
}

#[test]
fn adding_one_response_does_not_reveal_its_answer_through_the_released_tables() {
    // Over many surveys, release, add one response from a woman, release again: the woman cell
    // of `gender` often doesn't move by exactly one.
    let s = survey();
    let Value::Object(woman) = json!({"gender": "woman"}) else {
        unreachable!()
    };
    let mut rng = Rng(5);
    let mut moved_by_one = 0;
    let trials = 200;
    for i in 0..trials {
        let mut recs = records(120, 1000 + i);
        let before = published(&catalogue(&recs), "gender").cells[0].count;
        recs.push((rng.key(), answers::parse(&s, &woman).expect("valid")));
        let after = published(&catalogue(&recs), "gender").cells[0].count;
        if let (Some(b), Some(a)) = (before, after) {
            if a == b + 1 {
                moved_by_one += 1;
            }
        }
    }
    assert!(moved_by_one < trials / 2, "{moved_by_one} of {trials}");
}

#[test]
fn protecting_is_deterministic_down_to_the_bytes() {
    let c = catalogue(&records(300, 11));
    let a = serde_json::to_vec(&protect_catalogue(&c, 10, &[])).expect("serialises");
    let b = serde_json::to_vec(&protect_catalogue(&c, 10, &[])).expect("serialises");
    assert_eq!(a, b);
}

#[test]
fn the_whole_catalogue_is_protected_in_order_and_small_tables_are_withheld() {
    let c = catalogue(&records(60, 3));
    let out = protect_catalogue(&c, 10, &[]);
    assert_eq!(out.len(), c.tables.len());
    for (raw, result) in c.tables.iter().zip(&out) {
        assert_eq!(result.id(), raw.id());
        match result {
            Released::Shown(t) => assert_eq!(t.id, raw.id()),
            Released::Withheld(w) => {
                assert!(
                    matches!(
                        w.reason,
                        Refusal::TooFewPeople | Refusal::TooFewForBreakdown
                    ),
                    "{}: {}",
                    w.id,
                    w.reason
                );
            }
        }
    }
    assert!(out.iter().any(|r| r.shown().is_some()));
}

#[test]
fn a_table_with_fewer_people_than_the_threshold_is_not_shown() {
    let cells = vec![RawCell { count: 3, key: 1 }, RawCell { count: 2, key: 9 }];
    let t = RawTable::one_way("a".into(), axis("a", 2), cells).expect("shape");
    assert_eq!(protect(&t, 10), Err(Refusal::TooFewPeople));
}

#[test]
fn a_threshold_outside_five_to_fifty_is_refused() {
    let cells = vec![RawCell { count: 300, key: 1 }];
    let t = RawTable::one_way("a".into(), axis("a", 1), cells).expect("shape");
    assert_eq!(protect(&t, 4), Err(Refusal::ThresholdOutOfRange));
    assert_eq!(protect(&t, 51), Err(Refusal::ThresholdOutOfRange));
    assert!(protect(&t, 50).is_ok());
}

#[test]
fn a_small_cell_is_hidden_together_with_a_partner_and_large_ones_are_shown_perturbed() {
    let counts = [(3, 0x1234_5678), (120, 0x9abc_def0), (80, 0x0fed_cba9)];
    let cells = counts
        .iter()
        .map(|&(count, key)| RawCell { count, key })
        .collect();
    let t = RawTable::one_way("a".into(), axis("a", 3), cells).expect("shape");
    let p = protect(&t, 10).expect("shown");
    assert_eq!(
        p.cells.iter().map(|c| c.suppressed).collect::<Vec<_>>(),
        [true, false, true]
    );
    assert_eq!(p.cells[0].count, None);
    let shown = p.cells[1].count.expect("shown");
    assert!(shown.abs_diff(120) <= 2);
    assert_eq!(p.ptable_version, PTABLE_VERSION);
}

#[test]
fn a_released_table_reads_back_exactly_and_holds_no_keys() {
    let c = catalogue(&records(300, 21));
    let p = published(&c, "age__gender");
    let json = serde_json::to_string(&p).expect("serialises");
    assert!(!json.contains("\"key\""));
    let back: ProtectedTable = serde_json::from_str(&json).expect("reads back");
    assert_eq!(back, p);
}

#[test]
fn a_one_way_table_is_released_exactly_as_it_would_be_on_its_own() {
    // One-way tables come first: nothing in a two-way table hides a one-way count.
    for seed in 0..4 {
        let c = catalogue(&records(90, 500 + seed));
        let out = protect_catalogue(&c, 10, &[]);
        for (raw, released) in c.tables.iter().zip(&out) {
            if raw.columns().is_none() {
                assert_eq!(
                    released.shown(),
                    protect(raw, 10).ok().as_ref(),
                    "{}",
                    raw.id()
                );
            }
        }
    }
}

#[test]
fn a_two_way_table_shows_margins_that_agree_with_its_one_way_tables() {
    for seed in 0..4 {
        let c = catalogue(&records(120, 700 + seed));
        let out = protect_catalogue(&c, 10, &[]);
        for released in &out {
            let Some(t) = released.shown() else { continue };
            let Some(columns) = &t.columns else { continue };
            assert!(t
                .row_totals
                .iter()
                .chain(&t.column_totals)
                .all(|m| !m.suppressed));
            let one = out
                .iter()
                .filter_map(Released::shown)
                .find(|o| o.id == columns.variable)
                .expect("the column variable's one-way table");
            for (category, margin) in columns.categories.iter().zip(&t.column_totals) {
                if let Some(i) = one.rows.categories.iter().position(|x| x.id == category.id) {
                    if margin.count.is_some() && one.cells[i].suppressed {
                        panic!("{}: {} is hidden in its one-way table", t.id, category.id);
                    }
                }
            }
        }
    }
}

/// 30 chose crack (with heroin), 50 heroin only, 2 did not know, 1 preferred not to say: the
/// few non-answers need a partner in each option's table, and for an option that partner is
/// its "not selected" count, not the count the question asks about — also where "selected"
/// is the smaller of the two.
#[test]
fn an_option_keeps_its_selected_count_when_a_partner_must_hide() {
    let s = survey();
    let mut rng = Rng(11);
    let mut recs = Vec::new();
    for i in 0..83 {
        let drugs = match i {
            0..30 => json!(["heroin", "crack"]),
            30..80 => json!(["heroin"]),
            80..82 => json!("dont_know"),
            _ => json!("prefer_not_to_say"),
        };
        let v = json!({"age": 30, "gender": "woman", "drugs": drugs});
        let Value::Object(m) = v else { unreachable!() };
        recs.push((rng.key(), answers::parse(&s, &m).expect("valid answers")));
    }
    let c = catalogue(&recs);
    let out = protect_catalogue(&c, 10, &[]);
    let crack = out
        .iter()
        .find(|r| r.id() == "drugs.crack")
        .and_then(Released::shown)
        .expect("the crack table is shown");
    let ids: Vec<&str> = crack
        .rows
        .categories
        .iter()
        .map(|c| c.id.as_str())
        .collect();
    assert_eq!(&ids[..2], ["selected", "not_selected"]);
    assert!(crack.cells[0].count.is_some(), "selected stays shown");
    assert!(
        crack.cells[1].count.is_none(),
        "not selected is the partner"
    );
    assert!(crack.cells[2..].iter().all(|c| c.count.is_none()));
}

/// The same within one option's table on its own: the partner of its one non-answer is "not
/// selected" (53) although "selected" (30) is the smaller count.
#[test]
fn within_an_option_table_the_partner_of_its_non_answers_is_not_selected() {
    let mut rows = axis("drugs.crack", 4);
    for (category, id) in rows.categories.iter_mut().zip(["selected", "not_selected"]) {
        category.id = id.into();
    }
    let counts = [30, 53, 1, 0];
    let cells = counts
        .iter()
        .zip([11u32, 222_222, 3_333_333, 44_444_444])
        .map(|(&count, key)| RawCell { count, key })
        .collect();
    let t = RawTable::one_way("drugs.crack".into(), rows, cells).expect("shape");
    let shown = protect(&t, 10).expect("shown");
    assert!(shown.cells[0].count.is_some(), "selected stays shown");
    assert!(
        shown.cells[1].count.is_none(),
        "not selected is the partner"
    );
}

/// Two releases of the utility survey (`cargo run --release --example utility`): the first of
/// the first `first_n` of `records` (a fixture of `benches/support/`), the second of them all,
/// audited against the first; each release's counts changed by `adjust` before they are
/// protected.
fn utility_releases(
    records: &str,
    first_n: usize,
    adjust: impl Fn(&mut Catalogue),
) -> (Vec<Released>, Vec<Released>) {
    let survey = Survey::parse(include_str!("../../benches/support/utility-survey.toml"))
        .expect("the utility survey parses");
    let records: Vec<(u32, Response)> = records
        .lines()
        .map(|line| serde_json::from_str(line).expect("a record"))
        .collect();
    let release = |records: &[(u32, Response)], earlier: &[super::EarlierRelease]| {
        let mut c = tally(&survey, records.iter().map(|(k, r)| (*k, r)));
        adjust(&mut c);
        super::protect_catalogue(&c, super::DEFAULT_THRESHOLD, earlier)
    };
    let first = release(&records[..first_n], &[]);
    let earlier = vec![super::EarlierRelease {
        tables: (first.iter())
            .filter_map(Released::shown)
            .map(super::EarlierTable::from_protected)
            .collect(),
        responses: Some(first_n as u64),
    }];
    let second = release(&records, &earlier);
    (first, second)
}

/// The ids of the two-way tables of `release` shown (`shown`) or withheld.
fn breakdowns(release: &[Released], shown: bool) -> Vec<&str> {
    release
        .iter()
        .filter(|r| {
            let two_way = match r {
                Released::Shown(t) => t.columns.is_some(),
                Released::Withheld(w) => w.columns.is_some(),
            };
            two_way && r.shown().is_some() == shown
        })
        .map(Released::id)
        .collect()
}

/// The utility survey, its first 100 responses of seed 0 released, then all 120. In the second
/// release the pair of "site" and "used opioids" could still pin a number of the first release
/// (site "van", opioids "yes") after every breakdown of both questions was withheld: split by
/// the answers to "carried naloxone" (asked only of those who use opioids), the first release's
/// breakdowns of it bound that number against this release's one-way tables. Until 2026-12-05
/// it was published so; on 2026-12-05 the ten breakdowns of neither question were withheld
/// too — which only silenced the audit split by third questions, which ran only while some
/// breakdown was shown. It now runs once the release's breakdowns are decided, shown or not,
/// and the one-way table of "site" hides "van" (`margins::settle_pairs`).
///
/// Since 2026-12-06 the form's condition ties "carried naloxone" to "used opioids"
/// (`Survey::question_ties`), and the audits know what it tells every reader (`told.rs`): the
/// first release then withholds "site" by "carried naloxone", and the second has nothing left
/// to pin. The releases here are made as a survey that tells the engine of no such rule would
/// have them, which still reaches the step this test is about.
#[test]
fn a_pair_still_pinned_once_its_own_breakdowns_are_withheld_hides_more_of_its_one_way_tables() {
    let (first, second) = utility_releases(
        include_str!("../../benches/support/utility-120.jsonl"),
        100,
        |c| c.linked.clear(),
    );
    let count = |release: &[Released], table: &str, category: &str| {
        let t = release.iter().find(|r| r.id() == table)?.shown()?;
        let c = t.rows.categories.iter().position(|c| c.id == category)?;
        t.cells[c].count
    };
    assert!(
        count(&first, "site", "van").is_some(),
        "shown in the first release"
    );
    assert_eq!(count(&second, "site", "van"), None);
    assert!(count(&second, "used_opioids", "yes").is_some());
    let shown = breakdowns(&second, true);
    for id in &shown {
        assert!(
            !id.contains("site") && !id.contains("used_opioids"),
            "{id} shown"
        );
    }
    assert_eq!(
        shown.len(),
        10,
        "the breakdowns of neither question: {shown:?}"
    );
}

/// The utility survey, 50 responses of seed 7013 released, then 60. In the second release
/// the breakdown of "carried naloxone" (asked only of those who use opioids) by "service"
/// pins a number of the first release of "used opioids" by "service" on its own. The
/// breakdowns of the two questions were weighed by how far their margins push hidden counts,
/// which reached it only after every other breakdown of "used opioids" and "service" was
/// withheld: 12 breakdowns withheld until 2026-12-06, 3 now (`margins::pinning_alone`).
///
/// Made as a survey that tells the engine of no rule tying the two would have them (see
/// [`a_pair_still_pinned_once_its_own_breakdowns_are_withheld_hides_more_of_its_one_way_tables`]);
/// with the tie, 4 are withheld, "carried naloxone" by "service" among them.
///
/// Since 2026-12-07 "gender" by "used opioids" is withheld too, for a cell its design merges
/// away: "other" by "yes" (nobody answered "other" in the first release, a few have since),
/// which the release's other tables leave 10 wide and the breakdown's margins, read with the
/// first release's, 9 (`joint::current_merged_away`). Since later that day a withheld
/// breakdown's small cells are kept wide too (`joint::pair`), and that same cell, with
/// "gender" by "used opioids" withheld, is read 9 wide from the margins of "used opioids" by
/// "age", by "site" and by "service", each a second look at how many use opioids: those three
/// go as well, 7 in all.
#[test]
fn a_breakdown_that_pins_a_number_on_its_own_is_withheld_without_the_others_of_its_questions() {
    let (first, second) = utility_releases(
        include_str!("../../benches/support/utility-60.jsonl"),
        50,
        |c| c.linked.clear(),
    );
    let withheld = breakdowns(&second, false);
    assert!(
        withheld.contains(&"carried_naloxone__service"),
        "{withheld:?}"
    );
    for kept in ["age__service", "site__service"] {
        assert!(!withheld.contains(&kept), "{kept} withheld: {withheld:?}");
    }
    assert!(
        withheld.len() <= 8,
        "{} withheld: {withheld:?}",
        withheld.len()
    );
    assert!(breakdowns(&first, false).len() <= withheld.len());
}

/// The first question of the forms below: a site, asked of everyone and required.
pub(super) const SITE: &str = r#"
id = "t"
title = "T"
[[pages]]
title = "One"
  [[pages.questions]]
  id = "site"
  type = "single"
  role = "quasi"
  required = true
  dont_know = false
  prefer_not_to_say = false
  text = "Site?"
  options = [{ id = "n", text = "N" }, { id = "s", text = "S" }, { id = "e", text = "E" }]
"#;

/// A question to follow [`SITE`]: "Inject?", yes or no, required.
pub(super) const INJECT: &str = r#"
  [[pages.questions]]
  id = "inject"
  type = "single"
  role = "sensitive"
  required = true
  dont_know = false
  prefer_not_to_say = false
  text = "Inject?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]
"#;

/// Who answers [`SITE`] and [`INJECT`], in order, as (site, inject, how many): the first 88
/// are release 1 (East: 9 "yes", 12 "no"); release 2 adds 18, one of them East "yes". `said`
/// makes a response of the `i`-th of a group.
pub(super) fn east_people(
    said: impl Fn(usize, &str, &str) -> crate::survey::Response,
) -> (Vec<crate::survey::Response>, usize) {
    let first = [
        ("n", "yes", 20),
        ("n", "no", 15),
        ("s", "yes", 18),
        ("s", "no", 14),
        ("e", "yes", 9),
        ("e", "no", 12),
    ];
    let added = [("n", "yes", 9), ("s", "no", 8), ("e", "yes", 1)];
    let mut people = Vec::new();
    for (site, inject, n) in first.into_iter().chain(added) {
        people.extend((0..n).map(|i| said(i, site, inject)));
    }
    let first_n = first.iter().map(|g| g.2).sum();
    (people, first_n)
}

/// `people` with record keys, one set per `seed` (the noise a release's adjustments follow).
pub(super) fn keyed(
    people: &[crate::survey::Response],
    start: u32,
    seed: u32,
) -> Vec<(u32, &crate::survey::Response)> {
    let mut key = start.wrapping_add(seed.wrapping_mul(0x9e37_79b9));
    people
        .iter()
        .map(|r| {
            key ^= key << 13;
            key ^= key >> 17;
            key ^= key << 5;
            (key, r)
        })
        .collect()
}

/// A reader's interval for a count a one-way table shows (none where hidden or withheld).
pub(super) fn interval(r: &Released, cell: usize, t: u64) -> Option<(u64, u64)> {
    let v = r.shown()?.cells.get(cell)?.count?;
    let d = MAX_ADJUSTMENT;
    Some(if v == 0 {
        (0, 0)
    } else {
        (v.saturating_sub(d).max(t), v + d)
    })
}
