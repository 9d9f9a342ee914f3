//! How the emulated service treats each kind: paths and versions, the DTO its bodies must
//! follow, the fields that point at other objects (checked on write, guarded on delete),
//! uniqueness, immutable fields, server defaults and derived fields. Written from
//! `../shared/wxcc-api/config-api.md` and the official spec, independently of the client's
//! catalogue, so that a misunderstanding on one side cannot hide behind the same one on
//! the other.

use serde_json::{Map, Value, json};

/// A field holding another object's id.
pub struct RefRule {
    /// Dotted path, `[]` for each element (`callDistributionGroups[].agentGroups[].teamId`).
    pub path: &'static str,
    pub target: &'static str,
}

pub struct KindRule {
    pub name: &'static str,
    pub dto: &'static str,
    /// Version prefix of the enveloped list (`v2`; `v3` for user-profile).
    pub list_version: &'static str,
    /// Whether the unprefixed list (bare JSON array) exists, and whether it pages.
    pub v1_list: V1List,
    pub refs: &'static [RefRule],
    /// Names are unique per org, or within the value of this field (team: per site).
    pub unique_within: Option<&'static str>,
    /// Fields that cannot change after create (400 "This configuration cannot be changed").
    pub immutable: &'static [&'static str],
    /// Fields filled by the server when a create leaves them out.
    pub defaults: fn() -> Map<String, Value>,
    /// Whether `POST …/bulk` may update (SAVE with an id).
    pub bulk_update: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum V1List {
    None,
    Paged,
    Unpaged,
}

fn no_defaults() -> Map<String, Value> {
    Map::new()
}

fn team_defaults() -> Map<String, Value> {
    // A team created without a ranking choice does not rank queues (§3.21).
    json!({"rankQueuesForTeam": false})
        .as_object()
        .cloned()
        .unwrap_or_default()
}

pub static KINDS: &[KindRule] = &[
    KindRule {
        name: "multimedia-profile",
        dto: "MultimediaProfileDTO",
        list_version: "v2",
        v1_list: V1List::Paged,
        refs: &[],
        unique_within: None,
        immutable: &[],
        defaults: no_defaults,
        bulk_update: false,
    },
    KindRule {
        name: "site",
        dto: "SiteDTO",
        list_version: "v2",
        v1_list: V1List::Unpaged,
        refs: &[RefRule {
            path: "multimediaProfileId",
            target: "multimedia-profile",
        }],
        unique_within: None,
        immutable: &[],
        defaults: no_defaults,
        bulk_update: false,
    },
    KindRule {
        name: "team",
        dto: "TeamDTO",
        list_version: "v2",
        v1_list: V1List::Paged,
        refs: &[
            RefRule {
                path: "siteId",
                target: "site",
            },
            RefRule {
                path: "multiMediaProfileId",
                target: "multimedia-profile",
            },
        ],
        unique_within: Some("siteId"),
        immutable: &["teamType"],
        defaults: team_defaults,
        bulk_update: false,
    },
];

pub fn kind(name: &str) -> Option<&'static KindRule> {
    KINDS.iter().find(|k| k.name == name)
}

/// The emulator's corrections to the official schemas, each with its evidence. The live
/// service, not the document, is what the emulator imitates.
pub fn fix_schemas(definitions: &mut Map<String, Value>) {
    // §3.2: a live multimedia-profile create without `manuallyAssignable` is a 400, and
    // `blendingMode` takes only three values.
    if let Some(s) = definitions.get_mut("MultimediaProfileDTO") {
        push_required(s, "manuallyAssignable");
        if let Some(p) = s
            .pointer_mut("/properties/blendingMode")
            .and_then(Value::as_object_mut)
        {
            p.insert(
                "enum".into(),
                json!(["BLENDED", "BLENDED_REALTIME", "EXCLUSIVE"]),
            );
        }
    }
    // §3.21: live team creates need name, active, siteId, teamStatus, teamType only.
    if let Some(Value::Array(req)) = definitions
        .get_mut("TeamDTO")
        .and_then(|s| s.get_mut("required"))
    {
        req.retain(|f| f != "rankQueuesForTeam");
    }
    // §3.12 / §3.10: `[a-zA-Z\d-_\s]` is Java's reading of the site and resource-collection
    // name classes (`-` literal); ECMA-262 engines refuse the class as written.
    for schema in definitions.values_mut() {
        rewrite_patterns(schema);
    }
}

fn push_required(schema: &mut Value, field: &str) {
    if let Some(map) = schema.as_object_mut() {
        let list = map.entry("required").or_insert_with(|| json!([]));
        if let Some(list) = list.as_array_mut()
            && !list.iter().any(|f| f == field)
        {
            list.push(json!(field));
        }
    }
}

fn rewrite_patterns(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(p)) = map.get_mut("pattern") {
                *p = p.replace(r"\d-_", r"\d\-_");
            }
            for (k, v) in map.iter_mut() {
                if k != "pattern" {
                    rewrite_patterns(v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_patterns),
        _ => {}
    }
}
