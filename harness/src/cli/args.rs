//! The `bench` command line (clap derive): the subcommands and the arguments of each.

use crate::analysis::verdict::DEFAULT_DETERMINISTIC_THRESHOLD_PCT;
use std::num::NonZeroUsize;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use prover::modes::MemoryMode;

use crate::cli::input::{InputWords, parse_words};
use crate::cli::shared::{
    BudgetArgs, ExportFormatArg, FitArgs, FormatArg, ProgramArgs, RuleArgs, SecurityArg,
    WorkerArgs, parse_gib, parse_parallelism, parse_seconds,
};
use crate::model::config::DEFAULT_FIXTURE;

/// Measures the prover: runs and times RV32IM programs.
#[derive(Debug, Parser)]
#[command(name = "bench", version, arg_required_else_help = true)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
// One value, parsed once per process and converted at once: `run`'s many flags making the
// enum large costs nothing, and boxing would only add indirection to every match.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run a program without proving it: cycles, public output, exit code, time.
    Execute(ExecuteArgs),
    /// Prove a program's run, then verify the proof, in this process.
    Prove(ProveArgs),
    /// List the fixture catalogue: name, cycles and description.
    Fixtures(FixturesArgs),
    /// Measure peak heap and prove time over fresh processes, mode by mode, and print the
    /// mode table (with no arguments: a quick table on a small fixture).
    Run(RunArgs),
    /// Plan the shards of a GitHub Actions matrix: print JSON with each shard's work and a
    /// `strategy.matrix` (`include:`), assigned by a stable hash of (fixture, mode).
    Plan(PlanArgs),
    /// Merge the results files of every shard of one plan into one (refusing other plans,
    /// missing or duplicated shards and conflicting settings; nothing partial is written).
    Merge(MergeArgs),
    /// Measure what the heap counting costs: prove time with counting on and off,
    /// interleaved over fresh processes.
    Overhead(OverheadArgs),
    /// Compare two results files: deltas, icons, a verdict, spreads and the time interval.
    Compare(CompareArgs),
    /// Build two git revisions and compare them in A B B A pairs on this machine.
    Ab(AbArgs),
    /// Parse a `/bench` pull-request comment into a run plan (JSON), or reject it with a
    /// message fit to post back (exit status 4).
    Comment(CommentArgs),
    /// Measure one fixture for the nightly series: append the night to the history, detect
    /// steps against the previous nights, draw the charts, print a markdown summary (exit
    /// status 3 on a regression, 5 when a run failed and the night is not fully judged).
    Nightly(NightlyArgs),
    /// Fit heap and time against cycles over a fixture family: slopes per million cycles
    /// with R², and a verdict against a saved baseline (exit status 3 on a regression).
    Growth(GrowthArgs),
    /// Heap over time of one prove in this process: an SVG with phase bands and the peak,
    /// optionally a dhat heap profile.
    Profile(ProfileArgs),
    /// Turn a results file into Bencher Metric Format or github-action-benchmark JSON.
    Export(ExportArgs),
    /// Predict each mode's peak heap, its phase and its breakdown by buffer kind, without
    /// proving (the program runs once to learn its table heights).
    Predict(PredictArgs),
}

/// Arguments of `bench predict`.
#[derive(Debug, Args)]
pub struct PredictArgs {
    /// The program.
    #[command(flatten)]
    pub program: ProgramArgs,
    /// Modes, comma-separated, or `all`.
    #[arg(long, value_name = "LIST", default_value = "all")]
    pub modes: String,
    /// Print a JSON array (one object per mode) instead of text.
    #[arg(long)]
    pub json: bool,
    /// Fail after this many cycles without a halt [default: as `bench prove`'s, the memory
    /// available over 84 bytes per cycle, at most 2^30].
    #[arg(long, value_name = "N")]
    pub max_cycles: Option<u64>,
    /// Proof parameters (see `bench prove --security`).
    #[arg(long, value_enum, default_value_t = SecurityArg::Conjectured)]
    pub security: SecurityArg,
    /// log2 of the LDE blowup [default: the --security preset's].
    #[arg(long, value_name = "K")]
    pub log_blowup: Option<usize>,
    /// log2 of the largest table chunk: MEMORY's largest height; the other tables are cut at
    /// 2^min(19, K) rows.
    #[arg(long, value_name = "K", default_value_t = 20)]
    pub log_max_rows: usize,
    /// Table instances in flight at once (default: the prover's automatic choice here).
    #[arg(long, value_name = "K")]
    pub table_parallelism: Option<NonZeroUsize>,
    /// The memory budget.
    #[command(flatten)]
    pub budget: BudgetArgs,
    /// log2 of the epoch size (cycles) of `verify-and-drop`.
    #[arg(long, value_name = "K", default_value_t = prover::continuation::DEFAULT_EPOCH_LOG2,
          value_parser = clap::value_parser!(u32).range(4..=24))]
    pub epoch_log2: u32,
}

/// Arguments of `bench overhead`.
#[derive(Debug, Args)]
pub struct OverheadArgs {
    /// The fixture to prove.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_FIXTURE)]
    pub fixture: String,
    /// Runs with counting on, and as many with it off.
    #[arg(long, value_name = "N", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub runs: u32,
    /// Print JSON.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `bench ab`.
#[derive(Debug, Args)]
pub struct AbArgs {
    /// The base revision (a branch, tag or commit).
    #[arg(long, value_name = "REV")]
    pub base: String,
    /// The head revision (the committed HEAD by default; uncommitted changes are not seen).
    #[arg(long, value_name = "REV", default_value = "HEAD")]
    pub head: String,
    /// The fixtures to prove, comma-separated or repeated.
    #[arg(long, value_name = "NAME", default_value = DEFAULT_FIXTURE, value_delimiter = ',')]
    pub fixture: Vec<String>,
    /// Modes, comma-separated (default: default).
    #[arg(long, value_name = "LIST")]
    pub modes: Option<String>,
    /// Pairs of runs per mode: an even number, so that as many pairs run A first as B first
    /// and an order effect cancels.
    #[arg(long, value_name = "N", default_value_t = 6, value_parser = parse_even_pairs)]
    pub pairs: u32,
    /// Table instances in flight at once (default: the prover's automatic choice).
    #[arg(long, value_name = "K", value_parser = parse_parallelism)]
    pub table_parallelism: Option<NonZeroUsize>,
    /// Kill a worker after this many seconds and record it as failed.
    #[arg(long, value_name = "SECS", value_parser = parse_seconds)]
    pub timeout: Option<Duration>,
    /// A shell command (`sh -c`) run before each timed run, untimed: e.g. `sleep 30`, so
    /// that every run starts with the machine in the same state whatever ran before. Its
    /// failure stops the comparison.
    #[arg(long, value_name = "CMD")]
    pub prepare: Option<String>,
    /// The verdict rules.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// How to print the comparison.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Gate: exit with status 3 when the verdict is a regression, and with status 5 when no
    /// verdict can be reached (every run of a side failed, or a side is missing).
    #[arg(long)]
    pub fail_on_regression: bool,
    /// Also count each revision's instructions per mode under cachegrind (one run each; a
    /// second build of each revision with `-C target-cpu=x86-64-v3`, which valgrind can run).
    #[arg(long)]
    pub instructions: bool,
    /// Test hook: a program run in each worktree instead of `cargo build --release -p harness`.
    #[arg(long, value_name = "PROGRAM", hide = true)]
    pub build_cmd: Option<PathBuf>,
    /// Test hook: the worker's path inside CARGO_TARGET_DIR.
    #[arg(
        long,
        value_name = "PATH",
        hide = true,
        default_value = "release/bench"
    )]
    pub worker: PathBuf,
}

/// Arguments of `bench comment`. The text is taken as is even when it starts with `-`
/// (`--help` included: `bench help comment` prints the help), so that no comment can pass an
/// option.
#[derive(Debug, Args)]
#[command(disable_help_flag = true)]
pub struct CommentArgs {
    /// The comment text: `/bench [N] [fixture=NAME] [mode=M] [k=K]`.
    #[arg(value_name = "TEXT", allow_hyphen_values = true)]
    pub text: String,
}

/// Arguments of `bench plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Fixtures to plan, comma-separated or repeated.
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub fixture: Vec<String>,
    /// A file of fixture names, one a line (`#` starts a comment).
    #[arg(long, value_name = "FILE")]
    pub fixture_list: Option<PathBuf>,
    /// Modes, comma-separated, as for `bench run` (default: every available mode).
    #[arg(long, value_name = "LIST")]
    pub modes: Option<String>,
    /// Timed runs per fixture and mode.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub runs: u32,
    /// Runs under cachegrind per fixture and mode (0: none).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub instruction_runs: u32,
    /// Number of shards (matrix jobs), 1 to 256.
    #[arg(long, value_name = "N")]
    pub shards: u32,
    /// Table instances in flight in every run: pinned, so the exact heap does not depend on
    /// a runner's cores.
    #[arg(long, value_name = "K", default_value = "1")]
    pub table_parallelism: NonZeroUsize,
    /// `/bench`: the base revision (with --head).
    #[arg(long, value_name = "REV", requires = "head")]
    pub base: Option<String>,
    /// `/bench`: the head revision (with --base).
    #[arg(long, value_name = "REV", requires = "base")]
    pub head: Option<String>,
    /// Runner label of ordinary shards.
    #[arg(long, value_name = "LABEL", default_value = "ubuntu-latest")]
    pub runner: String,
    /// Runner label of shards with a heavy entry (estimated heap past --heavy-heap, or
    /// more than 5 h).
    #[arg(long, value_name = "LABEL", default_value = "ubuntu-latest")]
    pub heavy_runner: String,
    /// An entry whose estimated peak heap passes this many GiB is heavy.
    #[arg(long, value_name = "GIB", default_value = "12", value_parser = parse_gib)]
    pub heavy_heap: u64,
    /// Nightly histories (JSON Lines) to estimate times and heaps from (repeatable).
    #[arg(long, value_name = "FILE")]
    pub history: Vec<PathBuf>,
    /// Also write the plan to this file.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// Arguments of `bench merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// The shards' results files.
    #[arg(value_name = "FILES", required = true, num_args = 1..)]
    pub files: Vec<PathBuf>,
    /// The merged results file.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Merge the shards present and name the missing ones instead of refusing.
    #[arg(long)]
    pub allow_missing: bool,
}

/// Arguments of `bench run`.
#[derive(Debug, Args)]
#[command(group(clap::ArgGroup::new("counting").args(["instructions", "plan"]).multiple(true)))]
pub struct RunArgs {
    /// Run shard --shard of this plan (`bench plan`) instead of choosing fixtures and modes.
    #[arg(long, value_name = "FILE", requires = "shard",
          conflicts_with_all = ["fixture", "elf", "input", "suite", "group", "size", "catalogue", "modes", "runs", "resume", "save_baseline", "baseline", "instructions"])]
    pub plan: Option<PathBuf>,
    /// The shard of --plan to run, from 1.
    #[arg(long, value_name = "K", requires = "plan")]
    pub shard: Option<u32>,
    /// Fixtures to measure, comma-separated or repeated (default: fib_iterative_64k unless
    /// --elf, --suite, --group or --catalogue says otherwise).
    #[arg(long, value_name = "NAME", value_delimiter = ',')]
    pub fixture: Vec<String>,
    /// RV32IM ELF files to measure (repeatable; run on --input, or on empty input).
    #[arg(long, value_name = "FILE")]
    pub elf: Vec<PathBuf>,
    /// Input words of every --elf program, comma-separated, decimal or 0x hex (a fixture
    /// runs on its catalogue input: for others, write a catalogue and pass --catalogue).
    #[arg(long, value_name = "WORDS", value_parser = parse_words, requires = "elf")]
    pub input: Option<InputWords>,
    /// Also measure the realistic workload suite: the catalogue's entries of group `suite`
    /// at --size (default 64k; the suite comes at 64k, 1M and 8M).
    #[arg(long)]
    pub suite: bool,
    /// Also measure every catalogue entry of this group (at --size when given).
    #[arg(long, value_name = "NAME")]
    pub group: Option<String>,
    /// The size of the --suite or --group entries: those named NAME_SIZE (64k, 1M, 8M, ...).
    #[arg(long, value_name = "SIZE")]
    pub size: Option<String>,
    /// Read fixtures from this catalogue file instead of fixtures/catalogue.json (ELF paths
    /// relative to its folder); with no --fixture, --suite or --group, every entry of it.
    #[arg(long, value_name = "FILE")]
    pub catalogue: Option<PathBuf>,
    /// Modes, comma-separated: default, stream-lde, leaf-drop, trace-retire,
    /// verify-and-drop, `+`-joined combinations, or `all` (default: every available mode).
    #[arg(long, value_name = "LIST")]
    pub modes: Option<String>,
    /// Runs per fixture and mode, each in a fresh process.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub runs: u32,
    /// Table instances in flight at once (default: the prover's automatic choice).
    #[arg(long, value_name = "K", value_parser = parse_parallelism)]
    pub table_parallelism: Option<NonZeroUsize>,
    /// The memory budget.
    #[command(flatten)]
    pub budget: BudgetArgs,
    /// The results file (default: target/bench/run-<UTC time>.json).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Continue the interrupted run saved in --out: only the missing runs are made.
    #[arg(long, requires = "out")]
    pub resume: bool,
    /// How to print the closing summary.
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Proof parameters whose 100 bits hold under this analysis (the preset also picks the
    /// blowup: 2 for conjectured, 8 for provable).
    #[arg(long, value_enum, default_value_t = SecurityArg::Conjectured)]
    pub security: SecurityArg,
    /// log2 of the LDE blowup (1, 2 or 3) [default: the --security preset's].
    #[arg(long, value_name = "K")]
    pub log_blowup: Option<usize>,
    /// log2 of the largest table chunk: MEMORY's largest height; the other tables are cut at
    /// 2^min(19, K) rows.
    #[arg(long, value_name = "K", default_value_t = 20)]
    pub log_max_rows: usize,
    /// Measure without counting heap bytes (`BENCH_COUNT_ALLOC=0` in the workers).
    #[arg(long)]
    pub no_count_alloc: bool,
    /// log2 of the epoch size (cycles) of `verify-and-drop`.
    #[arg(long, value_name = "K", default_value_t = prover::continuation::DEFAULT_EPOCH_LOG2,
          value_parser = clap::value_parser!(u32).range(4..=24))]
    pub epoch_log2: u32,
    /// Also count the instructions each (fixture, mode) executes, under Valgrind's
    /// cachegrind (one run each unless --instruction-runs says more; slow: 20-34x a prove
    /// on 2 cores, as measured in reports/). Instruction counts repeat to about 0.004 %, so
    /// one run per side gives a verdict.
    #[arg(long)]
    pub instructions: bool,
    /// Runs under cachegrind per (fixture, mode) with --instructions.
    #[arg(long, value_name = "N", default_value_t = 1, requires = "instructions",
          value_parser = clap::value_parser!(u32).range(1..))]
    pub instruction_runs: u32,
    /// The bench binary to run under cachegrind (default: this one, unless it was built with
    /// AVX-512, which valgrind cannot run; see the error for the build that works).
    #[arg(long, value_name = "FILE", requires = "counting")]
    pub instructions_worker: Option<PathBuf>,
    /// Save these results as baseline NAME (under target/bench/baselines/NAME/).
    #[arg(long, value_name = "NAME")]
    pub save_baseline: Option<String>,
    /// Compare these results with the saved baseline NAME, after the mode table.
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// The verdict rules of --baseline.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// How each worker process runs.
    #[command(flatten)]
    pub worker: WorkerArgs,
    /// Choose the mode by memory budget (one program).
    #[command(flatten)]
    pub fit: FitArgs,
}

/// Arguments of `bench compare`.
#[derive(Debug, Args)]
pub struct CompareArgs {
    /// The base results file (what the head is compared against).
    #[arg(value_name = "BASE")]
    pub base: PathBuf,
    /// The head results file.
    #[arg(value_name = "HEAD")]
    pub head: PathBuf,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// How to print the comparison (markdown: a ready GitHub comment).
    #[arg(long, value_enum, default_value_t = FormatArg::Table)]
    pub format: FormatArg,
    /// Gate: exit with status 3 when the verdict is a regression, and with status 5 when no
    /// verdict can be reached (every run of a side failed, or a side is missing).
    #[arg(long)]
    pub fail_on_regression: bool,
}

/// Arguments of `bench fixtures`.
#[derive(Debug, Args)]
pub struct FixturesArgs {
    /// Print a JSON array instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `bench execute`.
#[derive(Debug, Args)]
pub struct ExecuteArgs {
    /// The program.
    #[command(flatten)]
    pub program: ProgramArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Do not record the execution log (nor show the instruction mix and table rows, which
    /// are counted from it).
    #[arg(long)]
    pub no_log: bool,
    /// Fail after this many cycles without a halt [default: the memory available over 84
    /// bytes per cycle (the 28-byte execution log, 3x while it grows), at most 2^30; 2^30
    /// with --no-log].
    #[arg(long, value_name = "N")]
    pub max_cycles: Option<u64>,
    /// log2 of the largest table chunk, as `bench prove` takes it: MEMORY's largest height;
    /// the other tables' rows are padded per chunk of 2^min(19, K).
    #[arg(long, value_name = "K", default_value_t = 20)]
    pub log_max_rows: usize,
}

/// Arguments of `bench prove`.
#[derive(Debug, Args)]
pub struct ProveArgs {
    /// The program.
    #[command(flatten)]
    pub program: ProgramArgs,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Fail after this many cycles without a halt [default: the memory available over 84
    /// bytes per cycle (the execution log), at most 2^30].
    #[arg(long, value_name = "N")]
    pub max_cycles: Option<u64>,
    /// Proof parameters whose 100 bits hold under this analysis (the preset also picks the
    /// blowup: 2 for conjectured, 8 for provable).
    #[arg(long, value_enum, default_value_t = SecurityArg::Conjectured)]
    pub security: SecurityArg,
    /// log2 of the LDE blowup (1, 2 or 3) [default: the --security preset's].
    #[arg(long, value_name = "K")]
    pub log_blowup: Option<usize>,
    /// log2 of the largest table chunk: MEMORY's largest height; the other tables are cut at
    /// 2^min(19, K) rows.
    #[arg(long, value_name = "K", default_value_t = 20)]
    pub log_max_rows: usize,
    /// Memory mode: default, stream-lde, leaf-drop, trace-retire, verify-and-drop, or a
    /// `+`-joined combination.
    #[arg(long, value_name = "MODE", default_value = "default")]
    pub mode: MemoryMode,
    /// Table instances in flight at once (default: the prover's automatic choice).
    #[arg(long, value_name = "K", value_parser = parse_parallelism)]
    pub table_parallelism: Option<NonZeroUsize>,
    /// The memory budget.
    #[command(flatten)]
    pub budget: BudgetArgs,
    /// Cap this process's address space (RLIMIT_AS) at this many GiB, so that a prove that
    /// needs more fails with an allocation error instead of waking the OOM killer. Without
    /// it, a mode whose predicted peak (`bench predict`) + 10 % exceeds the memory available
    /// is refused before proving.
    #[arg(long, value_name = "GIB", value_parser = parse_gib)]
    pub max_memory: Option<u64>,
    /// log2 of the epoch size (cycles) of `verify-and-drop`.
    #[arg(long, value_name = "K", default_value_t = prover::continuation::DEFAULT_EPOCH_LOG2,
          value_parser = clap::value_parser!(u32).range(4..=24))]
    pub epoch_log2: u32,
    /// Choose the mode by memory budget.
    #[command(flatten)]
    pub fit: FitArgs,
}

/// Arguments of `bench nightly`.
#[derive(Debug, Args)]
pub struct NightlyArgs {
    /// The fixture of the series.
    #[arg(long, value_name = "NAME")]
    pub fixture: String,
    /// Modes, comma-separated, as for `bench run` (default: every available mode).
    #[arg(long, value_name = "LIST")]
    pub modes: Option<String>,
    /// Runs per mode, each in a fresh process (their spread is part of the time rule's
    /// noise).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_NIGHTLY_RUNS, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub runs: u32,
    /// The history file (JSON Lines; default: reports/nightly/FIXTURE.jsonl). The charts are
    /// written next to it.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// Make tonight's records from this results file instead of running.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["modes", "runs", "timeout"])]
    pub results: Option<PathBuf>,
    /// Nights the time rule compares with (K), before the previous night; at least 5 are
    /// needed before time is judged.
    #[arg(long, value_name = "K", default_value_t = 10, value_parser = clap::value_parser!(u32).range(5..=365))]
    pub window: u32,
    /// Smallest relative change of prove time that counts as a step, percent.
    #[arg(long, value_name = "PCT", default_value_t = 5.0)]
    pub threshold: f64,
    /// Width of one series' time band in standard deviations of the noise (pooled from the
    /// window and the nights' own spreads); widened for several modes (Bonferroni).
    #[arg(long, value_name = "Z", default_value_t = 2.5)]
    pub z: f64,
    /// A change of the exact peak heap past this, percent, against the night before is a
    /// step.
    #[arg(long, value_name = "PCT", default_value_t = DEFAULT_DETERMINISTIC_THRESHOLD_PCT)]
    pub heap_threshold: f64,
    /// Also count each mode's instructions under cachegrind (one run), judged against the
    /// night before counted by the same build: a step past --instructions-threshold.
    #[arg(long, conflicts_with = "results")]
    pub instructions: bool,
    /// The bench binary run under cachegrind (see `bench run --instructions-worker`).
    #[arg(long, value_name = "FILE", requires = "instructions")]
    pub instructions_worker: Option<PathBuf>,
    /// A change of the instruction count past this, percent, is a step.
    #[arg(long, value_name = "PCT", default_value_t = DEFAULT_DETERMINISTIC_THRESHOLD_PCT)]
    pub instructions_threshold: f64,
    /// How each worker process runs.
    #[command(flatten)]
    pub worker: WorkerArgs,
}

/// `bench nightly`'s runs per mode and night: the calibration of the time rule
/// (`harness/tests/calibration.rs`) is made at this count.
pub const DEFAULT_NIGHTLY_RUNS: u32 = 5;

/// An even number of pairs, 2 to 1000.
fn parse_even_pairs(s: &str) -> Result<u32, String> {
    let n: u32 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a whole number of pairs"))?;
    if !(2..=1000).contains(&n) || !n.is_multiple_of(2) {
        return Err(format!(
            "{n} pairs: need an even number from 2 to 1000, so that as many pairs run A first as B first"
        ));
    }
    Ok(n)
}

/// Arguments of `bench growth`.
#[derive(Debug, Args)]
pub struct GrowthArgs {
    /// The fixture family: fixtures are named FAMILY_SIZE (a suite program's family is its
    /// name, e.g. sha256_chain).
    #[arg(long, value_name = "NAME", default_value = "fib_iterative")]
    pub family: String,
    /// Sizes, comma-separated (default when running: 1M,2M,4M,8M, or every size of a family
    /// that lacks one, such as a suite program's 64k,1M,8M; with --results: every size of the
    /// family in the files).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub sizes: Vec<String>,
    /// Modes, comma-separated, as for `bench run` (default: every available mode).
    #[arg(long, value_name = "LIST")]
    pub modes: Option<String>,
    /// Runs per fixture and mode, each in a fresh process.
    #[arg(long, value_name = "N", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=1000))]
    pub runs: u32,
    /// Fit these results files instead of running.
    #[arg(long, value_name = "FILE", num_args = 1.., conflicts_with_all = ["runs", "timeout"])]
    pub results: Vec<PathBuf>,
    /// Draw heap and time against cycles with the fitted lines into this SVG.
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Overwrite --svg when it exists.
    #[arg(long, requires = "svg")]
    pub force: bool,
    /// Save the slopes as baseline NAME (target/bench/growth-baselines/NAME.json).
    #[arg(long, value_name = "NAME")]
    pub save_baseline: Option<String>,
    /// Compare the heap slopes with baseline NAME.
    #[arg(long, value_name = "NAME")]
    pub baseline: Option<String>,
    /// A heap slope larger than the baseline's by more than this is a regression, percent.
    #[arg(long, value_name = "PCT", default_value_t = 10.0)]
    pub threshold: f64,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Also count each size's instructions under cachegrind (one run each) and fit their
    /// slope per cycle.
    #[arg(long, conflicts_with = "results")]
    pub instructions: bool,
    /// The bench binary run under cachegrind (see `bench run --instructions-worker`).
    #[arg(long, value_name = "FILE", requires = "instructions")]
    pub instructions_worker: Option<PathBuf>,
    /// How each worker process runs.
    #[command(flatten)]
    pub worker: WorkerArgs,
}

/// Arguments of `bench profile`.
#[derive(Debug, Args)]
pub struct ProfileArgs {
    /// The fixture to prove.
    #[arg(long, value_name = "NAME")]
    pub fixture: String,
    /// The memory mode.
    #[arg(long, value_name = "MODE", default_value = "default")]
    pub mode: MemoryMode,
    /// Where to write the timeline SVG (default: target/bench/profile-FIXTURE-MODE.svg).
    #[arg(long, value_name = "FILE")]
    pub svg: Option<PathBuf>,
    /// Print the timeline samples as JSON.
    #[arg(long)]
    pub json: bool,
    /// Also write a dhat heap profile (needs a build with `--features dhat-heap`).
    #[arg(long)]
    pub dhat: bool,
    /// Where to write the dhat profile.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "dhat-heap.json",
        requires = "dhat"
    )]
    pub dhat_file: PathBuf,
    /// Overwrite --svg (and --dhat-file) when it exists.
    #[arg(long)]
    pub force: bool,
}

/// Arguments of `bench export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The format to write.
    #[arg(long, value_enum)]
    pub format: ExportFormatArg,
    /// The results file to export.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Write here instead of standard output (never the results file itself).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Overwrite --out when it exists.
    #[arg(long, requires = "out")]
    pub force: bool,
}

/// Parses the process's arguments (clap prints usage errors and exits with status 2).
pub fn parse() -> Cli {
    Cli::parse()
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn comment_text_is_never_an_option() {
        for text in ["--help", "-h", "--format=json", "-"] {
            let cli = Cli::try_parse_from(["bench", "comment", text]).expect(text);
            let Command::Comment(args) = cli.command else {
                panic!("parsed as another command");
            };
            assert_eq!(args.text, text);
        }
    }

    #[test]
    fn fixture_and_elf_are_mutually_exclusive() {
        let both = Cli::try_parse_from(["bench", "execute", "--fixture", "a", "--elf", "b"]);
        assert!(both.is_err());
        let neither = Cli::try_parse_from(["bench", "execute"]);
        assert!(neither.is_err());
        let cli = Cli::try_parse_from(["bench", "execute", "--elf", "b", "--input", "1,0x2"])
            .expect("valid");
        let Command::Execute(args) = cli.command else {
            panic!("parsed as another command");
        };
        assert_eq!(args.program.input, Some(InputWords(vec![1, 2])));
    }
}
