//! Faults, signals and concurrent runs: the emulator's fault controls and stale-version
//! setting, one apply converging under ~20 % injected faults, SIGINT/SIGTERM during an
//! apply, and two writers on the same objects.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::process::Child;

use serde_json::{Value, json};

use crate::harness::{Env, Run, contains_all};

/// The flags that lift the client's own rate limit (the emulator sets none), with one
/// object a bulk request, so that the faults meet as many writes (and lost bulk answers)
/// as there are objects.
const FAST: [&str; 6] = [
    "--rate-limit",
    "1000000",
    "--parallelism",
    "8",
    "--bulk-chunk",
    "1",
];

/// A tenant of about `objects` objects: sites on one profile, teams on the sites, skills,
/// and skill profiles that use them. Returns the YAML and the object count per kind.
fn tenant(objects: usize, description: &str) -> (String, Vec<(&'static str, usize)>) {
    let sites = (objects / 20).max(2);
    let teams = objects / 2;
    let skills = objects * 3 / 10;
    let profiles = objects.saturating_sub(1 + sites + teams + skills).max(1);
    let mut y = String::from(
        "multimedia-profile:\n  - {name: Voice, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}}\nsite:\n",
    );
    for s in 0..sites {
        let _ = writeln!(
            y,
            "  - {{name: Site {s}, active: true, multimediaProfileId: Voice}}"
        );
    }
    y.push_str("skill:\n");
    for k in 0..skills {
        let _ = writeln!(
            y,
            "  - {{name: Skill {k}, skillType: PROFICIENCY, serviceLevelThreshold: 30, active: true}}"
        );
    }
    y.push_str("skill-profile:\n");
    for p in 0..profiles {
        let _ = writeln!(
            y,
            "  - {{name: Profile {p}, activeSkills: [{{skillId: Skill {}, proficiencyValue: 5}}]}}",
            p % skills.max(1)
        );
    }
    y.push_str("team:\n");
    for t in 0..teams {
        let _ = writeln!(
            y,
            "  - {{name: Team {t}, siteId: Site {}, skillProfileId: Profile {}, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false, description: {description} {t}}}",
            t % sites,
            t % profiles
        );
    }
    let counts = vec![
        ("multimedia-profile", 1),
        ("site", sites),
        ("skill", skills),
        ("skill-profile", profiles),
        ("team", teams),
    ];
    (y, counts)
}

/// Arms faults on about 20 % of writes (429, 503 before acting, 500 after, connections
/// dropped before and after acting) and 8 % of reads (503, drops), decided by `seed`.
fn arm_faults(env: &Env, seed: u64) {
    for method in ["POST", "PUT"] {
        // Each fault rolls with a seed of its own: with one seed, every fault would roll
        // the same number for a request, and the first armed would shadow the rest.
        for (n, (percent, fault)) in [
            (1.0, json!({"status": 429})),
            (4.0, json!({"status": 503})),
            (4.0, json!({"status": 500, "afterApplying": true})),
            (5.0, json!({"drop": true})),
            (5.0, json!({"drop": true, "afterApplying": true})),
        ]
        .into_iter()
        .enumerate()
        {
            let mut f = fault;
            f["method"] = json!(method);
            f["percent"] = json!(percent);
            f["seed"] = json!(seed + n as u64);
            env.admin("POST", "/faults", Some(f));
        }
    }
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "GET", "status": 503, "percent": 5.0, "seed": seed})),
    );
    // Its own seed too: sharing the 503's, the drop would roll, on a GET's later
    // attempts, the numbers the 503 rolled (and hit with) on its earlier ones, so one
    // GET met five faults in a row a few times in a hundred runs.
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "GET", "drop": true, "percent": 3.0, "seed": seed + 100})),
    );
}

/// Panics unless every declared object of each kind exists exactly once.
fn exactly_once(env: &Env, counts: &[(&str, usize)]) {
    for (kind, n) in counts {
        let names: Vec<String> = env
            .live(kind)
            .iter()
            .filter(|o| o["systemDefault"] != true)
            .map(|o| o["name"].as_str().unwrap_or_default().to_string())
            .collect();
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), names.len(), "{kind}: duplicates");
        assert_eq!(names.len(), *n, "{kind}: lost objects");
    }
}

/// Applies `args` under the armed faults until an apply completes, at most three runs.
/// Each request gets five attempts, and at these rates about one write in 200,000 meets
/// five faults in a row (a 503 or a connection dropped before acting, 9 % an attempt), so
/// a run may give up on an object or two: it must then say what it did and that a re-run
/// carries on, and the next run must do exactly what is left. Returns the objects created
/// and updated, summed over the runs.
fn apply_until_done(env: &Env, args: &[&str]) -> (usize, usize) {
    // The number written before ` {what}` in `line`.
    let count = |line: &str, what: &str| -> usize {
        let end = line
            .find(&format!(" {what}"))
            .unwrap_or_else(|| panic!("no `{what}` in {line:?}"));
        let start = line[..end]
            .rfind(|c: char| !c.is_ascii_digit())
            .map_or(0, |i| i + 1);
        line[start..end].parse().expect("a count")
    };
    let (mut created, mut updated) = (0, 0);
    for _ in 0..3 {
        let run = env.wxcc(args);
        let summary = run
            .stdout
            .lines()
            .find(|l| {
                l.starts_with("Apply complete: ") || l.starts_with("Apply finished with failures: ")
            })
            .unwrap_or_else(|| {
                panic!(
                    "no summary line\n--- stdout ---\n{}\n--- stderr ---\n{}",
                    run.stdout, run.stderr
                )
            })
            .to_string();
        created += count(&summary, "created");
        updated += count(&summary, "updated");
        if run.code == 0 {
            return (created, updated);
        }
        let gave_up = count(&summary, "failed");
        assert!(
            run.code == 1 && (1..=2).contains(&gave_up),
            "at most two objects may meet five faults in a row: {summary}\n--- stdout ---\n{}",
            run.stdout
        );
        contains_all(
            &run.stdout,
            &[
                "run `wxcc apply` again: it reads the tenant afresh and carries on from where this run stopped.",
            ],
        );
    }
    panic!("three applies under faults did not complete");
}

/// An apply of `objects` objects under faults converges: everything created once, and an
/// edit of every team then lands under faults too.
fn converges_under_faults(objects: usize) {
    let env = Env::new();
    let (yaml, counts) = tenant(objects, "first");
    let total: usize = counts.iter().map(|(_, n)| n).sum();
    env.write("tenant/config.yaml", &yaml);
    arm_faults(&env, 2026);
    let mut args = vec!["apply", "tenant", "--auto-approve"];
    args.extend(FAST);
    assert_eq!(apply_until_done(&env, &args), (total, 0));
    let statuses: Vec<u64> = env
        .admin("GET", "/requests", None)
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|r| r["status"].as_u64())
        .collect();
    // The faults hit: which requests they pick depends on their bodies, and bodies carry
    // ids the server assigns at random, so each kind's count varies from run to run (a 1 %
    // kind may miss a run entirely). Expected: about 50 faulted requests, half of them the
    // ambiguous kinds (dropped connections, 500 after acting) that send a create's outcome
    // through the lookup by key.
    let count = |wanted: &[u64]| statuses.iter().filter(|s| wanted.contains(s)).count();
    let faulted = count(&[0, 429, 500, 503]);
    let ambiguous = count(&[0, 500]);
    assert!(
        faulted >= 10 && ambiguous >= 5,
        "the faults hit: {faulted} faulted requests, {ambiguous} of them ambiguous"
    );
    env.admin("DELETE", "/faults", None);
    exactly_once(&env, &counts);
    env.wxcc(&["plan", "tenant", "--detailed-exitcode"])
        .expect(0);

    let teams = counts.iter().find(|(k, _)| *k == "team").map_or(0, |c| c.1);
    let (yaml, _) = tenant(objects, "second");
    env.write("tenant/config.yaml", &yaml);
    arm_faults(&env, 7);
    assert_eq!(apply_until_done(&env, &args), (0, teams));
    env.admin("DELETE", "/faults", None);
    exactly_once(&env, &counts);
    env.wxcc(&["plan", "tenant", "--detailed-exitcode"])
        .expect(0);
}

#[test]
fn one_apply_converges_under_twenty_percent_faults() {
    converges_under_faults(240);
}

/// The long run: `WXCC_FAULT_OBJECTS=2000 cargo test --test integration
/// faults::long_apply_converges_under_faults -- --ignored` (2,000 objects by default).
#[test]
#[ignore = "long: about 2,000 objects; run on demand (docs/emulator.md)"]
fn long_apply_converges_under_faults() {
    let objects = std::env::var("WXCC_FAULT_OBJECTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(2000);
    converges_under_faults(objects);
}

#[test]
fn emulator_faults_drop_damage_and_decide_by_seed() {
    let env = Env::new();
    let mmp = env.live_named("multimedia-profile", "Default Multimedia Profile");
    let site = |name: &str| json!({"name": name, "active": true, "multimediaProfileId": mmp["id"]});
    let sites = env.org_path("site");
    let named = |name: &str| {
        env.live("site")
            .iter()
            .filter(|s| s["name"] == name)
            .count()
    };

    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "drop": true})),
    );
    let dropped = env.api_raw("POST", &sites, Some(site("Before")));
    assert!(dropped.is_err(), "no answer: {dropped:?}");
    assert_eq!(named("Before"), 0, "dropped before acting: not created");

    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "drop": true, "afterApplying": true})),
    );
    assert!(env.api_raw("POST", &sites, Some(site("After"))).is_err());
    assert_eq!(named("After"), 1, "dropped after acting: created");

    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "body": "truncated", "afterApplying": true})),
    );
    let cut = env.api_raw("POST", &sites, Some(site("Cut")));
    assert!(cut.is_err(), "{cut:?}");
    assert_eq!(named("Cut"), 1);

    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "body": "malformed", "afterApplying": true})),
    );
    let (status, _, text) = env
        .api_raw("POST", &sites, Some(site("Garbled")))
        .expect("an answer");
    assert_eq!(status, 201);
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");
    assert_eq!(named("Garbled"), 1);

    env.admin(
        "POST",
        "/faults",
        Some(
            json!({"method": "GET", "pathContains": "/v2/site", "status": 503, "retryAfter": "7"}),
        ),
    );
    let (status, retry_after, _) = env
        .api_raw("GET", &env.org_path("v2/site"), None)
        .expect("an answer");
    assert_eq!((status, retry_after.as_deref()), (503, Some("7")));

    // A percentage decides by request content and repetition: the same sequence of
    // requests meets the same faults again, and some but not all are hit.
    let pattern = |env: &Env| -> Vec<u16> {
        env.admin("DELETE", "/faults", None);
        env.admin(
            "POST",
            "/faults",
            Some(json!({"method": "GET", "status": 500, "percent": 50, "seed": 42})),
        );
        (0..40)
            .map(|n| {
                let path = env.org_path(&format!("v2/site?page={}", n % 4));
                env.api_raw("GET", &path, None).map_or(0, |(s, _, _)| s)
            })
            .collect()
    };
    let first = pattern(&env);
    assert_eq!(first, pattern(&env), "the same seed, the same faults");
    assert!(first.contains(&500) && first.contains(&200), "{first:?}");

    let log = env.admin("GET", "/requests", None);
    assert!(
        log.as_array()
            .is_some_and(|l| l.iter().any(|r| r["status"] == 0)),
        "a dropped request is logged with status 0"
    );
    let (status, _, body) = env
        .api_raw("POST", "/_emulator/faults", Some(json!({"percent": 120})))
        .expect("an answer");
    assert_eq!(status, 400, "{body}");
    contains_all(&body, &["percent must be between 0 and 100"]);
}

#[test]
fn a_stale_version_wins_by_default_and_is_refused_with_412_when_set() {
    let env = Env::new();
    let site = env.live_named("site", "Site-1");
    let path = env.org_path(&format!("site/{}", site["id"].as_str().expect("id")));
    let mut body = site.clone();
    body["description"] = json!("one");
    let (status, written) = env.api("PUT", &path, Some(body.clone()));
    assert_eq!(status, 200);
    assert_eq!(written["version"], 1);
    // Default: a PUT carrying the old version still lands (last write wins).
    body["description"] = json!("two");
    let (status, written) = env.api("PUT", &path, Some(body.clone()));
    assert_eq!((status, &written["version"]), (200, &json!(2)));

    env.admin("PUT", "/settings", Some(json!({"staleVersion": "reject"})));
    body["description"] = json!("three");
    let (status, refused) = env.api("PUT", &path, Some(body.clone()));
    assert_eq!(status, 412, "{refused}");
    assert_eq!(refused["error"]["key"], "412");
    contains_all(
        refused["error"]["reason"].as_str().unwrap_or_default(),
        &["Stale version", "version 0 sent, current version is 2"],
    );
    assert_eq!(env.live_named("site", "Site-1")["description"], "two");
    body["version"] = json!(2);
    let (status, _) = env.api("PUT", &path, Some(body.clone()));
    assert_eq!(status, 200, "the current version is accepted");
    if let Some(m) = body.as_object_mut() {
        m.remove("version");
    }
    body["description"] = json!("four");
    let (status, _) = env.api("PUT", &path, Some(body));
    assert_eq!(status, 200, "a PUT without a version is accepted (§1.4)");
}

/// Skills to create, for the signal tests.
fn skills(env: &Env, n: usize) {
    let mut y = String::from("skill:\n");
    for k in 0..n {
        let _ = writeln!(
            y,
            "  - {{name: Skill {k}, skillType: PROFICIENCY, serviceLevelThreshold: 30, active: true}}"
        );
    }
    env.write("skills.yaml", &y);
}

/// Lets the first two skill creates through at once and delays every later one.
fn slow_after_two(env: &Env, latency_ms: u64) {
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "pathContains": "/skill", "times": 2})),
    );
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "pathContains": "/skill", "percent": 100, "latencyMs": latency_ms})),
    );
}

/// Starts `wxcc apply skills.yaml` against the emulator, two writes at a time, one skill a
/// bulk request (so the run has many writes to be interrupted between).
fn spawn_apply(env: &Env) -> Child {
    env.spawn(
        &[
            "apply",
            "skills.yaml",
            "--auto-approve",
            "--parallelism",
            "2",
            "--bulk-chunk",
            "1",
        ],
        &[
            ("WXCC_BASE_URL", env.url.as_str()),
            ("WXCC_ACCESS_TOKEN", env.token.as_str()),
        ],
    )
}

/// Reads the child's stdout until a line contains `marker`; returns what was read.
fn read_until(out: &mut impl BufRead, marker: &str) -> String {
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        let n = out.read_line(&mut line).expect("read stdout");
        assert!(n > 0, "the run ended before {marker:?}:\n{seen}");
        seen.push_str(&line);
        if line.contains(marker) {
            return seen;
        }
    }
}

fn signal(child: &Child, sig: i32) {
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: sends a signal to a child process this test started and still owns.
    let sent = unsafe { libc::kill(pid, sig) };
    assert_eq!(sent, 0, "kill");
}

/// The rest of the child's output and how it ended.
fn finish(mut child: Child, mut out: impl BufRead, head: String) -> Run {
    let mut stdout = head;
    std::io::Read::read_to_string(&mut out, &mut stdout).expect("stdout");
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        std::io::Read::read_to_string(&mut e, &mut stderr).expect("stderr");
    }
    let status = child.wait().expect("wait");
    Run {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
    }
}

#[test]
fn a_signal_during_apply_finishes_what_is_in_flight_reports_and_exits_130() {
    let env = Env::new();
    skills(&env, 30);
    // The first two creates answer at once; every later one takes 300 ms.
    slow_after_two(&env, 300);
    let mut child = spawn_apply(&env);
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let head = read_until(&mut out, "+ created skill");
    signal(&child, libc::SIGTERM);
    let run = finish(child, out, head).expect(130);
    contains_all(
        &run.stderr,
        &["Interrupted: starting no new changes", "apply interrupted"],
    );
    let printed: Vec<&str> = run
        .stdout
        .lines()
        .filter_map(|l| l.strip_prefix("+ created skill \""))
        .filter_map(|l| l.split('"').next())
        .collect();
    let mut live: Vec<String> = env
        .live("skill")
        .iter()
        .map(|s| s["name"].as_str().unwrap_or_default().to_string())
        .collect();
    live.sort();
    let mut printed_sorted: Vec<String> = printed.iter().map(|s| s.to_string()).collect();
    printed_sorted.sort();
    assert_eq!(
        printed_sorted, live,
        "every create that landed was printed, and only those"
    );
    assert!(live.len() < 30, "the run stopped early: {}", run.stdout);
    contains_all(
        &run.stdout,
        &[
            &format!(
                "Apply interrupted: {} done ({} created, 0 updated, 0 deleted), 0 failed, 0 skipped, {} not attempted.",
                live.len(),
                live.len(),
                30 - live.len()
            ),
            "Not attempted (the run was interrupted):\n",
            "\n  + create skill \"Skill 29\"",
        ],
    );
}

#[test]
fn a_second_signal_exits_at_once() {
    let env = Env::new();
    skills(&env, 10);
    // After two quick creates, each create takes five seconds: the second signal arrives
    // while they are in flight.
    slow_after_two(&env, 5000);
    let mut child = spawn_apply(&env);
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let head = read_until(&mut out, "+ created skill");
    let mut err = BufReader::new(child.stderr.take().expect("stderr"));
    signal(&child, libc::SIGINT);
    let mut line = String::new();
    while !line.contains("Interrupted") {
        line.clear();
        assert!(err.read_line(&mut line).expect("stderr") > 0, "no notice");
    }
    signal(&child, libc::SIGINT);
    let run = finish(child, out, head);
    assert_eq!(run.code, 130);
    assert!(!run.stdout.contains("Apply interrupted"), "{}", run.stdout);
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut err, &mut rest).expect("stderr");
    contains_all(&rest, &["Second signal: exiting now"]);
}

/// Waits until the binary has sent a request matching `method` whose path ends with
/// `suffix` (and the emulator has answered it); panics if it ends without one.
fn wait_for_request(env: &Env, child: &mut Child, method: &str, suffix: &str) {
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            panic!("wxcc ended ({status}) without sending {method} …{suffix}");
        }
        let seen = env.client_requests().iter().any(|r| {
            r["method"] == method && r["path"].as_str().is_some_and(|p| p.ends_with(suffix))
        });
        if seen {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Acme applied, then Dublin's description edited in the config; returns Dublin's id.
fn acme_with_an_edit(env: &Env) -> String {
    let acme = env.copy_example("acme");
    env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    let sites = std::fs::read_to_string(acme.join("sites.yaml")).expect("read");
    std::fs::write(
        acme.join("sites.yaml"),
        sites.replace("EMEA support hub", "EMEA support and sales hub"),
    )
    .expect("write");
    env.live_named("site", "Dublin")["id"]
        .as_str()
        .expect("id")
        .to_string()
}

/// Someone else's write to Dublin, made through the API with the version it has now.
fn someone_else_edits_dublin(env: &Env, id: &str) {
    let mut dublin = env.live_named("site", "Dublin");
    dublin["description"] = json!("changed by someone else");
    let (status, body) = env.api("PUT", &env.org_path(&format!("site/{id}")), Some(dublin));
    assert_eq!(status, 200, "{body}");
}

fn spawn_acme_apply(env: &Env) -> Child {
    env.spawn(
        &["apply", "acme", "--auto-approve"],
        &[
            ("WXCC_BASE_URL", env.url.as_str()),
            ("WXCC_ACCESS_TOKEN", env.token.as_str()),
        ],
    )
}

/// PUTs to Dublin that wxcc sent.
fn puts_to(env: &Env, id: &str) -> usize {
    env.client_requests()
        .iter()
        .filter(|r| r["method"] == "PUT" && r["path"].as_str().is_some_and(|p| p.ends_with(id)))
        .count()
}

#[test]
fn an_update_of_an_object_changed_since_the_plan_is_refused_and_named() {
    let env = Env::new();
    let id = acme_with_an_edit(&env);
    // wxcc's read just before its write waits ten seconds; the change lands meanwhile.
    // Only wxcc's requests (tracking ids `wxcc_`) meet the fault: the test's own read of
    // Dublin, taking it first, would hold the test's edit back instead.
    env.admin(
        "POST",
        "/faults",
        Some(
            json!({"method": "GET", "pathContains": format!("/site/{id}"), "trackingIdPrefix": "wxcc_", "latencyMs": 10_000}),
        ),
    );
    env.admin("POST", "/reset", None);
    let mut child = spawn_acme_apply(&env);
    wait_for_request(&env, &mut child, "GET", "/v2/site");
    someone_else_edits_dublin(&env, &id);
    let run = Run::from(child.wait_with_output().expect("wait")).expect(1);
    contains_all(
        &run.stdout,
        &[
            "✗ failed to update site \"Dublin\": site `Dublin` was changed by someone else since wxcc read it (version 0 → version 1); nothing was written, so that change is not overwritten. Run `wxcc plan` again to see it, then apply",
            "0 done (0 created, 0 updated, 0 deleted), 1 failed",
        ],
    );
    assert_eq!(puts_to(&env, &id), 0, "nothing was written");
    assert_eq!(
        env.live_named("site", "Dublin")["description"],
        "changed by someone else"
    );
    let run = env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    contains_all(&run.stdout, &["Apply complete: 0 created, 1 updated"]);
}

/// A bulk update (cad-variables go in one bulk request) checks its objects with one filtered
/// read just before the bulk write; one changed since the plan is refused there and left
/// out of the bulk request, the other goes on (kills `apply/bulk.rs`: the `changed` guard
/// of `guard` made false, which sent the stale object in the bulk request and overwrote
/// the other writer's change).
#[test]
fn a_bulk_update_of_an_object_changed_since_the_plan_is_left_out_of_the_bulk_request() {
    let env = Env::new();
    let vars = |default: &str| {
        format!(
            "cad-variable:\n  - {{name: AccountNumber, variableType: String, defaultValue: {default}, active: true, agentEditable: false, agentViewable: false, reportable: true}}\n  - {{name: Region, variableType: String, defaultValue: {default}, active: true, agentEditable: false, agentViewable: false, reportable: true}}\n"
        )
    };
    env.write("cfg/vars.yaml", &vars("one"));
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    env.write("cfg/vars.yaml", &vars("two"));
    // wxcc's first read of the variables (the plan's) passes; its second (the bulk guard's
    // filtered read) waits ten seconds, and the other writer's change lands meanwhile.
    for latency in [1, 10_000] {
        env.admin(
            "POST",
            "/faults",
            Some(
                json!({"method": "GET", "pathContains": "/cad-variable", "trackingIdPrefix": "wxcc_", "latencyMs": latency}),
            ),
        );
    }
    env.admin("POST", "/reset", None);
    let mut child = env.spawn(
        &["apply", "cfg", "--auto-approve"],
        &[
            ("WXCC_BASE_URL", env.url.as_str()),
            ("WXCC_ACCESS_TOKEN", env.token.as_str()),
        ],
    );
    wait_for_request(&env, &mut child, "GET", "/cad-variable");
    let mut account = env.live_named("cad-variable", "AccountNumber");
    let id = account["id"].as_str().expect("id").to_string();
    account["defaultValue"] = json!("someone else's");
    let (status, body) = env.api(
        "PUT",
        &env.org_path(&format!("cad-variable/{id}")),
        Some(account),
    );
    assert_eq!(status, 200, "{body}");
    let run = Run::from(child.wait_with_output().expect("wait")).expect(1);
    contains_all(
        &run.stdout,
        &[
            "✗ failed to update cad-variable \"AccountNumber\": cad-variable `AccountNumber` was changed by someone else since wxcc read it (version 0 → version 1); nothing was written, so that change is not overwritten",
            "1 done (0 created, 1 updated, 0 deleted), 1 failed",
        ],
    );
    let bulk: Vec<Value> = env
        .client_requests()
        .into_iter()
        .filter(|r| r["method"] == "POST")
        .collect();
    assert_eq!(bulk.len(), 1, "one bulk write: {bulk:?}");
    let items = bulk[0]["body"]["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "only Region is sent: {items:?}");
    assert_eq!(items[0]["item"]["name"], "Region");
    assert_eq!(
        env.live_named("cad-variable", "AccountNumber")["defaultValue"],
        "someone else's"
    );
    assert_eq!(
        env.live_named("cad-variable", "Region")["defaultValue"],
        "two"
    );
}

/// A write to Dublin made between wxcc's read and its write (wxcc's PUT waits ten
/// seconds; only wxcc's: the test's own PUT, taking the fault first, once held the edit
/// back until after wxcc's write).
fn a_write_slips_in(env: &Env, id: &str) -> Run {
    env.admin(
        "POST",
        "/faults",
        Some(
            json!({"method": "PUT", "pathContains": format!("/site/{id}"), "trackingIdPrefix": "wxcc_", "latencyMs": 10_000}),
        ),
    );
    env.admin("POST", "/reset", None);
    let mut child = spawn_acme_apply(env);
    wait_for_request(env, &mut child, "GET", &format!("/site/{id}"));
    someone_else_edits_dublin(env, id);
    Run::from(child.wait_with_output().expect("wait")).expect(1)
}

#[test]
fn a_write_between_read_and_write_is_refused_when_the_api_rejects_stale_versions() {
    let env = Env::new();
    let id = acme_with_an_edit(&env);
    env.admin("PUT", "/settings", Some(json!({"staleVersion": "reject"})));
    let run = a_write_slips_in(&env, &id);
    contains_all(
        &run.stdout,
        &[
            "site `Dublin` was changed by someone else since wxcc read it (version 0 → version 1); the API refused the write, so that change is not overwritten",
        ],
    );
    assert_eq!(
        env.live_named("site", "Dublin")["description"],
        "changed by someone else"
    );
}

#[test]
fn a_write_between_read_and_write_is_reported_when_the_last_write_wins() {
    let env = Env::new();
    let id = acme_with_an_edit(&env);
    let run = a_write_slips_in(&env, &id);
    contains_all(
        &run.stdout,
        &[
            "site `Dublin` was written, but another write landed between wxcc's read (version 0) and its write (now version 2): that change may have been overwritten. Run `wxcc plan` again",
        ],
    );
    contains_all(&run.stderr, &["apply finished with failures"]);
}

/// Teams on Site-1, each declaring `extra`.
fn teams(n: usize, extra: &str) -> String {
    let mut y = String::from("team:\n");
    for t in 0..n {
        let _ = writeln!(
            y,
            "  - {{name: Team {t}, siteId: Site-1, teamType: AGENT, teamStatus: IN_SERVICE, active: true, {extra}}}"
        );
    }
    y
}

#[test]
fn two_applies_at_once_on_different_fields_never_silently_undo_each_other() {
    let env = Env::new();
    const N: usize = 30;
    env.write(
        "base.yaml",
        &teams(N, "rankQueuesForTeam: false, description: old"),
    );
    env.wxcc(&["apply", "base.yaml", "--auto-approve"])
        .expect(0);
    // One config manages the descriptions, the other the queue ranking.
    env.write("a.yaml", &teams(N, "description: from a"));
    env.write("b.yaml", &teams(N, "rankQueuesForTeam: true"));
    // Slow writes, so the two runs overlap.
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "PUT", "percent": 100, "latencyMs": 100})),
    );
    let vars = [
        ("WXCC_BASE_URL", env.url.as_str()),
        ("WXCC_ACCESS_TOKEN", env.token.as_str()),
    ];
    let a = env.spawn(&["apply", "a.yaml", "--auto-approve"], &vars);
    let b = env.spawn(&["apply", "b.yaml", "--auto-approve"], &vars);
    let a = Run::from(a.wait_with_output().expect("a"));
    let b = Run::from(b.wait_with_output().expect("b"));
    let refused = |run: &Run, t: usize| {
        run.stdout
            .contains(&format!("team `Team {t}` was changed by someone else"))
            || run.stdout.contains(&format!(
                "team `Team {t}` was written, but another write landed"
            ))
    };
    for t in 0..N {
        let team = env.live_named("team", &format!("Team {t}"));
        let a_holds = team["description"] == "from a";
        let b_holds = team["rankQueuesForTeam"] == true;
        // A change that did not stand was reported by one of the runs: refused by its
        // own run, or reported by the run whose write may have overwritten it.
        assert!(
            (a_holds && b_holds) || refused(&a, t) || refused(&b, t),
            "Team {t} lost a change silently: {team}\n--- a ---\n{}\n--- b ---\n{}",
            a.stdout,
            b.stdout
        );
    }
    for run in [&a, &b] {
        assert!(run.code == 0 || run.code == 1, "{}", run.stderr);
        if run.code == 0 {
            assert!(!run.stdout.contains("changed by someone else"));
        }
    }
    // Each run, repeated on its own, then completes; both changes stand.
    env.admin("DELETE", "/faults", None);
    env.wxcc(&["apply", "a.yaml", "--auto-approve"]).expect(0);
    env.wxcc(&["apply", "b.yaml", "--auto-approve"]).expect(0);
    for t in 0..N {
        let team = env.live_named("team", &format!("Team {t}"));
        assert_eq!(
            (&team["description"], &team["rankQueuesForTeam"]),
            (&json!("from a"), &json!(true))
        );
    }
}

#[test]
fn an_audio_file_description_change_is_a_patch_of_that_field_alone() {
    let env = Env::new();
    env.write("cfg/audio.yaml", "audio-file:\n  - {name: hello.wav, contentType: AUDIO_WAV, description: Hi, audioFile: hello.wav}\n");
    std::fs::write(env.path().join("cfg/hello.wav"), b"RIFF....WAVEfmt hello").expect("wav");
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    env.write("cfg/audio.yaml", "audio-file:\n  - {name: hello.wav, contentType: AUDIO_WAV, description: Bye, audioFile: hello.wav}\n");
    env.admin("POST", "/reset", None);
    env.wxcc(&["apply", "cfg", "--auto-approve"]).expect(0);
    let writes: Vec<Value> = env
        .client_requests()
        .into_iter()
        .filter(|r| r["method"] != "GET")
        .collect();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0]["method"], "PATCH");
    assert_eq!(writes[0]["body"], json!({"description": "Bye"}));
    assert_eq!(
        env.live_named("audio-file", "hello.wav")["description"],
        "Bye"
    );
    env.wxcc(&["plan", "cfg", "--detailed-exitcode"]).expect(0);
}

/// An update the API carried out but answered with a 500: wxcc reads the object again, sees
/// the version moved by exactly one with its fields in place, and counts it done (kills
/// `apply/write.rs`: the expected version `v + 1` made `v * 1`, which reports the
/// landed update as someone else's change).
#[test]
fn an_update_answered_with_an_error_after_it_landed_counts_as_done() {
    let env = Env::new();
    let id = acme_with_an_edit(&env);
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "PUT", "pathContains": format!("/site/{id}"), "status": 500, "afterApplying": true})),
    );
    env.admin("POST", "/reset", None);
    let run = env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    contains_all(
        &run.stdout,
        &[
            "the API answered with an error (",
            "but the update is in place",
            "Apply complete: 0 created, 1 updated",
        ],
    );
    assert_eq!(
        puts_to(&env, &id),
        1,
        "one PUT: the landed update is not sent again"
    );
    let dublin = env.live_named("site", "Dublin");
    assert_eq!(dublin["description"], "EMEA support and sales hub");
    assert_eq!(dublin["version"], 1);
}

/// An update answered with a 500 before it landed: wxcc reads the object again, sees the
/// version unchanged, and sends the update again; the note says which attempt landed (kills
/// `apply/write.rs`: `attempt == UPDATE_ATTEMPTS` made `!=`, which gives up after the first
/// attempt that did not land).
#[test]
fn an_update_answered_with_an_error_before_it_landed_is_sent_again() {
    let env = Env::new();
    let id = acme_with_an_edit(&env);
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "PUT", "pathContains": format!("/site/{id}"), "status": 500})),
    );
    env.admin("POST", "/reset", None);
    let run = env.wxcc(&["apply", "acme", "--auto-approve"]).expect(0);
    contains_all(
        &run.stdout,
        &[
            "note: updated on attempt 2: earlier attempts failed without updating it (",
            "Apply complete: 0 created, 1 updated",
        ],
    );
    assert_eq!(
        puts_to(&env, &id),
        2,
        "sent again once the re-read showed it had not landed"
    );
    let dublin = env.live_named("site", "Dublin");
    assert_eq!(dublin["description"], "EMEA support and sales hub");
    assert_eq!(dublin["version"], 1);
}

#[test]
fn a_fault_can_be_kept_to_the_tool_s_requests_by_tracking_id() {
    let env = Env::new();
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "GET", "status": 503, "trackingIdPrefix": "wxcc_"})),
    );
    // The test's own read (tracking id `test_…`) passes, and leaves the fault armed.
    let (status, _) = env.api("GET", &env.org_path("v2/site"), None);
    assert_eq!(status, 200);
    env.write(
        "c.yaml",
        "site:\n  - {name: Lab, active: true, multimediaProfileId: Default Multimedia Profile}\n",
    );
    env.wxcc(&["plan", "c.yaml"]).expect(0);
    let statuses: Vec<u64> = env
        .client_requests()
        .iter()
        .filter_map(|r| r["status"].as_u64())
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 503).count(),
        1,
        "wxcc's first read met the fault, and its retry did not: {statuses:?}"
    );
}

/// A create the API refuses with a 400 is not in doubt: it is sent once and reported as
/// failed with the API's answer, and the rerun creates it (kills `apply/write.rs`: the
/// `is_ambiguous` guard of `create` made true, which looks the object up and sends the
/// create again).
#[test]
fn a_create_the_api_refuses_is_sent_once_and_reported() {
    let env = Env::new();
    env.write(
        "cfg/c.yaml",
        "site:\n  - {name: Austin, active: true, multimediaProfileId: Default Multimedia Profile}\n",
    );
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "pathContains": "/site", "status": 400, "times": 1})),
    );
    let args = ["apply", "cfg", "--auto-approve", "--bulk-chunk", "0"];
    let run = env.wxcc(&args).expect(1);
    contains_all(
        &run.stdout,
        &[
            "✗ failed to create site \"Austin\": POST /organization/",
            "→ 400 Bad Request",
            "Apply finished with failures: 0 done (0 created, 0 updated, 0 deleted), 1 failed, 0 skipped, 0 not attempted.",
        ],
    );
    let posts = |env: &Env| {
        env.client_requests()
            .into_iter()
            .filter(|r| {
                r["method"] == "POST" && r["path"].as_str().is_some_and(|p| p.ends_with("/site"))
            })
            .count()
    };
    assert_eq!(posts(&env), 1, "a refused create is not sent again");
    assert!(env.live("site").iter().all(|s| s["name"] != "Austin"));
    env.wxcc(&args).expect(0);
    assert_eq!(posts(&env), 2);
    assert_eq!(env.live_named("site", "Austin")["active"], true);
}
