//! Benching other programs through the built binary: `bench run --suite` / `--group` over a
//! catalogue's groups, `--fixture` lists, `--catalogue FILE` (a user's own catalogue, ELF
//! paths relative to its folder, reaching the workers), and `--elf FILE --input WORDS`.
//! Every prove is bytesort_small or collatz_small (a few thousand cycles), one run each.

mod common;

use std::path::{Path, PathBuf};

use common::{bench, stderr, temp_dir};
use serde_json::Value;

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

/// A user's catalogue in `dir`: the two smallest kernels, their ELFs copied next to it
/// (relative paths), marked with group `suite` under family names with a size suffix, plus
/// one entry of another group.
fn user_catalogue(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("elf")).unwrap();
    for elf in ["bytesort.elf", "collatz.elf"] {
        std::fs::copy(fixtures_dir().join(elf), dir.join("elf").join(elf)).unwrap();
    }
    let repo: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures_dir().join("catalogue.json")).unwrap(),
    )
    .unwrap();
    let entry = |name: &str, as_name: &str, group: &str| {
        let mut e = repo["fixtures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone();
        e["name"] = as_name.into();
        e["elf"] = format!("elf/{}", e["elf"].as_str().unwrap()).into();
        e["group"] = group.into();
        e
    };
    let catalogue = serde_json::json!({ "fixtures": [
        entry("bytesort_small", "sorter_64k", "suite"),
        entry("collatz_small", "hailstone_64k", "suite"),
        entry("collatz_small", "hailstone_1M", "suite"),
        entry("bytesort_small", "other_64k", "mine"),
    ]});
    let path = dir.join("my-catalogue.json");
    std::fs::write(&path, catalogue.to_string()).unwrap();
    path
}

fn entries(file: &Value) -> Vec<(String, String)> {
    file["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["fixture"].as_str().unwrap().to_string(),
                e["mode"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn the_suite_of_a_users_catalogue_reaches_the_workers() {
    let dir = temp_dir("suite-catalogue");
    let catalogue = user_catalogue(&dir);
    let out = dir.join("r.json");
    let run = bench(&[
        "run",
        "--catalogue",
        catalogue.to_str().unwrap(),
        "--suite",
        "--modes",
        "default",
        "--runs",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let file: Value = serde_json::from_slice(&run.stdout).unwrap();
    // The suite at 64k: the two 64k entries of group `suite`, not the 1M one nor `mine`.
    assert_eq!(
        entries(&file),
        [
            ("sorter_64k".to_string(), "default".to_string()),
            ("hailstone_64k".to_string(), "default".to_string())
        ]
    );
    // The workers proved the user's entries on their inputs, with the catalogue's outputs.
    let repo: Value = serde_json::from_str(
        &std::fs::read_to_string(fixtures_dir().join("catalogue.json")).unwrap(),
    )
    .unwrap();
    let of = |name: &str| {
        repo["fixtures"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap()
            .clone()
    };
    for (entry, source) in file["entries"]
        .as_array()
        .unwrap()
        .iter()
        .zip(["bytesort_small", "collatz_small"])
    {
        let record = &entry["runs"][0];
        assert_eq!(record["cycles"], of(source)["cycles"], "{source}");
        assert_eq!(record["public_output"], of(source)["public_output"]);
        assert_eq!(record["input"], of(source)["input"]);
    }

    // --size picks another size; a size the group lacks is named with the ones it has.
    let missing = bench(&[
        "run",
        "--catalogue",
        catalogue.to_str().unwrap(),
        "--suite",
        "--size",
        "8M",
        "--out",
        dir.join("none.json").to_str().unwrap(),
    ]);
    assert_eq!(missing.status.code(), Some(1));
    let err = stderr(&missing);
    assert!(
        err.contains("no fixture of group `suite` at size 8M") && err.contains("(it has: 64k, 1M)"),
        "{err}"
    );
    // The repository's catalogue knows none of the user's names.
    let unknown = bench(&["run", "--fixture", "sorter_64k", "--runs", "1"]);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("sorter_64k"),
        "{}",
        stderr(&unknown)
    );
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn fixture_lists_groups_and_an_elf_on_its_input() {
    let dir = temp_dir("suite-lists");
    let catalogue = user_catalogue(&dir);
    let out = dir.join("r.json");
    let collatz = fixtures_dir().join("collatz.elf");
    let run = bench(&[
        "run",
        "--catalogue",
        catalogue.to_str().unwrap(),
        "--fixture",
        "hailstone_64k,sorter_64k",
        "--fixture",
        "hailstone_64k",
        "--group",
        "mine",
        "--elf",
        collatz.to_str().unwrap(),
        "--input",
        "30",
        "--modes",
        "default",
        "--runs",
        "1",
        "--out",
        out.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(run.status.success(), "{}", stderr(&run));
    let file: Value = serde_json::from_slice(&run.stdout).unwrap();
    let names: Vec<String> = entries(&file).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        names,
        [
            "hailstone_64k".to_string(),
            "sorter_64k".into(),
            "other_64k".into(),
            collatz.display().to_string()
        ]
    );
    // The ELF ran on 30, not on empty input: collatz's output for 30.
    let elf_run = &file["entries"][3]["runs"][0];
    assert_eq!(elf_run["input"], serde_json::json!([30]));
    assert_eq!(elf_run["public_output"], serde_json::json!([441, 111, 27]));

    // --input belongs to --elf.
    let bad = bench(&["run", "--fixture", "bytesort_small", "--input", "1"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(stderr(&bad).contains("--elf"), "{}", stderr(&bad));
    std::fs::remove_dir_all(dir).unwrap();
}

#[test]
fn execute_and_prove_read_another_catalogue() {
    let dir = temp_dir("suite-execute");
    let catalogue = user_catalogue(&dir);
    let out = bench(&[
        "execute",
        "--catalogue",
        catalogue.to_str().unwrap(),
        "--fixture",
        "sorter_64k",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["program"], "sorter_64k");
    assert_eq!(report["matches_catalogue"], true);
    let needs_fixture = bench(&["execute", "--catalogue", "x.json", "--elf", "y"]);
    assert_eq!(needs_fixture.status.code(), Some(2));
    std::fs::remove_dir_all(dir).unwrap();
}
