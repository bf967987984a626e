//! Live counts kept in memory: responses per survey and used codes per batch. They are counted
//! once from the trees when the store opens and then moved by each committed redemption, so no
//! request path ever scans stored responses or codes. They are never written anywhere: a
//! persisted counter would leave in sled's log a trail of values that dates each submission.

use std::collections::HashMap;
use std::sync::Mutex;

#[derive(Default)]
pub(super) struct Counters {
    inner: Mutex<Counts>,
}

#[derive(Default)]
struct Counts {
    responses: HashMap<String, usize>,
    used: HashMap<(String, u32), u64>,
}

impl Counters {
    fn lock(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(super) fn add_response(&self, survey: &str) {
        *self.lock().responses.entry(survey.to_owned()).or_default() += 1;
    }

    pub(super) fn add_used(&self, survey: &str, batch: u32) {
        *self
            .lock()
            .used
            .entry((survey.to_owned(), batch))
            .or_default() += 1;
    }

    pub(super) fn responses(&self, survey: &str) -> usize {
        self.lock().responses.get(survey).copied().unwrap_or(0)
    }

    pub(super) fn used(&self, survey: &str, batch: u32) -> u64 {
        self.lock()
            .used
            .get(&(survey.to_owned(), batch))
            .copied()
            .unwrap_or(0)
    }

    /// Whether anyone has answered anything the store holds: a response, or a spent code (a
    /// person screened out leaves only that).
    pub(super) fn any_answered(&self) -> bool {
        let counts = self.lock();
        counts.responses.values().any(|&n| n > 0) || counts.used.values().any(|&n| n > 0)
    }

    /// After a shred: the survey's responses and its code records are gone.
    pub(super) fn forget_survey(&self, survey: &str) {
        let mut counts = self.lock();
        counts.responses.remove(survey);
        counts.used.retain(|(s, _), _| s != survey);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_start_at_zero_and_move_per_survey_and_batch() {
        let c = Counters::default();
        assert_eq!(c.responses("a"), 0);
        c.add_response("a");
        c.add_response("a");
        c.add_used("a", 1);
        assert_eq!((c.responses("a"), c.responses("b")), (2, 0));
        assert_eq!((c.used("a", 1), c.used("a", 2)), (1, 0));
        c.add_used("b", 1);
        c.forget_survey("a");
        assert_eq!((c.responses("a"), c.used("a", 1)), (0, 0));
        assert_eq!(c.used("b", 1), 1);
    }

    #[test]
    fn a_store_counts_as_answered_once_it_holds_a_response_or_a_spent_code() {
        let c = Counters::default();
        assert!(!c.any_answered());
        c.add_used("a", 1);
        assert!(c.any_answered(), "a person screened out spends a code only");
        let c = Counters::default();
        c.add_response("a");
        assert!(c.any_answered());
    }
}
