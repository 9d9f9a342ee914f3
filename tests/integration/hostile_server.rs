//! A hostile or broken server, through the real binary. The emulator models the real API and
//! never serves hostile data, so these tests run a small HTTP server of their own on
//! loopback (raw HTTP/1.1 over tokio, so a test controls every byte: links, ids, redirects,
//! endless bodies) that serves the few routes a plan or an apply needs from a tenant the test
//! describes, and lets each test rewrite any answer. A second one plays "another host" and
//! records whether anything, above all the token, reached it.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use crate::harness::{Env, Run, contains_all};

const ORG: &str = "0c0ffee0-0000-4000-8000-00000000a001";
const MMP_ID: &str = "0c0ffee0-0000-4000-8000-00000000b001";
const SITE_ID: &str = "0c0ffee0-0000-4000-8000-00000000c001";

/// The token the binary is given; no byte of it may reach another host or any output.
fn token() -> String {
    format!("HoStIlEtEsTtOkEn0123456789abcdef_P0A1_{ORG}")
}

/// One request as the server saw it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    /// The request target exactly as sent (path and query, still encoded).
    target: String,
}

impl Seen {
    fn path(&self) -> &str {
        self.target.split('?').next().unwrap_or_default()
    }

    fn query(&self, name: &str) -> Option<String> {
        let (_, q) = self.target.split_once('?')?;
        url::form_urlencoded::parse(q.as_bytes())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.into_owned())
    }
}

/// An answer: status, extra headers, and a body sent `repeat` times (chunked, so no length
/// announces its size).
struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    repeat: usize,
}

impl Reply {
    fn json(status: u16, body: Value) -> Reply {
        Reply {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
            repeat: 1,
        }
    }
}

type Handler = Arc<dyn Fn(&Seen) -> Reply + Send + Sync>;

/// A loopback HTTP server answering with `handler` and recording every request.
struct Server {
    url: String,
    port: u16,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    fn start(runtime: &tokio::runtime::Runtime, handler: Handler) -> Server {
        let listener = runtime
            .block_on(TcpListener::bind("127.0.0.1:0"))
            .expect("bind loopback");
        let port = listener.local_addr().expect("address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        runtime.spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                tokio::spawn(serve(socket, handler.clone(), log.clone()));
            }
        });
        Server {
            url: format!("http://127.0.0.1:{port}"),
            port,
            seen,
        }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("log").clone()
    }
}

/// One connection: read a request, answer, close.
async fn serve(mut socket: tokio::net::TcpStream, handler: Handler, log: Arc<Mutex<Vec<Seen>>>) {
    let mut head = Vec::new();
    let mut byte = [0u8; 1];
    while !head.ends_with(b"\r\n\r\n") {
        match socket.read(&mut byte).await {
            Ok(1) => head.push(byte[0]),
            _ => return,
        }
    }
    let text = String::from_utf8_lossy(&head).into_owned();
    let mut lines = text.split("\r\n");
    let mut request_line = lines.next().unwrap_or_default().split(' ');
    let method = request_line.next().unwrap_or_default().to_string();
    let target = request_line.next().unwrap_or_default().to_string();
    let header = |name: &str| {
        text.split("\r\n").find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.trim()
                .eq_ignore_ascii_case(name)
                .then(|| v.trim().to_string())
        })
    };
    let length: usize = header("content-length")
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    if socket.read_exact(&mut body).await.is_err() {
        return;
    }
    let seen = Seen { method, target };
    log.lock().expect("log").push(seen.clone());
    let reply = handler(&seen);
    let mut out = format!("HTTP/1.1 {} X\r\nConnection: close\r\n", reply.status);
    for (k, v) in &reply.headers {
        out.push_str(&format!("{k}: {v}\r\n"));
    }
    out.push_str("Transfer-Encoding: chunked\r\n\r\n");
    if socket.write_all(out.as_bytes()).await.is_err() {
        return;
    }
    if !reply.body.is_empty() {
        let mut chunk = format!("{:x}\r\n", reply.body.len()).into_bytes();
        chunk.extend_from_slice(&reply.body);
        chunk.extend_from_slice(b"\r\n");
        for _ in 0..reply.repeat {
            if socket.write_all(&chunk).await.is_err() {
                return;
            }
        }
    }
    let _ = socket.write_all(b"0\r\n\r\n").await;
    let _ = socket.shutdown().await;
}

/// A tenant with one multimedia profile and one site, as the real API would list them.
fn tenant() -> Value {
    json!({
        "multimedia-profile": [{
            "id": MMP_ID, "organizationId": ORG, "version": 1, "name": "Voice Only",
            "active": true, "blendingModeEnabled": false, "blendingMode": "EXCLUSIVE",
            "telephony": 1, "chat": 0, "email": 0, "social": 0
        }],
        "site": [{
            "id": SITE_ID, "organizationId": ORG, "version": 3, "name": "Chicago",
            "active": true, "multimediaProfileId": MMP_ID, "description": "HQ"
        }]
    })
}

/// The routes a plan and an apply use, served from `tenant`: v2 lists (one page), item
/// reads, updates (echoing the body with the next version) and deletes.
fn api(tenant: &Value, seen: &Seen) -> Reply {
    let prefix = format!("/organization/{ORG}/");
    let Some(rest) = seen.path().strip_prefix(&prefix) else {
        return Reply::json(404, json!({"error": {"reason": "no such org"}}));
    };
    if let Some(kind) = rest.strip_prefix("v2/") {
        let data = tenant.get(kind).cloned().unwrap_or_else(|| json!([]));
        let total = data.as_array().map_or(0, Vec::len);
        return Reply::json(
            200,
            json!({"meta": {"orgid": ORG, "page": 0, "pageSize": 1000, "totalPages": 1,
                            "totalRecords": total}, "data": data}),
        );
    }
    let (kind, id) = rest.split_once('/').unwrap_or((rest, ""));
    let found = tenant
        .get(kind)
        .and_then(Value::as_array)
        .and_then(|a| a.iter().find(|o| o["id"] == id))
        .cloned();
    match (seen.method.as_str(), found) {
        ("GET", Some(o)) => Reply::json(200, o),
        ("PUT", Some(mut o)) => {
            o["version"] = json!(o["version"].as_i64().unwrap_or(0) + 1);
            Reply::json(200, o)
        }
        ("DELETE", Some(_)) => Reply::json(204, Value::Null),
        _ => Reply::json(404, json!({"error": {"reason": "not found"}})),
    }
}

/// The hostile API, another host, a runtime for both and a folder for the config (the
/// harness's `Env`; its emulator sees no request, so its conformance check passes empty).
struct Hostile {
    env: Env,
    _runtime: tokio::runtime::Runtime,
    api: Server,
    other: Server,
}

impl Hostile {
    /// `rewrite` may answer any request itself (given the other host's port); otherwise
    /// the tenant answers.
    fn new(
        tenant: Value,
        rewrite: impl Fn(&Seen, u16) -> Option<Reply> + Send + Sync + 'static,
    ) -> Hostile {
        let env = Env::new();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        // The other host answers like an API with a page holding an object of its own, so
        // a client that went there would plan with it.
        let other = Server::start(
            &runtime,
            Arc::new(|_: &Seen| {
                Reply::json(
                    200,
                    json!({"meta": {"totalRecords": 1}, "data": [{
                    "id": "0c0ffee0-0000-4000-8000-00000000e001", "name": "Injected",
                    "active": true, "multimediaProfileId": MMP_ID }], "id": SITE_ID,
                    "name": "Chicago", "version": 9}),
                )
            }),
        );
        let other_port = other.port;
        let api = Server::start(
            &runtime,
            Arc::new(move |seen: &Seen| {
                rewrite(seen, other_port).unwrap_or_else(|| api(&tenant, seen))
            }),
        );
        Hostile {
            env,
            _runtime: runtime,
            api,
            other,
        }
    }

    /// Runs `wxcc` against the hostile API with the test token.
    fn wxcc(&self, args: &[&str]) -> Run {
        let token = token();
        self.env.wxcc_with(
            args,
            &[
                ("WXCC_BASE_URL", self.api.url.as_str()),
                ("WXCC_ACCESS_TOKEN", token.as_str()),
                ("WXCC_ORG_ID", ORG),
                ("WXCC_LOG", "debug"),
            ],
        )
    }

    fn write_site(&self, description: &str) {
        self.env.write(
            "c.yaml",
            &format!("site:\n  - {{name: Chicago, active: true, multimediaProfileId: Voice Only, description: {description}}}\n"),
        );
    }

    /// Reads of `kind`'s list the hostile API received.
    fn list_reads(&self, kind: &str) -> usize {
        let suffix = format!("/v2/{kind}");
        self.requests("GET")
            .iter()
            .filter(|s| s.path().ends_with(&suffix))
            .count()
    }

    /// Requests of `method` the hostile API received.
    fn requests(&self, method: &str) -> Vec<Seen> {
        self.api
            .seen()
            .into_iter()
            .filter(|s| s.method == method)
            .collect()
    }
}

/// The token and the control characters a test fed in appear in no output.
#[track_caller]
fn clean(run: &Run) {
    for text in [&run.stdout, &run.stderr] {
        assert!(!text.contains(&token()), "the token leaked:\n{text}");
        assert!(
            !text.contains(['\u{1b}', '\u{9b}', '\u{7}']),
            "control characters reached the output:\n{text:?}"
        );
    }
}

#[test]
fn a_next_link_to_another_host_is_refused_and_the_token_stays_home() {
    // `@host` made `base + link` a URL with the API host as user info; `//host` and a full
    // URL name the other host outright.
    for (shape, why) in [
        (
            "@127.0.0.1:{port}/v2/site?page=1",
            "not a path on the API host",
        ),
        (
            "//127.0.0.1:{port}/organization/{org}/v2/site?page=1",
            "not a path on the API host",
        ),
        (
            "http://127.0.0.1:{port}/organization/{org}/v2/site?page=1",
            "which points to another host",
        ),
    ] {
        let h = Hostile::new(tenant(), move |seen, port| {
            let link = shape
                .replace("{port}", &port.to_string())
                .replace("{org}", ORG);
            (seen.path().ends_with("/v2/site") && seen.query("page").as_deref() == Some("0")).then(
                || {
                    Reply::json(
                        200,
                        json!({"meta": {"page": 0, "links": {"next": link}},
                        "data": tenant()["site"]}),
                    )
                },
            )
        });
        h.write_site("HQ");
        let plan = h.wxcc(&["plan", "c.yaml"]).expect(1);
        clean(&plan);
        contains_all(
            &plan.stderr,
            &[
                "links.next",
                why,
                "wxcc follows links only to the next page of the same list on the API host",
            ],
        );
        assert!(
            h.other.seen().is_empty(),
            "{shape}: a request reached the other host: {:?}",
            h.other.seen()
        );
        assert!(!plan.stdout.contains("Injected"), "{}", plan.stdout);
    }
}

#[test]
fn a_redirect_is_not_followed_and_the_update_is_not_reported_done() {
    let h = Hostile::new(tenant(), |seen, port| {
        (seen.method == "PUT").then(|| Reply {
            status: 307,
            headers: vec![(
                "Location".into(),
                format!("http://127.0.0.1:{port}/organization/{ORG}/site/{SITE_ID}"),
            )],
            body: Vec::new(),
            repeat: 1,
        })
    });
    h.write_site("Headquarters");
    let apply = h.wxcc(&["apply", "c.yaml", "--auto-approve"]).expect(1);
    clean(&apply);
    contains_all(
        &apply.stdout,
        &[
            "failed to update site \"Chicago\"",
            "307",
            "redirect",
            "which wxcc does not follow",
            "0 updated",
        ],
    );
    assert!(!apply.stdout.contains("~ updated"), "{}", apply.stdout);
    assert_eq!(
        h.requests("PUT").len(),
        1,
        "the PUT is sent once, not again elsewhere"
    );
    assert!(h.other.seen().is_empty(), "{:?}", h.other.seen());
}

#[test]
fn a_malformed_id_from_the_server_is_refused_before_any_path_is_built_from_it() {
    let mut live = tenant();
    let victim = json!({"id": "../team/victim", "organizationId": ORG, "version": 1,
        "name": "Old", "active": true, "multimediaProfileId": MMP_ID});
    live["site"].as_array_mut().expect("sites").push(victim);
    let h = Hostile::new(live, |_, _| None);
    h.write_site("HQ");
    let apply = h
        .wxcc(&["apply", "c.yaml", "--delete", "site", "--auto-approve"])
        .expect(1);
    clean(&apply);
    contains_all(
        &apply.stderr,
        &[
            "site \"Old\" with id \"../team/victim\"",
            "which is not an id the API issues",
            "UUID",
        ],
    );
    assert!(
        h.requests("DELETE").is_empty(),
        "{:?}",
        h.requests("DELETE")
    );
    assert!(!apply.stdout.contains("deleted"), "{}", apply.stdout);
}

#[test]
fn ids_of_the_right_shape_are_sent_as_one_encoded_segment() {
    // A legacy 20-character id (docs/api-notes.md §1.3) is accepted, and goes out as the
    // one path segment it is.
    let mut live = tenant();
    live["site"][0]["id"] = json!("AXYleKyhpxttOlBXBj-_");
    let h = Hostile::new(live, |_, _| None);
    h.write_site("Headquarters");
    let apply = h.wxcc(&["apply", "c.yaml", "--auto-approve"]);
    clean(&apply);
    let puts = h.requests("PUT");
    assert_eq!(puts.len(), 1, "{}{}", apply.stdout, apply.stderr);
    assert_eq!(
        puts[0].path(),
        format!("/organization/{ORG}/site/AXYleKyhpxttOlBXBj-_")
    );
}

#[test]
fn an_endless_body_is_cut_at_the_cap() {
    let h = Hostile::new(tenant(), |seen, _| {
        seen.path().ends_with("/v2/site").then(|| Reply {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: vec![b' '; 1024 * 1024],
            // 80 MiB, past the 64 MiB cap.
            repeat: 80,
        })
    });
    h.write_site("HQ");
    let plan = h.wxcc(&["plan", "c.yaml"]).expect(1);
    clean(&plan);
    contains_all(
        &plan.stderr,
        &[
            "GET /organization/",
            "/v2/site: the answer is larger than 64 MiB, the most wxcc reads",
        ],
    );
}

#[test]
fn a_page_count_the_records_cannot_fill_is_refused_after_one_request() {
    let h = Hostile::new(tenant(), |seen, _| {
        seen.path().ends_with("/v2/site").then(|| {
            if seen.query("page").as_deref() == Some("0") {
                Reply::json(
                    200,
                    json!({"meta": {"page": 0, "pageSize": 1000,
                    "totalPages": 99_999, "totalRecords": 1}, "data": tenant()["site"]}),
                )
            } else {
                Reply::json(404, json!({"error": {"reason": "no such page"}}))
            }
        })
    });
    h.write_site("HQ");
    let plan = h.wxcc(&["plan", "c.yaml"]).expect(1);
    clean(&plan);
    contains_all(
        &plan.stderr,
        &["the list reports 99999 pages for 1 objects at 1000 a page, which fill 1"],
    );
    let site_reads = h.list_reads("site");
    assert_eq!(site_reads, 1, "only the first page is read");
}

#[test]
fn a_list_that_never_ends_stops_at_the_page_cap() {
    let h = Hostile::new(tenant(), |seen, _| {
        seen.path().ends_with("/v2/site").then(|| {
            let page: u64 = seen.query("page").and_then(|p| p.parse().ok()).unwrap_or(0);
            let next = format!(
                "/organization/{ORG}/v2/site?page={}&pageSize=1000",
                page + 1
            );
            Reply::json(
                200,
                json!({"meta": {"page": page, "links": {"next": next}},
                "data": tenant()["site"]}),
            )
        })
    });
    h.write_site("HQ");
    let plan = h
        .wxcc(&["plan", "c.yaml", "--rate-limit", "100000"])
        .expect(1);
    clean(&plan);
    contains_all(
        &plan.stderr,
        &["the list goes on past 1000 pages or 100000 objects, the most wxcc reads of one kind"],
    );
    let site_reads = h.list_reads("site");
    assert_eq!(site_reads, 1000, "the read stops at the cap");
}

#[test]
fn server_text_is_shown_without_credentials_or_control_characters() {
    // An error body that echoes the request's credentials and carries escape sequences.
    let echo = format!(
        "bad credentials Bearer {} \u{1b}[2J\u{1b}]0;pwned\u{7} {{\"refresh_token\": \"rt-123456789\", \"client_secret\":\"cs-987654321\"}} Basic dXNlcjpwYXNzd29yZA==",
        token()
    );
    let h = Hostile::new(tenant(), move |seen, _| {
        seen.path().ends_with("/v2/site").then(|| {
            Reply::json(
                401,
                json!({"trackingId": "ccconfig_\u{1b}[31mx",
                "error": {"key": "401", "reason": echo}}),
            )
        })
    });
    h.write_site("HQ");
    let plan = h.wxcc(&["plan", "c.yaml"]).expect(1);
    clean(&plan);
    contains_all(
        &plan.stderr,
        &[
            "401 Unauthorized",
            "bad credentials Bearer ***",
            "\"refresh_token\": \"***\"",
            "\"client_secret\":\"***\"",
            "Basic ***",
            "tracking id ccconfig_[31mx",
        ],
    );
    for secret in ["rt-123456789", "cs-987654321", "dXNlcjpwYXNzd29yZA"] {
        assert!(
            !plan.stderr.contains(secret),
            "{secret} in\n{}",
            plan.stderr
        );
    }
}

#[test]
fn live_values_in_a_plan_are_shown_without_control_characters() {
    let mut live = tenant();
    live["site"][0]["description"] = json!("HQ\u{9b}2J\u{1b}[31m\u{202e}red");
    let h = Hostile::new(live, |_, _| None);
    h.write_site("Headquarters");
    for format in ["text", "markdown"] {
        let plan = h.wxcc(&["plan", "c.yaml", "--format", format]).expect(0);
        clean(&plan);
        assert!(!plan.stdout.contains('\u{202e}'), "{}", plan.stdout);
        contains_all(&plan.stdout, &["description", "HQ2J", "Headquarters"]);
    }
}

/// A CI pipeline's sign-in against the emulator's token endpoint: an integration, a
/// refresh token minted for it, and a refresh-token file the runs keep.
struct Pipeline {
    env: Env,
    client_id: String,
    client_secret: String,
    seed: String,
    file: std::path::PathBuf,
}

impl Pipeline {
    fn new(keep_rotated: bool) -> Pipeline {
        let env = Env::new();
        env.copy_example("acme");
        let made = env.admin(
            "POST",
            "/clients",
            Some(json!({"redirectUris": ["http://localhost:8765/callback"]})),
        );
        let client_id = made["clientId"].as_str().expect("client id").to_string();
        let client_secret = made["clientSecret"].as_str().expect("secret").to_string();
        let minted = env.admin("POST", "/tokens", Some(json!({"clientId": client_id})));
        let seed = minted["refresh_token"]
            .as_str()
            .expect("refresh")
            .to_string();
        env.admin(
            "PUT",
            "/token-endpoint",
            Some(json!({"keepRotatedRefreshToken": keep_rotated})),
        );
        let file = env.path().join("ci/refresh-token");
        Pipeline {
            env,
            client_id,
            client_secret,
            seed,
            file,
        }
    }

    fn run(&self) -> Run {
        let file = self.file.to_str().expect("path");
        self.env.wxcc_with(
            &["plan", "acme"],
            &[
                ("WXCC_BASE_URL", self.env.url.as_str()),
                ("WXCC_AUTH_URL", self.env.url.as_str()),
                ("WXCC_CLIENT_ID", self.client_id.as_str()),
                ("WXCC_CLIENT_SECRET", self.client_secret.as_str()),
                ("WXCC_REFRESH_TOKEN", self.seed.as_str()),
                ("WXCC_REFRESH_TOKEN_FILE", file),
            ],
        )
    }

    fn lose_next_answer(&self) {
        self.env
            .admin("PUT", "/token-endpoint", Some(json!({"loseAnswers": 1})));
    }

    fn token_requests(&self) -> u64 {
        self.env.counters()["tokenRequests"].as_u64().unwrap_or(0)
    }

    fn kept(&self) -> (String, String) {
        let read = |p: &std::path::Path| {
            std::fs::read_to_string(p)
                .map(|t| t.trim().to_string())
                .unwrap_or_default()
        };
        let mut previous = self.file.clone().into_os_string();
        previous.push(".previous");
        (read(&self.file), read(std::path::Path::new(&previous)))
    }

    #[track_caller]
    fn no_secret_in(&self, run: &Run) {
        let (current, previous) = self.kept();
        for secret in [&self.seed, &self.client_secret, &current, &previous] {
            if !secret.is_empty() {
                assert!(!run.stderr.contains(secret.as_str()), "{}", run.stderr);
                assert!(!run.stdout.contains(secret.as_str()), "{}", run.stdout);
            }
        }
    }
}

#[test]
fn a_lost_token_answer_is_recovered_when_the_old_refresh_token_stays_valid() {
    let p = Pipeline::new(true);
    p.lose_next_answer();
    let run = p.run().expect(0);
    p.no_secret_in(&run);
    contains_all(
        &run.stderr,
        &["was lost", "asks again with the one it holds"],
    );
    assert_eq!(
        p.token_requests(),
        2,
        "the lost renewal, then the same token again"
    );
    let (current, previous) = p.kept();
    assert!(
        !current.is_empty() && current != p.seed,
        "the newest token is kept"
    );
    assert_eq!(previous, p.seed, "the token it replaced is kept beside it");
    // The next run uses the newest token; once it has worked, the seed is let go.
    p.run().expect(0);
    let (next, previous) = p.kept();
    assert_ne!(next, current);
    assert_eq!(previous, current);
}

#[test]
fn a_lost_token_answer_that_spent_the_refresh_token_says_it_cannot_be_recovered() {
    let p = Pipeline::new(false);
    p.lose_next_answer();
    let run = p.run().expect(1);
    p.no_secret_in(&run);
    contains_all(
        &run.stderr,
        &[
            "the answer to renewing the sign-in of the refresh token in WXCC_REFRESH_TOKEN_FILE",
            "was lost (POST /v1/access_token → 504",
            "asking again with the refresh token wxcc holds was refused (400",
            "This cannot be recovered without signing in again (see \"Lost renewals\" in docs/auth.md)",
        ],
    );
    assert_eq!(
        p.token_requests(),
        2,
        "the lost renewal, then one refused retry"
    );
    assert_eq!(
        p.kept(),
        (String::new(), String::new()),
        "nothing new to keep"
    );
}

#[test]
fn a_refused_newest_refresh_token_falls_back_to_the_one_it_replaced() {
    let p = Pipeline::new(true);
    p.run().expect(0);
    let (newest, previous) = p.kept();
    assert_eq!(previous, p.seed);
    // The newest token stops working (revoked at the emulator); the one it replaced has
    // not been let go yet, because the newest was never used.
    p.env
        .admin("POST", "/revoke", Some(json!({"refreshToken": newest})));
    let run = p.run().expect(0);
    p.no_secret_in(&run);
    contains_all(&run.stderr, &["trying the one it replaced"]);
    let (current, previous) = p.kept();
    assert!(current != newest && current != p.seed);
    assert_eq!(
        previous, p.seed,
        "the token that worked is the one kept beside"
    );
}
