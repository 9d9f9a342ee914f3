//! The hook through which a run's progress is seen: the rate limiter (which every request
//! passes) tells an observer each time a request goes out and each time it has to wait,
//! and why. What is shown, and where, is the caller's business (`cli::progress`).

use std::time::Duration;

/// Why the limiter holds requests back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// The run's own `--rate-limit` window is full.
    RateLimit,
    /// The API answered 429 with `Retry-After`; every worker pauses.
    RetryAfter,
}

/// Told about requests and waits; called from any worker, so it must be cheap.
pub trait Observer: Send + Sync {
    /// A request passed the limiter and is about to be sent.
    fn request(&self);
    /// Requests are held for `for_at_most` (the wait may end sooner).
    fn waiting(&self, for_at_most: Duration, why: Wait);
}
