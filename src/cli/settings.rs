//! Resolves arguments, environment and defaults into the settings commands use. No
//! network. The rest of the program never sees clap.

use std::io::IsTerminal;
use std::path::PathBuf;

use url::Url;

use super::args::{ColorChoice, GlobalArgs};
use crate::api::{base_url_for_region, check_base_url};
use crate::error::Error;

/// Where the API is.
#[derive(Clone, Debug)]
pub enum Target {
    /// The built-in emulator, run in-process with state in this folder.
    Emulator { state_dir: PathBuf },
    /// A real (or separately run) WxCC API.
    Api { base_url: Url },
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub target: Target,
    pub org: Option<String>,
    /// Colour on stdout / stderr.
    pub color_out: bool,
    pub color_err: bool,
    pub rate_limit: u32,
    pub parallelism: usize,
}

pub fn resolve(global: &GlobalArgs) -> Result<Settings, Error> {
    let target = if global.emulator {
        if global.base_url.is_some() {
            return Err(Error::Usage(
                "--emulator and --base-url both say where the API is; use one".into(),
            ));
        }
        Target::Emulator {
            state_dir: PathBuf::from(".wxcc"),
        }
    } else if let Some(raw) = &global.base_url {
        Target::Api {
            base_url: check_base_url(raw).map_err(Error::Usage)?,
        }
    } else {
        let region = global.region.clone().unwrap_or_else(|| "us1".into());
        let base_url = base_url_for_region(&region).ok_or_else(|| {
            Error::Usage(format!(
                "unknown region `{region}`; use one of {}",
                crate::api::REGIONS
                    .iter()
                    .map(|(r, _)| *r)
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
        })?;
        Target::Api { base_url }
    };
    if global.parallelism == 0 {
        return Err(Error::Usage("--parallelism must be at least 1".into()));
    }
    if global.rate_limit == 0 {
        return Err(Error::Usage(
            "--rate-limit must be at least 1 request per minute".into(),
        ));
    }
    Ok(Settings {
        target,
        org: global.org.clone().filter(|o| !o.is_empty()),
        color_out: use_color(global.color, std::io::stdout().is_terminal()),
        color_err: use_color(global.color, std::io::stderr().is_terminal()),
        rate_limit: global.rate_limit,
        parallelism: global.parallelism,
    })
}

fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            terminal
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::env::var("TERM").map(|t| t != "dumb").unwrap_or(true)
        }
    }
}
