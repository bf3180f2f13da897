//! The text of `bench profile` without `--json`: the prove time and where and when the peak
//! heap was reached, then what the timeline is made of.

use crate::analysis::timeline::{Raw, Timeline};
use crate::report::units::mib;

/// Two lines: the peak, then the samples and spans behind the timeline.
pub fn profile_text(timeline: &Timeline, raw: &Raw) -> String {
    format!(
        "{} · {}: prove {:.3} s, peak heap {} at {:.3} s in {}\n\
         {} samples ({} phase events, {} new peaks{}), {} phase spans\n",
        timeline.fixture,
        timeline.mode,
        timeline.prove_seconds,
        mib(Some(timeline.peak_bytes)),
        timeline.peak_seconds,
        timeline.peak_phase.as_deref().unwrap_or("-"),
        timeline.samples.len(),
        raw.events.len(),
        raw.peaks.len(),
        if raw.dropped > 0 {
            format!(", {} dropped", raw.dropped)
        } else {
            String::new()
        },
        timeline.phases.len()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::timeline::build;
    use crate::testing::raw;

    #[test]
    fn the_peak_and_the_sample_count() {
        let raw = raw();
        let t = build("fib", "default", &raw);
        assert_eq!(
            profile_text(&t, &raw),
            "fib · default: prove 4.000 s, peak heap 5050.0 MiB at 2.500 s in composition\n\
             15 samples (10 phase events, 2 new peaks), 5 phase spans\n"
        );
    }
}
