//! A parsed value that remembers where every part of it came from, so that any problem
//! found later (by the schema, by the planner, by the API) can point at file, line and column.

use serde_json::{Map, Number, Value};

/// A byte range in one of the loaded source files.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// Index into the loader's list of source files.
    pub file: usize,
    pub offset: usize,
    pub len: usize,
}

/// A map key with its own span.
#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub span: Span,
}

/// A value with its span; maps and lists hold spanned children.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub span: Span,
    pub value: NodeValue,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeValue {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

impl Node {
    /// The plain JSON value, spans dropped.
    pub fn to_json(&self) -> Value {
        match &self.value {
            NodeValue::Null => Value::Null,
            NodeValue::Bool(b) => Value::Bool(*b),
            NodeValue::Number(n) => Value::Number(n.clone()),
            NodeValue::String(s) => Value::String(s.clone()),
            NodeValue::List(items) => Value::Array(items.iter().map(Node::to_json).collect()),
            NodeValue::Map(entries) => {
                let mut map = Map::with_capacity(entries.len());
                for (k, v) in entries {
                    map.insert(k.name.clone(), v.to_json());
                }
                Value::Object(map)
            }
        }
    }

    /// The value under a map key.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|(_, v)| v)
    }

    /// The key and value under a map key.
    pub fn entry(&self, key: &str) -> Option<(&Key, &Node)> {
        match &self.value {
            NodeValue::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.name == key)
                .map(|(k, v)| (k, v)),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            NodeValue::String(s) => Some(s),
            _ => None,
        }
    }

    /// The node at a JSON pointer (`/callDistributionGroups/0/order`), or the deepest node
    /// on the way there when the rest does not exist.
    pub fn nearest(&self, pointer: &str) -> &Node {
        let mut node = self;
        for segment in pointer.split('/').skip(1) {
            let segment = segment.replace("~1", "/").replace("~0", "~");
            let next = match &node.value {
                NodeValue::Map(_) => node.get(&segment),
                NodeValue::List(items) => segment.parse::<usize>().ok().and_then(|i| items.get(i)),
                _ => None,
            };
            match next {
                Some(n) => node = n,
                None => break,
            }
        }
        node
    }

    /// The span of the key that introduces the value at a pointer's last segment, falling
    /// back to the value's span.
    pub fn key_span_at(&self, pointer: &str) -> Span {
        let (parent, last) = pointer.rsplit_once('/').unwrap_or(("", pointer));
        let parent = self.nearest(parent);
        parent
            .entry(last)
            .map(|(k, _)| k.span)
            .unwrap_or(self.nearest(pointer).span)
    }

    /// Sets the file index on this node and every node under it.
    pub fn set_file(&mut self, file: usize) {
        self.each_span(&mut |span| span.file = file);
    }

    /// Moves this node and every node under it `by` bytes further into its file (a tree
    /// read from a piece of the file that starts there).
    pub fn shift(&mut self, by: usize) {
        self.each_span(&mut |span| span.offset += by);
    }

    /// `f` on the span of this node and of every key and node under it.
    fn each_span(&mut self, f: &mut impl FnMut(&mut Span)) {
        f(&mut self.span);
        match &mut self.value {
            NodeValue::List(items) => items.iter_mut().for_each(|n| n.each_span(f)),
            NodeValue::Map(entries) => entries.iter_mut().for_each(|(k, v)| {
                f(&mut k.span);
                v.each_span(f);
            }),
            _ => {}
        }
    }

    /// A short name for the node's type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            NodeValue::Null => "null",
            NodeValue::Bool(_) => "a boolean",
            NodeValue::Number(_) => "a number",
            NodeValue::String(_) => "a string",
            NodeValue::List(_) => "a list",
            NodeValue::Map(_) => "a mapping",
        }
    }
}
