//! Safety rules: a plan that would delete a large share of a kind's live objects is refused
//! unless the user raises the threshold. The rule is per kind, not per org.

use std::collections::BTreeMap;

use super::{Action, Change};
use crate::model::{Diagnostic, Live};

/// How many deletes of one kind are too many.
#[derive(Clone, Debug)]
pub struct DeleteThreshold {
    /// Refuse when more than this percentage of a kind's live objects would go. Deleting a
    /// single object is always allowed (it was asked for by `--delete KIND`).
    pub max_percent: u32,
}

impl Default for DeleteThreshold {
    fn default() -> Self {
        DeleteThreshold { max_percent: 30 }
    }
}

pub(super) fn check_deletes(
    deletes: &[Change],
    live: &Live,
    threshold: &DeleteThreshold,
) -> Vec<Diagnostic> {
    let mut per_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for c in deletes.iter().filter(|c| c.action == Action::Delete) {
        *per_kind.entry(c.kind.name).or_default() += 1;
    }
    per_kind
        .into_iter()
        .filter_map(|(kind, n)| {
            let total = live.of_kind(kind).len();
            let too_many = n > 1 && n * 100 > total * threshold.max_percent as usize;
            too_many.then(|| {
                Diagnostic::general(format!(
                    "refusing to delete {n} of {total} live {kind}s ({}%), more than the {}% threshold",
                    n * 100 / total.max(1),
                    threshold.max_percent
                ))
                .with_help("check that the config is complete; if these deletes are intended, pass --max-delete-percent 100")
            })
        })
        .collect()
}
