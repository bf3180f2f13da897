//! `bench compare BASE HEAD`: loads two results files, refuses comparisons that would mislead
//! (the guards of `analysis::comparison`), builds the comparison and prints it as a table,
//! markdown (a ready GitHub comment) or JSON. `bench run --baseline` and `bench ab` print
//! theirs through [`print_comparison`].
//!
//! Exit: 0, or 3 with `--fail-on-regression` when the verdict is a regression.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::analysis::comparison::{self, Comparison, Footer, Pair, Setup};
use crate::analysis::verdict::{Design, Rules};
use crate::commands::format::Format;
use crate::commands::outcome::Outcome;
use crate::model::results::ResultsFile;
use crate::report::{attribution, breakdown, compare_markdown, compare_table};

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
    print_comparison(&c, request.format)?;
    Ok(Outcome::regression_if(
        request.fail_on_regression && c.verdict.is_regression(),
    ))
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
        same_machine: base.machine.key() == head.machine.key(),
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
            print!("{}", attribution::terminal(c));
        }
        Format::Markdown => print!("{}", compare_markdown::render(c)),
        Format::Json => println!("{}", serde_json::to_string_pretty(c)?),
    }
    Ok(())
}
