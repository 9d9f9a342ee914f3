//! Apply order derived from the reference graph: a kind comes after every kind its
//! non-deferred references point at. Ties keep the catalogue's row order.

use super::{KINDS, Kind};

/// Kinds in the order creates and updates run (parents first). Deletes run in reverse.
pub fn apply_order() -> Vec<&'static Kind> {
    let mut placed: Vec<&'static Kind> = Vec::with_capacity(KINDS.len());
    while placed.len() < KINDS.len() {
        let next = KINDS.iter().find(|kind| {
            !placed.iter().any(|p| p.name == kind.name)
                && kind.references.iter().all(|r| {
                    r.deferred || r.target == kind.name || placed.iter().any(|p| p.name == r.target)
                })
        });
        match next {
            Some(kind) => placed.push(kind),
            // A cycle without a deferred edge is a catalogue bug; the test below catches
            // it. Place the rest in table order so the tool still runs.
            None => {
                for kind in KINDS {
                    if !placed.iter().any(|p| p.name == kind.name) {
                        placed.push(kind);
                    }
                }
            }
        }
    }
    placed
}

/// A kind's position in [`apply_order`].
pub fn kind_rank(name: &str) -> usize {
    // Sorting a plan asks this once per change; the order is computed once per process.
    static ORDER: std::sync::OnceLock<Vec<&'static str>> = std::sync::OnceLock::new();
    ORDER
        .get_or_init(|| apply_order().iter().map(|k| k.name).collect())
        .iter()
        .position(|k| *k == name)
        .unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_non_deferred_reference_points_backwards() {
        let order = apply_order();
        for (i, kind) in order.iter().enumerate() {
            for r in kind.references.iter().filter(|r| !r.deferred) {
                let target = order.iter().position(|k| k.name == r.target);
                assert!(
                    target.is_some_and(|t| t <= i),
                    "{}.{} points at {}, which is not ordered before it",
                    kind.name,
                    r.field,
                    r.target
                );
            }
        }
    }

    #[test]
    fn parents_come_first() {
        let names: Vec<_> = apply_order().iter().map(|k| k.name).collect();
        let pos = |n: &str| names.iter().position(|x| *x == n).unwrap_or(usize::MAX);
        assert!(pos("multimedia-profile") < pos("site"));
        assert!(pos("site") < pos("team"));
    }
}
