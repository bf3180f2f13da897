//! The text of `bench growth`: one line per mode with its heap and time slopes and their R²,
//! and the verdict line of each mode judged against a baseline.

use crate::analysis::growth::{GrowthReport, SlopeVerdict};
use crate::report::units::mb_per_mcycle;

/// The verdict line of one mode.
pub fn verdict_line(v: &SlopeVerdict, threshold_pct: f64) -> String {
    if v.regression {
        format!(
            "⚠️ Memory-scaling regression ({}): heap slope {} → {} ({:+.1} %, threshold {threshold_pct} %)",
            v.mode,
            mb_per_mcycle(v.before),
            mb_per_mcycle(v.after),
            v.change_pct
        )
    } else {
        format!(
            "✅ Heap scaling within {threshold_pct} % ({}): heap slope {} → {} ({:+.1} %)",
            v.mode,
            mb_per_mcycle(v.before),
            mb_per_mcycle(v.after),
            v.change_pct
        )
    }
}

/// The report as text: one line per mode.
pub fn render_text(report: &GrowthReport) -> String {
    let mut out = String::new();
    let (lo, hi) = report
        .modes
        .iter()
        .flat_map(|m| m.points.iter().map(|p| p.mcycles))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), x| {
            (l.min(x), h.max(x))
        });
    out.push_str(&format!(
        "Growth of {} from {lo:.2} to {hi:.2} Mcycles (least squares against cycles)\n",
        report.family
    ));
    let w = report
        .modes
        .iter()
        .map(|m| m.mode.to_string().len())
        .max()
        .unwrap_or(0)
        .max(4);
    out.push_str(&format!(
        "{:<w$} {:>18} {:>7} {:>15} {:>7} {:>6}\n",
        "mode", "heap slope", "R²", "time slope", "R²", "sizes"
    ));
    for m in &report.modes {
        let (hs, hr) = m.heap.map_or(("-".into(), "-".into()), |f| {
            (mb_per_mcycle(f.slope), format!("{:.4}", f.r_squared))
        });
        out.push_str(&format!(
            "{:<w$} {:>18} {:>7} {:>15} {:>7} {:>6}\n",
            m.mode.to_string(),
            hs,
            hr,
            format!("{:.3} s/Mcycle", m.time.slope),
            format!("{:.4}", m.time.r_squared),
            m.points.len()
        ));
    }
    for m in &report.modes {
        if let Some(f) = m.instructions {
            out.push_str(&format!(
                "{:<w$} instructions: {:.1} per cycle (R² {:.6})\n",
                m.mode.to_string(),
                f.slope / 1e6,
                f.r_squared
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::growth::{compare, report_from};
    use crate::testing::family_file;

    #[test]
    fn instruction_slopes_are_fitted_where_every_size_was_counted() {
        let mut f = family_file(100e6);
        // 15,000 instructions per cycle in default, plus a fixed 2e9; stream-lde uncounted.
        for (size, cycles) in [("1M", 1_000_010u64), ("2M", 2_000_010), ("4M", 4_000_010)] {
            let e = f.entry_mut(
                &crate::analysis::growth::fixture_name("fib_iterative", size),
                prover::modes::MemoryMode::DEFAULT,
            );
            let mut r = e.runs[0].clone();
            r.instructions = Some(2_000_000_000 + 15_000 * cycles);
            e.instruction_runs.push(r);
            crate::analysis::summary::resummarize(e);
        }
        let mut notes = Vec::new();
        let report = report_from(&[f], "fib_iterative", &[], &mut notes).unwrap();
        let fit = report.modes[0].instructions.unwrap();
        assert!((fit.slope / 1e6 - 15_000.0).abs() < 1e-6, "{fit:?}");
        assert!(report.modes[1].instructions.is_none());
        let text = render_text(&report);
        assert!(
            text.contains("default    instructions: 15000.0 per cycle (R² 1.000000)"),
            "{text}"
        );
    }

    #[test]
    fn verdict_lines_and_the_table() {
        let mut notes = Vec::new();
        let before = report_from(&[family_file(100e6)], "fib_iterative", &[], &mut notes).unwrap();
        let after = report_from(&[family_file(120e6)], "fib_iterative", &[], &mut notes).unwrap();
        let v = compare(&after, &before, 10.0);
        assert_eq!(
            verdict_line(&v[0], 10.0),
            "⚠️ Memory-scaling regression (default): heap slope 100.00 MB/Mcycle → 120.00 MB/Mcycle (+20.0 %, threshold 10 %)"
        );
        let v = compare(&after, &before, 25.0);
        assert!(verdict_line(&v[0], 25.0).starts_with("✅"));
        let text = render_text(&before);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "Growth of fib_iterative from 1.00 to 4.00 Mcycles (least squares against cycles)"
        );
        assert!(lines[2].contains("100.00 MB/Mcycle  1.0000"), "{text}");
    }
}
