//! The WxCC REST client: regions and base URLs, credentials, sign-in sessions that renew
//! themselves and the profiles they are stored in, the shared rate limiter, retries that
//! honour `Retry-After`, pagination of list endpoints, and errors that name the method,
//! path, status, tracking id and the API's reason. Tokens never reach a log line.

mod auth;
mod client;
mod error;
pub mod oauth;
pub mod progress;
mod ratelimit;
mod redact;
mod region;
mod token_session;
mod token_store;
mod untrusted;

pub use auth::{Credentials, Secret};
pub use client::{Client, ClientOptions, IDS_PER_FILTERED_READ, Payload, UploadBody};
pub use error::ApiError;
pub use ratelimit::RateLimiter;
pub(crate) use redact::server_text;
pub use region::{REGIONS, base_url_for_region, check_base_url};
pub use token_session::{Persist, SessionConfig, TokenSession, Tokens, refresh_margin};
pub use token_store::{ProfileKind, StoredProfile, TokenStore, check_profile_name, epoch_seconds};
pub(crate) use untrusted::id_from_href;
