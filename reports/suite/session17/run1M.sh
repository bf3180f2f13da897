#!/usr/bin/env bash
# Session 17: default against the combination at every suite program's 1M size, in
# interleaved rounds round-robin over the programs (one more pair per program per round,
# `--runs R --resume`), so that the host's drift over the hour spreads over every program.
# "after": the binary of this session's prover work; "before": session 16's last commit
# (2935bc0), in rounds 1-3 only, first or second by turns. Machine otherwise idle.
set -u
cd /work/main
C=stream-lde+leaf-drop+trace-retire
D=/work/campaign17
ROUNDS=${ROUNDS:-9}
BEFORE_ROUNDS=${BEFORE_ROUNDS:-3}
one() { # binary-name program runs
  local f=$D/pairs-$1-$2_1M
  local resume=""
  [ -f $f.json ] && resume=--resume
  $D/bench-$1 run --fixture $2_1M --modes default,$C --runs $3 $resume --out $f.json >> $f.txt 2>> $f.err
}
i=0
for r in $(seq 1 $ROUNDS); do
  for p in interpreter quicksort json regex hashmap sha256_chain keccak_chain bigint_modexp merkle_paths; do
    i=$((i + 1))
    if [ $r -le $BEFORE_ROUNDS ]; then
      if [ $((i % 2)) -eq 0 ]; then one before $p $r; one after $p $r; else one after $p $r; one before $p $r; fi
    else
      one after $p $r
    fi
  done
  echo "round $r done $(date -u +%H:%M:%S)" >> $D/progress
done
echo DONE >> $D/progress
