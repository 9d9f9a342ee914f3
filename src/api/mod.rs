//! The WxCC REST client: regions and base URLs, credentials, the shared rate limiter,
//! retries that honour `Retry-After`, pagination of list endpoints, and errors that name the
//! method, path, status, tracking id and the API's reason. Tokens never reach a log line.

mod auth;
mod client;
mod error;
pub mod oauth;
mod ratelimit;
mod region;

pub use auth::{Credentials, Secret};
pub use client::{Client, ClientOptions, UploadBody};
pub use error::ApiError;
pub use ratelimit::RateLimiter;
pub use region::{REGIONS, base_url_for_region, check_base_url};
