//! `--target KIND[/KEY]` and `--exclude KIND[/KEY]` on plan and apply: keep only the
//! changes a target names and drop those an exclude names. The plan is built from the whole
//! config first, so a kept change's references to objects outside the scope resolve
//! against live; a kept change that needs an object only a dropped change would create is
//! refused at its field, and a kept delete of an object that a dropped change must first
//! let go of (an update, or the delete of what points at it) is refused naming that change.
//! An unknown kind is a usage error before anything is sent; a key
//! that names nothing in the config or the tenant is an error once live state is read.

use std::collections::HashSet;

use crate::catalogue::{Kind, kind_names};
use crate::config::did_you_mean;
use crate::error::Error;
use crate::model::{Desired, Diagnostic, KeyIndex, Live, printable, reference_values};
use crate::plan::order::{Object, holds_deleted, object};
use crate::plan::{Action, Change, Plan};
use serde_json::Value;

/// One `KIND` or `KIND/KEY` as given to `--target` or `--exclude`.
#[derive(Clone, Debug)]
pub(crate) struct Selector {
    flag: &'static str,
    kind: &'static Kind,
    key: Option<String>,
}

/// The scope of a run: what `--target` keeps and `--exclude` drops.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    targets: Vec<Selector>,
    excludes: Vec<Selector>,
}

impl Scope {
    /// Parses the flags; an unknown kind or an empty key is a usage error.
    pub(crate) fn parse(targets: &[String], excludes: &[String]) -> Result<Scope, Error> {
        let parse_all = |flag: &'static str, values: &[String]| {
            values
                .iter()
                .map(|v| Selector::parse(flag, v))
                .collect::<Result<Vec<_>, Error>>()
        };
        Ok(Scope {
            targets: parse_all("--target", targets)?,
            excludes: parse_all("--exclude", excludes)?,
        })
    }

    pub(crate) fn is_everything(&self) -> bool {
        self.targets.is_empty() && self.excludes.is_empty()
    }

    /// Whether a change of `kind`/`key` is in scope.
    fn keeps(&self, kind: &Kind, key: &str) -> bool {
        (self.targets.is_empty() || self.targets.iter().any(|s| s.matches(kind, key)))
            && !self.excludes.iter().any(|s| s.matches(kind, key))
    }

    /// Selectors whose key names no object of its kind in the config or the tenant.
    pub(crate) fn unknown_keys(&self, desired: &Desired, live: &Live) -> Result<(), Error> {
        for s in self.targets.iter().chain(&self.excludes) {
            let Some(key) = &s.key else { continue };
            let mut known: Vec<&str> = desired
                .of_kind(s.kind.name)
                .map(|o| o.key.as_str())
                .collect();
            known.extend(
                live.of_kind(s.kind.name)
                    .iter()
                    .filter_map(|o| o.key.as_deref()),
            );
            if known.iter().any(|k| s.matches(s.kind, k)) {
                continue;
            }
            let hint = did_you_mean(key, known.iter().copied())
                .map(|k| format!("; did you mean `{}/{k}`?", s.kind.name))
                .unwrap_or_default();
            return Err(Error::Usage(format!(
                "{} {}/{key}: no {} `{key}` in the config or the tenant{hint}",
                s.flag, s.kind.name, s.kind.name
            )));
        }
        Ok(())
    }

    /// The plan cut to the scope, and an error for each kept change whose reference names
    /// an object that is neither live nor created by a kept change.
    pub(crate) fn restrict(
        &self,
        plan: Plan,
        desired: &Desired,
        live: &Live,
    ) -> (Plan, Vec<Diagnostic>) {
        // What each change's live state points at among the deletes, from the whole plan:
        // a kept delete cannot go while a dropped change still has to let go of it.
        let holds = holds_deleted(&plan.changes);
        let mut changes: Vec<Change> = Vec::new();
        let mut dropped: Vec<(Object, HashSet<Object>)> = Vec::new();
        for (c, held) in plan.changes.into_iter().zip(holds) {
            if self.keeps(c.kind, &c.key) {
                changes.push(c);
            } else if !held.is_empty() {
                dropped.push((object(&c), held));
            }
        }
        let mut diags = Vec::new();
        for d in changes.iter().filter(|c| c.action == Action::Delete) {
            let me = object(d);
            for ((kind, key), _) in dropped.iter().filter(|(_, held)| held.contains(&me)) {
                diags.push(
                    Diagnostic::general(format!(
                        "{} `{}` would be deleted, but {kind} `{}` still points at it, and the change that lets go of it is outside the scope; the API would refuse the delete (412)",
                        d.kind.name,
                        printable(&d.key),
                        printable(key)
                    ))
                    .with_help(format!(
                        "add `--target {kind}/{}` (or drop the --exclude naming it), so that it goes first",
                        printable(key)
                    )),
                );
            }
        }
        let index = KeyIndex::from_live(live);
        let created = |kind: &str, key: &str| {
            changes.iter().any(|c| {
                c.action == Action::Create
                    && c.kind.name == kind
                    && (c.key == key || c.kind.split_scoped(&c.key).is_some_and(|(_, k)| k == key))
            })
        };
        for c in changes.iter().filter(|c| c.action != Action::Delete) {
            let body = Value::Object(c.fields.clone());
            for (pointer, reference, key) in reference_values(c.kind, &body) {
                // A reference into a keyed list (`Tier/Gold`) needs its owner (`Tier`).
                let owner = match reference.within {
                    Some(_) => key.split('/').next().unwrap_or(key),
                    None => key,
                };
                if index.id_of(&reference.index_name(), key).is_some()
                    || created(reference.target, owner)
                {
                    continue;
                }
                let Some(object) = desired.find(c.kind.name, &c.key) else {
                    continue;
                };
                diags.push(
                    Diagnostic::error(
                        format!(
                            "{} `{}` is in scope, but the {} `{key}` it names is outside the scope and not in the tenant yet",
                            c.kind.name, c.key, reference.target
                        ),
                        object.value_span(&pointer),
                        "outside --target/--exclude and not live",
                    )
                    .with_help(format!(
                        "add `--target {}/{key}` (or drop the --exclude naming it), or apply it first",
                        reference.target
                    )),
                );
            }
        }
        (
            Plan {
                changes,
                budget: None,
            },
            diags,
        )
    }
}

impl Selector {
    fn parse(flag: &'static str, text: &str) -> Result<Selector, Error> {
        let (kind_name, key) = match text.split_once('/') {
            Some((k, key)) => (k.trim(), Some(key.trim().to_string())),
            None => (text.trim(), None),
        };
        let Some(kind) = Kind::named(kind_name) else {
            let hint = did_you_mean(kind_name, kind_names())
                .map(|s| format!("; did you mean `{s}`?"))
                .unwrap_or_default();
            return Err(Error::Usage(format!(
                "{flag} {text}: unknown kind `{kind_name}`{hint} (expected KIND or KIND/KEY; `wxcc kinds` lists the kinds)"
            )));
        };
        if key.as_deref() == Some("") {
            return Err(Error::Usage(format!(
                "{flag} {text}: the key after `/` is empty (expected KIND or KIND/KEY)"
            )));
        }
        Ok(Selector { flag, kind, key })
    }

    /// Whether this selects `kind`/`key`; a plain team name also selects the team keyed
    /// `Site/Name`.
    fn matches(&self, kind: &Kind, key: &str) -> bool {
        if self.kind.name != kind.name {
            return false;
        }
        match &self.key {
            None => true,
            Some(k) => k == key || kind.split_scoped(key).is_some_and(|(_, plain)| plain == k),
        }
    }
}
