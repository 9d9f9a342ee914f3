//! The GraphQL Search API (`POST /search`, docs/data-notes.md §4): a parser for the query
//! language (operations, variables, aliases, arguments, nested selections, comments) and
//! an executor for the `taskDetails` root (and the legacy `task` root) over the org's
//! synthetic tasks — `from`/`to` with the API's limits, `filter` with `and`/`or` and the
//! string and number operators, `aggregations` grouped by the fields selected beside
//! `aggregation`, and cursor paging (250 raw rows or 1000 aggregated rows a page).
//! Syntax and validation errors come back as a GraphQL `errors` array with locations.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::activity::SyntheticTask;

/// A position in the query text (1-based), for error locations.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

/// A GraphQL error: message and where.
#[derive(Debug)]
pub struct GqlError {
    pub message: String,
    pub pos: Option<Pos>,
}

impl GqlError {
    fn at(pos: Pos, message: impl Into<String>) -> GqlError {
        GqlError {
            message: message.into(),
            pos: Some(pos),
        }
    }

    pub fn body(&self) -> Value {
        let mut e = json!({"message": self.message});
        if let Some(p) = self.pos {
            e["locations"] = json!([{"line": p.line, "column": p.column}]);
        }
        json!({"errors": [e], "data": null})
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Punct(char),
    Spread,
    Name(String),
    Int(i64),
    Float(f64),
    Str(String),
    End,
}

fn lex(text: &str) -> Result<Vec<(Tok, Pos)>, GqlError> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let (mut i, mut line, mut col) = (0usize, 1usize, 1usize);
    while i < chars.len() {
        let c = chars[i];
        let pos = Pos { line, column: col };
        let advance = |n: usize, i: &mut usize, col: &mut usize| {
            *i += n;
            *col += n;
        };
        match c {
            '\n' => {
                i += 1;
                line += 1;
                col = 1;
            }
            ' ' | '\t' | '\r' | ',' | '\u{feff}' => advance(1, &mut i, &mut col),
            '#' => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            '{' | '}' | '(' | ')' | '[' | ']' | ':' | '$' | '!' | '=' | '@' | '|' | '&' => {
                out.push((Tok::Punct(c), pos));
                advance(1, &mut i, &mut col);
            }
            '.' if chars.get(i + 1) == Some(&'.') && chars.get(i + 2) == Some(&'.') => {
                out.push((Tok::Spread, pos));
                advance(3, &mut i, &mut col);
            }
            '"' => {
                let mut s = String::new();
                let mut j = i + 1;
                loop {
                    match chars.get(j) {
                        None | Some('\n') => {
                            return Err(GqlError::at(pos, "Syntax Error: Unterminated string."));
                        }
                        Some('"') => break,
                        Some('\\') => {
                            let e = chars.get(j + 1).copied().unwrap_or(' ');
                            s.push(match e {
                                'n' => '\n',
                                't' => '\t',
                                other => other,
                            });
                            j += 2;
                        }
                        Some(ch) => {
                            s.push(*ch);
                            j += 1;
                        }
                    }
                }
                out.push((Tok::Str(s), pos));
                let n = j + 1 - i;
                advance(n, &mut i, &mut col);
            }
            c if c == '-' || c.is_ascii_digit() => {
                let mut j = i + 1;
                while j < chars.len()
                    && (chars[j].is_ascii_digit()
                        || matches!(chars[j], '.' | 'e' | 'E' | '+' | '-'))
                {
                    j += 1;
                }
                let word: String = chars[i..j].iter().collect();
                let tok = if let Ok(n) = word.parse::<i64>() {
                    Tok::Int(n)
                } else if let Ok(f) = word.parse::<f64>() {
                    Tok::Float(f)
                } else {
                    return Err(GqlError::at(
                        pos,
                        format!("Syntax Error: Invalid number, \"{word}\"."),
                    ));
                };
                out.push((tok, pos));
                advance(j - i, &mut i, &mut col);
            }
            c if c == '_' || c.is_ascii_alphabetic() => {
                let mut j = i + 1;
                while j < chars.len() && (chars[j] == '_' || chars[j].is_ascii_alphanumeric()) {
                    j += 1;
                }
                out.push((Tok::Name(chars[i..j].iter().collect()), pos));
                advance(j - i, &mut i, &mut col);
            }
            other => {
                return Err(GqlError::at(
                    pos,
                    format!("Syntax Error: Unexpected character \"{other}\"."),
                ));
            }
        }
    }
    out.push((Tok::End, Pos { line, column: col }));
    Ok(out)
}

/// An input value as written (variables resolved later).
#[derive(Clone, Debug)]
enum Input {
    Var(String, Pos),
    Lit(Value),
    List(Vec<Input>),
    Object(Vec<(String, Input)>),
}

#[derive(Debug)]
struct Field {
    alias: Option<String>,
    name: String,
    pos: Pos,
    args: Vec<(String, Input, Pos)>,
    selection: Vec<Field>,
}

impl Field {
    fn key(&self) -> &str {
        self.alias.as_deref().unwrap_or(&self.name)
    }
}

/// A declared variable and its default.
type Declared = (String, Option<Value>);

struct Parser {
    toks: Vec<(Tok, Pos)>,
    at: usize,
}

impl Parser {
    fn peek(&self) -> &Tok {
        &self.toks[self.at.min(self.toks.len() - 1)].0
    }

    fn pos(&self) -> Pos {
        self.toks[self.at.min(self.toks.len() - 1)].1
    }

    fn next(&mut self) -> (Tok, Pos) {
        let t = self.toks[self.at.min(self.toks.len() - 1)].clone();
        self.at += 1;
        t
    }

    fn unexpected(&self) -> GqlError {
        let what = match self.peek() {
            Tok::Punct(c) => format!("\"{c}\""),
            Tok::Spread => "\"...\"".into(),
            Tok::Name(n) => format!("Name \"{n}\""),
            Tok::Int(n) => format!("Int \"{n}\""),
            Tok::Float(f) => format!("Float \"{f}\""),
            Tok::Str(s) => format!("String \"{s}\""),
            Tok::End => "<EOF>".into(),
        };
        GqlError::at(self.pos(), format!("Syntax Error: Unexpected {what}."))
    }

    fn expect(&mut self, c: char) -> Result<(), GqlError> {
        if *self.peek() == Tok::Punct(c) {
            self.at += 1;
            Ok(())
        } else {
            Err(self.unexpected())
        }
    }

    fn name(&mut self) -> Result<(String, Pos), GqlError> {
        match self.peek().clone() {
            Tok::Name(n) => {
                let p = self.pos();
                self.at += 1;
                Ok((n, p))
            }
            _ => Err(self.unexpected()),
        }
    }

    /// `[query [Name] [(vars)]] { selection }`; returns the selection and declared variables.
    fn document(&mut self) -> Result<(Vec<Field>, Vec<Declared>), GqlError> {
        let mut vars = Vec::new();
        if let Tok::Name(n) = self.peek().clone() {
            if n != "query" {
                return Err(self.unexpected());
            }
            self.at += 1;
            if matches!(self.peek(), Tok::Name(_)) {
                self.at += 1;
            }
            if *self.peek() == Tok::Punct('(') {
                self.at += 1;
                while *self.peek() != Tok::Punct(')') {
                    self.expect('$')?;
                    let (name, _) = self.name()?;
                    self.expect(':')?;
                    self.type_ref()?;
                    let default = if *self.peek() == Tok::Punct('=') {
                        self.at += 1;
                        match self.value(true)? {
                            Input::Lit(v) => Some(v),
                            other => Some(constant(&other)),
                        }
                    } else {
                        None
                    };
                    vars.push((name, default));
                }
                self.at += 1;
            }
        }
        let selection = self.selection()?;
        if *self.peek() != Tok::End {
            return Err(self.unexpected());
        }
        Ok((selection, vars))
    }

    fn type_ref(&mut self) -> Result<(), GqlError> {
        if *self.peek() == Tok::Punct('[') {
            self.at += 1;
            self.type_ref()?;
            self.expect(']')?;
        } else {
            self.name()?;
        }
        if *self.peek() == Tok::Punct('!') {
            self.at += 1;
        }
        Ok(())
    }

    fn selection(&mut self) -> Result<Vec<Field>, GqlError> {
        self.expect('{')?;
        let mut fields = Vec::new();
        while *self.peek() != Tok::Punct('}') {
            let (first, pos) = self.name()?;
            let (alias, name, pos) = if *self.peek() == Tok::Punct(':') {
                self.at += 1;
                let (n, p) = self.name()?;
                (Some(first), n, p)
            } else {
                (None, first, pos)
            };
            let mut args = Vec::new();
            if *self.peek() == Tok::Punct('(') {
                self.at += 1;
                while *self.peek() != Tok::Punct(')') {
                    let (arg, apos) = self.name()?;
                    self.expect(':')?;
                    args.push((arg, self.value(false)?, apos));
                }
                self.at += 1;
            }
            let selection = if *self.peek() == Tok::Punct('{') {
                self.selection()?
            } else {
                Vec::new()
            };
            fields.push(Field {
                alias,
                name,
                pos,
                args,
                selection,
            });
        }
        self.at += 1;
        if fields.is_empty() {
            return Err(GqlError::at(
                self.pos(),
                "Syntax Error: Expected Name, found \"}\".",
            ));
        }
        Ok(fields)
    }

    fn value(&mut self, constant_only: bool) -> Result<Input, GqlError> {
        let (tok, pos) = self.next();
        Ok(match tok {
            Tok::Punct('$') if !constant_only => {
                let (n, _) = self.name()?;
                Input::Var(n, pos)
            }
            Tok::Int(n) => Input::Lit(json!(n)),
            Tok::Float(f) => Input::Lit(json!(f)),
            Tok::Str(s) => Input::Lit(json!(s)),
            Tok::Name(n) => Input::Lit(match n.as_str() {
                "true" => json!(true),
                "false" => json!(false),
                "null" => Value::Null,
                _ => json!(n),
            }),
            Tok::Punct('[') => {
                let mut items = Vec::new();
                while *self.peek() != Tok::Punct(']') {
                    items.push(self.value(constant_only)?);
                }
                self.at += 1;
                Input::List(items)
            }
            Tok::Punct('{') => {
                let mut fields = Vec::new();
                while *self.peek() != Tok::Punct('}') {
                    let (n, _) = self.name()?;
                    self.expect(':')?;
                    fields.push((n, self.value(constant_only)?));
                }
                self.at += 1;
                Input::Object(fields)
            }
            _ => {
                self.at -= 1;
                return Err(self.unexpected());
            }
        })
    }
}

fn constant(input: &Input) -> Value {
    match input {
        Input::Var(..) => Value::Null,
        Input::Lit(v) => v.clone(),
        Input::List(items) => Value::Array(items.iter().map(constant).collect()),
        Input::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), constant(v)))
                .collect(),
        ),
    }
}

fn resolve(input: &Input, vars: &Map<String, Value>) -> Result<Value, GqlError> {
    Ok(match input {
        Input::Var(n, pos) => vars.get(n).cloned().ok_or_else(|| {
            GqlError::at(
                *pos,
                format!("Variable '${n}' is not defined or has no value"),
            )
        })?,
        Input::Lit(v) => v.clone(),
        Input::List(items) => Value::Array(
            items
                .iter()
                .map(|i| resolve(i, vars))
                .collect::<Result<_, _>>()?,
        ),
        Input::Object(fields) => {
            let mut m = Map::new();
            for (k, v) in fields {
                m.insert(k.clone(), resolve(v, vars)?);
            }
            Value::Object(m)
        }
    })
}

/// §4: rows per page of raw data and of aggregated data.
const RAW_PAGE: usize = 250;
const AGGREGATED_PAGE: usize = 1000;
/// §4: `to − from` at most 365 days; `from` at most 36 months back.
const MAX_SPAN_MS: i64 = 365 * 86_400_000;
const MAX_LOOKBACK_MS: i64 = 36 * 30 * 86_400_000;

/// Runs a query over `tasks`. `Ok` holds the whole response body.
pub fn execute(
    query: &str,
    variables: &Map<String, Value>,
    tasks: &[SyntheticTask],
    now: i64,
) -> Result<Value, GqlError> {
    let mut parser = Parser {
        toks: lex(query)?,
        at: 0,
    };
    let (roots, declared) = parser.document()?;
    let mut vars = variables.clone();
    for (name, default) in declared {
        if !vars.contains_key(&name)
            && let Some(d) = default
        {
            vars.insert(name, d);
        }
    }
    let mut data = Map::new();
    for root in &roots {
        if root.name != "taskDetails" && root.name != "task" {
            return Err(GqlError::at(
                root.pos,
                format!(
                    "Validation error: Field '{}' in type 'Query' is undefined (the emulator serves taskDetails and task)",
                    root.name
                ),
            ));
        }
        data.insert(
            root.key().to_string(),
            task_details(root, &vars, tasks, now)?,
        );
    }
    Ok(json!({ "data": data }))
}

fn arg<'a>(field: &'a Field, name: &str) -> Option<&'a (String, Input, Pos)> {
    field.args.iter().find(|(n, _, _)| n == name)
}

fn long_arg(field: &Field, name: &str, vars: &Map<String, Value>) -> Result<i64, GqlError> {
    let (_, input, pos) = arg(field, name).ok_or_else(|| {
        GqlError::at(
            field.pos,
            format!(
                "Validation error: Missing field argument '{name}' of '{}'",
                field.name
            ),
        )
    })?;
    resolve(input, vars)?.as_i64().ok_or_else(|| {
        GqlError::at(
            *pos,
            format!("Validation error: argument '{name}' must be a Long (epoch milliseconds)"),
        )
    })
}

fn task_details(
    root: &Field,
    vars: &Map<String, Value>,
    tasks: &[SyntheticTask],
    now: i64,
) -> Result<Value, GqlError> {
    const KNOWN_ARGS: &[&str] = &[
        "from",
        "to",
        "timeComparator",
        "filter",
        "extFilter",
        "aggregations",
        "aggregation",
        "aggregationInterval",
        "pagination",
    ];
    if let Some((n, _, p)) = root
        .args
        .iter()
        .find(|(n, _, _)| !KNOWN_ARGS.contains(&n.as_str()))
    {
        return Err(GqlError::at(
            *p,
            format!(
                "Validation error: Unknown argument '{n}' on field '{}'",
                root.name
            ),
        ));
    }
    let from = long_arg(root, "from", vars)?;
    let to = long_arg(root, "to", vars)?.min(now);
    if to <= from {
        return Err(GqlError::at(root.pos, "'to' must be after 'from'"));
    }
    if to - from > MAX_SPAN_MS {
        return Err(GqlError::at(
            root.pos,
            "the range between 'from' and 'to' must not exceed 365 days",
        ));
    }
    if from < now - MAX_LOOKBACK_MS {
        return Err(GqlError::at(
            root.pos,
            "'from' must not be more than 36 months in the past",
        ));
    }
    let by_ended = match arg(root, "timeComparator") {
        Some((_, i, p)) => match resolve(i, vars)?.as_str() {
            Some("createdTime") => false,
            Some("endedTime") => true,
            _ => {
                return Err(GqlError::at(
                    *p,
                    "timeComparator must be createdTime or endedTime",
                ));
            }
        },
        None => false,
    };
    let filter = match arg(root, "filter") {
        Some((_, i, _)) => Some(resolve(i, vars)?),
        None => None,
    };
    let aggregations = match arg(root, "aggregations").or_else(|| arg(root, "aggregation")) {
        Some((_, i, p)) => aggregation_specs(resolve(i, vars)?, *p)?,
        None => Vec::new(),
    };
    let cursor = match arg(root, "pagination") {
        Some((_, i, p)) => match resolve(i, vars)?.get("cursor") {
            None | Some(Value::Null) => 0,
            Some(Value::String(s)) if s == "NA" || s == "0" || s.is_empty() => 0,
            Some(Value::String(s)) => s
                .parse::<usize>()
                .map_err(|_| GqlError::at(*p, format!("invalid cursor \"{s}\"")))?,
            Some(_) => return Err(GqlError::at(*p, "cursor must be a String")),
        },
        None => 0,
    };
    let records: Vec<Value> = tasks
        .iter()
        .filter(|t| {
            let time = if by_ended {
                t.ended_time()
            } else {
                t.created_time
            };
            time >= from && time < to && t.created_time <= now
        })
        .map(|t| record(t, now))
        .filter(|r| filter.as_ref().is_none_or(|f| matches_filter(r, f)))
        .collect();
    let list_field = root.selection.iter().find(|f| f.name == "tasks");
    let rows: Vec<Value> = match list_field {
        Some(list) if !aggregations.is_empty() => aggregate(&records, list, &aggregations)?,
        Some(list) => {
            let template = record_template();
            for f in &list.selection {
                check_field(&template, f, "Task")?;
            }
            records
                .iter()
                .map(|r| project(r, &list.selection))
                .collect()
        }
        None => Vec::new(),
    };
    let size = if aggregations.is_empty() {
        RAW_PAGE
    } else {
        AGGREGATED_PAGE
    };
    let page: Vec<Value> = rows
        .iter()
        .skip(cursor * size)
        .take(size)
        .cloned()
        .collect();
    let more = rows.len() > (cursor + 1) * size;
    let mut out = Map::new();
    for f in &root.selection {
        match f.name.as_str() {
            "tasks" => {
                out.insert(f.key().to_string(), Value::Array(page.clone()));
            }
            "pageInfo" => {
                let info = json!({
                    "hasNextPage": more,
                    "endCursor": if more { json!((cursor + 1).to_string()) } else { Value::Null },
                });
                out.insert(f.key().to_string(), project(&info, &f.selection));
            }
            other => {
                return Err(GqlError::at(
                    f.pos,
                    format!(
                        "Validation error: Field '{other}' in type 'TaskDetailsList' is undefined"
                    ),
                ));
            }
        }
    }
    Ok(Value::Object(out))
}

/// The CSR fields the emulator knows for a task (docs/data-notes.md §4 field inventory).
fn record(t: &SyntheticTask, now: i64) -> Value {
    let ended = t.last_updated_time() <= now;
    json!({
        "id": t.id,
        "status": if ended { "ended" } else { "connected" },
        "channelType": t.channel_type,
        "createdTime": t.created_time,
        "endedTime": if ended { json!(t.ended_time()) } else { Value::Null },
        "origin": t.origin,
        "destination": t.destination,
        "direction": "INBOUND",
        "terminationType": if t.abandoned() { "abandoned" } else { "normal" },
        "isActive": !ended,
        "isCallback": false,
        "isOutdial": false,
        "captureRequested": t.capture_requested,
        "customer": {"name": null, "phoneNumber": t.origin, "email": null},
        "lastQueue": {"id": t.queue_id, "name": t.queue_name, "duration": t.queued_ms},
        "lastSite": {"id": t.site_id, "name": t.site_name},
        "lastTeam": {"id": t.team_id, "name": t.team_name},
        "lastEntryPoint": {"id": t.entry_point_id, "name": t.entry_point_name},
        "lastAgent": {"id": t.agent_id, "name": t.agent_name},
        "totalDuration": t.last_updated_time() - t.created_time,
        "connectedDuration": t.connected_ms,
        "holdDuration": t.hold_ms,
        "queueDuration": t.queued_ms,
        "wrapupDuration": t.wrapup_ms,
        "queueCount": 1,
        "holdCount": if t.hold_ms > 0 { 1 } else { 0 },
        "transferCount": 0,
        "consultCount": 0,
        "conferenceCount": 0,
    })
}

fn record_template() -> Value {
    let t = SyntheticTask {
        id: String::new(),
        created_time: 0,
        queued_ms: 0,
        connected_ms: 0,
        hold_ms: 0,
        wrapup_ms: 0,
        channel_type: String::new(),
        queue_id: String::new(),
        queue_name: String::new(),
        entry_point_id: String::new(),
        entry_point_name: String::new(),
        agent_id: String::new(),
        agent_name: String::new(),
        team_id: String::new(),
        team_name: String::new(),
        site_id: String::new(),
        site_name: String::new(),
        origin: String::new(),
        destination: String::new(),
        capture_requested: false,
    };
    record(&t, 1)
}

fn check_field(template: &Value, field: &Field, type_name: &str) -> Result<(), GqlError> {
    if field.name == "__typename" {
        return Ok(());
    }
    let Some(sub) = template.get(&field.name) else {
        return Err(GqlError::at(
            field.pos,
            format!(
                "Validation error: Field '{}' in type '{type_name}' is undefined",
                field.name
            ),
        ));
    };
    for f in &field.selection {
        check_field(sub, f, &field.name)?;
    }
    Ok(())
}

/// A copy of a selected field without its arguments.
fn shallow(f: &Field) -> Field {
    Field {
        alias: f.alias.clone(),
        name: f.name.clone(),
        pos: f.pos,
        args: Vec::new(),
        selection: f.selection.iter().map(shallow).collect(),
    }
}

fn project(record: &Value, selection: &[Field]) -> Value {
    if selection.is_empty() {
        return record.clone();
    }
    let mut out = Map::new();
    for f in selection {
        let v = record.get(&f.name).cloned().unwrap_or(Value::Null);
        let v = if f.selection.is_empty() || v.is_null() {
            v
        } else {
            project(&v, &f.selection)
        };
        out.insert(f.key().to_string(), v);
    }
    Value::Object(out)
}

/// A value at a dotted path (`lastQueue.name`).
fn at_path<'a>(record: &'a Value, path: &str) -> Option<&'a Value> {
    path.split('.').try_fold(record, |v, k| v.get(k))
}

fn matches_filter(record: &Value, filter: &Value) -> bool {
    let Some(obj) = filter.as_object() else {
        return true;
    };
    obj.iter().all(|(k, v)| match k.as_str() {
        "and" => v
            .as_array()
            .is_none_or(|a| a.iter().all(|f| matches_filter(record, f))),
        "or" => v
            .as_array()
            .is_none_or(|a| a.iter().any(|f| matches_filter(record, f))),
        field => {
            let value = record.get(field).unwrap_or(&Value::Null);
            match v.as_object() {
                Some(ops) if ops.keys().all(|o| is_op(o)) => {
                    ops.iter().all(|(op, operand)| compare(value, op, operand))
                }
                Some(_) => matches_filter(value, v),
                None => false,
            }
        }
    })
}

fn is_op(name: &str) -> bool {
    matches!(
        name,
        "equals" | "notequals" | "match" | "contains" | "gt" | "gte" | "lt" | "lte"
    )
}

fn compare(value: &Value, op: &str, operand: &Value) -> bool {
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let equal = match (value.as_f64(), operand.as_f64()) {
        (Some(a), Some(b)) => a == b,
        _ => text(value).eq_ignore_ascii_case(&text(operand)),
    };
    match op {
        "equals" => equal,
        "notequals" => !equal,
        "contains" => text(value)
            .to_lowercase()
            .contains(&text(operand).to_lowercase()),
        "match" => glob(&text(value).to_lowercase(), &text(operand).to_lowercase()),
        _ => match (value.as_f64(), operand.as_f64()) {
            (Some(a), Some(b)) => match op {
                "gt" => a > b,
                "gte" => a >= b,
                "lt" => a < b,
                _ => a <= b,
            },
            _ => false,
        },
    }
}

/// `match`: `*` any run, `?` one character, everything else literal.
fn glob(text: &str, pattern: &str) -> bool {
    let (t, p): (Vec<char>, Vec<char>) = (text.chars().collect(), pattern.chars().collect());
    let (mut ti, mut pi, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            ti += 1;
            pi += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

struct Aggregation {
    field: String,
    kind: String,
    name: String,
}

fn aggregation_specs(value: Value, pos: Pos) -> Result<Vec<Aggregation>, GqlError> {
    // The legacy form wraps the list: `aggregation: { aggr: [...] }`; a single object is
    // also accepted (§4).
    let list = match value {
        Value::Array(items) => items,
        Value::Object(mut m) if m.contains_key("aggr") => match m.remove("aggr") {
            Some(Value::Array(items)) => items,
            Some(other) => vec![other],
            None => Vec::new(),
        },
        other => vec![other],
    };
    list.into_iter()
        .map(|a| {
            let get = |k: &str| a.get(k).and_then(Value::as_str).map(str::to_string);
            let kind = get("type").unwrap_or_default();
            if !["count", "min", "max", "sum", "average", "cardinality"].contains(&kind.as_str()) {
                return Err(GqlError::at(pos, format!("aggregation type '{kind}' is not one of count, min, max, sum, average, cardinality")));
            }
            let field = get("field").ok_or_else(|| GqlError::at(pos, "an aggregation needs a field"))?;
            Ok(Aggregation {
                name: get("name").unwrap_or_else(|| field.clone()),
                field,
                kind,
            })
        })
        .collect()
}

/// Groups by the scalar fields selected beside `aggregation`, one row per group.
fn aggregate(
    records: &[Value],
    list: &Field,
    specs: &[Aggregation],
) -> Result<Vec<Value>, GqlError> {
    let template = record_template();
    let mut group_fields = Vec::new();
    for f in &list.selection {
        if f.name == "aggregation" {
            continue;
        }
        check_field(&template, f, "Task")?;
        group_fields.push(f);
    }
    let mut groups: BTreeMap<String, (Value, Vec<&Value>)> = BTreeMap::new();
    for r in records {
        let key_value = if group_fields.is_empty() {
            json!({})
        } else {
            let selection: Vec<Field> = group_fields
                .iter()
                .map(|f| Field {
                    alias: f.alias.clone(),
                    name: f.name.clone(),
                    pos: f.pos,
                    args: Vec::new(),
                    selection: f.selection.iter().map(shallow).collect(),
                })
                .collect();
            project(r, &selection)
        };
        let key = key_value.to_string();
        groups
            .entry(key)
            .or_insert_with(|| (key_value, Vec::new()))
            .1
            .push(r);
    }
    if groups.is_empty() && group_fields.is_empty() {
        groups.insert(String::new(), (json!({}), Vec::new()));
    }
    Ok(groups
        .into_values()
        .map(|(key, members)| {
            let values: Vec<Value> = specs
                .iter()
                .map(|s| {
                    let vals: Vec<&Value> = members
                        .iter()
                        .filter_map(|r| at_path(r, &s.field))
                        .filter(|v| !v.is_null())
                        .collect();
                    let nums: Vec<f64> = vals.iter().filter_map(|v| v.as_f64()).collect();
                    let value = match s.kind.as_str() {
                        "count" => Some(vals.len() as f64),
                        "cardinality" => Some(
                            vals.iter()
                                .map(|v| v.to_string())
                                .collect::<std::collections::HashSet<_>>()
                                .len() as f64,
                        ),
                        "sum" => Some(nums.iter().sum()),
                        "min" => nums.iter().copied().reduce(f64::min),
                        "max" => nums.iter().copied().reduce(f64::max),
                        _ => {
                            (!nums.is_empty()).then(|| nums.iter().sum::<f64>() / nums.len() as f64)
                        }
                    };
                    json!({"name": s.name, "value": value})
                })
                .collect();
            let mut row = key.as_object().cloned().unwrap_or_default();
            if let Some(agg) = list.selection.iter().find(|f| f.name == "aggregation") {
                let projected: Vec<Value> =
                    values.iter().map(|v| project(v, &agg.selection)).collect();
                row.insert(agg.key().to_string(), Value::Array(projected));
            }
            Value::Object(row)
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_errors_have_locations() {
        let e = execute("{\n  taskDetails(from: 1 to: 2 {\n", &Map::new(), &[], 10).unwrap_err();
        assert_eq!(
            e.pos,
            Some(Pos {
                line: 2,
                column: 29
            })
        );
        assert!(e.message.starts_with("Syntax Error"), "{}", e.message);
    }

    #[test]
    fn glob_matches() {
        assert!(glob("+12344565678", "+1234*"));
        assert!(glob("abc", "a?c"));
        assert!(!glob("abc", "a?d"));
    }
}
