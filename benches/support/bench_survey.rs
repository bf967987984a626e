//! The 40-question survey and its answers that the release benchmark and the release-series
//! example both measure (one copy, included by path from each).

use std::fmt::Write;

/// The server's allocator (src/main.rs), so that what is timed here is what an organiser waits
/// for: the audit allocates and frees large programmes, and with glibc's malloc a release took
/// 10–20% longer (docs/performance.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

use chorus::survey::{Answer, NonAnswer, QuestionId, Response, Survey};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// 40 closed questions: 16 single (3–8 options), 8 banded numbers, 8 Likert, 8 multi. The
/// first `QUESTIONS` of them instead, when that is set (for a shorter questionnaire).
pub fn definition() -> String {
    let mut s = String::from("id = \"bench\"\ntitle = \"Bench\"\n\n[[pages]]\ntitle = \"All\"\n");
    let options = |n: usize| {
        (0..n)
            .map(|i| format!("{{ id = \"o{i}\", text = \"Option {i}\" }}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let count: usize = std::env::var("QUESTIONS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40);
    for q in 0..count {
        s.push_str("\n  [[pages.questions]]\n");
        let _ = writeln!(
            s,
            "  id = \"q{q}\"\n  role = \"plain\"\n  text = \"Question {q}\""
        );
        let _ = match q % 5 {
            0 | 1 => writeln!(
                s,
                "  type = \"single\"\n  options = [{}]",
                options(3 + q % 6)
            ),
            2 => writeln!(
                s,
                "  type = \"number\"\n  min = 16\n  max = 99\n  bands = [[16, 24], [25, 34], [35, 44], [45, 54], [55, 99]]"
            ),
            3 if q % 2 == 1 => writeln!(s, "  type = \"scale\"\n  options = [{}]", options(5)),
            3 => writeln!(s, "  type = \"single\"\n  options = [{}]", options(4)),
            _ if q % 2 == 0 => writeln!(s, "  type = \"multi\"\n  options = [{}]", options(4 + q % 3)),
            _ => writeln!(s, "  type = \"scale\"\n  options = [{}]", options(5)),
        };
    }
    s
}

pub fn responses(survey: &Survey, n: usize, seed: u64) -> Vec<(u32, Response)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let questions: Vec<_> = survey.questions().collect();
    (0..n)
        .map(|_| {
            let mut r = Response::default();
            for q in &questions {
                let roll: f64 = rng.gen();
                if roll < 0.05 {
                    continue; // skipped
                }
                let id = QuestionId::parse(q.id.as_str()).expect("valid id");
                let options = q.kind.options();
                let answer = if roll < 0.08 {
                    Answer::NonAnswer(NonAnswer::DontKnow)
                } else if roll < 0.10 {
                    Answer::NonAnswer(NonAnswer::PreferNotToSay)
                } else {
                    match q.type_name() {
                        "number" => Answer::Number(rng.gen_range(16..=99)),
                        "multi" => {
                            let chosen: Vec<String> = options
                                .iter()
                                .filter(|_| rng.gen_bool(0.4))
                                .map(|o| o.id.clone())
                                .collect();
                            if chosen.is_empty() {
                                continue;
                            }
                            Answer::Choices(chosen)
                        }
                        _ => {
                            let i = rng.gen_range(0..options.len());
                            Answer::Choice(options[i].id.clone())
                        }
                    }
                };
                r.insert(id, answer);
            }
            (rng.gen(), r)
        })
        .collect()
}
