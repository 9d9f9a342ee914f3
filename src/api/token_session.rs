//! A signed-in session that keeps itself signed in: the current access token and the refresh
//! token with their expiry times, renewed with Webex's refresh grant ahead of expiry and once
//! after a 401, and each rotated refresh token kept where it came from (a profile file, a
//! CI refresh-token file, or nowhere, with a warning).
//!
//! Lifetimes are never assumed: they come from `expires_in` and `refresh_token_expires_in`
//! (docs/api-notes.md §D6). Refreshes are serialised: one lock in the process, and a lock
//! file between processes that share a profile, so concurrent workers refresh once.
//!
//! A renewal whose answer is lost (no answer, a 5xx, a garbled body) may still have rotated
//! the refresh token at Webex, so it is asked again with the token wxcc holds; and a CI
//! refresh-token file keeps the token it replaced beside it (`<file>.previous`) until the new
//! one has been used once, to fall back on if the new one is refused. What this can and
//! cannot recover is in docs/auth.md ("Lost renewals").

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use tokio::sync::Mutex;

use super::auth::Secret;
use super::error::ApiError;
use super::oauth::{self, TokenResponse};
use super::token_store::{ProfileLock, TokenStore};
use crate::atomic_file::write_atomically;

/// The tokens of a session at one moment.
#[derive(Clone, Debug)]
pub struct Tokens {
    /// `None` until the first exchange (a CI run that starts from a refresh token).
    pub access: Option<Secret>,
    pub access_expires_at: SystemTime,
    /// `expires_in` at issue; the refresh margin is derived from it.
    pub access_lifetime: Duration,
    pub refresh: Option<Secret>,
    pub refresh_expires_at: Option<SystemTime>,
}

impl Tokens {
    /// Tokens just received from the token endpoint; what the answer leaves out (some
    /// answers carry no refresh token) is kept from `previous`.
    pub fn from_response(response: &TokenResponse, previous: Option<&Tokens>) -> Tokens {
        let now = SystemTime::now();
        let lifetime = Duration::from_secs(response.expires_in);
        Tokens {
            access: Some(response.access_token.clone()),
            access_expires_at: now + lifetime,
            access_lifetime: lifetime,
            refresh: response
                .refresh_token
                .clone()
                .or_else(|| previous.and_then(|p| p.refresh.clone())),
            refresh_expires_at: response
                .refresh_token_expires_in
                .map(|s| now + Duration::from_secs(s))
                .or_else(|| previous.and_then(|p| p.refresh_expires_at)),
        }
    }

    /// Whether the access token is still good for a while: it is renewed `margin` before it
    /// expires, so that no request goes out with a token about to lapse.
    fn fresh(&self, now: SystemTime) -> bool {
        self.access.is_some() && now + refresh_margin(self.access_lifetime) < self.access_expires_at
    }
}

/// Attempts of one renewal while its answers are lost.
const RENEWAL_ATTEMPTS: u32 = 3;

/// The wait before asking again after a lost answer, times the attempt number.
const RENEWAL_RETRY_WAIT: Duration = Duration::from_millis(500);

/// How long before expiry a token is renewed: a tenth of its lifetime, at most five minutes,
/// and at least two seconds (or half the lifetime, for very short-lived tokens).
pub fn refresh_margin(lifetime: Duration) -> Duration {
    let floor = (lifetime / 2).min(Duration::from_secs(2));
    (lifetime / 10).max(floor).min(Duration::from_secs(300))
}

/// Where a renewed refresh token is kept.
#[derive(Clone, Debug)]
pub enum Persist {
    /// A signed-in profile's file.
    Profile { store: TokenStore, name: String },
    /// A file a CI pipeline keeps between runs (`WXCC_REFRESH_TOKEN_FILE`).
    File(PathBuf),
    /// Not kept; `warn` says whether losing a rotated token deserves a warning.
    Nowhere { warn: bool },
}

/// What the session needs to renew itself.
pub struct SessionConfig {
    pub auth_base: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub tokens: Tokens,
    pub persist: Persist,
    /// Names the credentials in messages: "profile `work`".
    pub label: String,
    /// What to do when renewal is impossible: "run `wxcc login --profile work`".
    pub sign_in_again: String,
}

pub struct TokenSession {
    http: reqwest::Client,
    auth_base: String,
    client_id: String,
    client_secret: Secret,
    persist: Persist,
    label: String,
    sign_in_again: String,
    tokens: Mutex<Tokens>,
}

impl std::fmt::Debug for TokenSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSession")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl TokenSession {
    pub fn new(config: SessionConfig) -> Result<TokenSession, ApiError> {
        Ok(TokenSession {
            http: oauth::http_client()?,
            auth_base: config.auth_base,
            client_id: config.client_id,
            client_secret: config.client_secret,
            persist: config.persist,
            label: config.label,
            sign_in_again: config.sign_in_again,
            tokens: Mutex::new(config.tokens),
        })
    }

    /// The access token to send now, renewed first when it is close to expiry. Workers that
    /// ask while a renewal is under way wait for it and share its result.
    pub async fn bearer(&self) -> Result<Secret, ApiError> {
        let mut tokens = self.tokens.lock().await;
        if !tokens.fresh(SystemTime::now()) {
            self.renew(&mut tokens).await?;
        }
        tokens.access.clone().ok_or_else(|| ApiError::Auth {
            message: format!("no access token for {}", self.label),
        })
    }

    /// After a 401: renews once, unless another worker already replaced the rejected token.
    /// `Ok(true)` means the request is worth sending again.
    pub async fn renew_after_unauthorized(&self, rejected: &Secret) -> Result<bool, ApiError> {
        let mut tokens = self.tokens.lock().await;
        if tokens.access.as_ref() != Some(rejected) {
            return Ok(true);
        }
        tracing::info!(
            "the API refused the access token of {} (401); renewing it once",
            self.label
        );
        self.renew(&mut tokens).await?;
        Ok(true)
    }

    /// The tokens now (for `login`, which stores them, and for tests).
    pub async fn snapshot(&self) -> Tokens {
        self.tokens.lock().await.clone()
    }

    async fn renew(&self, tokens: &mut Tokens) -> Result<(), ApiError> {
        let _lock = self.lock_profile().await?;
        if let Persist::Profile { store, name } = &self.persist
            && let Ok(Some(stored)) = store.load(name)
        {
            // Another wxcc process on this profile may have renewed while we waited.
            let theirs = Tokens {
                access: Some(stored.access_token.clone()),
                access_expires_at: stored.access_expires_at,
                access_lifetime: stored.access_lifetime,
                refresh: stored.refresh_token.clone(),
                refresh_expires_at: stored.refresh_expires_at,
            };
            if theirs.access != tokens.access && theirs.fresh(SystemTime::now()) {
                tracing::info!(
                    "using the access token another wxcc run renewed for {}",
                    self.label
                );
                *tokens = theirs;
                return Ok(());
            }
            if theirs.refresh.is_some() && theirs.refresh != tokens.refresh {
                tokens.refresh = theirs.refresh;
                tokens.refresh_expires_at = theirs.refresh_expires_at;
            }
        }
        let Some(refresh_token) = tokens.refresh.clone() else {
            return Err(ApiError::Auth {
                message: format!(
                    "the access token of {} has expired and there is no refresh token to renew it; {}",
                    self.label, self.sign_in_again
                ),
            });
        };
        if let Some(at) = tokens.refresh_expires_at
            && at <= SystemTime::now()
        {
            return Err(ApiError::Auth {
                message: format!(
                    "the refresh token of {} expired on {}; {}",
                    self.label,
                    httpdate::fmt_http_date(at),
                    self.sign_in_again
                ),
            });
        }
        let (mut answer, lost) = self.exchange(&refresh_token).await;
        let mut used = refresh_token;
        if refused(&answer)
            && let Some(previous) = self.previous_refresh(&used)
        {
            tracing::warn!(
                "Webex refused the refresh token of {}; trying the one it replaced, which wxcc keeps until its successor has been used once",
                self.label
            );
            let (again, _) = self.exchange(&previous).await;
            if again.is_ok() {
                answer = again;
                used = previous;
            }
        }
        let response = answer.map_err(|e| self.explain(e, lost))?;
        // What the answer leaves out is kept from the token that worked.
        let held = tokens.refresh.replace(used.clone());
        let renewed = Tokens::from_response(&response, Some(tokens));
        let rotated = renewed.refresh != held;
        *tokens = renewed;
        tracing::info!(
            "renewed the access token of {}; the new one expires in {} s",
            self.label,
            response.expires_in
        );
        self.keep(tokens, rotated, &used);
        Ok(())
    }

    /// One renewal with `refresh_token`, asked again with the same token while the answer
    /// is lost: Webex may have rotated it without the new one arriving, and the token wxcc
    /// holds is the only one it has. Returns the result and the last lost answer, if any.
    async fn exchange(
        &self,
        refresh_token: &Secret,
    ) -> (Result<TokenResponse, ApiError>, Option<ApiError>) {
        let mut lost = None;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let result = oauth::refresh(
                &self.http,
                &self.auth_base,
                &self.client_id,
                &self.client_secret,
                refresh_token,
            )
            .await;
            match result {
                Err(e) if e.is_ambiguous() && attempt < RENEWAL_ATTEMPTS => {
                    tracing::warn!(
                        "the answer to renewing the sign-in of {} was lost ({e}); Webex may already have replaced the refresh token, so wxcc asks again with the one it holds",
                        self.label
                    );
                    lost = Some(e);
                    tokio::time::sleep(RENEWAL_RETRY_WAIT * attempt).await;
                }
                other => return (other, lost),
            }
        }
    }

    /// The error a failed renewal ends the run with, saying what to do.
    fn explain(&self, e: ApiError, lost: Option<ApiError>) -> ApiError {
        match (e, lost) {
            (ApiError::Status { status, reason, .. }, Some(lost))
                if (400..500).contains(&status) =>
            {
                ApiError::Auth {
                    message: format!(
                        "the answer to renewing the sign-in of {} was lost ({lost}), and asking again with the refresh token wxcc holds was refused ({status}: {reason}): Webex had most likely already replaced it with a new one that never arrived, and no longer accepts the old one. This cannot be recovered without signing in again (see \"Lost renewals\" in docs/auth.md); {}",
                        self.label, self.sign_in_again
                    ),
                }
            }
            (ApiError::Status { status, reason, .. }, None) if (400..500).contains(&status) => {
                ApiError::Auth {
                    message: format!(
                        "Webex refused to renew the sign-in of {}: the refresh token has expired or was revoked ({status}: {reason}); {}",
                        self.label, self.sign_in_again
                    ),
                }
            }
            (other, _) => other,
        }
    }

    /// The refresh token a CI file's current one replaced, when it is kept and differs
    /// from `current`.
    fn previous_refresh(&self, current: &Secret) -> Option<Secret> {
        let Persist::File(path) = &self.persist else {
            return None;
        };
        let text = std::fs::read_to_string(previous_path(path)).ok()?;
        let token = text.trim();
        (!token.is_empty() && token != current.expose()).then(|| Secret::new(token))
    }

    async fn lock_profile(&self) -> Result<Option<ProfileLock>, ApiError> {
        let Persist::Profile { store, name } = &self.persist else {
            return Ok(None);
        };
        let (store, name) = (store.clone(), name.clone());
        let locked = tokio::task::spawn_blocking(move || store.lock(&name))
            .await
            .map_err(|e| ApiError::Auth {
                message: format!("cannot lock the profile: {e}"),
            })?;
        locked
            .map(Some)
            .map_err(|message| ApiError::Auth { message })
    }

    /// Stores renewed tokens. A failure to store is a warning, not an error: the run can go
    /// on with the tokens in memory, but the user must know the next run may not sign in.
    fn keep(&self, tokens: &Tokens, rotated: bool, used: &Secret) {
        match &self.persist {
            Persist::Profile { store, name } => match store.load(name) {
                Ok(Some(mut stored)) => {
                    if let Some(a) = &tokens.access {
                        stored.access_token = a.clone();
                    }
                    stored.access_expires_at = tokens.access_expires_at;
                    stored.access_lifetime = tokens.access_lifetime;
                    stored.refresh_token = tokens.refresh.clone();
                    stored.refresh_expires_at = tokens.refresh_expires_at;
                    if let Err(e) = store.save(name, &stored) {
                        tracing::warn!("cannot store the renewed tokens of {}: {e}", self.label);
                    }
                }
                Ok(None) => tracing::warn!(
                    "{} was removed during the run (wxcc logout?); the renewed tokens are not stored",
                    self.label
                ),
                Err(e) => tracing::warn!("cannot store the renewed tokens: {e}"),
            },
            Persist::File(path) => {
                if let (true, Some(r)) = (rotated, &tokens.refresh) {
                    // The token just used is kept beside the new one until the new one has
                    // been used once (the next renewal replaces it); it is written first,
                    // so at no moment is the file's token the only copy of a spent one.
                    let previous = format!("{}\n", used.expose());
                    if let Err(e) = write_atomically(&previous_path(path), previous.as_bytes()) {
                        tracing::warn!(
                            "cannot keep the previous refresh token beside {}: {e}",
                            path.display()
                        );
                    }
                    let text = format!("{}\n", r.expose());
                    match write_atomically(path, text.as_bytes()) {
                        Ok(()) => {
                            tracing::info!("stored the new refresh token in {}", path.display())
                        }
                        Err(e) => tracing::warn!(
                            "Webex issued a new refresh token but wxcc cannot write it to {}: {e}; the next run may not be able to sign in",
                            path.display()
                        ),
                    }
                }
            }
            Persist::Nowhere { warn } => {
                if rotated && *warn {
                    tracing::warn!(
                        "Webex issued a new refresh token, which wxcc cannot keep because only WXCC_REFRESH_TOKEN is set; set WXCC_REFRESH_TOKEN_FILE so the pipeline keeps the newest one (see docs/auth.md)"
                    );
                }
            }
        }
    }
}

/// Whether a renewal's answer is Webex refusing the refresh token.
fn refused(answer: &Result<TokenResponse, ApiError>) -> bool {
    matches!(answer, Err(ApiError::Status { status, .. }) if (400..500).contains(status))
}

/// `<file>.previous`: where a CI refresh-token file's previous token is kept.
pub(crate) fn previous_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".previous");
    PathBuf::from(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn margin_follows_the_lifetime() {
        let s = Duration::from_secs;
        assert_eq!(
            refresh_margin(s(43_199)),
            s(300),
            "12 h tokens: five minutes"
        );
        assert_eq!(refresh_margin(s(600)), s(60), "ten minutes: a tenth");
        assert_eq!(refresh_margin(s(6)), s(2), "very short: two seconds");
        assert_eq!(refresh_margin(s(2)), s(1), "shorter still: half");
    }

    #[test]
    fn freshness_uses_the_margin() {
        let now = SystemTime::now();
        let t = |left: u64| Tokens {
            access: Some(Secret::new("a")),
            access_expires_at: now + Duration::from_secs(left),
            access_lifetime: Duration::from_secs(3600),
            refresh: None,
            refresh_expires_at: None,
        };
        assert!(t(400).fresh(now));
        assert!(!t(200).fresh(now), "inside the five-minute margin");
    }
}
