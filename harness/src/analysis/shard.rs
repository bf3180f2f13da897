//! Planning shards (pure): which shard of a GitHub Actions matrix measures each (fixture,
//! mode), what runner it needs, and how long it should take.
//!
//! **Assignment.** An entry goes to shard `1 + FNV-1a(fixture NUL mode) mod N`: a stable
//! hash, as nextest shards tests, so adding a fixture or a mode moves no other entry, and a
//! shard's work depends on nothing but its own entries and N. An entry is never split: all
//! its timed runs, all its runs under cachegrind and (for `/bench`) both revisions of its A/B
//! are in one shard, so its time is always compared within one machine. A hash balances
//! only on average; the estimates show how uneven the shards are, and more shards than
//! entries leave some empty (an empty shard is a matrix job that measures nothing and
//! says so).
//!
//! **Estimates.** The peak heap is the memory model's prediction when the caller has one
//! (`bench plan` predicts every entry: `prover::stark::memory_model`, within 5 % of the
//! exact peak on every fixture measured, and up to date with the code being planned).
//! Otherwise, and for time always, from the history when it has the entry (the latest
//! night's median prove seconds and peak heap, any machine), else from the catalogue's
//! cycles by [`MODEL`]: a
//! rate per million cycles measured at `fib_iterative_1200k` on 2 cores
//! (`reports/modes/fib_iterative_1200k-session11b.json`: default 11.9 s, 2.28 GB) and the
//! 8M default's 13.2 GiB, times each mode's factor against default from the same file. A run
//! under cachegrind costs [`CACHEGRIND_SLOWDOWN`] timed runs. An A/B doubles everything.
//!
//! **Runners.** An entry is heavy when its estimated peak heap passes
//! `heavy_heap_bytes` (default 12 GiB: a standard 16 GiB runner with room for the OS) or its
//! estimated time passes `heavy_seconds` (default 5 h of GitHub's 6 h job limit); a shard
//! with a heavy entry runs on the heavy label.
//!
//! **Limits.** N is at most [`MAX_MATRIX_JOBS`] (GitHub's 256 jobs per matrix).

use prover::modes::MemoryMode;

use crate::model::config::ProveConfig;
use crate::model::history::HistoryRecord;
use crate::model::shard::{
    MAX_MATRIX_JOBS, Matrix, MatrixJob, PLAN_SCHEMA_VERSION, PlanEntry, Revisions, ShardPlan,
    ShardWork,
};

/// A run under cachegrind against a timed run (VERDICTS.md: "about 20x a prove").
pub const CACHEGRIND_SLOWDOWN: f64 = 20.0;

/// The estimate without history: per mode, (time, heap) against default.
/// Source: `reports/modes/fib_iterative_1200k-session11b.json` (3 runs a mode, 2 cores).
pub const MODEL: [(&str, f64, f64); 8] = [
    ("default", 1.00, 1.00),
    ("stream-lde", 1.18, 0.70),
    ("leaf-drop", 1.04, 0.98),
    ("trace-retire", 1.00, 1.00),
    ("verify-and-drop", 0.98, 0.22),
    ("stream-lde+leaf-drop", 1.30, 0.70),
    ("stream-lde+trace-retire", 1.25, 0.42),
    ("stream-lde+leaf-drop+trace-retire", 1.30, 0.41),
];

/// Default's seconds per million cycles on 2 cores (11.9 s at 1.2 M cycles).
pub const SECONDS_PER_MCYCLE: f64 = 10.0;

/// Default's heap per cycle, bytes (13.2 GiB at 8 M cycles), over a fixed floor.
pub const HEAP_BYTES_PER_CYCLE: f64 = 1_740.0;

/// The heap of a tiny prove (preprocessed tables, twiddles), bytes.
pub const HEAP_FLOOR_BYTES: u64 = 256 << 20;

/// What to plan.
#[derive(Clone, Debug)]
pub struct PlanRequest {
    /// The fixtures with their cycles, in the order asked for.
    pub fixtures: Vec<(String, u64)>,
    /// The modes.
    pub modes: Vec<MemoryMode>,
    /// Timed runs per entry.
    pub runs: u32,
    /// Runs under cachegrind per entry.
    pub instruction_runs: u32,
    /// N.
    pub shards: u32,
    /// The settings of every run.
    pub config: ProveConfig,
    /// Base and head of a `/bench` A/B.
    pub revisions: Option<Revisions>,
    /// The runner label of ordinary shards.
    pub runner: String,
    /// The runner label of shards with a heavy entry.
    pub heavy_runner: String,
    /// Heavier than this estimated peak heap is heavy.
    pub heavy_heap_bytes: u64,
    /// Longer than this estimated time is heavy.
    pub heavy_seconds: f64,
    /// The memory model's predicted peak heap of (fixture, mode), where made: it overrides
    /// the history's and the model's heap.
    pub predicted_heaps: Vec<(String, MemoryMode, u64)>,
}

/// Why no plan can be made.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// N is 0 or past GitHub's limit.
    #[error("{0} shards: a matrix takes 1 to {MAX_MATRIX_JOBS} jobs")]
    Shards(u32),
    /// Nothing to measure.
    #[error("nothing to plan: no fixture or no mode")]
    Empty,
    /// A (fixture, mode) asked for twice.
    #[error("{0} · {1} is asked for twice")]
    Duplicate(String, String),
}

/// FNV-1a, 64 bits: stable across runs, platforms and versions (not for security).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// The shard (1-based) of (`fixture`, `mode`) among `shards`.
pub fn shard_of(fixture: &str, mode: MemoryMode, shards: u32) -> u32 {
    let key = format!("{fixture}\0{mode}");
    1 + (fnv1a(key.as_bytes()) % u64::from(shards.max(1))) as u32
}

/// (seconds of one timed run, peak heap, source) of an entry.
fn estimate(
    fixture: &str,
    cycles: u64,
    mode: MemoryMode,
    history: &[HistoryRecord],
) -> (f64, u64, &'static str) {
    let latest = history
        .iter()
        .filter(|r| r.fixture == fixture && r.mode == mode)
        .filter(|r| r.median_prove_seconds.is_some())
        .max_by(|a, b| a.date.cmp(&b.date));
    if let Some(r) = latest {
        let seconds = r.median_prove_seconds.unwrap_or(0.0);
        let heap = r
            .median_peak_heap_bytes
            .unwrap_or_else(|| model(cycles, mode).1);
        return (seconds, heap, "history");
    }
    let (s, h) = model(cycles, mode);
    (s, h, "model")
}

/// The model's (seconds, heap) of one timed run.
pub fn model(cycles: u64, mode: MemoryMode) -> (f64, u64) {
    let name = mode.to_string();
    let (t, h) = MODEL
        .iter()
        .find(|(m, _, _)| *m == name)
        .map_or((1.3, 1.0), |&(_, t, h)| (t, h));
    let mcycles = cycles as f64 / 1e6;
    let seconds = 0.5 + SECONDS_PER_MCYCLE * mcycles * t;
    let heap = HEAP_FLOOR_BYTES + (HEAP_BYTES_PER_CYCLE * cycles as f64 * h) as u64;
    (seconds, heap)
}

/// The plan (see the module docs); `history` holds every night known of the fixtures.
pub fn plan(request: &PlanRequest, history: &[HistoryRecord]) -> Result<ShardPlan, PlanError> {
    let n = request.shards;
    if n == 0 || n > MAX_MATRIX_JOBS {
        return Err(PlanError::Shards(n));
    }
    if request.fixtures.is_empty() || request.modes.is_empty() {
        return Err(PlanError::Empty);
    }
    let sides = if request.revisions.is_some() {
        2.0
    } else {
        1.0
    };
    let mut work: Vec<ShardWork> = (1..=n)
        .map(|shard| ShardWork {
            shard,
            runner: request.runner.clone(),
            estimated_seconds: 0.0,
            entries: Vec::new(),
        })
        .collect();
    let mut seen: Vec<(String, MemoryMode)> = Vec::new();
    for (fixture, cycles) in &request.fixtures {
        for &mode in &request.modes {
            if seen.contains(&(fixture.clone(), mode)) {
                return Err(PlanError::Duplicate(fixture.clone(), mode.to_string()));
            }
            seen.push((fixture.clone(), mode));
            let (one, mut heap, from) = estimate(fixture, *cycles, mode, history);
            let mut from = from.to_string();
            if let Some(&(_, _, predicted)) = request
                .predicted_heaps
                .iter()
                .find(|(f, m, _)| f == fixture && *m == mode)
            {
                heap = predicted;
                from = format!("prediction (heap), {from} (time)");
            }
            let seconds = sides
                * one
                * (f64::from(request.runs)
                    + CACHEGRIND_SLOWDOWN * f64::from(request.instruction_runs));
            let heavy = heap > request.heavy_heap_bytes || seconds > request.heavy_seconds;
            let w = &mut work[(shard_of(fixture, mode, n) - 1) as usize];
            w.estimated_seconds += seconds;
            if heavy {
                w.runner = request.heavy_runner.clone();
            }
            w.entries.push(PlanEntry {
                fixture: fixture.clone(),
                mode,
                estimated_seconds: seconds,
                estimated_peak_heap_bytes: heap,
                estimate_from: from,
                heavy,
            });
        }
    }
    let include = work
        .iter()
        .map(|w| MatrixJob {
            shard: w.shard,
            shards: n,
            runner: w.runner.clone(),
            name: job_name(w),
        })
        .collect();
    let mut p = ShardPlan {
        schema_version: PLAN_SCHEMA_VERSION,
        hash: String::new(),
        shards: n,
        runs: request.runs,
        instruction_runs: request.instruction_runs,
        config: request.config.clone(),
        revisions: request.revisions.clone(),
        work,
        matrix: Matrix { include },
    };
    p.hash = plan_hash(&p);
    Ok(p)
}

/// The plan's identity: FNV-1a over its settings and its assignment (not its estimates,
/// runner labels or job names, which do not change what is measured).
pub fn plan_hash(p: &ShardPlan) -> String {
    let mut key = format!(
        "v{}\0{}\0{}\0{}\0{}",
        p.schema_version,
        p.shards,
        p.runs,
        p.instruction_runs,
        serde_json::to_string(&p.config).expect("settings serialize")
    );
    if let Some(r) = &p.revisions {
        key.push_str(&format!("\0ab\0{}\0{}", r.base, r.head));
    }
    for w in &p.work {
        for e in &w.entries {
            key.push_str(&format!("\0{}:{}:{}", w.shard, e.fixture, e.mode));
        }
    }
    format!("{:016x}", fnv1a(key.as_bytes()))
}

/// `shard K/N: fixture mode, ...`, at most 100 characters.
fn job_name(w: &ShardWork) -> String {
    let what: Vec<String> = w
        .entries
        .iter()
        .map(|e| format!("{} {}", e.fixture, e.mode))
        .collect();
    let mut s = if what.is_empty() {
        "nothing".to_string()
    } else {
        what.join(", ")
    };
    if s.chars().count() > 90 {
        s = s.chars().take(87).collect::<String>() + "...";
    }
    format!("shard {}: {s}", w.shard)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(fixtures: &[(&str, u64)], shards: u32) -> PlanRequest {
        PlanRequest {
            fixtures: fixtures.iter().map(|(f, c)| (f.to_string(), *c)).collect(),
            modes: MemoryMode::all()
                .into_iter()
                .filter(|m| m.check_available().is_ok())
                .collect(),
            runs: 5,
            instruction_runs: 0,
            shards,
            config: ProveConfig::STANDARD,
            revisions: None,
            runner: "ubuntu-latest".into(),
            heavy_runner: "big".into(),
            heavy_heap_bytes: 12 << 30,
            heavy_seconds: 5.0 * 3600.0,
            predicted_heaps: Vec::new(),
        }
    }

    fn assignment(p: &ShardPlan) -> Vec<(String, String, u32)> {
        let mut v: Vec<(String, String, u32)> = p
            .work
            .iter()
            .flat_map(|w| {
                w.entries
                    .iter()
                    .map(move |e| (e.fixture.clone(), e.mode.to_string(), w.shard))
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn adding_a_fixture_moves_no_other_entry() {
        let before = plan(&request(&[("a", 1000), ("b", 2000)], 7), &[]).unwrap();
        let after = plan(&request(&[("a", 1000), ("new", 5), ("b", 2000)], 7), &[]).unwrap();
        let old = assignment(&before);
        let new = assignment(&after);
        for e in &old {
            assert!(new.contains(e), "{e:?} moved");
        }
        assert_eq!(new.len(), old.len() * 3 / 2);
        assert_ne!(before.hash, after.hash);
        // Every entry is in exactly one shard, and the matrix has one job per shard.
        assert_eq!(after.matrix.include.len(), 7);
        assert_eq!(
            after
                .matrix
                .include
                .iter()
                .map(|j| j.shard)
                .collect::<Vec<_>>(),
            (1..=7).collect::<Vec<_>>()
        );
    }

    #[test]
    fn heavy_entries_take_the_heavy_runner_and_history_overrides_the_model() {
        let p = plan(
            &request(&[("fib_iterative_8M", 8_000_010), ("tiny", 3000)], 16),
            &[],
        )
        .unwrap();
        let default = p
            .work
            .iter()
            .find(|w| {
                w.entries
                    .iter()
                    .any(|e| e.fixture == "fib_iterative_8M" && e.mode == MemoryMode::DEFAULT)
            })
            .unwrap();
        assert_eq!(default.runner, "big");
        let e = &default
            .entries
            .iter()
            .find(|e| e.mode == MemoryMode::DEFAULT)
            .unwrap();
        assert!(e.heavy && e.estimate_from == "model");
        // 13.2 GiB measured; the model says within 10 %.
        let gib = e.estimated_peak_heap_bytes as f64 / f64::from(1u32 << 30);
        assert!((12.5..14.5).contains(&gib), "{gib}");
        // Tonight's history says default fits in 1 GiB: no longer heavy.
        let mut r = crate::testing::night("2026-01-01T00:00:00Z", "default", 100.0, 1 << 30);
        r.fixture = "fib_iterative_8M".into();
        let p = plan(&request(&[("fib_iterative_8M", 8_000_010)], 16), &[r]).unwrap();
        let e = p
            .work
            .iter()
            .flat_map(|w| &w.entries)
            .find(|e| e.mode == MemoryMode::DEFAULT)
            .unwrap();
        assert_eq!((e.heavy, e.estimate_from.as_str()), (false, "history"));
        assert_eq!(e.estimated_seconds, 500.0);
    }

    #[test]
    fn a_predicted_heap_overrides_history_and_model_for_the_runner_only() {
        let mut r = crate::testing::night("2026-01-01T00:00:00Z", "default", 100.0, 1 << 30);
        r.fixture = "fib_iterative_8M".into();
        let mut asked = request(&[("fib_iterative_8M", 8_000_010), ("tiny", 3000)], 16);
        asked.predicted_heaps = vec![
            ("fib_iterative_8M".into(), MemoryMode::DEFAULT, 13 << 30),
            ("tiny".into(), MemoryMode::DEFAULT, 40 << 20),
        ];
        let p = plan(&asked, &[r]).unwrap();
        let entry = |fixture: &str| {
            p.work
                .iter()
                .flat_map(|w| w.entries.iter().map(move |e| (w, e)))
                .find(|(_, e)| e.fixture == fixture && e.mode == MemoryMode::DEFAULT)
                .unwrap()
        };
        // The history said 1 GiB; the prediction, 13 GiB: heavy, on the heavy runner, with
        // the history's time.
        let (w, e) = entry("fib_iterative_8M");
        assert_eq!(e.estimated_peak_heap_bytes, 13 << 30);
        assert!(e.heavy && w.runner == "big");
        assert_eq!(e.estimate_from, "prediction (heap), history (time)");
        assert_eq!(e.estimated_seconds, 500.0);
        let (_, e) = entry("tiny");
        assert_eq!(e.estimated_peak_heap_bytes, 40 << 20);
        assert_eq!(e.estimate_from, "prediction (heap), model (time)");
        // The estimates never change what is measured: the same hash as without them.
        let without = plan(
            &request(&[("fib_iterative_8M", 8_000_010), ("tiny", 3000)], 16),
            &[],
        )
        .unwrap();
        assert_eq!(p.hash, without.hash);
    }

    #[test]
    fn limits_and_duplicates_are_refused() {
        assert_eq!(
            plan(&request(&[("a", 1)], 257), &[]).unwrap_err(),
            PlanError::Shards(257)
        );
        assert_eq!(
            plan(&request(&[("a", 1)], 0), &[]).unwrap_err(),
            PlanError::Shards(0)
        );
        assert!(matches!(
            plan(&request(&[("a", 1), ("a", 1)], 2), &[]).unwrap_err(),
            PlanError::Duplicate(..)
        ));
        assert_eq!(plan(&request(&[], 2), &[]).unwrap_err(), PlanError::Empty);
    }

    #[test]
    fn an_ab_plan_counts_both_sides_and_has_its_own_hash() {
        let one = plan(&request(&[("a", 1_000_000)], 2), &[]).unwrap();
        let mut r = request(&[("a", 1_000_000)], 2);
        r.revisions = Some(Revisions {
            base: "aaa".into(),
            head: "bbb".into(),
        });
        let ab = plan(&r, &[]).unwrap();
        let total = |p: &ShardPlan| p.work.iter().map(|w| w.estimated_seconds).sum::<f64>();
        assert!((total(&ab) - 2.0 * total(&one)).abs() < 1e-9);
        assert_ne!(ab.hash, one.hash);
        assert_eq!(assignment(&ab), assignment(&one));
    }
}
