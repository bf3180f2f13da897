//! The subcommands, one file each: each takes its request (plain data, never clap's
//! arguments), orchestrates `measure`, `analysis`, `store` and `report`, prints, and returns
//! an [`Outcome`]; [`outcome::finish`] is the one place an outcome becomes an exit status.
//! The progress of measuring commands is `run::BarProgress`.
//!
//! May import: everything but `cli`. Only this layer prints (and uses `anyhow`).

pub mod ab;
pub mod comment;
pub mod compare;
pub mod execute;
pub mod export;
pub mod fixtures;
pub mod format;
pub mod growth;
pub mod merge;
pub mod nightly;
pub mod oom;
pub mod outcome;
pub mod overhead;
pub mod plan;
pub mod predict;
pub mod profile;
pub mod prove;
pub mod run;
pub mod shard;

pub use outcome::Outcome;

use crate::measure::alloc::CountingAlloc;

/// A command line turned into what to do.
#[derive(Clone, Debug)]
pub enum Request {
    /// `bench execute`.
    Execute(execute::ExecuteRequest),
    /// `bench prove`.
    Prove(prove::ProveCommand),
    /// `bench fixtures` (JSON or a table).
    Fixtures {
        /// Print a JSON array instead of a table.
        json: bool,
    },
    /// `bench run`.
    Run(run::RunRequest),
    /// `bench run --plan FILE --shard K`.
    RunShard(shard::ShardRunRequest),
    /// `bench plan`.
    Plan(plan::PlanCommand),
    /// `bench merge`.
    Merge(merge::MergeRequest),
    /// `bench overhead`.
    Overhead(overhead::OverheadRequest),
    /// `bench compare`.
    Compare(compare::CompareRequest),
    /// `bench ab`.
    Ab(ab::AbRequest),
    /// `bench comment`.
    Comment {
        /// The comment text.
        text: String,
    },
    /// `bench nightly`.
    Nightly(nightly::NightlyRequest),
    /// `bench growth`.
    Growth(growth::GrowthRequest),
    /// `bench profile`.
    Profile(profile::ProfileRequest),
    /// `bench export`.
    Export(export::ExportRequest),
    /// `bench predict`.
    Predict(predict::PredictRequest),
}

/// Runs `request`; `alloc` is the process's counting allocator (`bench prove` and `bench
/// profile` measure through it).
pub fn dispatch<A: Sync>(request: &Request, alloc: &CountingAlloc<A>) -> anyhow::Result<Outcome> {
    match request {
        Request::Execute(r) => execute::execute(r),
        Request::Prove(r) => prove::prove(r, alloc),
        Request::Fixtures { json } => fixtures::list(*json),
        Request::Run(r) => run::measure_modes(r),
        Request::RunShard(r) => shard::run_shard(r),
        Request::Plan(r) => plan::plan(r),
        Request::Merge(r) => merge::merge_shards(r),
        Request::Overhead(r) => overhead::measure_overhead(r),
        Request::Compare(r) => compare::compare(r),
        Request::Ab(r) => ab::compare_revisions(r),
        Request::Comment { text } => comment::answer(text),
        Request::Nightly(r) => nightly::record_night(r),
        Request::Growth(r) => growth::fit_growth(r),
        Request::Profile(r) => profile::profile(r, alloc),
        Request::Export(r) => export::export(r),
        Request::Predict(r) => predict::predict(r),
    }
}
