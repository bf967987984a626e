//! Survey life-cycle actions: import, open, close (with its final release), shred, retention,
//! and the banded overviews organisers read.

use super::{audit, survey_entry, Actor, ServiceError};
use crate::installation::Chorus;
use crate::release::Closed;
use crate::surveys::{progress_band, ImportOutcome, SurveyState};
use crate::tokens::{COUPON_BATCH, OPEN_BATCH};

/// The demo survey, embedded so the binary runs from any directory.
pub const DEMO_SURVEY: &str = include_str!("../../surveys/demo.toml");

/// What `survey shred` tells the operator about backups made earlier.
pub const SHRED_NOTE: &str = "Backups made before now still hold this survey's key, wrapped by the master key. To make them unreadable too, run `chorus rekey` (a new key file or passphrase), destroy the old key, and make a fresh backup.";

pub fn import_survey(
    chorus: &Chorus,
    actor: &Actor,
    source: &str,
) -> Result<ImportOutcome, ServiceError> {
    let done = chorus
        .surveys
        .import(&chorus.store, &chorus.vault, source)?;
    audit(
        chorus,
        actor,
        "import survey",
        Some(done.id.as_str()),
        done.replaced.then(|| "replaced the definition".to_owned()),
    );
    Ok(done)
}

pub fn open_survey(chorus: &Chorus, actor: &Actor, id: &str) -> Result<(), ServiceError> {
    survey_entry(chorus, id)?;
    chorus
        .surveys
        .set_state(&chorus.store, id, SurveyState::Open)?;
    audit(chorus, actor, "open survey", Some(id), None);
    Ok(())
}

/// Closes a survey for good and, when the release rule allows, publishes its final release;
/// otherwise the last release is the final one and nothing new is published.
pub fn close_survey(chorus: &Chorus, actor: &Actor, id: &str) -> Result<Closed, ServiceError> {
    survey_entry(chorus, id)?;
    let closed = crate::release::close_survey(&chorus.store, &chorus.surveys, id)?;
    audit(
        chorus,
        actor,
        "close survey",
        Some(id),
        Some(closed.to_string()),
    );
    Ok(closed)
}

/// Crypto-shredding of a closed survey: its key and answers go; its releases stay.
/// The audit entry is written first: a shred cannot be undone, and one cut short by a crash
/// still takes effect at the next start (an outside review found such shreds with no entry).
/// A shred that fails says so in a second entry.
pub fn shred_survey(chorus: &Chorus, actor: &Actor, id: &str) -> Result<(), ServiceError> {
    let entry = survey_entry(chorus, id)?;
    if entry.shredded {
        return Err(crate::surveys::SurveyError::Shredded(id.to_owned()).into());
    }
    if entry.state != crate::surveys::SurveyState::Closed {
        return Err(crate::surveys::SurveyError::NotClosed(id.to_owned()).into());
    }
    audit(chorus, actor, "shred survey", Some(id), None);
    if let Err(e) = shred_now(chorus, id) {
        audit(chorus, actor, "shred survey failed", Some(id), None);
        return Err(e);
    }
    Ok(())
}

/// Shred a closed survey `days` days after it closed (`None`: only by hand).
pub fn set_retention(
    chorus: &Chorus,
    actor: &Actor,
    id: &str,
    days: Option<u32>,
) -> Result<String, ServiceError> {
    survey_entry(chorus, id)?;
    chorus.surveys.set_retention(&chorus.store, id, days)?;
    let detail = days.map_or("keep until shredded by hand".to_owned(), |d| {
        format!("{d} day{} after closing", if d == 1 { "" } else { "s" })
    });
    audit(
        chorus,
        actor,
        "set retention",
        Some(id),
        Some(detail.clone()),
    );
    Ok(detail)
}

/// The shred itself, by hand or at the end of the retention period: the quotes picked for a
/// next release that will never come, and those of its releases, go first, so the shred's
/// rewrite leaves nothing of them.
fn shred_now(chorus: &Chorus, id: &str) -> Result<(), ServiceError> {
    crate::release::quotes::forget(&chorus.store, id)?;
    crate::release::forget_quotes(&chorus.store, id)?;
    chorus.surveys.shred(&chorus.store, id)?;
    Ok(())
}

/// Shreds every closed survey whose retention period has ended by `today`; returns their ids.
pub fn shred_due(chorus: &Chorus, today: &str) -> Vec<String> {
    let actor = Actor::schedule();
    let mut done = Vec::new();
    for id in chorus.surveys.due_for_shredding(today) {
        audit(
            chorus,
            &actor,
            "shred survey",
            Some(&id),
            Some("retention period ended".into()),
        );
        match shred_now(chorus, &id) {
            Ok(()) => done.push(id),
            Err(e) => {
                audit(chorus, &actor, "shred survey failed", Some(&id), None);
                tracing::error!(survey = %id, error = %e, "retention shred failed");
            }
        }
    }
    done
}

/// One survey in a list, with its progress as a band.
#[derive(Debug, Clone, serde::Serialize)]
pub struct SurveyRow {
    pub id: String,
    pub title: String,
    pub state: String,
    pub mode: String,
    pub progress: String,
    /// Surveys with coupons: how many coupons were used, as a band.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub coupons_used: Option<String>,
    /// Surveys with coupons: the furthest wave reached, as a band.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub waves_reached: Option<String>,
    /// Its answers were shredded (its progress then counts nothing).
    pub shredded: bool,
}

impl SurveyRow {
    /// Its progress in words, as lists show it: "30–39 responses", or, once its answers are
    /// shredded, that they are (nothing is left to count).
    pub fn progress_words(&self) -> String {
        if self.shredded {
            "answers shredded".to_owned()
        } else {
            format!("{} responses", self.progress)
        }
    }
}

pub fn list_surveys(chorus: &Chorus) -> Vec<SurveyRow> {
    chorus
        .surveys
        .list(&chorus.store)
        .into_iter()
        .map(|s| {
            let entry = chorus.surveys.get(&s.id);
            let width = entry.as_ref().map_or(10, |e| e.survey.threshold() as usize);
            SurveyRow {
                shredded: entry.is_some_and(|e| e.shredded),
                progress: progress_band(s.responses, width),
                coupons_used: coupons_used_band(chorus, &s.id),
                waves_reached: waves_band(chorus, &s.id),
                id: s.id,
                title: s.title,
                state: s.state.to_string(),
                mode: s.mode,
            }
        })
        .collect()
}

/// One card batch: how many codes it holds, and how many were used as a band.
#[derive(Debug, Clone, serde::Serialize)]
pub struct BatchRow {
    pub batch: u32,
    pub issued: u64,
    pub used: String,
}

/// What an organiser sees of one survey: banded progress, batches and release numbers.
pub struct Overview {
    pub entry: std::sync::Arc<crate::surveys::SurveyEntry>,
    pub progress: String,
    pub batches: Vec<BatchRow>,
    pub releases: Vec<u32>,
    /// The final release, once the survey is closed and has one.
    pub final_release: Option<u32>,
    /// Surveys with coupons: how many coupons were used, as a band.
    pub coupons_used: Option<String>,
    /// Surveys with coupons: the furthest wave reached, as a band.
    pub waves_reached: Option<String>,
}

/// The furthest wave at least T people of a survey's chain reached, in bands ("1–2", "3–5",
/// "6–9", then the progress bands), shown only once at least T people answered with a coupon. Wave 1 is
/// reached the moment anyone answers with a seed's coupon, which tells that the seed answered:
/// an organiser who gave the only seed card to one person would see it flip. Once T coupon
/// answers are in, the first of them is one among many.
fn waves_band(chorus: &Chorus, id: &str) -> Option<String> {
    let entry = chorus.surveys.get(id)?;
    entry.survey.coupons()?;
    let t = entry.survey.threshold() as usize;
    if (chorus.store.used_in_batch(id, COUPON_BATCH) as usize) < t {
        return Some(format!("shown once {t} people answered with a coupon"));
    }
    Some(match chorus.waves.reached_by(id, t as u64) {
        0..=2 => "1–2".to_owned(),
        3..=5 => "3–5".to_owned(),
        6..=9 => "6–9".to_owned(),
        w => progress_band(w as usize, 10),
    })
}

/// How many of a survey's recruitment coupons were used, in the progress bands (`None` for a
/// survey without coupons). The furthest wave reached is banded apart, by [`waves_band`].
fn coupons_used_band(chorus: &Chorus, id: &str) -> Option<String> {
    let entry = chorus.surveys.get(id)?;
    entry.survey.coupons()?;
    let used = chorus.store.used_in_batch(id, COUPON_BATCH) as usize;
    Some(progress_band(used, entry.survey.threshold() as usize))
}

pub fn overview(chorus: &Chorus, id: &str) -> Result<Overview, ServiceError> {
    let entry = survey_entry(chorus, id)?;
    let width = entry.survey.threshold() as usize;
    let batches = chorus
        .store
        .batch_counts(id)?
        .into_iter()
        .filter(|b| b.batch != OPEN_BATCH)
        .map(|b| BatchRow {
            batch: b.batch,
            issued: b.issued,
            used: progress_band(b.used as usize, width),
        })
        .collect();
    Ok(Overview {
        progress: progress_band(chorus.store.response_count(id), width),
        coupons_used: coupons_used_band(chorus, id),
        waves_reached: waves_band(chorus, id),
        batches,
        releases: chorus.store.release_numbers(id)?,
        final_release: super::releases::final_release(chorus, id)?,
        entry,
    })
}

/// First run: import and open the demo survey, and issue one code to try it with.
pub fn set_up_demo(chorus: &Chorus) -> Result<Option<crate::tokens::TokenCode>, ServiceError> {
    let actor = Actor::command_line();
    let done = import_survey(chorus, &actor, DEMO_SURVEY)?;
    let id = done.id.to_string();
    open_survey(chorus, &actor, &id)?;
    let issued = super::codes::issue_codes(chorus, &actor, &id, 1, &Default::default())?;
    Ok(issued.codes.into_iter().next())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::surveys::SurveyState;

    const SURVEY: &str = "id = \"walk\"\ntitle = \"Walk-in\"\n[[pages]]\ntitle = \"P\"\n  [[pages.questions]]\n  id = \"q\"\n  type = \"single\"\n  role = \"plain\"\n  text = \"Q?\"\n  options = [ { id = \"a\", text = \"A\" }, { id = \"b\", text = \"B\" } ]\n";

    fn open() -> (tempfile::TempDir, Chorus) {
        crate::installation::temporary_with(SURVEY)
    }

    #[test]
    fn a_closed_survey_is_shredded_once_its_retention_period_has_passed() {
        let (_d, chorus) = open();
        chorus
            .surveys
            .set_state(&chorus.store, "walk", SurveyState::Open)
            .expect("open");
        chorus
            .surveys
            .set_state(&chorus.store, "walk", SurveyState::Closed)
            .expect("close");
        chorus
            .surveys
            .set_retention(&chorus.store, "walk", Some(30))
            .expect("retention");
        let closed = chorus
            .surveys
            .get("walk")
            .and_then(|e| e.closed_on.clone())
            .expect("closing day");
        let day_29 = crate::clock::add_days(&closed, 29).expect("day");
        let day_30 = crate::clock::add_days(&closed, 30).expect("day");
        assert!(shred_due(&chorus, &day_29).is_empty());
        assert_eq!(shred_due(&chorus, &day_30), vec!["walk".to_string()]);
        let entry = chorus.surveys.get("walk").expect("entry");
        assert!(entry.shredded && entry.data_key.is_none());
        assert_eq!(chorus.store.data_key_get("walk").expect("get"), None);
        assert!(shred_due(&chorus, &day_30).is_empty(), "shredded once");
    }

    #[test]
    fn open_surveys_and_surveys_without_retention_are_never_shredded() {
        let (_d, chorus) = open();
        chorus
            .surveys
            .set_state(&chorus.store, "walk", SurveyState::Open)
            .expect("open");
        chorus
            .surveys
            .set_retention(&chorus.store, "walk", Some(1))
            .expect("retention");
        assert!(shred_due(&chorus, "2999-01-01").is_empty(), "still open");
        chorus
            .surveys
            .set_state(&chorus.store, "walk", SurveyState::Closed)
            .expect("close");
        chorus
            .surveys
            .set_retention(&chorus.store, "walk", None)
            .expect("retention");
        assert!(
            shred_due(&chorus, "2999-01-01").is_empty(),
            "no retention period"
        );
    }
}
