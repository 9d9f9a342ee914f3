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
}

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
    let options = serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
        leading_zero_numbers_as_strings: true,
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
            Err(YamlError {
                message: clean_message(&err.without_snippet().to_string()),
                offset,
            })
        }
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
        Raw::List(items) => NodeValue::List(items.into_iter().map(into_node).collect()),
        Raw::Map(entries) => NodeValue::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key_span = span_of(&k);
                    (
                        Key {
                            name: k.value,
                            span: key_span,
                        },
                        into_node(v),
                    )
                })
                .collect(),
        ),
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
