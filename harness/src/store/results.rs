//! Saving results files: [`save`] writes one whole through the atomic writer
//! (`store::files`), and a [`Writer`] is the [`ResultsSink`] of a measurement: it holds the
//! file's write lock (`store::lock`) for as long as it lives, so two `bench` processes never
//! write one results file, and saves after every run.

use std::path::{Path, PathBuf};

use crate::model::results::{ResultsFile, ResultsSink, SaveError};
use crate::store::files::{WriteError, write_text};
use crate::store::lock::{LockError, WriteLock};

/// Writes `file` to `path` whole and atomically.
pub fn save(path: &Path, file: &ResultsFile) -> Result<(), WriteError> {
    write_text(path, &file.to_text())
}

/// The one writer of a results file while a measurement fills it.
#[derive(Debug)]
pub struct Writer {
    path: PathBuf,
    _lock: WriteLock,
}

impl Writer {
    /// Locks `path` for writing, or says that another process writes it.
    pub fn lock(path: &Path) -> Result<Self, LockError> {
        Ok(Self {
            path: path.to_path_buf(),
            _lock: WriteLock::acquire(path)?,
        })
    }

    /// The file written.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl ResultsSink for Writer {
    fn save(&mut self, file: &ResultsFile) -> Result<(), SaveError> {
        save(&self.path, file).map_err(|e| SaveError {
            path: self.path.clone(),
            source: Box::new(e),
        })
    }
}
