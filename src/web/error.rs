//! Every error a route can return, and its one mapping to HTTP: `status_of` gives the status of
//! each kind of service failure, for the JSON API and the workspace's pages alike. API routes
//! answer JSON; the messages are written for people and never echo what was submitted (it may
//! be an answer).

use crate::services::{ErrorKind, ServiceError};
use crate::survey::AnswerError;
use crate::web::organiser::UploadError;
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde_json::json;

/// The single body for every unusable code (unknown, used, mistyped, another survey's): byte for
/// byte the same, so the answer cannot be used to learn whether a card was used.
pub const CODE_UNUSABLE_BODY: &str = r#"{"error":"code_unusable","message":"This code can't be used. It may have been used already, or mistyped."}"#;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("not found")]
    NotFound,
    #[error("survey closed")]
    SurveyClosed,
    #[error("code unusable")]
    CodeUnusable,
    #[error("invalid answers")]
    InvalidAnswers(Vec<AnswerError>),
    #[error("bad request: {0}")]
    BadRequest(String),
    #[error("payload too large")]
    PayloadTooLarge,
    #[error("unsupported media type")]
    UnsupportedMediaType,
    /// The address exists, but not for this method; `allow` lists the methods it takes.
    #[error("method not allowed")]
    MethodNotAllowed { allow: String },
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("unauthorized")]
    Unauthorized,
    #[error("forbidden")]
    Forbidden,
    #[error("not possible for this survey: {0}")]
    Conflict(String),
    /// Storage failed. Logged with the storage error only; the client sees a generic message.
    #[error("unavailable")]
    Unavailable,
    /// An organiser, researcher or operator action refused or failed.
    #[error(transparent)]
    Service(ServiceError),
}

/// The HTTP status of each kind of service failure: the one mapping, used by the API and by the
/// workspace's pages.
pub fn status_of(kind: ErrorKind) -> StatusCode {
    match kind {
        ErrorKind::NotFound => StatusCode::NOT_FOUND,
        ErrorKind::BadRequest => StatusCode::BAD_REQUEST,
        ErrorKind::Invalid => StatusCode::UNPROCESSABLE_ENTITY,
        ErrorKind::Conflict => StatusCode::CONFLICT,
        ErrorKind::Forbidden => StatusCode::FORBIDDEN,
        ErrorKind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
    }
}

/// The HTTP status of each reason the import form could not be read.
pub fn upload_status(e: &UploadError) -> StatusCode {
    match e {
        UploadError::NotMultipart => StatusCode::UNSUPPORTED_MEDIA_TYPE,
        UploadError::Unreadable => StatusCode::BAD_REQUEST,
        UploadError::TooManyParts | UploadError::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        UploadError::TimedOut => StatusCode::REQUEST_TIMEOUT,
    }
}

/// The message a person sees for a service failure, in the words the JSON API and the command
/// line give. Our own failures are logged and shown as one generic sentence: their details may
/// name files or keys.
pub fn message_of(e: &ServiceError) -> String {
    match e.kind() {
        ErrorKind::Unavailable => {
            crate::telemetry::storage_failure("action failed", &e);
            UNAVAILABLE_MESSAGE.to_owned()
        }
        _ => e.to_string(),
    }
}

/// The same on a page, as a sentence: the errors' own words start in lower case.
pub fn page_message_of(e: &ServiceError) -> String {
    as_sentence(&message_of(e))
}

/// "a batch has from 1 to 2000 codes" → "A batch has from 1 to 2000 codes."
pub fn as_sentence(words: &str) -> String {
    let mut chars = words.chars();
    let Some(first) = chars.next() else {
        return String::new();
    };
    let mut out: String = first.to_uppercase().chain(chars).collect();
    if !out.ends_with(['.', '!', '?', '…']) {
        out.push('.');
    }
    out
}

pub const UNAVAILABLE_MESSAGE: &str =
    "Something went wrong on our side; nothing was changed. Please try again.";

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        ApiError::Service(e)
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::NotFound => StatusCode::NOT_FOUND,
            ApiError::SurveyClosed => StatusCode::GONE,
            ApiError::CodeUnusable | ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::InvalidAnswers(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Service(e) => status_of(e.kind()),
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        builder.content_type("application/json");
        let body = match self {
            ApiError::CodeUnusable => return builder.body(CODE_UNUSABLE_BODY),
            ApiError::NotFound => {
                json!({"error": "not_found", "message": "There is no such survey or page."})
            }
            ApiError::SurveyClosed => {
                json!({"error": "survey_closed", "message": "This survey is closed and no longer takes answers."})
            }
            ApiError::InvalidAnswers(errors) => json!({
                "error": "invalid_answers",
                "message": "Some answers are not valid. Nothing was saved and the code was not used.",
                "errors": errors,
            }),
            ApiError::BadRequest(message) => json!({"error": "bad_request", "message": message}),
            ApiError::PayloadTooLarge => {
                json!({"error": "payload_too_large", "message": "The request is too large."})
            }
            ApiError::UnsupportedMediaType => {
                json!({"error": "unsupported_media_type", "message": "Send the body as application/json."})
            }
            ApiError::MethodNotAllowed { allow } => {
                builder.insert_header((header::ALLOW, allow.as_str()));
                json!({"error": "method_not_allowed", "message": format!("This address does not take that method. It takes: {allow}.")})
            }
            ApiError::RateLimited { retry_after_secs } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
                json!({"error": "rate_limited", "message": "Too many requests. Please wait a moment and try again."})
            }
            ApiError::Conflict(message) => json!({"error": "conflict", "message": message}),
            ApiError::Unauthorized => {
                builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
                json!({"error": "unauthorized", "message": "Send an API key as 'Authorization: Bearer <key>' (chorus user api-key NAME)."})
            }
            ApiError::Forbidden => {
                json!({"error": "forbidden", "message": "This account's role may not do this."})
            }
            ApiError::Unavailable => {
                json!({"error": "unavailable", "message": "The service could not save this right now. Nothing was saved; please try again."})
            }
            ApiError::Service(e) => {
                let code = match e.kind() {
                    ErrorKind::NotFound => "not_found",
                    ErrorKind::BadRequest => "bad_request",
                    ErrorKind::Invalid => "invalid",
                    ErrorKind::Conflict => "conflict",
                    ErrorKind::Forbidden => "forbidden",
                    ErrorKind::Unavailable => "unavailable",
                };
                json!({"error": code, "message": message_of(e)})
            }
        };
        builder.body(body.to_string())
    }
}

impl From<crate::submissions::SubmitError> for ApiError {
    fn from(e: crate::submissions::SubmitError) -> ApiError {
        use crate::submissions::SubmitError as S;
        match e {
            S::NoSuchSurvey => ApiError::NotFound,
            S::SurveyClosed => ApiError::SurveyClosed,
            S::InvalidAnswers(errors) => ApiError::InvalidAnswers(errors),
            S::CodeUnusable => ApiError::CodeUnusable,
            S::Store(e) => e.into(),
        }
    }
}

impl From<crate::services::responses::OpenCodeError> for ApiError {
    fn from(e: crate::services::responses::OpenCodeError) -> ApiError {
        use crate::services::responses::OpenCodeError as O;
        match e {
            O::NoSuchSurvey => ApiError::NotFound,
            O::Closed => ApiError::SurveyClosed,
            O::ByInvitation => ApiError::Conflict(O::ByInvitation.to_string()),
            O::Store(e) => e.into(),
        }
    }
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> ApiError {
        crate::telemetry::storage_failure("storage failure", &e);
        ApiError::Unavailable
    }
}

#[cfg(test)]
mod tests {
    use super::as_sentence;

    #[test]
    fn a_message_on_a_page_reads_as_a_sentence() {
        assert_eq!(
            as_sentence("a batch has from 1 to 2000 codes"),
            "A batch has from 1 to 2000 codes."
        );
        assert_eq!(
            as_sentence("there is no survey 'x'"),
            "There is no survey 'x'."
        );
        assert_eq!(as_sentence("Already a sentence."), "Already a sentence.");
        assert_eq!(as_sentence(""), "");
    }
}
