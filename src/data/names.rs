//! Queues, teams and agents named the way config references name them — a queue or team
//! by name, an agent by email — resolved to the ids the reporting APIs take, with "did
//! you mean" for a name the tenant does not have.

use serde_json::Value;

use crate::api::{ApiError, Client};
use crate::catalogue::Kind;
use crate::config::did_you_mean;

/// Why names could not be resolved.
#[derive(Debug)]
pub enum NameError {
    Api(ApiError),
    Unknown(String),
}

impl From<ApiError> for NameError {
    fn from(e: ApiError) -> Self {
        NameError::Api(e)
    }
}

/// The ids of the objects of `kind` whose key is one of `names` (keys compare without
/// case for users, whose key is an email), in the order given, duplicates dropped.
/// One list read of the kind, however many names.
pub async fn resolve(
    client: &Client,
    kind_name: &str,
    names: &[String],
) -> Result<Vec<String>, NameError> {
    if names.is_empty() {
        return Ok(Vec::new());
    }
    let kind: &'static Kind = Kind::named(kind_name)
        .ok_or_else(|| NameError::Unknown(format!("no kind {kind_name} in the catalogue")))?;
    let live = client.list(kind).await?;
    let keys: Vec<(String, String)> = live
        .iter()
        .filter_map(|o| {
            Some((
                o.get(kind.key)?.as_str()?.to_string(),
                o.get("id")?.as_str()?.to_string(),
            ))
        })
        .collect();
    let fold = kind.key == "email";
    let mut ids = Vec::new();
    for name in names {
        let found = keys.iter().find(|(k, _)| {
            if fold {
                k.eq_ignore_ascii_case(name)
            } else {
                k == name
            }
        });
        match found {
            Some((_, id)) => {
                if !ids.contains(id) {
                    ids.push(id.clone());
                }
            }
            None => {
                let hint = did_you_mean(name, keys.iter().map(|(k, _)| k.as_str()))
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(NameError::Unknown(format!(
                    "no {kind_name} with {} `{name}` in the tenant{hint}",
                    kind.key
                )));
            }
        }
    }
    Ok(ids)
}

/// Splits comma-separated values given once or many times: `a,b` `c` → `a`, `b`, `c`.
pub fn split_list(values: &[String]) -> Vec<String> {
    values
        .iter()
        .flat_map(|v| v.split(','))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A string field of a JSON object, or "".
pub fn text<'a>(object: &'a Value, pointer: &str) -> &'a str {
    object
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or("")
}
