//! The words and numbers both comparison renderers print (`compare_table` and
//! `compare_markdown`): cell values in human units, the verdict line, the variance
//! line, the significance notes, the title and the footer. Deterministic: nothing here reads
//! a clock or the environment.
//!
//! Units: bytes in MiB with one decimal (the unit of the mode table: the "MB" is
//! printed as the binary MiB so that the two tables agree), seconds with three significant
//! figures (at least millisecond precision), percentages with one decimal and a sign.

use crate::analysis::comparison::{Comparison, EntryComparison, Section};
use crate::analysis::verdict::{
    Change, Design, Icon, Metric, MetricComparison, POWER, Rules, Significance, Verdict,
    runs_needed, trim_pct,
};
use crate::model::config::parallelism_label;
use crate::report::units::{group_digits, mib, mib_of, seconds, signed_pct, with_sign};

/// A metric's value in its unit (instructions exactly, digits grouped).
pub fn value(metric: Metric, v: f64) -> String {
    match metric {
        Metric::Time => seconds(Some(v)),
        Metric::Heap | Metric::Rss => mib_of(v.round().max(0.0)),
        Metric::Instructions => group_digits(v.round().max(0.0) as u64),
    }
}

/// A signed difference in the metric's unit: `+3.51 s`, `-460.0 MiB`; no sign when it
/// rounds to zero. A deterministic metric's non-zero change is also given exactly:
/// `+16.0 MiB (+16,777,216 B)`, `+1,234 instructions`.
pub fn signed_value(metric: Metric, d: f64) -> String {
    let magnitude = match metric {
        Metric::Time => seconds(Some(d.abs())),
        Metric::Heap | Metric::Rss => mib_of(d.abs()),
        Metric::Instructions => {
            return exact_delta(metric, d).expect("instructions are exact");
        }
    };
    let rounded = with_sign(d, magnitude);
    match exact_delta(metric, d) {
        Some(exact) if d.round() != 0.0 => format!("{rounded} ({exact})"),
        _ => rounded,
    }
}

/// A deterministic metric's change, exactly: `+16,777,216 B`, `-1,234 instructions`; `None`
/// for the others.
pub fn exact_delta(metric: Metric, delta: f64) -> Option<String> {
    let unit = match metric {
        Metric::Heap => "B",
        Metric::Instructions => "instructions",
        Metric::Time | Metric::Rss => return None,
    };
    let d = delta.round();
    Some(with_sign(
        d,
        format!("{} {unit}", group_digits(d.abs() as u64)),
    ))
}

/// A change as the verdict line names it: `Prove time +12.0%`, `Peak heap +5.0%
/// (+16,777,216 B)`, with its label.
fn change_text(c: &Change) -> String {
    let mut out = format!("{} {:+.1}%", c.metric.label(), c.delta_pct);
    if let Some(exact) = exact_delta(c.metric, c.delta) {
        out.push_str(&format!(" ({exact})"));
    }
    if !c.label.is_empty() {
        out.push_str(&format!(" ({})", c.label));
    }
    out
}

/// A p-value: `p = 0.031`, or `p < 0.001`.
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

/// The icon cell: the glyph, with `(not significant, p = ...)` when a change beyond the
/// threshold failed the test.
pub fn icon_cell(m: &MetricComparison) -> String {
    match (&m.significance, m.icon) {
        (
            Significance::Tested {
                p_value: p,
                significant: false,
                ..
            },
            Icon::Unchanged,
        ) if m.beyond != 0 => format!("{} (not significant, {})", m.icon.glyph(), p_value(*p)),
        _ => m.icon.glyph().to_string(),
    }
}

/// The metric column: `Prove time`, or `Prove time · leaf-drop` in a section of several
/// modes; `(info)` after RSS.
pub fn metric_label(metric: Metric, mode: &str, many_modes: bool) -> String {
    let base = if metric.is_judged() {
        metric.label().to_string()
    } else {
        format!("{} (info)", metric.label())
    };
    if many_modes {
        format!("{base} · {mode}")
    } else {
        base
    }
}

/// One table row: metric, base, head, Δ, Δ %, icon.
pub fn row(m: &MetricComparison, mode: &str, many_modes: bool) -> [String; 6] {
    [
        metric_label(m.metric, mode, many_modes),
        value(m.metric, m.base.median),
        value(m.metric, m.head.median),
        signed_value(m.metric, m.delta),
        signed_pct(m.delta_pct),
        icon_cell(m),
    ]
}

/// A row with no base to compare with.
pub fn head_only_row(metric: Metric, v: f64, mode: &str, many_modes: bool) -> [String; 6] {
    [
        metric_label(metric, mode, many_modes),
        "-".into(),
        value(metric, v),
        "-".into(),
        "-".into(),
        if metric.is_judged() {
            Icon::Noisy.glyph().into()
        } else {
            Icon::Info.glyph().into()
        },
    ]
}

/// Every row of a section.
pub fn rows(section: &Section) -> Vec<[String; 6]> {
    let many = section.entries.len() > 1;
    let mut out = Vec::new();
    for e in &section.entries {
        for m in &e.metrics {
            out.push(row(m, &e.mode, many));
        }
        for (metric, v) in &e.head_only {
            out.push(head_only_row(*metric, *v, &e.mode, many));
        }
    }
    out
}

/// `Benchmark — fib (median of 5)`.
pub fn title(section: &Section, design: Design) -> String {
    let mut counts: Vec<(usize, usize)> = section
        .entries
        .iter()
        .map(|e| (e.base_runs, e.head_runs))
        .collect();
    counts.dedup();
    let median_of = match (counts.as_slice(), design) {
        ([(b, h)], Design::Paired) if b == h => format!("median of {h} pairs"),
        ([(b, h)], _) if b == h => format!("median of {h}"),
        ([(0, h)], _) => format!("median of {h}"),
        ([(b, h)], _) => format!("median of {b} base / {h} head runs"),
        _ => "medians".into(),
    };
    format!("Benchmark — {} ({median_of})", section.fixture)
}

/// `Mode: default · Table parallelism: auto · 64010 cycles` (modes listed when several).
pub fn subtitle(section: &Section, c: &Comparison) -> String {
    let modes: Vec<&str> = section.entries.iter().map(|e| e.mode.as_str()).collect();
    let tp = parallelism_label(c.table_parallelism);
    let mut parts = vec![
        format!("Mode: {}", modes.join(", ")),
        format!("Table parallelism: {tp}"),
    ];
    if let Some(cycles) = section.entries.first().and_then(|e| e.cycles) {
        parts.push(format!("{cycles} cycles"));
    }
    parts.push(format!("{} vs {}", c.base_label, c.head_label));
    parts.join(" · ")
}

/// The verdict line.
pub fn verdict_line(v: &Verdict, rules: &Rules) -> String {
    let t = format!(
        "thresholds: time {}%, heap {}%, instructions {}%",
        trim_pct(rules.threshold_pct),
        trim_pct(rules.heap_threshold_pct),
        trim_pct(rules.instructions_threshold_pct)
    );
    match v {
        Verdict::Regression { what } => {
            format!("⚠️ Regression detected: {} ({t})", changes(what))
        }
        Verdict::Improvement { what } => {
            format!("🎉 Improvement detected: {} ({t})", changes(what))
        }
        Verdict::NoChange => format!("✅ No significant change ({t})"),
        Verdict::Withheld { why } => format!("❔ No verdict: {}", joined(why)),
    }
}

/// Changes joined with `; `.
fn changes(what: &[Change]) -> String {
    let texts: Vec<String> = what.iter().map(change_text).collect();
    texts.join("; ")
}

/// Items joined with `; `.
fn joined<T: std::fmt::Display>(items: &[T]) -> String {
    let texts: Vec<String> = items.iter().map(ToString::to_string).collect();
    texts.join("; ")
}

fn side_values(m: &MetricComparison, side: &str) -> String {
    let s = if side == "base" { &m.base } else { &m.head };
    let mut v: Vec<String> = s
        .values
        .iter()
        .take(10)
        .map(|&x| value(m.metric, x))
        .collect();
    if s.values.len() > 10 {
        v.push(format!("… {} more", s.values.len() - 10));
    }
    v.join(", ")
}

/// The variance lines of a section: `✅ Low variance (time: x%, heap: y%)`, or one warning
/// per noisy side and metric with its raw values; one per side whose deterministic metric
/// did not repeat; a note for sides with a single timed run.
pub fn variance_lines(section: &Section, c: &Comparison) -> Vec<String> {
    let many = section.entries.len() > 1;
    let mut warnings = Vec::new();
    let mut single: Vec<&str> = Vec::new();
    let mut max_spread = |metric: Metric| -> Option<f64> {
        let mut best: Option<f64> = None;
        for e in &section.entries {
            for m in e.metrics.iter().filter(|m| m.metric == metric) {
                for (side, s) in [("base", &m.base), ("head", &m.head)] {
                    if s.n() < 2 {
                        // Only time is gated on noise; one run of a deterministic
                        // metric is all it needs.
                        if metric == Metric::Time && !single.contains(&side) {
                            single.push(side);
                        }
                        continue;
                    }
                    best = Some(best.map_or(s.spread_pct, |b: f64| b.max(s.spread_pct)));
                }
            }
        }
        best
    };
    let time = max_spread(Metric::Time);
    let heap = max_spread(Metric::Heap);
    let instructions = max_spread(Metric::Instructions);
    let mut findings = Vec::new();
    for e in &section.entries {
        let at = if many {
            format!(" ({})", e.mode)
        } else {
            String::new()
        };
        for m in e.metrics.iter().filter(|m| m.metric.is_judged()) {
            let side = |side: &str| {
                if side == "base" {
                    (&c.base_label, &m.base)
                } else {
                    (&c.head_label, &m.head)
                }
            };
            for name in &m.unrepeated {
                let (label, s) = side(name);
                findings.push(format!(
                    "⚠️ {} did not repeat in {label}{at}: spread {:.3}% ({}); it is deterministic, so something in the prove is not",
                    m.metric.label(),
                    s.spread_pct,
                    side_values(m, name)
                ));
            }
            for name in &m.noisy {
                let (label, s) = side(name);
                warnings.push(format!(
                    "⚠️ High variance in {label}{at}: {} spread {:.1}% ({})",
                    m.metric.label().to_lowercase(),
                    s.spread_pct,
                    side_values(m, name)
                ));
            }
        }
    }
    let mut out = Vec::new();
    if warnings.is_empty() {
        let mut parts = Vec::new();
        if let Some(t) = time {
            parts.push(format!("time: {t:.1}%"));
        }
        if let Some(h) = heap {
            parts.push(format!("heap: {h:.1}%"));
        }
        if let Some(i) = instructions {
            parts.push(format!("instructions: {i:.4}%"));
        }
        if !parts.is_empty() {
            out.push(format!("✅ Low variance ({})", parts.join(", ")));
        }
    }
    out.extend(warnings);
    out.extend(findings);
    for side in single {
        let label = if side == "base" {
            &c.base_label
        } else {
            &c.head_label
        };
        out.push(format!(
            "ℹ️ A single run in {label}: its variance is unknown, and the noise gate cannot see noise it has not measured"
        ));
    }
    out
}

fn unit(design: Design, n: usize) -> String {
    match (design, n) {
        (Design::Paired, 1) => "1 pair".into(),
        (Design::Paired, n) => format!("{n} pairs"),
        (Design::Independent, 1) => "1 run per side".into(),
        (Design::Independent, n) => format!("{n} runs per side"),
    }
}

/// What the time data can and cannot tell, per entry: the test made, or why none was.
pub fn significance_lines(section: &Section, c: &Comparison) -> Vec<String> {
    let many = section.entries.len() > 1;
    let mut out = Vec::new();
    for e in &section.entries {
        let Some(m) = e.metrics.iter().find(|m| m.metric == Metric::Time) else {
            continue;
        };
        let at = if many {
            format!("Prove time ({})", e.mode)
        } else {
            "Prove time".to_string()
        };
        let mut line = match &m.significance {
            Significance::Tested {
                test,
                p_value: p,
                ci,
                significant,
            } => {
                let (test, ratio) = if *test == "wilcoxon" {
                    ("Wilcoxon signed-rank", "median paired ratio")
                } else {
                    ("Mann-Whitney U", "ratio of medians")
                };
                format!(
                    "{at}: {test} {}, {:.0}% bootstrap CI of the {ratio} {:.3}–{:.3}: {}.",
                    p_value(*p),
                    ci.confidence * 100.0,
                    ci.low,
                    ci.high,
                    match (*significant, m.noisy.is_empty()) {
                        (true, true) => "significant",
                        (true, false) => "significant, but the noise gate withholds the verdict",
                        (false, _) => "not significant",
                    }
                )
            }
            Significance::TooFewRuns { runs, needed } => format!(
                "{at}: {}, too few for a significance test ({} needed); the time verdict rests on the {}% threshold alone.",
                unit(c.design, *runs),
                unit(c.design, *needed).replace(" per side", ""),
                trim_pct(c.rules.threshold_pct)
            ),
            Significance::NotNeeded => continue,
        };
        if let (Some(noise), Some(n)) = (m.noise_pct, m.runs_needed) {
            line.push_str(&format!(
                " At the noise observed (sd {noise:.1}%), a {}% change needs about {} to detect with {:.0}% power",
                trim_pct(c.rules.threshold_pct),
                unit(c.design, n),
                POWER * 100.0
            ));
            let observed = m.delta_pct.abs();
            if observed >= 0.1
                && let Some(k) = runs_needed(observed, Some(noise), c.design)
            {
                line.push_str(&format!(
                    ", the {} observed about {}",
                    signed_pct(m.delta_pct),
                    unit(c.design, k)
                ));
            }
            line.push('.');
        }
        out.push(line);
    }
    out
}

/// Failed runs, per entry: `1 failed run in head (default), not counted`.
pub fn failure_lines(section: &Section, c: &Comparison) -> Vec<String> {
    let mut out = Vec::new();
    for e in &section.entries {
        for (n, label) in [
            (e.base_failed, &c.base_label),
            (e.head_failed, &c.head_label),
        ] {
            if n > 0 {
                out.push(format!(
                    "⚠️ {n} failed run{} in {label} ({}): not counted; see its results file",
                    if n == 1 { "" } else { "s" },
                    e.mode
                ));
            }
        }
    }
    out
}

/// Where the peak is held: `peak heap held in composition in both`, `peak moved from X to Y`.
pub fn peak_summary(e: &EntryComparison) -> String {
    match (&e.base_peak_phase, &e.head_peak_phase) {
        (Some(b), Some(h)) if b == h => format!("peak heap held in {h} in both"),
        (Some(b), Some(h)) => format!("peak heap moved from {b} to {h}"),
        (None, Some(h)) => format!("peak heap held in {h}"),
        (Some(b), None) => format!("peak heap held in {b} (base)"),
        (None, None) => "no phases recorded".into(),
    }
}

/// The phase table's rows: phase, base time, head time, base peak, head peak, Δ peak.
pub fn phase_rows(e: &EntryComparison) -> Vec<[String; 6]> {
    e.phases
        .iter()
        .map(|p| {
            let peak = |b: Option<u64>| mib(b);
            let delta = match (p.base_peak_heap, p.head_peak_heap) {
                (Some(b), Some(h)) => signed_value(Metric::Heap, h as f64 - b as f64),
                _ => "-".into(),
            };
            let mark = |name: &str, phase: &Option<String>| phase.as_deref() == Some(name);
            let name = if mark(&p.name, &e.head_peak_phase) {
                format!("{} (peak)", p.name)
            } else {
                p.name.clone()
            };
            [
                name,
                seconds(p.base_seconds),
                seconds(p.head_seconds),
                peak(p.base_peak_heap),
                peak(p.head_peak_heap),
                delta,
            ]
        })
        .collect()
}

/// The footer: `Commit: abc1234 · Baseline: ... · Runner: ...`.
pub fn footer(c: &Comparison) -> String {
    format!(
        "Commit: {} · Baseline: {} · Runner: {}",
        c.footer.commit, c.footer.baseline, c.footer.runner
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn human_units() {
        assert_eq!(value(Metric::Time, 24.898), "24.9 s");
        assert_eq!(value(Metric::Heap, (3u64 << 20) as f64), "3.0 MiB");
        assert_eq!(signed_value(Metric::Time, 3.506), "+3.51 s");
        assert_eq!(
            signed_value(Metric::Heap, -((460u64 << 20) as f64)),
            "-460.0 MiB (-482,344,960 B)"
        );
        // A heap change too small for MiB is still printed, exactly.
        assert_eq!(signed_value(Metric::Heap, 4096.0), "0.0 MiB (+4,096 B)");
        assert_eq!(
            signed_value(Metric::Instructions, -1234.0),
            "-1,234 instructions"
        );
        assert_eq!(value(Metric::Instructions, 36.07e9), "36,070,000,000");
        assert_eq!(signed_pct(-0.94), "-0.9%");
        assert_eq!(signed_pct(14.08), "+14.1%");
        assert_eq!(signed_pct(0.0), "0.0%");
        assert_eq!(signed_value(Metric::Heap, 0.0), "0.0 MiB");
        assert_eq!(signed_value(Metric::Rss, -4096.0), "0.0 MiB");
        assert_eq!(signed_pct(-0.01), "0.0%");
        assert_eq!(signed_value(Metric::Time, -0.0004), "0.000 s");
        assert_eq!(p_value(0.0312), "p = 0.031");
        assert_eq!(p_value(0.0001), "p < 0.001");
    }
}
