//! The GitHub workflows never interpolate expressions into scripts: every `run:` (shell) and
//! `script:` (github-script JavaScript) body is free of `${{ ... }}`, so no event text (a
//! comment body, a branch name, a title) can become code. Values reach scripts through
//! `env:` instead. The rule is stricter than "no `github.event.*`": it also covers
//! workflow_dispatch inputs and step outputs that carry such text.
//!
//! The workflows' shell steps also run here, with fake inputs: the nightly's plan step (its
//! `run:` body taken from the YAML, with the built `bench`), and the scripts of
//! `.github/scripts/` that the merge jobs and the `/bench` shards call (the nightly merge
//! with a missing shard, the `/bench` comment from the shards' sections with a failed one,
//! the prebuilt-binary build command). What needs GitHub itself (artifacts, `gh`, a push)
//! is left to the workflow runs.

use std::path::{Path, PathBuf};

/// The script bodies of a workflow file: (line number, text) of every `run:` / `script:`
/// value, inline or block scalar.
fn script_lines(yaml: &str) -> Vec<(usize, String)> {
    let lines: Vec<&str> = yaml.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let trimmed = line.trim_start();
        let body = trimmed.strip_prefix("- ").unwrap_or(trimmed).trim_start();
        let key_indent = line.len() - body.len();
        let value = ["run:", "script:"]
            .iter()
            .find_map(|k| body.strip_prefix(k))
            .map(str::trim);
        i += 1;
        let Some(value) = value else { continue };
        if value.starts_with('|') || value.starts_with('>') {
            while i < lines.len() {
                let l = lines[i];
                let indent = l.len() - l.trim_start().len();
                if !l.trim().is_empty() && indent <= key_indent {
                    break;
                }
                out.push((i + 1, l.to_string()));
                i += 1;
            }
        } else {
            out.push((i, value.to_string()));
        }
    }
    out
}

/// Every `${{` inside a script body, as `file:line: text`.
fn interpolations(path: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    script_lines(&text)
        .into_iter()
        .filter(|(_, l)| l.contains("${{"))
        .map(|(n, l)| format!("{}:{n}: {}", path.display(), l.trim()))
        .collect()
}

fn workflows() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.github/workflows");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn no_workflow_interpolates_into_a_script() {
    let files = workflows();
    assert!(!files.is_empty(), "no workflows found");
    let found: Vec<String> = files.iter().flat_map(|f| interpolations(f)).collect();
    assert!(
        found.is_empty(),
        "expressions inside scripts:\n{}",
        found.join("\n")
    );
}

#[test]
fn the_scanner_finds_interpolations_in_every_script_form() {
    let yaml = "\
jobs:
  a:
    steps:
      - run: echo ${{ github.event.comment.body }}
      - name: block
        run: |
          echo safe
          echo \"${{ github.head_ref }}\"
        env:
          X: ${{ github.event.comment.body }}
      - uses: actions/github-script@v7
        with:
          script: >
            core.info(`${{ inputs.fixture }}`)
      - run: echo done
";
    let found: Vec<String> = script_lines(yaml)
        .into_iter()
        .filter(|(_, l)| l.contains("${{"))
        .map(|(n, _)| n.to_string())
        .collect();
    // The env: value on line 10 is the right way and is not reported.
    assert_eq!(found, ["4", "8", "14"]);
}

// ---- The workflows' shell steps, run here with fake inputs ----

mod common;

use std::process::Command;

use common::{SynthEntry, synthetic_results, temp_dir, write_json};
use serde_json::{Value, json};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The `run: |` body of the step named `name` in workflow `file`.
fn step_script(file: &str, name: &str) -> String {
    let text = std::fs::read_to_string(repo().join(".github/workflows").join(file)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim_start().trim_start_matches("- ") == format!("name: {name}"))
        .unwrap_or_else(|| panic!("no step `{name}` in {file}"));
    let run = (at..lines.len())
        .find(|&i| lines[i].trim_start() == "run: |")
        .unwrap();
    let indent = lines[run].len() - lines[run].trim_start().len();
    lines[run + 1..]
        .iter()
        .take_while(|l| l.trim().is_empty() || l.len() - l.trim_start().len() > indent)
        .map(|l| l.get(indent + 2..).unwrap_or("").to_string() + "\n")
        .collect()
}

/// Runs `script` with bash in `dir`, with `env`; returns (status, stdout, stderr).
fn bash(dir: &Path, script: &str, env: &[(&str, &str)]) -> (i32, String, String) {
    let mut c = Command::new("bash");
    c.arg("-c")
        .arg(format!("set -eo pipefail\n{script}"))
        .current_dir(dir);
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn script(name: &str) -> String {
    repo()
        .join(".github/scripts")
        .join(name)
        .canonicalize()
        .unwrap()
        .to_string_lossy()
        .into_owned()
}

/// A plan of 2 shards: fib_iterative_8M default in shard 1, stream-lde in shard 2.
fn fake_plan(revisions: bool) -> Value {
    let mut p = json!({
        "schema_version": 1, "hash": "00112233deadbeef", "shards": 2, "runs": 1,
        "instruction_runs": 0,
        "config": {"log_blowup": 1, "log_max_rows": 20, "table_parallelism": 1,
                   "count_alloc": true, "epoch_log2": 18, "security": "conjectured"},
        "work": [
            {"shard": 1, "runner": "big", "estimated_seconds": 600.0, "entries": [
                {"fixture": "fib_iterative_8M", "mode": "default", "estimated_seconds": 600.0,
                 "estimated_peak_heap_bytes": 1, "estimate_from": "model", "heavy": true}]},
            {"shard": 2, "runner": "ubuntu-latest", "estimated_seconds": 60.0, "entries": [
                {"fixture": "fib_iterative_8M", "mode": "stream-lde", "estimated_seconds": 60.0,
                 "estimated_peak_heap_bytes": 1, "estimate_from": "model", "heavy": false}]}
        ],
        "matrix": {"include": []}
    });
    if revisions {
        p["revisions"] = json!({"base": "aaaaaaaaaaaa", "head": "bbbbbbbbbbbb"});
    }
    p
}

#[test]
fn the_nightly_plan_step_writes_a_matrix_and_a_summary() {
    let dir = temp_dir("wf-plan");
    std::fs::create_dir_all(dir.join("bin")).unwrap();
    std::fs::copy(env!("CARGO_BIN_EXE_bench"), dir.join("bin/bench")).unwrap();
    let (out, summary) = (dir.join("out.txt"), dir.join("summary.md"));
    let (code, _, err) = bash(
        &dir,
        &step_script("bench-nightly.yml", "Plan the shards"),
        &[
            ("FIXTURE", "fib_iterative_8M"),
            ("MODES", "all"),
            ("SHARDS", "4"),
            ("RUNNER_LABEL", "ubuntu-latest"),
            ("HEAVY_RUNNER", "big-runner"),
            ("FIXTURE_LIST", "none.txt"),
            ("GITHUB_OUTPUT", out.to_str().unwrap()),
            ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
        ],
    );
    assert_eq!(code, 0, "{err}");
    let output = std::fs::read_to_string(&out).unwrap();
    let matrix: Value =
        serde_json::from_str(output.trim().strip_prefix("matrix=").unwrap()).unwrap();
    let jobs = matrix["include"].as_array().unwrap();
    assert_eq!(jobs.len(), 4);
    // 8M default is heavy: its shard runs on the heavy label.
    assert!(jobs.iter().any(|j| j["runner"] == "big-runner"), "{matrix}");
    let s = std::fs::read_to_string(&summary).unwrap();
    assert!(s.contains("fib_iterative_8M default"), "{s}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_nightly_merge_lists_a_missing_shard_and_records_the_rest() {
    let dir = temp_dir("wf-nightly-merge");
    write_json(&dir.join("plan.json"), &fake_plan(false));
    let shards = dir.join("shards");
    std::fs::create_dir_all(&shards).unwrap();
    let mut one = synthetic_results(&[SynthEntry {
        fixture: "fib_iterative_8M",
        mode: "default",
        cycles: 8_000_010,
        runs: vec![(100.0, 13 << 30)],
    }]);
    one["sharding"] = json!({"plan": "00112233deadbeef", "shards": 2, "parts": [
        {"shard": 1, "machine": one["machine"].clone(),
         "entries": [["fib_iterative_8M", "default"]]}]});
    write_json(&shards.join("shard-1.json"), &one);
    std::fs::write(shards.join("status-1.txt"), "0\n").unwrap();
    // Shard 2 never came back.
    let (code, out, err) = bash(
        &dir,
        &script("nightly-merge.sh"),
        &[
            ("BENCH", env!("CARGO_BIN_EXE_bench")),
            ("PLAN", "plan.json"),
            ("SHARDS", "shards"),
            ("HISTORY", "history"),
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.trim(), "status=5", "{err}");
    let summary = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(
        summary.contains("- shard 1 (big, 1 entry, est. 10 min): ok"),
        "{summary}"
    );
    assert!(
        summary.contains("- shard 2 (ubuntu-latest, 1 entry, est. 1 min): **missing**"),
        "{summary}"
    );
    assert!(summary.contains("fib_iterative_8M"), "{summary}");
    let history =
        std::fs::read_to_string(dir.join("history/reports/nightly/fib_iterative_8M.jsonl"))
            .unwrap();
    assert_eq!(history.lines().count(), 1);
    assert!(err.contains("shard 2: MISSING"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_bench_comment_merge_makes_one_marked_comment_naming_a_failed_shard() {
    let dir = temp_dir("wf-comment-merge");
    write_json(&dir.join("plan.json"), &fake_plan(true));
    let shards = dir.join("shards");
    std::fs::create_dir_all(&shards).unwrap();
    std::fs::write(
        shards.join("shard-1.md"),
        "<!-- bench:fib_iterative_8M -->\n## Benchmark — fib_iterative_8M\n\nthe table\n",
    )
    .unwrap();
    std::fs::write(shards.join("status-1.txt"), "0\n").unwrap();
    std::fs::write(shards.join("status-2.txt"), "137\n").unwrap();
    let (code, _, err) = bash(
        &dir,
        &script("bench-comment-merge.sh"),
        &[("PLAN", "plan.json"), ("SHARDS", "shards")],
    );
    assert_eq!(code, 0, "{err}");
    let c = std::fs::read_to_string(dir.join("comment.md")).unwrap();
    assert_eq!(c.lines().next(), Some("<!-- bench:fib_iterative_8M -->"));
    assert_eq!(c.matches("<!-- bench:").count(), 1, "{c}");
    assert!(c.contains("## Benchmark — fib_iterative_8M"), "{c}");
    assert!(c.contains("(base aaaaaaa, head bbbbbbb)"), "{c}");
    assert!(
        c.contains("- shard 2 (ubuntu-latest, 1 entry, est. 1 min): **failed** (exit status 137)"),
        "{c}"
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn the_prebuilt_build_command_copies_each_revisions_binaries() {
    let dir = temp_dir("wf-prebuilt");
    let git = |args: &[&str]| {
        let ok = Command::new("git")
            .args(args)
            .current_dir(&dir)
            .env("GIT_AUTHOR_NAME", "t")
            .env("GIT_AUTHOR_EMAIL", "t@t")
            .env("GIT_COMMITTER_NAME", "t")
            .env("GIT_COMMITTER_EMAIL", "t@t")
            .output()
            .unwrap();
        assert!(
            ok.status.success(),
            "{}",
            String::from_utf8_lossy(&ok.stderr)
        );
        String::from_utf8_lossy(&ok.stdout).trim().to_string()
    };
    git(&["init", "-q"]);
    git(&["commit", "-q", "--allow-empty", "-m", "x"]);
    let sha = git(&["rev-parse", "HEAD"]);
    let pre = dir.join("prebuilt").join(&sha);
    std::fs::create_dir_all(&pre).unwrap();
    std::fs::write(pre.join("bench"), "native").unwrap();
    std::fs::write(pre.join("bench-x86-64-v3"), "portable").unwrap();
    let prebuilt = dir.join("prebuilt");
    for (flags, want) in [("", "native"), ("-C target-cpu=x86-64-v3", "portable")] {
        let target = dir.join(format!("target{}", want.len()));
        let (code, _, err) = bash(
            &dir,
            &script("prebuilt.sh"),
            &[
                ("PREBUILT", prebuilt.to_str().unwrap()),
                ("CARGO_TARGET_DIR", target.to_str().unwrap()),
                ("RUSTFLAGS", flags),
            ],
        );
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            std::fs::read_to_string(target.join("release/bench")).unwrap(),
            want
        );
    }
    // A revision that was not built is an error, not a silent build.
    std::fs::remove_dir_all(&pre).unwrap();
    let (code, _, err) = bash(
        &dir,
        &script("prebuilt.sh"),
        &[
            ("PREBUILT", prebuilt.to_str().unwrap()),
            ("CARGO_TARGET_DIR", dir.join("t").to_str().unwrap()),
        ],
    );
    assert_eq!(code, 1);
    assert!(err.contains("no prebuilt bench for"), "{err}");
    std::fs::remove_dir_all(dir).unwrap();
}
