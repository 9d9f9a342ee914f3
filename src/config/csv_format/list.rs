//! List cells: items separated by `;`, with `\;` for a `;` inside an item and `\\` for a
//! backslash. Splitting and joining are inverses: `split_list(&join_list(items)) == items`
//! for every list of items that are not all empty.

/// The items of a list cell. An empty item (`a;;b`, a trailing `;`) is refused: it is
/// almost always a typo, and an empty string in a list is never a valid key or value.
pub(crate) fn split_list(cell: &str) -> Result<Vec<String>, String> {
    let mut items = Vec::new();
    let mut current = String::new();
    let mut chars = cell.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(next @ (';' | '\\')) => current.push(next),
                // Any other backslash is itself (a Windows path, a regex).
                Some(other) => {
                    current.push('\\');
                    current.push(other);
                }
                None => current.push('\\'),
            },
            ';' => items.push(std::mem::take(&mut current)),
            c => current.push(c),
        }
    }
    items.push(current);
    if let Some(i) = items.iter().position(String::is_empty) {
        return Err(format!(
            "item {} of {} is empty (two `;` in a row, or one at an end)",
            i + 1,
            items.len()
        ));
    }
    Ok(items)
}

/// The cell for a list of items (the inverse of [`split_list`]).
pub(crate) fn join_list<S: AsRef<str>>(items: &[S]) -> String {
    items
        .iter()
        .map(|item| item.as_ref().replace('\\', "\\\\").replace(';', "\\;"))
        .collect::<Vec<_>>()
        .join(";")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_on_unescaped_semicolons() {
        assert_eq!(
            split_list("a;b\\;c;d\\\\;e\\x").expect("splits"),
            vec!["a", "b;c", "d\\", "e\\x"]
        );
    }

    #[test]
    fn refuses_empty_items() {
        assert!(split_list("a;;b").is_err());
        assert!(split_list("a;").is_err());
    }

    #[test]
    fn join_is_the_inverse_of_split() {
        for items in [
            vec!["x"],
            vec!["a;b", "c\\", "\\;", "d e"],
            vec!["trailing\\", "x"],
        ] {
            assert_eq!(split_list(&join_list(&items)).expect("splits"), items);
        }
    }
}
