//! Progress on stderr, on a terminal only (never with `--quiet`): while a run reads the
//! tenant, one live line counts kinds, objects and requests and says when requests are
//! held (the run's `--rate-limit`, or a `Retry-After` from the API); after that, while
//! changes are applied, each such wait is one line. Off a terminal nothing extra is
//! printed, so scripts see only the output they parse.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::api::progress::{Observer, Wait};

/// Waits shorter than this are not worth a word.
const NOTABLE_WAIT: Duration = Duration::from_millis(500);

/// The progress of one run; does nothing when progress is off.
#[derive(Clone)]
pub struct Progress {
    shown: Option<Arc<Shown>>,
}

struct Shown {
    /// The live line while the tenant is read; `None` once reading is over.
    bar: Mutex<Option<ProgressBar>>,
    requests: AtomicU64,
    kinds_total: AtomicUsize,
    kinds_read: AtomicUsize,
    objects: AtomicUsize,
    /// What the line says about a wait, and until when that holds.
    wait: Mutex<Option<(String, Instant)>>,
    /// The end of the last wait announced, so one pause is announced once.
    announced_until: Mutex<Option<Instant>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Progress {
    /// Shows progress when `on` (the settings say stderr is a terminal and no `--quiet`).
    pub fn new(on: bool) -> Progress {
        if !on {
            return Progress { shown: None };
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        let shown = Arc::new(Shown {
            bar: Mutex::new(Some(bar)),
            requests: AtomicU64::new(0),
            kinds_total: AtomicUsize::new(0),
            kinds_read: AtomicUsize::new(0),
            objects: AtomicUsize::new(0),
            wait: Mutex::new(None),
            announced_until: Mutex::new(None),
        });
        shown.redraw();
        Progress { shown: Some(shown) }
    }

    /// The observer to give the rate limiter, when progress is on.
    pub fn observer(&self) -> Option<Arc<dyn Observer>> {
        self.shown.clone().map(|s| s as Arc<dyn Observer>)
    }

    /// `n` kinds are about to be read.
    pub fn reading(&self, n: usize) {
        if let Some(s) = &self.shown {
            s.kinds_total.store(n, Ordering::Relaxed);
            s.redraw();
        }
    }

    /// A kind was read, with this many objects.
    pub fn kind_read(&self, objects: usize) {
        if let Some(s) = &self.shown {
            s.kinds_read.fetch_add(1, Ordering::Relaxed);
            s.objects.fetch_add(objects, Ordering::Relaxed);
            s.redraw();
        }
    }

    /// Reading is over: the live line goes, so that what follows prints cleanly.
    pub fn done_reading(&self) {
        if let Some(s) = &self.shown
            && let Some(bar) = lock(&s.bar).take()
        {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Shown {
    fn drop(&mut self) {
        if let Some(bar) = lock(&self.bar).take() {
            bar.finish_and_clear();
        }
    }
}

impl Shown {
    fn redraw(&self) {
        let bar = lock(&self.bar);
        let Some(bar) = bar.as_ref() else {
            return;
        };
        let total = self.kinds_total.load(Ordering::Relaxed);
        let kinds = if total == 0 {
            "connecting".to_string()
        } else {
            format!("{}/{total} kinds", self.kinds_read.load(Ordering::Relaxed))
        };
        let requests = self.requests.load(Ordering::Relaxed);
        let mut message = format!(
            "reading the tenant: {kinds}, {} objects, {requests} request{}",
            self.objects.load(Ordering::Relaxed),
            if requests == 1 { "" } else { "s" }
        );
        if let Some((note, until)) = lock(&self.wait).as_ref()
            && *until > Instant::now()
        {
            message.push_str(" — ");
            message.push_str(note);
        }
        bar.set_message(message);
    }
}

impl Observer for Shown {
    fn request(&self) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        self.redraw();
    }

    fn waiting(&self, for_at_most: Duration, why: Wait) {
        if for_at_most < NOTABLE_WAIT {
            return;
        }
        let until = Instant::now() + for_at_most;
        {
            let mut announced = lock(&self.announced_until);
            // The same pause, seen again by another worker or a later loop.
            if announced.is_some_and(|a| until <= a + NOTABLE_WAIT) {
                return;
            }
            *announced = Some(until);
        }
        let seconds = for_at_most.as_secs_f64().ceil() as u64;
        let note = match why {
            Wait::RetryAfter => format!(
                "waiting {seconds} s: the API is rate-limiting this client (429, Retry-After)"
            ),
            Wait::RateLimit => {
                format!("waiting up to {seconds} s to stay within --rate-limit")
            }
        };
        let reading = lock(&self.bar).is_some();
        if reading {
            *lock(&self.wait) = Some((note, until));
            self.redraw();
        } else {
            anstream::eprintln!("note: {note}");
        }
    }
}
