//! The subset of RSQL the list endpoints' `filter` accepts (docs/api-notes.md §1.5):
//! `field==value`, `!=`, `=in=(…)`, `=out=(…)`, joined by `;` (and) or `,` (or), values
//! bare or quoted.

use serde_json::Value;

#[derive(Debug)]
enum Op {
    Eq,
    Ne,
    In,
    Out,
}

#[derive(Debug)]
struct Comparison {
    field: String,
    op: Op,
    values: Vec<String>,
}

/// A parsed filter: OR of ANDs.
#[derive(Debug)]
pub struct Filter(Vec<Vec<Comparison>>);

impl Filter {
    pub fn parse(text: &str) -> Result<Filter, String> {
        let mut groups = Vec::new();
        for group in split_top(text, ',') {
            let mut all = Vec::new();
            for part in split_top(&group, ';') {
                all.push(parse_comparison(part.trim())?);
            }
            groups.push(all);
        }
        Ok(Filter(groups))
    }

    /// The ids a filter of the form `id==X` or `id=in=(…)` selects, and nothing else does:
    /// such a filter is answered by looking the ids up instead of reading the whole kind.
    pub fn only_ids(&self) -> Option<&[String]> {
        match self.0.as_slice() {
            [group] => match group.as_slice() {
                [c] if c.field == "id" && matches!(c.op, Op::Eq | Op::In) => Some(&c.values),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.0
            .iter()
            .any(|all| all.iter().all(|c| c.matches(object)))
    }
}

impl Comparison {
    fn matches(&self, object: &Value) -> bool {
        let actual = match object.get(&self.field) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(Value::Null) | None => None,
            Some(other) => Some(other.to_string()),
        };
        let hit = |v: &String| actual.as_deref() == Some(v.as_str());
        match self.op {
            Op::Eq => self.values.iter().any(hit),
            Op::Ne => !self.values.iter().any(hit),
            Op::In => self.values.iter().any(hit),
            Op::Out => !self.values.iter().any(hit),
        }
    }
}

fn parse_comparison(text: &str) -> Result<Comparison, String> {
    for (token, op) in [
        ("=in=", Op::In),
        ("=out=", Op::Out),
        ("==", Op::Eq),
        ("!=", Op::Ne),
    ] {
        if let Some(i) = text.find(token) {
            let field = text[..i].trim().to_string();
            let raw = text[i + token.len()..].trim();
            if field.is_empty() || raw.is_empty() {
                break;
            }
            let values = if matches!(op, Op::In | Op::Out) {
                let inner = raw
                    .strip_prefix('(')
                    .and_then(|r| r.strip_suffix(')'))
                    .ok_or_else(|| format!("Invalid filter: expected a list in ({raw})"))?;
                split_top(inner, ',')
                    .into_iter()
                    .map(|v| unquote(v.trim()))
                    .collect::<Result<_, _>>()?
            } else {
                vec![unquote(raw)?]
            };
            return Ok(Comparison { field, op, values });
        }
    }
    Err(format!("Invalid filter expression: {text}"))
}

fn unquote(v: &str) -> Result<String, String> {
    for q in ['"', '\''] {
        if let Some(inner) = v.strip_prefix(q) {
            let inner = inner
                .strip_suffix(q)
                .ok_or_else(|| format!("Invalid filter: unterminated quote in {v}"))?;
            return Ok(inner
                .replace(&format!("\\{q}"), &q.to_string())
                .replace("\\\\", "\\"));
        }
    }
    Ok(v.to_string())
}

/// Splits on `sep` outside quotes and parentheses.
fn split_top(text: &str, sep: char) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    let mut depth = 0i32;
    let mut escaped = false;
    for c in text.chars() {
        if escaped {
            current.push(c);
            escaped = false;
            continue;
        }
        match c {
            '\\' if quote.is_some() => {
                escaped = true;
                current.push(c);
            }
            '"' | '\'' if quote == Some(c) => {
                quote = None;
                current.push(c);
            }
            '"' | '\'' if quote.is_none() => {
                quote = Some(c);
                current.push(c);
            }
            '(' if quote.is_none() => {
                depth += 1;
                current.push(c);
            }
            ')' if quote.is_none() => {
                depth -= 1;
                current.push(c);
            }
            c if c == sep && quote.is_none() && depth == 0 => {
                parts.push(std::mem::take(&mut current))
            }
            c => current.push(c),
        }
    }
    parts.push(current);
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn filters_by_name_and_id() {
        let o = json!({"id": "a", "name": "Chicago HQ"});
        assert!(
            Filter::parse("name==\"Chicago HQ\"")
                .expect("parses")
                .matches(&o)
        );
        assert!(
            Filter::parse("name=='Chicago HQ'")
                .expect("parses")
                .matches(&o)
        );
        assert!(!Filter::parse("name==Chicago").expect("parses").matches(&o));
        assert!(
            Filter::parse("id=in=(\"a\",\"b\")")
                .expect("parses")
                .matches(&o)
        );
        assert!(
            Filter::parse("id=out=(b,c);name!=x")
                .expect("parses")
                .matches(&o)
        );
        assert!(Filter::parse("name==x,id==a").expect("parses").matches(&o));
        assert!(Filter::parse("nonsense").is_err());
    }
}
