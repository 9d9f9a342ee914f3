//! Signed-in profiles on disk: one JSON file per profile under `<config dir>/profiles/`,
//! holding the tokens, their expiry times, the integration's client id and secret (needed
//! to refresh), and where the tenant is (org id, region or base URL, auth host). Files are
//! written atomically with mode 0600 in a 0700 folder; a lock file serialises refreshes
//! between concurrent `wxcc` processes on one profile.
//!
//! It must not print or log any token or secret: values leave this module as [`Secret`]s.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use super::auth::Secret;
use crate::atomic_file::{create_private_dir, write_atomically};

/// How a profile obtained its tokens, and so how it signs in again.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProfileKind {
    /// A user signed in through a Webex integration (`wxcc login`).
    Integration,
    /// A service app's machine account (`wxcc login --service-app`).
    ServiceApp,
}

/// One signed-in profile.
#[derive(Clone, Debug)]
pub struct StoredProfile {
    pub kind: ProfileKind,
    pub client_id: String,
    pub client_secret: Secret,
    /// The OAuth host the tokens came from, and where they are refreshed.
    pub auth_url: String,
    /// The API base URL, when sign-in named one instead of a region.
    pub base_url: Option<String>,
    pub region: String,
    pub org_id: String,
    pub scopes: Vec<String>,
    pub access_token: Secret,
    pub access_expires_at: SystemTime,
    /// `expires_in` when the access token was issued; the refresh margin derives from it.
    pub access_lifetime: Duration,
    pub refresh_token: Option<Secret>,
    pub refresh_expires_at: Option<SystemTime>,
    /// The service app's application id (service-app profiles only).
    pub application_id: Option<String>,
}

/// The file format. Plain strings live only here, between the disk and [`StoredProfile`].
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ProfileFile {
    kind: ProfileKind,
    client_id: String,
    client_secret: String,
    auth_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    base_url: Option<String>,
    region: String,
    org_id: String,
    scopes: Vec<String>,
    access_token: String,
    /// Seconds since the Unix epoch.
    access_token_expires_at: u64,
    access_token_lifetime: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    refresh_token_expires_at: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    application_id: Option<String>,
}

pub fn epoch_seconds(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

fn from_epoch(s: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(s)
}

impl StoredProfile {
    fn to_file(&self) -> ProfileFile {
        ProfileFile {
            kind: self.kind.clone(),
            client_id: self.client_id.clone(),
            client_secret: self.client_secret.expose().to_string(),
            auth_url: self.auth_url.clone(),
            base_url: self.base_url.clone(),
            region: self.region.clone(),
            org_id: self.org_id.clone(),
            scopes: self.scopes.clone(),
            access_token: self.access_token.expose().to_string(),
            access_token_expires_at: epoch_seconds(self.access_expires_at),
            access_token_lifetime: self.access_lifetime.as_secs(),
            refresh_token: self.refresh_token.as_ref().map(|t| t.expose().to_string()),
            refresh_token_expires_at: self.refresh_expires_at.map(epoch_seconds),
            application_id: self.application_id.clone(),
        }
    }

    fn from_file(f: ProfileFile) -> StoredProfile {
        StoredProfile {
            kind: f.kind,
            client_id: f.client_id,
            client_secret: Secret::new(f.client_secret),
            auth_url: f.auth_url,
            base_url: f.base_url,
            region: f.region,
            org_id: f.org_id,
            scopes: f.scopes,
            access_token: Secret::new(f.access_token),
            access_expires_at: from_epoch(f.access_token_expires_at),
            access_lifetime: Duration::from_secs(f.access_token_lifetime),
            refresh_token: f.refresh_token.map(Secret::new),
            refresh_expires_at: f.refresh_token_expires_at.map(from_epoch),
            application_id: f.application_id,
        }
    }
}

/// The folder of profiles.
#[derive(Clone, Debug)]
pub struct TokenStore {
    dir: PathBuf,
}

/// Held while a profile is being refreshed; dropping it releases the lock.
pub struct ProfileLock {
    _file: File,
}

impl TokenStore {
    /// Profiles under `config_dir/profiles`.
    pub fn new(config_dir: &Path) -> TokenStore {
        TokenStore {
            dir: config_dir.join("profiles"),
        }
    }

    /// The file that holds `profile`.
    pub fn path(&self, profile: &str) -> PathBuf {
        self.dir.join(format!("{profile}.json"))
    }

    /// The stored profile, `Ok(None)` when it does not exist.
    pub fn load(&self, profile: &str) -> Result<Option<StoredProfile>, String> {
        let path = self.path(profile);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        };
        let file: ProfileFile = serde_json::from_str(&text).map_err(|e| {
            // serde_json's message names a line and column, never the content.
            format!(
                "{} is not a wxcc profile ({e}); run `wxcc login` to replace it",
                path.display()
            )
        })?;
        Ok(Some(StoredProfile::from_file(file)))
    }

    /// Writes the profile atomically with mode 0600.
    pub fn save(&self, profile: &str, stored: &StoredProfile) -> Result<PathBuf, String> {
        let path = self.path(profile);
        create_private_dir(&self.dir)
            .map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        let text = serde_json::to_vec_pretty(&stored.to_file())
            .map_err(|e| format!("cannot encode the profile: {e}"))?;
        write_atomically(&path, &text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(path)
    }

    /// Deletes the profile's file; `Ok(false)` when there was none.
    pub fn remove(&self, profile: &str) -> Result<bool, String> {
        let path = self.path(profile);
        let _ = std::fs::remove_file(self.lock_path(profile));
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(format!("cannot remove {}: {e}", path.display())),
        }
    }

    fn lock_path(&self, profile: &str) -> PathBuf {
        self.dir.join(format!(".{profile}.lock"))
    }

    /// Takes the profile's refresh lock, waiting for another process that holds it. Blocks
    /// the calling thread; call it from a blocking task.
    pub fn lock(&self, profile: &str) -> Result<ProfileLock, String> {
        create_private_dir(&self.dir)
            .map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        let path = self.lock_path(profile);
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let file = options
            .open(&path)
            .map_err(|e| format!("cannot open {}: {e}", path.display()))?;
        file.lock()
            .map_err(|e| format!("cannot lock {}: {e}", path.display()))?;
        Ok(ProfileLock { _file: file })
    }
}

/// A profile name is a file name: letters, digits, `-`, `_` and `.`, not starting with `.`.
pub fn check_profile_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "profile name `{name}` is not allowed: use letters, digits, `-`, `_` and `.` (not first), at most 64 characters"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> StoredProfile {
        StoredProfile {
            kind: ProfileKind::Integration,
            client_id: "C1".into(),
            client_secret: Secret::new("s3cret"),
            auth_url: "https://webexapis.com".into(),
            base_url: None,
            region: "eu1".into(),
            org_id: "1eb65fdf-9643-417f-9974-ad72cae0e10f".into(),
            scopes: vec!["cjp:config_read".into()],
            access_token: Secret::new("acc"),
            access_expires_at: from_epoch(1_900_000_000),
            access_lifetime: Duration::from_secs(43_199),
            refresh_token: Some(Secret::new("ref")),
            refresh_expires_at: Some(from_epoch(1_905_000_000)),
            application_id: None,
        }
    }

    #[test]
    fn round_trips_and_is_private() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = TokenStore::new(dir.path());
        assert!(store.load("work").expect("load").is_none());
        let path = store.save("work", &sample()).expect("save");
        let back = store.load("work").expect("load").expect("present");
        assert_eq!(back.refresh_token.as_ref().map(Secret::expose), Some("ref"));
        assert_eq!(back.access_expires_at, from_epoch(1_900_000_000));
        assert_eq!(back.region, "eu1");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).expect("meta").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let debug = format!("{back:?}");
        assert!(
            !debug.contains("s3cret") && !debug.contains("\"acc\""),
            "{debug}"
        );
        assert!(store.remove("work").expect("remove"));
        assert!(!store.remove("work").expect("remove again"));
    }

    #[test]
    fn profile_names_are_file_names() {
        assert!(check_profile_name("partner-eu_1").is_ok());
        assert!(check_profile_name("../x").is_err());
        assert!(check_profile_name(".hidden").is_err());
        assert!(check_profile_name("").is_err());
    }
}
