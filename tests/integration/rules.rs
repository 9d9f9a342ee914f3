//! The service's rules, checked before any write (issue 8): each case is refused by
//! `validate` (one object) or by `plan` and `apply` (across objects, against live) with
//! exit 1 and not one write reaching the emulator. Also unsetting with `null`, renames, and
//! apply re-checking the tenant it has just read.

use crate::harness::{Env, contains_all, refused};

const MMP: &str = "multimedia-profile:\n  - {name: Voice, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}}\n";

/// Two sites, an AGENT team at each and a CAPACITY team at Austin.
fn sites_and_teams() -> String {
    format!(
        "{MMP}site:\n  - {{name: Austin, active: true, multimediaProfileId: Voice}}\n  - {{name: Boston, active: true, multimediaProfileId: Voice}}\nteam:\n  - {{name: Blue, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}}\n  - {{name: Green, siteId: Boston, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}}\n  - {{name: Overflow, siteId: Austin, teamType: CAPACITY, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false, capacity: 5}}\n"
    )
}

/// Validate accepts the file; plan and apply refuse it, and nothing is written. Returns
/// plan's stderr.
fn refused_at_plan(env: &Env, file: &str) -> String {
    env.wxcc(&["validate", file]).expect(0);
    let writes = env.writes();
    let plan = env.wxcc(&["plan", file]).expect(1);
    let apply = env.wxcc(&["apply", file, "--auto-approve"]).expect(1);
    contains_all(&plan.stderr, &["cannot plan ("]);
    assert_eq!(
        apply.stderr.lines().filter(|l| l.contains('×')).count(),
        plan.stderr.lines().filter(|l| l.contains('×')).count(),
        "apply re-checks what plan checked:\n{}",
        apply.stderr
    );
    assert_eq!(env.writes(), writes, "nothing may be written");
    plan.stderr
}

#[test]
fn an_outbound_entry_point_is_telephony_only() {
    let env = Env::new();
    env.write("c.yaml", "entry-point:\n  - {name: Chat Out, entryPointType: OUTBOUND, channelType: CHAT, serviceLevelThreshold: 20, active: true, maximumActiveContacts: 10}\n");
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `channelType` must be \"TELEPHONY\" here",
            "[c.yaml:2:",
            "OUTBOUND entry point takes `channelType: TELEPHONY` only",
        ],
    );
}

#[test]
fn a_site_address_book_or_desktop_profile_names_its_site() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "address-book:\n  - {name: Book, parentType: SITE}\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "address-book `Book` is missing the required field `siteId`",
            "an address book with `parentType: SITE` needs `siteId`",
        ],
    );
    let env = Env::new();
    env.write("d.yaml", "agent-profile:\n  - {name: Profile, parentType: SITE, active: true, accessWrapUpCode: ALL, accessIdleCode: ALL, accessQueue: ALL, accessEntryPoint: ALL, accessBuddyTeam: ALL, agentDNValidation: ALL, viewableStatistics: {accessQueueStats: ALL, accessTeamStats: ALL}}\n");
    let err = refused(&env, "d.yaml");
    contains_all(
        &err,
        &[
            "agent-profile `Profile` is missing the required field `siteId`",
            "a desktop profile with `parentType: SITE` needs `siteId`",
        ],
    );
}

#[test]
fn specific_resource_access_needs_resource_collections() {
    let env = Env::new();
    env.write("c.yaml", "user-profile:\n  - {name: Leads, profileType: SUPERVISOR, active: true, permissionAccessLevel: ALL, resourceAccessLevel: SPECIFIC}\n");
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "user-profile `Leads` is missing the required field `resourceCollections`",
            "`resourceAccessLevel: SPECIFIC` needs a `resourceCollections` list",
        ],
    );
}

#[test]
fn a_variable_default_must_parse_for_its_type() {
    let env = Env::new();
    env.write("c.yaml", "cad-variable:\n  - {name: Count, variableType: Integer, defaultValue: twelve, active: true, agentEditable: false, agentViewable: false, reportable: false}\n");
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `defaultValue` `twelve` is not a valid Integer value",
            "[c.yaml:2:",
            "validDefaultValueForVariabelType",
        ],
    );
}

#[test]
fn time_zones_times_and_override_dates_are_checked() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "business-hours:\n  - name: Office\n    timezone: America/New York\n    workingHours:\n      - {name: Weekdays, days: [MON, TUE], startTime: \"25:00\", endTime: \"17:00\"}\noverrides:\n  - name: Summer\n    timezone: Eastern Time\n    overrides:\n      - {name: Closed, startDateTime: \"07/04/2026 09:00\", endDateTime: \"2026-07-04T17:00\", workingHours: false}\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `America/New York` is not an IANA time zone",
            "did you mean `America/New_York`?",
            "× `workingHours[0].startTime` is not in the format the API expects",
            "a 24-hour time `HH:MM`",
            "× `Eastern Time` is not an IANA time zone",
            "× `overrides[0].startDateTime` is not in the format the API expects",
            "`YYYY-MM-DDTHH:MM`",
        ],
    );
    assert!(
        !err.contains("`overrides[0].endDateTime`"),
        "a good date is not refused:\n{err}"
    );
}

#[test]
fn an_empty_time_zone_is_refused_without_a_guess() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "business-hours:\n  - name: Office\n    timezone: \"\"\n    workingHours:\n      - {name: Weekdays, days: [MON], startTime: \"09:00\", endTime: \"17:00\"}\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× an empty string is not an IANA time zone",
            "[c.yaml:3:15]",
            "help: `timezone` is an IANA time zone name (e.g. `America/New_York`)",
        ],
    );
    // Two letters are within an edit distance of two of nothing typed, but nothing typed is
    // no typo of `GB`.
    assert!(
        !err.contains("did you mean"),
        "no guess for an empty value:\n{err}"
    );
}

#[test]
fn lengths_are_counted_in_utf16_units_as_the_server_counts_them() {
    let env = Env::new();
    // 255 characters, 256 UTF-16 units: the emoji counts twice; the limit is 255.
    let description = format!("{}😀", "d".repeat(254));
    env.write("c.yaml", &format!("{MMP}site:\n  - {{name: Austin, active: true, multimediaProfileId: Voice, description: \"{description}\"}}\n"));
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `description` is too long for the API: 256 UTF-16 units, at most 255",
            "an emoji counts as two",
        ],
    );
    // One unit less is fine.
    let env = Env::new();
    let description = format!("{}😀", "d".repeat(253));
    env.write("c.yaml", &format!("{MMP}site:\n  - {{name: Austin, active: true, multimediaProfileId: Voice, description: \"{description}\"}}\n"));
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
}

#[test]
fn only_one_outdial_ani_entry_is_the_default() {
    let env = Env::new();
    env.write("c.yaml", "outdial-ani:\n  - name: Caller IDs\n    outdialANIEntries:\n      - {name: Main, number: \"+13125550100\", defaultANIEntry: true}\n      - {name: Sales, number: \"+13125550101\", defaultANIEntry: true}\n");
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `outdialANIEntries` has more than one entry with `defaultANIEntry: true`",
            "[c.yaml:5:",
            "the first default",
        ],
    );
}

/// A user the tenant has under neither its email nor the former one it names is refused
/// with the reason, and the cross-object rules that look for the user's live fields find
/// none (kills `plan/rules.rs`: `==` made `!=` in `World::live_object`, which takes the
/// first of the zero live users under the former name and panics).
#[test]
fn a_user_missing_under_every_name_is_refused_with_the_reason() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "user:\n  - email: new.agent@example.com\n    x-wxcc: {formerNames: [old.agent@example.com]}\n    siteId: Site-1\n",
    );
    let stderr = refused_at_plan(&env, "c.yaml");
    contains_all(
        &stderr,
        &[
            "× user `new.agent@example.com` does not exist in the tenant",
            "create it in Control Hub first",
        ],
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn a_user_joins_only_agent_teams_of_their_own_site() {
    let env = Env::new();
    env.write(
        "c.yaml",
        &format!(
            "{}user:\n  - {{email: ana.lopez@example.com, siteId: Austin, teamIds: [Blue, Green, Overflow]}}\n",
            sites_and_teams()
        ),
    );
    let err = refused_at_plan(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× team `Green` is at site `Boston`, but user `ana.lopez@example.com` is at site `Austin`",
            "not found for given site",
            "× team `Overflow` is a CAPACITY team, which takes no users",
            "Capacity based teams are not allowed",
        ],
    );
    assert!(!err.contains("team `Blue`"), "{err}");
}

/// The same rules when the user names the declared teams by site (`Austin/Overflow`): the
/// qualified key finds the team the config declares under its plain name (kills the
/// `scoped_parts` mutant of `model/object.rs`, docs/testing.md).
#[test]
fn a_user_naming_declared_teams_by_site_gets_the_same_checks() {
    let env = Env::new();
    env.write(
        "c.yaml",
        &format!(
            "{}user:\n  - {{email: ana.lopez@example.com, siteId: Austin, teamIds: [Austin/Blue, Boston/Green, Austin/Overflow]}}\n",
            sites_and_teams()
        ),
    );
    let err = refused_at_plan(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× team `Boston/Green` is at site `Boston`, but user `ana.lopez@example.com` is at site `Austin`",
            "× team `Austin/Overflow` is a CAPACITY team, which takes no users",
        ],
    );
    assert!(!err.contains("team `Austin/Blue`"), "{err}");
}

#[test]
fn a_users_live_site_counts_when_the_config_does_not_move_them() {
    let env = Env::new();
    // Ana is at Site-1 live; Blue is at Austin.
    env.write(
        "c.yaml",
        &format!(
            "{}user:\n  - {{email: ana.lopez@example.com, teamIds: [Blue]}}\n",
            sites_and_teams()
        ),
    );
    let err = refused_at_plan(&env, "c.yaml");
    contains_all(&err, &["user `ana.lopez@example.com` is at site `Site-1`"]);
}

#[test]
fn moving_a_user_checks_the_live_teams_the_config_leaves_out() {
    // Found by the mutation test (differential_mutations.rs): a user moved to another site
    // without `teamIds` keeps their live teams, which the service checks against the new
    // site (400 `not found for given site`).
    let env = Env::new();
    let user = |site: &str, teams: &str| {
        format!(
            "{}user:\n  - {{email: ana.lopez@example.com, siteId: {site}{teams}}}\n",
            sites_and_teams()
        )
    };
    env.write("c.yaml", &user("Austin", ", teamIds: [Blue]"));
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    env.write("c.yaml", &user("Boston", ""));
    let err = refused_at_plan(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× team `Blue` (kept from live: `teamIds` is not declared) is at site `Austin`, but user `ana.lopez@example.com` is at site `Boston`",
            "c.yaml:",
            "declare `teamIds` with teams of site `Boston`",
        ],
    );
    let ana = env.live_user("ana.lopez@example.com");
    assert_eq!(ana["siteId"], env.live_named("site", "Austin")["id"]);
}

#[test]
fn a_skill_profile_entry_carries_its_skill_types_value() {
    let env = Env::new();
    env.write("c.yaml", "skill:\n  - {name: Spanish, skillType: BOOLEAN, serviceLevelThreshold: 30, active: true}\nskill-profile:\n  - name: Bilingual\n    activeSkills:\n      - {skillId: Spanish, proficiencyValue: 7}\n");
    let err = refused_at_plan(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `proficiencyValue` does not apply to skill `Spanish`, a BOOLEAN skill",
            "write `booleanValue` instead",
        ],
    );
}

#[test]
fn renaming_a_referenced_site_is_refused_at_plan_naming_the_referrers() {
    let env = Env::new();
    env.write("c.yaml", &sites_and_teams());
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    let renamed = sites_and_teams()
        .replace(
            "{name: Austin, active: true, multimediaProfileId: Voice}",
            "{name: Austin TX, active: true, multimediaProfileId: Voice, x-wxcc: {formerNames: [Austin]}}",
        )
        .replace("siteId: Austin,", "siteId: Austin TX,");
    env.write("c.yaml", &renamed);
    let err = refused_at_plan(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× site `Austin` cannot be renamed to `Austin TX` while other objects point at it",
            "team `Blue` (siteId)",
            "team `Overflow` (siteId)",
            "refuses the rename (412)",
        ],
    );
    assert!(!err.contains("team `Green`"), "{err}");
}

#[test]
fn renaming_a_variable_warns_of_flows_and_applies() {
    let env = Env::new();
    let variable = "cad-variable:\n  - {name: Lang, variableType: String, defaultValue: en, active: true, agentEditable: false, agentViewable: false, reportable: false}\n";
    env.write("c.yaml", variable);
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    env.write(
        "c.yaml",
        &variable.replace(
            "name: Lang,",
            "name: Language, x-wxcc: {formerNames: [Lang]},",
        ),
    );
    let plan = env.wxcc(&["plan", "c.yaml"]).expect(0);
    contains_all(
        &plan.stderr,
        &[
            "cad-variable `Lang` is renamed to `Language`",
            "flows that set or read this variable by its old name stop working",
        ],
    );
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    env.live_named("cad-variable", "Language");
}

#[test]
fn a_declared_null_detaches_a_reference_and_shows_none() {
    let env = Env::new();
    let hours = "overrides:\n  - name: Summer 2026\n    timezone: America/Chicago\n    overrides:\n      - {name: Closed, startDateTime: \"2026-07-04T00:00\", endDateTime: \"2026-07-04T23:59\", workingHours: false}\nbusiness-hours:\n  - name: Office\n    timezone: America/Chicago\n    description: Main office\n    overridesId: Summer 2026\n    workingHours:\n      - {name: Weekdays, days: [MON, TUE, WED, THU, FRI], startTime: \"09:00\", endTime: \"17:00\"}\n";
    env.write("c.yaml", hours);
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    assert!(env.live_named("business-hours", "Office")["overridesId"].is_string());
    env.write(
        "c.yaml",
        &hours
            .replace("overridesId: Summer 2026", "overridesId: null")
            .replace("    description: Main office\n", "    description: ~\n"),
    );
    env.wxcc(&["validate", "c.yaml"]).expect(0);
    let plan = env.wxcc(&["plan", "c.yaml"]).expect(0);
    contains_all(
        &plan.stdout,
        &[
            "~ update business-hours \"Office\"",
            "overridesId:  \"Summer 2026\" → (none)",
            "description:  \"Main office\" → (none)",
        ],
    );
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    let live = env.live_named("business-hours", "Office");
    assert!(live.get("overridesId").is_none(), "{live}");
    assert!(live.get("description").is_none(), "{live}");
    // Nothing left to clear: the next plan is empty.
    let again = env.wxcc(&["plan", "c.yaml"]).expect(0);
    contains_all(&again.stdout, &["No changes."]);
}

#[test]
fn fields_that_cannot_be_cleared_are_refused_with_the_reason() {
    let env = Env::new();
    env.write("c.yaml", "business-hours:\n  - name: Office\n    timezone: null\n    workingHours:\n      - {name: Weekdays, days: [MON], startTime: \"09:00\", endTime: \"17:00\"}\ncontact-service-queue:\n  - {name: Q, queueLevelSummariesInclusion: null}\nskill:\n  - {name: S, skillType: null, serviceLevelThreshold: 30, active: true}\n");
    let err = env.wxcc(&["validate", "c.yaml"]).expect(1).stderr;
    contains_all(
        &err,
        &[
            "× `timezone` of business-hours `Office` cannot be cleared",
            "BusinessHoursDTO requires `timezone`",
            "× `queueLevelSummariesInclusion` of contact-service-queue `Q` cannot be cleared",
            "set `EXCLUDED` instead",
            "× `skillType` of skill `S` cannot be cleared",
            "once the skill exists",
        ],
    );
    assert_eq!(env.total_requests(), 0);
}

#[test]
fn a_queue_missing_fields_gets_one_diagnostic_listing_them() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "contact-service-queue:\n  - {name: Q, queueType: INBOUND}\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× contact-service-queue `Q` is missing 7 required fields: `active`, `callDistributionGroups`, `channelType`, `maxActiveContacts`, `maxTimeInQueue`, `routingType`, `serviceLevelThreshold`",
        ],
    );
    assert_eq!(err.matches('×').count(), 1, "one diagnostic:\n{err}");
}

#[test]
fn references_to_system_defaults_do_not_warn() {
    let env = Env::new();
    env.write("c.yaml", "team:\n  - {name: Blue, siteId: Site-1, teamType: AGENT, teamStatus: IN_SERVICE, active: true}\n  - {name: Red, siteId: Site-9, teamType: AGENT, teamStatus: IN_SERVICE, active: true}\n");
    let run = env.wxcc(&["validate", "c.yaml"]).expect(0);
    contains_all(
        &run.stderr,
        &["names site `Site-9`, which this config does not define"],
    );
    assert_eq!(run.stderr.matches('⚠').count(), 1, "{}", run.stderr);
}

#[test]
fn apply_rechecks_the_tenant_it_has_just_read() {
    let env = Env::new();
    env.write("c.yaml", &sites_and_teams());
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    // Plan is clean: nothing points at Boston but Green, which the config drops.
    let renamed = sites_and_teams()
        .replace(
            "{name: Boston, active: true, multimediaProfileId: Voice}",
            "{name: Boston MA, active: true, multimediaProfileId: Voice, x-wxcc: {formerNames: [Boston]}}",
        )
        .replace(
            "  - {name: Green, siteId: Boston, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n",
            "",
        );
    let green = env.live_named("team", "Green");
    let (status, _) = env.api(
        "DELETE",
        &env.org_path(&format!(
            "team/{}",
            green["id"].as_str().unwrap_or_default()
        )),
        None,
    );
    assert_eq!(status, 204);
    env.write("c.yaml", &renamed);
    env.wxcc(&["plan", "c.yaml"]).expect(0);
    // Then someone adds a team at Boston: apply reads the tenant again and refuses first.
    let boston = env.live_named("site", "Boston");
    let (status, _) = env.api(
        "POST",
        &env.org_path("team"),
        Some(serde_json::json!({"name": "Late", "siteId": boston["id"], "teamType": "AGENT", "teamStatus": "IN_SERVICE", "active": true, "rankQueuesForTeam": false})),
    );
    assert_eq!(status, 201);
    let writes = env.writes();
    let apply = env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(1);
    contains_all(
        &apply.stderr,
        &[
            "× site `Boston` cannot be renamed to `Boston MA` while other objects point at it: team `Late` (siteId)",
        ],
    );
    assert_eq!(env.writes(), writes, "apply refused before its first write");
}

#[test]
fn teams_of_the_same_name_at_two_sites_are_keyed_by_site() {
    let env = Env::new();
    let two = format!(
        "{MMP}site:\n  - {{name: Austin, active: true, multimediaProfileId: Voice}}\n  - {{name: Boston, active: true, multimediaProfileId: Voice}}\nteam:\n  - {{name: Tier 1, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}}\n  - {{name: Tier 1, siteId: Boston, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}}\nuser:\n  - {{email: ana.lopez@example.com, siteId: Boston, teamIds: [Boston/Tier 1]}}\n"
    );
    env.write("c.yaml", &two);
    env.wxcc(&["validate", "c.yaml"]).expect(0);
    let plan = env.wxcc(&["plan", "c.yaml"]).expect(0);
    contains_all(
        &plan.stdout,
        &[
            "+ create team \"Austin/Tier 1\"",
            "+ create team \"Boston/Tier 1\"",
        ],
    );
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    let boston = env.live_named("site", "Boston");
    let teams = env.live("team");
    let tier1_boston = teams
        .iter()
        .find(|t| t["name"] == "Tier 1" && t["siteId"] == boston["id"])
        .expect("Boston's Tier 1");
    let ana = env.live_user("ana.lopez@example.com");
    assert_eq!(ana["teamIds"], serde_json::json!([tier1_boston["id"]]));
    // Read back, the tenant matches: each team by its site, the user's team by its key.
    let again = env.wxcc(&["plan", "c.yaml"]).expect(0);
    contains_all(&again.stdout, &["No changes."]);
    // A plain name that two sites share is ambiguous, in validate and in plan.
    env.write(
        "c.yaml",
        &two.replace("teamIds: [Boston/Tier 1]", "teamIds: [Tier 1]"),
    );
    let err = env.wxcc(&["validate", "c.yaml"]).expect(1).stderr;
    contains_all(
        &err,
        &[
            "× team `Tier 1` is ambiguous",
            "write the site too: `Austin/Tier 1` or `Boston/Tier 1`",
            "(1 error, 0 warnings)",
        ],
    );
    // With only Austin's in the config, the tenant's Boston one still makes it ambiguous.
    let only_austin = two
        .replace("  - {name: Tier 1, siteId: Boston, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n", "")
        .replace("teamIds: [Boston/Tier 1]", "teamIds: [Tier 1]");
    env.write("c.yaml", &only_austin);
    let writes = env.writes();
    let plan = env.wxcc(&["plan", "c.yaml"]).expect(1);
    contains_all(
        &plan.stderr,
        &[
            "× team `Tier 1` is ambiguous: teams at several sites have this name",
            "`<site>/Tier 1`",
        ],
    );
    assert_eq!(env.writes(), writes);
}

/// A team's name may hold a `/`: two teams named `Night/Weekend` at two sites make the plain
/// name ambiguous in validate, as in plan, and the site-qualified name the help suggests
/// applies to the one at that site.
#[test]
fn a_shared_team_name_with_a_slash_is_ambiguous_in_validate_too() {
    let env = Env::new();
    let two = format!(
        "{MMP}site:\n  - {{name: Austin, active: true, multimediaProfileId: Voice}}\n  - {{name: Boston, active: true, multimediaProfileId: Voice}}\nteam:\n  - {{name: Night/Weekend, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}}\n  - {{name: Night/Weekend, siteId: Boston, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}}\nuser:\n  - {{email: ana.lopez@example.com, siteId: Boston, teamIds: [Night/Weekend]}}\n"
    );
    env.write("c.yaml", &two);
    let err = env.wxcc(&["validate", "c.yaml"]).expect(1).stderr;
    contains_all(
        &err,
        &[
            "× team `Night/Weekend` is ambiguous: this config has one at each of several sites",
            "[c.yaml:10:62]",
            "write the site too: `Austin/Night/Weekend` or `Boston/Night/Weekend`",
            "(1 error, 0 warnings)",
        ],
    );
    env.write(
        "c.yaml",
        &two.replace(
            "teamIds: [Night/Weekend]",
            "teamIds: [Boston/Night/Weekend]",
        ),
    );
    env.wxcc(&["validate", "c.yaml"]).expect(0);
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    let boston = env.live_named("site", "Boston");
    let team = env
        .live("team")
        .into_iter()
        .find(|t| t["name"] == "Night/Weekend" && t["siteId"] == boston["id"])
        .expect("Boston's Night/Weekend");
    let ana = env.live_user("ana.lopez@example.com");
    assert_eq!(ana["teamIds"], serde_json::json!([team["id"]]));
    env.wxcc(&["plan", "c.yaml", "--detailed-exitcode"])
        .expect(0);
}

/// A team name holding a `/` declared at one site only is no site-qualified key: the plain
/// name is not ambiguous, the name qualified by its site finds it too (in the same run as
/// its create), and it applies and converges.
#[test]
fn a_team_name_with_a_slash_at_one_site_is_a_plain_name() {
    let env = Env::new();
    env.write(
        "c.yaml",
        &format!("{MMP}site:\n  - {{name: Austin, active: true, multimediaProfileId: Voice}}\nteam:\n  - {{name: Night/Weekend, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}}\nuser:\n  - {{email: ana.lopez@example.com, siteId: Austin, teamIds: [Night/Weekend]}}\n  - {{email: ben.okafor@example.com, siteId: Austin, teamIds: [Austin/Night/Weekend]}}\n"),
    );
    let run = env.wxcc(&["validate", "c.yaml"]).expect(0);
    contains_all(&run.stdout, &["is valid: 5 objects in 1 file"]);
    assert_eq!(run.stderr, "", "neither error nor warning");
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    let team = env.live_named("team", "Night/Weekend");
    let ana = env.live_user("ana.lopez@example.com");
    assert_eq!(ana["teamIds"], serde_json::json!([team["id"]]));
    let ben = env.live_user("ben.okafor@example.com");
    assert_eq!(ben["teamIds"], serde_json::json!([team["id"]]));
    env.wxcc(&["plan", "c.yaml", "--detailed-exitcode"])
        .expect(0);
}

#[test]
fn a_null_inside_a_mapping_or_a_list_is_refused_at_its_place() {
    let env = Env::new();
    env.write(
        "c.yaml",
        "multimedia-profile:\n  - {name: Voice, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: null, email: 0, social: 0}}\ncontact-service-queue:\n  - name: Billing\n    queueType: INBOUND\n    channelType: TELEPHONY\n    queueRoutingType: TEAM_BASED\n    routingType: LONGEST_AVAILABLE_AGENT\n    serviceLevelThreshold: 30\n    maxActiveContacts: 0\n    maxTimeInQueue: 3600\n    active: true\n    callDistributionGroups:\n      - order: 1\n        duration: 0\n        agentGroups:\n          - teamId: Blue\n          - null\n",
    );
    let err = refused(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× `manuallyAssignable.chat` is null",
            "[c.yaml:2:",
            "× `callDistributionGroups.0.agentGroups.1` is null",
            "[c.yaml:18:13]",
            "inside a mapping or list, leave the entry out instead",
        ],
    );
    // One report per null: the fields around them are not reported.
    assert_eq!(err.matches("is null").count(), 2, "{err}");
}

/// A reference by the former name of an object the same config renames is refused at plan:
/// the live object still answers to that name, but once the rename is applied it names
/// nothing, and the next plan would fail on the config just applied.
#[test]
fn a_reference_by_a_name_the_config_renames_away_is_refused_at_plan() {
    let env = Env::new();
    // Voice unreferenced (the sites use Other), so the API would allow its rename.
    let other = MMP
        .replace("multimedia-profile:\n", "")
        .replace("name: Voice", "name: Other");
    let v1 = sites_and_teams()
        .replace("multimediaProfileId: Voice}", "multimediaProfileId: Other}")
        .replacen(
            "multimedia-profile:\n",
            &format!("multimedia-profile:\n{other}"),
            1,
        );
    env.write("c.yaml", &v1);
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    let renamed = v1
        .replacen(
            "{name: Voice, active: true,",
            "{name: Voice2, x-wxcc: {formerNames: [Voice]}, active: true,",
            1,
        )
        .replacen(
            "multimediaProfileId: Other}",
            "multimediaProfileId: Voice}",
            1,
        );
    assert!(
        renamed.contains("Voice2") && renamed.contains("ProfileId: Voice}"),
        "test setup"
    );
    env.write("c.yaml", &renamed);
    let err = refused_at_plan(&env, "c.yaml");
    contains_all(
        &err,
        &[
            "× multimedia-profile `Voice` is a former name: this config renames it to `Voice2`",
            "c.yaml:5:",
            "refer to it by its new name, `Voice2`",
        ],
    );
    assert!(!err.contains("cannot be renamed"), "{err}");
    // Referring by the new name plans the rename and applies; the config then plans clean.
    env.write(
        "c.yaml",
        &renamed.replace(
            "multimediaProfileId: Voice}",
            "multimediaProfileId: Voice2}",
        ),
    );
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    env.wxcc(&["plan", "c.yaml", "--detailed-exitcode"])
        .expect(0);
}
