//! The read operations (list, get, workers, archive) and unharden.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use mistral_workflows_gen::enums::LocationType;
use mistral_workflows_gen::types::{
    DeploymentArchiveResponse, DeploymentListResponse, DeploymentWorkerListResponse,
};
use serde_json::{Value, json};

use super::{ApiError, ApiResult, AppState, deployment_name, json_response};
use crate::cursor::{Cursor, CursorError, CursorKind, fnv1a};
use crate::store::{Filters, Order, OrderBy, SortKey};
use crate::validation::{Problems, QueryParams, loc, parse_uuid};

const LOCATION_TYPES: &[&str] = &["local", "k8s", "managed"];
const ORDER_BY: &[&str] = &["updated_at", "created_at"];
const ORDER: &[&str] = &["asc", "desc"];
const WORKER_STATUS: &[&str] = &["active", "inactive"];

/// The page size when `limit` is left out.
pub(crate) const DEFAULT_LIMIT: i64 = 50;

/// The 422 of a cursor that is not one, or not one for this query.
pub(super) fn bad_cursor(error: CursorError, text: &str) -> ApiError {
    let message = match error {
        CursorError::Invalid => "invalid cursor",
        CursorError::Mismatch => {
            "the cursor belongs to another query: send it with the same filters and order"
        }
    };
    let msg = format!("Value error, {message}");
    ApiError::invalid_one(
        "value_error",
        loc!["query", "cursor"],
        msg,
        json!(text),
        json!({ "error": message }),
    )
}

/// A cursor parameter; an empty one counts as none.
pub(super) fn cursor_param(query: &QueryParams) -> Option<String> {
    query.string("cursor").filter(|c| !c.is_empty())
}

/// 1. `GET /v1/workflows/deployments`
pub(crate) async fn list(State(state): State<AppState>, RawQuery(raw): RawQuery) -> ApiResult {
    let query = QueryParams::parse(raw.as_deref());
    let mut problems = Problems::default();
    let filters = Filters {
        active_only: query.bool("active_only", &mut problems).unwrap_or(true),
        is_hardened: query.bool("is_hardened", &mut problems),
        workflow_name: query.string("workflow_name"),
        created_by: query.string("created_by"),
        owner: query.string("owner"),
        location_types: query
            .all_of("location_types", LOCATION_TYPES, &mut problems)
            .into_iter()
            .map(LocationType::from)
            .collect(),
        search: query.string("search"),
        repository_url: query.string("repository_url"),
        dockerfile_path: query.string("dockerfile_path"),
        workspace_id: None,
    };
    let order_by = query.one_of("order_by", ORDER_BY, &mut problems);
    let descending = query.one_of("order", ORDER, &mut problems).is_none_or(|o| o == "desc");
    let limit = query.int("limit", 1, 100, &mut problems).unwrap_or(DEFAULT_LIMIT);
    let workspace_id = query.uuid("workspace_id", &mut problems);
    if !problems.is_empty() {
        return Err(problems.into());
    }
    let filters = Filters { workspace_id, ..filters };
    let by = match order_by.as_deref() {
        Some("updated_at") => OrderBy::UpdatedAt,
        Some("created_at") => OrderBy::CreatedAt,
        _ => OrderBy::Default,
    };
    let order = Order { by, descending };
    let fingerprint = filters.fingerprint(order);
    let after = match cursor_param(&query) {
        None => None,
        Some(text) => {
            let cursor = Cursor::decode(&text, CursorKind::Deployments, fingerprint)
                .map_err(|e| bad_cursor(e, &text))?;
            let key = SortKey::from_bytes(&cursor.position)
                .ok_or_else(|| bad_cursor(CursorError::Invalid, &text))?;
            Some(key)
        }
    };

    let limit = usize::try_from(limit).unwrap_or(1);
    let (page, own_workspace) = state
        .with_store(|store, _| (store.list(&filters, order, after, limit), store.workspace_id));
    let next_cursor = page
        .next
        .map(|key| Cursor::new(CursorKind::Deployments, fingerprint, key.to_bytes()).encode());
    let body = DeploymentListResponse {
        deployments: page.deployments,
        next_cursor,
        workspace_id: workspace_id.unwrap_or(own_workspace),
    };
    Ok(json_response(StatusCode::OK, &body))
}

/// 2. `GET /v1/workflows/deployments/{name}`
///
/// `workflow_name` is accepted and does not change the answer: the mock does not track the
/// serving status of each workflow.
pub(crate) async fn get(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let name = deployment_name(path)?;
    let found = state.with_store(|store, _| store.get(&name).map(|e| e.deployment.clone()));
    let deployment = found.ok_or_else(ApiError::deployment_not_found)?;
    Ok(json_response(StatusCode::OK, &deployment))
}

/// 9. `GET /v1/workflows/deployments/{name}/workers`
pub(crate) async fn workers(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let name = deployment_name(path);
    let query = QueryParams::parse(raw.as_deref());
    let mut problems = Problems::default();
    let status = query.one_of("worker_status", WORKER_STATUS, &mut problems);
    let limit = query.int("limit", 1, 100, &mut problems).unwrap_or(DEFAULT_LIMIT);
    let name = match name {
        Ok(name) if problems.is_empty() => name,
        Ok(_) => return Err(problems.into()),
        Err(ApiError::Invalid(mut name_problems)) => {
            name_problems.extend(problems);
            return Err(name_problems.into());
        }
        Err(other) => return Err(other),
    };
    let active = status.as_deref().map(|s| s == "active");

    let id = state
        .with_store(|store, _| store.id_of(&name))
        .ok_or_else(ApiError::deployment_not_found)?;
    let mut seed = id.as_bytes().to_vec();
    seed.extend_from_slice(status.as_deref().unwrap_or("any").as_bytes());
    let fingerprint = fnv1a(&seed);
    let after = match cursor_param(&query) {
        None => None,
        Some(text) => {
            let cursor = Cursor::decode(&text, CursorKind::Workers, fingerprint)
                .map_err(|e| bad_cursor(e, &text))?;
            let position = worker_position(&cursor.position)
                .ok_or_else(|| bad_cursor(CursorError::Invalid, &text))?;
            Some(position)
        }
    };

    let limit = usize::try_from(limit).unwrap_or(1);
    let page = state
        .with_store(|store, _| store.workers(id, active, after.as_ref(), limit))
        .ok_or_else(ApiError::deployment_not_found)?;
    let next_cursor = page.next.map(|(micros, name)| {
        let mut position = micros.to_be_bytes().to_vec();
        position.extend_from_slice(name.as_bytes());
        Cursor::new(CursorKind::Workers, fingerprint, position).encode()
    });
    let body = DeploymentWorkerListResponse { next_cursor, workers: page.workers };
    Ok(json_response(StatusCode::OK, &body))
}

fn worker_position(bytes: &[u8]) -> Option<(i64, String)> {
    let (micros, name) = bytes.split_at_checked(8)?;
    let micros = i64::from_be_bytes(micros.try_into().ok()?);
    Some((micros, String::from_utf8(name.to_vec()).ok()?))
}

/// 12. `GET /v1/workflows/deployments/{name}/archive`
pub(crate) async fn archive(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
) -> ApiResult {
    let name = deployment_name(path)?;
    let (archive, now) = state
        .with_store(|store, now| {
            let entry = store.get(&name)?;
            Some((entry.deployment.managed.as_ref().map(|m| m.spec.archive_id.clone()), now))
        })
        .ok_or_else(ApiError::deployment_not_found)?;
    let archive_id = match archive {
        None => {
            let message = format!("Deployment '{name}' is self-hosted: it has no archive");
            return Err(ApiError::Status(StatusCode::NOT_FOUND, message));
        }
        Some(None) => {
            let message =
                format!("Deployment '{name}' is built from a repository, not from an archive");
            return Err(ApiError::Status(StatusCode::NOT_FOUND, message));
        }
        Some(Some(archive_id)) => archive_id,
    };
    let expires = now.timestamp() + 3600;
    let signature = fnv1a(format!("{archive_id}|{expires}").as_bytes());
    // The archive ID is the client's text: it goes into the URL percent-encoded.
    let mut url = url::Url::parse("https://storage.mock.invalid/archives").ok();
    if let Some(url) = url.as_mut() {
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.push(&format!("{archive_id}.tar.gz"));
        }
        url.query_pairs_mut()
            .append_pair("expires", &expires.to_string())
            .append_pair("signature", &format!("{signature:016x}"));
    }
    let download_url = url.map(String::from);
    let body = DeploymentArchiveResponse { archive_id, download_url };
    Ok(json_response(StatusCode::OK, &body))
}

/// 13. `POST /v1/workflows/deployments/{deployment_id}/unharden`
pub(crate) async fn unharden(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let loc = loc!["path", "deployment_id"];
    let raw_id = match path {
        Ok(Path(id)) => id,
        Err(rejection) => {
            let msg = format!("Input should be a valid UUID: {}", rejection.body_text());
            return Err(ApiError::invalid_one("uuid_parsing", loc, msg, Value::Null, Value::Null));
        }
    };
    let mut problems = Problems::default();
    let Some(id) = parse_uuid(&raw_id, loc, &mut problems) else {
        return Err(problems.into());
    };
    let query = QueryParams::parse(raw.as_deref());
    let workspace_id = query.string("workspace_id");
    state.with_store(|store, _| store.unharden(id, workspace_id.as_deref()))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}
