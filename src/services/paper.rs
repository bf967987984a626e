//! Paper questionnaires entered by staff (or organisers) at `/org/entry`. The answers and the
//! card code go through `responses::submit`, exactly as from a phone, so the stored response is
//! the same and nothing says it came from paper. This records the entry in the audit log: the
//! account, the survey and the day — never the code, so the log counts entries per survey per
//! day and says nothing of which response was paper.

use super::{audit, Actor};
use crate::installation::Chorus;

/// Writes the audit entry of one paper questionnaire whose answers were just stored (blocking:
/// the entry is made durable; the edge runs it off its async workers).
pub fn record_paper_entry(chorus: &Chorus, actor: &Actor, survey: &str) {
    audit(
        chorus,
        actor,
        "enter paper questionnaire",
        Some(survey),
        None,
    );
}
