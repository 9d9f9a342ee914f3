//! Issue 11 items 5 and 7: blast radius before a delete (through the emulator's
//! `incoming-references` route, which agrees with its 412), and `--target`/`--exclude`.

use serde_json::{Value, json};

use crate::harness::{Env, austin_team, contains_all, layout_naming, refused_at_plan};

const SITES: &str = "\
site:
  - {name: Austin, active: true, multimediaProfileId: Default Multimedia Profile}
  - {name: Boston, active: true, multimediaProfileId: Default Multimedia Profile}
";

const TEAM: &str = "\
team:
  - {name: Tier 1, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false, multiMediaProfileId: Default Multimedia Profile}
";

fn id(v: &Value) -> String {
    v["id"].as_str().expect("id").to_string()
}

/// A team at `site`, created through the API, not in any config.
fn unmanaged_team(env: &Env, name: &str, site: &Value) -> Value {
    let (status, team) = env.api(
        "POST",
        &env.org_path("team"),
        Some(json!({"name": name, "active": true, "siteId": site["id"], "teamType": "AGENT", "teamStatus": "IN_SERVICE"})),
    );
    assert_eq!(status, 201, "{team}");
    team
}

#[test]
fn incoming_references_route_agrees_with_the_412() {
    let env = Env::new();
    let mmp = env.live_named("multimedia-profile", "Default Multimedia Profile");
    let (status, site) = env.api(
        "POST",
        &env.org_path("site"),
        Some(json!({"name": "Austin", "active": true, "multimediaProfileId": mmp["id"]})),
    );
    assert_eq!(status, 201);
    let team = unmanaged_team(&env, "Ghost", &site);
    let path = env.org_path(&format!("site/{}/incoming-references", id(&site)));
    let (status, body) = env.api("GET", &path, None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["meta"]["currentEntity"], "team");
    let teams: Vec<&str> = body["data"]
        .as_array()
        .expect("data")
        .iter()
        .filter_map(|r| r["name"].as_str())
        .collect();
    assert!(teams.contains(&"Ghost"), "{body}");
    assert!(
        body["data"]
            .as_array()
            .expect("data")
            .iter()
            .any(|r| r["id"] == team["id"]),
        "{body}"
    );
    let listed = body["meta"]["referencedEntities"].clone();
    let (status, refused) = env.api(
        "DELETE",
        &env.org_path(&format!("site/{}", id(&site))),
        None,
    );
    assert_eq!(status, 412);
    assert_eq!(
        refused["error"]["referencedEntities"], listed,
        "one index for both"
    );

    let (_, none) = env.api("GET", &format!("{path}?type=user-profile"), None);
    assert_eq!(none["data"], json!([]));
    assert_eq!(none["meta"]["currentEntity"], "user-profile");
    let (status, _) = env.api("GET", &format!("{path}?type=nonsense"), None);
    assert_eq!(status, 400, "an unknown type is refused (§1.10)");
    let (status, _) = env.api(
        "GET",
        &env.org_path("site/no-such-id/incoming-references"),
        None,
    );
    assert_eq!(status, 404);
}

#[test]
fn a_delete_an_unmanaged_object_points_at_is_refused_naming_it() {
    let env = Env::new();
    env.write("c/sites.yaml", SITES);
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let boston = env.live_named("site", "Boston");
    unmanaged_team(&env, "Ghost", &boston);
    // Boston leaves the config: deleting it would orphan the unmanaged team.
    env.write(
        "c/sites.yaml",
        &SITES.replace(
            "  - {name: Boston, active: true, multimediaProfileId: Default Multimedia Profile}\n",
            "",
        ),
    );
    let stderr = refused_at_plan(
        &env,
        &["c", "--delete", "site"],
        &[
            "site `Boston` would be deleted",
            "team `Ghost` (not in the config, siteId)",
        ],
    );
    assert!(stderr.contains("412"), "{stderr}");
    let asked = env
        .client_requests()
        .iter()
        .filter(|r| {
            r["method"] == "GET"
                && r["path"].as_str().is_some_and(|p| {
                    p.ends_with(&format!("site/{}/incoming-references", id(&boston)))
                })
        })
        .count();
    assert_eq!(
        asked, 2,
        "plan and apply each asked the route once: its first answer holds the only type"
    );
    assert_eq!(
        env.live("site")
            .iter()
            .filter(|s| s["name"] == "Boston")
            .count(),
        1
    );

    // With the team gone, the same delete goes through.
    let ghost = env.live_named("team", "Ghost");
    let (status, _) = env.api(
        "DELETE",
        &env.org_path(&format!("team/{}", id(&ghost))),
        None,
    );
    assert_eq!(status, 204);
    env.wxcc(&["apply", "c", "--delete", "site", "--auto-approve"])
        .expect(0);
    assert!(env.live("site").iter().all(|s| s["name"] != "Boston"));
}

/// A system default is never deleted, so one that points at a deleted object blocks the
/// delete even when its kind's deletes were asked for, and the refusal names the field it
/// points through (kills `plan/blast.rs`: `!o.is_system_default()` made
/// `o.is_system_default()` in `keeps_pointing`, which judged the default as deleted and
/// named it without its field).
#[test]
fn a_system_default_pointing_at_a_deleted_object_blocks_it_naming_its_field() {
    let env = Env::new();
    env.write("c/sites.yaml", SITES);
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let boston = env.live_named("site", "Boston");
    // An admin moves the tenant's default team to Boston.
    let mut default_team = env.live_named("team", "Team-1");
    assert_eq!(default_team["systemDefault"], true);
    default_team["siteId"] = boston["id"].clone();
    let (status, body) = env.api(
        "PUT",
        &env.org_path(&format!("team/{}", id(&default_team))),
        Some(default_team),
    );
    assert_eq!(status, 200, "{body}");
    env.write(
        "c/sites.yaml",
        &SITES.replace(
            "  - {name: Boston, active: true, multimediaProfileId: Default Multimedia Profile}\n",
            "",
        ),
    );
    refused_at_plan(
        &env,
        &["c", "--delete", "site", "--delete", "team"],
        &[
            "site `Boston` would be deleted, but 1 still points at it: team `Team-1` (not in the config, siteId)",
        ],
    );
}

#[test]
fn target_keeps_one_object_and_exclude_drops_a_kind() {
    let env = Env::new();
    env.write("c/sites.yaml", SITES).write("c/team.yaml", TEAM);
    let plan = env
        .wxcc(&["plan", "c", "--target", "site/Austin"])
        .expect(0);
    contains_all(
        &plan.stdout,
        &[
            "site \"Austin\"",
            "Plan: 1 to create, 0 to update, 0 to delete.",
        ],
    );
    assert!(
        !plan.stdout.contains("Boston") && !plan.stdout.contains("Tier 1"),
        "{}",
        plan.stdout
    );
    env.wxcc(&["apply", "c", "--target", "site/Austin", "--auto-approve"])
        .expect(0);
    assert_eq!(
        env.live("site")
            .iter()
            .filter(|s| s["name"] == "Austin" || s["name"] == "Boston")
            .count(),
        1
    );

    // The team is in scope; Austin is outside it and resolve against live.
    let writes = env.writes();
    let applied = env
        .wxcc(&["apply", "c", "--exclude", "site", "--auto-approve"])
        .expect(0);
    contains_all(
        &applied.stdout,
        &["Apply complete: 1 created, 0 updated, 0 deleted."],
    );
    assert_eq!(env.writes(), writes + 1);
    let team = env.live_named("team", "Tier 1");
    assert_eq!(team["siteId"], env.live_named("site", "Austin")["id"]);
    assert!(
        env.live("site").iter().all(|s| s["name"] != "Boston"),
        "excluded"
    );
}

#[test]
fn a_target_that_needs_an_object_outside_it_is_refused_at_the_field() {
    let env = Env::new();
    env.write("c/sites.yaml", SITES).write("c/team.yaml", TEAM);
    let stderr = refused_at_plan(
        &env,
        &["c", "--target", "team"],
        &[
            "team `Tier 1` is in scope, but the site `Austin` it names is outside the scope",
            "team.yaml:2:",
            "--target site/Austin",
        ],
    );
    assert!(!stderr.contains("Boston"), "{stderr}");
    // With the site in the scope too, its create goes first and the team's resolves to it.
    let run = env
        .wxcc(&[
            "apply",
            "c",
            "--target",
            "team",
            "--target",
            "site/Austin",
            "--auto-approve",
        ])
        .expect(0);
    contains_all(
        &run.stdout,
        &["Apply complete: 2 created, 0 updated, 0 deleted."],
    );
    let austin = env.live_named("site", "Austin");
    assert_eq!(env.live_named("team", "Tier 1")["siteId"], austin["id"]);
    assert!(env.live("site").iter().all(|s| s["name"] != "Boston"));
}

#[test]
fn an_unknown_kind_or_key_in_a_scope_is_a_clear_error() {
    let env = Env::new();
    env.write("c/sites.yaml", SITES);
    let run = env.wxcc(&["plan", "c", "--target", "sitee"]).expect(1);
    contains_all(
        &run.stderr,
        &["--target sitee: unknown kind `sitee`; did you mean `site`?"],
    );
    assert_eq!(env.total_requests(), 0, "refused before anything is sent");
    let run = env
        .wxcc(&["apply", "c", "--exclude", "site/Austn", "--auto-approve"])
        .expect(1);
    contains_all(
        &run.stderr,
        &[
            "--exclude site/Austn: no site `Austn` in the config or the tenant; did you mean `site/Austin`?",
        ],
    );
    let run = env.wxcc(&["plan", "c", "--target", "site/"]).expect(1);
    contains_all(&run.stderr, &["the key after `/` is empty"]);
    assert_eq!(env.writes(), 0);
}

/// The API names entry points `entrypoint` among incoming references (docs/api-notes.md
/// §1.10); `entry-point` is no type it knows. (The 412 names them the same way:
/// `emulator_kinds::references_are_checked_on_write_and_guarded_on_delete`.)
#[test]
fn entry_points_are_named_entrypoint_among_incoming_references() {
    let env = Env::new();
    let outdial = env.live_named("entry-point", "Outdial Entry Point-1");
    let queue = env.live_named("contact-service-queue", "Outdial Queue-1");
    let path = env.org_path(&format!(
        "contact-service-queue/{}/incoming-references",
        id(&queue)
    ));
    let (status, body) = env.api("GET", &format!("{path}?type=entrypoint"), None);
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["meta"]["currentEntity"], "entrypoint");
    assert!(
        body["meta"]["referencedEntities"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("entrypoint"))),
        "{body}"
    );
    assert_eq!(body["data"][0]["id"], outdial["id"], "{body}");
    let (status, _) = env.api("GET", &format!("{path}?type=entry-point"), None);
    assert_eq!(status, 400, "not a type the API knows");
}

/// `wxcc undo` checks its deletes as a plan does: a team made outside wxcc on a site the
/// undone apply created refuses the undo, naming the team (found through the site's
/// incoming-references route, docs/api-notes.md §1.10: undo reads only the kinds its
/// journal names), and nothing is written.
#[test]
fn undo_refuses_to_delete_what_an_unmanaged_object_made_since_points_at() {
    let env = Env::new();
    env.write("c/sites.yaml", SITES);
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let boston = env.live_named("site", "Boston");
    unmanaged_team(&env, "Ghost", &boston);
    let writes = env.writes();
    let run = env.wxcc(&["undo", "--auto-approve"]).expect(1);
    contains_all(
        &run.stderr,
        &[
            "site `Boston` would be deleted, but 1 still points at it: team `Ghost` (not in the config",
            "nothing was sent to the tenant",
        ],
    );
    assert_eq!(env.writes(), writes, "nothing was written");
}

/// Every referrer the route reports is named once: two unmanaged teams on a deleted site
/// are both named, each by its own name.
#[test]
fn a_delete_two_unmanaged_objects_point_at_names_both() {
    let env = Env::new();
    env.write("c/sites.yaml", SITES);
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    let boston = env.live_named("site", "Boston");
    unmanaged_team(&env, "Ghost", &boston);
    unmanaged_team(&env, "Shade", &boston);
    env.write(
        "c/sites.yaml",
        &SITES.replace(
            "  - {name: Boston, active: true, multimediaProfileId: Default Multimedia Profile}\n",
            "",
        ),
    );
    let run = env.wxcc(&["plan", "c", "--delete", "site"]).expect(1);
    let refusal = run
        .stderr
        .lines()
        .find(|l| l.contains("site `Boston` would be deleted"))
        .unwrap_or_else(|| panic!("no refusal:\n{}", run.stderr))
        .to_string();
    let named = ["team `Ghost`", "team `Shade`"].map(|t| run.stderr.matches(t).count());
    assert!(
        run.stderr.contains("but 2 still point at it"),
        "{refusal}\n{}",
        run.stderr
    );
    assert_eq!(named, [1, 1], "{}", run.stderr);
}

/// A referrer whose referencing field the config redeclares without the deleted object
/// lets go of it before the delete: a managed layout whose `teamIds` drop a team the
/// config drops (the route still reports the layout, whose live `teamIds` name the team)
/// plans the layout's update and the team's delete, and the apply does both.
#[test]
fn a_managed_referrer_redeclared_off_a_deleted_object_lets_it_go() {
    let layout = layout_naming;
    let team = |name: &str| austin_team(name, "");
    let env = Env::new();
    env.write("c/sites.yaml", SITES);
    env.write(
        "c/teams.yaml",
        &format!("team:\n{}{}", team("Blue"), team("Red")),
    );
    env.write("c/layout.yaml", &layout("Blue, Red"));
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    env.write("c/teams.yaml", &format!("team:\n{}", team("Blue")));
    env.write("c/layout.yaml", &layout("Blue"));
    let run = env
        .wxcc(&[
            "apply",
            "c",
            "--delete",
            "team",
            "--max-delete-percent",
            "100",
            "--auto-approve",
        ])
        .expect(0);
    contains_all(
        &run.stdout,
        &["Apply complete: 0 created, 1 updated, 1 deleted."],
    );
    let blue = env.live_named("team", "Blue")["id"].clone();
    assert_eq!(
        env.live_named("desktop-layout", "Layout")["teamIds"],
        json!([blue])
    );
    assert!(env.live("team").iter().all(|t| t["name"] != "Red"));
}

/// A managed referrer can still point at a deleted object through a field the config does
/// not declare and its list rows leave out: a team whose `queueRankings` (set once, then
/// left out of the config) names a queue the config drops. The route reports it; the
/// delete is refused naming the team, before anything is written. (The team declares
/// every other reference field it has: only the fields that can point at a queue count.)
#[test]
fn a_managed_referrer_pointing_through_a_field_the_config_leaves_out_refuses_the_delete() {
    let queue = "contact-service-queue:\n  - {name: Q, queueType: INBOUND, channelType: CHAT, queueRoutingType: TEAM_BASED, routingType: LONGEST_AVAILABLE_AGENT, serviceLevelThreshold: 30, maxActiveContacts: 0, maxTimeInQueue: 3600, active: true, callDistributionGroups: [{order: 1, duration: 0, agentGroups: [{teamId: Blue}]}]}\n";
    let teams = |rankings: &str| {
        format!(
            "team:\n  - {{name: Blue, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}}\n  - {{name: Red, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: true, multiMediaProfileId: Default Multimedia Profile, desktopLayoutId: Global Layout, skillProfileId: SP{rankings}}}\n"
        )
    };
    let env = Env::new();
    env.write("c/sites.yaml", SITES);
    env.write(
        "c/profile.yaml",
        "skill:\n  - {name: Billing, skillType: PROFICIENCY, serviceLevelThreshold: 30, active: true}\nskill-profile:\n  - {name: SP, activeSkills: [{skillId: Billing, proficiencyValue: 3}]}\n",
    );
    env.write(
        "c/teams.yaml",
        &teams(", queueRankings: [{queueId: Q, rank: 1}]"),
    );
    env.write("c/queue.yaml", queue);
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    env.write("c/teams.yaml", &teams(""));
    std::fs::remove_file(env.path().join("c/queue.yaml")).expect("remove");
    let writes = env.writes();
    refused_at_plan(
        &env,
        &[
            "c",
            "--delete",
            "contact-service-queue",
            "--max-delete-percent",
            "100",
        ],
        &[
            "contact-service-queue `Q` would be deleted, but 1 still points at it: team `Red` (in the config",
        ],
    );
    assert_eq!(env.writes(), writes);
}

/// A delete of an object the config itself still names is refused: a managed layout whose
/// declared `teamIds` keep a team the config drops (with `--delete team`) would hold on to
/// it, and the API would refuse the team's delete (412).
#[test]
fn a_delete_of_an_object_a_declared_field_still_names_is_refused() {
    let layout = &layout_naming("Blue, Red");
    let team = |name: &str| austin_team(name, "");
    let env = Env::new();
    env.write("c/sites.yaml", SITES);
    env.write(
        "c/teams.yaml",
        &format!("team:\n{}{}", team("Blue"), team("Red")),
    );
    env.write("c/layout.yaml", layout);
    env.wxcc(&["apply", "c", "--auto-approve"]).expect(0);
    env.write("c/teams.yaml", &format!("team:\n{}", team("Blue")));
    let writes = env.writes();
    refused_at_plan(
        &env,
        &["c", "--delete", "team", "--max-delete-percent", "100"],
        &[
            "team `Red` would be deleted, but this desktop-layout still names it",
            "c/layout.yaml:2:",
            // Said once: the route's report of the same layout adds nothing.
            "cannot plan (1 error,",
        ],
    );
    assert_eq!(env.writes(), writes);

    // Redeclared off it, but the layout's update left out of the run by `--target`: the
    // layout would keep pointing at the team, and the delete is refused; with the layout
    // in the scope too, both go, the update first.
    env.write("c/layout.yaml", &layout.replace("[Blue, Red]", "[Blue]"));
    let deleting = [
        "--delete",
        "team",
        "--max-delete-percent",
        "100",
        "--target",
        "team",
    ];
    let args: Vec<&str> = ["c"].iter().chain(&deleting).copied().collect();
    refused_at_plan(
        &env,
        &args,
        &[
            "team `Red` would be deleted, but desktop-layout `Layout` still points at it, and the change that lets go of it is outside the scope",
            "add `--target desktop-layout/Layout`",
            "cannot plan (1 error,",
        ],
    );
    assert_eq!(env.writes(), writes);
    let apply: Vec<&str> = ["apply", "c"]
        .iter()
        .chain(&deleting)
        .chain(&["--target", "desktop-layout/Layout", "--auto-approve"])
        .copied()
        .collect();
    let run = env.wxcc(&apply).expect(0);
    contains_all(
        &run.stdout,
        &["Apply complete: 0 created, 1 updated, 1 deleted."],
    );
}
