//! Where the browser comes back to during `wxcc login`: a one-shot listener on the loopback
//! redirect URI, and the user's paste of the URL the browser ended up on (for machines
//! without a browser, or redirect URIs that are not loopback). Both hand the redirected URL
//! to `login`, which checks `state` and exchanges the code. Nothing here prints the code.

use std::collections::HashMap;
use std::io::BufRead;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::Duration;

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use tokio::sync::{mpsc, oneshot};
use url::Url;

/// A running loopback listener; stop it once the answer is in.
pub struct Listener {
    stops: Vec<oneshot::Sender<()>>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Listener {
    /// Stops listening, giving the browser a moment to receive its page.
    pub async fn stop(self) {
        for s in self.stops {
            let _ = s.send(());
        }
        for t in self.tasks {
            let _ = tokio::time::timeout(Duration::from_secs(2), t).await;
        }
    }
}

/// The loopback port of a redirect URI `http://localhost|127.0.0.1|[::1]:PORT/...`, or
/// `None` when a listener here could not receive it.
pub fn loopback_port(redirect: &Url) -> Option<u16> {
    if redirect.scheme() != "http" {
        return None;
    }
    let loopback = match redirect.host()? {
        url::Host::Domain(d) => d.eq_ignore_ascii_case("localhost"),
        url::Host::Ipv4(ip) => ip.is_loopback(),
        url::Host::Ipv6(ip) => ip.is_loopback(),
    };
    loopback.then(|| redirect.port_or_known_default()).flatten()
}

#[derive(Clone)]
struct Shared {
    redirect: Url,
    expected_state: String,
    sender: mpsc::Sender<Url>,
}

/// Listens on 127.0.0.1 (and ::1 when it can) at the redirect URI's port. Each request to
/// the redirect path that carries an answer (`code`, `state` or `error`) is sent on
/// `sender` as the full redirected URL.
pub async fn listen(
    redirect: &Url,
    port: u16,
    expected_state: &str,
    sender: mpsc::Sender<Url>,
) -> std::io::Result<Listener> {
    let shared = Shared {
        redirect: redirect.clone(),
        expected_state: expected_state.to_string(),
        sender,
    };
    let path = match redirect.path() {
        "" => "/".to_string(),
        p => p.to_string(),
    };
    let app = Router::new()
        .route(&path, get(answer))
        .fallback(|| async { StatusCode::NOT_FOUND })
        .with_state(shared);
    let v4 = tokio::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).await?;
    let mut listeners = vec![v4];
    // Browsers may resolve `localhost` to ::1 first; listen there too when possible.
    if let Ok(v6) =
        tokio::net::TcpListener::bind(SocketAddr::from((Ipv6Addr::LOCALHOST, port))).await
    {
        listeners.push(v6);
    }
    let mut stops = Vec::new();
    let mut tasks = Vec::new();
    for l in listeners {
        let (tx, rx) = oneshot::channel::<()>();
        let app = app.clone();
        tasks.push(tokio::spawn(async move {
            let _ = axum::serve(l, app)
                .with_graceful_shutdown(async {
                    let _ = rx.await;
                })
                .await;
        }));
        stops.push(tx);
    }
    Ok(Listener { stops, tasks })
}

async fn answer(
    State(shared): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !["code", "state", "error"]
        .iter()
        .any(|k| q.contains_key(*k))
    {
        return (
            StatusCode::BAD_REQUEST,
            page("This address is waiting for a Webex sign-in."),
        )
            .into_response();
    }
    let mut full = shared.redirect.clone();
    full.set_query(None);
    {
        let mut pairs = full.query_pairs_mut();
        for (k, v) in &q {
            pairs.append_pair(k, v);
        }
    }
    let state_ok = q.get("state") == Some(&shared.expected_state);
    let _ = shared.sender.send(full).await;
    if q.contains_key("error") {
        (
            StatusCode::OK,
            page("Webex did not sign you in. Return to the terminal to see why."),
        )
            .into_response()
    } else if state_ok {
        (
            StatusCode::OK,
            page(
                "wxcc received your sign-in. You can close this window and return to the terminal.",
            ),
        )
            .into_response()
    } else {
        (StatusCode::BAD_REQUEST, page("This sign-in does not belong to the wxcc login that is waiting (wrong state). It was refused.")).into_response()
    }
}

fn page(text: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>wxcc</title></head><body><p>{text}</p></body></html>"
    ))
}

/// Reads lines from stdin on a thread of its own (a blocked read must not hold up the
/// runtime's shutdown) and sends each one that parses as a URL. Ends at end of input.
pub fn read_pasted(sender: mpsc::Sender<Url>) {
    std::thread::spawn(move || {
        for line in std::io::stdin().lock().lines() {
            let Ok(line) = line else { return };
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            match Url::parse(line) {
                Ok(url) => {
                    if sender.blocking_send(url).is_err() {
                        return;
                    }
                }
                Err(_) => eprintln!(
                    "That is not a URL. Paste the whole address the browser shows after signing in (it starts with your redirect URI)."
                ),
            }
        }
    });
}

/// Opens `url` in the user's browser; `false` when there is none to open.
pub fn open_browser(url: &str) -> bool {
    #[cfg(target_os = "macos")]
    let mut command = {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    };
    #[cfg(windows)]
    let mut command = {
        // rundll32 takes the URL as one argument; `cmd /c start` would split it at `&`.
        let mut c = std::process::Command::new("rundll32");
        c.args(["url.dll,FileProtocolHandler", url]);
        c
    };
    #[cfg(all(unix, not(target_os = "macos")))]
    let mut command = {
        let graphical = ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|x| !x.is_empty()));
        if !graphical {
            return false;
        }
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    #[cfg(not(any(unix, windows)))]
    let mut command = {
        let _ = url;
        return false;
    };
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    match command.spawn() {
        Ok(mut child) => {
            std::thread::spawn(move || child.wait());
            true
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_http_redirects_can_be_received() {
        let port = |s: &str| loopback_port(&Url::parse(s).expect("url"));
        assert_eq!(port("http://localhost:8765/callback"), Some(8765));
        assert_eq!(port("http://127.0.0.1:9000/cb"), Some(9000));
        assert_eq!(port("http://[::1]:9001/cb"), Some(9001));
        assert_eq!(port("https://localhost:8765/callback"), None);
        assert_eq!(port("http://example.com:8765/callback"), None);
    }
}
