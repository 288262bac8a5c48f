//! Request validation with FastAPI-shaped answers.
//!
//! The real API is a FastAPI service: a bad parameter or body answers 422 with an
//! `HTTPValidationError`, one entry per problem, each with `type`, `loc`, `msg`, `input` and
//! sometimes `ctx`, worded like pydantic 2. The helpers here collect those entries so that a
//! request with several problems reports all of them, in the order of the parameters.

use chrono::{DateTime, Utc};
use mistral_workflows_gen::types::{ValidationError, ValidationErrorLocItem};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// One step of a `loc`: a key or an array index.
#[derive(Clone, Debug)]
pub(crate) enum Loc {
    Key(String),
    Index(usize),
}

impl From<&str> for Loc {
    fn from(key: &str) -> Self {
        Loc::Key(key.to_owned())
    }
}

impl From<usize> for Loc {
    fn from(index: usize) -> Self {
        Loc::Index(index)
    }
}

/// Builds a `loc` from keys and indexes: `loc!["query", "limit"]`.
macro_rules! loc {
    ($($part:expr),* $(,)?) => {
        vec![$($crate::validation::Loc::from($part)),*]
    };
}
pub(crate) use loc;

/// The problems found in one request.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<ValidationError>);

impl Problems {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn into_vec(self) -> Vec<ValidationError> {
        self.0
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    /// Appends the problems of another part of the request.
    pub(crate) fn extend(&mut self, other: Problems) {
        self.0.extend(other.0);
    }

    /// Records one problem; `ctx` is a JSON object or null.
    pub(crate) fn push(
        &mut self,
        kind: &str,
        loc: Vec<Loc>,
        msg: String,
        input: Value,
        ctx: Value,
    ) {
        let loc = loc
            .into_iter()
            .map(|part| match part {
                Loc::Key(key) => ValidationErrorLocItem::String(key),
                Loc::Index(index) => {
                    ValidationErrorLocItem::Integer(i64::try_from(index).unwrap_or(i64::MAX))
                }
            })
            .collect();
        let ctx = match ctx {
            Value::Object(map) => map,
            _ => Map::new(),
        };
        self.0.push(ValidationError { ctx, input: Some(input), loc, msg, type_: kind.to_owned() });
    }

    pub(crate) fn missing(&mut self, loc: Vec<Loc>, input: &Value) {
        self.push("missing", loc, "Field required".to_owned(), input.clone(), Value::Null);
    }

    pub(crate) fn value_error(&mut self, loc: Vec<Loc>, message: &str, input: Value) {
        let msg = format!("Value error, {message}");
        self.push("value_error", loc, msg, input, json!({ "error": message }));
    }
}

/// The query string, decoded, with repeated keys kept in order.
#[derive(Debug, Default)]
pub(crate) struct QueryParams(Vec<(String, String)>);

impl QueryParams {
    pub(crate) fn parse(raw: Option<&str>) -> Self {
        let raw = raw.unwrap_or_default();
        Self(url::form_urlencoded::parse(raw.as_bytes()).into_owned().collect())
    }

    /// The last value of `key`, as Starlette reads a scalar parameter.
    pub(crate) fn last(&self, key: &str) -> Option<&str> {
        self.0.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// Every value of `key`, in order: an array parameter sent as repeated keys.
    pub(crate) fn all(&self, key: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, _)| k == key).map(|(_, v)| v.as_str()).collect()
    }

    pub(crate) fn string(&self, key: &str) -> Option<String> {
        self.last(key).map(str::to_owned)
    }

    pub(crate) fn bool(&self, key: &str, problems: &mut Problems) -> Option<bool> {
        let raw = self.last(key)?;
        let parsed = parse_bool(raw);
        if parsed.is_none() {
            problems.push(
                "bool_parsing",
                loc!["query", key],
                "Input should be a valid boolean, unable to interpret input".to_owned(),
                json!(raw),
                Value::Null,
            );
        }
        parsed
    }

    /// An integer within `min..=max`.
    pub(crate) fn int(
        &self,
        key: &str,
        min: i64,
        max: i64,
        problems: &mut Problems,
    ) -> Option<i64> {
        let raw = self.last(key)?;
        let Ok(value) = raw.trim().parse::<i64>() else {
            problems.push(
                "int_parsing",
                loc!["query", key],
                "Input should be a valid integer, unable to parse string as an integer".to_owned(),
                json!(raw),
                Value::Null,
            );
            return None;
        };
        check_range(value, min, max, loc!["query", key], json!(raw), problems)
    }

    /// One of `allowed`.
    pub(crate) fn one_of(
        &self,
        key: &str,
        allowed: &[&str],
        problems: &mut Problems,
    ) -> Option<String> {
        let raw = self.last(key)?;
        check_enum(raw, allowed, loc!["query", key], problems)
    }

    /// Every value of an array parameter, each one of `allowed`.
    pub(crate) fn all_of(
        &self,
        key: &str,
        allowed: &[&str],
        problems: &mut Problems,
    ) -> Vec<String> {
        self.all(key)
            .into_iter()
            .enumerate()
            .filter_map(|(i, raw)| check_enum(raw, allowed, loc!["query", key, i], problems))
            .collect()
    }

    pub(crate) fn uuid(&self, key: &str, problems: &mut Problems) -> Option<Uuid> {
        let raw = self.last(key)?;
        parse_uuid(raw, loc!["query", key], problems)
    }

    /// A date-time: RFC 3339, or without an offset (read as UTC) like pydantic.
    pub(crate) fn datetime(&self, key: &str, problems: &mut Problems) -> Option<DateTime<Utc>> {
        let raw = self.last(key)?;
        let parsed = parse_datetime(raw);
        if parsed.is_none() {
            let error = "expected an RFC 3339 date-time such as 2025-12-17T10:25:07.818693Z";
            problems.push(
                "datetime_parsing",
                loc!["query", key],
                format!("Input should be a valid datetime, {error}"),
                json!(raw),
                json!({ "error": error }),
            );
        }
        parsed
    }
}

/// Reads an RFC 3339 date-time. An offset whose `+` arrived as a space (a query string
/// written by hand, where `+` means a space) is read as `+`; no offset at all means UTC.
pub(crate) fn parse_datetime(raw: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    let utc = |at: DateTime<chrono::FixedOffset>| at.with_timezone(&Utc);
    if let Ok(at) = DateTime::parse_from_rfc3339(raw) {
        return Some(utc(at));
    }
    if let Some((head, offset)) = raw.rsplit_once(' ')
        && head.contains(['T', 't'])
        && let Ok(at) = DateTime::parse_from_rfc3339(&format!("{head}+{offset}"))
    {
        return Some(utc(at));
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|format| chrono::NaiveDateTime::parse_from_str(raw, format).ok())
        .map(|naive| naive.and_utc())
}

/// pydantic's lax booleans.
pub(crate) fn parse_bool(raw: &str) -> Option<bool> {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" | "on" | "t" => Some(true),
        "false" | "0" | "no" | "n" | "off" | "f" => Some(false),
        _ => None,
    }
}

pub(crate) fn check_range(
    value: i64,
    min: i64,
    max: i64,
    loc: Vec<Loc>,
    input: Value,
    problems: &mut Problems,
) -> Option<i64> {
    if value < min {
        let msg = format!("Input should be greater than or equal to {min}");
        problems.push("greater_than_equal", loc, msg, input, json!({ "ge": min }));
        None
    } else if value > max {
        let msg = format!("Input should be less than or equal to {max}");
        problems.push("less_than_equal", loc, msg, input, json!({ "le": max }));
        None
    } else {
        Some(value)
    }
}

/// `'a'`, `'a' or 'b'`, `'a', 'b' or 'c'`: how pydantic lists the values of an enum.
pub(crate) fn expected_values(allowed: &[&str]) -> String {
    let quoted: Vec<String> = allowed.iter().map(|v| format!("'{v}'")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

pub(crate) fn check_enum(
    raw: &str,
    allowed: &[&str],
    loc: Vec<Loc>,
    problems: &mut Problems,
) -> Option<String> {
    if allowed.contains(&raw) {
        return Some(raw.to_owned());
    }
    let expected = expected_values(allowed);
    let msg = format!("Input should be {expected}");
    problems.push("enum", loc, msg, json!(raw), json!({ "expected": expected }));
    None
}

pub(crate) fn parse_uuid(raw: &str, loc: Vec<Loc>, problems: &mut Problems) -> Option<Uuid> {
    match Uuid::parse_str(raw.trim()) {
        Ok(id) => Some(id),
        Err(error) => {
            let msg = format!("Input should be a valid UUID, {error}");
            let ctx = json!({ "error": error.to_string() });
            problems.push("uuid_parsing", loc, msg, json!(raw), ctx);
            None
        }
    }
}

/// The rule for deployment names: letters, digits, `-`, `_` and `.`, 1 to 128 characters,
/// and never `.` or `..` (those are not path segments a client can send).
pub(crate) fn check_name(name: &str, loc: Vec<Loc>, problems: &mut Problems) -> bool {
    const PATTERN: &str = "^[A-Za-z0-9._-]+$";
    let count = name.chars().count();
    if count == 0 {
        let msg = "String should have at least 1 character".to_owned();
        problems.push("string_too_short", loc, msg, json!(name), json!({ "min_length": 1 }));
        false
    } else if count > 128 {
        let msg = "String should have at most 128 characters".to_owned();
        problems.push("string_too_long", loc, msg, json!(name), json!({ "max_length": 128 }));
        false
    } else if !name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')) {
        let msg = format!("String should match pattern '{PATTERN}'");
        problems.push(
            "string_pattern_mismatch",
            loc,
            msg,
            json!(name),
            json!({ "pattern": PATTERN }),
        );
        false
    } else if name == "." || name == ".." {
        problems.value_error(loc, "a deployment name cannot be '.' or '..'", json!(name));
        false
    } else {
        true
    }
}

/// Reads JSON body fields with pydantic's messages.
pub(crate) mod body {
    use super::{Loc, Problems, check_range, parse_bool};
    use serde_json::{Value, json};

    fn at(base: &[Loc], key: &str) -> Vec<Loc> {
        let mut loc = base.to_vec();
        loc.push(Loc::from(key));
        loc
    }

    /// An optional string field: absent and null are both `None`.
    pub(crate) fn opt_string(
        object: &serde_json::Map<String, Value>,
        base: &[Loc],
        key: &str,
        problems: &mut Problems,
    ) -> Option<String> {
        match object.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                let msg = "Input should be a valid string".to_owned();
                problems.push("string_type", at(base, key), msg, other.clone(), Value::Null);
                None
            }
        }
    }

    /// An optional object field: absent and null are both `None`.
    pub(crate) fn opt_object<'a>(
        object: &'a serde_json::Map<String, Value>,
        base: &[Loc],
        key: &str,
        problems: &mut Problems,
    ) -> Option<&'a serde_json::Map<String, Value>> {
        match object.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Object(map)) => Some(map),
            Some(other) => {
                model_type(at(base, key), other, problems);
                None
            }
        }
    }

    pub(crate) fn model_type(loc: Vec<Loc>, input: &Value, problems: &mut Problems) {
        let msg = "Input should be a valid dictionary or object to extract fields from";
        problems.push("model_attributes_type", loc, msg.to_owned(), input.clone(), Value::Null);
    }

    /// An optional array field: absent and null are both `None`.
    pub(crate) fn opt_array<'a>(
        object: &'a serde_json::Map<String, Value>,
        base: &[Loc],
        key: &str,
        problems: &mut Problems,
    ) -> Option<&'a Vec<Value>> {
        match object.get(key) {
            None | Some(Value::Null) => None,
            Some(Value::Array(items)) => Some(items),
            Some(other) => {
                let msg = "Input should be a valid list".to_owned();
                problems.push("list_type", at(base, key), msg, other.clone(), Value::Null);
                None
            }
        }
    }

    /// An optional boolean field, lax like pydantic (`0`, `1`, `"true"`, ...).
    pub(crate) fn opt_bool(
        object: &serde_json::Map<String, Value>,
        base: &[Loc],
        key: &str,
        problems: &mut Problems,
    ) -> Option<bool> {
        let value = object.get(key)?;
        let parsed = match value {
            Value::Null => return None,
            Value::Bool(b) => Some(*b),
            Value::Number(n) if n.as_i64() == Some(0) => Some(false),
            Value::Number(n) if n.as_i64() == Some(1) => Some(true),
            Value::String(s) => parse_bool(s),
            _ => None,
        };
        if parsed.is_none() {
            let (kind, msg) = match value {
                Value::String(_) | Value::Number(_) => {
                    ("bool_parsing", "Input should be a valid boolean, unable to interpret input")
                }
                _ => ("bool_type", "Input should be a valid boolean"),
            };
            problems.push(kind, at(base, key), msg.to_owned(), value.clone(), Value::Null);
        }
        parsed
    }

    /// An optional integer field within `min..=max` (integral floats accepted, as pydantic
    /// does in lax mode).
    pub(crate) fn opt_int(
        object: &serde_json::Map<String, Value>,
        base: &[Loc],
        key: &str,
        min: i64,
        max: i64,
        problems: &mut Problems,
    ) -> Option<i64> {
        let value = object.get(key)?;
        let parsed = match value {
            Value::Null => return None,
            Value::Number(n) => n.as_i64().or_else(|| {
                n.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 9e15).map(|f| f as i64)
            }),
            _ => None,
        };
        let Some(parsed) = parsed else {
            let msg = "Input should be a valid integer".to_owned();
            problems.push("int_type", at(base, key), msg, value.clone(), Value::Null);
            return None;
        };
        check_range(parsed, min, max, at(base, key), json!(value), problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(problems: Problems) -> Value {
        serde_json::to_value(problems.into_vec()).unwrap()
    }

    #[test]
    fn limit_above_the_maximum() {
        let query = QueryParams::parse(Some("limit=101"));
        let mut problems = Problems::default();
        assert_eq!(query.int("limit", 1, 100, &mut problems), None);
        assert_eq!(
            errors(problems),
            json!([{
                "type": "less_than_equal",
                "loc": ["query", "limit"],
                "msg": "Input should be less than or equal to 100",
                "input": "101",
                "ctx": { "le": 100 }
            }])
        );
    }

    #[test]
    fn several_problems_in_order() {
        let raw =
            "limit=0&order=sideways&active_only=maybe&location_types=local&location_types=moon";
        let query = QueryParams::parse(Some(raw));
        let mut problems = Problems::default();
        query.bool("active_only", &mut problems);
        query.all_of("location_types", &["local", "k8s", "managed"], &mut problems);
        query.one_of("order", &["asc", "desc"], &mut problems);
        query.int("limit", 1, 100, &mut problems);
        query.uuid("workspace_id", &mut problems);
        let value = errors(problems);
        let kinds: Vec<&str> =
            value.as_array().unwrap().iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["bool_parsing", "enum", "enum", "greater_than_equal"]);
        assert_eq!(value[1]["loc"], json!(["query", "location_types", 1]));
        assert_eq!(value[1]["ctx"], json!({ "expected": "'local', 'k8s' or 'managed'" }));
        assert_eq!(value[2]["msg"], "Input should be 'asc' or 'desc'");
    }

    #[test]
    fn uuid_parsing() {
        let query = QueryParams::parse(Some("workspace_id=nope"));
        let mut problems = Problems::default();
        assert_eq!(query.uuid("workspace_id", &mut problems), None);
        let value = errors(problems);
        assert_eq!(value[0]["type"], "uuid_parsing");
        assert_eq!(value[0]["loc"], json!(["query", "workspace_id"]));
    }

    #[test]
    fn repeated_scalars_take_the_last_value_and_decode() {
        let query = QueryParams::parse(Some("search=a&search=b%20c+d&x=%ZZ"));
        assert_eq!(query.last("search"), Some("b c d"));
        assert_eq!(query.all("search"), ["a", "b c d"]);
        assert_eq!(query.last("x"), Some("%ZZ"));
    }

    #[test]
    fn datetimes() {
        let at = |raw| parse_datetime(raw).map(|d| d.to_rfc3339());
        assert_eq!(at("2025-12-17T10:25:07.818693Z").unwrap(), "2025-12-17T10:25:07.818693+00:00");
        assert_eq!(at("2025-12-17T11:25:07 01:00").unwrap(), "2025-12-17T10:25:07+00:00");
        assert_eq!(at("2025-12-17T10:25:07").unwrap(), "2025-12-17T10:25:07+00:00");
        for bad in ["", "nope", "2025-13-01T00:00:00Z", "1734430000"] {
            assert_eq!(at(bad), None, "{bad}");
        }
        let query = QueryParams::parse(Some("after=yesterday"));
        let mut problems = Problems::default();
        assert_eq!(query.datetime("after", &mut problems), None);
        let value = errors(problems);
        assert_eq!(value[0]["type"], "datetime_parsing");
        assert_eq!(value[0]["loc"], json!(["query", "after"]));
    }

    #[test]
    fn names() {
        let mut problems = Problems::default();
        assert!(check_name("my-app_1.2", loc!["path", "name"], &mut problems));
        assert!(!check_name("", loc!["path", "name"], &mut problems));
        assert!(!check_name(&"a".repeat(129), loc!["path", "name"], &mut problems));
        assert!(check_name(&"a".repeat(128), loc!["path", "name"], &mut problems));
        assert!(!check_name("a/b", loc!["path", "name"], &mut problems));
        assert!(!check_name("é", loc!["path", "name"], &mut problems));
        assert!(!check_name("..", loc!["path", "name"], &mut problems));
        let kinds: Vec<String> = problems.into_vec().into_iter().map(|e| e.type_).collect();
        assert_eq!(
            kinds,
            [
                "string_too_short",
                "string_too_long",
                "string_pattern_mismatch",
                "string_pattern_mismatch",
                "value_error"
            ]
        );
    }
}
