//! Per-environment values: `${var.NAME}` placeholders resolved from a vars file (`--vars`,
//! a YAML mapping of names to scalars) and `${env.NAME}` from the environment, substituted
//! into every string value of a parsed config before objects are read from it. `$${` is a
//! literal `${`. Every problem points at the placeholder's own columns, and a substituted
//! value keeps the placeholder's span, so that later diagnostics point there too. Values
//! read from the environment are recorded as secrets, so that rendered output can hide them.
//! The rules are user documentation in docs/environments.md.

use std::collections::BTreeMap;

use serde_json::Number;

use super::suggest::did_you_mean;
use crate::model::{Diagnostic, Node, NodeValue, Span};

/// The shortest environment value treated as a secret. Hiding shorter values would garble
/// output (a `1` would replace every digit of every line number); a real secret is longer.
const MIN_SECRET_CHARS: usize = 4;

/// One value of a vars file.
#[derive(Clone, Debug)]
enum Scalar {
    String(String),
    Number(Number),
    Bool(bool),
}

impl Scalar {
    fn text(&self) -> String {
        match self {
            Scalar::String(s) => s.clone(),
            Scalar::Number(n) => n.to_string(),
            Scalar::Bool(b) => b.to_string(),
        }
    }

    fn node_value(&self) -> NodeValue {
        match self {
            Scalar::String(s) => NodeValue::String(s.clone()),
            Scalar::Number(n) => NodeValue::Number(n.clone()),
            Scalar::Bool(b) => NodeValue::Bool(*b),
        }
    }
}

/// The values of a vars file, by name.
#[derive(Clone, Debug, Default)]
pub(crate) struct Vars {
    values: BTreeMap<String, Scalar>,
    /// Whether a vars file was given at all (for the help of an unresolved `${var.…}`).
    given: bool,
}

/// An environment value a config used, to be hidden in whatever wxcc prints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Secret {
    pub value: String,
    /// The variable's name; shown as `${env.NAME}` in place of the value.
    pub name: String,
}

/// Replaces every secret's value in `text` by its placeholder.
pub fn redact(text: &str, secrets: &[Secret]) -> String {
    let mut out = text.to_string();
    // Longest first, so that a secret containing another is hidden whole.
    let mut ordered: Vec<&Secret> = secrets.iter().collect();
    ordered.sort_by_key(|s| std::cmp::Reverse(s.value.len()));
    for s in ordered {
        out = out.replace(&s.value, &format!("${{env.{}}}", s.name));
    }
    out
}

/// Whether `name` is a placeholder name: `[A-Za-z_][A-Za-z0-9_]*`.
fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

const VARS_HELP: &str = "a vars file is a YAML mapping of names to scalars, e.g. `timeZone: America/Chicago` or `maxAgents: 25`";

impl Vars {
    /// Reads the parsed vars file `node` (its spans in the vars file): a mapping of names to
    /// strings, numbers or booleans. Problems become diagnostics; the good entries are kept.
    pub(crate) fn read(node: &Node, diags: &mut Vec<Diagnostic>) -> Vars {
        let mut vars = Vars {
            values: BTreeMap::new(),
            given: true,
        };
        let entries = match &node.value {
            NodeValue::Map(entries) => entries,
            NodeValue::Null => return vars,
            _ => {
                diags.push(
                    Diagnostic::error(
                        "a vars file must be a mapping of names to values",
                        node.span,
                        format!("found {}", node.type_name()),
                    )
                    .with_help(VARS_HELP),
                );
                return vars;
            }
        };
        for (key, value) in entries {
            if !is_name(&key.name) {
                diags.push(
                    Diagnostic::error(
                        format!("`{}` is not a variable name", key.name),
                        key.span,
                        "not a name",
                    )
                    .with_help("a name is a letter or `_`, then letters, digits or `_` (`[A-Za-z_][A-Za-z0-9_]*`)"),
                );
                continue;
            }
            let scalar = match &value.value {
                NodeValue::String(s) => Scalar::String(s.clone()),
                NodeValue::Number(n) => Scalar::Number(n.clone()),
                NodeValue::Bool(b) => Scalar::Bool(*b),
                NodeValue::Null | NodeValue::List(_) | NodeValue::Map(_) => {
                    let span = if matches!(value.value, NodeValue::Null) {
                        key.span
                    } else {
                        value.span
                    };
                    diags.push(
                        Diagnostic::error(
                            format!(
                                "variable `{}` must be a string, number or boolean",
                                key.name
                            ),
                            span,
                            format!("found {}", value.type_name()),
                        )
                        .with_help(format!(
                            "{VARS_HELP}; write an empty text as `{}: \"\"`",
                            key.name
                        )),
                    );
                    continue;
                }
            };
            vars.values.insert(key.name.clone(), scalar);
        }
        vars
    }
}

/// What substituting records besides the values: for rendering and for validation.
#[derive(Debug, Default)]
pub(crate) struct Substituted {
    /// Environment values used (see [`Secret`]).
    pub secrets: Vec<Secret>,
    /// Spans of values left unresolved (each the first bad placeholder's): other problems
    /// found at them are consequences, not news, and are not reported.
    pub unresolved: Vec<Span>,
}

/// What a config's placeholders resolve against.
pub(crate) struct Resolver<'a> {
    pub vars: &'a Vars,
    /// Looks up an environment variable (the process environment, or a map in unit tests).
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// One placeholder found in a string value.
struct Found {
    /// Byte range in the parsed value.
    start: usize,
    end: usize,
    /// What it stands for, or why it does not.
    resolved: Result<Scalar, Problem>,
}

enum Problem {
    Unclosed,
    Malformed(String),
    UnknownNamespace(String),
    UnknownVar(String),
    UnsetEnv(String),
    Reserved(String),
}

/// Environment variables a config may not read: wxcc's own settings and credentials. A
/// config arrives as a pull request; it must not be able to copy the runner's token into a
/// field of the tenant (docs/security.md).
const RESERVED_ENV_PREFIX: &str = "WXCC_";

impl Resolver<'_> {
    /// Substitutes placeholders in every string value under `node` (not in map keys).
    /// `text` is the source file the node's spans index into.
    pub(crate) fn substitute(
        &self,
        node: &mut Node,
        text: &str,
        out: &mut Substituted,
        diags: &mut Vec<Diagnostic>,
    ) {
        match &mut node.value {
            NodeValue::List(items) => {
                for item in items {
                    self.substitute(item, text, out, diags);
                }
            }
            NodeValue::Map(entries) => {
                for (_, value) in entries {
                    self.substitute(value, text, out, diags);
                }
            }
            NodeValue::String(s) if s.contains('$') => {
                let s = s.clone();
                self.string(node, &s, text, out, diags);
            }
            _ => {}
        }
    }

    fn string(
        &self,
        node: &mut Node,
        value: &str,
        text: &str,
        out: &mut Substituted,
        diags: &mut Vec<Diagnostic>,
    ) {
        let (pieces, found) = self.scan(value, &mut out.secrets);
        if found.is_empty() && pieces == value {
            return;
        }
        let spans = locate(node.span, text, value, &found);
        let mut first_bad = None;
        for (f, span) in found.iter().zip(&spans) {
            if let Err(problem) = &f.resolved {
                first_bad.get_or_insert(*span);
                diags.push(self.diagnostic(problem, *span));
            }
        }
        if let Some(span) = first_bad {
            node.span = span;
            out.unresolved.push(span);
            return;
        }
        // A value that is one `${var.…}` and nothing else takes the variable's type.
        if let [only] = found.as_slice()
            && only.start == 0
            && only.end == value.len()
            && let Ok(scalar) = &only.resolved
        {
            node.value = scalar.node_value();
        } else {
            node.value = NodeValue::String(pieces);
        }
        if let [span] = spans.as_slice() {
            node.span = *span;
        }
    }

    /// The value with placeholders replaced (problems left as they were written), and the
    /// placeholders found.
    fn scan(&self, value: &str, secrets: &mut Vec<Secret>) -> (String, Vec<Found>) {
        let mut out = String::with_capacity(value.len());
        let mut found = Vec::new();
        let mut i = 0;
        while let Some(pos) = value[i..].find('$') {
            let at = i + pos;
            out.push_str(&value[i..at]);
            let rest = &value[at..];
            if rest.starts_with("$${") {
                out.push_str("${");
                i = at + 3;
            } else if rest.starts_with("${") {
                let Some(close) = rest.find('}') else {
                    found.push(Found {
                        start: at,
                        end: value.len(),
                        resolved: Err(Problem::Unclosed),
                    });
                    out.push_str(rest);
                    break;
                };
                let inner = &rest[2..close];
                let resolved = self.resolve(inner, secrets);
                match &resolved {
                    Ok(scalar) => out.push_str(&scalar.text()),
                    Err(_) => out.push_str(&rest[..=close]),
                }
                found.push(Found {
                    start: at,
                    end: at + close + 1,
                    resolved,
                });
                i = at + close + 1;
            } else {
                out.push('$');
                i = at + 1;
            }
        }
        out.push_str(&value[i.min(value.len())..]);
        (out, found)
    }

    fn resolve(&self, inner: &str, secrets: &mut Vec<Secret>) -> Result<Scalar, Problem> {
        let Some((namespace, name)) = inner.split_once('.') else {
            return Err(Problem::Malformed(inner.to_string()));
        };
        if !is_name(name) || !is_name(namespace) {
            return Err(Problem::Malformed(inner.to_string()));
        }
        match namespace {
            "var" => self
                .vars
                .values
                .get(name)
                .cloned()
                .ok_or_else(|| Problem::UnknownVar(name.to_string())),
            "env" if name.starts_with(RESERVED_ENV_PREFIX) => {
                Err(Problem::Reserved(name.to_string()))
            }
            "env" => {
                let value = (self.env)(name).ok_or_else(|| Problem::UnsetEnv(name.to_string()))?;
                if value.chars().count() >= MIN_SECRET_CHARS {
                    let secret = Secret {
                        value: value.clone(),
                        name: name.to_string(),
                    };
                    if !secrets.contains(&secret) {
                        secrets.push(secret);
                    }
                }
                Ok(Scalar::String(value))
            }
            other => Err(Problem::UnknownNamespace(other.to_string())),
        }
    }

    fn diagnostic(&self, problem: &Problem, span: Span) -> Diagnostic {
        match problem {
            Problem::Unclosed => Diagnostic::error(
                "a placeholder is not closed: `${` without `}`",
                span,
                "no closing `}`",
            )
            .with_help("write `${var.NAME}` or `${env.NAME}`; for a literal `${`, write `$${`"),
            Problem::Malformed(inner) => Diagnostic::error(
                format!("`${{{inner}}}` is not a placeholder"),
                span,
                "malformed placeholder",
            )
            .with_help("write `${var.NAME}` or `${env.NAME}`, NAME being a letter or `_` then letters, digits or `_`; for a literal `${`, write `$${`"),
            Problem::UnknownNamespace(ns) => {
                let d = Diagnostic::error(
                    format!("unknown placeholder namespace `{ns}`"),
                    span,
                    "not `var` or `env`",
                );
                match did_you_mean(ns, ["var", "env"]) {
                    Some(s) => d.with_help(format!("did you mean `{s}`? placeholders are `${{var.NAME}}` (from --vars) or `${{env.NAME}}` (from the environment)")),
                    None => d.with_help("placeholders are `${var.NAME}` (from --vars) or `${env.NAME}` (from the environment); for a literal `${`, write `$${`"),
                }
            }
            Problem::UnknownVar(name) => {
                let d = Diagnostic::error(
                    format!("`${{var.{name}}}` is not defined"),
                    span,
                    "unresolved placeholder",
                );
                if !self.vars.given {
                    return d.with_help(format!(
                        "pass a vars file that defines it: --vars vars/ENV.yaml holding `{name}: …`"
                    ));
                }
                match did_you_mean(name, self.vars.values.keys().map(String::as_str)) {
                    Some(s) => d.with_help(format!("did you mean `${{var.{s}}}`?")),
                    None => d.with_help(format!("add `{name}: …` to the vars file")),
                }
            }
            Problem::UnsetEnv(name) => Diagnostic::error(
                format!("`${{env.{name}}}`: the environment variable {name} is not set"),
                span,
                "unresolved placeholder",
            )
            .with_help(format!("set {name} in the environment wxcc runs in")),
            Problem::Reserved(name) => Diagnostic::error(
                format!("`${{env.{name}}}` reads wxcc's own settings, which a config may not"),
                span,
                "reserved variable",
            )
            .with_help(format!(
                "variables named {RESERVED_ENV_PREFIX}* hold wxcc's credentials and settings and are never put into a config; pass the value in a variable of another name"
            )),
        }
    }
}

/// The source span of each placeholder: its raw text found, in order, inside the value's
/// span (placeholders are plain characters in every YAML scalar style), else the value's span.
fn locate(span: Span, text: &str, value: &str, found: &[Found]) -> Vec<Span> {
    let end = (span.offset + span.len).min(text.len());
    let source = text.get(span.offset..end).unwrap_or("");
    let mut cursor = 0;
    found
        .iter()
        .map(|f| {
            let raw = &value[f.start..f.end];
            // Skip escaped `$${` in the source, which is not this placeholder.
            let mut from = cursor;
            while let Some(pos) = source.get(from..).and_then(|s| s.find(raw)) {
                let at = from + pos;
                if at > 0 && source.as_bytes()[at - 1] == b'$' {
                    from = at + 1;
                    continue;
                }
                cursor = at + raw.len();
                return Span {
                    file: span.file,
                    offset: span.offset + at,
                    len: raw.len(),
                };
            }
            span
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::yaml;

    fn vars(text: &str) -> Vars {
        let mut diags = Vec::new();
        let v = Vars::read(&yaml::parse(text).expect("parses"), &mut diags);
        assert!(diags.is_empty());
        v
    }

    fn run(text: &str, v: &Vars) -> (Node, Vec<Diagnostic>, Vec<Secret>) {
        let env = |name: &str| (name == "TOKEN").then(|| "s3cret-value".to_string());
        let resolver = Resolver { vars: v, env: &env };
        let mut node = yaml::parse(text).expect("parses");
        let mut diags = Vec::new();
        let mut out = Substituted::default();
        resolver.substitute(&mut node, text, &mut out, &mut diags);
        (node, diags, out.secrets)
    }

    #[test]
    fn placeholders_resolve_with_types_escapes_and_spans() {
        let v = vars("n: 25\ntz: America/Chicago\non: true\n");
        let text = "a: ${var.n}\nb: \"x-${var.n}-$${var.n}\"\nc: ${env.TOKEN}\nd: ${var.on}\ne: 'at ${var.tz}'\n";
        let (node, diags, secrets) = run(text, &v);
        assert!(diags.is_empty(), "{diags:?}");
        assert_eq!(
            node.to_json(),
            serde_json::json!({"a": 25, "b": "x-25-${var.n}", "c": "s3cret-value", "d": true, "e": "at America/Chicago"})
        );
        let e = node.get("e").expect("e");
        assert_eq!(
            &text[e.span.offset..e.span.offset + e.span.len],
            "${var.tz}"
        );
        assert_eq!(secrets.len(), 1);
        assert_eq!(redact("got s3cret-value", &secrets), "got ${env.TOKEN}");
    }

    #[test]
    fn each_problem_points_at_its_placeholder() {
        let v = vars("known: 1\n");
        let text = "a: \"$${var.x} ${var.knwn}\"\nb: ${nope.x}\nc: ${var}\nd: ${env.UNSET}\ne: abc ${var.x\n";
        let (_, diags, _) = run(text, &v);
        let shown: Vec<(&str, &str)> = diags
            .iter()
            .map(|d| {
                let s = d.span.expect("span");
                (&text[s.offset..s.offset + s.len], d.message.as_str())
            })
            .collect();
        assert_eq!(shown.len(), 5, "{shown:?}");
        assert_eq!(shown[0].0, "${var.knwn}");
        assert_eq!(
            diags[0].help.as_deref(),
            Some("did you mean `${var.known}`?")
        );
        assert_eq!(shown[1].0, "${nope.x}");
        assert_eq!(shown[2].0, "${var}");
        assert_eq!(shown[3].0, "${env.UNSET}");
        assert_eq!(shown[4].0, "${var.x");
    }

    #[test]
    fn a_vars_file_holds_named_scalars_only() {
        let mut diags = Vec::new();
        let node = yaml::parse("ok: 1\n2bad: x\nlist: [1]\nempty:\n").expect("parses");
        let v = Vars::read(&node, &mut diags);
        assert_eq!(diags.len(), 3, "{diags:?}");
        assert_eq!(v.values.len(), 1);
        let mut diags = Vec::new();
        Vars::read(&yaml::parse("- a\n").expect("parses"), &mut diags);
        assert_eq!(diags.len(), 1);
    }
}
