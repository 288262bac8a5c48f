//! Validation of the request bodies of create and update.
//!
//! Bodies are read leniently, like the real API: unknown fields are ignored. Each field is
//! checked by hand first, so that every problem is reported with pydantic's wording and a
//! precise `loc`; only a body that passed is then decoded into the generated request type.

use mistral_workflows_gen::types::{CreateDeploymentRequest, UpdateDeploymentRequest};
use serde_json::{Map, Value, json};

use crate::validation::body::{model_type, opt_array, opt_bool, opt_int, opt_object, opt_string};
use crate::validation::{Loc, Problems, check_enum, check_name, loc};

const BACKEND_TYPES: &[&str] = &["mistral_cloud", "koyeb"];
const SECRET_PREFIX: &str = "secret:workspace:";
const SECRET_PATTERN: &str = "^secret:workspace:[^:]+$";

fn at(base: &[Loc], key: impl Into<Loc>) -> Vec<Loc> {
    let mut loc = base.to_vec();
    loc.push(key.into());
    loc
}

/// Parses the body as JSON: a body that is not JSON at all is a `json_invalid` problem.
fn parse(bytes: &[u8]) -> Result<Value, Problems> {
    let mut problems = Problems::default();
    if bytes.iter().all(u8::is_ascii_whitespace) {
        problems.missing(loc!["body"], &Value::Null);
        return Err(problems);
    }
    serde_json::from_slice(bytes).map_err(|error| {
        let position = error.column().saturating_sub(1);
        let message = error.to_string();
        problems.push(
            "json_invalid",
            loc!["body", position],
            "JSON decode error".to_owned(),
            json!({}),
            json!({ "error": message }),
        );
        problems
    })
}

/// Decodes a validated body into its generated type. The checks above should have caught
/// everything the type refuses; if not, the decoder's message is still a 422, never a panic.
fn decode<T: serde::de::DeserializeOwned>(value: Value) -> Result<T, Problems> {
    serde_json::from_value(value.clone()).map_err(|error| {
        let mut problems = Problems::default();
        problems.value_error(loc!["body"], &error.to_string(), value);
        problems
    })
}

/// The body of `POST /v1/workflows/deployments`.
pub(crate) fn create(bytes: &[u8]) -> Result<CreateDeploymentRequest, Problems> {
    let mut value = parse(bytes)?;
    let mut problems = Problems::default();
    let Value::Object(root) = &mut value else {
        model_type(loc!["body"], &value, &mut problems);
        return Err(problems);
    };
    let root_value = Value::Object(root.clone());
    match root.get("name") {
        None => problems.missing(loc!["body", "name"], &root_value),
        Some(Value::String(name)) => {
            check_name(name, loc!["body", "name"], &mut problems);
        }
        Some(other) => {
            let msg = "Input should be a valid string".to_owned();
            problems.push("string_type", loc!["body", "name"], msg, other.clone(), Value::Null);
        }
    }
    match root.get_mut("spec") {
        None => problems.missing(loc!["body", "spec"], &root_value),
        Some(Value::Object(spec)) => {
            spec_input(spec, &loc!["body", "spec"][..], true, &mut problems)
        }
        Some(other) => model_type(loc!["body", "spec"], other, &mut problems),
    }
    resources(root, &mut problems);
    opt_bool(root, &[Loc::from("body")], "hardened", &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    decode(value)
}

/// The body of `PATCH /v1/workflows/deployments/{name}`.
pub(crate) fn update(bytes: &[u8]) -> Result<UpdateDeploymentRequest, Problems> {
    let mut value = parse(bytes)?;
    let mut problems = Problems::default();
    let Value::Object(root) = &mut value else {
        model_type(loc!["body"], &value, &mut problems);
        return Err(problems);
    };
    match root.get_mut("spec") {
        None | Some(Value::Null) => {}
        Some(Value::Object(spec)) => {
            spec_input(spec, &loc!["body", "spec"][..], false, &mut problems)
        }
        Some(other) => model_type(loc!["body", "spec"], other, &mut problems),
    }
    resources(root, &mut problems);
    if !problems.is_empty() {
        return Err(problems);
    }
    decode(value)
}

/// `resources`; an integral float (`2.0`) is accepted and rewritten as an integer, since the
/// generated type only decodes integers.
fn resources(root: &mut Map<String, Value>, problems: &mut Problems) {
    let base = loc!["body"];
    let replicas = opt_object(root, &base, "resources", problems).and_then(|resources| {
        opt_int(resources, &at(&base, "resources"), "replicas", 0, i64::MAX, problems)
    });
    if let (Some(replicas), Some(Value::Object(resources))) = (replicas, root.get_mut("resources"))
    {
        resources.insert("replicas".to_owned(), json!(replicas));
    }
}

/// A `DeploymentWorkerSpecInput` (create) or `WorkflowsWorkerSpecUpdate` (update). An empty
/// `github_url` or `archive_id` counts as not set and is dropped from the body.
fn spec_input(spec: &mut Map<String, Value>, base: &[Loc], create: bool, problems: &mut Problems) {
    let before = problems.len();
    let github_url = opt_string(spec, base, "github_url", problems);
    opt_string(spec, base, "revision", problems);
    let archive_id = opt_string(spec, base, "archive_id", problems);
    if let Some(backend) = opt_object(spec, base, "backend_spec", problems) {
        backend_spec(backend, &at(base, "backend_spec"), problems);
    }
    if let Some(roles) = opt_array(spec, base, "requested_roles", problems) {
        for (i, role) in roles.iter().enumerate() {
            if !role.is_string() {
                let msg = "Input should be a valid string".to_owned();
                let loc = at(&at(base, "requested_roles"), i);
                problems.push("string_type", loc, msg, role.clone(), Value::Null);
            }
        }
    }
    if problems.len() > before {
        return;
    }

    let github_url = github_url.filter(|s| !s.is_empty());
    let archive_id = archive_id.filter(|s| !s.is_empty());
    if github_url.is_none() {
        spec.remove("github_url");
    }
    if archive_id.is_none() {
        spec.remove("archive_id");
    }
    let input = Value::Object(spec.clone());
    match (github_url.is_some(), archive_id.is_some()) {
        (true, true) => problems.value_error(
            base.to_vec(),
            "github_url and archive_id cannot both be set",
            input,
        ),
        (false, false) if create => problems.value_error(
            base.to_vec(),
            "exactly one of github_url and archive_id must be set",
            input,
        ),
        _ => {}
    }
}

/// A `DeploymentMistralCloudBackendSpec`.
fn backend_spec(backend: &Map<String, Value>, base: &[Loc], problems: &mut Problems) {
    if let Some(kind) = opt_string(backend, base, "type", problems) {
        check_enum(&kind, BACKEND_TYPES, at(base, "type"), problems);
    }
    opt_string(backend, base, "build_directory", problems);
    opt_string(backend, base, "dockerfile_path", problems);
    let Some(secrets) = opt_array(backend, base, "secrets", problems) else { return };
    let base = at(base, "secrets");
    for (i, secret) in secrets.iter().enumerate() {
        let item = at(&base, i);
        let Value::Object(binding) = secret else {
            model_type(item, secret, problems);
            continue;
        };
        for key in ["env_var_name", "reference"] {
            match binding.get(key) {
                None => problems.missing(at(&item, key), secret),
                Some(Value::String(text)) if key == "reference" => {
                    let name = text.strip_prefix(SECRET_PREFIX).unwrap_or_default();
                    if name.is_empty() || name.contains(':') {
                        let msg = format!("String should match pattern '{SECRET_PATTERN}'");
                        let ctx = json!({ "pattern": SECRET_PATTERN });
                        let loc = at(&item, key);
                        problems.push("string_pattern_mismatch", loc, msg, json!(text), ctx);
                    }
                }
                Some(Value::String(_)) => {}
                Some(other) => {
                    let msg = "Input should be a valid string".to_owned();
                    problems.push("string_type", at(&item, key), msg, other.clone(), Value::Null);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(result: Result<impl std::fmt::Debug, Problems>) -> Vec<(String, Value)> {
        let problems = result.unwrap_err().into_vec();
        problems.into_iter().map(|p| (p.type_, serde_json::to_value(p.loc).unwrap())).collect()
    }

    #[test]
    fn a_valid_create_decodes_and_ignores_unknown_fields() {
        let body = json!({
            "name": "my-app",
            "spec": {
                "github_url": "https://github.com/acme/app",
                "backend_spec": {
                    "secrets": [{ "env_var_name": "K", "reference": "secret:workspace:k" }],
                    "future": 1
                },
                "novel": true
            },
            "resources": { "replicas": 2 },
            "hardened": true,
            "extra": "ignored"
        });
        let request = create(body.to_string().as_bytes()).unwrap();
        assert_eq!(String::from(request.name), "my-app");
        assert_eq!(request.resources.and_then(|r| r.replicas), Some(2));
        assert_eq!(request.hardened, Some(true));
    }

    #[test]
    fn source_rules() {
        let neither = json!({ "name": "a", "spec": { "github_url": "" } });
        assert_eq!(
            kinds(create(neither.to_string().as_bytes())),
            [("value_error".into(), json!(["body", "spec"]))]
        );
        let both = json!({ "name": "a", "spec": { "github_url": "x", "archive_id": "y" } });
        assert_eq!(kinds(create(both.to_string().as_bytes()))[0].0, "value_error");
        assert_eq!(kinds(update(both.to_string().as_bytes()))[0].0, "value_error");
        assert!(update(br#"{"spec": {"revision": "v2"}}"#).is_ok());
        assert!(update(b"{}").is_ok());
    }

    #[test]
    fn every_problem_is_reported() {
        let body = json!({
            "name": "bad name!",
            "spec": {
                "archive_id": "a",
                "backend_spec": {
                    "type": "moon",
                    "secrets": [
                        { "env_var_name": "K", "reference": "vault:k" },
                        { "reference": "secret:workspace:a:b" },
                        "nope"
                    ]
                },
                "requested_roles": ["ok", 3]
            },
            "resources": { "replicas": -1 },
            "hardened": "perhaps"
        });
        let found = kinds(create(body.to_string().as_bytes()));
        let want = [
            ("string_pattern_mismatch", json!(["body", "name"])),
            ("enum", json!(["body", "spec", "backend_spec", "type"])),
            (
                "string_pattern_mismatch",
                json!(["body", "spec", "backend_spec", "secrets", 0, "reference"]),
            ),
            ("missing", json!(["body", "spec", "backend_spec", "secrets", 1, "env_var_name"])),
            (
                "string_pattern_mismatch",
                json!(["body", "spec", "backend_spec", "secrets", 1, "reference"]),
            ),
            ("model_attributes_type", json!(["body", "spec", "backend_spec", "secrets", 2])),
            ("string_type", json!(["body", "spec", "requested_roles", 1])),
            ("greater_than_equal", json!(["body", "resources", "replicas"])),
            ("bool_parsing", json!(["body", "hardened"])),
        ];
        let want: Vec<(String, Value)> = want.into_iter().map(|(k, l)| (k.to_owned(), l)).collect();
        assert_eq!(found, want);
    }

    #[test]
    fn bodies_that_are_not_objects() {
        assert_eq!(kinds(create(b"")), [("missing".into(), json!(["body"]))]);
        assert_eq!(kinds(create(b"{not json")), [("json_invalid".into(), json!(["body", 1]))]);
        assert_eq!(kinds(create(b"[1]")), [("model_attributes_type".into(), json!(["body"]))]);
        assert_eq!(
            kinds(create(b"{}")),
            [
                ("missing".into(), json!(["body", "name"])),
                ("missing".into(), json!(["body", "spec"]))
            ]
        );
        assert_eq!(kinds(update(br#"{"spec": 3}"#))[0].0, "model_attributes_type");
        assert_eq!(kinds(update(b"null"))[0].0, "model_attributes_type");
    }
}
