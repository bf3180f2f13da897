//! The text of one run record, as `bench prove` prints it without `--json`: the program,
//! mode, cycles, output, times, proof, its security, peak heap and RSS, then a line per phase
//! and per table.

use std::fmt::Write;

use crate::model::config::ProveConfig;
use crate::model::record::RunRecord;
use crate::report::units::mib_of;

/// What the record's proof parameters are worth: bits under both analyses, the regime they
/// target, the blowup and the query count.
pub fn security_line(config: &ProveConfig) -> String {
    let params = config.params();
    let s = params.security();
    format!(
        "{:.1} bits conjectured, {:.1} proven (target {} {}, blowup {}, {} queries)",
        s.conjectured_bits,
        s.provable_bits,
        params.security_bits,
        s.regime,
        params.blowup(),
        s.num_queries
    )
}

/// `report` as lines of text.
pub fn record_text(report: &RunRecord) -> String {
    let mut out = String::new();
    write_record(&mut out, report).expect("writing to a String cannot fail");
    out
}

fn write_record(out: &mut String, report: &RunRecord) -> std::fmt::Result {
    writeln!(out, "program        {}", report.fixture)?;
    writeln!(out, "mode           {}", report.mode)?;
    writeln!(out, "cycles         {}", report.cycles)?;
    writeln!(out, "public output  {:?}", report.public_output)?;
    writeln!(out, "exit code      {}", report.exit_code)?;
    writeln!(out, "prove          {:.3} s", report.prove_seconds)?;
    match report.epochs {
        Some(n) => writeln!(
            out,
            "verify         in the prove ({n} epochs of 2^{} cycles, each verified and dropped)",
            report.config.epoch_log2
        )?,
        None => writeln!(out, "verify         {:.3} s", report.verify_seconds)?,
    }
    writeln!(
        out,
        "proof          {} bytes, sha3 {}",
        report.proof_bytes, report.proof_sha3
    )?;
    writeln!(out, "verified       {}", report.verified)?;
    writeln!(out, "security       {}", security_line(&report.config))?;
    let mib = |b: Option<u64>| b.map_or("n/a".to_string(), |b| mib_of(b as f64));
    writeln!(out, "peak heap      {}", mib(report.peak_heap_bytes))?;
    writeln!(out, "peak RSS       {}", mib(report.peak_rss_bytes))?;
    writeln!(out, "phases         seconds   peak heap")?;
    for p in &report.phases {
        writeln!(
            out,
            "  {:<13} {:>7.3} {:>11}",
            p.name,
            p.seconds,
            mib(Some(p.peak_heap_bytes))
        )?;
    }
    writeln!(
        out,
        "tables         rows      main  aux(ext)  trace bytes/cycle"
    )?;
    for t in &report.tables {
        writeln!(
            out,
            "  {:<10} {:>9} {:>5} {:>9} {:>18.1}",
            t.name, t.rows, t.main_columns, t.aux_columns, t.trace_bytes_per_cycle
        )?;
    }
    Ok(())
}
