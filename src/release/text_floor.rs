//! How many free-text answers to a question a release may let organisers read.
//!
//! A list of answers is a count: one entry per person who wrote something. Where a question is
//! asked only after some answers of another ("why did you share needles?" only after "yes"),
//! its list counts people of that answer — exactly, when it must be answered — and could pin a
//! count the release hides as too small (a red-team reading of a release found the hidden 4
//! "yes" as a list of 4 answers). So a snapshot holds at most as many answers to a question as
//! the release's own tables already say, to every reader, that at least that many people were
//! asked it: then the number shown tells nothing a reader did not know, and where it is
//! smaller than that the list is all the answers, which says only how many wrote (never more
//! than were asked). Which answers are left out is drawn at random and kept from one release to
//! the next (`pick`), so reading several releases never shows more answers than the latest
//! release allows.
//!
//! What the tables say is read conservatively: a shown count `c` stands for at least
//! `max(c − D, T)` people (D the largest adjustment, T the threshold; a shown 0 for none), a
//! hidden count for none. A question shown to everyone was asked of at least as many people as
//! any one-way table counts. A question shown only for some answers of one other question was
//! asked of at least everyone in the categories of that question's table for which every answer
//! in the category shows it. Anything else — conditions on two questions, a repeating page, an
//! answer the form may compute or imply, a survey that keeps the people a screening rule ends
//! the survey for — is taken to say nothing, and none of its answers are kept.

use std::collections::BTreeMap;

use rand::seq::SliceRandom;
use rand::SeedableRng;

use crate::disclosure::{Released, MAX_ADJUSTMENT};
use crate::submissions::StoredText;
use crate::survey::{Answer, Question, QuestionKind, Response, Survey};
use crate::tally::{Axis, Category, Label};

/// Numbers in one band above this many values are not tried one by one: the band then says
/// nothing about who was asked.
const LARGEST_BAND: i64 = 10_000;

/// At least how many people the release `released` says were asked `question`.
pub(super) fn asked_at_least(survey: &Survey, released: &[Released], question: &Question) -> u64 {
    let id = question.id.as_str();
    let Some(page) = survey.page_of(id).and_then(|p| survey.pages().get(p)) else {
        return 0;
    };
    if page.repeat_of.is_some() || screened_out_before(survey, id) {
        return 0;
    }
    let threshold = u64::from(survey.threshold());
    let one_way = released
        .iter()
        .filter_map(Released::shown)
        .filter(|t| t.columns.is_none());
    let named: Vec<&str> = {
        let mut named: Vec<&str> = survey
            .display_conditions(id)
            .flat_map(|c| c.named_questions())
            .collect();
        named.sort_unstable();
        named.dedup();
        named
    };
    match named[..] {
        // Asked of everyone who answered: as many as any table counts.
        [] => one_way
            .map(|t| at_least(t.total.count, threshold))
            .max()
            .unwrap_or(0),
        [filter] => {
            let Some(asked) = survey
                .question(filter)
                .filter(|q| survey.answered_as_seen(q))
            else {
                return 0;
            };
            one_way
                .filter(|t| t.rows.variable == filter && t.rows.part.is_none())
                .map(|t| {
                    t.rows
                        .categories
                        .iter()
                        .zip(&t.cells)
                        .filter(|(c, _)| every_answer_shows(survey, question, asked, &t.rows, c))
                        .map(|(_, cell)| at_least(cell.count, threshold))
                        .sum::<u64>()
                })
                .max()
                .unwrap_or(0)
        }
        _ => 0,
    }
}

/// Where the survey keeps a response for people a screening rule ended it for, a rule before
/// `id` may have ended it for some counted in any table: nothing is read then.
fn screened_out_before(survey: &Survey, id: &str) -> bool {
    survey.records_screened_out()
        && survey
            .questions()
            .take_while(|q| q.id.as_str() != id)
            .any(|q| q.end_if.is_some())
}

/// What a reader knows a published count stands for at least.
fn at_least(count: Option<u64>, threshold: u64) -> u64 {
    match count {
        None | Some(0) => 0,
        Some(c) => c.saturating_sub(MAX_ADJUSTMENT).max(threshold),
    }
}

/// Whether every answer of `asked` in `category` shows `question`: its page's condition and its
/// own hold.
fn every_answer_shows(
    survey: &Survey,
    question: &Question,
    asked: &Question,
    axis: &Axis,
    category: &Category,
) -> bool {
    let answers = match (&category.label, &asked.kind) {
        (Label::NonAnswer { non_answer }, _) => vec![Answer::NonAnswer(*non_answer)],
        (Label::Option { .. }, QuestionKind::Single { .. } | QuestionKind::Likert { .. }) => {
            vec![Answer::Choice(category.id.clone())]
        }
        (Label::Band { lo, hi }, QuestionKind::Number { .. })
            if hi.saturating_sub(*lo) <= LARGEST_BAND =>
        {
            (*lo..=*hi).map(Answer::Number).collect()
        }
        (Label::Point { value }, QuestionKind::Scale { .. }) => vec![Answer::Number(*value)],
        _ => return false,
    };
    debug_assert_eq!(axis.question, asked.id.as_str());
    // Everyone counted in the category answered `asked`, so it was shown to them; the
    // conditions read nothing else, and no screening rule before `question` keeps a response
    // (`screened_out_before`), so they hold exactly for the people shown `question`.
    answers.into_iter().all(|answer| {
        let mut response = Response::default();
        response.insert(asked.id.clone(), answer);
        survey
            .display_conditions(question.id.as_str())
            .all(|c| c.evaluate(&response))
    })
}

/// The answers a new release's snapshot keeps: for each question, every answer the latest
/// snapshot held (organisers have read them), then answers drawn at random from the rest, up
/// to `allowed` of the question (what [`asked_at_least`] gives, or more only if the latest
/// snapshot already held more).
pub(super) fn pick(
    texts: Vec<StoredText>,
    before: Vec<StoredText>,
    allowed: impl Fn(&str) -> u64,
) -> Vec<StoredText> {
    let mut by_question: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in texts {
        by_question.entry(t.question).or_default().push(t.text);
    }
    let mut earlier: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for t in before {
        earlier.entry(t.question).or_default().push(t.text);
    }
    let mut rng = rand::rngs::StdRng::from_seed(crate::vault::random_array());
    let mut kept = Vec::new();
    for (question, mut pool) in by_question {
        let mut chosen: Vec<String> = Vec::new();
        for text in earlier.remove(&question).unwrap_or_default() {
            if let Some(at) = pool.iter().position(|t| *t == text) {
                chosen.push(pool.swap_remove(at));
            }
        }
        let limit = usize::try_from(allowed(&question)).unwrap_or(usize::MAX);
        let more = limit.saturating_sub(chosen.len()).min(pool.len());
        pool.shuffle(&mut rng);
        chosen.extend(pool.into_iter().take(more));
        kept.extend(chosen.into_iter().map(|text| StoredText {
            question: question.clone(),
            text,
        }));
    }
    kept
}
