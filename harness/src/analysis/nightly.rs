//! One night of the nightly series, judged: each mode's median time and heap tonight against
//! the previous nights of the same fixture, mode and machine, by the step rule of
//! [`crate::analysis::trend`]. Pure.

use std::path::PathBuf;

use crate::analysis::trend::{self, StepCheck, StepRule};
use crate::model::history::HistoryRecord;

/// One mode tonight with its verdicts.
#[derive(Clone, Debug, PartialEq)]
pub struct ModeNight {
    /// Tonight's record.
    pub record: HistoryRecord,
    /// Earlier nights of this mode on this machine.
    pub previous_nights: usize,
    /// The time verdict (`None` without a measured time).
    pub time: Option<StepCheck>,
    /// The heap verdict (`None` without a measured heap).
    pub heap: Option<StepCheck>,
    /// The instruction-count verdict, against the previous night counted by the same build
    /// ([`StepRule::deterministic`]; `None` without a count).
    pub instructions: Option<StepCheck>,
}

/// Everything the summary shows.
#[derive(Clone, Debug, PartialEq)]
pub struct NightReport {
    /// Fixture.
    pub fixture: String,
    /// Tonight's date.
    pub date: String,
    /// The commit measured.
    pub commit: String,
    /// Whether the tree was dirty.
    pub dirty: bool,
    /// The machine in words.
    pub machine: String,
    /// The step rule.
    pub rule: StepRule,
    /// Per mode.
    pub modes: Vec<ModeNight>,
    /// The history file.
    pub history: PathBuf,
    /// Nights in the history on this machine, tonight included.
    pub nights: usize,
    /// The charts written.
    pub charts: Vec<PathBuf>,
}

/// Tonight's verdicts: each of `tonight` against the earlier nights of its mode and machine
/// in `past`; instruction counts against the previous night of the same build, under
/// `instructions_rule`.
pub fn judge(
    past: &[HistoryRecord],
    tonight: &[HistoryRecord],
    rule: &StepRule,
    instructions_rule: &StepRule,
) -> Result<Vec<ModeNight>, trend::TrendError> {
    tonight
        .iter()
        .map(|r| {
            let same: Vec<&HistoryRecord> = past
                .iter()
                .filter(|p| p.fixture == r.fixture && p.mode == r.mode && p.machine == r.machine)
                .collect();
            let series = |f: &dyn Fn(&HistoryRecord) -> Option<f64>| -> Vec<f64> {
                same.iter().filter_map(|p| f(p)).collect()
            };
            let time_of = |p: &HistoryRecord| p.median_prove_seconds;
            let heap_of = |p: &HistoryRecord| p.median_peak_heap_bytes.map(|b| b as f64);
            let time = time_of(r)
                .map(|t| trend::check(&series(&time_of), t, rule))
                .transpose()?;
            let heap = heap_of(r)
                .map(|h| trend::check(&series(&heap_of), h, rule))
                .transpose()?;
            let counted_alike = |p: &HistoryRecord| {
                (p.instruction_build == r.instruction_build)
                    .then_some(p.median_instructions)
                    .flatten()
                    .map(|n| n as f64)
            };
            let instructions = r
                .median_instructions
                .map(|n| trend::check(&series(&counted_alike), n as f64, instructions_rule))
                .transpose()?;
            Ok(ModeNight {
                record: r.clone(),
                previous_nights: same.len(),
                time,
                heap,
                instructions,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::night;

    fn deterministic() -> StepRule {
        StepRule::deterministic(0.5)
    }

    fn counted(date: &str, n: u64, build: &str) -> HistoryRecord {
        let mut r = night(date, "default", 2.0, 1000);
        r.median_instructions = Some(n);
        r.instruction_build = Some(build.into());
        r
    }

    #[test]
    fn instruction_counts_step_against_the_night_before_of_the_same_build() {
        let past = vec![
            counted("2026-01-01T03:00:00Z", 1_000_000, "rustc A · avx2"),
            counted("2026-01-02T03:00:00Z", 1_010_000, "rustc A · avx2"),
            // Another build counted more: not comparable, ignored.
            counted("2026-01-03T03:00:00Z", 9_000_000, "rustc B · avx2"),
        ];
        let judged = |n: u64, build: &str| {
            let m = judge(
                &past,
                &[counted("2026-01-04T03:00:00Z", n, build)],
                &StepRule::default(),
                &deterministic(),
            )
            .unwrap();
            m[0].instructions.clone().unwrap()
        };
        // One night of history is enough: the count is deterministic. +0.6 % against the
        // last night of this build (1,010,000) is a step, +0.4 % is not.
        assert!(judged(1_016_060, "rustc A · avx2").is_regression());
        assert_eq!(
            judged(1_014_040, "rustc A · avx2").direction(),
            Some(trend::Direction::Unchanged)
        );
        assert_eq!(
            judged(1_000_000, "rustc A · avx2").direction(),
            Some(trend::Direction::Improvement)
        );
        // A build with no earlier night has nothing to be judged against.
        assert!(matches!(
            judged(5, "rustc C · avx2"),
            trend::StepCheck::NotEnoughHistory { have: 0, need: 1 }
        ));
    }

    #[test]
    fn judged_against_the_same_mode_and_machine_only() {
        let mut past = Vec::new();
        for i in 0..5 {
            let d = format!("2026-01-0{}T03:00:00Z", i + 1);
            past.push(night(&d, "default", 2.0, 1000));
            past.push(night(&d, "stream-lde", 3.0, 500));
            let mut other = night(&d, "default", 9.0, 9000);
            other.machine = "Other".into();
            past.push(other);
        }
        let tonight = vec![
            night("2026-01-06T03:00:00Z", "default", 2.3, 1000),
            night("2026-01-06T03:00:00Z", "stream-lde", 3.0, 400),
        ];
        let m = judge(&past, &tonight, &StepRule::default(), &deterministic()).unwrap();
        assert_eq!(m[0].previous_nights, 5);
        assert!(m[0].time.as_ref().unwrap().is_regression());
        assert!(!m[0].heap.as_ref().unwrap().is_regression());
        assert_eq!(
            m[1].heap.as_ref().unwrap().direction(),
            Some(trend::Direction::Improvement)
        );
    }
}
