//! The notification connection (docs/desktop-notes.md §5a–5b): subscribe through the API
//! client, open the websocket at the URL the server returns (only `wss:` on the API host or
//! a Cisco host, or `ws:` on loopback; no credential is ever sent on it), wait for the
//! `Welcome` frame, send keepalives, treat silence as a drop, and re-subscribe after a drop
//! until the recovery limit. Events reach the caller through a channel, in order.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use reqwest::Method;
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};
use url::Url;

use super::DesktopError;
use crate::api::{ApiError, Client};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// `clientType` of wxcc's connections (the spec allows 20 characters).
pub(crate) const CLIENT_TYPE: &str = "WxccCli";

/// The limits, as Cisco's own desktop SDK uses them (docs/desktop-notes.md §5b).
#[derive(Clone, Debug)]
pub struct Timing {
    /// How often a keepalive frame is sent (SDK: 4000 ms).
    pub keepalive: Duration,
    /// No frame for this long and the connection counts as lost (SDK: 8000 ms).
    pub silence: Duration,
    /// How long the `Welcome` frame may take (SDK: 30 000 ms).
    pub welcome: Duration,
    /// How long to keep re-subscribing after a drop before giving up (SDK: 50 000 ms).
    pub recovery: Duration,
    /// The pause between re-subscribe attempts (SDK: 5000 ms).
    pub retry_every: Duration,
}

impl Default for Timing {
    fn default() -> Self {
        Timing {
            keepalive: Duration::from_millis(4_000),
            silence: Duration::from_millis(8_000),
            welcome: Duration::from_millis(30_000),
            recovery: Duration::from_millis(50_000),
            retry_every: Duration::from_millis(5_000),
        }
    }
}

/// What the connection reports.
#[derive(Debug)]
pub enum Notice {
    /// A frame from the server (keepalives are not reported).
    Event(Value),
    /// The connection dropped; re-subscribing.
    Dropped(String),
    /// Connected again (the new `Welcome` follows as an event).
    Reconnected,
}

/// An open notification connection.
pub struct Notifications {
    rx: mpsc::Receiver<Result<Notice, DesktopError>>,
    task: JoinHandle<()>,
    /// The signed-in agent, from the `Welcome` frame.
    pub agent_id: String,
}

impl Drop for Notifications {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Notifications {
    /// Subscribes and connects; the `Welcome` frame is the first event.
    pub async fn open(client: &Client, timing: Timing) -> Result<Notifications, DesktopError> {
        let (socket, welcome) = connect(client, &timing).await?;
        let agent_id = welcome
            .pointer("/data/agentId")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let (tx, rx) = mpsc::channel(256);
        // The channel is new and empty, so this cannot fail.
        let _ = tx.try_send(Ok(Notice::Event(welcome)));
        let task = tokio::spawn(run(client.clone(), socket, tx, timing));
        Ok(Notifications { rx, task, agent_id })
    }

    /// The next notice, or `None` when `wait` passes first.
    pub async fn next(&mut self, wait: Duration) -> Result<Option<Notice>, DesktopError> {
        match tokio::time::timeout(wait, self.rx.recv()).await {
            Err(_) => Ok(None),
            Ok(Some(Ok(n))) => Ok(Some(n)),
            Ok(Some(Err(e))) => Err(e),
            Ok(None) => Err(DesktopError::Lost("the connection task ended".into())),
        }
    }
}

/// Subscribes, checks the URL, connects, waits for `Welcome`, sends the first keepalive.
async fn connect(client: &Client, timing: &Timing) -> Result<(Socket, Value), DesktopError> {
    // docs/desktop-notes.md §5a: a connection of its own client type, alongside others
    // (another terminal's `agent events`, a browser desktop) rather than displacing them.
    let body = json!({
        "force": true,
        "isKeepAliveEnabled": true,
        "clientType": CLIENT_TYPE,
        "allowMultiLogin": true,
    });
    let answer = client
        .call_json(Method::POST, "/v1/notification/subscribe", Some(&body))
        .await
        .map_err(scope_hint)?;
    let url = answer
        .body
        .get("webSocketUrl")
        .and_then(Value::as_str)
        .ok_or_else(|| DesktopError::Protocol("the subscribe answer has no webSocketUrl".into()))?;
    let url = check_socket_url(url, client.base_url())?;
    let config = WebSocketConfig::default()
        .max_message_size(Some(MAX_MESSAGE))
        .max_frame_size(Some(MAX_MESSAGE));
    let connected = tokio::time::timeout(
        timing.welcome,
        tokio_tungstenite::connect_async_with_config(url.as_str(), Some(config), false),
    )
    .await
    .map_err(|_| DesktopError::Socket("the websocket did not open in time".into()))?
    .map_err(|e| DesktopError::Socket(format!("cannot open the websocket: {e}")))?;
    let mut socket = connected.0;
    socket
        .send(Message::text(KEEPALIVE))
        .await
        .map_err(|e| DesktopError::Socket(format!("the websocket closed at once: {e}")))?;
    let deadline = Instant::now() + timing.welcome;
    loop {
        let frame = tokio::time::timeout_at(deadline, socket.next())
            .await
            .map_err(|_| DesktopError::Socket("no Welcome frame arrived in time".into()))?;
        match frame {
            Some(Ok(Message::Text(text))) => {
                let value: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                if value.get("type").and_then(Value::as_str) == Some("Welcome") {
                    return Ok((socket, value));
                }
            }
            Some(Ok(Message::Close(_))) | None => {
                return Err(DesktopError::Socket(
                    "the websocket closed before its Welcome frame".into(),
                ));
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => return Err(DesktopError::Socket(format!("websocket error: {e}"))),
        }
    }
}

/// The largest frame accepted from the server.
const MAX_MESSAGE: usize = 1 << 20;
const KEEPALIVE: &str = r#"{"keepalive":"true"}"#;

/// A 403 on subscribe is almost always the missing `cjp:user` scope: say so.
fn scope_hint(e: ApiError) -> DesktopError {
    match e.status() {
        Some(403) => DesktopError::Scope(Box::new(e)),
        _ => DesktopError::Api(Box::new(e)),
    }
}

/// The websocket URL the server returned, if wxcc will open it: `wss:` on the API's own
/// host or a Cisco host (the hosts Cisco's SDK allows, docs/desktop-notes.md §0), or `ws:`
/// on loopback (the emulator). Nothing else: the URL comes from the network.
pub(crate) fn check_socket_url(raw: &str, api_base: &str) -> Result<Url, DesktopError> {
    let refuse = |why: &str| {
        DesktopError::Protocol(format!(
            "the server returned a websocket URL wxcc will not open ({why}): {}",
            redact_path(raw)
        ))
    };
    let url = Url::parse(raw).map_err(|_| refuse("not a URL"))?;
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if !url.username().is_empty() || url.password().is_some() {
        return Err(refuse("it carries credentials"));
    }
    let api_host = Url::parse(api_base)
        .ok()
        .and_then(|u| u.host_str().map(str::to_ascii_lowercase))
        .unwrap_or_default();
    let loopback = matches!(host.as_str(), "127.0.0.1" | "[::1]" | "::1" | "localhost");
    let cisco = ["cisco.com", "ciscoccservice.com"]
        .iter()
        .any(|d| host == *d || host.ends_with(&format!(".{d}")));
    match url.scheme() {
        "wss" if host == api_host || cisco || loopback => Ok(url),
        "wss" => Err(refuse("its host is neither the API host nor a Cisco host")),
        "ws" if loopback => Ok(url),
        "ws" => Err(refuse("plain ws is allowed on loopback only")),
        _ => Err(refuse("not a websocket URL")),
    }
}

/// The URL without its path (the path holds the subscription id, a bearer of sorts).
fn redact_path(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(u) => format!("{}://{}/…", u.scheme(), u.host_str().unwrap_or_default()),
        Err(_) => "(unparseable)".into(),
    }
}

/// Reads frames, keeps the connection alive, reconnects after a drop.
async fn run(
    client: Client,
    mut socket: Socket,
    tx: mpsc::Sender<Result<Notice, DesktopError>>,
    timing: Timing,
) {
    loop {
        let why = match pump(&mut socket, &tx, &timing).await {
            Pumped::Dropped(why) => why,
            Pumped::Stop => return,
        };
        if tx.send(Ok(Notice::Dropped(why))).await.is_err() {
            return;
        }
        let started = Instant::now();
        loop {
            match connect(&client, &timing).await {
                Ok((s, welcome)) => {
                    socket = s;
                    if tx.send(Ok(Notice::Reconnected)).await.is_err()
                        || tx.send(Ok(Notice::Event(welcome))).await.is_err()
                    {
                        return;
                    }
                    break;
                }
                Err(e @ (DesktopError::Scope(_) | DesktopError::Protocol(_))) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
                Err(e @ DesktopError::Api(_)) if is_refusal(&e) => {
                    let _ = tx.send(Err(e)).await;
                    return;
                }
                Err(e) => {
                    if started.elapsed() + timing.retry_every > timing.recovery {
                        let _ = tx
                            .send(Err(DesktopError::Lost(format!(
                                "could not reconnect within {} s: {e}",
                                timing.recovery.as_secs()
                            ))))
                            .await;
                        return;
                    }
                    tokio::time::sleep(timing.retry_every).await;
                }
            }
        }
    }
}

/// A 4xx answer: retrying will not help.
fn is_refusal(e: &DesktopError) -> bool {
    matches!(e, DesktopError::Api(api) if api.status().is_some_and(|s| (400..500).contains(&s) && s != 429))
}

enum Pumped {
    Dropped(String),
    Stop,
}

async fn pump(
    socket: &mut Socket,
    tx: &mpsc::Sender<Result<Notice, DesktopError>>,
    timing: &Timing,
) -> Pumped {
    let mut ticker = tokio::time::interval_at(Instant::now() + timing.keepalive, timing.keepalive);
    let mut heard = Instant::now();
    loop {
        tokio::select! {
            frame = socket.next() => {
                heard = Instant::now();
                match frame {
                    Some(Ok(Message::Text(text))) => {
                        let value: Value = serde_json::from_str(text.as_str()).unwrap_or(Value::Null);
                        if value.get("keepalive").is_some() && value.get("type").is_none() {
                            continue;
                        }
                        let displaced = value.get("type").and_then(Value::as_str) == Some("AGENT_MULTI_LOGIN");
                        if tx.send(Ok(Notice::Event(value))).await.is_err() {
                            return Pumped::Stop;
                        }
                        if displaced {
                            let _ = tx.send(Err(DesktopError::Displaced)).await;
                            return Pumped::Stop;
                        }
                    }
                    Some(Ok(Message::Close(frame))) => {
                        let why = frame.map(|f| format!("closed by the server ({} {})", u16::from(f.code), f.reason)).unwrap_or_else(|| "closed by the server".into());
                        return Pumped::Dropped(why);
                    }
                    Some(Ok(_)) => {}
                    Some(Err(e)) => return Pumped::Dropped(format!("connection lost: {e}")),
                    None => return Pumped::Dropped("connection lost".into()),
                }
            }
            _ = ticker.tick() => {
                if let Err(e) = socket.send(Message::text(KEEPALIVE)).await {
                    return Pumped::Dropped(format!("connection lost: {e}"));
                }
            }
            _ = tokio::time::sleep_until(heard + timing.silence) => {
                return Pumped::Dropped(format!("nothing heard for {} s", timing.silence.as_secs()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_urls_wxcc_opens() {
        let api = "https://api.wxcc-us1.cisco.com";
        assert!(
            check_socket_url(
                "wss://api.wxcc-us1.cisco.com/v1/notification/subscription/x",
                api
            )
            .is_ok()
        );
        assert!(check_socket_url("wss://notifs.ciscoccservice.com/x", api).is_ok());
        assert!(check_socket_url("ws://127.0.0.1:9/x", "http://127.0.0.1:9").is_ok());
        for bad in [
            "ws://api.wxcc-us1.cisco.com/x",
            "wss://evil.example.com/x",
            "wss://cisco.com.evil.example/x",
            "https://api.wxcc-us1.cisco.com/x",
            "wss://user:pw@api.wxcc-us1.cisco.com/x",
            "not a url",
        ] {
            assert!(check_socket_url(bad, api).is_err(), "{bad} was accepted");
        }
    }

    #[test]
    fn refusals_do_not_show_the_subscription_id() {
        let e = check_socket_url(
            "wss://evil.example.com/v1/notification/subscription/SECRETID",
            "https://api.wxcc-us1.cisco.com",
        )
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
        assert!(
            e.contains("evil.example.com") && !e.contains("SECRETID"),
            "{e}"
        );
    }
}
