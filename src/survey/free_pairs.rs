//! Which questions the questionnaire lets combine freely with every other question's answers.
//!
//! Between two such questions the form rules out no pair of answers — at most a whole answer
//! of one of them (a condition on showing a question or its page, or a rule that ends the
//! survey, leaves whole rows or columns of a two-way table empty, and their totals show it).
//! So a two-way count of 0 between them is news about people, not about the form: release
//! tables hide it, since a shown zero says which answers never go together, and tables sharing
//! a question can then pin a count hidden in another table (docs/releases.md). A rule that
//! rules out single pairs — an option shown only sometimes, a check across questions, an
//! implied or computed answer, a site's own list of options, a repeating page — ties its
//! questions to the others; tables of tied questions show their zeros, and their audit assumes
//! a reader knows every pair of answers nobody gave.

use std::collections::BTreeSet;

use super::Survey;

impl Survey {
    /// The ids of the questions no rule ties to another question's answers pair by pair: none
    /// of their options is shown conditionally, they are not on a repeating page, not computed
    /// or implied, have no checks, are not named by another question's check, and no site
    /// changes their options.
    pub fn freely_combined_questions(&self) -> BTreeSet<String> {
        let mut tied: BTreeSet<&str> = BTreeSet::new();
        for page in self.pages() {
            for q in &page.questions {
                let own_rules = page.repeat_of.is_some()
                    || q.compute.is_some()
                    || !q.implied.is_empty()
                    || !q.checks.is_empty()
                    || q.kind.options().iter().any(|o| o.show_if.is_some());
                if own_rules {
                    tied.insert(q.id.as_str());
                }
                for check in &q.checks {
                    tied.extend(check.holds.referenced_questions());
                }
            }
        }
        for variant in self.variants() {
            tied.extend(variant.questions.keys().map(String::as_str));
        }
        self.questions()
            .map(|q| q.id.as_str())
            .filter(|id| !tied.contains(id))
            .map(str::to_owned)
            .collect()
    }
}
