//! Resolves arguments, environment, the signed-in profile and defaults into the settings
//! commands use. No network (reading the profile file is the only I/O). The rest of the
//! program never sees clap.
//!
//! Precedence, highest first: flags and their `WXCC_*` variables, then the profile, then
//! defaults. Credentials: `WXCC_ACCESS_TOKEN`, else a CI refresh token
//! (`WXCC_REFRESH_TOKEN[_FILE]` with `WXCC_CLIENT_ID`/`WXCC_CLIENT_SECRET`), else the profile
//! `wxcc login` stored. The profile's region, base URL, auth host and org are used only when
//! its tokens are.

use std::path::PathBuf;

use anstream::AutoStream;
use url::Url;

use super::args::{ColorChoice, DEFAULT_STATE, GlobalArgs, LimitArgs, TargetArgs};
use crate::api::oauth::WEBEX_AUTH_BASE;
use crate::api::{
    Secret, StoredProfile, TokenStore, base_url_for_region, check_base_url, check_profile_name,
};
use crate::error::Error;

/// Where the API is.
#[derive(Clone, Debug)]
pub enum Target {
    /// The built-in emulator, run in-process with its state in this file.
    Emulator { state: PathBuf },
    /// A real (or separately run) WxCC API.
    Api { base_url: Url },
}

/// Where this run's credentials come from.
#[derive(Clone, Debug)]
pub enum CredentialSource {
    /// `WXCC_ACCESS_TOKEN`: used as it is, never renewed.
    AccessToken(Secret),
    /// A CI pipeline's refresh token, exchanged at start.
    RefreshToken {
        client_id: String,
        client_secret: Secret,
        token: Secret,
        /// `WXCC_REFRESH_TOKEN_FILE`: read at start, rewritten with each new refresh token.
        file: Option<PathBuf>,
    },
    /// The profile `wxcc login` stored.
    Profile(Box<StoredProfile>),
    /// None found; commands that need the API say how to sign in.
    Missing,
    /// Credentials were given but cannot be used; the message says why.
    Invalid(String),
}

/// The values given explicitly (flags or their variables), for `login` to store.
#[derive(Clone, Debug, Default)]
pub struct Explicit {
    pub org: Option<String>,
    pub base_url: Option<Url>,
    pub region: Option<String>,
    pub auth_url: Option<Url>,
}

#[derive(Clone, Debug)]
pub struct Settings {
    pub target: Target,
    pub org: Option<String>,
    /// Colour on stdout / stderr.
    pub color_out: bool,
    pub color_err: bool,
    /// Show progress on stderr while reading and writing the API.
    pub progress: bool,
    pub rate_limit: u32,
    pub parallelism: usize,
    /// The profile name (`--profile`, `WXCC_PROFILE`, else `default`).
    pub profile: String,
    /// Where profiles are kept; `None` when no config folder can be found.
    pub store: Option<TokenStore>,
    /// The OAuth host: `--auth-url`, the profile's, or Webex's.
    pub auth_url: Url,
    /// The region the API target was chosen by (for messages and `login`).
    pub region: String,
    pub credentials: CredentialSource,
    pub explicit: Explicit,
}

/// How output looks: colour on each stream, and whether progress is shown.
#[derive(Clone, Copy, Debug)]
pub struct Output {
    pub color_out: bool,
    pub color_err: bool,
    /// Progress on stderr: only on a terminal, and not with `--quiet`.
    pub progress: bool,
}

/// Sets the colour policy for the whole process from `--color` (anstream's: `auto` follows
/// `NO_COLOR`, then `CLICOLOR_FORCE`, then whether the stream is a terminal) and says what
/// it comes to for stdout and stderr. Everything printed goes through anstream, which
/// strips styles when its stream's choice is `never`.
pub fn output(global: &GlobalArgs) -> Output {
    let choice = match global.color {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    let colored = |c: anstream::ColorChoice| c != anstream::ColorChoice::Never;
    Output {
        color_out: colored(AutoStream::choice(&std::io::stdout())),
        color_err: colored(AutoStream::choice(&std::io::stderr())),
        progress: !global.quiet && std::io::IsTerminal::is_terminal(&std::io::stderr()),
    }
}

pub fn resolve(output: Output, global: &TargetArgs, limits: &LimitArgs) -> Result<Settings, Error> {
    let profile = global
        .profile
        .clone()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| "default".into());
    check_profile_name(&profile).map_err(Error::Usage)?;
    let store = config_dir().map(|d| TokenStore::new(&d));
    let explicit = Explicit {
        org: global.org.clone().filter(|o| !o.is_empty()),
        // Empty counts as unset, as for org and region: CI systems template variables that
        // are not configured as empty strings (docs/ci.md).
        base_url: global
            .base_url
            .as_deref()
            .filter(|u| !u.is_empty())
            .map(check_base_url)
            .transpose()
            .map_err(Error::Usage)?,
        region: global.region.clone().filter(|r| !r.is_empty()),
        auth_url: global
            .auth_url
            .as_deref()
            .filter(|u| !u.is_empty())
            .map(|u| check_base_url(u).map_err(|e| Error::Usage(format!("--auth-url: {e}"))))
            .transpose()?,
    };
    if let Some(r) = &explicit.region
        && base_url_for_region(r).is_none()
    {
        return Err(unknown_region(r));
    }
    let credentials = if global.emulator {
        CredentialSource::Missing
    } else {
        credentials_from_env(&profile, store.as_ref())
    };
    let from_profile = match &credentials {
        CredentialSource::Profile(p) => Some(p.as_ref()),
        _ => None,
    };
    let region = explicit
        .region
        .clone()
        .or_else(|| from_profile.map(|p| p.region.clone()))
        .unwrap_or_else(|| "us1".into());
    let target = if global.emulator {
        if explicit.base_url.is_some() {
            return Err(Error::Usage(
                "--emulator and --base-url both say where the API is; use one".into(),
            ));
        }
        Target::Emulator {
            state: PathBuf::from(DEFAULT_STATE),
        }
    } else if let Some(base_url) = &explicit.base_url {
        Target::Api {
            base_url: base_url.clone(),
        }
    } else if let (None, Some(raw)) = (
        &explicit.region,
        from_profile.and_then(|p| p.base_url.as_deref()),
    ) {
        Target::Api {
            base_url: check_base_url(raw)
                .map_err(|e| Error::Usage(format!("profile `{profile}`: {e}")))?,
        }
    } else {
        let base_url = base_url_for_region(&region).ok_or_else(|| unknown_region(&region))?;
        Target::Api { base_url }
    };
    let auth_url = match (&explicit.auth_url, from_profile) {
        (Some(u), _) => u.clone(),
        (None, Some(p)) => check_base_url(&p.auth_url)
            .map_err(|e| Error::Usage(format!("profile `{profile}`: {e}")))?,
        (None, None) => Url::parse(WEBEX_AUTH_BASE)
            .map_err(|e| Error::Usage(format!("bad default auth URL: {e}")))?,
    };
    if limits.parallelism == 0 {
        return Err(Error::Usage("--parallelism must be at least 1".into()));
    }
    if limits.rate_limit == 0 {
        return Err(Error::Usage(
            "--rate-limit must be at least 1 request per minute".into(),
        ));
    }
    let org = explicit
        .org
        .clone()
        .or_else(|| from_profile.map(|p| p.org_id.clone()));
    Ok(Settings {
        target,
        org,
        color_out: output.color_out,
        color_err: output.color_err,
        progress: output.progress,
        rate_limit: limits.rate_limit,
        parallelism: limits.parallelism,
        profile,
        store,
        auth_url,
        region,
        credentials,
        explicit,
    })
}

impl Settings {
    /// The command that signs this profile in again.
    pub fn login_command(&self) -> String {
        if self.profile == "default" {
            "wxcc login".into()
        } else {
            format!("wxcc login --profile {}", self.profile)
        }
    }
}

fn unknown_region(region: &str) -> Error {
    Error::Usage(format!(
        "unknown region `{region}`; use one of {}",
        crate::api::REGIONS
            .iter()
            .map(|(r, _)| *r)
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

fn credentials_from_env(profile: &str, store: Option<&TokenStore>) -> CredentialSource {
    if let Some(token) = non_empty_env("WXCC_ACCESS_TOKEN") {
        return CredentialSource::AccessToken(Secret::new(token));
    }
    let file = non_empty_env("WXCC_REFRESH_TOKEN_FILE").map(PathBuf::from);
    let from_env = non_empty_env("WXCC_REFRESH_TOKEN");
    if file.is_some() || from_env.is_some() {
        let from_file = match &file {
            Some(path) => match std::fs::read_to_string(path) {
                Ok(text) => Some(text.trim().to_string()).filter(|t| !t.is_empty()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => {
                    return CredentialSource::Invalid(format!(
                        "cannot read WXCC_REFRESH_TOKEN_FILE {}: {e}",
                        path.display()
                    ));
                }
            },
            None => None,
        };
        // The file holds the newest token once a run has written it; the variable seeds it.
        let Some(token) = from_file.or(from_env) else {
            return CredentialSource::Invalid(format!(
                "WXCC_REFRESH_TOKEN_FILE names {}, which is missing or empty, and WXCC_REFRESH_TOKEN is not set to seed it",
                file.as_deref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ));
        };
        let (Some(client_id), Some(client_secret)) = (
            non_empty_env("WXCC_CLIENT_ID"),
            non_empty_env("WXCC_CLIENT_SECRET"),
        ) else {
            return CredentialSource::Invalid(
                "a refresh token is set but WXCC_CLIENT_ID and WXCC_CLIENT_SECRET (the integration that issued it) are not both set".into(),
            );
        };
        return CredentialSource::RefreshToken {
            client_id,
            client_secret: Secret::new(client_secret),
            token: Secret::new(token),
            file,
        };
    }
    let Some(store) = store else {
        return CredentialSource::Missing;
    };
    match store.load(profile) {
        Ok(Some(p)) => CredentialSource::Profile(Box::new(p)),
        Ok(None) => CredentialSource::Missing,
        Err(e) => CredentialSource::Invalid(e),
    }
}

/// `WXCC_CONFIG_DIR`, else `$XDG_CONFIG_HOME/wxcc`, else `%APPDATA%\wxcc` on Windows, else
/// `~/.config/wxcc`.
fn config_dir() -> Option<PathBuf> {
    if let Some(d) = non_empty_env("WXCC_CONFIG_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = non_empty_env("XDG_CONFIG_HOME").map(PathBuf::from)
        && d.is_absolute()
    {
        return Some(d.join("wxcc"));
    }
    #[cfg(windows)]
    if let Some(d) = non_empty_env("APPDATA") {
        return Some(PathBuf::from(d).join("wxcc"));
    }
    std::env::home_dir()
        .filter(|h| !h.as_os_str().is_empty())
        .map(|h| h.join(".config").join("wxcc"))
}
