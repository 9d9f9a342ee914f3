//! What a new tenant starts with (config-api.md §1.11: system-default site `Site-1`, team
//! `Team-1`, and a default multimedia profile), and the built-in quick-start OAuth client.

use serde_json::{Map, Value, json};

use super::http::now_ms;
use super::store::{OAuthClient, Org, State};
use super::{QUICKSTART_CLIENT_ID, QUICKSTART_REDIRECT_URI};

/// Makes sure the state has a default org and the quick-start client.
pub fn ensure_ready(state: &mut State) {
    if state.default_org.is_empty() || !state.orgs.contains_key(&state.default_org) {
        let org = new_org(state, "Emulated Contact Center");
        state.default_org = org;
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
    let mut org = Org {
        name: name.to_string(),
        objects: Default::default(),
    };
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
    state.orgs.insert(org_id.clone(), org);
    org_id
}

fn insert(org: &mut Org, org_id: &str, kind: &str, fields: Value) -> String {
    let id = uuid::Uuid::new_v4().to_string();
    let now = now_ms();
    let mut object = Map::new();
    object.insert("organizationId".into(), json!(org_id));
    object.insert("id".into(), json!(id));
    object.insert("version".into(), json!(0));
    if let Value::Object(f) = fields {
        object.extend(f);
    }
    object.insert("systemDefault".into(), json!(true));
    object.insert("createdTime".into(), json!(now));
    object.insert("lastUpdatedTime".into(), json!(now));
    org.objects
        .entry(kind.to_string())
        .or_default()
        .insert(id.clone(), Value::Object(object));
    id
}
