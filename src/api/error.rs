//! API errors as the user sees them: every one names the method, path, status, tracking id
//! and the API's own reason.

use std::fmt;

#[derive(Debug, Clone)]
pub enum ApiError {
    /// The API answered with an error status.
    Status {
        method: String,
        path: String,
        status: u16,
        tracking_id: String,
        reason: String,
        /// Kinds that still reference the object (412 answers carry them).
        referenced_by: Vec<String>,
    },
    /// No answer: connection refused, timeout, broken body.
    Transport {
        method: String,
        path: String,
        tracking_id: String,
        message: String,
    },
    /// The credentials cannot be used or renewed; the message says what to do.
    Auth { message: String },
    /// Something the server sent that wxcc will not act on: a link or redirect to another
    /// host, an id that is not one, a body or list past its cap.
    Refused { message: String },
    /// The answer was not what the API documents.
    Decode {
        method: String,
        path: String,
        tracking_id: String,
        message: String,
    },
}

impl ApiError {
    pub fn status(&self) -> Option<u16> {
        match self {
            ApiError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// Whether a POST that failed this way may still have been carried out.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            ApiError::Transport { .. } | ApiError::Decode { .. } => true,
            ApiError::Status { status, .. } => *status >= 500,
            _ => false,
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::Status {
                method,
                path,
                status,
                tracking_id,
                reason,
                referenced_by,
            } => {
                let name = reqwest::StatusCode::from_u16(*status)
                    .ok()
                    .and_then(|s| s.canonical_reason())
                    .unwrap_or("");
                write!(
                    f,
                    "{method} {path} → {status} {name} (tracking id {tracking_id})"
                )?;
                if !reason.is_empty() {
                    write!(f, ": {reason}")?;
                }
                if !referenced_by.is_empty() {
                    write!(f, " [referenced by: {}]", referenced_by.join(", "))?;
                }
                Ok(())
            }
            ApiError::Transport {
                method,
                path,
                tracking_id,
                message,
            } => {
                write!(
                    f,
                    "{method} {path} failed (tracking id {tracking_id}): {message}"
                )
            }
            ApiError::Auth { message } | ApiError::Refused { message } => f.write_str(message),
            ApiError::Decode {
                method,
                path,
                tracking_id,
                message,
            } => {
                write!(
                    f,
                    "{method} {path} (tracking id {tracking_id}): unexpected response: {message}"
                )
            }
        }
    }
}

impl std::error::Error for ApiError {}
