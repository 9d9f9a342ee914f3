//! Tenant scale (issue 12): big configs load as data, not as errors; a file past one of the
//! YAML reader's limits is refused in words that say which limit and what to do.

use crate::harness::{Env, contains_all, mint_token};

/// More YAML values than the parser's old default budget (250,000) allowed in one file.
#[test]
fn a_single_file_past_the_old_parser_budget_loads() {
    let env = Env::new();
    let mut text = String::from("skill:\n");
    let skills = 30_000;
    for k in 0..skills {
        text.push_str(&format!(
            "  - {{name: Skill {k}, skillType: PROFICIENCY, serviceLevelThreshold: 30, active: true}}\n"
        ));
    }
    env.write("big.yaml", &text);
    let run = env.wxcc(&["validate", "big.yaml"]).expect(0);
    contains_all(&run.stdout, &[&format!("{skills} objects in 1 file")]);
}

#[test]
fn a_file_past_a_parser_limit_is_refused_in_words_not_as_a_syntax_error() {
    let env = Env::new();
    let deep = format!("{}{}", "[".repeat(70), "]".repeat(70));
    env.write(
        "deep.yaml",
        &format!("site:\n  - name: Lab\n    description: {deep}\n"),
    );
    let run = env.wxcc(&["plan", "deep.yaml"]).expect(1);
    contains_all(
        &run.stderr,
        &[
            "deep.yaml: values here are nested more than 64 levels deep",
            "deep.yaml:3:",
            "check the brackets and indentation",
        ],
    );
    assert!(!run.stderr.contains("syntax error"), "{}", run.stderr);
    assert_eq!(env.total_requests(), 0, "nothing is read from the tenant");
}

const SITES: &str = "site:\n  - {name: North, active: true, multimediaProfileId: Default Multimedia Profile}\n  - {name: South, active: true, multimediaProfileId: Default Multimedia Profile}\n  - {name: East, active: true, multimediaProfileId: Default Multimedia Profile}\n";

/// `wxcc emulator serve` with a state file is killed (SIGKILL: nothing flushed on the way
/// out) after an apply; a new one on the same file has every object the apply made.
#[test]
fn emulator_writes_survive_a_crash_through_the_journal() {
    let env = Env::new();
    env.write("cfg.yaml", SITES);
    let serve = |env: &Env| {
        let (child, url) = env.serve_emulator(&["--state", "crash.json"]);
        let token = mint_token(&url);
        (child, url, token)
    };
    let (mut child, url, token) = serve(&env);
    let vars = [
        ("WXCC_BASE_URL", url.as_str()),
        ("WXCC_ACCESS_TOKEN", token.as_str()),
    ];
    env.wxcc_with(&["apply", "cfg.yaml", "--auto-approve"], &vars)
        .expect(0);
    let _ = child.kill();
    let _ = child.wait();
    let snapshot = std::fs::read_to_string(env.path().join("crash.json")).expect("state");
    assert!(
        !snapshot.contains("\"North\""),
        "the snapshot is not rewritten per object write"
    );
    let journal = std::fs::read_to_string(env.path().join("crash.json.journal")).expect("journal");
    // The three sites went in one bulk request: one journal line holding the three.
    assert_eq!(journal.lines().count(), 1, "one line per write:\n{journal}");
    contains_all(&journal, &["\"North\"", "\"South\"", "\"East\""]);

    let (mut child, url, token) = serve(&env);
    let vars = [
        ("WXCC_BASE_URL", url.as_str()),
        ("WXCC_ACCESS_TOKEN", token.as_str()),
    ];
    let plan = env.wxcc_with(&["plan", "cfg.yaml", "--detailed-exitcode"], &vars);
    let _ = child.kill();
    let _ = child.wait();
    plan.expect(0);
    let snapshot = std::fs::read_to_string(env.path().join("crash.json")).expect("state");
    assert!(
        snapshot.contains("\"North\"") && snapshot.contains("\"East\""),
        "a start folds the journal into the snapshot"
    );
}

/// A no-change plan costs the floor: every page of each kind in play's list once, the
/// pages of the queue export for what queue rows leave out, plus one item read per
/// declared object whose declared fields neither gives (here the two enum skills'
/// `enumSkillValues`), and nothing else.
#[test]
fn a_no_change_plan_makes_exactly_the_floor_of_requests() {
    let env = paged_env();
    let before = env.client_requests().len();
    env.wxcc(&["plan", "cfg.yaml", "--detailed-exitcode"])
        .expect(0);
    let requests: Vec<serde_json::Value> = env.client_requests().split_off(before);
    let mut pages: std::collections::BTreeMap<String, usize> = Default::default();
    let mut items = Vec::new();
    for r in &requests {
        assert_eq!(r["method"], "GET", "a plan only reads: {r}");
        let path = r["path"].as_str().unwrap_or_default().to_string();
        if r["query"].as_str().is_some_and(|q| q.contains("page=")) {
            *pages.entry(path).or_default() += 1;
        } else {
            items.push(path);
        }
    }
    let export = env.org_path("contact-service-queue/bulk-export");
    assert_eq!(
        pages.remove(&export),
        Some(2),
        "120 queues' distribution groups and skill requirements: 2 export pages, no item reads"
    );
    for (path, read) in &pages {
        let (status, first) = env.api("GET", &format!("{path}?page=0&pageSize=10"), None);
        assert_eq!(status, 200, "{path}");
        let total = first["meta"]["totalRecords"]
            .as_u64()
            .expect("totalRecords") as usize;
        assert_eq!(
            *read,
            total.div_ceil(10).max(1),
            "{path}: {total} objects are {} pages of 10",
            total.div_ceil(10).max(1)
        );
    }
    assert!(
        pages.keys().any(|p| p.ends_with("/team")) && pages.values().any(|n| *n == 4),
        "the 34 teams took 4 pages: {pages:?}"
    );
    let enum_skills: Vec<String> = ["Tier", "Lang"]
        .iter()
        .map(|n| {
            env.live_named("skill", n)["id"]
                .as_str()
                .expect("id")
                .to_string()
        })
        .collect();
    items.sort();
    let mut expected: Vec<String> = enum_skills
        .iter()
        .map(|id| env.org_path(&format!("skill/{id}")))
        .collect();
    expected.sort();
    assert_eq!(items, expected, "item reads: the enum skills only");
    assert_eq!(requests.len(), pages.values().sum::<usize>() + 2 + 2);
}

/// What the queue export fills is compared like an item read: a queue whose team changed
/// is planned as an update of its distribution groups, and applying it reaches the tenant.
#[test]
fn a_queue_change_seen_through_the_export_is_planned_and_applied() {
    let env = Env::new();
    let queue = |team: &str| {
        format!(
            "{SITES}team:\n  - {{name: Blue, siteId: North, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}}\n  - {{name: Blue, siteId: South, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}}\nskill:\n  - {{name: Lang, skillType: PROFICIENCY, serviceLevelThreshold: 30, active: true}}\ncontact-service-queue:\n  - {{name: Sales, queueType: INBOUND, channelType: CHAT, queueRoutingType: TEAM_BASED, routingType: LONGEST_AVAILABLE_AGENT, serviceLevelThreshold: 30, maxActiveContacts: 0, maxTimeInQueue: 3600, active: true, callDistributionGroups: [{{order: 1, duration: 0, agentGroups: [{{teamId: {team}}}]}}], queueSkillRequirements: [{{skillId: Lang, condition: GTE, skillValue: \"5\"}}]}}\n"
        )
    };
    env.write("cfg.yaml", &queue("North/Blue"));
    env.wxcc(&["apply", "cfg.yaml", "--auto-approve"]).expect(0);
    env.wxcc(&["plan", "cfg.yaml", "--detailed-exitcode"])
        .expect(0);
    // The same team name at the other site: only the export's siteName tells them apart.
    env.write("cfg.yaml", &queue("South/Blue"));
    let plan = env
        .wxcc(&["plan", "cfg.yaml", "--detailed-exitcode"])
        .expect(2);
    contains_all(&plan.stdout, &["Sales", "callDistributionGroups"]);
    env.wxcc(&["apply", "cfg.yaml", "--auto-approve"]).expect(0);
    let south_blue = env
        .live("team")
        .into_iter()
        .find(|t| t["name"] == "Blue" && t["siteId"] == env.live_named("site", "South")["id"])
        .expect("South/Blue");
    assert_eq!(
        env.live_named("contact-service-queue", "Sales")["callDistributionGroups"][0]["agentGroups"]
            [0]["teamId"],
        south_blue["id"]
    );
    env.wxcc(&["plan", "cfg.yaml", "--detailed-exitcode"])
        .expect(0);

    // The export as the spec's DTO says: names for references, its own page clamp.
    let (status, page) = env.api(
        "GET",
        &env.org_path("contact-service-queue/bulk-export?page=0&pageSize=500"),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(page["pageSize"], 100, "the export clamps pages at 100");
    let rows = page["resources"].as_array().cloned().unwrap_or_default();
    assert_eq!(page["totalResources"].as_u64(), Some(rows.len() as u64));
    assert_eq!(page["rel"], "last");
    let row = rows.iter().find(|r| r["name"] == "Sales").expect("Sales");
    assert_eq!(
        row["callDistributionGroups"][0]["agentGroups"][0],
        serde_json::json!({"teamName": "Blue", "siteName": "South"})
    );
    assert_eq!(
        (row["type"].as_str(), row["serviceLevelThreshold"].as_str()),
        (Some("INBOUND"), Some("30"))
    );
    assert_eq!(row["queueSkillRequirements"][0]["skillName"], "Lang");
    let problems = crate::conformance::response_problems(
        "get",
        "/organization/{orgid}/contact-service-queue/bulk-export",
        &page,
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

/// An emulator serving lists in pages of 10, with `cfg.yaml` (the paged tenant) applied.
fn paged_env() -> Env {
    let env = Env::new();
    env.admin(
        "PUT",
        "/settings",
        Some(serde_json::json!({"maxPageSize": 10})),
    );
    env.write("cfg.yaml", &paged_tenant());
    env.wxcc(&["apply", "cfg.yaml", "--auto-approve"]).expect(0);
    env
}

/// Three sites, 23 skills (two enum), 34 teams and 120 queues routed to them.
fn paged_tenant() -> String {
    let mut text = String::from(SITES);
    text.push_str("skill:\n  - {name: Tier, skillType: ENUM, serviceLevelThreshold: 30, active: true, enumSkillValues: [{name: Gold}, {name: Silver}]}\n  - {name: Lang, skillType: ENUM, serviceLevelThreshold: 30, active: true, enumSkillValues: [{name: EN}]}\n");
    for k in 0..21 {
        text.push_str(&format!(
            "  - {{name: Skill {k}, skillType: PROFICIENCY, serviceLevelThreshold: 30, active: true}}\n"
        ));
    }
    text.push_str("team:\n");
    for t in 0..34 {
        text.push_str(&format!(
            "  - {{name: Team {t}, siteId: {}, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}}\n",
            ["North", "South", "East"][t % 3]
        ));
    }
    // 120 queues: two pages of the queue export (100 a page, its own clamp).
    text.push_str("contact-service-queue:\n");
    for q in 0..120 {
        text.push_str(&format!(
            "  - {{name: Queue {q}, queueType: INBOUND, channelType: CHAT, queueRoutingType: TEAM_BASED, routingType: LONGEST_AVAILABLE_AGENT, serviceLevelThreshold: 30, maxActiveContacts: 0, maxTimeInQueue: 3600, active: true, callDistributionGroups: [{{order: 1, duration: 0, agentGroups: [{{teamId: Team {}}}, {{teamId: Team {}}}]}}], queueSkillRequirements: [{{skillId: Skill {}, condition: GTE, skillValue: \"5\"}}]}}\n",
            q % 34,
            (q + 1) % 34,
            q % 21
        ));
    }
    text
}

/// Pages read concurrently come back in any order, some only after a retry: a plan still
/// sees every object once (no creates of objects that exist, no diffs).
#[test]
fn pages_read_concurrently_through_faults_add_up_to_the_whole_tenant() {
    let env = paged_env();
    for fault in [
        // The first team page answers last, so later pages finish before it.
        serde_json::json!({"method": "GET", "pathContains": "/v2/team", "latencyMs": 400}),
        // A page lost on the way, and an export page refused once: both retried.
        serde_json::json!({"method": "GET", "pathContains": "/v2/team", "drop": true, "times": 2}),
        serde_json::json!({"method": "GET", "pathContains": "bulk-export", "status": 503, "times": 1}),
        serde_json::json!({"method": "GET", "pathContains": "/v2/skill", "status": 500, "times": 1}),
    ] {
        env.admin("POST", "/faults", Some(fault));
    }
    let before = env.client_requests().len();
    env.wxcc(&["plan", "cfg.yaml", "--detailed-exitcode"])
        .expect(0);
    let retried = env.client_requests().split_off(before);
    assert!(
        retried.iter().any(|r| r["status"] == 503
            && r["path"]
                .as_str()
                .is_some_and(|p| p.ends_with("bulk-export"))),
        "the export fault hit"
    );
}
