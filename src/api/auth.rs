//! Credentials for API calls. A token is held as a [`Secret`], whose `Debug` and `Display`
//! never show it, so it cannot leak into logs or error messages by accident. Credentials are
//! either a fixed token or a [`TokenSession`] that renews itself.

use std::fmt;
use std::sync::Arc;

use super::error::ApiError;
use super::redact;
use super::token_session::TokenSession;

/// A token or client secret. Printing it prints `***`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret and remembers it, so that a server answer echoing it is redacted
    /// before it is shown (see `redact`).
    pub fn new(value: impl Into<String>) -> Secret {
        let value = value.into();
        redact::register(&value);
        Secret(value)
    }

    /// The value itself, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where the bearer token for each request comes from.
#[derive(Clone, Debug)]
pub enum Credentials {
    /// A token given as it is (`WXCC_ACCESS_TOKEN`); it cannot be renewed.
    Static(Arc<Secret>),
    /// A signed-in session (a profile, a CI refresh token, the emulator's quick start) that
    /// renews its access token ahead of expiry and after a 401.
    Renewing(Arc<TokenSession>),
}

impl Credentials {
    pub fn token(token: Secret) -> Credentials {
        Credentials::Static(Arc::new(token))
    }

    pub fn session(session: TokenSession) -> Credentials {
        Credentials::Renewing(Arc::new(session))
    }

    /// The token to send now (renewed first when it is about to expire).
    pub async fn bearer(&self) -> Result<Secret, ApiError> {
        match self {
            Credentials::Static(t) => Ok((**t).clone()),
            Credentials::Renewing(s) => s.bearer().await,
        }
    }

    /// Called once after a 401: renews the token if that is possible. `Ok(true)` means the
    /// request is worth sending again.
    pub async fn renew_after_unauthorized(&self, rejected: &Secret) -> Result<bool, ApiError> {
        match self {
            Credentials::Static(_) => Ok(false),
            Credentials::Renewing(s) => s.renew_after_unauthorized(rejected).await,
        }
    }
}
