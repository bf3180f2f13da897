//! Git revisions: the one wrapper around the `git` command, the state of a tree (commit and
//! dirty flag), resolving a revision to its commit, and `bench ab`'s per-commit worktrees and
//! builds.
//!
//! A build of commit `SHA` lives in `target/bench/ab/SHA/` of the repository: its worktree
//! `src/` (`git worktree add --detach`), its worker copied to `target/` (the same relative
//! path as in a cargo target folder, `target/release/bench`), and the stamp `built` written
//! when the build succeeded. A commit never changes, so a stamped build is reused by every
//! later `bench ab` naming the same commit.
//!
//! Every revision compiles into one shared `CARGO_TARGET_DIR`, `target/bench/ab/shared/target`
//! (one per variant), so the dependencies are compiled once and each further revision
//! compiles only the workspace's own crates (and the dependencies its `Cargo.lock` changes).
//! Each revision keeps its own worktree because its worker reads that worktree at run time
//! (the fixture catalogue and the git state, found from the crate's manifest folder), so the
//! trees cannot be shared; cargo's artifacts can. The worker is copied out right after its
//! build, under an exclusive lock (`shared/build.lock`, `flock`), since the next revision's
//! build overwrites the uplifted binary. The shared folder is never the repository's own
//! `target/`: that would overwrite the `bench` being run.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};

use thiserror::Error;

use crate::model::machine::short_hash;

/// Why a git command or a build failed.
#[derive(Debug, Error)]
pub enum RevisionError {
    /// `git` could not be started.
    #[error("cannot run git")]
    Spawn(#[source] std::io::Error),
    /// `git` exited with an error.
    #[error("git {args} failed: {stderr}")]
    Git {
        /// Its arguments.
        args: String,
        /// Its standard error, trimmed.
        stderr: String,
    },
    /// The revision names no commit.
    #[error("`{rev}` is not a commit of {}", root.display())]
    NotACommit {
        /// The revision.
        rev: String,
        /// The repository.
        root: PathBuf,
        /// The cause.
        #[source]
        source: Box<RevisionError>,
    },
    /// A folder, the worker or the stamp cannot be written.
    #[error("cannot {what} {}", path.display())]
    Io {
        /// `create`, `write` or `copy the worker to`.
        what: &'static str,
        /// The path.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The worktree is at another commit.
    #[error("{} is at {at}, not {sha}: remove it (git worktree remove) and run again", src.display())]
    WrongWorktree {
        /// The worktree.
        src: PathBuf,
        /// Its commit.
        at: String,
        /// The commit wanted.
        sha: String,
    },
    /// The build could not be started.
    #[error("cannot start the build of {sha}")]
    BuildSpawn {
        /// The commit.
        sha: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The build failed.
    #[error("the build of {sha} failed ({status})")]
    BuildFailed {
        /// The commit.
        sha: String,
        /// Its exit status.
        status: ExitStatus,
    },
    /// The lock on the shared build folder could not be taken.
    #[error("cannot lock {}", path.display())]
    Lock {
        /// The lock file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The build left no worker.
    #[error("the build of {sha} left no worker at {}", exe.display())]
    NoWorker {
        /// The commit.
        sha: String,
        /// Where the worker should be.
        exe: PathBuf,
    },
}

/// Runs `git -C dir ARGS` and returns its standard output, trimmed.
pub fn git<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Result<String, RevisionError> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .map_err(RevisionError::Spawn)?;
    if !out.status.success() {
        return Err(RevisionError::Git {
            args: args
                .iter()
                .map(|a| a.as_ref().to_string_lossy())
                .collect::<Vec<_>>()
                .join(" "),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        });
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// The commit of the tree at `dir` (`unknown` without git or a tree) and whether tracked
/// files differ from it.
pub fn state(dir: &Path) -> (String, bool) {
    let sha = git(dir, &["rev-parse", "HEAD"]).unwrap_or_else(|_| "unknown".to_string());
    let dirty =
        git(dir, &["status", "--porcelain", "--untracked-files=no"]).is_ok_and(|s| !s.is_empty());
    (sha, dirty)
}

/// The root of the repository holding `dir`.
pub fn toplevel(dir: &Path) -> Result<PathBuf, RevisionError> {
    git(dir, &["rev-parse", "--show-toplevel"]).map(PathBuf::from)
}

/// The full commit sha of `rev` in the repository at `root`.
pub fn resolve(root: &Path, rev: &str) -> Result<String, RevisionError> {
    let spec = format!("{rev}^{{commit}}");
    git(
        root,
        &["rev-parse", "--verify", "--end-of-options", spec.as_str()],
    )
    .map_err(|source| RevisionError::NotACommit {
        rev: rev.to_string(),
        root: root.to_path_buf(),
        source: Box::new(source),
    })
}

/// How to build one revision.
#[derive(Clone, Debug)]
pub struct BuildSpec {
    /// Replaces `cargo build --release -p harness` (run in the worktree).
    pub command: Option<PathBuf>,
    /// The worker, relative to `CARGO_TARGET_DIR`.
    pub worker: PathBuf,
}

/// Which build of a revision: the native one (`target/`, the workspace's own flags), or one
/// with other `RUSTFLAGS` in its own target folder (the instruction worker, which valgrind
/// must be able to run).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Variant {
    /// The target folder's name inside the revision's folder.
    pub target: &'static str,
    /// `RUSTFLAGS` for the build, replacing the workspace's `build.rustflags`.
    pub rustflags: Option<&'static str>,
}

impl Variant {
    /// The native build.
    pub const NATIVE: Variant = Variant {
        target: "target",
        rustflags: None,
    };
    /// The build valgrind can run (no AVX-512), with v0 symbol names: they carry generic
    /// arguments, so that a closure called through a shim (`<&mut F as FnMut>::call_mut`)
    /// is named, and the instruction tables can group it under its function.
    pub const X86_64_V3: Variant = Variant {
        target: "target-x86-64-v3",
        rustflags: Some("-C target-cpu=x86-64-v3 -C symbol-mangling-version=v0"),
    };
}

/// The worker of commit `sha` of the repository at `root`, built in the folder `dir` (its
/// worktree, copied worker and stamp) through the shared cargo folder `shared`: made once and
/// then reused. `note` hears what happens (reusing a build, starting one).
pub fn ensure_build(
    root: &Path,
    dir: &Path,
    shared: &Path,
    sha: &str,
    spec: &BuildSpec,
    variant: Variant,
    note: &mut dyn FnMut(String),
) -> Result<PathBuf, RevisionError> {
    let dir = dir.to_path_buf();
    let src = dir.join("src");
    let stamp = if variant == Variant::NATIVE {
        dir.join("built")
    } else {
        dir.join(format!("built-{}", variant.target))
    };
    let exe = dir.join(variant.target).join(&spec.worker);
    let create = |path: &Path| {
        std::fs::create_dir_all(path).map_err(|source| RevisionError::Io {
            what: "create",
            path: path.to_path_buf(),
            source,
        })
    };
    if !src.exists() {
        create(&dir)?;
        git(
            root,
            &[
                OsStr::new("worktree"),
                OsStr::new("add"),
                OsStr::new("--detach"),
                src.as_os_str(),
                OsStr::new(sha),
            ],
        )?;
    }
    let at = git(&src, &["rev-parse", "HEAD"])?;
    if at != sha {
        return Err(RevisionError::WrongWorktree {
            src,
            at,
            sha: sha.to_string(),
        });
    }
    if stamp.exists() && exe.exists() {
        note(format!(
            "build cache: reusing the build of {}",
            short_hash(sha, 12)
        ));
        return Ok(exe);
    }
    build_into(&src, shared, sha, spec, variant, &exe, note)?;
    std::fs::write(&stamp, b"").map_err(|source| RevisionError::Io {
        what: "write",
        path: stamp,
        source,
    })?;
    Ok(exe)
}

/// Builds the tree at `src` (of commit `what`, a sha or a description) through the shared
/// cargo folder `shared`, under its lock, and copies the worker to `exe`.
fn build_into(
    src: &Path,
    shared: &Path,
    what: &str,
    spec: &BuildSpec,
    variant: Variant,
    exe: &Path,
    note: &mut dyn FnMut(String),
) -> Result<(), RevisionError> {
    let create = |path: &Path| {
        std::fs::create_dir_all(path).map_err(|source| RevisionError::Io {
            what: "create",
            path: path.to_path_buf(),
            source,
        })
    };
    create(shared)?;
    let _lock = BuildLock::take(&shared.join("build.lock"))?;
    let target = shared.join(variant.target);
    note(format!(
        "building {}{} in {} (cargo folder {}, shared by every revision)",
        if what.len() == 40 {
            short_hash(what, 12).to_string()
        } else {
            what.to_string()
        },
        variant
            .rustflags
            .map_or(String::new(), |f| format!(" with RUSTFLAGS=\"{f}\"")),
        src.display(),
        target.display()
    ));
    let mut cmd = match &spec.command {
        Some(program) => Command::new(src.join(program)),
        None => {
            let mut c = Command::new("cargo");
            c.args(["build", "--release", "-p", "harness"]);
            c
        }
    };
    if let Some(flags) = variant.rustflags {
        cmd.env("RUSTFLAGS", flags);
    }
    let status = cmd
        .current_dir(src)
        .env("CARGO_TARGET_DIR", &target)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .status()
        .map_err(|source| RevisionError::BuildSpawn {
            sha: what.to_string(),
            source,
        })?;
    if !status.success() {
        return Err(RevisionError::BuildFailed {
            sha: what.to_string(),
            status,
        });
    }
    let built = target.join(&spec.worker);
    if !built.is_file() {
        return Err(RevisionError::NoWorker {
            sha: what.to_string(),
            exe: built,
        });
    }
    if let Some(parent) = exe.parent() {
        create(parent)?;
    }
    std::fs::copy(&built, exe).map_err(|source| RevisionError::Io {
        what: "copy the worker to",
        path: exe.to_path_buf(),
        source,
    })?;
    Ok(())
}

/// The worker built from the working tree at `root` as it is now (tracked changes
/// included), in `dir/<variant target>/` through the shared cargo folder `shared`. Never
/// cached by commit: cargo rebuilds only what changed.
pub fn build_working_tree(
    root: &Path,
    dir: &Path,
    shared: &Path,
    spec: &BuildSpec,
    variant: Variant,
    note: &mut dyn FnMut(String),
) -> Result<PathBuf, RevisionError> {
    let exe = dir.join(variant.target).join(&spec.worker);
    build_into(root, shared, "the working tree", spec, variant, &exe, note)?;
    Ok(exe)
}

/// An exclusive `flock` on a file, released when dropped (or when the process dies).
struct BuildLock(std::fs::File);

impl BuildLock {
    fn take(path: &Path) -> Result<Self, RevisionError> {
        use std::os::fd::AsRawFd;
        let err = |source| RevisionError::Lock {
            path: path.to_path_buf(),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(err)?;
        // SAFETY: flock on a descriptor this struct owns for as long as the lock lives.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(err(std::io::Error::last_os_error()));
        }
        Ok(Self(file))
    }
}

impl Drop for BuildLock {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is open; unlocking cannot invalidate it.
        unsafe {
            libc::flock(self.0.as_raw_fd(), libc::LOCK_UN);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn this_tree_has_a_commit_and_bad_revisions_are_named() {
        let here = Path::new(env!("CARGO_MANIFEST_DIR"));
        let root = toplevel(here).unwrap();
        let (sha, _) = state(&root);
        assert_eq!(resolve(&root, "HEAD").unwrap(), sha);
        let e = resolve(&root, "no-such-revision-xyz").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("`no-such-revision-xyz` is not a commit of "),
            "{e}"
        );
    }
}
