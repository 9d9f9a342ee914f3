//! Every configuration kind through the binary against the emulator: create, update one
//! field, and plan again with no changes; nested references in both directions; cycles
//! broken by a second pass; update-only users; uploads compared by content; the API's
//! refusals shown as they come.

use serde_json::{Value, json};

use crate::harness::{Env, Run, contains_all, refused, refused_at_plan};

/// Things most kinds' examples point at, created first.
const BASE: &str = "multimedia-profile:
  - {name: Voice, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}}
site:
  - {name: Austin, active: true, multimediaProfileId: Voice}
team:
  - {name: Blue, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}
skill:
  - {name: Billing, skillType: PROFICIENCY, serviceLevelThreshold: 30, active: true}
  - name: Tier
    skillType: ENUM
    serviceLevelThreshold: 30
    active: true
    enumSkillValues: [{name: Gold}, {name: Silver}]
entry-point:
  - {name: Main, entryPointType: INBOUND, channelType: TELEPHONY, serviceLevelThreshold: 30, maximumActiveContacts: 10, active: true}
  - {name: Second, entryPointType: INBOUND, channelType: TELEPHONY, serviceLevelThreshold: 30, maximumActiveContacts: 10, active: true}
";

/// Applies `base` + `object`, changes `before` to `after` in it, and checks the plan shows
/// exactly `diff_line`, applies with one write, and then plans no changes.
fn lifecycle(kind: &str, object: &str, before: &str, after: &str, diff_line: &str) {
    let env = Env::new();
    // The base first, so that what the next apply prints is the object's own doing.
    env.write("cfg/base.yaml", BASE);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    let live_before = env.live(kind).len();
    env.write("cfg/object.yaml", object);
    let created = env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    // Kinds the API cannot create (users) are updated into shape instead.
    let creatable = wxcc::catalogue::Kind::named(kind).is_some_and(|k| k.creatable);
    let first = if creatable { "+ created" } else { "~ updated" };
    assert!(
        created.stdout.contains(&format!("{first} {kind} ")),
        "{}",
        created.stdout
    );
    if creatable {
        assert!(
            env.live(kind).len() > live_before,
            "a {kind} was created live"
        );
    }
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);

    assert!(
        object.contains(before),
        "test setup: {before:?} not in the object"
    );
    env.write("cfg/object.yaml", &object.replacen(before, after, 1));
    let before_plan = env.total_requests();
    let plan = env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(2);
    let plan_reads = env.total_requests() - before_plan;
    assert!(
        plan.stdout.contains(&format!("~ update {kind} ")),
        "{}",
        plan.stdout
    );
    assert!(
        plan.stdout.contains(diff_line),
        "expected {diff_line:?} in:\n{}",
        plan.stdout
    );
    // The budget line is what the apply then sends beyond the plan's own reads: a re-read
    // and a write when sent singly; a list read, the bulk write and a list read after
    // where it goes in bulk (docs/api-notes.md §1.8).
    let budget: u64 = plan
        .stdout
        .strip_suffix(" s at 300/min\n")
        .and_then(|s| s.rsplit_once("\nApply: ~"))
        .and_then(|(head, tail)| {
            head.ends_with("Plan: 0 to create, 1 to update, 0 to delete.")
                .then(|| tail.split_once(" requests"))?
        })
        .and_then(|(n, _)| n.parse().ok())
        .unwrap_or_else(|| panic!("no budget line at the end:\n{}", plan.stdout));
    let writes = env.writes();
    let before_apply = env.total_requests();
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(env.writes(), writes + 1, "one change, one write");
    assert_eq!(
        env.total_requests() - before_apply,
        plan_reads + budget,
        "the apply sent its plan's reads and the budget's requests"
    );
    let again = env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
    assert_eq!(again.stdout, "No changes.\n");
}

#[test]
fn multimedia_profile() {
    lifecycle(
        "multimedia-profile",
        "multimedia-profile:\n  - {name: Chat, active: true, blendingModeEnabled: true, blendingMode: BLENDED, telephony: 1, chat: 3, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 2, email: 0, social: 0}}\n",
        "chat: 2",
        "chat: 1",
        "manuallyAssignable.chat:  2 → 1",
    );
}

#[test]
fn site() {
    lifecycle(
        "site",
        "site:\n  - {name: Boston, active: true, multimediaProfileId: Voice, description: East}\n",
        "East",
        "East coast",
        "description:  \"East\" → \"East coast\"",
    );
}

#[test]
fn team() {
    lifecycle(
        "team",
        "team:\n  - {name: Red, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n",
        "IN_SERVICE",
        "NOT_AVAILABLE",
        "teamStatus:  \"IN_SERVICE\" → \"NOT_AVAILABLE\"",
    );
}

#[test]
fn skill_with_enum_values() {
    lifecycle(
        "skill",
        "skill:\n  - name: Product\n    skillType: ENUM\n    serviceLevelThreshold: 30\n    active: true\n    enumSkillValues:\n      - {name: Routers}\n      - {name: Switches, description: old}\n",
        "description: old",
        "description: new",
        "enumSkillValues[Switches].description:  \"old\" → \"new\"",
    );
}

#[test]
fn skill_profile() {
    lifecycle(
        "skill-profile",
        "skill-profile:\n  - name: Billing Gold\n    activeSkills: [{skillId: Billing, proficiencyValue: 5}]\n    activeEnumSkills: [{enumSkillValueId: Tier/Gold}]\n",
        "proficiencyValue: 5",
        "proficiencyValue: 7",
        "activeSkills[Billing].proficiencyValue:  5 → 7",
    );
}

#[test]
fn auxiliary_code() {
    lifecycle(
        "auxiliary-code",
        "auxiliary-code:\n  - {name: Lunch, workTypeCode: IDLE_CODE, workTypeId: Default Idle Work Type, defaultCode: false, active: true, description: Break}\n",
        "Break",
        "Lunch break",
        "description:  \"Break\" → \"Lunch break\"",
    );
}

#[test]
fn holiday_list() {
    lifecycle(
        "holiday-list",
        "holiday-list:\n  - name: Holidays\n    holidays:\n      - {name: New Year, startDate: \"2027-01-01\", endDate: \"2027-01-01\"}\n",
        "endDate: \"2027-01-01\"",
        "endDate: \"2027-01-02\"",
        "holidays[New Year].endDate:  \"2027-01-01\" → \"2027-01-02\"",
    );
}

#[test]
fn overrides() {
    lifecycle(
        "overrides",
        "overrides:\n  - name: Storms\n    timezone: America/Chicago\n    overrides:\n      - {name: Ice, startDateTime: \"2027-01-18T06:00\", endDateTime: \"2027-01-18T14:00\", workingHours: false}\n",
        "T14:00",
        "T16:00",
        "overrides[Ice].endDateTime:  \"2027-01-18T14:00\" → \"2027-01-18T16:00\"",
    );
}

#[test]
fn business_hours() {
    lifecycle(
        "business-hours",
        "business-hours:\n  - name: Hours\n    timezone: America/Chicago\n    workingHours:\n      - {name: Weekdays, days: [MON, TUE, WED, THU, FRI], startTime: \"08:00\", endTime: \"17:00\"}\n",
        "\"17:00\"",
        "\"18:00\"",
        "workingHours[Weekdays].endTime:  \"17:00\" → \"18:00\"",
    );
}

#[test]
fn cad_variable() {
    lifecycle(
        "cad-variable",
        "cad-variable:\n  - {name: Account, variableType: String, defaultValue: none, active: true, agentEditable: false, agentViewable: true, desktopLabel: Account, reportable: true}\n",
        "defaultValue: none",
        "defaultValue: unknown",
        "defaultValue:  \"none\" → \"unknown\"",
    );
}

#[test]
fn dial_plan() {
    lifecycle(
        "dial-plan",
        "dial-plan:\n  - {name: UK, regularExpression: \"44[0-9]{10}\", active: true}\n",
        "44[0-9]{10}",
        "44[0-9]{9,10}",
        "regularExpression:  \"44[0-9]{10}\" → \"44[0-9]{9,10}\"",
    );
}

#[test]
fn contact_number() {
    // The key is the number itself: a new number is a rename of the old one.
    lifecycle(
        "contact-number",
        "contact-number:\n  - {number: \"5550100\"}\n",
        "{number: \"5550100\"}",
        "{number: \"5550101\", x-wxcc: {formerNames: [\"5550100\"]}}",
        "number:  \"5550100\" → \"5550101\"",
    );
}

/// Contact numbers are the one kind the spec gives no `incoming-references` route, so the
/// plan walks the live referrers of a deleted number itself (`plan_deletes`): nothing
/// points at a number, and its delete goes through (kills `plan/build.rs`:
/// `!referrers.is_empty()` made `referrers.is_empty()`, which refuses every such delete as
/// "0 still point at it").
#[test]
fn a_contact_number_left_out_of_the_config_is_deleted() {
    let env = Env::new();
    env.write(
        "cfg/numbers.yaml",
        "contact-number:\n  - {number: \"5550100\"}\n  - {number: \"5550101\"}\n",
    );
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    env.write(
        "cfg/numbers.yaml",
        "contact-number:\n  - {number: \"5550100\"}\n",
    );
    let run = env
        .wxcc(&[
            "apply",
            "cfg",
            "--auto-approve",
            "--delete",
            "contact-number",
        ])
        .expect(0);
    contains_all(
        &run.stdout,
        &[
            "- deleted contact-number \"5550101\"",
            "Apply complete: 0 created, 0 updated, 1 deleted.",
        ],
    );
    let live: Vec<Value> = env
        .live("contact-number")
        .iter()
        .map(|n| n["number"].clone())
        .collect();
    assert_eq!(live, ["5550100"]);
}

#[test]
fn desktop_layout() {
    lifecycle(
        "desktop-layout",
        "desktop-layout:\n  - {name: Layout, description: v1, jsonFileName: l.json, jsonFileContent: '{\"version\":\"0.0.6\"}', global: false, status: true, defaultJsonModified: false, editedBy: wxcc}\n",
        "v1",
        "v2",
        "description:  \"v1\" → \"v2\"",
    );
}

#[test]
fn resource_collection() {
    let resources: Vec<String> = wxcc::catalogue::RESOURCE_TYPES
        .iter()
        .map(|n| format!("      - {{name: {n}, accessLevel: ALL}}\n"))
        .collect();
    let object = format!(
        "resource-collection:\n  - name: Everything\n    description: all of it\n    resources:\n{}",
        resources.concat()
    );
    lifecycle(
        "resource-collection",
        &object,
        "all of it",
        "everything",
        "description:  \"all of it\" → \"everything\"",
    );
}

#[test]
fn user_profile() {
    lifecycle(
        "user-profile",
        "user-profile:\n  - {name: Leads, description: team leads, profileType: SUPERVISOR, active: true, permissionAccessLevel: ALL, resourceAccessLevel: ALL}\n",
        "team leads",
        "shift leads",
        "description:  \"team leads\" → \"shift leads\"",
    );
}

#[test]
fn address_book() {
    lifecycle(
        "address-book",
        "address-book:\n  - name: Contacts\n    parentType: SITE\n    siteId: Austin\n    addressBookEntries:\n      - {name: Legal, number: \"+13125550199\"}\n      - {name: Security, number: \"+13125550198\"}\n",
        "+13125550198",
        "+13125550197",
        "addressBookEntries[Security].number:  \"+13125550198\" → \"+13125550197\"",
    );
}

#[test]
fn outdial_ani() {
    lifecycle(
        "outdial-ani",
        "outdial-ani:\n  - name: Outbound\n    outdialANIEntries:\n      - {name: Main, number: \"+13125550100\", defaultANIEntry: true}\n      - {name: Backup, number: \"+13125550101\"}\n",
        "+13125550101",
        "+13125550102",
        "outdialANIEntries[Backup].number:  \"+13125550101\" → \"+13125550102\"",
    );
}

#[test]
fn contact_service_queue() {
    lifecycle(
        "contact-service-queue",
        "contact-service-queue:\n  - {name: Sales, queueType: INBOUND, channelType: CHAT, queueRoutingType: TEAM_BASED, routingType: LONGEST_AVAILABLE_AGENT, serviceLevelThreshold: 30, maxActiveContacts: 0, maxTimeInQueue: 3600, active: true, callDistributionGroups: [{order: 1, duration: 0, agentGroups: [{teamId: Blue}]}]}\n",
        "maxTimeInQueue: 3600",
        "maxTimeInQueue: 1800",
        "maxTimeInQueue:  3600 → 1800",
    );
}

#[test]
fn entry_point() {
    lifecycle(
        "entry-point",
        "entry-point:\n  - {name: Chat In, entryPointType: INBOUND, channelType: CHAT, serviceLevelThreshold: 60, maximumActiveContacts: 50, active: true}\n",
        "maximumActiveContacts: 50",
        "maximumActiveContacts: 80",
        "maximumActiveContacts:  50 → 80",
    );
}

#[test]
fn dial_number() {
    lifecycle(
        "dial-number",
        "dial-number:\n  - {dialledNumber: \"+13125550101\", entryPointId: Main, location: Austin, regionId: US}\n",
        "entryPointId: Main",
        "entryPointId: Second",
        "entryPointId:  \"Main\" → \"Second\"",
    );
}

#[test]
fn agent_profile() {
    lifecycle(
        "agent-profile",
        "agent-profile:\n  - {name: Agents, description: v1, parentType: ORGANIZATION, active: true, accessWrapUpCode: ALL, accessIdleCode: ALL, accessQueue: ALL, accessEntryPoint: ALL, accessBuddyTeam: SPECIFIC, buddyTeams: [Blue], agentDNValidation: ALL, viewableStatistics: {agentStats: true, accessQueueStats: ALL, accessTeamStats: ALL, loggedInTeamStats: true}}\n",
        "description: v1",
        "description: v2",
        "description:  \"v1\" → \"v2\"",
    );
}

#[test]
fn user_assignment() {
    lifecycle(
        "user",
        // A second team at the user's site: the API takes only teams of the user's site,
        // and returns the list in its own order (compared as a set).
        "team:\n  - {name: Green, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\nuser:\n  - {email: ana.lopez@example.com, siteId: Austin, teamIds: [Blue]}\n",
        "siteId: Austin, teamIds: [Blue]",
        "siteId: Austin, teamIds: [Blue, Green]",
        "teamIds:  [\"Blue\"] → [\"Blue\",\"Green\"]",
    );
}

#[test]
fn audio_file_is_uploaded_and_compared_by_content() {
    let env = Env::new();
    env.write("cfg/audio.yaml", "audio-file:\n  - {name: hello.wav, contentType: AUDIO_WAV, description: Hi, audioFile: hello.wav}\n");
    std::fs::write(
        env.path().join("cfg/hello.wav"),
        b"RIFF....WAVEfmt first version",
    )
    .expect("write wav");
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    let live = env.live_named("audio-file", "hello.wav");
    let blob = live["blobId"].as_str().expect("blobId").to_string();
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);

    std::fs::write(
        env.path().join("cfg/hello.wav"),
        b"RIFF....WAVEfmt second version",
    )
    .expect("write wav");
    let plan = env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(2);
    assert!(
        plan.stdout.contains("audioFile:  \"sha256:"),
        "content is compared: {}",
        plan.stdout
    );
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    let after = env.live_named("audio-file", "hello.wav");
    assert_eq!(
        after["blobId"],
        blob.as_str(),
        "the blob is replaced in place"
    );
    let (status, _) = env.api("GET", &env.org_path(&format!("blob/{blob}")), None);
    assert_eq!(status, 200);
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

/// An audio file left out of the config is deleted with `--delete audio-file`: a delete
/// sends no file, so it needs none (kills `apply/write.rs`: the `sends_file` guard of
/// `prepare` made always true, which looked for the deleted record's file and gave up).
#[test]
fn an_audio_file_left_out_of_the_config_is_deleted() {
    let env = Env::new();
    env.write("cfg/audio.yaml", "audio-file:\n  - {name: hello.wav, contentType: AUDIO_WAV, description: Hi, audioFile: hello.wav}\n");
    std::fs::write(env.path().join("cfg/hello.wav"), b"RIFF....WAVEfmt hello").expect("write wav");
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(
        env.live_named("audio-file", "hello.wav")["description"],
        "Hi"
    );
    std::fs::remove_file(env.path().join("cfg/audio.yaml")).expect("remove");
    std::fs::remove_file(env.path().join("cfg/hello.wav")).expect("remove");
    env.write(
        "cfg/sites.yaml",
        "site:\n  - {name: Austin, active: true, multimediaProfileId: Default Multimedia Profile}\n",
    );
    let run = env
        .wxcc(&["apply", "cfg", "--delete", "audio-file", "--auto-approve"])
        .expect(0);
    contains_all(&run.stdout, &["- deleted audio-file \"hello.wav\""]);
    assert!(
        env.live("audio-file")
            .iter()
            .all(|a| a["name"] != "hello.wav"),
        "hello.wav is gone live"
    );
    // The tenant's own music on hold (a system default) is left alone.
    env.live_named("audio-file", "defaultmusic_on_hold.wav");
}

#[test]
fn a_missing_audio_file_is_a_load_error() {
    let env = Env::new();
    env.write(
        "a.yaml",
        "audio-file:\n  - {name: x.wav, contentType: AUDIO_WAV, audioFile: nowhere/x.wav}\n",
    );
    let err = refused(&env, "a.yaml");
    contains_all(&err, &["cannot read `nowhere/x.wav`", "[a.yaml:2:"]);
}

#[test]
fn work_types_can_only_be_referenced() {
    let env = Env::new();
    env.write(
        "w.yaml",
        "work-type:\n  - {name: Mine, workTypeCode: IDLE_CODE, active: true}\n",
    );
    let err = refused(&env, "w.yaml");
    contains_all(
        &err,
        &[
            "work-type objects are owned by Cisco and cannot be declared",
            "auxiliary-code.workTypeId",
        ],
    );
}

#[test]
fn a_user_missing_live_is_a_plan_error_naming_the_email() {
    let env = Env::new();
    env.write(
        "u.yaml",
        "user:\n  - {email: nobody@example.com, siteId: Site-1}\n",
    );
    refused_at_plan(
        &env,
        &["u.yaml"],
        &[
            "× user `nobody@example.com` does not exist in the tenant",
            "create it in Control Hub first",
        ],
    );
}

fn by_name<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|o| o["name"] == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn the_contact_center_example_applies_and_converges() {
    let env = Env::new();
    env.copy_example("contact-center");
    let plan = env.wxcc(&["plan", "contact-center"]).expect(0);
    contains_all(
        &plan.stdout,
        &[
            "~ update desktop-layout \"Support Layout\"  (second pass: back-links)",
            "~ update team \"Tech Support Tier 1\"  (second pass: back-links)",
        ],
    );
    let applied = env
        .wxcc(&["apply", "contact-center", "--auto-approve"])
        .expect(0);
    contains_all(&applied.stdout, &["Apply complete:", "(second pass)"]);
    let again = env
        .wxcc(&["plan", "contact-center", "--detailed-exitcode"])
        .expect(0);
    assert_eq!(again.stdout, "No changes.\n");

    // Nested references went out as ids.
    let teams = env.live("team");
    let queue = env.live_named("contact-service-queue", "Tech Support");
    let groups = queue["callDistributionGroups"].as_array().expect("groups");
    let team_ids: Vec<&Value> = groups
        .iter()
        .flat_map(|g| g["agentGroups"].as_array().into_iter().flatten())
        .map(|a| &a["teamId"])
        .collect();
    assert!(team_ids.contains(&&by_name(&teams, "Tech Support Tier 1")["id"]));
    let skills = env.live("skill");
    let technical = by_name(&skills, "Technical");
    assert_eq!(
        queue["queueSkillRequirements"][0]["skillId"],
        technical["id"]
    );
    let tier = by_name(&skills, "Customer Tier");
    let gold = tier["enumSkillValues"]
        .as_array()
        .expect("values")
        .iter()
        .find(|v| v["name"] == "Gold")
        .expect("Gold");
    let vip = env.live_named("skill-profile", "VIP Desk");
    assert_eq!(vip["activeEnumSkills"][0]["enumSkillValueId"], gold["id"]);
    let layout = env.live_named("desktop-layout", "Support Layout");
    assert_eq!(
        layout["teamIds"].as_array().map(Vec::len),
        Some(2),
        "the back-link was set in the second pass"
    );
    let ranked = by_name(&teams, "Tech Support Tier 1");
    assert_eq!(ranked["queueRankings"].as_array().map(Vec::len), Some(2));
    let chen = env.live_user("chen.wei@example.com");
    assert_eq!(chen["teamIds"].as_array().map(Vec::len), Some(2));

    // And come back as names: moving a queue to another team shows team names.
    let queues =
        std::fs::read_to_string(env.path().join("contact-center/queues.yaml")).expect("read");
    let moved = queues.replacen(
        "          - teamId: Tech Support Tier 2\n  - name: Tech Escalations",
        "          - teamId: VIP Desk\n  - name: Tech Escalations",
        1,
    );
    assert_ne!(moved, queues);
    std::fs::write(env.path().join("contact-center/queues.yaml"), moved).expect("write");
    let plan = env.wxcc(&["plan", "contact-center"]).expect(0);
    contains_all(
        &plan.stdout,
        &[
            "~ update contact-service-queue \"Tech Support\"",
            "\"Tech Support Tier 2\"",
            "\"VIP Desk\"",
        ],
    );
}

#[test]
fn deleting_an_object_live_objects_point_at_is_refused_at_plan_time() {
    let env = Env::new();
    env.write("cfg/base.yaml", BASE);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    // The site goes from the config; the team stays out of the config too, so it is not
    // managed (team deletes were not asked for) and still points at the site.
    let without = BASE.replace(
        "site:\n  - {name: Austin, active: true, multimediaProfileId: Voice}\nteam:\n  - {name: Blue, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n",
        "",
    );
    assert_ne!(without, BASE);
    env.write("cfg/base.yaml", &without);
    let writes = env.writes();
    let plan = env.wxcc(&["plan", "cfg", "--delete", "site"]).expect(1);
    assert!(
        plan.stderr.contains(
            "× site `Austin` would be deleted, but 1 still points at it: team `Blue` (not in the config, siteId)"
        ),
        "{}",
        plan.stderr
    );
    env.wxcc(&["apply", "cfg", "--auto-approve", "--delete", "site"])
        .expect(1);
    assert_eq!(env.writes(), writes);
    // With the team deleted too, both go, the team first.
    let run = env
        .wxcc(&[
            "apply",
            "cfg",
            "--auto-approve",
            "--delete",
            "site",
            "--delete",
            "team",
            "--max-delete-percent",
            "100",
        ])
        .expect(0);
    let team_at = run
        .stdout
        .find("- deleted team \"Blue\"")
        .expect("team deleted");
    let site_at = run
        .stdout
        .find("- deleted site \"Austin\"")
        .expect("site deleted");
    assert!(team_at < site_at, "children first: {}", run.stdout);
}

#[test]
fn deleting_what_a_list_row_hides_is_refused_through_incoming_references() {
    let env = Env::new();
    env.write("cfg/base.yaml", BASE);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    // A skill profile made outside the config uses skill Billing; skill-profile list rows
    // cannot show the link, but the incoming-references route does (docs/undo.md).
    let billing = env.live_named("skill", "Billing");
    let (status, _) = env.api("POST", &env.org_path("skill-profile"), Some(serde_json::json!({"name": "Outside", "activeSkills": [{"skillId": billing["id"], "proficiencyValue": 3}]})));
    assert_eq!(status, 201);
    env.write("cfg/base.yaml", &BASE.replace("  - {name: Billing, skillType: PROFICIENCY, serviceLevelThreshold: 30, active: true}\n", ""));
    refused_at_plan(
        &env,
        &["cfg", "--delete", "skill", "--max-delete-percent", "100"],
        &[
            "skill `Billing` would be deleted, but 1 still points at it: skill-profile `Outside` (not in the config)",
        ],
    );
}

#[test]
fn an_update_keeps_fields_the_list_leaves_out() {
    let env = Env::new();
    let team = "team:\n  - {name: Red, siteId: Site-1, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: true}\n";
    env.write("t.yaml", team);
    env.wxcc(&["apply", "t.yaml", "--auto-approve"]).expect(0);
    // Rankings set outside the config; team list rows leave `queueRankings` out.
    let mut red = env.live_named("team", "Red");
    let queue = env.live_named("contact-service-queue", "Queue-1");
    red["queueRankings"] = serde_json::json!([{"queueId": queue["id"], "rank": 1}]);
    let id = red["id"].as_str().expect("id").to_string();
    let (status, _) = env.api("PUT", &env.org_path(&format!("team/{id}")), Some(red));
    assert_eq!(status, 200);
    let (_, row) = env.api("GET", &env.org_path("v2/team?filter=name%3D%3DRed"), None);
    assert!(
        row["data"][0].get("queueRankings").is_none(),
        "the list row really leaves it out: {row}"
    );

    env.write("t.yaml", &team.replace("IN_SERVICE", "NOT_AVAILABLE"));
    env.wxcc(&["apply", "t.yaml", "--auto-approve"]).expect(0);
    let after = env.live_named("team", "Red");
    assert_eq!(after["teamStatus"], "NOT_AVAILABLE");
    assert_eq!(
        after["queueRankings"][0]["queueId"], queue["id"],
        "rankings survived: the update read the whole team first"
    );
    let reads: Vec<serde_json::Value> = env
        .client_requests()
        .into_iter()
        .filter(|r| r["method"] == "GET" && r["path"] == env.org_path(&format!("team/{id}")))
        .collect();
    assert_eq!(reads.len(), 1, "one item read, just before the write");
}

/// BASE and a skill profile on `Tier/Gold` applied; then `base` takes BASE's place and the
/// profile moves to `Tier/Silver`, in one change. Returns the plan of that change.
fn plan_moving_a_profile_off_gold(env: &Env, base: &str) -> Run {
    env.write("cfg/base.yaml", BASE);
    let profile =
        "skill-profile:\n  - name: Tiered\n    activeEnumSkills: [{enumSkillValueId: Tier/Gold}]\n";
    env.write("cfg/profile.yaml", profile);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    env.write("cfg/base.yaml", base);
    env.write(
        "cfg/profile.yaml",
        &profile.replace("Tier/Gold", "Tier/Silver"),
    );
    env.wxcc(&["plan", "cfg"]).expect(0)
}

/// The main update of a skill that also drops an enum value a profile still points at
/// shows the skill's other changes, and not the removal, which waits for the last pass
/// (kills `plan/build.rs`: `!=` made `==` in `split_entry_removals`, which kept only the
/// list's diffs in the main update and dropped the others).
#[test]
fn the_main_update_of_a_skill_losing_a_referenced_value_shows_its_other_changes() {
    let env = Env::new();
    let tier = "    serviceLevelThreshold: 30\n    active: true\n    enumSkillValues: [{name: Gold}, {name: Silver}]";
    assert!(BASE.contains(tier), "test setup");
    let plan = plan_moving_a_profile_off_gold(
        &env,
        &BASE.replace(
            tier,
            "    serviceLevelThreshold: 45\n    active: true\n    enumSkillValues: [{name: Silver}]",
        ),
    );
    let start = plan
        .stdout
        .find("~ update skill \"Tier\"  (id")
        .expect("main update of the skill");
    let main = &plan.stdout[start..];
    let main = &main[..main.find("\n\n").unwrap_or(main.len())];
    contains_all(main, &["serviceLevelThreshold:", "30 → 45"]);
    assert!(!main.contains("Gold"), "{main}");
    contains_all(&plan.stdout, &["enumSkillValues:  [\"Gold\"] → (removed)"]);
}

#[test]
fn removing_an_enum_value_waits_until_profiles_move_off_it() {
    let env = Env::new();
    // Gold goes from the skill, and the profile moves to Silver, in one change.
    let plan = plan_moving_a_profile_off_gold(
        &env,
        &BASE.replace(
            "enumSkillValues: [{name: Gold}, {name: Silver}]",
            "enumSkillValues: [{name: Silver}, {name: Bronze}]",
        ),
    );
    let main = plan
        .stdout
        .find("~ update skill \"Tier\"  (id")
        .expect("main update of the skill");
    let moved = plan
        .stdout
        .find("~ update skill-profile \"Tiered\"")
        .expect("profile update");
    let cleanup = plan
        .stdout
        .find("~ update skill \"Tier\"  (last pass: removes entries")
        .expect("cleanup pass");
    assert!(main < moved && moved < cleanup, "{}", plan.stdout);
    contains_all(&plan.stdout, &["enumSkillValues:  [\"Gold\"] → (removed)"]);
    let run = env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    contains_all(&run.stdout, &["~ updated skill \"Tier\" (last pass)"]);
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
    let tier = env.live_named("skill", "Tier");
    let names: Vec<&str> = tier["enumSkillValues"]
        .as_array()
        .expect("values")
        .iter()
        .filter_map(|v| v["name"].as_str())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(
        names.contains(&"Silver") && names.contains(&"Bronze"),
        "{names:?}"
    );
}

/// The last-pass removal of an enum value needs the profile that moves off it: when that
/// profile's update fails, the removal is skipped, naming the profile, and the value stays
/// live; without the fault a re-run finishes it (kills `apply/deps.rs`: `||` made `&&` in
/// `needs`, which dropped a last-pass change's wait for the objects that pointed at its
/// entries and for its own object's main update, and sent the removal anyway).
#[test]
fn removing_an_enum_value_is_skipped_when_the_profile_moving_off_it_fails() {
    let env = Env::new();
    plan_moving_a_profile_off_gold(
        &env,
        &BASE.replace(
            "enumSkillValues: [{name: Gold}, {name: Silver}]",
            "enumSkillValues: [{name: Silver}, {name: Bronze}]",
        ),
    );
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "PUT", "pathContains": "/skill-profile/", "status": 400})),
    );
    let sent_before = env.client_requests().len();
    let run = env
        .wxcc(&["apply", "cfg", "--auto-approve", "--parallelism", "1"])
        .expect(1);
    contains_all(
        &run.stdout,
        &[
            "~ updated skill \"Tier\" (id ",
            "✗ failed to update skill-profile \"Tiered\"",
            "○ skipped: did not update skill \"Tier\": it needs skill-profile `Tiered`, whose update failed",
            "1 done (0 created, 1 updated, 0 deleted), 1 failed, 1 skipped, 0 not attempted.",
        ],
    );
    let skill_writes = env.client_requests()[sent_before..]
        .iter()
        .filter(|r| {
            r["method"] != "GET" && r["path"].as_str().is_some_and(|p| p.contains("/skill/"))
        })
        .count();
    assert_eq!(skill_writes, 1, "the main update only, not the removal");
    let values = |env: &Env| {
        let mut names: Vec<String> = env.live_named("skill", "Tier")["enumSkillValues"]
            .as_array()
            .expect("values")
            .iter()
            .filter_map(|v| v["name"].as_str().map(str::to_string))
            .collect();
        names.sort();
        names
    };
    assert_eq!(
        values(&env),
        ["Bronze", "Gold", "Silver"],
        "Gold is still live"
    );
    env.admin("DELETE", "/faults", None);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(values(&env), ["Bronze", "Silver"]);
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

/// A desktop layout on team Blue.
const LAYOUT: &str = "desktop-layout:\n  - {name: Layout, description: v1, jsonFileName: l.json, jsonFileContent: '{\"version\":\"0.0.6\"}', global: false, status: true, defaultJsonModified: false, editedBy: wxcc, teamIds: [Blue]}\n";

/// [`LAYOUT`] applied, then the config changed to `layout` (LAYOUT edited) given team
/// Green as well, a team the config now creates.
fn layout_given_green(env: &Env, layout: &str) {
    env.write("cfg/base.yaml", BASE)
        .write("cfg/layout.yaml", LAYOUT);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    env.write(
        "cfg/layout.yaml",
        &format!(
            "{}team:\n  - {{name: Green, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}}\n",
            layout.replace("teamIds: [Blue]", "teamIds: [Blue, Green]")
        ),
    );
}

/// A live layout given a team the same plan creates: its `teamIds` back-link (catalogue
/// `back`) waits for the second pass, shown as such with its own diff, and lands.
#[test]
fn a_live_layout_given_a_team_the_plan_creates_is_updated_in_the_second_pass() {
    let env = Env::new();
    layout_given_green(&env, LAYOUT);
    let plan = env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(2);
    let lines: Vec<&str> = plan.stdout.lines().collect();
    let header = lines
        .iter()
        .position(|l| {
            l.contains("~ update desktop-layout \"Layout\"  (second pass: back-links, id ")
        })
        .unwrap_or_else(|| panic!("no second-pass update of the layout:\n{}", plan.stdout));
    assert!(
        lines[header + 1].contains("teamIds:") && lines[header + 1].contains("\"Green\""),
        "the second pass shows the teamIds change as its own:\n{}",
        plan.stdout
    );
    contains_all(
        &plan.stdout,
        &["Plan: 1 to create, 1 to update, 0 to delete."],
    );
    let applied = env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    contains_all(&applied.stdout, &["(second pass)"]);
    let green = env.live_named("team", "Green")["id"].clone();
    let blue = env.live_named("team", "Blue")["id"].clone();
    let mut ids: Vec<Value> = env.live_named("desktop-layout", "Layout")["teamIds"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    ids.sort_by_key(|v| v.to_string());
    let mut want = vec![blue, green];
    want.sort_by_key(|v| v.to_string());
    assert_eq!(ids, want, "the layout names both teams live");
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

/// The `(pass, renamedFrom)` of each change of `kind` in the JSON plan of `cfg`.
fn passes_of(env: &Env, kind: &str) -> Vec<(String, Value)> {
    let run = env.wxcc(&["plan", "cfg", "--format", "json"]).expect(0);
    let doc: Value = serde_json::from_str(&run.stdout).expect("a JSON plan");
    doc["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["kind"] == kind)
        .map(|c| {
            (
                c["pass"].as_str().unwrap_or_default().to_string(),
                c["renamedFrom"].clone(),
            )
        })
        .collect()
}

/// A live layout renamed and given a team the same plan creates: the rename is the main
/// update's (`renamed from "Layout"` in its title, `renamedFrom` in the JSON plan), the
/// second pass only sets the back-link on the object already renamed, and says nothing of
/// a rename (kills `plan/build.rs`: `renamed_from: None` deleted from the back-link change
/// of `plan_update`, which showed the rename on both).
#[test]
fn a_renamed_live_layout_given_a_new_team_is_renamed_by_its_main_update_only() {
    let env = Env::new();
    layout_given_green(
        &env,
        &LAYOUT.replace(
            "{name: Layout, ",
            "{name: Desk, x-wxcc: {formerNames: [Layout]}, ",
        ),
    );
    let plan = env.wxcc(&["plan", "cfg"]).expect(0);
    let titles: Vec<&str> = plan
        .stdout
        .lines()
        .filter(|l| l.starts_with("~ update desktop-layout"))
        .collect();
    assert_eq!(titles.len(), 2, "{}", plan.stdout);
    assert!(
        titles[0].starts_with("~ update desktop-layout \"Desk\"  (renamed from \"Layout\", id "),
        "{}",
        plan.stdout
    );
    assert!(
        titles[1].starts_with("~ update desktop-layout \"Desk\"  (second pass: back-links, id "),
        "{}",
        plan.stdout
    );
    assert_eq!(
        passes_of(&env, "desktop-layout"),
        [
            ("main".to_string(), json!("Layout")),
            ("back-links".to_string(), Value::Null)
        ]
    );
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    let desk = env.live_named("desktop-layout", "Desk");
    assert_eq!(
        desk["teamIds"].as_array().map(Vec::len),
        Some(2),
        "the layout names both teams live: {desk}"
    );
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}
