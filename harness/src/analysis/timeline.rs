//! The heap timeline of one prove, built from raw measurements (pure): samples of the live
//! heap (phase events, recorded new peaks, the exact global peak), the phase spans (the time
//! before the first phase is [`PRELUDE`]), and the innermost phase running at the peak.
//! `measure::timeline` takes the measurements; `report::charts::timeline` draws the result.

use prover::stark::Phase;
use serde::{Deserialize, Serialize};

use crate::model::record::Breakdown;

/// The name of the span before the first prover phase (execution and trace building).
pub const PRELUDE: &str = "execute+trace";

/// One phase event as the observer saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhaseEvent {
    /// Monotonic nanoseconds.
    pub nanos: u64,
    /// The phase.
    pub phase: Phase,
    /// Start (true) or end.
    pub start: bool,
    /// Live bytes at the event.
    pub live: u64,
    /// The same bytes by buffer kind (an exact snapshot; empty when not taken).
    pub by_kind: Breakdown,
}

/// What a sample marks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SampleKind {
    /// The prove began.
    Start,
    /// A phase started.
    PhaseStart,
    /// A phase ended.
    PhaseEnd,
    /// A new peak.
    Peak,
    /// The prove ended.
    End,
}

/// One point of the heap line.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TimelineSample {
    /// Seconds since the prove began.
    pub seconds: f64,
    /// Live heap bytes.
    pub live_bytes: u64,
    /// What it marks.
    pub kind: SampleKind,
    /// The phase, for phase events.
    pub phase: Option<String>,
    /// Live bytes by buffer kind, summing to `live_bytes` at every sample (every sample is
    /// an exact snapshot of the allocator's books; empty only in timelines written before).
    #[serde(default, skip_serializing_if = "Breakdown::is_empty")]
    pub by_kind: Breakdown,
}

/// A stretch during which a phase ran (at least one target of it).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PhaseSpan {
    /// Phase name.
    pub name: String,
    /// Seconds since the prove began.
    pub start_seconds: f64,
    /// Seconds since the prove began.
    pub end_seconds: f64,
}

/// The heap timeline of one prove.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Timeline {
    /// Fixture name.
    pub fixture: String,
    /// Mode name.
    pub mode: String,
    /// Seconds from the start to the end of the prove.
    pub prove_seconds: f64,
    /// The exact global peak, bytes.
    pub peak_bytes: u64,
    /// When it was reached, seconds since the start.
    pub peak_seconds: f64,
    /// The innermost phase running then (or [`PRELUDE`]).
    pub peak_phase: Option<String>,
    /// Samples, oldest first.
    pub samples: Vec<TimelineSample>,
    /// Phase spans, by start.
    pub phases: Vec<PhaseSpan>,
    /// New peaks the allocator's array had no room for.
    pub dropped_peaks: usize,
    /// Every buffer kind that had live bytes at some moment of the prove, even between two
    /// samples (the legend lists them all).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds_ever_live: Vec<String>,
}

/// Raw measurements of one prove, in monotonic nanoseconds.
#[derive(Clone, Debug)]
pub struct Raw {
    /// Prove start.
    pub start: u64,
    /// Prove end.
    pub end: u64,
    /// Live bytes at start and end.
    pub live_start: u64,
    /// Live bytes at the end.
    pub live_end: u64,
    /// Live bytes by kind at the start.
    pub start_by_kind: Breakdown,
    /// Live bytes by kind at the end.
    pub end_by_kind: Breakdown,
    /// Phase events.
    pub events: Vec<PhaseEvent>,
    /// Recorded new peaks (nanos, bytes, bytes by kind).
    pub peaks: Vec<(u64, u64, Breakdown)>,
    /// Kinds live at some moment of the prove.
    pub kinds_ever_live: Vec<String>,
    /// Dropped peaks.
    pub dropped: usize,
    /// The global peak.
    pub peak_bytes: u64,
    /// When it was reached (0: unknown).
    pub peak_nanos: u64,
    /// The global peak by buffer kind (empty when not taken).
    pub peak_by_kind: Breakdown,
}

/// Builds the timeline from raw measurements (pure).
pub fn build(fixture: &str, mode: &str, raw: &Raw) -> Timeline {
    let secs = |n: u64| n.saturating_sub(raw.start) as f64 / 1e9;
    let mut samples = vec![TimelineSample {
        seconds: 0.0,
        live_bytes: raw.live_start,
        kind: SampleKind::Start,
        phase: None,
        by_kind: raw.start_by_kind.clone(),
    }];
    for e in &raw.events {
        samples.push(TimelineSample {
            seconds: secs(e.nanos),
            live_bytes: e.live,
            kind: if e.start {
                SampleKind::PhaseStart
            } else {
                SampleKind::PhaseEnd
            },
            phase: Some(e.phase.name().to_string()),
            by_kind: e.by_kind.clone(),
        });
    }
    for (t, b, by_kind) in raw.peaks.iter().filter(|p| p.0 >= raw.start) {
        samples.push(TimelineSample {
            seconds: secs(*t),
            live_bytes: *b,
            kind: SampleKind::Peak,
            phase: None,
            by_kind: by_kind.clone(),
        });
    }
    let peak_seconds = if raw.peak_nanos >= raw.start {
        secs(raw.peak_nanos)
    } else {
        // Unknown: the largest sample's moment.
        samples
            .iter()
            .max_by_key(|s| s.live_bytes)
            .map_or(0.0, |s| s.seconds)
    };
    // The exact global peak, with its breakdown when one was taken.
    if raw.peak_bytes > samples.iter().map(|s| s.live_bytes).max().unwrap_or(0)
        || !raw.peak_by_kind.is_empty()
    {
        samples.push(TimelineSample {
            seconds: peak_seconds,
            live_bytes: raw.peak_bytes,
            kind: SampleKind::Peak,
            phase: None,
            by_kind: raw.peak_by_kind.clone(),
        });
    }
    samples.push(TimelineSample {
        seconds: secs(raw.end),
        live_bytes: raw.live_end,
        kind: SampleKind::End,
        phase: None,
        by_kind: raw.end_by_kind.clone(),
    });
    samples.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));

    // Spans: a phase runs while any of its targets does.
    let mut running = [0usize; Phase::ALL.len()];
    let mut since = [0u64; Phase::ALL.len()];
    let mut phases = Vec::new();
    let first = raw.events.first().map_or(raw.end, |e| e.nanos);
    if first > raw.start {
        phases.push(PhaseSpan {
            name: PRELUDE.to_string(),
            start_seconds: 0.0,
            end_seconds: secs(first),
        });
    }
    for e in &raw.events {
        let i = Phase::ALL.iter().position(|&p| p == e.phase).unwrap_or(0);
        if e.start {
            if running[i] == 0 {
                since[i] = e.nanos;
            }
            running[i] += 1;
        } else if running[i] > 0 {
            running[i] -= 1;
            if running[i] == 0 {
                phases.push(PhaseSpan {
                    name: e.phase.name().to_string(),
                    start_seconds: secs(since[i]),
                    end_seconds: secs(e.nanos),
                });
            }
        }
    }
    for (i, &r) in running.iter().enumerate() {
        if r > 0 {
            phases.push(PhaseSpan {
                name: Phase::ALL[i].name().to_string(),
                start_seconds: secs(since[i]),
                end_seconds: secs(raw.end),
            });
        }
    }
    phases.sort_by(|a, b| a.start_seconds.total_cmp(&b.start_seconds));
    let phases = merge_spans(phases, secs(raw.end) * MERGE_GAP_FRACTION);
    let peak_phase = phases
        .iter()
        .filter(|p| p.start_seconds <= peak_seconds && peak_seconds <= p.end_seconds)
        .max_by(|a, b| a.start_seconds.total_cmp(&b.start_seconds))
        .map(|p| p.name.clone())
        .or_else(|| {
            // Between phases: name the last one that ended before.
            phases
                .iter()
                .filter(|p| p.end_seconds <= peak_seconds)
                .max_by(|a, b| a.end_seconds.total_cmp(&b.end_seconds))
                .map(|p| format!("after {}", p.name))
        });
    Timeline {
        fixture: fixture.to_string(),
        mode: mode.to_string(),
        prove_seconds: secs(raw.end),
        peak_bytes: raw.peak_bytes,
        peak_seconds,
        peak_phase,
        samples,
        phases,
        dropped_peaks: raw.dropped,
        kinds_ever_live: raw.kinds_ever_live.clone(),
    }
}

/// Spans of one phase closer than this fraction of the prove are drawn as one band (the
/// prover runs a phase's instances one after another, a few microseconds apart).
pub const MERGE_GAP_FRACTION: f64 = 0.01;

/// Merges each span into the previous span of the same name when the gap between them is at
/// most `gap` seconds (spans sorted by start).
fn merge_spans(spans: Vec<PhaseSpan>, gap: f64) -> Vec<PhaseSpan> {
    let mut out: Vec<PhaseSpan> = Vec::new();
    for s in spans {
        match out.iter_mut().rev().find(|o| o.name == s.name) {
            Some(o) if s.start_seconds - o.end_seconds <= gap => {
                o.end_seconds = o.end_seconds.max(s.end_seconds);
            }
            _ => out.push(s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{S, raw};

    #[test]
    fn close_spans_of_a_phase_merge() {
        let span = |name: &str, a: f64, b: f64| PhaseSpan {
            name: name.into(),
            start_seconds: a,
            end_seconds: b,
        };
        let merged = merge_spans(
            vec![
                span("main_commit", 0.0, 1.0),
                span("main_commit", 1.001, 2.0),
                span("fri", 2.0, 3.0),
                span("main_commit", 3.5, 4.0),
            ],
            0.01,
        );
        assert_eq!(
            merged,
            vec![
                span("main_commit", 0.0, 2.0),
                span("fri", 2.0, 3.0),
                span("main_commit", 3.5, 4.0)
            ]
        );
    }

    #[test]
    fn spans_samples_and_the_peak() {
        let t = build("fib", "default", &raw());
        assert_eq!(t.prove_seconds, 4.0);
        let names: Vec<&str> = t.phases.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(
            names,
            [PRELUDE, "main_commit", "composition", "queries", "fri"]
        );
        // Overlapping targets make one span.
        assert_eq!(
            (t.phases[1].start_seconds, t.phases[1].end_seconds),
            (1.0, 2.0)
        );
        assert_eq!(t.peak_bytes, 5050 << 20);
        // A peak between phases is credited to the one before.
        let mut r = raw();
        r.peak_nanos = 10 * S + 3 * S + 7 * S / 8;
        assert_eq!(
            build("fib", "default", &r).peak_phase.as_deref(),
            Some("after queries")
        );
        assert_eq!(t.peak_phase.as_deref(), Some("composition"));
        assert!((t.peak_seconds - 2.5).abs() < 1e-6);
        // Start, 10 events, 2 recorded peaks, the exact peak (above them), end.
        assert_eq!(t.samples.len(), 15);
        assert!(t.samples.windows(2).all(|w| w[0].seconds <= w[1].seconds));
        assert_eq!(t.samples.last().unwrap().kind, SampleKind::End);
        assert_eq!(
            t.samples.iter().map(|s| s.live_bytes).max(),
            Some(t.peak_bytes)
        );
        let json = serde_json::to_string(&t).unwrap();
        assert!(json.contains("\"kind\":\"phase_start\""), "{json}");
    }
}
