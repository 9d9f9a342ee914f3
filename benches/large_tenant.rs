//! Benchmark: the release binary against the emulator on a large tenant. It generates a
//! config of about two thousand objects across the main kinds, then measures, for apply
//! (everything created), plan with no changes, plan + apply of a 100-object edit, and
//! an export of the whole tenant with a plan of it:
//! wall time, API requests, and the wxcc process's peak memory.
//!
//! Then, in a fresh emulator that answers every request 50 ms late, 5,000 sites created
//! two ways: `wxcc apply` (bulk writes, chunks of the default size) and the lab's way, one
//! `POST site` per row in sequence; requests and wall time side by side.
//!
//! Run: `cargo bench --bench large_tenant` (add `-- --persist` to keep the emulator's state
//! in a file, as `--emulator` does; set `WXCC_BENCH_SITES` for fewer sites). On a loaded
//! machine, `cargo test --bench large_tenant` runs it from a debug build instead. Numbers
//! measured on the project machine are in docs/performance.md.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;
use wxcc::emulator::Emulator;

const SITES: usize = 20;
const TEAMS_PER_SITE: usize = 50;
const SKILLS: usize = 200;
const ENUM_SKILLS: usize = 20;
const PROFILES: usize = 100;
const QUEUES: usize = 300;
const ENTRY_POINTS: usize = 100;
const DIAL_NUMBERS: usize = 100;

fn main() {
    let persist = std::env::args().any(|a| a == "--persist");
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("tenant");
    std::fs::create_dir_all(&config).expect("mkdir");
    let objects = write_config(&config);

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
    for i in 0..DIAL_NUMBERS {
        numbers.push(format!("+1555{:07}", 1_000_000 + i));
    }
    admin(
        reqwest::Method::POST,
        "/orgs/default/numbers",
        Some(serde_json::json!({"numbers": numbers})),
    );

    println!(
        "large tenant: {objects} objects ({} mode)",
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
        let before = children_peak_kib();
        let output = Command::new(env!("CARGO_BIN_EXE_wxcc"))
            .args(args)
            .current_dir(dir.path())
            .env("WXCC_BASE_URL", &url)
            .env("WXCC_ACCESS_TOKEN", &token)
            .env("NO_COLOR", "1")
            .output()
            .expect("run wxcc");
        let elapsed = started.elapsed();
        let code = output.status.code().unwrap_or(-1);
        if code != expect {
            eprintln!(
                "{}\n{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            panic!("{label}: exit {code}, expected {expect}");
        }
        let peak = children_peak_kib();
        let counters = admin(reqwest::Method::GET, "/counters", None);
        println!(
            "{label:<34} {:>9.2} {:>9} {:>10}",
            secs(elapsed),
            counters["total"].as_u64().unwrap_or(0),
            if peak > before {
                format!("{:.1}", peak as f64 / 1024.0)
            } else {
                "≤ prev".into()
            }
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
    run("apply (all created)", &apply, 0);
    run("plan (no changes)", &plan, 0);
    let teams = config.join("teams.yaml");
    let text = std::fs::read_to_string(&teams).expect("read");
    let mut edited = String::new();
    for (i, line) in text.lines().enumerate() {
        if line.contains("description: team") && i % (text.lines().count() / 100).max(1) == 0 {
            let _ = writeln!(edited, "{}", line.replace('}', " edited}"));
        } else {
            let _ = writeln!(edited, "{line}");
        }
    }
    std::fs::write(&teams, edited).expect("write");
    run("plan (100 teams edited)", &plan, 2);
    run("apply (100 teams edited)", &apply, 0);
    run("plan (no changes again)", &plan, 0);
    // Export (issue 9): every kind to a folder, then a plan of that folder.
    let export = with(&["export", "--out", "exported", "--inline-layouts"]);
    run("export (every kind)", &export, 0);
    let replan = with(&["plan", "exported", "--detailed-exitcode"]);
    run("plan of the export (no changes)", &replan, 0);
    runtime.block_on(emulator.stop());
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
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// The largest resident set of any child waited for so far, in KiB (Linux `ru_maxrss`).
fn children_peak_kib() -> i64 {
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: getrusage writes into the struct we own; RUSAGE_CHILDREN is always valid.
    if unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) } == 0 {
        usage.ru_maxrss
    } else {
        0
    }
}

/// Writes the tenant's YAML files and returns how many objects they declare.
fn write_config(dir: &Path) -> usize {
    let mut count = 0;
    let mut profiles = String::from(
        "multimedia-profile:\n  - {name: Voice, active: true, blendingModeEnabled: false, blendingMode: EXCLUSIVE, telephony: 1, chat: 0, email: 0, social: 0, manuallyAssignable: {telephony: 1, chat: 0, email: 0, social: 0}}\nsite:\n",
    );
    count += 1;
    for s in 0..SITES {
        let _ = writeln!(
            profiles,
            "  - {{name: Site {s}, active: true, multimediaProfileId: Voice, description: site {s}}}"
        );
        count += 1;
    }
    std::fs::write(dir.join("profiles.yaml"), profiles).expect("write");

    let mut skills = String::from("skill:\n");
    for k in 0..SKILLS {
        if k < ENUM_SKILLS {
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
    for p in 0..PROFILES {
        let _ = writeln!(
            skills,
            "  - {{name: Profile {p}, activeSkills: [{{skillId: Skill {}, proficiencyValue: 5}}, {{skillId: Skill {}, proficiencyValue: 7}}], activeEnumSkills: [{{enumSkillValueId: Enum {}/B}}]}}",
            ENUM_SKILLS + p % (SKILLS - ENUM_SKILLS),
            ENUM_SKILLS + (p * 7 + 1) % (SKILLS - ENUM_SKILLS),
            p % ENUM_SKILLS
        );
        count += 1;
    }
    std::fs::write(dir.join("skills.yaml"), skills).expect("write");

    let mut teams = String::from("team:\n");
    for s in 0..SITES {
        for t in 0..TEAMS_PER_SITE {
            let _ = writeln!(
                teams,
                "  - {{name: Team {s}-{t}, siteId: Site {s}, skillProfileId: Profile {}, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false,\n     description: team {s}-{t}}}",
                (s * TEAMS_PER_SITE + t) % PROFILES
            );
            count += 1;
        }
    }
    std::fs::write(dir.join("teams.yaml"), teams).expect("write");

    let mut queues = String::from("contact-service-queue:\n");
    for q in 0..QUEUES {
        let (a, b) = (q % SITES, (q / SITES) % TEAMS_PER_SITE);
        let _ = writeln!(
            queues,
            "  - {{name: Queue {q}, queueType: INBOUND, channelType: CHAT, queueRoutingType: TEAM_BASED, routingType: LONGEST_AVAILABLE_AGENT, serviceLevelThreshold: 30, maxActiveContacts: 0, maxTimeInQueue: 3600, active: true,\n     callDistributionGroups: [{{order: 1, duration: 0, agentGroups: [{{teamId: Team {a}-{b}}}, {{teamId: Team {a}-{}}}]}}],\n     queueSkillRequirements: [{{skillId: Skill {}, condition: GTE, skillValue: \"5\"}}]}}",
            (b + 1) % TEAMS_PER_SITE,
            ENUM_SKILLS + q % (SKILLS - ENUM_SKILLS)
        );
        count += 1;
    }
    queues.push_str("entry-point:\n");
    for e in 0..ENTRY_POINTS {
        let _ = writeln!(
            queues,
            "  - {{name: Entry {e}, entryPointType: INBOUND, channelType: TELEPHONY, serviceLevelThreshold: 30, maximumActiveContacts: 50, active: true}}"
        );
        count += 1;
    }
    queues.push_str("dial-number:\n");
    for n in 0..DIAL_NUMBERS {
        let _ = writeln!(
            queues,
            "  - {{dialledNumber: \"+1555{:07}\", entryPointId: Entry {}, location: Lab, regionId: US}}",
            1_000_000 + n,
            n % ENTRY_POINTS
        );
        count += 1;
    }
    std::fs::write(dir.join("queues.yaml"), queues).expect("write");
    count
}
