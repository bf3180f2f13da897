//! A comparison for a terminal: per fixture, the title, the delta table (comfy-table), the
//! verdict, spread and interval lines, the per-phase table and the footer.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};

use crate::analysis::comparison::{Comparison, Section};

use crate::report::compare_text as text;

/// The whole report.
pub fn render(c: &Comparison) -> String {
    let blocks: Vec<String> = c.sections.iter().map(|s| section(c, s)).collect();
    format!("{}{}\n", blocks.join("\n"), text::footer(c))
}

fn table(header: Vec<String>, rows: Vec<[String; 6]>) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(header);
    for r in rows {
        t.add_row(r.to_vec());
    }
    for i in 1..6 {
        if let Some(col) = t.column_mut(i) {
            col.set_cell_alignment(CellAlignment::Right);
        }
    }
    t
}

fn section(c: &Comparison, s: &Section) -> String {
    let mut out = format!("{}\n{}\n", text::title(s, c.design), text::subtitle(s, c));
    let header = vec![
        "metric".to_string(),
        c.base_label.clone(),
        c.head_label.clone(),
        "Δ".into(),
        "Δ %".into(),
        String::new(),
    ];
    out.push_str(&format!("{}\n", table(header, text::rows(s))));
    out.push_str(&format!("{}\n", text::verdict_line(&s.verdict, &c.rules)));
    for l in text::variance_lines(s, c)
        .into_iter()
        .chain(text::interval_lines(s, c))
        .chain(text::failure_lines(s, c))
        .chain(c.warnings.iter().map(|w| format!("⚠️ {w}")))
    {
        out.push_str(&format!("{l}\n"));
    }
    for e in s.entries.iter().filter(|e| !e.phases.is_empty()) {
        out.push_str(&format!(
            "Per phase ({}): {}\n",
            e.mode,
            text::peak_summary(e)
        ));
        let header = vec![
            "phase".to_string(),
            format!("{} time", c.base_label),
            format!("{} time", c.head_label),
            format!("{} peak", c.base_label),
            format!("{} peak", c.head_label),
            "Δ peak".into(),
        ];
        out.push_str(&format!("{}\n", table(header, text::phase_rows(e))));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::comparison::{Pair, build};
    use crate::testing::{cx, file};
    use prover::modes::MemoryMode;

    #[test]
    fn terminal_report_has_table_verdict_and_phases() {
        let base = file(&[10.0, 10.1], 100 << 20);
        let head = file(&[10.0, 10.1], 90 << 20);
        let c = build(
            &[Pair {
                base: base.entry("fib", MemoryMode::DEFAULT),
                head: &head.entries[0],
            }],
            cx(),
        )
        .unwrap();
        let out = render(&c);
        assert!(out.starts_with("Benchmark — fib (median of 2)\n"), "{out}");
        assert!(
            out.contains("🎉 Improvement detected: Peak heap -10.0%"),
            "{out}"
        );
        assert!(out.contains("-10.0 MiB"), "{out}");
        assert!(out.contains("Per phase (default): peak heap held in composition in both"));
        assert!(out.trim_end().ends_with("Runner: Test CPU"), "{out}");
    }
}
