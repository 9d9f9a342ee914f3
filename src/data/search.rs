//! The GraphQL Search API (`POST /search`, docs/data-notes.md §4), read whole: the query's
//! first root field gets `pageInfo { hasNextPage endCursor }` and, from the second page
//! on, `pagination: {cursor: …}` (or the `$cursor` variable, when the query pages itself
//! that way); the lists of every page are concatenated. GraphQL errors come back with
//! their line and column in the query as the user wrote it.

use serde_json::{Map, Value, json};

use crate::api::{ApiError, Client};

/// A bound on pages (raw data pages hold 250 rows and stop at 100 000, §4).
const MAX_PAGES: usize = 1000;

/// Why a search failed.
#[derive(Debug)]
pub enum SearchError {
    Api(ApiError),
    /// A GraphQL error, at a line and column of the original query when known.
    Graphql {
        message: String,
        at: Option<(usize, usize)>,
    },
    /// The query has no root field this module can page.
    Shape(String),
}

impl From<ApiError> for SearchError {
    fn from(e: ApiError) -> Self {
        SearchError::Api(e)
    }
}

/// Where things are in the query text (byte offsets), found by a small lexer that skips
/// comments and strings.
#[derive(Debug, PartialEq)]
struct Layout {
    /// The root field's response key (alias or name).
    root_key: String,
    /// Where arguments are added: before the `)` of the root's arguments, or right after
    /// its name when it has none.
    args_at: usize,
    has_parens: bool,
    /// The root's arguments mention `pagination`.
    has_pagination: bool,
    /// The root's arguments use `$cursor`.
    cursor_variable: bool,
    /// The `}` closing the root's selection.
    selection_end: usize,
    has_page_info: bool,
}

#[derive(Debug, PartialEq)]
enum Tok<'a> {
    Punct(char),
    Name(&'a str),
    Other,
}

fn tokens(text: &str) -> Vec<(Tok<'_>, usize)> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                let start = i;
                if text[i..].starts_with("\"\"\"") {
                    i += 3;
                    while i < bytes.len() && !text[i..].starts_with("\"\"\"") {
                        i += 1;
                    }
                    i += 3;
                } else {
                    i += 1;
                    while i < bytes.len() && bytes[i] != b'"' && bytes[i] != b'\n' {
                        i += if bytes[i] == b'\\' { 2 } else { 1 };
                    }
                    i += 1;
                }
                out.push((Tok::Other, start));
            }
            b'{' | b'}' | b'(' | b')' | b'[' | b']' | b':' | b'$' | b'!' | b'=' => {
                out.push((Tok::Punct(c as char), i));
                i += 1;
            }
            c if c == b'_' || c.is_ascii_alphabetic() => {
                let start = i;
                while i < bytes.len() && (bytes[i] == b'_' || bytes[i].is_ascii_alphanumeric()) {
                    i += 1;
                }
                out.push((Tok::Name(&text[start..i]), start));
            }
            c if c.is_ascii_whitespace() || c == b',' => i += 1,
            _ => {
                let start = i;
                while i < bytes.len()
                    && !bytes[i].is_ascii_whitespace()
                    && !b"{}()[]:$!=,#\"".contains(&bytes[i])
                {
                    i += 1;
                }
                i = i.max(start + 1);
                out.push((Tok::Other, start));
            }
        }
    }
    out
}

/// The index of the token closing the bracket opened at `open`.
fn closing(toks: &[(Tok<'_>, usize)], open: usize, o: char, c: char) -> Option<usize> {
    let mut depth = 0usize;
    for (i, (t, _)) in toks.iter().enumerate().skip(open) {
        if *t == Tok::Punct(o) {
            depth += 1;
        } else if *t == Tok::Punct(c) {
            depth -= 1;
            if depth == 0 {
                return Some(i);
            }
        }
    }
    None
}

fn layout(text: &str) -> Option<Layout> {
    let toks = tokens(text);
    let mut i = 0;
    if toks.first().is_some_and(|(t, _)| *t == Tok::Name("query")) {
        i = 1;
        if matches!(toks.get(i), Some((Tok::Name(_), _))) {
            i += 1;
        }
        if toks.get(i).is_some_and(|(t, _)| *t == Tok::Punct('(')) {
            i = closing(&toks, i, '(', ')')? + 1;
        }
    }
    if toks.get(i)?.0 != Tok::Punct('{') {
        return None;
    }
    i += 1;
    let Tok::Name(mut key) = toks.get(i)?.0 else {
        return None;
    };
    let mut name_at = i;
    if toks.get(i + 1).is_some_and(|(t, _)| *t == Tok::Punct(':')) {
        name_at = i + 2;
        if !matches!(toks.get(name_at)?.0, Tok::Name(_)) {
            return None;
        }
    } else if let Tok::Name(n) = toks[i].0 {
        key = n;
    }
    let name_end = match toks[name_at].0 {
        Tok::Name(n) => toks[name_at].1 + n.len(),
        _ => return None,
    };
    let mut j = name_at + 1;
    let (args_at, has_parens, has_pagination, cursor_variable) =
        if toks.get(j).is_some_and(|(t, _)| *t == Tok::Punct('(')) {
            let end = closing(&toks, j, '(', ')')?;
            let inner = &toks[j + 1..end];
            let pagination = inner
                .windows(2)
                .any(|w| w[0].0 == Tok::Name("pagination") && w[1].0 == Tok::Punct(':'));
            let cursor = inner
                .windows(2)
                .any(|w| w[0].0 == Tok::Punct('$') && w[1].0 == Tok::Name("cursor"));
            let at = toks[end].1;
            j = end + 1;
            (at, true, pagination, cursor)
        } else {
            (name_end, false, false, false)
        };
    if toks.get(j)?.0 != Tok::Punct('{') {
        return None;
    }
    let end = closing(&toks, j, '{', '}')?;
    let mut depth = 0;
    let mut has_page_info = false;
    for (t, _) in &toks[j..end] {
        match t {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => depth -= 1,
            Tok::Name("pageInfo") if depth == 1 => has_page_info = true,
            _ => {}
        }
    }
    Some(Layout {
        root_key: key.to_string(),
        args_at,
        has_parens,
        has_pagination,
        cursor_variable,
        selection_end: toks[end].1,
        has_page_info,
    })
}

/// The text sent for one page, and what was inserted where (to map error positions back).
fn page_query(text: &str, layout: &Layout, cursor: Option<&str>) -> (String, Vec<(usize, usize)>) {
    let mut inserts: Vec<(usize, String)> = Vec::new();
    if let Some(c) = cursor
        && !layout.has_pagination
    {
        let arg = format!("pagination: {{cursor: {}}}", Value::String(c.to_string()));
        inserts.push(if layout.has_parens {
            (layout.args_at, format!(" {arg}"))
        } else {
            (layout.args_at, format!("({arg})"))
        });
    }
    if !layout.has_page_info {
        inserts.push((
            layout.selection_end,
            " pageInfo { hasNextPage endCursor } ".into(),
        ));
    }
    inserts.sort_by_key(|(at, _)| *at);
    let mut out = String::with_capacity(text.len() + 80);
    let mut last = 0;
    let mut shifts = Vec::new();
    for (at, s) in inserts {
        out.push_str(&text[last..at]);
        out.push_str(&s);
        shifts.push((at, s.len()));
        last = at;
    }
    out.push_str(&text[last..]);
    (out, shifts)
}

/// A server position (line, column) in the sent text, as a byte offset in the user's text.
/// A position inside inserted text points at the place it was inserted.
fn original_position(sent: &str, shifts: &[(usize, usize)], line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (n, l) in sent.split_inclusive('\n').enumerate() {
        if n + 1 == line {
            offset += l
                .chars()
                .take(column.saturating_sub(1))
                .map(char::len_utf8)
                .sum::<usize>();
            break;
        }
        offset += l.len();
    }
    let mut shift = 0;
    for (at, len) in shifts {
        let start = at + shift;
        if offset < start {
            break;
        }
        if offset < start + len {
            return *at;
        }
        shift += len;
    }
    offset - shift
}

fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let upto = &text[..offset.min(text.len())];
    let line = upto.matches('\n').count() + 1;
    let col = upto.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// Runs `query` with `variables`, following every page; the merged `data` object.
pub async fn search(
    client: &Client,
    query: &str,
    variables: &Map<String, Value>,
) -> Result<Value, SearchError> {
    let Some(layout) = layout(query) else {
        // Not a shape wxcc can page (or not valid GraphQL): sent as written, once, so the
        // service's own error (with its location) is what the user sees.
        let answer = client
            .post_json("/search", &json!({"query": query, "variables": variables}))
            .await?;
        return match graphql_error(&answer, query, &[]) {
            Some(e) => Err(e),
            None => Ok(answer),
        };
    };
    if layout.has_pagination && !layout.cursor_variable {
        return Err(SearchError::Shape(
            "the query sets `pagination` itself; remove it (wxcc pages for you) or write `pagination: {cursor: $cursor}`".into(),
        ));
    }
    let mut merged: Option<Map<String, Value>> = None;
    let mut cursor: Option<String> = None;
    let mut seen = std::collections::HashSet::new();
    for _ in 0..MAX_PAGES {
        let mut vars = variables.clone();
        let (text, shifts) = if layout.cursor_variable {
            vars.insert(
                "cursor".into(),
                json!(cursor.clone().unwrap_or_else(|| "NA".into())),
            );
            page_query(query, &layout, None)
        } else {
            page_query(query, &layout, cursor.as_deref())
        };
        let body = json!({"query": text, "variables": vars});
        let answer = client.post_json("/search", &body).await?;
        if let Some(e) = graphql_error(&answer, &text, &shifts) {
            return Err(e);
        }
        let root = answer
            .pointer(&format!(
                "/data/{}",
                layout.root_key.replace('~', "~0").replace('/', "~1")
            ))
            .and_then(Value::as_object)
            .cloned()
            .ok_or_else(|| {
                SearchError::Shape(format!(
                    "the answer has no `data.{}` object",
                    layout.root_key
                ))
            })?;
        let next = root
            .get("pageInfo")
            .filter(|p| p.get("hasNextPage").and_then(Value::as_bool) == Some(true))
            .and_then(|p| p.get("endCursor"))
            .and_then(Value::as_str)
            .map(str::to_string);
        match merged.as_mut() {
            None => merged = Some(root),
            Some(m) => {
                for (k, v) in root {
                    match (m.get_mut(&k), v) {
                        (Some(Value::Array(have)), Value::Array(more)) => have.extend(more),
                        (_, v) => {
                            m.insert(k, v);
                        }
                    }
                }
            }
        }
        match next {
            Some(c) if seen.insert(c.clone()) => cursor = Some(c),
            _ => break,
        }
    }
    let mut root = merged.unwrap_or_default();
    if !layout.has_page_info {
        root.remove("pageInfo");
    }
    let mut data = Map::new();
    data.insert(layout.root_key.clone(), Value::Object(root));
    Ok(json!({ "data": data }))
}

/// The first GraphQL error of an answer, positioned in the user's text (`sent` is the text
/// sent, `shifts` what was inserted into it).
fn graphql_error(answer: &Value, sent: &str, shifts: &[(usize, usize)]) -> Option<SearchError> {
    let e = answer.get("errors")?.as_array()?.first()?;
    let message = e
        .get("message")
        .and_then(Value::as_str)
        .unwrap_or("the search failed")
        .chars()
        .filter(|c| !c.is_control())
        .collect();
    let original: String = {
        // Undo the insertions to get the user's text back for line/column counting.
        let mut text = String::with_capacity(sent.len());
        let mut last = 0;
        let mut shift = 0;
        for (at, len) in shifts {
            let start = at + shift;
            text.push_str(&sent[last..start]);
            last = start + len;
            shift += len;
        }
        text.push_str(&sent[last..]);
        text
    };
    let at = e
        .pointer("/locations/0")
        .and_then(|l| {
            Some((
                l.get("line")?.as_u64()? as usize,
                l.get("column")?.as_u64()? as usize,
            ))
        })
        .map(|(line, column)| line_col(&original, original_position(sent, shifts, line, column)));
    Some(SearchError::Graphql { message, at })
}

/// The rows of a merged answer: the items of the first list under the root.
pub fn rows(answer: &Value) -> Vec<Map<String, Value>> {
    answer
        .get("data")
        .and_then(Value::as_object)
        .and_then(|d| d.values().next())
        .and_then(Value::as_object)
        .and_then(|root| root.values().find_map(Value::as_array))
        .map(|items| {
            items
                .iter()
                .filter_map(|i| i.as_object().cloned())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIMPLE: &str = "{\n  # comment with { brace\n  taskDetails(\n    from: $from # \"x\"\n    to: $to\n  ) {\n    tasks { id }\n  }\n}\n";

    #[test]
    fn finds_the_root_field() {
        let l = layout(SIMPLE).expect("layout");
        assert_eq!(l.root_key, "taskDetails");
        assert!(l.has_parens && !l.has_pagination && !l.has_page_info);
        assert_eq!(&SIMPLE[l.args_at..l.args_at + 1], ")");
        assert_eq!(&SIMPLE[l.selection_end..l.selection_end + 1], "}");
        let aliased =
            layout("query Q($a: Long!) { t: task { tasks { id } pageInfo { endCursor } } }")
                .expect("layout");
        assert_eq!(aliased.root_key, "t");
        assert!(!aliased.has_parens && aliased.has_page_info);
        assert!(layout("{ }").is_none());
        assert!(layout("not graphql").is_none());
    }

    #[test]
    fn adds_paging_and_maps_positions_back() {
        let l = layout(SIMPLE).expect("layout");
        let (text, shifts) = page_query(SIMPLE, &l, Some("2"));
        assert!(
            text.contains("to: $to\n   pagination: {cursor: \"2\"})"),
            "{text}"
        );
        assert!(
            text.contains("pageInfo { hasNextPage endCursor }"),
            "{text}"
        );
        // `tasks` sits on line 7, column 5 in both texts (insertions come later).
        assert_eq!(
            line_col(SIMPLE, original_position(&text, &shifts, 7, 5)),
            (7, 5)
        );
        // A position after the inserted pagination argument maps back past it.
        let (line6, _) = (6, 0);
        let sent_col = text
            .lines()
            .nth(line6 - 1)
            .map_or(0, |l| l.find(')').unwrap_or(0) + 1);
        assert_eq!(
            line_col(SIMPLE, original_position(&text, &shifts, line6, sent_col)),
            (6, 3)
        );
    }
}
