//! Command-line arguments as clap parses them. Nothing here is seen by the core: `settings`
//! resolves these, the environment and defaults into the values commands use.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "wxcc",
    version,
    about = "Configuration as code for Webex Contact Center: validate, plan and apply tenant configuration kept in git."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Run against the built-in emulator (state under .wxcc/ in the current folder) instead
    /// of a real tenant. No Webex account needed.
    #[arg(long, global = true)]
    pub emulator: bool,

    /// Signed-in profile to use (one per org you manage). Default: `default`.
    #[arg(long, global = true, env = "WXCC_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,

    /// Organization id (UUID). Default: the profile's org, else the org in the access token.
    #[arg(long, global = true, env = "WXCC_ORG_ID", value_name = "ORG_ID")]
    pub org: Option<String>,

    /// Region of the tenant: us1, eu1, eu2, anz1, ca1, jp1, sg1, in1. Default: the
    /// profile's, else us1.
    #[arg(long, global = true, env = "WXCC_REGION", value_name = "REGION")]
    pub region: Option<String>,

    /// API base URL instead of the region's (https; plain http only on loopback).
    #[arg(long, global = true, env = "WXCC_BASE_URL", value_name = "URL")]
    pub base_url: Option<String>,

    /// OAuth host for sign-in and token renewal. Default: the profile's, else
    /// https://webexapis.com.
    #[arg(long, global = true, env = "WXCC_AUTH_URL", value_name = "URL")]
    pub auth_url: Option<String>,

    /// Requests per minute for the whole run, shared by every worker.
    #[arg(
        long,
        global = true,
        env = "WXCC_RATE_LIMIT",
        value_name = "N",
        default_value_t = 300
    )]
    pub rate_limit: u32,

    /// Requests in flight at once.
    #[arg(
        long,
        global = true,
        env = "WXCC_PARALLELISM",
        value_name = "N",
        default_value_t = 4
    )]
    pub parallelism: usize,

    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// More logging on stderr (-v info, -vv debug, -vvv trace). Tokens are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check config offline: YAML, kinds, fields, the official DTO schemas, duplicate keys
    /// and references. No network.
    Validate(ValidateArgs),
    /// Show the changes that would make the tenant match the config.
    Plan(PlanArgs),
    /// Plan, confirm, and make the changes.
    Apply(ApplyArgs),
    /// Sign in with Webex (a Webex integration's authorization-code flow, or a service app)
    /// and store the tokens in a profile.
    Login(LoginArgs),
    /// Remove the profile's stored tokens.
    Logout,
    /// Show the profile: org, region, scopes and when its tokens expire (never the tokens).
    Whoami,
    /// Run the local WxCC API emulator.
    #[command(subcommand)]
    Emulator(EmulatorCommand),
    /// List the kinds wxcc manages, in apply order, with their key and reference fields.
    Kinds(KindsArgs),
    /// Print the JSON Schema of the config format (for editors, e.g. yaml-language-server)
    /// to stdout. `schemas/wxcc.schema.json` is this output.
    Schema,
    /// Drive an agent's desktop session: notifications, station login, state, reload,
    /// logout. Needs the agent's own sign-in (scope cjp:user); see docs/agent.md.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Prove an applied configuration works: the signed-in test agent logs in to a team,
    /// goes Available, goes Idle with an idle code and logs out; each step is timed.
    Smoke(SmokeArgs),
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The Webex integration's client id (or the service app's, with --service-app).
    #[arg(long, env = "WXCC_CLIENT_ID", value_name = "ID")]
    pub client_id: Option<String>,

    /// Its client secret. Prefer the variable: a flag is visible to other local users.
    #[arg(
        long,
        env = "WXCC_CLIENT_SECRET",
        hide_env_values = true,
        value_name = "SECRET"
    )]
    pub client_secret: Option<String>,

    /// Scopes to ask for, separated by spaces or commas.
    #[arg(
        long,
        value_name = "SCOPES",
        default_value = "cjp:config_read cjp:config_write"
    )]
    pub scopes: String,

    /// Loopback port of the redirect URI http://localhost:PORT/callback; it must match a
    /// redirect URI registered on the integration.
    #[arg(long, value_name = "PORT", default_value_t = 8765)]
    pub port: u16,

    /// The full redirect URI registered on the integration, instead of the one --port
    /// builds. When it is not a loopback http URI, paste the URL the browser ends up on.
    #[arg(long, value_name = "URI")]
    pub redirect_uri: Option<String>,

    /// Print the sign-in URL instead of opening a browser (WXCC_NO_BROWSER=1 likewise).
    #[arg(
        long,
        env = "WXCC_NO_BROWSER",
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub no_browser: bool,

    /// Seconds to wait for the sign-in to come back.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    pub timeout: u64,

    /// Sign in as a service app (machine account) with this application id, for the org
    /// given by --org. The request is authorized by --using-profile or WXCC_ACCESS_TOKEN,
    /// which must hold spark:applications_token.
    #[arg(long, value_name = "APPLICATION_ID")]
    pub service_app: Option<String>,

    /// With --service-app: the signed-in profile whose token authorizes the request.
    #[arg(long, value_name = "NAME", requires = "service_app")]
    pub using_profile: Option<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// A config file, or a folder of *.yaml / *.yml files.
    pub path: PathBuf,
}

#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// A config file, or a folder of *.yaml / *.yml files.
    pub path: PathBuf,

    /// Delete live objects of this kind that the config does not declare (repeatable;
    /// `all` for every kind in the config). Without it nothing is ever deleted.
    #[arg(long = "delete", value_name = "KIND")]
    pub delete: Vec<String>,

    /// Refuse to delete more than this percentage of a kind's live objects (deleting a
    /// single object is always allowed).
    #[arg(long, value_name = "PERCENT", default_value_t = 30)]
    pub max_delete_percent: u32,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub change: ChangeArgs,

    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Args)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub change: ChangeArgs,

    /// Apply without asking for confirmation (for CI).
    #[arg(long)]
    pub auto_approve: bool,

    /// Apply a config that declares no objects even when the plan deletes (with --delete,
    /// an empty config deletes every live object of the kinds named). Refused without it.
    #[arg(long)]
    pub allow_empty_config: bool,
}

#[derive(Debug, Args)]
pub struct KindsArgs {
    /// Output format (`markdown` is the content of docs/kinds.md).
    #[arg(long, value_enum, default_value_t = KindsFormat::Text)]
    pub format: KindsFormat,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum KindsFormat {
    Text,
    Markdown,
}

#[derive(Debug, Subcommand)]
pub enum EmulatorCommand {
    /// Serve the emulated API on a loopback port until interrupted.
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one; the first line printed says which).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// State file (created if missing, written atomically after every change).
    #[arg(long, value_name = "FILE", default_value = ".wxcc/emulator.json")]
    pub state: PathBuf,

    /// Answer 429 with Retry-After once a client sends more than this many requests in a
    /// window (`N` per minute, or `N/SECONDS`).
    #[arg(long, value_name = "N[/SECONDS]")]
    pub throttle: Option<String>,

    /// Largest page size list endpoints return (larger requests are silently clamped).
    #[arg(long, value_name = "N")]
    pub max_page_size: Option<u64>,
}

#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Print notification events (a JSON line each; a one-line summary on a terminal)
    /// until interrupted, reconnecting when the connection drops.
    Events(AgentEventsArgs),
    /// Station login: the agent logs in to a team on a dial number, extension or browser.
    Login(AgentLoginArgs),
    /// Change the agent's state: available, or idle with an idle code.
    State(AgentStateArgs),
    /// Show the agent's current session (the service replays it as an event).
    Reload(AgentWaitArgs),
    /// Log the agent out.
    Logout(AgentLogoutArgs),
}

#[derive(Debug, Args)]
pub struct AgentWaitArgs {
    /// Seconds to wait for the outcome event (Cisco's desktop SDK waits 20).
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    pub timeout: u64,
}

#[derive(Debug, Args)]
pub struct AgentEventsArgs {
    /// Only events of this type (outer `type` or inner `data.type`; repeatable).
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,

    /// Stop after this many events have been printed.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DeviceChoice {
    /// A dial number (AGENT_DN).
    Dn,
    /// An internal extension (EXTENSION).
    Extension,
    /// The browser softphone (BROWSER); no dial number needed.
    Browser,
}

#[derive(Debug, Args)]
pub struct AgentLoginArgs {
    /// The team to log in to, by name.
    #[arg(long, value_name = "NAME")]
    pub team: String,

    /// The number the agent answers on (digits, optional leading +; at most 43).
    #[arg(long, value_name = "NUMBER")]
    pub dial_number: Option<String>,

    /// The dial number is an internal extension (same as --device extension).
    #[arg(long)]
    pub extension: bool,

    /// How the agent's phone is reached.
    #[arg(long, value_enum, default_value_t = DeviceChoice::Dn)]
    pub device: DeviceChoice,

    #[command(flatten)]
    pub wait: AgentWaitArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum StateChoice {
    Available,
    Idle,
}

#[derive(Debug, Args)]
pub struct AgentStateArgs {
    /// The new state.
    #[arg(value_enum)]
    pub state: StateChoice,

    /// The idle code, by name (required for idle).
    #[arg(long, value_name = "NAME")]
    pub code: Option<String>,

    /// Free text recorded as the reason of the change (at most 128 characters).
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,

    /// Act on another agent, by email (a supervisor's action).
    #[arg(long, value_name = "EMAIL")]
    pub agent: Option<String>,

    #[command(flatten)]
    pub wait: AgentWaitArgs,
}

#[derive(Debug, Args)]
pub struct AgentLogoutArgs {
    /// The reason recorded for the logout (at most 128 characters).
    #[arg(long, value_name = "TEXT", default_value = "User requested logout")]
    pub reason: String,

    /// Log out another agent, by email (a supervisor's action).
    #[arg(long, value_name = "EMAIL")]
    pub agent: Option<String>,

    #[command(flatten)]
    pub wait: AgentWaitArgs,
}

#[derive(Debug, Args)]
pub struct SmokeArgs {
    /// The applied config (file or folder): its teams' `x-wxcc: {smoke: …}` settings say
    /// what to test.
    pub path: PathBuf,

    /// Test this team (by name) instead of the ones the config marks.
    #[arg(long, value_name = "NAME")]
    pub team: Option<String>,

    /// The dial number to log in on (overrides the config's).
    #[arg(long, value_name = "NUMBER")]
    pub dial_number: Option<String>,

    /// The dial number is an internal extension.
    #[arg(long)]
    pub extension: bool,

    /// The idle code to go Idle with, by name (overrides the config's).
    #[arg(long, value_name = "NAME")]
    pub idle_code: Option<String>,

    /// Seconds to wait for each step's outcome.
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    pub timeout: u64,
}
