//! The emulator's state: orgs and their objects (with what lives outside the config API:
//! the Calling number inventory and audio blobs), OAuth clients, codes and tokens, and the
//! settings that shape behaviour (rate limit, page-size clamp, token lifetimes, stale
//! versions). Kept in one JSON file, written atomically (temporary file, then rename) with
//! mode 0600, by one process at a time: the owner holds an OS lock on `FILE.lock` beside it
//! while it lives. Object writes between two such snapshots go to an append-only journal
//! beside it (`journal`), replayed when the state is read.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::oauth::TokenEndpoint;
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
    /// Rotation and lost-answer controls of `/v1/access_token`.
    #[serde(default)]
    pub token_endpoint: TokenEndpoint,
    /// Agent desktop sessions and limits.
    #[serde(default)]
    pub desktop: super::desktop::DesktopState,
    /// Which journal continues this snapshot: journal lines of another generation are
    /// older than the snapshot and not replayed. Written by `save_as`.
    #[serde(default, skip_serializing)]
    pub journal_generation: u64,
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
    /// Synthetic contacts the data APIs report on (`activity.rs`).
    #[serde(default)]
    pub activity: Vec<super::activity::SyntheticTask>,
    /// Objects and blobs changed since the journal last took them (not saved).
    #[serde(skip)]
    pub(crate) changed: Changed,
}

/// What changed in an org since the journal last took it: objects (kind, id) and blob ids,
/// whose current value (or absence) the journal writes.
#[derive(Clone, Debug, Default)]
pub(crate) struct Changed {
    pub objects: Vec<(String, String)>,
    pub blobs: Vec<String>,
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
        self.touch(kind, id);
    }

    /// Removes one stored object.
    pub fn remove(&mut self, kind: &str, id: &str) {
        if let Some(objects) = self.objects.get_mut(kind) {
            objects.shift_remove(id);
        }
        self.touch(kind, id);
    }

    /// Removes every object of a kind; whether there was any.
    pub fn remove_kind(&mut self, kind: &str) -> bool {
        let removed = self.objects.remove(kind).unwrap_or_default();
        for id in removed.keys() {
            self.touch(kind, id);
        }
        !removed.is_empty()
    }

    /// Notes that an object was changed in place, for the journal.
    pub fn touch(&mut self, kind: &str, id: &str) {
        self.changed
            .objects
            .push((kind.to_string(), id.to_string()));
    }

    pub fn put_blob(&mut self, id: String, data: String) {
        self.changed.blobs.push(id.clone());
        self.blobs.insert(id, data);
    }

    pub fn remove_blob(&mut self, id: &str) {
        self.blobs.remove(id);
        self.changed.blobs.push(id.to_string());
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
    /// What a PUT carrying a `version` that is no longer the object's current one gets:
    /// the live behaviour is unknown (docs/api-notes.md §1.4).
    #[serde(default)]
    pub stale_version: StaleVersion,
    /// The most items one bulk request may carry; a larger one is refused whole with 400
    /// (the spec lists 400 for bulk; the live limit is not documented, docs/api-notes.md §1.8).
    #[serde(default = "default_bulk_max_items")]
    pub bulk_max_items: usize,
}

fn default_bulk_max_items() -> usize {
    DEFAULT_BULK_MAX_ITEMS
}

/// The emulator's bulk limit unless a test sets another: larger than wxcc's default chunk
/// (so a default apply fits), far below Control Hub's 5,000 rows a file (§4).
pub const DEFAULT_BULK_MAX_ITEMS: usize = 200;

/// How the emulator treats a PUT whose `version` is stale (docs/api-notes.md §1.4: not
/// documented, not observed; the notes advise last-write-wins as the default).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum StaleVersion {
    /// The write is accepted and the version goes up, as if it were current.
    #[default]
    LastWriteWins,
    /// The write is refused with 412 (the only conflict status the spec lists for an
    /// update, §1.6) and nothing changes.
    Reject,
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
            // docs/api-notes.md §D6: observed WxCC integration lifetimes (12 h / 60 d).
            access_token_seconds: 43_199,
            refresh_token_seconds: 5_183_999,
            admin_email: "admin@example.com".into(),
            response_delay_ms: 0,
            stale_version: StaleVersion::LastWriteWins,
            bulk_max_items: DEFAULT_BULK_MAX_ITEMS,
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
    /// Reads the state file and replays its journal, or starts empty when there is no
    /// state file.
    pub fn load(path: &Path) -> std::io::Result<State> {
        let mut state: State = match std::fs::read_to_string(path) {
            Ok(text) => serde_json::from_str(&text).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("{}: {e}", path.display()),
                )
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(State::default()),
            Err(e) => return Err(e),
        };
        super::journal::replay(&mut state, path)?;
        Ok(state)
    }

    /// Writes the state atomically (a temporary file in the same folder, then a rename) as
    /// the snapshot that journal generation `generation` continues.
    pub fn save_as(&self, path: &Path, generation: u64) -> std::io::Result<()> {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Snapshot<'a> {
            #[serde(flatten)]
            state: &'a State,
            journal_generation: u64,
        }
        let text = serde_json::to_vec(&Snapshot {
            state: self,
            journal_generation: generation,
        })
        .map_err(std::io::Error::other)?;
        write_atomically(path, &text)
    }
}

/// An exclusive OS lock on a state file's `.lock` companion, held for as long as this value
/// lives (the OS releases it when the process ends, however it ends). The state file itself
/// cannot carry the lock: every save replaces it with a new file. The lock file says who
/// holds it, so a second process can be told.
#[derive(Debug)]
pub struct StateLock {
    _file: File,
}

/// Who holds a state file, as written in its lock file.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Holder {
    pid: u32,
    command: String,
    /// Where the holder serves the emulated API, when it does.
    #[serde(default)]
    url: Option<String>,
}

impl StateLock {
    /// The lock file of a state file: `FILE.lock`.
    pub fn path_for(state: &Path) -> PathBuf {
        let mut name = state.file_name().unwrap_or_default().to_os_string();
        name.push(".lock");
        state.with_file_name(name)
    }

    /// Takes the lock, or fails with `ResourceBusy` naming the process that holds it. `url`
    /// is where this process serves the API, for the message another process gets.
    pub fn acquire(state: &Path, url: Option<&str>) -> std::io::Result<StateLock> {
        if let Some(dir) = state.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let path = StateLock::path_for(state);
        let mut file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                let mut text = String::new();
                let holder: Holder = file
                    .read_to_string(&mut text)
                    .ok()
                    .and_then(|_| serde_json::from_str(&text).ok())
                    .unwrap_or_default();
                return Err(std::io::Error::new(
                    std::io::ErrorKind::ResourceBusy,
                    busy_message(state, &holder),
                ));
            }
            Err(TryLockError::Error(e)) => return Err(e),
        }
        let holder = Holder {
            pid: std::process::id(),
            command: holder_command(),
            url: url.map(str::to_string),
        };
        let text = serde_json::to_vec(&holder).map_err(std::io::Error::other)?;
        file.set_len(0)?;
        file.rewind()?;
        file.write_all(&text)?;
        file.flush()?;
        Ok(StateLock { _file: file })
    }
}

/// The holder's command line as `wxcc` and its subcommand words, up to the first flag or
/// path: enough to recognise it, and never a value that might be private.
fn holder_command() -> String {
    let mut words = vec!["wxcc".to_string()];
    words.extend(
        std::env::args()
            .skip(1)
            .take_while(|a| !a.starts_with('-') && !a.contains(['/', '\\', '.']))
            .take(2),
    );
    words.join(" ")
}

fn busy_message(state: &Path, holder: &Holder) -> String {
    let who = if holder.pid == 0 {
        "another process".to_string()
    } else {
        format!("`{}` (pid {})", holder.command, holder.pid)
    };
    let next = match &holder.url {
        Some(url) => format!(
            "it serves the emulated API at {url}: send commands there with --base-url {url} (its banner says how to sign in), or stop it first"
        ),
        None => "wait for it to finish, or stop it first".to_string(),
    };
    format!(
        "{} is in use by {who}; one process at a time owns an emulator's state, so {next}",
        state.display()
    )
}
