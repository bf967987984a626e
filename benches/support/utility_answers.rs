//! The utility survey and realistic, skewed answers to it: what the utility example measures
//! and what `tests/usefulness.rs` holds the engine to (one copy, included by path from each).

use chorus::survey::{Answer, NonAnswer, QuestionId, Response, Survey};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// A peer-led drug-use survey: who answered, where, what they use, naloxone, overdoses,
/// services. Option weights are skewed the way real answers are.
pub const SURVEY: &str = include_str!("utility-survey.toml");

/// Relative weights of each question's options, in definition order.
fn weights(question: &str) -> &'static [f64] {
    match question {
        "age" => &[0.12, 0.3, 0.3, 0.18, 0.1],
        "gender" => &[0.62, 0.33, 0.04, 0.01],
        "site" => &[0.35, 0.25, 0.15, 0.12, 0.09, 0.04],
        "used_opioids" => &[0.72, 0.28],
        "carried_naloxone" => &[0.7, 0.3],
        "overdose" => &[0.45, 0.3, 0.25],
        "service" => &[0.05, 0.1, 0.2, 0.4, 0.25],
        "drugs" => &[0.5, 0.45, 0.3, 0.2, 0.08],
        _ => &[],
    }
}

fn pick(rng: &mut StdRng, w: &[f64]) -> usize {
    let total: f64 = w.iter().sum();
    let mut x = rng.gen::<f64>() * total;
    for (i, v) in w.iter().enumerate() {
        if x < *v {
            return i;
        }
        x -= v;
    }
    w.len() - 1
}

/// `nonanswers` scales how often a question is skipped, answered "don't know" or "prefer not to
/// say" (3%, 2% and 1% at 1).
pub fn responses(survey: &Survey, n: usize, seed: u64, nonanswers: f64) -> Vec<(u32, Response)> {
    let mut rng = StdRng::seed_from_u64(seed);
    let bands = [(16, 24), (25, 34), (35, 44), (45, 54), (55, 99)];
    (0..n)
        .map(|_| {
            let mut r = Response::default();
            let mut opioids = false;
            for q in survey.questions() {
                let id = q.id.as_str();
                if id == "carried_naloxone" && !opioids {
                    continue;
                }
                let roll: f64 = rng.gen();
                if roll < 0.03 * nonanswers {
                    continue;
                }
                let answer = if roll < 0.05 * nonanswers {
                    Answer::NonAnswer(NonAnswer::DontKnow)
                } else if roll < 0.06 * nonanswers {
                    Answer::NonAnswer(NonAnswer::PreferNotToSay)
                } else {
                    let w = weights(id);
                    match id {
                        "age" => {
                            let (lo, hi) = bands[pick(&mut rng, w)];
                            Answer::Number(rng.gen_range(lo..=hi))
                        }
                        "drugs" => {
                            let chosen: Vec<String> = q
                                .kind
                                .options()
                                .iter()
                                .zip(w)
                                .filter(|(_, p)| rng.gen_bool(**p))
                                .map(|(o, _)| o.id.clone())
                                .collect();
                            if chosen.is_empty() {
                                continue;
                            }
                            Answer::Choices(chosen)
                        }
                        _ => {
                            let i = pick(&mut rng, w);
                            let option = q.kind.options()[i].id.clone();
                            if id == "used_opioids" {
                                opioids = option == "yes";
                            }
                            Answer::Choice(option)
                        }
                    }
                };
                r.insert(QuestionId::parse(id).expect("valid id"), answer);
            }
            (rng.gen(), r)
        })
        .collect()
}
