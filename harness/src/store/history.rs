//! The nightly history file: JSON Lines (`reports/nightly/FIXTURE.jsonl` by default), one
//! [`HistoryRecord`] per (night, mode), append-only.
//!
//! Appending creates the parent folders; existing lines are never rewritten. Reading refuses
//! the whole file on the first bad line, naming its line number: a silently skipped night
//! would change every later window of the step rule. Blank lines are allowed.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::model::history::{HISTORY_SCHEMA_VERSION, HistoryRecord};

/// Why a history cannot be read or written.
#[derive(Debug, Error)]
pub enum HistoryError {
    /// The file cannot be read or written.
    #[error("cannot access {}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A line is not a record.
    #[error("{}:{line}: not a history record", path.display())]
    BadLine {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The cause.
        #[source]
        source: serde_json::Error,
    },
    /// A line has another schema version.
    #[error("{}:{line}: schema version {found} (this bench reads version {HISTORY_SCHEMA_VERSION})", path.display())]
    Version {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// The version found.
        found: u32,
    },
}

/// Parses a history's text (`path` only names it in errors).
pub fn parse(text: &str, path: &Path) -> Result<Vec<HistoryRecord>, HistoryError> {
    #[derive(Deserialize)]
    struct Version {
        schema_version: u32,
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let bad = |source| HistoryError::BadLine {
            path: path.to_path_buf(),
            line: i + 1,
            source,
        };
        let v: Version = serde_json::from_str(line).map_err(bad)?;
        if v.schema_version != HISTORY_SCHEMA_VERSION {
            return Err(HistoryError::Version {
                path: path.to_path_buf(),
                line: i + 1,
                found: v.schema_version,
            });
        }
        out.push(serde_json::from_str(line).map_err(bad)?);
    }
    Ok(out)
}

/// Reads a history; a missing file is an empty history.
pub fn load(path: &Path) -> Result<Vec<HistoryRecord>, HistoryError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(source) => Err(HistoryError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Appends `records`, one line each, creating the file and its folders when missing.
pub fn append(path: &Path, records: &[HistoryRecord]) -> Result<(), HistoryError> {
    let io = |source| HistoryError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let mut text = String::new();
    for r in records {
        text.push_str(&serde_json::to_string(r).expect("a record serializes"));
        text.push('\n');
    }
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    // One write of whole lines, so a reader never sees half a night.
    file.write_all(text.as_bytes()).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::night;

    #[test]
    fn append_then_load_round_trips_and_creates_folders() {
        let dir = std::env::temp_dir().join(format!("bench-history-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = dir.join("reports").join("nightly").join("fib.jsonl");
        assert!(load(&path).unwrap().is_empty());
        let a = night("2026-01-01T03:00:00Z", "default", 2.0, 100);
        let b = night("2026-01-02T03:00:00Z", "default", 2.1, 101);
        append(&path, std::slice::from_ref(&a)).unwrap();
        append(&path, std::slice::from_ref(&b)).unwrap();
        assert_eq!(load(&path).unwrap(), vec![a, b]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_corrupted_line_names_its_number() {
        let good = serde_json::to_string(&night("d", "default", 1.0, 1)).unwrap();
        let text = format!("{good}\n\n{good}\n{{\"schema_version\": 1, \"date\": 5}}\n");
        let e = parse(&text, Path::new("h.jsonl")).unwrap_err();
        assert!(matches!(e, HistoryError::BadLine { line: 4, .. }), "{e}");
        assert!(e.to_string().starts_with("h.jsonl:4:"), "{e}");
        let e = parse("not json\n", Path::new("h.jsonl")).unwrap_err();
        assert!(matches!(e, HistoryError::BadLine { line: 1, .. }), "{e}");
        let v2 = good.replace("\"schema_version\":1", "\"schema_version\":2");
        let e = parse(&v2, Path::new("h.jsonl")).unwrap_err();
        assert!(matches!(e, HistoryError::Version { found: 2, .. }), "{e}");
    }
}
