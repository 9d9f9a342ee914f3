//! `wxcc completions SHELL` and `wxcc man`: a shell completion script and the man page,
//! both generated from the same clap definition the binary parses with, so they cannot
//! drift from the real flags.

use clap::CommandFactory;
use clap_complete::Shell as Target;

use super::args::{Cli, CompletionsArgs, Shell};
use super::data_output::write_out;
use crate::error::Error;

pub fn completions(args: &CompletionsArgs) -> Result<(), Error> {
    let shell = match args.shell {
        Shell::Bash => Target::Bash,
        Shell::Zsh => Target::Zsh,
        Shell::Fish => Target::Fish,
        Shell::Powershell => Target::PowerShell,
        Shell::Elvish => Target::Elvish,
    };
    let mut command = Cli::command();
    let mut text = Vec::new();
    clap_complete::generate(shell, &mut command, "wxcc", &mut text);
    write_out(&text)
}

pub fn man() -> Result<(), Error> {
    let mut text = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut text)
        .map_err(|e| Error::Usage(format!("cannot render the man page: {e}")))?;
    write_out(&text)
}
