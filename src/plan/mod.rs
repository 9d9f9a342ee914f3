//! The plan: the ordered list of changes that turns live into desired. Building it is pure
//! (no network): match desired to live by key, resolve references, diff the declared
//! fields, order the changes by the reference graph, and check the safety rules. Renderers
//! turn it into text, JSON and Markdown.

mod blast;
mod build;
mod diff;
pub(crate) mod order;
pub mod render;
mod rules;
mod safety;
pub mod saved;
#[cfg(test)]
mod test_kinds;

use serde_json::{Map, Value};

use crate::catalogue::Kind;
use crate::model::Upload;

pub use blast::{Reported, route_refusals, walk_refusals};
pub use build::{PlanOptions, build};
pub use diff::diff_fields;
pub use order::sort_changes;
pub use safety::DeleteThreshold;

/// What a change does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Action {
    Create,
    Update,
    Delete,
}

impl Action {
    pub fn word(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
        }
    }

    pub fn sign(self) -> &'static str {
        match self {
            Action::Create => "+",
            Action::Update => "~",
            Action::Delete => "-",
        }
    }
}

/// The passes of an apply, in order. Deletes come after all three.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Pass {
    /// Creates and updates, parents first.
    Main,
    /// Back-links that close a reference cycle, set once every object they point at exists.
    BackLinks,
    /// Removal of keyed-list entries other objects may point at (a skill's enum values),
    /// once the objects that pointed at them have moved on.
    Cleanup,
}

impl Pass {
    /// How the plan names a pass after the main one.
    pub fn note(self) -> Option<&'static str> {
        match self {
            Pass::Main => None,
            Pass::BackLinks => Some("second pass: back-links"),
            Pass::Cleanup => Some("last pass: removes entries"),
        }
    }
}

/// One field's difference. Values are in key space: references show the key they name.
#[derive(Clone, Debug, PartialEq)]
pub struct FieldDiff {
    /// Dotted field path (`manuallyAssignable.chat`).
    pub path: String,
    /// `None` when live does not have the field (or the object does not exist yet).
    pub before: Option<Value>,
    /// `None` for a delete.
    pub after: Option<Value>,
}

/// One create, update or delete of one object.
#[derive(Clone, Debug)]
pub struct Change {
    pub kind: &'static Kind,
    pub key: String,
    pub action: Action,
    /// Which pass of the apply the change belongs to.
    pub pass: Pass,
    pub live_id: Option<String>,
    pub live_version: Option<i64>,
    pub live_last_updated: Option<i64>,
    /// For a rename through `x-wxcc.formerNames`: the key the live object has now.
    pub renamed_from: Option<String>,
    pub diffs: Vec<FieldDiff>,
    /// The declared fields this change writes, in key space (creates and updates).
    pub fields: Map<String, Value>,
    /// The live object as read (id space), for updates to overlay on.
    pub live: Option<Map<String, Value>>,
    /// Whether `live` is the whole object (not a list row missing fields).
    pub live_complete: bool,
    /// The local files the object uploads (kinds with `Kind::upload`), changed or not: an
    /// upload kind's update sends its content again.
    pub uploads: Vec<Upload>,
}

/// The whole plan, in apply order.
#[derive(Clone, Debug, Default)]
pub struct Plan {
    pub changes: Vec<Change>,
    /// What applying it costs under the rate limit, once counted (see `apply::requests`).
    pub budget: Option<Budget>,
}

/// The requests an apply of a plan sends, and how long they take at the run's rate limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub requests: usize,
    /// The configured rate limit (requests per minute).
    pub per_minute: u32,
}

impl Budget {
    /// Seconds the requests take at the limit's steady rate (rounded up). A fresh window
    /// lets a short burst through sooner; network time is not included.
    pub fn seconds(&self) -> u64 {
        (self.requests as u64 * 60).div_ceil(u64::from(self.per_minute.max(1)))
    }

    /// `Apply: ~240 requests, ~48 s at 300/min`
    pub fn line(&self) -> String {
        let s = self.seconds();
        let took = match s {
            0..120 => format!("{s} s"),
            120..7200 => format!("{} min {} s", s / 60, s % 60),
            _ => format!("{} h {} min", s / 3600, s % 3600 / 60),
        };
        format!(
            "Apply: ~{} request{}, ~{took} at {}/min",
            self.requests,
            if self.requests == 1 { "" } else { "s" },
            self.per_minute
        )
    }
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty()
    }

    pub fn count(&self, action: Action) -> usize {
        self.changes.iter().filter(|c| c.action == action).count()
    }

    /// `Plan: 2 to create, 1 to update, 0 to delete.` or `No changes.`
    pub fn summary(&self) -> String {
        if self.is_empty() {
            return "No changes.".into();
        }
        format!(
            "Plan: {} to create, {} to update, {} to delete.",
            self.count(Action::Create),
            self.count(Action::Update),
            self.count(Action::Delete)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::Budget;

    #[test]
    fn the_budget_line_gives_the_time_at_the_limit_rounded_up() {
        let line = |requests, per_minute| {
            Budget {
                requests,
                per_minute,
            }
            .line()
        };
        assert_eq!(line(240, 300), "Apply: ~240 requests, ~48 s at 300/min");
        assert_eq!(line(1, 300), "Apply: ~1 request, ~1 s at 300/min");
        assert_eq!(line(0, 300), "Apply: ~0 requests, ~0 s at 300/min");
        assert_eq!(
            line(1_148, 300),
            "Apply: ~1148 requests, ~3 min 50 s at 300/min"
        );
        assert_eq!(
            line(40_000, 300),
            "Apply: ~40000 requests, ~2 h 13 min at 300/min"
        );
        // A limit of 0 is read as 1 a minute, not a division by zero.
        assert_eq!(
            Budget {
                requests: 2,
                per_minute: 0
            }
            .seconds(),
            120
        );
    }
}
