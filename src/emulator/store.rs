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
use std::sync::OnceLock;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::index::{Index, unique_key};
use super::oauth::TokenEndpoint;
use super::rules;
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
    /// kind → id → object, in creation order. Private, so that every change goes through
    /// `put`, `remove`, `remove_kind` or `edit`, which keep `index` and the journal's
    /// `changed` up to date.
    objects: BTreeMap<String, IndexMap<String, Value>>,
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
    /// Keys, references and enum values without a scan (`index.rs`); built from `objects`
    /// on first use, then kept up to date by `touch` (not saved).
    #[serde(skip)]
    index: OnceLock<Index>,
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

    /// Every stored object, kind → id → object.
    pub fn objects(&self) -> &BTreeMap<String, IndexMap<String, Value>> {
        &self.objects
    }

    /// Whether any object of `kind` is stored.
    pub fn has_kind(&self, kind: &str) -> bool {
        self.objects.contains_key(kind)
    }

    /// How many objects are stored, of every kind.
    pub fn len(&self) -> usize {
        self.objects.values().map(IndexMap::len).sum()
    }

    /// Whether no object is stored.
    pub fn is_empty(&self) -> bool {
        self.objects.values().all(IndexMap::is_empty)
    }

    /// How many objects of `kind` are stored.
    pub fn count(&self, kind: &str) -> usize {
        self.objects.get(kind).map_or(0, IndexMap::len)
    }

    /// Up to `take` objects of `kind` from the `skip`th on, in creation order, without
    /// walking the ones before.
    pub fn window<'a>(
        &'a self,
        kind: &str,
        skip: usize,
        take: usize,
    ) -> impl Iterator<Item = (&'a String, &'a Value)> {
        self.objects.get(kind).into_iter().flat_map(move |m| {
            let start = skip.min(m.len());
            let end = start.saturating_add(take).min(m.len());
            m.get_range(start..end).into_iter().flat_map(|s| s.iter())
        })
    }

    /// Where `kind`/`id` stands in its kind's creation order.
    pub fn position(&self, kind: &str, id: &str) -> Option<usize> {
        self.objects.get(kind)?.get_index_of(id)
    }

    /// The org's index of keys, references and enum values, built on first use.
    pub(crate) fn index(&self) -> &Index {
        self.index.get_or_init(|| Index::build(&self.objects))
    }

    /// The id of the object of `kind` whose `field` is `value`.
    pub fn id_where(&self, kind: &str, field: &str, value: &str) -> Option<String> {
        self.first_where(kind, field, value, |v| v == value)
            .cloned()
    }

    /// The id of the first object of `kind`, in creation order, whose string `field`
    /// passes `keep`. `keep` must pass only values that compare like `value` where the
    /// kind's uniqueness compares keys (ignoring case, dial numbers by digits): when
    /// `field` is the kind's key, only the objects the index holds under `value`'s key are
    /// read; otherwise every object of the kind is.
    pub fn first_where(
        &self,
        kind: &str,
        field: &str,
        value: &str,
        keep: impl Fn(&str) -> bool,
    ) -> Option<&String> {
        let passes = |o: &Value| o.get(field).and_then(Value::as_str).is_some_and(&keep);
        let key = rules::kind(kind)
            .filter(|rule| rule.key == field)
            .map(|rule| unique_key(rule, Some(&Value::from(value))))
            .filter(|key| !key.is_empty());
        let Some(key) = key else {
            return self.all(kind).find(|(_, o)| passes(o)).map(|(id, _)| id);
        };
        let all = self.objects.get(kind)?;
        self.index()
            .holders(kind, &key)
            .filter_map(|id| all.get_full(id.as_str()))
            .filter(|(_, _, o)| passes(o))
            .min_by_key(|(position, _, _)| *position)
            .map(|(_, id, _)| id)
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

    /// Changes a stored object in place (nothing when there is none), then `touch`es it.
    pub fn edit(&mut self, kind: &str, id: &str, change: impl FnOnce(&mut Value)) {
        let Some(object) = self.objects.get_mut(kind).and_then(|m| m.get_mut(id)) else {
            return;
        };
        change(object);
        self.touch(kind, id);
    }

    /// Notes that an object changed (stored, replaced, edited or removed): for the journal,
    /// and in the index when it is built.
    fn touch(&mut self, kind: &str, id: &str) {
        if let Some(index) = self.index.get_mut() {
            index.update(&self.objects, kind, id);
        }
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use rand::rngs::StdRng;
    use rand::{Rng, SeedableRng};
    use serde_json::{Value, json};

    use super::super::derived;
    use super::super::index::{Index, unique_key};
    use super::super::journal;
    use super::super::refs::{self, Points, Referrer};
    use super::super::rules::{KINDS, kind};
    use super::*;

    /// The kinds the random org holds: keys that clash by case and by digits, teams unique
    /// per site, references of every shape (single, `[]`, nested, enum skill values) and a
    /// kind the rules do not know.
    const KINDS_USED: &[&str] = &[
        "site",
        "team",
        "user",
        "skill",
        "skill-profile",
        "entry-point",
        "dial-number",
        "not-a-kind",
    ];
    const NAMES: &[&str] = &["Alpha", "alpha", "ALPHA", "Beta", "beta", ""];
    const NUMBERS: &[&str] = &[
        "+1 555 0100",
        "15550100",
        "+1-555-0101",
        "(555) 0101",
        "+1555",
    ];
    const POOL: usize = 6;

    fn id(kind: &str, n: usize) -> String {
        format!("{kind}/{n}")
    }

    fn pick<'a>(rng: &mut StdRng, from: &[&'a str]) -> &'a str {
        from[rng.random_range(0..from.len())]
    }

    fn any_id(rng: &mut StdRng, kind: &str) -> String {
        id(kind, rng.random_range(0..POOL))
    }

    fn value_id(rng: &mut StdRng) -> String {
        format!("value/{}", rng.random_range(0..POOL))
    }

    /// Ids drawn from the pool, so that references land on objects that exist, existed or
    /// never will.
    fn ids(rng: &mut StdRng, kind: &str) -> Vec<Value> {
        (0..rng.random_range(0..4))
            .map(|_| json!(any_id(rng, kind)))
            .collect()
    }

    fn random_object(rng: &mut StdRng, kind: &str) -> Value {
        let mut o = match kind {
            "site" => json!({"name": pick(rng, NAMES),
                "multimediaProfileId": any_id(rng, "multimedia-profile")}),
            "team" => json!({"name": pick(rng, NAMES), "siteId": any_id(rng, "site"),
                "queueRankings": [{"queueId": any_id(rng, "contact-service-queue")},
                                  {"queueId": any_id(rng, "contact-service-queue")}]}),
            "user" => json!({"email": pick(rng, NAMES), "siteId": any_id(rng, "site"),
                "teamIds": ids(rng, "team")}),
            "skill" => {
                let values: Vec<Value> = (0..rng.random_range(0..3))
                    .map(|_| json!({"id": value_id(rng), "name": pick(rng, NAMES)}))
                    .collect();
                json!({"name": pick(rng, NAMES), "enumSkillValues": values})
            }
            "skill-profile" => json!({"name": pick(rng, NAMES),
                "activeSkills": [{"skillId": any_id(rng, "skill")}],
                "activeEnumSkills": [{"enumSkillValueId": value_id(rng)},
                                     {"enumSkillValueId": value_id(rng)}]}),
            "dial-number" => json!({"dialledNumber": pick(rng, NUMBERS),
                "entryPointId": any_id(rng, "entry-point")}),
            _ => json!({"name": pick(rng, NAMES), "siteId": any_id(rng, "site")}),
        };
        // Now and then a field is missing (no key, no reference).
        if let Value::Object(m) = &mut o
            && rng.random_range(0..5) == 0
        {
            let field = m.keys().next().cloned().unwrap_or_default();
            m.remove(&field);
        }
        o
    }

    /// One random change, through each way an org's objects change.
    fn random_change(rng: &mut StdRng, org: &mut Org) {
        let kind = pick(rng, KINDS_USED);
        let id = any_id(rng, kind);
        match rng.random_range(0..20) {
            0..=9 => {
                let object = random_object(rng, kind);
                org.put(kind, &id, object);
            }
            10..=13 => org.remove(kind, &id),
            14 => {
                org.remove_kind(kind);
            }
            _ => {
                // In place: one field of the object takes the value (or the absence) it
                // has in another random object of its kind.
                let other = random_object(rng, kind);
                org.edit(kind, &id, |o| {
                    if let (Value::Object(o), Value::Object(other)) = (o, other) {
                        let field = o.keys().next().cloned().unwrap_or_default();
                        match other.get(&field) {
                            Some(v) => o.insert(field, v.clone()),
                            None => o.remove(&field),
                        };
                    }
                });
            }
        }
    }

    /// The references of one object, found the slow way.
    fn points_at(kind: &str, object: &Value, points: Points, target: &str) -> Option<String> {
        kind_rule(kind).refs.iter().find_map(|r| {
            refs::found(object, r.path, r.target)
                .into_iter()
                .find(|f| f.points == points && f.id == target)
                .map(|f| f.field)
        })
    }

    fn kind_rule(name: &str) -> &'static super::super::rules::KindRule {
        kind(name).unwrap_or_else(|| panic!("{name} is a kind"))
    }

    fn targets() -> Vec<(Points, String)> {
        let mut all = Vec::new();
        // Every kind the random objects point at, and one nothing points at.
        let pointed_at = [
            "site",
            "team",
            "skill",
            "skill-profile",
            "entry-point",
            "multimedia-profile",
            "contact-service-queue",
            "user",
        ];
        for kind in pointed_at {
            for n in 0..POOL {
                all.push((Points::Kind(kind), id(kind, n)));
            }
        }
        for n in 0..POOL {
            all.push((Points::EnumSkillValue, format!("value/{n}")));
        }
        all
    }

    fn shown(referrers: &[Referrer]) -> Vec<String> {
        referrers
            .iter()
            .map(|r| format!("{} {} {}", r.kind, r.id, r.field))
            .collect()
    }

    /// Every answer the index gives equals the one a scan of the org gives, for every key
    /// and target the random objects can hold.
    fn assert_agrees_with_a_scan(org: &Org, step: usize) {
        let index = org.index();
        for rule in KINDS {
            let keys = NAMES
                .iter()
                .chain(NUMBERS)
                .map(|k| unique_key(rule, Some(&json!(k))));
            for key in keys {
                let indexed: HashSet<&String> = index.holders(rule.name, &key).collect();
                let scanned: HashSet<&String> = org
                    .all(rule.name)
                    .filter(|(_, o)| !key.is_empty() && unique_key(rule, o.get(rule.key)) == key)
                    .map(|(id, _)| id)
                    .collect();
                assert_eq!(indexed, scanned, "step {step}: {} key {key:?}", rule.name);
            }
        }
        for (points, target) in targets() {
            let indexed: HashSet<(&str, &str)> = index
                .referrers(points, &target)
                .map(|(k, id)| (*k, id.as_str()))
                .collect();
            let mut scanned = HashSet::new();
            // The old `refs::referrers`: every object of every kind, in table then creation
            // order, with its first field that points at the target.
            let mut ordered = Vec::new();
            for rule in KINDS {
                for (id, o) in org.all(rule.name) {
                    if let Some(field) = points_at(rule.name, o, points, &target) {
                        scanned.insert((rule.name, id.as_str()));
                        ordered.push(format!("{} {id} {field}", rule.name));
                    }
                }
            }
            assert_eq!(indexed, scanned, "step {step}: referrers of {target}");
            let read = refs::referrers(org, points, &[target.as_str()]);
            assert_eq!(shown(&read), ordered, "step {step}: order for {target}");
        }
        for n in 0..POOL {
            let value = format!("value/{n}");
            let indexed: HashSet<&String> = index.skills_with_value(&value).collect();
            let scanned: HashSet<&String> = org
                .all("skill")
                .filter(|(_, s)| refs::enum_value_ids(s).contains(&value.as_str()))
                .map(|(id, _)| id)
                .collect();
            assert_eq!(indexed, scanned, "step {step}: skills with {value}");
            // The first skill in creation order names the enum entry.
            let mut profile = json!({"activeEnumSkills": [{"enumSkillValueId": value}]});
            if let Value::Object(m) = &mut profile {
                derived::skill_details(org, m);
            }
            let first = org.all("skill").find(|(_, s)| {
                s.get("name").is_some()
                    && s.get("enumSkillValues")
                        .and_then(Value::as_array)
                        .into_iter()
                        .flatten()
                        .any(|v| v["id"] == json!(value) && v.get("name").is_some())
            });
            assert_eq!(
                profile["activeEnumSkills"][0].get("enumSkillId"),
                first.map(|(id, _)| json!(id)).as_ref(),
                "step {step}: skill of {value}"
            );
        }
        for n in 0..POOL {
            let team = json!(id("team", n));
            let mut m = serde_json::Map::new();
            m.insert("id".into(), team.clone());
            derived::team(org, &mut m);
            let users: Vec<Value> = org
                .all("user")
                .filter(|(_, u)| {
                    u.get("teamIds")
                        .and_then(Value::as_array)
                        .is_some_and(|t| t.contains(&team))
                })
                .map(|(id, _)| json!(id))
                .collect();
            assert_eq!(m["userIds"], json!(users), "step {step}: users of {team}");
            let entry_point = json!(id("entry-point", n));
            let mut m = serde_json::Map::new();
            m.insert("id".into(), entry_point.clone());
            derived::entry_point(org, &mut m);
            let numbers = org
                .all("dial-number")
                .filter(|(_, d)| d.get("entryPointId") == Some(&entry_point))
                .count();
            assert_eq!(m["dnEpMappingCount"], json!(numbers), "step {step}");
        }
        // Lookups by key (through the index) and by another field (a scan) find the first
        // object in creation order, exactly or ignoring ASCII case.
        for kind in KINDS_USED {
            let key = super::super::rules::kind(kind).map_or("name", |r| r.key);
            for field in [key, "siteId"] {
                let values = NAMES.iter().chain(NUMBERS).copied();
                for value in values.chain(["site/1", "SITE/2"]) {
                    let scan = |keep: &dyn Fn(&str) -> bool| {
                        org.all(kind)
                            .find(|(_, o)| o.get(field).and_then(Value::as_str).is_some_and(keep))
                            .map(|(id, _)| id.clone())
                    };
                    assert_eq!(
                        org.id_where(kind, field, value),
                        scan(&|v| v == value),
                        "step {step}: {kind} {field} = {value:?}"
                    );
                    assert_eq!(
                        org.first_where(kind, field, value, |v| v.eq_ignore_ascii_case(value))
                            .cloned(),
                        scan(&|v| v.eq_ignore_ascii_case(value)),
                        "step {step}: {kind} {field} ~ {value:?}"
                    );
                }
            }
        }
        assert_eq!(
            index,
            &Index::build(org.objects()),
            "step {step}: kept up to date, the index equals one built afresh"
        );
    }

    #[test]
    fn the_index_kept_up_to_date_agrees_with_a_scan_after_random_changes() {
        let mut rng = StdRng::seed_from_u64(12);
        let mut org = Org::default();
        // Built before the first change, so that every change below updates it.
        org.index();
        for step in 0..400 {
            random_change(&mut rng, &mut org);
            assert_agrees_with_a_scan(&org, step);
        }
        assert!(org.len() > 10, "the random org is not trivially small");
    }

    #[test]
    fn an_index_built_lazily_after_load_and_journal_replay_agrees() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("state.json");
        let mut rng = StdRng::seed_from_u64(4);
        let mut state = State::default();
        state.orgs.insert("o".into(), Org::default());
        let org = state.orgs.get_mut("o").expect("org");
        org.index();
        for _ in 0..200 {
            random_change(&mut rng, org);
        }
        journal::drain(&mut state, 1);
        state.save_as(&path, 1).expect("save");
        // Changes after the snapshot go to the journal, replayed by `load`.
        for _ in 0..200 {
            let org = state.orgs.get_mut("o").expect("org");
            random_change(&mut rng, org);
            let entries = journal::drain(&mut state, 1);
            journal::append(&path, &entries).expect("append");
        }
        let loaded = State::load(&path).expect("load");
        let (kept, loaded) = (&state.orgs["o"], &loaded.orgs["o"]);
        // A kind whose last object went stays as an empty map until saved; it holds nothing.
        let non_empty = |org: &Org| {
            let mut objects = org.objects().clone();
            objects.retain(|_, m| !m.is_empty());
            objects
        };
        assert_eq!(non_empty(loaded), non_empty(kept));
        assert!(loaded.index.get().is_none(), "not built until first used");
        assert_eq!(loaded.index(), kept.index());
        assert_agrees_with_a_scan(loaded, 0);
    }
}
