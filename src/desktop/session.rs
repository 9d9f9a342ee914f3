//! The agent session calls (docs/desktop-notes.md §5c–5f): station login, state change,
//! reload and logout. Each is sent through the API client, answers 202, and is resolved by
//! the matching outer/inner event pair on the notification connection, or by a timeout.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::{DesktopError, Notice, Notifications};
use crate::api::Client;

/// How the agent's phone is reached.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Device {
    /// A dial number (`AGENT_DN`).
    DialNumber,
    /// An internal extension (`EXTENSION`).
    Extension,
    /// The browser's own softphone (`BROWSER`).
    Browser,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AgentState {
    Available,
    Idle,
}

impl AgentState {
    pub fn as_str(self) -> &'static str {
        match self {
            AgentState::Available => "Available",
            AgentState::Idle => "Idle",
        }
    }
}

/// One session call, with ids already resolved.
#[derive(Clone, Debug)]
pub enum Action {
    Login {
        team_id: String,
        /// `None` for a browser login (the agent id is used, as the SDK does).
        dial_number: Option<String>,
        device: Device,
    },
    State {
        state: AgentState,
        /// The idle code's id (`Idle`); ignored for `Available` (`"0"` is sent).
        idle_code_id: Option<String>,
        reason: Option<String>,
        /// Another agent's id (a supervisor acting on them).
        agent: Option<String>,
    },
    Reload,
    Logout {
        reason: String,
        agent: Option<String>,
    },
}

/// The events that resolve a call (docs/desktop-notes.md §5b table).
struct Expect {
    call: &'static str,
    outer: &'static [&'static str],
    success: &'static [&'static str],
    failure: &'static str,
}

impl Action {
    fn expect(&self) -> Expect {
        match self {
            Action::Login { .. } => Expect {
                call: "login",
                outer: &["StationLogin"],
                success: &["AgentStationLoginSuccess"],
                failure: "AgentStationLoginFailed",
            },
            Action::State { .. } => Expect {
                call: "state change",
                outer: &["AgentStateChange"],
                success: &["AgentStateChangeSuccess"],
                failure: "AgentStateChangeFailed",
            },
            Action::Reload => Expect {
                call: "reload",
                outer: &[
                    "AgentReloginSuccess",
                    "AgentChannelReloginSuccess",
                    "AgentReloginFailed",
                ],
                success: &["AgentReloginSuccess", "AgentChannelReloginSuccess"],
                failure: "AgentReloginFailed",
            },
            Action::Logout { .. } => Expect {
                call: "logout",
                outer: &["Logout"],
                success: &["AgentLogoutSuccess"],
                failure: "AgentLogoutFailed",
            },
        }
    }

    /// The method, path and body of the REST call.
    fn request(&self, me: &str) -> (Method, &'static str, Option<Value>) {
        match self {
            Action::Login {
                team_id,
                dial_number,
                device,
            } => {
                let (device_type, number, device_id) = match device {
                    Device::DialNumber => {
                        let n = dial_number.clone().unwrap_or_default();
                        ("AGENT_DN", n.clone(), n)
                    }
                    Device::Extension => {
                        let n = dial_number.clone().unwrap_or_default();
                        ("EXTENSION", n.clone(), n)
                    }
                    Device::Browser => (
                        "BROWSER",
                        dial_number.clone().unwrap_or_else(|| me.to_string()),
                        format!("webrtc-{me}"),
                    ),
                };
                let body = json!({
                    "dialNumber": number,
                    "teamId": team_id,
                    "isExtension": *device == Device::Extension,
                    "roles": ["agent"],
                    "deviceType": device_type,
                    "deviceId": device_id,
                });
                (Method::POST, "/v1/agents/login", Some(body))
            }
            Action::State {
                state,
                idle_code_id,
                reason,
                agent,
            } => {
                let aux = match state {
                    // The SDK's AGENT_STATE_AVAILABLE_ID (docs/desktop-notes.md §5d).
                    AgentState::Available => "0".to_string(),
                    AgentState::Idle => idle_code_id.clone().unwrap_or_default(),
                };
                let mut body = json!({"state": state.as_str(), "auxCodeId": aux});
                if let Some(r) = reason {
                    body["lastStateChangeReason"] = json!(r);
                }
                if let Some(a) = agent {
                    body["agentId"] = json!(a);
                }
                (Method::PUT, "/v1/agents/session/state", Some(body))
            }
            Action::Reload => (Method::POST, "/v1/agents/reload", None),
            Action::Logout { reason, agent } => {
                let mut body = json!({"logoutReason": reason});
                if let Some(a) = agent {
                    body["agentId"] = json!(a);
                }
                // The spec's PUT; the emulator, like the service, takes POST too (§5f).
                (Method::PUT, "/v1/agents/logout", Some(body))
            }
        }
    }

    fn target<'a>(&'a self, me: &'a str) -> &'a str {
        match self {
            Action::State { agent: Some(a), .. } | Action::Logout { agent: Some(a), .. } => a,
            _ => me,
        }
    }
}

/// Makes the call and waits up to `timeout` for its outcome; the success event's frame.
pub async fn perform(
    client: &Client,
    notes: &mut Notifications,
    action: &Action,
    timeout: Duration,
) -> Result<Value, DesktopError> {
    let expect = action.expect();
    let me = notes.agent_id.clone();
    let target = action.target(&me).to_string();
    let (method, path, body) = action.request(&me);
    client.call_json(method, path, body.as_ref()).await?;
    let deadline = Instant::now() + timeout;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let notice = match notes.next(left).await? {
            Some(n) => n,
            None => {
                return Err(DesktopError::Timeout {
                    call: expect.call,
                    seconds: timeout.as_secs(),
                });
            }
        };
        let frame = match notice {
            Notice::Event(frame) => frame,
            Notice::Dropped(why) => {
                return Err(DesktopError::DroppedMidCall {
                    call: expect.call,
                    why,
                });
            }
            Notice::Reconnected => continue,
        };
        let outer = frame
            .get("type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let inner = frame
            .pointer("/data/type")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let agent = frame.pointer("/data/agentId").and_then(Value::as_str);
        if !expect.outer.contains(&outer) || agent.is_some_and(|a| a != target) {
            continue;
        }
        if let Action::State { state, .. } = action
            && expect.success.contains(&inner)
            && frame.pointer("/data/subStatus").and_then(Value::as_str) != Some(state.as_str())
        {
            // Another change (a supervisor's) of the same agent: not ours.
            continue;
        }
        if expect.success.contains(&inner) {
            return Ok(frame);
        }
        if inner == expect.failure {
            return Err(DesktopError::Failed {
                call: expect.call,
                reason: frame
                    .pointer("/data/reason")
                    .and_then(Value::as_str)
                    .unwrap_or("(no reason given)")
                    .to_string(),
                code: frame.pointer("/data/reasonCode").and_then(Value::as_i64),
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn login_bodies_follow_the_device() {
        let login = |device, n: Option<&str>| {
            Action::Login {
                team_id: "t".into(),
                dial_number: n.map(str::to_string),
                device,
            }
            .request("me")
            .2
            .unwrap_or_default()
        };
        let dn = login(Device::DialNumber, Some("+13125550100"));
        assert_eq!(dn["deviceType"], "AGENT_DN");
        assert_eq!(dn["deviceId"], "+13125550100");
        assert_eq!(dn["isExtension"], false);
        let ext = login(Device::Extension, Some("1001"));
        assert_eq!(ext["deviceType"], "EXTENSION");
        assert_eq!(ext["isExtension"], true);
        let web = login(Device::Browser, None);
        assert_eq!(web["dialNumber"], "me");
        assert_eq!(web["deviceId"], "webrtc-me");
    }

    #[test]
    fn available_sends_aux_code_zero() {
        let (method, path, body) = Action::State {
            state: AgentState::Available,
            idle_code_id: Some("ignored".into()),
            reason: None,
            agent: None,
        }
        .request("me");
        assert_eq!((method, path), (Method::PUT, "/v1/agents/session/state"));
        assert_eq!(body.unwrap_or_default()["auxCodeId"], "0");
    }
}
