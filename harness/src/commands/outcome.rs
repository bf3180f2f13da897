//! How a command ended, and the one place where that becomes the process's exit status.
//!
//! Exit statuses: 0 on success; 1 when loading or running fails (the error is printed as
//! `Error: ...` with its causes); 2 for a usage error (clap, before any command runs); 3 when
//! a command found a regression (`bench compare --fail-on-regression` and `bench ab
//! --fail-on-regression` on a regression verdict, `bench nightly` on a step in time or heap,
//! `bench growth --baseline` on a heap slope past its threshold), always after the report;
//! 4 from `bench comment` when it rejects the comment (the message to post is on stdout);
//! 5 when a gate could reach no verdict (`bench compare --fail-on-regression` and `bench ab
//! --fail-on-regression` on a withheld verdict: every run of a side failed, or a side is
//! missing; `bench nightly` when a mode's runs failed tonight, so it was not judged), also
//! after the report.
//!
//! Why a status of its own: a gate fails closed. "No verdict" must not read as success (0),
//! and CI must tell it apart from a regression (3), which blames the change, and from an
//! error (1), where nothing was reported at all. An inconclusive prove time is a verdict
//! (the noise is reported with the runs that would settle it), so it exits 0.

use std::process::ExitCode;

use crate::analysis::verdict::Verdict;

/// Exit status of a command that found a regression.
pub const EXIT_REGRESSION: u8 = 3;

/// Exit status of a rejected `/bench` comment.
pub const EXIT_REJECTED: u8 = 4;

/// Exit status of a gate that could reach no verdict.
pub const EXIT_NO_VERDICT: u8 = 5;

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
    /// A gate reached no verdict and reported why; `summary` is printed to stderr as `No
    /// verdict: ...` last.
    NoVerdict {
        /// The closing line.
        summary: String,
    },
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

impl Outcome {
    /// What a comparison's `verdict` means for a gate: with `gate` (`--fail-on-regression`)
    /// a regression is [`Outcome::Regression`] and a withheld verdict is
    /// [`Outcome::NoVerdict`] (fail closed); without it, [`Outcome::Done`].
    pub fn of_verdict(gate: bool, verdict: &Verdict) -> Self {
        match verdict {
            _ if !gate => Outcome::Done,
            Verdict::Regression { .. } => Outcome::Regression { summary: None },
            Verdict::Withheld { why } => Outcome::NoVerdict {
                summary: why
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            },
            _ => Outcome::Done,
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
        Ok(Outcome::NoVerdict { summary }) => {
            eprintln!("No verdict: {summary}");
            ExitCode::from(EXIT_NO_VERDICT)
        }
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
    fn a_gate_fails_closed_on_a_withheld_verdict() {
        use crate::analysis::verdict::Withholding;
        let withheld = Verdict::Withheld {
            why: vec![Withholding::NothingToCompare],
        };
        assert_eq!(
            Outcome::of_verdict(true, &withheld),
            Outcome::NoVerdict {
                summary: "nothing to compare".into()
            }
        );
        assert_eq!(Outcome::of_verdict(false, &withheld), Outcome::Done);
        assert_eq!(Outcome::of_verdict(true, &Verdict::NoChange), Outcome::Done);
        let regression = Verdict::Regression { what: vec![] };
        assert_eq!(
            Outcome::of_verdict(true, &regression),
            Outcome::Regression { summary: None }
        );
        assert_eq!(Outcome::of_verdict(false, &regression), Outcome::Done);
    }

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
        assert_eq!(
            finish(Ok(Outcome::NoVerdict {
                summary: "x".into()
            })),
            ExitCode::from(5)
        );
        assert_eq!(finish(Err(anyhow::anyhow!("no"))), ExitCode::FAILURE);
    }
}
