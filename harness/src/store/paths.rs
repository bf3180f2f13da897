//! The default paths of `bench`'s files, relative to the working directory unless a root is
//! given: results under `target/bench/`, baselines under `target/bench/baselines/` and
//! `target/bench/growth-baselines/`, the nightly history under `reports/nightly/`, `bench
//! ab`'s worktrees, builds and runs under `<repository>/target/bench/ab/`.

use std::path::{Path, PathBuf};

/// Where `bench run --save-baseline` keeps its baselines.
pub const BASELINES: &str = "target/bench/baselines";

/// Where `bench growth --save-baseline` keeps its baselines.
pub const GROWTH_BASELINES: &str = "target/bench/growth-baselines";

/// A new results file `target/bench/{stem}-{stamp}.json` (`run`, `nightly-FIXTURE`,
/// `growth-FAMILY`; `stamp` is the UTC time, `YYYYmmdd-HHMMSS`).
pub fn results(stem: &str, stamp: &str) -> PathBuf {
    PathBuf::from(format!("target/bench/{stem}-{stamp}.json"))
}

/// The default history of `fixture`: `reports/nightly/FIXTURE.jsonl`.
pub fn nightly_history(fixture: &str) -> PathBuf {
    Path::new("reports/nightly").join(format!("{fixture}.jsonl"))
}

/// The two chart paths next to `history`: `STEM-time-heap.svg` and `STEM-frontier.svg`.
pub fn nightly_charts(history: &Path) -> (PathBuf, PathBuf) {
    let stem = history
        .file_stem()
        .map_or_else(|| "nightly".into(), |s| s.to_string_lossy().into_owned());
    let dir = history.parent().unwrap_or(Path::new(""));
    (
        dir.join(format!("{stem}-time-heap.svg")),
        dir.join(format!("{stem}-frontier.svg")),
    )
}

/// The default chart of `bench profile`: `target/bench/profile-PROGRAM-MODE.svg`.
pub fn profile_svg(program: &str, mode: &str) -> PathBuf {
    PathBuf::from(format!(
        "target/bench/profile-{}-{mode}.svg",
        program.replace(['/', '\\'], "_")
    ))
}

/// `bench ab`'s folder of commit `sha` (its worktree `src/`, copied worker under `target/`,
/// stamp `built`) in the repository at `root`.
pub fn ab_build(root: &Path, sha: &str) -> PathBuf {
    root.join("target/bench/ab").join(sha)
}

/// `bench ab`'s cargo folders shared by every revision (`target/`, `target-x86-64-v3/`) and
/// their lock: `target/bench/ab/shared`.
pub fn ab_shared(root: &Path) -> PathBuf {
    root.join("target/bench/ab/shared")
}

/// `bench ab`'s results folder of one comparison: `target/bench/ab/runs/BASE8-HEAD8-STAMP`.
pub fn ab_runs(root: &Path, base8: &str, head8: &str, stamp: &str) -> PathBuf {
    root.join("target/bench/ab/runs")
        .join(format!("{base8}-{head8}-{stamp}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_sit_next_to_the_history() {
        let (a, b) = nightly_charts(Path::new("reports/nightly/fib_iterative_8M.jsonl"));
        assert_eq!(
            a,
            Path::new("reports/nightly/fib_iterative_8M-time-heap.svg")
        );
        assert_eq!(
            b,
            Path::new("reports/nightly/fib_iterative_8M-frontier.svg")
        );
        assert_eq!(
            nightly_charts(Path::new("h.jsonl")).0,
            Path::new("h-time-heap.svg")
        );
        assert_eq!(
            nightly_history("fib"),
            Path::new("reports/nightly/fib.jsonl")
        );
        assert_eq!(
            profile_svg("dir/x.elf", "default"),
            Path::new("target/bench/profile-dir_x.elf-default.svg")
        );
        assert_eq!(
            results("run", "20260101-000000"),
            Path::new("target/bench/run-20260101-000000.json")
        );
    }
}
