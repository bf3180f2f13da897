//! The mode table as GitHub-flavoured markdown.

use super::{ModeRow, digest_cell, digest_line, mib, pct, ratio, runs_cell, seconds};

/// A `###` title, the table, then the digest line.
pub fn render(rows: &[ModeRow], title: &str) -> String {
    let mut out = format!("### {title}\n\n");
    out.push_str("| fixture | mode | peak heap | heap vs default | prove time | time vs default | heap spread | time spread | runs | peak phase | proof |\n");
    out.push_str("|---|---|--:|--:|--:|--:|--:|--:|--:|---|---|\n");
    for r in rows {
        let cells = [
            escape(&r.fixture),
            format!("`{}`", r.mode),
            mib(r.heap),
            ratio(r.heap_ratio),
            seconds(r.time),
            ratio(r.time_ratio),
            pct(r.heap_spread),
            pct(r.time_spread),
            runs_cell(r),
            r.peak_phase.clone().unwrap_or_else(|| "-".into()),
            digest_cell(&r.digest),
        ];
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out.push('\n');
    out.push_str(&digest_line(rows));
    out.push('\n');
    out
}

/// Escapes the characters that would break a table cell.
fn escape(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::mode_rows;
    use crate::render::tests::sample_file;

    #[test]
    fn markdown_table_rows() {
        let out = render(&mode_rows(&sample_file()), "fib");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "### fib");
        assert!(lines[2].starts_with("| fixture | mode |"));
        assert_eq!(lines[3].matches('|').count(), 12);
        assert!(lines[5].starts_with("| fib | `stream-lde` | 400.0 MiB | 0.40x |"));
        assert_eq!(escape("a|b"), "a\\|b");
    }
}
