//! The HTTP client every command uses. One `send` holds the rules: a bound on requests in
//! flight, the shared rate limiter, a `TrackingId` on every request, `Retry-After` on 429, retries with capped jittered
//! backoff for idempotent requests only, one token renewal after a 401, and errors that
//! carry the API's reason. What it builds from data and accepts from the server (paths,
//! links, ids, sizes, redirects) follows the rules in `untrusted`.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use reqwest::{Method, StatusCode};
use serde_json::{Map, Value};
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use url::Url;

use super::auth::Credentials;
use super::error::ApiError;
use super::ratelimit::RateLimiter;
use super::redact::server_text;
use super::untrusted::{
    ApiPath, BodyError, MAX_BODY_BYTES, check_ids, check_object_id, check_page_count,
    check_read_so_far, check_stored_id, next_link_query, read_body, redirect_reason, too_large,
};
use crate::catalogue::{BulkExport, Kind, UploadParts};

/// Tunables of the client.
#[derive(Clone, Debug)]
pub struct ClientOptions {
    /// Requests in flight at once.
    pub parallelism: usize,
    /// Attempts per request, including the first, for retryable failures.
    pub max_attempts: u32,
    pub backoff_base: Duration,
    pub backoff_cap: Duration,
    /// Page size asked of list endpoints; the API clamps it silently to its maximum.
    pub page_size: u32,
    pub timeout: Duration,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            parallelism: 4,
            max_attempts: 5,
            backoff_base: Duration::from_millis(500),
            backoff_cap: Duration::from_secs(30),
            page_size: 1000,
            timeout: Duration::from_secs(60),
        }
    }
}

/// A WxCC API client for one org. Cheap to clone; clones share the limiter and permits.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    base: Url,
    org: String,
    credentials: Credentials,
    limiter: Arc<RateLimiter>,
    permits: Semaphore,
    session: String,
    sequence: AtomicU64,
    options: ClientOptions,
}

/// A successful answer.
#[derive(Debug)]
pub(crate) struct Answer {
    /// The body parsed as JSON (`Null` when empty or not JSON).
    pub body: Value,
    /// The body as sent (for binary downloads).
    pub bytes: Vec<u8>,
}

/// What a request carries.
#[derive(Clone, Copy)]
pub enum Payload<'a> {
    Empty,
    Json(&'a Value),
    Upload(&'a UploadBody),
}

/// A multipart upload: the object's fields as a JSON part, and a file part.
#[derive(Clone, Debug)]
pub struct UploadBody {
    pub info_part: &'static str,
    pub info: Value,
    pub file_part: &'static str,
    pub file_name: String,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

impl UploadBody {
    /// A fresh form for one attempt (a form is consumed when sent).
    fn form(&self) -> Result<reqwest::multipart::Form, ApiError> {
        let bad = |e: reqwest::Error| ApiError::Auth {
            message: format!("cannot build the upload: {e}"),
        };
        let info = reqwest::multipart::Part::text(self.info.to_string())
            .mime_str("application/json")
            .map_err(bad)?;
        let file = reqwest::multipart::Part::bytes(self.bytes.clone())
            .file_name(self.file_name.clone())
            .mime_str(self.mime)
            .map_err(bad)?;
        Ok(reqwest::multipart::Form::new()
            .part(self.info_part, info)
            .part(self.file_part, file))
    }
}

/// The most ids one `id=in=(…)` filter carries: a hundred quoted UUIDs, percent-encoded,
/// make a query of about 5 KB, inside the 8 KB a request line commonly may be; a bulk
/// chunk of up to 5,000 (`--bulk-chunk`) is checked in several reads.
pub const IDS_PER_FILTERED_READ: usize = 100;

/// A value as a quoted RSQL string (`"` and `\` escaped), whatever it holds.
fn rsql_quoted(value: &str) -> String {
    format!("\"{}\"", value.replace('\\', "\\\\").replace('"', "\\\""))
}

impl Client {
    pub fn new(
        base: Url,
        org: String,
        credentials: Credentials,
        limiter: Arc<RateLimiter>,
        options: ClientOptions,
    ) -> Result<Client, ApiError> {
        // No redirect is followed: the token must never leave the API host, and a write
        // sent again elsewhere is not the write that was asked for.
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(options.timeout)
            .user_agent(concat!("wxcc/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Auth {
                message: format!("cannot build the HTTP client: {e}"),
            })?;
        let session = uuid::Uuid::new_v4().simple().to_string();
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                base,
                org,
                credentials,
                limiter,
                permits: Semaphore::new(options.parallelism.max(1)),
                session: format!("wxcc_{}", &session[..12]),
                sequence: AtomicU64::new(0),
                options,
            }),
        })
    }

    pub fn org(&self) -> &str {
        &self.inner.org
    }

    pub fn base_url(&self) -> &str {
        self.inner.base.as_str().trim_end_matches('/')
    }

    /// `/organization/{orgid}/{route}`, `route` being a catalogue path.
    fn org_path(&self, route: &str) -> Result<ApiPath, ApiError> {
        ApiPath::org(&self.inner.org, route)
    }

    /// Every object of a kind, through its list endpoint: the first page tells how many
    /// pages there are; the rest are fetched concurrently.
    pub async fn list(&self, kind: &'static Kind) -> Result<Vec<Map<String, Value>>, ApiError> {
        self.list_with(kind, &[]).await
    }

    /// Objects of a kind whose key equals `key` (an RSQL filter on the list endpoint).
    pub async fn find_by_key(
        &self,
        kind: &'static Kind,
        key: &str,
    ) -> Result<Vec<Map<String, Value>>, ApiError> {
        let filter = format!("{}=={}", kind.key, rsql_quoted(key));
        let found = self.list_with(kind, &[("filter", filter)]).await?;
        Ok(found
            .into_iter()
            .filter(|o| o.get(kind.key).and_then(Value::as_str) == Some(key))
            .collect())
    }

    /// The objects of a kind with these ids, as list rows: filtered list reads
    /// (`id=in=(…)`, docs/api-notes.md §1.5) of at most [`IDS_PER_FILTERED_READ`] ids each,
    /// instead of the whole list, so that checking a chunk of objects costs what the chunk
    /// holds however large the tenant.
    pub async fn list_ids(
        &self,
        kind: &'static Kind,
        ids: &[&str],
    ) -> Result<Vec<Map<String, Value>>, ApiError> {
        let mut rows = Vec::new();
        for batch in ids.chunks(IDS_PER_FILTERED_READ) {
            let quoted: Vec<String> = batch.iter().map(|id| rsql_quoted(id)).collect();
            let filter = format!("id=in=({})", quoted.join(","));
            rows.extend(self.list_with(kind, &[("filter", filter)]).await?);
        }
        Ok(rows)
    }

    /// Reads a whole list. A read that comes back short of `meta.totalRecords` (objects
    /// came or went while the pages were read) is read once more before it is an error:
    /// planning against half a list would plan creates of objects that exist.
    async fn list_with(
        &self,
        kind: &'static Kind,
        extra: &[(&str, String)],
    ) -> Result<Vec<Map<String, Value>>, ApiError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let (objects, expected) = self.read_list(kind, extra).await?;
            match expected {
                Some(total) if (objects.len() as u64) < total => {
                    if attempt < 2 {
                        continue;
                    }
                    return Err(ApiError::Decode {
                        method: "GET".into(),
                        path: self.org_path(kind.list_path)?.to_string(),
                        tracking_id: String::new(),
                        message: format!(
                            "read {} of the {total} objects the list reports, twice; the list changed while it was read — run again",
                            objects.len()
                        ),
                    });
                }
                _ => return Ok(objects),
            }
        }
    }

    /// One read of every page: the first page says how many there are (`meta.totalPages`)
    /// and the rest are fetched concurrently; without that count, `meta.links.next` is
    /// followed page by page. Returns the objects (deduplicated by id) and the count the
    /// list reported.
    async fn read_list(
        &self,
        kind: &'static Kind,
        extra: &[(&str, String)],
    ) -> Result<(Vec<Map<String, Value>>, Option<u64>), ApiError> {
        let path = self.org_path(kind.list_path)?;
        let page_size = self.inner.options.page_size.to_string();
        let query = |page: u64| {
            let mut q: Vec<(String, String)> = vec![
                ("page".into(), page.to_string()),
                ("pageSize".into(), page_size.clone()),
            ];
            q.extend(extra.iter().map(|(k, v)| (k.to_string(), v.clone())));
            q
        };
        let first = self
            .send(Method::GET, &path, &query(0), Payload::Empty)
            .await?;
        let mut page = read_page(&path, first.body)?;
        let expected = page.total_records;
        let mut objects = std::mem::take(&mut page.objects);
        match page.total_pages {
            Some(total_pages) => {
                check_page_count(&path, total_pages, page.total_records, page.page_size)?;
                let mut tasks = JoinSet::new();
                for number in 1..total_pages {
                    let client = self.clone();
                    let path = path.clone();
                    let q = query(number);
                    tasks.spawn(async move {
                        let answer = client.send(Method::GET, &path, &q, Payload::Empty).await?;
                        read_page(&path, answer.body).map(|p| (number, p.objects))
                    });
                }
                let mut pages = Vec::new();
                while let Some(joined) = tasks.join_next().await {
                    let result = joined.map_err(|e| ApiError::Transport {
                        method: "GET".into(),
                        path: path.to_string(),
                        tracking_id: String::new(),
                        message: format!("worker failed: {e}"),
                    })?;
                    pages.push(result?);
                }
                pages.sort_by_key(|(number, _)| *number);
                for (_, rows) in pages {
                    objects.extend(rows);
                }
            }
            None => {
                let mut next = page.next;
                let mut number = 1;
                while let Some(link) = next.take() {
                    number += 1;
                    check_read_so_far(&path, number, objects.len())?;
                    let link_query = next_link_query(&self.inner.base, &path, &link)?;
                    let answer = self
                        .send(Method::GET, &path, &link_query, Payload::Empty)
                        .await?;
                    let more = read_page(&path, answer.body)?;
                    objects.extend(more.objects);
                    next = more.next;
                }
            }
        }
        check_read_so_far(&path, 0, objects.len())?;
        check_ids(kind, &objects)?;
        let mut seen = std::collections::HashSet::new();
        objects.retain(|o| {
            o.get("id")
                .and_then(Value::as_str)
                .is_none_or(|id| seen.insert(id.to_string()))
        });
        Ok((objects, expected))
    }

    /// Every row of a kind's `bulk-export` (docs/api-notes.md §1.9): the first page tells
    /// the total and the server's page size; the rest are fetched concurrently. The same
    /// caps as a list's apply (page count, objects per kind).
    pub async fn bulk_export(
        &self,
        export: &'static BulkExport,
    ) -> Result<Vec<Map<String, Value>>, ApiError> {
        let path = self.org_path(export.path)?;
        let query = |page: u64, size: u64| {
            vec![
                ("page".to_string(), page.to_string()),
                ("pageSize".to_string(), size.to_string()),
            ]
        };
        let first = self
            .send(
                Method::GET,
                &path,
                &query(0, u64::from(export.page_size)),
                Payload::Empty,
            )
            .await?;
        let rows = |body: &Value| -> Result<Vec<Map<String, Value>>, ApiError> {
            body.get("resources")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(|v| v.as_object().cloned()).collect())
                .ok_or_else(|| ApiError::Decode {
                    method: "GET".into(),
                    path: path.to_string(),
                    tracking_id: String::new(),
                    message: "bulk-export response has no `resources` array".into(),
                })
        };
        let mut objects = rows(&first.body)?;
        let total = first.body.get("totalResources").and_then(Value::as_u64);
        let size = first
            .body
            .get("pageSize")
            .and_then(Value::as_u64)
            .filter(|s| *s > 0)
            .unwrap_or(u64::from(export.page_size));
        let pages = total.map_or(1, |t| t.div_ceil(size).max(1));
        check_page_count(&path, pages, total, Some(size))?;
        let mut tasks = JoinSet::new();
        for number in 1..pages {
            let client = self.clone();
            let path = path.clone();
            let q = query(number, size);
            tasks.spawn(async move {
                let answer = client.send(Method::GET, &path, &q, Payload::Empty).await?;
                Ok::<_, ApiError>((number, answer.body))
            });
        }
        let mut later = Vec::new();
        while let Some(joined) = tasks.join_next().await {
            later.push(joined.map_err(|e| ApiError::Transport {
                method: "GET".into(),
                path: path.to_string(),
                tracking_id: String::new(),
                message: format!("worker failed: {e}"),
            })??);
        }
        later.sort_by_key(|(number, _)| *number);
        for (_, body) in later {
            objects.extend(rows(&body)?);
        }
        check_read_so_far(&path, 0, objects.len())?;
        if let Some(t) = total
            && (objects.len() as u64) < t
        {
            return Err(ApiError::Decode {
                method: "GET".into(),
                path: path.to_string(),
                tracking_id: String::new(),
                message: format!(
                    "read {} of the {t} objects the export reports; the tenant changed while it was read — run again",
                    objects.len()
                ),
            });
        }
        Ok(objects)
    }

    pub async fn get(&self, kind: &'static Kind, id: &str) -> Result<Map<String, Value>, ApiError> {
        self.object_call(kind, Method::GET, &self.item(kind, id)?, Payload::Empty)
            .await
    }

    /// One page of what points at an object: one referencing type per call (`of_type`;
    /// without it, the first of `meta.referencedEntities`). The route is unprefixed on
    /// every kind that has it (docs/api-notes.md §1.10).
    pub async fn incoming_references(
        &self,
        kind: &Kind,
        id: &str,
        of_type: Option<&str>,
        page: u64,
    ) -> Result<Value, ApiError> {
        let path = self
            .org_path(kind.name)?
            .with(id)?
            .with("incoming-references")?;
        let mut query = vec![
            ("page".to_string(), page.to_string()),
            ("pageSize".to_string(), "100".to_string()),
        ];
        if let Some(t) = of_type {
            query.push(("type".to_string(), t.to_string()));
        }
        Ok(self
            .send(Method::GET, &path, &query, Payload::Empty)
            .await?
            .body)
    }

    pub async fn create(
        &self,
        kind: &'static Kind,
        body: &Value,
    ) -> Result<Map<String, Value>, ApiError> {
        self.object_call(
            kind,
            Method::POST,
            &self.org_path(kind.item_path)?,
            Payload::Json(body),
        )
        .await
    }

    pub async fn update(
        &self,
        kind: &'static Kind,
        id: &str,
        body: &Value,
    ) -> Result<Map<String, Value>, ApiError> {
        self.object_call(
            kind,
            Method::PUT,
            &self.item(kind, id)?,
            Payload::Json(body),
        )
        .await
    }

    /// Changes only the fields in `body` (PATCH with a plain partial object).
    pub async fn patch(
        &self,
        kind: &'static Kind,
        id: &str,
        body: &Value,
    ) -> Result<Map<String, Value>, ApiError> {
        self.object_call(
            kind,
            Method::PATCH,
            &self.item(kind, id)?,
            Payload::Json(body),
        )
        .await
    }

    /// Creates an object of an uploading kind (multipart).
    pub async fn create_upload(
        &self,
        kind: &'static Kind,
        upload: &UploadBody,
    ) -> Result<Map<String, Value>, ApiError> {
        self.object_call(
            kind,
            Method::POST,
            &self.org_path(kind.item_path)?,
            Payload::Upload(upload),
        )
        .await
    }

    /// Replaces an object of an uploading kind, content included (multipart).
    pub async fn update_upload(
        &self,
        kind: &'static Kind,
        id: &str,
        upload: &UploadBody,
    ) -> Result<Map<String, Value>, ApiError> {
        self.object_call(
            kind,
            Method::PUT,
            &self.item(kind, id)?,
            Payload::Upload(upload),
        )
        .await
    }

    /// Sends one PUT or PATCH of an object without retrying a failure that may have
    /// happened after the server acted (no answer, 5xx): the caller reads the object
    /// to find out whether the write landed before it writes again (a blind retry would
    /// send a stale `version`, or hide a write by someone else). 429 is still retried.
    pub async fn write_once(
        &self,
        method: Method,
        kind: &'static Kind,
        id: &str,
        payload: Payload<'_>,
    ) -> Result<Map<String, Value>, ApiError> {
        let name = method.to_string();
        let path = self.item(kind, id)?;
        let answer = self.send_with(method, &path, &[], payload, false).await?;
        let found = object(&path, &name, answer.body)?;
        check_object_id(kind, &found)?;
        Ok(found)
    }

    /// One bulk request (`POST` or `PATCH` of a bulk route under `/organization/{orgid}/`,
    /// docs/api-notes.md §1.8), sent once: a failure that may have happened after the
    /// server acted (no answer, 5xx, an unreadable answer) is returned, for the caller to
    /// find out by reading what landed. 429 is still retried. The answer's per-item
    /// results, as sent.
    pub async fn bulk(
        &self,
        method: Method,
        route: &str,
        body: &Value,
    ) -> Result<Vec<Map<String, Value>>, ApiError> {
        let name = method.to_string();
        let path = self.org_path(route)?;
        let answer = self
            .send_with(method, &path, &[], Payload::Json(body), false)
            .await?;
        let items = answer
            .body
            .get("items")
            .and_then(Value::as_array)
            .ok_or_else(|| ApiError::Decode {
                method: name,
                path: path.to_string(),
                tracking_id: String::new(),
                message: "the bulk answer has no `items` array".into(),
            })?;
        Ok(items
            .iter()
            .filter_map(|v| v.as_object().cloned())
            .collect())
    }

    /// Requests in flight at once.
    pub fn parallelism(&self) -> usize {
        self.inner.options.parallelism.max(1)
    }

    /// `/organization/{orgid}/{item_path}/{id}`, the id one encoded segment.
    fn item(&self, kind: &Kind, id: &str) -> Result<ApiPath, ApiError> {
        self.org_path(kind.item_path)?.with(id)
    }

    /// A call whose answer is one object of `kind`, its id checked before anyone builds a
    /// path from it.
    async fn object_call(
        &self,
        kind: &Kind,
        method: Method,
        path: &ApiPath,
        payload: Payload<'_>,
    ) -> Result<Map<String, Value>, ApiError> {
        let name = method.to_string();
        let answer = self.send(method, path, &[], payload).await?;
        let found = object(path, &name, answer.body)?;
        check_object_id(kind, &found)?;
        Ok(found)
    }

    /// The bytes of the file an uploading kind stored (`GET /organization/{orgid}/
    /// {stored_route}/{id}`, the route its catalogue row names).
    pub async fn stored_file(&self, parts: &UploadParts, id: &str) -> Result<Vec<u8>, ApiError> {
        check_stored_id(parts, id)?;
        let path = self.org_path(parts.stored_route)?.with(id)?;
        Ok(self
            .send(Method::GET, &path, &[], Payload::Empty)
            .await?
            .bytes)
    }

    pub async fn delete(&self, kind: &'static Kind, id: &str) -> Result<(), ApiError> {
        let path = self.item(kind, id)?;
        self.send(Method::DELETE, &path, &[], Payload::Empty)
            .await
            .map(|_| ())
    }

    /// A read of a reporting API (`/v1/…` on the same host): the answer's JSON body, under
    /// every rule of `send`.
    pub async fn get_json(
        &self,
        path: &str,
        query: &[(String, String)],
    ) -> Result<Value, ApiError> {
        Ok(self
            .send(Method::GET, &ApiPath::route(path), query, Payload::Empty)
            .await?
            .body)
    }

    /// A POST to a read-only API (`/search`): the answer's JSON body.
    pub async fn post_json(&self, path: &str, body: &Value) -> Result<Value, ApiError> {
        Ok(self
            .send(
                Method::POST,
                &ApiPath::route(path),
                &[],
                Payload::Json(body),
            )
            .await?
            .body)
    }

    /// A GET of a pre-signed URL the API handed out (a recording on the storage host): no
    /// bearer token goes with it, and it waits for the rate limiter and a permit like any
    /// request. https only (plain http on loopback, for the emulator). The status and body.
    pub async fn fetch_signed(&self, url: &str) -> Result<(u16, Vec<u8>), ApiError> {
        let failed = |message: String| ApiError::Transport {
            method: "GET".into(),
            path: "a signed download URL".into(),
            tracking_id: String::new(),
            message,
        };
        let parsed = Url::parse(url).map_err(|e| failed(format!("not a URL: {e}")))?;
        let loopback = matches!(parsed.host_str(), Some("127.0.0.1" | "localhost" | "[::1]"));
        if parsed.scheme() != "https" && !(parsed.scheme() == "http" && loopback) {
            return Err(failed("refused: not an https URL".into()));
        }
        let _permit = self
            .inner
            .permits
            .acquire()
            .await
            .map_err(|_| failed("client is shutting down".into()))?;
        self.inner.limiter.acquire().await;
        let response = self
            .inner
            .http
            .get(parsed)
            .send()
            .await
            .map_err(|e| failed(describe_transport(&e)))?;
        let status = response.status().as_u16();
        let bytes = read_body(response).await.map_err(|e| match e {
            BodyError::TooLarge => failed(format!(
                "the file is larger than {} MiB, the most wxcc reads",
                MAX_BODY_BYTES / (1024 * 1024)
            )),
            BodyError::Broken(why) => failed(why),
        })?;
        Ok((status, bytes))
    }

    /// A JSON call outside the configuration API (the agent desktop's `/v1/…` paths), under
    /// the same rules as every other request.
    pub(crate) async fn call_json(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> Result<Answer, ApiError> {
        let payload = body.map_or(Payload::Empty, Payload::Json);
        self.send(method, &ApiPath::route(path), &[], payload).await
    }

    fn next_tracking_id(&self) -> String {
        let n = self.inner.sequence.fetch_add(1, Ordering::Relaxed);
        format!("{}_{n}", self.inner.session)
    }

    /// Sends one request under all the client's rules. POST is retried only when the
    /// server refused it before doing anything (429); any other failure is returned so the
    /// caller can find out whether the create landed.
    pub(crate) async fn send(
        &self,
        method: Method,
        api_path: &ApiPath,
        query: &[(String, String)],
        body: Payload<'_>,
    ) -> Result<Answer, ApiError> {
        self.send_with(method, api_path, query, body, true).await
    }

    /// `send`, with retries of ambiguous failures of idempotent requests switched off
    /// when `retry_ambiguous` is false.
    async fn send_with(
        &self,
        method: Method,
        api_path: &ApiPath,
        query: &[(String, String)],
        body: Payload<'_>,
        retry_ambiguous: bool,
    ) -> Result<Answer, ApiError> {
        let idempotent = retry_ambiguous && method != Method::POST;
        let tracking_id = self.next_tracking_id();
        let url = api_path.url(&self.inner.base)?;
        let path = &api_path.to_string();
        let mut attempt = 0u32;
        let mut renewed = false;
        loop {
            attempt += 1;
            // A permit first, then the limiter, then the token: a worker waiting for a
            // permit has not yet passed the limiter, so a `Retry-After` pause set meanwhile
            // holds it too, and the token it sends is checked for freshness just before
            // the request goes out.
            let permit = self
                .inner
                .permits
                .acquire()
                .await
                .map_err(|_| ApiError::Auth {
                    message: "client is shutting down".into(),
                })?;
            self.inner.limiter.acquire().await;
            let token = self.inner.credentials.bearer().await?;
            let result = {
                let _permit = permit;
                let mut request = self
                    .inner
                    .http
                    .request(method.clone(), url.clone())
                    .bearer_auth(token.expose())
                    .header("TrackingId", &tracking_id)
                    .header("Accept", "application/json");
                if !query.is_empty() {
                    request = request.query(query);
                }
                request = match body {
                    Payload::Empty => request,
                    Payload::Json(b) => request.json(b),
                    Payload::Upload(u) => request.multipart(u.form()?),
                };
                let started = std::time::Instant::now();
                let sent = request.send().await;
                match sent {
                    Ok(response) => {
                        let status = response.status();
                        let headers = response.headers().clone();
                        let bytes = read_body(response).await;
                        tracing::debug!(%method, path, status = status.as_u16(), tracking_id, ms = started.elapsed().as_millis() as u64, "api call");
                        match bytes {
                            Ok(b) => Ok((status, headers, b)),
                            Err(BodyError::TooLarge) => {
                                return Err(too_large(method.as_str(), api_path));
                            }
                            Err(BodyError::Broken(e)) => Err(e),
                        }
                    }
                    Err(e) => {
                        let e = describe_transport(&e);
                        tracing::debug!(%method, path, tracking_id, error = %e, "api call failed");
                        Err(e)
                    }
                }
            };
            let (status, headers, bytes) = match result {
                Ok(r) => r,
                Err(message) => {
                    if idempotent && attempt < self.inner.options.max_attempts {
                        tokio::time::sleep(self.backoff(attempt)).await;
                        continue;
                    }
                    return Err(ApiError::Transport {
                        method: method.to_string(),
                        path: path.to_string(),
                        tracking_id,
                        message,
                    });
                }
            };
            if status.is_success() {
                let body = if bytes.is_empty() {
                    Value::Null
                } else {
                    serde_json::from_slice(&bytes).unwrap_or(Value::Null)
                };
                return Ok(Answer { body, bytes });
            }
            if status.is_redirection() {
                return Err(ApiError::Status {
                    method: method.to_string(),
                    path: path.to_string(),
                    status: status.as_u16(),
                    tracking_id,
                    reason: redirect_reason(&headers),
                    referenced_by: Vec::new(),
                });
            }
            if status == StatusCode::TOO_MANY_REQUESTS
                && attempt < self.inner.options.max_attempts * 4
            {
                // A `Retry-After` of 0 or a date already past still waits a second, so a
                // busy service is not hammered with immediate retries.
                let wait = retry_after(&headers)
                    .unwrap_or_else(|| self.backoff(attempt))
                    .max(Duration::from_secs(1));
                tracing::info!(
                    path,
                    seconds = wait.as_secs_f32(),
                    "rate limited by the API; waiting as Retry-After asks"
                );
                self.inner.limiter.pause(wait).await;
                continue;
            }
            if status == StatusCode::UNAUTHORIZED && !renewed {
                renewed = true;
                if self
                    .inner
                    .credentials
                    .renew_after_unauthorized(&token)
                    .await?
                {
                    continue;
                }
            }
            if status.is_server_error() && idempotent && attempt < self.inner.options.max_attempts {
                let wait = retry_after(&headers).unwrap_or_else(|| self.backoff(attempt));
                tokio::time::sleep(wait).await;
                continue;
            }
            return Err(error_from(
                &method,
                path,
                status,
                &headers,
                &bytes,
                tracking_id,
            ));
        }
    }

    /// The capped, jittered pause before retry number `attempt`.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let base = self.inner.options.backoff_base.as_millis() as u64;
        let exp = base.saturating_mul(1u64 << attempt.min(16).saturating_sub(1));
        let capped = exp.min(self.inner.options.backoff_cap.as_millis() as u64);
        let jitter = rand::random::<u64>() % (capped / 2 + 1);
        Duration::from_millis(capped / 2 + jitter)
    }
}

fn describe_transport(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the request timed out".into()
    } else if e.is_connect() {
        "could not connect to the API".into()
    } else {
        // reqwest's message can include the URL, which holds no secret (tokens travel in
        // headers only) but may hold text from a server's link.
        server_text(&e.to_string())
    }
}

/// `Retry-After` as seconds or an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let v = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(s) = v.parse::<u64>() {
        return Some(Duration::from_secs(s));
    }
    httpdate::parse_http_date(v)
        .ok()?
        .duration_since(SystemTime::now())
        .ok()
        .or(Some(Duration::ZERO))
}

/// One page of a v2 list (`{meta, data}`, docs/api-notes.md §1.5).
struct Page {
    objects: Vec<Map<String, Value>>,
    total_pages: Option<u64>,
    total_records: Option<u64>,
    /// `meta.pageSize`: the page size the API used after clamping the one asked for.
    page_size: Option<u64>,
    /// `meta.links.next`: a path relative to the API host, absent on the last page.
    next: Option<String>,
}

fn read_page(path: &ApiPath, mut body: Value) -> Result<Page, ApiError> {
    let total_pages = body.pointer("/meta/totalPages").and_then(Value::as_u64);
    let total_records = body.pointer("/meta/totalRecords").and_then(Value::as_u64);
    let page_size = body.pointer("/meta/pageSize").and_then(Value::as_u64);
    let next = body
        .pointer("/meta/links/next")
        .and_then(Value::as_str)
        .map(str::to_string);
    // The rows are moved out of the answer: a page of users is the bulk of what a plan
    // holds.
    let Some(Value::Array(data)) = body.get_mut("data").map(Value::take) else {
        return Err(ApiError::Decode {
            method: "GET".into(),
            path: path.to_string(),
            tracking_id: String::new(),
            message: "list response has no `data` array".into(),
        });
    };
    Ok(Page {
        objects: data
            .into_iter()
            .filter_map(|v| match v {
                // Rebuilt at its exact size: the parser grows each map by doubling.
                Value::Object(m) => Some(m.into_iter().collect()),
                _ => None,
            })
            .collect(),
        total_pages,
        total_records,
        page_size,
        next,
    })
}

fn object(path: &ApiPath, method: &str, body: Value) -> Result<Map<String, Value>, ApiError> {
    match body {
        Value::Object(m) => Ok(m),
        other => Err(ApiError::Decode {
            method: method.to_string(),
            path: path.to_string(),
            tracking_id: String::new(),
            message: format!(
                "expected a JSON object, got {}",
                if other.is_null() {
                    "an empty body".to_string()
                } else {
                    let text = other.to_string();
                    server_text(&text.chars().take(300).collect::<String>())
                }
            ),
        }),
    }
}

/// Builds the error from the API's body: the config service's `{trackingId, error:{key,
/// reason, message[]}}`, Spring's `{status, error, path}`, or nothing at all (429).
fn error_from(
    method: &Method,
    path: &str,
    status: StatusCode,
    headers: &HeaderMap,
    bytes: &[u8],
    ours: String,
) -> ApiError {
    let body: Value = serde_json::from_slice(bytes).unwrap_or(Value::Null);
    // Everything below but the method and path is the server's text.
    let tracking_id = body
        .get("trackingId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| {
            headers
                .get("TrackingId")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string)
        })
        .map(|t| server_text(&t))
        .unwrap_or(ours);
    let error = body.get("error");
    let reason = match error {
        Some(Value::Object(e)) => e
            .get("reason")
            .and_then(Value::as_str)
            .map(str::to_string)
            .filter(|s| !s.is_empty())
            .or_else(|| {
                let parts: Vec<&str> = e
                    .get("message")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter_map(|m| m.get("description").and_then(Value::as_str))
                    .collect();
                (!parts.is_empty()).then(|| parts.join("; "))
            })
            .unwrap_or_default(),
        Some(Value::String(s)) => s.clone(),
        _ => body
            .get("message")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| {
                String::from_utf8_lossy(&bytes[..bytes.len().min(300)])
                    .trim()
                    .to_string()
            }),
    };
    let referenced_by = error
        .and_then(|e| e.get("referencedEntities"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(server_text)
                .collect()
        })
        .unwrap_or_default();
    ApiError::Status {
        method: method.to_string(),
        path: path.to_string(),
        status: status.as_u16(),
        tracking_id,
        reason: server_text(&reason),
        referenced_by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_both_error_shapes() {
        let body = br#"{"trackingId":"ccconfig_1","error":{"key":"412","reason":"Resource referred","referencedEntities":["team"]}}"#;
        let e = error_from(
            &Method::DELETE,
            "/x",
            StatusCode::PRECONDITION_FAILED,
            &HeaderMap::new(),
            body,
            "ours".into(),
        );
        assert_eq!(
            e.to_string(),
            "DELETE /x → 412 Precondition Failed (tracking id ccconfig_1): Resource referred [referenced by: team]"
        );
        let spring = br#"{"timestamp":1,"status":405,"error":"Method Not Allowed","path":"/x"}"#;
        let e = error_from(
            &Method::POST,
            "/x",
            StatusCode::METHOD_NOT_ALLOWED,
            &HeaderMap::new(),
            spring,
            "ours".into(),
        );
        assert_eq!(
            e.to_string(),
            "POST /x → 405 Method Not Allowed (tracking id ours): Method Not Allowed"
        );
    }

    #[test]
    fn retry_after_seconds() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "3".parse().expect("header"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
    }
}
