//! The text of `bench execute` without `--json`: program, input, cycles, output, exit code,
//! speed, the execution log's size, whether a fixture matched its catalogue entry, then the
//! instruction mix (count and share per class) and the rows each table gets.

use std::fmt::Write;

use prover::vm::BYTES_PER_CYCLE;

use crate::model::execution::{ClassShare, ExecutionReport, TableShare};
use crate::report::units::group_digits;

/// `report` as lines of text.
pub fn execution_text(report: &ExecutionReport) -> String {
    let mut out = String::new();
    write_execution(&mut out, report).expect("writing to a String cannot fail");
    out
}

fn write_execution(out: &mut String, report: &ExecutionReport) -> std::fmt::Result {
    writeln!(out, "program        {}", report.program)?;
    writeln!(out, "input          {:?}", report.input)?;
    writeln!(out, "cycles         {}", report.cycles)?;
    writeln!(out, "public output  {:?}", report.public_output)?;
    writeln!(out, "exit code      {}", report.exit_code)?;
    writeln!(
        out,
        "time           {:.6} s ({:.1} M cycles/s)",
        report.seconds,
        report.cycles_per_second / 1e6
    )?;
    if report.log {
        writeln!(
            out,
            "log            {} bytes ({BYTES_PER_CYCLE} per cycle)",
            report.log_bytes
        )?;
    }
    if let Some(ok) = report.matches_catalogue {
        writeln!(
            out,
            "catalogue      {}",
            if ok { "matches" } else { "MISMATCH" }
        )?;
    }
    if let Some(mix) = &report.mix {
        write_mix(out, mix)?;
    }
    if let Some(tables) = &report.tables {
        write_tables(out, tables, report)?;
    }
    if let Some(e) = &report.tables_error {
        writeln!(out, "\ntable rows     unavailable: {e}")?;
    }
    Ok(())
}

/// The instruction classes: name, count, share.
fn write_mix(out: &mut String, mix: &[ClassShare]) -> std::fmt::Result {
    let total: u64 = mix.iter().map(|c| c.count).sum();
    writeln!(
        out,
        "\ninstruction mix ({} instructions)",
        group_digits(total)
    )?;
    writeln!(out, "  {:<12} {:>15} {:>7}", "class", "count", "share")?;
    for c in mix {
        writeln!(
            out,
            "  {:<12} {:>15} {:>6.2}%",
            c.class,
            group_digits(c.count),
            c.share_pct
        )?;
    }
    Ok(())
}

/// The tables: name, rows, used rows, rows per cycle.
fn write_tables(
    out: &mut String,
    tables: &[TableShare],
    report: &ExecutionReport,
) -> std::fmt::Result {
    let max = report.log_max_rows;
    match report.log_split_rows {
        Some(split) => writeln!(
            out,
            "\ntable rows (chunks of 2^{split} rows, each padded; memory one chunk of at most 2^{max})"
        )?,
        None => writeln!(
            out,
            "\ntable rows (chunks of at most 2^{max} rows, each padded)"
        )?,
    }
    writeln!(
        out,
        "  {:<10} {:>15} {:>15} {:>10}",
        "table", "rows", "used", "rows/cycle"
    )?;
    for t in tables {
        writeln!(
            out,
            "  {:<10} {:>15} {:>15} {:>10.4}",
            t.table,
            group_digits(t.rows),
            t.used.map_or_else(|| "-".to_string(), group_digits),
            t.rows_per_cycle
        )?;
    }
    Ok(())
}
