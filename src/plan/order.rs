//! Apply order: creates and updates parents first (by the catalogue's reference graph),
//! then second-pass back-link updates, then deletes children first. Within a kind, the
//! config's own order is kept (deletes go by key), so the same input always gives the same
//! plan.

use super::{Action, Change};
use crate::catalogue::kind_rank;

pub(super) fn sort_changes(mut changes: Vec<Change>) -> Vec<Change> {
    changes.sort_by_key(|c| {
        let rank = kind_rank(c.kind.name);
        match (c.action, c.second_pass) {
            (Action::Delete, _) => (2, usize::MAX - rank, c.key.clone()),
            (_, false) => (0, rank, String::new()),
            (_, true) => (1, rank, String::new()),
        }
    });
    changes
}
