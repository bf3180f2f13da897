//! A parsed command line turned into a `commands::Request`: plain data, so that nothing past
//! this module sees clap.

use crate::analysis::verdict::Rules;
use crate::cli::args::{Cli, Command};
use crate::cli::shared::{ExportFormatArg, FitArgs, FormatArg, ProgramArgs, RuleArgs, SecurityArg};
use crate::commands::Request;
use crate::commands::ab::{AbRequest, BuildSpec};
use crate::commands::compare::CompareRequest;
use crate::commands::execute::ExecuteRequest;
use crate::commands::export::{ExportFormat, ExportRequest};
use crate::commands::format::Format;
use crate::commands::growth::GrowthRequest;
use crate::commands::merge::MergeRequest;
use crate::commands::nightly::NightlyRequest;
use crate::commands::overhead::OverheadRequest;
use crate::commands::plan::PlanCommand;
use crate::commands::predict::{FitRequest, PredictRequest};
use crate::commands::profile::ProfileRequest;
use crate::commands::prove::{ProveCommand, ProveRequest};
use crate::commands::run::{RunRequest, Selection};
use crate::commands::shard::ShardRunRequest;
use crate::model::config::ProveConfig;
use crate::model::program::ProgramSpec;
use prover::stark::{Regime, StarkParams};

/// The request of `cli`.
pub fn to_request(cli: Cli) -> Request {
    match cli.command {
        Command::Execute(a) => {
            let (program, input) = program(a.program);
            Request::Execute(ExecuteRequest {
                program,
                input,
                json: a.json,
                log: !a.no_log,
                max_cycles: a.max_cycles,
                log_max_rows: a.log_max_rows,
            })
        }
        Command::Prove(a) => {
            let (program, input) = program(a.program);
            Request::Prove(ProveCommand {
                request: ProveRequest {
                    program,
                    input,
                    max_cycles: a.max_cycles,
                    security: regime(a.security),
                    log_blowup: log_blowup(a.security, a.log_blowup),
                    log_max_rows: a.log_max_rows,
                    mode: a.mode,
                    table_parallelism: a.table_parallelism,
                    max_memory: a.max_memory,
                    memory_budget: a.budget.memory_budget,
                    epoch_log2: a.epoch_log2,
                },
                json: a.json,
                fit: fit(&a.fit),
            })
        }
        Command::Fixtures(a) => Request::Fixtures { json: a.json },
        Command::Run(a) if a.plan.is_some() => Request::RunShard(ShardRunRequest {
            plan: a.plan.unwrap_or_default(),
            shard: a.shard.unwrap_or(0),
            out: a.out,
            instructions_worker: a.instructions_worker,
            timeout: a.worker.timeout,
            max_memory: a.worker.max_memory,
            prepare: a.worker.prepare,
        }),
        Command::Plan(a) => Request::Plan(PlanCommand {
            fixtures: a.fixture,
            fixture_list: a.fixture_list,
            modes: a.modes,
            runs: a.runs,
            instruction_runs: a.instruction_runs,
            shards: a.shards,
            table_parallelism: a.table_parallelism,
            base: a.base,
            head: a.head,
            runner: a.runner,
            heavy_runner: a.heavy_runner,
            heavy_heap_bytes: a.heavy_heap,
            history: a.history,
            out: a.out,
        }),
        Command::Merge(a) => Request::Merge(MergeRequest {
            files: a.files,
            out: a.out,
            allow_missing: a.allow_missing,
        }),
        Command::Run(a) => Request::Run(RunRequest {
            fixtures: a.fixture,
            elfs: a.elf,
            selection: Selection {
                input: a.input.map(|w| w.0),
                suite: a.suite,
                group: a.group,
                size: a.size,
                catalogue: a.catalogue,
            },
            modes: a.modes,
            runs: a.runs,
            table_parallelism: a.table_parallelism,
            out: a.out,
            resume: a.resume,
            format: format(a.format),
            security: regime(a.security),
            instruction_runs: if a.instructions {
                a.instruction_runs
            } else {
                0
            },
            instructions_worker: a.instructions_worker,
            log_blowup: log_blowup(a.security, a.log_blowup),
            log_max_rows: a.log_max_rows,
            count_alloc: !a.no_count_alloc,
            epoch_log2: a.epoch_log2,
            save_baseline: a.save_baseline,
            baseline: a.baseline,
            rules: rules(&a.rules),
            timeout: a.worker.timeout,
            max_memory: a.worker.max_memory,
            memory_budget: a.budget.memory_budget,
            prepare: a.worker.prepare,
            fit: fit(&a.fit),
        }),
        Command::Overhead(a) => Request::Overhead(OverheadRequest {
            fixture: a.fixture,
            runs: a.runs,
            json: a.json,
        }),
        Command::Compare(a) => Request::Compare(CompareRequest {
            base: a.base,
            head: a.head,
            rules: rules(&a.rules),
            format: format(a.format),
            fail_on_regression: a.fail_on_regression,
        }),
        Command::Ab(a) => Request::Ab(AbRequest {
            base: a.base,
            head: a.head,
            fixtures: a.fixture,
            modes: a.modes,
            pairs: a.pairs,
            table_parallelism: a.table_parallelism,
            timeout: a.timeout,
            prepare: a.prepare,
            rules: rules(&a.rules),
            format: format(a.format),
            fail_on_regression: a.fail_on_regression,
            instructions: a.instructions,
            build: BuildSpec {
                command: a.build_cmd,
                worker: a.worker,
            },
        }),
        Command::Comment(a) => Request::Comment { text: a.text },
        Command::Nightly(a) => Request::Nightly(NightlyRequest {
            fixture: a.fixture,
            modes: a.modes,
            runs: a.runs,
            history: a.history,
            results: a.results,
            window: a.window,
            threshold: a.threshold,
            z: a.z,
            heap_threshold: a.heap_threshold,
            instructions: a.instructions,
            instructions_worker: a.instructions_worker,
            instructions_threshold: a.instructions_threshold,
            timeout: a.worker.timeout,
            max_memory: a.worker.max_memory,
            prepare: a.worker.prepare,
        }),
        Command::Growth(a) => Request::Growth(GrowthRequest {
            family: a.family,
            sizes: a.sizes,
            modes: a.modes,
            runs: a.runs,
            results: a.results,
            svg: a.svg,
            force: a.force,
            save_baseline: a.save_baseline,
            baseline: a.baseline,
            threshold: a.threshold,
            json: a.json,
            instructions: a.instructions,
            instructions_worker: a.instructions_worker,
            timeout: a.worker.timeout,
            max_memory: a.worker.max_memory,
            prepare: a.worker.prepare,
        }),
        Command::Profile(a) => Request::Profile(ProfileRequest {
            fixture: a.fixture,
            mode: a.mode,
            svg: a.svg,
            json: a.json,
            dhat_file: a.dhat.then_some(a.dhat_file),
            force: a.force,
        }),
        Command::Predict(a) => {
            let (program, input) = program(a.program);
            Request::Predict(PredictRequest {
                program,
                input,
                modes: a.modes,
                config: ProveConfig {
                    log_blowup: log_blowup(a.security, a.log_blowup),
                    log_max_rows: a.log_max_rows,
                    table_parallelism: a.table_parallelism.map(usize::from),
                    count_alloc: true,
                    epoch_log2: a.epoch_log2,
                    security: regime(a.security),
                    memory_budget: a.budget.memory_budget,
                },
                max_cycles: a.max_cycles,
                json: a.json,
            })
        }
        Command::Export(a) => Request::Export(ExportRequest {
            format: match a.format {
                ExportFormatArg::Bmf => ExportFormat::Bmf,
                ExportFormatArg::Gab => ExportFormat::Gab,
            },
            file: a.file,
            out: a.out,
            force: a.force,
        }),
    }
}

/// `--fit`'s request, if a budget was given.
fn fit(a: &FitArgs) -> Option<FitRequest> {
    a.fit.map(|budget| FitRequest {
        budget,
        margin_pct: a.fit_margin,
        speed_from: a.speed_from.clone(),
    })
}

/// The program and the input override of `--fixture` (with `--catalogue`) / `--elf` /
/// `--input` (clap requires exactly one of `--fixture` and `--elf`).
fn program(a: ProgramArgs) -> (ProgramSpec, Option<Vec<u32>>) {
    let spec = match (a.fixture, a.elf) {
        (Some(name), _) => match a.catalogue {
            Some(catalogue) => ProgramSpec::CatalogueFixture { catalogue, name },
            None => ProgramSpec::Fixture(name),
        },
        (None, Some(path)) => ProgramSpec::Elf(path),
        (None, None) => unreachable!("clap requires --fixture or --elf"),
    };
    (spec, a.input.map(|w| w.0))
}

fn rules(a: &RuleArgs) -> Rules {
    Rules {
        threshold_pct: a.threshold,
        heap_threshold_pct: a.heap_threshold,
        instructions_threshold_pct: a.instructions_threshold,
    }
}

fn regime(s: SecurityArg) -> Regime {
    match s {
        SecurityArg::Conjectured => Regime::Conjectured,
        SecurityArg::Provable => Regime::Provable,
    }
}

/// `--log-blowup`, or the `--security` preset's blowup.
fn log_blowup(s: SecurityArg, given: Option<usize>) -> usize {
    given.unwrap_or(StarkParams::preset(regime(s)).log_blowup)
}

fn format(f: FormatArg) -> Format {
    match f {
        FormatArg::Table => Format::Table,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Json => Format::Json,
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    fn request(args: &[&str]) -> Request {
        to_request(Cli::try_parse_from(args).expect("valid"))
    }

    #[test]
    fn programs_and_inputs() {
        let Request::Execute(r) = request(&["bench", "execute", "--elf", "b", "--input", "1,0x2"])
        else {
            panic!("parsed as another command");
        };
        assert_eq!(r.program, ProgramSpec::Elf("b".into()));
        assert_eq!(r.input, Some(vec![1, 2]));
        assert!(r.log);
        let Request::Prove(p) = request(&["bench", "prove", "--fixture", "f", "--json"]) else {
            panic!("parsed as another command");
        };
        assert_eq!(p.request.program, ProgramSpec::Fixture("f".into()));
        assert_eq!(p.request.input, None);
        assert!(p.json);
    }

    #[test]
    fn defaults_reach_the_requests() {
        let Request::Run(r) = request(&["bench", "run"]) else {
            panic!("parsed as another command");
        };
        assert_eq!(r.format, Format::Table);
        assert_eq!(r.rules, Rules::default());
        assert!(r.count_alloc);
        assert_eq!(r.epoch_log2, prover::continuation::DEFAULT_EPOCH_LOG2);
        let Request::Overhead(o) = request(&["bench", "overhead"]) else {
            panic!("parsed as another command");
        };
        assert_eq!(o.fixture, crate::model::config::DEFAULT_FIXTURE);
        let Request::Profile(p) = request(&["bench", "profile", "--fixture", "f"]) else {
            panic!("parsed as another command");
        };
        assert_eq!(p.dhat_file, None);
        let Request::Export(e) = request(&["bench", "export", "--format", "gab", "r.json"]) else {
            panic!("parsed as another command");
        };
        assert_eq!(e.format, ExportFormat::Gab);
    }

    #[test]
    fn the_security_preset_picks_the_blowup_unless_it_is_given() {
        let prove = |extra: &[&str]| {
            let mut args = vec!["bench", "prove", "--fixture", "f"];
            args.extend(extra);
            let Request::Prove(p) = request(&args) else {
                panic!("parsed as another command");
            };
            (p.request.security, p.request.log_blowup)
        };
        assert_eq!(prove(&[]), (Regime::Conjectured, 1));
        assert_eq!(prove(&["--security", "provable"]), (Regime::Provable, 3));
        assert_eq!(
            prove(&["--security", "provable", "--log-blowup", "2"]),
            (Regime::Provable, 2)
        );
        let Request::Run(r) = request(&["bench", "run", "--security", "provable"]) else {
            panic!("parsed as another command");
        };
        assert_eq!((r.security, r.log_blowup), (Regime::Provable, 3));
    }
}
