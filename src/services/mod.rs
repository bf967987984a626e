//! One function per thing an organiser, researcher or operator does (import, open, close, issue
//! codes, publish, approve an export, shred, back up, rekey, …). Each checks its rules and writes
//! its audit-log entry, so the workspace, the JSON API and the command line — which only call
//! these — give the same answer for the same action and leave the same trace.

pub mod accounts;
pub mod codes;
mod error;
pub mod exports;
pub mod free_text;
pub mod interface_texts;
pub mod kiosks;
pub mod operations;
pub mod paper;
pub mod public_results;
pub mod releases;
pub mod responses;
pub mod survey_sheet;
pub mod surveys;
pub mod translation_sheet;
pub mod translations;
pub mod vouchers;

pub use error::{ErrorKind, ServiceError};

use crate::installation::Chorus;

/// Which edge an action came through: recorded beside the account in the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    CommandLine,
    Api,
    Workspace,
    /// The retention schedule, acting on its own.
    Schedule,
}

impl Edge {
    fn label(self) -> &'static str {
        match self {
            Edge::CommandLine => "command line",
            Edge::Api => "API",
            Edge::Workspace => "workspace",
            Edge::Schedule => "schedule",
        }
    }
}

/// Who performs an action, and through which edge.
#[derive(Debug, Clone)]
pub struct Actor {
    pub account: String,
    pub edge: Edge,
}

impl Actor {
    /// The operator at the server's terminal (or its control socket).
    pub fn command_line() -> Actor {
        Actor {
            account: "(command line)".into(),
            edge: Edge::CommandLine,
        }
    }

    pub fn schedule() -> Actor {
        Actor {
            account: "(retention)".into(),
            edge: Edge::Schedule,
        }
    }

    pub fn api(account: &str) -> Actor {
        Actor {
            account: account.to_owned(),
            edge: Edge::Api,
        }
    }

    pub fn workspace(account: &str) -> Actor {
        Actor {
            account: account.to_owned(),
            edge: Edge::Workspace,
        }
    }
}

/// Writes the audit entry of an action that has happened. A failure to write is reported to
/// the operator's log, never to the person: the action itself has already taken effect.
fn audit(
    chorus: &Chorus,
    actor: &Actor,
    action: &str,
    survey: Option<&str>,
    detail: Option<String>,
) {
    let via = format!("({})", actor.edge.label());
    let entry = crate::audit::Entry {
        day: chorus.clock.today(),
        account: actor.account.clone(),
        action: action.to_owned(),
        survey: survey.map(str::to_owned),
        detail: Some(match detail {
            Some(d) => format!("{d} {via}"),
            None => via,
        }),
    };
    if let Err(e) = crate::audit::append(&chorus.store, &entry) {
        tracing::error!(error = %e, action, "audit log write failed");
    }
}

/// The survey an action names, or `NoSuchSurvey`.
fn survey_entry(
    chorus: &Chorus,
    id: &str,
) -> Result<std::sync::Arc<crate::surveys::SurveyEntry>, ServiceError> {
    chorus
        .surveys
        .get(id)
        .ok_or_else(|| ServiceError::NoSuchSurvey(id.to_owned()))
}
