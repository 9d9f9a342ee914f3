//! Connecting to the API for a command: the built-in emulator (started in-process and
//! signed in to through its OAuth flow, like any client) or a real tenant with the
//! credentials settings found (a token, a CI refresh token, or a signed-in profile), and
//! reading the live state of the kinds a command needs.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::task::JoinSet;

use super::progress::Progress;
use super::settings::{CredentialSource, Settings, Target};
use crate::api::oauth::{self, Pkce};
use crate::api::{
    ApiError, Client, ClientOptions, Credentials, Persist, ProfileKind, RateLimiter, Secret,
    SessionConfig, StoredProfile, TokenSession, TokenStore, Tokens,
};
use crate::catalogue::{BulkExport, Carried, Kind, Source, UploadParts, bulk_export_for};
use crate::emulator::{Emulator, QUICKSTART_REDIRECT_URI};
use crate::error::Error;
use crate::model::{Desired, Live, LiveObject, content_digest, reference_values};
use serde_json::Value;

/// What `login --emulator` and `whoami --emulator` both say.
pub const EMULATOR_SIGNS_IN: &str = "--emulator needs no `wxcc login`: every run signs itself in to the built-in emulator as its quick-start integration, and keeps no tokens.";

/// A connected client, and the emulator behind it when there is one.
pub struct Session {
    pub client: Client,
    pub progress: Progress,
    emulator: Option<Emulator>,
}

impl Session {
    pub async fn connect(settings: &Settings) -> Result<Session, Error> {
        let progress = Progress::new(settings.progress);
        let mut limiter = RateLimiter::per_minute(settings.rate_limit);
        if let Some(observer) = progress.observer() {
            limiter = limiter.with_observer(observer);
        }
        let limiter = Arc::new(limiter);
        let options = ClientOptions {
            parallelism: settings.parallelism,
            ..ClientOptions::default()
        };
        match &settings.target {
            Target::Emulator { state } => {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                    .await
                    .map_err(|e| Error::Emulator(format!("cannot listen on loopback: {e}")))?;
                let emulator = Emulator::start(listener, Some(state.clone()))
                    .await
                    .map_err(|e| match e.kind() {
                        // The message names the state file and who holds it.
                        std::io::ErrorKind::ResourceBusy => Error::Emulator(e.to_string()),
                        _ => Error::Emulator(format!(
                            "cannot start with state in {}: {e}",
                            state.display()
                        )),
                    })?;
                let credentials = emulator_sign_in(&emulator).await?;
                let token = credentials.bearer().await?;
                let org = match &settings.org {
                    Some(o) => o.clone(),
                    None => oauth::org_from_token(&token).unwrap_or_else(|| emulator.default_org()),
                };
                let base =
                    url::Url::parse(&emulator.url()).map_err(|e| Error::Emulator(e.to_string()))?;
                let client = Client::new(base, org, credentials, limiter, options)?;
                Ok(Session {
                    client,
                    progress,
                    emulator: Some(emulator),
                })
            }
            Target::Api { base_url } => {
                let credentials = credentials(settings)?;
                // A refresh token is exchanged here, at start, so that a bad one fails before
                // any work, and the org can be read from the new access token.
                let token = credentials.bearer().await?;
                let org = match (&settings.org, oauth::org_from_token(&token)) {
                    (Some(o), _) => o.clone(),
                    (None, Some(o)) => o,
                    (None, None) => return Err(Error::Usage("no org id: pass --org or set WXCC_ORG_ID (the access token does not end in one)".into())),
                };
                let client = Client::new(base_url.clone(), org, credentials, limiter, options)?;
                Ok(Session {
                    client,
                    progress,
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
        self.progress.done_reading();
        if let Some(e) = self.emulator {
            e.stop().await;
        }
    }
}

/// The credentials this run uses, from where settings found them.
pub fn credentials(settings: &Settings) -> Result<Credentials, Error> {
    let auth_base = settings.auth_url.as_str().trim_end_matches('/').to_string();
    let source = match &settings.credentials {
        CredentialSource::AccessToken(_) => "the token in WXCC_ACCESS_TOKEN".to_string(),
        CredentialSource::RefreshToken { .. } => "a CI refresh token".to_string(),
        CredentialSource::Profile(_) => format!("profile `{}`", settings.profile),
        CredentialSource::Missing | CredentialSource::Invalid(_) => "none".to_string(),
    };
    tracing::info!("credentials: {source}");
    match &settings.credentials {
        CredentialSource::AccessToken(token) => Ok(Credentials::token(token.clone())),
        CredentialSource::RefreshToken {
            client_id,
            client_secret,
            token,
            file,
        } => {
            let (persist, label) = match file {
                Some(path) => (
                    Persist::File(path.clone()),
                    format!(
                        "the refresh token in WXCC_REFRESH_TOKEN_FILE ({})",
                        path.display()
                    ),
                ),
                None => (
                    Persist::Nowhere { warn: true },
                    "the refresh token in WXCC_REFRESH_TOKEN".to_string(),
                ),
            };
            let session = TokenSession::new(SessionConfig {
                auth_base,
                client_id: client_id.clone(),
                client_secret: client_secret.clone(),
                tokens: Tokens {
                    access: None,
                    access_expires_at: SystemTime::UNIX_EPOCH,
                    access_lifetime: Duration::ZERO,
                    refresh: Some(token.clone()),
                    refresh_expires_at: None,
                },
                persist,
                label,
                sign_in_again: "sign in again with `wxcc login` where a browser is at hand, and give the pipeline the new refresh token (see docs/auth.md)".into(),
            })?;
            Ok(Credentials::session(session))
        }
        CredentialSource::Profile(stored) => {
            let store = settings.store.clone().ok_or_else(|| {
                Error::Usage("no config folder for profiles: set WXCC_CONFIG_DIR".into())
            })?;
            let session = profile_session(&store, &settings.profile, stored)?;
            Ok(Credentials::session(session))
        }
        CredentialSource::Missing => Err(Error::Usage(format!(
            "no credentials: run `{}` to sign in with Webex, or set WXCC_ACCESS_TOKEN to an access token with the cjp:config_read and cjp:config_write scopes (or use --emulator to try wxcc without a tenant)",
            settings.login_command()
        ))),
        CredentialSource::Invalid(message) => Err(Error::Usage(message.clone())),
    }
}

/// A renewing session over a stored profile; renewed tokens go back to its file.
pub fn profile_session(
    store: &TokenStore,
    name: &str,
    stored: &StoredProfile,
) -> Result<TokenSession, Error> {
    let profile_flag = if name == "default" {
        String::new()
    } else {
        format!(" --profile {name}")
    };
    let sign_in_again = match (&stored.kind, &stored.application_id) {
        (ProfileKind::ServiceApp, Some(app)) => format!(
            "run `wxcc login{profile_flag} --service-app {app} --org {}` to get new service-app tokens",
            stored.org_id
        ),
        _ => format!("run `wxcc login{profile_flag}` to sign in again"),
    };
    Ok(TokenSession::new(SessionConfig {
        auth_base: stored.auth_url.trim_end_matches('/').to_string(),
        client_id: stored.client_id.clone(),
        client_secret: stored.client_secret.clone(),
        tokens: Tokens {
            access: Some(stored.access_token.clone()),
            access_expires_at: stored.access_expires_at,
            access_lifetime: stored.access_lifetime,
            refresh: stored.refresh_token.clone(),
            refresh_expires_at: stored.refresh_expires_at,
        },
        persist: Persist::Profile {
            store: store.clone(),
            name: name.to_string(),
        },
        label: format!("profile `{name}`"),
        sign_in_again,
    })?)
}

/// Signs in to the in-process emulator as its quick-start integration: the authorize
/// request is answered with a redirect carrying the code (the emulator's test admin
/// consents at once), which is exchanged with PKCE like any login. The session renews
/// itself like any other; its tokens live only as long as the run.
async fn emulator_sign_in(emulator: &Emulator) -> Result<Credentials, Error> {
    let (client_id, secret) = emulator.quickstart_client();
    let secret = Secret::new(secret);
    let base = emulator.url();
    let pkce = Pkce::new();
    let state = oauth::random_state();
    // The emulator's signed-in user is also its test agent, so desktop calls (cjp:user)
    // work with no login step.
    let scopes: Vec<String> = oauth::DEFAULT_SCOPES
        .iter()
        .chain(&["cjp:user"])
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
    let http = oauth::http_client()?;
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
        &secret,
        &code,
        QUICKSTART_REDIRECT_URI,
        &pkce,
    )
    .await?;
    let session = TokenSession::new(SessionConfig {
        auth_base: base,
        client_id,
        client_secret: secret,
        tokens: Tokens::from_response(&tokens, None),
        persist: Persist::Nowhere { warn: false },
        label: "the emulator's quick-start sign-in".into(),
        sign_in_again: "run the command again".into(),
    })?;
    Ok(Credentials::session(session))
}

/// Reads every object of the given kinds, all kinds concurrently.
pub async fn fetch_live(
    client: &Client,
    kinds: &[&'static Kind],
    progress: &Progress,
) -> Result<Live, ApiError> {
    progress.reading(kinds.len());
    let mut tasks = JoinSet::new();
    for kind in kinds {
        let client = client.clone();
        let kind: &'static Kind = kind;
        tasks.spawn(async move { client.list(kind).await.map(|objects| (kind, objects)) });
    }
    let mut live = Live::default();
    while let Some(joined) = tasks.join_next().await {
        let (kind, objects) = joined.map_err(join_error)??;
        progress.kind_read(objects.len());
        let objects = objects
            .into_iter()
            .filter_map(|body| LiveObject::from_body(kind, body))
            .collect();
        live.insert_kind(kind.name, objects);
    }
    Ok(live)
}

/// Completes live state where list rows fall short: objects the config declares are read
/// by item when their kind's list leaves fields out (an update must start from the whole
/// object), objects whose keyed-list entries the config references likewise, and uploaded
/// files the config declares are downloaded and digested so plans compare content.
///
/// Live objects of the kinds in `deleting` that the config does not declare (the ones the
/// plan may delete) are read by item too when their list leaves out a back-link to a kind
/// also in `deleting` (a layout's `teamIds`, with teams deleted too): a delete of what they
/// point at must wait for theirs (`plan::order`), and only the whole object says what
/// they point at.
pub async fn complete_live(
    client: &Client,
    desired: &Desired,
    live: &mut Live,
    deleting: &[&str],
) -> Result<(), ApiError> {
    let mut items: Vec<(&'static Kind, String)> = Vec::new();
    let mut wanted: std::collections::HashSet<(&'static str, String)> =
        std::collections::HashSet::new();
    let mut stored_files: Vec<(&'static Kind, UploadParts, String, String)> = Vec::new();
    // Each export read, with the objects waiting on it and the fields each wants from it.
    let mut exports: Vec<(&'static BulkExport, Vec<Waiting>)> = Vec::new();
    let mut waiting_ids: std::collections::HashSet<(&'static str, String)> =
        std::collections::HashSet::new();
    let mut want_item = |kind: &'static Kind, id: &str| {
        if wanted.insert((kind.name, id.to_string())) {
            items.push((kind, id.to_string()));
        }
    };
    let mut declared: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for object in &desired.objects {
        let kind = object.kind;
        let names = std::iter::once(&object.key).chain(object.settings.former_names.iter());
        if let Some(matched) = names
            .filter_map(|n| live.by_key(kind.name, n).into_iter().next())
            .next()
        {
            declared.insert(matched.id.as_str());
            // Only objects whose declared fields the list leaves out are read now; an update
            // of any other reads its object just before it writes (see `apply`).
            if !matched.complete && object.body.keys().any(|f| kind.list_omits(f)) {
                let omitted = || {
                    object
                        .body
                        .iter()
                        .filter(|(f, _)| kind.list_omits(f))
                        .map(|(f, v)| (f.as_str(), v))
                };
                // A page of the export fills them for many objects at once, when it maps
                // every declared part of them.
                match bulk_export_for(kind.name, omitted()) {
                    Some(export) if waiting_ids.insert((kind.name, matched.id.clone())) => {
                        let wants = (
                            matched.id.clone(),
                            omitted().map(|(f, _)| f.to_string()).collect(),
                        );
                        match exports.iter_mut().find(|(e, _)| e.kind == export.kind) {
                            Some((_, waiting)) => waiting.push(wants),
                            None => exports.push((export, vec![wants])),
                        }
                    }
                    Some(_) => {}
                    None => want_item(kind, &matched.id),
                }
            }
            if let Some(parts) = kind.upload
                && object.uploads.iter().any(|u| u.field == parts.file)
                && let Some(stored) = matched.body.get(parts.stored_id).and_then(Value::as_str)
            {
                stored_files.push((kind, parts, matched.id.clone(), stored.to_string()));
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
    // The undeclared objects of a deleted kind whose list rows leave fields out are read
    // whole: the delete's journal keeps the whole object, for `wxcc undo` to create it again
    // (docs/undo.md); the bulk route deletes only whole objects (§1.8); and a back-link the
    // row leaves out (a layout's `teamIds`) orders the deletes (`plan::order`).
    for kind in deleting.iter().filter_map(|name| Kind::named(name)) {
        if !kind.list_omits.is_empty() {
            for o in live.of_kind(kind.name) {
                if !o.complete && !o.is_system_default() && !declared.contains(o.id.as_str()) {
                    want_item(kind, &o.id);
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
    for (kind, parts, id, stored) in stored_files {
        let client = client.clone();
        tasks.spawn(async move {
            client
                .stored_file(&parts, &stored)
                .await
                .map(|bytes| Detail::Content(kind, id, content_digest(&bytes)))
        });
    }
    // Exports are read alongside the item reads (objects wait on one or the other).
    let items_read = async {
        let mut contents = Vec::new();
        let mut fresh_items = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            match joined.map_err(join_error)?? {
                Detail::Item(kind, body) => {
                    if let Some(mut fresh) = LiveObject::from_body(kind, body) {
                        fresh.complete = true;
                        fresh_items.push((kind.name, fresh));
                    }
                }
                Detail::Content(kind, id, digest) => contents.push((kind, id, digest)),
            }
        }
        Ok::<_, ApiError>((contents, fresh_items))
    };
    let (exported, items_read) = tokio::join!(read_exports(client, live, &exports), items_read);
    let (filled, unresolved) = exported?;
    let (contents, fresh_items) = items_read?;
    live.replace_objects(fresh_items);
    live.replace_objects(filled);
    live.replace_objects(read_whole(client, unresolved).await?);
    // Content goes in after items, so an item read cannot overwrite it.
    let mut with_content = Vec::new();
    for (kind, id, digest) in contents {
        if let (Some(parts), Some(slot)) = (kind.upload, live.by_id(kind.name, &id)) {
            let mut slot = slot.clone();
            slot.body
                .insert(parts.file.to_string(), Value::String(digest));
            with_content.push((kind.name, slot));
        }
    }
    live.replace_objects(with_content);
    Ok(())
}

/// A read task that panicked or was cancelled, as the transport error it ends the run with.
pub(crate) fn join_error(e: tokio::task::JoinError) -> ApiError {
    ApiError::Transport {
        method: "GET".into(),
        path: String::new(),
        tracking_id: String::new(),
        message: e.to_string(),
    }
}

enum Detail {
    Item(&'static Kind, serde_json::Map<String, Value>),
    Content(&'static Kind, String, String),
}

/// Reads the `exports` (concurrently, each paged by [`Client::bulk_export`]) and puts the
/// fields each waiting object wants in from its row, as [`fill_from_export`] says: the
/// objects filled, and those to read by item instead (no row, an unresolvable name, or an
/// export the tenant does not serve).
pub(crate) async fn read_exports(
    client: &Client,
    live: &Live,
    exports: &[(&'static BulkExport, Vec<Waiting>)],
) -> Result<Filled, ApiError> {
    let mut tasks = JoinSet::new();
    for (index, (export, _)) in exports.iter().enumerate() {
        let client = client.clone();
        let export: &'static BulkExport = export;
        tasks.spawn(async move {
            match client.bulk_export(export).await {
                Ok(rows) => Ok((index, Some(rows))),
                // A tenant that does not serve the export: its objects are read by item.
                Err(e) if e.status().is_some_and(|s| EXPORT_NOT_SERVED.contains(&s)) => {
                    Ok((index, None))
                }
                Err(e) => Err(e),
            }
        });
    }
    let (mut filled, mut missing) = (Vec::new(), Vec::new());
    while let Some(joined) = tasks.join_next().await {
        let (index, rows) = joined.map_err(join_error)??;
        if let Some((export, waiting)) = exports.get(index) {
            let (f, m) = fill_from_export(live, export, waiting, rows.as_deref());
            filled.extend(f);
            missing.extend(m);
        }
    }
    Ok((filled, missing))
}

/// Reads these objects by item, concurrently, as complete live objects.
pub(crate) async fn read_whole(
    client: &Client,
    objects: Vec<(&'static Kind, String)>,
) -> Result<Vec<(&'static str, LiveObject)>, ApiError> {
    let mut tasks = JoinSet::new();
    for (kind, id) in objects {
        let client = client.clone();
        tasks.spawn(async move { client.get(kind, &id).await.map(|body| (kind, body)) });
    }
    let mut fresh_items = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        let (kind, body) = joined.map_err(join_error)??;
        if let Some(mut fresh) = LiveObject::from_body(kind, body) {
            fresh.complete = true;
            fresh_items.push((kind.name, fresh));
        }
    }
    Ok(fresh_items)
}

/// Answers that mean the tenant has no such export (no route, method not allowed, not
/// implemented): the objects waiting on it are read by item instead.
const EXPORT_NOT_SERVED: [u16; 3] = [404, 405, 501];

/// An object waiting on an export: its live id and the fields it wants from its row.
pub(crate) type Waiting = (String, Vec<String>);

/// Live objects completed from export rows, and objects to read by item instead.
pub(crate) type Filled = (
    Vec<(&'static str, LiveObject)>,
    Vec<(&'static Kind, String)>,
);

/// The objects waiting on an export, each with the fields it wants put in from its row
/// (matched by key, references turned from names back into ids); and the objects to read
/// by item instead: no rows at all (`None`, the export is not served), no row for the
/// object, a wanted field the row lacks, or a name the tenant does not hold.
fn fill_from_export(
    live: &Live,
    export: &'static BulkExport,
    waiting: &[Waiting],
    rows: Option<&[serde_json::Map<String, Value>]>,
) -> Filled {
    let mut filled = Vec::new();
    let mut missing = Vec::new();
    let Some(kind) = Kind::named(export.kind) else {
        return (filled, missing);
    };
    let by_key: std::collections::HashMap<&str, &serde_json::Map<String, Value>> = rows
        .unwrap_or_default()
        .iter()
        .filter_map(|r| Some((r.get(export.key)?.as_str()?, r)))
        .collect();
    for (id, fields) in waiting {
        let Some(matched) = live.by_id(kind.name, id).filter(|m| !m.complete) else {
            continue;
        };
        let row = matched.key.as_deref().and_then(|k| by_key.get(k));
        let converted = row.and_then(|row| {
            let mut o = matched.clone();
            for field in fields {
                let carried = export.fields.iter().find(|c| c.field == field.as_str())?;
                let value = from_export(&carried.from, row, live).ok()??;
                o.body.insert(field.clone(), value);
            }
            Some(o)
        });
        match converted {
            Some(o) => filled.push((kind.name, o)),
            None => missing.push((kind, id.clone())),
        }
    }
    (filled, missing)
}

/// A name in an export that the tenant does not hold (or holds twice).
struct Unresolved;

/// The item-DTO value `from` makes of an export `row`: `Ok(None)` when the row leaves the
/// source out (or null).
fn from_export(
    from: &Source,
    row: &serde_json::Map<String, Value>,
    live: &Live,
) -> Result<Option<Value>, Unresolved> {
    let present = |field: &str| row.get(field).filter(|v| !v.is_null());
    match from {
        Source::Same(field) => Ok(present(field).cloned()),
        Source::TeamIds(field) => present(field)
            .map(|v| {
                v.as_array()
                    .ok_or(Unresolved)?
                    .iter()
                    .map(|pair| {
                        let pair = pair.as_object().ok_or(Unresolved)?;
                        team_id(pair, "siteName", "teamName", live)
                    })
                    .collect::<Result<Vec<Value>, Unresolved>>()
                    .map(Value::Array)
            })
            .transpose(),
        Source::TeamId { site, team } => team_id(row, site, team, live).map(Some),
        Source::Entries(field, fields) => present(field)
            .map(|v| {
                v.as_array()
                    .ok_or(Unresolved)?
                    .iter()
                    .map(|entry| {
                        let entry = entry.as_object().ok_or(Unresolved)?;
                        object_from_export(fields, entry, live)
                    })
                    .collect::<Result<Vec<Value>, Unresolved>>()
                    .map(Value::Array)
            })
            .transpose(),
        Source::Object(fields) => {
            let object = object_from_export(fields, row, live)?;
            Ok(object
                .as_object()
                .is_some_and(|m| !m.is_empty())
                .then_some(object))
        }
    }
}

/// An item-DTO object with each of `fields` made from `row` (those the row has).
fn object_from_export(
    fields: &[Carried],
    row: &serde_json::Map<String, Value>,
    live: &Live,
) -> Result<Value, Unresolved> {
    let mut out = serde_json::Map::new();
    for c in fields {
        if let Some(v) = from_export(&c.from, row, live)? {
            out.insert(c.field.to_string(), v);
        }
    }
    Ok(Value::Object(out))
}

/// The id of the one live team named `row[team]` at the site named `row[site]`.
fn team_id(
    row: &serde_json::Map<String, Value>,
    site: &str,
    team: &str,
    live: &Live,
) -> Result<Value, Unresolved> {
    let team = row.get(team).and_then(Value::as_str).ok_or(Unresolved)?;
    let site = row.get(site).and_then(Value::as_str);
    let mut found = live.by_key("team", team).into_iter().filter(|t| {
        site.is_none()
            || t.body
                .get("siteId")
                .and_then(Value::as_str)
                .and_then(|id| live.by_id("site", id))
                .and_then(|s| s.key.as_deref())
                == site
    });
    match (found.next(), found.next()) {
        (Some(t), None) => Ok(Value::String(t.id.clone())),
        _ => Err(Unresolved),
    }
}

/// The kinds a plan needs: those in the config, the kinds they reference, the kinds whose
/// deletes are switched on, and the kinds that reference those.
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
    // Deleting needs the kind, and the kinds that may point at it (a delete the API would
    // refuse with 412 is caught at plan time; list rows that leave the field out cannot
    // show such links, and the API's refusal is then reported at apply).
    for name in delete {
        if let Some(k) = Kind::named(name) {
            add(k);
            for referrer in crate::catalogue::KINDS
                .iter()
                .filter(|r| r.references.iter().any(|x| x.target == k.name))
            {
                add(referrer);
            }
        }
    }
    kinds
}
