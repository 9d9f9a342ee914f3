//! `wxcc whoami`: the credentials commands would use and what they are for: the org,
//! region and API, and for a stored profile its scopes, how it signed in and when its
//! tokens expire. `WXCC_ACCESS_TOKEN` and a CI refresh token are described the same way
//! (the org read from the token's suffix). Offline, and never shows a token or secret.

use std::path::Path;

use super::args::{DEFAULT_STATE, LimitArgs, TargetArgs, WhoamiArgs};
use super::login::describe_expiry;
use super::session::EMULATOR_SIGNS_IN;
use super::settings::{self, CredentialSource, Output, Settings, Target};
use crate::api::oauth::org_from_token;
use crate::api::{ProfileKind, Secret};
use crate::emulator::{QUICKSTART_CLIENT_ID, State};
use crate::error::Error;

pub fn run(args: &WhoamiArgs, output: Output) -> Result<(), Error> {
    if args.emulator {
        return emulator();
    }
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    // What `plan` would resolve, from the same variables (whoami takes no connection flags).
    let target = TargetArgs {
        emulator: false,
        profile: args.profile.profile.clone(),
        org: var("WXCC_ORG_ID"),
        region: var("WXCC_REGION"),
        base_url: var("WXCC_BASE_URL"),
        auth_url: var("WXCC_AUTH_URL"),
    };
    let settings = settings::resolve(output, &target, &LimitArgs::default())?;
    let rows = match &settings.credentials {
        CredentialSource::AccessToken(token) => vec![
            ("credentials", "WXCC_ACCESS_TOKEN, used as it is (wxcc cannot renew it)".into()),
            ("org id", org(&settings, token, "the token does not end in one: pass --org or set WXCC_ORG_ID")),
            ("API", api(&settings)),
        ],
        CredentialSource::RefreshToken {
            client_id, token, file, ..
        } => vec![
            (
                "credentials",
                match file {
                    Some(path) => format!(
                        "the CI refresh token in WXCC_REFRESH_TOKEN_FILE ({}), exchanged at the start of each run",
                        path.display()
                    ),
                    None => "the CI refresh token in WXCC_REFRESH_TOKEN, exchanged at the start of each run".into(),
                },
            ),
            ("integration", client_id.clone()),
            ("org id", org(&settings, token, "read from the access token each run gets")),
            ("API", api(&settings)),
            ("auth host", settings.auth_url.to_string()),
        ],
        CredentialSource::Profile(stored) => {
            let store_path = settings
                .store
                .as_ref()
                .map(|s| s.path(&settings.profile).display().to_string())
                .unwrap_or_default();
            vec![
                ("profile", settings.profile.clone()),
                ("org id", stored.org_id.clone()),
                ("region", stored.region.clone()),
                (
                    "API",
                    stored
                        .base_url
                        .clone()
                        .unwrap_or_else(|| format!("the {} region's", stored.region)),
                ),
                ("auth host", stored.auth_url.clone()),
                (
                    "signed in as",
                    match (&stored.kind, &stored.application_id) {
                        (ProfileKind::ServiceApp, Some(app)) => format!("service app {app}"),
                        _ => format!("a user, through integration {}", stored.client_id),
                    },
                ),
                ("scopes", stored.scopes.join(" ")),
                (
                    "access token",
                    format!("expires {}", describe_expiry(stored.access_expires_at)),
                ),
                (
                    "refresh token",
                    match (&stored.refresh_token, stored.refresh_expires_at) {
                        (None, _) => "none (sign in again when the access token expires)".into(),
                        (Some(_), Some(at)) => format!("expires {}", describe_expiry(at)),
                        (Some(_), None) => "expiry not given".into(),
                    },
                ),
                ("stored in", store_path),
            ]
        }
        CredentialSource::Missing => {
            return Err(Error::Usage(format!(
                "profile `{}` is not signed in and no WXCC_ACCESS_TOKEN or CI refresh token is set; run `{}`",
                settings.profile,
                settings.login_command()
            )));
        }
        CredentialSource::Invalid(message) => return Err(Error::Usage(message.clone())),
    };
    print_rows(&rows);
    Ok(())
}

/// `--org` / `WXCC_ORG_ID` when given, else the org at the end of the token.
fn org(settings: &Settings, token: &Secret, otherwise: &str) -> String {
    match (&settings.org, org_from_token(token)) {
        (Some(o), _) => format!("{o} (WXCC_ORG_ID)"),
        (None, Some(o)) => format!("{o} (from the token)"),
        (None, None) => otherwise.to_string(),
    }
}

fn api(settings: &Settings) -> String {
    match &settings.target {
        Target::Api { base_url } => base_url.to_string(),
        Target::Emulator { state } => format!("the built-in emulator ({})", state.display()),
    }
}

/// How `--emulator` runs sign in: the same words `wxcc login --emulator` gives.
fn emulator() -> Result<(), Error> {
    let path = Path::new(DEFAULT_STATE);
    let org = match State::load(path) {
        Ok(state) if !state.default_org.is_empty() => state.default_org,
        Ok(_) => "made on the first --emulator run".into(),
        Err(e) => {
            return Err(Error::Emulator(format!(
                "cannot read {}: {e}",
                path.display()
            )));
        }
    };
    print_rows(&[
        (
            "API",
            format!("the built-in emulator (state in {})", path.display()),
        ),
        ("org id", org),
        (
            "signed in as",
            format!("the emulator's quick-start integration {QUICKSTART_CLIENT_ID}"),
        ),
    ]);
    println!("{EMULATOR_SIGNS_IN}");
    Ok(())
}

fn print_rows(rows: &[(&str, String)]) {
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        println!("{k:width$}  {v}");
    }
}
