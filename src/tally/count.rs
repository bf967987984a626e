//! Counting coded records into one-way and two-way tables.

use super::table::RawCell;
use super::variables::{Code, NONE};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The records, column by column: one category code per variable per record, and the keys.
pub(super) struct Columns {
    pub(super) keys: Vec<u32>,
    pub(super) codes: Vec<Vec<Code>>,
}

/// The cells of one variable.
pub(super) fn one_way(codes: &[Code], keys: &[u32], categories: usize) -> Vec<RawCell> {
    let mut cells = vec![RawCell::default(); categories];
    for (&c, &k) in codes.iter().zip(keys) {
        if let Some(cell) = cells.get_mut(usize::from(c)) {
            cell.add(k);
        }
    }
    cells
}

/// The cells of a pair of variables, row-major; records missing either are not counted.
pub(super) fn two_way(
    rows: &[Code],
    columns: &[Code],
    keys: &[u32],
    row_count: usize,
    column_count: usize,
) -> Vec<RawCell> {
    let mut cells = vec![RawCell::default(); row_count * column_count];
    for ((&r, &c), &k) in rows.iter().zip(columns).zip(keys) {
        if r == NONE || c == NONE {
            continue;
        }
        let (r, c) = (usize::from(r), usize::from(c));
        if c < column_count {
            if let Some(cell) = cells.get_mut(r * column_count + c) {
                cell.add(k);
            }
        }
    }
    cells
}

/// Runs `job` over `items` on up to `threads` scoped threads, keeping the items' order.
pub(crate) fn parallel_map<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    job: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    let threads = threads.clamp(1, items.len().max(1));
    if threads == 1 {
        return items.iter().map(&job).collect();
    }
    let job = &job;
    // Each thread takes the next item when it is free: the jobs of a release differ in cost by
    // a hundredfold, and fixed shares would leave one thread waiting on the other.
    let next = &AtomicUsize::new(0);
    let mut slots: Vec<Vec<(usize, R)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(move || {
                    let mut done = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return done;
                        };
                        done.push((i, job(item)));
                    }
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut out: Vec<(usize, R)> = slots.drain(..).flatten().collect();
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, r)| r).collect()
}

/// How many threads release computations use: the machine's cores, at most four.
pub(crate) fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}
