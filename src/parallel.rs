//! Independent per-item work spread over the machine's cores, results kept in input order:
//! `validate` checks each object on its own, and a config of 100,000 objects is worth
//! splitting (docs/performance.md).

use std::num::NonZeroUsize;
use std::thread;

/// Items below this are checked on the calling thread: starting threads costs more than
/// it saves on a small config.
const MIN_ITEMS_TO_SPLIT: usize = 4_096;

/// `f` over every item, each item's results in item order, as if run in one loop. The
/// items are cut into one contiguous run per core; a panic in `f` is re-raised here.
pub fn flat_map_in_order<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> Vec<R> + Sync,
{
    let cores = thread::available_parallelism().map_or(1, NonZeroUsize::get);
    if cores < 2 || items.len() < MIN_ITEMS_TO_SPLIT {
        return items.iter().flat_map(&f).collect();
    }
    let run = items.len().div_ceil(cores);
    let f = &f;
    thread::scope(|scope| {
        let workers: Vec<_> = items
            .chunks(run)
            .map(|chunk| scope.spawn(move || chunk.iter().flat_map(f).collect::<Vec<R>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| {
                w.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_input_order_whether_split_or_not() {
        for n in [
            0,
            1,
            10,
            MIN_ITEMS_TO_SPLIT - 1,
            MIN_ITEMS_TO_SPLIT,
            3 * MIN_ITEMS_TO_SPLIT + 7,
        ] {
            let items: Vec<usize> = (0..n).collect();
            let out = flat_map_in_order(&items, |&i| if i % 3 == 0 { vec![i, i] } else { vec![i] });
            let expected: Vec<usize> = items
                .iter()
                .flat_map(|&i| if i % 3 == 0 { vec![i, i] } else { vec![i] })
                .collect();
            assert_eq!(out, expected, "{n} items");
        }
    }
}
