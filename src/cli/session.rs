//! Connecting to the API for a command: the built-in emulator (started in-process and
//! signed in to through its OAuth flow, like any client) or a real tenant, and reading
//! the live state of the kinds a command needs.

use std::sync::Arc;

use tokio::task::JoinSet;

use super::settings::{Settings, Target};
use crate::api::oauth::{self, Pkce};
use crate::api::{ApiError, Client, ClientOptions, Credentials, RateLimiter, Secret};
use crate::catalogue::Kind;
use crate::emulator::{Emulator, QUICKSTART_REDIRECT_URI};
use crate::error::Error;
use crate::model::{Desired, Live, LiveObject, content_digest, reference_values};
use serde_json::Value;

/// A connected client, and the emulator behind it when there is one.
pub struct Session {
    pub client: Client,
    emulator: Option<Emulator>,
}

impl Session {
    pub async fn connect(settings: &Settings) -> Result<Session, Error> {
        let limiter = Arc::new(RateLimiter::per_minute(settings.rate_limit));
        let options = ClientOptions {
            parallelism: settings.parallelism,
            ..ClientOptions::default()
        };
        match &settings.target {
            Target::Emulator { state_dir } => {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .map_err(|e| Error::Emulator(format!("cannot listen on loopback: {e}")))?;
                let emulator = Emulator::start(listener, Some(state_dir.join("emulator.json")))
                    .await
                    .map_err(|e| {
                        Error::Emulator(format!(
                            "cannot start with state in {}: {e}",
                            state_dir.display()
                        ))
                    })?;
                let token = emulator_sign_in(&emulator).await?;
                let org = match &settings.org {
                    Some(o) => o.clone(),
                    None => oauth::org_from_token(&token).unwrap_or_else(|| emulator.default_org()),
                };
                let base =
                    url::Url::parse(&emulator.url()).map_err(|e| Error::Emulator(e.to_string()))?;
                let client = Client::new(base, org, Credentials::token(token), limiter, options)?;
                Ok(Session {
                    client,
                    emulator: Some(emulator),
                })
            }
            Target::Api { base_url } => {
                let token = std::env::var("WXCC_ACCESS_TOKEN")
                    .ok()
                    .filter(|t| !t.trim().is_empty())
                    .map(|t| Secret::new(t.trim()));
                let Some(token) = token else {
                    return Err(Error::Usage("no credentials: set WXCC_ACCESS_TOKEN to an access token with the cjp:config_read and cjp:config_write scopes (or use --emulator to try wxcc without a tenant)".into()));
                };
                let org = match (&settings.org, oauth::org_from_token(&token)) {
                    (Some(o), _) => o.clone(),
                    (None, Some(o)) => o,
                    (None, None) => return Err(Error::Usage("no org id: pass --org or set WXCC_ORG_ID (the access token does not end in one)".into())),
                };
                let client = Client::new(
                    base_url.clone(),
                    org,
                    Credentials::token(token),
                    limiter,
                    options,
                )?;
                Ok(Session {
                    client,
                    emulator: None,
                })
            }
        }
    }

    /// Where the session points, for messages: `the emulator` or the base URL.
    pub fn describe(&self) -> String {
        match &self.emulator {
            Some(_) => format!("the built-in emulator (org {})", self.client.org()),
            None => format!("{} (org {})", self.client.base_url(), self.client.org()),
        }
    }

    /// Stops the in-process emulator, if any, after in-flight requests.
    pub async fn close(self) {
        if let Some(e) = self.emulator {
            e.stop().await;
        }
    }
}

/// Signs in to the in-process emulator as its quick-start integration: the authorize
/// request is answered with a redirect carrying the code (the emulator's test admin
/// consents at once), which is exchanged with PKCE like any login.
async fn emulator_sign_in(emulator: &Emulator) -> Result<Secret, Error> {
    let (client_id, secret) = emulator.quickstart_client();
    let base = emulator.url();
    let pkce = Pkce::new();
    let state = oauth::random_state();
    let scopes: Vec<String> = oauth::DEFAULT_SCOPES
        .iter()
        .map(|s| s.to_string())
        .collect();
    let url = oauth::authorize_url(
        &base,
        &client_id,
        QUICKSTART_REDIRECT_URI,
        &scopes,
        &state,
        &pkce,
    )?;
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Error::Emulator(e.to_string()))?;
    let answer = http
        .get(url)
        .send()
        .await
        .map_err(|e| Error::Emulator(format!("sign-in failed: {e}")))?;
    let location = answer
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let redirected = url::Url::parse(location)
        .map_err(|_| Error::Emulator("sign-in did not redirect back".into()))?;
    let code = oauth::code_from_redirect(&redirected, &state)?;
    let tokens = oauth::exchange_code(
        &http,
        &base,
        &client_id,
        &Secret::new(secret),
        &code,
        QUICKSTART_REDIRECT_URI,
        &pkce,
    )
    .await?;
    Ok(tokens.access_token)
}

/// Reads every object of the given kinds, all kinds concurrently.
pub async fn fetch_live(client: &Client, kinds: &[&'static Kind]) -> Result<Live, ApiError> {
    let mut tasks = JoinSet::new();
    for kind in kinds {
        let client = client.clone();
        let kind: &'static Kind = kind;
        tasks.spawn(async move { client.list(kind).await.map(|objects| (kind, objects)) });
    }
    let mut live = Live::default();
    while let Some(joined) = tasks.join_next().await {
        let (kind, objects) = joined.map_err(|e| ApiError::Transport {
            method: "GET".into(),
            path: String::new(),
            tracking_id: String::new(),
            message: e.to_string(),
        })??;
        let objects = objects
            .into_iter()
            .filter_map(|body| LiveObject::from_body(kind, body))
            .collect();
        live.kinds.insert(kind.name, objects);
    }
    Ok(live)
}

/// Completes live state where list rows fall short: objects the config declares are read
/// by item when their kind's list leaves fields out (an update must start from the whole
/// object), objects whose keyed-list entries the config references likewise, and uploaded
/// files the config declares are downloaded and digested so plans compare content.
pub async fn complete_live(
    client: &Client,
    desired: &Desired,
    live: &mut Live,
) -> Result<(), ApiError> {
    let mut items: Vec<(&'static Kind, String)> = Vec::new();
    let mut blobs: Vec<(&'static Kind, String, String)> = Vec::new();
    let mut want_item = |kind: &'static Kind, id: &str| {
        if !items.iter().any(|(k, i)| k.name == kind.name && i == id) {
            items.push((kind, id.to_string()));
        }
    };
    for object in &desired.objects {
        let kind = object.kind;
        let names = std::iter::once(&object.key).chain(object.settings.former_names.iter());
        if let Some(matched) = names
            .filter_map(|n| live.by_key(kind.name, n).into_iter().next())
            .next()
        {
            if !kind.list_omits.is_empty() {
                want_item(kind, &matched.id);
            }
            if let Some(parts) = kind.upload
                && object.uploads.iter().any(|u| u.field == parts.file)
                && let Some(blob) = matched.body.get("blobId").and_then(Value::as_str)
            {
                blobs.push((kind, matched.id.clone(), blob.to_string()));
            }
        }
        let body = Value::Object(object.body.clone());
        for (_, reference, key) in reference_values(kind, &body) {
            let (Some(list), Some((owner, _))) = (reference.within, key.split_once('/')) else {
                continue;
            };
            let Some(target) = Kind::named(reference.target) else {
                continue;
            };
            if target.list_omits(list) {
                for o in live.by_key(target.name, owner) {
                    want_item(target, &o.id);
                }
            }
        }
    }
    let mut tasks = JoinSet::new();
    for (kind, id) in items {
        let client = client.clone();
        tasks.spawn(async move {
            client
                .get(kind, &id)
                .await
                .map(|body| Detail::Item(kind, body))
        });
    }
    for (kind, id, blob) in blobs {
        let client = client.clone();
        tasks.spawn(async move {
            client
                .blob(&blob)
                .await
                .map(|bytes| Detail::Content(kind, id, content_digest(&bytes)))
        });
    }
    let mut contents = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined.map_err(|e| ApiError::Transport {
            method: "GET".into(),
            path: String::new(),
            tracking_id: String::new(),
            message: e.to_string(),
        })?? {
            Detail::Item(kind, body) => {
                if let Some(fresh) = LiveObject::from_body(kind, body)
                    && let Some(slot) = live
                        .kinds
                        .get_mut(kind.name)
                        .and_then(|v| v.iter_mut().find(|o| o.id == fresh.id))
                {
                    *slot = fresh;
                }
            }
            Detail::Content(kind, id, digest) => contents.push((kind, id, digest)),
        }
    }
    // Content goes in after items, so an item read cannot overwrite it.
    for (kind, id, digest) in contents {
        if let (Some(parts), Some(slot)) = (
            kind.upload,
            live.kinds
                .get_mut(kind.name)
                .and_then(|v| v.iter_mut().find(|o| o.id == id)),
        ) {
            slot.body
                .insert(parts.file.to_string(), Value::String(digest));
        }
    }
    Ok(())
}

enum Detail {
    Item(&'static Kind, serde_json::Map<String, Value>),
    Content(&'static Kind, String, String),
}

/// The kinds a plan needs: those in the config, the kinds they reference, and the kinds
/// whose deletes are switched on.
pub fn kinds_in_play(declared: &[&'static Kind], delete: &[&'static str]) -> Vec<&'static Kind> {
    let mut kinds: Vec<&'static Kind> = Vec::new();
    let mut add = |k: &'static Kind| {
        if !kinds.iter().any(|x| x.name == k.name) {
            kinds.push(k);
        }
    };
    for k in declared {
        add(k);
        for r in k.references {
            if let Some(t) = Kind::named(r.target) {
                add(t);
            }
        }
    }
    for name in delete {
        if let Some(k) = Kind::named(name) {
            add(k);
        }
    }
    kinds
}
