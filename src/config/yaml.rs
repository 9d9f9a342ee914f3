//! YAML text → [`Node`], keeping a byte span on every key and value. This is the only place
//! that knows the YAML library (serde-saphyr, and granit-parser, the parser under it);
//! swapping it touches this file alone.

use std::fmt;
use std::ops::Range;

use granit_parser::{Event, ScalarStyle};
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
    if text.len() >= SPLIT_MIN_BYTES
        && let Some(node) = read_split(
            text,
            crate::parallel::cores() * PIECES_PER_CORE,
            MAX_YAML_VALUES,
        )
    {
        return Ok(node);
    }
    match read_common(text) {
        Some(node) => Ok(node),
        None => read_full(text),
    }
}

/// Files at least this big are read in pieces on every core ([`read_split`]); below it,
/// starting threads costs more than it saves.
const SPLIT_MIN_BYTES: usize = 1 << 20;

/// Pieces per core: entries differ in size, so a few pieces each keep the cores evenly busy.
const PIECES_PER_CORE: usize = 4;

/// Reads any YAML through serde-saphyr: its scalar typing, budgets and error messages.
fn read_full(text: &str) -> Result<Node, YamlError> {
    let budget = reader_budget();
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

/// The limits both readers read a file within.
fn reader_budget() -> serde_saphyr::Budget {
    let mut budget = serde_saphyr::Budget::default();
    budget.max_nodes = MAX_YAML_VALUES;
    budget.max_events = MAX_YAML_EVENTS;
    // Scalar text can never exceed the file, which the loader already caps.
    budget.max_total_scalar_bytes =
        usize::try_from(super::load::MAX_CONFIG_FILE_BYTES).unwrap_or(usize::MAX);
    budget
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

/// Reads the common shape of a config straight from the parser's events: one document of
/// mappings, lists and untagged scalars, with no anchors, aliases, tags, merge keys or
/// duplicate keys, and plain scalars whose type is beyond doubt (null, `true`/`false`, a
/// decimal integer, a leading-zero number kept as text, or text that cannot be a number).
/// Anything else, and every error, gives `None`, and [`parse`] reads the file again with
/// serde-saphyr, whose typing, budgets and messages are the rule; this way only pays the
/// cost of its `Spanned` deserialisation where the answer could differ. The result is the
/// same tree, spans included (`common_shape_reads_as_serde_saphyr_does` checks that).
fn read_common(text: &str) -> Option<Node> {
    read_common_counted(text).map(|(node, _)| node)
}

/// [`read_common`], with the number of parser events the text took.
fn read_common_counted(text: &str) -> Option<(Node, usize)> {
    let budget = reader_budget();
    let mut options = granit_parser::Options::default();
    // The options serde-saphyr gives the parser for this budget, so that the two readers
    // accept the same text.
    options.simple_key_max_lookahead = budget.simple_key_max_lookahead;
    options.flow_nesting_limit = budget.flow_nesting_limit;
    options.block_nesting_limit = options.block_nesting_limit.max(budget.max_depth + 1);
    let mut reader = CommonReader {
        parser: granit_parser::Parser::new_from_str_with_options(text, options),
        events: 0,
        max_depth: budget.max_depth / 2,
        items: Vec::new(),
        fields: Vec::new(),
    };
    if !matches!(reader.next()?.0, Event::StreamStart) {
        return None;
    }
    if !matches!(reader.next()?.0, Event::DocumentStart(_, None)) {
        return None;
    }
    let first = reader.next()?;
    let root = reader.node(first, 0)?;
    if !matches!(reader.next()?.0, Event::DocumentEnd)
        || !matches!(reader.next()?.0, Event::StreamEnd)
    {
        return None;
    }
    reader
        .parser
        .next_event()
        .is_none()
        .then_some((root, reader.events))
}

/// A top-level key whose value is a block list, as the text lays it out.
struct TopList {
    /// The key's line, its line break included.
    key_line: Range<usize>,
    /// Where the line of each entry (`-` at the list's indentation) starts.
    entries: Vec<usize>,
    /// The entries' indentation.
    indent: usize,
    /// Where the next top-level key's line starts, or the text's end.
    end: usize,
}

/// The top-level lists of a text laid out as a config usually is: `kind:` lines at the
/// margin, each followed by a block list, and nothing else at the margin but comments.
/// `None` for any other layout.
fn top_lists(text: &str) -> Option<Vec<TopList>> {
    let mut lists: Vec<TopList> = Vec::new();
    // The indentation of the current list's entries, once its first entry is seen.
    let mut indent: Option<usize> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let content = line.trim_start_matches(' ');
        let bare = content.trim_end_matches(['\n', '\r', ' ', '\t']);
        if bare.is_empty() || bare.starts_with('#') {
            continue;
        }
        let depth = line.len() - content.len();
        let entry = content.starts_with('-')
            && matches!(content.as_bytes().get(1), None | Some(b' ' | b'\n' | b'\r'));
        if depth == 0 && !(entry && indent.is_none_or(|i| i == 0)) {
            // A key line, of a kind's name: the line starts a piece, and so is read at
            // the start of a stream, where a byte-order mark, a directive or a document
            // marker would mean what it cannot mean in the middle of the file.
            let name = bare.strip_suffix(':')?;
            if !name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-') {
                return None;
            }
            if let Some(last) = lists.last_mut() {
                last.end = start;
            }
            lists.push(TopList {
                key_line: start..at,
                entries: Vec::new(),
                indent: 0,
                end: text.len(),
            });
            indent = None;
            continue;
        }
        let list = lists.last_mut()?;
        match indent {
            None if entry => {
                indent = Some(depth);
                list.indent = depth;
            }
            None => return None,
            Some(i) if i == depth && entry => {}
            Some(_) => continue,
        }
        list.entries.push(start);
    }
    lists.iter().all(|l| !l.entries.is_empty()).then_some(lists)
}

/// A run of entries of one top-level list, read on its own.
struct Piece {
    /// Which list (an index into [`top_lists`]'s answer).
    list: usize,
    /// The text it covers; the first piece of a list starts at the list's key line (the
    /// first of the file at the file's start).
    text: Range<usize>,
    first: bool,
}

/// The pieces `lists` (of a text `len` bytes long) are cut into: runs of whole entries of
/// one list, each a little over `len / wanted` bytes, or the rest of its list.
fn pieces(lists: &[TopList], len: usize, wanted: usize) -> Vec<Piece> {
    let target = len / wanted.max(1);
    let mut pieces = Vec::new();
    for (n, list) in lists.iter().enumerate() {
        let mut from = if n == 0 { 0 } else { list.key_line.start };
        let mut first = true;
        for &entry in &list.entries[1..] {
            if entry - from > target {
                // The piece takes the next entry's indentation too: a block text ends
                // where that line's indentation does, and so does its span.
                pieces.push(Piece {
                    list: n,
                    text: from..entry + list.indent,
                    first,
                });
                from = entry;
                first = false;
            }
        }
        pieces.push(Piece {
            list: n,
            text: from..list.end,
            first,
        });
    }
    pieces
}

/// Reads a big file of the common layout ([`top_lists`]) in pieces at once, each piece a
/// run of whole entries of one list, read by [`read_common`] after its list's key line,
/// so that every entry is read at the same depth and after the same kind of line as in
/// the whole file. A piece cannot end inside an entry: a quoted text or a bracket left
/// open by a cut is an error in the piece before it, and a block text ends before a line
/// as little indented as an entry. The pieces' trees, moved to where their text is,
/// make the tree [`read_common`] would give for the whole file (spans included;
/// `split_reading_reads_as_serde_saphyr_does` checks it). Anything else (another
/// layout, a piece [`read_common`] leaves, a key given twice, more than `max_events`
/// parser events in all) gives `None`.
fn read_split(text: &str, pieces_wanted: usize, max_events: usize) -> Option<Node> {
    let lists = top_lists(text)?;
    let pieces = pieces(&lists, text.len(), pieces_wanted);
    if pieces.len() < 2 {
        return None;
    }
    let read = crate::parallel::map_in_order(&pieces, |piece| {
        let range = piece.text.clone();
        if piece.first {
            let (mut node, events) = read_common_counted(&text[range.clone()])?;
            node.shift(range.start);
            return Some((node, events));
        }
        let key_line = &text[lists[piece.list].key_line.clone()];
        let mut owned = String::with_capacity(key_line.len() + range.len());
        owned.push_str(key_line);
        owned.push_str(&text[range.clone()]);
        let (mut node, events) = read_common_counted(&owned)?;
        // The key line is not where it was read: only the entries' spans are kept.
        node.shift(range.start - key_line.len());
        Some((node, events))
    });
    let mut events = 0usize;
    let mut root = None;
    let mut names = std::collections::HashSet::new();
    let mut fields: Vec<(Key, Node)> = Vec::with_capacity(lists.len());
    for (piece, read) in pieces.iter().zip(read) {
        let (Node { span, value }, count) = read?;
        events = events.saturating_add(count);
        let NodeValue::Map(mut entries) = value else {
            return None;
        };
        let (key, list) = entries.pop()?;
        if !entries.is_empty() {
            return None;
        }
        let NodeValue::List(items) = list.value else {
            return None;
        };
        if piece.first {
            if !names.insert(key.name.clone()) {
                return None;
            }
            root.get_or_insert(span);
            fields.push((
                key,
                Node {
                    span: list.span,
                    value: NodeValue::List(items),
                },
            ));
        } else if let Some((
            _,
            Node {
                value: NodeValue::List(all),
                ..
            },
        )) = fields.last_mut()
        {
            all.extend(items);
        } else {
            return None;
        }
    }
    // Each piece counts stream and document events the whole file has once: the sum is
    // over the whole file's count, never under.
    if events > max_events {
        return None;
    }
    Some(Node {
        span: root?,
        value: NodeValue::Map(fields),
    })
}

/// The state of [`read_common`]: the parser, and what it has read so far.
struct CommonReader<'a> {
    parser: granit_parser::Parser<'a, granit_parser::StrInput<'a>>,
    events: usize,
    /// Deeper than this is left to serde-saphyr, which counts depth its own way.
    max_depth: usize,
    /// The items of every list being read, innermost last, and likewise the fields of
    /// every mapping: each collection is then moved out into a vector of its exact length,
    /// one allocation instead of a vector grown (and copied) step by step.
    items: Vec<Node>,
    fields: Vec<(Key, Node)>,
}

impl<'a> CommonReader<'a> {
    fn next(&mut self) -> Option<(Event<'a>, Span)> {
        let (event, span) = self.parser.next_event()?.ok()?;
        self.events += 1;
        if self.events > MAX_YAML_VALUES {
            return None;
        }
        let start = span.start.byte_offset()?;
        let end = span.end.byte_offset()?;
        let span = Span {
            file: 0,
            offset: start,
            len: end.checked_sub(start)?,
        };
        Some((event, span))
    }

    fn node(&mut self, (event, span): (Event<'a>, Span), depth: usize) -> Option<Node> {
        let value = match event {
            Event::Scalar(text, ScalarStyle::Plain, 0, None) => plain_scalar(text.into_owned())?,
            Event::Scalar(text, _, 0, None) => NodeValue::String(text.into_owned()),
            Event::SequenceStart(_, 0, None) if depth < self.max_depth => {
                let first = self.items.len();
                loop {
                    let next = self.next()?;
                    if matches!(next.0, Event::SequenceEnd) {
                        break;
                    }
                    let item = self.node(next, depth + 1)?;
                    self.items.push(item);
                }
                NodeValue::List(self.items.drain(first..).collect())
            }
            Event::MappingStart(_, 0, None) if depth < self.max_depth => {
                let first = self.fields.len();
                loop {
                    let (key, key_span) = self.next()?;
                    let name = match key {
                        Event::MappingEnd => break,
                        Event::Scalar(name, style, 0, None) => match style {
                            ScalarStyle::Plain => match plain_scalar(name.into_owned())? {
                                NodeValue::String(name) if name != "<<" => name,
                                _ => return None,
                            },
                            _ => name.into_owned(),
                        },
                        _ => return None,
                    };
                    if self.fields[first..].iter().any(|(k, _)| k.name == name) {
                        return None;
                    }
                    let value = self.next()?;
                    let value = self.node(value, depth + 1)?;
                    let key = Key {
                        name,
                        span: key_span,
                    };
                    self.fields.push((key, value));
                }
                NodeValue::Map(self.fields.drain(first..).collect())
            }
            _ => return None,
        };
        Some(Node { span, value })
    }
}

/// The value of an untagged plain scalar, when its type is beyond doubt under the rules
/// [`parse`] gives serde-saphyr (YAML 1.2 core schema, strict booleans, leading-zero
/// numbers as text); `None` for the rest (floats, signs, radixes, `.inf`), left to it.
fn plain_scalar(text: String) -> Option<NodeValue> {
    match text.as_str() {
        "" | "~" | "null" | "Null" | "NULL" => return Some(NodeValue::Null),
        "true" | "True" | "TRUE" => return Some(NodeValue::Bool(true)),
        "false" | "False" | "FALSE" => return Some(NodeValue::Bool(false)),
        _ => {}
    }
    let bytes = text.as_bytes();
    match bytes.first() {
        Some(b'0'..=b'9') if bytes.iter().all(u8::is_ascii_digit) => {
            if bytes.len() > 1 && bytes[0] == b'0' {
                Some(NodeValue::String(text))
            } else {
                text.parse::<u64>()
                    .ok()
                    .map(|n| NodeValue::Number(n.into()))
            }
        }
        Some(b'-')
            if bytes.len() > 1 && bytes[1] != b'0' && bytes[1..].iter().all(u8::is_ascii_digit) =>
        {
            text.parse::<i64>()
                .ok()
                .map(|n| NodeValue::Number(n.into()))
        }
        Some(b'0'..=b'9' | b'-' | b'+' | b'.') => None,
        // Text with a space, a tab or a line break at either end is left too: the scalar
        // rules trim it before typing, and the parser never hands such plain text anyway.
        Some(b' ' | b'\t' | b'\r' | b'\n') => None,
        _ if text.ends_with([' ', '\t', '\r', '\n']) => None,
        _ => Some(NodeValue::String(text)),
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
        let budget = reader_budget();
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

    /// Scalars in every spelling the two readers could type differently.
    const SCALARS: &[&str] = &[
        "",
        "~",
        "null",
        "Null",
        "NULL",
        "nULL",
        "true",
        "True",
        "TRUE",
        "tRUE",
        "false",
        "False",
        "FALSE",
        "yes",
        "no",
        "on",
        "off",
        "y",
        "n",
        "NO",
        "0",
        "00",
        "007",
        "0127",
        "-0",
        "-7",
        "-07",
        "+7",
        "+0",
        "12",
        "30",
        "9223372036854775807",
        "9223372036854775808",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "1.5",
        "-1.5",
        ".5",
        "5.",
        "1e3",
        "1E3",
        "-1e3",
        "1e999",
        "0x1F",
        "0X1F",
        "0o17",
        "0O17",
        "0b101",
        "1_000",
        ".inf",
        "-.inf",
        "+.INF",
        ".nan",
        ".NaN",
        "-.nan",
        "inf",
        "-inf",
        "nan",
        "NaN",
        "Infinity",
        "infinity",
        "1:30",
        "2026-11-29",
        "12:00:00",
        "Skill 1",
        "a b",
        "Zürich 🇨🇭",
        "e5",
        "'q'",
        "\"d\"",
        "\"null\"",
        "'true'",
        "\"12\"",
        "'007'",
        "\"\"",
        "''",
        "<<",
        "\"<<\"",
        "-",
        "- x",
        "--",
        "+",
        ".",
        "..",
        "a#b",
        "a #b",
        "'a''b'",
        "\"a\\nb\"",
        "\"\\u00e9\"",
        "!!str 12",
        "!!int 12",
        "!custom x",
        "&a x",
        "*a",
        "[1, 2]",
        "{}",
        "[]",
        "{a: 1}",
        "? a",
        "|\n  text\n",
        ">-\n  folded\n  text\n",
        "|+\n  kept\n\n",
    ];

    /// Whole texts: config shapes, and each way out of the common one.
    const TEXTS: &[&str] = &[
        "site:\n  - name: Austin\n    description: main site\n",
        "skill:\n  - {name: Skill 1, skillType: PROFICIENCY, serviceLevelThreshold: 30, active: true}\n",
        "team:\n  - name: Blue\n    site: Austin\n    users: [a@example.com, b@example.com]\n",
        "queue:\n  - name: Sales\n    groups:\n      - teams: [Blue]\n        duration: 0\n",
        "a:\n  b:\n    c:\n      d: [1, [2, [3, {e: f}]]]\n",
        "# comment\na: 1 # trailing\n# end\n",
        "a: 1\r\nb: two\r\n",
        "\u{feff}a: 1\n",
        "---\na: 1\n",
        "---\na: 1\n...\n",
        "a: 1\n---\nb: 2\n",
        "%YAML 1.2\n---\na: 1\n",
        "%TAG !e! tag:example.com,2000:\n---\na: !e!x 1\n",
        "a: &x 1\nb: *x\n",
        "base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n",
        "a: 1\na: 2\n",
        "a: 1\nb: 2\na: 3\n",
        "'a': 1\na: 2\n",
        "? a\n: 1\n",
        "[a, b]: 1\n",
        "{a: 1}: 2\n",
        "a: [unclosed\n",
        "a: {b: 1\n",
        "a:\n\t- b\n",
        "a: b: c\n",
        "- a\nb: c\n",
        "a:\n  - b\n  c: d\n",
        "a: 'unterminated\n",
        "a: \"bad \\q escape\"\n",
        "a: |\n  line one\n  line two\nb: >\n  folded\n  more\n",
        "a: plain\n  continued\n  lines\n",
        "a:\nb:\n  -\n  - ''\n",
        "- - - deep\n",
        "[]\n",
        "{}\n",
        "just text\n",
        "12\n",
        "a: 1\n# only a comment after\n",
        "a: x\n  # indented comment\nb: y\n",
        "ключ: значение\n名前: 値\n",
        "a: \"multi\n  line\"\n",
        "a: !!binary aGVsbG8=\n",
        "a: !!null ''\nb: !!str\n",
        "a:\n- b\n- c\n",
        "a: 1\n...\n---\nb: 2\n",
        "@a: 1\n",
        "`a: 1\n",
        "a: %x\n",
    ];

    fn corpus() -> Vec<String> {
        let mut texts: Vec<String> = TEXTS.iter().map(|t| (*t).to_string()).collect();
        for s in SCALARS {
            let one_line = !s.contains('\n');
            texts.push(format!("k: {s}\n"));
            texts.push(format!("- {s}\n- x\n"));
            texts.push(format!("k:\n  - {s}\n"));
            if one_line {
                texts.push(format!("{s}: v\n"));
                texts.push(format!("{s}:\n  n: 1\n"));
                texts.push(format!("{{k: {s}}}\n"));
                texts.push(format!("[{s}, x]\n"));
                texts.push(format!("{{{s}: v}}\n"));
                texts.push(format!("k: [{{a: {s}, b: {s}}}]\n"));
                texts.push(format!(
                    "skill:\n  - {{name: {s}, n: {s}}}\n  - name: {s}\n    id: {s}\n"
                ));
            }
        }
        // Nesting around the depth the direct reader leaves to serde-saphyr, and around
        // serde-saphyr's own limit.
        for depth in [30, 31, 32, 33, 34, 63, 64, 65, 66, 100, 127, 128, 129] {
            texts.push(format!("a: {}{}\n", "[".repeat(depth), "]".repeat(depth)));
            texts.push(format!(
                "a: {}1{}\n",
                "{k: ".repeat(depth),
                "}".repeat(depth)
            ));
        }
        // Every example config of the repository, whatever it holds today.
        let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
        for dir in std::fs::read_dir(examples).into_iter().flatten().flatten() {
            for file in std::fs::read_dir(dir.path())
                .into_iter()
                .flatten()
                .flatten()
            {
                if let Ok(text) = std::fs::read_to_string(file.path()) {
                    texts.push(text);
                }
            }
        }
        texts
    }

    #[test]
    fn common_shape_reads_as_serde_saphyr_does() {
        let mut common = 0;
        let corpus = corpus();
        for text in &corpus {
            if let Some(node) = read_common(text) {
                common += 1;
                match read_full(text) {
                    Ok(full) => assert_eq!(node, full, "the readers differ on {text:?}"),
                    Err(err) => {
                        panic!("{text:?} read as common, but serde-saphyr refuses it: {err:?}")
                    }
                }
            }
        }
        // Most of the corpus is of the common shape; the rest must go the full way.
        assert!(common > corpus.len() / 2, "{common} of {}", corpus.len());
    }

    /// Texts of the layout [`read_split`] reads in pieces when each entry is a piece.
    const SPLIT_LAYOUTS: &[&str] = &[
        "skill:\n  - a\n  - b\nteam:\n  - c\n  - d\n",
        "# lead\n\nskill:\n  # first\n  - a\n\n# between\n  - b\n  # after\nteam:\n  - c\n# tail\n",
        "skill:\n- a\n- b\nteam:\n- c\n- {name: d}\n",
        "skill:\r\n  - a\r\n  - b\r\nteam:\r\n  - c\r\n",
        "skill:\n    - a\n    - b\n",
        "skill:  \n  - a\n  - b\n",
        "skill:\n  - |+\n    kept\n\n\n  - b\n",
        "skill:\n  - description: |\n      text\n\n  - b\n  - description: >-\n      folded\n      more\n  - c\n",
        "skill:\n  - |\n    # not a comment\n    - not an entry\n  - b\n",
        "skill:\n  - \"abc\n# not a comment\"\n  - x\n",
        "skill:\n  - \"abc\n  d e\"\n  - x\n",
        "skill:\n  - abc\n    def\n  - x\n",
        "skill:\n  -\n  - a\n  -\n    name: b\n",
        "team:\n  - name: a\n    users:\n      - x\n      - y\n  - name: b\n    users: [z]\n",
        "team:\n  - name: a\n    users:\n    - x\n    - y\n  - name: b\n",
        "skill:\n- a\n  - b\n- c\n",
        "skill:\n  - a\n  - b",
        "skill:\n  - a\n  - [b, {c: 1}]\n  - {name: x, l: [1, 2]}\n  - x: 1\n    y:\n      z: 2\n",
        "skill:\n  - a\n  - b\nskill-profile:\n  - c\n",
    ];

    /// Texts near that layout that the whole-file readers must read instead (or that
    /// may go either way): a cut through a quoted text or brackets, keys and lists of
    /// other shapes, other indentation, documents, tabs, anchors, tags.
    const OTHER_LAYOUTS: &[&str] = &[
        "skill:\n  - \"abc\n  - def\"\n  - x\n",
        "skill:\n  - 'abc\n  - def'\n  - x\n",
        "skill:\n  - [a,\n  - b]\n  - c\n",
        "skill:\n  - {a: 1,\n  - b: 2}\n  - c\n",
        "skill:\n  - \"abc\ndef\"\n  - x\n",
        "skill:\n  - \"abc\nteam:\n  - x\"\n  - y\n",
        "skill:\n  - abc\n  def\n  - x\n",
        "skill: # kinds\n  - a\n  - b\n",
        "skill:\nteam:\n  - a\n  - b\n",
        "skill:\n  - a\n  - b\nteam:\n",
        "skill:\n  - a\nskill:\n  - b\n",
        "skill:\n  - a\n'skill':\n  - b\n",
        "skill:\n  - &x a\n  - *x\n",
        "skill:\n  - a\n  - !!str 12\n",
        "null:\n  - a\n  - b\n",
        "true:\n  - a\n  - b\n",
        "<<:\n  - a\n  - b\n",
        "? skill\n:\n  - a\n  - b\n",
        "skill:\n\t- a\n\t- b\n",
        "skill:\n  -\ta\n  - b\n",
        "skill:\n  - a\n - b\n",
        "skill:\n  - a\n   - b\n",
        "skill:\n  - a\n  b: c\n",
        "skill:\n  - a\n  -x\n  - b\n",
        "skill:\n  - a\n---\nteam:\n  - b\n",
        "skill:\n  - a\n...\nteam:\n  - b\n",
        "skill:\n  - a\n- b\n",
        "skill:\n  - a\n- x:\n  - b\n",
        "skill:\n  - a\nteam: x\n",
        "skill:\n  - a\nteam: [b]\n",
        "skill:\n  - a\na: b:\n  - c\n",
        "skill:\n  - a\n\u{feff}team:\n  - b\n",
        "skill:\r  - a\r  - b\r",
        "  - a\nskill:\n  - b\n",
        "skill:\n  a: 1\n  b: 2\nteam:\n  c: 1\n",
        "skill_2:\n  - a\n  - b\n'quoted':\n  - c\n\"double\":\n  - d\nkey with space:\n  - e\n",
        "skill:\n  - a\n%TAG !e! tag:e.com,2000:\n  - b\n",
        "skill:\n  - a\n-team:\n  - b\n",
        "Skill:\n  - a\n  - b\n",
        "skill:\n  - a\nteam2:\n  - b\n",
        "skill:\n  - a\n-team:\n  - b\n  - c\n",
        "skill:\n  - a\n:\n  - b\n  - c\n",
        "skill:\n  - a\n---:\n  - b\n",
    ];

    #[test]
    fn split_reading_reads_as_serde_saphyr_does() {
        let mut texts = corpus();
        texts.extend(SPLIT_LAYOUTS.iter().map(|t| (*t).to_string()));
        texts.extend(OTHER_LAYOUTS.iter().map(|t| (*t).to_string()));
        for s in SCALARS {
            texts.push(format!(
                "skill:\n  - {s}\n  - x\nteam:\n  - k: {s}\n  - {s}\n"
            ));
        }
        let mut split = 0;
        for text in &texts {
            // Two pieces, three, and one piece per entry.
            for wanted in [2, 3, text.len()] {
                if let Some(node) = read_split(text, wanted, MAX_YAML_VALUES) {
                    split += 1;
                    match read_full(text) {
                        Ok(full) => assert_eq!(node, full, "the readers differ on {text:?}"),
                        Err(err) => {
                            panic!("{text:?} read in pieces, but serde-saphyr refuses it: {err:?}")
                        }
                    }
                }
            }
        }
        assert!(split > 200, "{split} texts read in pieces");
        for text in SPLIT_LAYOUTS {
            assert!(
                read_split(text, text.len(), MAX_YAML_VALUES).is_some(),
                "not read in pieces: {text:?}"
            );
        }
    }

    #[test]
    fn a_config_of_several_lists_is_read_in_pieces() {
        let mut text = String::from("# generated\nskill:\n");
        for k in 0..40 {
            text.push_str(&format!("  - {{name: Skill {k}, active: true, n: {k}}}\n"));
        }
        text.push_str("\n# the teams\nteam:\n");
        for t in 0..30 {
            text.push_str(&format!(
                "  - name: Team {t}\n    users:\n      - a{t}@example.com\n    help: |\n      line\n"
            ));
        }
        let lists = top_lists(&text).expect("the common layout");
        assert_eq!(
            lists.iter().map(|l| l.entries.len()).collect::<Vec<_>>(),
            [40, 30]
        );
        for wanted in [2, 5, 64] {
            let node = read_split(&text, wanted, MAX_YAML_VALUES).expect("read in pieces");
            assert_eq!(node, read_full(&text).expect("valid"), "{wanted} pieces");
        }
        // One list of one entry is one piece: nothing to split.
        assert!(read_split("skill:\n  - a\n", 8, MAX_YAML_VALUES).is_none());
    }

    #[test]
    fn layouts_of_other_shapes_are_not_cut() {
        for text in [
            "skill:\n  a: 1\n  b: 2\n",
            "skill: [a, b]\n",
            "skill:\nteam:\n  - a\n",
            "skill:\n  - a\nteam:\n",
            "  - a\nskill:\n  - b\n",
            "skill:\n  - a\n---\n",
            "skill:\n  - a\n- b\n",
            "skill: # c\n  - a\n",
            "- a\n- b\n",
            "skill:\n  - a\n\u{feff}team:\n  - b\n",
            "Skill:\n  - a\n",
            "sk ill:\n  - a\n",
            "skill2:\n  - a\n",
        ] {
            assert!(top_lists(text).is_none(), "{text:?}");
        }
        let lists = top_lists("skill:\n- a\n- b\nteam:\n  - c\n").expect("the common layout");
        assert_eq!(
            lists
                .iter()
                .map(|l| (l.key_line.clone(), l.entries.clone(), l.indent, l.end))
                .collect::<Vec<_>>(),
            [(0..7, vec![7, 11], 0, 15), (15..21, vec![21], 2, 27)]
        );
    }

    #[test]
    fn pieces_are_runs_of_whole_entries_of_about_the_wanted_size() {
        // Five entries of 7 bytes after a key line of 7: a third of the text is 14 bytes,
        // so the first piece runs until an entry starts more than 14 bytes in (21), and
        // takes that entry's indentation.
        let text = "skill:\n  - aa\n  - bb\n  - cc\n  - dd\n  - ee\n";
        let lists = top_lists(text).expect("the common layout");
        let cut = |wanted| {
            pieces(&lists, text.len(), wanted)
                .iter()
                .map(|p| (p.list, p.text.clone(), p.first))
                .collect::<Vec<_>>()
        };
        assert_eq!(cut(3), [(0, 0..23, true), (0, 21..42, false)]);
        assert_eq!(cut(1), [(0, 0..42, true)]);
        assert_eq!(
            cut(text.len()),
            [
                (0, 0..16, true),
                (0, 14..23, false),
                (0, 21..30, false),
                (0, 28..37, false),
                (0, 35..42, false)
            ]
        );
        // Each list's first piece starts at its key line, and one piece never spans two lists.
        let two = "skill:\n  - a\n  - b\nteam:\n  - c\n  - d\n";
        let lists = top_lists(two).expect("the common layout");
        let cut: Vec<_> = pieces(&lists, two.len(), 1)
            .iter()
            .map(|p| (p.list, p.text.clone(), p.first))
            .collect();
        assert_eq!(cut, [(0, 0..19, true), (1, 19..37, true)]);
    }

    /// The event budget admits a file of `MAX_YAML_VALUES` values however many of them are
    /// lists or mappings (two parser events each, one per scalar), so the value cap is the
    /// one a file meets first.
    #[test]
    fn the_event_budget_admits_as_many_lists_and_mappings_as_values() {
        let budget = reader_budget();
        assert_eq!(budget.max_nodes, MAX_YAML_VALUES);
        assert!(
            budget.max_events >= 2 * budget.max_nodes,
            "{} events for {} values",
            budget.max_events,
            budget.max_nodes
        );
    }

    #[test]
    fn the_pieces_keep_to_the_file_s_event_limit() {
        // One piece per entry: each piece takes 10 events (stream, document, mapping, key,
        // list, the entry, and their ends), 60 in all, over the whole file's 18.
        let text = "skill:\n  - a\n  - b\n  - c\nteam:\n  - d\n  - e\n  - f\n";
        assert_eq!(read_common_counted(text).map(|(_, n)| n), Some(18));
        assert!(read_split(text, text.len(), 60).is_some());
        assert!(read_split(text, text.len(), 59).is_none());
    }

    #[test]
    fn the_common_shape_is_read_directly() {
        let text = "team:\n  - name: Blue\n    site: '007'\n    n: -12\n    on: true\n    x: ~\n    tags: [a, 0127, 5]\n    help: |\n      text\n";
        let node = read_common(text).expect("read directly");
        assert_eq!(
            node.to_json(),
            serde_json::json!({"team": [{"name": "Blue", "site": "007", "n": -12, "on": true,
                "x": null, "tags": ["a", "0127", 5], "help": "text\n"}]})
        );
        // Each of these leaves the common shape; serde-saphyr reads them.
        for other in [
            "a: 1.5\n",
            "a: &x 1\nb: *x\n",
            "a: !!str 12\n",
            "a: 1\na: 2\n",
            "---\na: 1\n---\nb: 2\n",
            "a: +1\n",
            "a: [x\n",
            "<<: {a: 1}\n",
            "1: a\n",
        ] {
            assert!(read_common(other).is_none(), "{other:?}");
        }
    }

    #[test]
    fn plain_text_the_scalar_rules_would_trim_is_left_to_serde_saphyr() {
        // The parser never hands such text over today; were it to, serde-saphyr trims it
        // before typing (` 12` is a number), so the direct reader must not call it text.
        for text in [" 12", "12 ", "\ttrue", "null\n", "\r0", " x", "x "] {
            assert_eq!(plain_scalar(text.to_string()), None, "{text:?}");
        }
        assert_eq!(
            plain_scalar("x y".to_string()),
            Some(NodeValue::String("x y".into()))
        );
    }

    #[test]
    fn a_text_of_blank_and_comment_lines_is_an_empty_document() {
        for text in ["", "\n", "  \n\t\n", "# only a comment\n", "# a\n\n  # b\n"] {
            let node = parse(text).expect("empty");
            assert_eq!(node.value, NodeValue::Null, "{text:?}");
            assert_eq!(node.span, Span::default(), "{text:?}");
        }
    }

    #[test]
    fn duplicate_keys_are_refused() {
        let err = parse("a: 1\na: 2\n").expect_err("fails");
        assert!(err.message.contains("duplicate"), "{}", err.message);
    }
}
