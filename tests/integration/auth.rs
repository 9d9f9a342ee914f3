//! Signing in and staying signed in, through the real binary against the emulator's OAuth
//! endpoints: `wxcc login` with the browser step played by the test (it follows the
//! authorize redirect to the binary's loopback listener, or pastes the redirected URL),
//! state and PKCE checks, the private token file, renewal ahead of expiry and after a 401,
//! expired refresh tokens, secrets kept out of every output, profiles for two orgs, CI
//! refresh tokens, service apps, and workers that all wait out a `Retry-After`.

use std::io::{BufRead, BufReader, Read, Write};
use std::process::Child;

use base64::Engine;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::harness::{Env, Run, contains_all};

/// An integration registered in the emulator.
pub(crate) struct Integration {
    id: String,
    secret: String,
}

fn integration(env: &Env, org: Option<&str>, redirect: &str) -> Integration {
    let mut body = json!({ "redirectUris": [redirect] });
    if let Some(o) = org {
        body["org"] = json!(o);
    }
    let made = env.admin("POST", "/clients", Some(body));
    Integration {
        id: made["clientId"].as_str().expect("client id").to_string(),
        secret: made["clientSecret"].as_str().expect("secret").to_string(),
    }
}

/// A loopback port for a `wxcc login` listener. The port must be known before the binary
/// binds it (it is part of the registered redirect URI), so it cannot come from binding port
/// 0 and closing, which leaves it in the ephemeral range where any other test's outgoing
/// connection may take it in between. Ports here come from below that range (Linux hands out
/// 32768-60999), spread by process id and a counter so concurrent tests (each its own process
/// under nextest, threads under `cargo test`) pick different ones, and each is checked free.
fn free_port() -> u16 {
    use std::sync::atomic::{AtomicU16, Ordering};
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 20_000 + (std::process::id() % 1_000) as u16 * 10;
    for _ in 0..1_000 {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed) % 10_000;
        let port = 20_000 + (base - 20_000 + offset) % 10_000;
        if std::net::TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
    panic!("no free loopback port between 20000 and 29999")
}

/// A `wxcc login` waiting for the browser: the URL it printed, and its output so far.
struct PendingLogin {
    child: Child,
    url: String,
    seen: String,
    rest: std::thread::JoinHandle<String>,
}

fn start_login(env: &Env, integration: &Integration, args: &[&str]) -> PendingLogin {
    let mut all = vec![
        "login",
        "--base-url",
        &env.url,
        "--auth-url",
        &env.url,
        "--timeout",
        "60",
    ];
    all.extend_from_slice(args);
    let mut child = env.spawn(
        &all,
        &[
            ("WXCC_CLIENT_ID", &integration.id),
            ("WXCC_CLIENT_SECRET", &integration.secret),
        ],
    );
    let mut reader = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    let url = loop {
        let mut line = String::new();
        let n = reader.read_line(&mut line).expect("read stderr");
        assert!(
            n > 0,
            "wxcc login ended before printing the sign-in URL:\n{seen}"
        );
        seen.push_str(&line);
        if let Some(u) = line
            .split_whitespace()
            .find(|w| w.contains("/v1/authorize?"))
        {
            break u.to_string();
        }
    };
    let rest = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = reader.read_to_string(&mut s);
        s
    });
    PendingLogin {
        child,
        url,
        seen,
        rest,
    }
}

impl PendingLogin {
    fn finish(self) -> Run {
        let output = self.child.wait_with_output().expect("wait for wxcc");
        let rest = self.rest.join().expect("stderr reader");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: format!("{}{rest}", self.seen),
        }
    }
}

/// Signs `profile` in through the browser step, played by the test; returns the run and
/// the URL the browser ended on (it carries the code).
fn login(env: &Env, integration: &Integration, port: u16, extra: &[&str]) -> (Run, String) {
    let port = port.to_string();
    let mut args = vec!["--port", port.as_str()];
    args.extend_from_slice(extra);
    let pending = start_login(env, integration, &args);
    let (status, landed) = env.browse(&pending.url);
    assert_eq!(status, 200, "the listener answered the browser");
    (pending.finish(), landed)
}

/// Registers an integration for `org` and signs `profile` in with it.
pub(crate) fn signed_in(env: &Env, org: Option<&str>, profile: &str) -> Integration {
    let port = free_port();
    let integration = integration(env, org, &format!("http://localhost:{port}/callback"));
    login(env, &integration, port, &["--profile", profile])
        .0
        .expect(0);
    integration
}

/// The URL with one query parameter replaced.
fn with_param(url: &str, key: &str, value: &str) -> String {
    let mut u = url::Url::parse(url).expect("url");
    let pairs: Vec<(String, String)> = u
        .query_pairs()
        .map(|(k, v)| {
            let v = if k == key {
                value.to_string()
            } else {
                v.into_owned()
            };
            (k.into_owned(), v)
        })
        .collect();
    u.query_pairs_mut().clear().extend_pairs(pairs);
    u.to_string()
}

fn profile_file(env: &Env, profile: &str) -> Value {
    let text = std::fs::read_to_string(env.config_dir().join(format!("profiles/{profile}.json")))
        .expect("profile file");
    serde_json::from_str(&text).expect("profile JSON")
}

fn counter(env: &Env, name: &str) -> u64 {
    env.counters()[name].as_u64().unwrap_or(0)
}

#[cfg(unix)]
fn mode(path: &std::path::Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

#[test]
fn login_through_the_browser_stores_a_private_profile_that_plan_uses() {
    let env = Env::new();
    env.copy_example("acme");
    let port = free_port();
    let integration = integration(&env, None, &format!("http://localhost:{port}/callback"));
    let (run, landed) = login(&env, &integration, port, &[]);
    let run = run.expect(0);
    assert!(
        landed.starts_with(&format!("http://localhost:{port}/callback?")),
        "the browser came back to the listener: {landed}"
    );
    assert!(
        run.stdout.starts_with(&format!(
            "Signed in: profile `default`, org {}, API {}.\nScopes: cjp:config_read cjp:config_write\n",
            env.org, env.url
        )),
        "{}",
        run.stdout
    );
    contains_all(&run.stderr, &["Open this URL in a browser"]);
    let path = env.config_dir().join("profiles/default.json");
    #[cfg(unix)]
    {
        assert_eq!(mode(&path), 0o600, "the token file is private");
        assert_eq!(mode(path.parent().expect("folder")), 0o700);
    }
    let stored = profile_file(&env, "default");
    assert_eq!(
        stored["orgId"],
        env.org.as_str(),
        "org from the token suffix"
    );
    assert_eq!(stored["region"], "us1");
    assert_eq!(
        stored["scopes"],
        json!(["cjp:config_read", "cjp:config_write"])
    );
    assert_eq!(counter(&env, "codeGrants"), 1);

    let whoami = env.wxcc_bare(&["whoami"]).expect(0);
    assert!(
        whoami
            .stdout
            .contains(&format!("org id         {}", env.org)),
        "{}",
        whoami.stdout
    );
    assert!(
        whoami
            .stdout
            .contains("scopes         cjp:config_read cjp:config_write")
    );
    assert!(whoami.stdout.contains("access token   expires "));
    assert!(whoami.stdout.contains("refresh token  expires "));

    // No --base-url, no token in the environment: the profile says where and who.
    let plan = env
        .wxcc_bare(&["plan", "acme", "--detailed-exitcode"])
        .expect(2);
    assert!(
        plan.stdout.ends_with(
            "Plan: 11 to create, 0 to update, 0 to delete.\nApply: ~3 requests, ~1 s at 300/min\n"
        ),
        "{}",
        plan.stdout
    );
    assert!(env.total_requests() > 0, "plan read the emulator");
}

#[test]
fn a_pasted_redirect_url_signs_in_without_a_listener() {
    let env = Env::new();
    // Registered redirect URI on a host this machine cannot listen for.
    let redirect = "https://wxcc.example.com/callback";
    let integration = integration(&env, None, redirect);
    let mut pending = start_login(&env, &integration, &["--redirect-uri", redirect]);
    assert!(
        pending.seen.contains("Open this URL in a browser"),
        "{}",
        pending.seen
    );
    let landed = env.redirect_of(&pending.url);
    assert!(landed.starts_with(redirect), "{landed}");
    let mut stdin = pending.child.stdin.take().expect("stdin");
    writeln!(stdin, "{landed}").expect("paste");
    drop(stdin);
    let run = pending.finish().expect(0);
    contains_all(&run.stderr, &["Paste that whole URL here"]);
    assert!(run.stdout.contains("Signed in: profile `default`"));
}

#[test]
fn a_wrong_state_is_refused() {
    let env = Env::new();
    let port = free_port();
    let integration = integration(&env, None, &format!("http://localhost:{port}/callback"));
    let pending = start_login(&env, &integration, &["--port", &port.to_string()]);
    // The answer that reaches the listener belongs to another sign-in.
    let forged = with_param(&pending.url, "state", "forged-state");
    let (status, _) = env.browse(&forged);
    assert_eq!(status, 400, "the browser is told the sign-in was refused");
    let run = pending.finish().expect(1);
    assert!(
        run.stderr.contains(
            "error: sign-in answer has the wrong `state`: it does not belong to this login (possible cross-site request); run `wxcc login` again"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(
        counter(&env, "codeGrants"),
        0,
        "the code was never exchanged"
    );
    assert!(!env.config_dir().join("profiles/default.json").exists());
}

#[test]
fn a_wrong_pkce_verifier_is_refused() {
    let env = Env::new();
    let port = free_port();
    let integration = integration(&env, None, &format!("http://localhost:{port}/callback"));
    let pending = start_login(&env, &integration, &["--port", &port.to_string()]);
    // The code is issued for another verifier's challenge, as for a code injected by an
    // attacker: the binary's own verifier does not match it.
    let other = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(Sha256::digest(b"a-verifier-this-login-does-not-have"));
    let (status, _) = env.browse(&with_param(&pending.url, "code_challenge", &other));
    assert_eq!(status, 200);
    let run = pending.finish().expect(1);
    assert!(
        run.stderr.contains(
            "error: Webex refused the sign-in code (400: PKCE verification failed: code_verifier does not match code_challenge); run `wxcc login` again"
        ),
        "{}",
        run.stderr
    );
    assert!(!env.config_dir().join("profiles/default.json").exists());
}

#[test]
fn a_long_apply_renews_the_token_before_it_expires() {
    let env = Env::new();
    env.copy_example("acme");
    // Tokens live 4 s and are renewed 2 s before they expire, so no token serves more than
    // 2 s. Every request takes at least 400 ms, so the apply's 14 requests, one at a time,
    // last at least 5.6 s: at least two renewals, however long sign-in and start-up took.
    env.admin(
        "PUT",
        "/settings",
        Some(json!({"accessTokenSeconds": 4, "responseDelayMs": 400})),
    );
    signed_in(&env, None, "default");
    let first_refresh = profile_file(&env, "default")["refreshToken"].clone();
    apply_acme_one_write_at_a_time(&env);
    let counters = env.counters();
    assert!(
        counters["refreshGrants"].as_u64().unwrap_or(0) >= 2,
        "renewed during the run: {counters}"
    );
    assert_eq!(
        counters["unauthorized"], 0,
        "no request went out with an expired token: {counters}"
    );
    let stored = profile_file(&env, "default");
    assert_ne!(
        stored["refreshToken"], first_refresh,
        "each new refresh token replaced the old one in the profile"
    );
    env.admin("PUT", "/settings", Some(json!({"responseDelayMs": 0})));
    env.wxcc_bare(&["plan", "acme", "--detailed-exitcode"])
        .expect(0);
}

/// Applies the acme example one single write at a time (in bulk its 11 creates are 3
/// requests, and the run too short for what these tests watch), expecting it to complete.
fn apply_acme_one_write_at_a_time(env: &Env) {
    let run = env
        .wxcc_bare(&[
            "apply",
            "acme",
            "--auto-approve",
            "--parallelism",
            "1",
            "--bulk-chunk",
            "0",
        ])
        .expect(0);
    contains_all(
        &run.stdout,
        &["Apply complete: 11 created, 0 updated, 0 deleted."],
    );
}

#[test]
fn a_token_revoked_mid_run_is_renewed_once_and_the_apply_completes() {
    let env = Env::new();
    env.copy_example("acme");
    signed_in(&env, None, "default");
    // An admin revokes the token while teams are being created.
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "pathContains": "/team", "revokeToken": true})),
    );
    apply_acme_one_write_at_a_time(&env);
    let counters = env.counters();
    assert_eq!(counters["unauthorized"], 1, "{counters}");
    assert_eq!(counters["refreshGrants"], 1, "renewed once: {counters}");
    env.wxcc_bare(&["plan", "acme", "--detailed-exitcode"])
        .expect(0);
}

#[test]
fn an_expired_or_revoked_refresh_token_says_to_run_wxcc_login() {
    let env = Env::new();
    env.write("c.yaml", "site: []\n");
    // Both tokens expire the moment they are issued.
    env.admin(
        "PUT",
        "/settings",
        Some(json!({"accessTokenSeconds": 0, "refreshTokenSeconds": 0})),
    );
    signed_in(&env, None, "work");
    let run = env
        .wxcc_bare(&["plan", "c.yaml", "--profile", "work"])
        .expect(1);
    assert!(
        run.stderr
            .starts_with("error: the refresh token of profile `work` expired on "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("; run `wxcc login --profile work` to sign in again\n"),
        "{}",
        run.stderr
    );

    // A refresh token that is still young but was revoked at Webex.
    env.admin(
        "PUT",
        "/settings",
        Some(json!({"refreshTokenSeconds": 5_183_999})),
    );
    signed_in(&env, None, "default");
    let refresh = profile_file(&env, "default")["refreshToken"]
        .as_str()
        .expect("refresh token")
        .to_string();
    env.admin("POST", "/revoke", Some(json!({"refreshToken": refresh})));
    let run = env.wxcc_bare(&["plan", "c.yaml"]).expect(1);
    assert_eq!(
        run.stderr,
        "error: Webex refused to renew the sign-in of profile `default`: the refresh token has expired or was revoked (400: The refresh token provided is revoked or invalid); run `wxcc login` to sign in again\n"
    );
    assert_eq!(env.total_requests(), 0, "nothing reached the API");
}

#[test]
fn no_token_or_secret_appears_in_any_output_at_the_most_verbose_level() {
    let env = Env::new();
    env.copy_example("acme");
    env.admin(
        "PUT",
        "/settings",
        Some(json!({"accessTokenSeconds": 3, "responseDelayMs": 100})),
    );
    let port = free_port();
    let integration = integration(&env, None, &format!("http://localhost:{port}/callback"));
    let mut outputs: Vec<Run> = Vec::new();
    let (run, landed) = login(&env, &integration, port, &["-vvv"]);
    outputs.push(run.expect(0));
    env.admin(
        "POST",
        "/faults",
        Some(json!({"method": "POST", "pathContains": "/team", "revokeToken": true})),
    );
    outputs.push(
        env.wxcc_bare(&["apply", "acme", "--auto-approve", "-vvv"])
            .expect(0),
    );
    outputs.push(env.wxcc_bare(&["whoami", "-vvv"]).expect(0));
    outputs.push(env.wxcc_bare(&["plan", "acme", "-vvv"]).expect(0));
    // A pipeline's refresh token, exchanged at start; the rotated one cannot be kept.
    let minted = env.admin("POST", "/tokens", Some(json!({"clientId": integration.id})));
    let ci_refresh = minted["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    let ci = env
        .wxcc_with(
            &["plan", "acme", "-vvv", "--base-url", &env.url],
            &[
                ("WXCC_AUTH_URL", &env.url),
                ("WXCC_CLIENT_ID", &integration.id),
                ("WXCC_CLIENT_SECRET", &integration.secret),
                ("WXCC_REFRESH_TOKEN", &ci_refresh),
            ],
        )
        .expect(0);
    outputs.push(ci);
    // The spent refresh token, refused.
    outputs.push(
        env.wxcc_with(
            &["plan", "acme", "-vvv", "--base-url", &env.url],
            &[
                ("WXCC_AUTH_URL", &env.url),
                ("WXCC_CLIENT_ID", &integration.id),
                ("WXCC_CLIENT_SECRET", &integration.secret),
                ("WXCC_REFRESH_TOKEN", &ci_refresh),
            ],
        )
        .expect(1),
    );
    outputs.push(env.wxcc_bare(&["logout", "-vvv"]).expect(0));

    let state: Value = serde_json::from_str(
        &std::fs::read_to_string(env.path().join("emulator-state.json")).expect("state"),
    )
    .expect("state JSON");
    let mut secrets: Vec<String> = vec![integration.secret.clone(), ci_refresh];
    for map in ["accessTokens", "refreshTokens"] {
        secrets.extend(state[map].as_object().expect("tokens").keys().cloned());
    }
    let code = url::Url::parse(&landed)
        .expect("url")
        .query_pairs()
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .expect("code");
    secrets.push(code);
    assert!(secrets.len() > 8, "tokens were issued: {}", secrets.len());
    let all: String = outputs
        .iter()
        .map(|r| format!("{}\n{}\n", r.stdout, r.stderr))
        .collect();
    assert!(
        all.contains("renewed the access token of profile `default`") && all.contains("api call"),
        "the most verbose level logged the run:\n{all}"
    );
    assert!(
        all.contains("set WXCC_REFRESH_TOKEN_FILE"),
        "the pipeline was warned:\n{all}"
    );
    for s in &secrets {
        // Tokens end in `_<cluster>_<orgId>`, which is not secret; the opaque part is.
        let opaque = s.split('_').next().unwrap_or(s);
        assert!(
            !all.contains(opaque),
            "a token or secret appeared in the output"
        );
    }
}

#[test]
fn two_profiles_against_two_orgs_do_not_see_each_others_objects() {
    let env = Env::new();
    env.copy_example("acme");
    let other = env.admin("POST", "/orgs", Some(json!({"name": "Migration target"})));
    let other_org = other["orgId"].as_str().expect("org").to_string();
    signed_in(&env, None, "source");
    signed_in(&env, Some(&other_org), "target");
    assert_eq!(profile_file(&env, "source")["orgId"], env.org.as_str());
    assert_eq!(profile_file(&env, "target")["orgId"], other_org.as_str());

    env.wxcc_bare(&["apply", "acme", "--auto-approve", "--profile", "source"])
        .expect(0);
    env.wxcc_bare(&["plan", "acme", "--detailed-exitcode", "--profile", "source"])
        .expect(0);
    let target = env
        .wxcc_with(
            &["plan", "acme", "--detailed-exitcode"],
            &[("WXCC_PROFILE", "target")],
        )
        .expect(2);
    assert!(
        target.stdout.contains("Plan: 11 to create"),
        "the target org has none of the source's objects: {}",
        target.stdout
    );
    let objects = env.admin("GET", &format!("/orgs/{other_org}"), None);
    let sites: Vec<&Value> = objects["site"]
        .as_object()
        .expect("sites")
        .values()
        .collect();
    assert_eq!(sites.len(), 1, "only the new tenant's default site");
    let who = env.wxcc_bare(&["whoami", "--profile", "target"]).expect(0);
    assert!(who.stdout.contains(&other_org), "{}", who.stdout);
}

#[test]
fn a_ci_refresh_token_is_exchanged_at_start_and_the_new_one_kept_in_its_file() {
    let env = Env::new();
    env.copy_example("acme");
    let integration = integration(&env, None, "http://localhost:8765/callback");
    let minted = env.admin("POST", "/tokens", Some(json!({"clientId": integration.id})));
    let first = minted["refresh_token"]
        .as_str()
        .expect("refresh")
        .to_string();
    let file = env.path().join("ci/refresh-token");
    let file_str = file.to_str().expect("path").to_string();
    let run = |seed: &str| {
        env.wxcc_with(
            &["plan", "acme"],
            &[
                ("WXCC_BASE_URL", &env.url),
                ("WXCC_AUTH_URL", &env.url),
                ("WXCC_CLIENT_ID", &integration.id),
                ("WXCC_CLIENT_SECRET", &integration.secret),
                ("WXCC_REFRESH_TOKEN", seed),
                ("WXCC_REFRESH_TOKEN_FILE", &file_str),
            ],
        )
    };
    // First run: the variable seeds; the file does not exist yet.
    run(&first).expect(0);
    let second = std::fs::read_to_string(&file).expect("the new refresh token was kept");
    assert_ne!(second.trim(), first, "Webex issued a new one");
    #[cfg(unix)]
    assert_eq!(mode(&file), 0o600);
    // Next run: the file wins over the (now spent) seed, and is rotated again.
    run(&first).expect(0);
    let third = std::fs::read_to_string(&file).expect("file");
    assert_ne!(third, second);
    assert_eq!(counter(&env, "refreshGrants"), 2);
    // Without the file, the spent seed is refused, with what to do.
    let spent = env
        .wxcc_with(
            &["plan", "acme"],
            &[
                ("WXCC_BASE_URL", &env.url),
                ("WXCC_AUTH_URL", &env.url),
                ("WXCC_CLIENT_ID", &integration.id),
                ("WXCC_CLIENT_SECRET", &integration.secret),
                ("WXCC_REFRESH_TOKEN", &first),
            ],
        )
        .expect(1);
    assert!(
        spent.stderr.starts_with(
            "error: Webex refused to renew the sign-in of the refresh token in WXCC_REFRESH_TOKEN: the refresh token has expired or was revoked"
        ),
        "{}",
        spent.stderr
    );
    contains_all(&spent.stderr, &["docs/auth.md"]);
}

#[test]
fn a_service_app_signs_in_for_an_org_that_authorized_it_and_renews() {
    let env = Env::new();
    env.copy_example("acme");
    let app = env.admin(
        "POST",
        "/clients",
        Some(json!({"clientId": "SVC1", "applicationId": "app-1"})),
    );
    let secret = app["clientSecret"].as_str().expect("secret").to_string();
    let authorizing = env.admin(
        "POST",
        "/tokens",
        Some(json!({"scopes": ["spark:applications_token"]})),
    );
    let authorizing = authorizing["access_token"]
        .as_str()
        .expect("token")
        .to_string();
    // The first tokens expire at once, so the plan must renew through the refresh grant.
    env.admin("PUT", "/settings", Some(json!({"accessTokenSeconds": 0})));
    let login = |org: &str, token: &str| {
        env.wxcc_with(
            &[
                "login",
                "--profile",
                "robot",
                "--service-app",
                "app-1",
                "--org",
                org,
                "--base-url",
                &env.url,
                "--auth-url",
                &env.url,
            ],
            &[
                ("WXCC_CLIENT_ID", "SVC1"),
                ("WXCC_CLIENT_SECRET", &secret),
                ("WXCC_ACCESS_TOKEN", token),
            ],
        )
    };
    let other = env.admin("POST", "/orgs", Some(json!({})));
    let refused = login(other["orgId"].as_str().expect("org"), &authorizing).expect(1);
    assert!(
        refused.stderr.contains(
            "Webex refused the service app's token request (403: The service app is not authorized by a full administrator of the target org)"
        ),
        "{}",
        refused.stderr
    );
    let ok = login(&env.org, &authorizing).expect(0);
    assert!(
        ok.stdout
            .contains(&format!("Signed in: profile `robot`, org {}", env.org)),
        "{}",
        ok.stdout
    );
    assert_eq!(counter(&env, "serviceAppTokens"), 1);
    env.admin(
        "PUT",
        "/settings",
        Some(json!({"accessTokenSeconds": 3600})),
    );
    let who = env.wxcc_bare(&["whoami", "--profile", "robot"]).expect(0);
    contains_all(&who.stdout, &["signed in as   service app app-1"]);
    env.wxcc_bare(&["plan", "acme", "--profile", "robot"])
        .expect(0);
    assert_eq!(
        counter(&env, "refreshGrants"),
        1,
        "renewed with the refresh grant"
    );
}

#[test]
fn logout_removes_the_tokens_and_whoami_then_says_to_sign_in() {
    let env = Env::new();
    signed_in(&env, None, "eu-partner");
    let out = env
        .wxcc_bare(&["logout", "--profile", "eu-partner"])
        .expect(0);
    assert!(
        out.stdout
            .starts_with("Signed out: removed the tokens of profile `eu-partner`"),
        "{}",
        out.stdout
    );
    assert!(!env.config_dir().join("profiles/eu-partner.json").exists());
    let who = env
        .wxcc_bare(&["whoami", "--profile", "eu-partner"])
        .expect(1);
    assert_eq!(
        who.stderr,
        "error: profile `eu-partner` is not signed in and no WXCC_ACCESS_TOKEN or CI refresh token is set; run `wxcc login --profile eu-partner`\n"
    );
    env.write("c.yaml", "site: []\n");
    let plan = env
        .wxcc_bare(&["plan", "c.yaml", "--profile", "eu-partner"])
        .expect(1);
    assert!(
        plan.stderr.starts_with(
            "error: no credentials: run `wxcc login --profile eu-partner` to sign in with Webex"
        ),
        "{}",
        plan.stderr
    );
}

/// Also the walking skeleton's rate-limit test: an apply that runs into 429s waits them
/// out (no request earlier than `Retry-After` allows) and converges.
#[test]
fn many_workers_hitting_429_all_wait_for_retry_after_and_the_run_converges() {
    let env = Env::new();
    env.copy_example("acme");
    env.admin(
        "PUT",
        "/settings",
        Some(json!({"rateLimit": {"requests": 6, "windowSeconds": 3}})),
    );
    let run = env
        .wxcc(&["apply", "acme", "--auto-approve", "--parallelism", "8"])
        .expect(0);
    contains_all(&run.stdout, &["Apply complete: 11 created"]);
    let counters = env.counters();
    assert!(
        counters["rateLimited"].as_u64().unwrap_or(0) > 0,
        "the emulator answered 429: {counters}"
    );
    assert_eq!(
        counters["earlyRetries"], 0,
        "no worker came back before Retry-After had elapsed: {counters}"
    );
    env.wxcc(&["plan", "acme", "--detailed-exitcode"]).expect(0);
}
