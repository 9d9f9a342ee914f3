//! The emulator's state: orgs and their objects (with what lives outside the config API:
//! the Calling number inventory and audio blobs), OAuth clients, codes and tokens, and the
//! settings that shape behaviour (rate limit, page-size clamp, token lifetimes). Kept in one
//! JSON file, written atomically (temporary file, then rename) with mode 0600.

use std::collections::BTreeMap;
use std::path::Path;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::atomic_file::write_atomically;

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct State {
    /// The org that `wxcc --emulator` and the built-in consent use.
    pub default_org: String,
    pub orgs: BTreeMap<String, Org>,
    pub settings: Settings,
    pub clients: BTreeMap<String, OAuthClient>,
    pub codes: BTreeMap<String, AuthCode>,
    pub access_tokens: BTreeMap<String, TokenGrant>,
    pub refresh_tokens: BTreeMap<String, TokenGrant>,
    /// Agent desktop sessions and limits.
    #[serde(default)]
    pub desktop: super::desktop::DesktopState,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Org {
    pub name: String,
    /// kind → id → object, in creation order.
    pub objects: BTreeMap<String, IndexMap<String, Value>>,
    /// The org's Webex Calling numbers: a dial-number may only map one of these (§3.20).
    #[serde(default)]
    pub calling_numbers: Vec<String>,
    /// Audio blobs by blob id, base64 (§3.4, §1.11).
    #[serde(default)]
    pub blobs: BTreeMap<String, String>,
}

impl Org {
    /// One stored object.
    pub fn get(&self, kind: &str, id: &str) -> Option<&Value> {
        self.objects.get(kind)?.get(id)
    }

    /// Every stored object of a kind, with its id, in creation order.
    pub fn all<'a>(&'a self, kind: &str) -> impl Iterator<Item = (&'a String, &'a Value)> {
        self.objects.get(kind).into_iter().flat_map(|m| m.iter())
    }

    /// The id of the object of `kind` whose `field` is `value`.
    pub fn id_where(&self, kind: &str, field: &str, value: &str) -> Option<String> {
        self.all(kind)
            .find(|(_, o)| o.get(field).and_then(Value::as_str) == Some(value))
            .map(|(id, _)| id.clone())
    }

    pub fn put(&mut self, kind: &str, id: &str, object: Value) {
        self.objects
            .entry(kind.to_string())
            .or_default()
            .insert(id.to_string(), object);
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// Requests allowed per client in each window; `None` means unlimited.
    pub rate_limit: Option<RateLimit>,
    /// The silent clamp on `pageSize` of list endpoints.
    pub max_page_size: u64,
    pub access_token_seconds: u64,
    pub refresh_token_seconds: u64,
    /// The administrator who consents on `/v1/authorize`.
    pub admin_email: String,
    /// Milliseconds every configuration request waits before it is served (a slow
    /// tenant, so that tests can make a run last longer than a token).
    #[serde(default)]
    pub response_delay_ms: u64,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    pub requests: u32,
    pub window_seconds: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            rate_limit: None,
            max_page_size: 1000,
            // data-desktop-api.md §6: observed WxCC integration lifetimes (12 h / 60 d).
            access_token_seconds: 43_199,
            refresh_token_seconds: 5_183_999,
            admin_email: "admin@example.com".into(),
            response_delay_ms: 0,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OAuthClient {
    pub secret: String,
    pub redirect_uris: Vec<String>,
    /// The org whose admin consents for this client.
    pub org: String,
    /// Scopes registered on the integration; empty means any.
    #[serde(default)]
    pub scopes: Vec<String>,
    /// Set for a service app: its application id.
    #[serde(default)]
    pub application_id: Option<String>,
    /// For a service app: orgs whose full admin authorized it (Control Hub).
    #[serde(default)]
    pub authorized_orgs: Vec<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthCode {
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub org: String,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub expires_at: i64,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenGrant {
    pub client_id: String,
    pub org: String,
    pub scopes: Vec<String>,
    pub expires_at: i64,
    /// For refresh tokens: replaced by a newer one (rotation) or revoked.
    #[serde(default)]
    pub revoked: bool,
}

impl State {
    /// Reads the state file, or starts empty when it does not exist.
    pub fn load(path: &Path) -> std::io::Result<State> {
        match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State::default()),
            Err(e) => Err(e),
        }
    }

    /// Writes the state atomically: a temporary file in the same folder, then a rename.
    pub fn save(&self, path: &Path) -> std::io::Result<()> {
        let text = serde_json::to_vec(self).map_err(std::io::Error::other)?;
        write_atomically(path, &text)
    }
}
