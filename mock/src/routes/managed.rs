//! The lifecycle operations of managed deployments: create, update, delete, stop, start and
//! restart. Each answers `202 Accepted` with the managed state as it is now; the phases go
//! on after the answer, on the mock clock (see `lifecycle.rs`).
//!
//! A self-hosted deployment answers 409: it exists, but only managed deployments have a
//! lifecycle the API controls.

use axum::body::Bytes;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use mistral_workflows_gen::types::ManagedDeploymentResponse;

use super::{ApiResult, AppState, bodies, deployment_name, json_response};
use crate::lifecycle::LifecycleError;
use crate::store::Store;

type Operation =
    fn(&mut Store, &str, DateTime<Utc>) -> Result<ManagedDeploymentResponse, LifecycleError>;

fn accepted(managed: &ManagedDeploymentResponse) -> ApiResult {
    Ok(json_response(StatusCode::ACCEPTED, managed))
}

async fn by_name(
    state: AppState,
    path: Result<Path<String>, PathRejection>,
    operation: Operation,
) -> ApiResult {
    let name = deployment_name(path)?;
    let managed = state.with_store(|store, now| operation(store, &name, now))?;
    accepted(&managed)
}

/// 3. `POST /v1/workflows/deployments`
pub(crate) async fn create(State(state): State<AppState>, body: Bytes) -> ApiResult {
    let request = bodies::create(&body)?;
    let managed = state.with_store(|store, now| store.create(request, now))?;
    accepted(&managed)
}

/// 4. `PATCH /v1/workflows/deployments/{name}`
pub(crate) async fn update(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    body: Bytes,
) -> ApiResult {
    let name = deployment_name(path)?;
    let request = bodies::update(&body)?;
    let managed = state.with_store(|store, now| store.update(&name, request, now))?;
    accepted(&managed)
}

/// 5. `DELETE /v1/workflows/deployments/{name}`
pub(crate) async fn delete(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    by_name(state, path, Store::delete).await
}

/// 6. `POST /v1/workflows/deployments/{name}/stop`
pub(crate) async fn stop(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    by_name(state, path, Store::stop).await
}

/// 7. `POST /v1/workflows/deployments/{name}/start`
pub(crate) async fn start(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    by_name(state, path, Store::start).await
}

/// 8. `POST /v1/workflows/deployments/{name}/restart`
pub(crate) async fn restart(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    by_name(state, path, Store::restart).await
}
