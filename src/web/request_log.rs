//! Request counts, never request lines. A line per request — even one without address, path or
//! code — would stamp the time of every submission and code check, which turns the order of
//! responses into times. Instead requests are counted by method, route *pattern* and status
//! class, and a summary of the counts is logged every `SUMMARY_EVERY` by a clock of its own (not
//! by a request, whose arrival would then be marked). Errors worth an operator's attention are
//! logged where they happen, without codes or answers.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::middleware::Next;
use std::collections::BTreeMap;
use std::sync::{Mutex, Once};
use std::time::Duration;

/// At least ten minutes: long enough that one interval holds many peers' requests.
pub const SUMMARY_EVERY: Duration = Duration::from_secs(10 * 60);

/// (method, route pattern, status class such as "2xx") → count.
type Counts = BTreeMap<(String, String, &'static str), u64>;

static COUNTS: Mutex<Counts> = Mutex::new(BTreeMap::new());
static SUMMARIES: Once = Once::new();

pub async fn log_request(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    SUMMARIES.call_once(start_summaries);
    let method = req.method().to_string();
    let res = next.call(req).await?;
    let route = res
        .request()
        .match_pattern()
        .unwrap_or_else(|| "(no route)".to_owned());
    count(method, route, res.status().as_u16());
    Ok(res)
}

fn count(method: String, route: String, status: u16) {
    let class = match status {
        100..=199 => "1xx",
        200..=299 => "2xx",
        300..=399 => "3xx",
        400..=499 => "4xx",
        _ => "5xx",
    };
    let mut counts = COUNTS.lock().unwrap_or_else(|p| p.into_inner());
    *counts.entry((method, route, class)).or_default() += 1;
}

/// Takes the counts gathered so far, leaving none.
fn take() -> Counts {
    std::mem::take(&mut *COUNTS.lock().unwrap_or_else(|p| p.into_inner()))
}

fn start_summaries() {
    let spawned = std::thread::Builder::new()
        .name("chorus-request-summary".into())
        .spawn(|| loop {
            std::thread::sleep(SUMMARY_EVERY);
            for ((method, route, class), n) in take() {
                tracing::info!(
                    method = %method,
                    route = %route,
                    status = class,
                    requests = n,
                    minutes = SUMMARY_EVERY.as_secs() / 60,
                    "requests in the last interval"
                );
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "could not start the request summary");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_counted_by_route_pattern_and_status_class() {
        take();
        count("POST".into(), "/s/{survey}/submit".into(), 201);
        count("POST".into(), "/s/{survey}/submit".into(), 200);
        count("POST".into(), "/s/{survey}/submit".into(), 409);
        let counts = take();
        let key = |c| ("POST".to_owned(), "/s/{survey}/submit".to_owned(), c);
        assert_eq!(counts.get(&key("2xx")), Some(&2));
        assert_eq!(counts.get(&key("4xx")), Some(&1));
        assert!(take().is_empty());
    }

    #[test]
    fn the_summary_interval_is_at_least_ten_minutes() {
        assert!(SUMMARY_EVERY >= Duration::from_secs(600));
    }
}
