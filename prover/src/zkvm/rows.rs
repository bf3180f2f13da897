//! The rows each zkVM table gets for a run, without proving it: the heights the proof's
//! tables will have (padded per chunk, as [`TraceSource::heights`](crate::stark::TraceSource)
//! gives them to the prover) and, where a table's height follows the run, the rows that
//! carry data.
//!
//! One routing pass over the execution log, as the trace-retire witness makes it (no CPU
//! trace is materialised; the request lists are kept), so it costs the log and the
//! requests, not the traces. What "used" means per table:
//!
//! | table | rows | used |
//! |---|---|---|
//! | PROGRAM | one per instruction of the code, plus padding (preprocessed) | instructions executed at least once |
//! | CPU | cycles, padded | cycles |
//! | MEMORY | one per word touched or in the image, padded | words |
//! | ACCESS | one per load or store, padded | loads and stores |
//! | RANGE, BYTES | fixed 2^16 (preprocessed lookup tables) | - |
//! | ADD, LT, BITWISE, SHIFT, MUL, DIV | one per request routed to it, padded | requests |

use p3_matrix::Matrix;

use super::{airs, program_air};
use crate::air::alu::alu_table_height;
use crate::air::bytes::BYTES_HEIGHT;
use crate::air::range::RANGE_HEIGHT;
use crate::air::route_alu;
use crate::air::witness::{self, CpuRows, WitnessError};
use crate::stark::{Air, StarkParams};
use crate::vm::{Program, Step};

/// One table's rows for a run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TableRows {
    /// The table's name (`Air::name`).
    pub name: String,
    /// Its height in the proof (all chunks together, each padded).
    pub rows: usize,
    /// The rows that carry data, for tables whose height follows the run (see the module
    /// docs); `None` for the fixed lookup tables.
    pub used: Option<usize>,
}

/// The rows of every table, in proof order, for the run of `program` on `input` whose
/// execution log is `log` (a complete run, ending in its halt), proved at `params` (the
/// tables that may be split in chunks of `2^log_split_rows` rows).
pub fn table_rows(
    program: &Program,
    input: &[u32],
    log: &[Step],
    params: &StarkParams,
) -> Result<Vec<TableRows>, WitnessError> {
    let airs = airs(program);
    let program_air = program_air(&airs);
    let image = witness::memory_image(program, input);
    let log_split_rows = params.log_split_rows();
    let mut routed = witness::route(
        program_air,
        &witness::Origin::Image(&image),
        log,
        params,
        CpuRows::Checkpoints {
            every: 1 << log_split_rows,
        },
    )?;
    let executed = routed.program_counts[..program_air.padding_row()]
        .iter()
        .filter(|&&n| n > 0)
        .count();
    let memory_words = routed.memory.len();
    let memory_rows = witness::memory(&mut routed).height();
    let accesses = routed.access.len();
    let mut shapes = vec![
        (program_air.height(), Some(executed)),
        (routed.cpu_height, Some(log.len())),
        (memory_rows, Some(memory_words)),
        // ACCESS is padded by the ALU tables' rule (as `build_retired_witness` has it).
        (alu_table_height(accesses, log_split_rows), Some(accesses)),
        (RANGE_HEIGHT, None),
        (BYTES_HEIGHT, None),
    ];
    shapes.extend(
        route_alu(&routed.alu)
            .iter()
            .map(|r| (alu_table_height(r.len(), log_split_rows), Some(r.len()))),
    );
    Ok(airs
        .iter()
        .zip(shapes)
        .map(|(air, (rows, used))| TableRows {
            name: air.name().to_string(),
            rows,
            used,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::Catalogue;
    use crate::stark::StarkParams;
    use crate::vm::{ExecOptions, execute};
    use crate::zkvm::{ProveOptions, build_witness};

    /// The rows reported are the heights of the traces the prover builds, table by table,
    /// at the chunk size of the default parameters and at a small one (several chunks).
    #[test]
    fn rows_are_the_heights_of_the_built_traces() {
        let catalogue = Catalogue::load_default().unwrap();
        for name in ["bytesort_small", "modexp_small"] {
            let fixture = catalogue.get(name).unwrap();
            let program = catalogue.program(fixture).unwrap();
            let log = execute(
                &program,
                &fixture.input,
                &ExecOptions {
                    log: true,
                    ..ExecOptions::default()
                },
            )
            .unwrap()
            .log
            .unwrap();
            // The defaults (MEMORY one chunk of up to 2^20, the rest cut at 2^19) and 2^10.
            for log_max_rows in [20, 10] {
                let params = StarkParams {
                    log_max_rows,
                    ..StarkParams::default()
                };
                let options = ProveOptions {
                    params,
                    ..ProveOptions::default()
                };
                let witness = build_witness(&program, &fixture.input, &options).unwrap();
                let rows = table_rows(&program, &fixture.input, &log, &params).unwrap();
                assert_eq!(rows.len(), witness.traces.len());
                for (r, (trace, air)) in rows.iter().zip(witness.traces.iter().zip(&witness.airs)) {
                    assert_eq!(
                        r.rows,
                        trace.height(),
                        "{name} {} at 2^{log_max_rows}",
                        r.name
                    );
                    assert_eq!(r.name, air.name());
                    if let Some(used) = r.used {
                        assert!(used <= r.rows, "{name} {}", r.name);
                    }
                }
                assert_eq!(rows[1].used, Some(fixture.cycles as usize));
            }
        }
    }
}
