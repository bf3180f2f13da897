//! The text of `bench execute` without `--json`: program, input, cycles, output, exit code,
//! speed, the execution log's size, and whether a fixture matched its catalogue entry.

use std::fmt::Write;

use prover::vm::BYTES_PER_CYCLE;

use crate::model::execution::ExecutionReport;

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
    Ok(())
}
