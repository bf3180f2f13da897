//! The argument groups and value types several subcommands share: how a worker runs, the
//! verdict rules, which program to run, the output formats, and the parsers of GiB and
//! seconds.

use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgGroup, Args, ValueEnum};

use crate::analysis::verdict::{DEFAULT_DETERMINISTIC_THRESHOLD_PCT, DEFAULT_THRESHOLD_PCT};
use crate::cli::input::{InputWords, parse_words};

/// How each measured worker process runs (shared by `bench run`, `nightly` and `growth`).
#[derive(Clone, Debug, Args)]
pub struct WorkerArgs {
    /// Kill a worker after this many seconds and record it as failed.
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<Duration>,
    /// Cap each worker's address space at this many GiB (see `bench prove --max-memory`).
    #[arg(long, value_name = "GIB", value_parser = parse_gib)]
    pub max_memory: Option<u64>,
    /// A shell command (`sh -c`) run before each timed run, untimed: e.g. `sleep 30`, so
    /// that every run starts with the machine in the same state whatever ran before. Its
    /// failure stops the measurement (the runs so far are saved).
    #[arg(long, value_name = "CMD")]
    pub prepare: Option<String>,
}

/// The verdict rules on the command line.
#[derive(Clone, Copy, Debug, Args)]
pub struct RuleArgs {
    /// Relative change of prove time, percent, beyond which it counts as changed (judged from
    /// a t interval of the change: significant and beyond it is a regression, the whole
    /// interval within it is no change, anything else is inconclusive).
    #[arg(long, value_name = "PCT", default_value_t = DEFAULT_THRESHOLD_PCT)]
    pub threshold: f64,
    /// Relative change of the exact peak heap, percent, beyond which it counts as changed
    /// (judged from one run per side: no interval, no test).
    #[arg(long, value_name = "PCT", default_value_t = DEFAULT_DETERMINISTIC_THRESHOLD_PCT)]
    pub heap_threshold: f64,
    /// Relative change of the instruction count, percent, beyond which it counts as changed
    /// (judged like heap).
    #[arg(long, value_name = "PCT", default_value_t = DEFAULT_DETERMINISTIC_THRESHOLD_PCT)]
    pub instructions_threshold: f64,
}

/// Which program to run, and on what input.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("program").required(true).args(["fixture", "elf"])))]
pub struct ProgramArgs {
    /// A fixture from fixtures/catalogue.json, or from --catalogue (runs with its input).
    #[arg(long, value_name = "NAME")]
    pub fixture: Option<String>,
    /// Read --fixture from this catalogue file instead of fixtures/catalogue.json (its ELF
    /// paths are relative to its folder).
    #[arg(long, value_name = "FILE", conflicts_with = "elf")]
    pub catalogue: Option<PathBuf>,
    /// An RV32IM ELF file.
    #[arg(long, value_name = "FILE")]
    pub elf: Option<PathBuf>,
    /// Input words, comma-separated, decimal or 0x hex (overrides a fixture's).
    #[arg(long, value_name = "WORDS", value_parser = parse_words)]
    pub input: Option<InputWords>,
}

/// Output formats of reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// A table for the terminal.
    Table,
    /// GitHub-flavoured markdown.
    Markdown,
    /// JSON.
    Json,
}

/// The soundness regime of the proof parameters (`--security`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum SecurityArg {
    /// 100 bits under the ethSTARK conjecture (blowup 2 unless --log-blowup says otherwise).
    Conjectured,
    /// 100 bits proven (blowup 8 unless --log-blowup says otherwise).
    Provable,
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ExportFormatArg {
    /// Bencher Metric Format.
    Bmf,
    /// github-action-benchmark `customSmallerIsBetter`.
    Gab,
}

/// A positive number of GiB (fractions allowed), in bytes.
pub fn parse_gib(s: &str) -> Result<u64, String> {
    let gib: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of GiB"))?;
    if !(gib.is_finite() && gib > 0.0 && gib < 1e9) {
        return Err(format!("`{s}`: the limit must be a positive number of GiB"));
    }
    Ok((gib * (1u64 << 30) as f64) as u64)
}

/// A memory size with a unit (`16GiB`, `100MiB`, `1.5GiB`, `512KiB`, `2TiB`; `B` for bytes;
/// the decimal `KB`, `MB`, `GB`, `TB` too), in bytes.
pub fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| c.is_ascii_alphabetic())
        .ok_or_else(|| format!("`{s}`: a size needs a unit (such as 16GiB or 100MiB)"))?;
    let (number, unit) = t.split_at(split);
    let scale: f64 = match unit.trim() {
        "B" => 1.0,
        "KiB" => 1024.0,
        "MiB" => 1024.0 * 1024.0,
        "GiB" => 1024.0 * 1024.0 * 1024.0,
        "TiB" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        "KB" => 1e3,
        "MB" => 1e6,
        "GB" => 1e9,
        "TB" => 1e12,
        u => {
            return Err(format!(
                "`{s}`: unknown unit `{u}` (B, KiB, MiB, GiB, TiB, KB, MB, GB, TB)"
            ));
        }
    };
    let n: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number with a unit"))?;
    let bytes = n * scale;
    if !(bytes.is_finite() && (1.0..1e18).contains(&bytes)) {
        return Err(format!("`{s}`: the size must be positive"));
    }
    Ok(bytes as u64)
}

/// How `--fit` chooses (shared by `bench prove` and `bench run`).
#[derive(Clone, Debug, Args)]
pub struct FitArgs {
    /// Prove in the fastest mode predicted to fit this much memory, with the margin (a size
    /// with a unit: 16GiB, 100MiB); refuses when nothing fits. Chooses the table
    /// parallelism too, and ignores --mode / --modes and --table-parallelism.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, conflicts_with = "memory_budget")]
    pub fit: Option<u64>,
    /// The margin --fit leaves above the predicted peak, percent.
    #[arg(long, value_name = "PCT", default_value_t = 10.0)]
    pub fit_margin: f64,
    /// A results file whose median prove times rank the modes for --fit [default: the
    /// committed mode table, reports/modes/fib_iterative_1200k-session11b.json].
    #[arg(long, value_name = "FILE")]
    pub speed_from: Option<PathBuf>,
}

/// The memory budget of `prove`, `run` and `predict`.
#[derive(Clone, Copy, Debug, Args)]
pub struct BudgetArgs {
    /// Let modes with stream-lde and trace-retire (and not verify-and-drop) spend up to this
    /// much heap (a size with a unit: 4GiB) where it saves time: where the memory model
    /// predicts the prove's peak stays within it, the prover keeps every aux trace's
    /// coefficients instead of rebuilding them, and copies more coefficients. Default: each
    /// mode's leanest. Any other mode refuses it.
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub memory_budget: Option<u64>,
}

/// The largest `--table-parallelism`.
pub const MAX_PARALLELISM: usize = 4096;

/// A table parallelism: a whole number from 1 to [`MAX_PARALLELISM`].
pub fn parse_parallelism(s: &str) -> Result<std::num::NonZeroUsize, String> {
    let range =
        || format!("table instances in flight at once: a whole number from 1 to {MAX_PARALLELISM}");
    let k: usize = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not {}", range()))?;
    match std::num::NonZeroUsize::new(k) {
        Some(k) if k.get() <= MAX_PARALLELISM => Ok(k),
        _ => Err(format!("{k} is out of range: {}", range())),
    }
}

/// A positive, finite number of seconds (fractions allowed).
pub fn parse_seconds(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    if !(secs.is_finite() && secs > 0.0) {
        return Err(format!(
            "`{s}`: the timeout must be a positive number of seconds"
        ));
    }
    Duration::try_from_secs_f64(secs).map_err(|e| format!("`{s}`: {e}"))
}

#[cfg(test)]
mod size_tests {
    use super::parse_size;

    #[test]
    fn sizes_need_a_unit_and_read_binary_and_decimal_ones() {
        assert_eq!(parse_size("16GiB"), Ok(16 << 30));
        assert_eq!(parse_size("100MiB"), Ok(100 << 20));
        assert_eq!(parse_size("1.5 GiB"), Ok(3 << 29));
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert!(parse_size("16").is_err());
        assert!(parse_size("16XB").is_err());
        assert!(parse_size("-1GiB").is_err());
    }
}
