//! The local stand-in for the WxCC API, used by the tests and by `--emulator`. It serves
//! the real paths with the real envelopes, errors and quirks (see `rules`), the OAuth2
//! authorize and token endpoints and the service-app token call, the agent desktop's
//! notification websocket and session calls (`desktop`), and, under `/_emulator/` (a path the real API does not
//! use), a request log, counters, settings and fault injection for tests.
//!
//! It shares no code with the client side: it reads only the vendored spec and its own
//! rules, so a misunderstanding in the client cannot be mirrored here and hidden.

mod activity;
mod admin;
mod audio;
mod bulk;
mod captures;
mod config_api;
mod data_api;
mod derived;
mod desktop;
mod directory;
mod export;
mod faults;
mod graphql;
mod hooks;
mod http;
mod incoming;
mod index;
mod journal;
mod lists;
mod oauth;
mod objects;
mod payload;
mod refs;
mod rsql;
mod rules;
mod schema;
mod seed;
mod seed_defaults;
mod store;
mod subentities;

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use serde::Serialize;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub use store::{RateLimit, Settings, State, StateLock};

/// The built-in OAuth client that `--emulator` signs in with.
pub const QUICKSTART_CLIENT_ID: &str = "wxcc-emulator-quickstart";
/// The redirect URI registered for the quick-start client.
pub const QUICKSTART_REDIRECT_URI: &str = "http://127.0.0.1:8765/callback";

/// A running emulator.
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    shutdown: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

/// State shared by every request handler.
pub(crate) struct Shared {
    state: Mutex<State>,
    path: Option<PathBuf>,
    /// The journal's generation (that of the last whole write of the state) and how many
    /// lines it holds; changed with the state lock held.
    journal: Mutex<(u64, usize)>,
    schemas: schema::Schemas,
    log: Mutex<RequestLog>,
    windows: Mutex<HashMap<String, VecDeque<std::time::Instant>>>,
    /// Per client: when it was last told `Retry-After`, and until when.
    retry_after: Mutex<HashMap<String, (std::time::Instant, std::time::Instant)>>,
    faults: Mutex<Vec<faults::Armed>>,
    /// Held while the emulator lives, so no other process writes its state file.
    _lock: Option<StateLock>,
    /// Signs the recordings' download URLs (new each start, as storage keys rotate).
    signing_key: String,
    /// The agent desktop's live sockets.
    desktop: desktop::Hub,
}

/// What the emulator saw, for tests and benchmarks.
#[derive(Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RequestLog {
    pub entries: VecDeque<LogEntry>,
    pub counters: Counters,
}

#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct LogEntry {
    pub seq: u64,
    pub method: String,
    pub path: String,
    pub query: String,
    pub status: u16,
    pub tracking_id: Option<String>,
    pub body: Option<serde_json::Value>,
}

#[derive(Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Counters {
    /// Every request to the configuration API (`/organization/…`).
    pub total: u64,
    pub reads: u64,
    /// POST, PUT, PATCH and DELETE requests, whatever their outcome.
    pub writes: u64,
    /// Writes that changed state.
    pub applied_writes: u64,
    pub rate_limited: u64,
    pub unauthorized: u64,
    /// Requests to `/v1/access_token`.
    pub token_requests: u64,
    /// Successful authorization-code exchanges.
    pub code_grants: u64,
    /// Successful refresh grants.
    pub refresh_grants: u64,
    /// Successful service-app token requests.
    pub service_app_tokens: u64,
    /// Requests that arrived while a `Retry-After` this client was given had not elapsed
    /// (those already in flight when it was given, arriving within a second, are not counted).
    pub early_retries: u64,
    pub by_status: std::collections::BTreeMap<u16, u64>,
}

const LOG_CAPACITY: usize = 20_000;

/// The largest request body accepted: audio uploads are multi-megabyte WAV files.
const BODY_LIMIT: usize = 32 * 1024 * 1024;

impl Shared {
    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub(crate) fn log(&self) -> MutexGuard<'_, RequestLog> {
        self.log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes the state file whole (when there is one) and starts a new journal. Called
    /// with the state lock held, after a change that is not only objects.
    pub(crate) fn persist(&self, state: &State) {
        let Some(path) = &self.path else { return };
        let mut journal = self
            .journal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let generation = journal.0 + 1;
        let written = state
            .save_as(path, generation)
            .and_then(|()| journal::clear(path));
        match written {
            Ok(()) => *journal = (generation, 0),
            Err(e) => tracing::error!("emulator cannot write {}: {e}", path.display()),
        }
    }

    /// Records a configuration write: the objects it changed go to the journal, or, once
    /// the journal holds more lines than the state has objects, the state is written
    /// whole. Called with the state lock held.
    pub(crate) fn persist_changes(&self, state: &mut State) {
        let (generation, lines) = *self
            .journal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        // Taken even without a file, so that what changed does not pile up.
        let entries = journal::drain(state, generation);
        let Some(path) = &self.path else { return };
        let objects: usize = state.orgs.values().map(store::Org::len).sum();
        if lines + entries.len() > objects.max(journal::COMPACT_AFTER) {
            return self.persist(state);
        }
        match journal::append(path, &entries) {
            Ok(()) => {
                self.journal
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner())
                    .1 += entries.len();
            }
            Err(e) => {
                tracing::error!("emulator cannot append to its journal: {e}");
                self.persist(state);
            }
        }
    }

    /// Logs a request outside the configuration API (data, captures, desktop): the request
    /// log only, since the counters count the config API.
    pub(crate) fn record_other(
        &self,
        method: &str,
        path: &str,
        query: &str,
        status: u16,
        headers: Option<&axum::http::HeaderMap>,
        body: Option<serde_json::Value>,
    ) {
        let seq = self.log().entries.back().map_or(0, |e| e.seq + 1);
        let tracking_id = headers
            .and_then(|h| h.get("TrackingId"))
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        self.record(
            LogEntry {
                seq,
                method: method.to_string(),
                path: path.to_string(),
                query: query.to_string(),
                status,
                tracking_id,
                body,
            },
            false,
            false,
            false,
        );
    }

    pub(crate) fn record(&self, entry: LogEntry, config_api: bool, write: bool, applied: bool) {
        let mut log = self.log();
        if config_api {
            let c = &mut log.counters;
            c.total += 1;
            if write {
                c.writes += 1;
            } else {
                c.reads += 1;
            }
            if applied {
                c.applied_writes += 1;
            }
            match entry.status {
                429 => c.rate_limited += 1,
                401 => c.unauthorized += 1,
                _ => {}
            }
            *c.by_status.entry(entry.status).or_default() += 1;
        }
        if log.entries.len() >= LOG_CAPACITY {
            log.entries.pop_front();
        }
        log.entries.push_back(entry);
    }
}

impl Emulator {
    /// Starts the emulator on `listener`, with state in `state_path` (in memory when
    /// `None`). A new state gets a default org with a new tenant's defaults.
    pub async fn start(
        listener: TcpListener,
        state_path: Option<PathBuf>,
    ) -> std::io::Result<Emulator> {
        Emulator::launch(listener, state_path, |_| {}, false).await
    }

    /// The long-lived server of `wxcc emulator serve`: like `start`, with `adjust` applied
    /// to the state once it is loaded (settings given on the command line), and its URL
    /// written in the lock so that a process refused the state is told where to go.
    pub async fn serve(
        listener: TcpListener,
        state_path: PathBuf,
        adjust: impl FnOnce(&mut State),
    ) -> std::io::Result<Emulator> {
        Emulator::launch(listener, Some(state_path), adjust, true).await
    }

    /// A state file is locked first and stays locked until the emulator is dropped: a
    /// second process fails with `ResourceBusy`, naming the holder.
    async fn launch(
        listener: TcpListener,
        state_path: Option<PathBuf>,
        adjust: impl FnOnce(&mut State),
        advertise: bool,
    ) -> std::io::Result<Emulator> {
        let addr = listener.local_addr()?;
        let url = format!("http://{addr}");
        let lock = match &state_path {
            Some(p) => Some(StateLock::acquire(p, advertise.then_some(url.as_str()))?),
            None => None,
        };
        let mut state = match &state_path {
            Some(p) => State::load(p)?,
            None => State::default(),
        };
        seed::ensure_ready(&mut state);
        adjust(&mut state);
        let generation = state.journal_generation + 1;
        if let Some(p) = &state_path {
            state.save_as(p, generation)?;
            journal::clear(p)?;
        }
        // The seeding is in the state just written, not news for the journal.
        journal::drain(&mut state, generation);
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            path: state_path,
            journal: Mutex::new((generation, 0)),
            schemas: schema::Schemas::new(),
            log: Mutex::new(RequestLog::default()),
            windows: Mutex::new(HashMap::new()),
            retry_after: Mutex::new(HashMap::new()),
            faults: Mutex::new(Vec::new()),
            _lock: lock,
            signing_key: uuid::Uuid::new_v4().to_string(),
            desktop: desktop::Hub::default(),
        });
        let app = Router::new()
            .route("/v1/authorize", get(oauth::authorize))
            .route("/v1/access_token", post(oauth::access_token))
            .route(
                "/v1/applications/{application_id}/token",
                post(oauth::service_app_token),
            )
            .route("/v1/tasks", get(data_api::tasks))
            .route("/v1/queues/statistics", get(data_api::queue_statistics))
            .route("/v1/agents/statistics", get(data_api::agent_statistics))
            .route("/v1/agents/activities", get(data_api::agent_activities))
            .route("/search", post(data_api::search))
            .route("/v1/captures/query", post(captures::query))
            .route(
                "/_signed/recordings/{org}/{task}/{file}",
                get(captures::download),
            )
            .merge(desktop::routes())
            .nest(
                "/_emulator",
                admin::router()
                    .merge(oauth::controls())
                    .merge(desktop::admin_routes()),
            )
            .fallback(config_api::handle)
            .layer(DefaultBodyLimit::max(BODY_LIMIT))
            .with_state(shared.clone());
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
            if let Err(e) = served {
                tracing::error!("emulator stopped: {e}");
            }
        });
        Ok(Emulator {
            addr,
            shared,
            shutdown: Some(tx),
            task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn default_org(&self) -> String {
        self.shared.state().default_org.clone()
    }

    /// The quick-start client's id and secret.
    pub fn quickstart_client(&self) -> (String, String) {
        let state = self.shared.state();
        let secret = state
            .clients
            .get(QUICKSTART_CLIENT_ID)
            .map(|c| c.secret.clone())
            .unwrap_or_default();
        (QUICKSTART_CLIENT_ID.to_string(), secret)
    }

    /// Generates `days` days of synthetic activity (about `per_hour` tasks per queue and
    /// hour) for the default org, up to the last full hour; returns the number of tasks.
    pub fn seed_activity(&self, days: u32, per_hour: u32) -> usize {
        let mut state = self.shared.state();
        let org_id = state.default_org.clone();
        let n = match state.orgs.get_mut(&org_id) {
            Some(org) => activity::generate(org, &org_id, days, per_hour, http::now_ms()),
            None => 0,
        };
        self.shared.persist(&state);
        n
    }

    /// Stops serving, waits for in-flight requests, and writes the state whole when its
    /// journal holds anything.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        let _ = (&mut self.task).await;
        // A clean stop leaves the state whole in its file, the journal folded in.
        let pending = self
            .shared
            .journal
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .1;
        if pending > 0 {
            let state = self.shared.state();
            self.shared.persist(&state);
        }
    }
}
