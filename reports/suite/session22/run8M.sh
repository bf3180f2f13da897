#!/bin/bash
# Session 22's 8M campaign: default (D) against the combination with a 4 GiB memory budget
# (K), D K K D per program, every run after `touch 16` (warm memory), one instance in flight.
# Usage: run8M.sh BENCH TOUCH OUTDIR [PROGRAM...]
set -u
BENCH=$1; TOUCH=$2; OUT=$3; shift 3
COMB=stream-lde+leaf-drop+trace-retire
mkdir -p "$OUT"
for p in "$@"; do
  f=${p}_8M
  n=0
  for side in D K K D; do
    n=$((n+1))
    "$TOUCH" 16 >/dev/null 2>&1
    case $side in
      D) args=(--mode default) ;;
      K) args=(--mode $COMB --memory-budget 4GiB) ;;
    esac
    echo "$(date -u +%H:%M:%S) $f $n $side" >> "$OUT/campaign.log"
    "$BENCH" prove --fixture "$f" "${args[@]}" --table-parallelism 1 --max-memory 22 --json \
      > "$OUT/$f-$n-$side.json" 2> "$OUT/$f-$n-$side.err"
    echo "$(date -u +%H:%M:%S) $f $n $side rc=$?" >> "$OUT/campaign.log"
  done
done
