//! A saved plan (`wxcc plan --out FILE`): the plan as data, with what an apply of exactly
//! that plan needs and checks — each change's live id, `version` and `lastUpdatedTime`,
//! the fields it writes, the files it uploads with their digests, the ids of the objects
//! it points at, the org and base URL, the config's content hash and the tool version —
//! sealed by a digest over the content so that a truncated or edited file is refused.
//! No credential is ever part of it. Staleness is judged by each object's `version` and
//! `lastUpdatedTime` (docs/api-notes.md §1.3, §1.4: the API has no ETag). Pure: reading
//! and writing files, and the live reads the check compares against, belong to the caller.

use serde_json::{Map, Value, json};

use super::render::{document, pass_name};
use super::{Action, Budget, Change, FieldDiff, Pass, Plan};
use crate::catalogue::Kind;
use crate::model::{KeyIndex, Live, Upload, content_digest, reference_values};

/// The value of `format` in every saved plan.
pub const FORMAT: &str = "wxcc-plan";
/// The layout of the `plan` member; a file of another layout is refused.
pub const FORMAT_VERSION: u64 = 1;

/// A plan as saved, with what the apply checks before it writes.
#[derive(Clone, Debug)]
pub struct SavedPlan {
    /// The `wxcc` version that made it; only the same version applies it.
    pub tool_version: String,
    pub org: String,
    pub base_url: String,
    /// The config the plan was made from, as given, and the digest of its files.
    pub config_path: String,
    pub config_digest: String,
    /// How many objects the config declared (an empty config's deletes need consent).
    pub declared: usize,
    pub plan: Plan,
    pub pins: Vec<Pin>,
}

/// An object the plan's changes point at and do not create, with the id it had when the
/// plan was made (`None`: a keyed-list entry that did not exist yet).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pin {
    /// The key index it lives in: a kind, or `kind/list` for an entry of a keyed list.
    pub index: String,
    pub key: String,
    pub id: Option<String>,
}

/// Why a file is not a usable saved plan; `at` is the line and column when known.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unusable {
    pub at: Option<(usize, usize)>,
    pub message: String,
}

impl Unusable {
    fn new(message: impl Into<String>) -> Unusable {
        Unusable {
            at: None,
            message: message.into(),
        }
    }
}

/// The references of `plan`'s changes to objects it does not create, with their ids in
/// `live` now.
pub fn pins(plan: &Plan, live: &Live) -> Vec<Pin> {
    let index = KeyIndex::from_live(live);
    let mut pins: Vec<Pin> = Vec::new();
    for change in plan.changes.iter().filter(|c| c.action != Action::Delete) {
        let body = Value::Object(change.fields.clone());
        for (_, reference, key) in reference_values(change.kind, &body) {
            let owner = match reference.within {
                Some(_) => key.split_once('/').map_or(key, |(o, _)| o),
                None => key,
            };
            if creates(plan, reference.target, owner) {
                continue;
            }
            let name = reference.index_name();
            if pins.iter().any(|p| p.index == name && p.key == key) {
                continue;
            }
            pins.push(Pin {
                id: index.id_of(&name, key).map(str::to_string),
                index: name,
                key: key.to_string(),
            });
        }
    }
    pins
}

/// Whether `plan` creates the `kind` object of key `key`.
fn creates(plan: &Plan, kind: &str, key: &str) -> bool {
    plan.changes
        .iter()
        .any(|c| c.action == Action::Create && c.kind.name == kind && c.key == key)
}

/// Each way live state differs from what `saved` was computed from, one line per object:
/// an object it updates or deletes that changed or went since, an object it creates that
/// exists now, an object it points at that is gone or is another object now.
pub fn stale(saved: &SavedPlan, live: &Live) -> Vec<String> {
    let index = KeyIndex::from_live(live);
    let mut out = Vec::new();
    for c in &saved.plan.changes {
        let what = format!("{} `{}`", c.kind.name, c.key);
        match (c.action, &c.live_id) {
            (Action::Create, _) => {
                if let Some(id) = index.id_of(c.kind.name, &c.key) {
                    out.push(format!(
                        "{what} is to be created, but it exists now (id {id})"
                    ));
                } else if index.is_ambiguous(c.kind.name, &c.key) {
                    out.push(format!(
                        "{what} is to be created, but several objects have that key now"
                    ));
                }
            }
            // The second pass's update of an object this plan creates: it has no live id
            // until the apply creates it, and the create's own check above covers it.
            (Action::Update, None) if creates(&saved.plan, c.kind.name, &c.key) => {}
            (_, None) => out.push(format!("{what} has no live id in the saved plan")),
            (_, Some(id)) => match live.by_id(c.kind.name, id) {
                None => out.push(format!(
                    "{what} (id {id}) is to be {}d, but it was deleted since the plan",
                    c.action.word()
                )),
                Some(now) => {
                    let differs =
                        |a: Option<i64>, b: Option<i64>| a.is_some() && b.is_some() && a != b;
                    let version = differs(c.live_version, now.version());
                    let time = differs(c.live_last_updated, now.last_updated());
                    if version || time || (c.live_version.is_some() && now.version().is_none()) {
                        out.push(format!(
                            "{what} changed since the plan ({} → {})",
                            seen(c.live_version, c.live_last_updated),
                            seen(now.version(), now.last_updated())
                        ));
                    }
                }
            },
        }
    }
    for pin in &saved.pins {
        let now = index.id_of(&pin.index, &pin.key);
        if now == pin.id.as_deref() {
            continue;
        }
        let target = format!("{} `{}`, which the plan points at,", pin.index, pin.key);
        out.push(match (&pin.id, now) {
            (Some(was), Some(id)) => format!("{target} is another object now (id {was} → {id})"),
            (Some(was), None) => format!("{target} is gone (it was id {was})"),
            (None, Some(id)) => format!("{target} exists now (id {id}) but did not then"),
            (None, None) => continue,
        });
    }
    out
}

fn seen(version: Option<i64>, last_updated: Option<i64>) -> String {
    match (version, last_updated) {
        (Some(v), Some(t)) => format!("version {v}, last updated {t}"),
        (Some(v), None) => format!("version {v}"),
        (None, Some(t)) => format!("last updated {t}"),
        (None, None) => "no version".into(),
    }
}

/// The saved file: `format`, `formatVersion`, `digest` over the compact JSON of `plan`,
/// and `plan` (the JSON rendering's content plus what apply needs).
pub fn to_json(saved: &SavedPlan) -> String {
    let mut body = document(&saved.plan);
    let changes: Vec<Value> = saved.plan.changes.iter().map(change_extra).collect();
    if let Some(map) = body.as_object_mut() {
        if let Some(Value::Array(rendered)) = map.get_mut("changes") {
            for (shown, extra) in rendered.iter_mut().zip(changes) {
                if let (Some(shown), Value::Object(extra)) = (shown.as_object_mut(), extra) {
                    shown.extend(extra);
                }
            }
        }
        let mut head = Map::new();
        head.insert("toolVersion".into(), json!(saved.tool_version));
        head.insert("org".into(), json!(saved.org));
        head.insert("baseUrl".into(), json!(saved.base_url));
        head.insert(
            "config".into(),
            json!({"path": saved.config_path, "digest": saved.config_digest, "declared": saved.declared}),
        );
        head.extend(std::mem::take(map));
        head.insert(
            "references".into(),
            Value::Array(
                saved
                    .pins
                    .iter()
                    .map(|p| json!({"index": p.index, "key": p.key, "id": p.id}))
                    .collect(),
            ),
        );
        *map = head;
    }
    let digest = seal(&body);
    let file = json!({
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "digest": digest,
        "plan": body,
    });
    let mut text = serde_json::to_string_pretty(&file).unwrap_or_default();
    text.push('\n');
    text
}

/// The digest that seals a plan body: `sha256:` over its compact JSON.
fn seal(body: &Value) -> String {
    content_digest(serde_json::to_string(body).unwrap_or_default().as_bytes())
}

/// What a change carries beyond its rendering: the fields it writes, the live object it
/// was computed from and the files it uploads.
fn change_extra(c: &Change) -> Value {
    json!({
        "fields": c.fields,
        "live": c.live,
        "liveComplete": c.live_complete,
        "uploads": c.uploads.iter().map(|u| json!({
            "field": u.field,
            "path": u.path.to_string_lossy(),
            "digest": u.digest,
        })).collect::<Vec<_>>(),
    })
}

/// Reads a saved plan: refuses what is not one, a truncated file, another format version,
/// and a file whose content does not match its digest (edited after it was saved).
pub fn from_json(text: &str) -> Result<SavedPlan, Unusable> {
    let file: Value = serde_json::from_str(text).map_err(|e| Unusable {
        at: Some((e.line(), e.column())),
        message: if e.is_eof() {
            "the file ends early: it is truncated, not a whole saved plan".into()
        } else {
            format!("not valid JSON ({e}), so not a saved plan")
        },
    })?;
    if file.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(Unusable::new(format!(
            "not a saved wxcc plan: it has no `\"format\": \"{FORMAT}\"` (save one with `wxcc plan PATH --out FILE`)"
        )));
    }
    let version = file.get("formatVersion").and_then(Value::as_u64);
    if version != Some(FORMAT_VERSION) {
        return Err(Unusable::new(format!(
            "a saved plan of format version {}, but this wxcc reads version {FORMAT_VERSION}; plan again with this wxcc",
            version.map_or("(none)".to_string(), |v| v.to_string())
        )));
    }
    let body = file
        .get("plan")
        .ok_or_else(|| Unusable::new("the saved plan has no `plan` member"))?;
    let digest = file.get("digest").and_then(Value::as_str).unwrap_or("");
    if seal(body) != digest {
        return Err(Unusable::new(
            "its content does not match its digest: the file was edited or damaged after it was saved. A saved plan is applied exactly as reviewed or not at all; run `wxcc plan PATH --out FILE` again instead of editing it",
        ));
    }
    parse_body(body).map_err(|m| Unusable::new(format!("the saved plan is malformed: {m}")))
}

fn parse_body(body: &Value) -> Result<SavedPlan, String> {
    let text = |v: &Value, field: &str| -> Result<String, String> {
        v.get(field)
            .and_then(Value::as_str)
            .map(str::to_string)
            .ok_or_else(|| format!("`{field}` is missing or not text"))
    };
    let config = body.get("config").cloned().unwrap_or(Value::Null);
    let changes = body
        .get("changes")
        .and_then(Value::as_array)
        .ok_or("`changes` is missing")?
        .iter()
        .enumerate()
        .map(|(n, c)| parse_change(c).map_err(|m| format!("change {}: {m}", n + 1)))
        .collect::<Result<Vec<_>, _>>()?;
    let pins = body
        .get("references")
        .and_then(Value::as_array)
        .ok_or("`references` is missing")?
        .iter()
        .map(|p| {
            Ok(Pin {
                index: text(p, "index")?,
                key: text(p, "key")?,
                id: p.get("id").and_then(Value::as_str).map(str::to_string),
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(SavedPlan {
        tool_version: text(body, "toolVersion")?,
        org: text(body, "org")?,
        base_url: text(body, "baseUrl")?,
        config_path: text(&config, "path")?,
        config_digest: text(&config, "digest")?,
        declared: config
            .get("declared")
            .and_then(Value::as_u64)
            .ok_or("`config.declared` is missing")? as usize,
        plan: Plan {
            changes,
            budget: body.get("budget").and_then(|b| {
                Some(Budget {
                    requests: usize::try_from(b.get("requests")?.as_u64()?).ok()?,
                    per_minute: u32::try_from(b.get("ratePerMinute")?.as_u64()?).ok()?,
                })
            }),
        },
        pins,
    })
}

fn parse_change(c: &Value) -> Result<Change, String> {
    let text = |field: &str| c.get(field).and_then(Value::as_str);
    let kind_name = text("kind").ok_or("`kind` is missing")?;
    let kind = Kind::named(kind_name).ok_or_else(|| format!("unknown kind `{kind_name}`"))?;
    let action = match text("action") {
        Some("create") => Action::Create,
        Some("update") => Action::Update,
        Some("delete") => Action::Delete,
        other => return Err(format!("unknown action {other:?}")),
    };
    let pass = [Pass::Main, Pass::BackLinks, Pass::Cleanup]
        .into_iter()
        .find(|p| Some(pass_name(*p)) == text("pass"))
        .ok_or("unknown `pass`")?;
    let object = |field: &str| c.get(field).and_then(Value::as_object).cloned();
    let diffs = c
        .get("diffs")
        .and_then(Value::as_array)
        .ok_or("`diffs` is missing")?
        .iter()
        .map(|d| FieldDiff {
            path: d
                .get("path")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            before: d.get("before").filter(|v| !v.is_null()).cloned(),
            after: d.get("after").filter(|v| !v.is_null()).cloned(),
        })
        .collect();
    let uploads = c
        .get("uploads")
        .and_then(Value::as_array)
        .ok_or("`uploads` is missing")?
        .iter()
        .map(|u| {
            let part = |f: &str| {
                u.get(f)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| format!("an upload has no `{f}`"))
            };
            Ok(Upload {
                field: part("field")?,
                path: part("path")?.into(),
                digest: part("digest")?,
            })
        })
        .collect::<Result<Vec<_>, String>>()?;
    Ok(Change {
        kind,
        key: text("key").ok_or("`key` is missing")?.to_string(),
        action,
        pass,
        live_id: text("id").map(str::to_string),
        live_version: c.get("version").and_then(Value::as_i64),
        live_last_updated: c.get("lastUpdatedTime").and_then(Value::as_i64),
        renamed_from: text("renamedFrom").map(str::to_string),
        diffs,
        fields: object("fields").ok_or("`fields` is missing")?,
        live: object("live"),
        live_complete: c
            .get("liveComplete")
            .and_then(Value::as_bool)
            .unwrap_or(false),
        uploads,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::LiveObject;

    fn site(id: &str, name: &str, version: i64) -> LiveObject {
        let kind = Kind::named("site").expect("site");
        let body = json!({"id": id, "name": name, "version": version, "lastUpdatedTime": 10});
        LiveObject::from_body(kind, body.as_object().cloned().unwrap_or_default()).expect("object")
    }

    fn saved() -> SavedPlan {
        let site_kind = Kind::named("site").expect("site");
        let team = Kind::named("team").expect("team");
        let mut fields = Map::new();
        fields.insert("siteId".into(), json!("Chicago"));
        let update = Change {
            kind: site_kind,
            key: "Dublin".into(),
            action: Action::Update,
            pass: Pass::Main,
            live_id: Some("s2".into()),
            live_version: Some(1),
            live_last_updated: Some(10),
            renamed_from: None,
            diffs: vec![FieldDiff {
                path: "description".into(),
                before: Some(json!("a")),
                after: Some(json!("b")),
            }],
            fields: Map::new(),
            live: None,
            live_complete: true,
            uploads: Vec::new(),
        };
        let create = Change {
            kind: team,
            key: "T1".into(),
            action: Action::Create,
            live_id: None,
            live_version: None,
            live_last_updated: None,
            fields,
            ..update.clone()
        };
        let plan = Plan {
            changes: vec![update, create],
            budget: None,
        };
        let mut live = Live::default();
        live.kinds.insert(
            "site",
            vec![site("s1", "Chicago", 1), site("s2", "Dublin", 1)],
        );
        SavedPlan {
            tool_version: "1.0.0".into(),
            org: "org".into(),
            base_url: "https://api".into(),
            config_path: "acme".into(),
            config_digest: "sha256:00".into(),
            declared: 2,
            pins: pins(&plan, &live),
            plan,
        }
    }

    #[test]
    fn round_trips_and_pins_what_it_points_at() {
        let saved = saved();
        assert_eq!(
            saved.pins,
            vec![Pin {
                index: "site".into(),
                key: "Chicago".into(),
                id: Some("s1".into())
            }]
        );
        let back = from_json(&to_json(&saved)).expect("reads back");
        assert_eq!(back.plan.changes.len(), 2);
        assert_eq!(back.plan.changes[1].fields["siteId"], "Chicago");
        assert_eq!(back.pins, saved.pins);
        assert_eq!(to_json(&back), to_json(&saved));
    }

    #[test]
    fn an_edit_breaks_the_seal() {
        let text = to_json(&saved()).replace("\"Dublin\"", "\"Dub1in\"");
        let e = from_json(&text).expect_err("edited");
        assert!(e.message.contains("does not match its digest"), "{e:?}");
    }

    #[test]
    fn truncation_is_named() {
        let text = to_json(&saved());
        let e = from_json(&text[..text.len() / 2]).expect_err("truncated");
        assert!(e.message.contains("truncated"), "{e:?}");
        assert!(e.at.is_some());
    }

    #[test]
    fn stale_names_changed_gone_and_repointed_objects() {
        let saved = saved();
        let mut live = Live::default();
        live.kinds.insert(
            "site",
            vec![site("s9", "Chicago", 1), site("s2", "Dublin", 2)],
        );
        let found = stale(&saved, &live);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].contains("site `Dublin` changed since the plan (version 1"));
        assert!(
            found[1].contains("site `Chicago`, which the plan points at, is another object now")
        );
        live.kinds.insert(
            "site",
            vec![site("s1", "Chicago", 1), site("s2", "Dublin", 1)],
        );
        assert!(stale(&saved, &live).is_empty());
    }

    /// An update without a live id passes only as the second pass of an object the same
    /// plan creates; any other (a saved plan edited and sealed again by hand) is stale,
    /// named, and nothing of the plan is sent.
    #[test]
    fn an_update_without_a_live_id_passes_only_for_an_object_the_plan_creates() {
        let mut saved = saved();
        let live = {
            let mut live = Live::default();
            live.kinds.insert(
                "site",
                vec![site("s1", "Chicago", 1), site("s2", "Dublin", 1)],
            );
            live
        };
        let back_link = Change {
            action: Action::Update,
            pass: Pass::BackLinks,
            ..saved.plan.changes[1].clone()
        };
        saved.plan.changes.push(back_link);
        assert!(stale(&saved, &live).is_empty());
        saved.plan.changes[0].live_id = None;
        let found = stale(&saved, &live);
        assert_eq!(
            found,
            vec!["site `Dublin` has no live id in the saved plan".to_string()]
        );
    }
}
