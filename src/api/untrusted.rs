//! What the client builds from data and what it accepts from the server, which it treats as
//! untrusted input: request paths are segments joined onto the base URL, each value
//! percent-encoded; a `links.next` is followed only on the API host and the list being read;
//! ids are checked against the shapes the API issues before a path is built from them;
//! bodies and page counts are capped. docs/security.md ("Untrusted server") is the prose.

use reqwest::header::{HeaderMap, LOCATION};
use serde_json::{Map, Value};
use url::Url;

use super::error::ApiError;
use super::redact::server_text;
use crate::catalogue::{Kind, UploadParts};

/// The most bytes of one answer wxcc reads. A page of 1,000 objects is a few megabytes and
/// an audio prompt a few more; a bigger answer is not one the API sends.
pub(crate) const MAX_BODY_BYTES: usize = 64 * 1024 * 1024;

/// The most objects of one kind wxcc reads: no tenant holds more of one kind (users, the
/// largest, are counted in thousands), so a list that claims more is not believed.
pub(crate) const MAX_OBJECTS_PER_KIND: u64 = 100_000;

/// The smallest page the API pages by: its default page size (docs/api-notes.md §1.5). It
/// clamps a bigger `pageSize` down to an unstated maximum, never below its default.
const MIN_PAGE_SIZE: u64 = 100;

/// The most pages one list read follows: every object of the largest plausible kind at the
/// smallest plausible page size.
pub(crate) const MAX_PAGES: u64 = MAX_OBJECTS_PER_KIND.div_ceil(MIN_PAGE_SIZE);

/// A request path under the base URL, kept as percent-encoded segments. The route's fixed
/// segments come from the catalogue; every value (org, id, blob id) is one segment with
/// everything but unreserved characters encoded, so no value can add a segment, climb with
/// `..`, start a query or name a host.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ApiPath {
    segments: Vec<String>,
}

impl ApiPath {
    /// `/organization/{org}/{route}`, `route` being a catalogue path such as `v2/team`.
    pub(crate) fn org(org: &str, route: &str) -> Result<ApiPath, ApiError> {
        let mut path = ApiPath {
            segments: vec!["organization".into()],
        }
        .with(org)?;
        path.segments
            .extend(route.split('/').filter(|s| !s.is_empty()).map(encode));
        Ok(path)
    }

    /// A fixed route outside the org tree (`/v1/tasks`, `/search`), written in the code, never
    /// taken from data; each of its segments is encoded all the same.
    pub(crate) fn route(route: &str) -> ApiPath {
        ApiPath {
            segments: route
                .split('/')
                .filter(|s| !s.is_empty())
                .map(encode)
                .collect(),
        }
    }

    /// This path with one more segment holding `value`.
    pub(crate) fn with(mut self, value: &str) -> Result<ApiPath, ApiError> {
        if value.is_empty() || value == "." || value == ".." {
            return Err(ApiError::Refused {
                message: format!(
                    "wxcc will not build a request path with the segment \"{}\" under {}",
                    server_text(value),
                    self
                ),
            });
        }
        self.segments.push(encode(value));
        Ok(self)
    }

    /// The URL of this path on `base` (whose own path, if any, is kept as a prefix). The
    /// segments are already encoded down to unreserved characters and `%XX`, which the URL
    /// parser keeps as they are.
    pub(crate) fn url(&self, base: &Url) -> Result<Url, ApiError> {
        let mut root = base.clone();
        root.set_query(None);
        root.set_fragment(None);
        let text = format!("{}{self}", root.as_str().trim_end_matches('/'));
        Url::parse(&text).map_err(|e| ApiError::Refused {
            message: format!("cannot build a request URL on {base}: {e}"),
        })
    }
}

impl std::fmt::Display for ApiPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for s in &self.segments {
            write!(f, "/{s}")?;
        }
        Ok(())
    }
}

/// Percent-encodes everything but RFC 3986's unreserved characters, `%` included, so the
/// URL parser never reads an encoded dot segment or separator back out of a value.
fn encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The query of a `links.next` to read with the list's own path. The link is documented as
/// a path relative to the API host (docs/api-notes.md §1.5), so it must be an absolute path
/// (`/organization/…`, optionally behind a prefix such as `/cms/api`) or a URL on the base's
/// scheme, host and port without user info; its path must be the list being read. Anything
/// else is refused, so the token is never sent to another host and a page of another list
/// or org is never mixed in.
pub(crate) fn next_link_query(
    base: &Url,
    list: &ApiPath,
    link: &str,
) -> Result<Vec<(String, String)>, ApiError> {
    let refuse = |why: &str| ApiError::Refused {
        message: format!(
            "GET {list}: the API's `links.next` is \"{}\", {why}; wxcc follows links only to the next page of the same list on the API host, so it stopped",
            server_text(link)
        ),
    };
    let absolute_url = Url::parse(link).is_ok();
    if !absolute_url && (!link.starts_with('/') || link.starts_with("//")) {
        return Err(refuse(
            "not a path on the API host (a link must start with a single `/`)",
        ));
    }
    let url = base.join(link).map_err(|_| refuse("not a valid link"))?;
    if url.scheme() != base.scheme()
        || url.host() != base.host()
        || url.port_or_known_default() != base.port_or_known_default()
    {
        return Err(refuse("which points to another host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("which carries user info"));
    }
    let path = url.path();
    let expected = list.to_string();
    let from_list = path
        .find("/organization/")
        .is_some_and(|i| path[i..] == expected);
    if !from_list {
        return Err(refuse("which is not the list being read"));
    }
    Ok(url.query_pairs().into_owned().collect())
}

/// Refuses a list whose page count is not believable: more records than any tenant holds,
/// more pages than its records fill, or more pages than [`MAX_PAGES`].
pub(crate) fn check_page_count(
    list: &ApiPath,
    total_pages: u64,
    total_records: Option<u64>,
    page_size: Option<u64>,
) -> Result<(), ApiError> {
    let refuse = |why: String| ApiError::Refused {
        message: format!("GET {list}: {why}; wxcc did not read the list"),
    };
    if let Some(records) = total_records
        && records > MAX_OBJECTS_PER_KIND
    {
        return Err(refuse(format!(
            "the list reports {records} objects, more than the {MAX_OBJECTS_PER_KIND} wxcc reads of one kind"
        )));
    }
    if let (Some(records), Some(size)) = (total_records, page_size.filter(|s| *s > 0)) {
        let needed = records.div_ceil(size).max(1);
        if total_pages > needed {
            return Err(refuse(format!(
                "the list reports {total_pages} pages for {records} objects at {size} a page, which fill {needed}"
            )));
        }
    }
    if total_pages > MAX_PAGES {
        return Err(refuse(format!(
            "the list reports {total_pages} pages, more than the {MAX_PAGES} wxcc reads of one list"
        )));
    }
    Ok(())
}

/// Refuses a list read that has gone past the caps while following `links.next`.
pub(crate) fn check_read_so_far(
    list: &ApiPath,
    pages: u64,
    objects: usize,
) -> Result<(), ApiError> {
    if pages > MAX_PAGES || objects as u64 > MAX_OBJECTS_PER_KIND {
        return Err(ApiError::Refused {
            message: format!(
                "GET {list}: the list goes on past {MAX_PAGES} pages or {MAX_OBJECTS_PER_KIND} objects, the most wxcc reads of one kind; it stopped"
            ),
        });
    }
    Ok(())
}

/// Refuses objects whose id is not one the API issues, naming the kind and the key, before
/// any request path is built from them.
pub(crate) fn check_ids(kind: &Kind, objects: &[Map<String, Value>]) -> Result<(), ApiError> {
    for object in objects {
        check_object_id(kind, object)?;
    }
    Ok(())
}

/// Refuses one object whose `id` (or, for an uploading kind, `blobId`) is malformed.
pub(crate) fn check_object_id(kind: &Kind, object: &Map<String, Value>) -> Result<(), ApiError> {
    let key = object
        .get(kind.key)
        .map(|k| match k {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
        .unwrap_or_else(|| "(no key)".into());
    let bad = |field: &str, value: &Value, shape: &str| ApiError::Refused {
        message: format!(
            "the API returned {} \"{}\" with {field} {}, which is not {shape}; wxcc will not build a request from it",
            kind.name,
            server_text(&key),
            server_text(&value.to_string()),
        ),
    };
    if let Some(id) = object.get("id")
        && !id.as_str().is_some_and(valid_id)
    {
        return Err(bad("id", id, ID_SHAPE));
    }
    if let Some(parts) = kind.upload
        && let Some(stored) = object.get(parts.stored_id)
        && !stored.is_null()
        && !stored.as_str().is_some_and(valid_blob_id)
    {
        return Err(bad(parts.stored_id, stored, BLOB_ID_SHAPE));
    }
    Ok(())
}

/// Refuses the id of a stored file that is not one the API issues.
pub(crate) fn check_stored_id(parts: &UploadParts, id: &str) -> Result<(), ApiError> {
    if valid_blob_id(id) {
        return Ok(());
    }
    Err(ApiError::Refused {
        message: format!(
            "the API gave the {} \"{}\", which is not {BLOB_ID_SHAPE}; wxcc will not download it",
            parts.stored_id,
            server_text(id)
        ),
    })
}

const ID_SHAPE: &str =
    "an id the API issues (a UUID, or a 20-character legacy id of letters, digits, `-` and `_`)";
const BLOB_ID_SHAPE: &str = "a blob id the API issues (`<kind>_<UUID>`)";

/// The shapes of object ids (docs/api-notes.md §1.3): UUIDs on current tenants, for every
/// kind users included, and 20-character legacy ids such as `AXYleKyhpxttOlBXBjqg` on older
/// ones (sites, teams, idle and wrap-up codes; docs/api-notes.md §7 of the data APIs).
/// The id a bulk result's `href` ends with (`/api/organization/<org>/site/<id>`), when it
/// is one.
pub(crate) fn id_from_href(href: &str) -> Option<String> {
    let id = href.trim_end_matches('/').rsplit('/').next()?;
    valid_id(id).then(|| id.to_string())
}

fn valid_id(id: &str) -> bool {
    is_uuid(id)
        || (id.len() == 20
            && id
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
}

/// A blob id: a kind's name, `_`, a UUID (`audio-file_<uuid>`, docs/api-notes.md §3.4).
fn valid_blob_id(id: &str) -> bool {
    id.rsplit_once('_').is_some_and(|(kind, uuid)| {
        !kind.is_empty()
            && kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
            && is_uuid(uuid)
    })
}

/// A UUID written with its dashes (8-4-4-4-12 hex digits).
fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Why an answer's body could not be read.
pub(crate) enum BodyError {
    /// Longer than [`MAX_BODY_BYTES`]: reading stopped there.
    TooLarge,
    /// The connection broke.
    Broken(String),
}

/// Reads an answer's body, chunk by chunk, stopping at [`MAX_BODY_BYTES`].
pub(crate) async fn read_body(mut response: reqwest::Response) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|e| BodyError::Broken(server_text(&e.to_string())))?
    {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The message for an answer over the cap.
pub(crate) fn too_large(method: &str, path: &ApiPath) -> ApiError {
    ApiError::Refused {
        message: format!(
            "{method} {path}: the answer is larger than {} MiB, the most wxcc reads; it stopped reading",
            MAX_BODY_BYTES / (1024 * 1024)
        ),
    }
}

/// The reason shown for a 3xx: wxcc follows no redirect, since following one would send the
/// token (or repeat a write) somewhere other than the API host.
pub(crate) fn redirect_reason(headers: &HeaderMap) -> String {
    let to = headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(|l| format!(" to \"{}\"", server_text(l)))
        .unwrap_or_default();
    format!(
        "the API answered with a redirect{to}, which wxcc does not follow: the request was not carried out"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base() -> Url {
        Url::parse("http://127.0.0.1:8080").expect("url")
    }

    #[test]
    fn a_bulk_href_yields_an_id_only_when_it_ends_with_one() {
        let id = "3c9b3e40-7d4d-4311-b133-e7fae6fb4951";
        assert_eq!(
            id_from_href(&format!("/api/organization/o/site/{id}")).as_deref(),
            Some(id)
        );
        assert_eq!(id_from_href("/api/organization/o/site/.."), None);
        assert_eq!(id_from_href("/api/organization/o/site/a b?c"), None);
        assert_eq!(id_from_href(""), None);
    }

    fn list() -> ApiPath {
        ApiPath::org("o1", "v2/team").expect("path")
    }

    #[test]
    fn values_are_one_encoded_segment() {
        let p = ApiPath::org("o1", "site")
            .and_then(|p| p.with("../team/victim"))
            .expect("path");
        assert_eq!(p.to_string(), "/organization/o1/site/..%2Fteam%2Fvictim");
        assert_eq!(
            p.url(&base()).expect("url").as_str(),
            "http://127.0.0.1:8080/organization/o1/site/..%2Fteam%2Fvictim"
        );
        let q = ApiPath::org("o1", "blob")
            .and_then(|p| p.with("a%2e%2e?x#y"))
            .expect("path");
        assert_eq!(q.to_string(), "/organization/o1/blob/a%252e%252e%3Fx%23y");
        assert!(
            ApiPath::org("o1", "site")
                .expect("path")
                .with("..")
                .is_err()
        );
        assert!(ApiPath::org("", "site").is_err());
    }

    #[test]
    fn next_links_stay_on_the_list_and_host() {
        let ok = next_link_query(
            &base(),
            &list(),
            "/cms/api/organization/o1/v2/team?page=2&pageSize=100&filter=name%3D%3D%22A%20B%22",
        )
        .expect("followed");
        assert_eq!(ok[2], ("filter".to_string(), "name==\"A B\"".to_string()));
        assert!(
            next_link_query(
                &base(),
                &list(),
                "http://127.0.0.1:8080/organization/o1/v2/team?page=1"
            )
            .is_ok()
        );
        for bad in [
            "@127.0.0.1:9/organization/o1/v2/team?page=1",
            "//evil.example/organization/o1/v2/team?page=1",
            "https://127.0.0.1:8080/organization/o1/v2/team?page=1",
            "http://127.0.0.1:9/organization/o1/v2/team?page=1",
            "http://u:p@127.0.0.1:8080/organization/o1/v2/team?page=1",
            "/organization/o2/v2/team?page=1",
            "/organization/o1/v2/user?page=1",
            "organization/o1/v2/team?page=1",
        ] {
            assert!(next_link_query(&base(), &list(), bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn id_shapes() {
        assert!(valid_id("1eb65fdf-9643-417f-9974-ad72cae0e10f"));
        assert!(valid_id("AXYleKyhpxttOlBXBjqg"));
        assert!(valid_id("AXUH3oN12eV-WekpnDpl"));
        for bad in [
            "../team/victim",
            "",
            "1eb65fdf96434",
            "AXYleKyhpxttOlBXBjq/",
            "1eb65fdf-9643-417f-9974-ad72cae0e10f/x",
        ] {
            assert!(!valid_id(bad), "{bad}");
        }
        assert!(valid_blob_id(
            "audio-file_1eb65fdf-9643-417f-9974-ad72cae0e10f"
        ));
        assert!(!valid_blob_id("audio-file_../x"));
        assert!(!valid_blob_id("_1eb65fdf-9643-417f-9974-ad72cae0e10f"));
    }

    #[test]
    fn page_counts_must_fit_their_records() {
        assert!(check_page_count(&list(), 3, Some(250), Some(100)).is_ok());
        assert!(check_page_count(&list(), 1, Some(0), Some(100)).is_ok());
        assert!(check_page_count(&list(), 99_999, Some(5), Some(1000)).is_err());
        assert!(check_page_count(&list(), 99_999, None, None).is_err());
        assert!(
            check_page_count(&list(), 2, Some(MAX_OBJECTS_PER_KIND + 1), Some(100_000)).is_err()
        );
    }
}
