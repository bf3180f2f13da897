//! `bench compare BASE HEAD`: loads two results files, refuses comparisons that would mislead
//! (the guards of `analysis::comparison`), builds the comparison and prints it as a table,
//! markdown (a ready GitHub comment) or JSON. `bench run --baseline` and `bench ab` print
//! theirs through [`print_comparison`].
//!
//! Caveats come first, above the table: a file compared with itself (or an identical
//! copy), and entries whose prove time was not judged (fewer than two runs a side).
//!
//! Exit: 0; with `--fail-on-regression`, 3 when the verdict is a regression and 5 when no
//! verdict could be reached (`commands::outcome`).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::analysis::comparison::{self, Comparison, Footer, Pair, Setup};
use crate::analysis::time_rule::MIN_RUNS;
use crate::analysis::verdict::{Design, Metric, Rules};
use crate::commands::format::Format;
use crate::commands::outcome::Outcome;
use crate::model::results::ResultsFile;
use crate::report::{breakdown, compare_markdown, compare_table};

/// What `bench compare` is asked.
#[derive(Clone, Debug)]
pub struct CompareRequest {
    /// The base results file (what the head is compared against).
    pub base: PathBuf,
    /// The head results file.
    pub head: PathBuf,
    /// The verdict rules.
    pub rules: Rules,
    /// How to print the comparison.
    pub format: Format,
    /// Exit with status 3 when the verdict is a regression.
    pub fail_on_regression: bool,
}

/// Runs `bench compare`.
pub fn compare(request: &CompareRequest) -> Result<Outcome> {
    request.rules.validate()?;
    let c = compare_files(&request.base, &request.head, request.rules)?;
    for w in &c.warnings {
        eprintln!("warning: {w}");
    }
    let caveats = caveats(&c, same_file(&request.base, &request.head));
    match request.format {
        Format::Table => {
            caveats.iter().for_each(|l| println!("⚠️ {l}"));
            print_comparison(&c, request.format)?;
        }
        Format::Markdown => {
            // Under the heading: the first line is the marker the PR workflow reads.
            let md = compare_markdown::render(&c);
            let mut lines = md.splitn(3, '\n');
            let (marker, heading) = (lines.next().unwrap_or(""), lines.next().unwrap_or(""));
            println!("{marker}\n{heading}");
            for l in &caveats {
                println!("> ⚠️ **{l}**\n");
            }
            print!("{}", lines.next().unwrap_or(""));
        }
        Format::Json => {
            caveats.iter().for_each(|l| eprintln!("warning: {l}"));
            print_comparison(&c, request.format)?;
        }
    }
    Ok(Outcome::of_verdict(request.fail_on_regression, &c.verdict))
}

/// What the verdict alone does not say and a reader must see first: a file compared with
/// itself (or with an identical copy), and entries whose prove time was not judged because
/// a side has fewer than [`MIN_RUNS`] successful runs (heap and instructions still are).
pub fn caveats(c: &Comparison, same: Sameness) -> Vec<String> {
    let mut out = Vec::new();
    match same {
        Sameness::SameFile => {
            out.push("BASE and HEAD are the same file: this compares it with itself".into())
        }
        Sameness::SameContents => out.push(
            "BASE and HEAD have identical contents: this compares one set of runs with itself"
                .into(),
        ),
        Sameness::Different => {}
    }
    for s in &c.sections {
        for e in &s.entries {
            let unjudged = e
                .metrics
                .iter()
                .any(|m| m.metric == Metric::Time && m.interval.is_none());
            if unjudged && e.unavailable.is_none() {
                out.push(format!(
                    "prove time not judged for {} · {}: {} base run(s) against {} head run(s), and the time rule needs at least {MIN_RUNS} a side",
                    e.fixture, e.mode, e.base_runs, e.head_runs
                ));
            }
        }
    }
    out
}

/// Whether two results files are one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sameness {
    /// The same file (one inode).
    SameFile,
    /// Two files with the same bytes.
    SameContents,
    /// Different files.
    Different,
}

/// Whether `a` and `b` are the same file, or hold the same bytes.
fn same_file(a: &Path, b: &Path) -> Sameness {
    use std::os::unix::fs::MetadataExt;
    if let (Ok(x), Ok(y)) = (std::fs::metadata(a), std::fs::metadata(b))
        && x.dev() == y.dev()
        && x.ino() == y.ino()
    {
        return Sameness::SameFile;
    }
    match (std::fs::read(a), std::fs::read(b)) {
        (Ok(x), Ok(y)) if x == y => Sameness::SameContents,
        _ => Sameness::Different,
    }
}

/// Loads, checks and compares two results files.
pub fn compare_files(base_path: &Path, head_path: &Path, rules: Rules) -> Result<Comparison> {
    let read = |p: &Path| {
        std::fs::read_to_string(p).with_context(|| format!("cannot read {}", p.display()))
    };
    let (bt, ht) = (read(base_path)?, read(head_path)?);
    comparison::check_schema(&bt, &ht).context("cannot compare these results")?;
    let parse = |t: &str, p: &Path| {
        ResultsFile::parse(t).with_context(|| format!("{} is not a results file", p.display()))
    };
    let (base, head) = (parse(&bt, base_path)?, parse(&ht, head_path)?);
    let warnings = comparison::check_files(&base, &head).context("cannot compare these results")?;
    let pairs: Vec<Pair> = head
        .entries
        .iter()
        .map(|h| Pair {
            base: base.entry(&h.fixture, h.mode),
            head: h,
        })
        .collect();
    let cx = Setup {
        base_label: "base".into(),
        head_label: "head".into(),
        design: Design::Independent,
        rules,
        table_parallelism: head.config.table_parallelism,
        // Sharded files hold several machines: then each pair's runs decide
        // (`comparison::runs_on_one_machine`).
        same_machine: base.sharding.is_some()
            || head.sharding.is_some()
            || base.machine.key() == head.machine.key(),
        warnings,
        footer: Footer {
            commit: head.machine.short_commit(),
            baseline: format!(
                "{} ({}, {})",
                base_path.display(),
                base.machine.short_commit(),
                base.created
            ),
            runner: head.machine.describe(),
        },
    };
    Ok(comparison::build(&pairs, cx)?)
}

/// Prints a comparison in `format`.
pub fn print_comparison(c: &Comparison, format: Format) -> Result<()> {
    match format {
        Format::Table => {
            print!("{}", compare_table::render(c));
            for line in breakdown::comparison_lines(c) {
                println!("{line}");
            }
        }
        Format::Markdown => print!("{}", compare_markdown::render(c)),
        Format::Json => println!("{}", serde_json::to_string_pretty(c)?),
    }
    Ok(())
}
