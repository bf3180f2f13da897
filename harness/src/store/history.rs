//! The nightly history file: JSON Lines (`reports/nightly/FIXTURE.jsonl` by default), one
//! [`HistoryRecord`] per (night, mode), append-only.
//!
//! Appending creates the parent folders; existing lines are never changed. Reading refuses
//! the whole file on a bad line in the middle, naming its line number: a silently skipped
//! night would change every later window of the step rule. Blank lines are allowed.
//!
//! Crash safety. An append rewrites the file whole through the atomic writer
//! (`store::files`: a temporary file, fsync, a rename), so a kill or a full disk during an
//! append leaves the history as it was, never half a line. A history can still end in a
//! torn line (written by an older `bench` with a plain append, a copy cut short, a disk
//! that filled under another writer): a last line that is not JSON is then [`Torn`], not an
//! error. [`load`] reports it and reads every night before it; [`append`] sets it aside,
//! appended to `FILE.torn` beside the history (so nothing is silently dropped), and writes
//! the history without it, tonight's records after the last whole line. Only the last line
//! can be torn; a corrupt line followed by a whole one is an error that names it.
//!
//! Writers lock the file (`store::lock`): a second `bench nightly` on one history is refused.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use thiserror::Error;

use crate::model::history::{HISTORY_SCHEMA_VERSION, HistoryRecord};
use crate::store::files::{WriteError, write_text};

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
    /// The history or its `.torn` file cannot be written (the history is unchanged).
    #[error(transparent)]
    Write(#[from] WriteError),
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

/// A history read: its records, and the torn last line set apart, if there was one.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Every whole record, in file order.
    pub records: Vec<HistoryRecord>,
    /// The last line, when it is not JSON.
    pub torn: Option<Torn>,
}

/// A last line that is not JSON: what a kill or a full disk mid-append leaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Torn {
    /// 1-based line number.
    pub line: usize,
    /// The line's text, as found.
    pub text: String,
    /// Why it does not parse.
    pub error: String,
}

/// Parses a history's text (`path` only names it in errors).
pub fn parse(text: &str, path: &Path) -> Result<History, HistoryError> {
    #[derive(Deserialize)]
    struct Version {
        schema_version: u32,
    }
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l))
        .collect();
    let mut out = History::default();
    for (k, &(n, line)) in lines.iter().enumerate() {
        let bad = |source| HistoryError::BadLine {
            path: path.to_path_buf(),
            line: n,
            source,
        };
        let v: Version = match serde_json::from_str::<serde_json::Value>(line) {
            Err(e) if k + 1 == lines.len() => {
                out.torn = Some(Torn {
                    line: n,
                    text: line.to_string(),
                    error: e.to_string(),
                });
                break;
            }
            Err(e) => return Err(bad(e)),
            Ok(value) => serde_json::from_value(value).map_err(bad)?,
        };
        if v.schema_version != HISTORY_SCHEMA_VERSION {
            return Err(HistoryError::Version {
                path: path.to_path_buf(),
                line: n,
                found: v.schema_version,
            });
        }
        out.records.push(serde_json::from_str(line).map_err(bad)?);
    }
    Ok(out)
}

/// Reads a history; a missing file is an empty history.
pub fn load(path: &Path) -> Result<History, HistoryError> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, path),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(History::default()),
        Err(source) => Err(HistoryError::Io {
            path: path.to_path_buf(),
            source,
        }),
    }
}

/// Where a torn line of `path` is set aside: `FILE.torn` beside it.
pub fn torn_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".torn");
    PathBuf::from(s)
}

/// Appends `records`, one line each, creating the file and its folders when missing; a torn
/// last line is set aside into [`torn_path`] first and returned. The caller holds the
/// history's write lock.
pub fn append(path: &Path, records: &[HistoryRecord]) -> Result<Option<Torn>, HistoryError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(source) => {
            return Err(HistoryError::Io {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let history = parse(&text, path)?;
    let mut kept: String = match &history.torn {
        // Everything before the torn line, byte for byte.
        Some(t) => text
            .lines()
            .take(t.line - 1)
            .map(|l| format!("{l}\n"))
            .collect(),
        None => text.clone(),
    };
    if !kept.is_empty() && !kept.ends_with('\n') {
        kept.push('\n');
    }
    if let Some(t) = &history.torn {
        let aside = torn_path(path);
        let mut old = std::fs::read_to_string(&aside).unwrap_or_default();
        old.push_str(&t.text);
        old.push('\n');
        write_text(&aside, &old)?;
    }
    for r in records {
        kept.push_str(&serde_json::to_string(r).expect("a record serializes"));
        kept.push('\n');
    }
    write_text(path, &kept)?;
    Ok(history.torn)
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
        assert!(load(&path).unwrap().records.is_empty());
        let a = night("2026-01-01T03:00:00Z", "default", 2.0, 100);
        let b = night("2026-01-02T03:00:00Z", "default", 2.1, 101);
        append(&path, std::slice::from_ref(&a)).unwrap();
        append(&path, std::slice::from_ref(&b)).unwrap();
        assert_eq!(load(&path).unwrap().records, vec![a, b]);
        let text = std::fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), 2);
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn a_corrupted_line_names_its_number() {
        let good = serde_json::to_string(&night("d", "default", 1.0, 1)).unwrap();
        let text = format!("{good}\n\n{good}\n{{\"schema_version\": 1, \"date\": 5}}\n{good}\n");
        let e = parse(&text, Path::new("h.jsonl")).unwrap_err();
        assert!(matches!(e, HistoryError::BadLine { line: 4, .. }), "{e}");
        assert!(e.to_string().starts_with("h.jsonl:4:"), "{e}");
        let e = parse(&format!("not json\n{good}\n"), Path::new("h.jsonl")).unwrap_err();
        assert!(matches!(e, HistoryError::BadLine { line: 1, .. }), "{e}");
        // Valid JSON that is not a record is corrupt even as the last line.
        let e = parse(
            "{\"schema_version\": 1, \"date\": 5}\n",
            Path::new("h.jsonl"),
        )
        .unwrap_err();
        assert!(matches!(e, HistoryError::BadLine { line: 1, .. }), "{e}");
        let v2 = good.replace("\"schema_version\":1", "\"schema_version\":2");
        let e = parse(&v2, Path::new("h.jsonl")).unwrap_err();
        assert!(matches!(e, HistoryError::Version { found: 2, .. }), "{e}");
    }

    /// The bug this pins: one torn last line made every later `bench nightly` fail with
    /// `not a history record: EOF while parsing`, so no night was appended again.
    #[test]
    fn a_torn_last_line_is_set_aside_not_fatal() {
        let dir = std::env::temp_dir().join(format!("bench-torn-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("fib.jsonl");
        let a = night("2026-01-01T03:00:00Z", "default", 2.0, 100);
        let b = night("2026-01-02T03:00:00Z", "default", 2.1, 101);
        let whole = serde_json::to_string(&a).unwrap();
        let cut = &serde_json::to_string(&b).unwrap()[..40];
        std::fs::write(&path, format!("{whole}\n{cut}")).unwrap();
        let read = load(&path).unwrap();
        assert_eq!(read.records, vec![a.clone()]);
        let torn = read.torn.unwrap();
        assert_eq!((torn.line, torn.text.as_str()), (2, cut));
        assert!(torn.error.contains("EOF while parsing"), "{}", torn.error);
        // Reading changes nothing; appending sets the line aside and writes after `a`.
        assert!(!torn_path(&path).exists());
        let set_aside = append(&path, std::slice::from_ref(&b)).unwrap().unwrap();
        assert_eq!(set_aside.line, 2);
        assert_eq!(
            std::fs::read_to_string(torn_path(&path)).unwrap(),
            format!("{cut}\n")
        );
        let after = load(&path).unwrap();
        assert_eq!(after.records, vec![a, b]);
        assert!(after.torn.is_none());
        assert!(append(&path, &[]).unwrap().is_none());
        std::fs::remove_dir_all(dir).unwrap();
    }
}
