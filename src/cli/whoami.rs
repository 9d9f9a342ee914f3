//! `wxcc whoami`: what the profile is signed in to (org, region, scopes, how it signed in)
//! and when its tokens expire. Offline, and never shows a token or secret.

use super::login::describe_expiry;
use super::settings::{CredentialSource, Settings};
use crate::api::ProfileKind;
use crate::error::Error;

pub fn run(settings: &Settings) -> Result<(), Error> {
    let store = settings.store.as_ref().ok_or_else(|| {
        Error::Usage("cannot find a config folder: set WXCC_CONFIG_DIR (or HOME)".into())
    })?;
    let stored = store
        .load(&settings.profile)
        .map_err(Error::Usage)?
        .ok_or_else(|| {
            Error::Usage(format!(
                "profile `{}` is not signed in; run `{}`",
                settings.profile,
                settings.login_command()
            ))
        })?;
    let rows: Vec<(&str, String)> = vec![
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
        (
            "stored in",
            store.path(&settings.profile).display().to_string(),
        ),
    ];
    let width = rows.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    for (k, v) in rows {
        println!("{k:width$}  {v}");
    }
    match &settings.credentials {
        CredentialSource::AccessToken(_) => {
            eprintln!("note: WXCC_ACCESS_TOKEN is set, so commands use it instead of this profile")
        }
        CredentialSource::RefreshToken { .. } => eprintln!(
            "note: a CI refresh token (WXCC_REFRESH_TOKEN[_FILE]) is set, so commands use it instead of this profile"
        ),
        _ => {}
    }
    Ok(())
}
