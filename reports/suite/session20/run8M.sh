#!/bin/bash
# Session 20: at each suite program's 8M size, two interleaved pairs of default and the
# combination (A B B A: default, comb, comb, default), one binary (8917b8f; built at 71a076f, the same code), every run
# after `touch 16` (the warm state of sessions 18 and 19), `--table-parallelism 1
# --max-memory 22`. Programs in order of session 19's ratio, highest first, so that a
# campaign cut short has the programs that were above 1.30x. Binary and touch under $BIN
# (default /work/c20); results to $OUT.
set -u
BIN=${BIN:-/work/c20}
OUT=${OUT:-/work/c20/campaign}
mkdir -p "$OUT"
cd "$(dirname "$0")/../../.."
COMB=stream-lde+leaf-drop+trace-retire
PROGRAMS=${PROGRAMS:-"interpreter merkle_paths bigint_modexp json keccak_chain sha256_chain regex hashmap quicksort ecdsa_verify"}
for p in $PROGRAMS; do
  for run in "1 default" "1 $COMB" "2 $COMB" "2 default"; do
    set -- $run
    i=$1; m=$2
    tag=$([ "$m" = default ] && echo default || echo comb)-$i
    "$BIN/touch" 16 >/dev/null
    "$BIN/bench-new" prove --fixture "${p}_8M" --mode "$m" --table-parallelism 1 \
      --max-memory 22 --json > "$OUT/$p-$tag.json" 2> "$OUT/$p-$tag.err"
    echo "$(date -u +%T) $p $tag $?"
  done
done
