//! The mode table for a terminal (comfy-table).

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};

use super::{ModeRow, digest_cell, digest_line, mib, pct, ratio, runs_cell, seconds};

/// The table, then the digest line.
pub fn render(rows: &[ModeRow], title: &str) -> String {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(vec![
        "fixture",
        "mode",
        "peak heap",
        "heap vs default",
        "prove time",
        "time vs default",
        "heap spread",
        "time spread",
        "runs",
        "peak phase",
        "proof",
    ]);
    for r in rows {
        t.add_row(vec![
            r.fixture.clone(),
            r.mode.clone(),
            mib(r.heap),
            ratio(r.heap_ratio),
            seconds(r.time),
            ratio(r.time_ratio),
            pct(r.heap_spread),
            pct(r.time_spread),
            runs_cell(r),
            r.peak_phase.clone().unwrap_or_else(|| "-".into()),
            digest_cell(&r.digest),
        ]);
    }
    for i in 2..9 {
        if let Some(c) = t.column_mut(i) {
            c.set_cell_alignment(CellAlignment::Right);
        }
    }
    format!("{title}\n{t}\n{}\n", digest_line(rows))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::mode_rows;
    use crate::render::tests::sample_file;

    #[test]
    fn table_has_every_mode_and_the_digest_line() {
        let out = render(&mode_rows(&sample_file()), "title");
        assert!(out.starts_with("title\n"));
        assert!(out.contains("stream-lde"));
        assert!(out.contains("0.40x"));
        assert!(out.contains("1000.0 MiB"));
        assert!(out.contains("abcdef01 ✓"));
        assert!(out.trim_end().ends_with("byte-identical in every mode"));
    }
}
