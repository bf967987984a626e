//! Which pairs of questions the questionnaire ties together answer by answer.
//!
//! A rule that depends on the value of an answer and is itself about values — an option shown
//! only for some answers, a check across questions, an implied or computed answer, a site's
//! own list of options — can rule out single pairs of answers of the questions it names, and
//! two such rules naming a third question can rule out pairs between their own questions (an
//! option only for the court site, another only for the street site). A condition on showing a
//! question or its page ties it to the questions the condition reads: it leaves whole answers of
//! one question without anyone (nobody who did not use opioids says whether they carried
//! naloxone), which every reader of the form knows even where no table of the two is shown —
//! and which, joined with a third question's tables, pinned a hidden count when only shown
//! totals of 0 were taken to say so (`FOUND_SHOWN_FOR` in `src/disclosure/survey_proptests.rs`).
//! So the questions are tied in groups: those connected through such rules. A rule that ends
//! the survey leaves no response at all unless the survey records who it screens out; then it
//! ties every later question to the questions it reads, as a condition on showing them would.
//!
//! Between questions that are not tied, a two-way count of 0 is news about people, not about
//! the form: release tables hide it, since a shown zero says which answers never go together
//! and tables sharing a question can then pin a count hidden in a third (docs/releases.md).
//! Tables of tied questions hide such zeros too, and pass two audits: one assuming a reader knows
//! only the zeros that are shown, and one assuming a reader knows every pair of answers nobody
//! gave (some of which the form rules out). A pair the form plainly rules out
//! ([`Survey::ruled_out_pairs`]) is known to every reader of the form: its 0 is shown, and both
//! audits take it as known.

use std::collections::{BTreeMap, BTreeSet};

use super::definition::{Compute, Question};
use super::{Answer, Response, Survey};

/// Groups of questions tied by rules; see the module documentation.
#[derive(Debug, Default)]
pub struct Ties {
    /// Each question's group, named by one of its questions (a question no rule ties to
    /// another is its own group).
    group: BTreeMap<String, usize>,
    /// Questions on a repeating page, whose tables merge every instance, and questions a rule
    /// ties to an id the survey does not have: taken as tied to every question.
    everything: BTreeSet<String>,
}

impl Ties {
    /// Whether the questionnaire may rule out single pairs of answers of `a` and `b`.
    pub fn tied(&self, a: &str, b: &str) -> bool {
        a == b
            || self.everything.contains(a)
            || self.everything.contains(b)
            || matches!((self.group.get(a), self.group.get(b)), (Some(x), Some(y)) if x == y)
    }
}

impl Survey {
    /// Which questions rules tie together pair by pair: the groups connected through rules.
    pub fn question_ties(&self) -> Ties {
        let ids: Vec<&str> = self.questions().map(|q| q.id.as_str()).collect();
        // Union-find over question positions.
        let mut parent: Vec<usize> = (0..ids.len()).collect();
        fn root(parent: &[usize], mut i: usize) -> usize {
            while parent[i] != i {
                i = parent[i];
            }
            i
        }
        let mut ties = Ties::default();
        let mut join = |a: &str, b: &str| {
            let position = |id: &str| ids.iter().position(|x| *x == id);
            match (position(a), position(b)) {
                (Some(x), Some(y)) => {
                    let (rx, ry) = (root(&parent, x), root(&parent, y));
                    parent[ry] = rx;
                }
                _ => {
                    ties.everything.insert(a.to_owned());
                    ties.everything.insert(b.to_owned());
                }
            }
        };
        let mut on_repeating_page = Vec::new();
        // The screening rules met so far whose people leave a response.
        let mut screening: Vec<Vec<&str>> = Vec::new();
        for page in self.pages() {
            for q in &page.questions {
                // Someone a rule ended the survey for answered nothing after it: where such
                // people leave a response, every later question is shown only to the others.
                for rule in &screening {
                    for &other in rule {
                        join(q.id.as_str(), other);
                    }
                }
                if let Some(rule) = q.end_if.as_ref().filter(|_| self.records_screened_out()) {
                    let mut reads = rule.named_questions();
                    reads.push(q.id.as_str());
                    screening.push(reads);
                }
                if page.repeat_of.is_some() {
                    on_repeating_page.push(q.id.as_str());
                }
                let mut named: Vec<&str> = Vec::new();
                // A question shown only for some answers of another: the form tells every
                // reader that nobody who gave the others answered it, whether or not a table
                // of the two is shown.
                for condition in page.show_if.iter().chain(&q.show_if) {
                    named.extend(condition.named_questions());
                }
                for option in q.kind.options() {
                    if let Some(rule) = &option.show_if {
                        named.extend(rule.named_questions());
                    }
                }
                for check in &q.checks {
                    named.extend(check.holds.named_questions());
                }
                for (rule, _) in &q.implied {
                    named.extend(rule.named_questions());
                }
                match &q.compute {
                    Some(Compute::Sum(ids)) => named.extend(ids.iter().map(|id| id.as_str())),
                    Some(Compute::Count(id)) => named.push(id.as_str()),
                    Some(Compute::Classify(rules)) => {
                        for (_, rule) in rules {
                            named.extend(rule.named_questions());
                        }
                    }
                    Some(Compute::FromBatch) | None => {}
                }
                for other in named {
                    join(q.id.as_str(), other);
                }
            }
        }
        for variant in self.variants() {
            for question in variant.questions.keys() {
                join(&variant.field, question);
            }
        }
        ties.everything
            .extend(on_repeating_page.into_iter().map(str::to_owned));
        for (i, id) in ids.iter().enumerate() {
            ties.group.insert((*id).to_owned(), root(&parent, i));
        }
        ties
    }
}

impl Survey {
    /// Which pairs of answers the questionnaire rules out between question `a` (answers `xs`)
    /// and question `b` (answers `ys`), row-major; empty when it rules none out. A pair is ruled
    /// out when one of the two is an option offered only for some answers of the other (its
    /// `show_if` reads that question alone) and not for this one. A peer is never shown such an
    /// option, and a submission choosing it is refused, so everyone who reads the form knows
    /// nobody gave that pair; release tables show its 0 (`tally`).
    ///
    /// Only the plainest case is read; anything else counts as possible, which only keeps a 0
    /// hidden: a question whose answer can be implied or computed from others (its stored
    /// answer need not be the one the condition saw), one on a repeating page, and one a site
    /// changes. A site taken from the card's batch is read: it is filled in before the form
    /// decides which options to offer, and stored as it was.
    pub fn ruled_out_pairs(&self, a: &str, xs: &[Answer], b: &str, ys: &[Answer]) -> Vec<bool> {
        let (Some(qa), Some(qb)) = (self.question(a), self.question(b)) else {
            return Vec::new();
        };
        // Most pairs have no option with a condition of its own: nothing to read per pair.
        let conditional = |q: &Question| q.kind.options().iter().any(|o| o.show_if.is_some());
        if a == b
            || !(conditional(qa) || conditional(qb))
            || !self.answered_as_seen(qa)
            || !self.answered_as_seen(qb)
        {
            return Vec::new();
        }
        xs.iter()
            .flat_map(|x| {
                ys.iter()
                    .map(move |y| not_offered(qa, x, qb, y) || not_offered(qb, y, qa, x))
            })
            .collect()
    }

    /// Whether what is stored for `q` is what an option condition naming it saw.
    pub(crate) fn answered_as_seen(&self, q: &Question) -> bool {
        let id = q.id.as_str();
        matches!(q.compute, None | Some(Compute::FromBatch))
            && q.implied.is_empty()
            && self
                .page_of(id)
                .and_then(|p| self.pages().get(p))
                .is_some_and(|p| p.repeat_of.is_none())
            && !self.variants().iter().any(|v| v.questions.contains_key(id))
    }
}

/// Whether option `x` of `q` is offered only for some answers of `other` alone, and not when
/// `other` was answered `y`.
fn not_offered(q: &Question, x: &Answer, other: &Question, y: &Answer) -> bool {
    let Answer::Choice(option) = x else {
        return false;
    };
    let Some(rule) = q.option(option).and_then(|o| o.show_if.as_ref()) else {
        return false;
    };
    if rule.named_questions() != [other.id.as_str()] {
        return false;
    }
    let mut seen = Response::default();
    seen.insert(other.id.clone(), y.clone());
    !rule.evaluate(&seen)
}
