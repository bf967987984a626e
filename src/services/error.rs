//! The one error type of the services layer, and the kind of each case. The edges map a kind to
//! an HTTP status or an exit code in one place each; the message (`Display`) is written for
//! people and never echoes an answer.

use crate::accounts::AccountError;
use crate::export::anonymise::Refusal;
use crate::export::package::ExportError;
use crate::export::requests::RequestError;
use crate::installation::StartError;
use crate::release::{CloseError, PublishError};
use crate::services::translations::TranslationError;
use crate::store::{BackupError, StoreError};
use crate::surveys::SurveyError;
use crate::vault::VaultError;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    #[error("there is no survey '{0}'")]
    NoSuchSurvey(String),
    #[error("'{0}' is an open survey: its landing page hands out codes, so no cards are issued")]
    OpenModeHasNoCards(String),
    #[error("survey '{0}' is closed; no more codes can be issued")]
    ClosedForCodes(String),
    #[error("a batch has from 1 to {max} codes", max = crate::services::codes::MAX_BATCH)]
    BatchSize,
    #[error("{0}")]
    BadTags(String),
    #[error(
        "survey '{0}' is not open: a kiosk hands out codes only while the survey takes answers"
    )]
    KioskNeedsOpenSurvey(String),
    #[error("there is no such kiosk (give its id, or its whole link)")]
    NoSuchKiosk,
    #[error("this kiosk is already closed")]
    KioskClosed,
    /// A closed survey gets no next release, so nothing can be quoted in one.
    #[error(
        "the survey is closed: no new release will be published, so no quote can be picked for one"
    )]
    QuoteAfterClosing,
    #[error("this account's role may not do this")]
    Forbidden,
    #[error("this export has not been approved by the organisation")]
    NotApproved,
    #[error("the one-time set-up link is not valid (it was used already, or an account exists)")]
    SetupLinkInvalid,
    #[error("{0} already exists; name a new file for the new key")]
    KeyFileExists(PathBuf),
    #[error("the new key file must be outside the data directory")]
    KeyFileInsideData,
    #[error("stop the server first: this needs the data directory to itself")]
    ServerRunning,
    #[error("the configured key does not open this backup ({0}), so nothing was restored: run `chorus restore` again with the key file or passphrase the backup was made with")]
    RestoreUnopened(String),
    #[error("could not read {path}: {source}")]
    ReadFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("could not write {path}: {source}")]
    WriteFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("survey '{survey}' has no free-text question '{question}'")]
    NoSuchFreeText { survey: String, question: String },
    #[error("free-text answers can be read once the survey has a release: they are shown as they were at the latest release")]
    FreeTextNoRelease,
    #[error("free-text answers are shown as they were at the latest release, and release {0} was published before releases kept them: they can be read once a new release is published")]
    FreeTextNotKept(u32),
    #[error("this survey has been shredded: its free-text answers are gone for good")]
    FreeTextShredded,
    #[error("only words shown for this question — the answers as they were at the latest release — can be quoted, exactly as shown")]
    NotAnAnswer,
    #[error("the chosen tables must be a list of at most 1000 table ids")]
    TableChoice,
    /// Results made public with no table chosen: a page with nothing on it.
    #[error("choose at least one table to show, or show them all")]
    NoTableChosen,
    /// Chosen tables the survey can never have (a typo would publish a page without them).
    #[error("this survey has no table called {0}")]
    UnknownTables(String),
    /// The work could not run to its end (the server is shutting down).
    #[error("the action was interrupted")]
    Interrupted,
    #[error(transparent)]
    Survey(#[from] SurveyError),
    #[error(transparent)]
    Publish(#[from] PublishError),
    #[error(transparent)]
    Close(#[from] CloseError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Request(#[from] RequestError),
    #[error(transparent)]
    Account(#[from] AccountError),
    #[error(transparent)]
    Backup(#[from] BackupError),
    #[error(transparent)]
    Start(#[from] StartError),
    #[error(transparent)]
    Vault(#[from] VaultError),
    #[error(transparent)]
    Bundle(#[from] crate::export::bundle::BundleError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Translation(#[from] crate::services::translations::TranslationError),
}

/// What kind of failure an error is, for the edges' one mapping each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The survey, request or account named does not exist.
    NotFound,
    /// The request itself is malformed (a count out of range, a bad name).
    BadRequest,
    /// Well-formed but not acceptable as it is (a definition with errors, a weak password).
    Invalid,
    /// Not possible in the current state (closed survey, too few new responses, …).
    Conflict,
    /// The account may not do this.
    Forbidden,
    /// Our side failed (storage, keys, files): nothing was changed; try again.
    Unavailable,
}

impl ServiceError {
    /// Every case is listed: a new variant must be given a kind before it compiles.
    pub fn kind(&self) -> ErrorKind {
        use ErrorKind::*;
        match self {
            ServiceError::NoSuchSurvey(_) => NotFound,
            ServiceError::OpenModeHasNoCards(_) | ServiceError::ClosedForCodes(_) => Conflict,
            ServiceError::BatchSize | ServiceError::BadTags(_) => BadRequest,
            ServiceError::KioskNeedsOpenSurvey(_)
            | ServiceError::KioskClosed
            | ServiceError::QuoteAfterClosing => Conflict,
            ServiceError::NoSuchKiosk => NotFound,
            ServiceError::NoSuchFreeText { .. } => NotFound,
            ServiceError::FreeTextNoRelease
            | ServiceError::FreeTextNotKept(_)
            | ServiceError::FreeTextShredded => Conflict,
            ServiceError::NotAnAnswer => Invalid,
            ServiceError::TableChoice
            | ServiceError::UnknownTables(_)
            | ServiceError::NoTableChosen => BadRequest,
            ServiceError::Forbidden | ServiceError::NotApproved => Forbidden,
            ServiceError::SetupLinkInvalid => NotFound,
            ServiceError::KeyFileExists(_)
            | ServiceError::KeyFileInsideData
            | ServiceError::ServerRunning
            | ServiceError::RestoreUnopened(_) => Conflict,
            ServiceError::ReadFile { .. } => BadRequest,
            ServiceError::WriteFile { .. } | ServiceError::Interrupted => Unavailable,
            ServiceError::Survey(e) => survey_kind(e),
            ServiceError::Publish(e) => publish_kind(e),
            ServiceError::Close(CloseError::Survey(e)) => survey_kind(e),
            ServiceError::Close(CloseError::Release(e)) => publish_kind(e),
            ServiceError::Close(CloseError::Store(_)) => Unavailable,
            ServiceError::Export(e) => match e {
                ExportError::NoSuchSurvey(_) => NotFound,
                ExportError::NotClosed | ExportError::Shredded => Conflict,
                ExportError::Refused(r) => match r {
                    Refusal::Settings(_)
                    | Refusal::NoResponses
                    | Refusal::Unsupported(_)
                    | Refusal::Unreachable(_) => Conflict,
                },
                ExportError::Unreadable | ExportError::Bundle(_) | ExportError::Files(_) => {
                    Unavailable
                }
            },
            ServiceError::Request(e) => match e {
                RequestError::NoSuchSurvey(_) | RequestError::NotFound => NotFound,
                RequestError::NotClosed | RequestError::Shredded | RequestError::AlreadyDecided => {
                    Conflict
                }
                RequestError::Purpose => BadRequest,
                RequestError::Store(_) => Unavailable,
            },
            ServiceError::Account(e) => match e {
                AccountError::BadName => BadRequest,
                AccountError::WeakPassword => Invalid,
                AccountError::Exists(_) => Conflict,
                AccountError::NotFound(_) => NotFound,
                AccountError::NameRetired(_) | AccountError::LastOrganiser(_) => Conflict,
                AccountError::Store(_) => Unavailable,
            },
            ServiceError::Backup(e) => match e {
                BackupError::Read { .. } | BackupError::Damaged(_) => BadRequest,
                BackupError::NotEmpty(_) => Conflict,
                BackupError::Write { .. } | BackupError::Store(_) => Unavailable,
            },
            ServiceError::Bundle(_) => BadRequest,
            ServiceError::Start(_) | ServiceError::Vault(_) | ServiceError::Store(_) => Unavailable,
            ServiceError::Translation(e) => match e {
                TranslationError::BadLanguage(_) => BadRequest,
                TranslationError::BadSheet(_) => Invalid,
                TranslationError::NoDirectory => Conflict,
                TranslationError::Unwritable { .. } => Unavailable,
            },
        }
    }
}

fn survey_kind(e: &SurveyError) -> ErrorKind {
    use ErrorKind::*;
    match e {
        SurveyError::Invalid(_) => Invalid,
        SurveyError::NotFound(_) => NotFound,
        SurveyError::HasResponses(..)
        | SurveyError::Closed(_)
        | SurveyError::AlreadyClosed(_)
        | SurveyError::Exported(..)
        | SurveyError::Shredded(_)
        | SurveyError::NotClosed(_) => Conflict,
        SurveyError::Store(_) | SurveyError::Vault(_) | SurveyError::Damaged(_) => Unavailable,
    }
}

fn publish_kind(e: &PublishError) -> ErrorKind {
    use ErrorKind::*;
    match e {
        PublishError::NoSuchSurvey(_) => NotFound,
        PublishError::BelowMinimum(_)
        | PublishError::TooFewNew(_)
        | PublishError::PublishedMeanwhile(_)
        | PublishError::Closed(_)
        | PublishError::Shredded => Conflict,
        PublishError::Unreadable | PublishError::Store(_) => Unavailable,
    }
}
