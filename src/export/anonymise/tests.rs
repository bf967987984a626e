//! Unit tests: the allow-list, hierarchy levels, the lattice choice on hand-made data, refusals,
//! the free-text canary, fresh ids and order, and the CSV output.

use std::collections::HashSet;

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::qi::Qi;
use super::*;
use crate::survey::{
    Answer, Day, Decimal, GridCell, NonAnswer, QuestionId, QuestionKind, Response, YearMonth,
};

const CANARY: &str = "CANARY-7f3a9c-free-text-must-never-leave";

pub(super) fn survey(src: &str) -> Survey {
    match Survey::parse(src) {
        Ok(s) => s,
        Err(e) => panic!("invalid survey:\n{e}\n{src}"),
    }
}

fn demo() -> Survey {
    survey(include_str!("../../../surveys/demo.toml"))
}

pub(super) fn qid(s: &str) -> QuestionId {
    QuestionId::parse(s).expect("question id")
}

pub(super) fn rng() -> StdRng {
    StdRng::seed_from_u64(7)
}

/// A random, well-typed response to every question of `s` (ignoring show_if); free text
/// answers carry the canary.
fn random_response(s: &Survey, rng: &mut StdRng) -> Response {
    let mut r = Response::default();
    for q in s.questions() {
        if rng.gen_ratio(1, 20) {
            continue;
        }
        if !q.non_answers().is_empty() && rng.gen_ratio(1, 20) {
            let na = q.non_answers();
            r.insert(
                q.id.clone(),
                Answer::NonAnswer(na[rng.gen_range(0..na.len())]),
            );
            continue;
        }
        let pick = |rng: &mut StdRng, options: &[crate::survey::Choice]| {
            options[rng.gen_range(0..options.len())].id.clone()
        };
        let answer = match &q.kind {
            QuestionKind::Single { options, .. } | QuestionKind::Likert { options } => {
                Answer::Choice(pick(rng, options))
            }
            QuestionKind::Multi { options, .. } => {
                let mut chosen: Vec<String> = options
                    .iter()
                    .filter(|o| !o.exclusive && rng.gen_bool(0.4))
                    .map(|o| o.id.clone())
                    .collect();
                if chosen.is_empty() {
                    chosen.push(pick(rng, options));
                }
                Answer::Choices(chosen)
            }
            QuestionKind::Number { min, max, .. } | QuestionKind::Scale { min, max, .. } => {
                Answer::Number(rng.gen_range(*min..=(*max).min(min + 60)))
            }
            QuestionKind::Grid { rows, options } => Answer::Grid(
                rows.iter()
                    .map(|row| (row.id.clone(), GridCell::Choice(pick(rng, options))))
                    .collect(),
            ),
            QuestionKind::Date { .. } => Answer::Month(
                YearMonth::new(rng.gen_range(1995..=2024), rng.gen_range(1..=12)).expect("month"),
            ),
            QuestionKind::Text { .. } => Answer::Text(CANARY.into()),
            // Never exported (see `decide`): a value is enough.
            QuestionKind::Decimal { min, .. } => Answer::Decimal(*min),
            QuestionKind::Day { min, .. } => Answer::Day(*min),
            QuestionKind::Note => continue,
        };
        r.insert(q.id.clone(), answer);
    }
    r
}

fn random_responses(s: &Survey, n: usize, seed: u64) -> Vec<Response> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|_| random_response(s, &mut rng)).collect()
}

// ---------------------------------------------------------------------------------------------
// The allow-list.

/// One value of every question type; the match makes a new variant fail to compile here.
fn every_kind() -> Vec<QuestionKind> {
    let kinds = vec![
        QuestionKind::Single {
            options: vec![],
            select: false,
        },
        QuestionKind::Multi {
            options: vec![],
            min_choices: None,
            max_choices: None,
        },
        QuestionKind::Number {
            min: 0,
            max: 1,
            unit: None,
            bands: vec![],
        },
        QuestionKind::Scale {
            min: 0,
            max: 1,
            min_label: None,
            max_label: None,
        },
        QuestionKind::Likert { options: vec![] },
        QuestionKind::Grid {
            rows: vec![],
            options: vec![],
        },
        QuestionKind::Date {
            min: None,
            max: None,
        },
        QuestionKind::Text { max_length: 10 },
        QuestionKind::Decimal {
            min: Decimal::from_int(0),
            max: Decimal::from_int(1),
            step: Decimal::from_int(1),
            unit: None,
            bands: vec![],
        },
        QuestionKind::Day {
            min: Day::new(2020, 1, 1).expect("day"),
            max: Day::new(2020, 1, 2).expect("day"),
        },
        QuestionKind::Note,
    ];
    for k in &kinds {
        match k {
            QuestionKind::Single { .. }
            | QuestionKind::Multi { .. }
            | QuestionKind::Number { .. }
            | QuestionKind::Scale { .. }
            | QuestionKind::Likert { .. }
            | QuestionKind::Grid { .. }
            | QuestionKind::Date { .. }
            | QuestionKind::Text { .. }
            | QuestionKind::Decimal { .. }
            | QuestionKind::Day { .. }
            | QuestionKind::Note => {}
        }
    }
    kinds
}

/// Every role, and no role; the match makes a new role fail to compile here.
fn every_role() -> Vec<Option<Role>> {
    let roles = [Role::Quasi, Role::Sensitive, Role::FreeText, Role::Plain];
    for r in roles {
        match r {
            Role::Quasi | Role::Sensitive | Role::FreeText | Role::Plain => {}
        }
    }
    std::iter::once(None).chain(roles.map(Some)).collect()
}

#[test]
fn every_type_and_role_has_an_export_decision_and_free_text_never_leaves() {
    let mut seen = 0;
    for kind in every_kind() {
        for role in every_role() {
            let d = decide(&kind, role);
            seen += 1;
            let never = matches!(d, Decision::Never | Decision::Nothing);
            if matches!(kind, QuestionKind::Text { .. }) || role == Some(Role::FreeText) {
                assert!(never, "{kind:?} {role:?} would be exported: {d:?}");
            }
            if matches!(kind, QuestionKind::Note) {
                assert_eq!(d, Decision::Nothing);
            }
            if role.is_none() {
                assert!(never, "a question without a role is exported: {kind:?}");
            }
            if let Decision::Generalise(_) = d {
                assert_eq!(role, Some(Role::Quasi));
            }
            if let Decision::Export(_) = d {
                assert!(matches!(role, Some(Role::Sensitive | Role::Plain)));
            }
        }
    }
    assert_eq!(seen, 11 * 5);
    let quasi = |k: &QuestionKind| decide(k, Some(Role::Quasi));
    let kinds = every_kind();
    assert_eq!(
        quasi(&kinds[0]),
        Decision::Generalise(Generalisation::Options)
    );
    assert_eq!(
        quasi(&kinds[2]),
        Decision::Generalise(Generalisation::Bands)
    );
    assert_eq!(
        quasi(&kinds[6]),
        Decision::Generalise(Generalisation::Years)
    );
    assert_eq!(
        quasi(&kinds[1]),
        Decision::Generalise(Generalisation::Selections)
    );
    assert_eq!(quasi(&kinds[5]), Decision::Unsupported);
}

// ---------------------------------------------------------------------------------------------
// Hierarchy levels.

pub(super) const PEOPLE: &str = r#"
id = "people"
title = "People"
k_anonymity = 5

[[pages]]
title = "About you"

  [[pages.questions]]
  id = "age"
  type = "number"
  role = "quasi"
  min = 16
  max = 99
  bands = [[16, 24], [25, 34], [35, 99]]
  coarse_bands = [[16, 34], [35, 99]]
  text = "Age?"

  [[pages.questions]]
  id = "gender"
  type = "single"
  role = "quasi"
  text = "Gender?"
  options = [{ id = "woman", text = "Woman" }, { id = "man", text = "Man" }, { id = "nb", text = "Non-binary" }]
  groups = [
    { id = "woman", text = "Woman", options = ["woman"] },
    { id = "man", text = "Man", options = ["man"] },
    { id = "other", text = "Another gender", options = ["nb"] },
  ]

  [[pages.questions]]
  id = "used"
  type = "single"
  role = "sensitive"
  text = "Used?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]

  [[pages.questions]]
  id = "note"
  type = "text"
  role = "free_text"
  text = "Anything else?"
"#;

fn person(age: i64, gender: &str, used: &str) -> Response {
    let mut r = Response::default();
    r.insert(qid("age"), Answer::Number(age));
    r.insert(qid("gender"), Answer::Choice(gender.into()));
    r.insert(qid("used"), Answer::Choice(used.into()));
    r.insert(qid("note"), Answer::Text(CANARY.into()));
    r
}

/// The value of one base code at each level.
fn climb(qi: &Qi, base: u16) -> Vec<Value> {
    qi.levels
        .iter()
        .map(|l| l.values[usize::from(l.map[usize::from(base)])])
        .collect()
}

fn qi_of(s: &Survey, id: &str, how: Generalisation, answers: &[Option<Answer>]) -> Qi {
    let mut qi = Qi::new(s.question(id).expect(id), how).expect("hierarchy");
    for a in answers {
        qi.push(a.as_ref());
    }
    qi
}

#[test]
fn a_number_climbs_from_its_band_to_its_coarse_band_to_suppressed() {
    let s = survey(PEOPLE);
    let qi = qi_of(
        &s,
        "age",
        Generalisation::Bands,
        &[Some(Answer::Number(30)), Some(Answer::Number(50))],
    );
    let names: Vec<&str> = qi.levels.iter().map(|l| l.name).collect();
    assert_eq!(names, ["bands", "coarse bands", "suppressed"]);
    assert_eq!(qi.top(), 2);
    assert_eq!(
        climb(&qi, qi.base[0]),
        [Value::Code(2), Value::Code(1), Value::Suppressed]
    );
    assert_eq!(
        climb(&qi, qi.base[1]),
        [Value::Code(3), Value::Code(2), Value::Suppressed]
    );
    let labels: Vec<&str> = qi.levels[1]
        .codes
        .iter()
        .map(|c| c.label.as_str())
        .collect();
    assert_eq!(
        labels,
        [
            "16-34",
            "35-99",
            "don't know",
            "prefer not to say",
            "not shown or not answered"
        ]
    );
}

#[test]
fn non_answers_stay_distinct_at_every_level_but_the_top() {
    let s = survey(PEOPLE);
    let qi = qi_of(
        &s,
        "gender",
        Generalisation::Options,
        &[
            Some(Answer::NonAnswer(NonAnswer::DontKnow)),
            Some(Answer::NonAnswer(NonAnswer::PreferNotToSay)),
            None,
        ],
    );
    assert_eq!(
        climb(&qi, qi.base[0]),
        [Value::Code(-1), Value::Code(-1), Value::Suppressed]
    );
    assert_eq!(
        climb(&qi, qi.base[1]),
        [Value::Code(-2), Value::Code(-2), Value::Suppressed]
    );
    assert_eq!(
        climb(&qi, qi.base[2]),
        [Value::Code(-3), Value::Code(-3), Value::Suppressed]
    );
}

#[test]
fn an_option_climbs_to_its_group() {
    let s = demo();
    let qi = qi_of(
        &s,
        "area",
        Generalisation::Options,
        &[Some(Answer::Choice("harbour".into()))],
    );
    assert_eq!(
        climb(&qi, qi.base[0]),
        [Value::Code(2), Value::Code(2), Value::Suppressed]
    );
    assert_eq!(qi.levels[1].codes[1].label, "Waterfront");
}

#[test]
fn a_date_climbs_from_year_to_five_year_span_to_suppressed() {
    let s = survey(&PEOPLE.replace(
        "  [[pages.questions]]\n  id = \"used\"",
        "  [[pages.questions]]\n  id = \"since\"\n  type = \"date\"\n  min = \"2000-01\"\n  max = \"2030-12\"\n  role = \"quasi\"\n  text = \"Since?\"\n\n  [[pages.questions]]\n  id = \"used\"",
    ));
    let m = |y, mo| Some(Answer::Month(YearMonth::new(y, mo).expect("month")));
    let qi = qi_of(
        &s,
        "since",
        Generalisation::Years,
        &[m(2023, 5), m(2019, 12)],
    );
    let names: Vec<&str> = qi.levels.iter().map(|l| l.name).collect();
    assert_eq!(names, ["year", "5-year span", "suppressed"]);
    assert_eq!(
        climb(&qi, qi.base[0]),
        [Value::Code(2023), Value::Code(2020), Value::Suppressed]
    );
    assert_eq!(
        climb(&qi, qi.base[1]),
        [Value::Code(2019), Value::Code(2015), Value::Suppressed]
    );
}

#[test]
fn without_a_declared_middle_level_a_question_goes_straight_to_suppressed() {
    let s = survey(&PEOPLE.replace("  coarse_bands = [[16, 34], [35, 99]]\n", ""));
    let qi = qi_of(
        &s,
        "age",
        Generalisation::Bands,
        &[Some(Answer::Number(20))],
    );
    assert_eq!(qi.top(), 1);
    assert_eq!(climb(&qi, qi.base[0]), [Value::Code(1), Value::Suppressed]);
}

// ---------------------------------------------------------------------------------------------
// The lattice choice.

pub(super) fn params(k: u32) -> Params {
    Params {
        k,
        l: 2,
        max_suppressed_fraction: 0.05,
    }
}

/// Young women are too few in their bands but enough across 16–34; gender groups don't help
/// (woman is a group of its own). The optimum is therefore age at coarse bands, gender as is.
pub(super) fn coarse_age_wins() -> Vec<Response> {
    let mut v = Vec::new();
    for i in 0..3 {
        v.push(person(20, "woman", if i % 2 == 0 { "yes" } else { "no" }));
        v.push(person(30, "woman", if i % 2 == 0 { "no" } else { "yes" }));
    }
    for i in 0..10 {
        v.push(person(40 + i, "man", if i % 2 == 0 { "yes" } else { "no" }));
    }
    v
}

#[test]
fn the_search_picks_the_least_generalisation_that_works() {
    let s = survey(PEOPLE);
    let data = coarse_age_wins();
    let out = anonymise(&s, &data, &params(5), &mut rng()).expect("export");
    assert_eq!(out.levels["age"].name, "coarse bands");
    assert_eq!(out.levels["age"].number, 1);
    assert_eq!(out.levels["gender"].name, "options");
    assert_eq!(out.records_suppressed, 0);
    assert_eq!(out.achieved_k, 6);
    assert_eq!(out.achieved_l, Some(2));
    assert!((out.information_loss - 0.5).abs() < 1e-9);
    let exhaustive = exhaustive_optimum(&s, &data, &params(5)).expect("some node passes");
    assert_eq!(exhaustive.2, vec![1, 0]);
    assert!(out.nodes_evaluated <= out.lattice_nodes);
    check(&out.rows, &out.columns, 5, 2).expect("k and l hold");
}

#[test]
fn data_that_is_already_anonymous_is_not_generalised() {
    let s = survey(PEOPLE);
    let mut data = Vec::new();
    for i in 0..40 {
        data.push(person(
            20 + (i % 2),
            "woman",
            if i % 3 == 0 { "yes" } else { "no" },
        ));
    }
    let out = anonymise(&s, &data, &params(5), &mut rng()).expect("export");
    assert_eq!(out.levels["age"].number, 0);
    assert_eq!(out.levels["gender"].number, 0);
    assert_eq!(out.information_loss, 0.0);
    assert_eq!(out.nodes_evaluated, 2, "top and bottom only");
}

#[test]
fn a_class_that_is_not_l_diverse_forces_more_generalisation() {
    let s = survey(PEOPLE);
    // Every young woman said yes: exporting their band would reveal it.
    let mut data = Vec::new();
    for _ in 0..6 {
        data.push(person(20, "woman", "yes"));
    }
    for i in 0..6 {
        data.push(person(40, "woman", if i % 2 == 0 { "yes" } else { "no" }));
    }
    for i in 0..8 {
        data.push(person(50, "man", if i % 2 == 0 { "yes" } else { "no" }));
    }
    let out = anonymise(&s, &data, &params(5), &mut rng()).expect("export");
    assert_ne!(
        (out.levels["age"].number, out.levels["gender"].number),
        (0, 0)
    );
    // Age suppressed would mix the young women with the older ones.
    assert_eq!(out.levels["age"].name, "suppressed");
    assert_eq!(out.levels["gender"].name, "options");
    assert_eq!(out.rows.len(), 20);
    check(&out.rows, &out.columns, 5, 2).expect("k and l hold");
    let exhaustive = exhaustive_optimum(&s, &data, &params(5)).expect("passes");
    assert_eq!(exhaustive.2, vec![2, 0]);
}

#[test]
fn a_few_unusual_records_are_dropped_within_the_budget() {
    let s = survey(PEOPLE);
    let mut data = Vec::new();
    for i in 0..100 {
        data.push(person(
            20 + (i % 3),
            "woman",
            if i % 2 == 0 { "yes" } else { "no" },
        ));
    }
    data.push(person(80, "nb", "yes"));
    let out = anonymise(&s, &data, &params(5), &mut rng()).expect("export");
    assert_eq!(out.levels["age"].number, 0);
    assert_eq!(out.records_suppressed, 1);
    assert_eq!(out.rows.len(), 100);
}

// ---------------------------------------------------------------------------------------------
// Refusals.

#[test]
fn fewer_responses_than_k_are_refused() {
    let s = survey(PEOPLE);
    let data: Vec<Response> = (0..4)
        .map(|i| person(20, "woman", if i % 2 == 0 { "yes" } else { "no" }))
        .collect();
    match anonymise(&s, &data, &params(5), &mut rng()) {
        Err(Refusal::Unreachable(msg)) => {
            assert!(msg.contains("fewer responses than k = 5"), "{msg}");
            assert!(!msg.contains('4'), "the exact count stays unsaid: {msg}");
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[test]
fn a_sensitive_item_everyone_answered_alike_is_left_out_by_name() {
    let s = survey(PEOPLE);
    let data: Vec<Response> = (0..50).map(|i| person(20 + i, "woman", "yes")).collect();
    let out = anonymise(&s, &data, &params(5), &mut rng()).expect("exported without it");
    assert_eq!(out.withheld_columns, vec!["used".to_string()]);
    assert!(out.columns.iter().all(|c| c.name != "used"));
    assert!(out.rows.iter().all(|r| r.values.len() == out.columns.len()));
}

/// Nineteen women who all answered "yes" and one who preferred not to say: her non-answer is
/// not a second answer, so the export never shows a group whose answers are all "yes" (an
/// outside review found "ℓ = 2" reached that way).
#[test]
fn a_non_answer_never_makes_a_group_of_alike_answers_diverse() {
    let s = survey(PEOPLE);
    let mut data: Vec<Response> = (0..40)
        .map(|i| person(20 + i % 50, "man", if i % 3 == 0 { "yes" } else { "no" }))
        .collect();
    data.extend((0..19).map(|i| person(20 + i * 2, "woman", "yes")));
    let mut shy = person(30, "woman", "yes");
    shy.insert(qid("used"), Answer::NonAnswer(NonAnswer::PreferNotToSay));
    data.push(shy);
    let out = anonymise(&s, &data, &params(5), &mut rng()).expect("exported");
    let quasi: Vec<usize> = (out.columns.iter().enumerate())
        .filter(|(_, c)| c.role == Role::Quasi)
        .map(|(i, _)| i)
        .collect();
    let used = out
        .columns
        .iter()
        .position(|c| c.name == "used")
        .expect("used");
    let missing: Vec<Value> = out.columns[used].missing_codes().map(|m| m.code).collect();
    let mut classes: std::collections::HashMap<Vec<Value>, std::collections::BTreeSet<Value>> =
        std::collections::HashMap::new();
    for row in &out.rows {
        let answers = classes
            .entry(quasi.iter().map(|&q| row.values[q]).collect())
            .or_default();
        if !missing.contains(&row.values[used]) {
            answers.insert(row.values[used]);
        }
    }
    assert!(
        classes.values().all(|a| a.len() != 1),
        "a group in which everyone who answered gave the same answer"
    );
    assert!(out.achieved_l.is_some_and(|l| l >= 2));
}

#[test]
fn no_responses_are_refused() {
    let s = survey(PEOPLE);
    assert_eq!(
        anonymise(&s, &[], &params(5), &mut rng()),
        Err(Refusal::NoResponses)
    );
}

#[test]
fn settings_below_the_survey_s_are_refused() {
    let s = demo();
    let data = random_responses(&s, 50, 1);
    for p in [
        params(5),
        params(51),
        Params { l: 1, ..params(10) },
        Params {
            max_suppressed_fraction: 0.2,
            ..params(10)
        },
        Params {
            max_suppressed_fraction: f64::NAN,
            ..params(10)
        },
    ] {
        assert!(
            matches!(
                anonymise(&s, &data, &p, &mut rng()),
                Err(Refusal::Settings(_))
            ),
            "{p:?}"
        );
    }
    assert_eq!(Params::for_survey(&s), params(10));
}

// ---------------------------------------------------------------------------------------------
// What leaves: no free text, fresh ids, shuffled rows, codes.

#[test]
fn the_free_text_canary_never_appears_in_any_output() {
    let s = demo();
    let data = random_responses(&s, 400, 2);
    let out = anonymise(&s, &data, &Params::for_survey(&s), &mut rng()).expect("export");
    let everything = format!(
        "{}\n{}\n{}\n{:?}",
        serde_json::to_string(&out).expect("json"),
        out.data_csv().expect("csv"),
        out.codebook_csv().expect("csv"),
        out
    );
    assert!(!everything.contains(CANARY));
    assert!(!everything.contains("CANARY"));
    assert!(out.columns.iter().all(|c| c.question != "anything_else"));
    assert!(out.columns.iter().all(|c| c.role != Role::FreeText));
    assert!(!out.rows.is_empty());
}

#[test]
fn two_exports_share_no_row_id_and_differ_in_order() {
    let s = demo();
    let data = random_responses(&s, 400, 3);
    let p = Params::for_survey(&s);
    let a = anonymise(&s, &data, &p, &mut rand::rngs::OsRng).expect("export");
    let b = anonymise(&s, &data, &p, &mut rand::rngs::OsRng).expect("export");
    let ids_a: HashSet<&str> = a.rows.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids_a.len(), a.rows.len(), "ids are unique");
    assert!(b.rows.iter().all(|r| !ids_a.contains(r.id.as_str())));
    assert!(a
        .rows
        .iter()
        .all(|r| r.id.len() == 16 && r.id.chars().all(|c| c.is_ascii_hexdigit())));
    let order = |x: &Anonymised| x.rows.iter().map(|r| r.values.clone()).collect::<Vec<_>>();
    assert_ne!(order(&a), order(&b));
    let mut sa = order(&a);
    let mut sb = order(&b);
    sa.sort();
    sb.sort();
    assert_eq!(sa, sb, "the same rows, in another order");
}

#[test]
fn rows_are_not_in_input_order() {
    let s = survey(PEOPLE);
    let data: Vec<Response> = (0..200)
        .map(|i| person(20 + (i % 3), "woman", if i % 2 == 0 { "yes" } else { "no" }))
        .collect();
    let out = anonymise(&s, &data, &params(5), &mut rng()).expect("export");
    let used: Vec<Value> = out.rows.iter().map(|r| r.values[2]).collect();
    let input: Vec<Value> = (0..200)
        .map(|i| Value::Code(1 + i64::from(i % 2 != 0)))
        .collect();
    assert_ne!(used, input);
}

#[test]
fn multi_options_and_grid_rows_become_columns_with_non_answer_codes() {
    let s = demo();
    let mut data = random_responses(&s, 400, 4);
    data[0].insert(
        qid("drugs_3m"),
        Answer::NonAnswer(NonAnswer::PreferNotToSay),
    );
    // Some people choose "none of these", so that its column has two different answers.
    for r in data.iter_mut().skip(1).step_by(7) {
        r.insert(qid("drugs_3m"), Answer::Choices(vec!["none".into()]));
    }
    let out = anonymise(&s, &data, &Params::for_survey(&s), &mut rng()).expect("export");
    let names: Vec<&str> = out.columns.iter().map(|c| c.name.as_str()).collect();
    assert!(names.contains(&"drugs_3m.heroin"));
    assert!(names.contains(&"drugs_3m.none"));
    assert!(names.contains(&"service_rating.hospital"));
    assert!(!names.contains(&"intro"));
    let heroin = out
        .columns
        .iter()
        .find(|c| c.name == "drugs_3m.heroin")
        .expect("column");
    assert_eq!(heroin.role, Role::Sensitive);
    assert_eq!(heroin.format, ValueFormat::Selected);
    assert!(heroin.label.ends_with("— Heroin"), "{}", heroin.label);
    let codes: Vec<Value> = heroin.codes.iter().map(|c| c.code).collect();
    assert_eq!(
        codes,
        [
            Value::Code(1),
            Value::Code(0),
            Value::Code(-1),
            Value::Code(-2),
            Value::Code(-3)
        ]
    );
    let ost_started = out
        .columns
        .iter()
        .find(|c| c.name == "ost_started")
        .expect("date column");
    assert_eq!(ost_started.format, ValueFormat::Year);
    let age = out.columns.iter().find(|c| c.name == "age").expect("age");
    assert_eq!(age.role, Role::Quasi);
    assert!(age.level.is_some());
}

#[test]
fn negative_numbers_get_non_answer_codes_below_their_minimum() {
    let s = survey(&PEOPLE.replace(
        "  [[pages.questions]]\n  id = \"note\"",
        "  [[pages.questions]]\n  id = \"change\"\n  type = \"number\"\n  role = \"plain\"\n  min = -5\n  max = 5\n  text = \"Change?\"\n\n  [[pages.questions]]\n  id = \"note\"",
    ));
    let mut data = coarse_age_wins();
    data[0].insert(qid("change"), Answer::Number(-1));
    data[1].insert(qid("change"), Answer::NonAnswer(NonAnswer::DontKnow));
    let out = anonymise(&s, &data, &params(5), &mut rng()).expect("export");
    let c = out
        .columns
        .iter()
        .find(|c| c.name == "change")
        .expect("column");
    let codes: Vec<Value> = c.codes.iter().map(|c| c.code).collect();
    assert_eq!(codes, [Value::Code(-6), Value::Code(-7), Value::Code(-8)]);
}

#[test]
fn the_csv_has_a_row_id_and_one_column_per_variable() {
    let s = survey(PEOPLE);
    let out = anonymise(&s, &coarse_age_wins(), &params(5), &mut rng()).expect("export");
    let data = out.data_csv().expect("csv");
    let mut lines = data.lines();
    assert_eq!(lines.next(), Some("row_id,age,gender,used"));
    assert_eq!(lines.count(), out.rows.len());
    let codebook = out.codebook_csv().expect("csv");
    let records: Vec<Vec<String>> = csv::Reader::from_reader(codebook.as_bytes())
        .records()
        .map(|r| r.expect("a line").iter().map(str::to_owned).collect())
        .collect();
    let age = records.iter().find(|r| r[0] == "age").expect("age");
    assert_eq!(
        age[..5],
        [
            "age",
            "Age?",
            "quasi",
            "codes listed in the codebook",
            "1 of 2: coarse bands"
        ]
    );
    assert!(
        age[5].starts_with("1=16-34; 2=35-99; -1=don't know"),
        "{}",
        age[5]
    );
    let used = records.iter().find(|r| r[0] == "used").expect("used");
    assert_eq!(used[..3], ["used", "Used?", "sensitive"]);
    // Labels are quoted: a spreadsheet that also splits at `;` keeps "1=16-34; 2=…" whole.
    assert!(
        codebook.contains("\"1=16-34; 2=35-99; -1=don't know"),
        "{codebook}"
    );
}

#[test]
fn check_finds_a_class_below_k_and_a_class_without_diversity() {
    let s = survey(PEOPLE);
    let out = anonymise(&s, &coarse_age_wins(), &params(5), &mut rng()).expect("export");
    assert!(check(&out.rows, &out.columns, 6, 2).is_ok());
    assert!(check(&out.rows, &out.columns, 7, 2)
        .expect_err("k = 7 fails")
        .contains("only 6 rows"));
    let mut rows = out.rows.clone();
    let used = 2;
    for r in rows.iter_mut() {
        r.values[used] = Value::Code(1);
    }
    assert!(check(&rows, &out.columns, 5, 2)
        .expect_err("l fails")
        .contains("'used'"));
}

// ---------------------------------------------------------------------------------------------
// A multi-select as a quasi-identifier.

const DRUGS: &str = r#"
id = "drugs"
title = "Drugs"
k_anonymity = 5

[[pages]]
title = "What you use"

  [[pages.questions]]
  id = "used"
  type = "multi"
  role = "quasi"
  text = "Which drugs?"
  options = [{ id = "heroin", text = "Heroin" }, { id = "fentanyl", text = "Fentanyl" }, { id = "meth", text = "Meth" }]
GROUPS
"#;

const DRUG_GROUPS: &str = r#"  groups = [
    { id = "opioids", text = "Opioids", options = ["heroin", "fentanyl"] },
    { id = "stimulants", text = "Stimulants", options = ["meth"] },
  ]"#;

fn ticked(ids: &[&str]) -> Option<Answer> {
    Some(Answer::Choices(
        ids.iter().map(|s| (*s).to_owned()).collect(),
    ))
}

/// Every column's value of one record at one level.
fn columns_at(qi: &Qi, level: usize, record: usize) -> Vec<Value> {
    let l = &qi.levels[level];
    let class = usize::from(l.map[usize::from(qi.base[record])]);
    l.parts.iter().map(|p| p.values[class]).collect()
}

#[test]
fn a_multi_select_climbs_from_options_to_groups_to_hidden_as_whole_combinations() {
    let s = survey(&DRUGS.replace("GROUPS", DRUG_GROUPS));
    let answers = [
        ticked(&["heroin", "meth"]),
        ticked(&["fentanyl", "meth"]),
        ticked(&[]),
        Some(Answer::NonAnswer(NonAnswer::PreferNotToSay)),
        None,
    ];
    let mut qi = qi_of(&s, "used", Generalisation::Selections, &answers);
    assert!(qi.finish());
    let names: Vec<&str> = qi.levels.iter().map(|l| l.name).collect();
    assert_eq!(names, ["options", "groups", "suppressed"]);
    let c = Value::Code;
    assert_eq!(columns_at(&qi, 0, 0), [c(1), c(0), c(1)]);
    assert_eq!(columns_at(&qi, 0, 1), [c(0), c(1), c(1)]);
    assert_eq!(columns_at(&qi, 0, 2), [c(0), c(0), c(0)]);
    assert_eq!(columns_at(&qi, 0, 3), [c(-2), c(-2), c(-2)]);
    assert_eq!(columns_at(&qi, 0, 4), [c(-3), c(-3), c(-3)]);
    // Two different combinations are two classes as options, one as groups.
    let class = |level: usize, r: usize| qi.levels[level].map[usize::from(qi.base[r])];
    assert_ne!(class(0, 0), class(0, 1));
    assert_eq!(class(1, 0), class(1, 1));
    assert_eq!(columns_at(&qi, 1, 0), [c(1), c(1)]);
    assert_eq!(columns_at(&qi, 1, 2), [c(0), c(0)]);
    assert_ne!(class(1, 2), class(1, 3), "a non-answer stays apart");
    assert_eq!(columns_at(&qi, 2, 0), [Value::Suppressed; 3]);
    assert_eq!(class(2, 0), class(2, 3));
}

#[test]
fn a_multi_select_without_groups_is_generalised_to_the_number_of_options_ticked() {
    let s = survey(&DRUGS.replace("GROUPS", ""));
    let answers = [
        ticked(&["heroin"]),
        ticked(&["meth"]),
        ticked(&["heroin", "fentanyl", "meth"]),
        ticked(&[]),
    ];
    let mut qi = qi_of(&s, "used", Generalisation::Selections, &answers);
    assert!(qi.finish());
    assert_eq!(qi.levels[1].name, "count");
    let c = Value::Code;
    let counts: Vec<Vec<Value>> = (0..4).map(|r| columns_at(&qi, 1, r)).collect();
    assert_eq!(counts, [vec![c(1)], vec![c(1)], vec![c(3)], vec![c(0)]]);
}

/// "None of these" is none of the options: its people count 0, not 1 beside those who used one.
#[test]
fn an_option_that_excludes_the_others_counts_as_none_ticked() {
    let with_none = DRUGS.replace("GROUPS", "").replace(
        "{ id = \"meth\", text = \"Meth\" }]",
        "{ id = \"meth\", text = \"Meth\" }, { id = \"none\", text = \"None of these\", exclusive = true }]",
    );
    let s = survey(&with_none);
    let answers = [ticked(&["none"]), ticked(&["heroin"]), ticked(&[])];
    let mut qi = qi_of(&s, "used", Generalisation::Selections, &answers);
    assert!(qi.finish());
    let c = Value::Code;
    let counts: Vec<Vec<Value>> = (0..3).map(|r| columns_at(&qi, 1, r)).collect();
    assert_eq!(counts, [vec![c(0)], vec![c(1)], vec![c(0)]]);
}

#[test]
fn an_export_with_a_quasi_multi_select_names_one_quasi_column_per_option_and_records_its_level() {
    let s = survey(&DRUGS.replace("GROUPS", DRUG_GROUPS));
    let combos: [&[&str]; 2] = [&["heroin"], &["meth"]];
    let responses: Vec<Response> = (0..40)
        .map(|i| {
            let mut r = Response::default();
            r.insert(qid("used"), ticked(combos[i % 2]).expect("answer"));
            r
        })
        .collect();
    let out = anonymise(
        &s,
        &responses,
        &Params::for_survey(&s),
        &mut StdRng::seed_from_u64(1),
    )
    .expect("exports");
    let names: Vec<&str> = out.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["used.heroin", "used.fentanyl", "used.meth"]);
    assert!(out.columns.iter().all(|c| c.role == Role::Quasi));
    assert_eq!(out.levels["used"].name, "options");
    assert_eq!(out.columns[0].label, "Which drugs? — Heroin");
    check(&out.rows, &out.columns, 5, 2).expect("k-anonymous");
}

/// A definition stored before from_batch questions had to be quasi-identifiers still loads;
/// its export treats the batch field as one, so a batch of two cards never leaves as two rows
/// that say where they were handed out.
#[test]
fn a_field_filled_from_the_batch_is_generalised_whatever_its_stored_role() {
    let source = PEOPLE.replace(
        "  [[pages.questions]]\n  id = \"used\"",
        "  [[pages.questions]]\n  id = \"site\"\n  type = \"single\"\n  role = \"plain\"\n  from_batch = true\n  text = \"Site\"\n  options = [{ id = \"north\", text = \"North\" }, { id = \"jail\", text = \"Jail visit\" }]\n\n  [[pages.questions]]\n  id = \"used\"",
    );
    let s = survey(&source);
    assert!(!s.import_problems().is_empty(), "a new import is refused");
    let data: Vec<Response> = (0..60)
        .map(|i| {
            let mut r = person(20 + i % 40, "woman", if i % 2 == 0 { "yes" } else { "no" });
            let site = if i < 2 { "jail" } else { "north" };
            r.insert(qid("site"), Answer::Choice(site.into()));
            r
        })
        .collect();
    let out = anonymise(&s, &data, &params(5), &mut rng()).expect("exported");
    let site = out.columns.iter().find(|c| c.name == "site").expect("site");
    assert_eq!(site.role, Role::Quasi);
    assert!(site.level.is_some());
    let at = out
        .columns
        .iter()
        .position(|c| c.name == "site")
        .expect("site");
    let jail = out
        .rows
        .iter()
        .filter(|r| r.values[at] == Value::Code(2))
        .count();
    assert_eq!(jail, 0, "two cards from the jail never leave as such");
}
