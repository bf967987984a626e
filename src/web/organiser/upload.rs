//! Reading the import form — a multipart body with the CSRF token, the pasted text and an
//! uploaded file — within bounds: its kind, its size, its number of parts, and time. actix's
//! own timeout covers only a request's headers; a body that stops arriving would otherwise hold
//! its connection for as long as the client cares to wait.

use actix_multipart::Multipart;
use actix_web::http::header;
use actix_web::rt::time::{timeout, Instant};
use actix_web::HttpRequest;
use futures_util::StreamExt;
use std::future::Future;
use std::time::Duration;

/// Parts of the import form: the CSRF token, the pasted text and the file, with room to spare.
const MAX_PARTS: usize = 8;
/// A definition is at most 1 MB.
const MAX_BYTES: usize = 1024 * 1024;
/// Nothing arriving for this long means the upload has stopped (the same patience actix has for
/// a request's headers).
const IDLE: Duration = Duration::from_secs(10);
/// The whole form, even one trickling in: enough for a 1 MB file over a slow mobile connection.
const WHOLE_FORM: Duration = Duration::from_secs(120);

/// Why the import form could not be read. Nothing is imported in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("The form could not be read: send the definition from the import page, pasted or as a file.")]
    NotMultipart,
    #[error("The form could not be read. Go back to the import page and send it again.")]
    Unreadable,
    #[error("The form has more parts than the import form sends.")]
    TooManyParts,
    #[error("The definition is larger than 1 MB.")]
    TooLarge,
    #[error("The upload stopped before it was complete, and nothing was imported. Check the connection and send it again.")]
    TimedOut,
}

/// The form's fields, in order, each as text.
pub async fn read_import_form(
    req: &HttpRequest,
    mut form: Multipart,
) -> Result<Vec<(String, String)>, UploadError> {
    if !is_multipart_form(req) {
        return Err(UploadError::NotMultipart);
    }
    let deadline = Instant::now() + WHOLE_FORM;
    let mut fields: Vec<(String, String)> = Vec::new();
    let mut total = 0usize;
    while let Some(part) = in_time(deadline, form.next()).await? {
        let mut part = part.map_err(|_| UploadError::Unreadable)?;
        // A flood of tiny parts is refused before it costs anything.
        if fields.len() >= MAX_PARTS {
            return Err(UploadError::TooManyParts);
        }
        let name = part.name().unwrap_or("").to_owned();
        let mut bytes = Vec::new();
        while let Some(chunk) = in_time(deadline, part.next()).await? {
            let chunk = chunk.map_err(|_| UploadError::Unreadable)?;
            total += chunk.len();
            if total > MAX_BYTES {
                return Err(UploadError::TooLarge);
            }
            bytes.extend_from_slice(&chunk);
        }
        fields.push((name, String::from_utf8_lossy(&bytes).into_owned()));
    }
    Ok(fields)
}

fn is_multipart_form(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case("multipart/form-data"))
}

/// The next piece of the body, if it comes within `IDLE` and before `deadline`.
async fn in_time<F: Future>(deadline: Instant, next: F) -> Result<F::Output, UploadError> {
    let wait = deadline.saturating_duration_since(Instant::now()).min(IDLE);
    timeout(wait, next).await.map_err(|_| UploadError::TimedOut)
}
