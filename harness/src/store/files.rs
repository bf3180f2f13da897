//! The one way `bench` writes a file: whole and atomically. Every file it writes (results,
//! baselines, growth baselines, the nightly history, charts, exports, plans) goes through
//! [`write_atomic`]: the bytes go to a temporary file beside the target (`.NAME.tmp`, same
//! folder, so the rename cannot cross file systems), which is flushed to disk (`fsync`) and
//! then renamed over the target, and the folder is synced so the rename itself survives a
//! crash. A reader therefore sees the old file or the new one, never a truncated mix; a
//! killed process or a full disk costs at most the write in flight.
//!
//! On any failure the temporary file is removed, so no stray `.tmp` is left behind. A kill
//! (SIGKILL, a runner that dies) cannot run that clean-up: the temporary file it leaves is
//! overwritten by the next write of the same target, and the target itself is untouched.
//!
//! The disk is a seam ([`Disk`]): tests inject a full disk (`ENOSPC` after N bytes) or a
//! failing sync without needing a tmpfs. [`STALL_ENV`] is a test hook for a kill mid-write:
//! a process whose target path contains its value stops for a minute after writing half the
//! temporary file, so a test can kill it there.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Test hook: when set, a write whose target path contains this value writes half of the
/// temporary file, syncs it, and sleeps 60 s (a test kills the process meanwhile).
pub const STALL_ENV: &str = "BENCH_TEST_STALL_WRITE";

/// Why a file could not be written. The target is unchanged whenever this is returned.
#[derive(Debug, Error)]
pub enum WriteError {
    /// Its folder cannot be created.
    #[error("cannot create {}", dir.display())]
    Create {
        /// The folder.
        dir: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file cannot be written (the temporary file was removed).
    #[error("cannot write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

impl WriteError {
    /// The I/O error underneath.
    pub fn io(&self) -> &std::io::Error {
        match self {
            Self::Create { source, .. } | Self::Write { source, .. } => source,
        }
    }
}

/// Where the bytes go: the real disk, or a test's faulty one.
pub trait Disk {
    /// Writes all of `bytes` to `file`.
    fn write(&mut self, file: &mut File, bytes: &[u8]) -> std::io::Result<()>;
    /// Flushes `file` to the device.
    fn sync(&mut self, file: &File) -> std::io::Result<()>;
}

/// The real disk.
#[derive(Clone, Copy, Debug, Default)]
pub struct RealDisk;

impl Disk for RealDisk {
    fn write(&mut self, file: &mut File, bytes: &[u8]) -> std::io::Result<()> {
        file.write_all(bytes)
    }
    fn sync(&mut self, file: &File) -> std::io::Result<()> {
        file.sync_all()
    }
}

/// The temporary file of `path`: `.NAME.tmp` in the same folder.
pub fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}.tmp"))
}

/// Writes `text` to `path` atomically (see the module docs), creating its folder.
pub fn write_text(path: &Path, text: &str) -> Result<(), WriteError> {
    write_atomic(path, text.as_bytes())
}

/// Writes `bytes` to `path` atomically on the real disk.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    write_atomic_with(&mut RealDisk, path, bytes)
}

/// Writes `bytes` to `path` atomically through `disk`.
pub fn write_atomic_with(disk: &mut dyn Disk, path: &Path, bytes: &[u8]) -> Result<(), WriteError> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|source| WriteError::Create {
        dir: dir.to_path_buf(),
        source,
    })?;
    let tmp = temp_path(path);
    let failed = |source| {
        let _ = std::fs::remove_file(&tmp);
        WriteError::Write {
            path: path.to_path_buf(),
            source,
        }
    };
    let mut file = File::create(&tmp).map_err(failed)?;
    let stall = std::env::var_os(STALL_ENV)
        .is_some_and(|s| !s.is_empty() && path.to_string_lossy().contains(&*s.to_string_lossy()));
    if stall {
        let half = bytes.len() / 2;
        disk.write(&mut file, &bytes[..half]).map_err(failed)?;
        disk.sync(&file).map_err(failed)?;
        std::thread::sleep(std::time::Duration::from_secs(60));
        disk.write(&mut file, &bytes[half..]).map_err(failed)?;
    } else {
        disk.write(&mut file, bytes).map_err(failed)?;
    }
    disk.sync(&file).map_err(failed)?;
    drop(file);
    std::fs::rename(&tmp, path).map_err(failed)?;
    // The rename is durable once the folder is synced; a folder that cannot be opened for
    // that (some file systems) still holds the complete new file.
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A disk that fills up after `room` bytes.
    struct FullDisk {
        room: usize,
    }

    impl Disk for FullDisk {
        fn write(&mut self, file: &mut File, bytes: &[u8]) -> std::io::Result<()> {
            let n = bytes.len().min(self.room);
            file.write_all(&bytes[..n])?;
            self.room -= n;
            if n < bytes.len() {
                return Err(std::io::Error::from(std::io::ErrorKind::StorageFull));
            }
            Ok(())
        }
        fn sync(&mut self, file: &File) -> std::io::Result<()> {
            file.sync_all()
        }
    }

    /// A disk whose sync fails (an I/O error reported late, as NFS does).
    struct BadSync;

    impl Disk for BadSync {
        fn write(&mut self, file: &mut File, bytes: &[u8]) -> std::io::Result<()> {
            file.write_all(bytes)
        }
        fn sync(&mut self, _: &File) -> std::io::Result<()> {
            Err(std::io::Error::other("sync failed"))
        }
    }

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("bench-files-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    fn listing(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn writes_whole_files_and_creates_folders() {
        let d = dir("ok");
        let path = d.join("a").join("b.json");
        write_text(&path, "one\n").unwrap();
        write_text(&path, "two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "two\n");
        assert_eq!(listing(&d.join("a")), ["b.json"]);
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn a_full_disk_leaves_the_old_file_and_no_temporary_file() {
        let d = dir("full");
        let path = d.join("baseline.json");
        write_text(&path, "old contents\n").unwrap();
        for room in [0, 5] {
            let e = write_atomic_with(&mut FullDisk { room }, &path, b"new contents, longer\n")
                .unwrap_err();
            assert_eq!(e.io().kind(), std::io::ErrorKind::StorageFull, "{e}");
            assert!(e.to_string().contains("baseline.json"), "{e}");
            assert_eq!(std::fs::read_to_string(&path).unwrap(), "old contents\n");
            assert_eq!(listing(&d), ["baseline.json"]);
        }
        // A new file that cannot be written is not created at all.
        let fresh = d.join("fresh.svg");
        write_atomic_with(&mut FullDisk { room: 3 }, &fresh, b"<svg/>").unwrap_err();
        assert!(!fresh.exists());
        let e = write_atomic_with(&mut BadSync, &path, b"x").unwrap_err();
        assert!(e.io().to_string().contains("sync failed"));
        assert_eq!(listing(&d), ["baseline.json"]);
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn a_stale_temporary_file_is_overwritten() {
        let d = dir("stale");
        let path = d.join("h.jsonl");
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(temp_path(&path), "half a writ").unwrap();
        write_text(&path, "whole\n").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "whole\n");
        assert_eq!(listing(&d), ["h.jsonl"]);
        std::fs::remove_dir_all(d).unwrap();
    }
}
