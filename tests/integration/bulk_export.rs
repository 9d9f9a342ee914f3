//! Bulk exports as a plan's read source (issue 12 item 2, docs/api-notes.md §1.9): the
//! kinds whose `bulk-export` DTO carries what their list rows leave out are read a page
//! of objects at a time, mapped field by field; what an export does not carry, and a
//! tenant that does not serve one, falls back to item reads.

use serde_json::{Value, json};

use crate::harness::{Env, contains_all};

const KINDS: [&str; 3] = ["business-hours", "outdial-ani", "agent-profile"];

/// Twelve business hours (two pages of the export's 10), three outdial ANIs and three
/// agent profiles, declaring the fields their lists omit; `anis` follow the ANIs, `tail`
/// the profiles.
fn tenant(anis: &str, tail: &str) -> String {
    let mut text = String::from(
        "site:\n  - {name: North, active: true, multimediaProfileId: Default Multimedia Profile}\n  - {name: South, active: true, multimediaProfileId: Default Multimedia Profile}\nteam:\n  - {name: Blue, siteId: North, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n  - {name: Blue, siteId: South, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n  - {name: Red, siteId: North, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\nbusiness-hours:\n",
    );
    for h in 0..12 {
        text.push_str(&format!(
            "  - {{name: Hours {h}, timezone: America/Chicago, workingHours: [{{name: Weekdays, days: [MON, TUE, WED], startTime: \"08:00\", endTime: \"1{}:00\"}}, {{name: Saturday, days: [SAT], startTime: \"09:00\", endTime: \"12:00\"}}]}}\n",
            h % 10
        ));
    }
    text.push_str("outdial-ani:\n");
    for a in 0..3 {
        text.push_str(&format!(
            "  - {{name: Outbound {a}, outdialANIEntries: [{{name: Main, number: \"+1312555010{a}\"}}, {{name: Spare, number: \"+1312555020{a}\"}}]}}\n"
        ));
    }
    text.push_str(anis);
    text.push_str("agent-profile:\n");
    for p in 0..3 {
        text.push_str(&format!(
            "  - {{name: Profile {p}, parentType: ORGANIZATION, active: true, accessWrapUpCode: ALL, accessIdleCode: ALL, accessQueue: ALL, accessEntryPoint: ALL, accessBuddyTeam: SPECIFIC, buddyTeams: [North/Blue, Red], agentDNValidation: ALL, loginVoiceOptions: [BROWSER, AGENT_DN], viewableStatistics: {{agentStats: true, accessQueueStats: ALL, loggedInTeamStats: true, accessTeamStats: SPECIFIC, teams: [South/Blue]}}}}\n"
        ));
    }
    text.push_str(tail);
    text
}

/// The requests of one plan run: (item reads of `KINDS`, pages of each export).
fn plan_reads(env: &Env, code: i32) -> (Vec<String>, std::collections::BTreeMap<String, usize>) {
    let before = env.client_requests().len();
    env.wxcc(&["plan", "cfg.yaml", "--detailed-exitcode"])
        .expect(code);
    let mut items = Vec::new();
    let mut exports = std::collections::BTreeMap::new();
    for r in env.client_requests().split_off(before) {
        assert_eq!(r["method"], "GET", "a plan only reads: {r}");
        let path = r["path"].as_str().unwrap_or_default().to_string();
        for kind in KINDS {
            if path == env.org_path(&format!("{kind}/bulk-export")) {
                *exports.entry(kind.to_string()).or_default() += 1;
            } else if path.starts_with(&env.org_path(&format!("{kind}/"))) {
                items.push(path.clone());
            }
        }
    }
    items.sort();
    (items, exports)
}

fn id_of(env: &Env, kind: &str, name: &str) -> String {
    env.live_named(kind, name)["id"]
        .as_str()
        .expect("id")
        .to_string()
}

/// The pages a kind's export takes at the emulator's clamp, from its own count.
fn export_pages(env: &Env, kind: &str, clamp: u64) -> usize {
    let (status, first) = env.api(
        "GET",
        &env.org_path(&format!("{kind}/bulk-export?page=0&pageSize=1")),
        None,
    );
    assert_eq!(status, 200, "{kind}");
    let total = first["totalResources"].as_u64().expect("totalResources");
    total.div_ceil(clamp).max(1) as usize
}

/// After apply, a plan reads business hours, outdial ANIs and agent profiles through
/// their exports, every page once and no item read, except the objects declaring what
/// the export does not carry: an ANI entry's `defaultANIEntry` and a profile's
/// `wrapUpCodes` (ids or names, the spec does not say), read by item.
#[test]
fn kinds_with_a_complete_export_plan_without_item_reads() {
    let env = Env::new();
    env.write(
        "cfg.yaml",
        &tenant(
            "  - {name: Defaulted, outdialANIEntries: [{name: Main, number: \"+13125550301\", defaultANIEntry: true}]}\n",
            "  - {name: Coded, parentType: ORGANIZATION, active: true, accessWrapUpCode: SPECIFIC, wrapUpCodes: [Lunch Wrap], accessIdleCode: ALL, accessQueue: ALL, accessEntryPoint: ALL, accessBuddyTeam: ALL, agentDNValidation: ALL, viewableStatistics: {accessQueueStats: ALL, accessTeamStats: ALL}}\nauxiliary-code:\n  - {name: Lunch Wrap, workTypeCode: WRAP_UP_CODE, workTypeId: Default Wrapup Work Type, defaultCode: false, active: true}\n",
        ),
    );
    env.wxcc(&["apply", "cfg.yaml", "--auto-approve"]).expect(0);
    let (items, exports) = plan_reads(&env, 0);
    let mut expected = vec![
        env.org_path(&format!(
            "agent-profile/{}",
            id_of(&env, "agent-profile", "Coded")
        )),
        env.org_path(&format!(
            "outdial-ani/{}",
            id_of(&env, "outdial-ani", "Defaulted")
        )),
    ];
    expected.sort();
    assert_eq!(items, expected, "item reads: only what no export carries");
    let pages: std::collections::BTreeMap<String, usize> = [
        ("agent-profile", export_pages(&env, "agent-profile", 100)),
        ("business-hours", export_pages(&env, "business-hours", 10)),
        ("outdial-ani", export_pages(&env, "outdial-ani", 50)),
    ]
    .into_iter()
    .map(|(k, n)| (k.to_string(), n))
    .collect();
    assert!(pages["business-hours"] >= 2, "12 business hours, 10 a page");
    assert_eq!(exports, pages, "every export page once");
}

/// A change made through the API to a field only the export carries shows in the plan
/// (so the export is read and mapped, renamed fields and teams by site included), and
/// applying the config puts it back.
#[test]
fn a_live_change_seen_only_through_an_export_is_planned() {
    let env = Env::new();
    env.write("cfg.yaml", &tenant("", ""));
    env.wxcc(&["apply", "cfg.yaml", "--auto-approve"]).expect(0);
    let edit = |kind: &str, name: &str, change: &dyn Fn(&mut Value)| {
        let id = id_of(&env, kind, name);
        let path = env.org_path(&format!("{kind}/{id}"));
        let (status, mut body) = env.api("GET", &path, None);
        assert_eq!(status, 200);
        change(&mut body);
        let (status, answer) = env.api("PUT", &path, Some(body));
        assert!(status < 300, "{kind} {name}: {status} {answer}");
    };
    edit("business-hours", "Hours 3", &|b| {
        b["workingHours"][0]["endTime"] = json!("20:00");
    });
    edit("outdial-ani", "Outbound 1", &|b| {
        for e in b["outdialANIEntries"].as_array_mut().into_iter().flatten() {
            if e["name"] == "Spare" {
                e["number"] = json!("+13125559999");
            }
        }
    });
    let south_blue = env
        .live("team")
        .into_iter()
        .find(|t| t["name"] == "Blue" && t["siteId"] == env.live_named("site", "South")["id"])
        .expect("South/Blue");
    edit("agent-profile", "Profile 2", &|b| {
        // The same team name at the other site: only the pair's siteName tells.
        b["buddyTeams"] = json!([south_blue["id"], id_of(&env, "team", "Red")]);
    });
    let (items, exports) = plan_reads(&env, 2);
    assert!(items.is_empty(), "read through the exports: {items:?}");
    assert_eq!(exports.len(), 3, "{exports:?}");
    let plan = env
        .wxcc(&["plan", "cfg.yaml", "--detailed-exitcode"])
        .expect(2);
    contains_all(
        &plan.stdout,
        &[
            "Hours 3",
            "workingHours",
            "Outbound 1",
            "outdialANIEntries",
            "Profile 2",
            "buddyTeams",
            "3 to update",
        ],
    );
    assert!(!plan.stdout.contains("Hours 4"), "{}", plan.stdout);
    env.wxcc(&["apply", "cfg.yaml", "--auto-approve"]).expect(0);
    let (items, _) = plan_reads(&env, 0);
    assert!(items.is_empty(), "{items:?}");
}

/// A tenant whose exports answer 404 is read by item instead: the plan is the same, one
/// item read per declared object of the kinds, and the refused export asked once each.
#[test]
fn an_export_the_tenant_does_not_serve_falls_back_to_item_reads() {
    let env = Env::new();
    env.write("cfg.yaml", &tenant("", ""));
    env.wxcc(&["apply", "cfg.yaml", "--auto-approve"]).expect(0);
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "GET", "pathContains": "/bulk-export", "status": 404, "times": 100})),
    );
    let (items, exports) = plan_reads(&env, 0);
    let per_kind = |kind: &str| {
        items
            .iter()
            .filter(|p| p.starts_with(&env.org_path(&format!("{kind}/"))))
            .count()
    };
    assert_eq!(
        (
            per_kind("business-hours"),
            per_kind("outdial-ani"),
            per_kind("agent-profile")
        ),
        (12, 3, 3),
        "every declared object by item"
    );
    assert_eq!(exports.values().copied().collect::<Vec<_>>(), vec![1, 1, 1]);
}

/// The emulator serves each export as its DTO in the spec says: the envelope, references
/// by name, renamed fields, the export's own page clamp.
#[test]
fn the_emulator_serves_exports_as_the_spec_describes() {
    let env = Env::new();
    env.write("cfg.yaml", &tenant("", ""));
    env.wxcc(&["apply", "cfg.yaml", "--auto-approve"]).expect(0);
    for (kind, clamp) in [
        ("business-hours", 10),
        ("outdial-ani", 50),
        ("agent-profile", 100),
    ] {
        let (status, page) = env.api(
            "GET",
            &env.org_path(&format!("{kind}/bulk-export?page=0&pageSize=500")),
            None,
        );
        assert_eq!(status, 200, "{kind}");
        assert_eq!(page["pageSize"], clamp, "{kind}: its own clamp");
        let total = page["totalResources"].as_u64().unwrap_or_default();
        assert_eq!(page["rel"], if total > clamp { "next" } else { "last" });
        let problems = crate::conformance::response_problems(
            "get",
            &format!("/organization/{{orgid}}/{kind}/bulk-export"),
            &page,
        );
        assert!(problems.is_empty(), "{kind}: {problems:#?}");
    }
    let row = |kind: &str, name: &str| -> Value {
        for number in 0..3 {
            let (_, page) = env.api(
                "GET",
                &env.org_path(&format!("{kind}/bulk-export?page={number}")),
                None,
            );
            if let Some(r) = page["resources"]
                .as_array()
                .into_iter()
                .flatten()
                .find(|r| r["name"] == name)
            {
                return r.clone();
            }
        }
        panic!("no {kind} row {name}")
    };
    assert_eq!(
        row("business-hours", "Hours 11")["workingHours"][0],
        json!({"workingHourName": "Weekdays", "startTime": "08:00", "endTime": "11:00", "days": ["MON", "TUE", "WED"]})
    );
    let entries = row("outdial-ani", "Outbound 2")["entryDetails"].clone();
    assert!(
        entries.as_array().is_some_and(
            |e| e.contains(&json!({"entryName": "Main", "entryNumber": "+13125550102"}))
        ),
        "{entries}"
    );
    let profile = row("agent-profile", "Profile 0");
    assert_eq!(
        profile["buddyTeamsList"],
        json!([{"siteName": "North", "teamName": "Blue"}, {"siteName": "North", "teamName": "Red"}])
    );
    assert_eq!(
        profile["viewableStatsTeam"],
        json!([{"siteName": "South", "teamName": "Blue"}])
    );
    assert_eq!(profile["accessTeamStats"], "SPECIFIC");
    assert!(profile.get("viewableStatistics").is_none(), "{profile}");
}

/// `export` reads business hours (whose export carries all their list leaves out) through
/// the export, no item read, and writes what the item reads would have written: the same
/// files with the export turned off, where every business hours object is read by item.
#[test]
fn export_reads_business_hours_through_their_export_and_writes_the_same() {
    let env = Env::new();
    env.write("cfg.yaml", &tenant("", ""));
    env.wxcc(&["apply", "cfg.yaml", "--auto-approve"]).expect(0);
    let export = |out: &str| {
        let before = env.client_requests().len();
        env.wxcc(&["export", "--out", out, "--kinds", "business-hours"])
            .expect(0);
        let requests = env.client_requests().split_off(before);
        let count = |p: &dyn Fn(&str) -> bool| {
            requests
                .iter()
                .filter(|r| r["path"].as_str().is_some_and(p))
                .count()
        };
        let exported = env.org_path("business-hours/bulk-export");
        let items = env.org_path("business-hours/");
        (
            count(&|p| p == exported),
            count(&|p| p.starts_with(&items) && p != exported),
        )
    };
    assert_eq!(export("through"), (2, 0), "two export pages, no item reads");
    let read_all = |dir: &str| {
        let mut files: Vec<(String, String)> = std::fs::read_dir(env.path().join(dir))
            .expect("exported")
            .flatten()
            .filter(|e| e.path().is_file())
            .map(|e| {
                let text = std::fs::read_to_string(e.path()).unwrap_or_default();
                (e.file_name().to_string_lossy().into_owned(), text)
            })
            .collect();
        files.sort();
        files
    };
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "GET", "pathContains": "/bulk-export", "status": 405, "times": 100})),
    );
    assert_eq!(
        export("by-item"),
        (1, 12),
        "refused once, then every object by item"
    );
    let (through, by_item) = (read_all("through"), read_all("by-item"));
    assert!(
        through
            .iter()
            .any(|(_, t)| t.contains("Weekdays") && !t.contains("workingHourName")),
        "{through:?}"
    );
    assert_eq!(through, by_item);
}
