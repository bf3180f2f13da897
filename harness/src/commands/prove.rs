//! `bench prove`: one measured prove and verification in this process
//! (`measure::worker`), printed as text or as one JSON run record (what `bench run`'s
//! workers print). Under `--max-memory`, running out of memory ends it with one `Error: out
//! of memory: ...` line (`commands::oom`).

use anyhow::Result;

use crate::commands::oom;
use crate::commands::outcome::Outcome;
use crate::measure::alloc::CountingAlloc;
use crate::measure::worker;
pub use crate::measure::worker::ProveRequest;
use crate::report::record::record_text;

/// What `bench prove` is asked.
#[derive(Clone, Debug)]
pub struct ProveCommand {
    /// What to prove, and how.
    pub request: ProveRequest,
    /// Print one JSON object instead of text.
    pub json: bool,
    /// Choose the mode and parallelism by memory budget first (`--fit`).
    pub fit: Option<crate::commands::predict::FitRequest>,
}

/// Runs `bench prove`, measuring heap through `alloc`.
pub fn prove<A: Sync>(command: &ProveCommand, alloc: &CountingAlloc<A>) -> Result<Outcome> {
    if let Ok(v) = std::env::var(crate::measure::phase_marks::INJECT_ENV) {
        eprintln!(
            "warning: {}={v} is set: test-only extra work runs in that phase (measure::phase_marks)",
            crate::measure::phase_marks::INJECT_ENV
        );
    }
    if let Some(bytes) = command.request.max_memory {
        oom::arm(bytes);
    }
    let mut request = command.request.clone();
    if let Some(fit) = &command.fit {
        let config = crate::model::config::ProveConfig {
            log_blowup: request.log_blowup,
            log_max_rows: request.log_max_rows,
            table_parallelism: None,
            count_alloc: true,
            epoch_log2: request.epoch_log2,
            security: request.security,
            memory_budget: None,
        };
        let (mode, parallelism) = crate::commands::predict::choose_mode(
            &request.program,
            request.input.clone(),
            &config,
            fit,
        )?;
        request.mode = mode;
        request.table_parallelism = parallelism;
    }
    let record = worker::prove(&request, alloc)?;
    if command.json {
        println!("{}", serde_json::to_string(&record)?);
    } else {
        print!("{}", record_text(&record));
    }
    Ok(Outcome::Done)
}
