//! `wxcc agent events|login|state|reload|logout`: the agent desktop from the command line.
//! Arguments are checked before anything is sent; teams, idle codes and agents are named by
//! key and resolved against the tenant; each call opens the notification connection first
//! and waits (with a timeout) for the event that resolves it.

use std::io::IsTerminal;
use std::time::Duration;

use serde_json::{Map, Value};

use super::args::{
    AgentCommand, AgentEventsArgs, AgentLoginArgs, AgentStateArgs, DeviceChoice, StateChoice,
};
use super::session::Session;
use super::settings::Settings;
use crate::api::Client;
use crate::catalogue::Kind;
use crate::config::did_you_mean;
use crate::desktop::session::perform;
use crate::desktop::{
    Action, AgentState, DesktopError, Device, Notice, Notifications, Timing, clean,
};
use crate::error::Error;

impl From<DesktopError> for Error {
    fn from(e: DesktopError) -> Self {
        match e {
            DesktopError::Api(api) => Error::Api(api),
            other => Error::Usage(other.to_string()),
        }
    }
}

/// The most characters the API takes in a reason (docs/desktop-notes.md §5d, §5f).
const REASON_MAX: usize = 128;

pub async fn run(command: &AgentCommand, settings: &Settings) -> Result<u8, Error> {
    // Everything that can be checked offline is checked before connecting.
    let action = match command {
        AgentCommand::Events(_) => None,
        AgentCommand::Login(a) => Some(check_login(a)?),
        AgentCommand::State(a) => {
            check_state(a)?;
            None
        }
        AgentCommand::Reload(_) => Some(Action::Reload),
        AgentCommand::Logout(a) => {
            check_reason("--reason", &a.reason)?;
            None
        }
    };
    let session = Session::connect(settings).await?;
    let result = run_connected(command, action, &session.client).await;
    session.close().await;
    result
}

async fn run_connected(
    command: &AgentCommand,
    checked: Option<Action>,
    client: &Client,
) -> Result<u8, Error> {
    let (action, timeout) = match command {
        AgentCommand::Events(a) => return events(a, client).await,
        AgentCommand::Login(a) => {
            let team_id = resolve(client, "team", &a.team, |_| true).await?;
            let action = match checked {
                Some(Action::Login {
                    dial_number,
                    device,
                    ..
                }) => Action::Login {
                    team_id,
                    dial_number,
                    device,
                },
                _ => return Err(Error::Usage("internal: login was not checked".into())),
            };
            (action, a.wait.timeout)
        }
        AgentCommand::State(a) => {
            let idle_code_id = match &a.code {
                Some(name) => Some(resolve(client, "auxiliary-code", name, is_idle_code).await?),
                None => None,
            };
            let agent = match &a.agent {
                Some(email) => Some(resolve_agent(client, email).await?),
                None => None,
            };
            let state = match a.state {
                StateChoice::Available => AgentState::Available,
                StateChoice::Idle => AgentState::Idle,
            };
            let action = Action::State {
                state,
                idle_code_id,
                reason: a.reason.clone(),
                agent,
            };
            (action, a.wait.timeout)
        }
        AgentCommand::Reload(a) => (checked.unwrap_or(Action::Reload), a.timeout),
        AgentCommand::Logout(a) => {
            let agent = match &a.agent {
                Some(email) => Some(resolve_agent(client, email).await?),
                None => None,
            };
            let action = Action::Logout {
                reason: a.reason.clone(),
                agent,
            };
            (action, a.wait.timeout)
        }
    };
    let mut notes = Notifications::open(client, Timing::default()).await?;
    let frame = perform(client, &mut notes, &action, Duration::from_secs(timeout)).await?;
    anstream::println!("{}", outcome_line(&action, &frame));
    Ok(0)
}

/// `agent events`: every event until interrupted (exit 130), or until `--count` are shown.
async fn events(args: &AgentEventsArgs, client: &Client) -> Result<u8, Error> {
    let mut notes = Notifications::open(client, Timing::default()).await?;
    let terminal = std::io::stdout().is_terminal();
    let mut shown = 0u64;
    let interrupted = tokio::signal::ctrl_c();
    tokio::pin!(interrupted);
    loop {
        let notice = tokio::select! {
            _ = &mut interrupted => return Ok(130),
            n = notes.next(Duration::from_secs(3600)) => n?,
        };
        match notice {
            None => continue,
            Some(Notice::Dropped(why)) => {
                anstream::eprintln!(
                    "notification connection dropped ({}); re-subscribing",
                    clean(&why)
                );
            }
            Some(Notice::Reconnected) => anstream::eprintln!("notification connection restored"),
            Some(Notice::Event(frame)) => {
                if !args.types.is_empty() && !args.types.iter().any(|t| has_type(&frame, t)) {
                    continue;
                }
                if terminal {
                    anstream::println!("{}", summary(&frame));
                } else {
                    anstream::println!("{frame}");
                }
                shown += 1;
                if args.count.is_some_and(|n| shown >= n) {
                    return Ok(0);
                }
            }
        }
    }
}

fn has_type(frame: &Value, wanted: &str) -> bool {
    let outer = frame.get("type").and_then(Value::as_str);
    let inner = frame.pointer("/data/type").and_then(Value::as_str);
    outer == Some(wanted) || inner == Some(wanted)
}

/// One readable line for a terminal: the types, then the fields a person looks for.
fn summary(frame: &Value) -> String {
    let outer = frame.get("type").and_then(Value::as_str).unwrap_or("?");
    let inner = frame.pointer("/data/type").and_then(Value::as_str);
    let mut line = clean(outer);
    if let Some(i) = inner.filter(|i| *i != outer) {
        line.push_str(" / ");
        line.push_str(&clean(i));
    }
    let data = frame.get("data").and_then(Value::as_object);
    for field in [
        "agentId",
        "status",
        "subStatus",
        "auxCodeId",
        "teamId",
        "dn",
        "changedBy",
        "reason",
    ] {
        if let Some(v) = data.and_then(|d| d.get(field)).and_then(Value::as_str)
            && !v.is_empty()
        {
            line.push_str(&format!("  {field}={}", clean(v)));
        }
    }
    line
}

/// What a successful call did, in words.
fn outcome_line(action: &Action, frame: &Value) -> String {
    let data = frame
        .get("data")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let field = |name: &str| -> String {
        data.get(name)
            .and_then(Value::as_str)
            .map(clean)
            .unwrap_or_default()
    };
    match action {
        Action::Login { .. } => format!(
            "Logged in: team {}, dial number {}, state {} (agent session {}).",
            field("teamId"),
            field("dn"),
            field("subStatus"),
            field("agentSessionId")
        ),
        Action::State { state, .. } => match state {
            AgentState::Available => "State changed: Available.".into(),
            AgentState::Idle => format!("State changed: Idle (idle code {}).", field("auxCodeId")),
        },
        Action::Reload => format!(
            "Logged in: team {}, dial number {}, state {}{} (agent session {}).",
            field("teamId"),
            field("dn"),
            field("subStatus"),
            if field("subStatus") == "Idle" {
                format!(", idle code {}", field("auxCodeId"))
            } else {
                String::new()
            },
            field("agentSessionId")
        ),
        Action::Logout { .. } => "Logged out.".into(),
    }
}

/// A dial number the API can take: 1 to 43 characters, digits with an optional leading
/// `+` (an extension: digits only) (docs/desktop-notes.md §5c).
pub(super) fn check_dial_number(number: &str, extension: bool) -> Result<(), Error> {
    let digits = if extension {
        number
    } else {
        number.strip_prefix('+').unwrap_or(number)
    };
    if number.len() <= 43 && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(());
    }
    let shape = if extension {
        "an extension is digits only"
    } else {
        "digits with an optional leading +, e.g. +13125550100"
    };
    Err(Error::Usage(format!(
        "dial number `{}` is not one the API accepts: {shape}, at most 43 characters; nothing was sent",
        clean(number)
    )))
}

fn check_login(a: &AgentLoginArgs) -> Result<Action, Error> {
    let device = match (a.device, a.extension) {
        (DeviceChoice::Browser, true) => {
            return Err(Error::Usage(
                "--extension and --device browser contradict each other: a browser login has no extension".into(),
            ));
        }
        (DeviceChoice::Extension, _) | (DeviceChoice::Dn, true) => Device::Extension,
        (DeviceChoice::Dn, false) => Device::DialNumber,
        (DeviceChoice::Browser, false) => Device::Browser,
    };
    match (&a.dial_number, device) {
        (None, Device::DialNumber | Device::Extension) => {
            return Err(Error::Usage(
                "--dial-number is required (the number the agent answers on), unless --device browser".into(),
            ));
        }
        (Some(n), _) => check_dial_number(n, device == Device::Extension)?,
        (None, Device::Browser) => {}
    }
    Ok(Action::Login {
        team_id: String::new(),
        dial_number: a.dial_number.clone(),
        device,
    })
}

fn check_state(a: &AgentStateArgs) -> Result<(), Error> {
    match (a.state, &a.code) {
        (StateChoice::Idle, None) => {
            return Err(Error::Usage(
                "going idle needs an idle code: add --code NAME (see the tenant's auxiliary-code list)".into(),
            ));
        }
        (StateChoice::Available, Some(_)) => {
            return Err(Error::Usage(
                "--code is for idle; available takes no idle code".into(),
            ));
        }
        _ => {}
    }
    if let Some(r) = &a.reason {
        check_reason("--reason", r)?;
    }
    Ok(())
}

fn check_reason(flag: &str, text: &str) -> Result<(), Error> {
    if text.chars().count() > REASON_MAX {
        return Err(Error::Usage(format!(
            "{flag} is longer than the {REASON_MAX} characters the API takes"
        )));
    }
    Ok(())
}

/// An idle code (not a wrap-up code).
pub(super) fn is_idle_code(object: &Map<String, Value>) -> bool {
    object.get("workTypeCode").and_then(Value::as_str) == Some("IDLE_CODE")
}

/// The id of the live object of `kind` whose key is `name` (and which `fits`), resolved
/// like a config reference: an unknown name is an error with the closest names.
pub(super) async fn resolve(
    client: &Client,
    kind: &str,
    name: &str,
    fits: fn(&Map<String, Value>) -> bool,
) -> Result<String, Error> {
    let kind: &'static Kind =
        Kind::named(kind).ok_or_else(|| Error::Catalogue(format!("no kind {kind}")))?;
    let objects = client.list(kind).await?;
    let candidates: Vec<&Map<String, Value>> = objects.iter().filter(|o| fits(o)).collect();
    let key_of = |o: &Map<String, Value>| -> String {
        o.get(kind.key)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    if let Some(found) = candidates.iter().find(|o| key_of(o) == name)
        && let Some(id) = found.get("id").and_then(Value::as_str)
    {
        return Ok(id.to_string());
    }
    let what = if kind.name == "auxiliary-code" {
        "idle code"
    } else {
        kind.name
    };
    let names: Vec<String> = candidates.iter().map(|o| key_of(o)).collect();
    let mut message = format!("no {what} named `{}` in the org", clean(name));
    if kind.name == "auxiliary-code" && objects.iter().any(|o| key_of(o) == name) {
        message.push_str(" (that is a wrap-up code, not an idle code)");
    }
    match did_you_mean(name, names.iter().map(String::as_str)) {
        Some(s) => message.push_str(&format!("; did you mean `{}`?", clean(s))),
        None if !names.is_empty() => {
            let mut shown: Vec<String> = names.iter().take(10).map(|n| clean(n)).collect();
            if names.len() > 10 {
                shown.push("…".into());
            }
            message.push_str(&format!("; the org has: {}", shown.join(", ")));
        }
        None => {}
    }
    message.push_str("; nothing was sent");
    Err(Error::Usage(message))
}

/// An agent's id from their email.
async fn resolve_agent(client: &Client, email: &str) -> Result<String, Error> {
    resolve(client, "user", email, |_| true).await
}
