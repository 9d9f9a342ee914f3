//! Plan and apply against a fresh emulator org: convergence, single-field updates,
//! undeclared fields surviving, snapshots of plan output, confirmation rules, partial
//! failures, lost responses and rate limits.

use serde_json::json;

use crate::harness::{Env, contains_all, refused_at_plan};

/// Plan output with ids and versions replaced, for snapshots.
fn redact(text: &str) -> String {
    let uuid = regex::Regex::new(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
        .expect("regex");
    uuid.replace_all(text, "<id>").into_owned()
}

#[test]
fn acme_applies_to_a_fresh_org_and_then_plans_no_changes() {
    let env = Env::new();
    env.copy_example("acme");
    let applied = env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    assert!(
        applied
            .stdout
            .contains("Apply complete: 11 created, 0 updated, 0 deleted."),
        "{}",
        applied.stdout
    );
    let team = env.live_named("team", "Billing Tier 2");
    let site = env.live_named("site", "Chicago");
    let mmp = env.live_named("multimedia-profile", "Voice Only");
    assert_eq!(
        team["siteId"], site["id"],
        "team references the site by id on the wire"
    );
    assert_eq!(team["multiMediaProfileId"], mmp["id"]);
    assert_eq!(site["multimediaProfileId"], mmp["id"]);

    let writes = env.writes();
    let plan = env.wxcc(&["plan", "acme", "--detailed-exitcode"]).expect(0);
    assert_eq!(plan.stdout, "No changes.\n");
    let again = env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    assert_eq!(again.stdout, "No changes.\n");
    assert_eq!(env.writes(), writes, "a second plan and apply only read");
}

#[test]
fn detailed_exitcode_is_2_when_there_are_changes() {
    let env = Env::new();
    env.copy_example("acme");
    let plan = env.wxcc(&["plan", "acme", "--detailed-exitcode"]).expect(2);
    assert!(
        plan.stdout.ends_with(
            "Plan: 11 to create, 0 to update, 0 to delete.\nApply: ~3 requests, ~1 s at 300/min\n"
        ),
        "{}",
        plan.stdout
    );
    env.wxcc(&["plan", "acme"]).expect(0);
}

/// Appends `, edited` to Dublin's description in the copied example, whatever the example
/// says (someone may have edited `examples/`), followed by the lines `extra`; the old text.
fn edit_dublin_description(env: &Env, acme: &std::path::Path, extra: &str) -> String {
    let live = env.live_named("site", "Dublin");
    let was = live["description"]
        .as_str()
        .expect("Dublin has a description")
        .to_string();
    let sites = std::fs::read_to_string(acme.join("sites.yaml")).expect("read");
    let edited = sites.replacen(
        &format!("    description: {was}\n"),
        &format!("    description: {was}, edited\n{extra}"),
        1,
    );
    assert_ne!(edited, sites, "the description is one plain line");
    std::fs::write(acme.join("sites.yaml"), edited).expect("write");
    was
}

#[test]
fn one_changed_field_plans_and_applies_exactly_that_field() {
    let env = Env::new();
    let acme = env.copy_example("acme");
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    let before = env.live_named("site", "Dublin");
    let was = edit_dublin_description(&env, &acme, "");
    let now = format!("{was}, edited");

    let plan = env.wxcc(&["plan", "acme"]).expect(0);
    let expected = format!(
        "~ update site \"Dublin\"  (id {}, version 0)\n    description:  \"{was}\" → \"{now}\"\n\nPlan: 0 to create, 1 to update, 0 to delete.\nApply: ~2 requests, ~1 s at 300/min\n",
        before["id"].as_str().expect("id")
    );
    assert_eq!(plan.stdout, expected);

    let writes = env.writes();
    let applied = env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    contains_all(&applied.stdout, &["~ updated site \"Dublin\""]);
    assert_eq!(env.writes(), writes + 1, "exactly one write");
    let after = env.live_named("site", "Dublin");
    assert_eq!(after["description"], now.as_str());
    assert_eq!(after["id"], before["id"]);
    assert_eq!(after["version"], 1);
    assert_eq!(after["createdTime"], before["createdTime"]);
    env.wxcc(&["plan", "acme", "--detailed-exitcode"]).expect(0);
}

#[test]
fn a_field_set_live_but_not_declared_survives_an_update() {
    let env = Env::new();
    let acme = env.copy_example("acme");
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    // Someone sets a description in Control Hub on a team whose YAML does not mention one.
    let mut team = env.live_named("team", "EMEA Support");
    team["description"] = json!("Set by hand in Control Hub");
    let id = team["id"].as_str().expect("id").to_string();
    let (status, _) = env.api("PUT", &env.org_path(&format!("team/{id}")), Some(team));
    assert_eq!(status, 200);

    let teams = std::fs::read_to_string(acme.join("teams.yaml")).expect("read");
    let edited = teams.replacen("  - name: EMEA Support\n    siteId: Dublin\n    teamType: AGENT\n    teamStatus: IN_SERVICE", "  - name: EMEA Support\n    siteId: Dublin\n    teamType: AGENT\n    teamStatus: NOT_AVAILABLE", 1);
    assert_ne!(edited, teams);
    std::fs::write(acme.join("teams.yaml"), edited).expect("write");

    let plan = env.wxcc(&["plan", "acme"]).expect(0);
    contains_all(
        &plan.stdout,
        &["teamStatus:  \"IN_SERVICE\" → \"NOT_AVAILABLE\""],
    );
    assert!(
        !plan.stdout.contains("description"),
        "undeclared fields never show a diff:\n{}",
        plan.stdout
    );
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    let after = env.live_named("team", "EMEA Support");
    assert_eq!(after["teamStatus"], "NOT_AVAILABLE");
    assert_eq!(
        after["description"], "Set by hand in Control Hub",
        "the undeclared field survived the PUT"
    );
}

#[test]
fn snapshot_of_a_create_plan() {
    let env = Env::new();
    env.write(
        "small.yaml",
        "multimedia-profile:\n  - name: Voice\n    active: true\n    blendingModeEnabled: false\n    blendingMode: EXCLUSIVE\n    telephony: 1\n    chat: 0\n    email: 0\n    social: 0\n    manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}\nsite:\n  - name: Austin\n    active: true\n    multimediaProfileId: Voice\nteam:\n  - name: Austin Agents\n    siteId: Austin\n    teamType: AGENT\n    teamStatus: IN_SERVICE\n    active: true\n    rankQueuesForTeam: false\n",
    );
    let plan = env.wxcc(&["plan", "small.yaml"]).expect(0);
    insta::assert_snapshot!("create_plan", plan.stdout);
}

#[test]
fn snapshot_of_an_update_plan_and_its_markdown_and_json() {
    let env = Env::new();
    let acme = env.copy_example("acme");
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    let profiles = std::fs::read_to_string(acme.join("profiles.yaml")).expect("read");
    let profiles = profiles.replacen("    chat: 3\n    email: 2\n    social: 0\n    manuallyAssignable:\n      telephony: 1\n      chat: 3", "    chat: 4\n    email: 2\n    social: 0\n    manuallyAssignable:\n      telephony: 1\n      chat: 2", 1);
    std::fs::write(acme.join("profiles.yaml"), profiles).expect("write");
    let teams = std::fs::read_to_string(acme.join("teams.yaml")).expect("read");
    std::fs::write(
        acme.join("teams.yaml"),
        teams.replace(
            "siteId: Remote\n    teamType: AGENT\n    teamStatus: IN_SERVICE",
            "siteId: Remote\n    teamType: AGENT\n    teamStatus: NOT_AVAILABLE",
        ),
    )
    .expect("write");
    let text = env.wxcc(&["plan", "acme"]).expect(0);
    insta::assert_snapshot!("update_plan", redact(&text.stdout));
    let markdown = env
        .wxcc(&["plan", "acme", "--format", "markdown"])
        .expect(0);
    insta::assert_snapshot!("update_plan_markdown", redact(&markdown.stdout));
    let json = env.wxcc(&["plan", "acme", "--format", "json"]).expect(0);
    let parsed: serde_json::Value = serde_json::from_str(&json.stdout).expect("plan JSON parses");
    assert_eq!(
        parsed["summary"],
        json!({"create": 0, "update": 2, "delete": 0})
    );
    let team = parsed["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .find(|c| c["kind"] == "team")
        .expect("team change")
        .clone();
    assert_eq!(
        team["diffs"],
        json!([{"path": "teamStatus", "before": "IN_SERVICE", "after": "NOT_AVAILABLE"}])
    );
    assert_eq!(team["version"], 0);
}

#[test]
fn snapshot_of_no_changes() {
    let env = Env::new();
    env.copy_example("acme");
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    let plan = env
        .wxcc(&["plan", "acme", "--format", "markdown"])
        .expect(0);
    insta::assert_snapshot!("no_changes_markdown", plan.stdout);
}

#[test]
fn apply_without_a_terminal_and_without_auto_approve_refuses() {
    let env = Env::new();
    env.copy_example("acme");
    let run = env.wxcc(&["apply", "acme"]).expect(1);
    contains_all(
        &run.stderr,
        &[
            "refusing to apply without confirmation: stdin is not a terminal",
            "--auto-approve",
        ],
    );
    assert!(
        run.stdout.contains("Plan: 11 to create"),
        "the plan is still shown: {}",
        run.stdout
    );
    assert_eq!(env.writes(), 0);
}

#[test]
fn a_failure_skips_only_what_needs_it_and_a_rerun_converges() {
    let env = Env::new();
    env.copy_example("acme");
    // The API refuses Chicago's item of the sites' bulk create: the other sites (in the
    // same request) and their teams go ahead; Chicago's two teams are skipped.
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "pathContains": "/site/bulk", "itemContains": "\"Chicago\"", "status": 400})),
    );
    let run = env
        .wxcc(&["apply", "acme", "--auto-approve", "--parallelism", "1"])
        .expect(1);
    contains_all(
        &run.stdout,
        &[
            "+ created multimedia-profile \"Voice Only\"",
            "✗ failed to create site \"Chicago\": POST /organization/",
            "/site/bulk (item) → 400 Bad Request (tracking id ccconfig_",
            "+ created site \"Dublin\"",
            "+ created team \"Remote Sales\"",
            "Apply finished with failures: 8 done (8 created, 0 updated, 0 deleted), 1 failed, 2 skipped, 0 not attempted.",
            "Skipped (they need a change that did not go through):\n  + create team \"Billing Tier 1\": it needs site `Chicago`, whose create failed",
        ],
    );
    contains_all(&run.stderr, &["apply finished with failures"]);
    let teams: Vec<String> = env
        .live("team")
        .iter()
        .map(|t| t["name"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(
        teams.len(),
        5,
        "Team-1 and the four teams not on Chicago: {teams:?}"
    );
    assert!(!teams.iter().any(|t| t.starts_with("Billing")), "{teams:?}");
    let rerun = env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    assert!(
        rerun
            .stdout
            .contains("Apply complete: 3 created, 0 updated, 0 deleted."),
        "{}",
        rerun.stdout
    );
    env.wxcc(&["plan", "acme", "--detailed-exitcode"]).expect(0);
}

#[test]
fn a_create_whose_response_was_lost_is_found_and_not_duplicated() {
    let env = Env::new();
    env.copy_example("acme");
    // The sites' bulk create lands, and its answer is lost: every site is found by name
    // and none is sent again.
    env.admin("POST", "/faults", Some(json!({"method": "POST", "pathContains": "/site", "status": 502, "times": 1, "afterApplying": true})));
    let run = env
        .wxcc(&["apply", "acme", "--auto-approve", "--parallelism", "1"])
        .expect(0);
    contains_all(
        &run.stdout,
        &[
            "note: the bulk request's answer was lost (POST /organization/",
            "but the object exists",
        ],
    );
    assert_eq!(run.stdout.matches("but the object exists").count(), 3);
    for name in ["Chicago", "Dublin", "Remote"] {
        let copies = env
            .live("site")
            .iter()
            .filter(|s| s["name"] == name)
            .count();
        assert_eq!(copies, 1, "{name}");
    }
    let site_writes = env
        .client_requests()
        .iter()
        .filter(|r| {
            r["method"] == "POST" && r["path"].as_str().is_some_and(|p| p.contains("/site"))
        })
        .count();
    assert_eq!(site_writes, 1, "nothing is sent again");
    env.wxcc(&["plan", "acme", "--detailed-exitcode"]).expect(0);
}

#[test]
fn lists_are_read_through_all_pages() {
    let env = Env::new();
    env.copy_example("acme");
    env.admin("PUT", "/settings", Some(json!({"maxPageSize": 2})));
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    env.wxcc(&["plan", "acme", "--detailed-exitcode"]).expect(0);
    let pages: Vec<String> = env
        .client_requests()
        .iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with("/v2/team")))
        .map(|r| r["query"].as_str().unwrap_or_default().to_string())
        .collect();
    assert!(
        pages.iter().any(|q| q.contains("page=3")),
        "teams (7 live) were read over 4 pages of 2: {pages:?}"
    );
}

#[test]
fn system_defaults_are_never_changed() {
    let env = Env::new();
    env.write("c.yaml", "site:\n  - {name: Site-1, active: false, multimediaProfileId: Default Multimedia Profile}\n");
    refused_at_plan(
        &env,
        &["c.yaml"],
        &[
            "× site `Site-1` is a system default, which wxcc never changes",
            "it can still be referenced",
        ],
    );
    assert_eq!(env.live_named("site", "Site-1")["active"], true);
    // Declared as it is, it is fine; and `--delete` never touches system defaults.
    env.write("c.yaml", "site:\n  - {name: Site-1, active: true, multimediaProfileId: Default Multimedia Profile}\n");
    let plan = env
        .wxcc(&[
            "plan",
            "c.yaml",
            "--delete",
            "site",
            "--delete",
            "team",
            "--max-delete-percent",
            "100",
        ])
        .expect(0);
    assert!(!plan.stdout.contains("Site-1"), "{}", plan.stdout);
    assert!(!plan.stdout.contains("Team-1"), "{}", plan.stdout);
    env.wxcc(&[
        "apply",
        "c.yaml",
        "--auto-approve",
        "--delete",
        "site",
        "--delete",
        "team",
        "--max-delete-percent",
        "100",
    ])
    .expect(0);
    assert_eq!(
        env.writes(),
        0,
        "system defaults are neither changed nor deleted"
    );
    env.live_named("site", "Site-1");
    env.live_named("team", "Team-1");
}

#[test]
fn a_protected_object_that_differs_is_a_plan_error() {
    let env = Env::new();
    let acme = env.copy_example("acme");
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    edit_dublin_description(&env, &acme, "    x-wxcc: {protect: true}\n");
    let plan = env.wxcc(&["plan", "acme"]).expect(1);
    contains_all(
        &plan.stderr,
        &[
            "× site `Dublin` is protected but differs from the tenant",
            "fields that differ: `description`",
        ],
    );
}

#[test]
fn teams_sharing_a_name_in_the_tenant_are_matched_by_site() {
    let env = Env::new();
    let site = env.live_named("site", "Site-1");
    // Teams are unique per site only, so the tenant can hold two teams named the same.
    let mmp = env.live_named("multimedia-profile", "Default Multimedia Profile");
    let (status, other) = env.api(
        "POST",
        &env.org_path("site"),
        Some(json!({"name": "Other", "active": true, "multimediaProfileId": mmp["id"]})),
    );
    assert_eq!(status, 201);
    for site_id in [&site["id"], &other["id"]] {
        let (status, _) = env.api("POST", &env.org_path("team"), Some(json!({"name": "Twin", "active": true, "siteId": site_id, "teamType": "AGENT", "teamStatus": "IN_SERVICE"})));
        assert_eq!(status, 201);
    }
    env.write("c.yaml", "team:\n  - {name: Twin, siteId: Site-1, teamType: AGENT, teamStatus: NOT_AVAILABLE, active: true}\n");
    let plan = env.wxcc(&["plan", "c.yaml"]).expect(0);
    contains_all(
        &plan.stdout,
        &[
            "~ update team \"Site-1/Twin\"",
            "teamStatus:  \"IN_SERVICE\" → \"NOT_AVAILABLE\"",
            "Plan: 0 to create, 1 to update, 0 to delete.",
        ],
    );
    env.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(0);
    let twins: Vec<_> = env
        .live("team")
        .into_iter()
        .filter(|t| t["name"] == "Twin")
        .collect();
    let changed: Vec<_> = twins
        .iter()
        .filter(|t| t["teamStatus"] == "NOT_AVAILABLE")
        .collect();
    assert_eq!(changed.len(), 1);
    assert_eq!(changed[0]["siteId"], site["id"]);
}

#[test]
fn deleting_more_than_the_threshold_is_refused() {
    let env = Env::new();
    env.copy_example("acme");
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    // Two of the four live sites would go (50 %), more than the default 30 %.
    let sites = std::fs::read_to_string(env.path().join("acme/sites.yaml")).expect("read");
    let kept: String = sites
        .split("  - name: Dublin")
        .next()
        .unwrap_or_default()
        .to_string();
    std::fs::write(env.path().join("acme/sites.yaml"), kept).expect("write");
    let teams = std::fs::read_to_string(env.path().join("acme/teams.yaml")).expect("read");
    let kept: String = teams
        .split("  - name: EMEA Support")
        .next()
        .unwrap_or_default()
        .to_string();
    std::fs::write(env.path().join("acme/teams.yaml"), kept).expect("write");
    let writes = env.writes();
    let plan = env
        .wxcc(&["plan", "acme", "--delete", "site", "--delete", "team"])
        .expect(1);
    contains_all(
        &plan.stderr,
        &[
            "refusing to delete 2 of 4 live sites (50%), more than the 30% threshold",
            "refusing to delete 4 of 7 live teams (57%)",
        ],
    );
    let run = env
        .wxcc(&[
            "apply",
            "acme",
            "--auto-approve",
            "--delete",
            "site",
            "--delete",
            "team",
            "--max-delete-percent",
            "60",
        ])
        .expect(0);
    contains_all(
        &run.stdout,
        &["Apply complete: 0 created, 0 updated, 6 deleted."],
    );
    // One bulk DELETE request for the two sites and one for the four teams: team list
    // rows leave fields out, so the plan reads the teams it deletes whole, and a bulk
    // DELETE item is the whole object (§1.8).
    assert_eq!(env.writes(), writes + 2);
}

#[test]
fn a_delete_whose_answer_was_lost_counts_as_done() {
    let env = Env::new();
    env.copy_example("acme");
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    let teams = std::fs::read_to_string(env.path().join("acme/teams.yaml")).expect("read");
    let kept = teams
        .split("  - name: Overflow Partner")
        .next()
        .unwrap_or_default()
        .to_string();
    std::fs::write(env.path().join("acme/teams.yaml"), kept).expect("write");
    // The delete (a single call: `--bulk-chunk 0`) is carried out but its answer is lost:
    // the retry finds the team gone.
    env.admin("POST", "/faults", Some(json!({"method": "DELETE", "pathContains": "/team/", "status": 502, "times": 1, "afterApplying": true})));
    let run = env
        .wxcc(&[
            "apply",
            "acme",
            "--auto-approve",
            "--delete",
            "team",
            "--bulk-chunk",
            "0",
        ])
        .expect(0);
    contains_all(
        &run.stdout,
        &[
            "- deleted team \"Overflow Partner\"",
            "note: the object was already gone",
            "Apply complete: 0 created, 0 updated, 1 deleted.",
        ],
    );
    env.wxcc(&["plan", "acme", "--delete", "team", "--detailed-exitcode"])
        .expect(0);
}

#[test]
fn a_delete_waits_for_the_updates_that_let_go_of_it() {
    let env = Env::new();
    let acme = env.copy_example("acme");
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    // Chicago and one team move from the `Voice Only` profile to `Blended Digital`, and
    // `Voice Only` goes: its delete needs both updates first (their live state points at
    // it), and the team's update fails.
    for file in ["sites.yaml", "teams.yaml"] {
        let text = std::fs::read_to_string(acme.join(file)).expect("read");
        std::fs::write(
            acme.join(file),
            text.replace("Id: Voice Only", "Id: Blended Digital"),
        )
        .expect("write");
    }
    let profiles = std::fs::read_to_string(acme.join("profiles.yaml")).expect("read");
    let voice = profiles.find("  - name: Voice Only").expect("Voice Only");
    let blended = profiles
        .find("  - name: Blended Digital")
        .expect("Blended Digital");
    std::fs::write(
        acme.join("profiles.yaml"),
        format!("{}{}", &profiles[..voice], &profiles[blended..]),
    )
    .expect("write");
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "PUT", "pathContains": "/team/", "status": 400, "times": 1})),
    );
    let args = [
        "apply",
        "acme",
        "--delete",
        "multimedia-profile",
        "--auto-approve",
        "--parallelism",
        "1",
    ];
    let run = env.wxcc(&args).expect(1);
    contains_all(
        &run.stdout,
        &[
            "~ updated site \"Chicago\"",
            "✗ failed to update team \"Billing Tier 2\"",
            "○ skipped: did not delete multimedia-profile \"Voice Only\": it needs team `Billing Tier 2`, whose update failed",
            "1 done (0 created, 1 updated, 0 deleted), 1 failed, 1 skipped, 0 not attempted.",
        ],
    );
    let deletes = env
        .client_requests()
        .iter()
        .filter(|r| r["method"] == "DELETE")
        .count();
    assert_eq!(deletes, 0, "the profile's delete is not sent");
    assert_eq!(
        env.live_named("multimedia-profile", "Voice Only")["name"],
        "Voice Only"
    );
    // Without the fault, the rerun converges.
    env.wxcc(&args[..args.len() - 2]).expect(0);
    assert!(
        env.live("multimedia-profile")
            .iter()
            .all(|p| p["name"] != "Voice Only"),
        "Voice Only is deleted"
    );
}

/// A one-line text of exactly 80 characters is shown inline, `before → after`; one of 81
/// is shown as a line diff (kills `plan/render/text_diff.rs`: `> LONG_TEXT_CHARS` made
/// `>=`, which showed an 80-character text as a diff).
#[test]
fn a_text_of_eighty_characters_is_shown_inline_and_a_longer_one_as_a_line_diff() {
    let env = Env::new();
    let site = |description: &str| {
        format!(
            "site:\n  - {{name: Austin, active: true, multimediaProfileId: Default Multimedia Profile, description: {description}}}\n"
        )
    };
    let (a, b, c) = ("a".repeat(80), "b".repeat(80), "c".repeat(81));
    env.write("one/c.yaml", &site(&a))
        .write("two/c.yaml", &site(&b))
        .write("three/c.yaml", &site(&c));
    env.wxcc(&["apply", "one", "--auto-approve"]).expect(0);
    let inline = env.wxcc(&["plan", "two"]).expect(0);
    contains_all(
        &inline.stdout,
        &[&format!("    description:  \"{a}\" → \"{b}\"\n")],
    );
    assert!(!inline.stdout.contains("--- before"), "{}", inline.stdout);
    let diff = env.wxcc(&["plan", "three"]).expect(0);
    contains_all(
        &diff.stdout,
        &[
            "    description:\n      --- before\n      +++ after\n",
            &format!("      -{a}\n      +{c}\n"),
        ],
    );
}
