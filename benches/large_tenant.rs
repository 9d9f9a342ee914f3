//! Benchmark: the release binary against the emulator on a large tenant. It generates a
//! config across the main kinds, then measures, for each step (validate, apply with
//! everything created, plan with no changes, plan + apply of edits, an export of the whole
//! tenant with a plan of it): wall time, API requests, and the wxcc process's peak memory.
//! Then it times `wxcc validate` of 25,000 to 200,000 skills (does doubling the input
//! double the time?), an in-process plan (match and diff) of 100,000 objects, and, in a fresh
//! emulator that answers every request 50 ms late, 5,000 sites created two ways: `wxcc
//! apply` (bulk writes, chunks of the default size) and the lab's way, one `POST site` per
//! row in sequence; requests and wall time side by side.
//!
//! Run: `cargo bench --bench large_tenant` for the 1,821-object tenant; add
//! `-- --persist` to keep the emulator's state in a file, as `--emulator` does, and
//! `-- --large` for the 27,001-object tenant (20,000 agents) with 50 ms injected on every
//! response (issue 12); `-- --in-process` for only the validate and in-process steps
//! (`-- --diff` for only the in-process plan). Set `WXCC_BENCH_SITES` for fewer sites, and
//! `WXCC_BENCH_KEEP=1` to keep the folder (config, export, state) for profiling a step by
//! hand. On a loaded machine, `cargo test --bench large_tenant` runs it from a debug build
//! instead. Numbers measured on the project machine are in docs/performance.md.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use wxcc::emulator::Emulator;
use wxcc::model::{Live, LiveObject};
use wxcc::plan::PlanOptions;

/// The tenant's shape: how many of each kind.
struct Shape {
    sites: usize,
    teams_per_site: usize,
    skills: usize,
    enum_skills: usize,
    profiles: usize,
    queues: usize,
    entry_points: usize,
    dial_numbers: usize,
    /// Agents: created live first (as Control Hub would), then assigned a site, a team
    /// and profiles by the config.
    users: usize,
    /// Teams whose description the edit step changes.
    edits: usize,
    /// Milliseconds the emulator waits before every configuration response.
    delay_ms: u64,
}

/// The benchmark tenant of docs/performance.md: 1,821 objects.
const SMALL: Shape = Shape {
    sites: 20,
    teams_per_site: 50,
    skills: 200,
    enum_skills: 20,
    profiles: 100,
    queues: 300,
    entry_points: 100,
    dial_numbers: 100,
    users: 0,
    edits: 100,
    delay_ms: 0,
};

/// Issue 12's tenant: 27,001 objects, 20,000 of them agents. Users are created live
/// before the run (wxcc only updates users, docs/api-notes.md §3.24), so "apply of
/// everything" creates the rest and assigns every agent.
const LARGE: Shape = Shape {
    sites: 500,
    teams_per_site: 4,
    skills: 1_000,
    enum_skills: 100,
    profiles: 1_000,
    queues: 1_000,
    entry_points: 1_000,
    dial_numbers: 500,
    users: 20_000,
    edits: 1_000,
    delay_ms: 50,
};

fn main() {
    if std::env::args().any(|a| a == "--diff") {
        diff_in_process(100_000);
        return;
    }
    if std::env::args().any(|a| a == "--in-process") {
        validate_scaling();
        diff_in_process(100_000);
        return;
    }
    let persist = std::env::args().any(|a| a == "--persist");
    let shape = if std::env::args().any(|a| a == "--large") {
        &LARGE
    } else {
        &SMALL
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("tenant");
    std::fs::create_dir_all(&config).expect("mkdir");
    let objects = write_config(&config, shape);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let state = persist.then(|| dir.path().join("state.json"));
    let emulator = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        Emulator::start(listener, state).await.expect("emulator")
    });
    let url = emulator.url();
    let http = reqwest::Client::new();
    let admin = |method: reqwest::Method, path: &str, body: Option<Value>| -> Value {
        runtime.block_on(async {
            let mut req = http.request(method, format!("{url}/_emulator{path}"));
            if let Some(b) = body {
                req = req.json(&b);
            }
            req.send()
                .await
                .expect("admin")
                .json::<Value>()
                .await
                .unwrap_or(Value::Null)
        })
    };
    let token = admin(
        reqwest::Method::POST,
        "/tokens",
        Some(serde_json::json!({})),
    )["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    let mut numbers = Vec::new();
    for i in 0..shape.dial_numbers {
        numbers.push(format!("+1555{:07}", 1_000_000 + i));
    }
    admin(
        reqwest::Method::POST,
        "/orgs/default/numbers",
        Some(serde_json::json!({"numbers": numbers})),
    );

    let agents: Vec<Value> = (0..shape.users)
        .map(|u| serde_json::json!({"email": format!("agent{u}@example.com")}))
        .collect();
    if !agents.is_empty() {
        admin(
            reqwest::Method::POST,
            "/orgs/default/users",
            Some(Value::Array(agents)),
        );
    }
    admin(
        reqwest::Method::PUT,
        "/settings",
        Some(serde_json::json!({"responseDelayMs": shape.delay_ms})),
    );
    println!(
        "large tenant: {objects} objects, {} ms per response ({} mode)",
        shape.delay_ms,
        if persist {
            "persisted state"
        } else {
            "in-memory state"
        }
    );
    println!(
        "{:<34} {:>9} {:>9} {:>10}",
        "step", "seconds", "requests", "peak MiB"
    );
    let run = |label: &str, args: &[String], expect: i32| {
        admin(reqwest::Method::POST, "/reset", None);
        let started = Instant::now();
        let done = run_to_end(
            Command::new(env!("CARGO_BIN_EXE_wxcc"))
                .args(args)
                .current_dir(dir.path())
                .env("WXCC_BASE_URL", &url)
                .env("WXCC_ACCESS_TOKEN", &token)
                .env("NO_COLOR", "1"),
        );
        let elapsed = started.elapsed();
        if done.code != expect {
            eprintln!(
                "{}\n{}",
                String::from_utf8_lossy(&done.stdout),
                String::from_utf8_lossy(&done.stderr)
            );
            panic!("{label}: exit {}, expected {expect}", done.code);
        }
        let counters = admin(reqwest::Method::GET, "/counters", None);
        println!(
            "{label:<34} {:>9.2} {:>9} {:>10.1}",
            secs(elapsed),
            counters["total"].as_u64().unwrap_or(0),
            done.peak_kib as f64 / 1024.0
        );
    };
    // The emulator sets no rate limit here; the client's own limiter is lifted so the
    // numbers show wxcc's work, not the 300-per-minute budget (see docs/performance.md).
    let fast = ["--rate-limit", "1000000", "--parallelism", "8"];
    let with = |cmd: &[&str]| -> Vec<String> {
        cmd.iter()
            .chain(fast.iter())
            .map(|s| s.to_string())
            .collect()
    };
    let apply = with(&["apply", "tenant", "--auto-approve"]);
    let plan = with(&["plan", "tenant", "--detailed-exitcode"]);
    run("validate", &with(&["validate", "tenant"])[..2], 0);
    run("apply (all created)", &apply, 0);
    run("plan (no changes)", &plan, 0);
    let teams = config.join("teams.yaml");
    let text = std::fs::read_to_string(&teams).expect("read");
    let mut edited = String::new();
    for (i, line) in text.lines().enumerate() {
        if line.contains("description: team")
            && (i / 2) % (text.lines().count() / 2 / shape.edits).max(1) == 0
        {
            let _ = writeln!(edited, "{}", line.replace('}', " edited}"));
        } else {
            let _ = writeln!(edited, "{line}");
        }
    }
    std::fs::write(&teams, edited).expect("write");
    let edited = format!("({} teams edited)", shape.edits);
    run(&format!("plan {edited}"), &plan, 2);
    run(&format!("apply {edited}"), &apply, 0);
    run("plan (no changes again)", &plan, 0);
    // Export (issue 9): every kind to a folder, then a plan of that folder.
    let export = with(&["export", "--out", "exported", "--inline-layouts"]);
    run("export (every kind)", &export, 0);
    let replan = with(&["plan", "exported", "--detailed-exitcode"]);
    run("plan of the export (no changes)", &replan, 0);
    runtime.block_on(emulator.stop());
    if std::env::var_os("WXCC_BENCH_KEEP").is_some() {
        // For profiling one step by hand: the config, the export and (with --persist) the
        // emulator's state, to serve with `wxcc emulator serve --state`.
        println!("kept {}", dir.keep().display());
        return;
    }
    sites_bulk_vs_one_by_one(&runtime, dir.path());
}

/// 5,000 sites (or `WXCC_BENCH_SITES`) into a fresh emulator org answering 50 ms late:
/// `wxcc apply` against one POST per row in sequence (the lab's Postman run).
fn sites_bulk_vs_one_by_one(runtime: &tokio::runtime::Runtime, dir: &Path) {
    let rows: usize = std::env::var("WXCC_BENCH_SITES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000);
    let mut yaml = String::from(
        "multimedia-profile:\n  - {name: Voice, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}}\nsite:\n",
    );
    for s in 0..rows {
        let _ = writeln!(
            yaml,
            "  - {{name: Site {s}, active: true, multimediaProfileId: Voice}}"
        );
    }
    std::fs::write(dir.join("sites.yaml"), yaml).expect("write");
    let http = reqwest::Client::new();
    let start = |delay: u64| {
        runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let emulator = Emulator::start(listener, None).await.expect("emulator");
            let url = emulator.url();
            let call = |method: reqwest::Method, path: String, body: Option<Value>| {
                let mut req = http.request(method, format!("{url}{path}"));
                if let Some(b) = body {
                    req = req.json(&b);
                }
                req
            };
            call(
                reqwest::Method::PUT,
                "/_emulator/settings".into(),
                Some(serde_json::json!({"responseDelayMs": delay, "bulkMaxItems": 1000})),
            )
            .send()
            .await
            .expect("settings");
            let token: Value = call(
                reqwest::Method::POST,
                "/_emulator/tokens".into(),
                Some(serde_json::json!({})),
            )
            .send()
            .await
            .expect("token")
            .json()
            .await
            .expect("token json");
            let token = token["access_token"].as_str().expect("token").to_string();
            (emulator, url, token)
        })
    };
    let counters = |url: &str| -> Value {
        runtime.block_on(async {
            http.get(format!("{url}/_emulator/counters"))
                .send()
                .await
                .expect("counters")
                .json()
                .await
                .expect("json")
        })
    };
    println!("\n{rows} sites, 50 ms response delay, fresh org each:");
    println!(
        "{:<34} {:>9} {:>9} {:>9}",
        "way", "seconds", "requests", "writes"
    );

    let (emulator, url, token) = start(50);
    let started = Instant::now();
    let output = Command::new(env!("CARGO_BIN_EXE_wxcc"))
        .args([
            "apply",
            "sites.yaml",
            "--auto-approve",
            "--rate-limit",
            "1000000",
        ])
        .current_dir(dir)
        .env("WXCC_BASE_URL", &url)
        .env("WXCC_ACCESS_TOKEN", &token)
        .env("NO_COLOR", "1")
        .output()
        .expect("run wxcc");
    let bulk = started.elapsed();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let c = counters(&url);
    println!(
        "{:<34} {:>9.2} {:>9} {:>9}",
        "wxcc apply (bulk)",
        secs(bulk),
        c["total"],
        c["writes"]
    );
    runtime.block_on(emulator.stop());

    let (emulator, url, token) = start(50);
    let org = emulator.default_org();
    let started = Instant::now();
    runtime.block_on(async {
        let profile: Value = http
            .post(format!("{url}/organization/{org}/multimedia-profile"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"name": "Voice", "active": true, "blendingModeEnabled": false, "blendingMode": "EXCLUSIVE", "telephony": 1, "chat": 0, "email": 0, "social": 0, "manuallyAssignable": {"telephony": 1, "chat": 0, "email": 0, "social": 0}}))
            .send()
            .await
            .expect("profile")
            .json()
            .await
            .expect("json");
        for s in 0..rows {
            let r = http
                .post(format!("{url}/organization/{org}/site"))
                .bearer_auth(&token)
                .json(&serde_json::json!({"name": format!("Site {s}"), "active": true, "multimediaProfileId": profile["id"]}))
                .send()
                .await
                .expect("site");
            assert!(r.status().is_success(), "site {s}: {}", r.status());
        }
    });
    let lab = started.elapsed();
    let c = counters(&url);
    println!(
        "{:<34} {:>9.2} {:>9} {:>9}",
        "one POST per row, in sequence",
        secs(lab),
        c["total"],
        c["writes"]
    );
    println!(
        "bulk is {:.0}x faster",
        secs(lab) / secs(bulk).max(f64::EPSILON)
    );
    runtime.block_on(emulator.stop());
    validate_scaling();
    diff_in_process(100_000);
}

/// `skills.yaml` declaring `count` proficiency skills, one flow-style line each.
fn skills_yaml(count: usize) -> String {
    let mut text = String::from("skill:\n");
    for k in 0..count {
        let _ = writeln!(
            text,
            "  - {{name: Skill {k}, skillType: PROFICIENCY, serviceLevelThreshold: 30, active: true, description: skill {k}}}"
        );
    }
    text
}

/// `wxcc validate` (the whole process: read, parse, load, check) of 25,000 to 200,000
/// skills, so that a doubling of the input shows as a doubling of the time.
fn validate_scaling() {
    println!(
        "{:<34} {:>9} {:>10}",
        "wxcc validate of N skills", "seconds", "peak MiB"
    );
    for count in [25_000, 50_000, 100_000, 200_000] {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("skills.yaml");
        std::fs::write(&file, skills_yaml(count)).expect("write");
        let started = Instant::now();
        let done = run_to_end(
            Command::new(env!("CARGO_BIN_EXE_wxcc"))
                .arg("validate")
                .arg(&file)
                .env("NO_COLOR", "1"),
        );
        let elapsed = started.elapsed();
        assert_eq!(done.code, 0, "validate of {count} skills failed");
        println!(
            "{:<34} {:>9.2} {:>10.1}",
            format!("{count} skills"),
            secs(elapsed),
            done.peak_kib as f64 / 1024.0
        );
    }
}

/// Plans 100,000 declared skills against 100,000 live ones (1 % changed) in this process:
/// the matching and diffing alone, without I/O.
fn diff_in_process(count: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("skills.yaml");
    std::fs::write(&file, skills_yaml(count)).expect("write");
    let started = Instant::now();
    let loaded = wxcc::config::load(&file).expect("load");
    let loading = started.elapsed();
    let kind = wxcc::catalogue::Kind::named("skill").expect("skill kind");
    let mut live = Live::default();
    let objects = (0..count)
        .filter_map(|k| {
            let body = serde_json::json!({
                "id": format!("{k:08x}-0000-4000-8000-000000000000"),
                "name": format!("Skill {k}"),
                "skillType": "PROFICIENCY",
                "serviceLevelThreshold": 30,
                "active": true,
                "description": if k % 100 == 0 { format!("old {k}") } else { format!("skill {k}") },
                "version": 1,
            });
            LiveObject::from_body(kind, body.as_object()?.clone())
        })
        .collect();
    live.insert_kind(kind.name, objects);
    let started = Instant::now();
    let (plan, diagnostics) = wxcc::plan::build(&loaded.desired, &live, &PlanOptions::default());
    let planning = started.elapsed();
    println!(
        "in-process, {count} skills: load {:.2} s, plan {:.2} s ({} changes, {} diagnostics)",
        secs(loading),
        secs(planning),
        plan.changes.len(),
        diagnostics.len()
    );
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// A finished child process: exit code, output, and its own peak resident set.
struct Finished {
    code: i32,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// The process's largest resident set in KiB: its `VmHWM`, read every 5 ms while it
    /// runs. (`ru_maxrss` will not do: a child starts from its parent's high-water mark, and
    /// this benchmark's process holds the emulator's whole tenant.)
    peak_kib: u64,
}

/// Runs `command` to its end, watching its peak memory.
fn run_to_end(command: &mut Command) -> Finished {
    use std::io::Read as _;
    let mut child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run wxcc");
    let status_file = format!("/proc/{}/status", child.id());
    let watcher = std::thread::spawn(move || {
        let mut peak = 0;
        while let Some(hwm) = std::fs::read_to_string(&status_file).ok().and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        }) {
            peak = peak.max(hwm);
            std::thread::sleep(Duration::from_millis(5));
        }
        peak
    });
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let reader = std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = out.read_to_end(&mut bytes);
        bytes
    });
    let mut stderr = Vec::new();
    let _ = err.read_to_end(&mut stderr);
    let stdout = reader.join().expect("stdout reader");
    let status = child.wait().expect("wait");
    Finished {
        code: status.code().unwrap_or(-1),
        stdout,
        stderr,
        peak_kib: watcher.join().expect("memory watcher"),
    }
}

/// Writes the tenant's YAML files and returns how many objects they declare.
fn write_config(dir: &Path, shape: &Shape) -> usize {
    let mut count = 0;
    let mut profiles = String::from(
        "multimedia-profile:\n  - {name: Voice, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}}\nsite:\n",
    );
    count += 1;
    for s in 0..shape.sites {
        let _ = writeln!(
            profiles,
            "  - {{name: Site {s}, active: true, multimediaProfileId: Voice, description: site {s}}}"
        );
        count += 1;
    }
    std::fs::write(dir.join("profiles.yaml"), profiles).expect("write");

    let mut skills = String::from("skill:\n");
    for k in 0..shape.skills {
        if k < shape.enum_skills {
            let _ = writeln!(
                skills,
                "  - {{name: Enum {k}, skillType: ENUM, serviceLevelThreshold: 30, active: true, enumSkillValues: [{{name: A}}, {{name: B}}, {{name: C}}, {{name: D}}, {{name: E}}]}}"
            );
        } else {
            let _ = writeln!(
                skills,
                "  - {{name: Skill {k}, skillType: PROFICIENCY, serviceLevelThreshold: 30, active: true}}"
            );
        }
        count += 1;
    }
    skills.push_str("skill-profile:\n");
    for p in 0..shape.profiles {
        let _ = writeln!(
            skills,
            "  - {{name: Profile {p}, activeSkills: [{{skillId: Skill {}, proficiencyValue: 5}}, {{skillId: Skill {}, proficiencyValue: 7}}], activeEnumSkills: [{{enumSkillValueId: Enum {}/B}}]}}",
            shape.enum_skills + p % (shape.skills - shape.enum_skills),
            shape.enum_skills + (p * 7 + 1) % (shape.skills - shape.enum_skills),
            p % shape.enum_skills
        );
        count += 1;
    }
    std::fs::write(dir.join("skills.yaml"), skills).expect("write");

    let mut teams = String::from("team:\n");
    for s in 0..shape.sites {
        for t in 0..shape.teams_per_site {
            let _ = writeln!(
                teams,
                "  - {{name: Team {s}-{t}, siteId: Site {s}, skillProfileId: Profile {}, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false,\n     description: team {s}-{t}}}",
                (s * shape.teams_per_site + t) % shape.profiles
            );
            count += 1;
        }
    }
    std::fs::write(dir.join("teams.yaml"), teams).expect("write");

    let mut queues = String::from("contact-service-queue:\n");
    for q in 0..shape.queues {
        let (a, b) = (q % shape.sites, (q / shape.sites) % shape.teams_per_site);
        let _ = writeln!(
            queues,
            "  - {{name: Queue {q}, queueType: INBOUND, channelType: CHAT, queueRoutingType: TEAM_BASED, routingType: LONGEST_AVAILABLE_AGENT, serviceLevelThreshold: 30, maxActiveContacts: 0, maxTimeInQueue: 3600, active: true,\n     callDistributionGroups: [{{order: 1, duration: 0, agentGroups: [{{teamId: Team {a}-{b}}}, {{teamId: Team {a}-{}}}]}}],\n     queueSkillRequirements: [{{skillId: Skill {}, condition: GTE, skillValue: \"5\"}}]}}",
            (b + 1) % shape.teams_per_site,
            shape.enum_skills + q % (shape.skills - shape.enum_skills)
        );
        count += 1;
    }
    queues.push_str("entry-point:\n");
    for e in 0..shape.entry_points {
        let _ = writeln!(
            queues,
            "  - {{name: Entry {e}, entryPointType: INBOUND, channelType: TELEPHONY, serviceLevelThreshold: 30, maximumActiveContacts: 50, active: true}}"
        );
        count += 1;
    }
    queues.push_str("dial-number:\n");
    for n in 0..shape.dial_numbers {
        let _ = writeln!(
            queues,
            "  - {{dialledNumber: \"+1555{:07}\", entryPointId: Entry {}, location: Lab, regionId: US}}",
            1_000_000 + n,
            n % shape.entry_points
        );
        count += 1;
    }
    std::fs::write(dir.join("queues.yaml"), queues).expect("write");

    if shape.users > 0 {
        let mut users = String::from("user:\n");
        for u in 0..shape.users {
            let team = u % (shape.sites * shape.teams_per_site);
            let (s, t) = (team / shape.teams_per_site, team % shape.teams_per_site);
            let _ = writeln!(
                users,
                "  - {{email: agent{u}@example.com, siteId: Site {s}, teamIds: [Team {s}-{t}], skillProfileId: Profile {}, multimediaProfileId: Voice}}",
                u % shape.profiles
            );
            count += 1;
        }
        std::fs::write(dir.join("users.yaml"), users).expect("write");
    }
    count
}
