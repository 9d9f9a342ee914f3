//! YAML text → [`Node`], keeping a byte span on every key and value. This is the only place
//! that knows the YAML library (serde-saphyr); swapping it touches this file alone.

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Number;
use serde_saphyr::Spanned;

use crate::model::{Key, Node, NodeValue, Span};

/// A YAML syntax or structure error, with where it happened.
#[derive(Debug)]
pub struct YamlError {
    pub message: String,
    /// Byte offset of the problem, when the parser knows it.
    pub offset: Option<usize>,
    /// Set when the text is not wrong but goes past one of the parser's limits: the
    /// message then says which limit, in words, and this says what to do instead.
    pub limit: Option<String>,
}

/// YAML values (scalars, lists, mappings) one file may hold. A config object takes 10 to
/// 80 of them (a queue with its distribution groups is near the top), so this admits a
/// file of 500,000 objects; a bigger config is split across the files of a folder. The
/// cap keeps a hostile file from growing memory past what its size predicts.
pub const MAX_YAML_VALUES: usize = 40_000_000;

/// Parser events one file may produce: one per scalar, two per list or mapping.
const MAX_YAML_EVENTS: usize = 2 * MAX_YAML_VALUES;

/// Parses one YAML document into a spanned node tree (file index 0; the loader sets it).
/// An empty document parses as `Null`.
pub fn parse(text: &str) -> Result<Node, YamlError> {
    if text.trim().is_empty()
        || text
            .lines()
            .all(|l| l.trim().is_empty() || l.trim_start().starts_with('#'))
    {
        return Ok(Node {
            span: Span::default(),
            value: NodeValue::Null,
        });
    }
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = MAX_YAML_VALUES;
    budget.max_events = MAX_YAML_EVENTS;
    // Scalar text can never exceed the file, which the loader already caps.
    budget.max_total_scalar_bytes =
        usize::try_from(super::load::MAX_CONFIG_FILE_BYTES).unwrap_or(usize::MAX);
    let options = serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
        budget: Some(budget.clone()),
    };
    let parsed: Result<Spanned<Raw>, _> = serde_saphyr::from_str_with_options(text, options);
    match parsed {
        Ok(spanned) => Ok(into_node(spanned)),
        Err(err) => {
            let offset = err
                .location()
                .and_then(|l| l.span().byte_offset())
                .map(|o| o as usize)
                .or_else(|| {
                    err.location()
                        .and_then(|l| line_col_to_offset(text, l.line(), l.column()))
                });
            let (message, limit) = match err.without_snippet() {
                serde_saphyr::Error::Budget { breach, .. } => {
                    let (message, help) = describe_breach(breach, &budget);
                    (message, Some(help))
                }
                other => (clean_message(&other.to_string()), None),
            };
            Err(YamlError {
                message,
                offset,
                limit,
            })
        }
    }
}

/// Which of the parser's limits a file went past, in words, and what to do about it.
fn describe_breach(
    breach: &serde_saphyr::budget::BudgetBreach,
    budget: &serde_saphyr::Budget,
) -> (String, String) {
    const SPLIT: &str = "split the objects across several files in a folder and pass the folder (wxcc reads every *.yaml in it); nothing in this file was read";
    use serde_saphyr::budget::BudgetBreach as B;
    let count = |n: usize| {
        let digits = n.to_string();
        let mut out = String::new();
        for (i, c) in digits.chars().enumerate() {
            if i > 0 && (digits.len() - i).is_multiple_of(3) {
                out.push(',');
            }
            out.push(c);
        }
        out
    };
    match breach {
        B::Nodes { .. } | B::Events { .. } => (
            format!(
                "too big to read as one file: it holds more than {} YAML values (about 500,000 objects), the most wxcc reads from one file",
                count(budget.max_nodes)
            ),
            SPLIT.into(),
        ),
        B::ScalarBytes { .. } | B::InputBytes { .. } => (
            format!(
                "too big to read as one file: its text is larger than the {} wxcc reads from one file",
                crate::regular_file::describe_size(budget.max_total_scalar_bytes as u64)
            ),
            SPLIT.into(),
        ),
        B::Documents { .. } => (
            format!(
                "too many YAML documents (`---`): more than {}, the most wxcc reads from one file",
                count(budget.max_documents)
            ),
            "a config file is one document: a mapping of kind names to lists; put other documents in files of their own".into(),
        ),
        B::Depth { .. } => (
            format!(
                "values here are nested more than {} levels deep, the most wxcc reads",
                budget.max_depth
            ),
            "no config field nests that deep; check the brackets and indentation here; nothing in this file was read".into(),
        ),
        B::Aliases { .. } | B::Anchors { .. } | B::AliasAnchorRatio { .. } => (
            format!(
                "more YAML anchors or aliases (`&name`, `*name`) than wxcc expands: at most {} aliases, {} anchors, and {} aliases per anchor",
                count(budget.max_aliases),
                count(budget.max_anchors),
                budget.alias_anchor_ratio_multiplier
            ),
            "write the repeated values out, or use fewer aliases; nothing in this file was read".into(),
        ),
        other => (
            format!("past a limit of the YAML reader ({other:?})"),
            SPLIT.into(),
        ),
    }
}

fn line_col_to_offset(text: &str, line: u64, column: u64) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let start: usize = text
        .split_inclusive('\n')
        .take(line as usize - 1)
        .map(str::len)
        .sum();
    let line_text = text[start..].lines().next().unwrap_or("");
    let col: usize = line_text
        .chars()
        .take(column.saturating_sub(1) as usize)
        .map(char::len_utf8)
        .sum();
    Some(start + col)
}

/// Drops the library's own " at line X column Y" suffix: the renderer shows the place.
fn clean_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message).trim();
    match first.find(" at line ") {
        Some(i) => first[..i].to_string(),
        None => first.to_string(),
    }
}

/// What the YAML library hands us: a value whose children are spanned.
enum Raw {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<String>, Spanned<Raw>)>),
}

fn span_of<T>(s: &Spanned<T>) -> Span {
    let span = s.referenced.span();
    Span {
        file: 0,
        offset: span.byte_offset().unwrap_or(0) as usize,
        len: span.byte_len().unwrap_or(0) as usize,
    }
}

fn into_node(s: Spanned<Raw>) -> Node {
    let span = span_of(&s);
    let value = match s.value {
        Raw::Null => NodeValue::Null,
        Raw::Bool(b) => NodeValue::Bool(b),
        Raw::Number(n) => NodeValue::Number(n),
        Raw::String(v) => NodeValue::String(v),
        // Fresh vectors of the exact length: collecting in place would keep the parser's
        // larger, grown allocations alive for as long as the config is.
        Raw::List(items) => {
            let mut nodes = Vec::with_capacity(items.len());
            nodes.extend(items.into_iter().map(into_node));
            NodeValue::List(nodes)
        }
        Raw::Map(entries) => {
            let mut fields = Vec::with_capacity(entries.len());
            fields.extend(entries.into_iter().map(|(k, v)| {
                let key_span = span_of(&k);
                (
                    Key {
                        name: k.value,
                        span: key_span,
                    },
                    into_node(v),
                )
            }));
            NodeValue::Map(fields)
        }
    };
    Node { span, value }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = Raw;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a YAML value")
    }

    fn visit_unit<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_none<E>(self) -> Result<Raw, E> {
        Ok(Raw::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
        Raw::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Raw, E> {
        Ok(Raw::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Raw, E> {
        Ok(Raw::Number(v.into()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Raw, E> {
        Ok(Raw::Number(v.into()))
    }
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Raw, E> {
        i64::try_from(v)
            .map(|v| Raw::Number(v.into()))
            .map_err(|_| E::custom("integer is too large"))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw, E> {
        u64::try_from(v)
            .map(|v| Raw::Number(v.into()))
            .map_err(|_| E::custom("integer is too large"))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
        Number::from_f64(v)
            .map(Raw::Number)
            .ok_or_else(|| E::custom("numbers must be finite (no .inf or .nan)"))
    }
    fn visit_str<E>(self, v: &str) -> Result<Raw, E> {
        Ok(Raw::String(v.to_string()))
    }
    fn visit_string<E>(self, v: String) -> Result<Raw, E> {
        Ok(Raw::String(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Spanned<Raw>>()? {
            items.push(item);
        }
        Ok(Raw::List(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
        let mut entries: Vec<(Spanned<String>, Spanned<Raw>)> = Vec::new();
        while let Some(key) = map.next_key::<Spanned<String>>()? {
            let value = map.next_value::<Spanned<Raw>>()?;
            if entries.iter().any(|(k, _)| k.value == key.value) {
                return Err(de::Error::custom(format!("duplicate key `{}`", key.value)));
            }
            entries.push((key, value));
        }
        Ok(Raw::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, span: Span) -> &str {
        &text[span.offset..span.offset + span.len]
    }

    #[test]
    fn a_breached_value_count_is_told_as_file_size_with_the_way_out() {
        use serde_saphyr::budget::BudgetBreach;
        let mut budget = serde_saphyr::Budget::default();
        budget.max_nodes = MAX_YAML_VALUES;
        let (message, help) = describe_breach(&BudgetBreach::Nodes { nodes: 1 }, &budget);
        assert!(
            message.contains("more than 40,000,000 YAML values"),
            "{message}"
        );
        assert!(
            help.contains("split the objects across several files"),
            "{help}"
        );
    }

    #[test]
    fn spans_point_at_keys_and_values() {
        let text = "site:\n  - name: \"Zürich 🇨🇭\"\n    active: true\n    n: 3\n";
        let node = parse(text).expect("parses");
        let site = node.get("site").expect("site");
        let NodeValue::List(items) = &site.value else {
            panic!("list")
        };
        let (key, value) = items[0].entry("name").expect("name");
        assert_eq!(slice(text, key.span), "name");
        assert_eq!(slice(text, value.span), "\"Zürich 🇨🇭\"");
        assert_eq!(value.as_str(), Some("Zürich 🇨🇭"));
        assert_eq!(
            slice(text, items[0].get("active").expect("active").span),
            "true"
        );
        assert_eq!(
            items[0].get("n").expect("n").to_json(),
            serde_json::json!(3)
        );
    }

    #[test]
    fn yaml_1_2_keeps_norway_a_string() {
        let node = parse("a: NO\nb: on\nc: 01234\n").expect("parses");
        assert_eq!(
            node.to_json(),
            serde_json::json!({"a": "NO", "b": "on", "c": "01234"})
        );
    }

    #[test]
    fn syntax_errors_carry_an_offset() {
        let err = parse("site:\n  - name: [unclosed\n").expect_err("fails");
        assert!(err.offset.is_some(), "{err:?}");
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let err = parse("a: 1\na: 2\n").expect_err("fails");
        assert!(err.message.contains("duplicate"), "{}", err.message);
    }
}
