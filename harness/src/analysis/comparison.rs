//! The comparison of two sets of runs: the mismatch guards that refuse comparisons that would
//! mislead, and the comparison model that `report::compare_table`, `report::compare_markdown`
//! and JSON print. `bench compare`, `bench run --baseline` and `bench ab` all build it
//! through [`build`].
//!
//! Guards ([`MismatchError`]): different schema versions, fixture sets, mode sets, run
//! settings (table parallelism, blowup, chunk size, heap counting, epoch size) or cycle
//! counts are refused with an error that names the difference. Different machines ([`Machine::key`])
//! give a warning that the output repeats.
//!
//! Per (fixture, mode) the model compares prove time and peak heap (judged) and peak RSS
//! (information) with [`verdict::compare`], adds a per-phase breakdown (median seconds and
//! peak heap of each prover phase, and where the peak is held), and groups entries into one
//! section per fixture, each with its own verdict (the overall verdict decides the exit
//! status of the commands that fail on a regression).

use serde::Serialize;
use thiserror::Error;

use crate::analysis::attribution::{self, FunctionRow, SpanRow};
use crate::analysis::breakdown;
use crate::analysis::stats::{self, Sample};
use crate::analysis::summary::peak_phase;
use crate::analysis::verdict::{
    self, Design, Icon, Labelled, Metric, MetricComparison, Rules, Unavailable, Verdict,
};
use crate::model::config::{ProveConfig, parallelism_label};
use crate::model::machine::Machine;
use crate::model::record::{PhaseRecord, RunRecord};
use crate::model::results::{Entry, ResultsFile};

/// Why two results cannot be compared.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum MismatchError {
    /// Different results-file layouts.
    #[error("schema versions differ: base {base}, head {head}")]
    SchemaVersion {
        /// Base version.
        base: u32,
        /// Head version.
        head: u32,
    },
    /// Different fixtures.
    #[error("fixtures differ: base has {base}, head has {head}")]
    Fixtures {
        /// Base fixtures, comma-separated.
        base: String,
        /// Head fixtures.
        head: String,
    },
    /// Different modes for a fixture.
    #[error("modes of {fixture} differ: base has {base}, head has {head}")]
    Modes {
        /// The fixture.
        fixture: String,
        /// Base modes.
        base: String,
        /// Head modes.
        head: String,
    },
    /// A run setting differs.
    #[error("{setting} differs: base {base}, head {head}")]
    Setting {
        /// Which one.
        setting: &'static str,
        /// Base value.
        base: String,
        /// Head value.
        head: String,
    },
    /// The programs ran for different cycle counts.
    #[error("cycle counts of {fixture} · {mode} differ: base {base}, head {head}")]
    Cycles {
        /// The fixture.
        fixture: String,
        /// The mode.
        mode: String,
        /// Base cycles.
        base: u64,
        /// Head cycles.
        head: u64,
    },
}

/// The schema versions of two results files' texts must agree (checked before parsing, so
/// that the error names both).
pub fn check_schema(base: &str, head: &str) -> Result<(), MismatchError> {
    #[derive(serde::Deserialize)]
    struct Version {
        schema_version: u32,
    }
    let version = |t: &str| {
        serde_json::from_str::<Version>(t)
            .ok()
            .map(|v| v.schema_version)
    };
    match (version(base), version(head)) {
        (Some(b), Some(h)) if b != h => Err(MismatchError::SchemaVersion { base: b, head: h }),
        _ => Ok(()),
    }
}

/// The run settings must agree.
pub fn check_config(base: &ProveConfig, head: &ProveConfig) -> Result<(), MismatchError> {
    let budget = |b: Option<u64>| b.map_or_else(|| "none".to_string(), |b| format!("{b} B"));
    let settings: [(&'static str, String, String); 7] = [
        (
            "table parallelism",
            parallelism_label(base.table_parallelism),
            parallelism_label(head.table_parallelism),
        ),
        (
            "log blowup",
            base.log_blowup.to_string(),
            head.log_blowup.to_string(),
        ),
        (
            "log max rows",
            base.log_max_rows.to_string(),
            head.log_max_rows.to_string(),
        ),
        (
            "heap counting",
            base.count_alloc.to_string(),
            head.count_alloc.to_string(),
        ),
        (
            "epoch log2",
            base.epoch_log2.to_string(),
            head.epoch_log2.to_string(),
        ),
        (
            "security",
            base.security.to_string(),
            head.security.to_string(),
        ),
        (
            "memory budget",
            budget(base.memory_budget),
            budget(head.memory_budget),
        ),
    ];
    match settings.into_iter().find(|(_, b, h)| b != h) {
        Some((setting, base, head)) => Err(MismatchError::Setting {
            setting,
            base,
            head,
        }),
        None => Ok(()),
    }
}

/// The cycle counts of two entries' first runs must agree.
pub fn check_cycles(base: &Entry, head: &Entry) -> Result<(), MismatchError> {
    match (base.runs.first(), head.runs.first()) {
        (Some(b), Some(h)) if b.cycles != h.cycles => Err(MismatchError::Cycles {
            fixture: head.fixture.clone(),
            mode: head.mode.to_string(),
            base: b.cycles,
            head: h.cycles,
        }),
        _ => Ok(()),
    }
}

/// The fixture and mode sets, settings and cycles of two files must agree; returns the
/// warnings (a machine difference).
pub fn check_files(base: &ResultsFile, head: &ResultsFile) -> Result<Vec<String>, MismatchError> {
    if base.schema_version != head.schema_version {
        return Err(MismatchError::SchemaVersion {
            base: base.schema_version,
            head: head.schema_version,
        });
    }
    let fixtures = |f: &ResultsFile| {
        let mut v: Vec<String> = Vec::new();
        for e in &f.entries {
            if !v.contains(&e.fixture) {
                v.push(e.fixture.clone());
            }
        }
        v
    };
    let (bf, hf) = (fixtures(base), fixtures(head));
    let sorted = |v: &[String]| {
        let mut s = v.to_vec();
        s.sort();
        s
    };
    if sorted(&bf) != sorted(&hf) {
        return Err(MismatchError::Fixtures {
            base: list(&bf),
            head: list(&hf),
        });
    }
    for fixture in &hf {
        let modes = |f: &ResultsFile| {
            let mut m: Vec<String> = f
                .entries
                .iter()
                .filter(|e| &e.fixture == fixture)
                .map(|e| e.mode.to_string())
                .collect();
            m.sort();
            m
        };
        let (bm, hm) = (modes(base), modes(head));
        if bm != hm {
            return Err(MismatchError::Modes {
                fixture: fixture.clone(),
                base: list(&bm),
                head: list(&hm),
            });
        }
    }
    check_config(&base.config, &head.config)?;
    for h in &head.entries {
        if let Some(b) = base.entry(&h.fixture, h.mode) {
            check_cycles(b, h)?;
        }
    }
    let mut warnings: Vec<String> = if base.sharding.is_some() || head.sharding.is_some() {
        entry_machine_warnings(base, head)
    } else {
        machine_warning(&base.machine, &head.machine)
            .into_iter()
            .collect()
    };
    for h in &head.entries {
        if let Some(b) = base.entry(&h.fixture, h.mode)
            && let (Some(bb), Some(hb)) = (instruction_build(b), instruction_build(h))
            && bb != hb
        {
            warnings.push(format!(
                "{} · {}: instructions were counted by different builds (base: {}, {}; head: \
                 {}, {}), so they are not compared",
                h.fixture, h.mode, bb.0, bb.1, hb.0, hb.1
            ));
        }
    }
    Ok(warnings)
}

/// The build that counted an entry's instructions: the compiler and the CPU features of its
/// first run under cachegrind. Counts of different builds are different programs.
pub fn instruction_build(e: &Entry) -> Option<(&str, &str)> {
    e.instruction_runs
        .first()
        .map(|r| (r.machine.rustc.as_str(), r.machine.target_features.as_str()))
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "nothing".into()
    } else {
        v.join(", ")
    }
}

/// Whether every timed run of a pair, both sides, ran on one machine ([`Machine::key`] of
/// each run record): the condition for judging its time. Merged shard files can hold
/// entries of several machines; a pair measured across two is indicative.
pub fn runs_on_one_machine(p: &Pair<'_>) -> bool {
    let mut keys = p
        .base
        .into_iter()
        .flat_map(|b| &b.runs)
        .chain(&p.head.runs)
        .map(|r| r.machine.key());
    match keys.next() {
        Some(first) => keys.all(|k| k == first),
        None => true,
    }
}

/// The warnings of two files of which at least one is sharded: each (fixture, mode) whose
/// sides ran on different machines.
pub fn entry_machine_warnings(base: &ResultsFile, head: &ResultsFile) -> Vec<String> {
    head.entries
        .iter()
        .filter_map(|h| {
            let b = base.entry(&h.fixture, h.mode)?;
            let (bm, hm) = (base.entry_machine(b), head.entry_machine(h));
            (bm.key() != hm.key()).then(|| {
                format!(
                    "{} · {}: base ran on {}, head on {}; its prove time is indicative (heap and instruction counts are judged)",
                    h.fixture,
                    h.mode,
                    bm.describe(),
                    hm.describe()
                )
            })
        })
        .collect()
}

/// A warning when the two machines differ.
pub fn machine_warning(base: &Machine, head: &Machine) -> Option<String> {
    (base.key() != head.key()).then(|| {
        format!(
            "different machines: base ran on {}, head on {}; prove time is not judged across machines (heap and instruction counts are)",
            base.describe(),
            head.describe()
        )
    })
}

/// Median seconds and peak heap of one prover phase on both sides.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PhaseRow {
    /// Phase name.
    pub name: String,
    /// Base median seconds.
    pub base_seconds: Option<f64>,
    /// Head median seconds.
    pub head_seconds: Option<f64>,
    /// Base median peak heap, bytes.
    pub base_peak_heap: Option<u64>,
    /// Head median peak heap, bytes.
    pub head_peak_heap: Option<u64>,
}

/// One (fixture, mode) compared.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EntryComparison {
    /// Fixture.
    pub fixture: String,
    /// Mode.
    pub mode: String,
    /// Cycles of the head's runs.
    pub cycles: Option<u64>,
    /// Successful base runs.
    pub base_runs: usize,
    /// Successful head runs.
    pub head_runs: usize,
    /// Failed base runs.
    pub base_failed: usize,
    /// Failed head runs.
    pub head_failed: usize,
    /// Why no comparison could be made (no baseline, no successful run on a side).
    pub unavailable: Option<Unavailable>,
    /// Time, heap (when counted) and RSS.
    pub metrics: Vec<MetricComparison>,
    /// Head-only numbers when there is nothing to compare with: (metric, median).
    pub head_only: Vec<(Metric, f64)>,
    /// Per-phase medians.
    pub phases: Vec<PhaseRow>,
    /// Where the base's peak is held.
    pub base_peak_phase: Option<String>,
    /// Where the head's peak is held.
    pub head_peak_phase: Option<String>,
    /// The buffer kinds at the peak on both sides, the largest change first (empty unless
    /// both sides have a breakdown).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub peak_kinds: Vec<breakdown::KindDelta>,
    /// Instructions per span of the prove on both sides, each judged like the total
    /// (`analysis::attribution`; empty unless both sides were counted with an attribution
    /// by the same build).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instruction_spans: Vec<SpanRow>,
    /// The functions whose instruction counts changed most (same condition).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionRow>,
}

/// All entries of one fixture, with their verdict.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Section {
    /// The fixture.
    pub fixture: String,
    /// Its entries, one per mode.
    pub entries: Vec<EntryComparison>,
    /// The verdict over them.
    pub verdict: Verdict,
}

/// Where the numbers come from, for the footer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Footer {
    /// The head's commit (short), `-dirty` when the tree was.
    pub commit: String,
    /// Where the base comes from: a file, a saved baseline, a revision.
    pub baseline: String,
    /// The machine of the head runs.
    pub runner: String,
}

/// The whole comparison, everything the renderers print.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Comparison {
    /// Column title of the base.
    pub base_label: String,
    /// Column title of the head.
    pub head_label: String,
    /// Independent runs or pairs.
    pub design: Design,
    /// The rules applied.
    pub rules: Rules,
    /// Table parallelism of both sides.
    pub table_parallelism: Option<usize>,
    /// Whether prove time was judged (both sides on the same machine).
    pub time_judged: bool,
    /// One section per fixture, in the head's order.
    pub sections: Vec<Section>,
    /// The verdict over everything.
    pub verdict: Verdict,
    /// Warnings to print with it (different machines).
    pub warnings: Vec<String>,
    /// Footer facts.
    pub footer: Footer,
}

/// One head entry and its base, if any.
#[derive(Clone, Copy, Debug)]
pub struct Pair<'a> {
    /// The base entry (`None`: no baseline).
    pub base: Option<&'a Entry>,
    /// The head entry.
    pub head: &'a Entry,
}

/// What [`build`] needs besides the entries.
#[derive(Clone, Debug)]
pub struct Setup {
    /// Base column title.
    pub base_label: String,
    /// Head column title.
    pub head_label: String,
    /// Independent or paired.
    pub design: Design,
    /// The rules.
    pub rules: Rules,
    /// Shared table parallelism.
    pub table_parallelism: Option<usize>,
    /// Whether both sides ran on the same machine ([`Machine::key`]). When not, prove time
    /// is shown but not judged: its change mixes the code's with the hardware's.
    pub same_machine: bool,
    /// Warnings.
    pub warnings: Vec<String>,
    /// Footer.
    pub footer: Footer,
}

/// Builds the model. With [`Design::Paired`], `base.runs[i]` and `head.runs[i]` are pairs.
pub fn build(pairs: &[Pair<'_>], cx: Setup) -> Result<Comparison, verdict::VerdictError> {
    cx.rules.validate()?;
    let mut sections: Vec<Section> = Vec::new();
    // Every entry with runs on both sides makes one time comparison; they are judged as one
    // family (see `analysis::time_rule`).
    let family = pairs
        .iter()
        .filter(|p| p.base.is_some_and(|b| !b.runs.is_empty()) && !p.head.runs.is_empty())
        .count()
        .max(1);
    let mut time_judged = cx.same_machine;
    for p in pairs {
        let mut entry = compare_entry(p, cx.design, &cx.rules, family)?;
        let one_machine = runs_on_one_machine(p);
        time_judged &= one_machine;
        if !cx.same_machine || !one_machine {
            for m in entry
                .metrics
                .iter_mut()
                .filter(|m| m.metric == Metric::Time)
            {
                m.icon = Icon::Indicative;
                m.runs_to_settle = None;
            }
        }
        match sections.iter_mut().find(|s| s.fixture == entry.fixture) {
            Some(s) => s.entries.push(entry),
            None => sections.push(Section {
                fixture: entry.fixture.clone(),
                entries: vec![entry],
                verdict: Verdict::NoChange,
            }),
        }
    }
    let label_of = |s: &Section, e: &EntryComparison, many_fixtures: bool| match (
        many_fixtures,
        s.entries.len() > 1,
    ) {
        (false, false) => String::new(),
        (false, true) => e.mode.clone(),
        (true, _) => format!("{} · {}", e.fixture, e.mode),
    };
    let mut all_labels: Vec<(String, &MetricComparison)> = Vec::new();
    let mut all_unavailable = Vec::new();
    let many = sections.len() > 1;
    for s in &sections {
        for e in &s.entries {
            let label = label_of(s, e, many);
            for m in &e.metrics {
                all_labels.push((label.clone(), m));
            }
            if let Some(why) = &e.unavailable {
                all_unavailable.push(why.clone());
            }
        }
    }
    let labelled: Vec<Labelled> = all_labels
        .iter()
        .map(|(label, comparison)| Labelled { label, comparison })
        .collect();
    let overall = verdict::verdict(&labelled, &all_unavailable);
    let section_verdicts: Vec<Verdict> = sections
        .iter()
        .map(|s| {
            let labels: Vec<(String, &MetricComparison)> = s
                .entries
                .iter()
                .flat_map(|e| {
                    let label = label_of(s, e, false);
                    e.metrics.iter().map(move |m| (label.clone(), m))
                })
                .collect();
            let labelled: Vec<Labelled> = labels
                .iter()
                .map(|(label, comparison)| Labelled { label, comparison })
                .collect();
            let unavailable: Vec<Unavailable> = s
                .entries
                .iter()
                .filter_map(|e| e.unavailable.clone())
                .collect();
            verdict::verdict(&labelled, &unavailable)
        })
        .collect();
    for (s, v) in sections.iter_mut().zip(section_verdicts) {
        s.verdict = v;
    }
    Ok(Comparison {
        base_label: cx.base_label,
        head_label: cx.head_label,
        design: cx.design,
        rules: cx.rules,
        table_parallelism: cx.table_parallelism,
        time_judged,
        sections,
        verdict: overall,
        warnings: cx.warnings,
        footer: cx.footer,
    })
}

type Extract = fn(&RunRecord) -> Option<f64>;
/// The runs of an entry a metric is read from.
type Runs = fn(&Entry) -> &[RunRecord];

/// Each metric, the runs it is read from, and how. Instructions come from the runs under
/// cachegrind only; time, heap and RSS from the timed runs only (valgrind distorts them).
const METRICS: [(Metric, Runs, Extract); 4] = [
    (Metric::Time, |e| &e.runs, |r| Some(r.prove_seconds)),
    (
        Metric::Heap,
        |e| &e.runs,
        |r| r.peak_heap_bytes.map(|b| b as f64),
    ),
    (
        Metric::Instructions,
        |e| &e.instruction_runs,
        |r| r.instructions.map(|i| i as f64),
    ),
    (
        Metric::Rss,
        |e| &e.runs,
        |r| r.peak_rss_bytes.map(|b| b as f64),
    ),
];

fn compare_entry(
    p: &Pair<'_>,
    design: Design,
    rules: &Rules,
    family: usize,
) -> Result<EntryComparison, verdict::VerdictError> {
    let head = p.head;
    let what = format!("{} · {}", head.fixture, head.mode);
    let unavailable = match p.base {
        None => Some(Unavailable::NoBaseline(what)),
        Some(b) if b.runs.is_empty() => Some(Unavailable::NoBaseRun(what)),
        Some(_) if head.runs.is_empty() => Some(Unavailable::NoHeadRun(what)),
        Some(_) => None,
    };
    let mut metrics = Vec::new();
    let mut head_only = Vec::new();
    // Instruction counts of different builds are not compared (check_files says so).
    let same_build = p
        .base
        .is_none_or(|b| instruction_build(b) == instruction_build(head));
    for (metric, runs, extract) in METRICS {
        let values = |e: &Entry| -> Option<Vec<f64>> { runs(e).iter().map(extract).collect() };
        let base_values = p
            .base
            .filter(|_| metric != Metric::Instructions || same_build)
            .and_then(values);
        let h = values(head).filter(|v| !v.is_empty());
        match (unavailable.is_none(), base_values, h) {
            (true, Some(b), Some(h)) => metrics.push(verdict::compare_in_family(
                metric, &b, &h, design, rules, family,
            )?),
            (_, _, Some(h)) => {
                if let Ok(s) = Sample::new(h) {
                    head_only.push((metric, stats::median(&s)));
                }
            }
            _ => {}
        }
    }
    let empty: &[RunRecord] = &[];
    let base_runs = p.base.map_or(empty, |b| &b.runs);
    let (instruction_spans, functions) = p
        .base
        .filter(|_| same_build)
        .and_then(|b| attribution::compare_runs(&b.instruction_runs, &head.instruction_runs, rules))
        .unwrap_or_default();
    Ok(EntryComparison {
        instruction_spans,
        functions,
        fixture: head.fixture.clone(),
        mode: head.mode.to_string(),
        cycles: head.runs.first().map(|r| r.cycles),
        base_runs: base_runs.len(),
        head_runs: head.runs.len(),
        base_failed: p.base.map_or(0, |b| b.failures.len()),
        head_failed: head.failures.len(),
        unavailable,
        metrics,
        head_only,
        phases: phases(base_runs, &head.runs),
        base_peak_phase: peak_phase(base_runs),
        head_peak_phase: peak_phase(&head.runs),
        peak_kinds: match (
            breakdown::of_runs(base_runs),
            breakdown::of_runs(&head.runs),
        ) {
            (Some(b), Some(h)) => breakdown::kind_deltas(b, h),
            _ => Vec::new(),
        },
    })
}

fn phases(base: &[RunRecord], head: &[RunRecord]) -> Vec<PhaseRow> {
    let mut names: Vec<String> = Vec::new();
    for r in base.iter().take(1).chain(head.iter().take(1)) {
        for p in &r.phases {
            if !names.contains(&p.name) {
                names.push(p.name.clone());
            }
        }
    }
    let median = |runs: &[RunRecord], name: &str, f: fn(&PhaseRecord) -> f64| {
        let v: Vec<f64> = runs
            .iter()
            .filter_map(|r| r.phases.iter().find(|p| p.name == name))
            .map(f)
            .collect();
        Sample::new(v).ok().map(|s| stats::median(&s))
    };
    names
        .into_iter()
        .map(|name| PhaseRow {
            base_seconds: median(base, &name, |p| p.seconds),
            head_seconds: median(head, &name, |p| p.seconds),
            base_peak_heap: median(base, &name, |p| p.peak_heap_bytes as f64)
                .map(|v| v.round() as u64),
            head_peak_heap: median(head, &name, |p| p.peak_heap_bytes as f64)
                .map(|v| v.round() as u64),
            name,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use prover::modes::MemoryMode;

    use super::*;
    use crate::analysis::verdict::Withholding;
    use crate::testing::{cx, file};

    #[test]
    fn guards_name_the_difference() {
        let base = file(&[1.0], 100);
        let mut head = file(&[1.0], 100);
        assert_eq!(check_files(&base, &head), Ok(vec![]));

        head.entries[0].fixture = "other".into();
        let e = check_files(&base, &head).unwrap_err();
        assert_eq!(
            e.to_string(),
            "fixtures differ: base has fib, head has other"
        );

        let mut head = file(&[1.0], 100);
        head.entries[0].mode = "leaf-drop".parse().unwrap();
        let e = check_files(&base, &head).unwrap_err();
        assert_eq!(
            e.to_string(),
            "modes of fib differ: base has default, head has leaf-drop"
        );

        let mut head = file(&[1.0], 100);
        head.config.table_parallelism = Some(2);
        let e = check_files(&base, &head).unwrap_err();
        assert_eq!(
            e.to_string(),
            "table parallelism differs: base auto, head 2"
        );

        let mut head = file(&[1.0], 100);
        head.entries[0].runs[0].cycles = 7;
        let e = check_files(&base, &head).unwrap_err();
        assert_eq!(
            e.to_string(),
            "cycle counts of fib · default differ: base 1000, head 7"
        );

        let mut head = file(&[1.0], 100);
        head.schema_version = 2;
        assert!(matches!(
            check_files(&base, &head),
            Err(MismatchError::SchemaVersion { base: 1, head: 2 })
        ));
        assert_eq!(
            check_schema(r#"{"schema_version": 1}"#, r#"{"schema_version": 2}"#)
                .unwrap_err()
                .to_string(),
            "schema versions differ: base 1, head 2"
        );

        let mut head = file(&[1.0], 100);
        head.machine.cores = 64;
        let w = check_files(&base, &head).unwrap();
        assert_eq!(w.len(), 1);
        assert!(w[0].starts_with("different machines"), "{w:?}");
    }

    #[test]
    fn instructions_are_compared_from_the_runs_under_cachegrind_only() {
        // One run per side: +1.5 % instructions is a regression, and valgrind's absurd
        // times (999 s) never reach the time comparison.
        let mut base = file(&[1.0, 1.0, 1.0], 100);
        let mut head = file(&[1.0, 1.0, 1.0], 100);
        crate::testing::with_instructions(&mut base, "default", &[1_000_000]);
        crate::testing::with_instructions(&mut head, "default", &[1_015_000]);
        let compare = |base: &ResultsFile, head: &ResultsFile| {
            let pairs = [Pair {
                base: base.entry("fib", MemoryMode::DEFAULT),
                head: &head.entries[0],
            }];
            build(&pairs, cx()).unwrap()
        };
        let c = compare(&base, &head);
        let e = &c.sections[0].entries[0];
        let m = |metric| e.metrics.iter().find(|m| m.metric == metric).unwrap();
        assert_eq!(m(Metric::Instructions).icon, Icon::Regression);
        assert_eq!(m(Metric::Instructions).delta, 15_000.0);
        assert_eq!(m(Metric::Time).base.median, 1.0);
        assert!(c.verdict.is_regression());
        // Without counts on either side there is no instructions row.
        let plain = compare(&file(&[1.0], 100), &file(&[1.0], 100));
        assert!(
            plain.sections[0].entries[0]
                .metrics
                .iter()
                .all(|m| m.metric != Metric::Instructions)
        );
    }

    #[test]
    fn instructions_of_different_builds_are_not_compared_and_say_so() {
        let mut base = file(&[1.0], 100);
        let mut head = file(&[1.0], 100);
        crate::testing::with_instructions(&mut base, "default", &[1_000_000]);
        crate::testing::with_instructions(&mut head, "default", &[1_500_000]);
        assert!(check_files(&base, &head).unwrap().is_empty());
        // Head counted by a build with AVX-512 enabled: another program.
        let e = head.entry_mut("fib", MemoryMode::DEFAULT);
        e.instruction_runs[0].machine.target_features = "avx2,bmi2,fma,avx512f".into();
        let warnings = check_files(&base, &head).unwrap();
        assert_eq!(warnings.len(), 1);
        assert!(
            warnings[0].contains("instructions were counted by different builds"),
            "{warnings:?}"
        );
        let pairs = [Pair {
            base: base.entry("fib", MemoryMode::DEFAULT),
            head: &head.entries[0],
        }];
        let c = build(&pairs, cx()).unwrap();
        let e = &c.sections[0].entries[0];
        assert!(e.metrics.iter().all(|m| m.metric != Metric::Instructions));
        assert!(e.head_only.iter().any(|(m, _)| *m == Metric::Instructions));
        assert!(!c.verdict.is_regression(), "{:?}", c.verdict);
    }

    #[test]
    fn a_different_security_regime_is_refused() {
        let base = file(&[1.0], 100);
        let mut head = file(&[1.0], 100);
        head.config.security = prover::stark::Regime::Provable;
        assert_eq!(
            check_files(&base, &head).unwrap_err(),
            MismatchError::Setting {
                setting: "security",
                base: "conjectured".into(),
                head: "provable".into(),
            }
        );
    }

    #[test]
    fn a_different_epoch_size_is_refused() {
        // verify-and-drop proves in epochs of 2^epoch_log2 cycles: its time and heap depend
        // on the epoch size, so results taken with different sizes do not compare.
        let base = file(&[1.0], 100);
        let mut head = file(&[1.0], 100);
        head.config.epoch_log2 = 14;
        let e = check_files(&base, &head).unwrap_err();
        assert_eq!(
            e,
            MismatchError::Setting {
                setting: "epoch log2",
                base: prover::continuation::DEFAULT_EPOCH_LOG2.to_string(),
                head: "14".into(),
            }
        );
        assert_eq!(
            e.to_string(),
            format!(
                "epoch log2 differs: base {}, head 14",
                prover::continuation::DEFAULT_EPOCH_LOG2
            )
        );
        assert!(check_config(&head.config, &head.config).is_ok());
    }

    #[test]
    fn a_different_memory_budget_is_refused() {
        // A budget changes what the prover keeps: heap and time under different budgets do
        // not compare.
        let base = file(&[1.0], 100);
        let mut head = file(&[1.0], 100);
        head.config.memory_budget = Some(4 << 30);
        assert_eq!(
            check_files(&base, &head).unwrap_err().to_string(),
            "memory budget differs: base none, head 4294967296 B"
        );
    }

    #[test]
    fn model_of_a_regression() {
        let base = file(&[10.0, 10.0, 10.1], 100 << 20);
        let head = file(&[11.0, 11.1, 11.0], 100 << 20);
        let pairs = [Pair {
            base: base.entry("fib", MemoryMode::DEFAULT),
            head: &head.entries[0],
        }];
        let c = build(&pairs, cx()).unwrap();
        assert!(c.verdict.is_regression(), "{:?}", c.verdict);
        assert_eq!(c.sections.len(), 1);
        let e = &c.sections[0].entries[0];
        assert_eq!(e.metrics.len(), 3);
        assert_eq!(e.phases.len(), 2);
        assert_eq!(e.head_peak_phase.as_deref(), Some("composition"));
    }

    #[test]
    fn across_machines_time_is_indicative_and_heap_still_judged() {
        let base = file(&[10.0, 10.0, 10.1], 100 << 20);
        let head = file(&[13.0, 13.1, 13.0], 110 << 20);
        let pairs = [Pair {
            base: base.entry("fib", MemoryMode::DEFAULT),
            head: &head.entries[0],
        }];
        let c = build(
            &pairs,
            Setup {
                same_machine: false,
                ..cx()
            },
        )
        .unwrap();
        assert!(!c.time_judged);
        let e = &c.sections[0].entries[0];
        let time = e.metrics.iter().find(|m| m.metric == Metric::Time).unwrap();
        assert_eq!(time.icon, Icon::Indicative);
        let Verdict::Regression { what } = &c.verdict else {
            panic!("{:?}", c.verdict);
        };
        assert_eq!(what.len(), 1);
        assert_eq!(what[0].metric, Metric::Heap);
    }

    #[test]
    fn a_pair_whose_runs_ran_on_two_machines_has_indicative_time() {
        // A merged shard file: the file-level machines agree, the runs do not.
        let base = file(&[10.0, 10.0, 10.1], 100 << 20);
        let mut head = file(&[13.0, 13.1, 13.0], 110 << 20);
        for r in &mut head.entries[0].runs {
            r.machine.cpu_model = "Shard CPU 2".into();
        }
        let pairs = [Pair {
            base: base.entry("fib", MemoryMode::DEFAULT),
            head: &head.entries[0],
        }];
        assert!(!runs_on_one_machine(&pairs[0]));
        let c = build(&pairs, cx()).unwrap();
        assert!(!c.time_judged);
        let e = &c.sections[0].entries[0];
        let time = e.metrics.iter().find(|m| m.metric == Metric::Time).unwrap();
        assert_eq!(time.icon, Icon::Indicative);
        let heap = e.metrics.iter().find(|m| m.metric == Metric::Heap).unwrap();
        assert_ne!(heap.icon, Icon::Indicative);
        // The same runs on one machine: time judged (a regression).
        let one = file(&[13.0, 13.1, 13.0], 110 << 20);
        let c = build(
            &[Pair {
                base: base.entry("fib", MemoryMode::DEFAULT),
                head: &one.entries[0],
            }],
            cx(),
        )
        .unwrap();
        assert!(c.time_judged);
    }

    #[test]
    fn a_missing_baseline_withholds_the_verdict() {
        let head = file(&[11.0], 100);
        let c = build(
            &[Pair {
                base: None,
                head: &head.entries[0],
            }],
            cx(),
        )
        .unwrap();
        assert_eq!(
            c.verdict,
            Verdict::Withheld {
                why: vec![Withholding::Unavailable(Unavailable::NoBaseline(
                    "fib · default".into()
                ))]
            }
        );
        let e = &c.sections[0].entries[0];
        assert!(e.metrics.is_empty());
        assert_eq!(e.head_only.len(), 3);
    }
}
