//! One rate limiter for the whole run, shared by every request and worker: at most N
//! requests in any sliding minute, and a pause that all workers honour after a
//! `Retry-After`. It tells an optional progress observer about every request and wait.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Mutex;
use tokio::time::Instant;

use super::progress::{Observer, Wait};

pub struct RateLimiter {
    per_window: usize,
    window: Duration,
    state: Mutex<State>,
    observer: Option<Arc<dyn Observer>>,
}

struct State {
    sent: VecDeque<Instant>,
    paused_until: Option<Instant>,
}

impl RateLimiter {
    /// `per_minute` requests in any 60 seconds.
    pub fn per_minute(per_minute: u32) -> RateLimiter {
        RateLimiter::new(per_minute.max(1) as usize, Duration::from_secs(60))
    }

    pub fn new(per_window: usize, window: Duration) -> RateLimiter {
        RateLimiter {
            per_window: per_window.max(1),
            window,
            state: Mutex::new(State {
                sent: VecDeque::new(),
                paused_until: None,
            }),
            observer: None,
        }
    }

    /// Reports requests and waits to `observer`.
    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> RateLimiter {
        self.observer = Some(observer);
        self
    }

    /// Waits until one more request may go out, and counts it.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut s = self.state.lock().await;
                let now = Instant::now();
                while s
                    .sent
                    .front()
                    .is_some_and(|t| now.duration_since(*t) >= self.window)
                {
                    s.sent.pop_front();
                }
                match s.paused_until {
                    Some(until) if until > now => (until - now, Wait::RetryAfter),
                    _ if s.sent.len() < self.per_window => {
                        s.sent.push_back(now);
                        if let Some(o) = &self.observer {
                            o.request();
                        }
                        return;
                    }
                    _ => (
                        s.sent
                            .front()
                            .map(|t| self.window.saturating_sub(now.duration_since(*t)))
                            .unwrap_or_default(),
                        Wait::RateLimit,
                    ),
                }
            };
            let (wait, why) = wait;
            if let Some(o) = &self.observer {
                o.waiting(wait, why);
            }
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }

    /// Pauses every worker for `d` (the server said `Retry-After`).
    pub async fn pause(&self, d: Duration) {
        let mut s = self.state.lock().await;
        let until = Instant::now() + d;
        if s.paused_until.is_none_or(|u| u < until) {
            s.paused_until = Some(until);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn never_exceeds_the_window() {
        let limiter = RateLimiter::new(3, Duration::from_secs(10));
        let start = Instant::now();
        for _ in 0..3 {
            limiter.acquire().await;
        }
        assert!(start.elapsed() < Duration::from_secs(1));
        limiter.acquire().await;
        assert!(start.elapsed() >= Duration::from_secs(10));
    }

    #[tokio::test(start_paused = true)]
    async fn pause_holds_everyone() {
        let limiter = RateLimiter::new(100, Duration::from_secs(60));
        limiter.pause(Duration::from_secs(5)).await;
        let start = Instant::now();
        limiter.acquire().await;
        assert!(start.elapsed() >= Duration::from_secs(5));
    }
}
