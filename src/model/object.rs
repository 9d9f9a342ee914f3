//! Desired objects (from config, with spans) and live objects (from the API, with ids).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Mutex, OnceLock};

use serde_json::{Map, Value};

use super::node::{Node, Span};
use crate::catalogue::{Kind, Reference};

/// The tool's own per-object settings, read from the object's `x-wxcc` key.
#[derive(Clone, Debug, Default)]
pub struct ToolSettings {
    /// Keys the object had before; a live object under one of them is renamed, not recreated.
    pub former_names: Vec<String>,
    /// When set, any change to the object is refused at plan time.
    pub protect: bool,
    /// On a team: what `wxcc smoke` tests with it.
    pub smoke: Option<SmokeSettings>,
}

/// `x-wxcc: {smoke: {dialNumber, idleCode, extension}}` on a team: the dial number the
/// smoke test's agent logs in on and the idle code it goes Idle with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmokeSettings {
    pub dial_number: String,
    pub idle_code: String,
    pub extension: bool,
    /// Where `smoke` is written.
    pub span: Span,
}

/// One object as the config describes it. Reference fields hold keys, not ids.
#[derive(Clone, Debug)]
pub struct DesiredObject {
    pub kind: &'static Kind,
    pub key: String,
    /// Where the key's value is written.
    pub key_span: Span,
    /// The declared fields (without `x-wxcc`), in the order written.
    pub body: Map<String, Value>,
    /// The object as parsed, for spans.
    pub node: Node,
    pub settings: ToolSettings,
    /// Local files the object uploads (kinds with `Kind::upload`). The body holds their
    /// content digest (`sha256:<hex>`) under the same field, so diffs compare content.
    pub uploads: Vec<Upload>,
}

/// A local file an object uploads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Upload {
    pub field: String,
    pub path: std::path::PathBuf,
    /// `sha256:<hex>` of the content when the config was loaded.
    pub digest: String,
}

/// `sha256:<hex>` of some bytes: how uploaded content is compared.
pub fn content_digest(bytes: &[u8]) -> String {
    use sha2::Digest;
    let hash = sha2::Sha256::digest(bytes);
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

impl DesiredObject {
    /// The object's name: its key field, which is its key until a scoped kind's key is
    /// qualified (`Austin/Tier 1`). Read it here, not by splitting the key at a `/`: a name
    /// may hold one (`Night/Weekend`).
    pub fn name(&self) -> &str {
        self.body
            .get(self.kind.key)
            .and_then(Value::as_str)
            .unwrap_or(&self.key)
    }

    /// The span of a field's key, or of the object's key when the field is not declared.
    pub fn field_span(&self, pointer: &str) -> Span {
        if pointer.is_empty() || pointer == "/" {
            return self.key_span;
        }
        let first = pointer
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("");
        if self.node.get(first).is_some() {
            self.node.key_span_at(pointer)
        } else {
            self.key_span
        }
    }

    /// The span of the value at a pointer (or the nearest enclosing value).
    pub fn value_span(&self, pointer: &str) -> Span {
        let first = pointer
            .trim_start_matches('/')
            .split('/')
            .next()
            .unwrap_or("");
        if first.is_empty() || self.node.get(first).is_none() {
            return self.key_span;
        }
        self.node.nearest(pointer).span
    }
}

/// Everything the config declares, in file order.
#[derive(Debug, Default)]
pub struct Desired {
    /// Code that changes an object's key or its scope field after a lookup has been made
    /// calls [`Desired::objects_changed`], so that lookups see the change.
    pub objects: Vec<DesiredObject>,
    /// Where each (kind, key) is, built on first lookup, so that resolving every reference
    /// of a large config is linear, not a scan of all objects per reference.
    index: Mutex<Option<FindIndex>>,
}

impl Clone for Desired {
    fn clone(&self) -> Desired {
        Desired {
            objects: self.objects.clone(),
            index: Mutex::new(None),
        }
    }
}

/// The first object of each (kind, key), and of each (kind, scope key, plain key) for
/// kinds with a scope; built for `len` objects.
#[derive(Debug)]
struct FindIndex {
    len: usize,
    by_key: HashMap<(&'static str, String), usize>,
    by_scope: HashMap<(&'static str, String, String), usize>,
    /// Every object by the value of its kind's key field (a team's plain name).
    by_name: HashMap<(&'static str, String), Vec<usize>>,
}

/// The catalogue's own name for a kind name (so index keys are `&'static str`).
fn kind_name(kind: &str) -> &'static str {
    Kind::named(kind).map_or("", |k| k.name)
}

impl FindIndex {
    fn build(objects: &[DesiredObject]) -> FindIndex {
        let mut by_key = HashMap::new();
        let mut by_scope = HashMap::new();
        let mut by_name: HashMap<(&'static str, String), Vec<usize>> = HashMap::new();
        for (i, o) in objects.iter().enumerate() {
            by_key.entry((o.kind.name, o.key.clone())).or_insert(i);
            if let Some(name) = o.body.get(o.kind.key).and_then(Value::as_str) {
                by_name
                    .entry((o.kind.name, name.to_string()))
                    .or_default()
                    .push(i);
            }
            if let Some((scope, plain)) = scoped_parts(o) {
                by_scope
                    .entry((o.kind.name, scope.to_string(), plain.to_string()))
                    .or_insert(i);
            }
        }
        FindIndex {
            len: objects.len(),
            by_key,
            by_scope,
            by_name,
        }
    }
}

/// An object's scope key and plain key, for kinds with a scope.
fn scoped_parts(o: &DesiredObject) -> Option<(&str, &str)> {
    let scope = o.kind.scope?;
    Some((
        o.body.get(scope).and_then(Value::as_str)?,
        o.body.get(o.kind.key).and_then(Value::as_str)?,
    ))
}

impl Desired {
    pub fn of_kind<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a DesiredObject> + 'a {
        self.objects.iter().filter(move |o| o.kind.name == kind)
    }

    /// Forgets what lookups learnt, after keys or scope fields changed.
    pub fn objects_changed(&mut self) {
        if let Ok(index) = self.index.get_mut() {
            *index = None;
        }
    }

    /// Declared objects of `kind` whose key field holds `name` (for a scoped kind, at any
    /// scope), through the index.
    pub fn named(&self, kind: &str, name: &str) -> Vec<&DesiredObject> {
        let mut guard = match self.index.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        if guard
            .as_ref()
            .is_none_or(|index| index.len != self.objects.len())
        {
            *guard = Some(FindIndex::build(&self.objects));
        }
        let Some(index) = guard.as_ref() else {
            return Vec::new();
        };
        index
            .by_name
            .get(&(kind_name(kind), name.to_string()))
            .into_iter()
            .flatten()
            .filter_map(|&i| self.objects.get(i))
            // Positions are checked: a name changed since the index was built is not found.
            .filter(|o| o.body.get(o.kind.key).and_then(Value::as_str) == Some(name))
            .collect()
    }

    /// The declared object of `kind` with `key`. For a kind with a scope, a qualified key
    /// (`Chicago/Tier 1`) also finds an object keyed by its plain name at that scope.
    pub fn find(&self, kind: &str, key: &str) -> Option<&DesiredObject> {
        let k = Kind::named(kind);
        let scoped = k.and_then(|k| k.split_scoped(key));
        let exact = |o: &DesiredObject| o.kind.name == kind && o.key == key;
        let at_scope = |o: &DesiredObject| {
            o.kind.name == kind && scoped.is_some() && scoped_parts(o) == scoped
        };
        let mut guard = match self.index.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        for attempt in 0..2 {
            let stale = guard
                .as_ref()
                .is_none_or(|index| index.len != self.objects.len());
            if stale || attempt == 1 {
                *guard = Some(FindIndex::build(&self.objects));
            }
            let index = guard.as_ref()?;
            let name = k.map_or("", |k| k.name);
            let hit = index
                .by_key
                .get(&(name, key.to_string()))
                .map(|&i| (i, &exact as &dyn Fn(&DesiredObject) -> bool))
                .or_else(|| {
                    let (scope, plain) = scoped?;
                    index
                        .by_scope
                        .get(&(name, scope.to_string(), plain.to_string()))
                        .map(|&i| (i, &at_scope as &dyn Fn(&DesiredObject) -> bool))
                });
            match hit {
                None => return None,
                // A hit that no longer matches means keys changed since the index was
                // built: rebuild once.
                Some((i, check)) => match self.objects.get(i) {
                    Some(o) if check(o) => return Some(o),
                    _ => continue,
                },
            }
        }
        None
    }

    /// Keys objects of scoped kinds (teams) by `<scope>/<key>` where the plain key is
    /// shared by objects at different scopes (`Tier 1` at two sites), so each has a key of
    /// its own. `names_elsewhere` lists plain keys known to be shared outside the config
    /// (live); those are qualified too.
    pub fn qualify_scoped_keys(&mut self, names_elsewhere: &[(&str, String)]) {
        // The scopes each (kind, key) is declared at (`None`: no scope field).
        let mut scopes: HashMap<(&str, &str), Vec<Option<&str>>> = HashMap::new();
        for o in &self.objects {
            let Some(scope) = o.kind.scope else { continue };
            let at = o.body.get(scope).and_then(Value::as_str);
            let seen = scopes.entry((o.kind.name, o.key.as_str())).or_default();
            if !seen.contains(&at) {
                seen.push(at);
            }
        }
        let elsewhere: HashSet<(&str, &str)> = names_elsewhere
            .iter()
            .map(|(k, n)| (*k, n.as_str()))
            .collect();
        let mut qualified = Vec::new();
        for (i, o) in self.objects.iter().enumerate() {
            let Some(scope) = o.kind.scope else { continue };
            let Some(scope_key) = o.body.get(scope).and_then(Value::as_str) else {
                continue;
            };
            let shared = scopes
                .get(&(o.kind.name, o.key.as_str()))
                .is_some_and(|seen| seen.iter().any(|s| *s != Some(scope_key)))
                || elsewhere.contains(&(o.kind.name, o.key.as_str()));
            // Keyed by its name until qualified: a `/` in the key is no sign of that, since
            // a team's name may hold one (`Night/Weekend`).
            if shared && o.key == o.name() {
                qualified.push((i, Kind::scoped_key(scope_key, &o.key)));
            }
        }
        for (i, key) in qualified {
            self.objects[i].key = key;
        }
        self.objects_changed();
    }

    /// Whether the config declares what a reference names: the object, or for a reference
    /// into a keyed list (`Tier/Gold`), the object and that entry.
    pub fn defines(&self, reference: &Reference, key: &str) -> bool {
        match reference.within {
            None => self.find(reference.target, key).is_some(),
            Some(list) => {
                let Some((object, entry)) = key.split_once('/') else {
                    return false;
                };
                let Some(found) = self.find(reference.target, object) else {
                    return false;
                };
                let entry_key = found.kind.keyed_list(list).map(|k| k.key).unwrap_or("name");
                found
                    .body
                    .get(list)
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .any(|e| e.get(entry_key).and_then(Value::as_str) == Some(entry))
            }
        }
    }

    /// The kinds the config mentions, by name.
    pub fn kinds(&self) -> Vec<&'static Kind> {
        let mut kinds: Vec<&'static Kind> = Vec::new();
        for o in &self.objects {
            if !kinds.iter().any(|k| k.name == o.kind.name) {
                kinds.push(o.kind);
            }
        }
        kinds
    }
}

/// One object as the API returns it. Reference fields hold ids.
#[derive(Clone, Debug)]
pub struct LiveObject {
    pub id: String,
    /// The value of the kind's key field, when the object has one.
    pub key: Option<String>,
    pub body: Map<String, Value>,
    /// Whether `body` is the whole object. A list row of a kind whose list leaves fields
    /// out is not; an update must then read the object by item first.
    pub complete: bool,
}

impl LiveObject {
    pub fn from_body(kind: &Kind, body: Map<String, Value>) -> Option<LiveObject> {
        let id = body.get("id")?.as_str()?.to_string();
        let key = body
            .get(kind.key)
            .and_then(Value::as_str)
            .map(str::to_string);
        Some(LiveObject {
            id,
            key,
            body,
            complete: kind.list_omits.is_empty(),
        })
    }

    pub fn version(&self) -> Option<i64> {
        self.body.get("version").and_then(Value::as_i64)
    }

    pub fn last_updated(&self) -> Option<i64> {
        self.body.get("lastUpdatedTime").and_then(Value::as_i64)
    }

    pub fn is_system_default(&self) -> bool {
        self.body.get("systemDefault").and_then(Value::as_bool) == Some(true)
    }
}

/// Live state of the kinds in play, keyed by kind name.
///
/// Lookups by key and id go through an index built on first use (issue 12). Change the
/// objects through [`Live::insert_kind`] and [`Live::replace_objects`], which drop it.
#[derive(Debug, Default)]
pub struct Live {
    pub kinds: BTreeMap<&'static str, Vec<LiveObject>>,
    index: OnceLock<LiveIndex>,
}

impl Clone for Live {
    fn clone(&self) -> Self {
        Live {
            kinds: self.kinds.clone(),
            index: OnceLock::new(),
        }
    }
}

/// Positions in each kind's list of live objects.
#[derive(Clone, Debug, Default)]
struct LiveIndex {
    /// How many objects each kind had when the index was built.
    lens: BTreeMap<&'static str, usize>,
    by_key: HashMap<&'static str, HashMap<String, Vec<usize>>>,
    /// By key in lower case: the API compares names without regard to case.
    by_folded_key: HashMap<&'static str, HashMap<String, Vec<usize>>>,
    by_id: HashMap<&'static str, HashMap<String, usize>>,
}

impl LiveIndex {
    fn build(kinds: &BTreeMap<&'static str, Vec<LiveObject>>) -> LiveIndex {
        let mut index = LiveIndex::default();
        for (kind, objects) in kinds {
            index.lens.insert(kind, objects.len());
            let by_key = index.by_key.entry(kind).or_default();
            let by_folded_key = index.by_folded_key.entry(kind).or_default();
            let by_id = index.by_id.entry(kind).or_default();
            for (i, o) in objects.iter().enumerate() {
                if let Some(key) = &o.key {
                    by_key.entry(key.clone()).or_default().push(i);
                    by_folded_key.entry(key.to_lowercase()).or_default().push(i);
                }
                by_id.entry(o.id.clone()).or_insert(i);
            }
        }
        index
    }

    fn covers(&self, kinds: &BTreeMap<&'static str, Vec<LiveObject>>) -> bool {
        self.lens.len() == kinds.len()
            && kinds
                .iter()
                .all(|(k, v)| self.lens.get(k) == Some(&v.len()))
    }
}

impl Live {
    fn index(&self) -> std::borrow::Cow<'_, LiveIndex> {
        let index = self.index.get_or_init(|| LiveIndex::build(&self.kinds));
        if index.covers(&self.kinds) {
            std::borrow::Cow::Borrowed(index)
        } else {
            std::borrow::Cow::Owned(LiveIndex::build(&self.kinds))
        }
    }

    fn at<'a>(&'a self, kind: &str, positions: Option<&Vec<usize>>) -> Vec<&'a LiveObject> {
        let objects = self.of_kind(kind);
        positions
            .into_iter()
            .flatten()
            .filter_map(|&i| objects.get(i))
            .collect()
    }

    pub fn of_kind(&self, kind: &str) -> &[LiveObject] {
        self.kinds.get(kind).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Sets the live objects of a kind.
    pub fn insert_kind(&mut self, kind: &'static str, objects: Vec<LiveObject>) {
        self.kinds.insert(kind, objects);
        self.index = OnceLock::new();
    }

    /// Puts fresher reads of objects in place of the ones with the same id (objects not
    /// present are dropped): one pass per kind, whatever the number of objects.
    pub fn replace_objects(&mut self, fresh: Vec<(&'static str, LiveObject)>) {
        let mut by_kind: HashMap<&'static str, HashMap<String, LiveObject>> = HashMap::new();
        for (kind, o) in fresh {
            by_kind.entry(kind).or_default().insert(o.id.clone(), o);
        }
        for (kind, mut fresh) in by_kind {
            if let Some(objects) = self.kinds.get_mut(kind) {
                for slot in objects.iter_mut() {
                    if let Some(o) = fresh.remove(&slot.id) {
                        *slot = o;
                    }
                }
            }
        }
        self.index = OnceLock::new();
    }

    /// Live objects of a kind whose key is `key` (more than one means the tenant has
    /// duplicate names, which the planner reports).
    pub fn by_key(&self, kind: &str, key: &str) -> Vec<&LiveObject> {
        let index = self.index();
        self.at(kind, index.by_key.get(kind).and_then(|m| m.get(key)))
    }

    /// Live objects of a kind whose key equals `key` ignoring case.
    pub fn by_key_ignoring_case(&self, kind: &str, key: &str) -> Vec<&LiveObject> {
        let index = self.index();
        self.at(
            kind,
            index
                .by_folded_key
                .get(kind)
                .and_then(|m| m.get(&key.to_lowercase())),
        )
    }

    pub fn by_id(&self, kind: &str, id: &str) -> Option<&LiveObject> {
        let index = self.index();
        let i = *index.by_id.get(kind)?.get(id)?;
        self.of_kind(kind).get(i)
    }
}
