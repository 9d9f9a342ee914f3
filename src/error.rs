//! Every way a run can fail, as the user meets it, with the exit status each one gives.

use std::fmt;

use crate::api::ApiError;

#[derive(Debug)]
pub enum Error {
    /// The config has problems; the rendered diagnostics were already printed. `offline`
    /// is set for `validate`, which never sends anything, so saying nothing was sent would
    /// only puzzle.
    Invalid { summary: String, offline: bool },
    /// The config could not be read at all.
    Load(String),
    /// Settings are missing or contradict each other.
    Usage(String),
    /// The API refused or could not be reached.
    Api(Box<ApiError>),
    /// The plan has problems that only live state reveals; already printed.
    Plan { summary: String },
    /// Some changes of an apply failed or were skipped; the report was already printed.
    ApplyFailed,
    /// An apply was interrupted by a signal; the report was already printed.
    Interrupted,
    /// Apply was not confirmed.
    NotConfirmed(String),
    /// A saved plan cannot be used: not one, damaged, edited, or stale.
    SavedPlan(String),
    /// The emulator could not start or serve.
    Emulator(String),
    /// The compiled-in catalogue contradicts the spec: a defect of wxcc, not of the input.
    Catalogue(String),
}

impl Error {
    /// The exit status of every error, usage errors included (2 is kept for
    /// `plan --detailed-exitcode`, 130 for an interrupted run).
    pub const EXIT_STATUS: u8 = 1;

    /// The process exit status for this error.
    pub fn exit_code(&self) -> u8 {
        match self {
            // 128 + SIGINT, as a shell reports a process stopped by Ctrl-C.
            Error::Interrupted => 130,
            _ => Error::EXIT_STATUS,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Invalid {
                summary,
                offline: true,
            } => write!(f, "the config is not valid ({summary})"),
            Error::Invalid {
                summary,
                offline: false,
            } => write!(
                f,
                "the config is not valid ({summary}); nothing was sent to the tenant"
            ),
            Error::Load(m) | Error::Usage(m) | Error::NotConfirmed(m) | Error::SavedPlan(m) => {
                f.write_str(m)
            }
            Error::Api(e) => e.fmt(f),
            Error::Plan { summary } => {
                write!(f, "cannot plan ({summary}); nothing was sent to the tenant")
            }
            Error::ApplyFailed => f.write_str("apply finished with failures; see the report above"),
            Error::Interrupted => f.write_str("apply interrupted; see the report above"),
            Error::Emulator(m) => write!(f, "emulator: {m}"),
            Error::Catalogue(m) => write!(f, "wxcc's built-in catalogue is inconsistent: {m}"),
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}
