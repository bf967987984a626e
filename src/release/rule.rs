//! The release rule: how many responses a release needs. It is the same for a release an
//! organiser asks for and for the one made when a survey closes, because an organiser who can
//! choose when a survey closes could otherwise publish a release one response after the last,
//! and the cells that moved between the two would describe that one person.

use super::PublishError;
use crate::survey::Survey;

/// How many new responses a release after another needs, as the rule says it rather than as a
/// number: ⌈percent × previous / 100⌉ would tell an organiser the previous release's exact
/// count of responses, which its published totals only show adjusted — and with that count
/// known exactly, fabricated answers one short of the rule would make the next release an
/// oracle for one more person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewNeeded {
    pub threshold: u32,
    pub percent: u32,
}

impl NewNeeded {
    pub fn of(survey: &Survey) -> NewNeeded {
        NewNeeded {
            threshold: survey.threshold(),
            percent: survey.release_percent(),
        }
    }
}

impl std::fmt::Display for NewNeeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "at least {} new responses, and at least {}% as many as the previous release counted",
            self.threshold, self.percent
        )
    }
}

/// New responses a release after one that counted `previous` responses needs:
/// `max(T, ⌈release_percent × previous / 100⌉)`. The first release (`None`) needs
/// `min_responses`.
pub fn needed(survey: &Survey, previous: Option<usize>) -> u32 {
    match previous {
        None => survey.min_responses(),
        Some(previous) => {
            let previous = u64::try_from(previous).unwrap_or(u64::MAX);
            let share = previous
                .saturating_mul(u64::from(survey.release_percent()))
                .div_ceil(100);
            u32::try_from(share)
                .unwrap_or(u32::MAX)
                .max(survey.threshold())
        }
    }
}

/// Whether a release counting `count` responses may follow one that counted `previous`.
pub fn check(survey: &Survey, previous: Option<usize>, count: usize) -> Result<(), PublishError> {
    let needed = needed(survey, previous);
    match previous {
        None if count < needed as usize => Err(PublishError::BelowMinimum(needed)),
        Some(p) if count < p.saturating_add(needed as usize) => {
            Err(PublishError::TooFewNew(NewNeeded::of(survey)))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn survey(extra: &str) -> Survey {
        let src = format!(
            "id = \"s\"\ntitle = \"S\"\n{extra}\n[[pages]]\ntitle = \"P\"\n  [[pages.questions]]\n  id = \"q\"\n  type = \"single\"\n  role = \"plain\"\n  text = \"Q?\"\n  options = [ {{ id = \"a\", text = \"A\" }}, {{ id = \"b\", text = \"B\" }} ]\n"
        );
        Survey::parse(&src).expect("valid")
    }

    #[test]
    fn a_first_release_needs_min_responses() {
        let s = survey("");
        assert_eq!(needed(&s, None), 30);
        assert!(matches!(
            check(&s, None, 29),
            Err(PublishError::BelowMinimum(30))
        ));
        assert!(check(&s, None, 30).is_ok());
    }

    #[test]
    fn a_later_release_needs_the_threshold_or_a_fifth_of_the_last_whichever_is_more() {
        let s = survey("");
        assert_eq!(needed(&s, Some(40)), 10);
        assert_eq!(needed(&s, Some(160)), 32);
        assert_eq!(needed(&s, Some(161)), 33);
        assert!(matches!(
            check(&s, Some(160), 191),
            Err(PublishError::TooFewNew(NewNeeded {
                threshold: 10,
                percent: 20
            }))
        ));
        assert!(check(&s, Some(160), 192).is_ok());
    }

    #[test]
    fn a_raised_percentage_asks_for_more() {
        let s = survey("release_percent = 50");
        assert_eq!(needed(&s, Some(100)), 50);
        let s = survey("threshold = 20\nrelease_percent = 20");
        assert_eq!(needed(&s, Some(50)), 20);
    }
}
