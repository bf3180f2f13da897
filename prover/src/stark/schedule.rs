//! Bounded concurrency over table instances: [`bounded_map`] runs a job per index with at
//! most `k` jobs in flight and returns the results in index order, so callers absorb them
//! into the transcript in a fixed order whatever `k` is.
//!
//! Jobs may use rayon inside (they do: NTTs, hashing). They must not block on each other:
//! a worker waiting inside a rayon join can pick up another pending worker on the same
//! thread, so a lock held across parallel work could deadlock. The locks jobs share: the
//! NTT engine's (`Lde`), held only to clone the engine or to replace it, never across a
//! transform; and the trace-retire witness's (`zkvm::RetiredWitness`), read-locked across a
//! replay's parallel work and write-locked only by `release`, which the prover calls between
//! phases, when no job runs.

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// `f(0), f(1), .., f(n - 1)` with at most `k` calls running at once, results in index order.
/// With `k == 1` the calls run one after another on the calling thread.
pub fn bounded_map<T: Send>(k: usize, n: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let workers = k.clamp(1, n.max(1));
    if workers == 1 {
        return (0..n).map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let slots: Vec<Mutex<Option<T>>> = (0..n).map(|_| Mutex::new(None)).collect();
    rayon::scope(|s| {
        for _ in 0..workers {
            s.spawn(|_| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= n {
                        break;
                    }
                    let out = f(i);
                    *slots[i].lock().unwrap_or_else(|e| e.into_inner()) = Some(out);
                }
            });
        }
    });
    slots
        .into_iter()
        .map(|m| {
            m.into_inner()
                .unwrap_or_else(|e| e.into_inner())
                .expect("every index ran")
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_index_order_and_in_flight_stays_bounded() {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(4)
            .build()
            .unwrap();
        for k in [1, 2, 3, 8] {
            let running = AtomicUsize::new(0);
            let most = AtomicUsize::new(0);
            let out = pool.install(|| {
                bounded_map(k, 20, |i| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    most.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(std::time::Duration::from_millis(2));
                    running.fetch_sub(1, Ordering::SeqCst);
                    i * i
                })
            });
            assert_eq!(out, (0..20).map(|i| i * i).collect::<Vec<_>>());
            assert!(most.load(Ordering::SeqCst) <= k, "k = {k}");
        }
        assert!(bounded_map(3, 0, |i| i).is_empty());
    }
}
