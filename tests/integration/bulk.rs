//! Applies through the bulk routes (docs/api-notes.md §1.8): chunks at the emulator's
//! limit, a per-item failure in the middle of a chunk, a lost bulk answer, kinds whose bulk
//! update is refused going as single calls, `apply --report`, and the emulator's bulk
//! routes as the notes describe them.

use std::fmt::Write as _;

use serde_json::{Value, json};

use crate::harness::{Env, contains_all};

const VOICE: &str = "multimedia-profile:\n  - {name: Voice, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}}\n";

/// A config of `n` sites on one profile, one site a line (site `i` on line `i + 4`).
fn sites(env: &Env, n: usize, description: &str) {
    let mut y = String::from(VOICE);
    y.push_str("site:\n");
    for i in 0..n {
        let _ = writeln!(
            y,
            "  - {{name: Site {i}, description: {description}, active: true, multimediaProfileId: Voice}}"
        );
    }
    env.write("cfg/sites.yaml", &y);
}

/// The client's requests to paths ending with `suffix`, by method.
fn sent(env: &Env, method: &str, suffix: &str) -> Vec<Value> {
    env.client_requests()
        .into_iter()
        .filter(|r| r["method"] == method)
        .filter(|r| r["path"].as_str().is_some_and(|p| p.ends_with(suffix)))
        .collect()
}

fn live_sites(env: &Env) -> Vec<String> {
    let mut names: Vec<String> = env
        .live("site")
        .iter()
        .filter_map(|s| s["name"].as_str().map(str::to_string))
        .filter(|n| n.starts_with("Site "))
        .collect();
    names.sort();
    names
}

#[test]
fn creates_go_in_chunks_of_at_most_the_chunk_size_and_the_emulator_refuses_larger_ones() {
    let env = Env::new();
    env.admin("PUT", "/settings", Some(json!({"bulkMaxItems": 3})));
    sites(&env, 8, "first");
    // Larger than the API takes: both chunks of 4 are refused whole, nothing is written,
    // and the failure says what to do.
    let refused = env
        .wxcc(&["apply", "cfg", "--auto-approve", "--bulk-chunk", "4"])
        .expect(1);
    contains_all(
        &refused.stdout,
        &[
            "Bulk request can have at most 3 items, found 4",
            "run again with a smaller --bulk-chunk",
        ],
    );
    assert!(live_sites(&env).is_empty());

    let run = env
        .wxcc(&["apply", "cfg", "--auto-approve", "--bulk-chunk", "3"])
        .expect(0);
    contains_all(
        &run.stdout,
        &["Apply complete: 8 created, 0 updated, 0 deleted."],
    );
    assert_eq!(live_sites(&env).len(), 8);
    let sizes: Vec<usize> = sent(&env, "POST", "/site/bulk")
        .iter()
        .filter_map(|r| r["body"]["items"].as_array().map(Vec::len))
        .collect();
    // The refused run's two chunks of 4, then 3 + 3 + 2.
    assert_eq!(sizes[..2], [4, 4], "{sizes:?}");
    let mut accepted = sizes[2..].to_vec();
    accepted.sort();
    assert_eq!(accepted, [2, 3, 3], "{sizes:?}");
    assert!(sent(&env, "POST", "/site").is_empty(), "no single creates");
    // Every item carries the org (§1.8), and a created site's id came from its href.
    let first = &sent(&env, "POST", "/site/bulk")[2]["body"]["items"][0];
    assert_eq!(first["requestAction"], "SAVE");
    assert_eq!(first["item"]["organizationId"], env.org);
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

/// A bulk request of one item refused whole with a 400 is no reason to try a smaller
/// chunk: the failure says the request was refused, without the `--bulk-chunk` hint.
#[test]
fn a_refused_bulk_request_of_one_item_gives_no_chunk_size_hint() {
    let env = Env::new();
    sites(&env, 1, "alone");
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "pathContains": "/site/bulk", "status": 400, "times": 1})),
    );
    let refused = env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(1);
    contains_all(
        &refused.stdout,
        &["the API refused the whole bulk request, so none of its items was written"],
    );
    assert!(
        !refused.stdout.contains("--bulk-chunk"),
        "{}",
        refused.stdout
    );
    assert!(live_sites(&env).is_empty());
    assert_eq!(sent(&env, "POST", "/site/bulk").len(), 1);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(live_sites(&env), ["Site 0"]);
}

#[test]
fn a_failed_item_in_the_middle_of_a_chunk_fails_only_its_object_and_the_report_says_so() {
    let env = Env::new();
    sites(&env, 5, "first");
    env.admin(
        "POST",
        "/faults",
        Some(json!({"pathContains": "/site/bulk", "itemContains": "\"Site 2\"", "status": 409})),
    );
    let run = env
        .wxcc(&[
            "apply",
            "cfg",
            "--auto-approve",
            "--report",
            "out/report.csv",
        ])
        .expect(1);
    contains_all(
        &run.stdout,
        &[
            "✗ failed to create site \"Site 2\": POST /organization/",
            "/site/bulk (item) → 409 Conflict (tracking id ccconfig_",
            "+ created site \"Site 3\"",
            "Apply finished with failures: 5 done (5 created, 0 updated, 0 deleted), 1 failed, 0 skipped, 0 not attempted.",
            "Report written to out/report.csv.",
        ],
    );
    assert_eq!(live_sites(&env), ["Site 0", "Site 1", "Site 3", "Site 4"]);
    assert_eq!(sent(&env, "POST", "/site/bulk").len(), 1, "one request");

    let report = std::fs::read_to_string(env.path().join("out/report.csv")).expect("report");
    let mut lines = report.lines();
    assert_eq!(lines.next(), Some("kind,key,source,action,status,result"));
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len(), 6, "{report}");
    let site = |name: &str| {
        rows.iter()
            .find(|r| r.starts_with(&format!("site,{name},")))
            .unwrap_or_else(|| panic!("no row for {name}:\n{report}"))
            .to_string()
    };
    let id = env.live_named("site", "Site 3")["id"]
        .as_str()
        .expect("id")
        .to_string();
    assert_eq!(
        site("Site 3"),
        format!("site,Site 3,cfg/sites.yaml:7,create,done,{id}")
    );
    let failed = site("Site 2");
    assert!(
        failed.starts_with("site,Site 2,cfg/sites.yaml:6,create,failed,"),
        "{failed}"
    );
    assert!(failed.contains("409 Conflict"), "{failed}");

    // The fault is used up: a re-run creates the one left and converges.
    let rerun = env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    contains_all(
        &rerun.stdout,
        &["Apply complete: 1 created, 0 updated, 0 deleted."],
    );
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

#[test]
fn a_bulk_answer_lost_before_the_server_acted_is_read_and_then_sent_again_once() {
    let env = Env::new();
    sites(&env, 4, "first");
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "pathContains": "/site/bulk", "drop": true})),
    );
    let run = env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    contains_all(
        &run.stdout,
        &["Apply complete: 5 created, 0 updated, 0 deleted."],
    );
    assert_eq!(live_sites(&env), ["Site 0", "Site 1", "Site 2", "Site 3"]);
    // Each site was looked up by name before it was sent again, singly, once.
    let requests = env.client_requests();
    let bulk_at = requests
        .iter()
        .position(|r| {
            r["method"] == "POST"
                && r["path"]
                    .as_str()
                    .is_some_and(|p| p.ends_with("/site/bulk"))
        })
        .expect("the bulk request");
    let singles: Vec<usize> = requests
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            r["method"] == "POST" && r["path"].as_str().is_some_and(|p| p.ends_with("/site"))
        })
        .map(|(i, _)| i)
        .collect();
    assert_eq!(singles.len(), 4, "one single create per site");
    let lookups = requests[bulk_at..singles[0]]
        .iter()
        .filter(|r| r["method"] == "GET" && r["path"].as_str().is_some_and(|p| p.contains("site")))
        .count();
    assert!(
        lookups >= 1,
        "a lookup came before the first create sent again"
    );
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

#[test]
fn a_bulk_answer_lost_after_the_server_acted_sends_nothing_again() {
    let env = Env::new();
    sites(&env, 4, "first");
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "pathContains": "/site/bulk", "drop": true, "afterApplying": true})),
    );
    let run = env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    assert_eq!(run.stdout.matches("but the object exists").count(), 4);
    assert_eq!(live_sites(&env), ["Site 0", "Site 1", "Site 2", "Site 3"]);
    assert_eq!(sent(&env, "POST", "/site/bulk").len(), 1);
    assert!(sent(&env, "POST", "/site").is_empty());
}

#[test]
fn a_bulk_update_answer_lost_after_the_server_acted_is_read_back_as_in_place() {
    let env = Env::new();
    let codes = "cad-variable:\n  - {name: AccountNumber, variableType: String, defaultValue: unknown, active: true, agentEditable: false, agentViewable: false, reportable: true}\n";
    env.write("cfg/codes.yaml", codes);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    let version = env.live_named("cad-variable", "AccountNumber")["version"].clone();
    env.write("cfg/codes.yaml", &codes.replace("unknown", "none"));
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "pathContains": "/cad-variable/bulk", "drop": true, "afterApplying": true})),
    );
    let run = env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    // The read after the lost answer shows the next version with the fields sent: the
    // update is counted as done, and nothing is sent again.
    contains_all(
        &run.stdout,
        &[
            "but the update is in place",
            "Apply complete: 0 created, 1 updated, 0 deleted.",
        ],
    );
    assert_eq!(
        sent(&env, "POST", "/cad-variable/bulk").len(),
        2,
        "the create and the update"
    );
    assert!(sent(&env, "PUT", "").is_empty() && sent(&env, "PATCH", "").is_empty());
    let live = env.live_named("cad-variable", "AccountNumber");
    assert_eq!(live["defaultValue"], "none");
    assert_eq!(live["version"], json!(version.as_i64().unwrap_or(-1) + 1));
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

#[test]
fn a_bulk_update_chunk_larger_than_a_filtered_read_is_checked_a_hundred_ids_a_read() {
    let env = Env::new();
    let variables = |default: &str| {
        let mut y = String::from("cad-variable:\n");
        for i in 0..150 {
            let _ = writeln!(
                y,
                "  - {{name: Var{i}, variableType: String, defaultValue: {default}, active: true, agentEditable: false, agentViewable: false, reportable: false}}"
            );
        }
        y
    };
    env.write("cfg/vars.yaml", &variables("one"));
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    env.write("cfg/vars.yaml", &variables("two"));
    let plan = env.wxcc(&["plan", "cfg", "--bulk-chunk", "150"]).expect(0);
    // One bulk write of 150; before it and after it, two reads of at most 100 ids each.
    contains_all(
        &plan.stdout,
        &["Plan: 0 to create, 150 to update, 0 to delete.\nApply: ~5 requests"],
    );
    let before = env.client_requests().len();
    env.wxcc(&["apply", "cfg", "--auto-approve", "--bulk-chunk", "150"])
        .expect(0);
    let requests = env.client_requests()[before..].to_vec();
    let filtered: Vec<&Value> = requests
        .iter()
        .filter(|r| {
            r["method"] == "GET" && r["query"].as_str().is_some_and(|q| q.contains("filter=id"))
        })
        .collect();
    assert_eq!(filtered.len(), 4, "{requests:?}");
    for r in &filtered {
        let query = r["query"].as_str().unwrap_or_default();
        let ids = query.matches("%22%2C").count() + 1;
        assert!(ids <= 100, "{ids} ids in one read: {query}");
    }
    let writes = requests.iter().filter(|r| r["method"] != "GET").count();
    assert_eq!(writes, 1, "one bulk write of the 150: {requests:?}");
    assert_eq!(
        env.live_named("cad-variable", "Var149")["defaultValue"],
        "two"
    );
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

#[test]
fn updates_go_in_bulk_where_the_kind_takes_them_and_singly_where_it_refuses_ids() {
    let env = Env::new();
    sites(&env, 3, "first");
    let codes = "cad-variable:\n  - {name: AccountNumber, variableType: String, defaultValue: unknown, active: true, agentEditable: false, agentViewable: false, reportable: true}\n  - {name: IsVip, variableType: Boolean, defaultValue: \"false\", active: true, agentEditable: false, agentViewable: false, reportable: true}\n";
    env.write("cfg/codes.yaml", codes);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    sites(&env, 3, "second");
    env.write("cfg/codes.yaml", &codes.replace("unknown", "none"));
    let before = env.client_requests().len();
    let run = env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    contains_all(
        &run.stdout,
        &["Apply complete: 0 created, 4 updated, 0 deleted."],
    );
    let requests = env.client_requests()[before..].to_vec();
    let writes: Vec<(String, String)> = requests
        .iter()
        .filter(|r| r["method"] != "GET")
        .map(|r| {
            let path = r["path"].as_str().unwrap_or_default();
            let tail = path.splitn(4, '/').nth(3).unwrap_or_default();
            let tail = tail.split('/').next().unwrap_or_default().to_string()
                + if path.ends_with("/bulk") {
                    "/bulk"
                } else {
                    "/{id}"
                };
            (r["method"].as_str().unwrap_or_default().to_string(), tail)
        })
        .collect();
    let mut writes_sorted = writes.clone();
    writes_sorted.sort();
    // Sites: the bulk route refuses ids (§1.8), so three PUTs. The variable: one bulk SAVE
    // carrying its id and the whole object.
    assert_eq!(
        writes_sorted,
        [
            ("POST".to_string(), "cad-variable/bulk".to_string()),
            ("PUT".to_string(), "site/{id}".to_string()),
            ("PUT".to_string(), "site/{id}".to_string()),
            ("PUT".to_string(), "site/{id}".to_string()),
        ],
        "{writes:?}"
    );
    let bulk = requests
        .iter()
        .find(|r| r["method"] == "POST")
        .expect("the bulk update");
    let item = &bulk["body"]["items"][0]["item"];
    let live = env.live_named("cad-variable", "AccountNumber");
    assert_eq!(item["id"], live["id"]);
    assert_eq!(item["defaultValue"], "none");
    assert_eq!(item["variableType"], "String", "the whole object");
    assert_eq!(live["defaultValue"], "none");
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

#[test]
fn deletes_go_in_one_bulk_request_carrying_the_whole_objects() {
    let env = Env::new();
    sites(&env, 4, "first");
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    let mut y = String::from(VOICE);
    y.push_str(
        "site:\n  - {name: Site 1, description: first, active: true, multimediaProfileId: Voice}\n",
    );
    env.write("cfg/sites.yaml", &y);
    let writes = env.writes();
    let run = env
        .wxcc(&[
            "apply",
            "cfg",
            "--auto-approve",
            "--delete",
            "site",
            "--max-delete-percent",
            "100",
        ])
        .expect(0);
    contains_all(
        &run.stdout,
        &["Apply complete: 0 created, 0 updated, 3 deleted."],
    );
    assert_eq!(live_sites(&env), ["Site 1"]);
    assert_eq!(env.writes(), writes + 1, "one bulk request");
    let delete = &sent(&env, "POST", "/site/bulk")
        .last()
        .cloned()
        .expect("sent")["body"]["items"];
    let items = delete.as_array().expect("items");
    assert_eq!(items.len(), 3);
    assert!(sent(&env, "DELETE", "").is_empty(), "no single deletes");
    for item in items {
        assert_eq!(item["requestAction"], "DELETE");
        assert!(item["item"]["name"].is_string(), "the whole object: {item}");
        assert!(item["item"]["id"].is_string());
    }
}

#[test]
fn a_report_names_every_change_and_cannot_be_a_folder() {
    let env = Env::new();
    sites(&env, 1, "first");
    std::fs::create_dir_all(env.path().join("folder")).expect("mkdir");
    let refused = env
        .wxcc(&["apply", "cfg", "--auto-approve", "--report", "folder"])
        .expect(1);
    contains_all(&refused.stderr, &["--report folder: that is a folder"]);
    assert_eq!(env.writes(), 0, "nothing was applied");

    env.write(
        "cfg/sites.yaml",
        &format!(
            "{VOICE}site:\n  - {{name: \"-Remote\", active: true, multimediaProfileId: Voice}}\n"
        ),
    );
    env.wxcc(&["apply", "cfg", "--auto-approve", "--report", "r.csv"])
        .expect(0);
    let report = std::fs::read_to_string(env.path().join("r.csv")).expect("report");
    let rows: Vec<&str> = report.lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{report}");
    assert!(
        rows.iter()
            .any(|r| r.starts_with("multimedia-profile,Voice,cfg/sites.yaml:2,create,done,")),
        "{report}"
    );
    // A key a spreadsheet would run as a formula is written as text.
    assert!(
        rows.iter()
            .any(|r| r.starts_with("site,'-Remote,cfg/sites.yaml:4,create,done,")),
        "{report}"
    );
    assert!(!report.contains(&env.token), "no token in the report");
}

#[test]
fn the_emulator_bulk_routes_behave_as_the_notes_describe() {
    let env = Env::new();
    let mmp = env.live_named("multimedia-profile", "Default Multimedia Profile");
    let bulk = |method: &str, path: &str, items: Value| {
        env.api(method, &env.org_path(path), Some(json!({ "items": items })))
    };
    // Empty items: a no-op that still answers 207.
    let (status, body) = bulk("POST", "site/bulk", json!([]));
    assert_eq!((status, body), (207, json!({"items": []})));
    // Site updates through bulk: refused per item by POST, and no PATCH route.
    let (status, _) = bulk("PATCH", "site/bulk", json!([]));
    assert_eq!(status, 405);
    // Above the limit: refused whole, nothing created.
    env.admin("PUT", "/settings", Some(json!({"bulkMaxItems": 1})));
    let item = |name: &str| json!({"itemIdentifier": 7, "requestAction": "SAVE", "item": {"organizationId": env.org, "name": name, "active": true, "multimediaProfileId": mmp["id"]}});
    let (status, body) = bulk("POST", "site/bulk", json!([item("A"), item("B")]));
    assert_eq!(status, 400, "{body}");
    assert!(env.live("site").iter().all(|s| s["name"] != "A"));
    env.admin("PUT", "/settings", Some(json!({"bulkMaxItems": 200})));
    // A create without organizationId is refused for that item alone.
    let mut bare = item("C");
    bare["item"]
        .as_object_mut()
        .expect("item")
        .remove("organizationId");
    let (status, body) = bulk("POST", "site/bulk", json!([bare, item("D")]));
    assert_eq!(status, 207);
    assert_eq!(body["items"][0]["status"], 400);
    assert_eq!(body["items"][1]["status"], 201);
    assert_eq!(
        body["items"][1]["itemIdentifier"], 7,
        "the identifier is echoed"
    );
    // Queue and aux code updates go through PATCH …/bulk, partially.
    let code = env.live_named("auxiliary-code", "RONA");
    let (status, body) = bulk(
        "PATCH",
        "auxiliary-code/bulk",
        json!([{"itemIdentifier": 1, "requestAction": "SAVE", "item": {"id": code["id"], "description": "patched"}}]),
    );
    assert_eq!(status, 207);
    assert_eq!(body["items"][0]["status"], 200, "{body}");
    let after = env.live_named("auxiliary-code", "RONA");
    assert_eq!(after["description"], "patched");
    assert_eq!(after["name"], "RONA", "the rest is kept");
    // The queue's POST bulk does not update.
    let queue = env.live_named("contact-service-queue", "Queue-1");
    let (_, body) = bulk(
        "POST",
        "contact-service-queue/v2/bulk",
        json!([{"itemIdentifier": 1, "requestAction": "SAVE", "item": queue}]),
    );
    assert_eq!(
        body["items"][0]["apiError"]["error"]["reason"],
        "New configuration cannot have an id"
    );
    // The unprefixed user-profile route answers, refusing every item.
    let (status, body) = bulk(
        "POST",
        "user-profile/bulk",
        json!([{"itemIdentifier": 1, "requestAction": "SAVE", "item": {"name": "x"}}]),
    );
    assert_eq!(status, 207);
    assert_eq!(body["items"][0]["status"], 400);
    // A referenced delete fails with 412 for its item; the other item is carried out.
    let (_, body) = bulk("POST", "site/bulk", json!([item("E"), item("F")]));
    let href = body["items"][0]["href"].as_str().expect("href").to_string();
    let e = env.live_named("site", "E");
    assert!(
        href.ends_with(&format!("/site/{}", e["id"].as_str().expect("id"))),
        "{href}"
    );
    let site = env.live_named("site", "F");
    let (status, team) = env.api(
        "POST",
        &env.org_path("team"),
        Some(json!({"name": "On F", "siteId": site["id"], "teamType": "AGENT", "teamStatus": "IN_SERVICE", "active": true, "rankQueuesForTeam": false})),
    );
    assert_eq!(status, 201, "{team}");
    let (status, body) = bulk(
        "POST",
        "site/bulk",
        json!([
            {"itemIdentifier": 1, "requestAction": "DELETE", "item": site},
            {"itemIdentifier": 2, "requestAction": "DELETE", "item": e},
        ]),
    );
    assert_eq!(status, 207);
    assert_eq!(body["items"][0]["status"], 412, "{body}");
    assert_eq!(body["items"][1]["status"], 204, "{body}");
    assert!(env.live("site").iter().all(|s| s["name"] != "E"));
    // resource-collection: POST creates fail with 500, deletes with 400.
    let (status, body) = bulk(
        "POST",
        "resource-collection/bulk",
        json!([{"itemIdentifier": 1, "requestAction": "SAVE", "item": {"organizationId": env.org, "name": "x"}}]),
    );
    assert_eq!(status, 207);
    assert_eq!(body["items"][0]["status"], 500);
}
