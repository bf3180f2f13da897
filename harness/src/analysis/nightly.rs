//! One night of the nightly series, judged: each mode's median time tonight against the
//! previous nights of the same fixture, mode and machine, its exact peak heap against the
//! previous nights of the fixture and mode on any machine (the heap does not depend on the
//! CPU at a fixed table parallelism, which sharded plans pin), and its instruction count
//! against the previous night counted by the same build, by the step rule of
//! [`crate::analysis::trend`]. Pure.

use std::path::PathBuf;

use crate::analysis::trend::{self, Night, StepCheck, StepRule};
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
    /// The step rules.
    pub rules: NightRules,
    /// Per mode.
    pub modes: Vec<ModeNight>,
    /// The history file.
    pub history: PathBuf,
    /// Nights in the history on this machine, tonight included.
    pub nights: usize,
    /// The charts written.
    pub charts: Vec<PathBuf>,
}

/// The rules of one night: time under `time` (its `series` set to the number of modes
/// judged tonight, the multiple-comparison correction), heap and instruction counts under
/// their deterministic rules.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct NightRules {
    /// Prove time.
    pub time: StepRule,
    /// Peak heap.
    pub heap: StepRule,
    /// Instruction counts.
    pub instructions: StepRule,
}

/// The time series' night of a record.
pub fn time_night(r: &HistoryRecord) -> Option<Night> {
    r.median_prove_seconds.map(|value| Night {
        value,
        runs: r.runs,
        spread_pct: r.time_spread_pct,
    })
}

/// The heap series' night of a record (exact: no spread needed).
pub fn heap_night(r: &HistoryRecord) -> Option<Night> {
    r.median_peak_heap_bytes.map(|b| Night::exact(b as f64))
}

/// Tonight's verdicts: each of `tonight` against the earlier nights of its mode and machine
/// in `past`; instruction counts against the previous night of the same build. The time
/// rule's `series` is set to the number of modes of tonight with a time, so that the night
/// as a whole keeps the false-alarm rate of one series.
pub fn judge(
    past: &[HistoryRecord],
    tonight: &[HistoryRecord],
    rules: &NightRules,
) -> Result<Vec<ModeNight>, trend::TrendError> {
    let time_rule = StepRule {
        series: tonight
            .iter()
            .filter(|r| r.median_prove_seconds.is_some())
            .count()
            .max(1),
        ..rules.time
    };
    tonight
        .iter()
        .map(|r| {
            let any_machine: Vec<&HistoryRecord> = past
                .iter()
                .filter(|p| p.fixture == r.fixture && p.mode == r.mode)
                .collect();
            let same: Vec<&HistoryRecord> = any_machine
                .iter()
                .copied()
                .filter(|p| p.machine == r.machine)
                .collect();
            let series = |f: &dyn Fn(&HistoryRecord) -> Option<Night>| -> Vec<Night> {
                same.iter().filter_map(|p| f(p)).collect()
            };
            let across = |f: &dyn Fn(&HistoryRecord) -> Option<Night>| -> Vec<Night> {
                any_machine.iter().filter_map(|p| f(p)).collect()
            };
            let time = time_night(r)
                .map(|t| trend::check(&series(&time_night), &t, &time_rule))
                .transpose()?;
            let heap = heap_night(r)
                .map(|h| trend::check(&across(&heap_night), &h, &rules.heap))
                .transpose()?;
            let counted_alike = |p: &HistoryRecord| {
                (p.instruction_build == r.instruction_build)
                    .then_some(p.median_instructions)
                    .flatten()
                    .map(|n| Night::exact(n as f64))
            };
            let instructions = r
                .median_instructions
                .map(|n| {
                    trend::check(
                        &across(&counted_alike),
                        &Night::exact(n as f64),
                        &rules.instructions,
                    )
                })
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

    fn rules() -> NightRules {
        NightRules {
            time: StepRule::default(),
            heap: StepRule::deterministic(0.5),
            instructions: StepRule::deterministic(0.5),
        }
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
                &rules(),
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
    fn time_against_the_same_machine_heap_across_machines() {
        let mut past = Vec::new();
        for i in 0..7 {
            let d = format!("2026-01-0{}T03:00:00Z", i + 1);
            // Last night already 15 % slower in default: tonight confirms the step.
            let t = if i == 6 { 2.3 } else { 2.0 };
            past.push(night(&d, "default", t, 1000));
            past.push(night(&d, "stream-lde", 3.0, 500));
            // Another machine: 4.5x slower, the same exact heap.
            let mut other = night(&d, "default", 9.0, 1000);
            other.machine = "Other".into();
            past.push(other);
        }
        let tonight = vec![
            night("2026-01-08T03:00:00Z", "default", 2.3, 1000),
            night("2026-01-08T03:00:00Z", "stream-lde", 3.0, 499),
        ];
        let m = judge(&past, &tonight, &rules()).unwrap();
        assert_eq!(m[0].previous_nights, 7);
        assert!(m[0].time.as_ref().unwrap().is_regression());
        assert!(!m[0].heap.as_ref().unwrap().is_regression());
        // Heap is deterministic: -0.2 % against the night before is a step at 0.5 %? No:
        // within it. -0.2 % < 0.5 %.
        assert_eq!(
            m[1].heap.as_ref().unwrap().direction(),
            Some(trend::Direction::Unchanged)
        );
        // Tonight on the other machine: its time is judged against its own nights only
        // (no step at 9.0 s), its heap against every machine's (a +10 % step).
        let mut elsewhere = night("2026-01-08T03:00:00Z", "default", 9.0, 1100);
        elsewhere.machine = "Other".into();
        let m = judge(&past, &[elsewhere], &rules()).unwrap();
        assert!(!m[0].time.as_ref().unwrap().is_regression());
        assert!(m[0].heap.as_ref().unwrap().is_regression());
        let smaller = vec![night("2026-01-08T03:00:00Z", "stream-lde", 3.0, 490)];
        let m = judge(&past, &smaller, &rules()).unwrap();
        assert_eq!(
            m[0].heap.as_ref().unwrap().direction(),
            Some(trend::Direction::Improvement)
        );
    }

    #[test]
    fn the_time_rule_counts_tonights_modes_as_its_series() {
        let mut past = Vec::new();
        for i in 0..7 {
            let d = format!("2026-01-0{}T03:00:00Z", i + 1);
            for mode in ["default", "stream-lde", "leaf-drop"] {
                let mut r = night(&d, mode, 2.0 * (1.0 + 0.03 * (i % 2) as f64), 1000);
                r.time_spread_pct = Some(6.0);
                past.push(r);
            }
        }
        let tonight: Vec<HistoryRecord> = ["default", "stream-lde", "leaf-drop"]
            .iter()
            .map(|m| night("2026-01-08T03:00:00Z", m, 2.0, 1000))
            .collect();
        let limit = |n: usize| {
            let m = judge(&past, &tonight[..n], &rules()).unwrap();
            match m[0].time.as_ref().unwrap() {
                trend::StepCheck::Checked(j) => j.limit_pct,
                other => panic!("{other:?}"),
            }
        };
        assert!(limit(3) > limit(1), "{} {}", limit(3), limit(1));
    }
}
