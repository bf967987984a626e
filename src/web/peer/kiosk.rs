//! A kiosk on a shared outreach tablet (`/k/{token}`): a start page with one large "Start"; each
//! press draws a fresh one-time code from the kiosk's batch and goes straight to the first
//! question, with no code to type. The pages that follow are the ordinary survey pages, carrying
//! the kiosk's link so that Quick exit, "Thank you" and a pause lead back to this start page
//! (`static/chorus.js` replaces the history entry; without JavaScript a `<noscript>` refresh does).
//! No login and no cookie: the link itself is the kiosk's key.

use super::flow::{self, Answers};
use super::pages::{self, Message, Render};
use super::{open_survey, read_form, survey_language, LangQuery};
use crate::services::kiosks::{self, KioskError};
use crate::surveys::SurveyEntry;
use crate::web::i18n::Strings;
use crate::web::State;
use actix_web::{web, HttpRequest, HttpResponse};

pub async fn show_kiosk(
    state: web::Data<State>,
    path: web::Path<String>,
    query: web::Query<LangQuery>,
    req: HttpRequest,
) -> HttpResponse {
    let fallback = Render::new(&state, &req, query.lang.as_deref());
    let (kiosk, token) = match kiosks::kiosk_at(&state.chorus, &path) {
        Ok(found) => found,
        Err(e) => return refused(&fallback, e),
    };
    let entry = match open_survey(&state, &kiosk.survey) {
        Ok(entry) => entry,
        Err(message) => return fallback.message(message),
    };
    let lang = survey_language(&entry, &req, query.lang.as_deref());
    Render::for_survey(&state, &entry, &lang)
        .in_kiosk(&token.encode(&state.chorus.session), None)
        .kiosk_start(&entry)
}

/// "Start": a fresh code for the next person and the survey's first page.
pub async fn start_at_kiosk(
    state: web::Data<State>,
    path: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> HttpResponse {
    let fallback = Render::new(&state, &req, None);
    let (kiosk, token) = match kiosks::kiosk_at(&state.chorus, &path) {
        Ok(found) => found,
        Err(e) => return refused(&fallback, e),
    };
    let entry = match open_survey(&state, &kiosk.survey) {
        Ok(entry) => entry,
        Err(message) => return fallback.message(message),
    };
    let fields = match read_form(payload).await {
        Ok(f) => f,
        Err(message) => return fallback.message(message),
    };
    let chosen = fields
        .iter()
        .find(|(n, _)| n == flow::LANG)
        .map(|(_, v)| v.as_str());
    let lang = survey_language(&entry, &req, chosen);
    let r = Render::for_survey(&state, &entry, &lang).in_kiosk(
        &token.encode(&state.chorus.session),
        Some(state.kiosk.idle_seconds),
    );
    if state.kiosk_codes.check(kiosk.id).is_err() {
        return r.message(Message::TooMany);
    }
    let code = match kiosks::kiosk_code(&state.chorus, &kiosk).await {
        Ok(code) => code.display(),
        Err(e) => return refused(&r, e),
    };
    // A kiosk is a batch too: its tags choose the site's variant (`[variants]`).
    let site = super::site_of_code(&state, &entry, &code);
    let entry = site.unwrap_or_else(|| SurveyEntry::clone(&entry));
    let answers = Answers::parse(&entry.survey, Vec::new());
    let flow = pages::Flow {
        entry: &entry,
        code: &code,
        answers: &answers,
        from_review: false,
    };
    match flow::next_page(&entry.survey, None, &answers.response) {
        Some(p) => r.page(&flow, p, false),
        None => r.review(&flow),
    }
}

/// The page for a link that leads nowhere: unknown (404) or closed and expired (410) alike
/// change nothing.
fn refused(r: &Render<'_>, e: KioskError) -> HttpResponse {
    match e {
        KioskError::Unknown => r.message(Message::KioskUnknown),
        KioskError::Gone => r.message(Message::KioskGone),
        KioskError::SurveyClosed => r.message(Message::Closed),
        KioskError::Store(e) => {
            crate::telemetry::storage_failure("storage failure at a kiosk", &e);
            r.message(Message::Busy)
        }
    }
}

/// How long a kiosk page waits before it clears itself, in the peer's words, and the warning
/// its script shows before that (WCAG 2.2.1: a time limit is said, and can be extended).
#[derive(serde::Serialize)]
pub(super) struct TimeLimit {
    /// With JavaScript: the wait restarts at every tap.
    idle: String,
    /// Without: a page cannot see taps, so the wait runs from when it opened.
    page: String,
    /// "Are you still there?", `lead` seconds before the reset.
    warning: String,
    lead: u32,
}

/// Seconds from two minutes on are said in whole minutes, rounded down (a peer told less time
/// than they have loses nothing); shorter waits in seconds. The warning comes 20 seconds before
/// the reset, or halfway through a shorter wait.
pub(super) fn time_limit(t: &Strings, seconds: u32) -> TimeLimit {
    let text = |key: &str| t.get(key).cloned().unwrap_or_default();
    let time = if seconds >= 120 {
        text("kiosk_minutes").replace("{n}", &(seconds / 60).to_string())
    } else {
        text("kiosk_seconds").replace("{n}", &seconds.to_string())
    };
    let lead = (seconds / 2).min(20);
    TimeLimit {
        idle: text("kiosk_limit_idle").replace("{time}", &time),
        page: text("kiosk_limit_page").replace("{time}", &time),
        warning: text("kiosk_warning").replace("{n}", &lead.to_string()),
        lead,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn english() -> Strings {
        toml::from_str(include_str!("../../../i18n/en.toml")).expect("en")
    }

    #[test]
    fn a_wait_of_two_minutes_or_more_is_said_in_whole_minutes_rounded_down() {
        let limit = time_limit(&english(), 150);
        assert!(limit.idle.contains("for 2 minutes,"), "{}", limit.idle);
        assert!(
            limit.page.contains("start page 2 minutes after"),
            "{}",
            limit.page
        );
        assert_eq!(limit.lead, 20);
        assert!(limit.warning.contains("in 20 seconds"), "{}", limit.warning);
    }

    #[test]
    fn a_shorter_wait_is_said_in_seconds_and_warned_of_halfway() {
        let limit = time_limit(&english(), 90);
        assert!(limit.idle.contains("for 90 seconds,"), "{}", limit.idle);
        assert_eq!(limit.lead, 20);
        let limit = time_limit(&english(), 4);
        assert!(limit.idle.contains("for 4 seconds,"), "{}", limit.idle);
        assert_eq!(limit.lead, 2);
        assert!(limit.warning.contains("in 2 seconds"), "{}", limit.warning);
    }

    #[test]
    fn every_language_says_the_time_limit_with_its_number() {
        for (lang, source) in crate::services::interface_texts::TRANSLATIONS {
            let strings: Strings = toml::from_str(source).expect("parses");
            let limit = time_limit(&strings, 180);
            for words in [&limit.idle, &limit.page] {
                assert!(
                    words.contains('3') && !words.contains('{'),
                    "{lang}: {words}"
                );
            }
            assert!(
                limit.warning.contains("20") && !limit.warning.contains('{'),
                "{lang}"
            );
        }
    }
}
