//! The words and numbers both comparison renderers print (`compare_table` and
//! `compare_markdown`): cell values in human units, the verdict line, the variance
//! line, the interval lines, the title and the footer. Deterministic: nothing here reads
//! a clock or the environment.
//!
//! Units: bytes in MiB with one decimal (the unit of the mode table: the "MB" is
//! printed as the binary MiB so that the two tables agree), seconds with three significant
//! figures (at least millisecond precision), percentages with one decimal and a sign.

use crate::analysis::comparison::{Comparison, EntryComparison, Section};
use crate::analysis::verdict::{
    Change, Design, Icon, Metric, MetricComparison, PLANNED_EFFECT_MULTIPLE, POWER, Rules, Verdict,
    planned_text, ratio_pct, trim_pct,
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

/// The icon cell: the glyph, with a word where the glyph alone is ambiguous (`❔
/// inconclusive`, `▫️ indicative`).
pub fn icon_cell(m: &MetricComparison) -> String {
    match m.icon {
        Icon::Inconclusive => format!("{} inconclusive", m.icon.glyph()),
        Icon::Indicative => format!("{} indicative", m.icon.glyph()),
        _ => m.icon.glyph().to_string(),
    }
}

/// The Δ % cell: the relative change, and for prove time its interval, `+3.1% [-4.0%,
/// +10.8%]`.
pub fn pct_cell(m: &MetricComparison) -> String {
    match &m.interval {
        Some(i) => format!(
            "{} [{}, {}]",
            signed_pct(m.delta_pct),
            ratio_pct(i.low),
            ratio_pct(i.high)
        ),
        None => signed_pct(m.delta_pct),
    }
}

/// The metric column: `Prove time`, or `Prove time · leaf-drop` in a section of several
/// modes; `(info)` after RSS; `centre` after the name when the columns are not medians
/// (`Prove time (geomean)`).
pub fn metric_label(metric: Metric, mode: &str, many_modes: bool, centre: Option<&str>) -> String {
    let mut base = metric.label().to_string();
    if let Some(c) = centre {
        base.push_str(&format!(" ({c})"));
    }
    if !metric.is_judged() {
        base.push_str(" (info)");
    }
    if many_modes {
        format!("{base} · {mode}")
    } else {
        base
    }
}

/// One table row: metric, base, head, Δ, Δ %, icon.
pub fn row(m: &MetricComparison, mode: &str, many_modes: bool) -> [String; 6] {
    // Time with an interval is compared by its geometric means: show those, named.
    let (centre, base, head) = match (&m.interval, m.base.geomean, m.head.geomean) {
        (Some(_), Some(b), Some(h)) => (Some("geomean"), b, h),
        _ => (None, m.base.median, m.head.median),
    };
    let label = metric_label(m.metric, mode, many_modes, centre);
    [
        label,
        value(m.metric, base),
        value(m.metric, head),
        signed_value(m.metric, m.delta),
        pct_cell(m),
        icon_cell(m),
    ]
}

/// A row with no base to compare with.
pub fn head_only_row(metric: Metric, v: f64, mode: &str, many_modes: bool) -> [String; 6] {
    [
        metric_label(metric, mode, many_modes, None),
        "-".into(),
        value(metric, v),
        "-".into(),
        "-".into(),
        if metric.is_judged() {
            Icon::Inconclusive.glyph().into()
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
        Verdict::NoChange => format!("✅ No change ({t})"),
        Verdict::Inconclusive { what } => format!("❔ Inconclusive: {} ({t})", joined(what)),
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

/// The spread lines: the largest run-to-run spread `(max - min) / median` of each metric
/// (information: time is judged through its interval, not gated on its spread); one finding
/// per side whose deterministic metric did not repeat, with its raw values; one note per
/// side with a single timed run (its time change is indicative).
pub fn variance_lines(section: &Section, c: &Comparison) -> Vec<String> {
    let many = section.entries.len() > 1;
    let mut single: Vec<&str> = Vec::new();
    let mut max_spread = |metric: Metric| -> Option<f64> {
        let mut best: Option<f64> = None;
        for e in &section.entries {
            for m in e.metrics.iter().filter(|m| m.metric == metric) {
                for (side, s) in [("base", &m.base), ("head", &m.head)] {
                    if s.n() < 2 {
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
            for name in &m.unrepeated {
                let (label, s) = if name == &"base" {
                    (&c.base_label, &m.base)
                } else {
                    (&c.head_label, &m.head)
                };
                findings.push(format!(
                    "⚠️ {} did not repeat in {label}{at}: spread {:.3}% ({}); it is deterministic, so something in the prove is not",
                    m.metric.label(),
                    s.spread_pct,
                    side_values(m, name)
                ));
            }
        }
    }
    let mut out = Vec::new();
    let mut parts = Vec::new();
    if let Some(t) = time {
        parts.push(format!("time {t:.1}%"));
    }
    if let Some(h) = heap {
        parts.push(format!("heap {h:.1}%"));
    }
    if let Some(i) = instructions {
        parts.push(format!("instructions {i:.4}%"));
    }
    if !parts.is_empty() {
        out.push(format!(
            "📏 Largest run-to-run spread, (max − min) / median: {}",
            parts.join(", ")
        ));
    }
    out.extend(findings);
    for side in single {
        let label = if side == "base" {
            &c.base_label
        } else {
            &c.head_label
        };
        out.push(format!(
            "ℹ️ A single timed run in {label}: its noise is unknown, so the time change is indicative, not judged"
        ));
    }
    out
}

/// One line per entry's prove time: its change with the interval, the test behind it, the
/// outcome in words, and the runs a change of twice the threshold needs at the noise seen.
pub fn interval_lines(section: &Section, c: &Comparison) -> Vec<String> {
    let many = section.entries.len() > 1;
    let threshold = c.rules.threshold_pct;
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
        if !c.time_judged {
            out.push(format!(
                "{at}: {}, measured on different machines: indicative, not judged (heap and instruction counts are).",
                signed_pct(m.delta_pct)
            ));
            continue;
        }
        let Some(i) = &m.interval else {
            out.push(format!(
                "{at}: {} from a single run, indicative and not judged: two or more runs per side (pairs) give an interval.",
                signed_pct(m.delta_pct)
            ));
            continue;
        };
        let runs = match c.design {
            Design::Paired => format!("the log ratios of {} pairs", i.n),
            Design::Independent => format!("the log times, {} runs per side", i.n),
        };
        let family = if i.family > 1 {
            format!(", Bonferroni over {} time comparisons", i.family)
        } else {
            String::new()
        };
        let outcome = match m.icon {
            Icon::Regression => format!(
                "a regression: significant, and beyond the {}% threshold",
                trim_pct(threshold)
            ),
            Icon::Improvement => format!(
                "an improvement: significant, and beyond the {}% threshold",
                trim_pct(threshold)
            ),
            Icon::Unchanged => format!(
                "no change: the whole interval lies within ±{}%",
                trim_pct(threshold)
            ),
            _ if !i.drift.is_empty() => {
                let d = &i.drift[0];
                format!(
                    "inconclusive: the {} runs drift {} (Mann-Kendall p = {:.3}), which a change between the two blocks would also do; interleave them (bench ab)",
                    d.side,
                    if d.upward { "upwards" } else { "downwards" },
                    d.p_value
                )
            }
            _ => match m.runs_to_settle {
                Some(p) => format!(
                    "inconclusive; {} would settle it at this noise",
                    planned_text(p, c.design)
                ),
                None => "inconclusive".into(),
            },
        };
        let mut line = format!(
            "{at}: {}, {}% interval {} to {} (t test on {runs}{family}; {}; noise sd {:.1}%): {outcome}.",
            ratio_pct(i.estimate),
            trim_pct(i.confidence * 100.0),
            ratio_pct(i.low),
            ratio_pct(i.high),
            p_value(i.p_value),
            i.noise_pct,
        );
        if let Some(p) = m.runs_needed {
            line.push_str(&format!(
                " At this noise, a ±{}% change needs {} to be called with {:.0}% power.",
                trim_pct(PLANNED_EFFECT_MULTIPLE * threshold),
                planned_text(p, c.design),
                POWER * 100.0
            ));
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
