//! `bench nightly` through the built binary: a regression on a synthetic history (exit 3,
//! the appended JSON Lines, the charts), a corrupted history, and one real night on the
//! smallest fixture.

mod common;

use std::path::Path;

use common::{
    SynthEntry, bench, bench_in, stderr, stdout, svg_texts, synthetic_results, temp_dir, write_json,
};
use serde_json::{Value, json};

const MACHINE: &str = "Synthetic CPU | 2 cores | 24 GiB | Linux 6";

fn history_line(day: u32, mode: &str, seconds: f64, heap: u64) -> String {
    json!({
        "schema_version": 1, "date": format!("2026-01-{day:02}T03:00:00Z"),
        "commit": "c0ffee", "dirty": false, "machine": MACHINE, "fixture": "fib_iterative_8M",
        "mode": mode, "runs": 3, "median_prove_seconds": seconds,
        "median_peak_heap_bytes": heap, "time_spread_pct": 1.0, "heap_spread_pct": 0.0,
        "failed_runs": 0
    })
    .to_string()
}

fn lines(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn a_heap_step_is_a_regression_with_exit_status_3() {
    let dir = temp_dir("nightly-step");
    let history = dir.join("reports").join("fib_iterative_8M.jsonl");
    std::fs::create_dir_all(history.parent().unwrap()).unwrap();
    let mut text = String::new();
    for day in 1..=8 {
        text += &history_line(
            day,
            "default",
            40.0 + f64::from(day % 3) * 0.2,
            3_000_000_000,
        );
        text.push('\n');
        text += &history_line(day, "stream-lde", 45.0, 1_500_000_000);
        text.push('\n');
    }
    std::fs::write(&history, &text).unwrap();
    let results = dir.join("tonight.json");
    write_json(
        &results,
        &synthetic_results(&[
            SynthEntry {
                fixture: "fib_iterative_8M",
                mode: "default",
                cycles: 8_000_010,
                // Heap +10 %: a step; time within the noise.
                runs: vec![
                    (40.1, 3_300_000_000),
                    (40.3, 3_300_000_000),
                    (40.2, 3_300_000_000),
                ],
            },
            SynthEntry {
                fixture: "fib_iterative_8M",
                mode: "stream-lde",
                cycles: 8_000_010,
                runs: vec![
                    (45.0, 1_500_000_000),
                    (45.2, 1_500_000_000),
                    (44.9, 1_500_000_000),
                ],
            },
        ]),
    );
    let out = bench(&[
        "nightly",
        "--fixture",
        "fib_iterative_8M",
        "--results",
        results.to_str().unwrap(),
        "--history",
        history.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let md = stdout(&out);
    assert!(md.starts_with("### Nightly · fib_iterative_8M · "), "{md}");
    assert!(
        md.contains("| `default` | 40.2 s | +0.0 % (limit ±5.0 %) | ✅ unchanged | 3147.1 MiB | +10.0 % (limit ±0.5 %) | ⚠️ regression | 3 |"),
        "{md}"
    );
    assert!(
        md.contains(
            "⚠️ Regression: default peak heap +10.000 % against the night before (limit 0.5 %)."
        ),
        "{md}"
    );
    assert!(
        stderr(&out).contains("Regression: default peak heap"),
        "{}",
        stderr(&out)
    );

    // Appended: the 16 old lines untouched, then one line per mode.
    let after = lines(&history);
    assert_eq!(after.len(), 18);
    assert_eq!(
        std::fs::read_to_string(&history).unwrap()[..text.len()],
        text[..]
    );
    let tonight = &after[16];
    assert_eq!(tonight["mode"], "default");
    assert_eq!(tonight["commit"], "feedface");
    assert_eq!(tonight["machine"], MACHINE);
    assert_eq!(tonight["median_peak_heap_bytes"], 3_300_000_000u64);
    assert_eq!(tonight["runs"], 3);
    assert!(tonight["date"].as_str().unwrap().ends_with('Z'));
    assert_eq!(after[17]["mode"], "stream-lde");

    // The charts, next to the history.
    let series = dir.join("reports").join("fib_iterative_8M-time-heap.svg");
    let t = svg_texts(&series);
    for want in [
        "default",
        "stream-lde",
        "step: regression",
        "+10.0 % > limit +0.5 %",
    ] {
        assert!(t.iter().any(|s| s == want), "{want:?} not in {t:?}");
    }
    let frontier = dir.join("reports").join("fib_iterative_8M-frontier.svg");
    let t = svg_texts(&frontier);
    assert!(t.iter().any(|s| s == "default (reference)"), "{t:?}");
    assert!(t.iter().any(|s| s == "stream-lde"), "{t:?}");
    assert!(md.contains(&format!("Chart: {}", series.display())), "{md}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn a_corrupted_history_line_is_named() {
    let dir = temp_dir("nightly-corrupt");
    let history = dir.join("h.jsonl");
    let good = history_line(1, "default", 1.0, 1);
    // A corrupt line in the middle (a whole line follows it) is an error naming it.
    std::fs::write(&history, format!("{good}\n{{oops\n{good}\n")).unwrap();
    let results = dir.join("r.json");
    write_json(
        &results,
        &synthetic_results(&[SynthEntry {
            fixture: "fib_iterative_8M",
            mode: "default",
            cycles: 1,
            runs: vec![(1.0, 1)],
        }]),
    );
    let out = bench(&[
        "nightly",
        "--fixture",
        "fib_iterative_8M",
        "--results",
        results.to_str().unwrap(),
        "--history",
        history.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("h.jsonl:2: not a history record"),
        "{}",
        stderr(&out)
    );
    // Nothing appended.
    assert_eq!(
        std::fs::read_to_string(&history).unwrap().lines().count(),
        3
    );
    std::fs::remove_dir_all(dir).unwrap();
}

/// The bug this pins: a torn last line (a kill or a full disk mid-append) made every later
/// `bench nightly` fail with `not a history record: EOF while parsing`.
#[test]
fn a_torn_last_line_is_set_aside_and_the_night_appended() {
    let dir = temp_dir("nightly-torn");
    let history = dir.join("h.jsonl");
    let good = history_line(1, "default", 1.0, 1);
    let torn = &history_line(2, "default", 1.0, 1)[..50];
    std::fs::write(&history, format!("{good}\n{torn}")).unwrap();
    let results = dir.join("r.json");
    write_json(
        &results,
        &synthetic_results(&[SynthEntry {
            fixture: "fib_iterative_8M",
            mode: "default",
            cycles: 1,
            runs: vec![(1.0, 1)],
        }]),
    );
    let args = [
        "nightly",
        "--fixture",
        "fib_iterative_8M",
        "--results",
        results.to_str().unwrap(),
        "--history",
        history.to_str().unwrap(),
    ];
    let out = bench(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("h.jsonl:2: torn last line"), "{err}");
    assert!(err.contains("EOF while parsing"), "{err}");
    assert!(err.contains("set aside"), "{err}");
    let aside = dir.join("h.jsonl.torn");
    assert_eq!(
        std::fs::read_to_string(&aside).unwrap(),
        format!("{torn}\n")
    );
    let kept = lines(&history);
    assert_eq!(kept.len(), 2);
    assert_eq!(kept[1]["date"], "2026-01-01T00:00:00Z");
    // The next night reads cleanly (a night already in the history is refused, so the next
    // one is another date).
    let mut next = synthetic_results(&[SynthEntry {
        fixture: "fib_iterative_8M",
        mode: "default",
        cycles: 1,
        runs: vec![(1.0, 1)],
    }]);
    next["created"] = serde_json::json!("2026-01-02T00:00:00Z");
    write_json(&results, &next);
    let out = bench(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stderr(&out).contains("torn"), "{}", stderr(&out));
    assert_eq!(lines(&history).len(), 3);
    // No temporary or lock file is left beside the history.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("h.") || n.starts_with(".h."))
        .collect();
    names.sort();
    assert_eq!(names, ["h.jsonl", "h.jsonl.torn"]);
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn one_real_night_on_the_smallest_fixture() {
    let dir = temp_dir("nightly-real");
    let history = dir.join("nightly").join("fib_iterative_64k.jsonl");
    // In the temporary folder, so that the results file lands there too.
    let out = bench_in(
        &dir,
        &[
            "nightly",
            "--fixture",
            "fib_iterative_64k",
            "--runs",
            "1",
            "--modes",
            "default",
            "--history",
            history.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let results: Vec<_> = std::fs::read_dir(dir.join("target/bench"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(results.len(), 1, "{results:?}");
    assert!(
        results[0].starts_with("nightly-fib_iterative_64k-"),
        "{results:?}"
    );
    let md = stdout(&out);
    assert!(md.contains("not enough history (0 of 5 nights)"), "{md}");
    assert!(md.contains("✅ No regression tonight."), "{md}");
    let l = lines(&history);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0]["fixture"], "fib_iterative_64k");
    assert_eq!(l[0]["mode"], "default");
    assert_eq!(l[0]["runs"], 1);
    assert_eq!(l[0]["failed_runs"], 0);
    assert!(l[0]["median_prove_seconds"].as_f64().unwrap() > 0.0);
    assert!(l[0]["median_peak_heap_bytes"].as_u64().unwrap() > 1 << 20);
    let t = svg_texts(&dir.join("nightly").join("fib_iterative_64k-time-heap.svg"));
    assert!(
        t.iter()
            .any(|s| s == "fib_iterative_64k: median peak heap per night"),
        "{t:?}"
    );
    assert!(t.iter().any(|s| s == "default"), "{t:?}");
    let t = svg_texts(&dir.join("nightly").join("fib_iterative_64k-frontier.svg"));
    assert!(t.iter().any(|s| s == "default (reference)"), "{t:?}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn instruction_counts_step_night_to_night() {
    // A stand-in valgrind reports the count in COUNT_FILE and runs the real worker (this
    // binary, given explicitly so that an AVX-512 build is accepted).
    let dir = temp_dir("nightly-instructions");
    let tools = dir.join("tools");
    std::fs::create_dir_all(&tools).unwrap();
    let count = dir.join("count");
    let valgrind = tools.join("valgrind");
    std::fs::write(
        &valgrind,
        "#!/bin/sh\nset -eu\nout=\"${3#--cachegrind-out-file=}\"\nshift 3\necho \"summary: $(cat \"$COUNT_FILE\")\" > \"$out\"\nexec \"$@\"\n",
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&valgrind, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let history = dir.join("nightly").join("fib_iterative_64k.jsonl");
    let night = |n: u64| {
        std::fs::write(&count, n.to_string()).unwrap();
        std::process::Command::new(env!("CARGO_BIN_EXE_bench"))
            .args(["nightly", "--fixture", "fib_iterative_64k", "--runs", "1"])
            .args(["--modes", "default", "--instructions"])
            .args(["--instructions-worker", env!("CARGO_BIN_EXE_bench")])
            .args(["--history", history.to_str().unwrap()])
            .current_dir(&dir)
            .env("COUNT_FILE", &count)
            .env(
                "PATH",
                format!("{}:{}", tools.display(), std::env::var("PATH").unwrap()),
            )
            .output()
            .unwrap()
    };
    let first = night(1_000_000);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(
        stdout(&first).contains(
            "- Instructions `default`: 1,000,000 (no earlier night counted by this build: first count)"
        ),
        "{}",
        stdout(&first)
    );
    // +1 % the next night: a step from one night of history, exit status 3.
    let second = night(1_010_000);
    assert_eq!(second.status.code(), Some(3), "{}", stderr(&second));
    let md = stdout(&second);
    assert!(
        md.contains(
            "⚠️ Regression: default instructions +1.000 % against the night before (limit 0.5 %)."
        ),
        "{md}"
    );
    let records = lines(&history);
    assert_eq!(records.len(), 2);
    assert_eq!(records[1]["median_instructions"], 1_010_000);
    assert!(
        records[1]["instruction_build"]
            .as_str()
            .unwrap()
            .starts_with("rustc ")
    );
}
