//! Differential testing over random mutations of the repository's example configs: a
//! copy of `examples/contact-center` or `examples/acme` has one object changed (a scalar
//! set to another value of its field or to an ill-formed one, a field dropped, a reference
//! pointed at another object, an object duplicated, an object renamed) and goes through
//! `wxcc apply` against the emulator. Every case must end one of two ways:
//! - the client accepts it and the emulator applies it; or
//! - the client refuses it before any write, and the emulator refuses the same write when
//!   it is sent to it directly (on an org holding the unchanged example).
//!
//! The seed is fixed; `WXCC_DIFFERENTIAL_CASES` sets the number of cases (see
//! docs/testing.md). Cross-object rules (a user's teams at the user's site, capacity teams,
//! skill values by type, renames of referenced objects) are reached because the mutations
//! act on whole configs whose objects point at each other.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::{Value, json};
use wxcc::catalogue::{Kind, Reference};

use crate::differential::run_cases;
use crate::harness::Env;

/// What is done to the chosen object.
#[derive(Clone, Debug)]
enum Op {
    /// A scalar field gets another value of its field, or an ill-formed one.
    Set(Index, Index),
    /// A field (other than the key) is left out.
    Drop(Index),
    /// A reference points at another object of the right kind (or at none).
    Repoint(Index, Index),
    /// The object is declared twice.
    Duplicate,
    /// An entry of one of the object's lists is repeated.
    DuplicateEntry(Index),
    /// The object is renamed (`x-wxcc: {formerNames}`), its referrers following, on an org
    /// that holds the unchanged example.
    Rename,
}

#[derive(Clone, Debug)]
struct Mutation {
    example: &'static str,
    object: Index,
    op: Op,
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let op = prop_oneof![
        3 => (any::<Index>(), any::<Index>()).prop_map(|(f, v)| Op::Set(f, v)),
        1 => any::<Index>().prop_map(Op::Drop),
        3 => (any::<Index>(), any::<Index>()).prop_map(|(f, t)| Op::Repoint(f, t)),
        1 => Just(Op::Duplicate),
        1 => any::<Index>().prop_map(Op::DuplicateEntry),
        1 => Just(Op::Rename),
    ];
    (select(vec!["contact-center", "acme"]), any::<Index>(), op).prop_map(
        |(example, object, op)| Mutation {
            example,
            object,
            op,
        },
    )
}

/// The copied example: each YAML file parsed (`kind → [objects]`).
struct Example {
    files: Vec<(PathBuf, Value)>,
}

impl Example {
    fn read(dir: &Path) -> Example {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("read the copied example")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
            .collect();
        paths.sort();
        let files = paths
            .into_iter()
            .map(|p| {
                let text = std::fs::read_to_string(&p).expect("read a copied file");
                let value: Value = serde_saphyr::from_str(&text).expect("parse a copied file");
                (p, value)
            })
            .collect();
        Example { files }
    }

    /// Writes every file back (JSON is YAML).
    fn write(&self) {
        for (path, value) in &self.files {
            std::fs::write(path, value.to_string()).expect("write a mutated file");
        }
    }

    /// Every declared object that a mutation may touch: (file, kind, index).
    fn targets(&self) -> Vec<(usize, String, usize)> {
        let mut out = Vec::new();
        for (f, (_, value)) in self.files.iter().enumerate() {
            let Some(map) = value.as_object() else {
                continue;
            };
            for (kind, list) in map {
                let Some(k) = Kind::named(kind) else { continue };
                if k.upload.is_some() {
                    continue;
                }
                for i in 0..list.as_array().map_or(0, Vec::len) {
                    out.push((f, kind.clone(), i));
                }
            }
        }
        out
    }

    fn objects_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Value> + 'a {
        self.files
            .iter()
            .filter_map(move |(_, v)| v.get(kind).and_then(Value::as_array))
            .flatten()
    }

    fn object_mut(&mut self, file: usize, kind: &str, index: usize) -> &mut Value {
        &mut self.files[file].1[kind][index]
    }
}

/// A top-level reference of a kind: (field without `[]`, target, is a list).
fn top_references(kind: &Kind) -> Vec<(&'static str, &'static str, bool)> {
    kind.references
        .iter()
        .filter(|r| !r.field.contains('.') && !r.field.contains("[]."))
        .map(|r| match r.field.strip_suffix("[]") {
            Some(f) => (f, r.target, true),
            None => (r.field, r.target, false),
        })
        .collect()
}

/// The last field name of each reference path of a kind (`teamIds[]` → `teamIds`).
fn reference_leaves(kind: &Kind) -> Vec<&'static str> {
    kind.references.iter().map(leaf).collect()
}

fn leaf(reference: &Reference) -> &'static str {
    let last = reference
        .field
        .rsplit('.')
        .next()
        .unwrap_or(reference.field);
    last.trim_end_matches("[]")
}

/// One step into a value: a field or a list entry.
#[derive(Clone, Debug)]
enum Step {
    Field(String),
    Entry(usize),
}

/// Every path to a scalar that is not a reference, the key or an `x-wxcc` annotation.
fn scalar_paths(
    value: &Value,
    path: &mut Vec<Step>,
    leaves: &[&str],
    key: &str,
    out: &mut Vec<Vec<Step>>,
) {
    match value {
        Value::Object(map) => {
            for (field, v) in map {
                let top_key = path.is_empty() && field == key;
                if top_key || field == "x-wxcc" || leaves.contains(&field.as_str()) {
                    continue;
                }
                path.push(Step::Field(field.clone()));
                scalar_paths(v, path, leaves, key, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                path.push(Step::Entry(i));
                scalar_paths(v, path, leaves, key, out);
                path.pop();
            }
        }
        Value::Null => {}
        _ => out.push(path.clone()),
    }
}

fn at<'a>(value: &'a Value, path: &[Step]) -> Option<&'a Value> {
    path.iter().try_fold(value, |v, step| match step {
        Step::Field(f) => v.get(f),
        Step::Entry(i) => v.get(i),
    })
}

fn at_mut<'a>(value: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(value, |v, step| match step {
        Step::Field(f) => v.get_mut(f),
        Step::Entry(i) => v.get_mut(i),
    })
}

/// Repeats entry `entry` of the list `field` (in place, right after itself).
fn duplicate_entry(object: &mut Value, field: &str, entry: usize) {
    if let Some(list) = object.get_mut(field).and_then(Value::as_array_mut)
        && let Some(item) = list.get(entry).cloned()
    {
        list.insert(entry + 1, item);
    }
}

/// Ill-formed or out-of-range stand-ins for a scalar.
fn odd_values(current: &Value) -> Vec<Value> {
    match current {
        Value::Bool(b) => vec![json!(!b), json!("yes")],
        Value::Number(_) => vec![
            json!(0),
            json!(-1),
            json!(2147483648u64),
            json!(1.5),
            json!("twelve"),
        ],
        _ => vec![
            json!(""),
            json!("x".repeat(300)),
            json!("25:00"),
            json!("Not A Value"),
            json!(12),
        ],
    }
}

/// The concrete change, kept to replay it as a direct write.
#[derive(Debug)]
enum Change {
    Set {
        path: Vec<Step>,
        value: Value,
    },
    DuplicateEntry {
        field: String,
        entry: usize,
    },
    Drop {
        field: String,
    },
    Repoint {
        field: String,
        target: &'static str,
        value: Value,
    },
    Duplicate,
    Rename {
        to: String,
    },
}

struct Applied {
    kind: &'static Kind,
    key: String,
    change: Change,
}

/// Applies the mutation to the example in memory; `None` when it does not fit the chosen
/// object (the case then passes trivially).
fn mutate(example: &mut Example, env: &Env, m: &Mutation) -> Option<Applied> {
    let targets = example.targets();
    if targets.is_empty() {
        return None;
    }
    let (file, kind_name, index) = m.object.get(&targets).clone();
    let kind = Kind::named(&kind_name)?;
    let object = example.files[file].1[&kind_name][index].clone();
    let key = object.get(kind.key)?.as_str()?.to_string();
    let refs = top_references(kind);
    let change = match &m.op {
        Op::Set(f, v) => {
            let leaves = reference_leaves(kind);
            let mut paths = Vec::new();
            scalar_paths(&object, &mut Vec::new(), &leaves, kind.key, &mut paths);
            if paths.is_empty() {
                return None;
            }
            let path = f.get(&paths).clone();
            let current = at(&object, &path)?.clone();
            let mut values: Vec<Value> = example
                .objects_of(&kind_name)
                .filter_map(|o| at(o, &path))
                .filter(|v| **v != current)
                .cloned()
                .collect();
            values.dedup();
            values.extend(odd_values(&current));
            Change::Set {
                path,
                value: v.get(&values).clone(),
            }
        }
        Op::Drop(f) => {
            let fields: Vec<&String> = object
                .as_object()?
                .keys()
                .filter(|name| name.as_str() != kind.key && name.as_str() != "x-wxcc")
                .collect();
            if fields.is_empty() {
                return None;
            }
            Change::Drop {
                field: f.get(&fields).to_string(),
            }
        }
        Op::Repoint(f, t) => {
            if refs.is_empty() {
                return None;
            }
            let (field, target, list) = *f.get(&refs);
            let target_kind = Kind::named(target)?;
            let mut names: Vec<String> = example
                .objects_of(target)
                .filter_map(|o| o.get(target_kind.key)?.as_str().map(str::to_string))
                .chain(
                    env.live(target)
                        .iter()
                        .filter_map(|o| o.get(target_kind.key)?.as_str().map(str::to_string)),
                )
                .collect();
            names.sort();
            names.dedup();
            names.push("Nowhere".to_string());
            let name = t.get(&names).clone();
            let value = match (list, object.get(field)) {
                (true, Some(Value::Array(items))) if !items.is_empty() => {
                    let mut items = items.clone();
                    let at = t.index(items.len());
                    items[at] = json!(name);
                    Value::Array(items)
                }
                (true, _) => json!([name]),
                (false, _) => json!(name),
            };
            Change::Repoint {
                field: field.to_string(),
                target,
                value,
            }
        }
        Op::Duplicate => Change::Duplicate,
        Op::DuplicateEntry(f) => {
            let lists: Vec<&String> = object
                .as_object()?
                .iter()
                .filter(|(_, v)| v.as_array().is_some_and(|a| !a.is_empty()))
                .map(|(name, _)| name)
                .collect();
            if lists.is_empty() {
                return None;
            }
            let field = f.get(&lists).to_string();
            let entry = f.index(object[&field].as_array().map_or(1, Vec::len));
            Change::DuplicateEntry { field, entry }
        }
        Op::Rename => {
            if kind.key != "name" || !kind.creatable {
                return None;
            }
            Change::Rename {
                to: format!("{key} Renamed"),
            }
        }
    };
    match &change {
        Change::Set { path, value } => {
            if let Some(slot) = at_mut(example.object_mut(file, &kind_name, index), path) {
                *slot = value.clone();
            }
        }
        Change::Repoint { field, value, .. } => {
            example.object_mut(file, &kind_name, index)[field] = value.clone();
        }
        Change::DuplicateEntry { field, entry } => {
            duplicate_entry(example.object_mut(file, &kind_name, index), field, *entry);
        }
        Change::Drop { field } => {
            if let Some(map) = example.object_mut(file, &kind_name, index).as_object_mut() {
                map.remove(field);
            }
        }
        Change::Duplicate => {
            if let Some(list) = example.files[file].1[&kind_name].as_array_mut() {
                list.push(object.clone());
            }
        }
        Change::Rename { to } => {
            let renamed = example.object_mut(file, &kind_name, index);
            renamed["name"] = json!(to);
            renamed["x-wxcc"] = json!({"formerNames": [key]});
            follow_rename(example, &kind_name, &key, to);
        }
    }
    Some(Applied { kind, key, change })
}

/// Points every reference at `kind` named `from` at `to` instead, as a user renaming the
/// object would.
fn follow_rename(example: &mut Example, kind: &str, from: &str, to: &str) {
    for (_, file) in &mut example.files {
        let Some(map) = file.as_object_mut() else {
            continue;
        };
        for (referrer, list) in map.iter_mut() {
            let Some(k) = Kind::named(referrer) else {
                continue;
            };
            let leaves: Vec<&str> = k
                .references
                .iter()
                .filter(|r| r.target == kind)
                .map(leaf)
                .collect();
            if !leaves.is_empty() {
                rename_in(list, &leaves, from, to);
            }
        }
    }
}

fn rename_in(value: &mut Value, leaves: &[&str], from: &str, to: &str) {
    match value {
        Value::Array(items) => items
            .iter_mut()
            .for_each(|v| rename_in(v, leaves, from, to)),
        Value::Object(map) => {
            for (field, v) in map.iter_mut() {
                if leaves.contains(&field.as_str()) {
                    match v {
                        Value::String(s) if s == from => *v = json!(to),
                        Value::Array(items) => items.iter_mut().for_each(|item| {
                            if item.as_str() == Some(from) {
                                *item = json!(to);
                            }
                        }),
                        _ => {}
                    }
                } else {
                    rename_in(v, leaves, from, to);
                }
            }
        }
        _ => {}
    }
}

/// The live id of the object of `kind` keyed `name`, if there is one.
fn live_id(env: &Env, kind: &str, name: &str) -> Option<Value> {
    let key = Kind::named(kind).map_or("name", |k| k.key);
    env.live(kind)
        .into_iter()
        .find(|o| o.get(key).and_then(Value::as_str) == Some(name))
        .and_then(|o| o.get("id").cloned())
}

/// Sends the write the mutation stands for straight to the emulator, on an org holding
/// the unchanged example; returns its status and answer.
/// `fresh` is the object as the fresh org held it before the unchanged example was
/// applied: a field the config leaves out keeps that value (the client does not clear it).
fn direct_write(
    env: &Env,
    applied: &Applied,
    fresh: Option<&Value>,
) -> Result<(u16, Value), String> {
    let kind = applied.kind;
    let live = env
        .live(kind.name)
        .into_iter()
        .find(|o| o.get(kind.key).and_then(Value::as_str) == Some(&applied.key))
        .ok_or_else(|| format!("no live {} `{}` after the baseline", kind.name, applied.key))?;
    let id = live["id"].as_str().unwrap_or_default().to_string();
    let item = env.org_path(&format!("{}/{id}", kind.item_path));
    let mut body = live.clone();
    match &applied.change {
        Change::Set { path, value } => match at_mut(&mut body, path) {
            Some(slot) => *slot = value.clone(),
            None => return Err(format!("live {} has no {path:?}", kind.name)),
        },
        Change::DuplicateEntry { field, entry } => duplicate_entry(&mut body, field, *entry),
        Change::Drop { field } => match fresh.and_then(|f| f.get(field)) {
            Some(kept) => body[field] = kept.clone(),
            None => {
                if let Some(map) = body.as_object_mut() {
                    map.remove(field);
                }
            }
        },
        Change::Repoint {
            field,
            target,
            value,
        } => {
            let resolve = |name: &Value| {
                name.as_str()
                    .and_then(|n| live_id(env, target, n))
                    .unwrap_or_else(|| json!(uuid::Uuid::new_v4().to_string()))
            };
            body[field] = match value {
                Value::Array(items) => Value::Array(items.iter().map(resolve).collect()),
                one => resolve(one),
            };
        }
        Change::Duplicate => {
            if let Some(map) = body.as_object_mut() {
                map.remove("id");
            }
            return Ok(env.api("POST", &env.org_path(kind.item_path), Some(body)));
        }
        Change::Rename { to } => body["name"] = json!(to),
    }
    Ok(env.api("PUT", &item, Some(body)))
}

/// Runs one case; `Err` describes a disagreement.
fn check(m: &Mutation) -> Result<(), String> {
    let env = Env::new();
    let dir = env.copy_example(m.example);
    let original = Example::read(&dir);
    let mut example = Example::read(&dir);
    let Some(applied) = mutate(&mut example, &env, m) else {
        return Ok(());
    };
    let renaming = matches!(applied.change, Change::Rename { .. });
    if renaming {
        // A rename acts on live objects: the unchanged example is applied first.
        env.wxcc(&["apply", m.example, "--auto-approve"]).expect(0);
    }
    example.write();
    let fresh = env
        .live(applied.kind.name)
        .into_iter()
        .find(|o| o.get(applied.kind.key).and_then(Value::as_str) == Some(&applied.key));
    let before = env.writes();
    let run = env.wxcc(&["apply", m.example, "--auto-approve"]);
    let what = format!(
        "{} `{}` of {}: {:?}",
        applied.kind.name, applied.key, m.example, applied.change
    );
    if run.code == 0 {
        eprintln!("accepted by both: {what}");
        return Ok(());
    }
    let client_refused = run.code == 1 && run.stderr.contains("nothing was sent to the tenant");
    if !client_refused {
        return Err(format!(
            "the client accepted {what} but the emulator refused it:\n{}{}",
            run.stdout, run.stderr
        ));
    }
    if env.writes() != before {
        return Err(format!("{what} was refused with writes: {}", run.stderr));
    }
    if !renaming {
        original.write();
        let baseline = env.wxcc(&["apply", m.example, "--auto-approve"]);
        if baseline.code != 0 {
            return Err(format!(
                "the unchanged example {} does not apply: {}",
                m.example, baseline.stderr
            ));
        }
    }
    let (status, answer) = direct_write(&env, &applied, fresh.as_ref())?;
    if status < 400 {
        return Err(format!(
            "the client refused {what} but the emulator accepted it ({status} {answer}); the client said:\n{}",
            run.stderr
        ));
    }
    eprintln!("refused by both ({status}): {what}");
    Ok(())
}

#[test]
fn mutated_examples_are_refused_by_the_client_exactly_when_the_emulator_refuses_them() {
    // Shrinking an index into the example does not make a case simpler to read, and each
    // step is a whole apply: the first failure is reported as found.
    run_cases(&mutation(), 0, check);
}
