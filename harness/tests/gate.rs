//! A gate CI can trust (issue 37), through the real `bench` binary: one row per case of bad
//! or unlucky input, with the command, the exit status it must give, a phrase its message
//! must contain (and one it must not), and the files that must be unchanged afterwards.
//!
//! Rows run in order in one temporary folder (the working directory of every command, so
//! that `target/bench/...` defaults land there). Most fail before any prove; the few that
//! prove use `bytesort_small` (2.7k cycles) with `--runs 1`. Run with `--nocapture` to see
//! the table: each case, its status, and the message a user now sees.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{SynthEntry, synthetic_results, temp_dir, write_json};
use serde_json::{Value, json};

/// One case.
struct Row {
    /// What a user did, in words.
    case: &'static str,
    /// The arguments of `bench`.
    args: Vec<String>,
    /// Extra environment variables.
    env: Vec<(&'static str, &'static str)>,
    /// The exit status it must give.
    status: i32,
    /// A phrase stdout or stderr must contain.
    phrase: &'static str,
    /// A phrase neither may contain.
    absent: Option<&'static str>,
    /// Files (in the folder) that must be byte-for-byte unchanged afterwards.
    unchanged: Vec<&'static str>,
}

fn row(case: &'static str, args: &str, status: i32, phrase: &'static str) -> Row {
    Row {
        case,
        args: args.split_whitespace().map(String::from).collect(),
        env: Vec::new(),
        status,
        phrase,
        absent: None,
        unchanged: Vec::new(),
    }
}

impl Row {
    fn keeps(mut self, files: &[&'static str]) -> Self {
        self.unchanged.extend(files);
        self
    }
    fn without(mut self, phrase: &'static str) -> Self {
        self.absent = Some(phrase);
        self
    }
    fn env(mut self, key: &'static str, value: &'static str) -> Self {
        self.env.push((key, value));
        self
    }
    /// Replaces one argument (for values with spaces or commas at the end).
    fn arg(mut self, at: usize, value: &str) -> Self {
        self.args[at] = value.to_string();
        self
    }
}

/// The synthetic results files, bad ELFs and other inputs the rows use.
fn inputs(dir: &Path) {
    let entry = |runs: Vec<(f64, u64)>| SynthEntry {
        fixture: "fib_iterative_64k",
        mode: "default",
        cycles: 64_010,
        runs,
    };
    let three = vec![(2.0, 100 << 20), (2.01, 100 << 20), (1.99, 100 << 20)];
    write_json(&dir.join("base.json"), &synthetic_results(&[entry(three)]));
    write_json(
        &dir.join("one.json"),
        &synthetic_results(&[entry(vec![(2.0, 100 << 20)])]),
    );
    write_json(
        &dir.join("two.json"),
        &synthetic_results(&[entry(vec![(2.0, 100 << 20), (2.1, 100 << 20)])]),
    );
    // Every head run crashed.
    let mut failed = synthetic_results(&[entry(vec![(2.0, 1)])]);
    let e = &mut failed["entries"][0];
    e["runs"] = json!([]);
    e["failures"] = json!([{
        "sequence": 0, "reason": "killed by signal 11 (SIGSEGV)", "exit_code": null,
        "signal": 11, "timed_out": false, "seconds": 0.5, "stderr_tail": ""
    }]);
    let s = &mut e["summary"];
    for k in [
        "median_prove_seconds",
        "min_prove_seconds",
        "max_prove_seconds",
        "time_spread_pct",
        "time_cv",
        "median_peak_heap_bytes",
        "min_peak_heap_bytes",
        "max_peak_heap_bytes",
        "heap_spread_pct",
        "heap_cv",
        "median_peak_rss_bytes",
        "median_verify_seconds",
        "proof_sha3",
    ] {
        s[k] = Value::Null;
    }
    s["runs"] = 0.into();
    s["failed_runs"] = 1.into();
    write_json(&dir.join("crashed.json"), &failed);
    std::fs::write(dir.join("existing.json"), "keep me\n").unwrap();
    std::fs::write(dir.join("existing.svg"), "<svg/>\n").unwrap();
    std::fs::write(dir.join("text.elf"), "hello, I am text\n").unwrap();
    std::fs::write(dir.join("empty.elf"), "").unwrap();
    let random: Vec<u8> = (0u32..4096)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(dir.join("random.elf"), random).unwrap();
    let real = std::fs::read(fixture_elf("bytesort_small")).unwrap();
    std::fs::write(dir.join("truncated.elf"), &real[..40]).unwrap();
}

/// The ELF of a catalogue fixture.
fn fixture_elf(name: &str) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures");
    let catalogue: Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("catalogue.json")).unwrap())
            .unwrap();
    let list = catalogue
        .get("fixtures")
        .and_then(Value::as_array)
        .or_else(|| catalogue.as_array())
        .expect("a fixture list");
    let f = list
        .iter()
        .find(|f| f["name"] == name)
        .expect("the fixture");
    root.join(f["elf"].as_str().expect("an elf path"))
}

fn rows() -> Vec<Row> {
    let small = "--fixture bytesort_small --modes default --runs 1";
    vec![
        // Fail closed.
        row(
            "compare, every head run crashed, gate on",
            "compare base.json crashed.json --fail-on-regression",
            5,
            "No verdict",
        )
        .keeps(&["base.json", "crashed.json"]),
        row(
            "compare, every head run crashed, no gate",
            "compare base.json crashed.json",
            0,
            "No verdict",
        ),
        row(
            "export of a file without a successful run",
            "export --format bmf crashed.json",
            1,
            "nothing to export",
        ),
        // Never overwrite data.
        row(
            "export --out onto its own input",
            "export --format bmf base.json --out base.json",
            1,
            "refusing to overwrite an input",
        )
        .keeps(&["base.json"]),
        row(
            "export --out onto its input, --force",
            "export --format bmf base.json --out ./base.json --force",
            1,
            "refusing to overwrite an input",
        )
        .keeps(&["base.json"]),
        row(
            "export --out onto an existing file",
            "export --format gab base.json --out existing.json",
            1,
            "pass --force",
        )
        .keeps(&["existing.json", "base.json"]),
        row(
            "export --out a new file",
            "export --format gab base.json --out new/gab.json",
            0,
            "wrote new/gab.json",
        )
        .keeps(&["base.json"]),
        row(
            "profile --svg onto an existing file",
            "profile --fixture bytesort_small --svg existing.svg",
            1,
            "pass --force",
        )
        .keeps(&["existing.svg"]),
        row(
            "growth --svg onto its --results input",
            "growth --family fib_iterative --results base.json --svg base.json",
            1,
            "refusing to overwrite an input",
        )
        .keeps(&["base.json"]),
        row(
            "run --out onto an existing file",
            &format!("run {small} --out existing.json"),
            1,
            "pass --resume to continue it",
        )
        .keeps(&["existing.json"]),
        row(
            "run --out under /proc",
            &format!("run {small} --out /proc/x.json"),
            1,
            "--out /proc/x.json: cannot write there",
        )
        .without(".tmp"),
        // Check first.
        row(
            "run --baseline with a typo",
            &format!("run {small} --baseline nonexistent"),
            1,
            "--baseline nonexistent: no baseline of that name",
        ),
        row(
            "run --save-baseline with a path",
            &format!("run {small} --save-baseline ../bad"),
            1,
            "--save-baseline: baseline name `../bad`",
        ),
        row(
            "growth --save-baseline with a path",
            "growth --sizes 64k,128k --save-baseline ../bad",
            1,
            "--save-baseline: baseline name `../bad`",
        ),
        row(
            "growth --baseline with a typo",
            "growth --sizes 64k,128k --baseline typo",
            1,
            "--baseline typo: save one first",
        ),
        row(
            "growth --sizes with one size twice",
            "growth --sizes 64k,64k",
            1,
            "64k is given twice",
        ),
        row(
            "growth --sizes with one size",
            "growth --sizes 64k",
            1,
            "at least two distinct sizes",
        ),
        row(
            "run --elf on a text file",
            "run --elf text.elf --modes default --runs 1",
            1,
            "--elf text.elf: cannot load text.elf: not an ELF file: magic bytes",
        ),
        row(
            "run --elf on an empty file",
            "run --elf empty.elf --modes default --runs 1",
            1,
            "truncated ELF file",
        ),
        row(
            "run --elf on a truncated ELF",
            "run --elf truncated.elf --modes default --runs 1",
            1,
            "truncated ELF file",
        ),
        row(
            "run --elf on random bytes",
            "run --elf random.elf --modes default --runs 1",
            1,
            "not an ELF file",
        ),
        row(
            "run --elf on a missing file",
            "run --elf missing.elf --modes default --runs 1",
            1,
            "--elf missing.elf: no such file",
        ),
        // A real run, then resumes of it that are another plan.
        row(
            "run a small fixture once",
            &format!("run {small} --out small.json"),
            0,
            "bytesort_small",
        ),
        row(
            "--resume with a new fixture",
            &format!("run {small} --fixture fib_iterative_64k --out small.json --resume"),
            1,
            "it is another plan's file",
        )
        .keeps(&["small.json"]),
        row(
            "--resume with another --security",
            &format!("run {small} --security provable --out small.json --resume"),
            1,
            "--security conjectured (this run asks for provable)",
        )
        .keeps(&["small.json"])
        .without("ProveConfig"),
        // Say why.
        row(
            "run out of memory",
            &format!("run {small} --max-memory 0.05 --out oom.json"),
            1,
            "out of memory",
        ),
        row(
            "prove out of memory",
            "prove --fixture bytesort_small --max-memory 0.05",
            1,
            "Error: out of memory: memory allocation of",
        )
        .env("RUST_BACKTRACE", "1")
        .without("stack backtrace"),
        row(
            "compare a file with itself",
            "compare base.json base.json",
            0,
            "the same file: this compares it with itself",
        ),
        row(
            "compare 1 run against 2",
            "compare one.json two.json",
            0,
            "prove time not judged for fib_iterative_64k · default: 1 base run(s) against 2 head run(s)",
        ),
        // Memory-safe defaults.
        row(
            "execute a huge input, default limit",
            "execute --fixture fib_iterative_64k --input 4294967295",
            1,
            "the default --max-cycles 100000 fits the execution log",
        )
        .env("BENCH_MEM_AVAILABLE", "8400000"),
        row(
            "prove a huge input, default limit",
            "prove --fixture fib_iterative_64k --input 4294967295",
            1,
            "cycle limit of 100000 exceeded",
        )
        .env("BENCH_MEM_AVAILABLE", "8400000"),
        row(
            "prove a mode predicted not to fit (BENCH_MEM_AVAILABLE=100000000)",
            "prove --fixture fib_iterative_64k",
            1,
            "its predicted peak heap, 148.5 MiB (in composition), with a 10 % margin does not fit in the 95.4 MiB",
        )
        .env("BENCH_MEM_AVAILABLE", "100000000"),
        row(
            "prove a mode that fits (same memory)",
            "prove --fixture fib_iterative_64k --mode stream-lde+trace-retire",
            0,
            "mode           stream-lde+trace-retire",
        )
        .env("BENCH_MEM_AVAILABLE", "100000000"),
        row(
            "prove where no mode fits (BENCH_MEM_AVAILABLE=30000000)",
            "prove --fixture fib_iterative_64k --mode stream-lde+leaf-drop+trace-retire",
            1,
            "no mode fits: the leanest, stream-lde+leaf-drop+trace-retire, is predicted at 60.0 MiB",
        )
        .env("BENCH_MEM_AVAILABLE", "30000000"),
        row(
            "run with an entry predicted not to fit (same memory)",
            "run --fixture fib_iterative_64k,bytesort_small --modes default,stream-lde+trace-retire --runs 1 --out unfit.json",
            1,
            "refusing to start: 1 entry is predicted not to fit in the 95.4 MiB of memory available (predicted peak heap + 10 %): fib_iterative_64k · default 148.5 MiB (in composition)",
        )
        .env("BENCH_MEM_AVAILABLE", "100000000"),
        row(
            "--max-memory proves anyway (BENCH_MEM_AVAILABLE=10000000)",
            "prove --fixture bytesort_small --max-memory 4",
            0,
            "program        bytesort_small",
        )
        .env("BENCH_MEM_AVAILABLE", "10000000"),
        row(
            "execute a huge input, --max-cycles",
            "execute --fixture fib_iterative_64k --input 4294967295 --max-cycles 5000",
            1,
            "cycle limit of 5000 exceeded",
        ),
        // Messages that make sense.
        row(
            "--modes with an empty item",
            "run --modes X",
            1,
            "mode list `default,`: item 2 is empty",
        )
        .arg(2, "default,"),
        row(
            "--modes with a dangling +",
            "run --modes stream-lde+",
            1,
            "mode `stream-lde+`: an empty name around `+`",
        ),
        row(
            "prove --mode all",
            "prove --fixture bytesort_small --mode all",
            2,
            "this command takes one mode",
        ),
        row(
            "--table-parallelism 0",
            "run --table-parallelism 0",
            2,
            "'--table-parallelism <K>': 0 is out of range",
        ),
        // A memory budget goes only to modes that can spend it.
        row(
            "prove, a memory budget for default",
            "prove --fixture bytesort_small --mode default --memory-budget 1GiB",
            1,
            "mode `default` takes no memory budget",
        ),
        row(
            "run, a memory budget with a mode that cannot spend it",
            "run --fixture bytesort_small --modes default,stream-lde+leaf-drop+trace-retire --runs 1 --memory-budget 1GiB --out unfit.json",
            1,
            "mode `default` takes no memory budget",
        ),
        row(
            "prove, a memory budget with --fit",
            "prove --fixture bytesort_small --memory-budget 1GiB --fit 16GiB",
            2,
            "cannot be used with",
        ),
        row(
            "prove, a memory budget without a unit",
            "prove --fixture bytesort_small --mode stream-lde+trace-retire --memory-budget 4",
            2,
            "a size needs a unit",
        ),
        row(
            "overhead --runs 1",
            "overhead --fixture bytesort_small --runs 1",
            0,
            "one run a side: no interval",
        ),
        // Nightly: one night once; a night whose runs failed is not judged.
        row(
            "nightly --results, first time",
            "nightly --fixture fib_iterative_64k --results base.json --history h/night.jsonl",
            0,
            "fib_iterative_64k",
        ),
        row(
            "nightly --results, same night again",
            "nightly --fixture fib_iterative_64k --results base.json --history h/night.jsonl",
            1,
            "is already in h/night.jsonl",
        )
        .keeps(&["h/night.jsonl"]),
        row(
            "nightly whose runs all failed",
            "nightly --fixture fib_iterative_64k --results crashed.json --history h/failed.jsonl",
            5,
            "No verdict: 1 run(s) failed tonight",
        ),
    ]
}

/// The line of `text` that holds `phrase` (what the user reads), trimmed.
fn line_with<'a>(text: &'a str, phrase: &str) -> &'a str {
    text.lines()
        .find(|l| l.contains(phrase))
        .map_or("", str::trim)
}

#[test]
fn every_case_fails_closed_checks_first_and_says_why() {
    let dir = temp_dir("gate");
    inputs(&dir);
    let mut table = vec![format!(
        "| case | command | exit | message |\n|---|---|--:|---|"
    )];
    let mut wrong = Vec::new();
    for r in rows() {
        let before: Vec<Vec<u8>> = r
            .unchanged
            .iter()
            .map(|f| std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{}: {f}: {e}", r.case)))
            .collect();
        let out = Command::new(env!("CARGO_BIN_EXE_bench"))
            .args(&r.args)
            .envs(r.env.iter().copied())
            .env_remove("BENCH_COUNT_ALLOC")
            .current_dir(&dir)
            .output()
            .expect("bench runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let code = out.status.code().unwrap_or(-1);
        let mut problems = Vec::new();
        if code != r.status {
            problems.push(format!("exit {code}, want {}", r.status));
        }
        if !text.contains(r.phrase) {
            problems.push(format!("no `{}`", r.phrase));
        }
        if let Some(a) = r.absent.filter(|a| text.contains(a)) {
            problems.push(format!("says `{a}`"));
        }
        for (f, b) in r.unchanged.iter().zip(&before) {
            if std::fs::read(dir.join(f)).ok().as_ref() != Some(b) {
                problems.push(format!("{f} changed"));
            }
        }
        let command = format!("bench {}", r.args.join(" "));
        let shown = line_with(&text, r.phrase).replace('|', "\\|");
        table.push(format!(
            "| {} | `{}` | {code} | {} |",
            r.case,
            command.replace('|', "\\|"),
            if shown.is_empty() { "(none)" } else { &shown }
        ));
        if !problems.is_empty() {
            wrong.push(format!(
                "{}: {}\n--- output:\n{text}",
                r.case,
                problems.join("; ")
            ));
        }
    }
    println!("{}", table.join("\n"));
    assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    // Refused before the first prove: nothing was measured, so nothing was written.
    assert!(
        !dir.join("unfit.json").exists(),
        "a refused run wrote unfit.json"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn help_and_readme_agree_on_the_measured_cachegrind_numbers() {
    let out = Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(["run", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8_lossy(&out.stdout).replace('\n', " ");
    let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../README.md"))
            .unwrap()
            .replace('\n', " ");
    for said in ["20-34x a prove on 2 cores", "about 0.004 %"] {
        assert!(help.contains(said), "help lacks `{said}`: {help}");
        assert!(readme.contains(said), "README lacks `{said}`");
    }
}
