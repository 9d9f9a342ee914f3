//! The data commands (`tasks`, `stats queues|agents`, `activities`) through the binary
//! against the emulator's synthetic activity: every page, windows under the API's span
//! limit, id lists chunked, names resolved, scopes explained, bad input refused before
//! anything is sent.

use std::collections::{HashMap, HashSet};

use serde_json::{Value, json};

use crate::harness::{Env, contains_all, mint_token};

const HOUR: i64 = 3_600_000;

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Seeds `days` of activity ending a day ago (so nothing is in progress and a `--since`
/// of `days + 2` days covers it all); returns the task count.
fn seed(env: &Env, days: u32, per_hour: u32) -> u64 {
    let seeded = env.admin(
        "POST",
        "/orgs/default/activity",
        Some(json!({"days": days, "tasksPerHour": per_hour, "endTime": now_ms() - 24 * HOUR})),
    );
    seeded["tasks"].as_u64().expect("task count")
}

/// The binary's requests to `path`, with their query parsed.
fn requests_to(env: &Env, path: &str) -> Vec<HashMap<String, String>> {
    env.client_requests()
        .into_iter()
        .filter(|r| r["path"] == path)
        .map(|r| {
            url::form_urlencoded::parse(r["query"].as_str().unwrap_or("").as_bytes())
                .into_owned()
                .collect()
        })
        .collect()
}

fn json_rows(stdout: &str) -> Vec<Value> {
    serde_json::from_str::<Value>(stdout)
        .expect("JSON output")
        .as_array()
        .cloned()
        .expect("an array")
}

fn jsonl_rows(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

fn num(q: &HashMap<String, String>, k: &str) -> i64 {
    q.get(k)
        .and_then(|v| v.parse().ok())
        .expect("numeric parameter")
}

#[test]
fn tasks_follows_every_page_without_repeats() {
    let env = Env::new();
    let seeded = seed(&env, 2, 30);
    assert!(seeded > 1000, "needs more than one page: {seeded}");
    let run = env
        .wxcc(&["tasks", "--since", "4d", "--format", "json"])
        .expect(0);
    let rows = json_rows(&run.stdout);
    let ids: HashSet<&str> = rows.iter().filter_map(|r| r["id"].as_str()).collect();
    assert_eq!(rows.len() as u64, seeded, "every task, once");
    assert_eq!(ids.len(), rows.len(), "no task twice");
    assert!(
        rows.windows(2)
            .all(|w| w[0]["attributes"]["createdTime"].as_i64()
                <= w[1]["attributes"]["createdTime"].as_i64()),
        "oldest first"
    );
    let pages = requests_to(&env, "/v1/tasks");
    assert_eq!(pages.len(), 2, "two pages of 1000: {pages:?}");
    assert_eq!(pages[0]["pageSize"], "1000");
    let last_of_first = rows[999]["attributes"]["createdTime"]
        .as_i64()
        .expect("time");
    assert_eq!(
        num(&pages[1], "from"),
        last_of_first,
        "the next page starts at the last createdTime"
    );
}

#[test]
fn tasks_filters_by_queue_name_and_channel_and_writes_csv() {
    let env = Env::new();
    let seeded = seed(&env, 1, 4);
    let run = env
        .wxcc(&[
            "tasks",
            "--since",
            "3d",
            "--queue",
            "Queue-1",
            "--channel",
            "telephony",
        ])
        .expect(0);
    let mut lines = run.stdout.lines();
    let header = lines.next().expect("header");
    assert!(header.starts_with("id,attributes.owner.id,"), "{header}");
    let rows: Vec<&str> = lines.collect();
    assert_eq!(rows.len() as u64, seeded);
    assert!(
        rows.iter().all(|r| r.contains(",Queue-1,")),
        "{}",
        run.stdout
    );
    assert!(
        rows.iter().all(|r| r.contains("Z,")),
        "times as RFC 3339: {}",
        run.stdout
    );
    assert_eq!(
        requests_to(&env, "/v1/tasks")[0]["channelTypes"],
        "telephony"
    );
    // The outdial queue takes no inbound tasks: filtering by it leaves the header only,
    // a header of real column names (not the `""` of an empty record).
    let run = env
        .wxcc(&["tasks", "--since", "3d", "--queue", "Outdial Queue-1"])
        .expect(0);
    assert_eq!(run.stdout.lines().count(), 1, "{}", run.stdout);
    let header = run.stdout.trim_end();
    assert!(
        header.split(',').any(|c| c == "id") && !header.contains('"'),
        "{header}"
    );
    // Likewise the recordings of a task that has none.
    let run = env
        .wxcc(&["recordings", "--task", "no-such-task", "--format", "csv"])
        .expect(0);
    assert!(
        run.stdout.starts_with("taskId,segment,") && !run.stdout.contains('"'),
        "{}",
        run.stdout
    );
}

#[test]
fn tasks_refuses_an_unknown_queue_before_reading_tasks() {
    let env = Env::new();
    seed(&env, 1, 2);
    let run = env
        .wxcc(&["tasks", "--since", "1d", "--queue", "Queue-2"])
        .expect(1);
    contains_all(
        &run.stderr,
        &[
            "no contact-service-queue with name `Queue-2`",
            "did you mean `Queue-1`",
        ],
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    assert!(requests_to(&env, "/v1/tasks").is_empty());
}

#[test]
fn bad_time_ranges_are_refused_before_anything_is_sent() {
    let env = Env::new();
    let cases: &[(&[&str], &str)] = &[
        (
            &["tasks", "--from", "2026-11-02", "--to", "2026-11-01"],
            "reversed",
        ),
        (&["tasks", "--since", "2 hours"], "is not a duration"),
        (
            &["stats", "queues", "--from", "1793491200000"],
            "looks like an epoch number",
        ),
        (&["activities", "--from", "last tuesday"], "is not a time"),
        (
            &["tasks", "--from", "2026-11-01T09:00[Mars/Olympus]"],
            "write an IANA time zone name",
        ),
        (
            &[
                "stats",
                "queues",
                "--from",
                "2026-11-01",
                "--to",
                "2026-11-02[Europe/Pariss]",
            ],
            "write an IANA time zone name",
        ),
        (&["stats", "agents"], "say which time range"),
        (
            &["tasks", "--since", "1d", "--channel", "fax"],
            "not a channel",
        ),
    ];
    for (args, message) in cases {
        let run = env.wxcc(args).expect(1);
        contains_all(&run.stderr, &[message]);
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
    let all = env.admin("GET", "/requests", None);
    assert_eq!(all.as_array().map(Vec::len), Some(0), "nothing sent: {all}");
}

#[test]
fn a_token_without_the_reporting_scope_is_told_how_to_sign_in() {
    let mut env = Env::new();
    seed(&env, 1, 2);
    let minted = env.admin(
        "POST",
        "/tokens",
        Some(json!({"scopes": ["cjp:config_write"]})),
    );
    env.token = minted["access_token"].as_str().expect("token").to_string();
    let run = env.wxcc(&["tasks", "--since", "1d"]).expect(1);
    contains_all(
        &run.stderr,
        &[
            "GET /v1/tasks → 403",
            "needs the cjp:config_read scope",
            "wxcc login --scopes",
        ],
    );
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn queue_statistics_over_three_days_are_read_in_windows_under_a_day() {
    let env = Env::new();
    let seeded = seed(&env, 3, 5);
    let run = env
        .wxcc(&["stats", "queues", "--since", "5d", "--format", "json"])
        .expect(0);
    let rows = json_rows(&run.stdout);
    let offered: i64 = rows
        .iter()
        .filter_map(|r| r["totalOfferedTasks"].as_i64())
        .sum();
    assert_eq!(
        offered as u64, seeded,
        "every task counted once across the windows"
    );
    let windows = requests_to(&env, "/v1/queues/statistics");
    assert_eq!(windows.len(), 6, "5 days in windows of 23h45m: {windows:?}");
    for w in &windows {
        let (from, to) = (num(w, "from"), num(w, "to"));
        assert!(to - from < 24 * HOUR, "{w:?}");
        assert_eq!(from % 900_000, 0, "{w:?}");
        assert!(!w.contains_key("queueIds"), "all queues: {w:?}");
    }
    assert!(
        windows
            .windows(2)
            .all(|p| num(&p[0], "to") == num(&p[1], "from")),
        "contiguous"
    );
    let starts: Vec<i64> = rows
        .iter()
        .filter_map(|r| r["intervalStartTime"].as_i64())
        .collect();
    assert!(
        starts.windows(2).all(|w| w[0] <= w[1]),
        "merged in time order"
    );
}

#[test]
fn queue_statistics_by_name_with_hourly_intervals() {
    let env = Env::new();
    seed(&env, 1, 5);
    let run = env
        .wxcc(&[
            "stats",
            "queues",
            "--since",
            "3d",
            "--queue",
            "Queue-1",
            "--interval",
            "60",
            "--format",
            "jsonl",
        ])
        .expect(0);
    let rows = jsonl_rows(&run.stdout);
    assert!(!rows.is_empty());
    assert!(rows.iter().all(|r| r["queueName"] == "Queue-1"));
    assert!(rows.iter().all(|r| {
        r["intervalStartTime"]
            .as_i64()
            .is_some_and(|t| t % HOUR == 0)
    }));
    let queue_id = env.live_named("contact-service-queue", "Queue-1")["id"].clone();
    for w in requests_to(&env, "/v1/queues/statistics") {
        assert_eq!(w["interval"], "60");
        assert_eq!(
            Some(&w["queueIds"]),
            queue_id.as_str().map(str::to_string).as_ref()
        );
    }
}

#[test]
fn agent_statistics_chunk_more_than_a_hundred_agents() {
    let env = Env::new();
    let emails: Vec<String> = (0..101)
        .map(|i| format!("agent{i:03}@example.com"))
        .collect();
    let users: Vec<Value> = emails.iter().map(|e| json!({"email": e})).collect();
    env.admin("POST", "/orgs/default/users", Some(Value::Array(users)));
    seed(&env, 1, 40);
    let list = emails.join(",");
    let run = env
        .wxcc(&[
            "stats", "agents", "--since", "2d", "--agent", &list, "--format", "csv",
        ])
        .expect(0);
    let calls = requests_to(&env, "/v1/agents/statistics");
    let per_window: Vec<usize> = calls
        .iter()
        .map(|q| q.get("agentIds").map_or(0, |ids| ids.split(',').count()))
        .collect();
    assert!(
        per_window.iter().all(|n| *n == 100 || *n == 1),
        "{per_window:?}"
    );
    assert_eq!(
        per_window.iter().sum::<usize>(),
        101 * calls.len() / 2,
        "{per_window:?}"
    );
    let header = run.stdout.lines().next().expect("header");
    assert!(
        header.contains("channelType") && !header.contains("channels"),
        "{header}"
    );
    let known: HashSet<String> = env
        .live("user")
        .iter()
        .filter(|u| u["email"].as_str().is_some_and(|e| e.starts_with("agent")))
        .filter_map(|u| u["id"].as_str().map(str::to_string))
        .collect();
    let rows = run.stdout.lines().skip(1).count();
    assert!(rows > 0, "{}", run.stdout);
    for line in run.stdout.lines().skip(1) {
        assert!(
            known.iter().any(|id| line.contains(id.as_str())),
            "only the agents asked for: {line}"
        );
    }
}

#[test]
fn activities_page_through_windows_and_match_the_tasks() {
    let env = Env::new();
    // About 35 answered tasks an hour: a full window holds some 1 300 activities.
    seed(&env, 2, 40);
    let tasks = json_rows(
        &env.wxcc(&["tasks", "--since", "4d", "--format", "json"])
            .expect(0)
            .stdout,
    );
    let answered: HashSet<&str> = tasks
        .iter()
        .filter(|t| {
            t["attributes"]["owner"]["id"]
                .as_str()
                .is_some_and(|o| !o.is_empty())
        })
        .filter_map(|t| t["id"].as_str())
        .collect();
    let run = env
        .wxcc(&[
            "activities",
            "--since",
            "4d",
            "--team",
            "Team-1",
            "--format",
            "json",
        ])
        .expect(0);
    let rows = json_rows(&run.stdout);
    let connected: Vec<&str> = rows
        .iter()
        .filter(|r| r["currentState"] == "connected")
        .filter_map(|r| r["taskId"].as_str())
        .collect();
    assert_eq!(
        connected.len(),
        answered.len(),
        "one connected activity per answered task"
    );
    assert_eq!(connected.iter().copied().collect::<HashSet<_>>(), answered);
    assert!(rows.iter().any(|r| r["isLogin"] == 1));
    let calls = requests_to(&env, "/v1/agents/activities");
    assert!(
        calls.iter().any(|q| q["page"] == "1"),
        "a second page was read: {calls:?}"
    );
    let windows: HashSet<(i64, i64)> = calls
        .iter()
        .map(|q| (num(q, "from"), num(q, "to")))
        .collect();
    assert_eq!(
        windows.len(),
        5,
        "4 days in windows under a day: {windows:?}"
    );
    assert!(windows.iter().all(|(f, t)| t - f < 24 * HOUR));
    assert!(
        windows.iter().all(|(_, t)| *t <= now_ms()),
        "never past now"
    );
    let team = env.live_named("team", "Team-1")["id"].clone();
    assert!(
        calls
            .iter()
            .all(|q| Some(&q["teamIds"]) == team.as_str().map(str::to_string).as_ref())
    );
}

#[test]
fn the_emulator_refuses_what_the_api_refuses() {
    let env = Env::new();
    let now = now_ms();
    let cases = [
        ("/v1/tasks?pageSize=10", "Required parameter 'from'"),
        ("/v1/tasks?from=0&pageSize=1001", "pageSize"),
        ("/v1/tasks?from=0&channelTypes=fax", "channelTypes"),
        (
            &*format!("/v1/queues/statistics?from={}&to={now}", now - 24 * HOUR),
            "less than 24 hours",
        ),
        (
            &*format!(
                "/v1/agents/statistics?from={}&to={now}&interval=20",
                now - HOUR
            ),
            "interval",
        ),
        (
            &*format!(
                "/v1/agents/activities?from={}&to={}",
                now - HOUR,
                now + HOUR
            ),
            "should not be more than",
        ),
        (
            &*format!(
                "/v1/agents/activities?from={}&to={now}&page=10&pageSize=1000",
                now - HOUR
            ),
            "10000",
        ),
    ];
    for (path, message) in cases {
        let (status, body) = env.api("GET", path, None);
        assert_eq!(status, 400, "{path}: {body}");
        assert_eq!(body["error"]["key"], "400");
        let text = body["error"]["message"][0]["description"]
            .as_str()
            .unwrap_or("");
        assert!(text.contains(message), "{path}: {body}");
    }
    let ids: Vec<String> = (0..101).map(|i| i.to_string()).collect();
    let (status, _) = env.api(
        "GET",
        &format!(
            "/v1/agents/statistics?from={}&to={now}&agentIds={}",
            now - HOUR,
            ids.join(",")
        ),
        None,
    );
    assert_eq!(status, 400);
    let (status, body) = env.api(
        "GET",
        &format!("/v1/tasks?from=0&orgId={}", "someone-else"),
        None,
    );
    assert_eq!(status, 403, "{body}");
}

#[test]
fn emulator_serve_seeds_activity() {
    let env = Env::new();
    let (mut child, url) = env.serve_emulator(&["--state", "seeded.json", "--seed-activity", "1"]);
    // The activity is generated before the banner is printed.
    let token = mint_token(&url);
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let tasks = runtime.block_on(async {
        let http = reqwest::Client::new();
        let body: Value = http
            .get(format!("{url}/v1/tasks?from=0&pageSize=1000"))
            .bearer_auth(&token)
            .send()
            .await
            .expect("tasks")
            .json()
            .await
            .expect("json");
        body["data"].as_array().map_or(0, Vec::len)
    });
    let _ = child.kill();
    let _ = child.wait();
    assert!(tasks >= 24 * 3, "a day of tasks on Queue-1: {tasks}");
}

/// The binary's `/search` request bodies.
fn searches(env: &Env) -> Vec<Value> {
    env.client_requests()
        .into_iter()
        .filter(|r| r["path"] == "/search")
        .map(|r| r["body"].clone())
        .collect()
}

#[test]
fn search_runs_the_lab_query_and_follows_every_page() {
    let env = Env::new();
    let seeded = seed(&env, 2, 10);
    assert!(seeded > 250, "needs more than one page: {seeded}");
    let dir = env.copy_example("search");
    let file = dir.join("simple.graphql");
    let run = env
        .wxcc(&["search", file.to_str().expect("path"), "--since", "4d"])
        .expect(0);
    let answer: Value = serde_json::from_str(&run.stdout).expect("JSON");
    let tasks = answer["data"]["taskDetails"]["tasks"]
        .as_array()
        .expect("tasks");
    assert_eq!(tasks.len() as u64, seeded, "every page");
    let ids: HashSet<&str> = tasks.iter().filter_map(|t| t["id"].as_str()).collect();
    assert_eq!(ids.len(), tasks.len(), "no repeats");
    assert!(
        answer["data"]["taskDetails"].get("pageInfo").is_none(),
        "paging is wxcc's business"
    );
    let bodies = searches(&env);
    assert_eq!(bodies.len() as u64, seeded.div_ceil(250), "pages of 250");
    assert!(
        bodies[0]["query"]
            .as_str()
            .is_some_and(|q| !q.contains("cursor"))
    );
    assert!(
        bodies[1]["query"]
            .as_str()
            .is_some_and(|q| q.contains("pagination: {cursor: \"1\"}")),
        "{}",
        bodies[1]["query"]
    );
    assert!(
        bodies
            .iter()
            .all(|b| b["variables"]["from"].is_i64() && b["variables"]["to"].is_i64())
    );
}

#[test]
fn search_aggregates_the_lab_caller_into_a_csv_column() {
    let env = Env::new();
    seed(&env, 2, 10);
    let tasks = json_rows(
        &env.wxcc(&["tasks", "--since", "4d", "--format", "json"])
            .expect(0)
            .stdout,
    );
    let expected = tasks
        .iter()
        .filter(|t| t["attributes"]["origin"] == "+12344565678")
        .count();
    assert!(expected > 0, "the lab caller calls");
    let dir = env.copy_example("search");
    let file = dir.join("totalCallsByAni.graphql");
    let run = env
        .wxcc(&[
            "search",
            file.to_str().expect("path"),
            "--since",
            "4d",
            "--format",
            "csv",
        ])
        .expect(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines[0], "aggregation.Total Calls");
    assert_eq!(
        lines[1].parse::<f64>().ok(),
        Some(expected as f64),
        "{}",
        run.stdout
    );
}

#[test]
fn search_shows_graphql_errors_at_their_place_in_the_file() {
    let env = Env::new();
    env.write(
        "bad.graphql",
        "query ($from: Long!, $to: Long!) {\n  taskDetails(from: $from, to: $to) {\n    tasks { id, colour }\n  }\n}\n",
    );
    let run = env
        .wxcc(&["search", "bad.graphql", "--since", "1d"])
        .expect(1);
    contains_all(&run.stderr, &["bad.graphql:3:17: ", "Field 'colour'"]);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    env.write(
        "broken.graphql",
        "{\n  taskDetails(from: 1, to: 2 {\n    tasks { id }\n  }\n}\n",
    );
    let run = env.wxcc(&["search", "broken.graphql"]).expect(1);
    contains_all(&run.stderr, &["broken.graphql:2:", "Syntax Error"]);
    let run = env
        .wxcc(&[
            "search",
            "--query",
            "{ taskDetails(from: $from, to: $to) { tasks { id } } }",
        ])
        .expect(1);
    contains_all(&run.stderr, &["--query:1:", "$from"]);
}

#[test]
fn search_variables_are_typed_and_filters_apply() {
    let env = Env::new();
    seed(&env, 1, 10);
    let query = "query ($from: Long!, $to: Long!, $ani: String, $min: Long) { taskDetails(from: $from, to: $to, filter: {and: [{origin: {equals: $ani}}, {connectedDuration: {gte: $min}}]}) { tasks { id origin connectedDuration lastQueue { name } } } }";
    let run = env
        .wxcc(&[
            "search",
            "--query",
            query,
            "--since",
            "3d",
            "--var",
            "ani=+12344565678",
            "--var",
            "min=300000",
            "--format",
            "jsonl",
        ])
        .expect(0);
    let rows = jsonl_rows(&run.stdout);
    assert!(!rows.is_empty(), "{}", run.stderr);
    assert!(rows.iter().all(|r| r["origin"] == "+12344565678"));
    assert!(rows.iter().all(|r| {
        r["connectedDuration"]
            .as_i64()
            .is_some_and(|d| d >= 300_000)
    }));
    assert!(rows.iter().all(|r| r["lastQueue"]["name"] == "Queue-1"));
    let body = &searches(&env)[0];
    assert_eq!(
        body["variables"]["ani"], "+12344565678",
        "a leading + stays a string"
    );
    assert_eq!(body["variables"]["min"], 300000);
}

/// Ids of seeded tasks that were answered (and so recorded), oldest first.
fn recorded_tasks(env: &Env) -> Vec<String> {
    json_rows(
        &env.wxcc(&["tasks", "--since", "4d", "--format", "json"])
            .expect(0)
            .stdout,
    )
    .into_iter()
    .filter(|t| t["attributes"]["captureRequested"] == true)
    .filter_map(|t| t["id"].as_str().map(str::to_string))
    .collect()
}

fn downloads(env: &Env) -> usize {
    env.admin("GET", "/requests", None)
        .as_array()
        .map_or(0, |a| {
            a.iter()
                .filter(|r| {
                    r["path"]
                        .as_str()
                        .is_some_and(|p| p.starts_with("/_signed/"))
                })
                .count()
        })
}

#[test]
fn recordings_are_listed_ten_tasks_a_request() {
    let env = Env::new();
    seed(&env, 1, 2);
    let ids = recorded_tasks(&env);
    assert!(ids.len() > 10, "{}", ids.len());
    let list = ids[..12].join(",");
    let run = env
        .wxcc(&[
            "recordings",
            "--task",
            &list,
            "--task",
            "00000000-0000-4000-8000-000000000000",
            "--format",
            "json",
        ])
        .expect(0);
    let rows = json_rows(&run.stdout);
    assert_eq!(
        rows.len(),
        12,
        "one stitched recording per answered task, none for an unknown one"
    );
    assert!(
        rows.iter()
            .all(|r| r["fileName"] == "recording.wav" && r["segment"] == 1)
    );
    assert!(
        !run.stdout.contains("signature"),
        "signed URLs are not printed"
    );
    let bodies: Vec<Value> = env
        .client_requests()
        .into_iter()
        .filter(|r| r["path"] == "/v1/captures/query")
        .map(|r| r["body"].clone())
        .collect();
    let sizes: Vec<usize> = bodies
        .iter()
        .map(|b| b["query"]["taskIds"].as_array().map_or(0, Vec::len))
        .collect();
    assert_eq!(sizes, vec![10, 3]);
}

#[test]
fn recordings_download_resumes_and_renews_expired_urls() {
    let env = Env::new();
    seed(&env, 1, 1);
    let ids = recorded_tasks(&env);
    let expected = ids.len();
    assert!(expected > 5);
    // The storage host says two URLs expired: they are asked for again, not failed.
    env.admin(
        "POST",
        "/faults",
        Some(json!({"pathContains": "/_signed/", "status": 403, "times": 2})),
    );
    let run = env
        .wxcc(&["recordings", "download", "--since", "4d", "--out", "calls"])
        .expect(0);
    contains_all(
        &run.stderr,
        &[&format!(
            "{expected} downloaded, 0 already there, 2 expired URLs renewed"
        )],
    );
    assert_eq!(downloads(&env), expected + 2);
    let manifest =
        std::fs::read_to_string(env.path().join("calls/manifest.csv")).expect("manifest");
    let lines: Vec<&str> = manifest.lines().collect();
    assert_eq!(lines[0], "task,segment,file,size,sha256,start_time");
    assert_eq!(lines.len(), expected + 1);
    for id in &ids {
        let file = env.path().join(format!("calls/{id}_1.wav"));
        let bytes = std::fs::read(&file).expect("recording saved");
        assert!(bytes.starts_with(b"RIFF"));
        assert!(manifest.contains(&format!("{id},1,{id}_1.wav,{},", bytes.len())));
    }
    // A second run finds every file whole and fetches none; a damaged file is fetched again.
    std::fs::write(
        env.path().join(format!("calls/{}_1.wav", ids[0])),
        b"RIFF truncated",
    )
    .expect("damage");
    let before = downloads(&env);
    let run = env
        .wxcc(&["recordings", "download", "--since", "4d", "--out", "calls"])
        .expect(0);
    contains_all(
        &run.stderr,
        &[&format!("1 downloaded, {} already there", expected - 1)],
    );
    assert_eq!(downloads(&env), before + 1);
    assert!(
        std::fs::read_dir(env.path().join("calls"))
            .expect("dir")
            .all(|e| {
                !e.expect("entry")
                    .file_name()
                    .to_string_lossy()
                    .ends_with(".part")
            })
    );
}

#[test]
fn a_recording_that_cannot_be_saved_is_an_error_and_stays_out_of_the_manifest() {
    let env = Env::new();
    seed(&env, 1, 1);
    let ids = recorded_tasks(&env);
    // Expired on every try: after the renewals it is reported, not passed off as saved.
    env.admin(
        "POST",
        "/faults",
        Some(json!({"pathContains": ids[0].as_str(), "status": 403, "times": 10})),
    );
    let run = env
        .wxcc(&[
            "recordings",
            "download",
            "--task",
            &ids[..3].join(","),
            "--out",
            "calls",
        ])
        .expect(1);
    contains_all(
        &run.stderr,
        &[
            "1 recording not saved",
            &format!("{}_1.wav", ids[0]),
            "run again to resume",
        ],
    );
    let manifest =
        std::fs::read_to_string(env.path().join("calls/manifest.csv")).expect("manifest");
    assert!(!manifest.contains(&ids[0]), "{manifest}");
    assert!(manifest.contains(&ids[1]) && manifest.contains(&ids[2]));
    assert!(!env.path().join(format!("calls/{}_1.wav", ids[0])).exists());
}

#[test]
fn the_emulator_answers_in_the_shapes_the_spec_gives() {
    let env = Env::new();
    seed(&env, 1, 4);
    let to = now_ms() - 24 * HOUR;
    let from = to - 12 * HOUR;
    let tasks = json_rows(
        &env.wxcc(&["tasks", "--since", "3d", "--format", "json"])
            .expect(0)
            .stdout,
    );
    let ids: Vec<&str> = tasks
        .iter()
        .filter_map(|t| t["id"].as_str())
        .take(3)
        .collect();
    let reads = [
        format!("/v1/tasks?from={from}&to={to}"),
        format!("/v1/queues/statistics?from={from}&to={to}&interval=30"),
        format!("/v1/agents/statistics?from={from}&to={to}"),
        format!("/v1/agents/activities?from={from}&to={to}"),
    ];
    for path in &reads {
        let (status, body) = env.api("GET", path, None);
        assert_eq!(status, 200, "{path}: {body}");
        assert!(
            body["data"].as_array().is_some_and(|d| !d.is_empty()),
            "{path}: {body}"
        );
        let bare = path.split('?').next().unwrap_or_default();
        let problems = crate::conformance::response_problems("get", bare, &body);
        assert!(problems.is_empty(), "{problems:#?}");
    }
    let (status, body) = env.api(
        "POST",
        "/v1/captures/query",
        Some(json!({"query": {"taskIds": ids, "urlExpiration": 10, "includeSegments": true}})),
    );
    assert_eq!(status, 200, "{body}");
    let problems = crate::conformance::response_problems("post", "/v1/captures/query", &body);
    assert!(problems.is_empty(), "{problems:#?}");
    let (status, body) = env.api(
        "POST",
        "/v1/captures/query",
        Some(json!({"query": {"taskIds": ids, "urlExpiration": 0}})),
    );
    assert_eq!(status, 400);
    assert_eq!(
        body["error"]["message"][0]["description"],
        "urlExpiration should be greater than 0"
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_run_quietly_with_success() {
    // `wxcc tasks | head -1` under `set -o pipefail`: the closed pipe is the reader's
    // choice, not a failure of wxcc. The output is larger than a pipe's buffer, so the
    // write meets the closed pipe whenever the reader closes it.
    let env = Env::new();
    seed(&env, 1, 40);
    let mut child = env.spawn(
        &["tasks", "--since", "3d", "--format", "jsonl"],
        &[
            ("WXCC_BASE_URL", &env.url),
            ("WXCC_ACCESS_TOKEN", &env.token),
        ],
    );
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wxcc ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.is_empty(), "{stderr}");
    // The same for the generated texts (completions, the man page).
    let mut child = env.spawn(&["completions", "bash"], &[]);
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wxcc ends");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
