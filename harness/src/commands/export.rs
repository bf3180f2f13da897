//! `bench export`: a results file as Bencher Metric Format or github-action-benchmark JSON
//! (`report::export`), on stdout or into a file.

use std::path::PathBuf;

use anyhow::Result;

use crate::commands::outcome::Outcome;
use crate::model::results::ResultsFile;
use crate::report::export::{bmf, gab, measured};
use crate::store::files::write_text;

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
}

/// Runs `bench export`.
pub fn export(request: &ExportRequest) -> Result<Outcome> {
    let file = ResultsFile::load(&request.file)?;
    let (_, skipped) = measured(&file);
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
