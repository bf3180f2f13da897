//! Test helpers shared by the unit tests of every module (compiled only for tests): small
//! run records, results files, history records, comparison setups and raw timelines.

use prover::modes::MemoryMode;
use prover::stark::Phase;

use crate::analysis::comparison::{Footer, Setup};
use crate::analysis::growth::fixture_name;
use crate::analysis::summary::resummarize;
use crate::analysis::timeline::{PhaseEvent, Raw};
use crate::analysis::verdict::{Design, Rules};
use crate::model::config::ProveConfig;
use crate::model::history::{HISTORY_SCHEMA_VERSION, HistoryRecord};
use crate::model::machine::Machine;
use crate::model::record::{PhaseRecord, RunRecord};
use crate::model::results::ResultsFile;

/// The machine of every test record.
pub(crate) fn machine() -> Machine {
    Machine {
        cpu_model: "Test CPU".into(),
        cores: 2,
        memory_bytes: 24 << 30,
        os: "Linux 6".into(),
        rustc: "rustc 1.90.0".into(),
        target_features: "avx2,bmi2,fma".into(),
        git_sha: "abc".into(),
        git_dirty: false,
    }
}

/// The settings of every test record.
pub(crate) fn config() -> ProveConfig {
    ProveConfig::STANDARD
}

/// A record of `fib` with the given time, heap and digest, and two phases.
pub(crate) fn record(mode: &str, seconds: f64, heap: u64, digest: &str) -> RunRecord {
    let phase = |name: &str, peak: u64| PhaseRecord {
        name: name.to_string(),
        seconds: seconds / 2.0,
        peak_heap_bytes: peak,
        allocated_bytes: None,
        resident_bytes: None,
        peak_breakdown: Default::default(),
    };
    RunRecord {
        fixture: "fib".into(),
        mode: mode.parse().unwrap(),
        cycles: 1000,
        prove_seconds: seconds,
        verify_seconds: 0.1,
        peak_heap_bytes: Some(heap),
        peak_rss_bytes: Some(heap + 100),
        proof_bytes: 10,
        proof_sha3: digest.into(),
        verified: true,
        input: vec![],
        public_output: vec![1],
        exit_code: 0,
        phases: vec![phase("main_commit", heap / 2), phase("composition", heap)],
        tables: vec![],
        machine: machine(),
        config: config(),
        sequence: None,
        dhat: None,
        epochs: None,
        instructions: None,
        instruction_phases: Vec::new(),
        instruction_epochs: Vec::new(),
        functions: Default::default(),
        instruction_worker: None,
        peak_breakdown: Default::default(),
    }
}

/// A results file with one `fib` / `default` entry of the given times and heaps.
pub(crate) fn file(times: &[f64], heap: u64) -> ResultsFile {
    let mut f = ResultsFile::new(machine(), config(), "2026-06-01T00:00:00Z".into());
    let e = f.entry_mut("fib", MemoryMode::DEFAULT);
    for &t in times {
        e.runs.push(record("default", t, heap, "d"));
    }
    resummarize(e);
    f
}

/// Adds runs under cachegrind with these instruction counts to `file`'s `fib` entry in
/// `mode` (their time and heap are valgrind's, deliberately absurd).
pub(crate) fn with_instructions(file: &mut ResultsFile, mode: &str, counts: &[u64]) {
    let e = file.entry_mut("fib", mode.parse().unwrap());
    for &n in counts {
        let mut r = record(mode, 999.0, 1, "d");
        r.instructions = Some(n);
        e.instruction_runs.push(r);
    }
    resummarize(e);
}

/// A results file of `fib` in `default` (2.0 s, 1000 MiB) and `stream-lde` (2.5 s,
/// 400 MiB), two runs each.
pub(crate) fn sample_file() -> ResultsFile {
    let mut f = ResultsFile::new(machine(), config(), "2026-01-01T00:00:00Z".into());
    for (mode, secs, heap) in [("default", 2.0, 1000 << 20), ("stream-lde", 2.5, 400 << 20)] {
        let e = f.entry_mut("fib", mode.parse().unwrap());
        e.runs.push(record(mode, secs, heap, "abcdef0123"));
        e.runs.push(record(mode, secs, heap, "abcdef0123"));
        resummarize(e);
    }
    f
}

/// A results file of `fib_iterative` sizes 1M, 2M, 4M in `default` and `stream-lde`, with
/// heap = 50 MB + slope x Mcycles (half the slope in `stream-lde`) and time = 1.5 s x Mcycles.
pub(crate) fn family_file(heap_per_mcycle: f64) -> ResultsFile {
    let mut f = ResultsFile::new(machine(), config(), "2026-01-01T00:00:00Z".into());
    for (size, cycles) in [("1M", 1_000_010u64), ("2M", 2_000_010), ("4M", 4_000_010)] {
        for (mode, scale) in [("default", 1.0), ("stream-lde", 0.5)] {
            let m = cycles as f64 / 1e6;
            let heap = (50e6 + scale * heap_per_mcycle * m) as u64;
            let mut r = record(mode, 1.5 * m, heap, "d");
            r.cycles = cycles;
            r.fixture = fixture_name("fib_iterative", size);
            let e = f.entry_mut(&r.fixture.clone(), mode.parse().unwrap());
            e.runs.push(r);
            resummarize(e);
        }
    }
    f
}

/// The setup of a comparison of `base` against `head`, independent runs, default rules.
pub(crate) fn cx() -> Setup {
    Setup {
        base_label: "base".into(),
        head_label: "head".into(),
        design: Design::Independent,
        rules: Rules::default(),
        table_parallelism: None,
        same_machine: true,
        warnings: vec![],
        footer: Footer {
            commit: "abc1234".into(),
            baseline: "base.json".into(),
            runner: "Test CPU".into(),
        },
    }
}

/// A history record of `fib` in `mode` with the given medians.
pub(crate) fn night(date: &str, mode: &str, seconds: f64, heap: u64) -> HistoryRecord {
    HistoryRecord {
        schema_version: HISTORY_SCHEMA_VERSION,
        date: date.into(),
        commit: "abc".into(),
        dirty: false,
        machine: "Test CPU | 2 cores | 24 GiB | Linux 6".into(),
        fixture: "fib".into(),
        mode: mode.parse().unwrap(),
        runs: 3,
        median_prove_seconds: Some(seconds),
        median_peak_heap_bytes: Some(heap),
        time_spread_pct: Some(1.0),
        heap_spread_pct: Some(0.0),
        failed_runs: 0,
        min_prove_seconds: None,
        max_prove_seconds: None,
        min_peak_heap_bytes: None,
        max_peak_heap_bytes: None,
        median_instructions: None,
        instruction_build: None,
        peak_breakdown: Default::default(),
        instruction_phases: Vec::new(),
        functions: Default::default(),
    }
}

/// One second in nanoseconds.
pub(crate) const S: u64 = 1_000_000_000;

/// The raw measurements of a 4-second prove (byte counts in MiB): nested and overlapping
/// phase events, two recorded peaks and an exact peak of 5050 MiB at 2.5 s.
pub(crate) fn raw() -> Raw {
    // Each sample's bytes by kind: a fifth "other", the rest "main_lde".
    let kinds = |live: u64| -> crate::model::record::Breakdown {
        [
            ("other".to_string(), (live << 20) / 5),
            ("main_lde".to_string(), (live << 20) - (live << 20) / 5),
        ]
        .into_iter()
        .collect()
    };
    let ev = |t: u64, phase, start, live: u64| PhaseEvent {
        nanos: 10 * S + t,
        phase,
        start,
        live: live << 20,
        by_kind: kinds(live),
    };
    Raw {
        start: 10 * S,
        end: 10 * S + 4 * S,
        live_start: 100 << 20,
        live_end: 200 << 20,
        events: vec![
            ev(S, Phase::MainCommit, true, 1000),
            ev(S + S / 4, Phase::MainCommit, true, 1500),
            ev(S + S / 2, Phase::MainCommit, false, 3000),
            ev(2 * S, Phase::MainCommit, false, 2000),
            ev(2 * S, Phase::Composition, true, 2000),
            ev(3 * S, Phase::Composition, false, 2500),
            ev(3 * S, Phase::Queries, true, 2500),
            ev(3 * S + S / 2, Phase::Fri, true, 2500),
            ev(3 * S + S / 2 + 1, Phase::Fri, false, 2500),
            ev(3 * S + 3 * S / 4, Phase::Queries, false, 2400),
        ],
        start_by_kind: kinds(100),
        end_by_kind: kinds(200),
        peaks: vec![
            (10 * S + S / 2, 900 << 20, kinds(900)),
            (10 * S + 2 * S + S / 2, 5000 << 20, kinds(5000)),
        ],
        kinds_ever_live: vec!["main_lde".into(), "merkle_nodes".into(), "other".into()],
        dropped: 0,
        peak_bytes: 5050 << 20,
        peak_nanos: 10 * S + 2 * S + S / 2 + 10,
        peak_by_kind: [
            ("other".to_string(), 50u64 << 20),
            ("main_lde".to_string(), 3000 << 20),
            ("merkle_nodes".to_string(), 2000 << 20),
        ]
        .into_iter()
        .collect(),
    }
}

/// The text of every `<text>` element of an SVG, after checking it parses as XML.
pub(crate) fn texts(svg: &str) -> Vec<String> {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    assert_eq!(doc.root_element().tag_name().name(), "svg");
    doc.descendants()
        .filter(|n| n.has_tag_name("text"))
        .map(|n| n.text().unwrap_or("").trim().to_string())
        .collect()
}

/// The vertical two-point polylines of an SVG taller than a few pixels: the charts'
/// min-max bars.
pub(crate) fn vertical_bars(svg: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).unwrap();
    doc.descendants()
        .filter(|n| n.has_tag_name("polyline"))
        .filter_map(|n| n.attribute("points"))
        .filter(|p| {
            let pts: Vec<(f64, f64)> = p
                .split_whitespace()
                .filter_map(|xy| xy.split_once(','))
                .map(|(x, y)| (x.parse().unwrap(), y.parse().unwrap()))
                .collect();
            pts.len() == 2 && pts[0].0 == pts[1].0 && (pts[0].1 - pts[1].1).abs() > 4.0
        })
        .count()
}

/// How many elements named `tag` the SVG has.
pub(crate) fn count(svg: &str, tag: &str) -> usize {
    let doc = roxmltree::Document::parse(svg).expect("the SVG is well-formed XML");
    doc.descendants().filter(|n| n.has_tag_name(tag)).count()
}
