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
use actix_web::rt::time::{timeout, Instant};
use actix_web::web::Bytes;
use actix_web::HttpMessage;
use futures_util::{Stream, StreamExt};
use std::pin::Pin;
use std::time::Duration;

/// What a request's body is read as.
type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, PayloadError>>>>;

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
        req.set_payload(timed(body));
    }
    next.call(req).await
}

/// `body`, ending in an error at a pause of `IDLE` or once `WHOLE_BODY` has passed.
fn timed(body: Payload) -> Payload {
    let deadline = Instant::now() + WHOLE_BODY;
    let stream = futures_util::stream::unfold(Some(body), move |body| async move {
        let mut body = body?;
        let wait = deadline.saturating_duration_since(Instant::now()).min(IDLE);
        match timeout(wait, body.next()).await {
            Ok(Some(chunk)) => Some((chunk, Some(body))),
            Ok(None) => None,
            // The error ends the stream: nothing more is read from this connection.
            Err(_) => Some((Err(stopped()), None)),
        }
    });
    // Fused: a reader may ask again after the end (multipart forms do), and is told the end again.
    Payload::from(Box::pin(stream.fuse()) as BodyStream)
}

fn stopped() -> PayloadError {
    PayloadError::Io(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "the request body stopped arriving",
    ))
}
