//! The checks of `cargo xtask check-spec`: what in `openapi.yaml` the generator would get
//! wrong, or what the spec gets inconsistent, each reported at its JSON pointer.
//!
//! The spec is read twice: once as `openapiv3::OpenAPI`, which is what progenitor accepts,
//! and once as a plain JSON value, which keeps every key and makes pointers easy.

use std::fmt;

use serde_json::{Map, Value};

/// The HTTP methods an OpenAPI path item may hold.
const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Formats that make a string path parameter safe on their own: their values hold no `/`
/// and can never be `.` or `..`.
const SAFE_PATH_FORMATS: &[&str] = &["uuid", "date", "date-time"];

/// The keywords whose value is a map from names to objects.
const NAME_MAPS: &[&str] = &[
    "paths",
    "properties",
    "schemas",
    "responses",
    "parameters",
    "requestBodies",
    "headers",
    "examples",
    "securitySchemes",
    "links",
    "callbacks",
    "content",
];

/// The keywords whose value is data, not more of the spec.
const DATA_KEYS: &[&str] = &["example", "default", "enum", "value"];

/// How deep `$ref`s may nest while validating an example before the validator gives up: a
/// recursive schema with a recursive example is fine, an endless one is not.
const MAX_DEPTH: usize = 64;

/// One problem: where in the spec it is, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// A JSON pointer into the spec, such as `/paths/~1v1~1items/get/operationId`.
    pub pointer: String,
    /// What is wrong, in a sentence.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pointer = if self.pointer.is_empty() { "(document)" } else { &self.pointer };
        write!(f, "{pointer}: {}", self.message)
    }
}

/// What `check` looked at and what it found.
#[derive(Debug, Default)]
pub struct Report {
    pub operations: usize,
    pub schemas: usize,
    pub examples: usize,
    pub problems: Vec<Problem>,
}

/// Checks the text of a spec.
pub fn check(spec_text: &str) -> Report {
    let mut report = Report::default();

    let doc: Value = match serde_yaml::from_str(spec_text) {
        Ok(doc) => doc,
        Err(e) => {
            report.problems.push(problem("", format!("not a YAML document of string keys: {e}")));
            return report;
        }
    };

    match doc.get("openapi").and_then(Value::as_str) {
        Some(version) if version.starts_with("3.0.") => {}
        Some(version) => report
            .problems
            .push(problem("/openapi", format!("`{version}`: the generator takes OpenAPI 3.0.x"))),
        None => report.problems.push(problem("/openapi", "missing OpenAPI version".into())),
    }
    if let Err(e) = serde_yaml::from_str::<openapiv3::OpenAPI>(spec_text) {
        report.problems.push(problem("", format!("not an OpenAPI 3.0 document: {e}")));
    }

    let mut checker = Checker { doc: &doc, report: &mut report };
    checker.walk(&doc, "", None);
    checker.operations();
    report.schemas =
        doc.pointer("/components/schemas").and_then(Value::as_object).map_or(0, Map::len);

    dedup(&mut report.problems);
    report
}

struct Checker<'a> {
    doc: &'a Value,
    report: &'a mut Report,
}

impl Checker<'_> {
    fn push(&mut self, pointer: &str, message: String) {
        self.report.problems.push(problem(pointer, message));
    }

    /// Walks the whole document for `$ref`s that do not resolve, nullable `$ref`s that the
    /// generator ignores, and examples to validate. Data (examples, defaults, enums,
    /// extensions) is not walked: a `$ref` key in there is just data.
    fn walk(&mut self, value: &Value, pointer: &str, parent_key: Option<&str>) {
        match value {
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.walk(item, &join(pointer, &i.to_string()), None);
                }
            }
            Value::Object(map) => {
                // The keys of `properties` and of the other maps of names are names, not
                // keywords: a property may well be called `example`, or `$ref`.
                let is_name_map = parent_key.is_some_and(|key| NAME_MAPS.contains(&key));
                if !is_name_map {
                    self.object(map, pointer);
                }
                for (key, child) in map {
                    if is_name_map {
                        self.walk(child, &join(pointer, key), None);
                    } else if !DATA_KEYS.contains(&key.as_str()) && !key.starts_with("x-") {
                        self.walk(child, &join(pointer, key), Some(key));
                    }
                }
            }
            _ => {}
        }
    }

    /// The checks of one object that is not a map of names.
    fn object(&mut self, map: &Map<String, Value>, pointer: &str) {
        if let Some(reference) = map.get("$ref") {
            let at = join(pointer, "$ref");
            match reference.as_str() {
                Some(reference) if resolve(self.doc, reference).is_some() => {}
                Some(reference) => self.push(&at, format!("`{reference}` does not resolve")),
                None => self.push(&at, "`$ref` is not a string".into()),
            }
            if map.get("nullable") == Some(&Value::Bool(true)) {
                self.push(
                    pointer,
                    "`nullable: true` beside a bare `$ref` is ignored by the generator; write \
                     `nullable: true` with `allOf: [{$ref: ...}]`"
                        .into(),
                );
            }
        }

        // An `example` beside a `schema` (media type, parameter) is an instance of it; an
        // `example` of a schema object is an instance of that schema.
        if let Some(example) = map.get("example") {
            let itself;
            let schema = match map.get("schema") {
                Some(schema) => schema,
                None => {
                    itself = Value::Object(map.clone());
                    &itself
                }
            };
            self.example(schema, example, &join(pointer, "example"));
        }
        if let (Some(schema), Some(Value::Object(examples))) =
            (map.get("schema"), map.get("examples"))
        {
            for (name, example) in examples {
                let example = deref(self.doc, example);
                if let Some(value) = example.get("value") {
                    let at = join(&join(&join(pointer, "examples"), name), "value");
                    self.example(schema, value, &at);
                }
            }
        }
    }

    fn example(&mut self, schema: &Value, example: &Value, pointer: &str) {
        self.report.examples += 1;
        let mut problems = Vec::new();
        validate(self.doc, schema, example, pointer, &mut problems, 0);
        self.report.problems.extend(problems);
    }

    /// The checks of each operation: its names, its success responses, its path parameters.
    fn operations(&mut self) {
        let Some(paths) = self.doc.get("paths").and_then(Value::as_object) else {
            self.push("/paths", "missing `paths`".into());
            return;
        };
        let mut operation_ids: Vec<(String, String)> = Vec::new();

        for (path, item) in paths {
            let item_pointer = join("/paths", path);
            let item = deref(self.doc, item);
            let shared = item.get("parameters").and_then(Value::as_array);

            for method in METHODS {
                let Some(operation) = item.get(*method) else { continue };
                let pointer = join(&item_pointer, method);
                self.report.operations += 1;

                match operation.get("operationId").and_then(Value::as_str) {
                    Some(id) if !id.is_empty() => {
                        if let Some((_, first)) = operation_ids.iter().find(|(seen, _)| seen == id)
                        {
                            let message = format!("operationId `{id}` is already used at {first}");
                            self.push(&join(&pointer, "operationId"), message);
                        }
                        operation_ids.push((id.to_owned(), pointer.clone()));
                    }
                    _ => self.push(&join(&pointer, "operationId"), "missing operationId".into()),
                }
                if operation.get("summary").and_then(Value::as_str).is_none_or(str::is_empty) {
                    self.push(&join(&pointer, "summary"), "missing summary".into());
                }
                if operation.get("tags").and_then(Value::as_array).is_none_or(Vec::is_empty) {
                    self.push(&join(&pointer, "tags"), "missing tag".into());
                }

                self.success_responses(operation, &pointer);
                let own = operation.get("parameters").and_then(Value::as_array);
                self.path_parameters(path, &item_pointer, shared, &pointer, own);
            }
        }
    }

    /// The generator takes one success type per operation: every 2xx response must carry
    /// the same schema, or all of them none.
    fn success_responses(&mut self, operation: &Value, pointer: &str) {
        let Some(responses) = operation.get("responses").and_then(Value::as_object) else {
            self.push(&join(pointer, "responses"), "missing responses".into());
            return;
        };
        let mut first: Option<(&str, Option<&Value>)> = None;
        for (status, response) in responses {
            if !status.starts_with('2') {
                continue;
            }
            let body = success_body(deref(self.doc, response));
            match first {
                None => first = Some((status, body)),
                Some((first_status, first_body)) if first_body != body => {
                    let message = format!(
                        "{status} answers {}, but {first_status} answers {}: the generator \
                         takes one success type per operation",
                        describe(body),
                        describe(first_body)
                    );
                    self.push(&join(&join(pointer, "responses"), status), message);
                }
                Some(_) => {}
            }
        }
    }

    /// Every `{name}` of the path is declared as a required path parameter, every declared
    /// path parameter is in the path, and each has rules that keep its values one segment.
    fn path_parameters(
        &mut self,
        path: &str,
        item_pointer: &str,
        shared: Option<&Vec<Value>>,
        operation_pointer: &str,
        own: Option<&Vec<Value>>,
    ) {
        // (name, pointer of the definition); an operation's own parameter overrides a shared
        // one of the same name.
        let mut declared: Vec<(String, String)> = Vec::new();
        let lists = [(item_pointer, shared), (operation_pointer, own)];
        for (list_pointer, list) in lists {
            let Some(list) = list else { continue };
            for (i, parameter) in list.iter().enumerate() {
                let mut at = join(&join(list_pointer, "parameters"), &i.to_string());
                if let Some(reference) = parameter.get("$ref").and_then(Value::as_str) {
                    at = reference.trim_start_matches('#').to_owned();
                }
                let parameter = deref(self.doc, parameter);
                if parameter.get("in").and_then(Value::as_str) != Some("path") {
                    continue;
                }
                let Some(name) = parameter.get("name").and_then(Value::as_str) else { continue };
                declared.retain(|(seen, _)| seen != name);
                declared.push((name.to_owned(), at.clone()));
                self.path_parameter_rules(parameter, name, &at);
            }
        }

        let in_path = template_names(path);
        for name in &in_path {
            if !declared.iter().any(|(declared, _)| declared == name) {
                let message = format!("`{{{name}}}` of the path is not declared as a parameter");
                self.push(operation_pointer, message);
            }
        }
        for (name, at) in &declared {
            if !in_path.contains(name) {
                let message = format!("path parameter `{name}` (at {at}) is not in the path");
                self.push(operation_pointer, message);
            }
        }
    }

    fn path_parameter_rules(&mut self, parameter: &Value, name: &str, at: &str) {
        if parameter.get("required") != Some(&Value::Bool(true)) {
            let message = format!("path parameter `{name}` must be `required: true`");
            self.push(&join(at, "required"), message);
        }
        let Some(schema) = parameter.get("schema") else {
            self.push(&join(at, "schema"), format!("path parameter `{name}` has no schema"));
            return;
        };
        let schema = deref(self.doc, schema);
        let has = |key: &str| schema.get(key).is_some();
        let format = schema.get("format").and_then(Value::as_str);
        match schema.get("type").and_then(Value::as_str) {
            Some("string") => {
                let ruled = (has("pattern") && has("maxLength"))
                    || has("enum")
                    || format.is_some_and(|f| SAFE_PATH_FORMATS.contains(&f));
                if !ruled {
                    let message = format!(
                        "string path parameter `{name}` needs `pattern` and `maxLength`, or a \
                         format such as `uuid`: nothing else keeps `/`, `.` and `..` out"
                    );
                    self.push(&join(at, "schema"), message);
                }
            }
            Some("integer" | "number" | "boolean") => {}
            Some(other) => {
                let message = format!("path parameter `{name}` is of type `{other}`");
                self.push(&join(at, "schema/type"), message);
            }
            None => {
                let message = format!("path parameter `{name}` has no type");
                self.push(&join(at, "schema"), message);
            }
        }
    }
}

/// The schema of a success response's body, as the generator sees it: the JSON one when
/// there is one, else the first. `None` for no body.
fn success_body(response: &Value) -> Option<&Value> {
    let content = response.get("content")?.as_object()?;
    let media = content.get("application/json").or_else(|| content.values().next())?;
    Some(media.get("schema").unwrap_or(&Value::Null))
}

fn describe(body: Option<&Value>) -> String {
    match body {
        None => "no body".into(),
        Some(schema) => match schema.get("$ref").and_then(Value::as_str) {
            Some(reference) => format!("`{}`", reference.rsplit('/').next().unwrap_or(reference)),
            None => "an inline schema".into(),
        },
    }
}

/// The `{name}`s of a path template.
fn template_names(path: &str) -> Vec<String> {
    path.split('{').skip(1).filter_map(|rest| rest.split_once('}')).map(|(n, _)| n.into()).collect()
}

/// Validates `value` against `schema`, for the part of JSON Schema that our spec uses:
/// `type`, `nullable`, `enum`, `format` (uuid, date-time), `pattern`, lengths, bounds,
/// `required`, `properties`, `additionalProperties`, `items`, `allOf`, `oneOf` and `anyOf`.
/// Problems are reported at the pointer of the offending part of the value.
fn validate(
    doc: &Value,
    schema: &Value,
    value: &Value,
    at: &str,
    out: &mut Vec<Problem>,
    depth: usize,
) {
    if depth > MAX_DEPTH {
        return;
    }
    let Some(schema) = schema.as_object() else { return };

    // As in OpenAPI 3.0 (and in the generator), the siblings of a `$ref` do not count.
    if let Some(reference) = schema.get("$ref").and_then(Value::as_str) {
        // A `$ref` that does not resolve is reported where it is written.
        if let Some(target) = resolve(doc, reference) {
            validate(doc, target, value, at, out, depth + 1);
        }
        return;
    }

    if value.is_null() {
        let nullable = schema.get("nullable") == Some(&Value::Bool(true));
        let untyped = ["type", "allOf", "oneOf", "anyOf", "properties", "enum", "items"]
            .iter()
            .all(|key| !schema.contains_key(*key));
        if !nullable && !untyped {
            out.push(problem(at, "null, but the schema is not nullable".into()));
        }
        return;
    }

    if let Some(expected) = schema.get("type").and_then(Value::as_str)
        && !has_type(value, expected)
    {
        let message = format!("expected {expected}, found {}", type_name(value));
        out.push(problem(at, message));
        return;
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        let allowed = Value::from(allowed.clone());
        out.push(problem(at, format!("{value} is not one of {allowed}")));
    }

    match value {
        Value::String(text) => string(schema, text, at, out),
        Value::Number(number) => {
            if let Some(n) = number.as_f64() {
                bounds(schema, n, at, out);
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    validate(doc, item_schema, item, &join(at, &i.to_string()), out, depth + 1);
                }
            }
        }
        Value::Object(object) => properties(doc, schema, object, at, out, depth),
        Value::Bool(_) | Value::Null => {}
    }

    for sub in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        validate(doc, sub, value, at, out, depth + 1);
    }
    for (keyword, exactly_one) in [("oneOf", true), ("anyOf", false)] {
        let Some(alternatives) = schema.get(keyword).and_then(Value::as_array) else { continue };
        let mut first_failure = None;
        let mut matching = 0;
        for alternative in alternatives {
            let mut problems = Vec::new();
            validate(doc, alternative, value, at, &mut problems, depth + 1);
            if problems.is_empty() {
                matching += 1;
            } else if first_failure.is_none() {
                first_failure = problems.into_iter().next();
            }
        }
        if matching == 0 {
            let why = first_failure.map(|p| format!(" (the first: {p})")).unwrap_or_default();
            out.push(problem(at, format!("matches none of the `{keyword}` alternatives{why}")));
        } else if exactly_one && matching > 1 {
            let message = format!("matches {matching} of the `oneOf` alternatives, not one");
            out.push(problem(at, message));
        }
    }
}

fn string(schema: &Map<String, Value>, text: &str, at: &str, out: &mut Vec<Problem>) {
    match schema.get("format").and_then(Value::as_str) {
        Some("uuid") if !is_uuid(text) => out.push(problem(at, format!("`{text}` is not a uuid"))),
        Some("date-time") if chrono::DateTime::parse_from_rfc3339(text).is_err() => {
            out.push(problem(at, format!("`{text}` is not an RFC 3339 date-time")));
        }
        _ => {}
    }
    if let Some(pattern) = schema.get("pattern").and_then(Value::as_str) {
        match regex::Regex::new(pattern) {
            Ok(re) if re.is_match(text) => {}
            Ok(_) => out.push(problem(at, format!("`{text}` does not match `{pattern}`"))),
            Err(e) => out.push(problem(at, format!("the pattern `{pattern}` is invalid: {e}"))),
        }
    }
    let length = text.chars().count() as u64;
    if schema.get("minLength").and_then(Value::as_u64).is_some_and(|min| length < min) {
        out.push(problem(at, format!("`{text}` is shorter than `minLength`")));
    }
    if schema.get("maxLength").and_then(Value::as_u64).is_some_and(|max| length > max) {
        out.push(problem(at, format!("`{text}` is longer than `maxLength`")));
    }
}

fn bounds(schema: &Map<String, Value>, n: f64, at: &str, out: &mut Vec<Problem>) {
    let exclusive = |key: &str| schema.get(key) == Some(&Value::Bool(true));
    if let Some(min) = schema.get("minimum").and_then(Value::as_f64)
        && (n < min || (exclusive("exclusiveMinimum") && n == min))
    {
        out.push(problem(at, format!("{n} is below the minimum {min}")));
    }
    if let Some(max) = schema.get("maximum").and_then(Value::as_f64)
        && (n > max || (exclusive("exclusiveMaximum") && n == max))
    {
        out.push(problem(at, format!("{n} is above the maximum {max}")));
    }
}

fn properties(
    doc: &Value,
    schema: &Map<String, Value>,
    object: &Map<String, Value>,
    at: &str,
    out: &mut Vec<Problem>,
    depth: usize,
) {
    for name in schema.get("required").and_then(Value::as_array).into_iter().flatten() {
        if let Some(name) = name.as_str()
            && !object.contains_key(name)
        {
            out.push(problem(at, format!("missing required property `{name}`")));
        }
    }
    let declared = schema.get("properties").and_then(Value::as_object);
    for (name, value) in object {
        let at = join(at, name);
        match (declared.and_then(|d| d.get(name)), schema.get("additionalProperties")) {
            (Some(property), _) => validate(doc, property, value, &at, out, depth + 1),
            (None, Some(Value::Bool(false))) => {
                out.push(problem(&at, format!("`{name}` is not a property of the schema")));
            }
            (None, Some(extra @ Value::Object(_))) => {
                validate(doc, extra, value, &at, out, depth + 1);
            }
            (None, _) => {}
        }
    }
}

fn has_type(value: &Value, expected: &str) -> bool {
    match expected {
        "string" => value.is_string(),
        "boolean" => value.is_boolean(),
        "number" => value.is_number(),
        "integer" => {
            value.is_i64() || value.is_u64() || value.as_f64().is_some_and(|n| n.fract() == 0.0)
        }
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => true,
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// `8-4-4-4-12` hexadecimal digits.
fn is_uuid(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(group, len)| group.len() == len && group.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// The target of a local `$ref` such as `#/components/schemas/Item`.
fn resolve<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

/// Follows `$ref`s to the object they name; an unresolved one stays as it is (it is
/// reported where it is written).
fn deref<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..MAX_DEPTH {
        match value.get("$ref").and_then(Value::as_str).and_then(|r| resolve(doc, r)) {
            Some(target) => value = target,
            None => break,
        }
    }
    value
}

/// `pointer` with one more segment, escaped as JSON pointers escape (`~` and `/`).
fn join(pointer: &str, segment: &str) -> String {
    format!("{pointer}/{}", segment.replace('~', "~0").replace('/', "~1"))
}

fn problem(pointer: &str, message: String) -> Problem {
    Problem { pointer: pointer.to_owned(), message }
}

/// Drops repeats (a shared parameter is checked once per operation) and keeps the order.
fn dedup(problems: &mut Vec<Problem>) {
    let mut seen = Vec::new();
    problems.retain(|p| {
        let new = !seen.contains(p);
        if new {
            seen.push(p.clone());
        }
        new
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small spec that passes every check; each test breaks one thing of it.
    const VALID: &str = r#"
openapi: 3.0.3
info: {title: Items, version: 1.0.0}
paths:
  /v1/items/{name}:
    parameters:
      - $ref: '#/components/parameters/ItemName'
    get:
      operationId: get_item
      summary: Get an item
      tags: [items]
      responses:
        '200':
          description: The item.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Item'
              example:
                id: 019b2bd7-96e7-7219-8c0b-45a73da50088
                created_at: '2025-12-17T10:25:07.818693Z'
                parent: null
                kind: small
  /v1/items/{item_id}/copies:
    post:
      operationId: copy_item
      summary: Copy an item
      tags: [items]
      parameters:
        - name: item_id
          in: path
          required: true
          schema: {type: string, format: uuid}
      responses:
        '202':
          description: Accepted.
          content:
            application/json:
              schema:
                $ref: '#/components/schemas/Item'
components:
  parameters:
    ItemName:
      name: name
      in: path
      required: true
      schema: {type: string, maxLength: 64, pattern: '^[a-z.]+$'}
  schemas:
    Kind:
      type: string
      enum: [small, large]
    Item:
      type: object
      required: [id, created_at, parent]
      properties:
        id: {type: string, format: uuid}
        created_at: {type: string, format: date-time}
        parent:
          nullable: true
          allOf:
            - $ref: '#/components/schemas/Item'
        kind:
          $ref: '#/components/schemas/Kind'
        labels:
          type: object
          additionalProperties: {type: string}
        example:
          description: A property that happens to be called `example`.
          type: string
"#;

    const ITEM_PATH: &str = "/paths/~1v1~1items~1{name}";
    const EXAMPLE: &str = "/paths/~1v1~1items~1{name}/get/responses/200/content/\
                           application~1json/example";

    /// `VALID` with `from` replaced by `to`, which must be there.
    fn broken(from: &str, to: &str) -> String {
        assert!(VALID.contains(from), "the test spec has no `{from}`");
        VALID.replacen(from, to, 1)
    }

    /// Asserts that `spec` has a problem at `pointer` whose message contains `words`.
    fn assert_reported(spec: &str, pointer: &str, words: &str) {
        let report = check(spec);
        let found =
            report.problems.iter().any(|p| p.pointer == pointer && p.message.contains(words));
        assert!(found, "no problem at `{pointer}` about `{words}` in {:#?}", report.problems);
    }

    #[test]
    fn the_valid_spec_passes() {
        let report = check(VALID);
        assert_eq!(report.problems, [], "{:#?}", report.problems);
        assert_eq!((report.operations, report.schemas, report.examples), (2, 2, 1));
    }

    #[test]
    fn a_dangling_ref_is_reported_where_it_is_written() {
        let spec = broken("$ref: '#/components/schemas/Kind'", "$ref: '#/components/schemas/Knd'");
        assert_reported(&spec, "/components/schemas/Item/properties/kind/$ref", "does not resolve");
    }

    #[test]
    fn a_missing_operation_id_is_reported() {
        let spec = broken("operationId: get_item\n      ", "");
        assert_reported(&spec, &format!("{ITEM_PATH}/get/operationId"), "missing operationId");
    }

    #[test]
    fn a_missing_summary_or_tag_is_reported() {
        let spec = broken("summary: Get an item\n      tags: [items]\n", "tags: []\n");
        assert_reported(&spec, &format!("{ITEM_PATH}/get/summary"), "missing summary");
        assert_reported(&spec, &format!("{ITEM_PATH}/get/tags"), "missing tag");
    }

    #[test]
    fn a_repeated_operation_id_is_reported() {
        let spec = broken("operationId: copy_item", "operationId: get_item");
        // Reported at the second one in key order (serde_json sorts the keys of objects).
        let pointer = format!("{ITEM_PATH}/get/operationId");
        assert_reported(&spec, &pointer, "already used at /paths/~1v1~1items~1{item_id}~1copies");
    }

    #[test]
    fn a_nullable_bare_ref_is_reported() {
        let spec = broken(
            "nullable: true\n          allOf:\n            - $ref: '#/components/schemas/Item'",
            "nullable: true\n          $ref: '#/components/schemas/Item'",
        );
        assert_reported(&spec, "/components/schemas/Item/properties/parent", "bare `$ref`");
        // The generator then makes the field non-nullable, so the example's `null` fails too.
        assert_reported(&spec, &format!("{EXAMPLE}/parent"), "not nullable");
    }

    #[test]
    fn an_example_with_a_bad_uuid_is_reported_at_the_value() {
        let spec = broken("id: 019b2bd7-96e7-7219-8c0b-45a73da50088", "id: 019b2bd7");
        assert_reported(&spec, &format!("{EXAMPLE}/id"), "not a uuid");
    }

    #[test]
    fn an_example_with_other_mistakes_is_reported_at_each() {
        let spec = broken(
            "created_at: '2025-12-17T10:25:07.818693Z'\n                \
             parent: null\n                kind: small",
            "created_at: yesterday\n                kind: huge\n                \
             labels: {team: 7}",
        );
        assert_reported(&spec, EXAMPLE, "missing required property `parent`");
        assert_reported(&spec, &format!("{EXAMPLE}/created_at"), "not an RFC 3339 date-time");
        assert_reported(&spec, &format!("{EXAMPLE}/kind"), "is not one of");
        assert_reported(&spec, &format!("{EXAMPLE}/labels/team"), "expected string");
    }

    #[test]
    fn a_path_parameter_without_rules_is_reported_at_its_definition() {
        let spec = broken(
            "schema: {type: string, maxLength: 64, pattern: '^[a-z.]+$'}",
            "schema: {type: string, maxLength: 64}",
        );
        let pointer = "/components/parameters/ItemName/schema";
        assert_reported(&spec, pointer, "needs `pattern` and `maxLength`");
        // Reported once, though every operation of the path uses it.
        assert_eq!(check(&spec).problems.len(), 1);
    }

    #[test]
    fn an_inline_path_parameter_without_format_is_reported() {
        let spec = broken("schema: {type: string, format: uuid}", "schema: {type: string}");
        let pointer = "/paths/~1v1~1items~1{item_id}~1copies/post/parameters/0/schema";
        assert_reported(&spec, pointer, "or a format such as `uuid`");
    }

    #[test]
    fn two_success_schemas_are_reported() {
        let spec = broken(
            "      responses:\n        '202':",
            "      responses:\n        '200':\n          description: Done.\n        '202':",
        );
        let pointer = "/paths/~1v1~1items~1{item_id}~1copies/post/responses/202";
        assert_reported(&spec, pointer, "one success type per operation");
    }

    #[test]
    fn an_undeclared_path_parameter_is_reported() {
        let spec = broken("/v1/items/{item_id}/copies:", "/v1/items/{item_id}/copies/{copy}:");
        let pointer = "/paths/~1v1~1items~1{item_id}~1copies~1{copy}/post";
        assert_reported(&spec, pointer, "`{copy}` of the path is not declared");
    }

    #[test]
    fn unquoted_status_codes_are_read() {
        let report = check(&broken("        '202':", "        202:"));
        assert_eq!(report.problems, [], "{:#?}", report.problems);
    }

    #[test]
    fn openapi_3_1_is_refused() {
        assert_reported(&broken("openapi: 3.0.3", "openapi: 3.1.0"), "/openapi", "3.0.x");
    }

    #[test]
    fn one_of_needs_exactly_one_match() {
        let schema: Value = serde_json::json!({
            "oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "number"}]
        });
        let doc = Value::Null;
        let mut out = Vec::new();
        validate(&doc, &schema, &Value::from("a"), "/x", &mut out, 0);
        assert_eq!(out, []);
        validate(&doc, &schema, &Value::from(3), "/x", &mut out, 0);
        assert!(out.iter().any(|p| p.message.contains("matches 2")), "{out:#?}");
        out.clear();
        validate(&doc, &schema, &Value::from(true), "/x", &mut out, 0);
        assert!(out.iter().any(|p| p.message.contains("matches none")), "{out:#?}");
    }

    #[test]
    fn pointers_escape_slash_and_tilde() {
        assert_eq!(join("/paths", "/v1/a~b"), "/paths/~1v1~1a~0b");
    }

    #[test]
    fn uuids() {
        assert!(is_uuid("019b2bd7-96e7-7219-8c0b-45a73da50088"));
        assert!(!is_uuid("019b2bd7-96e7-7219-8c0b-45a73da5008"));
        assert!(!is_uuid("019b2bd7-96e7-7219-8c0b-45a73da5008g"));
        assert!(!is_uuid("019b2bd796e772198c0b45a73da50088"));
    }
}
