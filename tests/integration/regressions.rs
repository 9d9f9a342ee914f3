//! Regressions that mutation testing found the suite let through (docs/testing.md lists
//! each mutation and the test here that kills it). Each test checks the emulator's state or
//! request log, not only the tool's own next plan: the same diff code decides both.

use serde_json::Value;

use crate::harness::{Env, contains_all};

const HOLIDAYS: &str = "holiday-list:
  - name: Plant Holidays
    holidays:
      - {name: New Year, startDate: \"2027-01-01\", endDate: \"2027-01-01\"}
      - {name: Christmas, startDate: \"2027-12-24\", endDate: \"2027-12-25\"}
";

/// A site Austin and its team Blue, the only team of that name.
const AUSTIN_BLUE: &str = "multimedia-profile:\n  - {name: Voice, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}}\nsite:\n  - {name: Austin, active: true, multimediaProfileId: Voice}\nteam:\n  - {name: Blue, siteId: Austin, multiMediaProfileId: Voice, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n";

/// A queue naming team Blue by its site: `Austin/Blue`.
const QUEUE_OF_BLUE: &str = "contact-service-queue:\n  - {name: Q, queueType: INBOUND, channelType: CHAT, queueRoutingType: TEAM_BASED, routingType: LONGEST_AVAILABLE_AGENT, serviceLevelThreshold: 30, maxActiveContacts: 0, maxTimeInQueue: 3600, active: true, callDistributionGroups: [{order: 1, duration: 0, agentGroups: [{teamId: Austin/Blue}]}]}\n";

fn holiday_names(env: &Env) -> Vec<String> {
    let list = env.live_named("holiday-list", "Plant Holidays");
    let mut names: Vec<String> = list["holidays"]
        .as_array()
        .expect("holidays")
        .iter()
        .filter_map(|h| h["name"].as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

/// Kills `plan/diff.rs`: the keyed-list length check made always true (removing an entry
/// of a keyed list planned as `No changes.`).
#[test]
fn removing_one_entry_of_a_keyed_list_is_planned_and_applied() {
    let env = Env::new();
    env.write("cfg/h.yaml", HOLIDAYS);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(holiday_names(&env), ["Christmas", "New Year"]);

    let without_christmas = HOLIDAYS
        .lines()
        .filter(|l| !l.contains("Christmas"))
        .collect::<Vec<_>>()
        .join("\n");
    env.write("cfg/h.yaml", &format!("{without_christmas}\n"));
    let plan = env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(2);
    contains_all(
        &plan.stdout,
        &[
            "~ update holiday-list \"Plant Holidays\"",
            "holidays:",
            "Plan: 0 to create, 1 to update, 0 to delete.",
        ],
    );
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(holiday_names(&env), ["New Year"], "the entry is gone live");
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

/// Kills a keyed-list comparison that looks only at the entries' keys: a changed field of
/// the second entry is planned and lands live.
#[test]
fn a_changed_field_of_a_later_keyed_entry_is_planned_and_applied() {
    let env = Env::new();
    env.write("cfg/h.yaml", HOLIDAYS);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    env.write(
        "cfg/h.yaml",
        &HOLIDAYS.replace("endDate: \"2027-12-25\"", "endDate: \"2027-12-26\""),
    );
    let plan = env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(2);
    contains_all(
        &plan.stdout,
        &["holidays[Christmas].endDate:  \"2027-12-25\" → \"2027-12-26\""],
    );
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    let list = env.live_named("holiday-list", "Plant Holidays");
    let christmas = list["holidays"]
        .as_array()
        .expect("holidays")
        .iter()
        .find(|h| h["name"] == "Christmas")
        .cloned()
        .expect("Christmas live");
    assert_eq!(christmas["endDate"], "2027-12-26");
}

/// Kills `plan/safety.rs`: the single-delete exemption `n > 1` made `n > 0`. Deleting one
/// object of a kind is always allowed, even when it is more than 30 % of the kind (here
/// one of two), while two of three is refused.
#[test]
fn deleting_a_single_object_of_a_small_kind_is_allowed() {
    let env = Env::new();
    let lists = ["Alpha", "Beta", "Gamma"].map(|n| {
        format!("  - name: {n}\n    holidays:\n      - {{name: New Year, startDate: \"2027-01-01\", endDate: \"2027-01-01\"}}\n")
    });
    env.write(
        "cfg/h.yaml",
        &format!("holiday-list:\n{}{}", lists[0], lists[1]),
    );
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(env.live("holiday-list").len(), 2);

    env.write("cfg/h.yaml", &format!("holiday-list:\n{}", lists[0]));
    let plan = env
        .wxcc(&["plan", "cfg", "--delete", "holiday-list"])
        .expect(0);
    contains_all(
        &plan.stdout,
        &[
            "- delete holiday-list \"Beta\"",
            "Plan: 0 to create, 0 to update, 1 to delete.",
        ],
    );
    env.wxcc(&["apply", "cfg", "--auto-approve", "--delete", "holiday-list"])
        .expect(0);
    let names: Vec<Value> = env
        .live("holiday-list")
        .into_iter()
        .map(|l| l["name"].clone())
        .collect();
    assert_eq!(names, ["Alpha"]);

    // Two of three is over the threshold: refused, nothing deleted.
    env.write(
        "cfg/h.yaml",
        &format!("holiday-list:\n{}{}{}", lists[0], lists[1], lists[2]),
    );
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    env.write("cfg/h.yaml", &format!("holiday-list:\n{}", lists[0]));
    crate::harness::refused_at_plan(
        &env,
        &["cfg", "--delete", "holiday-list"],
        &["refusing to delete 2 of 3 live holiday-lists (66%), more than the 30% threshold"],
    );
    assert_eq!(env.live("holiday-list").len(), 3);
}

/// Kills `apply/mod.rs` and `apply/bulk.rs`: users updated with a whole record instead of
/// a PATCH of the changed fields (through `PATCH user/bulk`, docs/api-notes.md §1.8). A
/// field another admin changed after the plan read the user survives.
#[test]
fn users_are_patched_with_only_the_changed_fields() {
    let env = Env::new();
    env.write(
        "cfg/u.yaml",
        "multimedia-profile:\n  - {name: Voice, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}}\nsite:\n  - {name: Austin, active: true, multimediaProfileId: Voice}\nteam:\n  - {name: Blue, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\nuser:\n  - {email: ana.lopez@example.com, siteId: Austin, teamIds: [Blue]}\n",
    );
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    let user_writes: Vec<Value> = env
        .client_requests()
        .into_iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.contains("/user/")))
        .filter(|r| r["method"] != "GET")
        .collect();
    assert_eq!(user_writes.len(), 1, "{user_writes:?}");
    assert_eq!(user_writes[0]["method"], "PATCH");
    assert!(
        user_writes[0]["path"]
            .as_str()
            .is_some_and(|p| p.ends_with("/user/bulk")),
        "{user_writes:?}"
    );
    let items = user_writes[0]["body"]["items"]
        .as_array()
        .expect("bulk items");
    assert_eq!(items.len(), 1, "{items:?}");
    let body = items[0]["item"].as_object().expect("a JSON item");
    let mut fields: Vec<&str> = body.keys().map(String::as_str).collect();
    fields.sort();
    assert_eq!(
        fields,
        ["id", "siteId", "teamIds"],
        "only the user's id and the changed fields are sent"
    );
}

/// Kills `config/validate.rs`: the warning for fields the API accepts but ignores removed.
#[test]
fn a_field_the_api_ignores_is_warned_about() {
    let env = Env::new();
    env.write(
        "u.yaml",
        "user:\n  - {email: ana.lopez@example.com, userLevelSummariesInclusion: INCLUDED}\n",
    );
    let run = env.wxcc(&["validate", "u.yaml"]).expect(0);
    contains_all(
        &run.stderr,
        &[
            "the API accepts `userLevelSummariesInclusion` on a user but does not apply it",
            "u.yaml:2:",
        ],
    );
    assert_eq!(env.total_requests(), 0);
}

/// Kills `config/validate.rs`: a warning on every reference, defined or not. A config whose
/// references all resolve validates without a single warning.
#[test]
fn a_site_qualified_reference_to_a_declared_team_is_defined() {
    let env = Env::new();
    env.write("cfg/a.yaml", &format!("{AUSTIN_BLUE}{QUEUE_OF_BLUE}"));
    // `Austin/Blue` names the one team Blue by its site (docs/kinds.md): the config
    // defines it, so validate has nothing to warn about.
    let run = env.wxcc(&["validate", "cfg"]).expect(0);
    let text = format!("{}{}", run.stdout, run.stderr);
    assert!(!text.contains("warning"), "no warning expected:\n{text}");
    contains_all(&run.stdout, &["is valid: 4 objects in 1 file"]);
}

/// A queue may name a team created in the same run by its site-qualified key: the apply
/// resolves `Austin/Blue` to the id the team's create just returned (it once failed with
/// "team `Austin/Blue` does not exist (it was to be created earlier in this run)").
#[test]
fn a_site_qualified_reference_to_a_team_created_in_the_same_run_applies() {
    let env = Env::new();
    env.write("cfg/a.yaml", &format!("{AUSTIN_BLUE}{QUEUE_OF_BLUE}"));
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    let team = env.live_named("team", "Blue");
    let queue = env.live_named("contact-service-queue", "Q");
    assert_eq!(
        queue["callDistributionGroups"][0]["agentGroups"][0]["teamId"], team["id"],
        "the queue's group holds the new team's id: {queue}"
    );
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

#[test]
fn a_reference_to_an_entry_of_a_declared_list_warns_only_when_the_entry_is_missing() {
    let env = Env::new();
    let config = |value: &str| {
        format!(
            "skill:\n  - {{name: Lang, skillType: ENUM, serviceLevelThreshold: 30, active: true, enumSkillValues: [{{name: EN}}, {{name: FR}}]}}\nskill-profile:\n  - {{name: P, activeEnumSkills: [{{enumSkillValueId: Lang/{value}}}]}}\n"
        )
    };
    env.write("cfg/a.yaml", &config("DE"));
    let run = env.wxcc(&["validate", "cfg"]).expect(0);
    let text = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(
        text.matches("which this config does not define").count(),
        1,
        "{text}"
    );
    contains_all(&text, &["names value `DE` of skill `Lang`"]);
    env.write("cfg/a.yaml", &config("FR"));
    let run = env.wxcc(&["validate", "cfg"]).expect(0);
    let text = format!("{}{}", run.stdout, run.stderr);
    assert!(
        !text.contains("warning") && !text.contains("does not define"),
        "{text}"
    );
}

#[test]
fn references_the_config_defines_draw_no_warning() {
    let env = Env::new();
    env.write(
        "cfg/a.yaml",
        "multimedia-profile:\n  - {name: Voice, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}}\nsite:\n  - {name: Austin, active: true, multimediaProfileId: Voice}\nteam:\n  - {name: Blue, siteId: Austin, multiMediaProfileId: Voice, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n",
    );
    let run = env.wxcc(&["validate", "cfg"]).expect(0);
    assert!(
        !run.stderr.contains("warning") && !run.stdout.contains("warning"),
        "no warning expected:\n{}{}",
        run.stdout,
        run.stderr
    );
    contains_all(&run.stdout, &["is valid: 3 objects in 1 file"]);

    // The same config with one reference to nothing: exactly that one warns.
    env.write(
        "cfg/a.yaml",
        "multimedia-profile:\n  - {name: Voice, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}}\nsite:\n  - {name: Austin, active: true, multimediaProfileId: Voice}\nteam:\n  - {name: Blue, siteId: Elsewhere, multiMediaProfileId: Voice, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n",
    );
    let run = env.wxcc(&["validate", "cfg"]).expect(0);
    let text = format!("{}{}", run.stdout, run.stderr);
    assert_eq!(
        text.matches("which this config does not define").count(),
        1,
        "exactly one warning, for the dangling reference:\n{text}"
    );
    contains_all(&text, &["`siteId` names site `Elsewhere`"]);
}

const TWO_TEAMS: &str = "team:
  - {name: Blue, siteId: Site-1, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}
  - {name: Red, siteId: Site-1, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}
";

fn layout_for(teams: &str) -> String {
    format!(
        "desktop-layout:\n  - {{name: Layout, jsonFileName: l.json, jsonFileContent: '{{\"version\":\"0.0.6\"}}', global: false, status: true, defaultJsonModified: false, editedBy: wxcc, teamIds: [{teams}]}}\n"
    )
}

fn team_ids(env: &Env, names: &[&str]) -> Vec<Value> {
    names
        .iter()
        .map(|n| env.live_named("team", n)["id"].clone())
        .collect()
}

/// Kills `plan/build.rs`: `targets_live` made false, and its guard in `plan_update` made
/// true. A back-link (a layout's `teamIds`) to teams that already exist live goes out with
/// the create or update itself; deferring it anyway plans a second-pass update and sends
/// one write more.
#[test]
fn a_back_link_to_live_teams_goes_out_with_its_object() {
    let env = Env::new();
    env.write("cfg/t.yaml", TWO_TEAMS);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);

    env.write("cfg/l.yaml", &layout_for("Blue"));
    let plan = env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(2);
    contains_all(
        &plan.stdout,
        &[
            "+ create desktop-layout \"Layout\"",
            "teamIds:",
            "Plan: 1 to create, 0 to update, 0 to delete.",
        ],
    );
    assert!(!plan.stdout.contains("second pass"), "{}", plan.stdout);
    let writes = env.writes();
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(env.writes() - writes, 1, "one create, carrying teamIds");
    assert_eq!(
        env.live_named("desktop-layout", "Layout")["teamIds"],
        Value::Array(team_ids(&env, &["Blue"]))
    );

    env.write("cfg/l.yaml", &layout_for("Blue, Red"));
    let plan = env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(2);
    contains_all(
        &plan.stdout,
        &[
            "~ update desktop-layout \"Layout\"",
            "Plan: 0 to create, 1 to update, 0 to delete.",
        ],
    );
    assert!(!plan.stdout.contains("second pass"), "{}", plan.stdout);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(
        env.live_named("desktop-layout", "Layout")["teamIds"],
        Value::Array(team_ids(&env, &["Blue", "Red"]))
    );
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

/// A layout whose `teamIds` names a team (a back-link, which the kind order leaves out,
/// and which the layouts' list leaves out too) is deleted before the team when both go:
/// the API refuses to delete a team a layout still names (412, referenced by
/// desktop-layout).
#[test]
fn a_layout_naming_a_team_is_deleted_before_the_team() {
    let env = Env::new();
    env.write("cfg/t.yaml", TWO_TEAMS);
    env.write("cfg/l.yaml", &layout_for("Blue"));
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(
        env.live_named("desktop-layout", "Layout")["teamIds"],
        Value::Array(team_ids(&env, &["Blue"]))
    );

    env.write(
        "cfg/t.yaml",
        "team:\n  - {name: Red, siteId: Site-1, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n",
    );
    std::fs::remove_file(env.path().join("cfg/l.yaml")).expect("remove");
    let deleting = [
        "--delete",
        "team",
        "--delete",
        "desktop-layout",
        "--max-delete-percent",
        "100",
    ];
    let plan: Vec<&str> = ["plan", "cfg"].iter().chain(&deleting).copied().collect();
    let planned = env.wxcc(&plan).expect(0).stdout;
    let layout = planned.find("- delete desktop-layout \"Layout\"");
    let team = planned.find("- delete team \"Blue\"");
    assert!(
        layout.is_some() && team.is_some() && layout < team,
        "the layout's delete is planned first:\n{planned}"
    );
    let apply: Vec<&str> = ["apply", "cfg", "--auto-approve"]
        .iter()
        .chain(&deleting)
        .copied()
        .collect();
    let run = env.wxcc(&apply).expect(0);
    contains_all(
        &run.stdout,
        &["Apply complete: 0 created, 0 updated, 2 deleted."],
    );
    assert!(
        env.live("team").iter().all(|t| t["name"] != "Blue")
            && env
                .live("desktop-layout")
                .iter()
                .all(|l| l["name"] != "Layout")
    );
    let again: Vec<&str> = ["plan", "cfg", "--detailed-exitcode"]
        .iter()
        .chain(&deleting)
        .copied()
        .collect();
    env.wxcc(&again).expect(0);
}

/// A plan deleting teams reads whole only the teams it deletes (team list rows leave
/// fields out, and the journal keeps a deleted object whole for `wxcc undo`): not a team
/// the config declares, nor the tenant's default team, which is never deleted.
#[test]
fn a_delete_reads_whole_only_the_objects_it_deletes() {
    let env = Env::new();
    env.write("cfg/t.yaml", TWO_TEAMS);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    env.write(
        "cfg/t.yaml",
        "team:\n  - {name: Blue, siteId: Site-1, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n",
    );
    let ids: Vec<String> = ["Red", "Blue", "Team-1"]
        .iter()
        .map(|n| {
            env.live_named("team", n)["id"]
                .as_str()
                .expect("an id")
                .to_string()
        })
        .collect();
    let sent_before = env.client_requests().len();
    let plan = env
        .wxcc(&[
            "plan",
            "cfg",
            "--delete",
            "team",
            "--max-delete-percent",
            "100",
        ])
        .expect(0);
    contains_all(&plan.stdout, &["- delete team \"Red\""]);
    let sent = env.client_requests();
    let read: Vec<bool> = ids
        .iter()
        .map(|id| {
            sent[sent_before..].iter().any(|r| {
                r["method"] == "GET"
                    && r["path"]
                        .as_str()
                        .is_some_and(|p| p.ends_with(&format!("/{id}")))
            })
        })
        .collect();
    assert_eq!(read, [true, false, false], "Red, Blue, Team-1");
}
