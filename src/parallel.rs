//! Independent per-item work spread over the machine's cores, results kept in input order:
//! `validate` checks each object on its own, and loading parses each YAML file (and each
//! piece of a big one) on its own; a config of 100,000 objects is worth splitting
//! (docs/performance.md).

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

/// Items below this are checked on the calling thread: starting threads costs more than
/// it saves on a small config.
const MIN_ITEMS_TO_SPLIT: usize = 4_096;

/// The cores this process may use (1 when the system cannot tell).
pub fn cores() -> usize {
    thread::available_parallelism().map_or(1, NonZeroUsize::get)
}

/// `f` over every item, each item's results in item order, as if run in one loop. The
/// items are cut into one contiguous run per core; a panic in `f` is re-raised here.
pub fn flat_map_in_order<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> Vec<R> + Sync,
{
    let cores = cores();
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
        joined(workers)
    })
}

/// `f` over each of a few items of uneven weight (the files of a config), one result per
/// item in item order. Each core's thread takes the next item not yet taken, so one big
/// file does not hold up the small ones behind it; a panic in `f` is re-raised here.
pub fn map_in_order<T, R, F>(items: &[T], f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(&T) -> R + Sync,
{
    let cores = cores();
    if cores < 2 || items.len() < 2 {
        return items.iter().map(&f).collect();
    }
    let next = AtomicUsize::new(0);
    let (f, next) = (&f, &next);
    let mut done: Vec<(usize, R)> = thread::scope(|scope| {
        let workers: Vec<_> = (0..cores.min(items.len()))
            .map(|_| {
                scope.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return done;
                        };
                        done.push((i, f(item)));
                    }
                })
            })
            .collect();
        joined(workers)
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Every worker's results, in worker order; a worker's panic is re-raised here.
fn joined<R>(workers: Vec<thread::ScopedJoinHandle<'_, Vec<R>>>) -> Vec<R> {
    workers
        .into_iter()
        .flat_map(|w| {
            w.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
        .collect()
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

    #[test]
    fn uneven_items_come_back_once_each_in_input_order() {
        for n in [0, 1, 2, 3, 17] {
            let items: Vec<usize> = (0..n).collect();
            // Uneven work, so that threads finish out of order.
            let out = map_in_order(&items, |&i| {
                let spin: usize = (0..(n - i) * 20_000).fold(0, |a, b| a ^ b);
                (i, spin)
            });
            let order: Vec<usize> = out.iter().map(|(i, _)| *i).collect();
            assert_eq!(order, items, "{n} items");
        }
    }
}
