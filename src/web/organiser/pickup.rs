//! A secret between the POST that made it and the one page that shows it — a batch of codes just
//! issued, a kiosk link just opened: in this process's memory only, for one showing to the
//! organiser who made it, then forgotten. Nothing here reaches the disk, so the store still holds
//! no code or kiosk link in the clear. (The POST answers with a redirect, so reloading the page
//! issues or opens nothing more.)

use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Long enough to follow a redirect on a slow phone; short enough that codes don't linger.
const KEEP_FOR: Duration = Duration::from_secs(10 * 60);

pub struct Pickup {
    pub account: String,
    pub survey: String,
    pub held: Held,
}

/// What waits to be shown.
pub enum Held {
    /// A batch of codes, as cards on `paper` or (`csv`) as a file for mail-merge.
    Cards {
        batch: u32,
        paper: &'static str,
        csv: bool,
        codes: Vec<String>,
    },
    /// A kiosk's link (its token) and the kiosk's id.
    Kiosk { token: String, kiosk: String },
}

struct Waiting {
    pickup: Pickup,
    until: Instant,
}

fn waiting() -> &'static Mutex<HashMap<String, Waiting>> {
    static WAITING: OnceLock<Mutex<HashMap<String, Waiting>>> = OnceLock::new();
    WAITING.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Leaves a batch to be shown once; returns the unguessable ticket for its page's address.
pub fn leave(pickup: Pickup) -> String {
    let ticket = crate::vault::random_hex::<16>();
    let now = Instant::now();
    let mut map = waiting().lock().unwrap_or_else(|p| p.into_inner());
    map.retain(|_, w| w.until > now);
    map.insert(
        ticket.clone(),
        Waiting {
            pickup,
            until: now + KEEP_FOR,
        },
    );
    ticket
}

/// What waits behind `ticket`, once, and only for the organiser who left it, for this survey.
pub fn take(ticket: &str, account: &str, survey: &str) -> Option<Held> {
    let mut map = waiting().lock().unwrap_or_else(|p| p.into_inner());
    let fits = map.get(ticket).is_some_and(|w| {
        w.until > Instant::now() && w.pickup.account == account && w.pickup.survey == survey
    });
    if !fits {
        return None;
    }
    map.remove(ticket).map(|w| w.pickup.held)
}

/// A form sent twice — a double tap, or Back and send again — acts once: the form carries a
/// random id, and a second sending of it is led to the first one's ticket instead of acting
/// again. The ids live as long as the tickets, in memory only.
fn sent_forms() -> &'static Mutex<HashMap<(String, String), Sent>> {
    static SENT: OnceLock<Mutex<HashMap<(String, String), Sent>>> = OnceLock::new();
    SENT.get_or_init(|| Mutex::new(HashMap::new()))
}

struct Sent {
    ticket: Option<String>,
    until: Instant,
}

/// Whether a form is sent for the first time, or again.
pub enum Sending {
    /// The first time: act, then [`settle`] (or [`release`] if acting failed).
    First,
    /// Again: the first sending's ticket, once it has one.
    Again(Option<String>),
}

/// Marks `form` (as sent by `account`) as being acted on, or says it was already.
pub fn claim(account: &str, form: &str) -> Sending {
    let now = Instant::now();
    let mut map = sent_forms().lock().unwrap_or_else(|p| p.into_inner());
    map.retain(|_, s| s.until > now);
    let key = (account.to_owned(), form.to_owned());
    if let Some(sent) = map.get(&key) {
        return Sending::Again(sent.ticket.clone());
    }
    map.insert(
        key,
        Sent {
            ticket: None,
            until: now + KEEP_FOR,
        },
    );
    Sending::First
}

/// The ticket the first sending of `form` led to.
pub fn settle(account: &str, form: &str, ticket: &str) {
    let mut map = sent_forms().lock().unwrap_or_else(|p| p.into_inner());
    if let Some(sent) = map.get_mut(&(account.to_owned(), form.to_owned())) {
        sent.ticket = Some(ticket.to_owned());
    }
}

/// Forgets a form whose action failed, so that sending it again tries again.
pub fn release(account: &str, form: &str) {
    let mut map = sent_forms().lock().unwrap_or_else(|p| p.into_inner());
    map.remove(&(account.to_owned(), form.to_owned()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch() -> Pickup {
        Pickup {
            account: "maria".into(),
            survey: "demo".into(),
            held: Held::Cards {
                batch: 1,
                paper: "a4",
                csv: false,
                codes: vec!["7KQ2-MX9D-4TRA-V3".into()],
            },
        }
    }

    #[test]
    fn a_batch_is_shown_once_and_only_to_who_issued_it() {
        let ticket = leave(batch());
        assert!(take(&ticket, "someone", "demo").is_none());
        assert!(take(&ticket, "maria", "other").is_none());
        let taken = take(&ticket, "maria", "demo");
        assert!(matches!(taken, Some(Held::Cards { batch: 1, .. })));
        assert!(take(&ticket, "maria", "demo").is_none());
    }

    #[test]
    fn a_form_sent_again_is_led_to_the_first_sendings_ticket() {
        let form = crate::vault::random_hex::<16>();
        assert!(matches!(claim("maria", &form), Sending::First));
        assert!(matches!(claim("maria", &form), Sending::Again(None)));
        assert!(matches!(claim("omar", &form), Sending::First));
        settle("maria", &form, "t1");
        assert!(matches!(claim("maria", &form), Sending::Again(Some(t)) if t == "t1"));
        release("maria", &form);
        assert!(matches!(claim("maria", &form), Sending::First));
    }
}
