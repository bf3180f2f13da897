//! One writer per file: [`WriteLock`] is an exclusive, non-blocking lock on `NAME.lock`
//! beside a history or results file, held for as long as a command writes it (a whole
//! `bench run`, a whole `bench nightly`). A second writer is refused at once with an error
//! naming the file, instead of both writing and one losing the other's runs or nights.
//!
//! The lock is the operating system's (`flock`, through `File::try_lock`), so a killed
//! holder releases it with its process: a crash never leaves a file locked. The lock file is
//! removed when the lock is dropped; an acquirer that finds the lock file replaced under it
//! (removed by the holder between its open and its lock) retries with the new one, so two
//! writers can never both hold a lock on different inodes of the same name.

use std::fs::{File, OpenOptions, TryLockError};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Why a file could not be locked.
#[derive(Debug, Error)]
pub enum LockError {
    /// Another process holds it.
    #[error(
        "another bench is writing {} (its lock {} is held); wait for it to finish, or \
         choose another file",
        path.display(),
        lock.display()
    )]
    Held {
        /// The file being written.
        path: PathBuf,
        /// The lock file.
        lock: PathBuf,
    },
    /// The lock file cannot be made.
    #[error("cannot lock {}", lock.display())]
    Io {
        /// The lock file.
        lock: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// An exclusive lock on writing one file; released when dropped or when the process dies.
#[derive(Debug)]
pub struct WriteLock {
    file: File,
    lock: PathBuf,
}

/// The lock file of `path`: `NAME.lock` beside it.
pub fn lock_path(path: &Path) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(".lock");
    PathBuf::from(s)
}

impl WriteLock {
    /// Locks writing `path`, or says who holds it.
    pub fn acquire(path: &Path) -> Result<Self, LockError> {
        let lock = lock_path(path);
        let io = |source| LockError::Io {
            lock: lock.clone(),
            source,
        };
        if let Some(dir) = lock.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(io)?;
        }
        for _ in 0..8 {
            let file = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&lock)
                .map_err(io)?;
            match file.try_lock() {
                Ok(()) => {}
                Err(TryLockError::WouldBlock) => {
                    return Err(LockError::Held {
                        path: path.to_path_buf(),
                        lock,
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io(e)),
            }
            // The holder may have removed the name after our open: then our lock is on a
            // file nobody else will find, and we try again with the name's current file.
            let held = file.metadata().map_err(io)?;
            match std::fs::metadata(&lock) {
                Ok(now) if now.ino() == held.ino() && now.dev() == held.dev() => {
                    return Ok(Self { file, lock });
                }
                _ => continue,
            }
        }
        Err(LockError::Held {
            path: path.to_path_buf(),
            lock,
        })
    }
}

impl Drop for WriteLock {
    fn drop(&mut self) {
        // Remove the name while still holding the lock, then release it with the file.
        let _ = std::fs::remove_file(&self.lock);
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_writer_is_refused_until_the_first_is_done() {
        let d = std::env::temp_dir().join(format!("bench-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        let path = d.join("fib.jsonl");
        let first = WriteLock::acquire(&path).unwrap();
        let e = WriteLock::acquire(&path).unwrap_err();
        assert!(matches!(e, LockError::Held { .. }), "{e}");
        assert!(e.to_string().contains("fib.jsonl"), "{e}");
        // Another file is another lock.
        let other = WriteLock::acquire(&d.join("other.json")).unwrap();
        drop(first);
        assert!(!lock_path(&path).exists());
        let again = WriteLock::acquire(&path).unwrap();
        drop((again, other));
        std::fs::remove_dir_all(d).unwrap();
    }
}
