//! Command-line arguments as clap parses them. Nothing here is seen by the core: `settings`
//! resolves these, the environment and defaults into the values commands use.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// The exit statuses, shown at the end of `wxcc --help`.
const EXIT_CODES: &str = "Exit status:
  0    success (plan --detailed-exitcode: no changes)
  1    any error, usage errors included
  2    only with plan --detailed-exitcode: there are changes
  130  interrupted (Ctrl-C)";

#[derive(Debug, Parser)]
#[command(
    name = "wxcc",
    version,
    about = "Configuration as code for Webex Contact Center: validate, plan and apply tenant configuration kept in git.",
    after_help = EXIT_CODES
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes: how output looks.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// When to colour output (`auto` follows NO_COLOR and CLICOLOR_FORCE, and colours only
    /// a terminal).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// More logging on stderr (-v info, -vv debug, -vvv trace). Tokens are never logged.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    /// No progress on stderr, even on a terminal (for scripts).
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// Where the API is and who signs in: the flags of the commands that connect.
/// The flags of a command that connects: which tenant, as whom, and how fast.
#[derive(Debug, Args)]
pub struct ConnectArgs {
    #[command(flatten)]
    pub target: TargetArgs,

    #[command(flatten)]
    pub limits: LimitArgs,
}

#[derive(Debug, Default, Args)]
#[command(next_help_heading = "Connection")]
pub struct TargetArgs {
    /// Run against the built-in emulator (state in .wxcc/emulator.json in the current
    /// folder) instead of a real tenant. No Webex account needed.
    #[arg(long)]
    pub emulator: bool,

    /// Signed-in profile to use (one per org you manage). Default: `default`.
    #[arg(
        long,
        env = "WXCC_PROFILE",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub profile: Option<String>,

    /// Organization id (UUID). Default: the profile's org, else the org in the access token.
    #[arg(
        long,
        env = "WXCC_ORG_ID",
        hide_env_values = true,
        value_name = "ORG_ID"
    )]
    pub org: Option<String>,

    /// Region of the tenant: us1, eu1, eu2, anz1, ca1, jp1, sg1, in1. Default: the
    /// profile's, else us1.
    #[arg(
        long,
        env = "WXCC_REGION",
        hide_env_values = true,
        value_name = "REGION"
    )]
    pub region: Option<String>,

    /// API base URL instead of the region's (https; plain http only on loopback).
    #[arg(
        long,
        env = "WXCC_BASE_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub base_url: Option<String>,

    /// OAuth host for sign-in and token renewal. Default: the profile's, else
    /// https://webexapis.com.
    #[arg(
        long,
        env = "WXCC_AUTH_URL",
        hide_env_values = true,
        value_name = "URL"
    )]
    pub auth_url: Option<String>,
}

const DEFAULT_RATE_LIMIT: u32 = 300;
const DEFAULT_PARALLELISM: usize = 4;

/// How hard a run may use the API: the flags of the commands that read and write it.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub struct LimitArgs {
    /// Requests per minute for the whole run, shared by every worker.
    #[arg(
        long,
        env = "WXCC_RATE_LIMIT",
        hide_env_values = true,
        value_name = "N",
        default_value_t = DEFAULT_RATE_LIMIT
    )]
    pub rate_limit: u32,

    /// Requests in flight at once.
    #[arg(
        long,
        env = "WXCC_PARALLELISM",
        hide_env_values = true,
        value_name = "N",
        default_value_t = DEFAULT_PARALLELISM
    )]
    pub parallelism: usize,
}

impl Default for LimitArgs {
    fn default() -> Self {
        LimitArgs {
            rate_limit: DEFAULT_RATE_LIMIT,
            parallelism: DEFAULT_PARALLELISM,
        }
    }
}

/// The profile a command that only looks at stored sign-ins works on.
#[derive(Debug, Args)]
#[command(next_help_heading = "Connection")]
pub struct ProfileArgs {
    /// Signed-in profile (one per org you manage). Default: `default`.
    #[arg(
        long,
        env = "WXCC_PROFILE",
        hide_env_values = true,
        value_name = "NAME"
    )]
    pub profile: Option<String>,
}

#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// Say how runs with --emulator sign in, instead of showing a profile.
    #[arg(long, help_heading = "Connection")]
    pub emulator: bool,

    #[command(flatten)]
    pub profile: ProfileArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

// Parsed once per process: the size of the largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check config offline: YAML, kinds, fields, the official DTO schemas, duplicate keys
    /// and references. No network.
    Validate(ValidateArgs),
    /// Show the changes that would make the tenant match the config.
    Plan(PlanArgs),
    /// Plan, confirm, and make the changes; or apply a plan saved with `plan --out`.
    Apply(ApplyArgs),
    /// Show a plan saved with `wxcc plan PATH --out FILE`. No network.
    Show(ShowArgs),
    /// Sign in with Webex (a Webex integration's authorization-code flow, or a service app)
    /// and store the tokens in a profile.
    Login(LoginArgs),
    /// Remove the profile's stored tokens.
    Logout(ProfileArgs),
    /// Show the credentials commands would use (WXCC_ACCESS_TOKEN, a CI refresh token or
    /// the profile): org, region, scopes and when tokens expire (never the tokens).
    Whoami(WhoamiArgs),
    /// Run the local WxCC API emulator.
    #[command(subcommand)]
    Emulator(EmulatorCommand),
    /// List the kinds wxcc manages, in apply order, with their key and reference fields.
    Kinds(KindsArgs),
    /// Print the JSON Schema of the config format (for editors, e.g. yaml-language-server)
    /// to stdout. `schemas/wxcc.schema.json` is this output.
    Schema,
    /// Print a shell completion script to stdout, e.g.
    /// `wxcc completions bash > ~/.local/share/bash-completion/completions/wxcc`.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout, e.g. `wxcc man > wxcc.1 && man ./wxcc.1`.
    Man,
    /// List the tasks (contacts) created in a time range, every page.
    Tasks(TasksArgs),
    /// Queue or agent statistics per interval.
    #[command(subcommand)]
    Stats(StatsCommand),
    /// Agent activities (logins, states, contacts) in a time range.
    Activities(ActivitiesArgs),
    /// Run a GraphQL query on the Search API, every page.
    Search(SearchArgs),
    /// List the recordings of tasks, or download them (`recordings download --out DIR`).
    Recordings(RecordingsArgs),
    /// Drive an agent's desktop session: notifications, station login, state, reload,
    /// logout. Needs the agent's own sign-in (scope cjp:user); see docs/agent.md.
    #[command(subcommand)]
    Agent(AgentCommand),
    /// Prove an applied configuration works: the signed-in test agent logs in to a team,
    /// goes Available, goes Idle with an idle code and logs out; each step is timed.
    Smoke(SmokeArgs),
    /// Write the live org as a config folder that `plan` reads back with no changes:
    /// one file per kind, keys for ids, server-owned fields and defaults left out.
    Export(ExportArgs),
    /// Compare two live orgs by key: this one (the source) against the org of another
    /// signed-in profile. Shown like a plan: what applying this org's export there would do.
    Compare(CompareArgs),
    /// Reverse an apply from its journal (default: the last apply of this org not yet
    /// undone): show the inverse as a plan, confirm, apply it.
    Undo(UndoArgs),
}

/// `wxcc compare --against-profile NAME` (issue 9).
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The signed-in profile of the other org (see `wxcc login --profile NAME`).
    #[arg(long, value_name = "NAME")]
    pub against_profile: String,

    /// Only these kinds (comma-separated or repeated). Default: every kind config may declare.
    #[arg(long = "kinds", value_name = "KIND", value_delimiter = ',')]
    pub kinds: Vec<String>,

    /// Exit 0 when the orgs match, 2 when they differ, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

/// The file format `wxcc export --format` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Yaml,
    Csv,
}

/// `wxcc export --out DIR` (issue 9).
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The folder to write: new, empty, or an earlier export (only the files that export
    /// wrote are replaced).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,

    /// Only these kinds (comma-separated or repeated). Default: every kind config may declare.
    #[arg(long = "kinds", value_name = "KIND", value_delimiter = ',')]
    pub kinds: Vec<String>,

    /// Leave an object out, as KIND/KEY (`team/Austin/Tier 1` for a team keyed by site);
    /// repeatable.
    #[arg(long, value_name = "KIND/KEY")]
    pub exclude: Vec<String>,

    /// Keep each desktop layout's JSON inline as one string, instead of writing it
    /// pretty-printed to `layouts/<name>.json`.
    #[arg(long)]
    pub inline_layouts: bool,

    /// The format of the object files: one `<kind>.yaml`, or one `<kind>.csv` per kind
    /// (docs/csv.md; desktop layouts stay inline, and a kind a CSV cannot hold is written
    /// as YAML, said on stderr).
    #[arg(long, value_enum, default_value_t = ExportFormat::Yaml)]
    pub format: ExportFormat,

    /// Fields whose values differ per org (e.g. `timezone`, `dialledNumber`,
    /// `outdialANIEntries[].number`), comma-separated: each value is replaced by a
    /// `${var.NAME}` placeholder and written to the --vars-out file.
    #[arg(
        long,
        value_name = "FIELD",
        value_delimiter = ',',
        requires = "vars_out"
    )]
    pub lift: Vec<String>,

    /// The vars file (YAML, `NAME: value`) the lifted values are written to.
    #[arg(long, value_name = "FILE", requires = "lift")]
    pub vars_out: Option<PathBuf>,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// A journal under .wxcc/journal/ (default: the last apply of this org not yet undone).
    pub journal: Option<PathBuf>,

    /// Apply the undo without asking for confirmation (for CI).
    #[arg(long)]
    pub auto_approve: bool,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: Shell,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
    Elvish,
}

// ---- data commands (issue 14): tasks, stats, activities ----

#[derive(Debug, Args)]
pub struct TimeArgs {
    /// How far back from now: 30m, 2h, 7d, 1h30m.
    #[arg(long, value_name = "DURATION", conflicts_with = "from")]
    pub since: Option<String>,

    /// Start: a date (2026-11-01, local midnight), a date-time (2026-11-01T09:30, local;
    /// or with Z, +01:00 or [Europe/Paris]), or a duration ago (2h).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,

    /// End (exclusive), written like --from. Default: now.
    #[arg(long, value_name = "TIME", requires = "from")]
    pub to: Option<String>,

    /// Output format. Default: a table on a terminal, CSV otherwise.
    #[arg(long, value_enum)]
    pub format: Option<DataFormat>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum DataFormat {
    Table,
    Csv,
    Json,
    Jsonl,
}

#[derive(Debug, Args)]
pub struct TasksArgs {
    #[command(flatten)]
    pub time: TimeArgs,

    #[command(flatten)]
    pub channels: ChannelArgs,

    /// Only tasks whose last queue is this one, by name (comma-separated or repeated).
    #[arg(long = "queue", value_name = "NAME")]
    pub queues: Vec<String>,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct ChannelArgs {
    /// Only these channels (comma-separated or repeated): telephony, chat, email, social.
    #[arg(long = "channel", value_name = "CHANNEL")]
    pub channels: Vec<String>,
}

#[derive(Debug, Args)]
pub struct PeopleArgs {
    /// Only these agents, by email (comma-separated or repeated).
    #[arg(long = "agent", value_name = "EMAIL")]
    pub agents: Vec<String>,

    /// Only agents of these teams, by name (comma-separated or repeated).
    #[arg(long = "team", value_name = "NAME")]
    pub teams: Vec<String>,
}

#[derive(Debug, Subcommand)]
pub enum StatsCommand {
    /// Offered, accepted, abandoned tasks and times per queue and interval.
    Queues(QueueStatsArgs),
    /// Tasks and durations per agent, channel and interval.
    Agents(AgentStatsArgs),
}

#[derive(Debug, Args)]
pub struct QueueStatsArgs {
    #[command(flatten)]
    pub time: TimeArgs,

    /// Interval length in minutes: 15, 30 or 60.
    #[arg(long, value_name = "MINUTES", default_value = "15", value_parser = ["15", "30", "60"])]
    pub interval: String,

    /// Only these queues, by name (comma-separated or repeated). Default: all.
    #[arg(long = "queue", value_name = "NAME")]
    pub queues: Vec<String>,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct AgentStatsArgs {
    #[command(flatten)]
    pub time: TimeArgs,

    /// Interval length in minutes: 15, 30 or 60.
    #[arg(long, value_name = "MINUTES", default_value = "15", value_parser = ["15", "30", "60"])]
    pub interval: String,

    #[command(flatten)]
    pub people: PeopleArgs,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct ActivitiesArgs {
    #[command(flatten)]
    pub time: TimeArgs,

    #[command(flatten)]
    pub people: PeopleArgs,

    #[command(flatten)]
    pub channels: ChannelArgs,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// A file holding the GraphQL query (e.g. examples/search/simple.graphql).
    #[arg(
        value_name = "QUERY.graphql",
        required_unless_present = "query",
        conflicts_with = "query"
    )]
    pub file: Option<PathBuf>,

    /// The query text itself, instead of a file.
    #[arg(long, value_name = "GRAPHQL")]
    pub query: Option<String>,

    /// A variable, `name=value` (numbers, true/false and JSON are typed; anything else is a
    /// string). Repeatable.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    pub vars: Vec<String>,

    /// Sets the variables `$from` and `$to` to this far back from now: 30m, 2h, 7d.
    #[arg(long, value_name = "DURATION", conflicts_with = "from")]
    pub since: Option<String>,

    /// Sets `$from` (written like `wxcc tasks --from`).
    #[arg(long, value_name = "TIME")]
    pub from: Option<String>,

    /// Sets `$to` (default: now), with --from.
    #[arg(long, value_name = "TIME", requires = "from")]
    pub to: Option<String>,

    /// Output: the merged answer as JSON (default), or CSV / JSON lines of the result rows.
    #[arg(long, value_enum, default_value_t = DataFormat::Json)]
    pub format: DataFormat,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct RecordingsArgs {
    #[command(subcommand)]
    pub action: Option<RecordingsAction>,

    #[command(flatten)]
    pub select: RecordingSelect,
}

#[derive(Debug, Subcommand)]
pub enum RecordingsAction {
    /// Download the recordings into a folder, resuming an earlier run, with a manifest.csv.
    Download(DownloadArgs),
}

#[derive(Debug, Args)]
pub struct DownloadArgs {
    #[command(flatten)]
    pub select: RecordingSelect,

    /// The folder to save into (created if missing).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct RecordingSelect {
    /// These tasks (comma-separated or repeated), instead of a time range.
    #[arg(long = "task", value_name = "ID", conflicts_with_all = ["since", "from"])]
    pub tasks: Vec<String>,

    #[command(flatten)]
    pub time: TimeArgs,

    /// One file per segment instead of the stitched recording.
    #[arg(long)]
    pub segments: bool,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

// ---- end of data commands ----

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// The Webex integration's client id (or the service app's, with --service-app).
    #[arg(
        long,
        env = "WXCC_CLIENT_ID",
        hide_env_values = true,
        value_name = "ID"
    )]
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
        hide_env_values = true,
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

    #[command(flatten)]
    pub target: TargetArgs,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// A config file, or a folder of *.yaml / *.yml / *.csv files.
    pub path: PathBuf,

    /// The kind of a lone CSV file (by default its name's first part: site.csv).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
    #[command(flatten)]
    pub vars: VarsArgs,
}

/// Where per-environment values come from: flattened into every command that reads a config.
#[derive(Clone, Debug, Default, Args)]
pub struct VarsArgs {
    /// YAML file of `NAME: value` pairs that `${var.NAME}` placeholders in the config take
    /// (one per org, e.g. vars/prod.yaml). `${env.NAME}` reads the environment; `$${` is a
    /// literal `${`. See docs/environments.md.
    #[arg(long, value_name = "FILE")]
    pub vars: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ChangeArgs {
    /// A config file, or a folder of *.yaml / *.yml / *.csv files.
    pub path: PathBuf,

    /// The kind of a lone CSV file (by default its name's first part: site.csv).
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,

    /// Delete live objects of this kind that the config does not declare (repeatable;
    /// `all` for every kind in the config). Without it nothing is ever deleted.
    #[arg(long = "delete", value_name = "KIND")]
    pub delete: Vec<String>,

    /// The most objects one bulk request carries, up to 5000 (docs/performance.md); 0
    /// sends every write as a single call. The plan's request budget counts with it.
    #[arg(
        long,
        value_name = "N",
        env = "WXCC_BULK_CHUNK",
        hide_env_values = true,
        default_value_t = crate::apply::DEFAULT_BULK_CHUNK,
        value_parser = clap::value_parser!(u16).range(0..=5000)
    )]
    pub bulk_chunk: u16,

    /// Refuse to delete more than this percentage of a kind's live objects (deleting a
    /// single object is always allowed).
    #[arg(long, value_name = "PERCENT", default_value_t = 30)]
    pub max_delete_percent: u32,

    /// Plan only the changes of this kind, or of this one object (repeatable). References
    /// to objects outside the target resolve against the tenant.
    #[arg(long = "target", value_name = "KIND[/KEY]")]
    pub target: Vec<String>,

    /// Leave out the changes of this kind, or of this one object (repeatable).
    #[arg(long = "exclude", value_name = "KIND[/KEY]")]
    pub exclude: Vec<String>,

    #[command(flatten)]
    pub vars: VarsArgs,

    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long)]
    pub detailed_exitcode: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text)]
    pub format: PlanFormat,

    /// Also save the plan as data to FILE, for `wxcc apply FILE` (exactly this plan, or
    /// nothing if the tenant changed since) and `wxcc show FILE`.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub change: ChangeArgs,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// A plan saved with `wxcc plan PATH --out FILE`.
    pub file: PathBuf,

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
    /// Apply without asking for confirmation (for CI).
    #[arg(long)]
    pub auto_approve: bool,

    /// Apply a config that declares no objects even when the plan deletes (with --delete,
    /// an empty config deletes every live object of the kinds named). Refused without it.
    #[arg(long)]
    pub allow_empty_config: bool,

    /// Write one CSV line per object the apply changed (kind, key, source, action,
    /// result: the id, or the API's reason) to FILE.
    #[arg(long, value_name = "FILE")]
    pub report: Option<std::path::PathBuf>,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub change: ChangeArgs,
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
    /// Forget everything the emulator holds (delete its state file), so the next
    /// `--emulator` run or `serve` starts from a new tenant. Refused while a run or server
    /// holds the state.
    Reset(ResetArgs),
}

#[derive(Debug, Args)]
pub struct ResetArgs {
    /// The state file to delete.
    #[arg(long, value_name = "FILE", default_value = DEFAULT_STATE)]
    pub state: PathBuf,
}

/// Where `--emulator` and `wxcc emulator serve` keep the emulator's state.
pub const DEFAULT_STATE: &str = ".wxcc/emulator.json";

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Port on 127.0.0.1 (0 picks a free one; the first line printed says which).
    #[arg(long, default_value_t = 8080)]
    pub port: u16,

    /// State file (created if missing; each change is appended to FILE.journal beside it,
    /// and the file is rewritten atomically now and then and at a clean stop).
    #[arg(long, value_name = "FILE", default_value = DEFAULT_STATE)]
    pub state: PathBuf,

    /// Answer 429 with Retry-After once a client sends more than this many requests in a
    /// window (`N` per minute, or `N/SECONDS`).
    #[arg(long, value_name = "N[/SECONDS]")]
    pub throttle: Option<String>,

    /// Largest page size list endpoints return (larger requests are silently clamped).
    #[arg(long, value_name = "N")]
    pub max_page_size: Option<u64>,

    /// Generate this many days of synthetic contact-center activity (tasks, statistics,
    /// agent activities) from the org's configuration, replacing any there was.
    #[arg(long, value_name = "DAYS")]
    pub seed_activity: Option<u32>,

    /// With --seed-activity: about how many tasks each queue gets per hour.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 6,
        requires = "seed_activity"
    )]
    pub tasks_per_hour: u32,
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

impl AgentCommand {
    /// The connection flags, wherever the subcommand carries them.
    pub fn connection(&self) -> &ConnectArgs {
        match self {
            AgentCommand::Events(a) => &a.connect,
            AgentCommand::Login(a) => &a.wait.connect,
            AgentCommand::State(a) => &a.wait.connect,
            AgentCommand::Reload(a) => &a.connect,
            AgentCommand::Logout(a) => &a.wait.connect,
        }
    }
}

#[derive(Debug, Args)]
pub struct AgentWaitArgs {
    /// Seconds to wait for the outcome event (Cisco's desktop SDK waits 20).
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    pub timeout: u64,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub connect: ConnectArgs,
}

#[derive(Debug, Args)]
pub struct AgentEventsArgs {
    /// Only events of this type (outer `type` or inner `data.type`; repeatable).
    #[arg(long = "type", value_name = "TYPE")]
    pub types: Vec<String>,

    /// Stop after this many events have been printed.
    #[arg(long, value_name = "N")]
    pub count: Option<u64>,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub connect: ConnectArgs,
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

    #[command(flatten)]
    pub vars: VarsArgs,

    // Last: its connection flags start their own help heading.
    #[command(flatten)]
    pub connect: ConnectArgs,
}
