//! Property tests over random surveys and skewed random responses. Every export is checked
//! independently: its CSV text is read back with the `csv` crate and k and ℓ are recomputed
//! from the rows alone. Refusals are checked against the raw responses: the top node (every
//! quasi-identifier suppressed) fails exactly when there are fewer than k responses or some
//! sensitive item has fewer than ℓ distinct answers overall, and only then may there be no
//! export. The search's choice is compared with evaluating every node.

use std::collections::{BTreeSet, HashMap};

use proptest::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;

use super::{anonymise, exhaustive_optimum, Params, Refusal};
use crate::survey::{Answer, NonAnswer, QuestionId, Response, Survey, YearMonth};

/// A quasi-identifier of a random survey.
#[derive(Debug, Clone)]
enum QiSpec {
    /// Bands of width `width` from 16, `coarse`: pairs of bands merged.
    Age {
        bands: usize,
        coarse: bool,
    },
    /// `options` options, `groups`: consecutive options in groups of two.
    Choice {
        options: usize,
        groups: bool,
    },
    Date,
    /// A multi-select of `options` options, `groups`: consecutive options in groups of two.
    Multi {
        options: usize,
        groups: bool,
    },
}

#[derive(Debug, Clone)]
struct Spec {
    qis: Vec<QiSpec>,
    /// Number of options of each sensitive item.
    sensitive: Vec<usize>,
    k: u32,
    /// Skew of the answers: 1 uniform, 3 strongly towards the first categories.
    skew: i32,
    /// Everyone gives the same answer to the first sensitive item (no export is possible).
    constant: bool,
}

fn qi_spec() -> impl Strategy<Value = QiSpec> {
    prop_oneof![
        (2usize..=4, any::<bool>()).prop_map(|(bands, coarse)| QiSpec::Age { bands, coarse }),
        (2usize..=5, any::<bool>())
            .prop_map(|(options, groups)| QiSpec::Choice { options, groups }),
        Just(QiSpec::Date),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        prop::collection::vec(qi_spec(), 2..=4),
        prop::collection::vec(2usize..=4, 1..=3),
        5u32..=10,
        1i32..=3,
        prop::bool::weighted(0.1),
    )
        .prop_map(|(qis, sensitive, k, skew, constant)| Spec {
            qis,
            sensitive,
            k,
            skew,
            constant,
        })
}

fn toml(spec: &Spec) -> String {
    let mut s = format!(
        "id = \"random\"\ntitle = \"Random\"\nk_anonymity = {}\n\n[[pages]]\ntitle = \"P\"\n",
        spec.k
    );
    for (i, qi) in spec.qis.iter().enumerate() {
        s.push_str(&format!(
            "\n  [[pages.questions]]\n  id = \"q{i}\"\n  role = \"quasi\"\n  text = \"Q{i}\"\n"
        ));
        match qi {
            QiSpec::Age { bands, coarse } => {
                let edges: Vec<(i64, i64)> = (0..*bands)
                    .map(|b| {
                        let lo = 16 + 10 * b as i64;
                        let hi = if b + 1 == *bands { 99 } else { lo + 9 };
                        (lo, hi)
                    })
                    .collect();
                let list = |v: &[(i64, i64)]| {
                    v.iter()
                        .map(|(lo, hi)| format!("[{lo}, {hi}]"))
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                s.push_str(&format!(
                    "  type = \"number\"\n  min = 16\n  max = 99\n  bands = [{}]\n",
                    list(&edges)
                ));
                if *coarse {
                    let merged: Vec<(i64, i64)> = edges
                        .chunks(2)
                        .map(|c| (c[0].0, c[c.len() - 1].1))
                        .collect();
                    s.push_str(&format!("  coarse_bands = [{}]\n", list(&merged)));
                }
            }
            QiSpec::Choice { options, groups } | QiSpec::Multi { options, groups } => {
                let opts: Vec<String> = (0..*options)
                    .map(|o| format!("{{ id = \"o{o}\", text = \"O{o}\" }}"))
                    .collect();
                let kind = if matches!(qi, QiSpec::Multi { .. }) {
                    "multi"
                } else {
                    "single"
                };
                s.push_str(&format!(
                    "  type = \"{kind}\"\n  options = [{}]\n",
                    opts.join(", ")
                ));
                if *groups {
                    let gs: Vec<String> = (0..*options)
                        .collect::<Vec<_>>()
                        .chunks(2)
                        .enumerate()
                        .map(|(g, members)| {
                            let m: Vec<String> =
                                members.iter().map(|o| format!("\"o{o}\"")).collect();
                            format!(
                                "{{ id = \"g{g}\", text = \"G{g}\", options = [{}] }}",
                                m.join(", ")
                            )
                        })
                        .collect();
                    s.push_str(&format!("  groups = [{}]\n", gs.join(", ")));
                }
            }
            QiSpec::Date => {
                s.push_str("  type = \"date\"\n  min = \"2000-01\"\n  max = \"2030-12\"\n")
            }
        }
    }
    for (i, n) in spec.sensitive.iter().enumerate() {
        let opts: Vec<String> = (0..*n)
            .map(|o| format!("{{ id = \"v{o}\", text = \"V{o}\" }}"))
            .collect();
        s.push_str(&format!(
            "\n  [[pages.questions]]\n  id = \"s{i}\"\n  type = \"single\"\n  role = \"sensitive\"\n  text = \"S{i}\"\n  options = [{}]\n",
            opts.join(", ")
        ));
    }
    s.push_str(
        "\n  [[pages.questions]]\n  id = \"said\"\n  type = \"text\"\n  role = \"free_text\"\n  text = \"Say\"\n",
    );
    s
}

/// Picks one of `n` categories from a uniform draw in 0..1000, skewed towards the first.
fn skewed(draw: u16, n: usize, skew: i32) -> usize {
    let x = f64::from(draw) / 1000.0;
    ((x.powi(skew) * n as f64) as usize).min(n - 1)
}

fn qid(s: &str) -> QuestionId {
    QuestionId::parse(s).expect("id")
}

/// One response from draws: 1 in 25 answers is a non-answer, 1 in 25 missing.
fn response(spec: &Spec, draws: &[u16]) -> Response {
    let mut r = Response::default();
    let mut d = draws.iter().copied().cycle();
    let mut next = move || d.next().unwrap_or(0);
    let put = |r: &mut Response, id: String, draw: u16, a: Answer| {
        match draw % 25 {
            0 => {}
            1 => r.insert(qid(&id), Answer::NonAnswer(NonAnswer::DontKnow)),
            2 => r.insert(qid(&id), Answer::NonAnswer(NonAnswer::PreferNotToSay)),
            _ => r.insert(qid(&id), a),
        };
    };
    for (i, qi) in spec.qis.iter().enumerate() {
        let (gate, value) = (next(), next());
        let answer = match qi {
            QiSpec::Age { .. } => Answer::Number(16 + skewed(value, 84, spec.skew) as i64),
            QiSpec::Choice { options, .. } => {
                Answer::Choice(format!("o{}", skewed(value, *options, spec.skew)))
            }
            // Skewed towards few ticks, from a start that varies.
            QiSpec::Multi { options, .. } => {
                let count = skewed(value, options + 1, spec.skew);
                let start = usize::from(value / 7) % options;
                Answer::Choices(
                    (0..count)
                        .map(|j| format!("o{}", (start + j) % options))
                        .collect(),
                )
            }
            QiSpec::Date => Answer::Month(
                YearMonth::new(
                    2024 - skewed(value, 30, spec.skew) as u16,
                    1 + (value % 12) as u8,
                )
                .expect("month"),
            ),
        };
        put(&mut r, format!("q{i}"), gate, answer);
    }
    for (i, n) in spec.sensitive.iter().enumerate() {
        let (gate, value) = (next(), next());
        if spec.constant && i == 0 {
            r.insert(qid("s0"), Answer::Choice("v0".into()));
            continue;
        }
        put(
            &mut r,
            format!("s{i}"),
            gate,
            Answer::Choice(format!("v{}", skewed(value, *n, spec.skew))),
        );
    }
    r.insert(qid("said"), Answer::Text("CANARY-said-something".into()));
    r
}

/// Random surveys whose first quasi-identifier is a multi-select, with up to two others.
fn multi_spec() -> impl Strategy<Value = Spec> {
    (
        (2usize..=5, any::<bool>()),
        prop::collection::vec(qi_spec(), 0..=2),
        prop::collection::vec(2usize..=4, 1..=2),
        5u32..=10,
        1i32..=3,
    )
        .prop_map(|((options, groups), others, sensitive, k, skew)| Spec {
            qis: std::iter::once(QiSpec::Multi { options, groups })
                .chain(others)
                .collect(),
            sensitive,
            k,
            skew,
            constant: false,
        })
}

fn dataset() -> impl Strategy<Value = (Spec, Vec<Response>)> {
    dataset_of(spec())
}

fn dataset_of(specs: impl Strategy<Value = Spec>) -> impl Strategy<Value = (Spec, Vec<Response>)> {
    (specs, 50usize..=400).prop_flat_map(|(spec, n)| {
        let per = 2 * (spec.qis.len() + spec.sensitive.len());
        prop::collection::vec(prop::collection::vec(0u16..1000, per), n).prop_map(move |draws| {
            let rs = draws.iter().map(|d| response(&spec, d)).collect();
            (spec.clone(), rs)
        })
    })
}

/// The sensitive answers of every response as the export codes them, for the refusal rule.
fn sensitive_values(spec: &Spec, responses: &[Response]) -> Vec<BTreeSet<String>> {
    (0..spec.sensitive.len())
        .map(|i| {
            responses
                .iter()
                .filter_map(|r| match r.get(&format!("s{i}")) {
                    // Only answers count towards ℓ: non-answers and skips do not.
                    Some(Answer::Choice(c)) => Some(c.clone()),
                    _ => None,
                })
                .collect()
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn every_export_is_k_anonymous_and_l_diverse_by_recomputation(
        (spec, responses) in dataset(),
        seed in any::<u64>(),
    ) {
        let survey = Survey::parse(&toml(&spec)).expect("random survey parses");
        let params = Params::for_survey(&survey);
        let k = params.k as usize;
        let result = anonymise(&survey, &responses, &params, &mut StdRng::seed_from_u64(seed));
        // A sensitive item with one value for everyone is left out (it can never be diverse);
        // the export is reachable if enough records exist.
        let values = sensitive_values(&spec, &responses);
        let kept: Vec<usize> = (0..spec.sensitive.len()).filter(|&i| values[i].len() >= 2).collect();
        let reachable = responses.len() >= k;
        match result {
            Ok(out) => {
                prop_assert!(reachable, "exported although the top node must fail");
                // Read the CSV back and recompute everything from it alone.
                let text = out.data_csv().expect("csv");
                prop_assert!(!text.contains("CANARY"));
                let mut reader = csv::Reader::from_reader(text.as_bytes());
                let header: Vec<String> =
                    reader.headers().expect("header").iter().map(str::to_owned).collect();
                let index = |name: &str| header.iter().position(|h| h == name);
                let quasi: Vec<usize> =
                    (0..spec.qis.len()).filter_map(|i| index(&format!("q{i}"))).collect();
                let sensitive: Vec<usize> =
                    (0..spec.sensitive.len()).filter_map(|i| index(&format!("s{i}"))).collect();
                prop_assert_eq!(quasi.len(), spec.qis.len());
                prop_assert_eq!(sensitive.len(), kept.len(), "exactly the uniform items are left out");
                prop_assert_eq!(header.len(), 1 + spec.qis.len() + kept.len());
                let mut classes: HashMap<Vec<String>, Vec<Vec<String>>> = HashMap::new();
                let mut ids = BTreeSet::new();
                let mut rows = 0usize;
                for record in reader.records() {
                    let record = record.expect("record");
                    let cells: Vec<String> = record.iter().map(str::to_owned).collect();
                    prop_assert!(ids.insert(cells[0].clone()), "duplicate row id");
                    let key = quasi.iter().map(|&q| cells[q].clone()).collect();
                    classes.entry(key).or_default().push(cells);
                    rows += 1;
                }
                for members in classes.values() {
                    prop_assert!(members.len() >= k, "a class of {} < k = {k}", members.len());
                    for &s in &sensitive {
                        // Answers are codes from 1; non-answers are negative.
                        let distinct: BTreeSet<&String> =
                            members.iter().map(|m| &m[s]).filter(|v| !v.starts_with('-')).collect();
                        prop_assert!(distinct.is_empty() || distinct.len() >= 2, "a class is not 2-diverse");
                    }
                }
                let budget = (responses.len() as f64 * 0.05).floor() as usize;
                prop_assert!(out.records_suppressed <= budget);
                prop_assert_eq!(rows + out.records_suppressed, responses.len());
                prop_assert_eq!(out.rows.len(), rows);
                prop_assert!(out.achieved_k as usize >= k);
                prop_assert!(kept.is_empty() || out.achieved_l.is_some_and(|l| l >= 2));
                super::check(&out.rows, &out.columns, params.k, params.l).expect("check agrees");
                // The search found the same optimum as trying every node.
                let best = exhaustive_optimum(&survey, &responses, &params).expect("a node passes");
                let node: Vec<u8> = (0..spec.qis.len())
                    .map(|i| out.levels[&format!("q{i}")].number)
                    .collect();
                prop_assert_eq!(node, best.2);
                prop_assert_eq!(out.records_suppressed, best.1);
            }
            Err(Refusal::Unreachable(_)) => {
                prop_assert!(!reachable, "refused although the top node passes");
                prop_assert!(exhaustive_optimum(&survey, &responses, &params).is_none());
            }
            Err(other) => prop_assert!(false, "unexpected refusal: {other}"),
        }
    }

    #[test]
    fn every_row_has_k_look_alikes_over_all_quasi_columns_including_each_multi_select_option(
        (spec, responses) in dataset_of(multi_spec()),
        seed in any::<u64>(),
    ) {
        let survey = Survey::parse(&toml(&spec)).expect("random survey parses");
        let params = Params::for_survey(&survey);
        let k = params.k as usize;
        let out = anonymise(&survey, &responses, &params, &mut StdRng::seed_from_u64(seed))
            .expect("at least k records always export");
        let text = out.data_csv().expect("csv");
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let header: Vec<String> =
            reader.headers().expect("header").iter().map(str::to_owned).collect();
        // Every column of a quasi-identifier question: `q0` or `q0.<option|group|count>`.
        let quasi: Vec<usize> = header
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                (0..spec.qis.len())
                    .any(|i| **h == format!("q{i}") || h.starts_with(&format!("q{i}.")))
            })
            .map(|(c, _)| c)
            .collect();
        let multi: Vec<&String> = header.iter().filter(|h| h.starts_with("q0.")).collect();
        let (options, groups) = match &spec.qis[0] {
            QiSpec::Multi { options, groups } => (*options, *groups),
            _ => unreachable!("the first quasi-identifier is a multi-select"),
        };
        let level = &out.levels["q0"];
        let expected: Vec<String> = match (level.number, groups) {
            (1, true) => (0..options.div_ceil(2)).map(|g| format!("q0.g{g}")).collect(),
            (1, false) => vec!["q0.count".to_owned()],
            _ => (0..options).map(|o| format!("q0.o{o}")).collect(),
        };
        prop_assert_eq!(multi, expected.iter().collect::<Vec<_>>());
        let mut classes: HashMap<Vec<String>, usize> = HashMap::new();
        let mut rows = 0usize;
        for record in reader.records() {
            let record = record.expect("record");
            let cells: Vec<&str> = record.iter().collect();
            if level.number == level.top {
                for (c, h) in header.iter().enumerate() {
                    if h.starts_with("q0.") {
                        prop_assert_eq!(cells[c], "*", "a hidden multi-select shows nothing");
                    }
                }
            }
            let key = quasi.iter().map(|&q| cells[q].to_owned()).collect();
            *classes.entry(key).or_default() += 1;
            rows += 1;
        }
        for size in classes.values() {
            prop_assert!(*size >= k, "a row has only {} look-alikes (k = {k})", size - 1);
        }
        prop_assert_eq!(rows + out.records_suppressed, responses.len());
        prop_assert!(out.records_suppressed <= (responses.len() as f64 * 0.05).floor() as usize);
        super::check(&out.rows, &out.columns, params.k, params.l).expect("check agrees");
        let best = exhaustive_optimum(&survey, &responses, &params).expect("a node passes");
        let node: Vec<u8> = (0..spec.qis.len())
            .map(|i| out.levels[&format!("q{i}")].number)
            .collect();
        prop_assert_eq!(node, best.2);
    }
}

#[test]
fn a_quasi_multi_select_is_often_exported_as_options_or_groups_rather_than_hidden() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = dataset_of(multi_spec());
    let (mut shown, mut tried) = (0, 0);
    for seed in 0..24u64 {
        let (spec, responses) = strategy.new_tree(&mut runner).expect("a dataset").current();
        let survey = Survey::parse(&toml(&spec)).expect("random survey parses");
        let params = Params::for_survey(&survey);
        let out = anonymise(
            &survey,
            &responses,
            &params,
            &mut StdRng::seed_from_u64(seed),
        )
        .expect("exports");
        tried += 1;
        let level = &out.levels["q0"];
        if level.number < level.top {
            shown += 1;
        }
    }
    assert!(
        shown * 5 >= tried,
        "the multi-select survived generalisation in only {shown} of {tried} exports"
    );
}
