//! The HTTP surface: the axum router, its handlers and the shapes of error answers.

mod bodies;
mod deployments;
mod logs;
mod managed;

use std::sync::Arc;

use axum::Router;
use axum::extract::rejection::PathRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use mistral_workflows_gen::types::HttpValidationError;
use serde::Serialize;
use serde_json::{Value, json};

use crate::clock::format_rfc3339;
use crate::lifecycle::LifecycleError;
use crate::state::Shared;
use crate::validation::{Loc, Problems, check_name, loc};

pub(crate) type AppState = Arc<Shared>;

/// The prefix of every path of the API.
pub(crate) const PREFIX: &str = "/v1/workflows/deployments";

/// The router of the API. Authentication and request recording happen before it, in the
/// server's service (see `server.rs`), so that rejected requests are recorded too.
pub(crate) fn router(state: AppState) -> Router {
    let p = |rest: &str| format!("{PREFIX}{rest}");
    Router::new()
        .route(&p(""), get(deployments::list).post(managed::create))
        .route(&p("/{name}"), get(deployments::get).patch(managed::update).delete(managed::delete))
        .route(&p("/{name}/stop"), post(managed::stop))
        .route(&p("/{name}/start"), post(managed::start))
        .route(&p("/{name}/restart"), post(managed::restart))
        .route(&p("/{name}/workers"), get(deployments::workers))
        .route(&p("/{name}/archive"), get(deployments::archive))
        // The same position as `{name}` must have the same capture name; it is the ID here.
        .route(&p("/{name}/unharden"), post(deployments::unharden))
        .route(&p("/{name}/logs"), get(logs::search))
        .route(&p("/{name}/logs/stream"), get(logs::stream))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .with_state(state)
}

async fn not_found() -> Response {
    detail(StatusCode::NOT_FOUND, "Not Found")
}

async fn method_not_allowed() -> Response {
    detail(StatusCode::METHOD_NOT_ALLOWED, "Method Not Allowed")
}

/// The answer `{"detail": message}`, the shape FastAPI gives to every error but 422.
pub(crate) fn detail(status: StatusCode, message: &str) -> Response {
    json_response(status, &json!({ "detail": message }))
}

/// The date-time fields of the API's schemas.
const TIME_FIELDS: &[&str] = &[
    "created_at",
    "updated_at",
    "last_heartbeat",
    "deployed_at",
    "last_seen",
    "started_at",
    "finished_at",
    "timestamp",
];

/// Rewrites every date-time field with six fraction digits: chrono's serializer drops
/// trailing zeros (`…:07Z`, `…:07.500Z`), the API always sends microseconds.
fn normalize_times(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                match item {
                    Value::String(text) if TIME_FIELDS.contains(&key.as_str()) => {
                        if let Ok(at) = DateTime::parse_from_rfc3339(text) {
                            *text = format_rfc3339(at.with_timezone(&Utc));
                        }
                    }
                    _ if key == "log_attributes" => {}
                    _ => normalize_times(item),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_times),
        _ => {}
    }
}

/// `body` as JSON on one line, with the API's rendering of timestamps.
pub(crate) fn api_json(body: &impl Serialize) -> Result<Value, serde_json::Error> {
    let mut value = serde_json::to_value(body)?;
    normalize_times(&mut value);
    Ok(value)
}

/// A JSON answer, with the API's rendering of timestamps.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    let value = match api_json(body) {
        Ok(value) => value,
        Err(error) => {
            let message = format!("the mock could not encode its answer: {error}");
            return (StatusCode::INTERNAL_SERVER_ERROR, message).into_response();
        }
    };
    let bytes = serde_json::to_vec(&value).unwrap_or_default();
    (status, [(axum::http::header::CONTENT_TYPE, "application/json")], bytes).into_response()
}

/// An error answer.
#[derive(Debug)]
pub(crate) enum ApiError {
    /// 422 with an `HTTPValidationError`.
    Invalid(Problems),
    /// Another status with `{"detail": message}`.
    Status(StatusCode, String),
}

impl ApiError {
    pub(crate) fn invalid_one(
        kind: &str,
        loc: Vec<Loc>,
        msg: String,
        input: Value,
        ctx: Value,
    ) -> Self {
        let mut problems = Problems::default();
        problems.push(kind, loc, msg, input, ctx);
        ApiError::Invalid(problems)
    }

    pub(crate) fn deployment_not_found() -> Self {
        ApiError::Status(StatusCode::NOT_FOUND, "Deployment not found".to_owned())
    }
}

impl From<Problems> for ApiError {
    fn from(problems: Problems) -> Self {
        ApiError::Invalid(problems)
    }
}

impl From<LifecycleError> for ApiError {
    fn from(error: LifecycleError) -> Self {
        let (status, message) = match error {
            LifecycleError::NotFound => return ApiError::deployment_not_found(),
            LifecycleError::Exists(name) => {
                (StatusCode::CONFLICT, format!("Deployment '{name}' already exists"))
            }
            LifecycleError::SelfHosted(name) => (
                StatusCode::CONFLICT,
                format!(
                    "Deployment '{name}' is self-hosted: only managed deployments can be \
                     changed through the API"
                ),
            ),
            LifecycleError::NotHardened => {
                (StatusCode::CONFLICT, "Deployment is not hardened".to_owned())
            }
            LifecycleError::OtherWorkspace => {
                (StatusCode::FORBIDDEN, "Deployment belongs to another workspace".to_owned())
            }
        };
        ApiError::Status(status, message)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match self {
            ApiError::Invalid(problems) => {
                let body = HttpValidationError { detail: problems.into_vec() };
                json_response(StatusCode::UNPROCESSABLE_ENTITY, &body)
            }
            ApiError::Status(status, message) => detail(status, &message),
        }
    }
}

pub(crate) type ApiResult = Result<Response, ApiError>;

/// The `{name}` segment, percent-decoded and checked against the rule for names.
pub(crate) fn deployment_name(
    path: Result<axum::extract::Path<String>, PathRejection>,
) -> Result<String, ApiError> {
    let loc = loc!["path", "name"];
    let name = match path {
        Ok(axum::extract::Path(name)) => name,
        Err(rejection) => {
            // Only a segment that does not decode to UTF-8 gets here.
            let msg = format!("Input should be a valid string: {}", rejection.body_text());
            return Err(ApiError::invalid_one(
                "string_unicode",
                loc,
                msg,
                Value::Null,
                Value::Null,
            ));
        }
    };
    let mut problems = Problems::default();
    if check_name(&name, loc, &mut problems) { Ok(name) } else { Err(problems.into()) }
}

#[cfg(test)]
mod tests;
