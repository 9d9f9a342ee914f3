//! The command line: parse arguments, resolve settings, run one command, turn the result
//! into an exit status. One file per command.

mod activities;
mod agent;
mod apply;
mod args;
mod callback;
mod completions;
mod data_output;
mod emulator;
mod kinds;
mod login;
mod logout;
mod plan;
mod progress;
mod recordings;
mod saved;
mod schema;
mod search;
mod session;
mod settings;
mod show;
mod smoke;
mod stats;
mod tasks;
mod validate;
mod whoami;

use std::process::ExitCode;

use clap::Parser;

use crate::error::Error;
use args::{Cli, Command, EmulatorCommand, LimitArgs, RecordingsAction, StatsCommand, TargetArgs};
use settings::Output;

/// Runs `wxcc` with the process's arguments.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let output = settings::output(&cli.global);
    init_logging(cli.global.verbose);
    let code = match run(&cli, output) {
        Ok(code) => code,
        Err(e) => {
            let s = anstyle::Style::new()
                .fg_color(Some(anstyle::AnsiColor::Red.into()))
                .bold();
            anstream::eprintln!("{s}error:{s:#} {e}");
            e.exit_code()
        }
    };
    ExitCode::from(code)
}

/// Prints what clap found (help and `--version` on stdout, usage errors on stderr) and
/// exits 0 for help and version, 1 for a usage error: 2 belongs to
/// `plan --detailed-exitcode`.
fn usage_error(e: &clap::Error) -> ExitCode {
    let _ = e.print();
    if e.use_stderr() {
        ExitCode::from(Error::EXIT_STATUS)
    } else {
        ExitCode::SUCCESS
    }
}

fn run(cli: &Cli, output: Output) -> Result<u8, Error> {
    // These need no settings and no runtime.
    match &cli.command {
        Command::Kinds(a) => return kinds::run(a).map(|_| 0),
        Command::Schema => return schema::run().map(|_| 0),
        Command::Completions(a) => return completions::completions(a).map(|_| 0),
        Command::Man => return completions::man().map(|_| 0),
        Command::Validate(a) => {
            return validate::run(&a.path, a.kind.as_deref(), &a.vars, output).map(|_| 0);
        }
        Command::Show(a) => return show::run(a, output).map(|_| 0),
        Command::Whoami(a) => return whoami::run(a, output).map(|_| 0),
        Command::Logout(a) => {
            let target = TargetArgs {
                profile: a.profile.clone(),
                ..TargetArgs::default()
            };
            let settings = settings::resolve(output, &target, &LimitArgs::default())?;
            return logout::run(&settings).map(|_| 0);
        }
        Command::Emulator(EmulatorCommand::Reset(a)) => return emulator::reset(a).map(|_| 0),
        _ => {}
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        match &cli.command {
            Command::Login(a) => {
                let settings = settings::resolve(output, &a.target, &LimitArgs::default())?;
                login::run(a, &settings).await.map(|_| 0)
            }
            Command::Plan(a) => {
                let settings =
                    settings::resolve(output, &a.change.connect.target, &a.change.connect.limits)?;
                plan::run(a, &settings).await
            }
            Command::Apply(a) => {
                let settings =
                    settings::resolve(output, &a.change.connect.target, &a.change.connect.limits)?;
                apply::run(a, &settings).await.map(|_| 0)
            }
            Command::Emulator(EmulatorCommand::Serve(a)) => emulator::serve(a).await.map(|_| 0),
            Command::Validate(_)
            | Command::Show(_)
            | Command::Kinds(_)
            | Command::Schema
            | Command::Completions(_)
            | Command::Man
            | Command::Whoami(_)
            | Command::Logout(_)
            | Command::Emulator(EmulatorCommand::Reset(_)) => Ok(0),
            Command::Tasks(a) => {
                let settings = settings::resolve(output, &a.connect.target, &a.connect.limits)?;
                tasks::run(a, &settings).await.map(|_| 0)
            }
            Command::Stats(a) => {
                let connect = match a {
                    StatsCommand::Queues(q) => &q.connect,
                    StatsCommand::Agents(g) => &g.connect,
                };
                let settings = settings::resolve(output, &connect.target, &connect.limits)?;
                stats::run(a, &settings).await.map(|_| 0)
            }
            Command::Activities(a) => {
                let settings = settings::resolve(output, &a.connect.target, &a.connect.limits)?;
                activities::run(a, &settings).await.map(|_| 0)
            }
            Command::Search(a) => {
                let settings = settings::resolve(output, &a.connect.target, &a.connect.limits)?;
                search::run(a, &settings).await.map(|_| 0)
            }
            Command::Recordings(a) => {
                let select = match &a.action {
                    Some(RecordingsAction::Download(d)) => &d.select,
                    None => &a.select,
                };
                let settings =
                    settings::resolve(output, &select.connect.target, &select.connect.limits)?;
                recordings::run(a, &settings).await.map(|_| 0)
            }
            Command::Agent(a) => {
                let connect = a.connection();
                let settings = settings::resolve(output, &connect.target, &connect.limits)?;
                agent::run(a, &settings).await
            }
            Command::Smoke(a) => {
                let settings = settings::resolve(output, &a.connect.target, &a.connect.limits)?;
                smoke::run(a, &settings).await.map(|_| 0)
            }
        }
    })
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    // Our own crate at the chosen level; libraries one notch quieter so their traces never
    // carry request headers.
    let filter = tracing_subscriber::EnvFilter::try_from_env("WXCC_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("wxcc={level},warn")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .try_init();
}
