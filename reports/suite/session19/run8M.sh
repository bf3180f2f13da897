#!/bin/bash
# Session 19: at each suite program's 8M size, one run each of default and the combination
# with the new binary (spares) and the combination with the old one (fab034f), every run
# after `touch 16` (the warm state of session 18), the order rotating from program to
# program. Binaries and touch under $BIN (default /work/c19); results to $OUT.
set -u
BIN=${BIN:-/work/c19}
OUT=${OUT:-/work/c19/campaign}
mkdir -p "$OUT"
cd "$(dirname "$0")/../../.."
COMB=stream-lde+leaf-drop+trace-retire
PROGRAMS=${PROGRAMS:-"interpreter json regex bigint_modexp keccak_chain ecdsa_verify hashmap merkle_paths quicksort sha256_chain"}
FIRST=${FIRST:-0}  # where the order rotation starts
i=$FIRST
for p in $PROGRAMS; do
  runs=("new default" "new $COMB" "fab034f $COMB")
  for j in 0 1 2; do
    set -- ${runs[$(( (i + j) % 3 ))]}
    b=$1; m=$2
    tag=$b-$([ "$m" = default ] && echo default || echo comb)
    "$BIN/touch" 16 >/dev/null
    "$BIN/bench-$b" prove --fixture "${p}_8M" --mode "$m" --table-parallelism 1 \
      --max-memory 22 --json > "$OUT/$p-$tag.json" 2> "$OUT/$p-$tag.err"
    echo "$(date -u +%T) $p $tag $?"
  done
  i=$((i + 1))
done
