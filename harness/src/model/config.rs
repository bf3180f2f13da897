//! The settings that shape a measured prove besides the program and the mode:
//! [`ProveConfig`], carried by every run record and shared by every run of a results file.

use prover::stark::{Regime, StarkParams};
use serde::{Deserialize, Serialize};

/// The fixture measured when none is named (`bench run`, `bench ab`, `bench overhead`, a
/// `/bench` comment): small enough for about a minute in every mode on 2 cores.
pub const DEFAULT_FIXTURE: &str = "fib_iterative_64k";

/// The settings that shape a prove besides the program and the mode.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProveConfig {
    /// log2 of the LDE blowup.
    pub log_blowup: usize,
    /// log2 of the largest table chunk (`max_rows`).
    pub log_max_rows: usize,
    /// Table instances in flight at once; `None` is the prover's automatic choice.
    pub table_parallelism: Option<usize>,
    /// Whether live heap bytes were counted (`BENCH_COUNT_ALLOC` not `0`).
    pub count_alloc: bool,
    /// log2 of the epoch size of continuation modes (`verify-and-drop`); recorded for
    /// every mode, used by those only.
    #[serde(default = "default_epoch_log2")]
    pub epoch_log2: u32,
    /// The soundness regime the query count targets (`--security`); records written before
    /// it existed were conjectured.
    #[serde(default)]
    pub security: Regime,
    /// The whole prove's heap budget in bytes (`--memory-budget`), given to the modes that
    /// take one (`MemoryMode::takes_budget`): where the memory model predicts the peak
    /// stays within it, the prover keeps what it would make again. Absent: each mode's
    /// leanest (and from records written before it existed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub memory_budget: Option<u64>,
}

impl ProveConfig {
    /// The proof settings every series is measured with (`bench nightly`, `bench growth`,
    /// `bench ab`): blowup 2, `log_max_rows` 20 (MEMORY up to 2^20 rows, the other tables in
    /// chunks of 2^19), automatic table parallelism, heap counted.
    pub const STANDARD: ProveConfig = ProveConfig {
        log_blowup: 1,
        log_max_rows: 20,
        table_parallelism: None,
        count_alloc: true,
        epoch_log2: prover::continuation::DEFAULT_EPOCH_LOG2,
        security: Regime::Conjectured,
        memory_budget: None,
    };

    /// The proof parameters these settings stand for.
    pub fn params(&self) -> StarkParams {
        StarkParams {
            log_blowup: self.log_blowup,
            log_max_rows: self.log_max_rows,
            regime: self.security,
            ..StarkParams::default()
        }
    }
}

/// The epoch size of records written before epochs existed.
pub fn default_epoch_log2() -> u32 {
    prover::continuation::DEFAULT_EPOCH_LOG2
}

/// A table parallelism as it is written in file names and reports: `auto` or the number.
pub fn parallelism_label(k: Option<usize>) -> String {
    k.map_or_else(|| "auto".to_string(), |k| k.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallelism_labels_and_old_records() {
        assert_eq!(parallelism_label(None), "auto");
        assert_eq!(parallelism_label(Some(4)), "4");
        let old: ProveConfig = serde_json::from_str(
            r#"{"log_blowup":1,"log_max_rows":20,"table_parallelism":null,"count_alloc":true}"#,
        )
        .unwrap();
        assert_eq!(old, ProveConfig::STANDARD);
    }
}
