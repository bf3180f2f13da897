//! How a command ended, and the one place where that becomes the process's exit status.
//!
//! Exit statuses: 0 on success; 1 when loading or running fails (the error is printed as
//! `Error: ...` with its causes); 2 for a usage error (clap, before any command runs); 3 when
//! a command found a regression (`bench compare --fail-on-regression` and `bench ab
//! --fail-on-regression` on a regression verdict, `bench nightly` on a step in time or heap,
//! `bench growth --baseline` on a heap slope past its threshold), always after the report;
//! 4 from `bench comment` when it rejects the comment (the message to post is on stdout).

use std::process::ExitCode;

/// Exit status of a command that found a regression.
pub const EXIT_REGRESSION: u8 = 3;

/// Exit status of a rejected `/bench` comment.
pub const EXIT_REJECTED: u8 = 4;

/// How a command ended (its errors are the `Err` next to it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// It did what was asked.
    Done,
    /// It found a regression and reported it; `summary`, when given, is printed to stderr as
    /// `Regression: ...` last.
    Regression {
        /// The closing line.
        summary: Option<String>,
    },
    /// `bench comment` rejected the comment (and printed the message to post).
    Rejected,
}

impl Outcome {
    /// [`Outcome::Regression`] without a closing line when `regression`, else
    /// [`Outcome::Done`].
    pub fn regression_if(regression: bool) -> Self {
        if regression {
            Outcome::Regression { summary: None }
        } else {
            Outcome::Done
        }
    }
}

/// The exit status of a command's result, after printing what the status alone does not
/// say (the error and its causes, a regression's closing line).
pub fn finish(result: anyhow::Result<Outcome>) -> ExitCode {
    match result {
        Ok(Outcome::Done) => ExitCode::SUCCESS,
        Ok(Outcome::Regression { summary }) => {
            if let Some(summary) = summary {
                eprintln!("Regression: {summary}");
            }
            ExitCode::from(EXIT_REGRESSION)
        }
        Ok(Outcome::Rejected) => ExitCode::from(EXIT_REJECTED),
        Err(error) => {
            eprintln!("Error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses() {
        assert_eq!(finish(Ok(Outcome::Done)), ExitCode::SUCCESS);
        assert_eq!(
            finish(Ok(Outcome::regression_if(true))),
            ExitCode::from(EXIT_REGRESSION)
        );
        assert_eq!(finish(Ok(Outcome::regression_if(false))), ExitCode::SUCCESS);
        assert_eq!(
            finish(Ok(Outcome::Regression {
                summary: Some("x".into())
            })),
            ExitCode::from(3)
        );
        assert_eq!(finish(Ok(Outcome::Rejected)), ExitCode::from(4));
        assert_eq!(finish(Err(anyhow::anyhow!("no"))), ExitCode::FAILURE);
    }
}
