//! Where the instructions changed, for a person: the per-phase instruction table (with Δ and
//! the icon each phase is judged with) and the functions that changed most, as terminal
//! tables for `bench compare` and as collapsible tables for the `/bench` comment and the
//! nightly summary. The numbers come from `analysis::attribution`.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};

use crate::analysis::attribution::{FunctionRow, SpanRow};
use crate::analysis::comparison::{Comparison, EntryComparison};
use crate::analysis::verdict::Icon;
use crate::report::units::{group_digits, with_sign};

/// A count, `-` without one.
fn count(n: Option<u64>) -> String {
    n.map_or("-".into(), group_digits)
}

/// `+1,234` / `-1,234` / `0`.
fn signed(d: i64) -> String {
    with_sign(d as f64, group_digits(d.unsigned_abs()))
}

/// A change in percent with two decimals (instruction thresholds are fractions of a
/// percent); `new` without a base.
fn signed_pct2(p: Option<f64>) -> String {
    p.map_or("new".into(), |p| with_sign(p, format!("{:.2}%", p.abs())))
}

/// The cells of the per-phase instruction table: phase, base, head, Δ, Δ %, icon.
pub fn span_cells(rows: &[SpanRow]) -> Vec<[String; 6]> {
    rows.iter()
        .map(|r| {
            [
                r.name.clone(),
                count(r.base),
                count(r.head),
                r.delta.map_or("-".into(), signed),
                match (r.delta, r.delta_pct) {
                    (None, _) => "-".into(),
                    (Some(_), p) => signed_pct2(p),
                },
                match r.icon {
                    Icon::Info => String::new(),
                    i => i.glyph().to_string(),
                },
            ]
        })
        .collect()
}

/// The cells of the function table: function, base, head, Δ, Δ %, share of the head.
pub fn function_cells(rows: &[FunctionRow]) -> Vec<[String; 6]> {
    rows.iter()
        .map(|r| {
            [
                r.name.clone(),
                group_digits(r.base),
                group_digits(r.head),
                signed(r.delta),
                signed_pct2(r.delta_pct),
                format!("{:.2}%", r.head_share_pct),
            ]
        })
        .collect()
}

/// One line: the phase that moved most and the function that moved most.
pub fn summary(spans: &[SpanRow], functions: &[FunctionRow]) -> String {
    let phase = spans
        .iter()
        .filter(|r| r.delta.is_some_and(|d| d != 0))
        .max_by_key(|r| r.delta.map_or(0, i64::unsigned_abs));
    let mut parts = Vec::new();
    if let Some(p) = phase {
        parts.push(format!(
            "{} {} ({}){}",
            p.name,
            signed(p.delta.unwrap_or(0)),
            signed_pct2(p.delta_pct),
            match p.icon {
                Icon::Info => String::new(),
                i => format!(" {}", i.glyph()),
            }
        ));
    }
    if let Some(f) = functions.first() {
        parts.push(format!("most changed: {} {}", f.name, signed(f.delta)));
    }
    if parts.is_empty() {
        "no phase changed".into()
    } else {
        parts.join("; ")
    }
}

fn table(header: [String; 6], rows: Vec<[String; 6]>) -> Table {
    let mut t = Table::new();
    t.load_style(UTF8_FULL_CONDENSED);
    t.set_header(header.to_vec());
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

/// The terminal tables of every entry with an attribution on both sides.
pub fn terminal(c: &Comparison) -> String {
    let mut out = String::new();
    for e in c.sections.iter().flat_map(|s| &s.entries) {
        if e.instruction_spans.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "Instructions per phase ({} {}): {}\n",
            e.fixture,
            e.mode,
            summary(&e.instruction_spans, &e.functions)
        ));
        let header = [
            "phase".to_string(),
            c.base_label.clone(),
            c.head_label.clone(),
            "Δ".into(),
            "Δ %".into(),
            String::new(),
        ];
        out.push_str(&format!(
            "{}\n",
            table(header, span_cells(&e.instruction_spans))
        ));
        if !e.functions.is_empty() {
            out.push_str(&format!(
                "Functions whose instructions changed most ({} {}):\n",
                e.fixture, e.mode
            ));
            let header = [
                "function".to_string(),
                c.base_label.clone(),
                c.head_label.clone(),
                "Δ".into(),
                "Δ %".into(),
                format!("share of {}", c.head_label),
            ];
            out.push_str(&format!(
                "{}\n",
                table(header, function_cells(&e.functions))
            ));
        }
    }
    out
}

/// Markdown table rows, `|`-separated, with `escape` applied to every cell.
fn md_rows(rows: Vec<[String; 6]>, escape: &dyn Fn(&str) -> String) -> String {
    rows.iter()
        .map(|r| {
            let cells: Vec<String> = r.iter().map(|c| escape(c)).collect();
            format!("| {} |\n", cells.join(" | "))
        })
        .collect()
}

/// The collapsible tables of one entry for the `/bench` comment (empty without an
/// attribution on both sides); `mode` (` · MODE` or empty), `base` and `head` are already
/// escaped, `escape` escapes a cell.
pub fn markdown_details(
    e: &EntryComparison,
    mode: &str,
    base: &str,
    head: &str,
    escape: &dyn Fn(&str) -> String,
) -> String {
    markdown_tables(&e.instruction_spans, &e.functions, mode, base, head, escape)
}

/// The collapsible per-phase and function tables (the `/bench` comment, the nightly
/// summary); empty without spans.
pub fn markdown_tables(
    spans: &[SpanRow],
    functions: &[FunctionRow],
    mode: &str,
    base: &str,
    head: &str,
    escape: &dyn Fn(&str) -> String,
) -> String {
    if spans.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "<details>\n<summary>Instructions per phase{mode}: {}</summary>\n\n",
        escape(&summary(spans, functions))
    );
    out.push_str(&format!(
        "| Phase | {base} | {head} | Δ | Δ % | |\n|---|--:|--:|--:|--:|:-:|\n"
    ));
    out.push_str(&md_rows(span_cells(spans), escape));
    out.push_str("\n</details>\n\n");
    if !functions.is_empty() {
        out.push_str(&format!(
            "<details>\n<summary>Functions whose instructions changed most{mode}</summary>\n\n"
        ));
        out.push_str(&format!(
            "| Function | {base} | {head} | Δ | Δ % | share of {head} |\n|---|--:|--:|--:|--:|--:|\n"
        ));
        // The name goes in a code span, where `<` and `>` need no escaping (and must
        // not get it: GitHub would show `&lt;`); only a `|` would break the table.
        for mut r in function_cells(functions) {
            let name = format!("`{}`", r[0].replace('`', "'").replace('|', "\\|"));
            for c in r.iter_mut().skip(1) {
                *c = escape(c);
            }
            r[0] = name;
            out.push_str(&format!("| {} |\n", r.join(" | ")));
        }
        out.push_str("\n</details>\n\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_show_counts_changes_and_icons() {
        let rows = [
            SpanRow {
                name: "composition".into(),
                base: Some(1_000_000),
                head: Some(1_031_000),
                delta: Some(31_000),
                delta_pct: Some(3.1),
                icon: Icon::Regression,
            },
            SpanRow {
                name: "execute+trace".into(),
                base: None,
                head: Some(5),
                delta: None,
                delta_pct: None,
                icon: Icon::Info,
            },
        ];
        let cells = span_cells(&rows);
        assert_eq!(
            cells[0],
            [
                "composition",
                "1,000,000",
                "1,031,000",
                "+31,000",
                "+3.10%",
                "🔴"
            ]
            .map(String::from)
        );
        assert_eq!(
            cells[1],
            ["execute+trace", "-", "5", "-", "-", ""].map(String::from)
        );
        let f = function_cells(&[FunctionRow {
            name: "prover::stark::fri::fold".into(),
            base: 0,
            head: 40,
            delta: 40,
            delta_pct: None,
            head_share_pct: 0.5,
        }]);
        assert_eq!(f[0][4], "new");
        assert_eq!(f[0][5], "0.50%");
    }
}
