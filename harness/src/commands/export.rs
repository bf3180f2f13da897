//! `bench export`: a results file as Bencher Metric Format or github-action-benchmark JSON
//! (`report::export`), on stdout or into a file. `--out` is never the results file and never
//! an existing file without `--force` (`store::outputs`); a file without a successful run
//! exports nothing, which is an error.

use std::path::PathBuf;

use anyhow::{Result, bail};

use crate::commands::outcome::Outcome;
use crate::model::results::ResultsFile;
use crate::report::export::{bmf, gab, measured};
use crate::store::files::write_text;
use crate::store::outputs::{Input, check_output};

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// Bencher Metric Format.
    Bmf,
    /// github-action-benchmark `customSmallerIsBetter`.
    Gab,
}

/// What `bench export` is asked.
#[derive(Clone, Debug)]
pub struct ExportRequest {
    /// The format to write.
    pub format: ExportFormat,
    /// The results file to export.
    pub file: PathBuf,
    /// Write here instead of standard output.
    pub out: Option<PathBuf>,
    /// Overwrite `out` when it exists (never the results file itself).
    pub force: bool,
}

/// Runs `bench export`.
pub fn export(request: &ExportRequest) -> Result<Outcome> {
    if let Some(out) = &request.out {
        let input = Input {
            flag: "results file",
            path: &request.file,
        };
        check_output("--out", out, &[input], request.force)?;
    }
    let file = ResultsFile::load(&request.file)?;
    let (exported, skipped) = measured(&file);
    if exported.is_empty() {
        bail!(
            "{}: no entry has a successful run, so there is nothing to export{}",
            request.file.display(),
            if skipped.is_empty() {
                String::new()
            } else {
                format!(" (failed: {})", skipped.join(", "))
            }
        );
    }
    if !skipped.is_empty() {
        eprintln!(
            "note: no successful run, not exported: {}",
            skipped.join(", ")
        );
    }
    let value = match request.format {
        ExportFormat::Bmf => bmf(&file),
        ExportFormat::Gab => serde_json::to_value(gab(&file))?,
    };
    let text = serde_json::to_string_pretty(&value)? + "\n";
    match &request.out {
        None => print!("{text}"),
        Some(path) => {
            write_text(path, &text)?;
            eprintln!("wrote {}", path.display());
        }
    }
    Ok(Outcome::Done)
}
