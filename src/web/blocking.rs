//! Services block (password hashing, durable writes): they run off the async workers, here.

use super::State;
use crate::installation::Chorus;
use crate::services::ServiceError;
use actix_web::web;
use std::sync::Arc;

/// Runs blocking work off the async workers; `None` if it could not run to its end.
pub async fn run<T: Send + 'static>(
    state: &State,
    work: impl FnOnce(&Chorus) -> T + Send + 'static,
) -> Option<T> {
    let chorus = Arc::clone(&state.chorus);
    web::block(move || work(&chorus)).await.ok()
}

/// Runs a service call off the async workers.
pub async fn act<T: Send + 'static>(
    state: &State,
    work: impl FnOnce(&Chorus) -> Result<T, ServiceError> + Send + 'static,
) -> Result<T, ServiceError> {
    run(state, work)
        .await
        .unwrap_or(Err(ServiceError::Interrupted))
}
