//! The agent desktop through the real binary against the emulator: `wxcc agent events`,
//! `login`, `state`, `reload`, `logout` with their failure reasons, a dropped connection and
//! the re-subscribe, keepalive expiry, a displaced connection, a supervisor acting on
//! another agent, a missing scope, bad input that sends nothing, and `wxcc smoke` on a good
//! and on a broken configuration.

use std::io::{BufRead, BufReader, Read};
use std::process::Child;
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Env, Run, contains_all};

const ADMIN: &str = "admin@example.com";
const ANA: &str = "ana.lopez@example.com";

/// A token for this user with the agent scope (and config reads, to resolve names).
fn agent_token(env: &Env, email: &str) -> String {
    let t = env.admin("POST", "/desktop/tokens", Some(json!({"email": email})));
    t["access_token"].as_str().expect("token").to_string()
}

/// Runs `wxcc ARGS` as the agent with this token.
fn as_agent(env: &Env, token: &str, args: &[&str]) -> Run {
    env.wxcc_with(
        args,
        &[("WXCC_BASE_URL", &env.url), ("WXCC_ACCESS_TOKEN", token)],
    )
}

/// `wxcc agent login --team TEAM --dial-number NUMBER` as the agent.
fn login(env: &Env, token: &str, team: &str, number: &str) -> Run {
    as_agent(
        env,
        token,
        &["agent", "login", "--team", team, "--dial-number", number],
    )
}

/// The emulator's desktop view: settings, sessions, connections.
fn desktop(env: &Env) -> Value {
    env.admin("GET", "/desktop", None)
}

fn user_id(env: &Env, email: &str) -> String {
    env.live("user")
        .into_iter()
        .find(|u| u["email"] == email)
        .and_then(|u| u["id"].as_str().map(str::to_string))
        .expect("user")
}

fn session(env: &Env, email: &str) -> Value {
    desktop(env)["sessions"][&env.org][user_id(env, email)].clone()
}

/// Desktop requests the binary sent, as `METHOD path`.
fn desktop_calls(env: &Env) -> Vec<String> {
    env.client_requests()
        .iter()
        .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with("/v1/")))
        .map(|r| {
            format!(
                "{} {}",
                r["method"].as_str().unwrap_or(""),
                r["path"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// A running `wxcc agent events`: its stdout lines arrive on a channel.
struct Watcher {
    child: Child,
    lines: Receiver<String>,
}

impl Watcher {
    fn start(env: &Env, token: &str, extra: &[&str]) -> Watcher {
        let mut args = vec!["agent", "events"];
        args.extend_from_slice(extra);
        let mut child = env.spawn(
            &args,
            &[("WXCC_BASE_URL", &env.url), ("WXCC_ACCESS_TOKEN", token)],
        );
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Watcher { child, lines }
    }

    /// The next printed event; panics if none arrives within a generous bound.
    fn next(&mut self) -> Value {
        let line = self
            .lines
            .recv_timeout(Duration::from_secs(60))
            .unwrap_or_else(|_| panic!("no event printed; stderr: {}", self.stderr_now()));
        serde_json::from_str(&line).unwrap_or_else(|_| panic!("not JSON: {line}"))
    }

    fn stderr_now(&mut self) -> String {
        let _ = self.child.kill();
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        err
    }

    /// Waits for the process to end by itself; its exit code and stderr.
    fn finish(mut self) -> (i32, String) {
        let mut err = String::new();
        if let Some(mut e) = self.child.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        let status = self.child.wait().expect("wait");
        (status.code().unwrap_or(-1), err)
    }
}

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn login_state_reload_logout_round_trip() {
    let env = Env::new();
    let token = agent_token(&env, ADMIN);
    let login = login(&env, &token, "Team-1", "+13125550100").expect(0);
    contains_all(
        &login.stdout,
        &["Logged in", "dial number +13125550100", "state Idle"],
    );
    let s = session(&env, ADMIN);
    assert_eq!(s["dialNumber"], "+13125550100");
    assert_eq!(s["deviceType"], "AGENT_DN");
    assert_eq!(s["subStatus"], "Idle");

    as_agent(&env, &token, &["agent", "state", "available"]).expect(0);
    assert_eq!(session(&env, ADMIN)["subStatus"], "Available");

    let idle = as_agent(
        &env,
        &token,
        &[
            "agent", "state", "idle", "--code", "RONA", "--reason", "Lunch",
        ],
    )
    .expect(0);
    contains_all(&idle.stdout, &["State changed: Idle"]);
    let s = session(&env, ADMIN);
    assert_eq!(s["subStatus"], "Idle");
    assert_eq!(
        s["auxCodeId"],
        env.live_named("auxiliary-code", "RONA")["id"]
    );
    assert_eq!(s["lastStateChangeReason"], "Lunch");

    let reload = as_agent(&env, &token, &["agent", "reload"]).expect(0);
    contains_all(&reload.stdout, &["Logged in", "+13125550100", "state Idle"]);

    as_agent(&env, &token, &["agent", "logout"]).expect(0);
    assert!(session(&env, ADMIN).is_null(), "logged out");

    // Each command subscribed first, then made its call (the spec's methods).
    let calls = desktop_calls(&env);
    assert_eq!(
        calls,
        [
            "POST /v1/notification/subscribe",
            "POST /v1/agents/login",
            "POST /v1/notification/subscribe",
            "PUT /v1/agents/session/state",
            "POST /v1/notification/subscribe",
            "PUT /v1/agents/session/state",
            "POST /v1/notification/subscribe",
            "POST /v1/agents/reload",
            "POST /v1/notification/subscribe",
            "PUT /v1/agents/logout",
        ]
    );
}

#[test]
fn login_failures_name_and_explain_the_reason() {
    let env = Env::new();
    let admin = agent_token(&env, ADMIN);
    let ana = agent_token(&env, ANA);
    login(&env, &admin, "Team-1", "5550100").expect(0);

    let taken = login(&env, &ana, "Team-1", "5550100").expect(1);
    contains_all(
        &taken.stderr,
        &[
            "login failed: DUPLICATE_LOCATION",
            "already logged in elsewhere",
        ],
    );

    let short = login(&env, &ana, "Team-1", "12").expect(1);
    contains_all(
        &short.stderr,
        &["INVALID_DIAL_NUMBER", "cannot use that dial number"],
    );

    let again = login(&env, &admin, "Team-1", "5550101").expect(1);
    contains_all(&again.stderr, &["AGENT_ALREADY_LOGGED_IN"]);
    assert!(
        session(&env, ANA).is_null(),
        "no failed login left a session"
    );
    assert_eq!(session(&env, ADMIN)["dialNumber"], "5550100");

    // A team of another site than the agent's.
    env.write(
        "remote.yaml",
        "site:\n  - {name: Remote, active: true, multimediaProfileId: Default Multimedia Profile}\nteam:\n  - {name: Remote Team, siteId: Remote, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false}\n",
    );
    env.wxcc(&["apply", "remote.yaml", "--auto-approve"])
        .expect(0);
    let remote = login(&env, &ana, "Remote Team", "5550102").expect(1);
    contains_all(&remote.stderr, &["AGENT_NOT_IN_TEAM_SITE", "another site"]);
}

#[test]
fn calls_without_a_session_fail_with_agent_not_found() {
    let env = Env::new();
    let token = agent_token(&env, ADMIN);
    for args in [
        &["agent", "state", "available"][..],
        &["agent", "reload"][..],
        &["agent", "logout", "--reason", "end of shift"][..],
    ] {
        let run = as_agent(&env, &token, args).expect(1);
        contains_all(&run.stderr, &["failed: AGENT_NOT_FOUND", "log in first"]);
    }
}

#[test]
fn a_supervisor_changes_and_ends_another_agents_session() {
    let env = Env::new();
    let ana = agent_token(&env, ANA);
    let admin = agent_token(&env, ADMIN);
    login(&env, &ana, "Team-1", "5550110").expect(0);
    as_agent(
        &env,
        &admin,
        &["agent", "state", "available", "--agent", ANA],
    )
    .expect(0);
    assert_eq!(session(&env, ANA)["subStatus"], "Available");
    assert!(
        session(&env, ADMIN).is_null(),
        "the supervisor has no session of their own"
    );
    as_agent(&env, &admin, &["agent", "logout", "--agent", ANA]).expect(0);
    assert!(session(&env, ANA).is_null());
    let unknown = as_agent(
        &env,
        &admin,
        &["agent", "logout", "--agent", "nobody@example.com"],
    )
    .expect(1);
    contains_all(&unknown.stderr, &["no user named `nobody@example.com`"]);
}

#[test]
fn a_token_without_the_agent_scope_is_told_how_to_sign_in() {
    let env = Env::new();
    // The harness's token has the config scopes only.
    let run = env.wxcc(&["agent", "reload"]).expect(1);
    contains_all(
        &run.stderr,
        &["403", "cjp:user", "wxcc login --profile agent1 --scopes"],
    );
}

#[test]
fn bad_arguments_send_nothing() {
    let env = Env::new();
    let token = agent_token(&env, ADMIN);
    let cases: &[(&[&str], &str)] = &[
        (
            &[
                "agent",
                "login",
                "--team",
                "Team-1",
                "--dial-number",
                "555-0100",
            ],
            "dial number `555-0100` is not one the API accepts",
        ),
        (
            &[
                "agent",
                "login",
                "--team",
                "Team-1",
                "--dial-number",
                "+1001",
                "--extension",
            ],
            "an extension is digits only",
        ),
        (
            &["agent", "login", "--team", "Team-1"],
            "--dial-number is required",
        ),
        (
            &[
                "agent",
                "login",
                "--team",
                "Team-1",
                "--device",
                "browser",
                "--extension",
            ],
            "contradict",
        ),
        (&["agent", "state", "idle"], "going idle needs an idle code"),
        (
            &["agent", "state", "available", "--code", "RONA"],
            "available takes no idle code",
        ),
    ];
    for (args, message) in cases {
        let run = as_agent(&env, &token, args).expect(1);
        contains_all(&run.stderr, &[message]);
    }
    assert!(
        env.client_requests().is_empty(),
        "offline checks sent nothing"
    );

    // Names are resolved like config references; a wrong one never reaches the desktop.
    let team = login(&env, &token, "Team-2", "5550100").expect(1);
    contains_all(
        &team.stderr,
        &["no team named `Team-2`", "did you mean `Team-1`?"],
    );
    let code = as_agent(
        &env,
        &token,
        &["agent", "state", "idle", "--code", "Meting"],
    )
    .expect(1);
    contains_all(
        &code.stderr,
        &["no idle code named `Meting`", "did you mean `Meeting`?"],
    );
    let wrap = as_agent(&env, &token, &["agent", "state", "idle", "--code", "Sale"]).expect(1);
    contains_all(&wrap.stderr, &["a wrap-up code, not an idle code"]);
    assert!(desktop_calls(&env).is_empty(), "no desktop call was made");
}

#[test]
fn events_prints_json_lines_with_remote_state_changes() {
    let env = Env::new();
    let token = agent_token(&env, ANA);
    login(&env, &token, "Team-1", "5550120").expect(0);
    let mut watcher = Watcher::start(&env, &token, &["--count", "2"]);
    let welcome = watcher.next();
    assert_eq!(welcome["type"], "Welcome");
    assert_eq!(welcome["data"]["agentId"], user_id(&env, ANA).as_str());
    let meeting = env.live_named("auxiliary-code", "Meeting")["id"].clone();
    env.admin(
        "POST",
        "/desktop/state",
        Some(json!({"email": ANA, "state": "Idle", "auxCodeId": meeting, "reason": "Coaching"})),
    );
    let change = watcher.next();
    assert_eq!(change["type"], "AgentStateChange");
    assert_eq!(change["data"]["type"], "AgentStateChangeSuccess");
    assert_eq!(change["data"]["changedBy"], "supervisor");
    assert_eq!(change["data"]["auxCodeId"], meeting);
    let (code, _) = watcher.finish();
    assert_eq!(code, 0, "--count 2 ends the watch");
}

#[test]
fn events_type_filter_shows_only_matching_events() {
    let env = Env::new();
    let token = agent_token(&env, ANA);
    login(&env, &token, "Team-1", "5550121").expect(0);
    let mut watcher = Watcher::start(
        &env,
        &token,
        &[
            "--type",
            "Welcome",
            "--type",
            "AgentStateChangeSuccess",
            "--count",
            "2",
        ],
    );
    assert_eq!(watcher.next()["type"], "Welcome");
    // A reload's event reaches every socket of the agent, the watcher's too: filtered out.
    as_agent(&env, &token, &["agent", "reload"]).expect(0);
    env.admin(
        "POST",
        "/desktop/state",
        Some(json!({"email": ANA, "state": "Available"})),
    );
    let only = watcher.next();
    assert_eq!(only["data"]["type"], "AgentStateChangeSuccess", "{only}");
    assert_eq!(watcher.finish().0, 0);
}

#[test]
fn a_dropped_connection_is_resubscribed() {
    let env = Env::new();
    let token = agent_token(&env, ADMIN);
    let mut watcher = Watcher::start(&env, &token, &["--type", "Welcome", "--count", "2"]);
    assert_eq!(watcher.next()["type"], "Welcome");
    let dropped = env.admin("POST", "/desktop/drop", Some(json!({})));
    assert_eq!(dropped["dropped"], 1);
    assert_eq!(
        watcher.next()["type"],
        "Welcome",
        "a new Welcome after reconnecting"
    );
    let (code, stderr) = watcher.finish();
    assert_eq!(code, 0, "{stderr}");
    contains_all(
        &stderr,
        &[
            "notification connection dropped",
            "re-subscribing",
            "restored",
        ],
    );
    let subscribes = desktop_calls(&env)
        .iter()
        .filter(|c| c.ends_with("/subscribe"))
        .count();
    assert_eq!(subscribes, 2, "one subscribe per connection");
}

#[test]
fn silence_past_the_keepalive_limit_drops_the_socket() {
    let env = Env::new();
    let token = agent_token(&env, ADMIN);
    // The client keeps alive every 4 s; a 300 ms limit drops it before its second keepalive.
    env.admin(
        "PUT",
        "/desktop/settings",
        Some(json!({"silenceLimitMs": 300})),
    );
    let mut watcher = Watcher::start(&env, &token, &["--type", "Welcome", "--count", "2"]);
    assert_eq!(watcher.next()["type"], "Welcome");
    assert_eq!(watcher.next()["type"], "Welcome");
    let (code, stderr) = watcher.finish();
    assert_eq!(code, 0, "{stderr}");
    contains_all(&stderr, &["notification connection dropped"]);
}

#[test]
fn a_connection_dropped_mid_call_or_a_lost_event_is_an_error_not_a_hang() {
    let env = Env::new();
    let token = agent_token(&env, ADMIN);
    env.admin(
        "PUT",
        "/desktop/settings",
        Some(json!({"outcomes": "drop"})),
    );
    let dropped = as_agent(&env, &token, &["agent", "reload"]).expect(1);
    contains_all(
        &dropped.stderr,
        &[
            "dropped",
            "while waiting for the outcome of reload",
            "wxcc agent reload",
        ],
    );
    env.admin(
        "PUT",
        "/desktop/settings",
        Some(json!({"outcomes": "withhold"})),
    );
    let lost = as_agent(&env, &token, &["agent", "reload", "--timeout", "1"]).expect(1);
    contains_all(&lost.stderr, &["no outcome of reload arrived within 1 s"]);
}

#[test]
fn a_displacing_login_ends_the_watch() {
    let env = Env::new();
    let token = agent_token(&env, ADMIN);
    let mut watcher = Watcher::start(&env, &token, &[]);
    assert_eq!(watcher.next()["type"], "Welcome");
    // Another sign-in of the same user and client type, without multi-login, forced.
    let (status, _) = env.api_with_token(
        "POST",
        "/v1/notification/subscribe",
        Some(json!({"clientType": "WxccCli", "allowMultiLogin": false, "force": true})),
        Some(&token),
    );
    assert_eq!(status, 200);
    assert_eq!(watcher.next()["type"], "AGENT_MULTI_LOGIN");
    let (code, stderr) = watcher.finish();
    assert_eq!(code, 1);
    contains_all(
        &stderr,
        &["replaced this notification connection (AGENT_MULTI_LOGIN)"],
    );
}

#[test]
fn desktop_calls_need_a_socket_and_logout_takes_put_and_post() {
    let env = Env::new();
    let token = agent_token(&env, ADMIN);
    for method in ["PUT", "POST"] {
        let (status, body) = env.api_with_token(
            method,
            "/v1/agents/logout",
            Some(json!({"logoutReason": "x"})),
            Some(&token),
        );
        assert_eq!(status, 400, "{method}: {body}");
        contains_all(&body.to_string(), &["No notification subscription"]);
    }
    let (status, _) = env.api_with_token("GET", "/v1/agents/logout", None, Some(&token));
    assert_eq!(status, 405);
}

#[test]
fn smoke_passes_on_the_applied_example_with_the_emulator() {
    let env = Env::new();
    env.copy_example("contact-center");
    env.wxcc_bare(&["apply", "contact-center", "--emulator", "--auto-approve"])
        .expect(0);
    let smoke = env
        .wxcc_bare(&["smoke", "contact-center", "--emulator"])
        .expect(0);
    contains_all(
        &smoke.stdout,
        &[
            "Smoke test of team \"Tech Support Tier 1\"",
            "ok      connect",
            "ok      login",
            "ok      available",
            "ok      idle",
            "ok      logout",
            "passed",
        ],
    );
}

#[test]
fn smoke_fails_on_a_broken_configuration_naming_the_step() {
    let env = Env::new();
    let token = agent_token(&env, ADMIN);
    // The team is in a site the agent is not in: login must fail, as on a real tenant.
    env.write(
        "broken/org.yaml",
        "site:\n  - {name: Remote, active: true, multimediaProfileId: Default Multimedia Profile}\nteam:\n  - name: Remote Team\n    siteId: Remote\n    teamType: AGENT\n    teamStatus: IN_SERVICE\n    active: true\n    rankQueuesForTeam: false\n    x-wxcc: {smoke: {dialNumber: \"+13125550130\", idleCode: RONA}}\n",
    );
    env.wxcc(&["apply", "broken", "--auto-approve"]).expect(0);
    let smoke = as_agent(&env, &token, &["smoke", "broken"]).expect(1);
    contains_all(&smoke.stdout, &["ok      connect", "FAILED  login"]);
    contains_all(
        &smoke.stderr,
        &["failed at step `login`", "AGENT_NOT_IN_TEAM_SITE"],
    );
    assert!(session(&env, ADMIN).is_null());

    // The same team in the agent's site passes; an idle code the org lacks fails to resolve.
    let good = as_agent(
        &env,
        &token,
        &[
            "smoke",
            "broken",
            "--team",
            "Team-1",
            "--dial-number",
            "5550131",
            "--idle-code",
            "RONA",
        ],
    )
    .expect(0);
    contains_all(&good.stdout, &["ok      logout", "passed"]);
    let missing = as_agent(
        &env,
        &token,
        &[
            "smoke",
            "broken",
            "--team",
            "Team-1",
            "--dial-number",
            "5550131",
            "--idle-code",
            "Lunch",
        ],
    )
    .expect(1);
    contains_all(
        &missing.stderr,
        &["failed at step `resolve`", "no idle code named `Lunch`"],
    );
    assert!(
        session(&env, ADMIN).is_null(),
        "the smoke test leaves no session"
    );
}

#[test]
fn smoke_settings_are_checked_offline() {
    let env = Env::new();
    env.write(
        "bad.yaml",
        "team:\n  - name: T\n    siteId: Site-1\n    teamType: AGENT\n    teamStatus: IN_SERVICE\n    active: true\n    rankQueuesForTeam: false\n    x-wxcc: {smoke: {dialNumber: \"5550100\", idelCode: RONA}}\n",
    );
    let run = env.wxcc(&["smoke", "bad.yaml"]).expect(1);
    contains_all(
        &run.stderr,
        &[
            "unknown smoke setting `idelCode`",
            "did you mean `idleCode`?",
            "bad.yaml:8",
        ],
    );
    assert_eq!(env.total_requests(), 0);
    env.write(
        "none.yaml",
        "site:\n  - {name: S, active: true, multimediaProfileId: Default Multimedia Profile}\n",
    );
    let none = env.wxcc(&["smoke", "none.yaml"]).expect(1);
    contains_all(&none.stderr, &["no team in none.yaml has smoke settings"]);
}

/// An empty dial number or idle code is no setting: refused at its place before the tenant
/// is asked anything (an agent cannot log in to an empty number).
#[test]
fn an_empty_smoke_setting_is_refused_offline() {
    let env = Env::new();
    for (name, smoke, line) in [
        (
            "dial.yaml",
            "{dialNumber: \"\", idleCode: RONA}",
            "dial.yaml:8:34",
        ),
        (
            "idle.yaml",
            "{dialNumber: \"5550100\", idleCode: \"\"}",
            "idle.yaml:8:55",
        ),
    ] {
        env.write(
            name,
            &format!("team:\n  - name: T\n    siteId: Site-1\n    teamType: AGENT\n    teamStatus: IN_SERVICE\n    active: true\n    rankQueuesForTeam: false\n    x-wxcc: {{smoke: {smoke}}}\n"),
        );
        let run = env.wxcc(&["smoke", name]).expect(1);
        let field = if name == "dial.yaml" {
            "`dialNumber`"
        } else {
            "`idleCode`"
        };
        contains_all(&run.stderr, &[field, line, "smoke is {dialNumber:"]);
    }
    assert_eq!(env.total_requests(), 0);
}
