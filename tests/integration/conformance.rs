//! Checks requests the client sent against the official spec: the path (as a template)
//! and method exist, and a JSON body validates against the schema of that operation.
//!
//! The official schemas are used as published, with two kinds of change, both listed here
//! and independent of the client's and the emulator's own corrections: the one that lets
//! them compile (a character class the spec writes as `[\d-_]`), and relaxations where
//! the reference notes record that the live service accepts what the spec refuses (the
//! spec's known defects). A request that passes is valid for the spec, give or take those.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::{Map, Value};

struct Spec {
    paths: Map<String, Value>,
    definitions: Map<String, Value>,
    validators: std::sync::Mutex<HashMap<String, std::sync::Arc<jsonschema::Validator>>>,
}

fn spec() -> &'static Spec {
    static SPEC: OnceLock<Spec> = OnceLock::new();
    SPEC.get_or_init(|| {
        let doc = wxcc::spec::document();
        let paths = doc["paths"].as_object().cloned().unwrap_or_default();
        let mut definitions = wxcc::spec::draft07_definitions();
        for d in definitions.values_mut() {
            let text = serde_json::to_string(d)
                .unwrap_or_default()
                .replace(r"\\d-_", r"\\d\\-_");
            *d = serde_json::from_str(&text).unwrap_or_default();
        }
        relax_known_defects(&mut definitions);
        Spec {
            paths,
            definitions,
            validators: Default::default(),
        }
    })
}

/// Known spec defects (docs/api-notes.md §3, cited per line): fields the spec calls required
/// that live creates do without, and enums whose published casing live does not use.
const NOT_REQUIRED: &[(&str, &str)] = &[
    ("EntryPointDTO", "assetId"),                         // §3.16
    ("EntryPointDTO", "controlFlowScriptUrl"),            // §3.16
    ("EntryPointDTO", "imiOrgType"),                      // §3.16
    ("EntryPointDTO", "overflowNumber"),                  // §3.16
    ("EntryPointDTO", "socialChannelType"),               // §3.16
    ("DialledNumberEntryPointDTO", "entryPointName"),     // §3.20: filled by the server
    ("DesktopLayoutDTO", "validated"),                    // §3.11
    ("ContactServiceQueueDTO", "queueRoutingType"),       // §3.22
    ("ContactServiceQueueDTO", "checkAgentAvailability"), // §3.22
    ("SkillProfileDTO", "activeSkills"),                  // §3.14: either list will do
    ("ActiveSkillDTO", "booleanValue"), // §3.14: proficiency skills carry proficiencyValue
];

fn relax_known_defects(definitions: &mut Map<String, Value>) {
    for (schema, field) in NOT_REQUIRED {
        if let Some(Value::Array(required)) = definitions
            .get_mut(*schema)
            .and_then(|s| s.get_mut("required"))
        {
            required.retain(|f| f != field);
        }
    }
    // §3.3: live skill types are upper case; §3.5: variable types are listed in both casings.
    if let Some(e) = definitions
        .get_mut("SkillDTO")
        .and_then(|s| s.pointer_mut("/properties/skillType/enum"))
    {
        *e = serde_json::json!(["BOOLEAN", "PROFICIENCY", "TEXT", "ENUM"]);
    }
    // §3.17: a profile points at resource collections by id; the spec types the items as
    // whole collections.
    if let Some(items) = definitions
        .get_mut("UserProfileGranularAccessDTO")
        .and_then(|s| s.pointer_mut("/properties/resourceCollections/items"))
    {
        *items = serde_json::json!({"type": "object", "required": ["id"]});
    }
}

/// Routes the service serves that the spec does not list (docs/api-notes.md §1.11).
fn unlisted_route(method: &str, path: &str) -> bool {
    let segments: Vec<&str> = path.split('/').collect();
    method == "get" && segments.len() == 5 && segments[3] == "blob"
}

/// The spec path template a concrete path matches, preferring literal segments.
fn template(path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.split('/').collect();
    spec()
        .paths
        .keys()
        .filter_map(|t| {
            let ts: Vec<&str> = t.split('/').collect();
            if ts.len() != segments.len() {
                return None;
            }
            let mut literal = 0;
            for (a, b) in ts.iter().zip(&segments) {
                if a.starts_with('{') {
                    continue;
                }
                if a != b {
                    return None;
                }
                literal += 1;
            }
            Some((literal, t.as_str()))
        })
        .max_by_key(|(l, _)| *l)
        .map(|(_, t)| t)
}

/// The DTO a write operation carries: its JSON request body, or (a spec defect for team,
/// skill and skill-profile) the schema of the query parameter that stands in for it.
fn body_schema(operation: &Value) -> Option<String> {
    let reference = operation
        .pointer("/requestBody/content/application~1json/schema/$ref")
        .or_else(|| {
            operation["parameters"]
                .as_array()?
                .iter()
                .find(|p| p["in"] == "query" && p.pointer("/schema/$ref").is_some())
                .and_then(|p| p.pointer("/schema/$ref"))
        })?
        .as_str()?;
    Some(
        reference
            .trim_start_matches("#/components/schemas/")
            .to_string(),
    )
}

fn validator(name: &str) -> Option<std::sync::Arc<jsonschema::Validator>> {
    let s = spec();
    let mut cache = s.validators.lock().unwrap_or_else(|p| p.into_inner());
    if let Some(v) = cache.get(name) {
        return Some(v.clone());
    }
    let v = std::sync::Arc::new(wxcc::spec::compile(&s.definitions, name).ok()?);
    cache.insert(name.to_string(), v.clone());
    Some(v)
}

pub fn check(requests: &[Value]) -> Vec<String> {
    let mut problems = Vec::new();
    for r in requests {
        let method = r["method"].as_str().unwrap_or_default().to_lowercase();
        let path = r["path"].as_str().unwrap_or_default();
        if path.starts_with("/v1/") || path == "/search" {
            problems.extend(check_data_request(
                &method,
                path,
                r["query"].as_str().unwrap_or(""),
                r.get("body").filter(|b| !b.is_null()),
            ));
            continue;
        }
        if !path.starts_with("/organization/") {
            continue;
        }
        if unlisted_route(&method, path) {
            continue;
        }
        let Some(t) = template(path) else {
            problems.push(format!("{method} {path}: no such path in the spec"));
            continue;
        };
        let Some(operation) = spec().paths[t].get(&method) else {
            problems.push(format!("{method} {path}: {t} has no {method}"));
            continue;
        };
        if let (Some(body), Some(schema)) = (
            r.get("body").filter(|b| !b.is_null()),
            body_schema(operation),
        ) {
            // A bulk partial update ("Update some or all properties", the spec's own words
            // for every `PATCH …/bulk`; docs/api-notes.md §1.8) carries only the fields
            // it changes, so the DTO's required list does not bind its items.
            let partial = method == "patch" && path.ends_with("/bulk");
            match validator(&schema) {
                Some(v) => {
                    for e in v.iter_errors(body) {
                        if partial && e.to_string().ends_with("is a required property") {
                            continue;
                        }
                        problems.push(format!(
                            "{method} {path}: body breaks {schema} at {}: {e}",
                            e.instance_path().as_str()
                        ));
                    }
                }
                None => problems.push(format!("{method} {path}: cannot compile {schema}")),
            }
        }
    }
    problems
}

/// A request to a reporting API (`/v1/…`, `/search`): the operation exists and every
/// query parameter is one it declares, within its type, range, item count and enum;
/// required parameters are present.
fn check_data_request(method: &str, path: &str, query: &str, body: Option<&Value>) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(operation) = spec().paths.get(path).and_then(|p| p.get(method)) else {
        return vec![format!("{method} {path}: no such operation in the spec")];
    };
    if let (Some(body), Some(schema)) = (body, body_schema(operation)) {
        match validator(&schema) {
            Some(v) => problems.extend(
                v.iter_errors(body)
                    .map(|e| format!("{method} {path}: body breaks {schema}: {e}")),
            ),
            None => problems.push(format!("{method} {path}: cannot compile {schema}")),
        }
    }
    let declared: Vec<&Value> = operation["parameters"]
        .as_array()
        .map(|a| a.iter().filter(|p| p["in"] == "query").collect())
        .unwrap_or_default();
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .collect();
    for p in &declared {
        let name = p["name"].as_str().unwrap_or_default();
        if p["required"] == true && !pairs.iter().any(|(k, _)| k == name) {
            problems.push(format!(
                "{method} {path}: required parameter {name} missing"
            ));
        }
    }
    for (k, v) in &pairs {
        let Some(p) = declared.iter().find(|p| p["name"] == k.as_str()) else {
            problems.push(format!("{method} {path}: parameter {k} is not in the spec"));
            continue;
        };
        let schema = &p["schema"];
        let values: Vec<&str> = if schema["type"] == "array" {
            v.split(',').collect()
        } else {
            vec![v.as_str()]
        };
        if let Some(max) = schema["maxItems"].as_u64()
            && values.len() as u64 > max
        {
            problems.push(format!(
                "{method} {path}: {k} has {} items, max {max}",
                values.len()
            ));
        }
        let item = if schema["type"] == "array" {
            &schema["items"]
        } else {
            schema
        };
        for value in values {
            if item["type"] == "integer" {
                match value.parse::<i64>() {
                    Ok(n) => {
                        if item["minimum"].as_i64().is_some_and(|m| n < m)
                            || item["maximum"].as_i64().is_some_and(|m| n > m)
                        {
                            problems.push(format!("{method} {path}: {k}={n} out of range"));
                        }
                    }
                    Err(_) => {
                        problems.push(format!("{method} {path}: {k}={value} is not an integer"))
                    }
                }
            }
            if let Some(allowed) = item["enum"].as_array()
                && !allowed.iter().any(|a| a == value)
            {
                problems.push(format!("{method} {path}: {k}={value} not in {allowed:?}"));
            }
        }
    }
    problems
}

/// Where a 200 answer of a reporting operation breaks the schema the spec gives it (`/search`
/// is typed as a string by the spec, a known defect: its answers are GraphQL JSON).
pub fn response_problems(method: &str, path: &str, body: &Value) -> Vec<String> {
    let Some(reference) = spec()
        .paths
        .get(path)
        .and_then(|p| p.get(method))
        .and_then(|o| {
            // Some config operations give their answer as `*/*` (the bulk exports).
            o.pointer("/responses/200/content/application~1json/schema/$ref")
                .or_else(|| o.pointer("/responses/200/content/*~1*/schema/$ref"))
        })
        .and_then(Value::as_str)
    else {
        return vec![format!("{method} {path}: no 200 JSON schema in the spec")];
    };
    let name = reference.trim_start_matches("#/components/schemas/");
    match validator(name) {
        Some(v) => v
            .iter_errors(body)
            .map(|e| {
                format!(
                    "{method} {path}: answer breaks {name} at {}: {e}",
                    e.instance_path().as_str()
                )
            })
            .collect(),
        None => vec![format!("cannot compile {name}")],
    }
}
