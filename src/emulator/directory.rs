//! What an org has from outside the config API: its Webex users (created in Control Hub /
//! Common Identity; the API can only read and update them, §3.24) and its Webex Calling
//! number inventory (a dial-number may only map one of these numbers, §3.20). Seeded for a
//! new org and extended through the `/_emulator/` admin controls.

use serde_json::{Map, Value, json};

use super::seed::insert_with;
use super::seed_defaults::{AGENT_USER_PROFILE, DESKTOP_PROFILE};
use super::store::Org;

/// The users a new org has, all agents of `Site-1` / `Team-1`.
pub const SEED_USERS: &[&str] = &[
    "admin@example.com",
    "ana.lopez@example.com",
    "ben.okafor@example.com",
    "chen.wei@example.com",
    "dana.kim@example.com",
    "eli.haddad@example.com",
    "fay.morgan@example.com",
    "gus.novak@example.com",
    "hana.sato@example.com",
];

/// Seeds the users and the Calling inventory (`+13125550100`…`149`, `+35315550100`…`149`).
pub fn seed(org: &mut Org, org_id: &str) {
    for email in SEED_USERS {
        let mut fields = Map::new();
        fields.insert("email".into(), json!(email));
        // The seed list holds no duplicates, so this cannot fail.
        let _ = add_user(org, org_id, fields);
    }
    let numbers: Vec<String> = ["+1312555", "+3531555"]
        .iter()
        .flat_map(|prefix| (100..150).map(move |n| format!("{prefix}0{n}")))
        .collect();
    add_numbers(org, &numbers);
}

/// Why a user could not be added.
pub enum Refused {
    NoEmail,
    Taken(String),
}

impl std::fmt::Display for Refused {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refused::NoEmail => write!(f, "a user needs an email address"),
            Refused::Taken(email) => write!(f, "a user with email {email} exists"),
        }
    }
}

/// Adds a user the way Control Hub would: `email` is required; the names come from the
/// email unless given; the user is an agent of `Site-1` on `Team-1` with the `Premium
/// Agent` user profile and the default desktop profile unless the fields say otherwise.
pub fn add_user(org: &mut Org, org_id: &str, fields: Map<String, Value>) -> Result<Value, Refused> {
    let email = fields
        .get("email")
        .and_then(Value::as_str)
        .filter(|e| e.contains('@'))
        .ok_or(Refused::NoEmail)?
        .to_string();
    let taken = org
        .first_where("user", "email", &email, |e| e.eq_ignore_ascii_case(&email))
        .is_some();
    if taken {
        return Err(Refused::Taken(email));
    }
    let (first, last) = names_from(&email);
    let mut user = Map::new();
    user.insert("email".into(), json!(email));
    user.insert("firstName".into(), json!(first));
    user.insert("lastName".into(), json!(last));
    user.insert("ciUserId".into(), json!(uuid::Uuid::new_v4().to_string()));
    user.insert("contactCenterEnabled".into(), json!(true));
    user.insert("active".into(), json!(true));
    let defaults = [
        ("siteId", org.id_where("site", "name", "Site-1")),
        (
            "userProfileId",
            org.id_where("user-profile", "name", AGENT_USER_PROFILE),
        ),
        (
            "agentProfileId",
            org.id_where("agent-profile", "name", DESKTOP_PROFILE),
        ),
    ];
    for (field, id) in defaults {
        if let Some(id) = id {
            user.insert(field.into(), json!(id));
        }
    }
    if let Some(team) = org.id_where("team", "name", "Team-1") {
        user.insert("teamIds".into(), json!([team]));
    }
    for (k, v) in fields {
        if !matches!(
            k.as_str(),
            "id" | "organizationId" | "version" | "systemDefault"
        ) {
            user.insert(k, v);
        }
    }
    let id = insert_with(org, org_id, "user", Value::Object(user), false);
    Ok(org.get("user", &id).cloned().unwrap_or(Value::Null))
}

/// Adds numbers to the Calling inventory; returns the ones that were new.
pub fn add_numbers(org: &mut Org, numbers: &[String]) -> Vec<String> {
    let mut added = Vec::new();
    for n in numbers {
        if !org.calling_numbers.contains(n) {
            org.calling_numbers.push(n.clone());
            added.push(n.clone());
        }
    }
    added
}

/// `ana.lopez@…` → (`Ana`, `Lopez`); the administrator is Ada Admin.
fn names_from(email: &str) -> (String, String) {
    let local = email.split('@').next().unwrap_or_default();
    if local == "admin" {
        return ("Ada".into(), "Admin".into());
    }
    let mut parts = local
        .split(['.', '_', '-'])
        .filter(|p| !p.is_empty())
        .map(capitalised);
    let first = parts.next().unwrap_or_else(|| "User".into());
    let rest: Vec<String> = parts.collect();
    let last = if rest.is_empty() {
        "User".to_string()
    } else {
        rest.join(" ")
    };
    (first, last)
}

fn capitalised(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_come_from_the_email() {
        assert_eq!(
            names_from("ana.lopez@example.com"),
            ("Ana".into(), "Lopez".into())
        );
        assert_eq!(
            names_from("admin@example.com"),
            ("Ada".into(), "Admin".into())
        );
        assert_eq!(
            names_from("solo@example.com"),
            ("Solo".into(), "User".into())
        );
    }
}
