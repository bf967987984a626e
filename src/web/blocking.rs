//! Domain work that blocks (password hashing, durable writes) run off the async workers, and the
//! audit-log entry every organiser and researcher action writes — one place for both, used by the
//! workspace and the API.

use super::State;
use crate::app::Chorus;
use actix_web::web;
use std::sync::Arc;

/// Runs blocking domain work (password hashing, durable writes) off the async workers.
pub async fn run<T: Send + 'static>(
    state: &State,
    work: impl FnOnce(&Chorus) -> T + Send + 'static,
) -> Option<T> {
    let chorus = Arc::clone(&state.chorus);
    web::block(move || work(&chorus)).await.ok()
}

/// Appends to the audit log off the async workers; a failure is logged, not shown.
pub async fn audit(
    state: &State,
    account: &str,
    action: &str,
    survey: Option<&str>,
    detail: Option<String>,
) {
    let day = state.clock.today();
    let entry = crate::audit::Entry {
        day,
        account: account.to_owned(),
        action: action.to_owned(),
        survey: survey.map(str::to_owned),
        detail,
    };
    let written = run(state, move |chorus| {
        crate::audit::append(&chorus.store, &entry)
    })
    .await;
    if !matches!(written, Some(Ok(()))) {
        tracing::error!("audit log write failed");
    }
}
