#!/usr/bin/env bash
# Session 16 campaign at 1M: default and the combination, 3 interleaved rounds each, with the
# binary of session 15's end (a15ae7d, "before") and of this session's prover commits
# ("after": Phase A from the coefficients, first touch on every core), the two alternating
# in order per program. Files land in $D; copies are committed beside this script.
set -u
cd /work/main
C=stream-lde+leaf-drop+trace-retire
D=/work/campaign16
i=0
for p in interpreter quicksort json regex hashmap sha256_chain keccak_chain bigint_modexp merkle_paths; do
  if [ $((i % 2)) -eq 0 ]; then order="before after"; else order="after before"; fi
  for b in $order; do
    /tmp/bench-${b}16 run --fixture ${p}_1M --modes default,$C --runs 3 --out $D/pairs-$b-${p}_1M.json > $D/pairs-$b-${p}_1M.txt 2> $D/pairs-$b-${p}_1M.err
  done
  i=$((i+1))
done
echo CAMPAIGN DONE > $D/done
