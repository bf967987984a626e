//! Anonymised export benchmark (budget in the README: 100,000 responses, 4 quasi-identifiers, lattice
//! search, ≤ 1 s on 2 cores). Run with `cargo bench --bench export`.

use criterion::{criterion_group, criterion_main, Criterion};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use chorus::export::anonymise::{anonymise, Params};
use chorus::survey::{Answer, NonAnswer, QuestionId, Response, Survey, YearMonth};

const RESPONSES: usize = 100_000;

const SURVEY: &str = r#"
id = "bench-export"
title = "Export benchmark"
k_anonymity = 10

[[pages]]
title = "About you"

  [[pages.questions]]
  id = "age"
  type = "number"
  role = "quasi"
  min = 16
  max = 99
  bands = [[16, 24], [25, 34], [35, 44], [45, 54], [55, 99]]
  coarse_bands = [[16, 34], [35, 54], [55, 99]]
  text = "Age?"

  [[pages.questions]]
  id = "gender"
  type = "single"
  role = "quasi"
  text = "Gender?"
  options = [{ id = "woman", text = "Woman" }, { id = "man", text = "Man" }, { id = "non_binary", text = "Non-binary" }, { id = "another", text = "Another" }]
  groups = [
    { id = "woman", text = "Woman", options = ["woman"] },
    { id = "man", text = "Man", options = ["man"] },
    { id = "other", text = "Non-binary or another", options = ["non_binary", "another"] },
  ]

  [[pages.questions]]
  id = "area"
  type = "single"
  role = "quasi"
  text = "Area?"
  options = [
    { id = "a1", text = "A1" }, { id = "a2", text = "A2" }, { id = "a3", text = "A3" },
    { id = "a4", text = "A4" }, { id = "a5", text = "A5" }, { id = "a6", text = "A6" },
    { id = "a7", text = "A7" }, { id = "a8", text = "A8" }, { id = "a9", text = "A9" },
    { id = "a10", text = "A10" }, { id = "a11", text = "A11" }, { id = "a12", text = "A12" },
  ]
  groups = [
    { id = "centre", text = "Centre", options = ["a1", "a2", "a3", "a4"] },
    { id = "north", text = "North", options = ["a5", "a6", "a7"] },
    { id = "south", text = "South", options = ["a8", "a9", "a10"] },
    { id = "outside", text = "Outside", options = ["a11", "a12"] },
  ]

  [[pages.questions]]
  id = "first_use"
  type = "date"
  role = "quasi"
  min = "1980-01"
  max = "2030-12"
  text = "When did you first use?"

  [[pages.questions]]
  id = "injected"
  type = "single"
  role = "sensitive"
  text = "Injected?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]

  [[pages.questions]]
  id = "overdose"
  type = "single"
  role = "sensitive"
  text = "Overdosed?"
  options = [{ id = "yes", text = "Yes" }, { id = "no", text = "No" }]

  [[pages.questions]]
  id = "drugs"
  type = "multi"
  role = "sensitive"
  text = "Which drugs?"
  options = [{ id = "heroin", text = "Heroin" }, { id = "crack", text = "Crack" }, { id = "benzos", text = "Benzos" }]

  [[pages.questions]]
  id = "times"
  type = "number"
  role = "plain"
  min = 0
  max = 100
  text = "How many times?"

  [[pages.questions]]
  id = "safety"
  type = "scale"
  role = "plain"
  min = 0
  max = 10
  text = "Safe?"

  [[pages.questions]]
  id = "comments"
  type = "text"
  role = "free_text"
  text = "Anything else?"
"#;

fn id(s: &str) -> QuestionId {
    QuestionId::parse(s).expect("question id")
}

fn pick<'a>(rng: &mut StdRng, weighted: &[(&'a str, u32)]) -> &'a str {
    let total: u32 = weighted.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for (v, w) in weighted {
        if x < *w {
            return v;
        }
        x -= w;
    }
    weighted[0].0
}

fn response(rng: &mut StdRng) -> Response {
    let mut r = Response::default();
    let age =
        (16 + (rng.gen_range(0..40) + rng.gen_range(0..40)) / 2 + rng.gen_range(0..20)).min(99);
    r.insert(id("age"), Answer::Number(age));
    let gender = pick(
        rng,
        &[
            ("man", 55),
            ("woman", 38),
            ("non_binary", 5),
            ("another", 2),
        ],
    );
    r.insert(id("gender"), Answer::Choice(gender.into()));
    let area = format!(
        "a{}",
        1 + (rng.gen_range(0..12) * rng.gen_range(1..=12)) / 12
    );
    r.insert(id("area"), Answer::Choice(area));
    if rng.gen_ratio(1, 30) {
        r.insert(
            id("first_use"),
            Answer::NonAnswer(NonAnswer::PreferNotToSay),
        );
    } else {
        let year = 2024 - rng.gen_range(0..25) * rng.gen_range(1..=4) / 4;
        let month = YearMonth::new(year, rng.gen_range(1..=12)).expect("month");
        r.insert(id("first_use"), Answer::Month(month));
    }
    for q in ["injected", "overdose"] {
        let a = pick(rng, &[("yes", 35), ("no", 60), ("dont_know", 5)]);
        let answer = match NonAnswer::from_wire(a) {
            Some(n) => Answer::NonAnswer(n),
            None => Answer::Choice(a.into()),
        };
        r.insert(id(q), answer);
    }
    let drugs: Vec<String> = ["heroin", "crack", "benzos"]
        .iter()
        .filter(|_| rng.gen_bool(0.4))
        .map(|d| (*d).to_owned())
        .collect();
    if !drugs.is_empty() {
        r.insert(id("drugs"), Answer::Choices(drugs));
    }
    r.insert(id("times"), Answer::Number(rng.gen_range(0..=100)));
    r.insert(id("safety"), Answer::Number(rng.gen_range(0..=10)));
    r.insert(
        id("comments"),
        Answer::Text("free text that never leaves".into()),
    );
    r
}

fn bench(c: &mut Criterion) {
    let survey = Survey::parse(SURVEY).expect("benchmark survey parses");
    let mut rng = StdRng::seed_from_u64(42);
    let responses: Vec<Response> = (0..RESPONSES).map(|_| response(&mut rng)).collect();
    let mut shuffle = StdRng::seed_from_u64(7);
    let mut group = c.benchmark_group("export");
    group.sample_size(10);
    // The survey's k = 10, and k = 50, which pushes the search much further up the lattice.
    for k in [10, 50] {
        let params = Params {
            k,
            ..Params::for_survey(&survey)
        };
        let out = anonymise(&survey, &responses, &params, &mut shuffle).expect("export");
        eprintln!(
            "k = {k}: levels {:?}; {} rows, {} suppressed, k {}, l {:?}, {} of {} nodes evaluated",
            out.levels
                .iter()
                .map(|(q, l)| format!("{q}={}", l.name))
                .collect::<Vec<_>>(),
            out.rows.len(),
            out.records_suppressed,
            out.achieved_k,
            out.achieved_l,
            out.nodes_evaluated,
            out.lattice_nodes
        );
        group.bench_function(
            format!("anonymise 100k responses, 4 quasi-identifiers, k = {k}"),
            |b| b.iter(|| anonymise(&survey, &responses, &params, &mut shuffle).expect("export")),
        );
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
