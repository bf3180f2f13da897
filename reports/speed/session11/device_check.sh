#!/usr/bin/env bash
# Session 11: the 16-core check on the lent device machine (its CPUs only; no GPU code).
# Runs a portable build (x86-64-v3, carried as target/portable/bench) of `bench prove`
# on fib_iterative_1200k and fib_iterative_8M: proof digests against the 2-core AVX-512
# build's, table parallelism auto (16 threads / 4) and 1, times and exact peaks.
# Usage there: bash reports/speed/session11/device_check.sh  (writes $OUT/*.json, $OUT/log)
set -u
nproc; grep -m1 "model name" /proc/cpuinfo; grep -c -m1 avx512f /proc/cpuinfo
# The fixture catalogue is found where the binary was built.
[ -e /work/main/fixtures ] || { mkdir -p /work && ln -sfn "$PWD" /work/main; }
B=target/portable/bench
run() {
  local n=$1; shift
  timeout 240 "$B" prove --json "$@" > "$OUT/$n.json" 2>> "$OUT/log"
  echo "$n rc=$? $(grep -o '"prove_seconds":[0-9.]*\|"peak_heap_bytes":[0-9]*\|"proof_sha3":"[0-9a-f]\{8\}' "$OUT/$n.json" | head -3 | tr '\n' ' ')"
}
M=stream-lde+leaf-drop+trace-retire
run 1200k-default --fixture fib_iterative_1200k --mode default
run 1200k-comb --fixture fib_iterative_1200k --mode $M
run 1200k-comb-tp1 --fixture fib_iterative_1200k --mode $M --table-parallelism 1
run 8M-comb --fixture fib_iterative_8M --mode $M
run 8M-default --fixture fib_iterative_8M --mode default
