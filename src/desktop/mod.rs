//! The agent desktop from the command line: the notification websocket
//! (`notifications`), the session calls that answer 202 and resolve on it (`session`), and
//! the smoke test that proves an applied configuration works (`smoke`). Every wait has a
//! timeout. Uses only the API client: names are resolved to ids by the caller.

pub mod notifications;
pub mod session;
pub mod smoke;

use std::fmt;

use crate::api::ApiError;

pub use notifications::{Notice, Notifications, Timing};
pub use session::{Action, AgentState, Device};

/// How a desktop command fails.
#[derive(Debug)]
pub enum DesktopError {
    Api(Box<ApiError>),
    /// 403 on subscribe: the token lacks `cjp:user` (or is not an agent's).
    Scope(Box<ApiError>),
    /// The websocket could not be opened or kept.
    Socket(String),
    /// The server said something wxcc will not act on (a foreign websocket URL…).
    Protocol(String),
    /// Reconnecting gave up.
    Lost(String),
    /// Another sign-in of this user displaced the connection (`AGENT_MULTI_LOGIN`).
    Displaced,
    /// The connection dropped while a call's outcome was awaited.
    DroppedMidCall {
        call: &'static str,
        why: String,
    },
    /// The service reported the call failed.
    Failed {
        call: &'static str,
        reason: String,
        code: Option<i64>,
    },
    /// No outcome arrived in time.
    Timeout {
        call: &'static str,
        seconds: u64,
    },
}

impl fmt::Display for DesktopError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DesktopError::Api(e) => e.fmt(f),
            DesktopError::Scope(e) => write!(
                f,
                "{e}\nDesktop calls need the agent's own sign-in with the cjp:user scope: sign in as the agent with `wxcc login --profile agent1 --scopes \"cjp:user cjp:config_read\"` and run the command with --profile agent1 (see docs/agent.md)"
            ),
            DesktopError::Socket(m) => write!(f, "notification websocket: {m}"),
            DesktopError::Protocol(m) => f.write_str(m),
            DesktopError::Lost(m) => write!(f, "notification connection lost: {m}"),
            DesktopError::Displaced => f.write_str(
                "another sign-in of this user replaced this notification connection (AGENT_MULTI_LOGIN)",
            ),
            DesktopError::DroppedMidCall { call, why } => write!(
                f,
                "the notification connection dropped ({why}) while waiting for the outcome of {call}; it may have taken effect: run `wxcc agent reload` to see the session"
            ),
            DesktopError::Failed { call, reason, code } => {
                write!(f, "{call} failed: {}", clean(reason))?;
                if let Some(c) = code {
                    write!(f, " (reason code {c})")?;
                }
                write!(f, ": {}", explain(reason))
            }
            DesktopError::Timeout { call, seconds } => write!(
                f,
                "no outcome of {call} arrived within {seconds} s (raise --timeout, or run `wxcc agent reload` to see the session)"
            ),
        }
    }
}

impl From<ApiError> for DesktopError {
    fn from(e: ApiError) -> Self {
        DesktopError::Api(Box::new(e))
    }
}

/// A failure `reason` in words (docs/desktop-notes.md §5b; the emulator's extra reasons
/// are listed there too).
pub fn explain(reason: &str) -> &'static str {
    match reason {
        "DUPLICATE_LOCATION" => {
            "that dial number is already logged in elsewhere (another agent or station uses it)"
        }
        "INVALID_DIAL_NUMBER" => {
            "the service cannot use that dial number: give digits with an optional leading +, or --extension for an internal extension"
        }
        "AGENT_NOT_FOUND" => {
            "the agent has no station session: log in first with `wxcc agent login`"
        }
        "INVALID_TEAM" => "the team does not exist in this org",
        "AGENT_NOT_IN_TEAM_SITE" => {
            "the team belongs to another site than the agent: pick a team of the agent's site, or move the user (user.siteId)"
        }
        "AGENT_ALREADY_LOGGED_IN" => {
            "the agent is already logged in: log out first (`wxcc agent logout`), or see the session with `wxcc agent reload`"
        }
        "INVALID_AUX_CODE" => "that is not an active idle code of this org",
        _ => "the service gave no further explanation",
    }
}

/// Server text made safe to print: control characters removed.
pub fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).collect()
}
