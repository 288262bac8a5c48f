//! Log search (operation 10) and the log stream (operation 11).

use axum::Extension;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mistral_workflows_gen::types::DeploymentLogSearchResponse;
use serde_json::{Value, json};

use super::deployments::{DEFAULT_LIMIT, bad_cursor, cursor_param};
use super::{ApiError, ApiResult, AppState, api_json, deployment_name};
use crate::cursor::{Cursor, CursorError, CursorKind, fnv1a};
use crate::logs::{Kind, LogQuery, StreamFilter, TimeKey};
use crate::stream::{LogStreamBody, StreamPlan, StreamStart};
use crate::validation::{Loc, Problems, QueryParams, loc};

const LOG_TYPES: &[&str] = &["build", "runtime"];
const ORDER: &[&str] = &["asc", "desc"];

/// The name's problems first, then the query's, as FastAPI reports them.
fn merge_problems(name: Result<String, ApiError>, problems: Problems) -> Result<String, ApiError> {
    match name {
        Ok(name) if problems.is_empty() => Ok(name),
        Ok(_) => Err(problems.into()),
        Err(ApiError::Invalid(mut name_problems)) => {
            name_problems.extend(problems);
            Err(name_problems.into())
        }
        Err(other) => Err(other),
    }
}

/// 10. `GET /v1/workflows/deployments/{name}/logs`
///
/// With a cursor, the window, the filters and the order come from the cursor: the ones of the
/// query are still validated, then ignored.
pub(crate) async fn search(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
) -> ApiResult {
    let name = deployment_name(path);
    let query = QueryParams::parse(raw.as_deref());
    let mut problems = Problems::default();
    let kind = query.one_of("log_type", LOG_TYPES, &mut problems).map(|t| match t.as_str() {
        "build" => Kind::Build,
        _ => Kind::Runtime,
    });
    let worker_name = query.string("worker_name");
    let workflow_name = query.string("workflow_name");
    let after = query.datetime("after", &mut problems);
    let before = query.datetime("before", &mut problems);
    let descending = query.one_of("order", ORDER, &mut problems).is_some_and(|o| o == "desc");
    let limit = query.int("limit", 1, 100, &mut problems).unwrap_or(DEFAULT_LIMIT);
    let name = merge_problems(name, problems)?;

    if state.with_store(|store, _| store.get(&name).is_none()) {
        return Err(ApiError::deployment_not_found());
    }
    let fingerprint = fnv1a(name.as_bytes());
    let (search, position) = match cursor_param(&query) {
        None => {
            let search = LogQuery {
                kind,
                worker_name,
                workflow_name,
                after: after.map(|a| a.timestamp_micros()),
                before: before.map(|b| b.timestamp_micros()),
                descending,
            };
            (search, None)
        }
        Some(text) => {
            let cursor = Cursor::decode(&text, CursorKind::Logs, fingerprint)
                .map_err(|e| bad_cursor(e, &text))?;
            let (search, key) = decode_position(&cursor.position)
                .ok_or_else(|| bad_cursor(CursorError::Invalid, &text))?;
            (search, Some(key))
        }
    };

    let limit = usize::try_from(limit).unwrap_or(1);
    let page = state.with_store(|store, _| store.logs.search(&name, &search, position, limit));
    let next_cursor = page
        .next
        .map(|key| Cursor::new(CursorKind::Logs, fingerprint, encode_position(&search, key)));
    let body = DeploymentLogSearchResponse {
        next_cursor: next_cursor.map(|c| c.encode()),
        results: page.records,
    };
    let mut value = api_json(&body).map_err(|e| {
        ApiError::Status(StatusCode::INTERNAL_SERVER_ERROR, format!("cannot encode: {e}"))
    })?;
    // The last page says so with an explicit null, like the other lists.
    if let Value::Object(map) = &mut value {
        map.entry("next_cursor").or_insert(Value::Null);
    }
    Ok(super::json_response(StatusCode::OK, &value))
}

/// The position of a log cursor: the whole query, then the key of the last record served.
/// Later pages send only the cursor, so it has to carry everything.
fn encode_position(q: &LogQuery, last: TimeKey) -> Vec<u8> {
    fn opt_i64(out: &mut Vec<u8>, value: Option<i64>) {
        match value {
            None => out.push(0),
            Some(v) => {
                out.push(1);
                out.extend_from_slice(&v.to_be_bytes());
            }
        }
    }
    fn opt_str(out: &mut Vec<u8>, value: Option<&str>) {
        match value {
            None => out.push(0),
            Some(text) => {
                out.push(1);
                let len = u32::try_from(text.len()).unwrap_or(u32::MAX);
                out.extend_from_slice(&len.to_be_bytes());
                out.extend_from_slice(&text.as_bytes()[..len as usize]);
            }
        }
    }
    let mut out = Vec::with_capacity(64);
    out.push(u8::from(q.descending));
    out.push(match q.kind {
        None => 0,
        Some(Kind::Build) => 1,
        Some(Kind::Runtime) => 2,
    });
    opt_i64(&mut out, q.after);
    opt_i64(&mut out, q.before);
    opt_str(&mut out, q.worker_name.as_deref());
    opt_str(&mut out, q.workflow_name.as_deref());
    out.extend_from_slice(&last.0.to_be_bytes());
    out.extend_from_slice(&last.1.to_be_bytes());
    out
}

/// Reads what [`encode_position`] wrote; `None` for anything else.
fn decode_position(bytes: &[u8]) -> Option<(LogQuery, TimeKey)> {
    struct Reader<'a>(&'a [u8]);
    impl<'a> Reader<'a> {
        fn take(&mut self, n: usize) -> Option<&'a [u8]> {
            let (head, rest) = self.0.split_at_checked(n)?;
            self.0 = rest;
            Some(head)
        }
        fn byte(&mut self) -> Option<u8> {
            self.take(1).map(|b| b[0])
        }
        fn i64(&mut self) -> Option<i64> {
            Some(i64::from_be_bytes(self.take(8)?.try_into().ok()?))
        }
        fn u64(&mut self) -> Option<u64> {
            Some(u64::from_be_bytes(self.take(8)?.try_into().ok()?))
        }
        fn opt_i64(&mut self) -> Option<Option<i64>> {
            match self.byte()? {
                0 => Some(None),
                1 => Some(Some(self.i64()?)),
                _ => None,
            }
        }
        fn opt_str(&mut self) -> Option<Option<String>> {
            match self.byte()? {
                0 => Some(None),
                1 => {
                    let len = u32::from_be_bytes(self.take(4)?.try_into().ok()?);
                    let text = self.take(usize::try_from(len).ok()?)?;
                    Some(Some(String::from_utf8(text.to_vec()).ok()?))
                }
                _ => None,
            }
        }
    }
    let mut r = Reader(bytes);
    let descending = match r.byte()? {
        0 => false,
        1 => true,
        _ => return None,
    };
    let kind = match r.byte()? {
        0 => None,
        1 => Some(Kind::Build),
        2 => Some(Kind::Runtime),
        _ => return None,
    };
    let query = LogQuery {
        after: r.opt_i64()?,
        before: r.opt_i64()?,
        worker_name: r.opt_str()?,
        workflow_name: r.opt_str()?,
        kind,
        descending,
    };
    let key = (r.i64()?, r.u64()?);
    r.0.is_empty().then_some((query, key))
}

/// An event id sent back by a client: the sequence number of a record.
fn event_id(raw: &str, loc: Vec<Loc>, problems: &mut Problems) -> Option<u64> {
    let parsed = raw.trim().parse::<u64>().ok();
    if parsed.is_none() {
        let message = "the event id is not one this server sent: ids are decimal numbers";
        problems.value_error(loc, message, json!(raw));
    }
    parsed
}

/// 11. `GET /v1/workflows/deployments/{name}/logs/stream`
///
/// Starts after the event id of the `Last-Event-ID` header, else of the `last_event_id` query
/// parameter, else after the instant `after`, else from the first record. An empty id counts
/// as none. An id that is a number starts after it, whether or not such a record is stored;
/// any other id is a 422 on the header or the parameter it came in.
pub(crate) async fn stream(
    State(state): State<AppState>,
    path: Result<Path<String>, PathRejection>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    plan: Option<Extension<StreamPlan>>,
) -> ApiResult {
    let name = deployment_name(path);
    let query = QueryParams::parse(raw.as_deref());
    let mut problems = Problems::default();
    let worker_name = query.string("worker_name");
    let workflow_name = query.string("workflow_name");
    let after = query.datetime("after", &mut problems);
    let header_id = headers
        .get("last-event-id")
        .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
        .filter(|id| !id.trim().is_empty());
    let position = match header_id {
        Some(id) => event_id(&id, loc!["header", "last-event-id"], &mut problems),
        None => match query.string("last_event_id").filter(|id| !id.trim().is_empty()) {
            Some(id) => event_id(&id, loc!["query", "last_event_id"], &mut problems),
            None => None,
        },
    };
    let name = merge_problems(name, problems)?;

    let changes = state
        .with_store(|store, _| store.get(&name).is_some().then(|| store.logs.subscribe(&name)))
        .ok_or_else(ApiError::deployment_not_found)?;
    let filter = StreamFilter {
        worker_name,
        workflow_name,
        // An event id overrides `after`.
        after: if position.is_some() { None } else { after.map(|a| a.timestamp_micros()) },
    };
    let start = StreamStart {
        name,
        filter,
        position: position.unwrap_or(0),
        changes,
        plan: plan.map(|Extension(plan)| plan),
    };
    let body = LogStreamBody::open(state.clone(), start).into_body();
    let mut response = (StatusCode::OK, body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    Ok::<Response, ApiError>(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_round_trip_and_refuse_garbage() {
        let query = LogQuery {
            kind: Some(Kind::Build),
            worker_name: Some("w-é".into()),
            workflow_name: None,
            after: Some(-5),
            before: Some(i64::MAX),
            descending: true,
        };
        let bytes = encode_position(&query, (42, 7));
        assert_eq!(decode_position(&bytes), Some((query, (42, 7))));
        for cut in 0..bytes.len() {
            assert_eq!(decode_position(&bytes[..cut]), None, "{cut}");
        }
        let mut longer = bytes.clone();
        longer.push(0);
        assert_eq!(decode_position(&longer), None);
        let mut bad_flag = bytes;
        bad_flag[0] = 9;
        assert_eq!(decode_position(&bad_flag), None);
        assert_eq!(decode_position(&[0, 0, 0, 0, 1, 255, 255, 255, 255]), None);
    }
}
