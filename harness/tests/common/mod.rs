//! Helpers shared by the `bench` integration tests: run the built binary, read its stderr.
#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs `bench` with `args`.
pub fn bench(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(args)
        .output()
        .expect("bench runs")
}

/// Runs `bench` with `args` and one extra environment variable.
pub fn bench_env(args: &[&str], key: &str, value: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_bench"))
        .args(args)
        .env(key, value)
        .output()
        .expect("bench runs")
}

/// The process's stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}
