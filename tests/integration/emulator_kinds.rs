//! The emulator serves every writable kind the way the service does, called directly over
//! HTTP: version rules of paths, list rows that drop array fields, sub-entity ids and the
//! 409s of a full replace, each kind's checks with the live texts, 412 with
//! `referencedEntities`, multipart audio files and their blobs, update-only users, the
//! Calling inventory behind dial numbers, and a new tenant's defaults.

use serde_json::{Value, json};

use crate::harness::Env;

fn id(v: &Value) -> String {
    v["id"].as_str().unwrap_or_default().to_string()
}

fn reason(body: &Value) -> String {
    body["error"]["reason"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// POSTs `body` to `path` and returns the created object, asserting 201.
#[track_caller]
fn create(env: &Env, path: &str, body: Value) -> Value {
    let (status, created) = env.api("POST", &env.org_path(path), Some(body));
    assert_eq!(status, 201, "POST {path}: {created}");
    created
}

#[track_caller]
fn get(env: &Env, path: &str) -> Value {
    let (status, body) = env.api("GET", &env.org_path(path), None);
    assert_eq!(status, 200, "GET {path}: {body}");
    body
}

fn named<'a>(rows: &'a Value, name: &str) -> &'a Value {
    rows.as_array()
        .into_iter()
        .flatten()
        .find(|r| r["name"] == name)
        .unwrap_or_else(|| panic!("no row named {name} in {rows}"))
}

/// A raw HTTP client for what `Env::api` does not send: multipart bodies, bytes.
struct Raw {
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
    url: String,
    token: String,
}

/// One multipart part: name, bytes, content type, file name.
type PartSpec<'a> = (&'a str, Vec<u8>, Option<&'a str>, Option<&'a str>);

impl Raw {
    fn new(env: &Env) -> Raw {
        Raw {
            runtime: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime"),
            client: reqwest::Client::new(),
            url: env.url.clone(),
            token: env.token.clone(),
        }
    }

    fn multipart(&self, method: &str, path: &str, parts: Vec<PartSpec<'_>>) -> (u16, Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        self.runtime.block_on(async {
            let mut form = reqwest::multipart::Form::new();
            for (name, bytes, mime, file_name) in parts {
                let mut part = reqwest::multipart::Part::bytes(bytes);
                if let Some(m) = mime {
                    part = part.mime_str(m).expect("mime");
                }
                if let Some(f) = file_name {
                    part = part.file_name(f.to_string());
                }
                form = form.part(name.to_string(), part);
            }
            let resp = self
                .client
                .request(method, format!("{}{path}", self.url))
                .header("TrackingId", format!("test_{}", uuid::Uuid::new_v4()))
                .bearer_auth(&self.token)
                .multipart(form)
                .send()
                .await
                .expect("request");
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        })
    }

    /// GET returning status, `Content-Type` and bytes.
    fn bytes(&self, path: &str) -> (u16, Option<String>, Vec<u8>) {
        self.runtime.block_on(async {
            let resp = self
                .client
                .get(format!("{}{path}", self.url))
                .bearer_auth(&self.token)
                .send()
                .await
                .expect("request");
            let status = resp.status().as_u16();
            let content_type = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let bytes = resp.bytes().await.map(|b| b.to_vec()).unwrap_or_default();
            (status, content_type, bytes)
        })
    }
}

fn wav(len: usize) -> Vec<u8> {
    let mut w = b"RIFF....WAVEfmt ".to_vec();
    w.resize(len, 0x80);
    w
}

fn info_part(info: Value) -> PartSpec<'static> {
    (
        "audioFileInfo",
        info.to_string().into_bytes(),
        Some("application/json"),
        None,
    )
}

fn file_part(bytes: Vec<u8>) -> PartSpec<'static> {
    ("audioFile", bytes, Some("audio/wav"), Some("hold.wav"))
}

#[test]
fn a_new_org_has_the_tenant_defaults() {
    let env = Env::new();
    let expected: &[(&str, &[&str])] = &[
        ("multimedia-profile", &["Default Multimedia Profile"]),
        ("site", &["Site-1"]),
        ("team", &["Team-1"]),
        (
            "work-type",
            &["Default Idle Work Type", "Default Wrapup Work Type"],
        ),
        ("auxiliary-code", &["RONA", "Meeting", "Sale"]),
        ("dial-plan", &["US", "Any Format"]),
        ("desktop-layout", &["Global Layout"]),
        ("audio-file", &["defaultmusic_on_hold.wav"]),
        ("contact-service-queue", &["Queue-1", "Outdial Queue-1"]),
        ("entry-point", &["Outdial Entry Point-1"]),
        ("agent-profile", &["Default Desktop Profile"]),
        (
            "user-profile",
            &[
                "Administrator",
                "Supervisor",
                "Premium Agent",
                "Standard Agent",
                "Administrator Only",
                "Analyzer User",
            ],
        ),
        ("cad-variable", &["Global_Language", "Global_VoiceName"]),
    ];
    for (kind, names) in expected {
        let version = if *kind == "user-profile" { "v3" } else { "v2" };
        let list = get(&env, &format!("{version}/{kind}"));
        for name in *names {
            let row = named(&list["data"], name);
            assert_eq!(row["systemDefault"], true, "{kind} {name}");
        }
        assert_eq!(list["meta"]["totalRecords"], names.len(), "{kind}");
    }
    for kind in ["skill", "skill-profile", "holiday-list", "dial-number"] {
        assert_eq!(get(&env, &format!("v2/{kind}"))["meta"]["totalRecords"], 0);
    }
    let codes = get(&env, "v2/auxiliary-code");
    assert_eq!(named(&codes["data"], "RONA")["isSystemCode"], true);
    assert_eq!(named(&codes["data"], "Meeting")["defaultCode"], true);
    assert_eq!(
        named(&codes["data"], "Sale")["workTypeCode"],
        "WRAP_UP_CODE"
    );
    let layout = env.live_named("desktop-layout", "Global Layout");
    assert_eq!(layout["global"], true);
    let outdial = env.live_named("entry-point", "Outdial Entry Point-1");
    let outdial_queue = env.live_named("contact-service-queue", "Outdial Queue-1");
    assert_eq!(outdial["outdialQueueId"], outdial_queue["id"]);
    let queue = get(
        &env,
        &format!(
            "contact-service-queue/{}",
            id(&env.live_named("contact-service-queue", "Queue-1"))
        ),
    );
    let team = env.live_named("team", "Team-1");
    assert_eq!(
        queue["callDistributionGroups"][0]["agentGroups"][0]["teamId"],
        team["id"]
    );

    let users = get(&env, "v2/user?pageSize=100");
    assert_eq!(users["meta"]["totalRecords"], 9);
    let admin = users["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| u["email"] == "admin@example.com")
        .expect("admin");
    assert_eq!(
        (&admin["firstName"], &admin["lastName"]),
        (&json!("Ada"), &json!("Admin"))
    );
    let premium = env.live_named("user-profile", "Premium Agent");
    let ana = users["data"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|u| u["email"] == "ana.lopez@example.com")
        .expect("ana");
    assert_eq!(ana["firstName"], "Ana");
    assert_eq!(ana["lastName"], "Lopez");
    assert_eq!(ana["systemDefault"], false);
    assert_eq!(ana["siteName"], "Site-1");
    assert_eq!(ana["teamIds"], json!([team["id"]]));
    assert_eq!(ana["userProfileId"], premium["id"]);
    assert_eq!(ana["userProfileType"], "PREMIUM_AGENT");
    assert_eq!(ana["contactCenterEnabled"], true);
    assert!(ana["ciUserId"].as_str().is_some_and(|c| c.len() == 36));

    let numbers = env.admin("GET", "/orgs/default/numbers", None);
    let numbers = numbers["numbers"].as_array().expect("numbers");
    assert_eq!(numbers.len(), 100);
    assert!(numbers.contains(&json!("+13125550100")));
    assert!(numbers.contains(&json!("+35315550149")));

    let org = env.admin("POST", "/orgs", Some(json!({"name": "Second"})));
    let objects = env.admin(
        "GET",
        &format!("/orgs/{}", org["orgId"].as_str().expect("org")),
        None,
    );
    assert_eq!(objects["user"].as_object().map(|m| m.len()), Some(9));
    assert_eq!(
        objects["contact-service-queue"]
            .as_object()
            .map(|m| m.len()),
        Some(2)
    );
}

#[test]
fn paths_follow_the_version_rules() {
    let env = Env::new();
    // v1 lists are bare arrays where they exist; kinds without one answer 405 on GET.
    assert!(get(&env, "skill").is_array());
    assert!(get(&env, "auxiliary-code").is_array());
    let (status, _) = env.api("GET", &env.org_path("cad-variable"), None);
    assert_eq!(status, 405);
    let (status, _) = env.api("POST", &env.org_path("v2/skill"), Some(json!({})));
    assert_eq!(status, 405, "creates drop the version prefix");
    assert!(get(&env, "v3/dial-number")["meta"].is_object());
    for (path, status) in [
        ("v3/user-profile/bulk", 207),
        ("contact-service-queue/v2/bulk", 207),
        ("entry-point/bulk", 207),
        ("audio-file/bulk", 405),
    ] {
        let (got, _) = env.api("POST", &env.org_path(path), Some(json!({"items": []})));
        assert_eq!(got, status, "{path}");
    }

    // The queue's v2 item and create paths work; its v2 delete does not.
    let music = env.live_named("audio-file", "defaultmusic_on_hold.wav");
    let team = env.live_named("team", "Team-1");
    let queue = create(
        &env,
        "v2/contact-service-queue",
        json!({
            "name": "Sales", "queueType": "INBOUND", "channelType": "TELEPHONY",
            "routingType": "LONGEST_AVAILABLE_AGENT", "serviceLevelThreshold": 30,
            "maxActiveContacts": 0, "maxTimeInQueue": 3600, "active": true,
            "monitoringPermitted": true, "parkingPermitted": false, "recordingPermitted": true,
            "recordingAllCallsPermitted": false, "pauseRecordingPermitted": true,
            "defaultMusicInQueueMediaFileId": music["id"],
            "callDistributionGroups": [{"order": 1, "duration": 0, "agentGroups": [{"teamId": team["id"]}]}],
        }),
    );
    assert_eq!(queue["queueRoutingType"], "TEAM_BASED");
    assert_eq!(queue["queueLevelSummariesInclusion"], "EXCLUDED");
    let v2_item = format!("v2/contact-service-queue/{}", id(&queue));
    let mut read = get(&env, &v2_item);
    assert_eq!(read["name"], "Sales");
    read["description"] = json!("Inbound sales");
    read.as_object_mut()
        .map(|m| m.remove("queueLevelSummariesInclusion"));
    let (status, updated) = env.api("PUT", &env.org_path(&v2_item), Some(read));
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        updated["queueLevelSummariesInclusion"], "EXCLUDED",
        "inclusion switches are retained when a PUT leaves them out"
    );
    let (status, _) = env.api("DELETE", &env.org_path(&v2_item), None);
    assert_eq!(status, 405);
    let (status, _) = env.api(
        "DELETE",
        &env.org_path(&format!("contact-service-queue/{}", id(&queue))),
        None,
    );
    assert_eq!(status, 204);

    // user-profile keeps v3 on item and create paths; the unprefixed item is the old API.
    let profile = create(
        &env,
        "v3/user-profile",
        json!({"name": "Chicago Supervisors", "profileType": "SUPERVISOR", "active": true,
               "permissionAccessLevel": "ALL", "resourceAccessLevel": "ALL"}),
    );
    let item = format!("user-profile/{}", id(&profile));
    assert_eq!(
        get(&env, &format!("v3/{item}"))["name"],
        "Chicago Supervisors"
    );
    let legacy = get(&env, &item);
    assert!(legacy.get("permissionAccessLevel").is_none(), "{legacy}");
    let (status, body) = env.api("PUT", &env.org_path(&item), Some(profile.clone()));
    assert_eq!(status, 400);
    assert!(reason(&body).starts_with("v2 user profile is decommissioned for this organization"));
    let (status, _) = env.api("POST", &env.org_path("user-profile"), Some(json!({})));
    assert_eq!(status, 400);
    let (status, _) = env.api("DELETE", &env.org_path(&format!("v3/{item}")), None);
    assert_eq!(status, 204);

    // Users are made in Control Hub: no create, no delete.
    let user = env.live("user").into_iter().next().expect("a user");
    let (status, body) = env.api("POST", &env.org_path("user"), Some(json!({})));
    assert_eq!(status, 405);
    assert_eq!(body["error"], "Method Not Allowed");
    let (status, _) = env.api(
        "DELETE",
        &env.org_path(&format!("user/{}", id(&user))),
        None,
    );
    assert_eq!(status, 405);
    let (status, body) = env.api(
        "GET",
        &env.org_path("user/00000000-0000-0000-0000-000000000000"),
        None,
    );
    assert_eq!(status, 404);
    assert_eq!(body["error"]["key"], "404");
}

#[test]
fn list_rows_drop_array_fields_that_get_by_id_returns() {
    let env = Env::new();
    let skill = create(
        &env,
        "skill",
        json!({"name": "Tier", "skillType": "ENUM", "serviceLevelThreshold": 30, "active": true,
               "enumSkillValues": [{"name": "Gold"}, {"name": "Silver"}]}),
    );
    let by_id = get(&env, &format!("skill/{}", id(&skill)));
    assert_eq!(by_id["enumSkillValues"].as_array().map(Vec::len), Some(2));
    let row = named(&get(&env, "v2/skill")["data"], "Tier").clone();
    assert!(row.get("enumSkillValues").is_none(), "{row}");
    let bare = named(&get(&env, "skill"), "Tier").clone();
    assert!(bare.get("enumSkillValues").is_none(), "{bare}");

    let team = env.live_named("team", "Team-1");
    let team_row = named(&get(&env, "v2/team")["data"], "Team-1").clone();
    assert!(team_row.get("userIds").is_none());
    assert_eq!(team_row["siteName"], "Site-1");
    let team_item = get(&env, &format!("team/{}", id(&team)));
    assert_eq!(
        team_item["userIds"].as_array().map(Vec::len),
        Some(9),
        "userIds mirror the users' teamIds"
    );

    let queue_row = named(&get(&env, "v2/contact-service-queue")["data"], "Queue-1").clone();
    assert!(queue_row.get("callDistributionGroups").is_none());
    let profile_row = named(&get(&env, "v3/user-profile")["data"], "Standard Agent").clone();
    assert!(profile_row.get("permissions").is_none());
    let profile = env.live_named("user-profile", "Standard Agent");
    let by_id = get(&env, &format!("v3/user-profile/{}", id(&profile)));
    assert!(
        by_id["permissions"]
            .as_array()
            .is_some_and(|p| !p.is_empty())
    );
    let layout_row = named(&get(&env, "v2/desktop-layout")["data"], "Global Layout").clone();
    assert!(layout_row.get("jsonFileContent").is_none());

    let holidays = create(
        &env,
        "holiday-list",
        json!({"name": "US Holidays", "holidays": [
            {"name": "New Year", "startDate": "2026-01-01", "endDate": "2026-01-01"},
            {"name": "Independence Day", "startDate": "2026-07-04", "endDate": "2026-07-04",
             "frequency": "Yearly", "recurrence": {"interval": 1, "specificMonth": "JUL", "specificDayOfMonth": 4}}]}),
    );
    assert_eq!(holidays["holidaysCount"], 2);
    let row = named(&get(&env, "holiday-list"), "US Holidays").clone();
    assert!(row.get("holidays").is_none());
    assert_eq!(row["holidaysCount"], 2, "counts stay on list rows");
}

#[test]
fn sub_entities_get_ids_and_a_full_replace_follows_the_409_rules() {
    let env = Env::new();
    let spanish = create(
        &env,
        "skill",
        json!({"name": "Spanish", "skillType": "BOOLEAN", "serviceLevelThreshold": 30, "active": true}),
    );
    let french = create(
        &env,
        "skill",
        json!({"name": "French", "skillType": "PROFICIENCY", "serviceLevelThreshold": 30, "active": true}),
    );
    let tier = create(
        &env,
        "skill",
        json!({"name": "Tier", "skillType": "ENUM", "serviceLevelThreshold": 30, "active": true,
               "enumSkillValues": [{"name": "Gold"}]}),
    );
    let gold = &tier["enumSkillValues"][0];
    assert!(!id(gold).is_empty(), "enum values get ids");
    assert_eq!(gold["skillId"], tier["id"]);
    let profile = create(
        &env,
        "skill-profile",
        json!({"name": "Spanish Gold",
               "activeSkills": [{"skillId": spanish["id"], "booleanValue": true},
                                {"skillId": french["id"], "proficiencyValue": 5}],
               "activeEnumSkills": [{"enumSkillValueId": gold["id"]}]}),
    );
    let kept_id = id(&profile["activeSkills"][0]);
    assert!(!kept_id.is_empty());
    let path = env.org_path(&format!("skill-profile/{}", id(&profile)));

    // A kept entry re-sent without its id collides with the stored row.
    let mut resent = profile.clone();
    resent["activeSkills"][0]
        .as_object_mut()
        .map(|e| e.remove("id"));
    let (status, body) = env.api("PUT", &path, Some(resent));
    assert_eq!(status, 409, "{body}");
    assert!(
        reason(&body).starts_with("Duplicate entry '")
            && reason(&body).contains("' for key 'active_skill."),
        "{body}"
    );

    // An id that is not one of this profile's entries.
    let other = create(
        &env,
        "skill-profile",
        json!({"name": "Other", "activeSkills": [{"skillId": spanish["id"], "booleanValue": false}]}),
    );
    let mut borrowed = profile.clone();
    borrowed["activeSkills"][0]["id"] = other["activeSkills"][0]["id"].clone();
    let (status, body) = env.api("PUT", &path, Some(borrowed));
    assert_eq!(status, 409);
    assert_eq!(
        reason(&body),
        "Internal error. Please contact Cisco Support Team"
    );

    // On request, entries name their skills and enum values.
    let detailed = get(
        &env,
        &format!("skill-profile/{}?includeSkillDetails=true", id(&profile)),
    );
    assert_eq!(detailed["activeSkills"][0]["skillName"], "Spanish");
    assert_eq!(detailed["activeEnumSkills"][0]["enumSkillName"], "Tier");
    assert_eq!(detailed["activeEnumSkills"][0]["enumSkillValue"], "Gold");
    assert_eq!(detailed["activeEnumSkills"][0]["enumSkillId"], tier["id"]);
    assert!(profile["activeSkills"][0].get("skillName").is_none());

    // Kept entries keep their ids; omitted ones are deleted.
    let mut trimmed = profile.clone();
    trimmed["activeSkills"] = json!([profile["activeSkills"][0].clone()]);
    let (status, updated) = env.api("PUT", &path, Some(trimmed));
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["activeSkills"].as_array().map(Vec::len), Some(1));
    assert_eq!(id(&updated["activeSkills"][0]), kept_id);
    assert_eq!(updated["version"], 1);

    // A single nested object with its own id: a borrowed one is refused too.
    let desktop = env.live_named("agent-profile", "Default Desktop Profile");
    let mut clone = desktop.clone();
    if let Some(m) = clone.as_object_mut() {
        for f in [
            "id",
            "version",
            "systemDefault",
            "createdTime",
            "lastUpdatedTime",
            "organizationId",
        ] {
            m.remove(f);
        }
    }
    clone["name"] = json!("Sales Agents");
    let (status, body) = env.api("POST", &env.org_path("agent-profile"), Some(clone.clone()));
    assert_eq!(status, 409, "{body}");
    clone["viewableStatistics"]
        .as_object_mut()
        .map(|v| v.remove("id"));
    let created = create(&env, "agent-profile", clone);
    assert!(!id(&created["viewableStatistics"]).is_empty());
    assert_ne!(
        created["viewableStatistics"]["id"],
        desktop["viewableStatistics"]["id"]
    );

    // Address-book entries get ids as well, and follow the same rule.
    let book = create(
        &env,
        "address-book",
        json!({"name": "Escalations", "parentType": "ORGANIZATION",
               "addressBookEntries": [{"name": "Legal", "number": "+13125550111"}]}),
    );
    assert!(!id(&book["addressBookEntries"][0]).is_empty());
    let mut again = book.clone();
    again["addressBookEntries"] = json!([{"name": "Legal", "number": "+13125550112"}]);
    let (status, _) = env.api(
        "PUT",
        &env.org_path(&format!("address-book/{}", id(&book))),
        Some(again),
    );
    assert_eq!(status, 409);
}

#[test]
fn outdial_ani_entries_come_back_in_another_order() {
    let env = Env::new();
    let ani = create(
        &env,
        "outdial-ani",
        json!({"name": "Main Outbound", "outdialANIEntries": [
            {"name": "Chicago", "number": "+13125550100", "defaultANIEntry": true},
            {"name": "Dublin", "number": "+35315550100"}]}),
    );
    let names: Vec<&str> = ani["outdialANIEntries"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["name"].as_str())
        .collect();
    assert_eq!(names, ["Dublin", "Chicago"], "compare entries as a set");
    let (status, _) = env.api(
        "POST",
        &env.org_path("outdial-ani"),
        Some(json!({"name": "Empty"})),
    );
    assert_eq!(status, 400, "a create needs its entries");
}

#[test]
fn each_kind_refuses_with_the_live_text() {
    let env = Env::new();
    let music = env.live_named("audio-file", "defaultmusic_on_hold.wav");
    let team = env.live_named("team", "Team-1");
    let queue = |extra: Value| {
        let mut q = json!({
            "name": "Q", "queueType": "INBOUND", "channelType": "TELEPHONY",
            "routingType": "LONGEST_AVAILABLE_AGENT", "serviceLevelThreshold": 30,
            "maxActiveContacts": 0, "maxTimeInQueue": 3600, "active": true,
            "callDistributionGroups": [{"order": 1, "agentGroups": [{"teamId": team["id"]}]}],
        });
        if let (Some(q), Value::Object(extra)) = (q.as_object_mut(), extra) {
            q.extend(extra);
        }
        q
    };
    let permitted = json!({
        "monitoringPermitted": true, "parkingPermitted": true, "recordingPermitted": true,
        "recordingAllCallsPermitted": true, "pauseRecordingPermitted": true,
        "defaultMusicInQueueMediaFileId": music["id"],
    });
    let mut skills_based = queue(permitted.clone());
    skills_based["routingType"] = json!("SKILLS_BASED");
    let all_types: Vec<Value> = wxcc::catalogue::RESOURCE_TYPES
        .iter()
        .map(|n| json!({"name": n, "accessLevel": "ALL"}))
        .collect();
    let mut site_off = all_types.clone();
    site_off[12]["accessLevel"] = json!("NONE");
    let cases: Vec<(&str, Value, u16, &str)> = vec![
        (
            "skill",
            json!({"name": "Tier", "skillType": "ENUM", "serviceLevelThreshold": 30, "active": true}),
            400,
            "Enum skill should have atleast one value",
        ),
        (
            "skill-profile",
            json!({"name": "Empty", "activeSkills": []}),
            400,
            "Atleast one skill is mandatory.",
        ),
        (
            "business-hours",
            json!({"name": "Hours", "timezone": "America/Chicago", "workingHours": []}),
            400,
            "Working hours cannot be empty",
        ),
        (
            "holiday-list",
            json!({"name": "Holidays", "holidays": []}),
            400,
            "Holiday list cannot be empty",
        ),
        (
            "overrides",
            json!({"name": "Closures", "timezone": "America/Chicago", "overrides": []}),
            400,
            "Overrides cannot be empty",
        ),
        (
            "cad-variable",
            json!({"name": "Count", "variableType": "Integer", "defaultValue": "many",
                   "active": true, "agentEditable": false, "agentViewable": false, "reportable": true}),
            400,
            "validDefaultValueForVariabelType",
        ),
        (
            "cad-variable",
            json!({"name": "Account", "variableType": "String", "defaultValue": "none",
                   "active": true, "agentEditable": false, "agentViewable": true, "reportable": true}),
            400,
            "Validation failed for 1 field(s): [desktopLabel: must not be null]",
        ),
        (
            "contact-service-queue",
            skills_based,
            400,
            "Validation failed for 1 field(s): [skillBasedRoutingType: must not be null]",
        ),
        (
            "agent-profile",
            json!({"name": "Timer", "parentType": "ORGANIZATION", "active": true,
                   "accessWrapUpCode": "ALL", "accessIdleCode": "ALL", "accessQueue": "ALL",
                   "accessEntryPoint": "ALL", "accessBuddyTeam": "ALL", "agentDNValidation": "ALL",
                   "autoWrapAfterSeconds": 7,
                   "viewableStatistics": {"accessQueueStats": "ALL", "accessTeamStats": "ALL"}}),
            400,
            "autoWrapAfterSeconds should be specified when autoWrapUp is true",
        ),
        (
            "resource-collection",
            json!({"name": "Partial", "resources": all_types[..18].to_vec()}),
            400,
            "Resource type(s) missing from resources: override, outdial-ani",
        ),
        (
            "resource-collection",
            json!({"name": "No Sites", "resources": site_off}),
            400,
            "Access level NONE is not allowed for resource type(s): site",
        ),
        (
            "v3/user-profile",
            json!({"name": "Agents", "profileType": "STANDARD_AGENT", "active": true,
                   "permissionAccessLevel": "SPECIFIC", "resourceAccessLevel": "ALL"}),
            400,
            "userProfilePermissions: must not be empty when permissionAccessLevel is SPECIFIC",
        ),
        (
            "holiday-list",
            json!({"name": "Yearly", "holidays": [{"name": "Day", "frequency": "Yearly",
                   "recurrence": {"interval": 1}}]}),
            400,
            "Validation failed for 1 field(s): [holidays.0.recurrence.specificMonth: must not be null]",
        ),
    ];
    for (path, body, status, text) in cases {
        let (got, answer) = env.api("POST", &env.org_path(path), Some(body));
        assert_eq!(got, status, "{path}: {answer}");
        assert_eq!(reason(&answer), text, "{path}");
    }

    // A TELEPHONY queue names every missing flag and its music in one reason.
    let (status, body) = env.api(
        "POST",
        &env.org_path("contact-service-queue"),
        Some(queue(json!({}))),
    );
    assert_eq!(status, 400);
    for f in [
        "monitoringPermitted",
        "parkingPermitted",
        "recordingPermitted",
        "recordingAllCallsPermitted",
        "pauseRecordingPermitted",
        "defaultMusicInQueueMediaFileId",
    ] {
        assert!(
            reason(&body).contains(&format!("{f}: must not be null")),
            "{body}"
        );
    }
    create(&env, "contact-service-queue", queue(permitted));

    // Bare 500s: no `resources` at all; `skillId` inside an activeEnumSkills entry.
    let (status, body) = env.api(
        "POST",
        &env.org_path("resource-collection"),
        Some(json!({"name": "Nothing"})),
    );
    assert_eq!(status, 500);
    assert_eq!(body["error"], "Internal Server Error");
    let tier = create(
        &env,
        "skill",
        json!({"name": "Tier", "skillType": "ENUM", "serviceLevelThreshold": 30, "active": true,
               "enumSkillValues": [{"name": "Gold"}]}),
    );
    let (status, _) = env.api(
        "POST",
        &env.org_path("skill-profile"),
        Some(json!({"name": "Gold", "activeEnumSkills": [
            {"enumSkillValueId": tier["enumSkillValues"][0]["id"], "skillId": tier["id"]}]})),
    );
    assert_eq!(status, 500);

    // Immutable fields.
    let mut renamed = tier.clone();
    renamed["skillType"] = json!("TEXT");
    let (status, body) = env.api(
        "PUT",
        &env.org_path(&format!("skill/{}", id(&tier))),
        Some(renamed),
    );
    assert_eq!(status, 400);
    assert_eq!(
        reason(&body),
        "This configuration cannot be changed. Original value is ENUM"
    );
    let collection = create(
        &env,
        "resource-collection",
        json!({"name": "Everything", "resources": all_types}),
    );
    assert_eq!(collection["resourceCount"], 20);
}

#[test]
fn references_are_checked_on_write_and_guarded_on_delete() {
    let env = Env::new();
    let site = env.live_named("site", "Site-1");
    let (status, body) = env.api(
        "POST",
        &env.org_path("address-book"),
        Some(json!({"name": "Site Book", "parentType": "SITE", "siteId": "nope"})),
    );
    assert_eq!(status, 400);
    assert_eq!(reason(&body), "siteId: site with id nope not found");

    // A team a user is on cannot go, nor be renamed.
    let night = create(
        &env,
        "team",
        json!({"name": "Night Shift", "siteId": site["id"], "teamType": "AGENT",
               "teamStatus": "IN_SERVICE", "active": true}),
    );
    let ana = env.live_user("ana.lopez@example.com");
    let user_path = env.org_path(&format!("user/{}", id(&ana)));
    let (status, body) = env.api(
        "PATCH",
        &user_path,
        Some(json!({"teamIds": [ana["teamIds"][0], night["id"]]})),
    );
    assert_eq!(status, 200, "{body}");
    let team_path = env.org_path(&format!("team/{}", id(&night)));
    let (status, body) = env.api("DELETE", &team_path, None);
    assert_eq!(status, 412);
    assert_eq!(body["error"]["referencedEntities"], json!(["user"]));
    let mut renamed = night.clone();
    renamed["name"] = json!("Late Shift");
    let (status, body) = env.api("PUT", &team_path, Some(renamed));
    assert_eq!(status, 412);
    assert_eq!(body["error"]["referencedEntities"], json!(["user"]));

    // A skill (or one of its enum values) a skill-profile uses.
    let tier = create(
        &env,
        "skill",
        json!({"name": "Tier", "skillType": "ENUM", "serviceLevelThreshold": 30, "active": true,
               "enumSkillValues": [{"name": "Gold"}, {"name": "Silver"}]}),
    );
    let gold = tier["enumSkillValues"][0].clone();
    let (status, body) = env.api(
        "POST",
        &env.org_path("skill-profile"),
        Some(json!({"name": "Gold", "activeEnumSkills": [{"enumSkillValueId": "nope"}]})),
    );
    assert_eq!(status, 400);
    assert_eq!(
        reason(&body),
        "activeEnumSkills[0].enumSkillValueId: enum skill value with id nope not found"
    );
    create(
        &env,
        "skill-profile",
        json!({"name": "Gold", "activeEnumSkills": [{"enumSkillValueId": gold["id"]}]}),
    );
    let skill_path = env.org_path(&format!("skill/{}", id(&tier)));
    let (status, body) = env.api("DELETE", &skill_path, None);
    assert_eq!(status, 412);
    assert_eq!(
        body["error"]["referencedEntities"],
        json!(["skill-profile"])
    );
    let mut fewer = tier.clone();
    fewer["enumSkillValues"] = json!([tier["enumSkillValues"][1].clone()]);
    let (status, body) = env.api("PUT", &skill_path, Some(fewer));
    assert_eq!(status, 412, "{body}");
    assert_eq!(
        body["error"]["referencedEntities"],
        json!(["skill-profile"])
    );
    let mut more = tier.clone();
    if let Some(values) = more["enumSkillValues"].as_array_mut() {
        values.push(json!({"name": "Bronze"}));
    }
    let (status, body) = env.api("PUT", &skill_path, Some(more));
    assert_eq!(status, 200, "{body}");

    // An entry point a dial number maps; an audio file an entry point plays.
    let raw = Raw::new(&env);
    let (status, audio) = raw.multipart(
        "POST",
        &env.org_path("audio-file"),
        vec![
            info_part(json!({"name": "hold.wav", "contentType": "AUDIO_WAV"})),
            file_part(wav(100)),
        ],
    );
    assert_eq!(status, 201, "{audio}");
    let ep = create(
        &env,
        "entry-point",
        json!({"name": "Sales EP", "entryPointType": "INBOUND", "channelType": "TELEPHONY",
               "serviceLevelThreshold": 30, "maximumActiveContacts": 100, "active": true,
               "musicOnHoldId": audio["id"]}),
    );
    assert_eq!(
        ep["timezone"], "America/New_York",
        "the tenant's time zone by default"
    );
    assert_eq!(ep["callbackEnabled"], false);
    let (status, body) = env.api(
        "DELETE",
        &env.org_path(&format!("audio-file/{}", id(&audio))),
        None,
    );
    assert_eq!(status, 412);
    // The API's type name for entry points (docs/api-notes.md §1.10), as the
    // incoming-references route gives it: the 412 and the route share one index.
    assert_eq!(body["error"]["referencedEntities"], json!(["entrypoint"]));
    create(
        &env,
        "dial-number",
        json!({"dialledNumber": "+13125550100", "entryPointId": ep["id"],
               "location": "Chicago", "regionId": "US"}),
    );
    let (status, body) = env.api(
        "DELETE",
        &env.org_path(&format!("entry-point/{}", id(&ep))),
        None,
    );
    assert_eq!(status, 412);
    assert_eq!(body["error"]["referencedEntities"], json!(["dial-number"]));
    assert_eq!(
        get(&env, &format!("entry-point/{}", id(&ep)))["dnEpMappingCount"],
        1
    );

    // Team's new references: desktop layout, skill profile, queue rankings (with ids).
    let layout = env.live_named("desktop-layout", "Global Layout");
    let queue = env.live_named("contact-service-queue", "Queue-1");
    let ranked = create(
        &env,
        "team",
        json!({"name": "Ranked", "siteId": site["id"], "teamType": "AGENT",
               "teamStatus": "IN_SERVICE", "active": true, "desktopLayoutId": layout["id"],
               "rankQueuesForTeam": true, "queueRankings": [{"queueId": queue["id"], "rank": 1}]}),
    );
    assert!(!id(&ranked["queueRankings"][0]).is_empty());
    let (status, body) = env.api(
        "POST",
        &env.org_path("team"),
        Some(
            json!({"name": "Broken", "siteId": site["id"], "teamType": "AGENT",
               "teamStatus": "IN_SERVICE", "active": true, "skillProfileId": "nope"}),
        ),
    );
    assert_eq!(status, 400);
    assert_eq!(
        reason(&body),
        "skillProfileId: skill-profile with id nope not found"
    );
}

#[test]
fn audio_files_are_multipart_with_a_downloadable_blob() {
    let env = Env::new();
    let raw = Raw::new(&env);
    let path = env.org_path("audio-file");
    let original = wav(300);
    let (status, audio) = raw.multipart(
        "POST",
        &path,
        vec![
            info_part(
                json!({"name": "hold.wav", "contentType": "AUDIO_WAV", "description": "Hold loop"}),
            ),
            file_part(original.clone()),
        ],
    );
    assert_eq!(status, 201, "{audio}");
    let blob = audio["blobId"].as_str().expect("blobId").to_string();
    assert!(blob.starts_with("audio-file_"));
    let blob_path = env.org_path(&format!("blob/{blob}"));
    let (status, content_type, bytes) = raw.bytes(&blob_path);
    assert_eq!(status, 200);
    assert_eq!(content_type, None, "the blob has no Content-Type");
    assert_eq!(bytes, original);

    // The log keeps the JSON part and the size of the file.
    let log = env.admin("GET", "/requests", None);
    let entry = log
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["method"] == "POST" && e["path"] == path.as_str())
        .expect("logged");
    assert_eq!(entry["body"]["audioFileInfo"]["name"], "hold.wav");
    assert_eq!(entry["body"]["audioFile"], "<300 bytes>");

    // Replace in place: the record's own blobId, new bytes, same blob.
    let item = env.org_path(&format!("audio-file/{}", id(&audio)));
    let replacement = wav(500);
    let (status, replaced) = raw.multipart(
        "PUT",
        &item,
        vec![
            info_part(json!({"name": "hold.wav", "contentType": "AUDIO_WAV", "blobId": blob})),
            file_part(replacement.clone()),
        ],
    );
    assert_eq!(status, 200, "{replaced}");
    assert_eq!(replaced["blobId"], blob.as_str());
    assert_eq!(raw.bytes(&blob_path).2, replacement);
    let (status, body) = raw.multipart(
        "PUT",
        &item,
        vec![
            info_part(json!({"name": "hold.wav", "contentType": "AUDIO_WAV", "blobId": "audio-file_other"})),
            file_part(wav(10)),
        ],
    );
    assert_eq!(status, 400);
    assert_eq!(reason(&body), "blobId: invalid value");

    // JSON bodies are a bare 500; a JSON part without its content type is 415.
    let (status, body) = env.api(
        "POST",
        &path,
        Some(json!({"audioFileInfo": {"name": "x.wav", "contentType": "AUDIO_WAV"}, "audioFile": "AAAA"})),
    );
    assert_eq!(status, 500);
    assert_eq!(body["error"], "Internal Server Error");
    let (status, _) = raw.multipart(
        "POST",
        &path,
        vec![
            (
                "audioFileInfo",
                json!({"name": "x.wav", "contentType": "AUDIO_WAV"})
                    .to_string()
                    .into_bytes(),
                None,
                None,
            ),
            file_part(wav(10)),
        ],
    );
    assert_eq!(status, 415);
    let (status, _) = raw.multipart(
        "POST",
        &path,
        vec![info_part(
            json!({"name": "x.wav", "contentType": "AUDIO_WAV"}),
        )],
    );
    assert_eq!(status, 400, "the file part is required");

    // PATCH edits name and description only.
    let (status, patched) = env.api(
        "PATCH",
        &item,
        Some(json!({"name": "hold-loop.wav", "description": "Loop", "blobId": "audio-file_x"})),
    );
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["name"], "hold-loop.wav");
    assert_eq!(patched["description"], "Loop");
    assert_eq!(patched["blobId"], blob.as_str());

    let (status, _) = env.api("DELETE", &item, None);
    assert_eq!(status, 204);
    assert_eq!(raw.bytes(&blob_path).0, 404, "the blob goes with the file");
}

#[test]
fn users_are_replaced_or_patched_never_created() {
    let env = Env::new();
    let site = env.live_named("site", "Site-1");
    let team1 = env.live_named("team", "Team-1");
    let ana = env.live_user("ana.lopez@example.com");
    let path = env.org_path(&format!("user/{}", id(&ana)));
    let night = create(
        &env,
        "team",
        json!({"name": "Night", "siteId": site["id"], "teamType": "AGENT",
               "teamStatus": "IN_SERVICE", "active": true}),
    );

    // PUT is a full replace; the server puts newly added teams first.
    let mut user = get(&env, &format!("user/{}", id(&ana)));
    user["teamIds"] = json!([team1["id"], night["id"]]);
    let (status, put) = env.api("PUT", &path, Some(user.clone()));
    assert_eq!(status, 200, "{put}");
    assert_eq!(put["teamIds"], json!([night["id"], team1["id"]]));
    assert_eq!(put["version"], 1);

    // Immutable identity fields.
    let mut renamed = put.clone();
    renamed["firstName"] = json!("Anna");
    let (status, body) = env.api("PUT", &path, Some(renamed));
    assert_eq!(status, 400);
    assert_eq!(
        reason(&body),
        "This configuration cannot be changed. Original value is Ana"
    );
    let (status, body) = env.api("PATCH", &path, Some(json!({"email": "ana@example.org"})));
    assert_eq!(status, 400);
    assert_eq!(
        reason(&body),
        "This configuration cannot be changed. Original value is ana.lopez@example.com"
    );

    // PATCH merges a partial object; JSON-Patch is a bare 500.
    let skill = create(
        &env,
        "skill",
        json!({"name": "Spanish", "skillType": "BOOLEAN", "serviceLevelThreshold": 30, "active": true}),
    );
    let profile = create(
        &env,
        "skill-profile",
        json!({"name": "Spanish", "activeSkills": [{"skillId": skill["id"], "booleanValue": true}]}),
    );
    let (status, patched) = env.api(
        "PATCH",
        &path,
        Some(json!({"skillProfileId": profile["id"], "userLevelSummariesInclusion": "INCLUDED"})),
    );
    assert_eq!(status, 200, "{patched}");
    assert_eq!(patched["skillProfileId"], profile["id"]);
    assert_eq!(patched["firstName"], "Ana", "omitted fields are kept");
    assert!(
        patched.get("userLevelSummariesInclusion").is_none(),
        "accepted with 200 and silently not applied"
    );
    let (status, _) = env.api(
        "DELETE",
        &env.org_path(&format!("skill-profile/{}", id(&profile))),
        None,
    );
    assert_eq!(status, 412, "a user's skill profile cannot go");
    let (status, cleared) = env.api("PATCH", &path, Some(json!({"skillProfileId": null})));
    assert_eq!(status, 200);
    assert!(cleared.get("skillProfileId").is_none(), "null clears");
    let (status, body) = env.api(
        "PATCH",
        &path,
        Some(json!([{"op": "replace", "path": "/active", "value": false}])),
    );
    assert_eq!(status, 500);
    assert_eq!(body["error"], "Internal Server Error");

    // Teams must be AGENT teams of the user's site.
    let mmp = env.live_named("multimedia-profile", "Default Multimedia Profile");
    let austin = create(
        &env,
        "site",
        json!({"name": "Austin", "active": true, "multimediaProfileId": mmp["id"]}),
    );
    let elsewhere = create(
        &env,
        "team",
        json!({"name": "Elsewhere", "siteId": austin["id"], "teamType": "AGENT",
               "teamStatus": "IN_SERVICE", "active": true}),
    );
    let (status, body) = env.api("PATCH", &path, Some(json!({"teamIds": [elsewhere["id"]]})));
    assert_eq!(status, 400);
    assert!(
        reason(&body).ends_with("not found for given site"),
        "{body}"
    );
    let capacity = create(
        &env,
        "team",
        json!({"name": "Overflow", "siteId": site["id"], "teamType": "CAPACITY",
               "teamStatus": "IN_SERVICE", "active": true, "capacity": 5}),
    );
    let (status, body) = env.api("PATCH", &path, Some(json!({"teamIds": [capacity["id"]]})));
    assert_eq!(status, 400);
    assert_eq!(reason(&body), "Capacity based teams are not allowed");

    // New users come from the admin controls, like Control Hub.
    let added = env.admin(
        "POST",
        "/orgs/default/users",
        Some(json!({"email": "ivy.chen@example.com"})),
    );
    assert_eq!(added["firstName"], "Ivy");
    assert_eq!(added["lastName"], "Chen");
    assert_eq!(added["siteId"], site["id"]);
    assert_eq!(get(&env, "v2/user")["meta"]["totalRecords"], 10);
    let (status, found) = env.api("GET", &env.org_path("v2/user?search=ivy"), None);
    assert_eq!(status, 200);
    assert_eq!(found["meta"]["totalRecords"], 1);
}

#[test]
fn dial_numbers_map_numbers_of_the_calling_inventory() {
    let env = Env::new();
    let ep = env.live_named("entry-point", "Outdial Entry Point-1");
    let body = |number: &str| json!({"dialledNumber": number, "entryPointId": ep["id"], "location": "Chicago", "regionId": "US"});
    let (status, answer) = env.api(
        "POST",
        &env.org_path("dial-number"),
        Some(body("+13125559999")),
    );
    assert_eq!(status, 404);
    assert_eq!(reason(&answer), "Dialed number does not exist");
    let (status, answer) = env.api(
        "POST",
        &env.org_path("dial-number"),
        Some(json!({"dialledNumber": "+13125550101", "entryPointId": ep["id"]})),
    );
    assert_eq!(status, 400);
    assert!(
        reason(&answer).contains("location: must not be null"),
        "{answer}"
    );
    assert!(
        reason(&answer).contains("regionId: must not be null"),
        "{answer}"
    );

    let created = create(&env, "dial-number", body("+13125550101"));
    assert_eq!(created["dialledNumberDigits"], "13125550101");
    assert_eq!(created["entryPointName"], "Outdial Entry Point-1");
    let (status, _) = env.api(
        "POST",
        &env.org_path("dial-number"),
        Some(body("+13125550101")),
    );
    assert_eq!(status, 409, "one mapping per number");
    let (_, rows) = env.api(
        "GET",
        &env.org_path("v2/dial-number?filter=dialledNumberDigits%3D%3D13125550101"),
        None,
    );
    assert_eq!(rows["meta"]["totalRecords"], 1);

    env.admin(
        "POST",
        "/orgs/default/numbers",
        Some(json!({"numbers": ["+13125559999"]})),
    );
    create(&env, "dial-number", body("+13125559999"));
    assert_eq!(get(&env, "dial-number").as_array().map(Vec::len), Some(2));

    // The collection path deletes every mapping (§3.20).
    let (status, _) = env.api("DELETE", &env.org_path("dial-number"), None);
    assert_eq!(status, 204);
    assert_eq!(get(&env, "dial-number"), json!([]));
}

#[test]
fn writes_are_logged_as_json() {
    let env = Env::new();
    let body = json!({"name": "UK", "regularExpression": "44[0-9]{10}", "active": true});
    create(&env, "dial-plan", body.clone());
    let log = env.admin("GET", "/requests", None);
    let entry = log
        .as_array()
        .into_iter()
        .flatten()
        .find(|e| e["method"] == "POST")
        .expect("logged");
    assert_eq!(entry["body"], body);
    assert_eq!(entry["status"], 201);

    // A new default idle code takes the flag from the old one.
    let idle = env.live_named("work-type", "Default Idle Work Type");
    create(
        &env,
        "auxiliary-code",
        json!({"name": "Lunch", "workTypeCode": "IDLE_CODE", "workTypeId": idle["id"],
               "defaultCode": true, "active": true}),
    );
    assert_eq!(
        env.live_named("auxiliary-code", "Meeting")["defaultCode"],
        false
    );
    assert_eq!(
        env.live_named("auxiliary-code", "Lunch")["burnoutInclusion"],
        "INCLUDED"
    );
}
