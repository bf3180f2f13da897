//! What a command agrees to write, decided before it measures anything: the one policy every
//! writer of a user-named file calls (`export --out`, `profile --svg` and `--dhat-file`,
//! `growth --svg`, `run --out`). How the bytes reach the disk is `store::files`'s.
//!
//! The rules, in the order they are checked:
//!
//! 1. **Never an input.** An output that is the same file as one of the command's inputs
//!    (same path after resolving links, or the same inode) is refused, `--force` or not:
//!    `export --format bmf a.json --out a.json` would replace the measurements with their
//!    export.
//! 2. **Never a folder.**
//! 3. **Never overwrite without `--force`.** An existing file is refused unless the command
//!    was given `--force` (commands that hold measured data, `run --out`, have no `--force`:
//!    they offer `--resume` or another path instead).
//! 4. **Writable, checked now.** The nearest existing folder on the way to the file must
//!    accept a new file: a probe file is created there and removed at once, so that an
//!    unwritable path (`/proc/x.json`, a read-only mount) fails at second zero, not after
//!    the measuring. Folders still missing are created by the writer later.
//!
//! Files a command owns by design are not user-named outputs and are replaced without
//! `--force`: the nightly charts next to the history (redrawn every night), a saved baseline
//! (`--save-baseline NAME` refreshes NAME, after `--baseline NAME` compared with it), and
//! the default `target/bench/profile-FIXTURE-MODE.svg`. Results files of `run`, `nightly`,
//! `growth` and `ab` are named by their start time. Errors name the flag and the path the
//! user gave, never a temporary file.

use std::fs::OpenOptions;
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use thiserror::Error;

/// Why a command refuses to write an output.
#[derive(Debug, Error)]
pub enum OutputError {
    /// The output is one of the inputs.
    #[error("{flag} {}: that is the input {input_flag} {}; refusing to overwrite an input", path.display(), input.display())]
    IsInput {
        /// The flag that names the output.
        flag: &'static str,
        /// The output.
        path: PathBuf,
        /// The flag (or argument name) of the input.
        input_flag: &'static str,
        /// The input as given.
        input: PathBuf,
    },
    /// The output is a folder.
    #[error("{flag} {}: is a folder, not a file", path.display())]
    Folder {
        /// The flag.
        flag: &'static str,
        /// The output.
        path: PathBuf,
    },
    /// The output exists and `--force` was not given.
    #[error("{flag} {}: the file already exists; pass --force to overwrite it", path.display())]
    Exists {
        /// The flag.
        flag: &'static str,
        /// The output.
        path: PathBuf,
    },
    /// The output's folder does not accept a new file.
    #[error("{flag} {}: cannot write there ({} does not accept a new file)", path.display(), folder.display())]
    NotWritable {
        /// The flag.
        flag: &'static str,
        /// The output.
        path: PathBuf,
        /// The nearest existing folder on the way to it.
        folder: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
}

/// One input of a command, named by the flag or argument that gave it.
#[derive(Clone, Copy, Debug)]
pub struct Input<'a> {
    /// `--results`, `FILE`, `--elf`...
    pub flag: &'static str,
    /// The path as given.
    pub path: &'a Path,
}

/// Checks that the output `path`, given by `flag`, may be written (rules 1 to 4 of the
/// module docs); `force` allows overwriting an existing file that is not an input.
pub fn check_output(
    flag: &'static str,
    path: &Path,
    inputs: &[Input<'_>],
    force: bool,
) -> Result<(), OutputError> {
    if let Some(input) = inputs.iter().find(|i| same_file(i.path, path)) {
        return Err(OutputError::IsInput {
            flag,
            path: path.to_path_buf(),
            input_flag: input.flag,
            input: input.path.to_path_buf(),
        });
    }
    if path.is_dir() {
        return Err(OutputError::Folder {
            flag,
            path: path.to_path_buf(),
        });
    }
    if path.exists() && !force {
        return Err(OutputError::Exists {
            flag,
            path: path.to_path_buf(),
        });
    }
    check_writable(flag, path)
}

/// Checks rule 4 alone (for outputs whose existence is judged elsewhere, like `run --out`
/// with `--resume`).
pub fn check_writable(flag: &'static str, path: &Path) -> Result<(), OutputError> {
    let folder = nearest_folder(path);
    let not_writable = |source| OutputError::NotWritable {
        flag,
        path: path.to_path_buf(),
        folder: folder.clone(),
        source,
    };
    if path.exists() {
        // Overwriting needs the file itself to open for writing (without truncating it).
        OpenOptions::new()
            .append(true)
            .open(path)
            .map_err(not_writable)?;
    }
    let probe = folder.join(format!(".bench-write-probe-{}", std::process::id()));
    match OpenOptions::new().write(true).create_new(true).open(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(not_writable(e)),
    }
}

/// The nearest existing folder on the way to `path` (its parent, or the parent's nearest
/// existing ancestor; `.` for a bare file name).
fn nearest_folder(path: &Path) -> PathBuf {
    let mut dir = path.parent();
    while let Some(d) = dir {
        let d = if d.as_os_str().is_empty() {
            Path::new(".")
        } else {
            d
        };
        if d.exists() {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    PathBuf::from(".")
}

/// Whether `a` and `b` are the same existing file (through links and `..` as well).
fn same_file(a: &Path, b: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (std::fs::metadata(a), std::fs::metadata(b)) {
        (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("bench-outputs-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    #[test]
    fn an_input_is_never_overwritten_even_with_force() {
        let d = dir("input");
        let input = d.join("a.json");
        std::fs::write(&input, "{}").unwrap();
        let through = d.join("sub/../a.json");
        std::fs::create_dir_all(d.join("sub")).unwrap();
        let inputs = [Input {
            flag: "FILE",
            path: &input,
        }];
        for force in [false, true] {
            let e = check_output("--out", &through, &inputs, force).unwrap_err();
            assert!(matches!(e, OutputError::IsInput { .. }), "{e}");
            assert!(
                e.to_string().contains("refusing to overwrite an input"),
                "{e}"
            );
        }
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn an_existing_file_needs_force_and_a_new_one_does_not() {
        let d = dir("exists");
        let out = d.join("out.json");
        check_output("--out", &out, &[], false).unwrap();
        assert!(!out.exists(), "the check writes nothing");
        std::fs::write(&out, "old").unwrap();
        let e = check_output("--out", &out, &[], false).unwrap_err();
        assert!(e.to_string().contains("pass --force"), "{e}");
        check_output("--out", &out, &[], true).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
        // A folder still to be made is checked at its nearest existing ancestor.
        check_output("--svg", &d.join("new/deeper/c.svg"), &[], false).unwrap();
        assert!(!d.join("new").exists());
        let e = check_output("--svg", &d, &[], true).unwrap_err();
        assert!(matches!(e, OutputError::Folder { .. }), "{e}");
        let names: Vec<_> = std::fs::read_dir(&d).unwrap().collect();
        assert_eq!(names.len(), 1, "no probe is left behind");
        std::fs::remove_dir_all(d).unwrap();
    }

    #[test]
    fn an_unwritable_folder_is_named_not_a_temporary_file() {
        let e = check_output("--out", Path::new("/proc/x.json"), &[], false).unwrap_err();
        let text = e.to_string();
        assert!(
            text.starts_with("--out /proc/x.json: cannot write there"),
            "{text}"
        );
        assert!(!text.contains("probe") && !text.contains(".tmp"), "{text}");
    }
}
