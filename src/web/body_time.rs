//! Time limits on reading a request's body, for every address. actix's own timeout covers only a
//! request's head: a body that stopped arriving, or trickled in a byte at a time, held its
//! connection for as long as the client cared, and an outside review shut every peer out with
//! about a thousand such connections from one machine (the open-file limit). A body must now
//! keep arriving (a pause of `IDLE` ends it) and be complete within `WHOLE_BODY`; a handler
//! reading it then meets an error and answers as for any unreadable form, changing nothing.

use actix_web::body::MessageBody;
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::rt::time::{sleep_until, Instant, Sleep};
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures_util::{Stream, StreamExt};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

/// Nothing arriving for this long means the body has stopped. A little more patience than the
/// import form's own limits (`organiser/upload.rs`), so that it answers first, in its own words.
const IDLE: Duration = Duration::from_secs(15);
/// The whole body, even one trickling in: enough for the largest form (a 1 MB definition) over
/// a slow mobile connection.
const WHOLE_BODY: Duration = Duration::from_secs(150);

pub async fn limit_body_time(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let body = req.take_payload();
        let timed: Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>> = Box::pin(Timed {
            body,
            deadline: Instant::now() + WHOLE_BODY,
            timer: None,
            waiting: false,
            done: false,
        });
        req.set_payload(Payload::from(timed));
    }
    next.call(req).await
}

/// A body that ends in an error at a pause of `IDLE` or once `WHOLE_BODY` has passed. A body
/// that is there when asked for — a peer's answers nearly always arrive with the request's head
/// — never starts a timer: one is made only the first time the body keeps the reader waiting.
struct Timed {
    body: Payload,
    deadline: Instant,
    timer: Option<Pin<Box<Sleep>>>,
    /// Whether the timer is set for the current wait (a chunk ends a wait).
    waiting: bool,
    /// Ended (its end, or the error that stopped it, was given): a reader may ask again after
    /// the end (multipart forms do) and is told the end again.
    done: bool,
}

impl Stream for Timed {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = this.body.poll_next_unpin(cx) {
            this.waiting = false;
            this.done = item.is_none();
            return Poll::Ready(item);
        }
        if !this.waiting {
            // A new wait: the pause is counted from now, within the whole body's time.
            let wake = this.deadline.min(Instant::now() + IDLE);
            match &mut this.timer {
                Some(timer) => timer.as_mut().reset(wake),
                None => this.timer = Some(Box::pin(sleep_until(wake))),
            }
            this.waiting = true;
        }
        let Some(timer) = this.timer.as_mut() else {
            return Poll::Pending;
        };
        if timer.as_mut().poll(cx).is_ready() {
            this.done = true;
            return Poll::Ready(Some(Err(stopped())));
        }
        Poll::Pending
    }
}

fn stopped() -> PayloadError {
    PayloadError::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "the request body stopped arriving",
    ))
}
