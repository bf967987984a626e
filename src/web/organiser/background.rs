//! Publishing and closing from the workspace, which make a release, run in the background. A
//! long questionnaire's later releases take minutes (README, "Performance"): longer than a
//! browser or the proxy in front waits for one answer, and a page that times out says nothing
//! of a release that is still being made. So the press waits up to `release_wait_seconds`;
//! a release not ready by then is shown on a page that says so, with a "Look again" that
//! leads on exactly as the press would have once it is ready. The page does not refresh by
//! itself: a page that reloads on a timer moves a screen reader's place and is not allowed for
//! accessibility (WCAG 2.2.1; axe's "meta-refresh", which the browser walk-through runs). A
//! press while a job runs (a double click) starts nothing: it waits for that job the same way.

use super::access::{see_other, Org};
use super::surveys::survey_failure;
use crate::installation::Chorus;
use crate::services::releases::release_numbers;
use crate::services::ServiceError;
use crate::web::State;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// What a background job makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Publish,
    Close,
}

/// Where the organiser goes once the job is done (an address in the workspace), or why it failed.
type Outcome = Result<String, ServiceError>;

/// An outcome as kept: every press waiting for the job, and the waiting page, lead on by it.
type Kept = Result<String, Arc<ServiceError>>;

/// How often a press waiting for a job looks whether it is done.
const POLL: Duration = Duration::from_millis(25);

struct Job {
    kind: Kind,
    started: Instant,
    outcome: Option<Kept>,
}

/// The workspace's background jobs, at most one running per survey, and each survey's last
/// outcome until its next job starts; kept in memory only: after a restart a job that was
/// running is gone, and the release it was making is stored or not (`release::publish` stores
/// it whole or not at all).
#[derive(Default)]
pub struct Jobs {
    by_survey: Mutex<HashMap<String, Job>>,
}

/// A job of a survey as a page finds it.
enum Found {
    Running { kind: Kind, started: Instant },
    Done(Kept),
    None,
}

impl Jobs {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Job>> {
        self.by_survey
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts a job for `survey`; the kind of the one already running for it, if one is.
    fn start(&self, survey: &str, kind: Kind) -> Result<(), Kind> {
        let mut jobs = self.lock();
        if let Some(running) = jobs.get(survey).filter(|j| j.outcome.is_none()) {
            return Err(running.kind);
        }
        jobs.insert(
            survey.to_owned(),
            Job {
                kind,
                started: Instant::now(),
                outcome: None,
            },
        );
        Ok(())
    }

    fn finish(&self, survey: &str, outcome: Outcome) {
        if let Some(job) = self.lock().get_mut(survey) {
            job.outcome = Some(outcome.map_err(Arc::new));
        }
    }

    /// The survey's job: running, or how its last one ended.
    fn find(&self, survey: &str) -> Found {
        match self.lock().get(survey) {
            None => Found::None,
            Some(Job {
                outcome: Some(outcome),
                ..
            }) => Found::Done(outcome.clone()),
            Some(job) => Found::Running {
                kind: job.kind,
                started: job.started,
            },
        }
    }

    /// Waits up to `wait` for the survey's running job to end; its outcome if it did.
    async fn wait_for(&self, survey: &str, wait: Duration) -> Option<Kept> {
        let until = Instant::now() + wait;
        loop {
            match self.find(survey) {
                Found::Done(outcome) => return Some(outcome),
                Found::None => return None,
                Found::Running { .. } if Instant::now() >= until => return None,
                Found::Running { .. } => actix_web::rt::time::sleep(POLL).await,
            }
        }
    }
}

/// Records the job's end even if the work panics: the waiting page must not wait forever.
struct Finish {
    jobs: Arc<Jobs>,
    survey: String,
    outcome: Option<Outcome>,
}

impl Drop for Finish {
    fn drop(&mut self) {
        let outcome = self
            .outcome
            .take()
            .unwrap_or(Err(ServiceError::Interrupted));
        self.jobs.finish(&self.survey, outcome);
    }
}

/// Runs `work` for survey `id` in the background and answers the press: where `work` leads if
/// it is done within the wait, else the waiting page. A press while the survey has a job
/// running starts nothing: the same press again (a double click) waits for that job instead;
/// the other one (Close while a release is being made) is shown that job's page at once, which
/// says the survey cannot be closed until it is done — rather than led on by a job that did
/// not do what was pressed.
pub(super) async fn run(
    org: &Org<'_>,
    id: &str,
    kind: Kind,
    work: impl FnOnce(&Chorus) -> Outcome + Send + 'static,
) -> HttpResponse {
    let state = org.state;
    // Jobs are kept per survey: only for one that exists.
    if let Err(e) = release_numbers(&state.chorus, id) {
        return org.page().failure(&e);
    }
    match state.jobs.start(id, kind) {
        Ok(()) => start(state, id, work),
        Err(running) if running != kind => return see_other(&waiting_address(id)),
        Err(_) => {}
    }
    match state.jobs.wait_for(id, state.site.release_wait).await {
        Some(outcome) => lead_on(org, id, outcome),
        None => see_other(&waiting_address(id)),
    }
}

/// Spawns the job's work, which carries on to its end whether or not anyone waits for it.
fn start(state: &State, id: &str, work: impl FnOnce(&Chorus) -> Outcome + Send + 'static) {
    let chorus = Arc::clone(&state.chorus);
    let finish = Finish {
        jobs: Arc::clone(&state.jobs),
        survey: id.to_owned(),
        outcome: None,
    };
    // Detached: the guard, not the handle, records the end.
    drop(actix_web::rt::task::spawn_blocking(move || {
        // The whole guard moves in (not just the field written), so that it ends with the work.
        let mut finish = finish;
        finish.outcome = Some(work(&chorus));
    }));
}

/// For the survey's page: how long ago its running job started, in words, with what it makes.
pub(super) fn running(state: &State, id: &str) -> Option<(&'static str, String)> {
    match state.jobs.find(id) {
        Found::Running { kind, started } => Some((
            match kind {
                Kind::Publish => "A new release",
                Kind::Close => "The final release",
            },
            since(started.elapsed()),
        )),
        _ => None,
    }
}

fn waiting_address(id: &str) -> String {
    format!("/org/s/{id}/working")
}

fn lead_on(org: &Org<'_>, id: &str, outcome: Kept) -> HttpResponse {
    match outcome {
        Ok(location) => see_other(&location),
        Err(e) => survey_failure(org, id, &e),
    }
}

/// The waiting page: the job still running, or where its end leads.
pub async fn show(
    state: web::Data<State>,
    req: HttpRequest,
    path: web::Path<String>,
) -> HttpResponse {
    let org = match Org::require(&state, &req) {
        Ok(o) => o,
        Err(r) => return r.respond(&state),
    };
    let id = path.into_inner();
    // Only a survey that exists has a page to lead back to.
    if let Err(e) = release_numbers(&state.chorus, &id) {
        return org.page().failure(&e);
    }
    let (kind, started) = match state.jobs.find(&id) {
        Found::Done(outcome) => return lead_on(&org, &id, outcome),
        // No job since the server started.
        Found::None => return see_other(&format!("/org/s/{id}")),
        Found::Running { kind, started } => (kind, started),
    };
    let page = org.page();
    let (title, text) = match kind {
        Kind::Publish => (
            "The release is being made",
            "Chorus is working out which numbers are safe to show. For a long questionnaire, \
             and for each later release, this can take several minutes.",
        ),
        Kind::Close => (
            "The survey is closing",
            "The survey takes no more answers. Chorus is making its final release, which can \
             take several minutes for a long questionnaire.",
        ),
    };
    let mut c = page.context(title);
    c.insert("text", text);
    c.insert("id", &id);
    c.insert("since", &since(started.elapsed()));
    page.render(StatusCode::OK, "org/working.html", &c)
}

/// How long ago a job started, in words.
fn since(elapsed: Duration) -> String {
    match elapsed.as_secs() / 60 {
        0 => "less than a minute ago".to_owned(),
        1 => "a minute ago".to_owned(),
        minutes => format!("{minutes} minutes ago"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_survey_has_one_job_at_a_time_and_keeps_its_outcome_until_the_next() {
        let jobs = Jobs::default();
        assert_eq!(jobs.start("demo", Kind::Publish), Ok(()));
        assert_eq!(
            jobs.start("demo", Kind::Close),
            Err(Kind::Publish),
            "one job per survey"
        );
        assert_eq!(
            jobs.start("other", Kind::Close),
            Ok(()),
            "surveys do not wait for each other"
        );
        assert!(matches!(
            jobs.find("demo"),
            Found::Running {
                kind: Kind::Publish,
                ..
            }
        ));
        jobs.finish("demo", Ok("/org/s/demo/releases/1".to_owned()));
        for _ in 0..2 {
            assert!(
                matches!(jobs.find("demo"), Found::Done(Ok(ref l)) if l == "/org/s/demo/releases/1"),
                "every press waiting for it leads on the same way"
            );
        }
        assert_eq!(
            jobs.start("demo", Kind::Publish),
            Ok(()),
            "a finished job makes way"
        );
        assert!(matches!(jobs.find("demo"), Found::Running { .. }));
        assert!(matches!(jobs.find("nobody"), Found::None));
    }

    #[test]
    fn a_job_whose_work_panics_still_ends() {
        let jobs = Arc::new(Jobs::default());
        assert_eq!(jobs.start("demo", Kind::Publish), Ok(()));
        let finish = Finish {
            jobs: Arc::clone(&jobs),
            survey: "demo".to_owned(),
            outcome: None,
        };
        let worker = std::thread::spawn(move || {
            let _finish = finish;
            panic!("the work failed");
        });
        assert!(worker.join().is_err());
        assert!(matches!(
            jobs.find("demo"),
            Found::Done(Err(ref e)) if matches!(**e, ServiceError::Interrupted)
        ));
    }

    #[test]
    fn the_waiting_page_says_how_long_ago_in_words() {
        assert_eq!(since(Duration::from_secs(59)), "less than a minute ago");
        assert_eq!(since(Duration::from_secs(61)), "a minute ago");
        assert_eq!(since(Duration::from_secs(600)), "10 minutes ago");
    }
}
