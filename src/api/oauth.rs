//! The OAuth2 authorization-code flow with PKCE and the refresh grant, as Webex serves them
//! (docs/api-notes.md §5, docs/api-notes.md §D6): the authorize URL, the code exchange and the
//! refresh at `/v1/access_token` (form-encoded, client credentials in the body), a service
//! app's token from `/v1/applications/{applicationId}/token`, and the org id carried in a
//! token's `_<cluster>_<orgId>` suffix.
//!
//! Written by hand rather than with the `oauth2` crate: its reqwest integration pins an older
//! reqwest, and Webex's error bodies are not RFC 6749 shaped, so we would unwrap most of it.

use base64::Engine;
use rand::RngCore;
use serde::Deserialize;
use sha2::{Digest, Sha256};
use url::Url;

use super::auth::Secret;
use super::error::ApiError;
use super::redact::server_text;
use super::untrusted::{BodyError, read_body};

/// Webex's global OAuth host.
pub const WEBEX_AUTH_BASE: &str = "https://webexapis.com";

/// The scopes a config-as-code tool needs by default.
pub const DEFAULT_SCOPES: &[&str] = &["cjp:config_read", "cjp:config_write"];

/// The HTTP client for the OAuth host: no redirects (a token endpoint that redirects is
/// not one to follow with credentials), and a bounded wait.
pub fn http_client() -> Result<reqwest::Client, ApiError> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .user_agent(concat!("wxcc/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ApiError::Auth {
            message: format!("cannot build the HTTP client: {e}"),
        })
}

/// A token response from `/v1/access_token`.
#[derive(Clone, Debug)]
pub struct TokenResponse {
    pub access_token: Secret,
    pub expires_in: u64,
    pub refresh_token: Option<Secret>,
    pub refresh_token_expires_in: Option<u64>,
    pub scope: Option<String>,
}

#[derive(Deserialize)]
struct RawToken {
    access_token: String,
    expires_in: u64,
    refresh_token: Option<String>,
    refresh_token_expires_in: Option<u64>,
    scope: Option<String>,
}

/// A PKCE verifier and its S256 challenge.
pub struct Pkce {
    pub verifier: Secret,
    pub challenge: String,
}

impl Pkce {
    pub fn new() -> Pkce {
        let mut bytes = [0u8; 32];
        rand::rng().fill_bytes(&mut bytes);
        let verifier = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
        let challenge = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(verifier.as_bytes()));
        Pkce {
            verifier: Secret::new(verifier),
            challenge,
        }
    }
}

impl Default for Pkce {
    fn default() -> Self {
        Pkce::new()
    }
}

/// A random value for the `state` parameter.
pub fn random_state() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// `…/v1/authorize?response_type=code&client_id=…&redirect_uri=…&scope=…&state=…` with PKCE.
pub fn authorize_url(
    auth_base: &str,
    client_id: &str,
    redirect_uri: &str,
    scopes: &[String],
    state: &str,
    pkce: &Pkce,
) -> Result<Url, ApiError> {
    let mut url = Url::parse(&format!("{}/v1/authorize", auth_base.trim_end_matches('/')))
        .map_err(|e| ApiError::Auth {
            message: format!("bad authorization URL: {e}"),
        })?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("redirect_uri", redirect_uri)
        .append_pair("scope", &scopes.join(" "))
        .append_pair("state", state)
        .append_pair("code_challenge", &pkce.challenge)
        .append_pair("code_challenge_method", "S256");
    Ok(url)
}

/// Reads `code` from the URL the browser was sent back to, after checking `state`.
pub fn code_from_redirect(redirected: &Url, expected_state: &str) -> Result<String, ApiError> {
    let pairs: std::collections::HashMap<String, String> =
        redirected.query_pairs().into_owned().collect();
    if let Some(error) = pairs.get("error") {
        // Both come from the authorization server, through the browser.
        let detail = pairs
            .get("error_description")
            .map(|d| format!(": {}", server_text(d)))
            .unwrap_or_default();
        return Err(ApiError::Auth {
            message: format!("sign-in was refused ({}{detail})", server_text(error)),
        });
    }
    match pairs.get("state") {
        Some(s) if s == expected_state => {}
        Some(_) => {
            return Err(ApiError::Auth {
                message: "sign-in answer has the wrong `state`: it does not belong to this login (possible cross-site request); run `wxcc login` again".into(),
            });
        }
        None => {
            return Err(ApiError::Auth {
                message: "sign-in answer has no `state`; run `wxcc login` again".into(),
            });
        }
    }
    pairs.get("code").cloned().ok_or_else(|| ApiError::Auth {
        message: "sign-in answer has no `code`".into(),
    })
}

/// Exchanges an authorization code (with its PKCE verifier) for tokens.
pub async fn exchange_code(
    http: &reqwest::Client,
    auth_base: &str,
    client_id: &str,
    client_secret: &Secret,
    code: &str,
    redirect_uri: &str,
    pkce: &Pkce,
) -> Result<TokenResponse, ApiError> {
    token_request(
        http,
        auth_base,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", client_id),
            ("client_secret", client_secret.expose()),
            ("code", code),
            ("redirect_uri", redirect_uri),
            ("code_verifier", pkce.verifier.expose()),
        ],
    )
    .await
}

/// Exchanges a refresh token for new tokens (Webex returns a new refresh token each time).
pub async fn refresh(
    http: &reqwest::Client,
    auth_base: &str,
    client_id: &str,
    client_secret: &Secret,
    refresh_token: &Secret,
) -> Result<TokenResponse, ApiError> {
    token_request(
        http,
        auth_base,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", client_id),
            ("client_secret", client_secret.expose()),
            ("refresh_token", refresh_token.expose()),
        ],
    )
    .await
}

async fn token_request(
    http: &reqwest::Client,
    auth_base: &str,
    form: &[(&str, &str)],
) -> Result<TokenResponse, ApiError> {
    let url = format!("{}/v1/access_token", auth_base.trim_end_matches('/'));
    read_token(
        http.post(&url).form(form).send().await,
        auth_base,
        "/v1/access_token",
    )
    .await
}

/// A service app's tokens for one org (docs/api-notes.md §5, docs/api-notes.md §D6):
/// `POST /v1/applications/{applicationId}/token` with `{clientId, clientSecret,
/// targetOrgId}`, authorized by a token that holds `spark:applications_token`. The answer is
/// the usual token JSON; renewing uses the ordinary refresh grant.
pub async fn service_app_token(
    http: &reqwest::Client,
    auth_base: &str,
    authorizing: &Secret,
    application_id: &str,
    client_id: &str,
    client_secret: &Secret,
    target_org: &str,
) -> Result<TokenResponse, ApiError> {
    let mut url = Url::parse(auth_base).map_err(|e| ApiError::Auth {
        message: format!("bad auth URL {auth_base}: {e}"),
    })?;
    url.path_segments_mut()
        .map_err(|_| ApiError::Auth {
            message: format!("bad auth URL {auth_base}"),
        })?
        .pop_if_empty()
        .extend(["v1", "applications", application_id, "token"]);
    let path = url.path().to_string();
    let body = serde_json::json!({
        "clientId": client_id,
        "clientSecret": client_secret.expose(),
        "targetOrgId": webex_org_id(target_org),
    });
    let sent = http
        .post(url)
        .bearer_auth(authorizing.expose())
        .json(&body)
        .send()
        .await;
    read_token(sent, auth_base, &path).await
}

/// Webex's REST APIs name orgs by a base64 id (`ciscospark://us/ORGANIZATION/<uuid>`), WxCC
/// by the bare UUID; a UUID is turned into the former, anything else is passed as given.
pub fn webex_org_id(org: &str) -> String {
    if looks_like_uuid(org) {
        base64::engine::general_purpose::STANDARD_NO_PAD
            .encode(format!("ciscospark://us/ORGANIZATION/{org}"))
    } else {
        org.to_string()
    }
}

async fn read_token(
    sent: Result<reqwest::Response, reqwest::Error>,
    auth_base: &str,
    path: &str,
) -> Result<TokenResponse, ApiError> {
    let path = path.to_string();
    let response = sent.map_err(|e| ApiError::Transport {
        method: "POST".into(),
        path: path.clone(),
        tracking_id: String::new(),
        message: if e.is_connect() {
            format!("could not connect to {auth_base}")
        } else if e.is_timeout() {
            "the token request timed out".into()
        } else {
            "the token request failed".into()
        },
    })?;
    let status = response.status();
    let bytes = match read_body(response).await {
        Ok(b) => b,
        Err(BodyError::TooLarge) => {
            return Err(ApiError::Refused {
                message: format!("POST {path}: the token endpoint's answer is too large to be one"),
            });
        }
        Err(BodyError::Broken(_)) => Vec::new(),
    };
    if !status.is_success() {
        let body: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        let message = body
            .get("message")
            .or_else(|| body.get("error_description"))
            .or_else(|| body.get("error"))
            .and_then(|v| v.as_str())
            .map(server_text)
            .unwrap_or_else(|| "no reason given".into());
        let tracking_id = body
            .get("trackingId")
            .and_then(|v| v.as_str())
            .map(server_text)
            .unwrap_or_default();
        return Err(ApiError::Status {
            method: "POST".into(),
            path,
            status: status.as_u16(),
            tracking_id,
            reason: message,
            referenced_by: Vec::new(),
        });
    }
    // The error names a field or position, never the body, so no token can leak through it.
    let raw: RawToken = serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode {
        method: "POST".into(),
        path,
        tracking_id: String::new(),
        message: format!("token response is not what Webex documents: {e}"),
    })?;
    Ok(TokenResponse {
        access_token: Secret::new(raw.access_token),
        expires_in: raw.expires_in,
        refresh_token: raw.refresh_token.map(Secret::new),
        refresh_token_expires_in: raw.refresh_token_expires_in,
        scope: raw.scope,
    })
}

/// The org id at the end of a Webex token (`<opaque>_<cluster>_<orgId>`), when it is there.
pub fn org_from_token(token: &Secret) -> Option<String> {
    let last = token.expose().rsplit('_').next()?;
    looks_like_uuid(last).then(|| last.to_string())
}

fn looks_like_uuid(s: &str) -> bool {
    s.len() == 36
        && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-')
        && s.matches('-').count() == 4
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn org_comes_from_the_token_suffix() {
        let t = Secret::new("ZmFrZQ_PF84_1eb65fdf-9643-417f-9974-ad72cae0e10f");
        assert_eq!(
            org_from_token(&t).as_deref(),
            Some("1eb65fdf-9643-417f-9974-ad72cae0e10f")
        );
        assert_eq!(org_from_token(&Secret::new("opaque")), None);
    }

    #[test]
    fn state_is_checked() {
        let u = Url::parse("http://127.0.0.1/cb?code=abc&state=s1").expect("url");
        assert_eq!(code_from_redirect(&u, "s1").expect("ok"), "abc");
        assert!(code_from_redirect(&u, "s2").is_err());
    }

    #[test]
    fn org_uuid_becomes_a_webex_id() {
        assert_eq!(
            webex_org_id("1eb65fdf-9643-417f-9974-ad72cae0e10f"),
            "Y2lzY29zcGFyazovL3VzL09SR0FOSVpBVElPTi8xZWI2NWZkZi05NjQzLTQxN2YtOTk3NC1hZDcyY2FlMGUxMGY"
        );
        assert_eq!(webex_org_id("Y2lzY29"), "Y2lzY29");
    }

    #[test]
    fn pkce_challenge_is_s256_of_verifier() {
        let p = Pkce::new();
        let expected = base64::engine::general_purpose::URL_SAFE_NO_PAD
            .encode(Sha256::digest(p.verifier.expose().as_bytes()));
        assert_eq!(p.challenge, expected);
    }
}
