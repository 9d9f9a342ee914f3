//! The emulator behaves like the service: schema-checked bodies with the real error
//! shape, bearer auth, referential integrity, paging, the quick start and `emulator serve`.

use serde_json::{Value, json};

use crate::harness::{Env, contains_all};

#[test]
fn a_body_that_breaks_the_dto_gets_the_real_error_shape() {
    let env = Env::new();
    let (status, body) = env.api(
        "POST",
        &env.org_path("site"),
        Some(json!({"name": "Chicago/HQ", "active": true})),
    );
    assert_eq!(status, 400);
    assert!(
        body["trackingId"]
            .as_str()
            .is_some_and(|t| t.starts_with("test_")),
        "{body}"
    );
    assert_eq!(body["error"]["key"], "400");
    let reason = body["error"]["reason"].as_str().expect("reason");
    assert!(
        reason.contains("multimediaProfileId: must not be null"),
        "{reason}"
    );
    assert!(reason.contains("name: must match"), "{reason}");
    assert_eq!(body["error"]["message"][0]["description"], reason);
    let (status, body) = env.api(
        "POST",
        &env.org_path("site"),
        Some(json!({"name": "X", "active": "yes", "multimediaProfileId": "m"})),
    );
    assert_eq!(status, 400);
    assert!(
        body["error"]["reason"]
            .as_str()
            .is_some_and(|r| r
                .starts_with("Bad payload: Cannot deserialize value of type `java.lang.Boolean`")),
        "{body}"
    );
}

#[test]
fn a_whole_number_beyond_the_java_type_is_a_bad_payload() {
    // Found by the mutation test (differential_mutations.rs): `social` is an int32, and the
    // emulator stored 2147483648 the client refuses.
    let env = Env::new();
    let profile = |social: Value| {
        json!({"name": "P", "active": true, "blendingModeEnabled": false, "blendingMode": "EXCLUSIVE",
            "telephony": 1, "chat": 0, "email": 0, "social": social,
            "manuallyAssignable": {"telephony": 1, "chat": 0, "email": 0, "social": 0}})
    };
    let path = env.org_path("multimedia-profile");
    let (status, body) = env.api("POST", &path, Some(profile(json!(2147483648u64))));
    assert_eq!(status, 400, "{body}");
    let reason = body["error"]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with("Bad payload: Numeric value (2147483648) out of range of int"),
        "{reason}"
    );
    assert!(
        env.live("multimedia-profile")
            .iter()
            .all(|p| p["name"] != "P")
    );
    let (status, body) = env.api("POST", &path, Some(profile(json!(2147483647))));
    assert_eq!(status, 201, "{body}");
}

#[test]
fn unknown_token_is_401_and_missing_header_is_400() {
    let env = Env::new();
    let (status, body) =
        env.api_with_token("GET", &env.org_path("v2/site"), None, Some("not-a-token"));
    assert_eq!(status, 401);
    assert_eq!(body["error"]["key"], "401");
    let (status, _) = env.api_with_token("GET", &env.org_path("v2/site"), None, None);
    assert_eq!(status, 400);
    let (status, _) = env.api(
        "GET",
        "/organization/00000000-0000-0000-0000-000000000000/v2/site",
        None,
    );
    assert_eq!(status, 403, "a token for one org cannot read another");
}

#[test]
fn deleting_a_referenced_site_is_412() {
    let env = Env::new();
    let site = env.live_named("site", "Site-1");
    let mmp = env.live_named("multimedia-profile", "Default Multimedia Profile");
    let (status, created) = env.api(
        "POST",
        &env.org_path("site"),
        Some(json!({"name": "Austin", "active": true, "multimediaProfileId": mmp["id"]})),
    );
    assert_eq!(status, 201);
    assert_eq!(created["version"], 0);
    assert_eq!(created["organizationId"], env.org.as_str());
    let (status, _) = env.api("POST", &env.org_path("team"), Some(json!({"name": "T", "active": true, "siteId": created["id"], "teamType": "AGENT", "teamStatus": "IN_SERVICE"})));
    assert_eq!(status, 201);
    let (status, body) = env.api(
        "DELETE",
        &env.org_path(&format!("site/{}", created["id"].as_str().expect("id"))),
        None,
    );
    assert_eq!(status, 412);
    assert_eq!(body["error"]["referencedEntities"], json!(["team"]));
    let (status, _) = env.api(
        "DELETE",
        &env.org_path(&format!(
            "multimedia-profile/{}",
            mmp["id"].as_str().expect("id")
        )),
        None,
    );
    assert_eq!(status, 400, "system defaults cannot be deleted");
    let (status, _) = env.api(
        "GET",
        &env.org_path(&format!("v2/site/{}", site["id"].as_str().expect("id"))),
        None,
    );
    assert_eq!(status, 404, "item paths carry no version prefix");
    let (status, body) = env.api("POST", &env.org_path("v2/site"), Some(json!({})));
    assert_eq!(status, 405);
    assert_eq!(
        body["error"], "Method Not Allowed",
        "unknown routes answer with Spring's body"
    );
}

#[test]
fn names_are_unique_and_lists_page() {
    let env = Env::new();
    let mmp = env.live_named("multimedia-profile", "Default Multimedia Profile");
    for name in ["A", "B", "C"] {
        let (status, _) = env.api(
            "POST",
            &env.org_path("site"),
            Some(json!({"name": name, "active": true, "multimediaProfileId": mmp["id"]})),
        );
        assert_eq!(status, 201);
    }
    let (status, body) = env.api(
        "POST",
        &env.org_path("site"),
        Some(json!({"name": "a", "active": true, "multimediaProfileId": mmp["id"]})),
    );
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["error"]["reason"], "Similar entity is already present");
    let (status, page) = env.api("GET", &env.org_path("v2/site?page=1&pageSize=2"), None);
    assert_eq!(status, 200);
    assert_eq!(page["meta"]["totalRecords"], 4);
    assert_eq!(page["meta"]["totalPages"], 2);
    assert_eq!(page["meta"]["page"], 1);
    assert_eq!(page["data"].as_array().map(Vec::len), Some(2));
    assert!(
        page["meta"]["links"].get("next").is_none(),
        "no next link on the last page"
    );
    assert!(
        page["meta"]["links"]["prev"]
            .as_str()
            .is_some_and(|l| l.starts_with(&format!("/organization/{}/v2/site?page=0", env.org)))
    );
    env.admin("PUT", "/settings", Some(json!({"maxPageSize": 3})));
    let (_, clamped) = env.api("GET", &env.org_path("v2/site?pageSize=500"), None);
    assert_eq!(
        clamped["meta"]["pageSize"], 3,
        "oversized pages are clamped silently"
    );
    let (_, filtered) = env.api(
        "GET",
        &env.org_path("v2/site?filter=name%3D%3D%22B%22"),
        None,
    );
    assert_eq!(filtered["meta"]["totalRecords"], 1);
    let (_, bare) = env.api("GET", &env.org_path("site"), None);
    assert_eq!(
        bare.as_array().map(Vec::len),
        Some(4),
        "the v1 list is a bare array"
    );
}

#[test]
fn bulk_answers_207_per_item() {
    let env = Env::new();
    let mmp = env.live_named("multimedia-profile", "Default Multimedia Profile");
    let site = env.live_named("site", "Site-1");
    let (status, body) = env.api(
        "POST",
        &env.org_path("site/bulk"),
        Some(json!({"items": [
            {"itemIdentifier": 1, "requestAction": "SAVE", "item": {"organizationId": env.org, "name": "Bulk", "active": true, "multimediaProfileId": mmp["id"]}},
            {"itemIdentifier": 2, "requestAction": "SAVE", "item": {"id": site["id"], "name": "Renamed", "active": true, "multimediaProfileId": mmp["id"]}},
            {"itemIdentifier": 3, "requestAction": "DELETE", "item": {"id": site["id"]}},
        ]})),
    );
    assert_eq!(status, 207);
    let items = body["items"].as_array().expect("items");
    assert_eq!(items[0]["status"], 201);
    assert_eq!(items[0]["operationType"], "CREATE");
    assert_eq!(items[1]["status"], 400);
    assert_eq!(
        items[1]["apiError"]["error"]["reason"],
        "New configuration cannot have an id"
    );
    assert_eq!(
        items[2]["apiError"]["error"]["reason"],
        "Cannot Update/Delete system generated Entities"
    );
}

#[test]
fn the_quick_start_runs_on_the_embedded_emulator() {
    let env = Env::new();
    env.copy_example("acme");
    let run = env
        .wxcc_bare(&["apply", "acme", "--emulator", "--auto-approve"])
        .expect(0);
    contains_all(
        &run.stdout,
        &["Apply complete: 11 created, 0 updated, 0 deleted."],
    );
    let state = std::fs::read_to_string(env.path().join(".wxcc/emulator.json"))
        .expect("state under .wxcc/");
    assert!(state.contains("Billing Tier 2"));
    let plan = env
        .wxcc_bare(&["plan", "acme", "--emulator", "--detailed-exitcode"])
        .expect(0);
    assert_eq!(plan.stdout, "No changes.\n");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.path().join(".wxcc/emulator.json"))
            .expect("meta")
            .permissions()
            .mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the state file holds tokens and is private"
        );
    }
}

#[test]
fn emulator_serve_listens_and_answers() {
    let env = Env::new();
    let (mut child, url) = env.serve_emulator(&["--state", "served.json", "--throttle", "100/1"]);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (status, settings) = runtime.block_on(async {
        let r = reqwest::get(format!("{url}/_emulator/settings"))
            .await
            .expect("get");
        (
            r.status().as_u16(),
            r.json::<serde_json::Value>().await.expect("json"),
        )
    });
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200);
    assert_eq!(
        settings["rateLimit"],
        json!({"requests": 100, "windowSeconds": 1})
    );
    assert!(env.path().join("served.json").exists());
}
