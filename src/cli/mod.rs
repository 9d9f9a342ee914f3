//! The command line: parse arguments, resolve settings, run one command, turn the result
//! into an exit status. One file per command.

mod agent;
mod apply;
mod args;
mod callback;
mod emulator;
mod kinds;
mod login;
mod logout;
mod plan;
mod schema;
mod session;
mod settings;
mod smoke;
mod validate;
mod whoami;

use std::process::ExitCode;

use clap::Parser;

use crate::error::Error;
use args::{Cli, Command, EmulatorCommand};

/// Runs `wxcc` with the process's arguments.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.global.verbose);
    let code = match run(&cli) {
        Ok(code) => code,
        Err(e) => {
            let prefix = if settings::resolve(&cli.global)
                .map(|s| s.color_err)
                .unwrap_or(false)
            {
                let s = anstyle::Style::new()
                    .fg_color(Some(anstyle::AnsiColor::Red.into()))
                    .bold();
                format!("{s}error:{s:#}")
            } else {
                "error:".to_string()
            };
            anstream::eprintln!("{prefix} {e}");
            e.exit_code()
        }
    };
    ExitCode::from(code)
}

fn run(cli: &Cli) -> Result<u8, Error> {
    // These read only compiled-in data: no settings, no runtime.
    match &cli.command {
        Command::Kinds(a) => return kinds::run(a).map(|_| 0),
        Command::Schema => return schema::run().map(|_| 0),
        _ => {}
    }
    let settings = settings::resolve(&cli.global)?;
    match &cli.command {
        Command::Validate(a) => return validate::run(&a.path, &settings).map(|_| 0),
        Command::Whoami => return whoami::run(&settings).map(|_| 0),
        Command::Logout => return logout::run(&settings).map(|_| 0),
        _ => {}
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::Usage(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async {
        match &cli.command {
            Command::Validate(_)
            | Command::Kinds(_)
            | Command::Schema
            | Command::Whoami
            | Command::Logout => Ok(0),
            Command::Login(a) => login::run(a, &settings).await.map(|_| 0),
            Command::Plan(a) => plan::run(a, &settings).await,
            Command::Apply(a) => apply::run(a, &settings).await.map(|_| 0),
            Command::Emulator(EmulatorCommand::Serve(a)) => emulator::serve(a).await.map(|_| 0),
            Command::Agent(a) => agent::run(a, &settings).await,
            Command::Smoke(a) => smoke::run(a, &settings).await.map(|_| 0),
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
