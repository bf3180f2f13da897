//! Saved growth baselines of `bench growth`: the slopes of one family as
//! `target/bench/growth-baselines/NAME.json`, named by the one baseline name rule.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::analysis::growth::GrowthReport;
use crate::store::files::{WriteError, write_text};
use crate::store::names::{BadName, check_name};
use crate::store::paths::GROWTH_BASELINES;

/// Version of the baseline file layout.
pub const SCHEMA_VERSION: u32 = 1;

/// A saved baseline.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GrowthBaseline {
    /// [`SCHEMA_VERSION`].
    pub schema_version: u32,
    /// When it was saved.
    pub created: String,
    /// The machine the slopes came from (`Machine::key`), when known.
    pub machine: Option<String>,
    /// The report.
    pub report: GrowthReport,
}

/// Why a growth baseline could not be read or written.
#[derive(Debug, Error)]
pub enum GrowthBaselineError {
    /// A name that would not be a plain file name.
    #[error(transparent)]
    Name(#[from] BadName),
    /// The file cannot be read.
    #[error("cannot read growth baseline {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is not a baseline.
    #[error("{} is not a growth baseline", path.display())]
    NotBaseline {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// Another layout.
    #[error("{}: schema version {found} (this bench reads {SCHEMA_VERSION})", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u32,
    },
    /// It cannot be encoded.
    #[error("cannot encode the growth baseline")]
    Encode(#[source] serde_json::Error),
    /// It cannot be written.
    #[error(transparent)]
    Write(#[from] WriteError),
}

/// The file of baseline `name`.
pub fn path(name: &str) -> Result<PathBuf, BadName> {
    check_name(name)?;
    Ok(Path::new(GROWTH_BASELINES).join(format!("{name}.json")))
}

/// Reads baseline `name`.
pub fn load(name: &str) -> Result<GrowthBaseline, GrowthBaselineError> {
    let path = path(name)?;
    let text = std::fs::read_to_string(&path).map_err(|source| GrowthBaselineError::Read {
        path: path.clone(),
        source,
    })?;
    let saved: GrowthBaseline =
        serde_json::from_str(&text).map_err(|source| GrowthBaselineError::NotBaseline {
            path: path.clone(),
            source,
        })?;
    if saved.schema_version != SCHEMA_VERSION {
        return Err(GrowthBaselineError::Version {
            path,
            found: saved.schema_version,
        });
    }
    Ok(saved)
}

/// Saves `baseline` as `name`; returns its path.
pub fn save(name: &str, baseline: &GrowthBaseline) -> Result<PathBuf, GrowthBaselineError> {
    let path = path(name)?;
    let text = serde_json::to_string_pretty(baseline).map_err(GrowthBaselineError::Encode)?;
    write_text(&path, &(text + "\n"))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn baseline_names_are_plain() {
        assert_eq!(
            path("main-2026.01").unwrap(),
            Path::new("target/bench/growth-baselines/main-2026.01.json")
        );
        assert!(path("../x").is_err());
        assert!(path("a/b").is_err());
        assert!(path("").is_err());
    }
}
