//! The one rule for baseline names (`bench run --baseline`, `bench growth --baseline`): a name
//! becomes a plain file or folder name under `target/bench/`, never a path.

use thiserror::Error;

/// A name that would not be a plain file or folder name.
#[derive(Debug, Error, PartialEq, Eq)]
#[error("baseline name `{0}`: use 1 to 64 letters, digits, `_`, `-` or `.`, not starting with `.`")]
pub struct BadName(pub String);

/// Checks a baseline name: 1 to 64 ASCII letters, digits, `_`, `-` or `.`, not starting
/// with `.`.
pub fn check_name(name: &str) -> Result<(), BadName> {
    let ok = !name.is_empty()
        && name.len() <= 64
        && !name.starts_with('.')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(BadName(name.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_plain_directory_names() {
        for ok in ["main", "pr-12", "v1.2_rc", "main-2026.01"] {
            assert!(check_name(ok).is_ok(), "{ok}");
        }
        for bad in ["", "../x", "a/b", ".hidden", "a b", "é", &"x".repeat(65)] {
            assert!(check_name(bad).is_err(), "{bad}");
        }
    }
}
