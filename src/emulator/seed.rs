//! What a new tenant starts with (docs/api-notes.md §1.11: system-default site `Site-1`, team
//! `Team-1`, a default multimedia profile, and the rest in `seed_defaults`), the users and
//! Calling numbers made outside the config API (`directory`), and the built-in quick-start
//! OAuth client.

use serde_json::{Map, Value, json};

use super::http::now_ms;
use super::store::{OAuthClient, Org, State};
use super::{QUICKSTART_CLIENT_ID, QUICKSTART_REDIRECT_URI, directory, seed_defaults};

/// Makes sure the state has a default org and the quick-start client, and that orgs from
/// a state file written before the other defaults existed get them.
pub fn ensure_ready(state: &mut State) {
    if state.default_org.is_empty() || !state.orgs.contains_key(&state.default_org) {
        let org = new_org(state, "Emulated Contact Center");
        state.default_org = org;
    }
    for (org_id, org) in state.orgs.iter_mut() {
        if !org.has_kind("work-type") {
            seed_defaults::add(org, org_id);
            directory::seed(org, org_id);
        }
    }
    let default_org = state.default_org.clone();
    state
        .clients
        .entry(QUICKSTART_CLIENT_ID.to_string())
        .or_insert_with(|| OAuthClient {
            secret: random_secret(),
            redirect_uris: vec![
                QUICKSTART_REDIRECT_URI.to_string(),
                "http://localhost:8765/callback".to_string(),
            ],
            org: default_org,
            scopes: Vec::new(),
            application_id: None,
            authorized_orgs: Vec::new(),
        });
}

pub fn random_secret() -> String {
    format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Creates an org with a new tenant's defaults and returns its id.
pub fn new_org(state: &mut State, name: &str) -> String {
    let org_id = uuid::Uuid::new_v4().to_string();
    let mut org = Org::default();
    org.name = name.to_string();
    let mmp = insert(
        &mut org,
        &org_id,
        "multimedia-profile",
        json!({
            "name": "Default Multimedia Profile",
            "description": "System default multimedia profile",
            "telephony": 1, "chat": 0, "email": 0, "social": 0,
            "active": true, "blendingModeEnabled": false, "blendingMode": "EXCLUSIVE",
            "manuallyAssignable": {"telephony": 1, "chat": 0, "email": 0, "social": 0},
        }),
    );
    let site = insert(
        &mut org,
        &org_id,
        "site",
        json!({
            "name": "Site-1", "active": true, "multimediaProfileId": mmp,
        }),
    );
    insert(
        &mut org,
        &org_id,
        "team",
        json!({
            "name": "Team-1", "active": true, "siteId": site, "teamType": "AGENT",
            "teamStatus": "IN_SERVICE", "rankQueuesForTeam": false,
        }),
    );
    seed_defaults::add(&mut org, &org_id);
    directory::seed(&mut org, &org_id);
    state.orgs.insert(org_id.clone(), org);
    org_id
}

/// Stores a system-default object and returns its id.
pub fn insert(org: &mut Org, org_id: &str, kind: &str, fields: Value) -> String {
    insert_with(org, org_id, kind, fields, true)
}

/// Stores an object as the platform made it and returns its id.
pub fn insert_with(
    org: &mut Org,
    org_id: &str,
    kind: &str,
    fields: Value,
    system_default: bool,
) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let mut object = Map::new();
    object.insert("organizationId".into(), json!(org_id));
    object.insert("id".into(), json!(id));
    object.insert("version".into(), json!(0));
    if let Value::Object(f) = fields {
        object.extend(f);
    }
    object.insert("systemDefault".into(), json!(system_default));
    object.insert("createdTime".into(), json!(now));
    object.insert("lastUpdatedTime".into(), json!(now));
    org.put(kind, &id, Value::Object(object));
    id
}

/// A new sub-entity id.
pub fn new_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_org_from_an_older_state_file_gets_the_new_defaults() {
        let mut state = State::default();
        ensure_ready(&mut state);
        let org_id = state.default_org.clone();
        // What an org looked like before the other defaults existed.
        if let Some(org) = state.orgs.get_mut(&org_id) {
            let dropped: Vec<String> = org
                .objects()
                .keys()
                .filter(|kind| !matches!(kind.as_str(), "multimedia-profile" | "site" | "team"))
                .cloned()
                .collect();
            for kind in dropped {
                org.remove_kind(&kind);
            }
            org.calling_numbers.clear();
            org.blobs.clear();
        }
        ensure_ready(&mut state);
        let org = state.orgs.get(&org_id);
        assert_eq!(org.map(|o| o.all("work-type").count()), Some(2));
        assert_eq!(org.map(|o| o.all("user").count()), Some(9));
        assert_eq!(org.map(|o| o.calling_numbers.len()), Some(100));
        assert_eq!(org.map(|o| o.all("contact-service-queue").count()), Some(2));
        assert_eq!(org.map(|o| o.blobs.len()), Some(1));
    }
}
