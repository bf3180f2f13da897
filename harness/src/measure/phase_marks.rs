//! [`PhaseMarks`]: cuts the worker's instruction count at every phase boundary, so that
//! callgrind writes one count per span of the prove (`measure::callgrind` reads them back).
//!
//! The marks are callgrind client requests (`measure::client_request::dump_stats_at`): each
//! writes the instructions since the previous mark under the label of the span that just
//! ended and zeroes the counters, so the spans of one process partition its whole count.
//! Not under callgrind, a mark is about ten no-op instructions, plus a lock taken at each
//! phase event (some hundreds of events per prove).
//!
//! The spans, in the order a prove walks them:
//! * `outside` until [`PhaseMarks::begin`] (process start, argument parsing, loading the
//!   program) and again after [`PhaseMarks::end`] (verifying, printing the record, exit);
//! * `execute+trace` from `begin` to the first phase start (execution and routing the log
//!   into the tables, the name the profile gives the same span);
//! * a phase owns the span from its first start to the start of another phase (its own
//!   instances' glue included), the last one up to `end`;
//! * with verify-and-drop each epoch's spans are labelled `epochN/PHASE`, and the span from
//!   an epoch's `queries` end to the next epoch's first phase is `epochN/verify+execute`
//!   (the epoch's verification and the next epoch's execution, which the prover does not
//!   announce apart).
//!
//! Test seam: with `BENCH_TEST_INJECT=PHASE:N` in the environment, every span of `PHASE`
//! starts by running [`injected_test_loop`] for `N` iterations (a worker prints a warning on
//! stderr when it is set). The integration test `attribution` uses it to check that extra
//! work lands in its phase and tops the function table; nothing else sets it.

use std::ffi::CString;
use std::sync::Mutex;

use prover::stark::{Phase, ProveObserver, Target};

use crate::analysis::timeline::PRELUDE;
use crate::measure::client_request::dump_stats_at;

/// The label of the spans outside the prove.
pub const OUTSIDE: &str = "outside";

/// The label of the span between two epochs (verify-and-drop).
pub const BETWEEN_EPOCHS: &str = "verify+execute";

/// The environment variable of the test seam (see the module docs).
pub const INJECT_ENV: &str = "BENCH_TEST_INJECT";

/// Extra work for the test seam: `n` rounds of a multiply-add chain the optimiser cannot
/// remove. Never inlined, so that it is a function of its own in the counts.
#[inline(never)]
pub fn injected_test_loop(n: u64) -> u64 {
    let mut x = std::hint::black_box(0x9e37_79b9_7f4a_7c15u64);
    for i in 0..n {
        x = std::hint::black_box(x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(i));
    }
    x
}

/// Parses the test seam's value: `PHASE:N` with a phase name of [`Phase::name`].
pub fn parse_inject(value: &str) -> Option<(Phase, u64)> {
    let (name, n) = value.split_once(':')?;
    let phase = Phase::ALL.into_iter().find(|p| p.name() == name)?;
    Some((phase, n.parse().ok()?))
}

/// Which span the instructions are in now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Span {
    Outside,
    Prelude,
    Phase(Phase),
    Between,
}

#[derive(Debug)]
struct State {
    span: Span,
    epoch: u32,
}

/// Marks the phase boundaries for callgrind, passing every event on to `inner`.
#[derive(Debug)]
pub struct PhaseMarks<'a, O> {
    inner: &'a O,
    epochs: bool,
    state: Mutex<State>,
    inject: Option<(Phase, u64)>,
}

impl<'a, O: ProveObserver> PhaseMarks<'a, O> {
    /// Marks around `inner`; `epochs` when the prove runs in verify-and-drop epochs.
    /// `inject` is the test seam's setting ([`parse_inject`]).
    pub fn new(inner: &'a O, epochs: bool, inject: Option<(Phase, u64)>) -> Self {
        Self {
            inner,
            epochs,
            state: Mutex::new(State {
                span: Span::Outside,
                epoch: 0,
            }),
            inject,
        }
    }

    fn label(&self, s: &State) -> CString {
        let name = match s.span {
            Span::Outside => return CString::new(OUTSIDE).expect("no NUL"),
            Span::Prelude => PRELUDE,
            Span::Phase(p) => p.name(),
            Span::Between => BETWEEN_EPOCHS,
        };
        let text = if self.epochs && s.span != Span::Prelude {
            format!("epoch{}/{name}", s.epoch)
        } else {
            name.to_string()
        };
        CString::new(text).expect("labels have no NUL")
    }

    /// Ends the current span under its label and starts `next`.
    fn cut(&self, s: &mut State, next: Span) {
        dump_stats_at(&self.label(s));
        s.span = next;
    }

    /// The prove starts: what ran so far is `outside`.
    pub fn begin(&self) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        self.cut(&mut s, Span::Prelude);
    }

    /// The prove returned: what follows is `outside` again.
    pub fn end(&self) {
        let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
        self.cut(&mut s, Span::Outside);
    }
}

impl<O: ProveObserver> ProveObserver for PhaseMarks<'_, O> {
    fn phase_start(&self, phase: Phase, target: Target) {
        {
            let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if s.span != Span::Phase(phase) {
                let after_epoch = s.span == Span::Between;
                self.cut(&mut s, Span::Phase(phase));
                if after_epoch {
                    s.epoch += 1;
                }
                if let Some((p, n)) = self.inject
                    && p == phase
                {
                    std::hint::black_box(injected_test_loop(n));
                }
            }
        }
        self.inner.phase_start(phase, target);
    }

    fn phase_end(&self, phase: Phase, target: Target) {
        self.inner.phase_end(phase, target);
        if self.epochs && phase == Phase::Queries {
            let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
            // The verification of this epoch follows, then the next epoch's execution.
            self.cut(&mut s, Span::Between);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use prover::stark::NoObserver;

    #[test]
    fn the_seam_parses_a_phase_and_a_count() {
        assert_eq!(
            parse_inject("composition:1000"),
            Some((Phase::Composition, 1000))
        );
        assert_eq!(parse_inject("nope:1"), None);
        assert_eq!(parse_inject("fri"), None);
        assert_eq!(parse_inject("fri:x"), None);
    }

    #[test]
    fn spans_follow_the_phases_and_epochs() {
        let marks = PhaseMarks::new(&NoObserver, true, None);
        let label = |m: &PhaseMarks<NoObserver>| {
            let s = m.state.lock().unwrap();
            m.label(&s).into_string().unwrap()
        };
        assert_eq!(label(&marks), "outside");
        marks.begin();
        assert_eq!(label(&marks), "execute+trace");
        marks.phase_start(Phase::MainCommit, Target::Proof);
        marks.phase_end(Phase::MainCommit, Target::Proof);
        assert_eq!(label(&marks), "epoch0/main_commit");
        marks.phase_start(Phase::Queries, Target::Proof);
        marks.phase_end(Phase::Queries, Target::Proof);
        assert_eq!(label(&marks), "epoch0/verify+execute");
        marks.phase_start(Phase::MainCommit, Target::Proof);
        assert_eq!(label(&marks), "epoch1/main_commit");
        marks.end();
        assert_eq!(label(&marks), "outside");
        assert_ne!(injected_test_loop(3), injected_test_loop(4));
    }
}
