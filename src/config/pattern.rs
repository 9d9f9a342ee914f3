//! Says in words which characters a DTO's name pattern allows, so that a refused value
//! gets "letters, digits, spaces, `-` and `_`" rather than a raw regular expression.

/// A description of a `^[…]*$`/`^[…]+$` pattern, or `None` for any other shape.
pub fn describe(pattern: &str) -> Option<String> {
    let body = pattern.strip_prefix("^[")?;
    let (class, rest) = body.split_once(']')?;
    if !matches!(rest, "*$" | "+$") {
        return None;
    }
    let mut parts: Vec<String> = Vec::new();
    let mut chars: Vec<char> = Vec::new();
    let mut letters = (false, false);
    let mut digits = false;
    let mut spaces = false;
    let mut it = class.chars().peekable();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next() {
                Some('d') => digits = true,
                Some('s') => spaces = true,
                Some(other) => chars.push(other),
                None => return None,
            },
            'a' if it.peek() == Some(&'-') => {
                it.next();
                if it.next() != Some('z') {
                    return None;
                }
                letters.0 = true;
            }
            'A' if it.peek() == Some(&'-') => {
                it.next();
                if it.next() != Some('Z') {
                    return None;
                }
                letters.1 = true;
            }
            '0' if it.peek() == Some(&'-') => {
                it.next();
                if it.next() != Some('9') {
                    return None;
                }
                digits = true;
            }
            other => chars.push(other),
        }
    }
    match letters {
        (true, true) => parts.push("letters".into()),
        (true, false) => parts.push("lower-case letters".into()),
        (false, true) => parts.push("upper-case letters".into()),
        _ => {}
    }
    if digits {
        parts.push("digits".into());
    }
    if spaces {
        parts.push("spaces".into());
    }
    chars.dedup();
    parts.extend(chars.iter().map(|c| format!("`{c}`")));
    let list = match parts.len() {
        0 => return None,
        1 => parts[0].clone(),
        n => format!("{} and {}", parts[..n - 1].join(", "), parts[n - 1]),
    };
    Some(format!("only {list} are allowed"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn describes_name_patterns() {
        assert_eq!(
            describe("^[a-zA-Z\\d\\-_\\s]+$").as_deref(),
            Some("only letters, digits, spaces, `-` and `_` are allowed")
        );
        assert_eq!(
            describe("^[a-zA-Z0-9._\\-\\s]*$").as_deref(),
            Some("only letters, digits, spaces, `.`, `_` and `-` are allowed")
        );
        assert_eq!(describe("^\\d{2,10}$"), None);
    }

    /// A letter or digit that starts no range (`A` not followed by `-`) is a character of
    /// its own, not a range whose end is missing.
    #[test]
    fn a_letter_or_digit_that_starts_no_range_is_a_character() {
        assert_eq!(
            describe("^[A_]+$").as_deref(),
            Some("only `A` and `_` are allowed")
        );
        assert_eq!(
            describe("^[a0.]*$").as_deref(),
            Some("only `a`, `0` and `.` are allowed")
        );
    }
}
