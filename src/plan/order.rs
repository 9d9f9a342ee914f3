//! Apply order: creates and updates parents first (by the catalogue's reference graph),
//! then second-pass back-link updates, then the removal of keyed-list entries others
//! pointed at, then deletes children first. Within a kind, the
//! config's own order is kept (deletes go by key), so the same input always gives the same
//! plan.

use super::{Action, Change, Pass};
use crate::catalogue::kind_rank;

pub fn sort_changes(mut changes: Vec<Change>) -> Vec<Change> {
    changes.sort_by_key(|c| {
        let rank = kind_rank(c.kind.name);
        match (c.action, c.pass) {
            (Action::Delete, _) => (3, usize::MAX - rank, c.key.clone()),
            (_, Pass::Main) => (0, rank, String::new()),
            (_, Pass::BackLinks) => (1, rank, String::new()),
            (_, Pass::Cleanup) => (2, rank, String::new()),
        }
    });
    changes
}
