//! `wxcc login`: signs in with Webex and stores the tokens in a profile.
//!
//! An integration signs in with the authorization-code flow (docs/api-notes.md §5): the
//! authorize URL with a random `state` and PKCE is opened in the browser (or printed), the
//! answer comes back to a loopback listener or is pasted, `state` is checked, and the code
//! is exchanged. A service app gets its tokens from `/v1/applications/{id}/token`. Either
//! way the profile records the org (from the token's suffix unless `--org`), the region,
//! the scopes and both expiry times. No token, secret, code or verifier is ever printed.

use std::time::{Duration, SystemTime};

use tokio::sync::mpsc;
use url::Url;

use super::args::LoginArgs;
use super::callback::{self, Listener};
use super::session::{EMULATOR_SIGNS_IN, profile_session};
use super::settings::{CredentialSource, Settings, Target};
use crate::api::oauth::{self, Pkce, TokenResponse, WEBEX_AUTH_BASE};
use crate::api::{ApiError, ProfileKind, Secret, StoredProfile, TokenStore, Tokens};
use crate::error::Error;

pub async fn run(args: &LoginArgs, settings: &Settings) -> Result<(), Error> {
    if let Target::Emulator { .. } = settings.target {
        return Err(Error::Usage(format!(
            "{EMULATOR_SIGNS_IN} To practise `wxcc login`, run `wxcc emulator serve` and sign in with --base-url and --auth-url pointing at it (docs/auth.md)."
        )));
    }
    let store = settings.store.clone().ok_or_else(|| {
        Error::Usage(
            "cannot find a config folder to keep the tokens in: set WXCC_CONFIG_DIR (or HOME)"
                .into(),
        )
    })?;
    // A profile signed in before keeps its region, base URL and auth host unless told
    // otherwise; a broken file is simply replaced.
    let previous = store.load(&settings.profile).ok().flatten();
    let auth_base = match (&settings.explicit.auth_url, &previous) {
        (Some(u), _) => u.as_str().to_string(),
        (None, Some(p)) => p.auth_url.clone(),
        (None, None) => WEBEX_AUTH_BASE.to_string(),
    }
    .trim_end_matches('/')
    .to_string();
    let client_id = required(
        &args.client_id,
        "the client id of your Webex integration: --client-id or WXCC_CLIENT_ID (docs/auth.md says how to create one)",
    )?;
    let client_secret = Secret::new(required(
        &args.client_secret,
        "the client secret of your Webex integration: WXCC_CLIENT_SECRET (or --client-secret)",
    )?);
    let (kind, tokens, requested) = match &args.service_app {
        Some(app) => {
            let tokens = service_app_login(
                args,
                settings,
                &store,
                &auth_base,
                app,
                &client_id,
                &client_secret,
            )
            .await?;
            (ProfileKind::ServiceApp, tokens, Vec::new())
        }
        None => {
            let scopes: Vec<String> = args
                .scopes
                .split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect();
            if scopes.is_empty() {
                return Err(Error::Usage(
                    "--scopes is empty; name at least one scope".into(),
                ));
            }
            let tokens =
                browser_login(args, &auth_base, &client_id, &client_secret, &scopes).await?;
            (ProfileKind::Integration, tokens, scopes)
        }
    };
    let org = match (
        &settings.explicit.org,
        oauth::org_from_token(&tokens.access_token),
    ) {
        (Some(o), _) => o.clone(),
        (None, Some(o)) => o,
        (None, None) => {
            return Err(Error::Usage(
                "signed in, but the access token does not end in an org id; run `wxcc login` again with --org ORG_ID".into(),
            ));
        }
    };
    let region = settings
        .explicit
        .region
        .clone()
        .or_else(|| previous.as_ref().map(|p| p.region.clone()))
        .unwrap_or_else(|| settings.region.clone());
    let base_url = match (&settings.explicit.base_url, &settings.explicit.region) {
        (Some(u), _) => Some(u.as_str().trim_end_matches('/').to_string()),
        (None, Some(_)) => None,
        (None, None) => previous.as_ref().and_then(|p| p.base_url.clone()),
    };
    let scopes: Vec<String> = match &tokens.scope {
        Some(s) if !s.trim().is_empty() => s.split_whitespace().map(str::to_string).collect(),
        _ => requested,
    };
    let fresh = Tokens::from_response(&tokens, None);
    let stored = StoredProfile {
        kind,
        client_id,
        client_secret,
        auth_url: auth_base,
        base_url,
        region,
        org_id: org,
        scopes,
        access_token: tokens.access_token.clone(),
        access_expires_at: fresh.access_expires_at,
        access_lifetime: fresh.access_lifetime,
        refresh_token: fresh.refresh,
        refresh_expires_at: fresh.refresh_expires_at,
        application_id: args.service_app.clone(),
    };
    let path = store
        .save(&settings.profile, &stored)
        .map_err(Error::Usage)?;
    println!(
        "Signed in: profile `{}`, org {}, {}.",
        settings.profile,
        stored.org_id,
        match &stored.base_url {
            Some(u) => format!("API {u}"),
            None => format!("region {}", stored.region),
        }
    );
    println!("Scopes: {}", stored.scopes.join(" "));
    println!(
        "Access token expires {}; refresh token {}.",
        describe_expiry(stored.access_expires_at),
        stored
            .refresh_expires_at
            .map(|t| format!("expires {}", describe_expiry(t)))
            .unwrap_or_else(|| "expiry not given".into())
    );
    println!(
        "Tokens stored in {} (readable only by you).",
        path.display()
    );
    match &settings.credentials {
        CredentialSource::AccessToken(_) if args.service_app.is_none() => eprintln!(
            "note: WXCC_ACCESS_TOKEN is set, so other commands use it instead of this profile until it is unset"
        ),
        CredentialSource::RefreshToken { .. } => eprintln!(
            "note: a CI refresh token (WXCC_REFRESH_TOKEN[_FILE]) is set, so other commands use it instead of this profile until it is unset"
        ),
        _ => {}
    }
    if stored.kind == ProfileKind::Integration
        && !stored
            .scopes
            .iter()
            .any(|s| s == "cjp:config_write" || s == "cjp:config")
    {
        eprintln!(
            "note: the tokens lack cjp:config_write, so `wxcc apply` will be refused; `wxcc plan` works"
        );
    }
    Ok(())
}

fn required(value: &Option<String>, what: &str) -> Result<String, Error> {
    value
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_string)
        .ok_or_else(|| Error::Usage(format!("wxcc login needs {what}")))
}

/// The authorization-code flow with PKCE.
async fn browser_login(
    args: &LoginArgs,
    auth_base: &str,
    client_id: &str,
    client_secret: &Secret,
    scopes: &[String],
) -> Result<TokenResponse, Error> {
    let redirect_uri = args
        .redirect_uri
        .clone()
        .unwrap_or_else(|| format!("http://localhost:{}/callback", args.port));
    let redirect = Url::parse(&redirect_uri)
        .map_err(|e| Error::Usage(format!("--redirect-uri `{redirect_uri}` is not a URL: {e}")))?;
    let pkce = Pkce::new();
    let state = oauth::random_state();
    let url = oauth::authorize_url(auth_base, client_id, &redirect_uri, scopes, &state, &pkce)?;
    let (sender, mut answers) = mpsc::channel::<Url>(4);
    let listener: Option<Listener> = match callback::loopback_port(&redirect) {
        Some(port) => match callback::listen(&redirect, port, &state, sender.clone()).await {
            Ok(l) => Some(l),
            Err(e) => {
                eprintln!(
                    "Cannot listen on {redirect_uri} ({e}); after signing in, paste the URL the browser shows."
                );
                None
            }
        },
        None => None,
    };
    callback::read_pasted(sender);
    let opened = !args.no_browser && callback::open_browser(url.as_str());
    if opened {
        eprintln!("Your browser is open at the Webex sign-in page. If it did not open, visit:");
    } else {
        eprintln!("Open this URL in a browser and sign in with Webex:");
    }
    eprintln!("\n  {url}\n");
    if listener.is_some() {
        eprintln!(
            "Waiting up to {} s for the browser to come back to {redirect_uri}. If it cannot reach this machine, paste the URL it ended up on here and press Enter.",
            args.timeout
        );
    } else {
        eprintln!(
            "After signing in, the browser goes to {redirect_uri}. Paste that whole URL here and press Enter (waiting up to {} s).",
            args.timeout
        );
    }
    let answer = tokio::time::timeout(Duration::from_secs(args.timeout), answers.recv()).await;
    if let Some(l) = listener {
        l.stop().await;
    }
    let redirected = match answer {
        Ok(Some(u)) => u,
        Ok(None) => {
            return Err(Error::Usage(
                "no sign-in came back: there is no listener and stdin ended before a URL was pasted; run `wxcc login` again (see --redirect-uri and --port)".into(),
            ));
        }
        Err(_) => {
            return Err(Error::Usage(format!(
                "timed out after {} s waiting for the sign-in; run `wxcc login` again (--timeout to wait longer)",
                args.timeout
            )));
        }
    };
    let code = oauth::code_from_redirect(&redirected, &state)?;
    let http = oauth::http_client()?;
    oauth::exchange_code(
        &http,
        auth_base,
        client_id,
        client_secret,
        &code,
        &redirect_uri,
        &pkce,
    )
    .await
    .map_err(|e| match e {
        ApiError::Status { status, reason, .. } if (400..500).contains(&status) => {
            Error::Api(Box::new(ApiError::Auth {
                message: format!(
                    "Webex refused the sign-in code ({status}: {reason}); run `wxcc login` again"
                ),
            }))
        }
        other => other.into(),
    })
}

/// A service app's tokens for the org given by --org, authorized by another profile or by
/// `WXCC_ACCESS_TOKEN` (a token holding spark:applications_token).
async fn service_app_login(
    args: &LoginArgs,
    settings: &Settings,
    store: &TokenStore,
    auth_base: &str,
    application_id: &str,
    client_id: &str,
    client_secret: &Secret,
) -> Result<TokenResponse, Error> {
    let target_org = settings.explicit.org.clone().ok_or_else(|| {
        Error::Usage("--service-app needs the org the service app works in: --org ORG_ID".into())
    })?;
    let authorizing = match &args.using_profile {
        Some(name) => {
            crate::api::check_profile_name(name).map_err(Error::Usage)?;
            let stored = store
                .load(name)
                .map_err(Error::Usage)?
                .ok_or_else(|| {
                    Error::Usage(format!(
                        "--using-profile {name}: no such profile; sign it in first with `wxcc login --profile {name} --scopes spark:applications_token`"
                    ))
                })?;
            profile_session(store, name, &stored)?.bearer().await?
        }
        None => match &settings.credentials {
            CredentialSource::AccessToken(t) => t.clone(),
            _ => {
                return Err(Error::Usage(
                    "--service-app needs a token holding spark:applications_token to ask for the service app's tokens: --using-profile NAME or WXCC_ACCESS_TOKEN".into(),
                ));
            }
        },
    };
    let http = oauth::http_client()?;
    oauth::service_app_token(
        &http,
        auth_base,
        &authorizing,
        application_id,
        client_id,
        client_secret,
        &target_org,
    )
    .await
    .map_err(|e| match e {
        ApiError::Status { status, reason, .. } if (400..500).contains(&status) => {
            Error::Api(Box::new(ApiError::Auth {
                message: format!(
                    "Webex refused the service app's token request ({status}: {reason}). Check the application id, its client id and secret, that a full admin of org {target_org} authorized the app in Control Hub, and that the authorizing token holds spark:applications_token"
                ),
            }))
        }
        other => other.into(),
    })
}

/// `Tue, 01 Dec 2026 10:00:00 GMT (in 11h 59m)` or `… (expired 3m ago)`.
pub fn describe_expiry(at: SystemTime) -> String {
    let when = httpdate::fmt_http_date(at);
    match at.duration_since(SystemTime::now()) {
        Ok(left) => format!("{when} (in {})", human(left)),
        Err(e) => format!("{when} (expired {} ago)", human(e.duration())),
    }
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    let (days, hours, minutes) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60);
    if days > 0 {
        format!("{days}d {hours}h")
    } else if hours > 0 {
        format!("{hours}h {minutes}m")
    } else if minutes > 0 {
        format!("{minutes}m")
    } else {
        format!("{s}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_person_would_say_them() {
        assert_eq!(human(Duration::from_secs(43_199)), "11h 59m");
        assert_eq!(human(Duration::from_secs(5_183_999)), "59d 23h");
        assert_eq!(human(Duration::from_secs(42)), "42s");
    }
}
