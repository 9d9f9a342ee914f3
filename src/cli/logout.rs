//! `wxcc logout`: removes the profile's stored tokens from this machine.

use super::settings::Settings;
use crate::error::Error;

pub fn run(settings: &Settings) -> Result<(), Error> {
    let store = settings.store.as_ref().ok_or_else(|| {
        Error::Usage("cannot find a config folder: set WXCC_CONFIG_DIR (or HOME)".into())
    })?;
    let path = store.path(&settings.profile);
    if store.remove(&settings.profile).map_err(Error::Usage)? {
        println!(
            "Signed out: removed the tokens of profile `{}` ({}).",
            settings.profile,
            path.display()
        );
        println!(
            "Webex still honours them until they expire; to revoke them now, see docs/auth.md (\"Revoking access\")."
        );
    } else {
        println!(
            "Profile `{}` has no stored tokens; nothing to remove.",
            settings.profile
        );
    }
    Ok(())
}
