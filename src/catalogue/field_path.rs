//! Field paths as the catalogue writes them: dotted names with `[]` for "every element"
//! (`callDistributionGroups[].agentGroups[].teamId`, `teamIds[]`), and walking JSON values
//! along them.

use serde_json::{Map, Value};

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Segment {
    Field(String),
    Each,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath(pub Vec<Segment>);

impl FieldPath {
    pub fn parse(path: &str) -> FieldPath {
        let mut segments = Vec::new();
        for part in path.split('.') {
            let mut name = part;
            let mut each = 0;
            while let Some(stripped) = name.strip_suffix("[]") {
                name = stripped;
                each += 1;
            }
            if !name.is_empty() {
                segments.push(Segment::Field(name.to_string()));
            }
            segments.extend(std::iter::repeat_n(Segment::Each, each));
        }
        FieldPath(segments)
    }

    /// The segments of a path, for walking a schema along it.
    pub fn parse_segments(path: &str) -> Vec<Segment> {
        FieldPath::parse(path).0
    }

    /// The top-level field the path starts with.
    pub fn root(&self) -> Option<&str> {
        match self.0.first() {
            Some(Segment::Field(f)) => Some(f),
            _ => None,
        }
    }

    /// Calls `f` with the JSON pointer and value of every value the path reaches.
    pub fn visit<'a>(&self, value: &'a Value, f: &mut dyn FnMut(&str, &'a Value)) {
        visit(&self.0, value, &mut String::new(), f);
    }

    /// [`FieldPath::visit`] over an object held as its map of fields, without wrapping it
    /// in a [`Value`] (which would copy it).
    pub fn visit_fields<'a>(
        &self,
        fields: &'a Map<String, Value>,
        f: &mut dyn FnMut(&str, &'a Value),
    ) {
        let Some((Segment::Field(name), rest)) = self.0.split_first() else {
            return;
        };
        if let Some(child) = fields.get(name) {
            let mut pointer = format!("/{}", escape(name));
            visit(rest, child, &mut pointer, f);
        }
    }

    /// Calls `f` on every value the path reaches, mutably.
    pub fn visit_mut(&self, value: &mut Value, f: &mut dyn FnMut(&str, &mut Value)) {
        visit_mut(&self.0, value, &mut String::new(), f);
    }
}

fn visit<'a>(
    segments: &[Segment],
    value: &'a Value,
    pointer: &mut String,
    f: &mut dyn FnMut(&str, &'a Value),
) {
    let Some((first, rest)) = segments.split_first() else {
        f(pointer, value);
        return;
    };
    let len = pointer.len();
    match (first, value) {
        (Segment::Field(name), Value::Object(map)) => {
            if let Some(child) = map.get(name) {
                pointer.push('/');
                pointer.push_str(&escape(name));
                visit(rest, child, pointer, f);
            }
        }
        (Segment::Each, Value::Array(items)) => {
            for (i, child) in items.iter().enumerate() {
                pointer.push_str(&format!("/{i}"));
                visit(rest, child, pointer, f);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
    pointer.truncate(len);
}

fn visit_mut(
    segments: &[Segment],
    value: &mut Value,
    pointer: &mut String,
    f: &mut dyn FnMut(&str, &mut Value),
) {
    let Some((first, rest)) = segments.split_first() else {
        f(pointer, value);
        return;
    };
    let len = pointer.len();
    match (first, value) {
        (Segment::Field(name), Value::Object(map)) => {
            if let Some(child) = map.get_mut(name) {
                pointer.push('/');
                pointer.push_str(&escape(name));
                visit_mut(rest, child, pointer, f);
            }
        }
        (Segment::Each, Value::Array(items)) => {
            for (i, child) in items.iter_mut().enumerate() {
                pointer.push_str(&format!("/{i}"));
                visit_mut(rest, child, pointer, f);
                pointer.truncate(len);
            }
        }
        _ => {}
    }
    pointer.truncate(len);
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_nested_paths() {
        assert_eq!(
            FieldPath::parse("a[].b[].c").0,
            vec![
                Segment::Field("a".into()),
                Segment::Each,
                Segment::Field("b".into()),
                Segment::Each,
                Segment::Field("c".into())
            ]
        );
        assert_eq!(
            FieldPath::parse("teamIds[]").0,
            vec![Segment::Field("teamIds".into()), Segment::Each]
        );
    }

    #[test]
    fn visits_every_reached_value_with_its_pointer() {
        let v = json!({"g": [{"a": [{"t": "x"}, {"t": "y"}]}, {"a": [{"t": "z"}]}]});
        let mut seen = Vec::new();
        FieldPath::parse("g[].a[].t").visit(&v, &mut |p, v| seen.push((p.to_string(), v.clone())));
        assert_eq!(
            seen,
            vec![
                ("/g/0/a/0/t".to_string(), json!("x")),
                ("/g/0/a/1/t".to_string(), json!("y")),
                ("/g/1/a/0/t".to_string(), json!("z")),
            ]
        );
        // The same walk over the object's map of fields reaches the same values.
        let mut over_fields = Vec::new();
        let fields = v.as_object().expect("object");
        FieldPath::parse("g[].a[].t").visit_fields(fields, &mut |p, v| {
            over_fields.push((p.to_string(), v.clone()))
        });
        assert_eq!(over_fields, seen);
        let mut top = Vec::new();
        FieldPath::parse("g").visit_fields(fields, &mut |p, _| top.push(p.to_string()));
        assert_eq!(top, ["/g"]);
    }
}
