//! Text from a server made safe to show or log. A server's error body may echo what it was
//! sent (an `Authorization` header, a token form) or carry terminal escape sequences; every
//! piece of server text that reaches an error message goes through [`server_text`], which
//! removes control characters and replaces anything that looks like a credential with `***`:
//! the values of this run's own secrets, `Bearer`/`Basic` credentials, and the values of
//! token and secret fields in JSON or form text.

use std::sync::Mutex;

use crate::model::printable;

/// What a redacted credential is replaced with.
const MASK: &str = "***";

/// Secrets shorter than this are not searched for: a short value would mask ordinary words.
const MIN_SECRET_LEN: usize = 8;

/// The shortest value after `Bearer`/`Basic` taken for a credential.
const MIN_SCHEME_VALUE_LEN: usize = 6;

/// Field names whose values are credentials (JSON keys or form fields, any case).
const SECRET_FIELDS: &[&str] = &[
    "access_token",
    "refresh_token",
    "id_token",
    "client_secret",
    "code_verifier",
    "accesstoken",
    "refreshtoken",
    "clientsecret",
    "password",
];

/// Schemes of an `Authorization` value whose credential follows a space.
const AUTH_SCHEMES: &[&str] = &["bearer", "basic"];

/// Every secret this process holds (tokens, refresh tokens, client secrets), registered when
/// it is wrapped in a `Secret`.
static SECRETS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Remembers a secret so that server text echoing it is redacted.
pub(crate) fn register(secret: &str) {
    if secret.len() < MIN_SECRET_LEN {
        return;
    }
    let mut known = SECRETS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if !known.iter().any(|s| s == secret) {
        known.push(secret.to_string());
    }
}

/// Server-provided text as it may be shown: one line, no control characters, credentials
/// replaced with `***`.
pub(crate) fn server_text(raw: &str) -> String {
    let mut text = printable(raw);
    {
        let known = SECRETS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        for secret in known.iter() {
            if text.contains(secret.as_str()) {
                text = text.replace(secret.as_str(), MASK);
            }
        }
    }
    let text = mask_after_words(&text, AUTH_SCHEMES, false);
    mask_after_words(&text, SECRET_FIELDS, true)
}

/// Replaces the value that follows each of `words` (case-insensitive). After an
/// authorization scheme the value is the run of characters after the spaces; after a
/// field name (`as_field`) the name must be followed by `:` or `=` (a closing quote and
/// spaces allowed), and the value may be quoted.
fn mask_after_words(text: &str, words: &[&str], as_field: bool) -> String {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    let mut at = 0;
    while at < text.len() {
        let Some((start, word)) = words
            .iter()
            .filter_map(|w| lower[at..].find(w).map(|i| (at + i, *w)))
            .min_by_key(|(i, _)| *i)
        else {
            break;
        };
        let mut i = start + word.len();
        // A word inside another (`forbearer`) is not the one searched for.
        let mut ok = start == 0 || !bytes[start - 1].is_ascii_alphanumeric();
        if as_field {
            while i < bytes.len() && matches!(bytes[i], b'"' | b'\'' | b' ') {
                i += 1;
            }
            if i < bytes.len() && matches!(bytes[i], b':' | b'=') {
                i += 1;
            } else {
                ok = false;
            }
            while ok && i < bytes.len() && matches!(bytes[i], b'"' | b'\'' | b' ') {
                i += 1;
            }
        } else {
            let spaces = bytes[i..].iter().take_while(|b| **b == b' ').count();
            ok = ok && spaces > 0;
            i += spaces;
        }
        let value_len = bytes[i.min(bytes.len())..]
            .iter()
            .take_while(|b| !matches!(b, b'"' | b'\'' | b',' | b'&' | b'}' | b' ' | b';'))
            .count();
        // A credential after a scheme is a token, not a short word of prose ("basic rule").
        let long_enough = as_field || value_len >= MIN_SCHEME_VALUE_LEN;
        if ok && value_len > 0 && long_enough {
            out.push_str(&text[copied..i]);
            out.push_str(MASK);
            copied = i + value_len;
            at = copied;
        } else {
            at = start + word.len();
        }
    }
    out.push_str(&text[copied..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorization_values_are_masked() {
        assert_eq!(
            server_text("bad header: Authorization: Bearer abc.def-ghi; retry"),
            "bad header: Authorization: Bearer ***; retry"
        );
        assert_eq!(server_text("BASIC dXNlcjpwYXNz"), "BASIC ***");
        assert_eq!(server_text("a basic rule"), "a basic rule");
        assert_eq!(server_text("forbearer abcdefgh"), "forbearer abcdefgh");
        assert_eq!(server_text("Bearer"), "Bearer");
    }

    #[test]
    fn token_fields_are_masked() {
        assert_eq!(
            server_text(r#"{"access_token": "aaa", "expires_in": 5, "refreshToken":"bbb"}"#),
            r#"{"access_token": "***", "expires_in": 5, "refreshToken":"***"}"#
        );
        assert_eq!(
            server_text("grant_type=refresh_token&refresh_token=xyz&client_secret=s"),
            "grant_type=refresh_token&refresh_token=***&client_secret=***"
        );
    }

    #[test]
    fn registered_secrets_and_controls_are_removed() {
        register("s3cr3t-value-of-this-run");
        assert_eq!(
            server_text("echo s3cr3t-value-of-this-run\u{1b}[2J\n"),
            "echo ***[2J "
        );
    }
}
