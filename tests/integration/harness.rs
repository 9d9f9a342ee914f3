//! The test builder: a temporary folder for config files, an emulator running in this
//! process on a loopback port, a token minted for its default org, and a runner for the
//! real `wxcc` binary pointed at it (or started with pipes, for sign-in tests that play the
//! browser). When an `Env` is dropped it checks every request the
//! binary sent against the official spec (path and method exist, body validates).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use serde_json::{Value, json};
use tempfile::TempDir;
use wxcc::emulator::Emulator;

/// The variables `wxcc` reads, which no test inherits from the machine it runs on.
pub const WXCC_VARS: &[&str] = &[
    "WXCC_BASE_URL",
    "WXCC_ACCESS_TOKEN",
    "WXCC_ORG_ID",
    "WXCC_REGION",
    "WXCC_PROFILE",
    "WXCC_CLIENT_ID",
    "WXCC_CLIENT_SECRET",
    "WXCC_REFRESH_TOKEN",
    "WXCC_REFRESH_TOKEN_FILE",
    "WXCC_AUTH_URL",
    "WXCC_LOG",
    "WXCC_CONFIG_DIR",
    "WXCC_RATE_LIMIT",
    "WXCC_PARALLELISM",
];

pub struct Env {
    pub dir: TempDir,
    runtime: tokio::runtime::Runtime,
    emulator: Option<Emulator>,
    pub url: String,
    pub token: String,
    pub org: String,
    http: reqwest::Client,
    /// Set when a test sends malformed requests on purpose through the binary.
    pub skip_conformance: bool,
}

/// What a run of the binary printed and how it ended.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }

    /// Panics with both streams unless the exit code is `code`.
    #[track_caller]
    pub fn expect(self, code: i32) -> Run {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

impl Env {
    pub fn new() -> Env {
        let dir = tempfile::tempdir().expect("temp dir");
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let state = dir.path().join("emulator-state.json");
        let emulator = runtime.block_on(async {
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind loopback");
            Emulator::start(listener, Some(state))
                .await
                .expect("emulator starts")
        });
        let url = emulator.url();
        let org = emulator.default_org();
        let http = reqwest::Client::new();
        let mut env = Env {
            dir,
            runtime,
            emulator: Some(emulator),
            url,
            token: String::new(),
            org,
            http,
            skip_conformance: false,
        };
        let minted = env.admin("POST", "/tokens", Some(json!({})));
        env.token = minted["access_token"].as_str().expect("token").to_string();
        env
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Writes a file under the temp folder (parents created).
    pub fn write(&self, rel: &str, contents: &str) -> &Env {
        let p = self.dir.path().join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, contents).expect("write");
        self
    }

    /// Copies an example folder of the repository into the temp folder.
    pub fn copy_example(&self, name: &str) -> PathBuf {
        let from = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name);
        let to = self.dir.path().join(name);
        copy_dir(&from, &to);
        to
    }

    /// Runs `wxcc` in the temp folder against the emulator, without a terminal.
    pub fn wxcc(&self, args: &[&str]) -> Run {
        let mut cmd = self.command(args);
        cmd.env("WXCC_BASE_URL", &self.url)
            .env("WXCC_ACCESS_TOKEN", &self.token);
        Run::from(cmd.output().expect("run wxcc"))
    }

    /// Runs `wxcc` like [`Env::wxcc`], with these variables set too.
    pub fn wxcc_env(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(args);
        cmd.env("WXCC_BASE_URL", &self.url)
            .env("WXCC_ACCESS_TOKEN", &self.token)
            .envs(vars.iter().copied());
        Run::from(cmd.output().expect("run wxcc"))
    }

    /// Runs `wxcc` with only the environment given (no emulator URL or token).
    pub fn wxcc_bare(&self, args: &[&str]) -> Run {
        Run::from(self.command(args).output().expect("run wxcc"))
    }

    /// Runs `wxcc` without the emulator URL or token, with these variables set.
    pub fn wxcc_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Run {
        let mut cmd = self.command(args);
        cmd.envs(vars.iter().copied());
        Run::from(cmd.output().expect("run wxcc"))
    }

    /// Starts `wxcc` (without the emulator URL or token, with these variables) with stdin,
    /// stdout and stderr piped, for tests that talk to it while it runs.
    pub fn spawn(&self, args: &[&str], vars: &[(&str, &str)]) -> Child {
        let mut cmd = self.command(args);
        cmd.envs(vars.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        cmd.spawn().expect("spawn wxcc")
    }

    /// Starts `wxcc emulator serve --port 0 ARGS` in the temp folder; the child (to kill)
    /// and the URL its first line announces.
    pub fn serve_emulator(&self, args: &[&str]) -> (Child, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_wxcc"))
            .args(["emulator", "serve", "--port", "0"])
            .args(args)
            .current_dir(self.dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn");
        let stdout = child.stdout.take().expect("stdout");
        let mut first = String::new();
        std::io::BufRead::read_line(&mut std::io::BufReader::new(stdout), &mut first)
            .expect("read");
        assert!(
            first.starts_with("wxcc emulator listening on http://127.0.0.1:"),
            "{first}"
        );
        let url = first.trim().rsplit(' ').next().expect("url").to_string();
        (child, url)
    }

    /// Where the binary keeps profiles (`WXCC_CONFIG_DIR`).
    pub fn config_dir(&self) -> PathBuf {
        self.dir.path().join(".config")
    }

    /// Plays the browser: GETs `url` following redirects; the status and final URL.
    pub fn browse(&self, url: &str) -> (u16, String) {
        self.runtime.block_on(async {
            let resp = reqwest::get(url).await.expect("browse");
            (resp.status().as_u16(), resp.url().to_string())
        })
    }

    /// GETs `url` without following a redirect; the `Location` it answers with.
    pub fn redirect_of(&self, url: &str) -> String {
        self.runtime.block_on(async {
            let client = reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .expect("client");
            let resp = client.get(url).send().await.expect("get");
            resp.headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .expect("a redirect")
                .to_string()
        })
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_wxcc"));
        cmd.args(args)
            .current_dir(self.dir.path())
            .env("NO_COLOR", "1")
            .stdin(Stdio::null());
        for var in WXCC_VARS {
            cmd.env_remove(var);
        }
        cmd.env("WXCC_CONFIG_DIR", self.dir.path().join(".config"))
            // No test may open a browser; tests play the browser themselves.
            .env("WXCC_NO_BROWSER", "1");
        cmd
    }

    /// Calls a `/_emulator/` control endpoint.
    pub fn admin(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let (status, value) = self.request(method, &format!("/_emulator{path}"), body, None);
        assert!(status < 300, "admin {method} {path} → {status}: {value}");
        value
    }

    /// Calls the emulated API directly with the test token (tracking ids start `test_`, so
    /// the conformance check skips them).
    pub fn api(&self, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let token = self.token.clone();
        self.request(method, path, body, Some(&token))
    }

    pub fn api_with_token(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        self.request(method, path, body, token)
    }

    /// Calls the emulated API with the test token and reports the answer as received: the
    /// status, the `Retry-After` header and the body text, or what broke (no answer, a
    /// body cut short).
    pub fn api_raw(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<(u16, Option<String>, String), String> {
        let req = self.builder(method, path, body, Some(&self.token));
        self.runtime.block_on(async {
            let resp = req.send().await.map_err(|e| format!("no answer: {e}"))?;
            let status = resp.status().as_u16();
            let retry_after = resp
                .headers()
                .get("retry-after")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            let text = resp
                .text()
                .await
                .map_err(|e| format!("body cut short: {e}"))?;
            Ok((status, retry_after, text))
        })
    }

    /// A request to the emulator with a `test_` tracking id.
    fn builder(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> reqwest::RequestBuilder {
        let url = format!("{}{path}", self.url);
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .http
            .request(method, url)
            .header("TrackingId", format!("test_{}", uuid::Uuid::new_v4()));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        req
    }

    fn request(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        token: Option<&str>,
    ) -> (u16, Value) {
        let req = self.builder(method, path, body, token);
        self.runtime.block_on(async {
            let resp = req.send().await.expect("request");
            let status = resp.status().as_u16();
            let text = resp.text().await.unwrap_or_default();
            (status, serde_json::from_str(&text).unwrap_or(Value::Null))
        })
    }

    /// `/organization/{org}/{rest}`.
    pub fn org_path(&self, rest: &str) -> String {
        format!("/organization/{}/{rest}", self.org)
    }

    pub fn counters(&self) -> Value {
        self.admin("GET", "/counters", None)
    }

    pub fn writes(&self) -> u64 {
        self.counters()["writes"].as_u64().unwrap_or(0)
    }

    pub fn total_requests(&self) -> u64 {
        self.counters()["total"].as_u64().unwrap_or(0)
    }

    /// Every stored object of a kind in the default org, by name.
    pub fn live(&self, kind: &str) -> Vec<Value> {
        let objects = self.admin("GET", &format!("/orgs/{}", self.org), None);
        objects
            .get(kind)
            .and_then(Value::as_object)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    pub fn live_named(&self, kind: &str, name: &str) -> Value {
        self.live(kind)
            .into_iter()
            .find(|o| o["name"] == name)
            .unwrap_or_else(|| panic!("no live {kind} named {name}"))
    }

    /// The live user with this email.
    pub fn live_user(&self, email: &str) -> Value {
        self.live("user")
            .into_iter()
            .find(|u| u["email"] == email)
            .unwrap_or_else(|| panic!("no live user {email}"))
    }

    /// Requests the binary sent (tracking ids starting `wxcc_`).
    pub fn client_requests(&self) -> Vec<Value> {
        let all = self.admin("GET", "/requests", None);
        all.as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|r| {
                r["trackingId"]
                    .as_str()
                    .is_some_and(|t| t.starts_with("wxcc_"))
            })
            .collect()
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        if !std::thread::panicking() && !self.skip_conformance {
            let problems = crate::conformance::check(&self.client_requests());
            if !problems.is_empty() {
                panic!(
                    "requests the client sent do not conform to the official spec:\n{}",
                    problems.join("\n")
                );
            }
        }
        if let Some(e) = self.emulator.take() {
            self.runtime.block_on(e.stop());
        }
    }
}

/// Mints an access token for the default org of an emulator served at `url` (one the
/// test started with `Env::serve_emulator`).
pub fn mint_token(url: &str) -> String {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let minted: Value = reqwest::Client::new()
            .post(format!("{url}/_emulator/tokens"))
            .json(&json!({}))
            .send()
            .await
            .expect("mint")
            .json()
            .await
            .expect("json");
        minted["access_token"].as_str().expect("token").to_string()
    })
}

/// Copies a folder tree.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read example") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Panics, showing the text, unless it contains every part.
#[track_caller]
/// A desktop layout named `Layout` whose `teamIds` name `teams` (YAML flow list items,
/// `Blue, Green`), as a config file's text.
pub fn layout_naming(teams: &str) -> String {
    format!(
        "desktop-layout:\n  - {{name: Layout, jsonFileName: l.json, jsonFileContent: '{{\"version\":\"0.0.6\"}}', global: false, status: true, defaultJsonModified: false, editedBy: wxcc, teamIds: [{teams}]}}\n"
    )
}

/// One AGENT team at site Austin, as a list item of a `team:` file, with `extra` fields
/// (`, key: value`) at its end.
pub fn austin_team(name: &str, extra: &str) -> String {
    format!(
        "  - {{name: {name}, siteId: Austin, teamType: AGENT, teamStatus: IN_SERVICE, active: true, rankQueuesForTeam: false{extra}}}\n"
    )
}

pub fn contains_all(text: &str, parts: &[&str]) {
    for p in parts {
        assert!(text.contains(p), "missing {p:?} in:\n{text}");
    }
}

/// Runs validate, plan and apply on `file` and checks all three fail the same way with no
/// request sent; returns validate's stderr.
pub fn refused(env: &Env, file: &str) -> String {
    let validate = env.wxcc(&["validate", file]).expect(1);
    let plan = env.wxcc(&["plan", file]).expect(1);
    let apply = env.wxcc(&["apply", file, "--auto-approve"]).expect(1);
    contains_all(&validate.stderr, &["the config is not valid"]);
    contains_all(&plan.stderr, &["nothing was sent to the tenant"]);
    contains_all(&apply.stderr, &["nothing was sent to the tenant"]);
    assert_eq!(env.total_requests(), 0, "bad input must not reach the API");
    validate.stderr
}

/// Runs `plan ARGS` and `apply ARGS --auto-approve` and checks both are refused (exit 1)
/// with every part in their stderr and that the emulator saw no write: a plan-time refusal
/// must stop apply before its first write. Returns plan's stderr.
pub fn refused_at_plan(env: &Env, args: &[&str], parts: &[&str]) -> String {
    let writes = env.writes();
    let plan: Vec<&str> = ["plan"].iter().chain(args).copied().collect();
    let planned = env.wxcc(&plan).expect(1);
    contains_all(&planned.stderr, parts);
    let apply: Vec<&str> = ["apply"]
        .iter()
        .chain(args)
        .chain(&["--auto-approve"])
        .copied()
        .collect();
    let applied = env.wxcc(&apply).expect(1);
    contains_all(&applied.stderr, parts);
    assert_eq!(env.writes(), writes, "a plan-time refusal writes nothing");
    planned.stderr
}
