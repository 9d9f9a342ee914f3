//! `wxcc emulator serve`: the emulated API on a loopback port until interrupted;
//! `wxcc emulator reset`: forget its state, so the next run starts from a new tenant.

use std::io::Write;

use super::args::{ResetArgs, ServeArgs};
use crate::emulator::{Emulator, RateLimit, StateLock};
use crate::error::Error;

pub async fn serve(args: &ServeArgs) -> Result<(), Error> {
    let rate_limit = args.throttle.as_deref().map(parse_rate_limit).transpose()?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", args.port))
        .await
        .map_err(|e| Error::Emulator(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
    // Settings from flags go into the state before the server serves it.
    let emulator = Emulator::serve(listener, args.state.clone(), |state| {
        if let Some(r) = rate_limit {
            state.settings.rate_limit = Some(r);
        }
        if let Some(n) = args.max_page_size {
            state.settings.max_page_size = n.max(1);
        }
    })
    .await
    .map_err(|e| Error::Emulator(e.to_string()))?;
    let seeded = match args.seed_activity {
        Some(days) if days > MAX_SEED_DAYS => {
            emulator.stop().await;
            return Err(Error::Usage(format!(
                "--seed-activity {days}: at most {MAX_SEED_DAYS} days"
            )));
        }
        Some(days) => format!(
            "synthetic activity: {} tasks over the last {days} days\n",
            emulator.seed_activity(days, args.tasks_per_hour)
        ),
        None => String::new(),
    };
    let (client_id, _) = emulator.quickstart_client();
    let url = emulator.url();
    let banner = format!(
        "wxcc emulator listening on {url}\n\
         state: {}\n\
         default org: {}\n\
         quick-start OAuth client: {client_id} (its secret is in the state file, under clients)\n\
         sign in: WXCC_CLIENT_ID={client_id} WXCC_CLIENT_SECRET=… wxcc login --base-url {url} --auth-url {url}\n\
         test controls: {url}/_emulator/ (requests, counters, tokens, settings, faults)\n{seeded}",
        args.state.display(),
        emulator.default_org(),
    );
    // One write, and no panic if whoever started us stopped reading (a closed pipe): the
    // server keeps serving either way.
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(banner.as_bytes()).and_then(|()| out.flush());
    drop(out);
    let _ = tokio::signal::ctrl_c().await;
    emulator.stop().await;
    Ok(())
}

/// Deletes the state file, holding its lock so that no run or server is using it.
pub fn reset(args: &ResetArgs) -> Result<(), Error> {
    let path = &args.state;
    let _lock = StateLock::acquire(path, None).map_err(|e| Error::Emulator(e.to_string()))?;
    match std::fs::remove_file(path) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(Error::Emulator(format!(
                "cannot remove {}: {e}",
                path.display()
            )));
        }
    }
    println!(
        "The emulator's state ({}) is reset: the next --emulator run starts from a new tenant.",
        path.display()
    );
    Ok(())
}

/// The most days `--seed-activity` generates.
const MAX_SEED_DAYS: u32 = 400;

/// `N` (per minute) or `N/SECONDS`.
fn parse_rate_limit(text: &str) -> Result<RateLimit, Error> {
    let (n, window) = text.split_once('/').unwrap_or((text, "60"));
    let bad = || {
        Error::Usage(format!(
            "--throttle `{text}`: write N or N/SECONDS, e.g. 300 or 5/1"
        ))
    };
    let requests: u32 = n.trim().parse().map_err(|_| bad())?;
    let window_seconds: u64 = window
        .trim()
        .trim_end_matches('s')
        .parse()
        .map_err(|_| bad())?;
    if requests == 0 || window_seconds == 0 {
        return Err(bad());
    }
    Ok(RateLimit {
        requests,
        window_seconds,
    })
}
