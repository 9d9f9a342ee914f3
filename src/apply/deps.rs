//! What each change of a plan needs from the changes before it, so that when one fails only
//! the changes that need it are skipped and every independent one still goes ahead.

use std::collections::HashSet;

use serde_json::Value;

use crate::model::reference_values;
use crate::plan::order::{Object, holds_deleted, object};
use crate::plan::{Action, Change, Pass};

/// For each change, in plan order, the objects whose earlier changes it needs:
/// - the objects its fields point at (a team needs its site, whether the site is created
///   or updated in this run), entries of keyed lists included;
/// - its own object's earlier changes (a second-pass back-link needs the create, a
///   last-pass entry removal needs the main update);
/// - for a last-pass removal, the objects that pointed at the removed entries and are
///   changed earlier (they must have moved on first);
/// - for a delete, the objects changed earlier whose live state points at it (they must
///   have let go of it first, or the delete is refused as referenced).
pub(crate) fn needs(changes: &[Change]) -> Vec<Vec<Object>> {
    let points_at: Vec<HashSet<Object>> = changes.iter().map(targets).collect();
    let holds = holds_deleted(changes);
    changes
        .iter()
        .enumerate()
        .map(|(n, change)| {
            let me = object(change);
            let mut need: Vec<Object> = points_at[n].iter().cloned().collect();
            for (m, earlier) in changes[..n].iter().enumerate() {
                let them = object(earlier);
                let wanted = them == me
                    || (change.pass == Pass::Cleanup && points_at[m].contains(&me))
                    || (change.action == Action::Delete && holds[m].contains(&me));
                if wanted && !need.contains(&them) {
                    need.push(them);
                }
            }
            need.sort();
            need.dedup();
            need
        })
        .collect()
}

/// The objects a change's declared fields point at (by key).
fn targets(change: &Change) -> HashSet<Object> {
    let body = Value::Object(change.fields.clone());
    reference_values(change.kind, &body)
        .into_iter()
        .map(|(_, reference, key)| {
            let object_key = match reference.within {
                Some(_) => key.split_once('/').map_or(key, |(object, _)| object),
                None => key,
            };
            (reference.target, object_key.to_string())
        })
        .collect()
}
